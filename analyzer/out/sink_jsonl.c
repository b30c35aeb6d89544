/* sink_jsonl.c: the JSON Lines alert sink (see sink_jsonl.h). A file is
 * written through read/outfile (a temporary renamed at commit); standard
 * output is held in memory and written at commit, so that a failed run
 * prints no alerts that look complete. */
#include "out/sink_jsonl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "read/outfile.h"

struct SinkJsonl {
    Outfile *out; /* the target, or NULL for stdout */
    char *path;
    GString *buf; /* one alert's text; for stdout, all of them */
    guint64 count;
    int err; /* first errno of a failed write */
};

SinkJsonl *sink_jsonl_open(const char *path, GError **error)
{
    SinkJsonl *s = g_new0(SinkJsonl, 1);
    s->buf = g_string_sized_new(4096);
    if (strcmp(path, "-") == 0)
        return s;
    s->path = g_strdup(path);
    if (!(s->out = outfile_open(path, "alerts file", error))) {
        sink_jsonl_abort(s);
        return NULL;
    }
    return s;
}

gboolean sink_jsonl_write(SinkJsonl *s, const Alert *a)
{
    s->count++;
    if (!s->out) {
        alert_to_json(a, s->buf);
        return TRUE;
    }
    g_string_truncate(s->buf, 0);
    alert_to_json(a, s->buf);
    if (!s->err && fwrite(s->buf->str, 1, s->buf->len, outfile_stream(s->out)) != s->buf->len)
        s->err = errno ? errno : EIO;
    return s->err == 0;
}

static void sink_free(SinkJsonl *s)
{
    g_string_free(s->buf, TRUE);
    g_free(s->path);
    g_free(s);
}

gboolean sink_jsonl_commit(SinkJsonl *s, GError **error)
{
    gboolean ok;
    if (!s->out) {
        ok = fwrite(s->buf->str, 1, s->buf->len, stdout) == s->buf->len && fflush(stdout) == 0;
        if (!ok)
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO,
                        "cannot write alerts to standard output: %s", g_strerror(errno));
    } else if (s->err) { /* a write failed: say why, keep the previous file */
        ok = FALSE;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(s->err),
                    "cannot write alerts file '%s': %s", s->path, g_strerror(s->err));
        outfile_abort(g_steal_pointer(&s->out));
    } else {
        ok = outfile_commit(g_steal_pointer(&s->out), error);
    }
    sink_free(s);
    return ok;
}

void sink_jsonl_abort(SinkJsonl *s)
{
    if (!s)
        return;
    outfile_abort(s->out);
    sink_free(s);
}

guint64 sink_jsonl_count(const SinkJsonl *s)
{
    return s->count;
}
