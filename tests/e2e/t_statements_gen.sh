#!/bin/sh
# The generator's camt.053 and MT940 statements of its bank, read back,
# give the alerts of its CSV, on rules that use only what the formats
# carry (tests/data/statements/carried.rule). A payment between two of the
# bank's accounts is in both statements: read once, the copy dropped as a
# duplicate. MT940 has dates, not times: its alerts are those of the CSV
# with every time set to midnight (and MCC, location emptied).
. tests/e2e/lib.sh
G=$TMP/g
tools/mtgen/mtgen -q --seed 7 --accounts 1500 --days 30 --layout canonical,camt053,mt940 --out "$G" || exit 1
RULES=tests/data/statements/carried.rule
SCAN="$MT scan --no-progress -r $RULES --max-lateness 1d --max-errors 0 -o"
check "the CSV raises structuring and fan-in alerts" sh -c "
    $SCAN $TMP/csv.jsonl $G/transactions.csv 2> $TMP/csv.txt &&
    grep -Eq '^  T-STRUCT +[1-9]' $TMP/csv.txt && grep -Eq '^  T-FANIN +[1-9]' $TMP/csv.txt"
rows=$(($(wc -l < $G/transactions.csv) - 1))
check "camt.053: every row read once, the same alerts byte for byte" sh -c "
    $SCAN $TMP/camt.jsonl $G/statements.camt053.xml 2> $TMP/camt.txt &&
    grep -q \"in rows read + [0-9,]* rejected\" $TMP/camt.txt &&
    test \"\$(sed -n 's/.*= \([0-9,]*\) in rows read.*/\1/p' $TMP/camt.txt | tr -d ,)\" = $rows &&
    grep -q 'duplicate payments dropped' $TMP/camt.txt &&
    cmp $TMP/csv.jsonl $TMP/camt.jsonl"
check "MT940: the alerts of the CSV at dates" sh -c "
    awk -F, 'BEGIN { OFS = \",\" } NR > 1 { \$2 = substr(\$2, 1, 10) \"T00:00:00\"; \$8 = \"\"; \$10 = \"\" } 1' \
        $G/transactions.csv > $TMP/dated.csv &&
    $SCAN $TMP/dated.jsonl $TMP/dated.csv 2>/dev/null &&
    $SCAN $TMP/mt.jsonl $G/statements.mt940 2> $TMP/mt.txt &&
    test \"\$(sed -n 's/.*= \([0-9,]*\) in rows read.*/\1/p' $TMP/mt.txt | tr -d ,)\" = $rows &&
    test -s $TMP/mt.jsonl && cmp $TMP/dated.jsonl $TMP/mt.jsonl"
check "gzip statements give the same alerts" sh -c "
    tools/mtgen/mtgen -q --seed 7 --accounts 1500 --days 30 --layout camt053 --gzip --out $TMP/z &&
    test -f $TMP/z/statements.camt053.xml.gz &&
    $SCAN $TMP/z.jsonl $TMP/z/statements.camt053.xml.gz 2>/dev/null && cmp $TMP/csv.jsonl $TMP/z.jsonl"
check "an unknown layout is named" sh -c "
    ! tools/mtgen/mtgen -q --layout camt052 --out $TMP/u 2> $TMP/err &&
    grep -q \"unknown layout 'camt052': expected canonical, amlworld, amlsim, camt053 or mt940\" $TMP/err"
finish
