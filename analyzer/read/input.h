/* input.h: a stream of canonical transactions from one or more sources.
 *
 * Ties the pieces of the read side together: source (files, gzip or plain,
 * stdin) -> CSV records -> mapping profile -> decoder -> Txn. Several files
 * are read in the order given as one stream, each with its own header row.
 * A malformed row is counted and written to the rejects file (file, line,
 * reason, raw line), and the stream goes on; only a failure of a whole
 * source (unreadable, corrupt or truncated gzip, missing or unknown header)
 * ends it with a GError naming the file and the position. A row whose
 * tx_id was read before within the lateness horizon is dropped when it is
 * an exact copy (counted) and rejected when its content differs. */
#ifndef MT_INPUT_H
#define MT_INPUT_H

#include <glib.h>
#include <stdio.h>

#include "base/intern.h"
#include "base/txn.h"

typedef struct Input Input;

typedef struct {
    const char *format;  /* profile name, path of a profile file, or NULL to detect */
    gint64 max_lateness; /* seconds a row may be older than the latest seen */
    gint64 earliest;     /* first plausible event time (UTC s); 0 = LIMIT_TS_EARLIEST */
    gint64 now;          /* the run time (UTC s) for the plausibility window; 0 = the clock */
    FILE *rejects;       /* borrowed; NULL = rejects are only counted */
    const struct Fx *fx; /* reference rates (read/fx.h, borrowed): amounts converted into
                          * its reporting currency; NULL = as given */
    struct SourcePg *db; /* an opened database source (source_pg.h), taken over by
                          * input_open even when it fails; the one path only names it */
} InputOptions;

/* Opens paths[0..n_paths) ("-" = standard input). Nothing is read yet
 * beyond what is needed to fail early on a missing file. accounts and
 * locations are borrowed and must outlive the Input. */
Input *input_open(const char *const *paths, guint n_paths, const InputOptions *opts,
                  Intern *accounts, Intern *locations, GError **error);
void input_free(Input *in);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Input, input_free)

typedef enum {
    INPUT_ROW = 0, /* *out holds the next transaction (views valid until the next call) */
    INPUT_END,     /* all sources read */
    INPUT_ERROR,   /* a source failed; *error is set */
} InputStatus;

/* Reads the next good transaction, counting and writing rejects on the way. */
InputStatus input_next(Input *in, Txn *out, GError **error);

typedef struct {
    guint64 rows; /* data records read (good + rejected) */
    guint64 rejected;
    guint64 payments_seen_twice; /* statement payments seen before (read/stmt.h): in rows, not
                                    rejected */
    guint64 bytes_read;          /* raw (compressed) bytes consumed so far, all sources */
    guint64 bytes_total;         /* total size of the regular files, 0 if unknown (stdin) */
    /* Lines of the sources read to their end: data lines (all but the
     * header) = lines in rows + lines rejected + blank lines, or the
     * stream ended with an error (input.c). */
    guint64 lines_data, lines_rows, lines_rejected, lines_blank;
    /* exact copies of a row read before (same tx_id, same content): dropped,
     * and their lines, which count beside the others above */
    guint64 duplicates, lines_duplicate;
    guint64 ids_forgotten; /* tx_ids dropped at LIMIT_DEDUP_IDS (read/dedup.h) */
    guint64 bytes_ids;     /* the memory of the tx_ids kept to find copies */
} InputStats;

void input_stats(const Input *in, InputStats *out);
/* The path of a source by index, as given ("-" for stdin). */
const char *input_source_name(const Input *in, guint index);
/* Name of the profile used for source index (after its header was read). */
const char *input_profile_name(const Input *in, guint index);
/* Label names of the current source's profile, n_labels entries. */
const char *const *input_label_names(const Input *in, guint *n_labels);

#endif
