#!/bin/sh
# mtgen --blind: labels consistent with the transactions, shapes that really
# vary (cycle lengths, spans, participants, amounts, time order), benign hubs
# at scale, determinism, and independence from the rules: the generator's
# sources neither read rules/ nor include analyzer headers but the calendar
# of base/ (tstamp.h), and no bound of
# the --blind shape table equals a `param` value of rules/*.rule.
. tests/e2e/lib.sh
MTGEN=${MTGEN:-tools/mtgen/mtgen}
D=$TMP/b
check "mtgen --blind writes a small set" \
    $MTGEN -q --blind --seed 31 --accounts 2000 --count all=12 --out "$D"

check "--blind extends the period to 744 days (the longest span plus two weeks)" \
    contains "$D/gen.meta" "days=744"

# One line per labelled row: instance,typology,first_ts,last_ts,tx_id,ts,from,to,amount,channel
awk -F, -v OFS=, '
FILENAME == ARGV[1] { if (FNR > 1) { typ[$2] = $1; f[$2] = $5; l[$2] = $6 } next }
FILENAME == ARGV[2] { if (FNR > 1) { tx[$2] = tx[$2] " " $1 } next }
FNR > 1 && ($1 in tx) {
    n = split(tx[$1], ids, " ")
    for (k = 1; k <= n; k++) print ids[k], typ[ids[k]], f[ids[k]], l[ids[k]], $1, $2, $3, $4, $5, $7
}' "$D/instances.csv" "$D/instance_tx.csv" "$D/transactions.csv" > "$TMP/rows.csv"

labels_in_data() {
    want=$(sed 1d "$D/instance_tx.csv" | wc -l)
    got=$(wc -l < "$TMP/rows.csv")
    [ "$want" -gt 500 ] && [ "$want" -eq "$got" ] || { echo "$want labelled, $got found"; return 1; }
}
check "every instance_tx row names a transaction of transactions.csv" labels_in_data

# Each labelled row touches one of its instance's role accounts, has a
# positive amount, and lies between the instance's first_ts and last_ts,
# which are its first and last rows.
labels_agree() {
    awk -F, '
    FILENAME == ARGV[1] { if (FNR > 1) role[$2, $3] = 1; next }
    {
        if (!(($1, $7) in role) && !(($1, $8) in role)) { print "tx " $5 " touches no account of instance " $1; bad = 1 }
        if ($9 + 0 <= 0) { print "tx " $5 ": amount " $9; bad = 1 }
        if ($6 < $3 || $6 > $4) { print "tx " $5 " at " $6 " outside " $3 " .. " $4; bad = 1 }
        if (!($1 in lo) || $6 < lo[$1]) lo[$1] = $6
        if (!($1 in hi) || $6 > hi[$1]) hi[$1] = $6
        first[$1] = $3; last[$1] = $4
    }
    END {
        for (i in lo) if (lo[i] != first[i] || hi[i] != last[i]) { print "instance " i ": rows " lo[i] " .. " hi[i] " but labelled " first[i] " .. " last[i]; bad = 1 }
        exit bad
    }' "$D/instances.csv" "$TMP/rows.csv"
}
check "labelled rows touch their instance's accounts, amounts > 0, inside first_ts..last_ts" labels_agree

# Per-instance figures: typology, accounts in roles, span in days, min and
# max amount, and for cycles whether the legs follow the ring in time order.
awk -F, '
function epoch(ts,   y, m, d, era, yoe, doy, doe) {
    y = substr(ts, 1, 4) + 0; m = substr(ts, 6, 2) + 0; d = substr(ts, 9, 2) + 0
    if (m <= 2) y--
    era = int(y / 400); yoe = y - era * 400
    doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
    doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
    return (era * 146097 + doe - 719468) * 86400 + substr(ts, 12, 2) * 3600 + substr(ts, 15, 2) * 60 + substr(ts, 18, 2)
}
FILENAME == ARGV[1] { if (FNR > 1) { typ[$2] = $1; n[$2]++; span[$2] = (epoch($6) - epoch($5)) / 86400 } next }
{
    i = $1; a = $9 + 0
    if (!(i in mn) || a < mn[i]) mn[i] = a
    if (a > mx[i]) mx[i] = a
    # rows arrive in time order: a ring in order pays on from the account last paid
    if ((i in prev) && $7 != prev[i]) broken[i] = 1
    prev[i] = $8
}
END { for (i in typ) printf "%s %s %d %.2f %.2f %.2f %d\n", i, typ[i], n[i], span[i], mn[i], mx[i], broken[i] + 0 }
' "$D/instances.csv" "$TMP/rows.csv" > "$TMP/shapes.txt"

# range COLUMN FILTER: prints "min max" of a column of shapes.txt over the
# instances whose typology matches FILTER.
range() {
    awk -v c="$1" -v f="$2" '$2 ~ f { if (!s || $c < lo) lo = $c; if (!s || $c > hi) hi = $c; s = 1 } END { print lo + 0, hi + 0 }' "$TMP/shapes.txt"
}
cycles_vary() {
    set -- $(range 3 '^HT-ML-07$')
    echo "cycle accounts $1 .. $2"
    [ "$1" -le 3 ] && [ "$2" -ge 8 ]
}
check "cycles have from at most 3 to at least 8 accounts" cycles_vary
cycles_unordered() {
    n=$(awk '$2 == "HT-ML-07" && $7 == 1' "$TMP/shapes.txt" | wc -l)
    r=$(awk '$2 == "HT-ML-07" && $6 > 3 * $5' "$TMP/shapes.txt" | wc -l)
    echo "$n cycles out of time order, $r with a leg 3 times another"
    [ "$n" -ge 3 ] && [ "$r" -ge 3 ]
}
check "at least 3 cycles run out of time order and 3 have legs differing threefold" cycles_unordered
spans_vary() {
    set -- $(range 4 '.')
    echo "spans $1 .. $2 days"
    awk -v lo="$1" -v hi="$2" 'BEGIN { exit !(lo < 3 && hi > 300) }'
}
check "instance spans run from under 3 days to over 300 days" spans_vary
participants_vary() {
    set -- $(range 3 '^HT-ML-0[3-7]')
    echo "network participants $1 .. $2"
    [ "$1" -le 2 ] && [ "$2" -ge 11 ]
}
check "network instances have from at most 2 to at least 11 accounts" participants_vary
amounts_vary() {
    lo=$(awk '{ print $5 }' "$TMP/shapes.txt" | sort -g | head -1)
    hi=$(awk '{ print $6 }' "$TMP/shapes.txt" | sort -g | tail -1)
    echo "amounts $lo .. $hi"
    awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo < 10 && hi > 20000) }'
}
check "planted amounts run from under 10 to over 20,000" amounts_vary

# Participants' lives: some role accounts also live normally (50 or more
# unlabelled rows), some send nothing before their instance starts although
# opened earlier (others may still pay into them).
lives_vary() {
    sed 1d "$D/instance_tx.csv" | cut -d, -f2 | sort -u > "$TMP/labelled.txt"
    awk -F, '
    FILENAME == ARGV[1] { lab[$1] = 1; next }
    FILENAME == ARGV[2] { if (FNR > 1) opened[$1] = $NF; next }
    FILENAME == ARGV[3] { if (FNR > 1 && $3 !~ /^X-/) { if (!($3 in start) || $5 < start[$3]) start[$3] = $5 } next }
    FNR > 1 && !($1 in lab) {
        for (k = 3; k <= 4; k++) if ($k in start) n[$k]++
        if (($3 in start) && substr($2, 1, 10) < substr(start[$3], 1, 10)) before[$3] = 1
    }
    END {
        for (a in start) {
            if (n[a] >= 50) living++
            if (!(a in before) && opened[a] != "" && opened[a] < start[a]) silent++
        }
        print living + 0, "living,", silent + 0, "silent before their scheme"
        exit !(living >= 10 && silent >= 10)
    }' "$TMP/labelled.txt" "$D/accounts.csv" "$D/instances.csv" "$D/transactions.csv"
}
check "at least 10 participants live normally and 10 send nothing before their scheme" lives_vary

# Benign hubs: an unlabelled account with 100 or more distinct payers, and
# unlabelled rows are the great majority.
benign_hubs() {
    awk -F, 'FILENAME == ARGV[1] { lab[$1] = 1; next }
    FNR > 1 && !($1 in lab) && $3 != "" && $4 != "" && !(($4, $3) in seen) { seen[$4, $3] = 1; payers[$4]++ }
    END { for (a in payers) if (payers[a] > best) best = payers[a]; print "largest benign hub: " best " payers"; exit !(best >= 100) }' \
        "$TMP/labelled.txt" "$D/transactions.csv"
}
check "a benign hub receives from 100 or more distinct payers" benign_hubs

same_seed_same_bytes() {
    $MTGEN -q --blind --seed 31 --accounts 2000 --count all=12 --out "$TMP/b2" &&
        for f in transactions.csv instance_tx.csv instances.csv accounts.csv gen.meta; do
            cmp "$D/$f" "$TMP/b2/$f" || return 1
        done
}
check "the same seed gives byte-identical files" same_seed_same_bytes
other_seed_differs() {
    $MTGEN -q --blind --seed 32 --accounts 2000 --count all=12 --out "$TMP/b3" &&
        ! cmp -s "$D/instances.csv" "$TMP/b3/instances.csv"
}
check "another seed gives other instances" other_seed_differs

# Independence from the rules.
sources_independent() {
    ! grep -n 'rules/\|\.rule"\|#include *"[^g]' tools/mtgen/*.c tools/mtgen/*.h |
        grep -v '#include "base/tstamp.h"'
}
check "the generator's sources name no rules/ and include no header but base/tstamp.h" \
    sources_independent

$MTGEN --print-blind-shapes > "$TMP/shapes.csv"
shapes_sane() {
    awk -F, 'NR > 1 { n++; if ($4 + 0 > $5 + 0 || NF != 7) { print "bad row " NR ": " $0; bad = 1 } }
             END { print n " shapes"; exit bad || n < 40 }' "$TMP/shapes.csv"
}
check "--print-blind-shapes prints at least 40 well-formed rows" shapes_sane

# Every number of every `param` line of the rules, as "value unit": durations
# in hours and in days (48h -> 48 hours and 2 days), percentages as shares,
# plain numbers as they are. A shape bound collides when it is equal in the
# same kind of unit. Whole numbers 0-12 of unitless shapes (counts of
# accounts, hops, rounds: the issue itself asks for 2-12 participants and
# cycles of 2-10) are not compared: small counts coincide by chance.
cat rules/*.rule | awk '
/^[ \t]*param[ \t]/ {
    s = $0; sub(/^[^=]*=/, "", s)
    while (match(s, /[0-9]+(\.[0-9]+)?[a-z%]*/)) {
        tok = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
        v = tok + 0; u = tok; sub(/^[0-9.]+/, "", u)
        if (u == "d") { print v, "days"; print v * 24, "hours" }
        else if (u == "h") { print v, "hours"; print v / 24, "days" }
        else if (u == "w") { print v * 7, "days" }
        else if (u == "m" || u == "s" || u == "min") continue
        else if (u == "%") print v / 100, "plain"
        else if (u == "") print v, "plain"
    }
}' | sort -u > "$TMP/params.txt"
params_read() {
    n=$(wc -l < "$TMP/params.txt")
    echo "$n distinct param values"
    [ "$n" -ge 10 ]
}
check "the rules' param values are read (at least 10)" params_read
no_bound_is_a_param() {
    awk -F, 'FILENAME == ARGV[1] { split($0, f, " "); p[f[1] + 0, f[2]] = 1; next }
    FNR > 1 {
        kind = $3 == "days" ? "days" : $3 == "hours" ? "hours" : "plain"
        for (k = 4; k <= 5; k++) if ((($k + 0), kind) in p && !(kind == "plain" && $k == int($k) && $k <= 12)) { print "shape \"" $1 ": " $2 "\" bound " $k " (" $3 ") equals a rule param"; bad = 1 }
    }
    END { exit bad }' "$TMP/params.txt" "$TMP/shapes.csv"
}
check "no --blind shape bound equals a rule param" no_bound_is_a_param
finish
