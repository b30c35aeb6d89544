/* Tests of case_flow.c: transactions summed per sender, receiver and
 * currency, the first transaction and the latest MCC by (ts, tx id). */
#include <criterion/criterion.h>
#include <string.h>

#include "case/case_flow.h"

static void add(GPtrArray *g, const char *id, gint64 ts, const char *from, const char *to,
                gint64 cents, const char *cur, guint16 mcc, Channel ch)
{
    CaseTx *t = g_new0(CaseTx, 1);
    t->tx_id = g_strdup(id);
    t->ts = ts;
    t->from = g_strdup(from);
    t->to = g_strdup(to);
    t->amount = cents;
    strcpy(t->currency, cur);
    t->exp = 2;
    t->channel = ch;
    t->mcc = mcc;
    t->location = g_strdup("");
    t->memo = g_strdup("");
    g_ptr_array_add(g, t);
}

static const CaseFlow *flow(GPtrArray *flows, const char *from, const char *to, const char *cur)
{
    for (guint i = 0; i < flows->len; i++) {
        const CaseFlow *f = g_ptr_array_index(flows, i);
        if (!strcmp(f->from, from) && !strcmp(f->to, to) && !strcmp(f->currency, cur))
            return f;
    }
    return NULL;
}

/*   b2 A->B 10.00 EUR at 20     a1 A->B  5.50 EUR at 10    a0 A->B 1.00 EUR at 10
 *   c1 A->B  7.00 USD at 15     d1 B->A  3.00 EUR at 30 (mcc 5411), d0 B->A 2.00
 *   EUR at 30 (mcc 4900), e1 B->"" (cash) 1.00 EUR at 40, payroll
 * A->B EUR: 16.50 in 3, first a0 (ts 10, "a0" < "a1"), last 20, no MCC.
 * B->A EUR: 5.00 in 2, the latest with an MCC is d1 ("d1" > "d0" at 30): 5411. */
Test(case_flow, sums_per_pair_and_currency)
{
    g_autoptr(GPtrArray) txns = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    add(txns, "b2", 20, "A", "B", 1000, "EUR", TXN_MCC_NONE, CHANNEL_TRANSFER);
    add(txns, "a1", 10, "A", "B", 550, "EUR", TXN_MCC_NONE, CHANNEL_TRANSFER);
    add(txns, "a0", 10, "A", "B", 100, "EUR", TXN_MCC_NONE, CHANNEL_TRANSFER);
    add(txns, "c1", 15, "A", "B", 700, "USD", TXN_MCC_NONE, CHANNEL_TRANSFER);
    add(txns, "d1", 30, "B", "A", 300, "EUR", 5411, CHANNEL_CARD);
    add(txns, "d0", 30, "B", "A", 200, "EUR", 4900, CHANNEL_CARD);
    add(txns, "e1", 40, "B", "", 100, "EUR", TXN_MCC_NONE, CHANNEL_ACH_PAYROLL);
    g_autoptr(GPtrArray) flows = case_flows_sum(txns);
    cr_assert_eq(flows->len, 4);
    const CaseFlow *ab = flow(flows, "A", "B", "EUR");
    cr_assert(ab);
    cr_assert_eq(ab->total, 1650);
    cr_assert_eq(ab->n, 3);
    cr_assert_eq(ab->first, 10);
    cr_assert_str_eq(ab->first_tx, "a0");
    cr_assert_eq(ab->last, 20);
    cr_assert_eq(ab->mcc, TXN_MCC_NONE);
    cr_assert_null(ab->mcc_tx);
    cr_assert(!ab->payroll);
    const CaseFlow *ba = flow(flows, "B", "A", "EUR");
    cr_assert_eq(ba->total, 500);
    cr_assert_eq(ba->mcc, 5411);
    cr_assert_str_eq(ba->mcc_tx, "d1");
    cr_assert_eq(flow(flows, "A", "B", "USD")->total, 700);
    cr_assert(flow(flows, "B", "", "EUR")->payroll);
    /* in order of their first transaction: a0 (10), c1 (15), d0 (30), e1 (40) */
    cr_assert_str_eq(((CaseFlow *)g_ptr_array_index(flows, 0))->first_tx, "a0");
    cr_assert_str_eq(((CaseFlow *)g_ptr_array_index(flows, 1))->first_tx, "c1");
    cr_assert_str_eq(((CaseFlow *)g_ptr_array_index(flows, 2))->first_tx, "d0");
    cr_assert_str_eq(((CaseFlow *)g_ptr_array_index(flows, 3))->first_tx, "e1");
}
