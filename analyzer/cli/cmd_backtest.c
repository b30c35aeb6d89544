/* cmd_backtest.c: `moneytrail backtest`: the rules over labelled data, and
 * what they find: precision, recall and workload per rule, instances found
 * per typology, the top accounts; or a sweep of one threshold.
 *
 * The rules run in-process exactly as `moneytrail scan` runs them (sources
 * -> decoder -> engine), with a callback that counts alerts instead of a
 * sink. Label files are read first; label columns of the data are read as
 * the rows stream past. A sweep re-reads the data once per value. */
#include <stdio.h>
#include <string.h>

#include "backtest/backtest.h"
#include "cli/cmd.h"
#include "engine/shards.h"
#include "read/input.h"
#include "read/kyc.h"

typedef struct {
    char **rules;
    char **labels;
    char *format;
    gboolean json;
    char *sweep;
    gint top;
    gint64 max_errors;
    char *max_lateness;
    char *accounts;
    gint threads_opt;
    guint threads;
    char **sources;
} BacktestOptions;

/* One pass over the data with one rule set. */
typedef struct {
    const BacktestOptions *o;
    LabelSet *labels;
    RuleSet *rs;
    Intern *accounts, *locations;
    Kyc *kyc;
    Input *input;
    Shards *engine;
    Backtest *bt;
} Run;

static gboolean parse(BacktestOptions *o, int argc, char **argv)
{
    o->max_errors = LIMIT_MAX_ERRORS_DEFAULT;
    GOptionEntry entries[] = {
        {"rules", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->rules,
         "rule file or directory (repeatable; default: rules)", "PATH"},
        {"labels", 'l', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->labels,
         "ground truth: instances.csv, Patterns.txt or an AMLSim alert file (repeatable)", "FILE"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &o->format,
         "mapping profile name or file (default: detected from the header)", "NAME"},
        {"json", 0, 0, G_OPTION_ARG_NONE, &o->json, "write the numbers as JSON", NULL},
        {"sweep", 0, 0, G_OPTION_ARG_STRING, &o->sweep,
         "rerun with each value of a rule parameter or constant", "RULE.PARAM=V1,V2,..."},
        {"top", 0, 0, G_OPTION_ARG_INT, &o->top,
         "also list the N accounts with the highest score and their alerts", "N"},
        {"max-errors", 0, 0, G_OPTION_ARG_INT64, &o->max_errors,
         "fail when more than N rows are rejected (default 100)", "N"},
        {"max-lateness", 0, 0, G_OPTION_ARG_STRING, &o->max_lateness,
         "accept rows up to DUR older than the latest seen (default 0s)", "DUR"},
        {"accounts", 0, 0, G_OPTION_ARG_FILENAME, &o->accounts,
         "accounts (KYC) side table as CSV, joined on account id (account.* in rules)", "FILE"},
        {"threads", 'j', 0, G_OPTION_ARG_INT, &o->threads_opt,
         "rule engine threads, the accounts split among them (default 0: one per processor)", "N"},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->sources, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("DATA...");
    g_option_context_set_summary(
        ctx, "Run the rules over labelled transactions and count what they find: alerts, "
             "accounts flagged, true and false positives, precision and recall at account and "
             "transaction level, alerts per 1,000 accounts per month. README.md (Backtest) "
             "defines every number.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!cmd_parse_options(ctx, &argc, &argv, "backtest"))
        return FALSE;
    if (!o->sources || !o->sources[0]) {
        cmd_error("backtest", "no data given (one or more transaction files)");
        return FALSE;
    }
    if (o->top < 0 || o->max_errors < 0) {
        cmd_error("backtest", "--top and --max-errors must be 0 or more");
        return FALSE;
    }
    return cmd_parse_threads("backtest", o->threads_opt, &o->threads);
}

static int run_open(Run *r, GHashTable *overrides)
{
    g_autoptr(GError) err = NULL;
    InputOptions io = {.format = r->o->format};
    if (!cmd_parse_lateness("backtest", r->o->max_lateness, &io.max_lateness))
        return EXIT_USAGE;
    if (!(r->rs = cmd_load_rules("backtest", r->o->rules, overrides)))
        return EXIT_FINDINGS;
    r->accounts = intern_new();
    r->locations = intern_new();
    if (r->o->accounts && !(r->kyc = kyc_load(r->o->accounts, r->accounts, r->locations, &err))) {
        cmd_error("backtest", "%s", err->message);
        return EXIT_DATA;
    }
    r->input = input_open((const char *const *)r->o->sources, g_strv_length(r->o->sources), &io,
                          r->accounts, r->locations, &err);
    if (!r->input) {
        cmd_error("backtest", "%s", err->message);
        return EXIT_DATA;
    }
    r->bt = backtest_new(r->labels, r->accounts);
    backtest_set_top(r->bt, (guint)r->o->top);
    for (guint i = 0; i < r->rs->rules->len; i++)
        backtest_add_rule(r->bt, ((const Rule *)g_ptr_array_index(r->rs->rules, i))->id);
    ShardsOptions so = {.threads = r->o->threads, .kyc = r->kyc, .quiet_until = G_MININT64};
    r->engine = shards_new(r->rs, r->accounts, r->locations, &so, backtest_on_alert, r->bt);
    return EXIT_OK;
}

static int run_loop(Run *r)
{
    Txn t;
    InputStats st;
    GError *err = NULL;
    for (;;) {
        InputStatus is = input_next(r->input, &t, &err);
        if (is == INPUT_END)
            break;
        if (is == INPUT_ERROR) {
            cmd_error("backtest", "%s", err->message);
            g_error_free(err);
            return EXIT_DATA;
        }
        guint n_names;
        const char *const *names = input_label_names(r->input, &n_names);
        label_set_observe(r->labels, &t, r->accounts, names, n_names);
        backtest_add_txn(r->bt, &t.core);
        shards_process(r->engine, &t);
    }
    shards_finish(r->engine);
    input_stats(r->input, &st);
    if (st.rejected > (guint64)r->o->max_errors) {
        char a[32];
        cmd_error("backtest", "%s rows rejected, more than --max-errors %" G_GINT64_FORMAT,
                  cmd_count(st.rejected, a), r->o->max_errors);
        return EXIT_BUDGET;
    }
    if (st.rejected) {
        char a[32];
        fprintf(stderr,
                "backtest: %s rows rejected ('moneytrail scan --rejects FILE' lists them)\n",
                cmd_count(st.rejected, a));
    }
    return EXIT_OK;
}

static void run_clear(Run *r)
{
    shards_free(r->engine);
    backtest_free(r->bt);
    input_free(r->input);
    kyc_free(r->kyc);
    if (r->accounts)
        intern_free(r->accounts);
    if (r->locations)
        intern_free(r->locations);
    rule_set_free(r->rs);
}

/* Runs the rules (with overrides, may be NULL) over the data; the report,
 * or NULL with *rc set. */
static BacktestReport *run(const BacktestOptions *o, LabelSet *labels, GHashTable *overrides,
                           int *rc)
{
    Run r = {.o = o, .labels = labels};
    BacktestReport *report = NULL;
    *rc = run_open(&r, overrides);
    if (*rc == EXIT_OK)
        *rc = run_loop(&r);
    if (*rc == EXIT_OK && label_set_is_empty(labels)) {
        cmd_error("backtest", "no ground truth: give --labels FILE, or data with a label column "
                              "(AMLworld 'Is Laundering', AMLSim 'is_sar')");
        *rc = EXIT_USAGE;
    }
    if (*rc == EXIT_OK)
        report = backtest_report(r.bt);
    run_clear(&r);
    return report;
}

static void emit(GString *out)
{
    fwrite(out->str, 1, out->len, stdout);
    fflush(stdout);
}

static int backtest_once(const BacktestOptions *o, LabelSet *labels)
{
    int rc;
    g_autoptr(BacktestReport) report = run(o, labels, NULL, &rc);
    if (!report)
        return rc;
    g_autoptr(GString) out = g_string_new(NULL);
    if (o->json)
        backtest_report_json(report, out);
    else
        backtest_report_text(report, out);
    emit(out);
    return EXIT_OK;
}

/* --sweep SETTING=V1,V2,...: one run per value. */
static int backtest_sweep(const BacktestOptions *o, LabelSet *labels)
{
    const char *eq = strchr(o->sweep, '=');
    if (!eq || eq == o->sweep || !eq[1]) {
        cmd_error("backtest", "--sweep '%s' is not RULE.PARAM=V1,V2,... or NAME=V1,V2,...",
                  o->sweep);
        return EXIT_USAGE;
    }
    g_autofree char *setting = g_strndup(o->sweep, (gsize)(eq - o->sweep));
    g_auto(GStrv) values = g_strsplit(eq + 1, ",", -1);
    const char *dot = strchr(setting, '.');
    g_autofree char *rule = dot ? g_strndup(setting, (gsize)(dot - setting)) : NULL;
    g_autoptr(BacktestSweep) sweep = backtest_sweep_new(setting, rule);
    g_autoptr(GHashTable) overrides = g_hash_table_new(g_str_hash, g_str_equal);
    for (char **v = values; *v; v++) {
        int rc;
        g_strstrip(*v);
        g_hash_table_insert(overrides, setting, *v);
        g_autoptr(BacktestReport) report = run(o, labels, overrides, &rc);
        if (!report)
            return rc;
        backtest_sweep_add(sweep, *v, report);
    }
    g_autoptr(GString) out = g_string_new(NULL);
    if (o->json)
        backtest_sweep_json(sweep, out);
    else
        backtest_sweep_text(sweep, out);
    emit(out);
    return EXIT_OK;
}

static gboolean load_labels(LabelSet *labels, char **paths)
{
    for (char **p = paths; p && *p; p++) {
        g_autoptr(GError) err = NULL;
        if (!label_set_load(labels, *p, &err)) {
            cmd_error("backtest", "%s", err->message);
            return FALSE;
        }
    }
    return TRUE;
}

static void options_clear(BacktestOptions *o)
{
    g_strfreev(o->rules);
    g_strfreev(o->labels);
    g_strfreev(o->sources);
    g_free(o->format);
    g_free(o->sweep);
    g_free(o->max_lateness);
    g_free(o->accounts);
}

int cmd_backtest(int argc, char **argv)
{
    BacktestOptions o = {0};
    int rc = EXIT_USAGE;
    g_autoptr(LabelSet) labels = label_set_new();
    if (parse(&o, argc, argv)) {
        if (!load_labels(labels, o.labels))
            rc = EXIT_DATA;
        else
            rc = o.sweep ? backtest_sweep(&o, labels) : backtest_once(&o, labels);
    }
    options_clear(&o);
    return rc;
}
