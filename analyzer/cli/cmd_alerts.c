/* cmd_alerts.c: `moneytrail alerts`: the alerts of a scan as a table,
 * newest first, filtered by rule, typology, time, score and triage status;
 * --json gives one JSON object a line for scripts. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd_view.h"
#include "cli/cmd.h"
#include "base/tstamp.h"

typedef struct {
    CmdView v;
    char *rule, *typology, *since, *status, *account;
    double min_score;
    gboolean json;
} AlertsOptions;

static void print_json(const CaseAlert *a, GString *out)
{
    g_string_truncate(out, 0);
    if (a->json) {
        jval_write(a->json, out);
        g_string_truncate(out, out->len - 1);
        g_string_append(out, ",");
    } else {
        g_string_append(out, "{");
    }
    g_string_append(out, "\"status\":");
    jval_write_string(out, case_alert_status(a));
    g_string_append(out, "}\n");
    fputs(out->str, stdout);
}

/* WHEN(10) ALERT(16) RULE(12) SCORE(6) ACCOUNT(12) STATUS(12) TITLE(25): 99 columns. */
static void print_row(const CaseAlert *a, GString *out)
{
    char d[16], score[16];
    g_string_truncate(out, 0);
    cmd_view_cell(out, tstamp_format_date(a->window_end, d), 10, FALSE);
    g_string_append(out, " ");
    cmd_view_cell(out, a->id, 16, FALSE);
    g_string_append(out, " ");
    cmd_view_cell(out, a->rule, 12, FALSE);
    g_snprintf(score, sizeof score, "%g", a->score);
    cmd_view_cell(out, score, 6, TRUE);
    g_string_append(out, " ");
    cmd_view_cell(out, a->account, 12, FALSE);
    g_string_append(out, " ");
    cmd_view_cell(out, case_alert_status(a), 12, FALSE);
    g_string_append(out, " ");
    cmd_view_cell(out, a->title, 25, FALSE);
    while (out->len && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
    g_string_append_c(out, '\n');
    fputs(out->str, stdout);
}

static int alerts_run(CmdView *v)
{
    const AlertsOptions *o = (const AlertsOptions *)v;
    CaseFilter f;
    case_filter_init(&f);
    f.rule = o->rule;
    f.typology = o->typology;
    f.min_score = o->min_score;
    f.status = o->status;
    f.account = o->account;
    if (o->since && !case_parse_time(o->since, FALSE, &f.since)) {
        cmd_error("alerts", "--since '%s' is not a date (2024-03-01) or ISO 8601 time", o->since);
        return EXIT_USAGE;
    }
    g_autoptr(CaseStore) s = cmd_view_open(&o->v.store, "alerts");
    if (!s)
        return EXIT_DATA;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) list = s->ops->alerts(s, &f, &err);
    if (!list)
        return cmd_view_fail("alerts", err);
    g_autoptr(GString) out = g_string_new(NULL);
    if (!o->json)
        printf("%-10s %-16s %-12s %5s %-12s %-12s %s\n", "WHEN", "ALERT", "RULE", "SCORE",
               "ACCOUNT", "STATUS", "TITLE");
    for (guint i = 0; i < list->len; i++) {
        if (o->json)
            print_json(g_ptr_array_index(list, i), out);
        else
            print_row(g_ptr_array_index(list, i), out);
    }
    if (!o->json)
        printf("%u alert%s\n", list->len, list->len == 1 ? "" : "s");
    return EXIT_OK;
}

/* alerts takes no positional argument. */
static gboolean alerts_check(const CmdView *v)
{
    if (!v->args)
        return TRUE;
    cmd_error("alerts", "unexpected argument '%s' (see --help)", v->args[0]);
    return FALSE;
}

static const CmdViewSpec spec = {
    .what = "alerts",
    .params = "",
    .summary = "List alerts, newest first, in a table that fits 100 columns.",
    .check = alerts_check,
    .run = alerts_run,
};

int cmd_alerts(int argc, char **argv)
{
    AlertsOptions o = {.min_score = -1};
    GOptionEntry entries[] = {
        {"rule", 'r', 0, G_OPTION_ARG_STRING, &o.rule, "rule id, or a pattern like 'HT-SEX-*'",
         "RULE"},
        {"typology", 't', 0, G_OPTION_ARG_STRING, &o.typology,
         "typology, family (cash, network, ...) or rule prefix (HT-SEX)", "T"},
        {"since", 's', 0, G_OPTION_ARG_STRING, &o.since,
         "alerts whose window ends at or after D (2024-03-01 or ISO 8601)", "D"},
        {"min-score", 0, 0, G_OPTION_ARG_DOUBLE, &o.min_score, "alerts scoring at least S", "S"},
        {"status", 0, 0, G_OPTION_ARG_STRING, &o.status,
         "new, under-review, escalated or dismissed", "S"},
        {"account", 0, 0, G_OPTION_ARG_STRING, &o.account, "alerts on one account", "ID"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &o.json,
         "one JSON object a line (the alert, with its status)", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_view_main(&o.v, &spec, entries, argc, argv);
}
