/* Tests of scan.c, the pipeline scan and backtest share: the error budget
 * (when it is spent, where the read loop stops, what read_all changes),
 * the row hook seeing each good row once and in order, the alerts
 * reaching the callback, and a source that cannot be opened. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rule_helpers.h"
#include "scan/scan.h"

/* One alert per account per day with a payment of 100 or more. */
static const char *RULES =
    "rule S-1 \"A payment of 100 or more\"\n  source \"test\"\n  family profile\n"
    "  strength weak\n  for each account\n  where amount >= 100\n  within 1d\n"
    "  alert if count >= 1\n  explain \"{count} payments\"\n";

/* Good rows g1..g4, each A1 -> B1 of 150 EUR on a day of its own;
 * rejected rows b1 (amount) and b2 (date) between them. */
static const char *CSV =
    "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,"
    "location,memo\n"
    "g1,2024-03-01T09:00:00Z,A1,B1,150.00,EUR,card,,,,\n"
    "b1,2024-03-01T09:01:00Z,A1,B1,15x0.00,EUR,card,,,,\n"
    "g2,2024-03-03T09:00:00Z,A1,B1,150.00,EUR,card,,,,\n"
    "b2,2024-02-30T09:00:00Z,A1,B1,150.00,EUR,card,,,,\n"
    "g3,2024-03-05T09:00:00Z,A1,B1,150.00,EUR,card,,,,\n"
    "g4,2024-03-07T09:00:00Z,A1,B1,150.00,EUR,card,,,,\n";

typedef struct {
    guint alerts; /* alerts the callback got */
    GString *ids; /* tx ids of the good rows, in the order seen */
} Seen;

static void on_row(Scan *s, const Txn *t, void *user)
{
    Seen *seen = user;
    g_string_append_printf(seen->ids, "%s%.*s", seen->ids->len ? " " : "", (int)t->tx_id.len,
                           t->tx_id.ptr);
}

static gboolean on_alert(const Alert *a, void *user)
{
    ((Seen *)user)->alerts++;
    return TRUE;
}

/* Runs RULES over CSV with the budget; *seen gets what the hooks saw and
 * *st the input's counts. */
static ScanStatus run(gint64 max_errors, gboolean read_all, Seen *seen, InputStats *st)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rh_load(NULL, RULES, &diags, &dir);
    cr_assert_not_null(rs);
    g_autofree char *csv = g_build_filename(dir, "t.csv", NULL);
    cr_assert(g_file_set_contents(csv, CSV, -1, NULL));
    Scan *s = scan_new(rs);
    const char *paths[] = {csv};
    InputOptions io = {0};
    GError *err = NULL;
    cr_assert(scan_open(s, NULL, paths, 1, &io, &err));
    ShardsOptions so = {.threads = 1, .quiet_until = G_MININT64};
    scan_start(s, &so, on_alert, seen);
    ScanLoop loop = {.row = on_row, .user = seen, .max_errors = max_errors, .read_all = read_all};
    ScanStatus status = scan_run(s, &loop, &err);
    cr_assert_null(err);
    scan_input_stats(s, st);
    scan_free(s);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    g_unlink(csv);
    rh_cleanup(dir);
    return status;
}

typedef struct {
    guint64 rejected;
    gint64 max_errors;
    gboolean spent;
} BudgetCase;

Test(scan, budget_is_spent_past_max_errors)
{
    static const BudgetCase cases[] = {
        {0, 0, FALSE}, {1, 0, TRUE}, {100, 100, FALSE}, {101, 100, TRUE}, {5, 100, FALSE},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
        cr_assert_eq(scan_budget_spent(cases[i].rejected, cases[i].max_errors), cases[i].spent,
                     "case %zu", i);
}

/* One run over CSV with a budget, and what it must give. */
typedef struct {
    gint64 max_errors;
    gboolean read_all;
    ScanStatus status;
    const char *ids; /* good rows the engine saw, in order */
    guint64 rows;    /* records read, good and rejected */
    guint64 rejected;
    guint alerts; /* four days apart: each row alerts on A1 and on B1 */
} RunCase;

Test(scan, the_budget_decides_where_the_read_loop_stops)
{
    static const RunCase cases[] = {
        /* within the budget: every row */
        {2, FALSE, SCAN_DONE, "g1 g2 g3 g4", 6, 2, 8},
        /* b2 is the second reject: input_next skips it and returns g3,
         * which still goes to the engine; the loop stops before g4 */
        {1, FALSE, SCAN_OVER_BUDGET, "g1 g2 g3", 5, 2, 6},
        /* read_all goes on past the budget to count every reject */
        {0, TRUE, SCAN_OVER_BUDGET, "g1 g2 g3 g4", 6, 2, 8},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const RunCase *c = &cases[i];
        Seen seen = {.ids = g_string_new(NULL)};
        InputStats st;
        cr_assert_eq(run(c->max_errors, c->read_all, &seen, &st), c->status, "case %zu", i);
        cr_assert_str_eq(seen.ids->str, c->ids, "case %zu", i);
        cr_assert_eq(st.rows, c->rows, "case %zu", i);
        cr_assert_eq(st.rejected, c->rejected, "case %zu", i);
        cr_assert_eq(seen.alerts, c->alerts, "case %zu", i);
        g_string_free(seen.ids, TRUE);
    }
}

Test(scan, a_missing_source_fails_to_open_and_names_it)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rh_load(NULL, RULES, &diags, &dir);
    cr_assert_not_null(rs);
    Scan *s = scan_new(rs);
    const char *paths[] = {"tests/no-such-file.csv"};
    InputOptions io = {0};
    GError *err = NULL;
    cr_assert_not(scan_open(s, NULL, paths, 1, &io, &err));
    cr_assert_not_null(strstr(err->message, "tests/no-such-file.csv"), "%s", err->message);
    InputStats st;
    scan_input_stats(s, &st);
    cr_assert_eq(st.rows, 0);
    g_error_free(err);
    scan_free(s);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}
