#!/bin/sh
# Shadow rules (`status shadow`): their alerts are stored marked
# "shadow": true and kept out of `alerts` and `cases`. By hand: X has an
# alert of score 2 (a stable rule) and one of score 3 from a shadow rule,
# on the same day; the case of X scores 2.0 with 1 alert, not 5.0 with 2.
. tests/e2e/lib.sh

q() { printf '{"alert_id":"%s","rule":"%s","score":%s,"account":"X","window_start":"2024-01-31T00:00:00Z","window_end":"2024-01-31T00:00:00Z","evidence":[]%s}\n' "$@"; }
{ q x1 T-STABLE 2 ''; q x2 T-SHADOW 3 ',"shadow":true'; } > "$TMP/x.jsonl"

queue() {
    $MT cases --alerts "$TMP/x.jsonl" > "$TMP/cases.txt" &&
        grep -Eq '^X +2\.0 +1 +1 T-STABLE ' "$TMP/cases.txt" &&
        ! grep -q T-SHADOW "$TMP/cases.txt"
}
check "cases: a shadow rule's alert adds nothing to the case's score" queue

listed() {
    $MT alerts --alerts "$TMP/x.jsonl" > "$TMP/a.txt" && ! grep -q x2 "$TMP/a.txt" &&
        $MT alerts --alerts "$TMP/x.jsonl" --shadow > "$TMP/b.txt" && grep -q x2 "$TMP/b.txt"
}
check "alerts: the shadow alert only with --shadow" listed
finish
