/* window.h: one account's sliding event-time window for one rule.
 *
 * A ring buffer of the transactions that passed the rule's filter, oldest
 * first. The window covers (now - span, now]: an entry exactly span old has
 * left it. The buffer grows by a half or a third (window.c) up to
 * LIMIT_WINDOW_ENTRIES; past that the oldest entry is dropped and the drop
 * is reported to the caller, never silent. */
#ifndef MT_WINDOW_H
#define MT_WINDOW_H

#include <glib.h>

#include "base/limits.h"
#include "base/txn.h"
#include "engine/txn_store.h"

/* A window entry points at a transaction record (engine/txn_store.h): stored
 * once, whatever the number of windows it enters, and living for as long as
 * any window can hold it. */
typedef struct {
    const TxnCore *core;
    /* Copies of the record's fields that expiry, running totals and sums
     * read, so that they walk the ring only: the amount, and in one word
     * the time (the upper 40 bits: any year from 1 to 9999) and the flags
     * (the lower LIMIT_ENTRY_FLAGS bits; bit i: the entry passes the
     * condition of the rule's aggregate i). Read with win_ts, win_flags. */
    gint64 amount;
    guint64 ts_flags;
} WinEntry;

G_STATIC_ASSERT(sizeof(WinEntry) == 24); /* eight entries in three cache lines */

/* The entry of a stored record whose aggregate conditions are flags (below
 * 1 << LIMIT_ENTRY_FLAGS). */
static inline WinEntry win_entry(const TxnCore *rec, guint32 flags)
{
    return (WinEntry){rec, rec->amount, (guint64)rec->ts << LIMIT_ENTRY_FLAGS | flags};
}

static inline gint64 win_ts(const WinEntry *e)
{
    return (gint64)e->ts_flags >> LIMIT_ENTRY_FLAGS; /* arithmetic: times before 1970 */
}

static inline guint32 win_flags(const WinEntry *e)
{
    return (guint32)(e->ts_flags & ((1u << LIMIT_ENTRY_FLAGS) - 1));
}

/* The distinct values of one aggregate over a window, with how many entries
 * hold each: a multiset kept in step with the window (window_agg.c). */
typedef struct {
    guint64 *keys; /* the value's bits + 1; 0 marks an empty slot */
    guint32 *counts;
    guint cap, used; /* used = distinct values present */
} DistinctSet;

/* One cache line: a transaction touches the header of every window it
 * enters, so its size is what the engine pays in memory traffic. */
typedef struct {
    WinEntry *e;           /* ring of cap entries: the caller's (window_init_on) or a WindowMem's */
    gint64 *run;           /* running totals kept by window_agg.c, or NULL; owned if own_run */
    DistinctSet *dsets;    /* by aggregate index for counted distinct aggregates, or NULL */
    gint64 first_ts;       /* ts of the oldest entry when len > 0: expiry without touching e */
    gint64 split_ts;       /* ts of the entry at split when split < len (window_agg.c) */
    gint64 suppress_until; /* no alert before this instant (after an alert) */
    guint16 cap, head, len;
    guint16 split; /* entries at the head that belong to the baseline period */
    guint8 n_dsets;
    gint8 run_exp;         /* currency exponent of the summed amounts; -1 none yet, -2 mixed */
    guint8 own_e, own_run; /* e is from a WindowMem, run was allocated (window_clear frees) */
    guint32 owner;         /* whose window it is, for the engine's pools; 0 = none */
} Window;

G_STATIC_ASSERT(sizeof(Window) == 64);
G_STATIC_ASSERT(LIMIT_WINDOW_ENTRIES <= G_MAXUINT16 / 2); /* cap grows up to it */

/* Where the rings of windows that outgrow their first storage come from:
 * blocks of the ring sizes (window.c), carved from big chunks and
 * kept on a free list per size once released, so that windows that grow,
 * shrink and are freed by the million cost no malloc and no fresh pages.
 * One per engine (or test); everything in it goes with window_mem_free. */
typedef struct WindowMem WindowMem;

WindowMem *window_mem_new(void);
void window_mem_free(WindowMem *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(WindowMem, window_mem_free)

/* The bytes of its chunks: the rings of grown windows, in use or free. */
gsize window_mem_bytes(const WindowMem *m);
void window_init(Window *w);
/* An empty window on storage the caller keeps: a ring of cap entries (a
 * power of two) and, or NULL, zeroed running totals (window_agg.c), so
 * that a small window allocates nothing. A window that outgrows the ring
 * moves to memory of its own. */
void window_init_on(Window *w, WinEntry *ring, guint cap, gint64 *run);
/* Frees what the window allocated (its ring back to m); it is then as
 * after window_init. */
void window_clear(Window *w, WindowMem *m);
/* The bytes the window holds beyond its header: a ring of its own and its
 * distinct-value multisets. */
gsize window_bytes(const Window *w);
/* Drops the entries with ts <= now - span. */
void window_expire(Window *w, gint64 now, gint64 span);
/* Drops the oldest entry (there must be one). */
void window_drop_head(Window *w);
/* Appends a transaction, growing the ring from m; returns FALSE when the
 * window was full and its oldest entry was dropped to make room. */
gboolean window_push(Window *w, WindowMem *m, const TxnCore *rec, guint32 flags);

static inline StrView window_entry_id(const WinEntry *e)
{
    return txn_store_id(e->core);
}

/* The ring slot of the i-th entry, 0 = oldest, for i up to cap (the ring
 * need not be a power of two). */
static inline guint window_slot(const Window *w, guint i)
{
    guint k = w->head + i;
    return k >= w->cap ? k - w->cap : k;
}

/* The i-th entry, 0 = oldest. */
static inline const WinEntry *window_at(const Window *w, guint i)
{
    return &w->e[window_slot(w, i)];
}

#endif
