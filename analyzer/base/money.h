/* money.h: exact decimal money: parse to int64 minor units, format back.
 *
 * Never goes through a double; money_scale is the one bridge to the rule
 * language's numbers. Overflow of int64 is an error, not a wrap. */
#ifndef MT_MONEY_H
#define MT_MONEY_H

#include <glib.h>

typedef enum {
    MONEY_OK = 0,
    MONEY_EMPTY,     /* no digits */
    MONEY_SYNTAX,    /* stray character, misplaced separator, sign, ... */
    MONEY_PRECISION, /* more decimal places than the currency has (non-zero) */
    MONEY_OVERFLOW,  /* does not fit in int64 minor units */
} MoneyStatus;

/* Parses n bytes of a decimal amount into minor units with exp decimal
 * places. decimal_sep is '.' or ','; thousands_sep is 0 (none) or a byte
 * like ',', '.', ' ' or '\''. A leading '-' is accepted and gives a negative
 * value; surrounding spaces are not accepted. */
MoneyStatus money_parse(const char *s, size_t n, int exp, char decimal_sep, char thousands_sep,
                        gint64 *out);
/* Like money_parse, but decimal places beyond exp are rounded half to even
 * (exactly, on the decimal digits) instead of giving MONEY_PRECISION:
 * "0.125" with exp 2 -> 12, "0.135" -> 14, "0.1251" -> 13. Negative amounts
 * round symmetrically. Rounding up past int64 is MONEY_OVERFLOW. */
MoneyStatus money_parse_round(const char *s, size_t n, int exp, char decimal_sep,
                              char thousands_sep, gint64 *out);
/* Returns a short lower-case reason for a status ("not a number", ...). */
const char *money_status_str(MoneyStatus st);
/* 10^exp (exp clamped to 0..10), to convert between currency exponents. */
static inline gint64 money_pow10(int exp)
{
    static const gint64 p10[] = {1,       10,       100,       1000,       10000,      100000,
                                 1000000, 10000000, 100000000, 1000000000, 10000000000};
    return p10[CLAMP(exp, 0, 10)];
}

/* 10^exp as a double (exp clamped to 0..10): minor units / money_scale(exp)
 * is the amount in major units. */
static inline double money_scale(int exp)
{
    return (double)money_pow10(exp);
}

/* No exact value: an aggregate's minor units are not known exactly (a
 * scaled baseline, mixed currencies, a sum past int64). No amount is this
 * low (LIMIT_AMOUNT_MINOR). */
#define MONEY_INEXACT G_MININT64

/* Compares an exact amount (minor units, exp decimals) with a rule's
 * number k, exactly: -1, 0 or 1 as minor / 10^exp is below, equal to or
 * above the threshold. A k with at most exp decimals (k is the nearest
 * double to R / 10^exp for a whole R below 2^50) is the amount R minor
 * units; any other k is compared as the exact value of the double. k must
 * not be NaN. */
int money_cmp(gint64 minor, int exp, double k);

/* Formats minor units with exp decimals and ',' thousands separators, e.g.
 * 123456789 with exp 2 -> "1,234,567.89". buf must hold 32 bytes. Returns buf. */
char *money_format(gint64 amount, int exp, char *buf);
/* Number of decimal places of an ISO 4217 currency (packed code), 2 when
 * unknown; BTC has 8. */
int money_currency_exp(guint32 currency);

#endif
