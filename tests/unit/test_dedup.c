/* Transaction ids within the horizon: copies, conflicts, forgetting by
 * time and at the cap, with enough ids that the table grows and entries
 * are removed from the middle of probe runs. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "base/limits.h"
#include "read/dedup.h"

/* A row with id "T<i>", time ts and amount; line i + 2. */
static Txn row(char *buf, guint i, gint64 ts, gint64 amount)
{
    Txn t = {0};
    int n = snprintf(buf, 32, "T%u", i);
    t.tx_id = (StrView){buf, (guint32)n};
    t.core.ts = ts;
    t.core.amount = amount;
    t.line = i + 2;
    return t;
}

static DedupResult check(Dedup *d, guint i, gint64 ts, gint64 amount, gint64 latest, guint64 *line)
{
    char buf[32];
    Txn t = row(buf, i, ts, amount);
    guint source = 99;
    *line = 0;
    DedupResult r = dedup_check(d, &t, latest, &source, line);
    if (r != DEDUP_NEW)
        cr_assert_eq(source, 0);
    return r;
}

Test(dedup, copies_and_conflicts_among_many_ids)
{
    g_autoptr(Dedup) d = dedup_new(-1); /* every id, up to the cap */
    guint64 line;
    for (guint i = 0; i < 100000; i++)
        cr_assert_eq(check(d, i, 1000 + i, 5, 1000 + i, &line), DEDUP_NEW, "id %u", i);
    for (guint i = 0; i < 100000; i += 997) {
        cr_assert_eq(check(d, i, 1000 + i, 5, 200000, &line), DEDUP_COPY, "id %u", i);
        cr_assert_eq(line, i + 2);
        cr_assert_eq(check(d, i, 1000 + i, 6, 200000, &line), DEDUP_CONFLICT, "id %u", i);
        cr_assert_eq(line, i + 2);
    }
    cr_assert_eq(check(d, 100000, 5, 5, 200000, &line), DEDUP_NEW);
    cr_assert_eq(dedup_forgotten(d), 0);
}

Test(dedup, ids_behind_the_horizon_are_forgotten)
{
    g_autoptr(Dedup) d = dedup_new(10);
    guint64 line;
    /* one id a second: at each new row, the ids more than 10 s behind go */
    for (guint i = 0; i < 50000; i++)
        cr_assert_eq(check(d, i, i, 1, i, &line), DEDUP_NEW, "id %u", i);
    cr_assert_eq(check(d, 49995, 49995, 1, 49999, &line), DEDUP_COPY);
    cr_assert_eq(line, 49997u);
    cr_assert_eq(check(d, 100, 100, 1, 49999, &line), DEDUP_NEW); /* long forgotten */
    cr_assert_eq(dedup_forgotten(d), 0);
}

Test(dedup, the_cap_forgets_the_oldest_and_counts_them)
{
    g_autoptr(Dedup) d = dedup_new(-1);
    guint64 line;
    guint n = LIMIT_DEDUP_IDS + 1000;
    for (guint i = 0; i < n; i++)
        cr_assert_eq(check(d, i, i, 1, i, &line), DEDUP_NEW, "id %u", i);
    cr_assert_eq(dedup_forgotten(d), 1000);
    cr_assert_eq(check(d, n - 1, n - 1, 1, n, &line), DEDUP_COPY); /* the newest is held */
    cr_assert_eq(check(d, 1000, 1000, 1, n, &line), DEDUP_COPY);   /* the oldest held */
    cr_assert_eq(check(d, 999, 999, 1, n, &line), DEDUP_NEW);      /* the newest forgotten */
}

Test(dedup, memory_follows_the_ids_held_not_the_ring)
{
    g_autoptr(Dedup) d = dedup_new(10);
    guint64 line;
    /* one id a second, twice round the ring: about 11 ids held at a time */
    guint n = 2 * LIMIT_DEDUP_IDS + 5000;
    for (guint i = 0; i < n; i++)
        cr_assert_eq(check(d, i, i, 1, i, &line), DEDUP_NEW, "id %u", i);
    cr_assert_eq(check(d, n - 3, n - 3, 1, n - 1, &line), DEDUP_COPY); /* held past the wrap */
    cr_assert_eq(line, (guint64)n - 1);
    /* a whole ring of entries (over 100 bytes each) would be 100 bytes a
     * slot; what is held is a chunk or two and a small table */
    cr_assert_lt(dedup_bytes(d), (guint64)LIMIT_DEDUP_IDS * 8, "%llu bytes",
                 (unsigned long long)dedup_bytes(d));
    cr_assert_eq(dedup_forgotten(d), 0);
}
