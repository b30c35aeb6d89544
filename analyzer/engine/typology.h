/* typology.h: combines indicator alerts per customer into typology alerts.
 *
 * Scoring (docs/indicators.md, "Scoring"): each indicator alert is a hit with the
 * weight of its rule's strength (strong 3, medium 2, weak 1) that halves
 * every half-life; hits are summed per family (the rule's `family`) and
 * each family is capped; `score` is the sum over families, `families` the
 * number of families whose decayed sum is at least 0.5, `hits` the number
 * of hits kept. A typology alerts when its condition holds, or at once when
 * every rule of an escalation group has a hit within two half-lives. Hits
 * are kept per customer (the accounts table's customer_id, else the
 * account), so several accounts of one person add up. */
#ifndef MT_TYPOLOGY_H
#define MT_TYPOLOGY_H

#include "engine/alert.h"
#include "engine/checkpoint.h"
#include "read/kyc.h"

typedef struct TypologyEngine TypologyEngine;

/* NULL when the set has no typologies. rs is borrowed. */
TypologyEngine *typology_engine_new(const RuleSet *rs);
void typology_engine_free(TypologyEngine *te);

/* Records an indicator alert and raises the typology alerts it completes
 * through fn (unless quiet: state is updated, nothing is emitted). Returns
 * FALSE if fn reported a failure. */
gboolean typology_feed(TypologyEngine *te, const Alert *a, const Kyc *kyc, gboolean quiet,
                       AlertFn fn, void *user);
/* Typology alerts raised so far by typology i of the set. */
guint64 typology_alerts(const TypologyEngine *te, guint i);

/* Checkpoints (engine/checkpoint.h): every customer's hits and
 * suppression and the victim-side alerts seen, rules by their index in the
 * rule set (rule_index: Rule * -> 1 + index); read into a new engine
 * (FALSE: in is bad). */
void typology_save(const TypologyEngine *te, CkptOut *o, GHashTable *rule_index);
gboolean typology_load(TypologyEngine *te, CkptIn *in);

#endif
