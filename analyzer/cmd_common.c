/* cmd_common.c: what the subcommands share: messages, option parsing,
 * number formatting for people. */
#include <stdarg.h>
#include <stdio.h>

#include "cmd.h"
#include "money.h"

void cmd_error(const char *what, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "moneytrail: %s: ", what);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

gboolean cmd_parse_options(GOptionContext *ctx, int *argc, char ***argv, const char *what)
{
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, argc, argv, &err)) {
        cmd_error(what, "%s (see --help)", err->message);
        return FALSE;
    }
    return TRUE;
}

const char *cmd_count(guint64 n, char *buf)
{
    return money_format((gint64)n, 0, buf);
}
