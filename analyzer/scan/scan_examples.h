/* scan_examples.h: runs the examples of a rule through a private engine and
 * compares the alerts with the expectations. */
#ifndef MT_SCAN_EXAMPLES_H
#define MT_SCAN_EXAMPLES_H

#include <glib.h>

#include "rule/rule.h"

/* Runs one example of rule r (a member of rs) alone. Returns TRUE when the
 * alerts match every expectation; otherwise appends to report what was
 * expected and what happened. */
gboolean scan_examples_run(const RuleSet *rs, const Rule *r, const RuleExample *ex,
                           GString *report);

#endif
