/* outfile.h: an output file that is replaced whole or not at all.
 *
 * Written to a temporary file beside the target, every write checked (the
 * stream's error flag, then fflush, fsync and fclose), and renamed over the
 * target only by outfile_commit: a run that fails, is killed or runs out of
 * disk leaves the previous file as it was. A target that exists and is not
 * a regular file (/dev/null, a FIFO) is written in place, since renaming
 * onto it would replace it; "-" is standard output, written as it goes. */
#ifndef MT_OUTFILE_H
#define MT_OUTFILE_H

#include <glib.h>
#include <stdio.h>

typedef struct Outfile Outfile;

/* Opens path for writing; what names the file in messages ("rejects
 * file"). NULL with error if the temporary cannot be created. Finish with
 * outfile_commit or outfile_abort, which free it. */
Outfile *outfile_open(const char *path, const char *what, GError **error);
/* The stream to write to, borrowed until commit or abort. */
FILE *outfile_stream(Outfile *f);
/* Checks every write, closes and renames onto the target; FALSE with error
 * naming the file and the cause (the temporary is then removed). */
gboolean outfile_commit(Outfile *f, GError **error);
/* Removes the temporary, keeping the previous target. NULL is ignored. */
void outfile_abort(Outfile *f);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Outfile, outfile_abort)

#endif
