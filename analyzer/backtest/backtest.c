/* backtest.c: counting alerts against ground truth (definitions in
 * backtest.h and docs/backtest.md).
 *
 * Invariants: one RuleStat per rule id plus one for the union of all
 * rules; a RuleStat's account and evidence sets hold distinct values; the
 * seen-account flags are indexed by interned account id. */
#include <math.h>
#include <string.h>

#include "backtest/backtest.h"
#include "base/jval.h"
#include "base/money.h"
#include "base/tstamp.h"

#define BACKTEST_MONTH (30.0 * 86400)

typedef struct {
    char *id;
    guint64 alerts;
    GHashTable *accounts;      /* interned account id (as pointer) set */
    GHashTable *as_controller; /* of them, tagged "possible controller" */
    GHashTable *evidence;      /* tx id set, owned */
    GHashTable *ev_found;      /* LabelInstance set: found with evidence (instance_backed) */
} RuleStat;

typedef struct {
    double score;
    GPtrArray *alerts; /* BacktestTopAlert */
} AccountScore;

struct Backtest {
    const LabelSet *labels;
    const Intern *accounts;
    GPtrArray *rules;   /* RuleStat, in order */
    GHashTable *by_id;  /* rule id -> RuleStat, borrowed */
    RuleStat *any;      /* the union */
    GByteArray *seen;   /* seen[id] = 1 when account id appeared in the data */
    guint n_seen;       /* distinct accounts seen */
    guint64 n_txn;      /* transactions counted */
    gint64 first, last; /* time span of the data */
    guint top;          /* accounts to report; 0 = none */
    GHashTable *scores; /* account id -> AccountScore, when top > 0 */
};

static RuleStat *rule_stat_new(const char *id)
{
    RuleStat *s = g_new0(RuleStat, 1);
    s->id = g_strdup(id);
    s->accounts = g_hash_table_new(g_direct_hash, g_direct_equal);
    s->as_controller = g_hash_table_new(g_direct_hash, g_direct_equal);
    s->evidence = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    s->ev_found = g_hash_table_new(g_direct_hash, g_direct_equal);
    return s;
}

static void rule_stat_free(gpointer p)
{
    RuleStat *s = p;
    g_free(s->id);
    g_hash_table_unref(s->accounts);
    g_hash_table_unref(s->as_controller);
    g_hash_table_unref(s->evidence);
    g_hash_table_unref(s->ev_found);
    g_free(s);
}

static void top_alert_free(gpointer p)
{
    BacktestTopAlert *a = p;
    g_free(a->rule);
    g_free(a->explanation);
    g_free(a);
}

static void account_score_free(gpointer p)
{
    AccountScore *s = p;
    g_ptr_array_unref(s->alerts);
    g_free(s);
}

Backtest *backtest_new(const LabelSet *labels, const Intern *accounts)
{
    Backtest *bt = g_new0(Backtest, 1);
    bt->labels = labels;
    bt->accounts = accounts;
    bt->rules = g_ptr_array_new_with_free_func(rule_stat_free);
    bt->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    bt->any = rule_stat_new(BACKTEST_ANY);
    bt->seen = g_byte_array_new();
    bt->scores = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, account_score_free);
    return bt;
}

void backtest_free(Backtest *bt)
{
    if (!bt)
        return;
    g_hash_table_unref(bt->by_id);
    g_ptr_array_unref(bt->rules);
    rule_stat_free(bt->any);
    g_byte_array_unref(bt->seen);
    g_hash_table_unref(bt->scores);
    g_free(bt);
}

static RuleStat *rule_get(Backtest *bt, const char *rule_id)
{
    RuleStat *s = g_hash_table_lookup(bt->by_id, rule_id);
    if (!s) {
        s = rule_stat_new(rule_id);
        g_ptr_array_add(bt->rules, s);
        g_hash_table_insert(bt->by_id, s->id, s);
    }
    return s;
}

void backtest_add_rule(Backtest *bt, const char *rule_id)
{
    rule_get(bt, rule_id);
}

void backtest_set_top(Backtest *bt, guint n)
{
    bt->top = n;
}

static void see_account(Backtest *bt, guint32 id)
{
    if (!id)
        return;
    if (id >= bt->seen->len) {
        guint old = bt->seen->len;
        g_byte_array_set_size(bt->seen, MAX(id + 1, old * 2));
        memset(bt->seen->data + old, 0, bt->seen->len - old);
    }
    if (!bt->seen->data[id]) {
        bt->seen->data[id] = 1;
        bt->n_seen++;
    }
}

void backtest_add_txn(Backtest *bt, const TxnCore *t)
{
    if (bt->n_txn == 0 || t->ts < bt->first)
        bt->first = t->ts;
    if (bt->n_txn == 0 || t->ts > bt->last)
        bt->last = t->ts;
    bt->n_txn++;
    see_account(bt, t->from);
    see_account(bt, t->to);
}

/* TRUE if the account is one of the instance's. */
static gboolean instance_has(const LabelInstance *in, const char *account)
{
    for (guint i = 0; i < in->accounts->len; i++) {
        if (strcmp(g_ptr_array_index(in->accounts, i), account) == 0)
            return TRUE;
    }
    return FALSE;
}

/* The instances an alert finds with evidence: those it lists at least two
 * labelled transactions of (one, for an instance of a single labelled
 * transaction), on an account of the instance. Adds them to the found
 * sets of s and of the union. */
static void count_evidence_backed(Backtest *bt, RuleStat *s, gboolean any, guint32 account,
                                  const StrView *ev, guint n)
{
    const LabelInstance *inst[LIMIT_EVIDENCE];
    guint hits[LIMIT_EVIDENCE], k = 0;
    for (guint i = 0; i < n && i < LIMIT_EVIDENCE; i++) {
        char id[LIMIT_TXID_BYTES + 1];
        gsize len = MIN(ev[i].len, LIMIT_TXID_BYTES);
        memcpy(id, ev[i].ptr, len);
        id[len] = 0;
        const LabelInstance *in = label_set_tx_instance(bt->labels, id);
        if (!in)
            continue;
        guint j = 0;
        while (j < k && inst[j] != in)
            j++;
        if (j == k) {
            inst[k] = in;
            hits[k++] = 0;
        }
        hits[j]++;
    }
    const char *name = intern_str(bt->accounts, account);
    for (guint j = 0; j < k; j++) {
        if (hits[j] < MIN(2u, inst[j]->n_tx) || !instance_has(inst[j], name))
            continue;
        g_hash_table_add(s->ev_found, (gpointer)inst[j]);
        if (any)
            g_hash_table_add(bt->any->ev_found, (gpointer)inst[j]);
    }
}

static void count_alert(RuleStat *s, guint32 account, const char *role, const StrView *ev, guint n)
{
    s->alerts++;
    g_hash_table_add(s->accounts, GUINT_TO_POINTER(account));
    if (role && strcmp(role, "possible controller") == 0)
        g_hash_table_add(s->as_controller, GUINT_TO_POINTER(account));
    for (guint i = 0; i < n; i++) {
        char id[LIMIT_TXID_BYTES + 1];
        gsize len = MIN(ev[i].len, LIMIT_TXID_BYTES);
        memcpy(id, ev[i].ptr, len);
        id[len] = 0;
        if (!g_hash_table_contains(s->evidence, id))
            g_hash_table_add(s->evidence, g_strdup(id));
    }
}

static void keep_score(Backtest *bt, const char *rule_id, guint32 account, double score,
                       const char *explanation)
{
    AccountScore *s = g_hash_table_lookup(bt->scores, GUINT_TO_POINTER(account));
    if (!s) {
        s = g_new0(AccountScore, 1);
        s->alerts = g_ptr_array_new_with_free_func(top_alert_free);
        g_hash_table_insert(bt->scores, GUINT_TO_POINTER(account), s);
    }
    BacktestTopAlert *a = g_new0(BacktestTopAlert, 1);
    a->rule = g_strdup(rule_id);
    a->explanation = g_strdup(explanation ? explanation : "");
    g_ptr_array_add(s->alerts, a);
    s->score += score;
}

/* An alert of rule_id; any: it counts in (any rule) too (a shadow rule's
 * alerts do not: no investigator sees them). */
static void add_alert(Backtest *bt, const char *rule_id, gboolean any, guint32 account,
                      const char *role, double score, const StrView *evidence, guint n_evidence,
                      const char *explanation)
{
    RuleStat *s = rule_get(bt, rule_id);
    count_alert(s, account, role, evidence, n_evidence);
    if (any)
        count_alert(bt->any, account, role, evidence, n_evidence);
    count_evidence_backed(bt, s, any, account, evidence, n_evidence);
    if (bt->top && any)
        keep_score(bt, rule_id, account, score, explanation);
}

void backtest_add_alert(Backtest *bt, const char *rule_id, guint32 account, const char *role,
                        double score, const StrView *evidence, guint n_evidence,
                        const char *explanation)
{
    add_alert(bt, rule_id, TRUE, account, role, score, evidence, n_evidence, explanation);
}

gboolean backtest_on_alert(const Alert *a, void *user)
{
    add_alert(user, a->rule->id, a->rule->status != RULE_STATUS_SHADOW, a->account, a->role,
              rule_score(a->rule), a->evidence, a->n_evidence, a->explanation);
    return TRUE;
}

/* ---- the report ---- */

static double ratio(double num, double den)
{
    return den > 0 ? num / den : NAN;
}

/* TRUE if the labelled account appeared in the data. */
static gboolean account_seen(const Backtest *bt, const char *account)
{
    guint32 id = intern_lookup(bt->accounts, account, strlen(account));
    return id && id < bt->seen->len && bt->seen->data[id];
}

/* TRUE if any account of the instance is flagged by the rule. */
static gboolean instance_found(const Backtest *bt, const LabelInstance *in, const RuleStat *s)
{
    for (guint i = 0; i < in->accounts->len; i++) {
        const char *acc = g_ptr_array_index(in->accounts, i);
        guint32 id = intern_lookup(bt->accounts, acc, strlen(acc));
        if (id && g_hash_table_contains(s->accounts, GUINT_TO_POINTER(id)))
            return TRUE;
    }
    return FALSE;
}

/* TRUE if a rule id names a typology: the same id, or the id followed by a
 * variant suffix ("HT-ML-06-SG" for typology "HT-ML-06") when the labels
 * have no typology of exactly the rule's id (`exact`). */
static gboolean rule_names_typology(const char *rule, const char *typology, gboolean exact)
{
    gsize n = strlen(typology);
    return strncmp(rule, typology, n) == 0 && (rule[n] == 0 || (rule[n] == '-' && !exact));
}

static void row_typology(const Backtest *bt, const RuleStat *s, BacktestRow *row)
{
    const GPtrArray *inst = label_set_instances(bt->labels);
    gboolean exact = FALSE;
    for (guint i = 0; i < inst->len && !exact; i++)
        exact = strcmp(s->id, ((const LabelInstance *)g_ptr_array_index(inst, i))->typology) == 0;
    for (guint i = 0; i < inst->len; i++) {
        const LabelInstance *in = g_ptr_array_index(inst, i);
        if (!rule_names_typology(s->id, in->typology, exact))
            continue;
        row->typ_instances++;
        row->typ_found += instance_found(bt, in, s);
        row->typ_ev_found += g_hash_table_contains(s->ev_found, in);
    }
}

/* A flagged account is a true positive when it is labelled, unless the
 * rule took a mere victim for a suspect. */
static gboolean is_true_positive(const Backtest *bt, const RuleStat *s, guint32 account)
{
    const char *name = intern_str(bt->accounts, account);
    if (!label_set_has_account(bt->labels, name))
        return FALSE;
    return !(g_hash_table_contains(s->as_controller, GUINT_TO_POINTER(account)) &&
             label_set_account_victim_only(bt->labels, name));
}

static BacktestRow make_row(const Backtest *bt, const RuleStat *s, const BacktestReport *r)
{
    BacktestRow row = {.rule = g_strdup(s->id), .alerts = s->alerts};
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, s->accounts);
    while (g_hash_table_iter_next(&it, &key, NULL))
        row.tp += is_true_positive(bt, s, GPOINTER_TO_UINT(key));
    row.flagged = g_hash_table_size(s->accounts);
    row.fp = row.flagged - row.tp;
    row.precision = ratio(row.tp, row.flagged);
    row.recall = ratio(row.tp, r->labelled_accounts_seen);
    row.lift = ratio(row.precision, ratio(r->labelled_accounts_seen, r->accounts));
    row.f1 = ratio(2 * row.precision * row.recall, row.precision + row.recall);
    g_hash_table_iter_init(&it, s->evidence);
    while (g_hash_table_iter_next(&it, &key, NULL))
        row.ev_tp += label_set_has_tx(bt->labels, key);
    row.evidence = g_hash_table_size(s->evidence);
    row.ev_fp = row.evidence - row.ev_tp;
    row.ev_precision = ratio(row.ev_tp, row.evidence);
    row.ev_recall = ratio(row.ev_tp, r->labelled_tx_seen);
    row.per_1k_month = ratio((double)s->alerts, r->accounts / 1000.0 * r->months);
    row_typology(bt, s, &row);
    return row;
}

static void report_data(const Backtest *bt, BacktestReport *r)
{
    r->transactions = bt->n_txn;
    r->accounts = bt->n_seen;
    r->first_ts = bt->first;
    r->last_ts = bt->last;
    r->months = (double)(bt->last - bt->first) / BACKTEST_MONTH;
    r->labels = label_set_describe(bt->labels);
    g_autoptr(GPtrArray) acc = label_set_accounts(bt->labels);
    r->labelled_accounts = acc->len;
    for (guint i = 0; i < acc->len; i++)
        r->labelled_accounts_seen += account_seen(bt, g_ptr_array_index(acc, i));
    r->labelled_tx = label_set_n_tx(bt->labels);
    r->labelled_tx_seen = label_set_n_tx_seen(bt->labels);
    r->instances = label_set_instances(bt->labels)->len;
}

static gint typology_index(GArray *typs, const char *name)
{
    for (guint i = 0; i < typs->len; i++) {
        if (strcmp(g_array_index(typs, BacktestTypology, i).typology, name) == 0)
            return (gint)i;
    }
    return -1;
}

static gint row_index(const BacktestReport *r, const char *rule)
{
    for (guint i = 0; i + 1 < r->rows->len; i++) {
        if (strcmp(g_array_index(r->rows, BacktestRow, i).rule, rule) == 0)
            return (gint)i;
    }
    return -1;
}

/* Adds the accounts of one instance to the account-level counts of its
 * typology's rule s: subjects (every role but victim and beneficiary) and
 * victims seen in the data, and those s flagged. An account listed in two
 * instances of the typology counts twice. */
static void count_typology_accounts(const Backtest *bt, const LabelInstance *in, const RuleStat *s,
                                    BacktestTypology *t)
{
    for (guint i = 0; i < in->accounts->len; i++) {
        const char *acc = g_ptr_array_index(in->accounts, i);
        const char *role = g_ptr_array_index(in->roles, i);
        if (!account_seen(bt, acc) || strcmp(role, "beneficiary") == 0)
            continue;
        gpointer id = GUINT_TO_POINTER(intern_lookup(bt->accounts, acc, strlen(acc)));
        gboolean flagged = g_hash_table_contains(s->accounts, id);
        if (strcmp(role, "victim") == 0) {
            t->victims++;
            t->victims_flagged += flagged;
            t->victims_as_suspects += g_hash_table_contains(s->as_controller, id);
        } else {
            t->subjects++;
            t->subjects_flagged += flagged;
        }
    }
}

static void report_typologies(const Backtest *bt, BacktestReport *r)
{
    const GPtrArray *inst = label_set_instances(bt->labels);
    for (guint i = 0; i < inst->len; i++) {
        const LabelInstance *in = g_ptr_array_index(inst, i);
        gint k = typology_index(r->typologies, in->typology);
        if (k < 0) {
            BacktestTypology t = {.typology = g_strdup(in->typology),
                                  .rule = row_index(r, in->typology),
                                  .best = -1,
                                  .missed = g_ptr_array_new_with_free_func(g_free)};
            g_array_append_val(r->typologies, t);
            k = (gint)r->typologies->len - 1;
        }
        BacktestTypology *t = &g_array_index(r->typologies, BacktestTypology, k);
        t->instances++;
        t->ev_instances += in->n_tx > 0;
        t->ev_found += g_hash_table_contains(bt->any->ev_found, in);
        if (instance_found(bt, in, bt->any))
            t->found++;
        else
            g_ptr_array_add(t->missed, g_strdup(in->id));
        const RuleStat *s = g_hash_table_lookup(bt->by_id, in->typology);
        if (s)
            count_typology_accounts(bt, in, s, t);
    }
}

/* For each typology, the rule that found most of its instances with
 * evidence (the first in order on a tie; none when no rule found any). */
static void report_best_rules(const Backtest *bt, BacktestReport *r)
{
    const GPtrArray *inst = label_set_instances(bt->labels);
    for (guint k = 0; k < r->typologies->len; k++) {
        BacktestTypology *t = &g_array_index(r->typologies, BacktestTypology, k);
        for (guint i = 0; i < bt->rules->len; i++) {
            const RuleStat *s = g_ptr_array_index(bt->rules, i);
            guint n = 0;
            for (guint j = 0; j < inst->len; j++) {
                const LabelInstance *in = g_ptr_array_index(inst, j);
                n += strcmp(in->typology, t->typology) == 0 &&
                     g_hash_table_contains(s->ev_found, in);
            }
            if (n > t->best_found) {
                t->best = (gint)i;
                t->best_found = n;
            }
        }
    }
}

static gint compare_top(gconstpointer a, gconstpointer b)
{
    const BacktestTop *x = *(BacktestTop *const *)a, *y = *(BacktestTop *const *)b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return strcmp(x->account, y->account);
}

static void top_free(gpointer p)
{
    BacktestTop *t = p;
    g_free(t->account);
    g_free(t->labels);
    g_ptr_array_unref(t->alerts);
    g_free(t);
}

static void report_top(const Backtest *bt, BacktestReport *r)
{
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, bt->scores);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const AccountScore *s = value;
        BacktestTop *t = g_new0(BacktestTop, 1);
        t->account = g_strdup(intern_str(bt->accounts, GPOINTER_TO_UINT(key)));
        t->score = s->score;
        t->labels = g_strdup(label_set_account_roles(bt->labels, t->account));
        t->alerts = g_ptr_array_ref(s->alerts);
        g_ptr_array_add(r->top, t);
    }
    g_ptr_array_sort(r->top, compare_top);
    if (r->top->len > bt->top)
        g_ptr_array_set_size(r->top, bt->top);
}

static void row_clear(gpointer p)
{
    g_free(((BacktestRow *)p)->rule);
}

static void typology_clear(gpointer p)
{
    BacktestTypology *t = p;
    g_free(t->typology);
    g_ptr_array_unref(t->missed);
}

BacktestReport *backtest_report(const Backtest *bt)
{
    BacktestReport *r = g_new0(BacktestReport, 1);
    r->rows = g_array_new(FALSE, TRUE, sizeof(BacktestRow));
    g_array_set_clear_func(r->rows, row_clear);
    r->typologies = g_array_new(FALSE, TRUE, sizeof(BacktestTypology));
    g_array_set_clear_func(r->typologies, typology_clear);
    r->top = g_ptr_array_new_with_free_func(top_free);
    r->top_max_shown = 8;
    report_data(bt, r);
    for (guint i = 0; i < bt->rules->len; i++) {
        BacktestRow row = make_row(bt, g_ptr_array_index(bt->rules, i), r);
        g_array_append_val(r->rows, row);
    }
    BacktestRow any = make_row(bt, bt->any, r);
    g_array_append_val(r->rows, any);
    report_typologies(bt, r);
    report_best_rules(bt, r);
    report_top(bt, r);
    return r;
}

void backtest_report_free(BacktestReport *r)
{
    if (!r)
        return;
    g_array_unref(r->rows);
    g_array_unref(r->typologies);
    g_ptr_array_unref(r->top);
    g_free(r->labels);
    g_free(r);
}

/* ---- text ---- */

/* v with the given decimals into buf (32 bytes); "-" when undefined. */
static const char *fmt_fixed(double v, int decimals, char *buf)
{
    if (isnan(v))
        return "-";
    g_snprintf(buf, 32, "%.*f", decimals, v);
    return buf;
}

static const char *fmt_ratio(double v, char *buf)
{
    return fmt_fixed(v, 2, buf);
}

/* A rate with two decimals and thousands separators: "1,722.65". */
static const char *fmt_rate(double v, char *buf)
{
    if (isnan(v))
        return "-";
    return money_format((gint64)llround(v * 100), 2, buf);
}

/* A lift with one decimal: "12.5". */
static const char *fmt_lift(double v, char *buf)
{
    return fmt_fixed(v, 1, buf);
}

static const char *fmt_count(guint64 n, char *buf)
{
    return money_format((gint64)n, 0, buf);
}

static const char *fmt_instances(const BacktestRow *row, char *buf)
{
    if (!row->typ_instances)
        return "-";
    g_snprintf(buf, 32, "%u/%u", row->typ_found, row->typ_instances);
    return buf;
}

static int rule_width(const BacktestReport *r)
{
    gsize w = 10;
    for (guint i = 0; i < r->rows->len; i++)
        w = MAX(w, strlen(g_array_index(r->rows, BacktestRow, i).rule));
    return (int)w;
}

static void text_header(const BacktestReport *r, GString *out)
{
    char a[32], b[32], c[32], d[32], t0[32], t1[32];
    g_string_append_printf(out, "data:   %s transactions, %s accounts\n",
                           fmt_count(r->transactions, a), fmt_count(r->accounts, b));
    g_string_append_printf(out, "        %.10s to %.10s: %.2f months of 30 days\n",
                           tstamp_format_utc(r->first_ts, t0), tstamp_format_utc(r->last_ts, t1),
                           r->months);
    g_auto(GStrv) lines = g_strsplit(r->labels, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (**l)
            g_string_append_printf(out, "labels: %s\n", *l);
    }
    g_string_append_printf(out,
                           "labels: %s instances, %s labelled accounts (%s in the data),\n"
                           "        %s labelled transactions (%s in the data)\n",
                           fmt_count(r->instances, a), fmt_count(r->labelled_accounts, b),
                           fmt_count(r->labelled_accounts_seen, c), fmt_count(r->labelled_tx, d),
                           fmt_count(r->labelled_tx_seen, t0));
}

static void text_accounts(const BacktestReport *r, int w, GString *out)
{
    g_string_append_printf(out,
                           "\naccount level: TP = flagged accounts that are labelled; /1k/month = "
                           "alerts\nper 1,000 accounts per 30 days; lift = precision / share of "
                           "labelled accounts;\ninstances = instances of the typology named like "
                           "the rule that the rule found\n"
                           "%-*s %7s %9s %8s %6s %6s %9s %7s %6s %5s %9s\n",
                           w, "rule", "alerts", "/1k/month", "flagged", "TP", "FP", "precision",
                           "recall", "lift", "F1", "instances");
    for (guint i = 0; i < r->rows->len; i++) {
        const BacktestRow *x = &g_array_index(r->rows, BacktestRow, i);
        char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32], k[32], l[32];
        g_string_append_printf(out, "%-*s %7s %9s %8s %6s %6s %9s %7s %6s %5s %9s\n", w, x->rule,
                               fmt_count(x->alerts, a), fmt_rate(x->per_1k_month, b),
                               fmt_count(x->flagged, c), fmt_count(x->tp, d), fmt_count(x->fp, e),
                               fmt_ratio(x->precision, f), fmt_ratio(x->recall, g),
                               fmt_lift(x->lift, k), fmt_ratio(x->f1, l), fmt_instances(x, h));
    }
}

static void text_transactions(const BacktestReport *r, int w, GString *out)
{
    g_string_append_printf(out,
                           "\ntransaction level: TP = distinct evidence transactions that are "
                           "labelled\n%-*s %9s %7s %7s %9s %7s\n",
                           w, "rule", "evidence", "TP", "FP", "precision", "recall");
    for (guint i = 0; i < r->rows->len; i++) {
        const BacktestRow *x = &g_array_index(r->rows, BacktestRow, i);
        char a[32], b[32], c[32], d[32], e[32];
        g_string_append_printf(out, "%-*s %9s %7s %7s %9s %7s\n", w, x->rule,
                               fmt_count(x->evidence, a), fmt_count(x->ev_tp, b),
                               fmt_count(x->ev_fp, c), fmt_ratio(x->ev_precision, d),
                               fmt_ratio(x->ev_recall, e));
    }
}

static void text_typology(const BacktestReport *r, const BacktestTypology *t, int w, GString *out)
{
    char a[32], b[32], c[32], d[32], e[32], f[32];
    g_string_append_printf(out, "%-*s %9s %6s %7s", w, t->typology, fmt_count(t->instances, a),
                           fmt_count(t->found, b), fmt_ratio(ratio(t->found, t->instances), c));
    if (t->ev_instances)
        g_string_append_printf(out, " %9s %7s", fmt_count(t->ev_found, d),
                               fmt_ratio(ratio(t->ev_found, t->ev_instances), e));
    else
        g_string_append_printf(out, " %9s %7s", "-", "-");
    if (t->best >= 0)
        g_string_append_printf(out, "   %s (%s)\n",
                               g_array_index(r->rows, BacktestRow, t->best).rule,
                               fmt_count(t->best_found, f));
    else
        g_string_append(out, "   -\n");
}

static void text_missed(const BacktestReport *r, GString *out)
{
    gboolean any = FALSE;
    for (guint i = 0; i < r->typologies->len; i++) {
        const BacktestTypology *t = &g_array_index(r->typologies, BacktestTypology, i);
        if (!t->missed->len)
            continue;
        g_string_append_printf(out, "%s %s:", any ? "     " : "missed", t->typology);
        for (guint k = 0; k < t->missed->len; k++)
            g_string_append_printf(out, " #%s", (const char *)g_ptr_array_index(t->missed, k));
        g_string_append_c(out, '\n');
        any = TRUE;
    }
}

static void text_typologies(const BacktestReport *r, GString *out)
{
    if (!r->typologies->len)
        return;
    int w = 10;
    for (guint i = 0; i < r->typologies->len; i++)
        w = MAX(w, (int)strlen(g_array_index(r->typologies, BacktestTypology, i).typology));
    g_string_append_printf(out,
                           "\ntypologies: found = instances with an account flagged by any "
                           "rule; evidence =\nfound by an alert on one of its accounts that "
                           "lists at least two of its\ntransactions; best rule = the rule that "
                           "found most with evidence\n%-*s %9s %6s %7s %9s %7s   %s\n",
                           w, "typology", "instances", "found", "recall", "evidence", "recall",
                           "best rule");
    for (guint i = 0; i < r->typologies->len; i++)
        text_typology(r, &g_array_index(r->typologies, BacktestTypology, i), w, out);
    text_missed(r, out);
}

static void text_typology_accounts(const BacktestReport *r, GString *out)
{
    int w = 10;
    gboolean any = FALSE;
    for (guint i = 0; i < r->typologies->len; i++) {
        const BacktestTypology *t = &g_array_index(r->typologies, BacktestTypology, i);
        w = MAX(w, (int)strlen(t->typology));
        any = any || t->rule >= 0;
    }
    if (!any)
        return;
    g_string_append_printf(out,
                           "\ntypology accounts: the accounts of its instances that the rule "
                           "named like the\ntypology flagged; subjects = every role but victim "
                           "and beneficiary; as suspect =\nvictims it tagged possible "
                           "controller\n%-*s %8s %7s %7s   %7s %7s %10s\n",
                           w, "typology", "subjects", "flagged", "recall", "victims", "flagged",
                           "as suspect");
    for (guint i = 0; i < r->typologies->len; i++) {
        const BacktestTypology *t = &g_array_index(r->typologies, BacktestTypology, i);
        char a[32], b[32], c[32], d[32], e[32], f[32];
        if (t->rule < 0)
            continue;
        g_string_append_printf(out, "%-*s %8s %7s %7s   %7s %7s %10s\n", w, t->typology,
                               fmt_count(t->subjects, a), fmt_count(t->subjects_flagged, b),
                               fmt_ratio(ratio(t->subjects_flagged, t->subjects), c),
                               fmt_count(t->victims, d), fmt_count(t->victims_flagged, e),
                               fmt_count(t->victims_as_suspects, f));
    }
}

static void text_top(const BacktestReport *r, GString *out)
{
    if (!r->top->len)
        return;
    g_string_append_printf(out, "\ntop %u accounts by score (the sum of their alerts' scores)\n",
                           r->top->len);
    for (guint i = 0; i < r->top->len; i++) {
        const BacktestTop *t = g_ptr_array_index(r->top, i);
        g_string_append_printf(out, "%2u. %s  score %g from %u alert%s\n    %s%s\n", i + 1,
                               t->account, t->score, t->alerts->len, t->alerts->len == 1 ? "" : "s",
                               t->labels ? "labelled: " : "not labelled",
                               t->labels ? t->labels : "");
        for (guint k = 0; k < t->alerts->len && k < r->top_max_shown; k++) {
            const BacktestTopAlert *a = g_ptr_array_index(t->alerts, k);
            g_string_append_printf(out, "    %-10s %s\n", a->rule, a->explanation);
        }
        guint more = t->alerts->len > r->top_max_shown ? t->alerts->len - r->top_max_shown : 0;
        if (more)
            g_string_append_printf(out, "    ... and %u more alert%s\n", more,
                                   more == 1 ? "" : "s");
    }
}

void backtest_report_text(const BacktestReport *r, GString *out)
{
    int w = rule_width(r);
    text_header(r, out);
    text_accounts(r, w, out);
    text_transactions(r, w, out);
    text_typologies(r, out);
    text_typology_accounts(r, out);
    text_top(r, out);
}

/* ---- JSON ---- */

/* A number member for the report: integers plainly, ratios to 4 places,
 * NaN (no data) as null. */
static void json_num(GString *out, const char *key, double v)
{
    jval_write_key(out, key);
    if (isnan(v))
        g_string_append(out, "null");
    else if (v == floor(v) && fabs(v) < 1e15)
        g_string_append_printf(out, "%.0f", v);
    else
        g_string_append_printf(out, "%.4f", v);
}

static void json_row(const BacktestRow *x, GString *out)
{
    jval_write_open(out, NULL, '{');
    jval_write_str(out, "rule", x->rule);
    json_num(out, "alerts", (double)x->alerts);
    json_num(out, "alerts_per_1000_accounts_per_month", x->per_1k_month);
    jval_write_open(out, "accounts", '{');
    json_num(out, "flagged", x->flagged);
    json_num(out, "tp", x->tp);
    json_num(out, "fp", x->fp);
    json_num(out, "precision", x->precision);
    json_num(out, "recall", x->recall);
    g_string_append(out, "}");
    jval_write_open(out, "transactions", '{');
    json_num(out, "evidence", x->evidence);
    json_num(out, "tp", x->ev_tp);
    json_num(out, "fp", x->ev_fp);
    json_num(out, "precision", x->ev_precision);
    json_num(out, "recall", x->ev_recall);
    g_string_append(out, "}");
    jval_write_open(out, "typology", '{');
    json_num(out, "instances", x->typ_instances);
    json_num(out, "found", x->typ_found);
    json_num(out, "recall", ratio(x->typ_found, x->typ_instances));
    json_num(out, "found_with_evidence", x->typ_ev_found);
    g_string_append(out, "}");
    json_num(out, "lift", x->lift);
    json_num(out, "f1", x->f1);
    g_string_append(out, "}");
}

static void json_data(const BacktestReport *r, GString *out)
{
    char t0[32], t1[32];
    jval_write_open(out, "data", '{');
    json_num(out, "transactions", (double)r->transactions);
    json_num(out, "accounts", r->accounts);
    jval_write_str(out, "first", tstamp_format_utc(r->first_ts, t0));
    jval_write_str(out, "last", tstamp_format_utc(r->last_ts, t1));
    json_num(out, "months", r->months);
    g_string_append(out, "}");
    jval_write_open(out, "labels", '{');
    g_auto(GStrv) lines = g_strsplit(r->labels, "\n", -1);
    jval_write_open(out, "sources", '[');
    for (char **l = lines; *l; l++) {
        if (**l) {
            jval_write_sep(out);
            jval_write_string(out, *l);
        }
    }
    g_string_append(out, "]");
    json_num(out, "instances", r->instances);
    json_num(out, "accounts", r->labelled_accounts);
    json_num(out, "accounts_in_data", r->labelled_accounts_seen);
    json_num(out, "transactions", r->labelled_tx);
    json_num(out, "transactions_in_data", r->labelled_tx_seen);
    g_string_append(out, "}");
}

static void json_typology(const BacktestReport *r, const BacktestTypology *t, GString *out)
{
    jval_write_open(out, NULL, '{');
    jval_write_str(out, "typology", t->typology);
    json_num(out, "instances", t->instances);
    json_num(out, "found", t->found);
    json_num(out, "recall", ratio(t->found, t->instances));
    jval_write_open(out, "evidence", '{');
    json_num(out, "instances", t->ev_instances);
    json_num(out, "found", t->ev_found);
    json_num(out, "recall", ratio(t->ev_found, t->ev_instances));
    jval_write_str(out, "best_rule",
                   t->best >= 0 ? g_array_index(r->rows, BacktestRow, t->best).rule : NULL);
    json_num(out, "best_rule_found", t->best_found);
    g_string_append(out, "}");
    jval_write_open(out, "missed", '[');
    for (guint k = 0; k < t->missed->len; k++) {
        const char *id = g_ptr_array_index(t->missed, k);
        jval_write_sep(out);
        jval_write_string(out, id);
    }
    g_string_append(out, "]");
    jval_write_str(out, "rule", t->rule >= 0 ? t->typology : NULL);
    if (t->rule >= 0) {
        jval_write_open(out, "accounts", '{');
        json_num(out, "subjects", t->subjects);
        json_num(out, "subjects_flagged", t->subjects_flagged);
        json_num(out, "recall", ratio(t->subjects_flagged, t->subjects));
        json_num(out, "victims", t->victims);
        json_num(out, "victims_flagged", t->victims_flagged);
        json_num(out, "victims_as_suspects", t->victims_as_suspects);
        g_string_append(out, "}");
    } else {
        jval_write_key(out, "accounts");
        g_string_append(out, "null");
    }
    g_string_append(out, "}");
}

static void json_top(const BacktestTop *t, GString *out)
{
    jval_write_open(out, NULL, '{');
    jval_write_str(out, "account", t->account);
    json_num(out, "score", t->score);
    jval_write_str(out, "labels", t->labels);
    jval_write_open(out, "alerts", '[');
    for (guint k = 0; k < t->alerts->len; k++) {
        const BacktestTopAlert *a = g_ptr_array_index(t->alerts, k);
        jval_write_open(out, NULL, '{');
        jval_write_str(out, "rule", a->rule);
        jval_write_str(out, "explanation", a->explanation);
        g_string_append(out, "}");
    }
    g_string_append(out, "]}");
}

void backtest_report_json(const BacktestReport *r, GString *out)
{
    jval_write_open(out, NULL, '{');
    json_data(r, out);
    jval_write_open(out, "rules", '[');
    for (guint i = 0; i + 1 < r->rows->len; i++)
        json_row(&g_array_index(r->rows, BacktestRow, i), out);
    g_string_append(out, "]");
    jval_write_key(out, "all_rules");
    json_row(&g_array_index(r->rows, BacktestRow, r->rows->len - 1), out);
    jval_write_open(out, "typologies", '[');
    for (guint i = 0; i < r->typologies->len; i++)
        json_typology(r, &g_array_index(r->typologies, BacktestTypology, i), out);
    g_string_append(out, "]");
    jval_write_open(out, "top", '[');
    for (guint i = 0; i < r->top->len; i++)
        json_top(g_ptr_array_index(r->top, i), out);
    g_string_append(out, "]}\n");
}

/* ---- sweeps ---- */

BacktestSweep *backtest_sweep_new(const char *const *settings, guint n, const char *rule)
{
    BacktestSweep *s = g_new0(BacktestSweep, 1);
    s->settings = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < n; i++)
        g_ptr_array_add(s->settings, g_strdup(settings[i]));
    s->rule = g_strdup(rule ? rule : BACKTEST_ANY);
    s->values = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    s->rows = g_array_new(FALSE, TRUE, sizeof(BacktestRow));
    g_array_set_clear_func(s->rows, row_clear);
    return s;
}

void backtest_sweep_add(BacktestSweep *s, const char *const *values, const BacktestReport *r)
{
    gint i = strcmp(s->rule, BACKTEST_ANY) == 0 ? (gint)r->rows->len - 1 : row_index(r, s->rule);
    BacktestRow row = {0};
    if (i >= 0)
        row = g_array_index(r->rows, BacktestRow, i);
    row.rule = g_strdup(s->rule);
    char **copy = g_new0(char *, s->settings->len + 1);
    for (guint k = 0; k < s->settings->len; k++)
        copy[k] = g_strdup(values[k]);
    g_ptr_array_add(s->values, copy);
    g_array_append_val(s->rows, row);
}

gboolean backtest_sort_parse(const char *word, BacktestSort *sort)
{
    static const char *const words[] = {"grid", "f1", "lift"};
    for (guint i = 0; i < G_N_ELEMENTS(words); i++) {
        if (strcmp(word, words[i]) == 0) {
            *sort = (BacktestSort)i;
            return TRUE;
        }
    }
    return FALSE;
}

/* The sort key of row i: higher first. */
static double sweep_key(const BacktestSweep *s, guint i, BacktestSort sort)
{
    const BacktestRow *x = &g_array_index(s->rows, BacktestRow, i);
    double v = sort == BACKTEST_SORT_F1 ? x->f1 : sort == BACKTEST_SORT_LIFT ? x->lift : 0;
    return isnan(v) ? -INFINITY : v; /* undefined (nothing flagged) sorts last */
}

void backtest_sweep_sort(BacktestSweep *s, BacktestSort sort)
{
    guint n = s->rows->len;
    g_autofree guint *order = g_new(guint, n);
    for (guint i = 0; i < n; i++)
        order[i] = i;
    for (guint i = 1; i < n; i++) { /* insertion sort: stable, and sweeps are small */
        guint v = order[i], j = i;
        while (j > 0 && sweep_key(s, order[j - 1], sort) < sweep_key(s, v, sort)) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = v;
    }
    GArray *rows = g_array_sized_new(FALSE, TRUE, sizeof(BacktestRow), n);
    g_array_set_clear_func(rows, row_clear);
    GPtrArray *values = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
    for (guint i = 0; i < n; i++) {
        g_array_append_val(rows, g_array_index(s->rows, BacktestRow, order[i]));
        g_ptr_array_add(values, g_ptr_array_index(s->values, order[i]));
    }
    g_array_set_clear_func(s->rows, NULL); /* the rows moved, with their strings */
    g_array_unref(s->rows);
    g_ptr_array_set_free_func(s->values, NULL);
    g_ptr_array_unref(s->values);
    s->rows = rows;
    s->values = values;
}

void backtest_sweep_free(BacktestSweep *s)
{
    if (!s)
        return;
    g_ptr_array_unref(s->settings);
    g_free(s->rule);
    g_ptr_array_unref(s->values);
    g_array_unref(s->rows);
    g_free(s);
}

void backtest_sweep_text(const BacktestSweep *s, GString *out)
{
    guint ns = s->settings->len;
    g_autofree int *w = g_new(int, ns);
    g_autoptr(GString) names = g_string_new(NULL);
    for (guint k = 0; k < ns; k++) {
        const char *name = g_ptr_array_index(s->settings, k);
        w[k] = ns == 1 ? 5 : MAX(5, (int)strlen(name)); /* one setting: a "value" column */
        for (guint i = 0; i < s->values->len; i++)
            w[k] = MAX(w[k], (int)strlen(((char **)g_ptr_array_index(s->values, i))[k]));
        g_string_append_printf(names, "%s%s", k ? " x " : "", name);
    }
    g_string_append_printf(out, "sweep of %s: rows of %s, account level\n", names->str, s->rule);
    for (guint k = 0; k < ns; k++)
        g_string_append_printf(out, "%-*s ", w[k],
                               ns == 1 ? "value" : (char *)g_ptr_array_index(s->settings, k));
    g_string_append_printf(out, "%6s %9s %7s %5s %5s %9s %6s %5s %4s %9s\n", "alerts", "/1k/month",
                           "flagged", "TP", "FP", "precision", "recall", "lift", "F1", "instances");
    for (guint i = 0; i < s->rows->len; i++) {
        const BacktestRow *x = &g_array_index(s->rows, BacktestRow, i);
        char **v = g_ptr_array_index(s->values, i);
        for (guint k = 0; k < ns; k++)
            g_string_append_printf(out, "%-*s ", w[k], v[k]);
        char a[32], b[32], c[32], d[32], e[32], f[32], g[32], h[32], l[32], m[32];
        g_string_append_printf(out, "%6s %9s %7s %5s %5s %9s %6s %5s %4s %9s\n",
                               fmt_count(x->alerts, a), fmt_rate(x->per_1k_month, b),
                               fmt_count(x->flagged, c), fmt_count(x->tp, d), fmt_count(x->fp, e),
                               fmt_ratio(x->precision, f), fmt_ratio(x->recall, g),
                               fmt_lift(x->lift, l), fmt_ratio(x->f1, m), fmt_instances(x, h));
    }
}

void backtest_sweep_json(const BacktestSweep *s, GString *out)
{
    jval_write_open(out, NULL, '{');
    jval_write_open(out, "sweep", '{');
    jval_write_open(out, "settings", '[');
    for (guint k = 0; k < s->settings->len; k++) {
        jval_write_sep(out);
        jval_write_string(out, g_ptr_array_index(s->settings, k));
    }
    g_string_append_c(out, ']');
    jval_write_str(out, "rule", s->rule);
    jval_write_open(out, "values", '[');
    for (guint i = 0; i < s->rows->len; i++) {
        char **v = g_ptr_array_index(s->values, i);
        jval_write_open(out, NULL, '{');
        jval_write_open(out, "set", '{');
        for (guint k = 0; k < s->settings->len; k++)
            jval_write_str(out, g_ptr_array_index(s->settings, k), v[k]);
        g_string_append_c(out, '}');
        jval_write_key(out, "row");
        json_row(&g_array_index(s->rows, BacktestRow, i), out);
        g_string_append_c(out, '}');
    }
    g_string_append(out, "]}}\n");
}
