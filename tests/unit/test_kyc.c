/* Accounts side table: columns by name, shared identifiers counted per
 * customer, errors naming file, line and column. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "read/kyc.h"

static char *write_tmp(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("mt-kyc-XXXXXX.csv", &path, NULL);
    close(fd);
    g_file_set_contents(path, text, -1, NULL);
    return path;
}

Test(kyc, shared_identifiers_count_distinct_customers)
{
    g_autofree char *path = write_tmp(
        "account_id,customer_id,kind,phone,address,declared_monthly_income,opening_hours\n"
        "A1,C1,person,555-1,Main St 1,2500.00,\n"
        "A2,C1,person,555-1,Main St 1,,\n"
        "A3,C2,person,555-1,Main St 1,,\n"
        "A4,C3,person,555-2,Main St 1,,\n"
        "B1,C9,business,,,,09:00-18:00\n");
    Intern *acc = intern_new(), *loc = intern_new();
    GError *err = NULL;
    Kyc *k = kyc_load(path, acc, loc, &err);
    cr_assert_not_null(k, "%s", err ? err->message : "");
    const KycRecord *a1 = kyc_get(k, intern_lookup(acc, "A1", 2));
    cr_expect_eq(a1->shared_phone, 2);   /* C1 (twice) and C2 */
    cr_expect_eq(a1->shared_address, 3); /* C1, C2, C3 */
    cr_expect_eq(a1->income, 250000);
    cr_expect_eq(a1->kind, KYC_KIND_PERSON);
    const KycRecord *b1 = kyc_get(k, intern_lookup(acc, "B1", 2));
    cr_expect_eq(b1->open_min, 9 * 60);
    cr_expect_eq(b1->close_min, 18 * 60);
    cr_expect_eq(b1->shared_phone, 0);
    cr_expect_eq(kyc_count(k), 5);
    cr_expect_eq(kyc_get(k, 9999)->known, FALSE);
    GArray *linked = g_array_new(FALSE, FALSE, sizeof(guint32));
    kyc_linked_accounts(k, intern_lookup(acc, "A1", 2), linked);
    cr_expect_gt(linked->len, 0); /* A3 by phone and address, A4 by address */
    g_array_unref(linked);
    kyc_free(k);
    intern_free(acc);
    intern_free(loc);
    g_unlink(path);
}

Test(kyc, a_bad_value_names_file_line_and_column)
{
    g_autofree char *path =
        write_tmp("account_id,kind,opening_hours\nA1,person,\nA2,business,9 to 5\n");
    Intern *acc = intern_new(), *loc = intern_new();
    GError *err = NULL;
    Kyc *k = kyc_load(path, acc, loc, &err);
    cr_assert_null(k);
    g_autofree char *want =
        g_strdup_printf("%s:3: column 3 (opening_hours): not opening hours like 09:00-18:00", path);
    cr_expect_str_eq(err->message, want);
    g_error_free(err);
    intern_free(acc);
    intern_free(loc);
    g_unlink(path);
}
