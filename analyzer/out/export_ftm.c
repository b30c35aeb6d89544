/* export_ftm.c: FollowTheMoney entities (Person, Company, BankAccount,
 * Ownership, Payment) as one JSON object a line. */
#include "out/export_ftm.h"

#include <string.h>

#include "base/jval.h"
#include "base/money.h"
#include "base/tstamp.h"

struct ExportFtm {
    CaseStore *s;
    GString *out;
    GHashTable *written; /* entity ids */
};

ExportFtm *export_ftm_new(CaseStore *s, GString *out)
{
    ExportFtm *x = g_new0(ExportFtm, 1);
    x->s = s;
    x->out = out;
    x->written = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return x;
}

void export_ftm_free(ExportFtm *x)
{
    if (!x)
        return;
    g_hash_table_unref(x->written);
    g_free(x);
}

guint export_ftm_count(const ExportFtm *x)
{
    return g_hash_table_size(x->written);
}

/* "mt-KIND-" and 16 hex digits of the SHA-256 of what. */
static char *ftm_id(const char *kind, const char *what)
{
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, what, -1);
    return g_strdup_printf("mt-%s-%.16s", kind, sum);
}

/* Starts an entity line; returns FALSE if id was written before. */
static gboolean begin(ExportFtm *x, const char *id, const char *schema)
{
    if (!g_hash_table_add(x->written, g_strdup(id)))
        return FALSE;
    g_string_append(x->out, "{\"id\":");
    jval_write_string(x->out, id);
    g_string_append(x->out, ",\"schema\":");
    jval_write_string(x->out, schema);
    g_string_append(x->out, ",\"properties\":{");
    return TRUE;
}

/* Adds "name":["value"] unless value is empty. */
static void prop(ExportFtm *x, const char *name, const char *value)
{
    if (!value || !*value)
        return;
    if (x->out->str[x->out->len - 1] != '{')
        g_string_append_c(x->out, ',');
    jval_write_string(x->out, name);
    g_string_append(x->out, ":[");
    jval_write_string(x->out, value);
    g_string_append_c(x->out, ']');
}

static void end(ExportFtm *x)
{
    g_string_append(x->out, "}}\n");
}

static char *holder_id(const CaseAccount *k, const char *account)
{
    const char *cust = case_account_get(k, "customer_id");
    return ftm_id("party", *cust ? cust : account);
}

static void holder(ExportFtm *x, const CaseAccount *k, const char *account)
{
    g_autofree char *id = holder_id(k, account);
    gboolean business = strcmp(case_account_get(k, "kind"), "business") == 0;
    if (!begin(x, id, business ? "Company" : "Person"))
        return;
    prop(x, "name", case_account_get(k, "name"));
    g_autofree char *country = g_ascii_strdown(case_account_get(k, "country"), -1);
    prop(x, "country", country);
    prop(x, "address", case_account_get(k, "address"));
    prop(x, "phone", case_account_get(k, "phone"));
    prop(x, "email", case_account_get(k, "email"));
    if (!business)
        prop(x, "birthDate", case_account_get(k, "birth_date"));
    else
        prop(x, "sector", case_account_get(k, "business_mcc"));
    end(x);
}

/* The holder of an account without KYC (a foreign or another bank's
 * account): a LegalEntity named after the account, so that payments keep
 * the payer and beneficiary FollowTheMoney requires. */
static void unknown_holder(ExportFtm *x, const char *id, const char *account, const char *country)
{
    if (!begin(x, id, "LegalEntity"))
        return;
    g_autofree char *name = g_strdup_printf("holder of %s", account);
    prop(x, "name", name);
    prop(x, "country", country);
    end(x);
}

/* Adds an account, its holder and the ownership once; country (lower
 * case, "" when unknown) is where a foreign account is held, from the
 * transaction that names it. */
static void account_in(ExportFtm *x, const char *account, const char *country)
{
    if (!*account)
        return;
    g_autofree char *acc_id = ftm_id("account", account);
    if (g_hash_table_contains(x->written, acc_id))
        return;
    g_autoptr(GError) err = NULL;
    CaseAccount *k = x->s->ops->account(x->s, account, &err);
    begin(x, acc_id, "BankAccount");
    prop(x, "accountNumber", account);
    prop(x, "name", k ? case_account_get(k, "name") : NULL);
    prop(x, "openingDate", case_account_get(k, "opened_at"));
    if (!k)
        prop(x, "country", country);
    end(x);
    g_autofree char *hid = holder_id(k, account);
    if (k)
        holder(x, k, account);
    else
        unknown_holder(x, hid, account, country);
    g_autofree char *key = g_strdup_printf("%s owns %s", hid, acc_id);
    g_autofree char *own_id = ftm_id("ownership", key);
    if (begin(x, own_id, "Ownership")) {
        prop(x, "owner", hid);
        prop(x, "asset", acc_id);
        end(x);
    }
    case_account_free(k);
}

void export_ftm_account(ExportFtm *x, const char *account)
{
    account_in(x, account, "");
}

/* The holder entity of a (non-empty) account: its KYC customer, else the
 * LegalEntity account_in wrote for it. Caller frees. */
static char *party_of(ExportFtm *x, const char *account)
{
    g_autoptr(GError) err = NULL;
    CaseAccount *k = x->s->ops->account(x->s, account, &err);
    char *id = holder_id(k, account);
    case_account_free(k);
    return id;
}

void export_ftm_payment(ExportFtm *x, const CaseTx *t, const char *summary)
{
    g_autofree char *country = g_ascii_strdown(t->country, -1);
    account_in(x, t->from, country);
    account_in(x, t->to, country);
    g_autofree char *id = ftm_id("payment", t->tx_id);
    if (!begin(x, id, "Payment"))
        return;
    /* Cash has one account: the holder of that account paid it in or took
     * it out, so the holder is both payer and beneficiary. */
    const char *payer_acc = *t->from ? t->from : t->to, *benef_acc = *t->to ? t->to : t->from;
    g_autofree char *payer = *payer_acc ? party_of(x, payer_acc) : NULL;
    g_autofree char *benef = *benef_acc ? party_of(x, benef_acc) : NULL;
    g_autofree char *pa = *t->from ? ftm_id("account", t->from) : NULL;
    g_autofree char *ba = *t->to ? ftm_id("account", t->to) : NULL;
    char iso[32];
    /* A converted payment: amount and currency as made, and the converted
     * amount in FollowTheMoney's amountEur or amountUsd (it has no other). */
    gboolean conv = *t->currency_orig;
    g_autofree char *num =
        case_plain_amount(conv ? t->amount_orig : t->amount, conv ? t->exp_orig : t->exp);
    g_autofree char *rep = conv ? case_plain_amount(t->amount, t->exp) : NULL;
    prop(x, "payer", payer);
    prop(x, "payerAccount", pa);
    prop(x, "beneficiary", benef);
    prop(x, "beneficiaryAccount", ba);
    prop(x, "amount", num);
    prop(x, "currency", conv ? t->currency_orig : t->currency);
    if (conv && strcmp(t->currency, "EUR") == 0)
        prop(x, "amountEur", rep);
    if (conv && strcmp(t->currency, "USD") == 0)
        prop(x, "amountUsd", rep);
    tstamp_format_utc(t->ts, iso);
    iso[19] = 0; /* FollowTheMoney dates: 2024-05-02T08:15:00 */
    prop(x, "date", iso);
    prop(x, "purpose", t->memo);
    prop(x, "transactionNumber", t->tx_id);
    prop(x, "description", txn_channel_name(t->channel));
    prop(x, "summary", summary);
    end(x);
}
