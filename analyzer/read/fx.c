/* fx.c: reference exchange rates read from CSV text, and exact conversion
 * of minor units into the reporting currency (see fx.h).
 *
 * A rate r of currency C is "r units of C per one unit of the base" (the
 * euro in the ECB's files), held as num / 10^dp. An amount a in minor units
 * of C (exponent e) is, in minor units of the reporting currency R
 * (exponent eR, rate rR = nR / 10^dR):
 *
 *     a / 10^e / (nC / 10^dC) * (nR / 10^dR) * 10^eR
 *   = a * nR * 10^(dC + eR)  /  (nC * 10^(e + dR))
 *
 * worked out in 128-bit integers and rounded once, half to even, at the
 * end: the only rounding of a conversion. The base and R itself have the
 * rate 1. Each currency's rates are sorted by day; a lookup is a binary
 * search for the last day on or before the transaction's UTC day. */
#include "read/fx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/limits.h"
#include "base/money.h"
#include "base/tstamp.h"
#include "base/txn.h"

__extension__ typedef unsigned __int128 FxU128;

#define FX_MAX_DP     12 /* decimal places of a rate */
#define FX_MAX_DIGITS 15 /* significant digits of a rate */
#define FX_MAX_COLS   64 /* currencies in one wide file */

typedef struct {
    gint64 day; /* days since 1970-01-01 */
    gint64 num; /* the rate is num / 10^dp units per one unit of the base */
    gint dp;
} FxRate;

typedef struct {
    guint32 code;
    GArray *rates; /* FxRate, by day once finished */
} FxCurrency;

struct Fx {
    guint32 reporting, base;
    int reporting_exp, max_age;
    GArray *cur; /* FxCurrency */
};

Fx *fx_new(guint32 reporting, int max_age_days)
{
    Fx *fx = g_new0(Fx, 1);
    fx->reporting = reporting;
    fx->reporting_exp = money_currency_exp(reporting);
    fx->max_age = max_age_days;
    fx->cur = g_array_new(FALSE, FALSE, sizeof(FxCurrency));
    return fx;
}

Fx *fx_new_checked(const char *code, int max_age_days, GError **error)
{
    if (!code)
        code = "EUR";
    guint32 rep = strlen(code) == 3 ? txn_pack_code3(code, 3) : 0;
    char upper[4];
    txn_unpack_code(rep, upper);
    if (!rep || strcmp(upper, code) != 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--currency '%s' is not a currency code (three capital letters)", code);
        return NULL;
    }
    if (max_age_days < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--fx-max-age must be 0 or more days");
        return NULL;
    }
    return fx_new(rep, max_age_days);
}

void fx_free(Fx *fx)
{
    if (!fx)
        return;
    for (guint i = 0; i < fx->cur->len; i++)
        g_array_free(g_array_index(fx->cur, FxCurrency, i).rates, TRUE);
    g_array_free(fx->cur, TRUE);
    g_free(fx);
}

static FxCurrency *fx_find(const Fx *fx, guint32 code)
{
    for (guint i = 0; i < fx->cur->len; i++)
        if (g_array_index(fx->cur, FxCurrency, i).code == code)
            return &g_array_index(fx->cur, FxCurrency, i);
    return NULL;
}

static FxCurrency *fx_find_or_add(Fx *fx, guint32 code)
{
    FxCurrency *c = fx_find(fx, code);
    if (c)
        return c;
    FxCurrency nc = {code, g_array_new(FALSE, FALSE, sizeof(FxRate))};
    g_array_append_val(fx->cur, nc);
    return &g_array_index(fx->cur, FxCurrency, fx->cur->len - 1);
}

/* ---- reading ---- */

/* One line being read: its fields, split on ',' with blanks trimmed. */
typedef struct {
    const char *name;
    guint64 line;
    char *f[FX_MAX_COLS + 2];
    guint n;
} FxLine;

static gboolean fx_fail(GError **error, const FxLine *l, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static gboolean fx_fail(GError **error, const FxLine *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%" G_GUINT64_FORMAT ": %s", l->name,
                l->line, msg);
    return FALSE;
}

/* Splits s in place; FALSE when it has more fields than a line may. */
static gboolean fx_split(FxLine *l, char *s)
{
    l->n = 0;
    for (;;) {
        if (l->n == G_N_ELEMENTS(l->f))
            return FALSE;
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        l->f[l->n++] = g_strstrip(s);
        if (!comma)
            return TRUE;
        s = comma + 1;
    }
}

static gboolean fx_parse_date(const char *s, gint64 *day)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31)
        return FALSE;
    gint64 days = tstamp_days_from_civil(y, m, d);
    int y2, m2, d2; /* 2023-02-30 comes back as another day */
    tstamp_civil_from_days(days, &y2, &m2, &d2);
    *day = days;
    return y2 == y && m2 == m && d2 == d;
}

/* A rate: digits with at most one '.', positive, exact. */
static gboolean fx_parse_rate(const FxLine *l, const char *s, FxRate *r, GError **error)
{
    gint64 num = 0;
    int dp = -1, digits = 0;
    if (*s == '-')
        return fx_fail(error, l, "rate '%s' is negative", s);
    for (const char *p = s; *p; p++) {
        if (*p == '.' && dp < 0) {
            dp = 0;
            continue;
        }
        if (*p < '0' || *p > '9')
            return fx_fail(error, l, "rate '%s' is not a number", s);
        if (num == 0 && *p == '0' && dp < 0)
            continue;
        if (num || *p != '0')
            digits++;
        num = num * 10 + (*p - '0');
        if (dp >= 0)
            dp++;
        if (digits > FX_MAX_DIGITS || dp > FX_MAX_DP)
            return fx_fail(error, l, "rate '%s' has more than %d digits or %d decimal places", s,
                           FX_MAX_DIGITS, FX_MAX_DP);
    }
    if (!*s || strcmp(s, ".") == 0)
        return fx_fail(error, l, "rate '%s' is not a number", s);
    if (num == 0)
        return fx_fail(error, l, "rate '%s' is zero", s);
    r->dp = MAX(dp, 0);
    while (r->dp > 0 && num % 10 == 0) { /* 1.0830 is 1.083 */
        num /= 10;
        r->dp--;
    }
    r->num = num;
    return TRUE;
}

static guint32 fx_parse_code(const char *s)
{
    if (strlen(s) != 3)
        return 0;
    for (int i = 0; i < 3; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return txn_pack_code3(s, 3);
}

static gboolean fx_set_base(Fx *fx, const FxLine *l, guint32 base, GError **error)
{
    if (fx->base && fx->base != base) {
        char a[4], b[4];
        txn_unpack_code(fx->base, a);
        txn_unpack_code(base, b);
        return fx_fail(error, l, "base %s differs from %s read before (one base per run)", b, a);
    }
    fx->base = base;
    return TRUE;
}

/* Adds one rate of code on day, or fails on a second one for that day. */
static gboolean fx_add(Fx *fx, const FxLine *l, guint32 code, gint64 day, const char *text,
                       GError **error)
{
    FxRate r = {.day = day};
    if (!fx_parse_rate(l, text, &r, error))
        return FALSE;
    char c[4];
    txn_unpack_code(code, c);
    if (code == fx->base)
        return fx_fail(error, l, "a rate for %s, the base itself", c);
    FxCurrency *cur = fx_find_or_add(fx, code);
    GArray *a = cur->rates;
    for (guint i = a->len; i-- > 0 && i + 8 >= a->len;) /* files come in date order */
        if (g_array_index(a, FxRate, i).day == day)
            return fx_fail(error, l, "a second %s rate for %s", c, l->f[0]);
    g_array_append_val(a, r);
    return TRUE;
}

typedef struct {
    guint32 codes[FX_MAX_COLS + 2]; /* wide layout: the currency of each column, 0 = none */
    guint n_cols;
    gboolean wide;
} FxHeader;

static gboolean fx_header(Fx *fx, FxLine *l, FxHeader *h, GError **error)
{
    static const char *const long_cols[] = {"date", "currency", "rate", "base"};
    if (l->n == 4) {
        gboolean is_long = TRUE;
        for (int i = 0; i < 4; i++)
            is_long = is_long && g_ascii_strcasecmp(l->f[i], long_cols[i]) == 0;
        if (is_long) {
            h->wide = FALSE;
            return TRUE;
        }
    }
    if (g_ascii_strcasecmp(l->f[0], "Date") != 0)
        return fx_fail(error, l,
                       "the header is neither 'Date,USD,JPY,...' (ECB) nor "
                       "'date,currency,rate,base'");
    h->wide = TRUE;
    h->n_cols = l->n;
    for (guint i = 1; i < l->n; i++) {
        if (!*l->f[i] && i == l->n - 1)
            continue; /* the ECB's files end each line with ',' */
        if (!(h->codes[i] = fx_parse_code(l->f[i])))
            return fx_fail(error, l, "column %u: '%s' is not a currency code", i + 1, l->f[i]);
        for (guint j = 1; j < i; j++)
            if (h->codes[j] == h->codes[i])
                return fx_fail(error, l, "column %u: %s appears twice", i + 1, l->f[i]);
    }
    return fx_set_base(fx, l, txn_pack_code3("EUR", 3), error);
}

static gboolean fx_row_wide(Fx *fx, FxLine *l, const FxHeader *h, GError **error)
{
    gint64 day;
    if (l->n != h->n_cols)
        return fx_fail(error, l, "expected %u fields, found %u", h->n_cols, l->n);
    if (!fx_parse_date(l->f[0], &day))
        return fx_fail(error, l, "'%s' is not a date (YYYY-MM-DD)", l->f[0]);
    for (guint i = 1; i < l->n; i++) {
        if (!h->codes[i]) {
            if (*l->f[i])
                return fx_fail(error, l, "a value '%s' in the column without a name", l->f[i]);
            continue;
        }
        if (!*l->f[i] || strcmp(l->f[i], "N/A") == 0)
            continue; /* none published that day */
        if (!fx_add(fx, l, h->codes[i], day, l->f[i], error))
            return FALSE;
    }
    return TRUE;
}

static gboolean fx_row_long(Fx *fx, FxLine *l, GError **error)
{
    gint64 day;
    guint32 code, base;
    if (l->n != 4)
        return fx_fail(error, l, "expected 4 fields, found %u", l->n);
    if (!fx_parse_date(l->f[0], &day))
        return fx_fail(error, l, "'%s' is not a date (YYYY-MM-DD)", l->f[0]);
    if (!(code = fx_parse_code(l->f[1])))
        return fx_fail(error, l, "'%s' is not a currency code", l->f[1]);
    if (!(base = fx_parse_code(l->f[3])))
        return fx_fail(error, l, "'%s' is not a currency code", l->f[3]);
    if (strcmp(l->f[2], "N/A") == 0 || !*l->f[2])
        return TRUE;
    return fx_set_base(fx, l, base, error) && fx_add(fx, l, code, day, l->f[2], error);
}

gboolean fx_load_text(Fx *fx, const char *name, const char *text, gsize len, GError **error)
{
    g_autofree char *buf = g_strndup(text, len);
    FxLine l = {.name = name};
    FxHeader h = {0};
    gboolean have_header = FALSE;
    char *save = NULL;
    char *p = buf;
    if (g_str_has_prefix(p, "\xEF\xBB\xBF"))
        p += 3;
    for (char *s = p; s; s = save) {
        char *nl = strchr(s, '\n');
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        l.line++;
        if (!*g_strstrip(s))
            continue;
        if (!fx_split(&l, s))
            return fx_fail(error, &l, "more than %d fields", FX_MAX_COLS);
        if (!have_header) {
            if (!fx_header(fx, &l, &h, error))
                return FALSE;
            have_header = TRUE;
        } else if (!(h.wide ? fx_row_wide(fx, &l, &h, error) : fx_row_long(fx, &l, error)))
            return FALSE;
    }
    if (!have_header) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no rates: the file is empty",
                    name);
        return FALSE;
    }
    return TRUE;
}

gboolean fx_load_file(Fx *fx, const char *path, GError **error)
{
    g_autofree char *text = NULL;
    gsize len;
    if (!g_file_get_contents(path, &text, &len, error))
        return FALSE;
    return fx_load_text(fx, path, text, len, error);
}

gboolean fx_load_db(Fx *fx, PGconn *conn, guint *n, GError **error)
{
    PGresult *res = db_exec(conn, "reading the rates from",
                            "SELECT day::text, currency, rate::text, base FROM fx_rates "
                            "ORDER BY currency, day",
                            0, NULL, error);
    if (!res)
        return FALSE;
    g_autoptr(GString) text = g_string_new("date,currency,rate,base\n");
    *n = (guint)PQntuples(res);
    for (int i = 0; i < PQntuples(res); i++)
        g_string_append_printf(text, "%s,%s,%s,%s\n", PQgetvalue(res, i, 0), PQgetvalue(res, i, 1),
                               PQgetvalue(res, i, 2), PQgetvalue(res, i, 3));
    PQclear(res);
    return fx_load_text(fx, "fx_rates", text->str, text->len, error);
}

static int fx_rate_cmp(const void *a, const void *b)
{
    gint64 x = ((const FxRate *)a)->day, y = ((const FxRate *)b)->day;
    return (x > y) - (x < y);
}

gboolean fx_finish(Fx *fx, GError **error)
{
    for (guint i = 0; i < fx->cur->len; i++) {
        GArray *a = g_array_index(fx->cur, FxCurrency, i).rates;
        qsort(a->data, a->len, sizeof(FxRate), fx_rate_cmp);
        for (guint j = 1; j < a->len; j++) {
            if (g_array_index(a, FxRate, j).day == g_array_index(a, FxRate, j - 1).day) {
                char c[4], d[16];
                txn_unpack_code(g_array_index(fx->cur, FxCurrency, i).code, c);
                tstamp_format_date(g_array_index(a, FxRate, j).day * 86400, d);
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "the rates give %s twice for %s", c, d);
                return FALSE;
            }
        }
    }
    if (fx->reporting && !fx_knows(fx, fx->reporting)) {
        char c[4];
        txn_unpack_code(fx->reporting, c);
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "the rates have no %s, the reporting currency", c);
        return FALSE;
    }
    return TRUE;
}

/* ---- lookup and conversion ---- */

guint32 fx_reporting(const Fx *fx)
{
    return fx->reporting;
}

int fx_reporting_exp(const Fx *fx)
{
    return fx->reporting_exp;
}

guint32 fx_base(const Fx *fx)
{
    return fx->base;
}

int fx_max_age(const Fx *fx)
{
    return fx->max_age;
}

guint fx_count(const Fx *fx)
{
    guint n = 0;
    for (guint i = 0; i < fx->cur->len; i++)
        n += g_array_index(fx->cur, FxCurrency, i).rates->len;
    return n;
}

gboolean fx_knows(const Fx *fx, guint32 currency)
{
    return currency && (currency == fx->base || fx_find(fx, currency) != NULL ||
                        (!fx->base && currency == fx->reporting));
}

/* The rate of currency on day (or the last before it) into *r. */
static FxStatus fx_rate(const Fx *fx, guint32 currency, gint64 day, FxRate *r)
{
    if (currency == fx->base) {
        *r = (FxRate){.day = day, .num = 1, .dp = 0};
        return FX_OK;
    }
    const FxCurrency *c = fx_find(fx, currency);
    if (!c || !c->rates->len || g_array_index(c->rates, FxRate, 0).day > day)
        return FX_NO_RATE;
    guint lo = 0, hi = c->rates->len; /* the last with day <= day is at lo */
    while (hi - lo > 1) {
        guint mid = lo + (hi - lo) / 2;
        if (g_array_index(c->rates, FxRate, mid).day <= day)
            lo = mid;
        else
            hi = mid;
    }
    *r = g_array_index(c->rates, FxRate, lo);
    return day - r->day > fx->max_age ? FX_STALE : FX_OK;
}

static gboolean mul_u128(FxU128 *x, FxU128 k)
{
    if (k && *x > ~(FxU128)0 / k)
        return FALSE;
    *x *= k;
    return TRUE;
}

static gboolean mul_pow10(FxU128 *x, int p)
{
    for (; p > 0; p -= 10)
        if (!mul_u128(x, (FxU128)money_pow10(MIN(p, 10))))
            return FALSE;
    return TRUE;
}

FxStatus fx_convert(const Fx *fx, gint64 amount, guint32 currency, int exp, gint64 ts, gint64 *out)
{
    if (!currency)
        return FX_NO_CURRENCY;
    if (currency == fx->reporting && exp == fx->reporting_exp) {
        *out = amount;
        return FX_OK;
    }
    gint64 day = tstamp_local_day(ts, 0);
    FxRate rc, rr;
    FxStatus st = fx_rate(fx, currency, day, &rc);
    if (st == FX_OK && currency == fx->reporting)
        rr = rc;
    else if (st == FX_OK)
        st = fx_rate(fx, fx->reporting, day, &rr);
    if (st != FX_OK)
        return st;
    gboolean neg = amount < 0;
    FxU128 num = (FxU128)(neg ? -(guint64)amount : (guint64)amount), den = (FxU128)rc.num;
    int p = rc.dp + fx->reporting_exp - (exp + rr.dp);
    if (!mul_u128(&num, (FxU128)rr.num) || !mul_pow10(p > 0 ? &num : &den, abs(p)))
        return FX_OVERFLOW;
    FxU128 q = num / den, rem = num % den;
    if (rem > den - rem || (rem == den - rem && (q & 1)))
        q++; /* half to even */
    if (q > (FxU128)LIMIT_AMOUNT_MINOR)
        return FX_OVERFLOW;
    *out = neg ? -(gint64)q : (gint64)q;
    return FX_OK;
}

double fx_convert_value(const Fx *fx, double v, guint32 currency, gint64 ts)
{
    int exp = money_currency_exp(currency);
    double minor = v * money_scale(exp);
    if (!(minor > -9e18 && minor < 9e18))
        return NAN;
    gint64 out;
    if (fx_convert(fx, (gint64)llround(minor), currency, exp, ts, &out) != FX_OK)
        return NAN;
    return (double)out / money_scale(fx->reporting_exp);
}

const char *fx_status_text(const Fx *fx, FxStatus st, guint32 currency, gint64 ts, char *buf)
{
    char c[4], r[4], d[16], most[32];
    txn_unpack_code(currency, c);
    txn_unpack_code(fx->reporting, r);
    tstamp_format_date(ts, d);
    /* of the two rates, name the one missing: the row's own or the reporting one */
    gint64 day = tstamp_local_day(ts, 0);
    FxRate tmp = {0};
    gboolean own_ok = fx_rate(fx, currency, day, &tmp) == FX_OK;
    const char *which = own_ok ? r : c;
    if (own_ok)
        fx_rate(fx, fx->reporting, day, &tmp);
    char last[16];
    tstamp_format_date(tmp.day * 86400, last);
    switch (st) {
    case FX_NO_CURRENCY:
        g_snprintf(buf, 160, "no currency: cannot convert to %s", r);
        break;
    case FX_NO_RATE:
        g_snprintf(buf, 160, "no %s rate on or before %s in the rates", which, d);
        break;
    case FX_STALE:
        g_snprintf(buf, 160,
                   "the last %s rate, of %s, is %" G_GINT64_FORMAT
                   " days older than %s (at most %d)",
                   which, last, day - tmp.day, d, fx->max_age);
        break;
    case FX_OVERFLOW:
        g_snprintf(buf, 160, "converted to %s it is above the largest amount accepted, %s", r,
                   money_format(LIMIT_AMOUNT_MINOR, fx->reporting_exp, most));
        break;
    default:
        g_snprintf(buf, 160, "converted");
    }
    return buf;
}

void fx_foreach(const Fx *fx,
                void (*fn)(const char *date, const char *currency, const char *rate,
                           const char *base, void *user),
                void *user)
{
    char base[4], code[4], date[16], rate[48];
    txn_unpack_code(fx->base, base);
    for (guint i = 0; i < fx->cur->len; i++) {
        const FxCurrency *c = &g_array_index(fx->cur, FxCurrency, i);
        txn_unpack_code(c->code, code);
        for (guint j = 0; j < c->rates->len; j++) {
            const FxRate *r = &g_array_index(c->rates, FxRate, j);
            tstamp_format_date(r->day * 86400, date);
            char digits[32];
            int len = g_snprintf(digits, sizeof digits, "%0*" G_GINT64_FORMAT, r->dp + 1, r->num);
            if (r->dp)
                g_snprintf(rate, sizeof rate, "%.*s.%s", len - r->dp, digits, digits + len - r->dp);
            else
                g_strlcpy(rate, digits, sizeof rate);
            fn(date, code, rate, base, user);
        }
    }
}

char *fx_seen_text(const FxSeen *s)
{
    GString *out = g_string_new(NULL);
    char c[4];
    for (guint i = 0; i < s->n; i++) {
        txn_unpack_code(s->codes[i], c);
        g_string_append_printf(out, "%s%s", i ? ", " : "", *c ? c : "none");
    }
    if (s->more)
        g_string_append(out, ", ...");
    return g_string_free(out, FALSE);
}
