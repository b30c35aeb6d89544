#!/bin/sh
# The investigator commands with reference rates (docs/currencies.md):
# account, alert, report and the goAML and FtM exports show converted
# amounts with their originals, from files with --fx and from PostgreSQL
# with the fx_rates table; a row with no rate stays in its own currency.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh

# a1: 5400 USD on Saturday at Friday's 1.08 = 5000.00 EUR; a2: 5449.99 /
# 1.09 = 4999.9908 -> 4999.99; a3 is in euros; a4: 810000 JPY / 162 =
# 5000.00; a5 has no GBP rate. Cash in: 10,999.99 EUR (10,849.99 USD and
# 1,000.00 EUR without rates).
cat > "$TMP/rates.csv" <<'RATES'
Date,USD,JPY,
2024-03-04,1.0900,162.00,
2024-03-01,1.0800,160.00,
RATES
cat > "$TMP/tx.csv" <<'TX'
tx_id,ts,from_account,to_account,amount,currency,channel
a1,2024-03-02T10:00:00Z,,A,5400.00,USD,cash_deposit
a2,2024-03-04T10:00:00Z,,A,5449.99,USD,cash_deposit
a3,2024-03-04T11:00:00Z,,A,1000.00,EUR,cash_deposit
a4,2024-03-04T12:00:00Z,A,B,810000,JPY,transfer
a5,2024-03-04T13:00:00Z,A,C,10.00,GBP,transfer
TX
mkdir "$TMP/rules"
cat > "$TMP/rules/c.rule" <<'RULE'
rule T-FXI-01 "Cash deposits past a euro threshold"
  source   "test"
  for each receiver
  where    channel == cash_deposit
  within   10d
  alert if sum(amount) >= 10000 EUR
  explain  "{sum(amount)} in {count} deposits"
RULE
$MT scan -q --rules "$TMP/rules" --fx "$TMP/rates.csv" --rejects "$TMP/rej.csv" -o "$TMP/a.jsonl" \
    "$TMP/tx.csv" || exit 1
ID=$(grep -o '"alert_id":"[^"]*"' "$TMP/a.jsonl" | cut -d'"' -f4)
F="--alerts $TMP/a.jsonl --data $TMP/tx.csv --fx $TMP/rates.csv"

# the table line of a key: "cash_deposit EUR 3 10,999.99 0 0.00"
row() { grep "^  $2 " "$1" | tr -s ' ' | sed 's/^ //'; }

t1() {
    $MT account A $F > $TMP/acc &&
    contains $TMP/acc 'amounts in EUR: 3 of 5 transactions converted from JPY, USD; 1 with no rate for its date shown in its own currency (GBP)' &&
    [ "$(row $TMP/acc 'cash_deposit EUR')" = 'cash_deposit EUR 3 10,999.99 0 0.00' ] &&
    [ "$(row $TMP/acc 'transfer EUR')" = 'transfer EUR 0 0.00 1 5,000.00' ] &&
    [ "$(row $TMP/acc 'transfer GBP')" = 'transfer GBP 0 0.00 1 10.00' ] &&
    $MT account A --alerts $TMP/a.jsonl --data $TMP/tx.csv > $TMP/acc0 &&
    ! grep -q 'amounts in' $TMP/acc0 &&
    [ "$(row $TMP/acc0 'cash_deposit USD')" = 'cash_deposit USD 2 10,849.99 0 0.00' ]
}
check "account: money in 10,999.99 EUR converted (10,849.99 USD as stored without --fx)" t1

t2() {
    $MT alert $ID $F > $TMP/al &&
    grep '^a1 ' $TMP/al | grep -q '5,000.00 EUR cash_deposit *5,400.00 USD$' &&
    grep '^a2 ' $TMP/al | grep -q '4,999.99 EUR cash_deposit *5,449.99 USD$' &&
    grep '^a3 ' $TMP/al | grep -q '1,000.00 EUR cash_deposit$' &&
    grep -q 'ORIGINAL$' $TMP/al
}
check "alert: the evidence table shows the converted amount and the original" t2

t3() {
    $MT report A $F -o $TMP/r.html 2> /dev/null &&
    contains $TMP/r.html '5,400.00 USD (5,000.00 EUR)' &&
    contains $TMP/r.html '1,000.00 EUR</td>' &&
    contains $TMP/r.html 'amounts in EUR: 3 of 5 transactions converted'
}
check "report: both amounts in the evidence, the note over the money tables" t3

# trace: a4's 810000 JPY is 5,000.00 EUR, a5's 10.00 GBP has no rate:
# 5,000 / 5,010 = 99.80% to B, and the note says the paths still mix
t3b() {
    $MT trace A --within 7d --data $TMP/tx.csv --fx $TMP/rates.csv > $TMP/tr &&
    contains $TMP/tr 'traced: 5,010.00 EUR in 2 transactions' &&
    contains $TMP/tr 'note: the paths mix currencies' &&
    [ "$(grep "^B " $TMP/tr | tr -s " ")" = "B 1 5,000.00 99.80% 5,000.00" ] &&
    $MT trace A --within 7d --data $TMP/tx.csv > $TMP/tr0 &&
    contains $TMP/tr0 'traced: 811,000 JPY in 2 transactions'
}
check "trace: shares of the converted amounts; a row with no rate still mixes, and says so" t3b

t4() {
    $MT export goaml $ID $F -c schema/goaml.conf.example --date 2024-06-01T10:00:00 \
        -o $TMP/str.xml 2> /dev/null &&
    xmllint --noout $TMP/str.xml &&
    x() { xmllint --xpath "string($1)" $TMP/str.xml; } &&
    [ "$(x /report/currency_code_local)" = EUR ] &&
    [ "$(x "/report/transaction[transactionnumber='a1']/amount_local")" = 5000.00 ] &&
    F1="/report/transaction[transactionnumber='a1']/t_from/from_foreign_currency" &&
    [ "$(x "$F1/foreign_currency_code")" = USD ] &&
    [ "$(x "$F1/foreign_amount")" = 5400.00 ] &&
    [ "$(x "$F1/foreign_exchange_rate")" = 0.925926 ] &&
    [ "$(x "count(/report/transaction[transactionnumber='a3']//from_foreign_currency)")" = 0 ] &&
    expect_exit 2 $MT export goaml $ID $F --currency USD -c schema/goaml.conf.example -o $TMP/s2.xml &&
    contains $TMP/err "currency_code_local is EUR, but the amounts are converted into USD"
}
check "goAML: amount_local converted, the original in from_foreign_currency; a mismatch refused" t4

t5() {
    $MT export ftm A $F -o $TMP/f.json 2> /dev/null &&
    grep '"transactionNumber":\["a4"\]' $TMP/f.json |
        grep -q '"amount":\["810000"\],"currency":\["JPY"\],"amountEur":\["5000.00"\]' &&
    grep '"transactionNumber":\["a3"\]' $TMP/f.json | grep -q '"amount":\["1000.00"\],"currency":\["EUR"\],"date"' &&
    node tests/ftm/validate.js $TMP/f.json > $TMP/ftm.out && contains $TMP/ftm.out 'entities valid'
}
check "FtM: Payment amount and currency as made, amountEur converted; valid entities" t5

t6() {
    expect_exit 2 $MT account A --alerts $TMP/a.jsonl --data $TMP/tx.csv --currency USD &&
    contains $TMP/err '--currency needs --fx FILE' &&
    expect_exit 2 $MT account A $F --fx-max-age -1 &&
    contains $TMP/err '--fx-max-age must be 0 or more days'
}
check "--currency without rates, or a negative --fx-max-age, is a usage error" t6

t7() {
    $MT db init --db '' > /dev/null &&
    $MT load -q --db '' --fx $TMP/rates.csv $TMP/tx.csv 2> /dev/null &&
    [ "$($PSQL -c "SELECT amount || ' ' || currency FROM transactions WHERE tx_id = 'a1'")" = '5400.00 USD' ] &&
    $MT scan -q --rules "$TMP/rules" --db '' --rejects $TMP/dbrej.csv &&
    $MT account A --db '' > $TMP/dbacc &&
    contains $TMP/dbacc 'amounts in EUR: 3 of 5 transactions converted from JPY, USD' &&
    [ "$(row $TMP/dbacc 'cash_deposit EUR')" = 'cash_deposit EUR 3 10,999.99 0 0.00' ] &&
    DBID=$(sed -n "/^alerts (1)/{n;p}" $TMP/dbacc | awk "{print \$1}") &&
    $MT alert "$DBID" --db '' > $TMP/dbal &&
    grep '^a1 ' $TMP/dbal | grep -q '5,000.00 EUR cash_deposit *5,400.00 USD$'
}
check "--db: the table keeps the original, fx_rates converts it as the files do" t7
finish
