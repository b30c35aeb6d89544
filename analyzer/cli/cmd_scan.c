/* cmd_scan.c: `moneytrail scan`: sources -> decoder -> engine -> alerts.
 *
 * The batch job of an FIU: it reads every source as one stream, counts and
 * writes rejected rows, stops when the error budget is spent, and commits
 * the alert file only when the whole run succeeded. A summary goes to
 * stderr; with --progress one updating line shows rows, rate and percent. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "engine/shards.h"
#include "read/input.h"
#include "read/kyc.h"
#include "read/outfile.h"
#include "read/samefile.h"
#include "cli/scan_pg.h"
#include "out/sink_jsonl.h"

typedef struct {
    char **rules;
    char *format;
    char *alerts;
    char *rejects;
    gint64 max_errors;
    char *max_lateness;
    char *accounts;
    gboolean progress, no_progress, quiet, profile;
    gint threads;
    char **sources;
} ScanOptions;

typedef struct {
    ScanOptions o;
    RuleSet *rs;
    Intern *accounts, *locations;
    Input *input;
    Kyc *kyc;
    Shards *engine;
    guint threads;
    SinkJsonl *sink;
    Outfile *rejects; /* replaced only by a run that reads to its end or budget */
    gint64 t0;
    gboolean show_progress;
    ScanPgOptions pgo; /* the database side: scan_pg.h */
    ScanPg *pg;
    char *reason;   /* why the run failed, for the runs table */
    guint64 stored; /* alerts new to the database */
} Scan;

static gboolean on_alert(const Alert *a, void *user)
{
    Scan *s = user;
    if (scan_pg_writes_db(s->pg))
        return scan_pg_alert(s->pg, a);
    return sink_jsonl_write(s->sink, a);
}

static gboolean scan_parse(Scan *s, int argc, char **argv)
{
    ScanOptions *o = &s->o;
    o->max_errors = LIMIT_MAX_ERRORS_DEFAULT;
    GOptionEntry entries[] = {
        {"rules", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->rules,
         "rule file or directory (repeatable; default: rules)", "PATH"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &o->format,
         "mapping profile name or file (default: detected from the header)", "NAME"},
        {"alerts", 'o', 0, G_OPTION_ARG_FILENAME, &o->alerts,
         "write alerts as JSON Lines to FILE ('-' = stdout, the default)", "FILE"},
        {"rejects", 0, 0, G_OPTION_ARG_FILENAME, &o->rejects,
         "write rejected rows (file, line, column, reason, raw) as CSV to FILE", "FILE"},
        {"max-errors", 0, 0, G_OPTION_ARG_INT64, &o->max_errors,
         "fail when more than N rows are rejected (default 100)", "N"},
        {"max-lateness", 0, 0, G_OPTION_ARG_STRING, &o->max_lateness,
         "accept rows up to DUR older than the latest seen (default 0s)", "DUR"},
        {"accounts", 0, 0, G_OPTION_ARG_FILENAME, &o->accounts,
         "accounts (KYC) side table as CSV, joined on account id (account.* in rules)", "FILE"},
        {"progress", 0, 0, G_OPTION_ARG_NONE, &o->progress,
         "show a progress line (default when stderr is a terminal)", NULL},
        {"no-progress", 0, 0, G_OPTION_ARG_NONE, &o->no_progress, "never show progress", NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, "no run summary", NULL},
        {"profile", 0, 0, G_OPTION_ARG_NONE, &o->profile,
         "after the summary, what each rule cost (windows, filter runs, time)", NULL},
        {"threads", 'j', 0, G_OPTION_ARG_INT, &o->threads,
         "rule engine threads, the accounts split among them (default 0: one per processor)", "N"},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->sources, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SOURCE... ('-' = stdin)");
    g_option_context_set_summary(ctx, "Stream transaction exports (CSV, plain or gzip) through "
                                      "the rules and write explained alerts.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    scan_pg_add_options(ctx, &s->pgo);
    if (!cmd_parse_options(ctx, &argc, &argv, "scan"))
        return FALSE;
    if (!(s->pg = scan_pg_plan(&s->pgo, &o->sources, o->alerts)))
        return FALSE;
    if (!scan_pg_reads_db(s->pg) && (!o->sources || !o->sources[0])) {
        cmd_error("scan", "no source given (a file, several files, or '-' for stdin)");
        return FALSE;
    }
    if (o->max_errors < 0) {
        cmd_error("scan", "--max-errors must be 0 or more");
        return FALSE;
    }
    if (!cmd_parse_threads("scan", o->threads, &s->threads))
        return FALSE;
    s->show_progress = !o->no_progress && (o->progress || isatty(STDERR_FILENO));
    return TRUE;
}

static void progress(Scan *s, gboolean final)
{
    InputStats st;
    input_stats(s->input, &st);
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
static void thread_times(Scan *s)
{
    guint threads = shards_threads(s->engine);
    if (!threads)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    fprintf(stderr, "scan: CPU seconds by thread: %.2f reading, decoding and writing alerts",
            (double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
    for (guint i = 0; i < threads; i++) {
        gboolean graph;
        double secs = shards_thread_seconds(s->engine, i, &graph);
        fprintf(stderr, ", %.2f %s", secs, graph ? "graph rules" : "a share of the accounts");
    }
    fputc('\n', stderr);
}

/* --profile: the rules by the time spent in their windows, dearest first. */
static void profile_table(Scan *s)
{
    guint n = s->rs->rules->len;
    g_autofree guint *order = g_new(guint, n);
    g_autofree EngineRuleCost *cost = g_new(EngineRuleCost, n);
    gint64 total = 0;
    for (guint i = 0; i < n; i++) {
        order[i] = i;
        shards_rule_cost(s->engine, i, &cost[i]);
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
                (double)shards_rule_state_bytes(s->engine, order[k]) / 1048576.0);
    }
}

static void summary(Scan *s)
{
    InputStats st;
    EngineStats es;
    input_stats(s->input, &st);
    shards_stats(s->engine, &es);
    double secs = (double)(g_get_monotonic_time() - s->t0) / 1e6;
    char a[32], b[32], c[32], d[32];
    fprintf(stderr, "scan: %s rows read, %s rejected%s%s%s, %s accounts, %.2f s, %s rows/s\n",
            cmd_count(st.rows, a), cmd_count(st.rejected, b),
            st.rejected && s->o.rejects ? " (see " : "",
            st.rejected && s->o.rejects ? s->o.rejects : "", st.rejected && s->o.rejects ? ")" : "",
            cmd_count(intern_count(s->accounts), c), secs,
            cmd_count((guint64)((double)st.rows / (secs > 0 ? secs : 1e-9)), d));
    /* nothing lost: input.c fails the run when these do not add up */
    fprintf(stderr, "scan: %s data lines = %s in rows read + %s rejected + %s blank\n",
            cmd_count(st.lines_data, a), cmd_count(st.lines_rows, b),
            cmd_count(st.lines_rejected, c), cmd_count(st.lines_blank, d));
    if (scan_pg_writes_db(s->pg))
        scan_pg_summary(s->pg, es.alerts, s->stored, stderr);
    else
        fprintf(stderr, "scan: %s alerts to %s\n", cmd_count(es.alerts, a),
                strcmp(s->o.alerts, "-") == 0 ? "standard output" : s->o.alerts);
    for (guint i = 0; i < s->rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(s->rs->rules, i);
        fprintf(stderr, "  %-12s %8s  %s\n", r->id, cmd_count(shards_rule_alerts(s->engine, i), a),
                r->title);
    }
    for (guint i = 0; i < s->rs->typologies->len; i++) {
        const Typology *ty = g_ptr_array_index(s->rs->typologies, i);
        fprintf(stderr, "  %-12s %8s  %s\n", ty->rule.id,
                cmd_count(shards_typology_alerts(s->engine, i), a), ty->rule.title);
    }
    if (es.window_drops)
        fprintf(stderr, "scan: %s window entries dropped at the limit of %d per window\n",
                cmd_count(es.window_drops, a), LIMIT_WINDOW_ENTRIES);
    if (es.graph_exhausted)
        fprintf(stderr, "scan: %s graph searches stopped at the limit of %d edge visits\n",
                cmd_count(es.graph_exhausted, a), LIMIT_GRAPH_WORK);
    if (es.graph_degree_capped)
        fprintf(stderr, "scan: %s graph edges left out of an account's index at the limit of %d\n",
                cmd_count(es.graph_degree_capped, a), LIMIT_GRAPH_DEGREE);
    if (es.graph_dropped)
        fprintf(stderr, "scan: %s graph edges dropped within their window at the limit of %u\n",
                cmd_count(es.graph_dropped, a), LIMIT_GRAPH_EDGES);
    thread_times(s);
    if (s->o.profile)
        profile_table(s);
}

/* Reads every row into the engine; returns an exit code. */
static int scan_loop(Scan *s)
{
    Txn t;
    GError *err = NULL;
    InputStats st;
    for (guint64 n = 1;; n++) {
        InputStatus is = input_next(s->input, &t, &err);
        if (is == INPUT_END)
            break;
        if (is == INPUT_ERROR) {
            if (s->show_progress)
                progress(s, TRUE);
            cmd_error("scan", "%s", err->message);
            s->reason = g_strdup(err->message);
            g_error_free(err);
            return EXIT_DATA;
        }
        shards_process(s->engine, &t);
        scan_pg_row(s->pg, &t);
        input_stats(s->input, &st);
        if (st.rejected > (guint64)s->o.max_errors)
            break;
        if (s->show_progress && (n & 0x3FFFF) == 0)
            progress(s, FALSE);
    }
    shards_finish(s->engine);
    if (s->show_progress)
        progress(s, TRUE);
    input_stats(s->input, &st);
    if (st.rejected > (guint64)s->o.max_errors) {
        char a[32];
        cmd_error("scan", "%s rows rejected, more than --max-errors %" G_GINT64_FORMAT "%s%s%s",
                  cmd_count(st.rejected, a), s->o.max_errors,
                  s->o.rejects ? "; see " : "; run with --rejects FILE to see them",
                  s->o.rejects ? s->o.rejects : "",
                  s->o.rejects ? " for the rows and reasons" : "");
        s->reason = g_strdup_printf("%s rows rejected, more than --max-errors", a);
        return EXIT_BUDGET;
    }
    return EXIT_OK;
}

static gboolean scan_open(Scan *s)
{
    g_autoptr(GError) err = NULL;
    InputOptions io = {.format = s->o.format};
    if (!cmd_parse_lateness("scan", s->o.max_lateness, &io.max_lateness))
        return FALSE;
    /* no output may overwrite an input or another output (read/samefile.h) */
    g_autoptr(Samefile) sf = samefile_new();
    samefile_inputs(sf, "input", (const char *const *)s->o.sources);
    samefile_inputs(sf, "--rules", (const char *const *)s->o.rules);
    samefile_input(sf, "--accounts", s->o.accounts);
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
    s->accounts = intern_new();
    s->locations = intern_new();
    if (!scan_pg_begin(s->pg, s->rs, !s->o.accounts, &io, &err)) {
        cmd_error("scan", "%s", err->message);
        scan_pg_abort(s->pg, err->message);
        return FALSE;
    }
    /* From a database, the accounts side table comes from there too. */
    const char *accounts = s->o.accounts ? s->o.accounts : scan_pg_accounts_file(s->pg);
    if (accounts && !(s->kyc = kyc_load(accounts, s->accounts, s->locations, &err))) {
        cmd_error("scan", "%s", err->message);
        scan_pg_abort(s->pg, err->message);
        return FALSE;
    }
    static const char *const db_paths[] = {SOURCE_PG_NAME, NULL};
    const char *const *paths =
        scan_pg_reads_db(s->pg) ? db_paths : (const char *const *)s->o.sources;
    io.db = scan_pg_take_source(s->pg);
    s->input =
        input_open(paths, g_strv_length((char **)paths), &io, s->accounts, s->locations, &err);
    if (!s->input ||
        (!scan_pg_writes_db(s->pg) && !(s->sink = sink_jsonl_open(s->o.alerts, &err)))) {
        cmd_error("scan", "%s", err->message);
        scan_pg_abort(s->pg, err->message);
        return FALSE;
    }
    ShardsOptions so = {.threads = s->threads,
                        .kyc = s->kyc,
                        .quiet_until = scan_pg_quiet_until(s->pg),
                        .profile = s->o.profile};
    s->engine = shards_new(s->rs, s->accounts, s->locations, &so, on_alert, s);
    return TRUE;
}

static void scan_clear(Scan *s)
{
    shards_free(s->engine);
    input_free(s->input);
    kyc_free(s->kyc);
    scan_pg_free(s->pg);
    scan_pg_options_clear(&s->pgo);
    g_free(s->reason);
    if (s->accounts)
        intern_free(s->accounts);
    if (s->locations)
        intern_free(s->locations);
    outfile_abort(s->rejects); /* not committed: the previous file stays */
    rule_set_free(s->rs);
    g_strfreev(s->o.rules);
    g_strfreev(s->o.sources);
    g_free(s->o.format);
    g_free(s->o.alerts);
    g_free(s->o.rejects);
    g_free(s->o.max_lateness);
    g_free(s->o.accounts);
}

/* Stores the alerts of a successful run in the database and records the
 * run, or rolls back and records the failure; returns the exit code. */
static int scan_finish_db(Scan *s, int rc)
{
    if (rc != EXIT_OK) {
        scan_pg_abort(s->pg, s->reason ? s->reason : "the run failed");
        return rc;
    }
    InputStats st;
    input_stats(s->input, &st);
    g_autoptr(GError) err = NULL;
    if (!scan_pg_commit(s->pg, &st, &s->stored, &err)) {
        cmd_error("scan", "%s", err->message);
        return EXIT_DATA;
    }
    if (!s->o.quiet)
        summary(s);
    return EXIT_OK;
}

/* Commits the alerts of a successful run, or removes them; returns the exit code. */
static int scan_finish(Scan *s, int rc)
{
    g_autoptr(GError) rerr = NULL; /* the rejects file: kept whole, or the run fails */
    if ((rc == EXIT_OK || rc == EXIT_BUDGET) && s->rejects &&
        !outfile_commit(g_steal_pointer(&s->rejects), &rerr)) {
        cmd_error("scan", "%s", rerr->message);
        rc = EXIT_DATA;
    }
    if (scan_pg_writes_db(s->pg))
        return scan_finish_db(s, rc);
    /* a failed alert write (es.sink_failed) fails the commit, with its message */
    SinkJsonl *sink = g_steal_pointer(&s->sink);
    if (rc != EXIT_OK) {
        sink_jsonl_abort(sink);
        return rc;
    }
    g_autoptr(GError) err = NULL;
    if (!sink_jsonl_commit(sink, &err)) {
        cmd_error("scan", "%s", err->message);
        return EXIT_DATA;
    }
    if (!s->o.quiet)
        summary(s);
    return EXIT_OK;
}

int cmd_scan(int argc, char **argv)
{
    Scan s = {0};
    int rc = EXIT_USAGE;
    cmd_db_arg_fix(argc, argv);
    if (scan_parse(&s, argc, argv)) {
        if (!s.o.alerts)
            s.o.alerts = g_strdup("-");
        s.t0 = g_get_monotonic_time();
        if (!(s.rs = cmd_load_rules("scan", s.o.rules, NULL)))
            rc = EXIT_FINDINGS;
        else if (!scan_open(&s))
            rc = EXIT_DATA;
        else
            rc = scan_finish(&s, scan_loop(&s));
    }
    sink_jsonl_abort(s.sink);
    scan_clear(&s);
    return rc;
}
