/* graph_match.c: cycles, chains, scatter-gather and gather-scatter (see
 * graph_match.h).
 *
 * Boundaries follow the windows: an edge belongs to the pattern when it is
 * newer than t - window, t being the time of the anchoring edge, so a
 * cycle closing exactly `window` after its first hop is not a match. */
#include "engine/graph_match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Accounts a search has judged (node_ok), so that a cycle's search asks
 * once for each: a small table, as a pattern has few accounts. */
#define NODE_MEMO 32

/* The accounts a cycle's search knows to be one or two hops short of the
 * anchor's sender (Near): an open-addressing table of this many slots (a
 * power of two), used while at most half full. */
#define NEAR_SLOTS 1024
/* Index entries read to fill it, at most; past this, fewer levels. */
#define NEAR_WORK 8192

/* Accounts from which the anchor's sender can be reached in one or two of
 * the rule's edges of the window, whatever their times and amounts: a
 * cycle's search does not enter an account that cannot close the cycle
 * in the hops it has left. levels: 0 (nothing known: no pruning), 1 or 2. */
typedef struct {
    guint32 key[NEAR_SLOTS]; /* account + 1; 0 = empty */
    guint8 dist[NEAR_SLOTS];
    guint n;
    int levels;
    gboolean filled; /* near_fill ran: the DFS got deep enough to ask */
} Near;

typedef struct {
    const Graph *g;
    const MatchSpec *m;
    guint32 bit;
    gint64 t, from; /* the anchor's time; edges must be newer than from */
    const GraphEdge *anchor;
    const GraphEdge *path[LIMIT_CYCLE_LENGTH];
    GraphMatch *out;
    RuleEval node_ev; /* for the node predicate: the anchor's row, account set per node */
    guint32 memo[NODE_MEMO];
    gboolean memo_ok[NODE_MEMO];
    guint n_memo;
    Near *near;    /* cycles of three or more only */
    int hubs_left; /* cycle with `hubs K`: hubs the ring may still take in */
} Search;

/* Has account more than the pattern's max_degree edges of the rule in the
 * window? Reads at most max_degree + 1 index entries of each side, so a
 * hub costs no more to refuse than an account of that degree. */
static gboolean is_hub(const Search *s, guint32 account)
{
    guint n = 0, limit = (guint)s->m->max_degree;
    for (int out = 0; out < 2; out++) {
        GraphIter it;
        graph_iter(s->g, account, out, s->from, &it);
        graph_iter_only(&it, 0, s->bit);
        while (n <= limit && graph_next(&it, NULL))
            n++;
    }
    return n > limit;
}

/* May account be part of the pattern: not a hub (max_degree), and passing
 * the node predicate (`where node...`)? */
static gboolean node_ok(Search *s, guint32 account)
{
    if (!s->m->max_degree && !s->m->nodes.n)
        return TRUE;
    for (guint i = 0; i < s->n_memo; i++) {
        if (s->memo[i] == account)
            return s->memo_ok[i];
    }
    gboolean ok = !(s->m->max_degree && is_hub(s, account));
    if (ok && s->m->nodes.n) {
        s->node_ev.account = account;
        ok = rule_vm_run(&s->m->nodes, &s->node_ev) != 0;
    }
    if (s->n_memo < NODE_MEMO) {
        s->memo[s->n_memo] = account;
        s->memo_ok[s->n_memo++] = ok;
    }
    return ok;
}

/* May a cycle with `hubs K` take account in: passing the node predicate,
 * and not a hub or a hub while the ring may take one more (*hub tells
 * which, so that the caller gives it back when it leaves the account)?
 * Without `hubs`, node_ok. */
static gboolean cycle_node_ok(Search *s, guint32 account, gboolean *hub)
{
    *hub = FALSE;
    if (!s->m->hubs)
        return node_ok(s, account);
    if (s->m->nodes.n) {
        s->node_ev.account = account;
        if (!rule_vm_run(&s->m->nodes, &s->node_ev))
            return FALSE;
    }
    if (s->m->max_degree && is_hub(s, account)) {
        if (s->hubs_left == 0)
            return FALSE;
        s->hubs_left--;
        *hub = TRUE;
    }
    return TRUE;
}

static gboolean usable(Search *s, const GraphEdge *f)
{
    if (++s->out->work > LIMIT_GRAPH_WORK) {
        s->out->exhausted = TRUE;
        return FALSE;
    }
    return (f->rules & s->bit) && f != s->anchor && f->core.ts > s->from;
}

/* A walk of node's edges (graph_iter) that reads only those of the rule,
 * and of them only those to or from peer (0: any). */
static void walk(const Search *s, guint32 node, gboolean out, guint32 peer, GraphIter *it)
{
    graph_iter(s->g, node, out, s->from, it);
    graph_iter_only(it, peer, s->bit);
}

/* The walk's next edge, or NULL at its end or when the search is out of
 * work: the edges it passed over count as visited, as if usable() had
 * refused them, so that a search ends where a walk of every edge would. */
static const GraphEdge *next(Search *s, GraphIter *it)
{
    const GraphEdge *f = s->out->exhausted ? NULL : graph_next(it, NULL);
    s->out->work += it->skipped;
    it->skipped = 0;
    if (s->out->work > LIMIT_GRAPH_WORK) {
        s->out->work = LIMIT_GRAPH_WORK + 1;
        s->out->exhausted = TRUE;
        return NULL;
    }
    return f;
}

/* Is b's amount within the tolerance of a's? Always, with `tolerance any`. */
static gboolean similar(const Search *s, const GraphEdge *a, const GraphEdge *b)
{
    double x = (double)a->core.amount, y = (double)b->core.amount;
    return s->m->tolerance < 0 || fabs(y - x) <= s->m->tolerance * x;
}

/* May f be a hop of a cycle: in time order, later than the hop before
 * (at `after`) and earlier than the anchor; in any order (`ordered
 * false`), any edge of the window that arrived before the anchor and is
 * not later than it. */
static gboolean cycle_time_ok(const Search *s, const GraphEdge *f, gint64 after)
{
    if (s->m->unordered)
        return f->core.ts <= s->t;
    return f->core.ts > after && f->core.ts < s->t;
}

static gboolean on_path(Search *s, int depth, guint32 account)
{
    for (int i = 0; i < depth; i++) {
        if (s->path[i]->core.from == account || s->path[i]->core.to == account)
            return TRUE;
    }
    return FALSE;
}

static void found(Search *s, int depth, gboolean anchor_last)
{
    GraphMatch *o = s->out;
    o->n = 0;
    if (!anchor_last)
        o->edges[o->n++] = s->anchor;
    for (int i = 0; i < depth; i++)
        o->edges[o->n++] = s->path[i];
    if (anchor_last)
        o->edges[o->n++] = s->anchor;
}

/* The slot of account in n: where it is, or the empty one it would take. */
static guint near_slot(const Near *n, guint32 account)
{
    guint i = (account * 2654435761u) & (NEAR_SLOTS - 1);
    while (n->key[i] && n->key[i] != account + 1)
        i = (i + 1) & (NEAR_SLOTS - 1);
    return i;
}

/* Adds the senders of node's edges of the rule in the window at distance
 * d; FALSE when the table or *budget of entries ran out. */
static gboolean near_level(const Search *s, Near *n, guint32 node, guint8 d, guint *budget)
{
    GraphIter it;
    walk(s, node, FALSE, 0, &it);
    while (graph_next(&it, NULL)) { /* the sender is it.at_peer: no edge is read */
        if (*budget == 0 || n->n >= NEAR_SLOTS / 2)
            return FALSE;
        --*budget;
        guint i = near_slot(n, it.at_peer);
        if (!n->key[i]) {
            n->key[i] = it.at_peer + 1;
            n->dist[i] = d;
            n->n++;
        }
    }
    *budget -= MIN(*budget, it.skipped);
    return TRUE;
}

/* Fills n for the anchor's sender: one level, then two where the table
 * and the budget allow (else levels tells how far it is true). */
static void near_fill(const Search *s, Near *n)
{
    memset(n->key, 0, sizeof n->key);
    n->n = 0;
    n->levels = 0;
    guint budget = NEAR_WORK;
    if (!near_level(s, n, s->anchor->core.from, 1, &budget))
        return;
    n->levels = 1;
    guint32 first[NEAR_SLOTS / 2];
    guint nf = 0;
    for (guint i = 0; i < NEAR_SLOTS; i++) {
        if (n->key[i])
            first[nf++] = n->key[i] - 1;
    }
    for (guint i = 0; i < nf; i++) {
        if (!near_level(s, n, first[i], 2, &budget))
            return; /* the second level is partly filled: unused */
    }
    n->levels = 2;
}

/* Might a path from account close the cycle within `hops` more edges?
 * The table is filled on the first question it can answer, so a search
 * that ends within its first hops (most do) costs nothing more. */
static gboolean near_enough(const Search *s, guint32 account, int hops)
{
    Near *n = s->near;
    if (!n || hops > 2)
        return TRUE;
    if (!n->filled) {
        near_fill(s, n);
        n->filled = TRUE;
    }
    if (hops > n->levels)
        return TRUE;
    guint i = near_slot(n, account);
    return n->key[i] && n->dist[i] <= hops;
}

static gboolean seen(const guint32 *a, guint n, guint32 v);

/* Is the pair x -> y a leg of the cycle of path[0..depth) and the anchor? */
static gboolean is_leg(const Search *s, int depth, guint32 x, guint32 y)
{
    if (s->anchor->core.from == x && s->anchor->core.to == y)
        return TRUE;
    for (int i = 0; i < depth; i++) {
        if (s->path[i]->core.from == x && s->path[i]->core.to == y)
            return TRUE;
    }
    return FALSE;
}

/* `strangers`: have the accounts of the cycle of path[0..depth) and the
 * anchor no edge of the rule in the window among them but their legs,
 * each its own way round (a leg paid again is still the leg)? A payment
 * back along a leg, or across the ring, is a tie the ring does not
 * explain: friends, flatmates and families pay each other every way. */
static gboolean strangers(Search *s, int depth)
{
    guint32 acc[LIMIT_CYCLE_LENGTH];
    int n = 0;
    acc[n++] = s->anchor->core.to;
    for (int i = 0; i < depth; i++)
        acc[n++] = s->path[i]->core.to; /* the last is the anchor's sender */
    for (int i = 0; i < n; i++) {
        GraphIter it;
        walk(s, acc[i], TRUE, 0, &it);
        const GraphEdge *f;
        while ((f = next(s, &it))) {
            if (f->core.ts > s->t || !seen(acc, (guint)n, f->core.to))
                continue;
            if (!is_leg(s, depth, acc[i], f->core.to))
                return FALSE;
        }
        if (s->out->exhausted)
            return FALSE;
    }
    return TRUE;
}

/* Forward from node: a time-respecting path back to the anchor's sender. */
static gboolean cycle_dfs(Search *s, guint32 node, int depth, gint64 after)
{
    GraphIter it;
    walk(s, node, TRUE, 0, &it);
    if (!s->m->unordered)
        it.after = MAX(it.after, after); /* older hops are out of order: the walk ends there */
    const GraphEdge *f;
    while ((f = next(s, &it))) {
        if (!usable(s, f) || !cycle_time_ok(s, f, after))
            continue;
        if (depth > 0 && !similar(s, s->path[depth - 1], f))
            continue;
        s->path[depth] = f;
        int len = depth + 2; /* the path plus the closing anchor */
        if (f->core.to == s->anchor->core.from) {
            if (len >= s->m->min_len && similar(s, f, s->anchor) &&
                (!s->m->strangers || strangers(s, depth + 1))) {
                found(s, depth + 1, TRUE);
                return TRUE;
            }
        } else if (len < s->m->max_len && f->core.to != s->anchor->core.to &&
                   !on_path(s, depth, f->core.to) &&
                   near_enough(s, f->core.to, s->m->max_len - len)) {
            gboolean hub;
            if (!cycle_node_ok(s, f->core.to, &hub))
                continue;
            if (cycle_dfs(s, f->core.to, depth + 1, f->core.ts))
                return TRUE;
            s->hubs_left += hub;
        }
    }
    return FALSE;
}

/* A cycle of two: the newest earlier edge back from the anchor's receiver
 * to its sender, usable and of a similar amount. Both the receiver's
 * out-edges and the sender's in-edges hold it, newest first, and the
 * shorter list is walked: an employer's hundreds of wages need not be read
 * to see whether one worker paid one back. (Where a list was cut at
 * LIMIT_GRAPH_DEGREE, the other may still hold the edge.) */
static gboolean cycle_of_two(Search *s)
{
    guint32 sender = s->anchor->core.from, receiver = s->anchor->core.to;
    GraphIter outs, ins;
    walk(s, receiver, TRUE, sender, &outs);
    walk(s, sender, FALSE, receiver, &ins);
    GraphIter *it = ins.n < outs.n ? &ins : &outs;
    const GraphEdge *f;
    while ((f = next(s, it))) {
        if (!usable(s, f) || !cycle_time_ok(s, f, s->from) || f->core.from != receiver ||
            f->core.to != sender)
            continue;
        if (s->m->min_len <= 2 && similar(s, f, s->anchor)) {
            s->path[0] = f;
            found(s, 1, TRUE);
            return TRUE;
        }
    }
    return FALSE;
}

/* Backward from node: earlier hops with similar amounts (layering). */
static gboolean chain_dfs(Search *s, guint32 node, int depth, const GraphEdge *later)
{
    if (depth + 1 >= s->m->min_len) {
        /* path[depth-1..0] then the anchor: reverse into time order */
        GraphMatch *o = s->out;
        o->n = 0;
        for (int i = depth - 1; i >= 0; i--)
            o->edges[o->n++] = s->path[i];
        o->edges[o->n++] = s->anchor;
        return TRUE;
    }
    GraphIter it;
    walk(s, node, FALSE, 0, &it);
    const GraphEdge *f;
    while ((f = next(s, &it))) {
        if (!usable(s, f) || f->core.ts >= later->core.ts || !similar(s, f, later))
            continue;
        if (f->core.from == s->anchor->core.to || on_path(s, depth, f->core.from) ||
            f->core.from == s->anchor->core.from || !node_ok(s, f->core.from))
            continue;
        s->path[depth] = f;
        if (chain_dfs(s, f->core.from, depth + 1, f))
            return TRUE;
    }
    return FALSE;
}

static gboolean seen(const guint32 *a, guint n, guint32 v)
{
    for (guint i = 0; i < n; i++) {
        if (a[i] == v)
            return TRUE;
    }
    return FALSE;
}

/* An edge x -> j earlier than before, in the window, or NULL. Both x's
 * payments and j's receipts hold it; the shorter list is walked, so that
 * a hub on either side is not read whole for one pair. */
static const GraphEdge *edge_between(Search *s, guint32 x, guint32 j, gint64 before)
{
    GraphIter ins, outs;
    walk(s, j, FALSE, x, &ins);
    walk(s, x, TRUE, j, &outs);
    GraphIter *it = outs.n < ins.n ? &outs : &ins;
    const GraphEdge *f;
    while ((f = next(s, it))) {
        if (usable(s, f) && f->core.from == x && f->core.ts < before)
            return f;
    }
    return NULL;
}

/* Has the sink k distinct senders in the window? Most sinks have fewer,
 * and then no sender's own payments and inflow need walking. Not counted
 * as work: it reads only edges the search would read first. */
static gboolean has_senders(const Search *s, guint32 sink, guint k)
{
    guint32 from[LIMIT_GRAPH_MATCH];
    guint n = 0;
    GraphIter it; /* the rule's edges newer than s->from, the anchor among them */
    walk(s, sink, FALSE, 0, &it);
    while (n < MIN(k, LIMIT_GRAPH_MATCH) && graph_next(&it, NULL)) {
        if (!seen(from, n, it.at_peer)) /* the sender, from the index: no edge is read */
            from[n++] = it.at_peer;
    }
    return n >= k;
}

/* Intermediaries j of sink that received from x and forwarded between
 * ratio and all of it. */
static guint gather_from(Search *s, guint32 x, guint32 sink)
{
    GraphMatch *o = s->out;
    guint32 js[LIMIT_GRAPH_MATCH];
    guint nj = 0;
    o->n = 0;
    GraphIter it;
    walk(s, sink, FALSE, 0, &it);
    const GraphEdge *y = s->anchor;
    gboolean first = TRUE;
    while (!o->exhausted && nj < LIMIT_GRAPH_MATCH / 2 && (first || (y = next(s, &it)))) {
        gboolean anchor = first;
        first = FALSE;
        if (!anchor && !usable(s, y))
            continue;
        guint32 j = y->core.from;
        if (j == x || seen(js, nj, j) || !node_ok(s, j))
            continue;
        /* j forwards what x paid it: at least ratio of it and at most all of
         * it; a larger payment (rent paid out of a pension) is j's own money */
        const GraphEdge *z = edge_between(s, x, j, y->core.ts);
        if (!z || (double)y->core.amount < s->m->ratio * (double)z->core.amount ||
            y->core.amount > z->core.amount)
            continue;
        js[nj++] = j;
        o->edges[o->n++] = z;
        o->edges[o->n++] = y;
    }
    return nj;
}

static gboolean scatter_gather(Search *s)
{
    guint32 tried[LIMIT_GRAPH_MATCH];
    guint nt = 0;
    if (!has_senders(s, s->anchor->core.to, (guint)s->m->k))
        return FALSE; /* the intermediaries are distinct senders of the sink */
    GraphIter it;
    walk(s, s->anchor->core.from, FALSE, 0, &it);
    const GraphEdge *x;
    while (nt < LIMIT_GRAPH_MATCH && (x = next(s, &it))) {
        if (!usable(s, x) || x->core.ts >= s->t || x->core.from == s->anchor->core.to ||
            seen(tried, nt, x->core.from))
            continue;
        tried[nt++] = x->core.from;
        if (!node_ok(s, x->core.from))
            continue;
        if (gather_from(s, x->core.from, s->anchor->core.to) >= (guint)s->m->k)
            return TRUE;
    }
    return FALSE;
}

/* Distinct counterparties of node's in- or out-edges in the window. */
static guint collect_side(Search *s, guint32 node, gboolean out, gint64 after, guint32 *acc,
                          gint64 *first)
{
    guint n = 0;
    GraphIter it;
    walk(s, node, out, 0, &it);
    const GraphEdge *f;
    while ((f = next(s, &it))) {
        if ((f != s->anchor && !usable(s, f)) || f->core.ts <= after)
            continue;
        guint32 other = out ? f->core.to : f->core.from;
        if (seen(acc, n, other) || s->out->n >= LIMIT_GRAPH_MATCH || !node_ok(s, other))
            continue;
        acc[n++] = other;
        s->out->edges[s->out->n++] = f;
        if (first)
            *first = MIN(*first, f->core.ts);
        if (n == LIMIT_GRAPH_MATCH / 2)
            break;
    }
    return n;
}

/* The inflows a held gather-scatter pairs with payments, at most. */
#define HELD_INFLOWS 256

/* Adds e to the match unless it is there (the match is small). */
static void add_once(GraphMatch *o, const GraphEdge *e)
{
    for (guint i = 0; i < o->n; i++) {
        if (o->edges[i] == e)
            return;
    }
    if (o->n < LIMIT_GRAPH_MATCH)
        o->edges[o->n++] = e;
}

/* The newest inflow of ins (newest first) that payment d may pass on: at
 * most hold before it, from another account, of at least d's amount and
 * at most d's amount / ratio (ratio 0: any larger inflow). */
static const GraphEdge *held_inflow(const Search *s, const GraphEdge *const *ins, guint n,
                                    const GraphEdge *d)
{
    for (guint i = 0; i < n; i++) {
        const GraphEdge *x = ins[i];
        if (x->core.ts >= d->core.ts)
            continue;
        if (x->core.ts < d->core.ts - s->m->hold)
            break;
        if (x->core.amount >= d->core.amount && x->core.from != d->core.to &&
            (double)d->core.amount >= s->m->ratio * (double)x->core.amount)
            return x;
    }
    return NULL;
}

/* gather_scatter with `hold`: the account passes on what it gathers. A
 * source counts when a payment of the account of at most an inflow from
 * it followed that inflow within hold; a destination when it got such a
 * payment. The new edge must be one, so that the pattern is found when it
 * grows. The inflows of the window are read once (at most HELD_INFLOWS,
 * newest first; past that the search is marked exhausted), and each
 * payment is paired with the newest one it may pass on. */
static gboolean gather_scatter_held(Search *s)
{
    const GraphEdge *ins[HELD_INFLOWS];
    guint32 srcs[LIMIT_GRAPH_MATCH], dsts[LIMIT_GRAPH_MATCH];
    guint nin = 0, ns = 0, nd = 0;
    guint32 x = s->anchor->core.from;
    GraphIter it;
    walk(s, x, FALSE, 0, &it);
    const GraphEdge *f;
    while ((f = next(s, &it))) {
        if (!usable(s, f) || f->core.ts >= s->t)
            continue;
        if (nin == HELD_INFLOWS) {
            s->out->exhausted = TRUE;
            break;
        }
        ins[nin++] = f;
    }
    if (!held_inflow(s, ins, nin, s->anchor))
        return FALSE;
    s->out->n = 0;
    walk(s, x, TRUE, 0, &it);
    while ((f = next(s, &it)) && ns < LIMIT_GRAPH_MATCH / 2 && nd < LIMIT_GRAPH_MATCH / 2) {
        if (f != s->anchor && !usable(s, f))
            continue;
        const GraphEdge *in = held_inflow(s, ins, nin, f);
        if (!in || !node_ok(s, f->core.to) || !node_ok(s, in->core.from))
            continue;
        if (!seen(srcs, ns, in->core.from))
            srcs[ns++] = in->core.from;
        if (!seen(dsts, nd, f->core.to))
            dsts[nd++] = f->core.to;
        add_once(s->out, in);
        add_once(s->out, f);
    }
    return ns >= (guint)s->m->k && nd >= (guint)s->m->k2;
}

static gboolean gather_scatter(Search *s)
{
    if (s->m->hold)
        return gather_scatter_held(s);
    guint32 srcs[LIMIT_GRAPH_MATCH], dsts[LIMIT_GRAPH_MATCH];
    gint64 first_in = s->t;
    s->out->n = 0;
    guint32 x = s->anchor->core.from;
    guint ns = collect_side(s, x, FALSE, s->from, srcs, &first_in);
    if (ns < (guint)s->m->k)
        return FALSE;
    guint nd = collect_side(s, x, TRUE, first_in, dsts, NULL);
    return nd >= (guint)s->m->k2;
}

/* Sum of node's in-edges in the window before `before`; adds them to the match. */
static double inflow(Search *s, guint32 node, gint64 before)
{
    double sum = 0;
    GraphIter it;
    walk(s, node, FALSE, 0, &it);
    const GraphEdge *f;
    while ((f = next(s, &it))) {
        if (!usable(s, f) || f->core.ts >= before)
            continue;
        sum += (double)f->core.amount;
        if (s->out->n < LIMIT_GRAPH_MATCH)
            s->out->edges[s->out->n++] = f;
    }
    return sum;
}

/* Senders of the sink that passed on >= ratio of their inflow to it. */
static gboolean funnel(Search *s)
{
    guint32 done[LIMIT_GRAPH_MATCH];
    guint nd = 0, hits = 0;
    guint32 sink = s->anchor->core.to;
    GraphMatch *o = s->out;
    o->n = 0;
    if (!has_senders(s, sink, (guint)s->m->k))
        return FALSE;
    GraphIter it;
    walk(s, sink, FALSE, 0, &it);
    const GraphEdge *y;
    while (nd < LIMIT_GRAPH_MATCH && (y = next(s, &it))) {
        if ((y != s->anchor && !usable(s, y)) || seen(done, nd, y->core.from))
            continue;
        guint32 j = done[nd++] = y->core.from;
        if (!node_ok(s, j))
            continue;
        guint mark = o->n;
        double out = 0;
        gint64 last = 0;
        GraphIter jt; /* j's payments to the sink in the window */
        walk(s, j, TRUE, sink, &jt);
        const GraphEdge *f;
        while ((f = next(s, &jt))) {
            if ((f == s->anchor || usable(s, f)) && f->core.to == sink) {
                out += (double)f->core.amount;
                last = MAX(last, f->core.ts);
                if (o->n < LIMIT_GRAPH_MATCH)
                    o->edges[o->n++] = f;
            }
        }
        double in = inflow(s, j, last);
        if (in > 0 && out >= s->m->ratio * in && ++hits >= (guint)s->m->k)
            return TRUE;
        if (!(in > 0 && out >= s->m->ratio * in))
            o->n = mark; /* not a forwarding sender: drop its edges */
    }
    return FALSE;
}

/* Would funnel() find a match, were it never to stop at the visit limit?
 * The same senders in the same order, and the same sums, but a sender's
 * inflow is read from the graph's running sums (graph_sum_inflow), so a
 * sender that is a hub costs two binary searches, not a walk of its
 * receipts; the sink's receipts are walked by their index entries alone,
 * and each sender's payments to the sink by the entries to that peer.
 * Sums are exact: int64 minor units, as funnel()'s doubles are while they
 * stay under 2^53. */
static gboolean funnel_possible(Search *s)
{
    guint32 done[LIMIT_GRAPH_MATCH];
    guint nd = 0, hits = 0;
    guint32 sink = s->anchor->core.to;
    if (!has_senders(s, sink, (guint)s->m->k))
        return FALSE;
    GraphIter it;
    walk(s, sink, FALSE, 0, &it);
    while (nd < LIMIT_GRAPH_MATCH && graph_next(&it, NULL)) {
        guint32 j = it.at_peer; /* the sender, from the index */
        if (seen(done, nd, j))
            continue;
        done[nd++] = j;
        if (!node_ok(s, j))
            continue;
        gint64 out = 0, last = 0;
        GraphIter jt; /* j's payments to the sink in the window */
        walk(s, j, TRUE, sink, &jt);
        const GraphEdge *f;
        while ((f = graph_next(&jt, NULL))) {
            out += f->core.amount;
            last = MAX(last, f->core.ts);
        }
        gint64 in = graph_inflow(s->g, j, s->from, last);
        if (in > 0 && (double)out >= s->m->ratio * (double)in && ++hits >= (guint)s->m->k)
            return TRUE;
    }
    return FALSE;
}

static int cmp_edge_time(const void *a, const void *b)
{
    const GraphEdge *x = *(const GraphEdge *const *)a, *y = *(const GraphEdge *const *)b;
    return (x->core.ts > y->core.ts) - (x->core.ts < y->core.ts);
}

guint32 graph_match_anchor(const MatchSpec *m, const GraphEdge *e)
{
    return m->kind == MATCH_GATHER_SCATTER ? e->core.from : e->core.to;
}

/* The accounts every search of pattern m around e starts from: the
 * anchor's two ends (the anchor alone for gather-scatter), which must pass
 * node_ok before anything is walked. */
static gboolean ends_ok(Search *s)
{
    const GraphEdge *e = s->anchor;
    if (s->m->kind == MATCH_GATHER_SCATTER)
        return node_ok(s, e->core.from);
    gboolean hub;
    s->hubs_left = s->m->hubs;
    if (s->m->kind == MATCH_CYCLE)
        return cycle_node_ok(s, e->core.from, &hub) && cycle_node_ok(s, e->core.to, &hub);
    return node_ok(s, e->core.from) && node_ok(s, e->core.to);
}

gboolean graph_match(const Graph *g, const MatchSpec *m, guint32 bit, gint64 window,
                     const GraphEdge *e, const GraphMatchEnv *env, GraphMatch *out)
{
    Search s = {.g = g,
                .m = m,
                .bit = bit,
                .t = e->core.ts,
                .from = e->core.ts - window,
                .anchor = e,
                .out = out,
                .node_ev = {.txn = &e->core, .rs = env->rs, .kyc = env->kyc}};
    out->n = 0;
    out->work = 0;
    out->exhausted = FALSE;
    out->anchor = graph_match_anchor(m, e);
    if (!ends_ok(&s))
        return FALSE;
    gboolean ok = FALSE;
    switch (m->kind) {
    case MATCH_CYCLE:
        if (m->max_len == 2) {
            ok = cycle_of_two(&s);
        } else {
            Near near;
            near.filled = FALSE;
            s.near = &near;
            ok = cycle_dfs(&s, e->core.to, 0, s.from);
        }
        break;
    case MATCH_CHAIN:
        ok = chain_dfs(&s, e->core.from, 0, e);
        break;
    case MATCH_SCATTER_GATHER:
        ok = scatter_gather(&s);
        break;
    case MATCH_GATHER_SCATTER:
        ok = gather_scatter(&s);
        break;
    case MATCH_FUNNEL:
        /* the walk that lists the evidence runs only where it finds some */
        ok = (graph_summed(g) != bit || funnel_possible(&s)) && funnel(&s);
        break;
    case MATCH_NONE:
        break;
    }
    if (ok)
        qsort(out->edges, out->n, sizeof out->edges[0], cmp_edge_time);
    return ok;
}
