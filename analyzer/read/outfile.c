/* outfile.c: a file replaced whole or not at all (see outfile.h).
 * Invariant: tmp is set exactly when the target is written through a
 * temporary; err holds the first failure seen, reported by commit.
 *
 * The target is the file a symlink points to (the link stays a link), the
 * temporary takes the mode of the file it replaces (or 0666 less the
 * umask for a new one), and a lock file beside the target (.NAME.lock,
 * flock'ed, kept) stops a second run from writing the same file at the
 * same time: the second one fails at once and says so. */
#include "read/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct Outfile {
    char *path, *what;
    char *tmp;  /* temporary beside the target, or NULL when written in place */
    char *dest; /* what tmp is renamed onto: path through its symlinks */
    FILE *f;
    int lock; /* the lock file's descriptor, or -1 */
    gboolean is_stdout;
};

static void outfile_free(Outfile *f)
{
    if (f->lock >= 0)
        close(f->lock); /* releases the flock */
    g_free(f->path);
    g_free(f->what);
    g_free(f->tmp);
    g_free(f->dest);
    g_free(f);
}

/* The file a path names: through symlinks when it exists (realpath), the
 * path itself otherwise. Caller frees. */
static char *outfile_target(const char *path)
{
    char *real = realpath(path, NULL);
    if (!real)
        return g_strdup(path);
    char *out = g_strdup(real);
    free(real);
    return out;
}

/* Takes the lock of the target, .NAME.lock beside it; FALSE with error
 * when another process holds it. */
static gboolean outfile_lock(Outfile *f, const char *dir, const char *base, GError **error)
{
    g_autofree char *name = g_strdup_printf("%s/.%s.lock", dir, base);
    f->lock = open(name, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (f->lock < 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create %s '%s': %s",
                    f->what, f->path, g_strerror(e));
        return FALSE;
    }
    if (flock(f->lock, LOCK_EX | LOCK_NB) == 0)
        return TRUE;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                "%s '%s' is being written by another run (it holds '%s'): try again when it has "
                "finished",
                f->what, f->path, name);
    return FALSE;
}

/* The mode for the temporary: the replaced file's, or 0666 less the umask. */
static mode_t outfile_mode(const char *target)
{
    struct stat st;
    if (stat(target, &st) == 0)
        return st.st_mode & 07777;
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

Outfile *outfile_open(const char *path, const char *what, GError **error)
{
    Outfile *f = g_new0(Outfile, 1);
    f->path = g_strdup(path);
    f->what = g_strdup(what);
    f->lock = -1;
    struct stat st;
    int fd = -1;
    if (strcmp(path, "-") == 0) {
        f->is_stdout = TRUE;
        f->f = stdout;
        return f;
    }
    g_autofree char *target = outfile_target(path);
    if (stat(target, &st) == 0 && !S_ISREG(st.st_mode)) {
        f->f = fopen(target, "w");
    } else {
        g_autofree char *dir = g_path_get_dirname(target);
        g_autofree char *base = g_path_get_basename(target);
        if (!outfile_lock(f, dir, base, error)) {
            outfile_free(f);
            return NULL;
        }
        f->tmp = g_strdup_printf("%s/.%s.tmp-XXXXXX", dir, base);
        if ((fd = g_mkstemp(f->tmp)) >= 0 && fchmod(fd, outfile_mode(target)) == 0)
            f->f = fdopen(fd, "w");
        f->dest = g_steal_pointer(&target); /* renamed onto the file, not the link */
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
    if (!err && f->tmp && rename(f->tmp, f->dest) != 0)
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
