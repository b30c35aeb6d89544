/* cmd_cases.c: `moneytrail cases`: the investigator's queue. Alerts are
 * grouped per customer (case/case_queue.h), per account or per network
 * (--by), ranked by decayed score (or
 * --sort), filtered by the time of their alerts (--since, relative dates
 * allowed) and the case status (several, comma-separated), and paged with
 * --limit and --offset; --json gives one object a line. */
#include <stdio.h>
#include <string.h>

#include "case/case_network.h"
#include "case/case_queue.h"
#include "cli/cmd_view.h"
#include "cli/cmd.h"
#include "base/tstamp.h"

typedef struct {
    CmdView v;
    char *sort, *since, *status, *half_life, *by;
    gint limit, offset;
    gboolean json;
} CasesOptions;

static void print_json(const CaseEntry *e, GString *out)
{
    char t0[32], t1[32], score[32];
    g_string_append(out, "{\"case\":");
    jval_write_string(out, e->id);
    g_string_append(out, ",\"accounts\":[");
    for (guint i = 0; i < e->accounts->len; i++) {
        if (i)
            g_string_append_c(out, ',');
        jval_write_string(out, g_ptr_array_index(e->accounts, i));
    }
    g_snprintf(score, sizeof score, "%.2f", e->score);
    g_string_append_printf(out, "],\"score\":%s,\"top\":%g,\"alerts\":%u,\"new\":%u,\"strongest\":",
                           score, e->top, e->alerts, e->fresh);
    jval_write_string(out, e->strongest);
    const char *keys[] = {"role", "status", "assignee", "first", "last"};
    const char *vals[] = {e->role, e->status, e->assignee, tstamp_format_utc(e->first, t0),
                          tstamp_format_utc(e->last, t1)};
    for (gsize i = 0; i < G_N_ELEMENTS(keys); i++) {
        g_string_append_printf(out, ",\"%s\":", keys[i]);
        if (vals[i])
            jval_write_string(out, vals[i]);
        else
            g_string_append(out, "null");
    }
    for (guint i = 0; e->joins && i < e->joins->len; i++) {
        const CaseJoin *j = g_ptr_array_index(e->joins, i);
        g_string_append(out, i ? ",{\"a\":" : ",\"joins\":[{\"a\":");
        jval_write_string(out, j->a);
        g_string_append(out, ",\"b\":");
        jval_write_string(out, j->b);
        g_string_append_printf(out, ",\"via\":\"%s\"}", j->via);
    }
    if (e->joins)
        g_string_append(out, e->joins->len ? "]" : ",\"joins\":[]");
    for (guint i = 0; e->hubs && i < e->hubs->len; i++) {
        g_string_append(out, i ? "," : ",\"hubs\":[");
        jval_write_string(out, g_ptr_array_index(e->hubs, i));
    }
    if (e->hubs && e->hubs->len)
        g_string_append_c(out, ']');
    g_string_append(out, "}\n");
}

/* The joins of a network, wrapped at 100 columns: at most MAX_JOINS, then
 * how many more. */
#define MAX_JOINS 12
static void print_joins(const CaseEntry *e, GString *out)
{
    g_string_append(out, "  joined by:");
    gsize line = out->len - strlen("  joined by:");
    for (guint i = 0; i < e->joins->len && i < MAX_JOINS; i++) {
        const CaseJoin *j = g_ptr_array_index(e->joins, i);
        g_autofree char *one = g_strdup_printf(" %s-%s %s", j->a, j->b, j->via);
        if (i)
            g_string_append_c(out, ',');
        if (i && out->len - line + strlen(one) > 99) {
            g_string_append(out, "\n            ");
            line = out->len - strlen("            ");
        }
        g_string_append(out, one);
    }
    if (e->joins->len > MAX_JOINS)
        g_string_append_printf(out, " and %u more", e->joins->len - MAX_JOINS);
    g_string_append_c(out, '\n');
}

/* The lines under a network: its accounts and top alert score, the joins
 * that hold it together, and its hubs. */
static void print_network(const CaseEntry *e, GString *out)
{
    g_string_append_printf(out, "  %u account%s, top alert score %g:", e->accounts->len,
                           e->accounts->len == 1 ? "" : "s", e->top);
    for (guint i = 0; i < e->accounts->len; i++)
        g_string_append_printf(out, " %s", (char *)g_ptr_array_index(e->accounts, i));
    g_string_append_c(out, '\n');
    if (e->joins->len)
        print_joins(e, out);
    if (!e->hubs->len)
        return;
    g_string_append_printf(out,
                           "  hubs (a business with more than %d, or an account with more than %d "
                           "flagged evidence partners: not a link):",
                           CASE_NETWORK_HUB_BUSINESS, CASE_NETWORK_HUB);
    for (guint i = 0; i < e->hubs->len; i++)
        g_string_append_printf(out, " %s", (char *)g_ptr_array_index(e->hubs, i));
    g_string_append_c(out, '\n');
}

/* CASE(11) SCORE(5) ALERTS(6) NEW(3) STRONGEST(11) ROLE(15) STATUS(12)
 * ASSIGNEE(8) FIRST(10) LAST(10): 100 columns; a second line names the
 * accounts when the case is a customer. */
static void print_row(const CaseEntry *e, GString *out)
{
    static const guint w[] = {11, 5, 6, 3, 11, 15, 12, 8, 10, 10};
    char score[16], n[16], fresh[16], d0[16], d1[16];
    g_snprintf(score, sizeof score, "%.1f", e->score);
    g_snprintf(n, sizeof n, "%u", e->alerts);
    g_snprintf(fresh, sizeof fresh, "%u", e->fresh);
    const char *cells[] = {e->id,
                           score,
                           n,
                           fresh,
                           e->strongest,
                           e->role ? e->role : "-",
                           e->status,
                           e->assignee ? e->assignee : "-",
                           tstamp_format_date(e->first, d0),
                           tstamp_format_date(e->last, d1)};
    for (gsize k = 0; k < G_N_ELEMENTS(w); k++) {
        if (k)
            g_string_append_c(out, ' ');
        if (k == 0 || k == 4) /* the case and the strongest rule: ids, never cut */
            cmd_view_id_cell(out, cells[k], w[k]);
        else
            cmd_view_cell(out, cells[k], w[k], k >= 1 && k <= 3);
    }
    while (out->len && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
    g_string_append_c(out, '\n');
    if (e->joins) {
        print_network(e, out);
        return;
    }
    if (e->accounts->len == 1 && strcmp(e->id, g_ptr_array_index(e->accounts, 0)) == 0)
        return;
    g_string_append(out, "  accounts:");
    for (guint i = 0; i < e->accounts->len; i++)
        g_string_append_printf(out, " %s", (char *)g_ptr_array_index(e->accounts, i));
    g_string_append_c(out, '\n');
}

/* The cases whose status is in the list, from offset, at most limit. */
static void print_cases(const CasesOptions *o, CaseBy by, GPtrArray *cases, guint muted)
{
    static const char *const heads[] = {"CASE", "ACCOUNT", "NETWORK"};
    static const char *const nouns[] = {"case", "account", "network"};
    g_autoptr(GString) out = g_string_new(NULL);
    if (!o->json)
        g_string_append_printf(out,
                               "%-11s SCORE ALERTS NEW STRONGEST   ROLE            STATUS       "
                               "ASSIGNEE FIRST      LAST\n",
                               heads[by]);
    guint shown = 0, matched = 0;
    for (guint i = 0; i < cases->len; i++) {
        const CaseEntry *e = g_ptr_array_index(cases, i);
        if (o->status && !case_status_in(o->status, e->status))
            continue;
        if (matched++ < (guint)o->offset || (o->limit > 0 && shown >= (guint)o->limit))
            continue;
        shown++;
        if (o->json)
            print_json(e, out);
        else
            print_row(e, out);
    }
    if (!o->json) {
        g_string_append_printf(out, "%u of %u %s%s", shown, matched, nouns[by],
                               matched == 1 ? "" : "s");
        if (muted)
            g_string_append_printf(out, "; %u alert%s kept out by mutes", muted,
                                   muted == 1 ? "" : "s");
        g_string_append_c(out, '\n');
    }
    cmd_view_print(out);
}

static int cases_run(CmdView *v)
{
    const CasesOptions *o = (const CasesOptions *)v;
    CaseFilter f;
    case_filter_init(&f);
    CaseSort sort = CASE_SORT_SCORE;
    CaseBy by = CASE_BY_CUSTOMER;
    gint64 half_life = 30 * 86400;
    if (o->sort && !case_sort_parse(o->sort, &sort)) {
        cmd_error("cases", "--sort '%s' is not score, last, first, alerts or new", o->sort);
        return EXIT_USAGE;
    }
    if (o->by && !case_by_parse(o->by, &by)) {
        cmd_error("cases", "--by '%s' is not customer, account or network", o->by);
        return EXIT_USAGE;
    }
    if (o->since &&
        !case_parse_when(o->since, FALSE, g_get_real_time() / G_USEC_PER_SEC, &f.since)) {
        cmd_error("cases", "--since '%s' is not a date, today, yesterday or a duration (7d)",
                  o->since);
        return EXIT_USAGE;
    }
    if (o->half_life && !case_parse_duration(o->half_life, &half_life)) {
        cmd_error("cases", "--half-life '%s' is not a duration (30d)", o->half_life);
        return EXIT_USAGE;
    }
    if (o->limit < 0 || o->offset < 0) {
        cmd_error("cases", "--limit and --offset take a number >= 0");
        return EXIT_USAGE;
    }
    g_autoptr(CaseStore) s = cmd_view_open(&o->v.store, "cases");
    if (!s)
        return EXIT_DATA;
    g_autoptr(CaseQueue) q = case_queue_new(s, half_life);
    g_autoptr(GError) err = NULL;
    if (!s->ops->each_alert(s, &f, case_queue_add, q, &err))
        return cmd_view_fail("cases", err);
    guint muted = 0;
    g_autoptr(GPtrArray) cases = case_queue_cases(q, sort, by, &muted, &err);
    if (!cases)
        return cmd_view_fail("cases", err);
    print_cases(o, by, cases, muted);
    return EXIT_OK;
}

static const CmdViewSpec spec = {
    .what = "cases",
    .params = "",
    .summary = "The queue: alerts grouped per customer (KYC customer_id, else the account),\n"
               "highest decayed score first. SCORE sums the alerts' scores, each halved every\n"
               "half-life back from the newest alert; STRONGEST is the strongest typology (else\n"
               "rule) with its ROLE; NEW counts the alerts nobody has triaged. Alerts muted by a\n"
               "dismissal (alert --mute) stay out of the queue until the mute ends.\n"
               "--by network joins the flagged accounts that paid each other or share a\n"
               "customer id, phone, e-mail or address into one case per network.\n"
               "Data: --alerts FILE [--accounts FILE] or --db CONNINFO (see --help-store);\n"
               "--by network also needs the transactions: --data FILE or --db.",
    .check = cmd_view_no_args,
    .run = cases_run,
};

int cmd_cases(int argc, char **argv)
{
    CasesOptions o = {0};
    GOptionEntry entries[] = {
        {"sort", 0, 0, G_OPTION_ARG_STRING, &o.sort, "score (default), last, first, alerts or new",
         "KEY"},
        {"limit", 'n', 0, G_OPTION_ARG_INT, &o.limit, "show at most N cases", "N"},
        {"offset", 0, 0, G_OPTION_ARG_INT, &o.offset, "skip the first N cases (paging)", "N"},
        {"since", 's', 0, G_OPTION_ARG_STRING, &o.since,
         "only alerts whose window ends at or after D (2024-03-01, yesterday, 7d)", "D"},
        {"status", 0, 0, G_OPTION_ARG_STRING, &o.status,
         "cases in these statuses: new,under-review,escalated,dismissed", "S,..."},
        {"by", 0, 0, G_OPTION_ARG_STRING, &o.by, "group per customer (default), account or network",
         "customer|account|network"},
        {"half-life", 0, 0, G_OPTION_ARG_STRING, &o.half_life,
         "halve an alert's weight every DUR back from the newest (default 30d)", "DUR"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &o.json, "one JSON object a line", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_view_main(&o.v, &spec, entries, argc, argv);
}
