#!/bin/sh
# Sharded runs (scan --shard K/N) merged (moneytrail merge) give the alerts
# of one run byte for byte, for N = 1, 2, 3 and 7: on a generated bank with
# its accounts (KYC) table and on a file where a few hubs touch most rows,
# with rules of this test (window, graph and typology rules). A
# scatter-gather whose source and intermediaries belong to other shards
# than its sink is found, on the sink's shard only; a customer's accounts
# meet on one shard, so its typology alert is found there. The merge
# refuses a missing, repeated or unfinished shard and shards of other runs.
# The same again with the data read once: `moneytrail split` decodes the
# sources and runs the graph rules, the shards read its rows file and run
# the window rules; a shard refuses a rows file of other rules or another
# accounts table, a cut one, and a split over its error budget writes none.
set -u
. tests/e2e/lib.sh
MTGEN=${MTGEN:-tools/mtgen/mtgen}
R=tests/e2e/data/shard # window, graph and typology rules of the test

# shards N DIR SCAN-ARGS...: the N shards of a run into DIR/shard-K.jsonl
shards() {
    n=$1 dir=$2
    shift 2
    mkdir -p "$dir"
    k=0
    while [ "$k" -lt "$n" ]; do
        $MT scan -q --rules "$R" --shard "$k/$n" -o "$dir/shard-$k.jsonl" "$@" || return 1
        k=$((k + 1))
    done
}
# merged_is_one N DIR WHOLE SCAN-ARGS...: N shards merged into DIR.jsonl are WHOLE
merged_is_one() {
    n=$1 dir=$2 whole=$3
    shift 3
    shards "$n" "$dir" "$@" && $MT merge -q -o "$dir.jsonl" "$dir"/shard-*.jsonl &&
        cmp "$dir.jsonl" "$whole"
}

# --- the demo bank with its accounts table ---------------------------------
$MTGEN --seed 5 --accounts 3000 --days 60 --count all=2 --out "$TMP/bank" -q
BANK="--accounts $TMP/bank/accounts.csv $TMP/bank/transactions.csv"
$MT scan -q --rules "$R" -o "$TMP/bank.jsonl" $BANK
# every kind of alert is there to be merged: window, graph, typology
check "bank: window, graph and typology alerts in one run" sh -c "
    grep -q '\"rule\":\"T-IN\"' '$TMP/bank.jsonl' && grep -q '\"subgraph\"' '$TMP/bank.jsonl' &&
    grep -q '\"rule\":\"TY-T\"' '$TMP/bank.jsonl'"
for n in 1 2 3 7; do
    check "bank with KYC: $n shards merged = one run, byte for byte" \
        merged_is_one $n "$TMP/bank-$n" "$TMP/bank.jsonl" $BANK
done
check "bank: split once into a rows file" $MT split -q --rules "$R" -o "$TMP/bank.rows" $BANK
for n in 1 2 3 7; do
    check "bank with KYC, split once: $n shards of the rows file merged = one run, byte for byte" \
        merged_is_one $n "$TMP/bank-split-$n" "$TMP/bank.jsonl" \
        --accounts "$TMP/bank/accounts.csv" "$TMP/bank.rows"
done

# --- which shard of 7 owns an account: a probe rule alerting on each -------
P=$TMP/probe
mkdir -p "$P"
cat > "$P/probe.rule" <<'EOF'
rule T-PROBE "Any cash deposit"
  source "test"
  for each receiver
  where channel == cash_deposit
  alert if count >= 1
  explain "a deposit"
EOF
{
    echo "tx_id,ts,from_account,to_account,amount,currency,channel"
    i=0
    while [ $i -lt 40 ]; do
        echo "p$i,2024-01-01T00:00:00Z,,P$i,1.00,EUR,cash_deposit"
        i=$((i + 1))
    done
} > "$P/probe.csv"
k=0
while [ $k -lt 7 ]; do
    $MT scan -q --rules "$P/probe.rule" --shard $k/7 -o "$P/s$k.jsonl" "$P/probe.csv"
    grep -o '"account":"P[0-9]*"' "$P/s$k.jsonl" | tr -d '"' | sed "s/account:\(.*\)/\1 $k/"
    k=$((k + 1))
done > "$P/owner"
probe_ok() {
    [ "$(cut -d' ' -f1 "$P/owner" | sort -u | wc -l)" -eq 40 ] &&
        [ "$(wc -l < "$P/owner")" -eq 40 ] &&
        [ "$(cut -d' ' -f2 "$P/owner" | sort -u | wc -l)" -gt 3 ]
}
check "probe: each of 40 accounts owned by exactly one of 7 shards" probe_ok
owner() { awk -v a="$1" '$1 == a { print $2 }' "$P/owner"; }
# the sink S; its source X and intermediaries V1-V3 on other shards of 7;
# K1 and K2 on different shards by their own ids, made one customer below
S=P0
s=$(owner $S)
# (one from each of the other shards first)
set -- $(awk -v s="$s" '$2 != s { if (!seen[$2]++) print $1; else rest = rest " " $1 }
    END { print rest }' "$P/owner")
X=$1 V1=$2 V2=$3 V3=$4 K1=$5
k1=$(owner "$K1")
K2=$(awk -v k="$k1" -v s="$s" -v used=" P0 $X $V1 $V2 $V3 $K1 " \
    '$2 != k && index(used, " " $1 " ") == 0 { print $1; exit }' "$P/owner")

# --- a hub-heavy file: five hubs on most rows, then the planted patterns ---
awk -v seed=3 'BEGIN {
    srand(seed)
    print "tx_id,ts,from_account,to_account,amount,currency,channel"
    t = 1709251200 # 2024-03-01
    for (i = 0; i < 20000; i++) {
        t += 1 + int(rand() * 250)
        u = sprintf("U%04d", int(rand() * 1500)); v = sprintf("U%04d", int(rand() * 1500))
        h = sprintf("H%d", int(rand() * 5)); r = rand()
        if (r < 0.4) { f = u; to = h } else if (r < 0.75) { f = h; to = u } else { f = u; to = v }
        if (f == to) continue
        ch = rand() < 0.1 ? "cash_deposit" : "transfer"
        if (ch == "cash_deposit") f = ""
        printf "h%d,%s,%s,%s,%d.%02d,EUR,%s\n", i, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), f, to,
            50 + int(rand() * 2000), int(rand() * 100), ch
    }
}' > "$TMP/hubs.csv"
last=$(tail -1 "$TMP/hubs.csv" | cut -d, -f2 | cut -c1-10)
day=$(date -u -d "$last + 1 day" +%Y-%m-%d)
cat >> "$TMP/hubs.csv" <<EOF
sg1,${day}T09:00:00Z,$X,$V1,5000.00,EUR,transfer
sg2,${day}T09:10:00Z,$X,$V2,5000.00,EUR,transfer
sg3,${day}T09:20:00Z,$X,$V3,5000.00,EUR,transfer
sg4,${day}T10:00:00Z,$V1,$S,4500.00,EUR,transfer
sg5,${day}T10:10:00Z,$V2,$S,4000.00,EUR,transfer
sg6,${day}T10:20:00Z,$V3,$S,3800.00,EUR,transfer
ky1,${day}T11:00:00Z,,$K1,900.00,EUR,cash_deposit
ky2,${day}T11:10:00Z,U0001,$K2,10.00,EUR,transfer
ky3,${day}T11:20:00Z,U0002,$K2,10.00,EUR,transfer
ky4,${day}T11:30:00Z,U0003,$K2,10.00,EUR,transfer
ky5,${day}T11:40:00Z,U0004,$K2,10.00,EUR,transfer
EOF
printf 'account_id,customer_id\n%s,CUST1\n%s,CUST1\n' "$K1" "$K2" > "$TMP/hubs-kyc.csv"
HUBS="--accounts $TMP/hubs-kyc.csv $TMP/hubs.csv"
$MT scan -q --rules "$R" -o "$TMP/hubs.jsonl" $HUBS
alert_on() { # alert_on FILE RULE ACCOUNT
    grep "\"rule\":\"$2\"" "$1" | grep -q "\"account\":\"$3\""
}
hubs_found() {
    alert_on "$TMP/hubs.jsonl" T-SG "$S" &&
        { alert_on "$TMP/hubs.jsonl" TY-T "$K1" || alert_on "$TMP/hubs.jsonl" TY-T "$K2"; } &&
        [ "$(grep -c '"subgraph"' "$TMP/hubs.jsonl")" -gt 100 ]
}
check "hubs: the planted scatter-gather on $S, customer CUST1's typology, many graph alerts" hubs_found
for n in 1 2 3 7; do
    check "hubs: $n shards merged = one run, byte for byte" \
        merged_is_one $n "$TMP/hubs-$n" "$TMP/hubs.jsonl" $HUBS
done
check "hubs: split once into a rows file" $MT split -q --rules "$R" -o "$TMP/hubs.rows" $HUBS
for n in 1 2 3 7; do
    check "hubs, split once: $n shards of the rows file merged = one run, byte for byte" \
        merged_is_one $n "$TMP/hubs-split-$n" "$TMP/hubs.jsonl" \
        --accounts "$TMP/hubs-kyc.csv" "$TMP/hubs.rows"
done
# on 7 shards (DIR): the scatter-gather only on the sink's shard, though
# its source and intermediaries are elsewhere; K1 and K2 on one shard
only_sink_shard() {
    k=0
    while [ $k -lt 7 ]; do
        if [ $k -eq "$s" ]; then
            alert_on "$1/shard-$k.jsonl" T-SG "$S" || return 1
        elif alert_on "$1/shard-$k.jsonl" T-SG "$S"; then
            echo "shard $k has it too"
            return 1
        fi
        k=$((k + 1))
    done
}
one_customer() {
    a=$(grep -l "\"account\":\"$K1\"" "$1"/shard-*.jsonl)
    b=$(grep -l "\"account\":\"$K2\"" "$1"/shard-*.jsonl)
    echo "$K1 in $a, $K2 in $b"
    [ -n "$a" ] && [ "$a" = "$b" ] && grep -q '"rule":"TY-T"' "$a"
}
for d in hubs-7 hubs-split-7; do
    check "$d: the scatter-gather on $S (shard $s) found there only; source and intermediaries on $(owner $X) $(owner $V1) $(owner $V2) $(owner $V3)" \
        only_sink_shard "$TMP/$d"
    check "$d: $K1 (shard $k1 by its id) and $K2 (shard $(owner "$K2")), one customer, on one shard" \
        one_customer "$TMP/$d"
done

# --- what merge refuses: nothing is written --------------------------------
D=$TMP/hubs-3
refused() { # refused TEXT FILES...: merge exits 3 saying TEXT, writes nothing
    text=$1
    shift
    rm -f "$TMP/refused.jsonl"
    expect_exit 3 $MT merge -o "$TMP/refused.jsonl" "$@" && contains "$TMP/err" "$text" &&
        [ ! -e "$TMP/refused.jsonl" ]
}
check "merge refuses a missing shard" refused "shard 2 of 3 missing" "$D/shard-0.jsonl" "$D/shard-1.jsonl"
check "merge refuses a shard given twice" refused "shard 1 of 3 given twice" \
    "$D/shard-0.jsonl" "$D/shard-1.jsonl" "$D/shard-1.jsonl"
check "merge refuses shards of different counts" refused "shards of different runs" \
    "$D/shard-0.jsonl" "$TMP/hubs-2/shard-1.jsonl" "$D/shard-2.jsonl"
head -n -1 "$D/shard-2.jsonl" > "$TMP/cut.jsonl"
check "merge refuses a shard that did not finish" refused "shard 2 of 3 did not finish" \
    "$D/shard-0.jsonl" "$D/shard-1.jsonl" "$TMP/cut.jsonl"
$MT scan -q --rules "$R/window.rule" --shard 2/3 -o "$TMP/other-rules.jsonl" $HUBS
check "merge refuses shards run with other rules" refused "different rules" \
    "$D/shard-0.jsonl" "$D/shard-1.jsonl" "$TMP/other-rules.jsonl"
head -n -1 "$TMP/hubs.csv" > "$TMP/hubs-less.csv"
$MT scan -q --rules "$R" --shard 2/3 -o "$TMP/other-input.jsonl" \
    --accounts "$TMP/hubs-kyc.csv" "$TMP/hubs-less.csv"
check "merge refuses shards that read other data" refused "read different inputs" \
    "$D/shard-0.jsonl" "$D/shard-1.jsonl" "$TMP/other-input.jsonl"
printf 'account_id,customer_id\n%s,CUST2\n%s,CUST1\n' "$K1" "$K2" > "$TMP/other-kyc.csv"
$MT scan -q --rules "$R" --shard 2/3 -o "$TMP/other-kyc.jsonl" \
    --accounts "$TMP/other-kyc.csv" "$TMP/hubs.csv"
check "merge refuses shards that read another accounts table" refused "read different inputs" \
    "$D/shard-0.jsonl" "$D/shard-1.jsonl" "$TMP/other-kyc.jsonl"
check "merge refuses an unsharded alerts file" refused "not a shard alerts file" "$TMP/hubs.jsonl"

# --- what a shard refuses of a rows file, and a split that fails -----------
shard_refuses() { # shard_refuses TEXT RULES SCAN-ARGS...: exit 3 saying TEXT, no shard file
    text=$1 rules=$2
    shift 2
    rm -f "$TMP/refused.jsonl"
    expect_exit 3 $MT scan -q --rules "$rules" -o "$TMP/refused.jsonl" "$@" &&
        contains "$TMP/err" "$text" && [ ! -e "$TMP/refused.jsonl" ]
}
check "a rows file is read by shards only" shard_refuses "scan --shard K/N" "$R" \
    --accounts "$TMP/hubs-kyc.csv" "$TMP/hubs.rows"
check "a shard refuses a rows file split with other rules" shard_refuses "other rules" \
    "$R/window.rule" --shard 0/2 --accounts "$TMP/hubs-kyc.csv" "$TMP/hubs.rows"
check "a shard refuses a rows file split with another accounts table" \
    shard_refuses "another --accounts table" "$R" --shard 0/2 --accounts "$TMP/other-kyc.csv" "$TMP/hubs.rows"
check "a shard refuses a rows file split with an accounts table it lacks" \
    shard_refuses "give the shards the split's" "$R" --shard 0/2 "$TMP/hubs.rows"
head -c 100000 "$TMP/hubs.rows" > "$TMP/cut.rows"
check "a shard refuses a rows file cut short" shard_refuses "its end is missing" "$R" \
    --shard 0/2 --accounts "$TMP/hubs-kyc.csv" "$TMP/cut.rows"
{ cat "$TMP/hubs.csv"; echo "bad1,not-a-time,U0001,U0002,1.00,EUR,transfer"; } > "$TMP/bad.csv"
split_over_budget() {
    expect_exit 4 $MT split -q --rules "$R" --max-errors 0 -o "$TMP/bad.rows" "$TMP/bad.csv" &&
        contains "$TMP/err" "no rows file written" && [ ! -e "$TMP/bad.rows" ]
}
check "a split over its error budget writes no rows file" split_over_budget
check "scan --shard 3/3: usage error, shards numbered from 0" sh -c \
    "$MT scan --rules '$R' --shard 3/3 -o '$TMP/x.jsonl' '$TMP/hubs.csv' 2>'$TMP/e'; [ \$? -eq 2 ] && grep -qF 'numbered from 0 to 2' '$TMP/e'"
finish
