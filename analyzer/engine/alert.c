/* alert.c: alert ids, explanation sentences and JSON Lines output.
 *
 * Everything here is deterministic: the id is a hash of what identifies the
 * alert, numbers are printed the same way on every machine (no locale), and
 * keys are written in a fixed order. */
#include "engine/alert.h"

#include <math.h>
#include <string.h>

#include "engine/graph_match.h"
#include "base/jval.h"
#include "base/money.h"
#include "base/tstamp.h"
#include "engine/window.h"

void alert_make_id(Alert *a)
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    char buf[64];
    g_checksum_update(sum, (const guchar *)a->rule->id, (gssize)strlen(a->rule->id) + 1);
    g_snprintf(buf, sizeof buf, "%d/%d/%" G_GINT64_FORMAT, a->rule->version, a->rule->persp,
               a->window_end);
    g_checksum_update(sum, (const guchar *)buf, (gssize)strlen(buf) + 1);
    const char *acc = intern_str(a->accounts, a->account);
    g_checksum_update(sum, (const guchar *)acc, (gssize)strlen(acc) + 1);
    g_checksum_update(sum, (const guchar *)a->trigger.ptr, a->trigger.len);
    g_strlcpy(a->id, g_checksum_get_string(sum), sizeof a->id);
}

static void append_int(GString *out, gint64 v)
{
    char buf[32];
    money_format(v, 0, buf);
    g_string_append(out, buf);
}

/* Minor units with the currency's code: "9,500.00 EUR". */
static void append_minor(GString *out, gint64 minor, guint32 currency, int exp)
{
    char buf[32];
    money_format(minor, exp, buf);
    g_string_append(out, buf);
    if (currency) {
        char code[8];
        txn_unpack_code(currency, code);
        g_string_append_printf(out, " %s", code);
    }
}

static void append_money(GString *out, double v, guint32 currency, int exp)
{
    append_minor(out, rule_to_int(round(v * money_scale(exp))), currency, exp);
}

static void append_enum(GString *out, double v, ValueType ty)
{
    static const char *const days[] = {"",         "Monday", "Tuesday",  "Wednesday",
                                       "Thursday", "Friday", "Saturday", "Sunday"};
    char code[8];
    switch (ty) {
    case TY_CHANNEL:
        g_string_append(out, txn_channel_name((Channel)v));
        break;
    case TY_MCC:
        g_string_append_printf(out, "%04d", (int)CLAMP(rule_to_int(v), 0, 9999));
        break;
    case TY_COUNTRY:
    case TY_CURRENCY:
        txn_unpack_code((guint32)CLAMP(rule_to_int(v), 0, G_MAXUINT32), code);
        g_string_append(out, code);
        break;
    case TY_DOW:
        g_string_append(out, days[CLAMP(rule_to_int(v), 0, 7)]);
        break;
    case TY_HOUR:
        g_string_append_printf(out, "%02d:00", (int)CLAMP(rule_to_int(v), 0, 99));
        break;
    case TY_DIR:
        g_string_append(out, v == 1 ? "in" : "out");
        break;
    case TY_KIND:
        g_string_append(out, v == 1 ? "person" : v == 2 ? "business" : "unknown");
        break;
    default:
        break;
    }
}

void alert_format_value(double v, ValueType ty, char fmt, guint32 currency, int exp,
                        const Intern *accounts, const Intern *locations, GString *out)
{
    char buf[64];
    if (fmt == 'm' || (!fmt && ty == TY_MONEY)) {
        append_money(out, v, currency, exp);
    } else if (fmt == 'p') {
        g_string_append_printf(out, "%.0f%%", v * 100);
    } else if (fmt == 'd' || (!fmt && ty == TY_DURATION)) {
        g_string_append(out, tstamp_format_duration(rule_to_int(v), buf, sizeof buf));
    } else if (fmt == 'i' || (!fmt && (ty == TY_COUNT || v == floor(v)) && ty != TY_ACCOUNT &&
                              ty != TY_LOCATION && ty < TY_CHANNEL)) {
        append_int(out, rule_to_int(round(v)));
    } else if (ty == TY_ACCOUNT) {
        g_string_append(out, intern_str(accounts, (guint32)CLAMP(rule_to_int(v), 0, G_MAXUINT32)));
    } else if (ty == TY_LOCATION) {
        g_string_append(out, intern_str(locations, (guint32)CLAMP(rule_to_int(v), 0, G_MAXUINT32)));
    } else if (ty >= TY_CHANNEL) {
        append_enum(out, v, ty);
    } else if (ty == TY_BOOL) {
        g_string_append(out, v != 0 ? "yes" : "no");
    } else {
        g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.2f", v));
    }
}

/* The exact minor units a placeholder shows when it is one money
 * aggregate ("{sum(amount)}") that has them, else MONEY_INEXACT. */
static gint64 exact_of(const Alert *a, const RuleProgram *p, char fmt)
{
    if (!a->exact || p->n != 2 || p->steps[0].op != OP_AGG || p->type != TY_MONEY ||
        (fmt && fmt != 'm'))
        return MONEY_INEXACT;
    return a->exact[p->steps[0].a];
}

/* {amount} of a converted row as "9,400.00 USD (8,650.12 EUR)", and
 * {amount_orig} in its own currency; FALSE for any other placeholder. */
static gboolean append_amount_orig(GString *out, const TplPart *p, const TxnCore *txn)
{
    if (!txn || !txn->currency_orig || p->prog.n != 2 || p->prog.steps[0].op != OP_FIELD ||
        (p->format && p->format != 'm'))
        return FALSE;
    FieldId f = (FieldId)p->prog.steps[0].a;
    if (f != FIELD_AMOUNT && f != FIELD_AMOUNT_ORIG)
        return FALSE;
    char buf[32], code[8];
    txn_unpack_code(txn->currency_orig, code);
    g_string_append_printf(out, "%s %s", money_format(txn->amount_orig, txn->exp_orig, buf), code);
    if (f == FIELD_AMOUNT && txn->currency_orig != txn->currency) {
        txn_unpack_code(txn->currency, code);
        g_string_append_printf(out, " (%s %s)", money_format(txn->amount, txn->currency_exp, buf),
                               code);
    }
    return TRUE;
}

void alert_explain(Alert *a, const RuleSet *rs, const TxnCore *txn)
{
    g_autoptr(GString) s = g_string_new(NULL);
    RuleEval ev = {.txn = txn,
                   .account = a->account,
                   .aggs = a->aggs,
                   .exact = a->exact,
                   .rs = rs,
                   .kyc = a->kyc,
                   .hist = a->hist};
    for (guint i = 0; i < a->rule->explain->len; i++) {
        const TplPart *p = &g_array_index(a->rule->explain, TplPart, i);
        if (p->prog.n == 0) {
            g_string_append(s, p->text);
            continue;
        }
        if (append_amount_orig(s, p, txn))
            continue;
        gint64 minor = exact_of(a, &p->prog, p->format);
        if (minor != MONEY_INEXACT) {
            append_minor(s, minor, a->currency, a->currency_exp);
            continue;
        }
        double v = rule_vm_run(&p->prog, &ev);
        if (p->format == 'n') { /* "3 employers", "1 employer" */
            gint64 k = rule_to_int(round(v));
            const char *slash = strchr(p->text, '/');
            append_int(s, k);
            g_string_append_c(s, ' ');
            if (k == 1)
                g_string_append_len(s, p->text, slash - p->text);
            else
                g_string_append(s, slash + 1);
            continue;
        }
        alert_format_value(v, p->prog.type, p->format, a->currency, a->currency_exp, a->accounts,
                           a->locations, s);
    }
    gsize n = MIN(s->len, sizeof a->explanation - 1);
    while (n > 0 && n < s->len && (s->str[n] & 0xC0) == 0x80)
        n--; /* never cut a UTF-8 sequence */
    memcpy(a->explanation, s->str, n);
    a->explanation[n] = '\0';
}

/* Money for machines: "1234.50", no thousands separators. */
static void plain_money(gint64 amount, int exp, char *buf)
{
    money_format(amount, exp, buf);
    char *comma;
    while ((comma = strchr(buf, ',')))
        memmove(comma, comma + 1, strlen(comma));
}

static void write_values(const Alert *a, GString *out)
{
    char buf[64];
    jval_write_key(out, "values");
    g_string_append_c(out, '{');
    for (guint i = 0; i < a->rule->aggs->len; i++) {
        const RuleAgg *g = &g_array_index(a->rule->aggs, RuleAgg, i);
        double v = a->aggs[i];
        gint64 minor = a->exact ? a->exact[i] : MONEY_INEXACT;
        jval_write_key(out, g->text);
        if (g->type == TY_MONEY) {
            if (minor == MONEY_INEXACT)
                minor = rule_to_int(round(v * money_scale(a->currency_exp)));
            plain_money(minor, a->currency_exp, buf);
            jval_write_string(out, buf);
        } else if (v == floor(v) && fabs(v) < 1e15) {
            g_string_append_printf(out, "%" G_GINT64_FORMAT, rule_to_int(v));
        } else {
            g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.6g", v));
        }
    }
    g_string_append_c(out, '}');
}

/* "indicators": the indicator alerts behind a typology alert */
static void write_hits(const Alert *a, GString *out)
{
    char ts[32];
    jval_write_key(out, "indicators");
    g_string_append_c(out, '[');
    for (guint i = 0; i < a->n_hits; i++) {
        g_string_append(out, i ? ",{" : "{");
        jval_write_str(out, "alert_id", a->hits[i].alert_id);
        jval_write_str(out, "rule", a->hits[i].rule);
        jval_write_str(out, "account", intern_str(a->accounts, a->hits[i].account));
        jval_write_str(out, "ts", tstamp_format_utc(a->hits[i].ts, ts));
        g_string_append_c(out, '}');
    }
    g_string_append_c(out, ']');
}

/* "subgraph": the accounts and edges of a graph pattern, in time order */
static void write_subgraph(const Alert *a, GString *out)
{
    char buf[32], ts[32];
    jval_write_key(out, "subgraph");
    g_string_append(out, "{\"edges\":[");
    for (guint i = 0; i < a->match->n; i++) {
        const GraphEdge *e = a->match->edges[i];
        g_string_append(out, i ? ",{" : "{");
        jval_write_key(out, "tx");
        StrView id = txn_store_id(e->rec);
        jval_write_string_len(out, id.ptr, id.len);
        jval_write_str(out, "from", intern_str(a->accounts, e->core.from));
        jval_write_str(out, "to", intern_str(a->accounts, e->core.to));
        plain_money(e->core.amount, e->core.currency_exp, buf);
        jval_write_str(out, "amount", buf);
        jval_write_str(out, "ts", tstamp_format_utc(e->core.ts, ts));
        g_string_append_c(out, '}');
    }
    g_string_append(out, "]}");
}

void alert_to_json(const Alert *a, GString *out)
{
    char t0[32], t1[32], code[32];
    const Rule *r = a->rule;
    g_string_append_c(out, '{');
    jval_write_str(out, "alert_id", a->id);
    jval_write_str(out, "rule", r->id);
    jval_write_key(out, "rule_version");
    g_string_append_printf(out, "%d", r->version);
    jval_write_str(out, "title", r->title);
    jval_write_str(out, "family", r->family);
    jval_write_str(out, "strength", rule_strength_name(r->strength));
    if (r->status == RULE_STATUS_SHADOW) {
        jval_write_key(out, "shadow");
        g_string_append(out, "true");
    }
    jval_write_key(out, "score");
    if (a->score == floor(a->score))
        g_string_append_printf(out, "%d", (int)a->score);
    else
        g_string_append(out, g_ascii_formatd(code, sizeof code, "%.2f", a->score));
    jval_write_str(out, "account", intern_str(a->accounts, a->account));
    jval_write_str(out, "perspective", rule_persp_name(r->persp));
    jval_write_str(out, "window_start", tstamp_format_utc(a->window_start, t0));
    jval_write_str(out, "window_end", tstamp_format_utc(a->window_end, t1));
    jval_write_key(out, "trigger_tx");
    jval_write_string_len(out, a->trigger.ptr, a->trigger.len);
    txn_unpack_code(a->currency, code);
    jval_write_str(out, "currency", code);
    write_values(a, out);
    jval_write_key(out, "evidence");
    g_string_append_c(out, '[');
    for (guint i = 0; i < a->n_evidence; i++) {
        if (i)
            g_string_append_c(out, ',');
        jval_write_string_len(out, a->evidence[i].ptr, a->evidence[i].len);
    }
    g_string_append_c(out, ']');
    jval_write_key(out, "evidence_total");
    g_string_append_printf(out, "%u", a->n_evidence_total);
    if (a->role)
        jval_write_str(out, "role", a->role);
    if (a->escalated) {
        jval_write_key(out, "escalated");
        g_string_append(out, "true");
    }
    if (a->hits)
        write_hits(a, out);
    if (a->match)
        write_subgraph(a, out);
    if (a->match && a->match->exhausted) { /* the search stopped at LIMIT_GRAPH_WORK */
        jval_write_key(out, "incomplete");
        g_string_append(out, "true");
    }
    jval_write_str(out, "explanation", a->explanation);
    jval_write_str(out, "source", r->source ? r->source : "");
    g_string_append(out, "}\n");
}
