/* cmd_run.h: what `moneytrail scan` and `moneytrail backtest` share on the
 * command line: the options that choose the rules, the data and the run
 * (--rules, --format, --max-errors, --max-lateness, --accounts, --threads
 * and the sources), each written once; the pipeline itself is scan/scan.h. */
#ifndef MT_CMD_RUN_H
#define MT_CMD_RUN_H

#include <glib.h>

typedef struct {
    char **rules;
    char *format;
    gint64 max_errors;
    char *max_lateness;
    char *accounts;
    gint threads_opt; /* as given; threads once checked (cmd_parse_threads) */
    guint threads;
    char **sources;
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

#endif
