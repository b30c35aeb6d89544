/* case_view.c: store options, messages and text cells for the
 * investigator commands. */
#include "cli/cmd_view.h"

#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "base/money.h"
#include "base/tstamp.h"

void cmd_view_add_store_options(GOptionContext *ctx, CmdViewOptions *o)
{
    GOptionEntry entries[] = {
        {"alerts", 'a', 0, G_OPTION_ARG_FILENAME, &o->alerts,
         "alerts JSON Lines written by moneytrail scan (file mode)", "FILE"},
        {"data", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->data,
         "transaction export that was scanned, any profile, plain or gzip (repeatable)", "FILE"},
        {"accounts", 0, 0, G_OPTION_ARG_FILENAME, &o->accounts,
         "KYC accounts CSV (account_id,customer_id,kind,name,...)", "FILE"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &o->format,
         "mapping profile of the exports (default: detected)", "NAME"},
        {"db", 0, 0, G_OPTION_ARG_STRING, &o->db,
         "PostgreSQL connection string (libpq); replaces the files", "CONNINFO"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    GOptionGroup *g = g_option_group_new("store", "Where the alerts and transactions come from:",
                                         "Show the store options", NULL, NULL);
    g_option_group_add_entries(g, entries);
    g_option_context_add_group(ctx, g);
}

void cmd_view_options_clear(CmdViewOptions *o)
{
    g_free(o->alerts);
    g_strfreev(o->data);
    g_free(o->accounts);
    g_free(o->format);
    g_free(o->db);
}

CaseStore *cmd_view_open(const CmdViewOptions *o, const char *what)
{
    g_autoptr(GError) err = NULL;
    CaseOpenOptions co = {o->alerts, (const char *const *)o->data, o->accounts, o->format, o->db};
    CaseStore *s = case_store_open(&co, &err);
    if (!s)
        cmd_error(what, "%s", err->message);
    return s;
}

int cmd_view_fail(const char *what, GError *error)
{
    cmd_error(what, "%s", error ? error->message : "failed");
    if (error && error->domain == CASE_ERROR && error->code == CASE_ERROR_NOT_FOUND)
        return EXIT_NOT_FOUND;
    if (error && error->domain == CASE_ERROR && error->code == CASE_ERROR_USAGE)
        return EXIT_USAGE;
    return EXIT_DATA;
}

int cmd_view_require_account(CaseStore *s, const char *what, const char *id)
{
    g_autoptr(GError) err = NULL;
    if (s->ops->account_known(s, id, &err))
        return EXIT_OK;
    if (!err)
        g_set_error(&err, CASE_ERROR, CASE_ERROR_NOT_FOUND,
                    "no account '%s' in the accounts, transactions or alerts given", id);
    return cmd_view_fail(what, err);
}

gboolean cmd_view_range(const char *what, const char *from, const char *to, gint64 *t0, gint64 *t1)
{
    *t0 = G_MININT64 / 2;
    *t1 = G_MAXINT64 / 2;
    if (from && !case_parse_time(from, FALSE, t0)) {
        cmd_error(what, "--from '%s' is not a date (2024-03-01) or ISO 8601 time", from);
        return FALSE;
    }
    if (to && !case_parse_time(to, TRUE, t1)) {
        cmd_error(what, "--to '%s' is not a date (2024-03-31) or ISO 8601 time", to);
        return FALSE;
    }
    return TRUE;
}

void cmd_view_cell(GString *out, const char *s, guint width, gboolean right)
{
    glong n = g_utf8_strlen(s, -1);
    if ((guint)n > width) {
        const char *cut = g_utf8_offset_to_pointer(s, width - 1);
        g_string_append_len(out, s, cut - s);
        g_string_append_c(out, '~');
        return;
    }
    if (right)
        for (guint i = (guint)n; i < width; i++)
            g_string_append_c(out, ' ');
    g_string_append(out, s);
    if (!right)
        for (guint i = (guint)n; i < width; i++)
            g_string_append_c(out, ' ');
}

const char *cmd_view_money(gint64 minor, int exp, char *buf)
{
    return money_format(minor, exp, buf);
}

static void tx_where(const CaseTx *t, char *buf, gsize size)
{
    if (t->location && *t->location)
        g_snprintf(buf, size, "%s", t->location);
    else if (*t->country)
        g_snprintf(buf, size, "%s", t->country);
    else if (t->mcc != TXN_MCC_NONE)
        g_snprintf(buf, size, "mcc %04u", t->mcc);
    else
        buf[0] = 0;
}

/* A space between cells, or the end of the line without trailing spaces. */
static void sep(GString *out, gboolean last)
{
    if (!last) {
        g_string_append_c(out, ' ');
        return;
    }
    while (out->len && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
    g_string_append_c(out, '\n');
}

void cmd_view_tx_table(GString *out, GPtrArray *txns)
{
    static const guint w[] = {10, 16, 12, 12, 13, 3, 18, 8};
    static const char *const head[] = {"TX",     "TIME (UTC)", "FROM",    "TO",
                                       "AMOUNT", "CUR",        "CHANNEL", "WHERE"};
    for (gsize k = 0; k < G_N_ELEMENTS(w); k++) {
        cmd_view_cell(out, head[k], w[k], k == 4);
        sep(out, k + 1 == G_N_ELEMENTS(w));
    }
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        char tm[32], amt[32], where[128];
        tx_where(t, where, sizeof where);
        const char *cells[] = {t->tx_id,
                               tstamp_format_minute(t->ts, tm),
                               *t->from ? t->from : "(cash)",
                               *t->to ? t->to : "(cash)",
                               cmd_view_money(t->amount, t->exp, amt),
                               t->currency,
                               txn_channel_name(t->channel),
                               where};
        for (gsize k = 0; k < G_N_ELEMENTS(w); k++) {
            cmd_view_cell(out, cells[k], w[k], k == 4);
            sep(out, k + 1 == G_N_ELEMENTS(w));
        }
    }
}

void cmd_view_wrap(GString *out, const char *text, guint col, guint indent, guint width)
{
    g_auto(GStrv) words = g_strsplit(text, " ", -1);
    gboolean line_start = TRUE;
    for (guint i = 0; words[i]; i++) {
        guint n = (guint)g_utf8_strlen(words[i], -1);
        if (!line_start && col + 1 + n > width) {
            g_string_append_printf(out, "\n%*s", (int)indent, "");
            col = indent;
            line_start = TRUE;
        }
        if (!line_start) {
            g_string_append_c(out, ' ');
            col++;
        }
        g_string_append(out, words[i]);
        col += n;
        line_start = FALSE;
    }
    g_string_append_c(out, '\n');
}
