/* dedup.c: transaction ids seen within the lateness horizon (dedup.h).
 *
 * The entries live in a ring of LIMIT_DEDUP_IDS slots, in the order they
 * arrived, so forgetting is advancing the ring's head while its time is
 * behind the horizon or the ring is full, and a new id takes the slot
 * after the newest. The ring is made of fixed chunks allocated on first
 * use and freed when the head leaves them empty (the last one kept for
 * the next needed), so that an entry never moves and the memory follows
 * the ids held, not the ring's size; an
 * open-addressing table of ring slots (linear probing, deletion by
 * shifting back, doubled at half full) finds them by a hash of the id.
 * Nothing is allocated per row. An entry holds a 64-bit fingerprint of the
 * decoded content (FNV-1a over the core fields and the memo), not the row. */
#include "read/dedup.h"

#include <string.h>

#include "base/limits.h"

typedef struct {
    gint64 ts;
    guint64 print; /* content fingerprint */
    guint64 hash;  /* of the id (id_hash) */
    guint64 line;
    guint source;
    char id[LIMIT_TXID_BYTES + 1]; /* NUL-terminated: the table's key */
} DedupEntry;

#define DEDUP_CHUNK       4096u /* entries a chunk */
#define DEDUP_CHUNKS      (LIMIT_DEDUP_IDS / DEDUP_CHUNK)
#define DEDUP_TABLE_FIRST 1024u /* the table's first size, a power of two */
G_STATIC_ASSERT(LIMIT_DEDUP_IDS % DEDUP_CHUNK == 0);

struct Dedup {
    guint32 *table; /* 1 + the ring slot of an entry, 0 = empty; by id_hash */
    guint mask;     /* the table's size - 1 */
    DedupEntry *chunk[DEDUP_CHUNKS];
    DedupEntry *spare; /* the last chunk freed, for the next one needed: no malloc and free a
                        * chunk's worth of rows */
    guint chunks;  /* allocated, the spare too (dedup_bytes, read as often as the input's stats) */
    guint head, n; /* the oldest entry's slot, and the entries held */
    gint64 horizon;
    guint64 forgotten;
};

Dedup *dedup_new(gint64 horizon)
{
    Dedup *d = g_new0(Dedup, 1);
    d->mask = DEDUP_TABLE_FIRST - 1;
    d->table = g_new0(guint32, DEDUP_TABLE_FIRST);
    d->horizon = horizon;
    return d;
}

void dedup_free(Dedup *d)
{
    if (!d)
        return;
    g_free(d->table);
    for (guint c = 0; c < DEDUP_CHUNKS; c++)
        g_free(d->chunk[c]);
    g_free(d->spare);
    g_free(d);
}

/* The entry of ring slot i, its chunk allocated on first use. */
static DedupEntry *slot(Dedup *d, guint i)
{
    DedupEntry **c = &d->chunk[i / DEDUP_CHUNK];
    if (!*c && d->spare) {
        *c = g_steal_pointer(&d->spare);
    } else if (!*c) {
        *c = g_new(DedupEntry, DEDUP_CHUNK);
        d->chunks++;
    }
    return &(*c)[i % DEDUP_CHUNK];
}

static guint64 dedup_fnv(guint64 h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    return h;
}

static guint64 id_hash(const char *id, size_t n)
{
    guint64 h = dedup_fnv(14695981039346656037ULL, id, n);
    return h ^ h >> 29;
}

/* The table position of the entry with id (hash its id_hash), *found, or
 * the empty position where it would go. */
static guint table_find(Dedup *d, const char *id, guint64 hash, gboolean *found)
{
    for (guint i = (guint)hash & d->mask;; i = (i + 1) & d->mask) {
        guint32 s = d->table[i];
        const DedupEntry *e = s ? slot(d, s - 1) : NULL;
        if (!e || (e->hash == hash && strcmp(e->id, id) == 0)) {
            *found = e != NULL;
            return i;
        }
    }
}

/* Empties table position i, moving back the entries after it that could
 * not be found past an empty one. */
static void table_remove(Dedup *d, guint i)
{
    for (guint j = (i + 1) & d->mask; d->table[j]; j = (j + 1) & d->mask) {
        guint home = (guint)slot(d, d->table[j] - 1)->hash & d->mask;
        if (((j - home) & d->mask) >= ((j - i) & d->mask)) {
            d->table[i] = d->table[j];
            i = j;
        }
    }
    d->table[i] = 0;
}

/* Doubles the table, placing every entry held again. */
static void table_grow(Dedup *d)
{
    g_free(d->table);
    d->mask = 2 * d->mask + 1;
    d->table = g_new0(guint32, (gsize)d->mask + 1);
    for (guint k = 0; k < d->n; k++) {
        guint s = (d->head + k) % LIMIT_DEDUP_IDS;
        guint i = (guint)slot(d, s)->hash & d->mask;
        while (d->table[i])
            i = (i + 1) & d->mask;
        d->table[i] = s + 1;
    }
}

/* The fingerprint of what a row says, field by field (no padding bytes). */
static guint64 dedup_print(const Txn *t)
{
    const TxnCore *c = &t->core;
    guint64 h = 14695981039346656037ULL;
    h = dedup_fnv(h, &c->ts, sizeof c->ts);
    h = dedup_fnv(h, &c->amount, sizeof c->amount);
    h = dedup_fnv(h, &c->from, sizeof c->from);
    h = dedup_fnv(h, &c->to, sizeof c->to);
    h = dedup_fnv(h, &c->location, sizeof c->location);
    h = dedup_fnv(h, &c->currency, sizeof c->currency);
    h = dedup_fnv(h, &c->utc_offset, sizeof c->utc_offset);
    h = dedup_fnv(h, &c->mcc, sizeof c->mcc);
    h = dedup_fnv(h, &c->country, sizeof c->country);
    h = dedup_fnv(h, &c->channel, sizeof c->channel);
    h = dedup_fnv(h, &c->currency_exp, sizeof c->currency_exp);
    return dedup_fnv(h, t->memo.ptr, t->memo.len);
}

/* Forgets the oldest ids: behind the horizon, or over the cap. */
static void dedup_forget(Dedup *d, gint64 latest)
{
    while (d->n) {
        DedupEntry *e = slot(d, d->head);
        gboolean old = d->horizon >= 0 && e->ts < latest - d->horizon;
        gboolean full = d->n >= LIMIT_DEDUP_IDS;
        if (!old && !full)
            return;
        d->forgotten += !old;
        gboolean found;
        table_remove(d, table_find(d, e->id, e->hash, &found));
        g_assert(found);
        guint left = d->head / DEDUP_CHUNK;
        d->head = (d->head + 1) % LIMIT_DEDUP_IDS;
        d->n--;
        if (d->head % DEDUP_CHUNK == 0 && d->n <= LIMIT_DEDUP_IDS - DEDUP_CHUNK) {
            /* no entry in it: the newest are ahead */
            if (d->spare)
                d->chunks--;
            g_free(d->spare);
            d->spare = g_steal_pointer(&d->chunk[left]);
        }
    }
}

DedupResult dedup_check(Dedup *d, const Txn *t, gint64 latest, guint *source, guint64 *line)
{
    char id[LIMIT_TXID_BYTES + 1];
    size_t n = MIN(t->tx_id.len, (guint32)LIMIT_TXID_BYTES);
    memcpy(id, t->tx_id.ptr, n);
    id[n] = '\0';
    guint64 print = dedup_print(t);
    guint64 hash = id_hash(id, n);
    gboolean found;
    guint at = table_find(d, id, hash, &found);
    if (found) {
        const DedupEntry *e = slot(d, d->table[at] - 1);
        *source = e->source;
        *line = e->line;
        return e->print == print ? DEDUP_COPY : DEDUP_CONFLICT;
    }
    guint held = d->n, mask = d->mask;
    dedup_forget(d, latest);
    if (2 * (d->n + 1) > d->mask + 1)
        table_grow(d);
    if (d->n != held || d->mask != mask) /* forgetting or growing moved entries */
        at = table_find(d, id, hash, &found);
    guint s = (d->head + d->n) % LIMIT_DEDUP_IDS;
    DedupEntry *e = slot(d, s);
    d->n++;
    e->ts = t->core.ts;
    e->print = print;
    e->hash = hash;
    e->line = t->line;
    e->source = t->source_index;
    memcpy(e->id, id, n + 1);
    d->table[at] = s + 1;
    return DEDUP_NEW;
}

guint64 dedup_bytes(const Dedup *d)
{
    return ((guint64)d->mask + 1) * sizeof *d->table +
           (guint64)d->chunks * DEDUP_CHUNK * sizeof(DedupEntry);
}

guint64 dedup_forgotten(const Dedup *d)
{
    return d->forgotten;
}
