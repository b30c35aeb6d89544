/* scan_pg.c: the PostgreSQL side of `moneytrail scan` (see scan_pg.h).
 *
 * An incremental run replays, silently (engine_set_quiet_until), the rows
 * before the watermark of the last successful incremental run, so that the
 * rules' state at the watermark is what one scan over all history would
 * have: every window full, every suppression in force. How far back:
 * a rule's alert at t depends on its window (t - window .. t) and on
 * whether an alert up to `suppress` before t silences it, which in turn
 * depended on its own window and predecessor. Two facts bound this. (1)
 * Where the alert history of a rule and account has a gap of at least
 * window + 2 x suppress, the scan and a replay started 2 x window +
 * suppress before the alert that ends the gap must agree from that alert
 * on: in the gap the scan raised nothing although nothing silenced it, so
 * the condition was false wherever the replay's windows are complete, and
 * whatever the replay raised on incomplete windows has expired by then.
 * (2) A rule and account without alerts in the last window + 2 x suppress
 * is a gap up to the watermark. So the replay starts 2 x window + suppress
 * before the watermark, or before the first alert of a chain that is still
 * going on, whichever is earlier (sink_pg_replay_start reads the chains
 * from the stored alerts). Replaying only one lookback is not enough: an
 * alert just before the watermark is then recomputed on a truncated
 * window, missed, and a duplicate that it had silenced is raised after. */
#include "cli/scan_pg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/scan_rules.h"
#include "base/db.h"
#include "base/limits.h"
#include "out/sink_pg.h"
#include "base/tstamp.h"

struct ScanPg {
    ScanPgOptions *o;
    const char *src;  /* connection string to read rows from, or NULL (files) */
    const char *dest; /* connection string to store alerts in, or NULL (a file) */
    char *source_desc;
    gint64 from, to; /* asked for; G_MININT64 / G_MAXINT64 = open */
    SinkPg *sink;
    gint64 quiet_until;
    gint64 watermark; /* of the last incremental run; G_MININT64 = none */
    gint64 last_run;  /* the last succeeded run when the sink opened (sink_pg_last_run) */
    SinkPgLate late;  /* late rows this run evaluates */
    guint64 replayed;
    gint64 latest; /* the watermark to record: latest row, at most now */
    gint64 now;    /* the run time (UTC s) */
    gint64 run_id;
    SinkPgStored stored;
    char *accounts_path;
    char *channels;      /* the only channels read (scan_pg_channels), or NULL */
    SourcePg *source;    /* opened by scan_pg_begin, until the input takes it */
    char *rules_changed; /* what changed in the rules since the last run, or NULL */
    const char *digest;  /* the rules' (scan_pg_begin), to record a failed shard */
    ScanPgOptions *own;  /* a merge's options (scan_pg_group_open), freed with it */
    guint64 raised;      /* a merge's alerts staged */
    /* checkpoints (scan_pg_set_state): borrowed; the state to store; the
     * latest row time processed; the accounts export asked for */
    ScanState *state;
    CkptSave *state_out;
    gint64 max_ts;
    guint64 rows;
    gboolean want_accounts;
};

void scan_pg_add_options(GOptionContext *ctx, ScanPgOptions *o)
{
    GOptionEntry entries[] = {
        {"db", 0, 0, G_OPTION_ARG_STRING, &o->db,
         "PostgreSQL database (libpq connection string or URI; '--db' alone: the PG* "
         "environment): read transactions from it when no file is given, store alerts in it "
         "unless --alerts says otherwise",
         "CONNINFO"},
        {"source", 0, 0, G_OPTION_ARG_STRING, &o->source,
         "read transactions from this PostgreSQL database", "CONNINFO"},
        {"from", 0, 0, G_OPTION_ARG_STRING, &o->from,
         "with a database source: transactions at or after TS (ISO 8601, or a date)", "TS"},
        {"to", 0, 0, G_OPTION_ARG_STRING, &o->to,
         "with a database source: transactions before TS (ISO 8601, or a date)", "TS"},
        {"incremental", 0, 0, G_OPTION_ARG_NONE, &o->incremental,
         "nightly run: scan what is new since the last successful incremental run, after "
         "replaying the history the rules need (needs --db)",
         NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_option_context_add_main_entries(ctx, entries, NULL);
}

void scan_pg_options_clear(ScanPgOptions *o)
{
    g_free(o->db);
    g_free(o->source);
    g_free(o->from);
    g_free(o->to);
}

gboolean scan_pg_parse_time(const char *cmd, const char *opt, const char *text, gint64 *out)
{
    int off;
    gboolean has_off;
    g_autofree char *s =
        strlen(text) == 10 ? g_strconcat(text, "T00:00:00Z", NULL) : g_strdup(text);
    if (tstamp_parse_iso(s, strlen(s), 0, out, &off, &has_off))
        return TRUE;
    cmd_error(cmd, "%s '%s' is not a timestamp like 2024-03-01 or 2024-03-01T06:00:00Z", opt, text);
    return FALSE;
}

/* Takes a postgres:// URI given as the only source as --source. */
static gboolean scan_pg_take_uri(ScanPg *p, char ***sources)
{
    char **s = *sources;
    guint n = s ? g_strv_length(s) : 0, uris = 0;
    for (guint i = 0; i < n; i++)
        uris += db_is_uri(s[i]);
    if (uris == 0)
        return TRUE;
    if (n > 1 || p->o->source) {
        cmd_error("scan", "a database source cannot be combined with other sources");
        return FALSE;
    }
    p->o->source = g_steal_pointer(&s[0]);
    g_clear_pointer(sources, g_strfreev);
    return TRUE;
}

static gboolean scan_pg_check(ScanPg *p, char **sources)
{
    ScanPgOptions *o = p->o;
    if (o->source && sources && sources[0]) {
        cmd_error("scan", "--source reads the database: give no files with it");
        return FALSE;
    }
    if ((o->from || o->to) && !p->src) {
        cmd_error("scan", "--from and --to need a database source (--db or --source)");
        return FALSE;
    }
    if (o->incremental && (!p->src || (!p->dest && !o->shard))) {
        cmd_error("scan", "--incremental reads from and stores alerts in a database: use --db "
                          "with no files and no --alerts file");
        return FALSE;
    }
    if (o->incremental && o->from) {
        cmd_error("scan", "--incremental starts from the last run's watermark: drop --from");
        return FALSE;
    }
    return (!o->from || scan_pg_parse_time("scan", "--from", o->from, &p->from)) &&
           (!o->to || scan_pg_parse_time("scan", "--to", o->to, &p->to));
}

ScanPg *scan_pg_plan(ScanPgOptions *o, char ***sources, const char *alerts)
{
    g_autoptr(GString) desc = g_string_new(NULL);
    ScanPg *p = g_new0(ScanPg, 1);
    p->o = o;
    p->from = p->quiet_until = p->latest = p->watermark = p->max_ts = G_MININT64;
    p->to = G_MAXINT64;
    p->now = g_get_real_time() / G_USEC_PER_SEC;
    if (!scan_pg_take_uri(p, sources)) {
        scan_pg_free(p);
        return NULL;
    }
    gboolean files = *sources && (*sources)[0];
    p->src = o->source ? o->source : (!files && o->db) ? o->db : NULL;
    p->dest = db_is_uri(alerts) ? alerts : (!alerts && o->db) ? o->db : NULL;
    if (!scan_pg_check(p, *sources)) {
        scan_pg_free(p);
        return NULL;
    }
    for (char **s = *sources; s && *s; s++)
        g_string_append_printf(desc, "%s%s", desc->len ? " " : "", *s);
    p->source_desc = p->src ? g_strdup(SOURCE_PG_NAME) : g_strdup(desc->str);
    return p;
}

void scan_pg_free(ScanPg *p)
{
    if (!p)
        return;
    sink_pg_abort(p->sink, "the run ended without committing");
    source_pg_free(p->source);
    if (p->accounts_path)
        unlink(p->accounts_path);
    g_free(p->accounts_path);
    g_free(p->channels);
    g_free(p->source_desc);
    g_free(p->rules_changed);
    ckpt_save_free(p->state_out);
    if (p->own)
        scan_pg_options_clear(p->own);
    g_free(p->own);
    g_free(p);
}

gboolean scan_pg_reads_db(const ScanPg *p)
{
    return p && p->src;
}

gboolean scan_pg_writes_db(const ScanPg *p)
{
    return p && p->dest;
}

/* The channels some rule can pass, as the query's list ("a,b,..."), or
 * NULL when every row may be needed: some rule passes every channel, or
 * some rule reads the history fields (kept over every row of an account).
 * The engine drops a row whose channel no rule's filter can pass before it
 * touches any state (the same pass masks decide its windows and graph
 * edges: engine.c, shape_of), so such a row need not leave the server. */
static char *scan_pg_channels(const RuleSet *rs)
{
    guint32 all = 0, can = 0;
    for (guint c = CHANNEL_NONE + 1; c < CHANNEL_COUNT; c++)
        all |= 1u << c;
    for (guint i = 0; i < rs->rules->len; i++)
        can |= ((const Rule *)g_ptr_array_index(rs->rules, i))->plan.channel_mask;
    if (rs->history || !rs->rules->len || (can & all) == all)
        return NULL;
    GString *list = g_string_new(NULL);
    for (guint c = CHANNEL_NONE + 1; c < CHANNEL_COUNT; c++)
        if (can >> c & 1)
            g_string_append_printf(list, "%s%s", list->len ? "," : "",
                                   txn_channel_name((Channel)c));
    return g_string_free(list, FALSE);
}

/* Opens the source early: the server starts the COPY while the caller
 * loads the accounts and builds the engine. */
static gboolean scan_pg_open_source(ScanPg *p, gint64 from, gboolean accounts, InputOptions *io,
                                    GError **error)
{
    if (accounts) {
        int fd = g_file_open_tmp("moneytrail-accounts-XXXXXX.csv", &p->accounts_path, error);
        if (fd < 0)
            return FALSE;
        close(fd);
    }
    SourcePgQuery q = {p->src, p->accounts_path, from, p->to, p->channels};
    if (!(p->source = source_pg_open(&q, error)))
        return FALSE;
    io->format = "canonical";
    return TRUE;
}

SourcePg *scan_pg_take_source(ScanPg *p)
{
    return g_steal_pointer(&p->source);
}

/* A watermark after the run time plus the plausibility tolerance came from
 * a stored outlier (a row dated 2204 before rows were checked): reading
 * from it would find nothing new every night, so the run fails and says
 * how to repair it. */
static gboolean scan_pg_check_watermark(const ScanPg *p, gint64 mark, GError **error)
{
    if (mark <= p->now + LIMIT_TS_FUTURE_SECONDS)
        return TRUE;
    char a[32], b[32];
    g_set_error(error, DB_ERROR, DB_ERROR_WATERMARK,
                "the watermark of the last incremental run, %s, is after the run time %s: "
                "every row would be taken as already scanned; see `moneytrail db status` and "
                "repair it with `moneytrail db set-watermark TIME --yes`",
                tstamp_format_utc(mark, a), tstamp_format_utc(p->now, b));
    return FALSE;
}

/* Late rows (loaded behind the watermark since the last run) move the
 * silent replay's end to just before the earliest of them: from there on
 * every alert is raised again, and the stored ones this run no longer
 * raises are superseded (sink_pg_supersede). */
static void scan_pg_late(ScanPg *p, const RuleSet *rs)
{
    sink_pg_late(p->sink, &p->late);
    if (!p->late.rows || p->late.earliest > p->quiet_until)
        return;
    p->quiet_until = p->late.earliest - 1;
    sink_pg_supersede(p->sink, rs, p->quiet_until, p->to);
}

/* Works out, from the last incremental run, the replay and the start of
 * the range to read (*from), as scan_pg.c's top comment explains. */
static gboolean scan_pg_plan_replay(ScanPg *p, const RuleSet *rs, gint64 *from, GError **error)
{
    gint64 mark;
    p->last_run = sink_pg_last_run(p->sink);
    if (!p->o->incremental || !sink_pg_last_watermark(p->sink, &mark))
        return TRUE;
    if (!scan_pg_check_watermark(p, mark, error))
        return FALSE;
    p->watermark = p->quiet_until = mark;
    scan_pg_late(p, rs);
    if (p->state) /* from the engine state or the whole history (scan_pg_state_plan) */
        return TRUE;
    return sink_pg_replay_start(p->sink, rs, p->quiet_until, from, error);
}

/* A shard of an incremental run plans its replay as the run would, from
 * the database it reads, without the run lock or a run record: its merge
 * (scan_pg_group_commit) records the run and checks the plan again. */
static gboolean scan_pg_plan_shard(ScanPg *p, const RuleSet *rs, gint64 *from, GError **error)
{
    SinkPgRun run = {p->src, p->source_desc, rs->digest, TRUE, TRUE};
    if (!(p->sink = sink_pg_open(&run, error)))
        return FALSE;
    gboolean ok = scan_pg_plan_replay(p, rs, from, error);
    sink_pg_abort(g_steal_pointer(&p->sink), NULL);
    return ok;
}

/* An incremental run without late rows starts from the engine state the
 * last one stored, if it fits, and reads only the rows after its
 * watermark. Otherwise it replays the whole history, not only 2 x window
 * + suppress: a partial replay gives the alerts of one full scan but not
 * its state (history, the start of the data), and the state this run
 * leaves must be that of one full scan. A first run reads everything. */
static gboolean scan_pg_state_plan(ScanPg *p, gint64 *from, GError **error)
{
    if (!p->state || !p->o->incremental || p->watermark == G_MININT64)
        return TRUE;
    g_autoptr(GBytes) bytes = NULL;
    gint64 mark = G_MININT64, t0 = g_get_monotonic_time();
    if (p->late.rows)
        scan_state_refuse(p->state, g_strdup("late rows were loaded behind the watermark"));
    else if (!sink_pg_checkpoint_read(p->sink, &bytes, &mark, error))
        return FALSE;
    scan_state_add_seconds(p->state, (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
    if (p->late.rows)
        ;
    else if (!bytes)
        scan_state_refuse(p->state, g_strdup("no engine state is stored"));
    else if (scan_state_offer(p->state, bytes, sink_pg_blobs(p->sink), p->watermark)) {
        *from = p->watermark + 1;
        return TRUE;
    }
    *from = G_MININT64;
    return TRUE;
}

void scan_pg_set_state(ScanPg *p, ScanState *st)
{
    if (p && p->dest && p->o->incremental && !p->o->shard)
        p->state = st;
}

gboolean scan_pg_state_accounts(ScanPg *p, const char *path, InputOptions *io, GError **error)
{
    if (!p || !p->state)
        return TRUE;
    gboolean using = scan_state_using(p->state);
    if (!scan_state_accounts(p->state, path, error))
        return FALSE;
    if (!using || scan_state_using(p->state))
        return TRUE;
    /* refused: the whole history again, from a new source */
    source_pg_free(g_steal_pointer(&p->source));
    if (p->accounts_path)
        unlink(p->accounts_path);
    g_clear_pointer(&p->accounts_path, g_free);
    p->from = G_MININT64;
    return scan_pg_open_source(p, p->from, p->want_accounts, io, error);
}

void scan_pg_state_save(ScanPg *p, const Scan *scan)
{
    if (!p || !p->state)
        return;
    gint64 mark = p->latest != G_MININT64 ? p->latest : p->watermark;
    if (mark == G_MININT64 || p->max_ts > mark ||
        (!scan_state_using(p->state) && p->from != G_MININT64))
        return; /* nothing read yet; rows after the run time; not the whole history */
    p->state_out = scan_state_save(p->state, scan, mark);
}

/* What the run did with the engine state, for the runs table and the
 * summary (NULL: not a run that keeps one). */
static char *scan_pg_state_note(const ScanPg *p)
{
    char a[32], b[32];
    if (!p->state)
        return NULL;
    if (scan_state_using(p->state))
        return g_strdup_printf("started from the engine state at %s (%s bytes)",
                               tstamp_format_utc(scan_state_watermark(p->state), a),
                               cmd_count(scan_state_read_bytes(p->state), b));
    if (scan_state_why(p->state))
        return g_strdup_printf("engine state not used: %s; the whole history replayed",
                               scan_state_why(p->state));
    return g_strdup("first run: no engine state yet");
}

gboolean scan_pg_begin(ScanPg *p, const RuleSet *rs, gboolean accounts, InputOptions *io,
                       GError **error)
{
    p->want_accounts = accounts;
    gint64 from = p->from;
    p->digest = rs->digest;
    if (p->dest) {
        SinkPgRun run = {p->dest, p->source_desc, rs->digest, p->o->incremental, FALSE};
        if (!(p->sink = sink_pg_open(&run, error)) ||
            !scan_rules_note(p->dest, sink_pg_run_id(p->sink), rs, p->o->incremental,
                             &p->rules_changed, error) ||
            !scan_pg_plan_replay(p, rs, &from, error) || !scan_pg_state_plan(p, &from, error))
            return FALSE;
    } else if (p->o->incremental && !scan_pg_plan_shard(p, rs, &from, error))
        return FALSE;
    p->from = from;
    p->channels = scan_pg_channels(rs);
    return !p->src || scan_pg_open_source(p, from, accounts, io, error);
}

gint64 scan_pg_quiet_until(const ScanPg *p)
{
    return p ? p->quiet_until : G_MININT64;
}

void scan_pg_row(ScanPg *p, const Txn *t)
{
    if (t->core.ts <= p->quiet_until)
        p->replayed++;
    /* a row ahead of the clock (within the plausibility tolerance) is
     * scanned, but the watermark stays at the run time: tomorrow's run
     * reads it again rather than skip what arrives in between */
    if (t->core.ts > p->latest)
        p->latest = MIN(t->core.ts, p->now);
    p->max_ts = MAX(p->max_ts, t->core.ts);
    p->rows++;
}

gboolean scan_pg_alert(ScanPg *p, const Alert *a)
{
    return sink_pg_write(p->sink, a);
}

gboolean scan_pg_commit(ScanPg *p, const InputStats *st, guint64 *stored, GError **error)
{
    g_autofree char *note = scan_pg_state_note(p);
    SinkPgTotals t = {p->from,
                      p->to,
                      st->rows,
                      p->replayed,
                      st->rejected,
                      p->latest,
                      p->late.rows,
                      note,
                      scan_state_read_bytes(p->state),
                      scan_state_load_seconds(p->state),
                      p->state_out};
    SinkPg *sink = g_steal_pointer(&p->sink);
    p->run_id = sink_pg_run_id(sink);
    gboolean ok = sink_pg_commit(sink, &t, &p->stored, error);
    *stored = p->stored.fresh;
    return ok;
}

/* A failed shard of an incremental run records itself as a failed run
 * (no alerts), so that the database says which shard failed and why. */
static void scan_pg_shard_failed(ScanPg *p, const char *reason)
{
    g_autofree char *source = g_strdup_printf("%s, shard %s", p->source_desc, p->o->shard);
    g_autofree char *why = g_strdup_printf("shard %s failed: %s", p->o->shard, reason);
    SinkPgRun run = {p->src, source, p->digest, TRUE, FALSE};
    g_autoptr(GError) err = NULL;
    if (!sink_pg_failed_run(&run, why, &err))
        fprintf(stderr, "scan: the shard's failure is not recorded: %s\n", err->message);
}

void scan_pg_abort(ScanPg *p, const char *reason)
{
    if (p && !p->sink && p->o->shard && p->o->incremental && p->digest)
        scan_pg_shard_failed(p, reason);
    if (p)
        sink_pg_abort(g_steal_pointer(&p->sink), reason);
}

void scan_pg_shard_run(const ScanPg *p, ShardFileRun *r)
{
    *r = (ShardFileRun){.incremental = p->o->incremental,
                        .last_run = p->last_run,
                        .last_watermark = p->watermark,
                        .late_rows = p->late.rows,
                        .late_earliest = p->late.rows ? p->late.earliest : G_MININT64,
                        .from = p->from,
                        .to = p->to,
                        .latest = p->latest,
                        .replayed = p->replayed};
}

ScanPg *scan_pg_group_open(const char *conninfo, const RuleSet *rs, gboolean incremental,
                           guint files, GError **error)
{
    ScanPg *p = g_new0(ScanPg, 1);
    p->o = p->own = g_new0(ScanPgOptions, 1);
    p->o->db = g_strdup(conninfo);
    p->o->incremental = incremental;
    p->src = p->dest = p->o->db;
    p->from = p->quiet_until = p->latest = p->watermark = G_MININT64;
    p->to = G_MAXINT64;
    p->now = g_get_real_time() / G_USEC_PER_SEC;
    p->digest = rs->digest;
    p->source_desc = g_strdup_printf("%s, %u shard files merged", SOURCE_PG_NAME, files);
    SinkPgRun run = {p->dest, p->source_desc, rs->digest, incremental, FALSE};
    if (!(p->sink = sink_pg_open(&run, error)) ||
        !scan_rules_note(p->dest, sink_pg_run_id(p->sink), rs, incremental, &p->rules_changed,
                         error) ||
        !scan_pg_plan_replay(p, rs, &p->from, error)) {
        scan_pg_abort(p, *error ? (*error)->message : "the run could not start");
        scan_pg_free(p);
        return NULL;
    }
    return p;
}

gboolean scan_pg_group_alert(ScanPg *p, const char *json, gsize len)
{
    p->raised++;
    return sink_pg_write_json(p->sink, json, len);
}

/* "none" or the UTC time t; for messages. */
static const char *scan_pg_time(gint64 t, char *buf)
{
    return t == G_MININT64 ? "none" : tstamp_format_utc(t, buf);
}

/* The shards planned what this merge's run did when it opened
 * (scan_pg_group_open): the last incremental run's watermark, the late
 * rows and the replay start; the range to supersede ends at theirs. */
static gboolean scan_pg_group_check(ScanPg *p, const RuleSet *rs, const ShardFileRun *run,
                                    GError **error)
{
    char a[32], b[32];
    if (run->incremental != p->o->incremental) {
        g_set_error(error, DB_ERROR, DB_ERROR_WATERMARK,
                    "the shards were run %s --incremental, the merge %s",
                    run->incremental ? "with" : "without",
                    p->o->incremental ? "with it" : "without it");
        return FALSE;
    }
    if (p->o->incremental &&
        (p->last_run != run->last_run || p->watermark != run->last_watermark ||
         p->late.rows != run->late_rows ||
         (p->late.rows && p->late.earliest != run->late_earliest) || p->from != run->from)) {
        g_set_error(error, DB_ERROR, DB_ERROR_WATERMARK,
                    "the database changed after the shards planned their run (last run "
                    "%" G_GINT64_FORMAT ", now %" G_GINT64_FORMAT "; last watermark %s, now %s; "
                    "late rows %" G_GUINT64_FORMAT ", now %" G_GUINT64_FORMAT "): run every "
                    "shard again",
                    run->last_run, p->last_run, scan_pg_time(run->last_watermark, a),
                    scan_pg_time(p->watermark, b), run->late_rows, p->late.rows);
        return FALSE;
    }
    p->from = run->from;
    p->to = run->to;
    if (p->late.rows && p->quiet_until == p->late.earliest - 1) /* scan_pg_late superseded */
        sink_pg_supersede(p->sink, rs, p->quiet_until, p->to);
    return TRUE;
}

gboolean scan_pg_group_commit(ScanPg *p, const RuleSet *rs, const ShardFileRun *run, guint64 rows,
                              guint64 rejected, GError **error)
{
    if (!scan_pg_group_check(p, rs, run, error)) {
        scan_pg_abort(p, (*error)->message);
        return FALSE;
    }
    p->latest = run->latest;
    p->replayed = run->replayed;
    InputStats st = {.rows = rows, .rejected = rejected};
    guint64 stored;
    return scan_pg_commit(p, &st, &stored, error);
}

void scan_pg_group_counts(const ScanPg *p, guint64 *raised, guint64 *stored)
{
    *raised = p->raised;
    *stored = p->stored.fresh;
}

void scan_pg_summary(const ScanPg *p, guint64 raised, guint64 stored, FILE *out)
{
    char a[32], b[32], c[32];
    if (p->late.rows)
        fprintf(out,
                "scan: incremental: %s late rows loaded behind the watermark %s evaluated, "
                "the earliest at %s\n",
                cmd_count(p->late.rows, a), tstamp_format_utc(p->watermark, b),
                tstamp_format_utc(p->late.earliest, c));
    g_autofree char *note = scan_pg_state_note(p);
    if (note)
        fprintf(out, "scan: incremental: %s\n", note);
    if (p->state_out) {
        guint64 fresh, all = ckpt_save_bytes(p->state_out, &fresh);
        fprintf(out,
                "scan: incremental: engine state of %s bytes stored at the watermark %s, %s "
                "of them written by this run\n",
                cmd_count(all, a),
                tstamp_format_utc(p->latest != G_MININT64 ? p->latest : p->watermark, b),
                cmd_count(fresh, c));
    }
    if (p->o->incremental && scan_state_using(p->state))
        fprintf(out, "scan: incremental: read %s rows after it, replayed none\n",
                cmd_count(p->rows, a));
    else if (p->o->incremental && p->quiet_until != G_MININT64)
        fprintf(out, "scan: incremental: replayed %s rows up to %s%s\n", cmd_count(p->replayed, a),
                p->late.rows ? "the earliest late row, " : "the last watermark ",
                tstamp_format_utc(p->quiet_until + (p->late.rows ? 1 : 0), b));
    else if (p->o->incremental)
        fprintf(out, "scan: incremental: first run, everything is new\n");
    if (p->rules_changed)
        fprintf(out, "scan: incremental: %s\n", p->rules_changed);
    if (p->stored.superseded)
        fprintf(out,
                "scan: %s stored alerts superseded: the late rows change them, no investigator "
                "has triaged them (kept, out of the active ones)\n",
                cmd_count(p->stored.superseded, a));
    fprintf(out,
            "scan: %s alerts, %s of them new, stored in the database as run %" G_GINT64_FORMAT "\n",
            cmd_count(raised, a), cmd_count(stored, b), p->run_id);
}

void scan_pg_read_summary(const ScanPg *p, FILE *out)
{
    if (p && p->src && p->channels)
        fprintf(out, "scan: read from the database only the channels the rules can pass: %s\n",
                p->channels);
}

void cmd_input_lines(const char *cmd, const InputStats *st, FILE *out)
{
    char a[32], b[32], c[32], d[32], e[32];
    /* nothing lost: input.c fails the run when these do not add up */
    fprintf(out, "%s: %s data lines = %s in rows read + %s rejected + %s blank", cmd,
            cmd_count(st->lines_data, a), cmd_count(st->lines_rows, b),
            cmd_count(st->lines_rejected, c), cmd_count(st->lines_blank, d));
    if (st->lines_duplicate)
        fprintf(out, " + %s in exact copies dropped", cmd_count(st->lines_duplicate, e));
    fputc('\n', out);
    if (st->duplicates)
        fprintf(out,
                "%s: %s rows dropped: exact copies (same tx_id, same content) of rows read "
                "before\n",
                cmd, cmd_count(st->duplicates, a));
    if (st->ids_forgotten)
        fprintf(out, "%s: %s tx_ids forgotten at the limit of %u kept to find copies\n", cmd,
                cmd_count(st->ids_forgotten, a), LIMIT_DEDUP_IDS);
}

const char *scan_pg_accounts_file(const ScanPg *p)
{
    return p->accounts_path;
}
