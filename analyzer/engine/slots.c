/* slots.c: the accounts' slot table, rows of bits and packed blocks (slots.h). */
#include "engine/slots.h"

#include <string.h>

#include "base/hugemem.h"

void slot_table_init(SlotTable *t, guint places)
{
    memset(t, 0, sizeof *t);
    t->bw = MAX(1u, (places + 63) / 64);
    t->stride = 1 + t->bw;
    t->used = 2; /* offset 0 means none */
}

void slot_table_clear(SlotTable *t)
{
    hugemem_free(t->rows, (gsize)t->n * t->stride * sizeof(guint64));
    hugemem_free(t->blk, t->cap * sizeof(guint32));
    for (guint c = 0; c < G_N_ELEMENTS(t->spare); c++)
        if (t->spare[c])
            g_array_free(t->spare[c], TRUE);
    memset(t, 0, sizeof *t);
}

gsize slot_table_bytes(const SlotTable *t)
{
    return (gsize)t->n * t->stride * sizeof(guint64) + t->cap * sizeof(guint32);
}

SlotRow *slot_row(SlotTable *t, guint32 i)
{
    if (i >= t->n) {
        guint n = MAX(i + 1, t->n * 2);
        gsize row = t->stride * sizeof(guint64);
        t->rows = hugemem_grow(t->rows, (gsize)t->n * row, (gsize)n * row);
        t->n = n;
    }
    return (SlotRow *)(t->rows + (gsize)i * t->stride);
}

/* The size class of a block of n slots: 2 << class slots. */
static guint size_class(guint n)
{
    guint c = 0;
    while ((2u << c) < n)
        c++;
    return c;
}

/* A block of 2 << c slots: a spare one or a new one at the end. */
static guint32 block_new(SlotTable *t, guint c)
{
    GArray *sp = t->spare[c];
    if (sp && sp->len) {
        guint32 at = g_array_index(sp, guint32, sp->len - 1);
        g_array_set_size(sp, sp->len - 1);
        return at;
    }
    gsize need = t->used + (2u << c);
    if (need > G_MAXUINT32)
        g_error("slots: more than 2^32 account slots");
    if (need > t->cap) {
        gsize cap = MAX(need, t->cap + t->cap / 2);
        cap = MAX(cap, 4096);
        t->blk = hugemem_grow(t->blk, t->cap * sizeof(guint32), cap * sizeof(guint32));
        t->cap = cap;
    }
    guint32 at = (guint32)t->used;
    t->used = need;
    return at;
}

static void block_free(SlotTable *t, guint32 at, guint c)
{
    if (!t->spare[c])
        t->spare[c] = g_array_new(FALSE, FALSE, sizeof(guint32));
    g_array_append_val(t->spare[c], at);
}

void slot_set(SlotTable *t, SlotRow *r, guint k, guint32 slot)
{
    guint w = k / 64, n = 0, before = 0;
    guint64 bit = 1ULL << (k % 64);
    for (guint i = 0; i < t->bw; i++) {
        guint c = (guint)__builtin_popcountll(r->bits[i]);
        n += c;
        before += i < w ? c : 0;
    }
    before += (guint)__builtin_popcountll(r->bits[w] & (bit - 1));
    if (r->bits[w] & bit) {
        t->blk[r->blk + before] = slot;
        return;
    }
    if (!r->blk) {
        r->blk = block_new(t, 0);
    } else if (n == (2u << size_class(n))) { /* full: the next size */
        guint c = size_class(n);
        guint32 at = block_new(t, c + 1);
        memcpy(t->blk + at, t->blk + r->blk, n * sizeof(guint32));
        block_free(t, r->blk, c);
        r->blk = at;
    }
    guint32 *s = t->blk + r->blk;
    memmove(s + before + 1, s + before, (n - before) * sizeof *s);
    s[before] = slot;
    r->bits[w] |= bit;
}
