/* typology.c: typology scoring (see typology.h).
 *
 * State is a small array of hits per (typology, customer), created on the
 * customer's first hit: only alerted customers cost memory. A typology
 * alert borrows the typology's Rule for its face and lists its hits as
 * evidence (their triggering transactions) and as "indicators". Besides,
 * each customer's latest victim-side alert is kept, so that no typology
 * presents a possible victim of another as its suspect. */
#include "engine/typology.h"

#include <math.h>
#include <string.h>

#define TY_MAX_HITS        64
#define TY_MAX_FAMILIES    16
#define TY_KEEP_HALF_LIVES 8 /* hits older than this weigh < 0.4% and are dropped */

typedef struct {
    const Rule *rule;
    gint64 ts;
    guint32 account;
    char alert_id[17];
    guint8 tx_len;
    char tx[LIMIT_TXID_BYTES];
} TyHit;

typedef struct {
    TyHit *hits; /* owned, grown up to TY_MAX_HITS (most customers have a few) */
    guint n, cap;
    gint64 suppress_until;
} TyState;

static void ty_state_free(gpointer p)
{
    TyState *st = p;
    g_free(st->hits);
    g_free(st);
}

/* A customer's latest victim-side indicator alert, of any typology. */
typedef struct {
    gint64 ts;
    const Rule *rule;
} VictimSeen;

struct TypologyEngine {
    const RuleSet *rs;
    GHashTable *state;   /* (typology index << 33 | customer key) -> TyState */
    GHashTable *victims; /* customer key -> VictimSeen */
    gint64 customer;     /* the customer key of the alert being fed */
    guint64 *alerts;     /* per typology */
    Alert alert;
    double aggs[3];
    AlertHit hits[TY_MAX_HITS];
};

TypologyEngine *typology_engine_new(const RuleSet *rs)
{
    if (!rs->typologies || rs->typologies->len == 0)
        return NULL;
    TypologyEngine *te = g_new0(TypologyEngine, 1);
    te->rs = rs;
    te->state = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, ty_state_free);
    te->victims = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
    te->alerts = g_new0(guint64, rs->typologies->len);
    return te;
}

void typology_engine_free(TypologyEngine *te)
{
    if (!te)
        return;
    g_hash_table_unref(te->state);
    g_hash_table_unref(te->victims);
    g_free(te->alerts);
    g_free(te);
}

guint64 typology_alerts(const TypologyEngine *te, guint i)
{
    return te ? te->alerts[i] : 0;
}

static gboolean contains(const GPtrArray *a, const Rule *r)
{
    for (guint i = 0; i < a->len; i++) {
        if (g_ptr_array_index(a, i) == r)
            return TRUE;
    }
    return FALSE;
}

/* A typology named by its own indicators alerts only with one of them. */
static gboolean has_required(const Typology *ty, const TyState *st)
{
    for (guint i = 0; i < st->n; i++) {
        if (contains(ty->required, st->hits[i].rule))
            return TRUE;
    }
    return ty->required->len == 0;
}

/* The customer of an account: its customer_id when known, else the account
 * itself (bit 32 tells the two apart). */
static gint64 customer_key(const Kyc *kyc, guint32 account)
{
    const KycRecord *k = kyc_get(kyc, account);
    return k->known ? (1LL << 32) | k->customer : account;
}

static TyState *state_for(TypologyEngine *te, guint ti, gint64 customer)
{
    gint64 key = ((gint64)ti << 33) | customer;
    TyState *st = g_hash_table_lookup(te->state, &key);
    if (!st) {
        st = g_new0(TyState, 1);
        st->suppress_until = G_MININT64;
        g_hash_table_insert(te->state, g_memdup2(&key, sizeof key), st);
    }
    return st;
}

static void add_hit(TyState *st, const Typology *ty, const Alert *a)
{
    gint64 keep = a->window_end - TY_KEEP_HALF_LIVES * ty->half_life;
    guint n = 0;
    for (guint i = 0; i < st->n; i++) {
        if (st->hits[i].ts > keep)
            st->hits[n++] = st->hits[i];
    }
    st->n = n;
    if (st->n == TY_MAX_HITS) { /* drop the oldest */
        memmove(st->hits, st->hits + 1, (TY_MAX_HITS - 1) * sizeof(TyHit));
        st->n--;
    }
    if (st->n == st->cap) {
        st->cap = MIN(MAX(4, 2 * st->cap), TY_MAX_HITS);
        st->hits = g_renew(TyHit, st->hits, st->cap);
    }
    TyHit *h = &st->hits[st->n++];
    h->rule = a->rule;
    h->ts = a->window_end;
    h->account = a->account;
    memcpy(h->alert_id, a->id, sizeof h->alert_id);
    h->tx_len = (guint8)MIN(a->trigger.len, sizeof h->tx);
    memcpy(h->tx, a->trigger.ptr, h->tx_len);
}

/* Family sums of the decayed weights at time t: returns the score. */
static double score_at(const Typology *ty, const TyState *st, gint64 t, const char **fam,
                       double *sum, guint *nf)
{
    *nf = 0;
    for (guint i = 0; i < st->n; i++) {
        const Rule *r = st->hits[i].rule;
        double w = rule_score(r) * exp2(-(double)(t - st->hits[i].ts) / (double)ty->half_life);
        guint f = 0;
        while (f < *nf && strcmp(fam[f], r->family) != 0)
            f++;
        if (f == *nf && *nf < TY_MAX_FAMILIES) {
            fam[f] = r->family;
            sum[(*nf)++] = 0;
        }
        if (f < *nf)
            sum[f] += w;
    }
    double score = 0;
    for (guint f = 0; f < *nf; f++)
        score += MIN(sum[f], ty->cap);
    return score;
}

/* TRUE if every rule of some escalation group has a hit within two half-lives. */
static gboolean escalated(const Typology *ty, const TyState *st, gint64 t)
{
    for (guint g = 0; g < ty->escalations->len; g++) {
        const GPtrArray *group = g_ptr_array_index(ty->escalations, g);
        gboolean all = group->len > 0;
        for (guint k = 0; k < group->len && all; k++) {
            gboolean hit = FALSE;
            for (guint i = 0; i < st->n && !hit; i++)
                hit = st->hits[i].rule == g_ptr_array_index(group, k) &&
                      t - st->hits[i].ts <= 2 * ty->half_life;
            all = hit;
        }
        if (all)
            return TRUE;
    }
    return FALSE;
}

/* The customer's victim-side alert (of any typology) recent enough to count
 * for ty, or NULL. */
static const VictimSeen *victim_seen(const TypologyEngine *te, const Typology *ty, gint64 t)
{
    const VictimSeen *v = g_hash_table_lookup(te->victims, &te->customer);
    return v && t - v->ts <= TY_KEEP_HALF_LIVES * ty->half_life ? v : NULL;
}

/* Is any of the customer's hits a victim-side pattern of ty? */
static gboolean has_victim_hit(const Typology *ty, const TyState *st)
{
    for (guint i = 0; i < st->n; i++) {
        if (contains(ty->victims, st->hits[i].rule))
            return TRUE;
    }
    return FALSE;
}

/* "possible victim" when any hit is a victim-side pattern, or the customer
 * had a victim-side alert of another typology, else "possible controller"
 * when any is controller-side. Victims are often made to move the money
 * themselves (their accounts receive the clients' payments and pass them
 * on), so controller-side patterns beside a victim-side one do not make the
 * customer a suspect: a possible victim is never presented as the suspect
 * (FinCEN FIN-2020-A008 pp.10-11). */
static const char *role_of(const TypologyEngine *te, const Typology *ty, const TyState *st,
                           gint64 t)
{
    if (has_victim_hit(ty, st) || victim_seen(te, ty, t))
        return "possible victim";
    for (guint i = 0; i < st->n; i++) {
        if (contains(ty->controllers, st->hits[i].rule))
            return "possible controller";
    }
    return NULL;
}

/* Appends the ids of the hits of controller-side rules, for a possible victim. */
static void append_controller_hits(const Typology *ty, const TyState *st, GString *s)
{
    gboolean first = TRUE;
    for (guint i = 0; i < st->n; i++) {
        if (!contains(ty->controllers, st->hits[i].rule))
            continue;
        g_string_append_printf(s, "%s%s", first ? " (controller-side patterns too: " : " ",
                               st->hits[i].rule->id);
        first = FALSE;
    }
    if (!first)
        g_string_append(s, ")");
}

static void explain(TypologyEngine *te, const Typology *ty, const TyState *st, const char **fam,
                    const double *sum, guint nf, gboolean esc, Alert *a)
{
    g_autoptr(GString) s = g_string_new(NULL);
    g_string_append_printf(s, "%s: score %.1f from %u indicator alert%s in %u famil%s (",
                           ty->rule.title, te->aggs[0], st->n, st->n == 1 ? "" : "s",
                           (guint)te->aggs[1], te->aggs[1] == 1 ? "y" : "ies");
    for (guint f = 0; f < nf; f++) {
        g_string_append_printf(s, "%s%s %.1f", f ? ", " : "", fam[f], MIN(sum[f], ty->cap));
        for (guint i = 0, first = 1; i < st->n; i++) {
            if (strcmp(st->hits[i].rule->family, fam[f]) != 0)
                continue;
            g_string_append_printf(s, "%s%s", first ? ": " : " ", st->hits[i].rule->id);
            first = 0;
        }
    }
    g_string_append(s, ")");
    if (esc)
        g_string_append(s, "; escalated: an escalation combination is present");
    if (a->role)
        g_string_append_printf(s, "; role: %s", a->role);
    if (a->role && strcmp(a->role, "possible victim") == 0) {
        const VictimSeen *v = victim_seen(te, ty, a->window_end);
        if (v && !has_victim_hit(ty, st)) /* the victim-side alert is another typology's */
            g_string_append_printf(s, " (victim-side alert %s on this customer)", v->rule->id);
        append_controller_hits(ty, st, s);
    }
    g_strlcpy(a->explanation, s->str, sizeof a->explanation);
}

static gboolean raise_typology(TypologyEngine *te, guint ti, const Typology *ty, TyState *st,
                               const Alert *trig, gboolean esc, const char **fam, const double *sum,
                               guint nf, AlertFn fn, void *user)
{
    Alert *a = &te->alert;
    memset(a, 0, sizeof *a);
    a->rule = &ty->rule;
    a->account = trig->account;
    a->window_start = st->hits[0].ts;
    a->window_end = trig->window_end;
    a->trigger = trig->trigger;
    a->currency = trig->currency;
    a->currency_exp = trig->currency_exp;
    a->aggs = te->aggs;
    a->accounts = trig->accounts;
    a->locations = trig->locations;
    a->kyc = trig->kyc;
    a->score = te->aggs[0];
    a->role = role_of(te, ty, st, trig->window_end);
    a->escalated = esc;
    for (guint i = 0; i < st->n; i++) {
        te->hits[i] = (AlertHit){st->hits[i].alert_id, st->hits[i].rule->id, st->hits[i].account,
                                 st->hits[i].ts};
        a->evidence[a->n_evidence++] = (StrView){st->hits[i].tx, st->hits[i].tx_len};
    }
    a->hits = te->hits;
    a->n_hits = st->n;
    a->n_evidence_total = st->n;
    alert_make_id(a);
    explain(te, ty, st, fam, sum, nf, esc, a);
    te->alerts[ti]++;
    return fn(a, user);
}

gboolean typology_feed(TypologyEngine *te, const Alert *a, const Kyc *kyc, gboolean quiet,
                       AlertFn fn, void *user)
{
    gboolean ok = TRUE;
    /* a shadow rule is being measured, not trusted: its alerts are stored
     * but never make a customer a victim or count toward a typology */
    if (!te || a->rule->status == RULE_STATUS_SHADOW)
        return TRUE;
    te->customer = customer_key(kyc, a->account);
    if (a->role && strcmp(a->role, "possible victim") == 0) {
        VictimSeen *v = g_hash_table_lookup(te->victims, &te->customer);
        if (!v) {
            v = g_new0(VictimSeen, 1);
            g_hash_table_insert(te->victims, g_memdup2(&te->customer, sizeof te->customer), v);
        }
        *v = (VictimSeen){a->window_end, a->rule};
    }
    for (guint ti = 0; ti < te->rs->typologies->len; ti++) {
        const Typology *ty = g_ptr_array_index(te->rs->typologies, ti);
        if (!contains(ty->indicators, a->rule))
            continue;
        TyState *st = state_for(te, ti, te->customer);
        add_hit(st, ty, a);
        const char *fam[TY_MAX_FAMILIES];
        double sum[TY_MAX_FAMILIES];
        guint nf;
        gint64 t = a->window_end;
        te->aggs[0] = score_at(ty, st, t, fam, sum, &nf);
        te->aggs[1] = 0;
        for (guint f = 0; f < nf; f++)
            te->aggs[1] += sum[f] >= 0.5;
        te->aggs[2] = st->n;
        if (!has_required(ty, st))
            continue;
        RuleEval ev = {.aggs = te->aggs, .rs = te->rs};
        gboolean esc = escalated(ty, st, t);
        if (!(esc || rule_vm_run(&ty->rule.condition, &ev)) || t < st->suppress_until)
            continue;
        st->suppress_until = t + ty->rule.suppress;
        if (!quiet)
            ok &= raise_typology(te, ti, ty, st, a, esc, fam, sum, nf, fn, user);
    }
    return ok;
}

/* ---- checkpoints (engine/checkpoint.h) ---- */

/* Rules are written as their index in the rule set (rule_index: Rule * ->
 * 1 + index), and read back through it. */
static const Rule *rule_at(CkptIn *in, const RuleSet *rs, guint32 i)
{
    if (i >= rs->rules->len) {
        ckpt_fail(in, "a typology hit names a rule the rule set does not have");
        return NULL;
    }
    return g_ptr_array_index(rs->rules, i);
}

static gint key_cmp(gconstpointer a, gconstpointer b)
{
    gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
    return (x > y) - (x < y);
}

/* The keys of a table (gint64 *) in order: the same state, the same bytes. */
static GArray *sorted_keys(GHashTable *t)
{
    GArray *keys = g_array_sized_new(FALSE, FALSE, sizeof(gint64), g_hash_table_size(t));
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_array_append_val(keys, *(const gint64 *)k);
    g_array_sort(keys, key_cmp);
    return keys;
}

void typology_save(const TypologyEngine *te, CkptOut *o, GHashTable *rule_index)
{
    g_autoptr(GArray) keys = sorted_keys(te->state);
    ckpt_u32(o, keys->len);
    for (guint k = 0; k < keys->len; k++) {
        const TyState *st = g_hash_table_lookup(te->state, &g_array_index(keys, gint64, k));
        ckpt_i64(o, g_array_index(keys, gint64, k));
        ckpt_i64(o, st->suppress_until);
        ckpt_u32(o, st->n);
        for (guint i = 0; i < st->n; i++) {
            const TyHit *h = &st->hits[i];
            ckpt_u32(o, GPOINTER_TO_UINT(g_hash_table_lookup(rule_index, h->rule)) - 1);
            ckpt_i64(o, h->ts);
            ckpt_u32(o, h->account);
            ckpt_put(o, h->alert_id, sizeof h->alert_id);
            ckpt_put(o, &h->tx_len, 1);
            ckpt_put(o, h->tx, h->tx_len);
        }
    }
    g_autoptr(GArray) victims = sorted_keys(te->victims);
    ckpt_u32(o, victims->len);
    for (guint k = 0; k < victims->len; k++) {
        const VictimSeen *vs = g_hash_table_lookup(te->victims, &g_array_index(victims, gint64, k));
        ckpt_i64(o, g_array_index(victims, gint64, k));
        ckpt_i64(o, vs->ts);
        ckpt_u32(o, GPOINTER_TO_UINT(g_hash_table_lookup(rule_index, vs->rule)) - 1);
    }
}

gboolean typology_load(TypologyEngine *te, CkptIn *in)
{
    guint32 n = ckpt_count(in, 20);
    for (guint32 s = 0; s < n && !in->bad; s++) {
        gint64 key = ckpt_get_i64(in);
        TyState *st = g_new0(TyState, 1);
        g_hash_table_replace(te->state, g_memdup2(&key, sizeof key), st);
        st->suppress_until = ckpt_get_i64(in);
        guint32 hits = ckpt_count(in, 34);
        if (hits > TY_MAX_HITS)
            return ckpt_fail(in, "a typology state holds more hits than it can");
        st->cap = hits;
        st->hits = g_new0(TyHit, MAX(hits, 1));
        for (guint i = 0; i < hits && !in->bad; i++) {
            TyHit *h = &st->hits[st->n++];
            h->rule = rule_at(in, te->rs, ckpt_get_u32(in));
            h->ts = ckpt_get_i64(in);
            h->account = ckpt_get_u32(in);
            ckpt_get(in, h->alert_id, sizeof h->alert_id);
            h->alert_id[sizeof h->alert_id - 1] = '\0';
            ckpt_get(in, &h->tx_len, 1);
            if (h->tx_len > LIMIT_TXID_BYTES)
                return ckpt_fail(in, "a typology hit's transaction id is too long");
            ckpt_get(in, h->tx, h->tx_len);
        }
    }
    n = ckpt_count(in, 20);
    for (guint32 s = 0; s < n && !in->bad; s++) {
        gint64 key = ckpt_get_i64(in);
        VictimSeen *vs = g_new0(VictimSeen, 1);
        g_hash_table_replace(te->victims, g_memdup2(&key, sizeof key), vs);
        vs->ts = ckpt_get_i64(in);
        vs->rule = rule_at(in, te->rs, ckpt_get_u32(in));
    }
    return !in->bad;
}
