/* source_pg.c: COPY ... TO STDOUT as CSV records (see source_pg.h).
 *
 * PostgreSQL sends one CopyData message per row, so a row is a record
 * as it arrives: no splitting, no copying; the buffer libpq allocated is
 * freed on the next call. The range bounds and the channels travel as
 * parameters of set_config, because COPY itself takes no parameters. */
#include "read/source_pg.h"

#include <string.h>

#include "base/db.h"
#include "base/limits.h"
#include "base/tstamp.h"

const char source_pg_header[] = "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,"
                                "counterparty_country,location,memo";

/* ts in the local time it was loaded with: "2024-01-01 00:00:47+01:00". */
#define SOURCE_PG_TS                                                                               \
    "CASE WHEN ts_offset = 0 THEN ts::text ELSE "                                                  \
    "((ts + ts_offset * interval '1 minute') AT TIME ZONE 'UTC')::text "                           \
    "|| CASE WHEN ts_offset < 0 THEN '-' ELSE '+' END "                                            \
    "|| to_char(abs(ts_offset) / 60, 'FM00') || ':' || to_char(abs(ts_offset) % 60, 'FM00') END"

static const char source_pg_sql[] =
    "COPY (SELECT tx_id, " SOURCE_PG_TS ", from_account, to_account, amount, currency, channel, "
    "mcc, counterparty_country, location, memo FROM transactions "
    "WHERE ts >= coalesce(nullif(current_setting('moneytrail.scan_from', true), ''), "
    "'-infinity')::timestamptz "
    "AND ts < coalesce(nullif(current_setting('moneytrail.scan_to', true), ''), "
    "'infinity')::timestamptz "
    "AND (coalesce(current_setting('moneytrail.scan_channels', true), '') = '' "
    "OR channel = ANY (string_to_array(current_setting('moneytrail.scan_channels', true), ','))) "
    "ORDER BY ts, tx_id) TO STDOUT (FORMAT csv)";

struct SourcePg {
    PGconn *conn;
    char *row; /* the last row from libpq, freed on the next call */
    char header[sizeof source_pg_header];
    guint64 line, bytes;
    gboolean header_done, done;
};

const char *source_pg_copy_sql(void)
{
    return source_pg_sql;
}

/* The bound as a parameter: "" (open) or "2024-03-01T00:00:00Z". */
static const char *source_pg_bound(gint64 t, gint64 open, char *buf)
{
    return t == open ? "" : tstamp_format_utc(t, buf);
}

static gboolean source_pg_start(SourcePg *s, const SourcePgQuery *q, GError **error)
{
    char from[32], to[32];
    const char *params[] = {source_pg_bound(q->from, G_MININT64, from),
                            source_pg_bound(q->to, G_MAXINT64, to), q->channels ? q->channels : ""};
    if (!db_command(s->conn, "cannot set the scan range in",
                    "SELECT set_config('moneytrail.scan_from', $1, false), "
                    "set_config('moneytrail.scan_to', $2, false), "
                    "set_config('moneytrail.scan_channels', $3, false)",
                    3, params, error))
        return FALSE;
    PGresult *res = PQexec(s->conn, source_pg_sql);
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
    size_t len = (size_t)n;
    if (len > 0 && s->row[len - 1] == '\n')
        len--;
    *rec = (SourceRecord){s->row, len, ++s->line, 1, 0, 0};
    if (len > LIMIT_LINE_BYTES) {
        rec->len = LIMIT_LINE_BYTES;
        return SOURCE_OVERLONG;
    }
    return SOURCE_RECORD;
}

guint64 source_pg_bytes(const SourcePg *s)
{
    return s->bytes;
}
