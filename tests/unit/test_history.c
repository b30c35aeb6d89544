/* Tests of history.c: first and last seen, lifetime counts, distinct
 * counterparties, pairs and each row's view of its pair, growth past the
 * first tables, a shard's accounts, times far apart. */
#include <criterion/criterion.h>

#include "engine/history.h"

#define DAY 86400

/* One table of pairs for the test's History h, as a scan keeps one: set
 * in each test that adds. */
static HistoryPairs *pairs;

static void add_row(History *h, const TxnCore *t, gboolean from, gboolean to)
{
    HistoryRowPair v;
    history_pairs_row(pairs, t, &v);
    history_add(h, t, from, to, &v);
}

static void add(History *h, gint64 ts, guint32 from, guint32 to)
{
    TxnCore t = {.ts = ts, .from = from, .to = to, .amount = 100};
    add_row(h, &t, TRUE, TRUE);
}

/* What a row from -> to at ts would see of its pair (then recorded). */
static HistoryRowPair view(gint64 ts, guint32 from, guint32 to)
{
    TxnCore t = {.ts = ts, .from = from, .to = to, .amount = 100};
    HistoryRowPair v;
    history_pairs_row(pairs, &t, &v);
    return v;
}

static void setup(void)
{
    pairs = history_pairs_new();
}

static void teardown(void)
{
    g_clear_pointer(&pairs, history_pairs_free);
}

TestSuite(history, .init = setup, .fini = teardown);

Test(history, an_account_never_seen_has_nothing)
{
    g_autoptr(History) h = history_new(1);
    cr_expect_eq(history_account(h, 7)->n, 0);
    cr_expect_eq(history_account(h, 0)->n, 0);
    cr_expect_eq(history_account(NULL, 7)->n, 0);
    HistoryRowPair p = view(DAY, 1, 2);
    cr_expect_eq(p.paid[0], 0);
    cr_expect_eq(p.paid[1], 0);
}

Test(history, first_and_last_seen_and_counts)
{
    g_autoptr(History) h = history_new(1);
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
    g_autoptr(History) h = history_new(1);
    add(h, 1 * DAY, 1, 2);
    add(h, 2 * DAY, 2, 1); /* paid back: the other way, not a second payment */
    const HistoryAccount *b = history_account(h, 2);
    cr_expect_eq(b->rec_in, 0);
    cr_expect_eq(b->rec_out, 0);
    add(h, 30 * DAY, 1, 2);    /* 1 pays 2 again: 1 recurs for 2 */
    add(h, 60 * DAY, 1, 2);    /* a third time counts once */
    add(h, 61 * DAY, 3, 2);    /* 3 pays once */
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
    g_autoptr(History) h = history_new(1);
    add(h, 5 * DAY, 1, 2);
    add(h, 6 * DAY, 1, 2);
    HistoryRowPair back = view(9 * DAY, 2, 1); /* 2 pays 1: 1 paid it twice before */
    cr_expect_eq(back.paid[0], 0);
    cr_expect_eq(back.paid[1], 2);
    cr_expect_eq(back.first_ts, 5 * DAY);
    HistoryRowPair fwd = view(10 * DAY, 1, 2);
    cr_expect_eq(fwd.paid[0], 2);
    cr_expect_eq(fwd.paid[1], 1);
    cr_expect_eq(fwd.first_ts, 5 * DAY);
    cr_expect_eq(view(10 * DAY, 1, 3).paid[0], 0);
    /* a repeat payment does not add a counterparty */
    cr_expect_eq(history_account(h, 1)->cp_out, 1);
}

Test(history, a_late_row_moves_first_seen_back)
{
    g_autoptr(History) h = history_new(1);
    add(h, 20 * DAY, 1, 2);
    add(h, 19 * DAY, 1, 2);
    cr_expect_eq(history_account(h, 1)->first_ts, 19 * DAY);
    cr_expect_eq(history_account(h, 1)->last_ts, 20 * DAY);
    cr_expect_eq(view(21 * DAY, 2, 1).first_ts, 19 * DAY);
}

/* 5,000 accounts each paying the next two: 10,000 pairs, far past the
 * first tables of 64 slots, all found again after growing. */
Test(history, tables_grow_and_keep_everything)
{
    g_autoptr(History) h = history_new(1);
    for (guint32 a = 1; a <= 5000; a++) {
        add(h, a, a, a + 1);
        add(h, a, a, a + 2);
    }
    cr_expect_eq(history_pairs_count(pairs), 10000);
    guint found = 0;
    for (guint32 a = 1; a <= 5000; a++) {
        HistoryRowPair v = view(a + 1, a + 1, a); /* the other way: paid once */
        found += v.paid[0] == 0 && v.paid[1] == 1 && v.first_ts == a;
    }
    cr_expect_eq(found, 5000);
    cr_expect_eq(history_account(h, 2500)->cp_out, 2);
    cr_expect_eq(history_account(h, 2500)->cp_in, 2); /* from 2498 and 2499 */
    cr_expect_eq(history_account(h, 1)->cp_in, 0);
}

/* A shard keeps its own accounts: the other side is not recorded, the
 * pair is. */
Test(history, only_the_accounts_asked_for)
{
    g_autoptr(History) h = history_new(1);
    TxnCore t = {.ts = DAY, .from = 1, .to = 2, .amount = 100};
    add_row(h, &t, FALSE, TRUE);
    cr_expect_eq(history_account(h, 1)->n, 0);
    cr_expect_eq(history_account(h, 1)->cp_out, 0);
    cr_expect_eq(history_account(h, 2)->n, 1);
    cr_expect_eq(history_account(h, 2)->cp_in, 1);
    cr_expect_eq(view(2 * DAY, 1, 2).paid[0], 1);
}

/* A shard of three keeps accounts 3k + 1 at k: 4 and 7 side by side, and
 * the table holds about a third of the ids (a power of two). */
Test(history, a_shard_keeps_its_accounts_in_a_fraction_of_the_space)
{
    g_autoptr(History) h = history_new(3);
    g_autoptr(History) all = history_new(1);
    for (guint32 a = 1; a <= 9000; a += 3) {
        TxnCore t = {.ts = DAY, .from = a, .to = a + 1, .amount = 100};
        add_row(h, &t, TRUE, FALSE);
        t.from = a + 1, t.to = a; /* for all: the same ids, another pair */
        add_row(all, &t, FALSE, TRUE);
    }
    cr_expect_eq(history_account(h, 4)->n, 1);
    cr_expect_eq(history_account(h, 4)->cp_out, 1);
    cr_expect_eq(history_account(h, 7)->n, 1);
    cr_expect_eq(history_account(h, 8998)->n, 1);
    cr_expect_eq(history_account(all, 8998)->cp_in, 1);
    cr_expect_lt(history_bytes(h) * 3, history_bytes(all)); /* 4,096 entries against 16,384 */
}

/* First times are kept as 32-bit offsets from the first pair's time; one
 * more than 68 years away is still exact. */
Test(history, first_seen_is_exact_across_centuries)
{
    gint64 base = 1700000000; /* 2023 */
    gint64 old = base - (gint64)200 * 365 * DAY;
    gint64 later = base + (gint64)G_MAXINT32 + 5;
    cr_expect_eq(view(base, 1, 2).paid[0], 0);
    cr_expect_eq(view(old, 3, 4).paid[0], 0);
    cr_expect_eq(view(later, 5, 6).paid[0], 0);
    HistoryRowPair v = view(base + DAY, 4, 3);
    cr_expect_eq(v.paid[1], 1);
    cr_expect_eq(v.first_ts, old);
    v = view(base + DAY, 5, 6);
    cr_expect_eq(v.paid[0], 1);
    cr_expect_eq(v.first_ts, later);
    /* the late row moves pair 5 -> 6 back within reach of the offsets */
    v = view(base + 2 * DAY, 6, 5);
    cr_expect_eq(v.first_ts, base + DAY);
    cr_expect_eq(view(base + 3 * DAY, 5, 6).first_ts, base + DAY);
    cr_expect_eq(view(base, 1, 2).first_ts, base);
}
