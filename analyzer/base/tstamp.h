/* tstamp.h: timestamps: parse bank formats into UTC seconds plus the local
 * offset, the local day, hour and weekday of an instant, and the formats
 * people and files read (ISO 8601, dates, durations).
 *
 * Parsing is hand-written for speed (no strptime, no allocation). */
#ifndef MT_TSTAMP_H
#define MT_TSTAMP_H

#include <glib.h>

/* Parses ISO 8601: "YYYY-MM-DDTHH:MM[:SS[.frac]](Z|+HH:MM|+HHMM|-HH:MM)";
 * a space may stand for 'T'. Without an offset, default_offset (minutes) is
 * used and *has_offset is set FALSE. Returns FALSE on any syntax or range
 * error (month 13, day 31 in April, hour 24, ...). */
gboolean tstamp_parse_iso(const char *s, size_t n, int default_offset, gint64 *utc, int *offset_min,
                          gboolean *has_offset);
/* Parses s by a strftime-like format of the directives %Y %m %d %H %M %S %z
 * and literal characters, e.g. "%Y/%m/%d %H:%M" or "%d.%m.%Y". Missing time
 * parts are 0; without %z the offset is default_offset minutes. */
gboolean tstamp_parse_format(const char *s, size_t n, const char *format, int default_offset,
                             gint64 *utc, int *offset_min);
/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
gint64 tstamp_days_from_civil(int y, int m, int d);
/* The civil date of a day number, the inverse of tstamp_days_from_civil. */
void tstamp_civil_from_days(gint64 days, int *y, int *m, int *d);

/* Local time: the wall clock at offset_min minutes east of UTC of the
 * instant utc (no daylight saving rules: the offset is the one the bank
 * recorded). Every division floors, so instants before 1970 or a negative
 * offset across midnight fall on the right day. */
/* The local day, days since 1970-01-01. */
gint64 tstamp_local_day(gint64 utc, int offset_min);
/* The local minute of the day, 0-1439. */
int tstamp_local_minute(gint64 utc, int offset_min);
/* The local hour, 0-23. */
int tstamp_local_hour(gint64 utc, int offset_min);
/* The local day of the week, 1 (Monday) - 7 (Sunday). */
int tstamp_local_dow(gint64 utc, int offset_min);
/* The local week, weeks since Monday 1969-12-29 (weeks start on Monday). */
gint64 tstamp_local_week(gint64 utc, int offset_min);
/* Formats utc as "YYYY-MM-DDTHH:MM:SSZ" into buf (>= 21 bytes). Returns buf. */
char *tstamp_format_utc(gint64 utc, char *buf);
/* "2024-03-01 09:10" (UTC) into buf (>= 20 bytes). Returns buf. */
const char *tstamp_format_minute(gint64 utc, char *buf);
/* "2024-03-01" (UTC) into buf (>= 11 bytes). Returns buf. */
const char *tstamp_format_date(gint64 utc, char *buf);
/* Parses a duration "30s", "15m", "48h", "10d", "2w"; FALSE if malformed. */
gboolean tstamp_parse_duration(const char *s, size_t n, gint64 *seconds);
/* Formats seconds as a short human duration: "6 days", "5 h 20 min", "45 s". */
char *tstamp_format_duration(gint64 seconds, char *buf, size_t size);

#endif
