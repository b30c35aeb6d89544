/* source.c: bytes of one file (plain or gzip) to CSV records.
 *
 * Invariants: buf[start, end) holds data not yet handed out; a record is
 * searched from start, and scan (an offset from start) marks how far the
 * quote-aware scanner got, with its state, so a refill never rescans. A
 * refill moves the unfinished tail (at most LIMIT_LINE_BYTES + 2 bytes,
 * longer records are cut as overlong) to the front and fills the rest, so
 * the buffer never grows. Lines without the quote character are found
 * with memchr alone; only lines holding a quote are walked byte by byte to
 * tell a newline inside a quoted field from the end of the record.
 * gzip is inflated with ISA-L's igzip, about three times as fast as zlib,
 * which checks each member's header and CRC; members follow one another.
 * A record spans lines only while it stays within LIMIT_LINE_BYTES: past
 * that, a record still open across lines (an unbalanced quote) is cut back
 * to its first line, handed out as SOURCE_DAMAGED, and scanning starts
 * afresh on the next line, so one stray quote costs one line, never the
 * rest of the file. A one-line record past the limit is skipped to its
 * newline, whatever its quotes. Newlines are counted as bytes arrive, so
 * the reader can check that every line was handed out or blank.
 * A database source (source_open_pg) hands out source_pg's records instead. */
#define _GNU_SOURCE /* pthread_setname_np */
#include "read/source.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <isa-l/igzip_lib.h>

#include "base/limits.h"
#include "read/source_pg.h"

#define SOURCE_IN_BYTES  (1024 * 1024)
#define SOURCE_OUT_BYTES (1024 * 1024 + 2 * LIMIT_LINE_BYTES + 16)

/* gzip is inflated by a thread of its own, one chunk ahead of the reader,
 * so that inflating and decoding overlap on two cores. Chunks go round
 * between two queues: `free` (empty, for the inflater) and `full` (for the
 * reader). A chunk carries the end of the stream or its error behind its
 * data, so the reader sees both exactly where they happened. The queues are
 * on POSIX locks, which ThreadSanitizer sees (GLib's are futexes). */
#define INFLATE_CHUNKS      3
#define INFLATE_CHUNK_BYTES (1024 * 1024)

typedef struct {
    char *data;
    size_t len;
    guint64 consumed; /* compressed bytes consumed when this chunk was full */
    GError *error;    /* the stream failed after these bytes */
    gboolean end;     /* the stream ended after these bytes */
} InflateChunk;

/* A blocking queue of chunks: all of them, and the one inflater_free adds
 * to wake the thread. */
typedef struct {
    InflateChunk *item[INFLATE_CHUNKS + 1];
    guint head, len;
    pthread_mutex_t lock;
    pthread_cond_t nonempty;
} ChunkQueue;

typedef struct {
    pthread_t thread;
    ChunkQueue free, full;
    InflateChunk chunks[INFLATE_CHUNKS];
    InflateChunk *cur; /* being read by the reader */
    size_t off;
    gint stop;
    gboolean done; /* the reader has seen the end or the error */
    guint64 consumed;
} Inflater;

typedef enum {
    SCAN_FIELD_START,
    SCAN_UNQUOTED,
    SCAN_QUOTED,
    SCAN_QUOTE_SEEN, /* a quote inside a quoted field: closing or first of a pair */
} ScanState;

struct Source {
    char *name;
    int fd;
    gboolean own_fd;
    guint64 size;
    guint64 raw_read; /* bytes read from fd */
    char delim, quote;
    /* gzip */
    gboolean gzip, member_done;
    struct inflate_state *z; /* ISA-L inflate state, when gzip: the inflater thread's */
    Inflater *inflater;      /* the thread that inflates ahead, when gzip */
    unsigned char *in;
    /* records */
    char *buf;
    size_t start, end, scan;
    ScanState state;
    guint64 scan_newlines; /* newlines inside the record being scanned */
    guint64 line;          /* line number of the next record */
    gboolean eof, started, skipping;
    size_t last_start;           /* offset in buf of the record last handed out */
    guint64 newlines, blank;     /* '\n' bytes that arrived; blank lines skipped */
    char last_byte;              /* the last byte that arrived, for an unterminated last line */
    SourcePg *pg;                /* set for a database source: records come from there */
    const SourceRecordsOps *ops; /* set for a producer of records (source_from_records) */
    void *ops_self;
};

static void inflater_free(Inflater *in);

Source *source_open(const char *path, GError **error)
{
    gboolean is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open '%s': %s", path,
                    g_strerror(e));
        return NULL;
    }
    Source *s = g_new0(Source, 1);
    s->name = g_strdup(is_stdin ? "standard input" : path);
    s->fd = fd;
    s->own_fd = !is_stdin;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        s->size = (guint64)st.st_size;
    s->delim = ',';
    s->quote = '"';
    s->line = 1;
    s->buf = g_malloc(SOURCE_OUT_BYTES);
    return s;
}

Source *source_from_pg(SourcePg *pg)
{
    Source *s = g_new0(Source, 1);
    s->name = g_strdup(SOURCE_PG_NAME);
    s->fd = -1;
    s->pg = pg;
    return s;
}

Source *source_from_records(const char *name, const SourceRecordsOps *ops, void *self)
{
    Source *s = g_new0(Source, 1);
    s->name = g_strdup(name);
    s->fd = -1;
    s->ops = ops;
    s->ops_self = self;
    return s;
}

const char *source_reject_reason(const Source *s)
{
    return s->ops ? s->ops->reason(s->ops_self) : "";
}

void source_free(Source *s)
{
    if (!s)
        return;
    if (s->ops)
        s->ops->free(s->ops_self);
    source_pg_free(s->pg);
    inflater_free(s->inflater); /* before the state it uses */
    g_free(s->z);
    if (s->own_fd)
        close(s->fd);
    g_free(s->in);
    g_free(s->buf);
    g_free(s->name);
    g_free(s);
}

void source_set_dialect(Source *s, char delimiter, char quote)
{
    s->delim = delimiter;
    s->quote = quote;
}

const char *source_name(const Source *s)
{
    return s->name;
}

gboolean source_is_gzip(const Source *s)
{
    return s->gzip;
}

guint64 source_bytes_read(const Source *s)
{
    if (s->pg)
        return source_pg_bytes(s->pg);
    if (s->ops)
        return s->ops->bytes(s->ops_self);
    return s->gzip ? s->inflater->consumed : s->raw_read;
}

guint64 source_bytes_total(const Source *s)
{
    return s->size;
}

void source_lines(const Source *s, SourceLines *out)
{
    out->counted = s->pg == NULL && s->ops == NULL;
    out->physical = s->newlines + (s->last_byte && s->last_byte != '\n');
    out->blank = s->blank;
}

/* Counts the newlines of bytes that just arrived in buf[from, to). */
static void source_count(Source *s, size_t from, size_t to)
{
    if (to == from)
        return;
    for (const char *p = s->buf + from, *end = s->buf + to;
         (p = memchr(p, '\n', (size_t)(end - p))); p++)
        s->newlines++;
    s->last_byte = s->buf[to - 1] ? s->buf[to - 1] : ' ';
}

static volatile sig_atomic_t source_signal; /* the signal caught, or 0 */

/* Notes the first signal; a second one ends the process the default way. */
static void source_on_signal(int sig)
{
    if (source_signal) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    source_signal = sig;
}

void source_catch_signals(void)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP};
    struct sigaction sa = {0};
    sa.sa_handler = source_on_signal; /* no SA_RESTART: a blocked read returns */
    sigemptyset(&sa.sa_mask);
    for (guint i = 0; i < G_N_ELEMENTS(sigs); i++)
        sigaction(sigs[i], &sa, NULL);
}

int source_caught_signal(void)
{
    return source_signal;
}

const char *source_signal_name(int sig)
{
    return sig == SIGTERM  ? "SIGTERM"
           : sig == SIGINT ? "SIGINT"
           : sig == SIGHUP ? "SIGHUP"
                           : "a signal";
}

/* read(2) retrying on EINTR unless a signal was caught; returns bytes
 * read, 0 at end, -1 with error. */
static gssize source_read(Source *s, void *dst, size_t cap, GError **error)
{
    for (;;) {
        gssize n = read(s->fd, dst, cap);
        if (n >= 0) {
            s->raw_read += (guint64)n;
            return n;
        }
        if (errno == EINTR && !source_signal)
            continue;
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                    "cannot read '%s' at byte %" G_GUINT64_FORMAT ": %s", s->name, s->raw_read,
                    g_strerror(e));
        return -1;
    }
}

/* A gzip error, at the compressed position the inflater has reached. */
static void source_zerror(Source *s, const char *what, GError **error)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s in '%s' at byte %" G_GUINT64_FORMAT,
                what, s->name, s->raw_read - s->z->avail_in);
}

/* Switches to gzip: the n bytes already read into buf become inflate input. */
static gboolean source_start_gzip(Source *s, size_t n, GError **error)
{
    s->gzip = TRUE;
    s->in = g_malloc(SOURCE_IN_BYTES);
    memcpy(s->in, s->buf + s->end, n);
    s->z = g_new0(struct inflate_state, 1);
    isal_inflate_init(s->z);
    s->z->crc_flag = ISAL_GZIP;
    s->z->next_in = s->in;
    s->z->avail_in = (uint32_t)n;
    (void)error;
    return TRUE;
}

/* Makes sure inflate has input; FALSE only on a read error. */
static gboolean source_feed(Source *s, gboolean *in_eof, GError **error)
{
    *in_eof = FALSE;
    if (s->z->avail_in > 0)
        return TRUE;
    gssize n = source_read(s, s->in, SOURCE_IN_BYTES, error);
    if (n < 0)
        return FALSE;
    s->z->next_in = s->in;
    s->z->avail_in = (uint32_t)n;
    *in_eof = n == 0;
    return TRUE;
}

static const char *isal_error(int ret)
{
    switch (ret) {
    case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
        return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
        return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM:
        return "incorrect checksum";
    default:
        return "inflate error";
    }
}

/* Starts the next member (cat a.gz b.gz), keeping the input that follows. */
static void source_next_member(Source *s)
{
    uint8_t *next = s->z->next_in;
    uint32_t avail = s->z->avail_in;
    isal_inflate_reset(s->z);
    s->z->crc_flag = ISAL_GZIP;
    s->z->next_in = next;
    s->z->avail_in = avail;
    s->member_done = FALSE;
}

/* Inflates into c until it is full, the stream ends or fails (inflater
 * thread only: it alone touches s->fd, s->in, s->z and s->raw_read). */
static void inflate_chunk(Source *s, InflateChunk *c)
{
    c->len = 0;
    while (c->len < INFLATE_CHUNK_BYTES) {
        gboolean in_eof;
        if (!source_feed(s, &in_eof, &c->error))
            return;
        if (in_eof && !s->member_done) {
            source_zerror(s, "truncated gzip stream (unexpected end of file)", &c->error);
            return;
        }
        if (in_eof) {
            c->end = TRUE;
            return;
        }
        if (s->member_done)
            source_next_member(s);
        s->z->next_out = (uint8_t *)c->data + c->len;
        s->z->avail_out = (uint32_t)(INFLATE_CHUNK_BYTES - c->len);
        int ret = isal_inflate(s->z);
        c->len = INFLATE_CHUNK_BYTES - s->z->avail_out;
        c->consumed = s->raw_read - s->z->avail_in;
        if (ret < 0) {
            g_autofree char *what = g_strdup_printf("corrupt gzip data (%s)", isal_error(ret));
            source_zerror(s, what, &c->error);
            return;
        }
        if (s->z->block_state == ISAL_BLOCK_FINISH)
            s->member_done = TRUE;
    }
}

static void chunkq_init(ChunkQueue *q)
{
    q->head = q->len = 0;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->nonempty, NULL);
}

static void chunkq_clear(ChunkQueue *q)
{
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->nonempty);
}

static void chunkq_push(ChunkQueue *q, InflateChunk *c)
{
    pthread_mutex_lock(&q->lock);
    g_assert(q->len < G_N_ELEMENTS(q->item));
    q->item[(q->head + q->len++) % G_N_ELEMENTS(q->item)] = c;
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->lock);
}

/* Waits for a chunk and takes it. */
static InflateChunk *chunkq_pop(ChunkQueue *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->len == 0)
        pthread_cond_wait(&q->nonempty, &q->lock);
    InflateChunk *c = q->item[q->head];
    q->head = (q->head + 1) % G_N_ELEMENTS(q->item);
    q->len--;
    pthread_mutex_unlock(&q->lock);
    return c;
}

static void *inflater_main(void *data)
{
    Source *s = data;
    Inflater *in = s->inflater;
    for (;;) {
        InflateChunk *c = chunkq_pop(&in->free);
        if (g_atomic_int_get(&in->stop))
            return NULL;
        inflate_chunk(s, c);
        gboolean last = c->end || c->error;
        chunkq_push(&in->full, c);
        if (last)
            return NULL;
    }
}

static void inflater_start(Source *s)
{
    Inflater *in = g_new0(Inflater, 1);
    chunkq_init(&in->free);
    chunkq_init(&in->full);
    for (int i = 0; i < INFLATE_CHUNKS; i++) {
        in->chunks[i].data = g_malloc(INFLATE_CHUNK_BYTES);
        chunkq_push(&in->free, &in->chunks[i]);
    }
    s->inflater = in;
    if (pthread_create(&in->thread, NULL, inflater_main, s) != 0)
        g_error("cannot start the inflating thread");
    pthread_setname_np(in->thread, "inflate");
}

static void inflater_free(Inflater *in)
{
    if (!in)
        return;
    g_atomic_int_set(&in->stop, 1);
    chunkq_push(&in->free, &in->chunks[0]); /* wakes it if it waits for a chunk */
    pthread_join(in->thread, NULL);
    for (int i = 0; i < INFLATE_CHUNKS; i++) {
        g_free(in->chunks[i].data);
        g_clear_error(&in->chunks[i].error);
    }
    chunkq_clear(&in->free);
    chunkq_clear(&in->full);
    g_free(in);
}

/* Copies inflated bytes into buf[end, cap) until some arrived, or the end
 * or the error of the stream. */
static gboolean source_fill_gzip(Source *s, GError **error)
{
    Inflater *in = s->inflater;
    size_t before = s->end;
    while (s->end == before && !s->eof) {
        if (!in->cur) {
            in->cur = chunkq_pop(&in->full);
            in->off = 0;
        }
        InflateChunk *c = in->cur;
        size_t n = MIN(c->len - in->off, SOURCE_OUT_BYTES - s->end);
        memcpy(s->buf + s->end, c->data + in->off, n);
        s->end += n;
        in->off += n;
        in->consumed = c->consumed;
        if (in->off < c->len)
            break;
        in->cur = NULL;
        if (c->error) {
            g_propagate_error(error, g_steal_pointer(&c->error));
            return FALSE;
        }
        if (c->end)
            s->eof = TRUE;
        else
            chunkq_push(&in->free, c);
    }
    source_count(s, before, s->end);
    return TRUE;
}

static gboolean source_fill_plain(Source *s, GError **error)
{
    gssize n = source_read(s, s->buf + s->end, SOURCE_OUT_BYTES - s->end, error);
    if (n < 0)
        return FALSE;
    source_count(s, s->end, s->end + (size_t)n);
    s->end += (size_t)n;
    s->eof = n == 0;
    return TRUE;
}

/* First read: decides between gzip and plain by the magic bytes. */
static gboolean source_fill_first(Source *s, GError **error)
{
    s->started = TRUE;
    size_t got = 0;
    while (got < 2) { /* a pipe may deliver a single byte first */
        gssize n = source_read(s, s->buf + got, SOURCE_IN_BYTES - got, error);
        if (n < 0)
            return FALSE;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    if (got >= 2 && (unsigned char)s->buf[0] == 0x1f && (unsigned char)s->buf[1] == 0x8b) {
        if (!source_start_gzip(s, got, error))
            return FALSE;
        inflater_start(s);
        return source_fill_gzip(s, error);
    }
    source_count(s, 0, got);
    s->end = got;
    s->eof = got == 0;
    if (got >= 3 && memcmp(s->buf, "\xEF\xBB\xBF", 3) == 0)
        s->start = 3;
    return TRUE;
}

/* Moves the unconsumed tail to the front and reads more. */
static gboolean source_refill(Source *s, GError **error)
{
    if (!s->started)
        return source_fill_first(s, error);
    if (s->start > 0) {
        memmove(s->buf, s->buf + s->start, s->end - s->start);
        s->end -= s->start;
        s->start = 0;
    }
    return s->gzip ? source_fill_gzip(s, error) : source_fill_plain(s, error);
}

/* Walks [p, stop) through the quote state machine. */
static void source_walk(Source *s, const char *p, const char *stop)
{
    ScanState st = s->state;
    char q = s->quote, d = s->delim;
    for (; p < stop; p++) {
        char c = *p;
        if (st == SCAN_QUOTED)
            st = c == q ? SCAN_QUOTE_SEEN : SCAN_QUOTED;
        else if (st == SCAN_QUOTE_SEEN)
            st = c == q ? SCAN_QUOTED : c == d ? SCAN_FIELD_START : SCAN_UNQUOTED;
        else if (st == SCAN_FIELD_START && c == q)
            st = SCAN_QUOTED;
        else
            st = c == d ? SCAN_FIELD_START : SCAN_UNQUOTED;
    }
    s->state = st;
}

/* Scans on from scan; returns the newline that ends the record, or NULL
 * when the data ends first. */
static char *source_scan(Source *s)
{
    char *base = s->buf + s->start, *end = s->buf + s->end;
    char *p = base + s->scan;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *stop = nl ? nl : end;
        gboolean quoted = s->state == SCAN_QUOTED || s->state == SCAN_QUOTE_SEEN;
        if (s->quote && (quoted || memchr(p, s->quote, (size_t)(stop - p))))
            source_walk(s, p, stop);
        else if (stop > p)
            s->state = stop[-1] == s->delim ? SCAN_FIELD_START : SCAN_UNQUOTED;
        if (!nl || s->state != SCAN_QUOTED) {
            s->scan = (size_t)(stop - base);
            return nl;
        }
        s->scan_newlines++; /* newline inside a quoted field */
        p = nl + 1;
    }
    s->scan = (size_t)(p - base);
    return NULL;
}

/* Hands out buf[start, start + len) and consumes through `next`. */
static SourceStatus source_emit(Source *s, size_t len, size_t next, SourceRecord *rec)
{
    rec->data = s->buf + s->start;
    rec->len = len;
    if (len > 0 && rec->data[len - 1] == '\r')
        rec->len--;
    s->last_start = s->start;
    rec->line = s->line;
    rec->lines = s->scan_newlines + 1;
    s->line += s->scan_newlines + 1;
    s->start = next;
    s->scan = 0;
    s->scan_newlines = 0;
    s->state = SCAN_FIELD_START;
    if (rec->len > LIMIT_LINE_BYTES) {
        rec->len = LIMIT_LINE_BYTES;
        return SOURCE_OVERLONG;
    }
    return SOURCE_RECORD;
}

/* Cuts a record that outgrew LIMIT_LINE_BYTES: hands out its start, and
 * makes the next calls discard the rest of it. */
static SourceStatus source_cut(Source *s, SourceRecord *rec)
{
    rec->data = s->buf + s->start;
    rec->len = LIMIT_LINE_BYTES;
    rec->line = s->line;
    rec->lines = 1;
    s->skipping = TRUE;
    return SOURCE_OVERLONG;
}

/* A record of len bytes from start ran past the limit across lines: hands
 * out its first line alone, with how far the open quote reached, and
 * makes the next call scan afresh from the second line. */
static SourceStatus source_damaged(Source *s, size_t len, SourceRecord *rec)
{
    char *first = s->buf + s->start;
    char *nl = memchr(first, '\n', len);
    g_assert(nl); /* scan_newlines > 0 */
    rec->data = first;
    rec->len = (size_t)(nl - first);
    if (rec->len > 0 && first[rec->len - 1] == '\r')
        rec->len--;
    rec->len = MIN(rec->len, LIMIT_LINE_BYTES);
    rec->line = s->line;
    rec->lines = 1;
    rec->span_last = s->line + s->scan_newlines - (first[len - 1] == '\n'); /* not the empty tail */
    rec->span_bytes = len;
    s->line++;
    s->start = (size_t)(nl - s->buf) + 1;
    s->scan = 0;
    s->scan_newlines = 0;
    s->state = SCAN_FIELD_START;
    return SOURCE_DAMAGED;
}

void source_unread_tail(Source *s, SourceRecord *rec)
{
    g_assert(!s->pg && rec->lines > 1 && rec->data == s->buf + s->last_start);
    char *nl = memchr(rec->data, '\n', rec->len);
    g_assert(nl);
    rec->len = (size_t)(nl - rec->data);
    if (rec->len > 0 && rec->data[rec->len - 1] == '\r')
        rec->len--;
    rec->lines = 1;
    s->start = (size_t)(nl - s->buf) + 1;
    s->line = rec->line + 1;
    s->scan = 0;
    s->scan_newlines = 0;
    s->state = SCAN_FIELD_START;
}

/* Discards the rest of an overlong line, to its newline whatever its
 * quotes; TRUE once that newline (or the end) was seen. */
static gboolean source_skip(Source *s)
{
    char *base = s->buf + s->start;
    char *nl = memchr(base, '\n', s->end - s->start);
    if (!nl && !s->eof) {
        s->start = s->end; /* drop the bytes */
        return FALSE;
    }
    s->line++;
    s->start = nl ? (size_t)(nl - s->buf) + 1 : s->end;
    s->scan = 0;
    s->scan_newlines = 0;
    s->state = SCAN_FIELD_START;
    s->skipping = FALSE;
    return TRUE;
}

SourceStatus source_next(Source *s, SourceRecord *rec, GError **error)
{
    if (s->pg)
        return source_pg_next(s->pg, rec, error);
    if (s->ops)
        return s->ops->next(s->ops_self, rec, error);
    for (;;) {
        if (s->skipping && !source_skip(s)) {
            if (!source_refill(s, error))
                return SOURCE_ERROR;
            continue;
        }
        char *nl = s->start < s->end ? source_scan(s) : NULL;
        size_t len = nl ? (size_t)(nl - (s->buf + s->start)) : s->end - s->start;
        if (len > LIMIT_LINE_BYTES + 1 && s->scan_newlines > 0)
            return source_damaged(s, len, rec);
        if (!nl && len > LIMIT_LINE_BYTES + 1)
            return source_cut(s, rec);
        if (!nl && !s->eof) {
            if (!source_refill(s, error))
                return SOURCE_ERROR;
            continue;
        }
        if (!nl && len == 0)
            return SOURCE_END;
        if (!nl && s->buf[s->start + len - 1] == '\n') { /* the file ends inside quotes */
            len--;
            s->scan_newlines--;
        }
        SourceStatus st = source_emit(s, len, nl ? (size_t)(nl - s->buf) + 1 : s->end, rec);
        if (st == SOURCE_RECORD && rec->len == 0) {
            s->blank++;
            continue; /* blank line */
        }
        return st;
    }
}
