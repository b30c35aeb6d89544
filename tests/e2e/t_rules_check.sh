#!/bin/sh
# `moneytrail rules check` for rule authors: the shared lists are only
# linted when their own file is checked; type mistakes point at the part.
. tests/e2e/lib.sh

one_file() {
    $MT rules check rules/ht-ml-04.rule >"$TMP/one" 2>&1 &&
        contains "$TMP/one" 'ok (0 warnings)'
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
check "one rule file: no warnings about the shared lists beside it" one_file
check "the lists' own file: their unused entries are warned about" own_file
check "a number for a channel and an unknown country: errors with carets" typed
finish
