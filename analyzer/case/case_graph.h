/* case_graph.h: the flow around an account as a Graphviz graph.
 *
 * Nodes are accounts (the subject drawn bold, accounts with alerts filled
 * and labelled with their rules and typology role, businesses as boxes,
 * accounts without KYC dashed, cash as small notes); edges are the money
 * between two accounts summed, weighted by amount and labelled with the
 * total, the count and the first and last date, one edge per pair and
 * direction. To stay readable, at most CASE_GRAPH_MAX_NODES nodes are
 * drawn, chosen by relevance: always the subject, the accounts with a role
 * ("possible victim", "controller") or with alerts, and the counterparties
 * of the subject's evidence; merchants, utilities and payroll payers that
 * none of that keeps collapse into one node per kind; then the accounts
 * that moved the most money, the rest merged into one "other accounts"
 * node. A busy subject (more than CASE_GRAPH_BUSY counterparties) is drawn
 * one hop deep; Graphviz gets CASE_GRAPH_DOT_SECONDS to lay it out. */
#ifndef MT_CASE_GRAPH_H
#define MT_CASE_GRAPH_H

#include <glib.h>

#include "case/case.h"

#define CASE_GRAPH_MAX_NODES   50
#define CASE_GRAPH_BUSY        200  /* counterparties beyond which one hop is drawn */
#define CASE_GRAPH_MAX_EXPAND  2000 /* accounts whose transactions are read */
#define CASE_GRAPH_DOT_SECONDS 20   /* Graphviz's time to lay the graph out */

typedef struct {
    const char *account;
    guint hops;
    gint64 from, to;
} GraphQuery;

/* What was drawn. */
typedef struct {
    guint nodes;   /* nodes drawn */
    guint hops;    /* hops drawn */
    gboolean busy; /* the subject was busy: one hop instead of q->hops */
} GraphStats;

/* Writes the DOT text of the flow around q->account into dot. Returns
 * FALSE with error set. stats (may be NULL) receives what was drawn. */
gboolean case_graph_dot(CaseStore *s, const GraphQuery *q, GString *dot, GraphStats *stats,
                        GError **error);
/* Lays out dot with Graphviz `dot -Tsvg` and appends the SVG to svg. */
gboolean case_graph_svg(const char *dot, GString *svg, GError **error);

#endif
