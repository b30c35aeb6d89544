/* case_network.h: flagged accounts joined into networks for the queue
 * (`cases --by network`): the connected components of the graph whose
 * nodes are the given accounts and whose edges are the transfers between
 * two of them (either way, at any time) and the KYC values two of them
 * share (customer id, phone, e-mail, address, ignoring case, as the
 * shared_* counts of the rules compare them). Accounts outside the set
 * never join two of its accounts: a supermarket both paid is no link. */
#ifndef MT_CASE_NETWORK_H
#define MT_CASE_NETWORK_H

#include <glib.h>

#include "case/case.h"

/* The network of every account of accounts (char *, distinct ids): a
 * table account -> network id, the smallest account id (strcmp) of its
 * component (keys borrowed from accounts, values owned). Appends to joins
 * (CaseJoin *) the joins found, one per pair and kind, sorted by a, b,
 * kind: for a shared value, each account is joined to the smallest
 * account holding it. NULL with error when the store fails. */
GHashTable *case_network_group(CaseStore *s, GPtrArray *accounts, GPtrArray *joins,
                               GError **error);

#endif
