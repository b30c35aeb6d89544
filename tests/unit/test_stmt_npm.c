/* test_stmt_npm.c: moneytrail's MT940 reader against an independent one.
 *
 * tests/mt940/dump.js reads the same files with mt940js (npm, installed by
 * tools/deps.sh into tests/mt940/node_modules, never needed at run time)
 * and prints each transaction's id, date, sides, amount and currency by
 * the mapping of schema/statements.md; this test reads the files through
 * read/stmt.c and must print the same lines. The fixtures are the German
 * and Dutch :86: dialects and a sample of the generator's statements. */
#include <criterion/criterion.h>
#include <string.h>

#include "read/csv.h"
#include "read/stmt.h"

/* The fields compared, as "tx_id,date,from,to,amount,currency" lines. A
 * hashed id ("h" and 16 hex digits: the entry had none) is left empty,
 * as dump.js does. Every entry counts, duplicates included. Caller frees. */
static char *ours(const char *path)
{
    StmtSeen *seen = NULL;
    Source *src = NULL;
    GError *err = NULL;
    cr_assert(stmt_open(path, &seen, &src, &err), "%s", err ? err->message : "");
    cr_assert_not_null(src, "%s is not read as a statement", path);
    GString *out = g_string_new(NULL);
    SourceRecord rec;
    SourceStatus st;
    gboolean header = TRUE;
    while ((st = source_next(src, &rec, &err)) == SOURCE_RECORD || st == SOURCE_REJECTED) {
        CsvRow row;
        cr_assert_eq(csv_split(rec.data, rec.len, ',', '"', &row), CSV_OK);
        if (header) {
            header = FALSE;
            continue;
        }
        StrView *f = row.fields;
        gboolean hashed = f[0].len == 17 && f[0].ptr[0] == 'h';
        g_string_append_printf(out, "%.*s,%.10s,%.*s,%.*s,%.*s,%.*s\n", hashed ? 0 : (int)f[0].len,
                               f[0].ptr, f[1].ptr, (int)f[2].len, f[2].ptr, (int)f[3].len, f[3].ptr,
                               (int)f[4].len, f[4].ptr, (int)f[5].len, f[5].ptr);
    }
    cr_assert_eq(st, SOURCE_END, "%s", err ? err->message : "");
    source_free(src);
    stmt_seen_free(seen);
    return g_string_free(out, FALSE);
}

/* What dump.js prints for path (mt940js). Caller frees. */
static char *theirs(const char *path)
{
    const char *argv[] = {"node", "tests/mt940/dump.js", path, NULL};
    const char *env[] = {"TZ=UTC", NULL};
    char *out = NULL, *err = NULL;
    int status = 0;
    GError *e = NULL;
    cr_assert(g_spawn_sync(NULL, (char **)argv, (char **)env, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                           &err, &status, &e),
              "node: %s", e ? e->message : "");
    cr_assert(g_spawn_check_wait_status(status, NULL),
              "tests/mt940/dump.js failed (is mt940js installed? tools/deps.sh): %s", err);
    g_free(err);
    return out;
}

static void same(const char *path, guint rows)
{
    g_autofree char *a = ours(path), *b = theirs(path);
    guint n = 0;
    for (const char *p = a; (p = strchr(p, '\n')); p++)
        n++;
    cr_assert_eq(n, rows, "%s: %u rows read, %u expected", path, n, rows);
    cr_assert_str_eq(a, b, "%s: moneytrail read\n%s\nmt940js read\n%s", path, a, b);
}

Test(stmt_npm, german_86_as_mt940js_reads_it)
{
    same("tests/data/statements/bank-b.mt940", 2);
}

Test(stmt_npm, dutch_86_as_mt940js_reads_it)
{
    same("tests/data/statements/bank-c.mt940", 2);
}

Test(stmt_npm, generated_statements_as_mt940js_reads_them)
{
    same("tests/data/statements/gen-sample.mt940", 60);
}
