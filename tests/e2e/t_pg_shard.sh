#!/bin/sh
# Sharded scans reading from PostgreSQL (scan --db --shard K/N -o FILE),
# against a real server started by the harness: merged, the shards give
# the alerts of one run from the same database, byte for byte, with the
# accounts table from the database; and the same alerts as one run over
# the files that were loaded.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
MTGEN=${MTGEN:-tools/mtgen/mtgen}
R=tests/e2e/data/shard # window, graph and typology rules (t_shard.sh's)
$MTGEN --seed 6 --accounts 1500 --days 40 --count all=1 --out "$TMP/bank" -q
check "db init and load the bank with its accounts" sh -c "
    $MT db init --db '' >/dev/null &&
    $MT load -q --db '' --accounts $TMP/bank/accounts.csv $TMP/bank/transactions.csv"
$MT scan -q --rules "$R" --db '' -o "$TMP/one.jsonl"
$MT scan -q --rules "$R" --accounts "$TMP/bank/accounts.csv" -o "$TMP/files.jsonl" \
    "$TMP/bank/transactions.csv"
check "one run from the database: alerts, as from the files" sh -c "
    [ -s '$TMP/one.jsonl' ] && cmp '$TMP/one.jsonl' '$TMP/files.jsonl'"
from_db() { # from_db N: N shards from the database merged are one run's
    n=$1
    mkdir -p "$TMP/db-$n"
    k=0
    while [ "$k" -lt "$n" ]; do
        $MT scan -q --rules "$R" --db '' --shard "$k/$n" -o "$TMP/db-$n/shard-$k.jsonl" || return 1
        k=$((k + 1))
    done
    $MT merge -q -o "$TMP/db-$n.jsonl" "$TMP/db-$n"/shard-*.jsonl && cmp "$TMP/db-$n.jsonl" "$TMP/one.jsonl"
}
for n in 2 3; do
    check "$n shards from the database merged = one run, byte for byte" from_db $n
done
check "merge --db of plain shards: one non-incremental run with one run's alerts" sh -c "
    $MT merge -q --db '' --rules $R $TMP/db-3/shard-*.jsonl &&
    grep -o '\"alert_id\":\"[0-9a-f]*\"' $TMP/one.jsonl | cut -d'\"' -f4 | sort -u > $TMP/one.ids &&
    $PSQL -c 'SELECT alert_id FROM alerts ORDER BY 1' > $TMP/stored.ids &&
    [ -s $TMP/one.ids ] && diff $TMP/one.ids $TMP/stored.ids &&
    [ \"\$($PSQL -c \"SELECT status, incremental, alerts FROM runs\")\" = \"succeeded|f|\$(wc -l < $TMP/one.jsonl)\" ]"
check "merge --db refuses shards run with other rules: a failed run, nothing stored" sh -c "
    $MT merge -q --db '' --rules rules $TMP/db-3/shard-*.jsonl 2> $TMP/err; [ \$? -eq 3 ] &&
    grep -q 'the shards were run with other rules than --rules' $TMP/err &&
    [ \"\$($PSQL -c \"SELECT count(*), count(*) FILTER (WHERE status = 'failed' AND error LIKE '%other rules%') FROM runs\")\" = '2|1' ]"
check "scan --shard stores nothing itself: the merge does (exit 2, says so)" sh -c "
    $MT scan -q --rules $R --db '' --shard 0/2 2> $TMP/err; [ \$? -eq 2 ] &&
    grep -qF \"'moneytrail merge --db' stores the merged shards as one run\" $TMP/err"

# Nightly sharded runs: each night 3 shards plan from the database and
# write their files, the merge stores them as one run. Day 12 arrives late
# (after day 20), so one night evaluates late rows and may supersede.
$MTGEN --seed 8 --accounts 1500 --days 31 --count all=1 --out "$TMP/month" -q
mkdir -p "$TMP/days" "$TMP/night"
awk -F, -v dir="$TMP/days" 'NR == 1 { h = $0; next }
    { f = dir "/" substr($2, 1, 10) ".csv"; if (!(f in seen)) { print h > f; seen[f] = 1 } print > f }' \
    "$TMP/month/transactions.csv"
set -- "$TMP"/days/*.csv
DAYS=$#
LATE=$(eval echo "\${12}")
DAY5=$5
LAST=$(eval echo "\${$#}") # kept for the failed shard below
DB="dbname=nightly"
pg_sql -c "CREATE DATABASE nightly" && $MT db init --db "$DB" >/dev/null
shard() { # shard K [SCAN_ARGS...]: shard K of 3 of tonight's incremental run
    k=$1
    shift
    $MT scan -q --rules "$R" --db "$DB" --incremental --shard "$k/3" \
        -o "$TMP/night/shard-$k.jsonl" "$@"
}
merge() {
    $MT merge -q --db "$DB" --incremental --rules "$R" "$TMP"/night/shard-*.jsonl
}
night() { shard 0 && shard 1 && shard 2 && merge; }
month() {
    for f in "$TMP"/days/*.csv; do
        [ "$f" = "$LAST" ] || [ "$f" = "$LATE" ] && continue
        $MT load -q --db "$DB" --accounts "$TMP/month/accounts.csv" "$f" && night || return 1
        case $f in */*-20.csv) $MT load -q --db "$DB" "$LATE" && night || return 1 ;; esac
    done
}
# same_ids FILES...: the database's active alert ids are those of one scan of FILES
same_ids() {
    $PSQL -d nightly -c 'SELECT alert_id FROM alerts WHERE superseded_by IS NULL ORDER BY 1' >"$TMP/db.ids" &&
        $MT scan -q --rules "$R" --accounts "$TMP/month/accounts.csv" -o "$TMP/full.jsonl" "$@" &&
        grep -o '"alert_id":"[0-9a-f]*"' "$TMP/full.jsonl" | cut -d'"' -f4 | sort -u >"$TMP/full.ids" &&
        [ -s "$TMP/full.ids" ] && diff "$TMP/full.ids" "$TMP/db.ids"
}
month >"$TMP/month.log" 2>&1
echo $? >"$TMP/month.rc"
month_ok() { [ "$(cat "$TMP/month.rc")" -eq 0 ] || { cat "$TMP/month.log"; return 1; }; }
month_ids() { month_ok && same_ids $(ls "$TMP"/days/*.csv | grep -vx "$LAST"); }
check "$((DAYS - 1)) nights of 3 shards merged into the database: the active alert ids of one scan" \
    month_ids
RUNS=$((DAYS - 1)) # a run a night: DAYS - 2 days, and the late day
check "one run recorded per night ($RUNS), each of 3 shard files, succeeded; the last one's watermark" sh -c "
    [ \"\$($PSQL -d nightly -c \"SELECT count(*), count(*) FILTER (WHERE status = 'succeeded' AND incremental
        AND source LIKE '%, 3 shard files merged') FROM runs\")\" = '$RUNS|$RUNS' ] &&
    [ \"\$($PSQL -d nightly -c 'SELECT max(watermark) = (SELECT max(ts) FROM transactions) FROM runs')\" = t ]"
check "the late night evaluated day 12's rows as late" sh -c "
    [ \"\$($PSQL -d nightly -c 'SELECT count(*), sum(late_rows) = (SELECT sum(rows) FROM late_loads) FROM runs WHERE late_rows > 0')\" = '1|t' ] &&
    [ \"\$($PSQL -d nightly -c 'SELECT count(*) FROM late_loads WHERE evaluated_by IS NULL')\" = 0 ]"

# The last day: shard 1 fails (a missing accounts table); the merge, if it
# runs at all, finds last night's shard 1 and refuses it. Nothing stored;
# the runs table says which shard failed and why. Shard 1 run again, the
# merge stores the night.
before=$($PSQL -d nightly -c 'SELECT (SELECT count(*) FROM alerts), (SELECT max(watermark) FROM runs)')
$MT load -q --db "$DB" "$LAST"
shard 0 && shard 2
shard 1 --accounts "$TMP/no-such-accounts.csv" 2>"$TMP/shard1.err"
echo $? >"$TMP/shard1.rc"
check "a failed shard: exit 3, recorded as a failed run that names the shard and the reason" sh -c "
    [ \$(cat $TMP/shard1.rc) -eq 3 ] &&
    [ \"\$($PSQL -d nightly -c \"SELECT source LIKE '%shard 1/3', error LIKE 'shard 1/3 failed: %no-such-accounts.csv%' FROM runs ORDER BY id DESC LIMIT 1\")\" = 't|t' ]"
check "the merge refuses last night's shard 1 beside tonight's: exit 3, a failed run, nothing stored" sh -c "
    $MT merge -q --db '$DB' --incremental --rules $R $TMP/night/shard-*.jsonl 2> $TMP/merge.err; [ \$? -eq 3 ] &&
    grep -q 'read different inputs' $TMP/merge.err &&
    [ \"\$($PSQL -d nightly -c \"SELECT status, error LIKE '%read different inputs%' FROM runs ORDER BY id DESC LIMIT 1\")\" = 'failed|t' ] &&
    [ \"\$($PSQL -d nightly -c 'SELECT (SELECT count(*) FROM alerts), (SELECT max(watermark) FROM runs)')\" = \"$before\" ]"
again() { shard 1 && merge && same_ids "$TMP"/days/*.csv; }
check "shard 1 run again, the merge stores the night: the active alert ids of one scan of every day" again
# five rows of day 5 under new ids, loaded late while the shards wait for their merge
{ sed 1q "$LAST" && sed -n '2,6s/^\([^,]*\)/\1late/p' "$DAY5"; } >"$TMP/late5.csv"
check "a merge after late rows and another run: refused, run every shard again" sh -c "
    for k in 0 1 2; do $MT scan -q --rules $R --db '$DB' --incremental --shard \$k/3 -o $TMP/night/shard-\$k.jsonl || exit 1; done &&
    $MT load -q --db '$DB' $TMP/late5.csv && $MT scan -q --rules $R --db '$DB' --incremental &&
    $MT merge -q --db '$DB' --incremental --rules $R $TMP/night/shard-*.jsonl 2> $TMP/merge.err; [ \$? -eq 3 ] &&
    { grep -q 'the database changed after the shards planned their run' $TMP/merge.err || { cat $TMP/merge.err; false; }; }"
finish
