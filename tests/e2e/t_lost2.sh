#!/bin/sh
# Nothing lost, the database side and the rest of issue 18: a watermark
# moved by a stored outlier is refused and repaired by hand; --earliest;
# usage errors exit 2. docs/never-lost.md names the invariant each checks.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
R=rules

# gen N FILE [DAY]: a canonical export of N good rows, one a second from midnight
gen() {
    awk -v n="$1" -v day="${3:-01}" 'BEGIN {
        print "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo"
        for (i = 1; i <= n; i++)
            printf "d%s-%05d,2024-03-%sT%02d:%02d:%02dZ,A%d,B%d,%d.00,EUR,transfer,,,Hamburg,note %d\n",
                day, i, day, int(i / 3600), int(i / 60) % 60, i % 60, i % 50, i % 7, 100 + i, i
    }' > "$2"
}
gen 100 $TMP/d1.csv 01
gen 100 $TMP/d2.csv 02

pg_sql -c "CREATE DATABASE wm" && $MT db init --db dbname=wm >/dev/null
$MT load -q --db dbname=wm $TMP/d1.csv && $MT scan -q -r $R --db dbname=wm --incremental
# what an older moneytrail left behind: a row dated 2204 that moved the watermark
pg_sql -d wm -c "INSERT INTO transactions (tx_id, ts, from_account, to_account, amount, currency, channel)
    VALUES ('far', '2204-03-01T00:00:05Z', 'A1', 'B1', 5, 'EUR', 'transfer');
    UPDATE runs SET watermark = '2204-03-01T00:00:05Z' WHERE id = (SELECT max(id) FROM runs)"
$MT load -q --db dbname=wm $TMP/d2.csv
check "a watermark after the clock: the incremental run fails and says how to repair it" sh -c "
    { $MT scan -q -r $R --db dbname=wm --incremental 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q '^moneytrail: scan: the watermark of the last incremental run, 2204-03-01T00:00:05Z, is after the run time .*: every row would be taken as already scanned; see .moneytrail db status. and repair it with .moneytrail db set-watermark TIME --yes.$' $TMP/err"
check "db status shows the watermark and warns that it is after the clock" sh -c "
    $MT db status --db dbname=wm > $TMP/out &&
    grep -q '^watermark: 2204-03-01 00:00:05+00$' $TMP/out &&
    grep -q '^watermark: after the clock: every incremental run would read nothing new; repair with .moneytrail db set-watermark TIME --yes.$' $TMP/out"
check "db set-watermark without --yes says what it would do and changes nothing" sh -c "
    { $MT db set-watermark 2024-03-01T01:40:00Z --db dbname=wm > $TMP/out; [ \$? -eq 2 ]; } &&
    grep -q '^db set-watermark: would move the watermark from 2204-03-01T00:00:05Z to 2024-03-01T01:40:00Z; nothing changed: run again with --yes$' $TMP/out &&
    [ \"\$($PSQL -d wm -c 'SELECT max(watermark) FROM runs')\" = '2204-03-01 00:00:05+00' ]"
check "db set-watermark --yes moves it, recorded as a run; the next night reads the new day" sh -c "
    $MT db set-watermark 2024-03-01T00:01:40Z --yes --db dbname=wm > $TMP/out &&
    grep -q '^db set-watermark: watermark moved from 2204-03-01T00:00:05Z to 2024-03-01T00:01:40Z; the next incremental run reads the rows after it$' $TMP/out &&
    [ \"\$($PSQL -d wm -c \"SELECT source FROM runs ORDER BY id DESC LIMIT 1\")\" = 'db set-watermark (was 2204-03-01T00:00:05Z)' ] &&
    $MT scan -r $R --db dbname=wm --incremental --rejects $TMP/rw.csv 2> $TMP/err &&
    grep -q '^scan: 201 rows read, 1 rejected' $TMP/err &&
    grep -q 'timestamp 2204-03-01T00:00:05Z is implausible' $TMP/rw.csv &&
    [ \"\$($PSQL -d wm -c 'SELECT max(watermark) FROM runs')\" = '2024-03-02 00:01:40+00' ]"
check "--earliest DATE rejects the rows before it, with the date in the reason" sh -c "
    cat $TMP/d1.csv > $TMP/both.csv && tail -n 2 $TMP/d2.csv >> $TMP/both.csv &&
    $MT scan -r $R --earliest 2024-03-02 --max-errors 200 --rejects $TMP/re.csv -o $TMP/e.jsonl $TMP/both.csv 2> $TMP/err &&
    grep -q '^scan: 102 rows read, 100 rejected' $TMP/err &&
    grep -q '^$TMP/both.csv,2,,timestamp 2024-03-01T00:00:01Z is implausible: before the earliest date 2024-03-02T00:00:00Z,' $TMP/re.csv"
check "a bad --earliest or --max-lateness is a usage error: exit 2, nothing read" sh -c "
    { $MT scan -r $R --earliest 2024-13-01 $TMP/d1.csv 2> $TMP/err; [ \$? -eq 2 ]; } &&
    grep -q \"^moneytrail: scan: --earliest '2024-13-01' is not a timestamp like 2024-03-01\" $TMP/err &&
    { $MT scan -r $R --max-lateness soon $TMP/d1.csv 2> $TMP/err; [ \$? -eq 2 ]; } &&
    grep -q \"^moneytrail: scan: --max-lateness 'soon' is not a duration like 0s, 30m or 2h\" $TMP/err &&
    { $MT load --db dbname=wm --earliest never $TMP/d1.csv 2> $TMP/err; [ \$? -eq 2 ]; } &&
    grep -q \"^moneytrail: load: --earliest 'never' is not a timestamp\" $TMP/err"
C=tests/e2e/data/canonical.csv
sed 's/^c03,\(.*\),400.00,/c03,\1,401.00,/' $C > $TMP/c03.csv
check "the same export twice: exact copies dropped and counted, the alerts of one copy" sh -c "
    $MT scan -q -r $R -o $TMP/one.jsonl $C &&
    $MT scan -r $R --max-lateness 400d -o $TMP/two.jsonl $C $C 2> $TMP/err &&
    grep -q '^scan: 34 data lines = 17 in rows read + 0 rejected + 0 blank + 17 in exact copies dropped$' $TMP/err &&
    grep -q '^scan: 17 rows dropped: exact copies (same tx_id, same content) of rows read before$' $TMP/err &&
    cmp $TMP/one.jsonl $TMP/two.jsonl"
check "a same-id row with other content is rejected, naming the first one" sh -c "
    $MT scan -r $R --max-lateness 400d --rejects $TMP/rd.csv -o $TMP/d.jsonl $C $TMP/c03.csv 2> $TMP/err &&
    grep -q '^scan: 34 rows read, 1 rejected' $TMP/err &&
    grep -q '^scan: 34 data lines = 17 in rows read + 1 rejected + 0 blank + 16 in exact copies dropped$' $TMP/err &&
    grep -q \"^$TMP/c03.csv,4,,tx_id 'c03' was read before with different content ($C:4); this row rejected,\" $TMP/rd.csv"
pg_sql -c "CREATE DATABASE dup" && $MT db init --db dbname=dup >/dev/null && $MT load -q --db dbname=dup $C
check "load: a stored id arriving with other content is rejected, the stored row kept" sh -c "
    $MT load --db dbname=dup --rejects $TMP/rl.csv $TMP/c03.csv 2> $TMP/err &&
    grep -q '^load: 17 rows read: 0 loaded, 16 skipped (already stored), 1 rejected (see $TMP/rl.csv)' $TMP/err &&
    grep -q '^load: 1 rows rejected: their tx_id is stored with different content$' $TMP/err &&
    grep -q \"^\\\"database\\\",,,\\\"tx_id 'c03' is already stored with different content (stored: 2024-03-01 22:30:00+00 A2 400.00 EUR atm_deposit; here: 2024-03-01 22:30:00+00 A2 401.00 EUR atm_deposit); this row rejected\\\",\" $TMP/rl.csv &&
    [ \"\$($PSQL -d dup -c \"SELECT amount FROM transactions WHERE tx_id = 'c03'\")\" = 400.00 ] &&
    { $MT load --db dbname=dup --max-errors 0 $TMP/c03.csv 2> $TMP/err; [ \$? -eq 4 ]; } &&
    grep -q '^moneytrail: load: 1 rows rejected (1 of them stored with different content), more than --max-errors 0; nothing was loaded' $TMP/err"
# killed SIG OUTFILE [OPTIONS...]: a scan reading a FIFO that stays open, sent SIG once
# it is reading; prints its exit code
# fifo_open PID: TRUE once the process has the fifo open; the scan opens
# its input on a reading thread, which must find the test's end still open
# or would wait for a writer forever
fifo_open() {
    ls -l /proc/$1/fd 2>/dev/null | grep -q "$TMP/fifo\$"
}
killed() {
    sig=$1
    shift
    rm -f $TMP/fifo && mkfifo $TMP/fifo
    exec 3<> $TMP/fifo # read-write: never blocks, also when the scan is gone
    $MT scan -q -r $R "$@" $TMP/fifo 3>&- 2> $TMP/err &
    pid=$!
    i=0
    while ! fifo_open $pid && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    cat $C >&3
    sleep 1
    kill -$sig $pid
    sleep 1
    exec 3>&- # end of input: a scan that ignored the signal finishes
    wait $pid
    echo $? > $TMP/rc
}
for pair in TERM:143 INT:130 HUP:129; do
    sig=${pair%:*} code=${pair#*:}
    echo 'previous alerts' > $TMP/keep.jsonl
    echo 'previous rejects' > $TMP/keep.csv
    killed $sig -o $TMP/keep.jsonl --rejects $TMP/keep.csv
    check "SIG$sig: the previous outputs kept, no temporary left, exit $code (128 + its number)" sh -c "
        [ \$(cat $TMP/rc) -eq $code ] &&
        grep -q '^moneytrail: scan: interrupted by SIG$sig: no output replaced, the previous files kept$' $TMP/err &&
        [ \"\$(cat $TMP/keep.jsonl)\" = 'previous alerts' ] && [ \"\$(cat $TMP/keep.csv)\" = 'previous rejects' ] &&
        ! ls -a $TMP | grep -q '\\.tmp-'"
done
check "two scans writing the same -o: the second fails at once, the first one's file stands" sh -c "
    rm -f $TMP/fifo && mkfifo $TMP/fifo && exec 3<> $TMP/fifo &&
    { $MT scan -q -r $R -o $TMP/same.jsonl $TMP/fifo 3>&- & } &&
    pid=\$! && i=0 &&
    while ! ls -l /proc/\$pid/fd 2>/dev/null | grep -q '$TMP/fifo\$' && [ \$i -lt 300 ]; do
        sleep 0.1; i=\$((i + 1)); done &&
    while ! ls -a $TMP | grep -q '^\.same\.jsonl\.tmp-' && [ \$i -lt 300 ]; do
        sleep 0.1; i=\$((i + 1)); done &&
    { $MT scan -q -r $R -o $TMP/same.jsonl $C 2> $TMP/err; [ \$? -eq 3 ]; } &&
    cat $C >&3 && exec 3>&- && wait &&
    grep -q \"^moneytrail: scan: alerts file '$TMP/same.jsonl' is being written by another run (it holds '$TMP/.same.jsonl.lock'): try again when it has finished$\" $TMP/err &&
    $MT scan -q -r $R -o $TMP/ref.jsonl $C && cmp $TMP/ref.jsonl $TMP/same.jsonl"
check "-o through a symlink: the link stays a link, its file gets the alerts, modes are kept" sh -c "
    echo old > $TMP/real.jsonl && chmod 640 $TMP/real.jsonl && ln -s real.jsonl $TMP/via.jsonl &&
    $MT scan -q -r $R -o $TMP/via.jsonl $C &&
    [ -L $TMP/via.jsonl ] && $MT scan -q -r $R -o $TMP/ref2.jsonl $C && cmp $TMP/ref2.jsonl $TMP/real.jsonl &&
    [ \$(stat -c %a $TMP/real.jsonl) = 640 ] &&
    (umask 022 && $MT scan -q -r $R -o $TMP/fresh.jsonl $C) && [ \$(stat -c %a $TMP/fresh.jsonl) = 644 ]"
# the night the clocks go back in Berlin: 02:00-03:00 twice, in true order
{ echo 'Buchungs-ID;Buchungsdatum;Uhrzeit;Auftraggeberkonto;Empfängerkonto;Betrag;Währung;Buchungsart;MCC;Land;Ort;Verwendungszweck'
  for r in 'k1;01:50' 'k2;02:10' 'k3;02:50' 'k4;02:05' 'k5;02:40' 'k6;03:10'; do
      echo "${r%;*};27.10.2024;${r#*;}:00;DE01;DE02;10,00;EUR;Umbuchung;;;Berlin;x"
  done; } > $TMP/dst.csv
pg_sql -c "CREATE DATABASE dst"
check "de-bank: the repeated October hour in true order, the second pass one hour later" sh -c "
    $MT scan -r $R --rejects $TMP/rdst.csv -o $TMP/dst.jsonl $TMP/dst.csv 2> $TMP/err &&
    grep -q '^scan: 6 rows read, 0 rejected' $TMP/err &&
    $MT db init --db dbname=dst > /dev/null &&
    $MT load -q --db dbname=dst $TMP/dst.csv &&
    [ \"\$($PSQL -d dst -c \"SELECT string_agg(to_char(ts, 'HH24:MI'), ' ' ORDER BY tx_id) FROM transactions\")\" = '23:50 00:10 00:50 01:05 01:40 02:10' ]"
check "scan where there is no rules directory: says so and names --rules, exit 2" sh -c "
    MTA=\$(cd \$(dirname $MT) && pwd)/\$(basename $MT) && cd $TMP &&
    { \$MTA scan $PWD/$C > /dev/null 2> $TMP/err; [ \$? -eq 2 ]; } &&
    grep -q \"^moneytrail: scan: no rules directory found: there is no 'rules' here; give the rules with --rules DIR|FILE\$\" $TMP/err"
killed TERM --db dbname=wm
check "SIGTERM in database mode: the run is marked failed with the signal as its reason" sh -c "
    [ \$(cat $TMP/rc) -eq 143 ] &&
    [ \"\$($PSQL -d wm -c 'SELECT status, error FROM runs ORDER BY id DESC LIMIT 1')\" = 'failed|interrupted by SIGTERM' ]"
# An account id holding terminal control sequences (ESC [2J clears the
# screen, U+009B is the one-character CSI): shown escaped by `alerts` and
# `alert`, never sent raw to the investigator's terminal.
check "control sequences in the data are shown, not obeyed, by alerts and alert" sh -c "
    $MT scan -q -r $R -o $TMP/esc0.jsonl $C &&
    sed '1s/\"account\":\"\\([^\"]*\\)\"/\"account\":\"\\1\\\\u001b[2J\\\\u009b31m\"/' $TMP/esc0.jsonl > $TMP/esc.jsonl &&
    id=\$(head -1 $TMP/esc.jsonl | sed 's/.*\"alert_id\":\"\\([^\"]*\\)\".*/\\1/') &&
    $MT alerts --alerts $TMP/esc.jsonl > $TMP/esc.txt && $MT alert --alerts $TMP/esc.jsonl \$id >> $TMP/esc.txt &&
    ! tr -d '\\n\\t' < $TMP/esc.txt | LC_ALL=C grep -q '[[:cntrl:]]' &&
    [ \$(grep -cF '\\x1b[2J\\u009b31m' $TMP/esc.txt) -ge 2 ]"
finish
