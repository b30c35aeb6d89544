/* checkpoint.c: framing of the engine's state (see checkpoint.h).
 *
 * Layout, all integers little-endian as the machine writes them (the
 * layout string names the machine's sizes, so another one refuses them):
 *
 *   "MTCKPT\n\0"  u32 format  str program  str layout  str rules digest
 *   str accounts digest  i64 watermark  u32 threads  u64 payload bytes
 *   u32 CRC-32 of the payload  payload
 *
 * where str is u32 length + bytes, and the payload is the account table,
 * the location table (u32 count, then each string in id order), then
 * shards_save's part. */
#include "engine/checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <isa-l/crc.h>

#include "engine/history.h"
#include "engine/shards.h"
#include "engine/window.h"

#ifndef MONEYTRAIL_VERSION
#define MONEYTRAIL_VERSION "dev" /* a release build sets it: -DMONEYTRAIL_VERSION=... */
#endif

static const char ckpt_magic[8] = "MTCKPT\n";

struct Checkpoint {
    GBytes *bytes;
    guint32 format;
    char *program, *layout, *rules, *kyc;
    gint64 watermark;
    guint32 threads;
    CkptIn payload;
};

void ckpt_room(CkptOut *o, gsize n)
{
    g_assert(o->len + n <= G_MAXUINT);
    g_byte_array_set_size(o->b, (guint)MIN(MAX(o->len + n, (gsize)o->b->len * 2), G_MAXUINT));
}

gboolean ckpt_fail(CkptIn *in, const char *why)
{
    if (!in->bad)
        in->bad = why;
    return FALSE;
}

gboolean ckpt_get(CkptIn *in, void *p, gsize n)
{
    if (in->bad || n > in->n - in->at) {
        memset(p, 0, n);
        return ckpt_fail(in, "it ends too early (truncated)");
    }
    memcpy(p, in->p + in->at, n);
    in->at += n;
    return TRUE;
}

guint32 ckpt_get_u32(CkptIn *in)
{
    guint32 v;
    ckpt_get(in, &v, sizeof v);
    return v;
}

gint64 ckpt_get_i64(CkptIn *in)
{
    gint64 v;
    ckpt_get(in, &v, sizeof v);
    return v;
}

guint32 ckpt_count(CkptIn *in, gsize item)
{
    guint32 n = ckpt_get_u32(in);
    if (!in->bad && (gsize)n > (in->n - in->at) / MAX(item, 1)) {
        ckpt_fail(in, "a count runs past the end (truncated or damaged)");
        return 0;
    }
    return in->bad ? 0 : n;
}

void ckpt_refs_init(CkptRefs *r)
{
    r->chunks = g_array_new(FALSE, FALSE, sizeof(CkptChunk));
}

void ckpt_refs_clear(CkptRefs *r)
{
    g_array_free(r->chunks, TRUE);
}

void ckpt_refs_add(CkptRefs *r, const void *base, gsize size)
{
    CkptChunk c = {base, size, r->chunks->len};
    g_array_append_val(r->chunks, c);
}

static gint chunk_cmp(gconstpointer a, gconstpointer b)
{
    const CkptChunk *x = a, *y = b;
    return (x->base > y->base) - (x->base < y->base);
}

void ckpt_refs_seal(CkptRefs *r)
{
    g_array_sort(r->chunks, chunk_cmp);
}

guint64 ckpt_ref(const CkptRefs *r, const void *p)
{
    const CkptChunk *c = (const CkptChunk *)(const void *)r->chunks->data;
    guint lo = 0, hi = r->chunks->len; /* the last chunk at or before p */
    while (hi - lo > 1) {
        guint mid = lo + (hi - lo) / 2;
        if (c[mid].base <= (const guint8 *)p)
            lo = mid;
        else
            hi = mid;
    }
    g_assert(hi > lo && (const guint8 *)p >= c[lo].base &&
             (const guint8 *)p < c[lo].base + c[lo].size);
    return (guint64)c[lo].index << 32 | (guint64)((const guint8 *)p - c[lo].base);
}

void ckpt_recs_init(CkptRecs *r)
{
    r->base = g_ptr_array_new();
    r->used = g_array_new(FALSE, FALSE, sizeof(gsize));
}

void ckpt_recs_clear(CkptRecs *r)
{
    g_ptr_array_free(r->base, TRUE);
    g_array_free(r->used, TRUE);
}

void ckpt_recs_add(CkptRecs *r, const void *base, gsize used)
{
    g_ptr_array_add(r->base, (gpointer)base);
    g_array_append_val(r->used, used);
}

const TxnCore *ckpt_rec(CkptIn *in, const CkptRecs *r, guint64 ref)
{
    guint32 c = (guint32)(ref >> 32);
    gsize off = (gsize)(ref & G_MAXUINT32);
    if (c < r->base->len && off % 8 == 0 &&
        off + sizeof(TxnCore) + 1 <= g_array_index(r->used, gsize, c)) {
        const guint8 *rec = (const guint8 *)g_ptr_array_index(r->base, c) + off;
        if (off + sizeof(TxnCore) + 1 + rec[sizeof(TxnCore)] <= g_array_index(r->used, gsize, c))
            return (const TxnCore *)(const void *)rec;
    }
    ckpt_fail(in, "a window or edge points at a record that is not there");
    return NULL;
}

/* The CRC-32 of zlib and gzip (ISA-L's: a few times faster than zlib's on
 * a state of a hundred megabytes). */
static guint32 ckpt_crc(const guint8 *p, gsize n)
{
    return crc32_gzip_refl(0, p, n);
}

/* The sizes of what the parts copy as they lie in memory. */
static char *ckpt_layout(void)
{
    return g_strdup_printf("txn %zu, history %zu, window %zu, ptr %zu, entry flags %d",
                           sizeof(TxnCore), sizeof(HistoryAccount), sizeof(Window),
                           sizeof(void *), LIMIT_ENTRY_FLAGS);
}

static void ckpt_str(CkptOut *o, const char *s)
{
    ckpt_u32(o, (guint32)strlen(s));
    ckpt_put(o, s, strlen(s));
}

static char *ckpt_get_str(CkptIn *in)
{
    guint32 n = ckpt_count(in, 1);
    char *s = g_malloc(n + 1);
    ckpt_get(in, s, n);
    s[n] = '\0';
    return s;
}

/* Every string of t, in id order. */
static void save_intern(CkptOut *o, const Intern *t)
{
    guint32 n = intern_count(t);
    ckpt_u32(o, n);
    for (guint32 id = 1; id <= n; id++)
        ckpt_str(o, intern_str(t, id));
}

GBytes *checkpoint_save(Shards *s, const Intern *accounts, const Intern *locations,
                        const CkptFit *fit, gint64 watermark)
{
    /* one buffer, sized for the state up front (no copy as it grows); the
     * payload's length and CRC are filled in once it is written */
    EngineStats es;
    shards_stats(s, &es);
    guint64 guess = es.bytes_records + es.bytes_windows + es.bytes_history +
                    es.bytes_graph_edges + intern_bytes(accounts) + intern_bytes(locations);
    guint room = (guint)MIN(guess + guess / 4 + 4096, (guint64)G_MAXUINT);
    CkptOut o = {g_byte_array_sized_new(room), 0};
    g_byte_array_set_size(o.b, room);
    g_autofree char *layout = ckpt_layout();
    ckpt_put(&o, ckpt_magic, sizeof ckpt_magic);
    ckpt_u32(&o, CKPT_FORMAT);
    ckpt_str(&o, MONEYTRAIL_VERSION);
    ckpt_str(&o, layout);
    ckpt_str(&o, fit->rules_digest);
    ckpt_str(&o, fit->kyc_digest);
    ckpt_i64(&o, watermark);
    ckpt_u32(&o, fit->threads);
    gsize at = o.len;
    ckpt_i64(&o, 0);
    ckpt_u32(&o, 0);
    gsize start = o.len;
    save_intern(&o, accounts);
    save_intern(&o, locations);
    shards_save(s, &o);
    g_byte_array_set_size(o.b, (guint)o.len);
    gint64 len = (gint64)(o.len - start);
    guint32 crc = ckpt_crc(o.b->data + start, (gsize)len);
    memcpy(o.b->data + at, &len, sizeof len);
    memcpy(o.b->data + at + sizeof len, &crc, sizeof crc);
    return g_byte_array_free_to_bytes(o.b);
}

void checkpoint_free(Checkpoint *c)
{
    if (!c)
        return;
    g_bytes_unref(c->bytes);
    g_free(c->program);
    g_free(c->layout);
    g_free(c->rules);
    g_free(c->kyc);
    g_free(c);
}

Checkpoint *checkpoint_open(GBytes *bytes, char **why)
{
    g_autoptr(Checkpoint) c = g_new0(Checkpoint, 1);
    c->bytes = g_bytes_ref(bytes);
    gsize n;
    CkptIn in = {g_bytes_get_data(bytes, &n), 0, 0, NULL};
    in.n = n;
    char magic[sizeof ckpt_magic];
    if (!ckpt_get(&in, magic, sizeof magic) || memcmp(magic, ckpt_magic, sizeof magic) != 0) {
        *why = g_strdup("it is not an engine checkpoint (no checkpoint header)");
        return NULL;
    }
    c->format = ckpt_get_u32(&in);
    if (c->format != CKPT_FORMAT) {
        *why = g_strdup_printf("it is in checkpoint format %u, this program reads format %d",
                               c->format, CKPT_FORMAT);
        return NULL;
    }
    c->program = ckpt_get_str(&in);
    c->layout = ckpt_get_str(&in);
    c->rules = ckpt_get_str(&in);
    c->kyc = ckpt_get_str(&in);
    c->watermark = ckpt_get_i64(&in);
    c->threads = ckpt_get_u32(&in);
    gint64 len = ckpt_get_i64(&in);
    guint32 crc = ckpt_get_u32(&in);
    if (in.bad || len < 0 || (guint64)len != in.n - in.at) {
        *why = g_strdup_printf("it is damaged: %s",
                               in.bad ? in.bad : "its length is not the one its header gives "
                                                 "(truncated)");
        return NULL;
    }
    if (ckpt_crc(in.p + in.at, (gsize)len) != crc) {
        *why = g_strdup("it is damaged: its CRC does not match its bytes");
        return NULL;
    }
    c->payload = (CkptIn){in.p + in.at, (gsize)len, 0, NULL};
    return g_steal_pointer(&c);
}

gint64 checkpoint_watermark(const Checkpoint *c)
{
    return c->watermark;
}

gsize checkpoint_bytes(const Checkpoint *c)
{
    return g_bytes_get_size(c->bytes);
}

gboolean checkpoint_fits(const Checkpoint *c, const CkptFit *fit, char **why)
{
    g_autofree char *layout = ckpt_layout();
    if (strcmp(c->program, MONEYTRAIL_VERSION) != 0)
        *why = g_strdup_printf("it was written by moneytrail %s, this is %s", c->program,
                               MONEYTRAIL_VERSION);
    else if (strcmp(c->layout, layout) != 0)
        *why = g_strdup_printf("it was written on a machine with another layout (%s)", c->layout);
    else if (strcmp(c->rules, fit->rules_digest) != 0)
        *why = g_strdup("the rules changed since it was written (another rules digest)");
    else if (fit->kyc_digest && strcmp(c->kyc, fit->kyc_digest) != 0)
        *why = g_strdup("the accounts table changed since it was written");
    else if (c->threads != fit->threads)
        *why = g_strdup_printf("it was written by a run of %u engine threads, this run has %u (--threads)",
                               c->threads, fit->threads);
    else
        return TRUE;
    return FALSE;
}

static gboolean restore_intern(CkptIn *in, Intern *t, const char *what, char **why)
{
    guint32 n = ckpt_count(in, 4);
    for (guint32 id = 1; id <= n && !in->bad; id++) {
        guint32 len = ckpt_count(in, 1);
        if (in->bad)
            break;
        guint32 got = intern_add(t, (const char *)in->p + in->at, len);
        in->at += len;
        if (got != id) {
            *why = g_strdup_printf("its %s table disagrees with this run's (id %u is %u here)",
                                   what, id, got);
            return FALSE;
        }
    }
    if (in->bad)
        *why = g_strdup_printf("it is damaged: %s", in->bad);
    return !in->bad;
}

gboolean checkpoint_restore_tables(Checkpoint *c, Intern *accounts, Intern *locations,
                                   char **why)
{
    c->payload.at = 0;
    return restore_intern(&c->payload, accounts, "account", why) &&
           restore_intern(&c->payload, locations, "location", why);
}

gboolean checkpoint_restore_engine(Checkpoint *c, Shards *s, char **why)
{
    CkptIn *in = &c->payload;
    if (shards_load(s, in) && in->at != in->n)
        ckpt_fail(in, "bytes are left after the engines' state");
    if (in->bad)
        *why = g_strdup_printf("it is damaged: %s", in->bad);
    return !in->bad;
}

char *checkpoint_file_digest(const char *path, GError **error)
{
    if (!path)
        return g_strdup("");
    GMappedFile *m = g_mapped_file_new(path, FALSE, error);
    if (!m)
        return NULL;
    char *d = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
                                          (const guchar *)g_mapped_file_get_contents(m),
                                          g_mapped_file_get_length(m));
    g_mapped_file_unref(m);
    return d;
}

gboolean checkpoint_write_file(const char *path, GBytes *bytes, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
    int fd = g_mkstemp(tmp);
    if (fd < 0) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot write the state file %s: %s", tmp, g_strerror(errno));
        return FALSE;
    }
    gsize n;
    const guint8 *p = g_bytes_get_data(bytes, &n);
    for (gsize at = 0; at < n;) {
        ssize_t w = write(fd, p + at, n - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = errno;
            close(fd);
            unlink(tmp);
            g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                        "cannot write the state file %s: %s", tmp, g_strerror(err));
            return FALSE;
        }
        at += (gsize)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                    "cannot write the state file %s: %s", path, g_strerror(err));
        return FALSE;
    }
    return TRUE;
}
