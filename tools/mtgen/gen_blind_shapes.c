/* gen_blind_shapes.c: the one table of distribution bounds of mtgen --blind
 * (gen_blind.c draws every planted and benign shape from it).
 *
 * The bounds were chosen from how trafficking proceeds are laundered and how
 * real customers behave (case studies of mule networks, remittance corridors,
 * subscription and payroll volumes), without reference to any detection
 * rule. `mtgen --print-blind-shapes` prints the table; tools/mtgen/README.md
 * explains each row; tests/e2e/t_gen_blind.sh checks that no bound equals a
 * rule parameter. Invariant: lo <= hi, and log-uniform rows have lo > 0. */
#include "gen_blind.h"

#include <stdio.h>

/* clang-format off */
const GenBlindShape gen_blind_shapes[BS_N] = {
    /* shared by every laundering typology */
    [BS_AMOUNT]      = {"*", "base amount of a leg", "EUR", 3, 48000, GEN_DIST_LOG,
                        "petty cash to real-estate deposits"},
    [BS_JITTER]      = {"*", "factor on the base per payment", "x", 0.3, 3.3, GEN_DIST_LOG,
                        "payments of one scheme are rarely equal"},
    [BS_SPAN]        = {"*", "days from first to last row", "days", 1, 730, GEN_DIST_LOG,
                        "a weekend job to a two-year operation"},
    [BS_LIFE_QUIET]  = {"*", "share of participants otherwise quiet", "share", 0.22, 0.22,
                        GEN_DIST_FIXED, "mules recruited for the scheme"},
    [BS_LIFE_DORMANT]= {"*", "share silent until the scheme starts", "share", 0.18, 0.18,
                        GEN_DIST_FIXED, "bought or borrowed old accounts"},
    [BS_LIFE_NEW]    = {"*", "share opened when the scheme starts", "share", 0.17, 0.17,
                        GEN_DIST_FIXED, "accounts opened for the purpose"},
    [BS_BUSINESS]    = {"*", "share of network members that are businesses", "share", 0.16,
                        0.16, GEN_DIST_FIXED, "shell and front companies"},
    [BS_ABROAD]      = {"*", "share of counterparties abroad", "share", 0.27, 0.27,
                        GEN_DIST_FIXED, "source and transit countries and others"},
    /* networks */
    [BS_CYCLE_LEN]   = {"HT-ML-07", "accounts in the cycle", "count", 2, 10, GEN_DIST_UNIFORM,
                        "round-tripping through 2 to 10 hands"},
    [BS_CYCLE_CHANGE]= {"HT-ML-07", "largest change of a leg against the last", "x", 0, 8,
                        GEN_DIST_UNIFORM, "fees and splits and top-ups: 0 to 800%"},
    [BS_CYCLE_ORDER] = {"HT-ML-07", "share of cycles whose legs are in time order", "share",
                        0.35, 0.35, GEN_DIST_FIXED, "legs are often prepaid or booked late"},
    [BS_CYCLE_ROUNDS]= {"HT-ML-07", "times the cycle turns", "count", 1, 4, GEN_DIST_UNIFORM,
                        "some cycles repeat"},
    [BS_FAN_N]       = {"HT-ML-04", "senders into the collector", "count", 2, 11,
                        GEN_DIST_UNIFORM, "2-12 participants with the collector"},
    [BS_FAN_PAYS]    = {"HT-ML-04", "payments per counterparty", "count", 1, 9,
                        GEN_DIST_UNIFORM, "one-off to regular"},
    [BS_FAN_EXIT]    = {"HT-ML-04", "share of collected money moved on", "share", 0.38, 1.0,
                        GEN_DIST_UNIFORM, "some is spent or kept"},
    [BS_FANOUT_N]    = {"HT-ML-05", "beneficiaries paid", "count", 2, 11, GEN_DIST_UNIFORM,
                        "domestic and abroad on every transfer channel"},
    [BS_GS_IN]       = {"HT-ML-04-GS", "senders into the hub", "count", 2, 6, GEN_DIST_UNIFORM,
                        "hub with at most 12 accounts around it"},
    [BS_GS_OUT]      = {"HT-ML-04-GS", "beneficiaries of the hub", "count", 2, 5,
                        GEN_DIST_UNIFORM, "hub with at most 12 accounts around it"},
    [BS_SG_MID]      = {"HT-ML-06-SG", "intermediaries between source and sink", "count", 2, 10,
                        GEN_DIST_UNIFORM, "layering through 2-10 hands"},
    [BS_PASS_SHARE]  = {"HT-ML-06-SG", "share an intermediary passes on", "share", 0.45, 1.0,
                        GEN_DIST_UNIFORM, "mules keep a cut or spend some"},
    [BS_PASS_DELAY]  = {"HT-ML-06-SG", "hours before passing on", "hours", 0.2, 1200,
                        GEN_DIST_LOG, "at once to weeks later"},
    [BS_MULE_IN]     = {"HT-ML-03", "sources paying the mule per round", "count", 1, 6,
                        GEN_DIST_UNIFORM, "victims or buyers or other mules"},
    [BS_MULE_OUT]    = {"HT-ML-03", "destinations per round", "count", 1, 5, GEN_DIST_UNIFORM,
                        "onward transfer or wire abroad or cash"},
    [BS_MULE_ROUNDS] = {"HT-ML-03", "rounds of in and out", "count", 1, 12, GEN_DIST_UNIFORM,
                        "one-off to a standing mule"},
    [BS_MULE_SHARE]  = {"HT-ML-03", "share passed on per round", "share", 0.55, 1.0,
                        GEN_DIST_UNIFORM, "a cut is kept"},
    /* cash */
    [BS_CASH_N]      = {"HT-ML-01", "cash deposits", "count", 2, 40, GEN_DIST_UNIFORM,
                        "a few to many small deposits"},
    [BS_CASH_AMOUNT] = {"HT-ML-01", "amount of a deposit", "EUR", 150, 9900, GEN_DIST_LOG,
                        "kept below what the depositor fears is reported"},
    [BS_CASH_CITIES] = {"HT-ML-01", "branches' cities used", "count", 1, 5, GEN_DIST_UNIFORM,
                        "home branch or a tour"},
    [BS_FUNNEL_N]    = {"HT-ML-02", "deposits away from home", "count", 2, 24,
                        GEN_DIST_UNIFORM, "depositors in other cities"},
    [BS_FUNNEL_CITIES]={"HT-ML-02", "cities of the deposits", "count", 2, 7, GEN_DIST_UNIFORM,
                        "the network's reach"},
    /* trafficking */
    [BS_ADS_N]       = {"HT-SEX-01", "advert payments", "count", 2, 32, GEN_DIST_UNIFORM,
                        "one ad to daily reposting"},
    [BS_ADS_AMOUNT]  = {"HT-SEX-01", "price of an advert", "EUR", 4, 900, GEN_DIST_LOG,
                        "free-tier bumps to premium listings"},
    [BS_HOTEL_N]     = {"HT-SEX-02", "hotel nights paid", "count", 2, 40, GEN_DIST_UNIFORM,
                        "a tour of a few nights to months"},
    [BS_HOTEL_AMOUNT]= {"HT-SEX-02", "price of a night", "EUR", 29, 420, GEN_DIST_LOG,
                        "hostel to city hotel"},
    [BS_HOTEL_CITIES]= {"HT-SEX-02", "cities of the hotels", "count", 1, 6, GEN_DIST_UNIFORM,
                        "a fixed place or a circuit"},
    [BS_NIGHT_N]     = {"HT-SEX-04", "night-time cash deposits", "count", 2, 32,
                        GEN_DIST_UNIFORM, "takings paid in after work"},
    [BS_NIGHT_AMOUNT]= {"HT-SEX-04", "amount of a night deposit", "EUR", 40, 3100,
                        GEN_DIST_LOG, "one client to a week's takings"},
    [BS_WAGE_WORKERS]= {"HT-LAB-01", "workers whose wages the controller takes", "count", 2, 11,
                        GEN_DIST_UNIFORM, "a crew"},
    [BS_WAGE_RUNS]   = {"HT-LAB-01", "pay runs", "count", 1, 24, GEN_DIST_UNIFORM,
                        "weekly or biweekly or monthly"},
    [BS_WAGE_AMOUNT] = {"HT-LAB-01", "wage per run", "EUR", 180, 2600, GEN_DIST_LOG,
                        "part-time week to full month"},
    [BS_WAGE_DIRECT] = {"HT-LAB-01", "share of workers paid straight to the controller",
                        "share", 0.62, 0.62, GEN_DIST_FIXED,
                        "the rest are paid and swept on"},
    [BS_REMIT_N]     = {"HT-CHD-02", "small remittances", "count", 2, 32, GEN_DIST_UNIFORM,
                        "occasional to weekly"},
    [BS_REMIT_AMOUNT]= {"HT-CHD-02", "amount of a remittance", "EUR", 5, 400, GEN_DIST_LOG,
                        "pay-per-view to a month's fee"},
    [BS_REMIT_BENEF] = {"HT-CHD-02", "beneficiaries abroad", "count", 1, 5, GEN_DIST_UNIFORM,
                        "one facilitator or several"},
    /* benign look-alikes (unlabelled) */
    [BS_SUB_PAYERS]  = {"benign", "payers of a subscription merchant", "count", 40, 2900,
                        GEN_DIST_LOG, "a local gym to a streaming service"},
    [BS_SUB_FEE]     = {"benign", "subscription fee", "EUR", 2, 80, GEN_DIST_LOG,
                        "app to membership"},
    [BS_RENT_TENANTS]= {"benign", "tenants of a landlord", "count", 2, 40, GEN_DIST_LOG,
                        "a flat to a block"},
    [BS_RENT_AMOUNT] = {"benign", "monthly rent", "EUR", 240, 1900, GEN_DIST_LOG,
                        "room to family flat"},
    [BS_PAY_STAFF]   = {"benign", "staff of a payroll hub", "count", 60, 900, GEN_DIST_LOG,
                        "a mid-sized employer"},
    [BS_FRIENDS]     = {"benign", "friends paying each other", "count", 3, 8, GEN_DIST_UNIFORM,
                        "flat-shares and clubs and holidays"},
    [BS_FRIEND_AMOUNT]={"benign", "a payment between friends", "EUR", 4, 260, GEN_DIST_LOG,
                        "a coffee to a shared holiday"},
    [BS_FAMILY]      = {"benign", "relatives pooling money", "count", 2, 6, GEN_DIST_UNIFORM,
                        "siblings supporting a parent"},
    [BS_HOME_AMOUNT] = {"benign", "a family remittance home", "EUR", 35, 650, GEN_DIST_LOG,
                        "migrants' monthly support"},
};
/* clang-format on */

static const char *const dist_names[] = {"uniform", "log-uniform", "fixed"};

/* Prints the table as CSV on f. */
void gen_blind_print_shapes(FILE *f)
{
    fprintf(f, "typology,quantity,unit,lo,hi,distribution,why\n");
    for (int k = 0; k < BS_N; k++) {
        const GenBlindShape *s = &gen_blind_shapes[k];
        fprintf(f, "%s,%s,%s,%g,%g,%s,%s\n", s->typology, s->what, s->unit, s->lo, s->hi,
                dist_names[s->dist], s->why);
    }
}
