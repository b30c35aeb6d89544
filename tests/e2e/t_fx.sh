#!/bin/sh
# Amounts in several currencies converted with reference rates
# (docs/currencies.md): a small ECB-style rate file with a weekend, a
# structuring rule with a euro threshold over dollar deposits, rounding half
# to even, stale and missing rates rejected with the reason, the long
# layout, and the same alerts from PostgreSQL after `load --fx`.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh

# Fri 1 March, then Mon 4 and Tue 5: the weekend uses Friday's rates.
cat > "$TMP/rates.csv" <<'EOF'
Date,USD,JPY,KWD,
2024-03-05,1.2500,163.00,0.3400,
2024-03-04,1.0900,162.00,N/A,
2024-03-01,1.0800,160.00,0.3300,
EOF
# A: 5400 USD / 1.08 = 5000.00 EUR (Saturday, Friday's rate); 5449.99 / 1.09
# = 4999.9908 -> 4999.99 (9999.99 in all: no alert, though 10849.99 as
# numbers); 1.25 / 1.25 = 1.00 -> 10000.99: the alert.
# C: 4 JPY / 160 = 2.5 cents -> 0.02 (half to even), 12 JPY -> 7.5 -> 0.08,
# 0.340 KWD on Monday (N/A: Friday's 0.33) -> 1.030303 -> 1.03.
cat > "$TMP/tx.csv" <<'EOF'
tx_id,ts,from_account,to_account,amount,currency,channel
a1,2024-03-02T10:00:00Z,,A,5400.00,USD,cash_deposit
c1,2024-03-02T11:00:00Z,X,C,4,JPY,transfer
c2,2024-03-02T12:00:00Z,X,C,12,JPY,transfer
a2,2024-03-04T10:00:00Z,,A,5449.99,USD,cash_deposit
c3,2024-03-04T11:00:00Z,X,C,0.340,KWD,transfer
g1,2024-03-04T12:00:00Z,X,C,10.00,GBP,transfer
a3,2024-03-05T10:00:00Z,,A,1.25,USD,cash_deposit
s1,2024-03-12T10:00:00Z,,A,100.00,USD,cash_deposit
EOF
mkdir "$TMP/rules"
cat > "$TMP/rules/fx.rule" <<'EOF'
rule T-FX-01 "Cash deposits past a euro threshold"
  source   "test"
  for each receiver
  where    channel == cash_deposit
  within   10d
  param    limit = 10000 EUR
  alert if sum(amount) >= limit
  explain  "{amount} now, {sum(amount)} within {span}"

rule T-FX-02 "Every transfer, to show its amount"
  source   "test"
  for each receiver
  where    channel == transfer
  alert if count >= 1
  explain  "{amount}"
EOF
R="--rules $TMP/rules"

t1() {
    $MT scan -q $R --fx $TMP/rates.csv --rejects $TMP/rej.csv -o $TMP/a.jsonl $TMP/tx.csv &&
    [ "$(grep -c T-FX-01 $TMP/a.jsonl)" = 1 ] &&
    grep T-FX-01 $TMP/a.jsonl > $TMP/a1 &&
    contains $TMP/a1 '"trigger_tx":"a3"' &&
    contains $TMP/a1 '"sum(amount)":"10000.99"' &&
    contains $TMP/a1 '"explanation":"1.25 USD (1.00 EUR) now, 10,000.99 EUR within 3 days'
}
check "converted: the alert fires at a3 exactly, when the euro sum passes 10,000" t1
t2() {
    contains $TMP/a.jsonl '"explanation":"4 JPY (0.02 EUR)"' &&
    contains $TMP/a.jsonl '"explanation":"12 JPY (0.08 EUR)"' &&
    contains $TMP/a.jsonl '"explanation":"0.340 KWD (1.03 EUR)"'
}
check "converted amounts: half to even (0.02, 0.08) and a weekend or N/A day on the last rate" t2
t3() {
    contains $TMP/rej.csv "$TMP/tx.csv,7,6,column 6 (currency): no GBP rate on or before 2024-03-04 in the rates" &&
    contains $TMP/rej.csv "$TMP/tx.csv,9,6,\"column 6 (currency): the last USD rate, of 2024-03-05, is 7 days older than 2024-03-12 (at most 5)\"" &&
    [ "$(wc -l < $TMP/rej.csv)" = 3 ]
}
check "no rate and a stale rate: rejected with the reason, file and line" t3
t4() {
    $MT scan $R --fx $TMP/rates.csv --fx-max-age 7 --rejects $TMP/rej7.csv -o $TMP/a7.jsonl $TMP/tx.csv 2> $TMP/s7 &&
    [ "$(wc -l < $TMP/rej7.csv)" = 2 ] &&
    contains $TMP/s7 "scan: amounts converted into EUR with 8 rates from $TMP/rates.csv (base EUR, at most 7 days old)"
}
check "--fx-max-age 7 accepts the row 7 days after the last rate; the summary says how it converted" t4
t5() {
    $MT scan -q $R -o $TMP/n.jsonl $TMP/tx.csv 2> $TMP/nerr &&
    grep T-FX-01 $TMP/n.jsonl > $TMP/n1 && contains $TMP/n1 '"trigger_tx":"a2"' &&
    contains $TMP/n1 '"sum(amount)":"10849.99"' &&
    contains $TMP/nerr 'scan: warning: the rows hold amounts in several currencies (USD, JPY, KWD, GBP), and without --fx their sums add them as numbers'
}
check "without --fx: nominal sums as before (10,849.99 at a2), and a warning names the currencies" t5
t6() {
    printf 'date,currency,rate,base\n2024-03-01,USD,1.08,EUR\n2024-03-04,USD,1.09,EUR\n2024-03-05,USD,1.25,EUR\n2024-03-01,JPY,160,EUR\n2024-03-04,JPY,162,EUR\n2024-03-05,JPY,163,EUR\n2024-03-01,KWD,0.33,EUR\n2024-03-05,KWD,0.34,EUR\n' > $TMP/long.csv &&
    $MT scan -q $R --fx $TMP/long.csv -o $TMP/l.jsonl $TMP/tx.csv &&
    cmp $TMP/a.jsonl $TMP/l.jsonl
}
check "the long layout date,currency,rate,base gives the same alerts" t6
t7() {
    sed 's/limit = 10000 EUR/limit = 10000 USD/' $TMP/rules/fx.rule > $TMP/usd.rule &&
    $MT scan -q --rules $TMP/usd.rule --fx $TMP/rates.csv -o $TMP/u.jsonl $TMP/tx.csv &&
    grep T-FX-01 $TMP/u.jsonl > $TMP/u1 && contains $TMP/u1 '"trigger_tx":"a2"'
}
check "a threshold of 10,000 USD is converted at the row's date (9,174.31 EUR on Monday): the alert moves to a2" t7
t8() {
    $MT scan -q $R --fx $TMP/rates.csv --currency USD -o $TMP/d.jsonl $TMP/tx.csv &&
    contains $TMP/d.jsonl '"explanation":"4 JPY (0.03 USD)"'
}
check "--currency USD: amounts reported in dollars" t8
t9() {
    printf 'Date,USD,\n2024-03-01,0,\n' > $TMP/zero.csv &&
    expect_exit 2 $MT scan -q $R --fx $TMP/zero.csv $TMP/tx.csv &&
    contains $TMP/err "$TMP/zero.csv:2: rate '0' is zero"
}
check "a zero rate in the file: exit 2, file and line named" t9
t10() {
    printf 'date,currency,rate,base\n2024-03-01,USD,-1.08,EUR\n' > $TMP/neg.csv &&
    expect_exit 2 $MT scan -q $R --fx $TMP/neg.csv $TMP/tx.csv && contains $TMP/err "neg.csv:2: rate '-1.08' is negative" &&
    printf 'Date,USD,\n2024-02-30,1.08,\n' > $TMP/date.csv &&
    expect_exit 2 $MT scan -q $R --fx $TMP/date.csv $TMP/tx.csv && contains $TMP/err "date.csv:2: '2024-02-30' is not a date"
}
check "a negative rate and a bad date are errors too" t10
t11() {
    printf 'rule T-X "x"\n  source "t"\n  for each receiver\n  where day > 10 EUR\n  alert if count >= 1\n  explain "x"\n' > $TMP/bad.rule &&
    expect_exit 1 $MT rules check $TMP/bad.rule &&
    contains $TMP/err "'10 EUR' is an amount of money, compared with 'day', a number"
}
check "the compiler rejects an amount with a currency compared with a non-money field" t11

# The AMLworld layout names its currencies ("US Dollar", "Yen", "UK Pound"):
# 1250.00 USD / 1.25 = 1000.00, 12500 JPY / 125 = 100.00, 800.00 GBP / 0.8
# = 1000.00 and 100.00 EUR: 2,200.00 EUR (14,650 as numbers).
cat > "$TMP/aml.csv" <<'EOF'
Timestamp,From Bank,Account,To Bank,Account,Amount Received,Receiving Currency,Amount Paid,Payment Currency,Payment Format,Is Laundering
2022/09/01 08:00,0211,8000F4580,011,8000A1BB0,1250.00,US Dollar,1250.00,US Dollar,Cash,1
2022/09/01 09:00,0212,8000F4581,011,8000A1BB0,12500.00,Yen,12500.00,Yen,Cash,1
2022/09/02 10:00,0213,8000F4582,011,8000A1BB0,800.00,UK Pound,800.00,UK Pound,Cash,1
2022/09/03 11:00,0214,8000F4583,011,8000A1BB0,100.00,Euro,100.00,Euro,Cash,0
EOF
printf 'date,currency,rate,base\n2022-09-01,USD,1.25,EUR\n2022-09-01,JPY,125,EUR\n2022-09-01,GBP,0.8,EUR\n' > "$TMP/aml-rates.csv"
cat > "$TMP/sum.rule" <<'EOF'
rule T-FX-03 "Four cash deposits, summed"
  source   "test"
  for each receiver
  where    channel == cash_deposit
  within   7d
  alert if count >= 4
  explain  "{sum(amount)} in {count} deposits"
EOF
t13() {
    $MT scan -q --rules $TMP/sum.rule --fx $TMP/aml-rates.csv -o $TMP/aml.jsonl $TMP/aml.csv &&
    contains $TMP/aml.jsonl '"explanation":"2,200.00 EUR in 4 deposits"' &&
    $MT scan -q --rules $TMP/sum.rule -o $TMP/aml-n.jsonl $TMP/aml.csv 2> /dev/null &&
    contains $TMP/aml-n.jsonl '"sum(amount)":"14650.00"'
}
check "AMLworld rows in four currencies: 2,200.00 EUR converted, 14,650 as numbers without --fx" t13
t14() {
    $MT backtest --rules $TMP/sum.rule --fx $TMP/aml-rates.csv $TMP/aml.csv > $TMP/bt.out 2> $TMP/bt.err &&
    [ "$(grep -c 'warning: the rows hold' $TMP/bt.err)" = 0 ] &&
    $MT backtest --rules $TMP/sum.rule $TMP/aml.csv > $TMP/bt2.out 2> $TMP/bt2.err &&
    contains $TMP/bt2.err 'backtest: warning: the rows hold amounts in several currencies (USD, JPY, GBP, EUR)'
}
check "backtest takes --fx too, and warns without it" t14

t12() {
    $MT db init --db '' > /dev/null &&
    $MT load -q --db '' --fx $TMP/rates.csv $TMP/tx.csv &&
    [ "$($PSQL -c "SELECT rate FROM fx_rates WHERE currency = 'USD' AND day = '2024-03-04'")" = 1.09 ] &&
    [ "$($PSQL -c 'SELECT count(*) FROM fx_rates')" = 8 ] &&
    $MT scan -q $R --db '' --rejects $TMP/dbrej.csv -o $TMP/db.jsonl &&
    cmp $TMP/a.jsonl $TMP/db.jsonl
}
check "load --fx, then scan --db: the same alerts as the scan of the file with --fx" t12
finish
