#!/bin/sh
# Nothing lost: every data line is in a row read, a reject or a blank line,
# and the summary says so; no output ever overwrites an input; the rejects
# file is kept whole or not replaced; implausible dates, huge amounts and
# duplicate ids are rejected with a reason. docs/never-lost.md lists the
# invariants and which check below tests each.
. tests/e2e/lib.sh
R=rules
MTA=$(cd "$(dirname "$MT")" && pwd)/$(basename "$MT") # for checks run elsewhere

# gen N FILE: a canonical export of N good rows, one a second from midnight
gen() {
    awk -v n="$1" 'BEGIN {
        print "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo"
        for (i = 1; i <= n; i++)
            printf "t%05d,2024-03-01T%02d:%02d:%02dZ,A%d,B%d,%d.00,EUR,transfer,,,Hamburg,note %d\n",
                i, int(i / 3600), int(i / 60) % 60, i % 60, i % 50, i % 7, 100 + i, i
    }' > "$2"
}
gen 3000 $TMP/f.csv
# a stray quote before the last field of data row 1001 (line 1002)
awk 'NR == 1002 { sub(/note/, "\"note") } 1' $TMP/f.csv > $TMP/quote.csv

check "one unbalanced quote costs its line: the rest is read, the span is reported" sh -c "
    $MT scan -r $R --rejects $TMP/rq.csv -o $TMP/q.jsonl $TMP/quote.csv 2> $TMP/err &&
    grep -q '^scan: 3,000 rows read, 1 rejected' $TMP/err &&
    grep -q '^scan: 3,000 data lines = 2,999 in rows read + 1 rejected + 0 blank$' $TMP/err &&
    [ \$(wc -l < $TMP/rq.csv) -eq 2 ] &&
    grep -q '^$TMP/quote.csv,1002,,\"unbalanced quote: the quoted field opened on line 1002 is still open at line 3001 after 151601 bytes; line 1002 rejected, reading resumes at line 1003\",' $TMP/rq.csv"
check "the same stray quote in a gzip export: the same accounting" sh -c "
    gzip -c $TMP/quote.csv > $TMP/quote.csv.gz &&
    $MT scan -r $R -o $TMP/qz.jsonl $TMP/quote.csv.gz 2> $TMP/err &&
    grep -q '^scan: 3,000 data lines = 2,999 in rows read + 1 rejected + 0 blank$' $TMP/err &&
    cmp $TMP/q.jsonl $TMP/qz.jsonl"
check "blank lines and a last line without newline are accounted for" sh -c "
    { head -n 10 $TMP/f.csv; echo; echo; tail -n 1 $TMP/f.csv | tr -d '\n'; } > $TMP/blank.csv &&
    $MT scan -r $R -o $TMP/b.jsonl $TMP/blank.csv 2> $TMP/err &&
    grep -q '^scan: 12 data lines = 10 in rows read + 0 rejected + 2 blank$' $TMP/err"
check "a stray quote in each of many rows: every line accounted for" sh -c "
    awk 'NR > 1 && NR % 100 == 0 { sub(/note/, \"\\\"note\") } 1' $TMP/f.csv > $TMP/many.csv &&
    $MT scan -r $R --max-errors 1000 -o $TMP/m.jsonl $TMP/many.csv 2> $TMP/err &&
    grep -q '^scan: 3,000 data lines = 2,970 in rows read + 30 rejected + 0 blank$' $TMP/err"
cp tests/e2e/data/canonical.csv $TMP/in.csv
printf 'account_id,kind\nA1,person\n' > $TMP/acc.csv
ln -s $TMP/in.csv $TMP/link.csv
ln $TMP/in.csv $TMP/hard.csv
check "--rejects equal to the input: refused, the input untouched" sh -c "
    { $MT scan -q -r $R --rejects $TMP/in.csv $TMP/in.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"^moneytrail: scan: --rejects '$TMP/in.csv' is the same file as input '$TMP/in.csv'; refusing to overwrite an input\" $TMP/err &&
    cmp $TMP/in.csv tests/e2e/data/canonical.csv"
check "-o through a symlink to the input: refused, the input untouched" sh -c "
    { $MT scan -q -r $R -o $TMP/link.csv $TMP/in.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"^moneytrail: scan: --alerts '$TMP/link.csv' is the same file as input '$TMP/in.csv'\" $TMP/err &&
    cmp $TMP/in.csv tests/e2e/data/canonical.csv && [ -L $TMP/link.csv ]"
check "--rejects a hard link of the input: refused" sh -c "
    { $MT scan -q -r $R --rejects $TMP/hard.csv $TMP/in.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"^moneytrail: scan: --rejects '$TMP/hard.csv' is the same file as input '$TMP/in.csv'\" $TMP/err &&
    cmp $TMP/in.csv tests/e2e/data/canonical.csv"
check "--rejects equal to --accounts: refused, the KYC file untouched" sh -c "
    cp $TMP/acc.csv $TMP/acc0.csv &&
    { $MT scan -q -r $R --accounts $TMP/acc.csv --rejects $TMP/acc.csv $TMP/in.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"^moneytrail: scan: --rejects '$TMP/acc.csv' is the same file as --accounts '$TMP/acc.csv'\" $TMP/err &&
    cmp $TMP/acc.csv $TMP/acc0.csv"
check "--rejects and -o naming one new file: refused" sh -c "
    { $MT scan -q -r $R -o $TMP/new.out --rejects $TMP/./new.out $TMP/in.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"^moneytrail: scan: --rejects '$TMP/./new.out' is the same file as --alerts '$TMP/new.out'; refusing to overwrite one output with another\" $TMP/err &&
    ! [ -e $TMP/new.out ]"
check "a failed run keeps the previous rejects file, and leaves no temporary" sh -c "
    echo 'previous night' > $TMP/keep.csv &&
    gzip -c $TMP/quote.csv | head -c 20000 > $TMP/cut.csv.gz &&
    { $MT scan -q -r $R --rejects $TMP/keep.csv -o $TMP/k.jsonl $TMP/cut.csv.gz 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q 'truncated gzip stream' $TMP/err &&
    [ \"\$(cat $TMP/keep.csv)\" = 'previous night' ] && ! ls -a $TMP | grep -q '\.tmp-'"
check "a run stopped by --max-errors replaces the rejects file it points to" sh -c "
    echo 'previous night' > $TMP/budget.csv &&
    { $MT scan -q -r $R --max-errors 0 --rejects $TMP/budget.csv -o $TMP/k.jsonl $TMP/quote.csv 2> $TMP/err; [ \$? -eq 4 ]; } &&
    grep -q 'see $TMP/budget.csv' $TMP/err && grep -q '^$TMP/quote.csv,1002,' $TMP/budget.csv"
check "rejects to a full disk: exit 3 with the cause, never a silent short file" sh -c "
    { $MT scan -q -r $R --rejects /dev/full -o $TMP/k.jsonl $TMP/quote.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"^moneytrail: scan: cannot write rejects file '/dev/full': No space left on device\" $TMP/err &&
    ! [ -e $TMP/k.jsonl ]"
# a rule that alerts on every transfer, so that alerts are written whatever
# the shipped catalogue finds in these rows
cat > $TMP/every.rule <<'EOF'
rule T-EVERY "every transfer"
  source "test"
  for each sender
  where channel == transfer
  alert if count >= 1
  explain "a transfer"
  example "one"
    2024-03-01 10:00 transfer A -> B 1.00
    expect alert on A
EOF
check "alerts to a full disk: exit 3 with the cause" sh -c "
    { $MT scan -q -r $TMP/every.rule -o /dev/full $TMP/f.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"^moneytrail: scan: cannot write alerts file '/dev/full': No space left on device\" $TMP/err"
check "--rejects - writes the rejects to standard output, not to a file named '-'" sh -c "
    cd $TMP && $MTA scan -q -r $PWD/$R --rejects - -o $TMP/k.jsonl $TMP/quote.csv > $TMP/out &&
    grep -q '^$TMP/quote.csv,1002,' $TMP/out && ! [ -e $TMP/- ]"
check "--rejects - beside alerts on standard output: refused" sh -c "
    { cd $TMP && $MTA scan -q -r $PWD/$R --rejects - $TMP/quote.csv > $TMP/out 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"^moneytrail: scan: --rejects '-' is the same file as --alerts '-'; refusing to overwrite one output with another\" $TMP/err"
check "rows dated 2204 and 0001 are rejected with a reason; the rest is read" sh -c "
    { head -n 6 $TMP/f.csv
      echo 'x1,2204-03-01T00:00:05Z,A1,B1,5.00,EUR,transfer,,,Hamburg,far'
      echo 'x2,0001-03-01T00:00:05Z,A1,B1,5.00,EUR,transfer,,,Hamburg,far'
      sed -n 7,9p $TMP/f.csv; } > $TMP/far.csv &&
    $MT scan -r $R --rejects $TMP/rf.csv -o $TMP/f.jsonl $TMP/far.csv 2> $TMP/err &&
    grep -q '^scan: 10 rows read, 2 rejected' $TMP/err &&
    grep -q '^$TMP/far.csv,7,,\"timestamp 2204-03-01T00:00:05Z is implausible: after .*, the run time plus 172800 s\",' $TMP/rf.csv &&
    grep -q '^$TMP/far.csv,8,,timestamp 0001-03-01T00:00:05Z is implausible: before the earliest date 1990-01-01T00:00:00Z,' $TMP/rf.csv"
check "amounts above the documented maximum are rejected with it; the largest is accepted" sh -c "
    { head -n 3 $TMP/f.csv
      echo 'h1,2024-03-01T00:00:03Z,A1,B1,46116860184273879.03,EUR,transfer,,,Hamburg,huge'
      echo 'h2,2024-03-01T00:00:03Z,A1,B1,10000000000000.01,EUR,transfer,,,Hamburg,huge'
      echo 'h3,2024-03-01T00:00:03Z,A1,B1,10000000000000.00,EUR,transfer,,,Hamburg,largest'; } > $TMP/huge.csv &&
    $MT scan -r $R --rejects $TMP/rh.csv -o $TMP/h.jsonl $TMP/huge.csv 2> $TMP/err &&
    grep -q '^scan: 5 rows read, 2 rejected' $TMP/err &&
    grep -q \"^$TMP/huge.csv,4,5,.column 5 (amount): '46116860184273879.03' is above the largest amount accepted, 10,000,000,000,000.00.,\" $TMP/rh.csv &&
    grep -q \"^$TMP/huge.csv,5,5,.column 5 (amount): '10000000000000.01' is above the largest amount accepted\" $TMP/rh.csv"
finish
