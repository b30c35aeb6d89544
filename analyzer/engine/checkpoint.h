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
 * The transaction records (txn_store.h) are most of a state and change
 * least: their chunks are append-only, a night adds a few and drops the
 * expired ones. So they are not in the payload but stored apart as blobs,
 * each named by a key and checked by a CRC-32 the payload holds: a save
 * gives the payload and the list of blobs, and says which are new (a
 * chunk not stored with the checkpoint the run started from, or one that
 * grew since); the writer stores the payload and the new blobs and drops
 * the blobs the list no longer names (checkpoint_write_file, and
 * out/sink_pg.c in the database). A load reads each blob straight into
 * the chunk that holds it, through a CkptBlobReader.
 *
 * A checkpoint that does not fit the run (another format, program, layout,
 * rules, accounts table or split; a bad CRC; a truncation) is never used:
 * checkpoint_fits and checkpoint_open say why, and the caller replays
 * history or fails. A blob missing or damaged is found when the engine is
 * restored (checkpoint_restore_engine says so). */
#ifndef MT_CHECKPOINT_H
#define MT_CHECKPOINT_H

#include <glib.h>
#include <string.h>

#include "base/intern.h"
#include "base/txn.h"

/* The format version: bump it when what a module writes changes. */
#define CKPT_FORMAT                                                                                \
    4 /* 2: accounts' history per engine, pairs once; 3: records as blobs;                         \
       * 4: each engine's part after its length (restored in parallel) */

/* ---- writing and reading the parts ---- */

/* A blob: bytes stored apart from the payload, by key (see the top). */
typedef struct {
    guint64 key;        /* > 0, at most G_MAXINT64 (a bigint in the database) */
    const guint8 *data; /* borrowed from the engine that saved it */
    gsize size;
    gboolean fresh; /* not stored with the checkpoint the run started from: to write */
} CkptBlob;

/* b's length is the room; len the bytes written (a put is a copy, no
 * call, while the room lasts); blobs the CkptBlob the payload names
 * (NULL: none may be). */
typedef struct {
    GByteArray *b;
    gsize len;
    GArray *blobs;
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

/* Names the n bytes at p as a blob of the payload. *key 0: the blob is
 * new (a chunk never saved, or changed since): it gets a new key and its
 * CRC in *crc, and is marked fresh. Otherwise it is the blob stored under
 * *key with CRC *crc, unchanged. */
void ckpt_blob(CkptOut *o, guint64 *key, guint32 *crc, const void *p, gsize n);

/* A blob a load wants: its key, where its size bytes go, its CRC. */
typedef struct {
    guint64 key;
    void *dst;
    gsize size;
    guint32 crc;
} CkptBlobWant;

/* Where a load finds the blobs: read fills each want's dst with the
 * bytes of its blob (n of them at once, so that a database reads them
 * with one statement), FALSE when it cannot (missing, shorter or longer,
 * a failed read), with a sentence in *why (caller frees). */
typedef struct {
    gboolean (*read)(gpointer ctx, const CkptBlobWant *w, guint n, char **why);
    gpointer ctx;
} CkptBlobReader;

/* A reader over n bytes; the first failure (bad) sticks, and every later
 * read returns zeros, so that a loader checks once at the end (or where a
 * count sizes an allocation: ckpt_count). */
typedef struct {
    const guint8 *p;
    gsize n, at;
    const char *bad;             /* what was wrong first, or NULL */
    const CkptBlobReader *blobs; /* NULL: no blob can be read */
    char *bad_blob;              /* why a blob could not be read (freed by its owner) */
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
/* Reads the n blobs w wants and checks their CRCs; FALSE (and the input
 * bad) when it cannot. */
gboolean ckpt_get_blobs(CkptIn *in, const CkptBlobWant *w, guint n);

/* Where the records (transaction cores and ids, txn_store.h) that windows
 * and graph edges point at lie: the stores' chunks are saved whole (as
 * blobs), and a pointer into one as (chunk << 32 | offset), the chunk
 * counted over every store of an engine in the order they were written. */
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

/* A saved state: bytes (header and payload, written whole each time) and
 * the blobs it names (CkptBlob; their data borrowed from the engines, so
 * written before they run again or are freed). */
typedef struct {
    GBytes *bytes;
    GArray *blobs;
} CkptSave;

void ckpt_save_free(CkptSave *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CkptSave, ckpt_save_free)
/* The state's size, blobs included; *fresh (may be NULL) the bytes a
 * writer writes: the payload's and the fresh blobs'. */
guint64 ckpt_save_bytes(const CkptSave *s, guint64 *fresh);

/* The state of s (after shards_finish) and its tables at watermark
 * (the latest row's time: every row at or before it has been processed,
 * none after). */
CkptSave *checkpoint_save(Shards *s, const Intern *accounts, const Intern *locations,
                          const CkptFit *fit, gint64 watermark);
/* Reads the header and checks the payload's CRC; NULL with *why (a
 * sentence; caller frees) when the bytes are no checkpoint or a damaged
 * one. blobs (borrowed until checkpoint_restore_engine) reads its blobs. */
Checkpoint *checkpoint_open(GBytes *bytes, const CkptBlobReader *blobs, char **why);
void checkpoint_free(Checkpoint *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Checkpoint, checkpoint_free)
gint64 checkpoint_watermark(const Checkpoint *c);
/* The state's size, blobs included. */
gsize checkpoint_bytes(const Checkpoint *c);
/* Does the checkpoint fit the run? FALSE with *why (caller frees): which
 * of format, program, layout, rules, accounts table or split differs. */
gboolean checkpoint_fits(const Checkpoint *c, const CkptFit *fit, char **why);
/* Fills empty tables (but for the accounts rule lists intern, which must
 * come first in the same order) with the checkpoint's, before anything
 * else interns into them. FALSE with *why when they disagree or the
 * payload is damaged. */
gboolean checkpoint_restore_tables(Checkpoint *c, Intern *accounts, Intern *locations, char **why);
/* Restores the engines' state into s, fresh from shards_new (after
 * checkpoint_restore_tables). FALSE with *why when the payload is damaged. */
gboolean checkpoint_restore_engine(Checkpoint *c, Shards *s, char **why);

/* A hex digest of a file's bytes (the accounts table the run reads), or
 * "" for NULL; NULL with error when it cannot be read. */
char *checkpoint_file_digest(const char *path, GError **error);
/* A state in files: the header and payload in path, each blob in the
 * folder path.chunks beside it, in a file named by its key in hex.
 * checkpoint_write_file writes the fresh blobs (each to a temporary file,
 * synced, renamed), syncs the folder, then the payload the same way,
 * renamed over path last: until then path names the previous state, whose
 * blobs are all still there. Then it removes the files of the folder that
 * the new state does not name (a killed run's leftovers too). */
gboolean checkpoint_write_file(const char *path, const CkptSave *save, GError **error);
/* The blob reader of the state in path's folder (free with
 * checkpoint_file_blobs_free). */
CkptBlobReader *checkpoint_file_blobs(const char *path);
void checkpoint_file_blobs_free(CkptBlobReader *r);

#endif
