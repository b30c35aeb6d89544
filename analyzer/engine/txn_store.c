/* txn_store.c: the engine's transaction records (see txn_store.h).
 *
 * Records are appended to chunks that double from 64 KiB up to a huge page;
 * a chunk is released whole once its newest transaction is older than the
 * store's look-back, and kept as a spare so that a long scan reuses the
 * same pages instead of faulting in fresh ones.
 *
 * Checkpoints: a chunk is saved as segments, each a blob: the bytes it
 * held when first saved, then what was appended before each later save.
 * A save writes only the new segment of a chunk that grew; a chunk no
 * longer appended to that has gathered more than TXN_SEGS_MAX segments is
 * written once more as one blob, so that a load reads few blobs. */
#include "engine/txn_store.h"

#include <string.h>

#include "base/hugemem.h"

/* Chunks start small (a rule example stores a handful of records) and
 * double up to a huge page. */
#define TXN_CHUNK_FIRST (64 * 1024)
#define TXN_CHUNK_MAX   (2 * 1024 * 1024)
#define TXN_SEGS_MAX    16

/* A segment of a chunk saved as a blob. */
typedef struct {
    guint64 key;
    guint32 crc;
    guint32 len;
} TxnSeg;

typedef struct {
    guint8 *data;
    gsize size, used;
    gint64 max_ts; /* the newest transaction stored in it */
    guint64 records;
    /* checkpoints: the segments it was saved or loaded as (TxnSeg), which
     * cover its first `saved` bytes */
    GArray *segs;
    gsize saved;
} TxnChunk;

struct TxnStore {
    GQueue chunks; /* TxnChunk*, oldest first */
    GQueue spare;  /* released chunks kept for reuse: no fresh pages to fault in */
    gint64 keep;
};

TxnStore *txn_store_new(gint64 keep)
{
    TxnStore *s = g_new0(TxnStore, 1);
    g_queue_init(&s->chunks);
    g_queue_init(&s->spare);
    s->keep = keep;
    return s;
}

static void chunk_free(gpointer p)
{
    TxnChunk *c = p;
    hugemem_free(c->data, c->size);
    if (c->segs)
        g_array_free(c->segs, TRUE);
    g_free(c);
}

void txn_store_free(TxnStore *s)
{
    if (!s)
        return;
    g_queue_clear_full(&s->chunks, chunk_free);
    g_queue_clear_full(&s->spare, chunk_free);
    g_free(s);
}

/* A chunk for at least need bytes: a spare one, or a new one twice the
 * size of the last. */
static TxnChunk *chunk_new(TxnStore *s, gsize need)
{
    TxnChunk *last = g_queue_peek_tail(&s->chunks);
    gsize size = MAX(need, last ? MIN(2 * last->size, (gsize)TXN_CHUNK_MAX) : TXN_CHUNK_FIRST);
    TxnChunk *c = g_queue_pop_head(&s->spare);
    if (c && c->size < size) {
        chunk_free(c);
        c = NULL;
    }
    if (!c) {
        c = g_new(TxnChunk, 1);
        c->size = size;
        c->data = hugemem_alloc(size);
        c->segs = NULL;
    }
    c->used = 0;
    c->max_ts = G_MININT64;
    c->records = 0;
    if (c->segs)
        g_array_set_size(c->segs, 0);
    c->saved = 0;
    g_queue_push_tail(&s->chunks, c);
    return c;
}

const TxnCore *txn_store_add(TxnStore *s, const TxnCore *core, StrView id)
{
    gsize len = MIN(id.len, 255u);
    gsize size = (sizeof *core + 1 + len + 7) & ~(gsize)7; /* records stay 8-byte aligned */
    TxnChunk *c = g_queue_peek_tail(&s->chunks);
    if (!c || c->used + size > c->size)
        c = chunk_new(s, size);
    guint8 *rec = c->data + c->used;
    memcpy(rec, core, sizeof *core);
    rec[sizeof *core] = (guint8)len;
    memcpy(rec + sizeof *core + 1, id.ptr, len);
    c->used += size;
    c->max_ts = MAX(c->max_ts, core->ts);
    c->records++;
    return (const TxnCore *)rec;
}

void txn_store_release(TxnStore *s, gint64 now)
{
    TxnChunk *c;
    while (g_queue_get_length(&s->chunks) > 1 && (c = g_queue_peek_head(&s->chunks)) &&
           c->max_ts <= now - s->keep)
        g_queue_push_tail(&s->spare, g_queue_pop_head(&s->chunks));
}

guint64 txn_store_records(const TxnStore *s)
{
    guint64 n = 0;
    for (const GList *l = s->chunks.head; l; l = l->next)
        n += ((const TxnChunk *)l->data)->records;
    return n;
}

static guint64 chunks_bytes(const GQueue *q)
{
    guint64 n = 0;
    for (const GList *l = q->head; l; l = l->next)
        n += ((const TxnChunk *)l->data)->size;
    return n;
}

guint64 txn_store_bytes(const TxnStore *s)
{
    return chunks_bytes(&s->chunks) + chunks_bytes(&s->spare);
}

/* ---- checkpoints (engine/checkpoint.h) ---- */

/* Makes c's segments cover its bytes: one more for what was appended
 * since the last save, or one for all of it when a chunk that is no
 * longer appended to (full) has too many. */
static void chunk_segments(TxnChunk *c, gboolean full)
{
    if (!c->segs)
        c->segs = g_array_new(FALSE, FALSE, sizeof(TxnSeg));
    if (c->saved > c->used || (full && c->segs->len > TXN_SEGS_MAX)) {
        g_array_set_size(c->segs, 0);
        c->saved = 0;
    }
    if (c->used > c->saved) {
        TxnSeg seg = {0, 0, (guint32)(c->used - c->saved)};
        g_array_append_val(c->segs, seg);
        c->saved = c->used;
    }
}

/* The chunks in use, oldest first, each with its size, newest time and
 * count, and its segments as blobs (key, length, CRC; only new ones are
 * fresh); each counted in refs for the pointers into it. */
void txn_store_save(TxnStore *s, CkptOut *o, CkptRefs *refs)
{
    ckpt_u32(o, g_queue_get_length(&s->chunks));
    for (const GList *l = s->chunks.head; l; l = l->next) {
        TxnChunk *c = l->data;
        chunk_segments(c, l->next != NULL);
        ckpt_i64(o, (gint64)c->used);
        ckpt_i64(o, c->max_ts);
        ckpt_i64(o, (gint64)c->records);
        ckpt_u32(o, c->segs->len);
        gsize at = 0;
        for (guint i = 0; i < c->segs->len; i++) {
            TxnSeg *seg = &g_array_index(c->segs, TxnSeg, i);
            ckpt_blob(o, &seg->key, &seg->crc, c->data + at, seg->len);
            ckpt_i64(o, (gint64)seg->key);
            ckpt_u32(o, seg->len);
            ckpt_u32(o, seg->crc);
            at += seg->len;
        }
        ckpt_refs_add(refs, c->data, c->used);
    }
}

/* Reads one chunk's table entry into a new chunk of s, its segments'
 * blobs added to want (read later, all at once, straight into it). */
static gboolean chunk_load(TxnStore *s, CkptIn *in, GArray *want)
{
    gint64 used = ckpt_get_i64(in), max_ts = ckpt_get_i64(in), records = ckpt_get_i64(in);
    guint32 n = ckpt_count(in, 16);
    if (in->bad || used < 0 || used > 64 * TXN_CHUNK_MAX || used % 8 || records < 0)
        return ckpt_fail(in, "a chunk of records has a size it cannot have");
    TxnChunk *c = chunk_new(s, MAX((gsize)used, 1));
    c->segs = c->segs ? c->segs : g_array_new(FALSE, FALSE, sizeof(TxnSeg));
    gsize at = 0;
    for (guint32 i = 0; i < n && !in->bad; i++) {
        TxnSeg seg;
        seg.key = (guint64)ckpt_get_i64(in);
        seg.len = ckpt_get_u32(in);
        seg.crc = ckpt_get_u32(in);
        if (!seg.key || seg.len > (gsize)used - at)
            return ckpt_fail(in, "a chunk of records has segments past its size");
        g_array_append_val(c->segs, seg);
        CkptBlobWant w = {seg.key, c->data + at, seg.len, seg.crc};
        g_array_append_val(want, w);
        at += seg.len;
    }
    if (!in->bad && at != (gsize)used)
        return ckpt_fail(in, "a chunk of records has segments short of its size");
    c->used = c->saved = (gsize)used;
    c->max_ts = max_ts;
    c->records = (guint64)records;
    return !in->bad;
}

gboolean txn_store_load(TxnStore *s, CkptIn *in, CkptRecs *recs)
{
    g_assert(g_queue_is_empty(&s->chunks));
    g_autoptr(GArray) want = g_array_new(FALSE, FALSE, sizeof(CkptBlobWant));
    guint32 n = ckpt_count(in, 28);
    for (guint32 i = 0; i < n && chunk_load(s, in, want); i++)
        ;
    if (!ckpt_get_blobs(in, (const CkptBlobWant *)(const void *)want->data, want->len))
        return FALSE;
    for (const GList *l = s->chunks.head; l; l = l->next)
        ckpt_recs_add(recs, ((TxnChunk *)l->data)->data, ((TxnChunk *)l->data)->used);
    return TRUE;
}
