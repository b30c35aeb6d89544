/* Inputs the fuzzers once crashed on (tests/fuzz/crashes/rules-*): the rule
 * compiler must now answer each with diagnostics or a rule set, and return. */
#include <criterion/criterion.h>

#include "rule.h"

Test(fuzz_regressions, rule_inputs_that_once_crashed)
{
    g_autoptr(GDir) dir = g_dir_open("tests/fuzz/crashes", 0, NULL);
    cr_assert_not_null(dir);
    const char *name;
    int seen = 0;
    while ((name = g_dir_read_name(dir))) {
        if (!g_str_has_prefix(name, "rules-"))
            continue;
        g_autofree char *path = g_build_filename("tests/fuzz/crashes", name, NULL);
        g_autofree char *src = NULL;
        gsize len = 0;
        cr_assert(g_file_get_contents(path, &src, &len, NULL));
        GPtrArray *diags = rule_diags_new();
        RuleSet *rs = rule_set_load_text(name, src, len, diags);
        rule_set_free(rs);
        g_ptr_array_unref(diags);
        seen++;
    }
    cr_expect_eq(seen, 2);
}
