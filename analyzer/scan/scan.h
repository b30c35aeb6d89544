/* scan.h: one run of the rules over a stream of transactions, the pipeline
 * that `moneytrail scan` and `moneytrail backtest` share.
 *
 *   scan_new -> scan_open (KYC side table, sources) -> scan_start (engine
 *   shards, alert callback) -> scan_run (the read loop and the error
 *   budget) -> scan_free
 *
 * A Scan owns the account and location tables, the KYC table, the input
 * and the engine; the rule set is borrowed. Where alerts go, what a row
 * means beyond the rules (labels, a database's counters), progress lines,
 * messages and the summary belong to the caller: the pipeline reports
 * through callbacks, GError and ScanStatus, and prints nothing. */
#ifndef MT_SCAN_H
#define MT_SCAN_H

#include <glib.h>

#include "engine/checkpoint.h"
#include "engine/shards.h"
#include "read/input.h"
#include "rule/rule.h"

/* Rows between two calls of ScanLoop.progress (2^18). */
#define SCAN_PROGRESS_ROWS 0x40000

typedef struct Scan Scan;

/* How scan_run ended. */
typedef enum {
    SCAN_DONE,        /* every row read, every alert delivered */
    SCAN_OVER_BUDGET, /* more rows rejected than the budget; the alerts of the rows
                       * read are delivered (the caller decides whether to keep them) */
    SCAN_FAILED,      /* a source failed (*error set); alerts still pending are dropped
                       * by scan_free */
} ScanStatus;

/* What scan_run does besides feeding the engine. Callbacks may be NULL;
 * they run on the calling thread. */
typedef struct {
    /* each good row, before the engine sees it */
    void (*row)(Scan *s, const Txn *t, void *user);
    /* every SCAN_PROGRESS_ROWS rows read into the engine */
    void (*progress)(Scan *s, void *user);
    void *user;
    gint64 max_errors; /* the error budget: rejected rows allowed (0 or more) */
    gboolean read_all; /* read to the end past the budget, so that the count of
                        * rejects is the whole data's; otherwise stop at once */
} ScanLoop;

/* A scan of the rules rs (borrowed until scan_free) with empty account and
 * location tables. Caller frees with scan_free. */
Scan *scan_new(const RuleSet *rs);
/* Stops the engine (dropping alerts not yet delivered) and frees the input,
 * the KYC and the tables. NULL is allowed. */
void scan_free(Scan *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Scan, scan_free)

/* Loads the accounts side table from the CSV file accounts (NULL: none),
 * then opens the n sources of paths with io (borrowed for the call; io->db
 * is taken over, even on failure, as input_open does). FALSE with error,
 * which names the file. */
gboolean scan_open(Scan *s, const char *accounts, const char *const *paths, guint n,
                   const InputOptions *io, GError **error);
/* Starts the engine after scan_open: threads, quiet replay and profiling
 * from o (its kyc is ignored: the scan's own is used); fn gets every alert,
 * in order, on the calling thread. */
void scan_start(Scan *s, const ShardsOptions *o, AlertFn fn, void *user);
/* Reads every row through loop->row into the engine until the sources end
 * or the budget is spent, then waits for the engine's last alerts. */
ScanStatus scan_run(Scan *s, const ScanLoop *loop, GError **error);
/* Makes the scan shard index of count (0 <= index < count) of a cluster
 * run (`scan --shard`), before scan_start: the engine keeps state and
 * raises alerts only for the accounts whose customer falls in the shard
 * (scan_shard_of), graph rules at an anchor it owns; it still reads every
 * row, which also goes into the input digest. */
void scan_set_shard(Scan *s, guint index, guint count);
/* The shard of count that owns the customer or account id key: a stable
 * hash (64-bit FNV-1a of its bytes) modulo count, the same on any machine. */
guint scan_shard_of(const char *key, gsize len, guint count);
/* A sharded scan's digest of what it read (after scan_run): every row's
 * id, time, amount, currency, channel and accounts, in order, and the
 * accounts table's contents, in 16 hex digits; shards of one run over the
 * same data agree on it. */
void scan_input_digest(const Scan *s, char out[17]);

/* The key a cluster shard is chosen by for an account: its KYC
 * customer_id, else its own id (borrowed). */
const char *scan_owner_key(const Kyc *kyc, const Intern *accounts, guint32 account);

/* A split run (`moneytrail split`, read/rowfile.h). scan_open takes a
 * single source that is a split's rows file instead of decoding: only for
 * a shard (scan_set_shard first), with the split's rules and accounts
 * table (refused otherwise); the engine then runs the window rules only
 * (the split ran the graph rules), the rows of other shards' accounts
 * reach it as their times alone, and the statistics and input digest are
 * the split's. scan_split: that rows file, or NULL. scan_split_meta: the
 * description a split writes into its rows file after scan_run (the
 * statistics, the digests of the input, the accounts table and the rules;
 * the scan made a shard 0 of 1 for the digests); caller frees. */
const struct RowFile *scan_split(const Scan *s);
char *scan_split_meta(const Scan *s);

/* TRUE when rejected rows are more than the budget max_errors allows. */
gboolean scan_budget_spent(guint64 rejected, gint64 max_errors);

/* The parts, borrowed while the scan lives: for callbacks, stats and the
 * summary. */
const Intern *scan_accounts(const Scan *s);
const Intern *scan_locations(const Scan *s);
const Kyc *scan_kyc(const Scan *s); /* NULL without an accounts table */
const Input *scan_input(const Scan *s);
Shards *scan_engine(const Scan *s);
/* Checkpoints (engine/checkpoint.h): the account and location tables,
 * filled from c before scan_open (nothing interned yet but the rules'
 * account lists), and the engine's state after scan_start, before the
 * first row; FALSE with *why. scan_checkpoint_save: the state after
 * scan_run. */
gboolean scan_checkpoint_tables(Scan *s, Checkpoint *c, char **why);
gboolean scan_checkpoint_engine(Scan *s, Checkpoint *c, char **why);
CkptSave *scan_checkpoint_save(const Scan *s, const CkptFit *fit, gint64 watermark);
/* Rows read and rejected so far (zeros before scan_open). */
void scan_input_stats(const Scan *s, InputStats *out);

#endif
