import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { contextOver } from '../../../app/context.js';
import { loadConfig } from '../../../config.js';
import { luhnCheckDigit } from '../../../core/iccid.js';
import { minorToDecimalString } from '../../../core/money.js';
import { BYTES_PER_MB } from '../../../core/units.js';
import { systemClock } from '../../../ports/clock.js';
import { walletAccountId } from '../../../services/ledger/accounts.js';
import { describeEachDatabase, type TestDatabase } from '../../../testing/databases.js';
import { processSuite, ROAMCARD_MAIN } from '../../../testing/roamcard-process.js';

/**
 * End to end: the compiled `roamcard` binary on real files, as an operator runs it, against SQLite
 * (DATA_DIR) and PostgreSQL (DATABASE_URL pointing at the suite's own schema).
 */

function iccid(serial: number): string {
  const payload = `8970199${String(serial).padStart(11, '0')}`;
  return payload + luhnCheckDigit(payload);
}

/** "8970199000000005016" → "8970 1990 0000 0005 016", as printed on SIM packaging. */
const spaced = (digits: string) => digits.replace(/(\d{4})(?=\d)/g, '$1 ');

/** Bytes a terminal acts on, as they would arrive from a file: none of them may reach the terminal. */
const TERMINAL_CONTROLS: ReadonlyArray<[string, string]> = [
  ['ESC', '\x1b'], ['BEL', '\x07'], ['CR', '\r'], ['C1 CSI', '\u009b'], ['NEL', '\u0085'],
  ['RLO', '\u202e'], ['LRI', '\u2066'], ['PDI', '\u2069'], ['ZWSP', '\u200b'], ['LINE SEPARATOR', '\u2028'],
];

function assertNoTerminalControls(output: Buffer, what: string): void {
  for (const [name, character] of TERMINAL_CONTROLS) {
    assert.equal(output.includes(Buffer.from(character, 'utf8')), false, `${what} carries ${name} from the file`);
  }
}

/** The compiled CLI run against the suite's database, on files in a temporary folder. */
function cliHarness(t: TestDatabase, prefix: string) {
  const suite = processSuite(t, prefix, () => ({ SQLITE_SYNCHRONOUS: 'normal', ROAMCARD_LANG: '', LANG: 'C' }));

  function roamcard(...args: string[]) {
    const result = spawnSync(process.execPath, [ROAMCARD_MAIN, ...args], { env: suite.env(), encoding: 'utf8', timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** The same, with the output as the bytes the terminal would receive. */
  function roamcardBytes(...args: string[]) {
    const result = spawnSync(process.execPath, [ROAMCARD_MAIN, ...args], { env: suite.env(), timeout: 60_000 });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  function file(name: string, content: string): string {
    const file_path = path.join(suite.folder(), name);
    writeFileSync(file_path, content);
    return file_path;
  }

  return { database: suite.database, db: () => suite.database().db, roamcard, roamcardBytes, file, folder: suite.folder };
}

describeEachDatabase('CLI: sims import and usage import', (t) => {
  const { db, roamcard, roamcardBytes, file, folder: cliFolder } = cliHarness(t, 'roamcard-cli-import-');

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

    assert.deepEqual((await sims()).map((row) => [
      row.iccid, row.imsi, row.msisdn, row.form_factor, row.esim_activation_code, row.status,
    ]), [
      [iccid(501), '250990000000501', '+79100000501', 'nano', null, 'in_stock'],
      [iccid(502), '250990000000502', '+79100000502', 'esim', 'LPA:1$smdp.example.com$K2-502', 'in_stock'],
      [iccid(509), '250990000000509', '+79100000509', 'nano', null, 'in_stock'],
    ]);
  });

  it('changes nothing when the same file is imported again, and says so in the chosen language', async () => {
    const before_rows = await sims();
    const result = roamcard('sims', 'import', path.join(cliFolder(), 'sims.csv'), '--lang', 'ru');
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

  /** Ten SIM rows, the third of them (line 4) changed by `broken`. */
  function tenSims(first_serial: number, broken: (row: string) => string): string {
    const rows = Array.from({ length: 10 }, (_, index) => {
      const serial = first_serial + index;
      const row = `${iccid(serial)},2509900000${String(serial).padStart(5, '0')},+7910000${String(serial).padStart(4, '0')}`;
      return index === 2 ? broken(row) : row;
    });
    return ['iccid,imsi,msisdn', ...rows].join('\n') + '\n';
  }

  const simsFrom = (first_serial: number) => db().selectFrom('sims').select('iccid').where('iccid', 'in', Array.from({ length: 10 }, (_, index) => iccid(first_serial + index))).execute();

  it('refuses a file whose row 3 of 10 opens a quote that is never closed: nothing is imported, the line is named', async () => {
    const broken = file('unclosed.csv', tenSims(540, (row) => row.replace(',25099', ',"25099')));
    const result = roamcard('sims', 'import', broken, '--lang', 'en');
    assert.equal(result.status, 1, result.stdout);
    assert.equal(result.stdout, '', 'no summary: nothing was imported');
    assert.match(result.stderr, /unclosed\.csv: The file is not valid CSV at line 4: a quote opens a cell and is not closed where the cell ends, so the rows after it cannot be told apart\. Nothing was imported\./);
    assert.deepEqual(await simsFrom(540), []);
  });

  it('refuses a file whose stray quote would swallow the rows up to the next quote, rather than import a merged row', async () => {
    // Line 4 opens a quote; line 8 quotes a cell. Read leniently, lines 4 to 8 become one row.
    const rows = tenSims(550, (row) => row.replace(',25099', ',"25099')).split('\n');
    rows[7] = rows[7]?.replace(/,(\+\d+)$/, ',"$1"') ?? '';
    const result = roamcard('sims', 'import', file('swallowing.csv', rows.join('\n')), '--lang', 'ru');
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stderr, /swallowing\.csv: Файл не является корректным CSV в строке 4/);
    assert.deepEqual(await simsFrom(550), []);
  });

  it('keeps a quote inside a cell as text: that row is rejected with its line, the rows after it are imported', async () => {
    const result = roamcard('sims', 'import', file('inner-quote.csv', tenSims(560, (row) => row.replace(/^(\d{4})/, '$1"'))), '--lang', 'en');
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stdout, /imported:\s+9\n {2}unchanged:\s+0\n {2}rejected:\s+1\n/);
    assert.match(result.stdout, /^\s+4\s+iccid\s+\d{4}"\d+\s+The SIM serial number \(ICCID\) must contain digits only\.$/m);
    assert.equal((await simsFrom(560)).length, 9);
  });

  it('never echoes control characters from the file, its name or its columns to the terminal', () => {
    const evil = '\x1b[2J\x1b]8;;http://x\x07\r\u009b31m\u0085\u202e\u2066\u2069\u200b\u2028';
    const name = `ctl-${evil.replaceAll('/', '_')}.csv`; // any byte but / and NUL can be in a file name
    const rows = [
      `${iccid(570)},"250${evil}",+79100000570`,
      `"${evil}${iccid(571)}",250990000000571,+79100000571`,
      ...Array.from({ length: 55 }, (_, index) => `${iccid(572 + index)},"1${evil}",+7911000${String(index).padStart(4, '0')}`),
    ];
    const rejected = roamcardBytes('sims', 'import', file(name, ['iccid,imsi,msisdn', ...rows].join('\n')), '--lang', 'en');
    assert.equal(rejected.status, 3, rejected.stderr.toString());
    assertNoTerminalControls(rejected.stdout, 'the rejection list');
    assertNoTerminalControls(rejected.stderr, 'stderr');
    const text = rejected.stdout.toString('utf8');
    assert.match(text, /^\s+2\s+imsi\s+250\\x1B\[2J\\x1B\]8;;http:\/\/x\\x07/m, 'shown escaped, so the operator sees what is there');
    assert.ok(text.includes('ctl-\\x1B[2J'), 'the file name, escaped, in the summary and the pointer to FILE.rejected.csv');
    assert.match(text, /\\u202E\\u2066\\u2069\\u200B\\u2028/);

    const refused = roamcardBytes('sims', 'import', file(name, `iccid,imsi,msisdn,"x${evil}","X${evil}"\n`), '--lang', 'en');
    assert.equal(refused.status, 1);
    assertNoTerminalControls(refused.stdout, 'stdout');
    assertNoTerminalControls(refused.stderr, 'the refusal');
    // Column names are compared in lower case: the refusal names the second one as read.
    assert.match(refused.stderr.toString('utf8'), /x\\x1B\[2j.* appears twice in the file/);

    const unreadable = roamcardBytes('sims', 'import', path.join(cliFolder(), `missing-${evil}.csv`), '--lang', 'en');
    assert.equal(unreadable.status, 1);
    assertNoTerminalControls(unreadable.stderr, 'the refusal of a missing file');
  });

  it('shows 50 rejected rows and writes all of them to FILE.rejected.csv', async () => {
    const rows = Array.from({ length: 60 }, (_, index) => `${iccid(600 + index)},123,+7910000${String(600 + index).padStart(4, '0')}`);
    const many = file('many.csv', ['iccid,imsi,msisdn', `${iccid(599)},250990000000599,+79100000599`, ...rows].join('\n'));
    const result = roamcard('sims', 'import', many, '--lang', 'en');
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stdout, /imported:\s+1\n {2}unchanged:\s+0\n {2}rejected:\s+60\n/);
    assert.equal(result.stdout.match(/The IMSI must have 14 or 15 digits/g)?.length, 50);
    const rejected_path = path.join(cliFolder(), 'many.rejected.csv');
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

  it('neutralises formulas in FILE.rejected.csv: a cell that a spreadsheet would run is written as text', () => {
    // Cells are trimmed when read, so the tab of '\t=1' goes; the writer's own tests cover a leading tab.
    const formulas = ['=HYPERLINK("http://x","y")', '@SUM(1)', '-1', '+1', '\t=1', '=cmd|\' /C calc\'!A0'];
    const rows = Array.from({ length: 54 }, (_, index) => {
      const serial = 700 + index;
      const imsi = formulas[index % formulas.length] ?? '';
      return `${iccid(serial)},"${imsi.replaceAll('"', '""')}",+7912000${String(serial).padStart(4, '0')}`;
    });
    rows.push(`${iccid(760)},250990000000760,+7 900 123`); // a bad phone number: masked, and still a "+…" cell
    const result = roamcard('sims', 'import', file('formulas.csv', ['iccid,imsi,msisdn', ...rows].join('\n')), '--lang', 'en');
    assert.equal(result.status, 3, result.stderr);
    const written = readFileSync(path.join(cliFolder(), 'formulas.rejected.csv'), 'utf8');
    const lines = written.split('\r\n');
    assert.equal(lines[1], '2,imsi,"\'=HYPERLINK(""http://x"",""y"")",The IMSI must have 14 or 15 digits.');
    assert.equal(lines[2], '3,imsi,"\'@SUM(1)",The IMSI must have 14 or 15 digits.');
    assert.equal(lines[3], '4,imsi,"\'-1",The IMSI must have 14 or 15 digits.');
    assert.equal(lines[4], '5,imsi,"\'+1",The IMSI must have 14 or 15 digits.');
    assert.equal(lines[5], '6,imsi,"\'=1",The IMSI must have 14 or 15 digits.');
    assert.equal(lines[6], '7,imsi,"\'=cmd|\' /C calc\'!A0",The IMSI must have 14 or 15 digits.');
    assert.equal(lines[55], '56,msisdn,"\'+7 9** *23",This is not a valid phone number.');
    // Whatever a spreadsheet reads from the file, no cell starts a formula.
    for (const record of parseCsv(written, { bom: true, relax_column_count: true }) as string[][]) {
      for (const cell of record) assert.doesNotMatch(cell, /^\s*[=+\-@\t\r]/, `cell ${cell}`);
    }
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
    assert.deepEqual(charged.map((event) => [
      event.event_id, event.from_bundles, event.from_wallet, event.denied, event.wallet_charge_minor,
    ]), [
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

  it('refuses a usage file whose row 3 of 10 has a stray quote, and charges nothing', async () => {
    const at_ms = Date.now();
    const rows = Array.from({ length: 10 }, (_, index) => `q${index},+79001234569,sms,1,${at_ms}`);
    rows[2] = `q2,"+79001234569,sms,1,${at_ms}`;
    rows[6] = `q6,+79001234569,"sms",1,${at_ms}`;
    const result = roamcard('usage', 'import', file('usage-quote.csv', ['event_id,msisdn,kind,quantity,at', ...rows].join('\n')), '--lang', 'en');
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stderr, /usage-quote\.csv: The file is not valid CSV at line 4:/);
    assert.deepEqual(await db().selectFrom('usage_events').select('event_id').where('event_id', 'like', 'q%').execute(), []);
  });

  it('never echoes control characters from a usage file to the terminal', () => {
    const evil = '\x1b[2J\x07\r\u009b\u202e\u2066';
    const result = roamcardBytes('usage', 'import', file(`usage-${evil}.csv`, `event_id,msisdn,kind,quantity,at\n"e${evil}",+79001234569,"fax${evil}",1,${Date.now()}\n`), '--lang', 'zh-Hans');
    assert.equal(result.status, 3, result.stderr.toString());
    assertNoTerminalControls(result.stdout, 'the usage rejection list');
    assertNoTerminalControls(result.stderr, 'stderr');
    assert.match(result.stdout.toString('utf8'), /^\s+2\s+kind\s+fax\\x1B\[2J\\x07↵\\x9B\\u202E\\u2066\s+kind必须为data、voice或sms。$/m);
  });
});

describeEachDatabase('CLI: payments import-statement', (t) => {
  const { database, db, roamcard, roamcardBytes, file } = cliHarness(t, 'roamcard-cli-statement-');
  const transfers: Array<{ reference: string; amount_minor: number; provider_payment_id: string }> = [];

  before(async () => {
    assert.equal(roamcard('demo').status, 0);
    const context = contextOver(loadConfig({ LOG_LEVEL: 'silent' }), database(), systemClock, { environment: {} });
    for (const [index, msisdn] of ['+79001234567', '+79001234568', '+79001234569', '+79001234567', '+79001234568'].entries()) {
      const { order } = await context.renewal.createOrder({ line: { msisdn }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: `statement-order-${index}` });
      const { payment } = await context.renewal.startPayment({ order_id: order.id, method: 'bank_transfer', idempotency_key: `statement-pay-${index}` });
      const action = payment.next_action?.type === 'bank_transfer' ? payment.next_action : assert.fail('no bank transfer reference');
      transfers.push({ reference: action.reference, amount_minor: order.amount_minor, provider_payment_id: payment.provider_payment_id ?? '' });
    }
  });

  const transfer = (index: number) => transfers[index] ?? assert.fail(`transfer ${index}`);
  const amount = (index: number) => minorToDecimalString(transfer(index).amount_minor);
  const statuses = async () => {
    const rows = await db().selectFrom('bank_transfers').select(['id', 'status']).where('id', 'in', transfers.map((row) => row.provider_payment_id)).execute();
    return transfers.map((row) => rows.find((payment) => payment.id === row.provider_payment_id)?.status);
  };

  it('refuses a statement without an amount column, and settles nothing', async () => {
    const result = roamcard('payments', 'import-statement', file('no-amount.csv', `reference\n${transfer(0).reference}\n`), '--lang', 'en');
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no-amount\.csv: amount column is missing\./);
    assert.equal(result.stdout, '');
    assert.deepEqual(await statuses(), Array(5).fill('pending'));
  });

  it('exits 0 when every line settles a transfer, and again when the same statement is imported twice', async () => {
    // A Russian bank's export: semicolons, decimal commas, spaces in thousands, a lower-case reference.
    const statement = file('statement.csv', [
      'Дата;Reference;Amount;Назначение',
      `01.03.2025;${transfer(0).reference};${amount(0).replace('.', ',')};Оплата по счёту ${transfer(0).reference}`,
      `01.03.2025; ${transfer(1).reference.toLowerCase()} ;${amount(1)};"Оплата, ООО ""Ромашка"""`,
    ].join('\r\n'));
    const first = roamcard('payments', 'import-statement', statement, '--lang', 'en');
    assert.equal(first.status, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /^statement\.csv: 2 rows\n {2}settled:\s+2\n {2}already settled:\s+0\n {2}rejected:\s+0\n$/);
    assert.deepEqual(await statuses(), ['settled', 'settled', 'pending', 'pending', 'pending']);

    const second = roamcard('payments', 'import-statement', statement, '--lang', 'ru');
    assert.equal(second.status, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /зачтено:\s+0\n {2}уже зачтено ранее:\s+2\n {2}отклонено:\s+0\n$/);
  });

  it('exits 3 and lists each rejected line with its number and reason; the good lines still settle', async () => {
    const statement = file('mixed.csv', [
      'reference,amount',
      `${transfer(2).reference},${amount(2)}`, // 2: settled
      `${transfer(0).reference},${amount(0)}`, // 3: already settled
      `RC-NOSUCHREF0,${amount(2)}`, // 4: unknown reference
      `${transfer(3).reference},${minorToDecimalString(transfer(3).amount_minor - 100)}`, // 5: amount differs
      `${transfer(4).reference},19O.00`, // 6: not an amount
      `,${amount(4)}`, // 7: no reference
      `${transfer(4).reference},0`, // 8: zero
      `${transfer(2).reference},${amount(2)}`, // 9: paid twice in one statement: a person must look
      `${transfer(4).reference},190.001`, // 10: too many decimals
    ].join('\n'));
    const result = roamcard('payments', 'import-statement', statement, '--lang', 'en');
    assert.equal(result.status, 3, result.stderr);
    assert.match(result.stdout, /^mixed\.csv: 9 rows\n {2}settled:\s+1\n {2}already settled:\s+1\n {2}rejected:\s+7\n/m);
    const listed = result.stdout.split('Rejected rows (7):\n')[1]?.split('\n').slice(1, 8).map((line) => line.trim().split(/\s+/)[0]);
    assert.deepEqual(listed, ['4', '5', '6', '7', '8', '9', '10']);
    assert.match(result.stdout, /^\s+4\s+reference\s+RC-NOSUCHREF0\s+reference matches no bank transfer\.$/m);
    assert.match(result.stdout, /^\s+5\s+amount\s+[\d.]+\s+amount is not the amount due for the bank transfer with this reference\.$/m);
    assert.match(result.stdout, /^\s+6\s+amount\s+19O\.00\s+The amount \(amount\) has the wrong format\.$/m);
    assert.match(result.stdout, /^\s+7\s+reference\s+reference is empty\.$/m);
    assert.match(result.stdout, /^\s+8\s+amount\s+0\s+The amount \(amount\) must be greater than zero\.$/m);
    assert.match(result.stdout, /^\s+9\s+reference\s+RC-\w+\s+reference appears twice in the file\. First at line 2\.$/m);
    assert.match(result.stdout, /^\s+10\s+amount\s+190\.001\s+The amount \(amount\) has too many decimals\.$/m);
    assert.deepEqual(await statuses(), ['settled', 'settled', 'settled', 'pending', 'pending']);

    for (const [language, unknown] of [['ru', 'reference: не совпадает ни с одним банковским переводом.'], ['zh-Hans', 'reference与任何银行转账都不匹配。'], ['zh-Hant', 'reference與任何銀行轉帳都不相符。']] as const) {
      const localized = roamcard('payments', 'import-statement', statement, '--lang', language);
      assert.equal(localized.status, 3);
      assert.ok(localized.stdout.includes(unknown), `${language}: ${localized.stdout}`);
    }
  });

  it('rejects money for a transfer whose order closed, for a person to return it', async () => {
    const context = contextOver(loadConfig({ LOG_LEVEL: 'silent' }), database(), systemClock, { environment: {} });
    const { order } = await context.renewal.createOrder({ line: { msisdn: '+79001234569' }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: 'statement-closed-order' });
    const { payment } = await context.renewal.startPayment({ order_id: order.id, method: 'bank_transfer', idempotency_key: 'statement-closed-pay' });
    await context.renewal.cancelOrder(order.id);
    const reference = payment.next_action?.type === 'bank_transfer' ? payment.next_action.reference : assert.fail('no bank transfer reference');
    const result = roamcard('payments', 'import-statement', file('late.csv', `reference,amount\n${reference},${minorToDecimalString(order.amount_minor)}\n`), '--lang', 'en');
    assert.equal(result.status, 3, result.stdout + result.stderr);
    assert.match(result.stdout, /^\s+2\s+reference\s+RC-\w+\s+reference pays a bank transfer whose order had already closed: return the money/m);
    assert.equal((await context.renewal.getOrder(order.id)).order.state, 'canceled');
  });

  it('refuses a statement whose row 3 of 10 has a stray quote, and settles none of its lines', async () => {
    const rows = [`${transfer(3).reference},${amount(3)}`, ...Array.from({ length: 9 }, (_, index) => `RC-NOSUCHREF${index},1.00`)];
    rows[2] = `"RC-NOSUCHREFX,1.00`;
    rows[6] = `"RC-NOSUCHREFY",1.00`;
    const result = roamcard('payments', 'import-statement', file('quote.csv', ['reference,amount', ...rows].join('\n')), '--lang', 'en');
    assert.equal(result.status, 1, result.stdout);
    assert.match(result.stderr, /quote\.csv: The file is not valid CSV at line 4:/);
    assert.deepEqual(await statuses(), ['settled', 'settled', 'settled', 'pending', 'pending']);
  });

  it('never echoes control characters from a statement to the terminal', () => {
    const evil = '\x1b[2J\x07\r\u009b\u202e\u2066';
    const result = roamcardBytes('payments', 'import-statement', file(`statement-${evil}.csv`, `reference,amount\n"RC-${evil}",1.00\n`), '--lang', 'en');
    assert.equal(result.status, 3, result.stderr.toString());
    assertNoTerminalControls(result.stdout, 'the statement rejection list');
    assertNoTerminalControls(result.stderr, 'stderr');
    assert.match(result.stdout.toString('utf8'), /^statement-\\x1B\[2J\\x07↵\\x9B\\u202E\\u2066\.csv: 1 rows$/m);
    assert.match(result.stdout.toString('utf8'), /^\s+2\s+reference\s+RC-\\x1B\[2J\\x07↵\\x9B\\u202E\\u2066\s+reference matches no bank transfer/m);
  });
});
