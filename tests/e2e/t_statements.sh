#!/bin/sh
# Bank statements read as the CSV is: camt.053 and MT940 fixtures written
# from the message definitions (tests/data/statements/), with a batched
# entry, a reversal, German and Dutch :86:, and one payment (E2E-RENT-1,
# 200.00 EUR) in both the payer's camt.053 and the payee's MT940.
. tests/e2e/lib.sh
D=tests/data/statements
ALL="$D/bank-a.camt053.xml $D/bank-b.mt940 $D/bank-c.mt940"
SCAN="$MT scan -r rules/ht-ml-01.rule --max-lateness 30d"
# 5 rows of bank A (one entry, two TxDtls, one, one), 2 of B, 2 of C = 9;
# B's rent credit is A's rent debit: one duplicate, not a reject
check "statements: 9 rows read, 0 rejected, 1 duplicate payment" sh -c "
    $SCAN -o $TMP/a.jsonl --rejects $TMP/rej.csv $ALL 2> $TMP/sum.txt &&
    grep -q '^scan: 9 rows read, 0 rejected' $TMP/sum.txt &&
    grep -q '^scan: 1 duplicate payments dropped' $TMP/sum.txt &&
    grep -q '^scan: 9 data lines = 8 in rows read + 0 rejected + 0 blank + 1 in exact copies dropped' $TMP/sum.txt &&
    grep -q \"^$D/bank-b.mt940,6,,\\\"duplicate payment: end-to-end id 'E2E-RENT-1'\" $TMP/rej.csv"
# the duplicate's record shows the mapping: payer A's IBAN to payee B's, German ?31/?32, SVWZ+ memo
check "MT940 German :86: maps sides, EREF+, SVWZ+ and GVC 166" \
    grep -qF 'E2E-RENT-1,2024-03-02T00:00:00,DE89370400440532013000,DE02120300000000202051,200.00,EUR,transfer,,DE,,""rent share, March""' $TMP/rej.csv
check "gzip statements read as plain ones" sh -c "
    gzip -c $D/bank-a.camt053.xml > $TMP/a.gz && gzip -c $D/bank-b.mt940 > $TMP/b.gz &&
    $SCAN -o $TMP/g.jsonl $TMP/a.gz $TMP/b.gz $D/bank-c.mt940 2> $TMP/gsum.txt &&
    grep -q '^scan: 9 rows read, 0 rejected' $TMP/gsum.txt && cmp $TMP/a.jsonl $TMP/g.jsonl"
check "a statement that does not add up is a warning with the figures" sh -c "
    sed 's/C240304EUR145,00/C240304EUR245,00/' $D/bank-c.mt940 > $TMP/c.mt940 &&
    $SCAN -o $TMP/c.jsonl $TMP/c.mt940 2> $TMP/w.txt &&
    grep -q \"c.mt940:1: statement 'C-STMT-1' of account 'NL91ABNA0417164300' does not add up: opening 100.00 + credits 75.00 - debits 30.00 = 145.00, but the closing balance is 245.00\" $TMP/w.txt"
check "malformed XML: file, line and column" sh -c "
    sed 's|</Refs>|</Rfs>|' $D/bank-a.camt053.xml > $TMP/bad.xml &&
    ! $SCAN -o $TMP/x.jsonl $TMP/bad.xml 2> $TMP/err && grep -Eq 'bad.xml:24:[0-9]+: malformed XML' $TMP/err"
check "unknown message version named" sh -c "
    sed 's|camt.053.001.02|camt.053.001.01|' $D/bank-a.camt053.xml > $TMP/v1.xml &&
    ! $SCAN -o $TMP/x.jsonl $TMP/v1.xml 2> $TMP/err && grep -q \"v1.xml:2: unknown message version 'urn:iso:std:iso:20022:tech:xsd:camt.053.001.01'\" $TMP/err"
check "a missing Amt rejects the entry with its XML path" sh -c "
    sed 's|<AmtDtls><TxAmt><Amt Ccy=\"EUR\">100.00</Amt></TxAmt></AmtDtls>||' $D/bank-a.camt053.xml > $TMP/m.xml &&
    $SCAN -o $TMP/x.jsonl --rejects $TMP/mrej.csv $TMP/m.xml 2>/dev/null;
    grep -q 'm.xml,29,,Ntry/NtryDtls/TxDtls\[2\]: missing required element Amt in a batched entry' $TMP/mrej.csv"
check "broken MT940 block structure: line named" sh -c "
    sed '/^-}/d' $D/bank-b.mt940 > $TMP/nb.mt940 &&
    ! $SCAN -o $TMP/x.jsonl $TMP/nb.mt940 2> $TMP/err && grep -q 'nb.mt940:11: broken MT940 block structure: block {4: not closed by -}' $TMP/err"
exit $((failures > 0))
