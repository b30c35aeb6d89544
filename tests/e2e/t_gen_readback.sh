#!/bin/sh
# Every layout the generator writes is read back by moneytrail's own
# readers: every row decodes (none rejected) and the counts agree.
. tests/e2e/lib.sh
tools/mtgen/mtgen -q --seed 7 --accounts 2000 --days 30 --layout canonical,amlworld,amlsim --out "$TMP/g" || exit 1
rows() { echo $(($(wc -l < "$1") - 1)); }
for f in transactions.csv amlworld_trans.csv amlsim_transactions.csv; do
    check "$f is read back with no rejected row" sh -c "
        $MT scan --no-progress -r rules/ht-ml-01.rule --max-errors 0 --rejects $TMP/rej-$f -o $TMP/a-$f.jsonl $TMP/g/$f 2> $TMP/sum-$f &&
        grep -q '^scan: $(rows "$TMP/g/$f" | sed 's/\(.\)\(...\)$/\1,\2/') rows read, 0 rejected' $TMP/sum-$f"
done
check "the accounts file is read as the KYC side table" sh -c "
    $MT scan -q -r rules/ht-ml-01.rule --accounts $TMP/g/accounts.csv -o $TMP/k.jsonl $TMP/g/transactions.csv"
finish
