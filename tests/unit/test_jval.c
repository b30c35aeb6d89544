/* Tests of jval.c: parsing the JSON that alert files hold, and errors. */
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
