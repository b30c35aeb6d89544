/* case_queue.h: the investigator's queue: alerts grouped into cases, one
 * per customer (the KYC customer_id, else the account), each with a
 * decayed score, its strongest typology and role, its triage status and
 * assignee, how many alerts nobody has triaged yet, and its first and last
 * activity.
 *
 * Scoring follows the typology scoring (docs/indicators.md, "Scoring"):
 * each alert weighs its score, halved every half-life counted back from
 * the newest alert in the queue (the data's time, never the wall clock, so
 * the same alerts always rank the same). Mutes: a dismissal recorded with
 * a mute keeps later alerts of its rule on its account that nobody has
 * triaged out of the queue until window end + mute; they are counted, not
 * lost. The queue keeps one small record per alert (interned strings),
 * never the alerts themselves, so it is fed straight from each_alert. */
#ifndef MT_CASE_QUEUE_H
#define MT_CASE_QUEUE_H

#include "case/case.h"

typedef struct {
    char *id;            /* customer_id, else the account */
    GPtrArray *accounts; /* char *: the case's accounts with alerts, sorted */
    guint alerts;        /* alerts in the queue */
    guint fresh;         /* of which nobody has triaged (status new) */
    guint muted;         /* alerts kept out by a mute */
    double score;        /* decayed sum of the alerts' scores */
    char *strongest;     /* typology of the strongest typology alert, else its rule */
    char *role;          /* that alert's role, or NULL */
    char *status;        /* escalated > under-review > new > dismissed */
    char *assignee;      /* the latest assignment on any of its alerts, or NULL */
    gint64 first, last;  /* earliest window start, latest window end */
    double top;          /* the highest score of one of its alerts */
    GPtrArray *joins;    /* by network: the CaseJoin * that hold it together, sorted;
                          * else NULL */
    GPtrArray *hubs;     /* by network: its accounts whose evidence was left out as
                          * a hub's (char *, case_network.h), sorted; else NULL */
} CaseEntry;

void case_entry_free(CaseEntry *e);

typedef enum {
    CASE_SORT_SCORE,  /* highest decayed score first */
    CASE_SORT_LAST,   /* latest activity first */
    CASE_SORT_FIRST,  /* earliest activity first */
    CASE_SORT_ALERTS, /* most alerts first */
    CASE_SORT_NEW,    /* most untriaged alerts first */
} CaseSort;

/* Parses a sort key (score, last, first, alerts, new); FALSE if unknown. */
gboolean case_sort_parse(const char *s, CaseSort *out);

typedef enum {
    CASE_BY_CUSTOMER, /* the KYC customer_id, else the account */
    CASE_BY_ACCOUNT,  /* each account on its own */
    CASE_BY_NETWORK,  /* the accounts joined by transfers and shared identifiers
                       * (case/case_network.h), named by the smallest account id */
} CaseBy;

/* Parses a grouping (customer, account, network); FALSE if unknown. */
gboolean case_by_parse(const char *s, CaseBy *out);

typedef struct CaseQueue CaseQueue;

/* A queue over store s (borrowed until case_queue_free; used to find the
 * customer of each account); half_life in seconds (> 0). */
CaseQueue *case_queue_new(CaseStore *s, gint64 half_life);
void case_queue_free(CaseQueue *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CaseQueue, case_queue_free)

/* TRUE for an alert of a shadow rule ("shadow": true): stored for
 * measuring a rule before it ships, kept out of cases and the queue. */
gboolean case_alert_shadow(const CaseAlert *a);
/* The run that superseded a stored alert (late rows changed what one full
 * scan raises; the alert is kept with its evidence, out of the lists), 0
 * when it is active; *at (when non-NULL) is the time, borrowed from a. */
gint64 case_alert_superseded(const CaseAlert *a, const char **at);
/* Adds one alert (takes ownership; a CaseAlertFn: user is the queue); an
 * alert of a shadow rule is dropped, so it never adds to a case's score. */
gboolean case_queue_add(CaseAlert *a, void *user);
/* The cases with at least one alert in the queue, grouped by by, sorted
 * by sort (ties: score, then id); NULL with error if a lookup in the
 * store failed. The caller unrefs the array (CaseEntry *, freed with it).
 * *muted, if not NULL, receives the number of alerts kept out by mutes. */
GPtrArray *case_queue_cases(CaseQueue *q, CaseSort sort, CaseBy by, guint *muted, GError **error);
/* The case id of account, as the queue groups it: its customer_id, or
 * the account itself (caller frees); NULL with error on a store failure. */
char *case_queue_case_of(CaseStore *s, const char *account, GError **error);

#endif
