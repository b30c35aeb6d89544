/* Tests of db.c and cmd_db.c that need no server: which arguments are
 * connection strings, "--db" standing alone, connection strings refused
 * before any connection (with nothing of them echoed), the embedded
 * migrations. The server-side behaviour is tested end to end
 * (tests/e2e/t_pg_*.sh). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "cli/cmd.h"
#include "base/db.h"

typedef struct {
    char arg[64];
    int uri, conninfo;
} ConninfoCase;

ParameterizedTestParameters(db, is_conninfo)
{
    static ConninfoCase cases[] = {
        {"postgresql://db1/aml", 1, 1}, {"postgres:///aml?host=/run/pg", 1, 1},
        {"dbname=aml host=db1", 0, 1},  {"", 0, 1},
        {"transactions.csv", 0, 0},     {"/data/2024-03.csv.gz", 0, 0},
        {"postgresql.csv", 0, 0},
    };
    return cr_make_param_array(ConninfoCase, cases, sizeof cases / sizeof cases[0]);
}

ParameterizedTest(ConninfoCase *c, db, is_conninfo)
{
    cr_expect_eq(db_is_uri(c->arg), c->uri, "db_is_uri(\"%s\")", c->arg);
    cr_expect_eq(db_is_conninfo(c->arg), c->conninfo, "db_is_conninfo(\"%s\")", c->arg);
}

Test(db, bare_db_option_means_the_environment)
{
    char a0[] = "load", a1[] = "--db", a2[] = "day1.csv", a3[] = "--db", a4[] = "dbname=aml";
    char a5[] = "--db";
    char *argv[] = {a0, a1, a2, a3, a4, a5, NULL};
    cmd_db_arg_fix(6, argv);
    cr_expect_str_eq(argv[1], "--db="); /* a file follows: not a connection string */
    cr_expect_str_eq(argv[2], "day1.csv");
    cr_expect_str_eq(argv[3], "--db");  /* a connection string follows */
    cr_expect_str_eq(argv[5], "--db="); /* last argument */
}

Test(db, password_in_connection_string_is_refused_unechoed)
{
    GError *err = NULL;
    PGconn *c = db_connect("host=/nonexistent dbname=aml password=hunter2", &err);
    cr_assert_null(c);
    cr_assert_not_null(err);
    cr_expect_eq(err->code, DB_ERROR_CONNINFO);
    cr_expect_null(strstr(err->message, "hunter2"));
    cr_expect_str_eq(err->message, "cannot use the connection string: it holds a password; give "
                                   "passwords through PGPASSFILE, the service file or PGPASSWORD "
                                   "instead");
    g_error_free(err);
}

Test(db, malformed_connection_string_is_not_echoed)
{
    GError *err = NULL;
    PGconn *c = db_connect("dbname secret-ish", &err);
    cr_assert_null(c);
    cr_expect_eq(err->code, DB_ERROR_CONNINFO);
    cr_expect_null(strstr(err->message, "secret-ish"));
    g_error_free(err);
}

Test(db, unreachable_server_names_database_host_and_port)
{
    GError *err = NULL;
    PGconn *c = db_connect("host=/nonexistent-dir port=5999 dbname=aml user=ana", &err);
    cr_assert_null(c);
    cr_expect_eq(err->code, DB_ERROR_CONNECT);
    cr_expect(g_str_has_prefix(err->message,
                               "cannot connect to database 'aml' on /nonexistent-dir:5999: "),
              "%s", err->message);
    g_error_free(err);
}

Test(db, migrations_are_embedded_in_order)
{
    cr_expect_eq(db_migrations[0].version, 1);
    cr_expect_str_eq(db_migrations[0].name, "initial");
    cr_expect_not_null(strstr(db_migrations[0].sql, "CREATE TABLE transactions"));
    int i = 1;
    for (; db_migrations[i].sql; i++)
        cr_expect_gt(db_migrations[i].version, db_migrations[i - 1].version);
    cr_expect_eq(db_schema_latest(), db_migrations[i - 1].version);
}
