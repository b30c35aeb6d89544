/* dedup.c: transaction ids seen within the lateness horizon (dedup.h).
 *
 * The entries live in a ring of LIMIT_DEDUP_IDS slots, in the order they
 * arrived, so forgetting is advancing the ring's head while its time is
 * behind the horizon or the ring is full, and a new id takes the slot
 * after the newest. The ring is made of fixed chunks allocated on first
 * use, so that an entry never moves and a small run allocates little; a
 * hash table from id (the entry's own bytes) to entry finds them. Nothing
 * is allocated per row. An entry holds a 64-bit fingerprint of the
 * decoded content (FNV-1a over the core fields and the memo), not the row. */
#include "read/dedup.h"

#include <string.h>

#include "base/limits.h"

typedef struct {
    gint64 ts;
    guint64 print; /* content fingerprint */
    guint64 line;
    guint source;
    char id[LIMIT_TXID_BYTES + 1]; /* NUL-terminated: the table's key */
} DedupEntry;

#define DEDUP_CHUNK  4096u /* entries a chunk */
#define DEDUP_CHUNKS (LIMIT_DEDUP_IDS / DEDUP_CHUNK)
G_STATIC_ASSERT(LIMIT_DEDUP_IDS % DEDUP_CHUNK == 0);

struct Dedup {
    GHashTable *ids; /* id -> DedupEntry, both borrowed from the chunks */
    DedupEntry *chunk[DEDUP_CHUNKS];
    guint head, n;   /* the oldest entry's slot, and the entries held */
    gint64 horizon;
    guint64 forgotten;
};

Dedup *dedup_new(gint64 horizon)
{
    Dedup *d = g_new0(Dedup, 1);
    d->ids = g_hash_table_new(g_str_hash, g_str_equal);
    d->horizon = horizon;
    return d;
}

void dedup_free(Dedup *d)
{
    if (!d)
        return;
    g_hash_table_destroy(d->ids);
    for (guint c = 0; c < DEDUP_CHUNKS; c++)
        g_free(d->chunk[c]);
    g_free(d);
}

/* The entry of ring slot i, its chunk allocated on first use. */
static DedupEntry *slot(Dedup *d, guint i)
{
    DedupEntry **c = &d->chunk[i / DEDUP_CHUNK];
    if (!*c)
        *c = g_new(DedupEntry, DEDUP_CHUNK);
    return &(*c)[i % DEDUP_CHUNK];
}

static guint64 dedup_fnv(guint64 h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    return h;
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
        g_hash_table_remove(d->ids, e->id);
        d->head = (d->head + 1) % LIMIT_DEDUP_IDS;
        d->n--;
    }
}

DedupResult dedup_check(Dedup *d, const Txn *t, gint64 latest, guint *source, guint64 *line)
{
    char id[LIMIT_TXID_BYTES + 1];
    size_t n = MIN(t->tx_id.len, (guint32)LIMIT_TXID_BYTES);
    memcpy(id, t->tx_id.ptr, n);
    id[n] = '\0';
    guint64 print = dedup_print(t);
    DedupEntry *e = g_hash_table_lookup(d->ids, id);
    if (e) {
        *source = e->source;
        *line = e->line;
        return e->print == print ? DEDUP_COPY : DEDUP_CONFLICT;
    }
    dedup_forget(d, latest);
    e = slot(d, (d->head + d->n) % LIMIT_DEDUP_IDS);
    d->n++;
    e->ts = t->core.ts;
    e->print = print;
    e->line = t->line;
    e->source = t->source_index;
    memcpy(e->id, id, n + 1);
    g_hash_table_insert(d->ids, e->id, e);
    return DEDUP_NEW;
}

guint64 dedup_forgotten(const Dedup *d)
{
    return d->forgotten;
}
