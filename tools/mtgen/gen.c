/* gen.c: mtgen's command line and driver: parse options, build the
 * population, plan the planted instances, write the KYC and label files,
 * then stream the transactions day by day and print a summary on stderr.
 *
 * Usage: tools/mtgen/mtgen --out DIR [--seed N] [--accounts N] [--days N]
 *        [--start YYYY-MM-DD] [--intensity textbook|subtle] [--count KEY=N ...]
 *        [--gzip] [--gzip-level N] [--layout canonical,amlworld,amlsim,camt053,mt940] [--quiet]
 *        [--blind] [--print-blind-shapes] [--currencies USD,GBP [--currency-share P]]
 * See tools/README.md and tools/mtgen/README.md (--blind). Exit status: 0 success, 1 bad usage, 2
 * I/O error. */
#include "gen.h"
#include "gen_blind.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *key;
    int scenario;
} count_aliases[] = {
    {"HT-ML-10", SC_FRONT}, {"HT-SEX-02", SC_SEXADS}, {"HT-SEX-04", SC_SEXADS},
    {"HT-LAB-02", SC_LAB},  {"HT-CHD-03", SC_CHD},
};

static int scenario_of(const char *key)
{
    for (int s = 0; s < SC_N; s++)
        if (g_ascii_strcasecmp(key, gen_scenario_keys[s]) == 0)
            return s;
    for (guint k = 0; k < G_N_ELEMENTS(count_aliases); k++)
        if (g_ascii_strcasecmp(key, count_aliases[k].key) == 0)
            return count_aliases[k].scenario;
    return -1;
}

static gboolean parse_uint(const char *s, guint64 max, guint64 *out)
{
    char *end;
    errno = 0;
    guint64 v = g_ascii_strtoull(s, &end, 10);
    if (errno || end == s || *end || v > max)
        return FALSE;
    *out = v;
    return TRUE;
}

static gboolean parse_counts(GenOptions *o, char **counts, GError **error)
{
    for (char **c = counts; c && *c; c++) {
        const char *eq = strchr(*c, '=');
        guint64 n;
        if (!eq || !parse_uint(eq + 1, 100000, &n)) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "bad --count '%s': expected TYPOLOGY=N", *c);
            return FALSE;
        }
        g_autofree char *key = g_strndup(*c, (gsize)(eq - *c));
        if (g_ascii_strcasecmp(key, "all") == 0) {
            for (int s = 0; s < SC_N; s++)
                o->counts[s] = (int)n;
            for (int s = 0; s < GEN_BLIND_N; s++)
                o->blind_counts[s] = (int)n;
            continue;
        }
        if (o->blind) {
            int b = gen_blind_typology(key);
            if (b < 0) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "unknown typology '%s' in --count for --blind", key);
                return FALSE;
            }
            o->blind_counts[b] = (int)n;
            continue;
        }
        int s = scenario_of(key);
        if (s < 0) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "unknown typology '%s' in --count", key);
            return FALSE;
        }
        o->counts[s] = (int)n;
    }
    return TRUE;
}

static gboolean parse_layout(GenOptions *o, const char *layout, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(layout, ",", -1);
    for (char **p = parts; *p; p++) {
        if (strcmp(*p, "canonical") == 0)
            o->canonical = TRUE;
        else if (strcmp(*p, "amlworld") == 0)
            o->amlworld = TRUE;
        else if (strcmp(*p, "amlsim") == 0)
            o->amlsim = TRUE;
        else if (strcmp(*p, "camt053") == 0)
            o->camt053 = TRUE;
        else if (strcmp(*p, "mt940") == 0)
            o->mt940 = TRUE;
        else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "unknown layout '%s': expected canonical, amlworld, amlsim, camt053 "
                        "or mt940",
                        *p);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean parse_options(int argc, char **argv, GenOptions *o, GError **error)
{
    g_autofree char *seed = NULL, *accounts = NULL, *days = NULL, *start = NULL;
    g_autofree char *intensity = NULL, *out = NULL, *layout = NULL, *level = NULL;
    g_autofree char *currencies = NULL, *share = NULL;
    g_auto(GStrv) counts = NULL;
    gboolean gz = FALSE, quiet = FALSE, blind = FALSE, shapes = FALSE;
    GOptionEntry entries[] = {
        {"seed", 0, 0, G_OPTION_ARG_STRING, &seed, "random seed (default 1)", "N"},
        {"accounts", 0, 0, G_OPTION_ARG_STRING, &accounts, "accounts (default 20000)", "N"},
        {"days", 0, 0, G_OPTION_ARG_STRING, &days, "days simulated (default 90)", "N"},
        {"start", 0, 0, G_OPTION_ARG_STRING, &start, "first day (default 2024-01-01)", "DATE"},
        {"intensity", 0, 0, G_OPTION_ARG_STRING, &intensity, "textbook or subtle", "MODE"},
        {"count", 0, 0, G_OPTION_ARG_STRING_ARRAY, &counts, "instances of a typology, or all=N",
         "TYPOLOGY=N"},
        {"out", 0, 0, G_OPTION_ARG_FILENAME, &out, "output directory (created)", "DIR"},
        {"gzip", 0, 0, G_OPTION_ARG_NONE, &gz, "gzip the transaction files", NULL},
        {"gzip-level", 0, 0, G_OPTION_ARG_STRING, &level, "deflate level 1-9 (default 1)", "N"},
        {"layout", 0, 0, G_OPTION_ARG_STRING, &layout,
         "comma list of canonical, amlworld, amlsim, camt053, mt940 (default canonical)", "LIST"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "no summary on stderr", NULL},
        {"currencies", 0, 0, G_OPTION_ARG_STRING, &currencies,
         "write a share of the canonical rows in these currencies, and rates.csv (ECB layout)",
         "USD,GBP,..."},
        {"currency-share", 0, 0, G_OPTION_ARG_STRING, &share,
         "the share of rows in a foreign currency (default 0.15)", "P"},
        {"blind", 0, 0, G_OPTION_ARG_NONE, &blind,
         "plant shapes drawn from wide distributions, with benign look-alikes", NULL},
        {"print-blind-shapes", 0, 0, G_OPTION_ARG_NONE, &shapes,
         "print the --blind distribution table as CSV and exit", NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx =
        g_option_context_new("- synthetic bank with planted trafficking patterns");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, error))
        return FALSE;
    guint64 v;
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->accounts = 20000;
    o->days = 90;
    o->gzip_level = 1;
    o->gzip = gz;
    o->quiet = quiet;
    o->blind = blind;
    if (shapes) {
        gen_blind_print_shapes(stdout);
        exit(0);
    }
    gen_parse_date("2024-01-01", &o->start_day);
#define BAD(...) (g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, __VA_ARGS__), FALSE)
    if (seed && !(parse_uint(seed, G_MAXUINT64, &v) && ((o->seed = v), TRUE)))
        return BAD("bad --seed '%s'", seed);
    if (accounts &&
        !(parse_uint(accounts, 100000000, &v) && v >= 500 && ((o->accounts = (guint32)v), TRUE)))
        return BAD("bad --accounts '%s': expected 500 to 100000000", accounts);
    if (days && !(parse_uint(days, 3660, &v) && v >= 1 && ((o->days = (guint32)v), TRUE)))
        return BAD("bad --days '%s': expected 1 to 3660", days);
    if (start && !gen_parse_date(start, &o->start_day))
        return BAD("bad --start '%s': expected YYYY-MM-DD", start);
    if (level && !(parse_uint(level, 9, &v) && v >= 1 && ((o->gzip_level = (int)v), TRUE)))
        return BAD("bad --gzip-level '%s': expected 1 to 9", level);
    if (intensity && strcmp(intensity, "subtle") == 0)
        o->subtle = TRUE;
    else if (intensity && strcmp(intensity, "textbook") != 0)
        return BAD("bad --intensity '%s': expected textbook or subtle", intensity);
    if (!out)
        return BAD("missing --out DIR");
#undef BAD
    int per = (int)MAX(1, o->accounts / 4000);
    for (int s = 0; s < SC_N; s++)
        o->counts[s] = per;
    for (int s = 0; s < GEN_BLIND_N; s++)
        o->blind_counts[s] = MAX(2, per);
    if (o->blind && o->days < GEN_BLIND_MIN_DAYS)
        o->days = GEN_BLIND_MIN_DAYS; /* room for the longest span */
    if (!parse_counts(o, counts, error) || !parse_layout(o, layout ? layout : "canonical", error) ||
        !gen_fx_parse(o, currencies, share, error))
        return FALSE;
    o->out_dir = g_steal_pointer(&out);
    return TRUE;
}

static char *options_text(const GenOptions *o, const GenPlan *plan, guint64 rows)
{
    int y, m, d;
    gen_civil_from_days(o->start_day, &y, &m, &d);
    GString *s =
        g_string_new("# mtgen " GEN_VERSION ": the same options give byte-identical files\n");
    g_string_append_printf(s,
                           "generator=mtgen %s\nseed=%" G_GUINT64_FORMAT "\naccounts=%u\n"
                           "days=%u\nstart=%04d-%02d-%02d\nintensity=%s\n",
                           GEN_VERSION, o->seed, o->accounts, o->days, y, m, d,
                           o->subtle ? "subtle" : "textbook");
    if (o->blind)
        g_string_append(s, "blind=1\n");
    g_string_append(s, "counts=");
    for (int k = 0; k < SC_N; k++)
        g_string_append_printf(s, "%s%s=%d", k ? "," : "", gen_scenario_keys[k], o->counts[k]);
    GString *lay = g_string_new(NULL);
    if (o->canonical)
        g_string_append(lay, ",canonical");
    if (o->amlworld)
        g_string_append(lay, ",amlworld");
    if (o->amlsim)
        g_string_append(lay, ",amlsim");
    if (o->camt053)
        g_string_append(lay, ",camt053");
    if (o->mt940)
        g_string_append(lay, ",mt940");
    g_string_append_printf(s, "\nlayout=%s\ngzip=%d\ngzip_level=%d\ntimezone=%s\n",
                           lay->len ? lay->str + 1 : "", o->gzip, o->gzip_level, GEN_TZ_STR);
    g_string_free(lay, TRUE);
    g_string_append_printf(s, "rows=%" G_GUINT64_FORMAT "\ninstances=%u\nplanted_rows=%u\n", rows,
                           plan->instances->len, plan->rows->len);
    gen_fx_meta(o, s);
    return g_string_free(s, FALSE);
}

/* Stable counting sort of one local day's rows by second. */
static void sort_day(const GArray *rows, gint64 day, GenRow *out, guint32 *counts)
{
    gint64 t0 = gen_local_to_utc(day, 0);
    memset(counts, 0, sizeof(guint32) * (GEN_DAY + 1));
    for (guint k = 0; k < rows->len; k++) {
        gint64 s = g_array_index(rows, GenRow, k).t - t0;
        g_assert(s >= 0 && s < GEN_DAY);
        counts[s + 1]++;
    }
    for (int s = 0; s < GEN_DAY; s++)
        counts[s + 1] += counts[s];
    for (guint k = 0; k < rows->len; k++) {
        const GenRow *w = &g_array_index(rows, GenRow, k);
        out[counts[w->t - t0]++] = *w;
    }
}

static gboolean stream(const GenOptions *o, GenPop *pop, GenPlan *plan, guint64 *n_rows,
                       guint64 *n_bytes, GError **error)
{
    GenOut *out = gen_out_open(o, pop, error);
    if (!out)
        return FALSE;
    GenRng r;
    gen_rng_seed(&r, o->seed, 3);
    GArray *rows = g_array_sized_new(FALSE, FALSE, sizeof(GenRow), 1024);
    guint32 *counts = g_new(guint32, GEN_DAY + 1);
    GenRow *sorted = NULL;
    guint sorted_cap = 0, pi = 0;
    gboolean ok = TRUE;
    for (guint32 d = 0; d < o->days && ok; d++) {
        GenDay day;
        gen_day_init(&day, o->start_day + d);
        g_array_set_size(rows, 0);
        gen_ordinary_day(pop, &day, d, &r, rows);
        gint64 end = gen_local_to_utc(day.day + 1, 0);
        const GenRow *pr = (const GenRow *)(void *)plan->rows->data;
        while (pi < plan->rows->len && pr[pi].t < end)
            g_array_append_val(rows, pr[pi++]);
        if (rows->len > sorted_cap) {
            sorted_cap = rows->len + rows->len / 4;
            sorted = g_renew(GenRow, sorted, sorted_cap);
        }
        sort_day(rows, day.day, sorted, counts);
        ok = gen_out_rows(out, sorted, rows->len, error);
    }
    *n_rows = gen_out_count(out);
    *n_bytes = gen_out_bytes(out);
    ok = gen_out_close(out, ok ? error : NULL) && ok;
    g_free(sorted);
    g_free(counts);
    g_array_free(rows, TRUE);
    return ok;
}

static void summary(const GenOptions *o, const GenPlan *plan, guint64 rows, guint64 bytes,
                    double secs)
{
    fprintf(stderr, "mtgen: seed %" G_GUINT64_FORMAT ", %u accounts, %u days, %s\n", o->seed,
            o->accounts, o->days, o->subtle ? "subtle" : "textbook");
    fprintf(stderr,
            "mtgen: %" G_GUINT64_FORMAT " rows, %.1f MB canonical CSV, %.1f bytes/row, "
            "%.2f s, %.0f rows/s\n",
            rows, bytes / 1e6, rows ? (double)bytes / rows : 0.0, secs,
            secs > 0 ? rows / secs : 0.0);
    GHashTable *per = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *order = g_ptr_array_new();
    for (guint k = 0; k < plan->instances->len; k++) {
        const GenInstance *in = &g_array_index(plan->instances, GenInstance, k);
        gpointer v;
        if (!g_hash_table_lookup_extended(per, in->typology, NULL, &v))
            g_ptr_array_add(order, (gpointer)in->typology);
        g_hash_table_insert(
            per, (gpointer)in->typology,
            GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(per, in->typology)) + 1));
    }
    fprintf(stderr, "mtgen: %u instances (%u planted rows):", plan->instances->len,
            plan->rows->len);
    for (guint k = 0; k < order->len; k++)
        fprintf(stderr, " %s=%u", (char *)order->pdata[k],
                GPOINTER_TO_UINT(g_hash_table_lookup(per, order->pdata[k])));
    fprintf(stderr, "\n");
    g_ptr_array_unref(order);
    g_hash_table_unref(per);
}

int main(int argc, char **argv)
{
    GenOptions o;
    g_autoptr(GError) error = NULL;
    if (!parse_options(argc, argv, &o, &error)) {
        fprintf(stderr, "mtgen: %s\n", error->message);
        return 1;
    }
    if (g_mkdir_with_parents(o.out_dir, 0755) != 0) {
        fprintf(stderr, "mtgen: cannot create '%s': %s\n", o.out_dir, g_strerror(errno));
        return 2;
    }
    gint64 t0 = g_get_monotonic_time();
    GenRng r;
    gen_rng_seed(&r, o.seed, 1);
    GenPop pop;
    gen_pop_build(&pop, o.accounts, o.start_day, &r);
    GenPlan plan;
    gen_plan_init(&plan, &o, &pop);
    if (o.blind)
        gen_blind_plan(&plan);
    else
        gen_plan_all(&plan);
    g_autofree char *acc = g_build_filename(o.out_dir, "accounts.csv", NULL);
    g_autofree char *ins = g_build_filename(o.out_dir, "instances.csv", NULL);
    g_autofree char *pat = g_build_filename(o.out_dir, "amlworld_patterns.txt", NULL);
    g_autofree char *sim = g_build_filename(o.out_dir, "amlsim_alert_accounts.csv", NULL);
    g_autofree char *meta = g_build_filename(o.out_dir, "gen.meta", NULL);
    guint64 rows = 0, bytes = 0;
    gboolean ok =
        gen_pop_write(&pop, acc, o.start_day, &error) &&
        gen_plan_write(&plan, ins, o.amlworld ? pat : NULL, o.amlsim ? sim : NULL, &error) &&
        stream(&o, &pop, &plan, &rows, &bytes, &error) && gen_fx_write(&o, &error);
    if (ok) {
        g_autofree char *text = options_text(&o, &plan, rows);
        ok = g_file_set_contents(meta, text, -1, &error);
    }
    double secs = (g_get_monotonic_time() - t0) / 1e6;
    if (ok && !o.quiet)
        summary(&o, &plan, rows, bytes, secs);
    if (!ok)
        fprintf(stderr, "mtgen: %s\n", error->message);
    gen_plan_clear(&plan);
    gen_pop_clear(&pop);
    g_free((char *)o.out_dir);
    return ok ? 0 : 2;
}
