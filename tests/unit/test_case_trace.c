/* Tests of case_trace.c: proportional, time-respecting tracing, checked
 * against shares computed by hand (the computation is in each comment). */
#include <criterion/criterion.h>
#include <string.h>

#include "case/case_trace.h"

#define DAY 86400

static void add(GPtrArray *g, const char *id, gint64 ts, const char *from, const char *to,
                gint64 euros)
{
    CaseTx *t = g_new0(CaseTx, 1);
    t->tx_id = g_strdup(id);
    t->ts = ts;
    t->from = g_strdup(from);
    t->to = g_strdup(to);
    t->amount = euros * 100;
    strcpy(t->currency, "EUR");
    t->exp = 2;
    t->channel = CHANNEL_TRANSFER;
    t->location = g_strdup("");
    t->memo = g_strdup("");
    g_ptr_array_add(g, t);
}

static const TraceReach *reach(const TraceResult *r, const char *acc)
{
    for (guint i = 0; i < r->reached->len; i++) {
        const TraceReach *x = g_ptr_array_index(r->reached, i);
        if (strcmp(x->account, acc) == 0)
            return x;
    }
    return NULL;
}

/* The graph of tests/e2e/data/case/trace.csv (days from 2024-01-01):
 *   k00 X->A 2000 d0    k01 B->G 100 d0.5   k02 A->B 1000 d1   k03 Z->B 1000 d1.5
 *   k04 B->C 600 d2     k05 B->D 600 d3     k06 C->E 300 d4    k07 D->F 1000 d12 */
static GPtrArray *graph(void)
{
    GPtrArray *g = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    add(g, "k00", 0, "X", "A", 2000);
    add(g, "k01", DAY / 2, "B", "G", 100);
    add(g, "k02", DAY, "A", "B", 1000);
    add(g, "k03", DAY + DAY / 2, "Z", "B", 1000);
    add(g, "k04", 2 * DAY, "B", "C", 600);
    add(g, "k05", 3 * DAY, "B", "D", 600);
    add(g, "k06", 4 * DAY, "C", "E", 300);
    add(g, "k07", 12 * DAY, "D", "F", 1000);
    return g;
}

/* Out of A within 7 days, 3 hops. Seed k02 carries 1000 to B.
 * B sends k04 600 and k05 600 within 7 days after d1: S = 1200 > X = 1000,
 * so all moves on: C 1000*600/1200 = 500, D 500 (k01 was before: ignored).
 * C sends k06 300 within 7 days after d2: S = 300 < X = 600, so
 * 500*300/600 = 250 goes to E and 250 stays at C.
 * D's only send k07 is 9 days after k05: outside the window, 500 stays.
 * Stayed: B 0 + C 250 + D 500 + E 250 = 1000, the origin. */
Test(case_trace, forward_shares_by_hand)
{
    g_autoptr(GPtrArray) g = graph();
    TraceQuery q = {"A", G_MININT64 / 2, G_MAXINT64 / 2, 7 * DAY, 3, FALSE};
    g_autoptr(TraceResult) r = case_trace_compute(g, &q, 10);
    cr_assert_float_eq(r->origin, 100000, 1e-6);
    cr_expect_eq(r->n_seeds, 1);
    cr_expect_eq(r->reached->len, 4);
    cr_expect_float_eq(reach(r, "B")->arrived, 100000, 1e-6);
    cr_expect_float_eq(reach(r, "B")->stayed, 0, 1e-6);
    cr_expect_float_eq(reach(r, "C")->arrived, 50000, 1e-6);
    cr_expect_float_eq(reach(r, "C")->stayed, 25000, 1e-6);
    cr_expect_float_eq(reach(r, "D")->stayed, 50000, 1e-6);
    cr_expect_float_eq(reach(r, "E")->arrived, 25000, 1e-6);
    cr_expect_eq(reach(r, "E")->hop, 3);
    cr_expect_null(reach(r, "G"));
    cr_expect_null(reach(r, "F"));
    const TracePath *top = g_ptr_array_index(r->paths, 0);
    cr_expect_str_eq(top->accounts, "A -> B -> D");
    cr_expect_float_eq(top->stayed, 50000, 1e-6);
}

/* With 2 hops C cannot pass anything on: its 500 stays, E is not reached. */
Test(case_trace, hop_limit_keeps_money_where_it_stops)
{
    g_autoptr(GPtrArray) g = graph();
    TraceQuery q = {"A", G_MININT64 / 2, G_MAXINT64 / 2, 7 * DAY, 2, FALSE};
    g_autoptr(TraceResult) r = case_trace_compute(g, &q, 10);
    cr_expect_float_eq(reach(r, "C")->stayed, 50000, 1e-6);
    cr_expect_null(reach(r, "E"));
}

/* Into E, 4 hops back. Seed k06 300. C received k04 600 in the 7 days
 * before d4: S = 600 >= X = 300, so k04 carries 300*600/600 = 300.
 * B received k02 1000 and k03 1000 in the 7 days before d2: S = 2000,
 * X = 600: each carries 300*1000/2000 = 150. A received k00 2000 before
 * d1: S = 2000 > X = 1000: k00 carries 150. X and Z received nothing:
 * 150 started at each; 150 + 150 = 300. */
Test(case_trace, backward_shares_by_hand)
{
    g_autoptr(GPtrArray) g = graph();
    TraceQuery q = {"E", G_MININT64 / 2, G_MAXINT64 / 2, 7 * DAY, 4, TRUE};
    g_autoptr(TraceResult) r = case_trace_compute(g, &q, 10);
    cr_assert_float_eq(r->origin, 30000, 1e-6);
    cr_expect_float_eq(reach(r, "C")->arrived, 30000, 1e-6);
    cr_expect_float_eq(reach(r, "B")->arrived, 30000, 1e-6);
    cr_expect_float_eq(reach(r, "A")->arrived, 15000, 1e-6);
    cr_expect_float_eq(reach(r, "Z")->stayed, 15000, 1e-6);
    cr_expect_float_eq(reach(r, "X")->stayed, 15000, 1e-6);
    cr_expect_float_eq(reach(r, "A")->stayed, 0, 1e-6);
}

/* A pays B 100 twice (d0, d1), B pays C 100 once (d2). Each arrival alone
 * would pass all of its 100 into that one payment (S = X = 100), 200 in
 * all; the payment carries at most its amount: both shares are halved,
 * 100 reaches C and the other 100 stays at B. */
Test(case_trace, a_payment_carries_at_most_its_amount)
{
    g_autoptr(GPtrArray) g = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    add(g, "p1", 0, "A", "B", 100);
    add(g, "p2", DAY, "A", "B", 100);
    add(g, "p3", 2 * DAY, "B", "C", 100);
    TraceQuery q = {"A", G_MININT64 / 2, G_MAXINT64 / 2, 7 * DAY, 3, FALSE};
    g_autoptr(TraceResult) r = case_trace_compute(g, &q, 10);
    cr_expect_float_eq(r->origin, 20000, 1e-6);
    cr_expect_eq(r->capped, 1);
    cr_expect_float_eq(reach(r, "B")->stayed, 10000, 1e-6);
    cr_expect_float_eq(reach(r, "C")->arrived, 10000, 1e-6);
}

/* The window is t < ts <= t + within: a payment exactly 7 days after the
 * arrival counts, one a second later does not. A->B 100; B->C 50 at 7d;
 * B->D 50 at 7d+1s: S = 50 < X = 100: C gets 50, B keeps 50. */
Test(case_trace, window_bounds)
{
    g_autoptr(GPtrArray) g = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    add(g, "w1", 0, "A", "B", 100);
    add(g, "w2", 7 * DAY, "B", "C", 50);
    add(g, "w3", 7 * DAY + 1, "B", "D", 50);
    TraceQuery q = {"A", G_MININT64 / 2, G_MAXINT64 / 2, 7 * DAY, 3, FALSE};
    g_autoptr(TraceResult) r = case_trace_compute(g, &q, 10);
    cr_expect_float_eq(reach(r, "C")->arrived, 5000, 1e-6);
    cr_expect_float_eq(reach(r, "B")->stayed, 5000, 1e-6);
    cr_expect_null(reach(r, "D"));
}

/* A pays H 500; H makes CASE_TRACE_MAX_FANOUT + 1 payments of 1 within the
 * next day: H is a hub, nothing is passed on through it, all 500 stays at
 * H, and no customer of H is reached. With one payment fewer it is no hub:
 * S = 1000 > 500, so all moves on, 0.5 to each of 1000 accounts. */
static void fan_out(guint n, TraceResult **out)
{
    g_autoptr(GPtrArray) g = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    add(g, "s", 0, "A", "H", 500);
    for (guint i = 0; i < n; i++) {
        char id[16], to[16];
        g_snprintf(id, sizeof id, "p%04u", i);
        g_snprintf(to, sizeof to, "C%04u", i);
        add(g, id, 60 + i, "H", to, 1);
    }
    TraceQuery q = {"A", G_MININT64 / 2, G_MAXINT64 / 2, DAY, 3, FALSE};
    *out = case_trace_compute(g, &q, 10);
}

Test(case_trace, a_hub_keeps_what_reaches_it)
{
    g_autoptr(TraceResult) hub = NULL;
    fan_out(CASE_TRACE_MAX_FANOUT + 1, &hub);
    cr_expect_eq(hub->hubs, 1);
    cr_expect_eq(hub->reached->len, 1);
    cr_expect_float_eq(reach(hub, "H")->stayed, 50000, 1e-6);
    g_autoptr(TraceResult) busy = NULL;
    fan_out(CASE_TRACE_MAX_FANOUT, &busy);
    cr_expect_eq(busy->hubs, 0);
    cr_expect_eq(busy->reached->len, 1 + CASE_TRACE_MAX_FANOUT);
    cr_expect_float_eq(reach(busy, "H")->stayed, 0, 1e-6);
    cr_expect_float_eq(reach(busy, "C0999")->arrived, 50, 1e-6);
}
