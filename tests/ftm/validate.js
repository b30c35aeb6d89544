// validate.js: checks FollowTheMoney entities (JSON Lines, one entity a
// line, as `moneytrail export ftm` writes them) against the model that
// ships in npm's @alephdata/followthemoney package (installed beside this
// script by tools/deps.sh; used only by the tests). For each entity: the
// schema exists and is not abstract, every property belongs to the schema,
// the schema's required properties are set, entity references point to an
// entity of the file whose schema is the property's range, and values
// follow their type (country codes, dates, numbers, length). Prints one
// line per problem as FILE:LINE: ID: MESSAGE and exits 1 if there was any.
'use strict';
const fs = require('fs');
const path = require('path');
const ftm = require(path.join(__dirname, 'node_modules', '@alephdata', 'followthemoney'));

const model = new ftm.Model(ftm.defaultModel);
const DATE = /^\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?$/;
const NUMBER = /^-?\d+(\.\d+)?$/;
const checks = {
  country: (v, t) => t.values.has(v) || `'${v}' is not a country code of the model`,
  date: (v) => DATE.test(v) || `'${v}' is not an ISO 8601 date`,
  number: (v) => NUMBER.test(v) || `'${v}' is not a number`,
  email: (v) => /^[^@\s]+@[^@\s]+$/.test(v) || `'${v}' is not an e-mail address`,
  phone: (v) => /^\+?[0-9][0-9 ()\-/]*$/.test(v) || `'${v}' is not a phone number`,
};

let problems = 0;
let count = 0;
function problem(where, msg) {
  problems++;
  console.log(`${where}: ${msg}`);
}

for (const file of process.argv.slice(2)) {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length);
  const entities = lines.map((l, i) => {
    try {
      return JSON.parse(l);
    } catch (e) {
      problem(`${file}:${i + 1}`, `not JSON: ${e.message}`);
      return null;
    }
  });
  const byId = new Map();
  entities.forEach((e) => e && byId.set(e.id, e));
  entities.forEach((e, i) => {
    if (!e) return;
    count++;
    const where = `${file}:${i + 1}: ${e.id}`;
    if (!e.id) problem(where, 'no id');
    const schema = model.schemata[e.schema];
    if (!schema) return problem(where, `no schema '${e.schema}' in the model`);
    if (schema.abstract) problem(where, `schema ${e.schema} is abstract`);
    const props = e.properties || {};
    for (const req of schema.required) {
      if (!(props[req] && props[req].length)) problem(where, `${e.schema} requires '${req}'`);
    }
    for (const [name, values] of Object.entries(props)) {
      if (!schema.hasProperty(name)) {
        problem(where, `${e.schema} has no property '${name}'`);
        continue;
      }
      const prop = schema.getProperty(name);
      for (const v of values) {
        if (typeof v !== 'string') {
          problem(where, `${name}: values are strings`);
          continue;
        }
        const max = prop.type.maxLength;
        if (max && v.length > max) problem(where, `${name}: longer than ${max}`);
        if (prop.type.name === 'entity') {
          const target = byId.get(v);
          if (!target) problem(where, `${name}: no entity '${v}' in the file`);
          else if (prop.range && !model.getSchema(target.schema).isA(prop.range))
            problem(where, `${name}: '${v}' is a ${target.schema}, not a ${prop.range.name}`);
          continue;
        }
        const check = checks[prop.type.name];
        const ok = check ? check(v, prop.type) : true;
        if (ok !== true) problem(where, `${name}: ${ok}`);
      }
    }
  });
}
if (problems) {
  console.log(`ftm: ${problems} problems in ${count} entities`);
  process.exit(1);
}
console.log(`ftm: ${count} entities valid`);
