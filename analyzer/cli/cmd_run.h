/* cmd_run.h: what `moneytrail scan`, `backtest` and `rules diff` share on
 * the command line: the options that choose the rules, the data and the run
 * (--rules, --format, --max-errors, --max-lateness, --accounts, --threads
 * and the sources), each written once; and one pass of a rule set over the
 * data with its alerts counted (CmdPass). The pipeline is scan/scan.h. */
#ifndef MT_CMD_RUN_H
#define MT_CMD_RUN_H

#include <glib.h>
#include <stdio.h>

#include "backtest/backtest.h"
#include "read/fx.h"
#include "scan/scan.h"

typedef struct {
    char **rules;
    char *format;
    gint64 max_errors;
    char *max_lateness;
    char *accounts;
    gint threads_opt; /* as given; threads once checked (cmd_parse_threads) */
    guint threads;
    char **sources;
    char *fx;       /* --fx: reference rates (read/fx.h) */
    char *currency; /* --currency: the reporting currency (default EUR) */
    gint fx_max_age;
    Fx *fx_rates; /* the rates loaded (cmd_run_fx_open), or NULL */
    FxSeen seen;  /* without rates: the currencies of the rows read */
} CmdRunOptions;

/* Sets the defaults (the error budget LIMIT_MAX_ERRORS_DEFAULT). */
void cmd_run_options_init(CmdRunOptions *o);
/* The option entry called name ("rules", "format", "max-errors",
 * "max-lateness", "accounts", "threads", or G_OPTION_REMAINING for the
 * sources), filling o when parsed: a command lists them among its own in
 * the order its --help shows. */
GOptionEntry cmd_run_option(CmdRunOptions *o, const char *name);
/* Frees the strings the parser put in o. */
void cmd_run_options_clear(CmdRunOptions *o);
/* Loads the rates of --fx, or with none given and db not NULL (a
 * connection string, "" = the environment) those of the fx_rates table
 * when it holds any, and lets rs convert thresholds with them; FALSE after
 * printing why. Without rates it does nothing. */
gboolean cmd_run_fx_open(const char *cmd, CmdRunOptions *o, const char *db, RuleSet *rs);
/* Each row read: without rates, its currency is noted for cmd_run_fx_warn. */
static inline void cmd_run_fx_row(CmdRunOptions *o, const Txn *t)
{
    if (!o->fx_rates)
        fx_seen_add(&o->seen, t->core.currency);
}
/* With rates, one line for the run summary: into which currency, how many
 * rates, which base, how old a rate may be. */
void cmd_run_fx_summary(const char *cmd, const CmdRunOptions *o, FILE *out);
/* Without rates, a warning on stderr when the rows held several currencies
 * (their amounts were added as numbers). */
void cmd_run_fx_warn(const char *cmd, const CmdRunOptions *o);

/* One pass of a rule set over the data. The caller fills the first fields;
 * cmd_pass_run fills the rest, which cmd_pass_clear frees. */
typedef struct {
    const char *cmd;        /* for messages: "backtest" */
    const CmdRunOptions *o; /* borrowed */
    char **rules;           /* rule paths; NULL: o->rules */
    LabelSet *labels;       /* borrowed; label columns of the data are added to it */
    guint top;              /* the backtest's top accounts */
    AlertFn alert;          /* called for each alert besides the backtest; may be NULL */
    void *user;
    RuleSet *rs;  /* the rules loaded (owned) */
    Scan *scan;   /* owned */
    Backtest *bt; /* the alerts counted against labels (owned) */
} CmdPass;

/* Loads the rules (with overrides, may be NULL), reads the data through
 * them and counts the alerts; an EXIT_* code, the message printed. */
int cmd_pass_run(CmdPass *p, GHashTable *overrides);
/* Frees what cmd_pass_run made. */
void cmd_pass_clear(CmdPass *p);

#endif
