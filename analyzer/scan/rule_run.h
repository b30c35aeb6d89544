/* rule_run.h: runs the examples of a rule through a private engine and
 * compares the alerts with the expectations. */
#ifndef MT_RULE_RUN_H
#define MT_RULE_RUN_H

#include <glib.h>

#include "rule/rule.h"

/* Runs one example of rule r (a member of rs) alone. Returns TRUE when the
 * alerts match every expectation; otherwise appends to report what was
 * expected and what happened. */
gboolean rule_run_example(const RuleSet *rs, const Rule *r, const RuleExample *ex, GString *report);

#endif
