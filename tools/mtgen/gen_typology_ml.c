/* gen_typology_ml.c: planted laundering typologies HT-ML-01..07, 09/10, 15
 * and the network structures HT-ML-04-GS (gather-scatter) and HT-ML-06-SG
 * (scatter-gather).
 *
 * Each scenario makes one instance: picks its participants from the
 * population (marking them used, and quiet in textbook mode), registers
 * their roles and plants its rows. Textbook instances clear the
 * defaults of docs/indicators.md by a margin; subtle ones just meet them (fewer
 * events, amounts and delays close to the thresholds) and their accounts
 * keep their full ordinary activity around the pattern. Every instance, in
 * either mode, meets its own definition: tests/e2e/t_gen_labels.sh checks. */
#include "gen.h"

#include <string.h>

#define SUB(p) ((p)->opt->subtle)

static int branch_city(GenPlan *p, int home)
{
    return gen_rng_chance(&p->r, 0.6) ? home : gen_plan_other_city(p, home, FALSE);
}

static int home_of(GenPlan *p, guint32 i)
{
    return p->pop->acc[i].city;
}

static GenRef source_beneficiary(GenPlan *p, const char **cc_out)
{
    const char *cc = gen_plan_country(p, gen_source_countries);
    *cc_out = cc;
    return gen_plan_foreign(p, cc);
}

void gen_ml_wire_abroad(GenPlan *p, guint32 inst, gint64 t, guint32 from, gint64 cents, int channel)
{
    const char *cc;
    GenRef x = source_beneficiary(p, &cc);
    GenRow *w = gen_plan_row(p, inst, t, GEN_REF(from), x, cents, channel, home_of(p, from));
    w->cc = (guint8)(gen_country_index(cc) + 1);
    w->memo_kind = MK_TEXT;
    w->memo_arg = gen_rng_chance(&p->r, 0.5) ? MEMO_T_FAMILY : MEMO_T_GIFT;
}

void gen_ml_structuring(GenPlan *p, guint32 inst, guint32 m, gint64 d0, GenRef to)
{
    int n = SUB(p) ? 3 : 3 + (int)gen_rng_below(&p->r, 3);
    gint64 total = 0, last_day = d0;
    for (int k = 0; k < n; k++) {
        /* spread over at most 9 days: first on d0, last on d0 + 8 or 9 */
        gint64 day = k == 0       ? d0
                     : k == n - 1 ? d0 + (SUB(p) ? 9 : 8)
                                  : d0 + 1 + (gint64)gen_rng_below(&p->r, 7);
        gint64 c = SUB(p)
                       ? gen_plan_cents(p, 8000, 8590, 1000)
                       : gen_plan_cents(p, 8500, 9950, gen_rng_chance(&p->r, 0.6) ? 10000 : 5000);
        gint64 t = gen_plan_at(p, day, 9, 17);
        if (k == n - 1 && SUB(p))
            t = gen_plan_at(p, day, 9, 10); /* keeps the span under 10 days */
        GenRow *w = gen_plan_row(p, inst, t, 0, GEN_REF(m), c, CH_CASH_DEPOSIT,
                                 branch_city(p, home_of(p, m)));
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_DEPOSIT;
        total += c;
        last_day = MAX(last_day, day);
    }
    if (SUB(p)) /* a smaller deposit in between that does not count */
        gen_plan_row(p, inst, gen_plan_at(p, d0 + 4, 9, 17), 0, GEN_REF(m),
                     gen_plan_cents(p, 5200, 7900, 5000), CH_CASH_DEPOSIT, home_of(p, m));
    gint64 t = gen_plan_at(p, last_day + 1 + gen_rng_below(&p->r, 3), 9, 17);
    if (to)
        gen_plan_row(p, inst, t, GEN_REF(m), to, total * 9 / 10, CH_TRANSFER, home_of(p, m));
    else
        gen_ml_wire_abroad(p, inst, t, m, total * 9 / 10, CH_WIRE_INTERNATIONAL);
}

/* HT-ML-01: cash deposits in [8,000, 10,000) within 10 days. */
static void structuring(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-01", SC_ML01);
    guint32 m = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_EMPLOYEE : P_MIGRANT);
    gen_plan_role(p, inst, GEN_REF(m), R_MULE);
    gint64 d0 = gen_plan_start(p, 14);
    gen_ml_structuring(p, inst, m, d0, 0);
}

/* Cities of distinct regions, none in the home region. */
static int away_cities(GenPlan *p, int home, int *out, int n)
{
    int got = 0;
    for (int tries = 0; tries < 200 && got < n; tries++) {
        int c = gen_plan_other_city(p, home, TRUE);
        gboolean dup = FALSE;
        for (int k = 0; k < got; k++)
            dup = dup || strcmp(gen_cities[out[k]].region, gen_cities[c].region) == 0;
        if (!dup)
            out[got++] = c;
    }
    return got;
}

void gen_ml_funnel(GenPlan *p, guint32 inst, guint32 m, gint64 d0, GenRef to)
{
    int home = home_of(p, m), cities[3];
    int nc = away_cities(p, home, cities, SUB(p) ? 2 : 3);
    int n = SUB(p) ? 3 : 4 + (int)gen_rng_below(&p->r, 3);
    gint64 total = 0, last_day = d0;
    for (int k = 0; k < n; k++) {
        gint64 day = d0 + (k == n - 1 ? (SUB(p) ? 5 : 4) : (gint64)gen_rng_below(&p->r, 4));
        gint64 c =
            SUB(p) ? gen_plan_cents(p, 900, 2500, 1000) : gen_plan_cents(p, 1500, 4500, 5000);
        gen_plan_row(p, inst, gen_plan_at(p, day, 9, 17), 0, GEN_REF(m), c, CH_CASH_DEPOSIT,
                     cities[k % nc]);
        total += c;
        last_day = MAX(last_day, day);
    }
    double share = SUB(p) ? 0.72 + 0.08 * gen_rng_unit(&p->r) : 0.9 + 0.08 * gen_rng_unit(&p->r);
    gint64 out = (gint64)(total * share) / 1000 * 1000, t = gen_plan_at(p, last_day + 2, 9, 17);
    if (to)
        gen_plan_row(p, inst, t, GEN_REF(m), to, out, CH_TRANSFER, home);
    else if (SUB(p))
        gen_ml_wire_abroad(p, inst, t, m, out, CH_WIRE_INTERNATIONAL);
    else
        gen_plan_row(p, inst, t, GEN_REF(m), 0, out, CH_CASH_WITHDRAWAL, home);
}

/* HT-ML-02: cash in at branches in >= 2 other regions within 7 days, >= 70% out
 * elsewhere 24-72 h after the last deposit. */
static void funnel(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-02", SC_ML02);
    guint32 m = gen_plan_person(p, P_EMPLOYEE);
    gen_plan_role(p, inst, GEN_REF(m), R_MULE);
    gen_ml_funnel(p, inst, m, gen_plan_start(p, 10), 0);
}

/* HT-ML-03: credits forwarded at once; debits/credits >= 0.9 over 30 days.
 * At textbook intensity the mule's account does nothing else (no wage of
 * its own: a wage that stays in the account is a credit not passed on, and
 * an account "otherwise quiet" has none); at subtle intensity it keeps its
 * ordinary life, wage included. */
static void pass_through(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-03", SC_ML03);
    guint32 m = gen_plan_person(p, P_EMPLOYEE);
    if (!SUB(p))
        p->pop->acc[m].flags |= ACC_NO_PAYROLL;
    gen_plan_role(p, inst, GEN_REF(m), R_MULE);
    gboolean to_abroad = gen_rng_chance(&p->r, 0.5);
    guint32 ctl = 0;
    if (!to_abroad) {
        ctl = gen_plan_person(p, P_EMPLOYEE);
        gen_plan_role(p, inst, GEN_REF(ctl), R_CONTROLLER);
    }
    int n = SUB(p) ? 4 + (int)gen_rng_below(&p->r, 2) : 6 + (int)gen_rng_below(&p->r, 3);
    gint64 d0 = gen_plan_start(p, 28);
    for (int k = 0; k < n; k++) {
        gint64 day = d0 + (gint64)k * 22 / n + gen_rng_below(&p->r, 2);
        gint64 t = gen_plan_at(p, day, 8, 20), c = gen_plan_cents(p, 1500, 6000, 100);
        GenRow *w;
        if (gen_rng_chance(&p->r, 0.3)) {
            const char *cc;
            w = gen_plan_row(p, inst, t, source_beneficiary(p, &cc), GEN_REF(m), c,
                             CH_WIRE_INTERNATIONAL, home_of(p, m));
            w->cc = (guint8)(gen_country_index(cc) + 1);
        } else {
            guint32 src = gen_plan_client(p);
            w = gen_plan_row(p, inst, t, GEN_REF(src), GEN_REF(m), c, CH_TRANSFER, home_of(p, src));
        }
        w->memo_kind = MK_TEXT;
        w->memo_arg = gen_rng_chance(&p->r, 0.5) ? MEMO_T_LOAN : MEMO_T_SERVICES;
        double share =
            SUB(p) ? 0.91 + 0.03 * gen_rng_unit(&p->r) : 0.97 + 0.025 * gen_rng_unit(&p->r);
        gint64 delay = SUB(p) && k % 3 == 2
                           ? gen_rng_range(&p->r, 50, 80) * 3600
                           : gen_rng_range(&p->r, SUB(p) ? 20 : 1, SUB(p) ? 46 : 20) * 3600;
        gint64 out = (gint64)(c * share);
        if (to_abroad)
            gen_ml_wire_abroad(p, inst, t + delay, m, out, CH_WIRE_INTERNATIONAL);
        else
            gen_plan_row(p, inst, t + delay, GEN_REF(m), GEN_REF(ctl), out, CH_TRANSFER,
                         home_of(p, m));
    }
}

/* HT-ML-04: >= 5 distinct senders into one account within 30 days. */
static void fan_in(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-04", SC_ML04);
    guint32 c = gen_plan_person(p, P_EMPLOYEE);
    gen_plan_role(p, inst, GEN_REF(c), R_CONTROLLER);
    int k = SUB(p) ? 5 : 6 + (int)gen_rng_below(&p->r, 5);
    int span = SUB(p) ? 27 : 18;
    gint64 d0 = gen_plan_start(p, span + 1);
    for (int s = 0; s < k; s++) {
        guint32 v = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_MIGRANT : P_EMPLOYEE);
        gen_plan_role(p, inst, GEN_REF(v), R_SENDER);
        int reps = SUB(p) ? 1 : 1 + (int)gen_rng_below(&p->r, 3);
        for (int j = 0; j < reps; j++) {
            gint64 day = s == 0 && j == 0 ? d0 : d0 + gen_rng_below(&p->r, (guint32)span);
            GenRow *w = gen_plan_row(p, inst, gen_plan_at(p, day, 7, 23), GEN_REF(v), GEN_REF(c),
                                     gen_plan_cents(p, 150, 900, 1000), CH_TRANSFER, home_of(p, v));
            w->memo_kind = MK_TEXT;
            w->memo_arg = gen_rng_chance(&p->r, 0.5) ? MEMO_T_RENT_SHARE : MEMO_T_LOAN;
        }
    }
}

void gen_ml_fan_out(GenPlan *p, guint32 inst, guint32 c, gint64 d0)
{
    int k = SUB(p) ? 5 : 6 + (int)gen_rng_below(&p->r, 4);
    int span = SUB(p) ? 28 : 12;
    for (int s = 0; s < k; s++) {
        const char *cc;
        GenRef x = source_beneficiary(p, &cc);
        gen_plan_role(p, inst, x, R_BENEFICIARY);
        gint64 cents =
            SUB(p) ? gen_plan_cents(p, 700, 1400, 1000) : gen_plan_cents(p, 1700, 3000, 1000);
        gint64 day = s == 0 ? d0 : d0 + gen_rng_below(&p->r, (guint32)span);
        GenRow *w = gen_plan_row(p, inst, gen_plan_at(p, day, 9, 19), GEN_REF(c), x, cents,
                                 gen_rng_chance(&p->r, 0.6) ? CH_REMITTANCE : CH_WIRE_INTERNATIONAL,
                                 home_of(p, c));
        w->cc = (guint8)(gen_country_index(cc) + 1);
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_FAMILY;
    }
}

/* HT-ML-05: >= 5 foreign beneficiaries or >= 10,000 to source countries in 30 days. */
static void fan_out(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-05", SC_ML05);
    guint32 c = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_MIGRANT : P_EMPLOYEE);
    gen_plan_role(p, inst, GEN_REF(c), R_CONTROLLER);
    gen_ml_fan_out(p, inst, c, gen_plan_start(p, SUB(p) ? 29 : 13));
}

/* HT-ML-06: >= 3 sources each forwarding >= 70% of inflow within 48 h to one
 * sink. The victims' money comes from many clients, not from one source:
 * this is a funnel, not a scatter-gather (that is HT-ML-06-SG). */
static void victim_funnel(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-06", SC_ML06);
    guint32 sink = gen_plan_person(p, P_EMPLOYEE);
    gen_plan_role(p, inst, GEN_REF(sink), R_CONTROLLER);
    int k = SUB(p) ? 3 : 4 + (int)gen_rng_below(&p->r, 3);
    gint64 d0 = gen_plan_start(p, 28);
    for (int s = 0; s < k; s++) {
        guint32 v = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_STUDENT : P_MIGRANT);
        gen_plan_role(p, inst, GEN_REF(v), R_VICTIM);
        int rounds = SUB(p) ? 2 : 3 + (int)gen_rng_below(&p->r, 2);
        for (int rd = 0; rd < rounds; rd++) {
            gint64 day = d0 + rd * 7 + gen_rng_below(&p->r, 2), in = 0, last = 0;
            int n_in = 2 + (int)gen_rng_below(&p->r, 4);
            for (int j = 0; j < n_in; j++) {
                gint64 t = gen_plan_at(p, day, 10, 23), c;
                if (gen_rng_chance(&p->r, 0.3)) {
                    c = gen_plan_cents(p, 200, 800, 5000);
                    gen_plan_row(p, inst, t, 0, GEN_REF(v), c, CH_ATM_DEPOSIT, home_of(p, v));
                } else {
                    guint32 payer = gen_plan_client(p);
                    c = gen_plan_cents(p, 50, 300, 500);
                    gen_plan_row(p, inst, t, GEN_REF(payer), GEN_REF(v), c, CH_TRANSFER,
                                 home_of(p, payer));
                }
                in += c;
                last = MAX(last, t);
            }
            double share =
                SUB(p) ? 0.72 + 0.06 * gen_rng_unit(&p->r) : 0.85 + 0.1 * gen_rng_unit(&p->r);
            gint64 delay = gen_rng_range(&p->r, SUB(p) ? 30 : 4, SUB(p) ? 46 : 30) * 3600;
            gen_plan_row(p, inst, last + delay, GEN_REF(v), GEN_REF(sink),
                         (gint64)(in * share) / 100 * 100 + 100, CH_TRANSFER, home_of(p, v));
        }
    }
}

/* A person-to-person transfer of a planted network, with a plain memo. */
static void net_transfer(GenPlan *p, guint32 inst, gint64 t, guint32 from, guint32 to, gint64 cents)
{
    GenRow *w =
        gen_plan_row(p, inst, t, GEN_REF(from), GEN_REF(to), cents, CH_TRANSFER, home_of(p, from));
    w->memo_kind = MK_TEXT;
    w->memo_arg = gen_rng_chance(&p->r, 0.5) ? MEMO_T_LOAN : MEMO_T_SERVICES;
}

/* HT-ML-06-SG: one source pays >= 3 intermediaries, each of whom passes >= 70%
 * of it on to one sink, all within 30 days. Textbook: 4-6 intermediaries
 * paid 2,000-6,000 within 2 days, 85-97% passed on 4-30 h later (the whole
 * within about 4 days); subtle: 3 paid 1,000-3,000 over 5 days, 71-75%
 * passed on 2-20 days later. */
static void scatter_gather(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-06-SG", SC_ML06SG);
    guint32 src = gen_plan_person(p, P_EMPLOYEE), sink = gen_plan_person(p, P_EMPLOYEE);
    gen_plan_role(p, inst, GEN_REF(src), R_SENDER);
    gen_plan_role(p, inst, GEN_REF(sink), R_CONTROLLER);
    int k = SUB(p) ? 3 : 4 + (int)gen_rng_below(&p->r, 3);
    gint64 d0 = gen_plan_start(p, SUB(p) ? 26 : 4);
    for (int j = 0; j < k; j++) {
        guint32 m = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_STUDENT : P_MIGRANT);
        gen_plan_role(p, inst, GEN_REF(m), R_MULE);
        gint64 t = gen_plan_at(p, d0 + gen_rng_below(&p->r, SUB(p) ? 5 : 2), 8, 20);
        gint64 c =
            SUB(p) ? gen_plan_cents(p, 1000, 3000, 10000) : gen_plan_cents(p, 2000, 6000, 10000);
        net_transfer(p, inst, t, src, m, c);
        double share =
            SUB(p) ? 0.71 + 0.04 * gen_rng_unit(&p->r) : 0.85 + 0.12 * gen_rng_unit(&p->r);
        gint64 delay = SUB(p) ? gen_rng_range(&p->r, 2 * 24, 20 * 24) * 3600
                              : gen_rng_range(&p->r, 4, 30) * 3600;
        net_transfer(p, inst, t + delay, m, sink, (gint64)(c * share) / 100 * 100);
    }
}

/* HT-ML-04-GS: >= 5 senders pay one account, which then pays >= 5
 * beneficiaries, all within 30 days, passing on most of what came in.
 * Textbook: 6-9 senders of 300-1,500 within 5 days, then 90-97% of it to
 * 6-9 beneficiaries over the next 5 days; subtle: 5 senders of 150-600 over
 * 20 days, 72-78% of it to 5 beneficiaries on days 21-26. */
static void gather_scatter(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-04-GS", SC_ML04GS);
    guint32 hub = gen_plan_person(p, P_EMPLOYEE);
    gen_plan_role(p, inst, GEN_REF(hub), R_CONTROLLER);
    int ns = SUB(p) ? 5 : 6 + (int)gen_rng_below(&p->r, 4);
    int nd = SUB(p) ? 5 : 6 + (int)gen_rng_below(&p->r, 4);
    gint64 d0 = gen_plan_start(p, SUB(p) ? 27 : 10), in = 0;
    for (int s = 0; s < ns; s++) {
        guint32 v = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_MIGRANT : P_EMPLOYEE);
        gen_plan_role(p, inst, GEN_REF(v), R_SENDER);
        gint64 day = s == 0 ? d0 : d0 + gen_rng_below(&p->r, SUB(p) ? 20 : 5);
        gint64 c = SUB(p) ? gen_plan_cents(p, 150, 600, 1000) : gen_plan_cents(p, 300, 1500, 1000);
        net_transfer(p, inst, gen_plan_at(p, day, 8, 21), v, hub, c);
        in += c;
    }
    double share = SUB(p) ? 0.72 + 0.06 * gen_rng_unit(&p->r) : 0.9 + 0.07 * gen_rng_unit(&p->r);
    gint64 each = (gint64)(in * share) / nd / 100 * 100;
    for (int d = 0; d < nd; d++) {
        guint32 b = gen_plan_person(p, gen_rng_chance(&p->r, 0.5) ? P_STUDENT : P_EMPLOYEE);
        gen_plan_role(p, inst, GEN_REF(b), R_BENEFICIARY);
        gint64 day = d0 + (SUB(p) ? 21 + gen_rng_below(&p->r, 6) : 5 + gen_rng_below(&p->r, 5));
        net_transfer(p, inst, gen_plan_at(p, day, 8, 21), hub, b, each);
    }
}

/* HT-ML-07: a cycle of 2-4 accounts closing within 14 days, legs within 10%. */
static void cycle(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-07", SC_ML07);
    int len = SUB(p) ? 2 + (int)gen_rng_below(&p->r, 3) : 3 + (int)gen_rng_below(&p->r, 2);
    guint32 mem[4];
    for (int k = 0; k < len; k++) {
        guint32 i;
        if (gen_rng_chance(&p->r, 0.4) &&
            gen_pop_pick(p->pop, B_WHOLESALE + (int)(k % 2) * (B_OFFICE - B_WHOLESALE), -1, &p->r,
                         &i) &&
            !(p->pop->acc[i].flags & ACC_USED)) {
            p->pop->acc[i].flags |= ACC_USED;
        } else {
            i = gen_plan_person(p, P_EMPLOYEE);
        }
        mem[k] = i;
        gen_plan_role(p, inst, GEN_REF(i), R_MEMBER);
    }
    gint64 d0 = gen_plan_start(p, 14), day = d0;
    gint64 base = gen_plan_cents(p, 8000, 60000, 10000);
    int gap = SUB(p) ? 12 / len : 5 / len;
    double cut = 0;
    for (int k = 0; k < len; k++) {
        /* every leg within 9% of the first: fees taken on the way (textbook)
         * or invoices of slightly different sizes (subtle) */
        gint64 c = (gint64)(base * (1.0 - cut));
        GenRow *w = gen_plan_row(p, inst, gen_plan_at(p, day, 9, 17), GEN_REF(mem[k]),
                                 GEN_REF(mem[(k + 1) % len]), c, CH_WIRE_DOMESTIC,
                                 p->pop->acc[mem[k]].city);
        w->memo_kind = MK_INVOICE;
        w->memo_arg = 2000 + gen_rng_below(&p->r, 8000);
        cut = SUB(p) ? 0.09 * gen_rng_unit(&p->r) : cut + 0.005 + 0.015 * gen_rng_unit(&p->r);
        day += 1 + gen_rng_below(&p->r, (guint32)MAX(gap, 1));
    }
}

/* HT-ML-09/10: a front business paying in cash beyond its size and taking
 * card payments in the small hours. */
static void front(GenPlan *p)
{
    guint32 i9 = gen_plan_instance(p, "HT-ML-09", SC_FRONT);
    guint32 i10 = gen_plan_instance(p, "HT-ML-10", SC_FRONT);
    static const int kinds[] = {B_MASSAGE, B_MASSAGE, B_NAILS, B_RESTAURANT};
    guint32 f;
    for (int tries = 0; tries < 50; tries++)
        if (gen_pop_pick(p->pop, kinds[gen_rng_below(&p->r, G_N_ELEMENTS(kinds))], -1, &p->r, &f) &&
            !(p->pop->acc[f].flags & ACC_USED))
            break;
    p->pop->acc[f].flags |= ACC_USED;
    guint32 owner = gen_plan_person(p, P_EMPLOYEE);
    gen_plan_role(p, i9, GEN_REF(f), R_FRONT);
    gen_plan_role(p, i9, GEN_REF(owner), R_CONTROLLER);
    gen_plan_role(p, i10, GEN_REF(f), R_FRONT);
    const GenAccount *a = &p->pop->acc[f];
    int span = SUB(p) ? 30 : 45, city = a->city;
    gint64 d0 = gen_plan_start(p, span + 1);
    /* cash: 3-4x (textbook) or 2.2-2.5x (subtle) the declared monthly income */
    double mult = SUB(p) ? 2.2 + 0.3 * gen_rng_unit(&p->r) : 3.0 + gen_rng_unit(&p->r);
    gint64 target = (gint64)(a->income * 100.0 * mult * span / 30.0), sum = 0;
    for (int k = 0; sum < target; k++) {
        gint64 day = d0 + (gint64)k * 2 % span, c = gen_plan_cents(p, 1200, 4500, 1000);
        gen_plan_row(p, i9, gen_plan_at(p, day, 9, 17), 0, GEN_REF(f), c, CH_CASH_DEPOSIT, city);
        sum += c;
    }
    for (int wk = 0; wk < span / 7; wk++)
        gen_plan_row(p, i9, gen_plan_at(p, d0 + wk * 7 + 6, 10, 18), GEN_REF(f), GEN_REF(owner),
                     (gint64)(sum * 0.2 * 7 / span) / 1000 * 1000 + 1000, CH_TRANSFER, city);
    /* card takings between 00:00 and 05:00 */
    for (int wk = 0; wk < span / 7; wk++) {
        int n = SUB(p) ? (wk == 0 ? 10 + (int)gen_rng_below(&p->r, 2)
                                  : 3 + (int)gen_rng_below(&p->r, 4))
                       : 15 + (int)gen_rng_below(&p->r, 6);
        for (int k = 0; k < n; k++) {
            gint64 day = d0 + wk * 7 + (k % 6);
            guint32 client = gen_plan_client(p);
            GenRow *w = gen_plan_row(p, i10, gen_plan_at(p, day, 0, 5), GEN_REF(client), GEN_REF(f),
                                     gen_plan_cents(p, 60, 250, 500), CH_CARD, city);
            w->mcc = gen_types[a->type].mcc;
            gen_memo_merchant(p->pop, w);
        }
    }
}

/* HT-ML-15: >= 3 remittances in [2,500, 3,000) within 7 days. */
static void remit_structuring(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-15", SC_ML15);
    guint32 s = gen_plan_person(p, P_MIGRANT);
    gen_plan_role(p, inst, GEN_REF(s), R_SENDER);
    int n = SUB(p) ? 3 : 3 + (int)gen_rng_below(&p->r, 3);
    gint64 d0 = gen_plan_start(p, 8);
    const char *cc = gen_plan_country(p, gen_source_countries);
    for (int k = 0; k < n; k++) {
        gint64 day = d0 + (SUB(p) ? k * 3 : k);
        if (k == n - 1 && SUB(p))
            day = d0 + 6;
        GenRef x = gen_rng_chance(&p->r, 0.5) || k == 0 ? gen_plan_foreign(p, cc) : 0;
        if (!x)
            x = g_array_index(p->rows, GenRow, p->rows->len - 1).to;
        gint64 c =
            SUB(p) ? gen_plan_cents(p, 2500, 2640, 1000) : gen_plan_cents(p, 2600, 2990, 1000);
        gint64 t = SUB(p) && k == n - 1 ? gen_plan_at(p, day, 8, 9) : gen_plan_at(p, day, 9, 18);
        if (SUB(p) && k == 0)
            t = gen_plan_at(p, day, 17, 18);
        GenRow *w =
            gen_plan_row(p, inst, t, GEN_REF(s), x, c, CH_REMITTANCE,
                         k % 2 ? gen_plan_other_city(p, home_of(p, s), FALSE) : home_of(p, s));
        w->cc = (guint8)(gen_country_index(cc) + 1);
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_FAMILY;
    }
}

void gen_typology_ml(GenPlan *p, int scenario)
{
    switch (scenario) {
    case SC_ML01:
        structuring(p);
        break;
    case SC_ML02:
        funnel(p);
        break;
    case SC_ML03:
        pass_through(p);
        break;
    case SC_ML04:
        fan_in(p);
        break;
    case SC_ML05:
        fan_out(p);
        break;
    case SC_ML06:
        victim_funnel(p);
        break;
    case SC_ML06SG:
        scatter_gather(p);
        break;
    case SC_ML04GS:
        gather_scatter(p);
        break;
    case SC_ML07:
        cycle(p);
        break;
    case SC_FRONT:
        front(p);
        break;
    case SC_ML15:
        remit_structuring(p);
        break;
    default:
        g_assert_not_reached();
    }
}
