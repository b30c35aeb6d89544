/* window.c: per-account sliding windows (see window.h).
 *
 * A ring's capacity is a power of two or one and a half times one (4, 6,
 * 8, 12, ...), so that a grown ring is at most a third empty rather than
 * half; growth copies the ring in order into a ring of the next size from
 * the WindowMem. Memory is bounded by LIMIT_WINDOW_ENTRIES per window. */
#include "engine/window.h"

#include <string.h>

/* Rings of 2^k and 3 * 2^(k-1) entries for k from RING_MIN_LOG up to
 * LIMIT_WINDOW_ENTRIES (a power of two), two size classes a power, from
 * chunks of RING_CHUNK bytes (at least one ring of the largest). */
#define RING_MIN_LOG 2
#define RING_CLASSES 32
#define RING_CHUNK   ((gsize)2 << 20)
G_STATIC_ASSERT((LIMIT_WINDOW_ENTRIES & (LIMIT_WINDOW_ENTRIES - 1)) == 0);
G_STATIC_ASSERT(LIMIT_WINDOW_ENTRIES <= 1u << (RING_CLASSES / 2 + RING_MIN_LOG - 1));
G_STATIC_ASSERT(RING_CHUNK >= LIMIT_WINDOW_ENTRIES * sizeof(WinEntry));

struct WindowMem {
    void *free[RING_CLASSES]; /* released rings, linked through their first bytes */
    guint8 *next;             /* the unused rest of the newest chunk */
    gsize left;
    GPtrArray *chunks; /* owned */
};

WindowMem *window_mem_new(void)
{
    WindowMem *m = g_new0(WindowMem, 1);
    m->chunks = g_ptr_array_new_with_free_func(g_free);
    return m;
}

void window_mem_free(WindowMem *m)
{
    if (!m)
        return;
    g_ptr_array_unref(m->chunks);
    g_free(m);
}

gsize window_mem_bytes(const WindowMem *m)
{
    return m->chunks->len * RING_CHUNK;
}

/* A ring size's class: 2 a power of two from RING_MIN_LOG, + 1 for the
 * size between it and the next. */
static guint ring_class(guint cap)
{
    guint log = g_bit_storage(cap) - 1;
    return 2 * (log - RING_MIN_LOG) + (cap != 1u << log);
}

/* The ring size after cap: half again from a power of two, else the next
 * power of two. */
static guint ring_next(guint cap)
{
    if (cap < 1u << RING_MIN_LOG)
        return 1u << RING_MIN_LOG;
    return (cap & (cap - 1)) == 0 ? cap + cap / 2 : 1u << g_bit_storage(cap);
}

static WinEntry *ring_alloc(WindowMem *m, guint cap)
{
    guint c = ring_class(cap);
    void *p = m->free[c];
    if (p) {
        m->free[c] = *(void **)p;
        return p;
    }
    gsize size = cap * sizeof(WinEntry);
    if (m->left < size) { /* a new chunk; what was left of the last is not used */
        m->next = g_malloc(RING_CHUNK);
        m->left = RING_CHUNK;
        g_ptr_array_add(m->chunks, m->next);
    }
    p = m->next;
    m->next += size;
    m->left -= size;
    return p;
}

static void ring_release(WindowMem *m, WinEntry *e, guint cap)
{
    guint c = ring_class(cap);
    *(void **)e = m->free[c];
    m->free[c] = e;
}

void window_init(Window *w)
{
    memset(w, 0, sizeof *w);
    w->suppress_until = G_MININT64;
    w->run_exp = -1;
}

void window_init_on(Window *w, WinEntry *ring, guint cap, gint64 *run)
{
    window_init(w);
    w->e = ring;
    w->cap = cap;
    w->run = run;
}

void window_clear(Window *w, WindowMem *m)
{
    if (w->own_e)
        ring_release(m, w->e, w->cap);
    if (w->own_run)
        g_free(w->run);
    for (guint i = 0; i < w->n_dsets; i++) {
        g_free(w->dsets[i].keys);
        g_free(w->dsets[i].counts);
    }
    g_free(w->dsets);
    window_init(w);
}

gsize window_bytes(const Window *w)
{
    gsize bytes = w->own_e ? w->cap * sizeof(WinEntry) : 0;
    for (guint d = 0; d < w->n_dsets; d++)
        bytes += w->dsets[d].cap * (sizeof *w->dsets[d].keys + sizeof *w->dsets[d].counts);
    return bytes;
}

void window_expire(Window *w, gint64 now, gint64 span)
{
    gint64 limit = now - span;
    while (w->len > 0 && w->first_ts <= limit)
        window_drop_head(w);
}

static void window_grow(Window *w, WindowMem *m)
{
    guint cap = ring_next(w->cap);
    WinEntry *e = ring_alloc(m, cap);
    for (guint i = 0; i < w->len; i++)
        e[i] = *window_at(w, i);
    if (w->own_e)
        ring_release(m, w->e, w->cap);
    w->e = e;
    w->own_e = TRUE;
    w->cap = cap;
    w->head = 0;
}

void window_drop_head(Window *w)
{
    g_assert(w->len > 0);
    w->head = window_slot(w, 1);
    if (--w->len)
        w->first_ts = win_ts(&w->e[w->head]);
}

gboolean window_push(Window *w, WindowMem *m, const TxnCore *rec, guint32 flags)
{
    gboolean kept_all = TRUE;
    if (w->len == w->cap) {
        if (w->cap >= LIMIT_WINDOW_ENTRIES) {
            window_drop_head(w);
            kept_all = FALSE;
        } else {
            window_grow(w, m);
        }
    }
    WinEntry *e = &w->e[window_slot(w, w->len)];
    *e = win_entry(rec, flags);
    if (w->len++ == 0)
        w->first_ts = rec->ts;
    return kept_all;
}
