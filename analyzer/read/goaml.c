/* goaml.c: goAML XML reports (STR, CTR, SAR...) as transactions.
 *
 * Streams the report with libxml2's xmlTextReader, as camt.c does (no DTD,
 * no entity expansion, no network; memory bounded by one transaction), and
 * fills a StmtRow per <transaction>: the from party (t_from_my_client or
 * t_from) and the to party (t_to_my_client or t_to), each an account or
 * none (a person or entity without an account: cash), transmode_code as
 * the channel through schema/bank-codes.tsv (scheme goaml), amount_local
 * in the report's currency_code_local unless the account names its own,
 * date_transaction as UTC (goAML carries no offset), transactionnumber as
 * the reference. The row is mapped with the to side as the "statement"
 * account and credit set, so stmt.c writes from and to as they are.
 * Mapping: schema/statements.md. */
#include "read/stmt.h"

#include <libxml/xmlreader.h>
#include <string.h>

#include "base/limits.h"

typedef struct {
    StmtXml x;
    char *path[LIMIT_XML_DEPTH];
    int depth;
    int tx_depth; /* depth of the open <transaction>, 0 = none */
    GString *currency, *reference, *mode;
    GString *from_ccy, *to_ccy;
} Goaml;

static void goaml_free(void *self)
{
    Goaml *g = self;
    stmt_xml_clear(&g->x);
    for (int d = 0; d < g->depth; d++)
        g_free(g->path[d]);
    g_string_free(g->currency, TRUE);
    g_string_free(g->reference, TRUE);
    g_string_free(g->mode, TRUE);
    g_string_free(g->from_ccy, TRUE);
    g_string_free(g->to_ccy, TRUE);
    g_free(g);
}

/* The path of the open elements below the transaction, joined by '/'. */
static void goaml_rel(const Goaml *g, char *out, size_t cap)
{
    out[0] = 0;
    for (int d = g->tx_depth; d < g->depth; d++) {
        g_strlcat(out, g->path[d], cap);
        if (d + 1 < g->depth)
            g_strlcat(out, "/", cap);
    }
}

/* The text v of a transaction's element at rel (relative to <transaction>). */
static void goaml_text_tx(Goaml *g, StmtRow *r, const char *rel, const char *v)
{
    static const struct {
        const char *path;
        StmtField field;
    } paths[] = {
        {"transactionnumber", STMT_F_REF},
        {"date_transaction", STMT_F_BOOKED},
        {"value_date", STMT_F_VALUE},
        {"amount_local", STMT_F_AMOUNT},
        {"transaction_description", STMT_F_MEMO},
        {"t_from_my_client/from_account/account", STMT_F_CPTY},
        {"t_from/from_account/account", STMT_F_CPTY},
        {"t_from_my_client/from_account/swift", STMT_F_CPTY_BIC},
        {"t_from/from_account/swift", STMT_F_CPTY_BIC},
        {"t_from_my_client/from_account/account_name", STMT_F_CPTY_NAME},
        {"t_from/from_account/account_name", STMT_F_CPTY_NAME},
        {"t_to_my_client/to_account/account", STMT_F_ACCOUNT},
        {"t_to/to_account/account", STMT_F_ACCOUNT},
    };
    if (strcmp(rel, "transmode_code") == 0) {
        g_string_assign(g->mode, v);
        return;
    }
    if (g_str_has_suffix(rel, "from_account/currency_code")) {
        g_string_assign(g->from_ccy, v);
        return;
    }
    if (g_str_has_suffix(rel, "to_account/currency_code")) {
        g_string_assign(g->to_ccy, v);
        return;
    }
    for (guint i = 0; i < G_N_ELEMENTS(paths); i++)
        if (strcmp(rel, paths[i].path) == 0) {
            g_string_assign(r->f[paths[i].field], v);
            return;
        }
}

/* moneytrail's own export writes the description "CHANNEL: MEMO, currency
 * CCY" (out/export_goaml.c): keeps MEMO alone, so that a round trip gives
 * the memo back. Other descriptions are kept whole. */
static void goaml_own_memo(GString *memo, const char *ccy)
{
    g_autofree char *tail = g_strdup_printf(", currency %s", ccy);
    const char *s = memo->str;
    size_t word = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
    if (!*ccy || word == 0 || !g_str_has_suffix(s, tail) || (s[word] != ':' && s[word] != ','))
        return;
    g_string_truncate(memo, memo->len - strlen(tail));
    g_string_erase(memo, 0, (gssize)MIN(memo->len, word + (s[word] == ':' ? 2 : 0)));
}

/* A transaction closed: the currency, the channel code and the checks. */
static StmtStatus goaml_finish(Goaml *g, StmtRow *r, GString *why)
{
    gint64 v;
    r->credit = TRUE; /* from = the counterparty, to = the "statement" account */
    g_string_assign(r->f[STMT_F_STMT_ID], g->reference->str);
    const char *ccy = g->to_ccy->len     ? g->to_ccy->str
                      : g->from_ccy->len ? g->from_ccy->str
                                         : g->currency->str;
    g_string_assign(r->f[STMT_F_CURRENCY], ccy);
    goaml_own_memo(r->f[STMT_F_MEMO], ccy);
    /* cash has an account on one side only: K/in is a deposit, K/out a withdrawal */
    gboolean in = !r->f[STMT_F_CPTY]->len && r->f[STMT_F_ACCOUNT]->len;
    gboolean out = r->f[STMT_F_CPTY]->len && !r->f[STMT_F_ACCOUNT]->len;
    g_string_printf(r->f[STMT_F_CODE], "goaml:%s%s", g->mode->str, in ? "/in" : out ? "/out" : "");
    g_string_printf(r->f[STMT_F_CODE2], "goaml:%s", g->mode->str);
    if (r->f[STMT_F_BOOKED]->len == 19)
        g_string_append_c(r->f[STMT_F_BOOKED], 'Z');
    if (!r->f[STMT_F_AMOUNT]->len || !stmt_parse_decimal(r->f[STMT_F_AMOUNT]->str, &v))
        g_string_assign(why, "transaction: missing required element amount_local");
    else if (!r->f[STMT_F_BOOKED]->len)
        g_string_assign(why, "transaction: missing required element date_transaction");
    else if (!ccy[0])
        g_string_assign(why, "transaction: no currency (report currency_code_local or account "
                             "currency_code)");
    return why->len ? STMT_REJECT : STMT_ROW;
}

static StmtStatus goaml_fail(Goaml *g, GError **error)
{
    stmt_xml_fail(&g->x, error);
    return STMT_ERROR;
}

static void goaml_start(Goaml *g, StmtRow *r, const char *local)
{
    g->path[g->depth++] = g_strdup(local);
    if (g->depth == 2 && strcmp(local, "transaction") == 0) {
        g->tx_depth = g->depth;
        r->line = (guint64)stmt_xml_line(&g->x);
        g_string_truncate(r->f[STMT_F_ACCOUNT], 0);
        g_string_truncate(g->mode, 0);
        g_string_truncate(g->from_ccy, 0);
        g_string_truncate(g->to_ccy, 0);
    }
}

static void goaml_text(Goaml *g, StmtRow *r, const char *v)
{
    if (g->tx_depth) {
        char rel[512];
        goaml_rel(g, rel, sizeof rel);
        goaml_text_tx(g, r, rel, v);
    } else if (g->depth == 2 && strcmp(g->path[1], "currency_code_local") == 0) {
        g_string_assign(g->currency, v);
    } else if (g->depth == 2 && strcmp(g->path[1], "entity_reference") == 0) {
        g_string_assign(g->reference, v);
    }
}

static StmtStatus goaml_next(void *self, StmtRow *row, GString *why, GError **error)
{
    Goaml *g = self;
    int r;
    while ((r = xmlTextReaderRead(g->x.xr)) == 1) {
        int type = xmlTextReaderNodeType(g->x.xr);
        if (type == XML_READER_TYPE_ELEMENT) {
            if (g->depth >= LIMIT_XML_DEPTH) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "%s:%d: elements nested deeper than %d", g->x.name,
                            xmlTextReaderGetParserLineNumber(g->x.xr), LIMIT_XML_DEPTH);
                return STMT_ERROR;
            }
            gboolean empty = xmlTextReaderIsEmptyElement(g->x.xr);
            goaml_start(g, row, (const char *)xmlTextReaderConstLocalName(g->x.xr));
            if (!empty)
                continue;
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
            goaml_text(g, row, (const char *)xmlTextReaderConstValue(g->x.xr));
            continue;
        } else if (type != XML_READER_TYPE_END_ELEMENT) {
            continue;
        }
        gboolean tx_end = g->depth == g->tx_depth;
        g_free(g->path[--g->depth]);
        if (tx_end) {
            g->tx_depth = 0;
            return goaml_finish(g, row, why);
        }
    }
    if (r < 0 || g->x.err->len)
        return goaml_fail(g, error);
    return STMT_END;
}

static const StmtReaderOps goaml_ops = {goaml_next, goaml_free};

void *goaml_reader_new(gzFile gz, const char *name, const StmtReaderOps **ops, GError **error)
{
    Goaml *g = g_new0(Goaml, 1);
    g->currency = g_string_new(NULL);
    g->reference = g_string_new(NULL);
    g->mode = g_string_new(NULL);
    g->from_ccy = g_string_new(NULL);
    g->to_ccy = g_string_new(NULL);
    int r = 0;
    if (stmt_xml_init(&g->x, gz, name, error))
        while ((r = xmlTextReaderRead(g->x.xr)) == 1 &&
               xmlTextReaderNodeType(g->x.xr) != XML_READER_TYPE_ELEMENT)
            ;
    if (r != 1) {
        if (g->x.xr)
            goaml_fail(g, error);
        goaml_free(g);
        return NULL;
    }
    g->path[g->depth++] = g_strdup((const char *)xmlTextReaderConstLocalName(g->x.xr));
    *ops = &goaml_ops;
    return g;
}
