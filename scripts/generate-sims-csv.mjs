#!/usr/bin/env node
// Writes a SIM inventory CSV for `roamcard sims import`: N rows with Luhn-valid ICCIDs, distinct
// IMSIs and valid Russian mobile numbers, every 10th an eSIM. With --bad-every K, every K-th row
// is broken in one of the ways an import must reject (cycling through them), so a run exercises
// the rejection path at scale too.
//
//   node scripts/generate-sims-csv.mjs --rows 100000 --out /tmp/sims.csv [--bad-every 100]
//        [--start 0] [--semicolon] [--bom] [--crlf] [--spaces]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';

const ROWS_MAX = 10_000_000; // serials have 9 digits of room in the phone number; keep far below
const ESIM_EVERY = 10;
const BAD_KINDS = ['luhn', 'length', 'prefix', 'imsi', 'msisdn', 'esim_code', 'missing_value', 'duplicate'];

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000' },
    out: { type: 'string' },
    start: { type: 'string', default: '0' },
    'bad-every': { type: 'string', default: '0' },
    semicolon: { type: 'boolean', default: false },
    bom: { type: 'boolean', default: false },
    crlf: { type: 'boolean', default: false },
    spaces: { type: 'boolean', default: false },
  },
});

const rows = Number(values.rows);
const start = Number(values.start);
const bad_every = Number(values['bad-every']);
if (!values.out || !Number.isSafeInteger(rows) || rows < 1 || rows > ROWS_MAX
  || !Number.isSafeInteger(start) || start < 0 || start + rows > ROWS_MAX
  || !Number.isSafeInteger(bad_every) || bad_every < 0) {
  console.error('usage: generate-sims-csv.mjs --rows N (1..10,000,000) --out FILE [--start S] [--bad-every K] [--semicolon] [--bom] [--crlf] [--spaces]');
  process.exit(2);
}

const delimiter = values.semicolon ? ';' : ',';
const newline = values.crlf ? '\r\n' : '\n';

function luhnCheckDigit(payload) {
  let sum = 0;
  for (let index = 0; index < payload.length; index += 1) {
    let digit = payload.charCodeAt(payload.length - 1 - index) - 48;
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return String((10 - (sum % 10)) % 10);
}

function goodSim(serial) {
  const payload = `8970199${String(serial).padStart(11, '0')}`;
  const iccid = payload + luhnCheckDigit(payload);
  const imsi = `25099${String(serial).padStart(10, '0')}`;
  const national = `91${String(serial).padStart(8, '0')}`; // +7 91x: mobile ranges, valid in the number plan
  const msisdn = values.spaces
    ? `+7 ${national.slice(0, 3)} ${national.slice(3, 6)}-${national.slice(6, 8)}-${national.slice(8)}`
    : `+7${national}`;
  const esim = serial % ESIM_EVERY === 0;
  return {
    iccid: values.spaces ? iccid.replace(/(\d{4})(?=\d)/g, '$1 ') : iccid,
    imsi,
    msisdn,
    form_factor: esim ? 'esim' : 'nano',
    esim_activation_code: esim ? `LPA:1$smdp.roamcard.example$RC-${serial}` : '',
  };
}

function breakSim(sim, kind, serial) {
  switch (kind) {
    case 'luhn': return { ...sim, iccid: sim.iccid.replace(/\d$/, (digit) => String((Number(digit) + 1) % 10)) };
    case 'length': return { ...sim, iccid: sim.iccid.replace(/\s/g, '').slice(0, 17) };
    case 'prefix': return { ...sim, iccid: `88${sim.iccid.replace(/\s/g, '').slice(2)}` };
    case 'imsi': return { ...sim, imsi: sim.imsi.slice(0, 10) };
    case 'msisdn': return { ...sim, msisdn: '+7 123' };
    case 'esim_code': return { ...sim, form_factor: 'esim', esim_activation_code: 'not-a-code' };
    case 'missing_value': return { ...sim, imsi: '' };
    case 'duplicate': return goodSim(serial - 1); // the previous row again
    default: throw new Error(`unknown bad kind ${kind}`);
  }
}

const out = createWriteStream(values.out);
const columns = ['iccid', 'imsi', 'msisdn', 'form_factor', 'esim_activation_code'];
let chunk = `${values.bom ? '\ufeff' : ''}${columns.join(delimiter)}${newline}`;
let bad_rows = 0;
for (let index = 0; index < rows; index += 1) {
  const serial = start + index;
  let sim = goodSim(serial);
  if (bad_every > 0 && index > 0 && index % bad_every === 0) {
    sim = breakSim(sim, BAD_KINDS[bad_rows % BAD_KINDS.length], serial);
    bad_rows += 1;
  }
  chunk += columns.map((column) => sim[column]).join(delimiter) + newline;
  if (chunk.length > 1 << 16) {
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  }
}
out.end(chunk);
await once(out, 'finish');
console.error(`${values.out}: ${rows} rows (${bad_rows} bad), ${delimiter === ';' ? 'semicolon' : 'comma'}-separated`);
