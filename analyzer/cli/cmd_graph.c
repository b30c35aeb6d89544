/* cmd_graph.c: `moneytrail graph ID -o flow.svg|flow.dot`: a picture of
 * the money around an account, laid out with Graphviz (see case_graph.h
 * for what the marks mean). */
#include <stdio.h>
#include <string.h>

#include "case/case_graph.h"
#include "cli/cmd_view.h"
#include "cli/cmd.h"

typedef struct {
    CmdViewOptions store;
    char *from, *to, *output;
    gint hops;
    char **args;
} GraphOptions;

static gboolean graph_parse(GraphOptions *o, int argc, char **argv)
{
    o->hops = 2;
    GOptionEntry entries[] = {
        {"hops", 'n', 0, G_OPTION_ARG_INT, &o->hops, "accounts this many steps away (default 2)",
         "N"},
        {"from", 0, 0, G_OPTION_ARG_STRING, &o->from, "first day (2024-03-01)", "D"},
        {"to", 0, 0, G_OPTION_ARG_STRING, &o->to, "last day (2024-03-31)", "D"},
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &o->output,
         "FILE.svg (laid out by Graphviz) or FILE.dot (the graph as text)", "FILE"},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->args, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("ACCOUNT_ID");
    g_option_context_set_summary(
        ctx, "Draw the money around an account: accounts as nodes (the subject bold, accounts\n"
             "with alerts filled and labelled with their rules and role, businesses as boxes,\n"
             "accounts without KYC dashed), money between two accounts as one edge, as thick\n"
             "as its total, labelled with the total, the count and the dates. At most 50\n"
             "nodes: the rest are merged into one 'other accounts' node.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    cmd_view_add_store_options(ctx, &o->store);
    if (!cmd_parse_options(ctx, &argc, &argv, "graph"))
        return FALSE;
    if (!o->args || g_strv_length(o->args) != 1) {
        cmd_error("graph", "give exactly one account id");
        return FALSE;
    }
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

static int graph_run(GraphOptions *o)
{
    GraphQuery q = {.account = o->args[0], .hops = (guint)o->hops};
    if (!cmd_view_range("graph", o->from, o->to, &q.from, &q.to))
        return EXIT_USAGE;
    g_autoptr(CaseStore) s = cmd_view_open(&o->store, "graph");
    if (!s)
        return EXIT_DATA;
    int rc = cmd_view_require_account(s, "graph", q.account);
    if (rc != EXIT_OK)
        return rc;
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) dot = g_string_new(NULL);
    g_autoptr(GString) svg = g_string_new(NULL);
    guint n = 0;
    if (!case_graph_dot(s, &q, dot, &n, &err))
        return cmd_view_fail("graph", err);
    gboolean want_svg = g_str_has_suffix(o->output, ".svg");
    if (want_svg && !case_graph_svg(dot->str, svg, &err))
        return cmd_view_fail("graph", err);
    GString *text = want_svg ? svg : dot;
    if (!g_file_set_contents(o->output, text->str, (gssize)text->len, &err))
        return cmd_view_fail("graph", err);
    fprintf(stderr, "graph: %u nodes around %s to %s\n", n, q.account, o->output);
    return EXIT_OK;
}

int cmd_graph(int argc, char **argv)
{
    GraphOptions o = {0};
    int rc = graph_parse(&o, argc, argv) ? graph_run(&o) : EXIT_USAGE;
    cmd_view_options_clear(&o.store);
    g_free(o.from);
    g_free(o.to);
    g_free(o.output);
    g_strfreev(o.args);
    return rc;
}
