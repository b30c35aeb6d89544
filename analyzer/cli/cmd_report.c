/* cmd_report.c: `moneytrail report ID -o case.html`: a self-contained HTML
 * case file on one account: KYC profile, alerts with their explanations
 * evidence tables and triage history, the flow picture as inline SVG,
 * money in and out by channel and by month, the flagged periods as a
 * timeline. One file, no external resources, styled for screen and
 * print; every value from the data is escaped. */
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "case/case_graph.h"
#include "case/case_trace.h"
#include "cli/cmd_view.h"
#include "cli/cmd.h"
#include "base/tstamp.h"

typedef struct {
    CmdView v;
    char *output;
    gint hops;
} ReportOptions;

static const char css[] =
    "body{font:14px/1.45 system-ui,Helvetica,Arial,sans-serif;color:#222;max-width:1100px;"
    "margin:2em auto;padding:0 1em}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #444;padding-bottom:.2em;"
    "margin-top:1.8em}\n"
    "table{border-collapse:collapse;margin:.5em 0 1em;width:100%}"
    "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
    "th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    ".alert{border-left:6px solid #c0392b;padding:.2em 1em;margin:1em 0;background:#fdf3f2}\n"
    ".why{font-size:1.05em;font-weight:600}.muted{color:#666}\n"
    ".victim{border-left-color:#e69b00;background:#fff7e6}\n"
    "figure{margin:1em 0;overflow-x:auto}figure svg{max-width:100%;height:auto}\n"
    ".timeline{position:relative;height:auto;border:1px solid #ccc;padding:.5em 0;"
    "background:#fafafa}\n"
    ".bar{position:relative;height:1.4em;margin:.3em 0}.bar span{position:absolute;height:100%;"
    "background:#c0392b;color:#fff;font-size:.8em;white-space:nowrap;padding:0 .3em;"
    "box-sizing:border-box;min-width:4px}\n"
    "@media print{body{margin:0;max-width:none;font-size:11pt}h2{break-after:avoid}"
    "table,.alert,figure{break-inside:avoid}.alert{background:none}"
    "a{color:inherit;text-decoration:none}.bar span{print-color-adjust:exact;"
    "-webkit-print-color-adjust:exact}}\n";

/* Appends s with &, <, >, " and ' escaped. */
static void esc(GString *out, const char *s)
{
    g_autofree char *e = g_markup_escape_text(s ? s : "", -1);
    g_string_append(out, e);
}

static void html_profile(GString *h, const CaseAccount *k)
{
    g_string_append(h, "<h2>Profile</h2>\n");
    if (!k) {
        g_string_append(h, "<p class=\"muted\">No KYC record for this account.</p>\n");
        return;
    }
    g_string_append(h, "<table class=\"profile\">\n");
    for (guint i = 0; i < k->keys->len; i++) {
        const char *v = g_ptr_array_index(k->values, i);
        if (!*v)
            continue;
        g_string_append(h, "<tr><th>");
        esc(h, g_ptr_array_index(k->keys, i));
        g_string_append(h, "</th><td>");
        esc(h, v);
        g_string_append(h, "</td></tr>\n");
    }
    g_string_append(h, "</table>\n");
}

static void html_tx_table(GString *h, GPtrArray *txns)
{
    g_string_append(h, "<table class=\"evidence\"><tr><th>tx</th><th>local time</th><th>from</th>"
                       "<th>to</th><th>amount</th><th>channel</th><th>where</th><th>memo</th>"
                       "</tr>\n");
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        char tm[32], amt[80];
        g_string_append(h, "<tr><td>");
        esc(h, t->tx_id);
        g_string_append_printf(h, "</td><td>%s</td><td>", cmd_view_local_time(t, tm));
        esc(h, *t->from ? t->from : "(cash)");
        g_string_append(h, "</td><td>");
        esc(h, *t->to ? t->to : "(cash)");
        g_string_append(h, "</td><td class=\"num\">");
        esc(h, case_tx_amount_both(t, amt)); /* a converted one: "9,400.00 USD (8,650.12 EUR)" */
        g_string_append_printf(h, "</td><td>%s</td><td>", txn_channel_name(t->channel));
        esc(h, *t->location ? t->location : t->country);
        g_string_append(h, "</td><td>");
        esc(h, t->memo);
        g_string_append(h, "</td></tr>\n");
    }
    g_string_append(h, "</table>\n");
}

/* The alert's triage history, oldest first: who decided, noted or
 * handed over what and when. Nothing when it has none. */
static void html_triage(GString *h, const CaseAlert *a)
{
    if (!a->triage->len)
        return;
    g_string_append(h, "<p class=\"muted\">triage</p>\n<ul class=\"triage\">\n");
    for (guint i = 0; i < a->triage->len; i++) {
        const CaseTriage *t = g_ptr_array_index(a->triage, i);
        g_string_append(h, "<li>");
        esc(h, t->at);
        g_string_append(h, " <b>");
        esc(h, t->status ? t->status : "note");
        g_string_append(h, "</b> by ");
        esc(h, t->by);
        if (t->assignee) {
            g_string_append(h, ", assigned to ");
            esc(h, t->assignee);
        }
        if (t->mute)
            g_string_append_printf(h, ", muting for %" G_GINT64_FORMAT " days", t->mute / 86400);
        if (t->note && *t->note) {
            g_string_append(h, ": ");
            esc(h, t->note);
        }
        g_string_append(h, "</li>\n");
    }
    g_string_append(h, "</ul>\n");
}

static void html_alert(GString *h, CaseStore *s, const CaseAlert *a)
{
    char d0[32], d1[32];
    g_string_append_printf(h, "<section class=\"alert%s\" id=\"a-",
                           a->role && strstr(a->role, "victim") ? " victim" : "");
    esc(h, a->id);
    g_string_append(h, "\"><h3>");
    esc(h, a->rule);
    g_string_append(h, " &mdash; ");
    esc(h, a->title);
    g_string_append(h, "</h3>\n<p class=\"why\">");
    esc(h, a->explanation);
    g_string_append_printf(h, "</p>\n<p class=\"muted\">alert %s &middot; score %g (", a->id,
                           a->score);
    esc(h, a->strength);
    g_string_append_printf(h, ") &middot; %s to %s UTC &middot; status ",
                           tstamp_format_minute(a->window_start, d0),
                           tstamp_format_minute(a->window_end, d1));
    esc(h, case_alert_status(a));
    if (a->role) {
        g_string_append(h, " &middot; role ");
        esc(h, a->role);
    }
    g_string_append(h, "<br>source: ");
    esc(h, a->source);
    g_string_append(h, "</p>\n");
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) txns = s->ops->txns_by_id(s, a->evidence, &err);
    if (txns)
        html_tx_table(h, txns);
    html_triage(h, a);
    g_string_append(h, "</section>\n");
}

/* Money in and out of acc in txns by the key fn makes, as a table. */
static void html_flows(GString *h, const char *acc, GPtrArray *txns, const char *head,
                       char *(*fn)(const CaseTx *, gboolean in))
{
    int exp = 2;
    g_autoptr(GPtrArray) flows = cmd_view_flows(acc, txns, fn, TRUE, &exp);
    g_string_append_printf(h,
                           "<table class=\"flows\">\n<tr><th>%s</th><th>in</th><th>amount "
                           "in</th><th>out</th><th>amount out</th></tr>\n",
                           head);
    for (guint i = 0; i < flows->len; i++) {
        const CmdViewFlow *f = g_ptr_array_index(flows, i);
        char a[32], b[32];
        g_string_append(h, "<tr><td>");
        esc(h, f->key);
        g_string_append_printf(h,
                               "</td><td class=\"num\">%u</td><td class=\"num\">%s</td>"
                               "<td class=\"num\">%u</td><td class=\"num\">%s</td></tr>\n",
                               f->n_in, cmd_view_money(f->in, exp, a), f->n_out,
                               cmd_view_money(f->out, exp, b));
    }
    g_string_append(h, "</table>\n");
}

#define REPORT_TOP   5  /* counterparties each way */
#define REPORT_TRACE 10 /* accounts and paths of the trace */

/* The counterparties that sent (in) or received the most, with names. */
static void html_counterparties(GString *h, CaseStore *s, const char *acc, GPtrArray *txns,
                                gboolean in)
{
    int exp;
    g_autoptr(GPtrArray) flows = cmd_view_counterparties(acc, txns, in, &exp);
    g_string_append_printf(h, "<h3>%s</h3>\n", in ? "Received from" : "Paid to");
    if (!flows->len) {
        g_string_append(h, "<p class=\"muted\">None.</p>\n");
        return;
    }
    g_string_append(h, "<table class=\"flows\">\n<tr><th>account</th><th>name</th>"
                       "<th>transactions</th><th>amount</th></tr>\n");
    for (guint i = 0; i < flows->len && i < REPORT_TOP; i++) {
        const CmdViewFlow *f = g_ptr_array_index(flows, i);
        g_autofree char *name = case_display_name(s, f->key);
        char a[32];
        g_string_append(h, "<tr><td>");
        esc(h, f->key);
        g_string_append(h, "</td><td>");
        esc(h, strcmp(name, f->key) ? name : "");
        g_string_append_printf(h, "</td><td class=\"num\">%u</td><td class=\"num\">%s</td></tr>\n",
                               in ? f->n_in : f->n_out,
                               cmd_view_money(in ? f->in : f->out, exp, a));
    }
    g_string_append(h, "</table>\n");
}

/* Where the money went: the trace of the account's payments in the
 * report's range, 7 days a hop, 3 hops, with trace's default bounds. */
static gboolean html_trace(GString *h, CaseStore *s, const GraphQuery *g, GError **error)
{
    TraceQuery q = {.account = g->account,
                    .from = g->from,
                    .to = g->to,
                    .within = 7 * 86400,
                    .hops = 3,
                    .min_share = CASE_TRACE_MIN_SHARE,
                    .max_accounts = CASE_TRACE_MAX_ACCOUNTS};
    g_autoptr(TraceResult) r = case_trace_run(s, &q, REPORT_TRACE, error);
    if (!r)
        return FALSE;
    char a[32], b[32];
    g_string_append(h, "<h2>Where the money went</h2>\n<p class=\"muted\">");
    g_string_append_printf(h,
                           "The account's payments, %s %s in %u transaction%s, followed for up "
                           "to 3 hops, each within 7 days of the one before, in proportion to "
                           "what each account passed on (<code>moneytrail trace</code>).</p>\n",
                           cmd_view_money((gint64)(r->origin + 0.5), r->exp, a), r->currency,
                           r->n_seeds, r->n_seeds == 1 ? "" : "s");
    if (!r->reached->len)
        return TRUE;
    g_string_append(h, "<table class=\"flows\">\n<tr><th>account</th><th>hop</th>"
                       "<th>arrived</th><th>share</th><th>stayed</th></tr>\n");
    for (guint i = 0; i < r->reached->len && i < REPORT_TRACE; i++) {
        const TraceReach *x = g_ptr_array_index(r->reached, i);
        g_string_append(h, "<tr><td>");
        esc(h, x->account);
        g_string_append_printf(
            h,
            "</td><td class=\"num\">%u</td><td class=\"num\">%s</td><td class=\"num\">%.2f%%"
            "</td><td class=\"num\">%s</td></tr>\n",
            x->hop, cmd_view_money((gint64)(x->arrived + 0.5), r->exp, a),
            r->origin > 0 ? 100.0 * x->arrived / r->origin : 0.0,
            cmd_view_money((gint64)(x->stayed + 0.5), r->exp, b));
    }
    g_string_append(h, "</table>\n<h3>Paths that carried the most</h3>\n<ul>\n");
    for (guint i = 0; i < r->paths->len; i++) {
        const TracePath *p = g_ptr_array_index(r->paths, i);
        g_string_append_printf(h, "<li>%s: ", cmd_view_money((gint64)(p->stayed + 0.5), r->exp, a));
        esc(h, p->accounts);
        g_string_append(h, "</li>\n");
    }
    g_string_append(h, "</ul>\n");
    return TRUE;
}

/* The money section: by channel and by month, over the report's range. */
static gboolean html_money(GString *h, CaseStore *s, const GraphQuery *q, GError **error)
{
    g_autoptr(GPtrArray) txns = s->ops->txns_of(s, q->account, q->from, q->to, error);
    if (!txns)
        return FALSE;
    g_string_append(h, "<h2>Money in and out</h2>\n");
    if (!txns->len) {
        g_string_append(h, "<p class=\"muted\">No transactions.</p>\n");
        return TRUE;
    }
    g_autofree char *note = case_fx_note(s, txns);
    if (note) {
        g_string_append(h, "<p class=\"muted\">");
        esc(h, note);
        g_string_append(h, ".</p>\n");
    }
    g_string_append(h, "<h3>By channel</h3>\n");
    html_flows(h, q->account, txns, "channel", cmd_view_key_channel);
    g_string_append(h, "<h3>By month</h3>\n");
    html_flows(h, q->account, txns, "month", cmd_view_key_month);
    g_string_append(h, "<h2>Top counterparties</h2>\n");
    html_counterparties(h, s, q->account, txns, TRUE);
    html_counterparties(h, s, q->account, txns, FALSE);
    return TRUE;
}

static void html_timeline(GString *h, GPtrArray *alerts)
{
    g_string_append(h, "<h2>Flagged periods</h2>\n");
    if (!alerts->len) {
        g_string_append(h, "<p class=\"muted\">No alerts.</p>\n");
        return;
    }
    gint64 lo = G_MAXINT64, hi = G_MININT64;
    for (guint i = 0; i < alerts->len; i++) {
        const CaseAlert *a = g_ptr_array_index(alerts, i);
        lo = MIN(lo, a->window_start);
        hi = MAX(hi, a->window_end);
    }
    double span = (double)MAX(hi - lo, 1);
    char d0[16], d1[16];
    g_string_append_printf(h, "<p class=\"muted\">%s to %s</p>\n<div class=\"timeline\">\n",
                           tstamp_format_date(lo, d0), tstamp_format_date(hi, d1));
    for (guint i = alerts->len; i-- > 0;) {
        const CaseAlert *a = g_ptr_array_index(alerts, i);
        double left = 100.0 * (double)(a->window_start - lo) / span;
        double width = 100.0 * (double)(a->window_end - a->window_start) / span;
        g_string_append_printf(h,
                               "<div class=\"bar\"><span style=\"left:%.1f%%;width:%.1f%%\" "
                               "title=\"",
                               left, width);
        esc(h, a->explanation);
        g_string_append(h, "\">");
        esc(h, a->rule);
        g_string_append_printf(h, " %s..%s</span></div>\n", tstamp_format_date(a->window_start, d0),
                               tstamp_format_date(a->window_end, d1) + 5);
    }
    g_string_append(h, "</div>\n");
}

static gboolean html_flow(GString *h, CaseStore *s, const GraphQuery *q, GError **error)
{
    g_autoptr(GString) dot = g_string_new(NULL);
    g_autoptr(GString) svg = g_string_new(NULL);
    if (!case_graph_dot(s, q, dot, NULL, error) || !case_graph_svg(dot->str, svg, error))
        return FALSE;
    const char *start = strstr(svg->str, "<svg");
    g_string_append(h, "<h2>Flow of money</h2>\n<figure id=\"flow\">\n");
    g_string_append(h, start ? start : "");
    g_string_append(h, "<figcaption class=\"muted\">Accounts within the hops drawn; filled: "
                       "accounts with alerts (orange: possible victim); boxes: businesses; "
                       "dashed: no KYC record; edge width grows with the amount.</figcaption>\n"
                       "</figure>\n");
    return TRUE;
}

/* One row of the provenance table: what of run (the alert's "run"
 * object, or NULL) is known. */
static void html_run_row(GString *h, const CaseAlert *a)
{
    const JVal *run = jval_get(a->json, "run");
    g_string_append(h, "<tr><td>");
    esc(h, a->id);
    g_string_append_printf(h, "</td><td>%s v%d</td>", a->rule, a->rule_version);
    const char *keys[] = {"started", "finished", "source", "rules_digest"};
    const JVal *id = run ? jval_get(run, "id") : NULL;
    g_string_append(h, "<td>");
    esc(h, id ? jval_text(id) : "-");
    g_string_append(h, "</td>");
    for (gsize k = 0; k < G_N_ELEMENTS(keys); k++) {
        const char *v = run ? jval_get_str(run, keys[k]) : NULL;
        g_string_append(h, k == 3 ? "<td class=\"id\">" : "<td>");
        esc(h, v ? v : "-");
        g_string_append(h, "</td>");
    }
    g_string_append(h, "</tr>\n");
}

/* Where the alerts come from: the run and the rules digest of each (from
 * the database), or the alert file and when it was written. */
static void html_provenance(GString *h, const CmdView *v, GPtrArray *alerts)
{
    g_string_append(h, "<h2>Run and rules</h2>\n<p class=\"muted\">");
    if (v->store.db) {
        g_string_append(h, "Alerts stored by <code>moneytrail scan --db</code>: the run that "
                           "stored each, when it started and finished, what it read, and the "
                           "digest of the rules it ran.");
    } else {
        GStatBuf st;
        char when[32];
        g_string_append(h, "Alerts read from ");
        esc(h, v->store.alerts);
        if (g_stat(v->store.alerts, &st) == 0)
            g_string_append_printf(h, ", last written %s",
                                   tstamp_format_utc((gint64)st.st_mtime, when));
        g_string_append(h, ". An alert file records each alert's rule and version, not the "
                           "run or the rules digest: scan into the database to keep them.");
    }
    g_string_append(h, "</p>\n<table class=\"runs\"><tr><th>alert</th><th>rule</th>"
                       "<th>run</th><th>started</th><th>finished</th><th>input</th>"
                       "<th>rules digest</th></tr>\n");
    for (guint i = 0; i < alerts->len; i++)
        html_run_row(h, g_ptr_array_index(alerts, i));
    g_string_append(h, "</table>\n");
}

static int report_run(CmdView *v)
{
    const ReportOptions *o = (const ReportOptions *)v;
    g_autoptr(GError) err = NULL;
    GraphQuery q = {.account = v->args[0], .hops = (guint)o->hops};
    int rc;
    g_autoptr(CaseStore) s = cmd_view_open_account(v, &q.from, &q.to, &rc);
    if (!s)
        return rc;
    CaseFilter f;
    case_filter_init(&f);
    f.account = q.account;
    g_autoptr(GPtrArray) alerts = s->ops->alerts(s, &f, &err);
    if (!alerts)
        return cmd_view_fail("report", err);
    g_autoptr(GString) h = g_string_new("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                                        "<meta charset=\"utf-8\">\n<title>Case file: ");
    g_autofree char *name = case_display_name(s, q.account);
    esc(h, q.account);
    g_string_append_printf(h,
                           "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>Case file: ", css);
    esc(h, q.account);
    g_string_append(h, "</h1>\n<p class=\"muted\">");
    esc(h, name);
    g_string_append_printf(h, " &middot; %u alert%s</p>\n", alerts->len,
                           alerts->len == 1 ? "" : "s");
    CaseAccount *k = s->ops->account(s, q.account, &err);
    html_profile(h, k);
    case_account_free(k);
    g_string_append(h, "<h2>Alerts and why</h2>\n");
    for (guint i = 0; i < alerts->len; i++)
        html_alert(h, s, g_ptr_array_index(alerts, i));
    if (!html_flow(h, s, &q, &err) || !html_money(h, s, &q, &err) || !html_trace(h, s, &q, &err))
        return cmd_view_fail("report", err);
    html_timeline(h, alerts);
    html_provenance(h, v, alerts);
    g_string_append(h, "</body>\n</html>\n");
    rc = cmd_view_write("report", o->output, h);
    if (rc != EXIT_OK)
        return rc;
    fprintf(stderr, "report: %s (%u alerts) to %s\n", q.account, alerts->len, o->output);
    return EXIT_OK;
}

/* The checks of report's arguments and options, after parsing. */
static gboolean report_check(const CmdView *v)
{
    if (cmd_view_one_arg(v) && ((const ReportOptions *)v)->output)
        return TRUE;
    cmd_error("report", "give one account id and -o FILE.html");
    return FALSE;
}

static const CmdViewSpec spec = {
    .what = "report",
    .params = "ACCOUNT_ID",
    .summary = "Write a self-contained HTML case file on one account: profile, alerts and why,\n"
               "evidence tables, the flow picture (inline SVG), money by channel and month,\n"
               "top counterparties, where the money went (trace), the flagged periods, and the\n"
               "run and rules digest behind each alert.\n"
               "Data: --alerts FILE --data FILE... [--accounts FILE] or --db CONNINFO\n"
               "(see --help-store).",
    .range = TRUE,
    .check = report_check,
    .run = report_run,
};

int cmd_report(int argc, char **argv)
{
    ReportOptions o = {.hops = 2};
    GOptionEntry entries[] = {
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "the HTML file to write", "FILE"},
        {"hops", 'n', 0, G_OPTION_ARG_INT, &o.hops, "steps drawn around the account (default 2)",
         "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_view_main(&o.v, &spec, entries, argc, argv);
}
