/* impact.h: what a change of the rules does to the alerts: two rule sets
 * run over the same data (an old and a new), their alerts matched by a key
 * without the rule version (rule, account, perspective, firing
 * transaction), and per rule and typology the alerts and accounts added
 * and removed, with examples; with labels, the change in precision,
 * recall and lift. `moneytrail rules diff` prints it. */
#ifndef MT_IMPACT_H
#define MT_IMPACT_H

#include <glib.h>

#include "backtest/backtest.h"
#include "engine/alert.h"
#include "rule/rule.h"

typedef struct Impact Impact;

typedef enum { IMPACT_OLD, IMPACT_NEW } ImpactSide;

/* An empty comparison. Caller frees with impact_free. */
Impact *impact_new(void);
void impact_free(Impact *im);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Impact, impact_free)

/* Notes the rules of one side (borrowed only during the call): their
 * versions, kinds and what they compute, to tell changed rules apart. */
void impact_set_rules(Impact *im, ImpactSide side, const char *name, const RuleSet *rs);
/* The AlertFn of one side: pass impact_user(im, side) as its user. */
gboolean impact_on_alert(const Alert *a, void *user);
void *impact_user(Impact *im, ImpactSide side);
/* Keeps the report of one side (borrowed until impact_free) for the
 * change in precision, recall and lift; without it those are left out. */
void impact_set_report(Impact *im, ImpactSide side, const BacktestReport *r);

/* Appends the comparison as tables: the rules whose alerts or definition
 * changed, then up to examples added and removed alerts of each. */
void impact_text(const Impact *im, guint examples, GString *out);
/* Appends the comparison as one JSON object and a newline: old, new,
 * matched_on, labels, then "rules", every rule and typology of either side
 * sorted by id with its change ("same", "new", "gone", "version",
 * "edited"), counts before and after, added and removed, precision, recall
 * and lift before and after (with labels; null where undefined), and up
 * to examples alerts added and removed; then "unchanged" and "changes". */
void impact_json(const Impact *im, guint examples, GString *out);
/* The number of alerts added plus removed, over all rules. */
guint64 impact_changes(const Impact *im);

#endif
