/* gen_blind.h: mtgen --blind, planted laundering and benign look-alikes whose
 * shapes are drawn from wide distributions (gen_blind_shapes.c holds their
 * bounds, gen_blind.c plants the laundering, gen_blind_benign.c the benign
 * rows). Nothing here derives from the detection rules. */
#ifndef MT_GEN_BLIND_H
#define MT_GEN_BLIND_H

#include "gen.h"

#include <stdio.h>

enum { GEN_DIST_UNIFORM, GEN_DIST_LOG, GEN_DIST_FIXED };

/* One drawn quantity: its typology ("*" shared, "benign" unlabelled), what
 * it is, its unit, bounds and distribution, and why the range is realistic. */
typedef struct {
    const char *typology, *what, *unit;
    double lo, hi;
    int dist;
    const char *why;
} GenBlindShape;

enum {
    BS_AMOUNT,
    BS_JITTER,
    BS_SPAN,
    BS_LIFE_QUIET,
    BS_LIFE_DORMANT,
    BS_LIFE_NEW,
    BS_BUSINESS,
    BS_ABROAD,
    BS_CYCLE_LEN,
    BS_CYCLE_CHANGE,
    BS_CYCLE_ORDER,
    BS_CYCLE_ROUNDS,
    BS_FAN_N,
    BS_FAN_PAYS,
    BS_FAN_EXIT,
    BS_FANOUT_N,
    BS_GS_IN,
    BS_GS_OUT,
    BS_SG_MID,
    BS_PASS_SHARE,
    BS_PASS_DELAY,
    BS_MULE_IN,
    BS_MULE_OUT,
    BS_MULE_ROUNDS,
    BS_MULE_SHARE,
    BS_CASH_N,
    BS_CASH_AMOUNT,
    BS_CASH_CITIES,
    BS_FUNNEL_N,
    BS_FUNNEL_CITIES,
    BS_ADS_N,
    BS_ADS_AMOUNT,
    BS_HOTEL_N,
    BS_HOTEL_AMOUNT,
    BS_HOTEL_CITIES,
    BS_NIGHT_N,
    BS_NIGHT_AMOUNT,
    BS_WAGE_WORKERS,
    BS_WAGE_RUNS,
    BS_WAGE_AMOUNT,
    BS_WAGE_DIRECT,
    BS_REMIT_N,
    BS_REMIT_AMOUNT,
    BS_REMIT_BENEF,
    BS_SUB_PAYERS,
    BS_SUB_FEE,
    BS_RENT_TENANTS,
    BS_RENT_AMOUNT,
    BS_PAY_STAFF,
    BS_FRIENDS,
    BS_FRIEND_AMOUNT,
    BS_FAMILY,
    BS_HOME_AMOUNT,
    BS_N
};

extern const GenBlindShape gen_blind_shapes[BS_N];

/* Days --blind simulates at least: the longest span plus two weeks. */
#define GEN_BLIND_MIN_DAYS 744

/* Prints the shape table as CSV (gen_blind_shapes.c). */
void gen_blind_print_shapes(FILE *f);

/* Draws a real number from shape k (fixed: its lo). */
double gen_blind_draw(GenPlan *p, int k);
/* Draws an integer from shape k, rounded. */
int gen_blind_count(GenPlan *p, int k);
/* Plans every blind instance and the benign look-alikes; afterwards
 * p->rows is sorted by time (gen_blind.c). */
void gen_blind_plan(GenPlan *p);
/* Blind typologies (their --count keys), and the index of a key or -1. */
#define GEN_BLIND_N 13
int gen_blind_typology(const char *key);
/* Plants the unlabelled benign look-alikes (gen_blind_benign.c). */
void gen_blind_benign(GenPlan *p);

#endif
