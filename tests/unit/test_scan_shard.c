/* Tests of scan.c's cluster shards (scan_set_shard): the stable hash
 * against published FNV-1a vectors, and a shard keeping the alerts of its
 * own accounts only while reading every row into the same input digest. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rule_helpers.h"
#include "scan/scan.h"

/* FNV-1a 64 of "", "a" and "foobar" (the algorithm's published test
 * vectors: cbf29ce484222325, af63dc4c8601ec8c, 85944171f73967e8), modulo
 * the shard counts. */
Test(scan_shard, the_hash_is_fnv1a_64_modulo_the_count)
{
    cr_assert_eq(scan_shard_of("", 0, 1000), 0xcbf29ce484222325ULL % 1000);
    cr_assert_eq(scan_shard_of("a", 1, 1000), 0xaf63dc4c8601ec8cULL % 1000);
    cr_assert_eq(scan_shard_of("foobar", 6, 7), 0x85944171f73967e8ULL % 7);
    cr_assert_eq(scan_shard_of("foobar", 6, 1), 0);
}

/* One alert per account per day with a payment of 100 or more. */
static const char *RULES =
    "rule S-1 \"A payment of 100 or more\"\n  source \"test\"\n  family profile\n"
    "  strength weak\n  for each account\n  where amount >= 100\n  within 1d\n"
    "  alert if count >= 1\n  explain \"{count} payments\"\n";

/* Three rows A1 -> B1 on days of their own: each alerts on both. A1
 * hashes to 0x09089307b5a13d87 (odd: shard 1 of 2), B1 to
 * 0x09130307b5aa505c (even: shard 0 of 2). */
static const char *CSV = "tx_id,ts,from_account,to_account,amount,currency,channel\n"
                         "g1,2024-03-01T09:00:00Z,A1,B1,150.00,EUR,card\n"
                         "g2,2024-03-03T09:00:00Z,A1,B1,150.00,EUR,card\n"
                         "g3,2024-03-05T09:00:00Z,A1,B1,150.00,EUR,card\n";

typedef struct {
    GString *accounts; /* the alerts' accounts, in order */
    const Intern *in;
} Seen;

static gboolean on_alert(const Alert *a, void *user)
{
    Seen *seen = user;
    g_string_append_printf(seen->accounts, "%s%s", seen->accounts->len ? " " : "",
                           intern_str(seen->in, a->account));
    return TRUE;
}

/* Shard k of n over CSV: the accounts alerted, in order; *digest gets the
 * input digest. */
static char *run(guint k, guint n, char digest[17])
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rh_load(NULL, RULES, &diags, &dir);
    cr_assert_not_null(rs);
    g_autofree char *csv = g_build_filename(dir, "t.csv", NULL);
    cr_assert(g_file_set_contents(csv, CSV, -1, NULL));
    Scan *s = scan_new(rs);
    scan_set_shard(s, k, n);
    const char *paths[] = {csv};
    InputOptions io = {0};
    GError *err = NULL;
    cr_assert(scan_open(s, NULL, paths, 1, &io, &err));
    Seen seen = {.accounts = g_string_new(NULL), .in = scan_accounts(s)};
    ShardsOptions so = {.threads = 1, .quiet_until = G_MININT64};
    scan_start(s, &so, on_alert, &seen);
    ScanLoop loop = {.max_errors = 0};
    cr_assert_eq(scan_run(s, &loop, &err), SCAN_DONE);
    scan_input_digest(s, digest);
    scan_free(s);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    g_unlink(csv);
    rh_cleanup(dir);
    return g_string_free(seen.accounts, FALSE);
}

Test(scan_shard, a_shard_alerts_on_its_own_accounts_after_reading_every_row)
{
    char d0[17], d1[17], d2[17];
    g_autofree char *s0 = run(0, 2, d0), *s1 = run(1, 2, d1), *one = run(0, 1, d2);
    cr_assert_str_eq(s0, "B1 B1 B1");
    cr_assert_str_eq(s1, "A1 A1 A1");
    cr_assert_str_eq(one, "A1 B1 A1 B1 A1 B1");
    cr_assert_str_eq(d0, d1);
    cr_assert_str_eq(d0, d2);
    cr_assert_eq(strlen(d0), 16);
}
