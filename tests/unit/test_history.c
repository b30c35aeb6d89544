/* Tests of history.c: first and last seen, lifetime counts, distinct
 * counterparties, pairs, and growth past the first tables. */
#include <criterion/criterion.h>

#include "engine/history.h"

#define DAY 86400

static void add(History *h, gint64 ts, guint32 from, guint32 to)
{
    TxnCore t = {.ts = ts, .from = from, .to = to, .amount = 100};
    history_add(h, &t, TRUE, TRUE);
}

Test(history, an_account_never_seen_has_nothing)
{
    g_autoptr(History) h = history_new();
    cr_expect_eq(history_account(h, 7)->n, 0);
    cr_expect_eq(history_account(h, 0)->n, 0);
    HistoryPair p = history_pair(h, 1, 2);
    cr_expect_eq(p.n, 0);
}

Test(history, first_and_last_seen_and_counts)
{
    g_autoptr(History) h = history_new();
    add(h, 10 * DAY, 1, 2);
    add(h, 12 * DAY, 3, 2);
    add(h, 40 * DAY, 2, 1);
    add(h, 41 * DAY, 0, 2); /* a cash deposit: no pair */
    const HistoryAccount *b = history_account(h, 2);
    cr_expect_eq(b->n, 4);
    cr_expect_eq(b->first_ts, 10 * DAY);
    cr_expect_eq(b->last_ts, 41 * DAY);
    cr_expect_eq(b->cp_in, 2);  /* 1 and 3 paid it */
    cr_expect_eq(b->cp_out, 1); /* it paid 1 */
    const HistoryAccount *a = history_account(h, 1);
    cr_expect_eq(a->n, 2);
    cr_expect_eq(a->cp_in, 1);
    cr_expect_eq(a->cp_out, 1);
}

Test(history, recurring_counterparties_paid_twice_the_same_way)
{
    g_autoptr(History) h = history_new();
    add(h, 1 * DAY, 1, 2);
    add(h, 2 * DAY, 2, 1); /* paid back: the other way, not a second payment */
    const HistoryAccount *b = history_account(h, 2);
    cr_expect_eq(b->rec_in, 0);
    cr_expect_eq(b->rec_out, 0);
    add(h, 30 * DAY, 1, 2); /* 1 pays 2 again: 1 recurs for 2 */
    add(h, 60 * DAY, 1, 2); /* a third time counts once */
    add(h, 61 * DAY, 3, 2); /* 3 pays once */
    b = history_account(h, 2); /* borrowed until the next add */
    cr_expect_eq(b->cp_in, 2);
    cr_expect_eq(b->rec_in, 1);
    cr_expect_eq(b->rec_out, 0);
    const HistoryAccount *a = history_account(h, 1);
    cr_expect_eq(a->rec_out, 1);
    cr_expect_eq(a->rec_in, 0);
}

Test(history, pairs_have_a_direction)
{
    g_autoptr(History) h = history_new();
    add(h, 5 * DAY, 1, 2);
    add(h, 6 * DAY, 1, 2);
    add(h, 9 * DAY, 2, 1);
    HistoryPair fwd = history_pair(h, 1, 2), back = history_pair(h, 2, 1);
    cr_expect_eq(fwd.n, 2);
    cr_expect_eq(fwd.first_ts, 5 * DAY);
    cr_expect_eq(back.n, 1);
    cr_expect_eq(back.first_ts, 9 * DAY);
    cr_expect_eq(history_pair(h, 1, 3).n, 0);
    /* a repeat payment does not add a counterparty */
    cr_expect_eq(history_account(h, 1)->cp_out, 1);
}

Test(history, a_late_row_moves_first_seen_back)
{
    g_autoptr(History) h = history_new();
    add(h, 20 * DAY, 1, 2);
    add(h, 19 * DAY, 1, 2);
    cr_expect_eq(history_account(h, 1)->first_ts, 19 * DAY);
    cr_expect_eq(history_account(h, 1)->last_ts, 20 * DAY);
    cr_expect_eq(history_pair(h, 1, 2).first_ts, 19 * DAY);
}

/* 5,000 accounts each paying the next two: 10,000 pairs, far past the
 * first table of 1,024 slots, all found again after growing. */
Test(history, tables_grow_and_keep_everything)
{
    g_autoptr(History) h = history_new();
    for (guint32 a = 1; a <= 5000; a++) {
        add(h, a, a, a + 1);
        add(h, a, a, a + 2);
    }
    guint found = 0;
    for (guint32 a = 1; a <= 5000; a++)
        found += history_pair(h, a, a + 1).n == 1 && history_pair(h, a, a + 2).n == 1;
    cr_expect_eq(found, 5000);
    cr_expect_eq(history_account(h, 2500)->cp_out, 2);
    cr_expect_eq(history_account(h, 2500)->cp_in, 2); /* from 2498 and 2499 */
    cr_expect_eq(history_account(h, 1)->cp_in, 0);
}

/* A shard keeps its own accounts: the other side is not recorded, the
 * pair is. */
Test(history, only_the_accounts_asked_for)
{
    g_autoptr(History) h = history_new();
    TxnCore t = {.ts = DAY, .from = 1, .to = 2, .amount = 100};
    history_add(h, &t, FALSE, TRUE);
    cr_expect_eq(history_account(h, 1)->n, 0);
    cr_expect_eq(history_account(h, 1)->cp_out, 0);
    cr_expect_eq(history_account(h, 2)->n, 1);
    cr_expect_eq(history_account(h, 2)->cp_in, 1);
    cr_expect_eq(history_pair(h, 1, 2).n, 1);
}
