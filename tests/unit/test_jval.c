/* Tests of jval.c: parsing the JSON that alert files hold, errors, and the
 * writer every output uses. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/jval.h"

Test(jval, alert_like_object)
{
    const char *s = "{\"alert_id\":\"8afd\",\"score\":2.5,\"values\":{\"count\":3,"
                    "\"sum(amount)\":\"27400.00\"},\"evidence\":[\"c01\",\"c06\"],"
                    "\"role\":null,\"ok\":true,\"t\":\"a\\\"b\\u00e9\\n\"}";
    g_autoptr(GError) err = NULL;
    g_autoptr(JVal) j = jval_parse(s, strlen(s), &err);
    cr_assert_not_null(j);
    cr_expect_str_eq(jval_get_str(j, "alert_id"), "8afd");
    cr_expect_float_eq(jval_get_num(j, "score", 0), 2.5, 1e-9);
    cr_expect_str_eq(jval_text(jval_get(jval_get(j, "values"), "count")), "3");
    cr_expect_eq(jval_len(jval_get(j, "evidence")), 2);
    cr_expect_str_eq(jval_text(jval_at(jval_get(j, "evidence"), 1)), "c06");
    cr_expect_null(jval_get_str(j, "role"));
    cr_expect_str_eq(jval_text(jval_get(j, "ok")), "true");
    cr_expect_str_eq(jval_get_str(j, "t"), "a\"b\xc3\xa9\n");
}

Test(jval, writes_back_what_it_read)
{
    const char *s = "{\"a\":[1,\"x\\\\y\",{\"b\":false}],\"c\":\"q\\\"\"}";
    g_autoptr(JVal) j = jval_parse(s, strlen(s), NULL);
    g_autoptr(GString) out = g_string_new(NULL);
    jval_write(j, out);
    cr_expect_str_eq(out->str, s);
}

Test(jval, errors_name_the_byte)
{
    const char *bad[] = {"{\"a\":}", "[1,2", "{\"a\" 1}", "\"abc", "{} x", "nul"};
    const char *msg[] = {"invalid json: 'at byte 6': unexpected character",
                         "invalid json: 'at byte 5': expected ',' or ']'",
                         "invalid json: 'at byte 6': expected ':'",
                         "invalid json: 'at byte 5': unterminated string",
                         "invalid json: 'at byte 4': text after the value",
                         "invalid json: 'at byte 1': unexpected character"};
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) err = NULL;
        cr_expect_null(jval_parse(bad[i], strlen(bad[i]), &err), "%s", bad[i]);
        cr_expect_str_eq(err ? err->message : "", msg[i], "%s", bad[i]);
    }
}

/* The writer's escapes: what alert files hold, byte for byte. */
typedef struct {
    const char *in;
    gsize n;
    const char *out;
} EscapeCase;

static const EscapeCase escape_cases[] = {
    {"plain", 5, "\"plain\""},
    {"", 0, "\"\""},
    {"a\"b", 3, "\"a\\\"b\""},    /* quote */
    {"a\\b", 3, "\"a\\\\b\""},    /* backslash */
    {"a\tb", 3, "\"a\\tb\""},     /* tab */
    {"a\nb", 3, "\"a\\nb\""},     /* newline */
    {"a\rb", 3, "\"a\\u000db\""}, /* other control bytes as \u00XX */
    {"\x01\x1f", 2, "\"\\u0001\\u001f\""},
    {"a\0b", 3, "\"a\\u0000b\""}, /* a NUL inside a length-given string */
    {"caf\xc3\xa9 \xe2\x82\xac", 9, "\"caf\xc3\xa9 \xe2\x82\xac\""}, /* UTF-8 kept */
    {"\x7f/", 2, "\"\x7f/\""},           /* DEL and '/' need no escape */
    {"x\xff\xc3y", 4, "\"x\xff\xc3y\""}, /* invalid UTF-8 copied as it is */
};

Test(jval, write_string_escapes)
{
    for (gsize i = 0; i < G_N_ELEMENTS(escape_cases); i++) {
        const EscapeCase *c = &escape_cases[i];
        g_autoptr(GString) out = g_string_new(NULL);
        jval_write_string_len(out, c->in, c->n);
        cr_expect_str_eq(out->str, c->out, "case %zu", i);
    }
}

Test(jval, write_string_stops_at_nul)
{
    g_autoptr(GString) out = g_string_new(NULL);
    jval_write_string(out, "a\tb");
    cr_expect_str_eq(out->str, "\"a\\tb\"");
}

/* Members and elements get their commas from what the buffer ends with. */
Test(jval, write_members_and_elements)
{
    g_autoptr(GString) out = g_string_new("{\"first\":1}\n");
    jval_write_open(out, NULL, '{');
    jval_write_str(out, "a", "x");
    jval_write_str(out, "b", NULL);
    jval_write_open(out, "c", '[');
    jval_write_sep(out);
    jval_write_string(out, "p");
    jval_write_sep(out);
    jval_write_string(out, "q");
    g_string_append(out, "]");
    jval_write_open(out, "d", '{');
    jval_write_key(out, "e");
    g_string_append(out, "2}}");
    cr_expect_str_eq(out->str,
                     "{\"first\":1}\n{\"a\":\"x\",\"b\":null,\"c\":[\"p\",\"q\"],\"d\":{\"e\":2}}");
}

/* A string written and read back is the same bytes, tab and all. */
Test(jval, written_strings_read_back)
{
    const char *s = "tab\there \"q\" back\\slash\nnew \x01 caf\xc3\xa9";
    g_autoptr(GString) out = g_string_new(NULL);
    jval_write_string(out, s);
    g_autoptr(JVal) j = jval_parse(out->str, out->len, NULL);
    cr_assert_not_null(j);
    cr_expect_str_eq(jval_text(j), s);
}
