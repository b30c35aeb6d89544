#!/bin/sh
# `scan --db --incremental` after a change of the rules: the summary names
# the rules added, removed and changed since the last incremental run, by
# id and version, and runs.rules_changed records it; runs.rules holds each
# run's rules. By hand: run 1 and run 2 use rules T-1 v1, T-2 v1, T-3 v1
# (same folder, same digest: nothing said); run 3 uses T-1 v2 (another
# threshold), T-3 v1 with another param, T-4 v1, and no T-2; run 4 the
# same rules as run 3 copied to another folder (another digest, as the
# paths are part of it, but every rule computes the same).
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh

rule() { # rule ID VERSION MIN: a cash-deposit rule alerting at MIN deposits
    printf 'rule %s "Cash deposits"\n  version %s\n  source "test"\n  for each receiver\n  where channel in {cash_deposit, atm_deposit}\n  within 10d\n  param min_count = %s\n  alert if count >= min_count\n  explain "{count} deposits"\n' "$@"
}
mkdir -p "$TMP/r1" "$TMP/r2" "$TMP/r3"
{ rule T-1 1 3; rule T-2 1 2; rule T-3 1 5; } > "$TMP/r1/t.rule"
{ rule T-1 2 4; rule T-3 1 6; rule T-4 1 2; } > "$TMP/r2/t.rule"
cp "$TMP/r2/t.rule" "$TMP/r3/t.rule"

scan() { $MT scan -r "$1" --db '' --incremental 2> "$TMP/$2.err" > /dev/null || { cat "$TMP/$2.err"; return 1; }; }
setup() {
    $MT db init --db '' > /dev/null && $MT load -q --db '' tests/e2e/data/canonical.csv &&
        scan "$TMP/r1" s1 && scan "$TMP/r1" s2 && scan "$TMP/r2" s3 && scan "$TMP/r3" s4
}
check "four incremental runs, the rules changed twice" setup

same() {
    ! grep -q 'incremental:.*rule' "$TMP/s1.err" && ! grep -q 'incremental:.*rule' "$TMP/s2.err" &&
        [ "$($PSQL -c 'SELECT count(*) FROM runs WHERE rules_changed IS NOT NULL')" = 2 ]
}
check "the first run and a run with the same rules say nothing about them" same

changed() {
    run=$($PSQL -c 'SELECT min(id) + 1 FROM runs') &&
        contains "$TMP/s3.err" "scan: incremental: the rules changed since run $run: added T-4 v1; removed T-2 v1; changed T-1 v1 -> v2, T-3 v1 edited without a new version" &&
        [ "$($PSQL -c "SELECT rules_changed FROM runs WHERE id = $run + 1")" = "the rules changed since run $run: added T-4 v1; removed T-2 v1; changed T-1 v1 -> v2, T-3 v1 edited without a new version" ]
}
check "a changed set: rules added, removed and changed named in the summary and recorded" changed

recorded() {
    R="runs, jsonb_array_elements(rules) r"
    [ "$($PSQL -c "SELECT string_agg((r->>'rule') || ' v' || (r->>'version'), ', ' ORDER BY r->>'rule') FROM $R WHERE id = (SELECT max(id) - 1 FROM runs)")" = "T-1 v2, T-3 v1, T-4 v1" ] &&
        [ "$($PSQL -c "SELECT count(DISTINCT r->>'fingerprint') FROM $R WHERE r->>'rule' = 'T-3'")" = 2 ] &&
        [ "$($PSQL -c "SELECT count(DISTINCT r->>'fingerprint') FROM $R WHERE r->>'rule' = 'T-4'")" = 1 ]
}
check "runs.rules: each run's rules, versions and fingerprints" recorded

moved() {
    run=$($PSQL -c 'SELECT max(id) - 1 FROM runs') &&
        contains "$TMP/s4.err" "scan: incremental: the rules digest changed since run $run, but every rule computes the same (text, comments or paths changed)"
}
check "the same rules from another folder: another digest, every rule the same" moved
# A shadow rule stored in the database: the flag is kept, the alert is
# left out of `alerts` (unless --shadow) and of `cases`. T-5 alerts on A1
# (3 cash deposits, c01 c06 c10) and A2 (c03 c07 c12), in shadow.
shadow() {
    { rule T-5 1 3 | sed 's/^  version 1$/  version 1\n  status shadow/'; } > "$TMP/shadow.rule" &&
        $MT scan -q -r "$TMP/shadow.rule" --db '' tests/e2e/data/canonical.csv &&
        [ "$($PSQL -c "SELECT count(*), bool_and(shadow) FROM alerts WHERE rule = 'T-5'")" = '2|t' ] &&
        [ "$($PSQL -c "SELECT count(*) FROM alerts WHERE rule <> 'T-5' AND shadow")" = 0 ] &&
        $MT alerts --db '' > "$TMP/al.txt" && ! grep -q T-5 "$TMP/al.txt" &&
        $MT alerts --db '' --shadow > "$TMP/al2.txt" && grep -q T-5 "$TMP/al2.txt" &&
        $MT cases --db '' > "$TMP/cases.txt" && ! grep -q T-5 "$TMP/cases.txt"
}
check "a shadow rule's alert in the database: flagged, out of alerts and cases" shadow
finish
