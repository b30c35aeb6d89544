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
#include "cli/cmd_run.h"
#include "scan/scan.h"

typedef struct {
    CmdRunOptions run; /* rules, data, budget, threads: cmd_run.h */
    char **labels;
    gboolean json;
    char **sweeps; /* --sweep, repeatable: a grid */
    char *sort;    /* --sort f1|lift|grid */
    gint top;
} BacktestOptions;

static gboolean parse(BacktestOptions *o, int argc, char **argv)
{
    CmdRunOptions *r = &o->run;
    cmd_run_options_init(r);
    GOptionEntry entries[] = {
        cmd_run_option(r, "rules"),
        {"labels", 'l', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->labels,
         "ground truth: instances.csv, Patterns.txt or an AMLSim alert file (repeatable)", "FILE"},
        cmd_run_option(r, "format"),
        {"json", 0, 0, G_OPTION_ARG_NONE, &o->json, "write the numbers as JSON", NULL},
        {"sweep", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->sweeps,
         "rerun with each value of a rule parameter or constant (repeat for a grid)",
         "RULE.PARAM=V1,V2,..."},
        {"sort", 0, 0, G_OPTION_ARG_STRING, &o->sort,
         "order of the sweep's rows: f1 (default), lift or grid", "KEY"},
        {"top", 0, 0, G_OPTION_ARG_INT, &o->top,
         "also list the N accounts with the highest score and their alerts", "N"},
        cmd_run_option(r, "max-errors"),
        cmd_run_option(r, "max-lateness"),
        cmd_run_option(r, "accounts"),
        cmd_run_option(r, "fx"),
        cmd_run_option(r, "currency"),
        cmd_run_option(r, "fx-max-age"),
        cmd_run_option(r, "threads"),
        cmd_run_option(r, G_OPTION_REMAINING),
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("DATA...");
    g_option_context_set_summary(
        ctx, "Run the rules over labelled transactions and count what they find: alerts, "
             "accounts flagged, true and false positives, precision and recall at account and "
             "transaction level, alerts per 1,000 accounts per month. docs/backtest.md "
             "defines every number.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!cmd_parse_options(ctx, &argc, &argv, "backtest"))
        return FALSE;
    if (!r->sources || !r->sources[0]) {
        cmd_error("backtest", "no data given (one or more transaction files)");
        return FALSE;
    }
    if (o->top < 0 || r->max_errors < 0) {
        cmd_error("backtest", "--top and --max-errors must be 0 or more");
        return FALSE;
    }
    return cmd_parse_threads("backtest", r->threads_opt, &r->threads);
}

/* Runs the rules (with overrides, may be NULL) over the data; the report,
 * or NULL with *rc set. */
static BacktestReport *run(const BacktestOptions *o, LabelSet *labels, GHashTable *overrides,
                           int *rc)
{
    CmdPass p = {.cmd = "backtest", .o = &o->run, .labels = labels, .top = (guint)o->top};
    BacktestReport *report = NULL;
    *rc = cmd_pass_run(&p, overrides);
    if (*rc == EXIT_OK && label_set_is_empty(labels)) {
        cmd_error("backtest", "no ground truth: give --labels FILE, or data with a label column "
                              "(AMLworld 'Is Laundering', AMLSim 'is_sar')");
        *rc = EXIT_USAGE;
    }
    if (*rc == EXIT_OK)
        report = backtest_report(p.bt);
    cmd_pass_clear(&p);
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

/* One --sweep option: its setting and its values. */
typedef struct {
    char *setting;
    char **values;
} SweepAxis;

/* Splits each --sweep SETTING=V1,V2,... into axes[]; FALSE (with a usage
 * message) for a malformed one or a setting given twice. */
static gboolean sweep_axes(char **sweeps, SweepAxis *axes, guint n)
{
    for (guint i = 0; i < n; i++) {
        const char *eq = strchr(sweeps[i], '=');
        if (!eq || eq == sweeps[i] || !eq[1]) {
            cmd_error("backtest", "--sweep '%s' is not RULE.PARAM=V1,V2,... or NAME=V1,V2,...",
                      sweeps[i]);
            return FALSE;
        }
        axes[i].setting = g_strndup(sweeps[i], (gsize)(eq - sweeps[i]));
        axes[i].values = g_strsplit(eq + 1, ",", -1);
        for (char **v = axes[i].values; *v; v++)
            g_strstrip(*v);
        for (guint k = 0; k < i; k++) {
            if (strcmp(axes[k].setting, axes[i].setting) == 0) {
                cmd_error("backtest", "--sweep names '%s' twice", axes[i].setting);
                return FALSE;
            }
        }
    }
    return TRUE;
}

/* The rule whose row a sweep reports: the one rule all settings belong to,
 * else NULL (the union of all rules). Caller frees. */
static char *sweep_rule(const SweepAxis *axes, guint n)
{
    char *rule = NULL;
    for (guint i = 0; i < n; i++) {
        const char *dot = strchr(axes[i].setting, '.');
        g_autofree char *r =
            dot ? g_strndup(axes[i].setting, (gsize)(dot - axes[i].setting)) : NULL;
        if (!r || (rule && strcmp(rule, r) != 0)) {
            g_free(rule);
            return NULL;
        }
        if (!rule)
            rule = g_steal_pointer(&r);
    }
    return rule;
}

/* Runs every combination of the axes' values, the first axis varying
 * slowest (an odometer over pos[]); one pass over the data each. */
static int sweep_grid(const BacktestOptions *o, LabelSet *labels, SweepAxis *axes, guint n,
                      BacktestSweep *sweep)
{
    g_autofree guint *pos = g_new0(guint, n);
    g_autofree const char **values = g_new0(const char *, n + 1);
    g_autoptr(GHashTable) overrides = g_hash_table_new(g_str_hash, g_str_equal);
    for (;;) {
        for (guint k = 0; k < n; k++) {
            values[k] = axes[k].values[pos[k]];
            g_hash_table_insert(overrides, axes[k].setting, (gpointer)values[k]);
        }
        int rc;
        g_autoptr(BacktestReport) report = run(o, labels, overrides, &rc);
        if (!report)
            return rc;
        backtest_sweep_add(sweep, values, report);
        guint k = n;
        while (k > 0 && !axes[k - 1].values[++pos[k - 1]])
            pos[--k] = 0;
        if (k == 0)
            return EXIT_OK;
    }
}

/* --sweep SETTING=V1,V2,... (repeatable): one run per combination, the
 * rows ordered by --sort. */
static int backtest_sweep(const BacktestOptions *o, LabelSet *labels)
{
    guint n = g_strv_length(o->sweeps);
    BacktestSort sort = BACKTEST_SORT_F1;
    if (o->sort && !backtest_sort_parse(o->sort, &sort)) {
        cmd_error("backtest", "--sort '%s' is not f1, lift or grid", o->sort);
        return EXIT_USAGE;
    }
    g_autofree SweepAxis *axes = g_new0(SweepAxis, n);
    int rc = sweep_axes(o->sweeps, axes, n) ? EXIT_OK : EXIT_USAGE;
    g_autofree const char **settings = g_new0(const char *, n);
    for (guint i = 0; i < n; i++)
        settings[i] = axes[i].setting;
    g_autofree char *rule = rc == EXIT_OK ? sweep_rule(axes, n) : NULL;
    g_autoptr(BacktestSweep) sweep = backtest_sweep_new(settings, n, rule);
    if (rc == EXIT_OK)
        rc = sweep_grid(o, labels, axes, n, sweep);
    if (rc == EXIT_OK) {
        backtest_sweep_sort(sweep, sort);
        g_autoptr(GString) out = g_string_new(NULL);
        if (o->json)
            backtest_sweep_json(sweep, out);
        else
            backtest_sweep_text(sweep, out);
        emit(out);
    }
    for (guint i = 0; i < n; i++) {
        g_free(axes[i].setting);
        g_strfreev(axes[i].values);
    }
    return rc;
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
    cmd_run_options_clear(&o->run);
    g_strfreev(o->labels);
    g_strfreev(o->sweeps);
    g_free(o->sort);
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
            rc = o.sweeps ? backtest_sweep(&o, labels) : backtest_once(&o, labels);
    }
    options_clear(&o);
    return rc;
}
