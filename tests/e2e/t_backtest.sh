#!/bin/sh
# moneytrail backtest end to end: a small generated set against its checked-in
# table (tests/e2e/expected/backtest-small.txt), the AMLworld and AMLSim
# layouts of the same set, label columns of the shipped sample files, a
# threshold sweep whose numbers are checked by hand, and the command's errors.
#
# The expected table follows the shipped rules/ and tools/mtgen/mtgen: when either
# changes on purpose, regenerate it with
#   BACKTEST_UPDATE=1 sh tests/e2e/t_backtest.sh
# and read the diff before committing it.
. tests/e2e/lib.sh
MTGEN=${MTGEN:-tools/mtgen/mtgen}
ROOT=$(pwd)
case $MT in /*) MT_ABS=$MT ;; *) MT_ABS=$ROOT/$MT ;; esac
EXPECTED=tests/e2e/expected/backtest-small.txt

# The small set: seed 11 (used by no other test), 2,000 accounts, 30 days,
# one instance of each typology; paths relative to $TMP so that the table
# does not name a temporary directory.
small_backtest() {
    (cd "$TMP" && "$MT_ABS" backtest --rules "$ROOT/rules" --accounts small/accounts.csv \
        --labels small/instances.csv --top 3 small/transactions.csv)
}
check "mtgen writes the small set in three layouts" \
    $MTGEN --seed 11 --accounts 2000 --days 30 --count all=1 --layout canonical,amlworld,amlsim \
    --out "$TMP/small" -q
if [ "${BACKTEST_UPDATE:-}" = 1 ]; then
    small_backtest > "$EXPECTED" && echo "# wrote $EXPECTED"
fi
small_matches() {
    small_backtest > "$TMP/small.txt" && diff -u "$EXPECTED" "$TMP/small.txt"
}
check "backtest of the small set matches $EXPECTED" small_matches
one_thread_matches() {
    (cd "$TMP" && "$MT_ABS" backtest -j 1 --rules "$ROOT/rules" --accounts small/accounts.csv \
        --labels small/instances.csv --top 3 small/transactions.csv) | diff -u "$EXPECTED" -
}
check "backtest with one engine thread matches it too" one_thread_matches

# A shadow rule has its own row but stays out of (any rule): the union row
# then equals the one stable rule's row, alerts and flagged accounts.
shadow_left_out() {
    mkdir -p "$TMP/shadow" && cat > "$TMP/shadow/s.rule" <<'RULES'
rule T-STABLE "Cash deposits"
  source "test"
  for each receiver
  where channel == cash_deposit
  within 1d
  alert if count >= 1
  explain "{count}"
rule T-SHADOW "Card payments"
  status shadow
  source "test"
  for each sender
  where channel == card
  within 1d
  alert if count >= 1
  explain "{count}"
RULES
    $MT backtest --rules "$TMP/shadow" --labels "$TMP/small/instances.csv" \
        "$TMP/small/transactions.csv" > "$TMP/shadow.txt" || return 1
    stable=$(awk '$1 == "T-STABLE" { print $2, $4; exit }' "$TMP/shadow.txt")
    shadow=$(awk '$1 == "T-SHADOW" { print $2; exit }' "$TMP/shadow.txt")
    any=$(awk '$1 == "(any" { print $3, $5; exit }' "$TMP/shadow.txt")
    [ -n "$stable" ] && [ "$stable" = "$any" ] && [ "${shadow:-0}" != 0 ]
}
check "a shadow rule has its row in backtest but stays out of (any rule)" shadow_left_out

# The accounts split among engine threads (docs/performance.md): the same
# alerts, byte for byte, typology and graph-pattern alerts among them.
threads_same() {
    for j in 1 2 4; do
        $MT scan -q -j $j --accounts "$TMP/small/accounts.csv" -o "$TMP/j$j.jsonl" \
            "$TMP/small/transactions.csv" || return 1
    done
    cmp "$TMP/j1.jsonl" "$TMP/j2.jsonl" && cmp "$TMP/j1.jsonl" "$TMP/j4.jsonl" &&
        grep -q '"rule":"TY-' "$TMP/j1.jsonl" && grep -q '"subgraph"' "$TMP/j1.jsonl"
}
check "scan with 1, 2 and 4 engine threads writes byte-identical alerts" threads_same

planted_rows_labelled() {
    n=$(sed 1d "$TMP/small/instance_tx.csv" | cut -d, -f2 | sort -u | wc -l)
    contains "$TMP/small.txt" "        $n labelled transactions ($n in the data)"
}
check "every planted row is a labelled transaction found in the data" planted_rows_labelled

# AMLworld: the Is Laundering column labels the rows, Patterns.txt the typologies.
amlworld_layout() {
    d=$TMP/small
    n=$(grep -c ',1$' "$d/amlworld_trans.csv")
    a=$(grep -c '^BEGIN LAUNDERING ATTEMPT' "$d/amlworld_patterns.txt")
    $MT backtest --labels "$d/amlworld_patterns.txt" "$d/amlworld_trans.csv" > "$TMP/w.txt" &&
        contains "$TMP/w.txt" "(AMLworld patterns): $a attempts" &&
        contains "$TMP/w.txt" "labels: $a instances," &&
        contains "$TMP/w.txt" "'Is Laundering': $n laundering rows" &&
        grep -q '^FAN-IN ' "$TMP/w.txt" && grep -q '^CYCLE ' "$TMP/w.txt"
}
check "AMLworld layout: laundering rows from the column, attempts from the patterns" amlworld_layout

amlsim_layout() {
    f=$TMP/small/amlsim_transactions.csv
    n=$(grep -c ',True,' "$f")
    a=$(grep ',True,' "$f" | cut -d, -f8 | sort -u | wc -l)
    $MT backtest --json "$f" > "$TMP/s.json" &&
        contains "$TMP/s.json" "\"AMLSim column 'is_sar': $n laundering rows\"" &&
        contains "$TMP/s.json" "\"instances\":$a,"
}
check "AMLSim layout: is_sar rows, one instance per alert_id" amlsim_layout

# The laundering-network rules on the AMLSim layout of the small set, with
# mtgen's alert file: each planted structure is found, and its central
# account, as amlsim_alert_accounts.csv names it, is alerted by the rule
# written for it: the fan_in controller by HT-ML-04, the fan_out controller
# by HT-ML-05, a cycle member by HT-ML-07, the scatter_gather sink
# (controller) by HT-ML-06-SG, the gather_scatter hub (controller) by
# HT-ML-04-GS. fan_in has 2 alerts: HT-ML-04 and the HT-CHD-03 fan-in.
mkdir -p "$TMP/net"
for f in ht-ml-04 ht-ml-04-gs ht-ml-05 ht-ml-06 ht-ml-06-sg ht-ml-07 ht-ml-07-ch; do
    cp "rules/$f.rule" "$TMP/net/"
done
cp rules/lists.list "$TMP/net/"
# The small set covers 30 days, and the network rules call a counterparty
# new only after min_history days of data: here from the first day.
sed -i 's/^\(  param    min_history = \)30/\10/' "$TMP"/net/*.rule
amlsim_structures_found() {
    d=$TMP/small
    a=$(sed 1d "$d/instances.csv" | cut -d, -f2 | sort -u | wc -l) # one alert per instance
    $MT backtest -r "$TMP/net" --labels "$d/amlsim_alert_accounts.csv" \
        "$d/amlsim_transactions.csv" > "$TMP/net.txt" &&
        contains "$TMP/net.txt" "(AMLSim alerts): $a alerts" &&
        grep -Eq '^fan_in +2 +2 +1.00 ' "$TMP/net.txt" &&
        grep -Eq '^fan_out +1 +1 +1.00 ' "$TMP/net.txt" &&
        grep -Eq '^cycle +1 +1 +1.00 ' "$TMP/net.txt" &&
        grep -Eq '^scatter_gather +1 +1 +1.00 ' "$TMP/net.txt" &&
        grep -Eq '^gather_scatter +1 +1 +1.00 ' "$TMP/net.txt"
}
check "AMLSim layout: the network rules find every planted structure of the alert file" \
    amlsim_structures_found
alerted_by() { # alerted_by TYPE ROLE RULE: an account of that role alerted by the rule
    accs=$(awk -F, -v t="$1" -v r="$2" '$2 == t && $6 == r { print $3 }' \
        "$TMP/small/amlsim_alert_accounts.csv")
    [ -n "$accs" ] || return 1
    for a in $accs; do
        grep -q "\"rule\":\"$3\",.*\"account\":\"$a\"" "$TMP/net.jsonl" && return 0
    done
    echo "no $3 alert on the $2 of $1 ($accs)"
    return 1
}
amlsim_structures_alerted() {
    $MT scan -q -r "$TMP/net" -o "$TMP/net.jsonl" "$TMP/small/amlsim_transactions.csv" &&
        alerted_by fan_in controller HT-ML-04 && alerted_by fan_out controller HT-ML-05 &&
        alerted_by cycle member HT-ML-07 && alerted_by scatter_gather controller HT-ML-06-SG &&
        alerted_by gather_scatter controller HT-ML-04-GS
}
check "AMLSim layout: each structure's central account is alerted by its rule" \
    amlsim_structures_alerted

# The shipped AMLworld sample: 8 rows labelled 1 touch 10 accounts (3 cash
# depositors and their receiver, 5 senders and their receiver).
amlworld_sample() {
    $MT backtest tests/e2e/data/amlworld.csv > "$TMP/a.txt" &&
        contains "$TMP/a.txt" "labels: 0 instances, 10 labelled accounts (10 in the data)," &&
        contains "$TMP/a.txt" "        8 labelled transactions (8 in the data)"
}
check "AMLworld sample: 8 laundering rows and 10 labelled accounts" amlworld_sample

# A sweep checked by hand on tests/e2e/data/canonical.csv (14 accounts over
# 11 days 23 h 50 min = 0.3998 months). A1 has 3 cash deposits (c01 c06 c10,
# labelled), A2 has 4 night ATM deposits (not labelled). min_count 3 flags
# A1 and A2: precision 1/2, recall 1/1, 2 alerts = 357.35 per 1,000 accounts
# per month; min_count 4 flags only A2.
mkdir -p "$TMP/r" "$TMP/l"
cat > "$TMP/r/t.rule" <<'EOF'
rule T-1 "Cash deposits into one account"
  source   "a test of moneytrail backtest --sweep"
  family   cash
  strength medium
  for each receiver
  where    channel in {cash_deposit, atm_deposit}
  within   10d
  param    min_count = 3
  param    horizon = 10d
  alert if count >= min_count and span <= horizon
  explain  "{count} cash deposits within {span}"
EOF
printf 'typology,instance_id,account,role,first_ts,last_ts\nT-1,1,A1,mule,,\n' > "$TMP/l/instances.csv"
printf 'instance_id,tx_id\n1,c01\n1,c06\n1,c10\n' > "$TMP/l/instance_tx.csv"
cat > "$TMP/sweep.expected" <<'EOF'
sweep of T-1.min_count: rows of T-1, account level
value alerts /1k/month flagged    TP    FP precision recall  lift   F1 instances
3          2    357.35       2     1     1      0.50   1.00   7.0 0.67       1/1
4          1    178.67       1     0     1      0.00   0.00   0.0    -       0/1
EOF
sweep_text() {
    $MT backtest -r "$TMP/r" --labels "$TMP/l/instances.csv" --sweep T-1.min_count=3,4 \
        tests/e2e/data/canonical.csv > "$TMP/sweep.txt" && diff -u "$TMP/sweep.expected" "$TMP/sweep.txt"
}
check "sweep of a rule parameter: one row per value" sweep_text
sweep_json() {
    $MT backtest -r "$TMP/r" --labels "$TMP/l/instances.csv" --sweep T-1.min_count=3,4 --json \
        tests/e2e/data/canonical.csv > "$TMP/sw.json" &&
        contains "$TMP/sw.json" '{"sweep":{"settings":["T-1.min_count"],"rule":"T-1","values":[{"set":{"T-1.min_count":"3"},' &&
        contains "$TMP/sw.json" '"accounts":{"flagged":1,"tp":0,"fp":1,"precision":0,"recall":0}'
}
check "sweep as JSON names the setting and each value" sweep_json

# A grid over a count and a duration. A1's three deposits span 5 d 7 h 20 min,
# A2's four span 9 d 5 h, and any three of A2's span more than 6 days: with
# horizon 6d only A1 alerts (precision 1, lift 1 / (1/14) = 14, F1 1). Rows
# are sorted by F1, the undefined ones (nothing labelled flagged) last in
# grid order.
cat > "$TMP/grid.expected" <<'EOF'
sweep of T-1.min_count x T-1.horizon: rows of T-1, account level
T-1.min_count T-1.horizon alerts /1k/month flagged    TP    FP precision recall  lift   F1 instances
3             6d               1    178.67       1     1     0      1.00   1.00  14.0 1.00       1/1
3             10d              2    357.35       2     1     1      0.50   1.00   7.0 0.67       1/1
4             10d              1    178.67       1     0     1      0.00   0.00   0.0    -       0/1
4             6d               0      0.00       0     0     0         -   0.00     -    -       0/1
EOF
sweep_grid() {
    $MT backtest -r "$TMP/r" --labels "$TMP/l/instances.csv" --sweep T-1.min_count=3,4 \
        --sweep T-1.horizon=10d,6d tests/e2e/data/canonical.csv > "$TMP/grid.txt" &&
        diff -u "$TMP/grid.expected" "$TMP/grid.txt"
}
check "two --sweep options make a grid, durations included, sorted by F1" sweep_grid
sweep_lift() {
    $MT backtest -r "$TMP/r" --labels "$TMP/l/instances.csv" --sweep T-1.horizon=10d,6d \
        --sort lift --json tests/e2e/data/canonical.csv > "$TMP/lift.json" &&
        contains "$TMP/lift.json" '"values":[{"set":{"T-1.horizon":"6d"},' &&
        contains "$TMP/lift.json" '"lift":14,'
}
check "--sort lift puts the highest lift first, in JSON too" sweep_lift
bad_sort() {
    expect_exit 2 $MT backtest -r "$TMP/r" --labels "$TMP/l/instances.csv" \
        --sweep T-1.min_count=3 --sort recall tests/e2e/data/canonical.csv &&
        contains "$TMP/err" "--sort 'recall' is not f1, lift or grid"
}
check "an unknown --sort is a usage error" bad_sort

no_labels() {
    expect_exit 2 $MT backtest tests/e2e/data/canonical.csv && contains "$TMP/err" "no ground truth"
}
check "no labels and no label column is a usage error" no_labels
missing_labels() {
    expect_exit 3 $MT backtest --labels "$TMP/none.csv" tests/e2e/data/canonical.csv &&
        contains "$TMP/err" "cannot read labels: '$TMP/none.csv'"
}
check "a missing label file is a data error" missing_labels
unknown_param() {
    expect_exit 1 $MT backtest -r "$TMP/r" --labels "$TMP/l/instances.csv" --sweep T-1.nope=1 \
        tests/e2e/data/canonical.csv &&
        contains "$TMP/err" "'T-1.nope' is neither a constant nor a rule parameter"
}
check "a sweep of an unknown parameter names it" unknown_param
bad_sweep() {
    expect_exit 2 $MT backtest --labels "$TMP/l/instances.csv" --sweep T-1.min_count \
        tests/e2e/data/canonical.csv && contains "$TMP/err" "is not RULE.PARAM=V1,V2,..."
}
check "a malformed sweep is a usage error" bad_sweep
finish
