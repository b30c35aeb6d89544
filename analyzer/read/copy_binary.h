/* copy_binary.h: rows of the transactions table in PostgreSQL's binary
 * COPY format, rewritten as the canonical CSV records the text COPY sends.
 *
 * The server then does not format timestamps and numerics as text (half
 * its work for a scan); the client writes each row as the record the
 * query in text form would have given, byte for byte: the local time as
 * `((ts + ts_offset minutes) AT TIME ZONE 'UTC')::text` followed by the
 * offset ("2024-01-01 01:00:47+01:00"), or `ts::text` in UTC when the
 * offset is 0 ("2024-01-01 00:00:47+00"); amounts as numeric_out writes
 * them (the stored scale); fields quoted as COPY's CSV quotes them. The
 * columns, in order: COPY_BINARY_COLUMNS. */
#ifndef MT_COPY_BINARY_H
#define MT_COPY_BINARY_H

#include <glib.h>

#define COPY_BINARY_COLUMNS                                                                        \
    "tx_id, ts, ts_offset, from_account, to_account, amount, currency, channel, mcc, "             \
    "counterparty_country, location, memo"

typedef enum {
    COPY_BINARY_ROW,  /* out holds the row's CSV record */
    COPY_BINARY_END,  /* the trailer: no more rows */
    COPY_BINARY_NONE, /* the file header alone: no row in this message */
    COPY_BINARY_BAD,  /* not a row of these columns: error says what is wrong */
} CopyBinaryStatus;

/* One CopyData message of a binary COPY of COPY_BINARY_COLUMNS: the first
 * starts with the file header (*header_seen FALSE until it was read).
 * Replaces out's contents with the CSV record (no line end). */
CopyBinaryStatus copy_binary_row(const char *msg, size_t len, gboolean *header_seen, GString *out,
                                 GError **error);

#endif
