/* The graph's per-account walks: newest first, the edges of the asked
 * rules only, the end at the first edge too old, and the work budget
 * charged for the edges of other rules that a walk passes over. */
#include <criterion/criterion.h>

#include "graph.h"

static Graph *g;

static void setup(void)
{
    g = graph_new(1000);
}

static void teardown(void)
{
    graph_free(g);
}

TestSuite(graph, .init = setup, .fini = teardown);

/* Edges 1 -> 2 at ts 10, 20, ..., 60; rule bit 1 on the even tens (20,
 * 40, 60), bit 2 on the others. The records live as long as the graph. */
static TxnCore recs[6];

static void six_edges(void)
{
    for (int i = 0; i < 6; i++) {
        recs[i] = (TxnCore){.ts = 10 * (i + 1), .from = 1, .to = 2, .amount = i};
        graph_add(g, &recs[i], (i + 1) % 2 == 0 ? 1u : 2u);
    }
}

Test(graph, a_walk_gives_the_edges_of_its_rules_newest_first)
{
    six_edges();
    GraphIter it;
    graph_iter(g, 1, TRUE, 0, 1u, &it);
    const GraphEdge *e;
    gint64 seen[6];
    int n = 0;
    while ((e = graph_next(&it, NULL)))
        seen[n++] = e->core.ts;
    cr_assert_eq(n, 3);
    cr_assert_eq(seen[0], 60);
    cr_assert_eq(seen[1], 40);
    cr_assert_eq(seen[2], 20);
    graph_iter(g, 2, FALSE, 0, 1u | 2u, &it); /* in-edges of 2, both rules */
    n = 0;
    while (graph_next(&it, NULL))
        n++;
    cr_assert_eq(n, 6);
}

Test(graph, a_walk_ends_at_the_first_edge_at_or_before_after)
{
    six_edges();
    GraphIter it;
    graph_iter(g, 1, TRUE, 30, 1u | 2u, &it); /* 60, 50, 40; 30 is not after 30 */
    int n = 0;
    while (graph_next(&it, NULL))
        n++;
    cr_assert_eq(n, 3);
}

Test(graph, edges_of_other_rules_count_as_work_and_the_budget_ends_the_walk)
{
    six_edges();
    guint64 work = 0;
    gboolean exhausted = FALSE;
    GraphIter it;
    graph_iter(g, 1, TRUE, 0, 2u, &it); /* 50, 30, 10 are rule 2's */
    it.work = &work;
    it.work_limit = 100;
    it.exhausted = &exhausted;
    int n = 0;
    while (graph_next(&it, NULL))
        n++;
    cr_assert_eq(n, 3);
    cr_assert_eq(work, 3, "60, 40 and 20 passed over"); /* the caller counts what it gets */
    cr_assert_not(exhausted);

    work = 0; /* 60 is passed over (1), 50 returned, 40 passed over (2 > 1) */
    graph_iter(g, 1, TRUE, 0, 2u, &it);
    it.work = &work;
    it.work_limit = 1;
    it.exhausted = &exhausted;
    const GraphEdge *e = graph_next(&it, NULL);
    cr_assert(e && e->core.ts == 50);
    cr_assert_null(graph_next(&it, NULL));
    cr_assert(exhausted);
    cr_assert_eq(work, 2);
    cr_assert_null(graph_next(&it, NULL), "an ended walk stays ended");
}
