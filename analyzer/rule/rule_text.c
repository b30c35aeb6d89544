/* rule_text.c: text tests on the memo, case- and accent-insensitive.
 *
 * Both sides are folded the same way (rule_text_fold): the needle once when
 * the rule compiles, the memo once per row by the engine (whatever the
 * number of rules testing it). contains and starts_with then compare bytes;
 * matches runs a caseless GRegex on the folded memo, its pattern folded
 * only in its non-ASCII characters so that escapes such as \D keep their
 * meaning. */
#define _GNU_SOURCE /* memmem */
#include "rule/rule_text.h"

#include <string.h>

static const char *const op_words[] = {
    [RULE_TEXT_CONTAINS] = "contains",
    [RULE_TEXT_STARTS_WITH] = "starts_with",
    [RULE_TEXT_MATCHES] = "matches",
};

const char *rule_text_op_name(RuleTextOp op)
{
    return op_words[op];
}

int rule_text_op(const char *word, gsize n)
{
    for (guint i = 0; i < G_N_ELEMENTS(op_words); i++)
        if (strlen(op_words[i]) == n && memcmp(op_words[i], word, n) == 0)
            return (int)i;
    return -1;
}

/* Appends character c folded: decomposed, marks dropped, lower case. */
static void fold_char(GString *out, gunichar c)
{
    gunichar parts[G_UNICHAR_MAX_DECOMPOSITION_LENGTH];
    gsize n = g_unichar_fully_decompose(c, FALSE, parts, G_N_ELEMENTS(parts));
    for (gsize i = 0; i < n; i++)
        if (!g_unichar_ismark(parts[i]))
            g_string_append_unichar(out, g_unichar_tolower(parts[i]));
}

/* Folds s into out; with ascii_as_is, ASCII bytes are copied unchanged
 * (a regular expression's syntax). */
static void fold(GString *out, const char *s, gsize n, gboolean ascii_as_is)
{
    g_string_truncate(out, 0);
    const char *end = s + n;
    while (s < end) {
        guchar b = (guchar)*s;
        if (b < 0x80) { /* the common case: no decoding */
            g_string_append_c(out, ascii_as_is ? (char)b : g_ascii_tolower((char)b));
            s++;
            continue;
        }
        gunichar c = g_utf8_get_char_validated(s, end - s);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            g_string_append_c(out, (char)b);
            s++;
            continue;
        }
        fold_char(out, c);
        s = g_utf8_next_char(s);
    }
}

void rule_text_fold(GString *out, const char *s, gsize n)
{
    fold(out, s, n, FALSE);
}

RuleText *rule_text_new(RuleTextOp op, const char *needle, GError **error)
{
    g_autoptr(GString) f = g_string_new(NULL);
    fold(f, needle, strlen(needle), op == RULE_TEXT_MATCHES);
    g_autoptr(GRegex) re = NULL;
    if (op == RULE_TEXT_MATCHES) {
        re = g_regex_new(f->str, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, error);
        if (!re)
            return NULL;
    }
    RuleText *t = g_new0(RuleText, 1);
    t->op = op;
    t->src = g_strdup(needle);
    t->len = f->len;
    t->needle = g_string_free(g_steal_pointer(&f), FALSE);
    t->re = g_steal_pointer(&re);
    return t;
}

void rule_text_free(RuleText *t)
{
    if (!t)
        return;
    if (t->re)
        g_regex_unref(t->re);
    g_free(t->src);
    g_free(t->needle);
    g_free(t);
}

gboolean rule_text_test(const RuleText *t, StrView memo)
{
    switch (t->op) {
    case RULE_TEXT_CONTAINS:
        return t->len <= memo.len && memmem(memo.ptr, memo.len, t->needle, t->len) != NULL;
    case RULE_TEXT_STARTS_WITH:
        return t->len <= memo.len && memcmp(memo.ptr, t->needle, t->len) == 0;
    case RULE_TEXT_MATCHES:
        return g_regex_match_full(t->re, memo.len ? memo.ptr : "", memo.len, 0, 0, NULL, NULL);
    }
    return FALSE;
}
