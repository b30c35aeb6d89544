/* gen_sink.c: output files for mtgen: plain buffered writes, or gzip
 * deflated by GEN_SINK_WORKERS threads into a single gzip member.
 *
 * Parallel gzip as pigz does it: the main thread cuts the stream into chunks
 * and hands each one on with the last 32 KiB of the previous chunk; a worker
 * deflates it as raw deflate with that dictionary, ending on a byte boundary
 * (Z_SYNC_FLUSH; Z_FINISH for the last chunk), and computes its CRC-32; the
 * chunks are written strictly in order, after one gzip header, and the
 * trailer takes the combined CRC and length. The bytes depend only on the
 * input and the level, never on thread timing. */
#include "gen_sink.h"

#include <errno.h>
#include <zlib.h>

#define GEN_SINK_WORKERS 2
#define GEN_SINK_SPARE   (GEN_SINK_WORKERS + 2)
#define DICT_BYTES       32768

typedef struct {
    char *p; /* input */
    size_t len, cap;
    guint64 seq;
    gboolean last, quit;
    unsigned char dict[DICT_BYTES];
    size_t dict_len;
    unsigned char *out;
    size_t out_len, out_cap;
    uLong crc;
} Chunk;

struct GenSinkShared {
    int level;
    GThread *workers[GEN_SINK_WORKERS];
    GAsyncQueue *full, *empty;
    GMutex lock;
    GCond turn;
    guint64 next_seq;  /* next chunk to write (under lock) */
    guint64 submitted; /* chunks handed on (main thread) */
    uLong crc;         /* of everything written so far (under lock) */
    guint64 total;     /* input bytes written so far (under lock) */
    gint failed;       /* atomic */
    unsigned char tail[DICT_BYTES];
    size_t tail_len;
};

static gboolean deflate_chunk(int level, Chunk *c)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return FALSE;
    gboolean ok = TRUE;
    if (c->dict_len)
        ok = deflateSetDictionary(&z, c->dict, (uInt)c->dict_len) == Z_OK;
    size_t need = deflateBound(&z, (uLong)c->len) + 64;
    if (need > c->out_cap) {
        c->out_cap = need;
        c->out = g_realloc(c->out, need);
    }
    z.next_in = (unsigned char *)c->p;
    z.avail_in = (uInt)c->len;
    z.next_out = c->out;
    z.avail_out = (uInt)c->out_cap;
    int rc = ok ? deflate(&z, c->last ? Z_FINISH : Z_SYNC_FLUSH) : Z_STREAM_ERROR;
    ok = ok && (c->last ? rc == Z_STREAM_END : rc == Z_OK) && z.avail_in == 0;
    c->out_len = c->out_cap - z.avail_out;
    deflateEnd(&z);
    c->crc = crc32(0L, (const Bytef *)c->p, (uInt)c->len);
    return ok;
}

static gpointer worker(gpointer data)
{
    GenSink *s = data;
    GenSinkShared *z = s->z;
    for (;;) {
        Chunk *c = g_async_queue_pop(z->full);
        if (c->quit) {
            g_async_queue_push(z->empty, c);
            return NULL;
        }
        gboolean ok = deflate_chunk(z->level, c);
        g_mutex_lock(&z->lock);
        while (z->next_seq != c->seq)
            g_cond_wait(&z->turn, &z->lock);
        if (!ok || fwrite(c->out, 1, c->out_len, s->f) != c->out_len)
            g_atomic_int_set(&z->failed, 1);
        z->crc = crc32_combine(z->crc, c->crc, (z_off_t)c->len);
        z->total += c->len;
        z->next_seq++;
        g_cond_broadcast(&z->turn);
        g_mutex_unlock(&z->lock);
        g_async_queue_push(z->empty, c);
    }
}

static void gz_start(GenSink *s, int level)
{
    GenSinkShared *z = g_new0(GenSinkShared, 1);
    s->z = z;
    z->level = level;
    z->crc = crc32(0L, Z_NULL, 0);
    g_mutex_init(&z->lock);
    g_cond_init(&z->turn);
    z->full = g_async_queue_new();
    z->empty = g_async_queue_new();
    for (int k = 0; k < GEN_SINK_SPARE; k++) {
        Chunk *c = g_new0(Chunk, 1);
        c->cap = GEN_SINK_CHUNK + 65536;
        c->p = g_malloc(c->cap);
        g_async_queue_push(z->empty, c);
    }
    /* gzip header: no name, mtime 0 (reproducible), OS unix */
    static const unsigned char hdr[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    if (fwrite(hdr, 1, sizeof hdr, s->f) != sizeof hdr)
        z->failed = 1;
    for (int k = 0; k < GEN_SINK_WORKERS; k++)
        z->workers[k] = g_thread_new("mtgen-gzip", worker, s);
}

GenSink *gen_sink_open(const char *dir, const char *name, gboolean gz, int level, GError **error)
{
    GenSink *s = g_new0(GenSink, 1);
    s->path = g_strconcat(dir, "/", name, gz ? ".gz" : "", NULL);
    s->f = fopen(s->path, "wb");
    if (!s->f) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create '%s': %s",
                    s->path, g_strerror(errno));
        g_free(s->path);
        g_free(s);
        return NULL;
    }
    gen_buf_init(&s->buf, GEN_SINK_CHUNK + 65536);
    if (gz)
        gz_start(s, level);
    return s;
}

/* Swaps the append buffer with an empty chunk and queues the chunk. */
static void submit(GenSink *s, gboolean last)
{
    GenSinkShared *z = s->z;
    Chunk *c = g_async_queue_pop(z->empty);
    char *p = c->p;
    size_t cap = c->cap;
    c->p = s->buf.p;
    c->cap = s->buf.cap;
    c->len = s->buf.len;
    c->last = last;
    c->quit = FALSE;
    c->seq = z->submitted++;
    memcpy(c->dict, z->tail, z->tail_len);
    c->dict_len = z->tail_len;
    /* the next chunk's dictionary: the last 32 KiB seen, across small chunks too */
    if (c->len >= DICT_BYTES) {
        memcpy(z->tail, c->p + c->len - DICT_BYTES, DICT_BYTES);
        z->tail_len = DICT_BYTES;
    } else {
        size_t keep = MIN(z->tail_len, DICT_BYTES - c->len);
        memmove(z->tail, z->tail + z->tail_len - keep, keep);
        memcpy(z->tail + keep, c->p, c->len);
        z->tail_len = keep + c->len;
    }
    s->buf.p = p;
    s->buf.cap = cap;
    s->buf.len = 0;
    g_async_queue_push(z->full, c);
}

gboolean gen_sink_flush(GenSink *s)
{
    s->bytes += s->buf.len;
    if (!s->z) {
        gboolean ok = fwrite(s->buf.p, 1, s->buf.len, s->f) == s->buf.len;
        s->buf.len = 0;
        return ok;
    }
    submit(s, FALSE);
    return !g_atomic_int_get(&s->z->failed);
}

static gboolean gz_finish(GenSink *s)
{
    GenSinkShared *z = s->z;
    s->bytes += s->buf.len;
    submit(s, TRUE);
    for (int k = 0; k < GEN_SINK_WORKERS; k++) {
        Chunk *c = g_async_queue_pop(z->empty);
        c->quit = TRUE;
        g_async_queue_push(z->full, c);
    }
    for (int k = 0; k < GEN_SINK_WORKERS; k++)
        g_thread_join(z->workers[k]);
    unsigned char trailer[8];
    guint32 isize = (guint32)z->total;
    for (int k = 0; k < 4; k++) {
        trailer[k] = (unsigned char)(z->crc >> (8 * k));
        trailer[4 + k] = (unsigned char)(isize >> (8 * k));
    }
    gboolean ok = !z->failed && fwrite(trailer, 1, 8, s->f) == 8;
    Chunk *c;
    while ((c = g_async_queue_try_pop(z->empty))) {
        g_free(c->p);
        g_free(c->out);
        g_free(c);
    }
    g_async_queue_unref(z->empty);
    g_async_queue_unref(z->full);
    g_mutex_clear(&z->lock);
    g_cond_clear(&z->turn);
    g_free(z);
    return ok;
}

gboolean gen_sink_close(GenSink *s, GError **error)
{
    if (!s)
        return TRUE;
    gboolean ok = s->z ? gz_finish(s) : gen_sink_flush(s);
    if (fclose(s->f) != 0)
        ok = FALSE;
    if (!ok && error && !*error)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write '%s'", s->path);
    gen_buf_clear(&s->buf);
    g_free(s->path);
    g_free(s);
    return ok;
}
