#!/bin/sh
# moneytrail scan on a small file in each shipped profile gives exactly the
# expected alerts (the explanations are in the expected files, checkable by
# hand against the rows).
. tests/e2e/lib.sh
for f in canonical amlworld amlsim de-bank; do
    check "scan $f.csv matches expected alerts" sh -c \
        "$MT scan -q tests/e2e/data/$f.csv > $TMP/$f.jsonl && diff -u tests/e2e/expected/$f.jsonl $TMP/$f.jsonl"
done
check "format given by name gives the same alerts as detection" sh -c \
    "$MT scan -q --format de-bank tests/e2e/data/de-bank.csv | diff -u tests/e2e/expected/de-bank.jsonl -"
check "gzip input gives the same alerts as plain" sh -c \
    "gzip -c tests/e2e/data/canonical.csv > $TMP/c.csv && $MT scan -q $TMP/c.csv | diff -u tests/e2e/expected/canonical.jsonl -"
check "standard input gives the same alerts" sh -c \
    "$MT scan -q - < tests/e2e/data/canonical.csv | diff -u tests/e2e/expected/canonical.jsonl -"
check "a file split in two and read as two sources gives the same alerts" sh -c \
    "head -9 tests/e2e/data/canonical.csv > $TMP/p1.csv && (head -1 tests/e2e/data/canonical.csv; tail -n +10 tests/e2e/data/canonical.csv) > $TMP/p2.csv && $MT scan -q $TMP/p1.csv $TMP/p2.csv | diff -u tests/e2e/expected/canonical.jsonl -"
check "two runs write byte-identical alert files" sh -c \
    "$MT scan -q -o $TMP/a1.jsonl tests/e2e/data/canonical.csv && $MT scan -q -o $TMP/a2.jsonl tests/e2e/data/canonical.csv && cmp $TMP/a1.jsonl $TMP/a2.jsonl"
check "the run summary counts rows, accounts and alerts per rule" sh -c \
    "$MT scan -o $TMP/s.jsonl tests/e2e/data/canonical.csv 2> $TMP/sum.txt; grep -q '^scan: 17 rows read, 0 rejected, 14 accounts' $TMP/sum.txt && grep -q '^scan: 4 alerts to $TMP/s.jsonl' $TMP/sum.txt && grep -Eq '^  HT-ML-01 +1  Cash deposits' $TMP/sum.txt"
finish
