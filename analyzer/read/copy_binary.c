/* copy_binary.c: binary COPY rows of transactions as CSV records (see
 * copy_binary.h).
 *
 * A row is an int16 field count and, per field, an int32 length (-1 for
 * NULL) and that many bytes, all big-endian. Timestamps are int64
 * microseconds since 2000-01-01 UTC (int64 extremes: infinity); numerics
 * are int16 ndigits, weight, sign and dscale, then base-10000 digits. */
#include "read/copy_binary.h"

#include <string.h>

#include "base/db.h"
#include "base/tstamp.h"

#define COPY_BINARY_NFIELDS 12
#define PG_EPOCH_DAYS       10957 /* 2000-01-01 in days since 1970-01-01 */
#define USEC_PER_DAY        G_GINT64_CONSTANT(86400000000)

static const char copy_binary_signature[11] = "PGCOPY\n\377\r\n";

enum { F_TX_ID, F_TS, F_OFFSET, F_FROM, F_TO, F_AMOUNT, F_CURRENCY, F_CHANNEL, F_MCC };

typedef struct {
    const char *p;
    gint32 len; /* -1: NULL */
} Field;

static guint32 be32(const char *p)
{
    const guchar *u = (const guchar *)p;
    return (guint32)u[0] << 24 | (guint32)u[1] << 16 | (guint32)u[2] << 8 | u[3];
}

static guint16 be16(const char *p)
{
    const guchar *u = (const guchar *)p;
    return (guint16)(u[0] << 8 | u[1]);
}

static gint64 be64(const char *p)
{
    return (gint64)((guint64)be32(p) << 32 | be32(p + 4));
}

static CopyBinaryStatus copy_binary_bad(GError **error, const char *what)
{
    g_set_error(error, DB_ERROR, DB_ERROR_QUERY, "the binary COPY sent %s", what);
    return COPY_BINARY_BAD;
}

/* Skips the file header (signature, flags, extension) at *p. */
static gboolean copy_binary_header(const char **p, const char *end)
{
    if (end - *p < 19 || memcmp(*p, copy_binary_signature, sizeof copy_binary_signature) != 0)
        return FALSE;
    guint32 ext = be32(*p + 15);
    if ((guint64)(end - *p - 19) < ext)
        return FALSE;
    *p += 19 + ext;
    return TRUE;
}

/* Each writer below writes at w, which has room (copy_binary_room), and
 * returns the end of what it wrote. */

/* A byte that makes COPY's CSV quote a field: delimiter, quote, line end. */
static gboolean needs_quote(const char *p, gint32 len)
{
    for (gint32 i = 0; i < len; i++)
        if (p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r')
            return TRUE;
    return FALSE;
}

/* A text field as COPY's CSV writes it: quoted when it holds the
 * delimiter, a quote or a line end, or is an empty string (not NULL). */
static char *put_text(char *w, const Field *f)
{
    if (f->len < 0)
        return w;
    if (f->len > 0 && !needs_quote(f->p, f->len)) {
        memcpy(w, f->p, (size_t)f->len);
        return w + f->len;
    }
    *w++ = '"';
    for (gint32 i = 0; i < f->len; i++) {
        if (f->p[i] == '"')
            *w++ = '"';
        *w++ = f->p[i];
    }
    *w++ = '"';
    return w;
}

static char *put_digits(char *w, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--, v /= 10)
        w[i] = (char)('0' + v % 10);
    return w + width;
}

/* v in decimal, without leading zeros. */
static char *put_uint(char *w, guint64 v)
{
    int width = 1;
    for (guint64 x = v; x >= 10; x /= 10)
        width++;
    for (int i = width - 1; i >= 0; i--, v /= 10)
        w[i] = (char)('0' + v % 10);
    return w + width;
}

static char *put_str(char *w, const char *s)
{
    size_t n = strlen(s);
    memcpy(w, s, n);
    return w + n;
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]" of microseconds since 2000-01-01, as
 * PostgreSQL writes a timestamp (trailing zeros of the fraction dropped);
 * *bc set for years before 1 (written as 1 - year, with " BC" after). */
static char *put_datetime(char *w, gint64 us, gboolean *bc)
{
    gint64 days = us / USEC_PER_DAY, rem = us % USEC_PER_DAY;
    if (rem < 0) {
        rem += USEC_PER_DAY;
        days--;
    }
    int y, m, d;
    tstamp_civil_from_days(days + PG_EPOCH_DAYS, &y, &m, &d);
    *bc = y <= 0;
    unsigned year = (unsigned)(*bc ? 1 - y : y);
    w = year > 9999 ? put_uint(w, year) : put_digits(w, year, 4);
    *w++ = '-';
    w = put_digits(w, (unsigned)m, 2);
    *w++ = '-';
    w = put_digits(w, (unsigned)d, 2);
    unsigned sec = (unsigned)(rem / 1000000), frac = (unsigned)(rem % 1000000);
    *w++ = ' ';
    w = put_digits(w, sec / 3600, 2);
    *w++ = ':';
    w = put_digits(w, sec / 60 % 60, 2);
    *w++ = ':';
    w = put_digits(w, sec % 60, 2);
    if (frac) {
        int width = 6;
        for (; frac % 10 == 0; frac /= 10)
            width--;
        *w++ = '.';
        w = put_digits(w, frac, width);
    }
    return w;
}

/* The local time of the row as the text query writes it (copy_binary.h);
 * NULL if the fields are not a timestamp and an offset. */
static char *put_ts(char *w, const Field *ts, const Field *off)
{
    if (ts->len != 8 || off->len != 2)
        return NULL;
    gint64 us = be64(ts->p);
    int offset = (gint16)be16(off->p);
    gboolean bc;
    if (us == G_MAXINT64 || us == G_MININT64) {
        w = put_str(w, us == G_MAXINT64 ? "infinity" : "-infinity");
        if (!offset)
            return w;
    } else if (offset == 0) {
        w = put_datetime(w, us, &bc);
        return put_str(w, bc ? "+00 BC" : "+00");
    } else {
        w = put_datetime(w, us + (gint64)offset * 60000000, &bc);
        if (bc)
            w = put_str(w, " BC");
    }
    *w++ = offset < 0 ? '-' : '+';
    unsigned a = (unsigned)ABS(offset);
    w = put_digits(w, a / 60, 2);
    *w++ = ':';
    return put_digits(w, a % 60, 2);
}

/* A numeric as numeric_out writes it: dscale digits after the point;
 * NULL if the field is not a numeric. */
static char *put_numeric(char *w, const Field *f)
{
    if (f->len < 8)
        return NULL;
    int ndigits = be16(f->p), weight = (gint16)be16(f->p + 2), sign = be16(f->p + 4),
        dscale = be16(f->p + 6);
    if (f->len != 8 + 2 * ndigits)
        return NULL;
    if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000)
        return put_str(w, sign == 0xC000 ? "NaN" : sign == 0xD000 ? "Infinity" : "-Infinity");
    if (sign != 0 && sign != 0x4000)
        return NULL;
    const char *dig = f->p + 8;
#define DIGIT(i) ((i) >= 0 && (i) < ndigits ? (unsigned)be16(dig + 2 * (i)) : 0u)
    if (sign == 0x4000)
        *w++ = '-';
    if (weight < 0)
        *w++ = '0';
    for (int i = 0; i <= weight; i++) {
        unsigned d = DIGIT(i);
        if (d > 9999)
            return NULL;
        w = i == 0 ? put_uint(w, d) : put_digits(w, d, 4);
    }
    if (dscale > 0) {
        *w++ = '.';
        for (int i = weight + 1, left = dscale; left > 0; i++, left -= 4) {
            char buf[4];
            unsigned d = DIGIT(i);
            if (d > 9999)
                return NULL;
            put_digits(buf, d, 4);
            memcpy(w, buf, (size_t)MIN(left, 4));
            w += MIN(left, 4);
        }
    }
#undef DIGIT
    return w;
}

/* An int16 in decimal; NULL if the field is not one. */
static char *put_int16(char *w, const Field *f)
{
    if (f->len < 0)
        return w;
    if (f->len != 2)
        return NULL;
    int v = (gint16)be16(f->p);
    if (v < 0)
        *w++ = '-';
    return put_uint(w, (guint64)ABS(v));
}

/* Room for the record of a row of len bytes: every text byte doubled and
 * quoted, the amount's digits (4 a base-10000 digit before the point, its
 * scale after), the timestamp, the mcc and the commas. */
static size_t copy_binary_room(size_t len, const Field *amount)
{
    size_t digits = 0;
    if (amount->len >= 8)
        digits = 4 * (size_t)(MAX((gint16)be16(amount->p + 2), 0) + 1) + be16(amount->p + 6);
    return 2 * len + digits + 128;
}

/* Splits the row at p into its fields. */
static gboolean copy_binary_fields(const char *p, const char *end, Field *f)
{
    for (int i = 0; i < COPY_BINARY_NFIELDS; i++) {
        if (end - p < 4)
            return FALSE;
        f[i].len = (gint32)be32(p);
        f[i].p = p += 4;
        if (f[i].len < -1 || (f[i].len > 0 && end - p < f[i].len))
            return FALSE;
        if (f[i].len > 0)
            p += f[i].len;
    }
    return p == end;
}

CopyBinaryStatus copy_binary_row(const char *msg, size_t len, gboolean *header_seen, GString *out,
                                 GError **error)
{
    const char *p = msg, *end = msg + len;
    if (!*header_seen) {
        if (!copy_binary_header(&p, end))
            return copy_binary_bad(error, "no file header where it begins");
        *header_seen = TRUE;
        if (p == end)
            return COPY_BINARY_NONE;
    }
    if (end - p < 2)
        return copy_binary_bad(error, "a row shorter than its field count");
    gint16 n = (gint16)be16(p);
    if (n == -1)
        return p + 2 == end ? COPY_BINARY_END : copy_binary_bad(error, "data after its trailer");
    Field f[COPY_BINARY_NFIELDS];
    if (n != COPY_BINARY_NFIELDS || !copy_binary_fields(p + 2, end, f))
        return copy_binary_bad(error, "a row that is not one of the transactions columns");
    if (f[F_TX_ID].len < 0 || f[F_TS].len < 0 || f[F_OFFSET].len < 0 || f[F_AMOUNT].len < 0 ||
        f[F_CHANNEL].len < 0)
        return copy_binary_bad(error, "NULL in a column that cannot be NULL");
    g_string_set_size(out, copy_binary_room(len, &f[F_AMOUNT]));
    char *w = put_text(out->str, &f[F_TX_ID]);
    *w++ = ',';
    if (!(w = put_ts(w, &f[F_TS], &f[F_OFFSET])))
        return copy_binary_bad(error, "a malformed timestamp");
    for (int i = F_FROM; i < COPY_BINARY_NFIELDS; i++) {
        *w++ = ',';
        w = i == F_AMOUNT ? put_numeric(w, &f[i])
            : i == F_MCC  ? put_int16(w, &f[i])
                          : put_text(w, &f[i]);
        if (!w)
            return copy_binary_bad(error, i == F_AMOUNT ? "a malformed amount" : "a malformed mcc");
    }
    g_string_set_size(out, (gsize)(w - out->str));
    return COPY_BINARY_ROW;
}
