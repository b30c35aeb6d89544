/* scan_pg.h: the PostgreSQL side of `moneytrail scan`.
 *
 * Owns the options that concern a database (--db, --source, --from, --to,
 * --incremental), decides where rows come from (files, or the
 * transactions table) and where alerts go (a JSON Lines file, or the
 * alerts table through sink_pg), computes the range of an incremental run
 * and counts what it replays. cmd_scan.c calls it at fixed points; with
 * no database option given every call is a no-op. */
#ifndef MT_SCAN_PG_H
#define MT_SCAN_PG_H

#include <glib.h>

#include "engine/alert.h"
#include "read/input.h"
#include "rule/rule.h"
#include "read/source_pg.h"
#include "cli/shard_file.h"
#include "cli/scan_state.h"

typedef struct {
    char *db;     /* --db: connection string; "" = the environment */
    char *source; /* --source: read transactions from this database */
    char *from, *to;
    gboolean incremental;
    const char *shard; /* --shard K/N, set by the caller before scan_pg_plan; NULL: none */
} ScanPgOptions;

typedef struct ScanPg ScanPg;

/* Prints the line accounting of scan and load ("CMD: N data lines = ..."),
 * and the exact copies dropped, to out. */
void cmd_input_lines(const char *cmd, const InputStats *st, FILE *out);

/* Parses a time given on the command line: ISO 8601 with a time, or a
 * date (midnight UTC), into UTC seconds; FALSE after a message naming cmd
 * and opt. Used by --from, --to, --earliest and db set-watermark. */
gboolean scan_pg_parse_time(const char *cmd, const char *opt, const char *text, gint64 *out);

/* Adds the database options to ctx's main group; values go to *o. */
void scan_pg_add_options(GOptionContext *ctx, ScanPgOptions *o);
/* Frees the option strings. */
void scan_pg_options_clear(ScanPgOptions *o);

/* After parsing: takes a postgres:// URI among the sources as --source,
 * checks the combinations and returns the plan (caller frees with
 * scan_pg_free), or NULL with a usage message printed. *sources may
 * become NULL when rows come from the database; alerts is the --alerts
 * value or NULL. */
ScanPg *scan_pg_plan(ScanPgOptions *o, char ***sources, const char *alerts);
void scan_pg_free(ScanPg *p);

/* TRUE if rows come from the database / alerts go to the database. */
gboolean scan_pg_reads_db(const ScanPg *p);
gboolean scan_pg_writes_db(const ScanPg *p);

/* Opens the alert sink (run lock, run record) when alerts go to the
 * database, works out the range to read and, when rows come from the
 * database, opens the source (scan_pg_take_source) and sets io->format,
 * exporting the accounts table first if accounts is TRUE
 * (scan_pg_accounts_file). FALSE with error. */
gboolean scan_pg_begin(ScanPg *p, const RuleSet *rs, gboolean accounts, InputOptions *io,
                       GError **error);
/* The database source opened by scan_pg_begin, for InputOptions.db (which
 * takes it over); NULL when rows come from files. */
SourcePg *scan_pg_take_source(ScanPg *p);
/* The instant up to which alerts are replayed silently (engine_set_quiet_until). */
gint64 scan_pg_quiet_until(const ScanPg *p);
/* Counts one processed transaction (replayed or new, latest time). */
void scan_pg_row(ScanPg *p, const Txn *t);
/* Stages an alert in the database sink. */
gboolean scan_pg_alert(ScanPg *p, const Alert *a);
/* Stores the alerts and records the run; *stored = alerts that were new.
 * FALSE with error (the run is then marked failed). */
gboolean scan_pg_commit(ScanPg *p, const InputStats *st, guint64 *stored, GError **error);
/* Rolls back and marks the run failed with reason. */
void scan_pg_abort(ScanPg *p, const char *reason);
/* The run summary's lines about the database: replay, alerts raised and stored. */
void scan_pg_summary(const ScanPg *p, guint64 raised, guint64 stored, FILE *out);
/* When rows come from the database and the rules allow, only the rows of
 * the channels some rule can pass are read (scan_pg.c, scan_pg_channels):
 * prints which, for the run summary. */
void scan_pg_read_summary(const ScanPg *p, FILE *out);
/* How a shard read its rows, for its file's last line (shard_file.h). */
void scan_pg_shard_run(const ScanPg *p, ShardFileRun *out);

/* `merge --db`: the shards of a sharded run stored as one run. Opens the
 * sink (run lock, the run recorded with the rules rs, incremental or not)
 * for the merge of files shard files; NULL with error. Stage the merged
 * alerts with scan_pg_group_alert, then scan_pg_group_commit or
 * scan_pg_abort (the run marked failed with the reason); free with
 * scan_pg_free. */
ScanPg *scan_pg_group_open(const char *conninfo, const RuleSet *rs, gboolean incremental,
                           guint files, GError **error);
/* Stages one merged alert: its JSON line, len bytes without the newline. */
gboolean scan_pg_group_alert(ScanPg *p, const char *json, gsize len);
/* Checks that the shards planned what this run would now (the same last
 * watermark, late rows and replay start; run is theirs), supersedes as an
 * unsharded run would, stores the alerts and records the run with the
 * shards' rows and watermark in one transaction. FALSE with error (the
 * run is then marked failed). */
gboolean scan_pg_group_commit(ScanPg *p, const RuleSet *rs, const ShardFileRun *run, guint64 rows,
                              guint64 rejected, GError **error);
/* After a commit: alerts staged and new, as for scan_pg_summary. */
void scan_pg_group_counts(const ScanPg *p, guint64 *raised, guint64 *stored);

/* Checkpoints (cli/scan_state.h; docs/postgres.md, "Nightly runs from a
 * checkpoint"). scan_pg_set_state, before scan_pg_begin: an incremental
 * run that stores alerts starts from the engine state the last one stored
 * if it fits (st, borrowed, says why not), else replays the whole history.
 * scan_pg_state_accounts, after scan_pg_begin: the accounts table (path,
 * or NULL) must be the checkpoint's, else the source is opened again for
 * the whole history (io as for scan_pg_begin). scan_pg_state_save, before
 * scan_pg_commit: the state to store with the alerts, when the run's is
 * one full scan's up to its watermark. */
void scan_pg_set_state(ScanPg *p, ScanState *st);
gboolean scan_pg_state_accounts(ScanPg *p, const char *path, InputOptions *io, GError **error);
void scan_pg_state_save(ScanPg *p, const Scan *scan);

/* The accounts table exported by scan_pg_begin as accounts.csv, a
 * temporary file for the KYC side input removed by scan_pg_free; NULL if
 * none was asked for. */
const char *scan_pg_accounts_file(const ScanPg *p);

#endif
