/* cmd_alerts.c: `moneytrail alerts`: the alerts of a scan as a table,
 * newest first (or --sort), filtered by rule, typology, time (relative
 * dates allowed), score and triage statuses, paged with --limit and
 * --offset; --json gives one JSON object a line for scripts, with the
 * triage status, assignee and history. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd_view.h"
#include "cli/cmd.h"
#include "case/case_queue.h"
#include "base/tstamp.h"

typedef struct {
    CmdView v;
    char *rule, *typology, *since, *status, *account, *sort;
    double min_score;
    gint limit, offset;
    gboolean json;
    gboolean shadow; /* --shadow: the alerts of shadow rules too */
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
    if (case_alert_assignee(a)) {
        g_string_append(out, ",\"assignee\":");
        jval_write_string(out, case_alert_assignee(a));
    }
    if (a->triage->len) {
        g_string_append(out, ",\"triage\":[");
        for (guint i = 0; i < a->triage->len; i++) {
            if (i)
                g_string_append_c(out, ',');
            case_triage_write_json(g_ptr_array_index(a->triage, i), out);
        }
        g_string_append_c(out, ']');
    }
    g_string_append(out, "}\n");
    fputs(out->str, stdout);
}

/* WHEN(10) ALERT(16) RULE(11) SCORE(5) ACCOUNT(12) ROLE(15) STATUS(12),
 * then the whole title: the columns before it fit 88. */
static void print_row(const CaseAlert *a, GString *out)
{
    static const guint w[] = {10, 16, 11, 5, 12, 15, 12};
    char d[16], score[16];
    g_snprintf(score, sizeof score, "%g", a->score);
    const char *cells[] = {tstamp_format_date(a->window_end, d),
                           a->id,
                           a->rule,
                           score,
                           a->account,
                           a->role ? a->role : "-",
                           case_alert_status(a)};
    g_string_truncate(out, 0);
    for (gsize k = 0; k < G_N_ELEMENTS(w); k++) {
        if (k == 2 || k == 4) /* the rule and the account: ids, never cut */
            cmd_view_id_cell(out, cells[k], w[k]);
        else
            cmd_view_cell(out, cells[k], w[k], k == 3);
        g_string_append_c(out, ' ');
    }
    g_string_append(out, a->title);
    while (out->len && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
    g_string_append_c(out, '\n');
    cmd_view_print(out);
}

static gint cmp_score(gconstpointer pa, gconstpointer pb)
{
    const CaseAlert *a = *(CaseAlert *const *)pa, *b = *(CaseAlert *const *)pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->window_end != b->window_end)
        return a->window_end > b->window_end ? -1 : 1;
    return strcmp(a->id, b->id);
}

static gint cmp_oldest(gconstpointer pa, gconstpointer pb)
{
    const CaseAlert *a = *(CaseAlert *const *)pa, *b = *(CaseAlert *const *)pb;
    if (a->window_end != b->window_end)
        return a->window_end < b->window_end ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Orders by account, then newest first (the store's order, kept: stable). */
static gint cmp_account(gconstpointer pa, gconstpointer pb)
{
    return strcmp((*(CaseAlert *const *)pa)->account, (*(CaseAlert *const *)pb)->account);
}

/* Drops from list the alerts of shadow rules ("shadow": true): stored for
 * measuring a rule before it ships, kept out of the queue unless asked. */
static void drop_shadow(GPtrArray *list)
{
    for (guint i = list->len; i-- > 0;) {
        if (case_alert_shadow(g_ptr_array_index(list, i)))
            g_ptr_array_remove_index(list, i);
    }
}

/* Sorts the store's newest-first list by key; FALSE if key is unknown. */
static gboolean sort_alerts(GPtrArray *list, const char *key)
{
    static const struct {
        const char *name;
        GCompareFunc cmp;
    } keys[] = {
        {"newest", NULL}, {"oldest", cmp_oldest}, {"score", cmp_score}, {"account", cmp_account}};
    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
        if (strcmp(key, keys[i].name) != 0)
            continue;
        if (keys[i].cmp)
            g_ptr_array_sort(list, keys[i].cmp); /* stable: ties keep newest first */
        return TRUE;
    }
    return FALSE;
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
    if (o->since &&
        !case_parse_when(o->since, FALSE, g_get_real_time() / G_USEC_PER_SEC, &f.since)) {
        cmd_error("alerts", "--since '%s' is not a date, today, yesterday or a duration (7d)",
                  o->since);
        return EXIT_USAGE;
    }
    if (o->limit < 0 || o->offset < 0) {
        cmd_error("alerts", "--limit and --offset take a number >= 0");
        return EXIT_USAGE;
    }
    g_autoptr(CaseStore) s = cmd_view_open(&o->v.store, "alerts");
    if (!s)
        return EXIT_DATA;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) list = s->ops->alerts(s, &f, &err);
    if (!list)
        return cmd_view_fail("alerts", err);
    if (!o->shadow)
        drop_shadow(list);
    if (o->sort && !sort_alerts(list, o->sort)) {
        cmd_error("alerts", "--sort '%s' is not newest, oldest, score or account", o->sort);
        return EXIT_USAGE;
    }
    g_autoptr(GString) out = g_string_new(NULL);
    if (!o->json)
        printf("%-10s %-16s %-11s %5s %-12s %-15s %-12s %s\n", "WHEN", "ALERT", "RULE", "SCORE",
               "ACCOUNT", "ROLE", "STATUS", "TITLE");
    guint end = o->limit ? MIN(list->len, (guint)o->offset + (guint)o->limit) : list->len;
    for (guint i = (guint)o->offset; i < end; i++) {
        if (o->json)
            print_json(g_ptr_array_index(list, i), out);
        else
            print_row(g_ptr_array_index(list, i), out);
    }
    guint shown = end > (guint)o->offset ? end - (guint)o->offset : 0;
    if (!o->json && shown == list->len)
        printf("%u alert%s\n", list->len, list->len == 1 ? "" : "s");
    else if (!o->json)
        printf("%u of %u alerts (from %d)\n", shown, list->len, o->offset + 1);
    return EXIT_OK;
}

static const CmdViewSpec spec = {
    .what = "alerts",
    .params = "",
    .summary = "List alerts, newest first (or --sort), with the role an account plays and the\n"
               "whole title. Dates may be relative: --since yesterday, --since 7d.\n"
               "Data: --alerts FILE or --db CONNINFO (see --help-store).",
    .check = cmd_view_no_args,
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
         "alerts whose window ends at or after D (2024-03-01, yesterday, 7d)", "D"},
        {"min-score", 0, 0, G_OPTION_ARG_DOUBLE, &o.min_score, "alerts scoring at least S", "S"},
        {"status", 0, 0, G_OPTION_ARG_STRING, &o.status,
         "new, under-review, escalated or dismissed; several with commas", "S,..."},
        {"sort", 0, 0, G_OPTION_ARG_STRING, &o.sort, "newest (default), oldest, score or account",
         "KEY"},
        {"limit", 'n', 0, G_OPTION_ARG_INT, &o.limit, "show at most N alerts", "N"},
        {"offset", 0, 0, G_OPTION_ARG_INT, &o.offset, "skip the first N alerts (paging)", "N"},
        {"account", 0, 0, G_OPTION_ARG_STRING, &o.account, "alerts on one account", "ID"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &o.json,
         "one JSON object a line (the alert, with its status)", NULL},
        {"shadow", 0, 0, G_OPTION_ARG_NONE, &o.shadow,
         "the alerts of shadow rules too (kept out by default)", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_view_main(&o.v, &spec, entries, argc, argv);
}
