/* gen_stmt.c: mtgen's bank statements: the rows of the bank's own accounts
 * as ISO 20022 camt.053 (statements.camt053.xml) and SWIFT MT940 with the
 * German structured :86: (statements.mt940), plain or gzip.
 *
 * A row is booked in the statement of each side that is one of the bank's
 * accounts: a debit for the payer, a credit for the payee; a payment
 * between two of its accounts appears twice, with the same end-to-end id
 * (the row's transaction id), as it would in two customers' statements.
 * Rows arrive in time order and a statement is cut whenever the account
 * changes, so that a reader streams the entries in the same order; a
 * statement is therefore short (one entry, mostly), which real banks'
 * daily statements are not, but every element a reader maps is there.
 *
 * What the formats carry: time (camt.053 only: MT940 has dates), account
 * ids on both sides, amount, currency, direction, the channel through the
 * bank transaction codes of schema/bank-codes.tsv (MT940 coarser: see
 * mt_gvc), the counterparty's country as its bank's BIC, the memo, the
 * transaction id as end-to-end id. What they do not: MCC and location. */
#include "gen_sink.h"

#include <string.h>

/* The bank transaction code of each channel: ISO domain/family/subfamily
 * for a credit and a debit (NULL: a proprietary code, prtry), the MT940
 * German business code for a credit and a debit, and the MT940 type. */
static const struct {
    const char *iso_cr, *iso_db, *prtry;
    const char *gvc_cr, *gvc_db, *swift;
} stmt_codes[CH_N] = {
    [CH_CASH_DEPOSIT] = {"CNTR/CDPT", "CNTR/CDPT", NULL, "082", "082", "NMSC"},
    [CH_CASH_WITHDRAWAL] = {"CNTR/CWDL", "CNTR/CWDL", NULL, "083", "083", "NMSC"},
    [CH_ATM_DEPOSIT] = {"CCRD/CDPT", "CCRD/CDPT", NULL, "082", "082", "NMSC"},
    [CH_ATM_WITHDRAWAL] = {"CCRD/CWDL", "CCRD/CWDL", NULL, "083", "083", "NMSC"},
    [CH_WIRE_DOMESTIC] = {"RCDT/DMCT", "ICDT/DMCT", NULL, "166", "116", "NTRF"},
    [CH_WIRE_INTERNATIONAL] = {"RCDT/XBCT", "ICDT/XBCT", NULL, "166", "116", "NTRF"},
    [CH_TRANSFER] = {"RCDT/ESCT", "ICDT/ESCT", NULL, "166", "116", "NTRF"},
    [CH_ACH_PAYROLL] = {"RCDT/SALA", "ICDT/SALA", NULL, "153", "153", "NSAL"},
    [CH_CARD] = {"MCRD/POSP", "CCRD/POSD", NULL, "106", "106", "NMSC"},
    [CH_REMITTANCE] = {NULL, NULL, "REMITTANCE", "166", "116", "NTRF"},
    [CH_PREPAID_LOAD] = {NULL, NULL, "PREPAID-LOAD", "835", "835", "NMSC"},
    [CH_CRYPTO] = {NULL, NULL, "CRYPTO", "835", "835", "NMSC"},
    [CH_CHEQUE] = {"RCHQ/CCHQ", "ICHQ/CCHQ", NULL, "", "", "NCHK"},
    [CH_OTHER] = {"MCOP/OTHR", "MDOP/OTHR", NULL, "835", "835", "NMSC"},
};

/* One format's file and its open statement. */
typedef struct {
    GenSink *sink;
    GenRef acct;  /* account of the open statement, 0 = none */
    guint64 n;    /* statements written */
    gint64 net;   /* MT940: the open statement's credits - debits, in cents */
    char date[8]; /* MT940: YYMMDD of the open statement's last entry */
} StmtFile;

struct GenStmt {
    const GenPop *pop;
    StmtFile camt, mt;
    GenBuf memo, id, purpose;
};

/* Appends s as XML character data. */
static void xml_text(GenBuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&':
            gen_buf_str(b, "&amp;");
            break;
        case '<':
            gen_buf_str(b, "&lt;");
            break;
        case '>':
            gen_buf_str(b, "&gt;");
            break;
        default:
            gen_buf_char(b, s[i]);
        }
    }
}

/* The row's memo as plain text in s->memo (the CSV quoting undone). */
static void plain_memo(GenStmt *s, const GenRow *w)
{
    GenBuf tmp = {0};
    gen_buf_init(&tmp, 64);
    gen_out_memo(s->pop, w, &tmp);
    s->memo.len = 0;
    if (tmp.len >= 2 && tmp.p[0] == '"') {
        for (size_t i = 1; i + 1 < tmp.len; i++) {
            gen_buf_char(&s->memo, tmp.p[i]);
            i += tmp.p[i] == '"';
        }
    } else {
        gen_buf_mem(&s->memo, tmp.p, tmp.len);
    }
    gen_buf_char(&s->memo, 0);
    s->memo.len--;
    gen_buf_clear(&tmp);
}

/* An account id as text in s->id. */
static const char *id_text(GenStmt *s, GenRef ref)
{
    s->id.len = 0;
    gen_pop_id(s->pop, ref, &s->id);
    gen_buf_char(&s->id, 0);
    return s->id.p;
}

GenStmt *gen_stmt_open(const GenOptions *opt, const GenPop *pop, GError **error)
{
    GenStmt *s = g_new0(GenStmt, 1);
    s->pop = pop;
    gen_buf_init(&s->memo, 256);
    gen_buf_init(&s->id, 32);
    gen_buf_init(&s->purpose, 320);
    const char *d = opt->out_dir;
    gboolean ok = TRUE;
    if (opt->camt053) {
        ok = (s->camt.sink = gen_sink_open(d, "statements.camt053.xml", opt->gzip, opt->gzip_level,
                                           error)) != NULL;
        if (ok)
            gen_buf_str(&s->camt.sink->buf,
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n"
                        "<BkToCstmrStmt>\n<GrpHdr><MsgId>MTGEN</MsgId>"
                        "<CreDtTm>2000-01-01T00:00:00</CreDtTm></GrpHdr>\n");
    }
    if (ok && opt->mt940)
        ok = (s->mt.sink =
                  gen_sink_open(d, "statements.mt940", opt->gzip, opt->gzip_level, error)) != NULL;
    if (!ok) {
        gen_stmt_close(s, NULL);
        return NULL;
    }
    return s;
}

/* ---- camt.053 ---- */

static void camt_end(StmtFile *f)
{
    if (f->acct)
        gen_buf_str(&f->sink->buf, "</Stmt>\n");
    f->acct = 0;
}

static void camt_code(GenBuf *b, const GenRow *w, gboolean credit)
{
    const char *iso = credit ? stmt_codes[w->channel].iso_cr : stmt_codes[w->channel].iso_db;
    gen_buf_str(b, "<BkTxCd>");
    if (iso) {
        gen_buf_str(b, "<Domn><Cd>PMNT</Cd><Fmly><Cd>");
        gen_buf_mem(b, iso, 4);
        gen_buf_str(b, "</Cd><SubFmlyCd>");
        gen_buf_str(b, iso + 5);
        gen_buf_str(b, "</SubFmlyCd></Fmly></Domn>");
    } else {
        gen_buf_str(b, "<Prtry><Cd>");
        gen_buf_str(b, stmt_codes[w->channel].prtry);
        gen_buf_str(b, "</Cd><Issr>MTGEN</Issr></Prtry>");
    }
    gen_buf_str(b, "</BkTxCd>");
}

/* One entry of account acct (credit: money in) for row w. */
static void camt_entry(GenStmt *s, const GenRow *w, guint64 id, GenRef acct, gboolean credit)
{
    StmtFile *f = &s->camt;
    GenBuf *b = &f->sink->buf;
    if (f->acct != acct) {
        camt_end(f);
        f->acct = acct;
        gen_buf_str(b, "<Stmt><Id>S");
        gen_buf_uint(b, ++f->n, 1);
        gen_buf_str(b, "</Id><Acct><Id><Othr><Id>");
        gen_buf_str(b, id_text(s, acct));
        gen_buf_str(b, "</Id></Othr></Id><Ccy>EUR</Ccy></Acct>\n");
    }
    gen_buf_str(b, "<Ntry><Amt Ccy=\"EUR\">");
    gen_buf_cents(b, w->cents);
    gen_buf_str(b, credit ? "</Amt><CdtDbtInd>CRDT" : "</Amt><CdtDbtInd>DBIT");
    gen_buf_str(b, "</CdtDbtInd><Sts>BOOK</Sts><BookgDt><DtTm>");
    int y, m, d, secs = gen_local_secs(w->t);
    gen_civil_from_days((w->t + GEN_TZ_OFFSET) / GEN_DAY, &y, &m, &d);
    char ts[64];
    g_snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d" GEN_TZ_STR, y, m, d, secs / 3600,
               secs / 60 % 60, secs % 60);
    gen_buf_str(b, ts);
    gen_buf_str(b, "</DtTm></BookgDt>");
    camt_code(b, w, credit);
    gen_buf_str(b, "<NtryDtls><TxDtls><Refs><EndToEndId>T");
    gen_buf_uint(b, id, 10);
    gen_buf_str(b, "</EndToEndId></Refs>");
    GenRef cpty = credit ? w->from : w->to;
    const char *who = credit ? "Dbtr" : "Cdtr";
    if (cpty) {
        g_snprintf(ts, sizeof ts, "<RltdPties><%sAcct><Id><Othr><Id>", who);
        gen_buf_str(b, ts);
        gen_buf_str(b, id_text(s, cpty));
        g_snprintf(ts, sizeof ts, "</Id></Othr></Id></%sAcct></RltdPties>", who);
        gen_buf_str(b, ts);
    }
    if (w->cc) {
        g_snprintf(ts, sizeof ts, "<RltdAgts><%sAgt><FinInstnId><BIC>MTGN", who);
        gen_buf_str(b, ts);
        gen_buf_str(b, gen_countries[w->cc - 1].code);
        g_snprintf(ts, sizeof ts, "XX</BIC></FinInstnId></%sAgt></RltdAgts>", who);
        gen_buf_str(b, ts);
    }
    plain_memo(s, w);
    if (s->memo.len) {
        gen_buf_str(b, "<RmtInf><Ustrd>");
        xml_text(b, s->memo.p, s->memo.len);
        gen_buf_str(b, "</Ustrd></RmtInf>");
    }
    gen_buf_str(b, "</TxDtls></NtryDtls></Ntry>\n");
}

/* ---- MT940 ---- */

/* Appends cents as an MT940 amount: "9500,00". */
static void mt_amount(GenBuf *b, gint64 cents)
{
    gen_buf_uint(b, (guint64)cents / 100, 1);
    gen_buf_char(b, ',');
    gen_buf_uint(b, (guint64)cents % 100, 2);
}

/* Closes the open message: the closing balance (opening 0 + the entries). */
static void mt_end(StmtFile *f)
{
    if (!f->acct)
        return;
    GenBuf *b = &f->sink->buf;
    gen_buf_str(b, f->net < 0 ? ":62F:D" : ":62F:C");
    gen_buf_str(b, f->date);
    gen_buf_str(b, "EUR");
    mt_amount(b, f->net < 0 ? -f->net : f->net);
    gen_buf_str(b, "\n-}\n");
    f->acct = 0;
}

/* Appends text as ?NN subfields of at most 27 characters from field
 * number *k to last, each on a line of its own (what does not fit is cut);
 * SWIFT's '?' is the separator, so a memo's '?' becomes '.'. */
static void mt_subfields(GenBuf *b, const char *text, size_t n, int *k, int last)
{
    for (size_t i = 0; i < n && *k <= last; (*k)++) {
        gen_buf_str(b, "\n?");
        gen_buf_uint(b, (guint64)*k, 2);
        for (size_t j = 0; j < 27 && i < n; j++, i++)
            gen_buf_char(b, text[i] == '?' || text[i] == '\n' ? '.' : text[i]);
    }
}

static void mt_entry(GenStmt *s, const GenRow *w, guint64 id, GenRef acct, gboolean credit)
{
    StmtFile *f = &s->mt;
    GenBuf *b = &f->sink->buf;
    int y, m, d;
    gen_civil_from_days((w->t + GEN_TZ_OFFSET) / GEN_DAY, &y, &m, &d);
    if (f->acct != acct) {
        mt_end(f);
        f->acct = acct;
        f->net = 0;
        f->n++;
        gen_buf_str(b, "{1:F01MTGNDEFFXXXX0000000000}{2:O940}{4:\n:20:S");
        gen_buf_uint(b, f->n, 1);
        gen_buf_str(b, "\n:25:");
        gen_buf_str(b, id_text(s, acct));
        gen_buf_str(b, "\n:28C:");
        gen_buf_uint(b, f->n % 100000, 1);
        g_snprintf(f->date, sizeof f->date, "%02d%02d%02d", y % 100, m, d);
        gen_buf_str(b, "/1\n:60F:C");
        gen_buf_str(b, f->date);
        gen_buf_str(b, "EUR0,00\n");
    }
    g_snprintf(f->date, sizeof f->date, "%02d%02d%02d", y % 100, m, d);
    f->net += credit ? w->cents : -w->cents;
    gen_buf_str(b, ":61:");
    gen_buf_str(b, f->date);
    gen_buf_str(b, f->date + 2);
    gen_buf_char(b, credit ? 'C' : 'D');
    mt_amount(b, w->cents);
    gen_buf_char(b, 'N');
    gen_buf_str(b, stmt_codes[w->channel].swift + 1);
    gen_buf_str(b, "T");
    gen_buf_uint(b, id, 10);
    gen_buf_str(b, "\n:86:");
    const char *gvc = credit ? stmt_codes[w->channel].gvc_cr : stmt_codes[w->channel].gvc_db;
    gen_buf_str(b, *gvc ? gvc : "999");
    gen_buf_str(b, "?00");
    gen_buf_str(b, gen_channel_names[w->channel]);
    /* the purpose: EREF+ and SVWZ+ run on through ?20-?29 as banks write them */
    GenBuf *p = &s->purpose;
    p->len = 0;
    gen_buf_str(p, "EREF+T");
    gen_buf_uint(p, id, 10);
    plain_memo(s, w);
    if (s->memo.len) {
        gen_buf_str(p, "SVWZ+");
        gen_buf_mem(p, s->memo.p, s->memo.len);
    }
    int k = 20;
    mt_subfields(b, p->p, p->len, &k, 29);
    if (w->cc) {
        gen_buf_str(b, "\n?30MTGN");
        gen_buf_str(b, gen_countries[w->cc - 1].code);
        gen_buf_str(b, "XX");
    }
    GenRef cpty = credit ? w->from : w->to;
    if (cpty) {
        gen_buf_str(b, "\n?31");
        gen_buf_str(b, id_text(s, cpty));
    }
    gen_buf_char(b, '\n');
}

/* ---- both ---- */

static gboolean own(GenRef r)
{
    return r && !GEN_REF_IS_X(r);
}

gboolean gen_stmt_row(GenStmt *s, const GenRow *w, guint64 id)
{
    StmtFile *files[2] = {&s->camt, &s->mt};
    for (int k = 0; k < 2; k++) {
        StmtFile *f = files[k];
        if (!f->sink)
            continue;
        for (int side = 0; side < 2; side++) {
            GenRef acct = side ? w->to : w->from;
            if (!own(acct))
                continue;
            (k ? mt_entry : camt_entry)(s, w, id, acct, side == 1);
        }
        if (!gen_sink_maybe_flush(f->sink))
            return FALSE;
    }
    return TRUE;
}

gboolean gen_stmt_close(GenStmt *s, GError **error)
{
    if (!s)
        return TRUE;
    if (s->camt.sink) {
        camt_end(&s->camt);
        gen_buf_str(&s->camt.sink->buf, "</BkToCstmrStmt>\n</Document>\n");
    }
    if (s->mt.sink)
        mt_end(&s->mt);
    gboolean ok = gen_sink_close(s->camt.sink, error);
    ok = gen_sink_close(s->mt.sink, error) && ok;
    gen_buf_clear(&s->memo);
    gen_buf_clear(&s->id);
    gen_buf_clear(&s->purpose);
    g_free(s);
    return ok;
}
