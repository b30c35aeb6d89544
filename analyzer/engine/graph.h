/* graph.h: the recent transaction graph that graph patterns search.
 *
 * Edges are account-to-account transactions, kept in one ring in arrival
 * (time) order and indexed per account by all its in- and out-edges. The
 * graph is bounded by time, not by a count: every edge newer than the span
 * (the longest graph window) is kept, and hubs keep all of theirs. An edge
 * is identified by a sequence number; once it has left the ring, lookups
 * return NULL, so stale references cost nothing to keep. Only past
 * LIMIT_GRAPH_EDGES_MAX edges within the span is one dropped, and counted. */
#ifndef MT_GRAPH_H
#define MT_GRAPH_H

#include <glib.h>

#include "base/txn.h"
#include "engine/checkpoint.h"

/* An edge: the transaction's core (walked by the searches) and its stored
 * record (window.h: the core again, then the id), which the engine keeps
 * for as long as the graph can hold the edge. */
typedef struct {
    TxnCore core;
    guint32 rules;      /* bit i: passed the filter of graph rule i */
    const TxnCore *rec; /* the record, for windows and the id */
} GraphEdge;

G_STATIC_ASSERT(LIMIT_GRAPH_RULES <= 32);

typedef struct Graph Graph;

Graph *graph_new(gint64 span);
void graph_free(Graph *g);

/* Adds an edge for a stored transaction record (window.h; from and to must
 * both be set); returns its sequence number. */
guint64 graph_add(Graph *g, const TxnCore *rec, guint32 rules);
/* Starts loading what graph_add of core will write (the next edge slot and
 * both accounts' index headers) and the other index headers of both
 * accounts, where searches start, so that the loads overlap with other work. */
void graph_prefetch(const Graph *g, const TxnCore *core);
/* The edge of a sequence number, or NULL once dropped from the ring. */
const GraphEdge *graph_edge(const Graph *g, guint64 seq);

/* Iterates an account's edges newest first: out-edges (out = TRUE) or in-edges. */
typedef struct {
    const Graph *g;
    const void *adj; /* the account's index */
    guint n;         /* entries left, walking from the newest */
    gint64 after;    /* the walk ends at the first edge at or before this time */
    guint32 peer;    /* graph_iter_only: the other account wanted, 0 = any */
    guint32 rules;   /* graph_iter_only: the rules one of which it passed */
    guint skipped;   /* edges passed over as not wanted (the caller may reset it) */
    guint32 at_peer; /* the other account of the edge graph_next returned last */
} GraphIter;

/* Edges newer than `after` only: as edges arrive in time order, the walk
 * stops at the first older one. */
void graph_iter(const Graph *g, guint32 account, gboolean out, gint64 after, GraphIter *it);
/* Narrows the walk to the edges to or from peer (0: any) that passed one of
 * rules' filters (bits of GraphEdge.rules): the others are passed over
 * (counted in skipped) without reading them. */
void graph_iter_only(GraphIter *it, guint32 peer, guint32 rules);
/* Next edge, or NULL at the end; *seq (may be NULL) gets its number. */
const GraphEdge *graph_next(GraphIter *it, guint64 *seq);

/* Frees the indexes of accounts whose newest edge is older than now -
 * span, and shrinks those of others that hold mostly edges gone. */
guint graph_evict(Graph *g, gint64 now);

/* Keeps, from the first edge on (call it before any), a running sum of the
 * inflow of every account over the edges that passed rule `bit` (a single
 * bit of GraphEdge.rules), so that graph_inflow reads two binary searches'
 * worth of an index, however many edges a hub receives. */
void graph_sum_inflow(Graph *g, guint32 bit);
/* The bit graph_sum_inflow was given, or 0. */
guint32 graph_summed(const Graph *g);
/* The amounts of account's in-edges of the summed rule still in the graph
 * with after < time < before (needs graph_sum_inflow). */
gint64 graph_inflow(const Graph *g, guint32 account, gint64 after, gint64 before);

typedef struct {
    guint64 edges;        /* edges added */
    guint64 dropped_live; /* edges dropped from the ring while within the span */
    guint64 peak_edges;   /* most edges held at once */
    guint64 hubs;         /* account indexes that grew past LIMIT_GRAPH_DEGREE edges */
    guint64 max_degree;   /* most edges one account index held at once */
    guint64 ring_bytes;   /* graph_stats: the edge ring's bytes */
    guint64 index_bytes;  /* graph_stats: the account indexes' (both directions, all accounts) */
} GraphStats;

void graph_stats(const Graph *g, GraphStats *out);

/* Checkpoints (engine/checkpoint.h): the sequence numbers of the oldest
 * edge kept and of the next; the edges in the ring (but the oldest ones at
 * or before now - span) written by their records' references, and added again to a new graph
 * (FALSE: in is bad). */
void graph_seq_range(const Graph *g, guint64 *first, guint64 *next);
void graph_save(const Graph *g, CkptOut *o, const CkptRefs *refs, gint64 now);
gboolean graph_load(Graph *g, CkptIn *in, const CkptRecs *recs);

#endif
