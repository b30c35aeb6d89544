/* gen_out.c: mtgen's writers: the canonical transactions CSV (plain or
 * gzip), the instance-to-transaction label file, and the same rows in the
 * IBM AMLworld and AMLSim layouts.
 *
 * Rows arrive one day at a time, already in time order. Each file is a
 * GenSink (gen_sink.c): plain, or gzip deflated by worker threads while this
 * thread formats the next rows. Transaction ids are given
 * here, in output order (T0000000001, ...), so they are dense and sorted. */
#include "gen_sink.h"

#include <string.h>

struct GenOut {
    const GenOptions *opt;
    const GenPop *pop;
    GenSink *tx, *labels, *aw, *as;
    GenStmt *st; /* camt.053 and MT940 (gen_stmt.c) */
    guint64 n;
    gint64 day_key_local, day_key_utc;
    char date_local[16], date_utc[16];
};

GenOut *gen_out_open(const GenOptions *opt, const GenPop *pop, GError **error)
{
    GenOut *o = g_new0(GenOut, 1);
    o->opt = opt;
    o->pop = pop;
    o->day_key_local = o->day_key_utc = G_MININT64;
    const char *d = opt->out_dir;
    gboolean ok = TRUE;
    if (opt->canonical) {
        ok = (o->tx = gen_sink_open(d, "transactions.csv", opt->gzip, opt->gzip_level, error)) &&
             (o->labels = gen_sink_open(d, "instance_tx.csv", FALSE, 0, error)) != NULL;
        if (ok) {
            gen_buf_str(&o->tx->buf, "tx_id,ts,from_account,to_account,amount,currency,channel,"
                                     "mcc,counterparty_country,location,memo\n");
            gen_buf_str(&o->labels->buf, "instance_id,tx_id\n");
        }
    }
    if (ok && opt->amlworld) {
        ok = (o->aw = gen_sink_open(d, "amlworld_trans.csv", opt->gzip, opt->gzip_level, error)) !=
             NULL;
        if (ok)
            gen_buf_str(&o->aw->buf, "Timestamp,From Bank,Account,To Bank,Account,Amount "
                                     "Received,Receiving Currency,Amount Paid,Payment "
                                     "Currency,Payment Format,Is Laundering\n");
    }
    if (ok && opt->amlsim) {
        ok = (o->as = gen_sink_open(d, "amlsim_transactions.csv", opt->gzip, opt->gzip_level,
                                    error)) != NULL;
        if (ok)
            gen_buf_str(&o->as->buf, "tran_id,orig_acct,bene_acct,tx_type,base_amt,"
                                     "tran_timestamp,is_sar,alert_id\n");
    }
    if (ok && (opt->camt053 || opt->mt940))
        ok = (o->st = gen_stmt_open(opt, pop, error)) != NULL;
    if (!ok) {
        gen_out_close(o, NULL);
        return NULL;
    }
    return o;
}

static void fmt_date(char *dst, gint64 days, char sep, char end)
{
    int y, m, d;
    gen_civil_from_days(days, &y, &m, &d);
    g_snprintf(dst, 16, "%04d%c%02d%c%02d%c", y, sep, m, sep, d, end);
}

static void put_hms(GenBuf *b, int secs, gboolean with_secs)
{
    gen_buf_uint(b, (guint64)(secs / 3600), 2);
    gen_buf_char(b, ':');
    gen_buf_uint(b, (guint64)(secs / 60 % 60), 2);
    if (with_secs) {
        gen_buf_char(b, ':');
        gen_buf_uint(b, (guint64)(secs % 60), 2);
    }
}

void gen_out_memo(const GenPop *pop, const GenRow *w, GenBuf *b)
{
    switch (w->memo_kind) {
    case MK_TEXT:
        gen_buf_csv(b, gen_memos[w->memo_arg]);
        break;
    case MK_MERCHANT:
        gen_pop_business_name((int)(w->memo_arg >> 16), w->memo_arg & 0xFFFF, b);
        break;
    case MK_SALARY:
        gen_buf_str(b, "SALARY ");
        gen_buf_uint(b, w->memo_arg / 100, 4);
        gen_buf_char(b, '-');
        gen_buf_uint(b, w->memo_arg % 100, 2);
        gen_buf_char(b, ' ');
        gen_pop_name(pop, GEN_REF_IDX(w->from), b);
        break;
    case MK_SALARY_FOR:
        gen_buf_str(b, "SALARY ");
        gen_pop_name(pop, w->memo_arg, b);
        break;
    case MK_RENT:
        gen_buf_str(b, "RENT ");
        gen_buf_uint(b, w->memo_arg / 100, 4);
        gen_buf_char(b, '-');
        gen_buf_uint(b, w->memo_arg % 100, 2);
        break;
    case MK_INVOICE:
        gen_buf_str(b, "INVOICE ");
        gen_buf_uint(b, w->memo_arg, 1);
        break;
    default:
        break;
    }
}

static const char *location(int city)
{
    return city >= GEN_CITY_FOREIGN ? gen_countries[city - GEN_CITY_FOREIGN].capital
                                    : gen_cities[city].name;
}

static void canonical_row(GenOut *o, const GenRow *w, guint64 id)
{
    GenBuf *b = &o->tx->buf;
    gint64 lday = (w->t + GEN_TZ_OFFSET) / GEN_DAY;
    if (lday != o->day_key_local) {
        o->day_key_local = lday;
        fmt_date(o->date_local, lday, '-', 'T');
    }
    gen_buf_reserve(b, 512);
    gen_buf_char(b, 'T');
    gen_buf_uint(b, id, 10);
    gen_buf_char(b, ',');
    gen_buf_mem(b, o->date_local, 11);
    put_hms(b, gen_local_secs(w->t), TRUE);
    gen_buf_str(b, GEN_TZ_STR ",");
    gen_pop_id(o->pop, w->from, b);
    gen_buf_char(b, ',');
    gen_pop_id(o->pop, w->to, b);
    gen_buf_char(b, ',');
    gen_fx_amount(o->opt, id, w->t, w->cents, b);
    gen_buf_char(b, ',');
    gen_buf_str(b, gen_channel_names[w->channel]);
    gen_buf_char(b, ',');
    if (w->mcc)
        gen_buf_uint(b, w->mcc, 4);
    gen_buf_char(b, ',');
    if (w->cc)
        gen_buf_str(b, gen_countries[w->cc - 1].code);
    gen_buf_char(b, ',');
    gen_buf_str(b, location(w->city));
    gen_buf_char(b, ',');
    gen_out_memo(o->pop, w, b);
    gen_buf_char(b, '\n');
}

static void label_rows(GenOut *o, const GenRow *w, guint64 id)
{
    guint32 ids[2] = {w->inst, w->inst2};
    for (int k = 0; k < 2; k++) {
        if (!ids[k])
            continue;
        gen_buf_uint(&o->labels->buf, ids[k], 1);
        gen_buf_str(&o->labels->buf, ",T");
        gen_buf_uint(&o->labels->buf, id, 10);
        gen_buf_char(&o->labels->buf, '\n');
    }
}

static void aw_account(GenRef ref, GenRef other, GenBuf *b)
{
    static const char hex[] = "0123456789ABCDEF";
    if (!ref)
        ref = other; /* cash: AMLworld books it as a self-transaction */
    char tmp[10];
    guint64 v = GEN_REF_IS_X(ref)
                    ? 0x900000000ull | ((guint64)GEN_REF_X_CC(ref) << 24) | GEN_REF_X_NUM(ref)
                    : 0x800000000ull | GEN_REF_IDX(ref);
    for (int k = 8; k >= 0; k--, v >>= 4)
        tmp[k] = hex[v & 15];
    gen_buf_str(b, GEN_REF_IS_X(ref) ? "1" : "001");
    if (GEN_REF_IS_X(ref))
        gen_buf_uint(b, GEN_REF_X_CC(ref), 2);
    gen_buf_char(b, ',');
    gen_buf_mem(b, tmp, 9);
}

void gen_out_amlworld_row(const GenPop *pop, const GenRow *w, GenBuf *b)
{
    static const char *const fmt[CH_N] = {"Cash",        "Cash",    "Cash",   "Cash",        "Wire",
                                          "Wire",        "Wire",    "ACH",    "Credit Card", "Wire",
                                          "Credit Card", "Bitcoin", "Cheque", "Wire"};
    /* one formatted date per UTC day; mtgen is single-threaded here */
    static gint64 key = G_MININT64;
    static char date[16];
    if (w->t / GEN_DAY != key) {
        key = w->t / GEN_DAY;
        fmt_date(date, key, '/', ' ');
    }
    gen_buf_mem(b, date, 11);
    put_hms(b, (int)(w->t % GEN_DAY), FALSE);
    gen_buf_char(b, ',');
    aw_account(w->from, w->to, b);
    gen_buf_char(b, ',');
    aw_account(w->to, w->from, b);
    for (int k = 0; k < 2; k++) {
        gen_buf_char(b, ',');
        gen_buf_cents(b, w->cents);
        gen_buf_str(b, ",Euro");
    }
    gen_buf_char(b, ',');
    gen_buf_str(b, fmt[w->channel]);
    gen_buf_str(b, w->inst ? ",1" : ",0");
}

void gen_out_amlsim_account(GenRef ref, GenBuf *b)
{
    if (GEN_REF_IS_X(ref))
        gen_buf_uint(b, 1000000000ull + GEN_REF_X_CC(ref) * 10000000ull + GEN_REF_X_NUM(ref), 1);
    else
        gen_buf_uint(b, GEN_REF_IDX(ref), 1);
}

/* AMLSim's tx_type vocabulary: CASH-IN and CASH-OUT for cash, CREDIT for
 * card payments, WIRE for payments abroad (international wires and
 * remittances), CHECK for cheques, TRANSFER for the rest. */
static const char *amlsim_type(const GenRow *w)
{
    if (!w->from)
        return ",CASH-IN,";
    if (!w->to)
        return ",CASH-OUT,";
    switch (w->channel) {
    case CH_CARD:
    case CH_PREPAID_LOAD:
        return ",CREDIT,";
    case CH_WIRE_INTERNATIONAL:
    case CH_REMITTANCE:
        return ",WIRE,";
    case CH_CHEQUE:
        return ",CHECK,";
    default:
        return ",TRANSFER,";
    }
}

static void amlsim_row(GenOut *o, const GenRow *w, guint64 id)
{
    GenBuf *b = &o->as->buf;
    gint64 uday = w->t / GEN_DAY;
    if (uday != o->day_key_utc) {
        o->day_key_utc = uday;
        fmt_date(o->date_utc, uday, '-', 'T');
    }
    gen_buf_uint(b, id, 1);
    gen_buf_char(b, ',');
    /* cash: AMLSim books CASH-IN and CASH-OUT with the account on both sides */
    gen_out_amlsim_account(w->from ? w->from : w->to, b);
    gen_buf_char(b, ',');
    gen_out_amlsim_account(w->to ? w->to : w->from, b);
    gen_buf_str(b, amlsim_type(w));
    gen_buf_cents(b, w->cents);
    gen_buf_char(b, ',');
    gen_buf_mem(b, o->date_utc, 11);
    put_hms(b, (int)(w->t % GEN_DAY), TRUE);
    gen_buf_str(b, w->inst ? "Z,True," : "Z,False,-1\n");
    if (w->inst) {
        gen_buf_uint(b, w->inst, 1);
        gen_buf_char(b, '\n');
    }
}

gboolean gen_out_rows(GenOut *o, const GenRow *rows, guint n, GError **error)
{
    for (guint k = 0; k < n; k++) {
        const GenRow *w = &rows[k];
        guint64 id = ++o->n;
        if (o->tx) {
            canonical_row(o, w, id);
            if (w->inst)
                label_rows(o, w, id);
            if (!gen_sink_maybe_flush(o->tx) || !gen_sink_maybe_flush(o->labels))
                goto fail;
        }
        if (o->aw) {
            gen_out_amlworld_row(o->pop, w, &o->aw->buf);
            gen_buf_char(&o->aw->buf, '\n');
            if (!gen_sink_maybe_flush(o->aw))
                goto fail;
        }
        if (o->as) {
            amlsim_row(o, w, id);
            if (!gen_sink_maybe_flush(o->as))
                goto fail;
        }
        if (o->st && !gen_stmt_row(o->st, w, id))
            goto fail;
    }
    return TRUE;
fail:
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write the output files in '%s'",
                o->opt->out_dir);
    return FALSE;
}

gboolean gen_out_close(GenOut *o, GError **error)
{
    gboolean ok = gen_sink_close(o->tx, error);
    ok = gen_sink_close(o->labels, error) && ok;
    ok = gen_sink_close(o->aw, error) && ok;
    ok = gen_sink_close(o->as, error) && ok;
    ok = gen_stmt_close(o->st, error) && ok;
    g_free(o);
    return ok;
}

guint64 gen_out_count(const GenOut *o)
{
    return o->n;
}

guint64 gen_out_bytes(const GenOut *o)
{
    return o->tx ? o->tx->bytes + o->tx->buf.len : 0;
}
