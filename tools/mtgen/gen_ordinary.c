/* gen_ordinary.c: one day of ordinary life for every person of the bank:
 * salaries, pensions and allowances, rent and bills, card spending by MCC
 * at plausible hours and places, ATM withdrawals, P2P transfers among
 * friends and family (with bill splitting), remittances home, and business
 * trips with hotel nights. Businesses live in gen_business.c.
 *
 * Also the benign look-alikes of the planted patterns: travellers with 2-3
 * hotel nights a week, students with many small P2P credits, families
 * pooling money into one account, migrants remitting monthly, bar staff
 * depositing tips at night now and then.
 *
 * Cost: one Poisson draw per account and day plus a few integer tests for
 * the scheduled items, so a year of a million accounts stays cheap. */
#include "gen.h"

#include <math.h>
#include <string.h>

/* hour weights, 0..23 local time */
static const guint8 hour_w[HP_N][24] = {
    [HP_SHOP] = {0, 0, 0, 0, 0, 0, 0, 2, 5, 8, 9, 10, 10, 9, 9, 9, 10, 11, 12, 9, 4, 1, 0, 0},
    [HP_MEAL] = {0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 3, 6, 12, 10, 4, 2, 3, 5, 10, 12, 9, 5, 2, 1},
    [HP_NIGHT] = {4, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 9, 7},
    [HP_ATM] = {1, 0, 0, 0, 0, 1, 2, 4, 6, 7, 8, 9, 9, 8, 8, 8, 9, 9, 8, 6, 4, 3, 2, 1},
    [HP_P2P] = {0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 5, 6, 5, 5, 5, 6, 7, 8, 9, 9, 7, 4, 1},
    [HP_BRANCH] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 8, 9, 8, 6, 7, 8, 8, 4, 0, 0, 0, 0, 0, 0},
    [HP_EARLY] = {0, 0, 0, 0, 1, 3, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
    [HP_OFFICE] = {0, 0, 0, 0, 0, 0, 0, 0, 5, 9, 10, 10, 7, 8, 10, 9, 7, 3, 0, 0, 0, 0, 0, 0},
    [HP_HOTEL] = {0, 0, 0, 0, 0, 0, 0, 2, 4, 5, 5, 3, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0, 0},
    [HP_CLOSING] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 5, 6, 5, 3, 1, 0},
    [HP_LATE] = {6, 5, 3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 5},
};
static guint32 hour_cum[HP_N][24];

/* What a person does unprompted. */
enum {
    EV_GROCERY,
    EV_REST,
    EV_FAST,
    EV_DRUG,
    EV_APPAREL,
    EV_FUEL,
    EV_BAR,
    EV_HAIR,
    EV_TAXI,
    EV_RAIL,
    EV_DOCTOR,
    EV_MASSAGE,
    EV_JEWEL,
    EV_AIR,
    EV_ATM,
    EV_P2P,
    EV_CASHDEP,
    EV_PREPAID,
    EV_CRYPTO,
    EV_CHEQUE,
    EV_N
};

typedef struct {
    int type; /* merchant type for card events, -1 otherwise */
    double median, sigma;
    int profile;
    gboolean sunday; /* open on Sundays */
} EventKind;

static const EventKind events[EV_N] = {
    [EV_GROCERY] = {B_GROCERY, 32, 0.75, HP_SHOP, FALSE},
    [EV_REST] = {B_RESTAURANT, 38, 0.6, HP_MEAL, TRUE},
    [EV_FAST] = {B_FASTFOOD, 10, 0.5, HP_MEAL, TRUE},
    [EV_DRUG] = {B_DRUGSTORE, 14, 0.6, HP_SHOP, FALSE},
    [EV_APPAREL] = {B_APPAREL, 55, 0.7, HP_SHOP, FALSE},
    [EV_FUEL] = {B_FUEL, 58, 0.35, HP_ATM, TRUE},
    [EV_BAR] = {B_BAR, 24, 0.6, HP_NIGHT, TRUE},
    [EV_HAIR] = {B_HAIR, 38, 0.4, HP_SHOP, FALSE},
    [EV_TAXI] = {B_TAXI, 19, 0.5, HP_ATM, TRUE},
    [EV_RAIL] = {B_RAIL, 39, 0.7, HP_P2P, TRUE},
    [EV_DOCTOR] = {B_DOCTOR, 45, 0.6, HP_OFFICE, FALSE},
    [EV_MASSAGE] = {B_MASSAGE, 55, 0.3, HP_SHOP, FALSE},
    [EV_JEWEL] = {B_JEWELLER, 180, 0.9, HP_SHOP, FALSE},
    [EV_AIR] = {B_AIRLINE, 190, 0.6, HP_P2P, TRUE},
    [EV_ATM] = {-1, 0, 0, HP_ATM, TRUE},
    [EV_P2P] = {-1, 0, 0, HP_P2P, TRUE},
    [EV_CASHDEP] = {-1, 400, 1.0, HP_BRANCH, FALSE},
    [EV_PREPAID] = {-1, 50, 0.6, HP_P2P, TRUE},
    [EV_CRYPTO] = {-1, 150, 0.9, HP_P2P, TRUE},
    [EV_CHEQUE] = {-1, 120, 0.8, HP_BRANCH, FALSE},
};

/* Event mix per persona, in per mille. */
static const guint16 mix[P_N][EV_N] = {
    /*            gro rest fast drug app fuel bar hair taxi rail doc mas jew air atm p2p cdep pre
       cry chq */
    [P_STUDENT] = {250, 60, 170, 50, 40, 10, 90, 15, 20, 40, 5, 2, 1, 3, 90, 140, 2, 6, 6, 0},
    [P_EMPLOYEE] = {330, 70, 90, 70, 50, 70, 30, 20, 15, 15, 10, 4, 3, 3, 110, 100, 4, 3, 3, 1},
    [P_RETIREE] = {420, 60, 30, 90, 40, 40, 10, 25, 20, 15, 40, 2, 3, 2, 140, 50, 5, 0, 0, 8},
    [P_MIGRANT] = {380, 30, 110, 60, 30, 40, 20, 15, 10, 10, 8, 2, 2, 3, 190, 80, 6, 4, 0, 0},
    [P_TRAVELLER] = {230, 140, 100, 50, 50, 90, 40, 15, 60, 40, 5, 3, 4, 20, 80, 60, 2, 2, 4, 0},
    [P_MINOR] = {150, 20, 380, 90, 120, 0, 0, 20, 10, 40, 0, 0, 0, 0, 120, 50, 0, 0, 0, 0},
};
static guint32 mix_cum[P_N][EV_N];

static double lam[4][2][32];     /* events per day by day type, quiet flag, activity level */
static double neg_exp[4][2][32]; /* e^-lambda of the same */
static gsize tables_ready;

static void init_tables(void)
{
    for (int p = 0; p < HP_N; p++) {
        guint32 s = 0;
        for (int h = 0; h < 24; h++)
            hour_cum[p][h] = (s += hour_w[p][h]);
    }
    for (int p = 0; p < P_N; p++) {
        guint32 s = 0;
        for (int e = 0; e < EV_N; e++)
            mix_cum[p][e] = (s += mix[p][e]);
    }
    static const double dayf[4] = {1.0, 1.15, 1.2, 0.55}; /* Mon-Thu, Fri, Sat, Sun */
    for (int d = 0; d < 4; d++)
        for (int q = 0; q < 2; q++)
            for (int a = 0; a < 32; a++) {
                lam[d][q][a] = 0.05 * pow(1.1, a) * dayf[d] * (q ? 0.3 : 1.0);
                neg_exp[d][q][a] = exp(-lam[d][q][a]);
            }
}

guint32 gen_hash(guint32 i, guint32 salt)
{
    guint32 x = i * 0x9E3779B1u ^ salt * 0x85EBCA77u;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    return x ^ (x >> 16);
}

GenRow *gen_emit(GArray *rows, gint64 t, GenRef from, GenRef to, gint64 cents, int channel,
                 int city)
{
    g_array_set_size(rows, rows->len + 1);
    GenRow *w = &g_array_index(rows, GenRow, rows->len - 1);
    memset(w, 0, sizeof *w);
    w->t = t;
    w->from = from;
    w->to = to;
    w->cents = cents < 1 ? 1 : cents;
    w->channel = (guint8)channel;
    w->city = (guint8)city;
    return w;
}

gint64 gen_time_at(const GenDay *day, int profile, GenRng *r)
{
    int h = (int)gen_rng_pick_cum(r, hour_cum[profile], 24);
    return gen_local_to_utc(day->day, h * 3600 + gen_rng_below(r, 3600));
}

void gen_day_init(GenDay *day, gint64 days)
{
    if (g_once_init_enter(&tables_ready)) {
        init_tables();
        g_once_init_leave(&tables_ready, 1);
    }
    memset(day, 0, sizeof *day);
    day->day = days;
    gen_civil_from_days(days, &day->y, &day->m, &day->d);
    day->wday = gen_weekday(days);
    int ny = day->m == 12 ? day->y + 1 : day->y, nm = day->m == 12 ? 1 : day->m + 1;
    day->mdays = (int)(gen_days_from_civil(ny, nm, 1) - gen_days_from_civil(day->y, day->m, 1));
    day->month_stamp = (guint32)(day->y * 100 + day->m);
    /* Payday k falls on the last banking day on or before day k of the month. */
    for (int k = 1; k <= 31; k++) {
        int dd = MIN(k, day->mdays);
        gint64 z = gen_days_from_civil(day->y, day->m, dd);
        while (gen_weekday(z) >= 5)
            z--;
        day->payday[k] = z == days;
    }
}

static int day_type(const GenDay *day)
{
    return day->wday <= 3 ? 0 : day->wday == 4 ? 1 : day->wday == 5 ? 2 : 3;
}

/* A friend to pay or be paid by: students among students, others nearby. */
static gboolean pick_friend(const GenPop *pop, guint32 i, GenRng *r, guint32 *out)
{
    const GenAccount *a = &pop->acc[i];
    if (a->type == P_STUDENT && pop->n_type[P_STUDENT] > 20) {
        guint32 n = pop->n_type[P_STUDENT];
        guint32 off = 1 + gen_rng_below(r, 8);
        guint32 k = gen_rng_chance(r, 0.5) ? (a->aux + off) % n : (a->aux + n - off) % n;
        *out = pop->by_type[P_STUDENT][k];
        return TRUE;
    }
    if (a->household != i && gen_rng_chance(r, 0.3)) {
        *out = a->household;
        return TRUE;
    }
    gint64 j = (gint64)i + (gen_rng_chance(r, 0.5) ? 1 : -1) * (1 + gen_rng_below(r, 3000));
    if (j < 0 || j >= pop->n || j == i || GEN_IS_BUSINESS(pop->acc[j].type))
        return FALSE;
    *out = (guint32)j;
    return TRUE;
}

static gint64 round_cents(gint64 c, gint64 unit)
{
    gint64 v = (c + unit / 2) / unit * unit;
    return v < unit ? unit : v;
}

static void p2p(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    guint32 j;
    if (!pick_friend(pop, i, r, &j))
        return;
    const GenAccount *a = &pop->acc[i];
    double med = a->type == P_STUDENT ? 15 : a->type == P_MINOR ? 10 : 40;
    gint64 c = gen_rng_lognormal_cents(r, med, 0.8);
    if (gen_rng_chance(r, 0.6))
        c = round_cents(c, c > 5000 ? 1000 : 500);
    GenRow *w = gen_emit(rows, gen_time_at(day, HP_P2P, r), GEN_REF(i), GEN_REF(j), c, CH_TRANSFER,
                         a->city);
    static const guint8 memos[] = {MEMO_T_NONE,   MEMO_T_THANKS,   MEMO_T_DINNER,  MEMO_T_NONE,
                                   MEMO_T_GIFT,   MEMO_T_BIRTHDAY, MEMO_T_TICKETS, MEMO_T_NONE,
                                   MEMO_T_QUOTED, MEMO_T_COMMA};
    w->memo_kind = MK_TEXT;
    w->memo_arg = memos[gen_rng_below(r, G_N_ELEMENTS(memos))];
}

/* Friends paying back their share of a meal or a round, a few hours later. */
static void split_bill(GenPop *pop, guint32 i, const GenRow *paid, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    double p = a->type == P_STUDENT ? 0.55 : a->type == P_MINOR ? 0.2 : 0.08;
    if (!gen_rng_chance(r, p))
        return;
    gint64 t0 = paid->t, cents = paid->cents;
    int city = paid->city, k = 1 + (int)gen_rng_below(r, 4);
    gint64 day_end = (t0 + GEN_TZ_OFFSET) / GEN_DAY * GEN_DAY + GEN_DAY - GEN_TZ_OFFSET - 1;
    for (int f = 0; f < k; f++) {
        guint32 j;
        if (!pick_friend(pop, i, r, &j))
            continue;
        gint64 t = t0 + 600 + gen_rng_below(r, 5 * 3600);
        t = MIN(t, day_end);
        gint64 share = cents / (k + 1);
        if (gen_rng_chance(r, 0.5))
            share = round_cents(share, 100);
        GenRow *w = gen_emit(rows, t, GEN_REF(j), GEN_REF(i), share, CH_TRANSFER, city);
        w->memo_kind = MK_TEXT;
        w->memo_arg = gen_rng_chance(r, 0.7) ? MEMO_T_DINNER : MEMO_T_COMMA;
    }
}

static void card(GenPop *pop, guint32 i, int ev, int city, const GenDay *day, GenRng *r,
                 GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    const EventKind *k = &events[ev];
    guint32 m;
    int mcity;
    if (!gen_pop_pick_in(pop, k->type, city, r, &m, &mcity))
        return;
    double f = a->type == P_MINOR ? 0.4 : CLAMP(pow(MAX(a->income, 300) / 2500.0, 0.3), 0.6, 1.6);
    gint64 c = gen_rng_lognormal_cents(r, k->median * f, k->sigma);
    GenRow *w =
        gen_emit(rows, gen_time_at(day, k->profile, r), GEN_REF(i), GEN_REF(m), c, CH_CARD, mcity);
    w->mcc = gen_types[k->type].mcc;
    w->memo_kind = MK_MERCHANT; /* from the dense name array: no account record touched */
    w->memo_arg = ((guint32)k->type << 16) | pop->word[m];
    if (ev == EV_REST || ev == EV_BAR || ev == EV_FAST)
        split_bill(pop, i, w, r, rows);
}

static gint64 atm_amount(GenRng *r)
{
    static const guint32 cum[] = {10, 35, 60, 65, 80, 83, 91, 95, 100};
    static const int val[] = {20, 50, 100, 150, 200, 250, 300, 400, 500};
    return val[gen_rng_pick_cum(r, cum, G_N_ELEMENTS(cum))] * 100LL;
}

static void discretionary(GenPop *pop, guint32 i, int city, const GenDay *day, GenRng *r,
                          GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    int ev = (int)gen_rng_pick_cum(r, mix_cum[a->type], EV_N);
    const EventKind *k = &events[ev];
    if (day->wday == 6 && !k->sunday)
        ev = gen_rng_chance(r, 0.5) ? EV_FAST : EV_REST;
    GenRef self = GEN_REF(i);
    GenRow *w;
    guint32 m;
    switch (ev) {
    case EV_ATM:
        gen_emit(rows, gen_time_at(day, HP_ATM, r), self, 0, atm_amount(r), CH_ATM_WITHDRAWAL,
                 city);
        break;
    case EV_P2P:
        p2p(pop, i, day, r, rows);
        break;
    case EV_CASHDEP:
        w = gen_emit(rows, gen_time_at(day, HP_BRANCH, r), 0, self,
                     round_cents(gen_rng_lognormal_cents(r, k->median, k->sigma), 1000),
                     CH_CASH_DEPOSIT, city);
        break;
    case EV_PREPAID:
        gen_emit(rows, gen_time_at(day, HP_P2P, r), self, 0,
                 round_cents(gen_rng_lognormal_cents(r, k->median, k->sigma), 500), CH_PREPAID_LOAD,
                 city);
        break;
    case EV_CRYPTO:
        if (gen_pop_pick(pop, B_CRYPTO, -1, r, &m)) {
            w = gen_emit(rows, gen_time_at(day, HP_P2P, r), self, GEN_REF(m),
                         gen_rng_lognormal_cents(r, k->median, k->sigma), CH_CRYPTO,
                         pop->acc[m].city);
            w->cc = (guint8)(pop->acc[m].city - GEN_CITY_FOREIGN + 1);
        }
        break;
    case EV_CHEQUE:
        if (gen_pop_pick(pop, B_DOCTOR + (int)gen_rng_below(r, 2) * (B_GROCERY - B_DOCTOR), city, r,
                         &m))
            gen_emit(rows, gen_time_at(day, HP_BRANCH, r), self, GEN_REF(m),
                     gen_rng_lognormal_cents(r, k->median, k->sigma), CH_CHEQUE, city);
        break;
    default:
        card(pop, i, ev, city, day, r, rows);
        break;
    }
}

static GenRef landlord(const GenPop *pop, guint32 i)
{
    const GenAccount *a = &pop->acc[i];
    guint32 h = gen_hash(i, 7);
    guint k = (guint)B_REALESTATE * (gen_n_cities + 1) + a->city;
    if (h % 10 < 6 && pop->n_city_type[k])
        return GEN_REF(pop->city_type[k][(h >> 8) % pop->n_city_type[k]]);
    guint32 n = pop->n_type[P_RETIREE];
    guint32 j = n ? pop->by_type[P_RETIREE][(h >> 8) % n] : 0;
    return j == i ? GEN_REF(pop->by_type[B_REALESTATE][0]) : GEN_REF(j);
}

static GenRef stable_of(const GenPop *pop, int t, guint32 i, guint32 salt)
{
    return GEN_REF(pop->by_type[t][gen_hash(i, salt) % pop->n_type[t]]);
}

/* Salary, pension or allowance. */
static void income(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    if (!a->employer || (a->flags & ACC_NO_PAYROLL))
        return;
    const GenAccount *e;
    GenRow *w;
    if (a->type == P_STUDENT || a->type == P_MINOR) {
        if (!day->payday[1 + gen_hash(i, 3) % 5])
            return;
        e = &pop->acc[GEN_REF_IDX(a->employer)];
        gint64 c = a->type == P_MINOR ? (20 + gen_hash(i, 4) % 4 * 10) * 100LL
                                      : (gint64)(a->income * 0.7 / 10) * 1000;
        w = gen_emit(rows, gen_time_at(day, HP_P2P, r), a->employer, GEN_REF(i), c, CH_TRANSFER,
                     e->city);
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_ALLOWANCE;
        return;
    }
    if (!day->payday[a->payday]) /* the employer's payday, copied: no lookup every day */
        return;
    e = &pop->acc[GEN_REF_IDX(a->employer)];
    gint64 c = a->income * 100LL + gen_hash(i, 5) % 100;
    if (day->m == 11 && gen_hash(i, 6) % 3 == 0)
        c += c / 2; /* Christmas bonus */
    w = gen_emit(rows, gen_time_at(day, HP_EARLY, r), a->employer, GEN_REF(i), c, CH_ACH_PAYROLL,
                 e->city);
    w->memo_kind = a->type == P_RETIREE ? MK_TEXT : MK_SALARY;
    w->memo_arg = a->type == P_RETIREE ? MEMO_T_PENSION : day->month_stamp;
}

/* Rent, bills, subscriptions, household pooling and remittances. */
static void monthly(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    GenRef self = GEN_REF(i);
    guint32 h = gen_hash(i, 11);
    int d = day->d;
    GenRow *w;
    if ((a->flags & ACC_HEAD) && a->rent && d == 1 + (int)(h % 3)) {
        w = gen_emit(rows, gen_time_at(day, HP_EARLY, r), self, landlord(pop, i), a->rent * 100LL,
                     CH_WIRE_DOMESTIC, a->city);
        w->memo_kind = MK_RENT;
        w->memo_arg = day->month_stamp;
    }
    if ((a->flags & ACC_HEAD) && d == 5 + (int)(h >> 4) % 20) {
        w = gen_emit(rows, gen_time_at(day, HP_EARLY, r), self, stable_of(pop, B_UTILITY, i, 1),
                     6000 + (h >> 8) % 12000 + gen_rng_below(r, 2000), CH_WIRE_DOMESTIC, a->city);
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_UTILITIES;
    }
    if (a->type != P_MINOR && d == 10 + (int)(h >> 12) % 15) {
        GenRef tel = stable_of(pop, B_TELECOM, i, 2);
        w = gen_emit(rows, gen_time_at(day, HP_EARLY, r), self, tel, 999 + (h >> 16) % 4 * 1000,
                     CH_CARD, pop->acc[GEN_REF_IDX(tel)].city);
        w->mcc = 4814;
        gen_memo_merchant(pop, w);
    }
    if ((a->flags & ACC_SUBSCRIBER) && d == 1 + (int)(h >> 20) % 28) {
        GenRef o = stable_of(pop, B_ONLINE, i, 3);
        const GenAccount *oa = &pop->acc[GEN_REF_IDX(o)];
        static const int price[] = {999, 1299, 1799, 799};
        w = gen_emit(rows, gen_time_at(day, HP_P2P, r), self, o, price[(h >> 24) % 4], CH_CARD,
                     oa->city);
        w->mcc = 4816;
        gen_memo_merchant(pop, w);
        if (oa->city >= GEN_CITY_FOREIGN)
            w->cc = (guint8)(oa->city - GEN_CITY_FOREIGN + 1);
    }
    if (!(a->flags & ACC_HEAD) && a->type != P_MINOR && a->type != P_STUDENT &&
        d == 2 + (int)(h >> 6) % 3) {
        w = gen_emit(rows, gen_time_at(day, HP_P2P, r), self, GEN_REF(a->household),
                     (200 + (h >> 9) % 9 * 50) * 100LL, CH_TRANSFER, a->city);
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_HOUSEHOLD;
    }
}

static void remit_home(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    if (a->type != P_MIGRANT || !a->employer)
        return;
    guint32 h = gen_hash(i, 13);
    int pd = a->payday;
    int main_day = (pd + (int)(h % 3)) % 28 + 1;
    gboolean second = (h >> 8) % 100 < 15 && day->d == (main_day + 13) % 28 + 1;
    if (day->d != main_day && !second)
        return;
    gint64 c = second ? round_cents(gen_rng_lognormal_cents(r, 80, 0.4), 500)
                      : round_cents(gen_rng_lognormal_cents(r, 300, 0.5), 1000);
    if (!second && c < 10000)
        c = 10000;
    int ch = (h >> 16) % 5 == 0 ? CH_WIRE_INTERNATIONAL : CH_REMITTANCE;
    GenRow *w = gen_emit(rows, gen_time_at(day, HP_P2P, r), GEN_REF(i), GEN_REF_X(a->origin, 2 * i),
                         c, ch, a->city);
    w->cc = (guint8)(a->origin + 1);
    w->memo_kind = MK_TEXT;
    w->memo_arg = (h >> 20) % 4 == 0 ? MEMO_T_SCHOOL : MEMO_T_FAMILY;
}

/* Travellers: one trip of 1-3 nights most weeks, leaving on their usual
 * weekday, one hotel charge per night; now and then a second short trip in
 * the same week, which is what makes a benign HT-SEX-02 look-alike. */
static int travel(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    GenAccount *a = &pop->acc[i];
    if (a->type != P_TRAVELLER)
        return a->city;
    if (!a->trip_left) {
        gboolean usual = day->wday == (int)(gen_hash(i, 17) % 3);
        if (!(usual && gen_rng_chance(r, 0.6)) && !(day->wday == 4 && gen_rng_chance(r, 0.03)))
            return a->city;
        int c;
        do
            c = (int)gen_rng_below(r, gen_n_cities);
        while (c == a->city);
        a->trip_city = (guint8)c;
        a->trip_left = (guint8)(1 + gen_rng_below(r, 3));
        card(pop, i, gen_rng_chance(r, 0.7) ? EV_RAIL : EV_AIR, a->city, day, r, rows);
    }
    guint32 m;
    if (gen_pop_pick(pop, B_HOTEL, a->trip_city, r, &m)) {
        GenRow *w = gen_emit(rows, gen_time_at(day, HP_HOTEL, r), GEN_REF(i), GEN_REF(m),
                             gen_rng_lognormal_cents(r, 105, 0.35), CH_CARD, pop->acc[m].city);
        w->mcc = 7011;
        gen_memo_merchant(pop, w);
    }
    a->trip_left--;
    return a->trip_city;
}

/* Bar staff paying in their tips after a late shift, now and then. */
static void night_tips(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    if (a->type != P_EMPLOYEE || !a->employer || !gen_rng_chance(r, 0.08))
        return;
    if (!(a->flags & ACC_NIGHT))
        return;
    gen_emit(rows, gen_time_at(day, HP_LATE, r), 0, GEN_REF(i),
             round_cents(gen_rng_lognormal_cents(r, 120, 0.5), 1000), CH_ATM_DEPOSIT, a->city);
}

static void person_day(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    GenAccount *a = &pop->acc[i];
    income(pop, i, day, r, rows);
    monthly(pop, i, day, r, rows);
    remit_home(pop, i, day, r, rows);
    night_tips(pop, i, day, r, rows);
    int city = travel(pop, i, day, r, rows);
    if (city == a->city && gen_rng_chance(r, 0.03))
        city = (int)gen_rng_below(r, gen_n_cities); /* a day out */
    /* Poisson by inversion: one uniform, a handful of multiplications */
    int dt = day_type(day), q = (a->flags & ACC_QUIET) != 0;
    double p = neg_exp[dt][q][a->act], lambda = lam[dt][q][a->act];
    double u = gen_rng_unit(r), s = p;
    int n = 0;
    while (u > s && n < 12) {
        n++;
        p *= lambda / n;
        s += p;
    }
    for (int k = 0; k < n; k++)
        discretionary(pop, i, city, day, r, rows);
}

void gen_ordinary_day(GenPop *pop, const GenDay *day, gint64 rel_day, GenRng *r, GArray *rows)
{
    for (guint32 i = 0; i < pop->n; i++) {
        const GenAccount *a = &pop->acc[i];
        if (a->open_day > rel_day || a->wake_day > rel_day)
            continue;
        if (GEN_IS_BUSINESS(a->type))
            gen_business_day(pop, i, day, r, rows);
        else
            person_day(pop, i, day, r, rows);
    }
}
