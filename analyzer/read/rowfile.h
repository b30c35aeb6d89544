/* rowfile.h: the file of a split run (`moneytrail split`): the rows of
 * the sources decoded once, as the engine reads them, for the shards of a
 * cluster run to read instead of decoding the sources again; beside them
 * the tables their ids point into, the parsed accounts table, and two
 * texts of the caller's.
 *
 *   "MTROWS02", u32 sizeof(TxnCore), u32 0
 *   rows       each: TxnCore (its padding zeroed), u8 id length, the id,
 *              u32 memo length, the memo; in the order they were read
 *   accounts   u32 count, then each id (1, 2, ...) as u32 length, bytes
 *   locations  the same
 *   kyc        bytes (the accounts table as read/kyc.h saves it; none
 *              without one)
 *   graph      text (JSON Lines, the caller's)
 *   meta       text (a JSON object, the caller's)
 *   trailer    u64 offsets of the accounts, the kyc bytes, the graph and
 *              the meta, "MTROWEND"
 *
 * Numbers are in the machine's byte order and TxnCore is the program's own:
 * every machine of a run runs the same moneytrail build on one kind of
 * processor (the header's size catches most mismatches). The file is
 * written through read/outfile.h: replaced whole or not at all. */
#ifndef MT_ROWFILE_H
#define MT_ROWFILE_H

#include <glib.h>

#include "base/intern.h"
#include "base/txn.h"

typedef struct RowFileOut RowFileOut;
typedef struct RowFile RowFile;

/* Creates path (a temporary until commit); NULL with error. */
RowFileOut *rowfile_create(const char *path, GError **error);
/* Appends a row: its core, id and memo. */
void rowfile_put(RowFileOut *w, const Txn *t);
/* Appends to the graph text (kept aside until commit). */
void rowfile_graph_text(RowFileOut *w, const char *text, gsize len);
/* Sets the accounts table's bytes (kyc_save's), copied. */
void rowfile_kyc_bytes(RowFileOut *w, const void *p, gsize len);
/* Writes the tables, the kyc bytes, the graph text, meta and the trailer, and replaces
 * the target; frees w. FALSE with error (the target is left as it was). */
gboolean rowfile_commit(RowFileOut *w, const Intern *accounts, const Intern *locations,
                        const char *meta, GError **error);
/* Drops the temporary; frees w. NULL is ignored. */
void rowfile_abort(RowFileOut *w);

/* TRUE when path is a regular file that starts as a rows file does (a
 * pipe is never read: its bytes are the data's). */
gboolean rowfile_is(const char *path);
/* Maps a rows file and checks its frame; NULL with error naming it. */
RowFile *rowfile_open(const char *path, GError **error);
void rowfile_free(RowFile *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RowFile, rowfile_free)
/* Interns the file's accounts and locations into the tables, which must
 * give them the file's ids: empty but for the same leading ids (a rule
 * set's account lists). FALSE with error otherwise. */
gboolean rowfile_tables(const RowFile *r, Intern *accounts, Intern *locations, GError **error);
/* The next row into t (views into the mapping: valid while r lives);
 * 1 a row, 0 the end, -1 a damaged file (error set). */
int rowfile_next(RowFile *r, Txn *t, GError **error);
/* The kyc bytes (length 0: none), borrowed. */
const guint8 *rowfile_kyc(const RowFile *r, gsize *len);
/* The graph and meta texts, borrowed. */
const char *rowfile_graph(const RowFile *r, gsize *len);
const char *rowfile_meta(const RowFile *r, gsize *len);
/* Bytes of rows read so far and in all (for progress). */
void rowfile_progress(const RowFile *r, guint64 *read, guint64 *total);

#endif
