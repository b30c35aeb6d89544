/* rule_example.c: reads the rows and expectations of rule examples.
 *
 *   2024-03-01 09:10  cash_deposit  -> A  9500.00
 *   2024-03-02 23:30+01:00  card  A -> M1  24.00  mcc=7311 location=Berlin
 *   expect alert on A
 *   expect 2 alerts on A evidence r1 r2 r3
 *   expect alert on V role victim
 *   expect no alert
 *
 * A row is: date, time (UTC unless an offset follows), channel, the sender
 * (may be left out), "->", the receiver (may be left out), the amount, an
 * optional currency (EUR by default), then key=value pairs: id, mcc,
 * country, location, memo. Rows get the ids r1, r2, ... unless id= is given.
 *
 *   account A  kind=business  business_mcc=7297  opening_hours=09:00-18:00
 *
 * puts account A in the example's accounts (KYC) table; the keys are the
 * columns of the accounts CSV (kyc.h). */
#include "rule/rule_ast.h"

#include <stdlib.h>
#include <string.h>

#include "base/money.h"
#include "base/tstamp.h"

#define MAX_WORDS 32

typedef struct {
    const char *s;
    gsize n;
    int col; /* 1-based */
} Word;

static int split_words(const char *text, gsize len, Word *w)
{
    int n = 0;
    gsize i = 0;
    while (i < len && n < MAX_WORDS) {
        while (i < len && g_ascii_isspace(text[i]))
            i++;
        if (i >= len)
            break;
        gsize start = i;
        gboolean quoted = FALSE;
        while (i < len && (quoted || !g_ascii_isspace(text[i]))) {
            if (text[i] == '"')
                quoted = !quoted;
            i++;
        }
        w[n++] = (Word){text + start, i - start, (int)start + 1};
    }
    return n;
}

static gboolean word_is(const Word *w, const char *s)
{
    return strlen(s) == w->n && memcmp(w->s, s, w->n) == 0;
}

static char *word_dup(const Word *w)
{
    gsize n = w->n;
    const char *s = w->s;
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    return g_strndup(s, n);
}

static gboolean fail(char **err, int *col, const Word *w, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
static gboolean fail(char **err, int *col, const Word *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    *err = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    *col = w ? w->col : 1;
    return FALSE;
}

static gboolean row_time(const Word *d, const Word *t, TxnCore *core)
{
    char buf[64];
    const char *tz = "";
    gsize tn = t->n;
    gboolean has_zone = tn > 5 && (memchr(t->s + 5, '+', tn - 5) || memchr(t->s + 5, '-', tn - 5) ||
                                   t->s[tn - 1] == 'Z');
    if (!has_zone)
        tz = "Z";
    int n = g_snprintf(buf, sizeof buf, "%.*sT%.*s%s", (int)d->n, d->s, (int)t->n, t->s, tz);
    int offset;
    gboolean has_offset;
    if (n <= 0 || n >= (int)sizeof buf ||
        !tstamp_parse_iso(buf, (gsize)n, 0, &core->ts, &offset, &has_offset))
        return FALSE;
    core->utc_offset = (gint16)offset;
    return TRUE;
}

static gboolean row_key(ExampleRow *row, const Word *w, char **err, int *col)
{
    const char *eq = memchr(w->s, '=', w->n);
    gsize kn = (gsize)(eq - w->s);
    Word v = {eq + 1, w->n - kn - 1, w->col + (int)kn + 1};
    g_autofree char *val = word_dup(&v);
    gsize vn = strlen(val);
    if (kn == 2 && memcmp(w->s, "id", 2) == 0) {
        g_free(row->tx_id);
        row->tx_id = g_steal_pointer(&val);
    } else if (kn == 3 && memcmp(w->s, "mcc", 3) == 0) {
        if (vn < 1 || vn > 4 || strspn(val, "0123456789") != vn)
            return fail(err, col, &v, "mcc '%s' is not 1 to 4 digits", val);
        row->core.mcc = (guint16)atoi(val);
    } else if (kn == 7 && memcmp(w->s, "country", 7) == 0) {
        row->core.country = txn_pack_code2(val, vn);
        if (!row->core.country)
            return fail(err, col, &v, "country '%s' is not a 2-letter code", val);
    } else if (kn == 8 && memcmp(w->s, "location", 8) == 0) {
        g_free(row->location);
        row->location = g_steal_pointer(&val);
    } else if (kn == 4 && memcmp(w->s, "memo", 4) == 0) {
        g_free(row->memo);
        row->memo = g_steal_pointer(&val);
    } else {
        return fail(err, col, w, "unknown key '%.*s' (use id, mcc, country, location, memo)",
                    (int)kn, w->s);
    }
    return TRUE;
}

static gboolean is_currency_word(const Word *w)
{
    return w->n == 3 && g_ascii_isupper(w->s[0]) && g_ascii_isupper(w->s[1]) &&
           g_ascii_isupper(w->s[2]);
}

/* The part after the channel: [FROM] -> [TO] AMOUNT [CUR] key=value... */
static gboolean row_parties(ExampleRow *row, Word *w, int n, char **err, int *col)
{
    int arrow = 3;
    while (arrow < n && !word_is(&w[arrow], "->"))
        arrow++;
    if (arrow == n)
        return fail(err, col, &w[n - 1], "expected '->' between sender and receiver");
    if (arrow > 4)
        return fail(err, col, &w[4], "one sender at most before '->'");
    if (arrow == 4)
        row->from = word_dup(&w[3]);
    Word plain[4];
    int np = 0;
    for (int i = arrow + 1; i < n; i++) {
        if (memchr(w[i].s, '=', w[i].n)) {
            if (!row_key(row, &w[i], err, col))
                return FALSE;
        } else if (np < 4) {
            plain[np++] = w[i];
        } else {
            return fail(err, col, &w[i], "unexpected '%.*s'", (int)w[i].n, w[i].s);
        }
    }
    const char *cur = "EUR";
    char curbuf[4];
    if (np >= 2 && is_currency_word(&plain[np - 1])) {
        memcpy(curbuf, plain[np - 1].s, 3);
        curbuf[3] = '\0';
        cur = curbuf;
        np--;
    }
    if (np < 1 || np > 2)
        return fail(err, col, &w[arrow], "expected [receiver] amount after '->'");
    if (np == 2)
        row->to = word_dup(&plain[0]);
    row->core.currency = txn_pack_code3(cur, 3);
    row->core.currency_exp = (guint8)money_currency_exp(row->core.currency);
    const Word *a = &plain[np - 1];
    MoneyStatus st = money_parse(a->s, a->n, row->core.currency_exp, '.', 0, &row->core.amount);
    if (st != MONEY_OK || row->core.amount < 0)
        return fail(err, col, a, "amount '%.*s': %s", (int)a->n, a->s,
                    st == MONEY_OK ? "negative" : money_status_str(st));
    if (!row->from && !row->to)
        return fail(err, col, &w[arrow], "a row needs a sender or a receiver");
    return TRUE;
}

gboolean rule_example_row(const char *text, gsize len, int index, ExampleRow *row, char **err,
                          int *col)
{
    Word w[MAX_WORDS];
    int n = split_words(text, len, w);
    row->core.mcc = TXN_MCC_NONE;
    if (n < 5)
        return fail(err, col, NULL,
                    "expected a row 'DATE TIME CHANNEL [FROM] -> [TO] AMOUNT' or 'expect ...'");
    if (!row_time(&w[0], &w[1], &row->core))
        return fail(err, col, &w[0], "'%.*s %.*s' is not a time like 2024-03-01 09:10", (int)w[0].n,
                    w[0].s, (int)w[1].n, w[1].s);
    Channel ch;
    if (!txn_channel_parse(w[2].s, w[2].n, &ch))
        return fail(err, col, &w[2], "unknown channel '%.*s'", (int)w[2].n, w[2].s);
    row->core.channel = (guint8)ch;
    gboolean ok = row_parties(row, w, n, err, col);
    if (!row->tx_id)
        row->tx_id = g_strdup_printf("r%d", index);
    if (!ok) {
        g_clear_pointer(&row->from, g_free);
        g_clear_pointer(&row->to, g_free);
        g_clear_pointer(&row->location, g_free);
        g_clear_pointer(&row->tx_id, g_free);
    }
    return ok;
}

/* A word of 1 to 3 digits into *out (words are not NUL-terminated). */
static gboolean small_number(const Word *w, int *out)
{
    int v = 0;
    for (gsize k = 0; k < w->n; k++) {
        if (!g_ascii_isdigit(w->s[k]))
            return FALSE;
        v = v * 10 + (w->s[k] - '0');
    }
    *out = v;
    return w->n > 0;
}

gboolean rule_example_expect(const char *text, gsize len, ExampleExpect *ex, char **err, int *col)
{
    Word w[MAX_WORDS];
    int n = split_words(text, len, w), i = 1;
    ex->count = 1;
    if (i < n && word_is(&w[i], "no")) {
        ex->count = 0;
        i++;
    } else if (i < n && w[i].n < 4 && small_number(&w[i], &ex->count)) {
        i++;
    }
    if (i >= n || !(word_is(&w[i], "alert") || word_is(&w[i], "alerts")))
        return fail(err, col, i < n ? &w[i] : NULL,
                    "expected 'expect [N|no] alert[s] [on ACCOUNT] [role R] [evidence ID...]'");
    i++;
    if (i + 1 < n && word_is(&w[i], "on")) {
        ex->account = word_dup(&w[i + 1]);
        i += 2;
    } else if (ex->count != 0) {
        return fail(err, col, i < n ? &w[i] : &w[n - 1], "expected 'on ACCOUNT'");
    }
    if (i + 1 < n && word_is(&w[i], "role")) {
        ex->role = word_dup(&w[i + 1]);
        i += 2;
    }
    if (i < n && word_is(&w[i], "evidence")) {
        ex->evidence = g_ptr_array_new_with_free_func(g_free);
        for (i++; i < n; i++)
            g_ptr_array_add(ex->evidence, word_dup(&w[i]));
    }
    if (i < n) {
        g_clear_pointer(&ex->account, g_free);
        g_clear_pointer(&ex->role, g_free);
        g_clear_pointer(&ex->evidence, g_ptr_array_unref);
        return fail(err, col, &w[i], "unexpected '%.*s'", (int)w[i].n, w[i].s);
    }
    return TRUE;
}

gboolean rule_example_account(const char *text, gsize len, ExampleAccount *acc, char **err,
                              int *col)
{
    Word w[MAX_WORDS];
    int n = split_words(text, len, w);
    if (n < 2)
        return fail(err, col, NULL, "expected 'account NAME key=value ...'");
    acc->account = word_dup(&w[1]);
    acc->keys = g_ptr_array_new_with_free_func(g_free);
    acc->values = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(acc->keys, g_strdup("account_id"));
    g_ptr_array_add(acc->values, g_strdup(acc->account));
    for (int i = 2; i < n; i++) {
        const char *eq = memchr(w[i].s, '=', w[i].n);
        if (!eq) {
            g_free(acc->account);
            g_ptr_array_unref(acc->keys);
            g_ptr_array_unref(acc->values);
            return fail(err, col, &w[i], "expected key=value, found '%.*s'", (int)w[i].n, w[i].s);
        }
        gsize kn = (gsize)(eq - w[i].s);
        Word v = {eq + 1, w[i].n - kn - 1, w[i].col + (int)kn + 1};
        g_ptr_array_add(acc->keys, g_strndup(w[i].s, kn));
        g_ptr_array_add(acc->values, word_dup(&v));
    }
    return TRUE;
}
