#!/bin/sh
# scan --state FILE (docs/never-lost.md, "Engine state between runs"): 45
# nightly files scanned one at a time, each run starting from the state the
# last one wrote, raise exactly the alerts of one scan over all of them,
# byte for byte, each writing only the record chunks that are new; a run
# killed while it writes the state leaves the previous one usable. A state
# that does not fit the run (other rules, another --threads, damaged,
# truncated, not a state, a chunk file damaged or missing) or rows at or
# before its watermark fail the run with the reason, writing neither
# alerts nor state.
. tests/e2e/lib.sh
R=tests/e2e/data/ckpt
tools/mtgen/mtgen -q --seed 11 --accounts 1200 --days 45 --out "$TMP/gen" || exit 1
awk -F, -v dir="$TMP" 'NR == 1 { h = $0; next }
    { f = dir "/day-" substr($2, 1, 10) ".csv"; if (!(f in seen)) { print h > f; seen[f] = 1 } print > f }' \
    "$TMP/gen/transactions.csv"
$MT scan -q --threads 2 -r $R "$TMP/gen/transactions.csv" -o "$TMP/full.jsonl" || exit 1
rc=0
killed=
for f in "$TMP"/day-*.csv; do
    if [ "$f" = "$TMP/day-2024-01-20.csv" ]; then
        # killed once its new chunk files are written, before the state that names them
        ls "$TMP/st.chunks" >"$TMP/chunks.before" && cksum <"$TMP/st" >"$TMP/st.sum"
        MONEYTRAIL_TEST_KILL=state $MT scan -q --threads 2 -r $R --state "$TMP/st" "$f" \
            -o "$TMP/n-$(basename "$f" .csv).jsonl" 2>/dev/null
        killed=$?
        ls "$TMP/st.chunks" >"$TMP/chunks.killed" && cksum <"$TMP/st" >"$TMP/st.sum.killed"
    fi
    $MT scan --threads 2 -r $R --state "$TMP/st" "$f" -o "$TMP/n-$(basename "$f" .csv).jsonl" \
        2>"$TMP/night.err" || { rc=1; cat "$TMP/night.err"; break; }
    [ "$f" = "$TMP/day-2024-01-20.csv" ] && ls "$TMP/st.chunks" >"$TMP/chunks.after"
done
last=$(ls "$TMP"/day-*.csv | tail -1)
check "45 nightly runs from the state: the alerts of one scan over the 45 days, byte for byte" sh -c "
    [ $rc -eq 0 ] && [ \$(ls $TMP/day-*.csv | wc -l) -eq 45 ] &&
    for r in CK-CASH CK-RISE CK-FANIN CK-NEW CK-CHAIN CK-TY; do
        grep -q \"\\\"rule\\\":\\\"\$r\\\"\" $TMP/full.jsonl || { echo no \$r alert; exit 1; }; done &&
    cat $TMP/n-day-*.jsonl | sort > $TMP/nightly.sorted && sort $TMP/full.jsonl > $TMP/full.sorted &&
    cmp $TMP/nightly.sorted $TMP/full.sorted && ! ls $TMP | grep -q 'st.tmp'"
check "the last night says where it started and what it wrote" sh -c "
    grep -q '^scan: started from the state at 2024-02-13T2[0-9]:[0-5][0-9]:[0-5][0-9]Z ([0-9,]* bytes)' $TMP/night.err &&
    grep -q \"^scan: state of [0-9,]* bytes at 2024-02-14T[0-9:]*Z written to $TMP/st ([0-9,]* bytes of it new)\" $TMP/night.err &&
    grep -q \"^scan: \$((\$(wc -l < $last) - 1)) rows read\" $TMP/night.err"
check "a night writes less than the state: only its new chunks and the rest" sh -c "
    all=\$(sed -n 's/^scan: state of \\([0-9,]*\\) bytes at.*/\\1/p' $TMP/night.err | tr -d ,) &&
    new=\$(sed -n 's/.*(\\([0-9,]*\\) bytes of it new)/\\1/p' $TMP/night.err | tr -d ,) &&
    [ \$new -gt 0 ] && [ \$new -lt \$all ] &&
    [ \$(cat $TMP/st.chunks/* | wc -c) -eq \$((all - \$(wc -c < $TMP/st))) ]"
check "a run killed at the state's write: the state file untouched, its new chunk files beside the old" sh -c "
    [ '$killed' = 137 ] && cmp -s $TMP/st.sum $TMP/st.sum.killed &&
    [ \$(comm -23 $TMP/chunks.before $TMP/chunks.killed | wc -l) -eq 0 ] &&
    [ \$(comm -13 $TMP/chunks.before $TMP/chunks.killed | wc -l) -gt 0 ]"
comm -13 "$TMP/chunks.before" "$TMP/chunks.killed" >"$TMP/chunks.orphans"
check "the night run again from the previous state removes the killed run's chunk files" sh -c "
    [ -s $TMP/chunks.orphans ] && [ \$(comm -12 $TMP/chunks.after $TMP/chunks.orphans | wc -l) -eq 0 ] &&
    ! ls $TMP/st.chunks | grep -q tmp"

head -1 "$last" >"$TMP/none.csv"
cp "$TMP/st" "$TMP/st.again" && cp -r "$TMP/st.chunks" "$TMP/st.again.chunks"
check "a run of no rows from the state writes it back byte for byte (a load and a save lose nothing)" sh -c "
    $MT scan --threads 2 -r $R --state $TMP/st.again $TMP/none.csv -o $TMP/none.jsonl 2>$TMP/none.err &&
    [ ! -s $TMP/none.jsonl ] && cmp $TMP/st $TMP/st.again && diff -r $TMP/st.chunks $TMP/st.again.chunks &&
    grep -q \"written to $TMP/st.again (\$(wc -c < $TMP/st | sed ':a;s/\\B[0-9]\\{3\\}\\>/,&/;ta') bytes of it new)\" $TMP/none.err"

# runs that cannot use the state: exit 3 and the reason, the state and the alerts file untouched
cp "$TMP/st" "$TMP/st.good"
echo keep >"$TMP/keep.jsonl"
refused() { # refused STATE REASON [RULES [THREADS]]: the run fails with REASON, changes nothing
    rm -rf "$TMP/try.chunks" && cp -r "${CHUNKS:-$TMP/st.chunks}" "$TMP/try.chunks" &&
    cp "$1" "$TMP/try" && sum=$(cksum <"$TMP/try") &&
        expect_exit 3 $MT scan --threads "${4:-2}" -r "${3:-$R}" --state "$TMP/try" "$last" \
            -o "$TMP/keep.jsonl" &&
        contains "$TMP/err" "$2" && [ "$(cksum <"$TMP/try")" = "$sum" ] &&
        [ "$(cat "$TMP/keep.jsonl")" = keep ]
}
check "rows at or before the state's watermark: refused, nothing written" \
    refused "$TMP/st.good" "rows are at or before the watermark 2024-02-14T22:59:59Z of the state file"
sed 's/count >= 3/count >= 4/' $R/ck.rule >"$TMP/other.rule"
check "other rules: refused with the reason" \
    refused "$TMP/st.good" "cannot be used: the rules changed since it was written (another rules digest)" \
    "$TMP/other.rule"
check "another --threads: refused with the reason" \
    refused "$TMP/st.good" "it was written by a run of 2 engine threads, this run has 3 (--threads)" \
    $R 3
head -c 5000 "$TMP/st.good" >"$TMP/st.short"
check "a truncated state: refused as damaged" \
    refused "$TMP/st.short" "cannot be used: it is damaged: its length is not the one its header gives (truncated)"
# one byte of the payload changed
size=$(wc -c <"$TMP/st.good")
{ head -c $((size / 2)) "$TMP/st.good"; printf 'Z'; tail -c $((size - size / 2 - 1)) "$TMP/st.good"; } >"$TMP/st.bad"
check "the damaged copy differs in one byte of the same length" sh -c "
    ! cmp -s $TMP/st.bad $TMP/st.good && [ \$(wc -c < $TMP/st.bad) -eq $size ]" 
check "a damaged state: the run says so" \
    refused "$TMP/st.bad" "cannot be used: it is damaged: its CRC does not match its bytes"
cp -r "$TMP/st.chunks" "$TMP/bad.chunks"
chunk=$(ls -S "$TMP/bad.chunks" | head -1)
printf 'Z' | dd of="$TMP/bad.chunks/$chunk" bs=1 seek=100 conv=notrunc 2>/dev/null
check "a damaged chunk file: the run says so" sh -c "
    rm -rf $TMP/try.chunks && cp -r $TMP/bad.chunks $TMP/try.chunks && cp $TMP/st.good $TMP/try &&
    $MT scan --threads 2 -r $R --state $TMP/try $TMP/none.csv -o $TMP/x.jsonl 2>$TMP/bad.err; [ \$? -eq 3 ] &&
    grep -q 'cannot be used: it is damaged: a chunk of its records does not match its CRC' $TMP/bad.err &&
    cmp -s $TMP/try $TMP/st.good"
check "a missing chunk file: the run names it" sh -c "
    rm -rf $TMP/try.chunks && cp -r $TMP/st.chunks $TMP/try.chunks && rm $TMP/try.chunks/$chunk && cp $TMP/st.good $TMP/try &&
    $MT scan --threads 2 -r $R --state $TMP/try $TMP/none.csv -o $TMP/x.jsonl 2>$TMP/miss.err; [ \$? -eq 3 ] &&
    grep -q 'cannot be used: it is damaged: a chunk of its records cannot be read: $TMP/try.chunks/$chunk: No such file' $TMP/miss.err"
echo "tx_id,ts" >"$TMP/st.csv"
check "a file that is no state: refused" \
    refused "$TMP/st.csv" "cannot be used: it is not an engine checkpoint"
check "--state with a database: a usage error" sh -c "
    $MT scan -r $R --db dbname=none --incremental --state $TMP/st.good 2> $TMP/db.err; [ \$? -eq 2 ] &&
    grep -q -- '--state is for scans of files into an alerts file' $TMP/db.err"
finish
