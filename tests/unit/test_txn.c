/* Tests of txn.c: channel names, code packing, local hour and weekday. */
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

typedef struct {
    gint64 ts;
    gint16 offset;
    int hour, dow;
} LocalCase;

static const LocalCase local_cases[] = {
    {0, 0, 0, 4},          /* 1970-01-01 00:00 UTC, a Thursday */
    {1709284200, 0, 9, 5}, /* 2024-03-01 09:10 UTC, a Friday */
    {1709284200, TXN_OFFSET_UNKNOWN, 9, 5},
    {1709284200, 900, 0, 6},   /* +15:00: 00:10 on Saturday */
    {1709284200, -600, 23, 4}, /* -10:00: 23:10 on Thursday */
    {1709456400, 0, 9, 7},     /* 2024-03-03 09:00 UTC, a Sunday */
    {-1, 0, 23, 3},            /* 1969-12-31 23:59:59, a Wednesday */
};

Test(txn, local_hour_and_weekday)
{
    for (size_t i = 0; i < G_N_ELEMENTS(local_cases); i++) {
        TxnCore t = {.ts = local_cases[i].ts, .utc_offset = local_cases[i].offset};
        cr_expect_eq(txn_local_hour(&t), local_cases[i].hour, "case %zu", i);
        cr_expect_eq(txn_local_dow(&t), local_cases[i].dow, "case %zu", i);
    }
}
