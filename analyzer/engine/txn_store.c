/* txn_store.c: the engine's transaction records (see txn_store.h).
 *
 * Records are appended to chunks that double from 64 KiB up to a huge page;
 * a chunk is released whole once its newest transaction is older than the
 * store's look-back, and kept as a spare so that a long scan reuses the
 * same pages instead of faulting in fresh ones. */
#include "engine/txn_store.h"

#include <string.h>

#include "base/hugemem.h"

/* Chunks start small (a rule example stores a handful of records) and
 * double up to a huge page. */
#define TXN_CHUNK_FIRST (64 * 1024)
#define TXN_CHUNK_MAX   (2 * 1024 * 1024)

typedef struct {
    guint8 *data;
    gsize size, used;
    gint64 max_ts; /* the newest transaction stored in it */
    guint64 records;
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
    }
    c->used = 0;
    c->max_ts = G_MININT64;
    c->records = 0;
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

/* The chunks in use, oldest first, each whole (its records as they lie,
 * its newest time and count), counted in refs for the pointers into them. */
void txn_store_save(const TxnStore *s, CkptOut *o, CkptRefs *refs)
{
    ckpt_u32(o, g_queue_get_length((GQueue *)&s->chunks));
    for (const GList *l = s->chunks.head; l; l = l->next) {
        const TxnChunk *c = l->data;
        ckpt_i64(o, (gint64)c->used);
        ckpt_i64(o, c->max_ts);
        ckpt_i64(o, (gint64)c->records);
        ckpt_put(o, c->data, c->used);
        ckpt_refs_add(refs, c->data, c->used);
    }
}

gboolean txn_store_load(TxnStore *s, CkptIn *in, CkptRecs *recs)
{
    g_assert(g_queue_is_empty(&s->chunks));
    guint32 n = ckpt_count(in, 24);
    for (guint32 i = 0; i < n && !in->bad; i++) {
        gint64 used = ckpt_get_i64(in), max_ts = ckpt_get_i64(in), records = ckpt_get_i64(in);
        if (used < 0 || (guint64)used > in->n - in->at || used % 8 || records < 0)
            return ckpt_fail(in, "a chunk of records runs past the end");
        TxnChunk *c = chunk_new(s, MAX((gsize)used, 1));
        ckpt_get(in, c->data, (gsize)used);
        c->used = (gsize)used;
        c->max_ts = max_ts;
        c->records = (guint64)records;
        ckpt_recs_add(recs, c->data, c->used);
    }
    return !in->bad;
}
