/* rule_data.c: the data the stages of the rule compiler share: the tables
 * of fields and value names, lists, constants, diagnostics, and the
 * lifetime of rules and sets.
 *
 * Everything here is called by the loader, parser, compiler and planner
 * and calls none of them (only the lexer, for the text of a line), so that
 * the stages depend on one another one way. A RuleSet owns its rules,
 * typologies, lists and constants; rule_set_free frees them all. */
#include "rule/rule_data.h"

#include "rule/rule_iso.h"
#include "rule/rule_lex.h"
#include "rule/rule_text.h"
#include "base/intern.h"

#include <math.h>
#include <string.h>

/* ---- names ---- */

const char *rule_strength_name(Strength s)
{
    switch (s) {
    case STRENGTH_WEAK:
        return "weak";
    case STRENGTH_MEDIUM:
        return "medium";
    case STRENGTH_STRONG:
        return "strong";
    }
    return "?";
}

const char *rule_status_name(RuleStatus s)
{
    static const char *const names[] = {"stable", "experimental", "test", "shadow"};
    return s <= RULE_STATUS_SHADOW ? names[s] : "?";
}

const char *rule_persp_name(Perspective p)
{
    switch (p) {
    case PERSP_SENDER:
        return "sender";
    case PERSP_RECEIVER:
        return "receiver";
    case PERSP_ACCOUNT:
        return "account";
    }
    return "?";
}

double rule_score(const Rule *r)
{
    return (double)r->strength;
}

/* ---- diagnostics ---- */

static void diag_free(gpointer p)
{
    RuleDiag *d = p;
    g_free(d->file);
    g_free(d->msg);
    g_free(d->text);
    g_free(d);
}

GPtrArray *rule_diags_new(void)
{
    return g_ptr_array_new_with_free_func(diag_free);
}

void rule_diag_add(GPtrArray *diags, const char *file, const char *src, gsize len, int line,
                   int col, gboolean warning, const char *msg)
{
    RuleDiag *d = g_new0(RuleDiag, 1);
    d->file = g_strdup(file);
    d->line = line;
    d->col = col;
    d->warning = warning;
    d->msg = g_strdup(msg);
    if (src && line > 0) {
        const char *t;
        gsize tl;
        rule_lex_line_text(src, len, line, &t, &tl);
        d->text = g_strndup(t, tl);
    }
    g_ptr_array_add(diags, d);
}

static void ctx_diag(RuleCtx *cx, int line, int col, gboolean warning, const char *fmt, va_list ap)
{
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    rule_diag_add(cx->diags, cx->file, cx->src, cx->len, line, col, warning, msg);
    if (!warning)
        cx->errors++;
}

void rule_ctx_error(RuleCtx *cx, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx_diag(cx, line, col, FALSE, fmt, ap);
    va_end(ap);
}

void rule_ctx_warn(RuleCtx *cx, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ctx_diag(cx, line, col, TRUE, fmt, ap);
    va_end(ap);
}

void rule_diag_print(const RuleDiag *d, FILE *out)
{
    fprintf(out, "%s:%d:%d: %s: %s\n", d->file, d->line, d->col, d->warning ? "warning" : "error",
            d->msg);
    if (!d->text)
        return;
    fprintf(out, "%5d | %s\n      | ", d->line, d->text);
    for (int i = 1; i < d->col && d->text[i - 1]; i++)
        fputc(d->text[i - 1] == '\t' ? '\t' : ' ', out);
    fputs("^\n", out);
}

char *rule_text_squeeze(const char *s, gsize n)
{
    GString *out = g_string_sized_new(n);
    for (gsize i = 0; i < n; i++) {
        gboolean blank = g_ascii_isspace(s[i]);
        if (!blank)
            g_string_append_c(out, s[i]);
        else if (out->len && out->str[out->len - 1] != ' ')
            g_string_append_c(out, ' ');
    }
    return g_string_free(out, FALSE);
}

/* ---- fields ---- */

static const struct {
    const char *name;
    ValueType type;
    double lo, hi;
    int hold;
} fields[] = {
#define X(id, name, ty, lo, hi, hold) {name, ty, lo, hi, hold},
    RULE_FIELD_LIST(X)
#undef X
};

const char *rule_field_name(FieldId f)
{
    return fields[f].name;
}

/* Field names to their index + 1, made once (the rule planner looks names
 * up many times for each rule it loads). */
static GHashTable *field_index(void)
{
    static GHashTable *index;
    if (g_once_init_enter(&index)) {
        GHashTable *h = g_hash_table_new(g_str_hash, g_str_equal);
        for (int i = FIELD_COUNT - 1; i >= 0; i--) /* the first of a name wins */
            g_hash_table_insert(h, (gpointer)fields[i].name, GINT_TO_POINTER(i + 1));
        g_once_init_leave(&index, h);
    }
    return index;
}

int rule_field_lookup(const char *name)
{
    return GPOINTER_TO_INT(g_hash_table_lookup(field_index(), name)) - 1;
}

ValueType rule_field_type(FieldId f)
{
    return fields[f].type;
}

void rule_field_domain(FieldId f, double *lo, double *hi)
{
    *lo = fields[f].lo;
    *hi = fields[f].hi;
}

gboolean rule_field_is_fixed(FieldId f)
{
    return fields[f].hold == FIELD_FIXED;
}

gboolean rule_field_is_history(FieldId f)
{
    return fields[f].hold == FIELD_HISTORY;
}

/* Does program p test the memo (OP_TEXT)? */
gboolean rule_program_tests_memo(const RuleProgram *p)
{
    for (guint i = 0; i < p->n; i++)
        if (p->steps[i].op == OP_TEXT)
            return TRUE;
    return FALSE;
}

/* The part of history field f (RULE_HISTORY_*). */
static guint history_part(FieldId f)
{
    if (!rule_field_is_history(f))
        return 0;
    if (f == FIELD_DATA_DAYS)
        return RULE_HISTORY_DATA;
    return f == FIELD_CP_IS_NEW || f == FIELD_CP_PAID_BEFORE || f == FIELD_CP_FIRST_SEEN ||
                   f == FIELD_CP_PAID_BACK
               ? RULE_HISTORY_PAIR
               : RULE_HISTORY_ACCOUNT;
}

/* The parts of history program p reads (RULE_HISTORY_*). */
static guint program_history_parts(const RuleProgram *p)
{
    guint parts = 0;
    for (guint i = 0; i < p->n; i++) {
        const RuleStep *st = &p->steps[i];
        if (st->op == OP_FIELD)
            parts |= history_part((FieldId)st->a);
        else if (st->op == OP_FIELD_CMP || st->op == OP_FIELD_IN_LIST)
            parts |= history_part((FieldId)st->b);
    }
    return parts;
}

gboolean rule_program_reads_history(const RuleProgram *p)
{
    return program_history_parts(p) != 0;
}

void rule_agg_clear_mid(RuleAgg *a)
{
    for (guint k = 0; k < a->n_mid; k++)
        rule_program_clear(&a->mid[k]);
    g_clear_pointer(&a->mid, g_free);
    a->n_mid = 0;
}

guint rule_history_parts(const Rule *r)
{
    guint parts = program_history_parts(&r->filter) | program_history_parts(&r->condition);
    for (guint i = 0; r->aggs && i < r->aggs->len; i++) {
        const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, i);
        parts |= program_history_parts(&g->arg) | program_history_parts(&g->cond);
        for (guint k = 0; k < g->n_mid; k++)
            parts |= program_history_parts(&g->mid[k]);
    }
    for (guint i = 0; r->explain && i < r->explain->len; i++)
        parts |= program_history_parts(&g_array_index(r->explain, TplPart, i).prog);
    return parts;
}

gboolean rule_reads_history(const Rule *r)
{
    return rule_history_parts(r) != 0;
}

/* ---- suggestions ---- */

/* The edit distance of a and b (insert, delete, replace, swap of two
 * neighbours), or limit + 1 when it exceeds limit. */
static guint edit_distance(const char *a, const char *b, guint limit)
{
    gsize la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63 || (la > lb ? la - lb : lb - la) > limit)
        return limit + 1;
    guint d[64][64];
    for (gsize i = 0; i <= la; i++)
        d[i][0] = (guint)i;
    for (gsize j = 0; j <= lb; j++)
        d[0][j] = (guint)j;
    for (gsize i = 1; i <= la; i++) {
        for (gsize j = 1; j <= lb; j++) {
            guint cost = a[i - 1] != b[j - 1];
            guint v = MIN(MIN(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                v = MIN(v, d[i - 2][j - 2] + 1);
            d[i][j] = v;
        }
    }
    return MIN(d[la][lb], limit + 1);
}

void rule_suggest_init(RuleSuggest *s, const char *name)
{
    gsize n = strlen(name);
    *s = (RuleSuggest){.name = name, .limit = n <= 4 ? 1 : n <= 8 ? 2 : 3, .best = NULL};
    s->dist = s->limit + 1;
}

void rule_suggest_try(RuleSuggest *s, const char *candidate)
{
    if (!candidate || strcmp(candidate, s->name) == 0)
        return;
    guint d = edit_distance(s->name, candidate, s->limit);
    if (d < s->dist) {
        s->dist = d;
        s->best = candidate;
    }
}

char *rule_suggest_text(const RuleSuggest *s)
{
    return s->best ? g_strdup_printf(" (did you mean '%s'?)", s->best) : g_strdup("");
}

void rule_suggest_fields(RuleSuggest *s)
{
    for (int i = 0; i < FIELD_COUNT; i++)
        rule_suggest_try(s, fields[i].name);
}

/* ---- types and the names of their values ---- */

gboolean rule_type_is_enum(ValueType t)
{
    return t == TY_CHANNEL || t == TY_MCC || t == TY_COUNTRY || t == TY_CURRENCY || t == TY_DOW ||
           t == TY_HOUR || t == TY_DIR || t == TY_KIND;
}

gboolean rule_enum_value(ValueType ty, const char *name, double *out)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    gsize n = strlen(name);
    gboolean digits = n > 0 && strspn(name, "0123456789") == n;
    switch (ty) {
    case TY_CHANNEL: {
        Channel ch;
        if (!txn_channel_parse(name, n, &ch))
            return FALSE;
        *out = ch;
        return TRUE;
    }
    case TY_MCC:
        *out = digits && n <= 4 ? g_ascii_strtod(name, NULL) : -1;
        return *out >= 0;
    case TY_HOUR:
        *out = digits && n <= 2 ? g_ascii_strtod(name, NULL) : -1;
        return *out >= 0 && *out <= 23;
    case TY_COUNTRY:
        *out = rule_iso_country(name) ? txn_pack_code2(name, 2) : 0;
        return *out != 0;
    case TY_CURRENCY:
        *out = rule_iso_currency(name) ? txn_pack_code3(name, 3) : 0;
        return *out != 0;
    case TY_DIR:
        *out = strcmp(name, "in") == 0 ? 1 : strcmp(name, "out") == 0 ? 2 : 0;
        return *out != 0;
    case TY_KIND:
        *out = strcmp(name, "person") == 0 ? 1 : strcmp(name, "business") == 0 ? 2 : 0;
        return *out != 0;
    case TY_DOW:
        for (int i = 0; i < 7; i++) {
            if (g_ascii_strcasecmp(name, days[i]) == 0) {
                *out = i + 1;
                return TRUE;
            }
        }
        return FALSE;
    default:
        return FALSE;
    }
}

const char *rule_type_word(ValueType t)
{
    switch (t) {
    case TY_CHANNEL:
        return "channel";
    case TY_MCC:
        return "mcc";
    case TY_COUNTRY:
        return "country";
    case TY_CURRENCY:
        return "currency";
    case TY_DOW:
        return "weekday";
    case TY_DIR:
        return "direction (in or out)";
    case TY_KIND:
        return "kind (person or business)";
    case TY_TEXT:
        return "text";
    case TY_ACCOUNT:
        return "account";
    case TY_HOUR:
        return "hour";
    case TY_MONEY:
        return "amount";
    case TY_COUNT:
        return "count";
    case TY_DURATION:
        return "duration";
    case TY_BOOL:
        return "condition";
    default:
        return "number";
    }
}

/* ---- lists ---- */

/* The kinds a list can hold: the word that names it and the size of its
 * key space (rule_list_key). */
static const struct {
    const char *word;
    ValueType kind;
    guint nbits;
} list_kinds[] = {
    {"channel", TY_CHANNEL, 32},      {"mcc", TY_MCC, 10000},
    {"country", TY_COUNTRY, 26 * 26}, {"currency", TY_CURRENCY, 26 * 26 * 26},
    {"weekday", TY_DOW, 8},           {"hour", TY_HOUR, 24},
    {"account", TY_ACCOUNT, 0}, /* grows with the set's account names */
};

gboolean rule_list_kind_parse(const char *word, gsize n, ValueType *kind)
{
    for (gsize k = 0; k < G_N_ELEMENTS(list_kinds); k++) {
        if (strlen(list_kinds[k].word) == n && memcmp(list_kinds[k].word, word, n) == 0) {
            *kind = list_kinds[k].kind;
            return TRUE;
        }
    }
    return FALSE;
}

const char *rule_list_kind_word(ValueType kind)
{
    for (gsize k = 0; k < G_N_ELEMENTS(list_kinds); k++) {
        if (list_kinds[k].kind == kind)
            return list_kinds[k].word;
    }
    return "value";
}

RuleList *rule_list_new(RuleSet *rs, char *name, ValueType kind, const char *file, int line,
                        int col)
{
    gsize k = 0;
    while (k < G_N_ELEMENTS(list_kinds) && list_kinds[k].kind != kind)
        k++;
    if (k == G_N_ELEMENTS(list_kinds)) {
        g_free(name);
        return NULL;
    }
    RuleList *l = g_new0(RuleList, 1);
    l->name = name;
    l->kind = kind;
    l->nbits = list_kinds[k].nbits;
    l->bits = g_malloc0((l->nbits + 7) / 8);
    l->values = g_array_new(FALSE, FALSE, sizeof(double));
    l->file = g_strdup(file);
    l->line = line;
    l->col = col;
    g_ptr_array_add(rs->lists, l);
    return l;
}

RuleList *rule_list_new_anonymous(RuleSet *rs, ValueType kind, const char *file, int line, int col)
{
    char *name = g_strdup_printf("{set at %d:%d}", line, col);
    RuleList *l = rule_list_new(rs, name, kind, file, line, col);
    if (l)
        l->used = l->anonymous = TRUE;
    return l;
}

gboolean rule_list_add(RuleList *l, double v)
{
    gint64 key = rule_list_key(l->kind, v);
    if (l->kind == TY_ACCOUNT && key >= l->nbits && key < G_MAXINT32 - 64) {
        guint nbits = ((guint)key / 64 + 1) * 64; /* whole words: grows by one at a time */
        l->bits = g_realloc(l->bits, nbits / 8);
        memset(l->bits + l->nbits / 8, 0, (nbits - l->nbits) / 8);
        l->nbits = nbits;
    }
    if (key < 0 || key >= l->nbits)
        return FALSE;
    l->bits[key >> 3] |= (guint8)(1u << (key & 7));
    g_array_append_val(l->values, v);
    return TRUE;
}

guint32 rule_set_account_id(RuleSet *rs, const char *name)
{
    gpointer id = g_hash_table_lookup(rs->account_ids, name);
    if (id)
        return GPOINTER_TO_UINT(id);
    char *own = g_strdup(name);
    g_ptr_array_add(rs->account_names, own);
    g_hash_table_insert(rs->account_ids, own, GUINT_TO_POINTER(rs->account_names->len));
    return rs->account_names->len;
}

void rule_set_intern_accounts(const RuleSet *rs, Intern *accounts)
{
    for (guint i = 0; i < rs->account_names->len; i++) {
        const char *name = g_ptr_array_index(rs->account_names, i);
        guint32 id = intern_add(accounts, name, strlen(name));
        g_assert(id == i + 1); /* the table was empty: the ids the lists hold */
    }
}

RuleList *rule_list_find(RuleSet *rs, const char *name, int *index)
{
    for (guint i = 0; i < rs->lists->len; i++) {
        RuleList *l = g_ptr_array_index(rs->lists, i);
        if (!l->anonymous && strcmp(l->name, name) == 0) {
            if (index)
                *index = (int)i;
            return l;
        }
    }
    return NULL;
}

static void list_free(RuleList *l)
{
    g_free(l->name);
    g_free(l->bits);
    g_free(l->file);
    g_array_unref(l->values);
    g_free(l);
}

/* ---- constants ---- */

static RuleConst *find_const(GPtrArray *consts, const char *name)
{
    for (guint i = 0; consts && i < consts->len; i++) {
        RuleConst *k = g_ptr_array_index(consts, i);
        if (strcmp(k->name, name) == 0)
            return k;
    }
    return NULL;
}

RuleConst *rule_const_lookup(RuleCtx *cx, const char *name)
{
    RuleConst *k = cx->rule ? find_const(cx->rule->params, name) : NULL;
    return k ? k : find_const(cx->rs->consts, name);
}

static void const_free(RuleConst *k)
{
    g_free(k->name);
    g_free(k->file);
    g_free(k);
}

/* ---- programs, rules, sets ---- */

void rule_program_clear(RuleProgram *p)
{
    g_clear_pointer(&p->steps, g_free);
    p->n = 0;
}

/* Frees an example and its rows, accounts and expectations. */
static void example_free(RuleExample *ex)
{
    for (guint i = 0; i < ex->accounts->len; i++) {
        ExampleAccount *a = &g_array_index(ex->accounts, ExampleAccount, i);
        g_free(a->account);
        g_ptr_array_unref(a->keys);
        g_ptr_array_unref(a->values);
    }
    g_array_unref(ex->accounts);
    for (guint i = 0; i < ex->rows->len; i++) {
        ExampleRow *r = &g_array_index(ex->rows, ExampleRow, i);
        g_free(r->tx_id);
        g_free(r->from);
        g_free(r->to);
        g_free(r->location);
        g_free(r->memo);
    }
    for (guint i = 0; i < ex->expects->len; i++) {
        ExampleExpect *e = &g_array_index(ex->expects, ExampleExpect, i);
        g_free(e->account);
        g_free(e->role);
        if (e->evidence)
            g_ptr_array_unref(e->evidence);
    }
    g_array_unref(ex->rows);
    g_array_unref(ex->expects);
    g_free(ex->name);
    g_free(ex);
}

static void lead_clear(gpointer p)
{
    g_free(((RuleLead *)p)->text);
}

/* The plan of a rule with no filter: every channel, kind and amount passes. */
static void plan_init(RulePlan *pl)
{
    pl->channel_mask = G_MAXUINT32;
    memset(pl->pass_mask, 0xff, sizeof pl->pass_mask);
    memset(pl->pass_surely, 0xff, sizeof pl->pass_surely);
    for (int side = 0; side < SIDE_COUNT; side++) {
        for (int no_mcc = 0; no_mcc < 2; no_mcc++) {
            for (int ch = 0; ch < 32; ch++)
                pl->shape_amount[side][no_mcc][ch] = (RuleAmountRange){-INFINITY, INFINITY};
        }
    }
    pl->kind_mask = G_MAXUINT32;
    pl->leads = g_array_new(FALSE, FALSE, sizeof(RuleLead));
    g_array_set_clear_func(pl->leads, lead_clear);
    pl->tracked = g_array_new(FALSE, FALSE, sizeof(RuleTrack));
}

static void plan_clear(RulePlan *pl)
{
    rule_program_clear(&pl->account_filter);
    g_free(pl->account_filter_src);
    for (int side = 0; side < SIDE_COUNT; side++) {
        rule_program_clear(&pl->side_filter[side]);
        for (int k = 0; k < 2 * 32; k++) {
            RuleProgram *p = pl->shape_filter[side][k / 32][k % 32];
            if (p)
                rule_program_clear(p);
            g_free(p);
        }
    }
    if (pl->mcc_sets)
        g_ptr_array_unref(pl->mcc_sets);
    g_array_unref(pl->leads);
    g_array_unref(pl->tracked);
}

void rule_init(Rule *r, const char *file, char *id, int line)
{
    r->id = id;
    r->file = g_strdup(file);
    r->line = line;
    r->version = 1;
    r->strength = STRENGTH_MEDIUM;
    r->suppress = -1;
    r->tags = g_ptr_array_new_with_free_func(g_free);
    r->false_positives = g_ptr_array_new_with_free_func(g_free);
    r->aggs = g_array_new(FALSE, TRUE, sizeof(RuleAgg));
    r->explain = g_array_new(FALSE, TRUE, sizeof(TplPart));
    r->examples = g_ptr_array_new_with_free_func((GDestroyNotify)example_free);
    r->params = g_ptr_array_new();
    plan_init(&r->plan);
}

void rule_clear(Rule *r)
{
    g_free(r->id);
    g_free(r->title);
    g_free(r->source);
    g_free(r->family);
    g_free(r->file);
    g_free(r->explain_src);
    g_free(r->filter_src);
    g_free(r->condition_src);
    g_free(r->role);
    g_ptr_array_unref(r->tags);
    g_ptr_array_unref(r->false_positives);
    g_free(r->author);
    g_free(r->date);
    rule_program_clear(&r->filter);
    rule_program_clear(&r->condition);
    rule_program_clear(&r->match.nodes);
    g_free(r->match.nodes_src);
    for (guint i = 0; i < r->aggs->len; i++) {
        RuleAgg *a = &g_array_index(r->aggs, RuleAgg, i);
        rule_program_clear(&a->arg);
        rule_program_clear(&a->cond);
        rule_agg_clear_mid(a);
        g_free(a->text);
    }
    g_array_unref(r->aggs);
    for (guint i = 0; i < r->explain->len; i++) {
        TplPart *t = &g_array_index(r->explain, TplPart, i);
        g_free(t->text);
        rule_program_clear(&t->prog);
    }
    g_array_unref(r->explain);
    g_ptr_array_unref(r->examples);
    for (guint i = 0; i < r->params->len; i++)
        const_free(g_ptr_array_index(r->params, i));
    g_ptr_array_unref(r->params);
    plan_clear(&r->plan);
}

static void typology_free(Typology *ty)
{
    rule_clear(&ty->rule);
    g_ptr_array_unref(ty->indicator_ids);
    g_ptr_array_unref(ty->escalation_ids);
    g_ptr_array_unref(ty->victim_ids);
    g_ptr_array_unref(ty->controller_ids);
    g_ptr_array_unref(ty->required_ids);
    if (ty->indicators) {
        g_ptr_array_unref(ty->indicators);
        g_ptr_array_unref(ty->escalations);
        g_ptr_array_unref(ty->victims);
        g_ptr_array_unref(ty->controllers);
        g_ptr_array_unref(ty->required);
    }
    g_free(ty);
}

RuleSet *rule_set_new(void)
{
    RuleSet *rs = g_new0(RuleSet, 1);
    rs->rules = g_ptr_array_new();
    rs->typologies = g_ptr_array_new();
    rs->lists = g_ptr_array_new();
    rs->consts = g_ptr_array_new();
    rs->texts = g_ptr_array_new_with_free_func((GDestroyNotify)rule_text_free);
    rs->account_names = g_ptr_array_new_with_free_func(g_free);
    rs->account_ids = g_hash_table_new(g_str_hash, g_str_equal);
    rs->list_files = g_ptr_array_new_with_free_func(g_free);
    rs->files = g_ptr_array_new_with_free_func(g_free);
    return rs;
}

const Rule *rule_set_find(const RuleSet *rs, const char *id)
{
    for (guint i = 0; i < rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(rs->rules, i);
        if (strcmp(r->id, id) == 0)
            return r;
    }
    return NULL;
}

void rule_set_free(RuleSet *rs)
{
    if (!rs)
        return;
    for (guint i = 0; i < rs->rules->len; i++) {
        Rule *r = g_ptr_array_index(rs->rules, i);
        rule_clear(r);
        g_free(r);
    }
    for (guint i = 0; i < rs->typologies->len; i++)
        typology_free(g_ptr_array_index(rs->typologies, i));
    g_ptr_array_unref(rs->typologies);
    for (guint i = 0; i < rs->lists->len; i++)
        list_free(g_ptr_array_index(rs->lists, i));
    for (guint i = 0; i < rs->consts->len; i++)
        const_free(g_ptr_array_index(rs->consts, i));
    g_ptr_array_unref(rs->rules);
    g_ptr_array_unref(rs->lists);
    g_ptr_array_unref(rs->consts);
    g_ptr_array_unref(rs->texts);
    g_hash_table_unref(rs->account_ids);
    g_ptr_array_unref(rs->account_names);
    g_ptr_array_unref(rs->list_files);
    g_ptr_array_unref(rs->files);
    g_free(rs);
}
