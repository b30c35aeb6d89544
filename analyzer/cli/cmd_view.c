/* cmd_view.c: what the investigator commands share (see cmd_view.h):
 * parsing their common options, opening the store, messages, text cells. */
#include "cli/cmd_view.h"

#include <stdio.h>
#include <string.h>

#include "case/case_links.h"
#include "cli/cmd.h"
#include "base/money.h"
#include "base/tstamp.h"

GOptionEntry cmd_view_option(CmdView *v, const char *name, const char *help)
{
    const GOptionEntry entries[] = {
        {"from", 0, 0, G_OPTION_ARG_STRING, &v->from, help ? help : "first day (2024-03-01)", "D"},
        {"to", 0, 0, G_OPTION_ARG_STRING, &v->to, help ? help : "last day (2024-03-31)", "D"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    return cmd_option_find(entries, name);
}

/* --fx-max-age as a number of days (the default when not given); FALSE
 * after saying why when it is not one. */
static gboolean fx_max_age_of(const CmdViewOptions *o, const char *what, int *out)
{
    char *end = NULL;
    *out = FX_MAX_AGE_DAYS_DEFAULT;
    if (!o->fx_max_age)
        return TRUE;
    gint64 v = g_ascii_strtoll(o->fx_max_age, &end, 10);
    if (*o->fx_max_age && !*end && v >= 0 && v <= G_MAXINT) {
        *out = (int)v;
        return TRUE;
    }
    cmd_error(what, "--fx-max-age must be 0 or more days, not '%s'", o->fx_max_age);
    return FALSE;
}

/* The rate options' usage errors, before anything is opened. */
static gboolean fx_options_ok(const CmdViewOptions *o, const char *what)
{
    int age;
    if (o->currency && !o->fx && !o->db) {
        cmd_error(what, "--currency needs --fx FILE (the rates to convert with)");
        return FALSE;
    }
    return fx_max_age_of(o, what, &age);
}

gboolean cmd_view_parse(CmdView *v, const CmdViewSpec *spec, const GOptionEntry *entries, int argc,
                        char **argv)
{
    const GOptionEntry common[] = {
        cmd_view_option(v, "from", NULL),
        cmd_view_option(v, "to", NULL),
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &v->args, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    v->what = spec->what;
    g_autoptr(GOptionContext) ctx = g_option_context_new(spec->params);
    g_option_context_set_summary(ctx, spec->summary);
    if (entries)
        g_option_context_add_main_entries(ctx, entries, NULL);
    /* the positional arguments, after --from and --to when asked for */
    g_option_context_add_main_entries(ctx, spec->range ? common : common + 2, NULL);
    cmd_view_add_store_options(ctx, &v->store);
    if (!cmd_parse_options(ctx, &argc, &argv, spec->what) || !fx_options_ok(&v->store, spec->what))
        return FALSE;
    if (spec->one_arg && !cmd_view_one_arg(v)) {
        cmd_error(spec->what, "%s", spec->one_arg);
        return FALSE;
    }
    return !spec->check || spec->check(v);
}

int cmd_view_main(CmdView *v, const CmdViewSpec *spec, const GOptionEntry *entries, int argc,
                  char **argv)
{
    int rc = cmd_view_parse(v, spec, entries, argc, argv) ? spec->run(v) : EXIT_USAGE;
    cmd_view_clear(v, entries);
    return rc;
}

gboolean cmd_view_no_args(const CmdView *v)
{
    if (!v->args)
        return TRUE;
    cmd_error(v->what, "unexpected argument '%s' (see --help)", v->args[0]);
    return FALSE;
}

gboolean cmd_view_one_arg(const CmdView *v)
{
    return v->args && g_strv_length(v->args) == 1;
}

CaseStore *cmd_view_open_account(const CmdView *v, gint64 *t0, gint64 *t1, int *rc)
{
    *rc = EXIT_USAGE;
    if (!cmd_view_range(v->what, v->from, v->to, t0, t1))
        return NULL;
    *rc = EXIT_DATA;
    g_autoptr(CaseStore) s = cmd_view_open(&v->store, v->what);
    if (!s)
        return NULL;
    *rc = cmd_view_require_account(s, v->what, v->args[0]);
    return *rc == EXIT_OK ? g_steal_pointer(&s) : NULL;
}

int cmd_view_write(const char *what, const char *path, const GString *text)
{
    g_autoptr(GError) err = NULL;
    if (!g_file_set_contents(path, text->str, (gssize)text->len, &err))
        return cmd_view_fail(what, err);
    return EXIT_OK;
}

void cmd_view_clear(CmdView *v, const GOptionEntry *entries)
{
    cmd_view_options_clear(&v->store);
    cmd_options_clear(entries);
    g_clear_pointer(&v->from, g_free);
    g_clear_pointer(&v->to, g_free);
    g_clear_pointer(&v->args, g_strfreev);
}

/* The table of the store options, filling o; out has room for
 * VIEW_STORE_ENTRIES entries, the last the terminator. */
#define VIEW_STORE_ENTRIES 9
static void store_entries(CmdViewOptions *o, GOptionEntry out[VIEW_STORE_ENTRIES])
{
    const GOptionEntry entries[VIEW_STORE_ENTRIES] = {
        {"alerts", 'a', 0, G_OPTION_ARG_FILENAME, &o->alerts,
         "alerts JSON Lines written by moneytrail scan (file mode)", "FILE"},
        {"data", 'd', 0, G_OPTION_ARG_FILENAME_ARRAY, &o->data,
         "transaction export that was scanned, any profile, plain or gzip (repeatable)", "FILE"},
        {"accounts", 0, 0, G_OPTION_ARG_FILENAME, &o->accounts,
         "KYC accounts CSV (account_id,customer_id,kind,name,...)", "FILE"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &o->format,
         "mapping profile of the exports (default: detected)", "NAME"},
        {"db", 0, 0, G_OPTION_ARG_STRING, &o->db,
         "PostgreSQL connection string (libpq); replaces the files", "CONNINFO"},
        {"fx", 0, 0, G_OPTION_ARG_FILENAME, &o->fx,
         "reference exchange rates, as given to scan: amounts are shown converted, with the "
         "original (with --db the fx_rates table is used when it holds rates)",
         "FILE"},
        {"currency", 0, 0, G_OPTION_ARG_STRING, &o->currency,
         "the reporting currency (default EUR)", "CODE"},
        {"fx-max-age", 0, 0, G_OPTION_ARG_STRING, &o->fx_max_age,
         "the most days a rate may be older than the transaction (default 5)", "N"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    memcpy(out, entries, sizeof entries);
}

void cmd_view_add_store_options(GOptionContext *ctx, CmdViewOptions *o)
{
    GOptionEntry entries[VIEW_STORE_ENTRIES];
    store_entries(o, entries);
    GOptionGroup *g = g_option_group_new("store", "Where the alerts and transactions come from:",
                                         "Show the store options", NULL, NULL);
    g_option_group_add_entries(g, entries);
    g_option_context_add_group(ctx, g);
}

void cmd_view_options_clear(CmdViewOptions *o)
{
    GOptionEntry entries[VIEW_STORE_ENTRIES];
    store_entries(o, entries);
    cmd_options_clear(entries);
}

CaseStore *cmd_view_open(const CmdViewOptions *o, const char *what)
{
    g_autoptr(GError) err = NULL;
    CaseOpenOptions co = {.alerts = o->alerts,
                          .data = (const char *const *)o->data,
                          .accounts = o->accounts,
                          .format = o->format,
                          .db = o->db,
                          .fx = o->fx,
                          .currency = o->currency};
    if (!fx_max_age_of(o, what, &co.fx_max_age))
        return NULL;
    CaseStore *s = case_store_open(&co, &err);
    if (!s)
        cmd_error(what, "%s", err->message);
    return s;
}

int cmd_view_fail(const char *what, GError *error)
{
    cmd_error(what, "%s", error ? error->message : "failed");
    if (error && error->domain == CASE_ERROR && error->code == CASE_ERROR_NOT_FOUND)
        return EXIT_NOT_FOUND;
    if (error && error->domain == CASE_ERROR && error->code == CASE_ERROR_USAGE)
        return EXIT_USAGE;
    return EXIT_DATA;
}

int cmd_view_require_account(CaseStore *s, const char *what, const char *id)
{
    g_autoptr(GError) err = NULL;
    if (s->ops->account_known(s, id, &err))
        return EXIT_OK;
    if (!err)
        g_set_error(&err, CASE_ERROR, CASE_ERROR_NOT_FOUND,
                    "no account '%s' in the accounts, transactions or alerts given", id);
    return cmd_view_fail(what, err);
}

gboolean cmd_view_range(const char *what, const char *from, const char *to, gint64 *t0, gint64 *t1)
{
    *t0 = G_MININT64 / 2;
    *t1 = G_MAXINT64 / 2;
    if (from && !case_parse_time(from, FALSE, t0)) {
        cmd_error(what, "--from '%s' is not a date (2024-03-01) or ISO 8601 time", from);
        return FALSE;
    }
    if (to && !case_parse_time(to, TRUE, t1)) {
        cmd_error(what, "--to '%s' is not a date (2024-03-31) or ISO 8601 time", to);
        return FALSE;
    }
    return TRUE;
}

void cmd_view_cell(GString *out, const char *s, guint width, gboolean right)
{
    glong n = g_utf8_strlen(s, -1);
    if ((guint)n > width) {
        const char *cut = g_utf8_offset_to_pointer(s, width - 1);
        g_string_append_len(out, s, cut - s);
        g_string_append_c(out, '~');
        return;
    }
    if (right)
        for (guint i = (guint)n; i < width; i++)
            g_string_append_c(out, ' ');
    g_string_append(out, s);
    if (!right)
        for (guint i = (guint)n; i < width; i++)
            g_string_append_c(out, ' ');
}

void cmd_view_id_cell(GString *out, const char *s, guint width)
{
    g_string_append(out, s);
    for (glong n = g_utf8_strlen(s, -1); n < (glong)width; n++)
        g_string_append_c(out, ' ');
}

void cmd_view_print(const GString *out)
{
    const unsigned char *p = (const unsigned char *)out->str, *end = p + out->len;
    for (; p < end; p++) {
        gboolean c1 = p[0] == 0xc2 && p + 1 < end && p[1] >= 0x80 && p[1] <= 0x9f;
        if ((p[0] < 0x20 && p[0] != '\n' && p[0] != '\t') || p[0] == 0x7f) {
            printf("\\x%02x", p[0]);
        } else if (c1) { /* U+0080-U+009F, the C1 controls (CSI among them) */
            printf("\\u%04x", p[1]);
            p++;
        } else {
            putchar(p[0]);
        }
    }
}

const char *cmd_view_money(gint64 minor, int exp, char *buf)
{
    return money_format(minor, exp, buf);
}

static void tx_where(const CaseTx *t, char *buf, gsize size)
{
    if (t->location && *t->location)
        g_snprintf(buf, size, "%s", t->location);
    else if (*t->country)
        g_snprintf(buf, size, "%s", t->country);
    else if (t->mcc != TXN_MCC_NONE)
        g_snprintf(buf, size, "mcc %04u", t->mcc);
    else
        buf[0] = 0;
}

/* A space between cells, or the end of the line without trailing spaces. */
static void sep(GString *out, gboolean last)
{
    if (!last) {
        g_string_append_c(out, ' ');
        return;
    }
    while (out->len && out->str[out->len - 1] == ' ')
        g_string_truncate(out, out->len - 1);
    g_string_append_c(out, '\n');
}

const char *cmd_view_local_time(const CaseTx *t, char *buf)
{
    if (t->utc_offset == TXN_OFFSET_UNKNOWN) {
        tstamp_format_minute(t->ts, buf);
        strcat(buf, " UTC");
        return buf;
    }
    int off = t->utc_offset < 0 ? -t->utc_offset : t->utc_offset;
    tstamp_format_minute(t->ts + (gint64)t->utc_offset * 60, buf);
    g_snprintf(buf + strlen(buf), 16, " %c%02d:%02d", t->utc_offset < 0 ? '-' : '+', off / 60,
               off % 60);
    return buf;
}

/* The widest of the column's minimum and its values (UTF-8 characters). */
static guint widest(GPtrArray *txns, guint min, const char *(*get)(const CaseTx *))
{
    for (guint i = 0; i < txns->len; i++)
        min = MAX(min, (guint)g_utf8_strlen(get(g_ptr_array_index(txns, i)), -1));
    return min;
}

static const char *get_id(const CaseTx *t)
{
    return t->tx_id;
}

static const char *get_from(const CaseTx *t)
{
    return *t->from ? t->from : "(cash)";
}

static const char *get_to(const CaseTx *t)
{
    return *t->to ? t->to : "(cash)";
}

/* Ids are never cut: their columns are as wide as the longest. */
void cmd_view_tx_table(GString *out, GPtrArray *txns)
{
    guint w[] = {widest(txns, 10, get_id),
                 23,
                 widest(txns, 12, get_from),
                 widest(txns, 12, get_to),
                 13,
                 3,
                 18,
                 8};
    static const char *const head[] = {"TX",     "TIME (LOCAL)", "FROM",    "TO",
                                       "AMOUNT", "CUR",          "CHANNEL", "WHERE"};
    gboolean orig = FALSE; /* a converted one: the original in a last column */
    for (guint i = 0; i < txns->len; i++)
        orig |= *((const CaseTx *)g_ptr_array_index(txns, i))->currency_orig != 0;
    for (gsize k = 0; k < G_N_ELEMENTS(w); k++) {
        cmd_view_cell(out, head[k], w[k], k == 4);
        sep(out, k + 1 == G_N_ELEMENTS(w) && !orig);
    }
    if (orig) {
        g_string_append(out, " ORIGINAL");
        sep(out, TRUE);
    }
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *t = g_ptr_array_index(txns, i);
        char tm[32], amt[32], where[128];
        tx_where(t, where, sizeof where);
        const char *cells[] = {t->tx_id,
                               cmd_view_local_time(t, tm),
                               get_from(t),
                               get_to(t),
                               cmd_view_money(t->amount, t->exp, amt),
                               t->currency,
                               txn_channel_name(t->channel),
                               where};
        for (gsize k = 0; k < G_N_ELEMENTS(w); k++) {
            cmd_view_cell(out, cells[k], w[k], k == 4);
            sep(out, k + 1 == G_N_ELEMENTS(w) && !orig);
        }
        if (orig && *t->currency_orig)
            g_string_append_printf(out, " %s %s", cmd_view_money(t->amount_orig, t->exp_orig, amt),
                                   t->currency_orig);
        if (orig)
            sep(out, TRUE);
    }
}

void cmd_view_wrap(GString *out, const char *text, guint col, guint indent, guint width)
{
    g_auto(GStrv) words = g_strsplit(text, " ", -1);
    gboolean line_start = TRUE;
    for (guint i = 0; words[i]; i++) {
        guint n = (guint)g_utf8_strlen(words[i], -1);
        if (!line_start && col + 1 + n > width) {
            g_string_append_printf(out, "\n%*s", (int)indent, "");
            col = indent;
            line_start = TRUE;
        }
        if (!line_start) {
            g_string_append_c(out, ' ');
            col++;
        }
        g_string_append(out, words[i]);
        col += n;
        line_start = FALSE;
    }
    g_string_append_c(out, '\n');
}

void cmd_view_links(GString *out, const char *title, const char *head, GPtrArray *links)
{
    g_string_append_printf(out, "\n%s\n", title);
    if (!links->len) {
        g_string_append(out, "  none\n");
        return;
    }
    g_string_append_printf(out, "  %-14s %-24s %-22s %6s %5s RULES\n", "ACCOUNT", "NAME", head,
                           "ALERTS", "SCORE");
    for (guint i = 0; i < links->len; i++) {
        const CaseLink *l = g_ptr_array_index(links, i);
        g_string_append(out, "  ");
        cmd_view_cell(out, l->account, 14, FALSE);
        g_string_append_c(out, ' ');
        cmd_view_cell(out, l->name, 24, FALSE);
        g_string_append_c(out, ' ');
        cmd_view_cell(out, l->via, 22, FALSE);
        g_string_append_printf(out, " %6u %5g %s\n", l->alerts, l->score,
                               l->rules->len ? l->rules->str : "-");
    }
}

void cmd_view_flow_free(CmdViewFlow *f)
{
    g_free(f->key);
    g_free(f);
}

CmdViewFlow *cmd_view_flow_at(GHashTable *t, GPtrArray *order, const char *key)
{
    CmdViewFlow *f = g_hash_table_lookup(t, key);
    if (!f) {
        f = g_new0(CmdViewFlow, 1);
        f->key = g_strdup(key);
        g_hash_table_insert(t, f->key, f);
        g_ptr_array_add(order, f);
    }
    return f;
}

void cmd_view_flow_add(CmdViewFlow *f, const CaseTx *t, gboolean in)
{
    if (in) {
        f->n_in++;
        f->in += t->amount;
    } else {
        f->n_out++;
        f->out += t->amount;
    }
}

static gint cmp_flow_key(gconstpointer pa, gconstpointer pb)
{
    return strcmp((*(CmdViewFlow *const *)pa)->key, (*(CmdViewFlow *const *)pb)->key);
}

GPtrArray *cmd_view_flows(const char *acc, GPtrArray *txns,
                          char *(*fn)(const CaseTx *, gboolean in), gboolean sorted, int *exp)
{
    g_autoptr(GHashTable) t = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *order = g_ptr_array_new_with_free_func((GDestroyNotify)cmd_view_flow_free);
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *x = g_ptr_array_index(txns, i);
        gboolean in = strcmp(x->to, acc) == 0;
        g_autofree char *key = fn(x, in);
        if (key)
            cmd_view_flow_add(cmd_view_flow_at(t, order, key), x, in);
        *exp = x->exp;
    }
    if (sorted)
        g_ptr_array_sort(order, cmp_flow_key);
    return order;
}

char *cmd_view_key_channel(const CaseTx *t, gboolean in)
{
    return g_strdup_printf("%s %s", txn_channel_name(t->channel), t->currency);
}

char *cmd_view_key_month(const CaseTx *t, gboolean in)
{
    char d[16];
    return g_strdup_printf("%.7s %s", tstamp_format_date(t->ts, d), t->currency);
}

static gint cmp_flow_amount(gconstpointer pa, gconstpointer pb)
{
    const CmdViewFlow *a = *(CmdViewFlow *const *)pa, *b = *(CmdViewFlow *const *)pb;
    gint64 x = a->in + a->out, y = b->in + b->out;
    if (x != y)
        return x > y ? -1 : 1;
    return strcmp(a->key, b->key);
}

GPtrArray *cmd_view_counterparties(const char *acc, GPtrArray *txns, gboolean in, int *exp)
{
    g_autoptr(GHashTable) t = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *order = g_ptr_array_new_with_free_func((GDestroyNotify)cmd_view_flow_free);
    *exp = 2;
    for (guint i = 0; i < txns->len; i++) {
        const CaseTx *x = g_ptr_array_index(txns, i);
        if (strcmp(in ? x->to : x->from, acc) != 0)
            continue;
        const char *other = in ? x->from : x->to;
        cmd_view_flow_add(cmd_view_flow_at(t, order, *other ? other : "(cash)"), x, in);
        *exp = x->exp;
    }
    g_ptr_array_sort(order, cmp_flow_amount);
    return order;
}
