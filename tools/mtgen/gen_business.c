/* gen_business.c: one day of an ordinary business: cash takings paid in at
 * the branch or the night safe, supplier invoices, rent and bills,
 * advertising, invoices received from clients, petty cash.
 *
 * Card takings are not made here: they are the persons' card payments.
 * Payroll is made on the employee's side (gen_ordinary.c). The benign
 * look-alikes live here too: shops paying in cash every working day at
 * amounts far below the structuring band, bars using the night safe after
 * closing, businesses buying classified ads every month. */
#include "gen.h"

#include <math.h>

static gboolean has_suppliers(int t)
{
    switch (t) {
    case B_RESTAURANT:
    case B_FASTFOOD:
    case B_BAR:
    case B_HAIR:
    case B_NAILS:
    case B_MASSAGE:
    case B_SPA:
    case B_CONSTRUCTION:
    case B_HOTEL:
    case B_GROCERY:
    case B_APPAREL:
    case B_DRUGSTORE:
    case B_FUEL:
    case B_CLEANING:
    case B_JEWELLER:
    case B_CARDEALER:
        return TRUE;
    default:
        return FALSE;
    }
}

static gboolean invoices_in(int t)
{
    switch (t) {
    case B_CONSTRUCTION:
    case B_CLEANING:
    case B_AGENCY:
    case B_WHOLESALE:
    case B_OFFICE:
    case B_HOSPITAL:
    case B_REALESTATE:
    case B_UTILITY:
    case B_TELECOM:
    case B_ADVERT:
    case B_AIRLINE:
    case B_RAIL:
    case B_DOCTOR:
    case B_CARDEALER:
        return TRUE;
    default:
        return FALSE;
    }
}

static gboolean consumer_facing(int t)
{
    return gen_types[t].cash_share > 0;
}

/* Cash takings: large shops every working day, small ones twice a week. */
static void cash_takings(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    const GenType *ty = &gen_types[a->type];
    if (ty->cash_share <= 0 || day->wday == 6)
        return;
    double monthly = a->income * ty->cash_share;
    double p = monthly > 8000 ? 0.85 : monthly > 3000 ? 0.5 : 0.3;
    if (!gen_rng_chance(r, p))
        return;
    double per = monthly / (26.0 * p);
    gint64 c = gen_rng_lognormal_cents(r, per, 0.3);
    c = c > 100000 ? c / 1000 * 1000 : c / 500 * 500 + 500;
    int ch = CH_CASH_DEPOSIT, prof = HP_BRANCH;
    if (a->type == B_BAR) {
        ch = CH_ATM_DEPOSIT;
        prof = HP_LATE; /* night safe after closing */
    } else if (gen_rng_chance(r, 0.35)) {
        ch = CH_ATM_DEPOSIT;
        prof = HP_CLOSING;
    }
    if (day->wday == 5 && prof == HP_BRANCH)
        return;
    GenRow *w = gen_emit(rows, gen_time_at(day, prof, r), 0, GEN_REF(i), c, ch, a->city);
    w->memo_kind = MK_TEXT;
    w->memo_arg = MEMO_T_TAKINGS;
}

static void pay_supplier(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    if (!has_suppliers(a->type) || day->wday != (int)(gen_hash(i, 21) % 5))
        return;
    guint32 s;
    if (!gen_pop_pick(pop, B_WHOLESALE, a->city, r, &s))
        return;
    gint64 c = gen_rng_lognormal_cents(r, a->income * 0.3 / 4.3, 0.35);
    GenRow *w = gen_emit(rows, gen_time_at(day, HP_OFFICE, r), GEN_REF(i), GEN_REF(s), c,
                         CH_WIRE_DOMESTIC, a->city);
    w->memo_kind = MK_INVOICE;
    w->memo_arg = 10000 + gen_rng_below(r, 90000);
}

/* A random paying client: mostly another domestic business, else a person. */
static gboolean pick_client(const GenPop *pop, guint32 i, GenRng *r, guint32 *out)
{
    for (int tries = 0; tries < 4; tries++) {
        guint32 j = gen_rng_below(r, pop->n);
        const GenAccount *b = &pop->acc[j];
        if (j == i || b->city >= GEN_CITY_FOREIGN || b->type == B_PENSION)
            continue;
        if (!GEN_IS_BUSINESS(b->type) && (b->type == P_MINOR || tries < 2))
            continue;
        *out = j;
        return TRUE;
    }
    return FALSE;
}

static void invoice_in(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    if (!invoices_in(a->type) || day->wday >= 5)
        return;
    /* big firms get many invoices a day, small ones a few a month */
    double expected = MIN(a->income / 3000.0, 40.0) / 21.0;
    int n = (int)expected;
    if (gen_rng_chance(r, expected - n))
        n++;
    for (int k = 0; k < n; k++) {
        guint32 j;
        if (!pick_client(pop, i, r, &j))
            continue;
        gint64 c = gen_rng_lognormal_cents(r, 1800, 0.9);
        if (!GEN_IS_BUSINESS(pop->acc[j].type))
            c = gen_rng_lognormal_cents(r, 450, 0.8);
        GenRow *w = gen_emit(rows, gen_time_at(day, HP_OFFICE, r), GEN_REF(j), GEN_REF(i), c,
                             CH_WIRE_DOMESTIC, pop->acc[j].city);
        w->memo_kind = MK_INVOICE;
        w->memo_arg = 100000 + gen_rng_below(r, 900000);
    }
}

static void business_monthly(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    guint32 h = gen_hash(i, 23);
    GenRow *w;
    guint32 m;
    if (a->city >= GEN_CITY_FOREIGN)
        return;
    if (day->d == 1 + (int)(h % 3) && gen_pop_pick(pop, B_REALESTATE, a->city, r, &m) && m != i) {
        w = gen_emit(rows, gen_time_at(day, HP_EARLY, r), GEN_REF(i), GEN_REF(m), a->rent * 100LL,
                     CH_WIRE_DOMESTIC, a->city);
        w->memo_kind = MK_RENT;
        w->memo_arg = day->month_stamp;
    }
    if (day->d == 8 + (int)(h >> 4) % 15) {
        GenRef u = GEN_REF(pop->by_type[B_UTILITY][(h >> 8) % pop->n_type[B_UTILITY]]);
        w = gen_emit(rows, gen_time_at(day, HP_EARLY, r), GEN_REF(i), u,
                     gen_rng_lognormal_cents(r, 150 + a->income * 0.01, 0.3), CH_WIRE_DOMESTIC,
                     a->city);
        w->memo_kind = MK_TEXT;
        w->memo_arg = MEMO_T_UTILITIES;
    }
    if (consumer_facing(a->type) && (h >> 12) % 10 < 4 && day->d == 1 + (int)(h >> 16) % 28 &&
        gen_pop_pick(pop, B_ADVERT, a->city, r, &m)) {
        static const int price[] = {2900, 4900, 9900, 14900, 19900};
        w = gen_emit(rows, gen_time_at(day, HP_OFFICE, r), GEN_REF(i), GEN_REF(m),
                     price[(h >> 20) % 5], CH_CARD, pop->acc[m].city);
        w->mcc = 7311;
        gen_memo_merchant(pop, w);
    }
    if (consumer_facing(a->type) && gen_rng_chance(r, 0.03))
        gen_emit(rows, gen_time_at(day, HP_BRANCH, r), GEN_REF(i), 0,
                 (gint64)(2 + gen_rng_below(r, 9)) * 10000, CH_CASH_WITHDRAWAL, a->city);
}

void gen_business_day(GenPop *pop, guint32 i, const GenDay *day, GenRng *r, GArray *rows)
{
    const GenAccount *a = &pop->acc[i];
    if (a->city >= GEN_CITY_FOREIGN || a->type == B_PENSION)
        return;
    cash_takings(pop, i, day, r, rows);
    pay_supplier(pop, i, day, r, rows);
    invoice_in(pop, i, day, r, rows);
    business_monthly(pop, i, day, r, rows);
}
