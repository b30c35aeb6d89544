/* Tests of decode_csv.c: RFC 4180 splitting, in place, and each error with
 * the character column where it is. */
#include <criterion/criterion.h>
#include <string.h>

#include "read/csv.h"

typedef struct {
    const char *record;
    char delim;
    guint n_fields;
    const char *fields[6];
} SplitCase;

static const SplitCase split_cases[] = {
    {"a,b,c", ',', 3, {"a", "b", "c"}},
    {"", ',', 1, {""}},
    {",", ',', 2, {"", ""}},
    {"a,,c,", ',', 4, {"a", "", "c", ""}},
    {"\"a,b\",c", ',', 2, {"a,b", "c"}},
    {"\"say \"\"hi\"\"\",x", ',', 2, {"say \"hi\"", "x"}},
    {"\"\"", ',', 1, {""}},
    {"\"\"\"\"", ',', 1, {"\""}},
    {"\"line 1\nline 2\",z", ',', 2, {"line 1\nline 2", "z"}},
    {"x,\"\"", ',', 2, {"x", ""}},
    {"\"a\",", ',', 2, {"a", ""}},
    {"1,5;\"x;y\";z", ';', 3, {"1,5", "x;y", "z"}},
    {"a\tb\t\"c\td\"", '\t', 3, {"a", "b", "c\td"}},
    {"a long unquoted field of more than sixteen bytes,b",
     ',',
     2,
     {"a long unquoted field of more than sixteen bytes", "b"}},
};

Test(decode_csv, split_table)
{
    for (size_t i = 0; i < G_N_ELEMENTS(split_cases); i++) {
        const SplitCase *c = &split_cases[i];
        g_autofree char *rec = g_strdup(c->record);
        CsvRow row;
        cr_expect_eq(csv_split(rec, strlen(rec), c->delim, '"', &row), CSV_OK, "case %zu", i);
        cr_expect_eq(row.n_fields, c->n_fields, "case %zu: %u fields", i, row.n_fields);
        for (guint f = 0; f < c->n_fields && f < row.n_fields; f++) {
            g_autofree char *got = g_strndup(row.fields[f].ptr, row.fields[f].len);
            cr_expect_str_eq(got, c->fields[f], "case %zu field %u", i, f);
        }
    }
}

Test(decode_csv, unquoted_record_is_untouched)
{
    char rec[] = "a,b\"c";
    CsvRow row;
    cr_expect_eq(csv_split(rec, strlen(rec), ',', 0, &row), CSV_OK); /* quoting off */
    cr_expect_eq(row.n_fields, 2);
    cr_expect_str_eq(rec, "a,b\"c");
}

typedef struct {
    const char *record;
    CsvStatus status;
    guint column, field;
} ErrorCase;

static const ErrorCase error_cases[] = {
    {"ab\"c,d", CSV_STRAY_QUOTE, 3, 1},
    {"x,ab\"", CSV_STRAY_QUOTE, 5, 2},
    {"x,\"ab\"c,d", CSV_TEXT_AFTER_QUOTE, 7, 2},
    {"\"ab\" ,d", CSV_TEXT_AFTER_QUOTE, 5, 1},
    {"x,\"abc", CSV_UNTERMINATED, 3, 2},
    {"é,\"ab\"c", CSV_TEXT_AFTER_QUOTE, 7, 2}, /* é is one character */
    {"Köln,\"x\"y", CSV_TEXT_AFTER_QUOTE, 9, 2},
};

/* An empty record may come as a null pointer (the fuzzer's copy of zero
 * bytes): one empty field, and neither memchr nor pointer arithmetic on the
 * null pointer (which the sanitizer builds report), quoted or not. */
Test(decode_csv, empty_record_at_a_null_pointer)
{
    CsvRow row;
    cr_expect_eq(csv_split(NULL, 0, ',', '"', &row), CSV_OK);
    cr_expect_eq(row.n_fields, 1);
    cr_expect_eq(row.fields[0].len, 0);
    cr_expect_eq(csv_split(NULL, 0, ',', 0, &row), CSV_OK);
    cr_expect_eq(row.n_fields, 1);
}

Test(decode_csv, errors_with_column)
{
    for (size_t i = 0; i < G_N_ELEMENTS(error_cases); i++) {
        const ErrorCase *c = &error_cases[i];
        g_autofree char *rec = g_strdup(c->record);
        CsvRow row;
        cr_expect_eq(csv_split(rec, strlen(rec), ',', '"', &row), c->status, "%s", c->record);
        cr_expect_eq(row.err_column, c->column, "%s: column %u", c->record, row.err_column);
        cr_expect_eq(row.err_field, c->field, "%s: field %u", c->record, row.err_field);
    }
}

Test(decode_csv, too_many_fields)
{
    /* 65 fields "a,a,...": the 65th starts at character 129 */
    GString *s = g_string_new("a");
    for (int i = 1; i < LIMIT_FIELDS + 1; i++)
        g_string_append(s, ",a");
    CsvRow row;
    cr_expect_eq(csv_split(s->str, s->len, ',', '"', &row), CSV_TOO_MANY_FIELDS);
    cr_expect_eq(row.err_column, 129);
    cr_expect_eq(row.err_field, 65);
    g_string_free(s, TRUE);
}

Test(decode_csv, sixty_four_fields_are_fine)
{
    GString *s = g_string_new("a");
    for (int i = 1; i < LIMIT_FIELDS; i++)
        g_string_append(s, ",a");
    CsvRow row;
    cr_expect_eq(csv_split(s->str, s->len, ',', '"', &row), CSV_OK);
    cr_expect_eq(row.n_fields, LIMIT_FIELDS);
    g_string_free(s, TRUE);
}

Test(decode_csv, field_too_long)
{
    GString *s = g_string_new("id,");
    for (int i = 0; i < LIMIT_FIELD_BYTES + 1; i++)
        g_string_append_c(s, 'm');
    CsvRow row;
    cr_expect_eq(csv_split(s->str, s->len, ',', '"', &row), CSV_FIELD_TOO_LONG);
    cr_expect_eq(row.err_column, 4);
    cr_expect_eq(row.err_field, 2);
    g_string_truncate(s, s->len - 1); /* exactly LIMIT_FIELD_BYTES */
    cr_expect_eq(csv_split(s->str, s->len, ',', '"', &row), CSV_OK);
    g_string_free(s, TRUE);
}

Test(decode_csv, status_strings)
{
    cr_expect_str_eq(csv_status_str(CSV_STRAY_QUOTE), "stray quote in an unquoted field");
    cr_expect_str_eq(csv_status_str(CSV_TOO_MANY_FIELDS), "more than 64 fields");
    cr_expect_str_eq(csv_status_str(CSV_FIELD_TOO_LONG), "field longer than 4096 bytes");
}
