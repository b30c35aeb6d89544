/* cmd_merge.c: `moneytrail merge`: the shard alert files of one cluster run
 * (`scan --shard K/N`, cli/shard_file.h) into the alerts file one
 * unsharded scan writes, byte for byte.
 *
 * Every shard read every row, so the alerts carry their place in one run's
 * order (the row that fired them, their place among its alerts): the merge
 * takes the smallest of the files' next alerts until all are through. It
 * refuses files of different runs (rules, inputs, shard counts), a missing
 * or repeated shard, and a shard that did not finish; the output is
 * replaced only when every check passed (read/outfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/jval.h"
#include "cli/cmd.h"
#include "cli/scan_pg.h"
#include "cli/shard_file.h"
#include "read/outfile.h"

#define ALERT_HEAD "{\"row\":"
#define END_HEAD   "{\"moneytrail_shard_end\":"

/* One shard file being read. */
typedef struct {
    const char *path;
    FILE *f;
    char *line;
    size_t cap;
    gsize len;
    guint64 lineno;
    guint shard, shards;
    char *rules;
    gboolean has; /* an alert is waiting: key and text */
    guint64 row;
    guint32 order;
    const char *alert; /* in line, with its newline */
    gsize alert_len;
    guint64 alerts; /* alert lines read */
    JVal *end;      /* its last line, once read */
} In;

static void in_close(In *in)
{
    if (in->f)
        fclose(in->f);
    free(in->line);
    g_free(in->rules);
    jval_free(in->end);
}

/* Reads the next line into in->line; FALSE at the end of the file or on error. */
static gboolean next_line(In *in, GError **error)
{
    ssize_t n = getline(&in->line, &in->cap, in->f);
    if (n < 0) {
        if (ferror(in->f))
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s: cannot read: %s", in->path,
                        g_strerror(errno));
        return FALSE;
    }
    in->len = (gsize)n;
    in->lineno++;
    return TRUE;
}

static gboolean bad_line(In *in, const char *what, GError **error)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%" G_GUINT64_FORMAT ": %s", in->path,
                in->lineno, what);
    return FALSE;
}

/* Opens a shard file and reads its first line. */
static gboolean in_open(In *in, const char *path, GError **error)
{
    in->path = path;
    if (!(in->f = fopen(path, "r"))) {
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(errno), "%s: cannot open: %s",
                    path, g_strerror(errno));
        return FALSE;
    }
    if (!next_line(in, error)) {
        if (!*error)
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: empty, not a shard alerts "
                        "file",
                        path);
        return FALSE;
    }
    g_autoptr(JVal) v = jval_parse(in->line, in->len, NULL);
    const JVal *h = v ? jval_get(v, "moneytrail_shard") : NULL;
    if (!h)
        return bad_line(in, "not a shard alerts file (written by 'moneytrail scan --shard K/N')",
                        error);
    if (jval_get_num(h, "format", 0) != SHARD_FILE_FORMAT || !jval_get_str(h, "rules"))
        return bad_line(in, "a shard alerts file of another version of moneytrail", error);
    double k = jval_get_num(h, "shard", -1), n = jval_get_num(h, "shards", 0);
    if (!(n >= 1 && n <= SHARD_FILE_MAX && k >= 0 && k < n && k == (guint)k && n == (guint)n))
        return bad_line(in, "bad shard number or count", error);
    in->shard = (guint)k;
    in->shards = (guint)n;
    in->rules = g_strdup(jval_get_str(h, "rules"));
    return TRUE;
}

/* Reads the next alert (in->has) or the last line (in->end). */
static gboolean in_next(In *in, GError **error)
{
    in->has = FALSE;
    if (in->end)
        return TRUE;
    if (!next_line(in, error)) {
        if (*error)
            return FALSE;
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s: ends at line %" G_GUINT64_FORMAT " without its last line: shard %u of %u "
                    "did not finish (or the file was cut); run it again",
                    in->path, in->lineno, in->shard, in->shards);
        return FALSE;
    }
    if (g_str_has_prefix(in->line, END_HEAD)) {
        g_autoptr(JVal) v = jval_parse(in->line, in->len, NULL);
        const JVal *e = v ? jval_get(v, "moneytrail_shard_end") : NULL;
        if (!e || !jval_get_str(e, "inputs") || !jval_get(e, "counts"))
            return bad_line(in, "a broken last line", error);
        in->end = jval_copy(e);
        return TRUE;
    }
    char *p = in->line + strlen(ALERT_HEAD), *q;
    if (!g_str_has_prefix(in->line, ALERT_HEAD) || !g_ascii_isdigit(*p))
        return bad_line(in, "not an alert line of a shard alerts file", error);
    in->row = g_ascii_strtoull(p, &q, 10);
    if (!g_str_has_prefix(q, ",\"order\":") || !g_ascii_isdigit(q[9]))
        return bad_line(in, "not an alert line of a shard alerts file", error);
    guint64 order = g_ascii_strtoull(q + 9, &q, 10);
    const char *tail = in->line + in->len - 2; /* "}\n" */
    if (order > G_MAXUINT32 || !g_str_has_prefix(q, ",\"alert\":{") || in->len < 2 ||
        strcmp(tail, "}\n") != 0 || tail <= q + 9)
        return bad_line(in, "not an alert line of a shard alerts file", error);
    in->order = (guint32)order;
    in->alert = q + 9;
    in->alert_len = (gsize)(tail - in->alert);
    in->alerts++;
    in->has = TRUE;
    return TRUE;
}

/* Shards of one run: the same count and rules, each shard once. */
static gboolean check_set(In *in, guint n, GError **error)
{
    guint shards = in[0].shards;
    g_autofree In **by = g_new0(In *, shards);
    for (guint i = 0; i < n; i++) {
        if (in[i].shards != shards) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s is a shard of %u, %s of %u: shards of different runs", in[0].path,
                        shards, in[i].path, in[i].shards);
            return FALSE;
        }
        if (strcmp(in[i].rules, in[0].rules) != 0) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s and %s were run with different rules (digests %.12s and %.12s)",
                        in[0].path, in[i].path, in[0].rules, in[i].rules);
            return FALSE;
        }
        if (by[in[i].shard]) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "shard %u of %u given twice: %s and %s", in[i].shard, shards,
                        by[in[i].shard]->path, in[i].path);
            return FALSE;
        }
        by[in[i].shard] = &in[i];
    }
    for (guint k = 0; k < shards; k++)
        if (!by[k]) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "shard %u of %u missing (%u of %u files given): no merged alerts until "
                        "every shard has finished",
                        k, shards, n, shards);
            return FALSE;
        }
    return TRUE;
}

/* The input whose waiting alert comes first in one run's order, or NULL
 * when all are through; two shards with the same key is an error. */
static In *first(In *in, guint n, GError **error)
{
    In *best = NULL;
    for (guint i = 0; i < n; i++) {
        In *c = &in[i];
        if (!c->has)
            continue;
        if (best && c->row == best->row && c->order == best->order) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s and %s both have an alert at row %" G_GUINT64_FORMAT ", place %u: "
                        "not shards of one run",
                        best->path, c->path, c->row, c->order);
            return NULL;
        }
        if (!best || c->row < best->row || (c->row == best->row && c->order < best->order))
            best = c;
    }
    return best;
}

/* Where the merged alerts go: a file, or the database (merge --db). */
typedef struct {
    FILE *file;
    ScanPg *db;
} Out;

static gboolean put_alert(Out *out, const char *alert, gsize len, GError **error)
{
    if (out->db) { /* a failed write is kept by the sink; the commit reports it */
        scan_pg_group_alert(out->db, alert, len);
        return TRUE;
    }
    if (fwrite(alert, 1, len, out->file) != len || fputc('\n', out->file) == EOF) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "cannot write alerts: %s",
                    g_strerror(errno));
        return FALSE;
    }
    return TRUE;
}

/* Copies the alerts in order to out. */
static gboolean merge_alerts(In *in, guint n, Out *out, GError **error)
{
    for (guint i = 0; i < n; i++)
        if (!in_next(&in[i], error))
            return FALSE;
    for (;;) {
        In *c = first(in, n, error);
        if (!c)
            return *error == NULL;
        guint64 row = c->row;
        guint32 order = c->order;
        if (!put_alert(out, c->alert, c->alert_len, error) || !in_next(c, error))
            return FALSE;
        if (c->has && (c->row < row || (c->row == row && c->order < order)))
            return bad_line(c, "alerts out of run order", error);
    }
}

/* The last lines agree on what was read; the alerts are all there. */
static gboolean check_ends(In *in, guint n, GError **error)
{
    const JVal *e0 = in[0].end;
    for (guint i = 0; i < n; i++) {
        const JVal *e = in[i].end;
        if (jval_get_num(e, "alerts", -1) != (double)in[i].alerts) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s: %" G_GUINT64_FORMAT " alerts, but its last line says %.0f: "
                        "the file was changed",
                        in[i].path, in[i].alerts, jval_get_num(e, "alerts", -1));
            return FALSE;
        }
        if (strcmp(jval_get_str(e, "inputs"), jval_get_str(e0, "inputs")) != 0 ||
            jval_get_num(e, "rows", -1) != jval_get_num(e0, "rows", -1) ||
            jval_get_num(e, "rejected", -1) != jval_get_num(e0, "rejected", -1)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s and %s read different inputs (%.0f and %.0f rows, digests %s and "
                        "%s): shards of one run read the same data and accounts",
                        in[0].path, in[i].path, jval_get_num(e0, "rows", -1),
                        jval_get_num(e, "rows", -1), jval_get_str(e0, "inputs"),
                        jval_get_str(e, "inputs"));
            return FALSE;
        }
        if (jval_len(jval_get(e, "counts")) != jval_len(jval_get(e0, "counts"))) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s and %s count different rules",
                        in[0].path, in[i].path);
            return FALSE;
        }
    }
    return TRUE;
}

/* The shards' way of reading (shard_file.h), which must be the same on
 * all but for the latest row time, bounded by each shard's clock: the
 * earliest of those is the run's. */
static gboolean shards_run(In *in, guint n, ShardFileRun *run, GError **error)
{
    for (guint i = 0; i < n; i++) {
        ShardFileRun r;
        if (!shard_file_read_run(in[i].end, &r)) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: a broken last line",
                        in[i].path);
            return FALSE;
        }
        if (i == 0)
            *run = r;
        gint64 latest = MIN(run->latest == G_MININT64 ? r.latest : run->latest,
                            r.latest == G_MININT64 ? run->latest : r.latest);
        if (r.incremental != run->incremental || r.last_run != run->last_run ||
            r.last_watermark != run->last_watermark || r.late_rows != run->late_rows ||
            r.late_earliest != run->late_earliest || r.from != run->from || r.to != run->to ||
            r.replayed != run->replayed) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "%s and %s read differently (incremental or not, range, watermark, "
                        "late rows or replay): shards of one run plan alike",
                        in[0].path, in[i].path);
            return FALSE;
        }
        run->latest = latest;
    }
    return TRUE;
}

/* The shards' summaries added up, as scan prints one run's. */
static void summary(In *in, guint n, const char *path, const ScanPg *db)
{
    char a[32], b[32];
    guint64 total = 0;
    for (guint i = 0; i < n; i++)
        total += in[i].alerts;
    fprintf(stderr, "merge: %u shards, %s rows read by each, %s alerts %s %s\n", n,
            cmd_count((guint64)jval_get_num(in[0].end, "rows", 0), a), cmd_count(total, b),
            db ? "stored in" : "to", db ? "the database" : path);
    if (db) {
        guint64 raised, stored;
        scan_pg_group_counts(db, &raised, &stored);
        scan_pg_summary(db, raised, stored, stderr);
    }
    const JVal *counts = jval_get(in[0].end, "counts");
    for (guint k = 0; k < jval_len(counts); k++) {
        guint64 sum = 0;
        for (guint i = 0; i < n; i++)
            sum += (guint64)jval_get_num(jval_at(jval_get(in[i].end, "counts"), k), "alerts", 0);
        const JVal *c = jval_at(counts, k);
        fprintf(stderr, "  %-12s %8s  %s\n", jval_get_str(c, "id"), cmd_count(sum, a),
                jval_get_str(c, "title"));
    }
}

/* What merge was asked for. */
typedef struct {
    char *output, *db;
    char **rules;
    char **paths;
    gboolean quiet, incremental;
} MergeOptions;

/* Stores the merged alerts and records the run with the shards' rows and
 * watermark (merge --db), after the checks of a file merge. */
static gboolean store(In *in, guint n, Out *out, const RuleSet *rs, GError **error)
{
    ShardFileRun run;
    if (strcmp(in[0].rules, rs->digest) != 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "the shards were run with other rules than --rules (digests %.12s and %.12s)",
                    in[0].rules, rs->digest);
        return FALSE;
    }
    return merge_alerts(in, n, out, error) && check_ends(in, n, error) &&
           shards_run(in, n, &run, error) &&
           scan_pg_group_commit(out->db, rs, &run, (guint64)jval_get_num(in[0].end, "rows", 0),
                                (guint64)jval_get_num(in[0].end, "rejected", 0), error);
}

static int merge(const MergeOptions *o)
{
    guint n = g_strv_length(o->paths);
    g_autofree In *in = g_new0(In, n);
    g_autoptr(GError) err = NULL;
    g_autoptr(Outfile) file = NULL;
    g_autoptr(RuleSet) rs = NULL;
    Out out = {0};
    int rc = EXIT_DATA;
    guint opened = 0;
    if (o->db) { /* the run is recorded first: a failure below is recorded in it */
        if (!(rs = cmd_load_rules("merge", o->rules, NULL)))
            return EXIT_FINDINGS;
        if (!(out.db = scan_pg_group_open(o->db, rs, o->incremental, n, &err)))
            goto done;
    }
    for (; opened < n; opened++)
        if (!in_open(&in[opened], o->paths[opened], &err)) {
            opened++;
            goto done;
        }
    if (!check_set(in, n, &err))
        goto done;
    if (out.db ? !store(in, n, &out, rs, &err)
               : !(file = outfile_open(o->output, "alerts file", &err)) ||
                     !merge_alerts(in, n, (out.file = outfile_stream(file), &out), &err) ||
                     !check_ends(in, n, &err) || !outfile_commit(g_steal_pointer(&file), &err))
        goto done;
    if (!o->quiet)
        summary(in, n, o->output, out.db);
    rc = EXIT_OK;
done:
    if (err) {
        cmd_error("merge", "%s", err->message);
        scan_pg_abort(out.db, err->message);
    }
    scan_pg_free(out.db);
    for (guint i = 0; i < opened; i++)
        in_close(&in[i]);
    return rc;
}

int cmd_merge(int argc, char **argv)
{
    MergeOptions o = {0};
    GOptionEntry entries[] = {
        {"alerts", 'o', 0, G_OPTION_ARG_FILENAME, &o.output,
         "write the merged alerts as JSON Lines to FILE (replaced only on success)", "FILE"},
        {"db", 0, 0, G_OPTION_ARG_STRING, &o.db,
         "store the merged alerts in this PostgreSQL database as one run, in one transaction "
         "('--db' alone: the PG* environment)",
         "CONNINFO"},
        {"rules", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &o.rules,
         "with --db: the rules the shards ran (recorded with the run)", "DIR|FILE"},
        {"incremental", 0, 0, G_OPTION_ARG_NONE, &o.incremental,
         "with --db: the shards ran 'scan --db --incremental --shard K/N'; the run records the "
         "watermark",
         NULL},
        {"quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, "no summary", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o.paths, NULL, NULL},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("SHARD_ALERTS...");
    g_option_context_set_summary(ctx, "Merge the alert files of 'moneytrail scan --shard K/N' "
                                      "into the alerts file of one unsharded run, byte for byte, "
                                      "or store them in the database as one run.");
    g_option_context_add_main_entries(ctx, entries, NULL);
    int rc = EXIT_USAGE;
    cmd_db_arg_fix(argc, argv);
    if (!cmd_parse_options(ctx, &argc, &argv, "merge"))
        ;
    else if (!o.output == !o.db)
        cmd_error("merge", "give -o FILE, or --db to store the alerts in the database");
    else if (o.db && (!o.rules || !o.rules[0]))
        cmd_error("merge", "--db needs --rules, the rules the shards ran");
    else if (!o.db && (o.rules || o.incremental))
        cmd_error("merge", "--rules and --incremental go with --db");
    else if (!o.paths || !o.paths[0])
        cmd_error("merge", "no shard alert files given");
    else
        rc = merge(&o);
    cmd_options_clear(entries);
    return rc;
}
