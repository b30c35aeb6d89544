/* cmd_rules.c: `moneytrail rules check|test|explain|diff`, for rule authors.
 *
 * check compiles and lints and prints every diagnostic with a caret;
 * test runs every rule's examples; explain says in words how a rule is
 * evaluated and shows the compiled programs; diff runs an old and a new
 * rule set over the same data and prints what the change does
 * (backtest/impact.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "backtest/impact.h"
#include "cli/cmd.h"
#include "cli/cmd_run.h"
#include "rule/rule.h"
#include "scan/scan_examples.h"
#include "base/tstamp.h"

static RuleSet *load(char **paths, int n, gboolean show_warnings, int *n_err, int *n_warn)
{
    g_autoptr(GPtrArray) diags = rule_diags_new();
    RuleSet *rs = rule_set_load((const char *const *)paths, (guint)n, diags);
    *n_err = *n_warn = 0;
    for (guint i = 0; i < diags->len; i++) {
        const RuleDiag *d = g_ptr_array_index(diags, i);
        *n_warn += d->warning;
        *n_err += !d->warning;
        if (show_warnings || !d->warning)
            rule_diag_print(d, stderr);
    }
    return rs;
}

/* TRUE if every example of rule id passes with the override key=value
 * (the rule reloaded from its own file and the lists beside it). */
static gboolean examples_pass_with(const Rule *r, const char *key, double value)
{
    char text[G_ASCII_DTOSTR_BUF_SIZE];
    g_ascii_dtostr(text, sizeof text, value);
    g_autoptr(GHashTable) ov = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(ov, (gpointer)key, text);
    const char *paths[] = {r->file};
    g_autoptr(GPtrArray) diags = rule_diags_new();
    g_autoptr(RuleSet) rs = rule_set_load_with(paths, 1, ov, diags);
    const Rule *again = rs ? rule_set_find(rs, r->id) : NULL;
    if (!again)
        return FALSE; /* it does not load with that value: that is no pass */
    g_autoptr(GString) ignored = g_string_new(NULL);
    for (guint i = 0; i < again->examples->len; i++) {
        if (!scan_examples_run(rs, again, g_ptr_array_index(again->examples, i), ignored))
            return FALSE;
    }
    return TRUE;
}

/* Warns of each numeric param of r whose examples would pass just as well
 * one step above or below its value: no example sits at its boundary. The
 * step is 1 for a whole value, else 1% of it. Returns the warnings. */
static int lint_boundaries(const Rule *r)
{
    int warnings = 0;
    for (guint i = 0; r->examples->len && i < r->params->len; i++) {
        const RuleConst *k = g_ptr_array_index(r->params, i);
        if (k->type != TY_NUM && k->type != TY_COUNT && k->type != TY_MONEY)
            continue;
        double v = k->value, step = v == floor(v) ? 1 : fabs(v) * 0.01;
        g_autofree char *key = g_strdup_printf("%s.%s", r->id, k->name);
        gboolean up = examples_pass_with(r, key, v + step);
        gboolean down = examples_pass_with(r, key, v - step);
        if (!up && !down)
            continue;
        char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
        g_autofree char *msg = g_strdup_printf(
            "no example sits at the boundary of '%s' = %s: the examples pass at %s too; add one "
            "that alerts at %s and one that does not just past it",
            k->name, g_ascii_dtostr(a, sizeof a, v),
            g_ascii_dtostr(b, sizeof b, up ? v + step : v - step), g_ascii_dtostr(c, sizeof c, v));
        RuleDiag d = {.file = k->file, .line = k->line, .col = k->col, .warning = TRUE, .msg = msg};
        rule_diag_print(&d, stderr);
        warnings++;
    }
    return warnings;
}

static int rules_check(int argc, char **argv)
{
    int n_err, n_warn;
    g_autoptr(RuleSet) rs = load(argv, argc, TRUE, &n_err, &n_warn);
    for (guint i = 0; rs && i < rs->rules->len; i++)
        n_warn += lint_boundaries(g_ptr_array_index(rs->rules, i));
    if (!rs) {
        fprintf(stderr, "rules check: %d error%s, %d warning%s\n", n_err, n_err == 1 ? "" : "s",
                n_warn, n_warn == 1 ? "" : "s");
        return EXIT_FINDINGS;
    }
    guint named = 0;
    for (guint i = 0; i < rs->lists->len; i++)
        named += !((RuleList *)g_ptr_array_index(rs->lists, i))->anonymous;
    printf("rules check: %u rules, %u typologies, %u lists, %u constants in %u files: ok (%d "
           "warning%s)\n",
           rs->rules->len, rs->typologies->len, named, rs->consts->len, rs->files->len, n_warn,
           n_warn == 1 ? "" : "s");
    return EXIT_OK;
}

static int rules_test(int argc, char **argv)
{
    int n_err, n_warn;
    g_autoptr(RuleSet) rs = load(argv, argc, FALSE, &n_err, &n_warn);
    if (!rs)
        return EXIT_FINDINGS;
    guint passed = 0, failed = 0;
    g_autoptr(GString) report = g_string_new(NULL);
    guint n_rules = rs->rules->len, n_all = n_rules + rs->typologies->len;
    for (guint i = 0; i < n_all; i++) {
        const Rule *r = i < n_rules
                            ? g_ptr_array_index(rs->rules, i)
                            : &((Typology *)g_ptr_array_index(rs->typologies, i - n_rules))->rule;
        for (guint k = 0; k < r->examples->len; k++) {
            const RuleExample *ex = g_ptr_array_index(r->examples, k);
            g_string_truncate(report, 0);
            if (scan_examples_run(rs, r, ex, report)) {
                passed++;
                printf("ok   %-12s %s\n", r->id, ex->name);
            } else {
                failed++;
                printf("FAIL %-12s %s (%s:%d)\n%s", r->id, ex->name, r->file, ex->line,
                       report->str);
            }
        }
    }
    guint n = passed + failed, nr = rs->rules->len, nt = rs->typologies->len;
    printf("rules test: %u example%s of %u rule%s and %u typolog%s\n%u passed, %u failed\n", n,
           n == 1 ? "" : "s", nr, nr == 1 ? "" : "s", nt, nt == 1 ? "y" : "ies", passed, failed);
    return failed ? EXIT_FINDINGS : EXIT_OK;
}

static void explain_match(const Rule *r, GString *o)
{
    char dur[64];
    const MatchSpec *m = &r->match;
    tstamp_format_duration(r->window, dur, sizeof dur);
    g_string_append_printf(o, "  3. A passing transaction between two accounts becomes an edge of "
                              "the recent transaction graph; around each new edge it searches ");
    switch (m->kind) {
    case MATCH_CYCLE:
        g_string_append_printf(o,
                               "a cycle of %d to %d hops back to where the money started, "
                               "each hop later than the one before and within %.0f%% of its "
                               "amount, first hop less than %s before the last; the alert is "
                               "on the account the money returned to.\n",
                               m->min_len, m->max_len, m->tolerance * 100, dur);
        break;
    case MATCH_CHAIN:
        g_string_append_printf(o,
                               "a chain of at least %d hops ending with it, each hop later "
                               "and within %.0f%% of the amount before, all within %s; the "
                               "alert is on the chain's last account.\n",
                               m->min_len, m->tolerance * 100, dur);
        break;
    case MATCH_SCATTER_GATHER:
        g_string_append_printf(o,
                               "one source paying at least %d intermediaries who each pass "
                               "at least %.0f%% on to the same sink, within %s; the alert is "
                               "on the sink.\n",
                               m->k, m->ratio * 100, dur);
        break;
    case MATCH_GATHER_SCATTER:
        g_string_append_printf(o,
                               "an account receiving from at least %d sources and then "
                               "paying at least %d destinations within %s; the alert is on "
                               "that account.\n",
                               m->k, m->k2, dur);
        break;
    case MATCH_FUNNEL:
        g_string_append_printf(o,
                               "at least %d accounts each passing at least %.0f%% of their "
                               "inflow on to the same account within %s; the alert is on "
                               "that account.\n",
                               m->k, m->ratio * 100, dur);
        break;
    case MATCH_NONE:
        break;
    }
    if (m->unordered || m->tolerance < 0 || m->max_degree || m->hold || m->nodes_src) {
        g_string_append_printf(o, "     Options:%s%s",
                               m->unordered ? " hops in any time order;" : "",
                               m->tolerance < 0 ? " amounts free;" : "");
        if (m->max_degree)
            g_string_append_printf(o, " no account with more than %d edges in the window;",
                                   m->max_degree);
        if (m->hold) {
            char hold[64];
            g_string_append_printf(o,
                                   " a source counts when an inflow from it is passed on"
                                   " (a payment of %.0f%% to 100%% of it) within %s, a"
                                   " destination when it got such a payment;",
                                   m->ratio * 100,
                                   tstamp_format_duration(m->hold, hold, sizeof hold));
        }
        if (m->nodes_src)
            g_string_append_printf(o, " every account passes: %s;", m->nodes_src);
        g_string_append_c(o, '\n');
    }
    g_string_append_printf(o,
                           "     The graph keeps every edge of the window; a search stops "
                           "after %d edge visits, and its alert then says \"incomplete\" "
                           "(limits.h).\n",
                           LIMIT_GRAPH_WORK);
}

/* One line of `rules explain`: the channels of a prefilter mask. */
static void explain_channels(GString *o, const char *what, guint32 mask)
{
    g_string_append_printf(o, "     %s", what);
    for (int c = 1; c < CHANNEL_COUNT; c++) {
        if (mask & (1u << c))
            g_string_append_printf(o, " %s", txn_channel_name((Channel)c));
    }
    g_string_append_c(o, '\n');
}

/* The mcc prefilters (RulePlan.shape_mcc): by side, what the code decides
 * without the filter, and on which channels. */
static void explain_mcc(const Rule *r, GString *o)
{
    static const char *const sides[] = {[SIDE_ANY] = "a transfer to oneself",
                                        [SIDE_SENDER] = "money out",
                                        [SIDE_RECEIVER] = "money in"};
    for (int side = 0; side < SIDE_COUNT; side++) {
        if (!(r->persp & (side == SIDE_RECEIVER ? PERSP_RECEIVER : PERSP_SENDER)))
            continue; /* a side the rule does not look from (to oneself is the sender's) */
        for (guint i = 0; r->plan.mcc_sets && i < r->plan.mcc_sets->len; i++) {
            const RuleMccSet *m = g_ptr_array_index(r->plan.mcc_sets, i);
            guint32 channels = 0;
            for (int ch = 0; ch < 32; ch++)
                channels |= r->plan.shape_mcc[side][ch] == m ? 1u << ch : 0;
            if (!channels)
                continue;
            guint never = 0, surely = 0;
            for (guint c = 0; c < RULE_MCC_CODES; c++) {
                never += !rule_mcc_has(m->maybe, c);
                surely += rule_mcc_has(m->surely, c);
            }
            char a[32], b[32], c[32];
            g_autofree char *what = g_strdup_printf(
                "For %s the mcc decides at once (codes that cannot pass: %s, that surely pass: "
                "%s, left to the filter: %s), on:",
                sides[side], cmd_count(never, a), cmd_count(surely, b),
                cmd_count(RULE_MCC_CODES - never - surely, c));
            explain_channels(o, what, channels);
        }
    }
}

static void explain_typology(const Typology *ty, GString *o)
{
    char dur[64];
    g_string_append(o, "How it is evaluated\n  1. Each alert of these rules is a hit for the "
                       "customer (customer_id of the accounts table, else the account):");
    for (guint i = 0; i < ty->indicators->len; i++) {
        const Rule *r = g_ptr_array_index(ty->indicators, i);
        g_string_append_printf(o, "%s %s (%s, %d)", i ? "," : "", r->id, r->family,
                               (int)rule_score(r));
    }
    g_string_append_printf(o,
                           ".\n  2. A hit weighs its rule's strength (strong 3, medium 2, "
                           "weak 1) and halves every %s.\n",
                           tstamp_format_duration(ty->half_life, dur, sizeof dur));
    g_string_append_printf(o,
                           "  3. Weights are summed per family, each family capped at %g; "
                           "score = the sum of the families, families = those at 0.5 or "
                           "more, hits = hits kept.\n",
                           ty->cap);
    g_string_append_printf(o, "  4. It raises an alert when: %s\n", ty->rule.condition_src);
    for (guint g = 0; g < ty->escalations->len; g++) {
        const GPtrArray *group = g_ptr_array_index(ty->escalations, g);
        g_string_append(o, "     or at once when these all have a hit within two half-lives:");
        for (guint k = 0; k < group->len; k++)
            g_string_append_printf(o, " %s", ((const Rule *)g_ptr_array_index(group, k))->id);
        g_string_append_c(o, '\n');
    }
    if (ty->required->len) {
        g_string_append(o, "     but only with a hit of at least one of:");
        for (guint k = 0; k < ty->required->len; k++)
            g_string_append_printf(o, " %s",
                                   ((const Rule *)g_ptr_array_index(ty->required, k))->id);
        g_string_append_c(o, '\n');
    }
    g_string_append_printf(o, "  5. After an alert, none for the same customer for %s.\n",
                           tstamp_format_duration(ty->rule.suppress, dur, sizeof dur));
    g_string_append(o, "  6. Role: possible controller if any hit is of a controller rule, else "
                       "possible victim if any is of a victim rule.\n");
}

static void explain_words(const Rule *r, GString *o)
{
    char dur[64];
    const char *side = r->persp == PERSP_SENDER     ? "its sender (from_account)"
                       : r->persp == PERSP_RECEIVER ? "its receiver (to_account)"
                                                    : "both its sender and its receiver";
    g_string_append_printf(o, "How it is evaluated\n  1. Each transaction is looked at from %s.\n",
                           side);
    if (r->plan.channel_mask != G_MAXUINT32)
        explain_channels(o, "Only these channels can pass, so others are skipped at once:",
                         r->plan.channel_mask);
    guint32 as_sender = r->plan.pass_mask[SIDE_SENDER][0] | r->plan.pass_mask[SIDE_SENDER][1];
    guint32 as_receiver = r->plan.pass_mask[SIDE_RECEIVER][0] | r->plan.pass_mask[SIDE_RECEIVER][1];
    if (r->persp == PERSP_ACCOUNT && as_sender != as_receiver) {
        explain_channels(o, "Money out can pass only on:", as_sender);
        explain_channels(o, "Money in can pass only on:", as_receiver);
    }
    if (!r->plan.pass_mask[SIDE_ANY][1] && !r->plan.pass_mask[SIDE_SENDER][1] &&
        !r->plan.pass_mask[SIDE_RECEIVER][1])
        g_string_append(o, "     A transaction without a merchant category code (mcc) cannot "
                           "pass, so it is skipped at once.\n");
    explain_mcc(r, o);
    if ((r->plan.kind_mask & 7) != 7) {
        static const char *const kinds[] = {"unknown (not in the accounts table)", "person",
                                            "business"};
        g_string_append(o, "     Only accounts of these kinds can pass, so others are skipped at "
                           "once:");
        for (int k = 0; k < 3; k++) {
            if (r->plan.kind_mask & (1u << k))
                g_string_append_printf(o, " %s", kinds[k]);
        }
        g_string_append_c(o, '\n');
    }
    if (r->plan.account_filter_src)
        g_string_append_printf(o,
                               "     An account's fixed attributes are tested once and remembered: "
                               "%s\n",
                               r->plan.account_filter_src);
    g_string_append_printf(o, "  2. It passes the filter when: %s\n",
                           r->filter_src ? r->filter_src : "(no filter: every transaction)");
    if (r->match.kind != MATCH_NONE)
        explain_match(r, o);
    else if (r->window)
        g_string_append_printf(o,
                               "  3. A passing transaction enters that account's window of %s; "
                               "a transaction %s old or older has left it.\n",
                               tstamp_format_duration(r->window, dur, sizeof dur), dur);
    else
        g_string_append(o, "  3. No window: the condition sees the current transaction only.\n");
    g_string_append(o, "  4. Over the window it computes:");
    for (guint i = 0; i < r->aggs->len; i++)
        g_string_append_printf(o, "%s %s", i ? "," : "", g_array_index(r->aggs, RuleAgg, i).text);
    g_string_append_printf(o, "%s\n  5. It raises an alert on that account when: %s\n",
                           r->aggs->len ? "" : " nothing",
                           r->condition_src ? r->condition_src : "the pattern is found");
    if (r->plan.leads->len && r->match.kind == MATCH_NONE) {
        g_string_append(o, "     Tested first, from the running totals and times the window "
                           "keeps, so that the rest is not computed when one fails:");
        for (guint i = 0; i < r->plan.leads->len; i++)
            g_string_append_printf(o, "%s %s", i ? ";" : "",
                                   g_array_index(r->plan.leads, RuleLead, i).text);
        g_string_append_c(o, '\n');
    }
    g_string_append_printf(o,
                           "  6. After an alert, the account raises no new alert of this rule "
                           "for %s.\n",
                           tstamp_format_duration(r->suppress, dur, sizeof dur));
    g_string_append_printf(o, "  7. The alert explains itself as: \"%s\"\n", r->explain_src);
}

static int rules_explain(int argc, char **argv, char **paths)
{
    static const char *const fallback[] = {"rules", NULL};
    char **p = paths ? paths : (char **)fallback;
    int n_err, n_warn;
    g_autoptr(RuleSet) rs = load(p, (int)g_strv_length(p), FALSE, &n_err, &n_warn);
    if (!rs)
        return EXIT_FINDINGS;
    int rc = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        const Rule *r = rule_set_find(rs, argv[i]);
        for (guint k = 0; !r && k < rs->typologies->len; k++) {
            const Typology *ty = g_ptr_array_index(rs->typologies, k);
            if (strcmp(ty->rule.id, argv[i]) == 0)
                r = &ty->rule;
        }
        if (!r) {
            cmd_error("rules explain", "no rule '%s' in the loaded rules", argv[i]);
            rc = EXIT_USAGE;
            continue;
        }
        g_autoptr(GString) o = g_string_new(NULL);
        g_string_append_printf(o,
                               "rule %s version %d: %s\n  source:   %s\n  family:   %s, "
                               "strength %s (score %d)\n  defined:  %s:%d\n\n",
                               r->id, r->version, r->title, r->source ? r->source : "(none)",
                               r->family, rule_strength_name(r->strength), (int)rule_score(r),
                               r->file, r->line);
        if (r->typology) {
            explain_typology(r->typology, o);
            fputs(o->str, stdout);
            continue;
        }
        explain_words(r, o);
        g_string_append_printf(o, "\nCompiled programs\n  filter (%u steps):\n", r->filter.n);
        rule_vm_disassemble(&r->filter, rs, r, o);
        static const char *const sides[] = {[SIDE_SENDER] = "sender", [SIDE_RECEIVER] = "receiver"};
        for (Side side = SIDE_SENDER; side <= SIDE_RECEIVER; side++) {
            const RuleProgram *f = &r->plan.side_filter[side];
            if (!(r->persp & (side == SIDE_SENDER ? PERSP_SENDER : PERSP_RECEIVER)) ||
                !r->plan.pass_mask[side][0] || !r->filter.n)
                continue;
            g_string_append_printf(o,
                                   "  filter as run for the %s, once the prefilters passed (%u "
                                   "steps%s):\n",
                                   sides[side], f->n, f->n ? "" : ": it passes");
            rule_vm_disassemble(f, rs, r, o);
        }
        for (guint k = 0; k < r->aggs->len; k++) {
            const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, k);
            if (g->arg.n) {
                g_string_append_printf(o, "  argument of %s (%u steps):\n", g->text, g->arg.n);
                rule_vm_disassemble(&g->arg, rs, r, o);
            }
            for (guint s = 0; s < g->n_mid; s++) {
                g_string_append_printf(o, "  step %u of %s (%u steps):\n", s + 2, g->text,
                                       g->mid[s].n);
                rule_vm_disassemble(&g->mid[s], rs, r, o);
            }
        }
        g_string_append_printf(o, "  alert condition (%u steps):\n", r->condition.n);
        rule_vm_disassemble(&r->condition, rs, r, o);
        fputs(o->str, stdout);
    }
    return rc;
}

/* One side of a diff: the rules at path over the data, its alerts into
 * the impact, its report (caller frees) when there are labels. */
static int diff_pass(Impact *im, ImpactSide side, const char *path, const CmdRunOptions *data,
                     char **label_files, BacktestReport **report)
{
    g_autoptr(LabelSet) labels = label_set_new();
    for (char **p = label_files; p && *p; p++) {
        g_autoptr(GError) err = NULL;
        if (!label_set_load(labels, *p, &err)) {
            cmd_error("rules", "%s", err->message);
            return EXIT_DATA;
        }
    }
    char *rules[] = {(char *)path, NULL};
    CmdPass p = {.cmd = "rules diff",
                 .o = data,
                 .rules = rules,
                 .labels = labels,
                 .alert = impact_on_alert,
                 .user = impact_user(im, side)};
    int rc = cmd_pass_run(&p, NULL);
    if (p.rs)
        impact_set_rules(im, side, path, p.rs);
    if (rc == EXIT_OK && !label_set_is_empty(labels))
        *report = backtest_report(p.bt);
    cmd_pass_clear(&p);
    return rc;
}

/* Only the definitions, when no data is given. */
static int diff_rules_only(Impact *im, ImpactSide side, const char *path)
{
    char *rules[] = {(char *)path, NULL};
    g_autoptr(RuleSet) rs = cmd_load_rules("rules diff", rules, NULL);
    if (!rs)
        return EXIT_FINDINGS;
    impact_set_rules(im, side, path, rs);
    return EXIT_OK;
}

/* Runs the two sides of a diff (run->sources: OLD, NEW, then n - 2 data
 * files) and prints the comparison; an EXIT_* code. */
static int diff_run(const CmdRunOptions *run, char **label_files, guint examples, guint n,
                    gboolean json)
{
    g_autoptr(Impact) im = impact_new();
    BacktestReport *report[2] = {NULL, NULL};
    CmdRunOptions data = *run;
    data.sources = run->sources + 2;
    int rc = EXIT_OK;
    for (int side = 0; side < 2 && rc == EXIT_OK; side++)
        rc = n > 2 ? diff_pass(im, (ImpactSide)side, run->sources[side], &data, label_files,
                               &report[side])
                   : diff_rules_only(im, (ImpactSide)side, run->sources[side]);
    if (rc == EXIT_OK) {
        impact_set_report(im, IMPACT_OLD, report[0]);
        impact_set_report(im, IMPACT_NEW, report[1]);
        g_autoptr(GString) text = g_string_new(NULL);
        (json ? impact_json : impact_text)(im, examples, text);
        fwrite(text->str, 1, text->len, stdout);
    }
    for (int side = 0; side < 2; side++)
        backtest_report_free(report[side]);
    g_clear_pointer(&data.fx_rates, fx_free); /* the rates both sides shared */
    return rc;
}

/* `rules diff OLD NEW [DATA...]`: both rule sets over the data, one pass
 * each, and what changed between their alerts. */
static int rules_diff(int argc, char **argv)
{
    CmdRunOptions run;
    cmd_run_options_init(&run);
    char **label_files = NULL;
    gint examples = 3;
    gboolean json = FALSE;
    GOptionEntry entries[] = {
        {"json", 0, 0, G_OPTION_ARG_NONE, &json,
         "print one JSON object instead of tables (fields: docs/rule-authors.md)", NULL},
        {"labels", 'l', 0, G_OPTION_ARG_FILENAME_ARRAY, &label_files,
         "ground truth, for the change in precision, recall and lift (repeatable)", "FILE"},
        {"examples", 0, 0, G_OPTION_ARG_INT, &examples,
         "alerts added and removed shown per rule (default 3)", "N"},
        cmd_run_option(&run, "format"),
        cmd_run_option(&run, "accounts"),
        cmd_run_option(&run, "max-errors"),
        cmd_run_option(&run, "threads"),
        cmd_run_option(&run, "fx"),
        cmd_run_option(&run, "currency"),
        cmd_run_option(&run, "fx-max-age"),
        cmd_run_option(&run, G_OPTION_REMAINING),
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("OLD NEW [DATA...]");
    g_option_context_set_summary(
        ctx, "Run two rule sets (files or directories) over the same data and print, per rule "
             "and typology, the alerts and accounts added and removed, with examples; with "
             "labels, the change in precision, recall and lift.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int rc = EXIT_USAGE;
    guint n = 0;
    if (!cmd_parse_options(ctx, &argc, &argv, "rules diff"))
        goto out;
    n = run.sources ? g_strv_length(run.sources) : 0;
    if (n < 2 || examples < 0) {
        cmd_error("rules diff", n < 2 ? "expected OLD and NEW rule paths, then the data"
                                      : "--examples must be 0 or more");
        goto out;
    }
    if (!cmd_parse_threads("rules diff", run.threads_opt, &run.threads))
        goto out;
    rc = diff_run(&run, label_files, (guint)examples, n, json);
out:
    g_strfreev(label_files);
    cmd_run_options_clear(&run);
    return rc;
}

/* One row of `rules list`. */
static void list_row(const Rule *r, const char *kind, GString *out)
{
    g_string_append_printf(out, "%-12s %7d %-12s %-14s %-8s %-8s %s\n", r->id, r->version,
                           rule_status_name(r->status), r->family ? r->family : "-",
                           rule_strength_name(r->strength), kind, r->title ? r->title : "");
}

/* `rules list [PATH...]`: a table of the rules and typologies. */
static int rules_list(int argc, char **argv)
{
    char *def[] = {(char *)"rules", NULL};
    int n_err, n_warn;
    g_autoptr(RuleSet) rs =
        argc ? load(argv, argc, FALSE, &n_err, &n_warn) : load(def, 1, FALSE, &n_err, &n_warn);
    if (!rs)
        return EXIT_FINDINGS;
    g_autoptr(GString) out = g_string_new(NULL);
    g_string_append_printf(out, "%-12s %7s %-12s %-14s %-8s %-8s %s\n", "id", "version", "status",
                           "family", "strength", "kind", "title");
    for (guint i = 0; i < rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(rs->rules, i);
        list_row(r, r->match.kind != MATCH_NONE ? "graph" : "window", out);
    }
    for (guint i = 0; i < rs->typologies->len; i++)
        list_row(&((Typology *)g_ptr_array_index(rs->typologies, i))->rule, "typology", out);
    fwrite(out->str, 1, out->len, stdout);
    return EXIT_OK;
}

#ifndef MONEYTRAIL_VERSION
#define MONEYTRAIL_VERSION "dev" /* a release build sets it: -DMONEYTRAIL_VERSION=... */
#endif

int cmd_version(int argc, char **argv)
{
    printf("moneytrail %s (built %s %s with GLib %u.%u.%u)\n", MONEYTRAIL_VERSION, __DATE__,
           __TIME__, glib_major_version, glib_minor_version, glib_micro_version);
    char *paths[] = {argc > 1 ? argv[1] : (char *)"rules", NULL};
    g_autoptr(GPtrArray) diags = rule_diags_new();
    g_autoptr(RuleSet) rs = rule_set_load((const char *const *)paths, 1, diags);
    if (rs)
        printf("rules %s: digest %.16s (%u rules, %u typologies)\n", paths[0], rs->digest,
               rs->rules->len, rs->typologies->len);
    else
        printf("rules %s: not loaded ('moneytrail rules check %s' says why)\n", paths[0], paths[0]);
    return EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "diff") == 0)
        return rules_diff(argc - 1, argv + 1);
    char **paths = NULL;
    GOptionEntry entries[] = {
        {"rules", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &paths,
         "for explain: rule file or directory (default: rules)", "PATH"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("check|test|list PATH... | explain RULE... | diff OLD NEW [DATA...]");
    g_option_context_set_summary(ctx, "check: compile and lint rule files or directories\n"
                                      "test: run the examples of every rule\n"
                                      "explain: say how a rule is evaluated and show its programs\n"
                                      "list: id, version, status, family, strength, kind, title\n"
                                      "diff: what a change of the rules does to the alerts "
                                      "('rules diff --help')");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int rc = EXIT_USAGE;
    if (!cmd_parse_options(ctx, &argc, &argv, "rules"))
        goto out;
    if (argc < 3 && !(argc == 2 && strcmp(argv[1], "list") == 0)) {
        cmd_error("rules", "expected 'check PATH...', 'test PATH...', 'list [PATH...]', "
                           "'explain RULE...' or 'diff OLD NEW [DATA...]'");
        goto out;
    }
    if (strcmp(argv[1], "check") == 0)
        rc = rules_check(argc - 2, argv + 2);
    else if (strcmp(argv[1], "list") == 0)
        rc = rules_list(argc - 2, argv + 2);
    else if (strcmp(argv[1], "test") == 0)
        rc = rules_test(argc - 2, argv + 2);
    else if (strcmp(argv[1], "explain") == 0)
        rc = rules_explain(argc - 2, argv + 2, paths);
    else
        cmd_error("rules", "unknown action '%s' (check, test, explain, list or diff)", argv[1]);
out:
    g_strfreev(paths);
    return rc;
}
