#!/bin/sh
# mtgen's ordinary population is plausible: row formats follow the canonical
# layout, channel shares, card amounts, night activity and round amounts lie
# within stated bounds, the KYC table is complete, and the benign
# look-alikes exist while mostly staying below the indicator thresholds.
# The bounds are wide on purpose: they catch a broken generator, not a
# tuning change. Measured values for this seed are printed as comments.
set -u
MTGEN=${MTGEN:-tools/mtgen/mtgen}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; fails=$((fails + 1)); }
D=$T/out
$MTGEN --seed 3 --accounts 20000 --days 60 --out "$D" -q || { notok "mtgen runs" "exit $?"; exit 1; }

hdr='tx_id,ts,from_account,to_account,amount,currency,channel,mcc,counterparty_country,location,memo'
if [ "$(head -1 "$D/transactions.csv")" = "$hdr" ]; then ok "canonical header"; else notok "canonical header" "$(head -1 "$D/transactions.csv")"; fi

# Row format: one message per broken rule, at most one line each.
awk -F, 'NR == 1 { next }
function bad(why) { if (!(why in seen)) { seen[why] = 1; print "line " NR ": " why ": " $0 } }
{
    if ($1 !~ /^T[0-9]+$/) bad("tx_id")
    if ($2 !~ /^[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]\+01:00$/) bad("ts")
    if ($5 !~ /^[0-9]+\.[0-9][0-9]$/ || $5 + 0 <= 0) bad("amount")
    if ($6 != "EUR") bad("currency")
    if ($7 !~ /^(cash_deposit|cash_withdrawal|atm_deposit|atm_withdrawal|wire_domestic|wire_international|transfer|ach_payroll|card|remittance|prepaid_load|crypto|cheque|other)$/) bad("channel")
    if ($7 == "card" && $8 !~ /^[0-9][0-9][0-9][0-9]$/) bad("card without mcc")
    if ($7 != "card" && $8 != "") bad("mcc outside card")
    if ($7 ~ /deposit$/ && ($3 != "" || $4 == "")) bad("deposit accounts")
    if ($7 ~ /withdrawal$/ && ($4 != "" || $3 == "")) bad("withdrawal accounts")
    if ($7 ~ /^(remittance|wire_international)$/ && ($9 !~ /^[A-Z][A-Z]$/ || ($3 !~ /^X-/ && $4 !~ /^X-/))) bad("foreign leg")
    if ($3 != "" && $3 !~ /^(A[0-9]+|M[0-9]+|X-[A-Z][A-Z]-[0-9]+)$/) bad("from_account")
    if ($4 != "" && $4 !~ /^(A[0-9]+|M[0-9]+|X-[A-Z][A-Z]-[0-9]+)$/) bad("to_account")
    if ($10 == "") bad("location")
}' "$D/transactions.csv" > "$T/format.out"
if [ ! -s "$T/format.out" ]; then ok "every row follows the canonical format"; else notok "row format" "$(head -3 "$T/format.out" | tr '\n' ';')"; fi

# KYC completeness and the business kinds issue 3 asks for.
awk -F, 'NR == 1 { next }
{
    n++
    if ($3 == "person") { if ($5 !~ /^[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]$/ || $13 !~ /\.[0-9][0-9]$/) { print "person KYC: " $0; exit 1 } occ[$12] = 1 }
    else if ($3 == "business") {
        if ($14 !~ /^[0-9][0-9][0-9][0-9]$/ || $15 !~ /^[0-2][0-9]:[0-5][0-9]-[0-2][0-9]:[0-5][0-9]$/ || $16 < 1) { print "business KYC: " $0; exit 1 }
        kind[$12] = 1
    } else { print "kind: " $0; exit 1 }
    if ($9 == "" || $10 == "" || $11 !~ /@/ || $17 == "") { print "address/phone/email/opened: " $0; exit 1 }
}
END {
    split("restaurant,hair salon,nail salon,massage parlour,construction firm,cleaning firm,hotel,grocery shop,employment agency", want, ",")
    for (k in want) if (!(want[k] in kind)) { print "no " want[k]; exit 1 }
    split("student,retired,pupil,sales representative,cook,cleaner,construction worker", want, ",")
    for (k in want) if (!(want[k] in occ)) { print "no occupation " want[k]; exit 1 }
}' "$D/accounts.csv" > "$T/kyc.out"
if [ ! -s "$T/kyc.out" ]; then ok "KYC complete; all business kinds and personas present"; else notok "KYC" "$(head -2 "$T/kyc.out")"; fi

# Distributions. Each line: name value lo hi.
awk -F, '
function day_of(ts,   y, m, d, era, yoe, doy) {
    y = substr(ts, 1, 4) + 0; m = substr(ts, 6, 2) + 0; d = substr(ts, 9, 2) + 0
    if (m <= 2) y--
    era = int(y / 400); yoe = y - era * 400
    doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
    return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
}
FILENAME == ARGV[1] { if (FNR > 1) { kind[$1] = $3; occ[$1] = $12; nacc++; if ($3 == "person") np++; if ($12 == "sales representative") ntrav++ } next }
FILENAME == ARGV[2] { if (FNR > 1) lab[$3] = 1; next }
FNR == 1 { next }
{
    n++; ch[$7]++; a = $5 + 0
    h = substr($2, 12, 2) + 0; if (h >= 22 || h < 5) night++
    if ($7 == "card") { nc++; hist[int(a)]++; if (a > cmax) cmax = a; if ($5 ~ /\.00$/) cround++ }
    if ($7 == "transfer") { ntr++; if ($5 ~ /\.00$/) tround++ }
    days[substr($2, 1, 10)] = 1
    if ($7 == "transfer" && occ[$4] == "student" && a < 100) {
        b = $4 SUBSEP substr($2, 1, 7); sc[b]++
        if (!((b, $3) in sp)) { sp[b, $3] = 1; spn[b]++ }
    }
    if (($7 ~ /deposit$/) && !($4 in lab)) {
        if (a >= 8000 && a < 10000) big[$4]++
        if (kind[$4] == "business") { bd[$4 SUBSEP substr($2, 1, 7)]++; if (a > bmax) bmax = a }
    }
    if ($8 == "7011" && !($3 in lab)) {
        t = day_of($2)
        k = ++nh[$3]; ht[$3, k] = t; hl[$3, k] = $10
        if (k >= 2 && t - ht[$3, k - 1] < 7) h2[$3] = 1
        if (k >= 4 && t - ht[$3, k - 3] < 7 && (hl[$3, k] != hl[$3, k - 3] || hl[$3, k] != hl[$3, k - 1])) h4[$3] = 1
    }
}
END {
    nd = 0; for (d in days) nd++
    acc = 0; med = -1; p99 = -1
    for (b = 0; b <= 1000000 && (med < 0 || p99 < 0); b++) { acc += hist[b]; if (med < 0 && acc >= nc / 2) med = b; if (p99 < 0 && acc >= nc * 0.99) p99 = b }
    s8 = 0; s20 = 0; ns = 0
    for (b in sc) { ns++; if (sc[b] >= 8 && spn[b] >= 5) s8++; if (sc[b] >= 20 && spn[b] >= 10) s20++ }
    nb = 0; for (x in big) if (big[x] >= 3) nb++
    d15 = 0; for (x in bd) if (bd[x] >= 15) d15++
    n2 = 0; for (x in h2) n2++
    n4 = 0; for (x in h4) n4++
    print "rows_per_account_day", n / nacc / nd, 0.4, 0.8
    print "persons_share", np / nacc, 0.88, 0.95
    print "share_card", ch["card"] / n, 0.45, 0.65
    print "share_transfer", ch["transfer"] / n, 0.08, 0.20
    print "share_wire_domestic", ch["wire_domestic"] / n, 0.06, 0.22
    print "share_atm_withdrawal", ch["atm_withdrawal"] / n, 0.04, 0.10
    print "share_ach_payroll", ch["ach_payroll"] / n, 0.02, 0.07
    print "share_cash_deposit", ch["cash_deposit"] / n, 0.01, 0.06
    print "share_remittance", (ch["remittance"] + ch["wire_international"]) / n, 0.001, 0.01
    print "share_night_22_05", night / n, 0.03, 0.12
    print "card_median_eur", med, 15, 40
    print "card_p99_eur", p99, 100, 600
    print "card_max_over_p99", cmax / p99, 5, 1000
    print "card_round_share", cround / nc, 0, 0.05
    print "transfer_round_share", tround / ntr, 0.4, 0.9
    print "student_months_8_small_p2p_credits_share", s8 / ns, 0.2, 0.8
    print "student_months_sex07_like_share", s20 / ns, 0, 0.05
    print "unlabelled_accounts_3_deposits_8k_10k", nb, 0, 2
    print "business_months_15plus_cash_deposits", d15, 100, 1000000
    print "max_business_cash_deposit_eur", bmax, 500, 7999.99
    print "unlabelled_accounts_2_hotel_nights_in_7_days", n2, 50, 1000000
    print "unlabelled_accounts_4_hotels_7_days_2_cities_share_of_travellers", n4 / ntrav, 0, 0.25
}' "$D/accounts.csv" "$D/instances.csv" "$D/transactions.csv" > "$T/dist.out"
while read -r name value lo hi; do
    if awk -v v="$value" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(v >= lo && v <= hi) }'; then
        ok "$name = $value within [$lo, $hi]"
    else
        notok "$name" "$value outside [$lo, $hi]"
    fi
done < "$T/dist.out"
[ "$fails" -eq 0 ]
