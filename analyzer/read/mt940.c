/* mt940.c: SWIFT MT940 statements (and MT942 interim reports).
 *
 * Reads line by line (one field and one line of lookahead held at a time,
 * so memory is bounded): :20: starts a statement, :25: names the account,
 * :60F:/:60M: the opening balance, each :61: an entry with its :86: after
 * it, :62F:/:62M: the closing balance. The SWIFT blocks {1:...}{4: and -}
 * around a message are skipped. :86: is read in three dialects: the
 * German structured one (GVC code, then ?00-?63 subfields with the SEPA
 * keywords EREF+ and SVWZ+ in the purpose), the Dutch slash one
 * (/EREF/.../IBAN/.../NAME/.../REMI/...) and free text. A statement whose
 * opening balance plus its entries is not its closing balance is warned
 * about with the figures (missing pages); broken structure (an entry
 * before its account, text outside a field, an unclosed block) is an
 * error with the line. */
#include "read/stmt.h"

#include <string.h>

#include "base/limits.h"

typedef struct {
    gzFile gz;
    char *name;
    char *buf; /* one line, LIMIT_LINE_BYTES */
    guint64 line;
    GString *la; /* the lookahead line */
    guint64 la_line;
    gboolean have_la, eof, in_block;
    GString *tag, *text; /* the field being read: "61", its text with '\n' between lines */
    guint64 field_line;
    StmtRow pending;                         /* the entry read, waiting for its :86: */
    gboolean have_pending, pending_86, held; /* held: a field read, not yet handled */
    GString *ccy;
    gboolean have_open, have_stmt;
    gint64 open, credits, debits;
    guint64 stmt_line;
} Mt940;

static void mt940_free(void *self)
{
    Mt940 *m = self;
    for (int i = 0; i < STMT_F_COUNT; i++)
        g_string_free(m->pending.f[i], TRUE);
    g_string_free(m->la, TRUE);
    g_string_free(m->tag, TRUE);
    g_string_free(m->text, TRUE);
    g_string_free(m->ccy, TRUE);
    g_free(m->buf);
    g_free(m->name);
    g_free(m);
}

/* Reads the next line into m->la; FALSE at the end of the file. */
static gboolean mt940_read_line(Mt940 *m)
{
    if (m->have_la)
        return TRUE;
    if (m->eof || !gzgets(m->gz, m->buf, LIMIT_LINE_BYTES)) {
        m->eof = TRUE;
        return FALSE;
    }
    m->line++;
    size_t n = strlen(m->buf);
    while (n && (m->buf[n - 1] == '\n' || m->buf[n - 1] == '\r'))
        n--;
    g_string_assign(m->la, "");
    g_string_append_len(m->la, m->buf, (gssize)n);
    m->la_line = m->line;
    m->have_la = TRUE;
    return TRUE;
}

/* The length of a field tag ":61:" at the start of s, or 0. */
static size_t mt940_tag_len(const char *s)
{
    if (s[0] != ':' || !g_ascii_isdigit(s[1]) || !g_ascii_isdigit(s[2]))
        return 0;
    size_t i = 3 + (g_ascii_isalpha(s[3]) != 0);
    return s[i] == ':' ? i + 1 : 0;
}

typedef enum { MT940_FIELD, MT940_BLOCK_END, MT940_EOF, MT940_BROKEN } Mt940Read;

/* Reads the next whole field into tag and text, skipping SWIFT block headers. */
static Mt940Read mt940_read_field(Mt940 *m, GError **error)
{
    for (;;) {
        if (!mt940_read_line(m))
            return MT940_EOF;
        const char *s = m->la->str;
        size_t t = mt940_tag_len(s);
        if (t) {
            g_string_assign(m->tag, "");
            g_string_append_len(m->tag, s + 1, (gssize)t - 2);
            g_string_assign(m->text, s + t);
            m->field_line = m->la_line;
            m->have_la = FALSE;
            while (mt940_read_line(m) && !mt940_tag_len(m->la->str) && m->la->str[0] != '-' &&
                   m->la->str[0] != '{') {
                g_string_append_c(m->text, '\n');
                g_string_append(m->text, m->la->str);
                m->have_la = FALSE;
            }
            return MT940_FIELD;
        }
        m->have_la = FALSE;
        if (s[0] == '{') {
            m->in_block = strstr(s, "{4:") != NULL;
            continue;
        }
        if (s[0] == '-') {
            m->in_block = FALSE;
            return MT940_BLOCK_END;
        }
        if (s[0] == 0)
            continue;
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:%" G_GUINT64_FORMAT
                    ":1: broken MT940 block structure: text outside a field "
                    "(expected a tag like :61:)",
                    m->name, m->la_line);
        return MT940_BROKEN;
    }
}

/* "YYMMDD" -> "20YY-MM-DD" into out; FALSE if not 6 digits. */
static gboolean mt940_date(const char *s, GString *out)
{
    for (int i = 0; i < 6; i++)
        if (!g_ascii_isdigit(s[i]))
            return FALSE;
    int yy = (s[0] - '0') * 10 + (s[1] - '0');
    g_string_printf(out, "%d-%.2s-%.2s", yy < 80 ? 2000 + yy : 1900 + yy, s + 2, s + 4);
    return TRUE;
}

/* Parses a balance "C240301EUR1234,56"; FALSE if malformed. */
static gboolean mt940_balance(Mt940 *m, const char *s, gint64 *out)
{
    if ((s[0] != 'C' && s[0] != 'D') || strlen(s) < 11)
        return FALSE;
    g_string_assign(m->ccy, "");
    g_string_append_len(m->ccy, s + 7, 3);
    gint64 v;
    if (!stmt_parse_decimal(s + 10, &v))
        return FALSE;
    *out = s[0] == 'C' ? v : -v;
    return TRUE;
}

/* Parses a :61: line into the pending entry; FALSE with why if malformed. */
static gboolean mt940_entry(Mt940 *m, const char *s, GString *why)
{
    StmtRow *r = &m->pending;
    if (!mt940_date(s, r->f[STMT_F_VALUE]))
        return g_string_printf(why, ":61: value date '%.6s' is not YYMMDD", s), FALSE;
    g_string_assign(r->f[STMT_F_BOOKED], r->f[STMT_F_VALUE]->str);
    const char *p = s + 6;
    if (g_ascii_isdigit(p[0]) && g_ascii_isdigit(p[3])) { /* entry date MMDD */
        int year = atoi(r->f[STMT_F_VALUE]->str), vm = atoi(r->f[STMT_F_VALUE]->str + 5);
        int em = (p[0] - '0') * 10 + (p[1] - '0');
        year += em == 12 && vm == 1 ? -1 : em == 1 && vm == 12 ? 1 : 0;
        g_string_printf(r->f[STMT_F_BOOKED], "%d-%.2s-%.2s", year, p, p + 2);
        p += 4;
    }
    r->reversal = p[0] == 'R';
    p += r->reversal;
    if (*p != 'C' && *p != 'D')
        return g_string_printf(why, ":61: debit/credit mark '%c' is not C, D, RC or RD", *p), FALSE;
    r->credit = (*p == 'C') != r->reversal; /* RC reverses a credit: money goes out */
    p++;
    if (g_ascii_isalpha(*p) && g_ascii_isdigit(p[1]))
        p++; /* funds code */
    const char *a = p;
    while (g_ascii_isdigit(*p) || *p == ',')
        p++;
    g_string_assign(r->f[STMT_F_AMOUNT], "");
    g_string_append_len(r->f[STMT_F_AMOUNT], a, p - a);
    gint64 v;
    if (p == a || !stmt_parse_decimal(r->f[STMT_F_AMOUNT]->str, &v))
        return g_string_printf(why, ":61: amount missing or malformed"), FALSE;
    if (strlen(p) >= 4 && strchr("NFS", p[0]))
        g_string_printf(r->f[STMT_F_CODE], "swift:%.4s", p);
    p += MIN(strlen(p), 4);
    const char *nl = strchr(p, '\n'), *bank = strstr(p, "//");
    if (bank && (!nl || bank < nl)) {
        const char *end = nl ? nl : bank + strlen(bank);
        g_string_append_len(r->f[STMT_F_REF], bank + 2, end - bank - 2);
    } else {
        g_string_append_len(r->f[STMT_F_REF], p, nl ? nl - p : (gssize)strlen(p));
        if (strcmp(r->f[STMT_F_REF]->str, "NONREF") == 0)
            g_string_truncate(r->f[STMT_F_REF], 0);
    }
    if (r->credit)
        m->credits += v;
    else
        m->debits += v;
    return TRUE;
}

/* The SEPA keywords of a German purpose text: EREF+ (end-to-end id), SVWZ+ (memo). */
static void mt940_sepa(StmtRow *r, const char *purpose)
{
    static const char *const keys[] = {"EREF+", "KREF+", "MREF+", "CRED+", "DEBT+",
                                       "SVWZ+", "ABWA+", "ABWE+", "IBAN+", "BIC+"};
    const char *svwz = strstr(purpose, "SVWZ+"), *eref = strstr(purpose, "EREF+");
    if (!svwz && !eref) {
        g_string_assign(r->f[STMT_F_MEMO], purpose);
        return;
    }
    for (int k = 0; k < 2; k++) {
        const char *at = k ? svwz : eref;
        if (!at)
            continue;
        at += 5;
        const char *end = at + strlen(at);
        for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
            const char *n = strstr(at, keys[i]);
            if (n && n < end)
                end = n;
        }
        GString *f = r->f[k ? STMT_F_MEMO : STMT_F_E2E];
        g_string_assign(f, "");
        g_string_append_len(f, at, end - at);
        g_strstrip(f->str);
        f->len = strlen(f->str);
    }
}

/* German structured :86:: "166?00GUTSCHRIFT?20EREF+...?31DE..?32Name". */
static void mt940_86_german(StmtRow *r, const char *s)
{
    char sep = s[3];
    g_string_printf(r->f[STMT_F_CODE2], "gvc:%.3s", s);
    g_autoptr(GString) purpose = g_string_new(NULL);
    for (const char *p = strchr(s, sep); p && p[1] && p[2]; p = strchr(p + 1, sep)) {
        int code =
            g_ascii_isdigit(p[1]) && g_ascii_isdigit(p[2]) ? (p[1] - '0') * 10 + (p[2] - '0') : -1;
        const char *v = p + 3, *end = strchr(v, sep);
        gssize n = end ? end - v : (gssize)strlen(v);
        if ((code >= 20 && code <= 29) || (code >= 60 && code <= 63))
            g_string_append_len(purpose, v, n);
        else if (code == 30)
            g_string_append_len(r->f[STMT_F_CPTY_BIC], v, n);
        else if (code == 31)
            g_string_append_len(r->f[STMT_F_CPTY], v, n);
        else if (code == 32 || code == 33)
            g_string_append_len(r->f[STMT_F_CPTY_NAME], v, n);
    }
    mt940_sepa(r, purpose->str);
    /* the German code decides the channel before the SWIFT type (NMSC says little) */
    GString *t = r->f[STMT_F_CODE];
    r->f[STMT_F_CODE] = r->f[STMT_F_CODE2];
    r->f[STMT_F_CODE2] = t;
}

/* Dutch slash :86:: "/EREF/id/IBAN/NL../NAME/x/REMI/USTD//text/"; CNTP is "acct/bic/name/city". */
static void mt940_86_slash(StmtRow *r, const char *s)
{
    static const char *const keys[] = {"EREF", "IBAN", "BIC",  "NAME", "REMI", "CNTP",
                                       "TRTP", "MARF", "CSID", "ORDP", "BENM", "ADDR"};
    g_auto(GStrv) tok = g_strsplit(s + 1, "/", -1);
    const char *key = NULL;
    guint vi = 0;
    for (char **t = tok; *t; t++) {
        gboolean is_key = FALSE;
        for (guint k = 0; k < G_N_ELEMENTS(keys) && !is_key; k++)
            if (strcmp(*t, keys[k]) == 0)
                key = keys[k], is_key = TRUE, vi = 0;
        if (is_key || !key)
            continue;
        vi++;
        if (strcmp(key, "EREF") == 0 && vi == 1)
            g_string_assign(r->f[STMT_F_E2E], *t);
        else if ((strcmp(key, "IBAN") == 0 || strcmp(key, "CNTP") == 0) && vi == 1)
            g_string_assign(r->f[STMT_F_CPTY], *t);
        else if ((strcmp(key, "BIC") == 0 && vi == 1) || (strcmp(key, "CNTP") == 0 && vi == 2))
            g_string_assign(r->f[STMT_F_CPTY_BIC], *t);
        else if ((strcmp(key, "NAME") == 0 && vi == 1) || (strcmp(key, "CNTP") == 0 && vi == 3))
            g_string_assign(r->f[STMT_F_CPTY_NAME], *t);
        else if (strcmp(key, "REMI") == 0 && **t && strcmp(*t, "USTD") != 0 &&
                 strcmp(*t, "STRD") != 0)
            g_string_append_printf(r->f[STMT_F_MEMO], "%s%s", r->f[STMT_F_MEMO]->len ? "/" : "",
                                   *t);
    }
}

/* Attaches a :86: to the pending entry, by its dialect. */
static void mt940_86(Mt940 *m, char *text)
{
    gboolean german = g_ascii_isdigit(text[0]) && g_ascii_isdigit(text[1]) &&
                      g_ascii_isdigit(text[2]) && text[3] && !g_ascii_isalnum(text[3]);
    gboolean slash = text[0] == '/' && (strstr(text, "/EREF/") || strstr(text, "/REMI/") ||
                                        strstr(text, "/CNTP/") || strstr(text, "/NAME/"));
    /* lines were cut at 65 characters: joined without a separator when structured */
    GString *j = g_string_new(NULL);
    for (char *p = text; *p; p++)
        if (*p != '\n' || !(german || slash))
            g_string_append_c(j, *p == '\n' ? ' ' : *p);
    if (german)
        mt940_86_german(&m->pending, j->str);
    else if (slash)
        mt940_86_slash(&m->pending, j->str);
    else
        g_string_assign(m->pending.f[STMT_F_MEMO], j->str);
    g_string_free(j, TRUE);
    m->pending_86 = TRUE;
}

/* The statement ended at its closing balance: warns if it does not add up. */
static void mt940_check(Mt940 *m, gint64 close)
{
    if (m->have_open && m->open + m->credits - m->debits != close) {
        char o[32], cr[32], db[32], sum[32], cl[32];
        stmt_warn("%s:%" G_GUINT64_FORMAT ": statement '%s' of account '%s' does not add up: "
                  "opening %s + credits %s - debits %s = %s, but the closing balance is %s "
                  "(entries missing?)",
                  m->name, m->stmt_line, m->pending.f[STMT_F_STMT_ID]->str,
                  m->pending.f[STMT_F_ACCOUNT]->str, stmt_format_decimal(m->open, o),
                  stmt_format_decimal(m->credits, cr), stmt_format_decimal(m->debits, db),
                  stmt_format_decimal(m->open + m->credits - m->debits, sum),
                  stmt_format_decimal(close, cl));
    }
    m->have_open = m->have_stmt = FALSE;
}

/* Copies the pending entry into row (keeping row's buffers). */
static void mt940_hand_out(Mt940 *m, StmtRow *row)
{
    for (int i = 0; i < STMT_F_COUNT; i++)
        g_string_assign(row->f[i], m->pending.f[i]->str);
    row->credit = m->pending.credit;
    row->reversal = m->pending.reversal;
    row->line = m->pending.line;
    m->have_pending = FALSE;
}

/* Handles one field other than :86:, after the entry before it was handed
 * out. FALSE with error if the structure is broken. */
static gboolean mt940_field(Mt940 *m, GError **error)
{
    const char *tag = m->tag->str;
    char *text = m->text->str;
    StmtRow *p = &m->pending;
    if (strcmp(tag, "20") == 0) {
        g_string_assign(p->f[STMT_F_STMT_ID], g_strstrip(text));
        m->have_stmt = TRUE;
        m->stmt_line = m->field_line;
        m->credits = m->debits = 0;
        g_string_truncate(p->f[STMT_F_ACCOUNT], 0);
    } else if (strcmp(tag, "25") == 0) {
        g_string_assign(p->f[STMT_F_ACCOUNT], g_strstrip(text));
    } else if (tag[0] == '6' && tag[1] == '0') {
        m->have_open = mt940_balance(m, text, &m->open);
    } else if (strcmp(tag, "61") == 0 && !p->f[STMT_F_ACCOUNT]->len) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:%" G_GUINT64_FORMAT ":1: broken MT940 block structure: :61: before the "
                    "account (:25:) of its statement",
                    m->name, m->field_line);
        return FALSE;
    } else if (tag[0] == '6' && tag[1] == '2') {
        gint64 close;
        if (mt940_balance(m, text, &close))
            mt940_check(m, close);
    }
    return TRUE;
}

/* Starts the pending entry from the :61: field just read; FALSE with why if broken. */
static gboolean mt940_start_entry(Mt940 *m, GString *why)
{
    StmtRow *p = &m->pending;
    for (int i = 0; i < STMT_F_COUNT; i++)
        if (i != STMT_F_ACCOUNT && i != STMT_F_STMT_ID)
            g_string_truncate(p->f[i], 0);
    g_string_assign(p->f[STMT_F_CURRENCY], m->ccy->str);
    p->line = m->field_line;
    m->pending_86 = FALSE;
    m->have_pending = mt940_entry(m, m->text->str, why);
    return m->have_pending;
}

/* The end of the file or of a block: FALSE with error if a block is left open. */
static gboolean mt940_check_end(Mt940 *m, Mt940Read r, GError **error)
{
    if (r != MT940_EOF || !m->in_block)
        return TRUE;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s:%" G_GUINT64_FORMAT
                ": broken MT940 block structure: block {4: not closed by -}",
                m->name, m->line);
    return FALSE;
}

static StmtStatus mt940_next(void *self, StmtRow *row, GString *why, GError **error)
{
    Mt940 *m = self;
    for (;;) {
        if (!m->held) {
            Mt940Read r = mt940_read_field(m, error);
            if (r == MT940_BROKEN ||
                ((r == MT940_EOF || r == MT940_BLOCK_END) && !mt940_check_end(m, r, error)))
                return STMT_ERROR;
            if (r == MT940_EOF || r == MT940_BLOCK_END) {
                if (m->have_pending) {
                    mt940_hand_out(m, row);
                    return STMT_ROW;
                }
                if (r == MT940_EOF)
                    return STMT_END;
                continue;
            }
            if (strcmp(m->tag->str, "86") == 0) {
                if (m->have_pending && !m->pending_86)
                    mt940_86(m, m->text->str);
                continue;
            }
            if (m->have_pending) { /* the entry is complete: hand it out, field held */
                m->held = TRUE;
                mt940_hand_out(m, row);
                return STMT_ROW;
            }
        }
        m->held = FALSE;
        if (!mt940_field(m, error))
            return STMT_ERROR;
        if (strcmp(m->tag->str, "61") == 0 && !mt940_start_entry(m, why)) {
            row->line = m->field_line;
            g_string_assign(row->f[STMT_F_ACCOUNT], m->pending.f[STMT_F_ACCOUNT]->str);
            g_string_prepend(why, "broken :61: entry: ");
            return STMT_REJECT;
        }
    }
}

static const StmtReaderOps mt940_ops = {mt940_next, mt940_free};

void *mt940_reader_new(gzFile gz, const char *name, const StmtReaderOps **ops)
{
    Mt940 *m = g_new0(Mt940, 1);
    m->gz = gz;
    m->name = g_strdup(name);
    m->buf = g_malloc(LIMIT_LINE_BYTES);
    m->la = g_string_new(NULL);
    m->tag = g_string_new(NULL);
    m->text = g_string_new(NULL);
    m->ccy = g_string_new(NULL);
    for (int i = 0; i < STMT_F_COUNT; i++)
        m->pending.f[i] = g_string_new(NULL);
    *ops = &mt940_ops;
    return m;
}
