/* decode_csv.h: splitting one CSV record into fields, in place.
 *
 * RFC 4180: fields separated by a delimiter byte, optionally enclosed in a
 * quote character, with a doubled quote standing for one quote and
 * delimiters and newlines allowed inside quotes. Fields are views into the
 * record; a quoted field holding doubled quotes is compacted in place, so
 * the record's bytes change only then. */
#ifndef MT_DECODE_CSV_H
#define MT_DECODE_CSV_H

#include <glib.h>

#include "base/limits.h"
#include "base/txn.h"

typedef enum {
    CSV_OK = 0,
    CSV_STRAY_QUOTE,      /* quote inside an unquoted field */
    CSV_TEXT_AFTER_QUOTE, /* something other than a delimiter after a closing quote */
    CSV_UNTERMINATED,     /* quoted field without its closing quote */
    CSV_TOO_MANY_FIELDS,  /* more than LIMIT_FIELDS */
    CSV_FIELD_TOO_LONG,   /* a field longer than LIMIT_FIELD_BYTES */
} CsvStatus;

typedef struct {
    StrView fields[LIMIT_FIELDS];
    guint n_fields;
    guint err_column; /* 1-based character position of the error in the record */
    guint err_field;  /* 1-based field the error is in */
} CsvRow;

/* Splits rec[0, len) by delim and quote (quote 0 = no quoting) into row.
 * rec may be modified (see above); row's views borrow rec. On an error,
 * err_column and err_field tell where. */
CsvStatus csv_split(char *rec, size_t len, char delim, char quote, CsvRow *row);
/* A short lower-case description of a status ("stray quote in an unquoted
 * field", ...). */
const char *csv_status_str(CsvStatus st);
/* Number of UTF-8 characters in s[0, n): the character column of byte n. */
guint csv_char_count(const char *s, size_t n);

#endif
