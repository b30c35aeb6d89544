#!/bin/sh
# Property test: real exports with random damage. Each damaged file (cut
# bytes, a cut-off end, stray quotes, swapped and duplicated lines, far
# dates, huge amounts, alone and mixed, plain and gzip) must make `scan`
# (and `load` for some) either fail with a message (exit 1-4, never a crash
# or "lines were lost") or account for every data line: its summary's data lines
# equal the file's lines after the header, counted here, and equal rows
# read + rejected + blank + exact copies dropped; and the rejects file
# holds a record for each row rejected. The seed is printed;
# MT_DAMAGE_SEED=N repeats a run. docs/never-lost.md, "Random damage",
# describes it.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
SEED=${MT_DAMAGE_SEED:-20261207}
DMG=tools/damage
D=tests/e2e/data
echo "# damage seed $SEED (MT_DAMAGE_SEED=$SEED repeats this run)"
[ -x $DMG ] || { echo "not ok - $DMG is not built (make all)"; exit 1; }

mkdir "$TMP/r" "$TMP/src"
cat > "$TMP/r/t.rule" <<'EOF'
rule T-DMG-01 "Three credits in a day"
  for each receiver
  within   1d
  alert if count >= 3 and sum(amount) >= 100
  explain  "{count} credits of {sum(amount)}"
EOF

# The sources: the test exports, and mtgen's in three layouts, with its
# canonical export rewritten in the de-bank layout (semicolons, decimal
# comma, local date and time; channels by the profile's names).
cp $D/canonical.csv $D/de-bank.csv $D/amlsim.csv $D/amlworld.csv "$TMP/src/"
tools/mtgen/mtgen -q --seed 7 --accounts 500 --days 7 --count all=1 \
    --layout canonical,amlworld,amlsim --out "$TMP/gen" || exit 1
cp "$TMP/gen/transactions.csv" "$TMP/src/gen-canonical.csv"
cp "$TMP/gen/amlworld_trans.csv" "$TMP/src/gen-amlworld.csv"
cp "$TMP/gen/amlsim_transactions.csv" "$TMP/src/gen-amlsim.csv"
awk 'function group(s,   r) {
        for (r = ""; length(s) > 3; s = substr(s, 1, length(s) - 3))
            r = "." substr(s, length(s) - 2) r
        return s r
    }
    BEGIN {
        split("cash_deposit Bareinzahlung cash_withdrawal Barauszahlung atm_deposit " \
              "Einzahlung_Automat atm_withdrawal Geldautomat wire_domestic \334berweisung " \
              "wire_international Auslands\374berweisung transfer Umbuchung ach_payroll Gehalt " \
              "card Kartenzahlung remittance Geldtransfer prepaid_load Prepaid-Aufladung " \
              "crypto Krypto cheque Scheck", m, " ")
        for (i = 1; i < 26; i += 2) { de[m[i]] = m[i + 1]; gsub("_", " ", de[m[i]]) }
    }
    NR == 1 { print "Buchungs-ID;Buchungsdatum;Uhrzeit;Auftraggeberkonto;Empf\344ngerkonto;Betrag;W\344hrung;Buchungsart;MCC;Land;Ort;Verwendungszweck"; next }
    {
        memo = $0; for (i = 1; i <= 10; i++) sub(/^[^,]*,/, "", memo)
        split($0, f, ","); gsub(/"/, "", memo)
        whole = substr(f[5], 1, index(f[5], ".") - 1); cents = substr(f[5], index(f[5], ".") + 1)
        whole = group(whole)
        printf "%s;%s.%s.%s;%s;%s;%s;%s,%s;%s;%s;%s;%s;%s;\"%s\"\n", f[1], substr(f[2], 9, 2),
            substr(f[2], 6, 2), substr(f[2], 1, 4), substr(f[2], 12, 8), f[3], f[4], whole, cents,
            f[6], de[f[7]], f[8], f[9], f[10], memo
    }' "$TMP/gen/transactions.csv" | iconv -f latin1 -t utf-8 > "$TMP/src/gen-de-bank.csv"

# data_lines FILE: its lines after the header, a last line without newline
# counted, counted here independently of moneytrail
data_lines() {
    case $1 in *.gz) zcat "$1" ;; *) cat "$1" ;; esac | awk 'END { print (NR > 0 ? NR - 1 : 0) }'
}

# verify scan|load FILE: fails with a message, or accounts for every data
# line (the damage done is shown when it does neither)
verify() {
    cat "$TMP/dmg.txt"
    if [ "$1" = scan ]; then
        $MT scan -r "$TMP/r" --max-errors 1000000 --rejects "$TMP/rej.csv" -o "$TMP/a.jsonl" "$2" 2> "$TMP/err"
    else
        $MT load --db '' --max-errors 1000000 "$2" 2> "$TMP/err"
    fi
    rc=$?
    if [ $rc -ne 0 ]; then
        echo "exit $rc:"
        cat "$TMP/err"
        [ $rc -le 4 ] && grep -q "^moneytrail: $1: " "$TMP/err" && ! grep -q 'lines were lost' "$TMP/err" &&
            echo failed >> "$TMP/outcomes"
        return
    fi
    want=$(data_lines "$2")
    line=$(grep "^$1: .* data lines = " "$TMP/err")
    echo "$line (the file has $want data lines)"
    echo "$line" | tr -d , | awk -v want="$want" '
        { sum = $6 + $11 + $14 + ($16 == "+" ? $17 : 0) }
        END { exit !(NR == 1 && $2 == want && sum == want) }' || return 1
    echo "$line" >> "$TMP/outcomes"
    [ "$1" = scan ] || return 0
    # the rejects file holds a record for each row rejected (a record ends
    # where the quotes seen so far are balanced)
    rejected=$(sed -n "s/^scan: [0-9,]* rows read, \([0-9,]*\) rejected.*/\1/p" "$TMP/err" | tr -d ,)
    records=$(awk '{ q += gsub(/"/, "\"") } q % 2 == 0 { n++ } END { print n - 1 }' "$TMP/rej.csv")
    echo "$rejected rows rejected, $records records in the rejects file"
    [ "$rejected" = "$records" ]
}

# damage SOURCE KINDS: a damaged copy of SOURCE in $TMP/d.csv (and .gz),
# the next seed, what was done in $TMP/dmg.txt
n=0
damage() {
    n=$((n + 1))
    { echo "$DMG $((SEED + n)) $2 $1:"; $DMG $((SEED + n)) "$2" "$TMP/src/$1" "$TMP/d.csv"; } \
        > "$TMP/dmg.txt" || exit 1
    gzip -c "$TMP/d.csv" > "$TMP/d.csv.gz"
}

KINDS="cut trunc quote swap dup fardate huge"
for src in $(ls "$TMP/src"); do
    for k in $KINDS; do
        damage "$src" $k
        check "$src, $k: scan fails with a message or accounts for every line" verify scan "$TMP/d.csv"
    done
    for mix in quote,dup,huge cut,swap,fardate quote,quote,cut,dup,trunc huge,fardate,swap,quote,cut; do
        damage "$src" $mix
        check "$src, $mix: scan fails with a message or accounts for every line" verify scan "$TMP/d.csv"
        check "$src, $mix, gzip: scan fails with a message or accounts for every line" \
            verify scan "$TMP/d.csv.gz"
    done
done

$MT db init --db '' > /dev/null || exit 1
# one database for all: a later file's rows are partly stored already, and
# a stored id arriving with other content is rejected
for k in $KINDS; do
    damage gen-canonical.csv $k
    check "gen-canonical.csv, $k, load into PostgreSQL: fails with a message or accounts for every line" \
        verify load "$TMP/d.csv"
done
for src in gen-canonical.csv gen-de-bank.csv gen-amlworld.csv gen-amlsim.csv; do
    damage "$src" quote,dup,cut,huge,fardate
    check "$src, quote,dup,cut,huge,fardate, load into PostgreSQL: fails with a message or accounts for every line" \
        verify load "$TMP/d.csv"
done

total=$(wc -l < "$TMP/outcomes")
read_through=$(grep -c 'data lines' "$TMP/outcomes")
echo "# $total damaged files: $read_through read to their end and accounted for, $((total - read_through)) failed with a message"
check "most damaged files are read to the end, with rejects and dropped copies among them" sh -c "
    [ $read_through -ge $((total * 3 / 4)) ] &&
    grep 'data lines' $TMP/outcomes | tr -d , | awk '\$11 > 0 { r++ } \$17 > 0 { d++ } END { exit !(r > 20 && d > 5) }'"
finish
