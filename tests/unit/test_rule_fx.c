/* Amounts with a currency in rules (docs/currencies.md): `10000 EUR` in
 * constants, parameters and filters, converted at the row's date by the
 * interpreter when the set has rates, taken as written when not; the
 * compiler's errors; the planner keeping such a test out of the account
 * prefilter; the fields amount_orig and currency of a converted row. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/tstamp.h"
#include "read/fx.h"
#include "rule/rule_data.h"
#include "rule_helpers.h"

#define EUR txn_pack_code3("EUR", 3)
#define USD txn_pack_code3("USD", 3)
#define MON (tstamp_days_from_civil(2024, 3, 4) * 86400 + 9 * 3600) /* rate 1.09 */
#define TUE (tstamp_days_from_civil(2024, 3, 5) * 86400 + 9 * 3600) /* rate 1.25 */

static const char rates[] = "Date,USD,\n2024-03-04,1.09,\n2024-03-05,1.25,\n";

static RuleSet *load_where(const char *head, const char *where, GPtrArray **diags, char **dir)
{
    g_autofree char *text = g_strdup_printf(
        "%srule X-1 \"t\"\n  source \"s\"\n  for each sender\n  where %s\n  alert if count >= 1\n"
        "  explain \"x\"\n",
        head, where);
    return rh_load(NULL, text, diags, dir);
}

/* The filter of the set's one rule on an amount of EUR minor units at ts. */
static gboolean passes(const RuleSet *rs, gint64 cents, gint64 ts)
{
    const Rule *r = g_ptr_array_index(rs->rules, 0);
    TxnCore t = {.ts = ts,
                 .amount = cents,
                 .from = 1,
                 .to = 2,
                 .channel = CHANNEL_TRANSFER,
                 .currency = EUR,
                 .currency_exp = 2};
    RuleEval ev = {.txn = &t, .account = 1, .rs = rs};
    return rule_vm_run(&r->filter, &ev) != 0;
}

static Fx *load_rates(void)
{
    Fx *fx = fx_new(EUR, 5);
    cr_assert(fx_load_text(fx, "r.csv", rates, strlen(rates), NULL) && fx_finish(fx, NULL));
    return fx;
}

Test(rule_fx, a_dollar_threshold_is_converted_at_the_rows_date)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = load_where("const limit = 10000 USD\n", "amount >= 0.5 * limit", &diags, &dir);
    cr_assert_not_null(rs);
    Fx *fx = load_rates();
    rs->fx = fx;
    /* 5000 USD is 4587.155... -> 4587.16 EUR on Monday, 4000.00 on Tuesday */
    cr_expect(passes(rs, 458716, MON));
    cr_expect(!passes(rs, 458715, MON));
    cr_expect(passes(rs, 400000, TUE));
    cr_expect(!passes(rs, 399999, TUE));
    /* without rates: as written */
    rs->fx = NULL;
    cr_expect(passes(rs, 500000, MON));
    cr_expect(!passes(rs, 499999, MON));
    fx_free(fx);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

Test(rule_fx, a_threshold_in_the_reporting_currency_is_used_as_written)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = load_where("", "amount in [8000 EUR, 10000 EUR)", &diags, &dir);
    cr_assert_not_null(rs);
    Fx *fx = load_rates();
    rs->fx = fx;
    cr_expect(passes(rs, 800000, MON));
    cr_expect(!passes(rs, 1000000, MON));
    fx_free(fx);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

Test(rule_fx, the_account_prefilter_leaves_a_converted_threshold_to_each_row)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = load_where("", "account.income > 1000 USD", &diags, &dir);
    cr_assert_not_null(rs);
    const Rule *r = g_ptr_array_index(rs->rules, 0);
    cr_expect_eq(r->plan.account_filter.n, 0, "the test would be run once per account");
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

typedef struct {
    const char *head, *where, *msg;
} FxErr;

static const FxErr fx_errs[] = {
    {"", "amount > 10 XYZ", "'XYZ' is not a currency (ISO 4217)"},
    {"", "amount > 10 EUR + 10 USD",
     "amounts in two currencies meet in one expression: write "
     "them in one"},
    {"const a = 10 EUR\nconst b = a + 5 USD\n", "amount > b",
     "amounts in two currencies meet in one expression: write them in one"},
    {"", "day > 10 EUR", "'10 EUR' is an amount of money, compared with 'day', a number"},
    {"const lim = 10 EUR\n", "account.age < lim",
     "'lim' is an amount of money, compared with 'account.age', a number"},
    {"", "mcc == 10 EUR", "a mcc is compared with a amount"},
    {"", "amount_orig > 10 USD",
     "'10 USD' is converted into the reporting currency, but amount_orig is in each row's own: "
     "compare amount with it, or amount_orig with a plain number"},
};

Test(rule_fx, errors)
{
    for (guint i = 0; i < G_N_ELEMENTS(fx_errs); i++) {
        GPtrArray *diags;
        char *dir;
        RuleSet *rs = load_where(fx_errs[i].head, fx_errs[i].where, &diags, &dir);
        cr_expect_null(rs, "compiled: %s", fx_errs[i].where);
        gboolean found = FALSE;
        for (guint k = 0; k < diags->len; k++) {
            const RuleDiag *d = g_ptr_array_index(diags, k);
            found |= !d->warning && strcmp(d->msg, fx_errs[i].msg) == 0;
        }
        cr_expect(found, "no error '%s' for %s", fx_errs[i].msg, fx_errs[i].where);
        if (rs)
            rule_set_free(rs);
        g_ptr_array_unref(diags);
        rh_cleanup(dir);
    }
}

Test(rule_fx, a_converted_row_keeps_its_original_amount_and_currency)
{
    TxnCore t = {.amount = 458716,
                 .currency = EUR,
                 .currency_exp = 2,
                 .amount_orig = 500000,
                 .currency_orig = USD,
                 .exp_orig = 2};
    cr_expect_float_eq(rule_vm_field(FIELD_AMOUNT, &t, 0, NULL), 4587.16, 1e-9);
    cr_expect_float_eq(rule_vm_field(FIELD_AMOUNT_ORIG, &t, 0, NULL), 5000.00, 1e-9);
    cr_expect_eq(rule_vm_field(FIELD_CURRENCY, &t, 0, NULL), USD);
    TxnCore plain = {.amount = 1234, .currency = EUR, .currency_exp = 2};
    cr_expect_float_eq(rule_vm_field(FIELD_AMOUNT_ORIG, &plain, 0, NULL), 12.34, 1e-9);
    cr_expect_eq(rule_vm_field(FIELD_CURRENCY, &plain, 0, NULL), EUR);
}
