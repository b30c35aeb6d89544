/* Windows: expiry at the exact boundary, growth, and the counted drop at the limit. */
#include <criterion/criterion.h>

#include "window.h"

static void push(Window *w, gint64 ts)
{
    TxnCore c = {.ts = ts};
    window_push(w, &c, (const guint8 *)"\2id", 0);
}

Test(window, an_entry_exactly_span_old_has_left)
{
    Window w;
    window_init(&w);
    push(&w, 1000);
    window_expire(&w, 1009, 10);
    cr_expect_eq(w.len, 1);
    window_expire(&w, 1010, 10);
    cr_expect_eq(w.len, 0);
    window_clear(&w);
}

Test(window, expiry_keeps_order_across_growth)
{
    Window w;
    window_init(&w);
    for (gint64 t = 0; t < 100; t++)
        push(&w, t);
    window_expire(&w, 99, 50);
    cr_expect_eq(w.len, 50);
    cr_expect_eq(window_at(&w, 0)->core.ts, 50);
    cr_expect_eq(window_at(&w, 49)->core.ts, 99);
    window_clear(&w);
}

Test(window, the_limit_drops_the_oldest_and_says_so)
{
    Window w;
    window_init(&w);
    gboolean all = TRUE;
    for (gint64 t = 0; t < LIMIT_WINDOW_ENTRIES; t++)
        all &= window_push(&w, &(TxnCore){.ts = t}, (const guint8 *)"\1x", 0);
    cr_expect(all);
    cr_expect_not(
        window_push(&w, &(TxnCore){.ts = LIMIT_WINDOW_ENTRIES}, (const guint8 *)"\1y", 0));
    cr_expect_eq(w.len, LIMIT_WINDOW_ENTRIES);
    cr_expect_eq(window_at(&w, 0)->core.ts, 1);
    window_clear(&w);
}

Test(window, ids_are_stored_once_and_freed_by_age)
{
    WindowIds *ids = window_ids_new(100);
    const guint8 *a = window_ids_add(ids, (StrView){"t1", 2}, 1000);
    Window w;
    window_init(&w);
    window_push(&w, &(TxnCore){.ts = 1000}, a, 0);
    StrView v = window_entry_id(window_at(&w, 0));
    cr_expect_eq(v.len, 2);
    cr_expect_eq(memcmp(v.ptr, "t1", 2), 0);
    char big[300];
    memset(big, 'x', sizeof big);
    const guint8 *b = window_ids_add(ids, (StrView){big, sizeof big}, 1001);
    cr_expect_eq(b[0], 255);       /* longer ids are cut at 255 bytes */
    window_ids_release(ids, 1100); /* the only chunk is kept while it is the newest */
    cr_expect_eq(memcmp(window_entry_id(window_at(&w, 0)).ptr, "t1", 2), 0);
    window_clear(&w);
    window_ids_free(ids);
}
