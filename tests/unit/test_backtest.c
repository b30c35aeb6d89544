/* Tests of backtest.c and label.c on a tiny hand-made case where every
 * number can be checked by hand:
 *
 *   data (30 days, 5 accounts A B C D E):
 *     t1  day 0   A -> B
 *     t2  day 15  C -> B
 *     t3  day 30  D -> E
 *   labels (mtgen instances.csv + instance_tx.csv):
 *     HT-ML-04  #1  B controller, A sender      tx t1 t2
 *     HT-ML-04  #2  X controller (not in data)  tx t9 (not in data)
 *     HT-SEX-01 #3  D controller                tx t3
 *     labelled accounts A B D X, 3 in the data; labelled tx t1 t2 t3 t9, 3 in the data
 *   alerts:
 *     HT-ML-04 on B (score 2, evidence t1 t2), again on B (t2), on C (t2)
 *     RULE-X   on E (score 1, evidence t3)
 *     HT-SEX-01 declared, no alert
 *
 * HT-ML-04: 3 alerts, flagged B C, TP 1 (B), FP 1 (C), precision 1/2,
 * recall 1/3; evidence t1 t2 both labelled: precision 1, recall 2/3;
 * 3 alerts / 5 accounts per 1,000 / 1 month = 600; instances of HT-ML-04
 * found by it: #1 (B), not #2: 1/2. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "backtest/backtest.h"

static char *tmp_dir;
static LabelSet *labels;
static Intern *accounts;
static Backtest *bt;

static void write_file(const char *name, const char *text)
{
    g_autofree char *path = g_build_filename(tmp_dir, name, NULL);
    cr_assert(g_file_set_contents(path, text, -1, NULL));
}

static void remove_dir(void)
{
    const char *names[] = {"instances.csv", "instance_tx.csv", "Patterns.txt", "alerts.csv",
                           "junk.csv"};
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *path = g_build_filename(tmp_dir, names[i], NULL);
        g_remove(path);
    }
    g_rmdir(tmp_dir);
    g_free(tmp_dir);
}

static void txn(const char *id, gint64 day, const char *from, const char *to)
{
    Txn t = {0};
    t.core.ts = 1704067200 + day * 86400; /* 2024-01-01 */
    t.core.from = intern_add(accounts, from, strlen(from));
    t.core.to = intern_add(accounts, to, strlen(to));
    t.tx_id = (StrView){id, (guint32)strlen(id)};
    label_set_observe(labels, &t, accounts, NULL, 0);
    backtest_add_txn(bt, &t.core);
}

static void alert(const char *rule, const char *account, double score, const char *ev1,
                  const char *ev2)
{
    StrView ev[2] = {{ev1, (guint32)strlen(ev1)}, {ev2 ? ev2 : "", ev2 ? (guint32)strlen(ev2) : 0}};
    backtest_add_alert(bt, rule, intern_lookup(accounts, account, strlen(account)), NULL, score, ev,
                       ev2 ? 2 : 1, "why");
}

static void setup_case(void)
{
    tmp_dir = g_dir_make_tmp("mt-backtest-XXXXXX", NULL);
    write_file("instances.csv", "typology,instance_id,account,role,first_ts,last_ts\n"
                                "HT-ML-04,1,B,controller,,\n"
                                "HT-ML-04,1,A,sender,,\n"
                                "HT-ML-04,2,X,controller,,\n"
                                "HT-SEX-01,3,D,controller,,\n");
    write_file("instance_tx.csv", "instance_id,tx_id\n1,t1\n1,t2\n2,t9\n3,t3\n");
    labels = label_set_new();
    accounts = intern_new();
    g_autofree char *path = g_build_filename(tmp_dir, "instances.csv", NULL);
    cr_assert(label_set_load(labels, path, NULL));
    bt = backtest_new(labels, accounts);
    backtest_add_rule(bt, "HT-ML-04");
    backtest_add_rule(bt, "HT-SEX-01");
    backtest_set_top(bt, 2);
    txn("t1", 0, "A", "B");
    txn("t2", 15, "C", "B");
    txn("t3", 30, "D", "E");
    alert("HT-ML-04", "B", 2, "t1", "t2");
    alert("HT-ML-04", "B", 2, "t2", NULL);
    alert("HT-ML-04", "C", 2, "t2", NULL);
    alert("RULE-X", "E", 1, "t3", NULL);
}

static void teardown_case(void)
{
    backtest_free(bt);
    intern_free(accounts);
    label_set_free(labels);
    remove_dir();
}

static const BacktestRow *row(const BacktestReport *r, guint i)
{
    return &g_array_index(r->rows, BacktestRow, i);
}

TestSuite(backtest, .init = setup_case, .fini = teardown_case);

Test(backtest, data_and_labels_are_counted)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    cr_expect_eq(r->transactions, 3);
    cr_expect_eq(r->accounts, 5);
    cr_expect_float_eq(r->months, 1.0, 1e-9);
    cr_expect_eq(r->instances, 3);
    cr_expect_eq(r->labelled_accounts, 4);
    cr_expect_eq(r->labelled_accounts_seen, 3);
    cr_expect_eq(r->labelled_tx, 4);
    cr_expect_eq(r->labelled_tx_seen, 3);
}

Test(backtest, rows_in_declared_order_then_first_alert_then_any)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    cr_assert_eq(r->rows->len, 4);
    cr_expect_str_eq(row(r, 0)->rule, "HT-ML-04");
    cr_expect_str_eq(row(r, 1)->rule, "HT-SEX-01");
    cr_expect_str_eq(row(r, 2)->rule, "RULE-X");
    cr_expect_str_eq(row(r, 3)->rule, BACKTEST_ANY);
}

Test(backtest, account_level)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    const BacktestRow *x = row(r, 0);
    cr_expect_eq(x->alerts, 3);
    cr_expect_eq(x->flagged, 2);
    cr_expect_eq(x->tp, 1);
    cr_expect_eq(x->fp, 1);
    cr_expect_float_eq(x->precision, 0.5, 1e-9);
    cr_expect_float_eq(x->recall, 1.0 / 3, 1e-9);
    cr_expect_float_eq(x->per_1k_month, 600.0, 1e-9);
    x = row(r, 2); /* RULE-X: E is not labelled */
    cr_expect_eq(x->flagged, 1);
    cr_expect_eq(x->tp, 0);
    cr_expect_float_eq(x->precision, 0.0, 1e-9);
    cr_expect_float_eq(x->per_1k_month, 200.0, 1e-9);
}

Test(backtest, transaction_level)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    const BacktestRow *x = row(r, 0);
    cr_expect_eq(x->evidence, 2);
    cr_expect_eq(x->ev_tp, 2);
    cr_expect_eq(x->ev_fp, 0);
    cr_expect_float_eq(x->ev_precision, 1.0, 1e-9);
    cr_expect_float_eq(x->ev_recall, 2.0 / 3, 1e-9);
    x = row(r, 2); /* t3 is labelled though E is not */
    cr_expect_eq(x->ev_tp, 1);
    cr_expect_float_eq(x->ev_recall, 1.0 / 3, 1e-9);
}

Test(backtest, a_rule_without_alerts_has_undefined_precision)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    const BacktestRow *x = row(r, 1);
    cr_expect_eq(x->alerts, 0);
    cr_expect(isnan(x->precision));
    cr_expect_float_eq(x->recall, 0.0, 1e-9);
    cr_expect(isnan(x->ev_precision));
    cr_expect_eq(x->typ_instances, 1);
    cr_expect_eq(x->typ_found, 0);
}

Test(backtest, any_rule_is_the_union)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    const BacktestRow *x = row(r, 3);
    cr_expect_eq(x->alerts, 4);
    cr_expect_eq(x->flagged, 3); /* B C E */
    cr_expect_eq(x->tp, 1);
    cr_expect_eq(x->fp, 2);
    cr_expect_eq(x->evidence, 3);
    cr_expect_eq(x->ev_tp, 3);
    cr_expect_float_eq(x->ev_recall, 1.0, 1e-9);
    cr_expect_float_eq(x->per_1k_month, 800.0, 1e-9);
}

Test(backtest, instances_found_per_typology)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    cr_expect_eq(row(r, 0)->typ_instances, 2);
    cr_expect_eq(row(r, 0)->typ_found, 1);
    cr_assert_eq(r->typologies->len, 2);
    const BacktestTypology *t = &g_array_index(r->typologies, BacktestTypology, 0);
    cr_expect_str_eq(t->typology, "HT-ML-04");
    cr_expect_eq(t->instances, 2);
    cr_expect_eq(t->found, 1);
    cr_expect_eq(t->rule, 0);
    cr_assert_eq(t->missed->len, 1);
    cr_expect_str_eq(g_ptr_array_index(t->missed, 0), "2");
    t = &g_array_index(r->typologies, BacktestTypology, 1);
    cr_expect_str_eq(t->typology, "HT-SEX-01");
    cr_expect_eq(t->found, 0); /* D is labelled but nothing flagged it */
}

Test(backtest, a_variant_suffix_names_the_typology_but_a_longer_id_does_not)
{
    g_autoptr(Backtest) b = backtest_new(labels, accounts);
    StrView ev = {"t1", 2};
    guint32 acc_b = intern_lookup(accounts, "B", 1);
    backtest_add_alert(b, "HT-ML-04-GS", acc_b, NULL, 2, &ev, 1, "why");
    backtest_add_alert(b, "HT-ML-041", acc_b, NULL, 2, &ev, 1, "why");
    g_autoptr(BacktestReport) r = backtest_report(b);
    cr_expect_eq(row(r, 0)->typ_instances, 2);
    cr_expect_eq(row(r, 0)->typ_found, 1);
    cr_expect_eq(row(r, 1)->typ_instances, 0);
}

/* Labels with a typology of exactly the variant's id (HT-ML-04-GS #5 on B):
 * the variant rule is scored on that typology alone, not on HT-ML-04 too. */
Test(backtest, a_variant_with_its_own_typology_is_scored_on_it_alone)
{
    g_autofree char *path = g_build_filename(tmp_dir, "gs", "instances.csv", NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    cr_assert_eq(g_mkdir(dir, 0700), 0);
    cr_assert(g_file_set_contents(path,
                                  "typology,instance_id,account,role,first_ts,last_ts\n"
                                  "HT-ML-04-GS,5,B,controller,,\n",
                                  -1, NULL));
    g_autofree char *tx = g_build_filename(dir, "instance_tx.csv", NULL);
    cr_assert(g_file_set_contents(tx, "instance_id,tx_id\n5,t1\n", -1, NULL));
    cr_assert(label_set_load(labels, path, NULL));
    g_autoptr(Backtest) b = backtest_new(labels, accounts);
    StrView ev = {"t1", 2};
    backtest_add_alert(b, "HT-ML-04-GS", intern_lookup(accounts, "B", 1), NULL, 2, &ev, 1, "why");
    g_autoptr(BacktestReport) r = backtest_report(b);
    cr_expect_eq(row(r, 0)->typ_instances, 1);
    cr_expect_eq(row(r, 0)->typ_found, 1);
    g_remove(tx);
    g_remove(path);
    g_rmdir(dir);
}

Test(backtest, top_accounts_by_summed_score)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    cr_assert_eq(r->top->len, 2);
    const BacktestTop *t = g_ptr_array_index(r->top, 0);
    cr_expect_str_eq(t->account, "B");
    cr_expect_float_eq(t->score, 4.0, 1e-9);
    cr_expect_eq(t->alerts->len, 2);
    cr_expect_str_eq(t->labels, "HT-ML-04 #1 controller");
    t = g_ptr_array_index(r->top, 1);
    cr_expect_str_eq(t->account, "C");
    cr_expect_null(t->labels);
}

Test(backtest, text_rows_show_the_numbers)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    g_autoptr(GString) out = g_string_new(NULL);
    backtest_report_text(r, out);
    /* lift: precision 0.50 over a base rate of 3 labelled of 5 accounts;
     * F1: 2 * 0.50 * 0.33 / (0.50 + 0.33) = 0.40 */
    cr_expect(strstr(out->str, "\nHT-ML-04         3    600.00        2      1      1      0.50    "
                               "0.33    0.8  0.40       1/2\n"),
              "%s", out->str);
    cr_expect(strstr(out->str, "\nHT-SEX-01        0      0.00        0      0      0         -    "
                               "0.00      -     -       0/1\n"),
              "%s", out->str);
    cr_expect(strstr(out->str, "\nHT-ML-04           2      1    0.50         1    0.50   "
                               "HT-ML-04 (1)\nHT-SEX-01          1      0    0.00         0    "
                               "0.00   -\n"),
              "%s", out->str);
    cr_expect(strstr(out->str, "\nmissed HT-ML-04: #2\n      HT-SEX-01: #3\n"), "%s", out->str);
    cr_expect(strstr(out->str,
                     " 1. B  score 4 from 2 alerts\n    labelled: HT-ML-04 #1 controller\n"
                     "    HT-ML-04   why\n"),
              "%s", out->str);
    cr_expect(strstr(out->str, " 2. C  score 2 from 1 alert\n"), "%s", out->str);
}

Test(backtest, json_has_null_for_undefined_ratios)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    g_autoptr(GString) out = g_string_new(NULL);
    backtest_report_json(r, out);
    cr_expect(strstr(out->str, "{\"rule\":\"HT-SEX-01\",\"alerts\":0,"
                               "\"alerts_per_1000_accounts_per_month\":0,\"accounts\":{"
                               "\"flagged\":0,\"tp\":0,\"fp\":0,\"precision\":null,\"recall\":0}"),
              "%s", out->str);
    cr_expect(strstr(out->str, "\"precision\":0.5000,\"recall\":0.3333}"), "%s", out->str);
}

Test(backtest, sweep_keeps_the_row_of_its_rule)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    const char *settings[] = {"HT-ML-04.min", "HT-ML-04.horizon"};
    g_autoptr(BacktestSweep) s = backtest_sweep_new(settings, 2, "HT-ML-04");
    const char *a[] = {"5", "1d"}, *b[] = {"8", "2d"};
    backtest_sweep_add(s, a, r);
    backtest_sweep_add(s, b, r);
    g_autoptr(GString) out = g_string_new(NULL);
    backtest_sweep_text(s, out);
    /* F1 = 2 * 0.50 * 0.33 / (0.50 + 0.33) = 0.40; lift 0.50 / (3/5) = 0.8 */
    cr_expect_str_eq(out->str,
                     "sweep of HT-ML-04.min x HT-ML-04.horizon: rows of HT-ML-04, account level\n"
                     "HT-ML-04.min HT-ML-04.horizon alerts /1k/month flagged    TP    FP precision "
                     "recall  lift   F1 instances\n"
                     "5            1d                    3    600.00       2     1     1      0.50 "
                     "  0.33   0.8 0.40       1/2\n"
                     "8            2d                    3    600.00       2     1     1      0.50 "
                     "  0.33   0.8 0.40       1/2\n");
}

/* Rows sorted by F1: best first, undefined last, ties kept in grid order. */
Test(backtest, sweep_sorts_by_f1_then_grid_order)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    const char *settings[] = {"X.min"};
    g_autoptr(BacktestSweep) s = backtest_sweep_new(settings, 1, NULL);
    const char *v[][1] = {{"1"}, {"2"}, {"3"}, {"4"}};
    for (guint i = 0; i < 4; i++)
        backtest_sweep_add(s, v[i], r);
    double f1[] = {0.2, NAN, 0.9, 0.2};
    for (guint i = 0; i < 4; i++)
        g_array_index(s->rows, BacktestRow, i).f1 = f1[i];
    backtest_sweep_sort(s, BACKTEST_SORT_F1);
    const char *want[] = {"3", "1", "4", "2"};
    for (guint i = 0; i < 4; i++)
        cr_expect_str_eq(((char **)g_ptr_array_index(s->values, i))[0], want[i]);
    BacktestSort sort;
    cr_expect(backtest_sort_parse("lift", &sort));
    cr_expect_eq(sort, BACKTEST_SORT_LIFT);
    cr_expect_not(backtest_sort_parse("recall", &sort));
}

/* A case of typology TY-SEX: controller C, victims V1 V2, beneficiary X
 * abroad. The typology rule flags C (possible controller), V1 (possible
 * victim) and V2 (possible controller: a victim taken for a suspect).
 * Subjects: C, 1 of 1 flagged (X, a beneficiary, is no subject); victims:
 * 2 of 2 flagged, 1 as a suspect; TP = C and V1 (V2 is no TP), so
 * precision 2/3. */
Test(backtest, typology_accounts_count_subjects_and_victims_apart)
{
    write_file("instances.csv", "typology,instance_id,account,role,first_ts,last_ts\n"
                                "TY-SEX,7,C,controller,,\n"
                                "TY-SEX,7,V1,victim,,\n"
                                "TY-SEX,7,V2,victim,,\n"
                                "TY-SEX,7,X,beneficiary,,\n");
    write_file("instance_tx.csv", "instance_id,tx_id\n7,u1\n7,u2\n7,u3\n");
    g_autofree char *path = g_build_filename(tmp_dir, "instances.csv", NULL);
    g_autoptr(LabelSet) ls = label_set_new();
    cr_assert(label_set_load(ls, path, NULL));
    g_autoptr(Intern) acc = intern_new();
    g_autoptr(Backtest) b = backtest_new(ls, acc);
    const char *rows[][3] = {{"u1", "V1", "C"}, {"u2", "V2", "C"}, {"u3", "C", "X"}};
    for (guint i = 0; i < G_N_ELEMENTS(rows); i++) {
        Txn t = {0};
        t.core.ts = 1704067200 + i * 86400;
        t.core.from = intern_add(acc, rows[i][1], strlen(rows[i][1]));
        t.core.to = intern_add(acc, rows[i][2], strlen(rows[i][2]));
        t.tx_id = (StrView){rows[i][0], 2};
        label_set_observe(ls, &t, acc, NULL, 0);
        backtest_add_txn(b, &t.core);
    }
    StrView ev = {"u1", 2};
    backtest_add_alert(b, "TY-SEX", intern_lookup(acc, "C", 1), "possible controller", 1, &ev, 1,
                       "why");
    backtest_add_alert(b, "TY-SEX", intern_lookup(acc, "V1", 2), "possible victim", 1, &ev, 1,
                       "why");
    backtest_add_alert(b, "TY-SEX", intern_lookup(acc, "V2", 2), "possible controller", 1, &ev, 1,
                       "why");
    g_autoptr(BacktestReport) r = backtest_report(b);
    cr_expect(label_set_account_victim_only(ls, "V2"));
    cr_expect_not(label_set_account_victim_only(ls, "C"));
    cr_expect_eq(row(r, 0)->flagged, 3);
    cr_expect_eq(row(r, 0)->tp, 2);
    cr_assert_eq(r->typologies->len, 1);
    const BacktestTypology *t = &g_array_index(r->typologies, BacktestTypology, 0);
    cr_expect_eq(t->subjects, 1);
    cr_expect_eq(t->subjects_flagged, 1);
    cr_expect_eq(t->victims, 2);
    cr_expect_eq(t->victims_flagged, 2);
    cr_expect_eq(t->victims_as_suspects, 1);
    g_autoptr(GString) out = g_string_new(NULL);
    backtest_report_text(r, out);
    cr_expect(
        strstr(out->str, "\nTY-SEX            1       1    1.00         2       2          1\n"),
        "%s", out->str);
}

/* ---- label files and label columns ---- */

static LabelSet *load(const char *name, const char *text, GError **error)
{
    write_file(name, text);
    g_autofree char *path = g_build_filename(tmp_dir, name, NULL);
    LabelSet *ls = label_set_new();
    if (!label_set_load(ls, path, error)) {
        label_set_free(ls);
        return NULL;
    }
    return ls;
}

Test(backtest, amlworld_patterns_give_typologies_and_joined_accounts)
{
    g_autoptr(LabelSet) ls =
        load("Patterns.txt",
             "BEGIN LAUNDERING ATTEMPT - FAN-OUT:  Max 2-degree Fan-Out\n"
             "2022/09/01 05:14,00952,8139F54E0,0111632,8062C56E0,5331.44,US Dollar,5331.44,US "
             "Dollar,ACH,1\n"
             "2022/09/01 06:00,00952,8139F54E0,012,8062C56E1,100.00,US Dollar,100.00,US "
             "Dollar,ACH,1\n"
             "END LAUNDERING ATTEMPT - FAN-OUT\n\n"
             "BEGIN LAUNDERING ATTEMPT - CYCLE:  Max 2 hops\n"
             "2022/09/02 05:14,001,A1,002,B2,10.00,Euro,10.00,Euro,Wire,1\n"
             "END LAUNDERING ATTEMPT - CYCLE\n",
             NULL);
    cr_assert_not_null(ls);
    const GPtrArray *inst = label_set_instances(ls);
    cr_assert_eq(inst->len, 2);
    const LabelInstance *a = g_ptr_array_index(inst, 0), *b = g_ptr_array_index(inst, 1);
    cr_expect_str_eq(a->typology, "FAN-OUT");
    cr_expect_str_eq(a->id, "1");
    cr_assert_eq(a->accounts->len, 3);
    cr_expect_str_eq(g_ptr_array_index(a->accounts, 0), "00952:8139F54E0");
    cr_expect_str_eq(g_ptr_array_index(a->accounts, 1), "0111632:8062C56E0");
    cr_expect_str_eq(g_ptr_array_index(a->accounts, 2), "012:8062C56E1");
    cr_expect_str_eq(b->typology, "CYCLE");
    cr_expect_str_eq(label_set_account_roles(ls, "001:A1"), "CYCLE #2");
}

static void observe(LabelSet *ls, Intern *acc, const char *id, const char *from, const char *to,
                    const char *const *names, const char *l0, const char *l1)
{
    Txn t = {0};
    t.core.from = intern_add(acc, from, strlen(from));
    t.core.to = intern_add(acc, to, strlen(to));
    t.tx_id = (StrView){id, (guint32)strlen(id)};
    t.labels[0] = (StrView){l0, (guint32)strlen(l0)};
    t.labels[1] = (StrView){l1, (guint32)strlen(l1)};
    t.n_labels = 2;
    label_set_observe(ls, &t, acc, names, 2);
}

Test(backtest, amlworld_column_labels_accounts_of_laundering_rows)
{
    static const char *const names[] = {"Is Laundering", "other", NULL};
    g_autoptr(LabelSet) ls = label_set_new();
    g_autoptr(Intern) acc = intern_new();
    cr_expect(label_set_is_empty(ls));
    observe(ls, acc, "f.csv:2", "a", "b", names, "0", "");
    observe(ls, acc, "f.csv:3", "b", "c", names, "1", "");
    cr_expect_not(label_set_is_empty(ls));
    cr_expect_not(label_set_has_tx(ls, "f.csv:2"));
    cr_expect(label_set_has_tx(ls, "f.csv:3"));
    cr_expect_not(label_set_has_account(ls, "a"));
    cr_expect(label_set_has_account(ls, "b"));
    cr_expect(label_set_has_account(ls, "c"));
    cr_expect_eq(label_set_n_tx_seen(ls), 1);
}

Test(backtest, amlsim_alert_file_names_the_typology_of_sar_rows)
{
    static const char *const names[] = {"is_sar", "alert_id", NULL};
    g_autoptr(LabelSet) ls =
        load("alerts.csv", "alert_id,alert_type,acct_id\n7,fan_in,200\n", NULL);
    g_autoptr(Intern) acc = intern_new();
    cr_assert_not_null(ls);
    observe(ls, acc, "1", "101", "200", names, "True", "7");
    observe(ls, acc, "2", "300", "301", names, "False", "-1");
    observe(ls, acc, "3", "102", "200", names, "True", "7");
    const GPtrArray *inst = label_set_instances(ls);
    cr_assert_eq(inst->len, 1);
    const LabelInstance *in = g_ptr_array_index(inst, 0);
    cr_expect_str_eq(in->typology, "fan_in");
    cr_expect_eq(in->accounts->len, 3); /* 200, 101, 102 */
    cr_expect_str_eq(label_set_account_roles(ls, "101"), "fan_in #7");
    cr_expect_not(label_set_has_account(ls, "300"));
    cr_expect_eq(label_set_n_tx(ls), 2);
}

Test(backtest, unknown_label_file_is_an_error)
{
    GError *err = NULL;
    LabelSet *ls = load("junk.csv", "a,b\n1,2\n", &err);
    cr_expect_null(ls);
    cr_assert_not_null(err);
    cr_expect(strstr(err->message, "junk.csv': not an mtgen instances.csv, an AMLworld "
                                   "Patterns.txt nor an AMLSim alert file"),
              "%s", err->message);
    g_error_free(err);
}

/* The transaction id of an AMLSim alert row is kept whole, whatever the
 * length of the field before it (it was once cut to that length). */
Test(backtest, amlsim_alert_transactions_keep_whole_ids)
{
    g_autoptr(LabelSet) ls = load("alert_transactions.csv",
                                  "alert_id,alert_type,orig_acct,bene_acct,tran_id\n"
                                  "7,cycle,A,B,123456789\n"
                                  "7,cycle,B,C,42\n",
                                  NULL);
    cr_assert_not_null(ls);
    cr_expect_eq(label_set_n_tx(ls), 2);
    cr_expect(label_set_has_tx(ls, "123456789"));
    cr_expect(label_set_has_tx(ls, "42"));
    cr_expect_not(label_set_has_tx(ls, "1"));
}

/* Instance #1 (t1, t2 on A and B) is found with evidence by the alert on B
 * listing both; #2's transaction t9 is never listed; #3's t3 is listed by
 * an alert on E, which is not an account of #3. */
Test(backtest, evidence_backed_instances_need_their_transactions_on_their_accounts)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    const BacktestTypology *ml = &g_array_index(r->typologies, BacktestTypology, 0);
    const BacktestTypology *sex = &g_array_index(r->typologies, BacktestTypology, 1);
    cr_expect_eq(ml->ev_instances, 2);
    cr_expect_eq(ml->ev_found, 1);
    cr_expect_eq(ml->best, 0);
    cr_expect_eq(ml->best_found, 1);
    cr_expect_eq(row(r, 0)->typ_ev_found, 1);
    cr_expect_eq(sex->found, 0);
    cr_expect_eq(sex->ev_found, 0);
    cr_expect_eq(sex->best, -1);
}

/* One of an instance's two transactions is not enough, even on its account. */
Test(backtest, one_transaction_of_two_is_no_evidence)
{
    g_autoptr(Backtest) b = backtest_new(labels, accounts);
    StrView ev = {"t2", 2};
    backtest_add_alert(b, "HT-ML-04", intern_lookup(accounts, "B", 1), NULL, 2, &ev, 1, "why");
    g_autoptr(BacktestReport) r = backtest_report(b);
    const BacktestTypology *ml = &g_array_index(r->typologies, BacktestTypology, 0);
    cr_expect_eq(ml->found, 1); /* B is flagged */
    cr_expect_eq(ml->ev_found, 0);
}

Test(backtest, lift_and_f1)
{
    g_autoptr(BacktestReport) r = backtest_report(bt);
    /* any rule: 1 TP of 3 flagged, 3 labelled accounts of 5 seen */
    cr_expect_float_eq(row(r, 3)->lift, (1.0 / 3) / (3.0 / 5), 1e-9);
    cr_expect_float_eq(row(r, 3)->f1, 1.0 / 3, 1e-9);
    cr_expect(isnan(row(r, 1)->lift)); /* HT-SEX-01 flagged none */
}
