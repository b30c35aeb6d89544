/* case.h: the investigator's query layer: alerts, accounts (KYC) and
 * transactions, from files or from the PostgreSQL store.
 *
 * The investigator commands (alerts, alert, account, trace, graph, report,
 * export) ask their questions through a CaseStore and never see where the
 * answers come from. Two implementations exist: case_file.c reads the
 * alerts JSON Lines, the transaction exports (any mapping profile, streamed
 * with input.h) and the KYC accounts CSV; case_pg.c queries the database.
 * Every value handed out is owned by the caller (free with the type's
 * _free, or unref the GPtrArray, whose free function is set). */
#ifndef MT_CASE_H
#define MT_CASE_H

#include <glib.h>

#include "base/jval.h"
#include "base/txn.h"
#include "read/fx.h"

#define CASE_ERROR (case_error_quark())
GQuark case_error_quark(void);
typedef enum {
    CASE_ERROR_NOT_FOUND, /* no such alert or account */
    CASE_ERROR_DATA,      /* a file or the database failed */
    CASE_ERROR_USAGE,     /* the question needs an input that was not given */
} CaseError;

/* Triage status values; "new" means no triage was recorded. */
#define CASE_STATUS_NEW "new"

/* One transaction, owning its strings. */
typedef struct {
    char *tx_id;
    gint64 ts;       /* UTC seconds */
    int utc_offset;  /* minutes, or TXN_OFFSET_UNKNOWN */
    char *from, *to; /* "" when absent (cash) */
    gint64 amount;   /* minor units */
    char currency[4];
    int exp;
    Channel channel;
    guint16 mcc; /* TXN_MCC_NONE when absent */
    char country[3];
    char *location, *memo;
    /* Converted into the reporting currency (docs/currencies.md): amount,
     * currency and exp hold the converted value, these the original;
     * currency_orig is "" when the transaction was not converted. */
    gint64 amount_orig;
    char currency_orig[4];
    int exp_orig;
} CaseTx;

void case_tx_free(CaseTx *t);
/* Copies a decoded transaction; accounts and locations resolve its ids. */
CaseTx *case_tx_from_txn(const Txn *t, const char *from, const char *to, const char *location);

/* One triage entry on an alert: a decision, a note, a hand-over, or all
 * three. A note or an assignment alone leaves the status as it was. */
typedef struct {
    char *status;   /* escalated, dismissed, under-review, or NULL (unchanged) */
    char *note;     /* "" when none */
    char *assignee; /* who has the alert from now on, or NULL (unchanged) */
    char *by;       /* --by, else the database role or user name */
    char *at;       /* ISO 8601 UTC */
    gint64 mute;    /* with dismissed: seconds after the alert's window end
                     * during which later alerts of its rule on its account
                     * stay out of the queue; 0 = none */
} CaseTriage;

void case_triage_free(CaseTriage *t);
/* A deep copy; the caller frees with case_triage_free. */
CaseTriage *case_triage_copy(const CaseTriage *t);
/* Parses one triage entry from its JSON object (status, note, assignee,
 * by, at, mute_days); NULL when it carries neither a status, a note nor an
 * assignee. j is borrowed. */
CaseTriage *case_triage_from_json(const JVal *j);
/* Appends the entry as the JSON object case_triage_from_json reads. */
void case_triage_write_json(const CaseTriage *t, GString *out);

/* One alert as written by `moneytrail scan`, with its triage. */
typedef struct {
    char *id, *rule, *title, *family, *strength, *account, *perspective;
    char *currency, *explanation, *source, *trigger_tx;
    char *role;     /* typology role ("possible victim", ...) or NULL */
    char *typology; /* typology name or NULL */
    int rule_version;
    double score;
    gint64 window_start, window_end;
    GPtrArray *evidence; /* char *: tx ids, oldest first */
    guint evidence_total;
    JVal *json;        /* the whole alert object, for --json and extra keys */
    GPtrArray *triage; /* CaseTriage *, oldest first */
} CaseAlert;

void case_alert_free(CaseAlert *a);
/* A deep copy, JSON included; the caller frees with case_alert_free. */
CaseAlert *case_alert_copy(const CaseAlert *a);
/* The current status: the latest triage that set one, or CASE_STATUS_NEW.
 * Borrowed. */
const char *case_alert_status(const CaseAlert *a);
/* The current assignee: the latest triage that set one, or NULL. Borrowed. */
const char *case_alert_assignee(const CaseAlert *a);
/* The end of the mute the latest dismissal set (window end + mute), or
 * G_MININT64 when none. */
gint64 case_alert_mute_end(const CaseAlert *a);
/* Builds an alert from its JSON object (takes ownership of json); NULL
 * with error when a required key is missing. */
CaseAlert *case_alert_from_json(JVal *json, GError **error);

/* The KYC record of an account: the columns of the accounts CSV
 * (account_id, customer_id, kind, name, birth_date, country, ...) in order. */
typedef struct {
    GPtrArray *keys, *values; /* char * */
} CaseAccount;

void case_account_free(CaseAccount *a);
/* The KYC columns that link accounts, NULL-terminated: customer_id,
 * phone, email, address; and the words for them, in the same order:
 * customer, phone, e-mail, address. */
extern const char *const case_link_keys[];
extern const char *const case_link_words[];

/* Two accounts joined by money or by a shared KYC value. */
typedef struct {
    char *a, *b;     /* a sorts before b (strcmp) */
    const char *via; /* static: "evidence" or one of case_link_words */
} CaseJoin;

void case_join_free(CaseJoin *j);
/* A join of x and y (copied, put in order) by via (static). */
CaseJoin *case_join_new(const char *x, const char *y, const char *via);
/* The value of column key, "" when missing. Borrowed. */
const char *case_account_get(const CaseAccount *a, const char *key);

typedef struct {
    const char *rule;     /* glob on the rule id ("HT-*"), or NULL */
    const char *typology; /* matches the typology key, the family or the rule id prefix */
    gint64 since;         /* window_end >= since; G_MININT64 = no limit */
    double min_score;     /* -1 = no limit */
    const char *status;   /* current status, several separated by commas, or NULL */
    const char *account;  /* exact account, or NULL */
} CaseFilter;

void case_filter_init(CaseFilter *f);
/* TRUE if a passes the filter. */
gboolean case_filter_match(const CaseFilter *f, const CaseAlert *a);

typedef struct CaseStore CaseStore;

/* Called by each_alert with one alert, which fn takes ownership of;
 * FALSE stops the walk. */
typedef gboolean (*CaseAlertFn)(CaseAlert *a, void *user);

typedef struct {
    /* Alerts passing f, newest first (window_end descending, then id). */
    GPtrArray *(*alerts)(CaseStore *s, const CaseFilter *f, GError **error);
    /* Calls fn on every alert passing f, in the store's order (file order,
     * or newest first), without holding the others: the way to read big
     * alert stores in bounded memory. FALSE with error on failure. */
    gboolean (*each_alert)(CaseStore *s, const CaseFilter *f, CaseAlertFn fn, void *user,
                           GError **error);
    /* One alert, or NULL with CASE_ERROR_NOT_FOUND. */
    CaseAlert *(*alert)(CaseStore *s, const char *id, GError **error);
    /* The KYC record, or NULL without error when the account has none. */
    CaseAccount *(*account)(CaseStore *s, const char *id, GError **error);
    /* TRUE if the account appears in KYC, transactions or alerts. */
    gboolean (*account_known)(CaseStore *s, const char *id, GError **error);
    /* Transactions sent or received by account with from <= ts <= to,
     * oldest first. */
    GPtrArray *(*txns_of)(CaseStore *s, const char *account, gint64 from, gint64 to,
                          GError **error);
    /* The transactions with these ids (missing ones are left out), oldest first. */
    GPtrArray *(*txns_by_id)(CaseStore *s, GPtrArray *ids, GError **error);
    /* Records a triage entry on alert id (t borrowed); by, when NULL, and
     * at are filled in by the store. */
    gboolean (*set_triage)(CaseStore *s, const char *id, const CaseTriage *t, GError **error);
    /* Where triage is kept, for messages ("file X", "database"). Borrowed. */
    const char *(*triage_where)(CaseStore *s);
    /* The KYC records of the other accounts that share the customer id,
     * phone, e-mail or address of account (compared ignoring case; empty
     * values share nothing), by account id; empty without KYC. */
    GPtrArray *(*linked)(CaseStore *s, const char *account, GError **error);
    void (*free)(CaseStore *s);
    /* The transactions of account with from <= ts <= to summed by sender,
     * receiver and currency (CaseFlow *, case_flow.h), by a store that sums
     * faster than it hands out rows; NULL: case_flows_of sums txns_of. */
    GPtrArray *(*flows_of)(CaseStore *s, const char *account, gint64 from, gint64 to,
                           GError **error);
    /* How many transactions account sent (sent TRUE) or received with
     * lo[i] <= ts <= hi[i], into counts[i], for n windows, by a store that
     * counts faster than it hands out rows; NULL: not available. */
    gboolean (*count_in)(CaseStore *s, const char *account, gboolean sent, const gint64 *lo,
                         const gint64 *hi, guint n, guint64 *counts, GError **error);
} CaseStoreOps;

struct CaseStore {
    const CaseStoreOps *ops;
    Fx *fx; /* the rates transactions are converted with (owned), or NULL */
};

typedef struct {
    const char *alerts;      /* alerts JSON Lines */
    const char *const *data; /* transaction exports, NULL-terminated, or NULL */
    const char *accounts;    /* KYC accounts CSV, or NULL */
    const char *format;      /* mapping profile, or NULL to detect */
    const char *db;          /* libpq connection string, or NULL for files */
    const char *fx;          /* reference rates file (read/fx.h), or NULL: with --db the
                              * fx_rates table when it holds rates, else no conversion */
    const char *currency;    /* the reporting currency, NULL = EUR */
    int fx_max_age;          /* days a rate may be older than the transaction */
} CaseOpenOptions;

/* Opens the store the options name: the database when db is set, the
 * files otherwise. Returns NULL with error set. */
CaseStore *case_store_open(const CaseOpenOptions *o, GError **error);
void case_store_free(CaseStore *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CaseStore, case_store_free)

/* An empty rate table for o's reporting currency and maximum age; NULL
 * with CASE_ERROR_USAGE when the currency is not a code. */
Fx *case_fx_new(const CaseOpenOptions *o, GError **error);
/* Converts t into the reporting currency of fx (NULL: nothing), keeping
 * the original in the *_orig fields. A transaction already in that
 * currency, or one with no rate for its date, is left as stored (in its
 * own currency, so that it is never added to the others as a number);
 * returns FALSE for the latter. */
gboolean case_tx_convert(CaseTx *t, const Fx *fx);

/* The file implementation (case_file.c). */
CaseStore *case_file_open(const CaseOpenOptions *o, GError **error);
/* The PostgreSQL implementation (case_pg.c). */
CaseStore *case_pg_open(const CaseOpenOptions *o, GError **error);

/* Transactions of every account within hops of account (either direction),
 * with from <= ts <= to, de-duplicated, oldest first; at most max_accounts
 * accounts are expanded, and none in skip (a set of account ids, borrowed,
 * or NULL): the rest are left as leaves. */
GPtrArray *case_neighbourhood(CaseStore *s, const char *account, guint hops, gint64 from, gint64 to,
                              guint max_accounts, GHashTable *skip, GError **error);
/* Sorts CaseTx pointers by time, then tx id. */
void case_txns_sort(GPtrArray *txns);
/* Parses a date "2024-03-01" (start of day UTC) or an ISO 8601 timestamp;
 * end_of_day makes a plain date mean its last second. */
gboolean case_parse_time(const char *s, gboolean end_of_day, gint64 *out);
/* Like case_parse_time, and also a time relative to now (UTC seconds):
 * "today", "yesterday" (their first second, or last with end_of_day), or
 * a duration back from now: "7d", "2w", "12h", "30m". */
gboolean case_parse_when(const char *s, gboolean end_of_day, gint64 now, gint64 *out);
/* Parses a duration "90d", "2w", "12h", "30m", "45s" into seconds (> 0). */
gboolean case_parse_duration(const char *s, gint64 *out);
/* TRUE when status is one of the comma-separated list. */
gboolean case_status_in(const char *list, const char *status);
/* The transaction's amount for people: "1,234.50". buf >= 32 bytes. */
const char *case_tx_amount(const CaseTx *t, char *buf);
/* The amount with its currency, a converted one as the explanations show
 * it, original first: "9,400.00 USD (8,650.12 EUR)"; else "1,234.50 EUR".
 * buf >= 80 bytes. */
const char *case_tx_amount_both(const CaseTx *t, char *buf);
/* With rates (s->fx), a note on txns (CaseTx *) for people: "amounts in
 * EUR: 3 of 40 transactions converted from GBP, USD; 1 with no rate for
 * its date shown in its own currency (JPY)"; NULL without rates. Caller
 * frees. */
char *case_fx_note(const CaseStore *s, GPtrArray *txns);
/* Plain decimal for machine formats: "1300.00", no separators; caller frees. */
char *case_plain_amount(gint64 minor, int exp);
/* The account's display name: the KYC name if any, else the id. */
char *case_display_name(CaseStore *s, const char *account);

#endif
