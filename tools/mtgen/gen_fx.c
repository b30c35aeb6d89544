/* gen_fx.c: a multi-currency bank on request (--currencies USD,GBP
 * [--currency-share 0.15]): a share of the canonical rows is written in a
 * foreign currency, and rates.csv beside the transactions holds the
 * reference rates of every business day, in the European Central Bank's
 * layout, so that `moneytrail scan --fx rates.csv` converts them back.
 *
 * Which rows are foreign, and in which currency, is a hash of the seed and
 * the row's id, not a draw from the random streams: the rows, their times
 * and accounts are those of the same run without --currencies, only the
 * amount and currency of the chosen rows differ. A foreign amount is the
 * euro amount times the rate of the row's UTC date (the Friday's on a
 * weekend), rounded half up to the currency's minor unit; converted back
 * it is within a cent of the euro amount. Rates move along a fixed
 * triangle, at most 2% either way of the currency's base rate. */
#include "gen.h"

#include <string.h>

static const struct {
    const char *code;
    int exp;     /* decimals of the minor unit */
    int dec;     /* decimals of the rate, as the ECB publishes it */
    gint64 base; /* units per euro, times 10^dec */
} currencies[] = {
    {"USD", 2, 4, 10850},  {"GBP", 2, 5, 85500},  {"CHF", 2, 4, 9600},   {"JPY", 0, 2, 16000},
    {"PLN", 2, 4, 43200},  {"RON", 2, 4, 49700},  {"TRY", 2, 4, 350000}, {"PHP", 2, 3, 60500},
    {"MXN", 2, 4, 185000}, {"INR", 2, 4, 900000},
};

gboolean gen_fx_parse(GenOptions *o, const char *list, const char *share, GError **error)
{
    if (!list) {
        if (share)
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--currency-share needs --currencies");
        return !share;
    }
    g_auto(GStrv) parts = g_strsplit(list, ",", -1);
    for (char **p = parts; *p; p++) {
        int c = -1;
        for (guint k = 0; k < G_N_ELEMENTS(currencies); k++)
            if (strcmp(*p, currencies[k].code) == 0)
                c = (int)k;
        if (c < 0 || o->fx_n == GEN_FX_MAX) {
            g_autoptr(GString) known = g_string_new(NULL);
            for (guint k = 0; k < G_N_ELEMENTS(currencies); k++)
                g_string_append_printf(known, "%s%s", k ? ", " : "", currencies[k].code);
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        c < 0 ? "unknown currency '%s' in --currencies: expected some of %s"
                              : "too many --currencies ('%s'): at most %s",
                        *p, c < 0 ? known->str : G_STRINGIFY(GEN_FX_MAX));
            return FALSE;
        }
        o->fx_cur[o->fx_n++] = c;
    }
    double s = 0.15;
    char *end = NULL;
    if (share)
        s = g_ascii_strtod(share, &end);
    if (share && (end == share || *end || !(s > 0 && s <= 1))) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "bad --currency-share '%s': expected a share above 0, at most 1", share);
        return FALSE;
    }
    o->fx_share_ppm = (guint32)(s * 1e6 + 0.5);
    return TRUE;
}

/* The currency (index into currencies) of row id, or -1 for euros. */
static int pick(const GenOptions *o, guint64 id)
{
    guint32 h = gen_hash((guint32)id ^ (guint32)(id >> 32), (guint32)o->seed ^ 0xF0F0u);
    if (!o->fx_n || h % 1000000u >= o->fx_share_ppm)
        return -1;
    return o->fx_cur[gen_hash(h, 7) % (guint32)o->fx_n];
}

/* The rate of currency c on day (days since 1970-01-01, a business day). */
static gint64 rate_on(int c, gint64 day)
{
    gint64 m = ((day % 80) + 80) % 80;
    gint64 tri = (m < 40 ? m : 80 - m) - 20; /* -20 .. 20 */
    return currencies[c].base * (1000 + tri) / 1000;
}

/* The last business day on or before day: Saturday and Sunday take Friday. */
static gint64 business_day(gint64 day)
{
    int dow = (int)(((day + 4) % 7 + 7) % 7); /* 0 = Sunday */
    return dow == 6 ? day - 1 : dow == 0 ? day - 2 : day;
}

static gint64 pow10i(int n)
{
    gint64 v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

void gen_fx_amount(const GenOptions *o, guint64 id, gint64 utc_t, gint64 cents, GenBuf *b)
{
    int c = pick(o, id);
    if (c < 0) {
        gen_buf_cents(b, cents);
        gen_buf_str(b, ",EUR");
        return;
    }
    gint64 day = utc_t >= 0 ? utc_t / GEN_DAY : -((-utc_t + GEN_DAY - 1) / GEN_DAY);
    gint64 rate = rate_on(c, business_day(day));
    /* cents * rate / 10^dec / 100 units, in minor units: * 10^exp */
    __int128 num = (__int128)cents * rate * pow10i(currencies[c].exp);
    __int128 den = (__int128)pow10i(currencies[c].dec) * 100;
    gint64 minor = (gint64)((num + den / 2) / den);
    int exp = currencies[c].exp;
    gen_buf_uint(b, (guint64)(minor / pow10i(exp)), 1);
    if (exp) {
        gen_buf_char(b, '.');
        gen_buf_uint(b, (guint64)(minor % pow10i(exp)), exp);
    }
    gen_buf_char(b, ',');
    gen_buf_str(b, currencies[c].code);
}

/* One rate as decimal text. */
static void put_rate(GString *s, int c, gint64 r)
{
    gint64 p = pow10i(currencies[c].dec);
    g_string_append_printf(s, "%" G_GINT64_FORMAT ".%0*" G_GINT64_FORMAT, r / p, currencies[c].dec,
                           r % p);
}

gboolean gen_fx_write(const GenOptions *o, GError **error)
{
    if (!o->fx_n)
        return TRUE;
    GString *s = g_string_new("Date");
    for (int k = 0; k < o->fx_n; k++)
        g_string_append_printf(s, ",%s", currencies[o->fx_cur[k]].code);
    g_string_append(s, ",\n");
    /* newest first, as the ECB publishes; a week before the first day so
     * that rows of an opening weekend have a rate */
    for (gint64 day = o->start_day + o->days; day >= o->start_day - 7; day--) {
        if (business_day(day) != day)
            continue;
        int y, m, d;
        gen_civil_from_days(day, &y, &m, &d);
        g_string_append_printf(s, "%04d-%02d-%02d", y, m, d);
        for (int k = 0; k < o->fx_n; k++) {
            g_string_append_c(s, ',');
            put_rate(s, o->fx_cur[k], rate_on(o->fx_cur[k], day));
        }
        g_string_append(s, ",\n");
    }
    g_autofree char *path = g_build_filename(o->out_dir, "rates.csv", NULL);
    gboolean ok = g_file_set_contents(path, s->str, (gssize)s->len, error);
    g_string_free(s, TRUE);
    return ok;
}

void gen_fx_meta(const GenOptions *o, GString *s)
{
    if (!o->fx_n)
        return;
    g_string_append(s, "currencies=");
    for (int k = 0; k < o->fx_n; k++)
        g_string_append_printf(s, "%s%s", k ? "," : "", currencies[o->fx_cur[k]].code);
    g_string_append_printf(s, "\ncurrency_share_ppm=%u\n", o->fx_share_ppm);
}
