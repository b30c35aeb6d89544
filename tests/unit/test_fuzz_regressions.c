/* Inputs the fuzzers once crashed on (tests/fuzz/crashes/rules-*): the rule
 * compiler must now answer each with diagnostics or a rule set, and the
 * rule set's examples must run (as in the fuzz target), and return.
 * The decoder's (an empty record) is a case of test_decode.c. */
#include <criterion/criterion.h>

#include "rule/rule.h"
#include "scan/scan_examples.h"

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
        /* as the fuzzer gives it: no NUL after the text, so that a read past
         * the end shows under `make asan` */
        g_autofree char *exact = g_memdup2(src, len);
        GPtrArray *diags = rule_diags_new();
        RuleSet *rs = rule_set_load_text(name, exact, len, diags);
        GString *report = g_string_new(NULL);
        for (guint i = 0; rs && i < rs->rules->len; i++) {
            const Rule *r = g_ptr_array_index(rs->rules, i);
            for (guint k = 0; k < r->examples->len; k++)
                scan_examples_run(rs, r, g_ptr_array_index(r->examples, k), report);
        }
        g_string_free(report, TRUE);
        rule_set_free(rs);
        g_ptr_array_unref(diags);
        seen++;
    }
    cr_expect_eq(seen, 5);
}
