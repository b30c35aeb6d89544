/* Tests of decode.c with small profiles written here: local time in
 * Europe/Berlin across both DST changes, defaults, map defaults, joined
 * columns, optional columns, and the reason codes of rejects. The shipped
 * profiles on their sample files are in test_input.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "read/decode.h"
#include "render.h"

/* Decodes rows (NULL-terminated) after header with the profile text;
 * returns one line per row: the transaction, or
 * "LINE: REASON column N: MESSAGE". */
static char *decode_rows(const char *profile_text, const char *header, const char *const *rows)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Profile) p = profile_load_text(profile_text, "test.profile", &error);
    cr_assert_not_null(p, "%s", error ? error->message : "");
    g_autoptr(Intern) acc = intern_new();
    g_autoptr(Intern) loc = intern_new();
    g_autoptr(Decoder) d = decode_new(p, acc, loc, "/data/in/export.csv");
    g_autofree char *head = g_strdup(header);
    cr_assert(decode_bind(d, head, strlen(head), "export.csv:1", &error), "%s",
              error ? error->message : "");
    GString *out = g_string_new(NULL);
    for (guint i = 0; rows[i]; i++) {
        g_autofree char *rec = g_strdup(rows[i]);
        Txn t;
        DecodeStatus st = decode_row(d, rec, strlen(rec), i + 2, &t);
        if (st == DECODE_OK)
            render_txn(out, &t, acc, loc);
        else
            g_string_append_printf(out, "%u: %s column %u: %s\n", i + 2, decode_status_name(st),
                                   decode_column(d), decode_message(d));
    }
    return g_string_free(out, FALSE);
}

static const char berlin_profile[] = "[profile]\n"
                                     "name = berlin\n"
                                     "timezone = Europe/Berlin\n"
                                     "[fields]\n"
                                     "tx_id = id\n"
                                     "ts = ts\n"
                                     "from_account = a\n"
                                     "amount = x\n"
                                     "channel = c\n";

Test(decode, europe_berlin_dst)
{
    const char *rows[] = {
        "1,2024-03-31T01:59:00,A,1,card",       /* CET */
        "2,2024-03-31T02:30:00,A,1,card",       /* does not exist */
        "3,2024-03-31T03:00:00,A,1,card",       /* CEST */
        "4,2024-10-27T02:30:00,A,1,card",       /* twice: the first, CEST */
        "5,2024-10-27T02:30:00+01:00,A,1,card", /* the second, given explicitly */
        "6,2024-10-27T03:00:00,A,1,card",       /* CET */
        "7,2024-07-01T12:00:00Z,A,1,card",      /* an offset in the data wins */
        NULL,
    };
    g_autofree char *got = decode_rows(berlin_profile, "id,ts,a,x,c", rows);
    cr_expect_str_eq(got, "2: 1 2024-03-31T00:59:00Z +60 A> 1.00  card\n"
                          "3: bad_timestamp column 2: column 2 (ts): '2024-03-31T02:30:00' does "
                          "not exist in Europe/Berlin (the clocks were put forward)\n"
                          "4: 3 2024-03-31T01:00:00Z +120 A> 1.00  card\n"
                          "5: 4 2024-10-27T00:30:00Z +120 A> 1.00  card\n"
                          "6: 5 2024-10-27T01:30:00Z +60 A> 1.00  card\n"
                          "7: 6 2024-10-27T02:00:00Z +60 A> 1.00  card\n"
                          "8: 7 2024-07-01T12:00:00Z +0 A> 1.00  card\n");
}

static const char mapped_profile[] = "[profile]\n"
                                     "name = mapped\n"
                                     "synthesize_tx_id = true\n"
                                     "join_separator = /\n"
                                     "timezone = +05:30\n"
                                     "timestamp_format = %d/%m/%Y\n"
                                     "labels = flag#2\n"
                                     "optional_columns = city\n"
                                     "[fields]\n"
                                     "ts = day\n"
                                     "from_account = bank + acct\n"
                                     "to_account = flag\n"
                                     "amount = amt\n"
                                     "currency = cur\n"
                                     "channel = kind\n"
                                     "location = city\n"
                                     "[defaults]\n"
                                     "currency = KWD\n"
                                     "[map channel]\n"
                                     "W = wire_domestic\n"
                                     "* = other\n";

Test(decode, joins_defaults_and_maps)
{
    const char *rows[] = {
        "01/02/2024,010,8000A,W,1.5,,T,x",    /* currency from the default: KWD, 3 places */
        "01/02/2024,010,8000A,Q,1.5,EUR,T,y", /* unmapped channel: the map default */
        "01/02/2024,,8000A,W,1.5,EUR,T,z",    /* a part missing: no sender account */
        NULL,
    };
    g_autofree char *got =
        decode_rows(mapped_profile, "day,bank,acct,kind,amt,cur,flag,flag", rows);
    cr_expect_str_eq(got, "2: export.csv:2 2024-01-31T18:30:00Z +330 010/8000A>T 1.500 KWD "
                          "wire_domestic label=x\n"
                          "3: export.csv:3 2024-01-31T18:30:00Z +330 010/8000A>T 1.50 EUR other "
                          "label=y\n"
                          "4: export.csv:4 2024-01-31T18:30:00Z +330 >T 1.50 EUR wire_domestic "
                          "label=z\n");
}

Test(decode, missing_column_in_header)
{
    g_autoptr(Profile) p = profile_load_text(mapped_profile, "test.profile", NULL);
    g_autoptr(Intern) acc = intern_new();
    g_autoptr(Decoder) d = decode_new(p, acc, acc, "-");
    g_autoptr(GError) error = NULL;
    char header[] = "day,bank,acct,kind,amt,cur,flag";
    cr_expect_not(decode_bind(d, header, strlen(header), "x.csv:1", &error));
    cr_expect_str_eq(error->message, "x.csv:1: header has no column 'flag' (repeated) "
                                     "(profile mapped)");
}

Test(decode, reasons_of_csv_errors)
{
    const char *rows[] = {
        "1,2024-03-01T10:00:00,A,1,card,extra",
        "1,2024-03-01T10:00:00,A,\"1\"x,card",
        "1,2024-03-01T10:00:00,A\",1,card",
        "",
        NULL,
    };
    g_autofree char *got = decode_rows(berlin_profile, "id,ts,a,x,c", rows);
    cr_expect_str_eq(got, "2: field_count column 0: expected 5 fields, found 6\n"
                          "3: csv_syntax column 28: field 4, character 28: text after a closing "
                          "quote\n"
                          "4: csv_syntax column 24: field 3, character 24: stray quote in an "
                          "unquoted field\n"
                          "5: field_count column 0: expected 5 fields, found 1\n");
}

Test(decode, status_names)
{
    cr_expect_str_eq(decode_status_name(DECODE_OK), "ok");
    cr_expect_str_eq(decode_status_name(DECODE_AMOUNT), "bad_amount");
    cr_expect_str_eq(decode_status_name(DECODE_LATE), "late");
}
