/* scan_examples.c: rule examples as tests (see scan_examples.h).
 *
 * Each example runs in isolation: fresh account and location tables, an
 * engine over a one-rule view of the set, the rows in the order written.
 * The comparison is exact: every account's alert count must be what the
 * expectations say (an account not named must not alert), and listed
 * evidence must be the evidence of that account's first alert. */
#include "scan/scan_examples.h"

#include <string.h>

#include "engine/engine.h"
#include "read/kyc.h"

typedef struct {
    GHashTable *counts;       /* account -> alerts (GUINT_TO_POINTER) */
    GHashTable *evidence;     /* account -> "r1 r2 r3" of its first alert */
    GHashTable *roles;        /* account -> role of its first alert ("" for none) */
    gboolean only_typologies; /* a typology's example expects its alerts only */
} Seen;

static gboolean collect(const Alert *a, void *user)
{
    Seen *s = user;
    if (s->only_typologies && !a->rule->typology)
        return TRUE;
    const char *acc = intern_str(a->accounts, a->account);
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(s->counts, acc));
    g_hash_table_replace(s->counts, g_strdup(acc), GUINT_TO_POINTER(n + 1));
    if (n == 0) {
        GString *ev = g_string_new(NULL);
        for (guint i = 0; i < a->n_evidence; i++)
            g_string_append_printf(ev, "%s%.*s", i ? " " : "", (int)a->evidence[i].len,
                                   a->evidence[i].ptr);
        g_hash_table_replace(s->evidence, g_strdup(acc), g_string_free(ev, FALSE));
        const char *role = a->role ? strrchr(a->role, ' ') + 1 : "";
        g_hash_table_replace(s->roles, g_strdup(acc), g_strdup(role));
    }
    return TRUE;
}

static gboolean feed(const RuleSet *one, const RuleExample *ex, Seen *seen, GString *report)
{
    g_autoptr(Intern) accounts = intern_new();
    rule_set_intern_accounts(one, accounts); /* the ids account lists hold */
    g_autoptr(Intern) locations = intern_new();
    g_autoptr(Engine) e = engine_new(one, accounts, locations, collect, seen);
    g_autoptr(Kyc) kyc = kyc_new();
    for (guint i = 0; i < ex->accounts->len; i++) {
        const ExampleAccount *a = &g_array_index(ex->accounts, ExampleAccount, i);
        StrView vals[LIMIT_FIELDS];
        guint n = MIN(a->values->len, LIMIT_FIELDS);
        for (guint k = 0; k < n; k++) {
            const char *v = g_ptr_array_index(a->values, k);
            vals[k] = (StrView){v, (guint32)strlen(v)};
        }
        g_autoptr(GError) err = NULL;
        if (!kyc_add(kyc, (const char *const *)a->keys->pdata, vals, n, accounts, locations,
                     &err)) {
            g_string_append_printf(report, "    line %d: %s\n", a->line, err->message);
            return FALSE;
        }
    }
    kyc_finish(kyc);
    engine_set_kyc(e, kyc);
    engine_set_check(e, TRUE);
    gint64 last = G_MININT64;
    for (guint i = 0; i < ex->rows->len; i++) {
        const ExampleRow *row = &g_array_index(ex->rows, ExampleRow, i);
        if (row->core.ts < last) {
            g_string_append_printf(report, "    line %d: row is earlier than the row before\n",
                                   row->line);
            return FALSE;
        }
        last = row->core.ts;
        Txn t = {.core = row->core, .line = (guint64)row->line};
        if (row->memo)
            t.memo = (StrView){row->memo, (guint32)strlen(row->memo)};
        t.core.from = row->from ? intern_add(accounts, row->from, strlen(row->from)) : 0;
        t.core.to = row->to ? intern_add(accounts, row->to, strlen(row->to)) : 0;
        t.core.location =
            row->location ? intern_add(locations, row->location, strlen(row->location)) : 0;
        t.tx_id = (StrView){row->tx_id, (guint32)strlen(row->tx_id)};
        engine_process(e, &t);
    }
    return TRUE;
}

static void describe(GString *out, guint n, const char *acc)
{
    if (n == 0)
        g_string_append_printf(out, "no alert%s%s", acc ? " on " : "", acc ? acc : "");
    else
        g_string_append_printf(out, "%u alert%s on %s", n, n == 1 ? "" : "s", acc);
}

static char *join(const GPtrArray *a)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < a->len; i++)
        g_string_append_printf(s, "%s%s", i ? " " : "", (const char *)g_ptr_array_index(a, i));
    return g_string_free(s, FALSE);
}

static gboolean compare(const RuleExample *ex, Seen *seen, GString *report)
{
    gboolean ok = TRUE;
    g_autoptr(GHashTable) named = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < ex->expects->len; i++) {
        const ExampleExpect *x = &g_array_index(ex->expects, ExampleExpect, i);
        if (!x->account)
            continue;
        g_hash_table_add(named, x->account);
        guint got = GPOINTER_TO_UINT(g_hash_table_lookup(seen->counts, x->account));
        const char *ev = g_hash_table_lookup(seen->evidence, x->account);
        g_autofree char *want_ev = x->evidence ? join(x->evidence) : NULL;
        const char *role = g_hash_table_lookup(seen->roles, x->account);
        if (x->role && got && g_strcmp0(role, x->role) != 0) {
            g_string_append_printf(report, "    line %d: expected role %s on %s, got %s\n", x->line,
                                   x->role, x->account, role && *role ? role : "none");
            ok = FALSE;
        }
        if (got != (guint)x->count || (want_ev && g_strcmp0(ev, want_ev) != 0)) {
            g_string_append_printf(report, "    line %d: expected ", x->line);
            describe(report, (guint)x->count, x->account);
            if (want_ev)
                g_string_append_printf(report, " with evidence %s", want_ev);
            g_string_append(report, ", got ");
            describe(report, got, x->account);
            if (want_ev && ev)
                g_string_append_printf(report, " with evidence %s", ev);
            g_string_append_c(report, '\n');
            ok = FALSE;
        }
    }
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, seen->counts);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        if (g_hash_table_contains(named, k))
            continue;
        g_string_append(report, "    unexpected: ");
        describe(report, GPOINTER_TO_UINT(v), k);
        g_string_append_c(report, '\n');
        ok = FALSE;
    }
    return ok;
}

gboolean scan_examples_run(const RuleSet *rs, const Rule *r, const RuleExample *ex, GString *report)
{
    /* a view of the set with this rule only (or a typology and its
     * indicators); lists and constants are shared */
    RuleSet one = *rs;
    GPtrArray *rules = g_ptr_array_new();
    GPtrArray *typologies = g_ptr_array_new();
    if (r->typology) {
        for (guint i = 0; i < r->typology->indicators->len; i++)
            g_ptr_array_add(rules, g_ptr_array_index(r->typology->indicators, i));
        g_ptr_array_add(typologies, r->typology);
    } else {
        g_ptr_array_add(rules, (gpointer)r);
    }
    one.rules = rules;
    one.typologies = typologies;
    Seen seen = {g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                 g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
                 g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
                 r->typology != NULL};
    gboolean ok = feed(&one, ex, &seen, report) && compare(ex, &seen, report);
    g_hash_table_unref(seen.counts);
    g_hash_table_unref(seen.evidence);
    g_hash_table_unref(seen.roles);
    g_ptr_array_unref(rules);
    g_ptr_array_unref(typologies);
    return ok;
}
