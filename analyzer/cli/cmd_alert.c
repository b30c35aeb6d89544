/* cmd_alert.c: `moneytrail alert ID`: one alert explained: the rule, the
 * sentence, the values, the evidence transactions as a table, for graph
 * patterns the matched subgraph, and the triage history; with --status it
 * records a triage decision (in the database with the role and time, in
 * file mode in the sidecar file ALERTS.triage.jsonl). */
#include <stdio.h>
#include <string.h>

#include "case/case_links.h"
#include "case/case_queue.h"
#include "cli/cmd_view.h"
#include "cli/cmd.h"
#include "base/tstamp.h"

typedef struct {
    CmdView v;
    char *status, *note, *assign, *by, *mute, *account, *case_id;
} AlertOptions;

static const char *const statuses[] = {"escalated", "dismissed", "under-review"};

/* TRUE when the options record triage rather than show an alert. */
static gboolean recording(const AlertOptions *o)
{
    return o->status || o->note || o->assign;
}

/* The checks of alert's own options, after parsing. */
static gboolean alert_check(const CmdView *v)
{
    const AlertOptions *o = (const AlertOptions *)v;
    guint n = v->args ? g_strv_length(v->args) : 0;
    gboolean bulk = o->account || o->case_id;
    if (!recording(o) && (n != 1 || bulk)) {
        cmd_error("alert", "give exactly one alert id (see 'moneytrail alerts')");
        return FALSE;
    }
    if (recording(o) && (bulk ? n != 0 || (o->account && o->case_id) : n == 0)) {
        cmd_error("alert", "record triage on alert ids, or on --account ID, or on --case ID");
        return FALSE;
    }
    gint64 mute;
    if (o->mute && !(o->status && strcmp(o->status, "dismissed") == 0)) {
        cmd_error("alert", "--mute goes with --status dismissed");
        return FALSE;
    }
    if (o->mute && !case_parse_duration(o->mute, &mute)) {
        cmd_error("alert", "--mute '%s' is not a duration (90d)", o->mute);
        return FALSE;
    }
    gboolean known = !o->status;
    for (gsize i = 0; o->status && i < G_N_ELEMENTS(statuses); i++)
        known |= strcmp(o->status, statuses[i]) == 0;
    if (!known) {
        cmd_error("alert", "--status '%s' is not escalated, dismissed or under-review", o->status);
        return FALSE;
    }
    return TRUE;
}

/* The alert's window in the local time of its evidence, as the rules
 * reason: the start with the offset of the first evidence transaction,
 * the end with that of the last (they differ across a change of summer
 * time); in UTC without evidence or offsets. */
static void print_window(const CaseAlert *a, GPtrArray *txns, GString *out)
{
    char t0[48], t1[48];
    const CaseTx *first = txns && txns->len ? g_ptr_array_index(txns, 0) : NULL;
    const CaseTx *last = first ? g_ptr_array_index(txns, txns->len - 1) : NULL;
    if (!first || first->utc_offset == TXN_OFFSET_UNKNOWN ||
        last->utc_offset == TXN_OFFSET_UNKNOWN) {
        g_string_append_printf(out, "  window   %s to %s UTC\n",
                               tstamp_format_minute(a->window_start, t0),
                               tstamp_format_minute(a->window_end, t1));
        return;
    }
    CaseTx s = {.ts = a->window_start, .utc_offset = first->utc_offset};
    CaseTx e = {.ts = a->window_end, .utc_offset = last->utc_offset};
    g_string_append_printf(out, "  window   %s to %s\n", cmd_view_local_time(&s, t0),
                           cmd_view_local_time(&e, t1));
}

static void print_header(const CaseAlert *a, const char *name, GPtrArray *txns, GString *out)
{
    g_string_append_printf(out, "alert %s  %s v%d  %s\n", a->id, a->rule, a->rule_version,
                           a->title);
    g_string_append_printf(out, "  account  %s", a->account);
    if (strcmp(name, a->account) != 0)
        g_string_append_printf(out, " %s", name);
    g_string_append_printf(out, " (as %s%s%s)\n", a->perspective, a->role ? ", " : "",
                           a->role ? a->role : "");
    g_string_append_printf(out, "  score    %g (%s, family %s)\n", a->score, a->strength,
                           a->family);
    print_window(a, txns, out);
    const char *at;
    gint64 by = case_alert_superseded(a, &at);
    g_string_append_printf(out, "  status   %s\n", case_alert_status(a));
    if (by)
        g_string_append_printf(out,
                               "           superseded by run %" G_GINT64_FORMAT " at %s: late rows "
                               "changed what the rules raise; kept, out of the lists\n",
                               by, at);
    g_string_append_printf(out, "  source   %s\n\n", a->source);
    g_string_append(out, "why: ");
    cmd_view_wrap(out, a->explanation, 5, 5, 100);
}

static gint cmp_key(gconstpointer pa, gconstpointer pb)
{
    return strcmp((*(const JVal *const *)pa)->key, (*(const JVal *const *)pb)->key);
}

/* The rule's values by name (the database does not keep their order). */
static void print_values(const CaseAlert *a, GString *out)
{
    const JVal *vals = jval_get(a->json, "values");
    if (!jval_len(vals))
        return;
    g_autoptr(GPtrArray) sorted = g_ptr_array_new();
    for (guint i = 0; i < jval_len(vals); i++)
        g_ptr_array_add(sorted, (gpointer)jval_at(vals, i));
    g_ptr_array_sort(sorted, cmp_key);
    g_string_append(out, "\nvalues\n");
    for (guint i = 0; i < sorted->len; i++) {
        const JVal *v = g_ptr_array_index(sorted, i);
        g_string_append_printf(out, "  %-40s %s\n", v->key, jval_text(v));
    }
}

/* The matched subgraph: the alert's own "subgraph" edges if it carries
 * them, else for network patterns the evidence aggregated by sender and
 * receiver. */
static void print_subgraph(const CaseAlert *a, GPtrArray *txns, GString *out)
{
    const JVal *edges = jval_get(jval_get(a->json, "subgraph"), "edges");
    if (jval_len(edges)) {
        g_string_append(out, "\nmatched subgraph\n");
        for (guint i = 0; i < jval_len(edges); i++) {
            const JVal *e = jval_at(edges, i);
            g_autofree char *hop = g_strdup_printf("%s -> %s", jval_text(jval_get(e, "from")),
                                                   jval_text(jval_get(e, "to")));
            g_string_append_printf(out, "  %-10s %-20s  %-28s %14s\n", jval_text(jval_get(e, "tx")),
                                   jval_text(jval_get(e, "ts")), hop,
                                   jval_text(jval_get(e, "amount")));
        }
        return;
    }
    if (strcmp(a->family, "network") != 0 || !txns->len)
        return;
    g_autoptr(GHashTable) sums = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    int exp = 2;
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        char *key =
            g_strdup_printf("%s -> %s", *t->from ? t->from : "(cash)", *t->to ? t->to : "(cash)");
        gint64 *v = g_hash_table_lookup(sums, key);
        if (!v) {
            v = g_new0(gint64, 2);
            g_hash_table_insert(sums, key, v);
            g_ptr_array_add(order, key);
        } else {
            g_free(key);
        }
        v[0] += t->amount;
        v[1]++;
        exp = t->exp;
    }
    g_string_append(out, "\nmatched subgraph (evidence by sender and receiver)\n");
    for (guint i = 0; i < order->len; i++) {
        const gint64 *v = g_hash_table_lookup(sums, g_ptr_array_index(order, i));
        char amt[32];
        g_string_append_printf(out, "  %-28s %14s %s in %" G_GINT64_FORMAT " tx\n",
                               (char *)g_ptr_array_index(order, i), cmd_view_money(v[0], exp, amt),
                               a->currency, v[1]);
    }
}

static void print_triage(const CaseAlert *a, GString *out)
{
    if (!a->triage->len)
        return;
    g_string_append(out, "\ntriage\n");
    for (guint i = 0; i < a->triage->len; i++) {
        const CaseTriage *t = g_ptr_array_index(a->triage, i);
        g_string_append_printf(out, "  %s  %-12s by %s", t->at, t->status ? t->status : "note",
                               t->by);
        if (t->assignee)
            g_string_append_printf(out, ", assigned to %s", t->assignee);
        if (t->mute)
            g_string_append_printf(out, ", muting %s for %" G_GINT64_FORMAT " days", a->rule,
                                   t->mute / 86400);
        g_string_append_printf(out, "%s%s\n", t->note && *t->note ? ": " : "",
                               t->note ? t->note : "");
    }
}

/* A typology alert's indicator alerts, as its JSON names them. */
static void print_indicators(const CaseAlert *a, GString *out)
{
    g_autoptr(GPtrArray) ind = case_links_indicators(a);
    if (!ind->len)
        return;
    g_string_append_printf(out, "\nindicator alerts (%u)\n", ind->len);
    for (guint i = 0; i < ind->len; i++) {
        const CaseIndicator *c = g_ptr_array_index(ind, i);
        g_string_append_printf(out, "  %-16s %-12s %-14s %s\n", c->alert_id ? c->alert_id : "-",
                               c->rule ? c->rule : "-", c->account ? c->account : "-",
                               c->ts ? c->ts : "-");
    }
}

/* The accounts that share the customer or an identifier with the alert's
 * account, named with their own alerts; nothing when there are none. */
static gboolean print_shared(CaseStore *s, const CaseAlert *a, GString *out, GError **error)
{
    g_autoptr(GPtrArray) shared = case_links_shared(s, a->account, error);
    if (!shared || !case_links_count_alerts(s, shared, FALSE, error))
        return FALSE;
    if (shared->len)
        cmd_view_links(out, "linked accounts: the same customer, a shared phone, e-mail or address",
                       "SHARES", shared);
    return TRUE;
}

static int show(CaseStore *s, const char *id)
{
    g_autoptr(GError) err = NULL;
    CaseAlert *a = s->ops->alert(s, id, &err);
    if (!a)
        return cmd_view_fail("alert", err);
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *name = case_display_name(s, a->account);
    g_autoptr(GPtrArray) txns = s->ops->txns_by_id(s, a->evidence, &err);
    print_header(a, name, txns, out);
    print_values(a, out);
    if (txns) {
        g_string_append_printf(out, "\nevidence (%u of %u transactions)\n", txns->len,
                               a->evidence_total);
        cmd_view_tx_table(out, txns);
        print_subgraph(a, txns, out);
    } else {
        g_string_append_printf(out, "\nevidence: %u transactions (give --data to see them)\n",
                               a->evidence->len);
    }
    g_clear_error(&err);
    print_indicators(a, out);
    gboolean ok = print_shared(s, a, out, &err);
    print_triage(a, out);
    if (ok)
        cmd_view_print(out);
    case_alert_free(a);
    if (!ok)
        return cmd_view_fail("alert", err);
    return EXIT_OK;
}

/* Records the triage entry on one alert and says what was kept where. */
static int record_one(CaseStore *s, const char *id, const CaseTriage *entry)
{
    g_autoptr(GError) err = NULL;
    if (!s->ops->set_triage(s, id, entry, &err))
        return cmd_view_fail("alert", err);
    CaseAlert *a = s->ops->alert(s, id, &err);
    if (!a)
        return cmd_view_fail("alert", err);
    const CaseTriage *t = g_ptr_array_index(a->triage, a->triage->len - 1);
    g_autoptr(GString) what = g_string_new(t->status ? t->status : "noted");
    if (t->assignee)
        g_string_append_printf(what, ", assigned to %s", t->assignee);
    if (t->mute)
        g_string_append_printf(
            what, ", later %s alerts on %s muted for %" G_GINT64_FORMAT " days after its window",
            a->rule, a->account, t->mute / 86400);
    printf("alert %s: %s by %s at %s (kept in %s)\n", id, what->str, t->by, t->at,
           s->ops->triage_where(s));
    case_alert_free(a);
    return EXIT_OK;
}

/* The ids of the alerts on --account, or on every account of --case (the
 * grouping of `cases`), newest first; NULL after printing why. */
static GPtrArray *bulk_ids(CaseStore *s, const AlertOptions *o, int *rc)
{
    CaseFilter f;
    case_filter_init(&f);
    f.account = o->account;
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) list = s->ops->alerts(s, &f, &err);
    if (!list) {
        *rc = cmd_view_fail("alert", err);
        return NULL;
    }
    GPtrArray *ids = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < list->len; i++) {
        const CaseAlert *a = g_ptr_array_index(list, i);
        g_autofree char *c = o->case_id ? case_queue_case_of(s, a->account, &err) : NULL;
        if (o->case_id && !c) {
            g_ptr_array_unref(ids);
            *rc = cmd_view_fail("alert", err);
            return NULL;
        }
        if (!o->case_id || strcmp(c, o->case_id) == 0)
            g_ptr_array_add(ids, g_strdup(a->id));
    }
    if (!ids->len) {
        cmd_error("alert", "no alerts on %s '%s'", o->account ? "account" : "case",
                  o->account ? o->account : o->case_id);
        g_ptr_array_unref(ids);
        *rc = EXIT_NOT_FOUND;
        return NULL;
    }
    return ids;
}

/* Records the entry the options describe on every alert they name. */
static int record(CaseStore *s, const AlertOptions *o)
{
    CaseTriage entry = {.status = o->status, .note = o->note, .assignee = o->assign, .by = o->by};
    if (o->mute)
        case_parse_duration(o->mute, &entry.mute);
    int rc = EXIT_OK;
    g_autoptr(GPtrArray) ids = NULL;
    if (o->account || o->case_id) {
        if (!(ids = bulk_ids(s, o, &rc)))
            return rc;
    } else {
        ids = g_ptr_array_new();
        for (guint i = 0; o->v.args[i]; i++)
            g_ptr_array_add(ids, o->v.args[i]);
    }
    for (guint i = 0; i < ids->len && rc == EXIT_OK; i++)
        rc = record_one(s, g_ptr_array_index(ids, i), &entry);
    return rc;
}

/* Shows the alert, or records the triage entry. */
static int alert_run(CmdView *v)
{
    AlertOptions *o = (AlertOptions *)v;
    g_autoptr(CaseStore) s = cmd_view_open(&v->store, "alert");
    if (!s)
        return EXIT_DATA;
    return recording(o) ? record(s, o) : show(s, v->args[0]);
}

static const CmdViewSpec spec = {
    .what = "alert",
    .params = "ALERT_ID...",
    .summary = "Explain one alert: the rule, the sentence, the evidence transactions and, for\n"
               "graph patterns, the matched subgraph. With --status, record a triage decision:\n"
               "with --db in the alerts table with the database role (current_user) and the\n"
               "time; in file mode in a sidecar file beside the alerts, ALERTS.triage.jsonl\n"
               "(one decision a line, with the user name and the time), which later runs of\n"
               "the investigator commands read back. --note alone adds to the history, --assign\n"
               "hands over; --account or --case records on all their alerts at once.\n"
               "Data: --alerts FILE --data FILE... --accounts FILE or --db CONNINFO\n"
               "(see --help-store).",
    .check = alert_check,
    .run = alert_run,
};

int cmd_alert(int argc, char **argv)
{
    AlertOptions o = {0};
    GOptionEntry entries[] = {
        {"status", 0, 0, G_OPTION_ARG_STRING, &o.status,
         "record triage: escalated, dismissed or under-review", "S"},
        {"note", 0, 0, G_OPTION_ARG_STRING, &o.note,
         "the reason for the decision, or a note on its own (status unchanged)", "TEXT"},
        {"assign", 0, 0, G_OPTION_ARG_STRING, &o.assign, "hand the alerts over to NAME", "NAME"},
        {"by", 0, 0, G_OPTION_ARG_STRING, &o.by,
         "who decides (default: the database role or user name)", "NAME"},
        {"mute", 0, 0, G_OPTION_ARG_STRING, &o.mute,
         "with --status dismissed: keep later alerts of the rule on the account out of the "
         "queue for DUR (90d)",
         "DUR"},
        {"account", 0, 0, G_OPTION_ARG_STRING, &o.account, "record on every alert of this account",
         "ID"},
        {"case", 0, 0, G_OPTION_ARG_STRING, &o.case_id,
         "record on every alert of this case (see moneytrail cases)", "ID"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_view_main(&o.v, &spec, entries, argc, argv);
}
