#!/bin/sh
# Late-loaded rows against a real server: rows loaded at or before the
# watermark of a finished incremental run are counted by `load` and
# evaluated by the next incremental run. Several splits of a month into
# nightly loads, with late files, each store exactly the active alert ids
# of one scan over the month (with rules of its own, and split 1 with the
# shipped rules too); a hand-made case shows an alert moved
# earlier by a late row, the later one superseded, a triaged one kept.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
R=tests/e2e/data/pg
tools/mtgen/mtgen -q --seed 11 --accounts 1500 --days 30 --out "$TMP/gen" || exit 1
# One file per day (the local date of the rows), as a bank's nightly export.
awk -F, -v dir="$TMP" 'NR == 1 { h = $0; next }
    { f = dir "/day-" substr($2, 1, 10) ".csv"; if (!(f in seen)) { print h > f; seen[f] = 1 } print > f }' \
    "$TMP/gen/transactions.csv"
ls "$TMP"/day-*.csv >"$TMP/days"
[ "$(wc -l <"$TMP/days")" -ge 30 ] || { echo "not ok - the month has fewer than 30 days"; exit 1; }
$MT scan -q -r "$R" "$TMP/gen/transactions.csv" >"$TMP/full.jsonl" || exit 1
grep -o '"alert_id":"[0-9a-f]*"' "$TMP/full.jsonl" | cut -d'"' -f4 | sort -u >"$TMP/full.ids"

# night DB FILES...: loads the files (if any) into DB, then the incremental
# run with the rules in $RULES
night() {
    db=$1
    shift
    if [ $# -gt 0 ]; then
        $MT load --db "dbname=$db" "$@" 2>>"$TMP/$db.load" || return 1
    fi
    $MT scan -r "$RULES" --db "dbname=$db" --incremental 2>>"$TMP/$db.scan"
}
# day N: the file of the Nth day of the month
day() {
    sed -n "${1}p" "$TMP/days"
}
# rows FILES...: data rows in the files
rows() {
    cat "$@" | grep -vc '^tx_id,'
}
ACTIVE='SELECT alert_id FROM alerts WHERE superseded_by IS NULL ORDER BY 1'
newdb() {
    pg_sql -c "CREATE DATABASE $1" && $MT db init --db "dbname=$1" >/dev/null
}
N=$(wc -l <"$TMP/days")
RULES=$R

# Split 1: days 15-24 arrive in one file after the run of the last day.
newdb late1
cat $(sed -n 15,24p "$TMP/days") | awk 'NR == 1 || !/^tx_id,/' >"$TMP/d15-24.csv"
(
    i=1
    while [ $i -le "$N" ]; do
        if [ $i -lt 15 ] || [ $i -gt 24 ]; then night late1 "$(day $i)" || exit 1; fi
        i=$((i + 1))
    done
    $MT load --db dbname=late1 "$TMP/d15-24.csv" 2>"$TMP/late1.late" &&
        $MT db status --db dbname=late1 >"$TMP/late1.status" &&
        night late1
) >"$TMP/late1.log" 2>&1
echo $? >"$TMP/late1.rc"
LATE=$(rows "$TMP/d15-24.csv")
check "split 1 (days 15-24 after the day-$N run): the active alert ids are those of one full scan" sh -c "
    [ \$(cat $TMP/late1.rc) -eq 0 ] || { cat $TMP/late1.log $TMP/late1.scan; exit 1; }
    [ -s $TMP/full.ids ] && $PSQL -d late1 -c \"$ACTIVE\" > $TMP/late1.ids && diff $TMP/full.ids $TMP/late1.ids"
check "load says how many rows arrived behind the watermark, and the earliest" sh -c "
    grep -E '^load: [0-9,]+ rows loaded late, at or before the watermark [0-9T:-]+Z \(the earliest at [0-9T:-]+Z\): the next incremental run evaluates them\$' $TMP/late1.late &&
    [ \"\$(sed -n 's/^load: \([0-9,]*\) rows loaded late.*/\1/p' $TMP/late1.late | tr -d ,)\" = $LATE ] &&
    [ \"\$(sed -n 's/.*(the earliest at \(.*\)):.*/\1/p' $TMP/late1.late)\" = \"\$(sort -t, -k2,2 $TMP/d15-24.csv | head -1 | cut -d, -f2 | TZ=UTC xargs -I{} date -u -d {} +%Y-%m-%dT%H:%M:%SZ)\" ] &&
    [ \"\$($PSQL -d late1 -c 'SELECT rows, evaluated_by IS NOT NULL FROM late_loads')\" = '$LATE|t' ]"
check "db status showed the late rows before the run" \
    grep -q "^late rows: $LATE loaded behind the watermark, the earliest at " "$TMP/late1.status"
check "the run that evaluated them records and prints how many" sh -c "
    [ \"\$($PSQL -d late1 -c 'SELECT late_rows FROM runs ORDER BY id DESC LIMIT 1')\" = $LATE ] &&
    grep '^scan: incremental: [0-9,]* late rows loaded behind the watermark .* evaluated, the earliest at ' $TMP/late1.scan | cut -d' ' -f3 | tr -d , | grep -qx $LATE"
check "the run that evaluated the late rows stored alerts the nightly runs had missed" sh -c "
    [ \"\$($PSQL -d late1 -c \"SELECT count(*) > 0 FROM alerts WHERE run_id = (SELECT max(id) FROM runs) AND superseded_by IS NULL\")\" = t ]"
check "a run after that with nothing new stores nothing and evaluates no late row" sh -c "
    $MT scan -r $R --db dbname=late1 --incremental 2> $TMP/again &&
    grep -q '^scan: 0 alerts, 0 of them new' $TMP/again && ! grep -q 'late rows' $TMP/again &&
    [ \"\$($PSQL -d late1 -c 'SELECT late_rows FROM runs ORDER BY id DESC LIMIT 1')\" = 0 ]"

# Split 2: every fourth day's file arrives one night late, after the next day's.
newdb late2
(
    i=1
    while [ $i -le "$N" ]; do
        if [ $((i % 4)) -eq 2 ] && [ $i -lt "$N" ]; then
            night late2 "$(day $((i + 1)))" && night late2 "$(day $i)" || exit 1
            i=$((i + 2))
        else
            night late2 "$(day $i)" || exit 1
            i=$((i + 1))
        fi
    done
) >"$TMP/late2.log" 2>&1
echo $? >"$TMP/late2.rc"
check "split 2 (every fourth day one night late): the active alert ids are those of one full scan" sh -c "
    [ \$(cat $TMP/late2.rc) -eq 0 ] || { cat $TMP/late2.log $TMP/late2.scan; exit 1; }
    $PSQL -d late2 -c \"$ACTIVE\" > $TMP/late2.ids && diff $TMP/full.ids $TMP/late2.ids &&
    [ \"\$($PSQL -d late2 -c 'SELECT count(*) FROM late_loads WHERE evaluated_by IS NOT NULL')\" = $(( (N - 3) / 4 + 1 )) ]"
check "split 2: each night without late rows started from the last night's engine state, each with late rows replayed" sh -c "
    [ \"\$($PSQL -d late2 -c \"SELECT count(*) FILTER (WHERE late_rows = 0 AND checkpoint NOT LIKE 'started from the engine state at %'),
        count(*) FILTER (WHERE late_rows > 0 AND checkpoint <> 'engine state not used: late rows were loaded behind the watermark; the whole history replayed'),
        count(*) FILTER (WHERE late_rows > 0), count(*) FILTER (WHERE late_rows = 0 AND checkpoint_bytes > checkpoint_written_bytes)
        FROM runs WHERE id > 1 AND status = 'succeeded'\")\" = \"0|0|$(( (N - 3) / 4 + 1 ))|\$($PSQL -d late2 -c \"SELECT count(*) - 1 - $(( (N - 3) / 4 + 1 )) FROM runs WHERE status = 'succeeded'\")\" ]"

# Split 3: a week at a time, then days 8-12 again in two late pieces, one
# of them repeating rows already stored, loaded on two nights.
newdb late3
cat $(sed -n 8,10p "$TMP/days") | awk 'NR == 1 || !/^tx_id,/' >"$TMP/d8-10.csv"
cat $(sed -n 10,12p "$TMP/days") | awk 'NR == 1 || !/^tx_id,/' >"$TMP/d10-12.csv"
{
    night late3 $(sed -n 1,7p "$TMP/days") &&
        night late3 $(sed -n "13,${N}p" "$TMP/days") &&
        night late3 "$TMP/d8-10.csv" &&
        night late3 "$TMP/d10-12.csv"
} >"$TMP/late3.log" 2>&1
echo $? >"$TMP/late3.rc"
check "split 3 (two late pieces that overlap, on two nights): the active alert ids of one full scan" sh -c "
    [ \$(cat $TMP/late3.rc) -eq 0 ] || { cat $TMP/late3.log $TMP/late3.scan; exit 1; }
    $PSQL -d late3 -c \"$ACTIVE\" > $TMP/late3.ids && diff $TMP/full.ids $TMP/late3.ids &&
    [ \"\$($PSQL -d late3 -c \"SELECT string_agg(rows::text, ',' ORDER BY id) FROM late_loads\")\" = '$(rows "$TMP/d8-10.csv"),$(rows "$(day 11)" "$(day 12)")' ]"
# Split 1 again with the shipped rules: typologies and graph patterns too.
newdb ship
(
    RULES=rules
    i=1
    while [ $i -le "$N" ]; do
        if [ $i -lt 15 ] || [ $i -gt 24 ]; then night ship "$(day $i)" || exit 1; fi
        i=$((i + 1))
    done
    night ship "$TMP/d15-24.csv"
) >"$TMP/ship.log" 2>&1
echo $? >"$TMP/ship.rc"
check "split 1 with the shipped rules: the active alert ids are those of one full scan" sh -c "
    [ \$(cat $TMP/ship.rc) -eq 0 ] || { cat $TMP/ship.log $TMP/ship.scan; exit 1; }
    $MT scan -q -r rules $TMP/gen/transactions.csv | grep -o '\"alert_id\":\"[0-9a-f]*\"' | cut -d'\"' -f4 | sort -u > $TMP/ship.full &&
    [ -s $TMP/ship.full ] && $PSQL -d ship -c \"$ACTIVE\" > $TMP/ship.ids && diff $TMP/ship.full $TMP/ship.ids"

# By hand: two cash withdrawals within a day raise PG-SHORT-02, which is
# then silent for three days. A1 and B1 each had withdrawals at 10:00 and
# 12:00 (the alert at 12:00). Then a withdrawal at 09:00 is loaded late:
# one full scan raises the alert at 10:00, and the one at 12:00 is
# silenced. A1's 12:00 alert is superseded; B1's, triaged by an
# investigator meanwhile, is kept.
newdb hand
H=tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo
printf '%s\n' "$H" \
    "a2,2024-03-05T10:00:00Z,A1,,100.00,EUR,cash_withdrawal,,,," \
    "a3,2024-03-05T12:00:00Z,A1,,100.00,EUR,cash_withdrawal,,,," \
    "b2,2024-03-05T10:00:00Z,B1,,100.00,EUR,cash_withdrawal,,,," \
    "b3,2024-03-05T12:00:00Z,B1,,100.00,EUR,cash_withdrawal,,,," \
    "z1,2024-03-06T12:00:00Z,Z1,,100.00,EUR,cash_withdrawal,,,," >"$TMP/h1.csv"
printf '%s\n' "$H" \
    "a1,2024-03-05T09:00:00Z,A1,,100.00,EUR,cash_withdrawal,,,," \
    "b1,2024-03-05T09:00:00Z,B1,,100.00,EUR,cash_withdrawal,,,," >"$TMP/h2.csv"
{ echo "$H" && cat "$TMP/h1.csv" "$TMP/h2.csv" | grep -v '^tx_id,' | sort -t, -k2,2 -k1,1; } >"$TMP/h.csv"
$MT scan -q -r "$R/cash.rule" "$TMP/h.csv" >"$TMP/h.jsonl"
{
    $MT load -q --db dbname=hand "$TMP/h1.csv" &&
        $MT scan -q -r "$R/cash.rule" --db dbname=hand --incremental &&
        $PSQL -d hand -c "SELECT alert_id, account, trigger_tx FROM alerts ORDER BY account" >"$TMP/h.before" &&
        $MT alert --db dbname=hand "$(grep '|B1|' "$TMP/h.before" | cut -d'|' -f1)" --status escalated --note 'SAR filed' >/dev/null &&
        $MT load -q --db dbname=hand "$TMP/h2.csv" &&
        $MT scan -r "$R/cash.rule" --db dbname=hand --incremental
} >"$TMP/hand.log" 2>&1
echo $? >"$TMP/hand.rc"
check "by hand: before the late rows, the alerts fired at 12:00 (a3, b3)" sh -c "
    [ \$(cat $TMP/hand.rc) -eq 0 ] || { cat $TMP/hand.log; exit 1; }
    [ \"\$(cut -d'|' -f2,3 $TMP/h.before | tr '\n' ' ')\" = 'A1|a3 B1|b3 ' ]"
check "by hand: one full scan raises the alerts at 10:00 (a2, b2), not those at 12:00" sh -c "
    [ \"\$(grep -o '\"trigger_tx\":\"[a-z0-9]*\"' $TMP/h.jsonl | cut -d'\"' -f4 | sort | tr '\n' ' ')\" = 'a2 b2 ' ]"
check "by hand: the run stores a2's and b2's alerts, supersedes a3's, keeps the triaged b3's" sh -c "
    [ \"\$($PSQL -d hand -c \"SELECT string_agg(trigger_tx || ':' || (superseded_by IS NOT NULL), ' ' ORDER BY trigger_tx) FROM alerts\")\" = 'a2:false a3:true b2:false b3:false' ] &&
    grep -q '^scan: 1 stored alerts superseded: ' $TMP/hand.log &&
    grep -q '^scan: incremental: 2 late rows loaded behind the watermark 2024-03-06T12:00:00Z evaluated, the earliest at 2024-03-05T09:00:00Z' $TMP/hand.log"
check "by hand: a superseded alert is kept with its evidence, and the run that superseded it" sh -c "
    [ \"\$($PSQL -d hand -c \"SELECT count(*), bool_and(a.superseded_by = (SELECT max(id) FROM runs)) FROM alerts a JOIN alert_evidence e USING (alert_id) WHERE a.trigger_tx = 'a3'\")\" = '2|t' ]"
check "by hand: the investigators' alert list leaves the superseded alert out" sh -c "
    a3=\$($PSQL -d hand -c \"SELECT alert_id FROM alerts WHERE trigger_tx = 'a3'\") &&
    $MT alerts --db dbname=hand > $TMP/list && grep -qx '3 alerts' $TMP/list && ! grep -q \$a3 $TMP/list &&
    $MT alert --db dbname=hand \$a3 | grep -q \$a3"
check "by hand: the superseded alert, shown alone, names the run that superseded it" sh -c "
    a3=\$($PSQL -d hand -c \"SELECT alert_id FROM alerts WHERE trigger_tx = 'a3'\") &&
    run=\$($PSQL -d hand -c 'SELECT max(id) FROM runs') &&
    $MT alert --db dbname=hand \$a3 | grep -q \"^ *superseded by run \$run at 20[0-9-]*T[0-9:.]*Z\\?: late rows\" &&
    b3=\$($PSQL -d hand -c \"SELECT alert_id FROM alerts WHERE trigger_tx = 'b3'\") &&
    ! $MT alert --db dbname=hand \$b3 | grep -q superseded"
finish
