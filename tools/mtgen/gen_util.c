/* gen_util.c: mtgen's small building blocks: the xoshiro256** random
 * generator with its samplers, the calendar (base/tstamp's), and the
 * append-only text buffers every writer formats into.
 *
 * None of this uses the C library's rand() or locale-dependent printf, so
 * the output is the same bytes on every run and under every locale. */
#include "gen.h"

#include "base/tstamp.h"

#include <math.h>
#include <string.h>

static guint64 splitmix64(guint64 *x)
{
    guint64 z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Seeds r from seed; distinct streams give independent sequences. */
void gen_rng_seed(GenRng *r, guint64 seed, guint64 stream)
{
    guint64 x = seed ^ (stream * 0xD1B54A32D192ED03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static inline guint64 rotl(guint64 x, int k)
{
    return (x << k) | (x >> (64 - k));
}

guint64 gen_rng_next(GenRng *r)
{
    guint64 *s = r->s;
    guint64 result = rotl(s[1] * 5, 7) * 9;
    guint64 t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

guint32 gen_rng_below(GenRng *r, guint32 n)
{
    /* Lemire's multiply-shift; the tiny bias is irrelevant here. */
    return (guint32)(((gen_rng_next(r) >> 32) * (guint64)n) >> 32);
}

gint64 gen_rng_range(GenRng *r, gint64 lo, gint64 hi)
{
    if (hi <= lo)
        return lo;
    return lo + (gint64)(gen_rng_next(r) % (guint64)(hi - lo + 1));
}

double gen_rng_unit(GenRng *r)
{
    return (double)(gen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

gboolean gen_rng_chance(GenRng *r, double p)
{
    return gen_rng_unit(r) < p;
}

double gen_rng_normal(GenRng *r)
{
    /* Box-Muller, one value per call: simple and reproducible. */
    double u1 = gen_rng_unit(r), u2 = gen_rng_unit(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * G_PI * u2);
}

gint64 gen_rng_lognormal_cents(GenRng *r, double median, double sigma)
{
    double v = median * exp(sigma * gen_rng_normal(r));
    gint64 c = (gint64)(v * 100.0 + 0.5);
    return c < 1 ? 1 : c;
}

guint gen_rng_pick_cum(GenRng *r, const guint32 *cum, guint n)
{
    guint32 x = gen_rng_below(r, cum[n - 1]);
    guint lo = 0, hi = n - 1;
    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        if (x < cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The calendar is analyzer/base/tstamp's, linked in, so that the generator
 * and the analyzer cannot disagree about a date. */
gint64 gen_days_from_civil(int y, int m, int d)
{
    return tstamp_days_from_civil(y, m, d);
}

void gen_civil_from_days(gint64 z, int *y, int *m, int *d)
{
    tstamp_civil_from_days(z, y, m, d);
}

gboolean gen_parse_date(const char *s, gint64 *days)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return FALSE;
    if (y < 1971 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31)
        return FALSE;
    gint64 z = gen_days_from_civil(y, m, d);
    int y2, m2, d2;
    gen_civil_from_days(z, &y2, &m2, &d2);
    if (y2 != y || m2 != m || d2 != d)
        return FALSE;
    *days = z;
    return TRUE;
}

int gen_weekday(gint64 days)
{
    return tstamp_local_dow(days * 86400, 0) - 1; /* 1 = Monday there, 0 here */
}

void gen_buf_init(GenBuf *b, size_t cap)
{
    b->p = g_malloc(cap);
    b->len = 0;
    b->cap = cap;
}

void gen_buf_clear(GenBuf *b)
{
    g_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void gen_buf_grow(GenBuf *b, size_t more)
{
    while (b->len + more > b->cap)
        b->cap *= 2;
    b->p = g_realloc(b->p, b->cap);
}

void gen_buf_uint(GenBuf *b, guint64 v, int width)
{
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char tmp[24];
    int n = 24;
    while (v >= 100) {
        n -= 2;
        memcpy(tmp + n, pairs + (v % 100) * 2, 2);
        v /= 100;
    }
    if (v >= 10) {
        n -= 2;
        memcpy(tmp + n, pairs + v * 2, 2);
    } else {
        tmp[--n] = (char)('0' + v);
    }
    while (24 - n < width && n > 0)
        tmp[--n] = '0';
    gen_buf_mem(b, tmp + n, (size_t)(24 - n));
}

void gen_buf_cents(GenBuf *b, gint64 cents)
{
    if (cents < 0) {
        gen_buf_char(b, '-');
        cents = -cents;
    }
    gen_buf_uint(b, (guint64)(cents / 100), 1);
    gen_buf_char(b, '.');
    gen_buf_uint(b, (guint64)(cents % 100), 2);
}

void gen_buf_csv(GenBuf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        gen_buf_str(b, s);
        return;
    }
    gen_buf_char(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            gen_buf_char(b, '"');
        gen_buf_char(b, *s);
    }
    gen_buf_char(b, '"');
}
