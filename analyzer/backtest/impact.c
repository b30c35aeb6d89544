/* impact.c: the alerts of two rule sets over the same data, compared.
 *
 * Each side keeps its alerts in a hash table under a key that leaves out
 * the rule version ("RULE\tACCOUNT\tPERSPECTIVE\tTX"), so that an alert
 * kept by a new version of a rule matches the old one. The explanation is
 * kept as the value for examples. Rules are fingerprinted from what they
 * compute (rule_fingerprint), so that a rule whose text changed but whose
 * programs did not is not reported as changed. The
 * alert callbacks run on the scan's calling thread only. */
#include "backtest/impact.h"

#include "base/intern.h"
#include "base/jval.h"

#include <math.h>
#include <string.h>

/* One rule of one side. */
typedef struct {
    int version;
    gboolean typology;
    char digest[17]; /* of what it computes */
} ImpactRule;

typedef struct {
    char *name;
    GHashTable *alerts; /* key -> explanation (both owned) */
    GHashTable *rules;  /* rule id -> ImpactRule (owned) */
    const BacktestReport *report;
} ImpactPass;

struct Impact {
    ImpactPass side[2];
};

Impact *impact_new(void)
{
    Impact *im = g_new0(Impact, 1);
    for (int s = 0; s < 2; s++) {
        im->side[s].alerts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        im->side[s].rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    }
    return im;
}

void impact_free(Impact *im)
{
    if (!im)
        return;
    for (int s = 0; s < 2; s++) {
        g_free(im->side[s].name);
        g_hash_table_unref(im->side[s].alerts);
        g_hash_table_unref(im->side[s].rules);
    }
    g_free(im);
}

void *impact_user(Impact *im, ImpactSide side)
{
    return &im->side[side];
}

void impact_set_report(Impact *im, ImpactSide side, const BacktestReport *r)
{
    im->side[side].report = r;
}

static void note_rule(ImpactPass *s, const RuleSet *rs, const Rule *r, gboolean typology)
{
    ImpactRule *ir = g_new0(ImpactRule, 1);
    ir->version = r->version;
    ir->typology = typology;
    rule_fingerprint(rs, r, ir->digest);
    g_hash_table_replace(s->rules, g_strdup(r->id), ir);
}

void impact_set_rules(Impact *im, ImpactSide side, const char *name, const RuleSet *rs)
{
    ImpactPass *s = &im->side[side];
    g_free(s->name);
    s->name = g_strdup(name);
    for (guint i = 0; i < rs->rules->len; i++)
        note_rule(s, rs, g_ptr_array_index(rs->rules, i), FALSE);
    for (guint i = 0; i < rs->typologies->len; i++)
        note_rule(s, rs, &((Typology *)g_ptr_array_index(rs->typologies, i))->rule, TRUE);
}

gboolean impact_on_alert(const Alert *a, void *user)
{
    ImpactPass *s = user;
    char *key =
        g_strdup_printf("%s\t%s\t%s\t%.*s", a->rule->id, intern_str(a->accounts, a->account),
                        rule_persp_name(a->rule->persp), (int)a->trigger.len, a->trigger.ptr);
    g_hash_table_replace(s->alerts, key, g_strdup(a->explanation));
    return TRUE;
}

/* ---- comparing ---- */

/* One rule's counts across the two sides. */
typedef struct {
    const char *id;         /* owned (delta_get copies it) */
    const ImpactRule *r[2]; /* NULL where the side lacks it */
    guint alerts[2], added, removed;
    GHashTable *accounts[2]; /* account names (borrowed from keys) */
    GPtrArray *plus, *minus; /* keys added and removed (borrowed), sorted */
} RuleDelta;

static void delta_free(gpointer p)
{
    RuleDelta *d = p;
    for (int s = 0; s < 2; s++)
        g_hash_table_unref(d->accounts[s]);
    g_ptr_array_unref(d->plus);
    g_ptr_array_unref(d->minus);
    g_free((char *)d->id);
    g_free(d);
}

static RuleDelta *delta_get(GHashTable *by_rule, const Impact *im, const char *id)
{
    RuleDelta *d = g_hash_table_lookup(by_rule, id);
    if (d)
        return d;
    d = g_new0(RuleDelta, 1);
    char *key = g_strdup(id);
    d->id = key;
    for (int s = 0; s < 2; s++) {
        d->r[s] = g_hash_table_lookup(im->side[s].rules, id);
        d->accounts[s] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    }
    d->plus = g_ptr_array_new();
    d->minus = g_ptr_array_new();
    g_hash_table_insert(by_rule, key, d);
    return d;
}

/* Counts the alerts of side s into the deltas, and those missing on the
 * other side as added (s new) or removed (s old). */
static void count_side(const Impact *im, int s, GHashTable *by_rule)
{
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, im->side[s].rules);
    while (g_hash_table_iter_next(&it, &key, NULL))
        delta_get(by_rule, im, key);
    g_hash_table_iter_init(&it, im->side[s].alerts);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        const char *k = key;
        const char *tab = strchr(k, '\t');
        g_autofree char *id = g_strndup(k, (gsize)(tab - k));
        RuleDelta *d = delta_get(by_rule, im, id);
        d->alerts[s]++;
        const char *acc = tab + 1, *tab2 = strchr(acc, '\t');
        g_hash_table_add(d->accounts[s], g_strndup(acc, (gsize)(tab2 - acc)));
        if (!g_hash_table_contains(im->side[1 - s].alerts, k)) {
            g_ptr_array_add(s == IMPACT_NEW ? d->plus : d->minus, (gpointer)k);
            *(s == IMPACT_NEW ? &d->added : &d->removed) += 1;
        }
    }
}

/* Accounts in a but not in b. */
static guint set_minus(GHashTable *a, GHashTable *b)
{
    guint n = 0;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, a);
    while (g_hash_table_iter_next(&it, &key, NULL))
        n += !g_hash_table_contains(b, key);
    return n;
}

static gboolean delta_changed(const RuleDelta *d)
{
    return d->added || d->removed || !d->r[0] || !d->r[1] ||
           strcmp(d->r[0]->digest, d->r[1]->digest) != 0;
}

static gint cmp_delta(gconstpointer a, gconstpointer b)
{
    return strcmp((*(RuleDelta *const *)a)->id, (*(RuleDelta *const *)b)->id);
}

static gint cmp_key(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The deltas of every rule of either side, sorted by id; the array owns
 * them (and borrows keys from im until it is freed). */
static GPtrArray *deltas(const Impact *im)
{
    g_autoptr(GHashTable) by_rule = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, NULL);
    for (int s = 0; s < 2; s++)
        count_side(im, s, by_rule);
    GPtrArray *out = g_ptr_array_new_with_free_func(delta_free);
    GHashTableIter it;
    gpointer value;
    g_hash_table_iter_init(&it, by_rule);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        RuleDelta *d = value;
        g_ptr_array_sort(d->plus, cmp_key);
        g_ptr_array_sort(d->minus, cmp_key);
        g_ptr_array_add(out, d);
    }
    g_ptr_array_sort(out, cmp_delta);
    return out;
}

guint64 impact_changes(const Impact *im)
{
    g_autoptr(GPtrArray) all = deltas(im);
    guint64 n = 0;
    for (guint i = 0; i < all->len; i++) {
        const RuleDelta *d = g_ptr_array_index(all, i);
        n += d->added + d->removed;
    }
    return n;
}

/* ---- printing ---- */

static const char *version_text(const RuleDelta *d, char *buf, gsize size)
{
    if (!d->r[0])
        g_snprintf(buf, size, "new");
    else if (!d->r[1])
        g_snprintf(buf, size, "gone");
    else if (d->r[0]->version != d->r[1]->version)
        g_snprintf(buf, size, "%d->%d", d->r[0]->version, d->r[1]->version);
    else
        g_snprintf(buf, size, "%d%s", d->r[1]->version,
                   strcmp(d->r[0]->digest, d->r[1]->digest) ? " edited" : "");
    return buf;
}

static const BacktestRow *report_row(const BacktestReport *r, const char *id)
{
    for (guint i = 0; r && i < r->rows->len; i++) {
        const BacktestRow *x = &g_array_index(r->rows, BacktestRow, i);
        if (strcmp(x->rule, id) == 0)
            return x;
    }
    return NULL;
}

static void ratio_text(GString *out, double a, double b, const char *fmt)
{
    char x[32], y[32];
    g_snprintf(x, sizeof x, fmt, a);
    g_snprintf(y, sizeof y, fmt, b);
    g_string_append_printf(out, " %5s -> %5s", isnan(a) ? "-" : x, isnan(b) ? "-" : y);
}

/* The change in precision, recall and lift of the changed rules. */
static void quality_text(const Impact *im, GPtrArray *all, GString *out)
{
    g_string_append_printf(out, "\n%-14s %14s %14s %14s\n", "rule", "precision", "recall", "lift");
    for (guint i = 0; i < all->len; i++) {
        const RuleDelta *d = g_ptr_array_index(all, i);
        const BacktestRow *a = report_row(im->side[0].report, d->id);
        const BacktestRow *b = report_row(im->side[1].report, d->id);
        if (!delta_changed(d) || !a || !b)
            continue;
        g_string_append_printf(out, "%-14s", d->id);
        ratio_text(out, a->precision, b->precision, "%.2f");
        ratio_text(out, a->recall, b->recall, "%.2f");
        ratio_text(out, a->lift, b->lift, "%.1f");
        g_string_append_c(out, '\n');
    }
}

/* Up to n keys of keys, as "  + ACCOUNT (PERSPECTIVE) at TX: explanation". */
static void examples_text(const ImpactPass *side, GPtrArray *keys, guint n, char sign, GString *out)
{
    for (guint i = 0; i < keys->len && i < n; i++) {
        const char *k = g_ptr_array_index(keys, i);
        g_auto(GStrv) part = g_strsplit(k, "\t", 4);
        g_string_append_printf(out, "  %c %s (%s) at %s: %s\n", sign, part[1], part[2], part[3],
                               (const char *)g_hash_table_lookup(side->alerts, k));
    }
    if (keys->len > n)
        g_string_append_printf(out, "  %c ... %u more\n", sign, keys->len - n);
}

void impact_text(const Impact *im, guint examples, GString *out)
{
    g_autoptr(GPtrArray) all = deltas(im);
    g_string_append_printf(out,
                           "rules diff: %s -> %s, alerts matched on rule, account, "
                           "perspective and firing transaction\n\n",
                           im->side[0].name, im->side[1].name);
    g_string_append_printf(out, "%-14s %-8s %-9s %7s %7s %7s %7s %8s %8s %8s %8s\n", "rule", "kind",
                           "version", "alerts", "->", "+added", "-removed", "accounts", "->",
                           "+added", "-removed");
    guint same = 0;
    for (guint i = 0; i < all->len; i++) {
        const RuleDelta *d = g_ptr_array_index(all, i);
        if (!delta_changed(d)) {
            same++;
            continue;
        }
        char v[32];
        const ImpactRule *r = d->r[1] ? d->r[1] : d->r[0];
        g_string_append_printf(out, "%-14s %-8s %-9s %7u %7u %7u %8u %8u %8u %8u %8u\n", d->id,
                               r->typology ? "typology" : "rule", version_text(d, v, sizeof v),
                               d->alerts[0], d->alerts[1], d->added, d->removed,
                               g_hash_table_size(d->accounts[0]), g_hash_table_size(d->accounts[1]),
                               set_minus(d->accounts[1], d->accounts[0]),
                               set_minus(d->accounts[0], d->accounts[1]));
    }
    g_string_append_printf(out, "%u rule%s and typolog%s with the same alerts and definition\n",
                           same, same == 1 ? "" : "s", same == 1 ? "y" : "ies");
    if (im->side[0].report && im->side[1].report)
        quality_text(im, all, out);
    for (guint i = 0; i < all->len && examples; i++) {
        const RuleDelta *d = g_ptr_array_index(all, i);
        if (!d->plus->len && !d->minus->len)
            continue;
        g_string_append_printf(out, "\n%s: %u added, %u removed\n", d->id, d->added, d->removed);
        examples_text(&im->side[1], d->plus, examples, '+', out);
        examples_text(&im->side[0], d->minus, examples, '-', out);
    }
}

/* ---- JSON ---- */

static void json_num(GString *out, const char *key, double v)
{
    jval_write_key(out, key);
    if (isnan(v) || isinf(v)) {
        g_string_append(out, "null");
        return;
    }
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.6g", v));
}

static void json_uint(GString *out, const char *key, guint64 v)
{
    jval_write_key(out, key);
    g_string_append_printf(out, "%" G_GUINT64_FORMAT, v);
}

/* "same", "new", "gone", "version" (another version number) or "edited"
 * (same version, another compiled form). */
static const char *change_name(const RuleDelta *d)
{
    if (!d->r[0] || !d->r[1])
        return d->r[0] ? "gone" : "new";
    if (d->r[0]->version != d->r[1]->version)
        return "version";
    return strcmp(d->r[0]->digest, d->r[1]->digest) ? "edited" : "same";
}

static void json_version(GString *out, const char *key, const ImpactRule *r)
{
    jval_write_key(out, key);
    if (r)
        g_string_append_printf(out, "%d", r->version);
    else
        g_string_append(out, "null");
}

/* Up to n of keys as objects: account, perspective, trigger_tx, explanation. */
static void json_examples(GString *out, const char *name, const ImpactPass *side, GPtrArray *keys,
                          guint n)
{
    jval_write_open(out, name, '[');
    for (guint i = 0; i < keys->len && i < n; i++) {
        const char *k = g_ptr_array_index(keys, i);
        g_auto(GStrv) part = g_strsplit(k, "\t", 4);
        jval_write_open(out, NULL, '{');
        jval_write_str(out, "account", part[1]);
        jval_write_str(out, "perspective", part[2]);
        jval_write_str(out, "trigger_tx", part[3]);
        jval_write_str(out, "explanation", g_hash_table_lookup(side->alerts, k));
        g_string_append_c(out, '}');
    }
    g_string_append_c(out, ']');
}

/* The quality of the rule on both sides, when both reports have it. */
static void json_quality(const Impact *im, const RuleDelta *d, GString *out)
{
    const BacktestRow *a = report_row(im->side[0].report, d->id);
    const BacktestRow *b = report_row(im->side[1].report, d->id);
    if (!a || !b)
        return;
    json_num(out, "precision_old", a->precision);
    json_num(out, "precision_new", b->precision);
    json_num(out, "recall_old", a->recall);
    json_num(out, "recall_new", b->recall);
    json_num(out, "lift_old", a->lift);
    json_num(out, "lift_new", b->lift);
}

static void json_delta(const Impact *im, const RuleDelta *d, guint examples, GString *out)
{
    const ImpactRule *r = d->r[1] ? d->r[1] : d->r[0];
    jval_write_open(out, NULL, '{');
    jval_write_str(out, "rule", d->id);
    jval_write_str(out, "kind", r && r->typology ? "typology" : "rule");
    jval_write_str(out, "change", change_name(d));
    jval_write_key(out, "changed");
    g_string_append(out, delta_changed(d) ? "true" : "false");
    json_version(out, "version_old", d->r[0]);
    json_version(out, "version_new", d->r[1]);
    json_uint(out, "alerts_old", d->alerts[0]);
    json_uint(out, "alerts_new", d->alerts[1]);
    json_uint(out, "added", d->added);
    json_uint(out, "removed", d->removed);
    json_uint(out, "accounts_old", g_hash_table_size(d->accounts[0]));
    json_uint(out, "accounts_new", g_hash_table_size(d->accounts[1]));
    json_uint(out, "accounts_added", set_minus(d->accounts[1], d->accounts[0]));
    json_uint(out, "accounts_removed", set_minus(d->accounts[0], d->accounts[1]));
    json_quality(im, d, out);
    json_examples(out, "examples_added", &im->side[1], d->plus, examples);
    json_examples(out, "examples_removed", &im->side[0], d->minus, examples);
    g_string_append_c(out, '}');
}

void impact_json(const Impact *im, guint examples, GString *out)
{
    g_autoptr(GPtrArray) all = deltas(im);
    guint same = 0;
    jval_write_open(out, NULL, '{');
    jval_write_str(out, "old", im->side[0].name);
    jval_write_str(out, "new", im->side[1].name);
    jval_write_open(out, "matched_on", '[');
    for (const char *const *k =
             (const char *const[]){"rule", "account", "perspective", "trigger_tx", NULL};
         *k; k++) {
        jval_write_sep(out);
        jval_write_string(out, *k);
    }
    g_string_append_c(out, ']');
    jval_write_key(out, "labels");
    g_string_append(out, im->side[0].report && im->side[1].report ? "true" : "false");
    jval_write_open(out, "rules", '[');
    for (guint i = 0; i < all->len; i++) {
        const RuleDelta *d = g_ptr_array_index(all, i);
        same += !delta_changed(d);
        json_delta(im, d, examples, out);
    }
    g_string_append_c(out, ']');
    json_uint(out, "unchanged", same);
    json_uint(out, "changes", impact_changes(im));
    g_string_append(out, "}\n");
}
