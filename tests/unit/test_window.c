/* Windows: expiry at the exact boundary, growth, and the counted drop at the limit. */
#include <criterion/criterion.h>

#include "window.h"

static void push(Window *w, gint64 ts)
{
    TxnCore c = {.ts = ts};
    window_push(w, &c, (StrView){"id", 2}, 0);
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
        all &= window_push(&w, &(TxnCore){.ts = t}, (StrView){"x", 1}, 0);
    cr_expect(all);
    cr_expect_not(window_push(&w, &(TxnCore){.ts = LIMIT_WINDOW_ENTRIES}, (StrView){"y", 1}, 0));
    cr_expect_eq(w.len, LIMIT_WINDOW_ENTRIES);
    cr_expect_eq(window_at(&w, 0)->core.ts, 1);
    window_clear(&w);
}

Test(window, long_ids_are_cut_to_the_limit)
{
    Window w;
    window_init(&w);
    char id[LIMIT_TXID_BYTES + 10];
    memset(id, 'a', sizeof id);
    window_push(&w, &(TxnCore){.ts = 1}, (StrView){id, sizeof id}, 0);
    cr_expect_eq(window_at(&w, 0)->id_len, LIMIT_TXID_BYTES);
    window_clear(&w);
}
