/* cmd_account.c: `moneytrail account ID [--from D] [--to D]`: everything an
 * investigator wants first about one account: the KYC profile, its alerts
 * with their explanations, money in and out by channel and by month, the
 * top counterparties each way, the countries, the links (the customer's
 * other accounts, accounts sharing a phone, e-mail or address, the
 * counterparties with alerts of their own) and the flagged periods. */
#include <stdio.h>
#include <string.h>

#include "case/case_links.h"
#include "cli/cmd_view.h"
#include "cli/cmd.h"
#include "base/tstamp.h"

#define TOP_COUNTERPARTIES 5

static void print_flows(GString *out, const char *title, const char *head, GPtrArray *flows,
                        int exp)
{
    char a[32], b[32];
    g_string_append_printf(out, "\n%s\n  %-26s %5s %16s %5s %16s\n", title, head, "IN", "AMOUNT IN",
                           "OUT", "AMOUNT OUT");
    for (guint i = 0; i < flows->len; i++) {
        const CmdViewFlow *f = g_ptr_array_index(flows, i);
        g_string_append(out, "  ");
        cmd_view_cell(out, f->key, 26, FALSE);
        g_string_append_printf(out, " %5u %16s %5u %16s\n", f->n_in, cmd_view_money(f->in, exp, a),
                               f->n_out, cmd_view_money(f->out, exp, b));
    }
}

/* Groups txns by a key made by fn and prints the table. */
static void by_key(GString *out, const char *acc, GPtrArray *txns, const char *title,
                   const char *head, char *(*fn)(const CaseTx *, gboolean in), gboolean sorted)
{
    int exp = 2;
    g_autoptr(GPtrArray) order = cmd_view_flows(acc, txns, fn, sorted, &exp);
    if (order->len)
        print_flows(out, title, head, order, exp);
}

static char *key_country(const CaseTx *t, gboolean in)
{
    return *t->country ? g_strdup_printf("%s %s", t->country, t->currency) : NULL;
}

static void print_profile(GString *out, const char *id, const CaseAccount *k)
{
    g_string_append_printf(out, "account %s\n", id);
    if (!k) {
        g_string_append(out, "  no KYC record (not a customer, or no --accounts given)\n");
        return;
    }
    for (guint i = 0; i < k->keys->len; i++) {
        const char *key = g_ptr_array_index(k->keys, i), *v = g_ptr_array_index(k->values, i);
        if (*v && strcmp(key, "account_id") != 0)
            g_string_append_printf(out, "  %-24s %s\n", key, v);
    }
}

static void print_alerts(GString *out, GPtrArray *alerts)
{
    char d0[16], d1[16];
    g_string_append_printf(out, "\nalerts (%u)\n", alerts->len);
    for (guint i = 0; i < alerts->len; i++) {
        const CaseAlert *a = g_ptr_array_index(alerts, i);
        g_string_append_printf(out, "  %s  %-10s score %g  %s to %s  %s%s%s\n", a->id, a->rule,
                               a->score, tstamp_format_date(a->window_start, d0),
                               tstamp_format_date(a->window_end, d1), case_alert_status(a),
                               a->role ? ", " : "", a->role ? a->role : "");
        g_string_append(out, "    ");
        cmd_view_wrap(out, a->explanation, 4, 4, 100);
    }
}

static void print_top(GString *out, CaseStore *s, const char *acc, GPtrArray *txns, gboolean in)
{
    int exp;
    g_autoptr(GPtrArray) order = cmd_view_counterparties(acc, txns, in, &exp);
    g_string_append_printf(out, "\ntop counterparties: %s\n", in ? "received from" : "paid to");
    for (guint i = 0; i < order->len && i < TOP_COUNTERPARTIES; i++) {
        const CmdViewFlow *f = g_ptr_array_index(order, i);
        char a[32];
        g_autofree char *name = case_display_name(s, f->key);
        g_string_append(out, "  ");
        cmd_view_cell(out, f->key, 14, FALSE);
        g_string_append_c(out, ' ');
        cmd_view_cell(out, strcmp(name, f->key) ? name : "", 28, FALSE);
        g_string_append_printf(out, " %5u tx %16s\n", in ? f->n_in : f->n_out,
                               cmd_view_money(in ? f->in : f->out, exp, a));
    }
    if (!order->len)
        g_string_append(out, "  none\n");
}

/* The links: accounts sharing the customer or an identifier, and the
 * counterparties in txns (NULL without data) that have alerts. */
static gboolean print_all_links(GString *out, CaseStore *s, const char *id, GPtrArray *txns,
                                GError **error)
{
    g_autoptr(GPtrArray) shared = case_links_shared(s, id, error);
    if (!shared || !case_links_count_alerts(s, shared, FALSE, error))
        return FALSE;
    cmd_view_links(out, "linked accounts: the same customer, a shared phone, e-mail or address",
                   "SHARES", shared);
    if (!txns)
        return TRUE;
    g_autoptr(GPtrArray) cps = case_links_counterparties(id, txns);
    if (!case_links_count_alerts(s, cps, TRUE, error))
        return FALSE;
    cmd_view_links(out, "counterparties with alerts", "MONEY", cps);
    return TRUE;
}

static gint cmp_start(gconstpointer pa, gconstpointer pb)
{
    const CaseAlert *a = *(CaseAlert *const *)pa, *b = *(CaseAlert *const *)pb;
    if (a->window_start != b->window_start)
        return a->window_start < b->window_start ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* The flagged periods: alert windows merged where they overlap. */
static void print_timeline(GString *out, GPtrArray *alerts)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_new(); /* borrowed alerts */
    for (guint i = 0; i < alerts->len; i++)
        g_ptr_array_add(sorted, g_ptr_array_index(alerts, i));
    g_ptr_array_sort(sorted, cmp_start);
    g_string_append(out, "\nflagged periods\n");
    for (guint i = 0; i < sorted->len;) {
        const CaseAlert *a = g_ptr_array_index(sorted, i);
        gint64 lo = a->window_start, hi = a->window_end;
        g_autoptr(GString) rules = g_string_new(a->rule);
        for (i++; i < sorted->len; i++) {
            const CaseAlert *b = g_ptr_array_index(sorted, i);
            if (b->window_start > hi)
                break;
            hi = MAX(hi, b->window_end);
            g_string_append_printf(rules, ", %s", b->rule);
        }
        char d0[16], d1[16];
        gint64 days = (hi - lo) / 86400 + 1;
        g_string_append_printf(out, "  %s to %s  %3" G_GINT64_FORMAT " day%s  %s\n",
                               tstamp_format_date(lo, d0), tstamp_format_date(hi, d1), days,
                               days == 1 ? " " : "s", rules->str);
    }
    if (!sorted->len)
        g_string_append(out, "  none\n");
}

static int account_run(CmdView *v)
{
    const char *id = v->args[0];
    gint64 t0, t1;
    int rc;
    g_autoptr(CaseStore) s = cmd_view_open_account(v, &t0, &t1, &rc);
    if (!s)
        return rc;
    g_autoptr(GError) err = NULL;
    g_autoptr(GString) out = g_string_new(NULL);
    CaseAccount *k = s->ops->account(s, id, &err);
    print_profile(out, id, k);
    case_account_free(k);
    CaseFilter f;
    case_filter_init(&f);
    f.account = id;
    g_autoptr(GPtrArray) alerts =
        v->store.alerts || v->store.db ? s->ops->alerts(s, &f, &err) : g_ptr_array_new();
    if (!alerts)
        return cmd_view_fail("account", err);
    print_alerts(out, alerts);
    g_autoptr(GPtrArray) txns =
        v->store.data || v->store.db ? s->ops->txns_of(s, id, t0, t1, &err) : NULL;
    if (txns) {
        g_autofree char *note = case_fx_note(s, txns);
        if (note)
            g_string_append_printf(out, "\n%s\n", note);
        by_key(out, id, txns, "money in and out by channel", "CHANNEL", cmd_view_key_channel, TRUE);
        by_key(out, id, txns, "by month", "MONTH", cmd_view_key_month, TRUE);
        print_top(out, s, id, txns, TRUE);
        print_top(out, s, id, txns, FALSE);
        by_key(out, id, txns, "counterparty countries", "COUNTRY", key_country, TRUE);
    } else if (err) {
        return cmd_view_fail("account", err);
    }
    if (!print_all_links(out, s, id, txns, &err))
        return cmd_view_fail("account", err);
    print_timeline(out, alerts);
    cmd_view_print(out);
    return EXIT_OK;
}

static const CmdViewSpec spec = {
    .what = "account",
    .params = "ACCOUNT_ID",
    .summary = "One account for an investigator: KYC profile, alerts and why, money in and out by\n"
               "channel and month, top counterparties, countries, linked accounts and\n"
               "counterparties with alerts, flagged periods.\n"
               "Data: --alerts FILE --data FILE... [--accounts FILE] or --db CONNINFO\n"
               "(see --help-store).",
    .one_arg = "give exactly one account id",
    .range = TRUE,
    .run = account_run,
};

int cmd_account(int argc, char **argv)
{
    CmdView v = {0};
    return cmd_view_main(&v, &spec, NULL, argc, argv);
}
