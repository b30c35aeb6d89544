/* cmd_load.c: `moneytrail load`: transaction exports (and an accounts
 * file) into PostgreSQL.
 *
 * Rows are decoded exactly as `scan` decodes them (any mapping profile,
 * the same rejects file and error budget) and streamed as canonical rows
 * with COPY ... FROM STDIN straight into transactions, inside a savepoint,
 * while a copy goes to a temporary file. When every id is new (a nightly
 * load) that is all. When the COPY meets an id already stored, or one the
 * files repeat, it is rolled back to the savepoint, the rows are copied
 * from the temporary file into a staging table, and only the ids not yet
 * stored are inserted: an id is skipped and counted, never stored twice.
 * Everything happens in one database transaction, so a failed load stores
 * nothing. The accounts file is staged and upserted (newer KYC data wins). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/scan_pg.h"
#include "base/db.h"
#include "read/outfile.h"
#include "read/samefile.h"
#include "read/fx.h"
#include "read/input.h"
#include "read/source.h"
#include "base/tstamp.h"

#define LOAD_FLUSH_BYTES (32 * 1024)

typedef struct {
    char *db;
    char *format;
    char *accounts;
    char *rejects;
    char *earliest_opt;
    gint64 earliest;
    gint64 max_errors;
    gboolean quiet;
    char **files;
    char *fx; /* reference rates for the fx_rates table */
} LoadOptions;

typedef struct {
    LoadOptions o;
    PGconn *conn;
    Intern *accounts, *locations;
    Input *input;
    Outfile *rejects; /* replaced only by a load that reads to its end or budget */
    FILE *spool;      /* every row sent, for the slow path after a duplicate id */
    GString *buf;
    guint64 staged, loaded, accounts_loaded, fx_loaded;
    guint64 conflicts; /* ids stored with other content: not loaded, rejected */
    gboolean has_mark; /* the incremental watermark when the load began */
    gint64 mark;
    guint64 late; /* rows loaded at or before it: late_loads */
    gint64 late_earliest;
    gint64 t0;
} Load;

static const char load_stage_sql[] =
    "CREATE TEMPORARY TABLE mt_stage_tx (tx_id text, ts timestamptz, ts_offset smallint,"
    " from_account text, to_account text, amount numeric, currency text, channel text,"
    " mcc smallint, counterparty_country text, location text, memo text) ON COMMIT DROP";

/* The fast path: a plain INSERT of the ids not yet stored. If the files
 * themselves repeat an id (or another loader stored one meanwhile) it
 * fails on the primary key, and the slower ON CONFLICT form takes over. */
#define LOAD_COLUMNS                                                                               \
    "tx_id, ts, ts_offset, from_account, to_account, amount, currency, channel, mcc,"              \
    " counterparty_country, location, memo"

/* The common case: straight into the table, as `psql \copy` would. */
static const char load_copy_sql[] = "COPY transactions (" LOAD_COLUMNS ") FROM STDIN";

static const char load_insert_sql[] =
    "INSERT INTO transactions (" LOAD_COLUMNS ") SELECT " LOAD_COLUMNS " FROM mt_stage_tx s"
    " WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.tx_id = s.tx_id)";

/* Appending to a larger table: look each staged id up in the primary key
 * rather than hash the whole table (the planner's choice otherwise). */
static const char load_probe_sql[] = "SELECT set_config('enable_hashjoin', 'off', true),"
                                     " set_config('enable_mergejoin', 'off', true)";

static const char load_upsert_sql[] =
    "INSERT INTO transactions (" LOAD_COLUMNS ") SELECT " LOAD_COLUMNS " FROM mt_stage_tx"
    " ON CONFLICT (tx_id) DO NOTHING";

/* A first load (into an empty table) drops the secondary indexes (and,
 * inside the savepoint, the primary key) and builds them again afterwards, which is several times
 * faster than maintaining them row by row (PostgreSQL's "Populating a Database"). The definitions
 * are read from the catalog, so they follow the migrations. */
static const char load_save_indexes_sql[] =
    "CREATE TEMPORARY TABLE mt_saved_indexes ON COMMIT DROP AS"
    " SELECT i.indexname, i.indexdef FROM pg_indexes i"
    " WHERE i.schemaname = current_schema() AND i.tablename = 'transactions'"
    " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid ="
    "  format('%I.%I', i.schemaname, i.indexname)::regclass)";

static const char load_drop_indexes_sql[] =
    "DO $$ DECLARE r record; BEGIN"
    " FOR r IN SELECT indexname FROM mt_saved_indexes LOOP"
    " EXECUTE format('DROP INDEX %I', r.indexname); END LOOP; END $$";

/* The primary key too, inside the savepoint (a rollback to it restores
 * the key for the slow path): saved, dropped, and built again once the
 * rows are in, as `psql \copy` into a bare table and a key built after. */
static const char load_save_pkey_sql[] =
    "CREATE TEMPORARY TABLE mt_saved_pkey ON COMMIT DROP AS"
    " SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint"
    " WHERE conrelid = 'transactions'::regclass AND contype = 'p'";

static const char load_drop_pkey_sql[] =
    "DO $$ DECLARE r record; BEGIN"
    " FOR r IN SELECT conname FROM mt_saved_pkey LOOP"
    " EXECUTE format('ALTER TABLE transactions DROP CONSTRAINT %I', r.conname); END LOOP; END $$";

static const char load_build_pkey_sql[] =
    "DO $$ DECLARE r record; BEGIN"
    " FOR r IN SELECT conname, def FROM mt_saved_pkey LOOP"
    " EXECUTE format('ALTER TABLE transactions ADD CONSTRAINT %I %s', r.conname, r.def);"
    " END LOOP; END $$";

static const char load_build_indexes_sql[] =
    "DO $$ DECLARE r record; BEGIN"
    " FOR r IN SELECT indexdef FROM mt_saved_indexes LOOP EXECUTE r.indexdef; END LOOP; END $$";

static gboolean load_parse(Load *l, int argc, char **argv)
{
    LoadOptions *o = &l->o;
    o->max_errors = LIMIT_MAX_ERRORS_DEFAULT;
    GOptionEntry entries[] = {
        {"db", 0, 0, G_OPTION_ARG_STRING, &o->db,
         "libpq connection string or URI (default, or '--db' alone: the PG* environment)",
         "CONNINFO"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &o->format,
         "mapping profile name or file (default: detected from the header)", "NAME"},
        {"accounts", 0, 0, G_OPTION_ARG_FILENAME, &o->accounts,
         "also load this accounts (KYC) CSV into the accounts table", "FILE"},
        {"rejects", 0, 0, G_OPTION_ARG_FILENAME, &o->rejects,
         "write rejected rows (file, line, column, reason, raw) as CSV to FILE", "FILE"},
        {"max-errors", 0, 0, G_OPTION_ARG_INT64, &o->max_errors,
         "fail (and store nothing) when more than N rows are rejected (default 100)", "N"},
        {"earliest", 0, 0, G_OPTION_ARG_STRING, &o->earliest_opt,
         "reject rows dated before DATE as implausible (default 1990-01-01)", "DATE"},
        {"fx", 0, 0, G_OPTION_ARG_FILENAME, &o->fx,
         "also load these reference exchange rates into the fx_rates table "
         "(docs/currencies.md)",
         "FILE"},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o->quiet, "no summary", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->files, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("[FILE...] ('-' = stdin)");
    g_option_context_set_summary(ctx, "Load transaction exports (any mapping profile, plain or "
                                      "gzip) into PostgreSQL; ids already stored are skipped.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!cmd_parse_options(ctx, &argc, &argv, "load"))
        return FALSE;
    if ((!o->files || !o->files[0]) && !o->accounts && !o->fx) {
        cmd_error("load", "nothing to load: give transaction files, --accounts FILE, --fx FILE");
        return FALSE;
    }
    if (o->max_errors < 0) {
        cmd_error("load", "--max-errors must be 0 or more");
        return FALSE;
    }
    return !o->earliest_opt ||
           scan_pg_parse_time("load", "--earliest", o->earliest_opt, &o->earliest);
}

/* Appends a field in COPY text format: \N for NULL (empty), escapes. */
static void load_field(GString *b, const char *s, gsize n, gboolean last)
{
    if (n == 0)
        g_string_append(b, "\\N");
    for (gsize i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
            g_string_append_c(b, '\\');
            c = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c;
        }
        g_string_append_c(b, c);
    }
    g_string_append_c(b, last ? '\n' : '\t');
}

static void load_str(GString *b, const char *s, gboolean last)
{
    load_field(b, s, strlen(s), last);
}

/* "12345" minor units of exponent 2 -> "123.45". */
static void load_amount(GString *b, gint64 v, int exp)
{
    char digits[32];
    int n = g_snprintf(digits, sizeof digits, "%0*" G_GINT64_FORMAT, exp + 1, v);
    g_string_append_len(b, digits, n - exp);
    if (exp > 0) {
        g_string_append_c(b, '.');
        g_string_append_len(b, digits + n - exp, exp);
    }
    g_string_append_c(b, '\t');
}

/* One decoded transaction as a row of mt_stage_tx. */
static void load_row(Load *l, const Txn *t)
{
    GString *b = l->buf;
    const TxnCore *c = &t->core;
    char ts[32], code[8];
    load_field(b, t->tx_id.ptr, t->tx_id.len, FALSE);
    load_str(b, tstamp_format_utc(c->ts, ts), FALSE);
    g_string_append_printf(b, "%d\t", c->utc_offset == TXN_OFFSET_UNKNOWN ? 0 : c->utc_offset);
    load_str(b, intern_str(l->accounts, c->from), FALSE);
    load_str(b, intern_str(l->accounts, c->to), FALSE);
    load_amount(b, c->amount, c->currency_exp);
    txn_unpack_code(c->currency, code);
    load_str(b, code, FALSE);
    load_str(b, txn_channel_name((Channel)c->channel), FALSE);
    if (c->mcc == TXN_MCC_NONE)
        g_string_append(b, "\\N\t");
    else
        g_string_append_printf(b, "%u\t", c->mcc);
    txn_unpack_code(c->country, code);
    load_str(b, code, FALSE);
    load_str(b, intern_str(l->locations, c->location), FALSE);
    load_field(b, t->memo.ptr, t->memo.len, TRUE);
    if (l->has_mark && c->ts <= l->mark) {
        l->late_earliest = l->late ? MIN(l->late_earliest, c->ts) : c->ts;
        l->late++;
    }
}

/* Sends the buffered rows to the COPY, and to the spool when there is one. */
static gboolean load_flush(Load *l, gboolean force, GError **error)
{
    if (l->buf->len < LOAD_FLUSH_BYTES && !force)
        return TRUE;
    if (l->spool && fwrite(l->buf->str, 1, l->buf->len, l->spool) != l->buf->len) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot write the load's temporary file: %s", g_strerror(errno));
        return FALSE;
    }
    gboolean ok = !l->buf->len || db_copy_put(l->conn, "cannot load transactions into", l->buf->str,
                                              l->buf->len, error);
    g_string_truncate(l->buf, 0);
    return ok;
}

/* Streams every good row into the COPY that is open; returns an exit code. */
static int load_stream(Load *l)
{
    g_autoptr(GError) err = NULL;
    InputStats st;
    Txn t;
    InputStatus is;
    while ((is = input_next(l->input, &t, &err)) == INPUT_ROW) {
        load_row(l, &t);
        l->staged++;
        input_stats(l->input, &st);
        if (st.rejected > (guint64)l->o.max_errors)
            break;
        if (!load_flush(l, FALSE, &err))
            break;
    }
    if (source_caught_signal()) {
        cmd_error("load", "interrupted by %s: nothing was loaded, the previous files kept",
                  source_signal_name(source_caught_signal()));
        return 128 + source_caught_signal();
    }
    if (err || !load_flush(l, TRUE, &err)) {
        cmd_error("load", "%s", err->message);
        return EXIT_DATA;
    }
    input_stats(l->input, &st);
    if (st.rejected > (guint64)l->o.max_errors) {
        char a[32];
        cmd_error("load",
                  "%s rows rejected, more than --max-errors %" G_GINT64_FORMAT
                  "; nothing was loaded%s%s",
                  cmd_count(st.rejected, a), l->o.max_errors, l->o.rejects ? "; see " : "",
                  l->o.rejects ? l->o.rejects : "");
        return EXIT_BUDGET;
    }
    return EXIT_OK;
}

/* Runs the fast INSERT in a savepoint; *dup is set when it hit a
 * duplicate id (and was rolled back). */
static gboolean load_insert_fast(Load *l, gboolean *dup, GError **error)
{
    const char *what = "cannot insert transactions into";
    *dup = FALSE;
    if (!db_command(l->conn, what, "SAVEPOINT mt_fast", 0, NULL, error))
        return FALSE;
    PGresult *res = PQexec(l->conn, load_insert_sql);
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
        l->loaded = g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
        PQclear(res);
        return db_command(l->conn, what, "RELEASE SAVEPOINT mt_fast", 0, NULL, error);
    }
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    *dup = state && strcmp(state, "23505") == 0; /* unique_violation */
    if (!*dup)
        db_set_error(error, l->conn, res, what);
    PQclear(res);
    return *dup && db_command(l->conn, what, "ROLLBACK TO SAVEPOINT mt_fast", 0, NULL, error);
}

/* Copies the spooled rows into a staging table. */
static gboolean load_stage_spool(Load *l, GError **error)
{
    const char *what = "cannot stage transactions in";
    char *chunk = g_malloc(LOAD_FLUSH_BYTES);
    size_t n;
    gboolean ok = db_command(l->conn, what, load_stage_sql, 0, NULL, error) &&
                  db_copy_in_begin(l->conn, what, "COPY mt_stage_tx FROM STDIN", error);
    rewind(l->spool);
    while (ok && (n = fread(chunk, 1, LOAD_FLUSH_BYTES, l->spool)) > 0)
        ok = db_copy_put(l->conn, what, chunk, n, error);
    g_free(chunk);
    return ok && db_copy_in_end(l->conn, what, NULL, error);
}

/* Staged rows whose id is stored with different content: each becomes a
 * reject (the stored and the new row in the reason) and leaves the stage,
 * so that an id never silently stands for two transactions. */
static const char load_conflict_sql[] =
    "DELETE FROM mt_stage_tx s USING transactions t WHERE t.tx_id = s.tx_id"
    " AND (s.ts, s.ts_offset, s.from_account, s.to_account, s.amount, s.currency, s.channel,"
    " s.mcc, s.counterparty_country, s.location, s.memo) IS DISTINCT FROM"
    " (t.ts, t.ts_offset, t.from_account, t.to_account, t.amount, t.currency, t.channel,"
    " t.mcc, t.counterparty_country, t.location, t.memo)"
    " RETURNING s.tx_id, concat_ws(' ', t.ts, t.from_account, t.to_account, t.amount,"
    " t.currency, t.channel), concat_ws(' ', s.ts, s.from_account, s.to_account, s.amount,"
    " s.currency, s.channel), format('%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s', s.tx_id, s.ts,"
    " s.from_account, s.to_account, s.amount, s.currency, s.channel, s.mcc,"
    " s.counterparty_country, s.location, s.memo)";

/* Writes one CSV field of a conflict reject, quoted. */
static void load_reject_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Removes and rejects the staged rows that conflict with stored ones. */
static gboolean load_reject_conflicts(Load *l, GError **error)
{
    PGresult *res =
        db_exec(l->conn, "cannot compare transactions in", load_conflict_sql, 0, NULL, error);
    if (!res)
        return FALSE;
    FILE *f = l->rejects ? outfile_stream(l->rejects) : NULL;
    l->conflicts = (guint64)PQntuples(res);
    for (int i = 0; f && i < PQntuples(res); i++) {
        g_autofree char *why = g_strdup_printf(
            "tx_id '%s' is already stored with different content (stored: %s; here: %s); "
            "this row rejected",
            PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
        load_reject_field(f, "database");
        fputs(",,,", f);
        load_reject_field(f, why);
        fputc(',', f);
        load_reject_field(f, PQgetvalue(res, i, 3));
        fputc('\n', f);
    }
    PQclear(res);
    return TRUE;
}

/* The staged rows behind the watermark whose id is new (counted again:
 * the direct COPY's count included ids already stored). */
static const char load_late_sql[] =
    "SELECT count(DISTINCT tx_id), extract(epoch FROM min(ts))::bigint FROM mt_stage_tx s"
    " WHERE ts <= to_timestamp($1::bigint)"
    " AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.tx_id = s.tx_id)";

static gboolean load_count_late(Load *l, GError **error)
{
    char mark[32];
    g_snprintf(mark, sizeof mark, "%" G_GINT64_FORMAT, l->mark);
    const char *params[] = {mark};
    PGresult *res = l->has_mark ? db_exec(l->conn, "cannot read the transactions of", load_late_sql,
                                          1, params, error)
                                : NULL;
    if (!res)
        return !l->has_mark;
    l->late = g_ascii_strtoull(PQgetvalue(res, 0, 0), NULL, 10);
    l->late_earliest = l->late ? g_ascii_strtoll(PQgetvalue(res, 0, 1), NULL, 10) : 0;
    PQclear(res);
    return TRUE;
}

/* Records the rows loaded behind the watermark for the next incremental
 * run, which evaluates them (scan_pg.c). */
static gboolean load_record_late(Load *l, GError **error)
{
    char rows[32], earliest[32], mark[32];
    g_snprintf(rows, sizeof rows, "%" G_GUINT64_FORMAT, l->late);
    g_snprintf(earliest, sizeof earliest, "%" G_GINT64_FORMAT, l->late_earliest);
    g_snprintf(mark, sizeof mark, "%" G_GINT64_FORMAT, l->mark);
    const char *params[] = {rows, earliest, mark};
    return !l->late ||
           db_command(l->conn, "cannot record the late rows in",
                      "INSERT INTO late_loads (rows, earliest, watermark)"
                      " VALUES ($1, to_timestamp($2::bigint), to_timestamp($3::bigint))",
                      3, params, error);
}

/* The slow path, after the direct COPY met an id already stored: stages
 * the spooled rows and inserts those whose id is new. */
static gboolean load_insert_new(Load *l, gboolean empty, GError **error)
{
    const char *what = "cannot insert transactions into";
    gboolean dup;
    if (!db_command(l->conn, what, "ROLLBACK TO SAVEPOINT mt_direct", 0, NULL, error) ||
        !load_stage_spool(l, error) || !load_reject_conflicts(l, error) ||
        !load_count_late(l, error) ||
        (!empty && !db_command(l->conn, what, load_probe_sql, 0, NULL, error)) ||
        !load_insert_fast(l, &dup, error))
        return FALSE;
    if (dup) {
        PGresult *res = db_exec(l->conn, what, load_upsert_sql, 0, NULL, error);
        if (!res)
            return FALSE;
        l->loaded = g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
        PQclear(res);
    }
    return TRUE;
}

/* Ends the direct COPY: every row new (the common case), or fall back.
 * Into an empty table the primary key is built here: a repeated id
 * fails it, and the slow path takes over as after a failed COPY. */
static gboolean load_finish_copy(Load *l, gboolean empty, GError **error)
{
    GError *e = NULL;
    if (db_copy_in_end(l->conn, "cannot load transactions into", NULL, &e) &&
        (!empty ||
         db_command(l->conn, "cannot load transactions into", load_build_pkey_sql, 0, NULL, &e))) {
        l->loaded = l->staged;
        return db_command(l->conn, "cannot load transactions into", "RELEASE SAVEPOINT mt_direct",
                          0, NULL, error);
    }
    if (!g_error_matches(e, DB_ERROR, DB_ERROR_DUPLICATE)) {
        g_propagate_error(error, e);
        return FALSE;
    }
    g_error_free(e);
    return load_insert_new(l, empty, error);
}

/* TRUE in *empty if the transactions table holds no row. */
static gboolean load_table_empty(Load *l, gboolean *empty, GError **error)
{
    PGresult *res = db_exec(l->conn, "cannot read the transactions of",
                            "SELECT NOT EXISTS (SELECT 1 FROM transactions)", 0, NULL, error);
    if (!res)
        return FALSE;
    *empty = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return TRUE;
}

/* Opens the input and the direct COPY (after dropping the secondary
 * indexes of an empty table); FALSE with error. */
static gboolean load_begin(Load *l, gboolean *empty, GError **error)
{
    const char *what = "cannot load transactions into";
    InputOptions io = {.format = l->o.format,
                       .max_lateness = -1,
                       .earliest = l->o.earliest,
                       .rejects = l->rejects ? outfile_stream(l->rejects) : NULL};
    l->input = input_open((const char *const *)l->o.files, g_strv_length(l->o.files), &io,
                          l->accounts, l->locations, error);
    if (!l->input)
        return FALSE;
    if (!(l->spool = tmpfile())) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot create the load's temporary file: %s", g_strerror(errno));
        return FALSE;
    }
    GError *e = NULL;
    l->has_mark = db_watermark(l->conn, &l->mark, &e);
    if (e) {
        g_propagate_error(error, e);
        return FALSE;
    }
    return load_table_empty(l, empty, error) &&
           (!*empty || (db_command(l->conn, what, load_save_indexes_sql, 0, NULL, error) &&
                        db_command(l->conn, what, load_drop_indexes_sql, 0, NULL, error))) &&
           db_command(l->conn, what, "SAVEPOINT mt_direct", 0, NULL, error) &&
           (!*empty || (db_command(l->conn, what, load_save_pkey_sql, 0, NULL, error) &&
                        db_command(l->conn, what, load_drop_pkey_sql, 0, NULL, error))) &&
           db_copy_in_begin(l->conn, what, load_copy_sql, error);
}

/* Decodes the files and inserts their new rows; returns an exit code. */
static int load_transactions(Load *l)
{
    g_autoptr(GError) err = NULL;
    gboolean empty = FALSE;
    /* no output may overwrite an input (read/samefile.h) */
    g_autoptr(Samefile) sf = samefile_new();
    samefile_inputs(sf, "input", (const char *const *)l->o.files);
    samefile_input(sf, "--accounts", l->o.accounts);
    samefile_output(sf, "--rejects", l->o.rejects);
    if (!samefile_check(sf, &err)) {
        cmd_error("load", "%s", err->message);
        return EXIT_DATA;
    }
    if (l->o.rejects && !(l->rejects = outfile_open(l->o.rejects, "rejects file", &err))) {
        cmd_error("load", "%s", err->message);
        return EXIT_DATA;
    }
    if (!load_begin(l, &empty, &err)) {
        cmd_error("load", "%s", err->message);
        return EXIT_DATA;
    }
    int rc = load_stream(l);
    if (rc != EXIT_OK)
        return rc;
    if (!load_finish_copy(l, empty, &err) ||
        (empty && !db_command(l->conn, "cannot load transactions into", load_build_indexes_sql, 0,
                              NULL, &err)) ||
        !load_record_late(l, &err)) {
        cmd_error("load", "%s", err->message);
        return EXIT_DATA;
    }
    InputStats st;
    input_stats(l->input, &st);
    if (l->conflicts && st.rejected + l->conflicts > (guint64)l->o.max_errors) {
        char a[32], b[32];
        cmd_error("load",
                  "%s rows rejected (%s of them stored with different content), more than "
                  "--max-errors %" G_GINT64_FORMAT "; nothing was loaded%s%s",
                  cmd_count(st.rejected + l->conflicts, a), cmd_count(l->conflicts, b),
                  l->o.max_errors, l->o.rejects ? "; see " : "", l->o.rejects ? l->o.rejects : "");
        return EXIT_BUDGET;
    }
    return EXIT_OK;
}

/* The accounts file's header as SQL column names, each checked against
 * the accounts table's columns; NULL with error. */
static char *load_account_columns(const char *path, char *hdr, size_t len, GError **error)
{
    g_autoptr(GString) cols = g_string_new(NULL);
    g_autofree char *h = g_strndup(hdr, len);
    g_auto(GStrv) names = g_strsplit(h, ",", -1);
    gboolean has_id = FALSE;
    for (char **n = names; *n; n++) {
        g_strstrip(*n);
        if (!g_strv_contains(db_account_columns, *n)) {
            g_autofree char *known = g_strjoinv(", ", (char **)db_account_columns);
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s:1: unknown accounts column '%s'; expected some of %s", path, *n, known);
            return NULL;
        }
        has_id = has_id || strcmp(*n, "account_id") == 0;
        g_string_append_printf(cols, "%s%s", cols->len ? ", " : "", *n);
    }
    if (!has_id) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:1: the accounts header has no column 'account_id'", path);
        return NULL;
    }
    return g_string_free(g_steal_pointer(&cols), FALSE);
}

/* INSERT ... ON CONFLICT DO UPDATE of the staged accounts, for cols. */
static char *load_account_upsert(const char *cols)
{
    g_autoptr(GString) sql = g_string_new(NULL);
    g_string_printf(sql,
                    "INSERT INTO accounts (%s) SELECT %s FROM mt_stage_accounts"
                    " ON CONFLICT (account_id) DO UPDATE SET ",
                    cols, cols);
    g_auto(GStrv) names = g_strsplit(cols, ", ", -1);
    gboolean first = TRUE;
    for (char **n = names; *n; n++) {
        if (strcmp(*n, "account_id") == 0)
            continue;
        g_string_append_printf(sql, "%s%s = EXCLUDED.%s", first ? "" : ", ", *n, *n);
        first = FALSE;
    }
    if (first)
        g_string_append(sql, "account_id = EXCLUDED.account_id");
    return g_string_free(g_steal_pointer(&sql), FALSE);
}

/* Streams the accounts file's records into the COPY. */
static gboolean load_account_rows(Load *l, Source *src, GError **error)
{
    SourceRecord rec;
    SourceStatus st;
    const char *what = "cannot load accounts into";
    while ((st = source_next(src, &rec, error)) == SOURCE_RECORD) {
        g_string_append_len(l->buf, rec.data, (gssize)rec.len);
        g_string_append_c(l->buf, '\n');
        if (!load_flush(l, FALSE, error))
            return FALSE;
    }
    if (st == SOURCE_OVERLONG)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:%" G_GUINT64_FORMAT ": line longer than %d bytes", source_name(src),
                    rec.line, LIMIT_LINE_BYTES);
    if (st != SOURCE_END)
        return FALSE;
    return load_flush(l, TRUE, error) && db_copy_in_end(l->conn, what, NULL, error);
}

static gboolean load_accounts(Load *l, GError **error)
{
    g_autoptr(Source) src = source_open(l->o.accounts, error);
    SourceRecord rec;
    if (!src)
        return FALSE;
    SourceStatus st = source_next(src, &rec, error);
    if (st != SOURCE_RECORD) {
        if (st != SOURCE_ERROR)
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s:1: empty file or overlong header", l->o.accounts);
        return FALSE;
    }
    g_autofree char *cols = load_account_columns(l->o.accounts, rec.data, rec.len, error);
    if (!cols)
        return FALSE;
    g_autofree char *copy =
        g_strdup_printf("COPY mt_stage_accounts (%s) FROM STDIN (FORMAT csv)", cols);
    g_autofree char *upsert = load_account_upsert(cols);
    const char *what = "cannot load accounts into";
    if (!db_command(l->conn, what,
                    "CREATE TEMPORARY TABLE mt_stage_accounts (LIKE accounts) ON COMMIT DROP", 0,
                    NULL, error) ||
        !db_copy_in_begin(l->conn, what, copy, error) || !load_account_rows(l, src, error))
        return FALSE;
    PGresult *res = db_exec(l->conn, what, upsert, 0, NULL, error);
    if (!res)
        return FALSE;
    l->accounts_loaded = g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return TRUE;
}

/* One rate as a line of COPY text. */
static void load_fx_rate(const char *date, const char *currency, const char *rate, const char *base,
                         void *user)
{
    g_string_append_printf(user, "%s\t%s\t%s\t%s\n", date, currency, rate, base);
}

/* The rates of --fx into fx_rates, replacing those of the same currency
 * and day; the base must be the one already stored. */
static gboolean load_fx(Load *l, GError **error)
{
    g_autoptr(Fx) fx = fx_new(0, 0);
    if (!fx_load_file(fx, l->o.fx, error) || !fx_finish(fx, error))
        return FALSE;
    const char *what = "cannot load rates into";
    char base[4];
    txn_unpack_code(fx_base(fx), base);
    const char *params[] = {base};
    PGresult *res = db_exec(l->conn, what, "SELECT DISTINCT base FROM fx_rates WHERE base <> $1", 1,
                            params, error);
    if (!res)
        return FALSE;
    if (PQntuples(res)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: the rates have the base %s, the fx_rates table %s (one base per table)",
                    l->o.fx, base, PQgetvalue(res, 0, 0));
        PQclear(res);
        return FALSE;
    }
    PQclear(res);
    g_autoptr(GString) rows = g_string_new(NULL);
    fx_foreach(fx, load_fx_rate, rows);
    if (!db_command(l->conn, what,
                    "CREATE TEMPORARY TABLE mt_stage_fx (LIKE fx_rates) ON COMMIT DROP", 0, NULL,
                    error) ||
        !db_copy_in_begin(l->conn, what, "COPY mt_stage_fx (day, currency, rate, base) FROM STDIN",
                          error) ||
        !db_copy_put(l->conn, what, rows->str, rows->len, error) ||
        !db_copy_in_end(l->conn, what, NULL, error))
        return FALSE;
    res = db_exec(l->conn, what,
                  "INSERT INTO fx_rates SELECT * FROM mt_stage_fx ON CONFLICT (currency, day) "
                  "DO UPDATE SET rate = EXCLUDED.rate, base = EXCLUDED.base",
                  0, NULL, error);
    if (!res)
        return FALSE;
    l->fx_loaded = g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return TRUE;
}

static void load_summary(Load *l)
{
    char a[32], b[32], c[32], d[32], e[32];
    double secs = (double)(g_get_monotonic_time() - l->t0) / 1e6;
    if (l->input) {
        InputStats st;
        input_stats(l->input, &st);
        gboolean see = st.rejected + l->conflicts && l->o.rejects;
        fprintf(stderr,
                "load: %s rows read: %s loaded, %s skipped (already stored), %s rejected%s%s%s; "
                "%.2f s, %s rows/s\n",
                cmd_count(st.rows, a), cmd_count(l->loaded, b),
                /* exact copies within the files were dropped by the input */
                cmd_count(l->staged - l->loaded - l->conflicts + st.duplicates, c),
                cmd_count(st.rejected + l->conflicts, d), see ? " (see " : "",
                see ? l->o.rejects : "", see ? ")" : "", secs,
                cmd_count((guint64)((double)st.rows / (secs > 0 ? secs : 1e-9)), e));
        cmd_input_lines("load", &st, stderr);
        if (l->conflicts)
            fprintf(stderr,
                    "load: %s rows rejected: their tx_id is stored with different "
                    "content\n",
                    cmd_count(l->conflicts, a));
        if (l->late)
            fprintf(stderr,
                    "load: %s rows loaded late, at or before the watermark %s (the "
                    "earliest at %s): the next incremental run evaluates them\n",
                    cmd_count(l->late, a), tstamp_format_utc(l->mark, b),
                    tstamp_format_utc(l->late_earliest, c));
    }
    if (l->o.accounts)
        fprintf(stderr, "load: %s accounts loaded or updated from %s\n",
                cmd_count(l->accounts_loaded, a), l->o.accounts);
    if (l->o.fx)
        fprintf(stderr, "load: %s rates loaded or updated from %s\n", cmd_count(l->fx_loaded, a),
                l->o.fx);
}

/* Loads everything in one transaction; returns an exit code. */
static int load_run(Load *l)
{
    g_autoptr(GError) err = NULL;
    if (!(l->conn = db_connect(l->o.db, &err)) || !db_check_schema(l->conn, &err) ||
        !db_command(l->conn, "cannot start loading into", "BEGIN", 0, NULL, &err)) {
        cmd_error("load", "%s", err->message);
        return EXIT_DATA;
    }
    int rc = l->o.files && l->o.files[0] ? load_transactions(l) : EXIT_OK;
    if (rc == EXIT_OK && l->o.accounts && !load_accounts(l, &err)) {
        cmd_error("load", "%s", err->message);
        rc = EXIT_DATA;
    }
    if (rc == EXIT_OK && l->o.fx && !load_fx(l, &err)) {
        cmd_error("load", "%s", err->message);
        rc = EXIT_DATA;
    }
    if (rc == EXIT_OK &&
        !db_command(l->conn, "cannot commit the load into", "COMMIT", 0, NULL, &err)) {
        cmd_error("load", "%s", err->message);
        rc = EXIT_DATA;
    }
    if ((rc == EXIT_OK || rc == EXIT_BUDGET) && l->rejects && /* kept whole, or the load fails */
        !outfile_commit(g_steal_pointer(&l->rejects), &err)) {
        cmd_error("load", "%s", err->message);
        rc = EXIT_DATA;
    }
    if (rc == EXIT_OK && !l->o.quiet)
        load_summary(l);
    return rc;
}

int cmd_load(int argc, char **argv)
{
    Load l = {0};
    int rc = EXIT_USAGE;
    cmd_db_arg_fix(argc, argv);
    if (load_parse(&l, argc, argv)) {
        l.t0 = g_get_monotonic_time();
        source_catch_signals();
        l.accounts = intern_new();
        l.locations = intern_new();
        l.buf = g_string_sized_new(LOAD_FLUSH_BYTES + 4096);
        rc = load_run(&l);
    }
    if (l.conn)
        PQfinish(l.conn); /* an unfinished transaction is rolled back */
    input_free(l.input);
    if (l.accounts)
        intern_free(l.accounts);
    if (l.locations)
        intern_free(l.locations);
    outfile_abort(l.rejects); /* not committed: the previous file stays */
    if (l.spool)
        fclose(l.spool);
    if (l.buf)
        g_string_free(l.buf, TRUE);
    g_strfreev(l.o.files);
    g_free(l.o.db);
    g_free(l.o.format);
    g_free(l.o.accounts);
    g_free(l.o.rejects);
    g_free(l.o.earliest_opt);
    g_free(l.o.fx);
    return rc;
}
