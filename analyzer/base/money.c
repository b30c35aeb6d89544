/* money.c: exact decimal money: parse text into int64 minor units and
 * format minor units back as text.
 *
 * Parsing works on the decimal digits only (never a double): the text is
 * first split into sign, integer digits (with optional thousands
 * separators, valid only between groups of three digits) and fraction
 * digits, then the digits are accumulated in a guint64 with an overflow
 * check against the int64 range of the sign. */
#include "base/money.h"

#include <math.h>
#include <string.h>

/* Positions of the parts of a decimal number inside the input. */
typedef struct {
    gboolean neg;
    const char *int_p, *int_end; /* integer digits, thousands separators included */
    const char *frac_p, *frac_end;
} MoneyParts;

static inline gboolean money_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Checks the integer part: digits, or groups "d{1,3}(SEP ddd)+". */
static gboolean money_check_groups(const char *p, const char *end, char tsep)
{
    const char *sep = tsep ? memchr(p, tsep, (size_t)(end - p)) : NULL;
    if (!sep)
        return TRUE;
    size_t first = (size_t)(sep - p);
    if (first < 1 || first > 3)
        return FALSE;
    for (p = sep; p < end; p += 4)
        if (end - p < 4 || p[0] != tsep || !money_is_digit(p[1]) || !money_is_digit(p[2]) ||
            !money_is_digit(p[3]))
            return FALSE;
    return TRUE;
}

/* Splits s into parts; the digit runs are checked, the groups too. */
static MoneyStatus money_split(const char *s, size_t n, char dsep, char tsep, MoneyParts *mp)
{
    const char *p = s, *end = s + n;
    mp->neg = n > 0 && *p == '-';
    p += mp->neg;
    mp->int_p = p;
    while (p < end && (money_is_digit(*p) || (tsep && *p == tsep)))
        p++;
    mp->int_end = p;
    mp->frac_p = mp->frac_end = p;
    if (p < end && *p == dsep) {
        mp->frac_p = ++p;
        while (p < end && money_is_digit(*p))
            p++;
        mp->frac_end = p;
        if (mp->frac_p == p)
            return MONEY_SYNTAX; /* "12." */
    }
    if (p != end)
        return MONEY_SYNTAX;
    if (mp->int_p == mp->int_end && mp->frac_p == mp->frac_end)
        return mp->neg ? MONEY_SYNTAX : MONEY_EMPTY;
    if (!money_check_groups(mp->int_p, mp->int_end, tsep))
        return MONEY_SYNTAX;
    return MONEY_OK;
}

/* v = v * 10 + d within limit; FALSE on overflow. */
static inline gboolean money_push(guint64 *v, int d, guint64 limit)
{
    if (*v > (limit - (guint64)d) / 10)
        return FALSE;
    *v = *v * 10 + (guint64)d;
    return TRUE;
}

/* Accumulates integer digits and exp fraction digits (zero padded). */
static MoneyStatus money_accumulate(const MoneyParts *mp, int exp, guint64 limit, guint64 *v)
{
    *v = 0;
    for (const char *p = mp->int_p; p < mp->int_end; p++)
        if (money_is_digit(*p) && !money_push(v, *p - '0', limit))
            return MONEY_OVERFLOW;
    const char *f = mp->frac_p;
    for (int i = 0; i < exp; i++) {
        int d = f < mp->frac_end ? *f++ - '0' : 0;
        if (!money_push(v, d, limit))
            return MONEY_OVERFLOW;
    }
    return MONEY_OK;
}

/* Returns TRUE if any digit in [p, end) is not '0'. */
static gboolean money_any_nonzero(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != '0')
            return TRUE;
    return FALSE;
}

static gint64 money_signed(guint64 v, gboolean neg)
{
    if (!neg)
        return (gint64)v;
    return v == (guint64)G_MAXINT64 + 1 ? G_MININT64 : -(gint64)v;
}

/* Shared parse; round chooses half-even rounding over MONEY_PRECISION. */
static MoneyStatus money_parse_mode(const char *s, size_t n, int exp, char dsep, char tsep,
                                    gboolean round, gint64 *out)
{
    g_assert(exp >= 0 && exp <= 18);
    MoneyParts mp;
    MoneyStatus st = money_split(s, n, dsep, tsep, &mp);
    if (st != MONEY_OK)
        return st;
    guint64 limit = mp.neg ? (guint64)G_MAXINT64 + 1 : (guint64)G_MAXINT64;
    guint64 v;
    st = money_accumulate(&mp, exp, limit, &v);
    if (st != MONEY_OK)
        return st;
    const char *extra = mp.frac_p + exp;
    if (extra < mp.frac_end) {
        if (!round && money_any_nonzero(extra, mp.frac_end))
            return MONEY_PRECISION;
        int d = *extra - '0';
        gboolean sticky = money_any_nonzero(extra + 1, mp.frac_end);
        gboolean up = d > 5 || (d == 5 && (sticky || (v & 1)));
        if (round && up) {
            if (v == limit)
                return MONEY_OVERFLOW;
            v++;
        }
    }
    *out = money_signed(v, mp.neg);
    return MONEY_OK;
}

MoneyStatus money_parse(const char *s, size_t n, int exp, char decimal_sep, char thousands_sep,
                        gint64 *out)
{
    return money_parse_mode(s, n, exp, decimal_sep, thousands_sep, FALSE, out);
}

MoneyStatus money_parse_round(const char *s, size_t n, int exp, char decimal_sep,
                              char thousands_sep, gint64 *out)
{
    return money_parse_mode(s, n, exp, decimal_sep, thousands_sep, TRUE, out);
}

const char *money_status_str(MoneyStatus st)
{
    switch (st) {
    case MONEY_OK:
        return "ok";
    case MONEY_EMPTY:
        return "empty";
    case MONEY_SYNTAX:
        return "not a number";
    case MONEY_PRECISION:
        return "more precise than the currency's minor unit";
    case MONEY_OVERFLOW:
        return "out of range";
    }
    return "unknown money status";
}

char *money_format(gint64 amount, int exp, char *buf)
{
    g_assert(exp >= 0 && exp <= 18);
    guint64 v = amount < 0 ? (guint64)0 - (guint64)amount : (guint64)amount;
    char tmp[48];
    int i = (int)sizeof tmp;
    tmp[--i] = '\0';
    for (int k = 0; k < exp; k++, v /= 10)
        tmp[--i] = (char)('0' + v % 10);
    if (exp > 0)
        tmp[--i] = '.';
    for (int k = 0; k == 0 || v > 0; k++, v /= 10) {
        if (k > 0 && k % 3 == 0)
            tmp[--i] = ',';
        tmp[--i] = (char)('0' + v % 10);
    }
    if (amount < 0)
        tmp[--i] = '-';
    memcpy(buf, tmp + i, sizeof tmp - (size_t)i);
    return buf;
}

/* k * 10^exp exactly, as floor *fl and whether a fraction is left
 * (*frac); FALSE when its magnitude is past 2^63 (then *fl is its sign). */
static gboolean money_scaled(double k, int exp, __int128 *fl, gboolean *frac)
{
    int e;
    double f = frexp(k, &e); /* k = f * 2^e, 0.5 <= |f| < 1 */
    __int128 p = (__int128)(gint64)ldexp(f, 53) * money_pow10(exp); /* k = p * 2^(e-53) / 10^exp */
    e -= 53;
    *frac = FALSE;
    if (e >= 12) { /* |p| >= 2^52: |k * 10^exp| >= 2^64 */
        *fl = p > 0 ? 1 : -1;
        return FALSE;
    }
    if (e >= 0) {
        *fl = p * ((__int128)1 << e);
        return TRUE;
    }
    if (e <= -100) { /* |p| < 2^87: a fraction of one */
        *fl = p < 0 ? -1 : 0;
        *frac = p != 0;
        return TRUE;
    }
    *fl = p >> -e; /* floors, negative values too */
    *frac = p - *fl * ((__int128)1 << -e) != 0;
    return TRUE;
}

static int money_sign128(__int128 d)
{
    return (d > 0) - (d < 0);
}

int money_cmp(gint64 minor, int exp, double k)
{
    __int128 fl;
    gboolean frac;
    if (k == 0)
        return (minor > 0) - (minor < 0);
    if (isinf(k))
        return k > 0 ? -1 : 1;
    if (!money_scaled(k, exp, &fl, &frac))
        return fl > 0 ? -1 : 1;
    if (frac && fl > -(G_GINT64_CONSTANT(1) << 50) && fl < G_GINT64_CONSTANT(1) << 50) {
        /* the whole number of minor units k stands for, if it is one */
        for (__int128 r = fl; r <= fl + 1; r++)
            if ((double)(gint64)r / money_scale(exp) == k)
                return money_sign128((__int128)minor - r);
    }
    if (!frac)
        return money_sign128((__int128)minor - fl);
    return minor <= fl ? -1 : 1;
}

#define MONEY_CODE(a, b, c) ((guint32)(a) << 16 | (guint32)(b) << 8 | (guint32)(c))

int money_currency_exp(guint32 currency)
{
    switch (currency) {
    case MONEY_CODE('J', 'P', 'Y'):
    case MONEY_CODE('K', 'R', 'W'):
    case MONEY_CODE('V', 'N', 'D'):
    case MONEY_CODE('C', 'L', 'P'):
    case MONEY_CODE('I', 'S', 'K'):
    case MONEY_CODE('P', 'Y', 'G'):
    case MONEY_CODE('U', 'G', 'X'):
    case MONEY_CODE('X', 'A', 'F'):
    case MONEY_CODE('X', 'O', 'F'):
    case MONEY_CODE('R', 'W', 'F'):
        return 0;
    case MONEY_CODE('B', 'H', 'D'):
    case MONEY_CODE('K', 'W', 'D'):
    case MONEY_CODE('O', 'M', 'R'):
    case MONEY_CODE('J', 'O', 'D'):
    case MONEY_CODE('T', 'N', 'D'):
    case MONEY_CODE('L', 'Y', 'D'):
    case MONEY_CODE('I', 'Q', 'D'):
        return 3;
    case MONEY_CODE('B', 'T', 'C'):
        return 8;
    default:
        return 2;
    }
}
