/* cmd_run.c: the options scan and backtest share (see cmd_run.h). One
 * table, so that the two commands' --help say the same thing the same way. */
#include "cli/cmd_run.h"

#include <string.h>

#include "base/limits.h"
#include "cli/cmd.h"

void cmd_run_options_init(CmdRunOptions *o)
{
    *o = (CmdRunOptions){.max_errors = LIMIT_MAX_ERRORS_DEFAULT};
}

/* The table of the shared options, filling o; out has room for
 * CMD_RUN_ENTRIES entries, the last the terminator. */
#define CMD_RUN_ENTRIES 8
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
}
