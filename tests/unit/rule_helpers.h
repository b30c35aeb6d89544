/* rule_helpers.h: compiling rule text from a test, shared by the rule tests. */
#ifndef MT_TEST_RULE_HELPERS_H
#define MT_TEST_RULE_HELPERS_H

#include <glib.h>
#include <glib/gstdio.h>

#include "rule/rule.h"

/* Writes text to a fresh directory as t.rule (and lists as t.list when not
 * NULL), loads it and returns the set (NULL on errors); *diags gets every
 * diagnostic. The caller frees both and removes *dir with rh_cleanup. */
static inline RuleSet *rh_load(const char *lists, const char *text, GPtrArray **diags, char **dir)
{
    *dir = g_dir_make_tmp("mt-rule-XXXXXX", NULL);
    g_autofree char *rule = g_build_filename(*dir, "t.rule", NULL);
    g_file_set_contents(rule, text, -1, NULL);
    if (lists) {
        g_autofree char *l = g_build_filename(*dir, "t.list", NULL);
        g_file_set_contents(l, lists, -1, NULL);
    }
    *diags = rule_diags_new();
    const char *paths[] = {*dir};
    return rule_set_load(paths, 1, *diags);
}

static inline void rh_cleanup(char *dir)
{
    g_autofree char *r = g_build_filename(dir, "t.rule", NULL);
    g_autofree char *l = g_build_filename(dir, "t.list", NULL);
    g_unlink(r);
    g_unlink(l);
    g_rmdir(dir);
    g_free(dir);
}

#endif
