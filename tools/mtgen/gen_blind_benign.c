/* gen_blind_benign.c: the unlabelled look-alikes of mtgen --blind, at the
 * scale of a real bank: subscription merchants with up to thousands of
 * weekly or monthly payers, landlords collecting rent, a payroll hub paying
 * hundreds of staff, friends paying each other back and forth (cycles),
 * relatives pooling money for a parent (forwarding chains), and families
 * sending money home (fan-in abroad). Their rows carry no instance id; they
 * run over the whole simulated period. Sizes come from gen_blind_shapes.c
 * and are capped by the population so that small runs stay small. */
#include "gen_blind.h"

#include <math.h>

/* Appends one benign row; t is clamped into the simulated period. */
static GenRow *benign(GenPlan *p, gint64 t, GenRef from, GenRef to, gint64 cents, int channel,
                      int city)
{
    gint64 lo = gen_local_to_utc(p->opt->start_day, 0);
    gint64 hi = gen_local_to_utc(p->opt->start_day + p->opt->days, 0) - 1;
    return gen_emit(p->rows, CLAMP(t, lo, hi), from, to, MAX(cents, 1), channel, city);
}

static gint64 eur(double e)
{
    return (gint64)llround(e * 100);
}

static int city_of(GenPlan *p, guint32 i)
{
    return p->pop->acc[i].city;
}

static guint32 persons(const GenPlan *p)
{
    guint32 n = 0;
    for (int t = 0; t < P_N; t++)
        n += p->pop->n_type[t];
    return n;
}

/* A person to take part in a benign pattern: not a laundering participant,
 * so that accounts silent until their scheme stay silent. */
static guint32 client(GenPlan *p)
{
    guint32 i = gen_plan_client(p);
    for (int tries = 0; tries < 20 && (p->pop->acc[i].flags & ACC_USED); tries++)
        i = gen_plan_client(p);
    return i;
}

/* A business of one of the types (any city), or a person when none exists. */
static guint32 business(GenPlan *p, const int *types, int n)
{
    guint32 b;
    if (gen_pop_pick(p->pop, types[gen_rng_below(&p->r, (guint32)n)], -1, &p->r, &b))
        return b;
    return client(p);
}

/* Weekly or monthly direct debits of up to thousands of payers to one
 * merchant, which pays its suppliers every week. */
static void subscriptions(GenPlan *p)
{
    static const int types[] = {B_ONLINE, B_TELECOM, B_SPA, B_UTILITY};
    guint32 m = business(p, types, G_N_ELEMENTS(types));
    int n = MIN(gen_blind_count(p, BS_SUB_PAYERS), (int)persons(p) / 2);
    int period = gen_rng_chance(&p->r, 0.5) ? 7 : 30, days = (int)p->opt->days;
    double fee = gen_blind_draw(p, BS_SUB_FEE);
    for (int k = 0; k < n; k++) {
        guint32 c = client(p);
        int join = gen_rng_chance(&p->r, 0.6) ? 0 : (int)gen_rng_below(&p->r, (guint32)days);
        int leave =
            gen_rng_chance(&p->r, 0.7) ? days : join + (int)gen_rng_below(&p->r, (guint32)days);
        gint64 f = eur(fee * (gen_rng_chance(&p->r, 0.3) ? 2 : 1));
        for (int d = join + (int)gen_rng_below(&p->r, (guint32)period); d < MIN(leave, days);
             d += period) {
            GenRow *w = benign(p, gen_plan_at(p, p->opt->start_day + d, 2, 6), GEN_REF(c),
                               GEN_REF(m), f, CH_TRANSFER, city_of(p, c));
            w->memo_kind = MK_INVOICE;
            w->memo_arg = (guint32)(c % 100000);
        }
    }
    guint32 sup[4];
    for (int k = 0; k < 4; k++)
        sup[k] = business(p, (const int[]){B_WHOLESALE, B_OFFICE}, 2);
    for (int d = 3; d < days; d += 7)
        for (int k = 0; k < 4; k++)
            benign(p, gen_plan_at(p, p->opt->start_day + d, 9, 16), GEN_REF(m), GEN_REF(sup[k]),
                   eur(fee * n * period / 30.0 * (0.05 + 0.1 * gen_rng_unit(&p->r))),
                   CH_WIRE_DOMESTIC, city_of(p, m));
}

/* A landlord collecting rent from tenants early each month and paying a
 * mortgage and upkeep. */
static void landlord(GenPlan *p)
{
    int n = gen_blind_count(p, BS_RENT_TENANTS), days = (int)p->opt->days;
    guint32 l =
        gen_rng_chance(&p->r, 0.5) ? business(p, (const int[]){B_REALESTATE}, 1) : client(p);
    guint32 bank = business(p, (const int[]){B_OFFICE}, 1);
    gint64 total = 0;
    for (int k = 0; k < n; k++) {
        guint32 t = client(p);
        gint64 rent = eur(round(gen_blind_draw(p, BS_RENT_AMOUNT) / 10) * 10);
        int due = 1 + (int)gen_rng_below(&p->r, 5);
        total += rent;
        for (int d = 0; d < days; d++) {
            int y, mo, dd;
            gen_civil_from_days(p->opt->start_day + d, &y, &mo, &dd);
            if (dd != due)
                continue;
            GenRow *w = benign(p, gen_plan_at(p, p->opt->start_day + d, 6, 20), GEN_REF(t),
                               GEN_REF(l), rent, CH_TRANSFER, city_of(p, t));
            w->memo_kind = MK_RENT;
            w->memo_arg = (guint32)(y * 100 + mo);
        }
    }
    for (int d = 14; d < days; d += 30)
        benign(p, gen_plan_at(p, p->opt->start_day + d, 8, 18), GEN_REF(l), GEN_REF(bank),
               total * (40 + (gint64)gen_rng_below(&p->r, 30)) / 100, CH_TRANSFER, city_of(p, l));
}

/* An employer paying hundreds of staff (a second job for them) every two
 * weeks or every month, funded by a few large client payments. */
static void payroll(GenPlan *p)
{
    static const int types[] = {B_HOSPITAL, B_WHOLESALE, B_CLEANING, B_OFFICE};
    guint32 e = business(p, types, G_N_ELEMENTS(types));
    int n = MIN(gen_blind_count(p, BS_PAY_STAFF), (int)persons(p) / 3);
    int period = gen_rng_chance(&p->r, 0.5) ? 14 : 30, days = (int)p->opt->days;
    gint64 bill = 0;
    for (int k = 0; k < n; k++) {
        guint32 s = client(p);
        gint64 wage = gen_rng_lognormal_cents(&p->r, 900.0 * period / 30, 0.4);
        bill += wage;
        for (int d = period - 1; d < days; d += period) {
            GenRow *w = benign(p, gen_plan_at(p, p->opt->start_day + d, 5, 7), GEN_REF(e),
                               GEN_REF(s), wage, CH_ACH_PAYROLL, city_of(p, e));
            w->memo_kind = MK_SALARY_FOR;
            w->memo_arg = s;
        }
    }
    guint32 clients[3];
    for (int k = 0; k < 3; k++)
        clients[k] = business(p, (const int[]){B_WHOLESALE, B_OFFICE, B_HOSPITAL}, 3);
    for (int d = 0; d < days; d += 7)
        for (int k = 0; k < 3; k++)
            benign(p, gen_plan_at(p, p->opt->start_day + d, 9, 16), GEN_REF(clients[k]), GEN_REF(e),
                   bill * 7 / period / 3 * (90 + (gint64)gen_rng_below(&p->r, 30)) / 100,
                   CH_WIRE_DOMESTIC, city_of(p, clients[k]));
}

/* Friends paying each other back: a few payments a month between random
 * pairs of the group, so that money goes round. */
static void friends(GenPlan *p)
{
    int n = gen_blind_count(p, BS_FRIENDS), days = (int)p->opt->days;
    guint32 f[8];
    for (int k = 0; k < n; k++)
        f[k] = client(p);
    double rate = (0.5 + 5.5 * gen_rng_unit(&p->r)) / 30;
    for (int d = 0; d < days; d++) {
        if (!gen_rng_chance(&p->r, rate))
            continue;
        int a = (int)gen_rng_below(&p->r, (guint32)n),
            b = (a + 1 + (int)gen_rng_below(&p->r, (guint32)n - 1)) % n;
        GenRow *w =
            benign(p, gen_plan_at(p, p->opt->start_day + d, 8, 24), GEN_REF(f[a]), GEN_REF(f[b]),
                   eur(gen_blind_draw(p, BS_FRIEND_AMOUNT)), CH_TRANSFER, city_of(p, f[a]));
        w->memo_kind = MK_TEXT;
        w->memo_arg = gen_rng_chance(&p->r, 0.5) ? MEMO_T_DINNER : MEMO_T_THANKS;
    }
}

/* Relatives pooling a monthly sum for a parent: each pays the organiser,
 * who passes most of it on within days, at home or abroad. */
static void family_pool(GenPlan *p)
{
    int n = gen_blind_count(p, BS_FAMILY), days = (int)p->opt->days;
    guint32 org = client(p), sib[6];
    for (int k = 0; k < n; k++)
        sib[k] = client(p);
    gboolean home = gen_rng_chance(&p->r, 0.5);
    GenRef parent =
        home ? GEN_REF(client(p)) : gen_plan_foreign(p, gen_plan_country(p, gen_source_countries));
    double each = gen_blind_draw(p, BS_HOME_AMOUNT);
    for (int d = (int)gen_rng_below(&p->r, 28); d < days; d += 30) {
        gint64 got = 0;
        for (int k = 0; k < n; k++) {
            gint64 c = eur(round(each));
            got += c;
            GenRow *w =
                benign(p, gen_plan_at(p, p->opt->start_day + d + gen_rng_below(&p->r, 3), 8, 22),
                       GEN_REF(sib[k]), GEN_REF(org), c, CH_TRANSFER, city_of(p, sib[k]));
            w->memo_kind = MK_TEXT;
            w->memo_arg = MEMO_T_FAMILY;
        }
        gint64 t = gen_plan_at(p, p->opt->start_day + d + 3 + gen_rng_below(&p->r, 8), 8, 22);
        GenRow *w =
            benign(p, t, GEN_REF(org), parent, got * (60 + (gint64)gen_rng_below(&p->r, 41)) / 100,
                   home ? CH_TRANSFER : CH_REMITTANCE, city_of(p, org));
        if (!home)
            w->cc = (guint8)(GEN_REF_X_CC(parent) + 1);
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_FAMILY;
    }
}

/* Migrant relatives each sending money home to one person abroad monthly. */
static void remittances_home(GenPlan *p)
{
    int n = 1 + (int)gen_rng_below(&p->r, 5), days = (int)p->opt->days;
    GenRef x = gen_plan_foreign(p, gen_plan_country(p, gen_source_countries));
    for (int k = 0; k < n; k++) {
        guint32 s =
            p->pop->n_type[P_MIGRANT]
                ? p->pop->by_type[P_MIGRANT][gen_rng_below(&p->r, p->pop->n_type[P_MIGRANT])]
                : client(p);
        double amt = gen_blind_draw(p, BS_HOME_AMOUNT);
        for (int d = (int)gen_rng_below(&p->r, 30); d < days;
             d += 28 + (int)gen_rng_below(&p->r, 6)) {
            GenRow *w = benign(p, gen_plan_at(p, p->opt->start_day + d, 9, 21), GEN_REF(s), x,
                               eur(round(amt * (0.8 + 0.4 * gen_rng_unit(&p->r)))), CH_REMITTANCE,
                               city_of(p, s));
            w->cc = (guint8)(GEN_REF_X_CC(x) + 1);
            w->memo_kind = MK_TEXT;
            w->memo_arg = MEMO_T_FAMILY;
        }
    }
}

void gen_blind_benign(GenPlan *p)
{
    guint32 a = p->opt->accounts;
    for (guint32 k = 0; k < MAX(1, a / 6000); k++)
        subscriptions(p);
    for (guint32 k = 0; k < MAX(1, a / 1500); k++)
        landlord(p);
    for (guint32 k = 0; k < MAX(1, a / 10000); k++)
        payroll(p);
    for (guint32 k = 0; k < MAX(2, a / 400); k++)
        friends(p);
    for (guint32 k = 0; k < MAX(1, a / 800); k++)
        family_pool(p);
    for (guint32 k = 0; k < MAX(1, a / 800); k++)
        remittances_home(p);
}
