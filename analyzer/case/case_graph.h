/* case_graph.h: the flow around an account as a Graphviz graph.
 *
 * Nodes are accounts (the subject drawn bold, accounts with alerts filled
 * and labelled with their rules and typology role, businesses as boxes,
 * accounts without KYC dashed, cash as small notes); edges are the money
 * between two accounts summed, weighted by amount and labelled with the
 * total, the count and the dates. To stay readable, at most
 * CASE_GRAPH_MAX_NODES nodes are drawn: the accounts that moved the most
 * money, the rest merged into one "other accounts" node. */
#ifndef MT_CASE_GRAPH_H
#define MT_CASE_GRAPH_H

#include <glib.h>

#include "case/case.h"

#define CASE_GRAPH_MAX_NODES 50

typedef struct {
    const char *account;
    guint hops;
    gint64 from, to;
} GraphQuery;

/* Writes the DOT text of the flow around q->account into dot. Returns
 * FALSE with error set. n_nodes (may be NULL) receives the nodes drawn. */
gboolean case_graph_dot(CaseStore *s, const GraphQuery *q, GString *dot, guint *n_nodes,
                        GError **error);
/* Lays out dot with Graphviz `dot -Tsvg` and appends the SVG to svg. */
gboolean case_graph_svg(const char *dot, GString *svg, GError **error);

#endif
