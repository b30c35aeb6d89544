/* export_goaml.c: goAML STR XML from alerts and their evidence. */
#include "out/export_goaml.h"

#include <string.h>

#include "base/money.h"
#include "base/tstamp.h"

typedef struct {
    CaseStore *s;
    const GoamlOptions *o;
    GString *x;
    GHashTable *victims; /* accounts any of whose alerts says "possible victim" */
} Goaml;

static gboolean is_victim_role(const char *role)
{
    return role && g_ascii_strcasecmp(role, "possible victim") == 0;
}

/* <name>text</name> on its own line at depth, text escaped; nothing when empty. */
static void el(Goaml *g, int depth, const char *name, const char *text)
{
    if (!text || !*text)
        return;
    g_autofree char *e = g_markup_escape_text(text, -1);
    g_string_append_printf(g->x, "%*s<%s>%s</%s>\n", depth * 2, "", name, e, name);
}

static void open_el(Goaml *g, int depth, const char *name)
{
    g_string_append_printf(g->x, "%*s<%s>\n", depth * 2, "", name);
}

static void close_el(Goaml *g, int depth, const char *name)
{
    g_string_append_printf(g->x, "%*s</%s>\n", depth * 2, "", name);
}

static char *conf(Goaml *g, const char *group, const char *key, const char *dflt)
{
    char *v = g_key_file_get_string(g->o->config, group, key, NULL);
    return v ? g_strstrip(v) : g_strdup(dflt);
}

static void goaml_time(gint64 ts, char *buf)
{
    char iso[32];
    tstamp_format_utc(ts, iso);
    g_snprintf(buf, 20, "%.19s", iso);
}

/* The KYC phone and address as goAML <phones> and <addresses> (t_phone:
 * contact type, communication type, number; t_address: type, address,
 * city, country code, state), where t_person and t_entity place them;
 * the type codes are the FIU's lookups, from the [kyc] group. The KYC
 * address has no country of its own (KYC country is the holder's, and a
 * worker from abroad lives here): the reporting entity's country. */
static void contacts(Goaml *g, int d, const CaseAccount *k)
{
    if (*case_account_get(k, "phone")) {
        g_autofree char *ct = conf(g, "kyc", "contact_type", "PRIVATE");
        g_autofree char *cm = conf(g, "kyc", "communication_type", "PHONE");
        open_el(g, d, "phones");
        open_el(g, d + 1, "phone");
        el(g, d + 2, "tph_contact_type", ct);
        el(g, d + 2, "tph_communication_type", cm);
        el(g, d + 2, "tph_number", case_account_get(k, "phone"));
        close_el(g, d + 1, "phone");
        close_el(g, d, "phones");
    }
    if (*case_account_get(k, "address")) {
        g_autofree char *at = conf(g, "kyc", "address_type", "PRIVATE");
        open_el(g, d, "addresses");
        open_el(g, d + 1, "address");
        el(g, d + 2, "address_type", at);
        el(g, d + 2, "address", case_account_get(k, "address"));
        el(g, d + 2, "city", case_account_get(k, "city"));
        g_autofree char *home = conf(g, "reporting_entity", "country", "DE");
        el(g, d + 2, "country_code", home);
        el(g, d + 2, "state", case_account_get(k, "region"));
        close_el(g, d + 1, "address");
        close_el(g, d, "addresses");
    }
}

static void person(Goaml *g, int d, const CaseAccount *k)
{
    const char *name = case_account_get(k, "name");
    const char *sp = strrchr(name, ' ');
    g_autofree char *first = sp ? g_strndup(name, (gsize)(sp - name)) : g_strdup("");
    open_el(g, d, "t_person");
    el(g, d + 1, "first_name", first);
    el(g, d + 1, "last_name", sp ? sp + 1 : name);
    if (*case_account_get(k, "birth_date")) {
        g_autofree char *b = g_strdup_printf("%sT00:00:00", case_account_get(k, "birth_date"));
        el(g, d + 1, "birthdate", b);
    }
    el(g, d + 1, "residence", case_account_get(k, "country"));
    contacts(g, d + 1, k);
    el(g, d + 1, "email", case_account_get(k, "email"));
    el(g, d + 1, "occupation", case_account_get(k, "occupation"));
    close_el(g, d, "t_person");
}

static void entity(Goaml *g, int d, const CaseAccount *k)
{
    open_el(g, d, "t_entity");
    el(g, d + 1, "name", case_account_get(k, "name"));
    const char *mcc = case_account_get(k, "business_mcc");
    g_autofree char *business = *mcc ? g_strdup_printf("merchant category %s", mcc) : NULL;
    el(g, d + 1, "business", business);
    contacts(g, d + 1, k);
    el(g, d + 1, "email", case_account_get(k, "email"));
    el(g, d + 1, "incorporation_country_code", case_account_get(k, "country"));
    close_el(g, d, "t_entity");
}

/* A converted transaction's original, on the side the money left from:
 * foreign_currency_code, foreign_amount and foreign_exchange_rate (units
 * of the local currency per unit of the foreign one, as the two amounts
 * give it, to 6 decimals). */
static void foreign_currency(Goaml *g, int d, const CaseTx *t, const char *p)
{
    g_autofree char *tag = g_strdup_printf("%s_foreign_currency", p);
    g_autofree char *amount = case_plain_amount(t->amount_orig, t->exp_orig);
    double rate = t->amount_orig ? (double)t->amount / money_scale(t->exp) /
                                       ((double)t->amount_orig / money_scale(t->exp_orig))
                                 : 0;
    char r[G_ASCII_DTOSTR_BUF_SIZE];
    open_el(g, d, tag);
    el(g, d + 1, "foreign_currency_code", t->currency_orig);
    el(g, d + 1, "foreign_amount", amount);
    el(g, d + 1, "foreign_exchange_rate", g_ascii_formatd(r, sizeof r, "%.6f", rate));
    close_el(g, d, tag);
}

/* The institution of another bank's account: the [institutions] entry
 * for the account id, else for its country ("Name; SWIFT"), else
 * "unknown" with the institution code UNKNOWN for the analyst to fill
 * in. *name and *swift are set; *code is set when no SWIFT is known. */
static void foreign_institution(Goaml *g, const char *acc, const char *country, char **name,
                                char **swift, char **code)
{
    char *v = conf(g, "institutions", acc, NULL);
    if (!v && *country)
        v = conf(g, "institutions", country, NULL);
    g_auto(GStrv) parts = g_strsplit(v ? v : "", ";", 2);
    g_free(v);
    *name = g_strdup(parts[0] && *g_strstrip(parts[0]) ? parts[0] : "unknown");
    *swift = parts[0] && parts[1] && *g_strstrip(parts[1]) ? g_strdup(parts[1]) : NULL;
    *code = *swift ? NULL : g_strdup("UNKNOWN");
}

/* A goAML t_account in the schema's order: institution_name,
 * institution_code or swift, non_bank_institution, branch, account,
 * currency_code, account_name, client_number, personal_account_type,
 * t_entity or signatory, opened, status_code, comments. Accounts of our
 * clients carry all the schema requires of them (branch, account type and
 * status from the config); another bank's account its institution.
 * country is the transaction's (where a foreign account is held). */
static void account_block(Goaml *g, int d, const char *tag, const char *acc, const char *currency,
                          const char *country)
{
    g_autoptr(GError) err = NULL;
    CaseAccount *k = g->s->ops->account(g->s, acc, &err);
    g_autofree char *inst = NULL, *swift = NULL, *code = NULL;
    if (k) {
        inst = conf(g, "reporting_entity", "institution_name", "");
        swift = conf(g, "reporting_entity", "swift", "");
        code = *swift ? NULL : conf(g, "reporting_entity", "institution_code", "");
    } else {
        foreign_institution(g, acc, country, &inst, &swift, &code);
    }
    open_el(g, d, tag);
    el(g, d + 1, "institution_name", inst);
    el(g, d + 1, "institution_code", code);
    el(g, d + 1, "swift", swift);
    el(g, d + 1, "non_bank_institution", "false");
    if (k) {
        g_autofree char *branch = conf(g, "reporting_entity", "rentity_branch", "");
        el(g, d + 1, "branch", branch);
    }
    el(g, d + 1, "account", acc);
    el(g, d + 1, "currency_code", currency);
    el(g, d + 1, "account_name", case_account_get(k, "name"));
    el(g, d + 1, "client_number", case_account_get(k, "customer_id"));
    gboolean business = k && strcmp(case_account_get(k, "kind"), "business") == 0;
    if (k) {
        g_autofree char *type =
            conf(g, "kyc", business ? "account_type_business" : "account_type_person",
                 business ? "BUSINESS" : "PRIVATE");
        el(g, d + 1, "personal_account_type", type);
    }
    if (business) {
        entity(g, d + 1, k);
    } else if (k) {
        open_el(g, d + 1, "signatory");
        el(g, d + 2, "is_primary", "true");
        person(g, d + 2, k);
        close_el(g, d + 1, "signatory");
    }
    if (k && *case_account_get(k, "opened_at")) {
        g_autofree char *o = g_strdup_printf("%.10sT00:00:00", case_account_get(k, "opened_at"));
        el(g, d + 1, "opened", o);
    }
    if (k) {
        g_autofree char *status = conf(g, "kyc", "account_status", "ACTIVE");
        el(g, d + 1, "status_code", status);
    }
    if (g_hash_table_contains(g->victims, acc))
        el(g, d + 1, "comments", "possible victim of trafficking: not a subject of this report");
    close_el(g, d, tag);
    case_account_free(k);
}

/* The from or to side of a transaction: an account of ours, another
 * institution's account, or cash with no account. */
static void side(Goaml *g, int d, const CaseTx *t, gboolean from)
{
    const char *acc = from ? t->from : t->to, *p = from ? "from" : "to";
    g_autoptr(GError) err = NULL;
    CaseAccount *k = *acc ? g->s->ops->account(g->s, acc, &err) : NULL;
    g_autofree char *tag = g_strdup_printf("t_%s%s", p, k ? "_my_client" : "");
    g_autofree char *home = conf(g, "reporting_entity", "country", "DE");
    gboolean cash = !*acc;
    g_autofree char *funds =
        conf(g, "funds", cash || strstr(txn_channel_name(t->channel), "cash") ? "cash" : "default",
             cash ? "K" : "A");
    open_el(g, d, tag);
    g_autofree char *fc = g_strdup_printf("%s_funds_code", p);
    el(g, d + 1, fc, funds);
    g_autofree char *cm = g_strdup_printf("%s_funds_comment", p);
    el(g, d + 1, cm,
       !cash  ? NULL
       : from ? "cash paid in; the depositor is not recorded"
              : "cash paid out; the recipient is not recorded");
    if (from && *t->currency_orig)
        foreign_currency(g, d + 1, t, p);
    if (cash) {
        g_autofree char *pn = g_strdup_printf("%s_person", p);
        open_el(g, d + 1, pn);
        el(g, d + 2, "first_name", "UNKNOWN");
        el(g, d + 2, "last_name", "UNKNOWN");
        close_el(g, d + 1, pn);
    } else {
        g_autofree char *an = g_strdup_printf("%s_account", p);
        account_block(g, d + 1, an, acc, *t->currency_orig ? t->currency_orig : t->currency,
                      t->country);
    }
    g_autofree char *cn = g_strdup_printf("%s_country", p);
    const char *country = k ? case_account_get(k, "country") : *t->country ? t->country : home;
    el(g, d + 1, cn, *country ? country : home);
    close_el(g, d, tag);
    case_account_free(k);
}

static void transaction(Goaml *g, const CaseTx *t, const char *alert_ids)
{
    char when[32];
    goaml_time(t->ts, when);
    g_autofree char *mode = conf(g, "transmode", txn_channel_name(t->channel), NULL);
    g_autofree char *dflt = conf(g, "transmode", "default", "O");
    g_autofree char *amount = case_plain_amount(t->amount, t->exp);
    const char *cur = *t->currency_orig ? t->currency_orig : t->currency;
    g_autofree char *desc =
        g_strdup_printf("%s%s%s%s%s", txn_channel_name(t->channel), *t->memo ? ": " : "", t->memo,
                        *cur ? ", currency " : "", cur);
    open_el(g, 1, "transaction");
    el(g, 2, "transactionnumber", t->tx_id);
    el(g, 2, "internal_ref_number", alert_ids);
    el(g, 2, "transaction_location", t->location);
    el(g, 2, "transaction_description", desc);
    el(g, 2, "date_transaction", when);
    el(g, 2, "transmode_code", mode ? mode : dflt);
    el(g, 2, "amount_local", amount);
    side(g, 2, t, TRUE);
    side(g, 2, t, FALSE);
    close_el(g, 1, "transaction");
}

/* Fills g->victims: accounts of the given alerts any of whose alerts in the
 * store tags them possible victim (a victim made to move money shows
 * controller-side patterns too; it is still no subject). */
static gboolean find_victims(Goaml *g, GPtrArray *alerts, GError **error)
{
    for (guint i = 0; i < alerts->len; i++) {
        const CaseAlert *a = g_ptr_array_index(alerts, i);
        if (g_hash_table_contains(g->victims, a->account))
            continue;
        CaseFilter f;
        case_filter_init(&f);
        f.account = a->account;
        g_autoptr(GPtrArray) all = g->s->ops->alerts(g->s, &f, error);
        if (!all)
            return FALSE;
        gboolean victim = FALSE;
        for (guint k = 0; k < all->len; k++)
            victim |= is_victim_role(((CaseAlert *)g_ptr_array_index(all, k))->role);
        if (victim)
            g_hash_table_add(g->victims, g_strdup(a->account));
    }
    return TRUE;
}

static const char *subject_of(Goaml *g, GPtrArray *alerts)
{
    for (guint i = 0; i < alerts->len; i++) {
        const CaseAlert *a = g_ptr_array_index(alerts, i);
        if (!g_hash_table_contains(g->victims, a->account))
            return a->account;
    }
    return NULL;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *reason(Goaml *g, GPtrArray *alerts, const char *subject)
{
    GString *r = g_string_new(NULL);
    g_autofree char *name = case_display_name(g->s, subject);
    g_string_append_printf(r, "Subject: account %s (%s).", subject, name);
    gboolean ht = FALSE;
    for (guint i = 0; i < alerts->len; i++)
        ht |= g_str_has_prefix(((CaseAlert *)g_ptr_array_index(alerts, i))->rule, "HT-");
    if (ht)
        g_string_append(r, " Indicators of HUMAN TRAFFICKING FIN-2020-A008.");
    g_string_append_printf(r, " Transaction monitoring raised %u alert%s:", alerts->len,
                           alerts->len == 1 ? "" : "s");
    for (guint i = 0; i < alerts->len; i++) {
        const CaseAlert *a = g_ptr_array_index(alerts, i);
        char d0[16], d1[16];
        g_string_append_printf(r, " [%s %s on %s, %s to %s] %s.", a->rule, a->title, a->account,
                               tstamp_format_date(a->window_start, d0),
                               tstamp_format_date(a->window_end, d1), a->explanation);
    }
    GHashTableIter it;
    gpointer k;
    g_autoptr(GPtrArray) v = g_ptr_array_new();
    g_hash_table_iter_init(&it, g->victims);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(v, k);
    g_ptr_array_sort(v, cmp_str);
    for (guint i = 0; i < v->len; i++) {
        g_autofree char *vn = case_display_name(g->s, g_ptr_array_index(v, i));
        g_string_append_printf(r, " Account %s (%s) is a possible victim, not a subject.",
                               (char *)g_ptr_array_index(v, i), vn);
    }
    return g_string_free(r, FALSE);
}

static void header(Goaml *g, const char *reference, const char *date, const char *local)
{
    static const char *const ent[] = {"rentity_id", "rentity_branch"};
    static const char *const rp[] = {"gender",    "title", "first_name",
                                     "last_name", "email", "occupation"};
    g_string_append(g->x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<report>\n");
    for (gsize i = 0; i < G_N_ELEMENTS(ent); i++) {
        g_autofree char *v = conf(g, "reporting_entity", ent[i], "");
        el(g, 1, ent[i], v);
    }
    g_autofree char *code = conf(g, "report", "submission_code", "E");
    el(g, 1, "submission_code", code);
    el(g, 1, "report_code", "STR");
    el(g, 1, "entity_reference", reference);
    el(g, 1, "submission_date", date);
    el(g, 1, "currency_code_local", local);
    open_el(g, 1, "reporting_person");
    for (gsize i = 0; i < G_N_ELEMENTS(rp); i++) {
        g_autofree char *v = conf(g, "reporting_person", rp[i], "");
        el(g, 2, rp[i], v);
    }
    close_el(g, 1, "reporting_person");
}

static void transactions(Goaml *g, GPtrArray *alerts, GPtrArray *txns)
{
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        g_autoptr(GString) ids = g_string_new(NULL);
        for (guint k = 0; k < alerts->len; k++) {
            const CaseAlert *a = g_ptr_array_index(alerts, k);
            for (guint e = 0; e < a->evidence->len; e++)
                if (strcmp(g_ptr_array_index(a->evidence, e), t->tx_id) == 0)
                    g_string_append_printf(ids, "%salert %s", ids->len ? ", " : "", a->id);
        }
        transaction(g, t, ids->str);
    }
}

static void indicators(Goaml *g, GPtrArray *alerts)
{
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    open_el(g, 1, "report_indicators");
    for (guint i = 0; i < alerts->len; i++) {
        const CaseAlert *a = g_ptr_array_index(alerts, i);
        if (!g_hash_table_add(seen, a->rule))
            continue;
        g_autofree char *code = conf(g, "indicators", a->rule, a->rule);
        el(g, 2, "indicator", code);
    }
    close_el(g, 1, "report_indicators");
}

/* The currency of amount_local: the reporting currency when amounts are
 * converted (the config may name it, and no other), else the config's
 * currency_code_local (default EUR). NULL with error on a mismatch. */
static char *local_currency(Goaml *g, GError **error)
{
    char rep[4] = "EUR";
    if (g->s->fx)
        txn_unpack_code(fx_reporting(g->s->fx), rep);
    char *cur = conf(g, "report", "currency_code_local", rep);
    if (g->s->fx && strcmp(cur, rep) != 0) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_USAGE,
                    "the config's currency_code_local is %s, but the amounts are converted into "
                    "%s: give --currency %s, or set currency_code_local = %s",
                    cur, rep, cur, rep);
        g_free(cur);
        return NULL;
    }
    return cur;
}

gboolean export_goaml(CaseStore *s, GPtrArray *alerts, const GoamlOptions *o, GString *xml,
                      GError **error)
{
    Goaml g = {s, o, xml, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
    g_autoptr(GHashTable) victims = g.victims;
    if (!find_victims(&g, alerts, error))
        return FALSE;
    const char *subject = subject_of(&g, alerts);
    if (!subject) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_USAGE,
                    "no report written: every account of these alerts is a possible victim (an "
                    "alert of it says so), and a possible victim is never the subject of a report");
        return FALSE;
    }
    g_autofree char *local = local_currency(&g, error);
    if (!local)
        return FALSE;
    g_autoptr(GPtrArray) ids = g_ptr_array_new();
    for (guint i = 0; i < alerts->len; i++) {
        const CaseAlert *a = g_ptr_array_index(alerts, i);
        for (guint e = 0; e < a->evidence->len; e++)
            g_ptr_array_add(ids, g_ptr_array_index(a->evidence, e));
    }
    g_autoptr(GPtrArray) txns = s->ops->txns_by_id(s, ids, error);
    if (!txns)
        return FALSE;
    char now[32];
    goaml_time(g_get_real_time() / G_USEC_PER_SEC, now);
    g_autofree char *ref =
        o->entity_reference
            ? g_strdup(o->entity_reference)
            : g_strdup_printf("MT-%s", ((CaseAlert *)g_ptr_array_index(alerts, 0))->id);
    header(&g, ref, o->submission_date ? o->submission_date : now, local);
    g_autofree char *why = reason(&g, alerts, subject);
    el(&g, 1, "reason", why);
    g_autofree char *action = conf(&g, "report", "action", "");
    el(&g, 1, "action", action);
    transactions(&g, alerts, txns);
    indicators(&g, alerts);
    g_string_append(xml, "</report>\n");
    return TRUE;
}
