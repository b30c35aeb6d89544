/* engine_shards.h: the engine on several threads, with the alerts of one.
 *
 * The window rules of an account depend on that account's transactions
 * only, so the accounts are split among shards: shard i is an Engine that
 * keeps the windows of the accounts a with a % n == i (and shard 0 the
 * graph rules, whose graph is one). The calling thread decodes; it hands
 * the rows over in batches, and while the shards work on one batch it
 * fills the next. It then merges the shards' alerts back into the order one
 * engine gives (transaction, then rule and side, graph rules last), gives
 * them their ids and explanations, and feeds the typologies: the same input
 * gives the same alerts, byte for byte, whatever the number of threads.
 * Callbacks run on the calling thread only, so sinks need no locks.
 *
 * With one thread the same shards (one for the accounts, one for the
 * graph rules) take each batch in turn on the calling thread: an account
 * shard runs a batch's window updates account by account
 * (engine_process_rows), which one Engine fed row by row cannot. */
#ifndef MT_ENGINE_SHARDS_H
#define MT_ENGINE_SHARDS_H

#include "engine/engine.h"
#include "read/kyc.h"

typedef struct Shards Shards;

/* Which rules a Shards runs: all of them (a scan), or, for a run split
 * between processes (`moneytrail split` and the shards that read its
 * file), the window rules only or the graph rules only. A part raises
 * no typology alerts: the caller combines the two parts' alerts. */
typedef enum { SHARDS_ALL = 0, SHARDS_WINDOWS, SHARDS_GRAPH } ShardsPart;

/* What the engines are told before the first row. */
typedef struct {
    guint threads;       /* account shards (1 = no threads); see shards_default_threads */
    const Kyc *kyc;      /* accounts side table, or NULL */
    gint64 quiet_until;  /* engine_set_quiet_until; G_MININT64 emits all */
    gboolean profile;    /* engine_set_profile */
    guint batch_rows;    /* rows handed to the threads at a time; 0 = the default (tests: fewer) */
    guint64 evict_every; /* engine_set_evict_every; 0 = the default */
    EngineOwnerFn owner; /* engine_set_owner on every engine: a cluster shard's accounts */
    const void *owner_user;
    ShardsPart part;
} ShardsOptions;

/* The number of processors, at most LIMIT_SHARDS. */
guint shards_default_threads(void);

/* rs, accounts, locations and o->kyc are borrowed and must outlive the
 * shards; fn is called on the calling thread with alerts in order. */
Shards *shards_new(const RuleSet *rs, const Intern *accounts, const Intern *locations,
                   const ShardsOptions *o, AlertFn fn, void *user);
/* Stops the threads and frees everything; alerts of rows not yet finished
 * are dropped (a failed run). */
void shards_free(Shards *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Shards, shards_free)

/* Takes one transaction (copied: t may go after the call). Its alerts may
 * come later, in a later call or in shards_finish. */
void shards_process(Shards *s, const Txn *t);
/* Waits until every alert of the rows given so far has gone to fn. */
void shards_finish(Shards *s);

/* During fn: where the alert comes in one run's order, the input row (from
 * 0, counting every row given) that fired it and its place among the
 * row's alerts; a typology alert has the key of the alert that fed it.
 * What `moneytrail merge` sorts a cluster's shards back into one run by. */
void shards_alert_key(const Shards *s, guint64 *row, guint32 *order);

/* As engine.h's, summed over the shards (after shards_finish). */
void shards_stats(const Shards *s, EngineStats *out);
/* engine_graph_incomplete of the engine that runs the graph rules. */
guint shards_graph_incomplete(const Shards *s, guint32 *accounts, guint64 *counts, guint max);
/* Rule i's cost (FALSE when not profiling). */
gboolean shards_rule_cost(const Shards *s, guint i, EngineRuleCost *out);
guint64 shards_rule_state_bytes(const Shards *s, guint i);
guint64 shards_rule_alerts(const Shards *s, guint i);
guint64 shards_typology_alerts(const Shards *s, guint i);
/* The shard threads (0 without threads), and, after shards_finish, the CPU
 * time thread i had used when it last finished a batch; *graph: it runs
 * the graph rules. */
guint shards_threads(const Shards *s);
double shards_thread_seconds(const Shards *s, guint i, gboolean *graph);

/* Checkpoints (engine/checkpoint.h): the engines of the split (account
 * shards, then the graph rules' one) and the typologies of the merge; after
 * shards_finish. Loaded into shards new from shards_new with the same
 * threads, before the first row (FALSE: in is bad). */
void shards_save(Shards *s, CkptOut *o);
gboolean shards_load(Shards *s, CkptIn *in);

#endif
