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
