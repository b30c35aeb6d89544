#!/bin/sh
# tools/demo.sh: moneytrail on synthetic data, for a first-time user (`make demo`).
#
# Generates about one million transactions of a synthetic bank with planted
# trafficking patterns (tools/mtgen/mtgen, fixed seed, textbook intensity, default
# counts; a tenth of the rows in US dollars, pounds and Swiss francs, with the
# reference rates beside them), runs the shipped rules over them with
# `moneytrail backtest`, amounts converted to euros with those rates, and
# prints per typology how many planted instances the rules found, then the
# five highest-scored accounts with the alerts that make their score.
# Everything it writes stays in demo-out/ (git-ignored).
set -eu
cd "$(dirname "$0")/.."
OUT=demo-out
SEED=20240601
MT=./moneytrail
MTGEN=tools/mtgen/mtgen

for f in $MT $MTGEN; do
    [ -x "$f" ] || { echo "demo: $f is not built; run 'make demo'" >&2; exit 2; }
done
rm -rf "$OUT"
mkdir -p "$OUT"

cat <<EOF
moneytrail demo
===============
1. A synthetic bank: tools/mtgen/mtgen --seed $SEED --intensity textbook (default
   counts: 20,000 accounts, 90 days, 5 planted instances of each scenario),
   a tenth of the rows in USD, GBP and CHF, with the euro reference rates
   of those days in rates.csv (docs/currencies.md).
   The planted patterns are textbook cases, as the indicator definitions in
   docs/indicators.md describe them; real laundering is rarely this clean,
   and the 'subtle' intensity (not shown here) is harder to find.
EOF
t0=$(date +%s)
$MTGEN --seed "$SEED" --intensity textbook --currencies USD,GBP,CHF --currency-share 0.1 \
    --gzip --out "$OUT/data" -q
rows=$(sed -n 's/^rows=//p' "$OUT/data/gen.meta")
inst=$(sed -n 's/^instances=//p' "$OUT/data/gen.meta")
echo "   -> $OUT/data: $rows transactions, $inst planted instances ($(($(date +%s) - t0)) s)"

cat <<EOF

2. The shipped rules (rules/) run over every transaction, with the bank's
   accounts (KYC) table beside them, and each alert is compared with the
   ground truth (instances.csv): moneytrail backtest, with --fx rates.csv so
   that every amount is compared and summed in euros.
EOF
t0=$(date +%s)
$MT backtest --rules rules --fx "$OUT/data/rates.csv" --accounts "$OUT/data/accounts.csv" \
    --labels "$OUT/data/instances.csv" --top 5 "$OUT/data/transactions.csv.gz" > "$OUT/backtest.txt"
echo "   -> full report in $OUT/backtest.txt ($(($(date +%s) - t0)) s)"
sed -n '1,5p' "$OUT/backtest.txt" | sed 's/^/   /'

cat <<EOF

3. Per typology. 'found' counts instances where any rule flagged any of the
   instance's accounts. 'evidence' is stricter: an alert on one of the
   instance's accounts lists at least two of its transactions, so the alert
   points at the scheme itself. 'best rule' found most of them that way.
   Precision, lift and F1 per rule are in the full report.

EOF
sed -n '/^typology  *instances/,/^$/p' "$OUT/backtest.txt" | sed '/^$/d'

cat <<EOF

   The TY- typologies are whole cases (several red flags on shared accounts);
   their alerts combine indicator alerts per customer (docs/indicators.md,
   Scoring). Per account of the instances, for the rule of the typology's id:
   the subjects (the persons who run or carry the case: every role but victim
   and beneficiary) it flagged, and the possible victims it flagged ('as
   suspect': victims it wrongly tagged possible controller).

EOF
sed -n '/^typology  *subjects/,/^$/p' "$OUT/backtest.txt" | sed '/^$/d'

cat <<EOF

4. The five accounts an analyst would look at first: score = the sum of the
   scores of the account's alerts (weak 1, medium 2, strong 3). 'labelled'
   says which planted instance the account belongs to and in which role;
   'not labelled' is an ordinary account the rules flagged (a false positive):
   if the top of this list is ordinary businesses, the precision column above
   says which rule put them there.
EOF
sed -n '/^top /,$p' "$OUT/backtest.txt" | sed 1d

cat <<EOF

What the numbers mean: docs/backtest.md. Try it on your own data:
  $MT backtest --rules rules [--accounts KYC.csv] --labels LABELS DATA...
EOF
