#!/bin/sh
# Nightly incremental runs against a real server: a month of synthetic
# transactions is loaded one day at a time and scanned with --incremental
# after each load; the alert ids stored must be exactly those of one scan
# over the whole month, a second run stores nothing, and a run cannot start
# while another holds the run lock. A scan from the database reads only
# the channels the rules can pass, unless a rule needs every row.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
R=tests/e2e/data/pg
tools/mtgen/mtgen -q --seed 5 --accounts 1500 --days 30 --out "$TMP/gen" || exit 1
# One file per day (the local date of the rows), as a bank's nightly export.
awk -F, -v dir="$TMP" 'NR == 1 { h = $0; next }
    { f = dir "/day-" substr($2, 1, 10) ".csv"; if (!(f in seen)) { print h > f; seen[f] = 1 } print > f }' \
    "$TMP/gen/transactions.csv"

# nightly DB RULES: loads every day into DB and runs the incremental scan
nightly() {
    for f in "$TMP"/day-*.csv; do
        $MT load -q --db "dbname=$1" "$f" && $MT scan -q -r "$2" --db "dbname=$1" --incremental || return 1
    done
}
for case in "cash $R/cash.rule" "short $R" "shipped rules"; do
    set -- $case
    pg_sql -c "CREATE DATABASE $1" && $MT db init --db "dbname=$1" >/dev/null
    nightly "$1" "$2" >"$TMP/$1.log" 2>&1
    echo $? >"$TMP/$1.rc"
    check "$1: a month in 30 nightly runs stores exactly the alerts of one scan over the month" sh -c "
        { [ \$(cat $TMP/$1.rc) -eq 0 ] || { cat $TMP/$1.log; false; }; } &&
        $MT scan -q -r $2 $TMP/gen/transactions.csv > $TMP/$1.jsonl &&
        $PSQL -d $1 -c 'SELECT alert_id FROM alerts ORDER BY 1' > $TMP/$1.db &&
        grep -o '\"alert_id\":\"[0-9a-f]*\"' $TMP/$1.jsonl | cut -d'\"' -f4 | sort -u > $TMP/$1.file &&
        [ -s $TMP/$1.file ] && diff $TMP/$1.file $TMP/$1.db &&
        [ \"\$($PSQL -d $1 -c \"SELECT count(*), count(*) FILTER (WHERE status = 'succeeded') FROM runs\")\" = '30|30' ]"
done
check "cash: the last night read less than half of the month (3-day suppression, 1-day window)" sh -c "
    [ \"\$($PSQL -d cash -c 'SELECT rows < (SELECT count(*) FROM transactions) / 2 FROM runs ORDER BY id DESC LIMIT 1')\" = t ]"
# The short rules pass five channels only: a scan reads no other row.
SHORT_CH="'transfer', 'wire_domestic', 'remittance', 'cash_withdrawal', 'atm_withdrawal'"
check "short: the last night starts from the engine state and reads only the last day's rows" sh -c "
    [ \"\$($PSQL -d short -c \"SELECT rows = (SELECT count(*) FROM transactions WHERE channel IN ($SHORT_CH) AND ts > (SELECT watermark FROM runs ORDER BY id DESC OFFSET 1 LIMIT 1)), replayed, checkpoint LIKE 'started from the engine state at %' FROM runs ORDER BY id DESC LIMIT 1\")\" = 't|0|t' ]"
check "a scan from the database reads only the channels the rules can pass, with the file scan's alerts" sh -c "
    $MT scan -r $R --db dbname=short -o $TMP/push.jsonl 2> $TMP/push.err &&
    $MT scan -q -r $R $TMP/gen/transactions.csv -o $TMP/file.jsonl && [ -s $TMP/file.jsonl ] &&
    cmp $TMP/push.jsonl $TMP/file.jsonl &&
    grep -qx 'scan: read from the database only the channels the rules can pass: cash_withdrawal,atm_withdrawal,wire_domestic,transfer,remittance' $TMP/push.err &&
    n=\$($PSQL -d short -c \"SELECT count(*) FROM transactions WHERE channel IN ($SHORT_CH)\") &&
    [ \$n -lt \$($PSQL -d short -c 'SELECT count(*) FROM transactions') ] &&
    [ \"\$(sed -n 's/^scan: \\([0-9,]*\\) rows read.*/\\1/p' $TMP/push.err | tr -d ,)\" = \$n ]"
# A rule that reads a history field needs every row of its accounts; one
# without a channel test passes every channel: either way, every row is read.
mkdir "$TMP/hist" "$TMP/every"
cat >"$TMP/hist/hist.rule" <<'EOF'
rule T-HIST-01 "Repeated cash withdrawals of known pairs"
  version  1
  source   "tests/e2e/t_pg_incremental.sh"
  family   cash
  strength weak
  for each sender
  where    channel in {cash_withdrawal} and counterparty.paid_before >= 0
  within   1d
  alert if count >= 5
  explain  "{count}"
EOF
sed 's/T-HIST-01/T-EVERY-01/; s/where .*/where    amount > 0/' "$TMP/hist/hist.rule" >"$TMP/every/every.rule"
for d in hist every; do
    check "short rules and $d.rule: every row is read, the same alerts as from the file" sh -c "
        $MT scan -r $R -r $TMP/$d --db dbname=short -o $TMP/$d.db.jsonl 2> $TMP/$d.err &&
        $MT scan -q -r $R -r $TMP/$d $TMP/gen/transactions.csv -o $TMP/$d.file.jsonl &&
        cmp $TMP/$d.db.jsonl $TMP/$d.file.jsonl && ! grep -q 'only the channels' $TMP/$d.err &&
        [ \"\$(sed -n 's/^scan: \\([0-9,]*\\) rows read.*/\\1/p' $TMP/$d.err | tr -d ,)\" = \$($PSQL -d short -c 'SELECT count(*) FROM transactions') ]"
done
check "a second run with nothing new stores nothing and keeps the watermark" sh -c "
    before=\$($PSQL -d short -c 'SELECT (SELECT count(*) FROM alerts), (SELECT max(watermark) FROM runs)') &&
    $MT scan -r $R --db dbname=short --incremental 2> $TMP/e2 &&
    grep -q '^scan: 0 alerts, 0 of them new' $TMP/e2 &&
    [ \"\$($PSQL -d short -c 'SELECT (SELECT count(*) FROM alerts), (SELECT max(watermark) FROM runs)')\" = \"\$before\" ]"
check "a run while another holds the run lock: says so, exit 3, records nothing" sh -c "
    ( $PSQL -d short -c 'SELECT pg_advisory_lock(28020, 1), pg_sleep(4)' > /dev/null & ) &&
    sleep 1 && runs=\$($PSQL -d short -c 'SELECT count(*) FROM runs') &&
    { $MT scan -q -r $R --db dbname=short --incremental 2> $TMP/e3; [ \$? -eq 3 ]; } &&
    grep -q \"another moneytrail run is storing alerts in database 'short' on $PGHOST:$PGPORT (it holds the run lock): try again when it has finished\" $TMP/e3 &&
    [ \"\$($PSQL -d short -c 'SELECT count(*) FROM runs')\" = \"\$runs\" ]"
finish
