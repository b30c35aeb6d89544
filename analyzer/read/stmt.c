/* stmt.c: a statement file as a source of canonical CSV records.
 *
 * Sniffs the first bytes (inflated by zlib when gzip), opens the format's
 * reader over the same gzFile, and turns each entry the reader fills into
 * one record of the canonical CSV header, by the mapping documented in
 * schema/statements.md. The record and the reject text live in buffers
 * the Stmt owns, reused for every entry. A payment whose key (end-to-end id
 * and amount, else account and servicer's reference) was seen before, in
 * this file or an earlier one of the same input, is handed out as
 * SOURCE_REJECTED with a reason starting "duplicate payment", which the
 * input counts as a duplicate, not as a reject. */
#include "read/stmt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "base/limits.h"

#define STMT_SNIFF_BYTES 4096
#define STMT_CANONICAL_HEADER                                                                      \
    "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,"  \
    "memo"

typedef struct {
    char *name;
    gzFile gz;
    StmtFormat format;
    const StmtReaderOps *ops;
    void *reader;
    StmtSeen *seen; /* borrowed from the input */
    StmtRow row;
    GString *rec, *why;
    gboolean header_done;
    guint64 ordinal;
} Stmt;

/* ---- payments seen: two generations of open-addressed 64-bit hashes ---- */

struct StmtSeen {
    guint64 *gen[2]; /* gen[0] current, gen[1] previous; 0 marks a free slot */
    guint n[2];
    guint cap; /* slots per generation, a power of two, 2 * LIMIT_STMT_SEEN at most */
};

StmtSeen *stmt_seen_new(void)
{
    StmtSeen *s = g_new0(StmtSeen, 1);
    s->cap = 1024;
    s->gen[0] = g_new0(guint64, s->cap);
    s->gen[1] = g_new0(guint64, s->cap);
    return s;
}

void stmt_seen_free(StmtSeen *s)
{
    if (!s)
        return;
    g_free(s->gen[0]);
    g_free(s->gen[1]);
    g_free(s);
}

/* The slot of key in table t (cap slots): where it is, or the free one to take. */
static guint64 *stmt_seen_slot(guint64 *t, guint cap, guint64 key)
{
    for (guint i = (guint)(key ^ (key >> 29)) & (cap - 1);; i = (i + 1) & (cap - 1))
        if (t[i] == key || t[i] == 0)
            return &t[i];
}

/* Doubles both generations (rehashing) while under the cap. */
static void stmt_seen_grow(StmtSeen *s)
{
    guint cap = s->cap * 2;
    for (int g = 0; g < 2; g++) {
        guint64 *t = g_new0(guint64, cap);
        for (guint i = 0; i < s->cap; i++)
            if (s->gen[g][i])
                *stmt_seen_slot(t, cap, s->gen[g][i]) = s->gen[g][i];
        g_free(s->gen[g]);
        s->gen[g] = t;
    }
    s->cap = cap;
}

gboolean stmt_seen_add(StmtSeen *s, guint64 key)
{
    key |= 1; /* never 0, the free mark */
    if (*stmt_seen_slot(s->gen[1], s->cap, key) == key)
        return FALSE;
    guint64 *slot = stmt_seen_slot(s->gen[0], s->cap, key);
    if (*slot == key)
        return FALSE;
    *slot = key;
    if (++s->n[0] * 2 < s->cap)
        return TRUE;
    if (s->cap < 2 * LIMIT_STMT_SEEN) {
        stmt_seen_grow(s);
        return TRUE;
    }
    /* full: the oldest generation is forgotten (schema/statements.md) */
    guint64 *old = s->gen[1];
    s->gen[1] = s->gen[0];
    s->gen[0] = old;
    memset(old, 0, s->cap * sizeof *old);
    s->n[1] = s->n[0];
    s->n[0] = 0;
    return TRUE;
}

/* ---- sniffing ---- */

StmtFormat stmt_sniff(const char *buf, size_t n)
{
    size_t i = 0;
    if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < n && g_ascii_isspace(buf[i]))
        i++;
    if (i < n && buf[i] == '<') {
        const char *b = buf + i;
        size_t m = n - i;
        if (g_strstr_len(b, (gssize)m, "camt.053.001."))
            return STMT_CAMT053;
        if (g_strstr_len(b, (gssize)m, "camt.054.001."))
            return STMT_CAMT054;
        if (g_strstr_len(b, (gssize)m, "<report>") || g_strstr_len(b, (gssize)m, "<report "))
            return STMT_GOAML;
        return STMT_XML_OTHER;
    }
    if (i + 4 <= n && memcmp(buf + i, "{1:", 3) == 0)
        return STMT_MT940;
    /* a plain MT940: a line starting ":20:", then ":25:" (no CSV header starts so) */
    if (i + 4 <= n && memcmp(buf + i, ":20:", 4) == 0 &&
        g_strstr_len(buf + i, (gssize)(n - i), "\n:25:"))
        return STMT_MT940;
    return STMT_NONE;
}

const char *stmt_format_name(StmtFormat f)
{
    static const char *const names[] = {"", "camt.053", "camt.054", "MT940", "XML", "goAML"};
    return names[f];
}

void stmt_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    fprintf(stderr, "moneytrail: warning: %s\n", msg);
}

gboolean stmt_parse_decimal(const char *s, gint64 *out)
{
    gint64 v = 0;
    int frac = -1;
    gboolean neg = *s == '-', digits = FALSE;
    for (s += neg; *s; s++) {
        if (*s == '.' || *s == ',') {
            if (frac >= 0)
                return FALSE;
            frac = 0;
        } else if (g_ascii_isdigit(*s) && frac < 4 && v < G_MAXINT64 / 100) {
            v = v * 10 + (*s - '0');
            digits = TRUE;
            frac += frac >= 0;
        } else {
            return FALSE;
        }
    }
    for (frac = MAX(frac, 0); frac < 4; frac++)
        v *= 10;
    *out = neg ? -v : v;
    return digits;
}

const char *stmt_format_decimal(gint64 v, char *buf)
{
    gint64 a = v < 0 ? -v : v;
    g_snprintf(buf, 32, "%s%" G_GINT64_FORMAT ".%02d", v < 0 ? "-" : "", a / 10000,
               (int)(a % 10000 / 100));
    return buf;
}

/* ---- mapping one entry to a canonical record ---- */

void stmt_csv_field(GString *out, const char *s, size_t n, gboolean last)
{
    if (memchr(s, ',', n) || memchr(s, '"', n) || memchr(s, '\n', n) || memchr(s, '\r', n)) {
        g_string_append_c(out, '"');
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '"')
                g_string_append_c(out, '"');
            g_string_append_c(out, s[i] == '\n' || s[i] == '\r' ? ' ' : s[i]);
        }
        g_string_append_c(out, '"');
    } else {
        g_string_append_len(out, s, (gssize)n);
    }
    if (!last)
        g_string_append_c(out, ',');
}

/* FNV-1a over the given strings, each followed by a separator byte. */
static guint64 stmt_hash(const char *const *parts, guint n)
{
    guint64 h = 0xcbf29ce484222325ULL;
    for (guint i = 0; i < n; i++) {
        for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
            h = (h ^ *p) * 0x100000001b3ULL;
        h = (h ^ 0x1f) * 0x100000001b3ULL;
    }
    return h;
}

/* The counterparty's country: the IBAN's first two letters, else the BIC's
 * fifth and sixth; "" when neither is there. */
static void stmt_country(const StmtRow *r, char out[3])
{
    const char *iban = r->f[STMT_F_CPTY]->str, *bic = r->f[STMT_F_CPTY_BIC]->str;
    out[0] = 0;
    if (r->f[STMT_F_CPTY]->len >= 15 && g_ascii_isalpha(iban[0]) && g_ascii_isalpha(iban[1]) &&
        g_ascii_isdigit(iban[2]) && g_ascii_isdigit(iban[3]))
        g_snprintf(out, 3, "%c%c", g_ascii_toupper(iban[0]), g_ascii_toupper(iban[1]));
    else if ((r->f[STMT_F_CPTY_BIC]->len == 8 || r->f[STMT_F_CPTY_BIC]->len == 11) &&
             g_ascii_isalpha(bic[4]) && g_ascii_isalpha(bic[5]))
        g_snprintf(out, 3, "%c%c", g_ascii_toupper(bic[4]), g_ascii_toupper(bic[5]));
}

/* The channel of the entry's codes, "other" when none is known. */
static const char *stmt_channel(const StmtRow *r)
{
    for (int f = STMT_F_CODE; f <= STMT_F_CODE2; f++) {
        const char *code = r->f[f]->str, *colon = strchr(code, ':');
        if (!colon)
            continue;
        g_autofree char *scheme = g_strndup(code, (gsize)(colon - code));
        const char *ch = stmt_code_channel(scheme, colon + 1);
        if (ch)
            return ch;
    }
    return "other";
}

/* The end-to-end id, if it is a real one ("NOTPROVIDED" is not). */
static const char *stmt_e2e(const StmtRow *r)
{
    const char *e = r->f[STMT_F_E2E]->str;
    return *e && strcmp(e, "NOTPROVIDED") != 0 && strcmp(e, "NONREF") != 0 ? e : NULL;
}

/* Writes the canonical record of row r into st->rec and returns the key
 * that identifies the payment (0 when it has none to deduplicate by). */
static guint64 stmt_map(Stmt *st, const StmtRow *r)
{
    GString *o = st->rec;
    g_string_truncate(o, 0);
    const char *e2e = stmt_e2e(r), *ref = r->f[STMT_F_REF]->str, *acct = r->f[STMT_F_ACCOUNT]->str;
    g_autofree char *amount = g_strdup(r->f[STMT_F_AMOUNT]->str);
    g_strdelimit(amount, ",", '.');
    char idbuf[24], country[3];
    const char *id = e2e ? e2e : *ref ? ref : NULL;
    if (!id) {
        char ord[24];
        g_snprintf(ord, sizeof ord, "%" G_GUINT64_FORMAT, r->ordinal);
        const char *parts[] = {acct, r->f[STMT_F_STMT_ID]->str, ord, amount,
                               r->f[STMT_F_BOOKED]->str};
        g_snprintf(idbuf, sizeof idbuf, "h%016" G_GINT64_MODIFIER "x", stmt_hash(parts, 5));
        id = idbuf;
    }
    stmt_csv_field(o, id, MIN(strlen(id), LIMIT_TXID_BYTES), FALSE);
    const char *booked = r->f[STMT_F_BOOKED]->str;
    stmt_csv_field(o, booked, strlen(booked), FALSE);
    if (r->f[STMT_F_BOOKED]->len == 10)
        g_string_insert(o, (gssize)o->len - 1, "T00:00:00");
    const char *cpty = r->f[STMT_F_CPTY]->str;
    stmt_csv_field(o, r->credit ? cpty : acct, strlen(r->credit ? cpty : acct), FALSE);
    stmt_csv_field(o, r->credit ? acct : cpty, strlen(r->credit ? acct : cpty), FALSE);
    stmt_csv_field(o, amount, strlen(amount), FALSE);
    stmt_csv_field(o, r->f[STMT_F_CURRENCY]->str, r->f[STMT_F_CURRENCY]->len, FALSE);
    const char *ch = stmt_channel(r);
    stmt_csv_field(o, ch, strlen(ch), FALSE);
    g_string_append_c(o, ','); /* mcc */
    stmt_country(r, country);
    stmt_csv_field(o, country, strlen(country), FALSE);
    g_string_append_c(o, ','); /* location */
    g_autofree char *memo =
        g_strdup_printf("%s%s%s", r->reversal ? "reversal" : "",
                        r->reversal && r->f[STMT_F_MEMO]->len ? ": " : "", r->f[STMT_F_MEMO]->str);
    stmt_csv_field(o, memo, strlen(memo), TRUE);
    if (e2e) {
        const char *parts[] = {"e2e", e2e, amount, r->f[STMT_F_CURRENCY]->str};
        return stmt_hash(parts, 4);
    }
    if (*ref) {
        const char *parts[] = {"ref", acct, ref, amount};
        return stmt_hash(parts, 4);
    }
    return 0;
}

/* ---- the source ---- */

static void stmt_row_reset(StmtRow *r)
{
    for (int i = 0; i < STMT_F_COUNT; i++)
        if (i != STMT_F_ACCOUNT && i != STMT_F_STMT_ID)
            g_string_truncate(r->f[i], 0);
    r->credit = r->reversal = FALSE;
}

static SourceStatus stmt_next(void *self, SourceRecord *rec, GError **error)
{
    Stmt *st = self;
    *rec = (SourceRecord){.lines = 1};
    if (!st->header_done) {
        st->header_done = TRUE;
        g_string_assign(st->rec, STMT_CANONICAL_HEADER);
        rec->data = st->rec->str;
        rec->len = st->rec->len;
        rec->line = 1;
        return SOURCE_RECORD;
    }
    stmt_row_reset(&st->row);
    g_string_truncate(st->why, 0);
    st->row.ordinal = ++st->ordinal;
    StmtStatus s = st->ops->next(st->reader, &st->row, st->why, error);
    if (s == STMT_END)
        return SOURCE_END;
    if (s == STMT_ERROR)
        return SOURCE_ERROR;
    guint64 key = stmt_map(st, &st->row);
    rec->data = st->rec->str;
    rec->len = st->rec->len;
    rec->line = st->row.line;
    if (s == STMT_REJECT)
        return SOURCE_REJECTED;
    if (key && !stmt_seen_add(st->seen, key)) {
        const char *e2e = stmt_e2e(&st->row);
        g_string_printf(st->why, "duplicate payment: %s '%s' with amount %s %s seen before",
                        e2e ? "end-to-end id" : "servicer's reference",
                        e2e ? e2e : st->row.f[STMT_F_REF]->str, st->row.f[STMT_F_AMOUNT]->str,
                        st->row.f[STMT_F_CURRENCY]->str);
        return SOURCE_REJECTED;
    }
    return SOURCE_RECORD;
}

static guint64 stmt_bytes(const void *self)
{
    const Stmt *st = self;
    return (guint64)MAX(gzoffset(st->gz), 0);
}

static const char *stmt_reason(const void *self)
{
    return ((const Stmt *)self)->why->str;
}

static void stmt_free(void *self)
{
    Stmt *st = self;
    if (st->reader)
        st->ops->free(st->reader);
    if (st->gz)
        gzclose(st->gz);
    for (int i = 0; i < STMT_F_COUNT; i++)
        g_string_free(st->row.f[i], TRUE);
    g_string_free(st->rec, TRUE);
    g_string_free(st->why, TRUE);
    g_free(st->name);
    g_free(st);
}

static const SourceRecordsOps stmt_source_ops = {stmt_next, stmt_bytes, stmt_reason, stmt_free};

gboolean stmt_peek(const char *path, gzFile *gz, StmtFormat *f, GError **error)
{
    *gz = gzopen(path, "rb");
    if (!*gz) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open '%s': %s", path,
                    g_strerror(e));
        return FALSE;
    }
    gzbuffer(*gz, 256 * 1024);
    char buf[STMT_SNIFF_BYTES];
    int n = gzread(*gz, buf, sizeof buf);
    *f = n > 0 ? stmt_sniff(buf, (size_t)n) : STMT_NONE;
    return *f == STMT_NONE || gzrewind(*gz) == 0;
}

gboolean stmt_open(const char *path, StmtSeen **seen, Source **out, GError **error)
{
    *out = NULL;
    /* Only a regular file is sniffed: peeking at a pipe or a FIFO would
     * consume bytes the CSV reader then never sees. Statements come as
     * files; a stream is read as CSV. */
    struct stat sb;
    if (strcmp(path, "-") == 0 || (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)))
        return TRUE;
    gzFile gz;
    StmtFormat f;
    if (!stmt_peek(path, &gz, &f, error))
        return FALSE;
    if (f == STMT_NONE) {
        gzclose(gz);
        return TRUE;
    }
    if (f == STMT_XML_OTHER) {
        gzclose(gz);
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:1: unknown XML message: expected camt.053, camt.054 "
                    "(urn:iso:std:iso:20022:tech:xsd:camt.05x.001.NN), version .02 or later, "
                    "or a goAML report",
                    path);
        return FALSE;
    }
    Stmt *st = g_new0(Stmt, 1);
    st->name = g_strdup(path);
    st->gz = gz;
    st->format = f;
    st->rec = g_string_sized_new(1024);
    st->why = g_string_new(NULL);
    for (int i = 0; i < STMT_F_COUNT; i++)
        st->row.f[i] = g_string_new(NULL);
    st->reader = f == STMT_MT940   ? mt940_reader_new(gz, path, &st->ops)
                 : f == STMT_GOAML ? goaml_reader_new(gz, path, &st->ops, error)
                                   : camt_reader_new(gz, path, f, &st->ops, error);
    if (!st->reader) {
        stmt_free(st);
        return FALSE;
    }
    if (!*seen)
        *seen = stmt_seen_new();
    st->seen = *seen;
    *out = source_from_records(path, &stmt_source_ops, st);
    return TRUE;
}
