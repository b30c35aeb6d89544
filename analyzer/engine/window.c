/* window.c: per-account sliding windows and the accounts' rings (see window.h).
 *
 * A ring's capacity is a power of two or one and a half times one (4, 6,
 * 8, 12, ...), so that a grown ring is at most a third empty rather than
 * half; growth copies the ring in order into a ring of the next size from
 * the WindowMem. A window's memory is bounded by LIMIT_WINDOW_ENTRIES; an
 * account's ring by what its windows hold. */
#include "engine/window.h"

#include <string.h>

/* Rings of 2^k and 3 * 2^(k-1) entries for k from RING_MIN_LOG, two size
 * classes a power, from chunks of RING_CHUNK bytes, with a free list per
 * class for each kind of ring (a window's references, an account's
 * entries). A ring larger than a chunk (an account's only: a window's
 * largest fits) is malloc'd. */
#define RING_MIN_LOG 2
#define RING_CLASSES 32
#define RING_CHUNK   ((gsize)2 << 20)
G_STATIC_ASSERT((LIMIT_WINDOW_ENTRIES & (LIMIT_WINDOW_ENTRIES - 1)) == 0);
G_STATIC_ASSERT(RING_CHUNK >= LIMIT_WINDOW_ENTRIES * sizeof(WinRef));
G_STATIC_ASSERT(RING_CHUNK / sizeof(AccEntry) < 1u << (RING_CLASSES / 2 + RING_MIN_LOG - 1));

enum { RING_REFS, RING_ACCS, RING_KINDS };

struct WindowMem {
    void *free[RING_KINDS][RING_CLASSES]; /* released rings, linked through their first bytes */
    guint8 *next;                         /* the unused rest of the newest chunk */
    gsize left;
    gsize big; /* bytes of the malloc'd rings */
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
    return m->chunks->len * RING_CHUNK + m->big;
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

static void *ring_alloc(WindowMem *m, guint kind, guint cap, gsize entry)
{
    gsize size = cap * entry;
    if (size > RING_CHUNK) {
        m->big += size;
        return g_malloc(size);
    }
    guint c = ring_class(cap);
    void *p = m->free[kind][c];
    if (p) {
        m->free[kind][c] = *(void **)p;
        return p;
    }
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

static void ring_release(WindowMem *m, guint kind, void *e, guint cap, gsize entry)
{
    if (cap * entry > RING_CHUNK) {
        m->big -= cap * entry;
        g_free(e);
        return;
    }
    guint c = ring_class(cap);
    *(void **)e = m->free[kind][c];
    m->free[kind][c] = e;
}

/* ---- accounts' rings ---- */

void acc_ring_init_on(AccRing *a, AccEntry *ring, guint cap, guint32 first)
{
    guint32 owner = a->owner;
    guint8 group = a->group;
    memset(a, 0, sizeof *a);
    a->owner = owner;
    a->group = group;
    a->e = ring;
    a->cap = cap;
    a->first = first;
}

void acc_ring_clear(AccRing *a, WindowMem *m)
{
    if (a->own_e)
        ring_release(m, RING_ACCS, a->e, a->cap, sizeof(AccEntry));
    acc_ring_init_on(a, NULL, 0, a->first + a->len);
}

gsize acc_ring_bytes(const AccRing *a)
{
    return a->own_e ? a->cap * sizeof(AccEntry) : 0;
}

void acc_ring_grow(AccRing *a, WindowMem *m)
{
    guint cap = ring_next(a->cap);
    AccEntry *e = ring_alloc(m, RING_ACCS, cap, sizeof *e);
    for (guint i = 0; i < a->len; i++)
        e[i] = *acc_at(a, a->first + i);
    if (a->own_e)
        ring_release(m, RING_ACCS, a->e, a->cap, sizeof *e);
    a->e = e;
    a->own_e = TRUE;
    a->cap = cap;
    a->head = 0;
}

guint32 acc_ring_add(AccRing *a, WindowMem *m, const TxnCore *rec)
{
    if (a->len == a->cap)
        acc_ring_grow(a, m);
    guint k = a->head + a->len;
    a->e[k >= a->cap ? k - a->cap : k] = (AccEntry){rec, rec->amount, rec->ts};
    a->len++;
    return acc_last(a);
}

void acc_ring_drop_to(AccRing *a, guint32 pos)
{
    if ((gint32)(pos - a->first) <= 0) /* positions before first: none */
        return;
    guint n = MIN(pos - a->first, a->len);
    a->head += n;
    if (a->head >= a->cap)
        a->head -= a->cap;
    a->first += n;
    a->len -= n;
}

/* ---- windows ---- */

void window_init(Window *w)
{
    window_init_on(w, NULL, 0, NULL, g_new0(AccRing, 1));
    w->own = WIN_OWN_ACC;
}

void window_init_on(Window *w, WinRef *ring, guint cap, gint64 *run, AccRing *acc)
{
    memset(w, 0, sizeof *w);
    w->suppress_until = G_MININT64;
    w->run_exp = -1;
    w->e = ring;
    w->cap = cap;
    w->run = run;
    w->acc = acc;
}

void window_clear(Window *w, WindowMem *m)
{
    if (w->own & WIN_OWN_E)
        ring_release(m, RING_REFS, w->e, w->cap, sizeof *w->e);
    if (w->own & WIN_OWN_RUN)
        g_free(w->run);
    for (guint i = 0; i < w->n_dsets; i++) {
        g_free(w->dsets[i].keys);
        g_free(w->dsets[i].counts);
    }
    g_free(w->dsets);
    AccRing *acc = w->acc;
    if (w->own & WIN_OWN_ACC) {
        acc_ring_clear(acc, m);
        g_free(acc);
        acc = NULL;
    }
    window_init_on(w, NULL, 0, NULL, acc);
}

gsize window_bytes(const Window *w)
{
    gsize bytes = w->own & WIN_OWN_E ? w->cap * sizeof *w->e : 0;
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
    WinRef *e = ring_alloc(m, RING_REFS, cap, sizeof *e);
    for (guint i = 0; i < w->len; i++)
        e[i] = w->e[window_slot(w, i)];
    if (w->own & WIN_OWN_E)
        ring_release(m, RING_REFS, w->e, w->cap, sizeof *e);
    w->e = e;
    w->own |= WIN_OWN_E;
    w->cap = cap;
    w->head = 0;
}

void window_drop_head(Window *w)
{
    g_assert(w->len > 0);
    w->head = window_slot(w, 1);
    if (--w->len)
        w->first_ts = window_ts_at(w, 0);
}

gboolean window_push(Window *w, WindowMem *m, guint32 pos, guint32 flags)
{
    gboolean kept_all = TRUE;
    if (w->own & WIN_OWN_ACC) /* no other window shares it: only this one's entries are kept */
        acc_ring_drop_to(w->acc, w->len ? w->e[w->head].pos : pos);
    if (w->len == w->cap) {
        if (w->cap >= LIMIT_WINDOW_ENTRIES) {
            window_drop_head(w);
            kept_all = FALSE;
        } else {
            window_grow(w, m);
        }
    }
    w->e[window_slot(w, w->len)] = (WinRef){pos, flags};
    if (w->len++ == 0)
        w->first_ts = acc_at(w->acc, pos)->ts;
    return kept_all;
}

gboolean window_push_rec(Window *w, WindowMem *m, const TxnCore *rec, guint32 flags)
{
    AccRing *a = w->acc;
    gboolean again = a->len && acc_at(a, acc_last(a))->core == rec;
    return window_push(w, m, again ? acc_last(a) : acc_ring_add(a, m, rec), flags);
}
