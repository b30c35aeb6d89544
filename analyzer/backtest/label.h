/* label.h: ground truth for backtests: which accounts and transactions are
 * known laundering, grouped into instances of typologies.
 *
 * Three kinds of ground truth, detected from the file or the data:
 *   - mtgen's instances.csv (typology,instance_id,account,role,first_ts,
 *     last_ts) with instance_tx.csv (instance_id,tx_id) beside it;
 *   - IBM AMLworld: the `Is Laundering` column of the transactions, and
 *     optionally its Patterns.txt (BEGIN LAUNDERING ATTEMPT - TYPE ... END)
 *     naming the typology of each laundering transaction;
 *   - IBM AMLSim: the `is_sar` and `alert_id` columns of the transactions,
 *     and optionally an alert file (alert_id, alert_type, ...) naming the
 *     typology of each alert.
 * Label files are loaded before the data; label columns are read from each
 * transaction as it streams past (label_set_observe). Accounts and
 * transaction ids are kept as strings: a label set does not depend on the
 * intern table of a run. */
#ifndef MT_LABEL_H
#define MT_LABEL_H

#include <glib.h>

#include "base/intern.h"
#include "base/txn.h"

typedef struct {
    char *typology;
    char *id;            /* unique within the label set */
    GPtrArray *accounts; /* char *, distinct, in order of first mention */
    GPtrArray *roles;    /* char *, the role of each account as first listed ("" none) */
    guint n_tx;          /* labelled transactions tied to the instance (0: none known) */
} LabelInstance;

typedef struct LabelSet LabelSet;

LabelSet *label_set_new(void);
void label_set_free(LabelSet *ls);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LabelSet, label_set_free)

/* Loads one label file, its kind detected from its first line: an mtgen
 * instances.csv (instance_tx.csv is read from the same directory), an
 * AMLworld Patterns.txt (its rows decoded with the ibm-amlworld profile, so
 * that accounts read as in the data), or an AMLSim alert file. Load label
 * files before observing the data. FALSE with error when the file cannot
 * be read or is of no known kind. */
gboolean label_set_load(LabelSet *ls, const char *path, GError **error);
/* Reads the label columns of one transaction of the data (names: the label
 * column names of its source's profile, n of them; see input_label_names)
 * and notes that the transaction was seen. accounts is the table the
 * transaction's account ids belong to. Allocates only for labelled rows. */
void label_set_observe(LabelSet *ls, const Txn *t, const Intern *accounts, const char *const *names,
                       guint n);
/* TRUE if the NUL-terminated transaction id is labelled laundering. */
gboolean label_set_has_tx(const LabelSet *ls, const char *tx_id);
/* The instance a labelled transaction belongs to (the first, if several);
 * NULL when it is not labelled or its instance is not known (AMLworld
 * Patterns.txt rows carry no transaction ids). */
const LabelInstance *label_set_tx_instance(const LabelSet *ls, const char *tx_id);
/* TRUE if the account is labelled: an account of any instance, or one that
 * sent or received a transaction labelled in the data's columns. */
gboolean label_set_has_account(const LabelSet *ls, const char *account);
/* The labelled accounts (char *, borrowed), sorted. Caller frees the array. */
GPtrArray *label_set_accounts(const LabelSet *ls);
/* How the account is labelled, e.g. "HT-SEX-01 #11 controller"; NULL if it
 * is not. Borrowed for the set's lifetime. */
const char *label_set_account_roles(const LabelSet *ls, const char *account);
/* TRUE when every label of the account names it a victim ("... victim"):
 * a possible victim of every scheme it belongs to, never its subject. */
gboolean label_set_account_victim_only(const LabelSet *ls, const char *account);
/* The instances (LabelInstance, borrowed), in order of first mention. */
const GPtrArray *label_set_instances(const LabelSet *ls);
/* Distinct labelled transaction ids, and how many of them the data held. */
guint label_set_n_tx(const LabelSet *ls);
guint label_set_n_tx_seen(const LabelSet *ls);
/* TRUE when there is no ground truth at all: no label file loaded and no
 * label column ("Is Laundering", "is_sar") in the data observed so far. */
gboolean label_set_is_empty(const LabelSet *ls);
/* One line per source of ground truth, e.g. "mtgen instances 'd/instances.csv':
 * 22 instances, 420 labelled rows", each ending in a newline. Caller frees. */
char *label_set_describe(const LabelSet *ls);

#endif
