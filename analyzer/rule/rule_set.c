/* rule_set.c: the loader: reads rule files and directories into a
 * RuleSet, then links typologies to their rules and checks the set whole.
 *
 * Loading order is fixed so that lists and constants are defined before the
 * rules that use them: the *.list files of each directory, then its *.rule
 * files, each in name order. The digest covers every loaded byte, so a run
 * can record exactly which rules it used. */
#include "rule/rule_ast.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Parses one file's text into rs; returns the number of errors. */
static int load_text(RuleSet *rs, const char *path, const char *src, gsize len, GPtrArray *diags,
                     GChecksum *sum, GHashTable *overrides, GHashTable *used)
{
    if (len > LIMIT_RULE_FILE_BYTES || !g_utf8_validate(src, (gssize)len, NULL) ||
        memchr(src, '\0', len)) {
        rule_diag_add(diags, path, NULL, 0, 1, 1, FALSE,
                      len > LIMIT_RULE_FILE_BYTES ? "rule file too large"
                                                  : "rule file is not UTF-8 text");
        return 1;
    }
    g_checksum_update(sum, (const guchar *)path, (gssize)strlen(path) + 1);
    g_checksum_update(sum, (const guchar *)src, (gssize)len);
    RuleCtx cx = {.rs = rs,
                  .file = path,
                  .src = src,
                  .len = len,
                  .diags = diags,
                  .overrides = overrides,
                  .used_overrides = used};
    rule_parse_file(&cx);
    g_ptr_array_add(rs->files, g_strdup(path));
    return cx.errors;
}

static int load_file(RuleSet *rs, const char *path, GPtrArray *diags, GChecksum *sum,
                     GHashTable *overrides, GHashTable *used)
{
    g_autofree char *src = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &src, &len, &err)) {
        rule_diag_add(diags, path, NULL, 0, 0, 0, FALSE, err->message);
        return 1;
    }
    return load_text(rs, path, src, len, diags, sum, overrides, used);
}

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the files of dir ending in suffix, sorted, to out. */
static gboolean dir_files(const char *dir, const char *suffix, GPtrArray *out, GPtrArray *diags)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &err);
    if (!d) {
        rule_diag_add(diags, dir, NULL, 0, 0, 0, FALSE, err->message);
        return FALSE;
    }
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d))) {
        if (g_str_has_suffix(name, suffix))
            g_ptr_array_add(names, g_build_filename(dir, name, NULL));
    }
    g_ptr_array_sort(names, cmp_str);
    for (guint i = 0; i < names->len; i++)
        g_ptr_array_add(out, g_strdup(g_ptr_array_index(names, i)));
    return TRUE;
}

static gboolean contains(GPtrArray *a, const char *s)
{
    for (guint i = 0; i < a->len; i++) {
        if (strcmp(g_ptr_array_index(a, i), s) == 0)
            return TRUE;
    }
    return FALSE;
}

/* The .list and .rule files the paths name (a directory names its files;
 * a rule file brings the lists beside it). Lists brought along are also
 * put in beside, so that their unused entries are not warned about unless
 * their own file or folder was named. */
static gboolean expand_paths(const char *const *paths, guint n, GPtrArray *lists, GPtrArray *rules,
                             GPtrArray *beside, GPtrArray *diags)
{
    gboolean ok = TRUE;
    for (guint i = 0; i < n; i++) {
        if (g_file_test(paths[i], G_FILE_TEST_IS_DIR)) {
            ok &= dir_files(paths[i], ".list", lists, diags);
            ok &= dir_files(paths[i], ".rule", rules, diags);
        } else if (g_file_test(paths[i], G_FILE_TEST_EXISTS)) {
            g_autofree char *dir = g_path_get_dirname(paths[i]);
            g_autoptr(GPtrArray) l = g_ptr_array_new_with_free_func(g_free);
            dir_files(dir, ".list", l, diags);
            for (guint k = 0; k < l->len; k++) {
                if (!contains(lists, g_ptr_array_index(l, k)))
                    g_ptr_array_add(lists, g_strdup(g_ptr_array_index(l, k)));
                if (strcmp(g_ptr_array_index(l, k), paths[i]) != 0)
                    g_ptr_array_add(beside, g_strdup(g_ptr_array_index(l, k)));
            }
            if (!g_str_has_suffix(paths[i], ".list"))
                g_ptr_array_add(rules, g_strdup(paths[i]));
        } else {
            rule_diag_add(diags, paths[i], NULL, 0, 0, 0, FALSE, g_strerror(ENOENT));
            ok = FALSE;
        }
    }
    return ok;
}

/* Warns of lists and constants never used, only when their file was named
 * (directly or by its folder), not brought along beside a rule. */
static void warn_unused(RuleSet *rs, GPtrArray *beside, const char *const *paths, guint n,
                        GPtrArray *diags)
{
    g_autoptr(GPtrArray) named = g_ptr_array_new();
    for (guint i = 0; i < n; i++)
        g_ptr_array_add(named, (gpointer)paths[i]);
    for (guint i = 0; i < rs->lists->len; i++) {
        RuleList *l = g_ptr_array_index(rs->lists, i);
        gboolean quiet = contains(beside, l->file) && !contains(named, l->file);
        if (!l->used && !l->anonymous && !quiet) {
            g_autofree char *msg = g_strdup_printf("list '%s' is never used", l->name);
            rule_diag_add(diags, l->file, NULL, 0, l->line, l->col, TRUE, msg);
        }
    }
    for (guint i = 0; i < rs->consts->len; i++) {
        RuleConst *k = g_ptr_array_index(rs->consts, i);
        gboolean quiet = contains(beside, k->file) && !contains(named, k->file);
        if (!k->used && !quiet) {
            g_autofree char *msg = g_strdup_printf("constant '%s' is never used", k->name);
            rule_diag_add(diags, k->file, NULL, 0, k->line, k->col, TRUE, msg);
        }
    }
}

RuleSet *rule_set_load(const char *const *paths, guint n_paths, GPtrArray *diags)
{
    return rule_set_load_with(paths, n_paths, NULL, diags);
}

/* The names an override may set: constants, and RULE.NAME for the
 * parameters of each rule; the array owns them. */
static GPtrArray *override_names(const RuleSet *rs)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < rs->consts->len; i++)
        g_ptr_array_add(names, g_strdup(((RuleConst *)g_ptr_array_index(rs->consts, i))->name));
    for (guint i = 0; i < rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(rs->rules, i);
        for (guint k = 0; k < r->params->len; k++)
            g_ptr_array_add(names,
                            g_strdup_printf("%s.%s", r->id,
                                            ((RuleConst *)g_ptr_array_index(r->params, k))->name));
    }
    return names;
}

/* An override that matched no constant or parameter is an error. */
static int check_overrides(const RuleSet *rs, GHashTable *overrides, GHashTable *used,
                           GPtrArray *diags)
{
    int errors = 0;
    GHashTableIter it;
    gpointer key;
    g_autoptr(GPtrArray) names = override_names(rs);
    g_hash_table_iter_init(&it, overrides);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (g_hash_table_contains(used, key))
            continue;
        RuleSuggest sg;
        rule_suggest_init(&sg, key);
        for (guint i = 0; i < names->len; i++)
            rule_suggest_try(&sg, g_ptr_array_index(names, i));
        g_autofree char *hint = rule_suggest_text(&sg);
        g_autofree char *msg =
            g_strdup_printf("'%s' is neither a constant nor a rule parameter (RULE.NAME)%s",
                            (const char *)key, hint);
        rule_diag_add(diags, "override", NULL, 0, 0, 0, FALSE, msg);
        errors++;
    }
    return errors;
}

/* Resolves rule ids into rules; an unknown id is an error at its line. */
static int resolve_ids(const RuleSet *rs, const Typology *ty, GPtrArray *ids, GPtrArray *out,
                       GPtrArray *diags)
{
    int errors = 0;
    for (guint i = 0; i < ids->len; i++) {
        const char *id = g_ptr_array_index(ids, i);
        const Rule *r = rule_set_find(rs, id);
        if (r && !r->typology) {
            g_ptr_array_add(out, (gpointer)r);
            continue;
        }
        g_autofree char *msg = g_strdup_printf("typology %s names no rule '%s'", ty->rule.id, id);
        rule_diag_add(diags, ty->rule.file, NULL, 0, ty->ids_line ? ty->ids_line : ty->rule.line, 1,
                      FALSE, msg);
        errors++;
    }
    return errors;
}

/* Overrides change what the rules do, so they are part of the digest (in
 * name order, so that the digest does not depend on the hash table). */
static void digest_overrides(GChecksum *sum, GHashTable *overrides)
{
    if (!overrides)
        return;
    g_autofree gpointer *keys = g_hash_table_get_keys_as_array(overrides, NULL);
    guint n = g_hash_table_size(overrides);
    qsort(keys, n, sizeof(gpointer), cmp_str);
    for (guint i = 0; i < n; i++) {
        const char *v = g_hash_table_lookup(overrides, keys[i]);
        g_checksum_update(sum, (const guchar *)keys[i], (gssize)strlen(keys[i]) + 1);
        g_checksum_update(sum, (const guchar *)v, (gssize)strlen(v) + 1);
    }
}

/* Notes whether the engine must keep history (RuleSet.history). */
static void note_history(RuleSet *rs)
{
    for (guint i = 0; i < rs->rules->len && !rs->history; i++)
        rs->history = rule_reads_history(g_ptr_array_index(rs->rules, i));
}

static int link_typologies(RuleSet *rs, GPtrArray *diags)
{
    int errors = 0;
    for (guint i = 0; i < rs->typologies->len; i++) {
        Typology *ty = g_ptr_array_index(rs->typologies, i);
        ty->indicators = g_ptr_array_new();
        ty->victims = g_ptr_array_new();
        ty->controllers = g_ptr_array_new();
        ty->required = g_ptr_array_new();
        errors += resolve_ids(rs, ty, ty->required_ids, ty->required, diags);
        ty->escalations = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
        errors += resolve_ids(rs, ty, ty->indicator_ids, ty->indicators, diags);
        errors += resolve_ids(rs, ty, ty->victim_ids, ty->victims, diags);
        errors += resolve_ids(rs, ty, ty->controller_ids, ty->controllers, diags);
        for (guint k = 0; k < ty->escalation_ids->len; k++) {
            GPtrArray *group = g_ptr_array_new();
            g_ptr_array_add(ty->escalations, group);
            errors += resolve_ids(rs, ty, g_ptr_array_index(ty->escalation_ids, k), group, diags);
        }
    }
    return errors;
}

RuleSet *rule_set_load_text(const char *name, const char *src, gsize len, GPtrArray *diags)
{
    RuleSet *rs = rule_set_new();
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    int errors = load_text(rs, name, src, len, diags, sum, NULL, used);
    if (errors == 0)
        errors += link_typologies(rs, diags);
    note_history(rs);
    if (errors) {
        rule_set_free(rs);
        return NULL;
    }
    g_strlcpy(rs->digest, g_checksum_get_string(sum), sizeof rs->digest);
    return rs;
}

RuleSet *rule_set_load_with(const char *const *paths, guint n_paths, GHashTable *overrides,
                            GPtrArray *diags)
{
    g_autoptr(GHashTable) used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    RuleSet *rs = rule_set_new();
    g_autoptr(GPtrArray) lists = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) rules = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) beside = g_ptr_array_new_with_free_func(g_free);
    int errors = expand_paths(paths, n_paths, lists, rules, beside, diags) ? 0 : 1;
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    for (guint i = 0; i < lists->len; i++)
        errors += load_file(rs, g_ptr_array_index(lists, i), diags, sum, overrides, used);
    for (guint i = 0; i < rules->len; i++)
        errors += load_file(rs, g_ptr_array_index(rules, i), diags, sum, overrides, used);
    if (overrides)
        errors += check_overrides(rs, overrides, used, diags);
    if (errors == 0)
        errors += link_typologies(rs, diags);
    note_history(rs);
    digest_overrides(sum, overrides);
    for (guint i = 0; i < rs->list_files->len; i++) { /* account lists read from files */
        const char *f = g_ptr_array_index(rs->list_files, i);
        g_checksum_update(sum, (const guchar *)f, (gssize)strlen(f) + 1);
    }
    g_strlcpy(rs->digest, g_checksum_get_string(sum), sizeof rs->digest);
    if (errors == 0)
        warn_unused(rs, beside, paths, n_paths, diags);
    guint graph_rules = 0;
    for (guint i = 0; i < rs->rules->len; i++)
        graph_rules += ((Rule *)g_ptr_array_index(rs->rules, i))->match.kind != MATCH_NONE;
    if (graph_rules > LIMIT_GRAPH_RULES) {
        g_autofree char *msg =
            g_strdup_printf("%u rules with 'match': at most %d can be loaded at once", graph_rules,
                            LIMIT_GRAPH_RULES);
        rule_diag_add(diags, "rules", NULL, 0, 0, 0, FALSE, msg);
        errors++;
    }
    if (errors == 0 && rs->rules->len == 0) {
        rule_diag_add(diags, n_paths ? paths[0] : "rules", NULL, 0, 0, 0, FALSE,
                      "no rules found (rule files end in .rule)");
        errors++;
    }
    if (errors) {
        rule_set_free(rs);
        return NULL;
    }
    return rs;
}

/* ---- fingerprints ---- */

/* A list by its kind and members, not by its place in the set, so that a
 * change of a list's values changes the fingerprint of the rules using it. */
static void digest_list(GChecksum *sum, const RuleList *l)
{
    gint64 w[2] = {l->kind, l->nbits};
    g_checksum_update(sum, (const guchar *)w, sizeof w);
    g_checksum_update(sum, l->bits, (l->nbits + 7) / 8);
}

static void digest_program(GChecksum *sum, const RuleSet *rs, const RuleProgram *p)
{
    for (guint i = 0; i < p->n; i++) {
        const RuleStep *st = &p->steps[i];
        gboolean list = st->op == OP_IN_LIST || st->op == OP_FIELD_IN_LIST;
        gint64 w[3] = {st->op | (st->b << 8), list ? 0 : st->a, 0};
        memcpy(&w[2], &st->k, sizeof st->k);
        g_checksum_update(sum, (const guchar *)w, sizeof w);
        if (list)
            digest_list(sum, g_ptr_array_index(rs->lists, st->a));
    }
    g_checksum_update(sum, (const guchar *)"|", 1);
}

static void digest_match(GChecksum *sum, const RuleSet *rs, const MatchSpec *m)
{
    gint64 w[] = {m->kind, m->min_len,   m->max_len,    m->k,
                  m->k2,   m->unordered, m->max_degree, m->hold};
    double d[] = {m->tolerance, m->ratio};
    g_checksum_update(sum, (const guchar *)w, sizeof w);
    g_checksum_update(sum, (const guchar *)d, sizeof d);
    if (m->strangers) /* only when set: the fingerprints of other rules stay */
        g_checksum_update(sum, (const guchar *)"strangers", 9);
    if (m->hubs) {
        gint64 h = m->hubs;
        g_checksum_update(sum, (const guchar *)&h, sizeof h);
    }
    digest_program(sum, rs, &m->nodes);
}

void rule_fingerprint(const RuleSet *rs, const Rule *r, char out[17])
{
    g_autoptr(GChecksum) sum = g_checksum_new(G_CHECKSUM_SHA256);
    gint64 head[] = {r->window, r->baseline, r->suppress, r->persp, r->strength};
    g_checksum_update(sum, (const guchar *)head, sizeof head);
    digest_match(sum, rs, &r->match);
    digest_program(sum, rs, &r->filter);
    digest_program(sum, rs, &r->condition);
    for (guint i = 0; i < r->aggs->len; i++) {
        const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, i);
        gint64 w[3] = {g->kind, g->field | (g->baseline << 16), 0};
        memcpy(&w[2], &g->k, sizeof g->k);
        g_checksum_update(sum, (const guchar *)w, sizeof w);
        digest_program(sum, rs, &g->arg);
        digest_program(sum, rs, &g->cond);
        for (guint k = 0; k < g->n_mid; k++)
            digest_program(sum, rs, &g->mid[k]);
    }
    for (guint i = 0; i < r->params->len; i++) {
        const RuleConst *k = g_ptr_array_index(r->params, i);
        g_checksum_update(sum, (const guchar *)k->name, (gssize)strlen(k->name) + 1);
        g_checksum_update(sum, (const guchar *)&k->value, sizeof k->value);
    }
    g_strlcpy(out, g_checksum_get_string(sum), 17);
}
