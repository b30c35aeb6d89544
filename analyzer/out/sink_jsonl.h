/* sink_jsonl.h: alerts as JSON Lines, all or nothing.
 *
 * A file sink writes to a temporary file beside the target and renames it
 * into place only on commit, so a failed run never leaves an alert file
 * that looks complete. The "-" sink (standard output) holds the alerts in
 * memory and writes them at commit for the same reason. */
#ifndef MT_SINK_JSONL_H
#define MT_SINK_JSONL_H

#include <glib.h>

#include "engine/alert.h"

typedef struct SinkJsonl SinkJsonl;

/* Opens a sink for path ("-" = standard output). */
SinkJsonl *sink_jsonl_open(const char *path, GError **error);
/* Appends one alert; returns FALSE after a write error (then commit fails). */
gboolean sink_jsonl_write(SinkJsonl *s, const Alert *a);
/* Flushes, syncs and renames into place; frees the sink. */
gboolean sink_jsonl_commit(SinkJsonl *s, GError **error);
/* Removes the temporary file; frees the sink. */
void sink_jsonl_abort(SinkJsonl *s);
/* Alerts written so far. */
guint64 sink_jsonl_count(const SinkJsonl *s);

#endif
