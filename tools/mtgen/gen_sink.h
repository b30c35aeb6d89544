/* gen_sink.h: an output file fed through an append buffer: plain, or gzip
 * compressed in parallel by worker threads into one gzip member.
 *
 * The writer appends to sink->buf and calls gen_sink_maybe_flush() after each
 * record; full buffers go to the file (plain) or to the compression workers
 * (gzip). The gzip output is a single member whatever the number of workers,
 * and the same bytes for the same input: chunks are cut at fixed sizes and
 * each is deflated with the previous chunk's tail as dictionary (as pigz does). */
#ifndef MT_GEN_SINK_H
#define MT_GEN_SINK_H

#include "gen.h"

#define GEN_SINK_CHUNK (4u << 20) /* bytes handed on at a time */

typedef struct GenSinkShared GenSinkShared;

typedef struct {
    GenBuf buf;    /* append here */
    guint64 bytes; /* uncompressed bytes handed on so far */
    char *path;
    FILE *f;
    GenSinkShared *z; /* NULL for a plain file */
} GenSink;

/* Creates dir/name (+ ".gz" when gz). Returns NULL with error set on failure. */
GenSink *gen_sink_open(const char *dir, const char *name, gboolean gz, int level, GError **error);
/* Hands the buffer on; FALSE once a write failed. */
gboolean gen_sink_flush(GenSink *s);
static inline gboolean gen_sink_maybe_flush(GenSink *s)
{
    return s->buf.len < GEN_SINK_CHUNK || gen_sink_flush(s);
}
/* Writes what is left, finishes the file and frees s (NULL is fine).
 * Sets error (if not yet set) and returns FALSE when anything failed. */
gboolean gen_sink_close(GenSink *s, GError **error);

#endif
