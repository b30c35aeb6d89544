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
        cmd_error(what, "--shard '%s': expected K/N, shard K of N shards, N from 1 to %d", text,
                  SHARD_FILE_MAX);
        return FALSE;
    }
    if (k >= n) {
        cmd_error(what,
                  "--shard %s: shards are numbered from 0 to %" G_GUINT64_FORMAT
                  " (a Slurm array --array=0-%" G_GUINT64_FORMAT ")",
                  text, n - 1, n - 1);
        return FALSE;
    }
    if (to_db) {
        cmd_error(what, "--shard writes a shard alerts file: give --alerts FILE; "
                        "'moneytrail merge --db' stores the merged shards as one run");
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

gboolean shard_file_alert_text(ShardFile *f, guint64 row, guint32 order, const char *json,
                               gsize len)
{
    g_string_printf(f->buf, "{\"row\":%" G_GUINT64_FORMAT ",\"order\":%u,\"alert\":", row, order);
    g_string_append_len(f->buf, json, (gssize)len);
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

/* A time, or null for none (G_MININT64) or open (G_MAXINT64). */
static void write_time(GString *b, const char *key, gint64 t)
{
    if (t == G_MININT64 || t == G_MAXINT64)
        g_string_append_printf(b, ",\"%s\":null", key);
    else
        g_string_append_printf(b, ",\"%s\":%" G_GINT64_FORMAT, key, t);
}

static void write_run(GString *b, const ShardFileRun *r)
{
    g_string_append_printf(b, ",\"run\":{\"incremental\":%s", r->incremental ? "true" : "false");
    g_string_append_printf(b, ",\"last_run\":%" G_GINT64_FORMAT, r->last_run);
    write_time(b, "last_watermark", r->last_watermark);
    g_string_append_printf(b, ",\"late_rows\":%" G_GUINT64_FORMAT, r->late_rows);
    write_time(b, "late_earliest", r->late_rows ? r->late_earliest : G_MININT64);
    write_time(b, "from", r->from);
    write_time(b, "to", r->to);
    write_time(b, "latest", r->latest);
    g_string_append_printf(b, ",\"replayed\":%" G_GUINT64_FORMAT "}", r->replayed);
}

/* A time written by write_time; none is G_MININT64 or, with open_end, G_MAXINT64. */
static gboolean read_time(const JVal *o, const char *key, gboolean open_end, gint64 *t)
{
    const JVal *v = jval_get(o, key);
    if (!v)
        return FALSE;
    if (v->kind == JVAL_NULL) {
        *t = open_end ? G_MAXINT64 : G_MININT64;
        return TRUE;
    }
    double d = jval_get_num(o, key, 0.5);
    *t = (gint64)d;
    return d == (double)*t;
}

gboolean shard_file_read_run(const JVal *end, ShardFileRun *r)
{
    const JVal *o = jval_get(end, "run");
    *r = (ShardFileRun){.last_watermark = G_MININT64,
                        .from = G_MININT64,
                        .to = G_MAXINT64,
                        .latest = G_MININT64,
                        .late_earliest = G_MININT64};
    if (!o)
        return TRUE;
    double late = jval_get_num(o, "late_rows", -1), replayed = jval_get_num(o, "replayed", -1),
           last = jval_get_num(o, "last_run", -1);
    const JVal *inc = jval_get(o, "incremental");
    r->incremental = inc && inc->kind == JVAL_BOOL && inc->num != 0;
    r->late_rows = late >= 0 ? (guint64)late : 0;
    r->replayed = replayed >= 0 ? (guint64)replayed : 0;
    r->last_run = (gint64)last;
    return late >= 0 && replayed >= 0 && last >= 0 &&
           read_time(o, "last_watermark", FALSE, &r->last_watermark) &&
           read_time(o, "late_earliest", FALSE, &r->late_earliest) &&
           read_time(o, "from", FALSE, &r->from) && read_time(o, "to", TRUE, &r->to) &&
           read_time(o, "latest", FALSE, &r->latest);
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
    g_string_append(b, "]");
    write_run(b, &end->run);
    g_string_append(b, "}}\n");
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
