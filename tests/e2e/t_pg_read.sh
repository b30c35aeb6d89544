#!/bin/sh
# The scan's read from PostgreSQL (binary COPY, rows rewritten as the text
# COPY's CSV records) against the scan of a CSV file that the server's own
# text COPY wrote from the same rows: the same rows read, the same rejects
# and byte-identical alerts, on one and on two engine threads, with the
# awkward values (fractions of seconds, offsets west of UTC and across
# midnight, quotes, commas and newlines in fields, empty strings, tiny and
# large amounts, BC and infinite times; the rows the decoder rejects show
# their records, which must be the same text). A source whose columns are not
# the transactions table's types fails with a message that says so.
. tests/e2e/lib.sh
. tests/pg/pg-harness.sh
D=tests/e2e/data
$MT db init >/dev/null && $MT load -q --db '' $D/canonical.csv || exit 1
pg_sql <<'SQL' || exit 1
INSERT INTO transactions (tx_id, ts, ts_offset, from_account, to_account, amount, currency,
                          channel, mcc, counterparty_country, location, memo) VALUES
('e1', '2024-03-05 10:00:00.5+00', 0, 'S9', 'A1', 9000.50, 'EUR', 'cash_deposit', NULL, NULL, 'Kiel', 'cash'),
('e2', '2024-03-06 03:00:00.123456+00', -330, 'S9', 'A1', 9999.99, 'EUR', 'transfer', 0, 'IN', 'x,y', 'say "hi", then
go'),
('e3', '2024-03-06 23:30:00+00', 1080, 'S9', 'A2', 0.00000001, 'EUR', 'transfer', 9999, NULL, NULL, ''),
('e4', '2024-03-07 00:00:00+00', -1, 'S9', 'A2', 12345678.5, 'EUR', 'transfer', NULL, NULL, 'cr' || chr(13) || 'lf', '"'),
('e5', '0044-03-15 12:00:00+00 BC', 0, 'S9', 'A3', 1, 'EUR', 'card', NULL, NULL, NULL, NULL),
('e6', 'infinity', 60, 'S9', 'A3', 1, 'EUR', 'card', NULL, NULL, NULL, NULL),
('e7', '12345-01-01 00:00:00+00', 30, 'S9', 'A3', 1, 'EUR', 'card', NULL, NULL, NULL, NULL),
('e8', '2024-03-08 06:00:00.25+00', 0, 'S9', 'A3', 1.001, 'EUR', 'card', 5999, NULL, NULL, 'a,b');
SQL
# The file: the text COPY of the very rows, in the local time and offset
# they were loaded with (the form the scan read before it went binary).
TS="CASE WHEN ts_offset = 0 THEN ts::text ELSE ((ts + ts_offset * interval '1 minute') AT TIME ZONE 'UTC')::text || CASE WHEN ts_offset < 0 THEN '-' ELSE '+' END || to_char(abs(ts_offset) / 60, 'FM00') || ':' || to_char(abs(ts_offset) % 60, 'FM00') END"
{ head -1 $D/canonical.csv
  PGOPTIONS='-c TimeZone=UTC -c DateStyle=ISO,YMD' pg_sql -c "COPY (SELECT tx_id, $TS, from_account, to_account, amount, currency, channel, mcc, counterparty_country, location, memo FROM transactions ORDER BY ts, tx_id) TO STDOUT (FORMAT csv)"
} >"$TMP/rows.csv" || exit 1
mkdir "$TMP/rules"
cat >"$TMP/rules/read.rule" <<'RULE'
rule T-READ-01 "Three large credits in a week"
  source "test"
  for each receiver
  where amount >= 5000
  within 7d
  alert if count >= 3
  explain "{count} credits"

rule T-READ-02 "A greeting in the memo"
  source "test"
  for each sender
  where memo contains "hi"
  within 1d
  alert if count >= 1
  explain "{count}"
RULE

check "the file holds the 25 rows, e2's memo over two lines, e3's empty memo quoted" sh -c "
    [ \$(grep -c '^\"\\?[ce][0-9]' $TMP/rows.csv) = 25 ] &&
    grep -q '^e2,2024-03-05 21:30:00.123456-05:30,S9,A1,9999.99,EUR,transfer,0,IN,\"x,y\",\"say \"\"hi\"\", then\$' $TMP/rows.csv &&
    grep -q '^e3,2024-03-07 17:30:00+18:00,S9,A2,0.00000001,EUR,transfer,9999,,,\"\"\$' $TMP/rows.csv"
for j in 1 2; do
    check "threads $j: the database and the file give the same rows, rejects and alerts (2 alerts, 5 rejects)" sh -c "
        $MT scan -j $j -r $TMP/rules --rejects $TMP/fr$j.csv -o $TMP/f$j.jsonl $TMP/rows.csv 2> $TMP/fs$j &&
        $MT scan -j $j -r $TMP/rules --db '' --rejects $TMP/dr$j.csv -o $TMP/d$j.jsonl 2> $TMP/ds$j &&
        grep -q '^scan: 25 rows read, 5 rejected' $TMP/fs$j && grep -q '^scan: 25 rows read, 5 rejected' $TMP/ds$j &&
        [ \$(wc -l < $TMP/f$j.jsonl) = 2 ] && cmp $TMP/f$j.jsonl $TMP/d$j.jsonl &&
        grep -q '\"rule\":\"T-READ-01\",.*\"account\":\"A1\"' $TMP/d$j.jsonl &&
        grep -q '\"rule\":\"T-READ-02\",.*\"account\":\"S9\"' $TMP/d$j.jsonl &&
        cut -d, -f3- $TMP/fr$j.csv > $TMP/frc && cut -d, -f3- $TMP/dr$j.csv > $TMP/drc &&
        [ \$(grep -c . $TMP/drc) = 6 ] && cmp $TMP/frc $TMP/drc &&
        grep -q '0.00000001,EUR,transfer,9999,,,\"\"\"\"\"' $TMP/drc &&
        grep -q '0044-03-15 12:00:00+00 BC' $TMP/drc && grep -q 'infinity+01:00' $TMP/drc &&
        grep -q '12345-01-01 00:30:00+00:30' $TMP/drc &&
        grep -q '\"e8,2024-03-08 06:00:00.25+00,S9,A3,1.001,EUR,card,5999,,,\"\"a,b\"\"\"' $TMP/drc"
done
check "a time range, its bounds literals in the COPY: the 5 rows inside only" sh -c "
    $MT scan -r $TMP/rules --source '' --from 2024-03-05T10:00:00Z --to 2024-03-07 -o $TMP/r.jsonl 2> $TMP/rs &&
    grep -q '^scan: 5 rows read' $TMP/rs"
check "a range without rows (the COPY's header and trailer alone): 0 rows read, no alert" sh -c "
    $MT scan -r $TMP/rules --source '' --from 2030-01-01 --to 2031-01-01 -o $TMP/none.jsonl 2> $TMP/ns &&
    grep -q '^scan: 0 rows read, 0 rejected' $TMP/ns && [ ! -s $TMP/none.jsonl ]"

# A `transactions` view earlier on the search path, whose amount is text:
# the binary COPY sends text where a numeric belongs.
pg_sql -c "CREATE SCHEMA odd" -c "CREATE VIEW odd.transactions AS SELECT tx_id, ts, ts_offset, from_account, to_account, amount::text AS amount, currency, channel, mcc, counterparty_country, location, memo FROM public.transactions" || exit 1
check "columns of other types: exit 3, the row and what is wrong named" sh -c "
    { PGOPTIONS='-c search_path=odd,public' $MT scan -q -r $TMP/rules --db '' -o $TMP/odd.jsonl 2> $TMP/err; [ \$? -eq 3 ]; } &&
    grep -q \"cannot read transactions from database 'postgres' on $PGHOST:$PGPORT: row 1: the binary COPY sent a malformed amount\" $TMP/err &&
    [ ! -e $TMP/odd.jsonl ]"
finish
