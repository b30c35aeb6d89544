/* Tests of money.c: exact decimal parsing at the int64 edges, decimal
 * comma, thousands separators, precision errors, half-even rounding,
 * formatting, the ISO 4217 exponents and exact comparisons with a rule's
 * numbers. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "base/money.h"
#include "base/txn.h"

typedef struct {
    const char *text;
    int exp;
    char dsep, tsep;
    MoneyStatus status;
    gint64 value; /* when status is MONEY_OK */
} ParseCase;

static const ParseCase parse_cases[] = {
    {"0", 2, '.', 0, MONEY_OK, 0},
    {"12.34", 2, '.', 0, MONEY_OK, 1234},
    {"12.3", 2, '.', 0, MONEY_OK, 1230},
    {"12", 2, '.', 0, MONEY_OK, 1200},
    {".5", 2, '.', 0, MONEY_OK, 50},
    {"-7.05", 2, '.', 0, MONEY_OK, -705},
    {"1.230", 2, '.', 0, MONEY_OK, 123},
    {"1.0", 0, '.', 0, MONEY_OK, 1},
    {"0.00000001", 8, '.', 0, MONEY_OK, 1},
    /* int64 edges */
    {"9223372036854775807", 0, '.', 0, MONEY_OK, G_MAXINT64},
    {"9223372036854775808", 0, '.', 0, MONEY_OVERFLOW, 0},
    {"92233720368547758.07", 2, '.', 0, MONEY_OK, G_MAXINT64},
    {"92233720368547758.08", 2, '.', 0, MONEY_OVERFLOW, 0},
    {"-9223372036854775808", 0, '.', 0, MONEY_OK, G_MININT64},
    {"-9223372036854775809", 0, '.', 0, MONEY_OVERFLOW, 0},
    {"99999999999999999999999", 0, '.', 0, MONEY_OVERFLOW, 0},
    /* decimal comma and thousands separators */
    {"1234,56", 2, ',', 0, MONEY_OK, 123456},
    {"1.234,56", 2, ',', '.', MONEY_OK, 123456},
    {"1.234.567,8", 2, ',', '.', MONEY_OK, 123456780},
    {"1.234", 2, ',', '.', MONEY_OK, 123400},
    {"1,234.56", 2, '.', ',', MONEY_OK, 123456},
    {"1 234 567", 0, '.', ' ', MONEY_OK, 1234567},
    {"1'000.5", 2, '.', '\'', MONEY_OK, 100050},
    {"123,456", 2, '.', ',', MONEY_OK, 12345600},
    {"12.34,56", 2, ',', '.', MONEY_SYNTAX, 0},
    {"1234.567,8", 2, ',', '.', MONEY_SYNTAX, 0},
    {"1.23,4", 2, ',', '.', MONEY_SYNTAX, 0},
    {".123,4", 2, ',', '.', MONEY_SYNTAX, 0},
    {"1.234.", 2, ',', '.', MONEY_SYNTAX, 0},
    {"1,234,56.7", 2, '.', ',', MONEY_SYNTAX, 0},
    {"1,2345", 2, '.', ',', MONEY_SYNTAX, 0},
    {"1,234.567,8", 2, '.', ',', MONEY_SYNTAX, 0},
    {"1,234", 2, '.', 0, MONEY_SYNTAX, 0},
    /* malformed */
    {"", 2, '.', 0, MONEY_EMPTY, 0},
    {"-", 2, '.', 0, MONEY_SYNTAX, 0},
    {"12.", 2, '.', 0, MONEY_SYNTAX, 0},
    {"12,3x", 2, '.', 0, MONEY_SYNTAX, 0},
    {"+1", 2, '.', 0, MONEY_SYNTAX, 0},
    {" 1", 2, '.', 0, MONEY_SYNTAX, 0},
    {"1 ", 2, '.', 0, MONEY_SYNTAX, 0},
    {"1e5", 2, '.', 0, MONEY_SYNTAX, 0},
    {"--1", 2, '.', 0, MONEY_SYNTAX, 0},
    /* precision */
    {"1.234", 2, '.', 0, MONEY_PRECISION, 0},
    {"1.5", 0, '.', 0, MONEY_PRECISION, 0},
    {"0.000000001", 8, '.', 0, MONEY_PRECISION, 0},
};

Test(money, parse_table)
{
    for (size_t i = 0; i < G_N_ELEMENTS(parse_cases); i++) {
        const ParseCase *c = &parse_cases[i];
        gint64 v = 0;
        MoneyStatus st = money_parse(c->text, strlen(c->text), c->exp, c->dsep, c->tsep, &v);
        cr_expect_eq(st, c->status, "'%s': status %d, expected %d", c->text, st, c->status);
        cr_expect_eq(v, c->value, "'%s': value %" G_GINT64_FORMAT, c->text, v);
    }
}

Test(money, parse_does_not_read_past_n)
{
    gint64 v = 0;
    cr_assert_eq(money_parse("12.345", 4, 2, '.', 0, &v), MONEY_OK);
    cr_assert_eq(v, 1230);
}

typedef struct {
    const char *text;
    int exp;
    MoneyStatus status;
    gint64 value;
} RoundCase;

static const RoundCase round_cases[] = {
    {"0.125", 2, MONEY_OK, 12},  /* tie, 2 is even: down */
    {"0.135", 2, MONEY_OK, 14},  /* tie, 3 is odd: up */
    {"0.1251", 2, MONEY_OK, 13}, /* above the tie */
    {"0.1249", 2, MONEY_OK, 12},
    {"0.126", 2, MONEY_OK, 13},
    {"-0.125", 2, MONEY_OK, -12},
    {"-0.135", 2, MONEY_OK, -14},
    {"2.5", 0, MONEY_OK, 2},
    {"3.5", 0, MONEY_OK, 4},
    {"12345.5", 0, MONEY_OK, 12346},
    {"0.00123456789", 8, MONEY_OK, 123457},
    {"1.20", 2, MONEY_OK, 120},
    {"9223372036854775807.4", 0, MONEY_OK, G_MAXINT64},
    {"9223372036854775807.5", 0, MONEY_OVERFLOW, 0},
    {"1.2x", 2, MONEY_SYNTAX, 0},
};

Test(money, parse_round_half_even)
{
    for (size_t i = 0; i < G_N_ELEMENTS(round_cases); i++) {
        const RoundCase *c = &round_cases[i];
        gint64 v = 0;
        MoneyStatus st = money_parse_round(c->text, strlen(c->text), c->exp, '.', 0, &v);
        cr_expect_eq(st, c->status, "'%s': status %d, expected %d", c->text, st, c->status);
        cr_expect_eq(v, c->value, "'%s': value %" G_GINT64_FORMAT, c->text, v);
    }
}

typedef struct {
    gint64 amount;
    int exp;
    const char *text;
} FormatCase;

static const FormatCase format_cases[] = {
    {123456789, 2, "1,234,567.89"},
    {0, 2, "0.00"},
    {5, 2, "0.05"},
    {-5, 2, "-0.05"},
    {999, 0, "999"},
    {1000, 0, "1,000"},
    {-1000000, 0, "-1,000,000"},
    {100000000, 8, "1.00000000"},
    {1234567, 3, "1,234.567"},
    {G_MAXINT64, 0, "9,223,372,036,854,775,807"},
    {G_MININT64, 2, "-92,233,720,368,547,758.08"},
};

Test(money, format_table)
{
    for (size_t i = 0; i < G_N_ELEMENTS(format_cases); i++) {
        char buf[32];
        const FormatCase *c = &format_cases[i];
        cr_expect_str_eq(money_format(c->amount, c->exp, buf), c->text);
    }
}

typedef struct {
    const char *code;
    int exp;
} ExpCase;

static const ExpCase exp_cases[] = {
    {"EUR", 2}, {"USD", 2}, {"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"CLP", 0}, {"ISK", 0}, {"BHD", 3},
    {"KWD", 3}, {"OMR", 3}, {"JOD", 3}, {"TND", 3}, {"LYD", 3}, {"IQD", 3}, {"BTC", 8}, {"XYZ", 2},
};

Test(money, currency_exponents)
{
    for (size_t i = 0; i < G_N_ELEMENTS(exp_cases); i++)
        cr_expect_eq(money_currency_exp(txn_pack_code3(exp_cases[i].code, 3)), exp_cases[i].exp,
                     "%s", exp_cases[i].code);
    cr_expect_eq(money_currency_exp(0), 2);
}

Test(money, status_strings)
{
    cr_expect_str_eq(money_status_str(MONEY_SYNTAX), "not a number");
    cr_expect_str_eq(money_status_str(MONEY_OVERFLOW), "out of range");
}

typedef struct {
    gint64 minor;
    int exp;
    double k;
    int want;
} CmpCase;

static const CmpCase cmp_cases[] = {
    {1000000, 2, 10000.0, 0},
    {1000001, 2, 10000.0, 1},
    {999999, 2, 10000.0, -1},
    /* 10000.01 is no double: the constant stands for 1000001 minor units */
    {1000001, 2, 10000.01, 0},
    {1000002, 2, 10000.01, 1},
    {1000000, 2, 10000.01, -1},
    /* more decimals than the currency: compared as the number it is */
    {1000000, 2, 9999.995, 1},
    {999999, 2, 9999.995, -1},
    {-150, 2, -1.5, 0},
    {-151, 2, -1.5, -1},
    {-149, 2, -1.5, 1},
    {-1, 2, -0.005, -1},
    {0, 2, -0.005, 1},
    {1, 8, 0.00000001, 0},
    /* past 2^53 minor units, where (double)minor / 100 rounds: exact */
    {G_GINT64_CONSTANT(9007199254740999), 2, 90071992547410.0, -1},
    {G_GINT64_CONSTANT(9007199254741000), 2, 90071992547410.0, 0},
    {G_GINT64_CONSTANT(9007199254741001), 2, 90071992547410.0, 1},
    {G_GINT64_CONSTANT(9007199254740993), 0, 9007199254740992.0, 1},
    /* beyond a double's decimals the constant is its exact binary value:
     * 90071992547409.93 reads as 90071992547409.9375 */
    {G_GINT64_CONSTANT(9007199254740993), 2, 90071992547409.93, -1},
    {G_GINT64_CONSTANT(9007199254740994), 2, 90071992547409.93, 1},
    {G_MAXINT64, 0, 1e300, -1},
    {G_MININT64 + 1, 2, -1e300, 1},
    {G_MAXINT64, 10, 1e30, -1},
    {5, 0, 5e-300, 1},
    {0, 0, 5e-300, -1},
    {0, 2, 0.0, 0},
    {-3, 2, 0.0, -1},
};

Test(money, cmp_is_exact)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cmp_cases); i++) {
        const CmpCase *c = &cmp_cases[i];
        cr_expect_eq(money_cmp(c->minor, c->exp, c->k), c->want,
                     "%" G_GINT64_FORMAT " (exp %d) against %.17g: %d, expected %d", c->minor,
                     c->exp, c->k, money_cmp(c->minor, c->exp, c->k), c->want);
    }
    cr_expect_eq(money_cmp(G_MAXINT64, 2, INFINITY), -1);
    cr_expect_eq(money_cmp(G_MININT64 + 1, 2, -INFINITY), 1);
}
