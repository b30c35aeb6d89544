/* pgdrain.c: the smallest libpq client that drains a COPY ... TO STDOUT,
 * for tools/bench-pg to measure moneytrail's database source against.
 *
 * usage: pgdrain CONNINFO SQL [SQL...]: runs every SQL but the last with
 * PQexec (session set-up), then runs the last, a COPY TO STDOUT, reads
 * every row and throws it away, and prints "ROWS BYTES" on stdout. The
 * session is set up as moneytrail's is (UTF8, TimeZone UTC, DateStyle
 * ISO), so that the server does the same work for both. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

static int fail(PGconn *conn, const char *what)
{
    fprintf(stderr, "pgdrain: %s: %s", what, PQerrorMessage(conn));
    PQfinish(conn);
    return 1;
}

static int run(PGconn *conn, const char *sql, ExecStatusType want)
{
    PGresult *res = PQexec(conn, sql);
    int ok = PQresultStatus(res) == want;
    PQclear(res);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: pgdrain CONNINFO SQL [SQL...]\n");
        return 2;
    }
    PGconn *conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK)
        return fail(conn, "cannot connect");
    if (PQsetClientEncoding(conn, "UTF8") != 0 ||
        !run(conn, "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'", PGRES_COMMAND_OK))
        return fail(conn, "cannot set up the session");
    for (int i = 2; i < argc - 1; i++)
        if (!run(conn, argv[i], PGRES_COMMAND_OK) && !run(conn, argv[i], PGRES_TUPLES_OK))
            return fail(conn, "set-up statement failed");
    PGresult *res = PQexec(conn, argv[argc - 1]);
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        PQclear(res);
        return fail(conn, "not a COPY TO STDOUT");
    }
    PQclear(res);
    long long rows = 0, bytes = 0;
    char *buf;
    int n;
    while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
        rows++;
        bytes += n;
        PQfreemem(buf);
    }
    if (n == -2)
        return fail(conn, "copy failed");
    while ((res = PQgetResult(conn))) {
        int bad = PQresultStatus(res) != PGRES_COMMAND_OK;
        PQclear(res);
        if (bad)
            return fail(conn, "copy failed");
    }
    printf("%lld %lld\n", rows, bytes);
    PQfinish(conn);
    return 0;
}
