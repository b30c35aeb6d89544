/* source_pg.h: the transactions table of a PostgreSQL database as a
 * stream of canonical CSV records.
 *
 * Runs COPY (SELECT ... FROM transactions WHERE ts in [from, to) [AND
 * channel in (...)] ORDER BY ts, tx_id) TO STDOUT on its own connection
 * and hands out each row as one record, after a first record that is the
 * canonical header, so that the decoder reads the database exactly as it
 * reads a canonical CSV file. Timestamps come back in the local time and
 * offset they were loaded with (transactions.ts_offset). The COPY is
 * binary, each row rewritten in the client as the CSV record the text
 * COPY would send (read/copy_binary.h): the server's share of a scan,
 * which competes with the rules for the same cores, halves; see
 * docs/postgres.md for the measurement. */
#ifndef MT_SOURCE_PG_H
#define MT_SOURCE_PG_H

#include <glib.h>
#include <libpq-fe.h>

#include "read/source.h"

typedef struct {
    const char *conninfo; /* libpq connection string or URI; "" = the environment */
    const char *accounts; /* when set, the accounts table is first exported to this file
                           * (db_export_accounts), on the same connection */
    gint64 from;          /* first instant, UTC seconds; G_MININT64 = from the start */
    gint64 to;            /* end, exclusive; G_MAXINT64 = to the end */
    const char *channels; /* "cash_withdrawal,transfer": only rows of these channels;
                           * NULL or "" = every row */
} SourcePgQuery;

typedef struct SourcePg SourcePg;

/* The name used for rows of the database in messages and rejects. */
#define SOURCE_PG_NAME "postgresql:transactions"

/* The column list and order of the query (the canonical CSV header). */
extern const char source_pg_header[];

/* Connects, checks the schema, exports the accounts if asked and starts
 * the COPY, so that the server works while the caller sets up the rest.
 * NULL with error if the database cannot be reached, is not initialised
 * or a query fails. Caller frees with source_pg_free (NULL is ignored). */
SourcePg *source_pg_open(const SourcePgQuery *q, GError **error);
void source_pg_free(SourcePg *s);
/* The next record: the header first, then one row per call. rec->data
 * is writable and borrowed until the next call. */
SourceStatus source_pg_next(SourcePg *s, SourceRecord *rec, GError **error);
/* Bytes of COPY data received so far. */
guint64 source_pg_bytes(const SourcePg *s);
/* The COPY statement that source_pg_open runs for q (its bounds and
 * channels as literals, quoted for conn; conn NULL: for a person to read),
 * also for `moneytrail db scan-sql` and tools/bench-pg. g_free it. */
char *source_pg_copy_sql(PGconn *conn, const SourcePgQuery *q);

#endif
