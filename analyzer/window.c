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
    window_init(w);
}

void window_expire(Window *w, gint64 now, gint64 span)
{
    gint64 limit = now - span;
    while (w->len > 0 && w->e[w->head].core.ts <= limit) {
        w->head = (w->head + 1) & (w->cap - 1);
        w->len--;
    }
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
    w->len--;
}

gboolean window_push(Window *w, const TxnCore *core, StrView id, guint32 flags)
{
    gboolean kept_all = TRUE;
    if (w->len == w->cap) {
        if (w->cap >= LIMIT_WINDOW_ENTRIES) {
            w->head = (w->head + 1) & (w->cap - 1);
            w->len--;
            kept_all = FALSE;
        } else {
            window_grow(w);
        }
    }
    WinEntry *e = &w->e[(w->head + w->len) & (w->cap - 1)];
    e->core = *core;
    e->flags = flags;
    e->id_len = (guint8)MIN(id.len, sizeof e->id);
    memcpy(e->id, id.ptr, e->id_len);
    w->len++;
    return kept_all;
}
