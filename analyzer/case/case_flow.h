/* case_flow.h: transactions summed per sender, receiver and currency.
 *
 * A hub account holds millions of transactions, while the questions
 * asked of it (who paid it how much, when first and last) need one line
 * per counterparty. A flow is that line: a store that can sum on its own
 * side (the database: GROUP BY) hands out flows, any other store's
 * transactions are summed here, and both give the same flows. */
#ifndef MT_CASE_FLOW_H
#define MT_CASE_FLOW_H

#include <glib.h>

#include "case/case.h"

typedef struct {
    char *from, *to; /* "" when absent (cash) */
    char currency[4];
    int exp;
    gint64 total; /* minor units */
    guint n;
    gint64 first, last; /* earliest and latest ts */
    char *first_tx;     /* id of the first transaction (by ts, then tx id) */
    gboolean payroll;   /* one of them was payroll */
    guint16 mcc;   /* MCC of the latest one (by ts, then tx id) that has one, or TXN_MCC_NONE */
    gint64 mcc_ts; /* its ts */
    char *mcc_tx;  /* its tx id, NULL when none has an MCC */
} CaseFlow;

void case_flow_free(CaseFlow *f);
/* The transactions (CaseTx *, borrowed) summed into flows, in the order
 * case_flows_sort gives. */
GPtrArray *case_flows_sum(GPtrArray *txns);
/* The flows of the transactions account sent or received with
 * from <= ts <= to: summed by the store where it can (flows_of), else from
 * txns_of. NULL with error. */
GPtrArray *case_flows_of(CaseStore *s, const char *account, gint64 from, gint64 to, GError **error);
/* Sorts flows by their first transaction (ts, then tx id), then sender,
 * receiver and currency. */
void case_flows_sort(GPtrArray *flows);

#endif
