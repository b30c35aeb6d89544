/* slots.h: an engine's table of accounts' slots, a slot for each rule
 * whose filter the account passed: 1 + the index of its window in the
 * rule's pool (0 = released).
 *
 * Most accounts pass few of the rules, so a row holds no slot for every
 * rule: it holds the index of the account's prefilter bits (engine.c), a
 * bit for each rule the account has a slot of, and where its block is,
 * the slots of those rules packed in rule order (2, 4, 8... of them, the
 * next size when one more is needed; a released slot keeps its place).
 * A rule's slot is found by counting the row's bits before its own. */
#ifndef MT_SLOTS_H
#define MT_SLOTS_H

#include <glib.h>

typedef struct {
    guint32 mask;   /* the account's prefilter bits: 1 + index, 0 = not yet */
    guint32 blk;    /* its block in SlotTable.blk, 0 = none */
    guint64 bits[]; /* bit k: rule place k has a slot in the block */
} SlotRow;

typedef struct {
    guint64 *rows;   /* n rows of stride words */
    guint n, stride; /* rows made; guint64 words a row */
    guint bw;        /* words of bits a row */
    guint32 *blk;    /* the blocks: cap words, used of them */
    gsize cap, used;
    GArray *spare[32]; /* by size 2 << c: guint32 offsets of blocks free */
} SlotTable;

/* An empty table for rule places 0 to places - 1. */
void slot_table_init(SlotTable *t, guint places);
void slot_table_clear(SlotTable *t);
/* The bytes of its rows and blocks. */
gsize slot_table_bytes(const SlotTable *t);
/* Row i, made (zero) with the rows before it if new; rows made later may
 * move it. */
SlotRow *slot_row(SlotTable *t, guint32 i);
/* Sets the slot of rule place k in row r, making its place if new. */
void slot_set(SlotTable *t, SlotRow *r, guint k, guint32 slot);

/* Row i if it was made, else NULL (reading only). */
static inline SlotRow *slot_row_made(const SlotTable *t, guint32 i)
{
    return i < t->n ? (SlotRow *)(t->rows + (gsize)i * t->stride) : NULL;
}

/* The slot of rule place k in row r, 0 = none. */
static inline guint32 slot_get(const SlotTable *t, const SlotRow *r, guint k)
{
    guint w = k / 64;
    guint64 below = r->bits[w] & ((2ULL << (k % 64)) - 1);
    if (!(below >> (k % 64)))
        return 0;
    guint n = (guint)__builtin_popcountll(below) - 1;
    for (guint i = 0; i < w; i++)
        n += (guint)__builtin_popcountll(r->bits[i]);
    return t->blk[r->blk + n];
}

#endif
