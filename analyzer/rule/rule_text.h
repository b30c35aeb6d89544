/* rule_text.h: text tests on a transaction's memo (`memo contains "x"`,
 * `starts_with`, `matches`): compiled once into a RuleText, run on the
 * memo folded once per row, case- and accent-insensitively. */
#ifndef MT_RULE_TEXT_H
#define MT_RULE_TEXT_H

#include <glib.h>

#include "rule/rule.h"

/* Folds n bytes of UTF-8 text into out (replacing its contents): each
 * character decomposed, combining marks (accents) dropped, the rest lower
 * case, so "Salário" and "SALARIO" fold alike. Invalid bytes are kept as
 * they are. Allocates only when out must grow. */
void rule_text_fold(GString *out, const char *s, gsize n);

/* A new text test of kind op on needle (a regular expression for
 * RULE_TEXT_MATCHES); NULL with *error set when the expression does not
 * compile. Caller frees with rule_text_free. */
RuleText *rule_text_new(RuleTextOp op, const char *needle, GError **error);
void rule_text_free(RuleText *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RuleText, rule_text_free)

/* TRUE if the folded memo passes test t. Allocates nothing for contains
 * and starts_with; GRegex allocates its match state per call. */
gboolean rule_text_test(const RuleText *t, StrView memo);

/* The word of a text test ("contains", "starts_with", "matches"), or -1
 * from rule_text_op when word is none of them. */
const char *rule_text_op_name(RuleTextOp op);
int rule_text_op(const char *word, gsize n);

#endif
