/* case_network.h: flagged accounts joined into networks for the queue
 * (`cases --by network`): the connected components of the graph whose
 * nodes are the given accounts and whose edges are the payments between
 * two of them that are evidence of an alert, and the KYC values two of
 * them share (customer id, phone, e-mail, address, ignoring case, as the
 * shared_* counts of the rules compare them). Accounts outside the set
 * never join two of its accounts: a supermarket both paid is no link.
 * Any payment between two flagged accounts is not enough either: in a
 * bank, flagged customers pay flagged merchants and each other every day
 * (on a generated bank of 2,000 accounts, all 141 flagged accounts were
 * one network that way); money that raised an alert is what ties a case.
 * Even that money is not enough at a hub: a flagged business whose alerts'
 * evidence reaches more than CASE_NETWORK_HUB flagged accounts (a telecom
 * shop, an employer of many) would join them all, so its evidence joins
 * are left out and it is named as a hub instead; its shared identifiers
 * still count. A business is a hub from CASE_NETWORK_HUB_BUSINESS flagged
 * partners: a shop or employer that several flagged customers deal with
 * is where they meet, not what ties them (on the generated bank, merchants
 * flagged for their own payments joined 67 of 141 flagged accounts into
 * one network). Purchases (card, prepaid top-up) join nothing, and only
 * the evidence of alerts whose pattern is money between parties does
 * (case_network_links). */
#ifndef MT_CASE_NETWORK_H
#define MT_CASE_NETWORK_H

#include <glib.h>

#include "case/case.h"

#define CASE_NETWORK_HUB          10
#define CASE_NETWORK_HUB_BUSINESS 3 /* the same for a business (KYC kind) */

/* TRUE when the evidence of an alert of this family joins accounts: the
 * families whose pattern is money moving between parties ("network",
 * and the typologies built on them). An alert on an account's own
 * profile, cash or expenses flags its behaviour, and a payment among its
 * evidence is one of its payments, not a tie to a case. */
gboolean case_network_links(const char *family);

/* The typology family of a rule id, the part after its first dash up to
 * the next ("HT-SEX-08" and "TY-SEX" give "SEX", "HT-ML-07-CH" "ML"); an
 * id without a dash is its own family. Caller frees. */
char *case_network_family(const char *rule);

/* The alerts the networks are built from: for each, its account, its
 * rule, and its evidence tx ids when its family links (case_network_links). */
typedef struct CaseNetworkAlerts CaseNetworkAlerts;
CaseNetworkAlerts *case_network_alerts_new(void);
void case_network_alerts_free(CaseNetworkAlerts *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CaseNetworkAlerts, case_network_alerts_free)
/* Notes one alert (strings copied; evidence: n_ev tx ids, may be 0). */
void case_network_alerts_add(CaseNetworkAlerts *n, const char *account, const char *rule,
                             char *const *evidence, guint n_ev);

/* The network of every account of accounts (char *, distinct ids), given
 * their alerts: a table account -> network
 * id, the smallest account id (strcmp) of its component (keys borrowed
 * from accounts, values owned). Appends to joins (CaseJoin *) the joins
 * found, one per pair and kind, sorted by a, b, kind: for a shared value,
 * each account is joined to the smallest account holding it. Appends to
 * hubs (char *, sorted) the accounts left out as hubs. NULL with error
 * when the store fails (the evidence needs --data or --db). */
GHashTable *case_network_group(CaseStore *s, GPtrArray *accounts, CaseNetworkAlerts *alerts,
                               GPtrArray *joins, GPtrArray *hubs, GError **error);

#endif
