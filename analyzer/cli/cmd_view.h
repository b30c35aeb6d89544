/* cmd_view.h: what the investigator commands share: the options that
 * choose the store (--alerts, --data, --accounts, --format, --db), the
 * ids and the date range they ask about (CmdView), parsing all that,
 * opening the store with plain messages, exit codes for its errors, and
 * text tables that fit a 100-column terminal. */
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
    char *fx, *currency; /* rates and reporting currency (docs/currencies.md) */
    char *fx_max_age;    /* days, as given; NULL = the default */
} CmdViewOptions;

/* What every investigator command parses besides its own options: the
 * store, the positional arguments (ids) and, for those that take one, a
 * date range. Filled by cmd_view_parse, freed by cmd_view_clear. */
typedef struct {
    const char *what; /* the command's name, for messages (from its CmdViewSpec) */
    CmdViewOptions store;
    char *from, *to; /* --from and --to as given; NULL = open */
    char **args;     /* the positional arguments, NULL when none */
} CmdView;

/* An investigator command: one static row per command. Its options struct
 * starts with the CmdView, so that check and run can cast back to it. */
typedef struct {
    const char *what;    /* the command's name, for messages */
    const char *params;  /* for --help: "ACCOUNT_ID" */
    const char *summary; /* for --help */
    const char *one_arg; /* the usage error when not exactly one positional
                          * argument is given; NULL: check sees to it */
    gboolean range;      /* add --from and --to (cmd_view_option's) after the entries */
    gboolean (*check)(const CmdView *v); /* the command's own usage checks, after
                                          * parsing; prints why; may be NULL */
    int (*run)(CmdView *v);              /* does the work; returns the exit code */
} CmdViewSpec;

/* The entry of --from or --to, filling v; help NULL gives "first day
 * (2024-03-01)" and "last day (2024-03-31)". */
GOptionEntry cmd_view_option(CmdView *v, const char *name, const char *help);
/* Parses argv with the command's entries (NULL-terminated, borrowed, or
 * NULL for none; they may include cmd_view_option's), --from and --to when
 * spec->range is set, the positional arguments and the store
 * options; checks the positional arguments as spec says, then spec->check.
 * FALSE after printing the usage error. */
gboolean cmd_view_parse(CmdView *v, const CmdViewSpec *spec, const GOptionEntry *entries, int argc,
                        char **argv);
/* A whole investigator command: parses, checks, runs spec->run and frees
 * what parsing filled (cmd_view_clear); returns the exit code. */
int cmd_view_main(CmdView *v, const CmdViewSpec *spec, const GOptionEntry *entries, int argc,
                  char **argv);
/* A CmdViewSpec check for commands without positional arguments: TRUE,
 * or FALSE after saying which argument was unexpected. */
gboolean cmd_view_no_args(const CmdView *v);
/* TRUE when exactly one positional argument was given. */
gboolean cmd_view_one_arg(const CmdView *v);
/* For a command about one account (args[0]): reads --from/--to into *t0
 * and *t1, opens the store and checks that it knows the account. The
 * store (caller frees with case_store_free), or NULL after printing why,
 * with *rc the exit code. */
CaseStore *cmd_view_open_account(const CmdView *v, gint64 *t0, gint64 *t1, int *rc);
/* Writes text to path; EXIT_OK, or the exit code after printing why. */
int cmd_view_write(const char *what, const char *path, const GString *text);
/* Frees the store options, the positional arguments, and every string
 * and string array that the parser put where entries (the ones given to
 * cmd_view_parse) point. */
void cmd_view_clear(CmdView *v, const GOptionEntry *entries);

/* Adds --alerts, --data, --accounts, --format, --db, --fx, --currency and
 * --fx-max-age to ctx, filling o. */
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
gboolean cmd_view_range(const char *what, const char *from, const char *to, gint64 *t0, gint64 *t1);
/* Appends s in a cell of width characters, cut with "~" when longer, padded
 * with spaces (on the left when right-aligned). */
void cmd_view_cell(GString *out, const char *s, guint width, gboolean right);
/* Like cmd_view_cell, left-aligned, for an id: never cut; a longer one
 * pushes the rest of its line to the right. */
void cmd_view_id_cell(GString *out, const char *s, guint width);
/* Writes a command's text to standard output with the terminal's control
 * characters shown, not obeyed: C0 controls but newline and tab, DEL and
 * the C1 controls come out as \xNN or \u00NN. Ids, names and notes come
 * from the data and could otherwise move the cursor, hide lines or
 * retitle the window of the investigator reading them. */
void cmd_view_print(const GString *out);
/* Formats minor units for people with thousands separators. buf >= 32 bytes. */
const char *cmd_view_money(gint64 minor, int exp, char *buf);

/* Appends text and a newline, wrapped at spaces into lines of at most width
 * characters; the output is at column col, later lines start after indent
 * spaces. */
void cmd_view_wrap(GString *out, const char *text, guint col, guint indent, guint width);
/* Appends a table of transactions: id, time, from, to, amount, currency,
 * channel, and where (location, country or MCC); 100 columns. */
void cmd_view_tx_table(GString *out, GPtrArray *txns);
/* The transaction's time as the customer lived it: local time with its
 * offset ("2024-05-13 10:00 +02:00"), or UTC when the offset is unknown
 * ("2024-05-13 08:00 UTC"). buf >= 32 bytes. */
const char *cmd_view_local_time(const CaseTx *t, char *buf);
/* Appends a titled table of linked accounts (CaseLink *, borrowed): id,
 * name, what links them (under the column head), their alerts; "none"
 * when empty. */
void cmd_view_links(GString *out, const char *title, const char *head, GPtrArray *links);

/* Count and sum of money in and out under one key (channel, month, ...). */
typedef struct {
    char *key;
    guint n_in, n_out;
    gint64 in, out;
} CmdViewFlow;

void cmd_view_flow_free(CmdViewFlow *f);
/* The flow under key in t (key -> CmdViewFlow *, borrowed), made and
 * appended to order (which owns it) when new. */
CmdViewFlow *cmd_view_flow_at(GHashTable *t, GPtrArray *order, const char *key);
/* Counts t in f, as money in or out. */
void cmd_view_flow_add(CmdViewFlow *f, const CaseTx *t, gboolean in);
/* The money in and out of acc in txns (CaseTx *, borrowed) grouped by the
 * key fn makes (NULL leaves a transaction out), in order of appearance or
 * sorted by key; *exp receives the currency exponent. Caller unrefs. */
GPtrArray *cmd_view_flows(const char *acc, GPtrArray *txns,
                          char *(*fn)(const CaseTx *, gboolean in), gboolean sorted, int *exp);
/* The counterparties of acc in txns one way (in: those that paid it), as
 * flows keyed by account ("(cash)" for cash), the most money first; *exp
 * the decimals of their currency. Caller unrefs. */
GPtrArray *cmd_view_counterparties(const char *acc, GPtrArray *txns, gboolean in, int *exp);
/* Keys for cmd_view_flows: "transfer EUR", "2024-05 EUR". Caller frees. */
char *cmd_view_key_channel(const CaseTx *t, gboolean in);
char *cmd_view_key_month(const CaseTx *t, gboolean in);

#endif
