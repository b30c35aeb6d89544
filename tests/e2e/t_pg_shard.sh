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
check "scan --shard refuses to store alerts in the database (not supported yet)" sh -c "
    $MT scan -q --rules $R --db '' --shard 0/2 2> $TMP/err; [ \$? -eq 2 ] &&
    grep -qF 'storing shards in the database is not supported' $TMP/err"
finish
