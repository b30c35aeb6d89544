/* gen.h: shared types of mtgen, the synthetic bank with planted trafficking
 * patterns and ground truth.
 *
 * The generator works in three steps: build the population (persons and
 * businesses with KYC), plan the planted typology instances (their rows are
 * few and are made up front, in memory), then stream day by day: every
 * account's ordinary rows of the day plus the planted rows of that day go
 * into one day buffer, which is sorted by second and written to every
 * requested layout. Nothing grows with the number of days.
 *
 * Invariants: all randomness comes from GenRng streams seeded from --seed,
 * consumed in a fixed order, so the same seed and options give the same
 * bytes; every row of day D has its local (UTC+01:00) date equal to D. */
#ifndef MT_GEN_H
#define MT_GEN_H

#include <glib.h>
#include <stdio.h>
#include <string.h>

#define GEN_VERSION   "1.4"
#define GEN_TZ_OFFSET 3600 /* the bank's local time is UTC+01:00 all year */
#define GEN_TZ_STR    "+01:00"
#define GEN_DAY       86400
#define GEN_HOME_CC   "DE"

/* ---- random numbers (gen_util.c) ---- */
typedef struct {
    guint64 s[4];
} GenRng;

void gen_rng_seed(GenRng *r, guint64 seed, guint64 stream);
guint64 gen_rng_next(GenRng *r);
/* Uniform integer in [0, n); n > 0. */
guint32 gen_rng_below(GenRng *r, guint32 n);
/* Uniform integer in [lo, hi]. */
gint64 gen_rng_range(GenRng *r, gint64 lo, gint64 hi);
/* Uniform double in [0, 1). */
double gen_rng_unit(GenRng *r);
gboolean gen_rng_chance(GenRng *r, double p);
double gen_rng_normal(GenRng *r);
/* Log-normal amount in cents with the given median (euros) and sigma. */
gint64 gen_rng_lognormal_cents(GenRng *r, double median, double sigma);
/* Index drawn from cumulative weights cum[0..n) (cum[n-1] is the total). */
guint gen_rng_pick_cum(GenRng *r, const guint32 *cum, guint n);

/* ---- calendar (gen_util.c) ---- */
/* Days since 1970-01-01 of a civil date, and back. */
gint64 gen_days_from_civil(int y, int m, int d);
void gen_civil_from_days(gint64 z, int *y, int *m, int *d);
/* Parses YYYY-MM-DD into days since the epoch; FALSE when malformed. */
gboolean gen_parse_date(const char *s, gint64 *days);
/* 0 = Monday .. 6 = Sunday. */
int gen_weekday(gint64 days);
/* UTC instant of local time secs (0..86399) on local day days. */
static inline gint64 gen_local_to_utc(gint64 days, gint64 secs)
{
    return days * GEN_DAY + secs - GEN_TZ_OFFSET;
}
/* Local seconds of the day of a UTC instant. */
static inline int gen_local_secs(gint64 t)
{
    gint64 l = t + GEN_TZ_OFFSET;
    return (int)(((l % GEN_DAY) + GEN_DAY) % GEN_DAY);
}

/* ---- output buffer primitives (gen_util.c) ---- */
typedef struct {
    char *p;
    size_t len, cap;
} GenBuf;

void gen_buf_init(GenBuf *b, size_t cap);
void gen_buf_clear(GenBuf *b);
/* Grows the buffer so that `more` bytes fit (the slow path of the appenders). */
void gen_buf_grow(GenBuf *b, size_t more);
static inline void gen_buf_reserve(GenBuf *b, size_t more)
{
    if (G_UNLIKELY(b->len + more > b->cap))
        gen_buf_grow(b, more);
}
static inline void gen_buf_mem(GenBuf *b, const char *s, size_t n)
{
    gen_buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}
static inline void gen_buf_str(GenBuf *b, const char *s)
{
    gen_buf_mem(b, s, strlen(s));
}
static inline void gen_buf_char(GenBuf *b, char c)
{
    gen_buf_reserve(b, 1);
    b->p[b->len++] = c;
}
/* Decimal with at least width digits (zero padded). */
void gen_buf_uint(GenBuf *b, guint64 v, int width);
/* cents as "1234.56" */
void gen_buf_cents(GenBuf *b, gint64 cents);
/* A CSV field, quoted per RFC 4180 when it holds a comma, quote or newline. */
void gen_buf_csv(GenBuf *b, const char *s);

/* ---- static world tables (gen_world.c) ---- */
typedef struct {
    const char *name, *region;
    guint32 weight; /* population share, per mille */
} GenCity;

typedef struct {
    const char *code;    /* ISO 3166 alpha-2 */
    const char *capital; /* a city for foreign merchants */
} GenCountry;

enum {
    CH_CASH_DEPOSIT,
    CH_CASH_WITHDRAWAL,
    CH_ATM_DEPOSIT,
    CH_ATM_WITHDRAWAL,
    CH_WIRE_DOMESTIC,
    CH_WIRE_INTERNATIONAL,
    CH_TRANSFER,
    CH_ACH_PAYROLL,
    CH_CARD,
    CH_REMITTANCE,
    CH_PREPAID_LOAD,
    CH_CRYPTO,
    CH_CHEQUE,
    CH_OTHER,
    CH_N
};
extern const char *const gen_channel_names[CH_N];

/* Person personas and business types share one numbering: persons first. */
enum {
    P_STUDENT,
    P_EMPLOYEE,
    P_RETIREE,
    P_MIGRANT,
    P_TRAVELLER,
    P_MINOR,
    P_N,
    B_RESTAURANT = P_N,
    B_FASTFOOD,
    B_BAR,
    B_HAIR,
    B_NAILS,
    B_MASSAGE,
    B_SPA,
    B_CONSTRUCTION,
    B_CLEANING,
    B_HOTEL,
    B_GROCERY,
    B_APPAREL,
    B_DRUGSTORE,
    B_FUEL,
    B_AGENCY,
    B_REALESTATE,
    B_UTILITY,
    B_TELECOM,
    B_ONLINE,
    B_ADVERT,
    B_DIRECTMKT,
    B_DATING,
    B_TAXI,
    B_AIRLINE,
    B_RAIL,
    B_WHOLESALE,
    B_OFFICE,
    B_HOSPITAL,
    B_DOCTOR,
    B_PENSION,
    B_CARDEALER,
    B_JEWELLER,
    B_CRYPTO,
    T_N
};
#define GEN_IS_BUSINESS(t) ((t) >= P_N)

typedef struct {
    const char *label;    /* occupation (persons) or business kind */
    guint16 mcc;          /* business MCC, 0 for persons */
    const char *hours;    /* declared opening hours */
    guint32 weight;       /* share among persons / among businesses */
    double income_median; /* declared monthly income / turnover, EUR */
    double income_sigma;
    double employees_median;
    double cash_share;      /* share of turnover deposited as cash */
    const char *name_fmt;   /* business name, %s = a surname or place word */
    const char *foreign_cc; /* non-NULL: merchants of this type sit abroad */
} GenType;

extern const GenType gen_types[T_N];
extern const GenCity gen_cities[];
extern const guint gen_n_cities;
extern const GenCountry gen_countries[];
extern const guint gen_n_countries;
extern const char *const gen_first_names[];
extern const guint gen_n_first_names;
extern const char *const gen_last_names[];
extern const guint gen_n_last_names;
extern const char *const gen_streets[];
extern const guint gen_n_streets;
extern const char *const gen_memos[];
extern const guint gen_n_memos;
/* Index of a country code in gen_countries, or -1. */
int gen_country_index(const char *code);
/* Occupation of an employee of an employer of business type t. */
const char *gen_occupation_for(int t, guint32 pick);

/* Memo indices into gen_memos used by name. */
enum {
    MEMO_T_NONE,
    MEMO_T_THANKS,
    MEMO_T_DINNER,
    MEMO_T_BIRTHDAY,
    MEMO_T_RENT_SHARE,
    MEMO_T_HOUSEHOLD,
    MEMO_T_ALLOWANCE,
    MEMO_T_FAMILY,
    MEMO_T_SCHOOL,
    MEMO_T_GIFT,
    MEMO_T_LOAN,
    MEMO_T_INVOICE,
    MEMO_T_SUPPLIES,
    MEMO_T_UTILITIES,
    MEMO_T_DEPOSIT,
    MEMO_T_TAKINGS,
    MEMO_T_QUOTED,
    MEMO_T_COMMA,
    MEMO_T_SERVICES,
    MEMO_T_CONSULTING,
    MEMO_T_TRANSPORT,
    MEMO_T_PENSION,
    MEMO_T_PETTY,
    MEMO_T_TICKETS,
    MEMO_T_N
};

/* ---- accounts (gen_population.c) ---- */
/* An account reference packed in 32 bits: 0 = none; bit 31 clear = index+1
 * of a population account; bit 31 set = a foreign beneficiary with the
 * country index in bits 24..30 and its number in bits 0..23. */
typedef guint32 GenRef;
#define GEN_REF_FOREIGN  0x80000000u
#define GEN_REF(i)       ((GenRef)(i) + 1)
#define GEN_REF_IDX(r)   ((r)-1)
#define GEN_REF_X(cc, n) (GEN_REF_FOREIGN | ((guint32)(cc) << 24) | ((guint32)(n)&0xFFFFFF))
#define GEN_REF_IS_X(r)  (((r)&GEN_REF_FOREIGN) != 0)
#define GEN_REF_X_CC(r)  (((r) >> 24) & 0x7F)
#define GEN_REF_X_NUM(r) ((r)&0xFFFFFF)

enum {
    ACC_QUIET = 1,       /* planted participant: ordinary activity reduced */
    ACC_NO_PAYROLL = 2,  /* salary comes from a planted scenario */
    ACC_USED = 4,        /* already a participant of some instance */
    ACC_HEAD = 8,        /* household head (pays the rent) */
    ACC_SUBSCRIBER = 16, /* monthly online subscription (MCC 4816) */
    ACC_NIGHT = 32,      /* works nights (bars): late ATM deposits now and then */
};

typedef struct {
    guint8 type;      /* P_* or B_* */
    guint8 city;      /* index into gen_cities */
    guint8 flags;     /* ACC_* */
    guint8 origin;    /* country index of origin (migrants), home otherwise */
    guint8 act;       /* activity level, index into the rate table */
    guint8 payday;    /* day of month the payroll runs (persons: their employer's) */
    guint8 trip_city; /* travellers: city of the current trip */
    guint8 trip_left; /* travellers: nights left on the trip */
    guint16 first;    /* first-name index, or business name word */
    guint16 last;     /* surname index */
    /* street index, house number, flat (0 none: businesses, a house of lodgers) */
    guint16 street, house, flat;
    gint16 open_day;   /* first active day relative to --start (negative: before) */
    gint16 wake_day;   /* --blind: no ordinary activity before this day (0: none) */
    guint16 birth;     /* birth date, days since 1900-01-01 (0 for businesses) */
    GenRef employer;   /* persons: payer of salary/pension/allowance; 0 none */
    guint32 household; /* index of the household head (self when head) */
    guint32 income;    /* declared monthly income / turnover, whole EUR */
    guint32 rent;      /* monthly rent, whole EUR (heads and businesses) */
    guint32 aux;       /* students: position among students; businesses: employees */
    guint32 phone;     /* subscriber number */
} GenAccount;

typedef struct {
    GenAccount *acc;
    guint32 n;
    guint32 *by_type[T_N]; /* indices of accounts of each type */
    guint32 n_type[T_N];
    /* merchants of a type in a city: city_type[t * n_cities + c] */
    guint32 **city_type;
    guint32 *n_city_type;
    guint32 emp_cum_n; /* employers weighted by employees */
    guint32 *emp_idx, *emp_cum;
    guint32 city_cum[64];
    guint64 *biz;  /* bitmap: account i is a business (dense, cache-friendly) */
    guint16 *word; /* businesses' name word (acc[i].first), dense copy */
} GenPop;

static inline gboolean gen_pop_is_biz(const GenPop *pop, guint32 i)
{
    return (pop->biz[i >> 6] >> (i & 63)) & 1;
}

void gen_pop_build(GenPop *pop, guint32 n_accounts, gint64 start_day, GenRng *r);
void gen_pop_clear(GenPop *pop);
/* A random account of type t, preferring city c (any city when none there);
 * returns FALSE when no account of the type exists. */
gboolean gen_pop_pick(const GenPop *pop, int t, int c, GenRng *r, guint32 *out);
/* The same, also giving the merchant's city without reading its record when
 * it was found in city c. */
gboolean gen_pop_pick_in(const GenPop *pop, int t, int c, GenRng *r, guint32 *out, int *city);
/* A random person of type t that is not yet a participant, or any person. */
guint32 gen_pop_pick_free(GenPop *pop, int t, GenRng *r);
/* Appends the printable id of a reference ("A0001234", "M000123", "X-PH-000123"). */
void gen_pop_id(const GenPop *pop, GenRef ref, GenBuf *b);
/* Appends the display name of an account. */
void gen_pop_name(const GenPop *pop, guint32 i, GenBuf *b);
/* Appends the name of a business of type t named after surname index word. */
void gen_pop_business_name(int t, guint word, GenBuf *b);
/* Writes accounts.csv. */
gboolean gen_pop_write(const GenPop *pop, const char *path, gint64 start_day, GError **error);

/* ---- rows ---- */
enum {
    MK_NONE,
    MK_TEXT,       /* arg = gen_memos index */
    MK_MERCHANT,   /* the to-account's name */
    MK_SALARY,     /* "SALARY YYYY-MM <payer name>", arg = month stamp */
    MK_SALARY_FOR, /* "SALARY <employee name>", arg = employee index */
    MK_RENT,       /* "RENT YYYY-MM", arg = month stamp */
    MK_INVOICE,    /* "INVOICE n", arg = n */
};

typedef struct {
    gint64 t;     /* UTC seconds */
    gint64 cents; /* > 0 */
    GenRef from, to;
    guint32 inst, inst2; /* planted instance ids (1..), 0 = none */
    guint32 memo_arg;
    guint16 mcc;
    guint8 channel;
    guint8 city; /* location, index into gen_cities or 200+ foreign country index */
    guint8 memo_kind;
    guint8 cc; /* counterparty country index + 1, 0 = none */
} GenRow;

/* Card memo: the merchant's name, packed at generation time (type << 16 |
 * name word) so that writing it touches no account record. */
static inline void gen_memo_merchant(const GenPop *pop, GenRow *w)
{
    const GenAccount *m = &pop->acc[GEN_REF_IDX(w->to)];
    w->memo_kind = MK_MERCHANT;
    w->memo_arg = ((guint32)m->type << 16) | m->first;
}

#define GEN_CITY_FOREIGN 200 /* city >= this: capital of country city-200 */

/* ---- options and run state (gen.c) ---- */
enum {
    SC_ML01,
    SC_ML02,
    SC_ML03,
    SC_ML04,
    SC_ML05,
    SC_ML06,
    SC_ML07,
    SC_FRONT,
    SC_ML15,
    SC_SEXADS,
    SC_SEX08,
    SC_LAB,
    SC_LAB07,
    SC_CHD,
    SC_ML06SG, /* appended so that earlier scenarios keep their random draws */
    SC_ML04GS,
    SC_TYSEX,
    SC_TYLAB,
    SC_TYCHD,
    SC_TYNET,
    SC_N
};

#define GEN_FX_MAX 8

typedef struct {
    guint64 seed;
    guint32 accounts, days;
    gint64 start_day;
    gboolean subtle;
    int counts[SC_N];
    const char *out_dir;
    gboolean gzip;
    int gzip_level;
    gboolean canonical, amlworld, amlsim;
    gboolean camt053, mt940; /* bank statements of the bank's own accounts (gen_stmt.c) */
    gboolean quiet;
    gboolean blind;         /* --blind: gen_blind.c plants instead of the scenarios */
    int blind_counts[16];   /* --blind: instances per blind typology */
    int fx_cur[GEN_FX_MAX]; /* --currencies (gen_fx.c): foreign currencies, 0 = none */
    int fx_n;
    guint32 fx_share_ppm; /* rows in a foreign currency, per million */
} GenOptions;

/* ---- a multi-currency bank (gen_fx.c) ---- */
/* Reads --currencies and --currency-share (NULL: not given) into o. */
gboolean gen_fx_parse(GenOptions *o, const char *list, const char *share, GError **error);
/* Appends row id's amount and currency ("5400.00,USD" or "5000.00,EUR"):
 * the euro amount in cents, converted at the rate of UTC time t when the
 * row is one of the foreign ones. */
void gen_fx_amount(const GenOptions *o, guint64 id, gint64 t, gint64 cents, GenBuf *b);
/* Writes rates.csv in the ECB layout when --currencies was given. */
gboolean gen_fx_write(const GenOptions *o, GError **error);
/* The gen.meta lines of --currencies (none without). */
void gen_fx_meta(const GenOptions *o, GString *s);

/* ---- planted typologies (gen_plant.c, gen_typology_*.c) ---- */
enum {
    R_CONTROLLER,
    R_VICTIM,
    R_MULE,
    R_FRONT,
    R_RECRUITER,
    R_SENDER,
    R_BENEFICIARY,
    R_MEMBER,
    R_N
};

typedef struct {
    guint32 id;
    const char *typology; /* "HT-ML-01", ... */
    int scenario;
    gint64 first, last; /* UTC span of its rows */
    guint32 n_rows;
} GenInstance;

typedef struct {
    guint32 inst;
    GenRef ref;
    guint8 role;
} GenRole;

typedef struct {
    const GenOptions *opt;
    GenPop *pop;
    GenRng r;
    GArray *rows;      /* GenRow, all planted rows */
    GArray *instances; /* GenInstance, id = index + 1 */
    GArray *roles;     /* GenRole */
    guint32 next_x;    /* next number for planted foreign beneficiaries */
} GenPlan;

extern const char *const gen_role_names[R_N];
extern const char *const gen_scenario_keys[SC_N];

void gen_plan_init(GenPlan *p, const GenOptions *opt, GenPop *pop);
void gen_plan_clear(GenPlan *p);
/* Plans every scenario instance; afterwards p->rows is sorted by time. */
void gen_plan_all(GenPlan *p);
/* Sorts the planted rows by time, then by instance id (a stable order). */
void gen_plan_sort(GenPlan *p);
/* New instance of a typology; returns its id. */
guint32 gen_plan_instance(GenPlan *p, const char *typology, int scenario);
void gen_plan_role(GenPlan *p, guint32 inst, GenRef ref, int role);
/* Appends a planted row; t must lie within the simulated period. */
GenRow *gen_plan_row(GenPlan *p, guint32 inst, gint64 t, GenRef from, GenRef to, gint64 cents,
                     int channel, int city);
/* First and last simulated day (local), as days since the epoch. */
gint64 gen_plan_day0(const GenPlan *p);
/* A start day so that span days fit in the period. */
gint64 gen_plan_start(GenPlan *p, int span);
/* A UTC instant on local day `day` at a random time between hours h0 and h1. */
gint64 gen_plan_at(GenPlan *p, gint64 day, int h0, int h1);
/* A fresh foreign beneficiary in country code cc. */
GenRef gen_plan_foreign(GenPlan *p, const char *cc);
/* A participant person not used before; marks it used (and quiet when textbook). */
guint32 gen_plan_person(GenPlan *p, int type);
/* Another city than c, of another region when other_region. */
int gen_plan_other_city(GenPlan *p, int c, gboolean other_region);
/* A random adult person (a client or payer), participant or not. */
guint32 gen_plan_client(GenPlan *p);
/* A UTC instant between 22:00 on local day `day` and 05:00 the next morning. */
gint64 gen_plan_night(GenPlan *p, gint64 day);
/* A random amount in [lo, hi] euros, rounded to `unit` cents (1 = any cents). */
gint64 gen_plan_cents(GenPlan *p, double lo, double hi, gint64 unit);
/* A random country code from a NULL-terminated list. */
const char *gen_plan_country(GenPlan *p, const char *const *list);
extern const char *const gen_source_countries[]; /* trafficking source/transit list */
extern const char *const gen_chd_countries[];    /* HT-CHD-02 destinations (FT20) */
/* Writes the label files; a NULL path skips that file. */
gboolean gen_plan_write(GenPlan *p, const char *inst_path, const char *patterns_path,
                        const char *sim_alerts_path, GError **error);

void gen_typology_ml(GenPlan *p, int scenario);
void gen_typology_ht(GenPlan *p, int scenario);
/* Whole cases TY-SEX, TY-LAB, TY-CHD, TY-NET (gen_typology_case.c). */
void gen_typology_case(GenPlan *p, int scenario);

/* Scenario parts, shared by the single-indicator scenarios and the cases.
 * Each plants rows of instance inst on the accounts given (indices into the
 * population), starting on local day d0, under the run's intensity; roles
 * are the caller's, except the foreign beneficiaries of gen_ml_fan_out. */
/* HT-SEX-01: 4-6 ads (3 subtle) over 10 days (13 subtle). */
void gen_ht_ads(GenPlan *p, guint32 inst, guint32 c, gint64 d0);
/* HT-SEX-02: 5-7 hotel nights (4 subtle) in the cities given. */
void gen_ht_lodging(GenPlan *p, guint32 inst, guint32 c, gint64 d0, const int *cities, int nc);
/* HT-SEX-04: 5-8 ATM deposits late at night (4 subtle) in the cities given. */
void gen_ht_night_deposits(GenPlan *p, guint32 inst, guint32 c, gint64 d0, const int *cities,
                           int nc);
/* The home city of c and two of other regions into cities[3]; returns how
 * many a controller travels to (3 textbook, 2 subtle). */
int gen_ht_travel_cities(GenPlan *p, guint32 c, int *cities);
/* HT-SEX-08: four weeks of client takings of victim v swept to c. */
void gen_ht_sweep(GenPlan *p, guint32 inst, guint32 v, guint32 c, gint64 d0);
/* Textbook: v's account opened a few days before d0. */
void gen_ht_opened_recently(GenPlan *p, guint32 v, gint64 d0);
/* A construction, cleaning, staffing or hotel business not used before. */
guint32 gen_ht_labour_employer(GenPlan *p);
/* A migrant worker of employer e, paid only by the scenario. */
guint32 gen_ht_labour_victim(GenPlan *p, guint32 e, gint64 d0);
/* Worker v lives at one address of e's city with the others; the first
 * call sets *phone, the next *share_phone calls give v that phone too. */
void gen_ht_lodge(GenPlan *p, guint32 v, guint32 e, guint16 street, guint16 house, guint32 *phone,
                  int *share_phone);
/* Biweekly pay runs of e from d0: the wages of w1 into c's account
 * (HT-LAB-01, instance i1), those of w2 into their own accounts, then to c
 * or withdrawn within hours (HT-LAB-02, instance i2). */
void gen_ht_payroll(GenPlan *p, guint32 e, guint32 c, gint64 d0, guint32 i1, const guint32 *w1,
                    int n1, guint32 i2, const guint32 *w2, int n2);
/* HT-CHD-02: low-value remittances of v to x in country cc over 26 days;
 * fan_in (0 = none) is the second instance of the rows. */
void gen_ht_child_remittances(GenPlan *p, guint32 inst, guint32 fan_in, guint32 v, GenRef x,
                              const char *cc, gint64 d0);
/* HT-ML-01: structured cash deposits of m, 90% passed to `to` (0: abroad). */
void gen_ml_structuring(GenPlan *p, guint32 inst, guint32 m, gint64 d0, GenRef to);
/* HT-ML-02: cash paid in by m in other regions, passed to `to` (0: taken
 * out at home, or abroad when subtle). */
void gen_ml_funnel(GenPlan *p, guint32 inst, guint32 m, gint64 d0, GenRef to);
/* A payment of `from` to a new beneficiary in a source country at t. */
void gen_ml_wire_abroad(GenPlan *p, guint32 inst, gint64 t, guint32 from, gint64 cents,
                        int channel);
/* HT-ML-05: c pays 6-9 (5 subtle) beneficiaries in source countries. */
void gen_ml_fan_out(GenPlan *p, guint32 inst, guint32 c, gint64 d0);

/* ---- ordinary behaviour (gen_ordinary.c) ---- */
typedef struct {
    gint64 day;               /* days since the epoch (local date) */
    int y, m, d, wday, mdays; /* calendar of the day */
    gboolean payday[32];      /* payday[k]: accounts paying on day k pay today */
    guint32 month_stamp;      /* y * 100 + m */
} GenDay;

void gen_day_init(GenDay *day, gint64 days);
/* Appends every ordinary row of the day to rows. */
void gen_ordinary_day(GenPop *pop, const GenDay *day, gint64 rel_day, GenRng *r, GArray *rows);

/* Hour-of-day profiles for ordinary events (gen_ordinary.c). */
enum {
    HP_SHOP,
    HP_MEAL,
    HP_NIGHT,
    HP_ATM,
    HP_P2P,
    HP_BRANCH,
    HP_EARLY,
    HP_OFFICE,
    HP_HOTEL,
    HP_CLOSING,
    HP_LATE,
    HP_N
};
/* Appends a row to rows and returns it for the caller to finish. */
GenRow *gen_emit(GArray *rows, gint64 t, GenRef from, GenRef to, gint64 cents, int channel,
                 int city);
/* A UTC instant on the local day at an hour drawn from the profile. */
gint64 gen_time_at(const GenDay *day, int profile, GenRng *r);
/* A stable pseudo-random number for an account and a purpose. */
guint32 gen_hash(guint32 i, guint32 salt);
/* Businesses' ordinary day (gen_business.c). */
void gen_business_day(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows);

/* ---- writers (gen_out.c) ---- */
typedef struct GenOut GenOut;

GenOut *gen_out_open(const GenOptions *opt, const GenPop *pop, GError **error);
/* Writes one day's rows (already sorted) to every layout. */
gboolean gen_out_rows(GenOut *o, const GenRow *rows, guint n, GError **error);
/* Flushes and closes every file; frees o. */
gboolean gen_out_close(GenOut *o, GError **error);
guint64 gen_out_count(const GenOut *o);
guint64 gen_out_bytes(const GenOut *o);
/* Formats one row in the AMLworld layout (no newline). */
void gen_out_amlworld_row(const GenPop *pop, const GenRow *row, GenBuf *b);
/* Formats an account as an AMLSim integer id (gen_out.c). */
void gen_out_amlsim_account(GenRef ref, GenBuf *b);
/* Formats a row's memo as the canonical CSV field (quoted when it must be). */
void gen_out_memo(const GenPop *pop, const GenRow *w, GenBuf *b);

/* ---- bank statements (gen_stmt.c) ---- */
typedef struct GenStmt GenStmt;
/* Opens statements.camt053.xml and/or statements.mt940 (+ .gz) as the
 * options ask; NULL with error set on failure. Caller closes with gen_stmt_close. */
GenStmt *gen_stmt_open(const GenOptions *opt, const GenPop *pop, GError **error);
/* Books row w (transaction id T<id>) in the statements of the bank's own
 * accounts on either side; FALSE once a write failed. */
gboolean gen_stmt_row(GenStmt *s, const GenRow *w, guint64 id);
/* Finishes the open statements and the files, frees s (NULL is fine). */
gboolean gen_stmt_close(GenStmt *s, GError **error);

#endif
