/* jval.h: a small JSON reader for the JSON Lines that moneytrail writes,
 * and the JSON writer for everything it writes (alerts, reports, exports).
 *
 * Parses one JSON text into a tree of JVal nodes (objects keep their keys
 * in order). It is meant for alert files and triage sidecars, which are
 * small: the whole tree is allocated, nothing is streamed. Numbers are
 * kept as doubles and as their source text, so that "27400.00" and 3 print
 * back as written. */
#ifndef MT_JVAL_H
#define MT_JVAL_H

#include <glib.h>

typedef enum { JVAL_NULL, JVAL_BOOL, JVAL_NUMBER, JVAL_STRING, JVAL_ARRAY, JVAL_OBJECT } JValKind;

typedef struct JVal JVal;
struct JVal {
    JValKind kind;
    char *str;        /* STRING: the decoded text; NUMBER: the source text; object member: key */
    double num;       /* NUMBER, BOOL (0/1) */
    GPtrArray *items; /* ARRAY elements, OBJECT members (JVal with key in ->key) */
    char *key;        /* set on object members */
};

/* Parses text[0, len) as one JSON value (surrounding spaces allowed).
 * Returns a tree the caller frees with jval_free, or NULL with error set
 * ("invalid json: 'at byte N': reason"). */
JVal *jval_parse(const char *text, gsize len, GError **error);
void jval_free(JVal *v);
/* A deep copy of v; caller frees with jval_free. */
JVal *jval_copy(const JVal *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(JVal, jval_free)

/* The member key of an object, or NULL (also when v is not an object).
 * Borrowed from v. */
const JVal *jval_get(const JVal *v, const char *key);
/* The string of member key, or NULL when missing or not a string. */
const char *jval_get_str(const JVal *v, const char *key);
/* The number of member key (a string holding a number counts too), or dflt. */
double jval_get_num(const JVal *v, const char *key, double dflt);
/* The value as text for people: strings as they are, numbers as written,
 * true/false/null as words, arrays and objects as "[...]"/"{...}".
 * Borrowed or static. */
const char *jval_text(const JVal *v);
/* Appends v as compact JSON (object keys in their order). */
void jval_write(const JVal *v, GString *out);

/* The writer: appends JSON to out, with nothing held between calls. A
 * separator comes from what out ends with: none after '{', '[', ':' or a
 * newline (the start of a line of JSON Lines), else a comma. */
/* Appends s[0, n) as a JSON string literal: '"' and '\\' escaped, newline
 * and tab as \n and \t, other control bytes as \u00XX, every other byte
 * (UTF-8 or not) as it is. */
void jval_write_string_len(GString *out, const char *s, gsize n);
/* The same for a NUL-terminated s. */
void jval_write_string(GString *out, const char *s);
/* Appends ',' unless the next value is the first of its object or array. */
void jval_write_sep(GString *out);
/* Appends an object member's key: separator, "key" and ':'. */
void jval_write_key(GString *out, const char *key);
/* Appends the member "key":"v", or "key":null when v is NULL. */
void jval_write_str(GString *out, const char *key, const char *v);
/* Opens an object or array (bracket '{' or '['): as member key, or as an
 * element when key is NULL. The caller appends the closing bracket. */
void jval_write_open(GString *out, const char *key, char bracket);
/* Number of elements or members; 0 for scalars. */
guint jval_len(const JVal *v);
/* Element or member i (borrowed). */
const JVal *jval_at(const JVal *v, guint i);

#endif
