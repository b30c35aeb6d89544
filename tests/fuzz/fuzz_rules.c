/* libFuzzer target: the rule compiler on any text. It must report errors,
 * never crash, hang or leak; a text that compiles must also run its
 * examples without trouble. `make fuzz` runs it. */
#include <stddef.h>
#include <stdint.h>

#include "rule/rule.h"
#include "scan/scan_examples.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    GPtrArray *diags = rule_diags_new();
    RuleSet *rs = rule_set_load_text("fuzz.rule", (const char *)data, size, diags);
    if (rs) {
        GString *report = g_string_new(NULL);
        for (guint i = 0; i < rs->rules->len; i++) {
            const Rule *r = g_ptr_array_index(rs->rules, i);
            for (guint k = 0; k < r->examples->len; k++)
                scan_examples_run(rs, r, g_ptr_array_index(r->examples, k), report);
        }
        g_string_free(report, TRUE);
        rule_set_free(rs);
    }
    g_ptr_array_unref(diags);
    return 0;
}
