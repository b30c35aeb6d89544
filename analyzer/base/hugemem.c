/* hugemem.c: big arrays on transparent huge pages (see hugemem.h).
 *
 * From HUGEMEM_PAGE bytes up, memory is mapped aligned to the huge page
 * size and marked MADV_HUGEPAGE: with the kernel's "madvise" setting (a
 * common default) that is what makes it use 2 MiB pages, which cut the
 * translation misses of random access across tens of megabytes. Where the
 * advice is refused the memory is ordinary pages; nothing else changes. */
#define _GNU_SOURCE /* mremap */
#include "base/hugemem.h"

#include <string.h>
#include <sys/mman.h>

#define HUGEMEM_PAGE ((gsize)2 << 20)

static gsize rounded(gsize size)
{
    return (size + HUGEMEM_PAGE - 1) & ~(HUGEMEM_PAGE - 1);
}

void *hugemem_alloc(gsize size)
{
    if (size < HUGEMEM_PAGE)
        return g_aligned_alloc0(1, MAX(size, 1), 64);
    gsize len = rounded(size);
    guint8 *map =
        mmap(NULL, len + HUGEMEM_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED)
        g_error("out of memory: %" G_GSIZE_FORMAT " bytes", len);
    /* keep the aligned part only */
    guint8 *p = (guint8 *)(((guintptr)map + HUGEMEM_PAGE - 1) & ~(guintptr)(HUGEMEM_PAGE - 1));
    if (p > map)
        munmap(map, (gsize)(p - map));
    munmap(p + len, (gsize)(map + HUGEMEM_PAGE - p));
    madvise(p, len, MADV_HUGEPAGE);
    return p;
}

void hugemem_free(void *p, gsize size)
{
    if (!p)
        return;
    if (size < HUGEMEM_PAGE)
        g_aligned_free(p);
    else
        munmap(p, rounded(size));
}

void *hugemem_grow(void *old, gsize old_size, gsize size)
{
    void *p = hugemem_alloc(size);
    if (old && old_size >= HUGEMEM_PAGE && size > old_size) {
        /* the old pages move into the start of the new, aligned place: no
         * copy, and no fresh pages to zero for what was there */
        if (mremap(old, rounded(old_size), rounded(size), MREMAP_MAYMOVE | MREMAP_FIXED, p) ==
            MAP_FAILED)
            g_error("out of memory: cannot move %" G_GSIZE_FORMAT " bytes", old_size);
        madvise(p, rounded(size), MADV_HUGEPAGE);
    } else if (old) {
        memcpy(p, old, MIN(old_size, size));
        hugemem_free(old, old_size);
    }
    return p;
}
