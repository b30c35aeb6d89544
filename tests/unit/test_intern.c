/* Tests of intern.c: dense ids, lookups by (bytes, length), growth. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "base/intern.h"

Test(intern, dense_ids_and_strings)
{
    g_autoptr(Intern) in = intern_new();
    cr_expect_eq(intern_add(in, "alice", 5), 1);
    cr_expect_eq(intern_add(in, "bob", 3), 2);
    cr_expect_eq(intern_add(in, "alice", 5), 1);
    cr_expect_eq(intern_add(in, "", 0), 0);
    cr_expect_eq(intern_count(in), 2);
    cr_expect_str_eq(intern_str(in, 1), "alice");
    cr_expect_str_eq(intern_str(in, 2), "bob");
    cr_expect_str_eq(intern_str(in, 0), "");
    cr_expect_str_eq(intern_str(in, 99), "");
}

Test(intern, keys_are_bytes_and_length)
{
    g_autoptr(Intern) in = intern_new();
    const char *row = "010:8000EBD30,010:8000EBD31";
    guint32 a = intern_add(in, row, 13);
    guint32 b = intern_add(in, row + 14, 13);
    cr_expect_neq(a, b);
    cr_expect_eq(intern_lookup(in, "010:8000EBD30", 13), a);
    cr_expect_eq(intern_lookup(in, "010:8000EBD3", 12), 0);
    cr_expect_eq(intern_lookup(in, "nobody", 6), 0);
    cr_expect_str_eq(intern_str(in, a), "010:8000EBD30");
}

Test(intern, long_strings)
{
    g_autoptr(Intern) in = intern_new();
    const char *a = "DE89370400440532013000:with-a-long-suffix-1";
    const char *b = "DE89370400440532013000:with-a-long-suffix-2";
    guint32 ia = intern_add(in, a, strlen(a));
    guint32 ib = intern_add(in, b, strlen(b));
    cr_expect_eq(ia, 1);
    cr_expect_eq(ib, 2);
    cr_expect_eq(intern_lookup(in, a, strlen(a)), 1);
    cr_expect_eq(intern_lookup(in, b, strlen(b)), 2);
    cr_expect_str_eq(intern_str(in, 2), b);
}

Test(intern, grows_past_many_strings)
{
    g_autoptr(Intern) in = intern_new();
    char buf[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(buf, sizeof buf, "ACC%06d", i);
        cr_assert_eq(intern_add(in, buf, (size_t)n), (guint32)i + 1);
    }
    cr_expect_eq(intern_count(in), 100000);
    cr_expect_eq(intern_lookup(in, "ACC000000", 9), 1);
    cr_expect_eq(intern_lookup(in, "ACC099999", 9), 100000);
    cr_expect_str_eq(intern_str(in, 54321), "ACC054320");
}
