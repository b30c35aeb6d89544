/* case_flow.c: transactions summed per sender, receiver and currency (see
 * case_flow.h). */
#include "case/case_flow.h"

#include <string.h>

void case_flow_free(CaseFlow *f)
{
    if (!f)
        return;
    g_free(f->from);
    g_free(f->to);
    g_free(f->first_tx);
    g_free(f->mcc_tx);
    g_free(f);
}

static gint cmp_flow(gconstpointer pa, gconstpointer pb)
{
    const CaseFlow *a = *(CaseFlow *const *)pa, *b = *(CaseFlow *const *)pb;
    int c;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    if ((c = strcmp(a->first_tx, b->first_tx)) != 0 || (c = strcmp(a->from, b->from)) != 0 ||
        (c = strcmp(a->to, b->to)) != 0)
        return c;
    return strcmp(a->currency, b->currency);
}

void case_flows_sort(GPtrArray *flows)
{
    g_ptr_array_sort(flows, cmp_flow);
}

/* TRUE when transaction (ts, id) comes after (ts0, id0) in time order. */
static gboolean later(gint64 ts, const char *id, gint64 ts0, const char *id0)
{
    return ts != ts0 ? ts > ts0 : strcmp(id, id0) > 0;
}

static void add_tx(CaseFlow *f, const CaseTx *t)
{
    if (!f->n || later(f->first, f->first_tx, t->ts, t->tx_id)) {
        f->first = t->ts;
        g_free(f->first_tx);
        f->first_tx = g_strdup(t->tx_id);
    }
    f->last = f->n ? MAX(f->last, t->ts) : t->ts;
    f->n++;
    f->total += t->amount;
    f->payroll |= t->channel == CHANNEL_ACH_PAYROLL;
    if (t->mcc != TXN_MCC_NONE && (!f->mcc_tx || later(t->ts, t->tx_id, f->mcc_ts, f->mcc_tx))) {
        f->mcc = t->mcc;
        f->mcc_ts = t->ts;
        g_free(f->mcc_tx);
        f->mcc_tx = g_strdup(t->tx_id);
    }
}

GPtrArray *case_flows_sum(GPtrArray *txns)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_flow_free);
    g_autoptr(GHashTable) by = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        g_autofree char *key = g_strdup_printf("%s\t%s\t%s", t->from, t->to, t->currency);
        CaseFlow *f = g_hash_table_lookup(by, key);
        if (!f) {
            f = g_new0(CaseFlow, 1);
            f->from = g_strdup(t->from);
            f->to = g_strdup(t->to);
            g_strlcpy(f->currency, t->currency, sizeof f->currency);
            f->exp = t->exp;
            f->mcc = TXN_MCC_NONE;
            g_hash_table_insert(by, g_steal_pointer(&key), f);
            g_ptr_array_add(out, f);
        }
        add_tx(f, t);
    }
    case_flows_sort(out);
    return out;
}

GPtrArray *case_flows_of(CaseStore *s, const char *account, gint64 from, gint64 to, GError **error)
{
    if (s->ops->flows_of)
        return s->ops->flows_of(s, account, from, to, error);
    g_autoptr(GPtrArray) txns = s->ops->txns_of(s, account, from, to, error);
    return txns ? case_flows_sum(txns) : NULL;
}
