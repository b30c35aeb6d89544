/* Engine and alerts: suppression, both sides of an account, deterministic
 * ids, the explanation sentence and the JSON line. */
#include <criterion/criterion.h>

#include "engine/engine.h"
#include "rule_helpers.h"

typedef struct {
    GPtrArray *json;
} Got;

static gboolean keep(const Alert *a, void *user)
{
    Got *g = user;
    GString *s = g_string_new(NULL);
    alert_to_json(a, s);
    g_ptr_array_add(g->json, g_string_free(s, FALSE));
    return TRUE;
}

/* Expects alert i's JSON line to hold text. */
static void expect_in(const Got *g, guint i, const char *text)
{
    cr_expect(strstr(g_ptr_array_index(g->json, i), text), "alert %u lacks %s", i, text);
}

static const char *RULE =
    "rule T-1 \"Two or more credits\"\n  source \"test\"\n  for each receiver\n"
    "  where amount >= 100\n  within 1d\n  alert if count >= 2\n"
    "  explain \"{count} credits of {sum(amount)} from {distinct(counterparty)} senders, last "
    "{amount} at {hour}\"\n";

/* The first rule's profile at the end of a run. */
typedef struct {
    EngineRuleCost cost;
    guint64 held; /* engine_rule_state_bytes */
} Profile;

/* An engine over rule (loaded from a temporary file), accounts A, B, C
 * (ids 1-3) and S0 ... S9 (ids 4-13), sweeping every evict_every rows; its
 * alerts go to g. */
typedef struct {
    GPtrArray *diags;
    char *dir;
    RuleSet *rs;
    Intern *acc, *loc;
    Engine *e;
    Got g;
} Harness;

static Engine *harness_open(Harness *h, const char *rule, guint64 evict_every)
{
    h->rs = rh_load(NULL, rule, &h->diags, &h->dir);
    cr_assert_not_null(h->rs);
    h->acc = intern_new();
    h->loc = intern_new();
    intern_add(h->acc, "A", 1);
    intern_add(h->acc, "B", 1);
    intern_add(h->acc, "C", 1);
    for (char s = '0'; s <= '9'; s++)
        intern_add(h->acc, (char[]){'S', s}, 2);
    h->g.json = g_ptr_array_new_with_free_func(g_free);
    h->e = engine_new(h->rs, h->acc, h->loc, keep, &h->g);
    engine_set_evict_every(h->e, evict_every);
    return h->e;
}

/* Frees all but the alerts (h->g.json, the caller's). */
static void harness_close(Harness *h)
{
    engine_free(h->e);
    intern_free(h->acc);
    intern_free(h->loc);
    rule_set_free(h->rs);
    g_ptr_array_unref(h->diags);
    rh_cleanup(h->dir);
}

/* Runs rule over rows, sweeping idle state every evict_every rows; with
 * prof, profiles and copies the first rule's profile there. */
static void run_with(const char *rule, const TxnCore *rows, const char *const *ids, guint n,
                     guint evict_every, Profile *prof, Got *g)
{
    Harness h;
    Engine *e = harness_open(&h, rule, evict_every);
    if (prof)
        engine_set_profile(e);
    for (guint i = 0; i < n; i++) {
        Txn t = {.core = rows[i], .tx_id = {ids[i], (guint32)strlen(ids[i])}};
        engine_process(e, &t);
    }
    if (prof) {
        prof->cost = *engine_rule_cost(e, 0);
        prof->held = engine_rule_state_bytes(e, 0);
    }
    harness_close(&h);
    *g = h.g;
}

static void run(const char *rule, const TxnCore *rows, const char *const *ids, guint n, Got *g)
{
    run_with(rule, rows, ids, n, LIMIT_EVICT_EVERY, NULL, g);
}

#define EUR(x) .amount = (x), .currency = ('E' << 16 | 'U' << 8 | 'R'), .currency_exp = 2
static const TxnCore rows[] = {
    {.ts = 1000, .from = 1, .to = 3, EUR(10000), .utc_offset = 0},
    {.ts = 2000, .from = 2, .to = 3, EUR(25050), .utc_offset = 60},
    {.ts = 3000, .from = 2, .to = 3, EUR(30000)},
    {.ts = 1000 + 86400 + 1, .from = 1, .to = 3, EUR(10000)},
    {.ts = 3000 + 86400, .from = 1, .to = 3, EUR(10000)},
};
static const char *const ids[] = {"t1", "t2", "t3", "t4", "t5"};

Test(engine, one_alert_per_window_then_again_after_suppression)
{
    Got g;
    run(RULE, rows, ids, 5, &g);
    cr_assert_eq(g.json->len, 2);
    expect_in(&g, 0, "\"trigger_tx\":\"t2\"");
    expect_in(&g, 0, "\"evidence\":[\"t1\",\"t2\"]");
    /* t4 at 1000+1d+1: the window holds t2, t3, t4 but the suppression of
     * one day from t2 (2000) lasts until 88400; t5 at 89400 alerts, and t3
     * (3000), exactly one day older, has left the window */
    expect_in(&g, 1, "\"trigger_tx\":\"t5\"");
    expect_in(&g, 1, "\"evidence\":[\"t4\",\"t5\"]");
    g_ptr_array_unref(g.json);
}

/* Under a suppression longer than the window, a transaction that will have
 * left the window when the suppression ends is not stored at all. The rule
 * suppresses for 3 days after s2 (until 100 + 3d); s3, exactly one day
 * before that, would have left by then; s4, a second later, is still in the
 * window at 100 + 3d, where s5 alerts with it. */
Test(engine, a_suppression_skips_only_what_leaves_before_it_ends)
{
    const gint64 day = 86400;
    const TxnCore sup[] = {
        {.ts = 0, .from = 1, .to = 3, EUR(10000)},
        {.ts = 100, .from = 2, .to = 3, EUR(10000)},
        {.ts = 100 + 2 * day, .from = 1, .to = 3, EUR(10000)},
        {.ts = 100 + 2 * day + 1, .from = 2, .to = 3, EUR(10000)},
        {.ts = 100 + 3 * day, .from = 1, .to = 3, EUR(10000)},
    };
    static const char *const sids[] = {"s1", "s2", "s3", "s4", "s5"};
    static const char *rule = "rule T-2 \"Two credits\"\n  source \"test\"\n  for each receiver\n"
                              "  within 1d\n  suppress 3d\n  alert if count >= 2\n"
                              "  explain \"{count} credits\"\n";
    Got g;
    run(rule, sup, sids, 5, &g);
    cr_assert_eq(g.json->len, 2);
    expect_in(&g, 0, "\"evidence\":[\"s1\",\"s2\"]");
    expect_in(&g, 1, "\"trigger_tx\":\"s5\"");
    expect_in(&g, 1, "\"evidence\":[\"s4\",\"s5\"]");
    g_ptr_array_unref(g.json);
}

/* A window freed by the idle sweep is freed once: sweeps after it must not
 * hand its memory to two accounts, whose credits would then add up. B's
 * window empties on day 2 and is freed; two more sweeps pass; then C and A
 * each get one credit of 100.00: one each, no alert. A second credit to C
 * (the control) alerts. */
Test(engine, a_freed_window_goes_to_one_account_only)
{
    const gint64 day = 86400;
    const TxnCore freed[] = {
        {.ts = 0, .from = 1, .to = 2, EUR(10000)},            /* B */
        {.ts = 2 * day, .from = 2, .to = 1, EUR(5000)},       /* below 100: only time passes */
        {.ts = 2 * day + 1, .from = 2, .to = 1, EUR(5000)},   /* another sweep */
        {.ts = 3 * day, .from = 1, .to = 3, EUR(10000)},      /* C */
        {.ts = 3 * day + 10, .from = 3, .to = 1, EUR(10000)}, /* A */
        {.ts = 3 * day + 20, .from = 2, .to = 3, EUR(10000)}, /* C again */
    };
    static const char *const fids[] = {"f1", "f2", "f3", "f4", "f5", "f6"};
    Got g;
    run_with(RULE, freed, fids, 5, 1, NULL, &g);
    cr_expect_eq(g.json->len, 0, "one credit each for C and A: %s",
                 g.json->len ? (char *)g_ptr_array_index(g.json, 0) : "");
    g_ptr_array_unref(g.json);
    run_with(RULE, freed, fids, 6, 1, NULL, &g);
    cr_assert_eq(g.json->len, 1);
    cr_expect(strstr(g_ptr_array_index(g.json, 0), "\"account\":\"C\""));
    cr_expect(strstr(g_ptr_array_index(g.json, 0), "\"evidence\":[\"f4\",\"f6\"]"));
    g_ptr_array_unref(g.json);
}

/* --profile's numbers: the five credits of 100.00 or more each enter the
 * receiver's window and each runs the filter (the amount prefilter passes
 * amounts of 100 or more on to it); the sender's side is not looked at.
 * The memory held is the pool's first chunk: 64 entries of 128 bytes (a
 * 64-byte header, the running totals, and as many 24-byte ring entries as
 * fill the rest of the line: two), and the ring of four entries (96 bytes)
 * C's window takes when its third credit arrives. */
Test(engine, profile_counts_windows_and_filter_runs)
{
    Got g;
    Profile p;
    run_with(RULE, rows, ids, 5, LIMIT_EVICT_EVERY, &p, &g);
    cr_expect_eq(p.cost.entered, 5);
    cr_expect_eq(p.cost.filter_runs, 5);
    cr_expect_gt(p.cost.ns, 0);
    cr_expect_eq(p.held, 64 * 128 + 4 * 24, "%" G_GUINT64_FORMAT " bytes", p.held);
    g_ptr_array_unref(g.json);
}

Test(engine, explanation_renders_numbers_in_words)
{
    Got g;
    run(RULE, rows, ids, 2, &g);
    cr_assert_eq(g.json->len, 1);
    cr_expect(
        strstr(
            g_ptr_array_index(g.json, 0),
            "\"explanation\":\"2 credits of 350.50 EUR from 2 senders, last 250.50 EUR at 01:00\""),
        "%s", (char *)g_ptr_array_index(g.json, 0));
    cr_expect(
        strstr(g_ptr_array_index(g.json, 0),
               "\"values\":{\"count\":2,\"sum(amount)\":\"350.50\",\"distinct(counterparty)\":2}"));
    g_ptr_array_unref(g.json);
}

/* A count and its noun: the singular for exactly one. t1 alerts with one
 * credit from one sender; t2, 1000 s later, when the one-second suppression
 * is long over, with two of each. */
Test(engine, explanation_counts_take_their_noun)
{
    const char *rule = "rule T-N \"Credits\"\n  source \"test\"\n  for each receiver\n"
                       "  within 1d\n  suppress 1s\n  alert if count >= 1\n"
                       "  explain \"{count:credit/credits} from {distinct(counterparty):sender/"
                       "senders}, {count:payroll credit/payroll credits}\"\n";
    Got g;
    run(rule, rows, ids, 2, &g);
    cr_assert_eq(g.json->len, 2);
    expect_in(&g, 0, "\"explanation\":\"1 credit from 1 sender, 1 payroll credit\"");
    expect_in(&g, 1, "\"explanation\":\"2 credits from 2 senders, 2 payroll credits\"");
    g_ptr_array_unref(g.json);
}

Test(engine, alert_ids_are_deterministic_and_distinct)
{
    Got a, b;
    run(RULE, rows, ids, 5, &a);
    run(RULE, rows, ids, 5, &b);
    cr_assert_eq(a.json->len, 2);
    cr_expect_str_eq(g_ptr_array_index(a.json, 0), g_ptr_array_index(b.json, 0));
    cr_expect_str_eq(g_ptr_array_index(a.json, 1), g_ptr_array_index(b.json, 1));
    cr_expect_str_neq(g_ptr_array_index(a.json, 0), g_ptr_array_index(a.json, 1));
    g_ptr_array_unref(a.json);
    g_ptr_array_unref(b.json);
}

Test(engine, account_perspective_sees_both_directions)
{
    static const char *rule =
        "rule T-2 \"In and out\"\n  source \"test\"\n  for each account\n  within 1d\n"
        "  alert if count >= 2\n  explain \"{count}\"\n";
    static const TxnCore in_out[] = {
        {.ts = 10, .from = 1, .to = 2, EUR(100)},
        {.ts = 20, .from = 2, .to = 3, EUR(100)},
    };
    Got g;
    run(rule, in_out, ids, 2, &g);
    cr_assert_eq(g.json->len, 1);
    cr_expect(strstr(g_ptr_array_index(g.json, 0), "\"account\":\"B\""));
    cr_expect(strstr(g_ptr_array_index(g.json, 0), "\"perspective\":\"account\""));
    g_ptr_array_unref(g.json);
}

/* A victim-side alert of one typology (T-V, role victim, in TY-A) makes the
 * customer a possible victim for another typology too (TY-B, whose only
 * hits are controller-side): a possible victim is never the suspect. */
static const char *TWO_TYPOLOGIES =
    "rule T-V \"Victim side\"\n  source \"test\"\n  family network\n  strength strong\n"
    "  role victim\n  for each receiver\n  where amount >= 100\n  within 1d\n"
    "  alert if count >= 1\n  explain \"victim\"\n"
    "rule T-C \"Controller side\"\n  source \"test\"\n  family cash\n  strength strong\n"
    "  role controller\n  for each sender\n  where amount >= 100\n  within 1d\n"
    "  alert if count >= 1\n  explain \"controller\"\n"
    "rule T-D \"Other family\"\n  source \"test\"\n  family profile\n  strength strong\n"
    "  for each sender\n  where amount >= 200\n  within 1d\n  alert if count >= 1\n"
    "  explain \"other\"\n"
    "typology TY-A \"A\"\n  source \"test\"\n  indicators T-V\n  alert if score >= 100\n"
    "  victim T-V\n"
    "typology TY-B \"B\"\n  source \"test\"\n  indicators T-C, T-D\n"
    "  alert if score >= 6 and families >= 2\n  controller T-C\n";

Test(engine, a_victim_of_one_typology_is_no_suspect_of_another)
{
    static const TxnCore two[] = {
        {.ts = 1000, .from = 1, .to = 3, EUR(10000)}, /* C is paid: T-V, a possible victim */
        {.ts = 2000, .from = 3, .to = 2, EUR(30000)}, /* C pays: T-C and T-D, TY-B alerts */
    };
    static const char *const tids[] = {"t1", "t2"};
    Got g;
    run(TWO_TYPOLOGIES, two, tids, 2, &g);
    const char *ty = NULL;
    for (guint i = 0; i < g.json->len; i++)
        if (strstr(g_ptr_array_index(g.json, i), "\"rule\":\"TY-B\""))
            ty = g_ptr_array_index(g.json, i);
    cr_assert_not_null(ty);
    cr_expect(strstr(ty, "\"account\":\"C\""));
    cr_expect(strstr(ty, "\"role\":\"possible victim\""), "%s", ty);
    cr_expect(strstr(ty, "victim-side alert T-V on this customer"), "%s", ty);
    cr_expect(strstr(ty, "controller-side patterns too: T-C"), "%s", ty);
    g_ptr_array_unref(g.json);
}

/* A shadow rule's alerts are stored (marked "shadow") but never count
 * toward a typology: with T-D in shadow, TY-B has one family, not two. */
static const char *SHADOW_INDICATOR =
    "rule T-C \"Cash side\"\n  source \"test\"\n  family cash\n  strength strong\n"
    "  for each sender\n  where amount >= 100\n  within 1d\n  alert if count >= 1\n"
    "  explain \"cash\"\n"
    "rule T-D \"Other family\"\n  status %s\n  source \"test\"\n  family profile\n"
    "  strength strong\n  for each sender\n  where amount >= 200\n  within 1d\n"
    "  alert if count >= 1\n  explain \"other\"\n"
    "typology TY-B \"B\"\n  source \"test\"\n  indicators T-C, T-D\n"
    "  alert if score >= 6 and families >= 2\n";

/* The alerts of SHADOW_INDICATOR with T-D in status, over one payment of
 * 300 by C: T-C and T-D fire. */
static guint shadow_run(const char *status, Got *g)
{
    static const TxnCore one[] = {{.ts = 2000, .from = 3, .to = 2, EUR(30000)}};
    static const char *const tids[] = {"t1"};
    g_autofree char *rule = g_strdup_printf(SHADOW_INDICATOR, status);
    run(rule, one, tids, 1, g);
    guint typology = 0;
    for (guint i = 0; i < g->json->len; i++)
        typology += strstr(g_ptr_array_index(g->json, i), "\"rule\":\"TY-B\"") != NULL;
    return typology;
}

Test(engine, a_shadow_rule_never_counts_toward_a_typology)
{
    Got g;
    cr_expect_eq(shadow_run("stable", &g), 1, "both families: TY-B alerts");
    g_ptr_array_unref(g.json);
    cr_expect_eq(shadow_run("shadow", &g), 0, "T-D in shadow: one family, no TY-B");
    cr_assert_eq(g.json->len, 2, "T-C and T-D still alert");
    cr_expect(strstr(g_ptr_array_index(g.json, 1), "\"shadow\":true") ||
              strstr(g_ptr_array_index(g.json, 0), "\"shadow\":true"));
    g_ptr_array_unref(g.json);
}

/* The records held after n transfers from A to B, one a minute, under
 * rule (which never alerts), sweeping every 1,000 rows. */
static guint64 records_held(const char *rule, guint n)
{
    Harness h;
    Engine *e = harness_open(&h, rule, 1000);
    for (guint i = 0; i < n; i++) {
        Txn t = {.core = {.ts = 60 * (gint64)i,
                          .from = 1,
                          .to = 2,
                          .channel = CHANNEL_TRANSFER,
                          EUR(100)},
                 .tx_id = {"x", 1}};
        engine_process(e, &t);
    }
    EngineStats st;
    engine_stats(e, &st);
    cr_expect_eq(h.g.json->len, 0);
    harness_close(&h);
    g_ptr_array_unref(h.g.json);
    return st.records;
}

/* A record lives as long as the longest window it entered needs, not the
 * longest of the rule set. 100,000 transfers a minute apart (69 days): with
 * a one-hour window, what stays is 25 hours of them (the window and a day
 * for late rows: 1,500) plus at most the rest of a 2 MiB chunk of records
 * (43,690 of 48 bytes); with a 90-day window all 100,000 stay; a 90-day
 * rule on cash deposits, which these never enter, keeps none longer. */
Test(engine, records_live_as_long_as_their_longest_window)
{
    const char *hour = "rule T-H \"h\"\n  source \"test\"\n  for each receiver\n  where channel == "
                       "transfer\n  within 1h\n  alert if count >= 1000000\n  explain \"x\"\n";
    const char *quarter = "rule T-Q \"q\"\n  source \"test\"\n  for each receiver\n  where channel "
                          "== %s\n  within 90d\n  alert if count >= 1000000\n  explain \"x\"\n";
    g_autofree char *transfers = g_strdup_printf(quarter, "transfer");
    g_autofree char *cash = g_strdup_printf(quarter, "cash_deposit");
    g_autofree char *hour_transfers = g_strconcat(hour, transfers, NULL);
    g_autofree char *hour_cash = g_strconcat(hour, cash, NULL);
    guint64 short_only = records_held(hour, 100000);
    cr_expect_leq(short_only, 1500 + 43690, "%" G_GUINT64_FORMAT " held", short_only);
    cr_expect_eq(records_held(hour_transfers, 100000), 100000);
    cr_expect_eq(records_held(hour_cash, 100000), short_only);
}

/* A late row's entry can sit behind a newer one in a ring, where expiry
 * does not reach it, and the newer one's record may be in a store that
 * keeps longer: the late record must outlive its entry all the same. B gets
 * b1 (20,000.00, which T-Q also takes: its record lives 90 days) at day 10;
 * then 4,200 rows two days late (to C, and b2 to B), which only T-S takes,
 * fill T-S's first record chunk (1,365 records of 48 bytes, b2's) and more,
 * all from day 8. With a one-hour window that chunk would be freed at once;
 * it is kept while the latest row was two days late, so all 4,201 records
 * stay, and b3, half an hour after b1, alerts with b1, b2 and b3. */
Test(engine, a_late_rows_record_outlives_its_entry)
{
    const gint64 day = 86400, d10 = 10 * day;
    const char *rules = "rule T-S \"short\"\n  source \"test\"\n  for each receiver\n  where "
                        "channel == transfer\n  within 1h\n  alert if count >= 3 and max(amount) "
                        ">= 20000\n  explain \"x\"\n"
                        "rule T-Q \"quarter\"\n  source \"test\"\n  for each receiver\n  where "
                        "amount >= 10000\n  within 90d\n  alert if count >= 1000000\n  explain "
                        "\"x\"\n";
    Harness h;
    Engine *e = harness_open(&h, rules, 1);
    Txn t = {.core = {.ts = d10, .from = 1, .to = 2, .channel = CHANNEL_TRANSFER, EUR(2000000)},
             .tx_id = {"b1", 2}};
    engine_process(e, &t);
    for (guint i = 0; i < 4200; i++) {
        gboolean to_b = i == 1000;
        t = (Txn){.core = {.ts = d10 - 2 * day,
                           .from = 1,
                           .to = to_b ? 2 : 3,
                           .channel = CHANNEL_TRANSFER,
                           EUR(10000)},
                  .tx_id = {to_b ? "b2" : "c", to_b ? 2 : 1}};
        engine_process(e, &t);
    }
    EngineStats st;
    engine_stats(e, &st);
    cr_expect_eq(st.records, 4201);
    t = (Txn){
        .core = {.ts = d10 + 1800, .from = 1, .to = 2, .channel = CHANNEL_TRANSFER, EUR(10000)},
        .tx_id = {"b3", 2}};
    engine_process(e, &t);
    cr_assert_eq(h.g.json->len, 1);
    expect_in(&h.g, 0, "\"evidence\":[\"b1\",\"b2\",\"b3\"]");
    harness_close(&h);
    g_ptr_array_unref(h.g.json);
}

/* Distinct values in a condition are counted from the entries while a
 * window is small and kept as a multiset once it is large (64 entries):
 * the two must agree as entries come and go. 200 credits to C a second apart, the first 50 from
 * S0 ... S9 in turn, the rest from S0; then one more at 1h + 49 s, when the
 * first 50 have left. The first alert (65 credits) counts 10 senders, the
 * one at the 200th still 10, the last one 1. */
Test(engine, distinct_values_agree_small_and_large)
{
    static const char *rule =
        "rule T-D \"d\"\n  source \"test\"\n  for each receiver\n  within "
        "1h\n  suppress 1s\n  alert if count >= 65 and distinct(counterparty) >= 1\n  explain "
        "\"{distinct(counterparty)} senders\"\n";
    TxnCore rows[201];
    const char *ids[201];
    for (guint i = 0; i < 200; i++) {
        rows[i] = (TxnCore){.ts = i,
                            .from = 4 + (i < 50 ? i % 10 : 0),
                            .to = 3,
                            .channel = CHANNEL_TRANSFER,
                            EUR(100)};
        ids[i] = "x";
    }
    rows[200] =
        (TxnCore){.ts = 3600 + 49, .from = 4, .to = 3, .channel = CHANNEL_TRANSFER, EUR(100)};
    ids[200] = "x";
    Got g;
    run(rule, rows, ids, 201, &g);
    cr_assert_eq(g.json->len, 200 - 64 + 1);
    expect_in(&g, 0, "\"explanation\":\"10 senders\"");
    expect_in(&g, 135, "\"explanation\":\"10 senders\"");
    expect_in(&g, 136, "\"explanation\":\"1 senders\"");
    g_ptr_array_unref(g.json);
}

/* A sweep frees a window whose entries have all left it, and leaves one
 * still in use, old entries and all, to its next update, which drops them
 * first. One-hour windows, swept after every row: at b1 A's a1 is an hour
 * old but a2 is not, so A's window stays; a3 drops a1 (2 credits), a4 makes
 * 3 and alerts with a2, a3 and a4; at b2 all of A's have left and its
 * window is freed, while B's holds b2. */
Test(engine, a_sweep_frees_windows_whose_entries_all_left)
{
    const char *rule = "rule T-W \"w\"\n  source \"test\"\n  for each receiver\n  within 1h\n"
                       "  alert if count >= 3\n  explain \"{count} credits\"\n";
    static const TxnCore rows[] = {
        {.ts = 0, .from = 4, .to = 1, .channel = CHANNEL_TRANSFER, EUR(100)},
        {.ts = 3000, .from = 5, .to = 1, .channel = CHANNEL_TRANSFER, EUR(100)},
        {.ts = 3700, .from = 6, .to = 2, .channel = CHANNEL_TRANSFER, EUR(100)},
        {.ts = 3800, .from = 7, .to = 1, .channel = CHANNEL_TRANSFER, EUR(100)},
        {.ts = 3900, .from = 8, .to = 1, .channel = CHANNEL_TRANSFER, EUR(100)},
        {.ts = 7600, .from = 6, .to = 2, .channel = CHANNEL_TRANSFER, EUR(100)},
    };
    static const char *const ids[] = {"a1", "a2", "b1", "a3", "a4", "b2"};
    Harness h;
    Engine *e = harness_open(&h, rule, 1);
    EngineStats st;
    for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
        Txn t = {.core = rows[i], .tx_id = {ids[i], 2}};
        engine_process(e, &t);
        engine_stats(e, &st);
        cr_expect_eq(st.evicted, i == 5, "row %u: %" G_GUINT64_FORMAT " evicted", i, st.evicted);
        cr_expect_eq(st.windows, i < 2 ? 1 : i < 5 ? 2 : 1, "row %u", i);
    }
    cr_assert_eq(h.g.json->len, 1);
    expect_in(&h.g, 0, "\"account\":\"A\"");
    expect_in(&h.g, 0, "\"explanation\":\"3 credits\"");
    expect_in(&h.g, 0, "\"evidence\":[\"a2\",\"a3\",\"a4\"]");
    harness_close(&h);
    g_ptr_array_unref(h.g.json);
}

/* A cycle of two is looked for in the shorter of the two lists that hold
 * its first edge: employer A pays 300 wages (its index keeps the newest
 * LIMIT_GRAPH_DEGREE), then the worker of the first wage, no longer in A's
 * list, pays it back. The worker's list of one incoming edge holds it: the
 * kickback alerts on A after visiting that one edge. */
Test(engine, cycle_of_two_walks_the_shorter_list)
{
    G_STATIC_ASSERT(LIMIT_GRAPH_DEGREE < 300);
    const char *rule =
        "rule T-C \"cycle\"\n  source \"test\"\n  where channel == transfer\n  within "
        "7d\n  match cycle length 2 tolerance 10%\n  explain \"x\"\n";
    Harness h;
    Engine *e = harness_open(&h, rule, LIMIT_EVICT_EVERY);
    for (guint i = 0; i < 300; i++) { /* workers W0 ... W299: ids 14 ... 313 */
        g_autofree char *w = g_strdup_printf("W%u", i);
        intern_add(h.acc, w, strlen(w));
    }
    for (guint i = 0; i < 300; i++) {
        TxnCore wage = {.ts = i, .from = 1, .to = 14 + i, .channel = CHANNEL_TRANSFER, EUR(100000)};
        engine_process(e, &(Txn){.core = wage, .tx_id = {"w", 1}});
    }
    EngineStats before, after;
    engine_stats(e, &before);
    TxnCore back = {.ts = 1000, .from = 14, .to = 1, .channel = CHANNEL_TRANSFER, EUR(95000)};
    engine_process(e, &(Txn){.core = back, .tx_id = {"k", 1}});
    engine_stats(e, &after);
    cr_assert_eq(h.g.json->len, 1);
    expect_in(&h.g, 0, "\"account\":\"A\"");
    cr_expect_eq(after.graph_work - before.graph_work, 1, "%lu edges visited",
                 (unsigned long)(after.graph_work - before.graph_work));
    harness_close(&h);
    g_ptr_array_unref(h.g.json);
}

/* A graph search whose alert would be suppressed is not run: A -> B then
 * B -> A closes a cycle and alerts on A (the closing edge's receiver); a
 * second B -> A within the day of suppression visits no edge at all. */
Test(engine, no_graph_search_for_a_suppressed_anchor)
{
    const char *rule =
        "rule T-C \"cycle\"\n  source \"test\"\n  where channel == transfer\n  within "
        "1d\n  match cycle length 2 tolerance 10%\n  explain \"x\"\n";
    const TxnCore hops[] = {
        {.ts = 0, .from = 1, .to = 2, .channel = CHANNEL_TRANSFER, EUR(10000)},
        {.ts = 10, .from = 2, .to = 1, .channel = CHANNEL_TRANSFER, EUR(10000)},
        {.ts = 20, .from = 2, .to = 1, .channel = CHANNEL_TRANSFER, EUR(10000)},
    };
    Harness h;
    Engine *e = harness_open(&h, rule, LIMIT_EVICT_EVERY);
    EngineStats st[3];
    for (guint i = 0; i < 3; i++) {
        engine_process(e, &(Txn){.core = hops[i], .tx_id = {"h", 1}});
        engine_stats(e, &st[i]);
    }
    cr_expect_eq(h.g.json->len, 1);
    expect_in(&h.g, 0, "\"account\":\"A\"");
    cr_expect_gt(st[1].graph_work, st[0].graph_work, "the cycle is searched");
    cr_expect_eq(st[2].graph_work, st[1].graph_work, "the suppressed one is not");
    harness_close(&h);
    g_ptr_array_unref(h.g.json);
}

/* Sums past 2^53 minor units, where a double no longer holds every cent:
 * shown and compared from the exact integer. One yen first makes the
 * window's currencies mixed (the sum is recomputed, each amount in the
 * firing row's euro cents: 100), then nine of the largest amounts accepted
 * (10^15 cents) and 7,199,254,740,893 cents: 9,007,199,254,740,993 cents
 * in all, which a double shows as ...409.92. */
Test(engine, sums_past_2_53_minor_units_are_exact)
{
    const char *rule = "rule T-X \"Eleven credits\"\n  source \"test\"\n  for each receiver\n"
                       "  within 1d\n  alert if count >= 11 and sum(amount) > 90071992547409\n"
                       "  explain \"{sum(amount)}, the largest {max(amount)}\"\n";
    TxnCore big[11];
    const char *big_ids[11] = {"y", "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "last"};
    big[0] = (TxnCore){.ts = 1000,
                       .from = 1,
                       .to = 3,
                       .amount = 1,
                       .currency = ('J' << 16 | 'P' << 8 | 'Y'),
                       .currency_exp = 0};
    for (guint i = 1; i < 10; i++)
        big[i] = (TxnCore){.ts = 1000 + i, .from = 2, .to = 3, EUR(LIMIT_AMOUNT_MINOR)};
    big[10] = (TxnCore){.ts = 1010, .from = 2, .to = 3, EUR(G_GINT64_CONSTANT(7199254740893))};
    Got g;
    run(rule, big, big_ids, 11, &g);
    cr_assert_eq(g.json->len, 1);
    expect_in(&g, 0,
              "\"explanation\":\"90,071,992,547,409.93 EUR, the largest "
              "10,000,000,000,000.00 EUR\"");
    expect_in(&g, 0, "\"sum(amount)\":\"90071992547409.93\"");
    g_ptr_array_unref(g.json);
    /* the same without the yen: the running total, one currency */
    big[0] = (TxnCore){.ts = 1000, .from = 1, .to = 3, EUR(100)};
    run(rule, big, big_ids, 11, &g);
    cr_assert_eq(g.json->len, 1);
    expect_in(&g, 0, "\"sum(amount)\":\"90071992547409.93\"");
    g_ptr_array_unref(g.json);
}
