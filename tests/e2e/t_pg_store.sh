#!/bin/sh
# PostgreSQL as a store, against a real server started by the harness:
# the schema and its migrations, loading exports (skipping stored ids,
# rejects), scanning from the database, storing alerts once with their
# evidence, triage kept across re-runs, secrets kept out of messages.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
D=tests/e2e/data
URI="postgresql:///postgres?host=$PGHOST&port=$PGPORT"

check "a database without the schema: exit 3, the message names 'moneytrail db init'" sh -c "
    { $MT scan -q --db '' -o $TMP/x.jsonl 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"database 'postgres' on $PGHOST:$PGPORT has no moneytrail schema: run 'moneytrail db init' to create it\" $TMP/err"
V=$(ls schema/migrations | tail -1 | sed 's/_.*//; s/^0*//') # the latest migration
check "db init creates the schema at the latest version, a second init changes nothing" sh -c "
    $MT db init --db > $TMP/o1 && grep -q 'schema created at version $V' $TMP/o1 &&
    $MT db init > $TMP/o2 && grep -q 'schema already at version $V' $TMP/o2 &&
    [ \"\$($PSQL -c 'SELECT version, name FROM schema_version ORDER BY version LIMIT 1')\" = '1|initial' ] &&
    [ \"\$($PSQL -c \"SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'\")\" = \
      accounts,alert_evidence,alert_triage,alerts,engine_state,engine_state_blobs,engine_state_parts,fx_rates,late_loads,runs,schema_version,transactions,typology_hits ]"
check "load: 17 rows loaded, then the same file again: 17 skipped, nothing stored twice" sh -c "
    $MT load --db '' $D/canonical.csv 2> $TMP/l1 &&
    grep -q '^load: 17 rows read: 17 loaded, 0 skipped (already stored), 0 rejected' $TMP/l1 &&
    $MT load --db $D/canonical.csv 2> $TMP/l2 &&
    grep -q '^load: 17 rows read: 0 loaded, 17 skipped (already stored), 0 rejected' $TMP/l2 &&
    [ \"\$($PSQL -c 'SELECT count(*) FROM transactions')\" = 17 ]"
check "load keeps money exact, the local offset and empty fields as NULL" sh -c "
    [ \"\$($PSQL -c \"SELECT amount, ts, ts_offset, from_account IS NULL, memo FROM transactions WHERE tx_id IN ('c01', 'c04') ORDER BY tx_id\")\" = \"9500.00|2024-03-01 08:10:00+00|60|t|
300.00|2024-03-02 09:00:00+00|60|f|rent share, March\" ]"
check "load: an id twice in the files is stored once and counted as skipped" sh -c "
    printf 'tx_id,ts,from_account,to_account,amount,currency,channel\nd1,2024-04-01T10:00:00Z,X1,X2,5.00,EUR,transfer\nd1,2024-04-01T10:00:00Z,X1,X2,5.00,EUR,transfer\n' > $TMP/dup.csv &&
    $MT load --db '' $TMP/dup.csv 2> $TMP/l3 &&
    grep -q '^load: 2 rows read: 1 loaded, 1 skipped (already stored), 0 rejected' $TMP/l3 &&
    [ \"\$($PSQL -c \"SELECT count(*) FROM transactions WHERE tx_id = 'd1'\")\" = 1 ]"
check "load: bad rows go to the rejects file as in scan (order does not matter: no late rows); past --max-errors nothing is stored" sh -c "
    $MT load --db '' --rejects $TMP/rej.csv $D/bad-rows.csv 2> $TMP/l4 &&
    grep -q '^load: 11 rows read: 4 loaded, 0 skipped (already stored), 7 rejected (see $TMP/rej.csv)' $TMP/l4 &&
    [ \"\$($PSQL -c \"SELECT string_agg(tx_id, ' ' ORDER BY tx_id) FROM transactions WHERE tx_id ~ '^[bg][0-9]'\")\" = 'b7 g1 g2 g3' ] &&
    grep -q \"^$D/bad-rows.csv,3,5,column 5 (amount): '95x0.00' is not a number,\" $TMP/rej.csv &&
    n=\$($PSQL -c 'SELECT count(*) FROM transactions') &&
    { $MT load --db '' --max-errors 3 $D/amlworld.csv $D/bad-rows.csv 2> $TMP/err; [ \$? -eq 4 ]; } &&
    grep -q 'rows rejected, more than --max-errors 3; nothing was loaded' $TMP/err &&
    [ \"\$($PSQL -c 'SELECT count(*) FROM transactions')\" = \"\$n\" ]"
check "load reads any mapping profile (AMLworld here)" sh -c "
    $MT load --db '' $D/amlworld.csv 2> $TMP/l5 && grep -q ' 0 rejected' $TMP/l5 &&
    [ \"\$($PSQL -c \"SELECT count(*) > 0 FROM transactions WHERE tx_id LIKE 'amlworld%'\")\" = t ]"
check "load --accounts: the KYC side table, upserted (newer data wins)" sh -c "
    printf 'account_id,customer_id,kind,name,phone,opened_at\nA1,C1,person,Ana,+49 1,2020-01-02\nA2,C2,person,Ben,+49 2,2021-05-06\n' > $TMP/acc.csv &&
    printf 'account_id,phone\nA2,+49 9\n' > $TMP/acc2.csv &&
    $MT load --db '' --accounts $TMP/acc.csv 2> $TMP/l6 && grep -q '^load: 2 accounts loaded or updated' $TMP/l6 &&
    $MT load --db '' --accounts $TMP/acc2.csv &&
    [ \"\$($PSQL -c 'SELECT account_id, name, phone, opened_at FROM accounts ORDER BY 1')\" = 'A1|Ana|+49 1|2020-01-02
A2|Ben|+49 9|2021-05-06' ]"
check "an accounts file with an unknown column: exit 3, the column named" sh -c "
    printf 'account_id,shoe_size\nA1,44\n' > $TMP/acc3.csv &&
    { $MT load --db '' --accounts $TMP/acc3.csv 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"$TMP/acc3.csv:1: unknown accounts column 'shoe_size'\" $TMP/err"

# From here the database holds exactly the canonical example.
pg_sql -c "TRUNCATE transactions, accounts" && $MT load -q --db '' $D/canonical.csv
check "scan from the database gives byte-identical alerts to the scan of the file" sh -c "
    $MT scan$V1_RULES -q --db '' -o $TMP/db.jsonl && cmp $TMP/db.jsonl tests/e2e/expected/canonical.jsonl &&
    $MT scan$V1_RULES -q '$URI' | cmp - tests/e2e/expected/canonical.jsonl &&
    $MT scan$V1_RULES -q --source '' | cmp - tests/e2e/expected/canonical.jsonl"
check "--from and --to select a time range (from inclusive, to exclusive)" sh -c "
    $MT scan --source '' --from 2024-03-02T09:00:00Z --to 2024-03-05 -o $TMP/r.jsonl 2> $TMP/sum &&
    grep -q '^scan: 5 rows read' $TMP/sum"
check "alerts stored in the database: 3 alerts with their evidence, the run recorded" sh -c "
    $MT scan$V1_RULES --db '' 2> $TMP/s1 && grep -q '^scan: 3 alerts, 3 of them new, stored in the database as run 1' $TMP/s1 &&
    [ \"\$($PSQL -c 'SELECT count(*) FROM alerts')\" = 3 ] &&
    [ \"\$($PSQL -c \"SELECT string_agg(tx_id, ' ' ORDER BY ordinal) FROM alert_evidence WHERE alert_id = '8afd417a9d060684'\")\" = 'c01 c06 c10' ] &&
    [ \"\$($PSQL -c \"SELECT rule, account, window_start, window_end, values->>'count' FROM alerts WHERE alert_id = '8afd417a9d060684'\")\" = 'HT-ML-01|A1|2024-03-01 08:10:00+00|2024-03-06 15:30:00+00|3' ] &&
    [ \"\$($PSQL -c 'SELECT id, status, rows, rejected, alerts, alerts_new, watermark FROM runs')\" = '1|succeeded|17|0|3|3|2024-03-13 08:00:00+00' ]"
check "a re-run stores nothing twice and leaves the investigators' triage alone" sh -c "
    $PSQL -c \"UPDATE alerts SET triage_status = 'escalated', triage_note = 'see case 12', triage_by = 'ana' WHERE alert_id = '8afd417a9d060684'\" &&
    $MT scan$V1_RULES --alerts '$URI' $D/canonical.csv 2> $TMP/s2 && grep -q '^scan: 3 alerts, 0 of them new' $TMP/s2 &&
    [ \"\$($PSQL -c 'SELECT count(*) FROM alerts')\" = 3 ] && [ \"\$($PSQL -c 'SELECT count(*) FROM alert_evidence')\" = 10 ] &&
    [ \"\$($PSQL -c \"SELECT triage_status, triage_note, triage_by, run_id FROM alerts WHERE alert_id = '8afd417a9d060684'\")\" = 'escalated|see case 12|ana|1' ]"
check "no message shows the connection string" sh -c "
    $MT scan --alerts '$URI' $D/canonical.csv > $TMP/o 2> $TMP/e && ! grep -q 'postgresql:' $TMP/o $TMP/e &&
    { $MT scan --alerts 'postgresql:///nosuchdb?host=$PGHOST&port=$PGPORT' $D/canonical.csv 2> $TMP/e; [ \$? -eq 3 ]; } &&
    grep -q \"cannot connect to database 'nosuchdb' on $PGHOST:$PGPORT\" $TMP/e && ! grep -q 'postgresql:' $TMP/e"
check "a password in the connection string is refused and never echoed" sh -c "
    { $MT scan -q --db 'dbname=postgres password=hunter2' 2> $TMP/e; [ \$? -eq 3 ]; } &&
    grep -q 'it holds a password; give passwords through PGPASSFILE, the service file or PGPASSWORD' $TMP/e &&
    ! grep -q hunter2 $TMP/e"
check "a schema newer than this moneytrail: exit 3, says so" sh -c "
    $PSQL -c \"INSERT INTO schema_version (version, name) VALUES (99, 'future')\" &&
    { $MT scan -q --db '' 2> $TMP/e; s=\$?; $PSQL -c 'DELETE FROM schema_version WHERE version = 99'; [ \$s -eq 3 ]; } &&
    grep -q 'has schema version 99, newer than this moneytrail knows ($V): use a newer moneytrail' $TMP/e"
check "bad combinations are usage errors (exit 2)" sh -c "
    { $MT scan --incremental $D/canonical.csv 2> $TMP/e; [ \$? -eq 2 ]; } && grep -q -- '--incremental reads from and stores alerts in a database' $TMP/e &&
    { $MT scan --from 2024-01-01 $D/canonical.csv 2> $TMP/e; [ \$? -eq 2 ]; } && grep -q -- '--from and --to need a database source' $TMP/e &&
    { $MT scan --source '' $D/canonical.csv 2> $TMP/e; [ \$? -eq 2 ]; } && grep -q -- '--source reads the database: give no files with it' $TMP/e"
# A first load builds the primary key after the rows are in. An id the
# files repeat further apart than the ids kept to find copies (262,144)
# reaches the database twice: building the key fails, and the load falls
# back to inserting the new ids only (an exact copy here).
pg_sql -c "CREATE DATABASE first" && $MT db init --db dbname=first >/dev/null
awk 'BEGIN { print "tx_id,ts,from_account,to_account,amount,currency,channel"
    for (i = 1; i <= 262200; i++)
        printf "f%d,2024-04-01T%02d:%02d:%02dZ,X%d,Y%d,5.00,EUR,transfer\n", i, int(i / 3600) % 24, int(i / 60) % 60, i % 60, i % 97, i % 89
    print "f1,2024-04-01T00:00:01Z,X1,Y1,5.00,EUR,transfer" }' >"$TMP/big.csv"
check "a first load with an id repeated far apart: the key built, the first row kept, one skipped" sh -c "
    $MT load --db dbname=first $TMP/big.csv 2> $TMP/big.err &&
    grep -q '^load: 262,201 rows read: 262,200 loaded, 1 skipped (already stored), 0 rejected' $TMP/big.err &&
    [ \"\$($PSQL -d first -c \"SELECT count(*), (SELECT amount FROM transactions WHERE tx_id = 'f1') FROM transactions\")\" = '262200|5.00' ] &&
    [ \"\$($PSQL -d first -c \"SELECT count(*) FROM pg_indexes WHERE tablename = 'transactions'\")\" = 4 ] &&
    [ \"\$($PSQL -d first -c \"SELECT count(*) FROM pg_constraint WHERE conrelid = 'transactions'::regclass AND contype = 'p'\")\" = 1 ]"
finish
