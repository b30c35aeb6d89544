/* tstamp.c: timestamps: hand-written parsers for ISO 8601 and strftime-like
 * bank formats into UTC seconds plus the local offset, and formatting back.
 *
 * No strptime, no allocation, no locale. Every field is range-checked
 * (days per month with leap years, hour 0-23, offset up to 18:00). The
 * civil-date to day-number step is cached for the last date seen, since
 * consecutive rows of a sorted export are mostly on the same day. The
 * local day, hour and weekday of an instant are computed here only: rules
 * (rule_vm.c) and transactions (txn.c) ask for them with the offset. */
#include "base/tstamp.h"

#include <stdio.h>
#include <string.h>

/* A cursor over the input being parsed. */
typedef struct {
    const char *p, *end;
} TsCur;

/* Broken-down fields of a timestamp being parsed. */
typedef struct {
    int y, mo, d, h, mi, s;
    int offset; /* minutes east of UTC */
    gboolean has_offset;
} TsFields;

static inline gboolean ts_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads exactly n digits. */
static gboolean ts_fixed(TsCur *c, int n, int *out)
{
    if (c->end - c->p < n)
        return FALSE;
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!ts_digit(c->p[i]))
            return FALSE;
        v = v * 10 + (c->p[i] - '0');
    }
    c->p += n;
    *out = v;
    return TRUE;
}

/* Reads one or two digits. */
static gboolean ts_upto2(TsCur *c, int *out)
{
    if (c->p + 1 < c->end && ts_digit(c->p[1]))
        return ts_fixed(c, 2, out);
    return ts_fixed(c, 1, out);
}

static inline gboolean ts_char(TsCur *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return TRUE;
    }
    return FALSE;
}

static gboolean ts_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int ts_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ts_leap(y) ? 29 : days[m - 1];
}

gint64 tstamp_days_from_civil(int y, int m, int d)
{
    /* Howard Hinnant's days_from_civil. */
    y -= m <= 2;
    gint64 era = (y >= 0 ? y : y - 399) / 400;
    gint64 yoe = y - era * 400;
    gint64 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void tstamp_civil_from_days(gint64 z, int *y, int *m, int *d)
{
    z += 719468;
    gint64 era = (z >= 0 ? z : z - 146096) / 146097;
    gint64 doe = z - era * 146097;
    gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    gint64 mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Day number of a validated date; the last date is cached per thread. */
static gboolean ts_date_days(int y, int m, int d, gint64 *days)
{
    static _Thread_local int cached_key = -1;
    static _Thread_local gint64 cached_days;
    int key = y * 10000 + m * 100 + d;
    if (key == cached_key) {
        *days = cached_days;
        return TRUE;
    }
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > ts_days_in_month(y, m))
        return FALSE;
    cached_key = key;
    cached_days = tstamp_days_from_civil(y, m, d);
    *days = cached_days;
    return TRUE;
}

/* Validates the fields and computes UTC seconds. */
static gboolean ts_fields_to_utc(const TsFields *f, gint64 *utc)
{
    gint64 days;
    if (f->h > 23 || f->mi > 59 || f->s > 59 || !ts_date_days(f->y, f->mo, f->d, &days))
        return FALSE;
    *utc = days * 86400 + f->h * 3600 + f->mi * 60 + f->s - (gint64)f->offset * 60;
    return TRUE;
}

/* Parses "Z", "+HH", "+HH:MM" or "+HHMM" (or '-'). */
static gboolean ts_offset(TsCur *c, int *offset)
{
    if (ts_char(c, 'Z')) {
        *offset = 0;
        return TRUE;
    }
    int sign = ts_char(c, '+') ? 1 : ts_char(c, '-') ? -1 : 0;
    int h, m = 0;
    if (!sign || !ts_fixed(c, 2, &h))
        return FALSE;
    if (c->p < c->end) {
        gboolean colon = ts_char(c, ':');
        if (!ts_fixed(c, 2, &m) && colon)
            return FALSE;
    }
    if (h > 18 || m > 59)
        return FALSE;
    *offset = sign * (h * 60 + m);
    return TRUE;
}

/* Parses the optional ":SS[.frac]" after the minutes. */
static gboolean ts_seconds(TsCur *c, int *s)
{
    *s = 0;
    if (!ts_char(c, ':'))
        return TRUE;
    if (!ts_fixed(c, 2, s))
        return FALSE;
    if (ts_char(c, '.') || ts_char(c, ',')) {
        if (c->p >= c->end || !ts_digit(*c->p))
            return FALSE;
        while (c->p < c->end && ts_digit(*c->p))
            c->p++;
    }
    return TRUE;
}

gboolean tstamp_parse_iso(const char *s, size_t n, int default_offset, gint64 *utc, int *offset_min,
                          gboolean *has_offset)
{
    TsCur c = {s, s + n};
    TsFields f = {0};
    if (!ts_fixed(&c, 4, &f.y) || !ts_char(&c, '-') || !ts_fixed(&c, 2, &f.mo) ||
        !ts_char(&c, '-') || !ts_fixed(&c, 2, &f.d))
        return FALSE;
    if (!(ts_char(&c, 'T') || ts_char(&c, ' ')) || !ts_fixed(&c, 2, &f.h) || !ts_char(&c, ':') ||
        !ts_fixed(&c, 2, &f.mi) || !ts_seconds(&c, &f.s))
        return FALSE;
    f.has_offset = c.p < c.end;
    f.offset = default_offset;
    if (f.has_offset && (!ts_offset(&c, &f.offset) || c.p != c.end))
        return FALSE;
    if (!ts_fields_to_utc(&f, utc))
        return FALSE;
    *offset_min = f.offset;
    *has_offset = f.has_offset;
    return TRUE;
}

/* Applies one %-directive of a format. */
static gboolean ts_directive(TsCur *c, char dir, TsFields *f)
{
    switch (dir) {
    case 'Y':
        return ts_fixed(c, 4, &f->y);
    case 'm':
        return ts_upto2(c, &f->mo);
    case 'd':
        return ts_upto2(c, &f->d);
    case 'H':
        return ts_upto2(c, &f->h);
    case 'M':
        return ts_upto2(c, &f->mi);
    case 'S':
        return ts_upto2(c, &f->s);
    case 'z':
        f->has_offset = TRUE;
        return ts_offset(c, &f->offset);
    case '%':
        return ts_char(c, '%');
    default:
        return FALSE;
    }
}

gboolean tstamp_parse_format(const char *s, size_t n, const char *format, int default_offset,
                             gint64 *utc, int *offset_min)
{
    TsCur c = {s, s + n};
    TsFields f = {.y = 1970, .mo = 1, .d = 1, .offset = default_offset};
    for (const char *fp = format; *fp; fp++) {
        gboolean ok = *fp == '%' ? ts_directive(&c, *++fp, &f) : ts_char(&c, *fp);
        if (!ok)
            return FALSE;
    }
    if (c.p != c.end || !ts_fields_to_utc(&f, utc))
        return FALSE;
    *offset_min = f.offset;
    return TRUE;
}

/* Writes v as exactly n decimal digits. */
static void ts_put(char *buf, unsigned v, int n)
{
    for (int i = n - 1; i >= 0; i--, v /= 10)
        buf[i] = (char)('0' + v % 10);
}

/* Floor division (b > 0), so that times before 1970 fall on the right day. */
static inline gint64 ts_floor_div(gint64 a, gint64 b)
{
    gint64 q = a / b;
    return a % b < 0 ? q - 1 : q;
}

gint64 tstamp_local_day(gint64 utc, int offset_min)
{
    return ts_floor_div(utc + (gint64)offset_min * 60, 86400);
}

/* Seconds since local midnight, 0-86399. */
static gint64 ts_local_sod(gint64 utc, int offset_min)
{
    gint64 local = utc + (gint64)offset_min * 60;
    return local - ts_floor_div(local, 86400) * 86400;
}

int tstamp_local_minute(gint64 utc, int offset_min)
{
    return (int)(ts_local_sod(utc, offset_min) / 60);
}

int tstamp_local_hour(gint64 utc, int offset_min)
{
    return (int)(ts_local_sod(utc, offset_min) / 3600);
}

int tstamp_local_dow(gint64 utc, int offset_min)
{
    gint64 days = tstamp_local_day(utc, offset_min) + 3; /* since Monday 1969-12-29 */
    return (int)(days - ts_floor_div(days, 7) * 7) + 1;
}

gint64 tstamp_local_week(gint64 utc, int offset_min)
{
    return ts_floor_div(tstamp_local_day(utc, offset_min) + 3, 7);
}

char *tstamp_format_utc(gint64 utc, char *buf)
{
    gint64 days = tstamp_local_day(utc, 0), sod = ts_local_sod(utc, 0);
    int y, m, d;
    tstamp_civil_from_days(days, &y, &m, &d);
    ts_put(buf, (unsigned)y % 10000, 4);
    buf[4] = '-';
    ts_put(buf + 5, (unsigned)m, 2);
    buf[7] = '-';
    ts_put(buf + 8, (unsigned)d, 2);
    buf[10] = 'T';
    ts_put(buf + 11, (unsigned)(sod / 3600), 2);
    buf[13] = ':';
    ts_put(buf + 14, (unsigned)(sod / 60 % 60), 2);
    buf[16] = ':';
    ts_put(buf + 17, (unsigned)(sod % 60), 2);
    memcpy(buf + 19, "Z", 2);
    return buf;
}

gboolean tstamp_parse_duration(const char *s, size_t n, gint64 *seconds)
{
    static const struct {
        char unit;
        gint64 secs;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
    if (n < 2)
        return FALSE;
    gint64 v = 0;
    for (size_t i = 0; i + 1 < n; i++) {
        if (!ts_digit(s[i]) || v > (G_MAXINT64 / 10 - 9) / (7 * 86400))
            return FALSE;
        v = v * 10 + (s[i] - '0');
    }
    for (size_t u = 0; u < G_N_ELEMENTS(units); u++)
        if (s[n - 1] == units[u].unit) {
            *seconds = v * units[u].secs;
            return TRUE;
        }
    return FALSE;
}

char *tstamp_format_duration(gint64 seconds, char *buf, size_t size)
{
    const char *sign = seconds < 0 ? "-" : "";
    guint64 v = seconds < 0 ? (guint64)0 - (guint64)seconds : (guint64)seconds;
    guint64 d = v / 86400, h = v / 3600 % 24, m = v / 60 % 60, s = v % 60;
    if (d > 0 && h == 0)
        snprintf(buf, size, "%s%" G_GUINT64_FORMAT " day%s", sign, d, d == 1 ? "" : "s");
    else if (d > 0)
        snprintf(buf, size, "%s%" G_GUINT64_FORMAT " day%s %" G_GUINT64_FORMAT " h", sign, d,
                 d == 1 ? "" : "s", h);
    else if (h > 0 && m == 0)
        snprintf(buf, size, "%s%" G_GUINT64_FORMAT " h", sign, h);
    else if (h > 0)
        snprintf(buf, size, "%s%" G_GUINT64_FORMAT " h %" G_GUINT64_FORMAT " min", sign, h, m);
    else if (m > 0 && s == 0)
        snprintf(buf, size, "%s%" G_GUINT64_FORMAT " min", sign, m);
    else if (m > 0)
        snprintf(buf, size, "%s%" G_GUINT64_FORMAT " min %" G_GUINT64_FORMAT " s", sign, m, s);
    else
        snprintf(buf, size, "%s%" G_GUINT64_FORMAT " s", sign, s);
    return buf;
}

const char *tstamp_format_minute(gint64 ts, char *buf)
{
    char iso[32];
    tstamp_format_utc(ts, iso);
    g_snprintf(buf, 20, "%.10s %.5s", iso, iso + 11);
    return buf;
}

const char *tstamp_format_date(gint64 ts, char *buf)
{
    char iso[32];
    tstamp_format_utc(ts, iso);
    g_snprintf(buf, 11, "%.10s", iso);
    return buf;
}
