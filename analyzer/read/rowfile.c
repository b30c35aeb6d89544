/* rowfile.c: the file of a split run (see rowfile.h): written through an
 * outfile in blocks of a MiB, read from a mapping, a row at a time. */
#include "read/rowfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "read/outfile.h"

#define MAGIC         "MTROWS02"
#define END_MAGIC     "MTROWEND"
#define HEAD_BYTES    16
#define TRAILER_BYTES 40
#define BLOCK         (1u << 20)
/* Rows read are let go from the mapping (MADV_DONTNEED) this many bytes
 * at a time, so that the file, read once, does not stay in the process's
 * memory (the page cache keeps it as long as the system likes). */
#define RELEASE (64u << 20)

struct RowFileOut {
    Outfile *out;
    GByteArray *buf; /* written at BLOCK */
    FILE *graph;     /* the graph text until commit */
    GBytes *kyc;     /* the accounts table's bytes, or NULL */
    guint64 at;      /* bytes written so far */
    int err;         /* the first errno of a failed write */
};

struct RowFile {
    char *path;
    GMappedFile *map;
    const guint8 *p;
    guint64 at, rows_end, kyc_at, graph_at, meta_at, meta_end;
    guint64 released; /* bytes of rows let go from the mapping */
};

static void flush(RowFileOut *w)
{
    if (!w->err && w->buf->len &&
        fwrite(w->buf->data, 1, w->buf->len, outfile_stream(w->out)) != w->buf->len)
        w->err = errno ? errno : EIO;
    w->at += w->buf->len;
    g_byte_array_set_size(w->buf, 0);
}

static void put(RowFileOut *w, const void *p, gsize n)
{
    g_byte_array_append(w->buf, p, (guint)n);
    if (w->buf->len >= BLOCK)
        flush(w);
}

/* Room for n more bytes at the end of the buffer: where to write them. */
static guint8 *room(RowFileOut *w, gsize n)
{
    guint len = w->buf->len;
    g_byte_array_set_size(w->buf, len + (guint)n);
    return w->buf->data + len;
}

static void put_u32(RowFileOut *w, guint32 v)
{
    put(w, &v, sizeof v);
}

RowFileOut *rowfile_create(const char *path, GError **error)
{
    Outfile *out = outfile_open(path, "rows file", error);
    if (!out)
        return NULL;
    RowFileOut *w = g_new0(RowFileOut, 1);
    w->out = out;
    w->buf = g_byte_array_sized_new(BLOCK + 4096);
    if (!(w->graph = tmpfile()))
        w->err = errno;
    put(w, MAGIC, 8);
    put_u32(w, sizeof(TxnCore));
    put_u32(w, 0);
    return w;
}

void rowfile_put(RowFileOut *w, const Txn *t)
{
    TxnCore c;
    memset(&c, 0, sizeof c); /* the padding too: the same rows, the same bytes */
    c.ts = t->core.ts;
    c.amount = t->core.amount;
    c.from = t->core.from;
    c.to = t->core.to;
    c.location = t->core.location;
    c.currency = t->core.currency;
    c.utc_offset = t->core.utc_offset;
    c.mcc = t->core.mcc;
    c.country = t->core.country;
    c.channel = t->core.channel;
    c.currency_exp = t->core.currency_exp;
    c.exp_orig = t->core.exp_orig;
    c.currency_orig = t->core.currency_orig;
    c.amount_orig = t->core.amount_orig;
    g_assert(t->tx_id.len <= LIMIT_TXID_BYTES);
    guint8 *p = room(w, sizeof c + 1 + t->tx_id.len + sizeof(guint32) + t->memo.len);
    memcpy(p, &c, sizeof c);
    p += sizeof c;
    *p++ = (guint8)t->tx_id.len;
    memcpy(p, t->tx_id.ptr, t->tx_id.len);
    p += t->tx_id.len;
    memcpy(p, &t->memo.len, sizeof(guint32));
    memcpy(p + sizeof(guint32), t->memo.ptr, t->memo.len);
    if (w->buf->len >= BLOCK)
        flush(w);
}

void rowfile_graph_text(RowFileOut *w, const char *text, gsize len)
{
    if (!w->err && w->graph && fwrite(text, 1, len, w->graph) != len)
        w->err = errno ? errno : EIO;
}

void rowfile_kyc_bytes(RowFileOut *w, const void *p, gsize len)
{
    if (w->kyc)
        g_bytes_unref(w->kyc);
    w->kyc = g_bytes_new(p, len);
}

static void put_table(RowFileOut *w, const Intern *in)
{
    guint32 n = intern_count(in);
    put_u32(w, n);
    for (guint32 i = 1; i <= n; i++) {
        const char *s = intern_str(in, i);
        guint32 len = (guint32)strlen(s);
        put_u32(w, len);
        put(w, s, len);
    }
}

/* Copies the graph text kept aside. */
static void put_graph(RowFileOut *w)
{
    char block[65536];
    gsize n;
    if (w->err || fflush(w->graph) != 0 || fseek(w->graph, 0, SEEK_SET) != 0) {
        w->err = w->err ? w->err : errno;
        return;
    }
    while ((n = fread(block, 1, sizeof block, w->graph)) > 0)
        put(w, block, n);
    if (ferror(w->graph))
        w->err = EIO;
}

gboolean rowfile_commit(RowFileOut *w, const Intern *accounts, const Intern *locations,
                        const char *meta, GError **error)
{
    flush(w);
    guint64 off[4];
    off[0] = w->at;
    put_table(w, accounts);
    put_table(w, locations);
    flush(w);
    off[1] = w->at;
    if (w->kyc)
        put(w, g_bytes_get_data(w->kyc, NULL), g_bytes_get_size(w->kyc));
    flush(w);
    off[2] = w->at;
    put_graph(w);
    flush(w);
    off[3] = w->at;
    put(w, meta, strlen(meta));
    put(w, off, sizeof off);
    put(w, END_MAGIC, 8);
    flush(w);
    gboolean ok;
    if (w->err) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(w->err),
                    "cannot write the rows file: %s", g_strerror(w->err));
        outfile_abort(w->out);
        ok = FALSE;
    } else {
        ok = outfile_commit(w->out, error);
    }
    w->out = NULL;
    rowfile_abort(w);
    return ok;
}

void rowfile_abort(RowFileOut *w)
{
    if (!w)
        return;
    outfile_abort(w->out);
    if (w->graph)
        fclose(w->graph);
    if (w->kyc)
        g_bytes_unref(w->kyc);
    g_byte_array_unref(w->buf);
    g_free(w);
}

gboolean rowfile_is(const char *path)
{
    char head[8];
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
        return FALSE; /* a pipe or a device: reading its head would take it from the data */
    FILE *f = fopen(path, "rb");
    if (!f)
        return FALSE;
    gboolean is = fread(head, 1, sizeof head, f) == sizeof head && memcmp(head, MAGIC, 8) == 0;
    fclose(f);
    return is;
}

static gboolean damaged(const RowFile *r, const char *what, GError **error)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s: not a whole rows file of this moneytrail build (%s): make it again with "
                "'moneytrail split'",
                r->path, what);
    return FALSE;
}

/* Checks the head and the trailer, and reads the offsets. */
static gboolean frame(RowFile *r, gsize size, GError **error)
{
    guint32 core;
    guint64 off[4];
    if (size < HEAD_BYTES + TRAILER_BYTES || memcmp(r->p, MAGIC, 8) != 0)
        return damaged(r, "no rows file header", error);
    if (memcmp(r->p + size - 8, END_MAGIC, 8) != 0)
        return damaged(r, "its end is missing: cut short?", error);
    memcpy(&core, r->p + 8, sizeof core);
    if (core != sizeof(TxnCore))
        return damaged(r, "another row layout", error);
    memcpy(off, r->p + size - TRAILER_BYTES, sizeof off);
    r->at = HEAD_BYTES;
    r->rows_end = off[0];
    r->kyc_at = off[1];
    r->graph_at = off[2];
    r->meta_at = off[3];
    r->meta_end = size - TRAILER_BYTES;
    if (!(HEAD_BYTES <= off[0] && off[0] <= off[1] && off[1] <= off[2] && off[2] <= off[3] &&
          off[3] <= r->meta_end))
        return damaged(r, "bad offsets", error);
    return TRUE;
}

RowFile *rowfile_open(const char *path, GError **error)
{
    RowFile *r = g_new0(RowFile, 1);
    r->path = g_strdup(path);
    GError *e = NULL;
    if (!(r->map = g_mapped_file_new(path, FALSE, &e))) {
        g_set_error(error, G_FILE_ERROR, e->code, "cannot read the rows file: %s", e->message);
        g_error_free(e);
        rowfile_free(r);
        return NULL;
    }
    gsize size = g_mapped_file_get_length(r->map);
    r->p = (const guint8 *)g_mapped_file_get_contents(r->map);
    if (!frame(r, size, error)) {
        rowfile_free(r);
        return NULL;
    }
    madvise((void *)r->p, size, MADV_SEQUENTIAL);
    return r;
}

void rowfile_free(RowFile *r)
{
    if (!r)
        return;
    if (r->map)
        g_mapped_file_unref(r->map);
    g_free(r->path);
    g_free(r);
}

/* Reads n bytes at *at, below end; FALSE past it. */
static gboolean take(const RowFile *r, guint64 *at, guint64 end, void *out, gsize n)
{
    if (end - *at < n)
        return FALSE;
    memcpy(out, r->p + *at, n);
    *at += n;
    return TRUE;
}

/* Interns one table, checking that each string gets the file's id. */
static gboolean table(const RowFile *r, guint64 *at, Intern *in, const char *what, GError **error)
{
    guint32 n, len;
    if (!take(r, at, r->kyc_at, &n, sizeof n))
        return damaged(r, what, error);
    for (guint32 i = 1; i <= n; i++) {
        if (!take(r, at, r->kyc_at, &len, sizeof len) || r->kyc_at - *at < len || !len)
            return damaged(r, what, error);
        if (intern_add(in, (const char *)r->p + *at, len) != i) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: its %s do not follow the rules' account lists as they were when "
                        "it was split: split again with the same --rules",
                        r->path, what);
            return FALSE;
        }
        *at += len;
    }
    return TRUE;
}

gboolean rowfile_tables(const RowFile *r, Intern *accounts, Intern *locations, GError **error)
{
    guint64 at = r->rows_end;
    return table(r, &at, accounts, "accounts", error) &&
           table(r, &at, locations, "locations", error);
}

/* Lets go of the pages of rows read before the last BLOCK (the caller may
 * still read the views of the latest rows). */
static void release(RowFile *r)
{
    guint64 page = (guint64)sysconf(_SC_PAGESIZE);
    guint64 upto = (r->at - BLOCK) / page * page;
    guint64 from = r->released / page * page;
    if (upto > from)
        madvise((void *)(r->p + from), upto - from, MADV_DONTNEED);
    r->released = upto;
}

int rowfile_next(RowFile *r, Txn *t, GError **error)
{
    if (r->at == r->rows_end)
        return 0;
    if (r->at - r->released > RELEASE + BLOCK)
        release(r);
    guint8 id_len;
    guint32 memo_len;
    guint64 at = r->at;
    t->n_labels = 0;
    t->line = 0;
    t->source_index = 0;
    if (!take(r, &at, r->rows_end, &t->core, sizeof t->core) ||
        !take(r, &at, r->rows_end, &id_len, 1) || r->rows_end - at < id_len)
        return damaged(r, "a row cut short", error) - 1;
    t->tx_id = (StrView){(const char *)r->p + at, id_len};
    at += id_len;
    if (!take(r, &at, r->rows_end, &memo_len, sizeof memo_len) || r->rows_end - at < memo_len)
        return damaged(r, "a row cut short", error) - 1;
    t->memo = (StrView){(const char *)r->p + at, memo_len};
    r->at = at + memo_len;
    return 1;
}

const guint8 *rowfile_kyc(const RowFile *r, gsize *len)
{
    *len = r->graph_at - r->kyc_at;
    return r->p + r->kyc_at;
}

const char *rowfile_graph(const RowFile *r, gsize *len)
{
    *len = r->meta_at - r->graph_at;
    return (const char *)r->p + r->graph_at;
}

const char *rowfile_meta(const RowFile *r, gsize *len)
{
    *len = r->meta_end - r->meta_at;
    return (const char *)r->p + r->meta_at;
}

void rowfile_progress(const RowFile *r, guint64 *read, guint64 *total)
{
    *read = r->at;
    *total = r->rows_end;
}
