/* camt.c: ISO 20022 camt.053 statements and camt.054 notifications.
 *
 * Streams the document with libxml2's xmlTextReader (one node at a time,
 * memory bounded whatever the file's size; no DTD, no entity expansion, no
 * network) and fills a StmtRow per transaction: one per TxDtls of a batched
 * entry (NtryDtls with several TxDtls), or one per Ntry without details.
 * Entry-level elements (amount, CdtDbtInd, dates, code) precede NtryDtls in
 * the schema, so a TxDtls row is complete when its element closes. The
 * opening and closing balances (Bal, before the entries) are checked
 * against the entries at the end of each statement; a mismatch is a
 * warning with the figures. Element names are matched by path relative to
 * the statement, the entry or the transaction (schema/statements.md). */
#include "read/stmt.h"

#include <libxml/xmlreader.h>
#include <string.h>

#include "base/limits.h"

typedef enum { CAMT_IN_STMT, CAMT_IN_NTRY, CAMT_IN_TX } CamtScope;

typedef struct {
    StmtXml x;
    StmtFormat format;
    const char *stmt_elem; /* "Stmt" or "Ntfctn" */
    char *path[LIMIT_XML_DEPTH];
    int depth;
    int stmt_depth, ntry_depth, tx_depth; /* depth of the open element, 0 = none */
    /* the entry being read, kept while its TxDtls rows are handed out */
    StmtRow ntry;
    guint n_tx; /* TxDtls rows handed out for this entry */
    gboolean tx_amount, tx_dir;
    GString *bal_type; /* Bal/Tp/CdOrPrtry/Cd of the balance being read */
    gint64 bal_amount;
    gboolean bal_credit, have_open, have_close;
    gint64 open, close, credits, debits;
    guint64 stmt_line;
} Camt;

/* The path of the open elements from depth `from` on, joined by '/'. */
static void camt_rel(const Camt *c, int from, char *out, size_t cap)
{
    out[0] = 0;
    for (int d = from; d < c->depth; d++) {
        g_strlcat(out, c->path[d], cap);
        if (d + 1 < c->depth)
            g_strlcat(out, "/", cap);
    }
}

static int camt_line(const Camt *c)
{
    return stmt_xml_line(&c->x);
}

static void camt_free(void *self)
{
    Camt *c = self;
    stmt_xml_clear(&c->x);
    for (int d = 0; d < c->depth; d++)
        g_free(c->path[d]);
    for (int i = 0; i < STMT_F_COUNT; i++)
        g_string_free(c->ntry.f[i], TRUE);
    g_string_free(c->bal_type, TRUE);
    g_free(c);
}

/* Sets a field from text; the memo gathers several lines with a space. */
static void camt_set(StmtRow *r, StmtField f, const char *v)
{
    if (f == STMT_F_MEMO && r->f[f]->len)
        g_string_append_c(r->f[f], ' ');
    else
        g_string_truncate(r->f[f], 0);
    g_string_append(r->f[f], v);
}

typedef struct {
    const char *path;
    StmtField field;
} CamtPath;

/* Elements of an entry or a transaction, relative to Ntry or TxDtls (paths
 * of the versions .02 to .08: Dbtr/Nm became Dbtr/Pty/Nm, BIC became BICFI). */
static const CamtPath camt_common[] = {
    {"BkTxCd/Prtry/Cd", STMT_F_CODE2}, {"AcctSvcrRef", STMT_F_REF},
    {"Refs/AcctSvcrRef", STMT_F_REF},  {"Refs/EndToEndId", STMT_F_E2E},
    {"RmtInf/Ustrd", STMT_F_MEMO},     {"AddtlTxInf", STMT_F_MEMO},
    {"AddtlNtryInf", STMT_F_MEMO},     {"BookgDt/Dt", STMT_F_BOOKED},
    {"BookgDt/DtTm", STMT_F_BOOKED},   {"ValDt/Dt", STMT_F_VALUE},
    {"ValDt/DtTm", STMT_F_VALUE},
};

/* The counterparty's elements: the debtor's for a credit, the creditor's for a debit. */
static StmtField camt_party(const char *rel, gboolean credit)
{
    const char *side = credit ? "Dbtr" : "Cdtr";
    size_t n = strlen(side);
    if (strncmp(rel, "RltdPties/", 10) == 0 && strncmp(rel + 10, side, n) == 0) {
        const char *rest = rel + 10 + n;
        if (strcmp(rest, "Acct/Id/IBAN") == 0 || strcmp(rest, "Acct/Id/Othr/Id") == 0)
            return STMT_F_CPTY;
        if (strcmp(rest, "/Nm") == 0 || strcmp(rest, "/Pty/Nm") == 0)
            return STMT_F_CPTY_NAME;
    }
    if (strncmp(rel, "RltdAgts/", 9) == 0 && strncmp(rel + 9, side, n) == 0 &&
        (strcmp(rel + 9 + n, "Agt/FinInstnId/BIC") == 0 ||
         strcmp(rel + 9 + n, "Agt/FinInstnId/BICFI") == 0))
        return STMT_F_CPTY_BIC;
    return STMT_F_COUNT;
}

/* The ISO code is gathered in three parts into CODE as "iso:D/F/S". */
static void camt_code(StmtRow *r, const char *rel, const char *v)
{
    if (strcmp(rel, "BkTxCd/Domn/Cd") == 0)
        g_string_printf(r->f[STMT_F_CODE], "iso:%s", v);
    else if (strcmp(rel, "BkTxCd/Domn/Fmly/Cd") == 0 ||
             strcmp(rel, "BkTxCd/Domn/Fmly/SubFmlyCd") == 0)
        g_string_append_printf(r->f[STMT_F_CODE], "/%s", v);
}

/* Text of an element inside the entry or a transaction. */
static void camt_text_row(Camt *c, StmtRow *r, const char *rel, const char *v, gboolean tx)
{
    if (strcmp(rel, "CdtDbtInd") == 0) {
        r->credit = strcmp(v, "CRDT") == 0;
        c->tx_dir |= tx;
        return;
    }
    if (!tx && strcmp(rel, "RvslInd") == 0) {
        r->reversal = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
        return;
    }
    if (strcmp(rel, "Amt") == 0 || strcmp(rel, "AmtDtls/TxAmt/Amt") == 0) {
        camt_set(r, STMT_F_AMOUNT, v);
        c->tx_amount |= tx;
        return;
    }
    if (strncmp(rel, "BkTxCd/Domn", 11) == 0) {
        camt_code(r, rel, v);
        return;
    }
    if (strcmp(rel, "BkTxCd/Prtry/Cd") == 0) {
        g_string_printf(r->f[STMT_F_CODE2], "prtry:%s", v);
        return;
    }
    StmtField f = camt_party(rel, r->credit);
    for (guint i = 0; f == STMT_F_COUNT && i < G_N_ELEMENTS(camt_common); i++)
        if (strcmp(rel, camt_common[i].path) == 0)
            f = camt_common[i].field;
    if (f != STMT_F_COUNT)
        camt_set(r, f, v);
}

/* Text of a statement-level element: the account and the balances. */
static void camt_text_stmt(Camt *c, StmtRow *row, const char *rel, const char *v)
{
    if (strcmp(rel, "Id") == 0)
        g_string_assign(row->f[STMT_F_STMT_ID], v);
    else if (strcmp(rel, "Acct/Id/IBAN") == 0 || strcmp(rel, "Acct/Id/Othr/Id") == 0)
        g_string_assign(row->f[STMT_F_ACCOUNT], v);
    else if (strcmp(rel, "Bal/Tp/CdOrPrtry/Cd") == 0)
        g_string_assign(c->bal_type, v);
    else if (strcmp(rel, "Bal/Amt") == 0)
        stmt_parse_decimal(v, &c->bal_amount);
    else if (strcmp(rel, "Bal/CdtDbtInd") == 0)
        c->bal_credit = strcmp(v, "CRDT") == 0;
}

/* A Bal element closed: keeps the opening (OPBD, PRCD) or closing (CLBD) balance. */
static void camt_balance_end(Camt *c)
{
    gint64 v = c->bal_credit ? c->bal_amount : -c->bal_amount;
    if (strcmp(c->bal_type->str, "OPBD") == 0 || strcmp(c->bal_type->str, "PRCD") == 0) {
        c->open = v;
        c->have_open = TRUE;
    } else if (strcmp(c->bal_type->str, "CLBD") == 0) {
        c->close = v;
        c->have_close = TRUE;
    }
    g_string_truncate(c->bal_type, 0);
    c->bal_amount = 0;
}

/* A statement closed: warns if opening + credits - debits != closing. */
static void camt_statement_end(Camt *c, const StmtRow *row)
{
    if (c->have_open && c->have_close && c->open + c->credits - c->debits != c->close) {
        char o[32], cr[32], db[32], sum[32], cl[32];
        stmt_warn("%s:%" G_GUINT64_FORMAT ": statement '%s' of account '%s' does not add up: "
                  "opening %s + credits %s - debits %s = %s, but the closing balance is %s "
                  "(entries missing?)",
                  c->x.name, c->stmt_line, row->f[STMT_F_STMT_ID]->str, row->f[STMT_F_ACCOUNT]->str,
                  stmt_format_decimal(c->open, o), stmt_format_decimal(c->credits, cr),
                  stmt_format_decimal(c->debits, db),
                  stmt_format_decimal(c->open + c->credits - c->debits, sum),
                  stmt_format_decimal(c->close, cl));
    }
    c->have_open = c->have_close = FALSE;
    c->open = c->close = c->credits = c->debits = 0;
}

/* Copies the entry's fields into the row for the fields the transaction lacks. */
static void camt_fill_from_entry(Camt *c, StmtRow *row)
{
    for (int i = 0; i < STMT_F_COUNT; i++)
        if (i != STMT_F_ACCOUNT && i != STMT_F_STMT_ID && row->f[i]->len == 0)
            g_string_assign(row->f[i], c->ntry.f[i]->str);
    if (!c->tx_dir)
        row->credit = c->ntry.credit;
    row->reversal = c->ntry.reversal;
}

/* Checks a finished row: why is set when a required element is missing. */
static StmtStatus camt_finish(Camt *c, StmtRow *row, GString *why, const char *where)
{
    gint64 v = 0;
    if (!row->f[STMT_F_ACCOUNT]->len)
        g_string_printf(why, "%s: missing required element Stmt/Acct/Id", where);
    else if (!row->f[STMT_F_AMOUNT]->len || !stmt_parse_decimal(row->f[STMT_F_AMOUNT]->str, &v))
        g_string_printf(why, "%s: missing required element Amt", where);
    else if (!row->f[STMT_F_CURRENCY]->len)
        g_string_printf(why, "%s: missing required attribute Amt/@Ccy", where);
    else if (!row->f[STMT_F_BOOKED]->len)
        g_string_printf(why, "%s: missing required element BookgDt", where);
    if (why->len)
        return STMT_REJECT;
    if (row->credit)
        c->credits += v;
    else
        c->debits += v;
    return STMT_ROW;
}

/* An element opened: pushes its name, notes scope changes and Amt's currency. */
static void camt_start(Camt *c, StmtRow *row, const char *local)
{
    c->path[c->depth++] = g_strdup(local);
    guint64 line = (guint64)camt_line(c);
    if (strcmp(local, c->stmt_elem) == 0 && c->stmt_depth == 0) {
        c->stmt_depth = c->depth;
        c->stmt_line = line;
        g_string_truncate(row->f[STMT_F_ACCOUNT], 0);
        g_string_truncate(row->f[STMT_F_STMT_ID], 0);
    } else if (c->stmt_depth && c->depth == c->stmt_depth + 1 && strcmp(local, "Ntry") == 0) {
        c->ntry_depth = c->depth;
        for (int i = 0; i < STMT_F_COUNT; i++)
            g_string_truncate(c->ntry.f[i], 0);
        c->ntry.credit = c->ntry.reversal = FALSE;
        c->ntry.line = line;
        c->n_tx = 0;
    } else if (c->ntry_depth && c->depth == c->ntry_depth + 2 && strcmp(local, "TxDtls") == 0) {
        c->tx_depth = c->depth;
        c->tx_amount = c->tx_dir = FALSE;
        row->credit = c->ntry.credit; /* chooses the counterparty's side until TxDtls/CdtDbtInd */
        row->line = line;
    }
    if (strcmp(local, "Amt") == 0 && (c->ntry_depth || c->tx_depth)) {
        xmlChar *ccy = xmlTextReaderGetAttribute(c->x.xr, (const xmlChar *)"Ccy");
        StmtRow *r = c->tx_depth ? row : &c->ntry;
        g_string_assign(r->f[STMT_F_CURRENCY], ccy ? (const char *)ccy : "");
        xmlFree(ccy);
    }
}

static void camt_text(Camt *c, StmtRow *row, const char *v)
{
    char rel[512];
    if (c->tx_depth) {
        camt_rel(c, c->tx_depth, rel, sizeof rel);
        camt_text_row(c, row, rel, v, TRUE);
    } else if (c->ntry_depth) {
        camt_rel(c, c->ntry_depth, rel, sizeof rel);
        camt_text_row(c, &c->ntry, rel, v, FALSE);
    } else if (c->stmt_depth) {
        camt_rel(c, c->stmt_depth, rel, sizeof rel);
        camt_text_stmt(c, row, rel, v);
    }
}

/* An element closed; returns STMT_ROW or STMT_REJECT when it ends a row, else STMT_END. */
static StmtStatus camt_end(Camt *c, StmtRow *row, GString *why)
{
    int d = c->depth;
    const char *local = c->path[d - 1];
    StmtStatus st = STMT_END;
    char where[64];
    if (d == c->tx_depth) {
        c->n_tx++;
        gboolean batched_no_amount = !c->tx_amount;
        camt_fill_from_entry(c, row);
        g_snprintf(where, sizeof where, "Ntry/NtryDtls/TxDtls[%u]", c->n_tx);
        if (batched_no_amount && c->n_tx > 1)
            g_string_printf(why, "%s: missing required element Amt in a batched entry", where);
        st = why->len ? STMT_REJECT : camt_finish(c, row, why, where);
        c->tx_depth = 0;
    } else if (d == c->ntry_depth) {
        if (c->n_tx == 0) {
            camt_fill_from_entry(c, row);
            row->line = c->ntry.line;
            st = camt_finish(c, row, why, "Ntry");
        }
        c->ntry_depth = 0;
    } else if (d == c->stmt_depth) {
        camt_statement_end(c, row);
        c->stmt_depth = 0;
    } else if (c->stmt_depth && !c->ntry_depth && strcmp(local, "Bal") == 0) {
        camt_balance_end(c);
    }
    g_free(c->path[--c->depth]);
    return st;
}

/* Sets error from the parse error recorded, or a generic one. */
static StmtStatus camt_fail(Camt *c, GError **error)
{
    stmt_xml_fail(&c->x, error);
    return STMT_ERROR;
}

static StmtStatus camt_next(void *self, StmtRow *row, GString *why, GError **error)
{
    Camt *c = self;
    int r;
    while ((r = xmlTextReaderRead(c->x.xr)) == 1) {
        int type = xmlTextReaderNodeType(c->x.xr);
        const char *local = (const char *)xmlTextReaderConstLocalName(c->x.xr);
        if (type == XML_READER_TYPE_ELEMENT) {
            if (c->depth >= LIMIT_XML_DEPTH) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "%s:%d: elements nested deeper than %d", c->x.name, camt_line(c),
                            LIMIT_XML_DEPTH);
                return STMT_ERROR;
            }
            gboolean empty = xmlTextReaderIsEmptyElement(c->x.xr);
            camt_start(c, row, local);
            if (!empty)
                continue;
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
            camt_text(c, row, (const char *)xmlTextReaderConstValue(c->x.xr));
            continue;
        } else if (type != XML_READER_TYPE_END_ELEMENT) {
            continue;
        }
        StmtStatus st = camt_end(c, row, why);
        if (st != STMT_END)
            return st;
    }
    if (r < 0 || c->x.err->len)
        return camt_fail(c, error);
    return STMT_END;
}

static const StmtReaderOps camt_ops = {camt_next, camt_free};

/* Checks the root element's namespace: camt.05x.001.NN with NN >= 2. */
static gboolean camt_check_version(Camt *c, GError **error)
{
    int r;
    while ((r = xmlTextReaderRead(c->x.xr)) == 1 &&
           xmlTextReaderNodeType(c->x.xr) != XML_READER_TYPE_ELEMENT)
        ;
    if (r != 1) {
        camt_fail(c, error);
        return FALSE;
    }
    const char *ns = (const char *)xmlTextReaderConstNamespaceUri(c->x.xr);
    const char *want = c->format == STMT_CAMT053 ? "urn:iso:std:iso:20022:tech:xsd:camt.053.001."
                                                 : "urn:iso:std:iso:20022:tech:xsd:camt.054.001.";
    int version = ns && g_str_has_prefix(ns, want) ? atoi(ns + strlen(want)) : 0;
    if (version >= 2 && version <= 13)
        return TRUE;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s:%d: unknown message version '%s': expected %s02 to %s13", c->x.name,
                camt_line(c), ns ? ns : "(no namespace)", want, want);
    return FALSE;
}

void *camt_reader_new(gzFile gz, const char *name, StmtFormat f, const StmtReaderOps **ops,
                      GError **error)
{
    Camt *c = g_new0(Camt, 1);
    c->format = f;
    c->stmt_elem = f == STMT_CAMT053 ? "Stmt" : "Ntfctn";
    c->bal_type = g_string_new(NULL);
    for (int i = 0; i < STMT_F_COUNT; i++)
        c->ntry.f[i] = g_string_new(NULL);
    if (!stmt_xml_init(&c->x, gz, name, error) || !camt_check_version(c, error)) {
        camt_free(c);
        return NULL;
    }
    c->path[c->depth++] = g_strdup((const char *)xmlTextReaderConstLocalName(c->x.xr));
    *ops = &camt_ops;
    return c;
}
