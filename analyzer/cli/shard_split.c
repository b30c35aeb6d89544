/* shard_split.c: a split run's graph alerts, written by the split and put
 * among a shard's own alerts (see shard_split.h). */
#include "cli/shard_split.h"

#include <string.h>

#include "base/jval.h"
#include "engine/typology.h"
#include "read/rowfile.h"

#define ALERT_KEY ",\"alert\":"

/* A graph alert of the shard's, as the typologies read it, and its line. */
typedef struct {
    guint64 row;
    guint32 order;
    guint rule;
    guint32 account;
    gint64 end;
    guint32 currency;
    guint8 exp;
    char id[17];
    guint8 trigger_len;
    char trigger[LIMIT_TXID_BYTES];
    const char *line; /* ALERT, in the rows file's mapping */
    gsize len;
} GraphHit;

struct ShardSplit {
    const Scan *scan;
    const RuleSet *rs;
    ShardFile *f;
    GArray *hits; /* GraphHit, in one run's order */
    guint next;
    TypologyEngine *ty;
    guint64 *rule_alerts;
    guint64 row; /* the key of the alert whose typologies are being raised */
    guint32 order;
    gboolean failed;
};

void shard_split_graph_line(GString *b, const RuleSet *rs, guint64 row, guint32 order,
                            const Alert *a)
{
    guint ri = 0;
    while (ri < rs->rules->len && g_ptr_array_index(rs->rules, ri) != a->rule)
        ri++;
    g_string_printf(b, "{\"row\":%" G_GUINT64_FORMAT ",\"order\":%u,\"rule\":%u", row, order, ri);
    jval_write_str(b, "account", intern_str(a->accounts, a->account));
    jval_write_str(b, "owner", scan_owner_key(a->kyc, a->accounts, a->account));
    g_string_append_printf(b, ",\"end\":%" G_GINT64_FORMAT ",\"currency\":%u,\"exp\":%u",
                           a->window_end, a->currency, a->currency_exp);
    jval_write_str(b, "id", a->id);
    g_string_append(b, ",\"trigger\":");
    jval_write_string_len(b, a->trigger.ptr, a->trigger.len);
    g_string_append(b, ALERT_KEY);
    alert_to_json(a, b);
    g_string_truncate(b, b->len - 1); /* its newline */
    g_string_append(b, "}\n");
}

static gboolean damaged(gsize lineno, GError **error)
{
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "the rows file's graph alert %" G_GSIZE_FORMAT " is damaged: split again", lineno);
    return FALSE;
}

/* Reads one line of the graph text; keeps it in ss->hits when its anchor
 * is the shard's. */
static gboolean read_hit(ShardSplit *ss, const char *line, gsize len, gsize lineno, guint shard,
                         guint shards, GError **error)
{
    const char *cut = g_strstr_len(line, (gssize)len, ALERT_KEY);
    if (!cut || len < 2 || line[len - 1] != '}')
        return damaged(lineno, error);
    g_autofree char *head = g_strndup(line, (gsize)(cut - line) + 1);
    head[cut - line] = '}';
    g_autoptr(JVal) v = jval_parse(head, (gsize)(cut - line) + 1, NULL);
    const char *owner = v ? jval_get_str(v, "owner") : NULL;
    const char *account = v ? jval_get_str(v, "account") : NULL;
    const char *id = v ? jval_get_str(v, "id") : NULL;
    const char *trigger = v ? jval_get_str(v, "trigger") : NULL;
    double rule = v ? jval_get_num(v, "rule", -1) : -1;
    if (!owner || !account || !id || strlen(id) != 16 || !trigger ||
        strlen(trigger) > LIMIT_TXID_BYTES || rule < 0 || rule >= ss->rs->rules->len)
        return damaged(lineno, error);
    if (scan_shard_of(owner, strlen(owner), shards) != shard)
        return TRUE;
    GraphHit h = {.row = (guint64)jval_get_num(v, "row", 0),
                  .order = (guint32)jval_get_num(v, "order", 0),
                  .rule = (guint)rule,
                  .account = intern_lookup(scan_accounts(ss->scan), account, strlen(account)),
                  .end = (gint64)jval_get_num(v, "end", 0),
                  .currency = (guint32)jval_get_num(v, "currency", 0),
                  .exp = (guint8)jval_get_num(v, "exp", 0),
                  .trigger_len = (guint8)strlen(trigger),
                  .line = cut + strlen(ALERT_KEY),
                  .len = (gsize)(line + len - 1 - (cut + strlen(ALERT_KEY)))};
    if (!h.account)
        return damaged(lineno, error);
    memcpy(h.id, id, sizeof h.id);
    memcpy(h.trigger, trigger, h.trigger_len);
    g_array_append_val(ss->hits, h);
    return TRUE;
}

ShardSplit *shard_split_new(const Scan *scan, const RuleSet *rs, guint shard, guint shards,
                            ShardFile *f, GError **error)
{
    ShardSplit *ss = g_new0(ShardSplit, 1);
    ss->scan = scan;
    ss->rs = rs;
    ss->f = f;
    ss->hits = g_array_new(FALSE, FALSE, sizeof(GraphHit));
    ss->ty = typology_engine_new(rs);
    ss->rule_alerts = g_new0(guint64, rs->rules->len);
    gsize len, lineno = 0;
    const char *p = rowfile_graph(scan_split(scan), &len), *end = p + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (gsize)(end - p));
        if (!nl || !read_hit(ss, p, (gsize)(nl - p), ++lineno, shard, shards, error)) {
            if (!nl)
                damaged(lineno + 1, error);
            shard_split_free(ss);
            return NULL;
        }
        p = nl + 1;
    }
    return ss;
}

void shard_split_free(ShardSplit *ss)
{
    if (!ss)
        return;
    g_array_free(ss->hits, TRUE);
    typology_engine_free(ss->ty);
    g_free(ss->rule_alerts);
    g_free(ss);
}

/* The typologies' AlertFn: a typology alert, at its indicator's key. */
static gboolean on_typology(const Alert *a, void *user)
{
    ShardSplit *ss = user;
    return shard_file_alert(ss->f, ss->row, ss->order, a);
}

static void feed(ShardSplit *ss, guint64 row, guint32 order, const Alert *a)
{
    ss->row = row;
    ss->order = order;
    if (!typology_feed(ss->ty, a, scan_kyc(ss->scan), FALSE, on_typology, ss))
        ss->failed = TRUE;
}

/* Writes a graph alert and feeds it to the typologies, made whole again
 * as far as they read it. */
static void put_hit(ShardSplit *ss, const GraphHit *h)
{
    const Rule *r = g_ptr_array_index(ss->rs->rules, h->rule);
    if (!shard_file_alert_text(ss->f, h->row, h->order, h->line, h->len))
        ss->failed = TRUE;
    ss->rule_alerts[h->rule]++;
    Alert a = {.rule = r,
               .account = h->account,
               .window_start = h->end,
               .window_end = h->end,
               .trigger = {h->trigger, h->trigger_len},
               .currency = h->currency,
               .currency_exp = h->exp,
               .accounts = scan_accounts(ss->scan),
               .locations = scan_locations(ss->scan),
               .kyc = scan_kyc(ss->scan),
               .score = rule_score(r),
               .role = r->role};
    memcpy(a.id, h->id, sizeof a.id);
    feed(ss, h->row, h->order, &a);
}

/* The graph alerts before (row, order). */
static void put_before(ShardSplit *ss, guint64 row, guint32 order)
{
    for (; ss->next < ss->hits->len; ss->next++) {
        const GraphHit *h = &g_array_index(ss->hits, GraphHit, ss->next);
        if (h->row > row || (h->row == row && h->order >= order))
            break;
        put_hit(ss, h);
    }
}

gboolean shard_split_alert(ShardSplit *ss, guint64 row, guint32 order, const Alert *a)
{
    put_before(ss, row, order);
    if (!shard_file_alert(ss->f, row, order, a))
        ss->failed = TRUE;
    feed(ss, row, order, a);
    return !ss->failed;
}

gboolean shard_split_finish(ShardSplit *ss)
{
    put_before(ss, G_MAXUINT64, G_MAXUINT32);
    return !ss->failed;
}

guint64 shard_split_rule_alerts(const ShardSplit *ss, guint i)
{
    return ss->rule_alerts[i];
}

guint64 shard_split_typology_alerts(const ShardSplit *ss, guint i)
{
    return typology_alerts(ss->ty, i);
}
