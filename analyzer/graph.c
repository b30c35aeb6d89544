/* graph.c: the recent transaction graph (see graph.h).
 *
 * Per-account indexes are small rings of sequence numbers, allocated on an
 * account's first edge and grown by doubling up to LIMIT_GRAPH_DEGREE. */
#include "graph.h"

#include "hugemem.h"

#include <string.h>

typedef struct {
    guint64 *seq; /* ring, oldest at head */
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
    g_free(a->seq);
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

static void adj_push(Graph *g, Adj *a, guint64 seq, gint64 ts)
{
    a->last_seq = seq;
    a->last_ts = ts;
    if (a->len == a->cap) {
        if (a->cap >= LIMIT_GRAPH_DEGREE) {
            a->head = (a->head + 1) & (a->cap - 1);
            a->len--;
            g->stats.degree_capped++;
        } else {
            guint cap = a->cap ? a->cap * 2 : 4;
            guint64 *s = g_new(guint64, cap);
            for (guint i = 0; i < a->len; i++)
                s[i] = a->seq[(a->head + i) & (a->cap - 1)];
            g_free(a->seq);
            a->seq = s;
            a->cap = cap;
            a->head = 0;
        }
    }
    a->seq[(a->head + a->len++) & (a->cap - 1)] = seq;
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
    adj_push(g, &g->out[core->from], seq, core->ts);
    adj_push(g, &g->in[core->to], seq, core->ts);
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
    if (account >= g->n)
        return;
    const Adj *a = out ? &g->out[account] : &g->in[account];
    it->adj = a;
    it->n = a->len;
}

/* How many edges ahead of the walk graph_next starts loading. */
#define GRAPH_LOOKAHEAD 8

const GraphEdge *graph_next(GraphIter *it, guint64 *seq)
{
    const Adj *a = it->adj;
    while (it->n > 0) {
        it->n--;
        if (it->n >= GRAPH_LOOKAHEAD) { /* the ring slot is masked: a stale edge is harmless */
            guint64 ahead = a->seq[(a->head + it->n - GRAPH_LOOKAHEAD) & (a->cap - 1)];
            __builtin_prefetch(&it->g->ring[ahead & (LIMIT_GRAPH_EDGES - 1)]);
        }
        guint64 s = a->seq[(a->head + it->n) & (a->cap - 1)];
        const GraphEdge *e = graph_edge(it->g, s);
        if (!e || e->core.ts <= it->after) {
            it->n = 0;
            return NULL;
        }
        {
            if (seq)
                *seq = s;
            return e;
        }
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
