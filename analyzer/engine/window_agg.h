/* window_agg.h: the aggregates of a rule over a range of a window.
 *
 * The window of a rule with a baseline holds two periods, oldest first:
 * the baseline (history before the window) and the window itself. An
 * aggregate is computed over the window's range, or, for baseline(...),
 * over the baseline's range and scaled to the window's length (count and
 * sum; the others are not scaled) from the part of the baseline period
 * the data cover. Computing a value allocates nothing:
 * scratch space comes from the caller; keeping a window's running totals
 * and multisets allocates as the window grows. */
#ifndef MT_WINDOW_AGG_H
#define MT_WINDOW_AGG_H

#include "rule/rule.h"
#include "engine/window.h"

/* Scratch doubles the caller provides, zeroed once: 6 per window entry.
 * The first four are working space; the last two hold the hash set that
 * distinct() uses, which it leaves empty again after each use. */
#define WINDOW_AGG_SCRATCH (6 * LIMIT_WINDOW_ENTRIES)

typedef struct {
    const Window *w;
    guint lo, hi;           /* the window: entries [lo, hi) */
    guint base_lo, base_hi; /* the baseline: entries [base_lo, base_hi) */
    double base_scale;      /* window length / baseline length */
    guint32 account;
    const TxnCore *now; /* the transaction being evaluated */
    const RuleSet *rs;
    const Kyc *kyc;
    const Rule *rule; /* the rule whose window this is (running totals), or NULL */
    double *scratch;  /* WINDOW_AGG_SCRATCH doubles */
} AggCtx;

/* Sets the ranges of c for a window whose newest entry is at now, after
 * window_agg_expire at now: the entries it moved into the baseline part
 * (those up to now - window) form the baseline, the others the window. The
 * data begin at since: a baseline is scaled by the part of its period
 * after since, not by its whole length. */
void window_agg_ranges(AggCtx *c, const Window *w, gint64 now, gint64 window, gint64 baseline,
                       gint64 since);
/* The value of one aggregate. */
double window_agg(const RuleAgg *g, const AggCtx *c);
/* The same, and in *exact the value in minor units of the evaluated
 * transaction's currency (c->now) for a sum, min or max of amounts
 * (unscaled), else MONEY_INEXACT. The double is the exact value rounded;
 * past 2^53 minor units it is not the amount to show or compare. */
double window_agg_exact(const RuleAgg *g, const AggCtx *c, gint64 *exact);

/* Whose window it is, for the values kept as it moves (distinct values of
 * fields such as counterparty depend on the account). */
typedef struct {
    guint32 account;
    const Kyc *kyc;
} Keep;

/* The number of running totals of a rule's window (Window.run): one per
 * running aggregate (RuleAgg.run_slot), over the part it is read from. */
static inline guint window_agg_run_len(const Rule *r)
{
    return MAX(r->plan.n_run, 1);
}

/* The value of r's aggregate i over w after window_agg_expire, read from
 * what the window keeps without a walk of its entries, as window_agg would
 * compute it: a running total of the window part (unscaled; NAN for a sum
 * of mixed currencies) or a span, of the window or of its baseline
 * (RulePlan.leads are on these); a sum's minor units (in w->run_exp) into
 * *exact, else MONEY_INEXACT. */
double window_agg_kept(const Rule *r, const Window *w, guint i, gint64 *exact);

/* Window upkeep that keeps the running totals of a rule's count and
 * sum(amount) aggregates (RuleAgg.running) in step, so that they cost O(1)
 * per transaction whatever the window's size: */
/* moves entries older than now - window into the baseline part, then drops
 * those older than now - window - baseline; */
void window_agg_expire(const Rule *r, Window *w, gint64 now, const Keep *k);
/* appends an entry for a transaction record (window.h; flags: its
 * aggregates' conditions), growing the ring from m; returns FALSE when the
 * window was full and its oldest entry was dropped. */
gboolean window_agg_push(const Rule *r, Window *w, WindowMem *m, const TxnCore *rec, guint32 flags,
                         const Keep *k);

#endif
