/* render.h: test helper: a transaction as one line of text, and a whole
 * input read into text (rows, rejects, the final error), so that tests
 * compare against strings a person can check by hand. */
#ifndef MT_TEST_RENDER_H
#define MT_TEST_RENDER_H

#include <stdio.h>

#include "read/input.h"
#include "base/money.h"
#include "base/tstamp.h"

/* "LINE: TX_ID TS OFFSET FROM>TO AMOUNT CUR CHANNEL [mcc=] [country=]
 * [loc=] [memo=] [label=...]" */
static inline void render_txn(GString *out, const Txn *t, const Intern *acc, const Intern *loc)
{
    char ts[32], amount[32], cur[4], country[4];
    const TxnCore *c = &t->core;
    txn_unpack_code(c->currency, cur);
    txn_unpack_code(c->country, country);
    g_string_append_printf(out, "%" G_GUINT64_FORMAT ": %.*s %s %+d %s>%s %s %s %s", t->line,
                           (int)t->tx_id.len, t->tx_id.ptr, tstamp_format_utc(c->ts, ts),
                           c->utc_offset, intern_str(acc, c->from), intern_str(acc, c->to),
                           money_format(c->amount, c->currency_exp, amount), cur,
                           txn_channel_name(c->channel));
    if (c->mcc != TXN_MCC_NONE)
        g_string_append_printf(out, " mcc=%04u", c->mcc);
    if (c->country)
        g_string_append_printf(out, " country=%s", country);
    if (c->location)
        g_string_append_printf(out, " loc=%s", intern_str(loc, c->location));
    if (t->memo.len)
        g_string_append_printf(out, " memo=%.*s", (int)t->memo.len, t->memo.ptr);
    for (guint i = 0; i < t->n_labels; i++)
        g_string_append_printf(out, " label=%.*s", (int)t->labels[i].len, t->labels[i].ptr);
    g_string_append_c(out, '\n');
}

/* What reading some files gave: rows rendered one a line, the rejects
 * file's text, the error of a failed source (NULL if none) and stats. */
typedef struct {
    char *rows;
    char *rejects;
    char *error;
    char *profiles; /* profile per source, space separated */
    InputStats stats;
} RenderResult;

static inline void render_result_clear(RenderResult *r)
{
    g_free(r->rows);
    g_free(r->rejects);
    g_free(r->error);
    g_free(r->profiles);
}

static inline void render_input(const char *const *paths, guint n, const char *format,
                                gint64 max_lateness, RenderResult *r)
{
    g_autoptr(Intern) acc = intern_new();
    g_autoptr(Intern) loc = intern_new();
    char *rej_text = NULL;
    size_t rej_len = 0;
    FILE *rejects = open_memstream(&rej_text, &rej_len);
    InputOptions opts = {.format = format, .max_lateness = max_lateness, .rejects = rejects};
    g_autoptr(GError) error = NULL;
    GString *rows = g_string_new(NULL);
    GString *profiles = g_string_new(NULL);
    Input *in = input_open(paths, n, &opts, acc, loc, &error);
    Txn t;
    InputStatus st = in ? INPUT_ROW : INPUT_ERROR;
    while (in && (st = input_next(in, &t, &error)) == INPUT_ROW)
        render_txn(rows, &t, acc, loc);
    for (guint i = 0; in && i < n; i++)
        g_string_append_printf(profiles, "%s%s", i ? " " : "",
                               input_profile_name(in, i) ? input_profile_name(in, i) : "-");
    memset(&r->stats, 0, sizeof r->stats);
    if (in)
        input_stats(in, &r->stats);
    input_free(in);
    fclose(rejects);
    r->rows = g_string_free(rows, FALSE);
    r->profiles = g_string_free(profiles, FALSE);
    r->rejects = rej_text;
    r->error = st == INPUT_ERROR ? g_strdup(error->message) : NULL;
}

#endif
