/* Engine checkpoints: a run stopped at any row, saved, and continued from
 * the checkpoint by new engines with new tables raises the alerts of one
 * run over all rows, byte for byte and in the same order, with windows,
 * a baseline, distinct sets past their threshold, history, a graph rule,
 * a typology and idle sweeps that release records; a load then a save
 * gives the same bytes and no new blob; a chain of nights, each from the
 * last one's store, writes only the record chunks that are new and is one
 * run; a damaged or unfitting checkpoint, a damaged or missing blob, is
 * refused. */
#include <criterion/criterion.h>

#include "engine/checkpoint.h"
#include "engine/shards.h"
#include "rule_helpers.h"

static const char *RULES =
    "rule C-1 \"Many payments of an account within two days\"\n  source \"test\"\n"
    "  family profile\n  strength medium\n  for each account\n  where amount >= 100\n"
    "  within 2d\n  suppress 1d\n  alert if count >= 6\n"
    "  explain \"{count} payments of {sum(amount)}\"\n"
    "rule C-2 \"Many senders within three days\"\n  source \"test\"\n  family network\n"
    "  strength weak\n  for each receiver\n  within 3d\n"
    "  alert if distinct(counterparty) >= 9\n  explain \"{distinct(counterparty)} senders\"\n"
    "rule C-3 \"Twice the usual\"\n  source \"test\"\n  family profile\n  strength weak\n"
    "  for each sender\n  within 1d\n  baseline 4d\n  suppress 2d\n"
    "  alert if baseline(count) > 2 and sum(amount) >= 2 * baseline(sum(amount))\n"
    "  explain \"{sum(amount)}\"\n"
    "rule C-4 \"New payees\"\n  source \"test\"\n  family network\n  strength weak\n"
    "  for each sender\n  where counterparty.paid_before == 0\n  within 2d\n"
    "  alert if count >= 3\n  explain \"{count}\"\n"
    "rule C-5 \"Money back\"\n  source \"test\"\n  family network\n"
    "  strength weak\n  where amount >= 100\n  within 1d\n"
    "  match cycle length 2 to 3 tolerance 20%\n"
    "  explain \"a {count}-hop cycle of {max(amount)}\"\n"
    "typology TY-C \"Both\"\n  source \"test\"\n  indicators C-1, C-2, C-4, C-5\n"
    "  half_life 5d\n  cap 5\n  alert if score >= 3 and families >= 2\n";

#define ACCOUNTS 200
#define ROWS     40000

static gboolean keep(const Alert *a, void *user)
{
    GString *s = g_string_new(NULL);
    alert_to_json(a, s);
    g_ptr_array_add(user, g_string_free(s, FALSE));
    return TRUE;
}

/* Rows over about 60 days among ACCOUNTS accounts (a few cash rows; a
 * hub, account 1, receives a third of them, so that its windows keep
 * distinct sets), from a fixed seed; now and then one up to an hour late. */
static TxnCore *make_rows(void)
{
    TxnCore *rows = g_new0(TxnCore, ROWS);
    GRand *r = g_rand_new_with_seed(7);
    gint64 ts = 1704067200;
    for (guint i = 0; i < ROWS; i++) {
        ts += g_rand_int_range(r, 0, 260);
        TxnCore *t = &rows[i];
        t->ts = ts - (g_rand_int_range(r, 0, 20) == 0 ? g_rand_int_range(r, 0, 3600) : 0);
        t->from = (guint32)g_rand_int_range(r, 0, ACCOUNTS + 1); /* 0: cash */
        t->to = g_rand_int_range(r, 0, 3) ? (guint32)g_rand_int_range(r, 1, ACCOUNTS + 1) : 1;
        if (t->to == t->from)
            t->to = t->to % ACCOUNTS + 1;
        t->amount = g_rand_int_range(r, 1, 600) * 100;
        t->currency = 'E' << 16 | 'U' << 8 | 'R';
        t->currency_exp = 2;
    }
    g_rand_free(r);
    return rows;
}

typedef struct {
    RuleSet *rs;
    GPtrArray *diags;
    char *dir;
    Intern *acc, *loc;
    Shards *s;
} Run;

static void run_open(Run *run, RuleSet *rs, gboolean names, GPtrArray *out)
{
    run->rs = rs;
    run->acc = intern_new();
    run->loc = intern_new();
    for (guint a = 1; names && a <= ACCOUNTS; a++) {
        char name[16];
        g_snprintf(name, sizeof name, "A%u", a);
        intern_add(run->acc, name, strlen(name));
    }
    ShardsOptions o = {
        .threads = 2, .quiet_until = G_MININT64, .batch_rows = 97, .evict_every = 61};
    run->s = shards_new(rs, run->acc, run->loc, &o, keep, out);
}

static void run_rows(Run *run, const TxnCore *rows, guint from, guint to)
{
    for (guint i = from; i < to; i++) {
        char id[16];
        g_snprintf(id, sizeof id, "t%u", i + 1);
        Txn t = {.core = rows[i], .tx_id = {id, (guint32)strlen(id)}};
        shards_process(run->s, &t);
    }
    shards_finish(run->s);
}

static void run_close(Run *run)
{
    shards_free(run->s);
    intern_free(run->acc);
    intern_free(run->loc);
}

static const CkptFit fit = {"digest", "", 2};

/* A store of blobs in memory, as a writer keeps them: key -> GBytes. */
static GHashTable *store_new(void)
{
    return g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                 (GDestroyNotify)g_bytes_unref);
}

/* Writes save's blobs into store as checkpoint_write_file does: the fresh
 * ones added, those it does not name dropped; its bytes returned. Every
 * blob that is not fresh must be there already. *fresh: the blob bytes
 * written. */
static GBytes *store_put(GHashTable *store, CkptSave *save, gsize *fresh)
{
    g_autoptr(GHashTable) named = g_hash_table_new(g_int64_hash, g_int64_equal);
    gsize n = 0;
    for (guint i = 0; i < save->blobs->len; i++) {
        CkptBlob *b = &g_array_index(save->blobs, CkptBlob, i);
        g_hash_table_add(named, &b->key);
        if (b->fresh) {
            cr_assert_not(g_hash_table_contains(store, &b->key), "a new key names an old blob");
            g_hash_table_insert(store, g_memdup2(&b->key, 8), g_bytes_new(b->data, b->size));
            n += b->size;
        } else {
            GBytes *was = g_hash_table_lookup(store, &b->key);
            cr_assert_not_null(was, "a blob not fresh is not stored");
            cr_assert_eq(g_bytes_get_size(was), b->size);
            cr_assert_eq(memcmp(g_bytes_get_data(was, NULL), b->data, b->size), 0,
                         "a blob not fresh has changed");
        }
    }
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, store);
    while (g_hash_table_iter_next(&it, &k, NULL))
        if (!g_hash_table_contains(named, k))
            g_hash_table_iter_remove(&it);
    if (fresh)
        *fresh = n;
    GBytes *bytes = g_bytes_ref(save->bytes);
    ckpt_save_free(save);
    return bytes;
}

static gboolean store_read(gpointer ctx, const CkptBlobWant *w, guint n, char **why)
{
    for (guint i = 0; i < n; i++) {
        GBytes *b = g_hash_table_lookup(ctx, &w[i].key);
        if (!b || g_bytes_get_size(b) != w[i].size) {
            *why = g_strdup(b ? "another size" : "no such blob");
            return FALSE;
        }
        memcpy(w[i].dst, g_bytes_get_data(b, NULL), w[i].size);
    }
    return TRUE;
}

/* The store the tests share (blobs of every checkpoint they keep). */
static GHashTable *blobs_at;
static CkptBlobReader reader = {store_read, NULL};

static const CkptBlobReader *blob_reader(GHashTable *store)
{
    reader.ctx = store;
    return &reader;
}

/* The checkpoint after the first n rows (their alerts to out), its blobs
 * into store. */
static GBytes *saved_after_in(RuleSet *rs, const TxnCore *rows, guint n, GPtrArray *out,
                              GHashTable *store)
{
    Run run;
    run_open(&run, rs, TRUE, out);
    run_rows(&run, rows, 0, n);
    GBytes *bytes =
        store_put(store, checkpoint_save(run.s, run.acc, run.loc, &fit, rows[n - 1].ts), NULL);
    run_close(&run);
    return bytes;
}

static GBytes *saved_after(RuleSet *rs, const TxnCore *rows, guint n, GPtrArray *out)
{
    if (!blobs_at)
        blobs_at = store_new();
    return saved_after_in(rs, rows, n, out, blobs_at);
}

/* The alerts of all rows, run once. */
static GPtrArray *whole(RuleSet *rs, const TxnCore *rows)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    Run run;
    run_open(&run, rs, TRUE, out);
    run_rows(&run, rows, 0, ROWS);
    run_close(&run);
    return out;
}

/* New engines and tables from a checkpoint made at mark (alerts to out),
 * its blobs from store. */
static void restored_from(Run *run, RuleSet *rs, GBytes *bytes, GHashTable *store, gint64 mark,
                          GPtrArray *out)
{
    char *why = NULL;
    Checkpoint *c = checkpoint_open(bytes, blob_reader(store), &why);
    cr_assert_not_null(c, "%s", why);
    cr_assert(checkpoint_fits(c, &fit, &why), "%s", why);
    cr_assert_eq(checkpoint_watermark(c), mark);
    run->rs = rs;
    run->acc = intern_new();
    run->loc = intern_new();
    cr_assert(checkpoint_restore_tables(c, run->acc, run->loc, &why), "%s", why);
    cr_assert_eq(intern_count(run->acc), ACCOUNTS);
    cr_assert_str_eq(intern_str(run->acc, 7), "A7");
    ShardsOptions o = {
        .threads = 2, .quiet_until = G_MININT64, .batch_rows = 97, .evict_every = 61};
    run->s = shards_new(rs, run->acc, run->loc, &o, keep, out);
    cr_assert(checkpoint_restore_engine(c, run->s, &why), "%s", why);
    checkpoint_free(c);
}

static void restored(Run *run, RuleSet *rs, GBytes *bytes, gint64 mark, GPtrArray *out)
{
    restored_from(run, rs, bytes, blobs_at, mark, out);
}

/* The alerts of rows up to at, then, from a checkpoint, of the rest. The
 * checkpoint's bytes go to *saved. */
static GPtrArray *split(RuleSet *rs, const TxnCore *rows, guint at, GBytes **saved)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    GBytes *bytes = saved_after(rs, rows, at, out);
    cr_assert(at < 1000 || g_bytes_get_size(bytes) > 50000);
    Run two;
    restored(&two, rs, bytes, rows[at - 1].ts, out);
    run_rows(&two, rows, at, ROWS);
    run_close(&two);
    *saved = bytes;
    return out;
}

static RuleSet *rules(GPtrArray **diags, char **dir)
{
    RuleSet *rs = rh_load(NULL, RULES, diags, dir);
    cr_assert_not_null(rs);
    return rs;
}

static void rules_free(RuleSet *rs, GPtrArray *diags, char *dir, TxnCore *rows)
{
    g_free(rows);
    rule_set_free(rs);
    g_ptr_array_unref(diags);
    rh_cleanup(dir);
}

Test(checkpoint, a_run_continued_from_a_checkpoint_is_one_run)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rules(&diags, &dir);
    TxnCore *rows = make_rows();
    GPtrArray *one = whole(rs, rows);
    const char *ids[] = {"C-1", "C-2", "C-3", "C-4", "C-5", "TY-C"};
    for (guint k = 0; k < G_N_ELEMENTS(ids); k++) { /* every part of the state is at work */
        g_autofree char *needle = g_strdup_printf("\"rule\":\"%s\",", ids[k]);
        gboolean found = FALSE;
        for (guint i = 0; i < one->len && !found; i++)
            found = strstr(g_ptr_array_index(one, i), needle) != NULL;
        cr_expect(found, "no alert of %s", ids[k]);
    }
    guint ats[] = {1, 7777, 25000, 31001, ROWS - 1};
    for (guint k = 0; k < G_N_ELEMENTS(ats); k++) {
        GBytes *saved;
        GPtrArray *two = split(rs, rows, ats[k], &saved);
        cr_assert_eq(two->len, one->len, "split at %u: %u alerts, one run %u", ats[k], two->len,
                     one->len);
        for (guint i = 0; i < one->len; i++)
            cr_expect_str_eq(g_ptr_array_index(two, i), g_ptr_array_index(one, i),
                             "split at %u, alert %u", ats[k], i);
        g_bytes_unref(saved);
        g_ptr_array_unref(two);
    }
    g_ptr_array_unref(one);
    rules_free(rs, diags, dir, rows);
}

Test(checkpoint, a_load_then_a_save_gives_the_same_bytes)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rules(&diags, &dir);
    TxnCore *rows = make_rows();
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    GBytes *a = saved_after(rs, rows, 30000, out);
    Run two;
    restored(&two, rs, a, rows[29999].ts, out);
    gsize fresh = 1;
    GBytes *b =
        store_put(blobs_at, checkpoint_save(two.s, two.acc, two.loc, &fit, rows[29999].ts), &fresh);
    cr_assert(g_bytes_equal(a, b), "%zu bytes saved, %zu after a load", g_bytes_get_size(a),
              g_bytes_get_size(b));
    cr_assert_eq(fresh, 0, "%zu bytes of blobs written again", fresh);
    run_close(&two);
    g_bytes_unref(a);
    g_bytes_unref(b);
    g_ptr_array_unref(out);
    rules_free(rs, diags, dir, rows);
}

Test(checkpoint, damage_and_misfits_are_refused_with_the_reason)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rules(&diags, &dir);
    TxnCore *rows = make_rows();
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    GBytes *a = saved_after(rs, rows, 500, out);
    gsize n;
    const guint8 *p = g_bytes_get_data(a, &n);
    char *why = NULL;
    /* one byte changed in the payload */
    guint8 *bad = g_memdup2(p, n);
    bad[n / 2] ^= 0x40;
    GBytes *b = g_bytes_new_take(bad, n);
    cr_assert_null(checkpoint_open(b, NULL, &why));
    cr_assert_str_eq(why, "it is damaged: its CRC does not match its bytes");
    g_free(why);
    /* cut short, anywhere */
    for (gsize cut = 0; cut < n; cut += n / 37 + 1) {
        GBytes *c = g_bytes_new(p, cut);
        why = NULL;
        cr_assert_null(checkpoint_open(c, NULL, &why), "cut at %zu", cut);
        cr_assert(strstr(why, "no checkpoint header") || strstr(why, "damaged"), "%s", why);
        g_free(why);
        g_bytes_unref(c);
    }
    /* made for other rules, another split */
    Checkpoint *c = checkpoint_open(a, NULL, &why);
    cr_assert_not_null(c);
    CkptFit other = {"other", "", 2}, threads = {"digest", "", 3}, kyc = {"digest", "k", 2};
    cr_assert_not(checkpoint_fits(c, &other, &why));
    cr_assert_str_eq(why, "the rules changed since it was written (another rules digest)");
    g_free(why);
    cr_assert_not(checkpoint_fits(c, &threads, &why));
    cr_assert_str_eq(why,
                     "it was written by a run of 2 engine threads, this run has 3 (--threads)");
    g_free(why);
    cr_assert_not(checkpoint_fits(c, &kyc, &why));
    cr_assert_str_eq(why, "the accounts table changed since it was written");
    g_free(why);
    /* tables that disagree with it */
    Intern *acc = intern_new(), *loc = intern_new();
    intern_add(acc, "X", 1);
    cr_assert_not(checkpoint_restore_tables(c, acc, loc, &why));
    cr_assert(strstr(why, "its account table disagrees with this run's"), "%s", why);
    g_free(why);
    checkpoint_free(c);
    intern_free(acc);
    intern_free(loc);
    g_bytes_unref(a);
    g_bytes_unref(b);
    g_ptr_array_unref(out);
    rules_free(rs, diags, dir, rows);
}

/* Nights: the rows (about 60 days) cut in 40 runs, each restored from the store the
 * last one wrote into (its blobs only: nothing else is kept), raise the
 * alerts of one run; each night writes fewer blob bytes than the state
 * holds, and the blobs a night did not write are the last one's. */
Test(checkpoint, nights_from_a_store_write_only_new_chunks_and_are_one_run)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rules(&diags, &dir);
    TxnCore *rows = make_rows();
    GPtrArray *one = whole(rs, rows);
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) store = store_new();
    GBytes *bytes = saved_after_in(rs, rows, ROWS / 40, out, store);
    for (guint night = 1; night < 40; night++) {
        guint from = night * ROWS / 40, to = (night + 1) * ROWS / 40;
        Run run;
        restored_from(&run, rs, bytes, store, rows[from - 1].ts, out);
        run_rows(&run, rows, from, to);
        CkptSave *save = checkpoint_save(run.s, run.acc, run.loc, &fit, rows[to - 1].ts);
        guint64 fresh, all = ckpt_save_bytes(save, &fresh);
        gsize blob_fresh, payload = g_bytes_get_size(save->bytes);
        g_bytes_unref(bytes);
        bytes = store_put(store, save, &blob_fresh);
        cr_assert_eq(fresh, payload + blob_fresh);
        if (night >= 20) /* once the chunks are past their first doublings */
            cr_assert_lt(blob_fresh * 2, all - payload,
                         "night %u: %zu of %" G_GUINT64_FORMAT " blob bytes written", night,
                         blob_fresh, all - payload);
        run_close(&run);
    }
    g_bytes_unref(bytes);
    cr_assert_eq(out->len, one->len, "%u alerts by nights, %u by one run", out->len, one->len);
    for (guint i = 0; i < one->len; i++)
        cr_expect_str_eq(g_ptr_array_index(out, i), g_ptr_array_index(one, i), "alert %u", i);
    g_ptr_array_unref(out);
    g_ptr_array_unref(one);
    rules_free(rs, diags, dir, rows);
}

/* A blob changed or missing: the restore fails and says which. */
Test(checkpoint, a_damaged_or_missing_blob_is_refused_at_the_restore)
{
    GPtrArray *diags;
    char *dir;
    RuleSet *rs = rules(&diags, &dir);
    TxnCore *rows = make_rows();
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GHashTable) store = store_new();
    GBytes *a = saved_after_in(rs, rows, 20000, out, store);
    cr_assert_gt(g_hash_table_size(store), 1);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, store);
    cr_assert(g_hash_table_iter_next(&it, &k, &v));
    guint64 key = *(guint64 *)k;
    gsize n;
    guint8 *bad = g_bytes_unref_to_data(g_bytes_ref(v), &n);
    bad[n / 2] ^= 0x10;
    g_hash_table_insert(store, g_memdup2(&key, 8), g_bytes_new_take(bad, n));
    const char *want[] = {"it is damaged: a chunk of its records does not match its CRC",
                          "it is damaged: a chunk of its records cannot be read: no such blob"};
    for (guint t = 0; t < 2; t++) {
        if (t == 1)
            g_hash_table_remove(store, &key);
        char *why = NULL;
        Checkpoint *c = checkpoint_open(a, blob_reader(store), &why);
        cr_assert_not_null(c, "%s", why);
        Run run;
        run.acc = intern_new();
        run.loc = intern_new();
        cr_assert(checkpoint_restore_tables(c, run.acc, run.loc, &why), "%s", why);
        ShardsOptions o = {
            .threads = 2, .quiet_until = G_MININT64, .batch_rows = 97, .evict_every = 61};
        run.s = shards_new(rs, run.acc, run.loc, &o, keep, out);
        cr_assert_not(checkpoint_restore_engine(c, run.s, &why));
        cr_assert_str_eq(why, want[t]);
        g_free(why);
        checkpoint_free(c);
        run_close(&run);
    }
    g_bytes_unref(a);
    g_ptr_array_unref(out);
    rules_free(rs, diags, dir, rows);
}

/* A writer whose room runs out grows it and keeps every byte in order. */
Test(checkpoint, a_writer_grows_past_its_room)
{
    CkptOut o = {g_byte_array_sized_new(1), 0, NULL};
    g_byte_array_set_size(o.b, 1);
    for (guint32 i = 0; i < 10000; i++)
        ckpt_u32(&o, i * 7);
    ckpt_put(&o, "end", 3);
    cr_assert_eq(o.len, 40003);
    cr_assert_geq(o.b->len, 40003);
    CkptIn in = {o.b->data, o.len, 0, NULL, NULL, NULL};
    for (guint32 i = 0; i < 10000; i++)
        cr_assert_eq(ckpt_get_u32(&in), i * 7, "value %u", i);
    char end[3];
    cr_assert(ckpt_get(&in, end, 3));
    cr_assert_eq(memcmp(end, "end", 3), 0);
    cr_assert_eq(in.at, in.n);
    cr_assert_null(in.bad);
    g_byte_array_free(o.b, TRUE);
}
