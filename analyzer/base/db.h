/* db.h: PostgreSQL through libpq: connections, queries, COPY, the schema
 * and its migrations, the run lock, the accounts export.
 *
 * A connection string is a libpq conninfo ("dbname=aml host=db1") or URI
 * ("postgresql://db1/aml"); "" or NULL means libpq's environment (PGHOST,
 * PGDATABASE, PGSERVICE, ...). Passwords come only through libpq's own
 * means (PGPASSFILE, the service file, PGPASSWORD): a connection string
 * holding one is refused, and no message ever shows a connection string,
 * only "database 'NAME' on HOST:PORT". Every query that carries a value
 * sends it as a parameter (PQexecParams); SQL text is constant, but for
 * the scan's COPY, which takes no parameters: its bounds and channels are
 * literals quoted by libpq (read/source_pg.c). Sessions
 * run with TimeZone UTC and DateStyle ISO, so timestamps read back as
 * "2024-03-01 09:10:00+00". */
#ifndef MT_DB_H
#define MT_DB_H

#include <glib.h>
#include <libpq-fe.h>

/* One migration: schema/migrations/NNN_name.sql, embedded at build time
 * by tools/embed-migrations.sh. */
typedef struct {
    int version;
    const char *name;
    const char *sql;
} DbMigration;

/* The embedded migrations in version order, ended by {0, NULL, NULL}. */
extern const DbMigration db_migrations[];

#define DB_ERROR db_error_quark()
GQuark db_error_quark(void);

typedef enum {
    DB_ERROR_CONNINFO,  /* the connection string is malformed or holds a password */
    DB_ERROR_CONNECT,   /* the server cannot be reached or refuses us */
    DB_ERROR_QUERY,     /* a query or COPY failed (includes a lost connection) */
    DB_ERROR_SCHEMA,    /* the schema is missing, older or newer than this program */
    DB_ERROR_LOCKED,    /* another run holds the run lock */
    DB_ERROR_DUPLICATE, /* a unique key was violated (SQLSTATE 23505) */
    DB_ERROR_WATERMARK, /* the incremental watermark lies after the clock */
} DbError;

/* Connects and sets up the session (UTF8, TimeZone UTC, DateStyle ISO).
 * conninfo may be NULL or "" for the environment. Caller frees with
 * PQfinish. NULL with error on failure. */
PGconn *db_connect(const char *conninfo, GError **error);
/* "database 'NAME' on HOST:PORT", for messages; caller frees. */
char *db_describe(PGconn *conn);
/* TRUE if s looks like a connection string (a postgres:// or postgresql://
 * URI, or key=value pairs) rather than a file name. */
gboolean db_is_conninfo(const char *s);
/* TRUE if s is a postgres:// or postgresql:// URI. */
gboolean db_is_uri(const char *s);

/* Runs sql with n text parameters. Returns the result (tuples or command
 * ok; caller frees with PQclear) or NULL with error "WHAT database '...'
 * on ...: REASON". */
PGresult *db_exec(PGconn *conn, const char *what, const char *sql, int n, const char *const *params,
                  GError **error);
/* As db_exec for a command whose result is not needed. */
gboolean db_command(PGconn *conn, const char *what, const char *sql, int n,
                    const char *const *params, GError **error);
/* Sets error from the connection's last failure or from res (may be NULL). */
void db_set_error(GError **error, PGconn *conn, const PGresult *res, const char *what);

/* COPY ... FROM STDIN: starts it; puts bytes; ends it (abort_reason NULL
 * to commit the COPY, else it is cancelled with that reason). */
gboolean db_copy_in_begin(PGconn *conn, const char *what, const char *sql, GError **error);
gboolean db_copy_put(PGconn *conn, const char *what, const char *buf, size_t len, GError **error);
gboolean db_copy_in_end(PGconn *conn, const char *what, const char *abort_reason, GError **error);

/* The highest migration embedded in this program. */
int db_schema_latest(void);
/* The database's schema version: 0 when not initialised; -1 with error. */
int db_schema_version(PGconn *conn, GError **error);
/* Applies every missing migration, each in one transaction under an
 * advisory lock, recording it in schema_version. *before and *after get
 * the versions. Idempotent. */
gboolean db_migrate(PGconn *conn, int *before, int *after, GError **error);
/* TRUE if the schema is at db_schema_latest(); otherwise an error whose
 * message names the command that fixes it. */
gboolean db_check_schema(PGconn *conn, GError **error);

/* Takes the session-level lock that lets one scan at a time record runs
 * and store alerts in this database; DB_ERROR_LOCKED if another holds it.
 * Released when the connection closes. */
gboolean db_lock_runs(PGconn *conn, GError **error);

/* The watermark of the incremental runs (the latest of the succeeded
 * ones, UTC seconds) in *ts: TRUE if there is one; FALSE with *error set
 * on a database failure, FALSE and no error when there is none. */
gboolean db_watermark(PGconn *conn, gint64 *ts, GError **error);

/* The accounts table as CSV with the header of the generator's
 * accounts.csv (account_id,customer_id,kind,...,opened_at), written to
 * path (replaced). Returns the number of accounts, or -1 with error. */
gint64 db_export_accounts(PGconn *conn, const char *path, GError **error);
/* The columns of the accounts table in the order of accounts.csv,
 * ended by NULL. */
extern const char *const db_account_columns[];

#endif
