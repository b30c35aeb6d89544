/* scan.c: the scan pipeline (see scan.h): sources -> decoder -> engine
 * shards -> an alert callback, with the error budget.
 *
 * Invariants: the engine exists only after scan_open succeeded, so every
 * row the engine sees came through the one read loop, scan_run; the
 * budget is checked after each row has gone to the engine, so a run that
 * stops at the budget has processed exactly the rows read before it. */
#include "scan/scan.h"

#include <string.h>

#include "base/jval.h"
#include "read/kyc.h"
#include "read/rowfile.h"
#include "read/source_pg.h"

/* A cluster shard's accounts (scan_set_shard): for each account id, 0 not
 * yet known, OWNER_MINE or OWNER_OTHER, in chunks that never move, so that
 * the engine threads read what the read loop wrote before handing a row
 * over while it writes the entries of newer accounts. */
#define OWNER_CHUNK_BITS 16
#define OWNER_CHUNKS     (1u << (32 - OWNER_CHUNK_BITS))
enum { OWNER_MINE = 1, OWNER_OTHER = 2 };

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME  0x100000001b3ULL

struct Scan {
    const RuleSet *rs; /* borrowed */
    Intern *accounts, *locations;
    Kyc *kyc; /* NULL without an accounts side table */
    Input *input;
    Shards *engine;
    guint shard, shards;     /* scan_set_shard; shards 0: not sharded */
    guint8 **owner;          /* OWNER_CHUNKS chunks, when sharded */
    guint64 digest;          /* scan_input_digest */
    guint64 accounts_digest; /* of the accounts table's bytes alone */
    RowFile *split;          /* a split's rows file read instead of the input */
    InputStats split_stats;  /* what the split read */
};

static guint64 fnv(guint64 h, const void *p, gsize n)
{
    for (gsize i = 0; i < n; i++)
        h = (h ^ ((const guint8 *)p)[i]) * FNV_PRIME;
    return h;
}

/* The input digest's step, faster than fnv's: 8 bytes at a time (the
 * tail zero-filled), then the length, each stirred down. */
static guint64 stir(guint64 h, guint64 w)
{
    h = (h ^ w) * FNV_PRIME;
    return h ^ (h >> 32);
}

static guint64 digest_bytes(guint64 h, const void *p, gsize n)
{
    const guint8 *b = p;
    gsize i = 0;
    guint64 w;
    for (; i + 8 <= n; i += 8) {
        memcpy(&w, b + i, 8);
        h = stir(h, w);
    }
    w = 0;
    memcpy(&w, b + i, n - i);
    return stir(stir(h, w), n);
}

Scan *scan_new(const RuleSet *rs)
{
    Scan *s = g_new0(Scan, 1);
    s->rs = rs;
    s->accounts = intern_new();
    rule_set_intern_accounts(rs, s->accounts); /* the ids account lists hold */
    s->locations = intern_new();
    return s;
}

void scan_free(Scan *s)
{
    if (!s)
        return;
    /* the engine first: its threads read the tables and the KYC */
    shards_free(s->engine);
    for (guint i = 0; s->owner && i < OWNER_CHUNKS; i++)
        g_free(s->owner[i]);
    g_free(s->owner);
    input_free(s->input);
    rowfile_free(s->split);
    kyc_free(s->kyc);
    intern_free(s->accounts);
    intern_free(s->locations);
    g_free(s);
}

/* Adds a file's bytes (the accounts table a shard read) to the digest. */
static gboolean digest_file(Scan *s, const char *path, GError **error)
{
    GMappedFile *m = g_mapped_file_new(path, FALSE, error);
    if (!m)
        return FALSE;
    s->accounts_digest =
        digest_bytes(FNV_OFFSET, g_mapped_file_get_contents(m), g_mapped_file_get_length(m));
    s->digest = stir(s->digest, s->accounts_digest);
    g_mapped_file_unref(m);
    return TRUE;
}

/* ---- a split run (`moneytrail split`): its rows file instead of the input ---- */

/* The input statistics a split's meta carries, by name (clang-format
 * cannot settle on a layout for this list). */
/* clang-format off */
#define SPLIT_STATS(X) \
    X(rows) X(rejected) X(payments_seen_twice) X(lines_data) X(lines_rows) \
    X(lines_rejected) X(lines_blank) X(duplicates) X(lines_duplicate) X(ids_forgotten)
/* clang-format on */

char *scan_split_meta(const Scan *s)
{
    InputStats st;
    scan_input_stats(s, &st);
    GString *b = g_string_new("{\"moneytrail_split\":1");
#define X(f) g_string_append_printf(b, ",\"" #f "\":%" G_GUINT64_FORMAT, st.f);
    SPLIT_STATS(X)
#undef X
    char hex[17];
    scan_input_digest(s, hex);
    jval_write_str(b, "inputs", hex);
    g_snprintf(hex, sizeof hex, "%016" G_GINT64_MODIFIER "x", s->accounts_digest);
    jval_write_str(b, "accounts", s->kyc ? hex : "");
    jval_write_str(b, "rules", s->rs->digest);
    g_string_append(b, "}");
    return g_string_free(b, FALSE);
}

static gboolean split_refused(const char *path, const char *what, GError **error)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: %s", path, what);
    return FALSE;
}

/* Checks the split's meta against this run (rules, accounts table) and
 * takes what it read: the statistics and the input digest. */
static gboolean split_meta(Scan *s, const char *path, GError **error)
{
    gsize len;
    const char *text = rowfile_meta(s->split, &len);
    g_autoptr(JVal) m = jval_parse(text, len, NULL);
    const char *inputs = m ? jval_get_str(m, "inputs") : NULL;
    const char *acc = m ? jval_get_str(m, "accounts") : NULL;
    const char *rules = m ? jval_get_str(m, "rules") : NULL;
    if (!inputs || !acc || !rules || jval_get_num(m, "rows", -1) < 0)
        return split_refused(path, "its description is damaged: split again", error);
    if (strcmp(rules, s->rs->digest) != 0)
        return split_refused(path,
                             "it was split with other rules than these (their digests "
                             "differ): give the shards the split's --rules",
                             error);
    char hex[17] = "";
    if (s->kyc)
        g_snprintf(hex, sizeof hex, "%016" G_GINT64_MODIFIER "x", s->accounts_digest);
    if (strcmp(acc, hex) != 0)
        return split_refused(path,
                             *acc ? "it was split with another --accounts table than this "
                                    "one: give the shards the split's"
                                  : "it was split without --accounts: give the shards none",
                             error);
#define X(f) s->split_stats.f = (guint64)jval_get_num(m, #f, 0);
    SPLIT_STATS(X)
#undef X
    s->digest = g_ascii_strtoull(inputs, NULL, 16);
    return TRUE;
}

static void note_owner(Scan *s, guint32 account);

/* The accounts table the split parsed, from its rows file (the shard's
 * --accounts is checked against it by its digest, split_meta). */
static Kyc *split_kyc(Scan *s, const char *path, GError **error)
{
    gsize len;
    const guint8 *p = rowfile_kyc(s->split, &len);
    if (!len) {
        split_refused(path, "it was split without --accounts: give the shards none", error);
        return NULL;
    }
    GError *e = NULL;
    Kyc *k = kyc_restore(p, len, intern_count(s->accounts), intern_count(s->locations), &e);
    if (!k) {
        split_refused(path, e->message, error);
        g_error_free(e);
    }
    return k;
}

static gboolean open_split(Scan *s, const char *accounts, const char *path, GError **error)
{
    if (!s->shards)
        return split_refused(path,
                             "a rows file of 'moneytrail split' is read by the shards "
                             "of a run: scan --shard K/N",
                             error);
    if (!(s->split = rowfile_open(path, error)) ||
        !rowfile_tables(s->split, s->accounts, s->locations, error))
        return FALSE;
    if (accounts && (!(s->kyc = split_kyc(s, path, error)) || !digest_file(s, accounts, error)))
        return FALSE;
    for (guint32 a = 1; a <= intern_count(s->accounts); a++) /* every row's are there */
        note_owner(s, a);
    return split_meta(s, path, error);
}

const RowFile *scan_split(const Scan *s)
{
    return s->split;
}

gboolean scan_open(Scan *s, const char *accounts, const char *const *paths, guint n,
                   const InputOptions *io, GError **error)
{
    g_assert(!s->input);
    if (n == 1 && !io->db && rowfile_is(paths[0]))
        return open_split(s, accounts, paths[0], error);
    if (accounts && !(s->kyc = kyc_load(accounts, s->accounts, s->locations, error))) {
        source_pg_free(io->db);
        return FALSE;
    }
    if (accounts && s->shards && !digest_file(s, accounts, error)) {
        source_pg_free(io->db);
        return FALSE;
    }
    s->input = input_open(paths, n, io, s->accounts, s->locations, error);
    return s->input != NULL;
}

const char *scan_owner_key(const Kyc *kyc, const Intern *accounts, guint32 account)
{
    const KycRecord *k = kyc_get(kyc, account);
    return k->known ? kyc_customer_name(kyc, k->customer) : intern_str(accounts, account);
}

guint scan_shard_of(const char *key, gsize len, guint count)
{
    return (guint)(fnv(FNV_OFFSET, key, len) % count);
}

void scan_set_shard(Scan *s, guint index, guint count)
{
    g_assert(!s->engine && index < count);
    s->shard = index;
    s->shards = count;
    s->owner = g_new0(guint8 *, OWNER_CHUNKS);
    s->digest = FNV_OFFSET;
}

/* The engine's EngineOwnerFn: the entry note_owner wrote. */
static gboolean owns(guint32 account, const void *user)
{
    const Scan *s = user;
    const guint8 *c = s->owner[account >> OWNER_CHUNK_BITS];
    return c && c[account & ((1u << OWNER_CHUNK_BITS) - 1)] == OWNER_MINE;
}

/* Works out whether this shard owns the account (0: none), once: by its
 * KYC customer_id, else its own id. */
static void note_owner(Scan *s, guint32 account)
{
    if (!account)
        return;
    guint8 **c = &s->owner[account >> OWNER_CHUNK_BITS];
    if (!*c)
        *c = g_new0(guint8, 1u << OWNER_CHUNK_BITS);
    guint8 *e = &(*c)[account & ((1u << OWNER_CHUNK_BITS) - 1)];
    if (*e)
        return;
    const char *key = scan_owner_key(s->kyc, s->accounts, account);
    *e = scan_shard_of(key, strlen(key), s->shards) == s->shard ? OWNER_MINE : OWNER_OTHER;
}

/* Adds a row to the input digest. */
static void digest_row(Scan *s, const Txn *t)
{
    const TxnCore *c = &t->core;
    guint64 h = digest_bytes(s->digest, t->tx_id.ptr, t->tx_id.len);
    h = stir(h, (guint64)c->ts);
    h = stir(h, (guint64)c->amount);
    h = stir(h, (guint64)c->currency << 32 | c->channel);
    s->digest = stir(h, (guint64)c->from << 32 | c->to); /* their ids: scan_input_digest */
}

void scan_input_digest(const Scan *s, char out[17])
{
    guint64 h = s->digest;
    if (!s->split) { /* the rows' accounts by number: their ids, in order */
        for (guint32 i = 1; i <= intern_count(s->accounts); i++) {
            const char *id = intern_str(s->accounts, i);
            h = digest_bytes(h, id, strlen(id));
        }
    }
    g_snprintf(out, 17, "%016" G_GINT64_MODIFIER "x", h);
}

void scan_start(Scan *s, const ShardsOptions *o, AlertFn fn, void *user)
{
    g_assert((s->input || s->split) && !s->engine);
    ShardsOptions so = *o;
    so.kyc = s->kyc;
    if (s->split) /* the split ran the graph rules (scan_split) */
        so.part = SHARDS_WINDOWS;
    if (s->shards)
        so.owner = owns, so.owner_user = s;
    s->engine = shards_new(s->rs, s->accounts, s->locations, &so, fn, user);
}

gboolean scan_budget_spent(guint64 rejected, gint64 max_errors)
{
    g_assert(max_errors >= 0);
    return rejected > (guint64)max_errors;
}

/* TRUE when the rows rejected so far spend the loop's budget. */
static gboolean over_budget(const Scan *s, const ScanLoop *loop)
{
    InputStats st;
    scan_input_stats(s, &st);
    return scan_budget_spent(st.rejected, loop->max_errors);
}

/* The next row of a split's rows file; one of other shards' accounts only
 * goes on without its accounts, id and memo: the engine reads its time
 * alone (its clocks), as it would of the whole row. */
static InputStatus split_next(Scan *s, Txn *t, GError **error)
{
    int r = rowfile_next(s->split, t, error);
    if (r <= 0)
        return r == 0 ? INPUT_END : INPUT_ERROR;
    guint32 n = intern_count(s->accounts);
    if (t->core.from > n || t->core.to > n) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "the rows file names an account it does not list: damaged, split again");
        return INPUT_ERROR;
    }
    if (!owns(t->core.from, s) && !owns(t->core.to, s)) { /* owners noted at open_split */
        t->core.from = t->core.to = 0;
        t->tx_id.len = t->memo.len = 0;
    }
    return INPUT_ROW;
}

ScanStatus scan_run(Scan *s, const ScanLoop *loop, GError **error)
{
    g_assert(s->engine);
    Txn t;
    for (guint64 n = 1;; n++) {
        InputStatus is = s->split ? split_next(s, &t, error) : input_next(s->input, &t, error);
        if (is == INPUT_END)
            break;
        if (is == INPUT_ERROR)
            return SCAN_FAILED;
        if (loop->row)
            loop->row(s, &t, loop->user);
        if (s->shards && !s->split) { /* every row: the clocks, the graph, the digest */
            note_owner(s, t.core.from);
            note_owner(s, t.core.to);
            digest_row(s, &t);
        }
        shards_process(s->engine, &t);
        if (!loop->read_all && !s->split && over_budget(s, loop)) /* a split: checked there */
            break;
        if (loop->progress && n % SCAN_PROGRESS_ROWS == 0)
            loop->progress(s, loop->user);
    }
    shards_finish(s->engine);
    return over_budget(s, loop) ? SCAN_OVER_BUDGET : SCAN_DONE;
}

const Intern *scan_accounts(const Scan *s)
{
    return s->accounts;
}

const Intern *scan_locations(const Scan *s)
{
    return s->locations;
}

const Kyc *scan_kyc(const Scan *s)
{
    return s->kyc;
}

const Input *scan_input(const Scan *s)
{
    return s->input;
}

Shards *scan_engine(const Scan *s)
{
    return s->engine;
}

void scan_input_stats(const Scan *s, InputStats *out)
{
    if (s->split)
        *out = s->split_stats;
    else if (s->input)
        input_stats(s->input, out);
    else
        *out = (InputStats){0};
}

gboolean scan_checkpoint_tables(Scan *s, Checkpoint *c, char **why)
{
    g_assert(!s->input);
    return checkpoint_restore_tables(c, s->accounts, s->locations, why);
}

gboolean scan_checkpoint_engine(Scan *s, Checkpoint *c, char **why)
{
    g_assert(s->engine);
    return checkpoint_restore_engine(c, s->engine, why);
}

CkptSave *scan_checkpoint_save(const Scan *s, const CkptFit *fit, gint64 watermark)
{
    return checkpoint_save(s->engine, s->accounts, s->locations, fit, watermark);
}
