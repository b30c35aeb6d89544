/* jval.c: a recursive-descent JSON reader (RFC 8259) into a JVal tree, and
 * the JSON writer every output uses (jval_write_*).
 *
 * Depth is bounded by JVAL_MAX_DEPTH so that a hostile file cannot blow
 * the stack; \u escapes (with surrogate pairs) are decoded to UTF-8. */
#include "base/jval.h"

#include <stdlib.h>
#include <string.h>

#define JVAL_MAX_DEPTH 64

typedef struct {
    const char *s;
    gsize n, i;
    const char *err;
} Parser;

static JVal *parse_value(Parser *p, int depth);

static void skip_ws(Parser *p)
{
    while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]) && p->s[p->i])
        p->i++;
}

static JVal *jval_new(JValKind kind)
{
    JVal *v = g_new0(JVal, 1);
    v->kind = kind;
    if (kind == JVAL_ARRAY || kind == JVAL_OBJECT)
        v->items = g_ptr_array_new_with_free_func((GDestroyNotify)jval_free);
    return v;
}

void jval_free(JVal *v)
{
    if (!v)
        return;
    if (v->items)
        g_ptr_array_unref(v->items);
    g_free(v->str);
    g_free(v->key);
    g_free(v);
}

JVal *jval_copy(const JVal *v)
{
    JVal *c = jval_new(v->kind);
    c->str = g_strdup(v->str);
    c->key = g_strdup(v->key);
    c->num = v->num;
    for (guint i = 0; v->items && i < v->items->len; i++)
        g_ptr_array_add(c->items, jval_copy(g_ptr_array_index(v->items, i)));
    return c;
}

static int hex4(const char *s)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int d = g_ascii_xdigit_value(s[k]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decodes a \uXXXX escape (p->i at the 'u'), with a following low surrogate. */
static gboolean parse_unicode(Parser *p, GString *out)
{
    if (p->i + 5 > p->n || (hex4(p->s + p->i + 1)) < 0)
        return FALSE;
    gunichar c = (gunichar)hex4(p->s + p->i + 1);
    p->i += 5;
    if (c >= 0xD800 && c < 0xDC00 && p->i + 6 <= p->n && p->s[p->i] == '\\' &&
        p->s[p->i + 1] == 'u') {
        int lo = hex4(p->s + p->i + 2);
        if (lo >= 0xDC00 && lo < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + ((gunichar)lo - 0xDC00);
            p->i += 6;
        }
    }
    g_string_append_unichar(out, c);
    return TRUE;
}

static char *parse_string(Parser *p)
{
    static const char esc_in[] = "\"\\/bfnrt", esc_out[] = "\"\\/\b\f\n\r\t";
    GString *out = g_string_new(NULL);
    p->i++; /* opening quote */
    while (p->i < p->n && p->s[p->i] != '"') {
        char c = p->s[p->i];
        if ((unsigned char)c < 0x20) {
            p->err = "control character in a string";
            break;
        }
        if (c != '\\') {
            g_string_append_c(out, c);
            p->i++;
            continue;
        }
        if (++p->i >= p->n)
            break;
        const char *e = strchr(esc_in, p->s[p->i]);
        if (p->s[p->i] == 'u') {
            if (!parse_unicode(p, out)) {
                p->err = "bad \\u escape";
                break;
            }
            continue;
        }
        if (!e || !*e) {
            p->err = "bad escape";
            break;
        }
        g_string_append_c(out, esc_out[e - esc_in]);
        p->i++;
    }
    if (!p->err && p->i >= p->n)
        p->err = "unterminated string";
    if (p->err)
        return g_string_free(out, TRUE), NULL;
    p->i++;
    return g_string_free(out, FALSE);
}

static JVal *parse_number(Parser *p)
{
    gsize start = p->i;
    while (p->i < p->n && strchr("+-0123456789.eE", p->s[p->i]) && p->s[p->i])
        p->i++;
    char *text = g_strndup(p->s + start, p->i - start);
    char *end = NULL;
    double d = g_ascii_strtod(text, &end);
    if (!*text || *end) {
        g_free(text);
        p->err = "bad number";
        return NULL;
    }
    JVal *v = jval_new(JVAL_NUMBER);
    v->num = d;
    v->str = text;
    return v;
}

static gboolean parse_word(Parser *p, const char *w)
{
    gsize k = strlen(w);
    if (p->i + k > p->n || memcmp(p->s + p->i, w, k) != 0)
        return FALSE;
    p->i += k;
    return TRUE;
}

/* Parses the elements of an array or the members of an object after the
 * opening bracket. */
static JVal *parse_container(Parser *p, int depth, gboolean object)
{
    JVal *v = jval_new(object ? JVAL_OBJECT : JVAL_ARRAY);
    char close = object ? '}' : ']';
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == close) {
        p->i++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(p);
        if (object) {
            if (p->i >= p->n || p->s[p->i] != '"' || !(key = parse_string(p))) {
                p->err = p->err ? p->err : "expected a key";
                break;
            }
            skip_ws(p);
            if (p->i >= p->n || p->s[p->i] != ':') {
                g_free(key);
                p->err = "expected ':'";
                break;
            }
            p->i++;
        }
        JVal *item = parse_value(p, depth + 1);
        if (!item) {
            g_free(key);
            break;
        }
        item->key = key;
        g_ptr_array_add(v->items, item);
        skip_ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == close) {
            p->i++;
            return v;
        }
        p->err = object ? "expected ',' or '}'" : "expected ',' or ']'";
        break;
    }
    jval_free(v);
    return NULL;
}

static JVal *parse_value(Parser *p, int depth)
{
    skip_ws(p);
    if (depth > JVAL_MAX_DEPTH) {
        p->err = "nested too deeply";
        return NULL;
    }
    if (p->i >= p->n) {
        p->err = "unexpected end";
        return NULL;
    }
    char c = p->s[p->i];
    if (c == '{' || c == '[')
        return parse_container(p, depth, c == '{');
    if (c == '"') {
        char *s = parse_string(p);
        if (!s)
            return NULL;
        JVal *v = jval_new(JVAL_STRING);
        v->str = s;
        return v;
    }
    if (c == '-' || g_ascii_isdigit(c))
        return parse_number(p);
    JVal *v = NULL;
    if (parse_word(p, "true") || parse_word(p, "false")) {
        v = jval_new(JVAL_BOOL);
        v->num = p->s[p->i - 1] == 'e' && p->s[p->i - 2] == 'u';
    } else if (parse_word(p, "null")) {
        v = jval_new(JVAL_NULL);
    } else {
        p->err = "unexpected character";
    }
    return v;
}

JVal *jval_parse(const char *text, gsize len, GError **error)
{
    Parser p = {text, len, 0, NULL};
    JVal *v = parse_value(&p, 0);
    skip_ws(&p);
    if (v && p.i < p.n) {
        p.err = "text after the value";
        jval_free(g_steal_pointer(&v));
    }
    if (!v)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "invalid json: 'at byte %zu': %s",
                    p.i + 1, p.err ? p.err : "unexpected end");
    return v;
}

const JVal *jval_get(const JVal *v, const char *key)
{
    if (!v || v->kind != JVAL_OBJECT)
        return NULL;
    for (guint i = 0; i < v->items->len; i++) {
        const JVal *m = g_ptr_array_index(v->items, i);
        if (strcmp(m->key, key) == 0)
            return m;
    }
    return NULL;
}

const char *jval_get_str(const JVal *v, const char *key)
{
    const JVal *m = jval_get(v, key);
    return m && m->kind == JVAL_STRING ? m->str : NULL;
}

double jval_get_num(const JVal *v, const char *key, double dflt)
{
    const JVal *m = jval_get(v, key);
    if (m && m->kind == JVAL_NUMBER)
        return m->num;
    if (m && m->kind == JVAL_STRING) {
        char *end = NULL;
        double d = g_ascii_strtod(m->str, &end);
        if (*m->str && !*end)
            return d;
    }
    return dflt;
}

const char *jval_text(const JVal *v)
{
    if (!v)
        return "";
    switch (v->kind) {
    case JVAL_STRING:
    case JVAL_NUMBER:
        return v->str;
    case JVAL_BOOL:
        return v->num ? "true" : "false";
    case JVAL_NULL:
        return "null";
    case JVAL_ARRAY:
        return "[...]";
    default:
        return "{...}";
    }
}

guint jval_len(const JVal *v)
{
    return v && v->items ? v->items->len : 0;
}

const JVal *jval_at(const JVal *v, guint i)
{
    return v && v->items && i < v->items->len ? g_ptr_array_index(v->items, i) : NULL;
}

/* One writer for every JSON moneytrail emits: alert lines (on the hot path:
 * runs of plain bytes are copied whole), reports, exports, sidecars. The
 * escapes are fixed, since alert files are compared byte for byte: '"' and
 * '\\' by a backslash, newline and tab as \n and \t, every other byte
 * below 0x20 as \u00XX; all other bytes, UTF-8 or not, are copied as they
 * are (the decoder has already rejected invalid UTF-8 in text fields). */
void jval_write_string_len(GString *out, const char *s, gsize n)
{
    static const char hex[] = "0123456789abcdef";
    gsize plain = 0; /* start of the run of bytes not yet copied */
    g_string_append_c(out, '"');
    for (gsize i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        g_string_append_len(out, s + plain, (gssize)(i - plain));
        plain = i + 1;
        if (c == '"' || c == '\\') {
            g_string_append_c(out, '\\');
            g_string_append_c(out, (char)c);
        } else if (c == '\n') {
            g_string_append_len(out, "\\n", 2);
        } else if (c == '\t') {
            g_string_append_len(out, "\\t", 2);
        } else {
            const char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            g_string_append_len(out, u, 6);
        }
    }
    g_string_append_len(out, s + plain, (gssize)(n - plain));
    g_string_append_c(out, '"');
}

void jval_write_string(GString *out, const char *s)
{
    jval_write_string_len(out, s, strlen(s));
}

void jval_write_sep(GString *out)
{
    char last = out->len ? out->str[out->len - 1] : '{';
    if (last != '{' && last != '[' && last != ':' && last != '\n')
        g_string_append_c(out, ',');
}

void jval_write_key(GString *out, const char *key)
{
    jval_write_sep(out);
    jval_write_string(out, key);
    g_string_append_c(out, ':');
}

void jval_write_str(GString *out, const char *key, const char *v)
{
    jval_write_key(out, key);
    if (v)
        jval_write_string(out, v);
    else
        g_string_append_len(out, "null", 4);
}

void jval_write_open(GString *out, const char *key, char bracket)
{
    if (key)
        jval_write_key(out, key);
    else
        jval_write_sep(out);
    g_string_append_c(out, bracket);
}

void jval_write(const JVal *v, GString *out)
{
    if (v->kind == JVAL_STRING) {
        jval_write_string(out, v->str);
        return;
    }
    if (v->kind != JVAL_ARRAY && v->kind != JVAL_OBJECT) {
        g_string_append(out, jval_text(v));
        return;
    }
    g_string_append_c(out, v->kind == JVAL_OBJECT ? '{' : '[');
    for (guint i = 0; i < v->items->len; i++) {
        const JVal *m = g_ptr_array_index(v->items, i);
        if (i)
            g_string_append_c(out, ',');
        if (v->kind == JVAL_OBJECT) {
            jval_write_string(out, m->key);
            g_string_append_c(out, ':');
        }
        jval_write(m, out);
    }
    g_string_append_c(out, v->kind == JVAL_OBJECT ? '}' : ']');
}
