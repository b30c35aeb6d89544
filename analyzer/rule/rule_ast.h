/* rule_ast.h: the syntax tree of rule expressions and the entry points of
 * the stages that pass it on, inside rule/ only: the parser
 * (rule_parse.c) builds trees, the compiler (rule_compile.c) turns them
 * into programs, the planner (rule_plan.c) works out from them how the
 * engine runs a rule.
 *
 * Trees live only while one file is read: nodes are owned by the
 * RuleCtx's node array (rule_parse_file) and freed with it. */
#ifndef MT_RULE_AST_H
#define MT_RULE_AST_H

#include "rule/rule_data.h"
#include "rule/rule_lex.h"

typedef enum {
    N_NUM,      /* num */
    N_DURATION, /* num seconds */
    N_IDENT,    /* name */
    N_STRING,   /* "text": only compared with a text field */
    N_CALL,     /* name(args...) */
    N_NEG,      /* -a */
    N_NOT,      /* not a */
    N_BIN,      /* a op b; op is a TokKind: + - * / % == != < <= > >= */
    N_AND,
    N_OR,
    N_IN_LIST,  /* a in name */
    N_IN_SET,   /* a in {items} */
    N_IN_RANGE, /* a in [lo, hi) */
    N_TEXT,     /* a contains|starts_with|matches "b": num holds the RuleTextOp */
    N_MONEY,    /* num units of the currency whose code is name: `10000 EUR` */
} NodeKind;

typedef struct AstNode {
    NodeKind kind;
    int line, col;
    gsize pos, end; /* source bytes [pos, end) of the whole node */
    double num;
    char *name; /* owned by the context's strings */
    TokKind op;
    struct AstNode *a, *b;
    struct AstNode *lo, *hi;
    gboolean lo_closed, hi_closed;
    gboolean negate;  /* "not in" */
    GPtrArray *items; /* AstNode*, set members or call arguments */
} AstNode;

typedef enum {
    CTX_CONST,     /* constant: numbers and constants only */
    CTX_FILTER,    /* 'where': fields of the transaction */
    CTX_AGG_ARG,   /* argument of an aggregate: fields of each window entry */
    CTX_CONDITION, /* 'alert if': aggregates and fields of the current transaction */
    CTX_EXPLAIN,   /* a {placeholder} of 'explain' */
} ExprContext;

/* ---- the parser (rule_parse.c) ---- */

/* Parses one file's text (cx->src) into cx->rs; errors go to cx->diags
 * and are counted in cx->errors. Owns cx->nodes and cx->strings while it
 * runs. */
void rule_parse_file(RuleCtx *cx);

/* ---- the compiler (rule_compile.c) ---- */

/* Compiles an expression into *out. Returns FALSE after reporting errors. */
gboolean rule_compile_expr(RuleCtx *cx, AstNode *n, ExprContext ctx, RuleProgram *out);
/* Compiles a node predicate of a graph pattern ("node.kind != business"):
 * node.X reads the fixed account field account.X of each account of the
 * pattern. Returns FALSE after reporting errors. */
gboolean rule_compile_node_predicate(RuleCtx *cx, AstNode *n, RuleProgram *out);
/* Evaluates a constant expression; FALSE (with an error) if it is not one. */
gboolean rule_compile_const(RuleCtx *cx, AstNode *n, double *value, ValueType *type);
/* The currency of an amount written with one (`10000 EUR`, a constant
 * defined so, sums and multiples of those) into *code, 0 if none; FALSE
 * with an error when two currencies meet. */
gboolean rule_compile_currency(RuleCtx *cx, const AstNode *n, guint32 *code);
/* The value of a constant expression (a number, a constant's name, and
 * + - * / % of those) without a diagnostic; FALSE if n is not one. */
gboolean rule_compile_const_value(RuleCtx *cx, const AstNode *n, double *v);
/* Reports an error when a condition can be proven never true. */
void rule_lint_never_true(RuleCtx *cx, AstNode *n, const char *clause);

/* ---- examples (rule_example.c) ----
 * Example rows and expectations. Return FALSE with a message (caller
 * frees) and the 1-based column within text. */
gboolean rule_example_row(const char *text, gsize len, int index, ExampleRow *row, char **err,
                          int *col);
gboolean rule_example_expect(const char *text, gsize len, ExampleExpect *ex, char **err, int *col);
gboolean rule_example_account(const char *text, gsize len, ExampleAccount *acc, char **err,
                              int *col);

#endif
