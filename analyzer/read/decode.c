/* decode.c: one CSV record to one Txn, by a profile bound to a header.
 *
 * Hot path: split the record (memchr), pick each field's value by the
 * column positions computed once in decode_bind, parse it without
 * allocating (money, tstamp), validate, and only when the whole row is
 * good intern its accounts and location, so a rejected row leaves no trace
 * in the tables. Joined values and synthesized tx ids are written into a
 * per-row scratch buffer that is reset every row. The time zone lookup is
 * cached per local quarter hour, the channel parse for the last value. */
#include "read/decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "read/csv.h"
#include "read/fx.h"
#include "base/money.h"
#include "base/tstamp.h"

#define DECODE_MAX_JOIN      8 /* columns joined into one field */
#define DECODE_MSG_BYTES     512
#define DECODE_QUOTE_BYTES   80 /* longest value quoted in a message */
#define DECODE_SCRATCH_BYTES (3 * (LIMIT_LINE_BYTES + DECODE_MAX_JOIN) + LIMIT_TXID_BYTES + 64)

/* A field's value for this row, and where it came from. */
typedef struct {
    const char *ptr;
    size_t len;
    guint column; /* 1-based, 0 for a constant or an absent column */
} DecodeValue;

struct Decoder {
    const Profile *p;
    const Fx *fx; /* rates to convert amounts with, or NULL */
    Intern *accounts, *locations;
    char *basename;
    gint pos[PROFILE_FIELD_COUNT][DECODE_MAX_JOIN]; /* header index, -1 = absent */
    gint label_pos[LIMIT_LABELS];
    guint n_header;
    gboolean format_has_offset;
    CsvRow row;
    char msg[DECODE_MSG_BYTES];
    guint err_column;
    gint64 tz_key; /* local quarter hour of the cached offset */
    int tz_off;
    int tz_off_std; /* the standard-time offset of an ambiguous hour, else tz_off */
    gboolean tz_valid;
    gint64 last_utc;      /* the latest time decoded by a zone, for the repeated hour */
    gboolean ts_gap;      /* the last timestamp fell into a DST gap */
    Channel last_channel; /* cache of the last channel value */
    char last_channel_text[32];
    size_t last_channel_len;
    size_t scratch_used;
    char scratch[DECODE_SCRATCH_BYTES];
    char rowbuf[LIMIT_LINE_BYTES];
};

Decoder *decode_new(const Profile *profile, Intern *accounts, Intern *locations,
                    const char *source_path)
{
    Decoder *d = g_new0(Decoder, 1);
    d->p = profile;
    d->accounts = accounts;
    d->locations = locations;
    d->basename =
        strcmp(source_path, "-") == 0 ? g_strdup("stdin") : g_path_get_basename(source_path);
    d->format_has_offset = profile->ts_format && strstr(profile->ts_format, "%z");
    d->tz_key = G_MININT64;
    return d;
}

void decode_set_fx(Decoder *d, const Fx *fx)
{
    d->fx = fx;
}

void decode_free(Decoder *d)
{
    if (!d)
        return;
    g_free(d->basename);
    g_free(d);
}

const char *decode_message(const Decoder *d)
{
    return d->msg;
}

guint decode_column(const Decoder *d)
{
    return d->err_column;
}

guint decode_n_fields(const Decoder *d)
{
    return d->n_header;
}

const char *decode_status_name(DecodeStatus st)
{
    static const char *const names[] = {
#define X(id, name) name,
        DECODE_STATUS_LIST(X)
#undef X
    };
    return st < DECODE_STATUS_COUNT ? names[st] : "unknown";
}

void decode_set_error(Decoder *d, guint column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    d->err_column = column;
}

/* Index of the occurrence-th header field equal to name, or -1. */
static gint decode_find_column(const CsvRow *row, const ProfileColumn *c)
{
    size_t len = strlen(c->name);
    guint seen = 0;
    for (guint i = 0; i < row->n_fields; i++) {
        StrView h = row->fields[i];
        while (h.len > 0 && h.ptr[0] == ' ')
            h.ptr++, h.len--;
        while (h.len > 0 && h.ptr[h.len - 1] == ' ')
            h.len--;
        if (h.len == len && memcmp(h.ptr, c->name, len) == 0 && ++seen == c->occurrence)
            return (gint)i;
    }
    return -1;
}

/* Resolves one column; a missing required column is an error. */
static gboolean decode_bind_column(Decoder *d, const ProfileColumn *c, gint *pos, const char *where,
                                   GError **error)
{
    *pos = decode_find_column(&d->row, c);
    if (*pos >= 0 || c->optional)
        return TRUE;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s: header has no column '%s'%s (profile %s)", where, c->name,
                c->occurrence > 1 ? " (repeated)" : "", d->p->name);
    return FALSE;
}

gboolean decode_bind(Decoder *d, char *header, size_t len, const char *where, GError **error)
{
    CsvStatus st = csv_split(header, len, d->p->delimiter, d->p->quote, &d->row);
    if (st != CSV_OK) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: malformed header: %s", where,
                    d->row.err_column, csv_status_str(st));
        return FALSE;
    }
    d->n_header = d->row.n_fields;
    for (int f = 0; f < PROFILE_FIELD_COUNT; f++) {
        const ProfileFieldSpec *fs = &d->p->fields[f];
        g_assert(fs->n_columns <= DECODE_MAX_JOIN);
        for (guint i = 0; i < fs->n_columns; i++)
            if (!decode_bind_column(d, &fs->columns[i], &d->pos[f][i], where, error))
                return FALSE;
    }
    for (guint i = 0; i < d->p->n_labels; i++)
        if (!decode_bind_column(d, &d->p->labels[i], &d->label_pos[i], where, error))
            return FALSE;
    return TRUE;
}

/* Length of a prefix of s short enough to quote, cut on a UTF-8 boundary. */
static int decode_quote_len(const char *s, size_t n)
{
    if (n <= DECODE_QUOTE_BYTES)
        return (int)n;
    n = DECODE_QUOTE_BYTES;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

/* Sets "column N (NAME): what" for field f whose value is v. */
G_GNUC_PRINTF(5, 6)
static DecodeStatus decode_fail(Decoder *d, DecodeStatus st, ProfileField f, const DecodeValue *v,
                                const char *fmt, ...)
{
    char what[DECODE_MSG_BYTES];
    va_list ap;
    va_start(ap, fmt);
    g_vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    d->err_column = v->column;
    if (v->column)
        g_snprintf(d->msg, sizeof d->msg, "column %u (%s): %s", v->column, d->p->fields[f].display,
                   what);
    else
        g_snprintf(d->msg, sizeof d->msg, "%s: %s", profile_field_name(f), what);
    return st;
}

/* Fails with "'VALUE' what", the value quoted and cut to a short prefix. */
static DecodeStatus decode_fail_value(Decoder *d, DecodeStatus st, ProfileField f,
                                      const DecodeValue *v, const char *what)
{
    return decode_fail(d, st, f, v, "'%.*s'%s %s", decode_quote_len(v->ptr, v->len), v->ptr,
                       v->len > DECODE_QUOTE_BYTES ? "..." : "", what);
}

/* Joins the columns of a field with sep into the scratch buffer; empty if
 * any part is empty. */
static void decode_join(Decoder *d, const ProfileFieldSpec *fs, const gint *pos, char sep,
                        DecodeValue *v)
{
    char *out = d->scratch + d->scratch_used;
    size_t n = 0;
    v->column = (guint)pos[0] + 1;
    for (guint i = 0; i < fs->n_columns; i++) {
        if (pos[i] < 0 || d->row.fields[pos[i]].len == 0) {
            v->ptr = "";
            v->len = 0;
            return;
        }
        if (i > 0)
            out[n++] = sep;
        memcpy(out + n, d->row.fields[pos[i]].ptr, d->row.fields[pos[i]].len);
        n += d->row.fields[pos[i]].len;
    }
    d->scratch_used += n;
    v->ptr = out;
    v->len = n;
}

/* Maps a non-empty value through the field's [map]; unmapped values pass
 * unless the map has a default. */
static void decode_map(const ProfileFieldSpec *fs, DecodeValue *v)
{
    for (guint i = 0; i < fs->n_map; i++)
        if (fs->map[i].from_len == v->len && memcmp(fs->map[i].from, v->ptr, v->len) == 0) {
            v->ptr = fs->map[i].to;
            v->len = fs->map[i].to_len;
            return;
        }
    if (fs->map_default) {
        v->ptr = fs->map_default;
        v->len = fs->map_default_len;
    }
}

/* The value of field f in the current row, after join, default and map. */
static void decode_value(Decoder *d, ProfileField f, DecodeValue *v)
{
    const ProfileFieldSpec *fs = &d->p->fields[f];
    const gint *pos = d->pos[f];
    v->ptr = "";
    v->len = 0;
    v->column = 0;
    if (fs->constant) {
        v->ptr = fs->constant;
        v->len = strlen(fs->constant);
    } else if (fs->n_columns == 1 && pos[0] >= 0) {
        v->ptr = d->row.fields[pos[0]].ptr;
        v->len = d->row.fields[pos[0]].len;
        v->column = (guint)pos[0] + 1;
    } else if (fs->n_columns > 1) {
        decode_join(d, fs, pos, f == PROFILE_FIELD_TS ? ' ' : d->p->join_sep, v);
    }
    if (v->len == 0 && fs->fallback) {
        v->ptr = fs->fallback;
        v->len = strlen(fs->fallback);
    } else if (v->len > 0 && (fs->n_map || fs->map_default)) {
        decode_map(fs, v);
    }
}

/* Valid UTF-8 without NUL; plain ASCII (the common case) is checked 8
 * bytes at a time without calling GLib. */
static gboolean decode_utf8(const DecodeValue *v)
{
    const guint64 high = 0x8080808080808080ULL, ones = 0x0101010101010101ULL;
    size_t i = 0;
    for (; i + 8 <= v->len; i += 8) {
        guint64 w;
        memcpy(&w, v->ptr + i, 8);
        if ((w & high) || ((w - ones) & ~w & high))
            return g_utf8_validate_len(v->ptr, v->len, NULL);
    }
    for (; i < v->len; i++) {
        unsigned char c = (unsigned char)v->ptr[i];
        if (c == 0 || c >= 0x80)
            return g_utf8_validate_len(v->ptr, v->len, NULL);
    }
    return TRUE;
}

/* Splits the record and checks the field count. */
static DecodeStatus decode_split(Decoder *d, char *rec, size_t len)
{
    const Profile *p = d->p;
    if (p->quote && len && memchr(rec, p->quote, len)) { /* rec may be NULL when empty */
        /* keep the raw record intact for the rejects file */
        memcpy(d->rowbuf, rec, len);
        rec = d->rowbuf;
    }
    CsvStatus st = csv_split(rec, len, p->delimiter, p->quote, &d->row);
    if (st != CSV_OK) {
        decode_set_error(d, d->row.err_column, "field %u, character %u: %s", d->row.err_field,
                         d->row.err_column, csv_status_str(st));
        return st == CSV_FIELD_TOO_LONG    ? DECODE_FIELD_TOO_LONG
               : st == CSV_TOO_MANY_FIELDS ? DECODE_FIELD_COUNT
                                           : DECODE_CSV;
    }
    if (d->row.n_fields != d->n_header) {
        decode_set_error(d, 0, "expected %u fields, found %u", d->n_header, d->row.n_fields);
        return DECODE_FIELD_COUNT;
    }
    return DECODE_OK;
}

static DecodeStatus decode_tx_id(Decoder *d, Txn *out)
{
    DecodeValue v;
    if (d->p->synthesize_tx_id) {
        char *dst = d->scratch + d->scratch_used;
        int n =
            g_snprintf(dst, LIMIT_TXID_BYTES + 1, "%s:%" G_GUINT64_FORMAT, d->basename, out->line);
        v = (DecodeValue){dst, (size_t)MIN(n, LIMIT_TXID_BYTES + 1), 0};
        d->scratch_used += v.len;
    } else {
        decode_value(d, PROFILE_FIELD_TX_ID, &v);
    }
    if (v.len == 0)
        return decode_fail(d, DECODE_TX_ID, PROFILE_FIELD_TX_ID, &v, "empty transaction id");
    if (v.len > LIMIT_TXID_BYTES)
        return decode_fail(d, DECODE_TX_ID, PROFILE_FIELD_TX_ID, &v,
                           "transaction id longer than %d bytes", LIMIT_TXID_BYTES);
    if (!decode_utf8(&v))
        return decode_fail(d, DECODE_UTF8, PROFILE_FIELD_TX_ID, &v, "invalid UTF-8");
    out->tx_id.ptr = v.ptr;
    out->tx_id.len = (guint32)v.len;
    return DECODE_OK;
}

/* Offset in minutes of the profile's zone at a local time; FALSE if that
 * local time does not exist (skipped by a DST change). */
static gboolean decode_zone(Decoder *d, gint64 local, int *off)
{
    if (d->p->tz_kind == PROFILE_TZ_FIXED) {
        *off = d->p->tz_offset;
        return TRUE;
    }
    gint64 key = local >= 0 ? local / 900 : (local - 899) / 900;
    if (key != d->tz_key) {
        /* an ambiguous local time (clocks set back) is read as the first,
         * daylight-saving one, unless the export has passed it (below) */
        gint iv = g_time_zone_find_interval(d->p->tz, G_TIME_TYPE_DAYLIGHT, local);
        gint std = g_time_zone_find_interval(d->p->tz, G_TIME_TYPE_STANDARD, local);
        d->tz_key = key;
        d->tz_valid = iv >= 0;
        d->tz_off = iv >= 0 ? g_time_zone_get_offset(d->p->tz, iv) / 60 : 0;
        d->tz_off_std = std >= 0 ? g_time_zone_get_offset(d->p->tz, std) / 60 : d->tz_off;
    }
    *off = d->tz_off;
    /* the repeated hour in true order: once the export has moved past the
     * first (daylight-saving) reading, the second occurrence is the later,
     * standard-time one */
    if (d->tz_valid && d->tz_off_std != d->tz_off && local - (gint64)d->tz_off * 60 < d->last_utc)
        *off = d->tz_off_std;
    return d->tz_valid;
}

/* Parses the timestamp as local time or with its own offset. */
static gboolean decode_parse_ts(Decoder *d, const DecodeValue *v, gint64 *utc, int *off)
{
    gboolean has_offset = d->format_has_offset;
    gboolean ok = d->p->ts_format
                      ? tstamp_parse_format(v->ptr, v->len, d->p->ts_format, 0, utc, off)
                      : tstamp_parse_iso(v->ptr, v->len, 0, utc, off, &has_offset);
    if (!ok || has_offset)
        return ok;
    if (!decode_zone(d, *utc, off)) {
        d->ts_gap = TRUE;
        return FALSE;
    }
    *utc -= (gint64)*off * 60;
    d->last_utc = MAX(d->last_utc, *utc);
    return TRUE;
}

static DecodeStatus decode_ts(Decoder *d, Txn *out)
{
    DecodeValue v;
    decode_value(d, PROFILE_FIELD_TS, &v);
    if (v.len == 0)
        return decode_fail(d, DECODE_TIMESTAMP, PROFILE_FIELD_TS, &v, "empty timestamp");
    gint64 utc;
    int off;
    d->ts_gap = FALSE;
    if (!decode_parse_ts(d, &v, &utc, &off)) {
        char what[128];
        if (d->ts_gap)
            g_snprintf(what, sizeof what, "does not exist in %s (the clocks were put forward)",
                       d->p->tz_name);
        else
            g_snprintf(what, sizeof what, "is not a valid timestamp (%s%s%s)",
                       d->p->ts_format ? d->p->ts_format : "ISO 8601",
                       d->p->tz_kind == PROFILE_TZ_ZONE ? " in " : "",
                       d->p->tz_kind == PROFILE_TZ_ZONE ? d->p->tz_name : "");
        return decode_fail_value(d, DECODE_TIMESTAMP, PROFILE_FIELD_TS, &v, what);
    }
    out->core.ts = utc;
    out->core.utc_offset = (gint16)off;
    return DECODE_OK;
}

static DecodeStatus decode_currency(Decoder *d, Txn *out)
{
    DecodeValue v;
    decode_value(d, PROFILE_FIELD_CURRENCY, &v);
    out->core.currency = v.len ? txn_pack_code3(v.ptr, v.len) : 0;
    if (v.len && !out->core.currency)
        return decode_fail_value(d, DECODE_CURRENCY, PROFILE_FIELD_CURRENCY, &v,
                                 "is not a 3-letter currency code");
    out->core.currency_exp = (guint8)money_currency_exp(out->core.currency);
    return DECODE_OK;
}

static DecodeStatus decode_amount(Decoder *d, Txn *out)
{
    DecodeValue v;
    decode_value(d, PROFILE_FIELD_AMOUNT, &v);
    int exp = out->core.currency_exp;
    gint64 amount;
    MoneyStatus ms = (d->p->round_amounts ? money_parse_round : money_parse)(
        v.ptr, v.len, exp, d->p->decimal_sep, d->p->thousands_sep, &amount);
    if (ms == MONEY_EMPTY)
        return decode_fail(d, DECODE_AMOUNT, PROFILE_FIELD_AMOUNT, &v, "empty amount");
    if (ms == MONEY_PRECISION) {
        char what[64], code[4];
        txn_unpack_code(out->core.currency, code);
        g_snprintf(what, sizeof what, "has more than %d decimal places%s%s%s", exp,
                   *code ? " (" : "", code, *code ? ")" : "");
        return decode_fail_value(d, DECODE_AMOUNT, PROFILE_FIELD_AMOUNT, &v, what);
    }
    if (ms != MONEY_OK)
        return decode_fail_value(d, DECODE_AMOUNT, PROFILE_FIELD_AMOUNT, &v,
                                 ms == MONEY_OVERFLOW ? "is too large" : "is not a number");
    if (amount < 0)
        return decode_fail_value(d, DECODE_AMOUNT, PROFILE_FIELD_AMOUNT, &v,
                                 "is negative (the direction is given by the accounts)");
    if (amount > LIMIT_AMOUNT_MINOR) { /* keeps window sums within int64 (limits.h) */
        char what[96], most[32];
        g_snprintf(what, sizeof what, "is above the largest amount accepted, %s",
                   money_format(LIMIT_AMOUNT_MINOR, exp, most));
        return decode_fail_value(d, DECODE_AMOUNT, PROFILE_FIELD_AMOUNT, &v, what);
    }
    out->core.amount = amount;
    return DECODE_OK;
}

/* With rates: the amount into the reporting currency, the original kept
 * (read/fx.h); a row that cannot be converted is rejected with the reason. */
static DecodeStatus decode_convert(Decoder *d, Txn *out)
{
    TxnCore *c = &out->core;
    c->currency_orig = 0;
    if (!d->fx)
        return DECODE_OK;
    gint64 conv;
    FxStatus st = fx_convert(d->fx, c->amount, c->currency, c->currency_exp, c->ts, &conv);
    if (st != FX_OK) {
        DecodeValue v;
        char why[160];
        decode_value(d, st == FX_OVERFLOW ? PROFILE_FIELD_AMOUNT : PROFILE_FIELD_CURRENCY, &v);
        return decode_fail(d, DECODE_FX,
                           st == FX_OVERFLOW ? PROFILE_FIELD_AMOUNT : PROFILE_FIELD_CURRENCY, &v,
                           "%s", fx_status_text(d->fx, st, c->currency, c->ts, why));
    }
    c->amount_orig = c->amount;
    c->currency_orig = c->currency;
    c->exp_orig = c->currency_exp;
    c->amount = conv;
    c->currency = fx_reporting(d->fx);
    c->currency_exp = (guint8)fx_reporting_exp(d->fx);
    return DECODE_OK;
}

static DecodeStatus decode_channel(Decoder *d, Txn *out)
{
    DecodeValue v;
    decode_value(d, PROFILE_FIELD_CHANNEL, &v);
    if (v.len == 0)
        return decode_fail(d, DECODE_CHANNEL, PROFILE_FIELD_CHANNEL, &v, "empty channel");
    if (v.len != d->last_channel_len || memcmp(v.ptr, d->last_channel_text, v.len) != 0) {
        Channel c;
        if (v.len >= sizeof d->last_channel_text || !txn_channel_parse(v.ptr, v.len, &c))
            return decode_fail_value(d, DECODE_CHANNEL, PROFILE_FIELD_CHANNEL, &v,
                                     "is not a known channel");
        memcpy(d->last_channel_text, v.ptr, v.len);
        d->last_channel_len = v.len;
        d->last_channel = c;
    }
    out->core.channel = (guint8)d->last_channel;
    return DECODE_OK;
}

/* Checks an account value (length, UTF-8); interning waits until the row
 * is known to be good. */
static DecodeStatus decode_account(Decoder *d, ProfileField f, DecodeValue *v)
{
    decode_value(d, f, v);
    if (v->len > LIMIT_ACCOUNT_BYTES)
        return decode_fail(d, DECODE_ACCOUNT, f, v, "account longer than %d bytes",
                           LIMIT_ACCOUNT_BYTES);
    if (!decode_utf8(v))
        return decode_fail(d, DECODE_UTF8, f, v, "invalid UTF-8");
    return DECODE_OK;
}

/* The channels that need a sender or a receiver account. */
static DecodeStatus decode_accounts_needed(Decoder *d, const Txn *out, const DecodeValue *from,
                                           const DecodeValue *to)
{
    Channel c = (Channel)out->core.channel;
    gboolean need_to = c == CHANNEL_CASH_DEPOSIT || c == CHANNEL_ATM_DEPOSIT;
    gboolean need_from =
        c == CHANNEL_CASH_WITHDRAWAL || c == CHANNEL_ATM_WITHDRAWAL || c == CHANNEL_CARD;
    if (need_to && to->len == 0)
        return decode_fail(d, DECODE_ACCOUNT, PROFILE_FIELD_TO, to, "%s needs a to_account",
                           txn_channel_name(c));
    if (need_from && from->len == 0)
        return decode_fail(d, DECODE_ACCOUNT, PROFILE_FIELD_FROM, from, "%s needs a from_account",
                           txn_channel_name(c));
    if (from->len == 0 && to->len == 0)
        return decode_fail(d, DECODE_ACCOUNT, PROFILE_FIELD_FROM, from,
                           "both from_account and to_account are empty");
    return DECODE_OK;
}

/* mcc: empty, or 1-4 digits. */
static DecodeStatus decode_mcc(Decoder *d, Txn *out)
{
    DecodeValue v;
    decode_value(d, PROFILE_FIELD_MCC, &v);
    out->core.mcc = TXN_MCC_NONE;
    if (v.len == 0)
        return DECODE_OK;
    guint mcc = 0;
    for (size_t i = 0; i < v.len && v.len <= 4; i++) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9')
            return decode_fail_value(d, DECODE_MCC, PROFILE_FIELD_MCC, &v,
                                     "is not a merchant category code (1-4 digits)");
        mcc = mcc * 10 + (guint)(v.ptr[i] - '0');
    }
    if (v.len > 4)
        return decode_fail_value(d, DECODE_MCC, PROFILE_FIELD_MCC, &v,
                                 "is not a merchant category code (1-4 digits)");
    out->core.mcc = (guint16)mcc;
    return DECODE_OK;
}

static DecodeStatus decode_country(Decoder *d, Txn *out)
{
    DecodeValue v;
    decode_value(d, PROFILE_FIELD_COUNTRY, &v);
    out->core.country = v.len ? txn_pack_code2(v.ptr, v.len) : 0;
    if (v.len && !out->core.country)
        return decode_fail_value(d, DECODE_COUNTRY, PROFILE_FIELD_COUNTRY, &v,
                                 "is not a 2-letter country code");
    return DECODE_OK;
}

/* A free-text field (location, memo): any UTF-8. */
static DecodeStatus decode_text(Decoder *d, ProfileField f, DecodeValue *v)
{
    decode_value(d, f, v);
    if (!decode_utf8(v))
        return decode_fail(d, DECODE_UTF8, f, v, "invalid UTF-8");
    return DECODE_OK;
}

static void decode_labels(Decoder *d, Txn *out)
{
    out->n_labels = d->p->n_labels;
    for (guint i = 0; i < d->p->n_labels; i++) {
        gint pos = d->label_pos[i];
        out->labels[i].ptr = pos >= 0 ? d->row.fields[pos].ptr : "";
        out->labels[i].len = pos >= 0 ? d->row.fields[pos].len : 0;
    }
}

/* The fields after the split, in the order of the canonical CSV. */
static DecodeStatus decode_fields(Decoder *d, Txn *out)
{
    DecodeValue from, to, location, memo;
    DecodeStatus st;
    if ((st = decode_account(d, PROFILE_FIELD_FROM, &from)) ||
        (st = decode_account(d, PROFILE_FIELD_TO, &to)))
        return st;
    /* the account table is larger than the cache: start loading both slots
     * now and decode the other fields while they arrive */
    guint32 hfrom = intern_prefetch(d->accounts, from.ptr, from.len);
    guint32 hto = intern_prefetch(d->accounts, to.ptr, to.len);
    if ((st = decode_tx_id(d, out)) || (st = decode_ts(d, out)) || (st = decode_currency(d, out)) ||
        (st = decode_amount(d, out)) || (st = decode_convert(d, out)) ||
        (st = decode_channel(d, out)) || (st = decode_accounts_needed(d, out, &from, &to)) ||
        (st = decode_mcc(d, out)) || (st = decode_country(d, out)) ||
        (st = decode_text(d, PROFILE_FIELD_LOCATION, &location)) ||
        (st = decode_text(d, PROFILE_FIELD_MEMO, &memo)))
        return st;
    out->core.from = intern_add_hashed(d->accounts, from.ptr, from.len, hfrom);
    out->core.to = intern_add_hashed(d->accounts, to.ptr, to.len, hto);
    out->core.location = intern_add(d->locations, location.ptr, location.len);
    out->memo.ptr = memo.ptr;
    out->memo.len = (guint32)memo.len;
    decode_labels(d, out);
    return DECODE_OK;
}

DecodeStatus decode_row(Decoder *d, char *rec, size_t len, guint64 line, Txn *out)
{
    d->scratch_used = 0;
    d->err_column = 0;
    d->msg[0] = '\0';
    if (len > LIMIT_LINE_BYTES) {
        decode_set_error(d, 0, "record longer than %d bytes", LIMIT_LINE_BYTES);
        return DECODE_LINE_TOO_LONG;
    }
    DecodeStatus st = decode_split(d, rec, len);
    if (st != DECODE_OK)
        return st;
    out->line = line;
    return decode_fields(d, out);
}
