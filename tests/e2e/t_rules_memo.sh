#!/bin/sh
# Memo tests beyond 'where': in an aggregate's condition, worked out per
# entry as it arrives, and about the triggering row in 'alert if'. By hand:
# receivers R1 .. R40 each get three salaries from E1, E2, E3 on three
# days; the third memo of every odd receiver is "rent", so the even ones,
# 20, have salary from three payers. The same 20 alerts with one engine
# thread and with four (batched per account, each row's memo kept for its
# window update).
. tests/e2e/lib.sh

cat > "$TMP/t.rule" <<'RULE'
rule T-SAL "Salary from three or more employers"
  source "test"
  for each receiver
  where channel == transfer
  within 30d
  alert if distinct(counterparty where memo contains "salario") >= 3
  explain "salary from {distinct(counterparty where memo contains \"salario\")} payers"
RULE
awk 'BEGIN {
    print "tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo"
    for (d = 1; d <= 3; d++)
        for (r = 1; r <= 40; r++) {
            memo = (d == 3 && r % 2) ? "rent" : "SALÁRIO março"
            printf "t%d-%d,2024-03-0%dT09:%02d:00Z,E%d,R%d,1500.00,EUR,transfer,,,,%s\n", d, r, d, r, d, r, memo
        }
}' > "$TMP/tx.csv"

threads() {
    for j in 1 4; do
        $MT scan -q -j $j -r "$TMP/t.rule" "$TMP/tx.csv" > "$TMP/a$j.jsonl" || return 1
        grep -o '"account":"R[0-9]*"' "$TMP/a$j.jsonl" | sort > "$TMP/acc$j.txt"
    done
    [ "$(wc -l < "$TMP/acc1.txt")" -eq 20 ] && ! grep -q 'R[0-9]*[13579]"' "$TMP/acc1.txt" &&
        diff "$TMP/acc1.txt" "$TMP/acc4.txt" &&
        grep -q '"explanation":"salary from 3 payers"' "$TMP/a4.jsonl"
}
check "distinct(counterparty where memo contains ...): the 20 even receivers, one thread or four" threads

errors() {
    printf 'rule T-X "x"\n  source "t"\n  for each receiver\n  within 1d\n  alert if max(memo contains "a") >= 1\n  explain "x"\n' > "$TMP/v.rule" &&
        expect_exit 1 $MT rules check "$TMP/v.rule" &&
        contains "$TMP/err" "v.rule:5:12: error: 'max(memo contains \"a\")' tests the memo as its value: a window entry keeps no text, so a memo test can only decide which entries count (count(COND), where COND)"
}
check "a memo test as an aggregate's value: an error with file:line:col" errors
finish
