#!/bin/sh
# Exact money: sums of amounts past 2^53 minor units (where a double can no
# longer hold every cent) are compared with their thresholds and shown in
# alerts from the exact integer, and an amount above the documented maximum
# is rejected with the reason, file and line. docs/never-lost.md, "Sums of
# money are exact", lists what each check tests.
. tests/e2e/lib.sh
mkdir "$TMP/r"
cat > "$TMP/r/big.rule" <<'EOF'
rule T-BIG-01 "Two payments summing to at least 10,000"
  for each sender
  within   30d
  alert if count >= 2 and sum(amount) >= 10000
  explain  "{count} payments totalling {sum(amount)}, largest {max(amount)}"
EOF
cat > "$TMP/r/sum.rule" <<'EOF'
rule T-BIG-02 "Ten payments past 90 trillion"
  for each sender
  where    memo contains "sum"
  within   30d
  alert if count >= 10 and sum(amount) >= 90000000000000
  explain  "{count} payments totalling {sum(amount)}"
EOF
cat > "$TMP/r/edge.rule" <<'EOF'
rule T-BIG-03 "Payments reaching 90,071,992,547,410 exactly"
  for each sender
  where    memo contains "edge"
  within   30d
  alert if sum(amount) >= 90071992547410
  explain  "payments totalling {sum(amount)}"
EOF
H=tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo
# row ID SECOND FROM AMOUNT MEMO
row() { printf '%s,2024-03-01T00:%02d:%02dZ,%s,B1,%s,EUR,transfer,,,Hamburg,%s\n' \
    "$1" $(($2 / 60)) $(($2 % 60)) "$3" "$4" "$5"; }
# nine of the largest amount accepted (10^15 minor units) and one more of
# S2: the sum is 9,007,199,254,740,000 + S2 minor units
nine() { for i in 1 2 3 4 5 6 7 8 9; do row "$1$i" $(($2 + i)) "$3" 10000000000000.00 "$4"; done; }
{
    echo $H
    row h1 1 A1 9000000000000000.00 two # rejected: above the maximum
    row h2 2 A1 6000000000000.00 two
    row h3 3 A1 7000000000000.00 two
    nine s 10 A2 sum
    row s10 20 A2 71992547409.93 sum    # the sum: 90,071,992,547,409.93
    nine e 30 A3 edge
    row e10 40 A3 71992547409.99 edge   # 90,071,992,547,409.99: a double reads ...410.00
    row e11 41 A3 0.01 edge             # now 90,071,992,547,410.00 exactly
} > "$TMP/big.csv"

check "amounts past 2^53 minor units: the run reads them, rejects the one above the maximum" sh -c "
    $MT scan -r $TMP/r --threads 1 --rejects $TMP/rej.csv -o $TMP/a.jsonl $TMP/big.csv 2> $TMP/err &&
    grep -q '^scan: 24 rows read, 1 rejected' $TMP/err &&
    grep -q '^scan: 24 data lines = 23 in rows read + 1 rejected + 0 blank$' $TMP/err &&
    grep -q \"^$TMP/big.csv,2,5,.column 5 (amount): '9000000000000000.00' is above the largest amount accepted, 10,000,000,000,000.00.,\" $TMP/rej.csv"
check "count >= 2 and sum(amount) >= 10000 fires on two huge amounts" sh -c "
    grep -q '\"rule\":\"T-BIG-01\",.*\"account\":\"A1\",.*\"trigger_tx\":\"h3\"' $TMP/a.jsonl &&
    grep -q '\"explanation\":\"2 payments totalling 13,000,000,000,000.00 EUR, largest 7,000,000,000,000.00 EUR\"' $TMP/a.jsonl &&
    grep -q '\"values\":{\"count\":2,\"sum(amount)\":\"13000000000000.00\",\"max(amount)\":\"7000000000000.00\"}' $TMP/a.jsonl"
check "a sum of 9,007,199,254,740,993 minor units is shown exactly, not as ...409.92" sh -c "
    grep -q '\"rule\":\"T-BIG-02\",.*\"trigger_tx\":\"s10\"' $TMP/a.jsonl &&
    grep -q '\"explanation\":\"10 payments totalling 90,071,992,547,409.93 EUR\"' $TMP/a.jsonl &&
    grep -q '\"sum(amount)\":\"90071992547409.93\"' $TMP/a.jsonl"
check "a sum one cent under its threshold past 2^53 does not fire; the cent that reaches it does" sh -c "
    [ \$(grep -c '\"rule\":\"T-BIG-03\"' $TMP/a.jsonl) -eq 1 ] &&
    grep -q '\"rule\":\"T-BIG-03\",.*\"trigger_tx\":\"e11\"' $TMP/a.jsonl &&
    grep -q '\"explanation\":\"payments totalling 90,071,992,547,410.00 EUR\"' $TMP/a.jsonl"
check "the same alerts with the accounts split between two threads" sh -c "
    $MT scan -r $TMP/r --threads 2 -o $TMP/a2.jsonl $TMP/big.csv 2> $TMP/err &&
    cmp $TMP/a.jsonl $TMP/a2.jsonl"
finish
