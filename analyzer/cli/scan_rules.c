/* scan_rules.c: the rules of a stored run, and what changed since the
 * last incremental run (see scan_rules.h). It uses a connection of its
 * own, in autocommit: the run's row is committed before the alerts'
 * transaction begins, so the rules can refer to it at once. */
#include "cli/scan_rules.h"

#include <stdlib.h>
#include <string.h>

#include "base/db.h"
#include "base/jval.h"

/* One rule as recorded. */
typedef struct {
    int version;
    char fingerprint[17];
} NotedRule;

/* rule id -> NotedRule of rs: its rules and typologies. */
static GHashTable *rules_of(const RuleSet *rs)
{
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    guint n = rs->rules->len + rs->typologies->len;
    for (guint i = 0; i < n; i++) {
        const Rule *r =
            i < rs->rules->len
                ? g_ptr_array_index(rs->rules, i)
                : &((Typology *)g_ptr_array_index(rs->typologies, i - rs->rules->len))->rule;
        NotedRule *x = g_new0(NotedRule, 1);
        x->version = r->version;
        rule_fingerprint(rs, r, x->fingerprint);
        g_hash_table_replace(h, g_strdup(r->id), x);
    }
    return h;
}

/* The rules as a JSON array of {rule, version, fingerprint}. */
static char *rules_json(GHashTable *rules)
{
    GString *s = g_string_new("[");
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, rules);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const NotedRule *x = v;
        jval_write_open(s, NULL, '{');
        jval_write_str(s, "rule", k);
        jval_write_key(s, "version");
        g_string_append_printf(s, "%d", x->version);
        jval_write_str(s, "fingerprint", x->fingerprint);
        g_string_append_c(s, '}');
    }
    g_string_append_c(s, ']');
    return g_string_free(s, FALSE);
}

static gboolean record(PGconn *conn, gint64 run_id, GHashTable *rules, GError **error)
{
    char id[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, run_id);
    g_autofree char *json = rules_json(rules);
    const char *params[] = {id, json};
    return db_command(conn, "cannot record the run's rules in",
                      "UPDATE runs SET rules = $2::jsonb WHERE id = $1::bigint", 2, params, error);
}

/* The last successful incremental run before run_id (not one that only
 * moved the watermark): *prev its id, *digest its rules digest (caller
 * frees); FALSE with *prev = 0 when there is none. */
static gboolean last_run(PGconn *conn, const char *id, gint64 *prev, char **digest, GError **error)
{
    const char *params[] = {id};
    PGresult *res = db_exec(conn, "cannot read the last run of",
                            "SELECT id, rules_digest FROM runs WHERE status = 'succeeded'"
                            " AND incremental AND rules_digest <> 'none' AND id < $1::bigint"
                            " ORDER BY id DESC LIMIT 1",
                            1, params, error);
    if (!res)
        return FALSE;
    *prev = PQntuples(res) ? g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    *digest = PQntuples(res) ? g_strdup(PQgetvalue(res, 0, 1)) : NULL;
    PQclear(res);
    return TRUE;
}

/* The rules recorded for run prev: rule id -> NotedRule; NULL on error. */
static GHashTable *recorded(PGconn *conn, gint64 prev, GError **error)
{
    char id[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, prev);
    const char *params[] = {id};
    PGresult *res = db_exec(conn, "cannot read the rules of the last run in",
                            "SELECT r->>'rule', r->>'version', r->>'fingerprint' FROM runs,"
                            " jsonb_array_elements(coalesce(rules, '[]')) r"
                            " WHERE id = $1::bigint",
                            1, params, error);
    if (!res)
        return NULL;
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (int i = 0; i < PQntuples(res); i++) {
        NotedRule *x = g_new0(NotedRule, 1);
        x->version = atoi(PQgetvalue(res, i, 1));
        g_strlcpy(x->fingerprint, PQgetvalue(res, i, 2), sizeof x->fingerprint);
        g_hash_table_replace(h, g_strdup(PQgetvalue(res, i, 0)), x);
    }
    PQclear(res);
    return h;
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "ID vN" of each rule of a missing from b (or, with changed, present in
 * both but another version or fingerprint), sorted, joined by ", ";
 * NULL when there is none. */
static char *rules_not_in(GHashTable *a, GHashTable *b, gboolean changed)
{
    g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, a);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        const NotedRule *x = v, *y = g_hash_table_lookup(b, k);
        if (!changed && !y)
            g_ptr_array_add(out, g_strdup_printf("%s v%d", (char *)k, x->version));
        else if (changed && y && y->version != x->version)
            g_ptr_array_add(out,
                            g_strdup_printf("%s v%d -> v%d", (char *)k, y->version, x->version));
        else if (changed && y && strcmp(x->fingerprint, y->fingerprint) != 0)
            g_ptr_array_add(
                out, g_strdup_printf("%s v%d edited without a new version", (char *)k, x->version));
    }
    if (!out->len)
        return NULL;
    g_ptr_array_sort(out, cmp_str);
    g_ptr_array_add(out, NULL);
    return g_strjoinv(", ", (char **)out->pdata);
}

/* The sentence for a digest that changed since run prev, whose rules are
 * before (empty when they were not recorded). */
static char *describe(gint64 prev, GHashTable *before, GHashTable *now)
{
    if (!g_hash_table_size(before))
        return g_strdup_printf("the rules changed since run %" G_GINT64_FORMAT
                               " (another digest); that run did not record its rules, so "
                               "which changed is unknown",
                               prev);
    g_autofree char *added = rules_not_in(now, before, FALSE);
    g_autofree char *removed = rules_not_in(before, now, FALSE);
    g_autofree char *changed = rules_not_in(now, before, TRUE);
    if (!added && !removed && !changed)
        return g_strdup_printf("the rules digest changed since run %" G_GINT64_FORMAT
                               ", but every rule computes the same (text, comments or paths "
                               "changed)",
                               prev);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "the rules changed since run %" G_GINT64_FORMAT ":", prev);
    const char *part[] = {"added", added, "removed", removed, "changed", changed};
    const char *sep = " ";
    for (guint i = 0; i < G_N_ELEMENTS(part); i += 2) {
        if (!part[i + 1])
            continue;
        g_string_append_printf(s, "%s%s %s", sep, part[i], part[i + 1]);
        sep = "; ";
    }
    return g_string_free(s, FALSE);
}

/* Compares with the last incremental run and records the sentence. */
static gboolean compare(PGconn *conn, gint64 run_id, const RuleSet *rs, GHashTable *now,
                        char **changed, GError **error)
{
    char id[32];
    g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, run_id);
    gint64 prev;
    g_autofree char *digest = NULL;
    if (!last_run(conn, id, &prev, &digest, error))
        return FALSE;
    if (!prev || strcmp(digest, rs->digest) == 0)
        return TRUE;
    g_autoptr(GHashTable) before = recorded(conn, prev, error);
    if (!before)
        return FALSE;
    *changed = describe(prev, before, now);
    const char *params[] = {id, *changed};
    return db_command(conn, "cannot record the change of the rules in",
                      "UPDATE runs SET rules_changed = $2 WHERE id = $1::bigint", 2, params, error);
}

gboolean scan_rules_note(const char *conninfo, gint64 run_id, const RuleSet *rs,
                         gboolean incremental, char **changed, GError **error)
{
    *changed = NULL;
    PGconn *conn = db_connect(conninfo, error);
    if (!conn)
        return FALSE;
    g_autoptr(GHashTable) now = rules_of(rs);
    gboolean ok = record(conn, run_id, now, error) &&
                  (!incremental || compare(conn, run_id, rs, now, changed, error));
    PQfinish(conn);
    return ok;
}
