/* test_stmt_parties.c: account holders from statement headers and goAML
 * parties as the accounts (KYC) side table (read/stmt_parties.c), so that
 * the shared-identifier counts work on that input. */
#include <criterion/criterion.h>
#include <string.h>

#include "read/kyc.h"
#include "read/stmt.h"

/* Every record the holders source of path gives, one per line. Caller frees. */
static char *records(const char *path)
{
    Source *src = NULL;
    GError *err = NULL;
    cr_assert(stmt_parties_open(path, &src, &err), "%s", err ? err->message : "");
    cr_assert_not_null(src);
    GString *out = g_string_new(NULL);
    SourceRecord rec;
    SourceStatus st;
    while ((st = source_next(src, &rec, &err)) == SOURCE_RECORD)
        g_string_append_printf(out, "%.*s\n", (int)rec.len, rec.data);
    cr_assert_eq(st, SOURCE_END, "%s", err ? err->message : "");
    source_free(src);
    return g_string_free(out, FALSE);
}

Test(stmt_parties, goaml_parties_once_each)
{
    g_autofree char *r = records("tests/data/statements/str-shared-phone.xml");
    cr_assert_str_eq(
        r,
        "account_id,customer_id,kind,name,birth_date,country,city,address,phone,email,occupation\n"
        "GB-EMP,,business,Factory Ltd,,GB,,,,,\n"
        "GB-1,CL-1,person,Ion Popescu,1990-04-02,RO,Bucharest,Strada Mare 1,+40 721 000 111,,\n"
        "GB-2,CL-2,person,Vasile Ionescu,1992-07-15,RO,Bucharest,Strada Mare 1,+40 721 000 111,,\n"
        "GB-3,CL-3,person,Mihai Dumitru,1995-01-30,RO,Iasi,Strada Noua 9,+40 721 000 111,,\n");
}

Test(stmt_parties, camt_statement_owner)
{
    g_autofree char *r = records("tests/data/statements/bank-a.camt053.xml");
    cr_assert_str_eq(r, "account_id,customer_id,kind,name,birth_date,country,city,address,phone,"
                        "email,occupation\n"
                        "DE89370400440532013000,,,Anna Muster,,,,,,,\n");
}

Test(stmt_parties, goaml_report_as_kyc_table_counts_shared_phone)
{
    Intern *acc = intern_new(), *loc = intern_new();
    GError *err = NULL;
    Kyc *k = kyc_load("tests/data/statements/str-shared-phone.xml", acc, loc, &err);
    cr_assert_not_null(k, "%s", err ? err->message : "");
    cr_expect_eq(kyc_count(k), 4);
    const KycRecord *w = kyc_get(k, intern_lookup(acc, "GB-1", 4));
    cr_expect_eq(w->kind, KYC_KIND_PERSON);
    cr_expect_eq(w->shared_phone, 3);   /* CL-1, CL-2, CL-3 */
    cr_expect_eq(w->shared_address, 2); /* CL-1, CL-2 at Strada Mare 1 */
    cr_expect_eq(kyc_get(k, intern_lookup(acc, "GB-EMP", 6))->kind, KYC_KIND_BUSINESS);
    kyc_free(k);
    intern_free(acc);
    intern_free(loc);
}

Test(stmt_parties, mt940_names_no_holder)
{
    Source *src = NULL;
    GError *err = NULL;
    cr_assert_not(stmt_parties_open("tests/data/statements/bank-b.mt940", &src, &err));
    cr_assert_str_eq(err->message, "tests/data/statements/bank-b.mt940: an MT940 statement names "
                                   "no account holder: give the accounts as CSV "
                                   "(schema/transactions.md) or as camt.053 or goAML");
    g_error_free(err);
}
