/* case_trace.c: time-respecting proportional tracing (the algorithm is in
 * case_trace.h). Transactions become edges; a backward trace reverses
 * each edge and negates its time, so one forward pass serves both. */
#include "case/case_trace.h"

#include <string.h>

#include "case/case_flow.h"

#define CASH_NODE  "(cash)"
#define PATH_STEPS 200000 /* nodes visited while listing paths */

typedef struct Edge Edge;
struct Edge {
    const char *id, *currency;
    int exp;
    const char *src, *dst;
    gint64 t;
    double amount;
    gboolean seed;
    guint n;      /* transactions it stands for */
    gboolean sum; /* seeds to one unfollowed account summed: passes nothing on, receives nothing */
    double c[CASE_TRACE_MAX_HOPS + 2]; /* traced money by hop, 1-based */
    double scale;                      /* rule 3 factor, 1 when not capped */
    double denom;                      /* max(X, S) of rule 2 */
    GPtrArray *outs;                   /* dst's outs in time order (borrowed), or NULL */
    guint out_lo, out_hi;              /* those in the window: outs[out_lo, out_hi) */
};

typedef struct {
    const TraceQuery *q;
    GPtrArray *edges;   /* Edge *, in time order */
    GHashTable *out_of; /* src -> GPtrArray of Edge * (borrowed), in time order */
    GHashTable *reach;  /* account -> TraceReach * */
    TraceResult *r;
    GHashTable *paths;  /* "A -> B" -> double * */
    GHashTable *hub_at; /* ids of transactions that reach the origin when it
                         * passes money on in more than CASE_TRACE_MAX_FANOUT
                         * payments (counted by the store), or NULL */
    guint steps;
} Trace;

static void edge_free(Edge *e)
{
    g_free(e);
}

static void reach_free(TraceReach *r)
{
    g_free(r->account);
    g_free(r);
}

static void path_free(TracePath *p)
{
    g_free(p->accounts);
    g_free(p);
}

void trace_result_free(TraceResult *r)
{
    if (!r)
        return;
    g_ptr_array_unref(r->reached);
    g_ptr_array_unref(r->paths);
    g_free(r);
}

static gint cmp_edge(gconstpointer pa, gconstpointer pb)
{
    const Edge *a = *(Edge *const *)pa, *b = *(Edge *const *)pb;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return strcmp(a->id, b->id);
}

static gboolean is_seed(const CaseTx *t, const TraceQuery *q)
{
    const char *own = q->backward ? t->to : t->from;
    return strcmp(own, q->account) == 0 && t->ts >= q->from && t->ts <= q->to;
}

/* The seeds summed per receiver (CaseFlow *, n > 0) as edges: each
 * reaches its account at hop 1 and ends there. */
static void sum_edges(Trace *tr, GPtrArray *sums)
{
    for (guint i = 0; sums && i < sums->len; i++) {
        const CaseFlow *f = g_ptr_array_index(sums, i);
        if (!f->n)
            continue;
        Edge *e = g_new0(Edge, 1);
        e->id = f->first_tx;
        e->currency = f->currency;
        e->exp = f->exp;
        e->src = tr->q->account;
        e->dst = tr->q->backward ? f->from : f->to;
        if (!*e->dst)
            e->dst = CASH_NODE;
        e->t = tr->q->backward ? -f->last : f->first;
        e->c[1] = e->amount = (double)f->total;
        e->scale = 1;
        e->seed = e->sum = TRUE;
        e->n = f->n;
        g_ptr_array_add(tr->edges, e);
    }
}

/* Turns transactions into edges (reversed for a backward trace), once per
 * tx id, adds the summed seeds, puts them in time order, and indexes the
 * transactions by sender. */
static void build_edges(Trace *tr, GPtrArray *txns, GPtrArray *sums)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        if (!g_hash_table_add(seen, t->tx_id))
            continue;
        Edge *e = g_new0(Edge, 1);
        e->id = t->tx_id;
        e->currency = t->currency;
        e->exp = t->exp;
        e->n = 1;
        e->src = tr->q->backward ? t->to : t->from;
        e->dst = tr->q->backward ? t->from : t->to;
        if (!*e->dst)
            e->dst = CASH_NODE;
        e->t = tr->q->backward ? -t->ts : t->ts;
        e->amount = (double)t->amount;
        e->scale = 1;
        e->seed = is_seed(t, tr->q);
        if (e->seed)
            e->c[1] = e->amount;
        g_ptr_array_add(tr->edges, e);
    }
    sum_edges(tr, sums);
    g_ptr_array_sort(tr->edges, cmp_edge);
    for (guint i = 0; i < tr->edges->len; i++) {
        Edge *e = g_ptr_array_index(tr->edges, i);
        if (!*e->src || e->sum)
            continue;
        GPtrArray *list = g_hash_table_lookup(tr->out_of, e->src);
        if (!list) {
            list = g_ptr_array_new();
            g_hash_table_insert(tr->out_of, (gpointer)e->src, list);
        }
        g_ptr_array_add(list, e);
    }
}

static TraceReach *reach_of(Trace *tr, const char *account)
{
    TraceReach *r = g_hash_table_lookup(tr->reach, account);
    if (!r) {
        r = g_new0(TraceReach, 1);
        r->account = g_strdup(account);
        r->hop = G_MAXUINT;
        g_hash_table_insert(tr->reach, r->account, r);
    }
    return r;
}

/* Rule 3: scales e down to its amount; the excess stays at its sender. */
static double cap(Trace *tr, Edge *e)
{
    double total = 0;
    for (guint h = 1; h <= tr->q->hops; h++)
        total += e->c[h];
    if (total > e->amount * (1 + 1e-12) && total > 0) {
        e->scale = e->amount / total;
        for (guint h = 1; h <= tr->q->hops; h++)
            e->c[h] *= e->scale;
        reach_of(tr, e->src)->stayed += total - e->amount;
        tr->r->capped++;
        total = e->amount;
    }
    return total;
}

/* The index of the first edge of list (in time order) later than t. */
static guint first_after(const GPtrArray *list, gint64 t)
{
    guint lo = 0, hi = list->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (((const Edge *)g_ptr_array_index(list, mid))->t > t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Rule 2: the outs of e's receiver in (t, t + within], and their sum. The
 * receiver's outs are in time order: the window is found by bisection and
 * kept as a range, so a busy receiver costs its window, not its history.
 * A receiver with more than CASE_TRACE_MAX_FANOUT outs in the window is a
 * hub: nothing is passed on through it (*hub set). */
static double window_outs(Trace *tr, Edge *e, gboolean *hub)
{
    GPtrArray *list = g_hash_table_lookup(tr->out_of, e->dst);
    e->outs = list;
    *hub = FALSE;
    if (!list)
        return 0;
    e->out_lo = first_after(list, e->t);
    e->out_hi = first_after(list, e->t + tr->q->within);
    if (e->out_hi - e->out_lo > CASE_TRACE_MAX_FANOUT ||
        (tr->hub_at && g_hash_table_contains(tr->hub_at, e->id))) {
        *hub = TRUE;
        e->out_hi = e->out_lo;
    }
    double sum = 0;
    for (guint i = e->out_lo; i < e->out_hi; i++)
        sum += ((const Edge *)g_ptr_array_index(list, i))->amount;
    return sum;
}

static void pass_on(Trace *tr, Edge *e, double total)
{
    TraceReach *r = reach_of(tr, e->dst);
    guint first = 0;
    for (guint h = 1; h <= tr->q->hops && !first; h++)
        first = e->c[h] > 0 ? h : 0;
    r->arrived += total;
    r->hop = MIN(r->hop, first);
    if (strcmp(e->currency, tr->r->currency) != 0)
        tr->r->mixed = TRUE;
    double forwarded = 0;
    gboolean hub;
    e->denom = MAX(e->amount, window_outs(tr, e, &hub));
    if (hub && !r->hub) {
        r->hub = TRUE;
        tr->r->hubs++;
    }
    for (guint i = e->out_lo; strcmp(e->dst, CASH_NODE) != 0 && i < e->out_hi; i++) {
        Edge *f = g_ptr_array_index(e->outs, i);
        for (guint h = 1; h < tr->q->hops; h++) {
            double add = e->c[h] * f->amount / e->denom;
            f->c[h + 1] += add;
            forwarded += add;
        }
    }
    r->stayed += total - forwarded;
}

static void add_path(Trace *tr, const char *accounts, double stayed)
{
    if (stayed < 0.5) /* less than half a minor unit: rounding residue, not money */
        return;
    double *v = g_hash_table_lookup(tr->paths, accounts);
    if (!v) {
        v = g_new0(double, 1);
        g_hash_table_insert(tr->paths, g_strdup(accounts), v);
    }
    *v += stayed;
}

/* Rule 5: follows value v carried by e at hop h along its outs. */
static void walk(Trace *tr, const Edge *e, guint h, double v, GString *chain)
{
    if (++tr->steps > PATH_STEPS || v <= 0)
        return;
    gsize len = chain->len;
    g_string_append_printf(chain, "%s%s", tr->q->backward ? " <- " : " -> ", e->dst);
    double passed = 0;
    for (guint i = e->out_lo; h < tr->q->hops && e->outs && i < e->out_hi; i++) {
        const Edge *f = g_ptr_array_index(e->outs, i);
        double share = f->amount / e->denom * f->scale;
        passed += share;
        walk(tr, f, h + 1, v * share, chain);
    }
    add_path(tr, chain->str, v * (1 - passed));
    g_string_truncate(chain, len);
}

static gint cmp_reach(gconstpointer pa, gconstpointer pb)
{
    const TraceReach *a = *(TraceReach *const *)pa, *b = *(TraceReach *const *)pb;
    if (a->arrived != b->arrived)
        return a->arrived > b->arrived ? -1 : 1;
    return strcmp(a->account, b->account);
}

static gint cmp_path(gconstpointer pa, gconstpointer pb)
{
    const TracePath *a = *(TracePath *const *)pa, *b = *(TracePath *const *)pb;
    if (a->stayed != b->stayed)
        return a->stayed > b->stayed ? -1 : 1;
    return strcmp(a->accounts, b->accounts);
}

static void collect(Trace *tr, guint max_paths)
{
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, tr->reach);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_hash_table_iter_steal(&it);
        g_ptr_array_add(tr->r->reached, v);
    }
    g_ptr_array_sort(tr->r->reached, cmp_reach);
    g_hash_table_iter_init(&it, tr->paths);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        TracePath *p = g_new0(TracePath, 1);
        p->accounts = g_strdup(k);
        p->stayed = *(double *)v;
        g_ptr_array_add(tr->r->paths, p);
    }
    g_ptr_array_sort(tr->r->paths, cmp_path);
    if (tr->r->paths->len > max_paths)
        g_ptr_array_set_size(tr->r->paths, max_paths);
}

/* case_trace_compute with the seeds to unfollowed accounts summed in
 * sums (CaseFlow *, or NULL), and the arrivals at a hub window hub_at
 * (tx ids, or NULL). */
static TraceResult *compute(GPtrArray *edges, GPtrArray *sums, GHashTable *hub_at,
                            const TraceQuery *q, guint max_paths)
{
    Trace tr = {.q = q, .hub_at = hub_at};
    tr.r = g_new0(TraceResult, 1);
    tr.r->reached = g_ptr_array_new_with_free_func((GDestroyNotify)reach_free);
    tr.r->paths = g_ptr_array_new_with_free_func((GDestroyNotify)path_free);
    tr.r->exp = 2;
    tr.edges = g_ptr_array_new_with_free_func((GDestroyNotify)edge_free);
    tr.out_of =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_ptr_array_unref);
    tr.reach = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)reach_free);
    tr.paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    build_edges(&tr, edges, sums);
    for (guint i = 0; i < tr.edges->len; i++) {
        Edge *e = g_ptr_array_index(tr.edges, i);
        if (e->seed && !tr.r->n_seeds) {
            g_strlcpy(tr.r->currency, e->currency, sizeof tr.r->currency);
            tr.r->exp = e->exp;
        }
        tr.r->n_seeds += e->seed ? e->n : 0;
        tr.r->origin += e->seed ? e->amount : 0;
        double total = cap(&tr, e);
        if (total > 0)
            pass_on(&tr, e, total);
    }
    g_autoptr(GString) chain = g_string_new(NULL);
    for (guint i = 0; i < tr.edges->len; i++) {
        const Edge *e = g_ptr_array_index(tr.edges, i);
        g_string_assign(chain, q->account);
        if (e->seed)
            walk(&tr, e, 1, e->c[1] > 0 ? e->amount * e->scale : 0, chain);
    }
    collect(&tr, max_paths);
    g_hash_table_unref(tr.paths);
    g_hash_table_unref(tr.reach);
    g_hash_table_unref(tr.out_of);
    g_ptr_array_unref(tr.edges);
    return tr.r;
}

TraceResult *case_trace_compute(GPtrArray *edges, const TraceQuery *q, guint max_paths)
{
    return compute(edges, NULL, NULL, q, max_paths);
}

typedef struct {
    gint64 lo, hi; /* earliest and latest arrival (in original time) */
} Span;

/* Adds the transactions in txns that continue the trace at account acc to
 * all and notes where they lead in next. */
static void take(GPtrArray *txns, const TraceQuery *q, const char *acc, GPtrArray *all,
                 GHashTable *next)
{
    for (guint i = 0; i < txns->len; i++) {
        CaseTx *t = g_ptr_array_index(txns, i);
        const char *src = q->backward ? t->to : t->from;
        const char *dst = q->backward ? t->from : t->to;
        if (strcmp(src, acc) != 0)
            continue;
        g_ptr_array_add(all, g_ptr_array_steal_index_fast(txns, i--));
        if (!*dst)
            continue;
        Span *sp = g_hash_table_lookup(next, dst);
        if (!sp) {
            sp = g_new(Span, 1);
            sp->lo = sp->hi = t->ts;
            g_hash_table_insert(next, g_strdup(dst), sp);
        }
        sp->lo = MIN(sp->lo, t->ts);
        sp->hi = MAX(sp->hi, t->ts);
    }
}

/* The accounts of next worth following: those that received at least
 * min_share of the origin in r, the most first, while the bound allows;
 * the others go to skipped. Replaces next's contents. */
static void choose(const TraceQuery *q, const TraceResult *r, GHashTable *next, guint *followed,
                   GHashTable *skipped)
{
    GHashTableIter it;
    gpointer k, v;
    g_autoptr(GPtrArray) worth = g_ptr_array_new(); /* TraceReach *, in r's order */
    for (guint i = 0; i < r->reached->len; i++) {
        TraceReach *x = g_ptr_array_index(r->reached, i);
        if (g_hash_table_contains(next, x->account) && x->arrived > 0 &&
            x->arrived >= q->min_share * r->origin)
            g_ptr_array_add(worth, x);
    }
    g_autoptr(GHashTable) keep = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < worth->len; i++) {
        if (q->max_accounts && *followed >= q->max_accounts)
            break;
        g_hash_table_add(keep, ((TraceReach *)g_ptr_array_index(worth, i))->account);
        ++*followed;
    }
    g_hash_table_iter_init(&it, next);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        if (g_hash_table_contains(keep, k))
            continue;
        g_hash_table_add(skipped, g_strdup(k));
        g_hash_table_iter_remove(&it);
    }
}

/* Counts the skipped accounts that were never followed, and what stayed. */
static void count_unfollowed(TraceResult *r, GHashTable *skipped, GHashTable *followed)
{
    for (guint i = 0; i < r->reached->len; i++) {
        const TraceReach *x = g_ptr_array_index(r->reached, i);
        if (g_hash_table_contains(skipped, x->account) &&
            !g_hash_table_contains(followed, x->account)) {
            r->unfollowed++;
            r->unfollowed_stayed += x->stayed;
        }
    }
}

/* What case_trace_run has read so far. The origin's seeds come summed per
 * receiver where the store sums (sums): a hub's million payments travel
 * as one line per counterparty. A summed seed is exact as long as nothing
 * looks at its time, so the seeds to an account that is followed, and
 * the origin's seeds in the window after money came back to it, are read
 * one by one (claimed: moved out of their sum into all). */
typedef struct {
    CaseStore *s;
    const TraceQuery *q;
    GPtrArray *all;       /* CaseTx * read one by one */
    GPtrArray *sums;      /* CaseFlow *: the seeds not read one by one, or NULL */
    GHashTable *sum_of;   /* receiver -> CaseFlow * in sums */
    GHashTable *claimed;  /* tx ids of seeds moved out of their sum */
    GHashTable *returned; /* tx ids of arrivals at the origin whose window was read */
    GHashTable *hub_at;   /* those of them whose window holds more than
                           * CASE_TRACE_MAX_FANOUT seeds (counted, not read) */
} Run;

static const char *other_end(const TraceQuery *q, const CaseTx *t)
{
    return q->backward ? t->from : t->to;
}

/* Moves seed t out of its sum (once); TRUE if it was in one. */
static gboolean claim(Run *run, const CaseTx *t)
{
    CaseFlow *f = run->sum_of ? g_hash_table_lookup(run->sum_of, other_end(run->q, t)) : NULL;
    if (!f || !is_seed(t, run->q) || !g_hash_table_add(run->claimed, g_strdup(t->tx_id)))
        return FALSE;
    f->total -= t->amount;
    f->n--;
    return TRUE;
}

/* Claims the seeds among all[from..] and among txns (moved to all). */
static void settle(Run *run, GPtrArray *txns, guint from)
{
    for (guint i = from; i < run->all->len; i++)
        claim(run, g_ptr_array_index(run->all, i));
    for (guint i = 0; txns && i < txns->len; i++) {
        if (claim(run, g_ptr_array_index(txns, i)))
            g_ptr_array_add(run->all, g_ptr_array_steal_index_fast(txns, i--));
    }
}

/* Reads account's transactions in [lo, hi] and claims the seeds among them. */
static gboolean read_seeds(Run *run, const char *account, gint64 lo, gint64 hi, GError **error)
{
    g_autoptr(GPtrArray) txns = run->s->ops->txns_of(run->s, account, lo, hi, error);
    if (!txns)
        return FALSE;
    settle(run, txns, run->all->len);
    return TRUE;
}

/* The origin's seeds summed per receiver into run->sums, their receivers
 * with the span they were paid in into next: 1. 0 (and nothing done) when
 * the store cannot sum, or when the seeds are in several currencies or
 * pay the origin itself: then they are read one by one. -1 on error. */
static int seed_sums(Run *run, GHashTable *next, GError **error)
{
    const TraceQuery *q = run->q;
    if (!run->s->ops->flows_of)
        return 0;
    g_autoptr(GPtrArray) flows = case_flows_of(run->s, q->account, q->from, q->to, error);
    if (!flows)
        return -1;
    GPtrArray *sums = g_ptr_array_new_with_free_func((GDestroyNotify)case_flow_free);
    for (guint i = 0; i < flows->len; i++) {
        CaseFlow *f = g_ptr_array_index(flows, i);
        const char *own = q->backward ? f->to : f->from, *end = q->backward ? f->from : f->to;
        if (strcmp(own, q->account) != 0)
            continue;
        if (strcmp(end, q->account) == 0 ||
            (sums->len &&
             strcmp(f->currency, ((CaseFlow *)g_ptr_array_index(sums, 0))->currency) != 0)) {
            g_ptr_array_unref(sums);
            return 0;
        }
        g_ptr_array_add(sums, g_ptr_array_steal_index(flows, i--));
    }
    run->sums = sums;
    run->sum_of = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < sums->len; i++) {
        CaseFlow *f = g_ptr_array_index(sums, i);
        const char *end = q->backward ? f->from : f->to;
        g_hash_table_insert(run->sum_of, (gpointer)end, f);
        if (!*end)
            continue;
        Span *sp = g_new(Span, 1);
        sp->lo = f->first;
        sp->hi = f->last;
        g_hash_table_insert(next, g_strdup(end), sp);
    }
    return 1;
}

/* The seeds in the window after each transaction that brought money back
 * to the origin: where the store counts (count_in), a window of more than
 * CASE_TRACE_MAX_FANOUT seeds is a hub window (noted in hub_at: nothing
 * passes on there, so its seeds need not be read); the others are read
 * one by one. In trace time the window is (t, t + within], so in the
 * data's time [t - within, t) backward and (t, t + within] forward. */
static gboolean returned_windows(Run *run, GError **error)
{
    const TraceQuery *q = run->q;
    g_autoptr(GArray) lo = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_autoptr(GArray) hi = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_autoptr(GPtrArray) ids = g_ptr_array_new(); /* borrowed from run->returned */
    for (guint i = 0; i < run->all->len; i++) {
        const CaseTx *t = g_ptr_array_index(run->all, i);
        const char *dst = q->backward ? t->from : t->to;
        if (strcmp(dst, q->account) != 0 || is_seed(t, q) ||
            g_hash_table_contains(run->returned, t->tx_id))
            continue;
        char *id = g_strdup(t->tx_id);
        g_hash_table_add(run->returned, id);
        gint64 a = MAX(q->backward ? t->ts - q->within : t->ts + 1, q->from);
        gint64 b = MIN(q->backward ? t->ts - 1 : t->ts + q->within, q->to);
        if (a > b)
            continue;
        g_array_append_val(lo, a);
        g_array_append_val(hi, b);
        g_ptr_array_add(ids, id);
    }
    g_autofree guint64 *counts = g_new0(guint64, ids->len + 1);
    gboolean counted = run->s->ops->count_in && ids->len &&
                       run->s->ops->count_in(run->s, q->account, !q->backward, (gint64 *)lo->data,
                                             (gint64 *)hi->data, ids->len, counts, error);
    if (!counted && error && *error)
        return FALSE;
    for (guint i = 0; i < ids->len; i++) {
        if (counted && counts[i] > CASE_TRACE_MAX_FANOUT)
            g_hash_table_add(run->hub_at, g_strdup(g_ptr_array_index(ids, i)));
        else if (!read_seeds(run, q->account, g_array_index(lo, gint64, i),
                             g_array_index(hi, gint64, i), error))
            return FALSE;
    }
    return TRUE;
}

/* Reads one by one the seeds still summed of the followed accounts in
 * done, and the origin's seeds in the window after each transaction that
 * brought money back to the origin. */
static gboolean unsum(Run *run, GHashTable *done, GError **error)
{
    if (!run->sums)
        return TRUE;
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, done);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        const CaseFlow *f = g_hash_table_lookup(run->sum_of, k);
        if (f && f->n && !read_seeds(run, k, f->first, f->last, error))
            return FALSE;
    }
    return returned_windows(run, error);
}

/* Reads what account k passes on over [lo, hi] into run->all, and where
 * it leads into next. */
static gboolean follow(Run *run, const char *k, gint64 lo, gint64 hi, GHashTable *next,
                       GError **error)
{
    GPtrArray *txns = run->s->ops->txns_of(run->s, k, lo, hi, error);
    if (!txns)
        return FALSE;
    guint from = run->all->len;
    take(txns, run->q, k, run->all, next);
    settle(run, txns, from);
    g_ptr_array_unref(txns);
    return TRUE;
}

TraceResult *case_trace_run(CaseStore *s, const TraceQuery *q, guint max_paths, GError **error)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    g_autoptr(GHashTable) level = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) skipped = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) done = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) claimed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) returned = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) hub_at = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    Run run = {s, q, all, NULL, NULL, claimed, returned, hub_at};
    TraceResult *r = NULL;
    Span *seed = g_new(Span, 1);
    seed->lo = q->from;
    seed->hi = q->to;
    g_hash_table_insert(level, g_strdup(q->account), seed);
    guint followed = 0;
    for (guint h = 0; h < q->hops && g_hash_table_size(level); h++) {
        g_autoptr(GHashTable) next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        GHashTableIter it;
        gpointer k, v;
        int summed = h == 0 ? seed_sums(&run, next, error) : 0;
        if (summed < 0)
            goto out;
        if (summed)
            g_hash_table_add(done, g_strdup(q->account));
        g_hash_table_iter_init(&it, level);
        while (!summed && g_hash_table_iter_next(&it, &k, &v)) {
            const Span *sp = v;
            gint64 lo = h == 0 ? sp->lo : q->backward ? sp->lo - q->within : sp->lo;
            gint64 hi = h == 0 ? sp->hi : q->backward ? sp->hi : sp->hi + q->within;
            if (!follow(&run, k, lo, hi, next, error))
                goto out;
            g_hash_table_add(done, g_strdup(k));
        }
        if (!unsum(&run, done, error))
            goto out;
        g_hash_table_unref(level);
        level = g_steal_pointer(&next);
        if (h + 1 < q->hops && g_hash_table_size(level)) {
            g_autoptr(TraceResult) sofar = compute(all, run.sums, hub_at, q, 0);
            choose(q, sofar, level, &followed, skipped);
        }
    }
    r = compute(all, run.sums, hub_at, q, max_paths);
    count_unfollowed(r, skipped, done);
out:
    if (run.sums)
        g_ptr_array_unref(run.sums);
    if (run.sum_of)
        g_hash_table_unref(run.sum_of);
    return r;
}
