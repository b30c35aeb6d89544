/* sink_pg.c: alerts stored in PostgreSQL per run (see sink_pg.h).
 *
 * Invariants: between open and commit/abort the connection is inside one
 * transaction, in COPY mode into the temporary table mt_stage_alerts
 * (dropped at commit); the runs row was committed before that transaction
 * began, so a failure can always be recorded. Staged rows are the alerts'
 * JSON Lines form, so the database holds exactly what the JSON file would. */
#include "out/sink_pg.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/db.h"
#include "base/tstamp.h"

#define SINK_PG_FLUSH_BYTES (64 * 1024)

struct SinkPg {
    PGconn *conn;
    char *conninfo; /* kept to record a failure after a lost connection; never printed */
    gint64 run_id;
    gint64 last_watermark;
    gboolean has_last_watermark;
    gint64 last_run; /* the last succeeded run's id; 0: none */
    gboolean incremental;
    SinkPgLate late;   /* late rows loaded since the last incremental run */
    gint64 late_upto;  /* the last late_loads id read: what this run evaluates */
    GString *rules[2]; /* supersede: the rules' ids and versions (array literals) */
    gint64 supersede_after, supersede_before; /* supersede in (after, before) */
    guint64 superseded;
    char *db_key;     /* database, host and port, for the lost-run notes */
    gboolean staging; /* the transaction and its staging table were started */
    gboolean copying, failed;
    guint64 alerts;
    GString *buf;         /* COPY text rows not yet sent */
    GString *json;        /* scratch: one alert */
    GError *error;        /* the first write failure */
    CkptBlobReader blobs; /* sink_pg_blobs */
};

/* Staged alerts already stored (a re-run) are dropped first, through the
 * primary key; then the rest go in, each statement linear in the alerts. */
static const char sink_pg_dedup_sql[] =
    "DELETE FROM mt_stage_alerts s USING alerts a WHERE a.alert_id = s.doc->>'alert_id'";

static const char sink_pg_insert_sql[] =
    "INSERT INTO alerts (alert_id, rule, rule_version, title, family, strength, score, account,"
    " perspective, window_start, window_end, trigger_tx, currency, \"values\", evidence_total,"
    " role, escalated, indicators, subgraph, explanation, source, run_id, shadow)"
    " SELECT doc->>'alert_id', doc->>'rule', (doc->>'rule_version')::int, doc->>'title',"
    " doc->>'family', doc->>'strength', (doc->>'score')::numeric, doc->>'account',"
    " doc->>'perspective', (doc->>'window_start')::timestamptz,"
    " (doc->>'window_end')::timestamptz, doc->>'trigger_tx', doc->>'currency', doc->'values',"
    " (doc->>'evidence_total')::int, doc->>'role', coalesce((doc->>'escalated')::boolean, false),"
    " doc->'indicators', doc->'subgraph', doc->>'explanation', doc->>'source', $1::bigint,"
    " coalesce((doc->>'shadow')::boolean, false)"
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
    " watermark = nullif($9, '')::timestamptz, late_rows = $10 WHERE id = $1";

/* Marks the late loads this run read as evaluated by it. */
static const char sink_pg_late_done_sql[] =
    "UPDATE late_loads SET evaluated_by = $1 WHERE evaluated_by IS NULL AND id <= $2";

/* Untriaged alerts of this run's rules in the range it evaluated again
 * that it no longer raises: superseded (kept, with the run). Runs before
 * sink_pg_dedup_sql drops the staged alerts already stored. */
static const char sink_pg_supersede_sql[] =
    "UPDATE alerts a SET superseded_by = $1, superseded_at = clock_timestamp()"
    " FROM unnest($2::text[], $3::int[]) AS r(rule, version)"
    " WHERE a.rule = r.rule AND a.rule_version = r.version AND a.superseded_by IS NULL"
    " AND a.window_end > to_timestamp($4::bigint)"
    " AND ($5::bigint IS NULL OR a.window_end < to_timestamp($5::bigint))"
    " AND a.triage_status = 'new' AND NOT EXISTS (SELECT 1 FROM alert_triage t"
    "  WHERE t.alert_id = a.alert_id)"
    " AND NOT EXISTS (SELECT 1 FROM mt_stage_alerts s WHERE s.doc->>'alert_id' = a.alert_id)";

/* A superseded alert raised again (by a later correction) is active again. */
static const char sink_pg_revive_sql[] =
    "UPDATE alerts a SET superseded_by = NULL, superseded_at = NULL FROM mt_stage_alerts s"
    " WHERE a.superseded_by IS NOT NULL AND a.alert_id = s.doc->>'alert_id'";

/* The folder of the lost-run notes: $XDG_STATE_HOME/moneytrail/lost-runs
 * (~/.local/state/... by default); caller frees. */
static char *sink_pg_lost_dir(void)
{
    return g_build_filename(g_get_user_state_dir(), "moneytrail", "lost-runs", NULL);
}

/* "KEY-" where KEY names the database by its name, host and port. */
static char *sink_pg_db_key(PGconn *conn)
{
    g_autofree char *id = g_strdup_printf("%s\n%s\n%s", PQdb(conn), PQhost(conn), PQport(conn));
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, id, -1);
    return g_strdup_printf("%.16s-", sum);
}

/* Keeps the reason of a run whose failure could not be recorded (both
 * connections lost) in a note that the next run against this database
 * carries into the run record. Best effort, like the record itself. */
static void sink_pg_lost_run_note(const SinkPg *s, const char *reason)
{
    g_autofree char *dir = sink_pg_lost_dir();
    g_autofree char *name = g_strdup_printf("%s%" G_GINT64_FORMAT, s->db_key, s->run_id);
    g_autofree char *path = g_build_filename(dir, name, NULL);
    if (g_mkdir_with_parents(dir, 0700) == 0)
        g_file_set_contents_full(path, reason, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, NULL);
}

/* Records the notes of lost runs of this database (see
 * sink_pg_lost_run_note) as their reason, and removes them. */
static gboolean sink_pg_lost_runs_apply(SinkPg *s, GError **error)
{
    g_autofree char *dir = sink_pg_lost_dir();
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        char *end;
        if (!g_str_has_prefix(name, s->db_key))
            continue;
        gint64 id = g_ascii_strtoll(name + strlen(s->db_key), &end, 10);
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autofree char *reason = NULL;
        if (*end || id <= 0 || !g_file_get_contents(path, &reason, NULL, NULL))
            continue;
        char num[32];
        g_snprintf(num, sizeof num, "%" G_GINT64_FORMAT, id);
        g_autofree char *why = g_strdup_printf(
            "%s (the run lost its database connections; the reason was noted locally)", reason);
        const char *params[] = {num, why};
        if (!db_command(s->conn, "cannot record the run in",
                        "UPDATE runs SET status = 'failed', finished = clock_timestamp(),"
                        " error = $2 WHERE id = $1 AND status = 'running'",
                        2, params, error))
            return FALSE;
        unlink(path);
    }
    return TRUE;
}

/* The late loads not yet evaluated: their rows and earliest time, and
 * the last id, so that a load committed meanwhile waits for the next run. */
static gboolean sink_pg_read_late(SinkPg *s, GError **error)
{
    PGresult *res =
        db_exec(s->conn, "cannot read the late loads of",
                "SELECT coalesce(sum(rows), 0), extract(epoch FROM min(earliest))::bigint,"
                " coalesce(max(id), 0) FROM late_loads WHERE evaluated_by IS NULL",
                0, NULL, error);
    if (!res)
        return FALSE;
    s->late.rows = g_ascii_strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    s->late.earliest = s->late.rows ? g_ascii_strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
    s->late_upto = g_ascii_strtoll(PQgetvalue(res, 0, 2), NULL, 10);
    PQclear(res);
    return TRUE;
}

/* The last incremental watermark and, for an incremental run, the late
 * loads not yet evaluated. */
static gboolean sink_pg_read_plan(SinkPg *s, const SinkPgRun *run, GError **error)
{
    PGresult *res = db_exec(s->conn, "cannot record the run in",
                            "SELECT extract(epoch FROM max(watermark) FILTER (WHERE incremental))"
                            "::bigint, coalesce(max(id), 0) FROM runs WHERE status = 'succeeded'",
                            0, NULL, error);
    if (!res)
        return FALSE;
    s->has_last_watermark = !PQgetisnull(res, 0, 0);
    s->last_watermark =
        s->has_last_watermark ? g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    s->last_run = g_ascii_strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    s->incremental = run->incremental;
    return !run->incremental || sink_pg_read_late(s, error);
}

static gboolean sink_pg_begin_run(SinkPg *s, const SinkPgRun *run, GError **error)
{
    const char *what = "cannot record the run in";
    if (!sink_pg_lost_runs_apply(s, error))
        return FALSE;
    if (!db_command(s->conn, what,
                    "UPDATE runs SET status = 'failed', finished = clock_timestamp(),"
                    " error = 'abandoned: the process ended before the run finished'"
                    " WHERE status = 'running'",
                    0, NULL, error) ||
        !sink_pg_read_plan(s, run, error))
        return FALSE;
    const char *params[] = {run->source, run->incremental ? "true" : "false", run->rules_digest};
    PGresult *res =
        db_exec(s->conn, what,
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
    if (!(s->conn = db_connect(s->conninfo, error)) || !(s->db_key = sink_pg_db_key(s->conn)) ||
        !db_check_schema(s->conn, error) ||
        (run->plan_only ? !sink_pg_read_plan(s, run, error)
                        : !db_lock_runs(s->conn, error) || !sink_pg_begin_run(s, run, error))) {
        sink_pg_abort(s, NULL);
        return NULL;
    }
    return s;
}

gboolean sink_pg_failed_run(const SinkPgRun *run, const char *reason, GError **error)
{
    PGconn *conn = db_connect(run->conninfo ? run->conninfo : "", error);
    const char *params[] = {run->source, run->incremental ? "true" : "false", run->rules_digest,
                            reason};
    gboolean ok =
        conn && db_check_schema(conn, error) &&
        db_command(conn, "cannot record the failed run in",
                   "INSERT INTO runs (source, incremental, rules_digest, status, finished,"
                   " error) VALUES ($1, $2, $3, 'failed', clock_timestamp(), $4)",
                   4, params, error);
    if (conn)
        PQfinish(conn);
    return ok;
}

gint64 sink_pg_last_run(const SinkPg *s)
{
    return s->last_run;
}

gboolean sink_pg_last_watermark(const SinkPg *s, gint64 *ts)
{
    *ts = s->last_watermark;
    return s->has_last_watermark;
}

/* The first alert of the chain still going on for each rule and account
 * (a chain breaks where two alerts are window + 2 x suppress apart), minus
 * 2 x window + suppress; the minimum over all of them, or NULL. */
static const char sink_pg_chain_sql[] =
    "WITH r AS (SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::bigint[])"
    "  AS r(rule, version, w, s)),"
    " g AS (SELECT a.rule, a.account, r.w, r.s,"
    "  extract(epoch FROM a.window_end)::bigint AS t,"
    "  extract(epoch FROM a.window_end - lag(a.window_end) OVER p)::bigint AS gap,"
    "  extract(epoch FROM max(a.window_end) OVER (PARTITION BY a.rule, a.account))::bigint AS last"
    "  FROM alerts a JOIN r ON r.rule = a.rule AND r.version = a.rule_version"
    "  WHERE a.window_end <= to_timestamp($5::bigint) AND a.superseded_by IS NULL"
    "  WINDOW p AS (PARTITION BY a.rule, a.account ORDER BY a.window_end))"
    " SELECT min(start - 2 * w - s) FROM (SELECT w, s, max(t) AS start FROM g"
    "  WHERE last > $5::bigint - w - 2 * s AND (gap IS NULL OR gap >= w + 2 * s)"
    "  GROUP BY rule, account, w, s) AS c";

/* Appends v to a PostgreSQL array literal being built in a. */
static void sink_pg_array_add(GString *a, const char *v)
{
    g_string_append(a, a->len > 1 ? ",\"" : "\"");
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\')
            g_string_append_c(a, '\\');
        g_string_append_c(a, *p);
    }
    g_string_append_c(a, '"');
}

/* Appends a rule's id and version, and with n = 4 its look-back (window
 * and baseline) and suppression, to the array literals arr[0..n-1]. */
static void sink_pg_rule_add(GString **arr, int n, const Rule *r)
{
    char num[3][32];
    g_snprintf(num[0], 32, "%d", r->version);
    g_snprintf(num[1], 32, "%" G_GINT64_FORMAT, r->window + r->baseline);
    g_snprintf(num[2], 32, "%" G_GINT64_FORMAT, r->suppress);
    sink_pg_array_add(arr[0], r->id);
    for (int k = 0; k + 1 < n; k++)
        sink_pg_array_add(arr[k + 1], num[k]);
}

gboolean sink_pg_replay_start(SinkPg *s, const RuleSet *rs, gint64 watermark, gint64 *start,
                              GError **error)
{
    GString *arr[4];
    gint64 span = 0;
    for (int i = 0; i < 4; i++)
        arr[i] = g_string_new("{");
    for (guint i = 0; i < rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(rs->rules, i);
        sink_pg_rule_add(arr, 4, r);
        span = MAX(span, 2 * (r->window + r->baseline) + r->suppress);
    }
    char wm[32];
    g_snprintf(wm, sizeof wm, "%" G_GINT64_FORMAT, watermark);
    for (int i = 0; i < 4; i++)
        g_string_append_c(arr[i], '}');
    const char *params[] = {arr[0]->str, arr[1]->str, arr[2]->str, arr[3]->str, wm};
    PGresult *res =
        db_exec(s->conn, "cannot read the alert history of", sink_pg_chain_sql, 5, params, error);
    for (int i = 0; i < 4; i++)
        g_string_free(arr[i], TRUE);
    if (!res)
        return FALSE;
    *start = watermark - span;
    if (!PQgetisnull(res, 0, 0))
        *start = MIN(*start, g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10));
    PQclear(res);
    return TRUE;
}

void sink_pg_late(const SinkPg *s, SinkPgLate *late)
{
    *late = s->late;
}

void sink_pg_supersede(SinkPg *s, const RuleSet *rs, gint64 after, gint64 before)
{
    for (int i = 0; i < 2; i++) {
        if (s->rules[i]) /* asked again: the new range holds */
            g_string_free(s->rules[i], TRUE);
        s->rules[i] = g_string_new("{");
    }
    for (guint i = 0; i < rs->rules->len; i++)
        sink_pg_rule_add(s->rules, 2, g_ptr_array_index(rs->rules, i));
    for (guint i = 0; rs->typologies && i < rs->typologies->len; i++)
        sink_pg_rule_add(s->rules, 2,
                         &((const Typology *)g_ptr_array_index(rs->typologies, i))->rule);
    for (int i = 0; i < 2; i++)
        g_string_append_c(s->rules[i], '}');
    s->supersede_after = after;
    s->supersede_before = before;
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

gboolean sink_pg_write_json(SinkPg *s, const char *json, gsize len)
{
    if (!s->staging && !s->failed) {
        s->staging = TRUE;
        if (!sink_pg_begin_staging(s, &s->error))
            s->failed = TRUE;
    }
    /* COPY text format: the JSON has no raw tab or newline; the row ends
     * with a newline; backslashes are doubled. */
    for (gsize i = 0; i < len; i++) {
        if (json[i] == '\\')
            g_string_append_c(s->buf, '\\');
        g_string_append_c(s->buf, json[i]);
    }
    g_string_append_c(s->buf, '\n');
    s->alerts++;
    return s->buf->len < SINK_PG_FLUSH_BYTES || sink_pg_flush(s);
}

gboolean sink_pg_write(SinkPg *s, const Alert *a)
{
    g_string_truncate(s->json, 0);
    alert_to_json(a, s->json);
    return sink_pg_write_json(s, s->json->str, s->json->len - 1); /* without its newline */
}

/* "" for an open bound, else "2024-03-01T00:00:00Z". */
static const char *sink_pg_ts(gint64 t, gint64 open, char *buf)
{
    return t == open ? "" : tstamp_format_utc(t, buf);
}

/* The state is stored in engine_state_parts (migration 008) as parts of
 * STATE_PART bytes, each a plain row that fits one page: one binary COPY
 * writes them and one scan reads them back, with no TOAST chunks, no
 * escaping and no value of the whole state's size in libpq's buffers. */
#define STATE_PART 8000

static void put_be(guint8 *p, guint64 v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (guint8)v;
}

static guint64 get_be(const guint8 *p, int n)
{
    guint64 v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* A binary COPY of state parts under way: rows ([key,] at, data) in
 * COPY's binary format (a header, per row its field count and each
 * field's length and bytes, big-endian, and a trailer), put a megabyte at
 * a time, which libpq sends in a few large writes rather than one per row. */
typedef struct {
    SinkPg *s;
    const char *what;
    GByteArray *buf;
} PartCopy;

static gboolean parts_begin(PartCopy *c, SinkPg *s, const char *what, const char *sql,
                            GError **error)
{
    static const guint8 head[19] = "PGCOPY\n\377\r\n";
    *c = (PartCopy){s, what, NULL};
    if (!db_copy_in_begin(s->conn, what, sql, error))
        return FALSE;
    c->buf = g_byte_array_sized_new(128 * (STATE_PART + 30) + sizeof head);
    g_byte_array_append(c->buf, head, sizeof head);
    return TRUE;
}

/* The n bytes at data as parts at their offsets, under key (key < 0:
 * rows of engine_state_parts, which have none). */
static gboolean parts_put(PartCopy *c, gint64 key, const guint8 *data, gsize n, GError **error)
{
    for (gsize at = 0; at < n; at += STATE_PART) {
        gsize len = MIN(STATE_PART, n - at);
        guint8 row[2 + 12 + 12 + 4], *p = row;
        put_be(p, key < 0 ? 2 : 3, 2);
        p += 2;
        if (key >= 0) {
            put_be(p, 8, 4);
            put_be(p + 4, (guint64)key, 8);
            p += 12;
        }
        put_be(p, 8, 4);
        put_be(p + 4, at, 8);
        put_be(p + 12, len, 4);
        p += 16;
        g_byte_array_append(c->buf, row, (guint)(p - row));
        g_byte_array_append(c->buf, data + at, (guint)len);
        if (c->buf->len >= 127 * (STATE_PART + 30)) {
            if (!db_copy_put(c->s->conn, c->what, (const char *)c->buf->data, c->buf->len, error))
                return FALSE;
            g_byte_array_set_size(c->buf, 0);
        }
    }
    return TRUE;
}

static gboolean parts_end(PartCopy *c, gboolean ok, GError **error)
{
    static const guint8 trailer[2] = {0xff, 0xff};
    if (c->buf)
        g_byte_array_append(c->buf, trailer, sizeof trailer);
    ok = ok && db_copy_put(c->s->conn, c->what, (const char *)c->buf->data, c->buf->len, error) &&
         db_copy_in_end(c->s->conn, c->what, NULL, error);
    if (c->buf)
        g_byte_array_free(c->buf, TRUE);
    return ok;
}

/* For the tests of what a killed run leaves: MONEYTRAIL_TEST_KILL=state
 * kills the process once the state is written in the run's transaction,
 * before its commit. */
static void sink_pg_test_kill(void)
{
    if (g_strcmp0(g_getenv("MONEYTRAIL_TEST_KILL"), "state") == 0)
        raise(SIGKILL);
}

/* The state's payload into engine_state_parts (TRUNCATE, not DELETE: the
 * old parts leave no dead rows behind), and its blobs into
 * engine_state_blobs: the stored ones it does not name deleted (expired
 * chunks, and every one when the run did not start from the stored
 * state), its fresh ones inserted. */
static gboolean sink_pg_state_write(SinkPg *s, const char *what, const CkptSave *save,
                                    GError **error)
{
    g_autoptr(GString) keep = g_string_new("{");
    for (guint i = 0; i < save->blobs->len; i++) {
        const CkptBlob *b = &g_array_index(save->blobs, CkptBlob, i);
        if (!b->fresh)
            g_string_append_printf(keep, "%s%" G_GUINT64_FORMAT, keep->len > 1 ? "," : "", b->key);
    }
    g_string_append_c(keep, '}');
    const char *p[] = {keep->str};
    gsize n;
    const guint8 *data = g_bytes_get_data(save->bytes, &n);
    PartCopy c;
    if (!db_command(s->conn, what, "TRUNCATE engine_state_parts", 0, NULL, error) ||
        !parts_begin(&c, s, what, "COPY engine_state_parts (at, data) FROM STDIN (FORMAT binary)",
                     error) ||
        !parts_end(&c, parts_put(&c, -1, data, n, error), error) ||
        !db_command(s->conn, what, "DELETE FROM engine_state_blobs WHERE key <> ALL ($1::bigint[])",
                    1, p, error) ||
        !parts_begin(&c, s, what,
                     "COPY engine_state_blobs (key, at, data) FROM STDIN (FORMAT binary)", error))
        return FALSE;
    gboolean ok = TRUE;
    for (guint i = 0; i < save->blobs->len && ok; i++) {
        const CkptBlob *b = &g_array_index(save->blobs, CkptBlob, i);
        if (b->fresh)
            ok = parts_put(&c, (gint64)b->key, b->data, b->size, error);
    }
    if (!parts_end(&c, ok, error))
        return FALSE;
    sink_pg_test_kill();
    return TRUE;
}

/* An incremental run's checkpoint: what it did with one, in runs, and the
 * state it leaves in engine_state, its parts and its blobs (the only one
 * kept), in the run's transaction. */
static gboolean sink_pg_checkpoint_write(SinkPg *s, const SinkPgTotals *t, gint64 mark,
                                         GError **error)
{
    const char *what = "cannot store the engine state in";
    char id[32], rd[32], wr[32], wm[32], fr[32], ms[32];
    guint64 fresh = 0, all = t->state ? ckpt_save_bytes(t->state, &fresh) : 0;
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, s->run_id);
    g_snprintf(rd, sizeof rd, "%" G_GUINT64_FORMAT, t->checkpoint_read);
    g_snprintf(wr, sizeof wr, "%" G_GUINT64_FORMAT, all);
    g_snprintf(fr, sizeof fr, "%" G_GUINT64_FORMAT, fresh);
    g_snprintf(ms, sizeof ms, "%.0f", t->checkpoint_load * 1000);
    const char *p1[] = {id, t->checkpoint, rd, t->state ? wr : NULL, t->state ? fr : NULL, ms};
    if (t->checkpoint &&
        !db_command(s->conn, what,
                    "UPDATE runs SET checkpoint = $2, checkpoint_read_bytes = $3::bigint,"
                    " checkpoint_bytes = $4::bigint, checkpoint_written_bytes = $5::bigint,"
                    " checkpoint_load_ms = $6::bigint WHERE id = $1",
                    6, p1, error))
        return FALSE;
    if (!t->state || mark == G_MININT64)
        return TRUE;
    g_snprintf(wm, sizeof wm, "%" G_GINT64_FORMAT, mark);
    g_snprintf(wr, sizeof wr, "%" G_GSIZE_FORMAT, g_bytes_get_size(t->state->bytes));
    const char *p2[] = {id, wm, wr}; /* engine_state.bytes: its parts' */
    return db_command(s->conn, what, "DELETE FROM engine_state", 0, NULL, error) &&
           sink_pg_state_write(s, what, t->state, error) &&
           db_command(s->conn, what,
                      "INSERT INTO engine_state (run_id, watermark, bytes)"
                      " VALUES ($1::bigint, to_timestamp($2::bigint), $3::bigint)",
                      3, p2, error);
}

/* Reads the rows of sql, a COPY ... TO STDOUT (FORMAT binary) of rows
 * ([key,] at, data) (keyed: three fields), calling row for each. COPY
 * sends the rows as a stream that libpq reads in large pieces: several
 * times faster here than a query in single-row mode, which wakes the
 * client for every 8,000-byte row. A row of another shape fails it. */
typedef void (*PartRow)(gpointer ctx, guint64 key, guint64 at, const char *data, gsize len);

static gboolean parts_read(SinkPg *s, const char *sql, gboolean keyed, PartRow row, gpointer ctx,
                           GError **error)
{
    const char *what = "cannot read the engine state from";
    PGresult *res = PQexec(s->conn, sql);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        db_set_error(error, s->conn, res, what);
        PQclear(res);
        return FALSE;
    }
    PQclear(res);
    gboolean ok = TRUE, head = TRUE;
    char *buf;
    int n;
    while ((n = PQgetCopyData(s->conn, &buf, 0)) > 0) {
        const char *p = buf, *end = buf + n;
        if (head && ok) { /* the signature, flags and header extension */
            ok = n >= 19 && memcmp(p, "PGCOPY\n\377\r\n", 11) == 0 &&
                 get_be((const guint8 *)p + 15, 4) <= (guint64)(n - 19);
            p += ok ? 19 + get_be((const guint8 *)p + 15, 4) : 0;
            head = FALSE;
        }
        int fields = keyed ? 3 : 2;
        if (ok && end - p >= 2 && (gint16)get_be((const guint8 *)p, 2) == -1)
            p = end; /* the trailer */
        else if (ok) {
            const char *f[3];
            gsize len[3] = {0, 0, 0};
            ok = end - p >= 2 && (int)get_be((const guint8 *)p, 2) == fields;
            p += 2;
            for (int i = 0; ok && i < fields; i++) {
                ok = end - p >= 4 && get_be((const guint8 *)p, 4) <= (guint64)(end - p - 4);
                len[i] = ok ? get_be((const guint8 *)p, 4) : 0;
                f[i] = p + 4;
                p += 4 + len[i];
            }
            ok = ok && p == end && len[0] == 8 && (!keyed || len[1] == 8);
            if (ok)
                row(ctx, keyed ? get_be((const guint8 *)f[0], 8) : 0,
                    get_be((const guint8 *)f[keyed], 8), f[fields - 1], len[fields - 1]);
        }
        PQfreemem(buf);
    }
    res = PQgetResult(s->conn);
    if (n == -2 || PQresultStatus(res) != PGRES_COMMAND_OK) {
        db_set_error(error, s->conn, res, what);
        ok = FALSE;
    } else if (!ok)
        g_set_error(error, DB_ERROR, DB_ERROR_QUERY,
                    "%s the database: a row of the state has "
                    "another shape",
                    what);
    PQclear(res);
    while ((res = PQgetResult(s->conn)))
        PQclear(res);
    return ok;
}

/* The parts of the stored state into a buffer of size bytes; got counts
 * the bytes they cover. A part outside the state is counted as missing:
 * what is left is then shorter than its header says, and the checkpoint
 * reader says it is truncated. */
typedef struct {
    guint8 *buf;
    gsize size, got;
} PartsInto;

static void part_into(gpointer ctx, guint64 key, guint64 at, const char *data, gsize len)
{
    PartsInto *in = ctx;
    (void)key;
    if (at <= in->size && len <= in->size - at) {
        memcpy(in->buf + at, data, len);
        in->got += len;
    }
}

gboolean sink_pg_checkpoint_read(SinkPg *s, GBytes **state, gint64 *watermark, GError **error)
{
    *state = NULL;
    const char *what = "cannot read the engine state from";
    PGresult *res = db_exec(s->conn, what,
                            "SELECT bytes, extract(epoch FROM watermark)::bigint"
                            " FROM engine_state ORDER BY run_id DESC LIMIT 1",
                            0, NULL, error);
    if (!res)
        return FALSE;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return TRUE;
    }
    gint64 bytes = g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    *watermark = g_ascii_strtoll(PQgetvalue(res, 0, 1), NULL, 10);
    PQclear(res);
    guint8 *buf = bytes > 0 ? g_try_malloc0((gsize)bytes) : NULL;
    if (bytes > 0 && !buf) {
        g_set_error(error, DB_ERROR, DB_ERROR_QUERY,
                    "%s the database: %" G_GINT64_FORMAT " bytes do not fit in memory", what,
                    bytes);
        return FALSE;
    }
    PartsInto in = {buf, (gsize)MAX(bytes, 0), 0};
    if (buf &&
        !parts_read(s, "COPY (SELECT at, data FROM engine_state_parts) TO STDOUT (FORMAT binary)",
                    FALSE, part_into, &in, error)) {
        g_free(buf);
        return FALSE;
    }
    *state = g_bytes_new_take(buf, MIN(in.got, in.size));
    return TRUE;
}

/* The blobs a load wants, by key, and the bytes each got. */
typedef struct {
    const CkptBlobWant *w;
    GHashTable *at_key; /* key -> index + 1 */
    gsize *got;
} BlobsInto;

static void blob_into(gpointer ctx, guint64 key, guint64 at, const char *data, gsize len)
{
    BlobsInto *in = ctx;
    guint i = GPOINTER_TO_UINT(g_hash_table_lookup(in->at_key, &key));
    if (!i--)
        return;
    if (at <= in->w[i].size && len <= in->w[i].size - at) {
        memcpy((guint8 *)in->w[i].dst + at, data, len);
        in->got[i] += len;
    } else
        in->got[i] = in->w[i].size + 1; /* a part past its end */
}

/* CkptBlobReader.read: the parts of the blobs wanted, read by one COPY,
 * each straight into its place. */
static gboolean sink_pg_blob_read(gpointer ctx, const CkptBlobWant *w, guint n, char **why)
{
    SinkPg *s = ctx;
    g_autoptr(GHashTable) at_key = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_autofree gsize *got = g_new0(gsize, n);
    g_autoptr(GString) sql = g_string_new("COPY (SELECT key, at, data FROM engine_state_blobs "
                                          "WHERE key = ANY ('{");
    for (guint i = 0; i < n; i++) {
        g_hash_table_insert(at_key, (gpointer)&w[i].key, GUINT_TO_POINTER(i + 1));
        g_string_append_printf(sql, "%s%" G_GUINT64_FORMAT, i ? "," : "", w[i].key);
    }
    g_string_append(sql, "}'::bigint[])) TO STDOUT (FORMAT binary)");
    BlobsInto in = {w, at_key, got};
    g_autoptr(GError) err = NULL;
    if (!parts_read(s, sql->str, TRUE, blob_into, &in, &err)) {
        *why = g_strdup(err->message);
        return FALSE;
    }
    for (guint i = 0; i < n; i++)
        if (got[i] != w[i].size) {
            *why = g_strdup_printf("engine_state_blobs does not hold the %" G_GSIZE_FORMAT
                                   " bytes of the chunk %" G_GUINT64_FORMAT " the state names",
                                   w[i].size, w[i].key);
            return FALSE;
        }
    return TRUE;
}

const CkptBlobReader *sink_pg_blobs(SinkPg *s)
{
    s->blobs = (CkptBlobReader){sink_pg_blob_read, s};
    return &s->blobs;
}

/* Marks the run succeeded with its counts and commits. */
static gboolean sink_pg_record(SinkPg *s, const SinkPgTotals *t, guint64 stored, GError **error)
{
    char id[32], from[32], to[32], rows[32], replayed[32], rejected[32], alerts[32], fresh[32],
        wm[32], late[32], upto[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, s->run_id);
    gint64 mark = t->watermark != G_MININT64 ? t->watermark
                  : s->has_last_watermark    ? s->last_watermark
                                             : G_MININT64;
    g_snprintf(rows, sizeof rows, "%" G_GUINT64_FORMAT, t->rows);
    g_snprintf(replayed, sizeof replayed, "%" G_GUINT64_FORMAT, t->replayed);
    g_snprintf(rejected, sizeof rejected, "%" G_GUINT64_FORMAT, t->rejected);
    g_snprintf(alerts, sizeof alerts, "%" G_GUINT64_FORMAT, s->alerts);
    g_snprintf(fresh, sizeof fresh, "%" G_GUINT64_FORMAT, stored);
    g_snprintf(late, sizeof late, "%" G_GUINT64_FORMAT, t->late_rows);
    g_snprintf(upto, sizeof upto, "%" G_GINT64_FORMAT, s->late_upto);
    const char *p2[] = {id,
                        sink_pg_ts(t->range_from, G_MININT64, from),
                        sink_pg_ts(t->range_to, G_MAXINT64, to),
                        rows,
                        replayed,
                        rejected,
                        alerts,
                        fresh,
                        sink_pg_ts(mark, G_MININT64, wm),
                        late};
    const char *p3[] = {id, upto};
    return db_command(s->conn, "cannot record the run in", sink_pg_finish_sql, 10, p2, error) &&
           sink_pg_checkpoint_write(s, t, mark, error) &&
           (!s->incremental ||
            db_command(s->conn, "cannot record the run in", sink_pg_late_done_sql, 2, p3, error)) &&
           db_command(s->conn, "cannot commit the run in", "COMMIT", 0, NULL, error);
}

/* Supersedes the stored alerts this run no longer raises in the range it
 * evaluated again, and revives superseded ones it raises. */
static gboolean sink_pg_supersede_run(SinkPg *s, GError **error)
{
    char id[32], after[32], before[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, s->run_id);
    g_snprintf(after, sizeof after, "%" G_GINT64_FORMAT, s->supersede_after);
    g_snprintf(before, sizeof before, "%" G_GINT64_FORMAT, s->supersede_before);
    const char *params[] = {id, s->rules[0]->str, s->rules[1]->str, after,
                            s->supersede_before == G_MAXINT64 ? NULL : before};
    const char *what = "cannot supersede alerts in";
    PGresult *res = db_exec(s->conn, what, sink_pg_supersede_sql, 5, params, error);
    if (!res)
        return FALSE;
    s->superseded = g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return db_command(s->conn, what, sink_pg_revive_sql, 0, NULL, error);
}

/* Moves the staged alerts into alerts and alert_evidence, then records the run. */
static gboolean sink_pg_store(SinkPg *s, const SinkPgTotals *t, guint64 *stored, GError **error)
{
    char id[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, s->run_id);
    const char *p1[] = {id};
    const char *what = "cannot store alerts in";
    *stored = 0;
    if (!s->staging) /* no alert: only the run is recorded */
        return db_command(s->conn, what, "BEGIN", 0, NULL, error) && sink_pg_record(s, t, 0, error);
    if (s->rules[0] && !sink_pg_supersede_run(s, error))
        return FALSE;
    if (!db_command(s->conn, what, sink_pg_dedup_sql, 0, NULL, error))
        return FALSE;
    PGresult *res = db_exec(s->conn, what, sink_pg_insert_sql, 1, p1, error);
    if (!res)
        return FALSE;
    *stored = g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return db_command(s->conn, what, sink_pg_evidence_sql, 0, NULL, error) &&
           sink_pg_record(s, t, *stored, error);
}

gboolean sink_pg_commit(SinkPg *s, const SinkPgTotals *t, SinkPgStored *out, GError **error)
{
    guint64 *stored = &out->fresh;
    /* superseding compares with the staged alerts: stage none if need be */
    if (s->rules[0] && !s->staging && !s->failed) {
        s->staging = TRUE;
        s->failed = !sink_pg_begin_staging(s, &s->error);
    }
    gboolean ok = !s->failed && (!s->staging || sink_pg_flush(s));
    if (!ok)
        g_propagate_error(error, g_steal_pointer(&s->error));
    else {
        gboolean was_copying = s->copying;
        s->copying = FALSE;
        ok = (!was_copying || db_copy_in_end(s->conn, "cannot stage alerts in", NULL, error)) &&
             sink_pg_store(s, t, stored, error);
    }
    if (!ok) {
        sink_pg_abort(s, (*error)->message);
        return FALSE;
    }
    s->copying = FALSE;
    out->superseded = s->superseded;
    PQfinish(s->conn);
    s->conn = NULL;
    sink_pg_abort(s, NULL);
    return TRUE;
}

static gboolean sink_pg_record_failed(PGconn *conn, gint64 run_id, const char *reason)
{
    char id[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, run_id);
    const char *params[] = {id, reason};
    return conn && PQstatus(conn) == CONNECTION_OK &&
           db_command(conn, "cannot record the failed run in",
                      "UPDATE runs SET status = 'failed', finished = clock_timestamp(), error = $2"
                      " WHERE id = $1 AND status = 'running'",
                      2, params, NULL);
}

/* Marks the run failed in its own transaction, on a new connection if the
 * run's one is gone; when no connection can, the reason goes to a local
 * note for the next run (sink_pg_lost_run_note). */
static void sink_pg_mark_failed(SinkPg *s, const char *reason)
{
    if (sink_pg_record_failed(s->conn, s->run_id, reason))
        return;
    if (s->conn)
        PQfinish(s->conn);
    s->conn = db_connect(s->conninfo, NULL);
    if (!sink_pg_record_failed(s->conn, s->run_id, reason))
        sink_pg_lost_run_note(s, reason);
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
    for (int i = 0; i < 2; i++)
        if (s->rules[i])
            g_string_free(s->rules[i], TRUE);
    g_free(s->db_key);
    g_free(s->conninfo);
    g_free(s);
}
