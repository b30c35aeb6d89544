/* window_agg.h: the aggregates of a rule over a range of a window.
 *
 * The window of a rule with a baseline holds two periods, oldest first:
 * the baseline (history before the window) and the window itself. An
 * aggregate is computed over the window's range, or, for baseline(...),
 * over the baseline's range and scaled to the window's length (count and
 * sum; the others are not scaled). Allocates nothing: scratch space comes
 * from the caller. */
#ifndef MT_WINDOW_AGG_H
#define MT_WINDOW_AGG_H

#include "rule.h"
#include "window.h"

/* Scratch doubles the caller provides: 4 per window entry. */
#define WINDOW_AGG_SCRATCH (4 * LIMIT_WINDOW_ENTRIES)

typedef struct {
    const Window *w;
    guint lo, hi;           /* the window: entries [lo, hi) */
    guint base_lo, base_hi; /* the baseline: entries [base_lo, base_hi) */
    double base_scale;      /* window length / baseline length */
    guint32 account;
    const TxnCore *now;     /* the transaction being evaluated */
    const RuleSet *rs;
    const Kyc *kyc;
    double *scratch;        /* WINDOW_AGG_SCRATCH doubles */
} AggCtx;

/* Sets the ranges of c for a window whose newest entry is at now: entries
 * newer than now - window form the window, older ones the baseline. */
void window_agg_ranges(AggCtx *c, const Window *w, gint64 now, gint64 window, gint64 baseline);
/* The value of one aggregate. */
double window_agg(const RuleAgg *g, const AggCtx *c);

#endif
