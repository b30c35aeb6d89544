/* rule_lex.h: the tokenizer of the rule language.
 *
 * Works on a whole file held in memory; every token knows its byte offset,
 * line and column so that errors can point at it. Example blocks are read as
 * raw lines (rule_lex_raw_line), since their rows are not expressions. */
#ifndef MT_RULE_LEX_H
#define MT_RULE_LEX_H

#include <glib.h>

typedef enum {
    TOK_EOF = 0,
    TOK_IDENT,    /* letters, digits, '_' (and '-' inside rule ids, see rule_lex_word) */
    TOK_NUMBER,   /* 12, 0.8, 10000.00 */
    TOK_DURATION, /* 10d, 48h, 30m, 45s, 2w */
    TOK_STRING,   /* "..." with \" and \\ escapes, text in Token.text (unescaped) */
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_LBRACK,
    TOK_RBRACK,
    TOK_LBRACE,
    TOK_RBRACE,
    TOK_COMMA,
    TOK_COLON,
    TOK_ASSIGN,
    TOK_EQ,
    TOK_NE,
    TOK_LT,
    TOK_LE,
    TOK_GT,
    TOK_GE,
    TOK_PLUS,
    TOK_MINUS,
    TOK_STAR,
    TOK_SLASH,
    TOK_PERCENT,
    TOK_DOT,
    TOK_ERROR, /* an unexpected character or an unterminated string */
} TokKind;

typedef struct {
    TokKind kind;
    const char *start; /* into the source buffer */
    gsize len;
    gsize pos;     /* byte offset of start */
    int line, col; /* 1-based */
    double num;    /* TOK_NUMBER value, TOK_DURATION seconds */
    char *text;    /* TOK_STRING unescaped text (owned by the lexer), else NULL */
} Token;

typedef struct {
    const char *src;
    gsize len;
    gsize pos;
    int line;
    gsize line_start;
    GPtrArray *strings; /* owns the unescaped string texts */
} RuleLexer;

void rule_lex_init(RuleLexer *lx, const char *src, gsize len);
void rule_lex_clear(RuleLexer *lx);
/* Returns the next token, skipping blanks, newlines and # comments. */
Token rule_lex_next(RuleLexer *lx);
/* Moves the lexer back to the byte offset pos (the start of an earlier token). */
void rule_lex_rewind(RuleLexer *lx, gsize pos);
/* Reads the next non-blank, non-comment line as raw text without its newline
 * and leading blanks; returns FALSE at end of input. The lexer then stands at
 * the start of the following line. *pos is the byte offset of the text. */
gboolean rule_lex_raw_line(RuleLexer *lx, const char **text, gsize *len, int *line, int *col,
                           gsize *pos);
/* Returns the text of line number `line` (without newline) for diagnostics. */
void rule_lex_line_text(const char *src, gsize len, int line, const char **text, gsize *tlen);
/* Reads text that must be one number or duration ("5", "0.8", "-2", "48h",
 * "2d") into *v (seconds for a duration) and *duration; FALSE if text is
 * anything else. Used for --set and --sweep values. */
gboolean rule_lex_value(const char *text, double *v, gboolean *duration);
/* TRUE if the token is the identifier kw. */
gboolean rule_tok_is(const Token *t, const char *kw);
/* A printable description of a token for messages: "'foo'", "end of file". */
char *rule_tok_describe(const Token *t);

#endif
