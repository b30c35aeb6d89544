/* Tests of the investigator's conversion (case/case.c): a transaction
 * read from a store converted into the reporting currency with its
 * original kept, once; one already in that currency or with no rate left
 * as stored; the amount shown both ways; the note on a set of them. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/tstamp.h"
#include "case/case.h"

/* Fri 1 March 2024 and Mon 4 March. */
static const char rates[] = "Date,USD,JPY,\n"
                            "2024-03-04,1.0900,162.00,\n"
                            "2024-03-01,1.0800,160.00,\n";

static Fx *load(void)
{
    GError *err = NULL;
    CaseOpenOptions o = {.fx_max_age = FX_MAX_AGE_DAYS_DEFAULT};
    Fx *fx = case_fx_new(&o, &err);
    cr_assert(fx && fx_load_text(fx, "rates.csv", rates, strlen(rates), &err) &&
                  fx_finish(fx, &err),
              "%s", err ? err->message : "");
    return fx;
}

static CaseTx *tx(const char *id, int day, gint64 amount, const char *cur, int exp)
{
    CaseTx *t = g_new0(CaseTx, 1);
    t->tx_id = g_strdup(id);
    t->ts = tstamp_days_from_civil(2024, 3, day) * 86400 + 10 * 3600;
    t->from = g_strdup("");
    t->to = g_strdup("A");
    t->amount = amount;
    g_strlcpy(t->currency, cur, sizeof t->currency);
    t->exp = exp;
    t->location = g_strdup("");
    t->memo = g_strdup("");
    return t;
}

Test(case_fx, converts_once_keeping_the_original)
{
    g_autoptr(Fx) fx = load();
    CaseTx *t = tx("a1", 2, 540000, "USD", 2); /* Saturday: Friday's 1.08 */
    cr_assert(case_tx_convert(t, fx));
    cr_assert_eq(t->amount, 500000);
    cr_assert_str_eq(t->currency, "EUR");
    cr_assert_eq(t->exp, 2);
    cr_assert_eq(t->amount_orig, 540000);
    cr_assert_str_eq(t->currency_orig, "USD");
    cr_assert_eq(t->exp_orig, 2);
    cr_assert(case_tx_convert(t, fx)); /* a second pass changes nothing */
    cr_assert_eq(t->amount, 500000);
    cr_assert_str_eq(t->currency_orig, "USD");
    char buf[80];
    cr_assert_str_eq(case_tx_amount_both(t, buf), "5,400.00 USD (5,000.00 EUR)");
    case_tx_free(t);
}

Test(case_fx, exponent_zero_rounds_half_to_even)
{
    g_autoptr(Fx) fx = load();
    CaseTx *t = tx("c1", 1, 12, "JPY", 0); /* 12 / 160 = 0.075 -> 0.08 */
    cr_assert(case_tx_convert(t, fx));
    cr_assert_eq(t->amount, 8);
    cr_assert_eq(t->exp_orig, 0);
    char buf[80];
    cr_assert_str_eq(case_tx_amount_both(t, buf), "12 JPY (0.08 EUR)");
    case_tx_free(t);
}

Test(case_fx, same_currency_and_no_rate_stay_as_stored)
{
    g_autoptr(Fx) fx = load();
    CaseTx *e = tx("e", 4, 100000, "EUR", 2), *g = tx("g", 4, 1000, "GBP", 2);
    cr_assert(case_tx_convert(e, fx));
    cr_assert_eq(e->amount, 100000);
    cr_assert_str_eq(e->currency_orig, "");
    cr_assert_not(case_tx_convert(g, fx));
    cr_assert_eq(g->amount, 1000);
    cr_assert_str_eq(g->currency, "GBP");
    cr_assert_str_eq(g->currency_orig, "");
    char buf[80];
    cr_assert_str_eq(case_tx_amount_both(e, buf), "1,000.00 EUR");
    cr_assert(case_tx_convert(g, NULL)); /* without rates: nothing to do */
    case_tx_free(e);
    case_tx_free(g);
}

Test(case_fx, the_note_counts_converted_and_kept)
{
    Fx *fx = load();
    CaseStore s = {.ops = NULL, .fx = fx};
    g_autoptr(GPtrArray) txns = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    g_ptr_array_add(txns, tx("a1", 2, 540000, "USD", 2));
    g_ptr_array_add(txns, tx("a2", 4, 810000, "JPY", 0));
    g_ptr_array_add(txns, tx("a3", 4, 100000, "EUR", 2));
    g_ptr_array_add(txns, tx("a4", 4, 1000, "GBP", 2));
    for (guint i = 0; i < txns->len; i++)
        case_tx_convert(g_ptr_array_index(txns, i), fx);
    g_autofree char *note = case_fx_note(&s, txns);
    cr_assert_str_eq(note, "amounts in EUR: 2 of 4 transactions converted from JPY, USD; 1 with "
                           "no rate for its date shown in its own currency (GBP)");
    CaseStore none = {.ops = NULL, .fx = NULL};
    cr_assert_null(case_fx_note(&none, txns));
    fx_free(fx);
}

Test(case_fx, a_bad_reporting_currency_is_refused)
{
    GError *err = NULL;
    CaseOpenOptions o = {.currency = "eur"};
    cr_assert_null(case_fx_new(&o, &err));
    cr_assert_str_eq(err->message,
                     "--currency 'eur' is not a currency code (three capital letters)");
    g_error_free(err);
}
