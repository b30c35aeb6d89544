/* rule_vm.c: the interpreter of compiled rule programs.
 *
 * A program is a flat array of steps over a small stack of doubles, run by
 * one switch. Money enters as the amount in currency units (minor units
 * divided by the currency's power of ten), which is exact for every amount
 * below 2^53 minor units; sums are accumulated in int64 by the engine before
 * they are pushed. Nothing is allocated; programs are verified at compile
 * time not to overflow the stack (LIMIT_VM_STACK). */
#include "rule.h"

#include <math.h>

static const double pow10_tab[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};

double rule_vm_field(FieldId f, const TxnCore *t, guint32 account)
{
    switch (f) {
    case FIELD_AMOUNT:
        return (double)t->amount / pow10_tab[MIN(t->currency_exp, 10)];
    case FIELD_HOUR:
        return txn_local_hour(t);
    case FIELD_WEEKDAY:
        return txn_local_dow(t);
    case FIELD_CHANNEL:
        return t->channel;
    case FIELD_MCC:
        return t->mcc;
    case FIELD_COUNTRY:
        return t->country;
    case FIELD_CURRENCY:
        return t->currency;
    case FIELD_LOCATION:
        return t->location;
    case FIELD_ACCOUNT:
        return account;
    case FIELD_COUNTERPARTY:
        return t->from == account ? t->to : t->from;
    case FIELD_COUNT:
        break;
    }
    g_assert_not_reached();
}

/* Maps a value of the list's kind to its bit; -1 when outside the space. */
static gint64 list_key(ValueType kind, double v)
{
    guint32 c = (guint32)v;
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
    gint64 k = list_key(l->kind, v);
    if (k < 0 || k >= l->nbits)
        return FALSE;
    return (l->bits[k >> 3] >> (k & 7)) & 1;
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
            st[++sp] = rule_vm_field((FieldId)s->a, ev->txn, ev->account);
            break;
        case OP_AGG:
            st[++sp] = ev->aggs ? ev->aggs[s->a] : 0;
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
            st[sp] = rule_list_contains(g_ptr_array_index(ev->rs->lists, s->a), st[sp]);
            break;
        case OP_IN_RANGE: {
            double hi = st[sp], lo = st[sp - 1], x = st[sp - 2];
            gboolean ok = ((s->a & 1) ? x >= lo : x > lo) && ((s->a & 2) ? x <= hi : x < hi);
            sp -= 2;
            st[sp] = ok;
            break;
        }
        case OP_HALT:
            return st[sp];
        case OP_COUNT:
            g_assert_not_reached();
        }
    }
}

static const char *const op_names[] = {
#define X(id, doc) #id,
    RULE_OP_LIST(X)
#undef X
};

void rule_vm_disassemble(const RuleProgram *p, const RuleSet *rs, const Rule *r, GString *out)
{
    for (guint i = 0; i < p->n; i++) {
        const RuleStep *s = &p->steps[i];
        g_string_append_printf(out, "    %3u  %-10s", i, op_names[s->op]);
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
        default:
            break;
        }
        g_string_append_c(out, '\n');
    }
}
