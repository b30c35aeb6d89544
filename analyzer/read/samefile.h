/* samefile.h: no output may be an input, nor another output.
 *
 * A command names its inputs and outputs with the option that gave each;
 * samefile_check compares them by device and inode (so a symlink or a hard
 * link to an input counts as that input), and an output that does not exist
 * yet by its resolved directory and name. NULL paths and "-" as an input
 * (standard input) are left out; "-" as an output is standard output,
 * which two outputs cannot share. */
#ifndef MT_SAMEFILE_H
#define MT_SAMEFILE_H

#include <glib.h>

typedef struct Samefile Samefile;

/* An empty set of paths. Caller frees with samefile_free. */
Samefile *samefile_new(void);
void samefile_free(Samefile *sf);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Samefile, samefile_free)

/* Adds an input or an output; what names it in messages ("--rejects",
 * "input"). Both strings are borrowed until samefile_check returns. */
void samefile_input(Samefile *sf, const char *what, const char *path);
void samefile_output(Samefile *sf, const char *what, const char *path);
/* Adds each path of a NULL-terminated list (or none for NULL) as an input. */
void samefile_inputs(Samefile *sf, const char *what, const char *const *paths);

/* FALSE with error naming both paths if an output is the same file as an
 * input or as an earlier output. */
gboolean samefile_check(const Samefile *sf, GError **error);

#endif
