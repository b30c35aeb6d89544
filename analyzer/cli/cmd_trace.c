/* cmd_trace.c: `moneytrail trace ID --within 7d`: where the money an
 * account sent went (or, with --direction in, where the money it received
 * came from), along time-respecting paths with amounts carried forward in
 * proportion (the algorithm is documented in case_trace.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "case/case_trace.h"
#include "cli/cmd_view.h"
#include "cli/cmd.h"
#include "base/tstamp.h"

typedef struct {
    CmdView v;
    char *within, *direction;
    gint hops, top, max_accounts;
    gdouble min_share;
} TraceOptions;

/* The checks of trace's own options, after parsing. */
static gboolean trace_check(const CmdView *v)
{
    const TraceOptions *o = (const TraceOptions *)v;
    if (o->hops < 1 || o->hops > CASE_TRACE_MAX_HOPS || o->top < 0) {
        cmd_error("trace", "--hops must be 1 to %d and --top 0 or more", CASE_TRACE_MAX_HOPS);
        return FALSE;
    }
    if (o->min_share < 0 || o->min_share > 100 || o->max_accounts < 0) {
        cmd_error("trace", "--min-share must be 0 to 100 (percent) and --max-accounts 0 or more");
        return FALSE;
    }
    if (o->direction && strcmp(o->direction, "in") && strcmp(o->direction, "out")) {
        cmd_error("trace", "--direction '%s' is not out or in", o->direction);
        return FALSE;
    }
    return TRUE;
}

static const char *money_d(double minor, int exp, char *buf)
{
    return cmd_view_money((gint64)llround(minor), exp, buf);
}

static double share(const TraceResult *r, double v)
{
    return r->origin > 0 ? 100.0 * v / r->origin : 0.0;
}

static void print_result(CaseStore *s, const TraceQuery *q, const TraceResult *r, guint top,
                         GString *out)
{
    char a[32], b[32], c[32];
    g_string_append_printf(out, "%s %s, within %s, at most %u hops\n",
                           q->backward ? "where the money received by" : "where the money sent by",
                           q->account, tstamp_format_duration(q->within, c, sizeof c), q->hops);
    g_string_append_printf(out, "%s: %s %s in %u transaction%s\n",
                           q->backward ? "traced back" : "traced", money_d(r->origin, r->exp, a),
                           r->currency, r->n_seeds, r->n_seeds == 1 ? "" : "s");
    if (r->mixed)
        g_string_append(out, "note: the paths mix currencies; amounts are not converted\n");
    if (r->capped)
        g_string_append_printf(out,
                               "note: %u transactions received more traced money than "
                               "their amount and were capped\n",
                               r->capped);
    if (r->unfollowed)
        g_string_append_printf(out,
                               "note: %u account%s not followed (under %g%% of the traced amount "
                               "each, or past %u accounts); %s (%.2f%%) stayed there\n",
                               r->unfollowed, r->unfollowed == 1 ? " was" : "s were",
                               100 * q->min_share, q->max_accounts,
                               money_d(r->unfollowed_stayed, r->exp, a),
                               share(r, r->unfollowed_stayed));
    if (r->hubs)
        g_string_append_printf(out,
                               "note: %u account%s passed money on in more than %d payments within "
                               "the window and %s not followed through: what reached %s stays\n",
                               r->hubs, r->hubs == 1 ? "" : "s", CASE_TRACE_MAX_FANOUT,
                               r->hubs == 1 ? "was" : "were", r->hubs == 1 ? "it" : "them");
    g_string_append_printf(out, "\n%-14s %-26s %3s %15s %7s %15s\n", "ACCOUNT", "NAME", "HOP",
                           q->backward ? "CAME FROM" : "ARRIVED", "SHARE",
                           q->backward ? "STARTED" : "STAYED");
    double rest_arrived = 0, rest_stayed = 0;
    for (guint i = top; i < r->reached->len; i++) {
        const TraceReach *x = g_ptr_array_index(r->reached, i);
        rest_arrived += x->arrived;
        rest_stayed += x->stayed;
    }
    for (guint i = 0; i < r->reached->len && i < top; i++) {
        const TraceReach *x = g_ptr_array_index(r->reached, i);
        g_autofree char *name = case_display_name(s, x->account);
        cmd_view_cell(out, x->account, 14, FALSE);
        g_string_append_c(out, ' ');
        cmd_view_cell(out, strcmp(name, x->account) ? name : "", 26, FALSE);
        g_string_append_printf(out, " %3u %15s %6.2f%% %15s\n", x->hop,
                               money_d(x->arrived, r->exp, a), share(r, x->arrived),
                               money_d(x->stayed, r->exp, b));
    }
    if (r->reached->len > top) {
        g_autofree char *more = g_strdup_printf("%u more accounts", r->reached->len - top);
        g_string_append_printf(out, "%-45s %15s %6.2f%% %15s\n", more,
                               money_d(rest_arrived, r->exp, a), share(r, rest_arrived),
                               money_d(rest_stayed, r->exp, b));
    }
    g_string_append_printf(out,
                           "\npaths that carried the most (the amount that %s the "
                           "last account)\n",
                           q->backward ? "started at" : "stayed at");
    for (guint i = 0; i < r->paths->len; i++) {
        const TracePath *p = g_ptr_array_index(r->paths, i);
        g_string_append_printf(out, "  %6.2f%% %15s  %s\n", share(r, p->stayed),
                               money_d(p->stayed, r->exp, a), p->accounts);
    }
}

static int trace_run(CmdView *v)
{
    const TraceOptions *o = (const TraceOptions *)v;
    TraceQuery q = {.account = v->args[0],
                    .hops = (guint)o->hops,
                    .min_share = o->min_share / 100,
                    .max_accounts = (guint)o->max_accounts};
    q.backward = o->direction && strcmp(o->direction, "in") == 0;
    const char *w = o->within ? o->within : "7d";
    if (!tstamp_parse_duration(w, strlen(w), &q.within) || q.within <= 0) {
        cmd_error("trace", "--within '%s' is not a duration like 48h or 7d", w);
        return EXIT_USAGE;
    }
    int rc;
    g_autoptr(CaseStore) s = cmd_view_open_account(v, &q.from, &q.to, &rc);
    if (!s)
        return rc;
    g_autoptr(GError) err = NULL;
    g_autoptr(TraceResult) r = case_trace_run(s, &q, (guint)o->top, &err);
    if (!r)
        return cmd_view_fail("trace", err);
    g_autoptr(GString) out = g_string_new(NULL);
    print_result(s, &q, r, (guint)o->top, out);
    cmd_view_print(out);
    return EXIT_OK;
}

static const CmdViewSpec spec = {
    .what = "trace",
    .params = "ACCOUNT_ID",
    .summary = "Follow the money an account sent (or received) along time-respecting paths:\n"
               "each hop after the one before and within --within of it, amounts carried on in\n"
               "proportion to what each account passed on. Shows the share of the traced amount\n"
               "that reached and stayed at each account, and the paths that carried the most.\n"
               "Bounded: an account is followed only when at least --min-share of the traced\n"
               "amount reached it, at most --max-accounts of them (the most first); what\n"
               "reaches the others stays there, and a note says how much.\n"
               "Data: --data FILE... [--accounts FILE] or --db CONNINFO (see --help-store).",
    .one_arg = "give exactly one account id",
    .check = trace_check,
    .run = trace_run,
};

int cmd_trace(int argc, char **argv)
{
    TraceOptions o = {.hops = 3,
                      .top = 10,
                      .min_share = 100 * CASE_TRACE_MIN_SHARE,
                      .max_accounts = CASE_TRACE_MAX_ACCOUNTS};
    GOptionEntry entries[] = {
        {"within", 'w', 0, G_OPTION_ARG_STRING, &o.within,
         "time from receiving money to passing it on (default 7d)", "DUR"},
        {"hops", 'n', 0, G_OPTION_ARG_INT, &o.hops, "longest path in transactions (default 3)",
         "N"},
        {"direction", 0, 0, G_OPTION_ARG_STRING, &o.direction,
         "out: where the money went (default); in: where it came from", "out|in"},
        cmd_view_option(&o.v, "from", "first day of the traced transactions"),
        cmd_view_option(&o.v, "to", "last day of the traced transactions"),
        {"top", 0, 0, G_OPTION_ARG_INT, &o.top, "accounts and paths to show (default 10)", "N"},
        {"min-share", 0, 0, G_OPTION_ARG_DOUBLE, &o.min_share,
         "follow an account only if this percent of the traced amount reached it (default 0.1)",
         "PCT"},
        {"max-accounts", 0, 0, G_OPTION_ARG_INT, &o.max_accounts,
         "follow at most N accounts (default 500; 0: no bound)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_view_main(&o.v, &spec, entries, argc, argv);
}
