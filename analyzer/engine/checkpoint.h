/* checkpoint.h: the engine's whole state at a watermark, as bytes, so that
 * the next incremental run starts from it instead of replaying history.
 *
 * A checkpoint is a header (magic, format version, program version, the
 * layout of the structures it copies, the rules digest, the accounts
 * table's digest, the watermark, the engine split) and a payload guarded by
 * a CRC-32: the account and location tables (ids map to the same
 * strings), then every engine of the split (shards.c, engine.c: windows,
 * running totals, baselines, distinct sets, suppression, the transaction
 * records they point at, history, the graph) and the typologies. Pointers
 * are written as indexes. Each module writes and reads its own part with
 * the CkptOut / CkptIn helpers below (its *_save / *_load functions, at
 * the end of its file); this module frames them.
 *
 * A checkpoint that does not fit the run (another format, program, layout,
 * rules, accounts table or split; a bad CRC; a truncation) is never used:
 * checkpoint_fits and checkpoint_open say why, and the caller replays
 * history or fails. */
#ifndef MT_CHECKPOINT_H
#define MT_CHECKPOINT_H

#include <glib.h>
#include <string.h>

#include "base/intern.h"
#include "base/txn.h"

/* The format version: bump it when what a module writes changes. */
#define CKPT_FORMAT 2 /* 2: accounts' history per engine, pairs once */

/* ---- writing and reading the parts ---- */

/* b's length is the room; len the bytes written (a put is a copy, no
 * call, while the room lasts). */
typedef struct {
    GByteArray *b;
    gsize len;
} CkptOut;

/* Makes room for n more bytes. */
void ckpt_room(CkptOut *o, gsize n);

static inline void ckpt_put(CkptOut *o, const void *p, gsize n)
{
    if (G_UNLIKELY(n > o->b->len - o->len))
        ckpt_room(o, n);
    memcpy(o->b->data + o->len, p, n);
    o->len += n;
}

static inline void ckpt_u32(CkptOut *o, guint32 v)
{
    ckpt_put(o, &v, sizeof v);
}

static inline void ckpt_i64(CkptOut *o, gint64 v)
{
    ckpt_put(o, &v, sizeof v);
}

/* A reader over n bytes; the first failure (bad) sticks, and every later
 * read returns zeros, so that a loader checks once at the end (or where a
 * count sizes an allocation: ckpt_count). */
typedef struct {
    const guint8 *p;
    gsize n, at;
    const char *bad; /* what was wrong first, or NULL */
} CkptIn;

/* Marks the input bad with why (the first reason stays); returns FALSE. */
gboolean ckpt_fail(CkptIn *in, const char *why);
/* Copies n bytes out (zeros past the end, and the input is bad). */
gboolean ckpt_get(CkptIn *in, void *p, gsize n);
guint32 ckpt_get_u32(CkptIn *in);
gint64 ckpt_get_i64(CkptIn *in);
/* A count of items of at least item bytes each: 0 and bad when the rest
 * of the input cannot hold them (a corrupt count allocates nothing). */
guint32 ckpt_count(CkptIn *in, gsize item);

/* Where the records (transaction cores and ids, txn_store.h) that windows
 * and graph edges point at lie: the stores' chunks are written whole, and
 * a pointer into one as (chunk << 32 | offset), the chunk counted over
 * every store of an engine in the order they were written. */
typedef struct {
    GArray *chunks; /* CkptChunk, sorted by base once ckpt_refs_seal ran */
} CkptRefs;

typedef struct {
    const guint8 *base;
    gsize size;
    guint32 index;
} CkptChunk;

void ckpt_refs_init(CkptRefs *r);
void ckpt_refs_clear(CkptRefs *r);
/* Counts the chunk of size bytes at base as the next one written. */
void ckpt_refs_add(CkptRefs *r, const void *base, gsize size);
/* Sorts the chunks by address, after the last ckpt_refs_add. */
void ckpt_refs_seal(CkptRefs *r);
/* The reference of p, which must lie in one of the chunks. */
guint64 ckpt_ref(const CkptRefs *r, const void *p);

/* On load: the chunks read, by their index. */
typedef struct {
    GPtrArray *base; /* guint8 * */
    GArray *used;    /* gsize: the bytes of records in each */
} CkptRecs;

void ckpt_recs_init(CkptRecs *r);
void ckpt_recs_clear(CkptRecs *r);
void ckpt_recs_add(CkptRecs *r, const void *base, gsize used);
/* The record of reference ref, or NULL (and the input bad) when it points
 * at no record. */
const TxnCore *ckpt_rec(CkptIn *in, const CkptRecs *r, guint64 ref);

/* ---- whole checkpoints ---- */

/* What a run needs a checkpoint to be made for. */
typedef struct {
    const char *rules_digest; /* RuleSet.digest */
    const char *kyc_digest;   /* of the accounts table (checkpoint_file_digest), "" = none;
                               * NULL: not known yet (checkpoint_fits leaves it) */
    guint threads;            /* account shards (ShardsOptions.threads) */
} CkptFit;

typedef struct Shards Shards;
typedef struct Checkpoint Checkpoint;

/* The state of s (after shards_finish) and its tables at watermark
 * (the latest row's time: every row at or before it has been processed,
 * none after). */
GBytes *checkpoint_save(Shards *s, const Intern *accounts, const Intern *locations,
                        const CkptFit *fit, gint64 watermark);
/* Reads the header and checks the payload's CRC; NULL with *why (a
 * sentence; caller frees) when the bytes are no checkpoint or a damaged one. */
Checkpoint *checkpoint_open(GBytes *bytes, char **why);
void checkpoint_free(Checkpoint *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Checkpoint, checkpoint_free)
gint64 checkpoint_watermark(const Checkpoint *c);
gsize checkpoint_bytes(const Checkpoint *c);
/* Does the checkpoint fit the run? FALSE with *why (caller frees): which
 * of format, program, layout, rules, accounts table or split differs. */
gboolean checkpoint_fits(const Checkpoint *c, const CkptFit *fit, char **why);
/* Fills empty tables (but for the accounts rule lists intern, which must
 * come first in the same order) with the checkpoint's, before anything
 * else interns into them. FALSE with *why when they disagree or the
 * payload is damaged. */
gboolean checkpoint_restore_tables(Checkpoint *c, Intern *accounts, Intern *locations,
                                   char **why);
/* Restores the engines' state into s, fresh from shards_new (after
 * checkpoint_restore_tables). FALSE with *why when the payload is damaged. */
gboolean checkpoint_restore_engine(Checkpoint *c, Shards *s, char **why);

/* A hex digest of a file's bytes (the accounts table the run reads), or
 * "" for NULL; NULL with error when it cannot be read. */
char *checkpoint_file_digest(const char *path, GError **error);
/* Writes bytes to path atomically: a temporary file beside it, synced,
 * then renamed over it. */
gboolean checkpoint_write_file(const char *path, GBytes *bytes, GError **error);

#endif
