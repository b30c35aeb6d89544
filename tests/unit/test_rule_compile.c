/* Rule compiler: every error has its exact message at file:line:col, and
 * lint proves conditions that can never be true. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rule_helpers.h"
#include "rule/rule_iso.h"

#define HEAD "rule X-1 \"test rule\"\n  source \"test\"\n  for each receiver\n"
#define TAIL "  explain \"x\"\n"

/* A rule "X-1" loaded from head, a filter and "alert if count >= 1";
 * freed with unload(). */
typedef struct {
    RuleSet *rs;
    GPtrArray *diags;
    char *dir;
} Loaded;

/* The first rule of text, which must load; freed with unload(). */
static const Rule *load_text(Loaded *l, const char *text)
{
    l->rs = rh_load(NULL, text, &l->diags, &l->dir);
    cr_assert_not_null(l->rs, "%s", text);
    return g_ptr_array_index(l->rs->rules, 0);
}

static const Rule *load_where(Loaded *l, const char *head, const char *where)
{
    g_autofree char *text =
        g_strdup_printf("%s  where %s\n  alert if count >= 1\n" TAIL, head, where);
    return load_text(l, text);
}

static void unload(Loaded *l)
{
    rule_set_free(l->rs);
    g_ptr_array_unref(l->diags);
    rh_cleanup(l->dir);
}

/* Parameters are copied into the test's own process: arrays, not pointers. */
typedef struct {
    char text[400];
    int line, col;
    char msg[240];
} ErrCase;

static const ErrCase err_cases[] = {
    {HEAD "  where amout > 3\n  alert if count >= 1\n" TAIL, 4, 9,
     "unknown field or name 'amout' (did you mean 'amount'?)"},
    {HEAD "  where hour > 23\n  alert if count >= 1\n" TAIL, 4, 9,
     "the condition of 'where' can never be true: hour > 23"},
    {HEAD "  where amount in [100, 50)\n  alert if count >= 1\n" TAIL, 4, 9,
     "the condition of 'where' can never be true: amount in [100, 50)"},
    {HEAD "  where amount >= 10 and amount < 10\n  alert if count >= 1\n" TAIL, 4, 26,
     "the condition of 'where' can never be true: amount >= 10 and amount < 10"},
    {HEAD "  within 10d\n  alert if count < 1\n" TAIL, 5, 12,
     "the condition of 'alert if' can never be true: count < 1"},
    {HEAD "  within 500d\n  alert if count >= 1\n" TAIL, 4, 10,
     "window of 500 days is longer than the maximum of 400 days"},
    {HEAD "  where count > 3\n  alert if count >= 1\n" TAIL, 4, 9,
     "aggregate 'count' is not allowed here: 'where' sees one transaction at a time"},
    {HEAD "  where mcc in nolist\n  alert if count >= 1\n" TAIL, 4, 16, "unknown list 'nolist'"},
    {HEAD "  where channel == teleport\n  alert if count >= 1\n" TAIL, 4, 20,
     "'teleport' is not a channel"},
    {HEAD "  where country in {PH, Thailand}\n  alert if count >= 1\n" TAIL, 4, 25,
     "'Thailand' is not a country"},
    {HEAD "  where amount + 1\n  alert if count >= 1\n" TAIL, 4, 9,
     "this filter gives an amount, not a condition (compare it with something)"},
    {HEAD "  alert if sum(amount) >=\n" TAIL, 5, 3, "expected a value, found 'explain'"},
    {HEAD "  alert if frob(amount) > 1\n" TAIL, 4, 12,
     "unknown function 'frob' (aggregates: count, sum, avg, min, max, distinct, span, ...)"},
    {HEAD "  within 10x\n  alert if count >= 1\n" TAIL, 4, 10,
     "expected a duration like 10d, 48h or 30m after 'within', found '10'"},
    {HEAD "  explain \"unterminated\n  alert if count >= 1\n", 4, 11,
     "expected a quoted sentence after 'explain', found an unterminated string"},
    {HEAD "  alert if count >= 1\n  explain \"{count:money} and {nosuch}\"\n", 5, 31,
     "unknown field or name 'nosuch'"},
    {HEAD "  alert if count >= 1\n  explain \"{count:frob}\"\n", 5, 19,
     "unknown format 'frob' (use money, pct, int, dur, or NOUN/NOUNS for a count and its noun)"},
    {HEAD "  alert if count >= 1\n  explain \"{count:a/b/c}\"\n", 5, 19,
     "unknown format 'a/b/c' (use money, pct, int, dur, or NOUN/NOUNS for a count and its noun)"},
    {HEAD "  alert if count >= 1\n  explain \"{count:/credits}\"\n", 5, 19,
     "unknown format '/credits' (use money, pct, int, dur, or NOUN/NOUNS for a count and its "
     "noun)"},
    {HEAD "  where amount > 1\n" TAIL, 1, 1, "rule X-1 lacks 'alert if'"},
    {HEAD "  alert if count >= 1\n" TAIL
          "  example \"e\"\n    2024-01-01 10:00 teleport -> A 5.00\n"
          "    expect no alert\n",
     7, 22, "unknown channel 'teleport'"},
    {HEAD "  alert if count >= 1\n" TAIL "  example \"e\"\n    2024-01-01 10:00 card A -> B 5.00\n",
     6, 3, "example 'e' has no 'expect' line"},
    {HEAD "  where ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((amount > 1"
          "))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))\n  alert if count "
          ">= 1\n" TAIL,
     4, 73, "expression nested more than 64 levels deep"},
    /* what each aggregate takes comes from RULE_AGG_LIST */
    {HEAD "  alert if count(amount > 1 where channel == card) >= 1\n" TAIL, 4, 35,
     "'where' inside count() is not supported; use count(condition)"},
    {HEAD "  alert if span(amount) > 1\n" TAIL, 4, 12, "span() takes nothing"},
    {HEAD "  alert if sum() > 1\n" TAIL, 4, 12, "sum() takes one value"},
    {HEAD "  alert if distinct(3) > 1\n" TAIL, 4, 21,
     "distinct() takes a field: counterparty, location, country, channel, mcc, ..."},
    {HEAD "  alert if forwarded(amount) > 1\n" TAIL, 4, 22,
     "forwarded() takes a duration like 48h, or a constant holding one"},
    {HEAD "  alert if new(counterparty) > 1\n" TAIL, 4, 12,
     "new() needs a 'baseline' clause (e.g. baseline 90d) before it"},
    {HEAD "  baseline 90d\n  alert if baseline(new(counterparty)) > 1\n" TAIL, 5, 12,
     "baseline() takes an aggregate, e.g. baseline(sum(amount))"},
    /* history fields are read when a row arrives: only as entry conditions */
    {HEAD "  within 30d\n  alert if sum(account.tenure) > 1\n" TAIL, 5, 12,
     "'sum(account.tenure)' takes a history field as its value: history is what was known "
     "when each row arrived, so it can only decide which entries count (count(COND), where "
     "COND)"},
    {HEAD "  within 30d\n  alert if distinct(account.tenure) > 1\n" TAIL, 5, 12,
     "'distinct(account.tenure)' takes a history field as its value: history is what was "
     "known when each row arrived, so it can only decide which entries count (count(COND), "
     "where COND)"},
    {HEAD "  where channel == transfer\n  within 10d\n  match cycle\n"
          "  alert if count(counterparty.is_new) >= 1\n" TAIL,
     7, 12,
     "'count(counterparty.is_new)' reads a history field over a graph match: test it in the "
     "rule's 'where', which sees each edge as it arrives"},
    {HEAD "  where channel == transfer\n  within 10d\n  match cycle\n"
          "  alert if account.tenure >= 1\n" TAIL,
     1, 1,
     "rule X-1 reads a history field in 'alert if': a graph rule's alert concerns a whole "
     "match, not one row; test history in its 'where'"},
    /* the graph patterns come from RULE_MATCH_LIST */
    {HEAD "  match spiral\n  within 10d\n" TAIL, 4, 9,
     "expected cycle, chain, scatter_gather, gather_scatter or funnel, found 'spiral'"},
    {HEAD "  where channel == transfer\n  within 10d\n  match cycle hold 2d\n" TAIL, 6, 20,
     "'hold' applies to 'match gather_scatter' only"},
    {HEAD "  where channel == transfer\n  within 10d\n  match gather_scatter hold 5\n" TAIL, 6, 29,
     "expected a duration like 10d, 48h or 30m after 'hold', found '5'"},
    /* types: names of the right kind, codes that exist, measures that match */
    {HEAD "  where channel == 7\n  alert if count >= 1\n" TAIL, 4, 20,
     "'7' is not a channel: write its name"},
    {HEAD "  where country == 3\n  alert if count >= 1\n" TAIL, 4, 20,
     "'3' is not a country: write its name"},
    {HEAD "  where amount > 10d\n  alert if count >= 1\n" TAIL, 4, 18,
     "an amount is compared with a duration"},
    {HEAD "  where amount in [1d, 2d]\n  alert if count >= 1\n" TAIL, 4, 20,
     "an amount is compared with a duration"},
    {HEAD "  within 10d\n  alert if count >= 2 and span < sum(amount)\n" TAIL, 5, 34,
     "a duration is compared with an amount"},
    {HEAD "  where country == ZZ\n  alert if count >= 1\n" TAIL, 4, 20, "'ZZ' is not a country"},
    {HEAD "  where country in {XX, DE}\n  alert if count >= 1\n" TAIL, 4, 21,
     "'XX' is not a country"},
    {HEAD "  where currency in {EUR, EUD}\n  alert if count >= 1\n" TAIL, 4, 27,
     "'EUD' is not a currency"},
    {HEAD "  where channel == country\n  alert if count >= 1\n" TAIL, 4, 20,
     "a channel is compared with a country"},
    /* did you mean, and '=' for '==' */
    {HEAD "  where chanel == card\n  alert if count >= 1\n" TAIL, 4, 9,
     "unknown field or name 'chanel' (did you mean 'channel'?)"},
    {HEAD "  alert if distinc(counterparty) > 1\n" TAIL, 4, 12,
     "unknown function 'distinc' (did you mean 'distinct'?) (aggregates: count, sum, avg, min, "
     "max, distinct, span, ...)"},
    {"list gambling: mcc = 7995\n" HEAD "  where mcc in gamblng\n  alert if count >= 1\n" TAIL, 5,
     16, "unknown list 'gamblng' (did you mean 'gambling'?)"},
    {HEAD "  param min_senders = 5\n  alert if count >= min_sender\n" TAIL, 5, 21,
     "unknown field or name 'min_sender' (did you mean 'min_senders'?)"},
    {HEAD "  where direction = in\n  alert if count >= 1\n" TAIL, 4, 19,
     "expected an operator or the next clause, found '=' (to compare, write '==')"},
    /* the lifecycle clauses */
    {HEAD "  status retired\n  alert if count >= 1\n" TAIL, 4, 10,
     "expected stable, experimental, test or shadow, found 'retired'"},
    {HEAD "  date \"1 May 2026\"\n  alert if count >= 1\n" TAIL, 4, 8,
     "the date '1 May 2026' is not YYYY-MM-DD"},
    /* text tests on the memo */
    {HEAD "  where location contains \"x\"\n  alert if count >= 1\n" TAIL, 4, 9,
     "'contains' tests the memo only: write 'memo contains \"...\"'"},
    {HEAD "  where memo starts_with \"\"\n  alert if count >= 1\n" TAIL, 4, 26,
     "an empty text after 'starts_with' is always true"},
    {HEAD "  where memo matches \"inv(\"\n  alert if count >= 1\n" TAIL, 4, 22,
     "'inv(' is not a regular expression: Error while compiling regular expression ‘inv(’ at "
     "char 4: missing terminating )"},
    {HEAD "  where memo contains 3\n  alert if count >= 1\n" TAIL, 4, 23,
     "expected a quoted text after the text test, found '3'"},
    {"rule X-1 \"test rule\"\n  source \"test\"\n  for each receiver\n  within 1d\n"
     "  alert if count >= 1\n  explain \"{memo contains \\\"x\\\"}\"\n",
     6, 13, "the memo cannot be tested in 'explain' (test it in 'where' or 'alert if')"},
    {HEAD "  within 1d\n  alert if sequence(memo contains \"x\", amount > 1, 1d) >= 1\n" TAIL, 5,
     12,
     "'sequence(memo contains \"x\", amount > 1, 1d)' tests the memo before its last step: a "
     "window entry keeps no text, so a memo test can only decide which entries count "
     "(count(COND), where COND, the last step)"},
    {"rule X-1 \"test rule\"\n  source \"test\"\n  within 1d\n"
     "  match cycle length 2 to 3\n  alert if memo contains \"x\"\n  explain \"x\"\n",
     1, 1,
     "rule X-1 tests the memo in 'alert if': a graph rule's alert concerns a whole match, not "
     "one row; test the memo in its 'where'"},
    /* ordered steps */
    {HEAD "  within 1d\n  alert if sequence(channel == card, 24h) >= 1\n" TAIL, 5, 12,
     "sequence() takes two or more conditions and a duration, e.g. (channel == cash_deposit, "
     "direction == out, 24h)"},
    {HEAD "  within 1d\n  alert if sequence(amount > 1, amount > 2, amount > 3, amount > 4, "
          "amount > 5, amount > 6, amount > 7, amount > 8, amount > 9, 24h) >= 1\n" TAIL,
     5, 117, "sequence() takes at most 8 steps, then the duration"},
    {HEAD "  within 1d\n  alert if sequence(channel == card, account.tenure > 3, channel == card, "
          "24h) >= 1\n" TAIL,
     5, 12,
     "'sequence(channel == card, account.tenure > 3, channel == card, 24h)' reads a history "
     "field before its last step: only the last step is kept per entry as it arrives, so only "
     "it may test history"},
    {HEAD
     "  within 1d\n  alert if sequence(channel == card, channel == cash_withdrawal, 0) >= 1\n" TAIL,
     5, 66, "sequence() takes a duration like 48h, or a constant holding one"},
    /* account lists */
    {"list w: account = file \"missing.txt\"\n" HEAD
     "  where counterparty in w\n  alert if count >= 1\n" TAIL,
     1, 24, "no account list 'missing.txt' beside the rule file"},
    {"list w: account = A1, B2\n" HEAD "  where channel in w\n  alert if count >= 1\n" TAIL, 5, 20,
     "list 'w' holds account values but is compared with a channel"},
    {"list w: account = A1, [\n" HEAD "  alert if count >= 1\n" TAIL, 1, 23,
     "'[' is not an account id (quote ids with other characters)"},
    /* order statistics */
    {HEAD "  within 1d\n  alert if percentile(amount, 120) > 5\n" TAIL, 5, 31,
     "the percent of percentile() is a number from 0 to 100, e.g. percentile(amount, 90)"},
    {HEAD "  within 1d\n  alert if percentile(amount) > 5\n" TAIL, 5, 12,
     "percentile() takes a value and a percent, e.g. (amount, 90)"},
    {HEAD "  alert if count >= 1\n" TAIL "  bogus 3\n", 6, 3,
     "expected a clause (for each, where, within, alert if, explain, example, ...), found 'bogus'"},
};

ParameterizedTestParameters(rule_compile, errors)
{
    return cr_make_param_array(ErrCase, err_cases, G_N_ELEMENTS(err_cases));
}

ParameterizedTest(const ErrCase *c, rule_compile, errors)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rh_load(NULL, c->text, &diags, &dir);
    cr_assert_null(rs, "compiled although it should fail: %s", c->msg);
    guint k = 0; /* the first error: warnings (no examples) may come before it */
    while (k < diags->len && ((const RuleDiag *)g_ptr_array_index(diags, k))->warning)
        k++;
    cr_assert_lt(k, diags->len);
    const RuleDiag *d = g_ptr_array_index(diags, k);
    cr_expect_str_eq(d->msg, c->msg);
    cr_expect_eq(d->line, c->line, "line %d, expected %d for %s", d->line, c->line, c->msg);
    cr_expect_eq(d->col, c->col, "col %d, expected %d for %s", d->col, c->col, c->msg);
    cr_expect_eq(d->warning, FALSE);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

Test(rule_compile, caret_under_the_column)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs =
        rh_load(NULL, HEAD "  where amout > 3\n  alert if count >= 1\n" TAIL, &diags, &dir);
    cr_assert_null(rs);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    rule_diag_print(g_ptr_array_index(diags, 0), f);
    fclose(f);
    g_autofree char *want = g_strdup_printf("%s/t.rule:4:9: error: unknown field or name 'amout' "
                                            "(did you mean 'amount'?)\n"
                                            "    4 |   where amout > 3\n"
                                            "      |         ^\n",
                                            dir);
    cr_expect_str_eq(buf, want);
    free(buf);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

Test(rule_compile, every_error_of_a_file_is_reported)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rh_load(NULL, HEAD "  where amout > 3\n  within 500d\n  alert if cnt >= 1\n" TAIL,
                          &diags, &dir);
    cr_assert_null(rs);
    int errors = 0;
    for (guint i = 0; i < diags->len; i++)
        errors += !((RuleDiag *)g_ptr_array_index(diags, i))->warning;
    cr_expect_eq(errors, 3);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

Test(rule_compile, unused_list_is_a_warning_not_an_error)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rh_load("list spare: mcc = 7311\n",
                          HEAD "  alert if count >= 1\n" TAIL "  example \"e\"\n"
                               "    2024-01-01 10:00 card A -> B 5.00\n    expect alert on B\n",
                          &diags, &dir);
    cr_assert_not_null(rs);
    cr_assert_eq(diags->len, 1);
    const RuleDiag *d = g_ptr_array_index(diags, 0);
    cr_expect(d->warning);
    cr_expect_str_eq(d->msg, "list 'spare' is never used");
    cr_expect_eq(d->line, 1);
    cr_expect_eq(d->col, 6);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

Test(rule_compile, channel_prefilter_mask)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs =
        rh_load(NULL,
                HEAD "  where (channel == card or channel in {atm_deposit}) and amount > 1\n"
                     "  alert if count >= 1\n" TAIL,
                &diags, &dir);
    cr_assert_not_null(rs);
    const Rule *r = g_ptr_array_index(rs->rules, 0);
    cr_expect_eq(r->plan.channel_mask, (1u << CHANNEL_CARD) | (1u << CHANNEL_ATM_DEPOSIT));
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

/* The masks by side and by a missing mcc: the filter evaluated with the
 * channel, the direction and a missing mcc known. */
Test(rule_compile, channel_prefilter_by_side_and_mcc)
{
    const guint32 all = G_MAXUINT32, card = 1u << CHANNEL_CARD,
                  cash_in = 1u << CHANNEL_CASH_DEPOSIT, wire = 1u << CHANNEL_WIRE_DOMESTIC;
    static const char *const wheres[] = {
        "channel != card",
        "(direction == in and channel == cash_deposit) or (direction == out and channel in "
        "{wire_domestic})",
        "mcc in {7011, 7012}",
        "not (mcc == 7011) and channel == card",
        "direction == out or amount > 1", /* cannot tell on the receiving side */
    };
    /* [case][side][mcc present, missing] */
    const guint32 want[][SIDE_COUNT][2] = {
        {{~card, ~card}, {~card, ~card}, {~card, ~card}},
        {{cash_in | wire, cash_in | wire}, {wire, wire}, {cash_in, cash_in}},
        {{all, 0}, {all, 0}, {all, 0}},
        {{card, card}, {card, card}, {card, card}},
        {{all, all}, {all, all}, {all, all}},
    };
    for (guint i = 0; i < G_N_ELEMENTS(wheres); i++) {
        Loaded l;
        const Rule *r = load_where(&l, HEAD, wheres[i]);
        for (int side = 0; side < SIDE_COUNT; side++) {
            for (int absent = 0; absent < 2; absent++)
                cr_expect_eq(r->plan.pass_mask[side][absent], want[i][side][absent],
                             "%s: side %d, mcc missing %d: %x", wheres[i], side, absent,
                             r->plan.pass_mask[side][absent]);
        }
        unload(&l);
    }
}

/* A filter that surely passes once the account prefilter has: the
 * interpreter need not run it. */
Test(rule_compile, filter_surely_passes)
{
    static const struct {
        const char *where;
        gboolean card_in,
            transfer_out; /* surely passes: a card payment received, a transfer sent */
    } cases[] = {
        {"channel != card", FALSE, TRUE},
        {"account.kind == person and (channel == card or channel == transfer)", TRUE, TRUE},
        {"(direction == in and channel == card) or (direction == out and amount > 1)", TRUE, FALSE},
        {"account.kind == person or channel == card", TRUE, FALSE}, /* the or's one side */
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        Loaded l;
        const Rule *r = load_where(&l, HEAD, cases[i].where);
        cr_expect_eq(r->plan.pass_surely[SIDE_RECEIVER][0] >> CHANNEL_CARD & 1, cases[i].card_in,
                     "%s", cases[i].where);
        cr_expect_eq(r->plan.pass_surely[SIDE_SENDER][1] >> CHANNEL_TRANSFER & 1,
                     cases[i].transfer_out, "%s", cases[i].where);
        unload(&l);
    }
}

/* The filter as run from each side: the direction decided, the account's
 * fixed attributes left to the account prefilter. */
Test(rule_compile, filter_by_side)
{
    static const struct {
        const char *where;
        guint sender, receiver; /* steps of the programs, HALT included; 0 = passes */
    } cases[] = {
        /* sender: amount > 5; receiver: channel == cash_deposit */
        {"(direction == in and channel == cash_deposit) or (direction == out and amount > 5)", 2,
         2},
        {"account.kind == person and amount > 1", 2, 2}, /* amount > 1 */
        {"direction == out or account.kind == person", 0, 2},
        {"account.shared_phone >= 3", 0, 0},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        Loaded l;
        const Rule *r = load_where(
            &l, "rule X-1 \"test rule\"\n  source \"test\"\n  for each account\n", cases[i].where);
        cr_expect_eq(r->plan.side_filter[SIDE_SENDER].n, cases[i].sender, "%s: sender %u steps",
                     cases[i].where, r->plan.side_filter[SIDE_SENDER].n);
        cr_expect_eq(r->plan.side_filter[SIDE_RECEIVER].n, cases[i].receiver,
                     "%s: receiver %u steps", cases[i].where, r->plan.side_filter[SIDE_RECEIVER].n);
        if (i == 0) /* to oneself the direction is undecided: both branches stay */
            cr_expect_gt(r->plan.side_filter[SIDE_ANY].n, 4, "%s", cases[i].where);
        unload(&l);
    }
}

/* Knowing the channel too leaves only what it does not decide: a card
 * payment sent runs "not counterparty.same_customer" alone; a wage received
 * runs nothing (it surely passes). */
Test(rule_compile, filter_by_shape)
{
    Loaded l;
    const Rule *r = load_where(
        &l, "rule X-1 \"test rule\"\n  source \"test\"\n  for each account\n",
        "account.kind == person and ((channel == ach_payroll and direction == in) or (direction "
        "== out and (channel == card or channel in {transfer}) and not "
        "counterparty.same_customer))");
    const RuleProgram *card = r->plan.shape_filter[SIDE_SENDER][0][CHANNEL_CARD];
    cr_assert_not_null(card);
    cr_expect_eq(card->n, 3, "%u steps", card->n); /* FIELD, NOT, HALT */
    cr_expect_eq(card->steps[0].op, OP_FIELD);
    cr_expect_eq(card->steps[0].a, FIELD_CP_SAME_CUSTOMER);
    cr_expect_not_null(r->plan.shape_filter[SIDE_SENDER][1][CHANNEL_TRANSFER]);
    cr_expect_null(r->plan.shape_filter[SIDE_RECEIVER][1][CHANNEL_ACH_PAYROLL]);
    cr_expect(r->plan.pass_surely[SIDE_RECEIVER][1] >> CHANNEL_ACH_PAYROLL & 1);
    unload(&l);
}

static guint count_codes(const guint64 *bits)
{
    guint n = 0;
    for (guint m = 0; m < RULE_MCC_CODES; m++)
        n += rule_mcc_has(bits, m);
    return n;
}

/* Where the filter tests the mcc against constants, the code decides
 * without the program: a card payment received under the filter below
 * surely passes with 4511 or 4722, never with 5411, and runs the filter
 * ("amount > 100") with any other code. */
/* The amounts a shape's filter can pass: below and above them the program
 * need not run. Bounds come from the constants it compares the amount
 * with, for the side and channel (here the receiver's: at least 500; a
 * remittance sent: 1,000 to 5,000); none where a part passes at any
 * amount (a transfer sent). */
Test(rule_compile, amount_prefilter)
{
    Loaded l;
    const Rule *r = load_where(
        &l, "rule X-1 \"test rule\"\n  source \"test\"\n  param big = 500\n  for each account\n",
        "(direction == in and amount >= big) or (direction == out and ((channel == remittance "
        "and amount in [1000, 5000]) or (channel == transfer and country == DE)))");
    const RuleAmountRange *in = &r->plan.shape_amount[SIDE_RECEIVER][1][CHANNEL_TRANSFER];
    cr_expect_eq(in->lo, 500);
    cr_expect_eq(in->hi, INFINITY);
    const RuleAmountRange *rem = &r->plan.shape_amount[SIDE_SENDER][1][CHANNEL_REMITTANCE];
    cr_expect_eq(rem->lo, 1000);
    cr_expect_eq(rem->hi, 5000);
    const RuleAmountRange *tr = &r->plan.shape_amount[SIDE_SENDER][1][CHANNEL_TRANSFER];
    cr_expect_eq(tr->lo, -INFINITY);
    cr_expect_eq(tr->hi, INFINITY);
    unload(&l);
}

Test(rule_compile, mcc_prefilter)
{
    Loaded l;
    const Rule *r = load_where(&l, HEAD, "mcc in {4511, 4722} or (mcc != 5411 and amount > 100)");
    const RuleMccSet *m = r->plan.shape_mcc[SIDE_RECEIVER][CHANNEL_CARD];
    cr_assert_not_null(m);
    cr_expect_eq(count_codes(m->maybe), RULE_MCC_CODES - 1);
    cr_expect_not(rule_mcc_has(m->maybe, 5411));
    cr_expect_eq(count_codes(m->surely), 2);
    cr_expect(rule_mcc_has(m->surely, 4511) && rule_mcc_has(m->surely, 4722));
    cr_expect(rule_mcc_has(m->maybe, 0) && !rule_mcc_has(m->surely, 0));
    cr_expect(rule_mcc_has(m->maybe, 9999) && !rule_mcc_has(m->surely, 9999));
    /* kept once for the rule, whatever the channel */
    cr_expect_eq(r->plan.shape_mcc[SIDE_RECEIVER][CHANNEL_TRANSFER], m);
    cr_expect_eq(r->plan.mcc_sets->len, 1);
    unload(&l);
    /* a filter that does not test the mcc, or only as a number, has none */
    static const char *const none[] = {"amount > 100", "mcc >= 5000 and amount > 100"};
    for (guint i = 0; i < G_N_ELEMENTS(none); i++) {
        r = load_where(&l, HEAD, none[i]);
        cr_expect_null(r->plan.shape_mcc[SIDE_RECEIVER][CHANNEL_CARD], "%s", none[i]);
        unload(&l);
    }
}

/* "count >= 1" is one step: an aggregate compared with a constant is fused,
 * as a field compared with one is. */
Test(rule_compile, aggregate_compared_with_a_constant_is_one_step)
{
    Loaded l;
    const Rule *r = load_where(&l, HEAD, "amount > 1");
    cr_assert_eq(r->condition.n, 2, "%u steps", r->condition.n);
    cr_expect_eq(r->condition.steps[0].op, OP_AGG_CMP);
    cr_expect_eq(r->condition.steps[0].b, OP_GE);
    cr_expect_eq(r->condition.steps[0].k, 1);
    cr_expect_eq(r->filter.steps[0].op, OP_FIELD_CMP);
    unload(&l);
}

/* An aggregate's condition worked out per side and channel: surely true,
 * surely false, or left to the interpreter. */
/* The leads: the parts joined by `and` that compare a running count or sum,
 * or a span, with a constant; not a part under `or`, a baseline's count or
 * sum, a distinct count or a comparison with another aggregate. */
Test(rule_compile, leads_are_the_and_parts_on_running_totals_and_spans)
{
    Loaded l;
    const Rule *r = load_text(
        &l, HEAD "  within 7d\n  baseline 30d\n"
                 "  alert if count >= 3 and (sum(amount) > 10 or count(mcc == 5411) > 1)\n"
                 "           and span >= 2d and distinct(counterparty) >= 2\n"
                 "           and baseline(count) < 4\n"
                 "           and sum(amount where direction == in) >= 2 * sum(amount)\n"
                 "           and sum(amount where channel == card) < 500\n"
                 "           and baseline(span) >= 10d\n" TAIL);
    cr_assert_eq(r->plan.leads->len, 4); /* the running totals first, then the spans */
    const RuleLead *a = &g_array_index(r->plan.leads, RuleLead, 0);
    const RuleLead *b = &g_array_index(r->plan.leads, RuleLead, 1);
    const RuleLead *c = &g_array_index(r->plan.leads, RuleLead, 2);
    const RuleLead *d = &g_array_index(r->plan.leads, RuleLead, 3);
    cr_expect_str_eq(a->text, "count >= 3");
    cr_expect_eq(a->op, OP_GE);
    cr_expect_eq(a->k, 3);
    cr_expect_str_eq(g_array_index(r->aggs, RuleAgg, a->agg).text, "count");
    cr_expect_str_eq(b->text, "sum(amount where channel == card) < 500");
    cr_expect_eq(b->op, OP_LT);
    cr_expect_eq(b->k, 500);
    cr_expect_str_eq(c->text, "span >= 2d");
    cr_expect_str_eq(d->text, "baseline(span) >= 10d");
    cr_expect_eq(d->k, 10 * 86400);
    unload(&l);
}

/* A running total is kept over the one part of the window it is read
 * from: count and sum(amount) over the window, their baseline() forms over
 * the baseline; four totals a window, not one per aggregate and part. */
Test(rule_compile, running_totals_are_kept_over_their_part_only)
{
    Loaded l;
    const Rule *r =
        load_text(&l, HEAD "  within 7d\n  baseline 30d\n"
                           "  alert if count >= 3 and sum(amount) > 2 * baseline(sum(amount))\n"
                           "           and baseline(count) > 1 and baseline(span) >= 20d\n" TAIL);
    cr_expect_eq(r->aggs->len, 5);
    cr_expect_eq(r->plan.n_run, 4);
    cr_expect_eq(r->plan.n_track_any[0], 2, "count and sum(amount)");
    cr_expect_eq(r->plan.n_track_any[1], 2, "their baseline() forms");
    for (guint i = 0; i < r->plan.tracked->len; i++) {
        const RuleTrack *t = &g_array_index(r->plan.tracked, RuleTrack, i);
        const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, t->agg);
        cr_expect_eq(t->part, g->baseline ? 1 : 0, "%s", g->text);
        cr_expect_eq(i < 2, !g->baseline, "%s: the window part's first", g->text);
        cr_expect_eq(t->slot, g->run_slot);
    }
    unload(&l);
}

Test(rule_compile, aggregate_condition_masks)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs =
        rh_load(NULL,
                HEAD "  alert if count(direction == in) >= 1\n"
                     "    and sum(amount where channel == ach_payroll and amount > 5) > 1\n"
                     "    and count(mcc in {7011}) >= 1\n" TAIL,
                &diags, &dir);
    cr_assert_not_null(rs);
    const Rule *r = g_ptr_array_index(rs->rules, 0);
    cr_assert_eq(r->aggs->len, 3);
    const RuleAgg *in = &g_array_index(r->aggs, RuleAgg, 0);
    const RuleAgg *wage = &g_array_index(r->aggs, RuleAgg, 1);
    const RuleAgg *hotel = &g_array_index(r->aggs, RuleAgg, 2);
    const guint32 all = G_MAXUINT32, payroll = 1u << CHANNEL_ACH_PAYROLL;
    for (int absent = 0; absent < 2; absent++) {
        cr_expect_eq(in->flag_surely[SIDE_RECEIVER][absent], all);
        cr_expect_eq(in->flag_maybe[SIDE_SENDER][absent], 0);
        cr_expect_eq(in->flag_maybe[SIDE_ANY][absent], all); /* to oneself: left to run */
        cr_expect_eq(in->flag_surely[SIDE_ANY][absent], 0);
        cr_expect_eq(wage->flag_maybe[SIDE_SENDER][absent], payroll);
        cr_expect_eq(wage->flag_surely[SIDE_SENDER][absent], 0); /* the amount is not known */
    }
    cr_expect_eq(hotel->flag_maybe[SIDE_SENDER][1], 0, "no mcc: never a hotel");
    cr_expect_eq(hotel->flag_maybe[SIDE_SENDER][0], all);
    cr_expect_eq(hotel->flag_surely[SIDE_SENDER][0], 0);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

/* The account prefilter: the "and" parts that read only fixed attributes. */
Test(rule_compile, account_prefilter_parts)
{
    static const struct {
        const char *where, *fixed; /* NULL: none */
    } cases[] = {
        {"account.kind == person and amount > 1 and account.shared_phone >= 3",
         "account.kind == person and account.shared_phone >= 3"},
        {"(account.occupation == \"retired\" or account.income > 100) and channel == card",
         "(account.occupation == \"retired\" or account.income > 100)"},
        {"account.age < 18 and account.kind == person", "account.kind == person"}, /* age moves */
        {"account.kind == person or amount > 1", NULL},
        {"counterparty.kind == business", NULL},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        Loaded l;
        const Rule *r = load_where(&l, HEAD, cases[i].where);
        if (cases[i].fixed)
            cr_expect_str_eq(r->plan.account_filter_src, cases[i].fixed, "%s", cases[i].where);
        else
            cr_expect_null(r->plan.account_filter_src, "%s: %s", cases[i].where,
                           r->plan.account_filter_src);
        cr_expect_eq(r->plan.account_filter.n > 0, cases[i].fixed != NULL, "%s", cases[i].where);
        unload(&l);
    }
}

Test(rule_compile, account_kind_prefilter_mask)
{
    static const struct {
        const char *where;
        guint32 mask;
    } cases[] = {
        {"account.kind == business and amount > 1", 1u << 2},
        {"account.kind != business", ~(1u << 2)},
        {"account.kind == person or account.kind == business", (1u << 1) | (1u << 2)},
        {"account.kind == person or amount > 1", G_MAXUINT32}, /* cannot tell */
        {"not (account.kind == person)", G_MAXUINT32},         /* not followed */
        {"counterparty.kind == business", G_MAXUINT32},        /* the other side */
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        Loaded l;
        const Rule *r = load_where(&l, HEAD, cases[i].where);
        cr_expect_eq(r->plan.kind_mask, cases[i].mask, "%s: %x", cases[i].where, r->plan.kind_mask);
        unload(&l);
    }
}

Test(rule_compile, overrides_replace_constants_and_parameters)
{
    char *dir = g_dir_make_tmp("mt-rule-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "t.rule", NULL);
    g_file_set_contents(path,
                        "const limit = 100\n"
                        "rule X-1 \"t\"\n  source \"s\"\n  param min = 3\n  for each sender\n"
                        "  where amount >= limit\n  within 1d\n  alert if count >= min\n"
                        "  explain \"x\"\n",
                        -1, NULL);
    g_autoptr(GHashTable) ov = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(ov, (gpointer) "limit", (gpointer) "250");
    g_hash_table_insert(ov, (gpointer) "X-1.min", (gpointer) "5");
    GPtrArray *diags = rule_diags_new();
    const char *paths[] = {dir};
    RuleSet *rs = rule_set_load_with(paths, 1, ov, diags);
    cr_assert_not_null(rs);
    const Rule *r = g_ptr_array_index(rs->rules, 0);
    cr_expect_eq(((RuleConst *)g_ptr_array_index(r->params, 0))->value, 5);
    cr_expect_eq(((RuleConst *)g_ptr_array_index(rs->consts, 0))->value, 250);
    rule_set_free(rs);
    g_hash_table_insert(ov, (gpointer) "X-1.nosuch", (gpointer) "1");
    rs = rule_set_load_with(paths, 1, ov, diags);
    cr_expect_null(rs);
    const RuleDiag *d = g_ptr_array_index(diags, diags->len - 1);
    cr_expect_str_eq(d->msg, "'X-1.nosuch' is neither a constant nor a rule parameter (RULE.NAME)");
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

/* Each graph rule has a bit in an edge's 32-bit tag: a set with one graph
 * rule more than LIMIT_GRAPH_RULES is refused, saying so, rather than run
 * the extra ones some other way. */
Test(rule_compile, graph_rules_beyond_the_limit_are_refused)
{
    for (guint n = LIMIT_GRAPH_RULES; n <= LIMIT_GRAPH_RULES + 1; n++) {
        GString *text = g_string_new(NULL);
        for (guint i = 0; i < n; i++)
            g_string_append_printf(text,
                                   "rule G-%u \"cycle\"\n  source \"test\"\n  where channel == "
                                   "transfer\n  within 7d\n  match cycle length 2 tolerance "
                                   "10%%\n  explain \"x\"\n",
                                   i);
        GPtrArray *diags;
        char *dir;
        RuleSet *rs = rh_load(NULL, text->str, &diags, &dir);
        if (n == LIMIT_GRAPH_RULES) {
            cr_expect_not_null(rs, "%u graph rules load", n);
        } else {
            cr_expect_null(rs, "%u graph rules are refused", n);
            gboolean said = FALSE;
            g_autofree char *want = g_strdup_printf(
                "%u rules with 'match': at most %d can be loaded at once", n, LIMIT_GRAPH_RULES);
            for (guint i = 0; i < diags->len; i++)
                said |= strcmp(((RuleDiag *)g_ptr_array_index(diags, i))->msg, want) == 0;
            cr_expect(said, "the message names the number and the limit");
        }
        if (rs)
            rule_set_free(rs);
        g_ptr_array_unref(diags);
        rh_cleanup(dir);
        g_string_free(text, TRUE);
    }
}

/* An aggregate only the explanation uses is worked out when an alert is
 * raised, not kept in step with every window: no running total, no
 * condition bit per entry. Here the count is kept, the sum is not. */
Test(rule_compile, explanation_only_aggregates_are_not_kept)
{
    Loaded l;
    l.rs = rh_load(NULL,
                   HEAD "  within 1d\n  alert if count(direction == in) >= 2\n  explain "
                        "\"{sum(amount where direction == out)} out\"\n",
                   &l.diags, &l.dir);
    cr_assert_not_null(l.rs);
    const Rule *r = g_ptr_array_index(l.rs->rules, 0);
    cr_assert_eq(r->aggs->len, 2);
    const RuleAgg *count = &g_array_index(r->aggs, RuleAgg, 0);
    const RuleAgg *sum = &g_array_index(r->aggs, RuleAgg, 1);
    cr_expect(count->running && count->flag >= 0);
    cr_expect(!sum->running && sum->flag < 0);
    cr_expect_eq(r->plan.tracked->len, 1);
    unload(&l);
}

/* Loads text as t.rule with one override KEY=VALUE; the set (or NULL) and
 * the first error's message ("" if none) into msg (caller frees). */
static RuleSet *load_overridden(const char *text, const char *key, const char *value, char **msg)
{
    char *dir = g_dir_make_tmp("mt-rule-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "t.rule", NULL);
    g_file_set_contents(path, text, -1, NULL);
    g_autoptr(GHashTable) ov = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(ov, (gpointer)key, (gpointer)value);
    GPtrArray *diags = rule_diags_new();
    const char *paths[] = {dir};
    RuleSet *rs = rule_set_load_with(paths, 1, ov, diags);
    guint k = 0;
    while (k < diags->len && ((RuleDiag *)g_ptr_array_index(diags, k))->warning)
        k++;
    *msg = g_strdup(k < diags->len ? ((RuleDiag *)g_ptr_array_index(diags, k))->msg : "");
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
    return rs;
}

#define HORIZON_RULE                                                                               \
    "rule X-1 \"t\"\n  source \"s\"\n  param horizon = 2d\n  param min = 3\n"                      \
    "  for each sender\n  within 10d\n  alert if count >= min and span < horizon\n"                \
    "  explain \"x\"\n"

Test(rule_compile, a_duration_parameter_takes_a_duration_override)
{
    g_autofree char *msg = NULL;
    RuleSet *rs = load_overridden(HORIZON_RULE, "X-1.horizon", "36h", &msg);
    cr_assert_not_null(rs, "%s", msg);
    const Rule *r = g_ptr_array_index(rs->rules, 0);
    cr_expect_eq(((RuleConst *)g_ptr_array_index(r->params, 0))->value, 36 * 3600);
    cr_expect_eq(((RuleConst *)g_ptr_array_index(r->params, 0))->type, TY_DURATION);
    rule_set_free(rs);
}

Test(rule_compile, a_duration_override_of_a_number_is_refused)
{
    g_autofree char *msg = NULL;
    cr_expect_null(load_overridden(HORIZON_RULE, "X-1.min", "2d", &msg));
    cr_expect_str_eq(msg, "the override X-1.min=2d is a duration, but X-1.min holds a number");
}

Test(rule_compile, a_misspelt_override_gets_a_suggestion)
{
    g_autofree char *msg = NULL;
    cr_expect_null(load_overridden(HORIZON_RULE, "X-1.horizn", "1d", &msg));
    cr_expect_str_eq(msg, "'X-1.horizn' is neither a constant nor a rule parameter (RULE.NAME) "
                          "(did you mean 'X-1.horizon'?)");
}

Test(rule_compile, iso_tables_are_sorted_and_complete)
{
    guint nc, ncur;
    cr_expect(rule_iso_tables_sorted(&nc, &ncur));
    cr_expect_eq(nc, 250);   /* 249 assigned codes and XK */
    cr_expect_eq(ncur, 182); /* List One, funds and metals included */
    cr_expect(rule_iso_country("PH"));
    cr_expect(rule_iso_country("XK"));
    cr_expect_not(rule_iso_country("XX"));
    cr_expect_not(rule_iso_country("UK")); /* the United Kingdom is GB */
    cr_expect(rule_iso_currency("EUR"));
    cr_expect_not(rule_iso_currency("HRK")); /* withdrawn in 2023 */
}
