#!/bin/sh
# `moneytrail rules explain` says in words what the prefilters decide
# before the filter runs: channels, kinds, fixed attributes, the mcc.
. tests/e2e/lib.sh
R=tests/rules/prefilter.rule

check "the mcc prefilter: codes never passing, surely passing, left to the filter" sh -c "
    $MT rules explain -r $R T-PRE-2 > $TMP/x &&
    grep -q '^     For money out the mcc decides at once (codes that cannot pass: 1, that surely pass: 2, left to the filter: 9,997), on: cash_deposit .* card ' $TMP/x &&
    grep -q '^     For a transfer to oneself the mcc decides' $TMP/x &&
    ! grep -q 'money in' $TMP/x"
check "a filter that does not test the mcc has no mcc prefilter; fixed attributes are named" sh -c "
    $MT rules explain -r $R T-PRE-1 > $TMP/y &&
    ! grep -q 'mcc decides' $TMP/y &&
    grep -q 'Only accounts of these kinds can pass, so others are skipped at once: person' $TMP/y"
check "an unknown rule: usage exit, the name in the message" sh -c "
    { $MT rules explain -r $R T-NONE 2> $TMP/err; [ \$? -eq 2 ]; } &&
    grep -q \"no rule 'T-NONE'\" $TMP/err"
finish
