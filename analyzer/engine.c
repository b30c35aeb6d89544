/* engine.c: the streaming evaluation of rules (see engine.h).
 *
 * For each transaction and rule: a channel prefilter (a bit mask computed
 * at compile time), then the filter once per side the rule looks from
 * (sender, receiver or both), then the account's window: expire, push,
 * compute the aggregates the condition needs, test the condition, and on an
 * alert (unless suppressed) the remaining aggregates, the explanation and
 * the evidence. Scratch space for aggregates is allocated once. */
#include "engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "window.h"
#include "window_agg.h"

typedef struct {
    Window *win; /* by account id, held inline to save a pointer chase; cap 0 = unused */
    guint n;
    guint64 alerts;
} RuleState;

struct Engine {
    const RuleSet *rs;
    const Intern *accounts;
    const Intern *locations;
    EngineAlertFn fn;
    void *user;
    RuleState *state; /* one per rule */
    double *aggs;     /* scratch: values of one rule's aggregates */
    double *scratch;  /* scratch for aggregates, WINDOW_AGG_SCRATCH */
    Alert alert;
    EngineStats stats;
    gint64 quiet_until; /* alerts at or before this instant are not emitted */
    const Kyc *kyc;     /* accounts side table, or NULL */
};

Engine *engine_new(const RuleSet *rs, const Intern *accounts, const Intern *locations,
                   EngineAlertFn fn, void *user)
{
    Engine *e = g_new0(Engine, 1);
    e->rs = rs;
    e->accounts = accounts;
    e->locations = locations;
    e->fn = fn;
    e->user = user;
    e->state = g_new0(RuleState, rs->rules->len);
    guint max_aggs = 1;
    for (guint i = 0; i < rs->rules->len; i++) {
        const Rule *r = g_ptr_array_index(rs->rules, i);
        max_aggs = MAX(max_aggs, r->aggs->len);
    }
    e->aggs = g_new0(double, max_aggs);
    e->scratch = g_new(double, WINDOW_AGG_SCRATCH);
    e->quiet_until = G_MININT64;
    return e;
}

void engine_free(Engine *e)
{
    if (!e)
        return;
    for (guint i = 0; i < e->rs->rules->len; i++) {
        RuleState *st = &e->state[i];
        for (guint a = 0; a < st->n; a++)
            window_clear(&st->win[a]);
        g_free(st->win);
    }
    g_free(e->state);
    g_free(e->aggs);
    g_free(e->scratch);
    g_free(e);
}

static Window *state_window(Engine *e, RuleState *st, guint32 account)
{
    if (account >= st->n) {
        guint n = MAX(account + 1, st->n * 2);
        st->win = g_renew(Window, st->win, n);
        for (guint i = st->n; i < n; i++)
            window_init(&st->win[i]);
        st->n = n;
    }
    Window *w = &st->win[account];
    if (w->cap == 0)
        e->stats.windows++;
    return w;
}

static void compute_aggs(Engine *e, const Rule *r, const AggCtx *c, gboolean condition)
{
    for (guint i = 0; i < r->aggs->len; i++) {
        const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, i);
        if (g->in_condition == condition)
            e->aggs[i] = window_agg(g, c);
    }
}

static void raise_alert(Engine *e, guint ri, const Rule *r, Window *w, const AggCtx *c,
                        const Txn *t)
{
    Alert *a = &e->alert;
    w->suppress_until = t->core.ts + r->suppress;
    if (t->core.ts <= e->quiet_until)
        return;
    compute_aggs(e, r, c, FALSE);
    a->rule = r;
    a->account = c->account;
    a->window_start = window_at(w, c->lo)->core.ts;
    a->window_end = t->core.ts;
    a->trigger = t->tx_id;
    a->currency = t->core.currency;
    a->currency_exp = t->core.currency_exp;
    a->aggs = e->aggs;
    a->accounts = e->accounts;
    a->locations = e->locations;
    a->kyc = e->kyc;
    guint n = c->hi - c->lo;
    a->n_evidence_total = n;
    a->n_evidence = MIN(n, LIMIT_EVIDENCE);
    for (guint i = 0; i < a->n_evidence; i++) {
        const WinEntry *en = window_at(w, c->hi - a->n_evidence + i);
        a->evidence[i] = (StrView){en->id, en->id_len};
    }
    alert_make_id(a);
    alert_explain(a, e->rs, &t->core);
    e->state[ri].alerts++;
    e->stats.alerts++;
    if (!e->fn(a, e->user))
        e->stats.sink_failed = TRUE;
}

static void eval_side(Engine *e, guint ri, const Rule *r, guint32 account, const Txn *t)
{
    RuleEval ev = {.txn = &t->core, .account = account, .rs = e->rs, .kyc = e->kyc};
    if (!rule_vm_run(&r->filter, &ev))
        return;
    Window *w = state_window(e, &e->state[ri], account);
    window_expire(w, t->core.ts, r->window + r->baseline);
    if (!window_push(w, &t->core, t->tx_id))
        e->stats.window_drops++;
    AggCtx c = {.account = account, .now = &t->core, .rs = e->rs, .kyc = e->kyc,
                .scratch = e->scratch};
    window_agg_ranges(&c, w, t->core.ts, r->window, r->baseline);
    compute_aggs(e, r, &c, TRUE);
    ev.aggs = e->aggs;
    if (rule_vm_run(&r->condition, &ev) && t->core.ts >= w->suppress_until)
        raise_alert(e, ri, r, w, &c, t);
}

void engine_process(Engine *e, const Txn *t)
{
    guint32 bit = 1u << t->core.channel;
    for (guint ri = 0; ri < e->rs->rules->len; ri++) {
        const Rule *r = g_ptr_array_index(e->rs->rules, ri);
        if (!(r->channel_mask & bit))
            continue;
        if ((r->persp & PERSP_SENDER) && t->core.from)
            eval_side(e, ri, r, t->core.from, t);
        if ((r->persp & PERSP_RECEIVER) && t->core.to && t->core.to != t->core.from)
            eval_side(e, ri, r, t->core.to, t);
    }
}

void engine_stats(const Engine *e, EngineStats *out)
{
    *out = e->stats;
}

void engine_set_kyc(Engine *e, const Kyc *kyc)
{
    e->kyc = kyc;
}

void engine_set_quiet_until(Engine *e, gint64 ts)
{
    e->quiet_until = ts;
}

guint64 engine_rule_alerts(const Engine *e, guint i)
{
    return e->state[i].alerts;
}
