/* rule_parse.c: reads rule files: lists, constants and rules with their
 * clauses, expressions (into a syntax tree handed to rule_compile.c) and
 * examples (rows read as raw lines by rule_example.c).
 *
 * The grammar is documented in rules/LANGUAGE.md. Clauses
 * start with a keyword; an expression runs until a token that cannot
 * continue it, so expressions may span lines. After an error the parser
 * skips to the next clause keyword and goes on, so that one run reports
 * every error of a file. */
#include "rule/rule_iso.h"
#include "rule/rule_plan.h"
#include "rule/rule_text.h"

#include <math.h>
#include <string.h>

typedef struct {
    RuleCtx *cx;
    RuleLexer lx;
    Token tok;
    Token prev;
    /* placeholders of an explanation are parsed from a sub-lexer whose
     * positions are mapped back to the file */
    gboolean sub;
    int depth; /* nesting of the expression being read, bounded by LIMIT_EXPR_DEPTH */
    int line_base, col_base;
    gsize pos_base;
} Parser;

static const char *const clause_words[] = {
    "rule",     "list",     "const",      "version",    "source",    "family",
    "strength", "tags",     "for",        "where",      "within",    "alert",
    "explain",  "suppress", "example",    "expect",     "param",     "baseline",
    "match",    "role",     "typology",   "indicators", "half_life", "cap",
    "escalate", "victim",   "controller", "requires",   NULL,
};

/* The lifecycle clauses of a rule's header (status, author, ...). */
static const char *const lifecycle_words[] = {"status", "author", "date", "false_positives", NULL};

/* TRUE if s[0..n) is one of words (NULL-terminated). */
static gboolean in_words(const char *const *words, const char *s, gsize n)
{
    for (int i = 0; words[i]; i++) {
        if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
            return TRUE;
    }
    return FALSE;
}

static gboolean is_clause_word(const char *s, gsize n)
{
    return in_words(clause_words, s, n) || in_words(lifecycle_words, s, n);
}

static gboolean tok_is_clause(const Token *t)
{
    return t->kind == TOK_IDENT && is_clause_word(t->start, t->len);
}

static void advance(Parser *p)
{
    p->prev = p->tok;
    p->tok = rule_lex_next(&p->lx);
    if (p->sub) {
        p->tok.col += p->col_base - 1;
        p->tok.line = p->line_base;
        p->tok.pos += p->pos_base;
    }
}

static void perr(Parser *p, const Token *t, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static void perr(Parser *p, const Token *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    rule_ctx_error(p->cx, t->line, t->col, "%s", msg);
}

static void err_expected(Parser *p, const char *what)
{
    g_autofree char *d = rule_tok_describe(&p->tok);
    perr(p, &p->tok, "expected %s, found %s%s", what, d,
         p->tok.kind == TOK_ASSIGN ? " (to compare, write '==')" : "");
}

static char *tok_dup(Parser *p, const Token *t)
{
    char *s = g_strndup(t->start, t->len);
    g_ptr_array_add(p->cx->strings, s);
    return s;
}

/* Skips to the next clause keyword, after an error. */
static void recover(Parser *p)
{
    while (p->tok.kind != TOK_EOF && !tok_is_clause(&p->tok))
        advance(p);
}

static gboolean accept_kw(Parser *p, const char *kw)
{
    if (!rule_tok_is(&p->tok, kw))
        return FALSE;
    advance(p);
    return TRUE;
}

static gboolean accept(Parser *p, TokKind k)
{
    if (p->tok.kind != k)
        return FALSE;
    advance(p);
    return TRUE;
}

/* ---- expressions ---- */

static AstNode *node_new(Parser *p, NodeKind kind, const Token *t)
{
    AstNode *n = g_new0(AstNode, 1);
    g_ptr_array_add(p->cx->nodes, n);
    n->kind = kind;
    n->line = t->line;
    n->col = t->col;
    n->pos = t->pos;
    n->end = t->pos + t->len;
    return n;
}

static void node_end(Parser *p, AstNode *n)
{
    n->end = p->prev.pos + p->prev.len;
}

static AstNode *parse_or(Parser *p);
static gboolean enter(Parser *p);

static AstNode *parse_call(Parser *p, AstNode *n)
{
    n->kind = N_CALL;
    n->items = g_ptr_array_new();
    if (!accept(p, TOK_RPAREN)) {
        do {
            AstNode *arg = parse_or(p);
            if (!arg)
                return NULL;
            g_ptr_array_add(n->items, arg);
        } while (accept(p, TOK_COMMA));
        /* sum(amount where country in x): a condition on the entries */
        if (accept_kw(p, "where") && !(n->b = parse_or(p)))
            return NULL;
        if (!accept(p, TOK_RPAREN)) {
            err_expected(p, "',' or ')'");
            return NULL;
        }
    }
    node_end(p, n);
    return n;
}

/* A currency code right after a number on its line: `10000 EUR` is an
 * amount of money in that currency (N_MONEY, the code in name). */
static gboolean tok_is_code3(const Token *t)
{
    if (t->kind != TOK_IDENT || t->len != 3)
        return FALSE;
    for (int i = 0; i < 3; i++)
        if (t->start[i] < 'A' || t->start[i] > 'Z')
            return FALSE;
    return TRUE;
}

static AstNode *parse_money(Parser *p, AstNode *n)
{
    if (n->kind != N_NUM || !tok_is_code3(&p->tok) || p->tok.line != p->prev.line)
        return n;
    char *code = tok_dup(p, &p->tok);
    if (!rule_iso_currency(code)) {
        perr(p, &p->tok, "'%s' is not a currency (ISO 4217)", code);
        return NULL;
    }
    advance(p);
    n->kind = N_MONEY;
    n->name = code;
    node_end(p, n);
    return n;
}

/* A constant or parameter defined with a currency reads as that amount
 * (N_MONEY), so that every later stage sees the currency it carries. */
static AstNode *money_const(Parser *p, AstNode *n)
{
    RuleConst *k = rule_const_lookup(p->cx, n->name);
    if (!k || !k->currency)
        return n;
    char code[4];
    txn_unpack_code(k->currency, code);
    k->used = TRUE;
    n->kind = N_MONEY;
    n->num = k->value;
    n->name = g_strdup(code);
    g_ptr_array_add(p->cx->strings, n->name);
    return n;
}

static AstNode *parse_primary(Parser *p)
{
    Token t = p->tok;
    if (t.kind == TOK_NUMBER || t.kind == TOK_DURATION) {
        advance(p);
        AstNode *n = node_new(p, t.kind == TOK_NUMBER ? N_NUM : N_DURATION, &t);
        n->num = t.num;
        return parse_money(p, n);
    }
    if (t.kind == TOK_LPAREN) {
        advance(p);
        AstNode *n = parse_or(p);
        if (!n)
            return NULL;
        if (!accept(p, TOK_RPAREN)) {
            err_expected(p, "')'");
            return NULL;
        }
        n->pos = t.pos;
        n->end = p->prev.pos + p->prev.len;
        return n;
    }
    /* "baseline" is a clause, and baseline(...) an aggregate */
    gboolean call_kw =
        rule_tok_is(&t, "baseline") && p->lx.pos < p->lx.len && p->lx.src[p->lx.pos] == '(';
    if (t.kind == TOK_IDENT && (call_kw || !tok_is_clause(&t)) && !rule_tok_is(&t, "and") &&
        !rule_tok_is(&t, "or")) {
        advance(p);
        AstNode *n = node_new(p, N_IDENT, &t);
        n->name = tok_dup(p, &t);
        if (accept(p, TOK_LPAREN))
            return parse_call(p, n);
        if (p->tok.kind == TOK_DOT) { /* account.kind, counterparty.region */
            advance(p);
            if (p->tok.kind != TOK_IDENT) {
                err_expected(p, "a name after '.'");
                return NULL;
            }
            char *full = g_strdup_printf("%s.%.*s", n->name, (int)p->tok.len, p->tok.start);
            g_ptr_array_add(p->cx->strings, full);
            n->name = full;
            advance(p);
            node_end(p, n);
        }
        return money_const(p, n);
    }
    if (t.kind == TOK_STRING) {
        advance(p);
        AstNode *n = node_new(p, N_STRING, &t);
        n->name = t.text;
        return n;
    }
    err_expected(p, "a value");
    return NULL;
}

/* The operand of a prefix operator (unary minus, "not") read at token t,
 * which has just been accepted; the recursion is depth-guarded. */
static AstNode *prefix(Parser *p, const Token *t, NodeKind kind, AstNode *(*operand)(Parser *))
{
    AstNode *a = enter(p) ? operand(p) : NULL;
    p->depth--;
    if (!a)
        return NULL;
    AstNode *n = node_new(p, kind, t);
    n->a = a;
    node_end(p, n);
    return n;
}

static AstNode *parse_unary(Parser *p)
{
    Token t = p->tok;
    if (accept(p, TOK_MINUS))
        return prefix(p, &t, N_NEG, parse_unary);
    return parse_primary(p);
}

static AstNode *binary(Parser *p, AstNode *a, AstNode *b, NodeKind kind, TokKind op)
{
    AstNode *n = g_new0(AstNode, 1);
    g_ptr_array_add(p->cx->nodes, n);
    n->kind = kind;
    n->op = op;
    n->a = a;
    n->b = b;
    n->line = a->line;
    n->col = a->col;
    n->pos = a->pos;
    n->end = b->end;
    return n;
}

static AstNode *parse_mul(Parser *p)
{
    AstNode *a = parse_unary(p);
    while (a &&
           (p->tok.kind == TOK_STAR || p->tok.kind == TOK_SLASH || p->tok.kind == TOK_PERCENT)) {
        TokKind op = p->tok.kind;
        advance(p);
        AstNode *b = parse_unary(p);
        a = b ? binary(p, a, b, N_BIN, op) : NULL;
    }
    return a;
}

static AstNode *parse_add(Parser *p)
{
    AstNode *a = parse_mul(p);
    while (a && (p->tok.kind == TOK_PLUS || p->tok.kind == TOK_MINUS)) {
        TokKind op = p->tok.kind;
        advance(p);
        AstNode *b = parse_mul(p);
        a = b ? binary(p, a, b, N_BIN, op) : NULL;
    }
    return a;
}

static AstNode *parse_set(Parser *p, AstNode *n)
{
    n->kind = N_IN_SET;
    n->items = g_ptr_array_new();
    do {
        Token t = p->tok;
        if (t.kind != TOK_IDENT && t.kind != TOK_NUMBER) {
            err_expected(p, "a name or number in the set");
            return NULL;
        }
        advance(p);
        AstNode *item = node_new(p, t.kind == TOK_NUMBER ? N_NUM : N_IDENT, &t);
        item->num = t.num;
        item->name = tok_dup(p, &t);
        g_ptr_array_add(n->items, item);
    } while (accept(p, TOK_COMMA));
    if (!accept(p, TOK_RBRACE)) {
        err_expected(p, "',' or '}'");
        return NULL;
    }
    return n;
}

static AstNode *parse_range(Parser *p, AstNode *n)
{
    n->kind = N_IN_RANGE;
    n->lo_closed = p->tok.kind == TOK_LBRACK;
    advance(p);
    n->lo = parse_add(p);
    if (!n->lo)
        return NULL;
    if (!accept(p, TOK_COMMA)) {
        err_expected(p, "',' between the bounds of the range");
        return NULL;
    }
    n->hi = parse_add(p);
    if (!n->hi)
        return NULL;
    if (p->tok.kind != TOK_RBRACK && p->tok.kind != TOK_RPAREN) {
        err_expected(p, "']' or ')' closing the range");
        return NULL;
    }
    n->hi_closed = p->tok.kind == TOK_RBRACK;
    advance(p);
    return n;
}

/* "x in LIST", "x in {a, b}", "x in [lo, hi)", with "not in" */
static AstNode *parse_in(Parser *p, AstNode *a, gboolean negate)
{
    AstNode *n = binary(p, a, a, N_IN_LIST, TOK_EOF);
    n->b = NULL;
    n->negate = negate;
    Token t = p->tok;
    if (t.kind == TOK_IDENT) {
        advance(p);
        n->name = tok_dup(p, &t);
        n->line = t.line;
        n->col = t.col;
    } else if (accept(p, TOK_LBRACE)) {
        n = parse_set(p, n);
    } else if (t.kind == TOK_LBRACK || t.kind == TOK_LPAREN) {
        n = parse_range(p, n);
    } else {
        err_expected(p, "a list name, {set} or [range) after 'in'");
        return NULL;
    }
    if (n)
        node_end(p, n);
    return n;
}

/* "a contains "x"", "a starts_with "x"", "a matches "re"": a text test
 * (rule_text.c) at the word after a; the compiler checks that a is memo. */
static AstNode *parse_text(Parser *p, AstNode *a)
{
    int op = rule_text_op(p->tok.start, p->tok.len);
    advance(p);
    if (p->tok.kind != TOK_STRING) {
        err_expected(p, "a quoted text after the text test");
        return NULL;
    }
    Token t = p->tok;
    advance(p);
    AstNode *b = node_new(p, N_STRING, &t);
    b->name = t.text;
    AstNode *n = binary(p, a, b, N_TEXT, TOK_EOF);
    n->num = op;
    return n;
}

static gboolean is_cmp(TokKind k)
{
    return k == TOK_EQ || k == TOK_NE || k == TOK_LT || k == TOK_LE || k == TOK_GT || k == TOK_GE;
}

static AstNode *parse_cmp(Parser *p)
{
    AstNode *a = parse_add(p);
    if (!a)
        return NULL;
    if (is_cmp(p->tok.kind)) {
        TokKind op = p->tok.kind;
        advance(p);
        AstNode *b = parse_add(p);
        return b ? binary(p, a, b, N_BIN, op) : NULL;
    }
    if (accept_kw(p, "in"))
        return parse_in(p, a, FALSE);
    if (p->tok.kind == TOK_IDENT && rule_text_op(p->tok.start, p->tok.len) >= 0)
        return parse_text(p, a);
    if (rule_tok_is(&p->tok, "not")) {
        gsize save = p->lx.pos;
        Token save_tok = p->tok, save_prev = p->prev;
        advance(p);
        if (accept_kw(p, "in"))
            return parse_in(p, a, TRUE);
        rule_lex_rewind(&p->lx, save);
        p->tok = save_tok;
        p->prev = save_prev;
    }
    return a;
}

static AstNode *parse_not(Parser *p)
{
    Token t = p->tok;
    if (accept_kw(p, "not"))
        return prefix(p, &t, N_NOT, parse_not);
    return parse_cmp(p);
}

static AstNode *parse_and(Parser *p)
{
    AstNode *a = parse_not(p);
    while (a && accept_kw(p, "and")) {
        AstNode *b = parse_not(p);
        a = b ? binary(p, a, b, N_AND, TOK_EOF) : NULL;
    }
    return a;
}

/* Guards the recursion of the expression reader: FALSE (with an error)
 * when the expression nests deeper than LIMIT_EXPR_DEPTH. */
static gboolean enter(Parser *p)
{
    if (++p->depth <= LIMIT_EXPR_DEPTH)
        return TRUE;
    if (p->depth == LIMIT_EXPR_DEPTH + 1)
        perr(p, &p->tok, "expression nested more than %d levels deep", LIMIT_EXPR_DEPTH);
    return FALSE;
}

static AstNode *parse_or_inner(Parser *p);

static AstNode *parse_or(Parser *p)
{
    AstNode *n = enter(p) ? parse_or_inner(p) : NULL;
    p->depth--;
    return n;
}

static AstNode *parse_or_inner(Parser *p)
{
    AstNode *a = parse_and(p);
    while (a && accept_kw(p, "or")) {
        AstNode *b = parse_and(p);
        a = b ? binary(p, a, b, N_OR, TOK_EOF) : NULL;
    }
    return a;
}

/* Parses a whole expression that must end at a clause keyword or EOF. */
static AstNode *parse_clause_expr(Parser *p)
{
    AstNode *n = parse_or(p);
    if (n && p->tok.kind != TOK_EOF && !tok_is_clause(&p->tok)) {
        err_expected(p, "an operator or the next clause");
        return NULL;
    }
    return n;
}

/* ---- explanation templates ---- */

static const struct {
    const char *name;
    char code;
} tpl_formats[] = {{"money", 'm'}, {"pct", 'p'}, {"int", 'i'}, {"dur", 'd'}};

static void tpl_add_text(Rule *r, const char *s, gsize n)
{
    if (n == 0)
        return;
    TplPart part = {0};
    part.text = g_strndup(s, n);
    g_array_append_val(r->explain, part);
}

static gboolean tpl_placeholder(Parser *p, const Token *st, const char *s, gsize n, gsize off)
{
    RuleCtx *cx = p->cx;
    TplPart part = {0};
    gsize expr_len = n;
    const char *colon = memchr(s, ':', n);
    int col = st->col + 1 + (int)off;
    if (colon) {
        expr_len = (gsize)(colon - s);
        g_autofree char *fmt = g_strndup(colon + 1, n - expr_len - 1);
        for (gsize i = 0; i < G_N_ELEMENTS(tpl_formats); i++) {
            if (strcmp(fmt, tpl_formats[i].name) == 0)
                part.format = tpl_formats[i].code;
        }
        const char *slash = strchr(fmt, '/');
        if (!part.format && slash && slash > fmt && slash[1] && !strchr(slash + 1, '/')) {
            part.format = 'n'; /* "employer/employers": the count, then the noun it takes */
            part.text = g_steal_pointer(&fmt);
        }
        if (!part.format) {
            rule_ctx_error(cx, st->line, col + (int)expr_len + 1,
                           "unknown format '%s' (use money, pct, int, dur, or NOUN/NOUNS for a "
                           "count and its noun)",
                           fmt);
            return FALSE;
        }
    }
    Parser sp = {.cx = cx,
                 .sub = TRUE,
                 .line_base = st->line,
                 .col_base = col,
                 .pos_base = st->pos + 1 + off};
    rule_lex_init(&sp.lx, s, expr_len);
    advance(&sp);
    AstNode *e = parse_or(&sp);
    gboolean ok = e != NULL;
    if (ok && sp.tok.kind != TOK_EOF) {
        err_expected(&sp, "'}' after the value");
        ok = FALSE;
    }
    /* the tree points into the lexer's unescaped strings: compile first */
    ok = ok && rule_compile_expr(cx, e, CTX_EXPLAIN, &part.prog);
    rule_lex_clear(&sp.lx);
    if (ok) {
        g_array_append_val(cx->rule->explain, part);
        return TRUE;
    }
    g_free(part.text);
    return FALSE;
}

static void parse_explain(Parser *p, Rule *r)
{
    Token st = p->tok;
    if (st.kind != TOK_STRING) {
        err_expected(p, "a quoted sentence after 'explain'");
        return;
    }
    advance(p);
    g_free(r->explain_src);
    r->explain_src = g_strdup(st.text);
    const char *s = st.text;
    gsize n = strlen(s), lit = 0;
    for (gsize i = 0; i < n; i++) {
        if (s[i] != '{')
            continue;
        const char *close = memchr(s + i, '}', n - i);
        if (!close) {
            rule_ctx_error(p->cx, st.line, st.col + 1 + (int)i, "'{' without a closing '}'");
            return;
        }
        tpl_add_text(r, s + lit, i - lit);
        gsize e = (gsize)(close - s);
        if (!tpl_placeholder(p, &st, s + i + 1, e - i - 1, i + 1))
            return;
        i = e;
        lit = e + 1;
    }
    tpl_add_text(r, s + lit, n - lit);
}

/* ---- examples ---- */

static void parse_example(Parser *p, Rule *r)
{
    RuleExample *ex = g_new0(RuleExample, 1);
    ex->line = p->prev.line;
    ex->rows = g_array_new(FALSE, TRUE, sizeof(ExampleRow));
    ex->accounts = g_array_new(FALSE, TRUE, sizeof(ExampleAccount));
    ex->expects = g_array_new(FALSE, TRUE, sizeof(ExampleExpect));
    g_ptr_array_add(r->examples, ex);
    if (p->tok.kind != TOK_STRING) {
        err_expected(p, "a quoted name after 'example'");
        recover(p);
        return;
    }
    ex->name = g_strdup(p->tok.text);
    rule_lex_rewind(&p->lx, p->tok.pos + p->tok.len);
    const char *text;
    gsize len, pos;
    int line, col;
    while (rule_lex_raw_line(&p->lx, &text, &len, &line, &col, &pos)) {
        gsize w = 0;
        while (w < len && !g_ascii_isspace(text[w]))
            w++;
        gboolean is_expect = w == 6 && memcmp(text, "expect", 6) == 0;
        if (!is_expect && is_clause_word(text, w)) {
            rule_lex_rewind(&p->lx, pos);
            break;
        }
        g_autofree char *err = NULL;
        int ecol = 1;
        gboolean is_account = w == 7 && memcmp(text, "account", 7) == 0;
        if (is_account) {
            ExampleAccount a = {.line = line};
            if (rule_example_account(text, len, &a, &err, &ecol))
                g_array_append_val(ex->accounts, a);
        } else if (is_expect) {
            ExampleExpect e = {.line = line};
            if (rule_example_expect(text, len, &e, &err, &ecol))
                g_array_append_val(ex->expects, e);
        } else if (ex->rows->len >= LIMIT_EXAMPLE_ROWS) {
            err = g_strdup_printf("more than %d rows in one example", LIMIT_EXAMPLE_ROWS);
        } else {
            ExampleRow row = {.line = line};
            if (rule_example_row(text, len, (int)ex->rows->len + 1, &row, &err, &ecol))
                g_array_append_val(ex->rows, row);
        }
        if (err)
            rule_ctx_error(p->cx, line, col + ecol - 1, "%s", err);
    }
    if (ex->expects->len == 0)
        rule_ctx_error(p->cx, ex->line, 3, "example '%s' has no 'expect' line", ex->name);
    advance(p);
}

/* ---- rules ---- */

/* A percentage "10%" into a fraction. */
static gboolean parse_percent(Parser *p, double *out)
{
    if (p->tok.kind != TOK_NUMBER) {
        err_expected(p, "a percentage like 10%");
        return FALSE;
    }
    *out = p->tok.num / 100.0;
    advance(p);
    if (!accept(p, TOK_PERCENT)) {
        err_expected(p, "'%' after the number");
        return FALSE;
    }
    return TRUE;
}

/* A number, or the name of a param or constant standing for one (so that
 * an override or `backtest --sweep` can set it): its value in *out, and
 * in *named whether it was a name. FALSE after an error. */
static gboolean parse_number_or_name(Parser *p, const char *what, double *out, gboolean *named)
{
    *named = FALSE;
    if (p->tok.kind == TOK_NUMBER || p->tok.kind == TOK_DURATION) {
        *out = p->tok.num;
        return TRUE;
    }
    if (p->tok.kind != TOK_IDENT || tok_is_clause(&p->tok)) {
        err_expected(p, what);
        return FALSE;
    }
    g_autofree char *name = g_strndup(p->tok.start, p->tok.len);
    RuleConst *k = rule_const_lookup(p->cx, name);
    if (!k) {
        perr(p, &p->tok, "unknown param or constant '%s' (define it above with 'param %s = ...')",
             name, name);
        return FALSE;
    }
    k->used = TRUE;
    *out = k->value;
    *named = TRUE;
    return TRUE;
}

/* A whole number from lo to hi, or a param or constant holding one. */
static gboolean parse_count(Parser *p, int *out, int lo, int hi)
{
    g_autofree char *what = g_strdup_printf("a whole number from %d to %d", lo, hi);
    double v;
    gboolean named;
    Token at = p->tok;
    if (!parse_number_or_name(p, what, &v, &named))
        return FALSE;
    if (at.kind != TOK_IDENT && at.kind != TOK_NUMBER) {
        err_expected(p, what);
        return FALSE;
    }
    if (v < lo || v > hi || v != (int)v) {
        if (named)
            perr(p, &at, "expected %s, found %.15g (the value of '%.*s')", what, v, (int)at.len,
                 at.start);
        else
            err_expected(p, what);
        return FALSE;
    }
    *out = (int)v;
    advance(p);
    return TRUE;
}

/* A match option's share: "10%", or a param or constant holding the
 * fraction (0.1). */
static gboolean parse_share(Parser *p, double *out)
{
    double v;
    gboolean named;
    if (p->tok.kind == TOK_NUMBER)
        return parse_percent(p, out);
    if (!parse_number_or_name(p, "a percentage like 10% or the name of a param", &v, &named))
        return FALSE;
    if (!named || v < 0 || v > 100) {
        perr(p, &p->tok, "expected a fraction from 0 to 100 in '%.*s', found %.15g",
             (int)p->tok.len, p->tok.start, v);
        return FALSE;
    }
    *out = v;
    advance(p);
    return TRUE;
}

/* The graph patterns by the word after 'match' (RULE_MATCH_LIST). */
static const struct {
    const char *word;
    MatchSpec defaults;
} match_kinds[] = {
#define X(id, word, min_len, max_len, tolerance, k, k2, ratio, doc)                                \
    {word, {.kind = MATCH_##id, min_len, max_len, tolerance, k, k2, ratio}},
    RULE_MATCH_LIST(X)
#undef X
};

/* "a, b or c": the words of the graph patterns, for a message. */
static char *match_words(void)
{
    GString *s = g_string_new(NULL);
    for (gsize k = 0; k < G_N_ELEMENTS(match_kinds); k++) {
        const char *sep = k == 0 ? "" : k + 1 == G_N_ELEMENTS(match_kinds) ? " or " : ", ";
        g_string_append_printf(s, "%s%s", sep, match_kinds[k].word);
    }
    return g_string_free(s, FALSE);
}

/* Is the lookahead a `where` that begins a node predicate ("where
 * node.kind != business") inside a match clause, not the rule's own? */
static gboolean at_node_where(const Parser *p)
{
    if (!rule_tok_is(&p->tok, "where"))
        return FALSE;
    gsize i = p->tok.pos + p->tok.len;
    while (i < p->cx->len && (p->cx->src[i] == ' ' || p->cx->src[i] == '\t'))
        i++;
    return p->cx->len - i > 5 && memcmp(p->cx->src + i, "node.", 5) == 0;
}

/* "where node.kind != business": compiled as a filter of each account of
 * the pattern (rule_compile_node_predicate). */
static void parse_node_where(Parser *p, MatchSpec *m)
{
    advance(p);
    AstNode *e = parse_or(p);
    if (!e)
        return;
    rule_program_clear(&m->nodes);
    g_free(m->nodes_src);
    m->nodes_src = rule_text_squeeze(p->cx->src + e->pos, e->end - e->pos);
    if (rule_compile_node_predicate(p->cx, e, &m->nodes))
        rule_lint_never_true(p->cx, e, "where node");
}

/* "ordered true|false" */
static gboolean parse_ordered(Parser *p, MatchSpec *m)
{
    if (accept_kw(p, "true") || accept_kw(p, "false")) {
        m->unordered = rule_tok_is(&p->prev, "false");
        return TRUE;
    }
    err_expected(p, "true or false after 'ordered'");
    return FALSE;
}

static gboolean parse_duration(Parser *p, gint64 *out, const char *clause);

/* One option of a match clause; FALSE after an error. */
static gboolean parse_match_option(Parser *p, Rule *r)
{
    MatchSpec *m = &r->match;
    gboolean ok = TRUE;
    if (at_node_where(p)) {
        parse_node_where(p, m);
    } else if (accept_kw(p, "length")) {
        ok = parse_count(p, &m->min_len, 2, LIMIT_CYCLE_LENGTH);
        m->max_len = m->min_len;
        if (ok && accept_kw(p, "to"))
            ok = parse_count(p, &m->max_len, m->min_len, LIMIT_CYCLE_LENGTH);
    } else if (accept_kw(p, "tolerance")) {
        if (accept_kw(p, "any"))
            m->tolerance = -1;
        else
            ok = parse_share(p, &m->tolerance);
    } else if (accept_kw(p, "ratio")) {
        ok = parse_share(p, &m->ratio);
    } else if (accept_kw(p, "ordered")) {
        ok = parse_ordered(p, m);
    } else if (accept_kw(p, "max_degree")) {
        ok = parse_count(p, &m->max_degree, 1, 1000000000);
    } else if (accept_kw(p, "strangers")) {
        m->strangers = TRUE;
    } else if (accept_kw(p, "hubs")) {
        ok = parse_count(p, &m->hubs, 1, LIMIT_CYCLE_LENGTH);
    } else if (accept_kw(p, "hold")) {
        ok = parse_duration(p, &m->hold, "hold");
    } else if (accept_kw(p, "intermediaries") || accept_kw(p, "sources") ||
               accept_kw(p, "senders")) {
        ok = parse_count(p, &m->k, 1, LIMIT_GRAPH_MATCH / 2);
    } else if (accept_kw(p, "destinations")) {
        ok = parse_count(p, &m->k2, 1, LIMIT_GRAPH_MATCH / 2);
    } else {
        err_expected(p, "length, tolerance, ratio, ordered, max_degree, hubs, strangers, hold, "
                        "intermediaries, senders, sources, destinations or where node...");
        ok = FALSE;
    }
    return ok;
}

/* "match cycle length 2 to 4 tolerance 10%" and the like */
static void parse_match(Parser *p, Rule *r)
{
    gsize k = 0;
    while (k < G_N_ELEMENTS(match_kinds) && !rule_tok_is(&p->tok, match_kinds[k].word))
        k++;
    if (k == G_N_ELEMENTS(match_kinds)) {
        g_autofree char *words = match_words();
        err_expected(p, words);
        return;
    }
    advance(p);
    MatchSpec *m = &r->match;
    rule_program_clear(&m->nodes);
    g_clear_pointer(&m->nodes_src, g_free);
    *m = match_kinds[k].defaults;
    while (p->tok.kind == TOK_IDENT && (!tok_is_clause(&p->tok) || at_node_where(p))) {
        if (!parse_match_option(p, r))
            break;
    }
    if (m->kind != MATCH_CYCLE && m->unordered)
        rule_ctx_error(p->cx, p->prev.line, p->prev.col,
                       "'ordered false' applies to 'match cycle' only");
    if ((m->kind != MATCH_CYCLE || !m->max_degree) && m->hubs)
        rule_ctx_error(p->cx, p->prev.line, p->prev.col,
                       "'hubs' applies to 'match cycle' with 'max_degree' only");
    if (m->kind != MATCH_CYCLE && m->strangers)
        rule_ctx_error(p->cx, p->prev.line, p->prev.col,
                       "'strangers' applies to 'match cycle' only");
    if (m->kind != MATCH_GATHER_SCATTER && m->hold)
        rule_ctx_error(p->cx, p->prev.line, p->prev.col,
                       "'hold' applies to 'match gather_scatter' only");
}

/* "role victim" or "role controller": how an alert's account is presented */
static void parse_role(Parser *p, Rule *r)
{
    const char *role = accept_kw(p, "victim")       ? "possible victim"
                       : accept_kw(p, "controller") ? "possible controller"
                                                    : NULL;
    if (!role) {
        err_expected(p, "victim or controller");
        return;
    }
    g_free(r->role);
    r->role = g_strdup(role);
}

static void parse_param(Parser *p, Rule *r);

/* Reads a word of non-blank characters at the lookahead (rule ids contain '-'). */
static char *read_word(Parser *p, Token *at)
{
    *at = p->tok;
    if (p->tok.kind == TOK_EOF)
        return NULL;
    rule_lex_rewind(&p->lx, p->tok.pos);
    gsize e = p->tok.pos;
    while (e < p->lx.len && !g_ascii_isspace(p->lx.src[e]))
        e++;
    char *w = g_strndup(p->lx.src + p->tok.pos, e - p->tok.pos);
    rule_lex_rewind(&p->lx, e);
    advance(p);
    return w;
}

static void parse_perspective(Parser *p, Rule *r)
{
    static const struct {
        const char *word;
        Perspective persp;
    } ps[] = {{"sender", PERSP_SENDER}, {"receiver", PERSP_RECEIVER}, {"account", PERSP_ACCOUNT}};
    if (!accept_kw(p, "each")) {
        err_expected(p, "'each' after 'for'");
        return;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(ps); i++) {
        if (accept_kw(p, ps[i].word)) {
            r->persp = ps[i].persp;
            return;
        }
    }
    err_expected(p, "sender, receiver or account");
}

/* A duration "30d", or the name of a param or constant holding one (so
 * that `backtest --sweep RULE.NAME=2d` tunes a window). */
static gboolean parse_duration(Parser *p, gint64 *out, const char *clause)
{
    Token at = p->tok;
    double v = at.num;
    gboolean named = FALSE;
    g_autofree char *what = g_strdup_printf("a duration like 10d, 48h or 30m after '%s'", clause);
    if (at.kind == TOK_IDENT && !tok_is_clause(&at) && !parse_number_or_name(p, what, &v, &named))
        return FALSE;
    if (at.kind != TOK_DURATION && !named) {
        err_expected(p, what);
        return FALSE;
    }
    if (named && v <= 0) {
        perr(p, &at, "expected a duration after '%s', found %.15g (the value of '%.*s')", clause, v,
             (int)at.len, at.start);
        return FALSE;
    }
    *out = rule_to_int(v);
    if (*out > LIMIT_WINDOW_MAX_SECONDS)
        perr(p, &at, "window of %" G_GINT64_FORMAT " days is longer than the maximum of %lld days",
             *out / 86400, LIMIT_WINDOW_MAX_SECONDS / 86400);
    advance(p);
    return TRUE;
}

static void parse_string_into(Parser *p, char **dst, const char *clause)
{
    if (p->tok.kind != TOK_STRING) {
        g_autofree char *what = g_strdup_printf("a quoted text after '%s'", clause);
        err_expected(p, what);
        return;
    }
    g_free(*dst);
    *dst = g_strdup(p->tok.text);
    advance(p);
}

static void parse_strength(Parser *p, Rule *r)
{
    static const char *const names[] = {NULL, "weak", "medium", "strong"};
    for (int s = STRENGTH_WEAK; s <= STRENGTH_STRONG; s++) {
        if (accept_kw(p, names[s])) {
            r->strength = (Strength)s;
            return;
        }
    }
    err_expected(p, "strong, medium or weak");
}

static void parse_status(Parser *p, Rule *r)
{
    for (int s = RULE_STATUS_STABLE; s <= RULE_STATUS_SHADOW; s++) {
        if (accept_kw(p, rule_status_name((RuleStatus)s))) {
            r->status = (RuleStatus)s;
            return;
        }
    }
    err_expected(p, "stable, experimental, test or shadow");
}

/* date "2024-05-01": the day of the rule's last change */
static void parse_date(Parser *p, Rule *r)
{
    Token at = p->tok;
    parse_string_into(p, &r->date, "date");
    const char *d = r->date;
    gboolean ok = d && strlen(d) == 10 && d[4] == '-' && d[7] == '-';
    for (int i = 0; ok && i < 10; i++)
        ok = i == 4 || i == 7 || g_ascii_isdigit(d[i]);
    if (d && !ok)
        perr(p, &at, "the date '%s' is not YYYY-MM-DD", d);
}

/* A clause holding one expression ('where', 'alert if'): its text kept as
 * written in *src for 'rules explain', compiled into *prog for ctx, linted
 * as `what`, then planned by plan (prefilters, leads). */
static void parse_expr_clause(Parser *p, Rule *r, RuleProgram *prog, char **src, ExprContext ctx,
                              const char *what, void (*plan)(RuleCtx *, AstNode *, Rule *))
{
    AstNode *e = parse_clause_expr(p);
    if (!e)
        return;
    rule_program_clear(prog);
    g_free(*src);
    *src = rule_text_squeeze(p->cx->src + e->pos, e->end - e->pos);
    if (rule_compile_expr(p->cx, e, ctx, prog)) {
        rule_lint_never_true(p->cx, e, what);
        plan(p->cx, e, r);
    }
}

static void parse_where(Parser *p, Rule *r)
{
    parse_expr_clause(p, r, &r->filter, &r->filter_src, CTX_FILTER, "where", rule_plan_filter);
}

static void parse_alert_if(Parser *p, Rule *r, gboolean *have)
{
    if (!accept_kw(p, "if")) {
        err_expected(p, "'if' after 'alert'");
        return;
    }
    *have = TRUE; /* present, even if it does not compile: no second error */
    parse_expr_clause(p, r, &r->condition, &r->condition_src, CTX_CONDITION, "alert if",
                      rule_plan_leads);
}

/* Words of letters, digits, '_' and '-' (tags, rule ids), separated by
 * commas or, when and_sep, by "and"; `what` names one in an error. */
static void parse_words(Parser *p, GPtrArray *into, const char *what, gboolean and_sep)
{
    for (;;) {
        Token at = p->tok;
        gsize e = at.pos;
        while (e < p->lx.len &&
               (g_ascii_isalnum(p->lx.src[e]) || p->lx.src[e] == '_' || p->lx.src[e] == '-'))
            e++;
        if (at.kind != TOK_IDENT || e == at.pos) {
            err_expected(p, what);
            return;
        }
        g_ptr_array_add(into, g_strndup(p->lx.src + at.pos, e - at.pos));
        rule_lex_rewind(&p->lx, e);
        advance(p);
        if (and_sep ? !accept_kw(p, "and") : !accept(p, TOK_COMMA))
            return;
    }
}

static Rule *rule_new(RuleCtx *cx, char *id, int line)
{
    Rule *r = g_new0(Rule, 1);
    rule_init(r, cx->file, id, line);
    return r;
}

/* One clause of a rule; returns FALSE at the end of the rule. */
static gboolean parse_clause(Parser *p, Rule *r, gboolean *have_cond)
{
    Token kw = p->tok;
    if (kw.kind == TOK_EOF || rule_tok_is(&kw, "rule") || rule_tok_is(&kw, "list") ||
        rule_tok_is(&kw, "const") || rule_tok_is(&kw, "typology"))
        return FALSE;
    advance(p);
    int before = p->cx->errors;
    if (rule_tok_is(&kw, "version")) {
        if (p->tok.kind == TOK_NUMBER && p->tok.num >= 1 && p->tok.num <= 1e6 &&
            p->tok.num == (int)p->tok.num) {
            r->version = (int)p->tok.num;
            advance(p);
        } else {
            err_expected(p, "a whole version number");
        }
    } else if (rule_tok_is(&kw, "source")) {
        parse_string_into(p, &r->source, "source");
    } else if (rule_tok_is(&kw, "family")) {
        Token at;
        g_free(r->family);
        r->family = read_word(p, &at);
    } else if (rule_tok_is(&kw, "strength")) {
        parse_strength(p, r);
    } else if (rule_tok_is(&kw, "status")) {
        parse_status(p, r);
    } else if (rule_tok_is(&kw, "author")) {
        parse_string_into(p, &r->author, "author");
    } else if (rule_tok_is(&kw, "date")) {
        parse_date(p, r);
    } else if (rule_tok_is(&kw, "false_positives")) {
        char *text = NULL;
        parse_string_into(p, &text, "false_positives");
        if (text)
            g_ptr_array_add(r->false_positives, text);
    } else if (rule_tok_is(&kw, "tags")) {
        parse_words(p, r->tags, "a tag", FALSE);
    } else if (rule_tok_is(&kw, "for")) {
        parse_perspective(p, r);
    } else if (rule_tok_is(&kw, "where")) {
        parse_where(p, r);
    } else if (rule_tok_is(&kw, "within")) {
        parse_duration(p, &r->window, "within");
    } else if (rule_tok_is(&kw, "match")) {
        parse_match(p, r);
    } else if (rule_tok_is(&kw, "role")) {
        parse_role(p, r);
    } else if (rule_tok_is(&kw, "baseline")) {
        parse_duration(p, &r->baseline, "baseline");
    } else if (rule_tok_is(&kw, "suppress")) {
        parse_duration(p, &r->suppress, "suppress");
    } else if (rule_tok_is(&kw, "alert")) {
        parse_alert_if(p, r, have_cond);
    } else if (rule_tok_is(&kw, "explain")) {
        parse_explain(p, r);
    } else if (rule_tok_is(&kw, "example")) {
        parse_example(p, r);
    } else if (rule_tok_is(&kw, "param")) {
        parse_param(p, r);
    } else {
        g_autofree char *d = rule_tok_describe(&kw);
        perr(p, &kw,
             "expected a clause (for each, where, within, alert if, explain, example, ...), found "
             "%s",
             d);
    }
    if (p->cx->errors > before)
        recover(p);
    return TRUE;
}

/* Reports the clauses a complete rule lacks and fills in defaults. */
static void rule_check_complete(RuleCtx *cx, Rule *r, gboolean have_cond)
{
    if (r->match.kind != MATCH_NONE) {
        /* a graph pattern alerts on the account it names; it needs a window */
        have_cond = TRUE;
        if (!r->persp)
            r->persp = PERSP_ACCOUNT;
        if (!r->window)
            rule_ctx_error(cx, r->line, 1, "rule %s has a 'match' but no 'within' window", r->id);
        if (r->baseline)
            rule_ctx_error(cx, r->line, 1, "rule %s: a graph pattern has no baseline", r->id);
    }
    if (!r->persp)
        rule_ctx_error(cx, r->line, 1, "rule %s lacks 'for each sender|receiver|account'", r->id);
    if (!have_cond)
        rule_ctx_error(cx, r->line, 1, "rule %s lacks 'alert if'", r->id);
    if (r->explain->len == 0)
        rule_ctx_error(cx, r->line, 1, "rule %s lacks 'explain'", r->id);
    if (!r->title || !*r->title)
        rule_ctx_error(cx, r->line, 1, "rule %s lacks a quoted title after its id", r->id);
    if (!r->source)
        rule_ctx_warn(cx, r->line, 1, "rule %s has no 'source'", r->id);
    if (r->examples->len == 0)
        rule_ctx_warn(cx, r->line, 1, "rule %s has no examples", r->id);
    if (r->suppress < 0)
        r->suppress = r->window;
    if (!r->family)
        r->family = g_strdup("general");
}

static void parse_rule(Parser *p)
{
    Token at;
    char *id = read_word(p, &at);
    if (!id) {
        err_expected(p, "a rule id");
        return;
    }
    if (rule_set_find(p->cx->rs, id))
        perr(p, &at, "rule %s is defined twice", id);
    Rule *r = rule_new(p->cx, id, at.line);
    p->cx->rule = r;
    g_ptr_array_set_size(p->cx->agg_calls, 0);
    if (p->tok.kind == TOK_STRING) {
        r->title = g_strdup(p->tok.text);
        advance(p);
    }
    gboolean have_cond = FALSE;
    while (parse_clause(p, r, &have_cond))
        ;
    rule_check_complete(p->cx, r, have_cond);
    rule_plan_rule(p->cx, r);
    g_ptr_array_add(p->cx->rs->rules, r);
    p->cx->rule = NULL;
}

/* ---- typologies ---- */

static Typology *typology_new(RuleCtx *cx, char *id, int line)
{
    Typology *ty = g_new0(Typology, 1);
    Rule *r = &ty->rule;
    rule_init(r, cx->file, id, line);
    r->typology = ty;
    r->family = g_strdup("typology");
    r->strength = STRENGTH_STRONG;
    r->persp = PERSP_ACCOUNT;
    static const char *const names[] = {"score", "families", "hits"};
    for (int i = 0; i < 3; i++) {
        RuleAgg a = {.kind = AGG_COUNT,
                     .text = g_strdup(names[i]),
                     .in_condition = TRUE,
                     .type = i == 0 ? TY_NUM : TY_COUNT};
        g_array_append_val(r->aggs, a);
    }
    ty->indicator_ids = g_ptr_array_new_with_free_func(g_free);
    ty->escalation_ids = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
    ty->victim_ids = g_ptr_array_new_with_free_func(g_free);
    ty->controller_ids = g_ptr_array_new_with_free_func(g_free);
    ty->required_ids = g_ptr_array_new_with_free_func(g_free);
    ty->half_life = 30 * 86400;
    ty->cap = 5;
    return ty;
}

/* A clause only typologies have; FALSE if kw is none of them. */
static gboolean parse_typology_clause(Parser *p, Typology *ty)
{
    if (accept_kw(p, "indicators")) {
        ty->ids_line = p->prev.line;
        parse_words(p, ty->indicator_ids, "a rule id", FALSE);
    } else if (accept_kw(p, "half_life")) {
        parse_duration(p, &ty->half_life, "half_life");
    } else if (accept_kw(p, "cap")) {
        if (p->tok.kind != TOK_NUMBER || p->tok.num <= 0) {
            err_expected(p, "a positive number of points");
            return TRUE;
        }
        ty->cap = p->tok.num;
        advance(p);
    } else if (accept_kw(p, "escalate")) {
        GPtrArray *group = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(ty->escalation_ids, group);
        parse_words(p, group, "a rule id", TRUE);
    } else if (accept_kw(p, "victim")) {
        parse_words(p, ty->victim_ids, "a rule id", FALSE);
    } else if (accept_kw(p, "controller")) {
        parse_words(p, ty->controller_ids, "a rule id", FALSE);
    } else if (accept_kw(p, "requires")) {
        parse_words(p, ty->required_ids, "a rule id", FALSE);
    } else {
        return FALSE;
    }
    return TRUE;
}

static void parse_typology(Parser *p)
{
    Token at;
    char *id = read_word(p, &at);
    if (!id) {
        err_expected(p, "a typology id");
        return;
    }
    Typology *ty = typology_new(p->cx, id, at.line);
    Rule *r = &ty->rule;
    p->cx->rule = r;
    g_ptr_array_set_size(p->cx->agg_calls, 0);
    if (p->tok.kind == TOK_STRING) {
        r->title = g_strdup(p->tok.text);
        advance(p);
    }
    gboolean have_cond = FALSE;
    for (;;) {
        int before = p->cx->errors;
        if (!parse_typology_clause(p, ty) && !parse_clause(p, r, &have_cond))
            break;
        if (p->cx->errors > before)
            recover(p);
    }
    if (!have_cond)
        rule_ctx_error(p->cx, r->line, 1, "typology %s lacks 'alert if'", r->id);
    if (ty->indicator_ids->len == 0)
        rule_ctx_error(p->cx, r->line, 1, "typology %s lacks 'indicators'", r->id);
    if (r->suppress < 0)
        r->suppress = 30 * 86400;
    g_ptr_array_add(p->cx->rs->typologies, ty);
    p->cx->rule = NULL;
}

/* ---- lists and constants ---- */

static void parse_list_values(Parser *p, RuleList *l)
{
    do {
        Token t = p->tok;
        double v;
        g_autofree char *name = g_strndup(t.start, t.len);
        if ((t.kind != TOK_IDENT && t.kind != TOK_NUMBER) || tok_is_clause(&t) ||
            !rule_enum_value(l->kind, name, &v) || !rule_list_add(l, v)) {
            g_autofree char *d = rule_tok_describe(&t);
            perr(p, &t, "%s is not a valid %s", d, rule_list_kind_word(l->kind));
            return;
        }
        advance(p);
    } while (accept(p, TOK_COMMA));
}

/* The accounts of an account list file: one a line, blanks around it
 * dropped, empty lines and lines starting with '#' skipped. The file is
 * named relative to the rule file's folder; its digest joins the set's. */
static void parse_account_file(Parser *p, RuleList *l, const Token *t)
{
    g_autofree char *dir = g_path_get_dirname(p->cx->file);
    g_autofree char *path =
        g_path_is_absolute(t->text) ? g_strdup(t->text) : g_build_filename(dir, t->text, NULL);
    g_autofree char *text = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(path, &text, &len, &err)) {
        if (g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            perr(p, t, "no account list '%s' beside the rule file", t->text);
        else
            perr(p, t, "cannot read the account list '%s': %s", t->text, err->message);
        return;
    }
    if (len > LIMIT_RULE_FILE_BYTES || !g_utf8_validate(text, (gssize)len, NULL) ||
        memchr(text, 0, len)) {
        perr(p, t, "the account list '%s' is not UTF-8 text of at most 4 MiB", t->text);
        return;
    }
    g_autofree char *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)text, len);
    g_ptr_array_add(p->cx->rs->list_files, g_strdup_printf("%s\t%s", path, sha));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        char *name = g_strstrip(lines[i]);
        if (*name && *name != '#')
            rule_list_add(l, rule_set_account_id(p->cx->rs, name));
    }
}

/* The members of an account list: names (or numbers, or quoted ids), or
 * `file "path"`. */
static void parse_account_values(Parser *p, RuleList *l)
{
    if (rule_tok_is(&p->tok, "file")) {
        advance(p);
        Token t = p->tok;
        if (t.kind != TOK_STRING) {
            err_expected(p, "the quoted path of the account list after 'file'");
            return;
        }
        advance(p);
        parse_account_file(p, l, &t);
        return;
    }
    do {
        Token t = p->tok;
        if ((t.kind != TOK_IDENT && t.kind != TOK_NUMBER && t.kind != TOK_STRING) ||
            tok_is_clause(&t)) {
            g_autofree char *d = rule_tok_describe(&t);
            perr(p, &t, "%s is not an account id (quote ids with other characters)", d);
            return;
        }
        g_autofree char *name = t.kind == TOK_STRING ? g_strdup(t.text) : g_strndup(t.start, t.len);
        rule_list_add(l, rule_set_account_id(p->cx->rs, name));
        advance(p);
    } while (accept(p, TOK_COMMA));
}

static void parse_list(Parser *p)
{
    Token nt = p->tok;
    if (nt.kind != TOK_IDENT || tok_is_clause(&nt)) {
        err_expected(p, "a list name");
        return;
    }
    advance(p);
    g_autofree char *name = g_strndup(nt.start, nt.len);
    if (rule_list_find(p->cx->rs, name, NULL))
        perr(p, &nt, "list '%s' is defined twice", name);
    if (!accept(p, TOK_COLON)) {
        err_expected(
            p, "':' and the kind of the list (channel, mcc, country, currency, weekday, hour, "
               "account)");
        return;
    }
    ValueType kind;
    if (p->tok.kind != TOK_IDENT || !rule_list_kind_parse(p->tok.start, p->tok.len, &kind)) {
        err_expected(p, "channel, mcc, country, currency, weekday, hour or account");
        return;
    }
    advance(p);
    if (!accept(p, TOK_ASSIGN)) {
        err_expected(p, "'='");
        return;
    }
    RuleList *l =
        rule_list_new(p->cx->rs, g_steal_pointer(&name), kind, p->cx->file, nt.line, nt.col);
    if (kind == TY_ACCOUNT)
        parse_account_values(p, l);
    else
        parse_list_values(p, l);
}

/* The value of a constant or parameter, or its override ("NAME" for a
 * constant, "RULE.NAME" for a parameter) when one is given. */
static gboolean const_value_of(Parser *p, const Token *nt, const char *key, AstNode *e,
                               RuleConst *c)
{
    const char *ov = p->cx->overrides ? g_hash_table_lookup(p->cx->overrides, key) : NULL;
    if (!ov)
        return e && rule_compile_const(p->cx, e, &c->value, &c->type);
    gboolean duration = FALSE;
    g_hash_table_add(p->cx->used_overrides, g_strdup(key));
    if (!rule_lex_value(ov, &c->value, &duration)) {
        perr(p, nt, "the override %s=%s is not a number or a duration like 48h", key, ov);
        return FALSE;
    }
    ValueType ty = duration ? TY_DURATION : TY_NUM;
    if (e) {
        double ignored;
        rule_compile_const(p->cx, e, &ignored, &ty);
    }
    if (duration && ty != TY_DURATION) {
        perr(p, nt, "the override %s=%s is a duration, but %s holds a %s", key, ov, key,
             rule_type_word(ty));
        return FALSE;
    }
    c->type = ty;
    return TRUE;
}

/* "NAME = constant expression", for `const` and `param` */
static RuleConst *parse_definition(Parser *p, GPtrArray *into, const char *prefix)
{
    Token nt = p->tok;
    if (nt.kind != TOK_IDENT || tok_is_clause(&nt)) {
        err_expected(p, "a name");
        return NULL;
    }
    advance(p);
    if (!accept(p, TOK_ASSIGN)) {
        err_expected(p, "'='");
        return NULL;
    }
    AstNode *e = parse_or(p);
    g_autofree char *name = g_strndup(nt.start, nt.len);
    g_autofree char *key = prefix ? g_strdup_printf("%s.%s", prefix, name) : g_strdup(name);
    RuleConst c = {0};
    if (!e || !const_value_of(p, &nt, key, e, &c) || !rule_compile_currency(p->cx, e, &c.currency))
        return NULL;
    RuleConst *k = g_new0(RuleConst, 1);
    *k = c;
    k->name = g_steal_pointer(&name);
    k->file = g_strdup(p->cx->file);
    k->line = nt.line;
    k->col = nt.col;
    g_ptr_array_add(into, k);
    return k;
}

static void parse_const(Parser *p)
{
    parse_definition(p, p->cx->rs->consts, NULL);
}

static void parse_param(Parser *p, Rule *r)
{
    RuleConst *k = parse_definition(p, r->params, r->id);
    if (k)
        k->used = TRUE; /* a rule's own knob: not worth a warning */
}

static void node_free(gpointer p)
{
    AstNode *n = p;
    if (n->items)
        g_ptr_array_unref(n->items);
    g_free(n);
}

void rule_parse_file(RuleCtx *cx)
{
    Parser p = {.cx = cx};
    cx->nodes = g_ptr_array_new_with_free_func(node_free);
    cx->strings = g_ptr_array_new_with_free_func(g_free);
    cx->agg_calls = g_ptr_array_new();
    rule_lex_init(&p.lx, cx->src, cx->len);
    advance(&p);
    while (p.tok.kind != TOK_EOF) {
        int before = cx->errors;
        if (accept_kw(&p, "rule"))
            parse_rule(&p);
        else if (accept_kw(&p, "list"))
            parse_list(&p);
        else if (accept_kw(&p, "const"))
            parse_const(&p);
        else if (accept_kw(&p, "typology"))
            parse_typology(&p);
        else {
            err_expected(&p, "'rule', 'typology', 'list' or 'const'");
            advance(&p);
        }
        if (cx->errors > before)
            recover(&p);
    }
    rule_lex_clear(&p.lx);
    g_clear_pointer(&cx->agg_calls, g_ptr_array_unref);
    g_clear_pointer(&cx->strings, g_ptr_array_unref);
    g_clear_pointer(&cx->nodes, g_ptr_array_unref);
}
