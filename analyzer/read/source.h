/* source.h: one input file (or standard input) as a stream of CSV records.
 *
 * Detects gzip by its magic bytes (1f 8b), never by the name, and inflates
 * it with zlib (concatenated members, as `cat a.gz b.gz` makes, are read
 * as one stream); plain files are read with read(2) in large blocks. A
 * record is one line, or several when a quoted field holds a newline; it is
 * a slice of the source's buffer without its line end (a trailing \r is
 * stripped), valid until the next call. Blank lines are skipped and a UTF-8
 * byte order mark at the start of the file is dropped. Nothing is allocated
 * per record. */
#ifndef MT_SOURCE_H
#define MT_SOURCE_H

#include <glib.h>

typedef struct Source Source;

/* Opens path, or standard input for "-". Reads nothing yet. Returns NULL
 * with error set if the file cannot be opened. Caller frees with
 * source_free. */
Source *source_open(const char *path, GError **error);
void source_free(Source *src);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Source, source_free)

/* The transactions of a PostgreSQL database, opened by source_pg_open, as
 * a source of canonical CSV records. Takes ownership of pg. Caller frees
 * with source_free. */
struct SourcePg;
Source *source_from_pg(struct SourcePg *pg);

/* Sets the delimiter and quote character used to find records that span
 * lines (default ',' and '"'; quote 0 disables quoting). Call it after the
 * header record has told which profile applies. */
void source_set_dialect(Source *src, char delimiter, char quote);

typedef enum {
    SOURCE_RECORD = 0, /* rec holds the next record */
    SOURCE_OVERLONG,   /* rec holds the first LIMIT_LINE_BYTES bytes of a one-line record
                        * longer than that; the rest of that line is skipped by the next call */
    SOURCE_DAMAGED,    /* a quoted field ran past LIMIT_LINE_BYTES across lines (an unbalanced
                        * quote): rec holds the first line alone, span_last and span_bytes say
                        * how far the scan ran; reading goes on at the next line */
    SOURCE_REJECTED,   /* rec holds raw text the source itself rejects (a statement entry it
                        * cannot map, a duplicate payment); source_reject_reason says why */
    SOURCE_END,        /* no more records */
    SOURCE_ERROR,      /* read error, corrupt or truncated gzip: error names file and offset */
} SourceStatus;

typedef struct {
    char *data; /* the record, not NUL-terminated; may be modified in place */
    size_t len;
    guint64 line;      /* 1-based line number of the record's first line */
    guint64 lines;     /* lines the record covers: 1 + newlines inside quoted fields */
    guint64 span_last; /* SOURCE_DAMAGED: the last line the unclosed quote reached */
    size_t span_bytes; /* SOURCE_DAMAGED: bytes it reached without a closing quote */
} SourceRecord;

/* Reads the next record. rec->data is borrowed until the next call. */
SourceStatus source_next(Source *src, SourceRecord *rec, GError **error);

/* The record just handed out spanned several lines and did not parse (two
 * stray quotes can pair up across good lines): trims rec to its first
 * line, and makes the next call read on from the second line. Call it
 * before the next source_next, with the record's bytes left unmodified. */
void source_unread_tail(Source *src, SourceRecord *rec);

/* The name for messages: the path, or "standard input". */
const char *source_name(const Source *src);
/* TRUE once the first bytes showed a gzip stream. */
gboolean source_is_gzip(const Source *src);
/* Raw bytes (compressed for gzip) consumed so far. */
guint64 source_bytes_read(const Source *src);
/* Size of the file if it is a regular file, else 0. */
guint64 source_bytes_total(const Source *src);

/* The physical lines of a source, counted on the bytes as they arrive (a
 * count of its own, independent of how records are cut), and the blank
 * lines source_next skipped. Once SOURCE_END was returned, every line is
 * either blank or covered by exactly one handed-out record (rec.lines):
 * the reader checks that sum against `physical` (input.c). A database
 * source has no lines: physical is then 0 and `counted` FALSE. */
typedef struct {
    gboolean counted;
    guint64 physical;
    guint64 blank;
} SourceLines;
void source_lines(const Source *src, SourceLines *out);

/* A producer of canonical CSV records that is not a CSV file (the
 * statement readers, read/stmt.h): its first record is the header. */
typedef struct {
    SourceStatus (*next)(void *self, SourceRecord *rec, GError **error);
    guint64 (*bytes)(const void *self);      /* raw bytes consumed so far */
    const char *(*reason)(const void *self); /* why the last SOURCE_REJECTED */
    void (*free)(void *self);
} SourceRecordsOps;

/* A source whose records come from ops (which must outlive it); takes
 * ownership of self, freed by ops->free. Its lines are not counted
 * (source_lines: counted FALSE). Caller frees with source_free. */
Source *source_from_records(const char *name, const SourceRecordsOps *ops, void *self);
/* Why the record handed out with SOURCE_REJECTED was rejected. */
const char *source_reject_reason(const Source *src);

/* Signals: after source_catch_signals, SIGTERM, SIGINT and SIGHUP only
 * note the signal (a second one kills the process the default way); a
 * read blocked in read(2) then fails, and input_next ends the stream with
 * "interrupted by SIGTERM", so the caller's ordinary failure path removes
 * its temporaries, keeps the previous outputs and records the reason.
 * source_caught_signal is the signal noted, or 0. */
void source_catch_signals(void);
int source_caught_signal(void);
/* "SIGTERM", "SIGINT", "SIGHUP", or "a signal". */
const char *source_signal_name(int sig);

#endif
