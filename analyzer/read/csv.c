/* decode_csv.c: RFC 4180 splitting of one record into fields, in place.
 *
 * The common case, a record without the quote character, is split on the
 * delimiter alone (SSE2 compares 16 bytes at a time where available,
 * memchr otherwise). A record holding quotes is split field by
 * field: an unquoted field is a memchr to the next delimiter plus a check
 * that it holds no quote, a quoted field is copied onto itself only when it
 * holds a doubled quote. Error positions are counted in characters only
 * when an error happens. */
#include "read/csv.h"

#include <string.h>
#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#endif

/* Records an error at byte offset pos of the record. */
static CsvStatus csv_fail(CsvRow *row, CsvStatus st, const char *rec, const char *pos)
{
    row->err_column = csv_char_count(rec, (size_t)(pos - rec)) + 1;
    row->err_field = row->n_fields + 1;
    return st;
}

/* Appends a field; fails past LIMIT_FIELDS or LIMIT_FIELD_BYTES. */
static inline CsvStatus csv_push(CsvRow *row, const char *rec, const char *start, const char *p,
                                 size_t len)
{
    if (row->n_fields >= LIMIT_FIELDS)
        return csv_fail(row, CSV_TOO_MANY_FIELDS, rec, start);
    if (len > LIMIT_FIELD_BYTES)
        return csv_fail(row, CSV_FIELD_TOO_LONG, rec, start);
    row->fields[row->n_fields].ptr = p;
    row->fields[row->n_fields].len = (guint32)len;
    row->n_fields++;
    return CSV_OK;
}

#if defined(__SSE2__) && defined(__GNUC__)
/* Splits a record known to hold no quote character, finding the
 * delimiters 16 bytes at a time. */
static CsvStatus csv_split_plain(char *rec, size_t len, char delim, CsvRow *row)
{
    const char *start = rec;
    const __m128i d = _mm_set1_epi8(delim);
    size_t i = 0;
    CsvStatus st = CSV_OK;
    for (; i + 16 <= len; i += 16) {
        __m128i chunk = _mm_loadu_si128((const __m128i *)(const void *)(rec + i));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, d));
        for (; mask; mask &= mask - 1) {
            const char *p = rec + i + __builtin_ctz(mask);
            if ((st = csv_push(row, rec, start, start, (size_t)(p - start))) != CSV_OK)
                return st;
            start = p + 1;
        }
    }
    for (; i < len; i++)
        if (rec[i] == delim) {
            if ((st = csv_push(row, rec, start, start, (size_t)(rec + i - start))) != CSV_OK)
                return st;
            start = rec + i + 1;
        }
    return csv_push(row, rec, start, start, (size_t)(rec + len - start));
}
#else
/* Splits a record known to hold no quote character. */
static CsvStatus csv_split_plain(char *rec, size_t len, char delim, CsvRow *row)
{
    const char *p = rec, *end = rec + len;
    for (;;) {
        const char *d = memchr(p, delim, (size_t)(end - p));
        const char *stop = d ? d : end;
        CsvStatus st = csv_push(row, rec, p, p, (size_t)(stop - p));
        if (st != CSV_OK || !d)
            return st;
        p = d + 1;
    }
}
#endif

/* Unquotes the quoted field starting at *pp (on its opening quote) in
 * place; leaves *pp just after the closing quote. Content moves left only
 * after a doubled quote. */
static CsvStatus csv_quoted(char *rec, char *end, char quote, char **pp, CsvRow *row)
{
    char *open = *pp, *start = open + 1, *r = start, *w = start;
    for (;;) {
        char *q = memchr(r, quote, (size_t)(end - r));
        if (!q)
            return csv_fail(row, CSV_UNTERMINATED, rec, open);
        if (w != r)
            memmove(w, r, (size_t)(q - r));
        w += q - r;
        if (q + 1 < end && q[1] == quote) {
            *w++ = quote;
            r = q + 2;
            continue;
        }
        *pp = q + 1;
        return csv_push(row, rec, open, start, (size_t)(w - start));
    }
}

/* Splits a record holding the quote character somewhere. */
static CsvStatus csv_split_quoted(char *rec, size_t len, char delim, char quote, CsvRow *row)
{
    char *p = rec, *end = rec + len;
    for (;;) {
        CsvStatus st;
        if (p < end && *p == quote) {
            st = csv_quoted(rec, end, quote, &p, row);
            if (st == CSV_OK && p < end && *p != delim) {
                row->n_fields--; /* the error is in the field just pushed */
                return csv_fail(row, CSV_TEXT_AFTER_QUOTE, rec, p);
            }
        } else {
            char *d = memchr(p, delim, (size_t)(end - p));
            char *stop = d ? d : end;
            char *q = memchr(p, quote, (size_t)(stop - p));
            if (q)
                return csv_fail(row, CSV_STRAY_QUOTE, rec, q);
            st = csv_push(row, rec, p, p, (size_t)(stop - p));
            p = stop;
        }
        if (st != CSV_OK || p >= end)
            return st;
        p++; /* the delimiter */
        if (p == end)
            return csv_push(row, rec, p, p, 0); /* trailing empty field */
    }
}

CsvStatus csv_split(char *rec, size_t len, char delim, char quote, CsvRow *row)
{
    row->n_fields = 0;
    row->err_column = 0;
    row->err_field = 0;
    if (len == 0) { /* one empty field; rec may be NULL, so no arithmetic on it */
        static char empty[1];
        return csv_push(row, empty, empty, empty, 0);
    }
    if (!quote || !memchr(rec, quote, len))
        return csv_split_plain(rec, len, delim, row);
    return csv_split_quoted(rec, len, delim, quote, row);
}

const char *csv_status_str(CsvStatus st)
{
    switch (st) {
    case CSV_OK:
        return "ok";
    case CSV_STRAY_QUOTE:
        return "stray quote in an unquoted field";
    case CSV_TEXT_AFTER_QUOTE:
        return "text after a closing quote";
    case CSV_UNTERMINATED:
        return "quoted field without its closing quote";
    case CSV_TOO_MANY_FIELDS:
        return "more than " G_STRINGIFY(LIMIT_FIELDS) " fields";
    case CSV_FIELD_TOO_LONG:
        return "field longer than " G_STRINGIFY(LIMIT_FIELD_BYTES) " bytes";
    }
    return "unknown csv status";
}

guint csv_char_count(const char *s, size_t n)
{
    guint count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}
