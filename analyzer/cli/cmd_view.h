/* cmd_view.h: what the investigator commands share: the options that
 * choose the store (--alerts, --data, --accounts, --format, --db), opening
 * it with plain messages, exit codes for its errors, and text tables that
 * fit a 100-column terminal. */
#ifndef MT_CMD_VIEW_H
#define MT_CMD_VIEW_H

#include <glib.h>

#include "case/case.h"

typedef struct {
    char *alerts;
    char **data;
    char *accounts;
    char *format;
    char *db;
} CmdViewOptions;

/* Adds --alerts, --data, --accounts, --format and --db to ctx, filling o. */
void cmd_view_add_store_options(GOptionContext *ctx, CmdViewOptions *o);
void cmd_view_options_clear(CmdViewOptions *o);
/* Opens the store; prints "moneytrail: WHAT: ..." and returns NULL on error. */
CaseStore *cmd_view_open(const CmdViewOptions *o, const char *what);
/* Prints the error as "moneytrail: WHAT: MESSAGE" and returns its exit code:
 * EXIT_NOT_FOUND, EXIT_USAGE or EXIT_DATA. */
int cmd_view_fail(const char *what, GError *error);
/* EXIT_OK when the store knows the account; otherwise prints why (no such
 * account, or the store's own error) and returns the exit code. */
int cmd_view_require_account(CaseStore *s, const char *what, const char *id);
/* Parses --from/--to (NULL = open); FALSE after printing a message. */
gboolean cmd_view_range(const char *what, const char *from, const char *to, gint64 *t0,
                         gint64 *t1);
/* Appends s in a cell of width characters, cut with "~" when longer, padded
 * with spaces (on the left when right-aligned). */
void cmd_view_cell(GString *out, const char *s, guint width, gboolean right);
/* Formats minor units for people with thousands separators. buf >= 32 bytes. */
const char *cmd_view_money(gint64 minor, int exp, char *buf);

/* Appends text and a newline, wrapped at spaces into lines of at most width
 * characters; the output is at column col, later lines start after indent
 * spaces. */
void cmd_view_wrap(GString *out, const char *text, guint col, guint indent, guint width);
/* Appends a table of transactions: id, time, from, to, amount, currency,
 * channel, and where (location, country or MCC); 100 columns. */
void cmd_view_tx_table(GString *out, GPtrArray *txns);

#endif
