import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { luhnCheckDigit } from '../../../core/iccid.js';
import { BYTES_PER_MB } from '../../../core/units.js';
import { openDatabase, type Database } from '../../../db/database.js';
import { walletAccountId } from '../../../services/ledger/accounts.js';
import { describeEachDatabase, TEST_DATABASE_URL } from '../../../testing/databases.js';

/**
 * End to end: the compiled `roamcard` binary on real files, as an operator runs it, against SQLite
 * (DATA_DIR) and PostgreSQL (DATABASE_URL pointing at the suite's own schema).
 */
const CLI = fileURLToPath(new URL('../main.js', import.meta.url));

function iccid(serial: number): string {
  const payload = `8970199${String(serial).padStart(11, '0')}`;
  return payload + luhnCheckDigit(payload);
}

/** "8970199000000005016" → "8970 1990 0000 0005 016", as printed on SIM packaging. */
const spaced = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, '$1 ');

describeEachDatabase('CLI: sims import and usage import', (t) => {
  let folder = '';
  let env: NodeJS.ProcessEnv = {};
  let cli_database: Database | undefined;

  before(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'roamcard-cli-import-'));
    env = { ...process.env, DATA_DIR: path.join(folder, 'data'), SQLITE_SYNCHRONOUS: 'normal', ROAMCARD_LANG: '', LANG: 'C' };
    delete env.DATABASE_URL;
    if (t.dialect === 'postgres') {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(t.database.db);
      const url = new URL(TEST_DATABASE_URL ?? '');
      url.searchParams.set('options', `-c search_path=${rows[0]?.schema ?? ''}`);
      env.DATABASE_URL = url.toString();
    }
  });

  after(async () => {
    await cli_database?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The database the CLI wrote: the suite's PostgreSQL schema, or the SQLite file in DATA_DIR. */
  function db() {
    if (t.dialect === 'postgres') return t.database.db;
    cli_database ??= openDatabase({ sqlite_file: path.join(folder, 'data', 'roamcard.db') });
    return cli_database.db;
  }

  function roamcard(...args: string[]) {
    const result = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function file(name: string, content: string): string {
    const file_path = path.join(folder, name);
    writeFileSync(file_path, content);
    return file_path;
  }

  const sims = () => db().selectFrom('sims').selectAll().where('iccid', 'like', '8970199000000005%').orderBy('iccid').execute();

  // Excel on a Russian Windows: BOM, semicolons, CRLF, header names in any case, spaces in numbers.
  const SIM_FILE = '\ufeff' + [
    ' ICCID ;Imsi;MSISDN;Form_Factor;eSIM_Activation_Code', // 1
    `${spaced(iccid(501))};250 99 0000000501;+7 910 000-05-01;;`, // 2 ok
    `${iccid(502)};250990000000502;+79100000502;eSIM;LPA:1$smdp.example.com$K2-502`, // 3 ok
    `${iccid(503).slice(0, -1)}${(Number(iccid(503).slice(-1)) + 1) % 10};250990000000503;+79100000503;;`, // 4 Luhn
    `${iccid(504)};25099;+79100000504;;`, // 5 IMSI
    `${iccid(505)};250990000000505;+7 900 123;;`, // 6 MSISDN
    `${iccid(506)};250990000000506;+79100000506;esim;"LPA:1$smdp.example.com$X\r\nY"`, // 7-8 eSIM code, two lines
    `${iccid(507)};;+79100000507;;`, // 9 missing value
    `${iccid(501)};250990000000508;+79100000508;;`, // 10 ICCID of line 2
    `${iccid(509)};250990000000509;+79100000509;nano;`, // 11 ok
    `${iccid(510)};250990000000510;8 910 000 05 09;;`, // 12 MSISDN of line 11
    ';;;;', // 13 empty: skipped
    `${iccid(511)};250990000000511;+79100000511;;;surplus`, // 14 a cell too many
    `88${iccid(512).slice(2)};250990000000512;+79100000512;;`, // 15 prefix
  ].join('\r\n') + '\r\n';

  it('imports SIMs from a Russian Excel file, rejecting each bad row with its line, column and reason', async () => {
    const result = roamcard('sims', 'import', file('sims.csv', SIM_FILE), '--lang', 'en');
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stdout, /sims\.csv: 12 rows\n {2}imported:\s+3\n {2}unchanged:\s+0\n {2}rejected:\s+9\n/);
    const rejected = result.stdout.split('Rejected rows (9):\n')[1]?.split('\n').slice(1, 10).map((line) => line.trim().split(/\s+/)[0]);
    assert.deepEqual(rejected, ['4', '5', '6', '7', '9', '10', '12', '14', '15']);
    assert.match(result.stdout, /^\s+4\s+iccid\s+\d+\s+The SIM serial number \(ICCID\) has a wrong check digit \(Luhn\)\.$/m);
    assert.match(result.stdout, /^\s+5\s+imsi\s+25099\s+The IMSI must have 14 or 15 digits\.$/m);
    assert.match(result.stdout, /^\s+6\s+msisdn\s+\+7 9\*\* \*23\s+This is not a valid phone number\.$/m);
    assert.match(result.stdout, /^\s+7\s+esim_activation_code\s+.*The eSIM activation code must look like/m);
    assert.match(result.stdout, /^\s+9\s+imsi\s+imsi is empty\.$/m);
    assert.match(result.stdout, /^\s+10\s+iccid\s+\d+\s+iccid appears twice in the file\. First at line 2\.$/m);
    assert.match(result.stdout, /^\s+12\s+msisdn\s+\+7910\*\*\*0509\s+msisdn appears twice in the file\. First at line 11\.$/m);
    assert.match(result.stdout, /^\s+14\s+row has more cells than the header has columns\.$/m);
    assert.match(result.stdout, /^\s+15\s+iccid\s+\d+\s+The SIM serial number \(ICCID\) must start with 89\.$/m);
    assert.doesNotMatch(result.stdout, /900 123|\+79100000509/, 'phone numbers are masked');
    assert.equal(result.stderr, '', 'no progress noise for a small file');

    assert.deepEqual((await sims()).map((row) => [row.iccid, row.imsi, row.msisdn, row.form_factor, row.esim_activation_code, row.status]), [
      [iccid(501), '250990000000501', '+79100000501', 'nano', null, 'in_stock'],
      [iccid(502), '250990000000502', '+79100000502', 'esim', 'LPA:1$smdp.example.com$K2-502', 'in_stock'],
      [iccid(509), '250990000000509', '+79100000509', 'nano', null, 'in_stock'],
    ]);
  });

  it('changes nothing when the same file is imported again, and says so in the chosen language', async () => {
    const before_rows = await sims();
    const result = roamcard('sims', 'import', path.join(folder, 'sims.csv'), '--lang', 'ru');
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stdout, /добавлено:\s+0\n {2}без изменений:\s+3\n {2}отклонено:\s+9\n/);
    assert.match(result.stdout, /^\s+4\s+iccid\s+\d+\s+Серийный номер SIM-карты \(ICCID\) содержит неверную контрольную цифру/m);
    assert.deepEqual(await sims(), before_rows);
  });

  it('exits 0 for a clean file, and reports every row unchanged the second time', async () => {
    const clean = file('clean.csv', ['iccid,imsi,msisdn', `${iccid(520)},250990000000520,+79100000520`, `${iccid(521)},250990000000521,+79100000521`].join('\n'));
    const first = roamcard('sims', 'import', clean, '--lang', 'en');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /imported:\s+2\n {2}unchanged:\s+0\n {2}rejected:\s+0\n$/);
    const before_rows = await sims();
    const second = roamcard('sims', 'import', clean, '--lang', 'en');
    assert.equal(second.status, 0, second.stderr);
    assert.match(second.stdout, /imported:\s+0\n {2}unchanged:\s+2\n {2}rejected:\s+0\n$/);
    assert.deepEqual(await sims(), before_rows);
  });

  it('refuses a file with a missing column, naming it, and imports nothing', async () => {
    const before_rows = await sims();
    const result = roamcard('sims', 'import', file('no-imsi.csv', `iccid;msisdn\n${iccid(530)};+79100000530\n`), '--lang', 'en');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no-imsi\.csv: imsi column is missing\./);
    assert.equal(result.stdout, '');
    assert.deepEqual(await sims(), before_rows);
    const dry = roamcard('sims', 'import', file('dry.csv', `iccid,imsi,msisdn\n${iccid(531)},250990000000531,+79100000531\n`), '--dry-run', '--lang', 'en');
    assert.equal(dry.status, 0, dry.stderr);
    assert.match(dry.stdout, /to import:\s+1\n[\s\S]*Dry run: nothing was written\./);
    assert.deepEqual(await sims(), before_rows);
  });

  it('reads the rows before a broken quote, then reports where the file stopped being CSV', async () => {
    const broken = file('broken.csv', ['iccid,imsi,msisdn', `${iccid(540)},250990000000540,+79100000540`, `${iccid(541)},"250990000000541,+79100000541`, `${iccid(542)},250990000000542,+79100000542`].join('\n'));
    const result = roamcard('sims', 'import', broken, '--lang', 'en');
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stdout, /imported:\s+1\n {2}unchanged:\s+0\n {2}rejected:\s+1\n/);
    assert.match(result.stdout, /^\s+3\s+row is not valid CSV/m);
  });

  it('shows 50 rejected rows and writes all of them to FILE.rejected.csv', async () => {
    const rows = Array.from({ length: 60 }, (_, index) => `${iccid(600 + index)},123,+7910000${String(600 + index).padStart(4, '0')}`);
    const many = file('many.csv', ['iccid,imsi,msisdn', `${iccid(599)},250990000000599,+79100000599`, ...rows].join('\n'));
    const result = roamcard('sims', 'import', many, '--lang', 'en');
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stdout, /imported:\s+1\n {2}unchanged:\s+0\n {2}rejected:\s+60\n/);
    assert.equal(result.stdout.match(/The IMSI must have 14 or 15 digits/g)?.length, 50);
    const rejected_path = path.join(folder, 'many.rejected.csv');
    assert.ok(result.stdout.includes(`Showing the first 50 of 60 rejected rows; all of them are in ${rejected_path}`));
    const written = readFileSync(rejected_path, 'utf8').split('\r\n');
    assert.equal(written[0], '\ufeffline,column,value,reason');
    assert.equal(written.length, 62, 'header, 60 rows, and the empty string after the last CRLF');
    assert.equal(written[60], '62,imsi,123,The IMSI must have 14 or 15 digits.');
    assert.ok(!written.join('\n').includes('+79100000659'), 'phone numbers are not in the file');

    // Once the rows are fixed, the stale list of rejections goes away.
    const fixed = roamcard('sims', 'import', file('many.csv', `iccid,imsi,msisdn\n${iccid(599)},250990000000599,+79100000599\n`), '--lang', 'en');
    assert.equal(fixed.status, 0, fixed.stderr);
    assert.equal(existsSync(rejected_path), false);
  });

  it('charges a usage file to the demo lines exactly once', async () => {
    assert.equal(roamcard('demo').status, 0);
    const lines = await db().selectFrom('lines').select(['id', 'msisdn']).execute();
    const line = (msisdn: string) => lines.find((candidate) => candidate.msisdn === msisdn)?.id ?? '';
    const wallet = async (msisdn: string) => (await db().selectFrom('ledger_accounts').select('balance_minor').where('id', '=', walletAccountId(line(msisdn))).executeTakeFirstOrThrow()).balance_minor;
    const data_left = async () => (await db().selectFrom('bundles').select('data_bytes_remaining').where('line_id', '=', line('+79001234567')).executeTakeFirstOrThrow()).data_bytes_remaining;
    const events = async () => db().selectFrom('usage_events').selectAll().where('event_id', 'like', 'u%').orderBy('event_id').execute();
    const data_before = await data_left();
    assert.equal(await wallet('+79001234569'), 12_050);

    // Five minutes from now in Moscow time: inside the demo packs, which start now.
    const at_ms = Date.now() + 5 * 60_000;
    const at_iso = new Date(at_ms + 3 * 3_600_000).toISOString().replace('Z', '+03:00');
    const usage = file('usage.csv', [
      'Event_ID,MSISDN,Kind,Quantity,At',
      `u1,+7 900 123-45-67,data,${BYTES_PER_MB},${at_iso}`, // 2: from the 5 GB pack
      `u2,+79001234569,sms,2,${at_ms}`, // 3: wallet 2 × 5.00
      `u3,8 900 123 45 68,sms,1,${at_iso}`, // 4: denied: no pack, no money
      `u4,+79001234567,fax,1,${at_iso}`, // 5
      'u5,+79001234567,data,1,2025-03-01 13:00', // 6
      `u6,+79991112233,data,1,${at_iso}`, // 7: no such line
      `u1,+79001234567,data,${BYTES_PER_MB},${at_iso}`, // 8: line 2 again
    ].join('\n'));
    const first = roamcard('usage', 'import', usage, '--lang', 'en');
    assert.equal(first.status, 3, first.stderr);
    assert.match(first.stdout, /usage\.csv: 7 rows\n {2}charged:\s+3\n {4}granted in full:\s+2\n {4}denied in part or in full:\s+1\n {2}charged to wallets:\s+10\.00 RUB\n {2}replayed \(charged before\):\s+0\n {2}rejected:\s+4\n/);
    assert.match(first.stdout, /^\s+5\s+kind\s+fax\s+kind must be data, voice or sms\.$/m);
    assert.match(first.stdout, /^\s+6\s+at\s+2025-03-01 13:00\s+at has no time zone \(add Z or \+03:00\)\.$/m);
    assert.match(first.stdout, /^\s+7\s+msisdn\s+\+7999\*\*\*2233\s+No line was found for this number\.$/m);
    assert.match(first.stdout, /^\s+8\s+event_id\s+u1\s+event_id appears twice in the file\. First at line 2\.$/m);
    assert.equal(await data_left(), data_before - BYTES_PER_MB);
    assert.equal(await wallet('+79001234569'), 12_050 - 1_000);
    assert.equal(await wallet('+79001234568'), 0);
    const charged = await events();
    assert.deepEqual(charged.map((event) => [event.event_id, event.from_bundles, event.from_wallet, event.denied, event.wallet_charge_minor]), [
      ['u1', BYTES_PER_MB, 0, 0, 0],
      ['u2', 0, 2, 0, 1_000],
      ['u3', 0, 0, 1, 0],
    ]);

    const second = roamcard('usage', 'import', usage, '--lang', 'en');
    assert.equal(second.status, 3, second.stderr);
    assert.match(second.stdout, /charged:\s+0\n {4}granted in full:\s+0\n {4}denied in part or in full:\s+0\n {2}charged to wallets:\s+0\.00 RUB\n {2}replayed \(charged before\):\s+3\n {2}rejected:\s+4\n/);
    assert.equal(await data_left(), data_before - BYTES_PER_MB);
    assert.equal(await wallet('+79001234569'), 12_050 - 1_000);
    assert.deepEqual(await events(), charged);
    const check = roamcard('check');
    assert.equal(check.status, 0, `the ledger invariants hold: ${check.stdout}${check.stderr}`);
  });

  it('refuses a usage file that names no line column', () => {
    const result = roamcard('usage', 'import', file('usage-nolines.csv', 'event_id;kind;quantity;at\nx;data;1;0\n'), '--lang', 'en');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /msisdn\/line_id column is missing\./);
  });
});
