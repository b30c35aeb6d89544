/* Tests of rowfile.c: a rows file written and read back (rows, the id
 * tables in their numbering, the two texts), and the files it refuses:
 * cut short, not a rows file, tables that do not fit. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

#include "read/kyc.h"
#include "read/rowfile.h"

static char *dir, *path;

static void setup(void)
{
    dir = g_dir_make_tmp("rowfile-XXXXXX", NULL);
    path = g_build_filename(dir, "rows", NULL);
}

static void teardown(void)
{
    g_unlink(path);
    g_autofree char *lock = g_build_filename(dir, ".rows.lock", NULL);
    g_unlink(lock);
    g_rmdir(dir);
    g_free(path);
    g_free(dir);
}

/* Writes two rows over accounts A1, A2 (and location L1), a graph text
 * and a meta text. */
static void write_file(void)
{
    g_autoptr(Intern) acc = intern_new();
    g_autoptr(Intern) loc = intern_new();
    Txn t = {0};
    t.core = (TxnCore){.ts = 1709284200,
                       .amount = 12345,
                       .from = intern_add(acc, "A1", 2),
                       .to = intern_add(acc, "A2", 2),
                       .location = intern_add(loc, "L1", 2),
                       .channel = CHANNEL_TRANSFER,
                       .currency_exp = 2};
    t.tx_id = (StrView){"tx-1", 4};
    t.memo = (StrView){"rent", 4};
    g_autoptr(GError) err = NULL;
    RowFileOut *w = rowfile_create(path, &err);
    cr_assert_not_null(w, "%s", err ? err->message : "");
    rowfile_put(w, &t);
    t.core.ts += 60;
    t.core.from = 0;
    t.tx_id = (StrView){"tx-2", 4};
    t.memo = (StrView){"", 0};
    rowfile_put(w, &t);
    rowfile_graph_text(w, "g1\n", 3);
    rowfile_graph_text(w, "g2\n", 3);
    cr_assert(rowfile_commit(w, acc, loc, "{\"meta\":1}", &err), "%s", err ? err->message : "");
}

TestSuite(rowfile, .init = setup, .fini = teardown);

Test(rowfile, rows_tables_and_texts_read_back)
{
    write_file();
    cr_assert(rowfile_is(path));
    g_autoptr(GError) err = NULL;
    g_autoptr(RowFile) r = rowfile_open(path, &err);
    cr_assert_not_null(r, "%s", err ? err->message : "");
    g_autoptr(Intern) acc = intern_new();
    g_autoptr(Intern) loc = intern_new();
    cr_assert(rowfile_tables(r, acc, loc, &err));
    cr_assert_eq(intern_count(acc), 2);
    cr_assert_str_eq(intern_str(acc, 2), "A2");
    cr_assert_str_eq(intern_str(loc, 1), "L1");
    Txn t;
    cr_assert_eq(rowfile_next(r, &t, &err), 1);
    cr_assert_eq(t.core.ts, 1709284200);
    cr_assert_eq(t.core.amount, 12345);
    cr_assert_eq(t.core.from, 1);
    cr_assert_eq(t.core.to, 2);
    cr_assert_eq(t.core.location, 1);
    cr_assert_eq(t.core.channel, CHANNEL_TRANSFER);
    cr_assert(t.tx_id.len == 4 && memcmp(t.tx_id.ptr, "tx-1", 4) == 0);
    cr_assert(t.memo.len == 4 && memcmp(t.memo.ptr, "rent", 4) == 0);
    cr_assert_eq(rowfile_next(r, &t, &err), 1);
    cr_assert_eq(t.core.ts, 1709284260);
    cr_assert_eq(t.core.from, 0);
    cr_assert(t.tx_id.len == 4 && memcmp(t.tx_id.ptr, "tx-2", 4) == 0);
    cr_assert_eq(t.memo.len, 0);
    cr_assert_eq(rowfile_next(r, &t, &err), 0);
    gsize len;
    const char *g = rowfile_graph(r, &len);
    cr_assert(len == 6 && memcmp(g, "g1\ng2\n", 6) == 0);
    const char *m = rowfile_meta(r, &len);
    cr_assert(len == 10 && memcmp(m, "{\"meta\":1}", 10) == 0);
}

Test(rowfile, tables_must_keep_the_numbering)
{
    write_file();
    g_autoptr(GError) err = NULL;
    g_autoptr(RowFile) r = rowfile_open(path, &err);
    g_autoptr(Intern) acc = intern_new();
    g_autoptr(Intern) loc = intern_new();
    intern_add(acc, "OTHER", 5); /* an id the split did not have first */
    cr_assert_not(rowfile_tables(r, acc, loc, &err));
    cr_assert(strstr(err->message, "split again with the same --rules"), "%s", err->message);
}

Test(rowfile, a_file_cut_short_is_refused)
{
    write_file();
    g_autofree char *text = NULL;
    gsize len;
    cr_assert(g_file_get_contents(path, &text, &len, NULL));
    cr_assert(g_file_set_contents(path, text, (gssize)len - 3, NULL));
    g_autoptr(GError) err = NULL;
    cr_assert_null(rowfile_open(path, &err));
    cr_assert(strstr(err->message, "its end is missing"), "%s", err->message);
}

Test(rowfile, another_file_is_not_a_rows_file)
{
    cr_assert(g_file_set_contents(path, "tx_id,ts\n", -1, NULL));
    cr_assert_not(rowfile_is(path));
    g_autoptr(GError) err = NULL;
    cr_assert_null(rowfile_open(path, &err));
    cr_assert(strstr(err->message, "no rows file header"), "%s", err->message);
}

/* An accounts table saved into a rows file by a split and restored from
 * it by a shard: the same records, customers and links as parsed. */
Test(rowfile, the_accounts_table_comes_back_as_parsed)
{
    g_autofree char *csv = g_build_filename(dir, "accounts.csv", NULL);
    cr_assert(g_file_set_contents(csv,
                                  "account_id,customer_id,kind,phone,city,declared_monthly_income\n"
                                  "A1,C1,person,555-1,Lyon,2500.00\n"
                                  "A2,C2,person,555-1,Paris,\n"
                                  "A3,,business,555-9,Lyon,\n",
                                  -1, NULL));
    g_autoptr(Intern) acc = intern_new();
    g_autoptr(Intern) loc = intern_new();
    g_autoptr(GError) err = NULL;
    g_autoptr(Kyc) parsed = kyc_load(csv, acc, loc, &err);
    cr_assert_not_null(parsed, "%s", err ? err->message : "");
    g_unlink(csv);
    RowFileOut *w = rowfile_create(path, &err);
    g_autoptr(GByteArray) bytes = g_byte_array_new();
    kyc_save(parsed, bytes);
    rowfile_kyc_bytes(w, bytes->data, bytes->len);
    cr_assert(rowfile_commit(w, acc, loc, "{}", &err), "%s", err ? err->message : "");

    g_autoptr(RowFile) r = rowfile_open(path, &err);
    cr_assert_not_null(r, "%s", err ? err->message : "");
    g_autoptr(Intern) acc2 = intern_new();
    g_autoptr(Intern) loc2 = intern_new();
    cr_assert(rowfile_tables(r, acc2, loc2, &err));
    gsize len;
    const guint8 *p = rowfile_kyc(r, &len);
    cr_assert_eq(len, bytes->len);
    g_autoptr(Kyc) k = kyc_restore(p, len, intern_count(acc2), intern_count(loc2), &err);
    cr_assert_not_null(k, "%s", err ? err->message : "");
    cr_assert_eq(kyc_count(k), 3);
    guint32 a1 = intern_lookup(acc2, "A1", 2), a3 = intern_lookup(acc2, "A3", 2);
    cr_assert_eq(kyc_get(k, a1)->income, 250000);
    cr_assert_eq(kyc_get(k, a1)->shared_phone, 2); /* C1 and C2 */
    cr_assert_str_eq(intern_str(loc2, kyc_get(k, a1)->city), "Lyon");
    cr_assert_eq(kyc_get(k, a3)->kind, KYC_KIND_BUSINESS);
    cr_assert_str_eq(kyc_customer_name(k, kyc_get(k, a1)->customer), "C1");
    cr_assert_str_eq(kyc_customer_name(k, kyc_get(k, a3)->customer), "A3"); /* its own id */
    g_autoptr(GArray) linked = g_array_new(FALSE, FALSE, sizeof(guint32));
    kyc_linked_accounts(k, a1, linked);
    cr_assert_eq(linked->len, 1);
    cr_assert_str_eq(intern_str(acc2, g_array_index(linked, guint32, 0)), "A2");

    /* cut short, or for smaller tables than it names: refused */
    cr_assert_null(kyc_restore(p, len - 1, intern_count(acc2), intern_count(loc2), NULL));
    g_autoptr(GError) e2 = NULL;
    cr_assert_null(kyc_restore(p, len, intern_count(acc2), 0, &e2));
    cr_assert(strstr(e2->message, "damaged"), "%s", e2->message);
}
