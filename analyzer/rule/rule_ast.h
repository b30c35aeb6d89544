/* rule_ast.h: the syntax tree of rule expressions, shared by the parser
 * (rule_parse.c) and the compiler (rule_compile.c) only.
 *
 * Trees live only while one clause is compiled: nodes are owned by the
 * RuleCtx's node array and freed with it. */
#ifndef MT_RULE_AST_H
#define MT_RULE_AST_H

#include "rule/rule.h"
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

/* What the parser and compiler share while one file is read. */
typedef struct {
    RuleSet *rs;
    Rule *rule; /* the rule being read, NULL at top level */
    const char *file;
    const char *src;
    gsize len;
    GPtrArray *diags;
    int errors;
    GPtrArray *nodes;           /* owns AstNodes (and their item arrays) */
    GPtrArray *strings;         /* owns names */
    GHashTable *overrides;      /* "NAME" or "RULE.NAME" -> value text; borrowed, may be NULL */
    GHashTable *used_overrides; /* keys of overrides that matched */
} RuleCtx;

/* Records an error (or warning) at line:col of the current file. */
void rule_ctx_error(RuleCtx *cx, int line, int col, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
void rule_ctx_warn(RuleCtx *cx, int line, int col, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* Appends a diagnostic for any file (used for whole-set lint). */
void rule_diag_add(GPtrArray *diags, const char *file, const char *src, gsize len, int line,
                   int col, gboolean warning, const char *msg);

/* Compiles an expression into *out. Returns FALSE after reporting errors. */
gboolean rule_compile_expr(RuleCtx *cx, AstNode *n, ExprContext ctx, RuleProgram *out);
/* Evaluates a constant expression; FALSE (with an error) if it is not one. */
gboolean rule_compile_const(RuleCtx *cx, AstNode *n, double *value, ValueType *type);
/* Reports an error when a condition can be proven never true. */
void rule_lint_never_true(RuleCtx *cx, AstNode *n, const char *clause);
/* The channels (bit c) a filter can let through, by the side the account
 * is on and by whether the transaction lacks an mcc (Rule.pass_mask), and
 * those it surely lets through once the account prefilter has passed
 * (Rule.pass_surely). */
void rule_pass_masks(RuleCtx *cx, AstNode *n, guint32 maybe[SIDE_COUNT][2],
                     guint32 surely[SIDE_COUNT][2]);
/* Compiles r's filter as seen from each side (Rule.side_filter): with the
 * direction known and the "and" parts on the account's fixed attributes
 * left to the account prefilter; and, where knowing the channel and a
 * missing mcc too leaves less to run, for that shape (Rule.shape_filter).
 * Needs r's pass masks. */
void rule_side_filters(RuleCtx *cx, AstNode *filter, Rule *r);
/* TRUE if n reads no field but the account's own side-table attributes
 * that hold still for the run (so its value is the account's, once). */
gboolean rule_is_account_static(const AstNode *n);
/* The account kinds (bits by KycKind) a filter can pass, from its tests of
 * account.kind joined by and/or; all bits when it cannot tell. */
guint32 rule_kind_mask(AstNode *n);
/* Resolves a name of an enumerated type (channel, weekday, country, currency,
 * mcc) to its value; FALSE if it is not one. */
gboolean rule_enum_value(ValueType ty, const char *name, double *out);
void rule_program_clear(RuleProgram *p);
/* The constant or rule parameter called name, visible from the current rule. */
RuleConst *rule_const_lookup(RuleCtx *cx, const char *name);

/* Example rows and expectations (rule_example.c). Return FALSE with a
 * message (caller frees) and the 1-based column within text. */
gboolean rule_example_row(const char *text, gsize len, int index, ExampleRow *row, char **err,
                          int *col);
gboolean rule_example_expect(const char *text, gsize len, ExampleExpect *ex, char **err, int *col);
gboolean rule_example_account(const char *text, gsize len, ExampleAccount *acc, char **err,
                              int *col);
void rule_example_free(RuleExample *ex);

#endif
