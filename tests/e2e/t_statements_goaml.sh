#!/bin/sh
# goAML reports read as transactions. Round trip: the STR that `export
# goaml` writes for the investigator fixture, read back, gives the
# exported transactions of the CSV: id, instant, both sides, amount,
# currency, channel (transmode_code) and memo; location and MCC are not
# read back. The report given twice counts each transaction once.
. tests/e2e/lib.sh
D=tests/e2e/data/case
S="--alerts $D/alerts.jsonl --data $D/transactions.csv --accounts $D/accounts.csv"
$MT export goaml 5b7edd48c4af4fa9 6f444cb47548010e $S -c schema/goaml.conf.example \
    --date 2024-06-01T10:00:00 -o $TMP/str.xml 2>/dev/null || exit 1
SCAN="$MT scan --no-progress -r tests/data/statements/carried.rule --max-lateness 30d"
check "the report twice: 8 transactions, 8 duplicates" sh -c "
    $SCAN -o $TMP/a.jsonl --rejects $TMP/rej.csv $TMP/str.xml $TMP/str.xml 2> $TMP/sum.txt &&
    grep -q '^scan: 16 rows read, 0 rejected' $TMP/sum.txt &&
    grep -q '^scan: 8 duplicate payments dropped' $TMP/sum.txt"
# what was exported, from the CSV: the times as UTC instants, location and mcc empty
for t in $(grep -o '<transactionnumber>[^<]*' $TMP/str.xml | cut -d'>' -f2); do
    grep "^$t," $D/transactions.csv | awk -F, 'BEGIN { OFS = "," } { $8 = ""; $10 = ""; print }' |
    while IFS=, read -r id ts rest; do
        echo "$id,$(date -u -d "$ts" +%Y-%m-%dT%H:%M:%SZ),$rest"
    done
done | sed 's/"//g' > $TMP/want.csv
check "round trip: the exported transactions come back" sh -c "
    test \$(wc -l < $TMP/want.csv) = 8 &&
    tail -n +2 $TMP/rej.csv | sed 's/^[^\"]*\"//; s/\"\$//; s/\"\"/\"/g; s/\"//g' > $TMP/got.csv &&
    diff -u $TMP/want.csv $TMP/got.csv"
check "a cash deposit is transmode K with no from account" grep -q '^t16,2024-05-08T07:10:00Z,,DE-C1,9500.00,EUR,cash_deposit,' $TMP/got.csv
check "the structuring of the report is found" grep -q '"rule":"T-STRUCT".*"account":"DE-C1"' $TMP/a.jsonl
check "malformed goAML: file, line and column" sh -c "
    sed 's|</amount_local>|</amount>|' $TMP/str.xml > $TMP/bad.xml &&
    ! $SCAN -o $TMP/x.jsonl $TMP/bad.xml 2> $TMP/err && grep -Eq 'bad.xml:[0-9]+:[0-9]+: malformed XML' $TMP/err"
check "a transaction without amount_local is rejected with the reason" sh -c "
    sed '0,/<amount_local>1300.00<\/amount_local>/s///' $TMP/str.xml > $TMP/m.xml &&
    $SCAN -o $TMP/x.jsonl --rejects $TMP/mrej.csv $TMP/m.xml 2>/dev/null;
    grep -q 'm.xml,20,,transaction: missing required element amount_local' $TMP/mrej.csv"
# the KYC side table from a report's parties: three workers, one phone
R=tests/data/statements/str-shared-phone.xml
check "--accounts REPORT: a shared-phone rule alerts on the three workers" sh -c "
    $MT scan --no-progress -r tests/data/statements/shared.rule --accounts $R -o $TMP/s.jsonl $R 2>/dev/null &&
    test \$(grep -c '\"rule\":\"T-SHARED\"' $TMP/s.jsonl) = 3 &&
    grep -q '\"account\":\"GB-1\"' $TMP/s.jsonl && grep -q '\"account\":\"GB-3\"' $TMP/s.jsonl"
check "without the parties the rule is silent" sh -c "
    $MT scan --no-progress -r tests/data/statements/shared.rule -o $TMP/s0.jsonl $R 2>/dev/null &&
    test ! -s $TMP/s0.jsonl"
check "investigators read the report's holders as the KYC table: account, linked accounts" sh -c "
    $MT account GB-1 --alerts $TMP/s.jsonl --data $R --accounts $R > $TMP/acc.txt &&
    grep -q '^  name                     Ion Popescu\$' $TMP/acc.txt &&
    grep -Eq '^  GB-3 +Mihai Dumitru +phone +1 +2 T-SHARED' $TMP/acc.txt"
check "investigators: cases --by network joins the workers by their shared phone" sh -c "
    $MT cases --by network --alerts $TMP/s.jsonl --data $R --accounts $R > $TMP/net.txt &&
    grep -q '^  3 accounts, top alert score [0-9]*: GB-1 GB-2 GB-3\$' $TMP/net.txt"
finish
