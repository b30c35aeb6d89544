/* scan.c: the scan pipeline (see scan.h): sources -> decoder -> engine
 * shards -> an alert callback, with the error budget.
 *
 * Invariants: the engine exists only after scan_open succeeded, so every
 * row the engine sees came through the one read loop, scan_run; the
 * budget is checked after each row has gone to the engine, so a run that
 * stops at the budget has processed exactly the rows read before it. */
#include "scan/scan.h"

#include <string.h>

#include "read/kyc.h"
#include "read/source_pg.h"

/* A cluster shard's accounts (scan_set_shard): for each account id, 0 not
 * yet known, OWNER_MINE or OWNER_OTHER, in chunks that never move, so that
 * the engine threads read what the read loop wrote before handing a row
 * over while it writes the entries of newer accounts. */
#define OWNER_CHUNK_BITS 16
#define OWNER_CHUNKS (1u << (32 - OWNER_CHUNK_BITS))
enum { OWNER_MINE = 1, OWNER_OTHER = 2 };

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

struct Scan {
    const RuleSet *rs; /* borrowed */
    Intern *accounts, *locations;
    Kyc *kyc; /* NULL without an accounts side table */
    Input *input;
    Shards *engine;
    guint shard, shards; /* scan_set_shard; shards 0: not sharded */
    guint8 **owner;      /* OWNER_CHUNKS chunks, when sharded */
    guint64 digest;      /* scan_input_digest */
};

static guint64 fnv(guint64 h, const void *p, gsize n)
{
    for (gsize i = 0; i < n; i++)
        h = (h ^ ((const guint8 *)p)[i]) * FNV_PRIME;
    return h;
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
    s->digest = fnv(s->digest, g_mapped_file_get_contents(m), g_mapped_file_get_length(m));
    g_mapped_file_unref(m);
    return TRUE;
}

gboolean scan_open(Scan *s, const char *accounts, const char *const *paths, guint n,
                   const InputOptions *io, GError **error)
{
    g_assert(!s->input);
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
    const KycRecord *k = kyc_get(s->kyc, account);
    const char *key = k->known ? kyc_customer_name(s->kyc, k->customer)
                               : intern_str(s->accounts, account);
    *e = scan_shard_of(key, strlen(key), s->shards) == s->shard ? OWNER_MINE : OWNER_OTHER;
}

/* Adds a row to the input digest. */
static void digest_row(Scan *s, const Txn *t)
{
    const TxnCore *c = &t->core;
    guint64 h = fnv(s->digest, t->tx_id.ptr, t->tx_id.len);
    gint64 num[] = {c->ts, c->amount, c->currency, c->channel};
    h = fnv(h, num, sizeof num);
    for (guint i = 0; i < 2; i++) {
        guint32 a = i ? c->to : c->from;
        const char *id = a ? intern_str(s->accounts, a) : "";
        h = fnv(h, id, strlen(id) + 1);
    }
    s->digest = h;
}

void scan_input_digest(const Scan *s, char out[17])
{
    g_snprintf(out, 17, "%016" G_GINT64_MODIFIER "x", s->digest);
}

void scan_start(Scan *s, const ShardsOptions *o, AlertFn fn, void *user)
{
    g_assert(s->input && !s->engine);
    ShardsOptions so = *o;
    so.kyc = s->kyc;
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
    input_stats(s->input, &st);
    return scan_budget_spent(st.rejected, loop->max_errors);
}

ScanStatus scan_run(Scan *s, const ScanLoop *loop, GError **error)
{
    g_assert(s->engine);
    Txn t;
    for (guint64 n = 1;; n++) {
        InputStatus is = input_next(s->input, &t, error);
        if (is == INPUT_END)
            break;
        if (is == INPUT_ERROR)
            return SCAN_FAILED;
        if (loop->row)
            loop->row(s, &t, loop->user);
        if (s->shards) { /* every row: the clocks, the graph, the digest */
            note_owner(s, t.core.from);
            note_owner(s, t.core.to);
            digest_row(s, &t);
        }
        shards_process(s->engine, &t);
        if (!loop->read_all && over_budget(s, loop))
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
    if (s->input)
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
