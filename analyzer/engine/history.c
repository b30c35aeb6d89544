/* history.c: the accounts' and pairs' lifetime record (see history.h).
 *
 * Accounts: an array indexed by the dense account id / div, grown by
 * doubling. Pairs: PAIR_PARTS tables chosen by the top bits of the key's
 * hash, each open addressing with linear probing on the 64-bit key
 * from << 32 | to (neither 0), its first slot the low 32 bits of the hash
 * scaled to the table's size (any size, not only powers of two), kept at
 * most three quarters full and grown by half on its own: a table's growth
 * holds its old and new slots at once for a 256th of the pairs only, and
 * the tables are between half and three quarters full. Nothing is ever
 * removed: a pair seen once is known for the rest of the scan. */
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
#define PAIR_PARTS 256       /* tables, by the hash's top 8 bits */
#define PART_FIRST 64        /* a table's first slots */

typedef struct {
    PairSlot *slots;
    guint32 n; /* slots */
    guint32 used;
} PairPart;

struct HistoryPairs {
    PairPart part[PAIR_PARTS];
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
    for (guint i = 0; i < PAIR_PARTS; i++) {
        p->part[i].n = PART_FIRST;
        p->part[i].slots = hugemem_alloc(PART_FIRST * sizeof(PairSlot));
    }
    return p;
}

void history_pairs_free(HistoryPairs *p)
{
    if (!p)
        return;
    for (guint i = 0; i < PAIR_PARTS; i++)
        hugemem_free(p->part[i].slots, (gsize)p->part[i].n * sizeof(PairSlot));
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

/* The table of key (h: its hash). */
static PairPart *part_of(const HistoryPairs *p, guint64 h)
{
    return (PairPart *)&p->part[h >> 56];
}

/* The slot of key in its table, or the empty slot where it would go. */
static PairSlot *part_slot(const PairPart *t, guint64 key, guint64 h)
{
    guint32 i = (guint32)(((h & 0xffffffffu) * t->n) >> 32);
    while (t->slots[i].key && t->slots[i].key != key)
        i = i + 1 == t->n ? 0 : i + 1;
    return &t->slots[i];
}

static void part_grow(PairPart *t)
{
    PairSlot *old = t->slots;
    guint32 n_old = t->n;
    t->n = n_old + n_old / 2;
    t->slots = hugemem_alloc((gsize)t->n * sizeof *t->slots);
    for (guint32 i = 0; i < n_old; i++)
        if (old[i].key)
            *part_slot(t, old[i].key, mix(old[i].key)) = old[i];
    hugemem_free(old, (gsize)n_old * sizeof *old);
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

void history_pairs_row(HistoryPairs *p, const TxnCore *t, HistoryRowPair *out)
{
    *out = (HistoryRowPair){{0, 0}, 0};
    if (!t->from || !t->to || t->from == t->to)
        return;
    if (!p->used)
        p->base = t->ts;
    guint64 bkey = (guint64)t->to << 32 | t->from, bh = mix(bkey);
    const PairSlot *back = part_slot(part_of(p, bh), bkey, bh);
    gboolean was_back = back->key != 0; /* back may move when a table grows */
    if (was_back) {
        out->paid[1] = back->n;
        out->first_ts = slot_first(p, back);
    }
    guint64 key = (guint64)t->from << 32 | t->to, h = mix(key);
    PairPart *part = part_of(p, h);
    PairSlot *s = part_slot(part, key, h);
    if (!s->key) {
        if (((guint64)part->used + 1) * 4 > (guint64)part->n * 3) {
            part_grow(part);
            s = part_slot(part, key, h);
        }
        s->key = key;
        slot_set_first(p, s, t->ts);
        part->used++;
        p->used++;
    } else {
        gint64 first = slot_first(p, s);
        out->paid[0] = s->n;
        if (!was_back || first < out->first_ts)
            out->first_ts = first;
        if (t->ts < first)
            slot_set_first(p, s, t->ts);
    }
    if (s->n < G_MAXUINT32)
        s->n++;
}

void history_pairs_prefetch(const HistoryPairs *p, const TxnCore *t)
{
    if (!t->from || !t->to || t->from == t->to)
        return;
    guint64 key = (guint64)t->from << 32 | t->to, bkey = (guint64)t->to << 32 | t->from;
    guint64 h = mix(key), bh = mix(bkey);
    const PairPart *a = part_of(p, h), *b = part_of(p, bh);
    __builtin_prefetch(&a->slots[((h & 0xffffffffu) * a->n) >> 32]);
    __builtin_prefetch(&b->slots[((bh & 0xffffffffu) * b->n) >> 32]);
}

guint64 history_pairs_count(const HistoryPairs *p)
{
    return p->used;
}

gsize history_pairs_bytes(const HistoryPairs *p)
{
    gsize n = sizeof *p;
    for (guint i = 0; i < PAIR_PARTS; i++)
        n += (gsize)p->part[i].n * sizeof(PairSlot);
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
