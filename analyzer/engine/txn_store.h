/* txn_store.h: the engine's store of transaction records, the memory that
 * window entries and graph edges point at.
 *
 * A record is a TxnCore followed at once by the transaction id as [length
 * byte][bytes], 8-byte aligned. Each transaction is stored once, whatever
 * the number of windows it enters; graph edges use the same layout, so
 * txn_store_id reads the id of either. */
#ifndef MT_TXN_STORE_H
#define MT_TXN_STORE_H

#include <glib.h>

#include "base/txn.h"
#include "engine/checkpoint.h"

/* Transaction records in chunks freed whole once every transaction in them
 * is older than `keep` (the longest a window or a suppression looks back):
 * memory follows the windows, not the input. */
typedef struct TxnStore TxnStore;

/* A new empty store; the caller frees it with txn_store_free. */
TxnStore *txn_store_new(gint64 keep);
/* Frees the store and every record in it (NULL is allowed). */
void txn_store_free(TxnStore *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TxnStore, txn_store_free)
/* Stores a record of core and id (cut at 255 bytes); the record belongs to
 * the store and stays valid until txn_store_release passes core->ts + keep. */
const TxnCore *txn_store_add(TxnStore *s, const TxnCore *core, StrView id);
/* Frees the chunks whose transactions are all at or before now - keep. */
void txn_store_release(TxnStore *s, gint64 now);
/* The bytes of its chunks, spares included. */
guint64 txn_store_bytes(const TxnStore *s);
/* The records held (in chunks not yet freed). */
guint64 txn_store_records(const TxnStore *s);

/* Checkpoints (engine/checkpoint.h): the chunks in use, each a blob (a
 * chunk unchanged since it was last saved or loaded keeps its blob: only
 * new and grown chunks are fresh), counted in refs; read into an empty
 * store, each chunk added to recs (FALSE: in is bad). */
void txn_store_save(TxnStore *s, CkptOut *o, CkptRefs *refs);
gboolean txn_store_load(TxnStore *s, CkptIn *in, CkptRecs *recs);

/* The transaction id of a record (borrowed from the record). */
static inline StrView txn_store_id(const TxnCore *rec)
{
    const guint8 *id = (const guint8 *)(rec + 1);
    return (StrView){(const char *)id + 1, id[0]};
}

#endif
