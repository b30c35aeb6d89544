/* Tests of tstamp.c: ISO 8601 with Z and offsets, bank formats, range
 * checks (leap years, days per month), formatting, durations. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/tstamp.h"

typedef struct {
    const char *text;
    gint64 utc;
    int offset;
    gboolean has_offset;
} IsoCase;

/* 2024-03-01T09:10:00Z is 1709284200. */
static const IsoCase iso_ok[] = {
    {"2024-03-01T09:10:00Z", 1709284200, 0, TRUE},
    {"2024-03-01T11:10:00+02:00", 1709284200, 120, TRUE},
    {"2024-03-01T11:10:00+0200", 1709284200, 120, TRUE},
    {"2024-03-01T03:40:00-0530", 1709284200, -330, TRUE},
    {"2024-03-01T03:40:00-05:30", 1709284200, -330, TRUE},
    {"2024-03-01T11:10:00+02", 1709284200, 120, TRUE},
    {"2024-03-01 09:10:00Z", 1709284200, 0, TRUE},
    {"2024-03-01T09:10Z", 1709284200, 0, TRUE},
    {"2024-03-01T09:10:00.123456Z", 1709284200, 0, TRUE},
    {"2024-03-01T10:10:00", 1709284200, 60, FALSE}, /* default offset +01:00 */
    {"2024-02-29T00:00:00Z", 1709164800, 0, TRUE},
    {"2000-02-29T00:00:00Z", 951782400, 0, TRUE},
    {"1970-01-01T00:00:00Z", 0, 0, TRUE},
    {"2024-12-31T23:59:59Z", 1735689599, 0, TRUE},
};

static const char *const iso_bad[] = {
    "2023-02-29T00:00:00Z", /* not a leap year */
    "1900-02-29T00:00:00Z", /* not a leap year either */
    "2024-04-31T00:00:00Z",
    "2024-13-01T00:00:00Z",
    "2024-00-10T00:00:00Z",
    "2024-03-00T00:00:00Z",
    "2024-03-01T24:00:00Z",
    "2024-03-01T09:60:00Z",
    "2024-03-01T09:10:60Z",
    "2024-03-01",
    "2024-03-01T09",
    "2024-3-01T09:10:00Z",
    "2024-03-01T09:10:00+2",
    "2024-03-01T09:10:00+19:00",
    "2024-03-01T09:10:00Zjunk",
    "2024-03-01T09:10:00.Z",
    "2024/03/01T09:10:00Z",
    "",
};

Test(tstamp, iso_valid)
{
    for (size_t i = 0; i < G_N_ELEMENTS(iso_ok); i++) {
        const IsoCase *c = &iso_ok[i];
        gint64 utc = 0;
        int off = 0;
        gboolean has = !c->has_offset;
        cr_expect(tstamp_parse_iso(c->text, strlen(c->text), 60, &utc, &off, &has), "%s", c->text);
        cr_expect_eq(utc, c->utc, "%s: %" G_GINT64_FORMAT, c->text, utc);
        cr_expect_eq(off, c->offset, "%s: offset %d", c->text, off);
        cr_expect_eq(has, c->has_offset, "%s", c->text);
    }
}

Test(tstamp, iso_invalid)
{
    for (size_t i = 0; i < G_N_ELEMENTS(iso_bad); i++) {
        gint64 utc;
        int off;
        gboolean has;
        cr_expect_not(tstamp_parse_iso(iso_bad[i], strlen(iso_bad[i]), 0, &utc, &off, &has), "%s",
                      iso_bad[i]);
    }
}

typedef struct {
    const char *text, *format;
    gboolean ok;
    gint64 utc;
    int offset;
} FormatCase;

static const FormatCase format_cases[] = {
    {"2022/09/01 00:20", "%Y/%m/%d %H:%M", TRUE, 1661988000, 60}, /* 23:20Z the day before */
    {"15.01.2024", "%d.%m.%Y", TRUE, 1705273200, 60},             /* midnight at +01:00 */
    {"1.2.2024 9:05", "%d.%m.%Y %H:%M", TRUE, 1706774700, 60},
    {"01/03/2024 09:10:00 +0000", "%d/%m/%Y %H:%M:%S %z", TRUE, 1709284200, 0},
    {"2024-03-01T11:10:00+02:00", "%Y-%m-%dT%H:%M:%S%z", TRUE, 1709284200, 120},
    {"09:10", "%H:%M", TRUE, 29400, 60}, /* no date: 1970-01-01 */
    {"100% 09:10", "100%% %H:%M", TRUE, 29400, 60},
    {"29.02.2023", "%d.%m.%Y", FALSE, 0, 0},
    {"31.04.2024", "%d.%m.%Y", FALSE, 0, 0},
    {"2022/09/01 00:20 ", "%Y/%m/%d %H:%M", FALSE, 0, 0},
    {"2022-09-01 00:20", "%Y/%m/%d %H:%M", FALSE, 0, 0},
    {"22/09/01 00:20", "%Y/%m/%d %H:%M", FALSE, 0, 0},
};

Test(tstamp, format_table)
{
    for (size_t i = 0; i < G_N_ELEMENTS(format_cases); i++) {
        const FormatCase *c = &format_cases[i];
        gint64 utc = 0;
        int off = 0;
        gboolean ok = tstamp_parse_format(c->text, strlen(c->text), c->format, 60, &utc, &off);
        cr_expect_eq(ok, c->ok, "%s", c->text);
        cr_expect_eq(utc, c->utc, "%s: %" G_GINT64_FORMAT, c->text, utc);
        cr_expect_eq(off, c->offset, "%s: %d", c->text, off);
    }
}

Test(tstamp, days_from_civil)
{
    cr_expect_eq(tstamp_days_from_civil(1970, 1, 1), 0);
    cr_expect_eq(tstamp_days_from_civil(1969, 12, 31), -1);
    cr_expect_eq(tstamp_days_from_civil(2000, 3, 1), 11017);
    cr_expect_eq(tstamp_days_from_civil(2024, 3, 1), 19783);
}

typedef struct {
    gint64 days;
    int y, m, d;
} CivilCase;

static const CivilCase civil_cases[] = {
    {0, 1970, 1, 1},     {-1, 1969, 12, 31}, {11016, 2000, 2, 29},
    {19783, 2024, 3, 1}, {-719162, 1, 1, 1},
};

Test(tstamp, civil_from_days)
{
    for (size_t i = 0; i < G_N_ELEMENTS(civil_cases); i++) {
        const CivilCase *c = &civil_cases[i];
        int y, m, d;
        tstamp_civil_from_days(c->days, &y, &m, &d);
        cr_expect(y == c->y && m == c->m && d == c->d, "%" G_GINT64_FORMAT ": %d-%d-%d", c->days, y,
                  m, d);
        cr_expect_eq(tstamp_days_from_civil(c->y, c->m, c->d), c->days, "case %zu", i);
    }
}

/* Local time at an offset: wall clock = UTC + offset, no DST rules. */
typedef struct {
    gint64 utc;
    int offset; /* minutes east of UTC */
    gint64 day; /* days since 1970-01-01 */
    int minute, hour, dow;
    gint64 week; /* weeks since Monday 1969-12-29 */
} LocalCase;

static const LocalCase local_cases[] = {
    {0, 0, 0, 0, 0, 4, 0},                        /* 1970-01-01 00:00, a Thursday */
    {1709284200, 0, 19783, 550, 9, 5, 2826},      /* 2024-03-01 09:10, a Friday */
    {1709284200, 900, 19784, 10, 0, 6, 2826},     /* +15:00: Saturday 00:10 */
    {1709284200, -600, 19782, 1390, 23, 4, 2826}, /* -10:00: Thursday 02-29 23:10 */
    {1709456400, 0, 19785, 540, 9, 7, 2826},      /* 2024-03-03 09:00, a Sunday */
    {1709508600, 60, 19786, 30, 0, 1, 2827},      /* Sunday 23:30 UTC, +01:00: Monday 00:30 */
    {-1, 0, -1, 1439, 23, 3, 0},                  /* 1969-12-31 23:59:59, a Wednesday */
    {30, -330, -1, 1110, 18, 3, 0},               /* -05:30: 1969-12-31 18:30:30 */
    {-4 * 86400, 0, -4, 0, 0, 7, -1},             /* 1969-12-28, a Sunday: the week before */
};

Test(tstamp, local_time)
{
    for (size_t i = 0; i < G_N_ELEMENTS(local_cases); i++) {
        const LocalCase *c = &local_cases[i];
        cr_expect_eq(tstamp_local_day(c->utc, c->offset), c->day, "case %zu", i);
        cr_expect_eq(tstamp_local_minute(c->utc, c->offset), c->minute, "case %zu", i);
        cr_expect_eq(tstamp_local_hour(c->utc, c->offset), c->hour, "case %zu", i);
        cr_expect_eq(tstamp_local_dow(c->utc, c->offset), c->dow, "case %zu", i);
        cr_expect_eq(tstamp_local_week(c->utc, c->offset), c->week, "case %zu", i);
    }
}

Test(tstamp, format_utc)
{
    char buf[21];
    cr_expect_str_eq(tstamp_format_utc(0, buf), "1970-01-01T00:00:00Z");
    cr_expect_str_eq(tstamp_format_utc(1709284200, buf), "2024-03-01T09:10:00Z");
    cr_expect_str_eq(tstamp_format_utc(-1, buf), "1969-12-31T23:59:59Z");
    cr_expect_str_eq(tstamp_format_utc(951782400, buf), "2000-02-29T00:00:00Z");
}

typedef struct {
    const char *text;
    gboolean ok;
    gint64 seconds;
} DurationCase;

static const DurationCase duration_cases[] = {
    {"30s", TRUE, 30},
    {"15m", TRUE, 900},
    {"48h", TRUE, 172800},
    {"10d", TRUE, 864000},
    {"2w", TRUE, 1209600},
    {"0s", TRUE, 0},
    {"", FALSE, 0},
    {"s", FALSE, 0},
    {"10", FALSE, 0},
    {"10x", FALSE, 0},
    {"-5s", FALSE, 0},
    {"1.5h", FALSE, 0},
    {"99999999999999999999d", FALSE, 0},
};

Test(tstamp, parse_duration)
{
    for (size_t i = 0; i < G_N_ELEMENTS(duration_cases); i++) {
        const DurationCase *c = &duration_cases[i];
        gint64 s = 0;
        cr_expect_eq(tstamp_parse_duration(c->text, strlen(c->text), &s), c->ok, "%s", c->text);
        cr_expect_eq(s, c->seconds, "%s", c->text);
    }
}

typedef struct {
    gint64 seconds;
    const char *text;
} FormatDurationCase;

static const FormatDurationCase format_duration_cases[] = {
    {518400, "6 days"}, {86400, "1 day"}, {90000, "1 day 1 h"}, {19200, "5 h 20 min"},
    {3600, "1 h"},      {60, "1 min"},    {90, "1 min 30 s"},   {45, "45 s"},
    {0, "0 s"},         {-45, "-45 s"},
};

Test(tstamp, format_duration)
{
    for (size_t i = 0; i < G_N_ELEMENTS(format_duration_cases); i++) {
        char buf[64];
        const FormatDurationCase *c = &format_duration_cases[i];
        cr_expect_str_eq(tstamp_format_duration(c->seconds, buf, sizeof buf), c->text);
    }
}
