/* case_graph.c: DOT text for the flow around an account, and SVG from it
 * through Graphviz's `dot` (run on a temporary file, output captured). */
#include "case/case_graph.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "base/tstamp.h"
#include "base/money.h"

#define OTHER_NODE "(other accounts)"

typedef struct {
    char *id;
    gint64 volume; /* money in plus out, for ranking */
    gboolean cash;
} Node;

typedef struct {
    char *from, *to;
    gint64 total;
    guint n;
    gint64 first, last;
    int exp;
    char currency[4];
} Link;

static void node_free(Node *n)
{
    g_free(n->id);
    g_free(n);
}

static void link_free(Link *l)
{
    g_free(l->from);
    g_free(l->to);
    g_free(l);
}

/* Appends s as a DOT double-quoted string body (escapes " and \). */
static void dot_str(GString *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            g_string_append_c(out, '\\');
        g_string_append_c(out, *s);
    }
}

static char *node_name(const CaseTx *t, gboolean sender)
{
    const char *acc = sender ? t->from : t->to;
    if (*acc)
        return g_strdup(acc);
    return g_strdup_printf("cash:%s", sender ? t->to : t->from);
}

static Node *node_at(GHashTable *nodes, const char *id)
{
    Node *n = g_hash_table_lookup(nodes, id);
    if (!n) {
        n = g_new0(Node, 1);
        n->id = g_strdup(id);
        n->cash = g_str_has_prefix(id, "cash:");
        g_hash_table_insert(nodes, n->id, n);
    }
    return n;
}

static gint cmp_volume(gconstpointer pa, gconstpointer pb)
{
    const Node *a = *(Node *const *)pa, *b = *(Node *const *)pb;
    if (a->volume != b->volume)
        return a->volume > b->volume ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Keeps the subject and the accounts that moved the most; maps every
 * other node to OTHER_NODE. Returns node id -> drawn id. */
static GHashTable *choose_nodes(GHashTable *nodes, const char *subject)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, nodes);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(all, v);
    g_ptr_array_sort(all, cmp_volume);
    GHashTable *map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    gboolean cut = all->len > CASE_GRAPH_MAX_NODES;
    guint kept = 1;
    g_hash_table_insert(map, g_strdup(subject), g_strdup(subject));
    for (guint i = 0; i < all->len; i++) {
        const Node *n = g_ptr_array_index(all, i);
        if (strcmp(n->id, subject) == 0)
            continue;
        gboolean keep = !cut || kept < CASE_GRAPH_MAX_NODES - 1;
        kept += keep;
        g_hash_table_insert(map, g_strdup(n->id), g_strdup(keep ? n->id : OTHER_NODE));
    }
    return map;
}

static void link_add(GHashTable *links, GPtrArray *order, const char *from, const char *to,
                     const CaseTx *t)
{
    g_autofree char *key = g_strdup_printf("%s\t%s", from, to);
    Link *l = g_hash_table_lookup(links, key);
    if (!l) {
        l = g_new0(Link, 1);
        l->from = g_strdup(from);
        l->to = g_strdup(to);
        l->first = t->ts;
        l->exp = t->exp;
        g_strlcpy(l->currency, t->currency, sizeof l->currency);
        g_hash_table_insert(links, g_steal_pointer(&key), l);
        g_ptr_array_add(order, l);
    }
    l->total += t->amount;
    l->n++;
    l->last = MAX(l->last, t->ts);
    l->first = MIN(l->first, t->ts);
}

/* account -> GString "RULE, RULE" and account -> role, from all alerts. */
static void alert_marks(CaseStore *s, GHashTable *rules, GHashTable *roles)
{
    CaseFilter f;
    case_filter_init(&f);
    g_autoptr(GError) err = NULL;
    g_autoptr(GPtrArray) alerts = s->ops->alerts(s, &f, &err);
    for (guint i = 0; alerts && i < alerts->len; i++) {
        const CaseAlert *a = g_ptr_array_index(alerts, i);
        GString *r = g_hash_table_lookup(rules, a->account);
        if (!r)
            g_hash_table_insert(rules, g_strdup(a->account), g_string_new(a->rule));
        else if (!strstr(r->str, a->rule))
            g_string_append_printf(r, ", %s", a->rule);
        if (a->role)
            g_hash_table_replace(roles, g_strdup(a->account), g_strdup(a->role));
    }
}

static void free_gstring(gpointer p)
{
    g_string_free(p, TRUE);
}

typedef struct {
    CaseStore *s;
    const char *subject;
    GHashTable *rules, *roles;
    GString *dot;
} Drawing;

static void write_node(Drawing *d, const char *id, guint n_other)
{
    GString *o = d->dot;
    g_string_append(o, "  \"");
    dot_str(o, id);
    if (strcmp(id, OTHER_NODE) == 0) {
        g_string_append_printf(o,
                               "\" [shape=folder, label=\"%u other accounts\", "
                               "fillcolor=\"#eeeeee\", style=filled];\n",
                               n_other);
        return;
    }
    if (g_str_has_prefix(id, "cash:")) {
        g_string_append(o, "\" [shape=note, label=\"cash\", fontsize=8, style=filled, "
                           "fillcolor=\"#e8e8e8\"];\n");
        return;
    }
    g_autoptr(GError) err = NULL;
    CaseAccount *k = d->s->ops->account(d->s, id, &err);
    const GString *rules = g_hash_table_lookup(d->rules, id);
    const char *role = g_hash_table_lookup(d->roles, id);
    g_string_append(o, "\" [label=\"");
    dot_str(o, id);
    if (k && *case_account_get(k, "name")) {
        g_string_append(o, "\\n");
        dot_str(o, case_account_get(k, "name"));
    }
    if (rules) {
        g_string_append(o, "\\n");
        dot_str(o, rules->str);
    }
    if (role) {
        g_string_append(o, "\\n(");
        dot_str(o, role);
        g_string_append(o, ")");
    }
    const char *fill = role && strstr(role, "victim") ? "#ffe0a0" : rules ? "#f4a6a6" : "#ffffff";
    g_string_append_printf(o, "\", shape=%s, style=\"filled%s\", fillcolor=\"%s\"%s];\n",
                           strcmp(case_account_get(k, "kind"), "business") == 0 ? "box" : "ellipse",
                           k ? "" : ",dashed", fill,
                           strcmp(id, d->subject) == 0 ? ", penwidth=3, peripheries=2" : "");
    case_account_free(k);
}

static void write_link(Drawing *d, const Link *l, gint64 max_total)
{
    char amt[32], d0[16], d1[16];
    double w = max_total > 0 ? sqrt((double)l->total / (double)max_total) : 0;
    g_string_append(d->dot, "  \"");
    dot_str(d->dot, l->from);
    g_string_append(d->dot, "\" -> \"");
    dot_str(d->dot, l->to);
    tstamp_format_date(l->first, d0);
    tstamp_format_date(l->last, d1);
    g_string_append_printf(d->dot, "\" [penwidth=%.1f, label=\"%s %s\\n%u tx %s", 1 + 5 * w,
                           money_format(l->total, l->exp, amt), l->currency, l->n, d0);
    if (strcmp(d0, d1) != 0)
        g_string_append_printf(d->dot, "..%s", d1 + 5);
    g_string_append_printf(
        d->dot, "\", color=\"%s\"];\n",
        strcmp(l->from, d->subject) == 0 || strcmp(l->to, d->subject) == 0 ? "#333333" : "#888888");
}

static void write_graph(Drawing *d, GPtrArray *links, GHashTable *drawn, guint n_other)
{
    GString *o = d->dot;
    g_string_append(o, "digraph flow {\n  rankdir=LR;\n  graph [fontname=\"Helvetica\", "
                       "fontsize=11, labelloc=t, label=\"money around ");
    dot_str(o, d->subject);
    g_string_append(o, "\"];\n  node [fontname=\"Helvetica\", fontsize=10];\n"
                       "  edge [fontname=\"Helvetica\", fontsize=8, arrowsize=0.7];\n");
    GList *ids = g_list_sort(g_hash_table_get_keys(drawn), (GCompareFunc)strcmp);
    for (GList *l = ids; l; l = l->next)
        write_node(d, l->data, n_other);
    g_list_free(ids);
    gint64 max_total = 0;
    for (guint i = 0; i < links->len; i++)
        max_total = MAX(max_total, ((Link *)g_ptr_array_index(links, i))->total);
    for (guint i = 0; i < links->len; i++)
        write_link(d, g_ptr_array_index(links, i), max_total);
    g_string_append(o, "}\n");
}

gboolean case_graph_dot(CaseStore *s, const GraphQuery *q, GString *dot, guint *n_nodes,
                        GError **error)
{
    g_autoptr(GPtrArray) txns =
        case_neighbourhood(s, q->account, q->hops, q->from, q->to, 2000, error);
    if (!txns)
        return FALSE;
    g_autoptr(GHashTable) nodes =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)node_free);
    node_at(nodes, q->account);
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        g_autofree char *a = node_name(t, TRUE), *b = node_name(t, FALSE);
        node_at(nodes, a)->volume += t->amount;
        node_at(nodes, b)->volume += t->amount;
    }
    g_autoptr(GHashTable) map = choose_nodes(nodes, q->account);
    g_autoptr(GHashTable) drawn = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func((GDestroyNotify)link_free);
    guint n_other = 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, map);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        g_hash_table_add(drawn, v);
        n_other += strcmp(v, OTHER_NODE) == 0;
    }
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        g_autofree char *a = node_name(t, TRUE), *b = node_name(t, FALSE);
        const char *da = g_hash_table_lookup(map, a), *db = g_hash_table_lookup(map, b);
        if (strcmp(da, db) != 0)
            link_add(links, order, da, db, t);
    }
    Drawing d = {s, q->account, NULL, NULL, dot};
    d.rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_gstring);
    d.roles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    alert_marks(s, d.rules, d.roles);
    write_graph(&d, order, drawn, n_other);
    g_hash_table_unref(d.rules);
    g_hash_table_unref(d.roles);
    if (n_nodes)
        *n_nodes = g_hash_table_size(drawn);
    return TRUE;
}

gboolean case_graph_svg(const char *dot, GString *svg, GError **error)
{
    g_autofree char *tmp = NULL;
    int fd = g_file_open_tmp("moneytrail-XXXXXX.dot", &tmp, error);
    if (fd < 0)
        return FALSE;
    close(fd);
    if (!g_file_set_contents(tmp, dot, -1, error)) {
        g_unlink(tmp);
        return FALSE;
    }
    char *argv[] = {(char *)"dot", (char *)"-Tsvg", tmp, NULL};
    g_autofree char *out = NULL, *err_text = NULL;
    int status = 0;
    gboolean ok = g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err_text,
                               &status, error);
    g_unlink(tmp);
    if (!ok) {
        g_prefix_error(error, "cannot run graphviz: 'dot': ");
        return FALSE;
    }
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_DATA, "graphviz failed: 'dot': %s",
                    err_text ? g_strstrip(err_text) : "");
        return FALSE;
    }
    g_string_append(svg, out);
    return TRUE;
}
