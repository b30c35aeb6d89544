/* Windows: expiry at the exact boundary, growth, the counted drop at the
 * limit, and the reuse of rings. */
#include <criterion/criterion.h>

#include "engine/window.h"

static TxnStore *store;
static WindowMem *mem;

static void setup(void)
{
    store = txn_store_new(1000000);
    mem = window_mem_new();
}

static void teardown(void)
{
    txn_store_free(store);
    window_mem_free(mem);
}

static gboolean push(Window *w, gint64 ts)
{
    return window_push(w, mem, txn_store_add(store, &(TxnCore){.ts = ts}, (StrView){"id", 2}), 0);
}

TestSuite(window, .init = setup, .fini = teardown);

Test(window, an_entry_exactly_span_old_has_left)
{
    Window w;
    window_init(&w);
    push(&w, 1000);
    window_expire(&w, 1009, 10);
    cr_expect_eq(w.len, 1);
    window_expire(&w, 1010, 10);
    cr_expect_eq(w.len, 0);
    window_clear(&w, mem);
}

Test(window, expiry_keeps_order_across_growth)
{
    Window w;
    window_init(&w);
    for (gint64 t = 0; t < 100; t++)
        push(&w, t);
    window_expire(&w, 99, 50);
    cr_expect_eq(w.len, 50);
    cr_expect_eq(window_at(&w, 0)->core->ts, 50);
    cr_expect_eq(window_at(&w, 49)->core->ts, 99);
    window_clear(&w, mem);
}

Test(window, the_limit_drops_the_oldest_and_says_so)
{
    Window w;
    window_init(&w);
    gboolean all = TRUE;
    for (gint64 t = 0; t < LIMIT_WINDOW_ENTRIES; t++)
        all &= push(&w, t);
    cr_expect(all);
    cr_expect_not(push(&w, LIMIT_WINDOW_ENTRIES));
    cr_expect_eq(w.len, LIMIT_WINDOW_ENTRIES);
    cr_expect_eq(window_at(&w, 0)->core->ts, 1);
    window_clear(&w, mem);
}

Test(window, records_are_stored_once_and_freed_by_age)
{
    TxnStore *s = txn_store_new(100);
    const TxnCore *a = txn_store_add(s, &(TxnCore){.ts = 1000, .amount = 7}, (StrView){"t1", 2});
    Window w;
    window_init(&w);
    window_push(&w, mem, a, 0);
    cr_expect_eq(window_at(&w, 0)->core->amount, 7);
    StrView v = window_entry_id(window_at(&w, 0));
    cr_expect_eq(v.len, 2);
    cr_expect_eq(memcmp(v.ptr, "t1", 2), 0);
    char big[300];
    memset(big, 'x', sizeof big);
    const TxnCore *b = txn_store_add(s, &(TxnCore){.ts = 1001}, (StrView){big, sizeof big});
    cr_expect_eq(txn_store_id(b).len, 255); /* longer ids are cut at 255 bytes */
    cr_expect_eq((guintptr)b % 8, 0);       /* records stay aligned */
    txn_store_release(s, 1100);             /* the only chunk is kept while it is the newest */
    cr_expect_eq(memcmp(window_entry_id(window_at(&w, 0)).ptr, "t1", 2), 0);
    window_clear(&w, mem);
    txn_store_free(s);
}

/* A window on the caller's ring of 4 keeps it until a fifth entry, then
 * moves to its own memory with the order kept; the caller's ring is never
 * freed (the sanitizer build would catch it). */
Test(window, outgrows_the_callers_ring_in_order)
{
    WinEntry ring[4];
    gint64 run[2] = {0, 0};
    Window w;
    window_init_on(&w, ring, 4, run);
    window_expire(&w, 0, 10);
    for (gint64 ts = 1; ts <= 3; ts++)
        push(&w, ts);
    window_expire(&w, 11, 10); /* ts 1 leaves: the head moves round the ring */
    push(&w, 4);
    push(&w, 5);
    cr_expect_eq(w.e, ring, "four entries fit the caller's ring");
    push(&w, 6);
    cr_expect_neq(w.e, ring, "the fifth moves the window");
    cr_expect_eq(w.run, run, "the running totals stay where they are");
    cr_expect_eq(w.len, 5);
    for (guint i = 0; i < w.len; i++)
        cr_expect_eq(win_ts(window_at(&w, i)), (gint64)i + 2);
    window_clear(&w, mem);
    cr_expect_eq(w.e, NULL);
}

/* A ring of 6, not a power of two, keeps the order as the oldest entries
 * leave and new ones wrap round to its first slots. */
Test(window, a_ring_between_powers_of_two_wraps_in_order)
{
    Window w;
    window_init(&w);
    for (gint64 ts = 1; ts <= 5; ts++)
        push(&w, ts);
    cr_assert_eq(w.cap, 6);
    window_expire(&w, 13, 10); /* ts 1 to 3 leave */
    cr_assert_eq(w.len, 2);
    for (gint64 ts = 6; ts <= 9; ts++)
        push(&w, ts);
    cr_expect_eq(w.cap, 6, "six entries fit: no growth");
    cr_expect_eq(w.len, 6);
    for (guint i = 0; i < w.len; i++)
        cr_expect_eq(win_ts(window_at(&w, i)), (gint64)i + 4);
    window_clear(&w, mem);
}

/* A ring given back is the next one of its size handed out, so windows
 * that come and go reuse memory; a ring of another size is not. Sizes go
 * 4, 6, 8, 12: half again, then the next power of two. */
Test(window, released_rings_are_reused_by_size)
{
    Window a, b;
    window_init(&a);
    window_init(&b);
    for (gint64 ts = 1; ts <= 5; ts++)
        push(&a, ts);
    cr_assert_eq(a.cap, 6);
    WinEntry *ring = a.e;
    window_clear(&a, mem);
    for (gint64 ts = 1; ts <= 5; ts++)
        push(&b, ts);
    cr_expect_eq(b.cap, 6);
    cr_expect_eq(b.e, ring, "the released ring of 6 is reused");
    for (gint64 ts = 6; ts <= 9; ts++)
        push(&b, ts);
    cr_expect_eq(b.cap, 12);
    cr_expect_neq(b.e, ring, "a ring of 12 is another");
    for (guint i = 0; i < b.len; i++)
        cr_expect_eq(win_ts(window_at(&b, i)), (gint64)i + 1);
    window_init(&a);
    for (gint64 ts = 1; ts <= 5; ts++)
        push(&a, ts);
    cr_expect_eq(a.e, ring, "the ring of 6 that b left is free again");
    window_clear(&a, mem);
    window_clear(&b, mem);
}
