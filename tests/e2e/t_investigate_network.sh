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
    grep -q '^  hubs (a business with more than 3, or an account with more than 10 flagged evidence partners: not a link): HUB\$' $TMP/hub.txt &&
    grep -q '^  1 account, top alert score 1: HUB\$' $TMP/hub.txt &&
    [ \$(grep -c '^  1 account, top alert score 1: H[0-9]' $TMP/hub.txt) = 11 ] &&
    [ \"\$(tail -1 $TMP/hub.txt)\" = '15 of 15 networks' ]"
# Which evidence joins, on data of the test's own: rules of two typology
# families (T-SEX-1 receipts of 5,000 to 6,000, T-LAB-1 of 6,000 to
# 7,000, T-LAB-2 four of those in a day; family network) and one on the
# account's own profile (T-OWN-1, 7,000 to 8,000; family profile). S0
# flags every sender first.
#   P1 -> P2 5,500: both SEX: one network P1 P2
#   Q1 (SEX) -> Q2 6,500 (LAB): different families: no join
#   R1 -> R2 7,500: both OWN, but a profile alert's evidence joins nothing
#   K1..K4 -> K 6,100 each, all LAB: K is a business with 4 flagged
#     partners: a hub, named, not joined
#   N1..N4 -> N 6,300 each, all LAB: N is a person (up to 10 partners):
#     one network N N1 N2 N3 N4
F=$TMP/fam
mkdir -p $F
for r in "T-SEX-1 5000 6000 network 1" "T-LAB-1 6000 7000 network 1" "T-LAB-2 6000 7000 network 4" \
    "T-OWN-1 7000 8000 profile 1"; do
    set -- $r
    printf 'rule %s "receipts of %s to %s"\n  version  1\n  source   "tests/e2e/t_investigate_network.sh"\n  family   %s\n  strength weak\n  for each receiver\n  where    amount in [%s, %s)\n  within   1d\n  alert if count >= %s\n  explain  "{count:receipt/receipts}"\n\n' \
        "$1" "$2" "$3" "$4" "$2" "$3" "$5"
done >$F/fam.rule
{
    echo "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo"
    echo "f01,2024-05-01T08:00:00Z,S0,P1,5200.00,EUR,transfer,,,,"
    echo "f02,2024-05-01T08:00:00Z,S0,Q1,5100.00,EUR,transfer,,,,"
    echo "f03,2024-05-01T08:00:00Z,S0,R1,7200.00,EUR,transfer,,,,"
    echo "f04,2024-05-01T09:00:00Z,P1,P2,5500.00,EUR,transfer,,,,"
    echo "f05,2024-05-01T09:00:00Z,Q1,Q2,6500.00,EUR,transfer,,,,"
    echo "f06,2024-05-01T09:00:00Z,R1,R2,7500.00,EUR,transfer,,,,"
    for i in 1 2 3 4; do echo "k0$i,2024-05-02T08:0${i}:00Z,S0,K$i,6200.00,EUR,transfer,,,,"; done
    for i in 1 2 3 4; do echo "k1$i,2024-05-02T09:0${i}:00Z,K$i,K,6100.00,EUR,transfer,,,,"; done
    for i in 1 2 3 4; do echo "n0$i,2024-05-03T08:0${i}:00Z,S0,N$i,6400.00,EUR,transfer,,,,"; done
    for i in 1 2 3 4; do echo "n1$i,2024-05-03T09:0${i}:00Z,N$i,N,6300.00,EUR,transfer,,,,"; done
} >$F/tx.csv
{
    echo "account_id,customer_id,kind,name,birth_date,country,region,city,address,phone,email,occupation,declared_monthly_income,business_mcc,opening_hours,employees,opened_at"
    echo "K,CK,business,Kiosk Eck GmbH,,DE,HH,Hamburg,Eckweg 1,,,,,,,,2020-01-01"
    echo "N,CN,person,Nora Netz,1980-01-01,DE,HH,Hamburg,Netzweg 1,,,,,,,,2020-01-01"
} >$F/acc.csv
check "own families: scan" sh -c "
    $MT scan -q -r $F/fam.rule --accounts $F/acc.csv -o $F/alerts.jsonl $F/tx.csv &&
    $MT cases --by network --json --alerts $F/alerts.jsonl --data $F/tx.csv --accounts $F/acc.csv > $F/net.jsonl &&
    $MT cases --by network --alerts $F/alerts.jsonl --data $F/tx.csv --accounts $F/acc.csv > $F/net.txt"
check "  evidence of one family between two accounts flagged in it joins them" \
    grep -q '^{"case":"P1","accounts":\["P1","P2"\],.*"joins":\[{"a":"P1","b":"P2","via":"evidence"}\]}$' $F/net.jsonl
check "  evidence between accounts flagged in different families joins nothing" sh -c "
    grep -q '^{\"case\":\"Q1\",\"accounts\":\[\"Q1\"\],' $F/net.jsonl && grep -q '^{\"case\":\"Q2\",\"accounts\":\[\"Q2\"\],' $F/net.jsonl"
check "  the evidence of an alert on an account's own profile joins nothing" sh -c "
    grep -q '^{\"case\":\"R1\",\"accounts\":\[\"R1\"\],' $F/net.jsonl && grep -q '^{\"case\":\"R2\",\"accounts\":\[\"R2\"\],' $F/net.jsonl"
check "  a business with 4 flagged partners is a hub, named and not joined" sh -c "
    grep -q '^{\"case\":\"K\",\"accounts\":\[\"K\"\],.*\"hubs\":\[\"K\"\]' $F/net.jsonl &&
    grep -q '^  hubs (a business with more than 3, or an account with more than 10 flagged evidence partners: not a link): K\$' $F/net.txt &&
    [ \$(grep -c '^{\"case\":\"K[1-4]\",\"accounts\":\[\"K[1-4]\"\],' $F/net.jsonl) = 4 ]"
check "  a person with 4 flagged partners is not" \
    grep -q '^{"case":"N","accounts":\["N","N1","N2","N3","N4"\],' $F/net.jsonl
check "  11 networks in all" sh -c "[ \$(wc -l < $F/net.jsonl) = 11 ]"
finish
