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
 * still count. Purchases (card, prepaid top-up) join nothing. */
#ifndef MT_CASE_NETWORK_H
#define MT_CASE_NETWORK_H

#include <glib.h>

#include "case/case.h"

#define CASE_NETWORK_HUB 10

/* The network of every account of accounts (char *, distinct ids), given
 * the evidence tx ids of their alerts (char *): a table account -> network
 * id, the smallest account id (strcmp) of its component (keys borrowed
 * from accounts, values owned). Appends to joins (CaseJoin *) the joins
 * found, one per pair and kind, sorted by a, b, kind: for a shared value,
 * each account is joined to the smallest account holding it. Appends to
 * hubs (char *, sorted) the accounts left out as hubs. NULL with error
 * when the store fails (the evidence needs --data or --db). */
GHashTable *case_network_group(CaseStore *s, GPtrArray *accounts, GPtrArray *evidence,
                               GPtrArray *joins, GPtrArray *hubs, GError **error);

#endif
