/* window.h: one account's sliding event-time window for one rule, and the
 * account's ring of transactions that its windows share.
 *
 * A window is a ring buffer of references to the transactions that passed
 * the rule's filter, oldest first; the transactions themselves are in the
 * account's ring (AccRing), each once whatever the number of its windows
 * it entered. The window covers (now - span, now]: an entry exactly span
 * old has left it. The buffer grows by a half or a third (window.c) up to
 * LIMIT_WINDOW_ENTRIES; past that the oldest entry is dropped and the drop
 * is reported to the caller, never silent. */
#ifndef MT_WINDOW_H
#define MT_WINDOW_H

#include <glib.h>

#include "base/limits.h"
#include "base/txn.h"
#include "engine/txn_store.h"

/* An account's transactions that any of its windows holds, each stored
 * once, oldest first: the shared ring of the account (one per account in
 * an engine). An entry points at the transaction record (engine/txn_store.h)
 * and copies the fields that expiry, running totals and sums read, so
 * that they read the ring only. Entries are known by their position,
 * counted from the account's first: the ring holds positions first to
 * first + len - 1, the oldest at e[head]. Windows refer to positions
 * (WinRef); the engine drops the entries before the oldest position any
 * of the account's windows holds (acc_ring_drop_to). */
typedef struct {
    const TxnCore *core;
    gint64 amount;
    gint64 ts;
} AccEntry;

G_STATIC_ASSERT(sizeof(AccEntry) == 24);

typedef struct {
    AccEntry *e;    /* ring of cap entries: the caller's (acc_ring_init_on) or a WindowMem's */
    guint32 first;  /* the position of e[head] */
    guint32 owner;  /* whose ring it is, for the engine's pool; 0 = none */
    guint32 cap, head, len;
    guint8 own_e;   /* e is from a WindowMem (acc_ring_clear gives it back) */
    guint8 group;   /* which of the account's rings, for the engine */
} AccRing;

/* A window's entry: the transaction's position in the account's ring, and
 * its flags (the lower LIMIT_ENTRY_FLAGS bits; bit i: the entry passes
 * the condition of the rule's aggregate i). */
typedef struct {
    guint32 pos;
    guint32 flags;
} WinRef;

/* A window's entry as read (window_at): the ring entry and the flags. */
typedef struct {
    const TxnCore *core;
    gint64 amount;
    gint64 ts;
    guint32 flags;
} WinEntry;

static inline gint64 win_ts(WinEntry e)
{
    return e.ts;
}

static inline guint32 win_flags(WinEntry e)
{
    return e.flags;
}

/* The ring entry at a position the ring holds. */
static inline const AccEntry *acc_at(const AccRing *a, guint32 pos)
{
    guint k = a->head + (pos - a->first);
    return &a->e[k >= a->cap ? k - a->cap : k];
}

/* The position of the newest entry (the ring holds one). */
static inline guint32 acc_last(const AccRing *a)
{
    return a->first + a->len - 1;
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
    WinRef *e;             /* ring of cap entries: the caller's (window_init_on) or a WindowMem's */
    AccRing *acc;          /* the account's ring the entries are positions in */
    gint64 *run;           /* running totals kept by window_agg.c, or NULL; owned if WIN_OWN_RUN */
    DistinctSet *dsets;    /* by aggregate index for counted distinct aggregates, or NULL */
    gint64 first_ts;       /* ts of the oldest entry when len > 0: expiry without touching e */
    gint64 suppress_until; /* no alert before this instant (after an alert) */
    guint16 cap, head, len;
    guint16 split; /* entries at the head that belong to the baseline period */
    guint8 n_dsets;
    gint8 run_exp;         /* currency exponent of the summed amounts; -1 none yet, -2 mixed */
    guint8 own;            /* WIN_OWN_*: what window_clear frees */
    guint32 owner;         /* whose window it is, for the engine's pools; 0 = none */
} Window;

enum {
    WIN_OWN_E = 1,   /* e is from a WindowMem */
    WIN_OWN_RUN = 2, /* run was allocated */
    WIN_OWN_ACC = 4, /* acc is the window's own (a window on no account's ring) */
};

G_STATIC_ASSERT(sizeof(Window) == 64);
G_STATIC_ASSERT(LIMIT_WINDOW_ENTRIES <= G_MAXUINT16 / 2); /* cap grows up to it */

/* Where the rings of windows and accounts that outgrow their first
 * storage come from: blocks of the ring sizes (window.c), carved from big
 * chunks and kept on a free list per size once released, so that rings
 * that grow, shrink and are freed by the million cost no malloc and no
 * fresh pages (an account's ring past a chunk's size is malloc'd). One
 * per engine (or test); everything in it goes with window_mem_free. */
typedef struct WindowMem WindowMem;

WindowMem *window_mem_new(void);
void window_mem_free(WindowMem *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(WindowMem, window_mem_free)

/* The bytes of its chunks and large rings: the rings of grown windows and
 * accounts, in use or free. */
gsize window_mem_bytes(const WindowMem *m);

/* An empty account ring on storage the caller keeps (cap entries, at
 * least one), or with none (cap 0); its first position is first. */
void acc_ring_init_on(AccRing *a, AccEntry *ring, guint cap, guint32 first);
/* Gives back what the ring took from m; it is then empty, on no storage. */
void acc_ring_clear(AccRing *a, WindowMem *m);
/* Appends rec, the ring grown from m if full; returns its position. A
 * transaction that enters several windows of the account is added once,
 * by the first (the caller knows which: engine.c). */
guint32 acc_ring_add(AccRing *a, WindowMem *m, const TxnCore *rec);
/* Moves the ring to storage of the next size from m. */
void acc_ring_grow(AccRing *a, WindowMem *m);
/* Drops the entries before position pos (at most up to the newest + 1). */
void acc_ring_drop_to(AccRing *a, guint32 pos);
/* The bytes of a ring of its own. */
gsize acc_ring_bytes(const AccRing *a);

/* An empty window with a ring of its own (for a window on no account's
 * ring: tests, a graph match's edges). */
void window_init(Window *w);
/* An empty window on storage the caller keeps: a ring of cap entries and,
 * or NULL, zeroed running totals (window_agg.c), its entries in acc, so
 * that a small window allocates nothing. A window that outgrows the ring
 * moves to memory of its own. */
void window_init_on(Window *w, WinRef *ring, guint cap, gint64 *run, AccRing *acc);
/* Frees what the window allocated (its ring back to m); it is then as
 * after window_init_on with no ring, on the same account ring. */
void window_clear(Window *w, WindowMem *m);
/* The bytes the window holds beyond its header: a ring of its own and its
 * distinct-value multisets. */
gsize window_bytes(const Window *w);
/* Drops the entries with ts <= now - span. */
void window_expire(Window *w, gint64 now, gint64 span);
/* Drops the oldest entry (there must be one). */
void window_drop_head(Window *w);
/* Appends the transaction at position pos of the window's account ring
 * (newer than any it holds), growing the ring from m; returns FALSE when
 * the window was full and its oldest entry was dropped to make room. */
gboolean window_push(Window *w, WindowMem *m, guint32 pos, guint32 flags);
/* The same for a record, added to the account ring unless it is its
 * newest entry: for rings whose records all live (a window of its own, a
 * checkpoint being loaded), where the same address is the same record. */
gboolean window_push_rec(Window *w, WindowMem *m, const TxnCore *rec, guint32 flags);

static inline StrView window_entry_id(WinEntry e)
{
    return txn_store_id(e.core);
}

/* The ring slot of the i-th entry, 0 = oldest, for i up to cap (the ring
 * need not be a power of two). */
static inline guint window_slot(const Window *w, guint i)
{
    guint k = w->head + i;
    return k >= w->cap ? k - w->cap : k;
}

/* The account ring's entry of the i-th entry, 0 = oldest. */
static inline const AccEntry *window_acc_at(const Window *w, guint i)
{
    return acc_at(w->acc, w->e[window_slot(w, i)].pos);
}

/* The i-th entry, 0 = oldest. */
static inline WinEntry window_at(const Window *w, guint i)
{
    const WinRef *r = &w->e[window_slot(w, i)];
    const AccEntry *a = acc_at(w->acc, r->pos);
    return (WinEntry){a->core, a->amount, a->ts, r->flags};
}

/* The time of the i-th entry. */
static inline gint64 window_ts_at(const Window *w, guint i)
{
    return window_acc_at(w, i)->ts;
}

#endif
