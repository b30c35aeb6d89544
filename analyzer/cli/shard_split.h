/* shard_split.h: the graph alerts of a split run (`moneytrail split`) and
 * how a shard that reads its rows file puts them among its own.
 *
 * The split runs the graph rules over every row and keeps each alert as a
 * line of the rows file's graph text:
 *
 *   {"row":R,"order":O,"rule":I,"account":"ID","owner":"KEY","end":T,
 *    "currency":C,"exp":E,"id":"ALERT_ID","trigger":"TX_ID","alert":ALERT}
 *
 * R and O its place in one run (shards_alert_key), I its rule's index,
 * KEY what its anchor's shard is chosen by (scan_owner_key), then what
 * the typologies read of it, and ALERT its line as a scan writes it.
 *
 * A shard (scan --shard K/N on the rows file) runs the window rules; it
 * takes the graph alerts of its own anchors and writes them into its
 * shard file in one run's order between its window alerts, and feeds both
 * to the typologies in that order, as one run's engine does: its file is
 * then what a shard that read the sources writes, and `moneytrail merge`
 * is the same. */
#ifndef MT_SHARD_SPLIT_H
#define MT_SHARD_SPLIT_H

#include <glib.h>

#include "cli/shard_file.h"
#include "scan/scan.h"

/* The graph text's line of alert a of the rules rs, at row and order, into b. */
void shard_split_graph_line(GString *b, const RuleSet *rs, guint64 row, guint32 order,
                            const Alert *a);

typedef struct ShardSplit ShardSplit;

/* The graph alerts of scan's rows file whose anchors are shard's of
 * shards, to be written into f; NULL with error when the text is damaged. */
ShardSplit *shard_split_new(const Scan *scan, const RuleSet *rs, guint shard, guint shards,
                            ShardFile *f, GError **error);
void shard_split_free(ShardSplit *ss);
/* A window alert of the shard at its key: writes the graph alerts before
 * it, then it, each followed by the typology alerts it completes. FALSE
 * once a write failed. */
gboolean shard_split_alert(ShardSplit *ss, guint64 row, guint32 order, const Alert *a);
/* After the last row: the graph alerts after the last window alert. */
gboolean shard_split_finish(ShardSplit *ss);
/* Graph alerts written by rule i; typology alerts by typology i. */
guint64 shard_split_rule_alerts(const ShardSplit *ss, guint i);
guint64 shard_split_typology_alerts(const ShardSplit *ss, guint i);

#endif
