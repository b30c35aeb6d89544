/* cmd.h: the subcommands of moneytrail and the exit codes they share.
 *
 * Each subcommand is one row of the table in main.c and one cmd_*.c file;
 * it parses its own options and returns an exit code. */
#ifndef MT_CMD_H
#define MT_CMD_H

#include <glib.h>

enum {
    EXIT_OK = 0,        /* done; alerts (or none) written */
    EXIT_FINDINGS = 1,  /* rules do not compile, or rule examples fail */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_DATA = 3,      /* a source or output failed: unreadable, corrupt gzip, bad header, disk */
    EXIT_BUDGET = 4,    /* more rejected rows than --max-errors */
    EXIT_NOT_FOUND = 5, /* the alert or account asked for does not exist */
    EXIT_INTERNAL = 70  /* a bug */
};

typedef struct {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
} Command;

int cmd_scan(int argc, char **argv);
/* `moneytrail merge`: a cluster run's shard alert files into one run's. */
int cmd_merge(int argc, char **argv);
int cmd_split(int argc, char **argv);
int cmd_rules(int argc, char **argv);
/* `moneytrail --version [RULES]`: the version, the build, the rules' digest. */
int cmd_version(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_backtest(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_alert(int argc, char **argv);
int cmd_account(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Prints "moneytrail: WHAT: MESSAGE" on stderr. */
void cmd_error(const char *what, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Parses options with a GOptionContext; prints usage errors; FALSE on error. */
gboolean cmd_parse_options(GOptionContext *ctx, int *argc, char ***argv, const char *what);
/* Loads the rule files or directories of paths (NULL: "rules") with the
 * overrides (may be NULL); prints errors (and, on failure, warnings) on
 * stderr; NULL when they do not compile. Caller frees with rule_set_free. */
struct RuleSet;
struct RuleSet *cmd_load_rules(const char *what, char **paths, GHashTable *overrides);
/* The entry called name in a NULL-terminated table of options; a name not
 * there is a bug. */
GOptionEntry cmd_option_find(const GOptionEntry *entries, const char *name);
/* Frees every string and string array that parsing put where the entries
 * of a NULL-terminated table point, and sets them to NULL. */
void cmd_options_clear(const GOptionEntry *entries);
/* Reads --max-lateness (a duration; NULL leaves *out alone); FALSE after
 * printing what is wrong. */
gboolean cmd_parse_lateness(const char *what, const char *text, gint64 *out);
/* Checks --threads (0, the default: one per processor, engine_shards.h)
 * and sets *threads; FALSE after printing what is wrong. */
gboolean cmd_parse_threads(const char *what, gint value, guint *threads);
/* Formats n with thousands separators into buf (>= 32 bytes). */
const char *cmd_count(guint64 n, char *buf);
/* Lets "--db" stand alone (the PG* environment): rewrites it to "--db="
 * when no connection string follows. */
void cmd_db_arg_fix(int argc, char **argv);

#endif
