/* window.c: per-account sliding windows (see window.h).
 *
 * The capacity is a power of two so that indexing is a mask; growth copies
 * the ring in order. Memory is bounded by LIMIT_WINDOW_ENTRIES per window. */
#include "window.h"

#include <string.h>

void window_init(Window *w)
{
    memset(w, 0, sizeof *w);
    w->suppress_until = G_MININT64;
    w->run_exp = -1;
}

void window_clear(Window *w)
{
    g_free(w->e);
    g_free(w->run);
    for (guint i = 0; i < w->n_dsets; i++) {
        g_free(w->dsets[i].keys);
        g_free(w->dsets[i].counts);
    }
    g_free(w->dsets);
    window_init(w);
}

void window_expire(Window *w, gint64 now, gint64 span)
{
    gint64 limit = now - span;
    while (w->len > 0 && w->first_ts <= limit)
        window_drop_head(w);
}

static void window_grow(Window *w)
{
    guint cap = w->cap ? w->cap * 2 : 4;
    WinEntry *e = g_new(WinEntry, cap);
    for (guint i = 0; i < w->len; i++)
        e[i] = *window_at(w, i);
    g_free(w->e);
    w->e = e;
    w->cap = cap;
    w->head = 0;
}

void window_drop_head(Window *w)
{
    g_assert(w->len > 0);
    w->head = (w->head + 1) & (w->cap - 1);
    if (--w->len)
        w->first_ts = w->e[w->head].core.ts;
}

gboolean window_push(Window *w, const TxnCore *core, const guint8 *id, guint32 flags)
{
    gboolean kept_all = TRUE;
    if (w->len == w->cap) {
        if (w->cap >= LIMIT_WINDOW_ENTRIES) {
            window_drop_head(w);
            kept_all = FALSE;
        } else {
            window_grow(w);
        }
    }
    WinEntry *e = &w->e[(w->head + w->len) & (w->cap - 1)];
    e->core = *core;
    e->flags = flags;
    e->id = id;
    if (w->len++ == 0)
        w->first_ts = core->ts;
    return kept_all;
}

#define WINDOW_IDS_CHUNK (256 * 1024)

typedef struct {
    guint8 *data;
    gsize used;
    gint64 max_ts; /* the newest transaction stored in it */
} IdChunk;

struct WindowIds {
    GQueue chunks; /* IdChunk*, oldest first */
    gint64 keep;
};

WindowIds *window_ids_new(gint64 keep)
{
    WindowIds *ids = g_new0(WindowIds, 1);
    g_queue_init(&ids->chunks);
    ids->keep = keep;
    return ids;
}

static void id_chunk_free(gpointer p)
{
    IdChunk *c = p;
    g_free(c->data);
    g_free(c);
}

void window_ids_free(WindowIds *ids)
{
    if (!ids)
        return;
    g_queue_clear_full(&ids->chunks, id_chunk_free);
    g_free(ids);
}

const guint8 *window_ids_add(WindowIds *ids, StrView id, gint64 ts)
{
    gsize len = MIN(id.len, 255u);
    IdChunk *c = g_queue_peek_tail(&ids->chunks);
    if (!c || c->used + len + 1 > WINDOW_IDS_CHUNK) {
        c = g_new0(IdChunk, 1);
        c->data = g_malloc(WINDOW_IDS_CHUNK);
        c->max_ts = G_MININT64;
        g_queue_push_tail(&ids->chunks, c);
    }
    guint8 *rec = c->data + c->used;
    rec[0] = (guint8)len;
    memcpy(rec + 1, id.ptr, len);
    c->used += len + 1;
    c->max_ts = MAX(c->max_ts, ts);
    return rec;
}

void window_ids_release(WindowIds *ids, gint64 now)
{
    IdChunk *c;
    while (g_queue_get_length(&ids->chunks) > 1 && (c = g_queue_peek_head(&ids->chunks)) &&
           c->max_ts <= now - ids->keep)
        id_chunk_free(g_queue_pop_head(&ids->chunks));
}
