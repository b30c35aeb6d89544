/* case_links.h: the links of an account for an investigator: the
 * customer's other accounts, the accounts whose holders share a phone,
 * e-mail or address with it, and its counterparties that have alerts of
 * their own, each with a summary of its alerts. Read-only on the store. */
#ifndef MT_CASE_LINKS_H
#define MT_CASE_LINKS_H

#include <glib.h>

#include "case/case.h"

/* One linked account and its own alerts. */
typedef struct {
    char *account;
    char *name;     /* the KYC name, or "" */
    char *via;      /* shared: "customer", "phone", "e-mail", "address", joined by ", ";
                     * counterparties: "paid to", "received from" or both */
    guint alerts;   /* its own alerts */
    double score;   /* their summed scores */
    GString *rules; /* its alerts' distinct rules, sorted */
} CaseLink;

void case_link_free(CaseLink *l);

/* The accounts linked by KYC to account: the same customer or a shared
 * phone, e-mail or address, by account id, with what they share; empty
 * without a KYC record. Caller unrefs; NULL with error. */
GPtrArray *case_links_shared(CaseStore *s, const char *account, GError **error);
/* The counterparties of account in txns (CaseTx *, borrowed), by account
 * id, with the direction of their money; cash has none. Caller unrefs. */
GPtrArray *case_links_counterparties(const char *account, GPtrArray *txns);
/* Fills in the alerts of every link with one pass over the store's
 * alerts; with drop_quiet, removes the links without alerts. FALSE with
 * error when the store fails. */
gboolean case_links_count_alerts(CaseStore *s, GPtrArray *links, gboolean drop_quiet,
                                 GError **error);

/* One indicator alert behind a typology alert, from its "indicators". */
typedef struct {
    const char *alert_id, *rule, *account, *ts; /* borrowed from the alert's JSON */
} CaseIndicator;

/* The indicator alerts a typology alert names, in its order (CaseIndicator
 * *, borrowed from a, freed with the array); empty for other alerts. */
GPtrArray *case_links_indicators(const CaseAlert *a);

#endif
