/* gen_population.c: the bank's customers: persons in households and
 * businesses, with their KYC attributes, employers, landlords and habits,
 * and the accounts.csv writer.
 *
 * The population is built once, before any row, from its own random stream;
 * it is the only state that grows with --accounts (about 48 bytes per
 * account plus index lists). Names, addresses and e-mails are not stored:
 * they are derived from small indices when written. */
#include "gen.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define BUSINESS_SHARE 0.08
#define GEN_FLATS      40 /* flats in a house */

static guint32 hash32(guint32 x)
{
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    return x;
}

static int pick_type(GenRng *r, gboolean business)
{
    guint32 total = 0;
    int lo = business ? P_N : 0, hi = business ? T_N : P_N;
    for (int t = lo; t < hi; t++)
        total += gen_types[t].weight;
    guint32 x = gen_rng_below(r, total);
    for (int t = lo; t < hi; t++) {
        if (x < gen_types[t].weight)
            return t;
        x -= gen_types[t].weight;
    }
    return hi - 1;
}

static int pick_city(const GenPop *pop, GenRng *r)
{
    return (int)gen_rng_pick_cum(r, pop->city_cum, gen_n_cities);
}

static guint16 birth_for_age(gint64 start_day, double years, GenRng *r)
{
    gint64 epoch1900 = gen_days_from_civil(1900, 1, 1);
    gint64 b = start_day - (gint64)(years * 365.25) - gen_rng_below(r, 365) - epoch1900;
    return (guint16)CLAMP(b, 1, 65535);
}

static void init_business(GenAccount *a, int t, GenRng *r, const GenPop *pop)
{
    const GenType *ty = &gen_types[t];
    a->type = (guint8)t;
    if (ty->foreign_cc)
        a->city = (guint8)(GEN_CITY_FOREIGN + gen_country_index(ty->foreign_cc));
    else
        a->city = (guint8)pick_city(pop, r);
    a->first = (guint16)gen_rng_below(r, gen_n_last_names);
    a->last = a->first;
    a->income = (guint32)(gen_rng_lognormal_cents(r, ty->income_median, ty->income_sigma) / 100);
    double e = ty->employees_median * exp(0.6 * gen_rng_normal(r));
    a->aux = (guint32)MAX(1.0, floor(e));
    static const guint8 paydays[] = {1, 15, 25, 27, 28, 28};
    a->payday = paydays[gen_rng_below(r, G_N_ELEMENTS(paydays))];
    a->rent = (guint32)(a->income * 0.06 / 10) * 10 + 300;
    a->open_day = (gint16)-gen_rng_range(r, 60, 4000);
    a->act = 20;
    a->household = 0;
}

static void init_person(GenAccount *a, int t, gint64 start_day, GenRng *r)
{
    const GenType *ty = &gen_types[t];
    static const double age_lo[P_N] = {18, 20, 65, 20, 25, 14};
    static const double age_hi[P_N] = {27, 64, 90, 55, 60, 17.9};
    a->type = (guint8)t;
    a->first = (guint16)gen_rng_below(r, gen_n_first_names);
    a->last = (guint16)gen_rng_below(r, gen_n_last_names);
    double age = age_lo[t] + gen_rng_unit(r) * (age_hi[t] - age_lo[t]);
    a->birth = birth_for_age(start_day, age, r);
    a->income =
        ty->income_median > 0
            ? (guint32)(gen_rng_lognormal_cents(r, ty->income_median, ty->income_sigma) / 100)
            : 0;
    double opened_years = MIN(age - 17.5, 15.0);
    if (t == P_MINOR)
        opened_years = 0.5 + gen_rng_unit(r) * 2;
    a->open_day = (gint16)-MAX(30, (gint64)(gen_rng_unit(r) * opened_years * 365));
    static const int act_shift[P_N] = {2, 0, -3, -2, 3, -8};
    int act = 20 + act_shift[t] + (int)lround(gen_rng_normal(r) * 4.0);
    a->act = (guint8)CLAMP(act, 0, 31);
    a->origin = 0;
    if (t == P_MIGRANT) {
        static const char *const home[] = {"PL", "RO", "TR", "UA", "PH", "VN", "NG", "IN",
                                           "SY", "MA", "BG", "RS", "AL", "GH", "CO", "HR"};
        a->origin = (guint8)gen_country_index(home[gen_rng_below(r, G_N_ELEMENTS(home))]);
    }
    if (gen_rng_chance(r, t == P_RETIREE ? 0.10 : 0.35))
        a->flags |= ACC_SUBSCRIBER;
}

static void add_index(GArray **lists, int slot, guint32 i)
{
    if (!lists[slot])
        lists[slot] = g_array_new(FALSE, FALSE, sizeof(guint32));
    g_array_append_val(lists[slot], i);
}

/* Moves the GArray lists into plain arrays owned by pop. */
static guint32 *steal_list(GArray *a, guint32 *n)
{
    if (!a) {
        *n = 0;
        return NULL;
    }
    *n = a->len;
    return (guint32 *)g_array_free(a, FALSE);
}

static void build_indexes(GenPop *pop)
{
    guint nc = gen_n_cities + 1;
    GArray *by_type[T_N] = {0};
    GArray **city_type = g_new0(GArray *, (gsize)T_N * nc);
    for (guint32 i = 0; i < pop->n; i++) {
        const GenAccount *a = &pop->acc[i];
        add_index(by_type, a->type, i);
        if (GEN_IS_BUSINESS(a->type)) {
            guint c = a->city >= GEN_CITY_FOREIGN ? gen_n_cities : a->city;
            add_index(city_type, (int)(a->type * nc + c), i);
        }
    }
    for (int t = 0; t < T_N; t++)
        pop->by_type[t] = steal_list(by_type[t], &pop->n_type[t]);
    pop->city_type = g_new0(guint32 *, (gsize)T_N * nc);
    pop->n_city_type = g_new0(guint32, (gsize)T_N * nc);
    for (guint k = 0; k < T_N * nc; k++)
        pop->city_type[k] = steal_list(city_type[k], &pop->n_city_type[k]);
    g_free(city_type);

    /* employers weighted by declared employees (domestic businesses only) */
    GArray *idx = g_array_new(FALSE, FALSE, sizeof(guint32));
    GArray *cum = g_array_new(FALSE, FALSE, sizeof(guint32));
    guint32 total = 0;
    for (guint32 i = 0; i < pop->n; i++) {
        const GenAccount *a = &pop->acc[i];
        if (!GEN_IS_BUSINESS(a->type) || a->city >= GEN_CITY_FOREIGN || a->type == B_PENSION)
            continue;
        total += MIN(a->aux, 2000);
        g_array_append_val(idx, i);
        g_array_append_val(cum, total);
    }
    pop->emp_idx = steal_list(idx, &pop->emp_cum_n);
    pop->emp_cum = steal_list(cum, &pop->emp_cum_n);
}

static guint32 pick_employer(const GenPop *pop, const GenAccount *a, GenRng *r)
{
    static const int migrant_jobs[] = {B_CONSTRUCTION, B_CLEANING, B_RESTAURANT, B_HOTEL,
                                       B_AGENCY,       B_FASTFOOD, B_WHOLESALE};
    static const int travel_jobs[] = {B_OFFICE, B_WHOLESALE, B_TELECOM, B_OFFICE};
    guint32 out;
    if (a->type == P_MIGRANT && gen_rng_chance(r, 0.7)) {
        int t = migrant_jobs[gen_rng_below(r, G_N_ELEMENTS(migrant_jobs))];
        if (gen_pop_pick(pop, t, a->city, r, &out))
            return out;
    }
    if (a->type == P_TRAVELLER) {
        int t = travel_jobs[gen_rng_below(r, G_N_ELEMENTS(travel_jobs))];
        if (gen_pop_pick(pop, t, a->city, r, &out))
            return out;
    }
    return pop->emp_idx[gen_rng_pick_cum(r, pop->emp_cum, pop->emp_cum_n)];
}

/* Employers, pensions, allowances and rents need the indexes, so they are
 * linked in a second pass. */
static void link_persons(GenPop *pop, GenRng *r)
{
    guint32 pension = pop->by_type[B_PENSION][0];
    for (guint32 i = 0; i < pop->n; i++) {
        GenAccount *a = &pop->acc[i];
        switch (a->type) {
        case P_EMPLOYEE:
        case P_MIGRANT:
        case P_TRAVELLER:
            a->employer = GEN_REF(pick_employer(pop, a, r));
            break;
        case P_RETIREE:
            a->employer = GEN_REF(pension);
            break;
        case P_STUDENT:
        case P_MINOR:
            if (a->household != i)
                a->employer = GEN_REF(a->household);
            else {
                guint32 n = pop->n_type[P_EMPLOYEE];
                a->employer = GEN_REF(pop->by_type[P_EMPLOYEE][hash32(i) % n]);
            }
            break;
        default:
            break;
        }
        if (a->type == P_STUDENT)
            a->aux = 0;
    }
    for (guint32 k = 0; k < pop->n_type[P_STUDENT]; k++)
        pop->acc[pop->by_type[P_STUDENT][k]].aux = k;
    /* copies that spare the day loop a random access to the employer */
    for (guint32 i = 0; i < pop->n; i++) {
        GenAccount *a = &pop->acc[i];
        if (GEN_IS_BUSINESS(a->type) || !a->employer)
            continue;
        const GenAccount *e = &pop->acc[GEN_REF_IDX(a->employer)];
        a->payday = e->payday;
        if (a->type == P_EMPLOYEE && e->type == B_BAR)
            a->flags |= ACC_NIGHT;
    }
}

static int member_type(int head_type, int k, GenRng *r)
{
    if (k == 1)
        return head_type == P_RETIREE   ? P_RETIREE
               : head_type == P_STUDENT ? P_STUDENT
                                        : (gen_rng_chance(r, 0.8) ? P_EMPLOYEE : head_type);
    return gen_rng_chance(r, 0.6) ? P_MINOR : P_STUDENT;
}

static void build_persons(GenPop *pop, guint32 from, gint64 start_day, GenRng *r)
{
    guint32 i = from;
    while (i < pop->n) {
        if (GEN_IS_BUSINESS(pop->acc[i].type)) {
            i++;
            continue;
        }
        int head_t = pick_type(r, FALSE);
        if (head_t == P_MINOR)
            head_t = P_EMPLOYEE;
        static const guint32 size_cum[] = {45, 75, 88, 100};
        guint size = 1 + gen_rng_pick_cum(r, size_cum, 4);
        if (head_t == P_STUDENT || head_t == P_TRAVELLER)
            size = MIN(size, 2);
        GenAccount *h = &pop->acc[i];
        init_person(h, head_t, start_day, r);
        h->flags |= ACC_HEAD;
        h->household = i;
        h->city = (guint8)pick_city(pop, r);
        h->street = (guint16)gen_rng_below(r, gen_n_streets);
        h->house = (guint16)(1 + gen_rng_below(r, 120));
        /* a flat of its own, from the index and not the generator's stream:
         * households that draw one house are not one address */
        h->flat = (guint16)(1 + ((i + 1) * 0x9E3779B1u >> 16) % GEN_FLATS);
        double big = h->city < 3 ? 1.25 : 1.0;
        h->rent = (guint32)(gen_rng_lognormal_cents(r, 620 * big + 120 * size, 0.25) / 1000) * 10;
        guint32 head = i++;
        for (guint k = 1; k < size && i < pop->n && !GEN_IS_BUSINESS(pop->acc[i].type); k++, i++) {
            GenAccount *m = &pop->acc[i];
            init_person(m, member_type(head_t, (int)k, r), start_day, r);
            m->household = head;
            m->city = h->city;
            m->street = h->street;
            m->house = h->house;
            m->flat = h->flat;
            m->last = h->last;
        }
    }
}

void gen_pop_build(GenPop *pop, guint32 n_accounts, gint64 start_day, GenRng *r)
{
    memset(pop, 0, sizeof *pop);
    pop->n = n_accounts;
    pop->acc = g_new0(GenAccount, n_accounts);
    guint32 total = 0;
    for (guint c = 0; c < gen_n_cities; c++) {
        total += gen_cities[c].weight;
        pop->city_cum[c] = total;
    }
    /* one business of every type first, then a random mix */
    for (guint32 i = 0; i < n_accounts; i++) {
        GenAccount *a = &pop->acc[i];
        if (i < T_N - P_N)
            init_business(a, P_N + (int)i, r, pop);
        else if (gen_rng_chance(r, BUSINESS_SHARE))
            init_business(a, pick_type(r, TRUE), r, pop);
        else
            a->type = P_EMPLOYEE; /* placeholder, filled by build_persons */
        if (GEN_IS_BUSINESS(a->type)) {
            a->street = (guint16)gen_rng_below(r, gen_n_streets);
            a->house = (guint16)(1 + gen_rng_below(r, 200));
        }
        a->phone = ((i + 1) * 0x9E3779B1u) & 0x7FFFFFFu; /* a bijection: unique numbers */
    }
    build_persons(pop, T_N - P_N, start_day, r);
    pop->biz = g_new0(guint64, n_accounts / 64 + 1);
    pop->word = g_new0(guint16, n_accounts);
    for (guint32 i = 0; i < n_accounts; i++)
        if (GEN_IS_BUSINESS(pop->acc[i].type)) {
            pop->biz[i >> 6] |= 1ull << (i & 63);
            pop->word[i] = pop->acc[i].first;
        }
    build_indexes(pop);
    link_persons(pop, r);
}

void gen_pop_clear(GenPop *pop)
{
    for (int t = 0; t < T_N; t++)
        g_free(pop->by_type[t]);
    for (guint k = 0; k < T_N * (gen_n_cities + 1); k++)
        g_free(pop->city_type[k]);
    g_free(pop->city_type);
    g_free(pop->n_city_type);
    g_free(pop->emp_idx);
    g_free(pop->emp_cum);
    g_free(pop->acc);
    g_free(pop->biz);
    g_free(pop->word);
    memset(pop, 0, sizeof *pop);
}

gboolean gen_pop_pick_in(const GenPop *pop, int t, int c, GenRng *r, guint32 *out, int *city)
{
    guint nc = gen_n_cities + 1;
    if (c >= 0 && c < (int)gen_n_cities) {
        guint k = (guint)t * nc + (guint)c;
        if (pop->n_city_type[k]) {
            *out = pop->city_type[k][gen_rng_below(r, pop->n_city_type[k])];
            *city = c;
            return TRUE;
        }
    }
    if (!pop->n_type[t])
        return FALSE;
    *out = pop->by_type[t][gen_rng_below(r, pop->n_type[t])];
    *city = pop->acc[*out].city;
    return TRUE;
}

gboolean gen_pop_pick(const GenPop *pop, int t, int c, GenRng *r, guint32 *out)
{
    int city;
    return gen_pop_pick_in(pop, t, c, r, out, &city);
}

guint32 gen_pop_pick_free(GenPop *pop, int t, GenRng *r)
{
    guint32 n = pop->n_type[t];
    g_assert(n > 0);
    for (int tries = 0; tries < 200; tries++) {
        guint32 i = pop->by_type[t][gen_rng_below(r, n)];
        if (!(pop->acc[i].flags & ACC_USED) && pop->acc[i].open_day <= 0)
            return i;
    }
    return pop->by_type[t][gen_rng_below(r, n)];
}

void gen_pop_id(const GenPop *pop, GenRef ref, GenBuf *b)
{
    if (!ref)
        return;
    if (GEN_REF_IS_X(ref)) {
        gen_buf_str(b, "X-");
        gen_buf_str(b, gen_countries[GEN_REF_X_CC(ref)].code);
        gen_buf_char(b, '-');
        gen_buf_uint(b, GEN_REF_X_NUM(ref), 6);
        return;
    }
    guint32 i = GEN_REF_IDX(ref);
    gboolean biz = gen_pop_is_biz(pop, i);
    gen_buf_char(b, biz ? 'M' : 'A');
    gen_buf_uint(b, i, biz ? 6 : 7);
}

void gen_pop_business_name(int t, guint word, GenBuf *b)
{
    const char *fmt = gen_types[t].name_fmt;
    const char *pct = strstr(fmt, "%s");
    gen_buf_mem(b, fmt, (size_t)(pct - fmt));
    gen_buf_str(b, gen_last_names[word]);
    gen_buf_str(b, pct + 2);
}

void gen_pop_name(const GenPop *pop, guint32 i, GenBuf *b)
{
    const GenAccount *a = &pop->acc[i];
    if (GEN_IS_BUSINESS(a->type)) {
        gen_pop_business_name(a->type, a->first, b);
        return;
    }
    gen_buf_str(b, gen_first_names[a->first]);
    gen_buf_char(b, ' ');
    gen_buf_str(b, gen_last_names[a->last]);
}

static void put_date(GenBuf *b, gint64 days)
{
    int y, m, d;
    gen_civil_from_days(days, &y, &m, &d);
    gen_buf_uint(b, (guint64)y, 4);
    gen_buf_char(b, '-');
    gen_buf_uint(b, (guint64)m, 2);
    gen_buf_char(b, '-');
    gen_buf_uint(b, (guint64)d, 2);
}

static void put_email(const GenPop *pop, guint32 i, GenBuf *b)
{
    const GenAccount *a = &pop->acc[i];
    GenBuf name;
    gen_buf_init(&name, 64);
    if (GEN_IS_BUSINESS(a->type)) {
        gen_buf_str(&name, "info@");
        gen_buf_str(&name, gen_last_names[a->first]);
        gen_buf_char(&name, '-');
        gen_buf_uint(&name, i, 1);
        gen_buf_str(&name, ".example");
    } else {
        gen_buf_str(&name, gen_first_names[a->first]);
        gen_buf_char(&name, '.');
        gen_buf_str(&name, gen_last_names[a->last]);
        gen_buf_uint(&name, hash32(i) % 1000, 1);
        static const char *const dom[] = {"@mail.example", "@web.example", "@post.example"};
        gen_buf_str(&name, dom[i % 3]);
    }
    for (size_t k = 0; k < name.len; k++)
        name.p[k] = g_ascii_tolower(name.p[k]);
    gen_buf_mem(b, name.p, name.len);
    gen_buf_clear(&name);
}

static void write_account(const GenPop *pop, guint32 i, gint64 start_day, GenBuf *b)
{
    const GenAccount *a = &pop->acc[i];
    gboolean biz = GEN_IS_BUSINESS(a->type);
    gboolean foreign = a->city >= GEN_CITY_FOREIGN;
    const GenCountry *co = foreign ? &gen_countries[a->city - GEN_CITY_FOREIGN] : NULL;
    gen_pop_id(pop, GEN_REF(i), b);
    gen_buf_str(b, ",C");
    gen_buf_uint(b, i, 7);
    gen_buf_str(b, biz ? ",business," : ",person,");
    gen_pop_name(pop, i, b);
    gen_buf_char(b, ',');
    if (!biz)
        put_date(b, gen_days_from_civil(1900, 1, 1) + a->birth);
    gen_buf_char(b, ',');
    gen_buf_str(b, foreign ? co->code : GEN_HOME_CC);
    gen_buf_char(b, ',');
    if (!foreign)
        gen_buf_str(b, gen_cities[a->city].region);
    gen_buf_char(b, ',');
    gen_buf_str(b, foreign ? co->capital : gen_cities[a->city].name);
    gen_buf_char(b, ',');
    gen_buf_str(b, gen_streets[a->street]);
    gen_buf_char(b, ' ');
    gen_buf_uint(b, a->house, 1);
    if (a->flat) {
        gen_buf_str(b, " flat ");
        gen_buf_uint(b, a->flat, 1);
    }
    gen_buf_str(b, ",+49 15");
    gen_buf_uint(b, a->phone % 10, 1);
    gen_buf_char(b, ' ');
    gen_buf_uint(b, a->phone, 9);
    gen_buf_char(b, ',');
    put_email(pop, i, b);
    gen_buf_char(b, ',');
    if (biz)
        gen_buf_str(b, gen_types[a->type].label);
    else if (a->type == P_EMPLOYEE || a->type == P_MIGRANT)
        gen_buf_str(b, gen_occupation_for(pop->acc[GEN_REF_IDX(a->employer)].type, hash32(i)));
    else
        gen_buf_str(b, gen_types[a->type].label);
    gen_buf_char(b, ',');
    gen_buf_uint(b, a->income, 1);
    gen_buf_str(b, ".00,");
    if (biz) {
        gen_buf_uint(b, gen_types[a->type].mcc, 4);
        gen_buf_char(b, ',');
        gen_buf_str(b, gen_types[a->type].hours);
        gen_buf_char(b, ',');
        gen_buf_uint(b, a->aux, 1);
    } else {
        gen_buf_str(b, ",,");
    }
    gen_buf_char(b, ',');
    put_date(b, start_day + a->open_day);
    gen_buf_char(b, '\n');
}

gboolean gen_pop_write(const GenPop *pop, const char *path, gint64 start_day, GError **error)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create '%s': %s",
                    path, g_strerror(errno));
        return FALSE;
    }
    GenBuf b;
    gen_buf_init(&b, 1 << 20);
    gen_buf_str(&b, "account_id,customer_id,kind,name,birth_date,country,region,city,address,"
                    "phone,email,occupation,declared_monthly_income,business_mcc,"
                    "opening_hours,employees,opened_at\n");
    gboolean ok = TRUE;
    for (guint32 i = 0; i < pop->n && ok; i++) {
        write_account(pop, i, start_day, &b);
        if (b.len > (1 << 20) - 1024 || i + 1 == pop->n) {
            ok = fwrite(b.p, 1, b.len, f) == b.len;
            b.len = 0;
        }
    }
    if (fclose(f) != 0)
        ok = FALSE;
    gen_buf_clear(&b);
    if (!ok)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write '%s'", path);
    return ok;
}
