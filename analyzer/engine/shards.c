/* engine_shards.c: the engine on several threads (see engine_shards.h).
 *
 * Two batches of rows take turns: the calling thread fills one while the
 * shard threads work on the other (with one thread asked for, the shards
 * take each batch in turn on the calling thread). Batches are numbered; a
 * shard takes batch k once `posted` has passed k, and counts it in its
 * `done` when through. The caller merges batch k once every shard is done
 * with it, before it fills that batch's buffer again. A shard's alerts are
 * copied (Held) because what they borrow (records, the graph's edges) may
 * go before the merge; ids and explanations are rendered at the merge, on
 * the calling thread, because they read the intern tables that decoding
 * grows. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "engine/shards.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#include "engine/graph_match.h"
#include "engine/typology.h"
#include "engine/window.h"

#define SHARDS_AHEAD 2 /* rows between engine_prefetch and engine_process */
/* Rows handed over at a time. An account shard runs a batch's window
 * updates account by account (engine_process_rows), so the more rows, the
 * more of an account's updates find its windows in the cache: at 5 M rows
 * 262,144 took a third off the shards' CPU time against 16,384, for
 * about 130 MiB more (the batches and their passes). */
#define SHARDS_BATCH 262144

/* An alert of a shard as the engine gave it, kept until the merge: what is
 * not the rule's or the firing row's, with what it borrowed (aggregates,
 * evidence ids, the matched subgraph) copied into own. */
typedef struct {
    guint32 row;   /* in the batch */
    guint32 order; /* its place among the row's alerts in one engine's order */
    guint32 rule;  /* index in the rule set */
    guint32 account;
    gint64 window_start;
    guint n_evidence, n_evidence_total;
    const double *aggs;      /* the rest point into own */
    const gint64 *exact;     /* (alert.h) */
    const StrView *evidence; /* n_evidence */
    const GraphMatch *match; /* or NULL */
    gpointer own;
    gboolean has_hist;
    RuleHistory hist; /* the firing row's, for the explanation */
} Held;

typedef struct {
    TxnCore core[SHARDS_BATCH];
    /* the rows' ids end to end: row i's is id_len[i] bytes at
     * ids->str + id_at[i] (ids are short: a slot of the longest a row
     * could hold took 16 MiB a batch) */
    GString *ids;
    guint32 id_at[SHARDS_BATCH];
    guint8 id_len[SHARDS_BATCH];
    /* the rows' memos, end to end, when the rules test them (else NULL):
     * row i's is memo_len[i] bytes at memo->str + memo_at[i] */
    GString *memo;
    guint32 memo_at[SHARDS_BATCH], memo_len[SHARDS_BATCH];
    /* each row's view of its pair's history, when an engine reads it */
    HistoryRowPair pair[SHARDS_BATCH];
    guint n;
    GArray **held; /* by shard: Held, in each engine's order */
} Batch;

typedef struct {
    Shards *s;
    guint index;
    Engine *engine;
    pthread_t thread;
    guint64 done;  /* batches finished */
    gint64 cpu_ns; /* the thread's CPU time when it finished the last */
    Batch *batch;  /* the one being worked on, and its row: for collect */
    guint32 row;
} Shard;

struct Shards {
    const RuleSet *rs;
    const Intern *accounts, *locations;
    const Kyc *kyc;
    AlertFn fn;
    void *user;
    gboolean sync;    /* threads == 1: the shards run on the calling thread */
    Shard *shard;     /* the account shards, then the graph rules' if any */
    guint n;          /* shards in all */
    Batch batch[2];   /* batch k in batch[k % 2] */
    guint batch_rows; /* at most SHARDS_BATCH */
    guint64 posted;   /* batches handed to the shards */
    guint64 merged;   /* batches whose alerts went out */
    gboolean stop;
    /* POSIX's, not GLib's: ThreadSanitizer sees these (GLib's are futexes) */
    pthread_mutex_t lock;
    pthread_cond_t work, idle; /* posted or stop changed; a shard's done changed */
    GHashTable *rule_index;    /* Rule * -> index + 1 */
    TypologyEngine *ty;
    /* the pairs' history, kept once for all the engines on the calling
     * thread, which gives each row's view of it with the row; NULL when no
     * engine reads it */
    HistoryPairs *pairs;
    gint64 quiet_until;
    guint64 *rule_alerts;
    guint64 alerts;
    gboolean sink_failed;
    Alert alert;         /* the one being sent at the merge */
    guint64 rows_merged; /* rows of the batches merged before this one */
    guint64 key_row;     /* shards_alert_key of the alert being sent */
    guint32 key_order;
};

guint shards_default_threads(void)
{
    return CLAMP(g_get_num_processors(), 1, LIMIT_SHARDS);
}

/* A copy of match, its edges and their records (core and id) in own. */
static GraphMatch *copy_match(const GraphMatch *m, guint8 **own)
{
    GraphMatch *c = (GraphMatch *)(void *)*own;
    *c = *m;
    *own += sizeof *c;
    for (guint i = 0; i < m->n; i++) {
        GraphEdge *e = (GraphEdge *)(void *)*own;
        *e = *m->edges[i];
        *own += sizeof *e;
        StrView id = txn_store_id(e->rec);
        TxnCore *rec = (TxnCore *)(void *)*own;
        *rec = *e->rec;
        guint8 *p = (guint8 *)(rec + 1);
        p[0] = (guint8)id.len;
        memcpy(p + 1, id.ptr, id.len);
        *own += (sizeof *rec + 1 + id.len + 7) & ~(gsize)7;
        e->rec = rec;
        c->edges[i] = e;
    }
    return c;
}

static gsize match_bytes(const GraphMatch *m)
{
    gsize n = sizeof *m;
    for (guint i = 0; i < m->n; i++)
        n += sizeof(GraphEdge) +
             ((sizeof(TxnCore) + 1 + txn_store_id(m->edges[i]->rec).len + 7) & ~(gsize)7);
    return n;
}

/* A shard engine's callback: keeps a copy of the alert for the merge. */
static gboolean collect(const Alert *a, void *user)
{
    Shard *sh = user;
    const Shards *s = sh->s;
    guint ri = GPOINTER_TO_UINT(g_hash_table_lookup(s->rule_index, a->rule)) - 1;
    guint naggs = a->rule->aggs->len;
    gsize bytes = (a->match ? match_bytes(a->match) : 0) +
                  naggs * (sizeof(double) + sizeof(gint64)) + a->n_evidence * sizeof(StrView);
    for (guint i = 0; i < a->n_evidence; i++)
        bytes += a->evidence[i].len;
    const TxnCore *t = &sh->batch->core[sh->row];
    /* one engine's order: window rules (sender's side, then receiver's) by
     * rule, then graph rules by rule */
    gboolean receiver = !a->match && a->account == t->to && t->from != t->to;
    Held h = {.row = sh->row,
              .order = (a->match ? 2 * s->rs->rules->len : 0) + 2 * ri + receiver,
              .rule = ri,
              .account = a->account,
              .window_start = a->window_start,
              .n_evidence = a->n_evidence,
              .n_evidence_total = a->n_evidence_total,
              .own = g_malloc(MAX(bytes, 1)),
              .has_hist = a->hist != NULL};
    if (a->hist)
        h.hist = *a->hist;
    guint8 *own = h.own; /* 8-byte parts first, then the ids' bytes */
    if (a->match)
        h.match = copy_match(a->match, &own);
    h.aggs = memcpy(own, a->aggs, naggs * sizeof(double));
    own += naggs * sizeof(double);
    h.exact = memcpy(own, a->exact, naggs * sizeof(gint64));
    own += naggs * sizeof(gint64);
    StrView *ev = (StrView *)(void *)own;
    h.evidence = ev;
    own += a->n_evidence * sizeof(StrView);
    for (guint i = 0; i < a->n_evidence; i++) {
        ev[i] = (StrView){memcpy(own, a->evidence[i].ptr, a->evidence[i].len), a->evidence[i].len};
        own += a->evidence[i].len;
    }
    g_array_append_val(sh->batch->held[sh->index], h);
    return TRUE;
}

/* Runs a shard's engine on its next batch (the one after its `done`). */
static void shard_run(Shard *sh)
{
    sh->batch = &sh->s->batch[sh->done % 2];
    Batch *b = sh->batch;
    if (sh->s->pairs)
        engine_set_pair_views(sh->engine, b->pair);
    if (!engine_has_graph(sh->engine)) { /* account by account (engine.h) */
        EngineRows rows = {
            .core = b->core, .ids = b->ids->str, .id_at = b->id_at, .id_len = b->id_len, .n = b->n};
        if (b->memo)
            rows.memo = b->memo->str, rows.memo_at = b->memo_at, rows.memo_len = b->memo_len;
        engine_process_rows(sh->engine, &rows, &sh->row);
        return;
    }
    Txn t = {0}; /* the engine reads core, tx_id and memo only */
    for (sh->row = 0; sh->row < b->n; sh->row++) {
        if (sh->row + SHARDS_AHEAD < b->n)
            engine_prefetch(sh->engine, &b->core[sh->row + SHARDS_AHEAD]);
        t.core = b->core[sh->row];
        t.tx_id = (StrView){b->ids->str + b->id_at[sh->row], b->id_len[sh->row]};
        if (b->memo)
            t.memo = (StrView){b->memo->str + b->memo_at[sh->row], b->memo_len[sh->row]};
        engine_process(sh->engine, &t);
    }
}

static void *shard_main(void *data)
{
    Shard *sh = data;
    Shards *s = sh->s;
    for (;;) {
        pthread_mutex_lock(&s->lock);
        while (!s->stop && s->posted == sh->done)
            pthread_cond_wait(&s->work, &s->lock);
        gboolean stop = s->stop;
        pthread_mutex_unlock(&s->lock);
        if (stop)
            return NULL;
        shard_run(sh);
        struct timespec ts;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        pthread_mutex_lock(&s->lock);
        sh->cpu_ns = (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
        sh->done++;
        pthread_cond_signal(&s->idle);
        pthread_mutex_unlock(&s->lock);
    }
}

static gint by_order(gconstpointer x, gconstpointer y)
{
    const Held *a = x, *b = y;
    if (a->row != b->row)
        return a->row < b->row ? -1 : 1;
    return (a->order > b->order) - (a->order < b->order);
}

/* One alert at the merge, made whole again (as engine.c's raise_alert
 * makes it) with its id and explanation, then as raise_alert sends it. */
static void emit(Shards *s, const Batch *b, const Held *h)
{
    const Rule *r = g_ptr_array_index(s->rs->rules, h->rule);
    const TxnCore *t = &b->core[h->row];
    Alert *a = &s->alert;
    *a = (Alert){.rule = r,
                 .account = h->account,
                 .window_start = h->window_start,
                 .window_end = t->ts,
                 .trigger = {b->ids->str + b->id_at[h->row], b->id_len[h->row]},
                 .currency = t->currency,
                 .currency_exp = t->currency_exp,
                 .aggs = h->aggs,
                 .exact = h->exact,
                 .n_evidence = h->n_evidence,
                 .n_evidence_total = h->n_evidence_total,
                 .accounts = s->accounts,
                 .locations = s->locations,
                 .kyc = s->kyc,
                 .hist = h->has_hist ? &h->hist : NULL,
                 .match = h->match,
                 .score = rule_score(r),
                 .role = r->role};
    memcpy(a->evidence, h->evidence, h->n_evidence * sizeof *h->evidence);
    s->key_row = s->rows_merged + h->row;
    s->key_order = h->order;
    gboolean quiet = a->window_end <= s->quiet_until;
    if (quiet && !s->ty)
        return;
    alert_make_id(a);
    alert_explain(a, s->rs, t);
    if (!quiet) {
        s->rule_alerts[h->rule]++;
        s->alerts++;
        if (!s->fn(a, s->user))
            s->sink_failed = TRUE;
    }
    if (s->ty && !typology_feed(s->ty, a, s->kyc, quiet, s->fn, s->user))
        s->sink_failed = TRUE;
}

/* Waits for batch k to be done by every shard, sends its alerts in order
 * and empties it. */
static void merge(Shards *s, guint64 k)
{
    Batch *b = &s->batch[k % 2];
    pthread_mutex_lock(&s->lock);
    for (guint i = 0; i < s->n; i++)
        while (s->shard[i].done <= k)
            pthread_cond_wait(&s->idle, &s->lock);
    pthread_mutex_unlock(&s->lock);
    g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(Held));
    for (guint i = 0; i < s->n; i++) {
        g_array_append_vals(all, b->held[i]->data, b->held[i]->len);
        g_array_set_size(b->held[i], 0);
    }
    g_array_sort(all, by_order);
    for (guint i = 0; i < all->len; i++) {
        Held *h = &g_array_index(all, Held, i);
        emit(s, b, h);
        g_free(h->own);
    }
    s->rows_merged += b->n;
    b->n = 0;
    g_string_truncate(b->ids, 0);
    if (b->memo)
        g_string_truncate(b->memo, 0);
    s->merged = k + 1;
}

/* Each row's view of its pair (Batch.pair), in row order, the slots of a
 * row a few ahead loading meanwhile. */
static void batch_pairs(Shards *s, Batch *b)
{
    for (guint i = 0; i < b->n; i++) {
        if (i + SHARDS_AHEAD * 4 < b->n)
            history_pairs_prefetch(s->pairs, &b->core[i + SHARDS_AHEAD * 4]);
        history_pairs_row(s->pairs, &b->core[i], &b->pair[i]);
    }
}

/* Hands the batch being filled to the shards, then merges the one before
 * it, whose buffer is filled next. */
static void post(Shards *s)
{
    if (s->pairs)
        batch_pairs(s, &s->batch[s->posted % 2]);
    if (s->sync) { /* no threads: the engines take the batch in turn, here */
        for (guint i = 0; i < s->n; i++) {
            shard_run(&s->shard[i]);
            s->shard[i].done++;
        }
    }
    pthread_mutex_lock(&s->lock);
    s->posted++;
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->lock);
    while (s->merged + 1 < s->posted)
        merge(s, s->merged);
}

Shards *shards_new(const RuleSet *rs, const Intern *accounts, const Intern *locations,
                   const ShardsOptions *o, AlertFn fn, void *user)
{
    Shards *s = g_new0(Shards, 1);
    s->rs = rs;
    s->accounts = accounts;
    s->locations = locations;
    s->kyc = o->kyc;
    s->fn = fn;
    s->user = user;
    guint accounts_shards = CLAMP(o->threads, 1, LIMIT_SHARDS);
    s->sync = accounts_shards == 1;
    gboolean graph = FALSE;
    for (guint i = 0; i < rs->rules->len; i++)
        graph |= ((const Rule *)g_ptr_array_index(rs->rules, i))->match.kind != MATCH_NONE;
    /* a part (ShardsPart): the account engines or the graph rules' only */
    graph &= o->part != SHARDS_WINDOWS;
    guint first = o->part == SHARDS_GRAPH ? accounts_shards : 0;
    s->n = accounts_shards - first + graph;
    s->batch_rows = o->batch_rows ? MIN(o->batch_rows, SHARDS_BATCH) : SHARDS_BATCH;
    s->quiet_until = o->quiet_until;
    s->ty = o->part == SHARDS_ALL ? typology_engine_new(rs) : NULL;
    s->rule_alerts = g_new0(guint64, rs->rules->len);
    s->rule_index = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < rs->rules->len; i++)
        g_hash_table_insert(s->rule_index, g_ptr_array_index(rs->rules, i),
                            GUINT_TO_POINTER(i + 1));
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->work, NULL);
    pthread_cond_init(&s->idle, NULL);
    for (guint k = 0; k < 2; k++) {
        s->batch[k].held = g_new(GArray *, s->n);
        s->batch[k].ids = g_string_sized_new(s->batch_rows * 16);
        if (rs->texts->len)
            s->batch[k].memo = g_string_sized_new(SHARDS_BATCH * 32);
        for (guint i = 0; i < s->n; i++)
            s->batch[k].held[i] = g_array_new(FALSE, FALSE, sizeof(Held));
    }
    s->shard = g_new0(Shard, s->n);
    for (guint i = 0; i < s->n; i++) {
        Shard *sh = &s->shard[i];
        sh->s = s;
        sh->index = i;
        sh->engine = engine_new(rs, accounts, locations, collect, sh);
        engine_set_kyc(sh->engine, o->kyc);
        engine_set_owner(sh->engine, o->owner, o->owner_user);
        engine_set_shard(sh->engine, MIN(first + i, accounts_shards), accounts_shards,
                         first + i == accounts_shards);
        if (o->profile)
            engine_set_profile(sh->engine);
        if (o->evict_every)
            engine_set_evict_every(sh->engine, o->evict_every);
        if (engine_share_pairs(sh->engine) && !s->pairs)
            s->pairs = history_pairs_new();
    }
    for (guint i = 0; i < s->n && !s->sync; i++) {
        if (pthread_create(&s->shard[i].thread, NULL, shard_main, &s->shard[i]) != 0)
            g_error("cannot start engine thread %u", i);
        char name[16] = "mt-graph"; /* as top -H and perf show it */
        if (first + i < accounts_shards)
            g_snprintf(name, sizeof name, "mt-shard-%u", i);
        pthread_setname_np(s->shard[i].thread, name);
    }
    return s;
}

void shards_free(Shards *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stop = TRUE;
    pthread_cond_broadcast(&s->work);
    pthread_mutex_unlock(&s->lock);
    for (guint i = 0; i < s->n; i++) {
        if (!s->sync)
            pthread_join(s->shard[i].thread, NULL);
        engine_free(s->shard[i].engine);
    }
    for (guint k = 0; k < 2; k++) {
        for (guint i = 0; i < s->n; i++) {
            GArray *h = s->batch[k].held[i];
            for (guint j = 0; j < h->len; j++)
                g_free(g_array_index(h, Held, j).own);
            g_array_free(h, TRUE);
        }
        g_free(s->batch[k].held);
        g_string_free(s->batch[k].ids, TRUE);
        if (s->batch[k].memo)
            g_string_free(s->batch[k].memo, TRUE);
    }
    g_free(s->shard);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->work);
    pthread_cond_destroy(&s->idle);
    g_hash_table_destroy(s->rule_index);
    typology_engine_free(s->ty);
    history_pairs_free(s->pairs);
    g_free(s->rule_alerts);
    g_free(s);
}

void shards_process(Shards *s, const Txn *t)
{
    Batch *b = &s->batch[s->posted % 2];
    guint i = b->n++;
    g_assert(t->tx_id.len <= LIMIT_TXID_BYTES);
    b->core[i] = t->core;
    b->id_at[i] = (guint32)b->ids->len;
    b->id_len[i] = (guint8)t->tx_id.len;
    g_string_append_len(b->ids, t->tx_id.ptr, t->tx_id.len);
    if (b->memo) {
        b->memo_at[i] = (guint32)b->memo->len;
        b->memo_len[i] = t->memo.len;
        g_string_append_len(b->memo, t->memo.ptr, t->memo.len);
    }
    if (b->n == s->batch_rows)
        post(s);
}

void shards_finish(Shards *s)
{
    if (s->batch[s->posted % 2].n)
        post(s);
    while (s->merged < s->posted)
        merge(s, s->merged);
}

void shards_alert_key(const Shards *s, guint64 *row, guint32 *order)
{
    *row = s->key_row;
    *order = s->key_order;
}

/* The bytes of the two batches of rows in flight (the id and memo
 * buffers as allocated; the alerts held are few). */
static guint64 batches_bytes(const Shards *s)
{
    guint64 bytes = 2 * sizeof(Batch);
    for (guint k = 0; k < 2; k++)
        bytes += s->batch[k].ids->allocated_len +
                 (s->batch[k].memo ? s->batch[k].memo->allocated_len : 0);
    return bytes;
}

void shards_stats(const Shards *s, EngineStats *out)
{
    memset(out, 0, sizeof *out);
    for (guint i = 0; i < s->n; i++) {
        EngineStats e;
        engine_stats(s->shard[i].engine, &e);
        out->window_drops += e.window_drops;
        out->windows += e.windows;
        out->evicted += e.evicted;
        out->graph_work += e.graph_work;
        out->graph_exhausted += e.graph_exhausted;
        out->graph_dropped += e.graph_dropped;
        out->graph_hubs += e.graph_hubs;
        out->graph_max_degree = MAX(out->graph_max_degree, e.graph_max_degree);
        out->graph_peak_edges += e.graph_peak_edges;
        out->records += e.records;
        out->bytes_accounts += e.bytes_accounts;
        out->bytes_windows += e.bytes_windows;
        out->bytes_records += e.bytes_records;
        out->bytes_graph_edges += e.bytes_graph_edges;
        out->bytes_graph_index += e.bytes_graph_index;
        out->bytes_history += e.bytes_history;
        out->bytes_batches += e.bytes_batches;
    }
    out->bytes_batches += batches_bytes(s);
    if (s->pairs)
        out->bytes_history += history_pairs_bytes(s->pairs);
    out->alerts = s->alerts;
    out->sink_failed = s->sink_failed;
}

guint shards_graph_incomplete(const Shards *s, guint32 *accounts, guint64 *counts, guint max)
{
    guint n = 0;
    for (guint i = 0; i < s->n && !n; i++) /* one engine holds the graph */
        n = engine_graph_incomplete(s->shard[i].engine, accounts, counts, max);
    return n;
}

gboolean shards_rule_cost(const Shards *s, guint i, EngineRuleCost *out)
{
    memset(out, 0, sizeof *out);
    for (guint k = 0; k < s->n; k++) {
        const EngineRuleCost *c = engine_rule_cost(s->shard[k].engine, i);
        if (!c)
            return FALSE;
        out->entered += c->entered;
        out->filter_runs += c->filter_runs;
        out->ns += c->ns;
    }
    return TRUE;
}

guint64 shards_rule_state_bytes(const Shards *s, guint i)
{
    guint64 n = 0;
    for (guint k = 0; k < s->n; k++)
        n += engine_rule_state_bytes(s->shard[k].engine, i);
    return n;
}

guint64 shards_rule_alerts(const Shards *s, guint i)
{
    return s->rule_alerts[i];
}

guint64 shards_typology_alerts(const Shards *s, guint i)
{
    return typology_alerts(s->ty, i);
}

guint shards_threads(const Shards *s)
{
    return s->sync ? 0 : s->n;
}

double shards_thread_seconds(const Shards *s, guint i, gboolean *graph)
{
    *graph = engine_has_graph(s->shard[i].engine);
    return (double)s->shard[i].cpu_ns / 1e9; /* written before the merge's wait on the lock */
}

/* ---- checkpoints (engine/checkpoint.h) ---- */

void shards_save(Shards *s, CkptOut *o)
{
    g_assert(s->merged == s->posted); /* after shards_finish: no row in flight */
    ckpt_u32(o, s->n);
    for (guint i = 0; i < s->n; i++) { /* each engine's part after its length */
        gsize at = o->len;
        ckpt_i64(o, 0);
        engine_save(s->shard[i].engine, o);
        gint64 len = (gint64)(o->len - at - 8);
        memcpy(o->b->data + at, &len, sizeof len);
    }
    if (s->pairs)
        history_pairs_save(s->pairs, o);
    if (s->ty)
        typology_save(s->ty, o, s->rule_index);
}

/* One engine's part restored on a thread of its own. */
typedef struct {
    Engine *engine;
    CkptIn in;
    pthread_t thread;
    gboolean started;
} EngineLoad;

static void *engine_load_main(void *arg)
{
    EngineLoad *l = arg;
    if (engine_load(l->engine, &l->in) && l->in.at != l->in.n)
        ckpt_fail(&l->in, "bytes are left after an engine's state");
    return NULL;
}

/* The engines' parts are independent (each its own records, windows,
 * history and graph), so each is restored on a thread while this one
 * restores the pairs and typologies: the blobs one reads from the
 * database (one at a time, checkpoint.c) overlap the others' work. */
gboolean shards_load(Shards *s, CkptIn *in)
{
    g_assert(s->posted == 0);
    if (ckpt_get_u32(in) != s->n)
        return ckpt_fail(in, "the checkpoint has another number of engines");
    g_autofree EngineLoad *l = g_new0(EngineLoad, s->n);
    for (guint i = 0; i < s->n && !in->bad; i++) {
        gint64 len = ckpt_get_i64(in);
        if (in->bad || len < 0 || (guint64)len > in->n - in->at)
            return ckpt_fail(in, "an engine's part runs past the end (truncated or damaged)");
        l[i].engine = s->shard[i].engine;
        l[i].in = (CkptIn){in->p + in->at, (gsize)len, 0, NULL, in->blobs, NULL};
        in->at += (gsize)len;
    }
    for (guint i = 0; i < s->n; i++)
        l[i].started = pthread_create(&l[i].thread, NULL, engine_load_main, &l[i]) == 0;
    if (s->pairs)
        history_pairs_load(s->pairs, in);
    if (s->ty)
        typology_load(s->ty, in);
    for (guint i = 0; i < s->n; i++) {
        if (l[i].started)
            pthread_join(l[i].thread, NULL);
        else
            engine_load_main(&l[i]);
        if (l[i].in.bad && !in->bad) {
            ckpt_fail(in, l[i].in.bad);
            in->bad_blob = g_steal_pointer(&l[i].in.bad_blob);
        }
        g_free(l[i].in.bad_blob);
    }
    return !in->bad;
}
