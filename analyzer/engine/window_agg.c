/* window_agg.c: aggregates over window ranges (see window_agg.h).
 *
 * Two ways to a value: recomputed over the entries when asked, or kept in
 * step with the window as entries enter and leave it (running totals of
 * count and sum(amount), multisets of distinct values); both give the same
 * number, the second in constant time. Sums, minimums and maximums of
 * amounts are exact: int64 minor units, converted to a double once and
 * also given as they are (window_agg_exact), so that thresholds and alerts
 * see the exact amount; averages, percentiles, deviations and scaled
 * baselines are doubles. Sequence
 * aggregates (forwarded, swept) match each outflow against the earliest
 * inflows not yet matched that are at most k seconds older (first in,
 * first out), so "share of the inflow passed on within 48 h" is a number a
 * person can recompute from the evidence. */
#include "engine/window_agg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "read/kyc.h"
#include "base/money.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void window_agg_ranges(AggCtx *c, const Window *w, gint64 now, gint64 window, gint64 baseline,
                       gint64 since)
{
    /* the baseline part is the entries window_agg_expire moved into it:
     * those up to now - window, in the order they came */
    guint split = baseline > 0 ? MIN(w->split, w->len) : 0;
    c->w = w;
    c->base_lo = 0;
    c->base_hi = split;
    c->lo = split;
    c->hi = w->len;
    /* the part of the baseline period the data cover (after since; an
     * account's quiet days are covered), but never less than a window:
     * no usual window is made up from a few days of data */
    gint64 covered = CLAMP(now - window - since, MIN(window, baseline), baseline);
    c->base_scale = baseline > 0 ? (double)window / (double)covered : 1;
}

static gboolean is_absent(FieldId f, double v)
{
    return v == 0 || (f == FIELD_MCC && v == TXN_MCC_NONE);
}

/* Does entry i pass the aggregate's condition (precomputed when possible)? */
static gboolean passes(const RuleAgg *g, const AggCtx *c, guint i, RuleEval *ev)
{
    const WinEntry *en = window_at(c->w, i);
    if (g->flag >= 0)
        return (win_flags(en) >> g->flag) & 1;
    ev->txn = en->core;
    const RuleProgram *p = g->kind == AGG_COUNT ? &g->arg : &g->cond;
    return !p->n || rule_vm_run(p, ev) != 0;
}

/* Distinct present values of a field over [lo, hi) into out (unordered);
 * returns n. Deduplicated with a small open-addressing set in the scratch
 * space after out, so the cost is linear in the entries. */
static guint collect(const RuleAgg *g, const AggCtx *c, guint lo, guint hi, double *out)
{
    RuleEval ev = {.account = c->account, .rs = c->rs, .kyc = c->kyc};
    guint64 *set =
        (guint64 *)(c->scratch + 4 * LIMIT_WINDOW_ENTRIES); /* kept all-zero between calls */
    const guint mask = 2 * LIMIT_WINDOW_ENTRIES - 1;
    guint n = 0;
    for (guint i = lo; i < hi; i++) {
        ev.txn = window_at(c->w, i)->core;
        if (g->cond.n && !passes(g, c, i, &ev))
            continue;
        double v = rule_vm_field(g->field, ev.txn, c->account, c->kyc);
        if (is_absent(g->field, v))
            continue;
        guint64 key;
        memcpy(&key, &v, sizeof key);
        guint h = (guint)((key * 0x9E3779B97F4A7C15ULL) >> 40) & mask;
        while (set[h] != 0 && set[h] != key + 1) /* 0 marks an empty slot */
            h = (h + 1) & mask;
        if (set[h] == 0) {
            set[h] = key + 1;
            out[n++] = v;
        }
    }
    for (guint i = 0; i < n; i++) { /* clear only the slots used */
        guint64 key;
        memcpy(&key, &out[i], sizeof key);
        guint h = (guint)((key * 0x9E3779B97F4A7C15ULL) >> 40) & mask;
        while (set[h] != key + 1)
            h = (h + 1) & mask;
        set[h] = 0;
    }
    return n;
}

/* most(field) over [lo, hi): the entries (passing the "where") of the
 * commonest present value, e.g. most(day), the entries of the busiest
 * local day: the values sorted in the scratch, the longest run counted. */
static double agg_most(const RuleAgg *g, const AggCtx *c, guint lo, guint hi)
{
    RuleEval ev = {.account = c->account, .rs = c->rs, .kyc = c->kyc};
    double *v = c->scratch;
    guint n = 0;
    for (guint i = lo; i < hi; i++) {
        ev.txn = window_at(c->w, i)->core;
        if (g->cond.n && !passes(g, c, i, &ev))
            continue;
        double x = rule_vm_field(g->field, ev.txn, c->account, c->kyc);
        if (!is_absent(g->field, x))
            v[n++] = x;
    }
    qsort(v, n, sizeof *v, cmp_double);
    guint best = 0;
    for (guint i = 0, run = 0; i < n; i++) {
        run = i > 0 && v[i] == v[i - 1] ? run + 1 : 1;
        best = MAX(best, run);
    }
    return best;
}

/* sequence(A, M1, ..., B, k) over [lo, hi): the entries passing B that
 * end a chain A, M1, ..., B of entries in window order (older, or before
 * at the same second), at most k seconds after the chain's A. Oldest
 * first, start[j] is the latest A of a chain that has reached step j: the
 * latest start leaves the most time, so it is all a step needs. An entry
 * is tried against the last step first, so that one passing several
 * steps continues the chains before it, then starts or extends others. */
static double agg_sequence(const RuleAgg *g, const AggCtx *c, guint lo, guint hi)
{
    RuleEval ev = {.account = c->account, .rs = c->rs, .kyc = c->kyc};
    gint64 start[RULE_SEQUENCE_MAX_STEPS];
    guint last = g->n_mid; /* start[last]: chains ready for B */
    for (guint j = 0; j <= last; j++)
        start[j] = G_MININT64;
    guint n = 0;
    for (guint i = lo; i < hi; i++) {
        const WinEntry *e = window_at(c->w, i);
        gint64 ts = win_ts(e);
        if (start[last] != G_MININT64 && (double)(ts - start[last]) <= g->k && passes(g, c, i, &ev))
            n++;
        ev.txn = e->core;
        for (guint j = last; j > 0; j--)
            if (start[j - 1] > start[j] && rule_vm_run(&g->mid[j - 1], &ev) != 0)
                start[j] = start[j - 1];
        if (rule_vm_run(&g->arg, &ev) != 0)
            start[0] = ts;
    }
    return n;
}

static double agg_new(const RuleAgg *g, const AggCtx *c)
{
    double *base = c->scratch + 3 * LIMIT_WINDOW_ENTRIES, *cur = c->scratch;
    guint nb = collect(g, c, c->base_lo, c->base_hi, cur);
    memcpy(base, cur, nb * sizeof(double));
    qsort(base, nb, sizeof(double), cmp_double);
    guint nc = collect(g, c, c->lo, c->hi, cur);
    guint fresh = 0;
    for (guint i = 0; i < nc; i++)
        fresh += bsearch(&cur[i], base, nb, sizeof(double), cmp_double) == NULL;
    return fresh;
}

/* TRUE if the program is just "amount": summed exactly in minor units. */
static gboolean is_plain_amount(const RuleProgram *p)
{
    return p->n == 2 && p->steps[0].op == OP_FIELD && p->steps[0].a == FIELD_AMOUNT;
}

/* sum(amount) over [lo, hi) when the window mixes currency exponents: each
 * amount brought to the exponent of the transaction being evaluated, summed
 * in 128 bits; *exact is the sum when it fits int64 and no digit was cut. */
static double sum_amount(const AggCtx *c, guint lo, guint hi, gint64 *exact)
{
    int exp = c->now->currency_exp;
    __int128 sum = 0;
    gboolean cut = FALSE;
    for (guint i = lo; i < hi; i++) {
        const TxnCore *t = window_at(c->w, i)->core;
        __int128 v = t->amount;
        if (t->currency_exp < exp)
            v *= money_pow10(exp - t->currency_exp);
        else if (t->currency_exp > exp) {
            cut |= v % money_pow10(t->currency_exp - exp) != 0;
            v /= money_pow10(t->currency_exp - exp);
        }
        sum += v; /* 4096 amounts below 2^63 * 10^10: no overflow */
    }
    if (!cut && sum >= -G_MAXINT64 && sum <= G_MAXINT64)
        *exact = (gint64)sum;
    return (double)sum / money_scale(exp);
}

/* sum, avg, min or max of the amounts in [lo, hi) that pass the aggregate's
 * "where" (or all), when the window holds one currency exponent: read from
 * the entries themselves, no record touched when the "where" is a flag;
 * sums exact in minor units (cannot overflow, see the assertion below), an
 * average a double. */
static double fold_amounts(const RuleAgg *g, const AggCtx *c, guint lo, guint hi, gint64 *exact)
{
    RuleEval ev = {.account = c->account, .rs = c->rs, .kyc = c->kyc};
    gint64 sum = 0, least = G_MAXINT64, most = G_MININT64;
    guint n = 0;
    for (guint i = lo; i < hi; i++) {
        const WinEntry *en = window_at(c->w, i);
        if (g->cond.n && !passes(g, c, i, &ev))
            continue;
        n++;
        sum += en->amount;
        least = MIN(least, en->amount);
        most = MAX(most, en->amount);
    }
    double scale = money_scale(c->w->run_exp);
    switch (g->kind) {
    case AGG_SUM:
        *exact = sum;
        return (double)sum / scale;
    case AGG_AVG:
        return n ? (double)sum / scale / n : 0;
    case AGG_MIN:
        *exact = n ? least : 0;
        return n ? (double)least / scale : 0;
    default:
        *exact = n ? most : 0;
        return n ? (double)most / scale : 0;
    }
}

/* count, sum, avg, min, max over [lo, hi); *exact as window_agg_exact */
static double fold(const RuleAgg *g, const AggCtx *c, guint lo, guint hi, gint64 *exact)
{
    if (g->kind == AGG_COUNT && g->arg.n == 0)
        return hi - lo;
    if (g->kind != AGG_COUNT && is_plain_amount(&g->arg) && c->w->run_exp >= 0)
        return fold_amounts(g, c, lo, hi, exact);
    if ((g->kind == AGG_SUM || g->kind == AGG_AVG) && is_plain_amount(&g->arg) && !g->cond.n) {
        gint64 sum = MONEY_INEXACT;
        double s = sum_amount(c, lo, hi, &sum);
        if (g->kind == AGG_SUM)
            *exact = sum;
        return g->kind == AGG_SUM ? s : s / MAX(hi - lo, 1);
    }
    RuleEval ev = {.account = c->account, .rs = c->rs, .kyc = c->kyc};
    double acc = g->kind == AGG_MIN ? INFINITY : g->kind == AGG_MAX ? -INFINITY : 0;
    guint n = 0;
    for (guint i = lo; i < hi; i++) {
        if (g->kind == AGG_COUNT) { /* count(cond): the condition is the flag */
            acc += passes(g, c, i, &ev);
            n++;
            continue;
        }
        if (g->cond.n && !passes(g, c, i, &ev))
            continue;
        ev.txn = window_at(c->w, i)->core;
        n++;
        double v = rule_vm_run(&g->arg, &ev);
        if (g->kind == AGG_COUNT)
            acc += v != 0;
        else if (g->kind == AGG_MIN)
            acc = MIN(acc, v);
        else if (g->kind == AGG_MAX)
            acc = MAX(acc, v);
        else
            acc += v;
    }
    if (g->kind == AGG_AVG)
        acc /= MAX(n, 1);
    return n || g->kind == AGG_COUNT || g->kind == AGG_SUM ? acc : 0;
}

/* median, percentile(x, p), stddev over [lo, hi): the values of the
 * entries passing the "where" gathered in the scratch (a window holds at
 * most LIMIT_WINDOW_ENTRIES, so every value fits and the result is
 * exact). A percentile interpolates between the two nearest ranks
 * (h = (n - 1) p / 100); stddev is the population's, from the mean in a
 * second pass. 0 over no entries. */
static double order_stat(const RuleAgg *g, const AggCtx *c, guint lo, guint hi)
{
    RuleEval ev = {.account = c->account, .rs = c->rs, .kyc = c->kyc};
    double *v = c->scratch;
    guint n = 0;
    for (guint i = lo; i < hi; i++) {
        if (g->cond.n && !passes(g, c, i, &ev))
            continue;
        ev.txn = window_at(c->w, i)->core;
        v[n++] = rule_vm_run(&g->arg, &ev);
    }
    if (!n)
        return 0;
    if (g->kind == AGG_STDDEV) {
        double mean = 0, ss = 0;
        for (guint i = 0; i < n; i++)
            mean += v[i];
        mean /= n;
        for (guint i = 0; i < n; i++)
            ss += (v[i] - mean) * (v[i] - mean);
        return sqrt(ss / n);
    }
    qsort(v, n, sizeof *v, cmp_double);
    double h = (n - 1) * (g->kind == AGG_MEDIAN ? 50 : g->k) / 100;
    guint at = (guint)h;
    return at + 1 < n ? v[at] + (h - at) * (v[at + 1] - v[at]) : v[at];
}

/* Adds m to the matched amount of counterparty cp; returns its new total. */
static double credit(double *cps, double *amts, guint *n, double cp, double m)
{
    for (guint i = 0; i < *n; i++) {
        if (cps[i] == cp)
            return amts[i] += m;
    }
    cps[*n] = cp;
    amts[*n] = m;
    return amts[(*n)++];
}

static double agg_forward(const RuleAgg *g, const AggCtx *c)
{
    double *q_ts = c->scratch, *q_left = c->scratch + LIMIT_WINDOW_ENTRIES;
    double *cps = c->scratch + 2 * LIMIT_WINDOW_ENTRIES,
           *amts = c->scratch + 3 * LIMIT_WINDOW_ENTRIES;
    guint head = 0, tail = 0, ncp = 0;
    double in = 0, matched = 0, best = 0;
    for (guint i = c->lo; i < c->hi; i++) {
        const WinEntry *t = window_at(c->w, i);
        double amount = (double)t->amount;
        if (t->core->to == c->account) { /* the record: walks are rare */
            q_ts[tail] = (double)win_ts(t);
            q_left[tail++] = amount;
            in += amount;
            continue;
        }
        while (head < tail && q_ts[head] < (double)win_ts(t) - g->k)
            head++;
        for (double left = amount; left > 0 && head < tail;) {
            double m = MIN(left, q_left[head]);
            left -= m;
            matched += m;
            double to_cp = credit(cps, amts, &ncp, t->core->to, m); /* once: MAX evaluates twice */
            best = MAX(best, to_cp);
            if ((q_left[head] -= m) <= 0)
                head++;
        }
    }
    if (in <= 0)
        return 0;
    return (g->kind == AGG_SWEPT ? best : matched) / in;
}

/* Moves the baseline split to entry i (kept with its timestamp). */
static void split_moved(Window *w, guint i)
{
    w->split = i;
    if (i < w->len)
        w->split_ts = win_ts(window_at(w, i));
}

/* ---- distinct values as a multiset: linear probing, backward-shift deletion ---- */

static guint dset_slot(const DistinctSet *d, guint64 key)
{
    guint h = (guint)((key * 0x9E3779B97F4A7C15ULL) >> 32) & (d->cap - 1);
    while (d->keys[h] && d->keys[h] != key)
        h = (h + 1) & (d->cap - 1);
    return h;
}

static void dset_grow(DistinctSet *d)
{
    DistinctSet old = *d;
    d->cap = old.cap ? old.cap * 2 : 8;
    d->keys = g_new0(guint64, d->cap);
    d->counts = g_new0(guint32, d->cap);
    for (guint i = 0; i < old.cap; i++) {
        if (old.keys[i]) {
            guint h = dset_slot(d, old.keys[i]);
            d->keys[h] = old.keys[i];
            d->counts[h] = old.counts[i];
        }
    }
    g_free(old.keys);
    g_free(old.counts);
}

static void dset_add(DistinctSet *d, guint64 key)
{
    if (2 * (d->used + 1) > d->cap)
        dset_grow(d);
    guint h = dset_slot(d, key);
    if (!d->keys[h]) {
        d->keys[h] = key;
        d->used++;
    }
    d->counts[h]++;
}

static void dset_remove(DistinctSet *d, guint64 key)
{
    guint h = dset_slot(d, key);
    g_assert(d->keys[h] == key && d->counts[h] > 0);
    if (--d->counts[h])
        return;
    d->used--;
    /* backward shift: pull later members of the cluster into the hole */
    guint hole = h, mask = d->cap - 1;
    for (guint j = (h + 1) & mask; d->keys[j]; j = (j + 1) & mask) {
        guint home = (guint)((d->keys[j] * 0x9E3779B97F4A7C15ULL) >> 32) & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            d->keys[hole] = d->keys[j];
            d->counts[hole] = d->counts[j];
            hole = j;
        }
    }
    d->keys[hole] = 0;
    d->counts[hole] = 0;
}

/* The key of an entry's value for a counted distinct aggregate; 0 = none. */
static guint64 dset_key(const RuleAgg *g, const WinEntry *en, const Keep *k)
{
    if (g->flag >= 0 && !((win_flags(en) >> g->flag) & 1))
        return 0;
    double v = rule_vm_field(g->field, en->core, k->account, k->kyc);
    if (is_absent(g->field, v))
        return 0;
    guint64 key;
    memcpy(&key, &v, sizeof key);
    return key + 1;
}

/* Running sums (and fold_amounts' sums) cannot overflow: every amount is
 * at most LIMIT_AMOUNT_MINOR (decode.c rejects larger ones) and a window
 * holds at most LIMIT_WINDOW_ENTRIES of them. */
_Static_assert(LIMIT_AMOUNT_MINOR <= G_MAXINT64 / LIMIT_WINDOW_ENTRIES,
               "window sums of the largest amounts must fit in int64");

/* One tracked aggregate's share of run_add. */
static inline void track_add(const Rule *r, Window *w, const RuleTrack *t, const WinEntry *en,
                             gint64 sign, const Keep *k)
{
    gint64 *run = &w->run[t->slot];
    guint64 key;
    switch ((TrackKind)t->kind) {
    case TRACK_COUNT:
        *run += sign;
        break;
    case TRACK_SUM:
        *run += sign * en->amount;
        break;
    case TRACK_DISTINCT:
        if (w->dsets && (key = dset_key(&g_array_index(r->aggs, RuleAgg, t->agg), en, k)))
            (sign > 0 ? dset_add : dset_remove)(&w->dsets[t->agg], key);
        break;
    }
}

/* Adds (sign +1) or removes (-1) an entry in what is kept over its part
 * (the window's, or the baseline's): running totals and, for the window
 * part, the distinct multisets. */
static void run_add(const Rule *r, Window *w, const WinEntry *en, guint part, gint64 sign,
                    const Keep *k)
{
    const RuleTrack *tr = (const RuleTrack *)(void *)r->plan.tracked->data;
    guint first = part ? r->plan.n_track_any[0] : 0;
    for (guint t = first; t < first + r->plan.n_track_any[part]; t++)
        track_add(r, w, &tr[t], en, sign, k);
    for (guint32 m = win_flags(en) & r->plan.track_flags[part]; m; m &= m - 1) /* its flags only */
        track_add(r, w, &tr[r->plan.track_of_flag[__builtin_ctz(m)]], en, sign, k);
}

/* Drops the oldest entry from the window and from the running totals of its part. */
static void drop_oldest(const Rule *r, Window *w, const Keep *k)
{
    run_add(r, w, window_at(w, 0), w->split ? 1 : 0, -1, k);
    window_drop_head(w);
    if (w->split)
        w->split--;
    else
        split_moved(w, 0);
}

void window_agg_expire(const Rule *r, Window *w, gint64 now, const Keep *k)
{
    if (w->run) {
        while (r->baseline && w->split < w->len && w->split_ts <= now - r->window) {
            run_add(r, w, window_at(w, w->split), 0, -1, k);
            run_add(r, w, window_at(w, w->split), 1, +1, k);
            split_moved(w, w->split + 1);
        }
        while (w->len && w->first_ts <= now - r->window - r->baseline)
            drop_oldest(r, w, k);
        return;
    }
    window_expire(w, now, r->window + r->baseline);
}

/* Small windows are cheaper to recount than to keep a multiset for: the
 * multisets start when a window first holds this many entries. Most
 * conditions fail on a cheaper test before they need the distinct values,
 * so the multiset's two cache misses per entry in and out cost more than
 * the odd recount: 64 took 4-5% off the catalogue's time and 2% of its
 * memory against 8; 256 was slower than either. */
#define DSET_FROM 64

static void dsets_start(const Rule *r, Window *w, const Keep *k)
{
    w->n_dsets = (guint8)MIN(r->aggs->len, G_MAXUINT8);
    w->dsets = g_new0(DistinctSet, w->n_dsets);
    for (guint e = 0; e < w->len; e++) {
        for (guint i = 0; i < r->aggs->len; i++) {
            const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, i);
            guint64 key;
            if (g->counted && (key = dset_key(g, window_at(w, e), k)))
                dset_add(&w->dsets[i], key);
        }
    }
}

gboolean window_agg_push(const Rule *r, Window *w, WindowMem *m, const TxnCore *rec, guint32 flags,
                         const Keep *k)
{
    if (!w->run) {
        w->run = g_new0(gint64, window_agg_run_len(r));
        w->own_run = TRUE;
    }
    gboolean full = w->len && w->len == w->cap && w->cap >= LIMIT_WINDOW_ENTRIES;
    if (full)
        drop_oldest(r, w, k); /* no room: the oldest is dropped, and reported */
    if (w->run_exp == -1)
        w->run_exp = (gint8)rec->currency_exp;
    else if (w->run_exp != rec->currency_exp)
        w->run_exp = -2;
    window_push(w, m, rec, flags);
    if (w->split == w->len - 1)
        w->split_ts = rec->ts;
    /* the totals from a copy: reading the entry back from the ring waits
     * for the store to its line, often a cache miss, to complete */
    WinEntry en = win_entry(rec, flags);
    run_add(r, w, &en, 0, +1, k);
    if (!w->dsets && w->len >= DSET_FROM && r->plan.has_counted)
        dsets_start(r, w, k);
    return !full;
}

/* The running total of r's count or sum aggregate i (RuleAgg.running) over
 * its part of w, unscaled (a baseline's is its whole period's), or NAN when
 * it cannot be used (mixed currencies); a sum's minor units into *exact. */
static double running_total(const Rule *r, const Window *w, guint i, gint64 *exact)
{
    const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, i);
    gint64 v = w->run[g->run_slot];
    if (g->kind == AGG_COUNT)
        return (double)v;
    if (w->run_exp < 0)
        return w->run_exp == -1 ? 0 : NAN;
    *exact = v;
    return (double)v / money_scale(w->run_exp);
}

/* Seconds from entry lo to entry hi - 1 of w, 0 when empty. */
static double span_of(const Window *w, guint lo, guint hi)
{
    return hi > lo ? (double)(win_ts(window_at(w, hi - 1)) - win_ts(window_at(w, lo))) : 0;
}

double window_agg_kept(const Rule *r, const Window *w, guint i, gint64 *exact)
{
    const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, i);
    *exact = MONEY_INEXACT;
    if (g->kind != AGG_SPAN)
        return running_total(r, w, i, exact);
    guint split = r->baseline > 0 ? MIN(w->split, w->len) : 0; /* as window_agg_ranges */
    return g->baseline ? span_of(w, 0, split) : span_of(w, split, w->len);
}

/* A baseline's count and sum are scaled: a double, never exact. */
static double unscaled_only(const RuleAgg *g, double v, gint64 *exact)
{
    if (g->baseline)
        *exact = MONEY_INEXACT;
    return v;
}

double window_agg(const RuleAgg *g, const AggCtx *c)
{
    gint64 exact;
    return window_agg_exact(g, c, &exact);
}

double window_agg_exact(const RuleAgg *g, const AggCtx *c, gint64 *exact)
{
    *exact = MONEY_INEXACT;
    if (g->counted && c->w->dsets && c->rule && c->lo == 0 && c->hi == c->w->len)
        return c->w->dsets[g - &g_array_index(c->rule->aggs, RuleAgg, 0)].used;
    if (g->running && c->w->run && c->rule && c->lo == c->w->split) {
        double v = running_total(c->rule, c->w,
                                 (guint)(g - &g_array_index(c->rule->aggs, RuleAgg, 0)), exact);
        if (!isnan(v))
            return unscaled_only(g, g->baseline ? v * c->base_scale : v, exact);
    }
    guint lo = g->baseline ? c->base_lo : c->lo, hi = g->baseline ? c->base_hi : c->hi;
    double scale = g->baseline && (g->kind == AGG_COUNT || g->kind == AGG_SUM) ? c->base_scale : 1;
    switch (g->kind) {
    case AGG_SPAN:
        return span_of(c->w, lo, hi);
    case AGG_DISTINCT:
        return collect(g, c, lo, hi, c->scratch);
    case AGG_MOST:
        return agg_most(g, c, lo, hi);
    case AGG_SEQUENCE:
        return agg_sequence(g, c, lo, hi);
    case AGG_NEW:
        return agg_new(g, c);
    case AGG_FORWARDED:
    case AGG_SWEPT:
        return agg_forward(g, c);
    case AGG_MEDIAN:
    case AGG_PERCENTILE:
    case AGG_STDDEV:
        return order_stat(g, c, lo, hi);
    default:
        return unscaled_only(g, fold(g, c, lo, hi, exact) * scale, exact);
    }
}
