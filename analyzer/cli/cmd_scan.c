/* cmd_scan.c: `moneytrail scan`: sources -> decoder -> engine -> alerts.
 *
 * The batch job of an FIU: it reads every source as one stream, counts and
 * writes rejected rows, stops when the error budget is spent, and commits
 * the alert file only when the whole run succeeded. A summary goes to
 * stderr; with --progress one updating line shows rows, rate and percent. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/cmd_run.h"
#include "read/outfile.h"
#include "read/samefile.h"
#include "read/source.h"
#include "cli/scan_pg.h"
#include "out/sink_jsonl.h"
#include "cli/shard_file.h"
#include "cli/shard_split.h"
#include "base/tstamp.h"
#include "engine/checkpoint.h"
#include "scan/scan.h"

typedef struct {
    CmdRunOptions run; /* rules, data, budget, threads: cmd_run.h */
    char *alerts;
    char *rejects;
    char *earliest_opt;
    char *shard_opt; /* --shard K/N: shard and shards (0: one whole run) */
    char *state;     /* --state FILE: the engine state, loaded if present, written after */
    guint shard, shards;
    gint64 earliest, max_lateness;
    gboolean progress, no_progress, quiet, profile;
} ScanCmdOptions;

typedef struct {
    ScanCmdOptions o;
    RuleSet *rs;
    Scan *scan; /* the pipeline: scan/scan.h */
    SinkJsonl *sink;
    ShardFile *shard;  /* instead of the sink with --shard */
    ShardSplit *split; /* --shard on a split's rows file: its graph alerts */
    Outfile *rejects;  /* replaced only by a run that reads to its end or budget */
    gint64 t0;
    gboolean show_progress;
    ScanPgOptions pgo; /* the database side: scan_pg.h */
    ScanPg *pg;
    char *reason;      /* why the run failed, for the runs table */
    guint64 stored;    /* alerts new to the database */
    ScanState *state;  /* engine checkpoints: --state, or an incremental run's */
    gint64 max_ts;     /* the latest row time processed */
    guint64 late_rows; /* --state: rows at or before its watermark */
    gint64 late_first; /* the first of them */
    gsize state_bytes; /* --state: the bytes of the state written */
    guint64 state_new; /* of which new (the rest was there already) */
    gint64 state_mark; /* and at which watermark */
} ScanCmd;

static gboolean on_alert(const Alert *a, void *user)
{
    ScanCmd *s = user;
    if (scan_pg_writes_db(s->pg))
        return scan_pg_alert(s->pg, a);
    if (s->shard) {
        guint64 row;
        guint32 order;
        shards_alert_key(scan_engine(s->scan), &row, &order);
        if (s->split)
            return shard_split_alert(s->split, row, order, a);
        return shard_file_alert(s->shard, row, order, a);
    }
    return sink_jsonl_write(s->sink, a);
}

static gboolean parse(ScanCmd *s, int argc, char **argv)
{
    ScanCmdOptions *o = &s->o;
    CmdRunOptions *r = &o->run;
    cmd_run_options_init(r);
    GOptionEntry entries[] = {
        cmd_run_option(r, "rules"),
        cmd_run_option(r, "format"),
        {"alerts", 'o', 0, G_OPTION_ARG_FILENAME, &o->alerts,
         "write alerts as JSON Lines to FILE ('-' = stdout, the default)", "FILE"},
        {"rejects", 0, 0, G_OPTION_ARG_FILENAME, &o->rejects,
         "write rejected rows (file, line, column, reason, raw) as CSV to FILE", "FILE"},
        cmd_run_option(r, "max-errors"),
        cmd_run_option(r, "max-lateness"),
        {"earliest", 0, 0, G_OPTION_ARG_STRING, &o->earliest_opt,
         "reject rows dated before DATE as implausible (default 1990-01-01)", "DATE"},
        cmd_run_option(r, "accounts"),
        {"progress", 0, 0, G_OPTION_ARG_NONE, &o->progress,
         "show a progress line (default when stderr is a terminal)", NULL},
        {"no-progress", 0, 0, G_OPTION_ARG_NONE, &o->no_progress, "never show progress", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, "no run summary", NULL},
        {"profile", 0, 0, G_OPTION_ARG_NONE, &o->profile,
         "after the summary, what each rule cost (windows, filter runs, time)", NULL},
        cmd_run_option(r, "fx"),
        cmd_run_option(r, "currency"),
        cmd_run_option(r, "fx-max-age"),
        cmd_run_option(r, "threads"),
        {"shard", 0, 0, G_OPTION_ARG_STRING, &o->shard_opt,
         "run shard K of N (K from 0, as $SLURM_ARRAY_TASK_ID of --array=0-(N-1)): the "
         "customers hashed to K; the source may be the rows file of 'moneytrail split'; "
         "'moneytrail merge' joins the N files (docs/cluster.md)",
         "K/N"},
        {"state", 0, 0, G_OPTION_ARG_FILENAME, &o->state,
         "engine state between runs of files (docs/never-lost.md): start from FILE if it "
         "exists, write the state after the run to it (atomically)",
         "FILE"},
        cmd_run_option(r, G_OPTION_REMAINING),
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SOURCE... ('-' = stdin)");
    g_option_context_set_summary(ctx, "Stream transaction exports (CSV, plain or gzip) through "
                                      "the rules and write explained alerts.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    scan_pg_add_options(ctx, &s->pgo);
    if (!cmd_parse_options(ctx, &argc, &argv, "scan"))
        return FALSE;
    s->pgo.shard = o->shard_opt;
    if (!(s->pg = scan_pg_plan(&s->pgo, &r->sources, o->alerts)))
        return FALSE;
    if (!scan_pg_reads_db(s->pg) && (!r->sources || !r->sources[0])) {
        cmd_error("scan", "no source given (a file, several files, or '-' for stdin)");
        return FALSE;
    }
    if (r->max_errors < 0) {
        cmd_error("scan", "--max-errors must be 0 or more");
        return FALSE;
    }
    if (!cmd_parse_threads("scan", r->threads_opt, &r->threads))
        return FALSE;
    s->max_ts = G_MININT64;
    /* bad values are usage errors (exit 2), found before anything is opened */
    if (!cmd_parse_lateness("scan", r->max_lateness, &o->max_lateness) ||
        (o->earliest_opt &&
         !scan_pg_parse_time("scan", "--earliest", o->earliest_opt, &o->earliest)))
        return FALSE;
    if (o->shard_opt && !shard_file_parse("scan", o->shard_opt, scan_pg_writes_db(s->pg), o->alerts,
                                          &o->shard, &o->shards))
        return FALSE;
    if (o->state && (scan_pg_reads_db(s->pg) || scan_pg_writes_db(s->pg) || o->shard_opt)) {
        cmd_error("scan", "--state is for scans of files into an alerts file; an incremental "
                          "run keeps its state in the database (--db --incremental)");
        return FALSE;
    }
    s->show_progress = !o->no_progress && (o->progress || isatty(STDERR_FILENO));
    return TRUE;
}

static void progress(ScanCmd *s, gboolean final)
{
    InputStats st;
    scan_input_stats(s->scan, &st);
    double secs = (double)(g_get_monotonic_time() - s->t0) / 1e6;
    char a[32], b[32];
    fprintf(stderr, "\r\033[Kscan: %s rows, %s rows/s", cmd_count(st.rows, a),
            cmd_count((guint64)(st.rows / (secs > 0 ? secs : 1)), b));
    if (st.bytes_total)
        fprintf(stderr, ", %.0f%%", 100.0 * (double)st.bytes_read / (double)st.bytes_total);
    if (final)
        fputc('\n', stderr);
}

static int by_cost(gconstpointer a, gconstpointer b, gpointer costs)
{
    gint64 x = ((const EngineRuleCost *)costs)[*(const guint *)a].ns;
    gint64 y = ((const EngineRuleCost *)costs)[*(const guint *)b].ns;
    return (x < y) - (x > y);
}

/* The CPU time of each thread, when the engines have threads of their own:
 * with a processor for each, the busiest one's is about the wall time. */
static void thread_times(ScanCmd *s)
{
    guint threads = shards_threads(scan_engine(s->scan));
    if (!threads)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    fprintf(stderr, "scan: CPU seconds by thread: %.2f reading, decoding and writing alerts",
            (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    for (guint i = 0; i < threads; i++) {
        gboolean graph;
        double secs = shards_thread_seconds(scan_engine(s->scan), i, &graph);
        fprintf(stderr, ", %.2f %s", secs, graph ? "graph rules" : "a share of the accounts");
    }
    fputc('\n', stderr);
}

/* --profile: the rules by the time spent in their windows, dearest first. */
static void profile_table(ScanCmd *s)
{
    guint n = s->rs->rules->len;
    g_autofree guint *order = g_new(guint, n);
    g_autofree EngineRuleCost *cost = g_new(EngineRuleCost, n);
    gint64 total = 0;
    for (guint i = 0; i < n; i++) {
        order[i] = i;
        shards_rule_cost(scan_engine(s->scan), i, &cost[i]);
        total += cost[i].ns;
    }
    g_qsort_with_data(order, (gint)n, sizeof *order, by_cost, cost);
    fprintf(stderr, "scan: rule costs: windows updated (or graph searches), filter programs run "
                    "(the prefilters decided the rest), time in updates, conditions and "
                    "searches, memory its windows hold at the end\n");
    fprintf(stderr, "  %-12s %12s %12s %9s %6s %9s\n", "rule", "windows", "filter runs", "seconds",
            "share", "MiB held");
    for (guint k = 0; k < n; k++) {
        const Rule *r = g_ptr_array_index(s->rs->rules, order[k]);
        const EngineRuleCost *c = &cost[order[k]];
        char a[32], b[32];
        fprintf(stderr, "  %-12s %12s %12s %9.2f %5.1f%% %9.1f\n", r->id, cmd_count(c->entered, a),
                cmd_count(c->filter_runs, b), (double)c->ns / 1e9,
                total ? 100.0 * (double)c->ns / (double)total : 0.0,
                (double)shards_rule_state_bytes(scan_engine(s->scan), order[k]) / 1048576.0);
    }
}

/* --profile: the memory the state holds at the end, by part, and per
 * distinct account; then what the batches of rows hold, whatever the
 * accounts; beside the process's peak. */
static void profile_memory(ScanCmd *s, const EngineStats *es, const InputStats *in)
{
    const Intern *acc = scan_accounts(s->scan);
    guint64 ids = intern_bytes(acc);
    guint64 parts[] = {es->bytes_accounts,
                       es->bytes_windows,
                       es->bytes_records,
                       es->bytes_graph_edges,
                       es->bytes_graph_index,
                       es->bytes_history,
                       ids};
    const char *names[] = {"accounts' rows", "windows", "records",    "graph edges",
                           "graph indexes",  "history", "account ids"};
    guint64 total = 0, n = MAX(intern_count(acc), 1u);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr, "scan: memory held at the end, MiB (bytes per distinct account):");
    for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
        total += parts[i];
        fprintf(stderr, "%s %s %.1f (%llu)", i ? "," : "", names[i], (double)parts[i] / 1048576.0,
                (unsigned long long)(parts[i] / n));
    }
    fprintf(stderr,
            "; in all %.1f (%llu); by the batch: rows and passes %.1f, recent ids %.1f; "
            "peak RSS %.1f\n",
            (double)total / 1048576.0, (unsigned long long)(total / n),
            (double)es->bytes_batches / 1048576.0, (double)in->bytes_ids / 1048576.0,
            (double)ru.ru_maxrss / 1024.0);
}

static void summary(ScanCmd *s)
{
    InputStats st;
    EngineStats es;
    scan_input_stats(s->scan, &st);
    shards_stats(scan_engine(s->scan), &es);
    double secs = (double)(g_get_monotonic_time() - s->t0) / 1e6;
    char a[32], b[32], c[32], d[32];
    fprintf(stderr, "scan: %s rows read, %s rejected%s%s%s, %s accounts, %.2f s, %s rows/s\n",
            cmd_count(st.rows, a), cmd_count(st.rejected, b),
            st.rejected && s->o.rejects ? " (see " : "",
            st.rejected && s->o.rejects ? s->o.rejects : "", st.rejected && s->o.rejects ? ")" : "",
            cmd_count(intern_count(scan_accounts(s->scan)), c), secs,
            cmd_count((guint64)((double)st.rows / (secs > 0 ? secs : 1e-9)), d));
    if (st.payments_seen_twice)
        fprintf(stderr, "scan: %s duplicate payments dropped (schema/statements.md)\n",
                cmd_count(st.payments_seen_twice, a));
    cmd_input_lines("scan", &st, stderr);
    scan_pg_read_summary(s->pg, stderr);
    cmd_run_fx_summary("scan", &s->o.run, stderr);
    guint64 typology_alerts = 0; /* stored beside the rules' alerts: counted on both sides */
    for (guint i = 0; i < s->rs->typologies->len; i++)
        typology_alerts += shards_typology_alerts(scan_engine(s->scan), i);
    if (scan_pg_writes_db(s->pg))
        scan_pg_summary(s->pg, es.alerts + typology_alerts, s->stored, stderr);
    else
        fprintf(stderr, "scan: %s alerts to %s\n", cmd_count(es.alerts, a),
                strcmp(s->o.alerts, "-") == 0 ? "standard output" : s->o.alerts);
    if (s->o.state && scan_state_using(s->state))
        fprintf(stderr, "scan: started from the state at %s (%s bytes)\n",
                tstamp_format_utc(scan_state_watermark(s->state), a),
                cmd_count(scan_state_read_bytes(s->state), b));
    if (s->o.state)
        fprintf(stderr, "scan: state of %s bytes at %s written to %s (%s bytes of it new)\n",
                cmd_count(s->state_bytes, a), tstamp_format_utc(s->state_mark, b), s->o.state,
                cmd_count(s->state_new, c));
    for (guint i = 0; i < s->rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(s->rs->rules, i);
        fprintf(stderr, "  %-12s %8s  %s\n", r->id,
                cmd_count(shards_rule_alerts(scan_engine(s->scan), i), a), r->title);
    }
    for (guint i = 0; i < s->rs->typologies->len; i++) {
        const Typology *ty = g_ptr_array_index(s->rs->typologies, i);
        fprintf(stderr, "  %-12s %8s  %s\n", ty->rule.id,
                cmd_count(shards_typology_alerts(scan_engine(s->scan), i), a), ty->rule.title);
    }
    if (es.window_drops)
        fprintf(stderr, "scan: %s window entries dropped at the limit of %d per window\n",
                cmd_count(es.window_drops, a), LIMIT_WINDOW_ENTRIES);
    if (es.graph_exhausted) {
        guint32 acc[5];
        guint64 cnt[5];
        guint n = shards_graph_incomplete(scan_engine(s->scan), acc, cnt, G_N_ELEMENTS(acc));
        fprintf(stderr,
                "scan: %s graph searches stopped at the limit of %d edge visits, about %u "
                "accounts (alerts say \"incomplete\"), most:",
                cmd_count(es.graph_exhausted, a), LIMIT_GRAPH_WORK, n);
        for (guint i = 0; i < MIN(n, G_N_ELEMENTS(acc)); i++)
            fprintf(stderr, "%s %s (%s)", i ? "," : "", intern_str(scan_accounts(s->scan), acc[i]),
                    cmd_count(cnt[i], b));
        fputc('\n', stderr);
    }
    if (es.graph_hubs)
        fprintf(stderr,
                "scan: %s graph hubs (more than %d edges in the window) kept whole, "
                "the largest with %s; %s edges held at most\n",
                cmd_count(es.graph_hubs, a), LIMIT_GRAPH_DEGREE, cmd_count(es.graph_max_degree, b),
                cmd_count(es.graph_peak_edges, c));
    if (es.graph_dropped)
        fprintf(stderr, "scan: %s graph edges dropped within their window at the limit of %llu\n",
                cmd_count(es.graph_dropped, a), LIMIT_GRAPH_EDGES_MAX);
    thread_times(s);
    if (s->o.profile) {
        profile_memory(s, &es, &st);
        profile_table(s);
    }
}

/* The read loop's hooks: the database's counters, the progress line. */
static void on_row(Scan *scan, const Txn *t, void *user)
{
    ScanCmd *s = user;
    scan_pg_row(s->pg, t);
    if (s->o.state && t->core.ts <= scan_state_watermark(s->state) && !s->late_rows++)
        s->late_first = t->core.ts;
    s->max_ts = MAX(s->max_ts, t->core.ts);
    cmd_run_fx_row(&s->o.run, t);
}

static void on_progress(Scan *scan, void *user)
{
    progress(user, FALSE);
}

/* The error budget spent: says so, and where the rejects are. */
static int over_budget(ScanCmd *s)
{
    InputStats st;
    scan_input_stats(s->scan, &st);
    const CmdRunOptions *r = &s->o.run;
    char a[32];
    cmd_error("scan", "%s rows rejected, more than --max-errors %" G_GINT64_FORMAT "%s%s%s",
              cmd_count(st.rejected, a), r->max_errors,
              s->o.rejects ? "; see " : "; run with --rejects FILE to see them",
              s->o.rejects ? s->o.rejects : "", s->o.rejects ? " for the rows and reasons" : "");
    s->reason = g_strdup_printf("%s rows rejected, more than --max-errors", a);
    return EXIT_BUDGET;
}

/* A signal stopped the read: nothing is replaced, the temporaries go with
 * the ordinary failure path, the database run records the signal. The
 * exit code is the shell's for a signal, 128 + its number. */
static int interrupted(ScanCmd *s)
{
    const char *name = source_signal_name(source_caught_signal());
    cmd_error("scan", "interrupted by %s: no output replaced, the previous files kept", name);
    s->reason = g_strdup_printf("interrupted by %s", name);
    return 128 + source_caught_signal();
}

/* Reads every row into the engine; returns an exit code. */
static int run_loop(ScanCmd *s)
{
    ScanLoop loop = {.row = on_row,
                     .progress = s->show_progress ? on_progress : NULL,
                     .user = s,
                     .max_errors = s->o.run.max_errors};
    g_autoptr(GError) err = NULL;
    ScanStatus st = scan_run(s->scan, &loop, &err);
    if (s->show_progress)
        progress(s, TRUE);
    if (st == SCAN_FAILED && source_caught_signal())
        return interrupted(s);
    if (st == SCAN_FAILED) {
        cmd_error("scan", "%s", err->message);
        s->reason = g_strdup(err->message);
        return EXIT_DATA;
    }
    return st == SCAN_OVER_BUDGET ? over_budget(s) : EXIT_OK;
}

/* --state FILE: the engine state of the last run of files, if the file
 * exists. One that does not fit the run (another format, program, rules,
 * accounts table or --threads; damaged) fails the run: files give no
 * history to replay. FALSE after printing why. */
static gboolean state_load(ScanCmd *s)
{
    g_autoptr(GError) err = NULL;
    GMappedFile *m = g_mapped_file_new(s->o.state, FALSE, &err);
    if (!m && !g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
        cmd_error("scan", "cannot read the state file: %s", err->message);
        return FALSE;
    }
    g_clear_error(&err);
    if (!scan_state_accounts(s->state, s->o.run.accounts, &err)) {
        if (m)
            g_mapped_file_unref(m);
        cmd_error("scan", "%s", err->message);
        return FALSE;
    }
    if (!m)
        return TRUE; /* a first run */
    g_autoptr(GBytes) bytes = g_mapped_file_get_bytes(m);
    g_mapped_file_unref(m);
    if (!scan_state_offer(s->state, bytes, scan_state_file_blobs(s->state, s->o.state),
                          G_MININT64)) {
        cmd_error("scan",
                  "the state file %s cannot be used: %s; scan all the data again "
                  "without it (or with a new --state file)",
                  s->o.state, scan_state_why(s->state));
        return FALSE;
    }
    return TRUE;
}

/* --state: rows at or before the state's watermark cannot be evaluated
 * from it (their effects on the state are past); the run fails and
 * writes neither alerts nor state. */
static int state_late(ScanCmd *s)
{
    char a[32], b[32], c[32];
    cmd_error("scan",
              "%s rows are at or before the watermark %s of the state file %s (the "
              "first at %s): a run from a state reads only newer rows; scan all the "
              "data again without --state",
              cmd_count(s->late_rows, a), tstamp_format_utc(scan_state_watermark(s->state), b),
              s->o.state, tstamp_format_utc(s->late_first, c));
    s->reason = g_strdup("rows at or before the state's watermark");
    return EXIT_DATA;
}

/* --state: writes the state after the run, at its latest row (or the
 * previous watermark when it read none). FALSE after printing why. */
static gboolean state_write(ScanCmd *s)
{
    gint64 mark = s->max_ts != G_MININT64 ? s->max_ts : scan_state_watermark(s->state);
    g_autoptr(CkptSave) save = scan_state_save(s->state, s->scan, mark);
    g_autoptr(GError) err = NULL;
    if (!checkpoint_write_file(s->o.state, save, &err)) {
        cmd_error("scan", "the alerts are written, the state is not: %s", err->message);
        return FALSE;
    }
    s->state_bytes = ckpt_save_bytes(save, &s->state_new);
    s->state_mark = mark;
    return TRUE;
}

/* Opens the rejects file, the database side, the pipeline and the sink, and
 * starts the engine; FALSE after printing why. */
static gboolean run_open(ScanCmd *s)
{
    g_autoptr(GError) err = NULL;
    const CmdRunOptions *r = &s->o.run;
    InputOptions io = {.format = r->format,
                       .max_lateness = s->o.max_lateness,
                       .earliest = s->o.earliest,
                       .fx = r->fx_rates};
    /* no output may overwrite an input or another output (read/samefile.h) */
    g_autoptr(Samefile) sf = samefile_new();
    samefile_inputs(sf, "input", (const char *const *)r->sources);
    samefile_inputs(sf, "--rules", (const char *const *)r->rules);
    samefile_input(sf, "--accounts", r->accounts);
    samefile_output(sf, "--alerts", s->o.alerts);
    samefile_output(sf, "--rejects", s->o.rejects);
    if (!samefile_check(sf, &err)) {
        cmd_error("scan", "%s", err->message);
        return FALSE;
    }
    if (s->o.rejects && !(s->rejects = outfile_open(s->o.rejects, "rejects file", &err))) {
        cmd_error("scan", "%s", err->message);
        return FALSE;
    }
    io.rejects = s->rejects ? outfile_stream(s->rejects) : NULL;
    if (s->o.state && !state_load(s))
        return FALSE;
    s->scan = scan_new(s->rs);
    if (s->o.shards)
        scan_set_shard(s->scan, s->o.shard, s->o.shards);
    if (!scan_pg_begin(s->pg, s->rs, !r->accounts, &io, &err)) {
        cmd_error("scan", "%s", err->message);
        scan_pg_abort(s->pg, err->message);
        return FALSE;
    }
    /* From a database, the rates and the accounts side table come from there too. */
    if (scan_pg_reads_db(s->pg) && !r->fx &&
        !cmd_run_fx_open("scan", &s->o.run, s->pgo.db ? s->pgo.db : "", s->rs)) {
        scan_pg_abort(s->pg, "the rates of the fx_rates table could not be read");
        return FALSE;
    }
    io.fx = r->fx_rates;
    const char *accounts = r->accounts ? r->accounts : scan_pg_accounts_file(s->pg);
    if (!scan_pg_state_accounts(s->pg, accounts, &io, &err) ||
        !scan_state_restore_tables(s->state, s->scan, &err)) {
        cmd_error("scan", "%s", err->message);
        scan_pg_abort(s->pg, err->message);
        return FALSE;
    }
    accounts = r->accounts ? r->accounts : scan_pg_accounts_file(s->pg);
    static const char *const db_paths[] = {SOURCE_PG_NAME, NULL};
    const char *const *paths = scan_pg_reads_db(s->pg) ? db_paths : (const char *const *)r->sources;
    io.db = scan_pg_take_source(s->pg);
    if (!scan_open(s->scan, accounts, paths, g_strv_length((char **)paths), &io, &err) ||
        (s->o.shards && !(s->shard = shard_file_open(s->o.alerts, s->o.shard, s->o.shards,
                                                     s->rs->digest, &err))) ||
        (!s->o.shards && !scan_pg_writes_db(s->pg) &&
         !(s->sink = sink_jsonl_open(s->o.alerts, &err)))) {
        cmd_error("scan", "%s", err->message);
        scan_pg_abort(s->pg, err->message);
        return FALSE;
    }
    if (s->shard && scan_split(s->scan) &&
        !(s->split = shard_split_new(s->scan, s->rs, s->o.shard, s->o.shards, s->shard, &err))) {
        cmd_error("scan", "%s", err->message);
        return FALSE;
    }
    ShardsOptions so = {
        .threads = r->threads, .quiet_until = scan_pg_quiet_until(s->pg), .profile = s->o.profile};
    scan_start(s->scan, &so, on_alert, s);
    if (!scan_state_restore_engine(s->state, s->scan, &err)) {
        cmd_error("scan", "%s", err->message);
        scan_pg_abort(s->pg, err->message);
        return FALSE;
    }
    return TRUE;
}

static void run_clear(ScanCmd *s)
{
    shard_split_free(s->split);
    scan_free(s->scan);
    scan_pg_free(s->pg);
    scan_state_free(s->state);
    scan_pg_options_clear(&s->pgo);
    g_free(s->reason);
    outfile_abort(s->rejects); /* not committed: the previous file stays */
    rule_set_free(s->rs);
    cmd_run_options_clear(&s->o.run);
    g_free(s->o.alerts);
    g_free(s->o.rejects);
    g_free(s->o.earliest_opt);
    g_free(s->o.shard_opt);
    g_free(s->o.state);
}

/* Stores the alerts of a successful run in the database and records the
 * run, or rolls back and records the failure; returns the exit code. */
static int finish_db(ScanCmd *s, int rc)
{
    if (rc != EXIT_OK) {
        scan_pg_abort(s->pg, s->reason ? s->reason : "the run failed");
        return rc;
    }
    InputStats st;
    scan_input_stats(s->scan, &st);
    g_autoptr(GError) err = NULL;
    scan_pg_state_save(s->pg, s->scan);
    if (!scan_pg_commit(s->pg, &st, &s->stored, &err)) {
        cmd_error("scan", "%s", err->message);
        return EXIT_DATA;
    }
    if (!s->o.quiet)
        summary(s);
    cmd_run_fx_warn("scan", &s->o.run);
    return EXIT_OK;
}

/* --shard: commits the shard's file with its last line (shard_file.h),
 * or removes it; returns the exit code. */
static int finish_shard(ScanCmd *s, int rc)
{
    ShardFile *f = g_steal_pointer(&s->shard);
    if (rc == EXIT_OK && s->split)
        shard_split_finish(s->split); /* a failed write: the commit says it */
    if (rc != EXIT_OK) {
        shard_file_abort(f);
        scan_pg_abort(s->pg, s->reason ? s->reason : "the run failed");
        return rc;
    }
    const RuleSet *rs = s->rs;
    guint n = rs->rules->len + rs->typologies->len;
    g_autofree const char **ids = g_new(const char *, n);
    g_autofree const char **titles = g_new(const char *, n);
    g_autofree guint64 *counts = g_new(guint64, n);
    for (guint i = 0; i < n; i++) {
        gboolean ty = i >= rs->rules->len;
        const Rule *r =
            ty ? &((const Typology *)g_ptr_array_index(rs->typologies, i - rs->rules->len))->rule
               : g_ptr_array_index(rs->rules, i);
        ids[i] = r->id;
        titles[i] = r->title;
        counts[i] = ty ? shards_typology_alerts(scan_engine(s->scan), i - rs->rules->len)
                       : shards_rule_alerts(scan_engine(s->scan), i);
        if (s->split) /* the graph alerts and typologies of a split's shard */
            counts[i] += ty ? shard_split_typology_alerts(s->split, i - rs->rules->len)
                            : shard_split_rule_alerts(s->split, i);
    }
    InputStats st;
    scan_input_stats(s->scan, &st);
    char digest[17];
    scan_input_digest(s->scan, digest);
    guint64 alerts = 0; /* the rules' and the typologies': the file's lines */
    for (guint i = 0; i < n; i++)
        alerts += counts[i];
    ShardFileEnd end = {.rows = st.rows,
                        .rejected = st.rejected,
                        .alerts = alerts,
                        .inputs = digest,
                        .n = n,
                        .ids = ids,
                        .titles = titles,
                        .counts = counts};
    scan_pg_shard_run(s->pg, &end.run);
    g_autoptr(GError) err = NULL;
    if (!shard_file_commit(f, &end, &err)) {
        cmd_error("scan", "%s", err->message);
        scan_pg_abort(s->pg, err->message);
        return EXIT_DATA;
    }
    if (!s->o.quiet)
        summary(s);
    return EXIT_OK;
}

/* Commits the alerts of a successful run, or removes them; returns the exit code. */
static int finish(ScanCmd *s, int rc)
{
    g_autoptr(GError) rerr = NULL; /* the rejects file: kept whole, or the run fails */
    if ((rc == EXIT_OK || rc == EXIT_BUDGET) && s->rejects &&
        !outfile_commit(g_steal_pointer(&s->rejects), &rerr)) {
        cmd_error("scan", "%s", rerr->message);
        rc = EXIT_DATA;
    }
    if (scan_pg_writes_db(s->pg))
        return finish_db(s, rc);
    if (s->shard)
        return finish_shard(s, rc);
    /* a failed alert write (es.sink_failed) fails the commit, with its message */
    SinkJsonl *sink = g_steal_pointer(&s->sink);
    if (rc == EXIT_OK && s->late_rows)
        rc = state_late(s);
    if (rc != EXIT_OK) {
        sink_jsonl_abort(sink);
        return rc;
    }
    g_autoptr(GError) err = NULL;
    if (!sink_jsonl_commit(sink, &err)) {
        cmd_error("scan", "%s", err->message);
        return EXIT_DATA;
    }
    if (s->o.state && !state_write(s))
        return EXIT_DATA;
    if (!s->o.quiet)
        summary(s);
    cmd_run_fx_warn("scan", &s->o.run);
    return EXIT_OK;
}

int cmd_scan(int argc, char **argv)
{
    ScanCmd s = {0};
    int rc = EXIT_USAGE;
    cmd_db_arg_fix(argc, argv);
    if (parse(&s, argc, argv)) {
        if (!s.o.alerts)
            s.o.alerts = g_strdup("-");
        s.t0 = g_get_monotonic_time();
        source_catch_signals();
        if (!s.o.run.rules && !g_file_test("rules", G_FILE_TEST_IS_DIR)) {
            cmd_error("scan", "no rules directory found: there is no 'rules' here; give the "
                              "rules with --rules DIR|FILE");
            rc = EXIT_USAGE;
        } else if (!(s.rs = cmd_load_rules("scan", s.o.run.rules, NULL)))
            rc = EXIT_FINDINGS;
        else if ((!scan_pg_reads_db(s.pg) || s.o.run.fx) &&
                 !cmd_run_fx_open("scan", &s.o.run, NULL, s.rs))
            rc = EXIT_USAGE;
        else if (!(s.state = scan_state_new(s.rs, s.o.run.threads)) ||
                 (scan_pg_set_state(s.pg, s.state), !run_open(&s)))
            rc = EXIT_DATA;
        else
            rc = finish(&s, run_loop(&s));
    }
    sink_jsonl_abort(s.sink);
    shard_file_abort(s.shard);
    run_clear(&s);
    return rc;
}
