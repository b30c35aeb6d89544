/* hugemem.h: big arrays that are read at random (window pools, the slot
 * table, transaction records, the graph), on transparent huge pages where
 * the system offers them on request, so that a random access costs fewer
 * address-translation misses. Small sizes use plain allocation. */
#ifndef MT_HUGEMEM_H
#define MT_HUGEMEM_H

#include <glib.h>

/* size zeroed bytes, aligned to a cache line at least; freed with
 * hugemem_free and the same size. */
void *hugemem_alloc(gsize size);
void hugemem_free(void *p, gsize size);
/* Moves old (old_size bytes, or NULL) into size zeroed bytes and frees it:
 * a mapping's pages are moved (mremap), not copied, so that growing a big
 * table neither copies it nor zeroes fresh pages for what it held. */
void *hugemem_grow(void *old, gsize old_size, gsize size);

#endif
