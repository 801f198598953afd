import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RoamError } from '../../core/errors.js';
import { luhnCheckDigit } from '../../core/iccid.js';
import { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { importSims, type ImportRecord, type RejectedRow, type SimImportOptions, type SimImportProgress } from './import-sims.js';

const T0_MS = Date.UTC(2025, 2, 1, 9, 0, 0);
const COLUMNS = ['iccid', 'imsi', 'msisdn', 'form_factor', 'esim_activation_code'];

function iccid(serial: number): string {
  const payload = `8970199${String(serial).padStart(11, '0')}`;
  return payload + luhnCheckDigit(payload);
}

function sim(serial: number, overrides: Record<string, string> = {}): Record<string, string> {
  return { iccid: iccid(serial), imsi: `25099${String(serial).padStart(10, '0')}`, msisdn: `+7910${String(serial).padStart(7, '0')}`, ...overrides };
}

/** Rows as a file would give them: the header is line 1, so the first row is line 2. */
async function* recordsOf(rows: ReadonlyArray<Record<string, string> | ImportRecord>): AsyncGenerator<ImportRecord> {
  let line_number = 2;
  for (const row of rows) {
    yield 'line_number' in row && typeof row.line_number === 'number' ? (row as ImportRecord) : { line_number, values: row as Record<string, string> };
    line_number += 1;
  }
}

async function run(
  database: Parameters<typeof importSims>[0],
  rows: ReadonlyArray<Record<string, string> | ImportRecord>,
  options: Partial<SimImportOptions> = {},
) {
  const rejected: RejectedRow[] = [];
  const progress: SimImportProgress[] = [];
  const summary = await importSims(database, { columns: COLUMNS, records: recordsOf(rows) }, {
    clock: new ManualClock(T0_MS),
    onRejected: (row) => rejected.push(row),
    onProgress: (step) => progress.push(step),
    ...options,
  });
  const brief = rejected.map((row) => `${row.line_number} ${row.column} ${row.error.code} ${row.error.params.reason ?? ''}${row.error.params.line ? ` @${row.error.params.line}` : ''}`);
  return { summary, rejected, brief, progress };
}

async function inventory(database: Parameters<typeof importSims>[0]) {
  return database.db.selectFrom('sims').selectAll().orderBy('iccid').execute();
}

describeEachDatabase('SIM inventory import', (t) => {
  // Line 2.. of a file with every kind of row the import must tell apart.
  const MIXED_FILE = [
    sim(1, { iccid: '8970 1990 0000 0000 015', msisdn: '+7 910 000-00-01' }), // 2: spaces and dashes: fine
    sim(2, { form_factor: 'esim', esim_activation_code: 'LPA:1$smdp.example.com$K2-1ABC2-3DEF4' }), // 3: eSIM
    sim(3, { iccid: `${iccid(3).slice(0, -1)}${(Number(iccid(3).slice(-1)) + 1) % 10}` }), // 4: Luhn
    sim(4, { iccid: iccid(4).slice(0, 17) }), // 5: length
    sim(5, { iccid: `88${iccid(5).slice(2)}` }), // 6: prefix
    sim(6, { imsi: '25099' }), // 7: IMSI
    sim(7, { msisdn: '+7 123' }), // 8: MSISDN
    sim(8, { form_factor: 'esim', esim_activation_code: 'not-a-code' }), // 9: eSIM code format
    sim(9, { form_factor: 'esim' }), // 10: eSIM code missing
    sim(10, { imsi: '  ' }), // 11: missing value
    sim(11, { iccid: iccid(1) }), // 12: ICCID of line 2 again
    sim(12, { imsi: '250990000000002' }), // 13: IMSI of line 3 again
    sim(13, { msisdn: '8 910 000 00 01' }), // 14: MSISDN of line 2, spelled otherwise
    sim(14), // 15: fine
    sim(15, { form_factor: 'floppy' }), // 16: unknown form factor
  ];
  const MIXED_REJECTIONS = [
    '4 iccid ROAM_ERR_ICCID_INVALID luhn',
    '5 iccid ROAM_ERR_ICCID_INVALID length',
    '6 iccid ROAM_ERR_ICCID_INVALID prefix',
    '7 imsi ROAM_ERR_IMSI_INVALID format',
    '8 msisdn ROAM_ERR_MSISDN_INVALID invalid',
    '9 esim_activation_code ROAM_ERR_ESIM_CODE_INVALID format',
    '10 esim_activation_code ROAM_ERR_VALIDATION esim_code_required',
    '11 imsi ROAM_ERR_VALIDATION empty',
    '12 iccid ROAM_ERR_VALIDATION duplicate_in_file @2',
    '13 imsi ROAM_ERR_VALIDATION duplicate_in_file @3',
    '14 msisdn ROAM_ERR_VALIDATION duplicate_in_file @2',
    '16 form_factor ROAM_ERR_VALIDATION unknown_form_factor',
  ];

  it('imports the valid rows, normalized, and rejects each bad row with its line and reason', async () => {
    const { summary, brief, rejected } = await run(t.database, MIXED_FILE);
    assert.deepEqual(summary, { rows_read: 15, imported: 3, unchanged: 0, rejected: 12, dry_run: false });
    assert.deepEqual(brief, MIXED_REJECTIONS);
    assert.equal(rejected.find((row) => row.line_number === 8)?.value, '+7 123', 'the raw value is reported, for the channel to mask');
    const rows = await inventory(t.database);
    assert.deepEqual(rows.map(({ iccid: id, imsi, msisdn, form_factor, esim_activation_code, status, created_at_ms }) => ({
      id, imsi, msisdn, form_factor, esim_activation_code, status, created_at_ms,
    })), [
      { id: iccid(1), imsi: '250990000000001', msisdn: '+79100000001', form_factor: 'nano', esim_activation_code: null, status: 'in_stock', created_at_ms: T0_MS },
      { id: iccid(2), imsi: '250990000000002', msisdn: '+79100000002', form_factor: 'esim', esim_activation_code: 'LPA:1$smdp.example.com$K2-1ABC2-3DEF4', status: 'in_stock', created_at_ms: T0_MS },
      { id: iccid(14), imsi: '250990000000014', msisdn: '+79100000014', form_factor: 'nano', esim_activation_code: null, status: 'in_stock', created_at_ms: T0_MS },
    ]);
  });

  it('changes nothing when the same file is imported again: valid rows are unchanged', async () => {
    const before = await inventory(t.database);
    const { summary, brief } = await run(t.database, MIXED_FILE, { clock: new ManualClock(T0_MS + 60_000) });
    assert.deepEqual(summary, { rows_read: 15, imported: 0, unchanged: 3, rejected: 12, dry_run: false });
    assert.deepEqual(brief, MIXED_REJECTIONS);
    assert.deepEqual(await inventory(t.database), before);
  });

  it('rejects a SIM already in inventory with other data, naming the field taken', async () => {
    assert.equal((await run(t.database, [sim(23)])).summary.imported, 1);
    const { summary, brief } = await run(t.database, [
      sim(1, { imsi: '250990000000999' }), // same ICCID, other IMSI
      sim(20, { imsi: '250990000000002' }), // new ICCID, IMSI taken by SIM 2
      sim(21, { msisdn: '+79100000014' }), // new ICCID, MSISDN taken by SIM 14
      sim(23, { form_factor: 'esim', esim_activation_code: 'LPA:1$smdp.example.com$X-23' }), // same numbers, now an eSIM
      sim(22),
    ]);
    assert.deepEqual(summary, { rows_read: 5, imported: 1, unchanged: 0, rejected: 4, dry_run: false });
    assert.deepEqual(brief, [
      '2 iccid ROAM_ERR_SIM_EXISTS exists_differently',
      '3 imsi ROAM_ERR_SIM_EXISTS exists_differently',
      '4 msisdn ROAM_ERR_SIM_EXISTS exists_differently',
      '5 iccid ROAM_ERR_SIM_EXISTS exists_differently',
    ]);
    const sim1 = await t.database.db.selectFrom('sims').selectAll().where('iccid', '=', iccid(1)).executeTakeFirstOrThrow();
    assert.equal(sim1.imsi, '250990000000001', 'the existing SIM is untouched');
  });

  it('refuses a file without a required column before reading any row, and imports nothing', async () => {
    const count_before = (await inventory(t.database)).length;
    let rows_pulled = 0;
    async function* records(): AsyncGenerator<ImportRecord> {
      rows_pulled += 1;
      yield { line_number: 2, values: sim(30) };
    }
    await assert.rejects(
      importSims(t.database, { columns: ['iccid', 'msisdn'], records: records() }, { clock: new ManualClock(T0_MS) }),
      (error: unknown) => error instanceof RoamError && error.code === 'ROAM_ERR_VALIDATION' && error.params.field === 'imsi' && error.params.reason === 'missing_column',
    );
    assert.equal(rows_pulled, 0);
    assert.equal((await inventory(t.database)).length, count_before);
  });

  it('in a dry run reports what would happen and writes nothing', async () => {
    const before = await inventory(t.database);
    const { summary, brief } = await run(t.database, [sim(40), sim(1), sim(41, { imsi: '250990000000002' }), sim(42, { iccid: '123' })], { dry_run: true });
    assert.deepEqual(summary, { rows_read: 4, imported: 1, unchanged: 1, rejected: 2, dry_run: true });
    assert.deepEqual(brief, ['4 imsi ROAM_ERR_SIM_EXISTS exists_differently', '5 iccid ROAM_ERR_ICCID_INVALID length']);
    assert.deepEqual(await inventory(t.database), before);
  });

  it('writes batch by batch, reports progress after each, and a bad row costs only itself', async () => {
    const rows = [sim(50), sim(51), sim(52, { msisdn: 'x' }), sim(53), sim(54), sim(55), sim(56)];
    const { summary, progress, brief } = await run(t.database, rows, { batch_size: 3 });
    assert.deepEqual(summary, { rows_read: 7, imported: 6, unchanged: 0, rejected: 1, dry_run: false });
    assert.deepEqual(brief, ['4 msisdn ROAM_ERR_MSISDN_INVALID invalid']);
    assert.deepEqual(progress.map((step) => [step.rows_read, step.imported, step.rejected]), [[3, 2, 1], [6, 5, 1], [7, 6, 1]]);
    const imported = await t.database.db.selectFrom('sims').select('iccid').where('iccid', 'in', [50, 51, 53, 54, 55, 56].map(iccid)).execute();
    assert.equal(imported.length, 6);
  });

  it('rejects rows the CSV reader could not read, with the reader\'s reason', async () => {
    const { summary, brief } = await run(t.database, [
      { line_number: 2, values: sim(60), problem: 'column_count' },
      { line_number: 3, values: sim(61) },
      { line_number: 9, values: {}, problem: 'csv_syntax' },
    ]);
    assert.deepEqual(summary, { rows_read: 3, imported: 1, unchanged: 0, rejected: 2, dry_run: false });
    assert.deepEqual(brief, ['2  ROAM_ERR_VALIDATION column_count', '9  ROAM_ERR_VALIDATION csv_syntax']);
  });

  it('two imports of one file at once: each SIM is imported exactly once, the rest is unchanged', async () => {
    const rows = Array.from({ length: 40 }, (_, index) => sim(100 + index));
    const [first, second] = await Promise.all([run(t.database, rows, { batch_size: 7 }), run(t.database, rows, { batch_size: 5 })]);
    assert.equal(first.summary.rejected + second.summary.rejected, 0);
    assert.equal(first.summary.imported + second.summary.imported, 40);
    assert.equal(first.summary.unchanged + second.summary.unchanged, 40);
    const stored = await t.database.db.selectFrom('sims').select('iccid').where('iccid', 'in', rows.map((row) => row.iccid ?? '')).execute();
    assert.equal(stored.length, 40);
  });
});
