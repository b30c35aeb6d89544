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

/* A text field as COPY's CSV writes it: quoted when it holds the
 * delimiter, a quote or a line end, or is an empty string (not NULL). */
static void put_text(GString *out, const Field *f)
{
    if (f->len < 0)
        return;
    gboolean quote = f->len == 0 || memchr(f->p, ',', (size_t)f->len) ||
                     memchr(f->p, '"', (size_t)f->len) || memchr(f->p, '\n', (size_t)f->len) ||
                     memchr(f->p, '\r', (size_t)f->len);
    if (!quote) {
        g_string_append_len(out, f->p, f->len);
        return;
    }
    g_string_append_c(out, '"');
    for (gint32 i = 0; i < f->len; i++) {
        if (f->p[i] == '"')
            g_string_append_c(out, '"');
        g_string_append_c(out, f->p[i]);
    }
    g_string_append_c(out, '"');
}

static void put_digits(GString *out, unsigned v, int width)
{
    char buf[8];
    for (int i = width - 1; i >= 0; i--, v /= 10)
        buf[i] = (char)('0' + v % 10);
    g_string_append_len(out, buf, width);
}

/* "YYYY-MM-DD HH:MM:SS[.ffffff]" of microseconds since 2000-01-01, as
 * PostgreSQL writes a timestamp (trailing zeros of the fraction dropped);
 * *bc set for years before 1 (written as 1 - year, with " BC" after). */
static void put_datetime(GString *out, gint64 us, gboolean *bc)
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
    g_string_append_printf(out, "%04u-", year);
    put_digits(out, (unsigned)m, 2);
    g_string_append_c(out, '-');
    put_digits(out, (unsigned)d, 2);
    gint64 sec = rem / 1000000;
    unsigned frac = (unsigned)(rem % 1000000);
    g_string_append_c(out, ' ');
    put_digits(out, (unsigned)(sec / 3600), 2);
    g_string_append_c(out, ':');
    put_digits(out, (unsigned)(sec / 60 % 60), 2);
    g_string_append_c(out, ':');
    put_digits(out, (unsigned)(sec % 60), 2);
    if (frac) {
        int width = 6;
        for (; frac % 10 == 0; frac /= 10)
            width--;
        g_string_append_c(out, '.');
        put_digits(out, frac, width);
    }
}

/* The local time of the row as the text query writes it (copy_binary.h). */
static gboolean put_ts(GString *out, const Field *ts, const Field *off)
{
    if (ts->len != 8 || off->len != 2)
        return FALSE;
    gint64 us = be64(ts->p);
    int offset = (gint16)be16(off->p);
    gboolean bc;
    if (us == G_MAXINT64 || us == G_MININT64) {
        g_string_append(out, us == G_MAXINT64 ? "infinity" : "-infinity");
        if (offset)
            g_string_append(out, offset < 0 ? "-" : "+");
    } else if (offset == 0) {
        put_datetime(out, us, &bc);
        g_string_append(out, bc ? "+00 BC" : "+00");
        return TRUE;
    } else {
        put_datetime(out, us + (gint64)offset * 60000000, &bc);
        if (bc)
            g_string_append(out, " BC");
        g_string_append_c(out, offset < 0 ? '-' : '+');
    }
    if (offset) {
        unsigned a = (unsigned)ABS(offset);
        put_digits(out, a / 60, 2);
        g_string_append_c(out, ':');
        put_digits(out, a % 60, 2);
    }
    return TRUE;
}

/* A numeric as numeric_out writes it: dscale digits after the point. */
static gboolean put_numeric(GString *out, const Field *f)
{
    if (f->len < 8)
        return FALSE;
    int ndigits = be16(f->p), weight = (gint16)be16(f->p + 2), sign = be16(f->p + 4),
        dscale = be16(f->p + 6);
    if (f->len != 8 + 2 * ndigits || dscale > 0x3fff)
        return FALSE;
    if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
        g_string_append(out, sign == 0xC000 ? "NaN" : sign == 0xD000 ? "Infinity" : "-Infinity");
        return TRUE;
    }
    if (sign != 0 && sign != 0x4000)
        return FALSE;
    const char *dig = f->p + 8;
#define DIGIT(i) ((i) >= 0 && (i) < ndigits ? (unsigned)be16(dig + 2 * (i)) : 0u)
    if (sign == 0x4000)
        g_string_append_c(out, '-');
    if (weight < 0)
        g_string_append_c(out, '0');
    for (int i = 0; i <= weight; i++) {
        unsigned d = DIGIT(i);
        if (d > 9999)
            return FALSE;
        if (i == 0)
            g_string_append_printf(out, "%u", d);
        else
            put_digits(out, d, 4);
    }
    if (dscale > 0) {
        g_string_append_c(out, '.');
        for (int i = weight + 1, left = dscale; left > 0; i++, left -= 4) {
            char buf[4];
            unsigned d = DIGIT(i);
            if (d > 9999)
                return FALSE;
            for (int k = 3; k >= 0; k--, d /= 10)
                buf[k] = (char)('0' + d % 10);
            g_string_append_len(out, buf, MIN(left, 4));
        }
    }
#undef DIGIT
    return TRUE;
}

static gboolean put_int16(GString *out, const Field *f)
{
    if (f->len < 0)
        return TRUE;
    if (f->len != 2)
        return FALSE;
    g_string_append_printf(out, "%d", (gint16)be16(f->p));
    return TRUE;
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
    g_string_truncate(out, 0);
    put_text(out, &f[F_TX_ID]);
    g_string_append_c(out, ',');
    if (!put_ts(out, &f[F_TS], &f[F_OFFSET]))
        return copy_binary_bad(error, "a malformed timestamp");
    for (int i = F_FROM; i < COPY_BINARY_NFIELDS; i++) {
        g_string_append_c(out, ',');
        if (i == F_AMOUNT ? !put_numeric(out, &f[i]) : i == F_MCC ? !put_int16(out, &f[i]) : FALSE)
            return copy_binary_bad(error, i == F_AMOUNT ? "a malformed amount" : "a malformed mcc");
        if (i != F_AMOUNT && i != F_MCC)
            put_text(out, &f[i]);
    }
    return COPY_BINARY_ROW;
}
