/* Tests of source.c: gzip detected by its magic bytes (not the name),
 * multi-member gzip, truncated and corrupt gzip as errors with file and
 * offset, records spanning lines, line numbers, \r\n, BOM, blank lines,
 * overlong records. */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "base/limits.h"
#include "read/source.h"

#define DATA "tests/data/input/"

/* Reads every record of path as "LINE:RECORD\n" ("LINE:overlong(N)\n"
 * for an overlong one, "LINE:damaged(to line N)\n" for an open quote), and "error: MESSAGE\n" if
 * reading fails. */
static char *read_records(const char *path)
{
    GString *out = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(Source) src = source_open(path, &error);
    SourceRecord rec;
    SourceStatus st = src ? SOURCE_RECORD : SOURCE_ERROR;
    while (src && (st = source_next(src, &rec, &error)) != SOURCE_END && st != SOURCE_ERROR) {
        if (st == SOURCE_OVERLONG)
            g_string_append_printf(out, "%" G_GUINT64_FORMAT ":overlong(%zu)\n", rec.line, rec.len);
        else if (st == SOURCE_DAMAGED)
            g_string_append_printf(out,
                                   "%" G_GUINT64_FORMAT ":damaged(to line %" G_GUINT64_FORMAT ")\n",
                                   rec.line, rec.span_last);
        else
            g_string_append_printf(out, "%" G_GUINT64_FORMAT ":%.*s\n", rec.line, (int)rec.len,
                                   rec.data);
    }
    if (st == SOURCE_ERROR)
        g_string_append_printf(out, "error: %s\n", error->message);
    return g_string_free(out, FALSE);
}

static const char canonical_records[] =
    "1:tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,"
    "location,memo\n"
    "2:c1,2024-03-01T09:10:00Z,,DE01A,9500.00,EUR,cash_deposit,,,Berlin Mitte,\n"
    "3:c2,2024-03-01T11:15:00+02:00,DE01A,GB02B,1234.5,GBP,wire_international,,gb,,\"rent, "
    "March\"\n"
    "4:c3,2024-03-01T04:00:00-0530,DE01A,,60,JPY,card,0780,US,\"New York, NY\",\"hotel "
    "\"\"Plaza\"\"\nsecond line\"\n";

Test(source, lines_quotes_crlf_bom_blank)
{
    g_autofree char *got = read_records(DATA "source-lines.csv");
    cr_expect_str_eq(got, "1:id,text\n"
                          "2:1,plain\n"
                          "4:2,\"two\r\nlines\"\n"
                          "6:3,\"quoted \"\"x\"\", y\"\n"
                          "8:4,last without newline\n");
}

Test(source, plain_file)
{
    g_autofree char *got = read_records(DATA "canonical.csv");
    cr_expect_str_eq(got, canonical_records);
}

Test(source, gzip_detected_by_magic_not_name)
{
    g_autofree char *gz = read_records(DATA "gzip-named.csv");
    g_autofree char *plain = read_records(DATA "plain-named.csv.gz");
    cr_expect_str_eq(gz, canonical_records);
    cr_expect_str_eq(plain, canonical_records);
}

Test(source, gzip_multi_member)
{
    g_autofree char *got = read_records(DATA "multi-member.csv.gz");
    cr_expect_str_eq(got, "1:id,text\n2:1,first member\n3:2,second member\n"
                          "4:3,\"still, second\"\n");
}

Test(source, gzip_truncated_is_an_error)
{
    g_autofree char *got = read_records(DATA "truncated.csv.gz");
    cr_expect(g_str_has_suffix(got, "error: truncated gzip stream (unexpected end of file) in "
                                    "'tests/data/input/truncated.csv.gz' at byte 150\n"),
              "%s", got);
}

Test(source, gzip_corrupt_is_an_error)
{
    g_autofree char *got = read_records(DATA "corrupt.csv.gz");
    /* the offset is where the inflater stopped reading, just past the damage */
    cr_expect_str_eq(got, "error: corrupt gzip data (invalid deflate block) in "
                          "'tests/data/input/corrupt.csv.gz' at byte 63\n");
}

Test(source, missing_file)
{
    g_autofree char *got = read_records(DATA "no-such-file.csv");
    cr_expect_str_eq(got, "error: cannot open 'tests/data/input/no-such-file.csv': No such "
                          "file or directory\n");
}

/* Writes text to a new temporary file; returns its path (caller unlinks
 * and frees). */
static char *write_temp(const char *text, size_t len)
{
    char *path = g_build_filename(g_get_tmp_dir(), "mt-source-XXXXXX", NULL);
    int fd = g_mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

Test(source, overlong_record_is_reported_and_skipped)
{
    GString *s = g_string_new("id,text\n1,short\n2,");
    for (int i = 0; i < LIMIT_LINE_BYTES + 100; i++)
        g_string_append_c(s, 'x');
    g_string_append(s, "\n3,\"quoted\nacross lines\"\n4,after\n");
    g_autofree char *path = write_temp(s->str, s->len);
    g_autofree char *got = read_records(path);
    unlink(path);
    g_string_free(s, TRUE);
    cr_expect_str_eq(got, "1:id,text\n2:1,short\n3:overlong(65536)\n"
                          "4:3,\"quoted\nacross lines\"\n6:4,after\n");
}

/* One unbalanced quote used to swallow everything up to the next quote or
 * the end of the file: now it costs its own line, and the next line is
 * read afresh. */
Test(source, unbalanced_quote_costs_one_line)
{
    GString *s = g_string_new("id,text\n1,\"open\n");
    for (int i = 2; i <= 9000; i++)
        g_string_append_printf(s, "%d,row\n", i);
    g_autofree char *path = write_temp(s->str, s->len);
    g_autoptr(GError) error = NULL;
    g_autoptr(Source) src = source_open(path, &error);
    SourceRecord rec;
    cr_assert_eq(source_next(src, &rec, &error), SOURCE_RECORD); /* header */
    cr_assert_eq(source_next(src, &rec, &error), SOURCE_DAMAGED);
    cr_expect_eq(rec.line, 2);
    cr_expect_eq(rec.lines, 1);
    cr_expect_eq(rec.span_last, 9001); /* the quote ran to the end of the file */
    cr_expect_eq(rec.span_bytes, s->len - strlen("id,text\n"));
    cr_expect_eq(rec.len, 7);
    cr_expect_eq(memcmp(rec.data, "1,\"open", 7), 0);
    cr_assert_eq(source_next(src, &rec, &error), SOURCE_RECORD);
    cr_expect_eq(rec.line, 3);
    cr_expect_eq(memcmp(rec.data, "2,row", 5), 0);
    guint64 n = 1;
    while (source_next(src, &rec, &error) == SOURCE_RECORD)
        n++;
    cr_expect_eq(n, 8999);
    cr_expect_eq(rec.line, 9001); /* the last record read */
    SourceLines sl;
    source_lines(src, &sl);
    cr_expect(sl.counted);
    cr_expect_eq(sl.physical, 9001);
    cr_expect_eq(sl.blank, 0);
    unlink(path);
    g_string_free(s, TRUE);
}

/* A one-line record past the limit and past the whole read buffer is
 * skipped to its newline even when an open quote would have carried it on;
 * a shorter one is cut back to its line as damaged. */
Test(source, overlong_line_with_open_quote_ends_at_its_newline)
{
    GString *s = g_string_new("id,text\n1,\"");
    for (int i = 0; i < 3 * 1024 * 1024; i++)
        g_string_append_c(s, 'y');
    g_string_append(s, "\n2,after\n\n3,last");
    g_autofree char *path = write_temp(s->str, s->len);
    g_autofree char *got = read_records(path);
    g_autoptr(GError) error = NULL;
    g_autoptr(Source) src = source_open(path, &error);
    SourceRecord rec;
    while (source_next(src, &rec, &error) != SOURCE_END)
        ;
    SourceLines sl;
    source_lines(src, &sl);
    unlink(path);
    g_string_free(s, TRUE);
    cr_expect_str_eq(got, "1:id,text\n2:overlong(65536)\n3:2,after\n5:3,last\n");
    cr_expect_eq(sl.physical, 5); /* the last line has no newline */
    cr_expect_eq(sl.blank, 1);
}

Test(source, open_quote_within_the_buffer_is_damaged)
{
    GString *s = g_string_new("id,text\n1,\"");
    for (int i = 0; i < LIMIT_LINE_BYTES + 10; i++)
        g_string_append_c(s, 'y');
    g_string_append(s, "\n2,after\n\n3,last");
    g_autofree char *path = write_temp(s->str, s->len);
    g_autofree char *got = read_records(path);
    unlink(path);
    g_string_free(s, TRUE);
    cr_expect_str_eq(got, "1:id,text\n2:damaged(to line 5)\n3:2,after\n5:3,last\n");
}

Test(source, long_file_crosses_buffer_refills)
{
    GString *s = g_string_new("id,text\n");
    for (int i = 0; i < 200000; i++)
        g_string_append_printf(s, "%d,\"row %d\"\n", i, i);
    g_autofree char *path = write_temp(s->str, s->len);
    g_autoptr(GError) error = NULL;
    g_autoptr(Source) src = source_open(path, &error);
    SourceRecord rec;
    guint64 n = 0, last_line = 0;
    while (source_next(src, &rec, &error) == SOURCE_RECORD) {
        n++;
        last_line = rec.line;
    }
    cr_expect_eq(n, 200001);
    cr_expect_eq(last_line, 200001);
    cr_expect_eq(source_bytes_read(src), s->len);
    cr_expect_eq(source_bytes_total(src), s->len);
    cr_expect_null(error);
    unlink(path);
    g_string_free(s, TRUE);
}

Test(source, progress_counts_compressed_bytes)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(Source) src = source_open(DATA "gzip-named.csv", &error);
    SourceRecord rec;
    while (source_next(src, &rec, &error) == SOURCE_RECORD)
        ;
    cr_expect(source_is_gzip(src));
    cr_expect_eq(source_bytes_read(src), 272);
    cr_expect_eq(source_bytes_total(src), 272);
}
