/* shard_file.c: the alerts file of one shard of a cluster run (see
 * shard_file.h), written through read/outfile. */
#include "cli/shard_file.h"

#include <errno.h>
#include <stdio.h>

#include "base/jval.h"
#include "cli/cmd.h"
#include "read/outfile.h"

struct ShardFile {
    Outfile *out;
    char *path;
    GString *buf;
    int err; /* first errno of a failed write */
};

static void put(ShardFile *f)
{
    if (!f->err && fwrite(f->buf->str, 1, f->buf->len, outfile_stream(f->out)) != f->buf->len)
        f->err = errno ? errno : EIO;
}

gboolean shard_file_parse(const char *what, const char *text, gboolean to_db, const char *alerts,
                          guint *shard, guint *shards)
{
    guint64 k, n;
    char *end;
    gboolean ok = g_ascii_isdigit(text[0]);
    k = g_ascii_strtoull(text, &end, 10);
    ok = ok && *end == '/' && g_ascii_isdigit(end[1]);
    if (ok)
        n = g_ascii_strtoull(end + 1, &end, 10);
    if (!ok || *end || n < 1 || n > SHARD_FILE_MAX) {
        cmd_error(what, "--shard '%s': expected K/N, shard K of N shards, N from 1 to %d",
                  text, SHARD_FILE_MAX);
        return FALSE;
    }
    if (k >= n) {
        cmd_error(what, "--shard %s: shards are numbered from 0 to %" G_GUINT64_FORMAT
                  " (a Slurm array --array=0-%" G_GUINT64_FORMAT ")", text, n - 1, n - 1);
        return FALSE;
    }
    if (to_db) {
        cmd_error(what, "--shard writes a shard alerts file for 'moneytrail merge'; storing "
                        "shards in the database is not supported: give --alerts FILE");
        return FALSE;
    }
    if (!alerts || g_strcmp0(alerts, "-") == 0) {
        cmd_error(what, "--shard needs --alerts FILE, the shard's file for 'moneytrail merge'");
        return FALSE;
    }
    *shard = (guint)k;
    *shards = (guint)n;
    return TRUE;
}

ShardFile *shard_file_open(const char *path, guint shard, guint shards, const char *rules,
                           GError **error)
{
    Outfile *out = outfile_open(path, "shard alerts file", error);
    if (!out)
        return NULL;
    ShardFile *f = g_new0(ShardFile, 1);
    f->out = out;
    f->path = g_strdup(path);
    f->buf = g_string_sized_new(4096);
    g_string_printf(f->buf, "{\"moneytrail_shard\":{\"format\":%d,\"shard\":%u,\"shards\":%u",
                    SHARD_FILE_FORMAT, shard, shards);
    jval_write_str(f->buf, "rules", rules);
    g_string_append(f->buf, "}}\n");
    put(f);
    return f;
}

gboolean shard_file_alert(ShardFile *f, guint64 row, guint32 order, const Alert *a)
{
    g_string_printf(f->buf, "{\"row\":%" G_GUINT64_FORMAT ",\"order\":%u,\"alert\":", row, order);
    alert_to_json(a, f->buf);
    g_string_truncate(f->buf, f->buf->len - 1); /* its newline */
    g_string_append(f->buf, "}\n");
    put(f);
    return f->err == 0;
}

static void shard_file_free(ShardFile *f)
{
    g_string_free(f->buf, TRUE);
    g_free(f->path);
    g_free(f);
}

gboolean shard_file_commit(ShardFile *f, const ShardFileEnd *end, GError **error)
{
    GString *b = f->buf;
    g_string_printf(b,
                    "{\"moneytrail_shard_end\":{\"rows\":%" G_GUINT64_FORMAT
                    ",\"rejected\":%" G_GUINT64_FORMAT,
                    end->rows, end->rejected);
    jval_write_str(b, "inputs", end->inputs);
    g_string_append_printf(b, ",\"alerts\":%" G_GUINT64_FORMAT ",\"counts\":[", end->alerts);
    for (guint i = 0; i < end->n; i++) {
        g_string_append(b, i ? ",{" : "{");
        jval_write_str(b, "id", end->ids[i]);
        jval_write_str(b, "title", end->titles[i]);
        g_string_append_printf(b, ",\"alerts\":%" G_GUINT64_FORMAT "}", end->counts[i]);
    }
    g_string_append(b, "]}}\n");
    put(f);
    gboolean ok;
    if (f->err) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(f->err),
                    "cannot write shard alerts file '%s': %s", f->path, g_strerror(f->err));
        outfile_abort(f->out);
        ok = FALSE;
    } else {
        ok = outfile_commit(f->out, error);
    }
    shard_file_free(f);
    return ok;
}

void shard_file_abort(ShardFile *f)
{
    if (!f)
        return;
    outfile_abort(f->out);
    shard_file_free(f);
}
