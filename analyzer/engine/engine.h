/* engine.h: runs a compiled rule set over a stream of transactions.
 *
 * The rule set is read-only; the engine owns all state: one window per
 * (rule, account), created when an account first passes a rule's filter.
 * Alerts go to a callback as they fire, in transaction order then rule
 * order, so the same input gives the same alerts in the same order
 * (engine_process_rows: in account order, each tagged with its row). */
#ifndef MT_ENGINE_H
#define MT_ENGINE_H

#include <glib.h>

#include "engine/alert.h"
#include "engine/checkpoint.h"
#include "engine/history.h"
#include "base/intern.h"
#include "rule/rule.h"

typedef struct Engine Engine;

/* rs, accounts and locations are borrowed and must outlive the engine. */
Engine *engine_new(const RuleSet *rs, const Intern *accounts, const Intern *locations, AlertFn fn,
                   void *user);
void engine_free(Engine *e);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Engine, engine_free)

/* Evaluates every rule on one transaction. Allocates only when an account
 * is seen by a rule for the first time or a window grows. */
void engine_process(Engine *e, const Txn *t);

/* The rows of a batch, as engine_process_rows reads them: row i is
 * core[i], its id id_len[i] bytes at ids + id_at[i], its memo
 * memo_len[i] bytes at memo + memo_at[i] (memo NULL: none kept). */
typedef struct {
    const TxnCore *core;
    const char *ids;
    const guint32 *id_at;
    const guint8 *id_len;
    guint n;
    const char *memo;
    const guint32 *memo_at, *memo_len;
} EngineRows;

/* engine_process on each row of a batch in turn, with the same state and
 * alerts, for an engine without graph rules (a shard's): the filters run
 * row by row, then the window updates account by account, each account's
 * in row order, so that an account's windows are loaded once for all its
 * rows in the batch (the windows of different accounts do not meet).
 * Before each update *row is set to its row, for the alert callback,
 * which thus sees the alerts out of row order. */
void engine_process_rows(Engine *e, const EngineRows *rows, guint32 *row);

/* Starts loading what engine_process will first read for t (the
 * accounts' rows and records, the graph's index), for a transaction a few
 * rows ahead of the one being processed. */
void engine_prefetch(const Engine *e, const TxnCore *t);

typedef struct {
    guint64 alerts;           /* all rules */
    guint64 window_drops;     /* entries dropped at LIMIT_WINDOW_ENTRIES */
    guint64 windows;          /* live (rule, account) windows */
    guint64 evicted;          /* idle windows and graph indexes freed */
    guint64 graph_work;       /* edges visited by graph pattern searches */
    guint64 graph_exhausted;  /* searches stopped at LIMIT_GRAPH_WORK */
    guint64 graph_dropped;    /* edges dropped from the graph while within the window */
    guint64 graph_hubs;       /* account indexes that grew past LIMIT_GRAPH_DEGREE edges */
    guint64 graph_max_degree; /* most edges one account index held at once */
    guint64 graph_peak_edges; /* most edges the graph held at once */
    guint64 records;          /* transaction records held for windows and the graph */
    /* Bytes held, by part: the accounts' rows of the slot table (their
     * window slots and prefilter bits), the windows (pool entries, grown
     * rings, distinct-value sets), the transaction records, the graph's
     * edge ring and its account indexes, the accounts' and pairs' history;
     * and what is sized by the batch of rows, not by the accounts (the
     * rows in flight, and each engine's passes and arrays by row) */
    guint64 bytes_accounts, bytes_windows, bytes_records, bytes_graph_edges, bytes_graph_index,
        bytes_history, bytes_batches;
    gboolean sink_failed;
} EngineStats;

void engine_stats(const Engine *e, EngineStats *out);
/* The accounts about which a graph search stopped at LIMIT_GRAPH_WORK: up
 * to max of them, most such searches first, into accounts and counts
 * (caller's arrays of max). Returns how many accounts there are in all. */
guint engine_graph_incomplete(const Engine *e, guint32 *accounts, guint64 *counts, guint max);
/* Replay mode for incremental runs: alerts fired by transactions at or
 * before ts update the state (windows, suppression) as usual but are not
 * passed to the callback nor counted. G_MININT64 (the default) emits all. */
void engine_set_quiet_until(Engine *e, gint64 ts);
/* Makes the engine a shard (engine_shards.h), before the first
 * transaction: it keeps the windows of the accounts a with
 * a % count == index (none when index == count), and the graph rules only
 * if graph. Its alerts go to the callback without id or explanation
 * (empty: alert_make_id and alert_explain are the merger's, on one
 * thread), all of them (quiet is the merger's), and none to typologies,
 * which run where the shards' alerts are merged. */
void engine_set_shard(Engine *e, guint index, guint count, gboolean graph);

/* Before the first transaction, after engine_set_shard: the engine keeps
 * no table of pairs of its own (history.h) but reads each row's view of
 * its pair from engine_set_pair_views, which the caller keeps once for
 * all its engines. TRUE if the engine's rules read that view at all. */
gboolean engine_share_pairs(Engine *e);
/* The pair views of the next rows: the n-th transaction given to
 * engine_process or engine_process_rows after this call is views[n]'s
 * (HistoryRowPair, history_pairs_row), borrowed meanwhile. */
void engine_set_pair_views(Engine *e, const HistoryRowPair *views);
/* Makes the engine part of a cluster shard (scan --shard), before the
 * first transaction: it keeps windows only for the accounts fn says it
 * owns (fn(account, user), called from the engine's thread, must be
 * TRUE or FALSE for an account from before the row reached the engine),
 * and searches a graph rule only around an edge whose anchor it owns. It
 * still sees every row, so its clocks and the graph are those of one
 * whole run. NULL fn: every account (the default). */
typedef gboolean (*EngineOwnerFn)(guint32 account, const void *user);
void engine_set_owner(Engine *e, EngineOwnerFn fn, const void *user);
/* Does the engine run graph rules (it has some, and is not a shard without them)? */
gboolean engine_has_graph(const Engine *e);
/* Sweeps idle state every n transactions (default LIMIT_EVICT_EVERY); for
 * tests, which need many sweeps on few rows. */
void engine_set_evict_every(Engine *e, guint64 n);
/* Checks, on every transaction, that the prefilters and masks worked out at
 * compile time agree with the programs they stand in for, and aborts with
 * the rule's id if not (rule examples and the fuzzer run with it on). */
void engine_set_check(Engine *e, gboolean on);

/* What one rule cost, when profiling: the windows it updated (or graph
 * searches it ran), the filter programs it ran (the rest the prefilters
 * decided), and the time in its updates, conditions and searches. */
typedef struct {
    guint64 entered;
    guint64 filter_runs;
    gint64 ns;
} EngineRuleCost;

/* Measures each rule's cost from now on (a clock read around each window
 * update: a few per cent slower). */
void engine_set_profile(Engine *e);
/* Rule i's cost, or NULL when not profiling. */
const EngineRuleCost *engine_rule_cost(const Engine *e, guint i);
/* The bytes rule i's state holds now: its pool of windows, their rings and
 * distinct-value sets (not the transaction records, which rules share). */
guint64 engine_rule_state_bytes(const Engine *e, guint i);
/* Joins the accounts side table (borrowed; NULL = none): account.* fields.
 * Call it before the first transaction (account prefilters are remembered). */
void engine_set_kyc(Engine *e, const Kyc *kyc);

/* Checkpoints (engine/checkpoint.h): the engine's whole state (its part of
 * a split: call engine_set_shard first, the same way on save and load),
 * after dropping from the windows what has left them (as their next update
 * would); read into an engine that has processed nothing (FALSE: in is
 * bad). */
void engine_save(Engine *e, CkptOut *o);
gboolean engine_load(Engine *e, CkptIn *in);

#endif
