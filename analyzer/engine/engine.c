/* engine.c: the streaming evaluation of rules (see engine.h).
 *
 * Window rules: for each transaction, the rules and sides its shape (to
 * oneself or not, channel, mcc) can pass, as bits worked out once per shape
 * from the compile-time prefilter masks, and-ed with the bits of the rules
 * whose account-kind and fixed-attribute prefilters each account passes
 * (worked out once per account); for each side left, the filter as
 * compiled for that side unless the shape's bits say it surely passes or
 * the amount lies outside those it can pass; then the account's window:
 * expire, push, test the condition's leads on what the window keeps, compute
 * the aggregates the condition needs, test the condition, and on an alert
 * (unless suppressed) the remaining aggregates, the explanation and the
 * evidence. This runs in
 * three sweeps (filters, prefetch, updates) so that the cache misses of
 * many windows overlap. A rule has a window only for the accounts that
 * passed its filter: a pool per rule, found through one slot table whose
 * row for an account holds its slots of the rules it passed (engine/slots.h).
 * The transaction itself is stored once for all the windows and graph edges
 * that hold it, in the TxnStore of the longest look-back among them. With checks on
 * (engine_set_check) every prefilter decision is tested against the filter
 * itself; with profiling on, each rule's cost is kept.
 *
 * Graph rules: an account-to-account transaction that passes the filter of
 * at least one graph rule becomes an edge of the recent graph, tagged with
 * the rules it passed; each of those rules searches its pattern around the
 * new edge, and a match is turned into a small window of its edges so that
 * aggregates, condition and explanation work as for window rules.
 *
 * A batch of rows (engine_process_rows, for an engine without graph rules)
 * runs the filters row by row, then the window updates sorted by account,
 * each account's in row order: an account's windows are loaded once for
 * all its rows in the batch. Alerts then come out of row order; the caller
 * (engine_shards.c) puts them back.
 *
 * Idle state is freed every LIMIT_EVICT_EVERY transactions. Scratch space
 * is allocated once. As a shard of several (engine_shards.c) an engine
 * keeps the windows of some accounts only, and leaves ids, explanations,
 * quiet replays and typologies to the merger. */
#include "engine/engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/graph.h"
#include "engine/history.h"
#include "engine/graph_match.h"
#include "base/hugemem.h"
#include "base/money.h"
#include "read/kyc.h"
#include "rule/rule_data.h"
#include "rule/rule_text.h"
#include "engine/typology.h"
#include "engine/slots.h"
#include "engine/window.h"
#include "engine/window_agg.h"

/* A rule's windows: only accounts that passed its filter have one, in a
 * pool indexed through the engine's slot table (most accounts never pass
 * most filters); evicted windows are reused. A pool entry is a Window (its
 * owner the account, 0 = free) followed by its running totals and a small
 * ring (at least POOL_RING entries, as many as fill its last line), so
 * that a small window lies in a few adjacent lines and allocates nothing.
 * Entries live in chunks that never move. */

#define POOL_RING   1  /* ring entries kept in the pool entry, at least */
#define POOL_FIRST  64 /* entries of the first chunk; chunk c holds POOL_FIRST << c */
#define POOL_CHUNKS 26 /* chunks enough for any guint32 index */

/* A rule's entry conditions (RuleAgg.flag) for one shape of transaction,
 * the account's side, a missing mcc and the channel: the flags the
 * compile-time masks set surely, and the programs left to run, n of them
 * from first in RuleState.flag_progs. */
typedef struct {
    guint32 sure;
    guint16 first, n;
} FlagShape;

typedef struct {
    const RuleProgram *prog;
    guint32 bit;
} FlagProg;

#define FLAG_SHAPES (SIDE_COUNT * 2 * CHANNEL_COUNT)

static guint flag_shape_index(Side side, guint no_mcc, guint channel)
{
    return ((guint)side * 2 + no_mcc) * CHANNEL_COUNT + channel;
}

typedef struct {
    FlagShape *flag_shapes; /* by flag_shape_index; NULL without entry conditions */
    FlagProg *flag_progs;
    const RuleLead *leads; /* the rule's (RulePlan.leads), at hand */
    guint n_leads;
    guint8 *chunks[POOL_CHUNKS];
    gsize stride;   /* bytes per pool entry */
    gsize ring_off; /* offset of the ring in an entry (the running totals follow the Window) */
    guint ring_cap; /* its entries: POOL_RING, and as many more as fill the entry's last line */
    guint n_run;    /* running totals per window */
    guint n_pool;   /* entries made */
    GArray *free;   /* guint32 indexes of free pool entries */
    guint store;    /* Engine.stores index of the records its windows point at */
} RuleState;

/* Entry i is in chunk c = floor(log2(i / POOL_FIRST + 1)), after the
 * POOL_FIRST * (2^c - 1) entries of the chunks before it: a pool grows
 * without moving, the first chunks small (a rule test makes a few windows),
 * the later ones big enough for huge pages. */
static guint pool_chunk(guint32 i)
{
    return 31 - (guint)__builtin_clz(i / POOL_FIRST + 1);
}

static gsize pool_chunk_bytes(const RuleState *st, guint c)
{
    return ((gsize)POOL_FIRST << c) * st->stride;
}

static Window *pool_at(const RuleState *st, guint32 i)
{
    guint c = pool_chunk(i);
    gsize off = i - (gsize)POOL_FIRST * ((1u << c) - 1);
    return (Window *)(void *)(st->chunks[c] + off * st->stride);
}

/* Empties pool entry i's window onto its own storage. */
static void pool_window_init(RuleState *st, guint32 i)
{
    guint8 *base = (guint8 *)pool_at(st, i);
    gint64 *run = (gint64 *)(base + sizeof(Window));
    memset(run, 0, st->n_run * sizeof *run);
    window_init_on((Window *)base, (WinEntry *)(base + st->ring_off), st->ring_cap, run);
}

/* The filter program the engine runs for a shape of transaction. */
static const RuleProgram *shape_program(const Rule *r, Side side, guint no_mcc, guint ch)
{
    const RuleProgram *p = r->plan.shape_filter[side][no_mcc][ch];
    return p ? p : &r->plan.side_filter[side];
}

static const RuleMccSet *shape_mcc(const Rule *r, Side side, guint no_mcc, guint ch)
{
    return no_mcc ? NULL : r->plan.shape_mcc[side][ch];
}

/* What the mcc prefilter m says of an mcc: 0 fails, 1 passes, -1 the
 * shape's program decides. */
static inline int mcc_decides(const RuleMccSet *m, guint mcc)
{
    if (!m || mcc >= RULE_MCC_CODES)
        return -1;
    if (!rule_mcc_has(m->maybe, mcc))
        return 0;
    return rule_mcc_has(m->surely, mcc) ? 1 : -1;
}

/* Side masks: two bits per rule in rule order, bit 2 * ri for the sender's
 * side (or either side, to oneself), 2 * ri + 1 for the receiver's, in
 * words of 64: walking the set bits visits the sides in the order their
 * updates run (and their alerts come out). */
#define SIDE_SENDERS   0x5555555555555555ULL
#define SIDE_RECEIVERS 0xAAAAAAAAAAAAAAAAULL

static inline gboolean mask_has(const guint64 *m, guint bit)
{
    return m[bit / 64] >> (bit % 64) & 1;
}

/* What a transaction shape (to oneself or not, channel, mcc) says of the
 * rules, as four side masks of Engine.mw words (Engine.shapes). */
enum { SHAPE_CAN, SHAPE_SURE, SHAPE_GRAPH_CAN, SHAPE_GRAPH_SURE, SHAPE_MASKS };

/* One side of a transaction that passed a window rule's filter. */
typedef struct {
    guint32 rule, account, window; /* window: index in the rule's pool */
} Pass;

/* One side of a row of a batch that passed a window rule's filter
 * (engine_process_rows). */
typedef struct {
    Pass p;
    guint32 row; /* its record: Engine.row_rec[row] */
} RowPass;

G_STATIC_ASSERT(sizeof(RowPass) == 16);

struct Engine {
    const RuleSet *rs;
    const Intern *accounts;
    const Intern *locations;
    AlertFn fn;
    void *user;
    RuleState *state; /* one per rule */
    /* A row per account (engine/slots.h): its account prefilter's bits as
     * 1 + their index in masks (0 = not worked out yet: account_mask), and
     * its slot of each rule the engine runs whose filter it passed (1 +
     * index in the rule's pool, 0 = none), packed. */
    SlotTable slots;
    guint16 *slot_of; /* by rule: its slot's place in a row (layout_rows) */
    /* The distinct account prefilter bits met (mw words each, as many as
     * the accounts' kinds and fixed attributes make: a few), each once:
     * mask_ids finds one's index in masks */
    GPtrArray *masks;
    GHashTable *mask_ids; /* GBytes of mw words -> 1 + index in masks */
    guint64 *mask_new;    /* scratch: mw words */
    guint mw;             /* 64-bit words of a side mask: 2 * rules bits */
    guint slot_div;       /* an account's row is account / slot_div (a shard's accounts only) */
    double *aggs;         /* scratch: values of one rule's aggregates */
    gint64 *exact;        /* beside aggs: their exact minor units, or MONEY_INEXACT */
    double *scratch;      /* scratch for aggregates, WINDOW_AGG_SCRATCH */
    Alert alert;
    EngineStats stats;
    gint64 quiet_until;     /* alerts at or before this instant are not emitted */
    const Kyc *kyc;         /* accounts side table, or NULL */
    Graph *graph;           /* NULL without graph rules */
    GHashTable *incomplete; /* account -> graph searches about it that stopped at the limit */
    guint32 *graph_bit;     /* by rule index: its bit in GraphEdge.rules, 0 = window rule */
    Window match;           /* the edges of a graph match, as a window */
    GraphMatch gm;
    TypologyEngine *ty; /* NULL without typologies */
    /* The transaction records window entries and graph edges point at, one
     * store per look-back (a window rule's window and baseline, the graph's
     * span; each a day longer, for late rows), shortest first. A record goes
     * to the store of the longest look-back that can hold it, so that a
     * year-long rule keeps a year of its own transactions, not of all. */
    TxnStore **stores;
    guint n_stores;
    guint graph_store; /* the stores index for graph edges */
    guint n_passes;    /* the current transaction's, in passes */
    WindowMem *mem;    /* the rings of windows grown past their pool entry's */
    Pass *passes;      /* scratch: the window rules' sides the current transaction passed */
    /* The side masks of each transaction shape met (SHAPE_MASKS * mw words
     * a shape), found by [self][channel][mcc, RULE_MCC_CODES for a code
     * beyond the table, + 1 for none]: 1 + the shape's index, 0 = not met */
    GArray *shapes;
    guint32 *shape_at[2][32];
    guint64 *no_mask;   /* mw zero words: an account this engine does not keep */
    const TxnCore *rec; /* the current transaction's record, once stored */
    /* engine_process_rows: the window rules' sides of the batch's rows in
     * row order (n_row_passes RowPass), sorted by account into row_sorted,
     * both of pass_cap (grown by a quarter, from the batch's rows); by
     * row, its record (stored by the filters' sweep) and the earliest time
     * up to it, if that moved in the batch (a late row) */
    RowPass *row_passes, *row_sorted;
    guint n_row_passes, pass_cap;
    const TxnCore **row_rec;
    gint64 *row_since;
    guint row_cap;        /* rows row_since and the other arrays by row hold */
    gboolean since_moved; /* row_since is needed */
    guint64 processed;
    guint64 evict_every;  /* transactions between idle sweeps */
    gint64 late;          /* the most a transaction was older than the latest before it */
    gboolean check;       /* check the prefilters against the filters (engine_set_check) */
    EngineRuleCost *cost; /* by rule when profiling (engine_set_profile), else NULL */
    gint64 now;           /* latest transaction time */
    gint64 since;         /* earliest transaction time: where the data begin */
    /* With history fields in this engine's rules (history_setup): what is
     * known of the accounts (this engine's own; NULL if no rule reads
     * them) and of the pairs (its own table, or each row's view handed in:
     * engine_set_pair_views), the current row's view of it before the row,
     * and in a batch the view of each row (row_hist) */
    gboolean reads_hist;
    History *hist;
    HistoryPairs *pairs;
    gboolean pairs_shared;
    const HistoryRowPair *pair_views;
    guint32 pair_next;
    RuleHistory cur;
    RuleHistory *row_hist;
    /* With memo tests in the rules (RuleSet.texts): the current row's memo
     * folded once (rule_text_fold), read by the filters, the entry flags
     * and the conditions of this row; in a batch each row's, end to end
     * in row_memo (row i's row_memo_len[i] bytes at row_memo_at[i]) */
    GString *memo, *row_memo;
    guint32 *row_memo_at, *row_memo_len;
    /* engine_set_shard: the window rules of the accounts a % shards == shard
     * only (none if shard == shards), alerts left to the merger */
    gboolean sharded;
    guint shard, shards;
    /* engine_set_owner: the accounts of a cluster shard (NULL: all) */
    EngineOwnerFn owner;
    const void *owner_user;
};

/* Does the engine run rule ri: a graph rule with the graph, a window rule
 * unless it is the graph rules' shard (engine_set_shard)? */
static gboolean engine_runs(const Engine *e, guint ri)
{
    return e->graph_bit[ri] ? e->graph != NULL : !e->sharded || e->shard < e->shards;
}

/* Lays out the rows (Engine.slot) for the rules the engine runs; before
 * any row is made. */
static void layout_rows(Engine *e)
{
    g_assert(e->slots.n == 0);
    guint n = 0;
    for (guint ri = 0; ri < e->rs->rules->len; ri++)
        e->slot_of[ri] = engine_runs(e, ri) ? (guint16)n++ : G_MAXUINT16;
    slot_table_clear(&e->slots);
    slot_table_init(&e->slots, n);
}

static gint cmp_gint64(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return (x > y) - (x < y);
}

static guint store_index(const GArray *keeps, gint64 lookback)
{
    guint i = 0;
    while (g_array_index(keeps, gint64, i) < lookback)
        i++;
    return i;
}

/* One record store per distinct look-back of the window rules and the
 * graph (span: the longest graph window, 0 without graph rules). */
static void make_stores(Engine *e, gint64 span)
{
    g_autoptr(GArray) keeps = g_array_new(FALSE, FALSE, sizeof(gint64));
    g_array_append_val(keeps, span);
    for (guint i = 0; i < e->rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(e->rs->rules, i);
        gint64 lookback = r->window + r->baseline;
        if (!e->graph_bit[i])
            g_array_append_val(keeps, lookback);
    }
    g_array_sort(keeps, cmp_gint64);
    guint n = 0;
    for (guint i = 0; i < keeps->len; i++) {
        if (n == 0 || g_array_index(keeps, gint64, i) != g_array_index(keeps, gint64, n - 1))
            g_array_index(keeps, gint64, n++) = g_array_index(keeps, gint64, i);
    }
    g_array_set_size(keeps, n);
    e->n_stores = n;
    e->stores = g_new(TxnStore *, n);
    for (guint i = 0; i < n; i++) /* a day more, for rows up to a day late */
        e->stores[i] = txn_store_new(g_array_index(keeps, gint64, i) + 86400);
    for (guint i = 0; i < e->rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(e->rs->rules, i);
        e->state[i].store = store_index(keeps, r->window + r->baseline);
    }
    e->graph_store = store_index(keeps, span);
}

/* The current transaction's record, stored on first use (once, whatever
 * the number of windows it enters) in the store of the longest look-back
 * among the windows it passed (e->passes, still the transaction's then)
 * and, if it can be an edge, the graph. */
static const TxnCore *record_of(Engine *e, const Txn *t)
{
    if (!e->rec) {
        guint k = 0;
        for (guint i = 0; i < e->n_passes; i++)
            k = MAX(k, e->state[e->passes[i].rule].store);
        if (e->graph && t->core.from && t->core.to && t->core.from != t->core.to)
            k = MAX(k, e->graph_store);
        e->rec = txn_store_add(e->stores[k], &t->core, t->tx_id);
    }
    return e->rec;
}

/* The rule's entry conditions by shape (FlagShape), from the masks of each
 * aggregate's condition: set surely, left to its program, or not set. */
static void make_flag_shapes(RuleState *st, const Rule *r)
{
    guint n_flags = 0;
    for (guint k = 0; k < r->aggs->len; k++)
        n_flags += g_array_index(r->aggs, RuleAgg, k).flag >= 0;
    if (!n_flags)
        return;
    st->flag_shapes = g_new0(FlagShape, FLAG_SHAPES);
    GArray *progs = g_array_new(FALSE, FALSE, sizeof(FlagProg));
    for (guint side = 0; side < SIDE_COUNT; side++) {
        for (guint no_mcc = 0; no_mcc < 2; no_mcc++) {
            for (guint ch = 0; ch < CHANNEL_COUNT; ch++) {
                FlagShape *fs = &st->flag_shapes[flag_shape_index((Side)side, no_mcc, ch)];
                fs->first = (guint16)progs->len;
                for (guint k = 0; k < r->aggs->len; k++) {
                    const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, k);
                    if (g->flag < 0 || !(g->flag_maybe[side][no_mcc] >> ch & 1))
                        continue;
                    if (g->flag_surely[side][no_mcc] >> ch & 1) {
                        fs->sure |= 1u << g->flag;
                        continue;
                    }
                    FlagProg fp = {g->kind == AGG_COUNT ? &g->arg : &g->cond, 1u << g->flag};
                    g_array_append_val(progs, fp);
                    fs->n++;
                }
            }
        }
    }
    g_assert(progs->len <= G_MAXUINT16);
    st->flag_progs = (FlagProg *)(void *)g_array_free(progs, FALSE);
}

/* Has the graph keep running sums of inflow for the first funnel rule, whose
 * search then reads a sender's inflow without walking it (graph_match.c);
 * a second funnel rule walks, as every rule did before. */
static void graph_sum_funnel(Engine *e, const RuleSet *rs)
{
    for (guint i = 0; i < rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(rs->rules, i);
        if (r->match.kind == MATCH_FUNNEL) {
            graph_sum_inflow(e->graph, e->graph_bit[i]);
            return;
        }
    }
}

/* Keeps the history that the rules this engine runs read, and only that
 * (history.h): the accounts' if one reads an account field, the pairs'
 * (unless shared) if one reads a pair field or the accounts', whose
 * counts of counterparties come from the pairs. */
static void history_setup(Engine *e)
{
    guint parts = 0;
    gboolean windows = !e->sharded || e->shard < e->shards;
    for (guint i = 0; i < e->rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(e->rs->rules, i);
        if (r->match.kind == MATCH_NONE ? windows : e->graph != NULL)
            parts |= rule_history_parts(r);
    }
    e->reads_hist = parts != 0;
    history_free(e->hist);
    e->hist = parts & RULE_HISTORY_ACCOUNT ? history_new(e->slot_div) : NULL;
    history_pairs_free(e->pairs);
    e->pairs = !e->pairs_shared && parts & (RULE_HISTORY_ACCOUNT | RULE_HISTORY_PAIR)
                   ? history_pairs_new()
                   : NULL;
}

Engine *engine_new(const RuleSet *rs, const Intern *accounts, const Intern *locations, AlertFn fn,
                   void *user)
{
    Engine *e = g_new0(Engine, 1);
    e->rs = rs;
    if (rs->texts->len) {
        e->memo = g_string_sized_new(256);
        e->row_memo = g_string_sized_new(4096);
    }
    e->accounts = accounts;
    e->locations = locations;
    e->fn = fn;
    e->user = user;
    e->state = g_new0(RuleState, rs->rules->len);
    for (guint i = 0; i < rs->rules->len; i++) {
        RuleState *st = &e->state[i];
        const Rule *r = g_ptr_array_index(rs->rules, i);
        make_flag_shapes(st, r);
        st->leads = (const RuleLead *)(const void *)r->plan.leads->data;
        st->n_leads = r->plan.leads->len;
        st->n_run = window_agg_run_len(r);
        st->ring_off = sizeof(Window) + st->n_run * sizeof(gint64);
        /* whole lines, so that each header (a Window) is one line */
        st->stride = (st->ring_off + POOL_RING * sizeof(WinEntry) + 63) & ~(gsize)63;
        st->ring_cap = (guint)((st->stride - st->ring_off) / sizeof(WinEntry));
    }
    e->mw = (2 * rs->rules->len + 63) / 64;
    e->slot_of = g_new(guint16, rs->rules->len);
    e->shapes = g_array_new(FALSE, FALSE, sizeof(guint64));
    e->no_mask = g_new0(guint64, e->mw);
    e->mask_new = g_new0(guint64, e->mw);
    e->masks = g_ptr_array_new();
    e->mask_ids =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
    e->passes = g_new(Pass, 2 * rs->rules->len);
    guint max_aggs = 1;
    for (guint i = 0; i < rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(rs->rules, i);
        max_aggs = MAX(max_aggs, r->aggs->len);
    }
    e->aggs = g_new0(double, max_aggs);
    e->exact = g_new0(gint64, max_aggs);
    e->scratch = g_new0(double, WINDOW_AGG_SCRATCH); /* the hash set in it starts empty */
    e->quiet_until = G_MININT64;
    e->slot_div = 1;
    e->evict_every = LIMIT_EVICT_EVERY;
    e->graph_bit = g_new0(guint32, rs->rules->len);
    window_init(&e->match);
    e->mem = window_mem_new();
    gint64 span = 0;
    guint bits = 0;
    for (guint i = 0; i < rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(rs->rules, i);
        if (r->match.kind != MATCH_NONE) {
            g_assert(bits < LIMIT_GRAPH_RULES); /* rule_set_load refuses more */
            e->graph_bit[i] = 1u << bits++;
            span = MAX(span, r->window);
        }
    }
    if (bits) {
        e->graph = graph_new(span);
        e->incomplete = g_hash_table_new(NULL, NULL);
        graph_sum_funnel(e, rs);
    }
    layout_rows(e);
    history_setup(e);
    e->ty = typology_engine_new(rs);
    make_stores(e, span);
    return e;
}

void engine_free(Engine *e)
{
    if (!e)
        return;
    for (guint i = 0; i < e->rs->rules->len; i++) {
        RuleState *st = &e->state[i];
        for (guint a = 0; a < st->n_pool; a++)
            window_clear(pool_at(st, a), e->mem);
        for (guint c = 0; c < POOL_CHUNKS; c++)
            hugemem_free(st->chunks[c], pool_chunk_bytes(st, c));
        if (st->free)
            g_array_free(st->free, TRUE);
        g_free(st->flag_shapes);
        g_free(st->flag_progs);
    }
    g_free(e->state);
    slot_table_clear(&e->slots);
    g_free(e->passes);
    g_free(e->row_passes);
    g_free(e->row_sorted);
    g_free(e->row_rec);
    g_free(e->row_since);
    g_free(e->row_hist);
    history_free(e->hist);
    history_pairs_free(e->pairs);
    if (e->memo) {
        g_string_free(e->memo, TRUE);
        g_string_free(e->row_memo, TRUE);
    }
    g_free(e->row_memo_at);
    g_free(e->row_memo_len);
    g_array_free(e->shapes, TRUE);
    for (guint self = 0; self < 2; self++)
        for (guint ch = 0; ch < 32; ch++)
            g_free(e->shape_at[self][ch]);
    g_free(e->no_mask);
    g_free(e->mask_new);
    g_ptr_array_free(e->masks, TRUE);
    g_hash_table_destroy(e->mask_ids);
    g_free(e->cost);
    g_free(e->graph_bit);
    g_free(e->slot_of);
    graph_free(e->graph);
    if (e->incomplete)
        g_hash_table_unref(e->incomplete);
    typology_engine_free(e->ty);
    for (guint i = 0; i < e->n_stores; i++)
        txn_store_free(e->stores[i]);
    g_free(e->stores);
    window_clear(&e->match, e->mem);
    window_mem_free(e->mem);
    g_free(e->aggs);
    g_free(e->exact);
    g_free(e->scratch);
    g_free(e);
}

/* Does this engine keep the windows of the account (engine_set_shard)? */
/* The current row's history for the interpreter, or NULL without. */
static const RuleHistory *hist_of(const Engine *e)
{
    return e->reads_hist ? &e->cur : NULL;
}

/* The current row's folded memo, for the filters' text tests. */
static StrView memo_of(const Engine *e)
{
    return e->memo ? (StrView){e->memo->str, (guint32)e->memo->len} : (StrView){"", 0};
}

static inline gboolean engine_owns(const Engine *e, guint32 account)
{
    return (!e->sharded || account % e->shards == e->shard) &&
           (!e->owner || e->owner(account, e->owner_user));
}

/* The account's row: its account prefilter (account_mask) and slots. */
static SlotRow *account_slots(Engine *e, guint32 account)
{
    return slot_row(&e->slots, account / e->slot_div);
}

/* The account's row if it was made, else NULL (reading only: nothing grows). */
static inline const SlotRow *made_slots(const Engine *e, guint32 account)
{
    return slot_row_made(&e->slots, account / e->slot_div);
}

/* The sides of the rules this engine runs whose account-kind and
 * fixed-attribute prefilters (kind_mask, account_filter) the account
 * passes, both bits of a rule set or neither: worked out on first use,
 * kept once in masks and by its index in the account's row. t is any
 * transaction of the account (account_filter reads only the account). */
static const guint64 *account_mask(Engine *e, guint32 account, const TxnCore *t)
{
    if (!account)
        return e->no_mask;
    guint32 *id = &account_slots(e, account)->mask;
    if (!*id) {
        guint64 *m = e->mask_new;
        memset(m, 0, e->mw * sizeof *m);
        guint kind = kyc_get(e->kyc, account)->kind;
        RuleEval ev = {.txn = t, .account = account, .rs = e->rs, .kyc = e->kyc};
        for (guint ri = 0; ri < e->rs->rules->len; ri++) {
            const Rule *r = g_ptr_array_index(e->rs->rules, ri);
            if (!engine_runs(e, ri))
                continue;
            if (((r->plan.kind_mask >> kind) & 1) &&
                (!r->plan.account_filter.n || rule_vm_run(&r->plan.account_filter, &ev)))
                m[2 * ri / 64] |= 3ULL << (2 * ri % 64);
        }
        g_autoptr(GBytes) key = g_bytes_new(m, e->mw * sizeof *m);
        *id = GPOINTER_TO_UINT(g_hash_table_lookup(e->mask_ids, key));
        if (!*id) {
            g_ptr_array_add(e->masks, (gpointer)g_bytes_get_data(key, NULL));
            *id = e->masks->len;
            g_hash_table_insert(e->mask_ids, g_bytes_ref(key), GUINT_TO_POINTER(*id));
        }
    }
    return g_ptr_array_index(e->masks, *id - 1);
}

/* What rule r's filter for a shape says before it runs: 0 fails, 1 the
 * program decides, 2 passes once the account prefilters have. */
static guint shape_decides(const Rule *r, Side side, guint no_mcc, guint ch, guint mcc)
{
    if (!(r->plan.pass_mask[side][no_mcc] >> ch & 1))
        return 0;
    if (r->plan.pass_surely[side][no_mcc] >> ch & 1)
        return 2;
    int by_mcc = mcc_decides(shape_mcc(r, side, no_mcc, ch), mcc);
    return by_mcc < 0 ? 1 : 2 * (guint)by_mcc;
}

/* Sets the bit of a side in the masks can and sure as d (shape_decides) says. */
static void shape_set(guint64 *can, guint64 *sure, guint bit, guint d)
{
    if (d)
        can[bit / 64] |= 1ULL << (bit % 64);
    if (d == 2)
        sure[bit / 64] |= 1ULL << (bit % 64);
}

/* The side masks of t's shape (SHAPE_MASKS * mw words), worked out on
 * first meeting it. The window rules' sides as make_passes visits them;
 * the graph rules' from the sender's side, as an edge passes them. */
static const guint64 *shape_of(Engine *e, const TxnCore *t)
{
    guint self = t->from == t->to, ch = t->channel, no_mcc = t->mcc == TXN_MCC_NONE;
    guint key = no_mcc ? RULE_MCC_CODES + 1 : MIN(t->mcc, (guint)RULE_MCC_CODES);
    guint32 **at = &e->shape_at[self][ch];
    if (!*at)
        *at = g_new0(guint32, RULE_MCC_CODES + 2);
    if (!(*at)[key]) {
        guint i = e->shapes->len / (SHAPE_MASKS * e->mw);
        g_array_set_size(e->shapes, e->shapes->len + SHAPE_MASKS * e->mw);
        guint64 *m = &g_array_index(e->shapes, guint64, i * SHAPE_MASKS * e->mw);
        memset(m, 0, SHAPE_MASKS * e->mw * sizeof *m);
        guint64 *can = m, *sure = m + e->mw, *gcan = m + 2 * e->mw, *gsure = m + 3 * e->mw;
        for (guint ri = 0; ri < e->rs->rules->len; ri++) {
            const Rule *r = g_ptr_array_index(e->rs->rules, ri);
            if (e->graph_bit[ri]) {
                shape_set(gcan, gsure, 2 * ri, shape_decides(r, SIDE_SENDER, no_mcc, ch, t->mcc));
                continue;
            }
            if (r->persp & PERSP_SENDER)
                shape_set(can, sure, 2 * ri,
                          shape_decides(r, self ? SIDE_ANY : SIDE_SENDER, no_mcc, ch, t->mcc));
            if ((r->persp & PERSP_RECEIVER) && !self)
                shape_set(can, sure, 2 * ri + 1,
                          shape_decides(r, SIDE_RECEIVER, no_mcc, ch, t->mcc));
        }
        (*at)[key] = i + 1;
    }
    return &g_array_index(e->shapes, guint64, ((*at)[key] - 1) * SHAPE_MASKS * e->mw);
}

/* The index in rule ri's pool of the window of the account whose row is
 * row (account_slots), made on first use (and then counted among the
 * live windows if ri is a window rule). */
static guint32 state_window_in(Engine *e, guint ri, guint32 account, SlotRow *row)
{
    guint32 slot = slot_get(&e->slots, row, e->slot_of[ri]);
    if (slot)
        return slot - 1;
    e->stats.windows += !e->graph_bit[ri];
    RuleState *st = &e->state[ri];
    guint32 i;
    if (st->free && st->free->len) {
        i = g_array_index(st->free, guint32, st->free->len - 1);
        g_array_set_size(st->free, st->free->len - 1);
    } else {
        guint c = pool_chunk(st->n_pool);
        if (!st->chunks[c])
            st->chunks[c] = hugemem_alloc(pool_chunk_bytes(st, c));
        i = st->n_pool++;
        pool_window_init(st, i);
    }
    pool_at(st, i)->owner = account;
    slot_set(&e->slots, row, e->slot_of[ri], i + 1);
    return i;
}

static guint32 state_window(Engine *e, guint ri, guint32 account)
{
    return state_window_in(e, ri, account, account_slots(e, account));
}

/* Frees window i of rule ri (empty, not suppressing) for reuse. */
static void state_release(Engine *e, guint ri, guint32 i)
{
    RuleState *st = &e->state[ri];
    Window *w = pool_at(st, i);
    e->stats.windows -= !e->graph_bit[ri];
    e->stats.evicted += !e->graph_bit[ri];
    slot_set(&e->slots, account_slots(e, w->owner), e->slot_of[ri], 0);
    window_clear(w, e->mem);
    pool_window_init(st, i);
    if (!st->free)
        st->free = g_array_new(FALSE, FALSE, sizeof(guint32));
    g_array_append_val(st->free, i);
}

/* Aggregates computed on first use by the condition (a cheap test that
 * fails spares the expensive ones), then all of them for an alert. */
typedef struct {
    Engine *e;
    const Rule *r;
    const AggCtx *c;
    guint64 done; /* bit i: e->aggs[i] is computed (the first 64) */
} LazyAggs;

static double lazy_agg(void *ctx, guint i)
{
    LazyAggs *lz = ctx;
    if (i >= 64 || !((lz->done >> i) & 1)) {
        lz->e->aggs[i] =
            window_agg_exact(&g_array_index(lz->r->aggs, RuleAgg, i), lz->c, &lz->e->exact[i]);
        if (i < 64)
            lz->done |= 1ULL << i;
    }
    return lz->e->aggs[i];
}

static void all_aggs(LazyAggs *lz)
{
    for (guint i = 0; i < lz->r->aggs->len; i++)
        lazy_agg(lz, i);
}

/* The side account is on in core, as rule_vm_field sees it: SIDE_ANY for
 * a transaction to oneself (direction in), else the receiver's (in) or,
 * for any other account, the sender's (out). */
static Side side_of(const TxnCore *core, guint32 account)
{
    return core->from == core->to ? SIDE_ANY : core->to == account ? SIDE_RECEIVER : SIDE_SENDER;
}

/* The condition flags of an entry: bit i for aggregate i's condition,
 * from the compile-time masks where they tell, else by running it. */
static guint32 entry_flags(Engine *e, guint ri, const TxnCore *core, guint32 account)
{
    const Rule *r = g_ptr_array_index(e->rs->rules, ri);
    const RuleState *st = &e->state[ri];
    if (!st->flag_shapes)
        return 0;
    const FlagShape *fs = &st->flag_shapes[flag_shape_index(
        side_of(core, account), core->mcc == TXN_MCC_NONE, core->channel)];
    guint32 flags = fs->sure;
    RuleEval ev = {.txn = core,
                   .account = account,
                   .rs = e->rs,
                   .kyc = e->kyc,
                   .hist = hist_of(e),
                   .memo = memo_of(e)};
    for (guint i = 0; i < fs->n; i++) { /* (flag_progs is NULL when there are none) */
        const FlagProg *f = &st->flag_progs[fs->first + i];
        if (rule_vm_run(f->prog, &ev) != 0)
            flags |= f->bit;
    }
    if (e->check) { /* the masks against the programs they stand in for */
        for (guint i = 0; i < r->aggs->len; i++) {
            const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, i);
            const RuleProgram *p = g->kind == AGG_COUNT ? &g->arg : &g->cond;
            if (g->flag >= 0 && (rule_vm_run(p, &ev) != 0) != ((flags >> g->flag) & 1))
                g_error("the condition mask of %s in %s disagrees with its program", g->text,
                        r->id);
        }
    }
    return flags;
}

/* Can t's amount pass rule r's filter as compiled for t's shape from the
 * side? Outside the amounts it can pass, the program need not run. */
static gboolean amount_may_pass(const Rule *r, Side side, const TxnCore *t)
{
    const RuleAmountRange *ar = &r->plan.shape_amount[side][t->mcc == TXN_MCC_NONE][t->channel];
    if (ar->lo == -INFINITY && ar->hi == INFINITY)
        return TRUE;
    double amount = rule_vm_field(FIELD_AMOUNT, t, 0, NULL); /* as the program reads it */
    return amount >= ar->lo && amount <= ar->hi;
}

/* What a filter reads of the current row t seen from account: the row,
 * its history and its folded memo (borrowed from e until the next row). */
static RuleEval filter_eval(const Engine *e, const TxnCore *t, guint32 account)
{
    return (RuleEval){.txn = t,
                      .account = account,
                      .rs = e->rs,
                      .kyc = e->kyc,
                      .hist = hist_of(e),
                      .memo = memo_of(e)};
}

/* Does the account's side of t pass rule ri's filter as compiled for t's
 * shape? For the sides the masks leave to the program. */
static gboolean side_passes(const Engine *e, guint ri, Side side, guint32 account, const TxnCore *t)
{
    const Rule *r = g_ptr_array_index(e->rs->rules, ri);
    RuleEval ev = filter_eval(e, t, account);
    return rule_vm_run(shape_program(r, side, t->mcc == TXN_MCC_NONE, t->channel), &ev) != 0;
}

/* With checks on, every prefilter decision against the filter itself, for
 * every rule and side the engine sees a transaction from: the shape's
 * masks, the account prefilters and the program for the shape. */
static void check_prefilters(Engine *e, const Txn *t)
{
    const TxnCore *c = &t->core;
    const guint64 *sh = shape_of(e, c);
    for (guint ri = 0; ri < e->rs->rules->len; ri++) {
        const Rule *r = g_ptr_array_index(e->rs->rules, ri);
        gboolean graph = e->graph_bit[ri] != 0;
        for (guint receiver = 0; receiver < 2; receiver++) {
            guint32 account = receiver ? c->to : c->from;
            if (!account || !(r->persp & (receiver ? PERSP_RECEIVER : PERSP_SENDER)) ||
                (receiver && c->to == c->from))
                continue;
            if (graph && (receiver || !c->to || c->to == c->from))
                continue; /* not an edge, or not a side a graph rule sees it from */
            Side side = side_of(c, account);
            RuleEval ev = filter_eval(e, c, account);
            gboolean full = rule_vm_run(&r->filter, &ev) != 0;
            const guint64 *can = sh + (graph ? SHAPE_GRAPH_CAN : SHAPE_CAN) * e->mw;
            const guint64 *sure = can + e->mw;
            guint bit = 2 * ri + receiver;
            gboolean pre =
                mask_has(can, bit) && ((r->plan.kind_mask >> kyc_get(e->kyc, account)->kind) & 1) &&
                (!r->plan.account_filter.n || rule_vm_run(&r->plan.account_filter, &ev) != 0) &&
                (mask_has(sure, bit) ||
                 (amount_may_pass(r, side, c) && side_passes(e, ri, side, account, c)));
            if (full != pre)
                g_error("the prefilters of %s say %s where its filter says %s (%s side, "
                        "channel %s)",
                        r->id, pre ? "pass" : "skip", full ? "pass" : "skip",
                        receiver ? "receiver" : "sender", txn_channel_name(c->channel));
        }
    }
}

/* Raises an alert of rule ri on c->account unless suppressed: st holds the
 * suppression, c->w the evidence. */
static void raise_alert(Engine *e, guint ri, const Rule *r, Window *st, const AggCtx *c,
                        const Txn *t, const GraphMatch *m)
{
    Alert *a = &e->alert;
    gboolean quiet = t->core.ts <= e->quiet_until;
    st->suppress_until = t->core.ts + r->suppress;
    if (quiet && !e->ty)
        return;
    a->rule = r;
    a->account = c->account;
    a->window_start = win_ts(window_at(c->w, c->lo));
    a->window_end = t->core.ts;
    a->trigger = t->tx_id;
    a->currency = t->core.currency;
    a->currency_exp = t->core.currency_exp;
    a->aggs = e->aggs;
    a->exact = e->exact;
    a->accounts = e->accounts;
    a->locations = e->locations;
    a->kyc = e->kyc;
    a->hist = m ? NULL : hist_of(e); /* a graph rule reads history in its filter only */
    a->match = m;
    a->score = rule_score(r);
    a->role = r->role;
    a->escalated = FALSE;
    a->hits = NULL;
    a->n_hits = 0;
    guint n = c->hi - c->lo;
    a->n_evidence_total = n;
    a->n_evidence = MIN(n, LIMIT_EVIDENCE);
    for (guint i = 0; i < a->n_evidence; i++) {
        const WinEntry *en = window_at(c->w, c->hi - a->n_evidence + i);
        a->evidence[i] = window_entry_id(en);
    }
    if (e->sharded) { /* rendered where the shards' alerts are merged (engine_set_shard) */
        a->id[0] = a->explanation[0] = '\0';
        if (!e->fn(a, e->user))
            e->stats.sink_failed = TRUE;
        return;
    }
    alert_make_id(a);
    alert_explain(a, e->rs, &t->core);
    if (!quiet) {
        e->stats.alerts++;
        if (!e->fn(a, e->user))
            e->stats.sink_failed = TRUE;
    }
    if (e->ty && !typology_feed(e->ty, a, e->kyc, quiet, e->fn, e->user))
        e->stats.sink_failed = TRUE;
}

/* Starts loading the parts of a window the update will touch: the oldest
 * entry, the first of the window part after a baseline, the slot of the
 * new one and the running totals. */
static void prefetch_window(const Window *w)
{
    if (w->cap) {
        __builtin_prefetch(&w->e[w->head]);
        if (w->split && w->split < w->len) /* a baseline: the entry it may take next */
            __builtin_prefetch(window_at(w, w->split));
        __builtin_prefetch(&w->e[window_slot(w, w->len)], 1);
    }
    if (w->run)
        __builtin_prefetch(w->run, 1);
}

static gint64 now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* When profiling, counts one window update or graph search of rule ri
 * that began at t0 (now_ns), and its time. */
static void cost_add(Engine *e, guint ri, gint64 t0)
{
    if (e->cost) {
        e->cost[ri].entered++;
        e->cost[ri].ns += now_ns() - t0;
    }
}

/* Does one of rule ri's leads (RulePlan.leads) fail on window w, so that its
 * condition does? Read from what the window keeps, as window_agg would (a
 * sum of mixed currencies is left to the condition). */
static gboolean lead_fails(const Engine *e, guint ri, const Rule *r, const Window *w)
{
    const RuleState *st = &e->state[ri];
    for (guint i = 0; i < st->n_leads; i++) { /* (leads is NULL when there are none) */
        const RuleLead *l = &st->leads[i];
        gint64 exact;
        double v = window_agg_kept(r, w, l->agg, &exact);
        if (exact != MONEY_INEXACT ? rule_vm_compare_money(l->op, exact, w->run_exp, l->k) == 0
                                   : !isnan(v) && rule_vm_compare(l->op, v, l->k) == 0)
            return TRUE;
    }
    return FALSE;
}

/* Updates the rule's window of the account with t and tests the condition. */
static void eval_side(Engine *e, const Pass *p, const Txn *t)
{
    guint ri = p->rule;
    guint32 account = p->account;
    const Rule *r = g_ptr_array_index(e->rs->rules, ri);
    RuleEval ev = {.txn = &t->core,
                   .account = account,
                   .rs = e->rs,
                   .kyc = e->kyc,
                   .hist = hist_of(e),
                   .memo = memo_of(e)};
    Window *w = pool_at(&e->state[ri], p->window);
    if (t->core.ts + r->window + r->baseline <= w->suppress_until)
        return; /* suppressed, and gone from the window before the suppression ends */
    Keep keep = {account, e->kyc};
    window_agg_expire(r, w, t->core.ts, &keep);
    if (!window_agg_push(r, w, e->mem, record_of(e, t), entry_flags(e, ri, &t->core, account),
                         &keep))
        e->stats.window_drops++;
    if (t->core.ts < w->suppress_until)
        return; /* the window is kept up to date, the condition can wait */
    gboolean lead_failed = lead_fails(e, ri, r, w);
    if (lead_failed && !e->check)
        return; /* with checks on, the condition must agree (below) */
    AggCtx c = {.account = account,
                .now = &t->core,
                .rs = e->rs,
                .kyc = e->kyc,
                .rule = r,
                .scratch = e->scratch};
    window_agg_ranges(&c, w, t->core.ts, r->window, r->baseline, e->since);
    LazyAggs lz = {e, r, &c, 0};
    ev.agg_fn = lazy_agg;
    ev.agg_ctx = &lz;
    ev.exact = e->exact;
    gboolean holds = rule_vm_run(&r->condition, &ev) != 0;
    if (lead_failed) {
        if (holds)
            g_error("a lead of %s fails where its condition holds", r->id);
        return;
    }
    if (holds) {
        all_aggs(&lz);
        raise_alert(e, ri, r, w, &c, t, NULL);
    }
}

/* The graph rules t passes, as bits; t must have both accounts. */
static guint32 graph_bits(Engine *e, const Txn *t)
{
    guint32 bits = 0;
    const guint64 *sh = shape_of(e, &t->core);
    const guint64 *can = sh + SHAPE_GRAPH_CAN * e->mw, *sure = sh + SHAPE_GRAPH_SURE * e->mw;
    const guint64 *acc = account_mask(e, t->core.from, &t->core);
    for (guint w = 0; w < e->mw; w++) {
        for (guint64 m = can[w] & acc[w]; m; m &= m - 1) {
            guint b = (guint)__builtin_ctzll(m), ri = (64 * w + b) / 2;
            if (!(sure[w] >> b & 1)) {
                if (e->cost)
                    e->cost[ri].filter_runs++;
                if (!side_passes(e, ri, SIDE_SENDER, t->core.from, &t->core))
                    continue;
            }
            bits |= e->graph_bit[ri];
        }
    }
    return bits;
}

static void match_rule(Engine *e, guint ri, const Rule *r, const GraphEdge *edge, const Txn *t)
{
    guint32 anchor = graph_match_anchor(&r->match, edge);
    if (e->owner && !e->owner(anchor, e->owner_user))
        return; /* another cluster shard's: it searches there (engine_set_owner) */
    const SlotRow *row = made_slots(e, anchor);
    guint32 slot = row ? slot_get(&e->slots, row, e->slot_of[ri]) : 0;
    if (slot && t->core.ts < pool_at(&e->state[ri], slot - 1)->suppress_until)
        return; /* whatever it found could not alert */
    GraphMatch *m = &e->gm;
    GraphMatchEnv env = {e->rs, e->kyc};
    gboolean ok = graph_match(e->graph, &r->match, e->graph_bit[ri], r->window, edge, &env, m);
    e->stats.graph_work += m->work;
    e->stats.graph_exhausted += m->exhausted;
    if (m->exhausted) {
        gpointer k = GUINT_TO_POINTER(graph_match_anchor(&r->match, edge));
        g_hash_table_insert(
            e->incomplete, k,
            GSIZE_TO_POINTER(GPOINTER_TO_SIZE(g_hash_table_lookup(e->incomplete, k)) + 1));
    }
    if (!ok)
        return;
    Window *st = pool_at(&e->state[ri], state_window(e, ri, m->anchor)); /* not suppressed */
    e->match.head = e->match.len = 0;
    for (guint i = 0; i < m->n; i++)
        window_push(&e->match, e->mem, m->edges[i]->rec,
                    entry_flags(e, ri, &m->edges[i]->core, m->anchor));
    AggCtx c = {
        .account = m->anchor, .now = &t->core, .rs = e->rs, .kyc = e->kyc, .scratch = e->scratch};
    window_agg_ranges(&c, &e->match, t->core.ts, r->window, 0, e->since);
    LazyAggs lz = {e, r, &c, 0};
    RuleEval ev = {.txn = &t->core,
                   .account = m->anchor,
                   .rs = e->rs,
                   .kyc = e->kyc,
                   .agg_fn = lazy_agg,
                   .agg_ctx = &lz,
                   .exact = e->exact};
    if (rule_vm_run(&r->condition, &ev)) {
        all_aggs(&lz);
        raise_alert(e, ri, r, st, &c, t, m);
    }
}

static void process_graph(Engine *e, const Txn *t)
{
    if (!t->core.from || !t->core.to || t->core.from == t->core.to)
        return;
    guint32 bits = graph_bits(e, t);
    if (!bits)
        return;
    guint64 seq = graph_add(e->graph, record_of(e, t), bits);
    const GraphEdge *edge = graph_edge(e->graph, seq);
    for (guint ri = 0; ri < e->rs->rules->len; ri++) {
        if (bits & e->graph_bit[ri]) {
            gint64 t0 = e->cost ? now_ns() : 0;
            match_rule(e, ri, g_ptr_array_index(e->rs->rules, ri), edge, t);
            cost_add(e, ri, t0);
        }
    }
}

#define EVICT_AHEAD 8 /* windows ahead evict_idle starts loading */

/* Frees the windows of accounts with nothing left in them and no running
 * suppression, and the graph indexes of idle accounts. */
static void evict_idle(Engine *e)
{
    for (guint ri = 0; ri < e->rs->rules->len; ri++) {
        const Rule *r = g_ptr_array_index(e->rs->rules, ri);
        RuleState *st = &e->state[ri];
        gint64 gone = e->now - r->window - r->baseline; /* entries up to it expired */
        for (guint i = 0; i < st->n_pool; i++) {
            /* loads ahead (a stride the hardware does not follow): a
             * window's header, then the newest entry of one with an
             * expired entry, which tells whether it is in use */
            if (i + 2 * EVICT_AHEAD < st->n_pool)
                __builtin_prefetch(pool_at(st, i + 2 * EVICT_AHEAD));
            if (i + EVICT_AHEAD < st->n_pool) {
                const Window *a = pool_at(st, i + EVICT_AHEAD);
                if (a->len && a->first_ts <= gone)
                    __builtin_prefetch(window_at(a, a->len - 1));
            }
            Window *w = pool_at(st, i);
            if (!w->owner || (w->len && w->first_ts > gone))
                continue; /* even its oldest entry is in the window: in use */
            if (w->len && !w->dsets && win_ts(window_at(w, w->len - 1)) > gone)
                continue; /* in use: its next update drops the old entries, reading no record */
            Keep keep = {w->owner, e->kyc};
            window_agg_expire(r, w, e->now, &keep);
            if (w->len == 0 && w->suppress_until <= e->now)
                state_release(e, ri, i);
        }
    }
    if (e->graph)
        e->stats.evicted += graph_evict(e->graph, e->now);
    /* now that no window holds an expired entry whose record is read again
     * (only a distinct multiset reads the record of an entry it drops;
     * anything else expires a window first), except one behind a newer
     * entry that came before it (a late row): its record waits as long
     * again as the latest row was late */
    for (guint i = 0; i < e->n_stores; i++)
        txn_store_release(e->stores[i], e->now - e->late);
}

/* Starts loading an account's slots. */
static void prefetch_slots(const Engine *e, guint32 account)
{
    const SlotRow *s = made_slots(e, account);
    if (s)
        __builtin_prefetch(s);
}

void engine_prefetch(const Engine *e, const TxnCore *t)
{
    /* graph rules read the sender's row (its prefilters) and the anchor's,
     * the sender or the receiver */
    guint32 from = engine_owns(e, t->from) || e->graph ? t->from : 0;
    guint32 to = engine_owns(e, t->to) || e->graph ? t->to : 0;
    prefetch_slots(e, from);
    prefetch_slots(e, to);
    __builtin_prefetch(kyc_get(e->kyc, from));
    __builtin_prefetch(kyc_get(e->kyc, to));
    if (e->graph && t->from && t->to)
        graph_prefetch(e->graph, t);
}

/* Fills the passes with the window rules' sides t passes, in rule order,
 * and, if load, starts loading each one's window (made if new). from and
 * to are 0 for an account this engine does not keep. */
static void make_passes(Engine *e, const TxnCore *t, guint32 from, guint32 to, gboolean load)
{
    /* the rows of both accounts exist before either is used: no move while they are */
    account_slots(e, MAX(from, to));
    SlotRow *rows[2] = {from ? account_slots(e, from) : NULL, to ? account_slots(e, to) : NULL};
    for (guint i = 0; i < 2; i++)
        if (rows[i] && rows[i]->blk)
            __builtin_prefetch(&e->slots.blk[rows[i]->blk]);
    const guint64 *sh = shape_of(e, t), *sure = sh + SHAPE_SURE * e->mw;
    const guint64 *mf = account_mask(e, from, t), *mt = account_mask(e, to, t);
    guint n = 0;
    for (guint w = 0; w < e->mw; w++) {
        for (guint64 m = sh[w] & ((mf[w] & SIDE_SENDERS) | (mt[w] & SIDE_RECEIVERS)); m;
             m &= m - 1) {
            guint b = (guint)__builtin_ctzll(m), ri = (64 * w + b) / 2, receiver = b & 1;
            guint32 account = receiver ? to : from;
            if (!(sure[w] >> b & 1)) {
                const Rule *r = g_ptr_array_index(e->rs->rules, ri);
                Side side = side_of(t, account);
                if (!amount_may_pass(r, side, t))
                    continue;
                if (e->cost)
                    e->cost[ri].filter_runs++;
                if (!side_passes(e, ri, side, account, t))
                    continue;
            }
            guint32 win = state_window_in(e, ri, account, rows[receiver]);
            if (load)
                __builtin_prefetch(pool_at(&e->state[ri], win));
            e->passes[n++] = (Pass){ri, account, win};
        }
    }
    e->n_passes = n;
}

/* Sets e->cur to what was known before t, then records t: its accounts
 * this engine keeps (all, for the graph rules' engine) and, in its own
 * table, their pair; shared is t's view of its pair, when handed in. */
static void history_row(Engine *e, const TxnCore *t, const HistoryRowPair *shared)
{
    RuleHistory *v = &e->cur;
    HistoryRowPair p = {{0, 0}, 0};
    if (shared)
        p = *shared;
    else if (e->pairs)
        history_pairs_row(e->pairs, t, &p);
    gboolean from = engine_owns(e, t->from) || e->graph, to = engine_owns(e, t->to) || e->graph;
    v->since = e->since;
    v->acc[0] = *history_account(e->hist, from ? t->from : 0);
    v->acc[1] = *history_account(e->hist, to ? t->to : 0);
    v->paid[0] = p.paid[0];
    v->paid[1] = p.paid[1];
    v->pair_first = p.first_ts;
    if (e->hist)
        history_add(e->hist, t, from, to, &p);
}

/* The clocks: the latest and earliest row times, how late a row came. */
static void clock_row(Engine *e, gint64 ts)
{
    if (e->processed)
        e->late = MAX(e->late, e->now - ts);
    e->now = e->processed ? MAX(e->now, ts) : ts;
    e->since = e->processed ? MIN(e->since, ts) : ts;
}

/* What every row does first: the clocks and the filters (e->passes, their
 * windows loading if load). */
static void begin_row(Engine *e, const Txn *t, gboolean load)
{
    clock_row(e, t->core.ts);
    e->rec = NULL;
    const HistoryRowPair *pair = e->pair_views ? &e->pair_views[e->pair_next++] : NULL;
    guint32 from = engine_owns(e, t->core.from) ? t->core.from : 0;
    guint32 to = engine_owns(e, t->core.to) ? t->core.to : 0;
    if (!from && !to && !e->graph && !e->check) {
        /* another shard's accounts only: no filter reads the memo or the
         * history, and history_add would record nothing */
        e->n_passes = 0;
        return;
    }
    if (e->memo)
        rule_text_fold(e->memo, t->memo.ptr, t->memo.len);
    if (e->reads_hist)
        history_row(e, &t->core, pair);
    if (e->check)
        check_prefilters(e, t);
    if (!from && !to && !e->graph) {
        e->n_passes = 0;
        return;
    }
    make_passes(e, &t->core, from, to, load);
}

/* Window rules in three sweeps so that the cache misses of one rule's
 * window overlap with the work on others: the filters (starting to load
 * each passing window's header), then the windows' entries and totals,
 * then the updates and conditions, in rule order. */
void engine_process(Engine *e, const Txn *t)
{
    begin_row(e, t, TRUE);
    guint n = e->n_passes;
    for (guint i = 0; i < n; i++)
        prefetch_window(pool_at(&e->state[e->passes[i].rule], e->passes[i].window));
    for (guint i = 0; i < n; i++) {
        gint64 t0 = e->cost ? now_ns() : 0;
        eval_side(e, &e->passes[i], t);
        cost_add(e, e->passes[i].rule, t0);
    }
    if (e->graph)
        process_graph(e, t);
    if (++e->processed % e->evict_every == 0)
        evict_idle(e);
}

/* Sorts the batch's passes by account, keeping row order within an
 * account: a stable radix sort of 11 bits a pass (2,048 buckets: few
 * enough lines being written at once to stay in the cache). */
#define SORT_BITS 11
static void sort_row_passes(Engine *e)
{
    guint n = e->n_row_passes;
    RowPass *in = e->row_passes, *out = e->row_sorted;
    guint32 top = 0;
    for (guint i = 0; i < n; i++)
        top |= in[i].p.account;
    guint32 count[(1u << SORT_BITS) + 1];
    const guint32 mask = (1u << SORT_BITS) - 1;
    for (guint shift = 0; shift == 0 || (shift < 32 && top >> shift); shift += SORT_BITS) {
        memset(count, 0, sizeof count);
        for (guint i = 0; i < n; i++)
            count[((in[i].p.account >> shift) & mask) + 1]++;
        for (guint k = 1; k <= mask + 1; k++)
            count[k] += count[k - 1];
        for (guint i = 0; i < n; i++)
            out[count[(in[i].p.account >> shift) & mask]++] = in[i];
        RowPass *tmp = in;
        in = out;
        out = tmp;
    }
    if (in != e->row_sorted) /* an even number of passes */
        memcpy(e->row_sorted, in, n * sizeof *in);
}

/* How many rows ahead engine_process_rows starts loading the accounts'
 * rows and records (engine_prefetch). */
#define ROWS_AHEAD 2

/* How many passes ahead run_row_passes starts loading a window's header
 * and the row's record, then its entries and totals (which needs the
 * header). */
#define ROWS_AHEAD_HEADER 8
#define ROWS_AHEAD_WINDOW 3

/* The updates of the passes gathered since the last call, account by
 * account, each as engine_process would have run it at its row. */
static void run_row_passes(Engine *e, guint32 *row)
{
    guint n = e->n_row_passes;
    if (!n)
        return;
    sort_row_passes(e);
    const RowPass *rp = e->row_sorted;
    gint64 since = e->since;
    Txn t = {0}; /* the row being updated: eval_side reads core and tx_id */
    for (guint i = 0; i < n; i++) {
        if (i + ROWS_AHEAD_HEADER < n) {
            const RowPass *a = &rp[i + ROWS_AHEAD_HEADER];
            __builtin_prefetch(pool_at(&e->state[a->p.rule], a->p.window));
            __builtin_prefetch(e->row_rec[a->row]);
        }
        if (i + ROWS_AHEAD_WINDOW < n) {
            const Pass *a = &rp[i + ROWS_AHEAD_WINDOW].p;
            prefetch_window(pool_at(&e->state[a->rule], a->window));
        }
        const RowPass *q = &rp[i];
        *row = q->row;
        e->rec = e->row_rec[q->row];
        t.core = *e->rec;
        t.tx_id = txn_store_id(e->rec);
        if (e->since_moved)
            e->since = e->row_since[q->row];
        if (e->reads_hist)
            e->cur = e->row_hist[q->row];
        if (e->memo) /* the row's memo back, for its entry flags and condition */
            g_string_append_len(g_string_truncate(e->memo, 0),
                                e->row_memo->str + e->row_memo_at[q->row], e->row_memo_len[q->row]);
        gint64 t0 = e->cost ? now_ns() : 0;
        eval_side(e, &q->p, &t);
        cost_add(e, q->p.rule, t0);
    }
    e->since = since;
    e->n_row_passes = 0;
}

/* Room for more passes in row_passes and row_sorted: at first as many as
 * the batch has rows, then a quarter more at a time (not twice as many:
 * both arrays are a pass's 16 bytes, and a batch has millions). */
static void reserve_row_passes(Engine *e, guint rows, guint more)
{
    if (e->n_row_passes + more <= e->pass_cap)
        return;
    guint cap = MAX(e->pass_cap + e->pass_cap / 4, rows);
    e->pass_cap = MAX(cap, e->n_row_passes + more);
    e->row_passes = g_renew(RowPass, e->row_passes, e->pass_cap);
    g_free(e->row_sorted); /* filled afresh by each sort */
    e->row_sorted = g_new(RowPass, e->pass_cap);
}

/* The bytes of what engine_process_rows keeps by row and by pass. */
static guint64 batch_bytes(const Engine *e)
{
    gsize by_row = sizeof *e->row_rec + sizeof *e->row_since +
                   (e->row_hist ? sizeof *e->row_hist : 0) +
                   (e->row_memo_at ? sizeof *e->row_memo_at + sizeof *e->row_memo_len : 0);
    return (guint64)e->row_cap * by_row + 2 * (guint64)e->pass_cap * sizeof(RowPass) +
           (e->row_memo ? e->row_memo->allocated_len : 0);
}

void engine_process_rows(Engine *e, const EngineRows *rows, guint32 *row)
{
    g_assert(!e->graph);
    if (rows->n > e->row_cap) {
        e->row_cap = rows->n;
        e->row_rec = g_renew(const TxnCore *, e->row_rec, e->row_cap);
        e->row_since = g_renew(gint64, e->row_since, e->row_cap);
        if (e->reads_hist)
            e->row_hist = g_renew(RuleHistory, e->row_hist, e->row_cap);
        if (e->memo) {
            e->row_memo_at = g_renew(guint32, e->row_memo_at, e->row_cap);
            e->row_memo_len = g_renew(guint32, e->row_memo_len, e->row_cap);
        }
    }
    if (e->memo)
        g_string_truncate(e->row_memo, 0);
    e->since_moved = FALSE;
    Txn t = {0};
    for (guint i = 0; i < rows->n; i++) {
        const TxnCore *ahead = &rows->core[MIN(i + ROWS_AHEAD, rows->n - 1)];
        if (i + ROWS_AHEAD < rows->n && (ahead->from || ahead->to))
            engine_prefetch(e, ahead);
        if (!rows->core[i].from && !rows->core[i].to && !e->check) {
            /* a row of no account (another cluster shard's, scan.h's
             * split): its time alone, for the clocks; nothing else reads it */
            clock_row(e, rows->core[i].ts);
            e->pair_next += e->pair_views != NULL;
            e->n_passes = 0;
        } else {
            t.core = rows->core[i];
            t.tx_id = (StrView){rows->ids + rows->id_at[i], rows->id_len[i]};
            if (rows->memo)
                t.memo = (StrView){rows->memo + rows->memo_at[i], rows->memo_len[i]};
            begin_row(e, &t, FALSE); /* the updates run later: run_row_passes loads them */
            if (e->reads_hist)
                e->row_hist[i] = e->cur;
            if (e->memo) {
                e->row_memo_at[i] = (guint32)e->row_memo->len;
                e->row_memo_len[i] = (guint32)e->memo->len;
                g_string_append_len(e->row_memo, e->memo->str, (gssize)e->memo->len);
            }
        }
        e->row_since[i] = e->since;
        e->since_moved |= e->since != e->row_since[0];
        /* the record now, in row order (engine_process stores it at the
         * first update, which every pass makes but a suppressed one) */
        if (e->n_passes) {
            e->row_rec[i] = record_of(e, &t);
            reserve_row_passes(e, rows->n, e->n_passes);
            RowPass *rp = e->row_passes + e->n_row_passes;
            for (guint k = 0; k < e->n_passes; k++)
                rp[k] = (RowPass){e->passes[k], i};
            e->n_row_passes += e->n_passes;
        }
        if (++e->processed % e->evict_every == 0) {
            /* the sweep sees the windows as after this row, as with engine_process */
            run_row_passes(e, row);
            evict_idle(e);
        }
    }
    run_row_passes(e, row);
}

/* The bytes of a rule's pool chunks. */
static guint64 pool_bytes(const RuleState *st)
{
    guint64 bytes = 0;
    for (guint c = 0; c < POOL_CHUNKS; c++)
        bytes += st->chunks[c] ? pool_chunk_bytes(st, c) : 0;
    return bytes;
}

/* The bytes of the distinct-value sets of a rule's windows (their rings
 * are the WindowMem's). */
static guint64 dset_bytes(const RuleState *st)
{
    guint64 bytes = 0;
    for (guint a = 0; a < st->n_pool; a++) {
        const Window *w = pool_at(st, a);
        bytes += window_bytes(w) - (w->own_e ? w->cap * sizeof(WinEntry) : 0);
    }
    return bytes;
}

void engine_stats(const Engine *e, EngineStats *out)
{
    *out = e->stats;
    out->records = 0;
    for (guint i = 0; i < e->n_stores; i++) {
        out->records += txn_store_records(e->stores[i]);
        out->bytes_records += txn_store_bytes(e->stores[i]);
    }
    out->bytes_accounts = slot_table_bytes(&e->slots);
    out->bytes_batches = batch_bytes(e);
    out->bytes_windows = window_mem_bytes(e->mem);
    for (guint i = 0; i < e->rs->rules->len; i++)
        out->bytes_windows += pool_bytes(&e->state[i]) + dset_bytes(&e->state[i]);
    out->bytes_history =
        (e->hist ? history_bytes(e->hist) : 0) + (e->pairs ? history_pairs_bytes(e->pairs) : 0);
    if (e->graph) {
        GraphStats gs;
        graph_stats(e->graph, &gs);
        out->graph_dropped = gs.dropped_live;
        out->graph_hubs = gs.hubs;
        out->graph_max_degree = gs.max_degree;
        out->graph_peak_edges = gs.peak_edges;
        out->bytes_graph_edges = gs.ring_bytes;
        out->bytes_graph_index = gs.index_bytes;
    }
}

/* Orders accounts by their count of incomplete searches, most first, then by id. */
static int by_incomplete(gconstpointer a, gconstpointer b, gpointer table)
{
    gsize x = GPOINTER_TO_SIZE(g_hash_table_lookup(table, *(gpointer const *)a));
    gsize y = GPOINTER_TO_SIZE(g_hash_table_lookup(table, *(gpointer const *)b));
    guint32 i = GPOINTER_TO_UINT(*(gpointer const *)a), j = GPOINTER_TO_UINT(*(gpointer const *)b);
    return x != y ? (x < y) - (x > y) : (i > j) - (i < j);
}

guint engine_graph_incomplete(const Engine *e, guint32 *accounts, guint64 *counts, guint max)
{
    if (!e->incomplete)
        return 0;
    g_autoptr(GPtrArray) keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, e->incomplete);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(keys, k);
    g_ptr_array_sort_with_data(keys, by_incomplete, e->incomplete);
    for (guint i = 0; i < MIN(max, keys->len); i++) {
        gpointer k = g_ptr_array_index(keys, i);
        accounts[i] = GPOINTER_TO_UINT(k);
        counts[i] = GPOINTER_TO_SIZE(g_hash_table_lookup(e->incomplete, k));
    }
    return keys->len;
}

void engine_set_kyc(Engine *e, const Kyc *kyc)
{
    g_assert(e->processed == 0);
    e->kyc = kyc;
}

void engine_set_profile(Engine *e)
{
    if (!e->cost)
        e->cost = g_new0(EngineRuleCost, e->rs->rules->len);
}

const EngineRuleCost *engine_rule_cost(const Engine *e, guint i)
{
    return e->cost ? &e->cost[i] : NULL;
}

guint64 engine_rule_state_bytes(const Engine *e, guint i)
{
    const RuleState *st = &e->state[i];
    guint64 bytes = pool_bytes(st);
    for (guint a = 0; a < st->n_pool; a++)
        bytes += window_bytes(pool_at(st, a));
    return bytes;
}

void engine_set_check(Engine *e, gboolean on)
{
    e->check = on;
}

void engine_set_evict_every(Engine *e, guint64 n)
{
    e->evict_every = MAX(n, 1);
}

void engine_set_shard(Engine *e, guint index, guint count, gboolean graph)
{
    g_assert(e->processed == 0 && index <= count && count > 0);
    e->sharded = TRUE;
    e->shard = index;
    e->shards = count;
    typology_engine_free(g_steal_pointer(&e->ty));
    if (!graph) {
        graph_free(g_steal_pointer(&e->graph));
        g_clear_pointer(&e->incomplete, g_hash_table_unref);
    }
    /* a shard without the graph rules has rows for its own accounts only;
     * graph rules keep state for any account */
    e->slot_div = e->graph ? 1 : count;
    layout_rows(e);
    history_setup(e);
}

gboolean engine_share_pairs(Engine *e)
{
    g_assert(e->processed == 0);
    e->pairs_shared = TRUE;
    gboolean reads = e->pairs != NULL;
    history_pairs_free(g_steal_pointer(&e->pairs));
    return reads;
}

void engine_set_pair_views(Engine *e, const HistoryRowPair *views)
{
    e->pair_views = views;
    e->pair_next = 0;
}

void engine_set_owner(Engine *e, EngineOwnerFn fn, const void *user)
{
    g_assert(e->processed == 0);
    e->owner = fn;
    e->owner_user = user;
}

gboolean engine_has_graph(const Engine *e)
{
    return e->graph != NULL;
}

void engine_set_quiet_until(Engine *e, gint64 ts)
{
    e->quiet_until = ts;
}

/* ---- checkpoints (engine/checkpoint.h) ----
 *
 * An engine's part: its clocks; its record stores, chunk by chunk as they
 * lie; each rule's windows by owner, with their entries as references
 * into the chunks and everything window_agg keeps beside them (running totals,
 * baseline split, distinct multisets as they lie, suppression); history;
 * the graph and its incomplete searches; typologies (an engine alone). The
 * pools, slot rows and shape masks are made again as the windows are. */

static void save_window(const RuleState *st, const Window *w, CkptOut *o, const CkptRefs *refs)
{
    ckpt_u32(o, w->owner);
    ckpt_u32(o, w->len);
    for (guint k = 0; k < w->len; k++) {
        ckpt_i64(o, (gint64)ckpt_ref(refs, window_at(w, k)->core));
        ckpt_u32(o, win_flags(window_at(w, k)));
    }
    ckpt_u32(o, w->split);
    ckpt_i64(o, w->split_ts);
    ckpt_i64(o, w->suppress_until);
    ckpt_u32(o, (guint32)(gint32)w->run_exp);
    ckpt_put(o, w->run, st->n_run * sizeof *w->run);
    ckpt_u32(o, w->dsets ? w->n_dsets : 0);
    for (guint d = 0; w->dsets && d < w->n_dsets; d++) {
        const DistinctSet *ds = &w->dsets[d];
        ckpt_u32(o, ds->cap);
        ckpt_u32(o, ds->used);
        ckpt_put(o, ds->keys, ds->cap * sizeof *ds->keys);
        ckpt_put(o, ds->counts, ds->cap * sizeof *ds->counts);
    }
}

/* Drops from every window the entries that have left it, as its next
 * update would before reading anything (engine_save): a window the idle
 * sweep left alone may hold such entries, whose records the stores have
 * released. Later updates drop them all the same, so nothing they compute
 * changes. */
static void expire_all(Engine *e)
{
    for (guint ri = 0; ri < e->rs->rules->len; ri++) {
        const Rule *r = g_ptr_array_index(e->rs->rules, ri);
        RuleState *st = &e->state[ri];
        for (guint32 i = 0; i < st->n_pool && !e->graph_bit[ri]; i++) {
            Window *w = pool_at(st, i);
            Keep keep = {w->owner, e->kyc};
            if (w->owner && w->len)
                window_agg_expire(r, w, e->now, &keep);
        }
    }
}

void engine_save(Engine *e, CkptOut *o)
{
    expire_all(e);
    ckpt_i64(o, e->now);
    ckpt_i64(o, e->since);
    ckpt_i64(o, e->late);
    ckpt_i64(o, (gint64)e->processed);
    CkptRefs refs;
    ckpt_refs_init(&refs);
    ckpt_u32(o, e->n_stores);
    for (guint i = 0; i < e->n_stores; i++)
        txn_store_save(e->stores[i], o, &refs);
    ckpt_refs_seal(&refs);
    ckpt_u32(o, e->rs->rules->len);
    for (guint r = 0; r < e->rs->rules->len; r++) {
        const RuleState *st = &e->state[r];
        guint32 n = 0;
        for (guint32 i = 0; i < st->n_pool; i++)
            n += pool_at(st, i)->owner != 0;
        ckpt_u32(o, n);
        for (guint32 i = 0; i < st->n_pool; i++)
            if (pool_at(st, i)->owner)
                save_window(st, pool_at(st, i), o, &refs);
    }
    if (e->hist)
        history_save(e->hist, o);
    if (e->pairs)
        history_pairs_save(e->pairs, o);
    if (e->graph) {
        graph_save(e->graph, o, &refs, e->now);
        guint32 n = g_hash_table_size(e->incomplete);
        g_autofree guint32 *accounts = g_new(guint32, MAX(n, 1));
        g_autofree guint64 *counts = g_new(guint64, MAX(n, 1));
        engine_graph_incomplete(e, accounts, counts, n); /* in a fixed order */
        ckpt_u32(o, n);
        for (guint32 i = 0; i < n; i++) {
            ckpt_u32(o, accounts[i]);
            ckpt_i64(o, (gint64)counts[i]);
        }
    }
    if (e->ty) {
        g_autoptr(GHashTable) rules = g_hash_table_new(NULL, NULL);
        for (guint i = 0; i < e->rs->rules->len; i++)
            g_hash_table_insert(rules, g_ptr_array_index(e->rs->rules, i), GUINT_TO_POINTER(i + 1));
        typology_save(e->ty, o, rules);
    }
    ckpt_refs_clear(&refs);
}

static gboolean load_window(Engine *e, guint ri, CkptIn *in, const CkptRecs *recs)
{
    RuleState *st = &e->state[ri];
    guint32 owner = ckpt_get_u32(in), len = ckpt_get_u32(in);
    if (in->bad)
        return FALSE;
    if (!owner || !engine_runs(e, ri) || (!e->graph_bit[ri] && !engine_owns(e, owner)))
        return ckpt_fail(in, "a window belongs to an account or rule this engine does not keep");
    if (len > LIMIT_WINDOW_ENTRIES || (gsize)len * 12 > in->n - in->at)
        return ckpt_fail(in, "a window holds more entries than it can");
    Window *w = pool_at(st, state_window(e, ri, owner));
    if (w->len || w->suppress_until != G_MININT64)
        return ckpt_fail(in, "an account's window comes twice");
    for (guint k = 0; k < len && !in->bad; k++) {
        const TxnCore *rec = ckpt_rec(in, recs, (guint64)ckpt_get_i64(in));
        guint32 flags = ckpt_get_u32(in);
        if (rec)
            window_push(w, e->mem, rec, flags & ((1u << LIMIT_ENTRY_FLAGS) - 1));
    }
    w->split = (guint16)ckpt_get_u32(in);
    w->split_ts = ckpt_get_i64(in);
    w->suppress_until = ckpt_get_i64(in);
    w->run_exp = (gint8)(gint32)ckpt_get_u32(in);
    ckpt_get(in, w->run, st->n_run * sizeof *w->run);
    guint32 n_dsets = ckpt_get_u32(in);
    if (w->split > w->len || n_dsets > G_MAXUINT8)
        return ckpt_fail(in, "a window's baseline split or distinct sets are out of range");
    if (n_dsets) {
        w->n_dsets = (guint8)n_dsets;
        w->dsets = g_new0(DistinctSet, n_dsets);
    }
    for (guint d = 0; d < n_dsets && !in->bad; d++) {
        DistinctSet *ds = &w->dsets[d];
        guint32 cap = ckpt_get_u32(in), used = ckpt_get_u32(in);
        if ((cap & (cap - 1)) || used > cap || (gsize)cap * 12 > in->n - in->at)
            return ckpt_fail(in, "a distinct set's size is out of range");
        ds->cap = cap;
        ds->used = used;
        ds->keys = cap ? g_new0(guint64, cap) : NULL;
        ds->counts = cap ? g_new0(guint32, cap) : NULL;
        ckpt_get(in, ds->keys, cap * sizeof *ds->keys);
        ckpt_get(in, ds->counts, cap * sizeof *ds->counts);
    }
    return !in->bad;
}

gboolean engine_load(Engine *e, CkptIn *in)
{
    g_assert(e->processed == 0);
    e->now = ckpt_get_i64(in);
    e->since = ckpt_get_i64(in);
    e->late = ckpt_get_i64(in);
    e->processed = (guint64)ckpt_get_i64(in);
    CkptRecs recs;
    ckpt_recs_init(&recs);
    if (ckpt_get_u32(in) != e->n_stores)
        ckpt_fail(in, "the engine's part has another number of record stores");
    for (guint i = 0; i < e->n_stores && !in->bad; i++)
        txn_store_load(e->stores[i], in, &recs);
    if (!in->bad && ckpt_get_u32(in) != e->rs->rules->len)
        ckpt_fail(in, "the engine's part has another number of rules");
    for (guint r = 0; r < e->rs->rules->len && !in->bad; r++) {
        guint32 n = ckpt_count(in, 40);
        for (guint32 i = 0; i < n && load_window(e, r, in, &recs); i++)
            ;
    }
    if (!in->bad && e->hist)
        history_load(e->hist, in);
    if (!in->bad && e->pairs)
        history_pairs_load(e->pairs, in);
    if (!in->bad && e->graph && graph_load(e->graph, in, &recs)) {
        guint32 n = ckpt_count(in, 12);
        for (guint32 i = 0; i < n && !in->bad; i++) {
            guint32 account = ckpt_get_u32(in);
            gint64 count = ckpt_get_i64(in);
            g_hash_table_insert(e->incomplete, GUINT_TO_POINTER(account),
                                GSIZE_TO_POINTER((gsize)count));
        }
    }
    if (!in->bad && e->ty)
        typology_load(e->ty, in);
    ckpt_recs_clear(&recs);
    return !in->bad;
}
