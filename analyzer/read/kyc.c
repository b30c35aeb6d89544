/* kyc.c: the accounts (KYC) side table (see kyc.h).
 *
 * Columns are found by name in the header, so extra columns are ignored
 * and missing optional ones are left unknown; account_id is required. The
 * shared-identifier counts are computed after all rows are read: each
 * phone, email and address maps to the set of customers using it. */
#include "read/kyc.h"

#include "base/hugemem.h"

#include <string.h>

#include "read/csv.h"
#include "base/money.h"
#include "read/source.h"
#include "read/stmt.h"
#include "base/tstamp.h"

#define KYC_COLUMNS(X)                                                                             \
    X(ACCOUNT, "account_id")                                                                       \
    X(CUSTOMER, "customer_id")                                                                     \
    X(KIND, "kind")                                                                                \
    X(BIRTH, "birth_date")                                                                         \
    X(COUNTRY, "country")                                                                          \
    X(REGION, "region")                                                                            \
    X(CITY, "city")                                                                                \
    X(ADDRESS, "address")                                                                          \
    X(PHONE, "phone")                                                                              \
    X(EMAIL, "email")                                                                              \
    X(OCCUPATION, "occupation")                                                                    \
    X(INCOME, "declared_monthly_income")                                                           \
    X(MCC, "business_mcc")                                                                         \
    X(HOURS, "opening_hours")                                                                      \
    X(EMPLOYEES, "employees")                                                                      \
    X(OPENED, "opened_at")

typedef enum {
#define X(id, name) KC_##id,
    KYC_COLUMNS(X)
#undef X
        KC_COUNT
} KycColumn;

static const char *const kyc_column_names[] = {
#define X(id, name) name,
    KYC_COLUMNS(X)
#undef X
};

struct Kyc {
    KycRecord *rec; /* by account id */
    guint n;
    guint count;
    Intern *customers;
    /* identifier text -> GArray of account ids, for shared counts and links */
    GHashTable *by_ident[3];
};

static const KycRecord kyc_unknown = {.business_mcc = TXN_MCC_NONE,
                                      .open_min = -1,
                                      .close_min = -1,
                                      .birth_day = G_MININT32,
                                      .opened_day = G_MININT32,
                                      .employees = -1,
                                      .income = -1};

guint32 kyc_text_hash(const char *s, gsize n)
{
    guint64 h = 0xcbf29ce484222325ULL;
    for (gsize i = 0; i < n; i++)
        h = (h ^ (guint8)g_ascii_tolower(s[i])) * 0x100000001b3ULL;
    return (guint32)(h ^ (h >> 32)) | 1u;
}

typedef struct {
    const char *path;
    guint64 line;
    int col[KC_COUNT]; /* field index of each column, -1 if absent */
    CsvRow row;
} KycReader;

static gboolean kyc_fail(KycReader *r, KycColumn c, GError **error, const char *what)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s:%" G_GUINT64_FORMAT ": column %d (%s): %s", r->path, r->line, r->col[c] + 1,
                kyc_column_names[c], what);
    return FALSE;
}

static StrView kyc_field(const KycReader *r, KycColumn c)
{
    if (r->col[c] < 0 || (guint)r->col[c] >= r->row.n_fields)
        return (StrView){"", 0};
    return r->row.fields[r->col[c]];
}

static gboolean kyc_header(KycReader *r, char *rec, gsize len, GError **error)
{
    if (csv_split(rec, len, ',', '"', &r->row) != CSV_OK) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:1: malformed header", r->path);
        return FALSE;
    }
    for (int c = 0; c < KC_COUNT; c++) {
        r->col[c] = -1;
        for (guint i = 0; i < r->row.n_fields; i++) {
            StrView f = r->row.fields[i];
            if (f.len == strlen(kyc_column_names[c]) &&
                memcmp(f.ptr, kyc_column_names[c], f.len) == 0)
                r->col[c] = (int)i;
        }
    }
    if (r->col[KC_ACCOUNT] < 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:1: accounts file has no column 'account_id'", r->path);
        return FALSE;
    }
    return TRUE;
}

static gboolean parse_day(StrView v, gint32 *out)
{
    gint64 utc;
    int off;
    if (v.len == 0)
        return TRUE;
    if (!tstamp_parse_format(v.ptr, MIN(v.len, 10), "%Y-%m-%d", 0, &utc, &off))
        return FALSE;
    *out = (gint32)(utc / 86400);
    return TRUE;
}

static gboolean parse_hhmm(const char *s, gsize n, gint16 *out)
{
    if (n != 5 || s[2] != ':' || !g_ascii_isdigit(s[0]) || !g_ascii_isdigit(s[1]) ||
        !g_ascii_isdigit(s[3]) || !g_ascii_isdigit(s[4]))
        return FALSE;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || m > 59)
        return FALSE;
    *out = (gint16)(h * 60 + m);
    return TRUE;
}

/* "09:00-18:00", "22:00-04:00" or empty */
static gboolean parse_hours(StrView v, KycRecord *k)
{
    if (v.len == 0)
        return TRUE;
    const char *dash = memchr(v.ptr, '-', v.len);
    if (!dash)
        return FALSE;
    gsize a = (gsize)(dash - v.ptr);
    return parse_hhmm(v.ptr, a, &k->open_min) && parse_hhmm(dash + 1, v.len - a - 1, &k->close_min);
}

static gboolean parse_int(StrView v, gint32 *out)
{
    gint64 x;
    if (v.len == 0)
        return TRUE;
    if (money_parse(v.ptr, v.len, 0, '.', 0, &x) != MONEY_OK || x < 0 || x > G_MAXINT32)
        return FALSE;
    *out = (gint32)x;
    return TRUE;
}

static KycRecord *kyc_slot(Kyc *k, guint32 id)
{
    if (id >= k->n) {
        guint n = MAX(id + 1, k->n * 2);
        k->rec = hugemem_grow(k->rec, k->n * sizeof(KycRecord), n * sizeof(KycRecord));
        for (guint i = k->n; i < n; i++)
            k->rec[i] = kyc_unknown;
        k->n = n;
    }
    return &k->rec[id];
}

static void kyc_ident(Kyc *k, int which, StrView v, guint32 account)
{
    if (v.len == 0)
        return;
    g_autofree char *key = g_ascii_strdown(v.ptr, v.len);
    GArray *a = g_hash_table_lookup(k->by_ident[which], key);
    if (!a) {
        a = g_array_new(FALSE, FALSE, sizeof(guint32));
        g_hash_table_insert(k->by_ident[which], g_steal_pointer(&key), a);
    }
    g_array_append_val(a, account);
}

static gboolean kyc_row(Kyc *k, KycReader *r, Intern *accounts, Intern *locations, GError **error)
{
    StrView acc = kyc_field(r, KC_ACCOUNT);
    if (acc.len == 0)
        return kyc_fail(r, KC_ACCOUNT, error, "empty account id");
    guint32 id = intern_add(accounts, acc.ptr, acc.len);
    KycRecord *rec = kyc_slot(k, id);
    *rec = kyc_unknown;
    rec->known = TRUE;
    k->count++;
    StrView v = kyc_field(r, KC_KIND);
    rec->kind = v.len == 6 && memcmp(v.ptr, "person", 6) == 0     ? KYC_KIND_PERSON
                : v.len == 8 && memcmp(v.ptr, "business", 8) == 0 ? KYC_KIND_BUSINESS
                                                                  : KYC_KIND_UNKNOWN;
    if (v.len && rec->kind == KYC_KIND_UNKNOWN)
        return kyc_fail(r, KC_KIND, error, "kind is neither person nor business");
    StrView cust = kyc_field(r, KC_CUSTOMER);
    rec->customer = cust.len ? intern_add(k->customers, cust.ptr, cust.len)
                             : intern_add(k->customers, acc.ptr, acc.len);
    if (!parse_day(kyc_field(r, KC_BIRTH), &rec->birth_day))
        return kyc_fail(r, KC_BIRTH, error, "not a date like 1990-04-30");
    if (!parse_day(kyc_field(r, KC_OPENED), &rec->opened_day))
        return kyc_fail(r, KC_OPENED, error, "not a date like 2020-01-31");
    v = kyc_field(r, KC_COUNTRY);
    rec->country = v.len ? txn_pack_code2(v.ptr, v.len) : 0;
    if (v.len && !rec->country)
        return kyc_fail(r, KC_COUNTRY, error, "not a 2-letter country code");
    v = kyc_field(r, KC_REGION);
    rec->region = intern_add(locations, v.ptr, v.len);
    v = kyc_field(r, KC_CITY);
    rec->city = intern_add(locations, v.ptr, v.len);
    v = kyc_field(r, KC_OCCUPATION);
    rec->occupation = v.len ? kyc_text_hash(v.ptr, v.len) : 0;
    v = kyc_field(r, KC_INCOME);
    if (v.len && money_parse_round(v.ptr, v.len, 2, '.', 0, &rec->income) != MONEY_OK)
        return kyc_fail(r, KC_INCOME, error, "not an amount like 2500.00");
    v = kyc_field(r, KC_MCC);
    if (v.len) {
        gint32 mcc = -1;
        if (v.len > 4 || !parse_int(v, &mcc) || mcc > 9999)
            return kyc_fail(r, KC_MCC, error, "not a merchant category code");
        rec->business_mcc = (guint16)mcc;
    }
    if (!parse_hours(kyc_field(r, KC_HOURS), rec))
        return kyc_fail(r, KC_HOURS, error, "not opening hours like 09:00-18:00");
    if (!parse_int(kyc_field(r, KC_EMPLOYEES), &rec->employees))
        return kyc_fail(r, KC_EMPLOYEES, error, "not a whole number");
    kyc_ident(k, 0, kyc_field(r, KC_PHONE), id);
    kyc_ident(k, 1, kyc_field(r, KC_EMAIL), id);
    /* an address is a street in a city and country: "Am Markt 56" in two
     * cities is two addresses */
    StrView street = kyc_field(r, KC_ADDRESS);
    if (street.len) {
        StrView city = kyc_field(r, KC_CITY), country = kyc_field(r, KC_COUNTRY);
        g_autofree char *full =
            g_strdup_printf("%.*s|%.*s|%.*s", (int)street.len, street.ptr, (int)city.len, city.ptr,
                            (int)country.len, country.ptr);
        kyc_ident(k, 2, (StrView){full, (guint32)strlen(full)}, id);
    }
    return TRUE;
}

/* Distinct customers among the accounts of one identifier. */
static guint16 distinct_customers(const Kyc *k, const GArray *a)
{
    guint n = 0;
    for (guint i = 0; i < a->len; i++) {
        guint32 ci = k->rec[g_array_index(a, guint32, i)].customer;
        gboolean seen = FALSE;
        for (guint j = 0; j < i && !seen; j++)
            seen = k->rec[g_array_index(a, guint32, j)].customer == ci;
        n += !seen;
        if (n == G_MAXUINT16)
            break;
    }
    return (guint16)n;
}

static void kyc_count_shared(Kyc *k)
{
    for (int w = 0; w < 3; w++) {
        GHashTableIter it;
        gpointer key, val;
        g_hash_table_iter_init(&it, k->by_ident[w]);
        while (g_hash_table_iter_next(&it, &key, &val)) {
            GArray *a = val;
            guint16 n = distinct_customers(k, a);
            for (guint i = 0; i < a->len; i++) {
                KycRecord *r = &k->rec[g_array_index(a, guint32, i)];
                guint16 *dst = w == 0   ? &r->shared_phone
                               : w == 1 ? &r->shared_email
                                        : &r->shared_address;
                *dst = n;
            }
        }
    }
}

static void free_array(gpointer p)
{
    g_array_unref(p);
}

Kyc *kyc_new(void)
{
    Kyc *k = g_new0(Kyc, 1);
    k->customers = intern_new();
    for (int w = 0; w < 3; w++)
        k->by_ident[w] = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_array);
    return k;
}

Kyc *kyc_load(const char *path, Intern *accounts, Intern *locations, GError **error)
{
    Source *holders = NULL; /* a statement's or a goAML report's account holders */
    if (!stmt_parties_open(path, &holders, error))
        return NULL;
    g_autoptr(Source) src = holders ? holders : source_open(path, error);
    if (!src)
        return NULL;
    g_autoptr(Kyc) k = kyc_new();
    KycReader r = {.path = path};
    SourceRecord rec;
    gboolean have_header = FALSE;
    for (;;) {
        SourceStatus st = source_next(src, &rec, error);
        if (st == SOURCE_ERROR)
            return NULL;
        if (st == SOURCE_END)
            break;
        r.line = rec.line;
        if (st == SOURCE_OVERLONG) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s:%" G_GUINT64_FORMAT ": line longer than %d bytes", path, rec.line,
                        LIMIT_LINE_BYTES);
            return NULL;
        }
        if (!have_header) {
            if (!kyc_header(&r, rec.data, rec.len, error))
                return NULL;
            have_header = TRUE;
            continue;
        }
        CsvStatus cs = csv_split(rec.data, rec.len, ',', '"', &r.row);
        if (cs != CSV_OK) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%" G_GUINT64_FORMAT ":%u: %s",
                        path, rec.line, r.row.err_column, csv_status_str(cs));
            return NULL;
        }
        if (!kyc_row(k, &r, accounts, locations, error))
            return NULL;
    }
    if (!have_header) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:1: empty accounts file, expected a header with account_id", path);
        return NULL;
    }
    kyc_finish(k);
    return g_steal_pointer(&k);
}

gboolean kyc_add(Kyc *k, const char *const *keys, const StrView *values, guint n, Intern *accounts,
                 Intern *locations, GError **error)
{
    KycReader r = {.path = "example", .line = 0};
    for (int c = 0; c < KC_COUNT; c++)
        r.col[c] = -1;
    for (guint i = 0; i < n && i < LIMIT_FIELDS; i++) {
        int c = 0;
        while (c < KC_COUNT && strcmp(keys[i], kyc_column_names[c]) != 0)
            c++;
        if (c == KC_COUNT) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "unknown account attribute '%s'",
                        keys[i]);
            return FALSE;
        }
        r.col[c] = (int)i;
        r.row.fields[i] = values[i];
    }
    r.row.n_fields = MIN(n, LIMIT_FIELDS);
    return kyc_row(k, &r, accounts, locations, error);
}

void kyc_finish(Kyc *k)
{
    kyc_count_shared(k);
}

void kyc_free(Kyc *k)
{
    if (!k)
        return;
    hugemem_free(k->rec, k->n * sizeof(KycRecord));
    intern_free(k->customers);
    for (int w = 0; w < 3; w++)
        g_hash_table_unref(k->by_ident[w]);
    g_free(k);
}

const KycRecord *kyc_get(const Kyc *k, guint32 account)
{
    if (!k || account >= k->n)
        return &kyc_unknown;
    return &k->rec[account];
}

guint kyc_count(const Kyc *k)
{
    return k ? k->count : 0;
}

const char *kyc_customer_name(const Kyc *k, guint32 customer)
{
    return k ? intern_str(k->customers, customer) : "";
}

void kyc_linked_accounts(const Kyc *k, guint32 account, GArray *out)
{
    if (!k || account >= k->n || !k->rec[account].known)
        return;
    guint32 me = k->rec[account].customer;
    for (int w = 0; w < 3; w++) {
        GHashTableIter it;
        gpointer key, val;
        g_hash_table_iter_init(&it, k->by_ident[w]);
        while (g_hash_table_iter_next(&it, &key, &val)) {
            GArray *a = val;
            gboolean mine = FALSE;
            for (guint i = 0; i < a->len && !mine; i++)
                mine = g_array_index(a, guint32, i) == account;
            for (guint i = 0; mine && i < a->len; i++) {
                guint32 other = g_array_index(a, guint32, i);
                if (k->rec[other].customer != me)
                    g_array_append_val(out, other);
            }
        }
    }
}

/* ---- the parsed table as bytes (kyc_save, kyc_restore) ----
 *
 *   "MTKYC001", u32 sizeof(KycRecord), u32 records, u32 count
 *   records    KycRecord each, by account id from 0
 *   customers  u32 count, then each id (1, 2, ...) as u32 length, bytes
 *   links      for phone, email, address: u32 groups, then each group
 *              as u32 accounts, the u32 account ids
 *
 * Only groups of two customers or more are kept: the others link no one. */

#define SAVE_MAGIC "MTKYC001"

static void save_u32(GByteArray *out, guint32 v)
{
    g_byte_array_append(out, (const guint8 *)&v, sizeof v);
}

/* The groups of identifier w shared by two customers or more. */
static void save_links(const Kyc *k, int w, GByteArray *out)
{
    GHashTableIter it;
    gpointer key, val;
    guint at = out->len;
    guint32 groups = 0;
    save_u32(out, 0);
    g_hash_table_iter_init(&it, k->by_ident[w]);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        GArray *a = val;
        if (distinct_customers(k, a) < 2)
            continue;
        save_u32(out, a->len);
        g_byte_array_append(out, (const guint8 *)a->data, a->len * (guint)sizeof(guint32));
        groups++;
    }
    memcpy(out->data + at, &groups, sizeof groups);
}

void kyc_save(const Kyc *k, GByteArray *out)
{
    guint32 n = k->n;
    while (n && !k->rec[n - 1].known)
        n--;
    g_byte_array_append(out, (const guint8 *)SAVE_MAGIC, 8);
    save_u32(out, sizeof(KycRecord));
    save_u32(out, n);
    save_u32(out, k->count);
    g_byte_array_append(out, (const guint8 *)k->rec, n * (guint)sizeof(KycRecord));
    guint32 c = intern_count(k->customers);
    save_u32(out, c);
    for (guint32 i = 1; i <= c; i++) {
        const char *s = intern_str(k->customers, i);
        save_u32(out, (guint32)strlen(s));
        g_byte_array_append(out, (const guint8 *)s, (guint)strlen(s));
    }
    for (int w = 0; w < 3; w++)
        save_links(k, w, out);
}

typedef struct {
    const guint8 *p;
    gsize at, len;
} SavedReader;

static gboolean take_bytes(SavedReader *r, void *out, gsize n)
{
    if (r->len - r->at < n)
        return FALSE;
    memcpy(out, r->p + r->at, n);
    r->at += n;
    return TRUE;
}

static gboolean restore_customers(Kyc *k, SavedReader *r)
{
    guint32 c, len;
    if (!take_bytes(r, &c, sizeof c))
        return FALSE;
    for (guint32 i = 1; i <= c; i++) {
        if (!take_bytes(r, &len, sizeof len) || r->len - r->at < len ||
            intern_add(k->customers, (const char *)r->p + r->at, len) != i)
            return FALSE;
        r->at += len;
    }
    return TRUE;
}

static gboolean restore_links(Kyc *k, int w, SavedReader *r)
{
    guint32 groups, m, id;
    if (!take_bytes(r, &groups, sizeof groups))
        return FALSE;
    for (guint32 g = 0; g < groups; g++) {
        if (!take_bytes(r, &m, sizeof m) || (r->len - r->at) / sizeof(guint32) < m)
            return FALSE;
        GArray *a = g_array_sized_new(FALSE, FALSE, sizeof(guint32), m);
        g_hash_table_insert(k->by_ident[w], g_strdup_printf("%u", g), a);
        for (guint32 i = 0; i < m; i++) {
            if (!take_bytes(r, &id, sizeof id) || id >= k->n)
                return FALSE;
            g_array_append_val(a, id);
        }
    }
    return TRUE;
}

/* Every known record's customer, region and city within their tables. */
static gboolean restored_ids_fit(const Kyc *k, guint32 accounts, guint32 locations)
{
    if (k->n > (guint64)accounts + 1)
        return FALSE;
    guint32 customers = intern_count(k->customers);
    for (guint i = 0; i < k->n; i++) {
        const KycRecord *rec = &k->rec[i];
        if (rec->known && (!rec->customer || rec->customer > customers || rec->region > locations ||
                           rec->city > locations))
            return FALSE;
    }
    return TRUE;
}

Kyc *kyc_restore(const guint8 *p, gsize len, guint32 accounts, guint32 locations, GError **error)
{
    SavedReader r = {p, 0, len};
    char magic[8];
    guint32 size, n, count;
    g_autoptr(Kyc) k = kyc_new();
    gboolean ok = take_bytes(&r, magic, 8) && memcmp(magic, SAVE_MAGIC, 8) == 0 &&
                  take_bytes(&r, &size, sizeof size) && size == sizeof(KycRecord) &&
                  take_bytes(&r, &n, sizeof n) && take_bytes(&r, &count, sizeof count) &&
                  (r.len - r.at) / sizeof(KycRecord) >= n;
    if (ok && n) {
        k->rec = hugemem_grow(NULL, 0, n * sizeof(KycRecord));
        k->n = n;
        ok = take_bytes(&r, k->rec, n * sizeof(KycRecord));
    }
    k->count = count;
    ok = ok && restore_customers(k, &r);
    for (int w = 0; w < 3 && ok; w++)
        ok = restore_links(k, w, &r);
    if (!ok || r.at != r.len || !restored_ids_fit(k, accounts, locations)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "the saved accounts table is damaged or of another moneytrail build");
        return NULL;
    }
    return g_steal_pointer(&k);
}
