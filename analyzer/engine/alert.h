/* alert.h: an alert as the engine raises it, its deterministic id, its
 * explanation sentence and its JSON Lines form.
 *
 * An Alert is a short-lived view: it borrows the rule, the window's entries
 * and the intern tables, and is valid only during the sink's callback. */
#ifndef MT_ALERT_H
#define MT_ALERT_H

#include <glib.h>

#include "base/intern.h"
#include "rule/rule.h"

/* One indicator alert behind a typology alert. */
typedef struct {
    const char *alert_id;
    const char *rule;
    guint32 account;
    gint64 ts;
} AlertHit;

typedef struct {
    char id[17]; /* 16 hex digits */
    const Rule *rule;
    guint32 account;     /* interned id */
    gint64 window_start; /* oldest evidence */
    gint64 window_end;   /* the transaction that fired */
    StrView trigger;     /* its tx id */
    guint32 currency;    /* of the firing transaction */
    guint8 currency_exp;
    const double *aggs;               /* values of rule->aggs */
    const gint64 *exact;              /* beside aggs: minor units (currency_exp) of money ones, or
                                       * MONEY_INEXACT; NULL: none (a typology alert) */
    StrView evidence[LIMIT_EVIDENCE]; /* most recent evidence, oldest first */
    guint n_evidence;
    guint n_evidence_total; /* entries in the window (may exceed LIMIT_EVIDENCE) */
    char explanation[LIMIT_EXPLAIN_BYTES];
    const Intern *accounts;
    const Intern *locations;
    const Kyc *kyc;
    const RuleHistory *hist;        /* the firing row's history, or NULL */
    const struct GraphMatch *match; /* the subgraph of a graph pattern, or NULL */
    double score;                   /* the rule's weight, or a typology's score */
    const char *role;               /* "possible victim", "possible controller" or NULL */
    gboolean escalated;             /* a typology alert raised by an escalation combination */
    const AlertHit *hits;           /* a typology alert's indicator alerts */
    guint n_hits;
} Alert;

/* Called for each alert raised; the alert is valid only during the call.
 * Return FALSE to report a sink failure (the engine remembers it). */
typedef gboolean (*AlertFn)(const Alert *a, void *user);

/* Fills a->id from the rule id and version, account, perspective, firing
 * transaction id and time: the same input gives the same id. */
void alert_make_id(Alert *a);
/* Renders the rule's explanation template into a->explanation, evaluating
 * its placeholders against the firing transaction and the aggregates. */
void alert_explain(Alert *a, const RuleSet *rs, const TxnCore *txn);
/* Appends the alert as one JSON object and a newline. */
void alert_to_json(const Alert *a, GString *out);
/* Formats a value of a static type for people: "9,500.00 EUR", "3", "6 days".
 * Money is shown from the double, rounded to the minor unit: exact below
 * 2^53 minor units; alert_explain shows an exact aggregate from its minor
 * units instead. */
void alert_format_value(double v, ValueType ty, char fmt, guint32 currency, int exp,
                        const Intern *accounts, const Intern *locations, GString *out);

#endif
