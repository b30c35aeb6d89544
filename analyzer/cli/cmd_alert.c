/* cmd_alert.c: `moneytrail alert ID`: one alert explained: the rule, the
 * sentence, the values, the evidence transactions as a table, for graph
 * patterns the matched subgraph, and the triage history; with --status it
 * records a triage decision (in the database with the role and time, in
 * file mode in the sidecar file ALERTS.triage.jsonl). */
#include <stdio.h>
#include <string.h>

#include "cli/cmd_view.h"
#include "cli/cmd.h"
#include "base/tstamp.h"

typedef struct {
    CmdView v;
    char *status, *note;
} AlertOptions;

static const char *const statuses[] = {"escalated", "dismissed", "under-review"};

/* The checks of alert's own options, after parsing. */
static gboolean alert_check(const CmdView *v)
{
    const AlertOptions *o = (const AlertOptions *)v;
    gboolean known = !o->status;
    for (gsize i = 0; o->status && i < G_N_ELEMENTS(statuses); i++)
        known |= strcmp(o->status, statuses[i]) == 0;
    if (!known) {
        cmd_error("alert", "--status '%s' is not escalated, dismissed or under-review", o->status);
        return FALSE;
    }
    if (o->note && !o->status) {
        cmd_error("alert", "--note goes with --status");
        return FALSE;
    }
    return TRUE;
}

static void print_header(const CaseAlert *a, const char *name, GString *out)
{
    char t0[32], t1[32];
    g_string_append_printf(out, "alert %s  %s v%d  %s\n", a->id, a->rule, a->rule_version,
                           a->title);
    g_string_append_printf(out, "  account  %s", a->account);
    if (strcmp(name, a->account) != 0)
        g_string_append_printf(out, " %s", name);
    g_string_append_printf(out, " (as %s%s%s)\n", a->perspective, a->role ? ", " : "",
                           a->role ? a->role : "");
    g_string_append_printf(out, "  score    %g (%s, family %s)\n", a->score, a->strength,
                           a->family);
    g_string_append_printf(out, "  window   %s to %s UTC\n",
                           tstamp_format_minute(a->window_start, t0),
                           tstamp_format_minute(a->window_end, t1));
    g_string_append_printf(out, "  status   %s\n", case_alert_status(a));
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
        g_string_append_printf(out, "  %s  %-12s by %s%s%s\n", t->at, t->status, t->by,
                               t->note && *t->note ? ": " : "", t->note ? t->note : "");
    }
}

static int show(CaseStore *s, const char *id)
{
    g_autoptr(GError) err = NULL;
    CaseAlert *a = s->ops->alert(s, id, &err);
    if (!a)
        return cmd_view_fail("alert", err);
    g_autoptr(GString) out = g_string_new(NULL);
    g_autofree char *name = case_display_name(s, a->account);
    print_header(a, name, out);
    print_values(a, out);
    g_autoptr(GPtrArray) txns = s->ops->txns_by_id(s, a->evidence, &err);
    if (txns) {
        g_string_append_printf(out, "\nevidence (%u of %u transactions)\n", txns->len,
                               a->evidence_total);
        cmd_view_tx_table(out, txns);
        print_subgraph(a, txns, out);
    } else {
        g_string_append_printf(out, "\nevidence: %u transactions (give --data to see them)\n",
                               a->evidence->len);
    }
    print_triage(a, out);
    fputs(out->str, stdout);
    case_alert_free(a);
    return EXIT_OK;
}

static int record(CaseStore *s, const char *id, const char *status, const char *note)
{
    g_autoptr(GError) err = NULL;
    if (!s->ops->set_triage(s, id, status, note, &err))
        return cmd_view_fail("alert", err);
    CaseAlert *a = s->ops->alert(s, id, &err);
    if (!a)
        return cmd_view_fail("alert", err);
    const CaseTriage *t = g_ptr_array_index(a->triage, a->triage->len - 1);
    printf("alert %s: %s by %s at %s (kept in %s)\n", id, t->status, t->by, t->at,
           s->ops->triage_where(s));
    case_alert_free(a);
    return EXIT_OK;
}

/* Shows the alert, or records the triage decision. */
static int alert_run(CmdView *v)
{
    AlertOptions *o = (AlertOptions *)v;
    g_autoptr(CaseStore) s = cmd_view_open(&v->store, "alert");
    if (!s)
        return EXIT_DATA;
    return o->status ? record(s, v->args[0], o->status, o->note) : show(s, v->args[0]);
}

static const CmdViewSpec spec = {
    .what = "alert",
    .params = "ALERT_ID",
    .summary = "Explain one alert: the rule, the sentence, the evidence transactions and, for\n"
               "graph patterns, the matched subgraph. With --status, record a triage decision:\n"
               "with --db in the alerts table with the database role (current_user) and the\n"
               "time; in file mode in a sidecar file beside the alerts, ALERTS.triage.jsonl\n"
               "(one decision a line, with the user name and the time), which later runs of\n"
               "the investigator commands read back.",
    .one_arg = "give exactly one alert id (see 'moneytrail alerts')",
    .check = alert_check,
    .run = alert_run,
};

int cmd_alert(int argc, char **argv)
{
    AlertOptions o = {0};
    GOptionEntry entries[] = {
        {"status", 0, 0, G_OPTION_ARG_STRING, &o.status,
         "record triage: escalated, dismissed or under-review", "S"},
        {"note", 0, 0, G_OPTION_ARG_STRING, &o.note, "the reason for the triage decision", "TEXT"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_view_main(&o.v, &spec, entries, argc, argv);
}
