/* case_network.c: flagged accounts joined into networks (see
 * case_network.h). A union-find over the account ids: the root of a
 * component is always its smallest id, so the network's name does not
 * depend on the order in which joins are found. */
#include "case/case_network.h"

#include <string.h>

/* The root of x, compressing the path (parent: id -> id, both borrowed
 * from the sorted accounts; x may be any copy of an id). */
static const char *find(GHashTable *parent, const char *x)
{
    gpointer key, p;
    if (!g_hash_table_lookup_extended(parent, x, &key, &p))
        return NULL;
    x = key;
    if (strcmp(p, x) == 0)
        return x;
    const char *r = find(parent, (const char *)p);
    g_hash_table_insert(parent, (gpointer)x, (gpointer)r);
    return r;
}

static void unite(GHashTable *parent, const char *x, const char *y)
{
    const char *a = find(parent, x), *b = find(parent, y);
    if (!a || !b)
        return;
    if (strcmp(a, b) < 0)
        g_hash_table_insert(parent, (gpointer)b, (gpointer)a);
    else if (strcmp(a, b) > 0)
        g_hash_table_insert(parent, (gpointer)a, (gpointer)b);
}

gboolean case_network_links(const char *family)
{
    return family && (strcmp(family, "network") == 0 || strcmp(family, "typology") == 0);
}

char *case_network_family(const char *rule)
{
    const char *a = strchr(rule, '-');
    if (!a)
        return g_strdup(rule);
    const char *b = strchr(a + 1, '-');
    return b ? g_strndup(a + 1, (gsize)(b - a - 1)) : g_strdup(a + 1);
}

struct CaseNetworkAlerts {
    GHashTable *families; /* account -> GHashTable set of families of its alerts */
    GHashTable *ev;       /* evidence tx id -> GHashTable set of families of the alerts
                           * (of linking families) that hold it */
};

static GHashTable *set_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

CaseNetworkAlerts *case_network_alerts_new(void)
{
    CaseNetworkAlerts *n = g_new0(CaseNetworkAlerts, 1);
    n->families =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
    n->ev =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
    return n;
}

void case_network_alerts_free(CaseNetworkAlerts *n)
{
    if (!n)
        return;
    g_hash_table_unref(n->families);
    g_hash_table_unref(n->ev);
    g_free(n);
}

/* Adds value (copied) to the set under key in table. */
static void set_add(GHashTable *table, const char *key, const char *value)
{
    GHashTable *set = g_hash_table_lookup(table, key);
    if (!set) {
        set = set_new();
        g_hash_table_insert(table, g_strdup(key), set);
    }
    if (!g_hash_table_contains(set, value))
        g_hash_table_add(set, g_strdup(value));
}

void case_network_alerts_add(CaseNetworkAlerts *n, const char *account, const char *rule,
                             char *const *evidence, guint n_ev)
{
    g_autofree char *family = case_network_family(rule);
    set_add(n->families, account, family);
    for (guint i = 0; i < n_ev; i++)
        set_add(n->ev, evidence[i], family);
}

/* TRUE when an alert of one family holds t as evidence and both of its
 * ends have alerts of that family. */
static gboolean same_family(const CaseNetworkAlerts *n, const CaseTx *t)
{
    GHashTable *fams = g_hash_table_lookup(n->ev, t->tx_id);
    GHashTable *a = g_hash_table_lookup(n->families, t->from);
    GHashTable *b = g_hash_table_lookup(n->families, t->to);
    GHashTableIter it;
    gpointer f;
    if (!fams || !a || !b)
        return FALSE;
    g_hash_table_iter_init(&it, fams);
    while (g_hash_table_iter_next(&it, &f, NULL))
        if (g_hash_table_contains(a, f) && g_hash_table_contains(b, f))
            return TRUE;
    return FALSE;
}

static gint cmp_str(gconstpointer pa, gconstpointer pb)
{
    return strcmp(*(char *const *)pa, *(char *const *)pb);
}

static int via_rank(const char *via)
{
    for (int k = 0; case_link_words[k]; k++)
        if (strcmp(via, case_link_words[k]) == 0)
            return k + 1;
    return 0; /* evidence first */
}

static gint cmp_join(gconstpointer pa, gconstpointer pb)
{
    const CaseJoin *a = *(CaseJoin *const *)pa, *b = *(CaseJoin *const *)pb;
    int d = strcmp(a->a, b->a);
    if (!d)
        d = strcmp(a->b, b->b);
    return d ? d : via_rank(a->via) - via_rank(b->via);
}

/* Joins each account of sorted (ascending) to the smallest one holding
 * the same KYC value, per linking column. */
static gboolean shared_values(CaseStore *s, GPtrArray *sorted, GPtrArray *found, GError **error)
{
    g_autoptr(GPtrArray) first = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_unref);
    for (guint k = 0; case_link_keys[k]; k++)
        g_ptr_array_add(first, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL));
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < sorted->len; i++) {
        const char *id = g_ptr_array_index(sorted, i);
        GError *err = NULL;
        CaseAccount *acc = s->ops->account(s, id, &err);
        if (err) {
            g_propagate_error(error, err);
            ok = FALSE;
        }
        for (guint k = 0; acc && case_link_keys[k]; k++) {
            const char *v = case_account_get(acc, case_link_keys[k]);
            if (!*v)
                continue;
            char *key = g_utf8_strdown(v, -1);
            GHashTable *holders = g_ptr_array_index(first, k);
            const char *holder = g_hash_table_lookup(holders, key);
            if (holder) {
                g_ptr_array_add(found, case_join_new(holder, id, case_link_words[k]));
                g_free(key);
            } else {
                g_hash_table_insert(holders, key, (gpointer)id);
            }
        }
        case_account_free(acc);
    }
    return ok;
}

/* Counts one evidence partner of acc (degree: acc -> GHashTable of partners). */
static void partner(GHashTable *degree, const char *acc, const char *other)
{
    GHashTable *set = g_hash_table_lookup(degree, acc);
    if (!set) {
        set = g_hash_table_new(g_str_hash, g_str_equal);
        g_hash_table_insert(degree, (gpointer)acc, set);
    }
    g_hash_table_add(set, (gpointer)other);
}

/* Joins the two sides of each evidence transaction when both are in the
 * set (parent's keys), unless it is a purchase (a card payment or a
 * prepaid top-up ties a customer to a shop, not to a case) or one side is
 * a hub (more than CASE_NETWORK_HUB evidence partners in the set). */
static gboolean evidence_joins(CaseStore *s, const CaseNetworkAlerts *alerts, GHashTable *parent,
                               GPtrArray *found, GPtrArray *hubs, GError **error)
{
    g_autoptr(GPtrArray) evidence = g_ptr_array_new();
    GHashTableIter ei;
    gpointer id;
    g_hash_table_iter_init(&ei, alerts->ev);
    while (g_hash_table_iter_next(&ei, &id, NULL))
        g_ptr_array_add(evidence, id);
    g_autoptr(GPtrArray) txns = s->ops->txns_by_id(s, evidence, error);
    if (!txns)
        return FALSE;
    g_autoptr(GPtrArray) pairs = g_ptr_array_new(); /* CaseTx *, borrowed */
    g_autoptr(GHashTable) degree =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)g_hash_table_unref);
    for (guint i = 0; i < txns->len; i++) {
        CaseTx *t = g_ptr_array_index(txns, i);
        if (t->channel == CHANNEL_CARD || t->channel == CHANNEL_PREPAID_LOAD ||
            strcmp(t->from, t->to) == 0 || !g_hash_table_contains(parent, t->from) ||
            !g_hash_table_contains(parent, t->to) || !same_family(alerts, t))
            continue;
        g_ptr_array_add(pairs, t);
        partner(degree, t->from, t->to);
        partner(degree, t->to, t->from);
    }
    g_autoptr(GHashTable) is_hub = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, degree);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        guint n = g_hash_table_size(v);
        if (n <= CASE_NETWORK_HUB_BUSINESS)
            continue;
        GError *err = NULL;
        CaseAccount *acc = s->ops->account(s, k, &err);
        if (err) {
            g_propagate_error(error, err);
            return FALSE;
        }
        gboolean business = strcmp(case_account_get(acc, "kind"), "business") == 0;
        case_account_free(acc);
        if (business || n > CASE_NETWORK_HUB) {
            g_hash_table_add(is_hub, k);
            g_ptr_array_add(hubs, g_strdup(k));
        }
    }
    g_ptr_array_sort(hubs, cmp_str);
    for (guint i = 0; i < pairs->len; i++) {
        const CaseTx *t = g_ptr_array_index(pairs, i);
        if (!g_hash_table_contains(is_hub, t->from) && !g_hash_table_contains(is_hub, t->to))
            g_ptr_array_add(found, case_join_new(t->from, t->to, "evidence"));
    }
    return TRUE;
}

GHashTable *case_network_group(CaseStore *s, GPtrArray *accounts, CaseNetworkAlerts *alerts,
                               GPtrArray *joins, GPtrArray *hubs, GError **error)
{
    g_autoptr(GPtrArray) sorted = g_ptr_array_copy(accounts, NULL, NULL);
    g_ptr_array_sort(sorted, cmp_str);
    g_autoptr(GHashTable) parent = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < sorted->len; i++)
        g_hash_table_insert(parent, g_ptr_array_index(sorted, i), g_ptr_array_index(sorted, i));
    g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func((GDestroyNotify)case_join_free);
    if (!evidence_joins(s, alerts, parent, found, hubs, error) ||
        !shared_values(s, sorted, found, error))
        return NULL;
    g_ptr_array_sort(found, cmp_join);
    const CaseJoin *prev = NULL;
    for (guint i = 0; i < found->len; i++) {
        CaseJoin *j = g_ptr_array_index(found, i);
        if (prev && cmp_join(&prev, &j) == 0)
            continue;
        prev = j;
        unite(parent, j->a, j->b);
        g_ptr_array_add(joins, case_join_new(j->a, j->b, j->via));
    }
    GHashTable *out = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    for (guint i = 0; i < sorted->len; i++) {
        const char *id = g_ptr_array_index(sorted, i);
        g_hash_table_insert(out, (gpointer)id, g_strdup(find(parent, id)));
    }
    return out;
}
