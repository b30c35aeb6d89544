/* scan_state.h: what a scan does with an engine checkpoint
 * (engine/checkpoint.h): from `--state FILE`, or from the engine_state
 * table for `scan --db --incremental` (scan_pg.c).
 *
 * A checkpoint is offered; it is used only if it fits the run (format,
 * program, layout, rules digest, threads, the watermark the run expects,
 * then the accounts table), else the reason is kept for the summary and
 * the runs table. One in use fills the account and location tables before
 * anything else interns into them, then the engine before the first row.
 * After the run, the state is saved with the run's watermark. */
#ifndef MT_SCAN_STATE_H
#define MT_SCAN_STATE_H

#include <glib.h>

#include "engine/checkpoint.h"
#include "rule/rule.h"
#include "scan/scan.h"

typedef struct ScanState ScanState;

/* For a run of rs's rules on threads account shards. */
ScanState *scan_state_new(const RuleSet *rs, guint threads);
void scan_state_free(ScanState *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ScanState, scan_state_free)

/* Offers a stored checkpoint (bytes borrowed; blobs, borrowed until
 * scan_state_restore_engine, reads its blobs; expect: the watermark it
 * must have, G_MININT64 any): TRUE when it fits so far, else FALSE and
 * scan_state_why says why. */
gboolean scan_state_offer(ScanState *st, GBytes *bytes, const CkptBlobReader *blobs, gint64 expect);
/* The blob reader of the state file path (checkpoint_file_blobs), kept
 * with st. */
const CkptBlobReader *scan_state_file_blobs(ScanState *st, const char *path);
/* Gives up the checkpoint (if any) because of why (taken). */
void scan_state_refuse(ScanState *st, char *why);
gboolean scan_state_using(const ScanState *st);
/* Why no checkpoint is used, or NULL (one is, or none was offered). */
const char *scan_state_why(const ScanState *st);
gint64 scan_state_watermark(const ScanState *st);
/* The bytes of the checkpoint offered, blobs included (0: none). */
gsize scan_state_read_bytes(const ScanState *st);
/* Seconds spent opening and restoring the checkpoint in use, plus
 * scan_state_add_seconds' (the reading of it, timed by the caller). */
double scan_state_load_seconds(const ScanState *st);
void scan_state_add_seconds(ScanState *st, double s);
/* Digests the accounts table (path NULL: none), which the state saved
 * records; a checkpoint in use made with another is refused. FALSE with
 * error when it cannot be read. */
gboolean scan_state_accounts(ScanState *st, const char *path, GError **error);
/* With a checkpoint in use: its tables into scan before scan_open, its
 * engines after scan_start. FALSE with error. */
gboolean scan_state_restore_tables(ScanState *st, Scan *scan, GError **error);
gboolean scan_state_restore_engine(ScanState *st, Scan *scan, GError **error);
/* The state of scan after scan_run, at watermark (checkpoint.h: write it
 * before scan is freed). */
CkptSave *scan_state_save(const ScanState *st, const Scan *scan, gint64 watermark);

#endif
