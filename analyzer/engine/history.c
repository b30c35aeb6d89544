/* history.c: the accounts' and pairs' lifetime record (see history.h).
 *
 * Accounts: an array indexed by the dense account id, grown by doubling.
 * Pairs: open addressing with linear probing on the 64-bit key
 * from << 32 | to (neither 0), kept at most half full, so a look-up reads
 * one or two slots. Nothing is ever removed: a pair seen once is known for
 * the rest of the scan. */
#include "engine/history.h"

#include <string.h>

#include "base/hugemem.h"

typedef struct {
    guint64 key; /* from << 32 | to; 0 = empty */
    gint64 first_ts;
    guint32 n;
} PairSlot;

struct History {
    HistoryAccount *acc;
    guint32 n_acc; /* entries of acc */
    PairSlot *pairs;
    guint64 mask; /* slots - 1, a power of two minus one */
    guint64 used;
};

#define PAIRS_FIRST 1024

static const HistoryAccount unseen = {0};

History *history_new(void)
{
    History *h = g_new0(History, 1);
    h->mask = PAIRS_FIRST - 1;
    h->pairs = g_new0(PairSlot, PAIRS_FIRST);
    return h;
}

void history_free(History *h)
{
    if (!h)
        return;
    hugemem_free(h->acc, (gsize)h->n_acc * sizeof *h->acc);
    g_free(h->pairs);
    g_free(h);
}

const HistoryAccount *history_account(const History *h, guint32 a)
{
    return a && a < h->n_acc ? &h->acc[a] : &unseen;
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
static PairSlot *pair_slot(const History *h, guint64 key)
{
    guint64 i = mix(key) & h->mask;
    while (h->pairs[i].key && h->pairs[i].key != key)
        i = (i + 1) & h->mask;
    return &h->pairs[i];
}

HistoryPair history_pair(const History *h, guint32 from, guint32 to)
{
    HistoryPair p = {0};
    if (!from || !to)
        return p;
    const PairSlot *s = pair_slot(h, (guint64)from << 32 | to);
    if (s->key) {
        p.n = s->n;
        p.first_ts = s->first_ts;
    }
    return p;
}

static void pairs_grow(History *h)
{
    PairSlot *old = h->pairs;
    guint64 n_old = h->mask + 1;
    h->mask = n_old * 2 - 1;
    h->pairs = g_new0(PairSlot, n_old * 2);
    for (guint64 i = 0; i < n_old; i++)
        if (old[i].key)
            *pair_slot(h, old[i].key) = old[i];
    g_free(old);
}

static HistoryAccount *account_at(History *h, guint32 a)
{
    if (a >= h->n_acc) {
        guint32 n = MAX(h->n_acc, 1024u);
        while (n <= a)
            n *= 2;
        h->acc = hugemem_grow(h->acc, (gsize)h->n_acc * sizeof *h->acc, (gsize)n * sizeof *h->acc);
        memset(h->acc + h->n_acc, 0, (gsize)(n - h->n_acc) * sizeof *h->acc);
        h->n_acc = n;
    }
    return &h->acc[a];
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

void history_add(History *h, const TxnCore *t, gboolean from, gboolean to)
{
    if (from)
        account_add(h, t->from, t->ts);
    if (to && t->to != t->from)
        account_add(h, t->to, t->ts);
    if (!t->from || !t->to || t->from == t->to || !(from || to))
        return;
    if ((h->used + 1) * 2 > h->mask + 1)
        pairs_grow(h);
    guint64 key = (guint64)t->from << 32 | t->to;
    PairSlot *s = pair_slot(h, key);
    if (!s->key) {
        s->key = key;
        s->first_ts = t->ts;
        h->used++;
        if (from)
            account_at(h, t->from)->cp_out++;
        if (to)
            account_at(h, t->to)->cp_in++;
    } else {
        if (t->ts < s->first_ts)
            s->first_ts = t->ts;
        if (s->n == 1 && from)
            account_at(h, t->from)->rec_out++;
        if (s->n == 1 && to)
            account_at(h, t->to)->rec_in++;
    }
    if (s->n < G_MAXUINT32)
        s->n++;
}

gsize history_bytes(const History *h)
{
    return sizeof *h + (gsize)h->n_acc * sizeof *h->acc + (gsize)(h->mask + 1) * sizeof(PairSlot);
}

/* ---- checkpoints (engine/checkpoint.h) ---- */

/* The accounts as they lie, up to the last one seen; the pairs with their
 * slots, so that loading places each where it was (no probing). */
void history_save(const History *h, CkptOut *o)
{
    guint32 n = h->n_acc;
    while (n && !h->acc[n - 1].n)
        n--;
    ckpt_u32(o, n);
    ckpt_put(o, h->acc, (gsize)n * sizeof *h->acc);
    ckpt_i64(o, (gint64)(h->mask + 1));
    ckpt_i64(o, (gint64)h->used);
    for (guint64 i = 0; i <= h->mask; i++) {
        const PairSlot *s = &h->pairs[i];
        if (s->key) {
            ckpt_i64(o, (gint64)i);
            ckpt_i64(o, (gint64)s->key);
            ckpt_i64(o, s->first_ts);
            ckpt_u32(o, s->n);
        }
    }
}

gboolean history_load(History *h, CkptIn *in)
{
    guint32 n = ckpt_count(in, sizeof(HistoryAccount));
    if (n) {
        account_at(h, n - 1);
        ckpt_get(in, h->acc, (gsize)n * sizeof *h->acc);
    }
    gint64 slots = ckpt_get_i64(in), used = ckpt_get_i64(in);
    if (slots < PAIRS_FIRST || (slots & (slots - 1)) || used < 0 || used * 2 > slots ||
        (guint64)used > (in->n - in->at) / 28)
        return ckpt_fail(in, "the history's pair table has a size it cannot have");
    g_free(h->pairs);
    h->pairs = g_new0(PairSlot, (gsize)slots);
    h->mask = (guint64)slots - 1;
    h->used = (guint64)used;
    for (gint64 i = 0; i < used && !in->bad; i++) {
        guint64 at = (guint64)ckpt_get_i64(in);
        PairSlot s = {0};
        s.key = (guint64)ckpt_get_i64(in);
        s.first_ts = ckpt_get_i64(in);
        s.n = ckpt_get_u32(in);
        if (at > h->mask || !s.key || h->pairs[at].key)
            return ckpt_fail(in, "a history pair is out of its table");
        h->pairs[at] = s;
    }
    return !in->bad;
}
