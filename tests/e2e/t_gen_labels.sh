#!/bin/sh
# mtgen ground truth: every labelled transaction exists, every instance has
# rows and roles, the transactions are in time order with unique ids, and
# every planted instance, textbook and subtle, meets its own definition
# (the defaults of docs/indicators.md), checked here independently with awk.
set -u
MTGEN=${MTGEN:-tools/mtgen/mtgen}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok - $1"; }
notok() { echo "not ok - $1: $2"; fails=$((fails + 1)); }

# Joins instance_tx.csv to the transactions: one line per (instance, row):
# instance_id,typology,<the 11 canonical fields>. Reports unknown tx ids.
join_labels() {
    awk -F, -v OFS=, '
    FILENAME == ARGV[1] { if (FNR > 1) typ[$2] = $1; next }
    FILENAME == ARGV[2] {
        if (FNR == 1) next
        if (!($1 in typ)) { print "unknown instance " $1 > "/dev/stderr"; bad = 1 }
        tx[$2] = tx[$2] " " $1; want[$2] = 1; next
    }
    FNR > 1 && ($1 in tx) {
        n = split(tx[$1], ids, " ")
        for (k = 1; k <= n; k++) print ids[k], typ[ids[k]], $0
        delete want[$1]
    }
    END {
        for (t in want) { print "labelled tx " t " is not in transactions.csv" > "/dev/stderr"; bad = 1 }
        exit bad
    }' "$1/instances.csv" "$1/instance_tx.csv" "$1/transactions.csv"
}

cat > "$T/check.awk" <<'EOF'
# Checks each instance against its definition. Inputs: accounts.csv,
# instances.csv, labelled rows (from join_labels, in time order).
BEGIN { FS = "," }
function epoch(ts,   y, m, d, era, yoe, doy, doe) {
    y = substr(ts, 1, 4) + 0; m = substr(ts, 6, 2) + 0; d = substr(ts, 9, 2) + 0
    if (m <= 2) y--
    era = int(y / 400); yoe = y - era * 400
    doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
    doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
    return (era * 146097 + doe - 719468) * 86400 + substr(ts, 12, 2) * 3600 + substr(ts, 15, 2) * 60 + substr(ts, 18, 2)
}
function span_of(need,   i, best) {
    best = 1e18
    for (i = 1; i + need - 1 <= q; i++) if (Q[i + need - 1] - Q[i] < best) best = Q[i + need - 1] - Q[i]
    return best
}
function fail(i, why) { printf "instance %s (%s): %s\n", i, typ[i], why; bad++ }
# Q[1..q] = times of instance i's rows from account a (or to it when dir is
# "to") whose channel matches ch, mcc mc and amount is in [lo, hi].
function pick(i, dir, a, ch, mc, lo, hi,   k) {
    q = 0
    for (k = 1; k <= n[i]; k++)
        if ((dir == "to" ? TO[i, k] : FR[i, k]) == a && CH[i, k] ~ ch && MCC[i, k] ~ mc && A[i, k] >= lo && A[i, k] <= hi)
            Q[++q] = T[i, k]
}
# Accounts of the list that passed at least 70% of what they got in the
# instance on to account c.
function forwarders(i, list, c,   k, nl, l, j, got, gave, good) {
    nl = split(list, l, " "); good = 0
    for (j = 1; j <= nl; j++) {
        got = 0; gave = 0
        for (k = 1; k <= n[i]; k++) { if (TO[i, k] == l[j]) got += A[i, k]; if (FR[i, k] == l[j] && TO[i, k] == c) gave += A[i, k] }
        if (got > 0 && gave >= 0.7 * got) good++
    }
    return good
}
# Accounts of the list that swept at least 70% of a week's inflow to c in
# at least 3 weeks (weeks counted from the instance's first day).
function weekly_sweepers(i, list, c,   k, nl, l, j, bin, bout, b, d0, weeks, good) {
    nl = split(list, l, " "); good = 0; d0 = int(T[i, 1] / DAY)
    for (j = 1; j <= nl; j++) {
        split("", bin); split("", bout); weeks = 0
        for (k = 1; k <= n[i]; k++) {
            b = int((int(T[i, k] / DAY) - d0) / 7)
            if (TO[i, k] == l[j]) bin[b] += A[i, k]
            if (FR[i, k] == l[j] && TO[i, k] == c) bout[b] += A[i, k]
        }
        for (b in bin) if (bout[b] >= 0.7 * bin[b]) weeks++
        if (weeks >= 3) good++
    }
    return good
}
# Distinct foreign payees of account a in the instance.
function payees_abroad(i, a,   k, seen, nd) {
    split("", seen); nd = 0
    for (k = 1; k <= n[i]; k++) if (FR[i, k] == a && TO[i, k] ~ /^X-/ && !(TO[i, k] in seen)) { seen[TO[i, k]] = 1; nd++ }
    return nd
}
function span(i) { return T[i, n[i]] - T[i, 1] }
FILENAME == ARGV[1] { if (FNR > 1) { region[$1] = $7; city[$1] = $8; income[$1] = $13; addr[$1] = $9 "/" $8; phone[$1] = $10; reg_of[$8] = $7 } next }
FILENAME == ARGV[2] {
    if (FNR == 1) next
    typ[$2] = $1
    if ($4 == "controller") ctl[$2] = $3
    else if ($4 == "mule") { mule[$2] = $3; mules[$2] = mules[$2] " " $3 }
    else if ($4 == "sender") { snd[$2] = $3; senders[$2] = senders[$2] " " $3 }
    else if ($4 == "front") front[$2] = $3
    else if ($4 == "beneficiary") ben[$2] = $3
    else if ($4 == "victim") { vic[$2, $3] = 1; vics[$2] = vics[$2] " " $3 }
    if ($4 == "mule") mid[$2, $3] = 1
    next
}
{
    i = $1; k = ++n[i]
    T[i, k] = epoch($4); TS[i, k] = $4; FR[i, k] = $5; TO[i, k] = $6; A[i, k] = $7 + 0
    CH[i, k] = $9; MCC[i, k] = $10; CC[i, k] = $11; LOC[i, k] = $12; MEMO[i, k] = $13
    H[i, k] = substr($4, 12, 2) + 0
}
END {
    DAY = 86400
    for (i in typ) {
        if (!(i in n)) { fail(i, "no labelled rows"); continue }
        t = typ[i]; q = 0; cnt++
        if (t == "HT-ML-01") {
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "cash_deposit" && A[i, k] >= 8000 && A[i, k] < 10000) Q[++q] = T[i, k]
            if (span_of(3) >= 10 * DAY) fail(i, "fewer than 3 deposits in [8000, 10000) within 10 days")
        } else if (t == "HT-ML-02") {
            m = mule[i]; dep = 0; out = 0; nr = 0; fo = 0; split("", seen)
            for (k = 1; k <= n[i]; k++) {
                if (CH[i, k] == "cash_deposit" && TO[i, k] == m) {
                    dep += A[i, k]; if (!dfirst) dfirst = T[i, k]; dlast = T[i, k]
                    r = reg_of[LOC[i, k]]
                    if (r != region[m] && !(r in seen)) { seen[r] = 1; nr++ }
                } else if (FR[i, k] == m) { out += A[i, k]; if (!fo) fo = T[i, k] }
            }
            if (nr < 2) fail(i, "deposits in fewer than 2 other regions")
            if (dlast - dfirst > 7 * DAY) fail(i, "deposits spread over more than 7 days")
            if (out < 0.7 * dep) fail(i, "less than 70% moved out")
            if (fo - dlast < DAY || fo - dlast > 3 * DAY) fail(i, "out not 24-72 h after the last deposit")
            dfirst = 0
        } else if (t == "HT-ML-03") {
            m = mule[i]; in_ = 0; out = 0
            for (k = 1; k <= n[i]; k++) { if (TO[i, k] == m) in_ += A[i, k]; if (FR[i, k] == m) out += A[i, k] }
            if (out < 0.9 * in_) fail(i, "debits/credits below 0.9")
            if (span(i) > 30 * DAY) fail(i, "longer than 30 days")
        } else if (t == "HT-ML-04") {
            split("", seen); nd = 0
            for (k = 1; k <= n[i]; k++) if (TO[i, k] == ctl[i] && !(FR[i, k] in seen)) { seen[FR[i, k]] = 1; nd++ }
            if (nd < 5 || span(i) > 30 * DAY) fail(i, nd " senders in " span(i) / DAY " days")
        } else if (t == "HT-ML-05") {
            split("", seen); nd = 0; s = 0
            for (k = 1; k <= n[i]; k++) if (FR[i, k] == ctl[i] && TO[i, k] ~ /^X-/) { s += A[i, k]; if (!(TO[i, k] in seen)) { seen[TO[i, k]] = 1; nd++ } }
            if ((nd < 5 && s < 10000) || span(i) > 30 * DAY) fail(i, nd " beneficiaries, " s " sent")
        } else if (t == "HT-ML-06") {
            split("", vin); split("", vout); good = 0
            for (k = 1; k <= n[i]; k++) {
                if ((i, TO[i, k]) in vic) vin[TO[i, k]] += A[i, k]
                if ((i, FR[i, k]) in vic && TO[i, k] == ctl[i]) vout[FR[i, k]] += A[i, k]
            }
            for (v in vin) if (vout[v] >= 0.7 * vin[v]) good++
            if (good < 3 || span(i) > 30 * DAY) fail(i, good " sources forwarding >= 70% to the sink")
        } else if (t == "HT-ML-06-SG") {
            # one source, >= 3 intermediaries each passing >= 70% of what it sent on to the sink, later
            split("", got); split("", fwd); split("", tin); good = 0
            for (k = 1; k <= n[i]; k++) {
                if (FR[i, k] == snd[i] && ((i, TO[i, k]) in mid)) { got[TO[i, k]] += A[i, k]; tin[TO[i, k]] = T[i, k] }
                if (((i, FR[i, k]) in mid) && TO[i, k] == ctl[i] && T[i, k] > tin[FR[i, k]]) fwd[FR[i, k]] += A[i, k]
            }
            for (v in got) if (fwd[v] >= 0.7 * got[v]) good++
            if (good < 3 || span(i) > 30 * DAY) fail(i, good " intermediaries forwarding >= 70% to the sink")
        } else if (t == "HT-ML-04-GS") {
            # >= 5 senders into the hub, then >= 5 beneficiaries paid after the first inflow, >= 70% passed on
            split("", seen); split("", dst); ns = 0; nd = 0; in_ = 0; out = 0; first = 0
            for (k = 1; k <= n[i]; k++) {
                if (TO[i, k] == ctl[i]) { in_ += A[i, k]; if (!first) first = T[i, k]; if (!(FR[i, k] in seen)) { seen[FR[i, k]] = 1; ns++ } }
                if (FR[i, k] == ctl[i] && first && T[i, k] > first) { out += A[i, k]; if (!(TO[i, k] in dst)) { dst[TO[i, k]] = 1; nd++ } }
            }
            if (ns < 5 || nd < 5 || out < 0.7 * in_ || span(i) > 30 * DAY) fail(i, ns " senders, " nd " beneficiaries, " out " of " in_ " passed on")
        } else if (t == "HT-ML-07") {
            split("", cf); split("", ct); nm = 0; mn = 1e18; mx = 0
            for (k = 1; k <= n[i]; k++) {
                if (!(FR[i, k] in cf)) nm++
                cf[FR[i, k]]++; ct[TO[i, k]]++
                if (A[i, k] < mn) mn = A[i, k]; if (A[i, k] > mx) mx = A[i, k]
            }
            for (a in cf) if (cf[a] != ct[a]) { fail(i, "not a closed cycle at " a); break }
            if (nm < 2 || nm > 4) fail(i, nm " members")
            if (span(i) > 14 * DAY) fail(i, "does not close within 14 days")
            if (mx > 1.1 * mn) fail(i, "legs differ by more than 10%")
        } else if (t == "HT-ML-09") {
            f = front[i]; s = 0
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "cash_deposit" && TO[i, k] == f && T[i, k] - T[i, 1] < 30 * DAY) s += A[i, k]
            if (s < 2 * income[f]) fail(i, "cash " s " in 30 days below 2 x declared " income[f])
        } else if (t == "HT-ML-10") {
            for (k = 1; k <= n[i]; k++) if (TO[i, k] == front[i] && H[i, k] < 5) Q[++q] = T[i, k]
            if (span_of(10) >= 7 * DAY) fail(i, "fewer than 10 takings between 00:00 and 05:00 in a week")
        } else if (t == "HT-ML-15") {
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "remittance" && A[i, k] >= 2500 && A[i, k] < 3000) Q[++q] = T[i, k]
            if (span_of(3) >= 7 * DAY) fail(i, "fewer than 3 remittances in [2500, 3000) within 7 days")
        } else if (t == "HT-SEX-01") {
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "card" && MCC[i, k] ~ /^(7311|5967|7273|4816)$/) Q[++q] = T[i, k]
            if (span_of(3) >= 14 * DAY) fail(i, "fewer than 3 ADS payments within 14 days")
        } else if (t == "HT-SEX-02") {
            split("", seen); nl = 0
            for (k = 1; k <= n[i]; k++) if (MCC[i, k] == "7011") { Q[++q] = T[i, k]; if (!(LOC[i, k] in seen)) { seen[LOC[i, k]] = 1; nl++ } }
            if (span_of(4) >= 7 * DAY || nl < 2) fail(i, "fewer than 4 hotel charges in 7 days in >= 2 cities")
        } else if (t == "HT-SEX-04") {
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "atm_deposit" && (H[i, k] >= 22 || H[i, k] < 5)) Q[++q] = T[i, k]
            if (span_of(4) >= 14 * DAY) fail(i, "fewer than 4 night ATM deposits within 14 days")
        } else if (t == "HT-SEX-08") {
            split("", bin); split("", bout); v = substr(vics[i], 2); d0 = int(T[i, 1] / DAY); last = 0; good = 0
            for (k = 1; k <= n[i]; k++) {
                b = int((int(T[i, k] / DAY) - d0) / 7)
                if (TO[i, k] == v) { bin[b] += A[i, k]; last = T[i, k] }
                if (FR[i, k] == v && TO[i, k] == ctl[i]) { bout[b] += A[i, k]; if (T[i, k] - last > 2 * DAY) fail(i, "sweep later than 48 h") }
            }
            for (b in bin) if (bout[b] >= 0.7 * bin[b]) good++
            if (good < 3) fail(i, "swept >= 70% in " good " weeks, fewer than 3")
        } else if (t == "HT-LAB-01") {
            split("", seen); split("", per); best = 0
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "ach_payroll" && TO[i, k] == ctl[i]) {
                key = substr(TS[i, k], 1, 10) SUBSEP MEMO[i, k]
                if (!(key in seen)) { seen[key] = 1; d = substr(TS[i, k], 1, 10); if (++per[d] > best) best = per[d] }
            }
            if (best < 3) fail(i, "at most " best " wages naming different employees in one pay run")
        } else if (t == "HT-LAB-02") {
            split("", cyc)
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "ach_payroll" && ((i, TO[i, k]) in vic)) {
                v = TO[i, k]; out = 0
                for (j = k + 1; j <= n[i] && T[i, j] - T[i, k] <= DAY; j++) if (FR[i, j] == v) out += A[i, j]
                if (out >= 0.8 * A[i, k]) cyc[v]++
            }
            nv = split(substr(vics[i], 2), vl, " ")
            for (j = 1; j <= nv; j++) if (cyc[vl[j]] < 2) fail(i, vl[j] " swept >= 80% within 24 h in fewer than 2 pay cycles")
        } else if (t == "HT-LAB-07") {
            split("", seen); nd = 0; a0 = ""
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "ach_payroll" && FR[i, k] == front[i] && !(TO[i, k] in seen)) {
                seen[TO[i, k]] = 1; nd++
                if (a0 == "") a0 = addr[TO[i, k]]; else if (addr[TO[i, k]] != a0) { fail(i, "workers at different addresses"); break }
            }
            if (nd < 5) fail(i, nd " workers paid by the employer, fewer than 5")
        } else if (t == "HT-CHD-02") {
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "remittance" && A[i, k] >= 10 && A[i, k] <= 100 && CC[i, k] ~ /^(PH|TH|CO|US|GH|UA|DO|RO|JM|RU)$/) Q[++q] = T[i, k]
            if (span_of(4) > 30 * DAY) fail(i, "fewer than 4 remittances of 10-100 within 30 days")
        } else if (t == "HT-CHD-03") {
            split("", seen); nd = 0
            for (k = 1; k <= n[i]; k++) if (TO[i, k] == ben[i] && !(FR[i, k] in seen)) { seen[FR[i, k]] = 1; nd++ }
            if (nd < 3 || span(i) > 30 * DAY) fail(i, nd " senders to the beneficiary")
        } else if (t == "TY-SEX") {
            # a controller with adverts, hotels in two cities and night cash; victims swept to it
            c = ctl[i]
            pick(i, "from", c, "card", "^(7311|5967|7273|4816)$", 0, 1e9)
            if (span_of(3) >= 14 * DAY) fail(i, "fewer than 3 ADS payments within 14 days")
            split("", seen); nl = 0
            for (k = 1; k <= n[i]; k++) if (FR[i, k] == c && MCC[i, k] == "7011" && !(LOC[i, k] in seen)) { seen[LOC[i, k]] = 1; nl++ }
            pick(i, "from", c, "card", "^7011$", 0, 1e9)
            if (span_of(4) >= 7 * DAY || nl < 2) fail(i, "fewer than 4 hotel charges in 7 days in >= 2 cities")
            q = 0
            for (k = 1; k <= n[i]; k++) if (TO[i, k] == c && CH[i, k] == "atm_deposit" && (H[i, k] >= 22 || H[i, k] < 5)) Q[++q] = T[i, k]
            if (span_of(4) >= 14 * DAY) fail(i, "fewer than 4 night ATM deposits within 14 days")
            if (weekly_sweepers(i, vics[i], c) < 3) fail(i, "fewer than 3 victims sweeping >= 70% to the controller in 3 weeks")
        } else if (t == "TY-LAB") {
            # wages of several workers into the controller, workers at one address, proceeds abroad
            c = ctl[i]; split("", seen); split("", per); best = 0
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "ach_payroll" && TO[i, k] == c) {
                key = substr(TS[i, k], 1, 10) SUBSEP MEMO[i, k]
                if (!(key in seen)) { seen[key] = 1; d = substr(TS[i, k], 1, 10); if (++per[d] > best) best = per[d] }
            }
            if (best < 3) fail(i, "at most " best " wages naming different employees in one pay run")
            nv = split(substr(vics[i], 2), vl, " "); split("", at); na = 0
            for (j = 1; j <= nv; j++) if (!(addr[vl[j]] in at)) { at[addr[vl[j]]] = 1; na++ }
            if (nv < 5 || na != 1) fail(i, nv " workers at " na " addresses")
            swept = 0
            for (k = 1; k <= n[i]; k++) if (CH[i, k] == "ach_payroll" && ((i, TO[i, k]) in vic)) {
                out = 0
                for (j = k + 1; j <= n[i] && T[i, j] - T[i, k] <= DAY; j++) if (FR[i, j] == TO[i, k]) out += A[i, j]
                if (out >= 0.8 * A[i, k]) swept++
            }
            if (swept < 2) fail(i, "fewer than 2 wages swept >= 80% within 24 h")
            if (payees_abroad(i, c) < 5) fail(i, "the controller pays fewer than 5 beneficiaries abroad")
        } else if (t == "TY-CHD") {
            # each sender: small remittances, new foreign payees, a flight, cash abroad on two trips
            ns = split(substr(senders[i], 2), sl, " "); split("", seen); nd = 0
            for (k = 1; k <= n[i]; k++) if (TO[i, k] == ben[i] && !(FR[i, k] in seen)) { seen[FR[i, k]] = 1; nd++ }
            if (nd < 3) fail(i, nd " senders to the beneficiary")
            for (j = 1; j <= ns; j++) {
                v = sl[j]
                pick(i, "from", v, "remittance", "", 10, 100)
                if (span_of(4) > 30 * DAY) fail(i, v ": fewer than 4 remittances of 10-100 within 30 days")
                if (payees_abroad(i, v) < 5) fail(i, v ": fewer than 5 payees abroad")
                pick(i, "from", v, "card", "^4511$", 0, 1e9)
                if (q < 1) fail(i, v ": no flight")
                split("", wk); nw = 0; cash = 0
                for (k = 1; k <= n[i]; k++) if (FR[i, k] == v && CH[i, k] == "atm_withdrawal" && CC[i, k] ~ /^(PH|TH|CO|US|GH|UA|DO|RO|JM|RU)$/) {
                    cash += A[i, k]; w = int((T[i, k] / DAY + 3) / 7); if (!(w in wk)) { wk[w] = 1; nw++ }
                }
                if (nw < 2 || cash < 2000) fail(i, v ": cash abroad in " nw " weeks, " cash " in all")
            }
        } else if (t == "TY-NET") {
            # mules on the hub's phone collect cash in other regions and pass it to the hub, which pays it abroad
            c = ctl[i]; nm = split(substr(mules[i], 2), ml, " ")
            if (nm < 5) fail(i, nm " mules")
            if (forwarders(i, mules[i], c) < nm) fail(i, "a mule passes less than 70% to the hub")
            for (j = 1; j <= nm; j++) {
                m = ml[j]; split("", seen); nr = 0
                if (phone[m] != phone[c]) fail(i, m ": not on the hub's phone")
                for (k = 1; k <= n[i]; k++) if (TO[i, k] == m && CH[i, k] == "cash_deposit") { r = reg_of[LOC[i, k]]; if (r != region[m] && !(r in seen)) { seen[r] = 1; nr++ } }
                if (nr < 2) fail(i, m ": deposits in fewer than 2 other regions")
            }
            in_ = 0; out = 0
            for (k = 1; k <= n[i]; k++) { if (TO[i, k] == c) in_ += A[i, k]; if (FR[i, k] == c) out += A[i, k] }
            if (out < 0.9 * in_ || payees_abroad(i, c) < 5) fail(i, "the hub passes on " out " of " in_ " to " payees_abroad(i, c) " payees abroad")
        } else fail(i, "unknown typology")
    }
    print cnt " instances checked"
    exit bad > 0
}
EOF

for mode in textbook subtle; do
    D=$T/$mode
    if ! $MTGEN --seed 5 --accounts 20000 --days 60 --count all=3 --intensity $mode --out "$D" -q; then
        notok "$mode: mtgen runs" "exit status $?"
        continue
    fi
    if join_labels "$D" > "$D/labelled.csv" 2> "$T/join.err"; then
        ok "$mode: every labelled tx_id is in transactions.csv"
    else
        notok "$mode: every labelled tx_id is in transactions.csv" "$(head -3 "$T/join.err")"
    fi
    # 16 scenarios and 4 cases x 3, plus HT-ML-10, SEX-02, SEX-04, LAB-02 x 3, plus one
    # CHD-02 per sender
    ninst=$(cut -d, -f2 "$D/instances.csv" | sed 1d | sort -u | wc -l)
    nchd2=$(awk -F, '$1 == "HT-CHD-02"' "$D/instances.csv" | cut -d, -f2 | sort -u | wc -l)
    if [ "$ninst" -eq $((72 + nchd2)) ] && [ "$nchd2" -ge 9 ]; then
        ok "$mode: $ninst instances as asked for by --count all=3"
    else
        notok "$mode: instance count" "$ninst instances, $nchd2 of them HT-CHD-02"
    fi
    if awk -f "$T/check.awk" "$D/accounts.csv" "$D/instances.csv" "$D/labelled.csv" > "$T/check.out"; then
        ok "$mode: every planted instance meets its definition ($(tail -1 "$T/check.out"))"
    else
        notok "$mode: every planted instance meets its definition" "$(head -5 "$T/check.out" | tr '\n' ';')"
    fi
    if awk -F, 'NR > 1 { if ($2 < p) { print "line " NR ": " $2 " before " p; exit 1 } p = $2
                          if ($1 <= id) { print "line " NR ": tx_id " $1 " not increasing"; exit 1 } id = $1 }' \
        "$D/transactions.csv" > "$T/order.out"; then
        ok "$mode: transactions in time order with increasing unique tx_id"
    else
        notok "$mode: transactions in time order" "$(cat "$T/order.out")"
    fi
    if awk -F, 'NR == FNR { if (FNR > 1) acc[$1] = 1; next }
                FNR > 1 && $3 !~ /^X-/ && !($3 in acc) { print "role account " $3 " not in accounts.csv"; exit 1 }' \
        "$D/accounts.csv" "$D/instances.csv" > "$T/roles.out"; then
        ok "$mode: every role account is in accounts.csv (or a foreign beneficiary)"
    else
        notok "$mode: role accounts" "$(cat "$T/roles.out")"
    fi
done
[ "$fails" -eq 0 ]
