/* shard_file.h: the alerts file of one shard of a cluster run
 * (`scan --shard K/N`), which `moneytrail merge` turns back into the alerts
 * file of one run. JSON Lines:
 *
 *   {"moneytrail_shard":{"format":1,"shard":K,"shards":N,"rules":"DIGEST"}}
 *   {"row":R,"order":O,"alert":ALERT}          one per alert, in run order
 *   {"moneytrail_shard_end":{"rows":..,"rejected":..,"inputs":"DIGEST",
 *    "alerts":..,"counts":[{"id":..,"title":..,"alerts":..},...],
 *    "run":{"incremental":..,"last_run":..,"last_watermark":..,"late_rows":..,
 *    "late_earliest":..,"from":..,"to":..,"latest":..,"replayed":..}}}
 *
 * ALERT is the alert's line as an unsharded scan writes it, byte for byte;
 * R and O its place in that run (shards_alert_key). The last line is
 * written only by a shard that finished, and the file is replaced whole or
 * not at all (read/outfile.h). */
#ifndef MT_SHARD_FILE_H
#define MT_SHARD_FILE_H

#include <glib.h>

#include "base/jval.h"
#include "engine/alert.h"

#define SHARD_FILE_FORMAT 1

typedef struct ShardFile ShardFile;

/* What a shard read and how, for `merge --db`, which records the shards
 * as one run (times in UTC seconds; G_MININT64 / G_MAXINT64: none or
 * open, null in the file): the range read, the last succeeded run (0:
 * none), the last incremental run's watermark and the late rows the
 * shard planned from, the latest row time
 * (the watermark to record) and the rows replayed silently. */
typedef struct {
    gboolean incremental;
    gint64 last_run;
    gint64 last_watermark;
    guint64 late_rows;
    gint64 late_earliest;
    gint64 from, to, latest;
    guint64 replayed;
} ShardFileRun;

/* What a finished shard says at the end: the rows it read, the digest of
 * them (scan_input_digest), its alerts by rule and typology, and how it
 * read them. */
typedef struct {
    guint64 rows, rejected, alerts;
    const char *inputs;
    guint n;                /* counts */
    const char *const *ids; /* n each */
    const char *const *titles;
    const guint64 *counts;
    ShardFileRun run;
} ShardFileEnd;

/* Reads --shard K/N (K from 0 to N-1, N at most SHARD_FILE_MAX) for the
 * command what, which writes alerts to the file alerts (NULL: stdout) or,
 * if to_db, the database; FALSE after printing what is wrong. */
#define SHARD_FILE_MAX 4096
gboolean shard_file_parse(const char *what, const char *text, gboolean to_db, const char *alerts,
                          guint *shard, guint *shards);

/* Opens path (a temporary until commit) and writes the first line. NULL
 * with error when it cannot be created. */
ShardFile *shard_file_open(const char *path, guint shard, guint shards, const char *rules,
                           GError **error);
/* One alert with its key; FALSE once a write failed (commit says why). */
gboolean shard_file_alert(ShardFile *f, guint64 row, guint32 order, const Alert *a);
/* The same for an alert's line already rendered (len bytes at json, no
 * newline): a split run's graph alert (cli/shard_split.h). */
gboolean shard_file_alert_text(ShardFile *f, guint64 row, guint32 order, const char *json,
                               gsize len);
/* Writes the last line and replaces the target; frees f. */
gboolean shard_file_commit(ShardFile *f, const ShardFileEnd *end, GError **error);
/* Removes the temporary, keeping the previous file; frees f. NULL is ignored. */
void shard_file_abort(ShardFile *f);
/* Reads the "run" object of a last line back (an absent one: a whole
 * run read from files, not incremental). FALSE when it is malformed. */
gboolean shard_file_read_run(const JVal *end, ShardFileRun *run);

#endif
