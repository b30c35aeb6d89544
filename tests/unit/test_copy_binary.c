/* Tests of copy_binary.c: binary COPY rows built here byte by byte, and
 * the CSV records the text COPY of the same values gives (the expected
 * texts are PostgreSQL's own output for these values). */
#include <criterion/criterion.h>
#include <string.h>

#include "read/copy_binary.h"

/* 2024-03-01T09:10:00Z: 1709284200 s after 1970, 762599400 s after 2000. */
#define TS_2024_03_01_0910 (G_GINT64_CONSTANT(762599400) * 1000000)

static void put16(GByteArray *b, guint16 v)
{
    guint8 x[2] = {(guint8)(v >> 8), (guint8)v};
    g_byte_array_append(b, x, 2);
}

static void put32(GByteArray *b, guint32 v)
{
    put16(b, (guint16)(v >> 16));
    put16(b, (guint16)v);
}

static void field_text(GByteArray *b, const char *s)
{
    if (!s) {
        put32(b, 0xffffffffu);
        return;
    }
    put32(b, (guint32)strlen(s));
    g_byte_array_append(b, (const guint8 *)s, (guint)strlen(s));
}

static void field_ts(GByteArray *b, gint64 us)
{
    put32(b, 8);
    put32(b, (guint32)((guint64)us >> 32));
    put32(b, (guint32)us);
}

static void field_int16(GByteArray *b, int v)
{
    put32(b, 2);
    put16(b, (guint16)v);
}

/* A numeric: weight, dscale and its base-10000 digits (n of them). */
static void field_numeric(GByteArray *b, int weight, int dscale, int n, const guint16 *digits)
{
    put32(b, (guint32)(8 + 2 * n));
    put16(b, (guint16)n);
    put16(b, (guint16)weight);
    put16(b, 0);
    put16(b, (guint16)dscale);
    for (int i = 0; i < n; i++)
        put16(b, digits[i]);
}

/* A row of the 12 columns with these values; the header first if asked. */
static GByteArray *row(gboolean header, gint64 ts, int offset, int weight, int dscale, int n,
                       const guint16 *digits, const char *memo)
{
    GByteArray *b = g_byte_array_new();
    if (header) {
        g_byte_array_append(b, (const guint8 *)"PGCOPY\n\377\r\n", 11);
        put32(b, 0);
        put32(b, 0);
    }
    put16(b, 12);
    field_text(b, "c01");
    field_ts(b, ts);
    field_int16(b, offset);
    field_text(b, NULL);
    field_text(b, "A2");
    field_numeric(b, weight, dscale, n, digits);
    field_text(b, "EUR");
    field_text(b, "cash_deposit");
    field_int16(b, 6011);
    field_text(b, "DE");
    field_text(b, "Berlin");
    field_text(b, memo);
    return b;
}

static char *convert(GByteArray *b, gboolean *header_seen, CopyBinaryStatus *st)
{
    GString *out = g_string_new("old");
    GError *err = NULL;
    *st = copy_binary_row((const char *)b->data, b->len, header_seen, out, &err);
    g_byte_array_unref(b);
    if (err) {
        g_string_assign(out, err->message);
        g_error_free(err);
    }
    return g_string_free(out, FALSE);
}

static void expect_row(GByteArray *b, gboolean header_seen, const char *want)
{
    CopyBinaryStatus st;
    g_autofree char *got = convert(b, &header_seen, &st);
    cr_expect_eq(st, COPY_BINARY_ROW, "%s", got);
    cr_expect_str_eq(got, want);
    cr_expect(header_seen);
}

static const guint16 d9500[] = {9500};

Test(copy_binary, first_row_after_the_header_local_time_and_offset)
{
    expect_row(row(TRUE, TS_2024_03_01_0910, 60, 0, 2, 1, d9500, "rent"), FALSE,
               "c01,2024-03-01 10:10:00+01:00,,A2,9500.00,EUR,cash_deposit,6011,DE,Berlin,rent");
}

Test(copy_binary, offset_zero_is_written_as_utc_with_plus_00)
{
    expect_row(row(FALSE, TS_2024_03_01_0910, 0, 0, 2, 1, d9500, NULL), TRUE,
               "c01,2024-03-01 09:10:00+00,,A2,9500.00,EUR,cash_deposit,6011,DE,Berlin,");
}

Test(copy_binary, negative_offset_crosses_to_the_day_before)
{
    /* 2024-03-01 03:10 UTC at -05:30 is 2024-02-29 21:40 */
    expect_row(
        row(FALSE, TS_2024_03_01_0910 - G_GINT64_CONSTANT(21600000000), -330, 0, 2, 1, d9500, NULL),
        TRUE, "c01,2024-02-29 21:40:00-05:30,,A2,9500.00,EUR,cash_deposit,6011,DE,Berlin,");
}

Test(copy_binary, fractions_of_a_second_without_trailing_zeros)
{
    expect_row(row(FALSE, TS_2024_03_01_0910 + 500000, 0, 0, 2, 1, d9500, NULL), TRUE,
               "c01,2024-03-01 09:10:00.5+00,,A2,9500.00,EUR,cash_deposit,6011,DE,Berlin,");
    expect_row(row(FALSE, TS_2024_03_01_0910 + 120, 0, 0, 2, 1, d9500, NULL), TRUE,
               "c01,2024-03-01 09:10:00.00012+00,,A2,9500.00,EUR,cash_deposit,6011,DE,Berlin,");
}

Test(copy_binary, amounts_as_numeric_out_writes_them)
{
    static const guint16 d12345_678[] = {1, 2345, 6780}, d1[] = {1};
    static const struct {
        int weight, dscale, n;
        const guint16 *digits;
        const char *text;
    } cases[] = {
        {1, 3, 3, d12345_678, "12345.678"}, /* 1|2345.|6780 */
        {-2, 8, 1, d1, "0.00000001"},       /* 0001 at 10000^-2 */
        {2, 0, 1, d1, "100000000"},         /* 1 at 10000^2, the rest zeros */
        {0, 2, 0, d1, "0.00"},              /* zero keeps its scale */
        {0, 0, 1, d9500, "9500"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *want = g_strdup_printf(
            "c01,2024-03-01 09:10:00+00,,A2,%s,EUR,cash_deposit,6011,DE,Berlin,", cases[i].text);
        expect_row(row(FALSE, TS_2024_03_01_0910, 0, cases[i].weight, cases[i].dscale, cases[i].n,
                       cases[i].digits, NULL),
                   TRUE, want);
    }
}

Test(copy_binary, fields_quoted_as_csv_copy_quotes_them)
{
    expect_row(
        row(FALSE, TS_2024_03_01_0910, 0, 0, 2, 1, d9500, "say \"hi\", then\ngo"), TRUE,
        "c01,2024-03-01 09:10:00+00,,A2,9500.00,EUR,cash_deposit,6011,DE,Berlin,\"say \"\"hi\"\", "
        "then\ngo\"");
    /* an empty string is quoted, so that it differs from NULL */
    expect_row(row(FALSE, TS_2024_03_01_0910, 0, 0, 2, 1, d9500, ""), TRUE,
               "c01,2024-03-01 09:10:00+00,,A2,9500.00,EUR,cash_deposit,6011,DE,Berlin,\"\"");
}

Test(copy_binary, infinity_and_years_before_christ)
{
    expect_row(row(FALSE, G_MAXINT64, 60, 0, 2, 1, d9500, NULL), TRUE,
               "c01,infinity+01:00,,A2,9500.00,EUR,cash_deposit,6011,DE,Berlin,");
    /* 44 BC is the astronomical year -43; its 15 March is 746,117 days
     * before 2000-01-01 (PostgreSQL writes '0044-03-15 12:00:00+00 BC') */
    gint64 bc = (G_GINT64_CONSTANT(-746117) * 86400 + 43200) * 1000000;
    expect_row(row(FALSE, bc, 0, 0, 2, 1, d9500, NULL), TRUE,
               "c01,0044-03-15 12:00:00+00 BC,,A2,9500.00,EUR,cash_deposit,6011,DE,Berlin,");
}

Test(copy_binary, the_trailer_ends_the_rows)
{
    GByteArray *b = g_byte_array_new();
    put16(b, 0xffff);
    gboolean seen = TRUE;
    CopyBinaryStatus st;
    g_autofree char *got = convert(b, &seen, &st);
    cr_expect_eq(st, COPY_BINARY_END);
}

/* The file header with an extension area of 4 bytes (to be skipped). */
static GByteArray *header_with_extension(void)
{
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, (const guint8 *)"PGCOPY\n\377\r\n", 11);
    put32(b, 0);
    put32(b, 4);
    put32(b, 0xdeadbeef);
    return b;
}

Test(copy_binary, a_header_alone_or_with_the_trailer)
{
    gboolean seen = FALSE;
    CopyBinaryStatus st;
    g_autofree char *got = convert(header_with_extension(), &seen, &st);
    cr_expect_eq(st, COPY_BINARY_NONE, "%s", got);
    cr_expect(seen);
    GByteArray *b = header_with_extension();
    put16(b, 0xffff); /* no rows: the trailer in the header's message */
    seen = FALSE;
    g_autofree char *got2 = convert(b, &seen, &st);
    cr_expect_eq(st, COPY_BINARY_END, "%s", got2);
}

static void expect_bad(GByteArray *b, gboolean header_seen, const char *why)
{
    CopyBinaryStatus st;
    g_autofree char *got = convert(b, &header_seen, &st);
    cr_expect_eq(st, COPY_BINARY_BAD);
    cr_expect_str_eq(got, why);
}

Test(copy_binary, malformed_rows_are_named)
{
    expect_bad(row(FALSE, 0, 0, 0, 2, 1, d9500, NULL), FALSE,
               "the binary COPY sent no file header where it begins");
    GByteArray *b = row(FALSE, 0, 0, 0, 2, 1, d9500, NULL);
    g_byte_array_set_size(b, b->len - 1); /* memo cut short */
    expect_bad(b, TRUE, "the binary COPY sent a row that is not one of the transactions columns");
    b = row(FALSE, 0, 0, 0, 2, 1, d9500, NULL);
    b->data[1] = 11; /* 11 fields */
    expect_bad(b, TRUE, "the binary COPY sent a row that is not one of the transactions columns");
    b = row(FALSE, 0, 0, 0, 2, 1, d9500, NULL);
    g_byte_array_remove_range(b, 6, 3); /* tx_id "c01" made NULL */
    memset(b->data + 2, 0xff, 4);
    expect_bad(b, TRUE, "the binary COPY sent NULL in a column that cannot be NULL");
    b = g_byte_array_new();
    put16(b, 0xffff);
    put16(b, 0);
    expect_bad(b, TRUE, "the binary COPY sent data after its trailer");
}
