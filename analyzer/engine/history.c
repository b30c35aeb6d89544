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

#define FIRST_FAR  G_MININT32 /* the time is in far */
#define PAIR_PARTS 256        /* tables, by the hash's top 8 bits */
#define PART_FIRST 64         /* a table's first slots */

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

/* ---- checkpoints (engine/checkpoint.h) ---- */

/* The accounts as they lie, up to the last one seen. */
void history_save(const History *h, CkptOut *o)
{
    guint32 n = h->n_acc;
    while (n && !h->acc[n - 1].n)
        n--;
    ckpt_u32(o, n);
    ckpt_put(o, h->acc, (gsize)n * sizeof *h->acc);
}

gboolean history_load(History *h, CkptIn *in)
{
    guint32 n = ckpt_count(in, sizeof(HistoryAccount));
    if (n) {
        account_at(h, (n - 1) * h->div);
        ckpt_get(in, h->acc, (gsize)n * sizeof *h->acc);
    }
    return !in->bad;
}

static gint cmp_u64(gconstpointer a, gconstpointer b)
{
    guint64 x = *(const guint64 *)a, y = *(const guint64 *)b;
    return (x > y) - (x < y);
}

/* Each table's size and its pairs with their slots, so that loading
 * places each where it was (no probing), then the far times by key. */
void history_pairs_save(const HistoryPairs *p, CkptOut *o)
{
    ckpt_i64(o, (gint64)p->used);
    ckpt_i64(o, p->base);
    for (guint t = 0; t < PAIR_PARTS; t++) {
        const PairPart *part = &p->part[t];
        ckpt_u32(o, part->n);
        ckpt_u32(o, part->used);
        for (guint32 i = 0; i < part->n; i++)
            if (part->slots[i].key) {
                ckpt_u32(o, i);
                ckpt_put(o, &part->slots[i], sizeof part->slots[i]);
            }
    }
    g_autoptr(GArray) far = g_array_new(FALSE, FALSE, sizeof(guint64));
    if (p->far) {
        GHashTableIter it;
        gpointer k;
        g_hash_table_iter_init(&it, p->far);
        while (g_hash_table_iter_next(&it, &k, NULL))
            g_array_append_val(far, *(const guint64 *)k);
        g_array_sort(far, cmp_u64);
    }
    ckpt_u32(o, far->len);
    for (guint i = 0; i < far->len; i++) {
        guint64 key = g_array_index(far, guint64, i);
        ckpt_i64(o, (gint64)key);
        ckpt_i64(o, *(const gint64 *)g_hash_table_lookup(p->far, &key));
    }
}

gboolean history_pairs_load(HistoryPairs *p, CkptIn *in)
{
    gint64 used = ckpt_get_i64(in);
    p->base = ckpt_get_i64(in);
    guint64 total = 0;
    for (guint t = 0; t < PAIR_PARTS && !in->bad; t++) {
        PairPart *part = &p->part[t];
        guint32 n = ckpt_get_u32(in), u = ckpt_get_u32(in);
        if (n < PART_FIRST || (guint64)u * 4 > (guint64)n * 3 ||
            (guint64)u > (in->n - in->at) / (4 + sizeof(PairSlot)))
            return ckpt_fail(in, "a history pair table has a size it cannot have");
        hugemem_free(part->slots, (gsize)part->n * sizeof(PairSlot));
        part->slots = hugemem_alloc((gsize)n * sizeof(PairSlot)); /* zeroed */
        part->n = n;
        part->used = u;
        for (guint32 k = 0; k < u && !in->bad; k++) {
            guint32 at = ckpt_get_u32(in);
            PairSlot s;
            if (!ckpt_get(in, &s, sizeof s))
                break;
            if (at >= n || !s.key || part->slots[at].key)
                return ckpt_fail(in, "a history pair is out of its table");
            part->slots[at] = s;
        }
        total += u;
    }
    if (!in->bad && (used < 0 || (guint64)used != total))
        return ckpt_fail(in, "the history's pair count is not its tables'");
    p->used = total;
    guint32 n_far = ckpt_count(in, 16);
    for (guint32 i = 0; i < n_far && !in->bad; i++) {
        gint64 *kv = g_new(gint64, 2);
        kv[0] = ckpt_get_i64(in);
        kv[1] = ckpt_get_i64(in);
        if (!p->far)
            p->far = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
        g_hash_table_replace(p->far, kv, kv + 1);
    }
    return !in->bad;
}
