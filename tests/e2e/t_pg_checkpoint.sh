#!/bin/sh
# Nightly incremental runs from engine state checkpoints (docs/postgres.md,
# "Nightly runs from a checkpoint"), against a real server: 45 days loaded
# one at a time, each night starting from the state the last one stored,
# store exactly the alert ids of one scan over the 45 days, each writing
# only the record chunks that are new. A run killed after staging its
# alerts, or after writing its new chunks, or failing at the state's
# write, leaves the previous state and alerts, and the next run starts
# from them. A state
# that does not fit (other rules, another --threads, another accounts
# table, damaged, truncated) or late rows make the run replay the whole
# history and say why.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
R=tests/e2e/data/ckpt
DB=dbname=ck
tools/mtgen/mtgen -q --seed 11 --accounts 1200 --days 45 --out "$TMP/gen" || exit 1
awk -F, -v dir="$TMP" 'NR == 1 { h = $0; next }
    { f = dir "/day-" substr($2, 1, 10) ".csv"; if (!(f in seen)) { print h > f; seen[f] = 1 } print > f }' \
    "$TMP/gen/transactions.csv"
$MT scan -q --threads 2 -r $R "$TMP/gen/transactions.csv" -o "$TMP/full.jsonl" || exit 1
grep -o '"alert_id":"[0-9a-f]*"' "$TMP/full.jsonl" | cut -d'"' -f4 | sort -u >"$TMP/full.ids"
pg_sql -c "CREATE DATABASE ck" && $MT db init --db $DB >/dev/null || exit 1
q() { $PSQL -d ck -c "$1"; }
night() { $MT scan --threads "${2:-2}" -r "${1:-$R}" --db $DB --incremental; }
same_ids() { # the active stored alert ids are those of one scan over the 45 days
    q 'SELECT alert_id FROM alerts WHERE superseded_by IS NULL ORDER BY 1' >"$TMP/db.ids" &&
        [ -s "$TMP/full.ids" ] && diff "$TMP/full.ids" "$TMP/db.ids"
}

ls "$TMP"/day-*.csv | head -44 >"$TMP/days"
rc=0
for f in $(cat "$TMP/days"); do
    $MT load -q --db $DB "$f" && night 2>"$TMP/night.err" || { rc=1; cat "$TMP/night.err"; break; }
done
last=$(ls "$TMP"/day-*.csv | tail -1)
$MT load -q --db $DB "$last" || exit 1
before=$(q 'SELECT (SELECT count(*) FROM alerts), (SELECT run_id FROM engine_state)')
# The run's commit waits for the table lock held here: it has staged and
# inserted its alerts when it is killed.
q 'BEGIN; LOCK TABLE engine_state IN SHARE MODE; SELECT pg_sleep(8); COMMIT' >/dev/null &
locker=$!
sleep 1
$MT scan --threads 2 -r $R --db $DB --incremental 2>"$TMP/killed.err" &
scan=$!
for i in $(seq 1 50); do
    [ "$(q "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM engine_state%'")" = 1 ] && break
    sleep 0.1
done
waited=$(q "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM engine_state%'")
kill -9 $scan
wait $scan 2>/dev/null
wait $locker
for i in $(seq 1 50); do # the server notices the killed client and ends its transaction
    [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ] && break
    sleep 0.1
done
after=$(q 'SELECT (SELECT count(*) FROM alerts), (SELECT run_id FROM engine_state)')
# killed again, once its state and new chunks are written in its transaction
blobs() { q "SELECT count(*), md5(string_agg(key::text || ':' || at || ':' || md5(data), ',' ORDER BY key, at)) FROM engine_state_blobs"; }
blobs_before=$(blobs)
MONEYTRAIL_TEST_KILL=state night 2>/dev/null
killed=$?
for i in $(seq 1 50); do
    [ "$(q "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" = 0 ] && break
    sleep 0.1
done
after2=$(q 'SELECT (SELECT count(*) FROM alerts), (SELECT run_id FROM engine_state)')
blobs_after=$(blobs)
night 2>"$TMP/last.err"
lastrc=$?

check "44 nights, each from the last state: every run succeeds, all but the first from a state" sh -c "
    [ $rc -eq 0 ] && [ \$(wc -l < $TMP/days) -eq 44 ] &&
    [ \"\$($PSQL -d ck -c \"SELECT count(*) FROM runs WHERE id <= 44 AND status = 'succeeded' AND late_rows = 0\")\" = 44 ] &&
    [ \"\$($PSQL -d ck -c \"SELECT count(*) FROM runs WHERE id BETWEEN 2 AND 44 AND checkpoint LIKE 'started from the engine state at %' AND replayed = 0 AND checkpoint_read_bytes > 0\")\" = 43 ] &&
    [ \"\$($PSQL -d ck -c 'SELECT checkpoint FROM runs WHERE id = 1')\" = 'first run: no engine state yet' ]"
check "a run killed after staging its alerts, at the state's write, stores nothing" sh -c "
    echo 'waited $waited, before $before, after $after'; [ $waited = 1 ] && [ '$before' = '$after' ] &&
    [ \"\$($PSQL -d ck -c \"SELECT status, error FROM runs WHERE id = 45\")\" = 'failed|abandoned: the process ended before the run finished' ]"
check "a run killed once its new chunks are written, before its commit, stores nothing either" sh -c "
    echo 'killed by $killed, before $before, after $after2, chunks before $blobs_before, after $blobs_after'
    [ $killed = 137 ] && [ '$before' = '$after2' ] && [ '$blobs_before' = '$blobs_after' ] &&
    [ \"\$($PSQL -d ck -c \"SELECT status, error FROM runs WHERE id = 46\")\" = 'failed|abandoned: the process ended before the run finished' ]"
check "the next run starts from the previous state and reads only the last day" sh -c "
    [ $lastrc -eq 0 ] || { cat $TMP/last.err; false; }
    grep -q '^scan: incremental: started from the engine state at 2024-02-13T2[0-9:]*Z ([0-9,]* bytes)' $TMP/last.err &&
    grep -q \"^scan: incremental: read \$(( \$(wc -l < $last) - 1 )) rows after it, replayed none\" $TMP/last.err &&
    grep -q '^scan: incremental: engine state of [0-9,]* bytes stored at the watermark 2024-02-14T22:59:59Z' $TMP/last.err"
check "45 nights store exactly the alert ids of one scan over the 45 days" same_ids
check "one state is kept: the last run's, its bytes recorded" sh -c "
    [ \"\$($PSQL -d ck -c 'SELECT count(*), bool_and(s.run_id = (SELECT max(id) FROM runs) AND s.bytes = (SELECT sum(length(data)) FROM engine_state_parts) AND r.checkpoint_bytes = s.bytes + (SELECT sum(length(data)) FROM engine_state_blobs)) FROM engine_state s JOIN runs r ON r.id = s.run_id')\" = '1|t' ]"
check "the runs record rows read, replayed, the state's bytes, those written and the load time" sh -c "
    [ \"\$($PSQL -d ck -c \"SELECT rows = $(($(wc -l <"$last") - 1)), replayed, checkpoint_read_bytes > 0, checkpoint_written_bytes > (SELECT bytes FROM engine_state), checkpoint_written_bytes < checkpoint_bytes / 2, checkpoint_load_ms >= 0 FROM runs WHERE id = (SELECT max(id) FROM runs)\")\" = 't|0|t|t|t|t' ] &&
    [ \"\$($PSQL -d ck -c \"SELECT count(*) FROM runs WHERE id BETWEEN 2 AND 44 AND checkpoint_load_ms IS NOT NULL AND checkpoint_written_bytes IS NOT NULL\")\" = 43 ]"

check "a run with nothing new stores the state it read, byte for byte, and writes no chunk" sh -c "
    before=\$($PSQL -d ck -c \"SELECT md5(string_agg(data, ''::bytea ORDER BY at)) FROM engine_state_parts\") &&
    chunks=\$($PSQL -d ck -c \"SELECT count(*), md5(string_agg(key::text || ':' || at || ':' || md5(data), ',' ORDER BY key, at)) FROM engine_state_blobs\") &&
    $MT scan -q --threads 2 -r $R --db $DB --incremental &&
    [ \"\$($PSQL -d ck -c \"SELECT md5(string_agg(data, ''::bytea ORDER BY at)), (SELECT run_id FROM engine_state) FROM engine_state_parts\")\" = \"\$before|\$($PSQL -d ck -c 'SELECT max(id) FROM runs')\" ] &&
    [ \"\$($PSQL -d ck -c \"SELECT count(*), md5(string_agg(key::text || ':' || at || ':' || md5(data), ',' ORDER BY key, at)) FROM engine_state_blobs\")\" = \"\$chunks\" ] &&
    [ \"\$($PSQL -d ck -c 'SELECT checkpoint_written_bytes = (SELECT bytes FROM engine_state) FROM runs ORDER BY id DESC LIMIT 1')\" = t ]"

# A state stored under schema version 8 is in checkpoint format 2: the
# upgrade to version 9 keeps it, and the next run refuses it by its format,
# replays the whole history and stores a state of its own.
from_schema8() {
    q "BEGIN; DROP TABLE engine_state_blobs; ALTER TABLE runs DROP COLUMN checkpoint_written_bytes;
       ALTER TABLE runs DROP COLUMN checkpoint_load_ms; DELETE FROM schema_version WHERE version = 9;
       UPDATE engine_state_parts SET data = overlay(data PLACING '\\x02000000'::bytea FROM 9 FOR 4) WHERE at = 0;
       COMMIT" >/dev/null &&
        $MT db init --db $DB | grep -q 'schema upgraded from version 8 to 9' &&
        $MT scan --threads 2 -r $R --db $DB --incremental 2>"$TMP/v8.err" &&
        grep -q '^scan: incremental: engine state not used: it is in checkpoint format 2, this program reads format 4; the whole history replayed' "$TMP/v8.err" &&
        $MT scan --threads 2 -r $R --db $DB --incremental 2>"$TMP/v9.err" &&
        grep -q '^scan: incremental: started from the engine state at 2024-02-14T22:59:59Z' "$TMP/v9.err"
}
check "a schema 8 state (format 2): kept by the upgrade, refused by its format, replaced" from_schema8

# A failure at the state's write fails the whole commit: no alert stored.
night_failing() {
    q "CREATE FUNCTION ck_fail() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN RAISE EXCEPTION 'disk full'; END \$\$;
       CREATE TRIGGER ck_fail BEFORE INSERT ON engine_state FOR EACH ROW EXECUTE FUNCTION ck_fail()" &&
        sed 's/count >= 3/count >= 2/' $R/ck.rule >"$TMP/other.rule" &&
        n=$(q 'SELECT count(*) FROM alerts') && state=$(q 'SELECT run_id FROM engine_state') &&
        expect_exit 3 night "$TMP/other.rule" && contains "$TMP/err" "disk full" &&
        [ "$(q 'SELECT count(*) FROM alerts')" = "$n" ] &&
        [ "$(q 'SELECT run_id FROM engine_state')" = "$state" ] &&
        q 'DROP TRIGGER ck_fail ON engine_state; DROP FUNCTION ck_fail()'
}
check "a failure at the state's write: the run fails, no alert stored, the state kept" night_failing
check "other rules: the state is not used, the whole history replayed, the run says why" sh -c "
    $MT scan --threads 2 -r $TMP/other.rule --db $DB --incremental 2> $TMP/rules.err &&
    grep -q '^scan: incremental: engine state not used: the rules changed since it was written (another rules digest); the whole history replayed' $TMP/rules.err &&
    [ \"\$($PSQL -d ck -c 'SELECT replayed = (SELECT count(*) FROM transactions), checkpoint_read_bytes > 0, checkpoint LIKE '\''engine state not used: the rules changed%'\'' FROM runs ORDER BY id DESC LIMIT 1')\" = 't|t|t' ]"
check "back to the first rules: not used either (the state is the other rules')" sh -c "
    $MT scan --threads 2 -r $R --db $DB --incremental 2> $TMP/back.err || exit 1
    grep -q '^scan: incremental: engine state not used: the rules changed' $TMP/back.err"
check "another --threads: not used, the reason given" sh -c "
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/threads.err &&
    grep -q '^scan: incremental: engine state not used: it was written by a run of 2 engine threads, this run has 3 (--threads); the whole history replayed' $TMP/threads.err"
# one byte in the middle of the state changed (in the part that holds it)
q "UPDATE engine_state_parts SET data = overlay(data PLACING '\\x5a'::bytea FROM ((SELECT bytes / 2 FROM engine_state) - at + 1)::int FOR 1)
   WHERE at = (SELECT max(at) FROM engine_state_parts WHERE at < (SELECT bytes / 2 FROM engine_state))"
check "a damaged state: not used, the CRC named" sh -c "
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/crc.err &&
    grep -q '^scan: incremental: engine state not used: it is damaged: its CRC does not match its bytes; the whole history replayed' $TMP/crc.err"
# the state cut after its first 3,000 bytes
q "DELETE FROM engine_state_parts WHERE at > 0; UPDATE engine_state_parts SET data = substring(data FROM 1 FOR 3000)"
check "a truncated state: not used, said so" sh -c "
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/short.err &&
    grep -q '^scan: incremental: engine state not used: it is damaged: its length is not the one its header gives (truncated); the whole history replayed' $TMP/short.err"
check "after the replays, the next run starts from the state again" sh -c "
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/again.err &&
    grep -q '^scan: incremental: started from the engine state' $TMP/again.err"
# one byte of a stored chunk changed: the run fails and says so (the
# chunks are read as the engine is restored, past the point where it
# could replay instead); dropping the state makes the next run replay
q "UPDATE engine_state_blobs SET data = overlay(data PLACING '\\x5a'::bytea FROM 41 FOR 1)
   WHERE (key, at) = (SELECT key, at FROM engine_state_blobs WHERE length(data) > 100 ORDER BY key, at LIMIT 1)"
check "a damaged chunk: the run fails with the reason, stores nothing" sh -c "
    n=\$($PSQL -d ck -c 'SELECT count(*) FROM runs') &&
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/chunk.err; [ \$? -ne 0 ] &&
    grep -q 'the engine checkpoint cannot be used: it is damaged: a chunk of its records does not match its CRC' $TMP/chunk.err &&
    [ \"\$($PSQL -d ck -c \"SELECT status FROM runs WHERE id > \$n\")\" = failed ]"
check "the state dropped: the next run replays the whole history, the one after starts from its state" sh -c "
    $PSQL -d ck -c 'DELETE FROM engine_state' >/dev/null &&
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/drop.err &&
    grep -q '^scan: incremental: engine state not used: no engine state is stored; the whole history replayed' $TMP/drop.err &&
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/drop2.err &&
    grep -q '^scan: incremental: started from the engine state' $TMP/drop2.err"
check "after all that, still exactly the alert ids of one scan over the 45 days" same_ids
# A late row (a copy of a row of day 10 under a new id) makes the run replay.
sed -n 2p "$(ls "$TMP"/day-*.csv | sed -n 10p)" | sed 's/^[^,]*,/LATE-1,/' >"$TMP/late.body"
{ head -1 "$last"; cat "$TMP/late.body"; } >"$TMP/late.csv"
check "late rows: the state is not used, the run says why, the next one uses it again" sh -c "
    $MT load -q --db $DB $TMP/late.csv &&
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/late.err &&
    grep -q '^scan: incremental: engine state not used: late rows were loaded behind the watermark; the whole history replayed' $TMP/late.err &&
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/late2.err &&
    grep -q '^scan: incremental: started from the engine state' $TMP/late2.err"
# The accounts table (KYC) changes what the rules saw: a state made without
# it is not used once it is loaded.
check "a changed accounts table: the state is not used, the run says why" sh -c "
    $MT load -q --db $DB --accounts $TMP/gen/accounts.csv $TMP/late.csv &&
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/kyc.err &&
    grep -q '^scan: incremental: engine state not used: the accounts table changed since it was written; the whole history replayed' $TMP/kyc.err &&
    $MT scan --threads 3 -r $R --db $DB --incremental 2> $TMP/kyc2.err &&
    grep -q '^scan: incremental: started from the engine state' $TMP/kyc2.err"
finish
