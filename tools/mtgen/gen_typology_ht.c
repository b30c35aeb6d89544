/* gen_typology_ht.c: planted trafficking typologies: sexual exploitation
 * (advertising + short hotel stays + night ATM deposits, HT-SEX-01/02/04;
 * victim sweep, HT-SEX-08), labour exploitation (several wages into one
 * account and salary sweep, HT-LAB-01/02; workers sharing an address,
 * HT-LAB-07) and child exploitation (low-value remittances, several senders
 * to one beneficiary, HT-CHD-02/03).
 *
 * Same conventions as gen_typology_ml.c: textbook clears the defaults by a
 * margin, subtle just meets them; both meet their definitions. Victims of
 * labour scenarios get their salary only from the scenario (ACC_NO_PAYROLL),
 * and some victims' accounts are opened shortly before they are exploited. */
#include "gen.h"

#include <string.h>

#define SUB(p) ((p)->opt->subtle)

static guint32 month_of(gint64 day)
{
    int y, m, d;
    gen_civil_from_days(day, &y, &m, &d);
    return (guint32)(y * 100 + m);
}

static int city_of(GenPlan *p, guint32 i)
{
    return p->pop->acc[i].city;
}

/* A victim account opened a few days before the pattern starts. */
void gen_ht_opened_recently(GenPlan *p, guint32 v, gint64 d0)
{
    gint64 rel = d0 - p->opt->start_day - 3 - gen_rng_below(&p->r, 20);
    if (rel > 0 && !SUB(p))
        p->pop->acc[v].open_day = (gint16)MIN(rel, 30000);
}

void gen_ht_ads(GenPlan *p, guint32 inst, guint32 c, gint64 d0)
{
    static const int types[] = {B_ADVERT, B_DIRECTMKT, B_DATING, B_ADVERT};
    static const int price[] = {12, 24, 36, 48, 72, 96, 144};
    int n = SUB(p) ? 3 : 4 + (int)gen_rng_below(&p->r, 3);
    for (int k = 0; k < n; k++) {
        guint32 m;
        gen_pop_pick(p->pop, types[gen_rng_below(&p->r, G_N_ELEMENTS(types))], -1, &p->r, &m);
        const GenAccount *ma = &p->pop->acc[m];
        gint64 day = d0 + (k == n - 1 ? (SUB(p) ? 12 : 9) : (gint64)gen_rng_below(&p->r, 9));
        GenRow *w = gen_plan_row(p, inst, gen_plan_at(p, day, 8, 24), GEN_REF(c), GEN_REF(m),
                                 price[gen_rng_below(&p->r, G_N_ELEMENTS(price))] * 100LL, CH_CARD,
                                 ma->city);
        w->mcc = gen_types[ma->type].mcc;
        gen_memo_merchant(p->pop, w);
        if (ma->city >= GEN_CITY_FOREIGN)
            w->cc = (guint8)(ma->city - GEN_CITY_FOREIGN + 1);
    }
}

void gen_ht_lodging(GenPlan *p, guint32 inst, guint32 c, gint64 d0, const int *cities, int nc)
{
    int n = SUB(p) ? 4 : 5 + (int)gen_rng_below(&p->r, 3);
    for (int k = 0; k < n; k++) {
        gint64 day = d0 + (SUB(p) ? k * 2 : k * 6 / n);
        guint32 h;
        gen_pop_pick(p->pop, B_HOTEL, cities[k % nc], &p->r, &h);
        GenRow *w = gen_plan_row(p, inst, gen_plan_at(p, day, 14, 23), GEN_REF(c), GEN_REF(h),
                                 gen_plan_cents(p, 49, 129, 1), CH_CARD, p->pop->acc[h].city);
        w->mcc = 7011;
        gen_memo_merchant(p->pop, w);
    }
}

void gen_ht_night_deposits(GenPlan *p, guint32 inst, guint32 c, gint64 d0, const int *cities,
                           int nc)
{
    int n = SUB(p) ? 4 : 5 + (int)gen_rng_below(&p->r, 4);
    for (int k = 0; k < n; k++) {
        gint64 day = d0 + (SUB(p) ? k * 4 : k * 12 / n);
        gint64 t = SUB(p) ? gen_plan_at(p, day, 22, 24) : gen_plan_night(p, day);
        gen_plan_row(p, inst, t, 0, GEN_REF(c), gen_plan_cents(p, 200, 1200, 5000), CH_ATM_DEPOSIT,
                     cities[k % nc]);
    }
}

int gen_ht_travel_cities(GenPlan *p, guint32 c, int *cities)
{
    cities[0] = city_of(p, c);
    cities[1] = gen_plan_other_city(p, cities[0], TRUE);
    cities[2] = gen_plan_other_city(p, cities[1], TRUE);
    return SUB(p) ? 2 : 3;
}

/* HT-SEX-01/02/04: a controller buying ads, short hotel stays in several
 * cities and paying in cash at ATMs late at night. */
static void sex_ads(GenPlan *p)
{
    guint32 i1 = gen_plan_instance(p, "HT-SEX-01", SC_SEXADS);
    guint32 i2 = gen_plan_instance(p, "HT-SEX-02", SC_SEXADS);
    guint32 i4 = gen_plan_instance(p, "HT-SEX-04", SC_SEXADS);
    guint32 c = gen_plan_person(p, gen_rng_chance(&p->r, 0.6) ? P_EMPLOYEE : P_MIGRANT);
    gen_plan_role(p, i1, GEN_REF(c), R_CONTROLLER);
    gen_plan_role(p, i2, GEN_REF(c), R_CONTROLLER);
    gen_plan_role(p, i4, GEN_REF(c), R_CONTROLLER);
    gint64 d0 = gen_plan_start(p, 15);
    int cities[3];
    int nc = gen_ht_travel_cities(p, c, cities);
    gen_ht_ads(p, i1, c, d0);
    gen_ht_lodging(p, i2, c, d0 + 1, cities, nc);
    gen_ht_night_deposits(p, i4, c, d0, cities, nc);
}

void gen_ht_sweep(GenPlan *p, guint32 inst, guint32 v, guint32 c, gint64 d0)
{
    for (int wk = 0; wk < 4; wk++) {
        gint64 in = 0, last = 0;
        int n = SUB(p) ? 3 + (int)gen_rng_below(&p->r, 3) : 5 + (int)gen_rng_below(&p->r, 5);
        for (int k = 0; k < n; k++) {
            gint64 day = d0 + wk * 7 + (k == 0 ? 0 : gen_rng_below(&p->r, 5));
            gint64 t = gen_plan_at(p, day, 10, 24), cents;
            if (gen_rng_chance(&p->r, 0.25)) {
                cents = gen_plan_cents(p, 150, 600, 5000);
                gen_plan_row(p, inst, t, 0, GEN_REF(v), cents, CH_ATM_DEPOSIT, city_of(p, v));
            } else {
                guint32 payer = gen_plan_client(p);
                cents = gen_plan_cents(p, 50, 250, 500);
                gen_plan_row(p, inst, t, GEN_REF(payer), GEN_REF(v), cents, CH_TRANSFER,
                             city_of(p, payer));
            }
            in += cents;
            last = MAX(last, t);
        }
        /* subtle: one week of four is swept only partly */
        double share = SUB(p) ? (wk == 2 ? 0.45 : 0.72 + 0.06 * gen_rng_unit(&p->r))
                              : 0.85 + 0.15 * gen_rng_unit(&p->r);
        gint64 delay = gen_rng_range(&p->r, SUB(p) ? 20 : 4, SUB(p) ? 40 : 28) * 3600;
        GenRow *w =
            gen_plan_row(p, inst, last + delay, GEN_REF(v), GEN_REF(c),
                         (gint64)(in * share) / 100 * 100 + 100, CH_TRANSFER, city_of(p, v));
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_RENT_SHARE;
    }
}

/* HT-SEX-08: a victim's takings swept weekly to one controller. */
static void victim_sweep(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-SEX-08", SC_SEX08);
    guint32 v = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_STUDENT : P_MIGRANT);
    guint32 c = gen_plan_person(p, P_EMPLOYEE);
    gen_plan_role(p, inst, GEN_REF(v), R_VICTIM);
    gen_plan_role(p, inst, GEN_REF(c), R_CONTROLLER);
    gint64 d0 = gen_plan_start(p, 29);
    gen_ht_opened_recently(p, v, d0);
    gen_ht_sweep(p, inst, v, c, d0);
}

guint32 gen_ht_labour_employer(GenPlan *p)
{
    static const int kinds[] = {B_CONSTRUCTION, B_CLEANING, B_AGENCY, B_CONSTRUCTION, B_HOTEL};
    guint32 e = 0;
    for (int tries = 0; tries < 50; tries++)
        if (gen_pop_pick(p->pop, kinds[gen_rng_below(&p->r, G_N_ELEMENTS(kinds))], -1, &p->r, &e) &&
            !(p->pop->acc[e].flags & ACC_USED))
            break;
    p->pop->acc[e].flags |= ACC_USED;
    return e;
}

guint32 gen_ht_labour_victim(GenPlan *p, guint32 e, gint64 d0)
{
    guint32 v = gen_plan_person(p, P_MIGRANT);
    GenAccount *a = &p->pop->acc[v];
    a->flags |= ACC_NO_PAYROLL;
    a->flags &= (guint8)~ACC_NIGHT;
    a->employer = GEN_REF(e);
    a->payday = p->pop->acc[e].payday;
    gen_ht_opened_recently(p, v, d0);
    return v;
}

void gen_ht_payroll(GenPlan *p, guint32 e, guint32 c, gint64 d0, guint32 i1, const guint32 *w1,
                    int n1, guint32 i2, const guint32 *w2, int n2)
{
    int periods = SUB(p) ? 2 : 4;
    gint64 last_day = p->opt->start_day + p->opt->days - 1;
    for (int per = 0; per < periods; per++) {
        gint64 day = d0 + per * 14;
        if (day + 1 > last_day)
            break;
        for (int k = 0; k < n1; k++) {
            GenRow *w =
                gen_plan_row(p, i1, gen_plan_at(p, day, 5, 7), GEN_REF(e), GEN_REF(c),
                             gen_plan_cents(p, 700, 1100, 1), CH_ACH_PAYROLL, city_of(p, e));
            w->memo_kind = MK_SALARY_FOR;
            w->memo_arg = w1[k];
        }
        for (int k = 0; k < n2; k++) {
            gint64 t = gen_plan_at(p, day, 5, 7), pay = gen_plan_cents(p, 700, 1100, 1);
            GenRow *w = gen_plan_row(p, i2, t, GEN_REF(e), GEN_REF(w2[k]), pay, CH_ACH_PAYROLL,
                                     city_of(p, e));
            w->memo_kind = MK_SALARY;
            w->memo_arg = month_of(day);
            double share =
                SUB(p) ? 0.81 + 0.05 * gen_rng_unit(&p->r) : 0.9 + 0.1 * gen_rng_unit(&p->r);
            gint64 out = (gint64)(pay * share) / 1000 * 1000 + 1000;
            out = MIN(out, pay);
            t += gen_rng_range(&p->r, 1, SUB(p) ? 20 : 6) * 3600;
            if (gen_rng_chance(&p->r, 0.3))
                gen_plan_row(p, i2, t, GEN_REF(w2[k]), 0, out, CH_CASH_WITHDRAWAL, city_of(p, e));
            else
                gen_plan_row(p, i2, t, GEN_REF(w2[k]), GEN_REF(c), out, CH_TRANSFER, city_of(p, e));
        }
    }
}

/* HT-LAB-01/02: one employer paying several workers' wages into a
 * controller's account, and other workers' wages swept out within hours. */
static void labour(GenPlan *p)
{
    guint32 i1 = gen_plan_instance(p, "HT-LAB-01", SC_LAB);
    guint32 i2 = gen_plan_instance(p, "HT-LAB-02", SC_LAB);
    guint32 e = gen_ht_labour_employer(p), c = gen_plan_person(p, P_EMPLOYEE);
    gint64 d0 = gen_plan_start(p, 57);
    gen_plan_role(p, i1, GEN_REF(e), R_FRONT);
    gen_plan_role(p, i1, GEN_REF(c), R_CONTROLLER);
    gen_plan_role(p, i2, GEN_REF(c), R_CONTROLLER);
    int n1 = SUB(p) ? 3 : 4 + (int)gen_rng_below(&p->r, 3);
    int n2 = SUB(p) ? 2 : 3 + (int)gen_rng_below(&p->r, 2);
    guint32 w1[6], w2[4];
    for (int k = 0; k < n1; k++) {
        w1[k] = gen_ht_labour_victim(p, e, d0);
        gen_plan_role(p, i1, GEN_REF(w1[k]), R_VICTIM);
    }
    for (int k = 0; k < n2; k++) {
        w2[k] = gen_ht_labour_victim(p, e, d0);
        gen_plan_role(p, i2, GEN_REF(w2[k]), R_VICTIM);
    }
    gen_ht_payroll(p, e, c, d0, i1, w1, n1, i2, w2, n2);
}

void gen_ht_lodge(GenPlan *p, guint32 v, guint32 e, guint16 street, guint16 house, guint32 *phone,
                  int *share_phone)
{
    const GenAccount *ea = &p->pop->acc[e];
    GenAccount *a = &p->pop->acc[v];
    a->flags |= ACC_NO_PAYROLL | ACC_HEAD;
    a->flags &= (guint8)~ACC_NIGHT;
    a->employer = GEN_REF(e);
    a->payday = ea->payday;
    a->household = v;
    a->rent = 0;
    a->city = ea->city;
    a->street = street;
    a->house = house;
    a->flat = 0; /* the house itself: the lodgers share it */
    if (!*phone) {
        *phone = a->phone;
    } else if (*share_phone > 0) {
        (*share_phone)--;
        a->phone = *phone; /* a shared phone number too */
    }
}

/* HT-LAB-07: 5-8 workers of one employer registered at one address. */
static void shared_address(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-LAB-07", SC_LAB07);
    guint32 e = gen_ht_labour_employer(p);
    gen_plan_role(p, inst, GEN_REF(e), R_FRONT);
    const GenAccount *ea = &p->pop->acc[e];
    int n = SUB(p) ? 5 : 6 + (int)gen_rng_below(&p->r, 3);
    guint16 street = (guint16)gen_rng_below(&p->r, gen_n_streets);
    guint16 house = (guint16)(1 + gen_rng_below(&p->r, 120));
    gint64 d0 = gen_plan_start(p, 30);
    gint64 end = MIN(p->opt->start_day + p->opt->days - 1, d0 + 120);
    guint32 phone = 0;
    int share_phone = SUB(p) ? 0 : 2; /* textbook: 3 holders share a phone */
    for (int k = 0; k < n; k++) {
        guint32 v = gen_plan_person(p, P_MIGRANT);
        gen_ht_lodge(p, v, e, street, house, &phone, &share_phone);
        gen_plan_role(p, inst, GEN_REF(v), R_VICTIM);
        for (gint64 day = d0; day <= end; day += 14) {
            GenRow *w = gen_plan_row(p, inst, gen_plan_at(p, day, 5, 7), GEN_REF(e), GEN_REF(v),
                                     gen_plan_cents(p, 750, 1150, 1), CH_ACH_PAYROLL, ea->city);
            w->memo_kind = MK_SALARY;
            w->memo_arg = month_of(day);
        }
    }
}

void gen_ht_child_remittances(GenPlan *p, guint32 inst, guint32 fan_in, guint32 v, GenRef x,
                              const char *cc, gint64 d0)
{
    int n = SUB(p) ? 4 : 5 + (int)gen_rng_below(&p->r, 4);
    for (int k = 0; k < n; k++) {
        gint64 day = d0 + (SUB(p) ? k * 8 + (gint64)gen_rng_below(&p->r, 3) : (gint64)(k * 26 / n));
        gint64 cents = SUB(p) ? gen_plan_cents(p, 60, 100, 500) : gen_plan_cents(p, 15, 95, 100);
        GenRow *w = gen_plan_row(p, inst, gen_plan_at(p, day, 7, 24), GEN_REF(v), x, cents,
                                 CH_REMITTANCE, city_of(p, v));
        w->inst2 = fan_in;
        w->cc = (guint8)(gen_country_index(cc) + 1);
        w->memo_kind = MK_TEXT;
        w->memo_arg = gen_rng_chance(&p->r, 0.5) ? MEMO_T_SCHOOL : MEMO_T_GIFT;
    }
}

/* HT-CHD-02/03: several senders, each sending >= 4 remittances of 10-100 in
 * 30 days to one beneficiary in a listed country. */
static void child_remittances(GenPlan *p)
{
    guint32 i3 = gen_plan_instance(p, "HT-CHD-03", SC_CHD);
    const char *cc = gen_plan_country(p, gen_chd_countries);
    GenRef x = gen_plan_foreign(p, cc);
    gen_plan_role(p, i3, x, R_BENEFICIARY);
    int senders = SUB(p) ? 3 : 3 + (int)gen_rng_below(&p->r, 3);
    gint64 d0 = gen_plan_start(p, 29);
    guint first_row = p->rows->len;
    for (int s = 0; s < senders; s++) {
        guint32 i2 = gen_plan_instance(p, "HT-CHD-02", SC_CHD);
        guint32 v = gen_plan_person(p, gen_rng_chance(&p->r, 0.7) ? P_EMPLOYEE : P_RETIREE);
        gen_plan_role(p, i2, GEN_REF(v), R_SENDER);
        gen_plan_role(p, i2, x, R_BENEFICIARY);
        gen_plan_role(p, i3, GEN_REF(v), R_SENDER);
        gen_ht_child_remittances(p, i2, i3, v, x, cc, d0);
    }
    /* the rows were counted under the senders' instances; span the fan-in too */
    GenInstance *in3 = &g_array_index(p->instances, GenInstance, i3 - 1);
    for (guint k = first_row; k < p->rows->len; k++) {
        const GenRow *w = &g_array_index(p->rows, GenRow, k);
        if (w->inst2 == i3) {
            in3->first = MIN(in3->first, w->t);
            in3->last = MAX(in3->last, w->t);
            in3->n_rows++;
        }
    }
}

void gen_typology_ht(GenPlan *p, int scenario)
{
    switch (scenario) {
    case SC_SEXADS:
        sex_ads(p);
        break;
    case SC_SEX08:
        victim_sweep(p);
        break;
    case SC_LAB:
        labour(p);
        break;
    case SC_LAB07:
        shared_address(p);
        break;
    case SC_CHD:
        child_remittances(p);
        break;
    default:
        g_assert_not_reached();
    }
}
