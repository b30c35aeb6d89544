/* cmd_split.c: `moneytrail split`: the first step of a cluster run that
 * reads the data once. It reads and decodes the sources as a scan does
 * (rejects, error budget, lateness, rates), runs the graph rules over
 * every row (the whole recent transfer graph, held by this one process),
 * and writes one rows file (read/rowfile.h): the decoded rows, the
 * account and location tables, the graph alerts (cli/shard_split.h) and
 * what it read. The N shards (`scan --shard K/N FILE`) then read that file
 * instead of the sources and run the window rules only, and `moneytrail
 * merge` joins them into one run's alerts (docs/cluster.md). */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/cmd_run.h"
#include "cli/scan_pg.h"
#include "cli/shard_split.h"
#include "read/kyc.h"
#include "read/outfile.h"
#include "read/rowfile.h"
#include "read/samefile.h"
#include "read/source.h"
#include "scan/scan.h"

typedef struct {
    CmdRunOptions run;
    char *out, *rejects;
    gboolean quiet;
    RuleSet *rs;
    Scan *scan;
    RowFileOut *rows;
    Outfile *rejects_file;
    GString *line;
    guint64 graph_alerts;
} Split;

static gboolean parse(Split *sp, int argc, char **argv)
{
    CmdRunOptions *r = &sp->run;
    cmd_run_options_init(r);
    GOptionEntry entries[] = {
        cmd_run_option(r, "rules"),
        cmd_run_option(r, "format"),
        {"output", 'o', 0, G_OPTION_ARG_FILENAME, &sp->out,
         "write the rows file to FILE (required), for 'scan --shard K/N FILE'", "FILE"},
        {"rejects", 0, 0, G_OPTION_ARG_FILENAME, &sp->rejects,
         "write rejected rows (file, line, column, reason, raw) as CSV to FILE", "FILE"},
        cmd_run_option(r, "max-errors"),
        cmd_run_option(r, "max-lateness"),
        cmd_run_option(r, "accounts"),
        cmd_run_option(r, "fx"),
        cmd_run_option(r, "currency"),
        cmd_run_option(r, "fx-max-age"),
        cmd_run_option(r, "threads"),
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &sp->quiet, "no summary", NULL},
        cmd_run_option(r, G_OPTION_REMAINING),
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SOURCE...");
    g_option_context_set_summary(
        ctx, "Read and decode the sources once, run the graph rules, and write a rows file "
             "for the shards of a cluster run (scan --shard K/N FILE; docs/cluster.md).");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!cmd_parse_options(ctx, &argc, &argv, "split"))
        return FALSE;
    if (!r->sources || !r->sources[0]) {
        cmd_error("split", "no source given (a file or several files)");
        return FALSE;
    }
    if (!sp->out || strcmp(sp->out, "-") == 0) {
        cmd_error("split", "give the rows file with -o FILE");
        return FALSE;
    }
    if (r->max_errors < 0) {
        cmd_error("split", "--max-errors must be 0 or more");
        return FALSE;
    }
    return cmd_parse_threads("split", r->threads_opt, &r->threads);
}

/* A graph alert: one line of the rows file's graph text. */
static gboolean on_alert(const Alert *a, void *user)
{
    Split *sp = user;
    guint64 row;
    guint32 order;
    shards_alert_key(scan_engine(sp->scan), &row, &order);
    shard_split_graph_line(sp->line, sp->rs, row, order, a);
    rowfile_graph_text(sp->rows, sp->line->str, sp->line->len);
    sp->graph_alerts++;
    return TRUE;
}

static void on_row(Scan *scan, const Txn *t, void *user)
{
    Split *sp = user;
    rowfile_put(sp->rows, t);
    cmd_run_fx_row(&sp->run, t);
}

/* Opens the rejects file, the sources and the rows file, and starts the
 * graph rules; FALSE after printing why. */
static gboolean open_all(Split *sp)
{
    g_autoptr(GError) err = NULL;
    CmdRunOptions *r = &sp->run;
    g_autoptr(Samefile) sf = samefile_new();
    samefile_inputs(sf, "input", (const char *const *)r->sources);
    samefile_inputs(sf, "--rules", (const char *const *)r->rules);
    samefile_input(sf, "--accounts", r->accounts);
    samefile_output(sf, "--output", sp->out);
    samefile_output(sf, "--rejects", sp->rejects);
    if (!samefile_check(sf, &err) ||
        (sp->rejects && !(sp->rejects_file = outfile_open(sp->rejects, "rejects file", &err)))) {
        cmd_error("split", "%s", err->message);
        return FALSE;
    }
    InputOptions io = {.format = r->format, .fx = r->fx_rates};
    if (!cmd_parse_lateness("split", r->max_lateness, &io.max_lateness))
        return FALSE;
    io.rejects = sp->rejects_file ? outfile_stream(sp->rejects_file) : NULL;
    sp->scan = scan_new(sp->rs);
    scan_set_shard(sp->scan, 0, 1); /* the digests of what it read (scan_split_meta) */
    if (!scan_open(sp->scan, r->accounts, (const char *const *)r->sources,
                   g_strv_length(r->sources), &io, &err) ||
        !(sp->rows = rowfile_create(sp->out, &err))) {
        cmd_error("split", "%s", err->message);
        return FALSE;
    }
    if (scan_split(sp->scan)) {
        cmd_error("split", "%s is a rows file already: split the sources themselves",
                  r->sources[0]);
        return FALSE;
    }
    ShardsOptions so = {.threads = r->threads, .quiet_until = G_MININT64, .part = SHARDS_GRAPH};
    scan_start(sp->scan, &so, on_alert, sp);
    return TRUE;
}

static int run(Split *sp)
{
    g_autoptr(GError) err = NULL;
    ScanLoop loop = {.row = on_row, .user = sp, .max_errors = sp->run.max_errors};
    ScanStatus st = scan_run(sp->scan, &loop, &err);
    if (st == SCAN_FAILED && source_caught_signal()) {
        cmd_error("split", "interrupted by %s: no rows file written",
                  source_signal_name(source_caught_signal()));
        return 128 + source_caught_signal();
    }
    if (st == SCAN_FAILED) {
        cmd_error("split", "%s", err->message);
        return EXIT_DATA;
    }
    InputStats is;
    scan_input_stats(sp->scan, &is);
    char a[32], b[32], c[32], d[32];
    if (sp->rejects_file && !outfile_commit(g_steal_pointer(&sp->rejects_file), &err)) {
        cmd_error("split", "%s", err->message);
        return EXIT_DATA;
    }
    if (st == SCAN_OVER_BUDGET) {
        cmd_error("split",
                  "%s rows rejected, more than --max-errors %" G_GINT64_FORMAT
                  "; no rows file written%s",
                  cmd_count(is.rejected, a), sp->run.max_errors,
                  sp->rejects ? "" : " (--rejects FILE shows them)");
        return EXIT_BUDGET;
    }
    g_autofree char *meta = scan_split_meta(sp->scan);
    if (scan_kyc(sp->scan)) { /* parsed once: the shards load it from the rows file */
        g_autoptr(GByteArray) kyc = g_byte_array_new();
        kyc_save(scan_kyc(sp->scan), kyc);
        rowfile_kyc_bytes(sp->rows, kyc->data, kyc->len);
    }
    if (!rowfile_commit(g_steal_pointer(&sp->rows), scan_accounts(sp->scan),
                        scan_locations(sp->scan), meta, &err)) {
        cmd_error("split", "%s", err->message);
        return EXIT_DATA;
    }
    if (!sp->quiet) {
        fprintf(stderr,
                "split: %s rows read, %s rejected, %s accounts; %s graph alerts; "
                "rows file %s\n",
                cmd_count(is.rows, a), cmd_count(is.rejected, b),
                cmd_count(intern_count(scan_accounts(sp->scan)), c), cmd_count(sp->graph_alerts, d),
                sp->out);
        cmd_input_lines("split", &is, stderr);
    }
    cmd_run_fx_warn("split", &sp->run);
    return EXIT_OK;
}

int cmd_split(int argc, char **argv)
{
    Split sp = {0};
    int rc = EXIT_USAGE;
    sp.line = g_string_sized_new(4096);
    if (parse(&sp, argc, argv)) {
        source_catch_signals();
        if (!sp.run.rules && !g_file_test("rules", G_FILE_TEST_IS_DIR)) {
            cmd_error("split", "no rules directory found: give the rules with --rules DIR|FILE");
        } else if (!(sp.rs = cmd_load_rules("split", sp.run.rules, NULL))) {
            rc = EXIT_FINDINGS;
        } else if (!cmd_run_fx_open("split", &sp.run, NULL, sp.rs)) {
            rc = EXIT_USAGE;
        } else {
            rc = open_all(&sp) ? run(&sp) : EXIT_DATA;
        }
    }
    rowfile_abort(sp.rows);
    outfile_abort(sp.rejects_file);
    scan_free(sp.scan);
    rule_set_free(sp.rs);
    cmd_run_options_clear(&sp.run);
    g_free(sp.out);
    g_free(sp.rejects);
    g_string_free(sp.line, TRUE);
    return rc;
}
