/* history.h: what the engine remembers of every account and every pair of
 * accounts over the whole scan, however long ago: when each was first and
 * last seen, how many transactions, how many distinct counterparties (and
 * how many of them recur: two payments or more the same way); and
 * for a pair, how often one paid the other and since when.
 *
 * Windows forget what falls out of them; history does not, so a rule can
 * tell an account that was quiet for months from one with no data yet, and
 * a payer of many months from a first payment. It is exact and costs a
 * fixed size per account (HistoryAccount) and per pair of accounts that
 * ever transacted (about 48 bytes at the table's load). An account is
 * "seen" by the transactions of it the engine processes: a sharded engine
 * keeps its own accounts' history, and every engine keeps the pairs of the
 * rows it processes. */
#ifndef MT_HISTORY_H
#define MT_HISTORY_H

#include <glib.h>

#include "base/txn.h"
#include "engine/checkpoint.h"
#include "rule/rule.h"

/* What is known of an account: the interpreter's own view of it
 * (rule.h), kept as it is read, so that a row's view is a copy. */
typedef RuleHistoryAccount HistoryAccount;

typedef struct {
    guint32 n;       /* transactions from -> to, saturating */
    gint64 first_ts; /* the first of them; valid when n > 0 */
} HistoryPair;

typedef struct History History;

History *history_new(void);
void history_free(History *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(History, history_free)

/* What is known of account a (0: none; an account never seen has n 0).
 * Borrowed until the next history_add. */
const HistoryAccount *history_account(const History *h, guint32 a);
/* Transactions from -> to so far and the first one's time ({0} if none). */
HistoryPair history_pair(const History *h, guint32 from, guint32 to);
/* Records t for the accounts asked for (from, to: a shard keeps its own
 * accounts only; either account may be 0, a cash row) and, for an
 * account-to-account row, the pair when either is asked for. Call after
 * the rules have read what was known before t. */
void history_add(History *h, const TxnCore *t, gboolean from, gboolean to);
/* Bytes held, for the run summary and tests. */
gsize history_bytes(const History *h);

/* Checkpoints (engine/checkpoint.h): writes every account and pair known;
 * reads them into an empty history (FALSE: in is bad). */
void history_save(const History *h, CkptOut *o);
gboolean history_load(History *h, CkptIn *in);

#endif
