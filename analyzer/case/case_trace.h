/* case_trace.h: where the money went (or came from): time-respecting,
 * proportional tracing over transactions.
 *
 * The algorithm, exactly (direction out; "in" is the same with every
 * transaction reversed in direction and in time):
 *
 *  1. Seeds: the transactions the account sent with from <= ts <= to. Each
 *     carries its whole amount at hop 1; the origin is their sum.
 *  2. Transactions are visited in time order (then by tx id). A transaction
 *     e (amount X, arriving at account v at time t, carrying traced money c
 *     at hop h < hops) is passed on to the transactions f that v sends in
 *     the window t < ts(f) <= t + within. With S the sum of their amounts,
 *     each f receives c * amount(f) / max(X, S) at hop h + 1: when v sends
 *     on less than it received (S < X) the traced money is forwarded in the
 *     proportion S / X and the rest stays at v; when it sends on more, all
 *     of it moves on, split in proportion to the amounts.
 *  3. A transaction never carries more traced money than its own amount:
 *     when contributions from several arrivals exceed it, they are all
 *     scaled down to fit (counted as "capped"); the excess stays where it
 *     arrived.
 *  4. For each account reached: the traced money that arrived (summed over
 *     hops and paths), its share of the origin, and what stayed there
 *     (arrived minus passed on). Cash withdrawals end at "(cash)". What
 *     stayed, summed over all accounts, is the origin.
 *  5. Paths: every chain of accounts a share of the origin took, with the
 *     amount that stayed at its last account (at least half a minor unit);
 *     chains through the same accounts are merged; the largest are shown.
 *
 * Bounds (case_trace_run): an account reached is followed (its payments
 * fetched) only when the traced money that reached it, as far as the
 * hops fetched so far show, is at least min_share of the origin, and at
 * most max_accounts accounts are followed in all, those that received
 * the most first. What reaches an account that is not followed stays
 * there, and the result counts those accounts. An account that makes more
 * than CASE_TRACE_MAX_FANOUT payments in the window after an arrival (a
 * supermarket, a payment processor) is a hub: money is not passed on
 * through it but stays there, and the result counts the hubs. Hops are at most
 * CASE_TRACE_MAX_HOPS. So a trace costs at most max_accounts + 1 reads of
 * an account's transactions, however busy the accounts it meets.
 *
 * Where the store sums and counts (the database: flows_of, count_in),
 * case_trace_run reads less and answers the same: the origin's seeds come
 * summed per receiver, and are read one by one only for the receivers
 * that are followed and in the window after money came back to the
 * origin, unless that window holds more than CASE_TRACE_MAX_FANOUT of
 * them (a hub window: only counted, as nothing passes on there). The
 * accounts followed are read whole, as from files.
 *
 * Amounts are computed in double precision on minor units and printed
 * rounded to the minor unit. Currencies are not converted: a trace over
 * mixed currencies is flagged. */
#ifndef MT_CASE_TRACE_H
#define MT_CASE_TRACE_H

#include <glib.h>

#include "case/case.h"

#define CASE_TRACE_MAX_HOPS     10
#define CASE_TRACE_MIN_SHARE    0.001 /* 0.1% of the origin */
#define CASE_TRACE_MAX_ACCOUNTS 500
#define CASE_TRACE_MAX_FANOUT   1000 /* outs in one window beyond which an account is a hub */

typedef struct {
    const char *account;
    gint64 from, to; /* seed period */
    gint64 within;   /* seconds from an arrival to a transaction that passes it on */
    guint hops;      /* longest path in transactions, 1..CASE_TRACE_MAX_HOPS */
    gboolean backward;
    double min_share;   /* follow an account that received at least this share of
                         * the origin (0..1); 0 = every account */
    guint max_accounts; /* follow at most this many accounts; 0 = no bound */
} TraceQuery;

typedef struct {
    char *account;
    double arrived; /* minor units */
    double stayed;
    guint hop;    /* fewest transactions from the origin */
    gboolean hub; /* money stayed here for the fan-out bound */
} TraceReach;

typedef struct {
    char *accounts; /* "A -> B -> C" */
    double stayed;
} TracePath;

typedef struct {
    double origin; /* minor units */
    guint n_seeds;
    int exp; /* decimals of the currency */
    char currency[4];
    gboolean mixed;           /* seeds or hops in several currencies */
    guint capped;             /* transactions scaled down by rule 3 */
    guint unfollowed;         /* accounts reached but not followed (the bounds) */
    double unfollowed_stayed; /* what stayed at them, minor units */
    guint hubs;               /* accounts money was not passed through (fan-out) */
    GPtrArray *reached;       /* TraceReach *, most arrived first */
    GPtrArray *paths;         /* TracePath *, largest first */
} TraceResult;

void trace_result_free(TraceResult *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TraceResult, trace_result_free)

/* Runs the algorithm on edges (CaseTx *, borrowed), which must hold the
 * seeds and every transaction the money may take; extra ones are harmless.
 * Keeps at most max_paths paths. Caller frees the result. */
TraceResult *case_trace_compute(GPtrArray *edges, const TraceQuery *q, guint max_paths);
/* Fetches the transactions the trace needs from the store, hop by hop,
 * within the bounds of q, and runs case_trace_compute. NULL with error. */
TraceResult *case_trace_run(CaseStore *s, const TraceQuery *q, guint max_paths, GError **error);

#endif
