/* The recent transaction graph's walks: newest first, ending at the first
 * edge at or before their time, and narrowed to the edges one search
 * wants without reading the others. */
#include <criterion/criterion.h>

#include "engine/graph.h"

/* Account 1 pays 2, 3, 2, 4 and 2 at times 10, 20, 30, 40, 50; the payments
 * to 2 passed rule 0's filter (bit 1), the others rule 1's (bit 2), and the
 * one at 30 both. */
static Graph *five_payments(TxnCore *rec)
{
    Graph *g = graph_new(1000);
    const guint32 to[] = {2, 3, 2, 4, 2};
    const guint32 rules[] = {1, 2, 3, 2, 1};
    for (guint i = 0; i < 5; i++) {
        rec[i] = (TxnCore){.ts = 10 * (gint64)(i + 1), .from = 1, .to = to[i], .amount = i};
        graph_add(g, &rec[i], rules[i]);
    }
    return g;
}

Test(graph, a_walk_is_newest_first_and_ends_at_its_time)
{
    TxnCore rec[5];
    Graph *g = five_payments(rec);
    GraphIter it;
    graph_iter(g, 1, TRUE, 20, &it);
    const GraphEdge *e;
    gint64 seen[5];
    guint n = 0;
    while ((e = graph_next(&it, NULL)))
        seen[n++] = e->core.ts;
    cr_assert_eq(n, 3);
    cr_expect_eq(seen[0], 50);
    cr_expect_eq(seen[1], 40);
    cr_expect_eq(seen[2], 30);
    graph_free(g);
}

/* Only the payments to 2 that passed rule 0: those at 50 and 30, with the
 * one at 40 passed over (to 4) and the one at 10 beyond the walk's time;
 * the one at 20 (to 3) is never reached. */
Test(graph, a_narrowed_walk_passes_over_the_other_edges_and_counts_them)
{
    TxnCore rec[5];
    Graph *g = five_payments(rec);
    GraphIter it;
    graph_iter(g, 1, TRUE, 10, &it);
    graph_iter_only(&it, 2, 1);
    const GraphEdge *e = graph_next(&it, NULL);
    cr_assert_not_null(e);
    cr_expect_eq(e->core.ts, 50);
    cr_expect_eq(it.at_peer, 2);
    cr_expect_eq(it.skipped, 0);
    e = graph_next(&it, NULL);
    cr_assert_not_null(e);
    cr_expect_eq(e->core.ts, 30);
    cr_expect_eq(e->rules, 3);
    cr_expect_eq(it.skipped, 1, "the payment to 4 at 40");
    cr_expect_null(graph_next(&it, NULL));
    cr_expect_eq(it.skipped, 2, "and the one to 3 at 20, before the edge at 10 ends the walk");
    /* rule 1's edges to anyone: 40, 30, 20 */
    graph_iter(g, 1, TRUE, 0, &it);
    graph_iter_only(&it, 0, 2);
    guint n = 0;
    while (graph_next(&it, NULL))
        n++;
    cr_expect_eq(n, 3);
    cr_expect_eq(it.skipped, 2);
    graph_free(g);
}

/* A hub keeps every edge of the span: 1000 payments to account 1 within
 * it are all walked, none dropped, and the index is counted as a hub (it
 * grew past LIMIT_GRAPH_DEGREE) with 1000 entries at most. */
Test(graph, a_hub_keeps_every_edge_of_the_span)
{
    G_STATIC_ASSERT(LIMIT_GRAPH_DEGREE < 1000);
    static TxnCore rec[1000];
    Graph *g = graph_new(100000);
    for (guint i = 0; i < 1000; i++) {
        rec[i] = (TxnCore){.ts = i, .from = 2 + i, .to = 1, .amount = 1};
        graph_add(g, &rec[i], 1);
    }
    GraphIter it;
    graph_iter(g, 1, FALSE, -1, &it);
    guint n = 0;
    while (graph_next(&it, NULL))
        n++;
    cr_expect_eq(n, 1000);
    GraphStats st;
    graph_stats(g, &st);
    cr_expect_eq(st.dropped_live, 0);
    cr_expect_eq(st.hubs, 1);
    cr_expect_eq(st.max_degree, 1000);
    graph_free(g);
}

/* Edges leave when they are older than the span, not at a count: 5000
 * payments a second apart with a span of 100 s keep the last 100 (those
 * newer than the newest's time minus 100), and the first is gone. */
Test(graph, edges_older_than_the_span_leave)
{
    static TxnCore rec[5000];
    Graph *g = graph_new(100);
    guint64 first = 0;
    for (guint i = 0; i < 5000; i++) {
        rec[i] = (TxnCore){.ts = i, .from = 2, .to = 3, .amount = 1};
        guint64 seq = graph_add(g, &rec[i], 1);
        first = i == 0 ? seq : first;
    }
    cr_expect_null(graph_edge(g, first));
    GraphIter it;
    graph_iter(g, 3, FALSE, -1, &it);
    guint n = 0;
    const GraphEdge *e, *last = NULL;
    while ((e = graph_next(&it, NULL)))
        n++, last = e;
    cr_expect_eq(n, 100);
    cr_assert_not_null(last);
    cr_expect_eq(last->core.ts, 4900);
    GraphStats st;
    graph_stats(g, &st);
    cr_expect_eq(st.peak_edges, 100);
    cr_expect_eq(st.dropped_live, 0);
    graph_free(g);
}

/* Running inflow sums: account 9 receives amounts 1, 2, 4, ..., 512 at
 * times 10, 20, ..., 100 (ten edges, each amount twice the one before, so
 * every sum names its edges); those at even tens passed rule bit 1, the
 * others bit 2 only. Summing bit 1 counts 2 + 8 + 32 + 128 + 512. The span
 * is 60, so once the edge at 100 is in, those at 40 and before have left
 * the graph and no longer count. */
Test(graph, inflow_sums_count_the_summed_rule_between_two_times)
{
    static TxnCore rec[10];
    Graph *g = graph_new(60);
    graph_sum_inflow(g, 1);
    cr_expect_eq(graph_summed(g), 1);
    for (guint i = 0; i < 10; i++) {
        rec[i] = (TxnCore){.ts = 10 * (gint64)(i + 1), .from = i + 20, .to = 9, .amount = 1 << i};
        graph_add(g, &rec[i], i % 2 ? 1 : 2);
        if (i == 5) {
            /* all six are in: bit 1 at 20, 40, 60 */
            cr_expect_eq(graph_inflow(g, 9, 0, 70), 2 + 8 + 32);
            cr_expect_eq(graph_inflow(g, 9, 20, 60), 8, "after 20, before 60: the one at 40");
            cr_expect_eq(graph_inflow(g, 9, 19, 61), 2 + 8 + 32);
        }
    }
    cr_expect_eq(graph_inflow(g, 9, 0, 1000), 32 + 128 + 512, "the edges at 50 and later");
    cr_expect_eq(graph_inflow(g, 9, 60, 100), 128, "the one at 80");
    cr_expect_eq(graph_inflow(g, 9, 100, 1000), 0);
    cr_expect_eq(graph_inflow(g, 8, 0, 1000), 0, "an account that received nothing");
    cr_expect_eq(graph_inflow(g, 20, 0, 1000), 0, "a sender only");
    graph_free(g);
}
