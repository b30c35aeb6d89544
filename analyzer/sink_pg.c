/* sink_pg.c: alerts stored in PostgreSQL per run (see sink_pg.h).
 *
 * Invariants: between open and commit/abort the connection is inside one
 * transaction, in COPY mode into the temporary table mt_stage_alerts
 * (dropped at commit); the runs row was committed before that transaction
 * began, so a failure can always be recorded. Staged rows are the alerts'
 * JSON Lines form, so the database holds exactly what the JSON file would. */
#include "sink_pg.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "tstamp.h"

#define SINK_PG_FLUSH_BYTES (64 * 1024)

struct SinkPg {
    PGconn *conn;
    char *conninfo; /* kept to record a failure after a lost connection; never printed */
    gint64 run_id;
    gint64 last_watermark;
    gboolean has_last_watermark;
    gboolean copying, failed;
    guint64 alerts;
    GString *buf;  /* COPY text rows not yet sent */
    GString *json; /* scratch: one alert */
    GError *error; /* the first write failure */
};

/* Staged alerts already stored (a re-run) are dropped first, through the
 * primary key; then the rest go in, each statement linear in the alerts. */
static const char sink_pg_dedup_sql[] =
    "DELETE FROM mt_stage_alerts s USING alerts a WHERE a.alert_id = s.doc->>'alert_id'";

static const char sink_pg_insert_sql[] =
    "INSERT INTO alerts (alert_id, rule, rule_version, title, family, strength, score, account,"
    " perspective, window_start, window_end, trigger_tx, currency, \"values\", evidence_total,"
    " explanation, source, run_id)"
    " SELECT doc->>'alert_id', doc->>'rule', (doc->>'rule_version')::int, doc->>'title',"
    " doc->>'family', doc->>'strength', (doc->>'score')::numeric, doc->>'account',"
    " doc->>'perspective', (doc->>'window_start')::timestamptz,"
    " (doc->>'window_end')::timestamptz, doc->>'trigger_tx', doc->>'currency', doc->'values',"
    " (doc->>'evidence_total')::int, doc->>'explanation', doc->>'source', $1::bigint"
    " FROM mt_stage_alerts ORDER BY seq"
    " ON CONFLICT (alert_id) DO NOTHING";

static const char sink_pg_evidence_sql[] =
    "INSERT INTO alert_evidence (alert_id, ordinal, tx_id)"
    " SELECT s.doc->>'alert_id', e.ord, e.tx_id FROM mt_stage_alerts s,"
    " jsonb_array_elements_text(s.doc->'evidence') WITH ORDINALITY AS e(tx_id, ord)"
    " ON CONFLICT (alert_id, ordinal) DO NOTHING";

static const char sink_pg_finish_sql[] =
    "UPDATE runs SET status = 'succeeded', finished = clock_timestamp(),"
    " range_from = nullif($2, '')::timestamptz, range_to = nullif($3, '')::timestamptz,"
    " rows = $4, replayed = $5, rejected = $6, alerts = $7, alerts_new = $8,"
    " watermark = nullif($9, '')::timestamptz WHERE id = $1";

static gboolean sink_pg_begin_run(SinkPg *s, const SinkPgRun *run, GError **error)
{
    const char *what = "cannot record the run in";
    if (!db_command(s->conn, what,
                    "UPDATE runs SET status = 'failed', finished = clock_timestamp(),"
                    " error = 'abandoned: the process ended before the run finished'"
                    " WHERE status = 'running'",
                    0, NULL, error))
        return FALSE;
    PGresult *res = db_exec(s->conn, what,
                            "SELECT extract(epoch FROM max(watermark))::bigint FROM runs"
                            " WHERE status = 'succeeded' AND incremental",
                            0, NULL, error);
    if (!res)
        return FALSE;
    s->has_last_watermark = !PQgetisnull(res, 0, 0);
    s->last_watermark =
        s->has_last_watermark ? g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    const char *params[] = {run->source, run->incremental ? "true" : "false", run->rules_digest};
    res = db_exec(s->conn, what,
                  "INSERT INTO runs (source, incremental, rules_digest) VALUES ($1, $2, $3)"
                  " RETURNING id",
                  3, params, error);
    if (!res)
        return FALSE;
    s->run_id = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return TRUE;
}

static gboolean sink_pg_begin_staging(SinkPg *s, GError **error)
{
    const char *what = "cannot stage alerts in";
    if (!db_command(s->conn, what, "BEGIN", 0, NULL, error) ||
        !db_command(s->conn, what,
                    "CREATE TEMPORARY TABLE mt_stage_alerts (seq bigserial, doc jsonb NOT NULL)"
                    " ON COMMIT DROP",
                    0, NULL, error) ||
        !db_copy_in_begin(s->conn, what, "COPY mt_stage_alerts (doc) FROM STDIN", error))
        return FALSE;
    s->copying = TRUE;
    return TRUE;
}

SinkPg *sink_pg_open(const SinkPgRun *run, GError **error)
{
    SinkPg *s = g_new0(SinkPg, 1);
    s->conninfo = g_strdup(run->conninfo ? run->conninfo : "");
    s->buf = g_string_sized_new(SINK_PG_FLUSH_BYTES * 2);
    s->json = g_string_sized_new(4096);
    if (!(s->conn = db_connect(s->conninfo, error)) || !db_check_schema(s->conn, error) ||
        !db_lock_runs(s->conn, error) || !sink_pg_begin_run(s, run, error)) {
        sink_pg_abort(s, NULL);
        return NULL;
    }
    if (!sink_pg_begin_staging(s, error)) {
        sink_pg_abort(s, (*error)->message);
        return NULL;
    }
    return s;
}

gboolean sink_pg_last_watermark(const SinkPg *s, gint64 *ts)
{
    *ts = s->last_watermark;
    return s->has_last_watermark;
}

gint64 sink_pg_run_id(const SinkPg *s)
{
    return s->run_id;
}

static gboolean sink_pg_flush(SinkPg *s)
{
    if (s->failed)
        return FALSE;
    if (s->buf->len &&
        !db_copy_put(s->conn, "cannot stage alerts in", s->buf->str, s->buf->len, &s->error))
        s->failed = TRUE;
    g_string_truncate(s->buf, 0);
    return !s->failed;
}

gboolean sink_pg_write(SinkPg *s, const Alert *a)
{
    g_string_truncate(s->json, 0);
    alert_to_json(a, s->json);
    /* COPY text format: the JSON has no raw tab or newline but its final
     * one, which ends the row; backslashes are doubled. */
    for (gsize i = 0; i < s->json->len; i++) {
        if (s->json->str[i] == '\\')
            g_string_append_c(s->buf, '\\');
        g_string_append_c(s->buf, s->json->str[i]);
    }
    s->alerts++;
    return s->buf->len < SINK_PG_FLUSH_BYTES || sink_pg_flush(s);
}

/* "" for an open bound, else "2024-03-01T00:00:00Z". */
static const char *sink_pg_ts(gint64 t, gint64 open, char *buf)
{
    return t == open ? "" : tstamp_format_utc(t, buf);
}

static gboolean sink_pg_store(SinkPg *s, const SinkPgTotals *t, guint64 *stored, GError **error)
{
    char id[32], from[32], to[32], rows[32], replayed[32], rejected[32], alerts[32], fresh[32],
        wm[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, s->run_id);
    const char *p1[] = {id};
    const char *what = "cannot store alerts in";
    if (!db_command(s->conn, what, sink_pg_dedup_sql, 0, NULL, error))
        return FALSE;
    PGresult *res = db_exec(s->conn, what, sink_pg_insert_sql, 1, p1, error);
    if (!res)
        return FALSE;
    *stored = g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    if (!db_command(s->conn, what, sink_pg_evidence_sql, 0, NULL, error))
        return FALSE;
    gint64 mark = t->watermark != G_MININT64 ? t->watermark
                  : s->has_last_watermark    ? s->last_watermark
                                             : G_MININT64;
    g_snprintf(rows, sizeof rows, "%" G_GUINT64_FORMAT, t->rows);
    g_snprintf(replayed, sizeof replayed, "%" G_GUINT64_FORMAT, t->replayed);
    g_snprintf(rejected, sizeof rejected, "%" G_GUINT64_FORMAT, t->rejected);
    g_snprintf(alerts, sizeof alerts, "%" G_GUINT64_FORMAT, s->alerts);
    g_snprintf(fresh, sizeof fresh, "%" G_GUINT64_FORMAT, *stored);
    const char *p2[] = {id,
                        sink_pg_ts(t->range_from, G_MININT64, from),
                        sink_pg_ts(t->range_to, G_MAXINT64, to),
                        rows,
                        replayed,
                        rejected,
                        alerts,
                        fresh,
                        sink_pg_ts(mark, G_MININT64, wm)};
    return db_command(s->conn, "cannot record the run in", sink_pg_finish_sql, 9, p2, error) &&
           db_command(s->conn, "cannot commit the run in", "COMMIT", 0, NULL, error);
}

gboolean sink_pg_commit(SinkPg *s, const SinkPgTotals *t, guint64 *stored, GError **error)
{
    gboolean ok = sink_pg_flush(s);
    if (!ok)
        g_propagate_error(error, g_steal_pointer(&s->error));
    else {
        s->copying = FALSE;
        ok = db_copy_in_end(s->conn, "cannot stage alerts in", NULL, error) &&
             sink_pg_store(s, t, stored, error);
    }
    if (!ok) {
        sink_pg_abort(s, (*error)->message);
        return FALSE;
    }
    s->copying = FALSE;
    PQfinish(s->conn);
    s->conn = NULL;
    sink_pg_abort(s, NULL);
    return TRUE;
}

/* Marks the run failed in its own transaction, on a new connection if the
 * run's one is gone. Best effort: the run stays 'running' otherwise, and
 * the next run marks it abandoned. */
static void sink_pg_mark_failed(SinkPg *s, const char *reason)
{
    if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
        if (s->conn)
            PQfinish(s->conn);
        s->conn = db_connect(s->conninfo, NULL);
        if (!s->conn)
            return;
    }
    char id[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, s->run_id);
    const char *params[] = {id, reason};
    db_command(s->conn, "cannot record the failed run in",
               "UPDATE runs SET status = 'failed', finished = clock_timestamp(), error = $2"
               " WHERE id = $1 AND status = 'running'",
               2, params, NULL);
}

void sink_pg_abort(SinkPg *s, const char *reason)
{
    if (!s)
        return;
    if (s->conn && s->copying && PQstatus(s->conn) == CONNECTION_OK)
        db_copy_in_end(s->conn, "cannot stage alerts in", "the run failed", NULL);
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK &&
        PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    if (reason && s->run_id)
        sink_pg_mark_failed(s, reason);
    if (s->conn)
        PQfinish(s->conn);
    if (s->error)
        g_error_free(s->error);
    g_string_free(s->buf, TRUE);
    g_string_free(s->json, TRUE);
    g_free(s->conninfo);
    g_free(s);
}
