/* case.c: what both implementations of the investigator's query layer
 * share: the records (transactions, alerts, triage, KYC), the alert
 * filter, time parsing, the neighbourhood walk built on txns_of, and the
 * conversion of transactions into the reporting currency as the stores
 * read them (docs/currencies.md). */
#include "case/case.h"

#include <stdio.h>
#include <string.h>

#include "base/money.h"
#include "base/tstamp.h"

G_DEFINE_QUARK(moneytrail - case -error - quark, case_error)

void case_tx_free(CaseTx *t)
{
    if (!t)
        return;
    g_free(t->tx_id);
    g_free(t->from);
    g_free(t->to);
    g_free(t->location);
    g_free(t->memo);
    g_free(t);
}

CaseTx *case_tx_from_txn(const Txn *t, const char *from, const char *to, const char *location)
{
    CaseTx *c = g_new0(CaseTx, 1);
    c->tx_id = g_strndup(t->tx_id.ptr, t->tx_id.len);
    c->ts = t->core.ts;
    c->utc_offset = t->core.utc_offset;
    c->from = g_strdup(from);
    c->to = g_strdup(to);
    c->amount = t->core.amount;
    txn_unpack_code(t->core.currency, c->currency);
    c->exp = t->core.currency_exp;
    c->channel = (Channel)t->core.channel;
    c->mcc = t->core.mcc;
    char cc[4];
    txn_unpack_code(t->core.country, cc);
    g_strlcpy(c->country, cc, sizeof c->country);
    c->location = g_strdup(location);
    c->memo = g_strndup(t->memo.ptr, t->memo.len);
    if (t->core.currency_orig && t->core.currency_orig != t->core.currency) {
        c->amount_orig = t->core.amount_orig;
        txn_unpack_code(t->core.currency_orig, c->currency_orig);
        c->exp_orig = t->core.exp_orig;
    }
    return c;
}

Fx *case_fx_new(const CaseOpenOptions *o, GError **error)
{
    g_autoptr(GError) e = NULL;
    Fx *fx = fx_new_checked(o->currency, o->fx_max_age, &e);
    if (!fx)
        g_set_error(error, CASE_ERROR, CASE_ERROR_USAGE, "%s", e->message);
    return fx;
}

gboolean case_tx_convert(CaseTx *t, const Fx *fx)
{
    guint32 cur = txn_pack_code3(t->currency, strlen(t->currency));
    if (!fx || *t->currency_orig || cur == fx_reporting(fx))
        return TRUE;
    gint64 out;
    if (!cur || fx_convert(fx, t->amount, cur, t->exp, t->ts, &out) != FX_OK)
        return FALSE;
    t->amount_orig = t->amount;
    memcpy(t->currency_orig, t->currency, sizeof t->currency_orig);
    t->exp_orig = t->exp;
    t->amount = out;
    txn_unpack_code(fx_reporting(fx), t->currency);
    t->exp = fx_reporting_exp(fx);
    return TRUE;
}

void case_triage_free(CaseTriage *t)
{
    if (!t)
        return;
    g_free(t->status);
    g_free(t->note);
    g_free(t->assignee);
    g_free(t->by);
    g_free(t->at);
    g_free(t);
}

CaseTriage *case_triage_copy(const CaseTriage *t)
{
    CaseTriage *u = g_new0(CaseTriage, 1);
    u->status = g_strdup(t->status);
    u->note = g_strdup(t->note);
    u->assignee = g_strdup(t->assignee);
    u->by = g_strdup(t->by);
    u->at = g_strdup(t->at);
    u->mute = t->mute;
    return u;
}

CaseTriage *case_triage_from_json(const JVal *j)
{
    const char *status = jval_get_str(j, "status"), *note = jval_get_str(j, "note");
    const char *assignee = jval_get_str(j, "assignee");
    if (!status && !assignee && !(note && *note))
        return NULL;
    CaseTriage *t = g_new0(CaseTriage, 1);
    t->status = g_strdup(status);
    t->note = g_strdup(note ? note : "");
    t->assignee = g_strdup(assignee);
    t->by = g_strdup(jval_get_str(j, "by"));
    t->at = g_strdup(jval_get_str(j, "at"));
    t->mute = (gint64)jval_get_num(j, "mute_days", 0) * 86400;
    return t;
}

void case_triage_write_json(const CaseTriage *t, GString *out)
{
    const char *keys[] = {"status", "note", "assignee", "by", "at"};
    const char *vals[] = {t->status, t->note ? t->note : "", t->assignee, t->by, t->at};
    g_string_append_c(out, '{');
    gboolean first = TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (!vals[i])
            continue;
        g_string_append_printf(out, "%s\"%s\":", first ? "" : ",", keys[i]);
        jval_write_string(out, vals[i]);
        first = FALSE;
    }
    if (t->mute)
        g_string_append_printf(out, ",\"mute_days\":%" G_GINT64_FORMAT, t->mute / 86400);
    g_string_append_c(out, '}');
}

void case_alert_free(CaseAlert *a)
{
    if (!a)
        return;
    char **strs[] = {&a->id,         &a->rule,        &a->title,    &a->family,      &a->strength,
                     &a->account,    &a->perspective, &a->currency, &a->explanation, &a->source,
                     &a->trigger_tx, &a->role,        &a->typology};
    for (gsize i = 0; i < G_N_ELEMENTS(strs); i++)
        g_free(*strs[i]);
    if (a->evidence)
        g_ptr_array_unref(a->evidence);
    if (a->triage)
        g_ptr_array_unref(a->triage);
    jval_free(a->json);
    g_free(a);
}

CaseAlert *case_alert_copy(const CaseAlert *a)
{
    CaseAlert *c = g_new0(CaseAlert, 1);
    *c = *a;
    char **strs[] = {&c->id,         &c->rule,        &c->title,    &c->family,      &c->strength,
                     &c->account,    &c->perspective, &c->currency, &c->explanation, &c->source,
                     &c->trigger_tx, &c->role,        &c->typology};
    for (gsize i = 0; i < G_N_ELEMENTS(strs); i++)
        *strs[i] = g_strdup(*strs[i]);
    c->evidence = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < a->evidence->len; i++)
        g_ptr_array_add(c->evidence, g_strdup(g_ptr_array_index(a->evidence, i)));
    c->triage = g_ptr_array_new_with_free_func((GDestroyNotify)case_triage_free);
    for (guint i = 0; i < a->triage->len; i++)
        g_ptr_array_add(c->triage, case_triage_copy(g_ptr_array_index(a->triage, i)));
    c->json = a->json ? jval_copy(a->json) : NULL;
    return c;
}

/* The latest triage entry that sets a status (want_status) or an
 * assignee, or NULL. */
static const CaseTriage *latest(const CaseAlert *a, gboolean want_status)
{
    for (guint i = a->triage ? a->triage->len : 0; i-- > 0;) {
        const CaseTriage *t = g_ptr_array_index(a->triage, i);
        if (want_status ? t->status != NULL : t->assignee != NULL)
            return t;
    }
    return NULL;
}

const char *case_alert_status(const CaseAlert *a)
{
    const CaseTriage *t = latest(a, TRUE);
    return t ? t->status : CASE_STATUS_NEW;
}

const char *case_alert_assignee(const CaseAlert *a)
{
    const CaseTriage *t = latest(a, FALSE);
    return t ? t->assignee : NULL;
}

gint64 case_alert_mute_end(const CaseAlert *a)
{
    const CaseTriage *t = latest(a, TRUE);
    if (!t || !t->mute || strcmp(t->status, "dismissed") != 0)
        return G_MININT64;
    return a->window_end + t->mute;
}

gboolean case_status_in(const char *list, const char *status)
{
    gsize n = strlen(status);
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        gsize len = end ? (gsize)(end - p) : strlen(p);
        if (len == n && strncmp(p, status, n) == 0)
            return TRUE;
        p = end ? end + 1 : NULL;
    }
    return FALSE;
}

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

static gint64 json_time(const JVal *j, const char *key)
{
    const char *s = jval_get_str(j, key);
    gint64 t = 0;
    if (!s || !case_parse_time(s, FALSE, &t))
        return 0;
    return t;
}

CaseAlert *case_alert_from_json(JVal *json, GError **error)
{
    const char *id = jval_get_str(json, "alert_id");
    const char *rule = jval_get_str(json, "rule");
    const char *account = jval_get_str(json, "account");
    if (!id || !rule || !account) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_DATA,
                    "alert lacks a key: '%s': alert_id, rule and account are required",
                    !id     ? "alert_id"
                    : !rule ? "rule"
                            : "account");
        jval_free(json);
        return NULL;
    }
    CaseAlert *a = g_new0(CaseAlert, 1);
    a->id = g_strdup(id);
    a->rule = g_strdup(rule);
    a->account = g_strdup(account);
    a->title = g_strdup(str_or_empty(jval_get_str(json, "title")));
    a->family = g_strdup(str_or_empty(jval_get_str(json, "family")));
    a->strength = g_strdup(str_or_empty(jval_get_str(json, "strength")));
    a->perspective = g_strdup(str_or_empty(jval_get_str(json, "perspective")));
    a->currency = g_strdup(str_or_empty(jval_get_str(json, "currency")));
    a->explanation = g_strdup(str_or_empty(jval_get_str(json, "explanation")));
    a->source = g_strdup(str_or_empty(jval_get_str(json, "source")));
    a->trigger_tx = g_strdup(str_or_empty(jval_get_str(json, "trigger_tx")));
    a->role = g_strdup(jval_get_str(json, "role"));
    a->typology = g_strdup(jval_get_str(json, "typology"));
    a->rule_version = (int)jval_get_num(json, "rule_version", 0);
    a->score = jval_get_num(json, "score", 0);
    a->window_start = json_time(json, "window_start");
    a->window_end = json_time(json, "window_end");
    a->evidence = g_ptr_array_new_with_free_func(g_free);
    const JVal *ev = jval_get(json, "evidence");
    for (guint i = 0; i < jval_len(ev); i++)
        g_ptr_array_add(a->evidence, g_strdup(jval_text(jval_at(ev, i))));
    a->evidence_total = (guint)jval_get_num(json, "evidence_total", a->evidence->len);
    a->triage = g_ptr_array_new_with_free_func((GDestroyNotify)case_triage_free);
    a->json = json;
    return a;
}

void case_account_free(CaseAccount *a)
{
    if (!a)
        return;
    g_ptr_array_unref(a->keys);
    g_ptr_array_unref(a->values);
    g_free(a);
}

const char *const case_link_keys[] = {"customer_id", "phone", "email", "address", NULL};
const char *const case_link_words[] = {"customer", "phone", "e-mail", "address", NULL};

void case_join_free(CaseJoin *j)
{
    if (!j)
        return;
    g_free(j->a);
    g_free(j->b);
    g_free(j);
}

CaseJoin *case_join_new(const char *x, const char *y, const char *via)
{
    CaseJoin *j = g_new0(CaseJoin, 1);
    gboolean swap = strcmp(x, y) > 0;
    j->a = g_strdup(swap ? y : x);
    j->b = g_strdup(swap ? x : y);
    j->via = via;
    return j;
}

const char *case_account_get(const CaseAccount *a, const char *key)
{
    for (guint i = 0; a && i < a->keys->len; i++) {
        if (strcmp(g_ptr_array_index(a->keys, i), key) == 0)
            return g_ptr_array_index(a->values, i);
    }
    return "";
}

void case_filter_init(CaseFilter *f)
{
    memset(f, 0, sizeof *f);
    f->since = G_MININT64;
    f->min_score = -1;
}

static gboolean typology_match(const char *want, const CaseAlert *a)
{
    if (a->typology && g_ascii_strcasecmp(a->typology, want) == 0)
        return TRUE;
    if (g_ascii_strcasecmp(a->family, want) == 0)
        return TRUE;
    gsize n = strlen(want);
    return g_ascii_strncasecmp(a->rule, want, n) == 0 && (a->rule[n] == '-' || !a->rule[n]);
}

gboolean case_filter_match(const CaseFilter *f, const CaseAlert *a)
{
    if (f->rule && !g_pattern_match_simple(f->rule, a->rule))
        return FALSE;
    if (f->typology && !typology_match(f->typology, a))
        return FALSE;
    if (a->window_end < f->since || a->score < f->min_score)
        return FALSE;
    if (f->status && !case_status_in(f->status, case_alert_status(a)))
        return FALSE;
    return !f->account || strcmp(f->account, a->account) == 0;
}

/* The rates of --fx FILE; NULL with error. */
static Fx *fx_from_file(const CaseOpenOptions *o, GError **error)
{
    g_autoptr(Fx) fx = case_fx_new(o, error);
    if (!fx || !fx_load_file(fx, o->fx, error) || !fx_finish(fx, error))
        return NULL;
    return g_steal_pointer(&fx);
}

CaseStore *case_store_open(const CaseOpenOptions *o, GError **error)
{
    if (o->currency && !o->fx && !o->db) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_USAGE,
                    "--currency needs --fx FILE (the rates to convert with)");
        return NULL;
    }
    g_autoptr(Fx) fx = o->fx ? fx_from_file(o, error) : NULL;
    if (o->fx && !fx)
        return NULL;
    CaseStore *s = o->db ? case_pg_open(o, error) : case_file_open(o, error);
    if (s && fx) {
        fx_free(s->fx);
        s->fx = g_steal_pointer(&fx);
    }
    return s;
}

void case_store_free(CaseStore *s)
{
    if (!s)
        return;
    Fx *fx = s->fx;
    s->ops->free(s);
    fx_free(fx);
}

static gint cmp_tx(gconstpointer pa, gconstpointer pb)
{
    const CaseTx *a = *(CaseTx *const *)pa, *b = *(CaseTx *const *)pb;
    if (a->ts != b->ts)
        return a->ts < b->ts ? -1 : 1;
    return strcmp(a->tx_id, b->tx_id);
}

void case_txns_sort(GPtrArray *txns)
{
    g_ptr_array_sort(txns, cmp_tx);
}

/* Adds the transactions of one account to out (once each, by tx id) and
 * its counterparties to next. */
static gboolean expand(CaseStore *s, const char *acc, gint64 from, gint64 to, GHashTable *seen_tx,
                       GPtrArray *out, GHashTable *next, GError **error)
{
    GPtrArray *txns = s->ops->txns_of(s, acc, from, to, error);
    if (!txns)
        return FALSE;
    for (guint i = 0; i < txns->len; i++) {
        CaseTx *t = g_ptr_array_index(txns, i);
        if (g_hash_table_contains(seen_tx, t->tx_id))
            continue;
        g_hash_table_add(seen_tx, g_strdup(t->tx_id));
        const char *other = strcmp(t->from, acc) == 0 ? t->to : t->from;
        if (*other)
            g_hash_table_add(next, g_strdup(other));
        g_ptr_array_add(out, g_ptr_array_steal_index_fast(txns, i--));
    }
    g_ptr_array_unref(txns);
    return TRUE;
}

GPtrArray *case_neighbourhood(CaseStore *s, const char *account, guint hops, gint64 from, gint64 to,
                              guint max_accounts, GHashTable *skip, GError **error)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    g_autoptr(GHashTable) seen_tx = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) level = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(level, g_strdup(account));
    for (guint h = 0; h < hops && level->len; h++) {
        g_autoptr(GHashTable) next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        for (guint i = 0; i < level->len; i++) {
            const char *acc = g_ptr_array_index(level, i);
            if (g_hash_table_contains(done, acc) || g_hash_table_size(done) >= max_accounts ||
                (h > 0 && skip && g_hash_table_contains(skip, acc)))
                continue;
            g_hash_table_add(done, g_strdup(acc));
            if (!expand(s, acc, from, to, seen_tx, out, next, error)) {
                g_ptr_array_unref(out);
                return NULL;
            }
        }
        g_ptr_array_set_size(level, 0);
        GList *keys = g_list_sort(g_hash_table_get_keys(next), (GCompareFunc)strcmp);
        for (GList *k = keys; k; k = k->next)
            g_ptr_array_add(level, g_strdup(k->data));
        g_list_free(keys);
    }
    case_txns_sort(out);
    return out;
}

gboolean case_parse_time(const char *s, gboolean end_of_day, gint64 *out)
{
    int y, m, d, off;
    gboolean has_off;
    char tail;
    if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
        gint64 utc;
        char buf[32];
        g_snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
        if (!tstamp_parse_iso(buf, strlen(buf), 0, &utc, &off, &has_off))
            return FALSE;
        *out = end_of_day ? utc + 86399 : utc;
        return TRUE;
    }
    return tstamp_parse_iso(s, strlen(s), 0, out, &off, &has_off);
}

gboolean case_parse_duration(const char *s, gint64 *out)
{
    static const struct {
        char unit;
        gint64 secs;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
    char *end = NULL;
    guint64 n = g_ascii_strtoull(s, &end, 10);
    if (end == s || !end[0] || end[1] || n == 0 || n > 100000 * 365ULL)
        return FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(units); i++) {
        if (units[i].unit == *end) {
            *out = (gint64)n * units[i].secs;
            return TRUE;
        }
    }
    return FALSE;
}

gboolean case_parse_when(const char *s, gboolean end_of_day, gint64 now, gint64 *out)
{
    gint64 day = now - now % 86400, back;
    if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
        day -= *s == 'y' ? 86400 : 0;
        *out = end_of_day ? day + 86399 : day;
        return TRUE;
    }
    if (g_ascii_isdigit(*s) && case_parse_duration(s, &back)) {
        *out = now - back;
        return TRUE;
    }
    return case_parse_time(s, end_of_day, out);
}

const char *case_tx_amount(const CaseTx *t, char *buf)
{
    return money_format(t->amount, t->exp, buf);
}

const char *case_tx_amount_both(const CaseTx *t, char *buf)
{
    char a[32], b[32];
    if (*t->currency_orig)
        g_snprintf(buf, 80, "%s %s (%s %s)", money_format(t->amount_orig, t->exp_orig, a),
                   t->currency_orig, money_format(t->amount, t->exp, b), t->currency);
    else
        g_snprintf(buf, 80, "%s%s%s", money_format(t->amount, t->exp, a), *t->currency ? " " : "",
                   t->currency);
    return buf;
}

static gint cmp_code(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds code (borrowed) to the sorted list of codes, once. */
static void add_code(GPtrArray *codes, const char *code)
{
    for (guint i = 0; i < codes->len; i++)
        if (strcmp(g_ptr_array_index(codes, i), code) == 0)
            return;
    g_ptr_array_add(codes, (gpointer)code);
    g_ptr_array_sort(codes, cmp_code);
}

static char *join_codes(GPtrArray *codes)
{
    g_ptr_array_add(codes, NULL);
    char *s = g_strjoinv(", ", (char **)codes->pdata);
    g_ptr_array_set_size(codes, codes->len - 1);
    return s;
}

char *case_fx_note(const CaseStore *s, GPtrArray *txns)
{
    if (!s->fx)
        return NULL;
    char rep[4];
    txn_unpack_code(fx_reporting(s->fx), rep);
    g_autoptr(GPtrArray) conv = g_ptr_array_new(), kept = g_ptr_array_new();
    guint n_conv = 0, n_kept = 0;
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        if (*t->currency_orig) {
            n_conv++;
            add_code(conv, t->currency_orig);
        } else if (strcmp(t->currency, rep) != 0) {
            n_kept++;
            add_code(kept, *t->currency ? t->currency : "none");
        }
    }
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "amounts in %s: %u of %u transactions converted", rep, n_conv,
                           txns->len);
    if (n_conv) {
        g_autofree char *c = join_codes(conv);
        g_string_append_printf(out, " from %s", c);
    }
    if (n_kept) {
        g_autofree char *k = join_codes(kept);
        g_string_append_printf(out, "; %u with no rate for %s date shown in %s own currency (%s)",
                               n_kept, n_kept == 1 ? "its" : "their", n_kept == 1 ? "its" : "their",
                               k);
    }
    return g_string_free(out, FALSE);
}

char *case_plain_amount(gint64 minor, int exp)
{
    char buf[32];
    money_format(minor, exp, buf);
    GString *s = g_string_new(NULL);
    for (const char *p = buf; *p; p++)
        if (*p != ',')
            g_string_append_c(s, *p);
    return g_string_free(s, FALSE);
}

char *case_display_name(CaseStore *s, const char *account)
{
    g_autoptr(GError) err = NULL;
    CaseAccount *a = s->ops->account(s, account, &err);
    const char *name = case_account_get(a, "name");
    char *out = g_strdup(*name ? name : account);
    case_account_free(a);
    return out;
}
