#!/bin/sh
# Bad input gets a clear message naming the file and position, the
# documented exit code, the rejects file, and never an alert file that looks
# complete.
. tests/e2e/lib.sh
D=tests/e2e/data

check "bad rows are rejected with file, line, column and reason; the scan goes on" sh -c "
    $MT scan -q --rejects $TMP/rej.csv -o $TMP/a.jsonl $D/bad-rows.csv &&
    [ \$(wc -l < $TMP/rej.csv) -eq 9 ] &&
    grep -q '^file,line,column,reason,raw$' $TMP/rej.csv &&
    grep -q \"^$D/bad-rows.csv,3,5,column 5 (amount): '95x0.00' is not a number,\" $TMP/rej.csv &&
    grep -q '^$D/bad-rows.csv,4,,\"expected 11 fields, found 10\",' $TMP/rej.csv &&
    grep -q \"^$D/bad-rows.csv,5,2,column 2 (ts): '2024-02-30T09:13:00Z' is not a valid timestamp\" $TMP/rej.csv &&
    grep -q \"^$D/bad-rows.csv,6,7,column 7 (channel): 'teleport' is not a known channel,\" $TMP/rej.csv &&
    grep -q '^$D/bad-rows.csv,7,4,column 4 (to_account): cash_deposit needs a to_account,' $TMP/rej.csv &&
    grep -q '^$D/bad-rows.csv,8,10,column 10 (location): invalid UTF-8,' $TMP/rej.csv &&
    grep -q '^$D/bad-rows.csv,10,,\"timestamp 2024-03-01T09:10:00Z is 86400 s older than the latest seen' $TMP/rej.csv &&
    grep -q '^$D/bad-rows.csv,12,64,\"field 11, character 64: quoted field without its closing quote\"' $TMP/rej.csv &&
    grep -q '\"evidence\":\[\"g1\",\"g2\",\"g3\"\]' $TMP/a.jsonl"
check "--max-lateness 1d accepts the late row" sh -c "
    $MT scan -q --max-lateness 1d --rejects $TMP/rej2.csv -o $TMP/a2.jsonl $D/bad-rows.csv &&
    ! grep -q older $TMP/rej2.csv && [ \$(wc -l < $TMP/rej2.csv) -eq 8 ]"
check "past --max-errors: exit 4, a message saying how many and where, no alert file" sh -c "
    ! [ -e $TMP/b.jsonl ] &&
    { $MT scan -q --max-errors 3 --rejects $TMP/r.csv -o $TMP/b.jsonl $D/bad-rows.csv 2> $TMP/err; [ \$? -eq 4 ]; } &&
    grep -q 'rows rejected, more than --max-errors 3; see $TMP/r.csv' $TMP/err && ! [ -e $TMP/b.jsonl ] &&
    [ -z \"\$(ls -A $TMP | grep tmp-)\" ]"
check "a truncated gzip stream: exit 3, file and byte named, no alert file" sh -c "
    gzip -c $D/canonical.csv | head -c 300 > $TMP/t.csv.gz &&
    { $MT scan -q -o $TMP/c.jsonl $TMP/t.csv.gz 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"truncated gzip stream (unexpected end of file) in '$TMP/t.csv.gz' at byte 300\" $TMP/err &&
    ! [ -e $TMP/c.jsonl ]"
check "corrupt gzip data: exit 3 with the byte offset" sh -c "
    gzip -c $D/canonical.csv > $TMP/k.gz && printf '\377\377\377\377\377\377' | dd of=$TMP/k.gz bs=1 seek=100 conv=notrunc 2>/dev/null &&
    { $MT scan -q -o $TMP/d.jsonl $TMP/k.gz 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"corrupt gzip data (.*) in '$TMP/k.gz' at byte\" $TMP/err && ! [ -e $TMP/d.jsonl ]"
check "gzip is recognised by its magic bytes, not its name" sh -c "
    gzip -c $D/canonical.csv > $TMP/looks-plain.csv && cp $D/canonical.csv $TMP/looks-gzip.gz &&
    $MT scan$V1_RULES -q $TMP/looks-plain.csv | cmp - tests/e2e/expected/canonical.jsonl &&
    $MT scan$V1_RULES -q $TMP/looks-gzip.gz | cmp - tests/e2e/expected/canonical.jsonl"
check "an unreadable file: exit 3" sh -c "
    { $MT scan -q $TMP/missing.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"cannot open '$TMP/missing.csv': No such file or directory\" $TMP/err"
check "an unknown header: exit 3, names file and line and what was expected" sh -c "
    printf 'a,b,c\n1,2,3\n' > $TMP/u.csv &&
    { $MT scan -q $TMP/u.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"$TMP/u.csv:1: header matches no profile; expected the columns of one of\" $TMP/err"
check "an empty file: exit 3" sh -c "
    : > $TMP/e.csv && { $MT scan -q $TMP/e.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"$TMP/e.csv:1: empty file; expected a header row\" $TMP/err"
check "a header lacking a column of the named profile: exit 3" sh -c "
    { $MT scan -q --format amlsim $D/canonical.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"$D/canonical.csv:1: header has no column 'tran_id' (profile amlsim)\" $TMP/err"
check "an unwritable alert file: exit 3" sh -c "
    { $MT scan -q -o $TMP/nodir/x.jsonl $D/canonical.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"cannot create alerts file '$TMP/nodir/x.jsonl'\" $TMP/err"
check "no source: usage error, exit 2" sh -c "
    { $MT scan 2> $TMP/err; [ \$? -eq 2 ]; } && grep -q 'no source given' $TMP/err"
check "an unknown option: usage error, exit 2" sh -c "
    { $MT scan --frobnicate x 2> $TMP/err; [ \$? -eq 2 ]; } && grep -q 'Unknown option --frobnicate' $TMP/err"
check "rules that do not compile: exit 1 with file:line:col and a caret" sh -c "
    mkdir $TMP/rules && printf 'rule X-1 \"t\"\n  for each sender\n  where amout > 3\n  alert if count >= 1\n  explain \"x\"\n' > $TMP/rules/x.rule &&
    { $MT scan -q -r $TMP/rules $D/canonical.csv 2> $TMP/err; [ \$? -eq 1 ]; } &&
    grep -q \"$TMP/rules/x.rule:3:9: error: unknown field or name 'amout'\" $TMP/err &&
    grep -q '^      |         ^$' $TMP/err"
check "alerts written to a device (/dev/null) leave it a device" sh -c "
    $MT scan -q -o /dev/null $D/canonical.csv && [ -c /dev/null ]"
check "alerts written to a FIFO arrive whole" sh -c "
    mkfifo $TMP/fifo && { cat $TMP/fifo > $TMP/from-fifo & } &&
    $MT scan -q -r rules/ht-ml-01.rule -o $TMP/fifo $D/canonical.csv && wait &&
    [ -p $TMP/fifo ] && [ \$(wc -l < $TMP/from-fifo) -eq 1 ]"
finish
