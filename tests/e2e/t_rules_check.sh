#!/bin/sh
# `moneytrail rules check` for rule authors: the shared lists are only
# linted when their own file is checked; type mistakes point at the part.
. tests/e2e/lib.sh

one_file() {
    $MT rules check rules/ht-ml-04.rule >"$TMP/one" 2>&1 &&
        ! grep -q 'never used' "$TMP/one"
}
# A rule whose examples pass with min_deposits 2 as with 3: none sits on
# the boundary (the issue's case: lowering HT-ML-04's min_senders from 5 to
# 4 doubled the alerts unnoticed).
cat >"$TMP/loose.rule" <<'RULE'
rule X-2 "Cash deposits"
  source "test"
  param min_deposits = 3
  for each receiver
  where channel == cash_deposit
  within 7d
  alert if count >= min_deposits
  explain "{count} deposits"
  example "five deposits"
    2024-03-01 10:00 cash_deposit -> A 100.00
    2024-03-02 10:00 cash_deposit -> A 100.00
    2024-03-03 10:00 cash_deposit -> A 100.00
    2024-03-04 10:00 cash_deposit -> A 100.00
    2024-03-05 10:00 cash_deposit -> A 100.00
    expect alert on A
  example "one deposit"
    2024-03-01 10:00 cash_deposit -> A 100.00
    expect no alert
RULE
boundary() {
    $MT rules check "$TMP/loose.rule" >"$TMP/b" 2>&1 &&
        contains "$TMP/b" "loose.rule:3:9: warning: no example sits at the boundary of 'min_deposits' = 3: the examples pass at 4 too; add one that alerts at 3 and one that does not just past it" &&
        $MT rules check rules/lists.list tests/rules/lifecycle.rule >"$TMP/b2" 2>&1 &&
        ! grep -q 'no example sits' "$TMP/b2"
}
own_file() {
    $MT rules check rules/lists.list rules/ht-ml-04.rule >"$TMP/two" 2>&1 &&
        contains "$TMP/two" "warning: constant 'reporting_threshold' is never used"
}
cat >"$TMP/bad.rule" <<'RULE'
rule X-1 "typed"
  source "test"
  for each receiver
  where channel == 7 and country in {XX, DE}
  alert if count >= 1
  explain "x"
RULE
typed() {
    expect_exit 1 $MT rules check "$TMP/bad.rule" &&
        contains "$TMP/err" "bad.rule:4:20: error: '7' is not a channel: write its name" &&
        contains "$TMP/err" "bad.rule:4:38: error: 'XX' is not a country" &&
        contains "$TMP/err" '      |                    ^'
}
listed() {
    $MT rules list tests/rules/lifecycle.rule > "$TMP/list" &&
        printf '%s\n' \
            'id           version status       family         strength kind     title' \
            'T-LIFE-1           2 shadow       cash           medium   window   Three cash deposits within a week (shadow)' |
        diff -u - "$TMP/list"
}
shadow() {
    $MT scan -r tests/rules/lifecycle.rule -o "$TMP/al.jsonl" tests/e2e/data/canonical.csv 2>/dev/null &&
        contains "$TMP/al.jsonl" '"rule":"T-LIFE-1","rule_version":2,"title":"Three cash deposits within a week (shadow)","family":"cash","strength":"medium","shadow":true,'
}
# ... and kept out of `alerts` unless --shadow asks for them
shadow_queue() {
    $MT alerts --alerts "$TMP/al.jsonl" > "$TMP/q" &&
        $MT alerts --shadow --alerts "$TMP/al.jsonl" > "$TMP/qs" &&
        ! grep -q T-LIFE-1 "$TMP/q" && grep -q T-LIFE-1 "$TMP/qs"
}
version() {
    $MT --version tests/rules/history.rule > "$TMP/v" &&
        grep -q '^moneytrail [^ ]* (built .* with GLib [0-9.]*)$' "$TMP/v" &&
        grep -q '^rules tests/rules/history.rule: digest [0-9a-f]\{16\} (5 rules, 0 typologies)$' "$TMP/v"
}
# Every fenced block of rules/LANGUAGE.md that starts with "rule " compiles,
# and its examples pass.
language_examples() {
    awk -v dir="$TMP" '/^```$/ { if (inb) { inb = 0; if (buf ~ /^rule /) { n++; f = dir "/lang" n ".rule"; printf "%s", buf > f; close(f) }; buf = "" } else inb = 1; next } inb { buf = buf $0 "\n" }' rules/LANGUAGE.md &&
        ls "$TMP"/lang*.rule > /dev/null &&
        for f in "$TMP"/lang*.rule; do
            $MT rules check rules/lists.list "$f" > /dev/null 2>"$TMP/lang.err" &&
                $MT rules test rules/lists.list "$f" > /dev/null || { echo "$f:"; cat "$f" "$TMP/lang.err"; return 1; }
        done
}
check "every rule example in LANGUAGE.md compiles and its examples pass" language_examples
check "rules list: id, version, status, family, strength, kind, title" listed
check "a shadow rule's alerts are stored with shadow: true" shadow
check "alerts leaves shadow alerts out unless --shadow" shadow_queue
check "--version: the version, the build and the rules digest" version
check "one rule file: no warnings about the shared lists beside it" one_file
check "a param whose examples pass one step away: a boundary warning" boundary
check "the lists' own file: their unused entries are warned about" own_file
check "a number for a channel and an unknown country: errors with carets" typed
finish
