/* Tests of txn.c: channel names, code packing, the offset of local time. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/txn.h"

Test(txn, channel_names_round_trip)
{
    for (int c = CHANNEL_NONE + 1; c < CHANNEL_COUNT; c++) {
        const char *name = txn_channel_name((Channel)c);
        Channel back = CHANNEL_NONE;
        cr_expect(txn_channel_parse(name, strlen(name), &back), "%s", name);
        cr_expect_eq(back, c, "%s", name);
    }
}

Test(txn, channel_names_fixed)
{
    Channel c = CHANNEL_NONE;
    cr_expect_str_eq(txn_channel_name(CHANNEL_CASH_DEPOSIT), "cash_deposit");
    cr_expect_str_eq(txn_channel_name(CHANNEL_OTHER), "other");
    cr_expect_str_eq(txn_channel_name(CHANNEL_NONE), "");
    cr_expect_not(txn_channel_parse("Card", 4, &c));
    cr_expect_not(txn_channel_parse("car", 3, &c));
    cr_expect(txn_channel_parse("cards", 4, &c));
    cr_expect_eq(c, CHANNEL_CARD);
}

Test(txn, pack_codes)
{
    char buf[4];
    cr_expect_eq(txn_pack_code2("de", 2), txn_pack_code2("DE", 2));
    cr_expect_eq(txn_pack_code2("DE", 2), ('D' << 8) | 'E');
    cr_expect_eq(txn_pack_code2("D1", 2), 0);
    cr_expect_eq(txn_pack_code2("DEU", 3), 0);
    cr_expect_eq(txn_pack_code3("eur", 3), ('E' << 16) | ('U' << 8) | 'R');
    cr_expect_eq(txn_pack_code3("EU", 2), 0);
    txn_unpack_code(txn_pack_code3("usd", 3), buf);
    cr_expect_str_eq(buf, "USD");
    txn_unpack_code(txn_pack_code2("at", 2), buf);
    cr_expect_str_eq(buf, "AT");
    txn_unpack_code(0, buf);
    cr_expect_str_eq(buf, "");
}

/* Local time is read at the transaction's own offset, or at UTC when the
 * export gave none (the arithmetic is base/tstamp's, tested there). */
Test(txn, offset_for_local_time)
{
    cr_expect_eq(txn_offset_min(&(TxnCore){.utc_offset = 120}), 120);
    cr_expect_eq(txn_offset_min(&(TxnCore){.utc_offset = -600}), -600);
    cr_expect_eq(txn_offset_min(&(TxnCore){.utc_offset = 0}), 0);
    cr_expect_eq(txn_offset_min(&(TxnCore){.utc_offset = TXN_OFFSET_UNKNOWN}), 0);
}
