/* cmd_graph.c: `moneytrail graph ID -o flow.svg|flow.dot`: a picture of
 * the money around an account, laid out with Graphviz (see case_graph.h
 * for what the marks mean). */
#include <stdio.h>
#include <string.h>

#include "case/case_graph.h"
#include "cli/cmd_view.h"
#include "cli/cmd.h"

typedef struct {
    CmdView v;
    char *output;
    gint hops;
} GraphOptions;

/* The checks of graph's own options, after parsing. */
static gboolean graph_check(const CmdView *v)
{
    const GraphOptions *o = (const GraphOptions *)v;
    if (!o->output ||
        !(g_str_has_suffix(o->output, ".svg") || g_str_has_suffix(o->output, ".dot"))) {
        cmd_error("graph", "give -o FILE.svg or -o FILE.dot");
        return FALSE;
    }
    if (o->hops < 1 || o->hops > 6) {
        cmd_error("graph", "--hops must be 1 to 6");
        return FALSE;
    }
    return TRUE;
}

static int graph_run(CmdView *v)
{
    const GraphOptions *o = (const GraphOptions *)v;
    GraphQuery q = {.account = v->args[0], .hops = (guint)o->hops};
    int rc;
    g_autoptr(CaseStore) s = cmd_view_open_account(v, &q.from, &q.to, &rc);
    if (!s)
        return rc;
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) dot = g_string_new(NULL);
    g_autoptr(GString) svg = g_string_new(NULL);
    GraphStats st;
    if (!case_graph_dot(s, &q, dot, &st, &err))
        return cmd_view_fail("graph", err);
    gboolean want_svg = g_str_has_suffix(o->output, ".svg");
    if (want_svg && !case_graph_svg(dot->str, svg, &err))
        return cmd_view_fail("graph", err);
    rc = cmd_view_write("graph", o->output, want_svg ? svg : dot);
    if (rc != EXIT_OK)
        return rc;
    if (st.busy)
        fprintf(stderr, "graph: %s has more than %d counterparties: drawn one hop deep, not %d\n",
                q.account, CASE_GRAPH_BUSY, o->hops);
    fprintf(stderr, "graph: %u nodes around %s to %s\n", st.nodes, q.account, o->output);
    return EXIT_OK;
}

static const CmdViewSpec spec = {
    .what = "graph",
    .params = "ACCOUNT_ID",
    .summary = "Draw the money around an account: accounts as nodes (the subject bold, accounts\n"
               "with alerts filled and labelled with their rules and role, businesses as boxes,\n"
               "accounts without KYC dashed), money between two accounts as one edge, as thick\n"
               "as its total, labelled with the total, the count and the dates. At most 50\n"
               "nodes, by relevance: the subject, accounts with alerts or a role, the\n"
               "counterparties of its evidence; merchants, utilities and payroll payers as one\n"
               "node per kind; the rest by money moved, then one 'other accounts' node. A busy\n"
               "account (over 200 counterparties) is drawn one hop deep; Graphviz gets 20 s.\n"
               "Data: --data FILE... [--alerts FILE] [--accounts FILE] or --db CONNINFO\n"
               "(see --help-store).",
    .one_arg = "give exactly one account id",
    .check = graph_check,
    .run = graph_run,
};

int cmd_graph(int argc, char **argv)
{
    GraphOptions o = {.hops = 2};
    GOptionEntry entries[] = {
        {"hops", 'n', 0, G_OPTION_ARG_INT, &o.hops, "accounts this many steps away (default 2)",
         "N"},
        cmd_view_option(&o.v, "from", NULL),
        cmd_view_option(&o.v, "to", NULL),
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
         "FILE.svg (laid out by Graphviz) or FILE.dot (the graph as text)", "FILE"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_view_main(&o.v, &spec, entries, argc, argv);
}
