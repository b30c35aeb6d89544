/* Rule interpreter: filters evaluated on transactions a person can check. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>

#include "rule_helpers.h"

/* Parameters are copied into the test's own process: arrays, not pointers. */
typedef struct {
    char where[64];
    gint64 amount; /* minor units, EUR */
    gint64 ts;     /* UTC */
    int offset;    /* minutes */
    Channel channel;
    guint16 mcc;
    char country[3];
    gboolean expect;
} VmCase;

#define T0 1709283600 /* 2024-03-01T09:00:00Z, a Friday */
static const VmCase vm_cases[] = {
    {"amount in [8000, 10000)", 799999, T0, 0, CHANNEL_CARD, 0, "", FALSE},
    {"amount in [8000, 10000)", 800000, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    {"amount in [8000, 10000)", 999999, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    {"amount in [8000, 10000)", 1000000, T0, 0, CHANNEL_CARD, 0, "", FALSE},
    {"amount >= 0.8 * 10000", 800000, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    {"amount % 100 == 0", 950000, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    {"amount % 100 == 0", 950010, T0, 0, CHANNEL_CARD, 0, "", FALSE},
    {"hour == 9", 100, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    {"hour == 11", 100, T0, 120, CHANNEL_CARD, 0, "", TRUE},
    {"hour >= 22 or hour < 5", 100, T0 + 13 * 3600, 120, CHANNEL_CARD, 0, "", TRUE},
    {"weekday == fri", 100, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    {"weekday in {sat, sun}", 100, T0 + 15 * 3600, 0, CHANNEL_CARD, 0, "", TRUE},
    {"weekday in {sat, sun}", 100, T0 + 14 * 3600, 0, CHANNEL_CARD, 0, "", FALSE},
    {"channel == atm_deposit", 100, T0, 0, CHANNEL_ATM_DEPOSIT, 0, "", TRUE},
    {"channel not in {card, atm_deposit}", 100, T0, 0, CHANNEL_ATM_DEPOSIT, 0, "", FALSE},
    {"mcc in {7311, 5967}", 100, T0, 0, CHANNEL_CARD, 5967, "", TRUE},
    {"mcc == 7311", 100, T0, 0, CHANNEL_CARD, 7312, "", FALSE},
    {"country in {PH, TH}", 100, T0, 0, CHANNEL_REMITTANCE, 0, "TH", TRUE},
    {"country == PH", 100, T0, 0, CHANNEL_REMITTANCE, 0, "TH", FALSE},
    {"not (amount < 5) and channel == card", 500, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    {"-amount < -4.99", 500, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    /* constants folded at compile time, but never across a jump */
    {"amount == 0.5 * 10", 500, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    {"(mcc == 7311 and 1) + 2 == 2", 500, T0, 0, CHANNEL_CARD, 0, "", TRUE},
    {"(mcc == 0 and 1) + 2 == 3", 500, T0, 0, CHANNEL_CARD, 0, "", TRUE},
};

ParameterizedTestParameters(rule_vm, filters)
{
    return cr_make_param_array(VmCase, vm_cases, G_N_ELEMENTS(vm_cases));
}

ParameterizedTest(const VmCase *c, rule_vm, filters)
{
    g_autofree char *text = g_strdup_printf(
        "rule X-1 \"t\"\n  source \"s\"\n  for each sender\n  where %s\n  alert if count >= 1\n"
        "  explain \"x\"\n",
        c->where);
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rh_load(NULL, text, &diags, &dir);
    cr_assert_not_null(rs, "does not compile: %s", c->where);
    const Rule *r = g_ptr_array_index(rs->rules, 0);
    TxnCore t = {.ts = c->ts,
                 .amount = c->amount,
                 .from = 1,
                 .to = 2,
                 .utc_offset = (gint16)c->offset,
                 .mcc = c->mcc,
                 .channel = (guint8)c->channel,
                 .currency = txn_pack_code3("EUR", 3),
                 .currency_exp = 2,
                 .country = txn_pack_code2(c->country, strlen(c->country))};
    RuleEval ev = {.txn = &t, .account = 1, .rs = rs};
    cr_expect_eq(rule_vm_run(&r->filter, &ev) != 0, c->expect, "%s", c->where);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

Test(rule_vm, counterparty_depends_on_the_side)
{
    TxnCore t = {.from = 7, .to = 9};
    cr_expect_eq(rule_vm_field(FIELD_COUNTERPARTY, &t, 7, NULL), 9);
    cr_expect_eq(rule_vm_field(FIELD_COUNTERPARTY, &t, 9, NULL), 7);
}
