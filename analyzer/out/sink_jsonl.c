/* sink_jsonl.c: the JSON Lines alert sink (see sink_jsonl.h). */
#include "out/sink_jsonl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct SinkJsonl {
    char *path; /* target, or NULL for stdout */
    char *tmp;  /* temporary file beside the target */
    FILE *f;
    GString *buf; /* one alert's text; for stdout, all of them */
    guint64 count;
    int err; /* first errno of a failed write */
};

/* A target that exists and is not a regular file (/dev/null, a FIFO) is
 * written directly: renaming a temporary file onto it would replace it. */
static gboolean is_special(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

SinkJsonl *sink_jsonl_open(const char *path, GError **error)
{
    SinkJsonl *s = g_new0(SinkJsonl, 1);
    s->buf = g_string_sized_new(4096);
    if (strcmp(path, "-") == 0)
        return s;
    if (is_special(path)) {
        s->f = fopen(path, "w");
        if (!s->f) {
            int e = errno;
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                        "cannot open alerts file '%s': %s", path, g_strerror(e));
            sink_jsonl_abort(s);
            return NULL;
        }
        s->path = g_strdup(path);
        return s; /* no temporary: written in place */
    }
    s->path = g_strdup(path);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *base = g_path_get_basename(path);
    s->tmp = g_strdup_printf("%s/.%s.tmp-XXXXXX", dir, base);
    int fd = g_mkstemp(s->tmp);
    if (fd < 0 || !(s->f = fdopen(fd, "w"))) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                    "cannot create alerts file '%s': %s", path, g_strerror(e));
        if (fd >= 0)
            close(fd);
        g_free(s->tmp);
        s->tmp = NULL;
        sink_jsonl_abort(s);
        return NULL;
    }
    return s;
}

gboolean sink_jsonl_write(SinkJsonl *s, const Alert *a)
{
    s->count++;
    if (!s->f) {
        alert_to_json(a, s->buf);
        return TRUE;
    }
    g_string_truncate(s->buf, 0);
    alert_to_json(a, s->buf);
    if (!s->err && fwrite(s->buf->str, 1, s->buf->len, s->f) != s->buf->len)
        s->err = errno ? errno : EIO;
    return s->err == 0;
}

static void sink_free(SinkJsonl *s)
{
    g_free(s->path);
    g_free(s->tmp);
    g_string_free(s->buf, TRUE);
    g_free(s);
}

gboolean sink_jsonl_commit(SinkJsonl *s, GError **error)
{
    if (!s->f) {
        gboolean ok =
            fwrite(s->buf->str, 1, s->buf->len, stdout) == s->buf->len && fflush(stdout) == 0;
        if (!ok)
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
                        "cannot write alerts to standard output: %s", g_strerror(errno));
        sink_free(s);
        return ok;
    }
    if (!s->err && fflush(s->f) != 0)
        s->err = errno;
    if (!s->err && s->tmp && fsync(fileno(s->f)) != 0)
        s->err = errno;
    if (fclose(s->f) != 0 && !s->err)
        s->err = errno;
    s->f = NULL;
    if (!s->err && s->tmp && rename(s->tmp, s->path) != 0)
        s->err = errno;
    if (s->err) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(s->err),
                    "cannot write alerts file '%s': %s", s->path, g_strerror(s->err));
        if (s->tmp)
            unlink(s->tmp);
        sink_free(s);
        return FALSE;
    }
    sink_free(s);
    return TRUE;
}

void sink_jsonl_abort(SinkJsonl *s)
{
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    if (s->tmp)
        unlink(s->tmp);
    sink_free(s);
}

guint64 sink_jsonl_count(const SinkJsonl *s)
{
    return s->count;
}
