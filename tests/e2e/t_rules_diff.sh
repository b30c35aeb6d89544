#!/bin/sh
# `moneytrail rules diff OLD NEW DATA`: what raising a threshold does, on
# tests/e2e/data/canonical.csv, worked out by hand. A1 has 3 cash deposits
# within 5 d 7 h (c01 c06 c10, labelled), A2 has 4 night ATM deposits
# (c03 c07 c12 c15, not labelled). With min_count 3 the rule alerts on A1
# at c10 and on A2 at c12; with 4 only on A2 at c15. Matched on rule,
# account, perspective and firing transaction: 1 added (A2 at c15), 2
# removed (A1 at c10, A2 at c12); accounts 2 -> 1, A1 removed. Precision
# 1/2 -> 0/1, recall 1 -> 0, lift 0.5 / (1/14) = 7 -> 0.
. tests/e2e/lib.sh

mkdir -p "$TMP/old" "$TMP/new"
cat > "$TMP/old/t.rule" <<'RULE'
rule T-1 "Cash deposits into one account"
  source   "a test of moneytrail rules diff"
  family   cash
  for each receiver
  where    channel in {cash_deposit, atm_deposit}
  within   10d
  param    min_count = 3
  alert if count >= min_count
  explain  "{count} cash deposits within {span}"
RULE
sed 's/min_count = 3/min_count = 4/; s/family   cash/family   cash\n  version  2/' \
    "$TMP/old/t.rule" > "$TMP/new/t.rule"
printf 'typology,instance_id,account,role,first_ts,last_ts\nT-1,1,A1,mule,,\n' > "$TMP/instances.csv"
printf 'instance_id,tx_id\n1,c01\n1,c06\n1,c10\n' > "$TMP/instance_tx.csv"

cat > "$TMP/diff.expected" <<EXPECTED
rules diff: $TMP/old -> $TMP/new, alerts matched on rule, account, perspective and firing transaction

rule           kind     version    alerts      ->  +added -removed accounts       ->   +added -removed
T-1            rule     1->2            2       1       1        2        2        1        0        1
0 rules and typologies with the same alerts and definition

rule                precision         recall           lift
T-1             0.50 ->  0.00  1.00 ->  0.00   7.0 ->   0.0

T-1: 1 added, 2 removed
  + A2 (receiver) at c15: 4 cash deposits within 9 days 5 h
  - A1 (receiver) at c10: 3 cash deposits within 5 days 7 h
  - A2 (receiver) at c12: 3 cash deposits within 6 days 22 h
EXPECTED
with_labels() {
    $MT rules diff "$TMP/old" "$TMP/new" --labels "$TMP/instances.csv" \
        tests/e2e/data/canonical.csv > "$TMP/diff.txt" && diff -u "$TMP/diff.expected" "$TMP/diff.txt"
}
check "a raised threshold: alerts and accounts added and removed, precision, recall, lift" with_labels

no_labels() {
    $MT rules diff --examples 1 "$TMP/old" "$TMP/new" tests/e2e/data/canonical.csv > "$TMP/nl.txt" &&
        ! grep -q precision "$TMP/nl.txt" &&
        contains "$TMP/nl.txt" '  + A2 (receiver) at c15: 4 cash deposits within 9 days 5 h' &&
        contains "$TMP/nl.txt" '  - ... 1 more'
}
check "without labels: no quality table; --examples bounds the examples" no_labels

same() {
    $MT rules diff "$TMP/old" "$TMP/old" tests/e2e/data/canonical.csv > "$TMP/same.txt" &&
        contains "$TMP/same.txt" '1 rule and typology with the same alerts and definition'
}
check "a rule set against itself: nothing changed" same

definitions_only() {
    $MT rules diff "$TMP/old" "$TMP/new" > "$TMP/def.txt" &&
        contains "$TMP/def.txt" 'T-1            rule     1->2            0       0       0        0'
}
check "no data: only the definitions are compared" definitions_only

# --json: the same figures as the tables, checked field by field with jq.
as_json() {
    $MT rules diff --json --examples 1 "$TMP/old" "$TMP/new" --labels "$TMP/instances.csv" \
        tests/e2e/data/canonical.csv > "$TMP/diff.json" &&
        jq -e '.labels == true and .unchanged == 0 and .changes == 3 and
            .matched_on == ["rule", "account", "perspective", "trigger_tx"] and
            (.rules | length) == 1 and
            (.rules[0] | .rule == "T-1" and .kind == "rule" and .change == "version" and
                .changed == true and .version_old == 1 and .version_new == 2 and
                .alerts_old == 2 and .alerts_new == 1 and .added == 1 and .removed == 2 and
                .accounts_old == 2 and .accounts_new == 1 and .accounts_added == 0 and
                .accounts_removed == 1 and .precision_old == 0.5 and .precision_new == 0 and
                .recall_old == 1 and .recall_new == 0 and .lift_old == 7 and .lift_new == 0 and
                .examples_added == [{"account": "A2", "perspective": "receiver",
                    "trigger_tx": "c15", "explanation": "4 cash deposits within 9 days 5 h"}] and
                (.examples_removed | length) == 1 and .examples_removed[0].trigger_tx == "c10")' \
            "$TMP/diff.json"
}
check "--json: one object with every figure of the tables" as_json

json_same() {
    $MT rules diff --json "$TMP/old" "$TMP/old" tests/e2e/data/canonical.csv > "$TMP/same.json" &&
        jq -e '.labels == false and .unchanged == 1 and .changes == 0 and
            .rules[0].change == "same" and .rules[0].changed == false and
            (.rules[0] | has("precision_old") | not)' "$TMP/same.json"
}
check "--json against itself: the rule is there, unchanged, without quality figures" json_same

usage() {
    expect_exit 2 $MT rules diff "$TMP/old" && contains "$TMP/err" "expected OLD and NEW rule paths"
}
check "one rule path is a usage error" usage
finish

# A list's members changed, the rule's text and version not: the rule
# computes something else, so it is "edited" (its fingerprint covers the
# members of the lists it reads, not only their names).
mkdir -p "$TMP/l1" "$TMP/l2"
sed 's/channel in {cash_deposit, atm_deposit}/channel in deposit_channels/' "$TMP/old/t.rule" > "$TMP/l1/t.rule"
cp "$TMP/l1/t.rule" "$TMP/l2/t.rule"
printf 'list deposit_channels: channel = cash_deposit, atm_deposit\n' > "$TMP/l1/lists.list"
printf 'list deposit_channels: channel = cash_deposit\n' > "$TMP/l2/lists.list"
list_edited() {
    $MT rules diff --json "$TMP/l1" "$TMP/l2" > "$TMP/l.json" &&
        jq -e '.rules[0] | .rule == "T-1" and .change == "edited" and .changed == true' "$TMP/l.json" > /dev/null &&
        $MT rules diff --json "$TMP/l1" "$TMP/l1" > "$TMP/l0.json" &&
        jq -e '.rules[0].change == "same"' "$TMP/l0.json" > /dev/null
}
check "a list's members changed, the rule's text not: the rule is edited" list_edited
