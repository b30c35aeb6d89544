/* rule_plan.c: the planner: how the engine runs a compiled rule.
 *
 * Works out, from a rule's syntax trees and programs, what spares the
 * engine work without changing a single alert (RulePlan):
 *   - prefilters: the channels a filter can pass from each side and with or
 *     without an mcc, the account kinds, its "and" parts on an account's
 *     fixed attributes (tested once per account), and the filter
 *     specialised for each side and shape, with the mcc codes and amounts
 *     for which it surely fails or passes;
 *   - leads: the parts of the condition that compare a running total or a
 *     span with a constant, tested before the condition;
 *   - the layout of a window's state: entry flags for the conditions of
 *     aggregates, running totals and their slots, counted distincts.
 * The filter is evaluated at compile time in three-valued logic; a test
 * the evaluator does not understand is unknown, so it never rules out what
 * could pass. Called by the parser; calls the compiler for the
 * specialised programs, and rule_data.c. */
#include "rule/rule_plan.h"

#include <math.h>
#include <string.h>

/* ---- the channel prefilters ----
 *
 * The filter evaluated at compile time in three-valued logic (false, true,
 * unknown) with some fields known: the channel, the direction (from the
 * side the account is on) and a missing mcc. Anything else is unknown, so a
 * test the evaluator does not understand can never rule a channel out. */

typedef enum { TRI_FALSE, TRI_TRUE, TRI_UNKNOWN } Tri;

/* The direction a side knows (rule_vm_field: 1 in, 2 out; 0 unknown). */
static const double side_direction[SIDE_COUNT] = {
    [SIDE_ANY] = 0, [SIDE_SENDER] = 2, [SIDE_RECEIVER] = 1};

typedef struct {
    RuleCtx *cx;
    double channel;      /* when channel_unknown is FALSE */
    double direction;    /* 1 in, 2 out, 0 unknown */
    gboolean mcc_absent; /* the transaction has no mcc */
    gboolean mcc_known;  /* it has this one: */
    guint mcc;
    gboolean channel_unknown;
    gboolean decide_only; /* specialize() need not build what is left */
    int amount_known;     /* -1: the amount is below amount_bound, +1: above, 0: unknown */
    double amount_bound;
} Known;

/* The value of field n when it is known, with its type. */
static gboolean known_field(const Known *k, const AstNode *n, double *v, ValueType *ty)
{
    if (n->kind != N_IDENT)
        return FALSE;
    if (strcmp(n->name, "channel") == 0 && !k->channel_unknown) {
        *v = k->channel, *ty = TY_CHANNEL;
        return TRUE;
    }
    if (strcmp(n->name, "direction") == 0 && k->direction) {
        *v = k->direction, *ty = TY_DIR;
        return TRUE;
    }
    if (strcmp(n->name, "mcc") == 0 && (k->mcc_absent || k->mcc_known)) {
        *v = k->mcc_absent ? TXN_MCC_NONE : k->mcc, *ty = TY_MCC;
        return TRUE;
    }
    return FALSE;
}

/* The value of n as an enum of type ty, as the compiler would read it: a
 * name of that type that is not a field or constant, or an mcc number. */
static gboolean enum_const(const Known *k, const AstNode *n, ValueType ty, double *v)
{
    if (n->kind == N_NUM && ty == TY_MCC) {
        *v = n->num;
        return TRUE;
    }
    if (n->kind != N_IDENT || rule_field_lookup(n->name) >= 0 || rule_const_lookup(k->cx, n->name))
        return FALSE;
    return rule_enum_value(ty, n->name, v);
}

static Tri tri_of(gboolean b)
{
    return b ? TRI_TRUE : TRI_FALSE;
}

static gboolean is_amount(const AstNode *n)
{
    return n->kind == N_IDENT && strcmp(n->name, "amount") == 0;
}

/* The value of constant expression n (a number or a constant's name, as
 * the compiler folds it). */
static gboolean amount_const(const Known *k, AstNode *n, double *v)
{
    return rule_compile_const_value(k->cx, n, v);
}

/* `amount op c` under k's bound on the amount: decided where the bound
 * lies beyond c (below: amount < bound <= c; above: amount > bound >= c). */
static Tri amount_cmp(const Known *k, TokKind op, double c)
{
    gboolean below = k->amount_known < 0;
    if (!k->amount_known || (below ? k->amount_bound > c : k->amount_bound < c))
        return TRI_UNKNOWN;
    switch (op) {
    case TOK_EQ:
        return TRI_FALSE;
    case TOK_NE:
        return TRI_TRUE;
    case TOK_LT:
    case TOK_LE:
        return tri_of(below);
    case TOK_GT:
    case TOK_GE:
        return tri_of(!below);
    default:
        return TRI_UNKNOWN;
    }
}

/* `amount in [lo, hi]` (any brackets, `not in` too) under k's bound. */
static Tri amount_range(const Known *k, const AstNode *n)
{
    double lo, hi;
    if (!k->amount_known || !amount_const(k, n->lo, &lo) || !amount_const(k, n->hi, &hi))
        return TRI_UNKNOWN;
    gboolean outside = k->amount_known < 0 ? k->amount_bound <= lo : k->amount_bound >= hi;
    return outside ? tri_of(n->negate) : TRI_UNKNOWN;
}

/* A test (not and, or, not: specialize() combines those) under k. */
static Tri eval_leaf(const Known *k, const AstNode *n)
{
    double v, c;
    ValueType ty;
    int index;
    switch (n->kind) {
    case N_IN_RANGE:
        return is_amount(n->a) ? amount_range(k, n) : TRI_UNKNOWN;
    case N_BIN:
        if (is_amount(n->a) && amount_const(k, n->b, &c))
            return amount_cmp(k, n->op, c);
        if (!known_field(k, n->a, &v, &ty) || !enum_const(k, n->b, ty, &c))
            return TRI_UNKNOWN;
        switch (n->op) {
        case TOK_EQ:
            return tri_of(v == c);
        case TOK_NE:
            return tri_of(v != c);
        default:
            return TRI_UNKNOWN;
        }
    case N_IN_LIST: {
        RuleList *l = rule_list_find(k->cx->rs, n->name, &index);
        if (!l || !known_field(k, n->a, &v, &ty) || l->kind != ty)
            return TRI_UNKNOWN;
        return tri_of(rule_list_contains(l, v) != n->negate);
    }
    case N_IN_SET: {
        if (!known_field(k, n->a, &v, &ty))
            return TRI_UNKNOWN;
        gboolean found = FALSE;
        for (guint i = 0; i < n->items->len; i++) {
            const AstNode *item = g_ptr_array_index(n->items, i);
            if (!rule_enum_value(ty, item->name, &c))
                return TRI_UNKNOWN;
            found |= c == v;
        }
        return tri_of(found != n->negate);
    }
    default:
        return TRI_UNKNOWN;
    }
}

/* ---- specialising a filter to what is known ---- */

static gboolean is_account_static(const AstNode *n);

/* The value of a subtree that specialize() found decided. */
static AstNode decided_true, decided_false;

static AstNode *logic_node(RuleCtx *cx, NodeKind kind, AstNode *a, AstNode *b, const AstNode *like)
{
    AstNode *n = g_new0(AstNode, 1);
    g_ptr_array_add(cx->nodes, n);
    *n = (AstNode){.kind = kind,
                   .line = like->line,
                   .col = like->col,
                   .pos = like->pos,
                   .end = like->end,
                   .a = a,
                   .b = b};
    return n;
}

/* n with the parts that k decides replaced by their value (&decided_true,
 * &decided_false) and, where top, the "and" parts on the account's fixed
 * attributes taken as true (the account prefilter tests them first). */
static AstNode *specialize(const Known *k, AstNode *n, gboolean top)
{
    AstNode *a, *b;
    if (top && is_account_static(n))
        return &decided_true;
    switch (n->kind) {
    case N_AND:
    case N_OR: {
        /* false decides an "and", true an "or"; the other value drops out */
        gboolean is_and = n->kind == N_AND;
        AstNode *decides = is_and ? &decided_false : &decided_true;
        AstNode *drops = is_and ? &decided_true : &decided_false;
        a = specialize(k, n->a, top && is_and);
        b = specialize(k, n->b, top && is_and);
        if (a == decides || b == decides)
            return decides;
        if (a == drops || b == drops)
            return a == drops ? b : a;
        return k->decide_only || (a == n->a && b == n->b) ? n : logic_node(k->cx, n->kind, a, b, n);
    }
    case N_NOT:
        a = specialize(k, n->a, FALSE);
        if (a == &decided_true || a == &decided_false)
            return a == &decided_true ? &decided_false : &decided_true;
        return k->decide_only || a == n->a ? n : logic_node(k->cx, N_NOT, a, NULL, n);
    default:
        switch (eval_leaf(k, n)) {
        case TRI_TRUE:
            return &decided_true;
        case TRI_FALSE:
            return &decided_false;
        default:
            return n;
        }
    }
}

/* The channels (bits) for which n can be true (maybe) and is surely true,
 * by side and by a missing mcc; where top, "and" parts on the account's
 * fixed attributes count as true (specialize). */
static void known_masks(RuleCtx *cx, AstNode *n, gboolean top, guint32 maybe[SIDE_COUNT][2],
                        guint32 surely[SIDE_COUNT][2])
{
    for (int side = 0; side < SIDE_COUNT; side++) {
        for (int absent = 0; absent < 2; absent++) {
            Known k = {.cx = cx,
                       .direction = side_direction[side],
                       .mcc_absent = absent,
                       .decide_only = TRUE};
            maybe[side][absent] = surely[side][absent] = 0;
            for (int ch = 0; ch < 32; ch++) {
                k.channel = ch;
                const AstNode *v = specialize(&k, n, top);
                if (v != &decided_false)
                    maybe[side][absent] |= 1u << ch;
                if (v == &decided_true)
                    surely[side][absent] |= 1u << ch;
            }
        }
    }
}

/* The channels (bit c) a filter can let through, by the side the account
 * is on and by whether the transaction lacks an mcc (RulePlan.pass_mask),
 * and those it surely lets through once the account prefilter has passed
 * (RulePlan.pass_surely). */
static void pass_masks(RuleCtx *cx, AstNode *n, guint32 maybe[SIDE_COUNT][2],
                       guint32 surely[SIDE_COUNT][2])
{
    guint32 ignored[SIDE_COUNT][2];
    known_masks(cx, n, FALSE, maybe, ignored);
    known_masks(cx, n, TRUE, ignored, surely); /* the account prefilter has passed */
}

/* ---- the mcc prefilter ----
 *
 * eval_leaf() decides a test of the mcc only where it compares it with
 * constants (==, !=, in a list, in a set); so the codes that no such test
 * names all give the same result, and the filter need be specialised only
 * for each named code and one unnamed one. */

static void add_code(GArray *codes, double v)
{
    if (v >= 0 && v < RULE_MCC_CODES) {
        guint c = (guint)v;
        g_array_append_val(codes, c);
    }
}

/* Calls leaf(k, m, out) for each test m of n under its and, or, not (the
 * leaves eval_leaf() reads). */
static void each_leaf(const Known *k, AstNode *n, void (*leaf)(const Known *, AstNode *, GArray *),
                      GArray *out)
{
    if (n == &decided_true || n == &decided_false)
        return;
    if (n->kind == N_AND || n->kind == N_OR || n->kind == N_NOT) {
        each_leaf(k, n->a, leaf, out);
        if (n->b)
            each_leaf(k, n->b, leaf, out);
        return;
    }
    leaf(k, n, out);
}

/* The codes a test of the mcc names (each_leaf). */
static void mcc_codes(const Known *k, AstNode *n, GArray *codes)
{
    double c;
    int index;
    if (!n->a || n->a->kind != N_IDENT || strcmp(n->a->name, "mcc") != 0)
        return;
    if (n->kind == N_BIN && enum_const(k, n->b, TY_MCC, &c)) {
        add_code(codes, c);
    } else if (n->kind == N_IN_LIST) {
        const RuleList *l = rule_list_find(k->cx->rs, n->name, &index);
        for (guint i = 0; l && l->kind == TY_MCC && i < l->values->len; i++)
            add_code(codes, g_array_index(l->values, double, i));
    } else if (n->kind == N_IN_SET) {
        for (guint i = 0; i < n->items->len; i++) {
            const AstNode *item = g_ptr_array_index(n->items, i);
            if (rule_enum_value(TY_MCC, item->name, &c))
                add_code(codes, c);
        }
    }
}

static gint cmp_code(gconstpointer a, gconstpointer b)
{
    guint x = *(const guint *)a, y = *(const guint *)b;
    return (x > y) - (x < y);
}

/* Sets code m in s to what n gives with the mcc known to be m. */
static void mcc_decide(Known *k, AstNode *n, guint m, RuleMccSet *s)
{
    k->mcc = m;
    const AstNode *v = specialize(k, n, TRUE);
    guint64 bit = (guint64)1 << (m % 64);
    s->maybe[m / 64] = v != &decided_false ? s->maybe[m / 64] | bit : s->maybe[m / 64] & ~bit;
    s->surely[m / 64] = v == &decided_true ? s->surely[m / 64] | bit : s->surely[m / 64] & ~bit;
}

/* The mcc prefilter of the shape whose filter (fixed attributes passed) is
 * n under k, or NULL where the mcc decides nothing; kept once per rule. */
static const RuleMccSet *mcc_set(Known k, AstNode *n, RulePlan *pl)
{
    if (n == &decided_true || n == &decided_false)
        return NULL;
    g_autoptr(GArray) codes = g_array_new(FALSE, FALSE, sizeof(guint));
    each_leaf(&k, n, mcc_codes, codes);
    if (!codes->len)
        return NULL;
    g_array_sort(codes, cmp_code);
    guint other = 0; /* the first code not named */
    for (guint i = 0; i < codes->len && g_array_index(codes, guint, i) <= other; i++)
        other = MAX(other, g_array_index(codes, guint, i) + 1);
    k.mcc_known = TRUE;
    k.decide_only = TRUE;
    RuleMccSet *s = g_new0(RuleMccSet, 1);
    if (other < RULE_MCC_CODES) {
        mcc_decide(&k, n, other, s);
        guint64 maybe = rule_mcc_has(s->maybe, other) ? G_MAXUINT64 : 0;
        guint64 surely = rule_mcc_has(s->surely, other) ? G_MAXUINT64 : 0;
        for (guint w = 0; w < G_N_ELEMENTS(s->maybe); w++)
            s->maybe[w] = maybe, s->surely[w] = surely;
    }
    for (guint i = 0; i < codes->len; i++)
        mcc_decide(&k, n, g_array_index(codes, guint, i), s);
    gboolean decides = FALSE;
    for (guint m = 0; m < RULE_MCC_CODES && !decides; m++)
        decides = !rule_mcc_has(s->maybe, m) || rule_mcc_has(s->surely, m);
    for (guint i = 0; decides && pl->mcc_sets && i < pl->mcc_sets->len; i++) {
        const RuleMccSet *old = g_ptr_array_index(pl->mcc_sets, i);
        if (memcmp(old, s, sizeof *s) == 0) {
            g_free(s);
            return old;
        }
    }
    if (!decides) {
        g_free(s);
        return NULL;
    }
    if (!pl->mcc_sets)
        pl->mcc_sets = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(pl->mcc_sets, s);
    return s;
}

/* Compiles n, a specialisation of filter, into out. */
static void compile_specialised(RuleCtx *cx, AstNode *filter, AstNode *n, RuleProgram *out)
{
    rule_program_clear(out);
    if (n == &decided_true)
        return; /* an empty program is true */
    /* never run when decided false (the shape's channel mask is empty) */
    rule_compile_expr(cx, n == &decided_false ? filter : n, CTX_FILTER, out);
}

/* ---- the amount prefilter ----
 *
 * eval_leaf() decides a comparison of the amount with a constant when the
 * amount is known to lie below or above a bound beyond that constant. So
 * the amounts for which a shape's filter surely fails, below its least
 * passing amount and above its greatest, are found by trying the constants
 * the filter compares the amount with as bounds. */

/* The constants a test compares the amount with (each_leaf). */
static void amount_consts(const Known *k, AstNode *n, GArray *out)
{
    double c;
    if (n->kind == N_BIN && is_amount(n->a) && amount_const(k, n->b, &c))
        g_array_append_val(out, c);
    if (n->kind == N_IN_RANGE && is_amount(n->a)) {
        if (amount_const(k, n->lo, &c))
            g_array_append_val(out, c);
        if (amount_const(k, n->hi, &c))
            g_array_append_val(out, c);
    }
}

/* The amounts n (a shape's filter under k) can pass: below range->lo and
 * above range->hi it surely fails (-inf and +inf where it may pass). */
static void amount_range_of(Known k, AstNode *n, RuleAmountRange *range)
{
    range->lo = -INFINITY;
    range->hi = INFINITY;
    g_autoptr(GArray) consts = g_array_new(FALSE, FALSE, sizeof(double));
    each_leaf(&k, n, amount_consts, consts);
    k.decide_only = TRUE;
    for (guint i = 0; i < consts->len; i++) {
        double c = g_array_index(consts, double, i);
        k.amount_known = -1, k.amount_bound = c;
        if (c > range->lo && specialize(&k, n, TRUE) == &decided_false)
            range->lo = c;
        k.amount_known = +1;
        if (c < range->hi && specialize(&k, n, TRUE) == &decided_false)
            range->hi = c;
    }
}

/* Compiles the filter as seen from each side (RulePlan.side_filter): with
 * the direction known and the "and" parts on the account's fixed
 * attributes left to the account prefilter; and, where knowing the channel
 * and a missing mcc too leaves less to run, for that shape
 * (RulePlan.shape_filter). Needs the pass masks. */
static void side_filters(RuleCtx *cx, AstNode *filter, RulePlan *pl)
{
    if (pl->mcc_sets)
        g_clear_pointer(&pl->mcc_sets, g_ptr_array_unref);
    memset(pl->shape_mcc, 0, sizeof pl->shape_mcc);
    for (int side = 0; side < SIDE_COUNT; side++) {
        Known k = {.cx = cx, .direction = side_direction[side], .channel_unknown = TRUE};
        AstNode *n = specialize(&k, filter, TRUE);
        compile_specialised(cx, filter, n, &pl->side_filter[side]);
        for (int absent = 0; absent < 2; absent++) {
            for (int ch = 0; ch < 32; ch++) {
                RuleProgram **p = &pl->shape_filter[side][absent][ch];
                if (*p) {
                    rule_program_clear(*p);
                    g_clear_pointer(p, g_free);
                }
                pl->shape_amount[side][absent][ch] = (RuleAmountRange){-INFINITY, INFINITY};
                if (n == &decided_true || n == &decided_false ||
                    !(pl->pass_mask[side][absent] >> ch & 1) ||
                    (pl->pass_surely[side][absent] >> ch & 1))
                    continue; /* never run, or nothing left to run */
                Known ks = {.cx = cx,
                            .direction = side_direction[side],
                            .channel = ch,
                            .mcc_absent = absent};
                AstNode *m = specialize(&ks, n, TRUE);
                if (!absent)
                    pl->shape_mcc[side][ch] = mcc_set(ks, m, pl);
                amount_range_of(ks, m, &pl->shape_amount[side][absent][ch]);
                if (m == n)
                    continue; /* the side's program it is */
                *p = g_new0(RuleProgram, 1);
                compile_specialised(cx, filter, m, *p);
            }
        }
    }
}

/* ---- the account prefilter ---- */

/* TRUE if n reads no field but the account's own side-table attributes
 * that hold still for the run (RULE_FIELD_LIST's fixed column), so that
 * its value is the account's, once. */
static gboolean is_account_static(const AstNode *n)
{
    if (!n)
        return TRUE;
    switch (n->kind) {
    case N_CALL:
    case N_TEXT:  /* the memo is the row's */
    case N_MONEY: /* converted at the row's date */
        return FALSE;
    case N_IDENT: {
        int f = rule_field_lookup(n->name);
        return f < 0 || rule_field_is_fixed((FieldId)f);
    }
    default:
        /* the items of a {set} are names of values, not fields */
        return is_account_static(n->a) && is_account_static(n->b) && is_account_static(n->lo) &&
               is_account_static(n->hi);
    }
}

/* ---- the account-kind prefilter ---- */

/* The account kinds (bits by KycKind) a filter can pass, from its tests of
 * account.kind joined by and/or; all bits when it cannot tell. */
static guint32 kind_mask(AstNode *n)
{
    double v;
    switch (n->kind) {
    case N_AND:
        return kind_mask(n->a) & kind_mask(n->b);
    case N_OR:
        return kind_mask(n->a) | kind_mask(n->b);
    case N_BIN:
        if ((n->op == TOK_EQ || n->op == TOK_NE) && n->a->kind == N_IDENT &&
            strcmp(n->a->name, "account.kind") == 0 && n->b->kind == N_IDENT &&
            rule_enum_value(TY_KIND, n->b->name, &v)) {
            guint32 bit = 1u << (guint)v;
            return n->op == TOK_EQ ? bit : ~bit;
        }
        return G_MAXUINT32;
    default:
        return G_MAXUINT32;
    }
}

/* ---- the account prefilter and the filter's plan ---- */

/* Adds to out the "and" parts of n that read only the account's fixed
 * attributes. */
static void static_conjuncts(AstNode *n, GPtrArray *out)
{
    if (n->kind == N_AND) {
        static_conjuncts(n->a, out);
        static_conjuncts(n->b, out);
    } else if (is_account_static(n)) {
        g_ptr_array_add(out, n);
    }
}

/* Compiles the filter's fixed-attribute parts into pl->account_filter,
 * with their text as written. */
static void account_filter(RuleCtx *cx, AstNode *filter, RulePlan *pl)
{
    rule_program_clear(&pl->account_filter);
    g_clear_pointer(&pl->account_filter_src, g_free);
    g_autoptr(GPtrArray) parts = g_ptr_array_new();
    static_conjuncts(filter, parts);
    if (!parts->len)
        return;
    AstNode *all = g_ptr_array_index(parts, 0);
    GString *src = g_string_new(NULL);
    for (guint i = 0; i < parts->len; i++) {
        AstNode *n = g_ptr_array_index(parts, i);
        g_autofree char *text = rule_text_squeeze(cx->src + n->pos, n->end - n->pos);
        g_string_append_printf(src, "%s%s", i ? " and " : "", text);
        if (i) {
            AstNode *and = logic_node(cx, N_AND, all, n, n);
            and->end = n->pos;
            all = and;
        }
    }
    if (rule_compile_expr(cx, all, CTX_FILTER, &pl->account_filter))
        pl->account_filter_src = g_string_free(src, FALSE);
    else
        g_string_free(src, TRUE);
}

void rule_plan_filter(RuleCtx *cx, AstNode *filter, Rule *r)
{
    RulePlan *pl = &r->plan;
    pass_masks(cx, filter, pl->pass_mask, pl->pass_surely);
    account_filter(cx, filter, pl);
    side_filters(cx, filter, pl);
    pl->channel_mask = 0;
    for (int side = 0; side < SIDE_COUNT; side++)
        pl->channel_mask |= pl->pass_mask[side][0] | pl->pass_mask[side][1];
    pl->kind_mask = kind_mask(filter);
}

/* ---- leads ---- */

/* Appends the candidate leads of n to leads (which of them are running
 * totals is known when the rule is complete). Compiling a part again finds
 * the aggregates the whole condition registered. */
static void add_leads(RuleCtx *cx, AstNode *n, GArray *leads)
{
    if (n->kind == N_AND) {
        add_leads(cx, n->a, leads);
        add_leads(cx, n->b, leads);
        return;
    }
    RuleProgram part = {0};
    if (rule_compile_expr(cx, n, CTX_CONDITION, &part) && part.n == 2 &&
        part.steps[0].op == OP_AGG_CMP) {
        RuleLead lead = {(guint)part.steps[0].a, (RuleOp)part.steps[0].b, part.steps[0].k,
                         rule_text_squeeze(cx->src + n->pos, n->end - n->pos)};
        g_array_append_val(leads, lead);
    }
    rule_program_clear(&part);
}

void rule_plan_leads(RuleCtx *cx, AstNode *cond, Rule *r)
{
    g_array_set_size(r->plan.leads, 0);
    add_leads(cx, cond, r->plan.leads);
}

/* Keeps only the leads the engine reads without a walk of the window
 * (window_agg_kept): running totals of the window part, and spans; the
 * running totals first, in the order written: they lie in the window's
 * header, where a span reads two of its entries. */
static void prune_leads(Rule *r)
{
    GArray *la = r->plan.leads;
    for (guint i = la->len; i-- > 0;) {
        const RuleAgg *g = &g_array_index(r->aggs, RuleAgg, g_array_index(la, RuleLead, i).agg);
        if (g->kind != AGG_SPAN && (!g->running || g->baseline))
            g_array_remove_index(la, i);
    }
    RuleLead *leads = (RuleLead *)(void *)la->data;
    for (guint i = 0, n_running = 0; i < la->len; i++) {
        RuleLead l = leads[i];
        if (g_array_index(r->aggs, RuleAgg, l.agg).kind != AGG_SPAN) {
            memmove(&leads[n_running + 1], &leads[n_running], (i - n_running) * sizeof l);
            leads[n_running++] = l;
        }
    }
}

/* ---- the window's layout ---- */

/* The condition of a flagged aggregate: count(cond), or the where of
 * sum(x where cond), also inside baseline(...). */
static AstNode *agg_condition(AstNode *call, gboolean wrapped)
{
    if (wrapped)
        call = g_ptr_array_index(call->items, 0);
    if (call->b)
        return call->b;
    if (strcmp(call->name, "sequence") == 0) /* (A, ..., B, duration): B decides which count */
        return call->items && call->items->len >= 3
                   ? g_ptr_array_index(call->items, call->items->len - 2)
                   : NULL;
    return call->items && call->items->len == 1 ? g_ptr_array_index(call->items, 0) : NULL;
}

/* History fields say what was known when a row arrived, so an aggregate
 * may read them only in a condition worked out then: its entry flag. A
 * value (sum(account.tenure)), a condition without a flag, or the edges of
 * a graph match (flagged when the match is found, not when each arrived)
 * would read the present instead. */
static void check_history(RuleCtx *cx, const Rule *r, const RuleAgg *g, const AstNode *call)
{
    gboolean cond_arg = g->kind == AGG_COUNT;
    gboolean in_mid = FALSE;
    for (guint k = 0; k < g->n_mid; k++)
        in_mid |= rule_program_reads_history(&g->mid[k]);
    gboolean in_value = (!cond_arg && rule_program_reads_history(&g->arg)) || in_mid ||
                        ((g->kind == AGG_DISTINCT || g->kind == AGG_NEW || g->kind == AGG_MOST) &&
                         rule_field_is_history(g->field));
    gboolean in_cond =
        rule_program_reads_history(&g->cond) || (cond_arg && rule_program_reads_history(&g->arg));
    if (!in_value && !in_cond)
        return;
    int line = call ? call->line : r->line, col = call ? call->col : 1;
    if (in_value && g->kind == AGG_SEQUENCE)
        rule_ctx_error(cx, line, col,
                       "'%s' reads a history field before its last step: only the last step "
                       "is kept per entry as it arrives, so only it may test history",
                       g->text);
    else if (in_value)
        rule_ctx_error(cx, line, col,
                       "'%s' takes a history field as its value: history is what was known when "
                       "each row arrived, so it can only decide which entries count "
                       "(count(COND), where COND)",
                       g->text);
    else if (r->match.kind != MATCH_NONE)
        rule_ctx_error(cx, line, col,
                       "'%s' reads a history field over a graph match: test it in the rule's "
                       "'where', which sees each edge as it arrives",
                       g->text);
    else if (g->flag < 0)
        rule_ctx_error(cx, line, col,
                       "'%s' reads a history field, but only the first %d aggregates with a "
                       "condition keep it per entry: move it before the others",
                       g->text, LIMIT_ENTRY_FLAGS);
}

/* A memo test in an aggregate, like a history field, is about the row as
 * it arrived (a window entry keeps no text): only a condition worked out
 * then, its entry flag, may hold one. */
static void check_memo(RuleCtx *cx, const Rule *r, const RuleAgg *g, const AstNode *call)
{
    gboolean in_value = g->kind != AGG_COUNT && rule_program_tests_memo(&g->arg);
    for (guint k = 0; k < g->n_mid; k++)
        in_value |= rule_program_tests_memo(&g->mid[k]);
    gboolean in_cond = rule_program_tests_memo(&g->cond) ||
                       (g->kind == AGG_COUNT && rule_program_tests_memo(&g->arg));
    int line = call ? call->line : r->line, col = call ? call->col : 1;
    if (in_value)
        rule_ctx_error(cx, line, col,
                       "'%s' tests the memo %s: a window entry keeps no text, so a memo test "
                       "can only decide which entries count (count(COND), where COND%s)",
                       g->text, g->kind == AGG_SEQUENCE ? "before its last step" : "as its value",
                       g->kind == AGG_SEQUENCE ? ", the last step" : "");
    else if (in_cond && r->match.kind != MATCH_NONE)
        rule_ctx_error(cx, line, col,
                       "'%s' tests the memo over a graph match: test it in the rule's 'where', "
                       "which sees each edge as it arrives",
                       g->text);
    else if (in_cond && g->flag < 0)
        rule_ctx_error(cx, line, col,
                       "'%s' tests the memo, but only the first %d aggregates with a condition "
                       "keep it per entry: move it before the others",
                       g->text, LIMIT_ENTRY_FLAGS);
}

/* Whether aggregate i of r gets an entry flag (its condition worked out
 * once per entry as it enters the window, with the shapes for which that
 * is decided at compile time), and whether it is a running total. */
static void plan_agg(RuleCtx *cx, Rule *r, guint i)
{
    RuleAgg *g = &g_array_index(r->aggs, RuleAgg, i);
    gboolean conditioned = g->cond.n || (g->kind == AGG_COUNT && g->arg.n);
    AstNode *call = i < cx->agg_calls->len ? g_ptr_array_index(cx->agg_calls, i) : NULL;
    g->flag = -1;
    memset(g->flag_maybe, 0xff, sizeof g->flag_maybe);
    memset(g->flag_surely, 0, sizeof g->flag_surely);
    if (conditioned && i < LIMIT_ENTRY_FLAGS) {
        g->flag = (int)i;
        AstNode *cond = call ? agg_condition(call, g->baseline) : NULL;
        if (cond)
            known_masks(cx, cond, FALSE, g->flag_maybe, g->flag_surely);
    }
    check_history(cx, r, g, call);
    check_memo(cx, r, g, call);
    gboolean simple = g->flag >= 0 || !conditioned;
    g->running = simple && (g->kind == AGG_COUNT ||
                            (g->kind == AGG_SUM && g->arg.n == 2 &&
                             g->arg.steps[0].op == OP_FIELD && g->arg.steps[0].a == FIELD_AMOUNT));
}

/* Adds aggregate i of r to the tracked ones (RulePlan.tracked) when it is
 * kept in step with the window, with its running total's slot. */
static void track_agg(Rule *r, guint i)
{
    RulePlan *pl = &r->plan;
    RuleAgg *g = &g_array_index(r->aggs, RuleAgg, i);
    const RuleProgram *cond = g->kind == AGG_COUNT ? &g->arg : &g->cond;
    if (!g->in_condition && !rule_program_reads_history(cond) && !rule_program_tests_memo(cond)) {
        /* the explanation's alone: worked out on an alert, not kept (but a
         * history condition can only be kept: check_history) */
        g->running = FALSE;
        g->flag = -1;
    }
    g->counted = g->kind == AGG_DISTINCT && g->in_condition && !r->baseline &&
                 (!g->cond.n || g->flag >= 0) &&        /* a "where" without a bit: recounted */
                 i < G_MAXUINT8;                        /* Window.n_dsets */
    g->running = g->running && pl->n_run <= G_MAXUINT8; /* RuleTrack.slot */
    if (g->running || g->counted) {
        RuleTrack t = {(guint16)i, 0, (gint8)g->flag,
                       g->counted             ? TRACK_DISTINCT
                       : g->kind == AGG_COUNT ? TRACK_COUNT
                                              : TRACK_SUM,
                       g->baseline ? 1 : 0};
        if (g->running)
            t.slot = g->run_slot = (guint8)pl->n_run++;
        if (t.flag < 0) { /* those every entry adds to first, the window part's first */
            guint at = pl->n_track_any[0] + (t.part ? pl->n_track_any[1] : 0);
            g_array_insert_val(pl->tracked, at, t);
            pl->n_track_any[t.part]++;
        } else {
            g_array_append_val(pl->tracked, t);
        }
    }
    pl->has_counted |= g->counted;
}

void rule_plan_rule(RuleCtx *cx, Rule *r)
{
    RulePlan *pl = &r->plan;
    if (r->match.kind != MATCH_NONE && rule_program_reads_history(&r->condition))
        rule_ctx_error(cx, r->line, 1,
                       "rule %s reads a history field in 'alert if': a graph rule's alert "
                       "concerns a whole match, not one row; test history in its 'where'",
                       r->id);
    if (r->match.kind != MATCH_NONE && rule_program_tests_memo(&r->condition))
        rule_ctx_error(cx, r->line, 1,
                       "rule %s tests the memo in 'alert if': a graph rule's alert concerns a "
                       "whole match, not one row; test the memo in its 'where'",
                       r->id);
    for (guint i = 0; r->match.kind != MATCH_NONE && i < r->explain->len; i++) {
        if (rule_program_reads_history(&g_array_index(r->explain, TplPart, i).prog)) {
            rule_ctx_error(cx, r->line, 1,
                           "rule %s reads a history field in 'explain': a graph rule's alert "
                           "concerns a whole match, not one row",
                           r->id);
            break;
        }
    }
    for (guint i = 0; i < r->aggs->len; i++)
        plan_agg(cx, r, i);
    for (guint i = 0; i < r->aggs->len; i++)
        track_agg(r, i);
    for (guint i = pl->n_track_any[0] + pl->n_track_any[1]; i < pl->tracked->len; i++) {
        const RuleTrack *t = &g_array_index(pl->tracked, RuleTrack, i);
        pl->track_flags[t->part] |= 1u << t->flag;
        pl->track_of_flag[t->flag] = (guint8)i;
    }
    prune_leads(r);
}
