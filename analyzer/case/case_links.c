/* case_links.c: the links of an account (see case_links.h). Shared
 * identifiers come from the store's KYC records (the same comparison
 * read/kyc.c makes for the shared_* counts: exact text, ignoring case);
 * the alerts of the linked accounts come from one pass over the alerts,
 * so a big alert file costs one read however many links there are. */
#include <stdlib.h>
#include <string.h>

#include "case/case_links.h"

void case_link_free(CaseLink *l)
{
    if (!l)
        return;
    g_free(l->account);
    g_free(l->name);
    g_free(l->via);
    g_string_free(l->rules, TRUE);
    g_free(l);
}

/* A link to account with via (both copied) and no alerts yet. */
static CaseLink *link_new(const char *account, const char *name, const char *via)
{
    CaseLink *l = g_new0(CaseLink, 1);
    l->account = g_strdup(account);
    l->name = g_strdup(name);
    l->via = g_strdup(via);
    l->rules = g_string_new(NULL);
    return l;
}

GPtrArray *case_links_shared(CaseStore *s, const char *account, GError **error)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_link_free);
    g_autoptr(GError) err = NULL;
    CaseAccount *me = s->ops->account(s, account, &err);
    if (!me) {
        if (!err)
            return out;
        g_propagate_error(error, g_steal_pointer(&err));
        g_ptr_array_unref(out);
        return NULL;
    }
    g_autoptr(GPtrArray) others = s->ops->linked(s, account, error);
    for (guint i = 0; others && i < others->len; i++) {
        const CaseAccount *o = g_ptr_array_index(others, i);
        g_autoptr(GString) via = g_string_new(NULL);
        for (guint k = 0; case_link_keys[k]; k++) {
            const char *x = case_account_get(me, case_link_keys[k]);
            if (*x && g_ascii_strcasecmp(x, case_account_get(o, case_link_keys[k])) == 0)
                g_string_append_printf(via, "%s%s", via->len ? ", " : "", case_link_words[k]);
        }
        g_ptr_array_add(out, link_new(case_account_get(o, "account_id"),
                                      case_account_get(o, "name"), via->str));
    }
    case_account_free(me);
    if (!others) {
        g_ptr_array_unref(out);
        return NULL;
    }
    return out;
}

static gint cmp_link(gconstpointer pa, gconstpointer pb)
{
    return strcmp((*(CaseLink *const *)pa)->account, (*(CaseLink *const *)pb)->account);
}

GPtrArray *case_links_counterparties(const char *account, GPtrArray *txns)
{
    enum { PAID = 1, RECEIVED = 2 };
    g_autoptr(GHashTable) dir = g_hash_table_new(g_str_hash, g_str_equal); /* borrowed keys */
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        gboolean out = strcmp(t->from, account) == 0;
        const char *other = out ? t->to : t->from;
        if (!*other || strcmp(other, account) == 0)
            continue;
        guint d = GPOINTER_TO_UINT(g_hash_table_lookup(dir, other));
        g_hash_table_insert(dir, (gpointer)other, GUINT_TO_POINTER(d | (out ? PAID : RECEIVED)));
    }
    GPtrArray *links = g_ptr_array_new_with_free_func((GDestroyNotify)case_link_free);
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, dir);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        guint d = GPOINTER_TO_UINT(val);
        const char *via = d == (PAID | RECEIVED) ? "paid to, received from"
                          : d == PAID            ? "paid to"
                                                 : "received from";
        g_ptr_array_add(links, link_new(key, "", via));
    }
    g_ptr_array_sort(links, cmp_link);
    return links;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The account -> CaseLink * index (borrowed) for counting alerts. */
static gboolean count_one(CaseAlert *a, void *user)
{
    CaseLink *l = g_hash_table_lookup(user, a->account);
    if (l) {
        l->alerts++;
        l->score += a->score;
        g_autofree char *word = g_strdup_printf(", %s,", a->rule);
        g_autofree char *have = g_strdup_printf(", %s,", l->rules->str);
        if (!strstr(have, word))
            g_string_append_printf(l->rules, "%s%s", l->rules->len ? ", " : "", a->rule);
    }
    case_alert_free(a);
    return TRUE;
}

/* Sorts the comma-separated rule list in place, so that files and the
 * database (which stream alerts in different orders) agree. */
static void sort_rules(GString *rules)
{
    g_auto(GStrv) parts = g_strsplit(rules->str, ", ", -1);
    qsort(parts, g_strv_length(parts), sizeof *parts, cmp_str);
    g_autofree char *joined = g_strjoinv(", ", parts);
    g_string_assign(rules, joined);
}

gboolean case_links_count_alerts(CaseStore *s, GPtrArray *links, gboolean drop_quiet,
                                 GError **error)
{
    if (!links->len)
        return TRUE;
    g_autoptr(GHashTable) by = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < links->len; i++) {
        CaseLink *l = g_ptr_array_index(links, i);
        g_hash_table_insert(by, l->account, l);
    }
    CaseFilter f;
    case_filter_init(&f);
    if (!s->ops->each_alert(s, &f, count_one, by, error))
        return FALSE;
    for (guint i = links->len; drop_quiet && i-- > 0;)
        if (!((CaseLink *)g_ptr_array_index(links, i))->alerts)
            g_ptr_array_remove_index(links, i);
    for (guint i = 0; i < links->len; i++) {
        CaseLink *l = g_ptr_array_index(links, i);
        sort_rules(l->rules);
        if (!*l->name) {
            g_free(l->name);
            l->name = case_display_name(s, l->account);
            if (strcmp(l->name, l->account) == 0)
                *l->name = '\0';
        }
    }
    return TRUE;
}

GPtrArray *case_links_indicators(const CaseAlert *a)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    const JVal *list = a->json ? jval_get(a->json, "indicators") : NULL;
    for (guint i = 0; list && i < jval_len(list); i++) {
        const JVal *h = jval_at(list, i);
        CaseIndicator *c = g_new0(CaseIndicator, 1);
        c->alert_id = jval_get_str(h, "alert_id");
        c->rule = jval_get_str(h, "rule");
        c->account = jval_get_str(h, "account");
        c->ts = jval_get_str(h, "ts");
        g_ptr_array_add(out, c);
    }
    return out;
}
