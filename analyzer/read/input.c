/* input.c: several sources read in order as one stream of transactions.
 *
 * For each file: open it (source), take its first record as the header,
 * find the profile (the one given, or detected among the built-ins), bind
 * a decoder, then decode row after row. A bad row is counted and written
 * to the rejects file (file,line,column,reason,raw) and the stream goes
 * on; a row older than the latest timestamp seen minus max_lateness is a
 * reject too. Only a failure of a whole source ends the stream, with a
 * GError naming the file and position.
 *
 * Nothing is lost: at the end of each file, its data lines (physical
 * lines, counted by the source as bytes arrive, less the header) must equal
 * the lines of the rows handed out plus those of the rows rejected plus the
 * blank lines; if not, the stream ends with an error. */
#include "read/input.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "read/decode.h"
#include "read/dedup.h"
#include "read/decode_profile.h"
#include "read/source.h"
#include "read/source_pg.h"
#include "read/stmt.h"
#include "base/tstamp.h"

#define INPUT_RAW_OVERLONG_BYTES 256 /* raw bytes kept of an overlong record */

struct Input {
    char **paths;
    guint n_paths;
    gint64 max_lateness;
    FILE *rejects;
    struct SourcePg *db; /* until the first read wraps it in a Source */
    const struct Fx *fx; /* rates the decoders convert amounts with, or NULL */
    Intern *accounts, *locations;
    Profile *forced;          /* the profile given by format, or NULL */
    GPtrArray *builtins;      /* detection candidates when forced is NULL */
    const Profile **profiles; /* per source once its header was read; borrowed */
    guint cur;                /* the source being read */
    Source *src;
    StmtSeen *seen; /* payments of statement sources, for duplicates (read/stmt.h) */
    guint64 payments_seen_twice;
    Decoder *dec;
    guint64 rows, rejected, bytes_done, bytes_total;
    gint64 latest;
    gboolean have_latest;
    gint64 ts_min, ts_max; /* the plausible event times, both included */
    Dedup *dedup;          /* tx_ids within the lateness horizon */
    guint64 duplicates;
    GString *scratch; /* a copy of a record that spans lines, decoded in its place */
    /* line accounting (see the top): totals of finished files, and the
     * lines of the current one's header, rows and rejects */
    guint64 lines_data, lines_rows, lines_rejected, lines_blank, lines_duplicate;
    guint64 cur_header, cur_rows, cur_rejected, cur_duplicate;
};

/* Fails early on a file that cannot be read; adds its size to the total. */
static gboolean input_check_path(Input *in, const char *path, gboolean *sizes_known, GError **error)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || in->db) {
        *sizes_known = FALSE;
        return TRUE;
    }
    if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
        int e = errno;
        g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "cannot open '%s': %s", path,
                    g_strerror(e));
        return FALSE;
    }
    if (S_ISREG(st.st_mode))
        in->bytes_total += (guint64)st.st_size;
    else
        *sizes_known = FALSE;
    return TRUE;
}

static gboolean input_load_profiles(Input *in, const char *format, GError **error)
{
    if (format) {
        in->forced = profile_load(format, error);
        return in->forced != NULL;
    }
    in->builtins = profile_load_builtins(error);
    return in->builtins != NULL;
}

Input *input_open(const char *const *paths, guint n_paths, const InputOptions *opts,
                  Intern *accounts, Intern *locations, GError **error)
{
    if (n_paths == 0 || n_paths > LIMIT_SOURCES) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%u input files given, expected 1 to %d", n_paths, LIMIT_SOURCES);
        return NULL;
    }
    if (n_paths == 0 || n_paths > LIMIT_SOURCES)
        source_pg_free(opts->db);
    g_autoptr(Input) in = g_new0(Input, 1);
    in->paths = g_new0(char *, n_paths + 1);
    for (guint i = 0; i < n_paths; i++)
        in->paths[i] = g_strdup(paths[i]);
    in->n_paths = n_paths;
    in->profiles = g_new0(const Profile *, n_paths);
    in->max_lateness = opts->max_lateness;
    in->dedup = dedup_new(opts->max_lateness);
    in->ts_min = opts->earliest ? opts->earliest : LIMIT_TS_EARLIEST;
    in->ts_max =
        (opts->now ? opts->now : g_get_real_time() / G_USEC_PER_SEC) + LIMIT_TS_FUTURE_SECONDS;
    in->rejects = opts->rejects;
    in->db = opts->db;
    in->fx = opts->fx;
    in->accounts = accounts;
    in->locations = locations;
    gboolean sizes_known = TRUE;
    for (guint i = 0; i < n_paths; i++)
        if (!input_check_path(in, paths[i], &sizes_known, error))
            return NULL;
    if (!sizes_known)
        in->bytes_total = 0;
    if (!input_load_profiles(in, opts->format, error))
        return NULL;
    if (in->rejects)
        fputs("file,line,column,reason,raw\n", in->rejects);
    return g_steal_pointer(&in);
}

void input_free(Input *in)
{
    if (!in)
        return;
    decode_free(in->dec);
    dedup_free(in->dedup);
    source_pg_free(in->db);
    source_free(in->src);
    stmt_seen_free(in->seen);
    profile_free(in->forced);
    if (in->builtins)
        g_ptr_array_free(in->builtins, TRUE);
    g_free(in->profiles);
    g_strfreev(in->paths);
    if (in->scratch)
        g_string_free(in->scratch, TRUE);
    g_free(in);
}

/* Writes one CSV field, quoted when it holds a delimiter, quote or line end. */
static void input_csv_field(FILE *f, const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) && !memchr(s, '\r', n)) {
        fwrite(s, 1, n, f);
        return;
    }
    fputc('"', f);
    for (const char *end = s + n, *q; s < end; s = q + 1) {
        q = memchr(s, '"', (size_t)(end - s));
        if (!q) {
            fwrite(s, 1, (size_t)(end - s), f);
            break;
        }
        fwrite(s, 1, (size_t)(q - s + 1), f);
        fputc('"', f);
    }
    fputc('"', f);
}

/* Counts a rejected record and writes it to the rejects file. */
static void input_reject(Input *in, const SourceRecord *rec, gboolean overlong)
{
    in->rejected++;
    in->cur_rejected += rec->lines;
    if (!in->rejects)
        return;
    const char *path = in->paths[in->cur];
    input_csv_field(in->rejects, path, strlen(path));
    fprintf(in->rejects, ",%" G_GUINT64_FORMAT ",", rec->line);
    if (decode_column(in->dec))
        fprintf(in->rejects, "%u", decode_column(in->dec));
    fputc(',', in->rejects);
    const char *msg = decode_message(in->dec);
    input_csv_field(in->rejects, msg, strlen(msg));
    fputc(',', in->rejects);
    size_t n = overlong ? MIN(rec->len, INPUT_RAW_OVERLONG_BYTES) : rec->len;
    input_csv_field(in->rejects, rec->data, n);
    if (overlong)
        fputs("...", in->rejects);
    fputc('\n', in->rejects);
}

/* The columns expected of a header, for messages. */
static char *input_expected(const Input *in)
{
    if (in->forced) {
        g_autofree char *cols = profile_describe_columns(in->forced);
        return g_strdup_printf("%s (%s)", in->forced->name, cols);
    }
    GString *out = g_string_new(in->builtins->len > 1 ? "one of " : "");
    for (guint i = 0; i < in->builtins->len; i++) {
        const Profile *p = in->builtins->pdata[i];
        g_autofree char *cols = profile_describe_columns(p);
        g_string_append_printf(out, "%s%s (%s)", i ? "; " : "", p->name, cols);
    }
    return g_string_free(out, FALSE);
}

/* Reads the header record of the current source. */
static gboolean input_read_header(Input *in, SourceRecord *rec, GError **error)
{
    const char *name = source_name(in->src);
    SourceStatus st = source_next(in->src, rec, error);
    if (st == SOURCE_ERROR)
        return FALSE;
    if (st == SOURCE_RECORD)
        return TRUE;
    g_autofree char *expected = input_expected(in);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s:1: %s; expected a header row with the columns of %s", name,
                st == SOURCE_END ? "empty file" : "header longer than the line limit", expected);
    return FALSE;
}

/* Opens the current source, reads its header and binds a decoder. */
static gboolean input_start_source(Input *in, GError **error)
{
    in->src = in->db ? source_from_pg(g_steal_pointer(&in->db)) : NULL;
    if (!in->src && !stmt_open(in->paths[in->cur], &in->seen, &in->src, error))
        return FALSE;
    if (!in->src)
        in->src = source_open(in->paths[in->cur], error);
    SourceRecord rec;
    if (!in->src || !input_read_header(in, &rec, error))
        return FALSE;
    g_autofree char *where =
        g_strdup_printf("%s:%" G_GUINT64_FORMAT, source_name(in->src), rec.line);
    in->cur_header = rec.lines;
    in->cur_rows = in->cur_rejected = in->cur_duplicate = 0;
    const Profile *p = in->forced;
    if (!p)
        p = profile_detect(in->builtins, rec.data, rec.len, where, error);
    if (!p)
        return FALSE;
    in->profiles[in->cur] = p;
    source_set_dialect(in->src, p->delimiter, p->quote);
    in->dec = decode_new(p, in->accounts, in->locations, in->paths[in->cur]);
    decode_set_fx(in->dec, in->fx);
    return decode_bind(in->dec, rec.data, rec.len, where, error);
}

/* Checks that every line of the finished source is in a row, a reject or
 * blank, and adds its lines to the totals; FALSE with error if lines were
 * lost. */
static gboolean input_account(Input *in, GError **error)
{
    SourceLines sl;
    source_lines(in->src, &sl);
    guint64 seen = in->cur_rows + in->cur_rejected + in->cur_duplicate + sl.blank;
    guint64 data = sl.counted ? sl.physical - MIN(sl.physical, in->cur_header) : seen;
    in->lines_data += data;
    in->lines_rows += in->cur_rows;
    in->lines_rejected += in->cur_rejected;
    in->lines_blank += sl.blank;
    in->lines_duplicate += in->cur_duplicate;
    if (seen == data)
        return TRUE;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                "%s: %" G_GUINT64_FORMAT " data lines, but %" G_GUINT64_FORMAT
                " accounted for (%" G_GUINT64_FORMAT " in rows read, %" G_GUINT64_FORMAT
                " rejected, %" G_GUINT64_FORMAT " blank, %" G_GUINT64_FORMAT
                " duplicate): lines were lost",
                source_name(in->src), data, seen, in->cur_rows, in->cur_rejected, sl.blank,
                in->cur_duplicate);
    return FALSE;
}

static void input_end_source(Input *in)
{
    in->bytes_done += source_bytes_read(in->src);
    g_clear_pointer(&in->src, source_free);
    g_clear_pointer(&in->dec, decode_free);
    in->cur++;
}

/* Decodes a record that spans lines from a copy, so that the source's
 * bytes stay as they were; if it does not parse, only its first line is
 * rejected and reading goes on at its second (an unbalanced quote, or two
 * that pair up across good lines, must not take those lines with them). */
static DecodeStatus input_decode_lines(Input *in, SourceRecord *rec, Txn *out)
{
    if (!in->scratch)
        in->scratch = g_string_sized_new(LIMIT_LINE_BYTES);
    g_string_truncate(in->scratch, 0);
    g_string_append_len(in->scratch, rec->data, (gssize)rec->len);
    DecodeStatus ds = decode_row(in->dec, in->scratch->str, rec->len, rec->line, out);
    if (ds == DECODE_OK)
        return ds;
    g_autofree char *why = g_strdup(decode_message(in->dec));
    guint64 last = rec->line + rec->lines - 1;
    source_unread_tail(in->src, rec);
    decode_set_error(in->dec, 0,
                     "unbalanced quote: the record of lines %" G_GUINT64_FORMAT
                     "-%" G_GUINT64_FORMAT " does not parse (%s); line %" G_GUINT64_FORMAT
                     " rejected, reading resumes at line %" G_GUINT64_FORMAT,
                     rec->line, last, why, rec->line, rec->line + 1);
    return ds;
}

/* A row dated after the run time plus LIMIT_TS_FUTURE_SECONDS, or before
 * the earliest plausible date, is a reject: it must not move the latest
 * time seen (nor, downstream, a database's watermark). */
static DecodeStatus input_check_plausible(Input *in, const Txn *t)
{
    if (t->core.ts >= in->ts_min && t->core.ts <= in->ts_max)
        return DECODE_OK;
    char ts[32], bound[32];
    tstamp_format_utc(t->core.ts, ts);
    if (t->core.ts > in->ts_max)
        decode_set_error(in->dec, 0,
                         "timestamp %s is implausible: after %s, the run time plus %lld s", ts,
                         tstamp_format_utc(in->ts_max, bound), LIMIT_TS_FUTURE_SECONDS);
    else
        decode_set_error(in->dec, 0, "timestamp %s is implausible: before the earliest date %s", ts,
                         tstamp_format_utc(in->ts_min, bound));
    return DECODE_IMPLAUSIBLE_TIME;
}

/* A row older than the latest seen minus max_lateness is a reject. */
static DecodeStatus input_check_late(Input *in, const Txn *t)
{
    DecodeStatus ds = input_check_plausible(in, t);
    if (ds != DECODE_OK)
        return ds;
    if (!in->have_latest || t->core.ts >= in->latest) {
        in->latest = t->core.ts;
        in->have_latest = TRUE;
        return DECODE_OK;
    }
    gint64 behind = in->latest - t->core.ts;
    if (in->max_lateness < 0 || behind <= in->max_lateness)
        return DECODE_OK;
    char ts[32], latest[32];
    decode_set_error(in->dec, 0,
                     "timestamp %s is %" G_GINT64_FORMAT " s older than the latest seen (%s), "
                     "more than the allowed lateness of %" G_GINT64_FORMAT " s",
                     tstamp_format_utc(t->core.ts, ts), behind,
                     tstamp_format_utc(in->latest, latest), in->max_lateness);
    return DECODE_LATE;
}

/* A tx_id read before: an exact copy is dropped (*copy set), a different
 * row under the same id is a reject naming where the first one was. */
static DecodeStatus input_check_duplicate(Input *in, const Txn *t, gboolean *copy)
{
    guint source;
    guint64 line;
    DedupResult r = dedup_check(in->dedup, t, in->latest, &source, &line);
    *copy = r == DEDUP_COPY;
    if (r != DEDUP_CONFLICT)
        return DECODE_OK;
    decode_set_error(in->dec, 0,
                     "tx_id '%.*s' was read before with different content (%s:%" G_GUINT64_FORMAT
                     "); this row rejected",
                     (int)t->tx_id.len, t->tx_id.ptr, in->paths[source], line);
    return DECODE_DUPLICATE;
}

InputStatus input_next(Input *in, Txn *out, GError **error)
{
    for (;;) {
        if (source_caught_signal()) {
            g_clear_error(error);
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INTR, "interrupted by %s",
                        source_signal_name(source_caught_signal()));
            return INPUT_ERROR;
        }
        if (!in->src && in->cur >= in->n_paths)
            return INPUT_END;
        if (!in->src && !input_start_source(in, error))
            return INPUT_ERROR;
        SourceRecord rec;
        SourceStatus st = source_next(in->src, &rec, error);
        if (st == SOURCE_ERROR && source_caught_signal())
            continue; /* the read the signal broke: say why above */
        if (st == SOURCE_ERROR)
            return INPUT_ERROR;
        if (st == SOURCE_END) {
            gboolean ok = input_account(in, error);
            input_end_source(in);
            if (!ok)
                return INPUT_ERROR;
            continue;
        }
        in->rows++;
        if (st == SOURCE_OVERLONG) {
            decode_set_error(in->dec, 0, "line longer than %d bytes", LIMIT_LINE_BYTES);
            input_reject(in, &rec, TRUE);
            continue;
        }
        if (st == SOURCE_DAMAGED) {
            decode_set_error(in->dec, 0,
                             "unbalanced quote: the quoted field opened on line %" G_GUINT64_FORMAT
                             " is still open at line %" G_GUINT64_FORMAT " after %zu bytes; "
                             "line %" G_GUINT64_FORMAT
                             " rejected, reading resumes at line %" G_GUINT64_FORMAT,
                             rec.line, rec.span_last, rec.span_bytes, rec.line, rec.line + 1);
            input_reject(in, &rec, FALSE);
            continue;
        }
        if (st == SOURCE_REJECTED) { /* a statement entry: a duplicate is counted apart */
            const char *why = source_reject_reason(in->src);
            decode_set_error(in->dec, 0, "%s", why);
            input_reject(in, &rec, FALSE);
            if (g_str_has_prefix(why, "duplicate payment")) { /* a copy, not a reject */
                in->rejected--;
                in->cur_rejected -= rec.lines;
                in->cur_duplicate += rec.lines;
                in->payments_seen_twice++;
            }
            continue;
        }
        DecodeStatus ds = rec.lines > 1 ? input_decode_lines(in, &rec, out)
                                        : decode_row(in->dec, rec.data, rec.len, rec.line, out);
        if (ds == DECODE_OK)
            ds = input_check_late(in, out);
        gboolean copy = FALSE;
        out->source_index = in->cur;
        if (ds == DECODE_OK)
            ds = input_check_duplicate(in, out, &copy);
        if (ds != DECODE_OK) {
            input_reject(in, &rec, FALSE);
            continue;
        }
        if (copy) {
            in->duplicates++;
            in->cur_duplicate += rec.lines;
            continue;
        }
        in->cur_rows += rec.lines;
        return INPUT_ROW;
    }
}

void input_stats(const Input *in, InputStats *out)
{
    out->rows = in->rows;
    out->rejected = in->rejected;
    out->payments_seen_twice = in->payments_seen_twice;
    out->bytes_read = in->bytes_done + (in->src ? source_bytes_read(in->src) : 0);
    out->bytes_total = in->bytes_total;
    out->lines_data = in->lines_data;
    out->lines_rows = in->lines_rows;
    out->lines_rejected = in->lines_rejected;
    out->lines_blank = in->lines_blank;
    out->duplicates = in->duplicates;
    out->lines_duplicate = in->lines_duplicate;
    out->ids_forgotten = dedup_forgotten(in->dedup);
    out->bytes_ids = dedup_bytes(in->dedup);
}

const char *input_source_name(const Input *in, guint index)
{
    return index < in->n_paths ? in->paths[index] : NULL;
}

const char *input_profile_name(const Input *in, guint index)
{
    if (index < in->n_paths && in->profiles[index])
        return in->profiles[index]->name;
    return NULL;
}

const char *const *input_label_names(const Input *in, guint *n_labels)
{
    const Profile *p = in->cur < in->n_paths ? in->profiles[in->cur] : NULL;
    if (!p)
        p = in->forced;
    if (!p && in->cur > 0)
        p = in->profiles[in->cur - 1];
    *n_labels = p ? p->n_labels : 0;
    return p ? (const char *const *)p->label_names : NULL;
}
