#!/bin/sh
# `moneytrail cases --by network` (and --by account) on the hand-made data
# of tests/e2e/data/network (its README checks every figure by hand): two
# networks and one lone account, from the files and from PostgreSQL.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
D=tests/e2e/data/network
B="--db dbname=postgres"

check "scan the network data with its own rules" sh -c "
    $MT scan -q -r $D/net.rule --accounts $D/accounts.csv -o $TMP/alerts.jsonl $D/transactions.csv &&
    [ \$(wc -l < $TMP/alerts.jsonl) = 9 ]"
S="--alerts $TMP/alerts.jsonl --data $D/transactions.csv --accounts $D/accounts.csv"

cat >"$TMP/want.txt" <<'OUT'
NETWORK     SCORE ALERTS NEW STRONGEST   ROLE            STATUS       ASSIGNEE FIRST      LAST
B1            8.8      5   5 NET-HUGE    -               new          -        2024-05-02 2024-05-02
  3 accounts, top alert score 3: B1 B2 B3
  joined by: B1-B2 customer, B1-B2 phone, B1-B2 address, B2-B3 evidence
A1            2.9      3   3 NET-BIG     -               new          -        2024-05-01 2024-05-01
  3 accounts, top alert score 1: A1 A2 A3
  joined by: A1-A2 evidence, A2-A3 phone
L1            1.0      1   1 NET-BIG     -               new          -        2024-05-03 2024-05-03
  1 account, top alert score 1: L1
3 of 3 networks
OUT
check "files: two networks and a lone account, as the README works out" sh -c "
    $MT cases --by network $S > $TMP/net.txt && diff -u $TMP/want.txt $TMP/net.txt"
check "files: --json names the joins of each network" sh -c "
    $MT cases --by network --json $S > $TMP/net.jsonl &&
    [ \$(wc -l < $TMP/net.jsonl) = 3 ] &&
    grep -q '^{\"case\":\"A1\",\"accounts\":\[\"A1\",\"A2\",\"A3\"\],\"score\":2.87,\"top\":1,\"alerts\":3,' $TMP/net.jsonl &&
    grep -q '\"joins\":\[{\"a\":\"A1\",\"b\":\"A2\",\"via\":\"evidence\"},{\"a\":\"A2\",\"b\":\"A3\",\"via\":\"phone\"}\]}$' $TMP/net.jsonl &&
    grep -q '^{\"case\":\"L1\",.*\"joins\":\[\]}$' $TMP/net.jsonl"
check "files: --by customer puts B1 and B2 in one case, the rest alone" sh -c "
    $MT cases --by customer $S > $TMP/cust.txt &&
    [ \"\$(tail -1 $TMP/cust.txt)\" = '6 of 6 cases' ] &&
    grep -q '^  accounts: B1 B2\$' $TMP/cust.txt"
check "files: --by account: one line per flagged account" sh -c "
    $MT cases --by account $S > $TMP/acc.txt &&
    [ \"\$(tail -1 $TMP/acc.txt)\" = '7 of 7 accounts' ] &&
    [ \"\$(sed -n 1p $TMP/acc.txt | cut -c1-7)\" = ACCOUNT ]"
check "files: --limit and --offset page networks" sh -c "
    [ \"\$($MT cases --by network --limit 1 --offset 1 $S | sed -n '2p;\$p' | cut -c1-2)\" = \"A1
1 \" ]"
check "files: --by network without the transactions: exit 2" \
    expect_exit 2 $MT cases --by network --alerts $TMP/alerts.jsonl --accounts $D/accounts.csv
check "  and a plain message" contains $TMP/err 'no transactions given: use --data FILE'
check "an unknown grouping: exit 2" expect_exit 2 $MT cases --by town $S
check "  and a plain message" contains $TMP/err "--by 'town' is not customer, account or network"

check "db: load and scan the network data" sh -c "
    $MT db init $B >/dev/null && $MT load -q $B --accounts $D/accounts.csv $D/transactions.csv &&
    $MT scan -q $B -r $D/net.rule --accounts $D/accounts.csv &&
    [ \"\$($PG_BIN/psql -XAtq -c 'SELECT count(*) FROM alerts')\" = 9 ]"
check "db: the same networks as from the files" sh -c "
    $MT cases --by network $B > $TMP/dbnet.txt && diff -u $TMP/want.txt $TMP/dbnet.txt"
check "db: the same JSON as from the files" sh -c "
    $MT cases --by network --json $B | diff -u $TMP/net.jsonl -"
check "db: a payment between two flagged accounts that no alert holds joins nothing" sh -c "
    $PG_BIN/psql -XAtq -c \"INSERT INTO transactions (tx_id, ts, from_account, to_account, amount, currency, channel) VALUES ('n10', '2024-05-04T09:00:00Z', 'L1', 'A3', 10, 'EUR', 'transfer')\" &&
    $MT cases --by network $B | diff -u $TMP/want.txt -"
check "files: a hub: evidence reaching more than 10 flagged accounts is no link" sh -c "
    for i in 10 11 12 13 14 15 16 17 18 19 20; do
        echo \"h\$i,2024-05-\${i}T09:00:00Z,H\$i,HUB,6000.00,EUR,transfer,,,,\"
        echo \"g\$i,2024-05-\${i}T10:00:00Z,G\$i,H\$i,6000.00,EUR,transfer,,,,\"
    done > $TMP/hub.body && cat $D/transactions.csv $TMP/hub.body > $TMP/hub.csv &&
    $MT scan -q -r $D/net.rule -o $TMP/hub.jsonl $TMP/hub.csv &&
    $MT cases --by network --alerts $TMP/hub.jsonl --data $TMP/hub.csv --accounts $D/accounts.csv > $TMP/hub.txt &&
    grep -q '^  hubs (evidence with more than 10 flagged accounts, not a link): HUB\$' $TMP/hub.txt &&
    grep -q '^  1 account, top alert score 1: HUB\$' $TMP/hub.txt &&
    [ \$(grep -c '^  1 account, top alert score 1: H[0-9]' $TMP/hub.txt) = 11 ] &&
    [ \"\$(tail -1 $TMP/hub.txt)\" = '15 of 15 networks' ]"
finish
