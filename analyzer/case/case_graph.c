/* case_graph.c: DOT text for the flow around an account, and SVG from it
 * through Graphviz's `dot` (run on a temporary file under a time bound,
 * output captured). */
#include "case/case_graph.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gstdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/tstamp.h"
#include "base/money.h"
#include "case/case_flow.h"

#define OTHER_NODE "(other accounts)"

/* What a node is for the picture: an account in its own right, or one of
 * the kinds that collapse into a group node when nothing marks it. */
typedef enum { KIND_ACCOUNT, KIND_MERCHANT, KIND_UTILITY, KIND_PAYROLL, KIND_N } NodeKind;

static const char *const group_ids[KIND_N] = {NULL, "group:merchants", "group:utilities",
                                              "group:payroll"};
static const char *const group_words[KIND_N] = {NULL, "merchants", "utilities and telecoms",
                                                "payroll payers"};

/* Why a node is kept whatever its volume, most important first. */
enum { KEEP_NONE, KEEP_EVIDENCE, KEEP_ALERTS, KEEP_ROLE, KEEP_SUBJECT };

typedef struct {
    char *id;
    gint64 volume; /* money in plus out, for ranking */
    gboolean cash;
    gboolean payroll; /* sent payroll */
    guint16 mcc;      /* the MCC of card payments it received, TXN_MCC_NONE if none */
    int keep;         /* KEEP_* */
} Node;

/* MCCs of utilities and telecoms: electricity, gas, water (4900), telephone
 * and telecom services (4812, 4814), cable and pay TV (4899). */
static gboolean utility_mcc(guint16 mcc)
{
    return mcc == 4900 || mcc == 4812 || mcc == 4814 || mcc == 4899;
}

/* A shop that also pays wages is drawn as a shop: its customers
 * outnumber its staff. */
static NodeKind node_kind(const Node *n)
{
    if (n->mcc != TXN_MCC_NONE)
        return utility_mcc(n->mcc) ? KIND_UTILITY : KIND_MERCHANT;
    return n->payroll ? KIND_PAYROLL : KIND_ACCOUNT;
}

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

static char *node_name(const CaseFlow *f, gboolean sender)
{
    const char *acc = sender ? f->from : f->to;
    if (*acc)
        return g_strdup(acc);
    return g_strdup_printf("cash:%s", sender ? f->to : f->from);
}

static Node *node_at(GHashTable *nodes, const char *id)
{
    Node *n = g_hash_table_lookup(nodes, id);
    if (!n) {
        n = g_new0(Node, 1);
        n->id = g_strdup(id);
        n->cash = g_str_has_prefix(id, "cash:");
        n->mcc = TXN_MCC_NONE;
        g_hash_table_insert(nodes, n->id, n);
    }
    return n;
}

/* Most important first: what keeps a node, then the money it moved. */
static gint cmp_relevance(gconstpointer pa, gconstpointer pb)
{
    const Node *a = *(Node *const *)pa, *b = *(Node *const *)pb;
    if (a->keep != b->keep)
        return a->keep > b->keep ? -1 : 1;
    if (a->volume != b->volume)
        return a->volume > b->volume ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Chooses what is drawn: the kept nodes (the subject, accounts with a
 * role or alerts, counterparties of the subject's evidence) first; the
 * merchants, utilities and payroll payers nothing keeps collapse into one
 * node per kind when there are two or more of the kind; then the accounts
 * that moved the most, up to CASE_GRAPH_MAX_NODES nodes, the rest merged
 * into OTHER_NODE. Returns node id -> drawn id (caller unrefs; the values
 * are borrowed from nodes or static); *n_other and n_group (KIND_N counts)
 * receive how many each merged node stands for. */
static GHashTable *choose_nodes(GHashTable *nodes, guint *n_other, guint *n_group)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, nodes);
    while (g_hash_table_iter_next(&it, &k, &v))
        g_ptr_array_add(all, v);
    g_ptr_array_sort(all, cmp_relevance);
    guint of_kind[KIND_N] = {0};
    for (guint i = 0; i < all->len; i++) {
        const Node *n = g_ptr_array_index(all, i);
        of_kind[n->keep ? KIND_ACCOUNT : node_kind(n)]++;
    }
    guint budget = CASE_GRAPH_MAX_NODES, left = of_kind[KIND_ACCOUNT];
    for (int kind = 1; kind < KIND_N; kind++) {
        if (of_kind[kind] >= 2)
            budget--;
        else
            left += of_kind[kind];
    }
    gboolean cut = left > budget;
    guint kept = 0;
    *n_other = 0;
    GHashTable *map = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < all->len; i++) {
        const Node *n = g_ptr_array_index(all, i);
        NodeKind kind = n->keep ? KIND_ACCOUNT : node_kind(n);
        const char *to = n->id;
        if (kind != KIND_ACCOUNT && of_kind[kind] >= 2) {
            to = group_ids[kind];
            n_group[kind]++;
        } else if (n->keep == KEEP_SUBJECT || !cut || kept < budget - 1) {
            kept++;
        } else {
            to = OTHER_NODE;
            (*n_other)++;
        }
        g_hash_table_insert(map, g_strdup(n->id), (gpointer)to);
    }
    return map;
}

/* Adds flow f (flows come in case_flows_sort order) to the link from -> to. */
static void link_add(GHashTable *links, GPtrArray *order, const char *from, const char *to,
                     const CaseFlow *f)
{
    g_autofree char *key = g_strdup_printf("%s\t%s", from, to);
    Link *l = g_hash_table_lookup(links, key);
    if (!l) {
        l = g_new0(Link, 1);
        l->from = g_strdup(from);
        l->to = g_strdup(to);
        l->first = f->first;
        l->last = f->last;
        l->exp = f->exp;
        g_strlcpy(l->currency, f->currency, sizeof l->currency);
        g_hash_table_insert(links, g_steal_pointer(&key), l);
        g_ptr_array_add(order, l);
    }
    l->total += f->total;
    l->n += f->n;
    l->last = MAX(l->last, f->last);
    l->first = MIN(l->first, f->first);
}

/* account -> GString "RULE, RULE" and account -> role, from all alerts;
 * the evidence tx ids of the subject's alerts appended to evidence. */
static void alert_marks(CaseStore *s, const char *subject, GHashTable *rules, GHashTable *roles,
                        GPtrArray *evidence)
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
        for (guint e = 0; strcmp(a->account, subject) == 0 && e < a->evidence->len; e++)
            g_ptr_array_add(evidence, g_strdup(g_ptr_array_index(a->evidence, e)));
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
    guint n_other, n_group[KIND_N];
} Drawing;

static void write_node(Drawing *d, const char *id)
{
    GString *o = d->dot;
    g_string_append(o, "  \"");
    dot_str(o, id);
    if (strcmp(id, OTHER_NODE) == 0) {
        g_string_append_printf(o,
                               "\" [shape=folder, label=\"%u other account%s\", "
                               "fillcolor=\"#eeeeee\", style=filled];\n",
                               d->n_other, d->n_other == 1 ? "" : "s");
        return;
    }
    for (int k = 1; k < KIND_N; k++) {
        if (strcmp(id, group_ids[k]) == 0) {
            g_string_append_printf(o,
                                   "\" [shape=box3d, label=\"%u %s\", fillcolor=\"#eef4ff\", "
                                   "style=filled];\n",
                                   d->n_group[k], group_words[k]);
            return;
        }
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

static void write_graph(Drawing *d, GPtrArray *links, GHashTable *drawn)
{
    GString *o = d->dot;
    g_string_append(o, "digraph flow {\n  rankdir=LR;\n  graph [fontname=\"Helvetica\", "
                       "fontsize=11, labelloc=t, label=\"money around ");
    dot_str(o, d->subject);
    g_string_append(o, "\"];\n  node [fontname=\"Helvetica\", fontsize=10];\n"
                       "  edge [fontname=\"Helvetica\", fontsize=8, arrowsize=0.7];\n");
    GList *ids = g_list_sort(g_hash_table_get_keys(drawn), (GCompareFunc)strcmp);
    for (GList *l = ids; l; l = l->next)
        write_node(d, l->data);
    g_list_free(ids);
    gint64 max_total = 0;
    for (guint i = 0; i < links->len; i++)
        max_total = MAX(max_total, ((Link *)g_ptr_array_index(links, i))->total);
    for (guint i = 0; i < links->len; i++)
        write_link(d, g_ptr_array_index(links, i), max_total);
    g_string_append(o, "}\n");
}

/* Nodes and their volume, payroll and MCC marks from flows: a receiver's
 * MCC is that of the latest card payment to it that has one. */
static void add_nodes(GHashTable *nodes, GPtrArray *flows)
{
    g_autoptr(GHashTable) mcc_of = g_hash_table_new(g_str_hash, g_str_equal); /* -> CaseFlow */
    for (guint i = 0; i < flows->len; i++) {
        const CaseFlow *f = g_ptr_array_index(flows, i);
        g_autofree char *a = node_name(f, TRUE), *b = node_name(f, FALSE);
        Node *na = node_at(nodes, a), *nb = node_at(nodes, b);
        na->volume += f->total;
        nb->volume += f->total;
        na->payroll |= f->payroll && *f->from;
        const CaseFlow *m = g_hash_table_lookup(mcc_of, nb->id);
        if (f->mcc_tx && *f->to &&
            (!m || f->mcc_ts > m->mcc_ts ||
             (f->mcc_ts == m->mcc_ts && strcmp(f->mcc_tx, m->mcc_tx) > 0))) {
            nb->mcc = f->mcc;
            g_hash_table_insert(mcc_of, nb->id, (gpointer)f);
        }
    }
}

/* The flows of the subject's neighbourhood: one hop to classify its
 * counterparties, summed by the store (a hub's million transactions come
 * as one flow per counterparty); more only when the subject is not busy
 * (at most CASE_GRAPH_BUSY counterparties), never through merchants,
 * utilities or payroll payers (their other customers say nothing of the
 * case), read transaction by transaction and summed here. */
static GPtrArray *neighbourhood(CaseStore *s, const GraphQuery *q, GraphStats *st, GError **error)
{
    GPtrArray *one = case_flows_of(s, q->account, q->from, q->to, error);
    if (!one || q->hops <= 1)
        return one;
    g_autoptr(GHashTable) nodes =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)node_free);
    add_nodes(nodes, one);
    if (g_hash_table_size(nodes) - 1 > CASE_GRAPH_BUSY) {
        st->busy = TRUE;
        return one;
    }
    g_ptr_array_unref(one);
    g_autoptr(GHashTable) skip = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, nodes);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (node_kind(v) != KIND_ACCOUNT)
            g_hash_table_add(skip, k);
    st->hops = q->hops;
    g_autoptr(GPtrArray) txns = case_neighbourhood(s, q->account, q->hops, q->from, q->to,
                                                   CASE_GRAPH_MAX_EXPAND, skip, error);
    return txns ? case_flows_sum(txns) : NULL;
}

/* Marks the nodes kept whatever their volume (see choose_nodes). */
static gboolean mark_kept(CaseStore *s, const char *subject, GHashTable *nodes, Drawing *d,
                          GPtrArray *evidence, GError **error)
{
    g_autoptr(GPtrArray) ev = s->ops->txns_by_id(s, evidence, error);
    if (!ev)
        return FALSE;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, nodes);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        Node *n = v;
        n->keep = strcmp(n->id, subject) == 0              ? KEEP_SUBJECT
                  : g_hash_table_contains(d->roles, n->id) ? KEEP_ROLE
                  : g_hash_table_contains(d->rules, n->id) ? KEEP_ALERTS
                                                           : KEEP_NONE;
    }
    for (guint i = 0; i < ev->len; i++) {
        const CaseTx *t = g_ptr_array_index(ev, i);
        const char *ends[] = {t->from, t->to};
        for (int e = 0; e < 2; e++) {
            Node *n = g_hash_table_lookup(nodes, ends[e]);
            if (n && n->keep == KEEP_NONE)
                n->keep = KEEP_EVIDENCE;
        }
    }
    return TRUE;
}

gboolean case_graph_dot(CaseStore *s, const GraphQuery *q, GString *dot, GraphStats *stats,
                        GError **error)
{
    GraphStats st = {0, 1, FALSE};
    g_autoptr(GPtrArray) flows = neighbourhood(s, q, &st, error);
    if (!flows)
        return FALSE;
    g_autoptr(GHashTable) nodes =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)node_free);
    node_at(nodes, q->account);
    add_nodes(nodes, flows);
    Drawing d = {s, q->account, NULL, NULL, dot, 0, {0}};
    d.rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_gstring);
    d.roles = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GPtrArray) evidence = g_ptr_array_new_with_free_func(g_free);
    alert_marks(s, q->account, d.rules, d.roles, evidence);
    gboolean ok = mark_kept(s, q->account, nodes, &d, evidence, error);
    if (ok) {
        g_autoptr(GHashTable) map = choose_nodes(nodes, &d.n_other, d.n_group);
        g_autoptr(GHashTable) drawn = g_hash_table_new(g_str_hash, g_str_equal);
        g_autoptr(GHashTable) links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func((GDestroyNotify)link_free);
        GHashTableIter it;
        gpointer k, v;
        g_hash_table_iter_init(&it, map);
        while (g_hash_table_iter_next(&it, &k, &v))
            g_hash_table_add(drawn, v);
        for (guint i = 0; i < flows->len; i++) {
            const CaseFlow *f = g_ptr_array_index(flows, i);
            g_autofree char *a = node_name(f, TRUE), *b = node_name(f, FALSE);
            const char *da = g_hash_table_lookup(map, a), *db = g_hash_table_lookup(map, b);
            if (strcmp(da, db) != 0)
                link_add(links, order, da, db, f);
        }
        write_graph(&d, order, drawn);
        st.nodes = g_hash_table_size(drawn);
    }
    g_hash_table_unref(d.rules);
    g_hash_table_unref(d.roles);
    if (stats)
        *stats = st;
    return ok;
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
    /* coreutils' timeout bounds the layout: a graph Graphviz cannot lay
     * out in time is refused with what to do instead. */
    g_autofree char *secs = g_strdup_printf("%d", CASE_GRAPH_DOT_SECONDS);
    char *argv[] = {(char *)"timeout", secs, (char *)"dot", (char *)"-Tsvg", tmp, NULL};
    g_autofree char *out = NULL, *err_text = NULL;
    int status = 0;
    gboolean ok = g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err_text,
                               &status, error);
    g_unlink(tmp);
    if (!ok) {
        g_prefix_error(error, "cannot run graphviz: 'dot': ");
        return FALSE;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 124) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_DATA,
                    "graphviz did not lay the graph out within %d s: write -o FILE.dot "
                    "instead, or draw less (--hops 1, --from, --to)",
                    CASE_GRAPH_DOT_SECONDS);
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
