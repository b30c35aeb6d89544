/* scan.c: the scan pipeline (see scan.h): sources -> decoder -> engine
 * shards -> an alert callback, with the error budget.
 *
 * Invariants: the engine exists only after scan_open succeeded, so every
 * row the engine sees came through the one read loop, scan_run; the
 * budget is checked after each row has gone to the engine, so a run that
 * stops at the budget has processed exactly the rows read before it. */
#include "scan/scan.h"

#include "read/kyc.h"
#include "read/source_pg.h"

struct Scan {
    const RuleSet *rs; /* borrowed */
    Intern *accounts, *locations;
    Kyc *kyc; /* NULL without an accounts side table */
    Input *input;
    Shards *engine;
};

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
    input_free(s->input);
    kyc_free(s->kyc);
    intern_free(s->accounts);
    intern_free(s->locations);
    g_free(s);
}

gboolean scan_open(Scan *s, const char *accounts, const char *const *paths, guint n,
                   const InputOptions *io, GError **error)
{
    g_assert(!s->input);
    if (accounts && !(s->kyc = kyc_load(accounts, s->accounts, s->locations, error))) {
        source_pg_free(io->db);
        return FALSE;
    }
    s->input = input_open(paths, n, io, s->accounts, s->locations, error);
    return s->input != NULL;
}

void scan_start(Scan *s, const ShardsOptions *o, AlertFn fn, void *user)
{
    g_assert(s->input && !s->engine);
    ShardsOptions so = *o;
    so.kyc = s->kyc;
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
