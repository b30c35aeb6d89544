/* case_file.c: the investigator's query layer over files.
 *
 * Alerts come from the JSON Lines that `moneytrail scan` writes. They are
 * never held all at once: every question streams the file a line at a
 * time and keeps only the alerts that pass its filter, so memory follows
 * the answer, not the file. Triage is kept beside them in a sidecar file
 * ALERTS.triage.jsonl (one entry per line, appended, read whole at open:
 * it grows with people's work, not with the scan), because the alert file
 * is the scan's output and is replaced by the next run. Transactions are
 * streamed from the exports with input.h (any mapping profile) once, on
 * the first question that needs them, and held in memory with an index by
 * account and by id: about 150 bytes a transaction, so a file mode session
 * suits exports of a few million rows; the database suits more. KYC
 * records come from the accounts CSV (header row, any column order), or
 * from the holders of a camt.053/.054 statement or goAML report. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/alert.h"
#include "case/case.h"
#include "read/csv.h"
#include "read/input.h"
#include "read/source.h"
#include "read/stmt.h"
#include "base/tstamp.h"

typedef struct {
    CaseStore base;
    CaseOpenOptions o;
    char *alerts_path, *triage_path, *accounts_path, *format;
    char **data;
    GHashTable *triage; /* alert id -> GPtrArray of CaseTriage *, oldest first */
    GHashTable *kyc;    /* account id -> CaseAccount * */
    gboolean txns_loaded;
    GPtrArray *txns;        /* CaseTx *, oldest first */
    GHashTable *tx_by_id;   /* tx id -> CaseTx * (borrowed) */
    GHashTable *by_account; /* account -> GPtrArray of CaseTx * (borrowed) */
} FileStore;

static gboolean need_alerts(FileStore *fs, GError **error)
{
    if (fs->alerts_path)
        return TRUE;
    g_set_error(error, CASE_ERROR, CASE_ERROR_USAGE,
                "no alerts given: use --alerts FILE (the output of moneytrail scan) or --db");
    return FALSE;
}

static gint cmp_newest(gconstpointer pa, gconstpointer pb)
{
    const CaseAlert *a = *(CaseAlert *const *)pa, *b = *(CaseAlert *const *)pb;
    if (a->window_end != b->window_end)
        return a->window_end > b->window_end ? -1 : 1;
    return strcmp(a->id, b->id);
}

/* Gives a its triage history from the sidecar. */
static void attach_triage(FileStore *fs, CaseAlert *a)
{
    GPtrArray *list = g_hash_table_lookup(fs->triage, a->id);
    for (guint i = 0; list && i < list->len; i++)
        g_ptr_array_add(a->triage, case_triage_copy(g_ptr_array_index(list, i)));
}

/* Streams the alert file: each line is parsed, given its triage and
 * handed to fn when it passes f; only the ids handed out are remembered
 * (a re-run appended to the same file repeats them: the first wins). */
static gboolean file_each_alert(CaseStore *s, const CaseFilter *f, CaseAlertFn fn, void *user,
                                GError **error)
{
    FileStore *fs = (FileStore *)s;
    if (!need_alerts(fs, error))
        return FALSE;
    FILE *in = fopen(fs->alerts_path, "r");
    if (!in) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_DATA, "cannot read: '%s': %s", fs->alerts_path,
                    g_strerror(errno));
        return FALSE;
    }
    g_autoptr(GHashTable) handed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GError) err = NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    guint lineno = 0;
    gboolean ok = TRUE, go_on = TRUE;
    while (go_on && (n = getline(&line, &cap, in)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n == 0)
            continue;
        JVal *j = jval_parse(line, (gsize)n, &err);
        CaseAlert *a = j ? case_alert_from_json(j, &err) : NULL;
        if (!a) {
            g_set_error(error, CASE_ERROR, CASE_ERROR_DATA, "cannot read: '%s:%u': %s",
                        fs->alerts_path, lineno, err->message);
            ok = FALSE;
            break;
        }
        attach_triage(fs, a);
        if (!case_filter_match(f, a) || g_hash_table_contains(handed, a->id)) {
            case_alert_free(a);
            continue;
        }
        g_hash_table_add(handed, g_strdup(a->id));
        go_on = fn(a, user);
    }
    free(line);
    fclose(in);
    return ok;
}

static gboolean collect(CaseAlert *a, void *user)
{
    g_ptr_array_add(user, a);
    return TRUE;
}

static GPtrArray *file_alerts(CaseStore *s, const CaseFilter *f, GError **error)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_alert_free);
    if (!file_each_alert(s, f, collect, out, error)) {
        g_ptr_array_unref(out);
        return NULL;
    }
    g_ptr_array_sort(out, cmp_newest);
    return out;
}

typedef struct {
    const char *id;
    CaseAlert *found;
} FindAlert;

static gboolean find_one(CaseAlert *a, void *user)
{
    FindAlert *fa = user;
    if (fa->id && strcmp(a->id, fa->id) != 0) {
        case_alert_free(a);
        return TRUE;
    }
    fa->found = a;
    return FALSE;
}

static CaseAlert *file_alert(CaseStore *s, const char *id, GError **error)
{
    FileStore *fs = (FileStore *)s;
    CaseFilter f;
    case_filter_init(&f);
    FindAlert fa = {id, NULL};
    if (!file_each_alert(s, &f, find_one, &fa, error))
        return NULL;
    if (!fa.found)
        g_set_error(error, CASE_ERROR, CASE_ERROR_NOT_FOUND, "no alert with id '%s' in %s", id,
                    fs->alerts_path);
    return fa.found;
}

static CaseAccount *copy_account(const CaseAccount *a)
{
    CaseAccount *c = g_new0(CaseAccount, 1);
    c->keys = g_ptr_array_new_with_free_func(g_free);
    c->values = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < a->keys->len; i++) {
        g_ptr_array_add(c->keys, g_strdup(g_ptr_array_index(a->keys, i)));
        g_ptr_array_add(c->values, g_strdup(g_ptr_array_index(a->values, i)));
    }
    return c;
}

static CaseAccount *file_account(CaseStore *s, const char *id, GError **error)
{
    FileStore *fs = (FileStore *)s;
    const CaseAccount *a = fs->kyc ? g_hash_table_lookup(fs->kyc, id) : NULL;
    return a ? copy_account(a) : NULL;
}

static gboolean load_txns(FileStore *fs, GError **error);

static gboolean file_account_known(CaseStore *s, const char *id, GError **error)
{
    FileStore *fs = (FileStore *)s;
    if (fs->kyc && g_hash_table_contains(fs->kyc, id))
        return TRUE;
    if (fs->alerts_path) {
        CaseFilter f;
        case_filter_init(&f);
        f.account = id;
        FindAlert fa = {NULL, NULL};
        if (!file_each_alert(s, &f, find_one, &fa, error))
            return FALSE;
        if (fa.found) {
            case_alert_free(fa.found);
            return TRUE;
        }
    }
    if (!fs->data)
        return FALSE;
    if (!load_txns(fs, error))
        return FALSE;
    return g_hash_table_contains(fs->by_account, id);
}

static CaseTx *copy_tx(const CaseTx *t)
{
    CaseTx *c = g_new0(CaseTx, 1);
    *c = *t;
    c->tx_id = g_strdup(t->tx_id);
    c->from = g_strdup(t->from);
    c->to = g_strdup(t->to);
    c->location = g_strdup(t->location);
    c->memo = g_strdup(t->memo);
    return c;
}

static void index_account(FileStore *fs, const char *acc, CaseTx *t)
{
    if (!*acc)
        return;
    GPtrArray *list = g_hash_table_lookup(fs->by_account, acc);
    if (!list) {
        list = g_ptr_array_new();
        g_hash_table_insert(fs->by_account, g_strdup(acc), list);
    }
    if (list->len == 0 || g_ptr_array_index(list, list->len - 1) != t)
        g_ptr_array_add(list, t);
}

static gboolean read_txns(FileStore *fs, Input *in, Intern *accs, Intern *locs, GError **error)
{
    Txn t;
    for (;;) {
        InputStatus st = input_next(in, &t, error);
        if (st == INPUT_END)
            return TRUE;
        if (st == INPUT_ERROR)
            return FALSE;
        CaseTx *c = case_tx_from_txn(&t, intern_str(accs, t.core.from), intern_str(accs, t.core.to),
                                     intern_str(locs, t.core.location));
        case_tx_convert(c, fs->base.fx);
        g_ptr_array_add(fs->txns, c);
    }
}

static gboolean load_txns(FileStore *fs, GError **error)
{
    if (fs->txns_loaded)
        return TRUE;
    if (!fs->data) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_USAGE,
                    "no transactions given: use --data FILE... (the exports that were scanned) "
                    "or --db");
        return FALSE;
    }
    g_autoptr(Intern) accs = intern_new();
    g_autoptr(Intern) locs = intern_new();
    InputOptions io = {.format = fs->format, .max_lateness = G_MAXINT64 / 4};
    g_autoptr(Input) in =
        input_open((const char *const *)fs->data, g_strv_length(fs->data), &io, accs, locs, error);
    if (!in || !read_txns(fs, in, accs, locs, error))
        return FALSE;
    case_txns_sort(fs->txns);
    for (guint i = 0; i < fs->txns->len; i++) {
        CaseTx *t = g_ptr_array_index(fs->txns, i);
        g_hash_table_insert(fs->tx_by_id, t->tx_id, t);
        index_account(fs, t->from, t);
        index_account(fs, t->to, t);
    }
    fs->txns_loaded = TRUE;
    return TRUE;
}

static GPtrArray *file_txns_of(CaseStore *s, const char *account, gint64 from, gint64 to,
                               GError **error)
{
    FileStore *fs = (FileStore *)s;
    if (!load_txns(fs, error))
        return NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    GPtrArray *list = g_hash_table_lookup(fs->by_account, account);
    for (guint i = 0; list && i < list->len; i++) {
        const CaseTx *t = g_ptr_array_index(list, i);
        if (t->ts >= from && t->ts <= to)
            g_ptr_array_add(out, copy_tx(t));
    }
    return out;
}

static GPtrArray *file_txns_by_id(CaseStore *s, GPtrArray *ids, GError **error)
{
    FileStore *fs = (FileStore *)s;
    if (!load_txns(fs, error))
        return NULL;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < ids->len; i++) {
        const CaseTx *t = g_hash_table_lookup(fs->tx_by_id, g_ptr_array_index(ids, i));
        if (t && g_hash_table_add(seen, t->tx_id))
            g_ptr_array_add(out, copy_tx(t));
    }
    case_txns_sort(out);
    return out;
}

static char *now_iso(void)
{
    char buf[32];
    return g_strdup(tstamp_format_utc(g_get_real_time() / G_USEC_PER_SEC, buf));
}

/* Adds an entry to the sidecar history of alert id (takes ownership of t). */
static void add_triage(FileStore *fs, const char *id, CaseTriage *t)
{
    GPtrArray *list = g_hash_table_lookup(fs->triage, id);
    if (!list) {
        list = g_ptr_array_new_with_free_func((GDestroyNotify)case_triage_free);
        g_hash_table_insert(fs->triage, g_strdup(id), list);
    }
    g_ptr_array_add(list, t);
}

static gboolean file_set_triage(CaseStore *s, const char *id, const CaseTriage *draft,
                                GError **error)
{
    FileStore *fs = (FileStore *)s;
    CaseAlert *a = file_alert(s, id, error);
    if (!a)
        return FALSE;
    case_alert_free(a);
    CaseTriage *t = case_triage_copy(draft);
    if (!t->by)
        t->by = g_strdup(g_get_user_name());
    g_free(t->at);
    t->at = now_iso();
    if (!t->note)
        t->note = g_strdup("");
    g_autoptr(GString) line = g_string_new("{\"alert_id\":");
    jval_write_string(line, id);
    g_string_append_c(line, ',');
    gsize brace = line->len;
    case_triage_write_json(t, line);
    g_string_erase(line, (gssize)brace, 1); /* its keys go into the object naming the alert */
    g_string_append_c(line, '\n');
    FILE *f = fopen(fs->triage_path, "a");
    if (!f || fwrite(line->str, 1, line->len, f) != line->len || fclose(f) != 0) {
        g_set_error(error, CASE_ERROR, CASE_ERROR_DATA, "cannot write triage file: '%s': %s",
                    fs->triage_path, g_strerror(errno));
        case_triage_free(t);
        return FALSE;
    }
    add_triage(fs, id, t);
    return TRUE;
}

static const char *file_triage_where(CaseStore *s)
{
    return ((FileStore *)s)->triage_path;
}

static void file_free(CaseStore *s)
{
    FileStore *fs = (FileStore *)s;
    if (fs->triage)
        g_hash_table_unref(fs->triage);
    if (fs->kyc)
        g_hash_table_unref(fs->kyc);
    g_hash_table_unref(fs->by_account);
    g_hash_table_unref(fs->tx_by_id);
    g_ptr_array_unref(fs->txns);
    g_free(fs->alerts_path);
    g_free(fs->triage_path);
    g_free(fs->accounts_path);
    g_free(fs->format);
    g_strfreev(fs->data);
    g_free(fs);
}

/* TRUE when a and b hold the same non-empty value under key, ignoring case. */
static gboolean same_value(const CaseAccount *a, const CaseAccount *b, const char *key)
{
    const char *x = case_account_get(a, key), *y = case_account_get(b, key);
    return *x && g_ascii_strcasecmp(x, y) == 0;
}

static gint cmp_account_id(gconstpointer pa, gconstpointer pb)
{
    return strcmp(case_account_get(*(CaseAccount *const *)pa, "account_id"),
                  case_account_get(*(CaseAccount *const *)pb, "account_id"));
}

static GPtrArray *file_linked(CaseStore *s, const char *account, GError **error)
{
    FileStore *fs = (FileStore *)s;
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)case_account_free);
    const CaseAccount *me = fs->kyc ? g_hash_table_lookup(fs->kyc, account) : NULL;
    if (!me)
        return out;
    GHashTableIter it;
    gpointer key, val;
    g_hash_table_iter_init(&it, fs->kyc);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        if (strcmp(key, account) == 0)
            continue;
        for (guint i = 0; case_link_keys[i]; i++) {
            if (same_value(me, val, case_link_keys[i])) {
                g_ptr_array_add(out, copy_account(val));
                break;
            }
        }
    }
    g_ptr_array_sort(out, cmp_account_id);
    return out;
}

static const CaseStoreOps file_ops = {
    file_alerts,
    file_each_alert,
    file_alert,
    file_account,
    file_account_known,
    file_txns_of,
    file_txns_by_id,
    file_set_triage,
    file_triage_where,
    file_linked,
    file_free,
    NULL,
    NULL,
};

/* Calls fn on every line of a JSON Lines file; a missing file is an error
 * only when must_exist. */
static gboolean each_json_line(const char *path, gboolean must_exist,
                               gboolean (*fn)(FileStore *, JVal *, GError **), FileStore *fs,
                               GError **error)
{
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &text, &len, &err)) {
        if (!must_exist && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return TRUE;
        g_set_error(error, CASE_ERROR, CASE_ERROR_DATA, "cannot read: '%s': %s", path,
                    err->message);
        return FALSE;
    }
    guint lineno = 0;
    for (char *p = text, *end; p < text + len; p = end + 1) {
        end = memchr(p, '\n', (gsize)(text + len - p));
        if (!end)
            end = text + len;
        lineno++;
        if (end == p)
            continue;
        JVal *j = jval_parse(p, (gsize)(end - p), &err);
        if (!j || !fn(fs, j, &err)) {
            g_set_error(error, CASE_ERROR, CASE_ERROR_DATA, "cannot read: '%s:%u': %s", path,
                        lineno, err->message);
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean on_triage_line(FileStore *fs, JVal *j, GError **error)
{
    const char *id = jval_get_str(j, "alert_id");
    CaseTriage *t = id ? case_triage_from_json(j) : NULL;
    if (t)
        add_triage(fs, id, t);
    jval_free(j);
    return TRUE;
}

static CaseAccount *account_from_row(const CsvRow *hdr, const CsvRow *row)
{
    CaseAccount *a = g_new0(CaseAccount, 1);
    a->keys = g_ptr_array_new_with_free_func(g_free);
    a->values = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < hdr->n_fields; i++) {
        g_ptr_array_add(a->keys, g_strndup(hdr->fields[i].ptr, hdr->fields[i].len));
        g_ptr_array_add(a->values, i < row->n_fields
                                       ? g_strndup(row->fields[i].ptr, row->fields[i].len)
                                       : g_strdup(""));
    }
    return a;
}

static gboolean has_column(const CsvRow *hdr, const char *name)
{
    for (guint i = 0; i < hdr->n_fields; i++) {
        if (hdr->fields[i].len == strlen(name) &&
            memcmp(hdr->fields[i].ptr, name, hdr->fields[i].len) == 0)
            return TRUE;
    }
    return FALSE;
}

/* The accounts CSV, or the account holders of a camt.053/.054 statement
 * or a goAML report as its records (read/stmt.h), as scan reads them. */
static gboolean load_kyc(FileStore *fs, GError **error)
{
    Source *holders = NULL;
    if (!stmt_parties_open(fs->accounts_path, &holders, error))
        return FALSE;
    g_autoptr(Source) src = holders ? holders : source_open(fs->accounts_path, error);
    if (!src)
        return FALSE;
    fs->kyc =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)case_account_free);
    SourceRecord rec;
    CsvRow hdr, row;
    g_autofree char *hdr_copy = NULL;
    SourceStatus st;
    while ((st = source_next(src, &rec, error)) == SOURCE_RECORD) {
        CsvRow *r = hdr_copy ? &row : &hdr;
        char *data = hdr_copy ? rec.data : (hdr_copy = g_strndup(rec.data, rec.len));
        if (csv_split(data, rec.len, ',', '"', r) != CSV_OK) {
            g_set_error(error, CASE_ERROR, CASE_ERROR_DATA,
                        "cannot read: '%s:%" G_GUINT64_FORMAT "': %s", fs->accounts_path, rec.line,
                        "malformed CSV record");
            return FALSE;
        }
        if (r == &hdr && !has_column(&hdr, "account_id")) {
            g_set_error(error, CASE_ERROR, CASE_ERROR_DATA,
                        "cannot read accounts: '%s': the header has no account_id column",
                        fs->accounts_path);
            return FALSE;
        }
        if (r == &row) {
            CaseAccount *a = account_from_row(&hdr, &row);
            const char *id = case_account_get(a, "account_id");
            g_hash_table_replace(fs->kyc, g_strdup(id), a);
        }
    }
    if (st == SOURCE_ERROR)
        return FALSE;
    return TRUE;
}

CaseStore *case_file_open(const CaseOpenOptions *o, GError **error)
{
    FileStore *fs = g_new0(FileStore, 1);
    fs->base.ops = &file_ops;
    fs->alerts_path = g_strdup(o->alerts);
    fs->accounts_path = g_strdup(o->accounts);
    fs->format = g_strdup(o->format);
    fs->data = o->data && o->data[0] ? g_strdupv((char **)o->data) : NULL;
    fs->txns = g_ptr_array_new_with_free_func((GDestroyNotify)case_tx_free);
    fs->tx_by_id = g_hash_table_new(g_str_hash, g_str_equal);
    fs->by_account =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    gboolean ok = TRUE;
    if (o->alerts) {
        fs->triage_path = g_strconcat(o->alerts, ".triage.jsonl", NULL);
        fs->triage = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)g_ptr_array_unref);
        ok = each_json_line(fs->triage_path, FALSE, on_triage_line, fs, error);
        if (ok && !g_file_test(o->alerts, G_FILE_TEST_IS_REGULAR)) {
            g_set_error(error, CASE_ERROR, CASE_ERROR_DATA, "cannot read: '%s': %s", o->alerts,
                        g_strerror(ENOENT));
            ok = FALSE;
        }
    }
    if (ok && o->accounts)
        ok = load_kyc(fs, error);
    if (!ok) {
        file_free(&fs->base);
        return NULL;
    }
    return &fs->base;
}
