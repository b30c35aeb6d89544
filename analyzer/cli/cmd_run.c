/* cmd_run.c: the options scan and backtest share (see cmd_run.h). One
 * table, so that the two commands' --help say the same thing the same way.
 * And one pass of rules over data, for backtest and rules diff. */
#include "cli/cmd_run.h"

#include <string.h>

#include <stdio.h>

#include "base/db.h"
#include "base/limits.h"
#include "cli/cmd.h"

void cmd_run_options_init(CmdRunOptions *o)
{
    *o = (CmdRunOptions){.max_errors = LIMIT_MAX_ERRORS_DEFAULT,
                         .fx_max_age = FX_MAX_AGE_DAYS_DEFAULT};
}

/* The table of the shared options, filling o; out has room for
 * CMD_RUN_ENTRIES entries, the last the terminator. */
#define CMD_RUN_ENTRIES 11
static void run_entries(CmdRunOptions *o, GOptionEntry out[CMD_RUN_ENTRIES])
{
    const GOptionEntry entries[CMD_RUN_ENTRIES] = {
        {"rules", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->rules,
         "rule file or directory (repeatable; default: rules)", "PATH"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &o->format,
         "mapping profile name or file (default: detected from the header)", "NAME"},
        {"max-errors", 0, 0, G_OPTION_ARG_INT64, &o->max_errors,
         "fail when more than N rows are rejected (default 100)", "N"},
        {"max-lateness", 0, 0, G_OPTION_ARG_STRING, &o->max_lateness,
         "accept rows up to DUR older than the latest seen (default 0s)", "DUR"},
        {"accounts", 0, 0, G_OPTION_ARG_FILENAME, &o->accounts,
         "accounts (KYC) side table as CSV, joined on account id (account.* in rules)", "FILE"},
        {"threads", 'j', 0, G_OPTION_ARG_INT, &o->threads_opt,
         "rule engine threads, the accounts split among them (default 0: one per processor)", "N"},
        {"fx", 0, 0, G_OPTION_ARG_FILENAME, &o->fx,
         "reference exchange rates (ECB CSV or date,currency,rate,base): amounts are converted "
         "into the reporting currency (docs/currencies.md)",
         "FILE"},
        {"currency", 0, 0, G_OPTION_ARG_STRING, &o->currency,
         "the reporting currency of --fx (default EUR)", "CODE"},
        {"fx-max-age", 0, 0, G_OPTION_ARG_INT, &o->fx_max_age,
         "reject a row whose last rate is more than N days older than it (default 5)", "N"},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->sources, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    memcpy(out, entries, sizeof entries);
}

GOptionEntry cmd_run_option(CmdRunOptions *o, const char *name)
{
    GOptionEntry entries[CMD_RUN_ENTRIES];
    run_entries(o, entries);
    return cmd_option_find(entries, name);
}

void cmd_run_options_clear(CmdRunOptions *o)
{
    GOptionEntry entries[CMD_RUN_ENTRIES];
    run_entries(o, entries);
    cmd_options_clear(entries);
    g_clear_pointer(&o->fx_rates, fx_free);
}

/* The rates of the fx_rates table into fx; *n of them. */
static gboolean fx_from_db(Fx *fx, const char *db, guint *n, GError **error)
{
    PGconn *conn = db_connect(db, error);
    if (!conn)
        return FALSE;
    gboolean ok = fx_load_db(fx, conn, n, error);
    PQfinish(conn);
    return ok;
}

gboolean cmd_run_fx_open(const char *cmd, CmdRunOptions *o, const char *db, RuleSet *rs)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Fx) fx = fx_new_checked(o->currency, o->fx_max_age, &err);
    if (!fx) {
        cmd_error(cmd, "%s", err->message);
        return FALSE;
    }
    if (o->fx_rates) { /* a second pass (rules diff) shares the rates of the first */
        rs->fx = o->fx_rates;
        return TRUE;
    }
    if (!o->fx && !db) {
        if (o->currency)
            cmd_error(cmd, "--currency needs --fx FILE (the rates to convert with)");
        return !o->currency;
    }
    guint n = 1;
    if (!(o->fx ? fx_load_file(fx, o->fx, &err) : fx_from_db(fx, db, &n, &err)) ||
        (n && !fx_finish(fx, &err))) {
        cmd_error(cmd, "%s", err->message);
        return FALSE;
    }
    if (n) {
        o->fx_rates = g_steal_pointer(&fx);
        rs->fx = o->fx_rates;
    }
    return TRUE;
}

void cmd_run_fx_summary(const char *cmd, const CmdRunOptions *o, FILE *out)
{
    if (!o->fx_rates)
        return;
    char rep[4], base[4], n[32];
    txn_unpack_code(fx_reporting(o->fx_rates), rep);
    txn_unpack_code(fx_base(o->fx_rates), base);
    fprintf(out,
            "%s: amounts converted into %s with %s rates from %s (base %s, at most %d days old)\n",
            cmd, rep, cmd_count(fx_count(o->fx_rates), n), o->fx ? o->fx : "the fx_rates table",
            *base ? base : rep, fx_max_age(o->fx_rates));
}

void cmd_run_fx_warn(const char *cmd, const CmdRunOptions *o)
{
    if (o->fx_rates || o->seen.n < 2)
        return;
    g_autofree char *codes = fx_seen_text(&o->seen);
    fprintf(stderr,
            "%s: warning: the rows hold amounts in several currencies (%s), and without --fx "
            "their sums add them as numbers (docs/currencies.md)\n",
            cmd, codes);
}

/* Each alert: counted by the backtest, then handed to the caller's. */
static gboolean pass_alert(const Alert *a, void *user)
{
    CmdPass *p = user;
    backtest_on_alert(a, p->bt);
    return p->alert ? p->alert(a, p->user) : TRUE;
}

static int pass_open(CmdPass *p, GHashTable *overrides)
{
    g_autoptr(GError) err = NULL;
    const CmdRunOptions *o = p->o;
    InputOptions io = {.format = o->format};
    if (!cmd_parse_lateness(p->cmd, o->max_lateness, &io.max_lateness))
        return EXIT_USAGE;
    if (!(p->rs = cmd_load_rules(p->cmd, p->rules ? p->rules : o->rules, overrides)))
        return EXIT_FINDINGS;
    if (!cmd_run_fx_open(p->cmd, (CmdRunOptions *)o, NULL, p->rs))
        return EXIT_USAGE;
    io.fx = o->fx_rates;
    p->scan = scan_new(p->rs);
    if (!scan_open(p->scan, o->accounts, (const char *const *)o->sources, g_strv_length(o->sources),
                   &io, &err)) {
        cmd_error(p->cmd, "%s", err->message);
        return EXIT_DATA;
    }
    p->bt = backtest_new(p->labels, scan_accounts(p->scan));
    backtest_set_top(p->bt, p->top);
    for (guint i = 0; i < p->rs->rules->len; i++)
        backtest_add_rule(p->bt, ((const Rule *)g_ptr_array_index(p->rs->rules, i))->id);
    ShardsOptions so = {.threads = o->threads, .quiet_until = G_MININT64};
    scan_start(p->scan, &so, pass_alert, p);
    return EXIT_OK;
}

/* Each row before the engine: its labels, and its place in the counts. */
static void pass_row(Scan *scan, const Txn *t, void *user)
{
    CmdPass *p = user;
    guint n_names;
    const char *const *names = input_label_names(scan_input(scan), &n_names);
    label_set_observe(p->labels, t, scan_accounts(scan), names, n_names);
    backtest_add_txn(p->bt, &t->core);
    cmd_run_fx_row((CmdRunOptions *)p->o, t);
}

static int pass_loop(CmdPass *p)
{
    /* read to the end, so that the count of rejects is the data's */
    ScanLoop loop = {.row = pass_row, .user = p, .max_errors = p->o->max_errors, .read_all = TRUE};
    g_autoptr(GError) err = NULL;
    ScanStatus status = scan_run(p->scan, &loop, &err);
    if (status == SCAN_FAILED) {
        cmd_error(p->cmd, "%s", err->message);
        return EXIT_DATA;
    }
    InputStats st;
    scan_input_stats(p->scan, &st);
    char a[32];
    if (status == SCAN_OVER_BUDGET) {
        cmd_error(p->cmd, "%s rows rejected, more than --max-errors %" G_GINT64_FORMAT,
                  cmd_count(st.rejected, a), p->o->max_errors);
        return EXIT_BUDGET;
    }
    if (st.rejected)
        fprintf(stderr, "%s: %s rows rejected ('moneytrail scan --rejects FILE' lists them)\n",
                p->cmd, cmd_count(st.rejected, a));
    cmd_run_fx_warn(p->cmd, p->o);
    return EXIT_OK;
}

int cmd_pass_run(CmdPass *p, GHashTable *overrides)
{
    int rc = pass_open(p, overrides);
    return rc == EXIT_OK ? pass_loop(p) : rc;
}

void cmd_pass_clear(CmdPass *p)
{
    g_clear_pointer(&p->scan, scan_free);
    g_clear_pointer(&p->bt, backtest_free);
    g_clear_pointer(&p->rs, rule_set_free);
}
