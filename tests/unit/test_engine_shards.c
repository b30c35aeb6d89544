/* Engine shards: the alerts of several threads, and of the shards on one
 * thread, are those of one Engine fed row by row, byte for byte and in the
 * same order, across batches, with graph matches, typologies, sweeps and a
 * quiet replay. */
#include <criterion/criterion.h>

#include "engine/shards.h"
#include "rule_helpers.h"

/* T-1 fires on both sides of a transaction (accounts A = 1 and B = 2 are
 * in different shards of two); T-2 is a graph rule (its own thread); TY-T
 * needs both families. */
static const char *RULES =
    "rule T-1 \"Two payments of an account within a day\"\n  source \"test\"\n"
    "  family profile\n  strength medium\n  for each account\n  where amount >= 100\n"
    "  within 1d\n  alert if count >= 2\n"
    "  explain \"{count} payments of {sum(amount)} with {distinct(counterparty)} parties\"\n"
    "rule T-2 \"Money back within a day\"\n  source \"test\"\n  family network\n"
    "  strength weak\n  where amount >= 100\n  within 1d\n"
    "  match cycle length 2 to 3 tolerance 10%\n"
    "  explain \"a {count}-hop cycle of {max(amount)}\"\n"
    "typology TY-T \"Both\"\n  source \"test\"\n  indicators T-1, T-2\n  half_life 30d\n"
    "  cap 5\n  alert if score >= 2.9 and families >= 2\n";

#define EUR(x) .amount = (x), .currency = ('E' << 16 | 'U' << 8 | 'R'), .currency_exp = 2

static gboolean keep(const Alert *a, void *user)
{
    GString *s = g_string_new(NULL);
    alert_to_json(a, s);
    g_ptr_array_add(user, g_string_free(s, FALSE));
    return TRUE;
}

/* The alerts (JSON lines) of RULES over rows with `threads` threads, or,
 * with threads 0, of one Engine fed row by row (engine.h): what the shards
 * must give. Quiet up to quiet_until; batch_rows and evict_every as in
 * ShardsOptions; *stats gets the run's. Accounts: A, B, C (1-3), then S0
 * ... S9 (4-13). */
static GPtrArray *run_rules(const char *rules, guint threads, const TxnCore *rows, guint n,
                            gint64 quiet_until, guint batch_rows, guint64 evict_every,
                            EngineStats *stats)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rh_load(NULL, rules, &diags, &dir);
    cr_assert_not_null(rs);
    Intern *acc = intern_new(), *loc = intern_new();
    const char *names[] = {"A",  "B",  "C",  "S0", "S1", "S2", "S3",
                           "S4", "S5", "S6", "S7", "S8", "S9"};
    for (guint i = 0; i < G_N_ELEMENTS(names); i++)
        intern_add(acc, names[i], strlen(names[i]));
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    Shards *s = NULL;
    Engine *e = NULL;
    if (threads) {
        ShardsOptions o = {.threads = threads,
                           .quiet_until = quiet_until,
                           .batch_rows = batch_rows,
                           .evict_every = evict_every};
        s = shards_new(rs, acc, loc, &o, keep, out);
    } else {
        e = engine_new(rs, acc, loc, keep, out);
        engine_set_quiet_until(e, quiet_until);
        if (evict_every)
            engine_set_evict_every(e, evict_every);
    }
    for (guint i = 0; i < n; i++) {
        char id[16];
        g_snprintf(id, sizeof id, "t%u", i + 1);
        Txn t = {.core = rows[i], .tx_id = {id, (guint32)strlen(id)}};
        if (s)
            shards_process(s, &t);
        else
            engine_process(e, &t);
    }
    if (s) {
        shards_finish(s);
        shards_stats(s, stats);
        shards_free(s);
    } else {
        engine_stats(e, stats);
        engine_free(e);
    }
    intern_free(acc);
    intern_free(loc);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
    return out;
}

static GPtrArray *run_with(guint threads, const TxnCore *rows, guint n, gint64 quiet_until,
                           guint batch_rows, guint64 evict_every, EngineStats *stats)
{
    return run_rules(RULES, threads, rows, n, quiet_until, batch_rows, evict_every, stats);
}

static GPtrArray *run(guint threads, const TxnCore *rows, guint n, gint64 quiet_until,
                      EngineStats *stats)
{
    return run_with(threads, rows, n, quiet_until, 0, 0, stats);
}

static GPtrArray *run_engine(const TxnCore *rows, guint n, gint64 quiet_until, guint64 evict_every,
                             EngineStats *stats)
{
    return run_with(0, rows, n, quiet_until, 0, evict_every, stats);
}

static void expect_same(GPtrArray *one, GPtrArray *many, guint threads)
{
    cr_assert_eq(many->len, one->len, "%u threads: %u alerts, one engine %u", threads, many->len,
                 one->len);
    for (guint i = 0; i < one->len; i++)
        cr_expect_str_eq(g_ptr_array_index(many, i), g_ptr_array_index(one, i),
                         "%u threads, alert %u", threads, i);
}

static void expect_in(GPtrArray *g, guint i, const char *text)
{
    cr_expect(strstr(g_ptr_array_index(g, i), text), "alert %u lacks %s", i, text);
}

/* t2 fires T-1 on A (the sender's side, shard 1 of 2) and on B (the
 * receiver's, shard 0): one engine gives A's first. t3 closes the cycle
 * A -> B -> A: T-2 on A (its anchor, the cycle's start), which with A's T-1
 * makes TY-T right after it (2 + 1 points less 1000 s of decay: 2.9995, in
 * two families). T-1 is suppressed for a day on both. */
static const TxnCore small[] = {
    {.ts = 1000, .from = 1, .to = 2, EUR(20000)},
    {.ts = 2000, .from = 1, .to = 2, EUR(20000)},
    {.ts = 3000, .from = 2, .to = 1, EUR(19000)},
};

Test(engine_shards, alerts_in_one_engines_order)
{
    EngineStats st;
    GPtrArray *one = run_engine(small, 3, G_MININT64, 0, &st);
    cr_assert_eq(one->len, 4);
    expect_in(one, 0, "\"rule\":\"T-1\",");
    expect_in(one, 0, "\"account\":\"A\",\"perspective\":\"account\"");
    expect_in(one, 1, "\"rule\":\"T-1\",");
    expect_in(one, 1, "\"account\":\"B\"");
    expect_in(one, 2, "\"rule\":\"T-2\",");
    expect_in(one, 2, "\"subgraph\":{\"edges\":[{\"tx\":\"t2\"");
    expect_in(one, 3, "\"rule\":\"TY-T\",");
    for (guint threads = 1; threads <= 4; threads++) {
        EngineStats sst;
        GPtrArray *many = run(threads, small, 3, G_MININT64, &sst);
        expect_same(one, many, threads);
        cr_expect_eq(sst.alerts, st.alerts);
        g_ptr_array_unref(many);
    }
    g_ptr_array_unref(one);
}

/* A quiet replay up to t2: T-1's alerts of t2 are not emitted but still
 * count for the typology, which t3's cycle completes. */
Test(engine_shards, quiet_replay_feeds_typologies)
{
    EngineStats st;
    GPtrArray *one = run_engine(small, 3, 2000, 0, &st);
    cr_assert_eq(one->len, 2);
    expect_in(one, 0, "\"rule\":\"T-2\",");
    expect_in(one, 1, "\"rule\":\"TY-T\",");
    cr_expect_eq(st.alerts, 1); /* indicator alerts only, as engine.h counts them */
    for (guint threads = 1; threads <= 2; threads++) {
        EngineStats sst;
        GPtrArray *many = run(threads, small, 3, 2000, &sst);
        expect_same(one, many, threads);
        cr_expect_eq(sst.alerts, 1);
        g_ptr_array_unref(many);
    }
    g_ptr_array_unref(one);
}

/* 40,000 rows, more than two batches of 16,384 (as the test asks): S(i % 10) pays
 * S((i + 1) % 10) every minute. Each S account pays and is paid once every
 * ten minutes, so T-1 fires on it at its second transaction (by minute 9),
 * and then every 1,440 minutes, when the day's suppression ends; no money
 * comes back within a day along a cycle of at most three (the ring has
 * ten), so neither T-2 nor TY-T fires. */
Test(engine_shards, batches_keep_the_order)
{
    enum { N = 40000 };
    TxnCore *rows = g_new0(TxnCore, N);
    for (guint i = 0; i < N; i++)
        rows[i] =
            (TxnCore){.ts = 60 * (gint64)i, .from = 4 + i % 10, .to = 4 + (i + 1) % 10, EUR(10000)};
    EngineStats st;
    GPtrArray *one = run_engine(rows, N, G_MININT64, 0, &st);
    /* 40,000 minutes = 27.8 days: alerts on days 0 to 27, one per account */
    cr_assert_eq(one->len, 280);
    for (guint threads = 1; threads <= 3; threads++) {
        EngineStats sst;
        GPtrArray *many = run_with(threads, rows, N, G_MININT64, 16384, 0, &sst);
        expect_same(one, many, threads);
        cr_expect_eq(sst.windows, st.windows);
        g_ptr_array_unref(many);
    }
    g_ptr_array_unref(one);
    g_free(rows);
}

/* A shard runs a batch's window updates account by account, and sweeps
 * idle windows between them at the row where one engine would. Rows 10
 * minutes apart, swept every 7 rows, in batches of 100 (a sweep inside
 * every batch): A pays B 100.00 twice, 10 minutes apart, every 300 rows
 * (50 hours), and between them S(i % 10) pays S((i + 1) % 10) 50.00, which
 * T-1's filter (amount >= 100) leaves out. Each pair fires T-1 on A and on
 * B: 7 pairs in 2,000 rows, 14 alerts; between pairs, A's and B's windows
 * empty and are freed. Several threads give one engine's alerts, live
 * windows and sweeps. */
Test(engine_shards, sweeps_between_account_runs)
{
    enum { N = 2000 };
    TxnCore *rows = g_new0(TxnCore, N);
    for (guint i = 0; i < N; i++) {
        gint64 ts = 600 * (gint64)i;
        rows[i] = i % 300 < 2
                      ? (TxnCore){.ts = ts, .from = 1, .to = 2, EUR(10000)}
                      : (TxnCore){.ts = ts, .from = 4 + i % 10, .to = 4 + (i + 1) % 10, EUR(5000)};
    }
    EngineStats st;
    GPtrArray *one = run_engine(rows, N, G_MININT64, 7, &st);
    cr_assert_eq(one->len, 14);
    for (guint i = 0; i < 14; i++)
        expect_in(one, i, i % 2 ? "\"account\":\"B\"" : "\"account\":\"A\"");
    /* after each pair (the last 33 hours before the end): A's and B's T-1
     * windows and their indexes in T-2's graph, 4 x 7 */
    cr_assert_eq(st.evicted, 28);
    for (guint threads = 1; threads <= 3; threads++) {
        EngineStats sst;
        GPtrArray *many = run_with(threads, rows, N, G_MININT64, 100, 7, &sst);
        expect_same(one, many, threads);
        cr_expect_eq(sst.windows, st.windows);
        cr_expect_eq(sst.evicted, st.evicted);
        g_ptr_array_unref(many);
    }
    g_ptr_array_unref(one);
    g_free(rows);
}

/* History on threads: the pairs are kept once, on the thread that hands
 * out the rows, and each engine reads its rows' views of them; accounts'
 * history is kept by the account's shard. H-1 reads both on either side
 * of a row, H-2 (a graph rule) the pairs in its filter. Accounts A, B, C
 * (1-3; with two shards A and C in one, B in the other):
 * t1 A -> B and t2 C -> B: B's second new sender within a day, H-1 on B
 *    (before t2 it had one sender, A);
 * t3 A -> B again, not new; t4 B -> A, not new (paid the other way), and
 *    back within a day along a pair first seen that day: H-2 on A;
 * t5 A -> C: new for both. A's second new pair of the day (B at t1): H-1
 *    on A (one sender before, B; one payee, B); C's too (B at t2): H-1 on
 *    C (no sender, one payee); and the cycle C -> B -> A -> C of pairs
 *    all first seen that day: H-2 on C. */
static const char *HISTORY_RULES =
    "rule H-1 \"Two new counterparties within a day\"\n  source \"test\"\n"
    "  family profile\n  strength medium\n  for each account\n  where counterparty.is_new\n"
    "  within 1d\n  alert if count >= 2\n"
    "  explain \"{count} new; {account.senders} senders, {account.payees} payees before\"\n"
    "rule H-2 \"Money back along a young pair\"\n  source \"test\"\n  family network\n"
    "  strength weak\n  where counterparty.first_seen <= 0\n  within 1d\n"
    "  match cycle length 2 to 3 tolerance 10%\n"
    "  explain \"a {count}-hop cycle of {max(amount)}\"\n";

static const TxnCore history_rows[] = {
    {.ts = 1000, .from = 1, .to = 2, EUR(20000)}, {.ts = 2000, .from = 3, .to = 2, EUR(20000)},
    {.ts = 3000, .from = 1, .to = 2, EUR(20000)}, {.ts = 4000, .from = 2, .to = 1, EUR(20000)},
    {.ts = 5000, .from = 1, .to = 3, EUR(20000)},
};

Test(engine_shards, history_kept_once_reads_as_in_one_engine)
{
    EngineStats st;
    GPtrArray *one = run_rules(HISTORY_RULES, 0, history_rows, 5, G_MININT64, 0, 0, &st);
    cr_assert_eq(one->len, 5);
    expect_in(one, 0, "\"account\":\"B\"");
    expect_in(one, 0, "2 new; 1 senders, 0 payees before");
    expect_in(one, 1, "\"rule\":\"H-2\",");
    expect_in(one, 1, "\"account\":\"A\"");
    expect_in(one, 2, "\"account\":\"A\"");
    expect_in(one, 2, "2 new; 1 senders, 1 payees before");
    expect_in(one, 3, "\"account\":\"C\"");
    expect_in(one, 3, "2 new; 0 senders, 1 payees before");
    expect_in(one, 4, "\"rule\":\"H-2\",");
    expect_in(one, 4, "a 3-hop cycle");
    for (guint threads = 1; threads <= 3; threads++)
        for (guint batch = 2; batch <= 5; batch += 3) {
            EngineStats sst;
            GPtrArray *many =
                run_rules(HISTORY_RULES, threads, history_rows, 5, G_MININT64, batch, 0, &sst);
            expect_same(one, many, threads);
            g_ptr_array_unref(many);
        }
    g_ptr_array_unref(one);
}
