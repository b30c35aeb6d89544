// dump.js: reads MT940 files with mt940js, an independent parser, and
// prints each transaction as "tx_id,date,from,to,amount,currency" by the
// mapping of schema/statements.md, for tests/unit/test_stmt_npm.c to
// compare with moneytrail's own reader. The tx_id is empty when the entry
// has no end-to-end id and no reference (moneytrail then hashes one).
'use strict';
const fs = require('fs');
const mt940 = require('mt940js');

const KEYS = ['EREF+', 'KREF+', 'MREF+', 'CRED+', 'DEBT+', 'SVWZ+', 'ABWA+', 'ABWE+', 'IBAN+', 'BIC+'];

// The value of SEPA keyword key in a German purpose text, up to the next keyword.
function sepa(purpose, key) {
  const at = purpose.indexOf(key);
  if (at < 0) return '';
  let rest = purpose.slice(at + key.length);
  for (const k of KEYS) {
    const n = rest.indexOf(k);
    if (n >= 0) rest = rest.slice(0, n);
  }
  return rest.trim();
}

function ymd(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function row(s, t) {
  const sd = t.structuredDetails || {};
  let e2e = '', cpty = '';
  if (sd['20'] !== undefined || sd['31'] !== undefined) { // German ?NN subfields
    let purpose = '';
    for (let k = 20; k <= 29; k++) purpose += sd[String(k)] || '';
    e2e = sepa(purpose, 'EREF+');
    cpty = sd['31'] || '';
  } else { // Dutch /TAG/value
    e2e = sd.EREF || '';
    cpty = sd.IBAN || (sd.CNTP || '').split('/')[0];
  }
  const ref = t.reference && t.reference !== 'NONREF' ? t.reference : '';
  let id = e2e && e2e !== 'NOTPROVIDED' && e2e !== 'NONREF' ? e2e : t.bankReference || ref;
  // money in: a credit, or a reversed debit
  const credit = t.isReversal ? t.amount < 0 : t.amount > 0;
  const acct = s.accountIdentification;
  const amount = Math.abs(t.amount).toFixed(2);
  const date = ymd(t.entryDate || t.date);
  return [id, date, credit ? cpty : acct, credit ? acct : cpty, amount, t.currency].join(',');
}

const parser = new mt940.Parser();
for (const f of process.argv.slice(2)) {
  for (const s of parser.parse(fs.readFileSync(f, 'utf8'))) {
    for (const t of s.transactions) console.log(row(s, t));
  }
}
