import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { loadConfig, paygTariff } from '../../config.js';
import { BYTES_PER_MB, MS_PER_HOUR } from '../../core/units.js';
import { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seedDemo } from '../demo/seed.js';
import { ledgerViolations } from '../ledger/invariants.js';
import { walletAccountId } from '../ledger/accounts.js';
import { importUsage, parseInstant, parseQuantity, type ImportRecord, type RejectedRow, type UsageImportOptions } from './import-usage.js';

const T0_MS = Date.UTC(2025, 2, 1, 9, 0, 0);
const AT_MS = T0_MS + MS_PER_HOUR;
const AT_ISO = '2025-03-01T13:00:00+03:00'; // = AT_MS
const COLUMNS = ['event_id', 'msisdn', 'line_id', 'kind', 'quantity', 'at'];
// The default tariffs: data 500 kopecks per MB, voice 1,500 per minute, SMS 500 per message.
const tariffFor = paygTariff(loadConfig({}));

// Demo lines (services/demo/seed.ts): what each holds right after seeding.
const L1_MSISDN = '+79001234567'; // 5 GB pack with 734,003,200 bytes used; wallet 500.00
// +79001234568: nothing at all: no pack, wallet 0
const L3_MSISDN = '+79001234569'; // 100-minute pack with 1,260 s used; wallet 120.50
const L1_DATA_BYTES_LEFT = 5120 * BYTES_PER_MB - 734_003_200;
const L3_VOICE_SECONDS_LEFT = 100 * 60 - 1_260;

async function* recordsOf(rows: ReadonlyArray<Record<string, string>>): AsyncGenerator<ImportRecord> {
  let line_number = 2;
  for (const values of rows) yield { line_number: line_number++, values };
}

describeEachDatabase('usage import', (t) => {
  let l1 = '';
  let l3 = '';

  before(async () => {
    await seedDemo(t.database, tariffFor, T0_MS);
    const lines = await t.database.db.selectFrom('lines').select(['id', 'msisdn']).execute();
    l1 = lines.find((line) => line.msisdn === L1_MSISDN)?.id ?? '';
    l3 = lines.find((line) => line.msisdn === L3_MSISDN)?.id ?? '';
    assert.ok(l1 && l3, 'demo lines exist');
  });

  async function run(rows: ReadonlyArray<Record<string, string>>, options: Partial<UsageImportOptions> = {}) {
    const rejected: RejectedRow[] = [];
    const summary = await importUsage(t.database, { columns: COLUMNS, records: recordsOf(rows) }, {
      clock: new ManualClock(AT_MS + 60_000), tariffFor, onRejected: (row) => rejected.push(row), ...options,
    });
    const brief = rejected.map((row) => `${row.line_number} ${row.column} ${row.error.code} ${row.error.params.reason ?? ''}${row.error.params.line ? ` @${row.error.params.line}` : ''}`);
    return { summary, brief, rejected };
  }

  async function state() {
    const wallet = async (line_id: string) => (await t.database.db.selectFrom('ledger_accounts').select('balance_minor').where('id', '=', walletAccountId(line_id)).executeTakeFirstOrThrow()).balance_minor;
    const bundle = async (line_id: string) => t.database.db.selectFrom('bundles').select(['data_bytes_remaining', 'voice_seconds_remaining']).where('line_id', '=', line_id).executeTakeFirstOrThrow();
    const events = await t.database.db.selectFrom('usage_events').select(({ fn }) => fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    return {
      l1_wallet: await wallet(l1), l3_wallet: await wallet(l3), l1_bundle: await bundle(l1), l3_bundle: await bundle(l3),
      events: Number(events.count),
    };
  }

  const file = (): Array<Record<string, string>> => [
    { event_id: 'e1', msisdn: '+7 900 123-45-67', kind: 'data', quantity: String(BYTES_PER_MB), at: AT_ISO }, // 2: from the pack
    { event_id: 'e2', msisdn: '8 900 123 45 68', kind: 'sms', quantity: '2', at: String(AT_MS) }, // 3: denied, no money
    { event_id: 'e3', line_id: l3, kind: 'SMS', quantity: '3', at: AT_ISO }, // 4: wallet 3 × 5.00
    { event_id: 'e4', line_id: l3, kind: 'voice', quantity: '4 800', at: AT_ISO }, // 5: pack 4,740 s + wallet 1 min
    { event_id: 'e5', msisdn: L3_MSISDN, kind: 'data', quantity: String(20 * BYTES_PER_MB), at: '2025-03-01T10:00:00Z' }, // 6: wallet runs dry
    { event_id: 'e6', msisdn: '+7 123', kind: 'data', quantity: '1', at: AT_ISO }, // 7
    { event_id: 'e7', msisdn: L1_MSISDN, kind: 'fax', quantity: '1', at: AT_ISO }, // 8
    { event_id: 'e8', msisdn: L1_MSISDN, kind: 'data', quantity: '1.5', at: AT_ISO }, // 9
    { event_id: 'e9', msisdn: L1_MSISDN, kind: 'data', quantity: '1', at: '2025-03-01 13:00' }, // 10
    { event_id: 'e10', msisdn: '+79991112233', kind: 'data', quantity: '1', at: AT_ISO }, // 11: no such line
    { event_id: 'e1', msisdn: '89001234567', kind: 'data', quantity: String(BYTES_PER_MB), at: AT_ISO }, // 12: line 2 again
    { event_id: ' ', msisdn: L1_MSISDN, kind: 'data', quantity: '1', at: AT_ISO }, // 13
    { event_id: 'e11', msisdn: L1_MSISDN, kind: 'data', quantity: '-5', at: AT_ISO }, // 14
    { event_id: 'e12', msisdn: L1_MSISDN, kind: 'data', quantity: '1', at: '1700000000' }, // 15: seconds, not ms
    { event_id: 'e13', kind: 'data', quantity: '1', at: AT_ISO }, // 16: no line
  ];
  const REJECTIONS = [
    '7 msisdn ROAM_ERR_MSISDN_INVALID invalid',
    '8 kind ROAM_ERR_VALIDATION unknown_kind',
    '9 quantity ROAM_ERR_VALIDATION not_integer',
    '10 at ROAM_ERR_VALIDATION no_time_zone',
    '11 msisdn ROAM_ERR_LINE_NOT_FOUND ',
    '12 event_id ROAM_ERR_VALIDATION duplicate_in_file @2',
    '13 event_id ROAM_ERR_VALIDATION empty',
    '14 quantity ROAM_ERR_VALIDATION negative',
    '15 at ROAM_ERR_VALIDATION epoch_too_small',
    '16 msisdn ROAM_ERR_VALIDATION empty',
  ];

  it('charges each row exactly: packs first, then the wallet, the rest denied; bad rows rejected with their line', async () => {
    const { summary, brief } = await run(file(), { batch_size: 2 });
    assert.deepEqual(brief, REJECTIONS);
    assert.deepEqual(summary, {
      rows_read: 15, charged: 5, granted_fully: 3, denied_partly_or_fully: 2,
      // SMS 3 × 500 + voice 1 min × 1,500 + data: all of the 9,050 left.
      wallet_charge_minor_total: 1_500 + 1_500 + 9_050, replayed: 0, rejected: 10, dry_run: false,
    });
    const after = await state();
    assert.equal(after.l1_bundle.data_bytes_remaining, L1_DATA_BYTES_LEFT - BYTES_PER_MB);
    assert.equal(after.l3_bundle.voice_seconds_remaining, 0);
    assert.equal(after.l1_wallet, 50_000);
    assert.equal(after.l3_wallet, 0);

    const events = await t.database.db.selectFrom('usage_events').selectAll().orderBy('event_id').execute();
    const shown = events.map((event) => [
      event.event_id, event.from_bundles, event.from_wallet, event.denied, event.wallet_charge_minor, event.denial_reason,
    ]);
    assert.deepEqual(shown.filter(([event_id]) => String(event_id).startsWith('e')), [
      ['e1', BYTES_PER_MB, 0, 0, 0, null],
      ['e2', 0, 0, 2, 0, 'no_allowance_or_balance'],
      ['e3', 0, 3, 0, 1_500, null],
      ['e4', L3_VOICE_SECONDS_LEFT, 60, 0, 1_500, null],
      // 9,050 kopecks buy 18,979,225 bytes at 500 per MB; the rest of the 20 MB is denied.
      ['e5', 0, 18_979_225, 20 * BYTES_PER_MB - 18_979_225, 9_050, 'insufficient_balance'],
    ]);
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  });

  it('charges nothing when the same file is imported again: every charged row is replayed', async () => {
    const before_state = await state();
    const { summary, brief } = await run(file(), { batch_size: 4 });
    assert.deepEqual(brief, REJECTIONS);
    assert.deepEqual(summary, {
      rows_read: 15, charged: 0, granted_fully: 0, denied_partly_or_fully: 0, wallet_charge_minor_total: 0,
      replayed: 5, rejected: 10, dry_run: false,
    });
    assert.deepEqual(await state(), before_state);
  });

  it('rejects an event id already charged with other usage', async () => {
    const before_state = await state();
    const { summary, brief } = await run([{ event_id: 'e3', line_id: l3, kind: 'sms', quantity: '4', at: AT_ISO }]);
    assert.deepEqual(brief, ['2 event_id ROAM_ERR_USAGE_EVENT_CONFLICT ']);
    assert.equal(summary.rejected, 1);
    assert.deepEqual(await state(), before_state);
  });

  it('in a dry run tells charges, replays and conflicts apart, and writes nothing', async () => {
    const before_state = await state();
    const { summary, brief } = await run([
      { event_id: 'e20', msisdn: L1_MSISDN, kind: 'data', quantity: '100', at: AT_ISO },
      { event_id: 'e1', msisdn: L1_MSISDN, kind: 'data', quantity: String(BYTES_PER_MB), at: String(AT_MS) },
      { event_id: 'e3', line_id: l3, kind: 'sms', quantity: '4', at: AT_ISO },
      { event_id: 'e21', line_id: 'ln_missing', kind: 'sms', quantity: '1', at: AT_ISO },
    ], { dry_run: true });
    assert.deepEqual(brief, ['4 event_id ROAM_ERR_USAGE_EVENT_CONFLICT ', '5 line_id ROAM_ERR_LINE_NOT_FOUND ']);
    assert.deepEqual(summary, {
      rows_read: 4, charged: 1, granted_fully: 0, denied_partly_or_fully: 0, wallet_charge_minor_total: 0,
      replayed: 1, rejected: 2, dry_run: true,
    });
    assert.deepEqual(await state(), before_state);
  });

  it('refuses a file with neither msisdn nor line_id column', async () => {
    await assert.rejects(
      importUsage(t.database, { columns: ['event_id', 'kind', 'quantity', 'at'], records: recordsOf([]) }, { clock: new ManualClock(AT_MS), tariffFor }),
      /msisdn\/line_id/,
    );
  });
});

it('parses quantities: whole numbers only, spaces allowed', () => {
  assert.equal(parseQuantity('1 048 576'), 1_048_576);
  assert.equal(parseQuantity('0'), 0);
  assert.equal(parseQuantity('1.5'), 'not_integer');
  assert.equal(parseQuantity('1e3'), 'not_integer');
  assert.equal(parseQuantity('-1'), 'negative');
  assert.equal(parseQuantity('99999999999999999999'), 'too_large');
});

it('parses instants: ISO 8601 with a zone, or epoch milliseconds; checks the calendar', () => {
  assert.equal(parseInstant('2025-03-01T13:00:00+03:00'), AT_MS);
  assert.equal(parseInstant('2025-03-01T10:00:00Z'), AT_MS);
  assert.equal(parseInstant('2025-03-01 20:00+1000'), AT_MS);
  assert.equal(parseInstant('2025-03-01T10:00:00.250z'), AT_MS + 250);
  assert.equal(parseInstant(String(AT_MS)), AT_MS);
  assert.equal(parseInstant('2025-03-01T13:00:00'), 'no_time_zone');
  assert.equal(parseInstant('2025-04-31T10:00:00Z'), 'not_a_date');
  assert.equal(parseInstant('2024-02-29T10:00:00Z'), Date.UTC(2024, 1, 29, 10));
  assert.equal(parseInstant('2025-02-29T10:00:00Z'), 'not_a_date');
  assert.equal(parseInstant('2025-03-01T24:00:00Z'), 'not_a_date');
  assert.equal(parseInstant('yesterday'), 'not_a_date');
  assert.equal(parseInstant('1700000000'), 'epoch_too_small');
});
