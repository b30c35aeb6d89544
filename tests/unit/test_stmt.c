/* test_stmt.c: statement sniffing, decimals, the code table and the
 * payments-seen set (read/stmt.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "read/stmt.h"

Test(stmt, sniff_by_content)
{
    const char camt[] = "<?xml version=\"1.0\"?>\n<Document "
                        "xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">";
    const char n54[] = "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.02\">";
    const char mt[] = ":20:STARTUMS\n:25:12345678/1020304050\n";
    const char csv[] = "tx_id,ts,from_account\n";
    cr_assert_eq(stmt_sniff(camt, strlen(camt)), STMT_CAMT053);
    cr_assert_eq(stmt_sniff(n54, strlen(n54)), STMT_CAMT054);
    cr_assert_eq(stmt_sniff(mt, strlen(mt)), STMT_MT940);
    cr_assert_eq(stmt_sniff("{1:F01BANK}", 11), STMT_MT940);
    cr_assert_eq(stmt_sniff("<report>", 8), STMT_GOAML);
    cr_assert_eq(stmt_sniff("<rss version=\"2.0\">", 19), STMT_XML_OTHER);
    cr_assert_eq(stmt_sniff(csv, strlen(csv)), STMT_NONE);
}

Test(stmt, decimals)
{
    gint64 v;
    char buf[32];
    cr_assert(stmt_parse_decimal("1234,56", &v));
    cr_assert_eq(v, 12345600);
    cr_assert(stmt_parse_decimal("0.5", &v));
    cr_assert_str_eq(stmt_format_decimal(v, buf), "0.50");
    cr_assert_str_eq(stmt_format_decimal(-12345600, buf), "-1234.56");
    cr_assert_not(stmt_parse_decimal("12a", &v));
    cr_assert_not(stmt_parse_decimal("1,2,3", &v));
}

Test(stmt, code_channels)
{
    cr_assert_str_eq(stmt_code_channel("iso", "PMNT/CNTR/CDPT"), "cash_deposit");
    cr_assert_str_eq(stmt_code_channel("iso", "PMNT/CCRD/POSD"), "card");
    cr_assert_str_eq(stmt_code_channel("iso", "PMNT/RCDT/XBCT"), "wire_international");
    cr_assert_str_eq(stmt_code_channel("iso", "PMNT/RCDT/ESCT"), "transfer");
    cr_assert_str_eq(stmt_code_channel("gvc", "082"), "cash_deposit");
    cr_assert_str_eq(stmt_code_channel("swift", "NCHK"), "cheque");
    cr_assert_null(stmt_code_channel("iso", "LDAS/CSLN/DDWN"));
}

/* The C table is the schema file's rows, in order. */
Test(stmt, code_table_matches_schema)
{
    g_autofree char *text = NULL;
    cr_assert(g_file_get_contents("schema/bank-codes.tsv", &text, NULL, NULL));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    guint n, i = 0;
    const StmtCode *rows = stmt_codes(&n);
    for (char **l = lines; *l; l++) {
        if (**l == '#' || **l == 0)
            continue;
        g_auto(GStrv) f = g_strsplit(*l, "\t", 4);
        cr_assert_lt(i, n);
        cr_assert_str_eq(rows[i].scheme, f[0]);
        cr_assert_str_eq(rows[i].code, f[1]);
        cr_assert_str_eq(rows[i].channel, f[2]);
        i++;
    }
    cr_assert_eq(i, n);
}

Test(stmt, seen_set)
{
    StmtSeen *s = stmt_seen_new();
    for (guint64 k = 1; k <= 5000; k++)
        cr_assert(stmt_seen_add(s, k * 7919));
    cr_assert_not(stmt_seen_add(s, 7919));
    cr_assert_not(stmt_seen_add(s, 5000 * 7919));
    cr_assert(stmt_seen_add(s, 1));
    stmt_seen_free(s);
}
