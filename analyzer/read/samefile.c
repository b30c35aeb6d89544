/* samefile.c: refuses outputs that would overwrite an input or each other
 * (see samefile.h). A path that exists is known by (device, inode), after
 * following symlinks; one that does not is known by the real path of its
 * directory and its own name, which is where it would be created. */
#include "read/samefile.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct {
    const char *what, *path;
    gboolean output, exists;
    dev_t dev;
    ino_t ino;
    char *where; /* resolved directory + name, for a path that does not exist */
} SamefilePath;

struct Samefile {
    GArray *paths; /* SamefilePath */
};

Samefile *samefile_new(void)
{
    Samefile *sf = g_new0(Samefile, 1);
    sf->paths = g_array_new(FALSE, TRUE, sizeof(SamefilePath));
    return sf;
}

void samefile_free(Samefile *sf)
{
    if (!sf)
        return;
    for (guint i = 0; i < sf->paths->len; i++)
        g_free(g_array_index(sf->paths, SamefilePath, i).where);
    g_array_free(sf->paths, TRUE);
    g_free(sf);
}

static void samefile_add(Samefile *sf, const char *what, const char *path, gboolean output)
{
    gboolean dash = path && strcmp(path, "-") == 0;
    if (!path || (dash && !output)) /* standard input is no file to overwrite */
        return;
    SamefilePath p = {.what = what, .path = path, .output = output};
    struct stat st;
    if (dash) {
        p.where = g_strdup("-"); /* two outputs to standard output collide */
    } else if (stat(path, &st) == 0) {
        p.exists = TRUE;
        p.dev = st.st_dev;
        p.ino = st.st_ino;
    } else {
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *real = realpath(dir, NULL);
        p.where = g_build_filename(real ? real : dir, base, NULL);
    }
    g_array_append_val(sf->paths, p);
}

void samefile_input(Samefile *sf, const char *what, const char *path)
{
    samefile_add(sf, what, path, FALSE);
}

void samefile_output(Samefile *sf, const char *what, const char *path)
{
    samefile_add(sf, what, path, TRUE);
}

void samefile_inputs(Samefile *sf, const char *what, const char *const *paths)
{
    for (; paths && *paths; paths++)
        samefile_add(sf, what, *paths, FALSE);
}

static gboolean samefile_same(const SamefilePath *a, const SamefilePath *b)
{
    if (a->exists != b->exists)
        return FALSE;
    return a->exists ? a->dev == b->dev && a->ino == b->ino : strcmp(a->where, b->where) == 0;
}

gboolean samefile_check(const Samefile *sf, GError **error)
{
    const SamefilePath *p = (const SamefilePath *)(void *)sf->paths->data;
    for (guint i = 0; i < sf->paths->len; i++) {
        if (!p[i].output)
            continue;
        for (guint j = 0; j < sf->paths->len; j++) {
            if (j == i || (p[j].output && j > i) || !samefile_same(&p[i], &p[j]))
                continue;
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                        "%s '%s' is the same file as %s '%s'; refusing to overwrite %s", p[i].what,
                        p[i].path, p[j].what, p[j].path,
                        p[j].output ? "one output with another" : "an input");
            return FALSE;
        }
    }
    return TRUE;
}
