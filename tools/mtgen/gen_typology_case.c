/* gen_typology_case.c: whole trafficking cases, labelled with the catalogue's
 * typology ids (TY-SEX, TY-LAB, TY-CHD, TY-NET).
 *
 * A single-indicator scenario plants one red flag; a real case shows
 * several at once on the same accounts ("no single red flag is a clear
 * indicator", FinCEN FIN-2020-A008 p.5). A case is one instance composed of
 * the scenario parts of gen_typology_ht.c and gen_typology_ml.c (the same
 * bodies, under the same intensity convention: textbook clears each
 * default by a margin, subtle just meets it) on shared accounts, plus the
 * travel and small-payment parts of child exploitation that only cases use.
 *
 * Roles: the persons who run or carry the case (controller, mule, sender:
 * the subjects of a report), the possible victims (victim) and the
 * accounts abroad (beneficiary). Clients who pay victims and employers
 * whose payroll a controller redirects are ordinary customers without a
 * role. */
#include "gen.h"

#define SUB(p) ((p)->opt->subtle)

/* TY-SEX: a controller advertising, renting short hotel stays in several
 * cities and paying in cash at night (HT-SEX-01/02/04), while 3-4 victims'
 * client takings are swept to the controller every week (HT-SEX-08, and
 * the controller is the sink of HT-ML-06). FINTRAC Project Protect 2016;
 * FinCEN FIN-2020-A008 pp.4, 7-8. */
static void sex_case(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "TY-SEX", SC_TYSEX);
    guint32 c = gen_plan_person(p, gen_rng_chance(&p->r, 0.6) ? P_EMPLOYEE : P_MIGRANT);
    gen_plan_role(p, inst, GEN_REF(c), R_CONTROLLER);
    gint64 d0 = gen_plan_start(p, 29);
    int nv = SUB(p) ? 3 : 3 + (int)gen_rng_below(&p->r, 2);
    for (int k = 0; k < nv; k++) {
        guint32 v = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_STUDENT : P_MIGRANT);
        gen_plan_role(p, inst, GEN_REF(v), R_VICTIM);
        gen_ht_opened_recently(p, v, d0);
        gen_ht_sweep(p, inst, v, c, d0);
    }
    /* the controller's own spending falls in the weeks the victims work */
    gint64 d1 = d0 + 7 + gen_rng_below(&p->r, 5);
    int cities[3];
    int nc = gen_ht_travel_cities(p, c, cities);
    gen_ht_ads(p, inst, c, d1);
    gen_ht_lodging(p, inst, c, d1 + 1, cities, nc);
    gen_ht_night_deposits(p, inst, c, d1, cities, nc);
}

/* TY-LAB: an employer's payroll for migrant workers who live together at
 * one address (HT-LAB-07): some wages are paid straight into a controller's
 * account (HT-LAB-01), the others into the workers' new accounts and taken
 * out within hours (HT-LAB-02, the controller the sink of HT-ML-06); the
 * controller sends the proceeds to source countries (HT-ML-05, Europol
 * 2015). FinCEN FIN-2020-A008 pp.4, 7; FATF/APG 2018 p.28. */
static void labour_case(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "TY-LAB", SC_TYLAB);
    guint32 e = gen_ht_labour_employer(p), c = gen_plan_person(p, P_EMPLOYEE);
    gen_plan_role(p, inst, GEN_REF(c), R_CONTROLLER);
    gint64 d0 = gen_plan_start(p, 57);
    int n1 = SUB(p) ? 3 : 4 + (int)gen_rng_below(&p->r, 3);
    int n2 = SUB(p) ? 3 : 3 + (int)gen_rng_below(&p->r, 2);
    guint16 street = (guint16)gen_rng_below(&p->r, gen_n_streets);
    guint16 house = (guint16)(1 + gen_rng_below(&p->r, 120));
    guint32 phone = 0, w1[6], w2[4];
    int share_phone = SUB(p) ? 0 : 2;
    for (int k = 0; k < n1 + n2; k++) {
        guint32 v = gen_ht_labour_victim(p, e, d0);
        gen_ht_lodge(p, v, e, street, house, &phone, &share_phone);
        gen_plan_role(p, inst, GEN_REF(v), R_VICTIM);
        if (k < n1)
            w1[k] = v;
        else
            w2[k - n1] = v;
    }
    gen_ht_payroll(p, e, c, d0, inst, w1, n1, inst, w2, n2);
    gen_ml_fan_out(p, inst, c, d0 + 14 + gen_rng_below(&p->r, 14));
}

/* A flight (MCC 4511), then cash taken from ATMs in the destination a week
 * later: travel to offend (FINTRAC Project Shadow 2020). */
static void trip(GenPlan *p, guint32 inst, guint32 v, const char *cc, gint64 day)
{
    guint32 air = 0;
    gen_pop_pick(p->pop, B_AIRLINE, -1, &p->r, &air);
    GenRow *w = gen_plan_row(p, inst, gen_plan_at(p, day, 8, 22), GEN_REF(v), GEN_REF(air),
                             gen_plan_cents(p, 450, 1100, 1), CH_CARD, p->pop->acc[air].city);
    w->mcc = gen_types[B_AIRLINE].mcc;
    gen_memo_merchant(p->pop, w);
    int k = gen_country_index(cc), n = SUB(p) ? 2 : 2 + (int)gen_rng_below(&p->r, 3);
    gint64 per_trip =
        SUB(p) ? gen_plan_cents(p, 1000, 1100, 1000) : gen_plan_cents(p, 1200, 2500, 1000);
    for (int j = 0; j < n; j++) {
        gint64 cents = j < n - 1 ? per_trip / n / 1000 * 1000
                                 : per_trip - per_trip / n / 1000 * 1000 * (n - 1);
        GenRow *a = gen_plan_row(p, inst, gen_plan_at(p, day + 6 + j, 10, 23), GEN_REF(v), 0, cents,
                                 CH_ATM_WITHDRAWAL, GEN_CITY_FOREIGN + k);
        a->cc = (guint8)(k + 1);
    }
}

/* Small payments to facilitators not paid before, in listed countries
 * (FINTRAC Project Shadow 2020). */
static void new_payees(GenPlan *p, guint32 inst, guint32 v, gint64 d0)
{
    int n = SUB(p) ? 5 : 6 + (int)gen_rng_below(&p->r, 3);
    for (int k = 0; k < n; k++) {
        const char *cc = gen_plan_country(p, gen_chd_countries);
        gint64 day = d0 + (SUB(p) ? k * 13 / (n - 1) : (gint64)gen_rng_below(&p->r, 10));
        gint64 cents = SUB(p) ? gen_plan_cents(p, 80, 99, 100) : gen_plan_cents(p, 20, 90, 100);
        GenRow *w =
            gen_plan_row(p, inst, gen_plan_at(p, day, 18, 24), GEN_REF(v), gen_plan_foreign(p, cc),
                         cents, CH_REMITTANCE, p->pop->acc[v].city);
        w->cc = (guint8)(gen_country_index(cc) + 1);
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_GIFT;
    }
}

/* TY-CHD: 3-4 offenders paying one facilitator in a listed country (HT-CHD-03):
 * a few "school fees" first, then frequent low-value remittances (HT-CHD-02)
 * and small payments to new foreign payees (HT-CHD-06), a flight there
 * after the payments grew (HT-CHD-04) and cash taken from ATMs there on two
 * trips (HT-CHD-05). AUSTRAC; FINTRAC Project Shadow 2020. */
static void child_case(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "TY-CHD", SC_TYCHD);
    const char *cc = gen_plan_country(p, gen_chd_countries);
    GenRef x = gen_plan_foreign(p, cc);
    gen_plan_role(p, inst, x, R_BENEFICIARY);
    int senders = SUB(p) ? 3 : 3 + (int)gen_rng_below(&p->r, 2);
    gint64 d0 = gen_plan_start(p, 82);
    for (int s = 0; s < senders; s++) {
        guint32 v = gen_plan_person(p, gen_rng_chance(&p->r, 0.7) ? P_EMPLOYEE : P_RETIREE);
        gen_plan_role(p, inst, GEN_REF(v), R_SENDER);
        for (int k = 0; k < 2; k++) {
            GenRow *w = gen_plan_row(p, inst, gen_plan_at(p, d0 + k * 5, 7, 24), GEN_REF(v), x,
                                     SUB(p) ? gen_plan_cents(p, 80, 100, 500)
                                            : gen_plan_cents(p, 20, 60, 500),
                                     CH_REMITTANCE, p->pop->acc[v].city);
            w->cc = (guint8)(gen_country_index(cc) + 1);
            w->memo_kind = MK_TEXT;
            w->memo_arg = MEMO_T_SCHOOL;
        }
        trip(p, inst, v, cc, d0 + 1);
        gen_ht_child_remittances(p, inst, 0, v, x, cc, d0 + 48);
        new_payees(p, inst, v, d0 + 62);
        trip(p, inst, v, cc, d0 + 70);
    }
}

/* TY-NET: cash collected by 5-6 mules in other regions and passed to one
 * hub within days, in two rounds (HT-ML-02, half of them also structured,
 * HT-ML-01; the hub's fan-in HT-ML-04); the hub wires each transfer on to
 * beneficiaries in source countries within hours (pass-through HT-ML-03,
 * fan-out HT-ML-05, gather-scatter HT-ML-04-GS). The mules' accounts are
 * opened days before on the hub's phone number (HT-BEH-03, HT-ML-17:
 * FinCEN FIN-2020-A008 p.6, p.8). FinCEN FIN-2014-A008; FATF/APG 2018. */
static void network_case(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "TY-NET", SC_TYNET);
    guint32 h = gen_plan_person(p, P_EMPLOYEE);
    gen_plan_role(p, inst, GEN_REF(h), R_CONTROLLER);
    int nm = SUB(p) ? 5 : 5 + (int)gen_rng_below(&p->r, 2);
    int rounds = SUB(p) ? 1 : 2;
    gint64 d0 = gen_plan_start(p, 46) + 10; /* room for the accounts opened before */
    guint first_row = p->rows->len;
    for (int k = 0; k < nm; k++) {
        guint32 m = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_EMPLOYEE : P_MIGRANT);
        gen_plan_role(p, inst, GEN_REF(m), R_MULE);
        gint64 dm = d0 + gen_rng_below(&p->r, 8);
        gint64 rel = dm - p->opt->start_day - 2 - gen_rng_below(&p->r, 6);
        p->pop->acc[m].open_day = (gint16)MAX(rel, 0);
        p->pop->acc[m].phone = p->pop->acc[h].phone;
        for (int r = 0; r < rounds; r++)
            gen_ml_funnel(p, inst, m, dm + r * 10, GEN_REF(h));
        if (!SUB(p) && k % 2)
            gen_ml_structuring(p, inst, m, dm + 12, GEN_REF(h));
    }
    guint last_row = p->rows->len;
    for (guint k = first_row; k < last_row; k++) {
        const GenRow w = g_array_index(p->rows, GenRow, k);
        if (w.to != GEN_REF(h))
            continue;
        double share =
            SUB(p) ? 0.91 + 0.03 * gen_rng_unit(&p->r) : 0.96 + 0.03 * gen_rng_unit(&p->r);
        gint64 delay = gen_rng_range(&p->r, SUB(p) ? 20 : 2, SUB(p) ? 46 : 30) * 3600;
        gen_ml_wire_abroad(p, inst, w.t + delay, h, (gint64)(w.cents * share) / 100 * 100,
                           gen_rng_chance(&p->r, 0.6) ? CH_REMITTANCE : CH_WIRE_INTERNATIONAL);
        gen_plan_role(p, inst, g_array_index(p->rows, GenRow, p->rows->len - 1).to, R_BENEFICIARY);
    }
}

void gen_typology_case(GenPlan *p, int scenario)
{
    switch (scenario) {
    case SC_TYSEX:
        sex_case(p);
        break;
    case SC_TYLAB:
        labour_case(p);
        break;
    case SC_TYCHD:
        child_case(p);
        break;
    case SC_TYNET:
        network_case(p);
        break;
    default:
        g_assert_not_reached();
    }
}
