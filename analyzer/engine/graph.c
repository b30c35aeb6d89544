/* graph.c: the recent transaction graph (see graph.h).
 *
 * The edges are one ring in arrival order, grown by doubling whenever its
 * oldest edge is still within the span: the ring holds every edge of the
 * span, however many that is (up to LIMIT_GRAPH_EDGES_MAX, a guard against
 * exhausting memory, where the oldest is dropped and counted). Edges older
 * than the span leave from the front as new ones arrive.
 *
 * Per-account indexes are small rings of entries, allocated on an
 * account's first edge; a full one first lets go of the entries whose
 * edges have left the ring, then doubles. An index never drops a live
 * entry: a hub keeps every edge of the span, and one that grew past
 * LIMIT_GRAPH_DEGREE is counted (GraphStats.hubs) for the run summary. An
 * entry holds what a search tests first (the edge's time, the other
 * account, the rules it passed) beside the edge's sequence number, so that
 * a walk that wants some edges only (graph_iter_only) reads the others'
 * entries, one after another, and not the edges, one cache miss each.
 * With graph_sum_inflow, an in-index also holds beside each entry the
 * running sum of the summed rule's inflow before it: the sum between two
 * times is the difference of two, found by binary search (entries are in
 * time order), so a funnel reads a hub's inflow in O(log degree). */
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
    /* in-indexes, with graph_sum_inflow only: beside each entry the running
     * sum of the summed rule's inflow before it, and the sum of all; a sum
     * over a stretch of time is then two binary searches */
    gint64 *before;
    gint64 total;
    /* the newest edge's sequence number and time, so that the idle sweep
     * reads neither the ring nor the edge */
    guint64 last_seq;
    gint64 last_ts;
    guint cap, head, len;
} Adj;

struct Graph {
    GraphEdge *ring;     /* cap edges; edge seq at seq & (cap - 1) */
    guint64 cap;         /* a power of two */
    guint64 first, next; /* sequence numbers of the oldest edge kept and of the next */
    gint64 span;
    gint64 now;    /* the newest edge's time */
    Adj *out, *in; /* by account id */
    guint n;
    guint32 sum_bit; /* graph_sum_inflow: the rule whose inflow is summed, 0 = none */
    GraphStats stats;
};

/* The ring's first size, in edges; it doubles from there as needed. */
#define GRAPH_RING_START 4096

Graph *graph_new(gint64 span)
{
    Graph *g = g_new0(Graph, 1);
    g->cap = GRAPH_RING_START;
    g->ring = hugemem_alloc(g->cap * sizeof(GraphEdge));
    g->span = span;
    g->now = G_MININT64;
    return g;
}

static void adj_clear(Adj *a)
{
    g_free(a->e);
    g_free(a->before);
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
    hugemem_free(g->ring, g->cap * sizeof(GraphEdge));
    g_free(g);
}

/* Lets go of the entries at the head of a whose edges left the ring. */
static void adj_trim(const Graph *g, Adj *a)
{
    while (a->len && a->e[a->head].seq < g->first) {
        a->head = (a->head + 1) & (a->cap - 1);
        a->len--;
    }
}

/* Moves a's entries into a ring of cap entries (a power of two >= len). */
static void adj_resize(Adj *a, guint cap, gboolean sums)
{
    AdjEntry *s = g_new(AdjEntry, cap);
    gint64 *b = sums ? g_new(gint64, cap) : NULL;
    for (guint i = 0; i < a->len; i++) {
        s[i] = a->e[(a->head + i) & (a->cap - 1)];
        if (b)
            b[i] = a->before[(a->head + i) & (a->cap - 1)];
    }
    g_free(a->e);
    g_free(a->before);
    a->e = s;
    a->before = b;
    a->cap = cap;
    a->head = 0;
}

/* Appends x to a; amount (the edge's, for an in-index of a graph that sums
 * inflow; else NULL) adds to the running sum when x passed the summed rule. */
static void adj_push(Graph *g, Adj *a, AdjEntry x, const gint64 *amount)
{
    gboolean sums = amount != NULL;
    a->last_seq = x.seq;
    a->last_ts = x.ts;
    if (a->len == a->cap)
        adj_trim(g, a);
    if (a->len == a->cap) {
        if (a->cap == LIMIT_GRAPH_DEGREE)
            g->stats.hubs++;
        adj_resize(a, a->cap ? a->cap * 2 : 1, sums); /* most accounts have few edges */
    }
    guint at = (a->head + a->len++) & (a->cap - 1);
    a->e[at] = x;
    if (a->before) {
        a->before[at] = a->total;
        if (x.rules & g->sum_bit)
            a->total += *amount;
    }
    g->stats.max_degree = MAX(g->stats.max_degree, a->len);
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
    const GraphEdge *e = &g->ring[g->next & (g->cap - 1)];
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

/* Doubles the ring: an edge moves to the upper half where its sequence
 * number has the old size's bit set. */
static void ring_grow(Graph *g)
{
    guint64 old = g->cap;
    g->ring = hugemem_grow(g->ring, old * sizeof(GraphEdge), 2 * old * sizeof(GraphEdge));
    g->cap = 2 * old;
    for (guint64 seq = g->first; seq < g->next; seq++) {
        if (seq & old)
            g->ring[seq & (g->cap - 1)] = g->ring[seq & (old - 1)];
    }
}

/* Makes room for one edge: the edges older than the span leave; a full
 * ring doubles, or at LIMIT_GRAPH_EDGES_MAX drops its oldest (counted when
 * still within the span). */
static void ring_make_room(Graph *g)
{
    while (g->first < g->next && g->ring[g->first & (g->cap - 1)].core.ts <= g->now - g->span)
        g->first++;
    if (g->next - g->first < g->cap)
        return;
    if (g->cap < LIMIT_GRAPH_EDGES_MAX) {
        ring_grow(g);
        return;
    }
    g->stats.dropped_live++;
    g->first++;
}

guint64 graph_add(Graph *g, const TxnCore *rec, guint32 rules)
{
    const TxnCore *core = rec;
    g->now = MAX(g->now, core->ts);
    ring_make_room(g);
    guint64 seq = g->next++;
    GraphEdge *e = &g->ring[seq & (g->cap - 1)];
    e->core = *core;
    e->rules = rules;
    e->rec = rec;
    ensure_account(g, MAX(core->from, core->to));
    adj_push(g, &g->out[core->from], (AdjEntry){seq, core->ts, core->to, rules}, NULL);
    adj_push(g, &g->in[core->to], (AdjEntry){seq, core->ts, core->from, rules},
             g->sum_bit ? &core->amount : NULL);
    g->stats.edges++;
    g->stats.peak_edges = MAX(g->stats.peak_edges, g->next - g->first);
    return seq;
}

const GraphEdge *graph_edge(const Graph *g, guint64 seq)
{
    if (seq >= g->next || seq < g->first)
        return NULL;
    return &g->ring[seq & (g->cap - 1)];
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
                __builtin_prefetch(&it->g->ring[ahead->seq & (it->g->cap - 1)]);
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

/* Lets go of an index's entries whose edges left the ring, and halves it
 * while a quarter of it or less is in use: a hub's index shrinks back
 * after its busy days. */
static void adj_shrink(const Graph *g, Adj *a)
{
    adj_trim(g, a);
    guint cap = a->cap;
    while (cap > 4 && a->len <= cap / 4)
        cap /= 2;
    if (cap != a->cap)
        adj_resize(a, cap, a->before != NULL);
}

guint graph_evict(Graph *g, gint64 now)
{
    guint freed = 0;
    for (guint i = 0; i < g->n; i++) {
        Adj *side[2] = {&g->out[i], &g->in[i]};
        for (guint k = 0; k < 2; k++) {
            if (adj_idle(g, side[k], now - g->span)) {
                adj_clear(side[k]);
                freed++;
            } else if (side[k]->cap > 4) {
                adj_shrink(g, side[k]);
            }
        }
    }
    return freed;
}

void graph_sum_inflow(Graph *g, guint32 bit)
{
    g_assert(g->next == 0 && !(bit & (bit - 1)));
    g->sum_bit = bit;
}

guint32 graph_summed(const Graph *g)
{
    return g->sum_bit;
}

/* The first position of a's ring, counted from its head, at or past which
 * the edges are in the ring and newer than after (ts > after) or, with
 * at_least, not older than after (ts >= after). Entries are in time order. */
static guint adj_find(const Graph *g, const Adj *a, gint64 after, gboolean at_least)
{
    guint lo = 0, hi = a->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        const AdjEntry *x = &a->e[(a->head + mid) & (a->cap - 1)];
        gboolean in = x->seq >= g->first && (at_least ? x->ts >= after : x->ts > after);
        if (in)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The running sum before position p of a (the whole sum at its end). */
static gint64 adj_sum_at(const Adj *a, guint p)
{
    return p < a->len ? a->before[(a->head + p) & (a->cap - 1)] : a->total;
}

gint64 graph_inflow(const Graph *g, guint32 account, gint64 after, gint64 before)
{
    g_assert(g->sum_bit);
    if (account >= g->n || !g->in[account].before)
        return 0;
    const Adj *a = &g->in[account];
    guint lo = adj_find(g, a, after, FALSE), hi = adj_find(g, a, before, TRUE);
    return hi > lo ? adj_sum_at(a, hi) - adj_sum_at(a, lo) : 0;
}

static guint64 adj_bytes(const Adj *a)
{
    return a->cap * (sizeof *a->e + (a->before ? sizeof *a->before : 0));
}

void graph_stats(const Graph *g, GraphStats *out)
{
    *out = g->stats;
    out->ring_bytes = g->cap * sizeof(GraphEdge);
    out->index_bytes = 2 * (guint64)g->n * sizeof(Adj);
    for (guint i = 0; i < g->n; i++)
        out->index_bytes += adj_bytes(&g->out[i]) + adj_bytes(&g->in[i]);
}

/* ---- checkpoints (engine/checkpoint.h) ---- */

void graph_seq_range(const Graph *g, guint64 *first, guint64 *next)
{
    *first = g->first;
    *next = g->next;
}

/* The edges in the ring, oldest first, by their records (references): loading
 * adds them again from the same sequence number, which rebuilds the ring,
 * the account indexes and the inflow sums as they were. The oldest edges
 * that are at or before now - span are left out: no search reaches them
 * (a walk stops at the first of them), the next edge added drops them, and
 * their records may be released. */
void graph_save(const Graph *g, CkptOut *o, const CkptRefs *refs, gint64 now)
{
    guint64 first = g->first;
    while (first < g->next && graph_edge(g, first)->core.ts <= now - g->span)
        first++;
    ckpt_i64(o, (gint64)first);
    ckpt_i64(o, (gint64)(g->next - first));
    for (guint64 seq = first; seq < g->next; seq++) {
        const GraphEdge *e = graph_edge(g, seq);
        ckpt_u32(o, e->rules);
        ckpt_i64(o, (gint64)ckpt_ref(refs, e->rec));
    }
}

gboolean graph_load(Graph *g, CkptIn *in, const CkptRecs *recs)
{
    g_assert(g->next == 0);
    gint64 first = ckpt_get_i64(in), n = ckpt_get_i64(in);
    if (first < 0 || n < 0 || (guint64)n > (in->n - in->at) / 12)
        return ckpt_fail(in, "the graph's edge count is past the end");
    g->first = g->next = (guint64)first;
    for (gint64 i = 0; i < n && !in->bad; i++) {
        guint32 rules = ckpt_get_u32(in);
        const TxnCore *rec = ckpt_rec(in, recs, (guint64)ckpt_get_i64(in));
        if (rec && (!rec->from || !rec->to))
            return ckpt_fail(in, "a graph edge lacks an account");
        if (rec)
            graph_add(g, rec, rules);
    }
    return !in->bad;
}
