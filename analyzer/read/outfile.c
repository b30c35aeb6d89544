/* outfile.c: a file replaced whole or not at all (see outfile.h).
 * Invariant: tmp is set exactly when the target is written through a
 * temporary; err holds the first failure seen, reported by commit. */
#include "read/outfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct Outfile {
    char *path, *what;
    char *tmp; /* temporary beside the target, or NULL when written in place */
    FILE *f;
    gboolean is_stdout;
};

static void outfile_free(Outfile *f)
{
    g_free(f->path);
    g_free(f->what);
    g_free(f->tmp);
    g_free(f);
}

Outfile *outfile_open(const char *path, const char *what, GError **error)
{
    Outfile *f = g_new0(Outfile, 1);
    f->path = g_strdup(path);
    f->what = g_strdup(what);
    struct stat st;
    int fd = -1;
    if (strcmp(path, "-") == 0) {
        f->is_stdout = TRUE;
        f->f = stdout;
        return f;
    }
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        f->f = fopen(path, "w");
    } else {
        g_autofree char *dir = g_path_get_dirname(path);
        g_autofree char *base = g_path_get_basename(path);
        f->tmp = g_strdup_printf("%s/.%s.tmp-XXXXXX", dir, base);
        if ((fd = g_mkstemp(f->tmp)) >= 0)
            f->f = fdopen(fd, "w");
    }
    if (!f->f) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create %s '%s': %s",
                    what, path, g_strerror(e));
        if (fd >= 0) {
            close(fd);
            unlink(f->tmp);
        }
        outfile_free(f);
        return NULL;
    }
    return f;
}

FILE *outfile_stream(Outfile *f)
{
    return f->f;
}

gboolean outfile_commit(Outfile *f, GError **error)
{
    int err = 0;
    if (fflush(f->f) != 0) /* a failed write leaves its bytes buffered: this fails again */
        err = errno;
    else if (ferror(f->f))
        err = EIO;
    if (!err && f->tmp && fsync(fileno(f->f)) != 0)
        err = errno;
    if (!f->is_stdout && fclose(f->f) != 0 && !err)
        err = errno;
    if (!err && f->tmp && rename(f->tmp, f->path) != 0)
        err = errno;
    if (err) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "cannot write %s '%s': %s",
                    f->what, f->is_stdout ? "standard output" : f->path, g_strerror(err));
        if (f->tmp)
            unlink(f->tmp);
    }
    outfile_free(f);
    return err == 0;
}

void outfile_abort(Outfile *f)
{
    if (!f)
        return;
    if (!f->is_stdout)
        fclose(f->f);
    if (f->tmp)
        unlink(f->tmp);
    outfile_free(f);
}
