#!/bin/sh
# moneytrail scan on a small file in each shipped profile gives exactly the
# expected alerts (the explanations are in the expected files, checkable by
# hand against the rows). The rules are the eight of version 1 (V1_RULES,
# lib.sh), so that growing the catalogue does not change these alerts.
. tests/e2e/lib.sh
SCAN="$MT scan$V1_RULES"

for f in canonical amlworld amlsim de-bank; do
    check "scan $f.csv matches expected alerts" sh -c \
        "$SCAN -q tests/e2e/data/$f.csv > $TMP/$f.jsonl && diff -u tests/e2e/expected/$f.jsonl $TMP/$f.jsonl"
done
check "format given by name gives the same alerts as detection" sh -c \
    "$SCAN -q --format de-bank tests/e2e/data/de-bank.csv | diff -u tests/e2e/expected/de-bank.jsonl -"
check "gzip input gives the same alerts as plain" sh -c \
    "gzip -c tests/e2e/data/canonical.csv > $TMP/c.csv && $SCAN -q $TMP/c.csv | diff -u tests/e2e/expected/canonical.jsonl -"
check "standard input gives the same alerts" sh -c \
    "$SCAN -q - < tests/e2e/data/canonical.csv | diff -u tests/e2e/expected/canonical.jsonl -"
check "a file split in two and read as two sources gives the same alerts" sh -c \
    "head -9 tests/e2e/data/canonical.csv > $TMP/p1.csv && (head -1 tests/e2e/data/canonical.csv; tail -n +10 tests/e2e/data/canonical.csv) > $TMP/p2.csv && $SCAN -q $TMP/p1.csv $TMP/p2.csv | diff -u tests/e2e/expected/canonical.jsonl -"
check "two runs write byte-identical alert files" sh -c \
    "$SCAN -q -o $TMP/a1.jsonl tests/e2e/data/canonical.csv && $SCAN -q -o $TMP/a2.jsonl tests/e2e/data/canonical.csv && cmp $TMP/a1.jsonl $TMP/a2.jsonl"
check "the run summary counts rows, accounts and alerts per rule" sh -c \
    "$SCAN -o $TMP/s.jsonl tests/e2e/data/canonical.csv 2> $TMP/sum.txt; grep -q '^scan: 17 rows read, 0 rejected, 14 accounts' $TMP/sum.txt && grep -q '^scan: 3 alerts to $TMP/s.jsonl' $TMP/sum.txt && grep -Eq '^  HT-ML-01 +1  Cash deposits' $TMP/sum.txt"
# HT-ML-01 alone: of the 7 cash and ATM deposits, the amount prefilter
# leaves the 3 in the band (c01, c06, c10) to its filter program, and they
# enter A1's window; one pool chunk of 64 windows is far below 0.1 MiB
check "--profile: windows updated, filter runs, share and memory held per rule" sh -c "
    $MT scan -r rules/ht-ml-01.rule --profile -o $TMP/p.jsonl tests/e2e/data/canonical.csv 2> $TMP/prof.txt &&
    grep -q 'rule costs: .*memory its windows hold at the end' $TMP/prof.txt &&
    grep -Eq '^  HT-ML-01 +3 +3 +[0-9]+[.][0-9]{2} +100[.]0% +0[.]0\$' $TMP/prof.txt"
# with two engine threads and a graph rule: the reading thread, two
# shares of the accounts, and the graph rules' thread
check "--profile with threads: CPU seconds of each thread" sh -c "
    $MT scan -j 2 -r rules/ht-ml-01.rule -r rules/ht-ml-07.rule --profile -o $TMP/p.jsonl tests/e2e/data/canonical.csv 2> $TMP/prof.txt &&
    grep -Eq '^scan: CPU seconds by thread: [0-9.]+ reading, decoding and writing alerts, [0-9.]+ a share of the accounts, [0-9.]+ a share of the accounts, [0-9.]+ graph rules\$' $TMP/prof.txt"
# the memory by part: one graph rule and no window rule, on one thread:
# no windows; the graph's edge ring starts at 4,096 edges of 72 bytes (a
# 56-byte transaction core, the rules' bits, the record's pointer: 294,912
# bytes, 0.3 MiB), 21,065 bytes for each of the file's 14 accounts; then
# what is sized by the batch, the recent ids one chunk of the copies
# check's ring (4,096 ids of 104 bytes) and its first table (1,024 slots of
# 4 bytes): 430,080 bytes, 0.4 MiB
check "--profile: memory held by part and per distinct account" sh -c "
    $MT scan -j 1 -r rules/ht-ml-07.rule --profile -o $TMP/p.jsonl tests/e2e/data/canonical.csv 2> $TMP/prof.txt &&
    grep -q ' 14 accounts, ' $TMP/prof.txt &&
    grep -Eq '^scan: memory held at the end, MiB [(]bytes per distinct account[)]: accounts. rows [0-9.]+ [(][0-9]+[)], windows 0[.]0 [(]0[)], records [0-9.]+ [(][0-9]+[)], graph edges 0[.]3 [(]21065[)], graph indexes [0-9.]+ [(][0-9]+[)], history [0-9.]+ [(][0-9]+[)], account ids [0-9.]+ [(][0-9]+[)]; in all [0-9.]+ [(][0-9]+[)]; by the batch: rows and passes [0-9.]+, recent ids 0[.]4; peak RSS [0-9.]+\$' $TMP/prof.txt"
check "--threads beyond the limit is a usage error" sh -c "
    $MT scan -j 65 tests/e2e/data/canonical.csv 2> $TMP/j.err; [ \$? = 2 ] &&
    grep -q '^moneytrail: scan: --threads must be from 1 to 64, or 0 for one per processor\$' $TMP/j.err"
# tools/abtest: one build against itself (two runs each), then against a
# wrapper that drops the first alert of its alert file
MT_ABS=$(realpath "$MT")
cat > "$TMP/drop1" <<EOF
#!/bin/sh
"$MT_ABS" "\$@" || exit
prev=""
for a in "\$@"; do [ "\$prev" = -o ] && sed -i 1d "\$a"; prev=\$a; done
EOF
chmod +x "$TMP/drop1"
check "tools/abtest compares two builds and their alerts" sh -c "
    tools/abtest -n 2 $MT_ABS $MT_ABS tests/e2e/data/canonical.csv > $TMP/ab.txt &&
    grep -Eq '^abtest: old wall [0-9.]+ [0-9.]+; median [0-9.]+ s wall' $TMP/ab.txt &&
    grep -q '^abtest: alerts byte-identical\$' $TMP/ab.txt &&
    ! tools/abtest -n 1 $MT_ABS $TMP/drop1 tests/e2e/data/canonical.csv > $TMP/ab2.txt &&
    grep -q '^abtest: the alerts differ\$' $TMP/ab2.txt"
finish
