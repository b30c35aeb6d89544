#!/bin/sh
# The generator's multi-currency bank (mtgen --currencies): the same seed
# with and without foreign rows gives the same rows but for amount and
# currency; rates.csv is in the ECB layout; scanned with --fx the alerts
# are those of the all-euro bank, without it they are not, and one
# converted amount is checked against its rate by hand.
. tests/e2e/lib.sh

GEN="tools/mtgen/mtgen -q --seed 11 --accounts 600 --days 12"
$GEN --out "$TMP/eur" || exit 1
$GEN --currencies USD,JPY,GBP --currency-share 0.3 --out "$TMP/fx" || exit 1
mkdir "$TMP/rules"
cat > "$TMP/rules/big.rule" <<'RULE'
rule T-FXG-01 "A large single amount"
  source   "test"
  for each receiver
  alert if amount >= 5000
  explain  "{amount}"
RULE
R="--rules $TMP/rules"

t1() {
    # columns 1-4 and 7-11 are the same; a third or so of the rows differ
    cut -d, -f1-4,7- "$TMP/eur/transactions.csv" > $TMP/e.rest &&
    cut -d, -f1-4,7- "$TMP/fx/transactions.csv" > $TMP/f.rest &&
    cmp $TMP/e.rest $TMP/f.rest &&
    n=$(awk -F, 'NR > 1' "$TMP/fx/transactions.csv" | wc -l) &&
    k=$(awk -F, 'NR > 1 && $6 != "EUR"' "$TMP/fx/transactions.csv" | wc -l) &&
    echo "$k of $n foreign" &&
    [ "$k" -gt $((n / 4)) ] && [ "$k" -lt $((n * 7 / 20)) ] &&
    [ "$(awk -F, 'NR > 1 && $6 != "EUR" && $6 != "USD" && $6 != "JPY" && $6 != "GBP"' "$TMP/fx/transactions.csv" | wc -l)" = 0 ] &&
    head -1 "$TMP/fx/rates.csv" | grep -qx 'Date,USD,JPY,GBP,' &&
    grep -q '^2024-01-05,' "$TMP/fx/rates.csv" && ! grep -q '^2024-01-06,' "$TMP/fx/rates.csv" &&
    grep -q '^currencies=USD,JPY,GBP$' "$TMP/fx/gen.meta" && ! grep -q currencies "$TMP/eur/gen.meta"
}
check "same rows but amount and currency; rates.csv has business days only (ECB layout)" t1

t2() {
    $MT scan -q $R -o $TMP/eur.jsonl "$TMP/eur/transactions.csv" &&
    $MT scan -q $R --fx "$TMP/fx/rates.csv" --rejects $TMP/rej.csv -o $TMP/fx.jsonl \
        "$TMP/fx/transactions.csv" &&
    [ "$(wc -l < $TMP/rej.csv)" -le 1 ] &&
    grep -o '"trigger_tx":"[^"]*"' $TMP/eur.jsonl | sort > $TMP/eur.trig &&
    grep -o '"trigger_tx":"[^"]*"' $TMP/fx.jsonl | sort > $TMP/fx.trig &&
    [ -s $TMP/eur.trig ] && cmp $TMP/eur.trig $TMP/fx.trig &&
    $MT scan -q $R -o $TMP/nofx.jsonl "$TMP/fx/transactions.csv" 2> $TMP/warn &&
    contains $TMP/warn 'warning: the rows hold amounts in several currencies' &&
    grep -o '"trigger_tx":"[^"]*"' $TMP/nofx.jsonl | sort > $TMP/nofx.trig &&
    ! cmp -s $TMP/eur.trig $TMP/nofx.trig &&
    # without --fx, a row fires when its number is >= 5000 in any currency
    [ "$(awk -F, 'NR > 1 && $5 >= 5000' "$TMP/fx/transactions.csv" | wc -l)" -gt \
      "$(awk -F, 'NR > 1 && $5 >= 5000' "$TMP/eur/transactions.csv" | wc -l)" ]
}
check "with --fx the alerts are those of the euro bank; without, yen and dollars count as numbers" t2

# One converted row by hand: a foreign row of a weekday, local time after
# 02:00 (so its UTC date is its local date), whose alert shows both amounts.
t3() {
    grep '(' $TMP/fx.jsonl | sed 's/.*"trigger_tx":"\([^"]*\)".*"explanation":"\([^"]*\)".*/\1 \2/' \
        > $TMP/conv && [ -s $TMP/conv ] &&
    found=0 &&
    while read -r id orig cur eur _; do
        row=$(grep "^$id," "$TMP/fx/transactions.csv")
        day=$(echo "$row" | cut -c13-22)
        hour=$(echo "$row" | cut -c24-25)
        line=$(grep "^$day," "$TMP/fx/rates.csv") || continue
        [ "$hour" -ge 2 ] || continue
        col=$(head -1 "$TMP/fx/rates.csv" | tr ',' '\n' | grep -nx "$cur" | cut -d: -f1)
        rate=$(echo "$line" | cut -d, -f"$col")
        want=$(echo "$row" | awk -F, -v r="$rate" '{ printf "%.2f", $5 / r }')
        got=$(echo "$eur" | tr -d '(,')
        euro=$(grep "^$id," "$TMP/eur/transactions.csv" | cut -d, -f5)
        echo "$id: $orig $cur at $rate = $want EUR (shown $got; the euro bank had $euro)"
        [ "$want" = "$got" ] || return 1
        awk -v a="$got" -v b="$euro" 'BEGIN { d = a - b; exit !(d <= 0.011 && d >= -0.011) }' || return 1
        found=1
        break
    done < $TMP/conv &&
    [ "$found" = 1 ]
}
check "a converted amount is the original over the day's rate, and within a cent of the euro row" t3

t4() {
    expect_exit 1 tools/mtgen/mtgen -q --currencies USD,XXX --out $TMP/bad &&
    contains $TMP/err "unknown currency 'XXX' in --currencies" &&
    expect_exit 1 tools/mtgen/mtgen -q --currencies USD --currency-share 1.5 --out $TMP/bad &&
    contains $TMP/err "bad --currency-share '1.5'"
}
check "an unknown currency or a share above 1 is refused" t4
t5() {
    mkdir $TMP/r2 && sed 's/5000/10000/' $TMP/rules/big.rule > $TMP/r2/big.rule &&
    $MT scan -q --rules $TMP/r2 --fx "$TMP/fx/rates.csv" -o $TMP/fx2.jsonl "$TMP/fx/transactions.csv" &&
    old=$(wc -l < $TMP/fx.jsonl) && new=$(wc -l < $TMP/fx2.jsonl) &&
    $MT rules diff $TMP/rules $TMP/r2 "$TMP/fx/transactions.csv" --fx "$TMP/fx/rates.csv" \
        > $TMP/diff 2> $TMP/diff.err &&
    ! grep -q warning $TMP/diff.err &&
    grep '^T-FXG-01 ' $TMP/diff | tr -s ' ' > $TMP/line && cat $TMP/line &&
    [ "$(cut -d' ' -f5,6 $TMP/line)" = "$old $new" ]
}
check "rules diff --fx: the alert counts of the two scans with --fx" t5
finish
