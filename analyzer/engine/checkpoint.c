/* checkpoint.c: framing of the engine's state (see checkpoint.h).
 *
 * Layout, all integers little-endian as the machine writes them (the
 * layout string names the machine's sizes, so another one refuses them):
 *
 *   "MTCKPT\n\0"  u32 format  str program  str layout  str rules digest
 *   str accounts digest  i64 watermark  u32 threads  u64 blob bytes
 *   u64 payload bytes  u32 CRC-32 of the payload  payload
 *
 * where str is u32 length + bytes, and the payload is the account table,
 * the location table (u32 count, then each string in id order), then
 * shards_save's part, which names the blobs by key with their size and
 * CRC (txn_store.c). */
#include "engine/checkpoint.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
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
    guint64 blob_bytes;
    CkptIn payload;
};

/* The CRC-32 of zlib and gzip (ISA-L's: a few times faster than zlib's on
 * a state of a hundred megabytes). */
static guint32 ckpt_crc(const guint8 *p, gsize n)
{
    return crc32_gzip_refl(0, p, n);
}

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

/* A new blob's key: random, so that a key never names two contents, even
 * across states that restarted from nothing (a key is never reused for
 * other bytes while a stored state may still name it). */
static guint64 ckpt_new_key(void)
{
    guint64 k;
    do
        k = ((guint64)g_random_int() << 31 ^ g_random_int()) & G_MAXINT64;
    while (!k);
    return k;
}

void ckpt_blob(CkptOut *o, guint64 *key, guint32 *crc, const void *p, gsize n)
{
    g_assert(o->blobs);
    CkptBlob b = {*key, p, n, *key == 0};
    if (b.fresh) {
        b.key = *key = ckpt_new_key();
        *crc = ckpt_crc(p, n);
    }
    g_array_append_val(o->blobs, b);
}

gboolean ckpt_get_blobs(CkptIn *in, const CkptBlobWant *w, guint n)
{
    if (in->bad || !n)
        return !in->bad;
    /* the engines restore on threads of their own (shards.c), and a
     * reader (one database connection) serves one at a time */
    static GMutex lock;
    char *why = NULL;
    g_mutex_lock(&lock);
    gboolean ok = in->blobs && in->blobs->read(in->blobs->ctx, w, n, &why);
    g_mutex_unlock(&lock);
    if (!ok) {
        g_free(in->bad_blob);
        in->bad_blob = why ? why : g_strdup("no blob can be read here");
        return ckpt_fail(in, "a chunk of its records cannot be read");
    }
    for (guint i = 0; i < n; i++)
        if (ckpt_crc(w[i].dst, w[i].size) != w[i].crc)
            return ckpt_fail(in, "a chunk of its records does not match its CRC");
    return TRUE;
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

/* The sizes of what the parts copy as they lie in memory. */
static char *ckpt_layout(void)
{
    return g_strdup_printf("txn %zu, history %zu, window %zu, ptr %zu, entry flags %d",
                           sizeof(TxnCore), sizeof(HistoryAccount), sizeof(Window), sizeof(void *),
                           LIMIT_ENTRY_FLAGS);
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

void ckpt_save_free(CkptSave *s)
{
    if (!s)
        return;
    g_bytes_unref(s->bytes);
    g_array_free(s->blobs, TRUE);
    g_free(s);
}

/* The bytes of the blobs, and of the fresh ones in *fresh. */
static guint64 blobs_bytes(const GArray *blobs, guint64 *fresh)
{
    guint64 all = 0;
    *fresh = 0;
    for (guint i = 0; i < blobs->len; i++) {
        const CkptBlob *b = &g_array_index(blobs, CkptBlob, i);
        all += b->size;
        *fresh += b->fresh ? b->size : 0;
    }
    return all;
}

guint64 ckpt_save_bytes(const CkptSave *s, guint64 *fresh)
{
    guint64 f, all = blobs_bytes(s->blobs, &f) + g_bytes_get_size(s->bytes);
    if (fresh)
        *fresh = f + g_bytes_get_size(s->bytes);
    return all;
}

CkptSave *checkpoint_save(Shards *s, const Intern *accounts, const Intern *locations,
                          const CkptFit *fit, gint64 watermark)
{
    /* one buffer, sized for the state but its records up front (no copy
     * as it grows); the payload's length and CRC, and the blobs' bytes,
     * are filled in once it is written */
    EngineStats es;
    shards_stats(s, &es);
    guint64 guess = es.bytes_windows + es.bytes_history + es.bytes_graph_edges +
                    intern_bytes(accounts) + intern_bytes(locations);
    guint room = (guint)MIN(guess + guess / 4 + 4096, (guint64)G_MAXUINT);
    CkptOut o = {g_byte_array_sized_new(room), 0, g_array_new(FALSE, FALSE, sizeof(CkptBlob))};
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
    ckpt_i64(&o, 0);
    ckpt_u32(&o, 0);
    gsize start = o.len;
    save_intern(&o, accounts);
    save_intern(&o, locations);
    shards_save(s, &o);
    g_byte_array_set_size(o.b, (guint)o.len);
    CkptSave *save = g_new(CkptSave, 1);
    save->blobs = o.blobs;
    gint64 len = (gint64)(o.len - start);
    guint32 crc = ckpt_crc(o.b->data + start, (gsize)len);
    guint64 fresh, blob_bytes = blobs_bytes(o.blobs, &fresh);
    memcpy(o.b->data + at, &blob_bytes, sizeof blob_bytes);
    memcpy(o.b->data + at + 8, &len, sizeof len);
    memcpy(o.b->data + at + 16, &crc, sizeof crc);
    save->bytes = g_byte_array_free_to_bytes(o.b);
    return save;
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
    g_free(c->payload.bad_blob);
    g_free(c);
}

Checkpoint *checkpoint_open(GBytes *bytes, const CkptBlobReader *blobs, char **why)
{
    g_autoptr(Checkpoint) c = g_new0(Checkpoint, 1);
    c->bytes = g_bytes_ref(bytes);
    gsize n;
    CkptIn in = {g_bytes_get_data(bytes, &n), 0, 0, NULL, NULL, NULL};
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
    c->blob_bytes = (guint64)ckpt_get_i64(&in);
    gint64 len = ckpt_get_i64(&in);
    guint32 crc = ckpt_get_u32(&in);
    if (in.bad || len < 0 || (guint64)len != in.n - in.at) {
        *why = g_strdup_printf("it is damaged: %s",
                               in.bad ? in.bad
                                      : "its length is not the one its header gives "
                                        "(truncated)");
        return NULL;
    }
    if (ckpt_crc(in.p + in.at, (gsize)len) != crc) {
        *why = g_strdup("it is damaged: its CRC does not match its bytes");
        return NULL;
    }
    c->payload = (CkptIn){in.p + in.at, (gsize)len, 0, NULL, blobs, NULL};
    return g_steal_pointer(&c);
}

gint64 checkpoint_watermark(const Checkpoint *c)
{
    return c->watermark;
}

gsize checkpoint_bytes(const Checkpoint *c)
{
    return g_bytes_get_size(c->bytes) + c->blob_bytes;
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
        *why = g_strdup_printf(
            "it was written by a run of %u engine threads, this run has %u (--threads)", c->threads,
            fit->threads);
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

gboolean checkpoint_restore_tables(Checkpoint *c, Intern *accounts, Intern *locations, char **why)
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
        *why = g_strdup_printf("it is damaged: %s%s%s", in->bad, in->bad_blob ? ": " : "",
                               in->bad_blob ? in->bad_blob : "");
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

/* The folder of path's blobs. */
static char *blob_dir(const char *path)
{
    return g_strconcat(path, ".chunks", NULL);
}

static char *blob_file(const char *dir, guint64 key)
{
    char name[24];
    g_snprintf(name, sizeof name, "%016" G_GINT64_MODIFIER "x", key);
    return g_build_filename(dir, name, NULL);
}

static gboolean file_error(GError **error, int err, const char *what, const char *path)
{
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                "cannot %s the state file %s: %s", what, path, g_strerror(err));
    return FALSE;
}

/* Writes n bytes at p to path atomically: a temporary file beside it,
 * synced, then renamed over it. */
static gboolean write_atomic(const char *path, const guint8 *p, gsize n, GError **error)
{
    g_autofree char *tmp = g_strdup_printf("%s.tmp-XXXXXX", path);
    int fd = g_mkstemp(tmp);
    if (fd < 0)
        return file_error(error, errno, "write", tmp);
    for (gsize at = 0; at < n;) {
        ssize_t w = write(fd, p + at, n - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : ENOSPC;
            close(fd);
            unlink(tmp);
            return file_error(error, err, "write", tmp);
        }
        at += (gsize)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return file_error(error, err, "write", path);
    }
    return TRUE;
}

static gboolean sync_dir(const char *dir, GError **error)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0 || fsync(fd) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        return file_error(error, err, "sync the folder of", dir);
    }
    close(fd);
    return TRUE;
}

/* Removes the files of dir that keep (keys) does not name; a file that
 * cannot be removed stays (the next write tries again). */
static void drop_stale_blobs(const char *dir, GHashTable *keep)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        guint64 key = g_ascii_strtoull(e->d_name, NULL, 16);
        if (strlen(e->d_name) == 16 && g_hash_table_contains(keep, &key))
            continue;
        g_autofree char *f = g_build_filename(dir, e->d_name, NULL);
        unlink(f);
    }
    if (d)
        closedir(d);
}

/* For the tests of what a killed run leaves: MONEYTRAIL_TEST_KILL=state
 * kills the process once the new blobs are written, before the state
 * that names them is. */
static void test_kill_point(void)
{
    if (g_strcmp0(g_getenv("MONEYTRAIL_TEST_KILL"), "state") == 0)
        raise(SIGKILL);
}

gboolean checkpoint_write_file(const char *path, const CkptSave *save, GError **error)
{
    g_autofree char *dir = blob_dir(path);
    if (g_mkdir_with_parents(dir, 0700) != 0)
        return file_error(error, errno, "make the folder of", dir);
    g_autoptr(GHashTable) keep = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (guint i = 0; i < save->blobs->len; i++) {
        CkptBlob *b = &g_array_index(save->blobs, CkptBlob, i);
        g_hash_table_add(keep, &b->key);
        g_autofree char *f = blob_file(dir, b->key);
        if (b->fresh && !write_atomic(f, b->data, b->size, error))
            return FALSE;
    }
    if (!sync_dir(dir, error))
        return FALSE;
    test_kill_point();
    gsize n;
    const guint8 *p = g_bytes_get_data(save->bytes, &n);
    g_autofree char *parent = g_path_get_dirname(path);
    if (!write_atomic(path, p, n, error) || !sync_dir(parent, error))
        return FALSE;
    drop_stale_blobs(dir, keep);
    return TRUE;
}

static gboolean read_file_blob(const char *dir, guint64 key, void *dst, gsize size, char **why)
{
    g_autofree char *f = blob_file(dir, key);
    int fd = open(f, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        *why = g_strdup_printf("%s: %s", f, g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    gsize at = 0;
    while ((guint64)st.st_size == size && at < size) {
        ssize_t r = read(fd, (guint8 *)dst + at, size - at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        at += (gsize)r;
    }
    close(fd);
    if (at != size || (guint64)st.st_size != size)
        *why =
            g_strdup_printf("%s holds %" G_GINT64_FORMAT " bytes, the state names %" G_GSIZE_FORMAT,
                            f, (gint64)st.st_size, size);
    return at == size && (guint64)st.st_size == size;
}

static gboolean read_file_blobs(gpointer ctx, const CkptBlobWant *w, guint n, char **why)
{
    for (guint i = 0; i < n; i++)
        if (!read_file_blob(ctx, w[i].key, w[i].dst, w[i].size, why))
            return FALSE;
    return TRUE;
}

CkptBlobReader *checkpoint_file_blobs(const char *path)
{
    CkptBlobReader *r = g_new(CkptBlobReader, 1);
    r->read = read_file_blobs;
    r->ctx = blob_dir(path);
    return r;
}

void checkpoint_file_blobs_free(CkptBlobReader *r)
{
    if (r)
        g_free(r->ctx);
    g_free(r);
}
