/* decode.h: one CSV record to one canonical transaction (Txn), by a
 * mapping profile bound to a file's header.
 *
 * Per-row problems are not GErrors: decode_row returns a status, and the
 * decoder keeps the 1-based column and a message ("column 5 (amount):
 * '12,3x' is not a number") in a fixed buffer until the next row. Nothing
 * is allocated per row; the Txn's views (tx_id, memo, labels) point into
 * the record or the decoder's row buffer and are valid until the next
 * decode_row. */
#ifndef MT_DECODE_H
#define MT_DECODE_H

#include <glib.h>

#include "read/decode_profile.h"
#include "base/intern.h"
#include "base/txn.h"

/* Reasons a row is rejected; the names are stable (run summary, tests). */
#define DECODE_STATUS_LIST(X)                                                                      \
    X(OK, "ok")                                                                                    \
    X(CSV, "csv_syntax")                                                                           \
    X(FIELD_COUNT, "field_count")                                                                  \
    X(LINE_TOO_LONG, "line_too_long")                                                              \
    X(FIELD_TOO_LONG, "field_too_long")                                                            \
    X(TX_ID, "bad_tx_id")                                                                          \
    X(TIMESTAMP, "bad_timestamp")                                                                  \
    X(ACCOUNT, "bad_account")                                                                      \
    X(AMOUNT, "bad_amount")                                                                        \
    X(CURRENCY, "bad_currency")                                                                    \
    X(CHANNEL, "bad_channel")                                                                      \
    X(MCC, "bad_mcc")                                                                              \
    X(COUNTRY, "bad_country")                                                                      \
    X(UTF8, "invalid_utf8")                                                                        \
    X(LATE, "late")                                                                                \
    X(IMPLAUSIBLE_TIME, "implausible_timestamp")                                                   \
    X(DUPLICATE, "duplicate_tx_id")                                                                \
    X(FX, "no_rate")

typedef enum {
#define X(id, name) DECODE_##id,
    DECODE_STATUS_LIST(X)
#undef X
        DECODE_STATUS_COUNT
} DecodeStatus;

typedef struct Decoder Decoder;

/* A decoder for profile (borrowed, must outlive it), interning accounts and
 * locations into the given tables (borrowed). source_path gives the
 * basename of synthesized tx ids. Caller frees with decode_free. */
Decoder *decode_new(const Profile *profile, Intern *accounts, Intern *locations,
                    const char *source_path);
void decode_free(Decoder *d);
/* Converts every amount with fx (borrowed, may be NULL: none) into its
 * reporting currency; a row it cannot convert is rejected (DECODE_FX). */
struct Fx;
void decode_set_fx(Decoder *d, const struct Fx *fx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Decoder, decode_free)

/* Binds the profile's columns to positions in the header record (split
 * in place). where prefixes the error ("file.csv:1"). FALSE with error if
 * the header is malformed or lacks a required column. */
gboolean decode_bind(Decoder *d, char *header, size_t len, const char *where, GError **error);

/* Decodes one record (rec may be modified in place) of the given line into
 * out. On DECODE_OK, out->core, tx_id, memo, labels and line are set
 * (source_index is left to the caller). Otherwise see decode_message. */
DecodeStatus decode_row(Decoder *d, char *rec, size_t len, guint64 line, Txn *out);

/* The message of the last rejected row, borrowed until the next row. */
const char *decode_message(const Decoder *d);
/* 1-based column of the last error (field number, or character position
 * for CSV syntax errors), 0 if none applies. */
guint decode_column(const Decoder *d);
/* Sets a reject of the decoder's own kind from outside (e.g. an overlong
 * line found by the source, a late row found by the input). */
void decode_set_error(Decoder *d, guint column, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/* Stable name of a status ("bad_amount"). */
const char *decode_status_name(DecodeStatus st);
/* Number of fields of the bound header. */
guint decode_n_fields(const Decoder *d);

#endif
