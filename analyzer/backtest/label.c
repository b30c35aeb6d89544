/* label.c: ground truth for backtests, from label files and label columns.
 *
 * Invariants: every labelled transaction id and account is a key owned by
 * its table; instances are owned by the instances array and indexed by id;
 * an account's roles string lists each role once. */
#include <string.h>

#include "read/decode.h"
#include "read/csv.h"
#include "backtest/label.h"
#include "base/money.h"

#define LABEL_AMLWORLD_HEADER                                                                      \
    "Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,"              \
    "Amount Paid,Payment Currency,Payment Format,Is Laundering"
#define LABEL_BEGIN "BEGIN LAUNDERING ATTEMPT"
#define LABEL_END   "END LAUNDERING ATTEMPT"

/* Label columns of the data, by the names the shipped profiles give them. */
typedef struct {
    const char *const *names; /* the profile's names these positions belong to */
    gint laundering;          /* "Is Laundering" (AMLworld) */
    gint sar;                 /* "is_sar" (AMLSim) */
    gint alert;               /* "alert_id" (AMLSim) */
} LabelColumns;

struct LabelSet {
    GHashTable *tx;        /* tx id -> NULL; owns keys */
    GHashTable *tx_seen;   /* keys of tx seen in the data; borrowed */
    GHashTable *accounts;  /* account -> GString roles; owns both */
    GPtrArray *instances;  /* LabelInstance, owned */
    GHashTable *by_id;     /* instance id -> LabelInstance, borrowed */
    GHashTable *sim_types; /* AMLSim alert id -> alert type; owns both */
    GString *describe;     /* one line per label file */
    LabelColumns cols;
    guint64 col_rows; /* rows labelled laundering by a column */
    gboolean col_known;
    char *col_kind; /* "AMLworld `Is Laundering`" or "AMLSim `is_sar`" */
};

static void instance_free(gpointer p)
{
    LabelInstance *in = p;
    g_free(in->typology);
    g_free(in->id);
    g_ptr_array_unref(in->accounts);
    g_ptr_array_unref(in->roles);
    g_free(in);
}

static void roles_free(gpointer p)
{
    g_string_free(p, TRUE);
}

LabelSet *label_set_new(void)
{
    LabelSet *ls = g_new0(LabelSet, 1);
    ls->tx = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    ls->tx_seen = g_hash_table_new(g_str_hash, g_str_equal);
    ls->accounts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, roles_free);
    ls->instances = g_ptr_array_new_with_free_func(instance_free);
    ls->by_id = g_hash_table_new(g_str_hash, g_str_equal);
    ls->sim_types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    ls->describe = g_string_new(NULL);
    ls->cols.laundering = ls->cols.sar = ls->cols.alert = -1;
    return ls;
}

void label_set_free(LabelSet *ls)
{
    if (!ls)
        return;
    g_hash_table_unref(ls->tx_seen);
    g_hash_table_unref(ls->tx);
    g_hash_table_unref(ls->accounts);
    g_hash_table_unref(ls->by_id);
    g_ptr_array_unref(ls->instances);
    g_hash_table_unref(ls->sim_types);
    g_string_free(ls->describe, TRUE);
    g_free(ls->col_kind);
    g_free(ls);
}

/* ---- building blocks ---- */

static LabelInstance *instance_get(LabelSet *ls, const char *typology, const char *id)
{
    LabelInstance *in = g_hash_table_lookup(ls->by_id, id);
    if (in)
        return in;
    in = g_new0(LabelInstance, 1);
    in->typology = g_strdup(typology);
    in->id = g_strdup(id);
    in->accounts = g_ptr_array_new_with_free_func(g_free);
    in->roles = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(ls->instances, in);
    g_hash_table_insert(ls->by_id, in->id, in);
    return in;
}

/* Labels an account with a role text; each text is kept once. */
static void account_add(LabelSet *ls, const char *account, const char *role)
{
    if (!account[0])
        return;
    GString *roles = g_hash_table_lookup(ls->accounts, account);
    if (!roles) {
        roles = g_string_new(NULL);
        g_hash_table_insert(ls->accounts, g_strdup(account), roles);
    }
    gsize n = strlen(role);
    for (const char *p = roles->str; (p = strstr(p, role)); p += n) {
        if ((p == roles->str || p[-1] == ' ') && (p[n] == ';' || p[n] == 0))
            return;
    }
    if (roles->len)
        g_string_append(roles, "; ");
    g_string_append(roles, role);
}

static void instance_add_account(LabelSet *ls, LabelInstance *in, const char *account,
                                 const char *role)
{
    if (!account[0])
        return;
    gboolean known = FALSE;
    for (guint i = 0; i < in->accounts->len && !known; i++)
        known = strcmp(g_ptr_array_index(in->accounts, i), account) == 0;
    if (!known) {
        g_ptr_array_add(in->accounts, g_strdup(account));
        g_ptr_array_add(in->roles, g_strdup(role ? role : ""));
    }
    g_autofree char *text = g_strdup_printf("%s #%s%s%s", in->typology, in->id,
                                            role && role[0] ? " " : "", role ? role : "");
    account_add(ls, account, text);
}

/* Labels a transaction id, as one of instance in's (NULL: of none known).
 * An id listed twice keeps its first instance. */
static void tx_add(LabelSet *ls, const char *tx_id, gsize n, LabelInstance *in)
{
    if (n == 0 || g_hash_table_contains(ls->tx, tx_id))
        return;
    g_hash_table_insert(ls->tx, g_strndup(tx_id, n), in);
    if (in)
        in->n_tx++;
}

/* ---- files ---- */

/* The lines of a file, without line ends. Caller frees with g_strfreev. */
static char **read_lines(const char *path, GError **error)
{
    g_autofree char *text = NULL;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &text, NULL, &err)) {
        g_set_error(error, G_FILE_ERROR, err->code, "cannot read labels: '%s': %s", path,
                    err->message);
        return NULL;
    }
    char **lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++)
        g_strchomp(*l);
    return lines;
}

/* Splits a CSV line (modified in place) into row; FALSE when malformed. */
static gboolean split_line(char *line, CsvRow *row)
{
    return csv_split(line, strlen(line), ',', '"', row) == CSV_OK;
}

/* Copies field i of row into buf (size LIMIT_FIELD_BYTES + 1); "" if absent. */
static const char *field(const CsvRow *row, gint i, char *buf)
{
    gsize n = i >= 0 && (guint)i < row->n_fields ? row->fields[i].len : 0;
    if (n)
        memcpy(buf, row->fields[i].ptr, n);
    buf[n] = 0;
    return buf;
}

/* Position of a named column in a header row, -1 if absent. */
static gint column(const CsvRow *header, const char *name)
{
    for (guint i = 0; i < header->n_fields; i++) {
        if (header->fields[i].len == strlen(name) &&
            memcmp(header->fields[i].ptr, name, header->fields[i].len) == 0)
            return (gint)i;
    }
    return -1;
}

static gboolean bad_line(const char *path, guint line, const char *why, GError **error)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "cannot read labels: '%s:%u': %s", path,
                line, why);
    return FALSE;
}

/* instance_tx.csv beside instances.csv: instance_id,tx_id. */
static gboolean load_instance_tx(LabelSet *ls, const char *path, guint *n_rows, GError **error)
{
    g_auto(GStrv) lines = read_lines(path, error);
    if (!lines)
        return FALSE;
    CsvRow row;
    char buf[LIMIT_FIELD_BYTES + 1];
    if (!lines[0] || !split_line(lines[0], &row) || column(&row, "tx_id") < 0)
        return bad_line(path, 1, "expected the header instance_id,tx_id", error);
    gint c_tx = column(&row, "tx_id"), c_id = column(&row, "instance_id");
    char id[LIMIT_FIELD_BYTES + 1];
    for (guint i = 1; lines[i]; i++) {
        if (!lines[i][0])
            continue;
        if (!split_line(lines[i], &row) || row.n_fields <= (guint)MAX(c_tx, c_id))
            return bad_line(path, i + 1, "malformed row", error);
        field(&row, c_tx, buf);
        tx_add(ls, buf, strlen(buf), g_hash_table_lookup(ls->by_id, field(&row, c_id, id)));
        (*n_rows)++;
    }
    return TRUE;
}

/* mtgen's instances.csv: typology,instance_id,account,role,... */
static gboolean load_instances(LabelSet *ls, const char *path, char **lines, GError **error)
{
    CsvRow row;
    split_line(lines[0], &row);
    gint c_typ = column(&row, "typology"), c_id = column(&row, "instance_id");
    gint c_acc = column(&row, "account"), c_role = column(&row, "role");
    guint before = ls->instances->len, n_tx = 0;
    char typ[LIMIT_FIELD_BYTES + 1], id[LIMIT_FIELD_BYTES + 1], acc[LIMIT_FIELD_BYTES + 1],
        role[LIMIT_FIELD_BYTES + 1];
    for (guint i = 1; lines[i]; i++) {
        if (!lines[i][0])
            continue;
        if (!split_line(lines[i], &row) || row.n_fields < 4)
            return bad_line(path, i + 1, "malformed row", error);
        LabelInstance *in = instance_get(ls, field(&row, c_typ, typ), field(&row, c_id, id));
        instance_add_account(ls, in, field(&row, c_acc, acc), field(&row, c_role, role));
    }
    g_autofree char *dir = g_path_get_dirname(path);
    g_autofree char *tx_path = g_build_filename(dir, "instance_tx.csv", NULL);
    if (!load_instance_tx(ls, tx_path, &n_tx, error))
        return FALSE;
    char a[32], b[32];
    g_string_append_printf(ls->describe, "%s (mtgen): %s instances, %s instance transactions\n",
                           path, money_format(ls->instances->len - before, 0, a),
                           money_format(n_tx, 0, b));
    return TRUE;
}

/* The typology of "BEGIN LAUNDERING ATTEMPT - FAN-OUT:  Max 16-degree Fan-Out". */
static char *pattern_typology(const char *line)
{
    const char *p = line + strlen(LABEL_BEGIN);
    while (*p == ' ' || *p == '-')
        p++;
    gsize n = strcspn(p, ":");
    char *t = g_strstrip(g_strndup(p, n));
    if (!t[0]) {
        g_free(t);
        t = g_strdup("LAUNDERING");
    }
    return t;
}

typedef struct {
    Profile *profile;
    Intern *accounts, *locations;
    Decoder *dec;
} PatternDecoder;

static void pattern_decoder_clear(PatternDecoder *pd)
{
    decode_free(pd->dec);
    profile_free(pd->profile);
    if (pd->accounts)
        intern_free(pd->accounts);
    if (pd->locations)
        intern_free(pd->locations);
}

static gboolean pattern_decoder_init(PatternDecoder *pd, const char *path, GError **error)
{
    char header[] = LABEL_AMLWORLD_HEADER;
    if (!(pd->profile = profile_load_builtin("ibm-amlworld", error)))
        return FALSE;
    pd->accounts = intern_new();
    pd->locations = intern_new();
    pd->dec = decode_new(pd->profile, pd->accounts, pd->locations, path);
    return decode_bind(pd->dec, header, strlen(header), path, error);
}

/* One transaction row of an attempt: both its accounts join the instance. */
static gboolean pattern_row(LabelSet *ls, PatternDecoder *pd, LabelInstance *in, char *line,
                            guint lineno, const char *path, GError **error)
{
    Txn t;
    if (decode_row(pd->dec, line, strlen(line), lineno, &t) != DECODE_OK)
        return bad_line(path, lineno, decode_message(pd->dec), error);
    instance_add_account(ls, in, intern_str(pd->accounts, t.core.from), NULL);
    instance_add_account(ls, in, intern_str(pd->accounts, t.core.to), NULL);
    return TRUE;
}

/* AMLworld Patterns.txt: attempts of rows in the transaction layout. */
static gboolean load_patterns(LabelSet *ls, const char *path, char **lines, GError **error)
{
    PatternDecoder pd = {0};
    LabelInstance *in = NULL;
    guint n_inst = 0, n_rows = 0;
    gboolean ok = pattern_decoder_init(&pd, path, error);
    for (guint i = 0; ok && lines[i]; i++) {
        if (g_str_has_prefix(lines[i], LABEL_BEGIN)) {
            g_autofree char *typ = pattern_typology(lines[i]);
            g_autofree char *id = g_strdup_printf("%u", ++n_inst);
            in = instance_get(ls, typ, id);
        } else if (g_str_has_prefix(lines[i], LABEL_END)) {
            in = NULL;
        } else if (lines[i][0] && !in) {
            ok = bad_line(path, i + 1, "a row outside BEGIN ... END LAUNDERING ATTEMPT", error);
        } else if (lines[i][0]) {
            ok = pattern_row(ls, &pd, in, lines[i], i + 1, path, error);
            n_rows++;
        }
    }
    pattern_decoder_clear(&pd);
    if (ok)
        g_string_append_printf(ls->describe, "%s (AMLworld patterns): %u attempts, %u rows\n", path,
                               n_inst, n_rows);
    return ok;
}

/* AMLSim alert file: alert_id,alert_type and optionally acct_id, orig_acct,
 * bene_acct, tran_id (alert_accounts.csv, alert_transactions.csv). */
static gboolean load_sim_alerts(LabelSet *ls, const char *path, char **lines, GError **error)
{
    CsvRow row;
    split_line(lines[0], &row);
    gint c_id = column(&row, "alert_id"), c_type = column(&row, "alert_type");
    gint c_acc[3] = {column(&row, "acct_id"), column(&row, "orig_acct"), column(&row, "bene_acct")};
    gint c_tx = column(&row, "tran_id");
    guint before = ls->instances->len;
    char id[LIMIT_FIELD_BYTES + 1], typ[LIMIT_FIELD_BYTES + 1], buf[LIMIT_FIELD_BYTES + 1];
    for (guint i = 1; lines[i]; i++) {
        if (!lines[i][0])
            continue;
        if (!split_line(lines[i], &row) || row.n_fields <= (guint)MAX(c_id, c_type))
            return bad_line(path, i + 1, "malformed row", error);
        field(&row, c_id, id);
        field(&row, c_type, typ);
        g_hash_table_replace(ls->sim_types, g_strdup(id), g_strdup(typ));
        LabelInstance *in = instance_get(ls, typ, id);
        for (guint k = 0; k < G_N_ELEMENTS(c_acc); k++)
            instance_add_account(ls, in, field(&row, c_acc[k], buf), NULL);
        if (c_tx >= 0) {
            /* two statements: the length is taken after the copy */
            field(&row, c_tx, buf);
            tx_add(ls, buf, strlen(buf), in);
        }
    }
    g_string_append_printf(ls->describe, "%s (AMLSim alerts): %u alerts\n", path,
                           ls->instances->len - before);
    return TRUE;
}

gboolean label_set_load(LabelSet *ls, const char *path, GError **error)
{
    g_auto(GStrv) lines = read_lines(path, error);
    if (!lines)
        return FALSE;
    if (lines[0] && g_str_has_prefix(lines[0], LABEL_BEGIN))
        return load_patterns(ls, path, lines, error);
    CsvRow row;
    g_autofree char *head = g_strdup(lines[0] ? lines[0] : "");
    gboolean csv = split_line(head, &row);
    if (csv && column(&row, "typology") >= 0 && column(&row, "instance_id") >= 0 &&
        column(&row, "account") >= 0 && column(&row, "role") >= 0)
        return load_instances(ls, path, lines, error);
    if (csv && column(&row, "alert_id") >= 0 && column(&row, "alert_type") >= 0)
        return load_sim_alerts(ls, path, lines, error);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "cannot read labels: '%s': not an mtgen instances.csv, an AMLworld Patterns.txt "
                "nor an AMLSim alert file (see docs/backtest.md)",
                path);
    return FALSE;
}

/* ---- label columns of the data ---- */

static gint name_index(const char *const *names, guint n, const char *want)
{
    for (guint i = 0; i < n; i++) {
        if (g_ascii_strcasecmp(names[i], want) == 0)
            return (gint)i;
    }
    return -1;
}

static void bind_columns(LabelSet *ls, const char *const *names, guint n)
{
    LabelColumns *c = &ls->cols;
    c->names = names;
    c->laundering = name_index(names, n, "Is Laundering");
    c->sar = name_index(names, n, "is_sar");
    c->alert = name_index(names, n, "alert_id");
    if (c->laundering >= 0 || c->sar >= 0) {
        ls->col_known = TRUE;
        g_free(ls->col_kind);
        ls->col_kind = g_strdup(c->laundering >= 0 ? "AMLworld column 'Is Laundering'"
                                                   : "AMLSim column 'is_sar'");
    }
}

static gboolean truthy(StrView v)
{
    static const char *const yes[] = {"1", "true", "t", "yes", "y"};
    for (gsize i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (v.len == strlen(yes[i]) && g_ascii_strncasecmp(v.ptr, yes[i], v.len) == 0)
            return TRUE;
    }
    return FALSE;
}

/* A transaction labelled by a column: its id and both its accounts, with
 * the instance of its AMLSim alert id when there is one. */
static void observe_labelled(LabelSet *ls, const Txn *t, const Intern *accounts, const char *id)
{
    const LabelColumns *c = &ls->cols;
    const char *from = intern_str(accounts, t->core.from), *to = intern_str(accounts, t->core.to);
    ls->col_rows++;
    StrView a = c->alert >= 0 ? t->labels[c->alert] : (StrView){"", 0};
    LabelInstance *in = NULL;
    if (c->sar >= 0 && a.len && !(a.len == 2 && memcmp(a.ptr, "-1", 2) == 0)) {
        g_autofree char *aid = g_strndup(a.ptr, a.len);
        const char *typ = g_hash_table_lookup(ls->sim_types, aid);
        in = instance_get(ls, typ ? typ : "SAR", aid);
    }
    tx_add(ls, id, strlen(id), in);
    gpointer key;
    if (g_hash_table_lookup_extended(ls->tx, id, &key, NULL))
        g_hash_table_add(ls->tx_seen, key);
    if (in) {
        instance_add_account(ls, in, from, NULL);
        instance_add_account(ls, in, to, NULL);
        return;
    }
    account_add(ls, from, "laundering transaction");
    account_add(ls, to, "laundering transaction");
}

void label_set_observe(LabelSet *ls, const Txn *t, const Intern *accounts, const char *const *names,
                       guint n)
{
    if (names != ls->cols.names)
        bind_columns(ls, names, n);
    char id[LIMIT_TXID_BYTES + 1];
    gsize len = MIN(t->tx_id.len, LIMIT_TXID_BYTES);
    memcpy(id, t->tx_id.ptr, len);
    id[len] = 0;
    gpointer key;
    if (g_hash_table_lookup_extended(ls->tx, id, &key, NULL)) {
        g_hash_table_add(ls->tx_seen, key);
        return;
    }
    const LabelColumns *c = &ls->cols;
    gint col = c->laundering >= 0 ? c->laundering : c->sar;
    if (col >= 0 && (guint)col < t->n_labels && truthy(t->labels[col]))
        observe_labelled(ls, t, accounts, id);
}

gboolean label_set_has_tx(const LabelSet *ls, const char *tx_id)
{
    return g_hash_table_contains(ls->tx, tx_id);
}

const LabelInstance *label_set_tx_instance(const LabelSet *ls, const char *tx_id)
{
    return g_hash_table_lookup(ls->tx, tx_id);
}

gboolean label_set_has_account(const LabelSet *ls, const char *account)
{
    return g_hash_table_contains(ls->accounts, account);
}

static gint compare_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *label_set_accounts(const LabelSet *ls)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, ls->accounts);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(out, key);
    g_ptr_array_sort(out, compare_str);
    return out;
}

const char *label_set_account_roles(const LabelSet *ls, const char *account)
{
    const GString *roles = g_hash_table_lookup(ls->accounts, account);
    return roles ? roles->str : NULL;
}

gboolean label_set_account_victim_only(const LabelSet *ls, const char *account)
{
    const GString *roles = g_hash_table_lookup(ls->accounts, account);
    if (!roles)
        return FALSE;
    g_auto(GStrv) each = g_strsplit(roles->str, "; ", -1);
    for (char **r = each; *r; r++) {
        if (!g_str_has_suffix(*r, " victim"))
            return FALSE;
    }
    return TRUE;
}

const GPtrArray *label_set_instances(const LabelSet *ls)
{
    return ls->instances;
}

guint label_set_n_tx(const LabelSet *ls)
{
    return g_hash_table_size(ls->tx);
}

guint label_set_n_tx_seen(const LabelSet *ls)
{
    return g_hash_table_size(ls->tx_seen);
}

gboolean label_set_is_empty(const LabelSet *ls)
{
    return ls->describe->len == 0 && !ls->col_known;
}

char *label_set_describe(const LabelSet *ls)
{
    GString *s = g_string_new(ls->describe->str);
    if (ls->col_known)
        g_string_append_printf(s, "%s: %" G_GUINT64_FORMAT " laundering rows\n", ls->col_kind,
                               ls->col_rows);
    return g_string_free(s, FALSE);
}
