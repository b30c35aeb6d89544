/* The accounts' slot table: slots found by rule place in packed blocks
 * that grow 2, 4, 8, a released slot keeping its place, and rows wider
 * than one word of bits. */
#include <criterion/criterion.h>

#include "engine/slots.h"

Test(slots, a_new_row_has_no_slot_and_no_block)
{
    SlotTable t;
    slot_table_init(&t, 40);
    SlotRow *r = slot_row(&t, 5);
    cr_expect_eq(t.n, 6);
    cr_expect_eq(r->mask, 0);
    cr_expect_eq(r->blk, 0);
    for (guint k = 0; k < 40; k++)
        cr_expect_eq(slot_get(&t, r, k), 0);
    cr_expect_null(slot_row_made(&t, 6));
    slot_table_clear(&t);
}

Test(slots, slots_set_in_any_order_are_found_by_place)
{
    SlotTable t;
    slot_table_init(&t, 40);
    guint places[] = {30, 2, 17, 39, 0, 5};
    SlotRow *r = slot_row(&t, 0);
    for (guint i = 0; i < G_N_ELEMENTS(places); i++) {
        slot_set(&t, r, places[i], 100 + places[i]);
        for (guint j = 0; j <= i; j++) /* the earlier ones survive each growth */
            cr_expect_eq(slot_get(&t, r, places[j]), 100 + places[j], "place %u after %u set",
                         places[j], i + 1);
    }
    cr_expect_eq(slot_get(&t, r, 1), 0);
    cr_expect_eq(slot_get(&t, r, 31), 0);
    /* six slots: a block of eight after blocks of two and four */
    cr_expect_eq(__builtin_popcountll(r->bits[0]), 6);
    slot_table_clear(&t);
}

Test(slots, a_released_slot_reads_0_and_can_be_set_again)
{
    SlotTable t;
    slot_table_init(&t, 8);
    SlotRow *r = slot_row(&t, 3);
    slot_set(&t, r, 1, 7);
    slot_set(&t, r, 4, 9);
    slot_set(&t, r, 1, 0);
    cr_expect_eq(slot_get(&t, r, 1), 0);
    cr_expect_eq(slot_get(&t, r, 4), 9);
    slot_set(&t, r, 1, 11);
    cr_expect_eq(slot_get(&t, r, 1), 11);
    cr_expect_eq(slot_get(&t, r, 4), 9);
    slot_table_clear(&t);
}

Test(slots, rows_wider_than_64_places_and_many_rows)
{
    SlotTable t;
    slot_table_init(&t, 130);
    for (guint32 a = 0; a < 1000; a++) {
        SlotRow *r = slot_row(&t, a);
        r->mask = a + 1;
        for (guint k = a % 3; k < 130; k += 1 + a % 7)
            slot_set(&t, r, k, a * 1000 + k + 1);
    }
    for (guint32 a = 0; a < 1000; a++) {
        const SlotRow *r = slot_row_made(&t, a);
        cr_assert_not_null(r);
        cr_expect_eq(r->mask, a + 1);
        for (guint k = 0; k < 130; k++) {
            gboolean has = k >= a % 3 && (k - a % 3) % (1 + a % 7) == 0;
            cr_expect_eq(slot_get(&t, r, k), has ? a * 1000 + k + 1 : 0, "row %u place %u", a, k);
        }
    }
    /* blocks freed by growth are reused: at most one of each size per row */
    cr_expect_leq(slot_table_bytes(&t), t.n * t.stride * 8 + 1000 * 4 * 128 + 4 * 4096);
    slot_table_clear(&t);
}
