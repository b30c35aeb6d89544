/* Big arrays: what grows keeps its bytes and gains zeroes, whether it is
 * copied (from a small block) or its pages are moved (from a mapping). */
#include <criterion/criterion.h>

#include "base/hugemem.h"

#define MIB ((gsize)1 << 20)

/* Fills n bytes with a pattern of their offsets. */
static void fill(guint8 *p, gsize n)
{
    for (gsize i = 0; i < n; i++)
        p[i] = (guint8)(i * 7 + 1);
}

/* Are the first n bytes the pattern, and the rest up to size zero? */
static gboolean kept(const guint8 *p, gsize n, gsize size)
{
    for (gsize i = 0; i < n; i++)
        if (p[i] != (guint8)(i * 7 + 1))
            return FALSE;
    for (gsize i = n; i < size; i++)
        if (p[i])
            return FALSE;
    return TRUE;
}

Test(hugemem, growing_keeps_the_bytes_and_adds_zeroes)
{
    guint8 *p = hugemem_grow(NULL, 0, 1000); /* a small block */
    cr_assert_eq((guintptr)p % 64, 0);
    cr_assert(kept(p, 0, 1000));
    fill(p, 1000);
    p = hugemem_grow(p, 1000, 3 * MIB); /* copied into a mapping */
    cr_assert(kept(p, 1000, 3 * MIB));
    fill(p, 3 * MIB);
    p = hugemem_grow(p, 3 * MIB, 9 * MIB + 5); /* its pages moved */
    cr_assert_eq((guintptr)p % (2 * MIB), 0, "a mapping stays aligned to a huge page");
    cr_assert(kept(p, 3 * MIB, 9 * MIB + 5));
    fill(p, 9 * MIB + 5);
    p = hugemem_grow(p, 9 * MIB + 5, 20 * MIB); /* a size that was not whole pages */
    cr_assert(kept(p, 9 * MIB + 5, 20 * MIB));
    hugemem_free(p, 20 * MIB);
}
