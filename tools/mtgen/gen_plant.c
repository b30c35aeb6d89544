/* gen_plant.c: the ground truth: planted typology instances, their roles and
 * rows, and the label files (instances.csv, amlworld_patterns.txt,
 * amlsim_alert_accounts.csv).
 *
 * Planted rows are made before the stream starts and kept in memory (a few
 * dozen rows per instance); the day loop merges them into the day buffers.
 * An instance's first/last timestamps are those of its rows. A row may carry
 * two instance ids (e.g. a remittance that is part of one sender's HT-CHD-02
 * and of the HT-CHD-03 fan-in to the beneficiary). The scenario bodies live
 * in gen_typology_ml.c and gen_typology_ht.c, the whole cases in
 * gen_typology_case.c. */
#include "gen.h"

#include <errno.h>
#include <string.h>

const char *const gen_role_names[R_N] = {"controller", "victim", "mule",        "front",
                                         "recruiter",  "sender", "beneficiary", "member"};

/* --count keys; aliases are the other typologies a scenario plants */
const char *const gen_scenario_keys[SC_N] = {
    "HT-ML-01",    "HT-ML-02",    "HT-ML-03",  "HT-ML-04",  "HT-ML-05",  "HT-ML-06",  "HT-ML-07",
    "HT-ML-09",    "HT-ML-15",    "HT-SEX-01", "HT-SEX-08", "HT-LAB-01", "HT-LAB-07", "HT-CHD-02",
    "HT-ML-06-SG", "HT-ML-04-GS", "TY-SEX",    "TY-LAB",    "TY-CHD",    "TY-NET",
};

/* How each typology is named in the AMLworld patterns and the AMLSim alert
 * file: the simulator's own name where its structure is one of theirs
 * (AMLSim's alert types and typology model numbers: fan_out 1, fan_in 2,
 * cycle 3, scatter_gather 7, gather_scatter 8), a name of ours otherwise
 * (model 0). HT-ML-06 (victims forwarding to a sink, with no common source)
 * is not a scatter-gather; HT-ML-06-SG is. */
static const struct {
    const char *typology, *aw_type, *sim_type;
    int sim_model;
} sim_names[] = {
    {"HT-ML-01", "STRUCTURING", "structuring", 0},
    {"HT-ML-02", "FUNNEL", "funnel", 0},
    {"HT-ML-03", "PASS-THROUGH", "pass_through", 0},
    {"HT-ML-04", "FAN-IN", "fan_in", 2},
    {"HT-ML-04-GS", "GATHER-SCATTER", "gather_scatter", 8},
    {"HT-ML-05", "FAN-OUT", "fan_out", 1},
    {"HT-ML-06", "VICTIM-FUNNEL", "victim_funnel", 0},
    {"HT-ML-06-SG", "SCATTER-GATHER", "scatter_gather", 7},
    {"HT-ML-07", "CYCLE", "cycle", 3},
    {"HT-ML-09", "CASH-FRONT", "cash_front", 0},
    {"HT-ML-10", "AFTER-HOURS", "after_hours", 0},
    {"HT-ML-15", "REMITTANCE-STRUCTURING", "remittance_structuring", 0},
    {"HT-SEX-01", "ADVERTISING", "advertising", 0},
    {"HT-SEX-02", "LODGING", "lodging", 0},
    {"HT-SEX-04", "NIGHT-DEPOSITS", "night_deposits", 0},
    {"HT-SEX-08", "VICTIM-SWEEP", "victim_sweep", 0},
    {"HT-LAB-01", "PAYROLL-FAN-IN", "payroll_fan_in", 0},
    {"HT-LAB-02", "SALARY-SWEEP", "salary_sweep", 0},
    {"HT-LAB-07", "SHARED-ADDRESS", "shared_address", 0},
    {"HT-CHD-02", "LOW-VALUE-REMITTANCE", "low_value_remittance", 0},
    {"HT-CHD-03", "FAN-IN", "fan_in", 2},
    {"TY-SEX", "SEXUAL-EXPLOITATION", "sexual_exploitation", 0},
    {"TY-LAB", "LABOUR-EXPLOITATION", "labour_exploitation", 0},
    {"TY-CHD", "CHILD-EXPLOITATION", "child_exploitation", 0},
    {"TY-NET", "LAUNDERING-NETWORK", "laundering_network", 0},
};

static int sim_name_index(const char *typology)
{
    for (guint k = 0; k < G_N_ELEMENTS(sim_names); k++)
        if (strcmp(sim_names[k].typology, typology) == 0)
            return (int)k;
    return -1;
}

static const char *aw_type_of(const char *typology)
{
    int k = sim_name_index(typology);
    return k >= 0 ? sim_names[k].aw_type : "RANDOM";
}

void gen_plan_init(GenPlan *p, const GenOptions *opt, GenPop *pop)
{
    memset(p, 0, sizeof *p);
    p->opt = opt;
    p->pop = pop;
    gen_rng_seed(&p->r, opt->seed, 2);
    p->rows = g_array_new(FALSE, FALSE, sizeof(GenRow));
    p->instances = g_array_new(FALSE, FALSE, sizeof(GenInstance));
    p->roles = g_array_new(FALSE, FALSE, sizeof(GenRole));
}

void gen_plan_clear(GenPlan *p)
{
    g_array_free(p->rows, TRUE);
    g_array_free(p->instances, TRUE);
    g_array_free(p->roles, TRUE);
}

guint32 gen_plan_instance(GenPlan *p, const char *typology, int scenario)
{
    GenInstance in = {0};
    in.id = p->instances->len + 1;
    in.typology = typology;
    in.scenario = scenario;
    in.first = G_MAXINT64;
    in.last = G_MININT64;
    g_array_append_val(p->instances, in);
    return in.id;
}

void gen_plan_role(GenPlan *p, guint32 inst, GenRef ref, int role)
{
    GenRole r = {inst, ref, (guint8)role};
    g_array_append_val(p->roles, r);
}

gint64 gen_plan_day0(const GenPlan *p)
{
    return p->opt->start_day;
}

GenRow *gen_plan_row(GenPlan *p, guint32 inst, gint64 t, GenRef from, GenRef to, gint64 cents,
                     int channel, int city)
{
    gint64 lo = gen_local_to_utc(p->opt->start_day, 0);
    gint64 hi = gen_local_to_utc(p->opt->start_day + p->opt->days, 0) - 1;
    t = CLAMP(t, lo, hi);
    GenRow *w = gen_emit(p->rows, t, from, to, cents, channel, city);
    w->inst = inst;
    GenInstance *in = &g_array_index(p->instances, GenInstance, inst - 1);
    in->first = MIN(in->first, t);
    in->last = MAX(in->last, t);
    in->n_rows++;
    return w;
}

gint64 gen_plan_start(GenPlan *p, int span)
{
    gint64 room = (gint64)p->opt->days - span;
    return p->opt->start_day + (room > 0 ? gen_rng_range(&p->r, 0, room) : 0);
}

gint64 gen_plan_at(GenPlan *p, gint64 day, int h0, int h1)
{
    gint64 secs = gen_rng_range(&p->r, (gint64)h0 * 3600, (gint64)h1 * 3600 - 1);
    return gen_local_to_utc(day, secs);
}

GenRef gen_plan_foreign(GenPlan *p, const char *cc)
{
    int k = gen_country_index(cc);
    g_assert(k >= 0);
    return GEN_REF_X(k, 2 * (p->next_x++) + 1);
}

guint32 gen_plan_person(GenPlan *p, int type)
{
    guint32 i = gen_pop_pick_free(p->pop, type, &p->r);
    p->pop->acc[i].flags |= ACC_USED;
    if (!p->opt->subtle)
        p->pop->acc[i].flags |= ACC_QUIET;
    return i;
}

int gen_plan_other_city(GenPlan *p, int c, gboolean other_region)
{
    for (int tries = 0; tries < 100; tries++) {
        int k = (int)gen_rng_below(&p->r, gen_n_cities);
        if (k == c)
            continue;
        if (other_region && c < (int)gen_n_cities &&
            strcmp(gen_cities[k].region, gen_cities[c].region) == 0)
            continue;
        return k;
    }
    return (c + 1) % (int)gen_n_cities;
}

const char *const gen_source_countries[] = {"NG", "RO", "BG", "UA", "VN", "CN", "TH",
                                            "PH", "AL", "MD", "HU", "ER", NULL};
const char *const gen_chd_countries[] = {"PH", "TH", "CO", "GH", "UA",
                                         "DO", "RO", "JM", "RU", NULL};

guint32 gen_plan_client(GenPlan *p)
{
    static const int kinds[] = {P_EMPLOYEE, P_EMPLOYEE,  P_EMPLOYEE, P_STUDENT,
                                P_MIGRANT,  P_TRAVELLER, P_RETIREE};
    int t = kinds[gen_rng_below(&p->r, G_N_ELEMENTS(kinds))];
    if (!p->pop->n_type[t])
        t = P_EMPLOYEE;
    return p->pop->by_type[t][gen_rng_below(&p->r, p->pop->n_type[t])];
}

gint64 gen_plan_night(GenPlan *p, gint64 day)
{
    return gen_local_to_utc(day, 22 * 3600 + gen_rng_range(&p->r, 0, 7 * 3600 - 1));
}

gint64 gen_plan_cents(GenPlan *p, double lo, double hi, gint64 unit)
{
    gint64 c = gen_rng_range(&p->r, (gint64)(lo * 100), (gint64)(hi * 100));
    if (unit > 1)
        c = c / unit * unit;
    return MAX(c, (gint64)(lo * 100 + unit - 1) / unit * unit);
}

const char *gen_plan_country(GenPlan *p, const char *const *list)
{
    guint n = 0;
    while (list[n])
        n++;
    return list[gen_rng_below(&p->r, n)];
}

static int cmp_row_time(gconstpointer a, gconstpointer b)
{
    const GenRow *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->inst > y->inst) - (x->inst < y->inst);
}

void gen_plan_all(GenPlan *p)
{
    for (int sc = 0; sc < SC_N; sc++)
        for (int k = 0; k < p->opt->counts[sc]; k++) {
            if (sc <= SC_ML15 || sc == SC_ML06SG || sc == SC_ML04GS)
                gen_typology_ml(p, sc);
            else if (sc < SC_TYSEX)
                gen_typology_ht(p, sc);
            else
                gen_typology_case(p, sc);
        }
    gen_plan_sort(p);
}

void gen_plan_sort(GenPlan *p)
{
    g_array_sort(p->rows, cmp_row_time);
}

static void put_ts(GenBuf *b, gint64 t)
{
    int y, m, d;
    gen_civil_from_days((t + GEN_TZ_OFFSET) / GEN_DAY, &y, &m, &d);
    gen_buf_uint(b, (guint64)y, 4);
    gen_buf_char(b, '-');
    gen_buf_uint(b, (guint64)m, 2);
    gen_buf_char(b, '-');
    gen_buf_uint(b, (guint64)d, 2);
    gen_buf_char(b, 'T');
    int s = gen_local_secs(t);
    gen_buf_uint(b, (guint64)(s / 3600), 2);
    gen_buf_char(b, ':');
    gen_buf_uint(b, (guint64)(s / 60 % 60), 2);
    gen_buf_char(b, ':');
    gen_buf_uint(b, (guint64)(s % 60), 2);
    gen_buf_str(b, GEN_TZ_STR);
}

static gboolean write_file(const char *path, const GenBuf *b, GError **error)
{
    GError *e = NULL;
    if (!g_file_set_contents(path, b->p, (gssize)b->len, &e)) {
        g_set_error(error, G_FILE_ERROR, e->code, "cannot write '%s': %s", path, e->message);
        g_error_free(e);
        return FALSE;
    }
    return TRUE;
}

static gboolean write_instances(GenPlan *p, const char *path, GError **error)
{
    GenBuf b;
    gen_buf_init(&b, 1 << 16);
    gen_buf_str(&b, "typology,instance_id,account,role,first_ts,last_ts\n");
    /* roles of one instance are listed together, instances in id order */
    GPtrArray *by_inst = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    for (guint k = 0; k < p->instances->len; k++)
        g_ptr_array_add(by_inst, g_array_new(FALSE, FALSE, sizeof(guint)));
    for (guint k = 0; k < p->roles->len; k++) {
        const GenRole *r = &g_array_index(p->roles, GenRole, k);
        g_array_append_val((GArray *)g_ptr_array_index(by_inst, r->inst - 1), k);
    }
    for (guint k = 0; k < p->instances->len; k++) {
        const GenInstance *in = &g_array_index(p->instances, GenInstance, k);
        GArray *rl = g_ptr_array_index(by_inst, k);
        if (!in->n_rows)
            continue;
        for (guint j = 0; j < rl->len; j++) {
            const GenRole *r = &g_array_index(p->roles, GenRole, g_array_index(rl, guint, j));
            gen_buf_str(&b, in->typology);
            gen_buf_char(&b, ',');
            gen_buf_uint(&b, in->id, 1);
            gen_buf_char(&b, ',');
            gen_pop_id(p->pop, r->ref, &b);
            gen_buf_char(&b, ',');
            gen_buf_str(&b, gen_role_names[r->role]);
            gen_buf_char(&b, ',');
            put_ts(&b, in->first);
            gen_buf_char(&b, ',');
            put_ts(&b, in->last);
            gen_buf_char(&b, '\n');
        }
    }
    g_ptr_array_unref(by_inst);
    gboolean ok = write_file(path, &b, error);
    gen_buf_clear(&b);
    return ok;
}

/* AMLworld style: one block per instance, its rows in time order. */
static gboolean write_patterns(GenPlan *p, const char *path, GError **error)
{
    GenBuf b;
    gen_buf_init(&b, 1 << 16);
    GPtrArray *rows_of = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
    for (guint k = 0; k < p->instances->len; k++)
        g_ptr_array_add(rows_of, g_array_new(FALSE, FALSE, sizeof(guint)));
    for (guint k = 0; k < p->rows->len; k++) {
        const GenRow *w = &g_array_index(p->rows, GenRow, k);
        if (!w->inst) /* a benign row of --blind */
            continue;
        g_array_append_val((GArray *)g_ptr_array_index(rows_of, w->inst - 1), k);
        if (w->inst2)
            g_array_append_val((GArray *)g_ptr_array_index(rows_of, w->inst2 - 1), k);
    }
    for (guint k = 0; k < p->instances->len; k++) {
        const GenInstance *in = &g_array_index(p->instances, GenInstance, k);
        GArray *rl = g_ptr_array_index(rows_of, k);
        if (!rl->len)
            continue;
        const char *ty = aw_type_of(in->typology);
        gen_buf_str(&b, "BEGIN LAUNDERING ATTEMPT - ");
        gen_buf_str(&b, ty);
        gen_buf_str(&b, ":  ");
        gen_buf_str(&b, in->typology);
        gen_buf_str(&b, " instance ");
        gen_buf_uint(&b, in->id, 1);
        gen_buf_char(&b, '\n');
        for (guint j = 0; j < rl->len; j++) {
            gen_out_amlworld_row(p->pop,
                                 &g_array_index(p->rows, GenRow, g_array_index(rl, guint, j)), &b);
            gen_buf_char(&b, '\n');
        }
        gen_buf_str(&b, "END LAUNDERING ATTEMPT - ");
        gen_buf_str(&b, ty);
        gen_buf_str(&b, "\n\n");
    }
    g_ptr_array_unref(rows_of);
    gboolean ok = write_file(path, &b, error);
    gen_buf_clear(&b);
    return ok;
}

/* AMLSim's alert_accounts.csv: one line per (alert, account), the alert id
 * being the instance id that amlsim_transactions.csv carries in alert_id. */
static gboolean write_sim_alerts(GenPlan *p, const char *path, GError **error)
{
    GenBuf b;
    gen_buf_init(&b, 1 << 16);
    gen_buf_str(&b, "alert_id,alert_type,acct_id,is_sar,model_id,role\n");
    /* a few dozen instances of a few roles each: a scan per instance is cheap */
    for (guint k = 0; k < p->instances->len; k++) {
        const GenInstance *in = &g_array_index(p->instances, GenInstance, k);
        int t = sim_name_index(in->typology);
        g_assert(t >= 0);
        for (guint j = 0; j < p->roles->len && in->n_rows; j++) {
            const GenRole *r = &g_array_index(p->roles, GenRole, j);
            if (r->inst != in->id)
                continue;
            gen_buf_uint(&b, in->id, 1);
            gen_buf_char(&b, ',');
            gen_buf_str(&b, sim_names[t].sim_type);
            gen_buf_char(&b, ',');
            gen_out_amlsim_account(r->ref, &b);
            gen_buf_str(&b, ",True,");
            gen_buf_uint(&b, (guint64)sim_names[t].sim_model, 1);
            gen_buf_char(&b, ',');
            gen_buf_str(&b, gen_role_names[r->role]);
            gen_buf_char(&b, '\n');
        }
    }
    gboolean ok = write_file(path, &b, error);
    gen_buf_clear(&b);
    return ok;
}

gboolean gen_plan_write(GenPlan *p, const char *inst_path, const char *patterns_path,
                        const char *sim_alerts_path, GError **error)
{
    if (inst_path && !write_instances(p, inst_path, error))
        return FALSE;
    if (patterns_path && !write_patterns(p, patterns_path, error))
        return FALSE;
    if (sim_alerts_path && !write_sim_alerts(p, sim_alerts_path, error))
        return FALSE;
    return TRUE;
}
