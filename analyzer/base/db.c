/* db.c: PostgreSQL through libpq (see db.h).
 *
 * Invariants: no message carries a connection string or a password; SQL
 * text is constant and values travel as parameters; every PGresult is
 * cleared on every path. */
#include "base/db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Advisory lock keys: (DB_LOCK_SPACE, n), "mt" in ASCII. */
#define DB_LOCK_SPACE      "28020"
#define DB_LOCK_RUNS       "1"
#define DB_LOCK_MIGRATIONS "2"

const char *const db_account_columns[] = {
    "account_id",
    "customer_id",
    "kind",
    "name",
    "birth_date",
    "country",
    "region",
    "city",
    "address",
    "phone",
    "email",
    "occupation",
    "declared_monthly_income",
    "business_mcc",
    "opening_hours",
    "employees",
    "opened_at",
    NULL,
};

G_DEFINE_QUARK(moneytrail - db - error - quark, db_error)

gboolean db_is_uri(const char *s)
{
    return s && (g_str_has_prefix(s, "postgresql://") || g_str_has_prefix(s, "postgres://"));
}

gboolean db_is_conninfo(const char *s)
{
    return s && (db_is_uri(s) || *s == '\0' || strchr(s, '=') != NULL);
}

/* The value of keyword in parsed options, or NULL. */
static const char *db_opt(const PQconninfoOption *opts, const char *keyword)
{
    for (const PQconninfoOption *o = opts; o && o->keyword; o++)
        if (strcmp(o->keyword, keyword) == 0 && o->val && *o->val)
            return o->val;
    return NULL;
}

/* "database 'NAME' on HOST:PORT" from parsed options and the environment. */
static char *db_describe_opts(const PQconninfoOption *opts)
{
    PQconninfoOption *defs = PQconndefaults();
    const char *db = db_opt(opts, "dbname"), *host = db_opt(opts, "host");
    const char *port = db_opt(opts, "port"), *user = db_opt(opts, "user");
    if (!user)
        user = db_opt(defs, "user");
    if (!db)
        db = db_opt(defs, "dbname") ? db_opt(defs, "dbname") : user;
    if (!host)
        host = db_opt(defs, "host") ? db_opt(defs, "host") : "localhost";
    if (!port)
        port = db_opt(defs, "port") ? db_opt(defs, "port") : "5432";
    char *s = g_strdup_printf("database '%s' on %s:%s", db ? db : "?", host, port);
    PQconninfoFree(defs);
    return s;
}

char *db_describe(PGconn *conn)
{
    const char *host = PQhost(conn);
    return g_strdup_printf("database '%s' on %s:%s", PQdb(conn), host && *host ? host : "localhost",
                           PQport(conn));
}

/* The first line of a libpq message, without "ERROR:  " and the newline. */
static char *db_reason(const char *msg)
{
    if (!msg || !*msg)
        return g_strdup("unknown error");
    if (g_str_has_prefix(msg, "ERROR:  ") || g_str_has_prefix(msg, "FATAL:  "))
        msg += 8;
    const char *nl = strchr(msg, '\n');
    return g_strndup(msg, nl ? (gsize)(nl - msg) : strlen(msg));
}

void db_set_error(GError **error, PGconn *conn, const PGresult *res, const char *what)
{
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
    g_autofree char *reason = db_reason(primary ? primary : PQerrorMessage(conn));
    g_autofree char *where = db_describe(conn);
    g_autofree char *ctx = context ? db_reason(context) : NULL;
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    int code = state && strcmp(state, "23505") == 0 ? DB_ERROR_DUPLICATE : DB_ERROR_QUERY;
    g_set_error(error, DB_ERROR, code, "%s %s: %s%s%s%s", what, where, reason, ctx ? " (" : "",
                ctx ? ctx : "", ctx ? ")" : "");
}

/* Parses conninfo without echoing it; refuses a password in it. */
static PQconninfoOption *db_parse(const char *conninfo, GError **error)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(conninfo, &err);
    if (!opts) {
        PQfreemem(err);
        g_set_error(error, DB_ERROR, DB_ERROR_CONNINFO,
                    "cannot use the connection string: it is not a libpq key=value string or "
                    "postgresql:// URI");
        return NULL;
    }
    if (db_opt(opts, "password")) {
        PQconninfoFree(opts);
        g_set_error(error, DB_ERROR, DB_ERROR_CONNINFO,
                    "cannot use the connection string: it holds a password; give passwords "
                    "through PGPASSFILE, the service file or PGPASSWORD instead");
        return NULL;
    }
    return opts;
}

/* Notices ("relation already exists, skipping") are not for the user. */
static void db_ignore_notice(void *arg, const char *message) {}

static gboolean db_session(PGconn *conn, GError **error)
{
    PQsetNoticeProcessor(conn, db_ignore_notice, NULL);
    if (PQsetClientEncoding(conn, "UTF8") != 0) {
        db_set_error(error, conn, NULL, "cannot set the client encoding of");
        return FALSE;
    }
    return db_command(conn, "cannot set up the session of",
                      "SELECT set_config('TimeZone', 'UTC', false), "
                      "set_config('DateStyle', 'ISO, YMD', false), "
                      "set_config('application_name', 'moneytrail', false)",
                      0, NULL, error);
}

PGconn *db_connect(const char *conninfo, GError **error)
{
    const char *ci = conninfo ? conninfo : "";
    PQconninfoOption *opts = db_parse(ci, error);
    if (!opts)
        return NULL;
    PGconn *conn = PQconnectdb(ci);
    if (PQstatus(conn) != CONNECTION_OK) {
        g_autofree char *where = db_describe_opts(opts);
        g_autofree char *reason = g_strstrip(g_strdup(PQerrorMessage(conn)));
        for (char *p = reason; *p; p++)
            if (*p == '\n' || *p == '\t')
                *p = ' ';
        g_set_error(error, DB_ERROR, DB_ERROR_CONNECT, "cannot connect to %s: %s", where,
                    *reason ? reason : "unknown error");
        PQconninfoFree(opts);
        PQfinish(conn);
        return NULL;
    }
    PQconninfoFree(opts);
    if (!db_session(conn, error)) {
        PQfinish(conn);
        return NULL;
    }
    return conn;
}

PGresult *db_exec(PGconn *conn, const char *what, const char *sql, int n, const char *const *params,
                  GError **error)
{
    PGresult *res = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        return res;
    db_set_error(error, conn, res, what);
    PQclear(res);
    return NULL;
}

gboolean db_command(PGconn *conn, const char *what, const char *sql, int n,
                    const char *const *params, GError **error)
{
    PGresult *res = db_exec(conn, what, sql, n, params, error);
    PQclear(res);
    return res != NULL;
}

gboolean db_copy_in_begin(PGconn *conn, const char *what, const char *sql, GError **error)
{
    PGresult *res = PQexec(conn, sql);
    gboolean ok = PQresultStatus(res) == PGRES_COPY_IN;
    if (!ok)
        db_set_error(error, conn, res, what);
    PQclear(res);
    return ok;
}

gboolean db_copy_put(PGconn *conn, const char *what, const char *buf, size_t len, GError **error)
{
    if (PQputCopyData(conn, buf, (int)len) == 1)
        return TRUE;
    db_set_error(error, conn, NULL, what);
    return FALSE;
}

/* Collects the results after a COPY ended; FALSE on an error result. */
static gboolean db_copy_results(PGconn *conn, const char *what, GError **error)
{
    gboolean ok = TRUE;
    PGresult *res;
    while ((res = PQgetResult(conn))) {
        if (ok && PQresultStatus(res) != PGRES_COMMAND_OK) {
            db_set_error(error, conn, res, what);
            ok = FALSE;
        }
        PQclear(res);
    }
    return ok;
}

gboolean db_copy_in_end(PGconn *conn, const char *what, const char *abort_reason, GError **error)
{
    if (PQputCopyEnd(conn, abort_reason) != 1) {
        db_set_error(error, conn, NULL, what);
        return FALSE;
    }
    GError *e = NULL;
    gboolean ok = db_copy_results(conn, what, &e);
    if (abort_reason) /* the cancel's own error is expected */
        g_clear_error(&e);
    if (e)
        g_propagate_error(error, e);
    return abort_reason ? TRUE : ok;
}

int db_schema_latest(void)
{
    int v = 0;
    for (const DbMigration *m = db_migrations; m->sql; m++)
        v = MAX(v, m->version);
    return v;
}

int db_schema_version(PGconn *conn, GError **error)
{
    const char *what = "cannot read the schema version of";
    PGresult *res =
        db_exec(conn, what, "SELECT to_regclass('schema_version') IS NOT NULL", 0, NULL, error);
    if (!res)
        return -1;
    gboolean exists = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!exists)
        return 0;
    res =
        db_exec(conn, what, "SELECT coalesce(max(version), 0) FROM schema_version", 0, NULL, error);
    if (!res)
        return -1;
    int v = atoi(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

static gboolean db_rollback(PGconn *conn)
{
    PGresult *res = PQexec(conn, "ROLLBACK");
    PQclear(res);
    return FALSE;
}

/* Applies one migration in its own transaction, unless a concurrent
 * `db init` did it first (the lock makes that visible). */
static gboolean db_apply(PGconn *conn, const DbMigration *m, GError **error)
{
    const char *what = "cannot migrate";
    if (!db_command(conn, what, "BEGIN", 0, NULL, error) ||
        !db_command(conn, what,
                    "SELECT pg_advisory_xact_lock(" DB_LOCK_SPACE ", " DB_LOCK_MIGRATIONS ")", 0,
                    NULL, error))
        return db_rollback(conn);
    int now = db_schema_version(conn, error);
    if (now < 0)
        return db_rollback(conn);
    if (now >= m->version)
        return db_command(conn, what, "COMMIT", 0, NULL, error);
    PGresult *res = PQexec(conn, m->sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
        g_autofree char *w =
            g_strdup_printf("cannot apply migration %03d_%s to", m->version, m->name);
        db_set_error(error, conn, res, w);
        PQclear(res);
        return db_rollback(conn);
    }
    PQclear(res);
    char ver[16];
    g_snprintf(ver, sizeof ver, "%d", m->version);
    const char *params[] = {ver, m->name};
    if (!db_command(conn, what, "INSERT INTO schema_version (version, name) VALUES ($1, $2)", 2,
                    params, error))
        return db_rollback(conn);
    return db_command(conn, what, "COMMIT", 0, NULL, error);
}

gboolean db_migrate(PGconn *conn, int *before, int *after, GError **error)
{
    if (!db_command(conn, "cannot create the schema_version table in",
                    "CREATE TABLE IF NOT EXISTS schema_version ("
                    " version integer PRIMARY KEY,"
                    " name text NOT NULL,"
                    " applied_at timestamptz NOT NULL DEFAULT now())",
                    0, NULL, error))
        return FALSE;
    if ((*before = db_schema_version(conn, error)) < 0)
        return FALSE;
    for (const DbMigration *m = db_migrations; m->sql; m++)
        if (m->version > *before && !db_apply(conn, m, error))
            return FALSE;
    *after = db_schema_version(conn, error);
    return *after >= 0;
}

gboolean db_check_schema(PGconn *conn, GError **error)
{
    int v = db_schema_version(conn, error), latest = db_schema_latest();
    if (v < 0)
        return FALSE;
    if (v == latest)
        return TRUE;
    g_autofree char *where = db_describe(conn);
    if (v == 0)
        g_set_error(error, DB_ERROR, DB_ERROR_SCHEMA,
                    "%s has no moneytrail schema: run 'moneytrail db init' to create it", where);
    else if (v < latest)
        g_set_error(error, DB_ERROR, DB_ERROR_SCHEMA,
                    "%s has schema version %d, this moneytrail needs %d: run 'moneytrail db init' "
                    "to upgrade it",
                    where, v, latest);
    else
        g_set_error(error, DB_ERROR, DB_ERROR_SCHEMA,
                    "%s has schema version %d, newer than this moneytrail knows (%d): use a newer "
                    "moneytrail",
                    where, v, latest);
    return FALSE;
}

gboolean db_lock_runs(PGconn *conn, GError **error)
{
    PGresult *res =
        db_exec(conn, "cannot take the run lock of",
                "SELECT pg_try_advisory_lock(" DB_LOCK_SPACE ", " DB_LOCK_RUNS ")", 0, NULL, error);
    if (!res)
        return FALSE;
    gboolean got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!got) {
        g_autofree char *where = db_describe(conn);
        g_set_error(error, DB_ERROR, DB_ERROR_LOCKED,
                    "another moneytrail run is storing alerts in %s (it holds the run lock): "
                    "try again when it has finished",
                    where);
    }
    return got;
}

gboolean db_watermark(PGconn *conn, gint64 *ts, GError **error)
{
    PGresult *res = db_exec(conn, "cannot read the watermark of",
                            "SELECT extract(epoch FROM max(watermark))::bigint FROM runs"
                            " WHERE status = 'succeeded' AND incremental",
                            0, NULL, error);
    if (!res)
        return FALSE;
    gboolean has = !PQgetisnull(res, 0, 0);
    *ts = has ? g_ascii_strtoll(PQgetvalue(res, 0, 0), NULL, 10) : 0;
    PQclear(res);
    return has;
}

/* Drains a COPY TO STDOUT into f; FALSE with error on a database or
 * write failure. */
static gboolean db_copy_out_to(PGconn *conn, FILE *f, const char *path, gint64 *rows,
                               GError **error)
{
    const char *what = "cannot export the accounts of";
    char *buf;
    int n;
    gboolean write_ok = TRUE;
    while ((n = PQgetCopyData(conn, &buf, 0)) > 0) {
        write_ok = write_ok && fwrite(buf, 1, (size_t)n, f) == (size_t)n;
        (*rows)++;
        PQfreemem(buf);
    }
    if (n == -2) {
        db_set_error(error, conn, NULL, what);
        return FALSE;
    }
    if (!db_copy_results(conn, what, error))
        return FALSE;
    if (!write_ok || fflush(f) != 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write '%s': %s", path,
                    g_strerror(e));
        return FALSE;
    }
    return TRUE;
}

gint64 db_export_accounts(PGconn *conn, const char *path, GError **error)
{
    g_autofree char *cols = g_strjoinv(", ", (char **)db_account_columns);
    g_autofree char *sql = g_strdup_printf("COPY (SELECT %s FROM accounts ORDER BY account_id) "
                                           "TO STDOUT (FORMAT csv, HEADER true)",
                                           cols);
    FILE *f = fopen(path, "w");
    if (!f) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot create '%s': %s", path,
                    g_strerror(e));
        return -1;
    }
    PGresult *res = PQexec(conn, sql);
    gboolean ok = PQresultStatus(res) == PGRES_COPY_OUT;
    if (!ok)
        db_set_error(error, conn, res, "cannot export the accounts of");
    PQclear(res);
    gint64 rows = 0;
    ok = ok && db_copy_out_to(conn, f, path, &rows, error);
    if (fclose(f) != 0 && ok) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot write '%s': %s", path,
                    g_strerror(e));
        ok = FALSE;
    }
    if (!ok)
        unlink(path);
    return ok ? rows - 1 : -1; /* the header is a row of the COPY */
}
