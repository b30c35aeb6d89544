/* case_queue.c: alerts grouped into cases and ranked (see case_queue.h).
 * The queue owns a string chunk where every account, rule, typology, role,
 * status and assignee is interned once, and one Item per alert. */
#include "case/case_queue.h"

#include "case/case_network.h"

#include <math.h>
#include <string.h>

/* What the queue keeps of one alert; strings are interned (borrowed). */
typedef struct {
    const char *account, *rule, *strongest, *role, *status, *assignee, *assigned_at;
    double score;
    gint64 start, end, mute_end;
    gboolean typology;    /* a typology alert: ranks above indicators for "strongest" */
    guint ev_first, ev_n; /* its evidence tx ids in the queue's evidence */
} Item;

struct CaseQueue {
    CaseStore *store;
    gint64 half_life;
    GStringChunk *strings;
    GHashTable *interned; /* string -> same (in strings) */
    GArray *items;        /* Item */
    GPtrArray *evidence;  /* interned tx ids of the items' evidence */
};

void case_entry_free(CaseEntry *e)
{
    if (!e)
        return;
    g_free(e->id);
    g_ptr_array_unref(e->accounts);
    g_free(e->strongest);
    g_free(e->role);
    g_free(e->status);
    g_free(e->assignee);
    if (e->joins)
        g_ptr_array_unref(e->joins);
    if (e->hubs)
        g_ptr_array_unref(e->hubs);
    g_free(e);
}

gboolean case_sort_parse(const char *s, CaseSort *out)
{
    static const char *const names[] = {"score", "last", "first", "alerts", "new"};
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (CaseSort)i;
            return TRUE;
        }
    }
    return FALSE;
}

gboolean case_by_parse(const char *s, CaseBy *out)
{
    static const char *const names[] = {"customer", "account", "network"};
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (CaseBy)i;
            return TRUE;
        }
    }
    return FALSE;
}

CaseQueue *case_queue_new(CaseStore *s, gint64 half_life)
{
    g_assert(half_life > 0);
    CaseQueue *q = g_new0(CaseQueue, 1);
    q->store = s;
    q->half_life = half_life;
    q->strings = g_string_chunk_new(4096);
    q->interned = g_hash_table_new(g_str_hash, g_str_equal);
    q->items = g_array_new(FALSE, TRUE, sizeof(Item));
    q->evidence = g_ptr_array_new();
    return q;
}

void case_queue_free(CaseQueue *q)
{
    if (!q)
        return;
    g_string_chunk_free(q->strings);
    g_hash_table_unref(q->interned);
    g_array_unref(q->items);
    g_ptr_array_unref(q->evidence);
    g_free(q);
}

static const char *intern(CaseQueue *q, const char *s)
{
    if (!s)
        return NULL;
    const char *v = g_hash_table_lookup(q->interned, s);
    if (!v) {
        v = g_string_chunk_insert(q->strings, s);
        g_hash_table_add(q->interned, (gpointer)v);
    }
    return v;
}

/* The time of the latest triage entry that set an assignee, or NULL. */
static const char *assigned_at(const CaseAlert *a)
{
    for (guint i = a->triage->len; i-- > 0;) {
        const CaseTriage *t = g_ptr_array_index(a->triage, i);
        if (t->assignee)
            return t->at ? t->at : "";
    }
    return NULL;
}

gboolean case_alert_shadow(const CaseAlert *a)
{
    const JVal *s = a->json ? jval_get(a->json, "shadow") : NULL;
    return s && s->kind == JVAL_BOOL && s->num != 0;
}

gint64 case_alert_superseded(const CaseAlert *a, const char **at)
{
    const JVal *s = a->json ? jval_get(a->json, "superseded") : NULL;
    gint64 run = s ? (gint64)jval_get_num(s, "run", 0) : 0;
    if (run && at) {
        const char *when = jval_get_str(s, "at");
        *at = when ? when : "";
    }
    return run;
}

gboolean case_queue_add(CaseAlert *a, void *user)
{
    CaseQueue *q = user;
    if (case_alert_shadow(a)) {
        case_alert_free(a);
        return TRUE;
    }
    Item it = {
        .account = intern(q, a->account),
        .rule = intern(q, a->rule),
        .strongest = intern(q, a->typology ? a->typology : a->rule),
        .role = intern(q, a->role),
        .status = intern(q, case_alert_status(a)),
        .assignee = intern(q, case_alert_assignee(a)),
        .assigned_at = intern(q, assigned_at(a)),
        .score = a->score,
        .start = a->window_start,
        .end = a->window_end,
        .mute_end = case_alert_mute_end(a),
        .typology = a->typology != NULL,
        .ev_first = q->evidence->len,
        .ev_n = case_network_links(a->family) ? a->evidence->len : 0,
    };
    for (guint i = 0; i < it.ev_n; i++)
        g_ptr_array_add(q->evidence, (gpointer)intern(q, g_ptr_array_index(a->evidence, i)));
    g_array_append_val(q->items, it);
    case_alert_free(a);
    return TRUE;
}

char *case_queue_case_of(CaseStore *s, const char *account, GError **error)
{
    GError *err = NULL;
    CaseAccount *acc = s->ops->account(s, account, &err);
    if (err) {
        g_propagate_error(error, err);
        return NULL;
    }
    const char *cust = case_account_get(acc, "customer_id");
    char *id = g_strdup(*cust ? cust : account);
    case_account_free(acc);
    return id;
}

/* Marks the untriaged alerts that a dismissal's mute on the same account
 * and rule covers: window end after the dismissed alert's, before its
 * mute end. */
static void apply_mutes(CaseQueue *q, gboolean *muted)
{
    for (guint i = 0; i < q->items->len; i++) {
        const Item *d = &g_array_index(q->items, Item, i);
        if (d->mute_end == G_MININT64)
            continue;
        for (guint j = 0; j < q->items->len; j++) {
            const Item *x = &g_array_index(q->items, Item, j);
            if (x->account == d->account && x->rule == d->rule &&
                strcmp(x->status, CASE_STATUS_NEW) == 0 && x->end > d->end && x->end <= d->mute_end)
                muted[j] = TRUE;
        }
    }
}

static int status_rank(const char *s)
{
    static const char *const order[] = {"dismissed", CASE_STATUS_NEW, "under-review", "escalated"};
    for (gsize i = 0; i < G_N_ELEMENTS(order); i++)
        if (strcmp(s, order[i]) == 0)
            return (int)i;
    return 1;
}

/* Folds one alert into its case; ref is the newest window end. */
/* What fold remembers of a case besides its entry: the strongest alert's
 * rank and end, and the time of the latest assignment. */
typedef struct {
    double rank;
    gint64 end;
    const char *at;
} Best;

static void fold(CaseQueue *q, CaseEntry *e, const Item *it, gint64 ref, Best *best)
{
    e->alerts++;
    e->fresh += strcmp(it->status, CASE_STATUS_NEW) == 0;
    e->score += it->score * exp2(-(double)(ref - it->end) / (double)q->half_life);
    e->first = MIN(e->first, it->start);
    e->last = MAX(e->last, it->end);
    e->top = MAX(e->top, it->score);
    /* typology alerts rank above indicators, then score, then the latest */
    double rank = it->score + (it->typology ? 1e6 : 0);
    if (rank > best->rank || (rank == best->rank && it->end > best->end)) {
        best->rank = rank;
        best->end = it->end;
        g_free(e->strongest);
        g_free(e->role);
        e->strongest = g_strdup(it->strongest);
        e->role = g_strdup(it->role);
    }
    if (!e->status || status_rank(it->status) > status_rank(e->status)) {
        g_free(e->status);
        e->status = g_strdup(it->status);
    }
    if (it->assignee && (!best->at || strcmp(it->assigned_at, best->at) > 0)) {
        best->at = it->assigned_at;
        g_free(e->assignee);
        e->assignee = g_strdup(it->assignee);
    }
    for (guint i = 0; i < e->accounts->len; i++)
        if (strcmp(g_ptr_array_index(e->accounts, i), it->account) == 0)
            return;
    g_ptr_array_add(e->accounts, g_strdup(it->account));
}

static gint cmp_str(gconstpointer pa, gconstpointer pb)
{
    return strcmp(*(char *const *)pa, *(char *const *)pb);
}

/* Orders cases by the CaseSort user points to, then score, then id. */
static gint cmp_entry(gconstpointer pa, gconstpointer pb, gpointer user)
{
    const CaseEntry *a = *(CaseEntry *const *)pa, *b = *(CaseEntry *const *)pb;
    gint64 d = 0;
    switch (*(const CaseSort *)user) {
    case CASE_SORT_LAST:
        d = b->last - a->last;
        break;
    case CASE_SORT_FIRST:
        d = a->first - b->first;
        break;
    case CASE_SORT_ALERTS:
        d = (gint64)b->alerts - (gint64)a->alerts;
        break;
    case CASE_SORT_NEW:
        d = (gint64)b->fresh - (gint64)a->fresh;
        break;
    case CASE_SORT_SCORE:
        break;
    }
    if (d)
        return d < 0 ? -1 : 1;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* The group of every account of the items that are not muted (account ->
 * group id, owned), and for networks the joins and hubs found. */
static GHashTable *group_ids(CaseQueue *q, CaseBy by, const gboolean *muted, GPtrArray *joins,
                             GPtrArray *hubs, GError **error)
{
    g_autoptr(GHashTable) ids = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    g_autoptr(GPtrArray) accounts = g_ptr_array_new();
    g_autoptr(CaseNetworkAlerts) alerts = case_network_alerts_new();
    for (guint i = 0; i < q->items->len; i++) {
        const Item *it = &g_array_index(q->items, Item, i);
        const char *acc = it->account;
        if (!muted[i] && by == CASE_BY_NETWORK)
            case_network_alerts_add(alerts, acc, it->rule,
                                    (char *const *)q->evidence->pdata + it->ev_first, it->ev_n);
        if (muted[i] || g_hash_table_contains(ids, acc))
            continue;
        char *id =
            by == CASE_BY_CUSTOMER ? case_queue_case_of(q->store, acc, error) : g_strdup(acc);
        if (!id)
            return NULL;
        g_hash_table_insert(ids, (gpointer)acc, id);
        g_ptr_array_add(accounts, (gpointer)acc);
    }
    if (by == CASE_BY_NETWORK)
        return case_network_group(q->store, accounts, alerts, joins, hubs, error);
    return g_steal_pointer(&ids);
}

/* Gives each network its joins and hubs (taken from joins and hubs). */
static void hand_joins(GPtrArray *out, GHashTable *by_case, GHashTable *ids, GPtrArray *joins,
                       GPtrArray *hubs)
{
    for (guint i = 0; i < out->len; i++) {
        CaseEntry *e = g_ptr_array_index(out, i);
        e->joins = g_ptr_array_new_with_free_func((GDestroyNotify)case_join_free);
        e->hubs = g_ptr_array_new_with_free_func(g_free);
    }
    for (guint i = 0; i < hubs->len; i++) {
        char *h = g_ptr_array_index(hubs, i);
        CaseEntry *e = g_hash_table_lookup(by_case, g_hash_table_lookup(ids, h));
        if (e)
            g_ptr_array_add(e->hubs, g_ptr_array_steal_index(hubs, i--));
    }
    for (guint i = 0; i < joins->len; i++) {
        CaseJoin *j = g_ptr_array_index(joins, i);
        CaseEntry *e = g_hash_table_lookup(by_case, g_hash_table_lookup(ids, j->a));
        if (e)
            g_ptr_array_add(e->joins, g_ptr_array_steal_index(joins, i--));
    }
}

GPtrArray *case_queue_cases(CaseQueue *q, CaseSort sort, CaseBy by, guint *muted_out,
                            GError **error)
{
    g_autofree gboolean *muted = g_new0(gboolean, q->items->len + 1);
    apply_mutes(q, muted);
    gint64 ref = G_MININT64;
    for (guint i = 0; i < q->items->len; i++)
        ref = MAX(ref, g_array_index(q->items, Item, i).end);
    g_autoptr(GPtrArray) joins = g_ptr_array_new_with_free_func((GDestroyNotify)case_join_free);
    g_autoptr(GPtrArray) hubs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) case_of = group_ids(q, by, muted, joins, hubs, error);
    if (!case_of)
        return NULL;
    g_autoptr(GHashTable) by_case = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) best = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_entry_free);
    guint n_muted = 0;
    for (guint i = 0; i < q->items->len; i++) {
        const Item *it = &g_array_index(q->items, Item, i);
        if (muted[i]) {
            n_muted++;
            continue;
        }
        const char *id = g_hash_table_lookup(case_of, it->account);
        CaseEntry *e = g_hash_table_lookup(by_case, id);
        Best *b;
        if (!e) {
            e = g_new0(CaseEntry, 1);
            e->id = g_strdup(id);
            e->accounts = g_ptr_array_new_with_free_func(g_free);
            e->first = G_MAXINT64;
            e->last = G_MININT64;
            g_ptr_array_add(out, e);
            g_hash_table_insert(by_case, e->id, e);
            b = g_malloc0(sizeof *b);
            b->rank = -1;
            g_hash_table_insert(best, e, b);
        }
        b = g_hash_table_lookup(best, e);
        fold(q, e, it, ref, b);
    }
    if (by == CASE_BY_NETWORK)
        hand_joins(out, by_case, case_of, joins, hubs);
    for (guint i = 0; i < out->len; i++) {
        CaseEntry *e = g_ptr_array_index(out, i);
        g_ptr_array_sort(e->accounts, cmp_str);
    }
    g_ptr_array_sort_with_data(out, cmp_entry, &sort);
    if (muted_out)
        *muted_out = n_muted;
    return out;
}
