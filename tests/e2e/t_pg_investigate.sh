#!/bin/sh
# The investigator commands against PostgreSQL (--db): the case data of
# tests/e2e/data/case loaded with `moneytrail load`, scanned with `moneytrail
# scan --db` (with the rules listed in tests/e2e/data/case/README), then every command gives what it gives in file mode, and
# triage is recorded in the database with the role and the time.
. tests/e2e/lib.sh
MT_PG_PORT=${MT_PG_PORT_INVESTIGATE:-54336}
. tests/pg/pg-harness.sh
D=tests/e2e/data/case
E=tests/e2e/expected/case
S="--alerts $D/alerts.jsonl --data $D/transactions.csv --accounts $D/accounts.csv"
B="--db dbname=postgres"
R="--rules tests/e2e/data/case/ht-ml-04-v1.rule --rules tests/e2e/data/case/ht-sex-04-v1.rule" # see data/case/README
for r in ht-ml-01 ht-ml-07-ch ht-ml-11 ht-ml-15 ht-ml-17 ht-sex-01; do
    R="$R --rules rules/$r.rule"
done

check "load the case into a fresh database" sh -c "
    $MT db init $B >/dev/null && $MT load -q $B --accounts $D/accounts.csv $D/transactions.csv &&
    $MT scan -q $B $R --rules rules/lists.list --accounts $D/accounts.csv &&
    [ \"\$($PG_BIN/psql -XAtq -c 'SELECT count(*) FROM alerts')\" = 12 ]"

same() { # same NAME ARGS...: the command gives the same output from the database and the files
    name=$1
    shift
    check "db and files agree: $name" sh -c "$MT $* $S > $TMP/f.out && $MT $* $B > $TMP/d.out && diff -u $TMP/f.out $TMP/d.out"
}
same "alerts" alerts
same "alerts --rule --min-score" alerts --rule "'HT-ML-0*'" --min-score 2
same "alerts --typology --since" alerts --typology cash --since 2024-05-08
same "alerts --sort score --limit --offset" alerts --sort score --limit 3 --offset 1
same "alerts --status new,dismissed" alerts --status new,dismissed
same "cases" cases
same "cases --json" cases --json
same "cases --sort last --limit --offset" cases --sort last --limit 2 --offset 1
check "db: cases match the golden file" sh -c "$MT cases $B | diff -u $E/cases.txt -"
same "alert (fan-in)" alert 5b7edd48c4af4fa9
same "account DE-C1" account DE-C1
same "account DE-L1 --from --to" account DE-L1 --from 2024-05-14 --to 2024-05-31
same "account DE-V1 (linked accounts, counterparties with alerts)" account DE-V1
same "alert HT-ML-17 (the accounts it shares with)" alert 56f78a2a2248429a
check "db: account DE-V1 matches the golden file" sh -c "$MT account DE-V1 $B | diff -u $E/account-v1.txt -"
same "trace out" trace DE-C1 --within 7d
same "trace in" trace RO-B3 --direction in --hops 4
check "db: the fan-in alert matches the golden file" sh -c "$MT alert 5b7edd48c4af4fa9 $B | diff -u $E/alert-fanin.txt -"
check "db: graph DOT matches the golden file" sh -c "$MT graph DE-C1 $B -o $TMP/g.dot 2>/dev/null && diff -u $E/graph-c1.dot $TMP/g.dot"
check "db: goAML export matches the golden file" sh -c "
    $MT export goaml 5b7edd48c4af4fa9 6f444cb47548010e $B -c schema/goaml.conf.example --date 2024-06-01T10:00:00 -o $TMP/str.xml 2>/dev/null &&
    diff -u $E/str-c1.xml $TMP/str.xml"
check "db: FollowTheMoney export matches the golden file" sh -c "
    $MT export ftm DE-L1 dd7d911d13301a01 $B -o $TMP/e.json 2>/dev/null && diff -u $E/ftm.jsonl $TMP/e.json"
check "db: every FollowTheMoney entity validates against the model" sh -c "
    $MT export ftm DE-L1 DE-C1 dd7d911d13301a01 6f444cb47548010e 9afd0e3f5c2a9d0d $B -o $TMP/wide.json 2>/dev/null &&
    [ \"\$(node tests/ftm/validate.js $TMP/wide.json)\" = 'ftm: 60 entities valid' ]"
check "db: the chain alert matches the golden file, with its matched subgraph" sh -c "
    $MT alert 9afd0e3f5c2a9d0d $B | diff -u $E/alert-chain.txt -"

DIGEST=$($PG_BIN/psql -XAtq -c "SELECT rules_digest FROM runs ORDER BY id LIMIT 1")
check "db: the report names the run, its times, input and rules digest of each alert" sh -c "
    $MT report DE-C1 $B -o $TMP/r.html 2>/dev/null && [ -n '$DIGEST' ] &&
    grep -Eq '^<tr><td>5b7edd48c4af4fa9</td><td>HT-ML-04 v1</td><td>1</td><td>20[0-9-]+T[0-9:]+Z</td><td>20[0-9-]+T[0-9:]+Z</td><td>[^<]+</td><td class=\"id\">$DIGEST</td></tr>\$' $TMP/r.html &&
    [ \$(grep -c '<td class=\"id\">$DIGEST</td></tr>' $TMP/r.html) = 4 ]"
check "db: triage is recorded with the database role and the time" sh -c "
    $MT alert 6f444cb47548010e $B --status escalated --note 'structuring; branch asked' > $TMP/t.out &&
    grep -q '^alert 6f444cb47548010e: escalated by mt at 20' $TMP/t.out &&
    [ \"\$($PG_BIN/psql -XAtq -c \"SELECT triage_status || '|' || triage_note || '|' || triage_by FROM alerts WHERE alert_id = '6f444cb47548010e'\")\" = 'escalated|structuring; branch asked|mt' ] &&
    [ \"\$($PG_BIN/psql -XAtq -c \"SELECT count(*) FROM alert_triage WHERE alert_id = '6f444cb47548010e' AND triage_at > now() - interval '1 hour'\")\" = 1 ]"
check "db: triage history and status filter across runs" sh -c "
    $MT alert 6f444cb47548010e $B --status dismissed --note \"it's the bar's takings\" >/dev/null &&
    $MT alerts $B --status dismissed | grep -q '^2024-05-12 6f444cb47548010e ' &&
    $MT alert 6f444cb47548010e $B | grep -A3 '^triage' > $TMP/h.txt &&
    grep -q 'escalated    by mt: structuring; branch asked' $TMP/h.txt &&
    grep -q \"dismissed    by mt: it's the bar's takings\" $TMP/h.txt"
check "db: --case hands all its alerts over, --by names who, a note keeps the status" sh -c "
    $MT alert --case CU-1001 $B --assign kim --by lee --note 'handed over' > $TMP/h.out &&
    [ \$(grep -c ': noted, assigned to kim by lee at ' $TMP/h.out) = 4 ] &&
    $MT cases $B | grep -Eq '^CU-1001 .* kim +2024-05-02 2024-05-12$' &&
    $MT alert 6f444cb47548010e $B | grep -q '^  status   dismissed' &&
    [ \"\$($PG_BIN/psql -XAtq -c \"SELECT count(*) FROM alert_triage WHERE assignee = 'kim' AND triage_by = 'lee' AND status IS NULL\")\" = 4 ]"
check "db: a dismissal with --mute 90d is kept with its days and shown in the history" sh -c "
    $MT alert 56f78a2a2248429a $B --status dismissed --mute 90d > $TMP/m.out &&
    grep -q 'dismissed, later HT-ML-17 alerts on DE-V1 muted for 90 days after its window by mt' $TMP/m.out &&
    [ \"\$($PG_BIN/psql -XAtq -c \"SELECT mute_days FROM alert_triage WHERE alert_id = '56f78a2a2248429a'\")\" = 90 ] &&
    $MT alert 56f78a2a2248429a $B | grep -q 'dismissed    by mt, muting HT-ML-17 for 90 days'"
check "db: unknown alert: plain message, exit 5" sh -c "
    $MT alert 0000000000000000 $B 2>$TMP/u.err; [ \$? -eq 5 ] &&
    grep -qx \"moneytrail: alert: no alert with id '0000000000000000' in the database\" $TMP/u.err"
check "db: triage of an unknown alert stores nothing, exit 5" sh -c "
    $MT alert 0000000000000000 $B --status escalated 2>/dev/null; [ \$? -eq 5 ] &&
    [ \"\$($PG_BIN/psql -XAtq -c 'SELECT count(*) FROM alert_triage')\" = 7 ]"
check "db: unknown account: exit 5" expect_exit 5 $MT account NO-SUCH $B
check "db: account: the customer's other account (a second account of CU-1001)" sh -c "
    $PG_BIN/psql -XAtq -c \"INSERT INTO accounts (account_id, customer_id, kind, name) VALUES ('DE-C2', 'CU-1001', 'person', 'Marko Petrovic')\" &&
    $MT account DE-C1 $B | grep -Eq '^  DE-C2 +Marko Petrovic +customer +0 +0 -\$'"
check "db: alert: a typology alert lists its indicator alerts" sh -c "
    $PG_BIN/psql -XAtq -c \"UPDATE alerts SET indicators = '[{\\\"alert_id\\\":\\\"i1\\\",\\\"rule\\\":\\\"HT-SEX-01\\\",\\\"account\\\":\\\"DE-C1\\\",\\\"ts\\\":\\\"2024-05-10T21:55:00Z\\\"}]' WHERE alert_id = '9afd0e3f5c2a9d0d'\" &&
    $MT alert 9afd0e3f5c2a9d0d $B | grep -A1 '^indicator alerts (1)\$' | grep -Eq '^  i1 +HT-SEX-01 +DE-C1 +2024-05-10T21:55:00Z\$'"
# A planted TY-SEX case (mtgen) loaded beside the case: the controller's
# picture from the database is the one from the files, victims included,
# merchants and payroll payers grouped.
G=$TMP/gen
check "db: a planted TY-SEX case loaded and scanned" sh -c "
    tools/mtgen/mtgen --seed 7 --accounts 500 --days 45 --count all=0 --count TY-SEX=1 --out $G -q &&
    $MT scan -q --rules rules --accounts $G/accounts.csv $G/transactions.csv -o $G/alerts.jsonl &&
    $MT load -q $B --accounts $G/accounts.csv $G/transactions.csv &&
    $MT scan -q $B --rules rules --accounts $G/accounts.csv"
CTL=$(awk -F, '$1 == "TY-SEX" && $4 == "controller" { print $3; exit }' $G/instances.csv)
check "db and files agree: graph of the TY-SEX controller, with its possible victims and groups" sh -c "
    $MT graph $CTL --alerts $G/alerts.jsonl --data $G/transactions.csv --accounts $G/accounts.csv -o $TMP/tyf.dot 2>/dev/null &&
    $MT graph $CTL $B -o $TMP/tyd.dot 2>/dev/null && diff -u $TMP/tyf.dot $TMP/tyd.dot &&
    grep -q 'possible victim)' $TMP/tyd.dot && grep -q 'label=\"[0-9]* merchants\"' $TMP/tyd.dot"
# Hubs from the database: the store sums a followed account's first hop
# per counterparty (trace) or all of the subject's transactions (graph),
# and the answers stay those of the files, transaction by transaction, for
# the busiest account of the generated bank, the controller and the
# accounts with the most alerts, both ways.
GF="--alerts $G/alerts.jsonl --data $G/transactions.csv --accounts $G/accounts.csv"
BUSY=$(awk -F, 'NR > 1 { n[$3]++; n[$4]++ } END { for (a in n) if (a != "" && n[a] > m) { m = n[a]; b = a } print b }' $G/transactions.csv)
TOP=$($PG_BIN/psql -XAtq -c "SELECT account FROM alerts WHERE account NOT LIKE 'DE-%' AND account NOT LIKE 'RO-%' GROUP BY account ORDER BY count(*) DESC, account LIMIT 3")
for acc in $BUSY $CTL $TOP; do
    for dir in out in; do
        check "db and files agree: trace $acc --direction $dir --hops 3" sh -c "
            $MT trace $acc --direction $dir --hops 3 $GF > $TMP/tf.out && $MT trace $acc --direction $dir --hops 3 $B > $TMP/td.out &&
            diff -u $TMP/tf.out $TMP/td.out"
    done
    for hops in 1 2; do
        check "db and files agree: graph $acc --hops $hops" sh -c "
            $MT graph $acc --hops $hops $GF -o $TMP/gf.dot 2>/dev/null && $MT graph $acc --hops $hops $B -o $TMP/gd.dot 2>/dev/null &&
            diff -u $TMP/gf.dot $TMP/gd.dot"
    done
done
# Money that comes back to the traced account: LP-A pays LP-B 100, LP-C
# 50, LP-D 30 and LP-E 20; LP-B pays 60 back before LP-A pays LP-D and
# LP-E. With one account followed (LP-B), the seeds to LP-C, LP-D and
# LP-E are summed by the database, but the 60 that came back passes on
# through LP-D's and LP-E's payments, which caps them (30 + 30 > 30): the
# database must read those one by one to give the files' answer.
L=$TMP/loop.csv
cat >$L <<'CSV'
tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo
l1,2024-06-01T10:00:00Z,LP-A,LP-B,100.00,EUR,transfer,,,,
l2,2024-06-01T11:00:00Z,LP-A,LP-C,50.00,EUR,transfer,,,,
l3,2024-06-02T10:00:00Z,LP-B,LP-A,60.00,EUR,transfer,,,,
l4,2024-06-03T10:00:00Z,LP-A,LP-D,30.00,EUR,transfer,,,,
l5,2024-06-04T10:00:00Z,LP-A,LP-E,20.00,EUR,transfer,,,,
l6,2024-06-04T12:00:00Z,LP-C,LP-E,10.00,EUR,transfer,,,,
CSV
: >$TMP/none.jsonl
check "db: money that came back to the traced account is passed on as in the files" sh -c "
    $MT load -q $B $L &&
    $MT trace LP-A --max-accounts 1 --hops 3 --alerts $TMP/none.jsonl --data $L > $TMP/lf.out &&
    $MT trace LP-A --max-accounts 1 --hops 3 $B > $TMP/ld.out && diff -u $TMP/lf.out $TMP/ld.out &&
    grep -q 'capped' $TMP/ld.out"
check "db: the same backward, from LP-E" sh -c "
    $MT trace LP-E --direction in --max-accounts 1 --hops 3 --alerts $TMP/none.jsonl --data $L > $TMP/lf.out &&
    $MT trace LP-E --direction in --max-accounts 1 --hops 3 $B > $TMP/ld.out && diff -u $TMP/lf.out $TMP/ld.out"
# The same when the money comes back into a hub window: LP-H pays LP-I
# 100, LP-I pays 60 back, and LP-H then pays 1,001 accounts 1.00 each
# within the week: more than 1,000 payments, so the 60 stays at LP-H. The
# database counts that window instead of reading it.
{
    echo "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo"
    echo "h0,2024-07-01T10:00:00Z,LP-H,LP-I,100.00,EUR,transfer,,,,"
    echo "h1,2024-07-02T10:00:00Z,LP-I,LP-H,60.00,EUR,transfer,,,,"
    awk 'BEGIN { for (i = 1; i <= 1001; i++) printf "p%04d,2024-07-03T%02d:%02d:00Z,LP-H,LP-P%04d,1.00,EUR,transfer,,,,\n", i, int(i / 60) % 24, i % 60, i }'
} >$TMP/hubloop.csv
check "db: money that came back into a hub window stays there, as in the files" sh -c "
    $MT load -q $B $TMP/hubloop.csv &&
    $MT trace LP-H --max-accounts 1 --hops 3 --alerts $TMP/none.jsonl --data $TMP/hubloop.csv > $TMP/hf.out &&
    $MT trace LP-H --max-accounts 1 --hops 3 $B > $TMP/hd.out && diff -u $TMP/hf.out $TMP/hd.out &&
    grep -q 'more than 1000 payments' $TMP/hd.out"
# A busy account followed: LP-X pays LP-B2 100 on 07-10 and 50 on 08-20;
# LP-B2 makes 9,500 payments in the week after the first (more than
# 1,000: the 100 stays there) and 600 after the second (the 50 is passed
# on to them): the same from the database as from the files.
{
    echo "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo"
    echo "x0,2024-07-10T10:00:00Z,LP-X,LP-B2,100.00,EUR,transfer,,,,"
    awk 'function ts(d, s) { return sprintf("2024-%s%02d:%02d:%02dZ", d, int(s / 3600), int(s / 60) % 60, s % 60) }
        BEGIN { for (i = 1; i <= 9500; i++) { s = i * 40; printf "w%05d,%s,LP-B2,LP-W%05d,1.00,EUR,transfer,,,,\n", i, ts(sprintf("07-%02dT", 11 + int(s / 86400)), s % 86400), i }
                print "x1,2024-08-20T10:00:00Z,LP-X,LP-B2,50.00,EUR,transfer,,,,"
                for (i = 1; i <= 600; i++) printf "v%05d,%s,LP-B2,LP-V%03d,1.00,EUR,transfer,,,,\n", i, ts("08-21T", i * 60), i % 40 }'
} >$TMP/busy.csv
check "db: a busy account followed passes on only through its quiet window, as in the files" sh -c "
    $MT load -q $B $TMP/busy.csv &&
    $MT trace LP-X --hops 3 --from 2024-07-01 --to 2024-08-31 --alerts $TMP/none.jsonl --data $TMP/busy.csv > $TMP/bf.out &&
    $MT trace LP-X --hops 3 --from 2024-07-01 --to 2024-08-31 $B > $TMP/bd.out && diff -u $TMP/bf.out $TMP/bd.out &&
    grep -q 'more than 1000 payments' $TMP/bd.out && grep -q '^LP-V' $TMP/bd.out"
finish
