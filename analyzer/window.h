/* window.h: one account's sliding event-time window for one rule.
 *
 * A ring buffer of the transactions that passed the rule's filter, oldest
 * first. The window covers (now - span, now]: an entry exactly span old has
 * left it. The buffer grows by doubling up to LIMIT_WINDOW_ENTRIES; past
 * that the oldest entry is dropped and the drop is reported to the caller,
 * never silent. */
#ifndef MT_WINDOW_H
#define MT_WINDOW_H

#include <glib.h>

#include "txn.h"

/* A window entry. Its transaction id is not copied into every window it
 * enters: it points at one record, `[length byte][bytes]`, kept by the
 * engine's WindowIds (or a graph edge) for as long as any window can hold
 * the transaction. */
typedef struct {
    TxnCore core;
    guint32 flags;    /* bit i: the entry passes the condition of the rule's aggregate i */
    const guint8 *id; /* id[0] = length, then the bytes */
} WinEntry;

/* The distinct values of one aggregate over a window, with how many entries
 * hold each: a multiset kept in step with the window (window_agg.c). */
typedef struct {
    guint64 *keys; /* the value's bits + 1; 0 marks an empty slot */
    guint32 *counts;
    guint cap, used; /* used = distinct values present */
} DistinctSet;

typedef struct {
    WinEntry *e; /* owned ring buffer of cap entries */
    guint cap, head, len;
    gint64 first_ts;       /* ts of the oldest entry when len > 0: expiry without touching e */
    gint64 split_ts;       /* ts of the entry at split when split < len (window_agg.c) */
    gint64 suppress_until; /* no alert before this instant (after an alert) */
    gint64 *run;           /* running totals kept by window_agg.c, or NULL; owned */
    DistinctSet *dsets;    /* by aggregate index for counted distinct aggregates, or NULL */
    guint n_dsets;
    guint split;   /* entries at the head that belong to the baseline period */
    gint8 run_exp; /* currency exponent of the summed amounts; -1 none yet, -2 mixed */
} Window;

void window_init(Window *w);
void window_clear(Window *w);
/* Drops the entries with ts <= now - span. */
void window_expire(Window *w, gint64 now, gint64 span);
/* Drops the oldest entry (there must be one). */
void window_drop_head(Window *w);
/* Appends a transaction; returns FALSE when the window was full and its
 * oldest entry was dropped to make room. */
gboolean window_push(Window *w, const TxnCore *core, const guint8 *id, guint32 flags);

/* The transaction id of an entry. */
static inline StrView window_entry_id(const WinEntry *e)
{
    return (StrView){(const char *)e->id + 1, e->id[0]};
}

/* Transaction ids for window entries, one record per transaction, in
 * chunks freed whole once every transaction in them is older than `keep`
 * (the longest a window or a suppression looks back): memory follows the
 * windows, not the input. */
typedef struct WindowIds WindowIds;

WindowIds *window_ids_new(gint64 keep);
void window_ids_free(WindowIds *ids);
/* Stores id (at most 255 bytes) for a transaction at ts; the record stays
 * valid until window_ids_release passes ts + keep. */
const guint8 *window_ids_add(WindowIds *ids, StrView id, gint64 ts);
/* Frees the chunks whose transactions are all at or before now - keep. */
void window_ids_release(WindowIds *ids, gint64 now);

/* The i-th entry, 0 = oldest. */
static inline const WinEntry *window_at(const Window *w, guint i)
{
    return &w->e[(w->head + i) & (w->cap - 1)];
}

#endif
