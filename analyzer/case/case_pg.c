/* case_pg.c: the investigator's query layer over the PostgreSQL store
 * (schema/migrations): alerts with their evidence, typology role,
 * triage history and the run that stored them ("run": id, started,
 * finished, source, incremental, rules_digest), the accounts table, the transactions by account and
 * by id. Every value travels as a query parameter; the SQL text is constant. Alerts are assembled
 * as JSON by the server in the same shape as the alert files, so both stores build alerts the same
 * way. Triage is one transaction: a row in alert_triage (by current_user, at now()) and the latest
 * decision on the alert. */
#include <stdlib.h>
#include <string.h>

#include "case/case.h"
#include "case/case_flow.h"
#include "base/db.h"
#include "base/money.h"

typedef struct {
    CaseStore base;
    PGconn *conn;
} PgStore;

#define PG_TIME(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* One alert as the JSON object of the alert files ($1 account, $2 alert id,
 * $3 window_end from, $4 min score, $5 status; NULL = any), and its triage
 * history as a JSON array. */
static const char alerts_sql[] = "SELECT json_build_object('alert_id', a.alert_id, 'rule', a.rule, "
                                 "'rule_version',"
                                 " a.rule_version, 'title', a.title, 'family', a.family, "
                                 "'strength', a.strength, "
                                 "'shadow', CASE WHEN a.shadow THEN true END, 'superseded', CASE "
                                 "WHEN a.superseded_by IS NOT NULL"
                                 " THEN json_build_object('run', a.superseded_by, 'at', " PG_TIME(
                                     "a.superseded_at") ") END, 'score',"
                                                        " a.score, 'account', a.account, "
                                                        "'perspective', a.perspective, "
                                                        "'window_start', " PG_TIME("a.window_start") ", 'window_end', " PG_TIME(
                                                            "a.window_end") ", 'trigger_tx',"
                                                                            " a.trigger_tx, "
                                                                            "'currency', "
                                                                            "a.currency, 'values', "
                                                                            "a.\"values\", "
                                                                            "'evidence',"
                                                                            " COALESCE((SELECT "
                                                                            "json_agg(e.tx_id "
                                                                            "ORDER BY e.ordinal) "
                                                                            "FROM "
                                                                            "alert_evidence e"
                                                                            " WHERE e.alert_id = "
                                                                            "a.alert_id), "
                                                                            "'[]'::json), "
                                                                            "'evidence_total', "
                                                                            "a.evidence_total,"
                                                                            " 'typology', "
                                                                            "h.typology, 'role', "
                                                                            "COALESCE(a.role, "
                                                                            "h.role),"
                                                                            " 'subgraph', "
                                                                            "a.subgraph, "
                                                                            "'indicators', "
                                                                            "a.indicators, "
                                                                            "'explanation', "
                                                                            "a.explanation, "
                                                                            "'source',"
                                                                            " a.source, 'run', "
                                                                            "(SELECT "
                                                                            "json_build_object('id'"
                                                                            ", r.id, "
                                                                            "'started', " PG_TIME("r.started") ", 'finished', " PG_TIME(
                                                                                "r.finished") ", "
                                                                                              "'sou"
                                                                                              "rce'"
                                                                                              ", "
                                                                                              "r."
                                                                                              "sour"
                                                                                              "ce,"
                                                                                              " '"
                                                                                              "incr"
                                                                                              "emen"
                                                                                              "tal'"
                                                                                              ", "
                                                                                              "r."
                                                                                              "incr"
                                                                                              "emen"
                                                                                              "tal,"
                                                                                              " '"
                                                                                              "rule"
                                                                                              "s_"
                                                                                              "dige"
                                                                                              "st',"
                                                                                              " r."
                                                                                              "rule"
                                                                                              "s_"
                                                                                              "dige"
                                                                                              "st) "
                                                                                              "FROM"
                                                                                              " run"
                                                                                              "s r"
                                                                                              " WHE"
                                                                                              "RE "
                                                                                              "r."
                                                                                              "id "
                                                                                              "= "
                                                                                              "a."
                                                                                              "run_"
                                                                                              "id))"
                                                                                              "::"
                                                                                              "text"
                                                                                              ","
                                                                                              " COA"
                                                                                              "LESC"
                                                                                              "E(("
                                                                                              "SELE"
                                                                                              "CT "
                                                                                              "json"
                                                                                              "_agg"
                                                                                              "(jso"
                                                                                              "n_"
                                                                                              "buil"
                                                                                              "d_"
                                                                                              "obje"
                                                                                              "ct('"
                                                                                              "stat"
                                                                                              "us',"
                                                                                              " t."
                                                                                              "stat"
                                                                                              "us, "
                                                                                              "'not"
                                                                                              "e', "
                                                                                              "t."
                                                                                              "note"
                                                                                              ", "
                                                                                              "'ass"
                                                                                              "igne"
                                                                                              "e', "
                                                                                              "t."
                                                                                              "assi"
                                                                                              "gnee"
                                                                                              ", "
                                                                                              "'mut"
                                                                                              "e_"
                                                                                              "days"
                                                                                              "', "
                                                                                              "t."
                                                                                              "mute"
                                                                                              "_day"
                                                                                              "s, "
                                                                                              "'by'"
                                                                                              ","
                                                                                              " t."
                                                                                              "tria"
                                                                                              "ge_"
                                                                                              "by, "
                                                                                              "'at'"
                                                                                              ","
                                                                                              " " PG_TIME(
                                                                                                  "t.triage_at") ") ORDER BY t.triage_at, t.id)"
                                                                                                                 " FROM alert_triage t WHERE t.alert_id = "
                                                                                                                 "a.alert_id), '[]'::json)::text"
                                                                                                                 " FROM alerts a LEFT JOIN LATERAL (SELECT "
                                                                                                                 "typology, role FROM typology_hits x"
                                                                                                                 " WHERE x.alert_id = a.alert_id ORDER BY "
                                                                                                                 "x.score DESC, x.typology LIMIT 1) h ON true"
                                                                                                                 " WHERE ($1::text IS NULL OR a.account = $1) "
                                                                                                                 "AND ($2::text IS NULL OR a.alert_id = $2)"
                                                                                                                 " AND ($2::text IS NOT NULL OR a.superseded_by IS NULL)"
                                                                                                                 " AND ($3::timestamptz IS NULL OR a.window_end "
                                                                                                                 ">= $3)"
                                                                                                                 " AND ($4::numeric IS NULL OR a.score >= $4)"
                                                                                                                 " AND ($5::text IS NULL OR a.triage_status = ANY (string_to_array($5, ',')))"
                                                                                                                 " ORDER BY a.window_end DESC, a.alert_id";

static const char txn_cols[] =
    "SELECT tx_id, extract(epoch FROM ts)::bigint, ts_offset, COALESCE(from_account, ''),"
    " COALESCE(to_account, ''), amount::text, COALESCE(currency, ''), channel,"
    " COALESCE(mcc::text, ''), COALESCE(counterparty_country, ''), COALESCE(location, ''),"
    " COALESCE(memo, '') FROM transactions ";

static void add_triage(CaseAlert *a, const char *json)
{
    g_autoptr(JVal) list = jval_parse(json, strlen(json), NULL);
    for (guint i = 0; i < jval_len(list); i++) {
        CaseTriage *x = case_triage_from_json(jval_at(list, i));
        if (x)
            g_ptr_array_add(a->triage, x);
    }
}

static GPtrArray *query_alerts(PgStore *ps, const char *const params[5], GError **error)
{
    PGresult *res = db_exec(ps->conn, "read alerts from", alerts_sql, 5, params, error);
    if (!res)
        return NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_alert_free);
    for (int r = 0; r < PQntuples(res); r++) {
        const char *js = PQgetvalue(res, r, 0);
        JVal *j = jval_parse(js, strlen(js), error);
        CaseAlert *a = j ? case_alert_from_json(j, error) : NULL;
        if (!a) {
            g_ptr_array_unref(out);
            PQclear(res);
            return NULL;
        }
        add_triage(a, PQgetvalue(res, r, 1));
        g_ptr_array_add(out, a);
    }
    PQclear(res);
    return out;
}

static GPtrArray *pg_alerts(CaseStore *s, const CaseFilter *f, GError **error)
{
    char since[32], score[32];
    const char *params[5] = {f->account, NULL, NULL, NULL, f->status};
    if (f->since != G_MININT64) {
        g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(f->since);
        g_autofree char *iso = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
        g_strlcpy(since, iso ? iso : "0001-01-01T00:00:00Z", sizeof since);
        params[2] = since;
    }
    if (f->min_score >= 0)
        params[3] = g_ascii_dtostr(score, sizeof score, f->min_score);
    GPtrArray *all = query_alerts((PgStore *)s, params, error);
    for (guint i = 0; all && i < all->len; i++) {
        if (!case_filter_match(f, g_ptr_array_index(all, i)))
            g_ptr_array_remove_index(all, i--);
    }
    return all;
}

/* The database answers whole: the alerts passing f, newest first, handed
 * to fn one by one. */
static gboolean pg_each_alert(CaseStore *s, const CaseFilter *f, CaseAlertFn fn, void *user,
                              GError **error)
{
    g_autoptr(GPtrArray) all = pg_alerts(s, f, error);
    if (!all)
        return FALSE;
    for (guint i = 0; i < all->len; i++) {
        CaseAlert *a = g_ptr_array_steal_index(all, i--);
        if (!fn(a, user))
            break;
    }
    return TRUE;
}

static CaseAlert *pg_alert(CaseStore *s, const char *id, GError **error)
{
    const char *params[5] = {NULL, id, NULL, NULL, NULL};
    g_autoptr(GPtrArray) list = query_alerts((PgStore *)s, params, error);
    if (!list)
        return NULL;
    if (!list->len) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_NOT_FOUND,
                    "no alert with id '%s' in the database", id);
        return NULL;
    }
    return g_ptr_array_steal_index(list, 0);
}

/* The accounts table's columns in db_account_columns order, for a query
 * that ends in a FROM clause over "accounts b". */
#define ACCOUNT_COLS                                                                               \
    "SELECT b.account_id, COALESCE(b.customer_id, ''), COALESCE(b.kind, ''),"                      \
    " COALESCE(b.name, ''), COALESCE(b.birth_date::text, ''), COALESCE(b.country, ''),"            \
    " COALESCE(b.region, ''), COALESCE(b.city, ''), COALESCE(b.address, ''),"                      \
    " COALESCE(b.phone, ''), COALESCE(b.email, ''), COALESCE(b.occupation, ''),"                   \
    " COALESCE(b.declared_monthly_income::text, ''), COALESCE(b.business_mcc::text, ''),"          \
    " COALESCE(b.opening_hours, ''), COALESCE(b.employees::text, ''),"                             \
    " COALESCE(b.opened_at::text, '')"

/* The KYC records in the rows of res (ACCOUNT_COLS), in row order. */
static GPtrArray *accounts_from(const PGresult *res)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_account_free);
    for (int r = 0; r < PQntuples(res); r++) {
        CaseAccount *a = g_new0(CaseAccount, 1);
        a->keys = g_ptr_array_new_with_free_func(g_free);
        a->values = g_ptr_array_new_with_free_func(g_free);
        for (int c = 0; c < PQnfields(res) && db_account_columns[c]; c++) {
            g_ptr_array_add(a->keys, g_strdup(db_account_columns[c]));
            g_ptr_array_add(a->values, g_strdup(PQgetvalue(res, r, c)));
        }
        g_ptr_array_add(out, a);
    }
    return out;
}

static CaseAccount *pg_account(CaseStore *s, const char *id, GError **error)
{
    static const char sql[] = ACCOUNT_COLS " FROM accounts b WHERE b.account_id = $1";
    const char *params[] = {id};
    PGresult *res = db_exec(((PgStore *)s)->conn, "read an account from", sql, 1, params, error);
    if (!res || PQntuples(res) == 0) {
        PQclear(res);
        return NULL;
    }
    g_autoptr(GPtrArray) list = accounts_from(res);
    PQclear(res);
    return g_ptr_array_steal_index(list, 0);
}

static GPtrArray *pg_linked(CaseStore *s, const char *account, GError **error)
{
    static const char sql[] =
        ACCOUNT_COLS " FROM accounts a JOIN accounts b ON b.account_id <> a.account_id"
                     " AND ((a.customer_id <> '' AND lower(b.customer_id) = lower(a.customer_id))"
                     " OR (a.phone <> '' AND lower(b.phone) = lower(a.phone))"
                     " OR (a.email <> '' AND lower(b.email) = lower(a.email))"
                     " OR (a.address <> '' AND lower(b.address) = lower(a.address)))"
                     " WHERE a.account_id = $1 ORDER BY b.account_id COLLATE \"C\"";
    const char *params[] = {account};
    PGresult *res =
        db_exec(((PgStore *)s)->conn, "read linked accounts from", sql, 1, params, error);
    if (!res)
        return NULL;
    GPtrArray *out = accounts_from(res);
    PQclear(res);
    return out;
}

static gboolean pg_account_known(CaseStore *s, const char *id, GError **error)
{
    static const char sql[] = "SELECT EXISTS (SELECT 1 FROM accounts WHERE account_id = $1)"
                              " OR EXISTS (SELECT 1 FROM transactions WHERE from_account = $1)"
                              " OR EXISTS (SELECT 1 FROM transactions WHERE to_account = $1)"
                              " OR EXISTS (SELECT 1 FROM alerts WHERE account = $1)";
    const char *params[] = {id};
    PGresult *res = db_exec(((PgStore *)s)->conn, "look up an account in", sql, 1, params, error);
    gboolean known = res && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return known;
}

/* Column col of row r, a currency code: into code, its exponent returned. */
static int pg_currency(const PGresult *res, int r, int col, char code[4])
{
    g_strlcpy(code, PQgetvalue(res, r, col), 4);
    return money_currency_exp(txn_pack_code3(code, strlen(code)));
}

/* Column col of row r, a numeric amount, in minor units of exponent exp
 * (0 where the database gave none). */
static gint64 pg_amount(const PGresult *res, int r, int col, int exp)
{
    const char *amt = PQgetvalue(res, r, col);
    gint64 v;
    return money_parse_round(amt, strlen(amt), exp, '.', 0, &v) == MONEY_OK ? v : 0;
}

static CaseTx *tx_from_row(const PGresult *res, int r)
{
    CaseTx *t = g_new0(CaseTx, 1);
    t->tx_id = g_strdup(PQgetvalue(res, r, 0));
    t->ts = g_ascii_strtoll(PQgetvalue(res, r, 1), NULL, 10);
    t->utc_offset = (int)g_ascii_strtoll(PQgetvalue(res, r, 2), NULL, 10);
    t->from = g_strdup(PQgetvalue(res, r, 3));
    t->to = g_strdup(PQgetvalue(res, r, 4));
    t->exp = pg_currency(res, r, 6, t->currency);
    t->amount = pg_amount(res, r, 5, t->exp);
    const char *ch = PQgetvalue(res, r, 7);
    if (!txn_channel_parse(ch, strlen(ch), &t->channel))
        t->channel = CHANNEL_OTHER;
    const char *mcc = PQgetvalue(res, r, 8);
    t->mcc = *mcc ? (guint16)g_ascii_strtoull(mcc, NULL, 10) : TXN_MCC_NONE;
    g_strlcpy(t->country, PQgetvalue(res, r, 9), sizeof t->country);
    t->location = g_strdup(PQgetvalue(res, r, 10));
    t->memo = g_strdup(PQgetvalue(res, r, 11));
    return t;
}

static GPtrArray *txns_query(PgStore *ps, const char *sql, int n, const char *const *params,
                             GError **error)
{
    PGresult *res = db_exec(ps->conn, "read transactions from", sql, n, params, error);
    if (!res)
        return NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    for (int r = 0; r < PQntuples(res); r++) {
        CaseTx *t = tx_from_row(res, r);
        case_tx_convert(t, ps->base.fx); /* the table keeps the original */
        g_ptr_array_add(out, t);
    }
    PQclear(res);
    return out;
}

/* Seconds since the epoch clamped to the years PostgreSQL takes. */
static void epoch_param(gint64 t, char *buf)
{
    t = CLAMP(t, -62135596800LL, 253402300799LL);
    g_snprintf(buf, 32, "%" G_GINT64_FORMAT, t);
}

static GPtrArray *pg_txns_of(CaseStore *s, const char *account, gint64 from, gint64 to,
                             GError **error)
{
    static const char where[] =
        "WHERE (from_account = $1 OR to_account = $1) AND ts >= to_timestamp($2::bigint)"
        " AND ts <= to_timestamp($3::bigint) ORDER BY ts, tx_id";
    g_autofree char *sql = g_strconcat(txn_cols, where, NULL);
    char a[32], b[32];
    epoch_param(from, a);
    epoch_param(to, b);
    const char *params[] = {account, a, b};
    return txns_query((PgStore *)s, sql, 3, params, error);
}

static GPtrArray *pg_txns_by_id(CaseStore *s, GPtrArray *ids, GError **error)
{
    static const char where[] =
        "WHERE tx_id IN (SELECT json_array_elements_text($1::json)) ORDER BY ts, tx_id";
    g_autofree char *sql = g_strconcat(txn_cols, where, NULL);
    g_autoptr(GString) list = g_string_new("[");
    for (guint i = 0; i < ids->len; i++) {
        if (i)
            g_string_append_c(list, ',');
        jval_write_string(list, g_ptr_array_index(ids, i));
    }
    g_string_append_c(list, ']');
    const char *params[] = {list->str};
    return txns_query((PgStore *)s, sql, 1, params, error);
}

/* A sort key of a transaction that orders as (ts, tx id) under COLLATE
 * "C": the epoch shifted to be positive and padded, then the tx id. */
#define TX_KEY "lpad((extract(epoch FROM ts)::bigint + 100000000000)::text, 13, '0') || tx_id"

/* The server sums the account's transactions per sender, receiver and
 * currency (one pass, hashed), so a hub's million rows travel as one row
 * per counterparty; the first and the MCC-carrying latest transaction
 * come from TX_KEY's minimum and maximum. */
static GPtrArray *pg_flows_of(CaseStore *s, const char *account, gint64 from, gint64 to,
                              GError **error)
{
    static const char sql[] =
        "SELECT COALESCE(from_account, ''), COALESCE(to_account, ''), COALESCE(currency, ''),"
        " sum(amount)::text, count(*), extract(epoch FROM min(ts))::bigint,"
        " extract(epoch FROM max(ts))::bigint, min(" TX_KEY " COLLATE \"C\"),"
        " bool_or(channel = 'ach_payroll'),"
        " max(" TX_KEY " || ' ' || mcc::text COLLATE \"C\") FILTER (WHERE mcc IS NOT NULL)"
        " FROM transactions WHERE (from_account = $1 OR to_account = $1)"
        " AND ts >= to_timestamp($2::bigint) AND ts <= to_timestamp($3::bigint)"
        " GROUP BY 1, 2, 3";
    char a[32], b[32];
    epoch_param(from, a);
    epoch_param(to, b);
    const char *params[] = {account, a, b};
    PGresult *res = db_exec(((PgStore *)s)->conn, "sum transactions in", sql, 3, params, error);
    if (!res)
        return NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_flow_free);
    for (int r = 0; r < PQntuples(res); r++) {
        CaseFlow *f = g_new0(CaseFlow, 1);
        f->from = g_strdup(PQgetvalue(res, r, 0));
        f->to = g_strdup(PQgetvalue(res, r, 1));
        f->exp = pg_currency(res, r, 2, f->currency);
        f->total = pg_amount(res, r, 3, f->exp);
        f->n = (guint)g_ascii_strtoull(PQgetvalue(res, r, 4), NULL, 10);
        f->first = g_ascii_strtoll(PQgetvalue(res, r, 5), NULL, 10);
        f->last = g_ascii_strtoll(PQgetvalue(res, r, 6), NULL, 10);
        f->first_tx = g_strdup(PQgetvalue(res, r, 7) + 13);
        f->payroll = strcmp(PQgetvalue(res, r, 8), "t") == 0;
        f->mcc = TXN_MCC_NONE;
        const char *m = PQgetvalue(res, r, 9);
        const char *sp = strrchr(m, ' ');
        if (!PQgetisnull(res, r, 9) && sp) {
            f->mcc = (guint16)g_ascii_strtoull(sp + 1, NULL, 10);
            char ts[14];
            g_strlcpy(ts, m, sizeof ts);
            f->mcc_ts = g_ascii_strtoll(ts, NULL, 10) - 100000000000LL;
            f->mcc_tx = g_strndup(m + 13, (gsize)(sp - m - 13));
        }
        g_ptr_array_add(out, f);
    }
    PQclear(res);
    case_flows_sort(out);
    return out;
}

/* The n numbers in v as an array literal, for a bigint[] parameter. */
static char *json_numbers(const gint64 *v, guint n)
{
    GString *out = g_string_new("{");
    for (guint i = 0; i < n; i++)
        g_string_append_printf(out, "%s%" G_GINT64_FORMAT, i ? "," : "", v[i]);
    g_string_append_c(out, '}');
    return g_string_free(out, FALSE);
}

typedef struct {
    gint64 lo, hi;
} Window;

static gint cmp_gint64(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return x < y ? -1 : x > y;
}

/* The index of the first value of sorted v[0..n) that is at least x. */
static guint lower_bound(const gint64 *v, guint n, gint64 x)
{
    guint lo = 0, hi = n;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Thousands of windows over a hub overlap: counting each in the server
 * scans the same index entries again and again. Instead the windows are
 * merged into disjoint ranges, the server hands out the times (only) of
 * the account's transactions in them from its index, and each window is
 * counted here by bisection. */
static gboolean pg_count_in(CaseStore *s, const char *account, gboolean sent, const gint64 *lo,
                            const gint64 *hi, guint n, guint64 *counts, GError **error)
{
#define TIMES_SQL(col)                                                                             \
    "SELECT extract(epoch FROM t.ts)::bigint FROM unnest($2::bigint[], $3::bigint[]) AS r(lo, hi)" \
    " JOIN transactions t ON t." col " = $1 AND t.ts >= to_timestamp(r.lo)"                        \
    " AND t.ts <= to_timestamp(r.hi)"
    static const char by_sender[] = TIMES_SQL("from_account");
    static const char by_receiver[] = TIMES_SQL("to_account");
#undef TIMES_SQL
    g_autoptr(GArray) order = g_array_sized_new(FALSE, FALSE, sizeof(Window), n);
    for (guint i = 0; i < n; i++) {
        Window w = {lo[i], hi[i]};
        if (lo[i] <= hi[i])
            g_array_append_val(order, w);
    }
    g_array_sort(order, cmp_gint64); /* by lo, the first member */
    g_autoptr(GArray) rlo = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_autoptr(GArray) rhi = g_array_new(FALSE, FALSE, sizeof(gint64));
    for (guint i = 0; i < order->len; i++) {
        const Window *w = &g_array_index(order, Window, i);
        if (rhi->len && w->lo <= g_array_index(rhi, gint64, rhi->len - 1) + 1) {
            gint64 *last = &g_array_index(rhi, gint64, rhi->len - 1);
            *last = MAX(*last, w->hi);
        } else {
            g_array_append_val(rlo, w->lo);
            g_array_append_val(rhi, w->hi);
        }
    }
    g_autofree char *a = json_numbers((gint64 *)rlo->data, rlo->len);
    g_autofree char *b = json_numbers((gint64 *)rhi->data, rhi->len);
    const char *params[] = {account, a, b};
    PGresult *res = db_exec(((PgStore *)s)->conn, "count transactions in",
                            sent ? by_sender : by_receiver, 3, params, error);
    if (!res)
        return FALSE;
    guint m = (guint)PQntuples(res);
    g_autofree gint64 *ts = g_new(gint64, m + 1);
    for (guint r = 0; r < m; r++)
        ts[r] = g_ascii_strtoll(PQgetvalue(res, (int)r, 0), NULL, 10);
    PQclear(res);
    qsort(ts, m, sizeof *ts, cmp_gint64);
    for (guint i = 0; i < n; i++)
        counts[i] = lo[i] > hi[i] ? 0 : lower_bound(ts, m, hi[i] + 1) - lower_bound(ts, m, lo[i]);
    return TRUE;
}

/* One transaction: the entry in alert_triage, and on the alert the latest
 * status (when the entry sets one), note and assignee (when it sets one). */
static gboolean pg_set_triage(CaseStore *s, const char *id, const CaseTriage *t, GError **error)
{
    static const char update[] =
        "UPDATE alerts SET triage_status = COALESCE($2, triage_status), triage_note = $3,"
        " triage_by = COALESCE($4, current_user), triage_at = now(),"
        " triage_assignee = COALESCE($5, triage_assignee) WHERE alert_id = $1 RETURNING alert_id";
    static const char insert[] =
        "INSERT INTO alert_triage (alert_id, status, note, triage_by, assignee, mute_days)"
        " VALUES ($1, $2, $3, COALESCE($4, current_user), $5, $6::integer)";
    PGconn *c = ((PgStore *)s)->conn;
    char mute[32];
    g_snprintf(mute, sizeof mute, "%" G_GINT64_FORMAT, t->mute / 86400);
    const char *params[] = {id,    t->status,   t->note ? t->note : "",
                            t->by, t->assignee, t->mute ? mute : NULL};
    if (!db_command(c, "start triage in", "BEGIN", 0, NULL, error))
        return FALSE;
    PGresult *res = db_exec(c, "record triage in", update, 5, params, error);
    gboolean found = res && PQntuples(res) == 1;
    PQclear(res);
    gboolean ok = res && found && db_command(c, "record triage in", insert, 6, params, error);
    if (!ok) {
        db_command(c, "roll back triage in", "ROLLBACK", 0, NULL, NULL);
        if (res && !found)
            g_set_error(error, CASE_ERROR, CASE_ERROR_NOT_FOUND,
                        "no alert with id '%s' in the database", id);
        return FALSE;
    }
    return db_command(c, "commit triage in", "COMMIT", 0, NULL, error);
}

static const char *pg_triage_where(CaseStore *s)
{
    return "the database (alerts.triage_*, alert_triage)";
}

static void pg_free(CaseStore *s)
{
    PQfinish(((PgStore *)s)->conn);
    g_free(s);
}

/* Without --fx, the rates of the fx_rates table when it holds any, as
 * scan --db converts with them; --currency then needs some. */
static gboolean pg_fx(PgStore *ps, const CaseOpenOptions *o, GError **error)
{
    g_autoptr(Fx) fx = case_fx_new(o, error);
    guint n = 0;
    if (!fx || !fx_load_db(fx, ps->conn, &n, error))
        return FALSE;
    if (!n && o->currency) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_USAGE,
                    "--currency: the fx_rates table holds no rates (moneytrail load --fx FILE)");
        return FALSE;
    }
    if (n && !fx_finish(fx, error))
        return FALSE;
    ps->base.fx = n ? g_steal_pointer(&fx) : NULL;
    return TRUE;
}

static const CaseStoreOps pg_ops = {
    pg_alerts,  pg_each_alert, pg_alert,      pg_account,      pg_account_known,
    pg_txns_of, pg_txns_by_id, pg_set_triage, pg_triage_where, pg_linked,
    pg_free,    pg_flows_of,   pg_count_in,
};

CaseStore *case_pg_open(const CaseOpenOptions *o, GError **error)
{
    PGconn *conn = db_connect(o->db, error);
    if (!conn)
        return NULL;
    if (!db_check_schema(conn, error)) {
        PQfinish(conn);
        return NULL;
    }
    PgStore *ps = g_new0(PgStore, 1);
    ps->base.ops = &pg_ops;
    ps->conn = conn;
    if (!o->fx && !pg_fx(ps, o, error)) {
        pg_free(&ps->base);
        return NULL;
    }
    return &ps->base;
}
