/* stmt_parties.c: account holders from statement headers and goAML parties,
 * as records of the accounts (KYC) CSV, for read/kyc.c.
 *
 * `--accounts` given a camt.053/.054 statement or a goAML report instead of
 * a CSV reads the holders from it: the statement's account and its owner
 * (Acct/Ownr: name, postal address, phone, e-mail; a private or an
 * organisation id tells person from business), and every goAML account
 * party (from_account, to_account: the account, client_number, the
 * signatory's t_person or the t_entity with names, birth date, residence,
 * phones, addresses, e-mail, occupation). Each account is written once, the
 * first time it appears; so the shared-identifier counts of the KYC table
 * (shared phone, e-mail, address) work on that input. The set of accounts
 * written grows with the accounts, as the KYC table itself does; the XML
 * is streamed. Mapping: schema/statements.md, "Account holders". */
#include "read/stmt.h"

#include <libxml/xmlreader.h>
#include <string.h>

#include "base/limits.h"

enum {
    P_ACCOUNT,
    P_CUSTOMER,
    P_KIND,
    P_NAME,
    P_BIRTH,
    P_COUNTRY,
    P_CITY,
    P_ADDRESS,
    P_PHONE,
    P_EMAIL,
    P_OCCUPATION,
    P_N
};

static const char *const parties_header =
    "account_id,customer_id,kind,name,birth_date,country,city,address,phone,email,occupation";

typedef struct {
    StmtXml x;
    gzFile gz; /* owned: closed with the source */
    gboolean goaml;
    char *path[LIMIT_XML_DEPTH];
    int depth;
    int block; /* depth of the open party element, 0 = none */
    GString *f[P_N], *first, *last, *rec;
    GHashTable *seen; /* account ids written */
    gboolean header_done;
    guint64 line;
} Parties;

static void parties_free(void *self)
{
    Parties *p = self;
    stmt_xml_clear(&p->x);
    for (int d = 0; d < p->depth; d++)
        g_free(p->path[d]);
    for (int i = 0; i < P_N; i++)
        g_string_free(p->f[i], TRUE);
    g_string_free(p->first, TRUE);
    g_string_free(p->last, TRUE);
    g_string_free(p->rec, TRUE);
    g_hash_table_destroy(p->seen);
    gzclose(p->gz);
    g_free(p);
}

/* Sets field i unless it already holds the party's first value. */
static void parties_set(Parties *p, int i, const char *v)
{
    if (!p->f[i]->len)
        g_string_assign(p->f[i], v);
}

/* Does an element opening at depth d start a party? */
static gboolean parties_is_block(const Parties *p, const char *local, int d)
{
    if (p->goaml)
        return strcmp(local, "from_account") == 0 || strcmp(local, "to_account") == 0;
    return strcmp(local, "Acct") == 0 && d >= 2 &&
           (strcmp(p->path[d - 2], "Stmt") == 0 || strcmp(p->path[d - 2], "Ntfctn") == 0);
}

/* The text v of element local (parent: parent) inside a goAML account party. */
static void parties_goaml_text(Parties *p, const char *local, const char *parent, const char *v)
{
    static const struct {
        const char *local, *parent; /* parent NULL: any */
        int field;
    } map[] = {
        {"account", "from_account", P_ACCOUNT},
        {"account", "to_account", P_ACCOUNT},
        {"client_number", NULL, P_CUSTOMER},
        {"account_name", NULL, P_NAME},
        {"name", "t_entity", P_NAME},
        {"birthdate", NULL, P_BIRTH},
        {"residence", NULL, P_COUNTRY},
        {"incorporation_country_code", NULL, P_COUNTRY},
        {"country_code", "address", P_COUNTRY},
        {"city", "address", P_CITY},
        {"address", "address", P_ADDRESS},
        {"tph_number", NULL, P_PHONE},
        {"email", NULL, P_EMAIL},
        {"occupation", NULL, P_OCCUPATION},
    };
    if (strcmp(parent, "t_person") == 0 && strcmp(local, "first_name") == 0)
        g_string_assign(p->first, v);
    else if (strcmp(parent, "t_person") == 0 && strcmp(local, "last_name") == 0)
        g_string_assign(p->last, v);
    char day[11];
    for (guint i = 0; i < G_N_ELEMENTS(map); i++)
        if (strcmp(local, map[i].local) == 0 &&
            (!map[i].parent || strcmp(parent, map[i].parent) == 0))
            parties_set(p, map[i].field, map[i].field == P_BIRTH ? g_strlcpy(day, v, sizeof day),
                        day : v);
}

/* The text v of element local inside a camt statement's Acct. */
static void parties_camt_text(Parties *p, const char *local, const char *parent, const char *v)
{
    if (strcmp(local, "IBAN") == 0 ||
        (strcmp(local, "Id") == 0 && strcmp(parent, "Othr") == 0 && p->depth == p->block + 3))
        parties_set(p, P_ACCOUNT, v);
    else if (strcmp(local, "Nm") == 0 &&
             (strcmp(parent, "Ownr") == 0 || strcmp(parent, "Pty") == 0))
        parties_set(p, P_NAME, v);
    else if (strcmp(local, "TwnNm") == 0)
        parties_set(p, P_CITY, v);
    else if (strcmp(local, "Ctry") == 0 && strcmp(parent, "PstlAdr") == 0)
        parties_set(p, P_COUNTRY, v);
    else if (strcmp(local, "PhneNb") == 0 || strcmp(local, "MobNb") == 0)
        parties_set(p, P_PHONE, v);
    else if (strcmp(local, "EmailAdr") == 0)
        parties_set(p, P_EMAIL, v);
    else if (strcmp(local, "StrtNm") == 0 || strcmp(local, "BldgNb") == 0 ||
             strcmp(local, "PstCd") == 0 || strcmp(local, "AdrLine") == 0) {
        if (p->f[P_ADDRESS]->len)
            g_string_append_c(p->f[P_ADDRESS], ' ');
        g_string_append(p->f[P_ADDRESS], v);
    }
}

static void parties_start(Parties *p, const char *local)
{
    p->path[p->depth++] = g_strdup(local);
    if (!p->block && parties_is_block(p, local, p->depth)) {
        p->block = p->depth;
        for (int i = 0; i < P_N; i++)
            g_string_truncate(p->f[i], 0);
        g_string_truncate(p->first, 0);
        g_string_truncate(p->last, 0);
        p->line = (guint64)stmt_xml_line(&p->x);
    } else if (p->block) {
        /* the kind: goAML t_person or t_entity; camt a private or organisation id */
        if (strcmp(local, "t_person") == 0 || strcmp(local, "PrvtId") == 0)
            parties_set(p, P_KIND, "person");
        else if (strcmp(local, "t_entity") == 0 || strcmp(local, "OrgId") == 0)
            parties_set(p, P_KIND, "business");
    }
}

/* A party closed: its record into p->rec; FALSE when it has no account or
 * was written before. */
static gboolean parties_end_block(Parties *p)
{
    if (!p->f[P_ACCOUNT]->len || g_hash_table_contains(p->seen, p->f[P_ACCOUNT]->str))
        return FALSE;
    g_hash_table_add(p->seen, g_strdup(p->f[P_ACCOUNT]->str));
    if (!p->f[P_NAME]->len && (p->first->len || p->last->len))
        g_string_printf(p->f[P_NAME], "%s%s%s", p->first->str, p->first->len ? " " : "",
                        p->last->str);
    g_string_truncate(p->rec, 0);
    for (int i = 0; i < P_N; i++)
        stmt_csv_field(p->rec, p->f[i]->str, p->f[i]->len, i == P_N - 1);
    return TRUE;
}

static SourceStatus parties_next(void *self, SourceRecord *rec, GError **error)
{
    Parties *p = self;
    *rec = (SourceRecord){.lines = 1};
    if (!p->header_done) {
        p->header_done = TRUE;
        g_string_assign(p->rec, parties_header);
        *rec = (SourceRecord){.data = p->rec->str, .len = p->rec->len, .line = 1, .lines = 1};
        return SOURCE_RECORD;
    }
    int r;
    while ((r = xmlTextReaderRead(p->x.xr)) == 1) {
        int type = xmlTextReaderNodeType(p->x.xr);
        if (type == XML_READER_TYPE_ELEMENT) {
            if (p->depth >= LIMIT_XML_DEPTH) {
                g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                            "%s:%d: elements nested deeper than %d", p->x.name,
                            xmlTextReaderGetParserLineNumber(p->x.xr), LIMIT_XML_DEPTH);
                return SOURCE_ERROR;
            }
            gboolean empty = xmlTextReaderIsEmptyElement(p->x.xr);
            parties_start(p, (const char *)xmlTextReaderConstLocalName(p->x.xr));
            if (!empty)
                continue;
        } else if (type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA) {
            if (p->block && p->depth >= 2) {
                const char *v = (const char *)xmlTextReaderConstValue(p->x.xr);
                const char *local = p->path[p->depth - 1], *parent = p->path[p->depth - 2];
                (p->goaml ? parties_goaml_text : parties_camt_text)(p, local, parent, v);
            }
            continue;
        } else if (type != XML_READER_TYPE_END_ELEMENT) {
            continue;
        }
        gboolean end = p->depth == p->block;
        g_free(p->path[--p->depth]);
        if (end) {
            p->block = 0;
            if (parties_end_block(p)) {
                *rec = (SourceRecord){
                    .data = p->rec->str, .len = p->rec->len, .line = p->line, .lines = 1};
                return SOURCE_RECORD;
            }
        }
    }
    if (r < 0 || p->x.err->len) {
        stmt_xml_fail(&p->x, error);
        return SOURCE_ERROR;
    }
    return SOURCE_END;
}

static guint64 parties_bytes(const void *self)
{
    return (guint64)gzoffset(((const Parties *)self)->gz);
}

static const char *parties_reason(const void *self)
{
    return "";
}

static const SourceRecordsOps parties_ops = {parties_next, parties_bytes, parties_reason,
                                             parties_free};

gboolean stmt_parties_open(const char *path, Source **out, GError **error)
{
    *out = NULL;
    gzFile gz;
    StmtFormat f;
    if (strcmp(path, "-") == 0 || !stmt_peek(path, &gz, &f, error))
        return strcmp(path, "-") == 0;
    if (f == STMT_NONE || f == STMT_XML_OTHER) {
        gzclose(gz);
        return TRUE; /* CSV; other XML fails as CSV does, with its line */
    }
    if (f == STMT_MT940) {
        gzclose(gz);
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: an MT940 statement names no account holder: give the accounts as CSV "
                    "(schema/transactions.md) or as camt.053 or goAML",
                    path);
        return FALSE;
    }
    Parties *p = g_new0(Parties, 1);
    p->gz = gz;
    p->goaml = f == STMT_GOAML;
    for (int i = 0; i < P_N; i++)
        p->f[i] = g_string_new(NULL);
    p->first = g_string_new(NULL);
    p->last = g_string_new(NULL);
    p->rec = g_string_new(NULL);
    p->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!stmt_xml_init(&p->x, gz, path, error)) {
        parties_free(p);
        return FALSE;
    }
    *out = source_from_records(path, &parties_ops, p);
    return TRUE;
}
