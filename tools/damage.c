/* damage: applies random damage to a text export, for the property test
 * tests/e2e/t_damage.sh.
 *
 *   damage SEED KIND[,KIND...] IN OUT
 *
 * Reads IN, applies each KIND once, in order, at places drawn from SEED
 * (the same seed and kinds give the same file), writes OUT and prints one
 * line per damage on standard output, so a failure can be reproduced:
 *
 *   cut      removes 1-64 bytes (one time in four up to 4096) after the header
 *   trunc    ends the file at a random byte after the header (a cut-off transfer)
 *   quote    inserts a '"' at a random place of a data line
 *   swap     swaps two data lines
 *   dup      copies a data line to another place
 *   fardate  turns a year (19xx, 20xx) of a data line into 2204 or 0001
 *   huge     turns the whole part of an amount (digits before a '.' or ','
 *            and two decimals) into 14 to 20 digits
 *
 * The header (the first line) is never touched. Exit 2 on a usage or file
 * error. */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    GString *b;
    GRand *r;
} Dmg;

/* Byte offset where line i (0-based) starts, b->len past the last line. */
static gsize line_start(const GString *b, guint i)
{
    gsize p = 0;
    for (guint k = 0; k < i && p < b->len; k++) {
        const char *nl = memchr(b->str + p, '\n', b->len - p);
        p = nl ? (gsize)(nl - b->str) + 1 : b->len;
    }
    return p;
}

/* Length of the line starting at p, without its newline. */
static gsize line_len(const GString *b, gsize p)
{
    const char *nl = memchr(b->str + p, '\n', b->len - p);
    return nl ? (gsize)(nl - (b->str + p)) : b->len - p;
}

static guint n_lines(const GString *b)
{
    guint n = 0;
    for (gsize i = 0; i < b->len; i++)
        n += b->str[i] == '\n';
    return n + (b->len && b->str[b->len - 1] != '\n');
}

/* A random data line (1 .. n-1), or 0 when there is none. */
static guint data_line(Dmg *d)
{
    guint n = n_lines(d->b);
    return n < 2 ? 0 : (guint)g_rand_int_range(d->r, 1, (gint32)n);
}

static void cut(Dmg *d)
{
    gsize from = line_start(d->b, 1);
    if (from >= d->b->len) {
        printf("cut: no data\n");
        return;
    }
    gsize len = (gsize)g_rand_int_range(d->r, 1, g_rand_int_range(d->r, 0, 4) ? 65 : 4097);
    len = MIN(len, d->b->len - from);
    gsize at = from + (gsize)g_rand_int_range(d->r, 0, (gint32)(d->b->len - from - len + 1));
    printf("cut: %" G_GSIZE_FORMAT " bytes at byte %" G_GSIZE_FORMAT "\n", len, at);
    g_string_erase(d->b, (gssize)at, (gssize)len);
}

static void trunc_at(Dmg *d)
{
    gsize from = line_start(d->b, 1);
    if (from >= d->b->len) {
        printf("trunc: no data\n");
        return;
    }
    gsize at = from + (gsize)g_rand_int_range(d->r, 0, (gint32)(d->b->len - from));
    printf("trunc: at byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT "\n", at, d->b->len);
    g_string_truncate(d->b, at);
}

static void quote(Dmg *d)
{
    guint i = data_line(d);
    if (!i) {
        printf("quote: no data line\n");
        return;
    }
    gsize p = line_start(d->b, i), len = line_len(d->b, p);
    gsize col = (gsize)g_rand_int_range(d->r, 0, (gint32)len + 1);
    printf("quote: line %u, column %" G_GSIZE_FORMAT "\n", i + 1, col + 1);
    g_string_insert_c(d->b, (gssize)(p + col), '"');
}

/* The text of line i, without its newline. */
static char *line_dup(const GString *b, guint i)
{
    gsize p = line_start(b, i);
    return g_strndup(b->str + p, line_len(b, p));
}

static void line_replace(GString *b, guint i, const char *text)
{
    gsize p = line_start(b, i);
    g_string_erase(b, (gssize)p, (gssize)line_len(b, p));
    g_string_insert(b, (gssize)p, text);
}

static void swap(Dmg *d)
{
    guint i = data_line(d), j = data_line(d);
    if (!i || i == j) {
        printf("swap: too few data lines\n");
        return;
    }
    g_autofree char *a = line_dup(d->b, i);
    g_autofree char *c = line_dup(d->b, j);
    printf("swap: lines %u and %u\n", i + 1, j + 1);
    line_replace(d->b, i, c);
    line_replace(d->b, j, a);
}

static void dup(Dmg *d)
{
    guint i = data_line(d);
    if (!i) {
        printf("dup: no data line\n");
        return;
    }
    g_autofree char *a = line_dup(d->b, i);
    guint to = (guint)g_rand_int_range(d->r, 1, (gint32)n_lines(d->b) + 1);
    gsize p = line_start(d->b, to);
    if (p == d->b->len && d->b->len && d->b->str[d->b->len - 1] != '\n')
        g_string_append_c(d->b, '\n');
    printf("dup: line %u copied before line %u\n", i + 1, to + 1);
    g_string_insert(d->b, (gssize)p, "\n");
    g_string_insert(d->b, (gssize)p, a);
}

static gboolean is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The first "19xx" or "20xx" standing alone as digits in line text. */
static const char *find_year(const char *s, gsize n)
{
    for (gsize k = 0; k + 4 <= n; k++) {
        const char *y = s + k;
        if ((k == 0 || !is_digit(y[-1])) && (k + 4 == n || !is_digit(y[4])) &&
            ((y[0] == '1' && y[1] == '9') || (y[0] == '2' && y[1] == '0')) && is_digit(y[2]) &&
            is_digit(y[3]))
            return y;
    }
    return NULL;
}

/* The whole part of the first amount ("123.45", "9.500,00") in line text:
 * its start in *at, its length returned; 0 when there is none. */
static gsize find_amount(const char *s, gsize n, gsize *at)
{
    for (gsize k = 1; k + 3 <= n; k++) {
        if ((s[k] != '.' && s[k] != ',') || !is_digit(s[k - 1]) || !is_digit(s[k + 1]) ||
            !is_digit(s[k + 2]) || (k + 3 < n && is_digit(s[k + 3])))
            continue;
        gsize b = k;
        char other = s[k] == ',' ? '.' : ',';
        while (b > 0 && (is_digit(s[b - 1]) || (s[b - 1] == other && s[k] == ',')))
            b--;
        *at = b;
        return k - b;
    }
    return 0;
}

/* Tries data lines until find() finds a span, up to 50; replaces it with
 * text. */
static void replace_in_line(Dmg *d, const char *what, const char *text,
                            gsize (*find)(const char *, gsize, gsize *))
{
    for (int tries = 0; tries < 50; tries++) {
        guint i = data_line(d);
        if (!i)
            break;
        gsize p = line_start(d->b, i), at, len = find(d->b->str + p, line_len(d->b, p), &at);
        if (!len)
            continue;
        printf("%s: line %u, '%.*s' -> '%s'\n", what, i + 1, (int)len, d->b->str + p + at, text);
        g_string_erase(d->b, (gssize)(p + at), (gssize)len);
        g_string_insert(d->b, (gssize)(p + at), text);
        return;
    }
    printf("%s: nothing found\n", what);
}

static gsize year_span(const char *s, gsize n, gsize *at)
{
    const char *y = find_year(s, n);
    if (!y)
        return 0;
    *at = (gsize)(y - s);
    return 4;
}

static void fardate(Dmg *d)
{
    replace_in_line(d, "fardate", g_rand_boolean(d->r) ? "2204" : "0001", year_span);
}

static void huge(Dmg *d)
{
    char digits[24];
    int n = g_rand_int_range(d->r, 14, 21);
    digits[0] = (char)('1' + g_rand_int_range(d->r, 0, 9));
    for (int k = 1; k < n; k++)
        digits[k] = (char)('0' + g_rand_int_range(d->r, 0, 10));
    digits[n] = '\0';
    replace_in_line(d, "huge", digits, find_amount);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(Dmg *);
    } kinds[] = {{"cut", cut}, {"trunc", trunc_at},  {"quote", quote}, {"swap", swap},
                 {"dup", dup}, {"fardate", fardate}, {"huge", huge}};
    if (argc != 5) {
        fprintf(stderr, "usage: damage SEED KIND[,KIND...] IN OUT\n"
                        "kinds: cut, trunc, quote, swap, dup, fardate, huge\n");
        return 2;
    }
    g_autofree char *text = NULL;
    gsize len;
    g_autoptr(GError) err = NULL;
    if (!g_file_get_contents(argv[3], &text, &len, &err)) {
        fprintf(stderr, "damage: %s\n", err->message);
        return 2;
    }
    Dmg d = {g_string_new_len(text, (gssize)len), g_rand_new_with_seed((guint32)atol(argv[1]))};
    g_auto(GStrv) list = g_strsplit(argv[2], ",", -1);
    for (char **k = list; *k; k++) {
        guint i = 0;
        while (i < G_N_ELEMENTS(kinds) && strcmp(kinds[i].name, *k) != 0)
            i++;
        if (i == G_N_ELEMENTS(kinds)) {
            fprintf(stderr, "damage: unknown kind '%s'\n", *k);
            return 2;
        }
        kinds[i].fn(&d);
    }
    if (!g_file_set_contents(argv[4], d.b->str, (gssize)d.b->len, &err)) {
        fprintf(stderr, "damage: %s\n", err->message);
        return 2;
    }
    g_string_free(d.b, TRUE);
    g_rand_free(d.r);
    return 0;
}
