/* stmt.h: bank statements and FIU reports read as canonical CSV records.
 *
 * A file handed to moneytrail is recognised by its content (gzip or plain,
 * never by its name): ISO 20022 camt.053 statements and camt.054
 * notifications (read/camt.c), SWIFT MT940 and MT942 (read/mt940.c), goAML
 * reports (read/goaml.c). Each
 * booked entry becomes one record of the canonical CSV (schema/transactions.md)
 * by the mapping of schema/statements.md, so that the decoder, the rejects
 * file and everything after read a statement exactly as a CSV export. The
 * format readers fill a StmtRow; this module maps it (sides, direction,
 * channel, country, transaction id), drops a payment seen before (the same
 * end-to-end id in the sender's and the receiver's statement) and hands out
 * the record. Memory is bounded: a reader holds one entry at a time, and
 * the set of payments seen is capped (LIMIT_STMT_SEEN). */
#ifndef MT_STMT_H
#define MT_STMT_H

#include <glib.h>
#include <libxml/xmlreader.h>
#include <zlib.h>

#include "read/source.h"

typedef enum {
    STMT_NONE = 0, /* not a statement: read as CSV */
    STMT_CAMT053,
    STMT_CAMT054,
    STMT_MT940,
    STMT_XML_OTHER, /* XML, but no message this reader knows */
    STMT_GOAML,     /* a goAML report (<report>): read/goaml.c */
} StmtFormat;

/* The fields a format reader gathers for one entry (one transaction). */
typedef enum {
    STMT_F_ACCOUNT,   /* the statement's account (IBAN or other id) */
    STMT_F_STMT_ID,   /* the statement's id, for messages and the fallback id */
    STMT_F_CPTY,      /* the counterparty's account (IBAN or other id) */
    STMT_F_CPTY_BIC,  /* the counterparty's bank */
    STMT_F_CPTY_NAME, /* the counterparty's name */
    STMT_F_AMOUNT,    /* decimal text, '.' or ',' as decimal mark */
    STMT_F_CURRENCY,  /* ISO 4217 */
    STMT_F_BOOKED,    /* booking date YYYY-MM-DD or date-time */
    STMT_F_VALUE,     /* value date */
    STMT_F_CODE,      /* bank transaction code: "PMNT/RCDT/ESCT", "NTRF", "GVC 166" */
    STMT_F_CODE2,     /* a second code tried when the first maps to nothing */
    STMT_F_E2E,       /* end-to-end id */
    STMT_F_REF,       /* account servicer's reference */
    STMT_F_MEMO,      /* remittance information */
    STMT_F_COUNT
} StmtField;

typedef struct {
    GString *f[STMT_F_COUNT];
    gboolean credit;   /* money came into the statement's account */
    gboolean reversal; /* a reversal (RvslInd, MT940 RC/RD): kept, flagged in the memo */
    guint64 line;      /* line of the entry in its file */
    guint64 ordinal;   /* entry number in the file, for the fallback id */
} StmtRow;

typedef enum {
    STMT_ROW = 0, /* row holds the next entry */
    STMT_REJECT,  /* the entry cannot be mapped: why says so, row holds what was read */
    STMT_END,
    STMT_ERROR, /* the file is malformed: error names file, line, column or path */
} StmtStatus;

/* A format reader: pulls the next entry of the file. Owned by the Stmt. */
typedef struct {
    StmtStatus (*next)(void *self, StmtRow *row, GString *why, GError **error);
    void (*free)(void *self);
} StmtReaderOps;

/* Payments seen, by a 64-bit hash of their key, shared by all the sources
 * of one input so that a payment in two banks' statements counts once. */
typedef struct StmtSeen StmtSeen;
StmtSeen *stmt_seen_new(void);
void stmt_seen_free(StmtSeen *s);
/* TRUE if key is new (and now remembered), FALSE if seen before. */
gboolean stmt_seen_add(StmtSeen *s, guint64 key);

/* What the first bytes of a (decompressed) file are. */
StmtFormat stmt_sniff(const char *buf, size_t n);
/* The name of a format for messages: "camt.053", "MT940", "". */
const char *stmt_format_name(StmtFormat f);

/* Opens path as a statement if its content is one: *out is a Source of
 * canonical CSV records (caller frees with source_free), or NULL when the
 * file is not a statement and must be read as CSV. *seen is created on
 * first use and owned by the caller (stmt_seen_free). FALSE with error
 * when the file cannot be read or is XML of an unknown message. Standard
 * input ("-") is always read as CSV. */
gboolean stmt_open(const char *path, StmtSeen **seen, Source **out, GError **error);

/* The channel of a bank transaction code (schema/bank-codes.tsv): scheme
 * "iso" (DOMN/FMLY/SUBF, or DOMN/FMLY/ *), "swift" (MT940 type, e.g. NTRF)
 * or "gvc" (German business code, 3 digits). Returns the channel name, or
 * NULL if the code is unknown. */
const char *stmt_code_channel(const char *scheme, const char *code);
/* The rows of the code table, for the test that compares it with schema/. */
typedef struct {
    const char *scheme, *code, *channel;
} StmtCode;
const StmtCode *stmt_codes(guint *n);

/* Format readers, each over an opened gzFile (which they do not own). */
void *camt_reader_new(gzFile gz, const char *name, StmtFormat f, const StmtReaderOps **ops,
                      GError **error);
void *mt940_reader_new(gzFile gz, const char *name, const StmtReaderOps **ops);
void *goaml_reader_new(gzFile gz, const char *name, const StmtReaderOps **ops, GError **error);

/* Opens path (gzip or plain) and sniffs its first bytes: *gz positioned at
 * the start (caller closes with gzclose), *f the format. FALSE with error
 * if the file cannot be read. */
gboolean stmt_peek(const char *path, gzFile *gz, StmtFormat *f, GError **error);
/* Appends one CSV field of s[0, n) to out, quoted when it needs to be
 * (newlines become spaces), then a comma unless last. */
void stmt_csv_field(GString *out, const char *s, size_t n, gboolean last);
/* The account holders of a camt.053/.054 statement or a goAML report as
 * records of the accounts (KYC) CSV (read/stmt_parties.c): *out a Source
 * (caller frees with source_free), or NULL when path is CSV or standard
 * input. FALSE with error for an MT940 (it names no holder) or an
 * unreadable file. */
gboolean stmt_parties_open(const char *path, Source **out, GError **error);

/* An XML reader over a gzFile, as every XML format here opens it
 * (read/stmt_xml.c): no DTD, entities or network; the first parse error
 * kept as "file:line:col: malformed XML: ..." in err. */
typedef struct {
    xmlTextReaderPtr xr;
    gzFile gz;  /* borrowed */
    char *name; /* the file's name, for messages */
    GString *err;
} StmtXml;
/* Starts the reader over gz; FALSE with error if libxml2 cannot. Clear x
 * with stmt_xml_clear either way. */
gboolean stmt_xml_init(StmtXml *x, gzFile gz, const char *name, GError **error);
void stmt_xml_clear(StmtXml *x);
/* Sets error from the parse error kept, or a generic one at the reader's line. */
void stmt_xml_fail(StmtXml *x, GError **error);
/* The line of the node the reader is on (the parser itself reads ahead). */
int stmt_xml_line(const StmtXml *x);

/* Prints a warning about a statement (a balance that does not add up). */
void stmt_warn(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Parses decimal text ("1234,56" or "1234.56") into units of 10^-4;
 * FALSE if it is not a plain decimal number. */
gboolean stmt_parse_decimal(const char *s, gint64 *out);
/* Formats units of 10^-4 as a decimal with 2 places into buf (>= 32 bytes). */
const char *stmt_format_decimal(gint64 v, char *buf);

#endif
