/* rule_compile.c: turns expression trees into flat programs for rule_vm.c.
 *
 * Resolves names (fields, constants, lists, aggregates, the names of
 * channels, countries, weekdays ...), checks that each clause only uses what
 * it can see (a filter sees one transaction, an alert condition sees the
 * window's aggregates), infers the static type that decides how values are
 * printed, bounds the stack depth, and lints: a condition that can be proven
 * never true is an error. How the engine runs the programs (prefilters,
 * leads, the window's layout) is the planner's work (rule_plan.c), which
 * calls this file; this file calls only down, into rule_data.c and the
 * interpreter (to fold constants). */
#include "rule/rule_ast.h"

#include "rule/rule_text.h"
#include "read/kyc.h"

#include <math.h>
#include <string.h>

typedef struct {
    RuleCtx *cx;
    ExprContext ctx;
    GArray *steps; /* RuleStep */
    int depth, max_depth;
    guint fence; /* steps before this may be jump targets: not folded */
    gboolean failed;
} Cc;

static void cc_error(Cc *c, const AstNode *n, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void cc_error(Cc *c, const AstNode *n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    rule_ctx_error(c->cx, n->line, n->col, "%s", msg);
    c->failed = TRUE;
}

/* FIELD f, PUSH k, compare -> FIELD_CMP; FIELD f, IN_LIST l -> FIELD_IN_LIST;
 * AGG g, PUSH k, compare -> AGG_CMP: the commonest tests of filters and
 * conditions in one step each. Steps a jump may land inside (before the
 * fence) are left alone. */
static void fuse_field_test(Cc *c)
{
    guint n = c->steps->len;
    RuleStep *s = (RuleStep *)c->steps->data;
    if (n >= 2 && n - 2 >= c->fence && s[n - 1].op == OP_IN_LIST && s[n - 2].op == OP_FIELD) {
        s[n - 2] = (RuleStep){.op = OP_FIELD_IN_LIST, .b = (guint8)s[n - 2].a, .a = s[n - 1].a};
        g_array_set_size(c->steps, n - 1);
    } else if (n >= 3 && n - 3 >= c->fence && s[n - 1].op >= OP_EQ && s[n - 1].op <= OP_GE &&
               s[n - 2].op == OP_PUSH && s[n - 3].op == OP_FIELD) {
        s[n - 3] = (RuleStep){
            .op = OP_FIELD_CMP, .b = (guint8)s[n - 3].a, .a = s[n - 1].op, .k = s[n - 2].k};
        g_array_set_size(c->steps, n - 2);
    } else if (n >= 3 && n - 3 >= c->fence && s[n - 1].op >= OP_EQ && s[n - 1].op <= OP_GE &&
               s[n - 2].op == OP_PUSH && s[n - 3].op == OP_AGG) {
        s[n - 3] = (RuleStep){.op = OP_AGG_CMP, .b = s[n - 1].op, .a = s[n - 3].a, .k = s[n - 2].k};
        g_array_set_size(c->steps, n - 2);
    }
}

static void emit(Cc *c, RuleOp op, gint32 a, double k)
{
    static const int effect[OP_COUNT] = {
        [OP_PUSH] = 1,       [OP_FIELD] = 1,     [OP_AGG] = 1,  [OP_ADD] = -1, [OP_SUB] = -1,
        [OP_MUL] = -1,       [OP_DIV] = -1,      [OP_MOD] = -1, [OP_EQ] = -1,  [OP_NE] = -1,
        [OP_LT] = -1,        [OP_LE] = -1,       [OP_GT] = -1,  [OP_GE] = -1,  [OP_JUMP_FALSE] = -1,
        [OP_JUMP_TRUE] = -1, [OP_IN_RANGE] = -2, [OP_TEXT] = 1,
    };
    RuleStep s = {.op = (guint8)op, .a = a, .k = k};
    g_array_append_val(c->steps, s);
    c->depth += effect[op];
    c->max_depth = MAX(c->max_depth, c->depth);
    fuse_field_test(c);
}

static const char *node_text(Cc *c, const AstNode *n, char *buf, gsize size)
{
    gsize len = MIN(n->end - n->pos, size - 1);
    memcpy(buf, c->cx->src + n->pos, len);
    buf[len] = '\0';
    return buf;
}

static ValueType compile(Cc *c, AstNode *n);

/* ---- aggregates ---- */

/* The aggregates by kind (RULE_AGG_LIST in rule.h). */
static const struct {
    const char *name;
    AggTakes takes;
    ValueType type;
    gboolean where;          /* a "where" may narrow the entries */
    gboolean needs_baseline; /* only with a 'baseline' clause, never inside baseline() */
} agg_info[] = {
#define X(id, name, takes, type, where, needs_baseline, doc)                                       \
    [AGG_##id] = {name, takes, type, where, needs_baseline},
    RULE_AGG_LIST(X)
#undef X
};

/* What a call names: an aggregate, or baseline(...) wrapping one. */
typedef struct {
    AggKind kind; /* for a wrapper, set from the call inside it */
    gboolean wraps;
} AggCall;

/* The aggregate called name; FALSE if name is none. */
static gboolean agg_lookup(const char *name, AggCall *call)
{
    *call = (AggCall){AGG_COUNT, strcmp(name, "baseline") == 0};
    for (guint k = 0; k < AGG_N_KINDS && !call->wraps; k++) {
        if (strcmp(agg_info[k].name, name) == 0) {
            call->kind = (AggKind)k;
            return TRUE;
        }
    }
    return call->wraps;
}

static gboolean compile_sub(RuleCtx *cx, AstNode *n, ExprContext ctx, RuleProgram *out);

static gboolean agg_field(Cc *c, AstNode *arg, RuleAgg *agg)
{
    int f = arg && arg->kind == N_IDENT ? rule_field_lookup(arg->name) : -1;
    if (f < 0) {
        cc_error(c, arg, "%s() takes a field: counterparty, location, country, channel, mcc, ...",
                 agg_info[agg->kind].name);
        return TRUE;
    }
    agg->field = (FieldId)f;
    agg->type = agg_info[agg->kind].type;
    return TRUE;
}

static gboolean const_value(RuleCtx *cx, const AstNode *n, double *v);

/* forwarded(48h), swept(horizon): a duration, or a constant or param
 * holding one (so that a backtest can sweep it) */
static gboolean agg_duration(Cc *c, AstNode *call, AstNode *arg, RuleAgg *agg)
{
    double v = 0;
    if (!arg || !const_value(c->cx, arg, &v) || v <= 0) {
        cc_error(c, arg ? arg : call, "%s() takes a duration like 48h, or a constant holding one",
                 agg_info[agg->kind].name);
        return TRUE;
    }
    RuleConst *k = arg->kind == N_IDENT ? rule_const_lookup(c->cx, arg->name) : NULL;
    if (k)
        k->used = TRUE;
    agg->k = v;
    agg->type = agg_info[agg->kind].type;
    return TRUE;
}

/* The argument of an aggregate call n of kind, by what the kind takes
 * (agg_info); FALSE when it has the wrong number of them. */
/* sequence(A, M1, ..., B, DUR): A as the argument, the middle steps in
 * mid, B as the entries that count (the planner flags it). */
static gboolean agg_sequence(Cc *c, AstNode *n, RuleAgg *agg)
{
    guint nargs = n->items ? n->items->len : 0;
    if (nargs < 3)
        return FALSE;
    if (nargs - 1 > RULE_SEQUENCE_MAX_STEPS) {
        cc_error(c, g_ptr_array_index(n->items, RULE_SEQUENCE_MAX_STEPS),
                 "sequence() takes at most %d steps, then the duration", RULE_SEQUENCE_MAX_STEPS);
        return TRUE;
    }
    agg->n_mid = nargs - 3;
    agg->mid = g_new0(RuleProgram, MAX(agg->n_mid, 1));
    for (guint i = 0; i < agg->n_mid; i++)
        if (!compile_sub(c->cx, g_ptr_array_index(n->items, i + 1), CTX_AGG_ARG, &agg->mid[i]))
            c->failed = TRUE;
    if (!compile_sub(c->cx, g_ptr_array_index(n->items, 0), CTX_AGG_ARG, &agg->arg) ||
        !compile_sub(c->cx, g_ptr_array_index(n->items, nargs - 2), CTX_AGG_ARG, &agg->cond))
        c->failed = TRUE;
    return agg_duration(c, n, g_ptr_array_index(n->items, nargs - 1), agg);
}

static gboolean agg_arg(Cc *c, AstNode *n, AggKind kind, RuleAgg *agg)
{
    guint nargs = n->items ? n->items->len : 0;
    AstNode *arg = nargs ? g_ptr_array_index(n->items, 0) : NULL;
    AggTakes takes = agg_info[kind].takes;
    if (n->b) {
        if (!agg_info[kind].where) {
            cc_error(c, n->b, "'where' inside %s() is not supported; use count(condition)",
                     n->name);
            return TRUE;
        }
        if (!compile_sub(c->cx, n->b, CTX_AGG_ARG, &agg->cond))
            c->failed = TRUE;
    }
    if (takes == AGG_TAKES_NOTHING || (takes == AGG_TAKES_CONDITION && nargs == 0)) {
        agg->type = agg_info[kind].type;
        return nargs == 0;
    }
    if (takes == AGG_TAKES_SEQUENCE)
        return agg_sequence(c, n, agg);
    if (takes == AGG_TAKES_VALUE_P) {
        if (nargs != 2)
            return FALSE;
        AstNode *p = g_ptr_array_index(n->items, 1);
        if (!const_value(c->cx, p, &agg->k) || agg->k < 0 || agg->k > 100) {
            cc_error(c, p, "the percent of %s() is a number from 0 to 100, e.g. %s(amount, 90)",
                     n->name, n->name);
            return TRUE;
        }
        RuleConst *k = p->kind == N_IDENT ? rule_const_lookup(c->cx, p->name) : NULL;
        if (k)
            k->used = TRUE;
    } else if (nargs != 1) {
        return FALSE;
    }
    if (takes == AGG_TAKES_FIELD)
        return agg_field(c, arg, agg);
    if (takes == AGG_TAKES_DURATION)
        return agg_duration(c, n, arg, agg);
    if (!compile_sub(c->cx, arg, CTX_AGG_ARG, &agg->arg))
        c->failed = TRUE;
    agg->type = takes == AGG_TAKES_VALUE || takes == AGG_TAKES_VALUE_P ? agg->arg.type
                                                                       : agg_info[kind].type;
    return TRUE;
}

/* baseline(sum(amount)): the inner aggregate over the baseline period */
static gboolean agg_baseline(Cc *c, AstNode *n, RuleAgg *agg)
{
    AstNode *inner = n->items && n->items->len == 1 ? g_ptr_array_index(n->items, 0) : NULL;
    AggCall call;
    if (!inner || (inner->kind != N_CALL && inner->kind != N_IDENT) ||
        !agg_lookup(inner->name, &call) || call.wraps || agg_info[call.kind].needs_baseline) {
        cc_error(c, n, "baseline() takes an aggregate, e.g. baseline(sum(amount))");
        return TRUE;
    }
    if (!c->cx->rule->baseline)
        cc_error(c, n, "baseline() needs a 'baseline' clause (e.g. baseline 90d) before it");
    agg->kind = call.kind;
    agg->baseline = TRUE;
    return agg_arg(c, inner, agg->kind, agg);
}

/* An aggregate call (or a bare count, span): registered in the rule's
 * aggs under its text as written, once, and pushed by OP_AGG. */
static ValueType compile_agg(Cc *c, AstNode *n, AggCall call)
{
    Rule *r = c->cx->rule;
    if (c->ctx != CTX_CONDITION && c->ctx != CTX_EXPLAIN) {
        cc_error(c, n, "aggregate '%s' is not allowed here: %s", n->name,
                 c->ctx == CTX_FILTER ? "'where' sees one transaction at a time"
                                      : "only 'alert if' and 'explain' see the window");
        return TY_NUM;
    }
    char buf[256];
    const char *text = n->kind == N_IDENT ? n->name : node_text(c, n, buf, sizeof buf);
    for (guint i = 0; i < r->aggs->len; i++) {
        RuleAgg *a = &g_array_index(r->aggs, RuleAgg, i);
        if (strcmp(a->text, text) == 0) {
            a->in_condition |= c->ctx == CTX_CONDITION;
            emit(c, OP_AGG, (gint32)i, 0);
            return a->type;
        }
    }
    RuleAgg agg = {.kind = call.kind, .in_condition = c->ctx == CTX_CONDITION, .flag = -1};
    if (!call.wraps && agg_info[call.kind].needs_baseline && !r->baseline)
        cc_error(c, n, "%s() needs a 'baseline' clause (e.g. baseline 90d) before it", n->name);
    gboolean ok = call.wraps ? agg_baseline(c, n, &agg) : agg_arg(c, n, agg.kind, &agg);
    if (!ok) {
        AggTakes takes = agg_info[agg.kind].takes;
        cc_error(c, n, "%s() takes %s", n->name,
                 takes == AGG_TAKES_CONDITION  ? "nothing or a condition"
                 : takes == AGG_TAKES_NOTHING  ? "nothing"
                 : takes == AGG_TAKES_VALUE_P  ? "a value and a percent, e.g. (amount, 90)"
                 : takes == AGG_TAKES_SEQUENCE ? "two or more conditions and a duration, e.g. "
                                                 "(channel == cash_deposit, direction == out, 24h)"
                                               : "one value");
        rule_program_clear(&agg.arg); /* a "where" may have compiled before the count failed */
        rule_program_clear(&agg.cond);
        rule_agg_clear_mid(&agg);
        return TY_NUM;
    }
    agg.text = g_strdup(text);
    g_array_append_val(r->aggs, agg);
    /* the planner works out how the engine keeps it from the call */
    g_ptr_array_set_size(c->cx->agg_calls, r->aggs->len);
    g_ptr_array_index(c->cx->agg_calls, r->aggs->len - 1) = n;
    emit(c, OP_AGG, (gint32)r->aggs->len - 1, 0);
    return agg.type;
}

/* ---- names ---- */

/* " (did you mean 'x'?)" for a misspelt name: the closest field, constant,
 * parameter of the rule, or aggregate; caller frees. */
static char *suggest_name(Cc *c, const char *name)
{
    RuleSuggest s;
    rule_suggest_init(&s, name);
    rule_suggest_fields(&s);
    for (guint i = 0; i < c->cx->rs->consts->len; i++)
        rule_suggest_try(&s, ((RuleConst *)g_ptr_array_index(c->cx->rs->consts, i))->name);
    for (guint i = 0; c->cx->rule && i < c->cx->rule->params->len; i++)
        rule_suggest_try(&s, ((RuleConst *)g_ptr_array_index(c->cx->rule->params, i))->name);
    for (guint k = 0; k < AGG_N_KINDS; k++)
        rule_suggest_try(&s, agg_info[k].name);
    return rule_suggest_text(&s);
}

static ValueType compile_name(Cc *c, AstNode *n)
{
    int f = rule_field_lookup(n->name);
    if (f >= 0) {
        if (c->ctx == CTX_CONST) {
            cc_error(c, n, "a constant cannot use the field '%s'", n->name);
            return TY_NUM;
        }
        emit(c, OP_FIELD, f, 0);
        return rule_field_type((FieldId)f);
    }
    RuleConst *k = rule_const_lookup(c->cx, n->name);
    if (k) {
        k->used = TRUE;
        emit(c, OP_PUSH, 0, k->value);
        return k->type;
    }
    Rule *r = c->cx->rule;
    for (guint i = 0; r && r->typology && i < r->aggs->len; i++) { /* score, families, hits */
        if (strcmp(g_array_index(r->aggs, RuleAgg, i).text, n->name) == 0) {
            emit(c, OP_AGG, (gint32)i, 0);
            return g_array_index(r->aggs, RuleAgg, i).type;
        }
    }
    if (r && r->typology && c->ctx != CTX_CONST) {
        cc_error(c, n, "a typology's condition knows score, families and hits, not '%s'", n->name);
        return TY_NUM;
    }
    AggCall call; /* count and span may be written without () */
    if (agg_lookup(n->name, &call) && !call.wraps &&
        (agg_info[call.kind].takes == AGG_TAKES_NOTHING ||
         agg_info[call.kind].takes == AGG_TAKES_CONDITION))
        return compile_agg(c, n, call);
    g_autofree char *hint = suggest_name(c, n->name);
    cc_error(c, n, "unknown field or name '%s'%s", n->name, hint);
    return TY_NUM;
}

/* Compiles n as a value of enumerated type ty when it names one ("PH",
 * "cash_deposit", "sat"); else compiles it as usual. */
static ValueType compile_as(Cc *c, AstNode *n, ValueType ty)
{
    double v;
    if (n->kind == N_STRING) {
        if (ty != TY_TEXT)
            cc_error(c, n,
                     "a quoted text can only be compared with a text field such as "
                     "account.occupation");
        emit(c, OP_PUSH, 0, kyc_text_hash(n->name, strlen(n->name)));
        return TY_TEXT;
    }
    if (rule_type_is_enum(ty) && (n->kind == N_IDENT || n->kind == N_NUM)) {
        gboolean named = n->kind == N_IDENT &&
                         (rule_field_lookup(n->name) >= 0 || rule_const_lookup(c->cx, n->name));
        char buf[32];
        const char *text = n->kind == N_IDENT ? n->name : node_text(c, n, buf, sizeof buf);
        if (!named && rule_enum_value(ty, text, &v)) {
            emit(c, OP_PUSH, 0, v);
            return ty;
        }
        if (!named && n->kind == N_IDENT) {
            cc_error(c, n, "'%s' is not a %s", n->name, rule_type_word(ty));
            return ty;
        }
    }
    return compile(c, n);
}

static ValueType peek_type(Cc *c, const AstNode *n)
{
    if (n->kind != N_IDENT)
        return TY_NUM;
    int f = rule_field_lookup(n->name);
    return f >= 0 ? rule_field_type((FieldId)f) : TY_NUM;
}

/* ---- operators ---- */

static RuleOp bin_op(TokKind k)
{
    switch (k) {
    case TOK_PLUS:
        return OP_ADD;
    case TOK_MINUS:
        return OP_SUB;
    case TOK_STAR:
        return OP_MUL;
    case TOK_SLASH:
        return OP_DIV;
    case TOK_PERCENT:
        return OP_MOD;
    case TOK_EQ:
        return OP_EQ;
    case TOK_NE:
        return OP_NE;
    case TOK_LT:
        return OP_LT;
    case TOK_LE:
        return OP_LE;
    case TOK_GT:
        return OP_GT;
    default:
        return OP_GE;
    }
}

static ValueType arith_type(RuleOp op, ValueType a, ValueType b)
{
    if (op == OP_DIV && a == b)
        return TY_NUM; /* a ratio */
    if (a == TY_MONEY || b == TY_MONEY)
        return TY_MONEY;
    if (a == TY_DURATION || b == TY_DURATION)
        return TY_DURATION;
    if (a == TY_COUNT && b == TY_COUNT && op != OP_DIV)
        return TY_COUNT;
    return TY_NUM;
}

/* PUSH a, PUSH b, OP -> PUSH (a OP b): constants are computed once, here. */
static void fold_constants(Cc *c)
{
    guint n = c->steps->len;
    RuleStep *s = (RuleStep *)c->steps->data;
    if (n < 3 || n - 3 < c->fence || s[n - 3].op != OP_PUSH || s[n - 2].op != OP_PUSH)
        return; /* a jump may land between them: leave them */
    RuleStep prog[] = {s[n - 3], s[n - 2], s[n - 1], {.op = OP_HALT}};
    RuleProgram p = {prog, 4, TY_NUM};
    RuleEval ev = {0};
    double v = rule_vm_run(&p, &ev);
    g_array_set_size(c->steps, n - 2);
    g_array_index(c->steps, RuleStep, n - 3) = (RuleStep){.op = OP_PUSH, .k = v};
    c->depth -= 1;
}

/* The measures a plain number may stand for but that differ from one
 * another: an amount is never a duration or a count. */
static gboolean is_measure(ValueType t)
{
    return t == TY_MONEY || t == TY_COUNT || t == TY_DURATION;
}

/* Enumerated types whose values are names, never numbers (an mcc or an
 * hour is written as a number). */
static gboolean is_named(ValueType t)
{
    return rule_type_is_enum(t) && t != TY_MCC && t != TY_HOUR;
}

/* A bare number written where a name of type t belongs; 0 stands for "not
 * known" beside a country or currency (country != 0). */
static gboolean bad_number(ValueType t, const AstNode *n, ValueType tn)
{
    return is_named(t) && tn == TY_NUM && n->kind == N_NUM &&
           !(n->num == 0 && (t == TY_COUNTRY || t == TY_CURRENCY));
}

/* Checks that a value of type ta (node a) may be compared with one of type
 * tb (node b); the error points at b, the part that does not fit. */
static void check_comparable(Cc *c, const AstNode *a, ValueType ta, const AstNode *b, ValueType tb)
{
    if (ta == tb || c->failed)
        return;
    char buf[64];
    if (bad_number(ta, b, tb)) {
        cc_error(c, b, "'%s' is not a %s: write its name", node_text(c, b, buf, sizeof buf),
                 rule_type_word(ta));
    } else if (bad_number(tb, a, ta)) {
        cc_error(c, a, "'%s' is not a %s: write its name", node_text(c, a, buf, sizeof buf),
                 rule_type_word(tb));
    } else if ((rule_type_is_enum(ta) || rule_type_is_enum(tb)) && ta != TY_NUM && tb != TY_NUM) {
        cc_error(c, b, "a %s is compared with a %s", rule_type_word(ta), rule_type_word(tb));
    } else if (is_measure(ta) && is_measure(tb)) {
        cc_error(c, b, "%s %s is compared with %s %s",
                 strchr("aeiou", rule_type_word(ta)[0]) ? "an" : "a", rule_type_word(ta),
                 strchr("aeiou", rule_type_word(tb)[0]) ? "an" : "a", rule_type_word(tb));
    }
}

/* ---- amounts with a currency ---- */

/* The currency of an amount written with one (`10000 EUR`, a constant
 * defined so, and sums and multiples of those) into *code, 0 if none;
 * FALSE when two different currencies meet (`10 EUR + 10 USD`), with
 * *at the node of the second. */
static gboolean money_currency(RuleCtx *cx, const AstNode *n, guint32 *code, const AstNode **at)
{
    *code = 0;
    switch (n->kind) {
    case N_MONEY:
        *code = txn_pack_code3(n->name, 3);
        return TRUE;
    case N_NEG:
        return money_currency(cx, n->a, code, at);
    case N_BIN: {
        guint32 a, b;
        if (n->op < TOK_PLUS || n->op > TOK_PERCENT)
            return TRUE; /* a comparison is not an amount */
        if (!money_currency(cx, n->a, &a, at) || !money_currency(cx, n->b, &b, at))
            return FALSE;
        if (a && b && a != b) {
            *at = n->b;
            return FALSE;
        }
        *code = a ? a : b;
        return TRUE;
    }
    default:
        return TRUE;
    }
}

gboolean rule_compile_currency(RuleCtx *cx, const AstNode *n, guint32 *code)
{
    const AstNode *at = NULL;
    if (money_currency(cx, n, code, &at))
        return TRUE;
    rule_ctx_error(cx, at->line, at->col,
                   "amounts in two currencies meet in one expression: write them in one");
    return FALSE;
}

/* `10000 EUR`: the number, then (outside constants, whose currency is
 * kept beside their value) its conversion at the row's date. */
static ValueType compile_money(Cc *c, AstNode *n)
{
    emit(c, OP_PUSH, 0, n->num);
    if (c->ctx != CTX_CONST)
        emit(c, OP_FX, (gint32)txn_pack_code3(n->name, 3), 0);
    return TY_MONEY;
}

/* An amount with a currency compared with something that is not money
 * (`day > 10 EUR`) is an error; a plain number beside it is fine. */
static void check_money_compared(Cc *c, const AstNode *a, ValueType ta, const AstNode *b,
                                 ValueType tb)
{
    guint32 ca = 0, cb = 0;
    const AstNode *at = NULL;
    double v;
    if (c->failed)
        return;
    if (!money_currency(c->cx, a, &ca, &at) || !money_currency(c->cx, b, &cb, &at)) {
        cc_error(c, at, "amounts in two currencies meet in one expression: write them in one");
        return;
    }
    const AstNode *m = ca ? a : b, *o = ca ? b : a;
    ValueType to = ca ? tb : ta;
    char bm[64], bo[64];
    if ((ca || cb) && o->kind == N_IDENT && strcmp(o->name, "amount_orig") == 0) {
        cc_error(c, m,
                 "'%s' is converted into the reporting currency, but amount_orig is in each "
                 "row's own: compare amount with it, or amount_orig with a plain number",
                 node_text(c, m, bm, sizeof bm));
        return;
    }
    if ((!ca && !cb) || to == TY_MONEY || const_value(c->cx, o, &v))
        return;
    cc_error(c, o, "'%s' is an amount of money, compared with '%s', %s %s",
             node_text(c, m, bm, sizeof bm), node_text(c, o, bo, sizeof bo),
             strchr("aeiou", rule_type_word(to)[0]) ? "an" : "a", rule_type_word(to));
}

static ValueType compile_bin(Cc *c, AstNode *n)
{
    RuleOp op = bin_op(n->op);
    if (op >= OP_EQ) {
        ValueType ta = peek_type(c, n->a), tb = peek_type(c, n->b);
        if (rule_type_is_enum(ta) || !rule_type_is_enum(tb)) {
            ta = compile(c, n->a);
            tb = compile_as(c, n->b, ta);
        } else {
            ta = compile_as(c, n->a, tb);
            tb = compile(c, n->b);
        }
        check_comparable(c, n->a, ta, n->b, tb);
        check_money_compared(c, n->a, ta, n->b, tb);
        emit(c, op, 0, 0);
        return TY_BOOL;
    }
    ValueType ta = compile(c, n->a);
    ValueType tb = compile(c, n->b);
    emit(c, op, 0, 0);
    fold_constants(c);
    return arith_type(op, ta, tb);
}

static ValueType compile_logic(Cc *c, AstNode *n)
{
    compile(c, n->a);
    guint jump = c->steps->len;
    emit(c, n->kind == N_AND ? OP_JUMP_FALSE : OP_JUMP_TRUE, 0, 0);
    compile(c, n->b);
    g_array_index(c->steps, RuleStep, jump).a = (gint32)c->steps->len;
    c->fence = c->steps->len; /* a jump lands here: no folding across it */
    return TY_BOOL;
}

static ValueType compile_in_list(Cc *c, AstNode *n)
{
    ValueType ta = compile(c, n->a);
    int index = -1;
    RuleList *l = rule_list_find(c->cx->rs, n->name, &index);
    if (!l) {
        RuleSuggest s;
        rule_suggest_init(&s, n->name);
        for (guint i = 0; i < c->cx->rs->lists->len; i++) {
            RuleList *other = g_ptr_array_index(c->cx->rs->lists, i);
            rule_suggest_try(&s, other->anonymous ? NULL : other->name);
        }
        g_autofree char *hint = rule_suggest_text(&s);
        cc_error(c, n, "unknown list '%s'%s", n->name, hint);
        return TY_BOOL;
    }
    if (l->kind != ta)
        cc_error(c, n, "list '%s' holds %s values but is compared with a %s", n->name,
                 rule_type_word(l->kind), rule_type_word(ta));
    l->used = TRUE;
    emit(c, OP_IN_LIST, index, 0);
    if (n->negate)
        emit(c, OP_NOT, 0, 0);
    return TY_BOOL;
}

static ValueType compile_in_set(Cc *c, AstNode *n)
{
    ValueType ta = compile(c, n->a);
    RuleList *l = rule_list_new_anonymous(c->cx->rs, ta, c->cx->file, n->line, n->col);
    if (!l) {
        cc_error(c, n,
                 "a {set} needs a channel, mcc, country, currency, weekday, hour or account on the "
                 "left, not a %s",
                 rule_type_word(ta));
        return TY_BOOL;
    }
    for (guint i = 0; i < n->items->len; i++) {
        AstNode *item = g_ptr_array_index(n->items, i);
        double v;
        if (ta == TY_ACCOUNT) /* any id: the set numbers the accounts it names */
            rule_list_add(l, rule_set_account_id(c->cx->rs, item->name));
        else if (!rule_enum_value(ta, item->name, &v) || !rule_list_add(l, v))
            cc_error(c, item, "'%s' is not a %s", item->name, rule_type_word(ta));
    }
    emit(c, OP_IN_LIST, (gint32)c->cx->rs->lists->len - 1, 0);
    if (n->negate)
        emit(c, OP_NOT, 0, 0);
    return TY_BOOL;
}

static ValueType compile_in_range(Cc *c, AstNode *n)
{
    ValueType ta = compile(c, n->a);
    ValueType tlo = compile_as(c, n->lo, ta);
    check_comparable(c, n->a, ta, n->lo, tlo);
    check_money_compared(c, n->a, ta, n->lo, tlo);
    ValueType thi = compile_as(c, n->hi, ta);
    check_comparable(c, n->a, ta, n->hi, thi);
    check_money_compared(c, n->a, ta, n->hi, thi);
    emit(c, OP_IN_RANGE, (n->lo_closed ? 1 : 0) | (n->hi_closed ? 2 : 0), 0);
    if (n->negate)
        emit(c, OP_NOT, 0, 0);
    return TY_BOOL;
}

/* `memo contains "x"` and the other text tests: the test is kept once in
 * the set's texts (the planner compiles a filter again for each shape) and
 * run by OP_TEXT on the row's folded memo. 'where' and 'alert if' see the
 * arriving row's memo; an aggregate's condition sees it only through its
 * entry flag, worked out as each row arrives (the planner checks that): a
 * window entry keeps no text. */
static ValueType compile_text(Cc *c, AstNode *n)
{
    RuleTextOp op = (RuleTextOp)n->num;
    if (n->a->kind != N_IDENT || strcmp(n->a->name, "memo") != 0) {
        cc_error(c, n->a, "'%s' tests the memo only: write 'memo %s \"...\"'",
                 rule_text_op_name(op), rule_text_op_name(op));
        return TY_BOOL;
    }
    if (c->ctx == CTX_EXPLAIN) {
        cc_error(c, n->a,
                 "the memo cannot be tested in 'explain' (test it in 'where' or "
                 "'alert if')");
        return TY_BOOL;
    }
    if (!*n->b->name) {
        cc_error(c, n->b, "an empty text after '%s' is always true", rule_text_op_name(op));
        return TY_BOOL;
    }
    GPtrArray *texts = c->cx->rs->texts;
    guint i = 0;
    while (i < texts->len && !(((RuleText *)texts->pdata[i])->op == op &&
                               strcmp(((RuleText *)texts->pdata[i])->src, n->b->name) == 0))
        i++;
    if (i == texts->len) {
        g_autoptr(GError) err = NULL;
        RuleText *t = rule_text_new(op, n->b->name, &err);
        if (!t) {
            cc_error(c, n->b, "'%s' is not a regular expression: %s", n->b->name, err->message);
            return TY_BOOL;
        }
        g_ptr_array_add(texts, t);
    }
    emit(c, OP_TEXT, (gint32)i, 0);
    return TY_BOOL;
}

static ValueType compile(Cc *c, AstNode *n)
{
    switch (n->kind) {
    case N_NUM:
        emit(c, OP_PUSH, 0, n->num);
        return TY_NUM;
    case N_DURATION:
        emit(c, OP_PUSH, 0, n->num);
        return TY_DURATION;
    case N_STRING:
        return compile_as(c, n, TY_NUM);
    case N_IDENT:
        return compile_name(c, n);
    case N_CALL: {
        AggCall call;
        if (!agg_lookup(n->name, &call)) {
            RuleSuggest s;
            rule_suggest_init(&s, n->name);
            for (guint k = 0; k < AGG_N_KINDS; k++)
                rule_suggest_try(&s, agg_info[k].name);
            rule_suggest_try(&s, "baseline");
            g_autofree char *hint = rule_suggest_text(&s);
            cc_error(c, n,
                     "unknown function '%s'%s (aggregates: count, sum, avg, min, max, distinct, "
                     "span, ...)",
                     n->name, hint);
            return TY_NUM;
        }
        return compile_agg(c, n, call);
    }
    case N_NEG: {
        ValueType t = compile(c, n->a);
        emit(c, OP_NEG, 0, 0);
        return t;
    }
    case N_NOT:
        compile(c, n->a);
        emit(c, OP_NOT, 0, 0);
        return TY_BOOL;
    case N_BIN:
        return compile_bin(c, n);
    case N_AND:
    case N_OR:
        return compile_logic(c, n);
    case N_IN_LIST:
        return compile_in_list(c, n);
    case N_IN_SET:
        return compile_in_set(c, n);
    case N_IN_RANGE:
        return compile_in_range(c, n);
    case N_TEXT:
        return compile_text(c, n);
    case N_MONEY:
        return compile_money(c, n);
    }
    g_assert_not_reached();
}

static gboolean compile_sub(RuleCtx *cx, AstNode *n, ExprContext ctx, RuleProgram *out)
{
    Cc c = {.cx = cx, .ctx = ctx, .steps = g_array_new(FALSE, FALSE, sizeof(RuleStep))};
    ValueType t = compile(&c, n);
    emit(&c, OP_HALT, 0, 0);
    if (!c.failed && (c.max_depth > LIMIT_VM_STACK || c.steps->len > LIMIT_PROGRAM_STEPS))
        cc_error(&c, n, "expression too large (more than %d steps or %d nested values)",
                 LIMIT_PROGRAM_STEPS, LIMIT_VM_STACK);
    if (!c.failed && (ctx == CTX_FILTER || ctx == CTX_CONDITION) && t != TY_BOOL)
        cc_error(&c, n, "this %s gives %s %s, not a condition (compare it with something)",
                 ctx == CTX_FILTER ? "filter" : "alert condition",
                 strchr("aeiou", rule_type_word(t)[0]) ? "an" : "a", rule_type_word(t));
    out->type = t;
    out->n = c.steps->len;
    out->steps = (RuleStep *)g_array_free(c.steps, FALSE);
    if (c.failed)
        rule_program_clear(out);
    return !c.failed;
}

gboolean rule_compile_expr(RuleCtx *cx, AstNode *n, ExprContext ctx, RuleProgram *out)
{
    return compile_sub(cx, n, ctx, out);
}

gboolean rule_compile_const(RuleCtx *cx, AstNode *n, double *value, ValueType *type)
{
    RuleProgram p = {0};
    if (!compile_sub(cx, n, CTX_CONST, &p))
        return FALSE;
    RuleEval ev = {.rs = cx->rs};
    *value = rule_vm_run(&p, &ev);
    *type = p.type;
    rule_program_clear(&p);
    return TRUE;
}

/* ---- lint: conditions that can never be true ---- */

typedef struct {
    char key[128];
    double lo, hi;
    gboolean lo_closed, hi_closed;
    AstNode *by; /* the test that narrowed it last: where the caret goes */
} Interval;

typedef struct {
    Cc *c;
    Interval iv[32];
    int n;
    AstNode *at; /* the member found never true */
} Lint;

static gboolean const_value(RuleCtx *cx, const AstNode *n, double *v)
{
    switch (n->kind) {
    case N_NUM:
    case N_DURATION:
        *v = n->num;
        return TRUE;
    case N_IDENT: {
        RuleConst *k = rule_const_lookup(cx, n->name);
        if (k)
            *v = k->value;
        return k != NULL;
    }
    case N_NEG:
        if (!const_value(cx, n->a, v))
            return FALSE;
        *v = -*v;
        return TRUE;
    case N_BIN: {
        double a, b;
        if (n->op > TOK_PERCENT || n->op < TOK_PLUS || !const_value(cx, n->a, &a) ||
            !const_value(cx, n->b, &b))
            return FALSE;
        RuleStep s[] = {{.op = OP_PUSH, .k = a},
                        {.op = OP_PUSH, .k = b},
                        {.op = (guint8)bin_op(n->op)},
                        {.op = OP_HALT}};
        RuleProgram p = {s, 4, TY_NUM};
        RuleEval ev = {0};
        *v = rule_vm_run(&p, &ev);
        return TRUE;
    }
    default:
        return FALSE;
    }
}

gboolean rule_compile_const_value(RuleCtx *cx, const AstNode *n, double *v)
{
    return const_value(cx, n, v);
}

/* The domain of a variable: a field, count, span or an aggregate call. */
static gboolean var_domain(Cc *c, AstNode *n, Interval *iv)
{
    AggCall call;
    iv->lo = -INFINITY;
    iv->hi = INFINITY;
    iv->lo_closed = iv->hi_closed = TRUE;
    if (n->kind == N_IDENT) {
        int f = rule_field_lookup(n->name);
        if (f >= 0) {
            rule_field_domain((FieldId)f, &iv->lo, &iv->hi);
        } else if (strcmp(n->name, "count") == 0) {
            iv->lo = 1;
        } else if (strcmp(n->name, "span") == 0) {
            iv->lo = 0;
        } else {
            return FALSE;
        }
    } else if (n->kind == N_CALL && agg_lookup(n->name, &call)) {
        iv->lo = 0;
    } else {
        return FALSE;
    }
    char buf[128];
    g_strlcpy(iv->key, node_text(c, n, buf, sizeof buf), sizeof iv->key);
    return TRUE;
}

static void iv_meet(Interval *iv, double lo, gboolean loc, double hi, gboolean hic, AstNode *by)
{
    iv->by = by;
    if (lo > iv->lo || (lo == iv->lo && !loc)) {
        iv->lo = lo;
        iv->lo_closed = loc;
    }
    if (hi < iv->hi || (hi == iv->hi && !hic)) {
        iv->hi = hi;
        iv->hi_closed = hic;
    }
}

static gboolean iv_empty(const Interval *iv)
{
    return iv->lo > iv->hi || (iv->lo == iv->hi && !(iv->lo_closed && iv->hi_closed));
}

static Interval *lint_var(Lint *L, AstNode *var)
{
    Interval d;
    if (!var_domain(L->c, var, &d))
        return NULL;
    for (int i = 0; i < L->n; i++) {
        if (strcmp(L->iv[i].key, d.key) == 0)
            return &L->iv[i];
    }
    if (L->n == (int)G_N_ELEMENTS(L->iv))
        return NULL;
    L->iv[L->n] = d;
    return &L->iv[L->n++];
}

static void lint_cmp(Lint *L, AstNode *n)
{
    double v;
    AstNode *var = n->a;
    TokKind op = n->op;
    if (!const_value(L->c->cx, n->b, &v)) {
        if (!const_value(L->c->cx, n->a, &v))
            return;
        var = n->b;
        op = op == TOK_LT   ? TOK_GT
             : op == TOK_GT ? TOK_LT
             : op == TOK_LE ? TOK_GE
             : op == TOK_GE ? TOK_LE
                            : op;
    }
    Interval *iv = lint_var(L, var);
    if (!iv)
        return;
    switch (op) {
    case TOK_LT:
        iv_meet(iv, -INFINITY, TRUE, v, FALSE, n);
        break;
    case TOK_LE:
        iv_meet(iv, -INFINITY, TRUE, v, TRUE, n);
        break;
    case TOK_GT:
        iv_meet(iv, v, FALSE, INFINITY, TRUE, n);
        break;
    case TOK_GE:
        iv_meet(iv, v, TRUE, INFINITY, TRUE, n);
        break;
    case TOK_EQ:
        iv_meet(iv, v, TRUE, v, TRUE, n);
        break;
    default:
        break;
    }
}

static gboolean never_true(Cc *c, AstNode *n, AstNode **at);

/* Gathers the constraints of an and-chain; TRUE if a member is never true. */
static gboolean lint_and(Lint *L, AstNode *n)
{
    if (n->kind == N_AND)
        return lint_and(L, n->a) || lint_and(L, n->b);
    if (n->kind == N_BIN && n->op >= TOK_EQ && n->op <= TOK_GE) {
        lint_cmp(L, n);
        return FALSE;
    }
    if (n->kind == N_IN_RANGE && !n->negate) {
        double lo, hi;
        Interval *iv;
        if (const_value(L->c->cx, n->lo, &lo) && const_value(L->c->cx, n->hi, &hi) &&
            (iv = lint_var(L, n->a)))
            iv_meet(iv, lo, n->lo_closed, hi, n->hi_closed, n);
        return FALSE;
    }
    if (n->kind == N_OR || n->kind == N_IN_LIST)
        return never_true(L->c, n, &L->at);
    return FALSE; /* anything else may be true */
}

/* TRUE if n can never be true; *at is then the part that cannot (the
 * test that emptied a range, or n itself). */
static gboolean never_true(Cc *c, AstNode *n, AstNode **at)
{
    AstNode *ignored;
    *at = n;
    if (n->kind == N_OR)
        return never_true(c, n->a, &ignored) && never_true(c, n->b, &ignored);
    if (n->kind == N_IN_LIST && !n->negate) {
        int index;
        RuleList *l = rule_list_find(c->cx->rs, n->name, &index);
        return l && l->values->len == 0;
    }
    gboolean cmp = n->kind == N_BIN && n->op >= TOK_EQ && n->op <= TOK_GE;
    if (n->kind != N_AND && !cmp && n->kind != N_IN_RANGE)
        return FALSE;
    Lint L = {.c = c};
    if (lint_and(&L, n)) {
        *at = L.at;
        return TRUE;
    }
    for (int i = 0; i < L.n; i++) {
        if (iv_empty(&L.iv[i])) {
            *at = L.iv[i].by ? L.iv[i].by : n;
            return TRUE;
        }
    }
    return FALSE;
}

void rule_lint_never_true(RuleCtx *cx, AstNode *n, const char *clause)
{
    Cc c = {.cx = cx};
    AstNode *at;
    if (never_true(&c, n, &at)) {
        char buf[160];
        cc_error(&c, at, "the condition of '%s' can never be true: %s", clause,
                 node_text(&c, n, buf, sizeof buf));
    }
}

/* Renames node.X to account.X in n's tree, in place; reports (and returns
 * FALSE for) a node field that is no fixed account field, and any field of
 * the transaction, which a node of a pattern does not have. */
static gboolean node_fields(RuleCtx *cx, AstNode *n)
{
    if (!n)
        return TRUE;
    gboolean ok = TRUE;
    if (n->kind == N_IDENT && g_str_has_prefix(n->name, "node.")) {
        g_autofree char *acc = g_strconcat("account.", n->name + 5, NULL);
        int f = rule_field_lookup(acc);
        if (f < 0 || !rule_field_is_fixed((FieldId)f)) {
            rule_ctx_error(cx, n->line, n->col,
                           "'%s' is no field of a node (node.kind, node.known, node.mcc, "
                           "node.country and the other fixed account fields)",
                           n->name);
            return FALSE;
        }
        n->name = g_strdup(acc);
        g_ptr_array_add(cx->strings, n->name);
    } else if ((n->kind == N_IDENT && rule_field_lookup(n->name) >= 0) || n->kind == N_TEXT) {
        if (n->kind == N_TEXT)
            n = n->a;
        rule_ctx_error(cx, n->line, n->col, "a node predicate reads node.X fields only, found '%s'",
                       n->name);
        return FALSE;
    }
    ok = node_fields(cx, n->a) && ok;
    ok = node_fields(cx, n->b) && ok;
    ok = node_fields(cx, n->lo) && ok;
    ok = node_fields(cx, n->hi) && ok;
    for (guint i = 0; n->items && i < n->items->len; i++)
        ok = node_fields(cx, g_ptr_array_index(n->items, i)) && ok;
    return ok;
}

gboolean rule_compile_node_predicate(RuleCtx *cx, AstNode *n, RuleProgram *out)
{
    if (!node_fields(cx, n))
        return FALSE;
    return rule_compile_expr(cx, n, CTX_FILTER, out);
}
