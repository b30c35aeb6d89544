/* dedup.h: transaction ids seen within the lateness horizon of one run.
 *
 * A row whose tx_id was read before is either an exact copy (the same
 * decoded content: dropped and counted) or a conflict (different content:
 * rejected with where the first one was). Memory is bounded: an id is
 * forgotten once the latest time seen has moved past its row's time plus
 * the horizon (a row that old is rejected as late anyway), and at most
 * LIMIT_DEDUP_IDS ids are kept; ids pushed out by that cap are counted
 * (dedup_forgotten), and a copy further away than it is not detected. */
#ifndef MT_DEDUP_H
#define MT_DEDUP_H

#include <glib.h>

#include "base/txn.h"

typedef struct Dedup Dedup;

typedef enum {
    DEDUP_NEW = 0, /* not seen within the horizon: remembered now */
    DEDUP_COPY,    /* seen with the same content */
    DEDUP_CONFLICT /* seen with different content */
} DedupResult;

/* horizon: seconds an id is kept behind the latest time seen; < 0 keeps
 * every id (up to the cap). Caller frees with dedup_free. */
Dedup *dedup_new(gint64 horizon);
void dedup_free(Dedup *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Dedup, dedup_free)

/* Looks t's id up and remembers it if new; latest is the latest event time
 * accepted so far. For a copy or conflict, *source and *line say where
 * the first one was read. */
DedupResult dedup_check(Dedup *d, const Txn *t, gint64 latest, guint *source, guint64 *line);

/* The bytes held: the ring's chunks in use and the table. */
guint64 dedup_bytes(const Dedup *d);
/* Ids forgotten at the cap before the horizon let them go. */
guint64 dedup_forgotten(const Dedup *d);

#endif
