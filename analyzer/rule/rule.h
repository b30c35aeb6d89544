/* rule.h: the compiled rule set: immutable once loaded.
 *
 * A RuleSet is what rule files compile into: named lists and constants, and
 * rules whose filter, alert condition, aggregate arguments and explanation
 * parts are flat programs for the interpreter in rule_vm.c. Nothing here
 * changes while scanning; per-account state lives in the engine. */
#ifndef MT_RULE_H
#define MT_RULE_H

#include <glib.h>
#include <stdio.h>

#include "base/txn.h"

typedef enum {
    PERSP_SENDER = 1,   /* the account the money leaves (from_account) */
    PERSP_RECEIVER = 2, /* the account the money reaches (to_account) */
    PERSP_ACCOUNT = 3,  /* both: one window per account, in and out */
} Perspective;

/* The side of a transaction a filter looks from: SIDE_ANY when the account
 * is both sender and receiver (its direction is then "in"). */
typedef enum {
    SIDE_ANY,
    SIDE_SENDER,   /* direction out */
    SIDE_RECEIVER, /* direction in */
    SIDE_COUNT
} Side;

typedef enum {
    STRENGTH_WEAK = 1,
    STRENGTH_MEDIUM = 2,
    STRENGTH_STRONG = 3,
} Strength;

/* Where a rule stands in its life ('status' in the rule header): a shadow
 * rule runs and its alerts are stored marked "shadow", for measuring
 * before it ships, and kept out of the queue. */
typedef enum {
    RULE_STATUS_STABLE = 0, /* the default */
    RULE_STATUS_EXPERIMENTAL,
    RULE_STATUS_TEST,
    RULE_STATUS_SHADOW,
} RuleStatus;

/* Static types: they decide how a value is printed, which names resolve
 * against a field (channel names, country codes) and what lint can prove. */
typedef enum {
    TY_NUM,
    TY_BOOL,
    TY_MONEY,
    TY_COUNT,
    TY_DURATION,
    TY_CHANNEL,
    TY_MCC,
    TY_COUNTRY,
    TY_CURRENCY,
    TY_ACCOUNT,
    TY_LOCATION,
    TY_HOUR,
    TY_DOW,
    TY_DIR,  /* in, out: relative to the window's account */
    TY_KIND, /* person, business */
    TY_TEXT, /* compared by kyc_text_hash, e.g. account.occupation == "student" */
} ValueType;

/* Fields a rule can read: id, name, type, min, max, hold. "account.*" are
 * the KYC attributes of the account whose window this is, "counterparty.*"
 * those of the other party (kyc.h); unknown values are -1 (or 0 for ids).
 * hold: FIELD_ROW, a value of the row; FIELD_FIXED, an attribute of the
 * account that holds still for the whole run (not age, opened_days or
 * open_now, which move with time), so that the planner may test it once
 * per account (the account prefilter); FIELD_HISTORY, what the engine
 * remembers of the account and the pair of accounts from the data before
 * this row (RuleHistory), so read when the row arrives. Adding a field: a
 * line here and its value in rule_vm_field (rule_vm.c), or in
 * history_field for a history field. */
#define FIELD_ROW     0
#define FIELD_FIXED   1
#define FIELD_HISTORY 2
#define RULE_FIELD_LIST(X)                                                                         \
    X(AMOUNT, "amount", TY_MONEY, 0, 1e18, 0)                                                      \
    X(HOUR, "hour", TY_HOUR, 0, 23, 0)                                                             \
    X(WEEKDAY, "weekday", TY_DOW, 1, 7, 0)                                                         \
    X(CHANNEL, "channel", TY_CHANNEL, 0, 255, 0)                                                   \
    X(MCC, "mcc", TY_MCC, 0, 65535, 0)                                                             \
    X(COUNTRY, "country", TY_COUNTRY, 0, 65535, 0)                                                 \
    X(CURRENCY, "currency", TY_CURRENCY, 0, 1e9, 0)                                                \
    X(LOCATION, "location", TY_LOCATION, 0, 4294967295.0, 0)                                       \
    X(ACCOUNT, "account", TY_ACCOUNT, 0, 4294967295.0, 0)                                          \
    X(COUNTERPARTY, "counterparty", TY_ACCOUNT, 0, 4294967295.0, 0)                                \
    X(DIRECTION, "direction", TY_DIR, 1, 2, 0)                                                     \
    X(DAY, "day", TY_NUM, 0, 1e7, 0)                                                               \
    X(WEEK, "week", TY_NUM, 0, 1e6, 0)                                                             \
    X(ACC_KNOWN, "account.known", TY_BOOL, 0, 1, 1)                                                \
    X(ACC_KIND, "account.kind", TY_KIND, 0, 2, 1)                                                  \
    X(ACC_AGE, "account.age", TY_NUM, -1, 200, 0)                                                  \
    X(ACC_INCOME, "account.income", TY_MONEY, -1, 1e15, 1)                                         \
    X(ACC_MCC, "account.mcc", TY_MCC, 0, 65535, 1)                                                 \
    X(ACC_COUNTRY, "account.country", TY_COUNTRY, 0, 65535, 1)                                     \
    X(ACC_REGION, "account.region", TY_LOCATION, 0, 4294967295.0, 1)                               \
    X(ACC_CITY, "account.city", TY_LOCATION, 0, 4294967295.0, 1)                                   \
    X(ACC_OCCUPATION, "account.occupation", TY_TEXT, 0, 4294967295.0, 1)                           \
    X(ACC_OPEN_NOW, "account.open_now", TY_BOOL, 0, 1, 0)                                          \
    X(ACC_EMPLOYEES, "account.employees", TY_NUM, -1, 1e9, 1)                                      \
    X(ACC_SHARED_PHONE, "account.shared_phone", TY_NUM, 0, 65535, 1)                               \
    X(ACC_SHARED_EMAIL, "account.shared_email", TY_NUM, 0, 65535, 1)                               \
    X(ACC_SHARED_ADDRESS, "account.shared_address", TY_NUM, 0, 65535, 1)                           \
    X(ACC_OPENED_DAYS, "account.opened_days", TY_NUM, -1e9, 1e9, 0)                                \
    X(CP_KNOWN, "counterparty.known", TY_BOOL, 0, 1, 0)                                            \
    X(CP_KIND, "counterparty.kind", TY_KIND, 0, 2, 0)                                              \
    X(CP_REGION, "counterparty.region", TY_LOCATION, 0, 4294967295.0, 0)                           \
    X(CP_SAME_CUSTOMER, "counterparty.same_customer", TY_BOOL, 0, 1, 0)                            \
    X(ACC_DAYS_DORMANT, "account.days_dormant", TY_NUM, 0, 1e6, 2)                                 \
    X(ACC_TENURE, "account.tenure", TY_NUM, 0, 1e6, 2)                                             \
    X(ACC_TRANSACTIONS, "account.transactions", TY_NUM, 0, 4294967295.0, 2)                        \
    X(ACC_SENDERS, "account.senders", TY_NUM, 0, 4294967295.0, 2)                                  \
    X(ACC_PAYEES, "account.payees", TY_NUM, 0, 4294967295.0, 2)                                    \
    X(ACC_REC_SENDERS, "account.recurring_senders", TY_NUM, 0, 4294967295.0, 2)                    \
    X(ACC_REC_PAYEES, "account.recurring_payees", TY_NUM, 0, 4294967295.0, 2)                      \
    X(DATA_DAYS, "data.days", TY_NUM, 0, 1e6, 2)                                                   \
    X(CP_IS_NEW, "counterparty.is_new", TY_BOOL, 0, 1, 2)                                          \
    X(CP_PAID_BEFORE, "counterparty.paid_before", TY_NUM, 0, 4294967295.0, 2)                      \
    X(CP_FIRST_SEEN, "counterparty.first_seen", TY_NUM, -1, 1e6, 2)                                \
    X(CP_PAID_BACK, "counterparty.paid_back", TY_NUM, 0, 4294967295.0, 2)                          \
    X(AMOUNT_ORIG, "amount_orig", TY_MONEY, 0, 1e18, 0)

typedef enum {
#define X(id, name, ty, lo, hi, hold) FIELD_##id,
    RULE_FIELD_LIST(X)
#undef X
        FIELD_COUNT
} FieldId;

/* Interpreter opcodes: name, what the operand means. */
#define RULE_OP_LIST(X)                                                                            \
    X(PUSH, "push the constant k")                                                                 \
    X(FIELD, "push field a of the transaction")                                                    \
    X(AGG, "push aggregate a of the window")                                                       \
    X(ADD, "pop b, a; push a + b")                                                                 \
    X(SUB, "pop b, a; push a - b")                                                                 \
    X(MUL, "pop b, a; push a * b")                                                                 \
    X(DIV, "pop b, a; push a / b (0 when b is 0)")                                                 \
    X(MOD, "pop b, a; push a mod b (0 when b is 0)")                                               \
    X(NEG, "negate the top")                                                                       \
    X(EQ, "pop b, a; push a == b")                                                                 \
    X(NE, "pop b, a; push a != b")                                                                 \
    X(LT, "pop b, a; push a < b")                                                                  \
    X(LE, "pop b, a; push a <= b")                                                                 \
    X(GT, "pop b, a; push a > b")                                                                  \
    X(GE, "pop b, a; push a >= b")                                                                 \
    X(NOT, "push not top")                                                                         \
    X(JUMP_FALSE, "if top is false jump to a keeping it, else pop it")                             \
    X(JUMP_TRUE, "if top is true jump to a keeping it, else pop it")                               \
    X(IN_LIST, "pop x; push x is in list a")                                                       \
    X(IN_RANGE, "pop hi, lo, x; push x in the range (a: 1 lo closed, 2 hi closed)")                \
    X(FIELD_CMP, "push field b compared (a: EQ .. GE) with the constant k")                        \
    X(FIELD_IN_LIST, "push field b is in list a")                                                  \
    X(AGG_CMP, "push aggregate a compared (b: EQ .. GE) with the constant k")                      \
    X(TEXT, "push text test a (RuleSet.texts) on the row's folded memo")                           \
    X(FX, "convert the top from currency a into the reporting currency at the row's date")         \
    X(HALT, "stop; the result is the top")

typedef enum {
#define X(id, doc) OP_##id,
    RULE_OP_LIST(X)
#undef X
        OP_COUNT
} RuleOp;

typedef struct {
    guint8 op;
    guint8 b; /* the field of the fused FIELD_CMP and FIELD_IN_LIST */
    gint32 a;
    double k;
} RuleStep;

typedef struct {
    RuleStep *steps; /* owned; NULL when the program is empty (always true) */
    guint n;
    ValueType type;
} RuleProgram;

/* What an aggregate call takes between its parentheses (rule_compile.c). */
typedef enum {
    AGG_TAKES_NOTHING,   /* span() */
    AGG_TAKES_CONDITION, /* count() or count(condition) */
    AGG_TAKES_VALUE,     /* sum(amount): a value of each entry */
    AGG_TAKES_FIELD,     /* distinct(counterparty): a field's values */
    AGG_TAKES_DURATION,  /* forwarded(48h): a duration, or a constant holding one */
    AGG_TAKES_VALUE_P,   /* percentile(amount, 90): a value of each entry and a percent */
    AGG_TAKES_SEQUENCE,  /* sequence(A, B, 24h): 2 to 8 conditions and a duration */
} AggTakes;

/* The most steps of one sequence(A, B, ..., DUR). */
#define RULE_SEQUENCE_MAX_STEPS 8

/* Aggregates over a window: id, name, what it takes, the type of its value
 * (for AGG_TAKES_VALUE: the value's own), whether a "where" may narrow its
 * entries (sum(amount where ...)), whether it needs a 'baseline' clause,
 * and what it is. The compiler reads names and arguments from this table;
 * the engine computes each kind in window_agg.c. baseline(...) is no
 * aggregate of its own: it wraps one of these (but not one that needs the
 * baseline itself). */
#define RULE_AGG_LIST(X)                                                                           \
    X(COUNT, "count", AGG_TAKES_CONDITION, TY_COUNT, 0, 0,                                         \
      "entries in the window (passing the optional condition)")                                    \
    X(SUM, "sum", AGG_TAKES_VALUE, TY_NUM, 1, 0, "the sum of a value over the entries")            \
    X(AVG, "avg", AGG_TAKES_VALUE, TY_NUM, 1, 0, "the mean of a value over the entries")           \
    X(MIN, "min", AGG_TAKES_VALUE, TY_NUM, 1, 0, "the least value")                                \
    X(MAX, "max", AGG_TAKES_VALUE, TY_NUM, 1, 0, "the greatest value")                             \
    X(MEDIAN, "median", AGG_TAKES_VALUE, TY_NUM, 1, 0, "the middle value (percentile 50)")         \
    X(PERCENTILE, "percentile", AGG_TAKES_VALUE_P, TY_NUM, 1, 0,                                   \
      "the value p% of the entries lie at or below, interpolated")                                 \
    X(STDDEV, "stddev", AGG_TAKES_VALUE, TY_NUM, 1, 0, "the population standard deviation")        \
    X(DISTINCT, "distinct", AGG_TAKES_FIELD, TY_COUNT, 1, 0,                                       \
      "distinct non-empty values of a field")                                                      \
    X(MOST, "most", AGG_TAKES_FIELD, TY_COUNT, 1, 0,                                               \
      "the entries of the commonest value of a field: most(day) is the count of the busiest day")  \
    X(SEQUENCE, "sequence", AGG_TAKES_SEQUENCE, TY_COUNT, 0, 0,                                    \
      "entries passing the last step that end steps A, B, ... in order, within k s of the first")  \
    X(SPAN, "span", AGG_TAKES_NOTHING, TY_DURATION, 0, 0,                                          \
      "seconds from the oldest to the newest entry")                                               \
    X(NEW, "new", AGG_TAKES_FIELD, TY_COUNT, 0, 1,                                                 \
      "distinct values of a field in the window not seen in the baseline")                         \
    X(FORWARDED, "forwarded", AGG_TAKES_DURATION, TY_NUM, 0, 0,                                    \
      "share of the inflow passed on within k seconds (FIFO matching)")                            \
    X(SWEPT, "swept", AGG_TAKES_DURATION, TY_NUM, 0, 0,                                            \
      "largest share of the inflow passed on within k s to one counterparty")

typedef enum {
#define X(id, name, takes, type, where, needs_baseline, doc) AGG_##id,
    RULE_AGG_LIST(X)
#undef X
        AGG_N_KINDS
} AggKind;

typedef struct {
    AggKind kind;
    RuleProgram arg;  /* value (sum..max) or condition (count, sequence's A); empty otherwise */
    RuleProgram cond; /* "where" inside the call: entries that count (sequence's B); empty = all */
    RuleProgram *mid; /* sequence(A, M1, ..., B, k): the steps between A and B, n_mid of them */
    guint n_mid;
    FieldId field; /* AGG_DISTINCT, AGG_NEW, AGG_MOST */
    double k; /* AGG_FORWARDED, AGG_SWEPT, AGG_SEQUENCE: seconds; AGG_PERCENTILE: p, 0 to 100 */
    gboolean baseline; /* computed over the baseline period before the window (scaled) */
    char *text;        /* canonical source text, e.g. "sum(amount)"; the key in alerts */
    ValueType type;
    gboolean in_condition; /* used by the alert condition (else only by the explanation) */
    /* how the engine keeps it: worked out by the planner (rule_plan.c) */
    int flag; /* bit of the entry flags (win_flags) holding its condition, -1 = none */
    /* the flag's condition worked out at compile time like RulePlan.pass_mask:
     * bit c set if it can be true (maybe) or is true (surely) for channel c
     * with the window's account on that side, [0] with an mcc, [1] without */
    guint32 flag_maybe[SIDE_COUNT][2], flag_surely[SIDE_COUNT][2];
    gboolean running; /* count or sum(amount) kept as a running total (window_agg.c) */
    gboolean counted; /* distinct() kept as a multiset of values in step with the window */
    guint8 run_slot;  /* where in Window.run, when running */
} RuleAgg;

/* Amounts from lo to hi (RulePlan.shape_amount). */
typedef struct {
    double lo, hi;
} RuleAmountRange;

/* One of a condition's leads (RulePlan.leads): aggregate agg op k, op OP_EQ ..
 * OP_GE, as written in text. */
typedef struct {
    guint agg;
    RuleOp op;
    double k;
    char *text;
} RuleLead;

/* One piece of an explanation: literal text, or a value to render. */
typedef struct {
    char *text;       /* literal (prog.n == 0), or for format 'n' "NOUN/NOUNS" */
    RuleProgram prog; /* value */
    char format;      /* 0 = by type, 'm' money, 'p' percent, 'i' integer, 'd' duration, 'n' a count
                         and its noun */
} TplPart;

/* Merchant category codes 0..9999 as bits (code m: word m / 64, bit m % 64):
 * those for which a filter can pass and those for which it surely passes. */
#define RULE_MCC_CODES 10000
typedef struct {
    guint64 maybe[(RULE_MCC_CODES + 63) / 64];
    guint64 surely[(RULE_MCC_CODES + 63) / 64];
} RuleMccSet;

static inline gboolean rule_mcc_has(const guint64 *bits, guint mcc)
{
    return bits[mcc / 64] >> (mcc % 64) & 1;
}

typedef struct {
    char *name;
    ValueType kind; /* TY_CHANNEL, TY_MCC, TY_COUNTRY, TY_CURRENCY, TY_DOW, TY_HOUR, TY_ACCOUNT */
    guint8 *bits;   /* membership bitset over the kind's key space */
    guint nbits;
    GArray *values; /* double, the members as given, for printing */
    char *file;
    int line, col;
    gboolean used;
    gboolean anonymous; /* an inline set like {PH, TH} */
} RuleList;

/* A text test on the memo (rule_text.c). */
typedef enum {
    RULE_TEXT_CONTAINS,
    RULE_TEXT_STARTS_WITH,
    RULE_TEXT_MATCHES, /* a GRegex regular expression, found anywhere */
} RuleTextOp;

typedef struct RuleText {
    RuleTextOp op;
    char *src;    /* the needle as written */
    char *needle; /* folded (rule_text_fold); for MATCHES the pattern with non-ASCII folded */
    gsize len;
    GRegex *re; /* MATCHES only, caseless */
} RuleText;

typedef struct {
    char *name;
    double value;
    ValueType type;
    guint32 currency; /* `10000 EUR`: the packed code of the amount's currency, else 0 */
    char *file;
    int line, col;
    gboolean used;
} RuleConst;

typedef struct {
    char *tx_id;
    char *from, *to; /* account names, NULL when absent */
    TxnCore core;    /* from/to/location are filled when the example runs */
    char *location;
    char *memo; /* memo=..., or NULL */
    int line;
} ExampleRow;

typedef struct {
    char *account;       /* NULL: "no alert" at all */
    int count;           /* alerts expected on account */
    GPtrArray *evidence; /* tx ids expected as evidence, or NULL */
    char *role;          /* "victim" or "controller" expected of the first alert, or NULL */
    int line;
} ExampleExpect;

typedef struct {
    char *account;
    GPtrArray *keys;   /* char*, columns of the accounts CSV (kyc.h) */
    GPtrArray *values; /* char* */
    int line;
} ExampleAccount;

typedef struct {
    char *name;
    int line;
    GArray *accounts; /* ExampleAccount: the KYC side table of the example */
    GArray *rows;     /* ExampleRow */
    GArray *expects;  /* ExampleExpect */
} RuleExample;

/* Graph patterns searched around each new edge (graph_match.c): id, the
 * word after 'match', the defaults of its MatchSpec (min_len, max_len,
 * tolerance, k, k2, ratio), and what it finds. Adding one: a line here and
 * its search in graph_match.c. The options every pattern takes (ordered,
 * max_degree, where node...) default to off. */
#define RULE_MATCH_LIST(X)                                                                         \
    X(CYCLE, "cycle", 2, 4, 0.1, 0, 0, 0, "money returns to where it started")                     \
    X(CHAIN, "chain", 3, 3, 0.1, 0, 0, 0, "A -> B -> C -> D with similar amounts (layering)")      \
    X(SCATTER_GATHER, "scatter_gather", 0, 0, 0, 3, 0, 0.7,                                        \
      "a source pays k intermediaries who pay one sink")                                           \
    X(GATHER_SCATTER, "gather_scatter", 0, 0, 0, 5, 5, 0,                                          \
      "an account gathers from k sources, then pays k2 destinations")                              \
    X(FUNNEL, "funnel", 0, 0, 0, 3, 0, 0.7,                                                        \
      "k accounts each pass >= ratio of their inflow on to one sink")

typedef enum {
    MATCH_NONE = 0,
#define X(id, word, min_len, max_len, tolerance, k, k2, ratio, doc) MATCH_##id,
    RULE_MATCH_LIST(X)
#undef X
} MatchKind;

/* A graph pattern as compiled. Each number may have been written as the
 * name of a param or constant (so `backtest --sweep` tunes it); it holds
 * that name's value. */
typedef struct {
    MatchKind kind;
    int min_len, max_len; /* edges in a cycle or chain */
    double tolerance;     /* a leg may differ from the one before by this fraction; < 0: any */
    int k, k2;            /* intermediaries or sources; destinations */
    double ratio;         /* scatter-gather: share an intermediary forwards */
    gboolean unordered;   /* `ordered false`: a cycle's hops in any time order */
    int max_degree;       /* > 0: an account with more edges in the window is no part of it */
    gint64 hold;          /* gather_scatter, > 0: seconds a payment may follow its inflow */
    gboolean strangers;   /* cycle: no edge between its accounts but its legs' way round */
    int hubs;             /* cycle: accounts above max_degree it may still take in */
    RuleProgram nodes;    /* `where node...`: every account of the pattern passes it */
    char *nodes_src;      /* the predicate as written, or NULL */
} MatchSpec;

/* An aggregate kept in step with its window (window_agg.c), in short: what
 * one entry adds to it. */
typedef enum {
    TRACK_COUNT,    /* a running count: 1 */
    TRACK_SUM,      /* a running sum(amount): the entry's amount */
    TRACK_DISTINCT, /* distinct(field): the entry's value, in a multiset */
} TrackKind;

typedef struct {
    guint16 agg; /* index in Rule.aggs */
    guint8 slot; /* its running total's index in Window.run (TRACK_COUNT, TRACK_SUM) */
    gint8 flag;  /* win_flags bit the entry must have, -1 = any entry */
    guint8 kind; /* TrackKind */
    guint8 part; /* the window part it is kept over: 0 the window, 1 the baseline */
} RuleTrack;

/* How the engine runs a rule, worked out by the planner (rule_plan.c)
 * from what the rule says: prefilters that spare most filter runs, the
 * leads tested before the condition, and the layout of the per-window
 * state (running totals, tracked aggregates). Owned by its Rule. */
typedef struct {
    guint32 channel_mask; /* bit c set if the filter can pass channel c (on some side) */
    /* bit c set if the filter can pass channel c with the account on that
     * side, [0] with an mcc, [1] without: the filter evaluated at compile
     * time with those fields known */
    guint32 pass_mask[SIDE_COUNT][2];
    /* the same for "surely passes once account_filter has passed": the
     * filter need not run */
    guint32 pass_surely[SIDE_COUNT][2];
    guint32 kind_mask; /* bit k set if the filter can pass an account of KycKind k */
    /* the filter's "and" parts that read only the account's fixed attributes
     * (kind, occupation, shared identifiers, ...): worked out once per
     * account; empty when there are none */
    RuleProgram account_filter;
    char *account_filter_src; /* its clauses as written, for 'rules explain' */
    /* the filter as the engine runs it from each side, once account_filter
     * has passed: direction decided, the fixed-attribute parts left out */
    RuleProgram side_filter[SIDE_COUNT];
    /* the same for one shape [side][mcc missing][channel] where knowing the
     * channel and a missing mcc leaves less to run; NULL = side_filter */
    RuleProgram *shape_filter[SIDE_COUNT][2][32];
    /* for a shape with an mcc [side][channel] whose filter tests the mcc
     * against constants: the codes for which it can pass and surely passes,
     * so that for most codes it need not run; NULL = the program decides.
     * Points into mcc_sets */
    const RuleMccSet *shape_mcc[SIDE_COUNT][32];
    GPtrArray *mcc_sets; /* RuleMccSet, owned; NULL when there are none */
    /* for each shape [side][mcc missing][channel] whose program runs: the
     * amounts (in currency units) it can pass, outside which it surely
     * fails (-inf, +inf: no bound) */
    RuleAmountRange shape_amount[SIDE_COUNT][2][32];
    /* the parts of the condition joined to it by `and` that compare a
     * running count or sum of the window, or a span, with a constant
     * (`count(direction == in) >= 3 and ...`): when one of them is false,
     * so is the condition, and the engine tests them first (RuleLead) */
    GArray *leads;
    /* RuleTrack: the aggs kept in step with the window (each over the one
     * part it is read from), those that every entry adds to first, the
     * n_track_any[0] of the window part, then the n_track_any[1] of the
     * baseline; the others by their flag bit: bit i of track_flags[part]
     * set for tracked[track_of_flag[i]] */
    GArray *tracked;
    guint n_track_any[2];
    guint32 track_flags[2];
    guint8 track_of_flag[32];
    guint n_run;          /* running totals a window keeps (Window.run), RuleAgg.run_slot */
    gboolean has_counted; /* some agg is counted (distinct values kept as a multiset) */
} RulePlan;

typedef struct {
    char *id;
    char *title;
    char *source;
    char *family;
    GPtrArray *tags;
    Strength strength;
    int version;
    RuleStatus status;
    char *author;               /* 'author', or NULL */
    char *date;                 /* 'date' YYYY-MM-DD of the last change, or NULL */
    GPtrArray *false_positives; /* 'false_positives' texts: known benign causes */
    char *file;
    int line;

    Perspective persp;
    gint64 window;   /* seconds; 0 = the current transaction only */
    gint64 baseline; /* seconds of history kept before the window, 0 = none */
    MatchSpec match; /* a graph pattern; kind MATCH_NONE for window rules */
    char *role;      /* "possible victim", "possible controller" or NULL */
    gint64 suppress; /* seconds after an alert with no new alert for the account */
    RuleProgram filter;
    RuleProgram condition;
    GArray *aggs;    /* RuleAgg */
    GArray *explain; /* TplPart */
    char *explain_src;
    char *filter_src; /* the clauses as written, for 'rules explain' */
    char *condition_src;
    GPtrArray *examples;       /* RuleExample */
    GPtrArray *params;         /* RuleConst: `param` clauses, visible in this rule only */
    struct Typology *typology; /* set when this is the face of a typology */
    RulePlan plan;             /* how the engine runs it (rule_plan.c) */
} Rule;

/* A typology: indicator alerts per customer combined with weights (from
 * the rules' strength), capped per family, decaying with a half-life, and
 * alerting above a condition over `score`, `families` and `hits`, or at
 * once on an escalation combination (typology.c). Its `rule` is what its
 * alerts show: id, title, source, version, suppress, condition, examples. */
typedef struct Typology {
    Rule rule;
    GPtrArray *indicator_ids;  /* char*, as written */
    GPtrArray *escalation_ids; /* GPtrArray of char*: all rules of one group escalate */
    GPtrArray *victim_ids, *controller_ids; /* char* */
    GPtrArray *required_ids;                /* char*: at least one of these must have a hit */
    int ids_line;                           /* where the ids were written, for errors */
    /* resolved after loading: */
    GPtrArray *indicators;            /* const Rule* */
    GPtrArray *escalations;           /* GPtrArray of const Rule* */
    GPtrArray *victims, *controllers; /* const Rule* */
    GPtrArray *required;              /* const Rule*; empty = any indicator will do */
    gint64 half_life;
    double cap;
} Typology;

typedef struct RuleSet {
    GPtrArray *rules;      /* Rule, in load order */
    gboolean history;      /* some rule reads a history field: the engine keeps history */
    GPtrArray *typologies; /* Typology */
    GPtrArray *lists;      /* RuleList, named ones first come first */
    GPtrArray *consts;     /* RuleConst */
    GPtrArray *texts;      /* RuleText: the memo tests of OP_TEXT, owned */
    /* The reference rates of a run (read/fx.h), borrowed, set before the
     * scan: OP_FX converts a threshold written with a currency. NULL:
     * thresholds are taken as written, like the amounts. */
    const struct Fx *fx;
    /* The accounts named by account lists, each once, in the order first
     * named: the one at index i is interned as account i + 1 before any
     * row (rule_set_intern_accounts), so that an account list is a bitset
     * over interned ids like any other list */
    GPtrArray *account_names; /* char*, owned */
    GHashTable *account_ids;  /* name -> GUINT_TO_POINTER(id), names borrowed */
    GPtrArray *list_files;    /* "path\tsha256" of account list files read, for the digest */
    GPtrArray *files;         /* paths loaded */
    char digest[65];          /* sha256 of the loaded texts, for runs and alert ids */
} RuleSet;

typedef struct {
    char *file;
    int line, col;
    gboolean warning;
    char *msg;
    char *text; /* the offending line */
} RuleDiag;

/* Loads rules from each path: a directory (its *.list files, then its
 * *.rule files, each in name order) or a file (the *.list files of its
 * directory first). Returns the set, or NULL when any error was found; every
 * error and warning is appended to diags (RuleDiag, caller frees the array). */
RuleSet *rule_set_load(const char *const *paths, guint n_paths, GPtrArray *diags);
/* As rule_set_load, with values that replace constants and rule parameters:
 * overrides maps "NAME" (a constant) or "RULE.NAME" (a rule's param) to a
 * number as text. An override that matches nothing, or is not a number, is
 * an error. overrides may be NULL. */
RuleSet *rule_set_load_with(const char *const *paths, guint n_paths, GHashTable *overrides,
                            GPtrArray *diags);
void rule_set_free(RuleSet *rs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RuleSet, rule_set_free)
/* Loads rules from one text in memory, named `name` in diagnostics (tests,
 * fuzzing); NULL when it has errors. */
RuleSet *rule_set_load_text(const char *name, const char *src, gsize len, GPtrArray *diags);
/* Finds a rule by id; NULL if none. */
const Rule *rule_set_find(const RuleSet *rs, const char *id);
/* A new array for diagnostics (frees its elements). */
GPtrArray *rule_diags_new(void);
/* Prints a diagnostic as "file:line:col: error: msg", the line and a caret. */
void rule_diag_print(const RuleDiag *d, FILE *out);

const char *rule_field_name(FieldId f);
const char *rule_strength_name(Strength s);
/* "stable", "experimental", "test" or "shadow". */
const char *rule_status_name(RuleStatus s);
const char *rule_persp_name(Perspective p);
/* What r computes, as 16 hex digits and a NUL: its programs (constants
 * folded in, the members of the lists it reads), aggregates, graph pattern,
 * window, perspective, strength, suppression and params; not its text,
 * comments, title or version. Two versions of a rule that compute the same
 * have the same fingerprint. */
void rule_fingerprint(const RuleSet *rs, const Rule *r, char out[17]);
/* Score of a rule's alert: its strength weight (weak 1, medium 2, strong 3). */
double rule_score(const Rule *r);

typedef struct Kyc Kyc;

/* What the engine knew of one account before the current row. */
typedef struct {
    gint64 first_ts, last_ts; /* valid when n > 0 */
    guint32 n;                /* its transactions, saturating */
    guint32 cp_in, cp_out;    /* distinct accounts that paid it, that it paid */
    guint32 rec_in, rec_out;  /* of them, those that paid it, it paid, at least twice */
} RuleHistoryAccount;

/* The history fields' source: what the engine knew before the current row
 * of its two accounts and of the pair (engine/history.h keeps it). */
typedef struct {
    gint64 since;              /* the earliest transaction of the data */
    RuleHistoryAccount acc[2]; /* the sender's, the receiver's */
    guint32 paid[2];           /* payments sender -> receiver, receiver -> sender */
    gint64 pair_first;         /* the first transaction between them, either way */
} RuleHistory;

/* Evaluation context for the interpreter. */
typedef struct {
    const TxnCore *txn;
    guint32 account;    /* the account whose window this is */
    const double *aggs; /* computed aggregates of the rule, or NULL */
    const RuleSet *rs;
    const Kyc *kyc;          /* the accounts side table, or NULL */
    const RuleHistory *hist; /* the current row's history, or NULL: history fields read 0 */
    StrView memo; /* the row's memo folded (rule_text_fold), borrowed; empty when it has none */
    /* when set, aggregates are computed on first use: agg_fn(agg_ctx, i) */
    double (*agg_fn)(void *agg_ctx, guint i);
    void *agg_ctx;
    /* the exact values of money aggregates, in minor units of txn's
     * currency, beside aggs (filled by agg_fn when it computes one):
     * MONEY_INEXACT where there is none; NULL: none at all */
    const gint64 *exact;
} RuleEval;

/* A value as a whole number, clamped to +-2^62 (NaN gives 0), so that no
 * conversion from a rule's double is ever undefined. */
static inline gint64 rule_to_int(double v)
{
    if (v != v)
        return 0;
    if (v > 4611686018427387904.0)
        return G_GINT64_CONSTANT(4611686018427387904);
    if (v < -4611686018427387904.0)
        return -G_GINT64_CONSTANT(4611686018427387904);
    return (gint64)v;
}

/* a op b for the comparison opcodes (OP_EQ ... OP_GE), as 1 or 0. */
double rule_vm_compare(RuleOp op, double a, double b);
/* The same for an exact amount (minor units with exp decimals) against a
 * rule's number, compared exactly (money_cmp). */
double rule_vm_compare_money(RuleOp op, gint64 minor, int exp, double k);
/* Runs a program; an empty program gives 1 (true). Allocates nothing. */
double rule_vm_run(const RuleProgram *p, const RuleEval *ev);
/* The value of a field of a transaction seen from account. */
double rule_vm_field(FieldId f, const TxnCore *t, guint32 account, const Kyc *kyc);
/* The bit of a value of a list's kind (a country is one of 26*26); -1 when
 * the value lies outside the kind's space. */
gint64 rule_list_key(ValueType kind, double v);
typedef struct Intern Intern;
/* Interns the accounts the set's account lists name into accounts, which
 * must be empty (a scan's or an example's table, before any row), so that
 * they get the ids the lists were compiled with. */
void rule_set_intern_accounts(const RuleSet *rs, Intern *accounts);
/* TRUE if a value of the list's kind is a member. */
gboolean rule_list_contains(const RuleList *l, double v);
/* Writes one line per step of p, e.g. "  3  FIELD amount". */
void rule_vm_disassemble(const RuleProgram *p, const RuleSet *rs, const Rule *r, GString *out);

#endif
