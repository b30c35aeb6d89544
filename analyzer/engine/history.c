/* history.c: the accounts' and pairs' lifetime record (see history.h).
 *
 * Accounts: an array indexed by the dense account id / div, grown by
 * doubling. Pairs: open addressing with linear probing on the 64-bit key
 * from << 32 | to (neither 0), kept at most half full, so a look-up reads
 * one or two slots. Nothing is ever removed: a pair seen once is known for
 * the rest of the scan. */
#include "engine/history.h"

#include <string.h>

#include "base/hugemem.h"

/* A pair: 16 bytes (history.h). */
typedef struct {
    guint64 key;  /* from << 32 | to; 0 = empty */
    gint32 first; /* the first transaction's time - base, or FIRST_FAR */
    guint32 n;    /* transactions from -> to, saturating */
} PairSlot;

#define FIRST_FAR G_MININT32 /* the time is in far */
#define PAIRS_FIRST 1024

struct HistoryPairs {
    PairSlot *pairs;
    guint64 mask; /* slots - 1, a power of two minus one */
    guint64 used;
    gint64 base;     /* the first pair's time: offsets count from it */
    GHashTable *far; /* key -> first time, both gint64 *, or NULL */
};

struct History {
    HistoryAccount *acc;
    guint32 n_acc; /* entries of acc */
    guint div;     /* account a is at a / div */
};

static const HistoryAccount unseen = {0};

/* ---- pairs ---- */

HistoryPairs *history_pairs_new(void)
{
    HistoryPairs *p = g_new0(HistoryPairs, 1);
    p->mask = PAIRS_FIRST - 1;
    p->pairs = hugemem_alloc(PAIRS_FIRST * sizeof *p->pairs);
    return p;
}

void history_pairs_free(HistoryPairs *p)
{
    if (!p)
        return;
    hugemem_free(p->pairs, (p->mask + 1) * sizeof *p->pairs);
    if (p->far)
        g_hash_table_destroy(p->far);
    g_free(p);
}

/* A 64-bit mix (the finaliser of MurmurHash3), so that dense ids spread. */
static guint64 mix(guint64 k)
{
    k ^= k >> 33;
    k *= G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
    k ^= k >> 33;
    k *= G_GUINT64_CONSTANT(0xc4ceb9fe1a85ec53);
    k ^= k >> 33;
    return k;
}

/* The slot of key, or the empty slot where it would go. */
static PairSlot *pair_slot(const HistoryPairs *p, guint64 key)
{
    guint64 i = mix(key) & p->mask;
    while (p->pairs[i].key && p->pairs[i].key != key)
        i = (i + 1) & p->mask;
    return &p->pairs[i];
}

/* The first time of slot s. */
static gint64 slot_first(const HistoryPairs *p, const PairSlot *s)
{
    if (s->first != FIRST_FAR)
        return p->base + s->first;
    return *(const gint64 *)g_hash_table_lookup(p->far, &s->key);
}

static void slot_set_first(HistoryPairs *p, PairSlot *s, gint64 ts)
{
    gint64 d = ts - p->base;
    if (d > FIRST_FAR && d <= G_MAXINT32) {
        if (s->first == FIRST_FAR && p->far)
            g_hash_table_remove(p->far, &s->key);
        s->first = (gint32)d;
        return;
    }
    if (!p->far)
        p->far = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    gint64 *kv = g_new(gint64, 2); /* the key, then the time */
    kv[0] = (gint64)s->key;
    kv[1] = ts;
    g_hash_table_replace(p->far, kv, kv + 1);
    s->first = FIRST_FAR;
}

static void pairs_grow(HistoryPairs *p)
{
    PairSlot *old = p->pairs;
    guint64 n_old = p->mask + 1;
    p->mask = n_old * 2 - 1;
    p->pairs = hugemem_alloc(n_old * 2 * sizeof *p->pairs);
    for (guint64 i = 0; i < n_old; i++)
        if (old[i].key)
            *pair_slot(p, old[i].key) = old[i];
    hugemem_free(old, n_old * sizeof *old);
}

void history_pairs_row(HistoryPairs *p, const TxnCore *t, HistoryRowPair *out)
{
    *out = (HistoryRowPair){{0, 0}, 0};
    if (!t->from || !t->to || t->from == t->to)
        return;
    if ((p->used + 1) * 2 > p->mask + 1)
        pairs_grow(p);
    if (!p->used)
        p->base = t->ts;
    const PairSlot *back = pair_slot(p, (guint64)t->to << 32 | t->from);
    if (back->key) {
        out->paid[1] = back->n;
        out->first_ts = slot_first(p, back);
    }
    guint64 key = (guint64)t->from << 32 | t->to;
    PairSlot *s = pair_slot(p, key);
    if (!s->key) {
        s->key = key;
        slot_set_first(p, s, t->ts);
        p->used++;
    } else {
        gint64 first = slot_first(p, s);
        out->paid[0] = s->n;
        if (!back->key || first < out->first_ts)
            out->first_ts = first;
        if (t->ts < first)
            slot_set_first(p, s, t->ts);
    }
    if (s->n < G_MAXUINT32)
        s->n++;
}

guint64 history_pairs_count(const HistoryPairs *p)
{
    return p->used;
}

gsize history_pairs_bytes(const HistoryPairs *p)
{
    gsize n = sizeof *p + (gsize)(p->mask + 1) * sizeof(PairSlot);
    if (p->far)
        n += g_hash_table_size(p->far) * 4 * sizeof(gint64);
    return n;
}

/* ---- accounts ---- */

History *history_new(guint div)
{
    History *h = g_new0(History, 1);
    h->div = MAX(div, 1);
    return h;
}

void history_free(History *h)
{
    if (!h)
        return;
    hugemem_free(h->acc, (gsize)h->n_acc * sizeof *h->acc);
    g_free(h);
}

const HistoryAccount *history_account(const History *h, guint32 a)
{
    if (!h || !a)
        return &unseen;
    guint32 i = a / h->div;
    return i < h->n_acc ? &h->acc[i] : &unseen;
}

static HistoryAccount *account_at(History *h, guint32 a)
{
    guint32 i = a / h->div;
    if (i >= h->n_acc) {
        guint32 n = MAX(h->n_acc, 1024u);
        while (n <= i)
            n *= 2;
        h->acc = hugemem_grow(h->acc, (gsize)h->n_acc * sizeof *h->acc, (gsize)n * sizeof *h->acc);
        memset(h->acc + h->n_acc, 0, (gsize)(n - h->n_acc) * sizeof *h->acc);
        h->n_acc = n;
    }
    return &h->acc[i];
}

static void account_add(History *h, guint32 a, gint64 ts)
{
    if (!a)
        return;
    HistoryAccount *r = account_at(h, a);
    if (!r->n || ts < r->first_ts)
        r->first_ts = ts;
    if (!r->n || ts > r->last_ts)
        r->last_ts = ts;
    if (r->n < G_MAXUINT32)
        r->n++;
}

void history_add(History *h, const TxnCore *t, gboolean from, gboolean to,
                 const HistoryRowPair *pair)
{
    if (from)
        account_add(h, t->from, t->ts);
    if (to && t->to != t->from)
        account_add(h, t->to, t->ts);
    if (!t->from || !t->to || t->from == t->to)
        return;
    /* a new pair this way adds a distinct counterparty; its second
     * payment makes it recur */
    if (pair->paid[0] <= 1 && from) {
        HistoryAccount *r = account_at(h, t->from);
        pair->paid[0] ? r->rec_out++ : r->cp_out++;
    }
    if (pair->paid[0] <= 1 && to) {
        HistoryAccount *r = account_at(h, t->to);
        pair->paid[0] ? r->rec_in++ : r->cp_in++;
    }
}

gsize history_bytes(const History *h)
{
    return sizeof *h + (gsize)h->n_acc * sizeof *h->acc;
}
