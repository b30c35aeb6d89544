/* rule_compile.c: turns expression trees into flat programs for rule_vm.c.
 *
 * Resolves names (fields, constants, lists, aggregates, the names of
 * channels, countries, weekdays ...), checks that each clause only uses what
 * it can see (a filter sees one transaction, an alert condition sees the
 * window's aggregates), infers the static type that decides how values are
 * printed, bounds the stack depth, and lints: a condition that can be proven
 * never true is an error. Works out the prefilters that spare the engine
 * most filter runs: the channels, mcc codes and amounts a filter can pass
 * from each side, and its parts on an account's fixed attributes. */
#include "rule/rule_ast.h"

#include "read/kyc.h"

#include <math.h>
#include <string.h>

RuleList *rule_list_new_anonymous(RuleSet *rs, ValueType kind, const char *file, int line, int col);
gboolean rule_list_add(RuleList *l, double v);

typedef struct {
    RuleCtx *cx;
    ExprContext ctx;
    GArray *steps; /* RuleStep */
    int depth, max_depth;
    guint fence; /* steps before this may be jump targets: not folded */
    gboolean failed;
} Cc;

static const struct {
    const char *name;
    ValueType type;
    double lo, hi;
} fields[] = {
#define X(id, name, ty, lo, hi) {name, ty, lo, hi},
    RULE_FIELD_LIST(X)
#undef X
};

const char *rule_field_name(FieldId f)
{
    return fields[f].name;
}

static int field_lookup(const char *name)
{
    for (int i = 0; i < FIELD_COUNT; i++) {
        if (strcmp(fields[i].name, name) == 0)
            return i;
    }
    return -1;
}

static void cc_error(Cc *c, const AstNode *n, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void cc_error(Cc *c, const AstNode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    rule_ctx_error(c->cx, n->line, n->col, "%s", msg);
    c->failed = TRUE;
}

/* FIELD f, PUSH k, compare -> FIELD_CMP; FIELD f, IN_LIST l -> FIELD_IN_LIST;
 * AGG g, PUSH k, compare -> AGG_CMP: the commonest tests of filters and
 * conditions in one step each. Steps a jump may land inside (before the
 * fence) are left alone. */
static void fuse_field_test(Cc *c)
{
    guint n = c->steps->len;
    RuleStep *s = (RuleStep *)c->steps->data;
    if (n >= 2 && n - 2 >= c->fence && s[n - 1].op == OP_IN_LIST && s[n - 2].op == OP_FIELD) {
        s[n - 2] = (RuleStep){.op = OP_FIELD_IN_LIST, .b = (guint8)s[n - 2].a, .a = s[n - 1].a};
        g_array_set_size(c->steps, n - 1);
    } else if (n >= 3 && n - 3 >= c->fence && s[n - 1].op >= OP_EQ && s[n - 1].op <= OP_GE &&
               s[n - 2].op == OP_PUSH && s[n - 3].op == OP_FIELD) {
        s[n - 3] = (RuleStep){
            .op = OP_FIELD_CMP, .b = (guint8)s[n - 3].a, .a = s[n - 1].op, .k = s[n - 2].k};
        g_array_set_size(c->steps, n - 2);
    } else if (n >= 3 && n - 3 >= c->fence && s[n - 1].op >= OP_EQ && s[n - 1].op <= OP_GE &&
               s[n - 2].op == OP_PUSH && s[n - 3].op == OP_AGG) {
        s[n - 3] = (RuleStep){.op = OP_AGG_CMP, .b = s[n - 1].op, .a = s[n - 3].a, .k = s[n - 2].k};
        g_array_set_size(c->steps, n - 2);
    }
}

static void emit(Cc *c, RuleOp op, gint32 a, double k)
{
    static const int effect[OP_COUNT] = {
        [OP_PUSH] = 1,       [OP_FIELD] = 1,     [OP_AGG] = 1,  [OP_ADD] = -1, [OP_SUB] = -1,
        [OP_MUL] = -1,       [OP_DIV] = -1,      [OP_MOD] = -1, [OP_EQ] = -1,  [OP_NE] = -1,
        [OP_LT] = -1,        [OP_LE] = -1,       [OP_GT] = -1,  [OP_GE] = -1,  [OP_JUMP_FALSE] = -1,
        [OP_JUMP_TRUE] = -1, [OP_IN_RANGE] = -2,
    };
    RuleStep s = {.op = (guint8)op, .a = a, .k = k};
    g_array_append_val(c->steps, s);
    c->depth += effect[op];
    c->max_depth = MAX(c->max_depth, c->depth);
    fuse_field_test(c);
}

static const char *node_text(Cc *c, const AstNode *n, char *buf, gsize size)
{
    gsize len = MIN(n->end - n->pos, size - 1);
    memcpy(buf, c->cx->src + n->pos, len);
    buf[len] = '\0';
    return buf;
}

static gboolean is_enum_type(ValueType t)
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
        *out = n == 2 && g_ascii_isupper(name[0]) && g_ascii_isupper(name[1])
                   ? txn_pack_code2(name, 2)
                   : 0;
        return *out != 0;
    case TY_CURRENCY:
        *out = n == 3 && g_ascii_isupper(name[0]) && g_ascii_isupper(name[1]) &&
                       g_ascii_isupper(name[2])
                   ? txn_pack_code3(name, 3)
                   : 0;
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

static const char *type_word(ValueType t)
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

static ValueType compile(Cc *c, AstNode *n);

/* ---- aggregates ---- */

static const struct {
    const char *name;
    AggKind kind;
} agg_names[] = {{"count", AGG_COUNT}, {"sum", AGG_SUM},       {"avg", AGG_AVG},
                 {"min", AGG_MIN},     {"max", AGG_MAX},       {"distinct", AGG_DISTINCT},
                 {"span", AGG_SPAN},   {"new", AGG_NEW},       {"forwarded", AGG_FORWARDED},
                 {"swept", AGG_SWEPT}, {"baseline", AGG_COUNT}};

#define AGG_BASELINE_INDEX 10 /* "baseline": wraps another aggregate */

static int agg_lookup(const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS(agg_names); i++) {
        if (strcmp(agg_names[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

static gboolean compile_sub(RuleCtx *cx, AstNode *n, ExprContext ctx, RuleProgram *out);

static gboolean agg_field(Cc *c, AstNode *arg, RuleAgg *agg)
{
    int f = arg && arg->kind == N_IDENT ? field_lookup(arg->name) : -1;
    if (f < 0) {
        cc_error(c, arg, "%s() takes a field: counterparty, location, country, channel, mcc, ...",
                 agg->kind == AGG_NEW ? "new" : "distinct");
        return TRUE;
    }
    agg->field = (FieldId)f;
    agg->type = TY_COUNT;
    return TRUE;
}

/* forwarded(48h), swept(24h): one duration */
static gboolean const_value(Cc *c, AstNode *n, double *v);

/* forwarded(48h), swept(horizon): a duration, or a constant or param
 * holding one (so that a backtest can sweep it) */
static gboolean agg_duration(Cc *c, AstNode *call, AstNode *arg, RuleAgg *agg)
{
    double v = 0;
    if (!arg || !const_value(c, arg, &v) || v <= 0) {
        cc_error(c, arg ? arg : call, "%s() takes a duration like 48h, or a constant holding one",
                 agg->kind == AGG_FORWARDED ? "forwarded" : "swept");
        return TRUE;
    }
    RuleConst *k = arg->kind == N_IDENT ? rule_const_lookup(c->cx, arg->name) : NULL;
    if (k)
        k->used = TRUE;
    agg->k = v;
    agg->type = TY_NUM;
    return TRUE;
}

static gboolean agg_arg(Cc *c, AstNode *n, AggKind kind, RuleAgg *agg)
{
    guint nargs = n->items ? n->items->len : 0;
    AstNode *arg = nargs ? g_ptr_array_index(n->items, 0) : NULL;
    if (n->b) {
        if (kind != AGG_SUM && kind != AGG_AVG && kind != AGG_MIN && kind != AGG_MAX &&
            kind != AGG_DISTINCT) {
            cc_error(c, n->b, "'where' inside %s() is not supported; use count(condition)",
                     n->name);
            return TRUE;
        }
        if (!compile_sub(c->cx, n->b, CTX_AGG_ARG, &agg->cond))
            c->failed = TRUE;
    }
    if (kind == AGG_SPAN || (kind == AGG_COUNT && nargs == 0)) {
        agg->type = kind == AGG_SPAN ? TY_DURATION : TY_COUNT;
        return nargs == 0;
    }
    if (nargs != 1)
        return FALSE;
    if (kind == AGG_DISTINCT || kind == AGG_NEW)
        return agg_field(c, arg, agg);
    if (kind == AGG_FORWARDED || kind == AGG_SWEPT)
        return agg_duration(c, n, arg, agg);
    if (!compile_sub(c->cx, arg, CTX_AGG_ARG, &agg->arg))
        c->failed = TRUE;
    agg->type = kind == AGG_COUNT ? TY_COUNT : agg->arg.type;
    return TRUE;
}

/* baseline(sum(amount)): the inner aggregate over the baseline period */
static gboolean agg_baseline(Cc *c, AstNode *n, RuleAgg *agg)
{
    AstNode *inner = n->items && n->items->len == 1 ? g_ptr_array_index(n->items, 0) : NULL;
    int which = -1;
    if (inner && (inner->kind == N_CALL || inner->kind == N_IDENT))
        which = agg_lookup(inner->name);
    if (which < 0 || which == AGG_BASELINE_INDEX || agg_names[which].kind == AGG_NEW) {
        cc_error(c, n, "baseline() takes an aggregate, e.g. baseline(sum(amount))");
        return TRUE;
    }
    if (!c->cx->rule->baseline)
        cc_error(c, n, "baseline() needs a 'baseline' clause (e.g. baseline 90d) before it");
    agg->kind = agg_names[which].kind;
    agg->baseline = TRUE;
    return agg_arg(c, inner, agg->kind, agg);
}

static void known_masks(RuleCtx *cx, AstNode *n, gboolean top, guint32 maybe[SIDE_COUNT][2],
                        guint32 surely[SIDE_COUNT][2]);

/* The condition of a flagged aggregate: count(cond), or the where of
 * sum(x where cond), also inside baseline(...). */
static AstNode *agg_condition(AstNode *n, int which)
{
    if (which == AGG_BASELINE_INDEX)
        n = g_ptr_array_index(n->items, 0);
    if (n->b)
        return n->b;
    return n->items && n->items->len == 1 ? g_ptr_array_index(n->items, 0) : NULL;
}

static ValueType compile_agg(Cc *c, AstNode *n, int which)
{
    Rule *r = c->cx->rule;
    if (c->ctx != CTX_CONDITION && c->ctx != CTX_EXPLAIN) {
        cc_error(c, n, "aggregate '%s' is not allowed here: %s", n->name,
                 c->ctx == CTX_FILTER ? "'where' sees one transaction at a time"
                                      : "only 'alert if' and 'explain' see the window");
        return TY_NUM;
    }
    char buf[256];
    const char *text = n->kind == N_IDENT ? n->name : node_text(c, n, buf, sizeof buf);
    for (guint i = 0; i < r->aggs->len; i++) {
        RuleAgg *a = &g_array_index(r->aggs, RuleAgg, i);
        if (strcmp(a->text, text) == 0) {
            a->in_condition |= c->ctx == CTX_CONDITION;
            emit(c, OP_AGG, (gint32)i, 0);
            return a->type;
        }
    }
    RuleAgg agg = {.kind = agg_names[which].kind, .in_condition = c->ctx == CTX_CONDITION};
    if (agg.kind == AGG_NEW && !r->baseline)
        cc_error(c, n, "new() needs a 'baseline' clause (e.g. baseline 90d) before it");
    gboolean ok =
        which == AGG_BASELINE_INDEX ? agg_baseline(c, n, &agg) : agg_arg(c, n, agg.kind, &agg);
    if (!ok) {
        cc_error(c, n, "%s() takes %s", n->name,
                 agg.kind == AGG_COUNT  ? "nothing or a condition"
                 : agg.kind == AGG_SPAN ? "nothing"
                                        : "one value");
        rule_program_clear(&agg.arg); /* a "where" may have compiled before the count failed */
        rule_program_clear(&agg.cond);
        return TY_NUM;
    }
    agg.text = g_strdup(text);
    agg.flag = -1;
    memset(agg.flag_maybe, 0xff, sizeof agg.flag_maybe);
    memset(agg.flag_surely, 0, sizeof agg.flag_surely);
    if ((agg.cond.n || (agg.kind == AGG_COUNT && agg.arg.n)) && r->aggs->len < LIMIT_ENTRY_FLAGS) {
        agg.flag = (int)r->aggs->len; /* precomputed per entry when it enters the window */
        AstNode *cond = agg_condition(n, which);
        if (cond)
            known_masks(c->cx, cond, FALSE, agg.flag_maybe, agg.flag_surely);
    }
    gboolean simple = agg.flag >= 0 || (!agg.cond.n && !(agg.kind == AGG_COUNT && agg.arg.n));
    agg.running = simple && (agg.kind == AGG_COUNT || (agg.kind == AGG_SUM && agg.arg.n == 2 &&
                                                       agg.arg.steps[0].op == OP_FIELD &&
                                                       agg.arg.steps[0].a == FIELD_AMOUNT));
    g_array_append_val(r->aggs, agg);
    emit(c, OP_AGG, (gint32)r->aggs->len - 1, 0);
    return agg.type;
}

/* ---- names ---- */

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

static ValueType compile_name(Cc *c, AstNode *n)
{
    int f = field_lookup(n->name);
    if (f >= 0) {
        if (c->ctx == CTX_CONST) {
            cc_error(c, n, "a constant cannot use the field '%s'", n->name);
            return TY_NUM;
        }
        emit(c, OP_FIELD, f, 0);
        return fields[f].type;
    }
    RuleConst *k = rule_const_lookup(c->cx, n->name);
    if (k) {
        k->used = TRUE;
        emit(c, OP_PUSH, 0, k->value);
        return k->type;
    }
    Rule *r = c->cx->rule;
    for (guint i = 0; r && r->typology && i < r->aggs->len; i++) { /* score, families, hits */
        if (strcmp(g_array_index(r->aggs, RuleAgg, i).text, n->name) == 0) {
            emit(c, OP_AGG, (gint32)i, 0);
            return g_array_index(r->aggs, RuleAgg, i).type;
        }
    }
    if (r && r->typology && c->ctx != CTX_CONST) {
        cc_error(c, n, "a typology's condition knows score, families and hits, not '%s'", n->name);
        return TY_NUM;
    }
    int a = agg_lookup(n->name);
    if (a >= 0 && (agg_names[a].kind == AGG_COUNT || agg_names[a].kind == AGG_SPAN))
        return compile_agg(c, n, a);
    cc_error(c, n, "unknown field or name '%s'", n->name);
    return TY_NUM;
}

/* Compiles n as a value of enumerated type ty when it names one ("PH",
 * "cash_deposit", "sat"); else compiles it as usual. */
static ValueType compile_as(Cc *c, AstNode *n, ValueType ty)
{
    double v;
    if (n->kind == N_STRING) {
        if (ty != TY_TEXT)
            cc_error(c, n,
                     "a quoted text can only be compared with a text field such as "
                     "account.occupation");
        emit(c, OP_PUSH, 0, kyc_text_hash(n->name, strlen(n->name)));
        return TY_TEXT;
    }
    if (is_enum_type(ty) && (n->kind == N_IDENT || n->kind == N_NUM)) {
        gboolean named =
            n->kind == N_IDENT && (field_lookup(n->name) >= 0 || rule_const_lookup(c->cx, n->name));
        char buf[32];
        const char *text = n->kind == N_IDENT ? n->name : node_text(c, n, buf, sizeof buf);
        if (!named && rule_enum_value(ty, text, &v)) {
            emit(c, OP_PUSH, 0, v);
            return ty;
        }
        if (!named && n->kind == N_IDENT) {
            cc_error(c, n, "'%s' is not a %s", n->name, type_word(ty));
            return ty;
        }
    }
    return compile(c, n);
}

static ValueType peek_type(Cc *c, const AstNode *n)
{
    if (n->kind != N_IDENT)
        return TY_NUM;
    int f = field_lookup(n->name);
    return f >= 0 ? fields[f].type : TY_NUM;
}

/* ---- operators ---- */

static RuleOp bin_op(TokKind k)
{
    switch (k) {
    case TOK_PLUS:
        return OP_ADD;
    case TOK_MINUS:
        return OP_SUB;
    case TOK_STAR:
        return OP_MUL;
    case TOK_SLASH:
        return OP_DIV;
    case TOK_PERCENT:
        return OP_MOD;
    case TOK_EQ:
        return OP_EQ;
    case TOK_NE:
        return OP_NE;
    case TOK_LT:
        return OP_LT;
    case TOK_LE:
        return OP_LE;
    case TOK_GT:
        return OP_GT;
    default:
        return OP_GE;
    }
}

static ValueType arith_type(RuleOp op, ValueType a, ValueType b)
{
    if (op == OP_DIV && a == b)
        return TY_NUM; /* a ratio */
    if (a == TY_MONEY || b == TY_MONEY)
        return TY_MONEY;
    if (a == TY_DURATION || b == TY_DURATION)
        return TY_DURATION;
    if (a == TY_COUNT && b == TY_COUNT && op != OP_DIV)
        return TY_COUNT;
    return TY_NUM;
}

/* PUSH a, PUSH b, OP -> PUSH (a OP b): constants are computed once, here. */
static void fold_constants(Cc *c)
{
    guint n = c->steps->len;
    RuleStep *s = (RuleStep *)c->steps->data;
    if (n < 3 || n - 3 < c->fence || s[n - 3].op != OP_PUSH || s[n - 2].op != OP_PUSH)
        return; /* a jump may land between them: leave them */
    RuleStep prog[] = {s[n - 3], s[n - 2], s[n - 1], {.op = OP_HALT}};
    RuleProgram p = {prog, 4, TY_NUM};
    RuleEval ev = {0};
    double v = rule_vm_run(&p, &ev);
    g_array_set_size(c->steps, n - 2);
    g_array_index(c->steps, RuleStep, n - 3) = (RuleStep){.op = OP_PUSH, .k = v};
    c->depth -= 1;
}

static ValueType compile_bin(Cc *c, AstNode *n)
{
    RuleOp op = bin_op(n->op);
    if (op >= OP_EQ) {
        ValueType ta = peek_type(c, n->a), tb = peek_type(c, n->b);
        if (is_enum_type(ta) || !is_enum_type(tb)) {
            ta = compile(c, n->a);
            compile_as(c, n->b, ta);
        } else {
            compile_as(c, n->a, tb);
            compile(c, n->b);
        }
        emit(c, op, 0, 0);
        return TY_BOOL;
    }
    ValueType ta = compile(c, n->a);
    ValueType tb = compile(c, n->b);
    emit(c, op, 0, 0);
    fold_constants(c);
    return arith_type(op, ta, tb);
}

static ValueType compile_logic(Cc *c, AstNode *n)
{
    compile(c, n->a);
    guint jump = c->steps->len;
    emit(c, n->kind == N_AND ? OP_JUMP_FALSE : OP_JUMP_TRUE, 0, 0);
    compile(c, n->b);
    g_array_index(c->steps, RuleStep, jump).a = (gint32)c->steps->len;
    c->fence = c->steps->len; /* a jump lands here: no folding across it */
    return TY_BOOL;
}

static RuleList *list_by_name(RuleSet *rs, const char *name, int *index)
{
    for (guint i = 0; i < rs->lists->len; i++) {
        RuleList *l = g_ptr_array_index(rs->lists, i);
        if (!l->anonymous && strcmp(l->name, name) == 0) {
            *index = (int)i;
            return l;
        }
    }
    return NULL;
}

static ValueType compile_in_list(Cc *c, AstNode *n)
{
    ValueType ta = compile(c, n->a);
    int index = -1;
    RuleList *l = list_by_name(c->cx->rs, n->name, &index);
    if (!l) {
        cc_error(c, n, "unknown list '%s'", n->name);
        return TY_BOOL;
    }
    if (l->kind != ta)
        cc_error(c, n, "list '%s' holds %s values but is compared with a %s", n->name,
                 type_word(l->kind), type_word(ta));
    l->used = TRUE;
    emit(c, OP_IN_LIST, index, 0);
    if (n->negate)
        emit(c, OP_NOT, 0, 0);
    return TY_BOOL;
}

static ValueType compile_in_set(Cc *c, AstNode *n)
{
    ValueType ta = compile(c, n->a);
    RuleList *l = rule_list_new_anonymous(c->cx->rs, ta, c->cx->file, n->line, n->col);
    if (!l) {
        cc_error(c, n,
                 "a {set} needs a channel, mcc, country, currency, weekday or hour on the left, "
                 "not a %s",
                 type_word(ta));
        return TY_BOOL;
    }
    for (guint i = 0; i < n->items->len; i++) {
        AstNode *item = g_ptr_array_index(n->items, i);
        double v;
        if (!rule_enum_value(ta, item->name, &v) || !rule_list_add(l, v))
            cc_error(c, item, "'%s' is not a %s", item->name, type_word(ta));
    }
    emit(c, OP_IN_LIST, (gint32)c->cx->rs->lists->len - 1, 0);
    if (n->negate)
        emit(c, OP_NOT, 0, 0);
    return TY_BOOL;
}

static ValueType compile_in_range(Cc *c, AstNode *n)
{
    ValueType ta = compile(c, n->a);
    compile_as(c, n->lo, ta);
    compile_as(c, n->hi, ta);
    emit(c, OP_IN_RANGE, (n->lo_closed ? 1 : 0) | (n->hi_closed ? 2 : 0), 0);
    if (n->negate)
        emit(c, OP_NOT, 0, 0);
    return TY_BOOL;
}

static ValueType compile(Cc *c, AstNode *n)
{
    switch (n->kind) {
    case N_NUM:
        emit(c, OP_PUSH, 0, n->num);
        return TY_NUM;
    case N_DURATION:
        emit(c, OP_PUSH, 0, n->num);
        return TY_DURATION;
    case N_STRING:
        return compile_as(c, n, TY_NUM);
    case N_IDENT:
        return compile_name(c, n);
    case N_CALL: {
        int a = agg_lookup(n->name);
        if (a < 0) {
            cc_error(
                c, n,
                "unknown function '%s' (aggregates: count, sum, avg, min, max, distinct, span)",
                n->name);
            return TY_NUM;
        }
        return compile_agg(c, n, a);
    }
    case N_NEG: {
        ValueType t = compile(c, n->a);
        emit(c, OP_NEG, 0, 0);
        return t;
    }
    case N_NOT:
        compile(c, n->a);
        emit(c, OP_NOT, 0, 0);
        return TY_BOOL;
    case N_BIN:
        return compile_bin(c, n);
    case N_AND:
    case N_OR:
        return compile_logic(c, n);
    case N_IN_LIST:
        return compile_in_list(c, n);
    case N_IN_SET:
        return compile_in_set(c, n);
    case N_IN_RANGE:
        return compile_in_range(c, n);
    }
    g_assert_not_reached();
}

static gboolean compile_sub(RuleCtx *cx, AstNode *n, ExprContext ctx, RuleProgram *out)
{
    Cc c = {.cx = cx, .ctx = ctx, .steps = g_array_new(FALSE, FALSE, sizeof(RuleStep))};
    ValueType t = compile(&c, n);
    emit(&c, OP_HALT, 0, 0);
    if (!c.failed && (c.max_depth > LIMIT_VM_STACK || c.steps->len > LIMIT_PROGRAM_STEPS))
        cc_error(&c, n, "expression too large (more than %d steps or %d nested values)",
                 LIMIT_PROGRAM_STEPS, LIMIT_VM_STACK);
    if (!c.failed && (ctx == CTX_FILTER || ctx == CTX_CONDITION) && t != TY_BOOL)
        cc_error(&c, n, "this %s gives %s %s, not a condition (compare it with something)",
                 ctx == CTX_FILTER ? "filter" : "alert condition",
                 strchr("aeiou", type_word(t)[0]) ? "an" : "a", type_word(t));
    out->type = t;
    out->n = c.steps->len;
    out->steps = (RuleStep *)g_array_free(c.steps, FALSE);
    if (c.failed)
        rule_program_clear(out);
    return !c.failed;
}

gboolean rule_compile_expr(RuleCtx *cx, AstNode *n, ExprContext ctx, RuleProgram *out)
{
    return compile_sub(cx, n, ctx, out);
}

gboolean rule_compile_const(RuleCtx *cx, AstNode *n, double *value, ValueType *type)
{
    RuleProgram p = {0};
    if (!compile_sub(cx, n, CTX_CONST, &p))
        return FALSE;
    RuleEval ev = {.rs = cx->rs};
    *value = rule_vm_run(&p, &ev);
    *type = p.type;
    rule_program_clear(&p);
    return TRUE;
}

void rule_program_clear(RuleProgram *p)
{
    g_clear_pointer(&p->steps, g_free);
    p->n = 0;
}

/* ---- lint: conditions that can never be true ---- */

typedef struct {
    char key[128];
    double lo, hi;
    gboolean lo_closed, hi_closed;
} Interval;

typedef struct {
    Cc *c;
    Interval iv[32];
    int n;
} Lint;

static gboolean const_value(Cc *c, AstNode *n, double *v)
{
    switch (n->kind) {
    case N_NUM:
    case N_DURATION:
        *v = n->num;
        return TRUE;
    case N_IDENT: {
        RuleConst *k = rule_const_lookup(c->cx, n->name);
        if (k)
            *v = k->value;
        return k != NULL;
    }
    case N_NEG:
        if (!const_value(c, n->a, v))
            return FALSE;
        *v = -*v;
        return TRUE;
    case N_BIN: {
        double a, b;
        if (n->op > TOK_PERCENT || n->op < TOK_PLUS || !const_value(c, n->a, &a) ||
            !const_value(c, n->b, &b))
            return FALSE;
        RuleStep s[] = {{.op = OP_PUSH, .k = a},
                        {.op = OP_PUSH, .k = b},
                        {.op = (guint8)bin_op(n->op)},
                        {.op = OP_HALT}};
        RuleProgram p = {s, 4, TY_NUM};
        RuleEval ev = {0};
        *v = rule_vm_run(&p, &ev);
        return TRUE;
    }
    default:
        return FALSE;
    }
}

/* The domain of a variable: a field, count, span or an aggregate call. */
static gboolean var_domain(Cc *c, AstNode *n, Interval *iv)
{
    iv->lo = -INFINITY;
    iv->hi = INFINITY;
    iv->lo_closed = iv->hi_closed = TRUE;
    if (n->kind == N_IDENT) {
        int f = field_lookup(n->name);
        if (f >= 0) {
            iv->lo = fields[f].lo;
            iv->hi = fields[f].hi;
        } else if (strcmp(n->name, "count") == 0) {
            iv->lo = 1;
        } else if (strcmp(n->name, "span") == 0) {
            iv->lo = 0;
        } else {
            return FALSE;
        }
    } else if (n->kind == N_CALL && agg_lookup(n->name) >= 0) {
        iv->lo = 0;
    } else {
        return FALSE;
    }
    char buf[128];
    g_strlcpy(iv->key, node_text(c, n, buf, sizeof buf), sizeof iv->key);
    return TRUE;
}

static void iv_meet(Interval *iv, double lo, gboolean loc, double hi, gboolean hic)
{
    if (lo > iv->lo || (lo == iv->lo && !loc)) {
        iv->lo = lo;
        iv->lo_closed = loc;
    }
    if (hi < iv->hi || (hi == iv->hi && !hic)) {
        iv->hi = hi;
        iv->hi_closed = hic;
    }
}

static gboolean iv_empty(const Interval *iv)
{
    return iv->lo > iv->hi || (iv->lo == iv->hi && !(iv->lo_closed && iv->hi_closed));
}

static Interval *lint_var(Lint *L, AstNode *var)
{
    Interval d;
    if (!var_domain(L->c, var, &d))
        return NULL;
    for (int i = 0; i < L->n; i++) {
        if (strcmp(L->iv[i].key, d.key) == 0)
            return &L->iv[i];
    }
    if (L->n == (int)G_N_ELEMENTS(L->iv))
        return NULL;
    L->iv[L->n] = d;
    return &L->iv[L->n++];
}

static void lint_cmp(Lint *L, AstNode *n)
{
    double v;
    AstNode *var = n->a;
    TokKind op = n->op;
    if (!const_value(L->c, n->b, &v)) {
        if (!const_value(L->c, n->a, &v))
            return;
        var = n->b;
        op = op == TOK_LT   ? TOK_GT
             : op == TOK_GT ? TOK_LT
             : op == TOK_LE ? TOK_GE
             : op == TOK_GE ? TOK_LE
                            : op;
    }
    Interval *iv = lint_var(L, var);
    if (!iv)
        return;
    switch (op) {
    case TOK_LT:
        iv_meet(iv, -INFINITY, TRUE, v, FALSE);
        break;
    case TOK_LE:
        iv_meet(iv, -INFINITY, TRUE, v, TRUE);
        break;
    case TOK_GT:
        iv_meet(iv, v, FALSE, INFINITY, TRUE);
        break;
    case TOK_GE:
        iv_meet(iv, v, TRUE, INFINITY, TRUE);
        break;
    case TOK_EQ:
        iv_meet(iv, v, TRUE, v, TRUE);
        break;
    default:
        break;
    }
}

static gboolean never_true(Cc *c, AstNode *n);

/* Gathers the constraints of an and-chain; TRUE if a member is never true. */
static gboolean lint_and(Lint *L, AstNode *n)
{
    if (n->kind == N_AND)
        return lint_and(L, n->a) || lint_and(L, n->b);
    if (n->kind == N_BIN && n->op >= TOK_EQ && n->op <= TOK_GE) {
        lint_cmp(L, n);
        return FALSE;
    }
    if (n->kind == N_IN_RANGE && !n->negate) {
        double lo, hi;
        Interval *iv;
        if (const_value(L->c, n->lo, &lo) && const_value(L->c, n->hi, &hi) &&
            (iv = lint_var(L, n->a)))
            iv_meet(iv, lo, n->lo_closed, hi, n->hi_closed);
        return FALSE;
    }
    if (n->kind == N_OR || n->kind == N_IN_LIST)
        return never_true(L->c, n);
    return FALSE; /* anything else may be true */
}

static gboolean never_true(Cc *c, AstNode *n)
{
    if (n->kind == N_OR)
        return never_true(c, n->a) && never_true(c, n->b);
    if (n->kind == N_IN_LIST && !n->negate) {
        int index;
        RuleList *l = list_by_name(c->cx->rs, n->name, &index);
        return l && l->values->len == 0;
    }
    gboolean cmp = n->kind == N_BIN && n->op >= TOK_EQ && n->op <= TOK_GE;
    if (n->kind != N_AND && !cmp && n->kind != N_IN_RANGE)
        return FALSE;
    Lint L = {.c = c};
    if (lint_and(&L, n))
        return TRUE;
    for (int i = 0; i < L.n; i++) {
        if (iv_empty(&L.iv[i]))
            return TRUE;
    }
    return FALSE;
}

void rule_lint_never_true(RuleCtx *cx, AstNode *n, const char *clause)
{
    Cc c = {.cx = cx};
    if (never_true(&c, n)) {
        char buf[160];
        cc_error(&c, n, "the condition of '%s' can never be true: %s", clause,
                 node_text(&c, n, buf, sizeof buf));
    }
}

/* ---- the channel prefilters ----
 *
 * The filter evaluated at compile time in three-valued logic (false, true,
 * unknown) with some fields known: the channel, the direction (from the
 * side the account is on) and a missing mcc. Anything else is unknown, so a
 * test the evaluator does not understand can never rule a channel out. */

typedef enum { TRI_FALSE, TRI_TRUE, TRI_UNKNOWN } Tri;

/* The direction a side knows (rule_vm_field: 1 in, 2 out; 0 unknown). */
static const double side_direction[SIDE_COUNT] = {
    [SIDE_ANY] = 0, [SIDE_SENDER] = 2, [SIDE_RECEIVER] = 1};

typedef struct {
    RuleCtx *cx;
    double channel;      /* when channel_unknown is FALSE */
    double direction;    /* 1 in, 2 out, 0 unknown */
    gboolean mcc_absent; /* the transaction has no mcc */
    gboolean mcc_known;  /* it has this one: */
    guint mcc;
    gboolean channel_unknown;
    gboolean decide_only; /* specialize() need not build what is left */
    int amount_known;     /* -1: the amount is below amount_bound, +1: above, 0: unknown */
    double amount_bound;
} Known;

/* The value of field n when it is known, with its type. */
static gboolean known_field(const Known *k, const AstNode *n, double *v, ValueType *ty)
{
    if (n->kind != N_IDENT)
        return FALSE;
    if (strcmp(n->name, "channel") == 0 && !k->channel_unknown) {
        *v = k->channel, *ty = TY_CHANNEL;
        return TRUE;
    }
    if (strcmp(n->name, "direction") == 0 && k->direction) {
        *v = k->direction, *ty = TY_DIR;
        return TRUE;
    }
    if (strcmp(n->name, "mcc") == 0 && (k->mcc_absent || k->mcc_known)) {
        *v = k->mcc_absent ? TXN_MCC_NONE : k->mcc, *ty = TY_MCC;
        return TRUE;
    }
    return FALSE;
}

/* The value of n as an enum of type ty, as the compiler would read it: a
 * name of that type that is not a field or constant, or an mcc number. */
static gboolean enum_const(const Known *k, const AstNode *n, ValueType ty, double *v)
{
    if (n->kind == N_NUM && ty == TY_MCC) {
        *v = n->num;
        return TRUE;
    }
    if (n->kind != N_IDENT || field_lookup(n->name) >= 0 || rule_const_lookup(k->cx, n->name))
        return FALSE;
    return rule_enum_value(ty, n->name, v);
}

static Tri tri_of(gboolean b)
{
    return b ? TRI_TRUE : TRI_FALSE;
}

static gboolean is_amount(const AstNode *n)
{
    return n->kind == N_IDENT && strcmp(n->name, "amount") == 0;
}

/* The value of constant expression n (a number or a constant's name, as
 * the compiler folds it). */
static gboolean amount_const(const Known *k, AstNode *n, double *v)
{
    Cc c = {.cx = k->cx};
    return const_value(&c, n, v);
}

/* `amount op c` under k's bound on the amount: decided where the bound
 * lies beyond c (below: amount < bound <= c; above: amount > bound >= c). */
static Tri amount_cmp(const Known *k, TokKind op, double c)
{
    gboolean below = k->amount_known < 0;
    if (!k->amount_known || (below ? k->amount_bound > c : k->amount_bound < c))
        return TRI_UNKNOWN;
    switch (op) {
    case TOK_EQ:
        return TRI_FALSE;
    case TOK_NE:
        return TRI_TRUE;
    case TOK_LT:
    case TOK_LE:
        return tri_of(below);
    case TOK_GT:
    case TOK_GE:
        return tri_of(!below);
    default:
        return TRI_UNKNOWN;
    }
}

/* `amount in [lo, hi]` (any brackets, `not in` too) under k's bound. */
static Tri amount_range(const Known *k, const AstNode *n)
{
    double lo, hi;
    if (!k->amount_known || !amount_const(k, n->lo, &lo) || !amount_const(k, n->hi, &hi))
        return TRI_UNKNOWN;
    gboolean outside = k->amount_known < 0 ? k->amount_bound <= lo : k->amount_bound >= hi;
    return outside ? tri_of(n->negate) : TRI_UNKNOWN;
}

/* A test (not and, or, not: specialize() combines those) under k. */
static Tri eval_leaf(const Known *k, const AstNode *n)
{
    double v, c;
    ValueType ty;
    int index;
    switch (n->kind) {
    case N_IN_RANGE:
        return is_amount(n->a) ? amount_range(k, n) : TRI_UNKNOWN;
    case N_BIN:
        if (is_amount(n->a) && amount_const(k, n->b, &c))
            return amount_cmp(k, n->op, c);
        if (!known_field(k, n->a, &v, &ty) || !enum_const(k, n->b, ty, &c))
            return TRI_UNKNOWN;
        switch (n->op) {
        case TOK_EQ:
            return tri_of(v == c);
        case TOK_NE:
            return tri_of(v != c);
        default:
            return TRI_UNKNOWN;
        }
    case N_IN_LIST: {
        RuleList *l = list_by_name(k->cx->rs, n->name, &index);
        if (!l || !known_field(k, n->a, &v, &ty) || l->kind != ty)
            return TRI_UNKNOWN;
        return tri_of(rule_list_contains(l, v) != n->negate);
    }
    case N_IN_SET: {
        if (!known_field(k, n->a, &v, &ty))
            return TRI_UNKNOWN;
        gboolean found = FALSE;
        for (guint i = 0; i < n->items->len; i++) {
            const AstNode *item = g_ptr_array_index(n->items, i);
            if (!rule_enum_value(ty, item->name, &c))
                return TRI_UNKNOWN;
            found |= c == v;
        }
        return tri_of(found != n->negate);
    }
    default:
        return TRI_UNKNOWN;
    }
}

/* ---- specialising a filter to what is known ---- */

/* The value of a subtree that specialize() found decided. */
static AstNode decided_true, decided_false;

static AstNode *logic_node(RuleCtx *cx, NodeKind kind, AstNode *a, AstNode *b, const AstNode *like)
{
    AstNode *n = g_new0(AstNode, 1);
    g_ptr_array_add(cx->nodes, n);
    *n = (AstNode){.kind = kind,
                   .line = like->line,
                   .col = like->col,
                   .pos = like->pos,
                   .end = like->end,
                   .a = a,
                   .b = b};
    return n;
}

/* n with the parts that k decides replaced by their value (&decided_true,
 * &decided_false) and, where top, the "and" parts on the account's fixed
 * attributes taken as true (the account prefilter tests them first). */
static AstNode *specialize(const Known *k, AstNode *n, gboolean top)
{
    AstNode *a, *b;
    if (top && rule_is_account_static(n))
        return &decided_true;
    switch (n->kind) {
    case N_AND:
    case N_OR: {
        /* false decides an "and", true an "or"; the other value drops out */
        gboolean is_and = n->kind == N_AND;
        AstNode *decides = is_and ? &decided_false : &decided_true;
        AstNode *drops = is_and ? &decided_true : &decided_false;
        a = specialize(k, n->a, top && is_and);
        b = specialize(k, n->b, top && is_and);
        if (a == decides || b == decides)
            return decides;
        if (a == drops || b == drops)
            return a == drops ? b : a;
        return k->decide_only || (a == n->a && b == n->b) ? n : logic_node(k->cx, n->kind, a, b, n);
    }
    case N_NOT:
        a = specialize(k, n->a, FALSE);
        if (a == &decided_true || a == &decided_false)
            return a == &decided_true ? &decided_false : &decided_true;
        return k->decide_only || a == n->a ? n : logic_node(k->cx, N_NOT, a, NULL, n);
    default:
        switch (eval_leaf(k, n)) {
        case TRI_TRUE:
            return &decided_true;
        case TRI_FALSE:
            return &decided_false;
        default:
            return n;
        }
    }
}

/* The channels (bits) for which n can be true (maybe) and is surely true,
 * by side and by a missing mcc; where top, "and" parts on the account's
 * fixed attributes count as true (specialize). */
static void known_masks(RuleCtx *cx, AstNode *n, gboolean top, guint32 maybe[SIDE_COUNT][2],
                        guint32 surely[SIDE_COUNT][2])
{
    for (int side = 0; side < SIDE_COUNT; side++) {
        for (int absent = 0; absent < 2; absent++) {
            Known k = {.cx = cx,
                       .direction = side_direction[side],
                       .mcc_absent = absent,
                       .decide_only = TRUE};
            maybe[side][absent] = surely[side][absent] = 0;
            for (int ch = 0; ch < 32; ch++) {
                k.channel = ch;
                const AstNode *v = specialize(&k, n, top);
                if (v != &decided_false)
                    maybe[side][absent] |= 1u << ch;
                if (v == &decided_true)
                    surely[side][absent] |= 1u << ch;
            }
        }
    }
}

void rule_pass_masks(RuleCtx *cx, AstNode *n, guint32 maybe[SIDE_COUNT][2],
                     guint32 surely[SIDE_COUNT][2])
{
    guint32 ignored[SIDE_COUNT][2];
    known_masks(cx, n, FALSE, maybe, ignored);
    known_masks(cx, n, TRUE, ignored, surely); /* the account prefilter has passed */
}

/* ---- the mcc prefilter ----
 *
 * eval_leaf() decides a test of the mcc only where it compares it with
 * constants (==, !=, in a list, in a set); so the codes that no such test
 * names all give the same result, and the filter need be specialised only
 * for each named code and one unnamed one. */

static void add_code(GArray *codes, double v)
{
    if (v >= 0 && v < RULE_MCC_CODES) {
        guint c = (guint)v;
        g_array_append_val(codes, c);
    }
}

/* Calls leaf(k, m, out) for each test m of n under its and, or, not (the
 * leaves eval_leaf() reads). */
static void each_leaf(const Known *k, AstNode *n, void (*leaf)(const Known *, AstNode *, GArray *),
                      GArray *out)
{
    if (n == &decided_true || n == &decided_false)
        return;
    if (n->kind == N_AND || n->kind == N_OR || n->kind == N_NOT) {
        each_leaf(k, n->a, leaf, out);
        if (n->b)
            each_leaf(k, n->b, leaf, out);
        return;
    }
    leaf(k, n, out);
}

/* The codes a test of the mcc names (each_leaf). */
static void mcc_codes(const Known *k, AstNode *n, GArray *codes)
{
    double c;
    int index;
    if (!n->a || n->a->kind != N_IDENT || strcmp(n->a->name, "mcc") != 0)
        return;
    if (n->kind == N_BIN && enum_const(k, n->b, TY_MCC, &c)) {
        add_code(codes, c);
    } else if (n->kind == N_IN_LIST) {
        const RuleList *l = list_by_name(k->cx->rs, n->name, &index);
        for (guint i = 0; l && l->kind == TY_MCC && i < l->values->len; i++)
            add_code(codes, g_array_index(l->values, double, i));
    } else if (n->kind == N_IN_SET) {
        for (guint i = 0; i < n->items->len; i++) {
            const AstNode *item = g_ptr_array_index(n->items, i);
            if (rule_enum_value(TY_MCC, item->name, &c))
                add_code(codes, c);
        }
    }
}

static gint cmp_code(gconstpointer a, gconstpointer b)
{
    guint x = *(const guint *)a, y = *(const guint *)b;
    return (x > y) - (x < y);
}

/* Sets code m in s to what n gives with the mcc known to be m. */
static void mcc_decide(Known *k, AstNode *n, guint m, RuleMccSet *s)
{
    k->mcc = m;
    const AstNode *v = specialize(k, n, TRUE);
    guint64 bit = (guint64)1 << (m % 64);
    s->maybe[m / 64] = v != &decided_false ? s->maybe[m / 64] | bit : s->maybe[m / 64] & ~bit;
    s->surely[m / 64] = v == &decided_true ? s->surely[m / 64] | bit : s->surely[m / 64] & ~bit;
}

/* The mcc prefilter of the shape whose filter (fixed attributes passed) is
 * n under k, or NULL where the mcc decides nothing; kept once per rule. */
static const RuleMccSet *mcc_set(Known k, AstNode *n, Rule *r)
{
    if (n == &decided_true || n == &decided_false)
        return NULL;
    g_autoptr(GArray) codes = g_array_new(FALSE, FALSE, sizeof(guint));
    each_leaf(&k, n, mcc_codes, codes);
    if (!codes->len)
        return NULL;
    g_array_sort(codes, cmp_code);
    guint other = 0; /* the first code not named */
    for (guint i = 0; i < codes->len && g_array_index(codes, guint, i) <= other; i++)
        other = MAX(other, g_array_index(codes, guint, i) + 1);
    k.mcc_known = TRUE;
    k.decide_only = TRUE;
    RuleMccSet *s = g_new0(RuleMccSet, 1);
    if (other < RULE_MCC_CODES) {
        mcc_decide(&k, n, other, s);
        guint64 maybe = rule_mcc_has(s->maybe, other) ? G_MAXUINT64 : 0;
        guint64 surely = rule_mcc_has(s->surely, other) ? G_MAXUINT64 : 0;
        for (guint w = 0; w < G_N_ELEMENTS(s->maybe); w++)
            s->maybe[w] = maybe, s->surely[w] = surely;
    }
    for (guint i = 0; i < codes->len; i++)
        mcc_decide(&k, n, g_array_index(codes, guint, i), s);
    gboolean decides = FALSE;
    for (guint m = 0; m < RULE_MCC_CODES && !decides; m++)
        decides = !rule_mcc_has(s->maybe, m) || rule_mcc_has(s->surely, m);
    for (guint i = 0; decides && r->mcc_sets && i < r->mcc_sets->len; i++) {
        const RuleMccSet *old = g_ptr_array_index(r->mcc_sets, i);
        if (memcmp(old, s, sizeof *s) == 0) {
            g_free(s);
            return old;
        }
    }
    if (!decides) {
        g_free(s);
        return NULL;
    }
    if (!r->mcc_sets)
        r->mcc_sets = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(r->mcc_sets, s);
    return s;
}

/* Compiles n, a specialisation of filter, into out. */
static void compile_specialised(RuleCtx *cx, AstNode *filter, AstNode *n, RuleProgram *out)
{
    rule_program_clear(out);
    if (n == &decided_true)
        return; /* an empty program is true */
    /* never run when decided false (the shape's channel mask is empty) */
    rule_compile_expr(cx, n == &decided_false ? filter : n, CTX_FILTER, out);
}

/* ---- the amount prefilter ----
 *
 * eval_leaf() decides a comparison of the amount with a constant when the
 * amount is known to lie below or above a bound beyond that constant. So
 * the amounts for which a shape's filter surely fails, below its least
 * passing amount and above its greatest, are found by trying the constants
 * the filter compares the amount with as bounds. */

/* The constants a test compares the amount with (each_leaf). */
static void amount_consts(const Known *k, AstNode *n, GArray *out)
{
    double c;
    if (n->kind == N_BIN && is_amount(n->a) && amount_const(k, n->b, &c))
        g_array_append_val(out, c);
    if (n->kind == N_IN_RANGE && is_amount(n->a)) {
        if (amount_const(k, n->lo, &c))
            g_array_append_val(out, c);
        if (amount_const(k, n->hi, &c))
            g_array_append_val(out, c);
    }
}

/* The amounts n (a shape's filter under k) can pass: below range->lo and
 * above range->hi it surely fails (-inf and +inf where it may pass). */
static void amount_range_of(Known k, AstNode *n, RuleAmountRange *range)
{
    range->lo = -INFINITY;
    range->hi = INFINITY;
    g_autoptr(GArray) consts = g_array_new(FALSE, FALSE, sizeof(double));
    each_leaf(&k, n, amount_consts, consts);
    k.decide_only = TRUE;
    for (guint i = 0; i < consts->len; i++) {
        double c = g_array_index(consts, double, i);
        k.amount_known = -1, k.amount_bound = c;
        if (c > range->lo && specialize(&k, n, TRUE) == &decided_false)
            range->lo = c;
        k.amount_known = +1;
        if (c < range->hi && specialize(&k, n, TRUE) == &decided_false)
            range->hi = c;
    }
}

void rule_side_filters(RuleCtx *cx, AstNode *filter, Rule *r)
{
    if (r->mcc_sets)
        g_clear_pointer(&r->mcc_sets, g_ptr_array_unref);
    memset(r->shape_mcc, 0, sizeof r->shape_mcc);
    for (int side = 0; side < SIDE_COUNT; side++) {
        Known k = {.cx = cx, .direction = side_direction[side], .channel_unknown = TRUE};
        AstNode *n = specialize(&k, filter, TRUE);
        compile_specialised(cx, filter, n, &r->side_filter[side]);
        for (int absent = 0; absent < 2; absent++) {
            for (int ch = 0; ch < 32; ch++) {
                RuleProgram **p = &r->shape_filter[side][absent][ch];
                if (*p) {
                    rule_program_clear(*p);
                    g_clear_pointer(p, g_free);
                }
                r->shape_amount[side][absent][ch] = (RuleAmountRange){-INFINITY, INFINITY};
                if (n == &decided_true || n == &decided_false ||
                    !(r->pass_mask[side][absent] >> ch & 1) ||
                    (r->pass_surely[side][absent] >> ch & 1))
                    continue; /* never run, or nothing left to run */
                Known ks = {.cx = cx,
                            .direction = side_direction[side],
                            .channel = ch,
                            .mcc_absent = absent};
                AstNode *m = specialize(&ks, n, TRUE);
                if (!absent)
                    r->shape_mcc[side][ch] = mcc_set(ks, m, r);
                amount_range_of(ks, m, &r->shape_amount[side][absent][ch]);
                if (m == n)
                    continue; /* the side's program it is */
                *p = g_new0(RuleProgram, 1);
                compile_specialised(cx, filter, m, *p);
            }
        }
    }
}

/* ---- the account prefilter ---- */

/* Fields that hold still for an account for the whole run: its side-table
 * attributes, not the ones that move with time (age, opened_days, open_now). */
static gboolean is_static_field(FieldId f)
{
    switch (f) {
    case FIELD_ACC_KNOWN:
    case FIELD_ACC_KIND:
    case FIELD_ACC_INCOME:
    case FIELD_ACC_MCC:
    case FIELD_ACC_COUNTRY:
    case FIELD_ACC_REGION:
    case FIELD_ACC_CITY:
    case FIELD_ACC_OCCUPATION:
    case FIELD_ACC_EMPLOYEES:
    case FIELD_ACC_SHARED_PHONE:
    case FIELD_ACC_SHARED_EMAIL:
    case FIELD_ACC_SHARED_ADDRESS:
        return TRUE;
    default:
        return FALSE;
    }
}

gboolean rule_is_account_static(const AstNode *n)
{
    if (!n)
        return TRUE;
    switch (n->kind) {
    case N_CALL:
        return FALSE;
    case N_IDENT: {
        int f = field_lookup(n->name);
        return f < 0 || is_static_field((FieldId)f);
    }
    default:
        /* the items of a {set} are names of values, not fields */
        return rule_is_account_static(n->a) && rule_is_account_static(n->b) &&
               rule_is_account_static(n->lo) && rule_is_account_static(n->hi);
    }
}

/* ---- the account-kind prefilter ---- */

guint32 rule_kind_mask(AstNode *n)
{
    double v;
    switch (n->kind) {
    case N_AND:
        return rule_kind_mask(n->a) & rule_kind_mask(n->b);
    case N_OR:
        return rule_kind_mask(n->a) | rule_kind_mask(n->b);
    case N_BIN:
        if ((n->op == TOK_EQ || n->op == TOK_NE) && n->a->kind == N_IDENT &&
            strcmp(n->a->name, "account.kind") == 0 && n->b->kind == N_IDENT &&
            rule_enum_value(TY_KIND, n->b->name, &v)) {
            guint32 bit = 1u << (guint)v;
            return n->op == TOK_EQ ? bit : ~bit;
        }
        return G_MAXUINT32;
    default:
        return G_MAXUINT32;
    }
}
