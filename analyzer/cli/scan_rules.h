/* scan_rules.h: which rules a scan that stores alerts in PostgreSQL used,
 * and what changed since the last incremental run.
 *
 * Every such run records its rules and typologies (id, version,
 * fingerprint: rule_fingerprint) in runs.rules. An incremental run whose
 * rules digest differs from that of the last successful incremental run
 * names the rules added, removed and changed, by id and version, and
 * records the sentence in runs.rules_changed; scan prints it in its
 * summary. */
#ifndef MT_SCAN_RULES_H
#define MT_SCAN_RULES_H

#include <glib.h>

#include "rule/rule.h"

/* Records the rules of run run_id of database conninfo and, when
 * incremental, compares them with the last successful incremental run's:
 * *changed gets the sentence (caller frees), or NULL when the digest is
 * the same or there is no earlier run. FALSE with error on a database
 * failure. */
gboolean scan_rules_note(const char *conninfo, gint64 run_id, const RuleSet *rs,
                         gboolean incremental, char **changed, GError **error);

#endif
