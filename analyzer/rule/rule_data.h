/* rule_data.h: what the stages of the rule compiler share, inside rule/
 * only: the context of the file being read, diagnostics, the tables of
 * fields and value names, lists, constants, and the lifetime of a rule.
 *
 * rule_data.c sits below the parser, compiler and planner: it calls none
 * of them, so each stage calls down into it and never back up. */
#ifndef MT_RULE_DATA_H
#define MT_RULE_DATA_H

#include "rule/rule.h"

/* What the parser, compiler and planner share while one file is read. The
 * loader fills in the file, the set and the overrides; the parser owns
 * nodes and strings while it runs (rule_parse_file). */
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
    GPtrArray *agg_calls;       /* AstNode* by index in rule->aggs: the call that made it */
    GHashTable *overrides;      /* "NAME" or "RULE.NAME" -> value text; borrowed, may be NULL */
    GHashTable *used_overrides; /* keys of overrides that matched */
} RuleCtx;

/* ---- diagnostics ---- */

/* Records an error (or warning) at line:col of the current file. */
void rule_ctx_error(RuleCtx *cx, int line, int col, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
void rule_ctx_warn(RuleCtx *cx, int line, int col, const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* Appends a diagnostic for any file (used for whole-set lint); src, when
 * given, supplies the offending line. Copies what it keeps. */
void rule_diag_add(GPtrArray *diags, const char *file, const char *src, gsize len, int line,
                   int col, gboolean warning, const char *msg);

/* The text of a clause on one line: runs of blanks and newlines in
 * s[0..n) become one space. Caller frees. */
char *rule_text_squeeze(const char *s, gsize n);

/* ---- fields (RULE_FIELD_LIST) ---- */

/* The field called name, or -1. */
int rule_field_lookup(const char *name);
ValueType rule_field_type(FieldId f);
/* The least and greatest value field f can take (lint). */
void rule_field_domain(FieldId f, double *lo, double *hi);
/* TRUE if f is an attribute of the account that holds still for the run. */
gboolean rule_field_is_fixed(FieldId f);
/* TRUE for the history fields (FIELD_HISTORY: RuleHistory). */
gboolean rule_field_is_history(FieldId f);
/* TRUE if program p reads a history field. */
gboolean rule_program_reads_history(const RuleProgram *p);
/* TRUE if program p tests the memo (contains, starts_with, matches). */
gboolean rule_program_tests_memo(const RuleProgram *p);
/* TRUE if a program of r reads a history field. */
gboolean rule_reads_history(const Rule *r);
/* Which history r reads, so that an engine keeps only that: the fields
 * of the row's account (account.*), of the pair (counterparty.is_new,
 * .paid_before, .first_seen), data.days. */
#define RULE_HISTORY_ACCOUNT 1u
#define RULE_HISTORY_PAIR    2u
#define RULE_HISTORY_DATA    4u
guint rule_history_parts(const Rule *r);

/* The id of an account an account list names (1 + its index in the set's
 * account_names), adding it when new (RuleSet.account_names). */
guint32 rule_set_account_id(RuleSet *rs, const char *name);

/* ---- "did you mean" ---- */

/* The closest of the candidates offered to a misspelt name, if close
 * enough: within 1 edit for names of up to 4 letters, 2 up to 8, else 3.
 * Borrows name and the candidates until the text is taken. */
typedef struct {
    const char *name;
    const char *best;
    guint dist, limit;
} RuleSuggest;

void rule_suggest_init(RuleSuggest *s, const char *name);
/* Offers candidate (NULL is ignored). */
void rule_suggest_try(RuleSuggest *s, const char *candidate);
/* Offers every field name. */
void rule_suggest_fields(RuleSuggest *s);
/* " (did you mean 'x'?)" or "" when nothing is close; caller frees. */
char *rule_suggest_text(const RuleSuggest *s);

/* ---- types and the names of their values ---- */

/* TRUE for the types whose values have names (channel, country, ...). */
gboolean rule_type_is_enum(ValueType t);
/* The type in words for messages, e.g. "channel", "amount". */
const char *rule_type_word(ValueType t);
/* Resolves a name of an enumerated type (channel, weekday, country, currency,
 * mcc) to its value; FALSE if it is not one. */
gboolean rule_enum_value(ValueType ty, const char *name, double *out);

/* ---- lists ---- */

/* The kind of list named by word[0..n) ("channel", "mcc", ...); FALSE if
 * it names none. */
gboolean rule_list_kind_parse(const char *word, gsize n, ValueType *kind);
/* The word for a list kind in messages ("country"), "value" for none. */
const char *rule_list_kind_word(ValueType kind);
/* A new empty list of kind, appended to rs->lists (which owns it); takes
 * ownership of name. NULL (name freed) when kind has no lists. */
RuleList *rule_list_new(RuleSet *rs, char *name, ValueType kind, const char *file, int line,
                        int col);
/* An anonymous list for an inline set {a, b} at line:col, marked used;
 * NULL when kind has no lists. */
RuleList *rule_list_new_anonymous(RuleSet *rs, ValueType kind, const char *file, int line, int col);
/* Adds a value of the list's kind; FALSE if it lies outside the kind. */
gboolean rule_list_add(RuleList *l, double v);
/* The named (not anonymous) list called name and its index in rs->lists
 * (into *index when index is not NULL); NULL if none. */
RuleList *rule_list_find(RuleSet *rs, const char *name, int *index);

/* ---- constants, programs, rules ---- */

/* The constant or rule parameter called name, visible from the current rule. */
RuleConst *rule_const_lookup(RuleCtx *cx, const char *name);
/* Frees p's steps; p is empty (always true) after. */
void rule_program_clear(RuleProgram *p);
/* Frees the middle steps of a sequence() aggregate. */
void rule_agg_clear_mid(RuleAgg *a);
/* An empty set, to be filled by the loader; free with rule_set_free. */
RuleSet *rule_set_new(void);
/* Sets r up with its defaults (no filter: every channel, kind and amount
 * passes); takes ownership of id. Cleared by rule_set_free. */
void rule_init(Rule *r, const char *file, char *id, int line);
/* Frees what r owns, not r itself. */
void rule_clear(Rule *r);

#endif
