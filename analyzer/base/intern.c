/* intern.c: string interning into dense ids, on the hot path of every row.
 *
 * An open-addressing table (linear probing, power-of-two size, at most half
 * full) of 32-byte slots {hash, id, length, first bytes}: a string of up to
 * INTERN_INLINE bytes (most account ids) is compared inside its slot, so a
 * lookup in a table far bigger than the cache costs one miss; longer
 * strings are compared in the arena. Every string is also copied into a
 * chunked arena owned by the table, NUL-terminated and preceded by its
 * length (a guint32), and reached by id through a dense array. Looking up
 * a known string allocates nothing.
 * Ids are never freed: the table lives as long as the run. */
#include "base/intern.h"

#include "base/hugemem.h"

#include <string.h>

#define INTERN_CHUNK_BYTES (256 * 1024)
#define INTERN_MIN_SLOTS   1024

#define INTERN_INLINE 23
#define INTERN_LONG   0xFF /* len of a slot whose string is longer than INTERN_INLINE */

typedef struct {
    guint32 hash;
    guint32 id; /* 0 = empty */
    guint8 len; /* length, or INTERN_LONG */
    char bytes[INTERN_INLINE];
} InternSlot;

struct Intern {
    InternSlot *slots;
    guint32 mask;         /* slots - 1 */
    guint32 count;        /* ids handed out */
    const char **entries; /* by id, entries[0] = "" */
    guint32 entries_cap;
    GPtrArray *chunks; /* arena chunks, owned */
    char *arena;       /* free space of the current chunk */
    size_t arena_left;
};

Intern *intern_new(void)
{
    Intern *in = g_new0(Intern, 1);
    in->slots = hugemem_alloc(INTERN_MIN_SLOTS * sizeof(InternSlot));
    in->mask = INTERN_MIN_SLOTS - 1;
    in->entries_cap = INTERN_MIN_SLOTS / 2;
    in->entries = g_new0(const char *, in->entries_cap);
    in->entries[0] = "";
    in->chunks = g_ptr_array_new_with_free_func(g_free);
    return in;
}

void intern_free(Intern *in)
{
    if (!in)
        return;
    hugemem_free(in->slots, ((gsize)in->mask + 1) * sizeof(InternSlot));
    g_free(in->entries);
    g_ptr_array_free(in->chunks, TRUE);
    g_free(in);
}

static inline guint64 intern_load64(const char *p)
{
    guint64 w;
    memcpy(&w, p, 8);
    return w;
}

static inline guint64 intern_mix(guint64 h, guint64 w)
{
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

/* A fast multiplicative hash, good enough for ids and city names; the
 * table never depends on it for correctness. */
static inline guint32 intern_hash(const char *s, size_t n)
{
    guint64 h = 0xCBF29CE484222325ULL ^ (n * 0xFF51AFD7ED558CCDULL);
    while (n >= 8) {
        h = intern_mix(h, intern_load64(s));
        s += 8;
        n -= 8;
    }
    if (n) {
        guint64 w = 0;
        memcpy(&w, s, n);
        h = intern_mix(h, w ^ 0xA5);
    }
    h *= 0xC4CEB9FE1A85EC53ULL;
    return (guint32)(h >> 32) ^ (guint32)h;
}

static inline guint32 intern_len(const char *str)
{
    guint32 len;
    memcpy(&len, str - sizeof len, sizeof len);
    return len;
}

static inline gboolean intern_slot_equal(const Intern *in, const InternSlot *sl, const char *s,
                                         size_t n)
{
    if (n <= INTERN_INLINE)
        return sl->len == n && memcmp(sl->bytes, s, n) == 0;
    const char *str = in->entries[sl->id];
    return sl->len == INTERN_LONG && intern_len(str) == n && memcmp(str, s, n) == 0;
}

/* Index of the slot holding s, or of the empty slot where it would go. */
static inline guint32 intern_find(const Intern *in, guint32 hash, const char *s, size_t n)
{
    guint32 i = hash & in->mask;
    for (;;) {
        const InternSlot *sl = &in->slots[i];
        if (sl->id == 0)
            return i;
        if (sl->hash == hash && intern_slot_equal(in, sl, s, n))
            return i;
        i = (i + 1) & in->mask;
    }
}

static void intern_grow_slots(Intern *in)
{
    guint32 old_size = in->mask + 1;
    InternSlot *old = in->slots;
    in->slots = hugemem_alloc((gsize)old_size * 2 * sizeof(InternSlot));
    in->mask = old_size * 2 - 1;
    for (guint32 i = 0; i < old_size; i++) {
        if (old[i].id == 0)
            continue;
        guint32 j = old[i].hash & in->mask;
        while (in->slots[j].id)
            j = (j + 1) & in->mask;
        in->slots[j] = old[i];
    }
    hugemem_free(old, (gsize)old_size * sizeof(InternSlot));
}

/* Copies the length, n bytes and a NUL into the arena (4-byte aligned);
 * the copy lives as long as in. Returns the string. */
static const char *intern_copy(Intern *in, const char *s, size_t n)
{
    guint32 len = (guint32)n;
    size_t need = (sizeof len + n + 1 + 3) & ~(size_t)3;
    if (in->arena_left < need) {
        size_t size = MAX((size_t)INTERN_CHUNK_BYTES, need);
        in->arena = g_malloc(size);
        in->arena_left = size;
        g_ptr_array_add(in->chunks, in->arena);
    }
    char *dst = in->arena + sizeof len;
    memcpy(in->arena, &len, sizeof len);
    memcpy(dst, s, n);
    dst[n] = '\0';
    in->arena += need;
    in->arena_left -= need;
    return dst;
}

static guint32 intern_insert(Intern *in, guint32 slot, guint32 hash, const char *s, size_t n)
{
    g_assert(n <= G_MAXUINT32 && in->count < G_MAXUINT32 - 1);
    guint32 id = ++in->count;
    if (id >= in->entries_cap) {
        in->entries_cap *= 2;
        in->entries = g_renew(const char *, in->entries, in->entries_cap);
    }
    in->entries[id] = intern_copy(in, s, n);
    InternSlot *sl = &in->slots[slot];
    sl->len = n <= INTERN_INLINE ? (guint8)n : INTERN_LONG;
    memcpy(sl->bytes, s, MIN(n, (size_t)INTERN_INLINE));
    in->slots[slot].hash = hash;
    in->slots[slot].id = id;
    if ((guint64)in->count * 2 > in->mask)
        intern_grow_slots(in);
    return id;
}

guint32 intern_add(Intern *in, const char *s, size_t n)
{
    return n ? intern_add_hashed(in, s, n, intern_hash(s, n)) : 0;
}

guint32 intern_prefetch(const Intern *in, const char *s, size_t n)
{
    guint32 hash = intern_hash(s, n);
    __builtin_prefetch(&in->slots[hash & in->mask]);
    return hash;
}

guint32 intern_add_hashed(Intern *in, const char *s, size_t n, guint32 hash)
{
    if (n == 0)
        return 0;
    guint32 slot = intern_find(in, hash, s, n);
    if (in->slots[slot].id)
        return in->slots[slot].id;
    return intern_insert(in, slot, hash, s, n);
}

guint32 intern_lookup(const Intern *in, const char *s, size_t n)
{
    if (n == 0)
        return 0;
    guint32 hash = intern_hash(s, n);
    return in->slots[intern_find(in, hash, s, n)].id;
}

const char *intern_str(const Intern *in, guint32 id)
{
    if (id == 0 || id > in->count)
        return "";
    return in->entries[id];
}

guint32 intern_count(const Intern *in)
{
    return in->count;
}

gsize intern_bytes(const Intern *in)
{
    gsize bytes =
        ((gsize)in->mask + 1) * sizeof(InternSlot) + in->entries_cap * sizeof *in->entries;
    return bytes + (gsize)in->chunks->len * INTERN_CHUNK_BYTES; /* a longer chunk is rare */
}
