/* graph_match.h: graph patterns searched around a new edge.
 *
 * Each search is anchored at the edge just added, so a pattern is found
 * once, when its last edge arrives. Searches are time-respecting (each hop
 * later than the one before; a cycle may waive it with `ordered false`)
 * within the rule's window, visit only edges that passed the rule's
 * filter and accounts that pass its node options (max_degree, `where
 * node...`), and stop after LIMIT_GRAPH_WORK edge visits: counted, and a
 * match found by such a search is marked incomplete in its alert.
 * Two searches first ask cheaper questions with the same answer: a funnel
 * whose rule has running inflow sums (graph_sum_inflow) decides with them
 * and lists its evidence only when it matches; a cycle of three or more
 * does not enter an account one or two hops too far from closing it.
 * A cycle with `strangers` is kept only when its accounts have no edge of
 * the rule among them but its legs; else the search goes on.
 * A gather-scatter with `hold` counts only the sources whose inflow the
 * account passed on within that time, and the destinations of those
 * payments (a pass-through, not two independent counts). */
#ifndef MT_GRAPH_MATCH_H
#define MT_GRAPH_MATCH_H

#include "engine/graph.h"
#include "rule/rule.h"

typedef struct GraphMatch {
    const GraphEdge *edges[LIMIT_GRAPH_MATCH]; /* the subgraph, in time order */
    guint n;
    guint32 anchor;     /* the account the alert is about */
    guint64 work;       /* edges visited */
    gboolean exhausted; /* the search stopped at LIMIT_GRAPH_WORK */
} GraphMatch;

/* The account a match of pattern m around edge e is about: its receiver,
 * or for gather-scatter its sender (known before searching). */
guint32 graph_match_anchor(const MatchSpec *m, const GraphEdge *e);

/* What a node predicate reads: the rule set (its lists) and the accounts
 * side table (or NULL: every account unknown). Borrowed for the call. */
typedef struct {
    const RuleSet *rs;
    const Kyc *kyc;
} GraphMatchEnv;

/* Searches pattern m of a rule (filter bit `bit`, window seconds) around the
 * new edge e. Returns TRUE with the subgraph in *out; out->exhausted tells
 * whether the search stopped at LIMIT_GRAPH_WORK on the way. */
gboolean graph_match(const Graph *g, const MatchSpec *m, guint32 bit, gint64 window,
                     const GraphEdge *e, const GraphMatchEnv *env, GraphMatch *out);

#endif
