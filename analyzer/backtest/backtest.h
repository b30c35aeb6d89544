/* backtest.h: counting alerts against ground truth: precision, recall and
 * workload per rule, instances found per typology, the top accounts.
 *
 * A Backtest is fed the transactions of a run (for the accounts seen and
 * the time span) and its alerts (for what each rule flagged), then makes a
 * BacktestReport against a LabelSet. The definitions, as docs/backtest.md
 * states them:
 *   - a rule flags an account when it raises at least one alert on it;
 *     flagged accounts that are labelled are true positives (TP), the others
 *     false positives (FP); precision = TP / flagged; recall = TP / labelled
 *     accounts seen in the data;
 *   - at transaction level the same with the distinct evidence transaction
 *     ids of the rule's alerts and the labelled transactions seen;
 *   - workload = alerts / (accounts seen / 1000) / (time span / 30 days);
 *   - lift = precision / base rate, the base rate being the share of
 *     labelled accounts among the accounts seen: how much likelier a
 *     flagged account is laundering than one picked at random; F1 = 2PR /
 *     (P + R) at account level;
 *   - an instance is found with evidence when an alert on one of its
 *     accounts lists at least two of its labelled transactions (its one,
 *     if it has one): the alert points at the scheme, not merely at a busy
 *     account of it; instances whose transactions are not known (AMLworld
 *     Patterns.txt) have no such measure;
 *   - an instance is found when any of its accounts is flagged; a rule whose
 *     id names a labelled typology (the same id, or it followed by '-' and
 *     a variant suffix when no typology has exactly the rule's id) is
 *     scored against that typology's instances too;
 *   - a rule whose id is exactly a labelled typology's is also scored on the
 *     accounts of its instances: subjects (every role but victim and
 *     beneficiary) flagged, for the account-level recall, and victims
 *     flagged; a victim it tagged "possible controller" is a victim taken
 *     for a suspect;
 *   - an account labelled only as a victim is no true positive of a rule
 *     that tagged it "possible controller" (a possible victim is never the
 *     subject of a report, FinCEN FIN-2020-A008 pp.10-11).
 * A ratio whose denominator is 0 is undefined: NAN here, "-" in tables and
 * null in JSON. */
#ifndef MT_BACKTEST_H
#define MT_BACKTEST_H

#include <glib.h>
#include <stdio.h>

#include "engine/alert.h"
#include "base/intern.h"
#include "backtest/label.h"

typedef struct Backtest Backtest;

typedef struct {
    char *rule; /* rule id; BACKTEST_ANY for the union of all rules */
    guint64 alerts;
    guint flagged, tp, fp; /* accounts */
    double precision, recall;
    double lift; /* precision / base rate (labelled accounts seen / accounts seen) */
    double f1;   /* 2 * precision * recall / (precision + recall) */
    guint evidence, ev_tp, ev_fp; /* distinct evidence transactions */
    double ev_precision, ev_recall;
    double per_1k_month; /* alerts per 1,000 accounts per 30 days */
    guint typ_instances; /* instances of the typology the rule id names; 0 = none */
    guint typ_found;     /* of them, found by this rule */
    guint typ_ev_found;  /* of them, found by this rule with evidence */
} BacktestRow;

#define BACKTEST_ANY "(any rule)"

typedef struct {
    char *typology;
    guint instances, found; /* found by any rule */
    guint ev_instances;     /* instances whose labelled transactions are known */
    guint ev_found;         /* of them, found with evidence by any rule */
    gint best;              /* index in rows of the rule that found most with evidence, or -1 */
    guint best_found;       /* how many it found */
    gint rule;              /* index in rows of the rule of the same id, or -1 */
    /* accounts of the instances seen in the data, and flagged by that rule */
    guint subjects, subjects_flagged; /* roles other than victim and beneficiary */
    guint victims, victims_flagged;   /* role victim */
    guint victims_as_suspects;        /* victims it tagged "possible controller" */
    GPtrArray *missed;                /* char *, ids of the instances no rule found */
} BacktestTypology;

typedef struct {
    char *rule;
    char *explanation;
} BacktestTopAlert;

typedef struct {
    char *account;
    double score;      /* sum of its alerts' scores */
    char *labels;      /* how it is labelled, or NULL */
    GPtrArray *alerts; /* BacktestTopAlert, in the order raised */
} BacktestTop;

typedef struct {
    guint64 transactions;
    guint accounts; /* distinct accounts seen in the data */
    gint64 first_ts, last_ts;
    double months; /* (last_ts - first_ts) / 30 days */
    guint labelled_accounts, labelled_accounts_seen;
    guint labelled_tx, labelled_tx_seen;
    guint instances;
    char *labels;        /* label_set_describe */
    GArray *rows;        /* BacktestRow, rules in order, BACKTEST_ANY last */
    GArray *typologies;  /* BacktestTypology, in order of first mention */
    GPtrArray *top;      /* BacktestTop, highest score first */
    guint top_max_shown; /* alerts printed per top account */
} BacktestReport;

/* labels and accounts (the run's account table) are borrowed and must
 * outlive the backtest. Caller frees with backtest_free. */
Backtest *backtest_new(const LabelSet *labels, const Intern *accounts);
void backtest_free(Backtest *bt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Backtest, backtest_free)

/* Declares a rule, so that it has a row even without alerts; rows are in
 * the order declared, then in the order of first alert. */
void backtest_add_rule(Backtest *bt, const char *rule_id);
/* Keeps the alerts of every account, to report the n highest-scored. */
void backtest_set_top(Backtest *bt, guint n);
/* Counts one transaction of the data: its time and accounts. */
void backtest_add_txn(Backtest *bt, const TxnCore *t);
/* Counts one alert; role is its tag ("possible controller", "possible
 * victim") or NULL; strings and views are copied. */
void backtest_add_alert(Backtest *bt, const char *rule_id, guint32 account, const char *role,
                        double score, const StrView *evidence, guint n_evidence,
                        const char *explanation);
/* An AlertFn: counts the alert into the Backtest user. */
gboolean backtest_on_alert(const Alert *a, void *user);

/* The numbers so far. Caller frees with backtest_report_free. */
BacktestReport *backtest_report(const Backtest *bt);
void backtest_report_free(BacktestReport *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BacktestReport, backtest_report_free)

/* Appends the report as aligned tables for a terminal (80 columns when
 * rule ids are at most 12 characters). */
void backtest_report_text(const BacktestReport *r, GString *out);
/* Appends the report as one JSON object and a newline. */
void backtest_report_json(const BacktestReport *r, GString *out);

/* A sweep: one row per combination of the values of one or more settings
 * (a grid), each row from its own run of the rules. */
typedef struct {
    GPtrArray *settings; /* "RULE.PARAM" or "CONST", owned */
    char *rule;          /* the rule whose row is reported, or BACKTEST_ANY */
    GPtrArray *values;   /* GStrv per row: one value per setting (owned) */
    GArray *rows;        /* BacktestRow (copies; owned), one per combination */
} BacktestSweep;

/* How the rows of a sweep are ordered when printed. */
typedef enum {
    BACKTEST_SORT_GRID, /* as run: the first setting varies slowest */
    BACKTEST_SORT_F1,   /* best F1 first, ties in grid order */
    BACKTEST_SORT_LIFT, /* best lift first, ties in grid order */
} BacktestSort;

/* A new sweep of settings (copied); rows of rule (NULL = BACKTEST_ANY). */
BacktestSweep *backtest_sweep_new(const char *const *settings, guint n, const char *rule);
/* Adds the row of the sweep's rule from a report made with values (one per
 * setting, copied). */
void backtest_sweep_add(BacktestSweep *s, const char *const *values, const BacktestReport *r);
/* Orders the rows (and their values) by sort. */
void backtest_sweep_sort(BacktestSweep *s, BacktestSort sort);
/* Parses "f1", "lift" or "grid"; FALSE for anything else. */
gboolean backtest_sort_parse(const char *word, BacktestSort *sort);
void backtest_sweep_free(BacktestSweep *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BacktestSweep, backtest_sweep_free)
/* Appends the sweep as a table: one column per setting, then the numbers. */
void backtest_sweep_text(const BacktestSweep *s, GString *out);
/* Appends {"sweep": {settings, rule, values: [{set: {SETTING: VALUE},
 * row}]}} and a newline. */
void backtest_sweep_json(const BacktestSweep *s, GString *out);

#endif
