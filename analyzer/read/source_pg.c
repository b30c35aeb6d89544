/* source_pg.c: COPY ... TO STDOUT as CSV records (see source_pg.h).
 *
 * PostgreSQL sends one CopyData message per row, so a row is a record
 * as it arrives; the binary COPY's row is rewritten as the text COPY's
 * record (copy_binary.c) into a buffer reused for every row. COPY takes no
 * parameters: the range bounds and the channels are literals in the
 * statement, quoted by libpq, so that the planner sees them and streams
 * the rows from the (ts, tx_id) index instead of sorting them all before
 * the first. */
#include "read/source_pg.h"

#include <string.h>

#include "base/db.h"
#include "base/limits.h"
#include "base/tstamp.h"
#include "read/copy_binary.h"

const char source_pg_header[] = "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,"
                                "counterparty_country,location,memo";

#define SOURCE_PG_SELECT "COPY (SELECT " COPY_BINARY_COLUMNS " FROM transactions"

struct SourcePg {
    PGconn *conn;
    char *row;            /* the last message from libpq, freed on the next call */
    GString *rec;         /* the last row as a CSV record */
    gboolean header_seen; /* the binary COPY's file header was read */
    char header[sizeof source_pg_header];
    guint64 line, bytes;
    gboolean header_done, done;
};

/* Appends s to sql as a literal: by libpq's rules for conn, or, for a
 * person to read (`db scan-sql`), with its quotes doubled. The values are
 * this program's own (UTC timestamps, channel names), never user text. */
static void source_pg_literal(GString *sql, PGconn *conn, const char *s)
{
    char *lit = conn ? PQescapeLiteral(conn, s, strlen(s)) : NULL;
    if (lit) {
        g_string_append(sql, lit);
        PQfreemem(lit);
        return;
    }
    g_string_append_c(sql, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            g_string_append_c(sql, '\'');
        g_string_append_c(sql, *s);
    }
    g_string_append_c(sql, '\'');
}

char *source_pg_copy_sql(PGconn *conn, const SourcePgQuery *q)
{
    GString *sql = g_string_new(SOURCE_PG_SELECT);
    const char *join = " WHERE ";
    char buf[32];
    if (q->from != G_MININT64) {
        g_string_append_printf(sql, "%sts >= ", join);
        source_pg_literal(sql, conn, tstamp_format_utc(q->from, buf));
        join = " AND ";
    }
    if (q->to != G_MAXINT64) {
        g_string_append_printf(sql, "%sts < ", join);
        source_pg_literal(sql, conn, tstamp_format_utc(q->to, buf));
        join = " AND ";
    }
    if (q->channels && *q->channels) {
        g_auto(GStrv) names = g_strsplit(q->channels, ",", -1);
        g_string_append_printf(sql, "%schannel IN (", join);
        for (char **n = names; *n; n++) {
            if (n != names)
                g_string_append(sql, ", ");
            source_pg_literal(sql, conn, *n);
        }
        g_string_append(sql, ")");
    }
    g_string_append(sql, " ORDER BY ts, tx_id) TO STDOUT (FORMAT binary)");
    return g_string_free(sql, FALSE);
}

static gboolean source_pg_start(SourcePg *s, const SourcePgQuery *q, GError **error)
{
    g_autofree char *sql = source_pg_copy_sql(s->conn, q);
    PGresult *res = PQexec(s->conn, sql);
    gboolean ok = PQresultStatus(res) == PGRES_COPY_OUT;
    if (!ok)
        db_set_error(error, s->conn, res, "cannot read transactions from");
    PQclear(res);
    return ok;
}

SourcePg *source_pg_open(const SourcePgQuery *q, GError **error)
{
    SourcePg *s = g_new0(SourcePg, 1);
    memcpy(s->header, source_pg_header, sizeof source_pg_header);
    s->rec = g_string_sized_new(256);
    s->line = 1;
    if (!(s->conn = db_connect(q->conninfo, error)) || !db_check_schema(s->conn, error) ||
        (q->accounts && db_export_accounts(s->conn, q->accounts, error) < 0) ||
        !source_pg_start(s, q, error)) {
        source_pg_free(s);
        return NULL;
    }
    return s;
}

void source_pg_free(SourcePg *s)
{
    if (!s)
        return;
    if (s->row)
        PQfreemem(s->row);
    if (s->conn)
        PQfinish(s->conn); /* closing the socket also ends an unfinished COPY */
    g_string_free(s->rec, TRUE);
    g_free(s);
}

/* The COPY ended: its final result says whether it succeeded. */
static SourceStatus source_pg_end(SourcePg *s, GError **error)
{
    SourceStatus st = SOURCE_END;
    PGresult *res;
    while ((res = PQgetResult(s->conn))) {
        if (st == SOURCE_END && PQresultStatus(res) != PGRES_COMMAND_OK) {
            db_set_error(error, s->conn, res, "cannot read transactions from");
            st = SOURCE_ERROR;
        }
        PQclear(res);
    }
    s->done = TRUE;
    return st;
}

SourceStatus source_pg_next(SourcePg *s, SourceRecord *rec, GError **error)
{
    if (!s->header_done) {
        s->header_done = TRUE;
        *rec = (SourceRecord){s->header, sizeof source_pg_header - 1, 1, 1, 0, 0};
        return SOURCE_RECORD;
    }
    if (s->row) {
        PQfreemem(s->row);
        s->row = NULL;
    }
    if (s->done)
        return SOURCE_END;
    int n = PQgetCopyData(s->conn, &s->row, 0);
    if (n == -1)
        return source_pg_end(s, error);
    if (n < 0) {
        db_set_error(error, s->conn, NULL, "cannot read transactions from");
        return SOURCE_ERROR;
    }
    s->bytes += (guint64)n;
    switch (copy_binary_row(s->row, (size_t)n, &s->header_seen, s->rec, error)) {
    case COPY_BINARY_END:
    case COPY_BINARY_NONE:
        return source_pg_next(s, rec, error);
    case COPY_BINARY_BAD: {
        g_autofree char *where = db_describe(s->conn);
        g_prefix_error(error, "cannot read transactions from %s: row %" G_GUINT64_FORMAT ": ",
                       where, s->line);
        return SOURCE_ERROR;
    }
    case COPY_BINARY_ROW:
        break;
    }
    *rec = (SourceRecord){s->rec->str, s->rec->len, ++s->line, 1, 0, 0};
    if (rec->len > LIMIT_LINE_BYTES) {
        rec->len = LIMIT_LINE_BYTES;
        return SOURCE_OVERLONG;
    }
    return SOURCE_RECORD;
}

guint64 source_pg_bytes(const SourcePg *s)
{
    return s->bytes;
}
