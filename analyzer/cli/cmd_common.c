/* cmd_common.c: what the subcommands share: messages, option parsing,
 * number formatting for people. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "engine/shards.h"
#include "base/money.h"
#include "rule/rule.h"
#include "base/tstamp.h"

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

GOptionEntry cmd_option_find(const GOptionEntry *entries, const char *name)
{
    for (const GOptionEntry *e = entries; e->long_name; e++)
        if (strcmp(e->long_name, name) == 0)
            return *e;
    g_error("no option '%s' in the table", name);
}

void cmd_options_clear(const GOptionEntry *entries)
{
    for (const GOptionEntry *e = entries; e && e->long_name; e++) {
        if (e->arg == G_OPTION_ARG_STRING || e->arg == G_OPTION_ARG_FILENAME)
            g_clear_pointer((char **)e->arg_data, g_free);
        else if (e->arg == G_OPTION_ARG_STRING_ARRAY || e->arg == G_OPTION_ARG_FILENAME_ARRAY)
            g_clear_pointer((char ***)e->arg_data, g_strfreev);
    }
}

gboolean cmd_parse_lateness(const char *what, const char *text, gint64 *out)
{
    if (!text || tstamp_parse_duration(text, strlen(text), out))
        return TRUE;
    cmd_error(what, "--max-lateness '%s' is not a duration like 0s, 30m or 2h", text);
    return FALSE;
}

gboolean cmd_parse_threads(const char *what, gint value, guint *threads)
{
    if (value < 0 || value > LIMIT_SHARDS) {
        cmd_error(what, "--threads must be from 1 to %d, or 0 for one per processor", LIMIT_SHARDS);
        return FALSE;
    }
    *threads = value ? (guint)value : shards_default_threads();
    return TRUE;
}

const char *cmd_count(guint64 n, char *buf)
{
    return money_format((gint64)n, 0, buf);
}

RuleSet *cmd_load_rules(const char *what, char **paths, GHashTable *overrides)
{
    static const char *const fallback[] = {"rules", NULL};
    const char *const *p = paths ? (const char *const *)paths : fallback;
    g_autoptr(GPtrArray) diags = rule_diags_new();
    RuleSet *rs = rule_set_load_with(p, g_strv_length((char **)p), overrides, diags);
    for (guint i = 0; i < diags->len; i++) {
        const RuleDiag *d = g_ptr_array_index(diags, i);
        if (!rs || !d->warning)
            rule_diag_print(d, stderr);
    }
    if (!rs)
        cmd_error(what, "the rules do not compile; 'moneytrail rules check' shows why");
    return rs;
}
