#!/bin/sh
# Failures during a run against a real server: the connection ended by
# pg_terminate_backend from a second session (on the reading side, and on
# the alert side, each while it waits for a lock that a third session
# holds), a statement timeout, a full disk under the alerts
# table. Each gives a clear message, exit 3, the run marked failed with
# the reason, and not one alert stored. Last, the server stopped mid-run
# (both connections lost): the reason is noted locally and recorded by the
# next run.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
tools/mtgen/mtgen -q --seed 7 --accounts 10000 --days 30 --out "$TMP/gen" || exit 1
$MT db init >/dev/null && $MT load -q --db '' "$TMP/gen/transactions.csv" || exit 1

# wait_query PATTERN: waits until a backend runs a query LIKE PATTERN, and
# lets it work for a moment.
wait_query() {
    n=0
    until [ "$(pg_sql -c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '$1'")" = 1 ]; do
        n=$((n + 1))
        [ $n -gt 400 ] && return 1
        sleep 0.05
    done
    sleep 0.5
}
# end_backend PATTERN: waits for the query (wait_query), then ends its
# backend from this second session.
end_backend() {
    wait_query "$1" || return 1
    pg_sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '$1'" >/dev/null
}
# failed_run NAME REGEX: exit 3, REGEX in the message and in the error of
# the last run, which failed, and no alert stored
failed_run() {
    [ "$(cat "$TMP/$1.rc")" -eq 3 ] && { grep -Eq "$2" "$TMP/$1.err" || { cat "$TMP/$1.err"; false; }; } &&
        [ "$(pg_sql -c "SELECT status, error ~ '$2' FROM runs ORDER BY id DESC LIMIT 1")" = "failed|t" ] &&
        [ "$(pg_sql -c 'SELECT count(*) FROM alerts')" = 0 ] &&
        [ "$(pg_sql -c 'SELECT count(*) FROM alert_evidence')" = 0 ]
}

# lock_table TABLE MODE: a second session holds the lock for up to a
# minute (unlock ends it), so that a statement of the run on TABLE waits,
# still going however fast the scan is, until end_backend ends it.
lock_table() {
    pg_sql -c "BEGIN" -c "LOCK TABLE $1 IN $2 MODE" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
    locker=$!
}
unlock() {
    pg_sql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'" >/dev/null
    wait $locker
}

lock_table transactions 'ACCESS EXCLUSIVE'
$MT scan -q --db '' 2>"$TMP/src.err" &
pid=$!
end_backend 'COPY (SELECT tx_id%'
wait $pid
echo $? >"$TMP/src.rc"
unlock
# The server's own message is lost when the socket is full of COPY data;
# libpq then reports the closed connection.
LOST='terminating connection due to administrator command|server closed the connection unexpectedly'
check "the reading connection terminated mid-scan: exit 3, run failed, no alerts" \
    failed_run src "$LOST"
check "the message names the database, not the connection string" \
    grep -Eq "^moneytrail: scan: cannot read transactions from database 'postgres' on $PGHOST:$PGPORT: ($LOST)\$" "$TMP/src.err"

# The alert connection is ended while it waits to store the alerts.
lock_table alerts SHARE
$MT scan -q --db '' 2>"$TMP/sink.err" &
pid=$!
end_backend 'INSERT INTO alerts (alert_id%'
wait $pid
echo $? >"$TMP/sink.rc"
unlock
check "the alert connection terminated mid-run: exit 3, run marked failed on a new connection, no alerts" \
    failed_run sink "$LOST"

# A statement that outlasts the timeout: the read, held up by a lock.
lock_table transactions 'ACCESS EXCLUSIVE'
PGOPTIONS='-c statement_timeout=300' $MT scan -q --db '' 2>"$TMP/timeout.err"
echo $? >"$TMP/timeout.rc"
unlock
check "a statement timeout: exit 3, run failed, no alerts" \
    failed_run timeout "canceling statement due to statement timeout"

# A full disk: the alerts live in a tablespace on a 256 KiB filesystem.
# Mounting one needs root (CI runs the tests as root).
if [ "$(id -u)" = 0 ]; then
    mkdir "$PG_DIR/tiny" && mount -t tmpfs -o size=256k,mode=700,uid="$(id -u postgres)" tmpfs "$PG_DIR/tiny" &&
        PG_EXTRA_CLEANUP="umount '$PG_DIR/tiny'"
    pg_sql -c "CREATE TABLESPACE tiny LOCATION '$PG_DIR/tiny'" \
        -c "ALTER TABLE alerts SET TABLESPACE tiny" -c "ALTER TABLE alert_evidence SET TABLESPACE tiny"
    $MT scan -q --db '' 2>"$TMP/disk.err"
    echo $? >"$TMP/disk.rc"
    check "a full disk under the alerts table: exit 3, run failed, no alerts" \
        failed_run disk "No space left on device"
else
    echo "ok - a full disk under the alerts table # SKIP mounting a small filesystem needs root"
fi
check "after all that, a run succeeds and stores the alerts" sh -c "
    $PSQL -c 'ALTER TABLE alerts SET TABLESPACE pg_default' -c 'ALTER TABLE alert_evidence SET TABLESPACE pg_default' 2>/dev/null;
    $MT scan -q --db '' && [ \"\$($PSQL -c 'SELECT count(*) > 0 FROM alerts')\" = t ] &&
    [ \"\$($PSQL -c \"SELECT count(*) FROM runs WHERE status = 'running'\")\" = 0 ]"
# Both connections lost: the server stops while the run reads. The run
# cannot record its failure, so it keeps the reason in a local note, and
# the next run records it instead of "abandoned".
export XDG_STATE_HOME="$TMP/state"
NOTES="$XDG_STATE_HOME/moneytrail/lost-runs"
lock_table transactions 'ACCESS EXCLUSIVE'
$MT scan -q --db '' 2>"$TMP/lost.err" &
pid=$!
wait_query 'COPY (SELECT tx_id%'
lost_run=$(pg_sql -c "SELECT max(id) FROM runs")
pg_stop
wait $pid
echo $? >"$TMP/lost.rc"
wait $locker
pg_start
check "both connections lost: exit 3, the run left running, its reason in a local note" sh -c "
    [ \$(cat $TMP/lost.rc) -eq 3 ] && grep -Eq '$LOST' $TMP/lost.err &&
    [ \"\$($PSQL -c 'SELECT status FROM runs WHERE id = $lost_run')\" = running ] &&
    [ \$(ls $NOTES | wc -l) -eq 1 ] && ls $NOTES | grep -Eq '^[0-9a-f]{16}-$lost_run\$' &&
    grep -qF \"\$(cat $NOTES/*)\" $TMP/lost.err"
$MT scan -q -r tests/e2e/data/pg/cash.rule --db '' 2>"$TMP/next.err"
echo $? >"$TMP/next.rc"
check "the next run records the lost run's reason and removes the note" sh -c "
    [ \$(cat $TMP/next.rc) -eq 0 ] || { cat $TMP/next.err; exit 1; }
    [ \"\$($PSQL -c \"SELECT status, error ~ '$LOST', error ~ 'the reason was noted locally' FROM runs WHERE id = $lost_run\")\" = 'failed|t|t' ] &&
    [ \$(ls $NOTES | wc -l) -eq 0 ] &&
    [ \"\$($PSQL -c \"SELECT count(*) FROM runs WHERE error ~ 'abandoned'\")\" = 0 ]"
finish
