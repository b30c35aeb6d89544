/* graph.c: the recent transaction graph (see graph.h).
 *
 * Per-account indexes are small rings of entries, allocated on an
 * account's first edge and grown by doubling up to LIMIT_GRAPH_DEGREE. An
 * entry holds what a search tests first (the edge's time, the other
 * account, the rules it passed) beside the edge's sequence number, so that
 * a walk that wants some edges only (graph_iter_only) reads the others'
 * entries, one after another, and not the edges, one cache miss each. */
#include "engine/graph.h"

#include "base/hugemem.h"

#include <string.h>

typedef struct {
    guint64 seq;
    gint64 ts;
    guint32 peer;  /* the other account */
    guint32 rules; /* GraphEdge.rules */
} AdjEntry;

typedef struct {
    AdjEntry *e; /* ring, oldest at head */
    /* the newest edge's sequence number and time, so that the idle sweep
     * reads neither the ring nor the edge */
    guint64 last_seq;
    gint64 last_ts;
    guint cap, head, len;
} Adj;

struct Graph {
    GraphEdge *ring; /* LIMIT_GRAPH_EDGES */
    guint64 next;    /* sequence number of the next edge */
    gint64 span;
    Adj *out, *in; /* by account id */
    guint n;
    GraphStats stats;
};

Graph *graph_new(gint64 span)
{
    Graph *g = g_new0(Graph, 1);
    g->ring = hugemem_alloc(LIMIT_GRAPH_EDGES * sizeof(GraphEdge));
    g->span = span;
    return g;
}

static void adj_clear(Adj *a)
{
    g_free(a->e);
    memset(a, 0, sizeof *a);
}

void graph_free(Graph *g)
{
    if (!g)
        return;
    for (guint i = 0; i < g->n; i++) {
        adj_clear(&g->out[i]);
        adj_clear(&g->in[i]);
    }
    hugemem_free(g->out, g->n * sizeof(Adj));
    hugemem_free(g->in, g->n * sizeof(Adj));
    hugemem_free(g->ring, LIMIT_GRAPH_EDGES * sizeof(GraphEdge));
    g_free(g);
}

static void adj_push(Graph *g, Adj *a, AdjEntry x)
{
    a->last_seq = x.seq;
    a->last_ts = x.ts;
    if (a->len == a->cap) {
        if (a->cap >= LIMIT_GRAPH_DEGREE) {
            a->head = (a->head + 1) & (a->cap - 1);
            a->len--;
            g->stats.degree_capped++;
        } else {
            guint cap = a->cap ? a->cap * 2 : 4;
            AdjEntry *s = g_new(AdjEntry, cap);
            for (guint i = 0; i < a->len; i++)
                s[i] = a->e[(a->head + i) & (a->cap - 1)];
            g_free(a->e);
            a->e = s;
            a->cap = cap;
            a->head = 0;
        }
    }
    a->e[(a->head + a->len++) & (a->cap - 1)] = x;
}

static void ensure_account(Graph *g, guint32 account)
{
    if (account < g->n)
        return;
    guint n = MAX(account + 1, g->n * 2);
    g->out = hugemem_grow(g->out, g->n * sizeof(Adj), n * sizeof(Adj));
    g->in = hugemem_grow(g->in, g->n * sizeof(Adj), n * sizeof(Adj));
    g->n = n;
}

void graph_prefetch(const Graph *g, const TxnCore *core)
{
    const GraphEdge *e = &g->ring[g->next & (LIMIT_GRAPH_EDGES - 1)];
    __builtin_prefetch(e, 1);
    if (core->from < g->n && core->to < g->n) {
        __builtin_prefetch(&g->out[core->from]);
        __builtin_prefetch(&g->in[core->to]);
        /* where a search around the edge starts: the receiver's payments
         * (cycles), the sender's receipts (a cycle of two, gather-scatter) */
        __builtin_prefetch(&g->out[core->to]);
        __builtin_prefetch(&g->in[core->from]);
    }
}

guint64 graph_add(Graph *g, const TxnCore *rec, guint32 rules)
{
    const TxnCore *core = rec;
    guint64 seq = g->next++;
    GraphEdge *e = &g->ring[seq & (LIMIT_GRAPH_EDGES - 1)];
    if (seq >= LIMIT_GRAPH_EDGES && e->core.ts > core->ts - g->span)
        g->stats.dropped_live++;
    e->core = *core;
    e->rules = rules;
    e->rec = rec;
    ensure_account(g, MAX(core->from, core->to));
    adj_push(g, &g->out[core->from], (AdjEntry){seq, core->ts, core->to, rules});
    adj_push(g, &g->in[core->to], (AdjEntry){seq, core->ts, core->from, rules});
    g->stats.edges++;
    return seq;
}

const GraphEdge *graph_edge(const Graph *g, guint64 seq)
{
    if (seq >= g->next || g->next - seq > LIMIT_GRAPH_EDGES)
        return NULL;
    return &g->ring[seq & (LIMIT_GRAPH_EDGES - 1)];
}

void graph_iter(const Graph *g, guint32 account, gboolean out, gint64 after, GraphIter *it)
{
    it->g = g;
    it->after = after;
    it->adj = NULL;
    it->n = 0;
    it->peer = 0;
    it->rules = G_MAXUINT32;
    it->skipped = 0;
    if (account >= g->n)
        return;
    const Adj *a = out ? &g->out[account] : &g->in[account];
    it->adj = a;
    it->n = a->len;
}

void graph_iter_only(GraphIter *it, guint32 peer, guint32 rules)
{
    it->peer = peer;
    it->rules = rules;
}

/* Does entry x hold an edge the walk wants? */
static gboolean wanted(const GraphIter *it, const AdjEntry *x)
{
    return (x->rules & it->rules) && (!it->peer || x->peer == it->peer);
}

/* How many entries ahead of the walk graph_next starts loading the edge,
 * if wanted. */
#define GRAPH_LOOKAHEAD 8

const GraphEdge *graph_next(GraphIter *it, guint64 *seq)
{
    const Adj *a = it->adj;
    while (it->n > 0) {
        it->n--;
        if (it->n >= GRAPH_LOOKAHEAD) { /* the ring slot is masked: a stale edge is harmless */
            const AdjEntry *ahead = &a->e[(a->head + it->n - GRAPH_LOOKAHEAD) & (a->cap - 1)];
            if (wanted(it, ahead))
                __builtin_prefetch(&it->g->ring[ahead->seq & (LIMIT_GRAPH_EDGES - 1)]);
        }
        const AdjEntry *x = &a->e[(a->head + it->n) & (a->cap - 1)];
        const GraphEdge *e = graph_edge(it->g, x->seq);
        if (!e || x->ts <= it->after) {
            it->n = 0;
            return NULL;
        }
        if (!wanted(it, x)) {
            it->skipped++;
            continue;
        }
        it->at_peer = x->peer;
        if (seq)
            *seq = x->seq;
        return e;
    }
    return NULL;
}

static gboolean adj_idle(const Graph *g, const Adj *a, gint64 limit)
{
    if (a->len == 0)
        return a->cap != 0;
    return !graph_edge(g, a->last_seq) || a->last_ts <= limit;
}

guint graph_evict(Graph *g, gint64 now)
{
    guint freed = 0;
    for (guint i = 0; i < g->n; i++) {
        if (adj_idle(g, &g->out[i], now - g->span)) {
            adj_clear(&g->out[i]);
            freed++;
        }
        if (adj_idle(g, &g->in[i], now - g->span)) {
            adj_clear(&g->in[i]);
            freed++;
        }
    }
    return freed;
}

void graph_stats(const Graph *g, GraphStats *out)
{
    *out = g->stats;
}
