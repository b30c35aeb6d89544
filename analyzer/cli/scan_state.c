/* scan_state.c: checkpoints offered, checked, restored and saved for a
 * scan (see scan_state.h). */
#include "cli/scan_state.h"

#include "base/tstamp.h"
#include "engine/checkpoint.h"

struct ScanState {
    const RuleSet *rs;
    guint threads;
    char *kyc;                  /* the accounts table's digest, once scan_state_accounts ran */
    Checkpoint *in;             /* the checkpoint in use, or NULL */
    gsize read;                 /* bytes of the one offered */
    char *why;                  /* why none is used */
    CkptBlobReader *file_blobs; /* scan_state_file_blobs */
    double seconds;             /* scan_state_load_seconds */
};

ScanState *scan_state_new(const RuleSet *rs, guint threads)
{
    ScanState *st = g_new0(ScanState, 1);
    st->rs = rs;
    st->threads = threads;
    return st;
}

void scan_state_free(ScanState *st)
{
    if (!st)
        return;
    checkpoint_free(st->in);
    checkpoint_file_blobs_free(st->file_blobs);
    g_free(st->kyc);
    g_free(st->why);
    g_free(st);
}

void scan_state_refuse(ScanState *st, char *why)
{
    g_clear_pointer(&st->in, checkpoint_free);
    g_free(st->why);
    st->why = why;
}

const CkptBlobReader *scan_state_file_blobs(ScanState *st, const char *path)
{
    checkpoint_file_blobs_free(st->file_blobs);
    return st->file_blobs = checkpoint_file_blobs(path);
}

gboolean scan_state_offer(ScanState *st, GBytes *bytes, const CkptBlobReader *blobs, gint64 expect)
{
    char *why = NULL, a[32], b[32];
    gint64 t0 = g_get_monotonic_time();
    st->read = g_bytes_get_size(bytes);
    g_autoptr(Checkpoint) c = checkpoint_open(bytes, blobs, &why);
    st->seconds += (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    if (c)
        st->read = checkpoint_bytes(c);
    CkptFit fit = {st->rs->digest, st->kyc, st->threads};
    if (!c || !checkpoint_fits(c, &fit, &why)) {
        scan_state_refuse(st, why);
        return FALSE;
    }
    if (expect != G_MININT64 && checkpoint_watermark(c) != expect) {
        scan_state_refuse(st, g_strdup_printf("it was written at %s, not at the last watermark %s",
                                              tstamp_format_utc(checkpoint_watermark(c), a),
                                              tstamp_format_utc(expect, b)));
        return FALSE;
    }
    st->in = g_steal_pointer(&c);
    return TRUE;
}

gboolean scan_state_using(const ScanState *st)
{
    return st && st->in;
}

const char *scan_state_why(const ScanState *st)
{
    return st ? st->why : NULL;
}

gint64 scan_state_watermark(const ScanState *st)
{
    return st->in ? checkpoint_watermark(st->in) : G_MININT64;
}

gsize scan_state_read_bytes(const ScanState *st)
{
    return st ? st->read : 0;
}

double scan_state_load_seconds(const ScanState *st)
{
    return st ? st->seconds : 0;
}

void scan_state_add_seconds(ScanState *st, double s)
{
    st->seconds += s;
}

gboolean scan_state_accounts(ScanState *st, const char *path, GError **error)
{
    g_free(st->kyc);
    if (!(st->kyc = checkpoint_file_digest(path, error)))
        return FALSE;
    CkptFit fit = {st->rs->digest, st->kyc, st->threads};
    char *why = NULL;
    if (st->in && !checkpoint_fits(st->in, &fit, &why))
        scan_state_refuse(st, why);
    return TRUE;
}

/* FALSE with error: the checkpoint in use cannot be restored, because of
 * why (freed). */
static gboolean restore_failed(char *why, GError **error)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the engine checkpoint cannot be used: %s",
                why);
    g_free(why);
    return FALSE;
}

gboolean scan_state_restore_tables(ScanState *st, Scan *scan, GError **error)
{
    char *why = NULL;
    gint64 t0 = g_get_monotonic_time();
    gboolean ok = !st->in || scan_checkpoint_tables(scan, st->in, &why);
    st->seconds += (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    return ok || restore_failed(why, error);
}

gboolean scan_state_restore_engine(ScanState *st, Scan *scan, GError **error)
{
    char *why = NULL;
    gint64 t0 = g_get_monotonic_time();
    gboolean ok = !st->in || scan_checkpoint_engine(scan, st->in, &why);
    st->seconds += (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
    return ok || restore_failed(why, error);
}

CkptSave *scan_state_save(const ScanState *st, const Scan *scan, gint64 watermark)
{
    CkptFit fit = {st->rs->digest, st->kyc ? st->kyc : "", st->threads};
    return scan_checkpoint_save(scan, &fit, watermark);
}
