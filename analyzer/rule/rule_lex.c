/* rule_lex.c: the tokenizer of the rule language (see rule_lex.h).
 *
 * Numbers are read with g_ascii_strtod only on their own bytes; a number
 * immediately followed by a unit letter (s m h d w) is a duration. Rule ids
 * such as HT-ML-01 are read by the parser as words, not here. */
#include "rule/rule_lex.h"

#include <string.h>

void rule_lex_init(RuleLexer *lx, const char *src, gsize len)
{
    memset(lx, 0, sizeof *lx);
    lx->src = src;
    lx->len = len;
    lx->line = 1;
    lx->strings = g_ptr_array_new_with_free_func(g_free);
}

void rule_lex_clear(RuleLexer *lx)
{
    g_clear_pointer(&lx->strings, g_ptr_array_unref);
}

static void lex_skip_blank(RuleLexer *lx)
{
    while (lx->pos < lx->len) {
        char c = lx->src[lx->pos];
        if (c == '\n') {
            lx->pos++;
            lx->line++;
            lx->line_start = lx->pos;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            lx->pos++;
        } else if (c == '#') {
            while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
                lx->pos++;
        } else {
            break;
        }
    }
}

static gboolean is_ident_char(char c)
{
    return g_ascii_isalnum(c) || c == '_';
}

static void lex_number(RuleLexer *lx, Token *t)
{
    const char *s = lx->src;
    gsize p = lx->pos;
    while (p < lx->len && g_ascii_isdigit(s[p]))
        p++;
    if (p + 1 < lx->len && s[p] == '.' && g_ascii_isdigit(s[p + 1])) {
        p++;
        while (p < lx->len && g_ascii_isdigit(s[p]))
            p++;
    }
    char buf[64];
    gsize n = MIN(p - lx->pos, sizeof buf - 1);
    memcpy(buf, s + lx->pos, n);
    buf[n] = '\0';
    t->num = g_ascii_strtod(buf, NULL);
    t->kind = TOK_NUMBER;
    static const struct {
        char unit;
        double seconds;
    } units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
    if (p < lx->len && (p + 1 >= lx->len || !is_ident_char(s[p + 1]))) {
        for (gsize i = 0; i < G_N_ELEMENTS(units); i++) {
            if (s[p] == units[i].unit) {
                t->kind = TOK_DURATION;
                t->num *= units[i].seconds;
                p++;
                break;
            }
        }
    }
    lx->pos = p;
}

static void lex_string(RuleLexer *lx, Token *t)
{
    GString *out = g_string_new(NULL);
    gsize p = lx->pos + 1;
    while (p < lx->len && lx->src[p] != '"' && lx->src[p] != '\n') {
        if (lx->src[p] == '\\' && p + 1 < lx->len &&
            (lx->src[p + 1] == '"' || lx->src[p + 1] == '\\'))
            p++;
        g_string_append_c(out, lx->src[p]);
        p++;
    }
    if (p >= lx->len || lx->src[p] != '"') {
        t->kind = TOK_ERROR;
        g_string_free(out, TRUE);
        lx->pos = p;
        return;
    }
    t->kind = TOK_STRING;
    t->text = g_string_free(out, FALSE);
    g_ptr_array_add(lx->strings, t->text);
    lx->pos = p + 1;
}

static TokKind lex_punct(RuleLexer *lx)
{
    const char *s = lx->src + lx->pos;
    gboolean two = lx->pos + 1 < lx->len;
    static const struct {
        const char *text;
        TokKind kind;
    } ops[] = {
        {"==", TOK_EQ},    {"!=", TOK_NE},    {"<=", TOK_LE},    {">=", TOK_GE},
        {"(", TOK_LPAREN}, {")", TOK_RPAREN}, {"[", TOK_LBRACK}, {"]", TOK_RBRACK},
        {"{", TOK_LBRACE}, {"}", TOK_RBRACE}, {",", TOK_COMMA},  {":", TOK_COLON},
        {"=", TOK_ASSIGN}, {"<", TOK_LT},     {">", TOK_GT},     {"+", TOK_PLUS},
        {"-", TOK_MINUS},  {"*", TOK_STAR},   {"/", TOK_SLASH},  {"%", TOK_PERCENT},
        {".", TOK_DOT},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(ops); i++) {
        gsize n = strlen(ops[i].text);
        if ((n == 1 || two) && strncmp(s, ops[i].text, n) == 0) {
            lx->pos += n;
            return ops[i].kind;
        }
    }
    lx->pos++;
    return TOK_ERROR;
}

Token rule_lex_next(RuleLexer *lx)
{
    lex_skip_blank(lx);
    Token t = {0};
    t.pos = lx->pos;
    t.start = lx->src + lx->pos;
    t.line = lx->line;
    t.col = (int)(lx->pos - lx->line_start) + 1;
    if (lx->pos >= lx->len) {
        t.kind = TOK_EOF;
        return t;
    }
    char c = lx->src[lx->pos];
    if (g_ascii_isdigit(c)) {
        lex_number(lx, &t);
    } else if (g_ascii_isalpha(c) || c == '_') {
        while (lx->pos < lx->len && is_ident_char(lx->src[lx->pos]))
            lx->pos++;
        t.kind = TOK_IDENT;
    } else if (c == '"') {
        lex_string(lx, &t);
    } else {
        t.kind = lex_punct(lx);
    }
    t.len = lx->pos - t.pos;
    return t;
}

void rule_lex_rewind(RuleLexer *lx, gsize pos)
{
    g_assert(pos <= lx->len);
    lx->pos = pos;
    lx->line = 1;
    lx->line_start = 0;
    for (gsize i = 0; i < pos; i++) {
        if (lx->src[i] == '\n') {
            lx->line++;
            lx->line_start = i + 1;
        }
    }
}

gboolean rule_lex_raw_line(RuleLexer *lx, const char **text, gsize *len, int *line, int *col,
                           gsize *pos)
{
    lex_skip_blank(lx);
    if (lx->pos >= lx->len)
        return FALSE;
    gsize end = lx->pos;
    while (end < lx->len && lx->src[end] != '\n')
        end++;
    gsize tend = end;
    /* a trailing comment is not part of the row */
    for (gsize i = lx->pos; i < end; i++) {
        if (lx->src[i] == '#' &&
            (i == lx->pos || lx->src[i - 1] == ' ' || lx->src[i - 1] == '\t')) {
            tend = i;
            break;
        }
    }
    while (tend > lx->pos && g_ascii_isspace(lx->src[tend - 1]))
        tend--;
    *text = lx->src + lx->pos;
    *len = tend - lx->pos;
    *line = lx->line;
    *col = (int)(lx->pos - lx->line_start) + 1;
    *pos = lx->pos;
    lx->pos = end;
    return TRUE;
}

void rule_lex_line_text(const char *src, gsize len, int line, const char **text, gsize *tlen)
{
    gsize p = 0;
    for (int l = 1; l < line && p < len; p++) {
        if (src[p] == '\n')
            l++;
    }
    gsize e = p;
    while (e < len && src[e] != '\n' && src[e] != '\r')
        e++;
    *text = src + p;
    *tlen = e - p;
}

gboolean rule_tok_is(const Token *t, const char *kw)
{
    return t->kind == TOK_IDENT && strlen(kw) == t->len && memcmp(t->start, kw, t->len) == 0;
}

char *rule_tok_describe(const Token *t)
{
    if (t->kind == TOK_EOF)
        return g_strdup("end of file");
    if (t->kind == TOK_ERROR && t->start[0] == '"')
        return g_strdup("an unterminated string");
    return g_strdup_printf("'%.*s'", (int)MIN(t->len, 40), t->start);
}

gboolean rule_lex_value(const char *text, double *v, gboolean *duration)
{
    RuleLexer lx;
    rule_lex_init(&lx, text, strlen(text));
    Token t = rule_lex_next(&lx);
    gboolean neg = t.kind == TOK_MINUS;
    if (neg)
        t = rule_lex_next(&lx);
    gboolean ok =
        (t.kind == TOK_NUMBER || t.kind == TOK_DURATION) && rule_lex_next(&lx).kind == TOK_EOF;
    if (ok) {
        *v = neg ? -t.num : t.num;
        *duration = t.kind == TOK_DURATION;
    }
    rule_lex_clear(&lx);
    return ok;
}
