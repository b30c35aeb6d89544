/* cmd_db.c: `moneytrail db init|status|set-watermark|scan-sql`: the
 * database schema and the incremental watermark.
 *
 * init creates or upgrades the schema through the embedded numbered
 * migrations (db.h), idempotently; status says the schema version, what
 * the tables hold and the watermark of the incremental runs (with a
 * warning when it lies after the clock: a stored outlier that would blind
 * every later night); set-watermark moves that watermark by hand, recorded
 * as a run of its own; scan-sql prints the COPY statement a scan runs, for
 * benchmarks and for a DBA's EXPLAIN. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/scan_pg.h"
#include "base/db.h"
#include "base/limits.h"
#include "base/tstamp.h"
#include "read/source_pg.h"

void cmd_db_arg_fix(int argc, char **argv)
{
    static char bare[] = "--db=";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return;
        if (strcmp(argv[i], "--db") == 0 &&
            (i + 1 == argc || argv[i + 1][0] == '-' || !db_is_conninfo(argv[i + 1])))
            argv[i] = bare;
    }
}

static int db_init(PGconn *conn, const char *where)
{
    g_autoptr(GError) err = NULL;
    int before, after;
    if (!db_migrate(conn, &before, &after, &err)) {
        cmd_error("db init", "%s", err->message);
        return EXIT_DATA;
    }
    if (before == after)
        printf("db init: %s: schema already at version %d\n", where, after);
    else if (before == 0)
        printf("db init: %s: schema created at version %d\n", where, after);
    else
        printf("db init: %s: schema upgraded from version %d to %d\n", where, before, after);
    return EXIT_OK;
}

static int db_status(PGconn *conn, const char *where)
{
    g_autoptr(GError) err = NULL;
    int v = db_schema_version(conn, &err);
    if (v < 0) {
        cmd_error("db status", "%s", err->message);
        return EXIT_DATA;
    }
    printf("%s: schema version %d (this moneytrail: %d)\n", where, v, db_schema_latest());
    if (!db_check_schema(conn, &err)) {
        cmd_error("db status", "%s", err->message);
        return EXIT_DATA;
    }
    PGresult *res = db_exec(conn, "cannot read the status of",
                            "SELECT (SELECT count(*) FROM transactions), (SELECT min(ts) FROM "
                            "transactions)::text, (SELECT max(ts) FROM transactions)::text, "
                            "(SELECT count(*) FROM accounts), (SELECT count(*) FROM alerts), "
                            "(SELECT count(*) FROM runs), (SELECT max(watermark) FROM runs WHERE "
                            "status = 'succeeded' AND incremental)::text, (SELECT "
                            "coalesce(sum(rows), 0) FROM late_loads WHERE evaluated_by IS NULL), "
                            "(SELECT min(earliest) FROM late_loads WHERE evaluated_by IS "
                            "NULL)::text",
                            0, NULL, &err);
    if (!res) {
        cmd_error("db status", "%s", err->message);
        return EXIT_DATA;
    }
    printf("transactions: %s (%s .. %s)\naccounts: %s\nalerts: %s\nruns: %s\nwatermark: %s\n",
           PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
           PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5),
           PQgetisnull(res, 0, 6) ? "none" : PQgetvalue(res, 0, 6));
    if (strcmp(PQgetvalue(res, 0, 7), "0") != 0)
        printf("late rows: %s loaded behind the watermark, the earliest at %s: the next "
               "incremental run evaluates them\n",
               PQgetvalue(res, 0, 7), PQgetvalue(res, 0, 8));
    PQclear(res);
    gint64 mark;
    if (db_watermark(conn, &mark, &err) &&
        mark > g_get_real_time() / G_USEC_PER_SEC + LIMIT_TS_FUTURE_SECONDS)
        printf("watermark: after the clock: every incremental run would read nothing new; "
               "repair with `moneytrail db set-watermark TIME --yes`\n");
    return EXIT_OK;
}

/* Moves the watermark of the incremental runs to `text`: later watermarks
 * are lowered to it, and a run of its own (source "db set-watermark")
 * records the change and what it was; without --yes only says what it
 * would do. */
static int db_set_watermark(PGconn *conn, const char *text, gboolean yes)
{
    g_autoptr(GError) err = NULL;
    gint64 to, was;
    char a[32], b[32];
    if (!scan_pg_parse_time("db set-watermark", "TIME", text, &to))
        return EXIT_USAGE;
    gboolean had = db_watermark(conn, &was, &err);
    if (err) {
        cmd_error("db set-watermark", "%s", err->message);
        return EXIT_DATA;
    }
    const char *from = had ? tstamp_format_utc(was, a) : "none";
    tstamp_format_utc(to, b);
    if (!yes) {
        printf("db set-watermark: would move the watermark from %s to %s; nothing changed: "
               "run again with --yes\n",
               from, b);
        return EXIT_USAGE;
    }
    g_autofree char *source = g_strdup_printf("db set-watermark (was %s)", from);
    const char *params[] = {b, source};
    if (!db_lock_runs(conn, &err) ||
        !db_command(conn, "cannot set the watermark in", "BEGIN", 0, NULL, &err) ||
        !db_command(conn, "cannot set the watermark in",
                    "UPDATE runs SET watermark = $1::timestamptz WHERE status = 'succeeded'"
                    " AND incremental AND watermark > $1::timestamptz",
                    1, params, &err) ||
        !db_command(conn, "cannot set the watermark in",
                    "INSERT INTO runs (source, incremental, rules_digest, status, finished,"
                    " watermark) VALUES ($2, true, 'none', 'succeeded', clock_timestamp(),"
                    " $1::timestamptz)",
                    2, params, &err) ||
        !db_command(conn, "cannot set the watermark in", "COMMIT", 0, NULL, &err)) {
        cmd_error("db set-watermark", "%s", err->message);
        return EXIT_DATA;
    }
    printf("db set-watermark: watermark moved from %s to %s; the next incremental run reads "
           "the rows after it\n",
           from, b);
    return EXIT_OK;
}

int cmd_db(int argc, char **argv)
{
    char *db = NULL;
    gboolean yes = FALSE;
    GOptionEntry entries[] = {
        {"yes", 0, 0, G_OPTION_ARG_NONE, &yes, "set-watermark: really move it", NULL},
        {"db", 0, 0, G_OPTION_ARG_STRING, &db,
         "libpq connection string or URI (default, or '--db' alone: the PG* environment)",
         "CONNINFO"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    cmd_db_arg_fix(argc, argv);
    g_autoptr(GOptionContext) ctx = g_option_context_new("init|status|set-watermark TIME|scan-sql");
    g_option_context_set_summary(ctx, "init: create or upgrade the schema (idempotent)\n"
                                      "status: schema version, what the tables hold, the "
                                      "watermark\n"
                                      "set-watermark TIME: move the incremental runs' watermark "
                                      "(with --yes)\n"
                                      "scan-sql: the COPY statement that a scan runs");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!cmd_parse_options(ctx, &argc, &argv, "db")) {
        g_free(db);
        return EXIT_USAGE;
    }
    const char *verb =
        argc == 2 || (argc == 3 && strcmp(argv[1], "set-watermark") == 0) ? argv[1] : "";
    int rc = EXIT_USAGE;
    if (strcmp(verb, "scan-sql") == 0) {
        SourcePgQuery all = {.from = G_MININT64, .to = G_MAXINT64};
        g_autofree char *sql = source_pg_copy_sql(NULL, &all);
        printf("%s\n", sql);
        rc = EXIT_OK;
    } else if (strcmp(verb, "init") == 0 || strcmp(verb, "status") == 0 ||
               strcmp(verb, "set-watermark") == 0) {
        g_autoptr(GError) err = NULL;
        PGconn *conn = db_connect(db, &err);
        if (!conn) {
            cmd_error("db", "%s", err->message);
            rc = EXIT_DATA;
        } else {
            g_autofree char *where = db_describe(conn);
            rc = verb[0] == 'i'   ? db_init(conn, where)
                 : verb[1] == 't' ? db_status(conn, where)
                                  : db_set_watermark(conn, argv[2], yes);
            PQfinish(conn);
        }
    } else {
        cmd_error("db", "expected one of init, status, set-watermark TIME, scan-sql (see --help)");
    }
    g_free(db);
    return rc;
}
