/* dedup.c: transaction ids seen within the lateness horizon (dedup.h).
 *
 * A hash table from id to its entry, and a queue of the entries in the
 * order they arrived; the queue's head is the oldest, so forgetting is
 * popping the head while its time is behind the horizon or the table is
 * at the cap. An entry holds a 64-bit fingerprint of the decoded content
 * (FNV-1a over the core fields and the memo), not the row itself. The
 * table owns the entries (one allocation each, freed when forgotten). */
#include "read/dedup.h"

#include <string.h>

#include "base/limits.h"

typedef struct {
    gint64 ts;
    guint64 print; /* content fingerprint */
    guint64 line;
    guint source;
    char id[]; /* NUL-terminated: the table's key */
} DedupEntry;

struct Dedup {
    GHashTable *ids; /* id -> DedupEntry, owns the entries */
    GQueue order;    /* the entries, oldest first; borrowed from ids */
    gint64 horizon;
    guint64 forgotten;
};

Dedup *dedup_new(gint64 horizon)
{
    Dedup *d = g_new0(Dedup, 1);
    d->ids = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    g_queue_init(&d->order);
    d->horizon = horizon;
    return d;
}

void dedup_free(Dedup *d)
{
    if (!d)
        return;
    g_queue_clear(&d->order);
    g_hash_table_destroy(d->ids);
    g_free(d);
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
    DedupEntry *e;
    while ((e = g_queue_peek_head(&d->order))) {
        gboolean old = d->horizon >= 0 && e->ts < latest - d->horizon;
        gboolean full = g_queue_get_length(&d->order) >= LIMIT_DEDUP_IDS;
        if (!old && !full)
            return;
        d->forgotten += !old;
        g_queue_pop_head(&d->order);
        g_hash_table_remove(d->ids, e->id);
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
    e = g_malloc(sizeof *e + n + 1);
    *e = (DedupEntry){t->core.ts, print, t->line, t->source_index};
    memcpy(e->id, id, n + 1);
    g_hash_table_insert(d->ids, e->id, e);
    g_queue_push_tail(&d->order, e);
    return DEDUP_NEW;
}

guint64 dedup_forgotten(const Dedup *d)
{
    return d->forgotten;
}
