/* sink_pg.h: alerts stored in PostgreSQL, one database transaction per run.
 *
 * Opening the sink takes the run lock (one run at a time per database),
 * records the run as 'running' and starts a transaction that COPYs every
 * alert (its JSON form) into a temporary staging table as the scan goes.
 * Commit moves the staged alerts into alerts and alert_evidence with ON
 * CONFLICT (alert_id) DO NOTHING, so a re-run over the same data stores
 * nothing twice and never touches the triage columns, and marks the run
 * 'succeeded' with its counts and watermark, all in that one transaction.
 * Abort rolls it back and marks the run 'failed' with the reason in a
 * transaction of its own (on a new connection if the old one was lost);
 * when no connection can be had, the reason is kept in a local note,
 * $XDG_STATE_HOME/moneytrail/lost-runs/KEY-RUNID, that the next run
 * against the same database records and removes. */
#ifndef MT_SINK_PG_H
#define MT_SINK_PG_H

#include <glib.h>

#include "engine/alert.h"
#include "engine/checkpoint.h"
#include "rule/rule.h"

typedef struct SinkPg SinkPg;

typedef struct {
    const char *conninfo;     /* libpq connection string or URI; "" = the environment */
    const char *source;       /* what the run reads, for runs.source */
    const char *rules_digest; /* RuleSet.digest */
    gboolean incremental;
    gboolean plan_only; /* a shard's planning: no lock, no run recorded, nothing stored */
} SinkPgRun;

/* Connects, checks the schema, takes the run lock, marks runs left
 * 'running' by a process that died as failed, records this run and starts
 * staging. NULL with error (DB_ERROR_LOCKED when another run is on).
 * Caller ends it with sink_pg_commit or sink_pg_abort. */
SinkPg *sink_pg_open(const SinkPgRun *run, GError **error);
/* Records in runs a run that failed before it could open a sink (a shard
 * of a sharded incremental run: its merge stores the alerts), with
 * reason. FALSE with error. */
gboolean sink_pg_failed_run(const SinkPgRun *run, const char *reason, GError **error);
/* The watermark (UTC seconds) of the last successful incremental run;
 * FALSE if there was none. */
gboolean sink_pg_last_watermark(const SinkPg *s, gint64 *ts);
/* The id of the last succeeded run, incremental or not (0: none), when
 * the sink opened: a sharded run's merge checks that none came after the
 * shards planned. */
gint64 sink_pg_last_run(const SinkPg *s);
/* Where an incremental run must start reading so that, at watermark, its
 * windows and suppression are exactly those of one scan over all history
 * (scan_pg.c explains why): watermark - max(2 x window + suppress) over
 * the rules, or earlier where the stored alerts of a rule and account show
 * a chain of alerts, each suppressing the next, that is still going on.
 * FALSE with error. */
gboolean sink_pg_replay_start(SinkPg *s, const RuleSet *rs, gint64 watermark, gint64 *start,
                              GError **error);
typedef struct {
    guint64 rows;    /* rows loaded behind the watermark, not yet evaluated */
    gint64 earliest; /* the earliest of their times (UTC s), when rows > 0 */
} SinkPgLate;

/* For an incremental run: the late rows (loaded at or before the
 * watermark of their time, recorded in late_loads by `load`) that no
 * incremental run has evaluated yet; commit marks them evaluated. */
void sink_pg_late(const SinkPg *s, SinkPgLate *late);
/* Asks commit to supersede the stored alerts of rs's rules and typologies
 * with window_end in (after, before) that this run did not raise and no
 * investigator has touched (no triage entry): superseded_by is set to the
 * run, the alert kept. A superseded alert the run raises again is active
 * again. For a run that evaluates late rows from after on. */
void sink_pg_supersede(SinkPg *s, const RuleSet *rs, gint64 after, gint64 before);
/* The id of this run in the runs table. */
gint64 sink_pg_run_id(const SinkPg *s);
/* Stages one alert; FALSE after a failure (then commit fails). */
gboolean sink_pg_write(SinkPg *s, const Alert *a);
/* The same for an alert's JSON line as alert_to_json writes it, len bytes
 * without the newline (the merge of shard files). */
gboolean sink_pg_write_json(SinkPg *s, const char *json, gsize len);

typedef struct {
    gint64 range_from, range_to; /* what was read; G_MININT64 / G_MAXINT64 = open */
    guint64 rows;                /* rows read, replayed ones included */
    guint64 replayed;            /* rows at or before the previous watermark */
    guint64 rejected;
    gint64 watermark;  /* latest transaction time read; G_MININT64 = none */
    guint64 late_rows; /* late rows evaluated (sink_pg_late) */
    /* an incremental run's checkpoint (sink_pg_checkpoint_read): how it
     * used one or why not (NULL: nothing recorded), the bytes of the one
     * it read, the seconds its reading and restoring took, and the state
     * it leaves (NULL: none; the stored one stays) */
    const char *checkpoint;
    guint64 checkpoint_read;
    double checkpoint_load;
    const CkptSave *state;
} SinkPgTotals;

typedef struct {
    guint64 fresh;      /* alerts that were new */
    guint64 superseded; /* stored alerts superseded (sink_pg_supersede) */
} SinkPgStored;

/* The engine state the last incremental run stored (engine_state and
 * its parts, migrations 007 and 008) and its watermark; *state NULL when
 * there is none. Its blobs (engine_state_blobs, migration 009) are read
 * through sink_pg_blobs, on the sink's connection, while no alert is
 * staged yet. A commit with a state stores its payload, inserts its fresh
 * blobs and deletes the stored blobs it does not name, in the run's
 * transaction. */
gboolean sink_pg_checkpoint_read(SinkPg *s, GBytes **state, gint64 *watermark, GError **error);
const CkptBlobReader *sink_pg_blobs(SinkPg *s);

/* Stores the staged alerts, supersedes (sink_pg_supersede) and marks the
 * run succeeded, in one transaction; *out gets the counts. Frees the
 * sink. FALSE with error if anything fails (then nothing is stored and
 * the run is marked failed). */
gboolean sink_pg_commit(SinkPg *s, const SinkPgTotals *t, SinkPgStored *out, GError **error);
/* Discards the staged alerts and marks the run failed with reason. Frees
 * the sink; NULL is ignored. */
void sink_pg_abort(SinkPg *s, const char *reason);

#endif
