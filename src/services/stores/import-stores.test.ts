import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { RoamError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seededContext, type SeededContext } from '../../testing/seeded-context.js';
import {
  importStores, STORE_IMPORT_ROWS_MAX, type ImportRecord, type RejectedRow, type StoreImportOptions, type StoreImportProgress,
} from './import-stores.js';

const COLUMNS = [
  'code', 'kind', 'partner', 'chain', 'name', 'city', 'address', 'address_ru', 'time_zone', 'latitude', 'longitude', 'opening_hours', 'renews',
];

/** A partner store of the demo partner (chain Perekrestok) in Tula, open every day; `overrides` change any cell. */
function store(code: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    code, kind: 'partner_store', partner: 'demo-store', chain: '', name: `Perekrestok, ${code}`, city: 'Tula', address: 'Lenina Ave 85',
    address_ru: 'проспект Ленина, 85', time_zone: '', latitude: '54.1931', longitude: '37.6173', opening_hours: '08:00-22:00', renews: '', ...overrides,
  };
}

/** The demo's Sheremetyevo hall, cell for cell as the demo seeds it. */
const SVO_HALL = {
  code: 'svo-hall', kind: 'service_hall', partner: '', chain: '', name: 'roamcard Service Hall, Sheremetyevo Terminal C', city: 'Moscow',
  address: 'Sheremetyevo Airport, Terminal C, arrivals, 1st floor', address_ru: 'Аэропорт Шереметьево, терминал C, зона прилёта, 1-й этаж',
  time_zone: 'Europe/Moscow', latitude: '55.9726', longitude: '37.4146', opening_hours: '08:00-23:00', renews: 'yes',
};

/** Rows as a file would give them: the header is line 1, so the first row is line 2. */
async function* recordsOf(rows: ReadonlyArray<Record<string, string> | ImportRecord>): AsyncGenerator<ImportRecord> {
  let line_number = 2;
  for (const row of rows) {
    yield 'line_number' in row && typeof row.line_number === 'number' ? (row as ImportRecord) : { line_number, values: row as Record<string, string> };
    line_number += 1;
  }
}

describeEachDatabase('store import', (test_db) => {
  let seeded: SeededContext;

  before(async () => {
    seeded = await seededContext(test_db.database);
  });

  after(async () => {
    await seeded?.context.close();
  });

  async function run(rows: ReadonlyArray<Record<string, string> | ImportRecord>, options: Partial<StoreImportOptions> = {}) {
    const rejected: RejectedRow[] = [];
    const progress: StoreImportProgress[] = [];
    const summary = await importStores(test_db.database, { columns: COLUMNS, records: recordsOf(rows) }, {
      clock: seeded.clock,
      onRejected: (row) => rejected.push(row),
      onProgress: (step) => progress.push(step),
      ...options,
    });
    const brief = rejected.map((row) => `${row.line_number} ${row.column} ${row.error.code} ${row.error.params.reason ?? ''}`
      + `${row.error.params.line ? ` @${row.error.params.line}` : ''}${row.value === '' ? '' : ` [${row.value}]`}`);
    return { summary, rejected, brief, progress };
  }

  const stores = (database: Database) => database.db.selectFrom('stores').selectAll().orderBy('code').execute();
  const cashDrawers = (database: Database) =>
    database.db.selectFrom('ledger_accounts').select(['id', 'kind', 'name']).where('kind', '=', 'cash_drawer').orderBy('id').execute();

  // Line 2.. of a file with every kind of row the import must tell apart.
  const MIXED_FILE = [
    store('tula-lenina', { address_ru: '  проспект Ленина, 85 ' }), // 2: new, the partner's chain
    { ...store('vvo-hall'), kind: 'Service_Hall', partner: '', name: 'roamcard Service Hall, Vladivostok Airport', city: 'Vladivostok',
      address: 'Vladivostok International Airport, arrivals', address_ru: '', time_zone: 'Asia/Vladivostok',
      latitude: '43.396412', longitude: '132.148531', opening_hours: 'Mo-Fr 09:00-21:00; Sa 10:00-18:00; Su off', renews: 'No' }, // 3: new hall
    store('Tula_Bad'), // 4: code
    store('tula-kiosk', { kind: 'kiosk' }), // 5: kind
    store('tula-nobody', { partner: '' }), // 6: a partner store without partner
    store('tula-hall', { kind: 'service_hall' }), // 7: a hall with a partner
    store('tula-unknown', { partner: 'no-such-agent' }), // 8: unknown partner
    store('tula-noname', { name: ' ' }), // 9: missing name
    store('tula-cyrillic', { address: 'проспект Ленина, 85' }), // 10: Cyrillic in the Latin address
    store('tula-bidi', { name: 'Perekrestok \u202eTula' }), // 11: an invisible character
    store('tula-mars', { time_zone: 'Mars/Olympus' }), // 12: zone
    store('tula-north', { latitude: '91' }), // 13: latitude out of range
    store('tula-comma', { longitude: '37,6173' }), // 14: a decimal comma
    store('tula-times', { opening_hours: 'Mo-Fr 10:00-21:00; Sa 10-18' }), // 15: times of one rule
    store('tula-days', { opening_hours: 'Mo-Xx 10:00-21:00' }), // 16: days
    store('tula-nohours', { opening_hours: '' }), // 17: no hours
    store('tula-maybe', { renews: 'maybe' }), // 18: renews
    store('tula-lenina', { name: 'Perekrestok, again' }), // 19: code of line 2 again
    store('tula-express', { chain: 'Perekrestok Express', renews: 'false', opening_hours: '24/7' }), // 20: new, its own chain
    store('tula-long', { name: 'x'.repeat(201) }), // 21: too long a name
    SVO_HALL, // 22: a demo store, the same: unchanged
    store('perekrestok-arbat', { name: 'Perekrestok, Arbat 24', city: 'Moscow', address: 'Arbat St 24', address_ru: 'улица Арбат, 24',
      latitude: '55.7502', longitude: '37.5925', opening_hours: '07:00-22:00' }), // 23: a demo store, closing an hour earlier: updated
    store('over-short'), // 24: its drawer would be the system account cash:over-short
  ];
  const MIXED_REJECTIONS = [
    '4 code ROAM_ERR_VALIDATION code_format [Tula_Bad]',
    '5 kind ROAM_ERR_VALIDATION unknown_store_kind [kiosk]',
    '6 partner ROAM_ERR_VALIDATION partner_required',
    '7 partner ROAM_ERR_VALIDATION partner_unexpected [demo-store]',
    '8 partner ROAM_ERR_PARTNER_NOT_FOUND  [no-such-agent]',
    '9 name ROAM_ERR_VALIDATION empty',
    '10 address ROAM_ERR_VALIDATION not_latin [проспект Ленина, 85]',
    '11 name ROAM_ERR_VALIDATION control_characters [Perekrestok \u202eTula]',
    '12 time_zone ROAM_ERR_VALIDATION unknown_time_zone [Mars/Olympus]',
    '13 latitude ROAM_ERR_VALIDATION not_latitude [91]',
    '14 longitude ROAM_ERR_VALIDATION not_longitude [37,6173]',
    '15 opening_hours ROAM_ERR_VALIDATION hours_times [10-18]',
    '16 opening_hours ROAM_ERR_VALIDATION hours_days [Mo-Xx]',
    '17 opening_hours ROAM_ERR_VALIDATION empty',
    '18 renews ROAM_ERR_VALIDATION not_yes_no [maybe]',
    '19 code ROAM_ERR_VALIDATION duplicate_in_file @2 [tula-lenina]',
    `21 name ROAM_ERR_VALIDATION too_large [${'x'.repeat(201)}]`,
    '24 code ROAM_ERR_VALIDATION code_reserved [over-short]',
  ];

  it('imports new stores, updates a changed one, keeps an unchanged one, and rejects each bad row with its line and reason', async () => {
    const before_rows = await stores(test_db.database);
    const arbat_before = before_rows.find((row) => row.code === 'perekrestok-arbat');
    const demo = await seeded.context.partners.getPartner('demo-store');

    const { summary, brief } = await run(MIXED_FILE);
    assert.deepEqual(summary, { rows_read: 23, imported: 3, updated: 1, unchanged: 1, rejected: 18, dry_run: false });
    assert.deepEqual(brief, MIXED_REJECTIONS);

    const after_rows = await stores(test_db.database);
    const by_code = new Map(after_rows.map((row) => [row.code, row]));
    const fields = (code: string) => {
      const row = by_code.get(code);
      assert.ok(row, code);
      const { id: _id, latitude, longitude, renews, created_at_ms, ...rest } = row;
      return {
        ...rest, latitude: Number(latitude.toFixed(4)), longitude: Number(longitude.toFixed(4)),
        renews: Number(renews), created_at_ms: Number(created_at_ms),
      };
    };
    const now_ms = seeded.clock.now_ms();
    assert.deepEqual(fields('tula-lenina'), {
      code: 'tula-lenina', kind: 'partner_store', chain: 'Perekrestok', name: 'Perekrestok, tula-lenina', city: 'Tula', address: 'Lenina Ave 85',
      address_ru: 'проспект Ленина, 85', time_zone: 'Europe/Moscow', latitude: 54.1931, longitude: 37.6173, opening_hours: '08:00-22:00', renews: 1,
      cash_account_id: 'cash:tula-lenina', created_at_ms: now_ms, partner_id: demo.id,
    });
    assert.deepEqual(fields('vvo-hall'), {
      code: 'vvo-hall', kind: 'service_hall', chain: null, name: 'roamcard Service Hall, Vladivostok Airport', city: 'Vladivostok',
      address: 'Vladivostok International Airport, arrivals', address_ru: null, time_zone: 'Asia/Vladivostok', latitude: 43.3964, longitude: 132.1485,
      opening_hours: 'Mo-Fr 09:00-21:00; Sa 10:00-18:00; Su off', renews: 0, cash_account_id: 'cash:vvo-hall', created_at_ms: now_ms, partner_id: null,
    });
    assert.deepEqual([fields('tula-express').chain, fields('tula-express').renews, fields('tula-express').partner_id], ['Perekrestok Express', 0, demo.id]);

    const arbat = by_code.get('perekrestok-arbat');
    assert.equal(arbat?.opening_hours, '07:00-22:00', 'the changed store is updated');
    const kept = (row: typeof arbat | undefined) => [row?.id, row?.cash_account_id, Number(row?.created_at_ms)];
    assert.deepEqual(kept(arbat), kept(arbat_before), 'its id, cash drawer and creation time are kept');
    assert.deepEqual(by_code.get('svo-hall'), before_rows.find((row) => row.code === 'svo-hall'), 'the unchanged store is untouched');
    assert.deepEqual(after_rows.map((row) => row.code).filter((code) => !before_rows.some((row) => row.code === code)), ['tula-express', 'tula-lenina', 'vvo-hall']);

    const drawers = await cashDrawers(test_db.database);
    for (const [code, name] of [['tula-lenina', 'Perekrestok, tula-lenina'], ['vvo-hall', 'roamcard Service Hall, Vladivostok Airport']]) {
      assert.deepEqual(drawers.find((account) => account.id === `cash:${code}`), { id: `cash:${code}`, kind: 'cash_drawer', name: `Cash drawer, ${name}` });
    }
    assert.equal(drawers.length, before_rows.length + 3, 'one cash drawer per store, nothing else');
  });

  it('changes nothing when the same file is imported again: every valid row is unchanged', async () => {
    const before_rows = await stores(test_db.database);
    const drawers_before = await cashDrawers(test_db.database);
    seeded.clock.advance(60_000);
    const { summary, brief } = await run(MIXED_FILE);
    assert.deepEqual(summary, { rows_read: 23, imported: 0, updated: 0, unchanged: 5, rejected: 18, dry_run: false });
    assert.deepEqual(brief, MIXED_REJECTIONS);
    assert.deepEqual(await stores(test_db.database), before_rows);
    assert.deepEqual(await cashDrawers(test_db.database), drawers_before);
  });

  it('lists an imported store in the store finder, with its partner\'s chain and its hours read', async () => {
    const tula = await seeded.context.stores.findStores({ city: 'Tula' });
    assert.deepEqual(tula.map((found) => [found.code, found.kind, found.chain, found.renews]), [
      ['tula-express', 'partner_store', 'Perekrestok Express', false],
      ['tula-lenina', 'partner_store', 'Perekrestok', true],
    ]);
    const lenina = tula[1];
    assert.deepEqual([lenina?.address, lenina?.address_ru, lenina?.opening_hours_text, lenina?.time_zone], [
      'Lenina Ave 85', 'проспект Ленина, 85', '08:00-22:00', 'Europe/Moscow',
    ]);
    assert.equal(lenina?.open_now, true, '12:01 in Tula on a Wednesday: open 08:00–22:00');
    assert.ok(Math.abs((lenina?.location.latitude ?? 0) - 54.1931) < 1e-4);
    assert.ok((await seeded.context.stores.cities()).includes('Tula'));
  });

  it('moves a store to another kind and partner by updating it, and clears what the file leaves empty', async () => {
    const { summary } = await run([{
      ...store('tula-express'), kind: 'service_hall', partner: '', chain: '', address_ru: '', renews: '1', opening_hours: '24/7',
    }]);
    assert.deepEqual(summary, { rows_read: 1, imported: 0, updated: 1, unchanged: 0, rejected: 0, dry_run: false });
    const row = await test_db.database.db.selectFrom('stores').selectAll().where('code', '=', 'tula-express').executeTakeFirstOrThrow();
    assert.deepEqual([row.kind, row.partner_id, row.chain, row.address_ru, Number(row.renews)], ['service_hall', null, null, null, 1]);
  });

  it('in a dry run reports what would happen and writes nothing', async () => {
    const before_rows = await stores(test_db.database);
    const drawers_before = await cashDrawers(test_db.database);
    const { summary, brief } = await run([
      store('tula-dry'), // new
      SVO_HALL, // unchanged
      { ...SVO_HALL, renews: 'no' }, // the same code twice
      store('tula-lenina', { opening_hours: '09:00-21:00' }), // updated
      store('tula-ghost', { partner: 'ghost' }), // unknown partner
    ], { dry_run: true });
    assert.deepEqual(summary, { rows_read: 5, imported: 1, updated: 1, unchanged: 1, rejected: 2, dry_run: true });
    assert.deepEqual(brief, ['4 code ROAM_ERR_VALIDATION duplicate_in_file @3 [svo-hall]', '6 partner ROAM_ERR_PARTNER_NOT_FOUND  [ghost]']);
    assert.deepEqual(await stores(test_db.database), before_rows);
    assert.deepEqual(await cashDrawers(test_db.database), drawers_before);
  });

  it('refuses a file without a required column before reading any row, and imports nothing', async () => {
    const count_before = (await stores(test_db.database)).length;
    let rows_pulled = 0;
    async function* records(): AsyncGenerator<ImportRecord> {
      rows_pulled += 1;
      yield { line_number: 2, values: store('tula-nocolumn') };
    }
    await assert.rejects(
      importStores(test_db.database, { columns: COLUMNS.filter((column) => column !== 'opening_hours'), records: records() }, { clock: seeded.clock }),
      (error: unknown) => error instanceof RoamError && error.code === 'ROAM_ERR_VALIDATION' && error.params.field === 'opening_hours'
        && error.params.reason === 'missing_column',
    );
    assert.equal(rows_pulled, 0);
    assert.equal((await stores(test_db.database)).length, count_before);
  });

  it('takes a file of service halls without the optional columns', async () => {
    const { code, kind, name, city, address, latitude, longitude, opening_hours } = { ...SVO_HALL, code: 'kzn-hall', city: 'Kazan' };
    const summary = await importStores(test_db.database, {
      columns: ['code', 'kind', 'name', 'city', 'address', 'latitude', 'longitude', 'opening_hours'],
      records: recordsOf([{ code, kind, name, city, address, latitude, longitude, opening_hours }]),
    }, { clock: seeded.clock });
    assert.deepEqual(summary, { rows_read: 1, imported: 1, updated: 0, unchanged: 0, rejected: 0, dry_run: false });
    const row = await test_db.database.db.selectFrom('stores').selectAll().where('code', '=', 'kzn-hall').executeTakeFirstOrThrow();
    assert.deepEqual([row.time_zone, Number(row.renews), row.chain, row.address_ru, row.partner_id], ['Europe/Moscow', 1, null, null, null]);
  });

  it('writes batch by batch, reports progress after each, and rejects what the CSV reader could not read', async () => {
    const { summary, progress, brief } = await run([
      store('tula-b1'), { line_number: 3, values: store('tula-b2'), problem: 'column_count' }, store('tula-b3', { latitude: 'north' }),
      store('tula-b4'), store('tula-b5'),
    ].map((row, index) => ('line_number' in row ? row : { line_number: 2 + index, values: row as Record<string, string> })), { batch_size: 2 });
    assert.deepEqual(summary, { rows_read: 5, imported: 3, updated: 0, unchanged: 0, rejected: 2, dry_run: false });
    assert.deepEqual(brief, ['3  ROAM_ERR_VALIDATION column_count', '4 latitude ROAM_ERR_VALIDATION not_latitude [north]']);
    assert.deepEqual(progress.map((step) => [step.rows_read, step.imported, step.rejected]), [[2, 1, 1], [4, 2, 2], [5, 3, 2]]);
  });

  it('rejects every row past the limit of one file', async () => {
    // Rows refused on their own (an unknown kind) keep the test quick: the limit is on rows read, whatever they hold.
    const rows = Array.from({ length: STORE_IMPORT_ROWS_MAX }, (_, index) => store(`tula-limit-${index}`, { kind: 'x' }));
    const { summary, brief } = await run([...rows, store('tula-past-limit')], { batch_size: 1_000 });
    assert.deepEqual([summary.rows_read, summary.imported, summary.rejected], [STORE_IMPORT_ROWS_MAX + 1, 0, STORE_IMPORT_ROWS_MAX + 1]);
    assert.equal(brief.at(-1), `${STORE_IMPORT_ROWS_MAX + 2}  ROAM_ERR_VALIDATION too_many_rows`);
  });

  it('two imports of one file at once: each store is imported exactly once, the rest is unchanged', async () => {
    const rows = Array.from({ length: 30 }, (_, index) => store(`tula-race-${index}`));
    const [first, second] = await Promise.all([run(rows, { batch_size: 7 }), run(rows, { batch_size: 5 })]);
    assert.equal(first.summary.rejected + second.summary.rejected, 0);
    assert.equal(first.summary.imported + second.summary.imported, 30);
    assert.equal(first.summary.unchanged + second.summary.unchanged, 30);
    assert.equal(first.summary.updated + second.summary.updated, 0);
    const stored = await test_db.database.db.selectFrom('stores').select('code').where('code', 'like', 'tula-race-%').execute();
    assert.equal(stored.length, 30);
  });
});
