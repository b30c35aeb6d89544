/* history.h: what the engine remembers of every account and every pair of
 * accounts over the whole scan, however long ago: when each was first and
 * last seen, how many transactions, how many distinct counterparties (and
 * how many of them recur: two payments or more the same way); and
 * for a pair, how often one paid the other and since when.
 *
 * Windows forget what falls out of them; history does not, so a rule can
 * tell an account that was quiet for months from one with no data yet, and
 * a payer of many months from a first payment. It is exact.
 *
 * Two parts, each kept once and only where it is read
 * (rule_history_parts):
 * - HistoryPairs, the pairs: one table for the whole scan. A scan on
 *   threads keeps it on the thread that hands out the rows, and gives each
 *   row's view of it (HistoryRowPair) to the engines with the row; a lone
 *   engine keeps its own.
 * - History, the accounts: in the engine that keeps the account's windows
 *   (a shard keeps its own accounts only), and in the graph rules' engine
 *   only if a graph rule reads an account field.
 *
 * Layouts (plain arrays, no pointers inside, for a checkpoint to write):
 * - History: acc[n_acc] of HistoryAccount (40 bytes), account a at a / div
 *   (div: the engine's shards, whose accounts are a % div == shard).
 * - HistoryPairs: 256 tables, a pair in the one of its hash's top 8
 *   bits; each slots[n] of PairSlot (16 bytes: the key from << 32 | to,
 *   0 = empty; the first time as seconds from `base`, a signed 32-bit
 *   offset; the count), open addressing with linear probing from the slot
 *   (low 32 bits of the hash * n) >> 32, half to three quarters full; a
 *   first time more than 68 years from `base` is kept exactly beside the
 *   tables, in `far` (a hash table of key -> time). 21 to 32 bytes a
 *   pair. */
#ifndef MT_HISTORY_H
#define MT_HISTORY_H

#include <glib.h>

#include "base/txn.h"
#include "engine/checkpoint.h"
#include "rule/rule.h"

/* What is known of an account: the interpreter's own view of it
 * (rule.h), kept as it is read, so that a row's view is a copy. */
typedef RuleHistoryAccount HistoryAccount;

/* What was known of a row's pair before the row: payments from -> to and
 * to -> from, and the first transaction between them either way (valid
 * when paid[0] + paid[1] > 0). All 0 for a row without two accounts. */
typedef struct {
    guint32 paid[2];
    gint64 first_ts;
} HistoryRowPair;

typedef struct HistoryPairs HistoryPairs;

HistoryPairs *history_pairs_new(void);
void history_pairs_free(HistoryPairs *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(HistoryPairs, history_pairs_free)
/* Sets *out to what was known of t's pair before t, then records t. */
void history_pairs_row(HistoryPairs *p, const TxnCore *t, HistoryRowPair *out);
/* Starts loading the slots history_pairs_row will read for t, a few rows
 * ahead of it. */
void history_pairs_prefetch(const HistoryPairs *p, const TxnCore *t);
/* Pairs recorded (a pair is ordered: from -> to). */
guint64 history_pairs_count(const HistoryPairs *p);
/* Bytes held, for the run summary and tests. */
gsize history_pairs_bytes(const HistoryPairs *p);

typedef struct History History;

/* Accounts' history for the accounts a with a % div == some shard (div 1:
 * any account). */
History *history_new(guint div);
void history_free(History *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(History, history_free)

/* What is known of account a (0: none; an account never seen has n 0);
 * h may be NULL (nothing kept). Borrowed until the next history_add. */
const HistoryAccount *history_account(const History *h, guint32 a);
/* Records t for the accounts asked for (from, to: a shard keeps its own
 * accounts only; either account may be 0, a cash row), with pair, t's
 * view of its pair before t (history_pairs_row), for the counts of
 * distinct and recurring counterparties. Call after the rules have read
 * what was known before t. */
void history_add(History *h, const TxnCore *t, gboolean from, gboolean to,
                 const HistoryRowPair *pair);
/* Bytes held, for the run summary and tests. */
gsize history_bytes(const History *h);

/* Checkpoints (engine/checkpoint.h): writes every account known, or every
 * pair; reads them into an empty history or pair table (FALSE: in is bad). */
void history_save(const History *h, CkptOut *o);
gboolean history_load(History *h, CkptIn *in);
void history_pairs_save(const HistoryPairs *p, CkptOut *o);
gboolean history_pairs_load(HistoryPairs *p, CkptIn *in);

#endif
