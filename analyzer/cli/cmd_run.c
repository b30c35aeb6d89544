/* cmd_run.c: the options scan and backtest share (see cmd_run.h). One
 * table, so that the two commands' --help say the same thing the same way. */
#include "cli/cmd_run.h"

#include <string.h>

#include "base/limits.h"

void cmd_run_options_init(CmdRunOptions *o)
{
    *o = (CmdRunOptions){.max_errors = LIMIT_MAX_ERRORS_DEFAULT};
}

GOptionEntry cmd_run_option(CmdRunOptions *o, const char *name)
{
    const GOptionEntry entries[] = {
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
    };
    for (gsize i = 0; i < G_N_ELEMENTS(entries); i++)
        if (strcmp(entries[i].long_name, name) == 0)
            return entries[i];
    g_assert_not_reached();
}

void cmd_run_options_clear(CmdRunOptions *o)
{
    g_strfreev(o->rules);
    g_free(o->format);
    g_free(o->max_lateness);
    g_free(o->accounts);
    g_strfreev(o->sources);
}
