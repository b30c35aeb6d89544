/* rule_vm.c: the interpreter of compiled rule programs.
 *
 * A program is a flat array of steps over a small stack of doubles, run by
 * one switch. Money enters as the amount in currency units (minor units
 * divided by the currency's power of ten), which is exact for every amount
 * below 2^53 minor units (every amount decode accepts, LIMIT_AMOUNT_MINOR);
 * sums are accumulated in int64 by the engine before they are pushed, and
 * an aggregate compared with a number (AGG_CMP) is compared on its exact
 * minor units when the engine gives them (RuleEval.exact), so a sum past
 * 2^53 minor units meets its threshold exactly. Arithmetic on money (a
 * sum times 2, an average) is a double. Nothing is allocated; programs are verified at compile
 * time not to overflow the stack (LIMIT_VM_STACK). */
#include "rule/rule.h"
#include "rule/rule_text.h"

#include "read/fx.h"
#include "read/kyc.h"
#include "base/money.h"
#include "base/tstamp.h"

#include <math.h>

/* Is the local time of t within the declared opening hours? Unknown hours: yes. */
static double open_now(const KycRecord *k, const TxnCore *t)
{
    if (k->open_min < 0 || k->close_min < 0)
        return 1;
    int m = tstamp_local_minute(t->ts, txn_offset_min(t));
    if (k->open_min <= k->close_min)
        return m >= k->open_min && m < k->close_min;
    return m >= k->open_min || m < k->close_min;
}

/* The local day of t, days since 1970-01-01. */
static double local_day(const TxnCore *t)
{
    return (double)tstamp_local_day(t->ts, txn_offset_min(t));
}

static double kyc_field(FieldId f, const TxnCore *t, const KycRecord *k)
{
    switch (f) {
    case FIELD_ACC_KNOWN:
        return k->known;
    case FIELD_ACC_KIND:
        return k->kind;
    case FIELD_ACC_AGE:
        return k->birth_day == G_MININT32 ? -1 : floor((local_day(t) - k->birth_day) / 365.2425);
    case FIELD_ACC_INCOME:
        return k->income < 0 ? -1 : (double)k->income / 100.0;
    case FIELD_ACC_MCC:
        return k->business_mcc;
    case FIELD_ACC_COUNTRY:
        return k->country;
    case FIELD_ACC_REGION:
        return k->region;
    case FIELD_ACC_CITY:
        return k->city;
    case FIELD_ACC_OCCUPATION:
        return k->occupation;
    case FIELD_ACC_OPEN_NOW:
        return open_now(k, t);
    case FIELD_ACC_EMPLOYEES:
        return k->employees;
    case FIELD_ACC_SHARED_PHONE:
        return k->shared_phone;
    case FIELD_ACC_SHARED_EMAIL:
        return k->shared_email;
    case FIELD_ACC_SHARED_ADDRESS:
        return k->shared_address;
    case FIELD_ACC_OPENED_DAYS:
        return k->opened_day == G_MININT32 ? -1 : local_day(t) - k->opened_day;
    default:
        g_assert_not_reached();
    }
}

/* The fields a transaction carries itself, the commonest in filters: into
 * *v, FALSE for any other field. Inline, so the interpreter reads them
 * without a call. */
static inline gboolean own_field(FieldId f, const TxnCore *t, guint32 account, double *v)
{
    switch (f) {
    case FIELD_AMOUNT:
        *v = (double)t->amount / money_scale(t->currency_exp);
        return TRUE;
    case FIELD_CHANNEL:
        *v = t->channel;
        return TRUE;
    case FIELD_MCC:
        *v = t->mcc;
        return TRUE;
    case FIELD_COUNTRY:
        *v = t->country;
        return TRUE;
    case FIELD_DIRECTION:
        *v = t->to == account ? 1 : 2;
        return TRUE;
    default:
        return FALSE;
    }
}

double rule_vm_field(FieldId f, const TxnCore *t, guint32 account, const Kyc *kyc)
{
    double v;
    if (own_field(f, t, account, &v))
        return v;
    guint32 other = t->from == account ? t->to : t->from;
    switch (f) {
    case FIELD_HOUR:
        return tstamp_local_hour(t->ts, txn_offset_min(t));
    case FIELD_WEEKDAY:
        return tstamp_local_dow(t->ts, txn_offset_min(t));
    case FIELD_CURRENCY:
        return txn_currency_orig(t);
    case FIELD_AMOUNT_ORIG:
        return (double)txn_amount_orig(t) / money_scale(txn_exp_orig(t));
    case FIELD_LOCATION:
        return t->location;
    case FIELD_ACCOUNT:
        return account;
    case FIELD_COUNTERPARTY:
        return other;
    case FIELD_DAY:
        return local_day(t);
    case FIELD_WEEK: /* weeks start on Monday */
        return (double)tstamp_local_week(t->ts, txn_offset_min(t));
    case FIELD_CP_KNOWN:
        return kyc_get(kyc, other)->known;
    case FIELD_CP_KIND:
        return kyc_get(kyc, other)->kind;
    case FIELD_CP_REGION:
        return kyc_get(kyc, other)->region;
    case FIELD_CP_SAME_CUSTOMER:
        return other && kyc_get(kyc, other)->known &&
               kyc_get(kyc, other)->customer == kyc_get(kyc, account)->customer;
    case FIELD_COUNT:
        g_assert_not_reached();
    default:
        return kyc_field(f, t, kyc_get(kyc, account));
    }
}

gint64 rule_list_key(ValueType kind, double v)
{
    gint64 iv = rule_to_int(v);
    if (iv < 0 || iv > G_MAXUINT32)
        return -1;
    guint32 c = (guint32)iv;
    switch (kind) {
    case TY_COUNTRY: {
        int a = (int)((c >> 8) & 0xff) - 'A', b = (int)(c & 0xff) - 'A';
        return (a < 0 || a > 25 || b < 0 || b > 25) ? -1 : a * 26 + b;
    }
    case TY_CURRENCY: {
        int a = (int)((c >> 16) & 0xff) - 'A', b = (int)((c >> 8) & 0xff) - 'A';
        int d = (int)(c & 0xff) - 'A';
        if (a < 0 || a > 25 || b < 0 || b > 25 || d < 0 || d > 25)
            return -1;
        return (a * 26 + b) * 26 + d;
    }
    default:
        return (gint64)c;
    }
}

gboolean rule_list_contains(const RuleList *l, double v)
{
    gint64 k = rule_list_key(l->kind, v);
    if (k < 0 || k >= l->nbits)
        return FALSE;
    return (l->bits[k >> 3] >> (k & 7)) & 1;
}

/* The hold column of RULE_FIELD_LIST, at hand for the interpreter. */
static const guint8 field_hold[] = {
#define X(id, name, ty, lo, hi, hold) hold,
    RULE_FIELD_LIST(X)
#undef X
};

/* Whole days from a to b (b >= a), 0 when b < a (a late row). */
static double days_between(gint64 a, gint64 b)
{
    return b > a ? (double)((b - a) / 86400) : 0;
}

/* A history field of the current row, seen from ev->account. Without a
 * history (ev->hist NULL: a rule set read in no scan) every account is
 * new: counts and days are 0, first_seen -1. */
static double history_field(FieldId f, const RuleEval *ev)
{
    const TxnCore *t = ev->txn;
    const RuleHistory *h = ev->hist;
    gboolean pair = t->from && t->to && t->from != t->to;
    if (!h)
        return f == FIELD_CP_FIRST_SEEN ? -1 : f == FIELD_CP_IS_NEW ? pair : 0;
    const RuleHistoryAccount *a = &h->acc[ev->account == t->to && t->from != t->to];
    switch (f) {
    case FIELD_ACC_DAYS_DORMANT:
        return days_between(a->n ? a->last_ts : h->since, t->ts);
    case FIELD_ACC_TENURE:
        return a->n ? days_between(a->first_ts, t->ts) : 0;
    case FIELD_ACC_TRANSACTIONS:
        return a->n;
    case FIELD_ACC_SENDERS:
        return a->cp_in;
    case FIELD_ACC_PAYEES:
        return a->cp_out;
    case FIELD_ACC_REC_SENDERS:
        return a->rec_in;
    case FIELD_ACC_REC_PAYEES:
        return a->rec_out;
    case FIELD_DATA_DAYS:
        return days_between(h->since, t->ts);
    case FIELD_CP_IS_NEW:
        return pair && h->paid[0] + h->paid[1] == 0;
    case FIELD_CP_PAID_BEFORE:
        return pair ? h->paid[0] : 0;
    case FIELD_CP_PAID_BACK:
        return pair ? h->paid[1] : 0;
    case FIELD_CP_FIRST_SEEN:
        return pair && h->paid[0] + h->paid[1] ? days_between(h->pair_first, t->ts) : -1;
    default:
        g_assert_not_reached();
    }
}

/* A field of the current transaction: its own fields inline, history
 * from ev->hist, the rest through rule_vm_field. */
static inline double vm_field(FieldId f, const RuleEval *ev)
{
    double v;
    if (own_field(f, ev->txn, ev->account, &v))
        return v;
    if (field_hold[f] == FIELD_HISTORY)
        return history_field(f, ev);
    return rule_vm_field(f, ev->txn, ev->account, ev->kyc);
}

/* rule_list_contains, with the lists keyed by the value itself (all but
 * countries and currencies) tested inline. */
static inline gboolean vm_list_has(const RuleList *l, double v)
{
    if (l->kind != TY_COUNTRY && l->kind != TY_CURRENCY && v >= 0 && v < (double)l->nbits) {
        gint64 k = (gint64)v;
        return (l->bits[k >> 3] >> (k & 7)) & 1;
    }
    return rule_list_contains(l, v);
}

/* Aggregate i of the window: computed on demand, given, or 0. */
static inline double vm_agg(const RuleEval *ev, gint32 i)
{
    return ev->agg_fn ? ev->agg_fn(ev->agg_ctx, (guint)i) : ev->aggs ? ev->aggs[i] : 0;
}

/* rule_vm_compare, inline in the interpreter's loop. */
static inline double vm_compare(RuleOp op, double a, double b)
{
    switch (op) {
    case OP_EQ:
        return a == b;
    case OP_NE:
        return a != b;
    case OP_LT:
        return a < b;
    case OP_LE:
        return a <= b;
    case OP_GT:
        return a > b;
    default:
        return a >= b;
    }
}

double rule_vm_compare(RuleOp op, double a, double b)
{
    return vm_compare(op, a, b);
}

double rule_vm_compare_money(RuleOp op, gint64 minor, int exp, double k)
{
    return vm_compare(op, money_cmp(minor, exp, k), 0);
}

/* Aggregate i compared with k: exactly when its minor units are known. */
static inline double vm_agg_compare(const RuleEval *ev, gint32 i, RuleOp op, double k)
{
    double v = vm_agg(ev, i);
    gint64 x = ev->exact ? ev->exact[i] : MONEY_INEXACT;
    if (x == MONEY_INEXACT || k != k)
        return vm_compare(op, v, k);
    return rule_vm_compare_money(op, x, ev->txn->currency_exp, k);
}

/* A threshold of currency code at the row's date in the reporting
 * currency; as written without rates, or outside a row (typologies). */
static double vm_fx(const RuleEval *ev, double v, guint32 code)
{
    const Fx *fx = ev->rs ? ev->rs->fx : NULL;
    if (!fx || !ev->txn || code == fx_reporting(fx))
        return v;
    return fx_convert_value(fx, v, code, ev->txn->ts);
}

double rule_vm_run(const RuleProgram *p, const RuleEval *ev)
{
    double st[LIMIT_VM_STACK];
    int sp = -1;
    if (p->n == 0)
        return 1;
    for (guint pc = 0;; pc++) {
        const RuleStep *s = &p->steps[pc];
        switch ((RuleOp)s->op) {
        case OP_PUSH:
            st[++sp] = s->k;
            break;
        case OP_FIELD:
            st[++sp] = vm_field((FieldId)s->a, ev);
            break;
        case OP_AGG:
            st[++sp] = vm_agg(ev, s->a);
            break;
        case OP_AGG_CMP:
            st[++sp] = vm_agg_compare(ev, s->a, (RuleOp)s->b, s->k);
            break;
        case OP_ADD:
            sp--;
            st[sp] += st[sp + 1];
            break;
        case OP_SUB:
            sp--;
            st[sp] -= st[sp + 1];
            break;
        case OP_MUL:
            sp--;
            st[sp] *= st[sp + 1];
            break;
        case OP_DIV:
            sp--;
            st[sp] = st[sp + 1] == 0 ? 0 : st[sp] / st[sp + 1];
            break;
        case OP_MOD:
            sp--;
            st[sp] = st[sp + 1] == 0 ? 0 : fmod(st[sp], st[sp + 1]);
            break;
        case OP_NEG:
            st[sp] = -st[sp];
            break;
        case OP_FX:
            st[sp] = vm_fx(ev, st[sp], (guint32)s->a);
            break;
        case OP_EQ:
            sp--;
            st[sp] = st[sp] == st[sp + 1];
            break;
        case OP_NE:
            sp--;
            st[sp] = st[sp] != st[sp + 1];
            break;
        case OP_LT:
            sp--;
            st[sp] = st[sp] < st[sp + 1];
            break;
        case OP_LE:
            sp--;
            st[sp] = st[sp] <= st[sp + 1];
            break;
        case OP_GT:
            sp--;
            st[sp] = st[sp] > st[sp + 1];
            break;
        case OP_GE:
            sp--;
            st[sp] = st[sp] >= st[sp + 1];
            break;
        case OP_NOT:
            st[sp] = st[sp] == 0;
            break;
        case OP_JUMP_FALSE:
            if (st[sp] == 0)
                pc = (guint)s->a - 1;
            else
                sp--;
            break;
        case OP_JUMP_TRUE:
            if (st[sp] != 0)
                pc = (guint)s->a - 1;
            else
                sp--;
            break;
        case OP_IN_LIST:
            st[sp] = vm_list_has(g_ptr_array_index(ev->rs->lists, s->a), st[sp]);
            break;
        case OP_IN_RANGE: {
            double hi = st[sp], lo = st[sp - 1], x = st[sp - 2];
            gboolean ok = ((s->a & 1) ? x >= lo : x > lo) && ((s->a & 2) ? x <= hi : x < hi);
            sp -= 2;
            st[sp] = ok;
            break;
        }
        case OP_FIELD_CMP:
            st[++sp] = vm_compare((RuleOp)s->a, vm_field((FieldId)s->b, ev), s->k);
            break;
        case OP_FIELD_IN_LIST:
            st[++sp] =
                vm_list_has(g_ptr_array_index(ev->rs->lists, s->a), vm_field((FieldId)s->b, ev));
            break;
        case OP_TEXT:
            st[++sp] = rule_text_test(g_ptr_array_index(ev->rs->texts, s->a), ev->memo);
            break;
        case OP_HALT:
            return st[sp];
        case OP_COUNT:
            g_assert_not_reached();
        }
    }
}

/* The comparisons OP_EQ .. OP_GE as written. */
static const char *const cmp_sym[] = {"==", "!=", "<", "<=", ">", ">="};

static const char *const op_names[] = {
#define X(id, doc) #id,
    RULE_OP_LIST(X)
#undef X
};

void rule_vm_disassemble(const RuleProgram *p, const RuleSet *rs, const Rule *r, GString *out)
{
    for (guint i = 0; i < p->n; i++) {
        const RuleStep *s = &p->steps[i];
        g_string_append_printf(out, "    %3u  %-13s", i, op_names[s->op]);
        switch ((RuleOp)s->op) {
        case OP_PUSH:
            g_string_append_printf(out, " %g", s->k);
            break;
        case OP_FIELD:
            g_string_append_printf(out, " %s", rule_field_name((FieldId)s->a));
            break;
        case OP_AGG:
            g_string_append_printf(out, " %s", g_array_index(r->aggs, RuleAgg, s->a).text);
            break;
        case OP_JUMP_FALSE:
        case OP_JUMP_TRUE:
            g_string_append_printf(out, " -> %d", s->a);
            break;
        case OP_IN_LIST: {
            const RuleList *l = g_ptr_array_index(rs->lists, s->a);
            g_string_append_printf(out, " %s", l->name);
            break;
        }
        case OP_IN_RANGE:
            g_string_append_printf(out, " %c lo, hi %c", (s->a & 1) ? '[' : '(',
                                   (s->a & 2) ? ']' : ')');
            break;
        case OP_FIELD_CMP: {
            g_string_append_printf(out, " %s %s %g", rule_field_name((FieldId)s->b),
                                   cmp_sym[s->a - OP_EQ], s->k);
            break;
        }
        case OP_FIELD_IN_LIST: {
            const RuleList *l = g_ptr_array_index(rs->lists, s->a);
            g_string_append_printf(out, " %s in %s", rule_field_name((FieldId)s->b), l->name);
            break;
        }
        case OP_FX: {
            char code[4];
            txn_unpack_code((guint32)s->a, code);
            g_string_append_printf(out, " %s", code);
            break;
        }
        case OP_TEXT: {
            const RuleText *t = g_ptr_array_index(rs->texts, s->a);
            g_string_append_printf(out, " memo %s \"%s\"", rule_text_op_name(t->op), t->src);
            break;
        }
        case OP_AGG_CMP: {
            g_string_append_printf(out, " %s %s %g", g_array_index(r->aggs, RuleAgg, s->a).text,
                                   cmp_sym[s->b - OP_EQ], s->k);
            break;
        }
        default:
            break;
        }
        g_string_append_c(out, '\n');
    }
}
