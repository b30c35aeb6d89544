/* Tests of read/fx.c: reading the ECB wide layout and the long one, the
 * rate of the day or the last before it, the maximum age, exact
 * conversion with one half-to-even rounding (exponents 0, 2, 3), amounts
 * a double would not hold, and the errors of a bad rate file. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "base/tstamp.h"
#include "base/txn.h"
#include "read/fx.h"

#define EUR txn_pack_code3("EUR", 3)
#define USD txn_pack_code3("USD", 3)
#define JPY txn_pack_code3("JPY", 3)
#define KWD txn_pack_code3("KWD", 3)
#define GBP txn_pack_code3("GBP", 3)

/* Fri 1 March 2024, Mon 4 (JPY N/A), Tue 5; newest first, as the ECB writes. */
static const char wide[] = "Date,USD,JPY,KWD,\n"
                           "2024-03-05,1.2500,163.00,0.3400,\n"
                           "2024-03-04,1.0900,N/A,0.3350,\n"
                           "2024-03-01,1.0800,160.00,0.3300,\n";

static gint64 day_ts(int y, int m, int d, int hour)
{
    return tstamp_days_from_civil(y, m, d) * 86400 + hour * 3600;
}

static Fx *load(guint32 reporting, int max_age, const char *text)
{
    GError *err = NULL;
    Fx *fx = fx_new(reporting, max_age);
    cr_assert(fx_load_text(fx, "rates.csv", text, strlen(text), &err), "%s",
              err ? err->message : "");
    cr_assert(fx_finish(fx, &err), "%s", err ? err->message : "");
    return fx;
}

static gint64 conv(const Fx *fx, gint64 amount, guint32 cur, int exp, gint64 ts)
{
    gint64 out = -1;
    FxStatus st = fx_convert(fx, amount, cur, exp, ts, &out);
    cr_assert_eq(st, FX_OK, "status %d", st);
    return out;
}

Test(fx, the_rate_of_the_day_or_the_last_before)
{
    Fx *fx = load(EUR, 5, wide);
    cr_assert_eq(fx_count(fx), 8);
    /* 108.00 USD on Friday: 100.00 EUR; on the Saturday and Sunday too */
    cr_assert_eq(conv(fx, 10800, USD, 2, day_ts(2024, 3, 1, 9)), 10000);
    cr_assert_eq(conv(fx, 10800, USD, 2, day_ts(2024, 3, 3, 23)), 10000);
    /* at the change on Monday: 109.00 USD is 100.00 EUR */
    cr_assert_eq(conv(fx, 10900, USD, 2, day_ts(2024, 3, 4, 0)), 10000);
    /* JPY is N/A on Monday: Friday's 160 */
    cr_assert_eq(conv(fx, 16000, JPY, 0, day_ts(2024, 3, 4, 12)), 10000);
    fx_free(fx);
}

Test(fx, exponents_0_2_3_and_half_to_even)
{
    Fx *fx = load(EUR, 5, wide);
    gint64 fri = day_ts(2024, 3, 1, 12);
    cr_assert_eq(conv(fx, 4, JPY, 0, fri), 2);     /* 2.5 cents -> 2 */
    cr_assert_eq(conv(fx, 12, JPY, 0, fri), 8);    /* 7.5 cents -> 8 */
    cr_assert_eq(conv(fx, 2, JPY, 0, fri), 1);     /* 1.25 -> 1 */
    cr_assert_eq(conv(fx, 330, KWD, 3, fri), 100); /* 0.330 KWD -> 1.00 EUR */
    cr_assert_eq(conv(fx, 1, KWD, 3, fri), 0);     /* 0.303 cents -> 0 */
    /* into KWD (3 places) from USD: 1.08 USD = 1 EUR = 0.330 KWD */
    Fx *k = load(KWD, 5, wide);
    cr_assert_eq(conv(k, 108, USD, 2, fri), 330);
    cr_assert_eq(conv(k, 100000, EUR, 2, fri), 330000);
    /* into JPY (0 places): 1.00 EUR = 160 JPY; 0.01 EUR = 1.6 -> 2 */
    Fx *j = load(JPY, 5, wide);
    cr_assert_eq(conv(j, 100, EUR, 2, fri), 160);
    cr_assert_eq(conv(j, 1, EUR, 2, fri), 2);
    fx_free(fx);
    fx_free(k);
    fx_free(j);
}

Test(fx, amounts_no_double_holds_exactly)
{
    Fx *fx = load(EUR, 5, "date,currency,rate,base\n2024-03-01,USD,1.1,EUR\n");
    /* 999,999,999,999,999 cents of USD / 1.1: a double has 53 bits, and
     * the exact quotient ends ...90.90..., rounded to ...91 */
    cr_assert_eq(conv(fx, 999999999999999LL, USD, 2, day_ts(2024, 3, 1, 0)), 909090909090908LL);
    cr_assert_eq(conv(fx, 999999999999999LL, USD, 2, day_ts(2024, 3, 1, 0)) % 1000, 908);
    /* the result past the largest amount accepted is an error, not a wrap */
    Fx *tiny = load(EUR, 5, "date,currency,rate,base\n2024-03-01,XAU,0.0005,EUR\n");
    gint64 out;
    cr_assert_eq(fx_convert(tiny, 999999999999999LL, txn_pack_code3("XAU", 3), 2,
                            day_ts(2024, 3, 1, 0), &out),
                 FX_OVERFLOW);
    fx_free(fx);
    fx_free(tiny);
}

Test(fx, staleness_and_missing_rates)
{
    Fx *fx = load(EUR, 5, wide);
    gint64 out;
    char buf[160];
    /* Tuesday's rate serves up to Sunday the 10th (5 days), not Monday the 11th */
    cr_assert_eq(fx_convert(fx, 100, USD, 2, day_ts(2024, 3, 10, 23), &out), FX_OK);
    cr_assert_eq(fx_convert(fx, 100, USD, 2, day_ts(2024, 3, 11, 0), &out), FX_STALE);
    cr_assert_str_eq(
        fx_status_text(fx, FX_STALE, USD, day_ts(2024, 3, 11, 0), buf),
        "the last USD rate, of 2024-03-05, is 6 days older than 2024-03-11 (at most 5)");
    /* before the first rate, a currency without rates, no currency at all */
    cr_assert_eq(fx_convert(fx, 100, USD, 2, day_ts(2024, 2, 29, 12), &out), FX_NO_RATE);
    cr_assert_eq(fx_convert(fx, 100, GBP, 2, day_ts(2024, 3, 4, 12), &out), FX_NO_RATE);
    cr_assert_str_eq(fx_status_text(fx, FX_NO_RATE, GBP, day_ts(2024, 3, 4, 12), buf),
                     "no GBP rate on or before 2024-03-04 in the rates");
    cr_assert_eq(fx_convert(fx, 100, 0, 2, day_ts(2024, 3, 4, 12), &out), FX_NO_CURRENCY);
    /* the reporting currency itself needs no rate */
    cr_assert_eq(fx_convert(fx, 100, EUR, 2, day_ts(2030, 1, 1, 0), &out), FX_OK);
    cr_assert_eq(out, 100);
    /* a threshold: 10,000 USD on Monday at 1.09 is 9,174.31 EUR */
    cr_assert_float_eq(fx_convert_value(fx, 10000, USD, day_ts(2024, 3, 4, 9)), 9174.31, 1e-9);
    cr_assert(isnan(fx_convert_value(fx, 10000, GBP, day_ts(2024, 3, 4, 9))));
    fx_free(fx);
}

static void load_fails(const char *text, const char *message)
{
    GError *err = NULL;
    Fx *fx = fx_new(EUR, 5);
    gboolean ok = fx_load_text(fx, "r.csv", text, strlen(text), &err) && fx_finish(fx, &err);
    cr_assert(!ok, "loaded: %s", text);
    cr_assert_str_eq(err->message, message);
    g_error_free(err);
    fx_free(fx);
}

Test(fx, bad_rate_files)
{
    load_fails("Date,USD,\n2024-03-01,0,\n", "r.csv:2: rate '0' is zero");
    load_fails("Date,USD,\n2024-03-01,-1.2,\n", "r.csv:2: rate '-1.2' is negative");
    load_fails("Date,USD,\n2024-03-01,1.2x,\n", "r.csv:2: rate '1.2x' is not a number");
    load_fails("Date,USD,\n2024-13-01,1.2,\n", "r.csv:2: '2024-13-01' is not a date (YYYY-MM-DD)");
    load_fails("Date,US,\n", "r.csv:1: column 2: 'US' is not a currency code");
    load_fails("Date,USD,\n2024-03-01,1.2\n", "r.csv:2: expected 3 fields, found 2");
    load_fails("when,what\n", "r.csv:1: the header is neither 'Date,USD,JPY,...' (ECB) nor "
                              "'date,currency,rate,base'");
    load_fails("date,currency,rate,base\n2024-03-01,USD,1.1,EUR\n2024-03-01,USD,1.2,EUR\n",
               "r.csv:3: a second USD rate for 2024-03-01");
    load_fails("date,currency,rate,base\n2024-03-01,USD,1.1,EUR\n2024-03-01,EUR,0.9,USD\n",
               "r.csv:3: base USD differs from EUR read before (one base per run)");
    load_fails("", "r.csv: no rates: the file is empty");
    /* the reporting currency must be reachable */
    GError *err = NULL;
    Fx *fx = fx_new(GBP, 5);
    cr_assert(fx_load_text(fx, "r.csv", wide, strlen(wide), &err));
    cr_assert(!fx_finish(fx, &err));
    cr_assert_str_eq(err->message, "the rates have no GBP, the reporting currency");
    g_error_free(err);
    fx_free(fx);
}

static void collect(const char *date, const char *cur, const char *rate, const char *base,
                    void *user)
{
    g_string_append_printf(user, "%s %s %s %s;", date, cur, rate, base);
}

Test(fx, rates_written_back_exactly)
{
    Fx *fx = load(EUR, 5,
                  "date,currency,rate,base\n2024-03-01,JPY,160.00,EUR\n"
                  "2024-03-01,KWD,0.0330,EUR\n");
    GString *s = g_string_new(NULL);
    fx_foreach(fx, collect, s);
    cr_assert_str_eq(s->str, "2024-03-01 JPY 160 EUR;2024-03-01 KWD 0.033 EUR;");
    g_string_free(s, TRUE);
    fx_free(fx);
}

Test(fx, currencies_seen)
{
    FxSeen s = {0};
    fx_seen_add(&s, EUR);
    fx_seen_add(&s, EUR);
    fx_seen_add(&s, USD);
    fx_seen_add(&s, EUR);
    fx_seen_add(&s, 0);
    char *t = fx_seen_text(&s);
    cr_assert_str_eq(t, "EUR, USD, none");
    g_free(t);
}
