/* gen_blind.c: mtgen --blind, planted laundering whose every shape is drawn
 * from the wide distributions of gen_blind_shapes.c.
 *
 * Each instance draws its own span (a day to two years), base amount (a few
 * euros to tens of thousands), number of participants, channels, timing and
 * the life of each participant's account: living normally around the
 * laundering, otherwise quiet, silent until the scheme starts, or opened for
 * it. Cycles may run in any time order with legs that change by up to 800%.
 * Instances are labelled with the typology names of docs/indicators.md so that
 * `moneytrail backtest` can score them; the shapes owe nothing to the rules.
 * All randomness comes from the plan's stream, so --seed decides everything. */
#include "gen_blind.h"

#include <math.h>
#include <string.h>

double gen_blind_draw(GenPlan *p, int k)
{
    const GenBlindShape *s = &gen_blind_shapes[k];
    double u = gen_rng_unit(&p->r);
    switch (s->dist) {
    case GEN_DIST_LOG:
        return s->lo * exp(u * log(s->hi / s->lo));
    case GEN_DIST_UNIFORM:
        return s->lo + u * (s->hi - s->lo);
    default:
        return s->lo;
    }
}

int gen_blind_count(GenPlan *p, int k)
{
    const GenBlindShape *s = &gen_blind_shapes[k];
    if (s->dist == GEN_DIST_UNIFORM)
        return (int)gen_rng_range(&p->r, (gint64)s->lo, (gint64)s->hi);
    return (int)lround(gen_blind_draw(p, k));
}

static gboolean chance_of(GenPlan *p, int k)
{
    return gen_rng_chance(&p->r, gen_blind_shapes[k].lo);
}

/* Euros to cents, at least one cent; amounts of people are often round. */
static gint64 cents_of(GenPlan *p, double eur)
{
    gint64 c = (gint64)llround(eur * 100);
    static const gint64 units[] = {1, 100, 1000, 5000, 10000};
    gint64 u = units[gen_rng_below(&p->r, G_N_ELEMENTS(units))];
    if (c >= 4 * u)
        c = c / u * u;
    return MAX(c, 1);
}

/* A random instant on local day day: mostly waking hours, sometimes any. */
static gint64 at_day(GenPlan *p, gint64 day)
{
    return gen_rng_chance(&p->r, 0.8) ? gen_plan_at(p, day, 7, 23) : gen_plan_at(p, day, 0, 24);
}

/* A random instant within [d0, d0 + span] days. */
static gint64 within(GenPlan *p, gint64 d0, int span)
{
    return at_day(p, d0 + gen_rng_range(&p->r, 0, span));
}

/* The span and first day of a new instance. */
static int new_span(GenPlan *p, gint64 *d0)
{
    int span = MAX(1, gen_blind_count(p, BS_SPAN));
    *d0 = gen_plan_start(p, span + 1);
    return span;
}

/* Gives account i the life of a participant of a scheme starting on d0:
 * living normally (the default), quiet, silent until d0, or opened at d0. */
static void give_life(GenPlan *p, guint32 i, gint64 d0)
{
    GenAccount *a = &p->pop->acc[i];
    gint64 rel = d0 - p->opt->start_day;
    double u = gen_rng_unit(&p->r), q = gen_blind_shapes[BS_LIFE_QUIET].lo;
    double dm = q + gen_blind_shapes[BS_LIFE_DORMANT].lo;
    double nw = dm + gen_blind_shapes[BS_LIFE_NEW].lo;
    if (u < q)
        a->flags |= ACC_QUIET;
    else if (u < dm)
        a->wake_day = (gint16)CLAMP(rel, 0, 30000);
    else if (u < nw && rel > 0)
        a->open_day = (gint16)MIN(rel - (gint64)gen_rng_below(&p->r, 5), 30000);
}

/* A participant: a person or, for network members, sometimes a business. */
static guint32 member(GenPlan *p, gint64 d0, gboolean may_be_business)
{
    static const int shells[] = {B_WHOLESALE, B_OFFICE,    B_CONSTRUCTION, B_CLEANING,
                                 B_AGENCY,    B_CARDEALER, B_RESTAURANT};
    static const int people[] = {P_EMPLOYEE, P_EMPLOYEE, P_STUDENT,
                                 P_MIGRANT,  P_RETIREE,  P_TRAVELLER};
    gboolean biz = may_be_business && chance_of(p, BS_BUSINESS);
    int t = biz ? shells[gen_rng_below(&p->r, G_N_ELEMENTS(shells))]
                : people[gen_rng_below(&p->r, G_N_ELEMENTS(people))];
    if (!p->pop->n_type[t])
        t = P_EMPLOYEE;
    guint32 i = gen_pop_pick_free(p->pop, t, &p->r);
    p->pop->acc[i].flags |= ACC_USED;
    give_life(p, i, d0);
    return i;
}

/* A beneficiary abroad in any country (source countries twice as likely). */
static GenRef abroad(GenPlan *p, int *cc)
{
    const char *code = gen_rng_chance(&p->r, 0.5)
                           ? gen_plan_country(p, gen_source_countries)
                           : gen_countries[gen_rng_below(&p->r, gen_n_countries)].code;
    *cc = gen_country_index(code);
    return gen_plan_foreign(p, code);
}

/* A domestic transfer channel. */
static int domestic_channel(GenPlan *p)
{
    static const int ch[] = {CH_TRANSFER, CH_TRANSFER, CH_WIRE_DOMESTIC, CH_WIRE_DOMESTIC,
                             CH_CHEQUE,   CH_OTHER,    CH_CRYPTO};
    return ch[gen_rng_below(&p->r, G_N_ELEMENTS(ch))];
}

/* A payment between two references at t; foreign ends get an international
 * channel and a country. */
static GenRow *pay(GenPlan *p, guint32 inst, gint64 t, GenRef from, GenRef to, gint64 cents)
{
    gboolean fx = (from && GEN_REF_IS_X(from)) || (to && GEN_REF_IS_X(to));
    int ch = fx ? (gen_rng_chance(&p->r, 0.5) ? CH_WIRE_INTERNATIONAL : CH_REMITTANCE)
                : domestic_channel(p);
    GenRef home = from && !GEN_REF_IS_X(from) ? from : to;
    int city = home && !GEN_REF_IS_X(home) ? p->pop->acc[GEN_REF_IDX(home)].city : 0;
    GenRow *w = gen_plan_row(p, inst, t, from, to, cents, ch, city);
    GenRef x = fx ? (GEN_REF_IS_X(from) ? from : to) : 0;
    if (x)
        w->cc = (guint8)(GEN_REF_X_CC(x) + 1);
    return w;
}

/* A counterparty of a fan: domestic member, or abroad. */
static GenRef counterparty(GenPlan *p, guint32 inst, gint64 d0, int role)
{
    int cc;
    if (chance_of(p, BS_ABROAD)) {
        GenRef x = abroad(p, &cc);
        gen_plan_role(p, inst, x, role);
        return x;
    }
    GenRef r = GEN_REF(member(p, d0, TRUE));
    gen_plan_role(p, inst, r, role);
    return r;
}

static gint64 amount(GenPlan *p, double base)
{
    return cents_of(p, base * gen_blind_draw(p, BS_JITTER));
}

/* HT-ML-07: n accounts pass money round; hop times are drawn independently
 * within the span (in time order only in a share of the cycles), each leg
 * changes the amount by a factor up to 1 + change either way. */
static void cycle(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-07", SC_ML07);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_CYCLE_LEN);
    int rounds = gen_blind_count(p, BS_CYCLE_ROUNDS);
    double change = gen_blind_draw(p, BS_CYCLE_CHANGE), base = gen_blind_draw(p, BS_AMOUNT);
    gboolean ordered = chance_of(p, BS_CYCLE_ORDER);
    GenRef m[10];
    for (int k = 0; k < n; k++) {
        m[k] = GEN_REF(member(p, d0, TRUE));
        gen_plan_role(p, inst, m[k], R_MEMBER);
    }
    for (int r = 0; r < rounds; r++) {
        gint64 t[10];
        for (int k = 0; k < n; k++)
            t[k] = within(p, d0, span);
        for (int k = 1; ordered && k < n; k++) /* insertion sort of a few hops */
            for (int j = k; j > 0 && t[j - 1] > t[j]; j--) {
                gint64 s = t[j];
                t[j] = t[j - 1];
                t[j - 1] = s;
            }
        double a = base;
        for (int k = 0; k < n; k++) {
            pay(p, inst, t[k], m[k], m[(k + 1) % n], cents_of(p, a));
            double f = exp((2 * gen_rng_unit(&p->r) - 1) * log1p(change));
            a = CLAMP(a * f, 1.0, 200000.0);
        }
    }
}

/* Money out of a collector: onward transfers, wires abroad or cash. */
static void drain(GenPlan *p, guint32 inst, guint32 hub, gint64 from_t, gint64 last_t, gint64 cents)
{
    int n = gen_blind_count(p, BS_MULE_OUT);
    for (int k = 0; k < n && cents > 100; k++) {
        gint64 part =
            k == n - 1 ? cents : cents / (n - k) * (gint64)(50 + gen_rng_below(&p->r, 100)) / 100;
        part = MIN(part, cents);
        gint64 t = from_t + (gint64)(gen_blind_draw(p, BS_PASS_DELAY) * 3600);
        t = MAX(t, last_t);
        if (gen_rng_chance(&p->r, 0.3))
            gen_plan_row(p, inst, t, GEN_REF(hub), 0, part,
                         gen_rng_chance(&p->r, 0.5) ? CH_ATM_WITHDRAWAL : CH_CASH_WITHDRAWAL,
                         p->pop->acc[hub].city);
        else
            pay(p, inst, t, GEN_REF(hub), counterparty(p, inst, t / GEN_DAY, R_BENEFICIARY), part);
        cents -= part;
    }
}

/* HT-ML-04: 2-11 senders pay one collector, each 1-9 times, over the span;
 * the collector may move part of it on afterwards. */
static void fan_in(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-04", SC_ML04);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_FAN_N);
    double base = gen_blind_draw(p, BS_AMOUNT);
    guint32 hub = member(p, d0, TRUE);
    gen_plan_role(p, inst, GEN_REF(hub), R_CONTROLLER);
    gint64 total = 0, last = 0;
    for (int s = 0; s < n; s++) {
        GenRef from = counterparty(p, inst, d0, R_SENDER);
        int pays = gen_blind_count(p, BS_FAN_PAYS);
        for (int k = 0; k < pays; k++) {
            gint64 t = within(p, d0, span), c = amount(p, base);
            pay(p, inst, t, from, GEN_REF(hub), c);
            total += c;
            last = MAX(last, t);
        }
    }
    if (gen_rng_chance(&p->r, 0.6))
        drain(p, inst, hub, last, last, (gint64)(total * gen_blind_draw(p, BS_FAN_EXIT)));
}

/* HT-ML-05: a hub funded by a few inflows pays 2-11 beneficiaries, domestic
 * or abroad, 1-9 times each, over the span. */
static void fan_out(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-05", SC_ML05);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_FANOUT_N);
    double base = gen_blind_draw(p, BS_AMOUNT);
    guint32 hub = member(p, d0, TRUE);
    gen_plan_role(p, inst, GEN_REF(hub), R_CONTROLLER);
    gint64 total = 0;
    for (int b = 0; b < n; b++) {
        GenRef to = counterparty(p, inst, d0, R_BENEFICIARY);
        int pays = gen_blind_count(p, BS_FAN_PAYS);
        for (int k = 0; k < pays; k++) {
            gint64 c = amount(p, base);
            pay(p, inst, within(p, d0, span), GEN_REF(hub), to, c);
            total += c;
        }
    }
    /* the funding: cash or one to three transfers around the start */
    int nf = 1 + (int)gen_rng_below(&p->r, 3);
    for (int k = 0; k < nf; k++) {
        gint64 t = at_day(p, d0), c = total / nf + 100;
        if (gen_rng_chance(&p->r, 0.4))
            gen_plan_row(p, inst, t, 0, GEN_REF(hub), c, CH_CASH_DEPOSIT, p->pop->acc[hub].city);
        else
            pay(p, inst, t, counterparty(p, inst, d0, R_SENDER), GEN_REF(hub), c);
    }
}

/* HT-ML-04-GS: senders into a hub, which pays beneficiaries after each inflow. */
static void gather_scatter(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-04-GS", SC_ML04GS);
    gint64 d0;
    int span = new_span(p, &d0), ni = gen_blind_count(p, BS_GS_IN);
    int no = gen_blind_count(p, BS_GS_OUT);
    double base = gen_blind_draw(p, BS_AMOUNT), share = gen_blind_draw(p, BS_PASS_SHARE);
    guint32 hub = member(p, d0, TRUE);
    gen_plan_role(p, inst, GEN_REF(hub), R_CONTROLLER);
    GenRef out[12];
    for (int k = 0; k < no; k++)
        out[k] = counterparty(p, inst, d0, R_BENEFICIARY);
    for (int s = 0; s < ni; s++) {
        GenRef from = counterparty(p, inst, d0, R_SENDER);
        gint64 t = within(p, d0, span), c = amount(p, base);
        pay(p, inst, t, from, GEN_REF(hub), c);
        gint64 t2 = t + (gint64)(gen_blind_draw(p, BS_PASS_DELAY) * 3600);
        pay(p, inst, t2, GEN_REF(hub), out[gen_rng_below(&p->r, (guint32)no)],
            MAX(1, (gint64)(c * share)));
    }
    for (int k = 0; k < no; k++) /* every beneficiary is paid at least once */
        pay(p, inst, within(p, d0, span) + GEN_DAY, GEN_REF(hub), out[k], amount(p, base * share));
}

/* HT-ML-06-SG: one source pays 2-10 intermediaries, each passes a share on
 * to one sink after a delay. */
static void scatter_gather(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-06-SG", SC_ML06SG);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_SG_MID);
    double base = gen_blind_draw(p, BS_AMOUNT);
    GenRef src = counterparty(p, inst, d0, R_SENDER);
    guint32 sink = member(p, d0, TRUE);
    gen_plan_role(p, inst, GEN_REF(sink), R_CONTROLLER);
    for (int k = 0; k < n; k++) {
        guint32 m = member(p, d0, FALSE);
        gen_plan_role(p, inst, GEN_REF(m), R_MULE);
        gint64 t = within(p, d0, span), c = amount(p, base);
        pay(p, inst, t, src, GEN_REF(m), c);
        gint64 t2 = t + (gint64)(gen_blind_draw(p, BS_PASS_DELAY) * 3600);
        pay(p, inst, t2, GEN_REF(m), GEN_REF(sink),
            MAX(1, (gint64)(c * gen_blind_draw(p, BS_PASS_SHARE))));
    }
}

/* HT-ML-03: a mule account takes money in from 1-6 sources per round and
 * passes most of it on, in 1-12 rounds over the span. */
static void pass_through(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-03", SC_ML03);
    gint64 d0;
    int span = new_span(p, &d0), rounds = gen_blind_count(p, BS_MULE_ROUNDS);
    double base = gen_blind_draw(p, BS_AMOUNT);
    guint32 m = member(p, d0, FALSE);
    gen_plan_role(p, inst, GEN_REF(m), R_MULE);
    for (int r = 0; r < rounds; r++) {
        gint64 t0 = within(p, d0, span), in = 0, last = t0;
        int ns = gen_blind_count(p, BS_MULE_IN);
        for (int s = 0; s < ns; s++) {
            gint64 t = t0 + (gint64)gen_rng_below(&p->r, 3 * GEN_DAY), c = amount(p, base);
            if (gen_rng_chance(&p->r, 0.2))
                gen_plan_row(p, inst, t, 0, GEN_REF(m), c, CH_CASH_DEPOSIT, p->pop->acc[m].city);
            else
                pay(p, inst, t, counterparty(p, inst, d0, R_SENDER), GEN_REF(m), c);
            in += c;
            last = MAX(last, t);
        }
        drain(p, inst, m, last, last, (gint64)(in * gen_blind_draw(p, BS_MULE_SHARE)));
    }
}

/* n cash deposits into m over [d0, d0 + span] in the given cities, then a
 * share moved on. Amounts: around base, or each drawn afresh when base is
 * 0; atm is the share paid in at ATMs. */
static void cash_in(GenPlan *p, guint32 inst, guint32 m, gint64 d0, int span, int n,
                    const int *cities, int nc, double base, double atm)
{
    gint64 total = 0, last = 0;
    for (int k = 0; k < n; k++) {
        gint64 t = gen_plan_at(p, d0 + gen_rng_range(&p->r, 0, span), 8, 19);
        gint64 c = base > 0 ? amount(p, base) : cents_of(p, gen_blind_draw(p, BS_CASH_AMOUNT));
        gen_plan_row(p, inst, t, 0, GEN_REF(m), c,
                     gen_rng_chance(&p->r, atm) ? CH_ATM_DEPOSIT : CH_CASH_DEPOSIT,
                     cities[gen_rng_below(&p->r, (guint32)nc)]);
        total += c;
        last = MAX(last, t);
    }
    drain(p, inst, m, last, last, (gint64)(total * gen_blind_draw(p, BS_MULE_SHARE)));
}

/* HT-ML-01: 2-40 cash deposits at branches in 1-5 cities over the span,
 * then most of it moved on. */
static void structuring(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-01", SC_ML01);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_CASH_N);
    int nc = gen_blind_count(p, BS_CASH_CITIES), cities[8];
    guint32 m = member(p, d0, TRUE);
    gen_plan_role(p, inst, GEN_REF(m), R_MULE);
    cities[0] = p->pop->acc[m].city;
    for (int k = 1; k < nc; k++)
        cities[k] = gen_plan_other_city(p, cities[0], FALSE);
    cash_in(p, inst, m, d0, span, n, cities, nc, 0, 0.3);
}

/* HT-ML-02: cash paid into one account in 2-7 other cities, then out. */
static void funnel(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-ML-02", SC_ML02);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_FUNNEL_N);
    int nc = gen_blind_count(p, BS_FUNNEL_CITIES), cities[8];
    double base = gen_blind_draw(p, BS_CASH_AMOUNT);
    guint32 m = member(p, d0, TRUE);
    gen_plan_role(p, inst, GEN_REF(m), R_MULE);
    for (int k = 0; k < nc; k++)
        cities[k] = gen_plan_other_city(p, p->pop->acc[m].city, gen_rng_chance(&p->r, 0.7));
    cash_in(p, inst, m, d0, span, n, cities, nc, base, 0);
}

/* A card payment of c to a merchant of one of the types, in city (or the
 * merchant's own city when city < 0). */
static void card(GenPlan *p, guint32 inst, gint64 t, guint32 c, const int *types, int nt, int city,
                 gint64 cents)
{
    guint32 m;
    int t0 = types[gen_rng_below(&p->r, (guint32)nt)];
    if (!gen_pop_pick(p->pop, t0, city, &p->r, &m))
        return;
    const GenAccount *ma = &p->pop->acc[m];
    GenRow *w = gen_plan_row(p, inst, t, GEN_REF(c), GEN_REF(m), cents, CH_CARD,
                             city >= 0 ? city : ma->city);
    w->mcc = gen_types[ma->type].mcc;
    gen_memo_merchant(p->pop, w);
    if (ma->city >= GEN_CITY_FOREIGN)
        w->cc = (guint8)(ma->city - GEN_CITY_FOREIGN + 1);
}

/* HT-SEX-01: adverts bought by the controller, 2-30 over the span. */
static void ads(GenPlan *p)
{
    static const int types[] = {B_ADVERT, B_DIRECTMKT, B_DATING, B_ONLINE};
    guint32 inst = gen_plan_instance(p, "HT-SEX-01", SC_SEXADS);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_ADS_N);
    double price = gen_blind_draw(p, BS_ADS_AMOUNT);
    guint32 c = member(p, d0, FALSE);
    gen_plan_role(p, inst, GEN_REF(c), R_CONTROLLER);
    for (int k = 0; k < n; k++)
        card(p, inst, gen_plan_at(p, d0 + gen_rng_range(&p->r, 0, span), 0, 24), c, types,
             G_N_ELEMENTS(types), -1, cents_of(p, price * (0.5 + gen_rng_unit(&p->r))));
}

/* HT-SEX-02: hotel nights in 1-6 cities, paid in the evening or at night. */
static void hotels(GenPlan *p)
{
    static const int types[] = {B_HOTEL};
    guint32 inst = gen_plan_instance(p, "HT-SEX-02", SC_SEXADS);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_HOTEL_N);
    int nc = gen_blind_count(p, BS_HOTEL_CITIES), cities[8];
    guint32 c = member(p, d0, FALSE);
    gen_plan_role(p, inst, GEN_REF(c), R_CONTROLLER);
    for (int k = 0; k < nc; k++)
        cities[k] = k ? gen_plan_other_city(p, p->pop->acc[c].city, FALSE) : p->pop->acc[c].city;
    for (int k = 0; k < n; k++) {
        gint64 day = d0 + gen_rng_range(&p->r, 0, span);
        gint64 t =
            gen_rng_chance(&p->r, 0.7) ? gen_plan_night(p, day) : gen_plan_at(p, day, 12, 22);
        card(p, inst, t, c, types, 1, cities[gen_rng_below(&p->r, (guint32)nc)],
             cents_of(p, gen_blind_draw(p, BS_HOTEL_AMOUNT)));
    }
}

/* HT-SEX-04: cash paid in at ATMs late in the evening or at night. */
static void night_cash(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-SEX-04", SC_SEXADS);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_NIGHT_N);
    guint32 c = member(p, d0, FALSE);
    gen_plan_role(p, inst, GEN_REF(c), R_CONTROLLER);
    for (int k = 0; k < n; k++) {
        gint64 day = d0 + gen_rng_range(&p->r, 0, span);
        gint64 t =
            gen_rng_chance(&p->r, 0.8) ? gen_plan_night(p, day) : gen_plan_at(p, day, 19, 22);
        gen_plan_row(p, inst, t, 0, GEN_REF(c), cents_of(p, gen_blind_draw(p, BS_NIGHT_AMOUNT)),
                     CH_ATM_DEPOSIT,
                     gen_rng_chance(&p->r, 0.7)
                         ? p->pop->acc[c].city
                         : gen_plan_other_city(p, p->pop->acc[c].city, FALSE));
    }
}

/* HT-LAB-01: an employer's wages of 2-11 workers end in one account:
 * paid there directly, or paid to the worker and swept on within days. */
static void wages(GenPlan *p)
{
    static const int employers[] = {B_CONSTRUCTION, B_CLEANING, B_HOTEL, B_AGENCY, B_RESTAURANT};
    static const int periods[] = {7, 14, 30};
    guint32 inst = gen_plan_instance(p, "HT-LAB-01", SC_LAB);
    int runs = gen_blind_count(p, BS_WAGE_RUNS), period = periods[gen_rng_below(&p->r, 3)];
    int n = gen_blind_count(p, BS_WAGE_WORKERS);
    gint64 d0 = gen_plan_start(p, runs * period + 3);
    guint32 e;
    if (!gen_pop_pick(p->pop, employers[gen_rng_below(&p->r, G_N_ELEMENTS(employers))], -1, &p->r,
                      &e))
        return;
    guint32 c = member(p, d0, FALSE);
    gen_plan_role(p, inst, GEN_REF(c), R_CONTROLLER);
    gen_plan_role(p, inst, GEN_REF(e), R_FRONT);
    for (int k = 0; k < n; k++) {
        guint32 w = member(p, d0, FALSE);
        p->pop->acc[w].flags |= ACC_NO_PAYROLL;
        gen_plan_role(p, inst, GEN_REF(w), R_VICTIM);
        gboolean direct = chance_of(p, BS_WAGE_DIRECT);
        double wage = gen_blind_draw(p, BS_WAGE_AMOUNT);
        for (int r = 0; r < runs; r++) {
            gint64 t = gen_plan_at(p, d0 + (gint64)r * period, 6, 18);
            gint64 cents = cents_of(p, wage * (0.85 + 0.3 * gen_rng_unit(&p->r)));
            GenRow *row = gen_plan_row(p, inst, t, GEN_REF(e), GEN_REF(direct ? c : w), cents,
                                       CH_ACH_PAYROLL, p->pop->acc[e].city);
            row->memo_kind = MK_SALARY_FOR;
            row->memo_arg = w;
            if (!direct)
                pay(p, inst, t + (gint64)(gen_blind_draw(p, BS_PASS_DELAY) * 3600) % (5 * GEN_DAY),
                    GEN_REF(w), GEN_REF(c),
                    MAX(1, (gint64)(cents * gen_blind_draw(p, BS_MULE_SHARE))));
        }
    }
}

/* HT-CHD-02: small remittances of one sender to 1-5 beneficiaries abroad. */
static void small_remittances(GenPlan *p)
{
    guint32 inst = gen_plan_instance(p, "HT-CHD-02", SC_CHD);
    gint64 d0;
    int span = new_span(p, &d0), n = gen_blind_count(p, BS_REMIT_N);
    int nb = gen_blind_count(p, BS_REMIT_BENEF), cc;
    double base = gen_blind_draw(p, BS_REMIT_AMOUNT);
    guint32 s = member(p, d0, FALSE);
    gen_plan_role(p, inst, GEN_REF(s), R_SENDER);
    GenRef b[5];
    for (int k = 0; k < nb; k++) {
        b[k] = abroad(p, &cc);
        gen_plan_role(p, inst, b[k], R_BENEFICIARY);
    }
    for (int k = 0; k < n; k++) {
        GenRef x = b[gen_rng_below(&p->r, (guint32)nb)];
        GenRow *w = gen_plan_row(p, inst, within(p, d0, span), GEN_REF(s), x,
                                 cents_of(p, base * (0.5 + gen_rng_unit(&p->r))),
                                 gen_rng_chance(&p->r, 0.8) ? CH_REMITTANCE : CH_WIRE_INTERNATIONAL,
                                 p->pop->acc[s].city);
        w->cc = (guint8)(GEN_REF_X_CC(x) + 1);
    }
}

static const struct {
    const char *key;
    void (*plant)(GenPlan *p);
} blind_typologies[] = {
    {"HT-ML-07", cycle},
    {"HT-ML-04", fan_in},
    {"HT-ML-05", fan_out},
    {"HT-ML-04-GS", gather_scatter},
    {"HT-ML-06-SG", scatter_gather},
    {"HT-ML-03", pass_through},
    {"HT-ML-01", structuring},
    {"HT-ML-02", funnel},
    {"HT-SEX-01", ads},
    {"HT-SEX-02", hotels},
    {"HT-SEX-04", night_cash},
    {"HT-LAB-01", wages},
    {"HT-CHD-02", small_remittances},
};

void gen_blind_plan(GenPlan *p)
{
    for (guint k = 0; k < G_N_ELEMENTS(blind_typologies); k++) {
        int n = p->opt->blind_counts[k];
        for (int i = 0; i < n; i++)
            blind_typologies[k].plant(p);
    }
    gen_blind_benign(p);
    gen_plan_sort(p);
}

int gen_blind_typology(const char *key)
{
    for (guint k = 0; k < G_N_ELEMENTS(blind_typologies); k++)
        if (g_ascii_strcasecmp(key, blind_typologies[k].key) == 0)
            return (int)k;
    return -1;
}
