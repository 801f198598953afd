import { sql } from 'kysely';
import { fromDist } from './dist.mjs';
import { randomIndex, seededRandom } from './random.mjs';

const { inTransaction } = await fromDist('db/transaction.js');
const { ManualClock } = await fromDist('ports/clock.js');
const { createServices } = await fromDist('services/index.js');
const { setPrice, upsertPackage } = await fromDist('services/catalog/catalog.js');
const { ensureLedgerAccount, ensureSystemAccounts } = await fromDist('services/ledger/accounts.js');
const { openLine } = await fromDist('services/lines/lines.js');
const { addSim } = await fromDist('services/sims/inventory.js');
const { luhnCheckDigit } = await fromDist('core/iccid.js');
const { bundleUnits } = await fromDist('core/catalog.js');

/** Every charging figure is taken at this instant (a manual clock), so runs are comparable. */
export const BENCH_NOW_MS = Date.UTC(2024, 5, 1);
export const BENCH_CLEARING_ACCOUNT = 'clearing:bench';
/** Big enough that no benchmark drains it: every charge draws from the bundle, none from the wallet. */
export const BENCH_PACK = { code: 'bench-combo', kind: 'combo', data_mb: 1_048_576, voice_minutes: 100_000, sms_count: 100_000, validity_hours: 720 };
export const BENCH_TARIFF = { data_minor_per_mb: 500, voice_minor_per_minute: 1500, sms_minor_per_message: 500 };
const PACK_PRICE_MINOR = 100_000;

export const benchServices = (database) =>
  createServices({ database, clock: new ManualClock(BENCH_NOW_MS), tariffFor: () => BENCH_TARIFF });

/** The catalog row and system accounts every bench database needs (through roamcard's own code). */
export async function seedCatalog(database) {
  await inTransaction(database, async (trx) => {
    await ensureSystemAccounts(trx, BENCH_NOW_MS);
    await ensureLedgerAccount(trx, { id: BENCH_CLEARING_ACCOUNT, kind: 'provider_clearing', name: 'Benchmark clearing' }, BENCH_NOW_MS);
    const names = { 'zh-Hans': 'bench', 'zh-Hant': 'bench', ru: 'bench', en: 'bench' };
    await upsertPackage(trx, { ...BENCH_PACK, names, channels: ['app'], active: true }, BENCH_NOW_MS);
    await setPrice(trx, BENCH_PACK.code, PACK_PRICE_MINOR, 0, BENCH_NOW_MS);
  });
}

const simOf = (index) => {
  const serial = String(index).padStart(7, '0');
  const payload = `897019${serial.padStart(12, '0')}`;
  return { iccid: payload + luhnCheckDigit(payload), imsi: `25099${serial.padStart(10, '0')}`, msisdn: `+7900${serial}` };
};

/**
 * `count` lines opened the way the product opens them (SIM, line, wallet with money, a paid pack):
 * for the charging scenarios, where a few hundred lines is the point.
 */
export async function openChargingLines(database, count) {
  await seedCatalog(database);
  const lines = await inTransaction(database, async (trx) => {
    const opened = [];
    for (let index = 1; index <= count; index += 1) {
      const sim = simOf(index);
      await addSim(trx, sim, BENCH_NOW_MS);
      opened.push(await openLine(trx, { iccid: sim.iccid, language: 'en', time_zone: 'Europe/Moscow' }, BENCH_NOW_MS));
    }
    return opened;
  });
  const services = benchServices(database);
  for (const line of lines) {
    await services.creditWallet({ line: { line_id: line.id }, amount_minor: 1_000_000, source_account_id: BENCH_CLEARING_ACCOUNT, idempotency_key: `bench:topup:${line.id}` });
    await services.activatePaidPackage({
      line: { line_id: line.id }, package_code: BENCH_PACK.code, paid_from_account_id: BENCH_CLEARING_ACCOUNT,
      amount_minor: PACK_PRICE_MINOR, package_price_id: null, idempotency_key: `bench:pack:${line.id}`,
    });
  }
  return { services, lines };
}

/**
 * Usage events over the given lines (80 % data, 15 % voice, 5 % SMS), the same stream for the same
 * seed. `line_ids` is an array of ids, or a function index → id (for a million lines).
 */
export function usageEvents({ line_count, lineIdAt, count, prefix, seed }) {
  const next = seededRandom(seed);
  const events = new Array(count);
  for (let index = 0; index < count; index += 1) {
    const line_id = lineIdAt(randomIndex(next, line_count));
    const roll = next();
    const kind = roll < 0.8 ? 'data' : roll < 0.95 ? 'voice' : 'sms';
    const quantity = kind === 'data' ? 1 + Math.floor(next() * 2_000_000) : kind === 'voice' ? 1 + Math.floor(next() * 300) : 1;
    events[index] = { event_id: `${prefix}-${index}`, line_id, kind, quantity, at_ms: BENCH_NOW_MS };
  }
  return events;
}

// ---- Bulk generation (scale): plain INSERT … SELECT over a number series, in the database itself.

/** Rows per INSERT … SELECT statement (and per transaction): bounds the WAL and shows progress. */
export const BULK_CHUNK_ROWS_MAX = 500_000;

export const bulkLineId = (index) => `ln_bench_${String(index).padStart(9, '0')}`;
export const bulkMsisdn = (index) => `+795${String(index).padStart(8, '0')}`;

/** SQL fragments that differ between engines. */
function dialectOf(database) {
  if (database.dialect === 'postgres') {
    return {
      series: (from, to) => `generate_series(${from}, ${to}) as g(i)`,
      pad: (expression, width) => `lpad((${expression})::text, ${width}, '0')`,
      divide: (a, b) => `((${a}) / ${b})`,
    };
  }
  return {
    series: (from, to) => `(with recursive s(i) as (select ${from} union all select i + 1 from s where i < ${to}) select i from s) as g`,
    pad: (expression, width) => `substr('${'0'.repeat(width)}' || (${expression}), -${width})`,
    divide: (a, b) => `((${a}) / ${b})`,
  };
}

async function inChunks(database, total, work, onProgress) {
  for (let from = 1; from <= total; from += BULK_CHUNK_ROWS_MAX) {
    const to = Math.min(total, from + BULK_CHUNK_ROWS_MAX - 1);
    await inTransaction(database, (trx) => work(trx, from, to));
    onProgress?.(to, total);
  }
}

/**
 * `line_count` active lines (SIM, account, wallet, one live bench pack each) and `event_count`
 * charged usage events spread evenly over them, written with raw bulk SQL — the generation is
 * setup, not a figure. The rows are what the product would have written (a charge drawn from the
 * bundle, no money moved), so every invariant still holds. Lines are `bulkLineId(1…line_count)`,
 * MSISDNs `bulkMsisdn(…)`.
 */
export async function generateLines(database, { line_count, event_count, onProgress }) {
  await seedCatalog(database);
  const d = dialectOf(database);
  const now = BENCH_NOW_MS;
  const units = bundleUnits({ ...BENCH_PACK, names: {}, channels: [], active: true });
  const expires = now + BENCH_PACK.validity_hours * 3_600_000;
  const lineId = `'ln_bench_' || ${d.pad('i', 9)}`;
  const run = (trx, text) => sql.raw(text).execute(trx);
  const tables = [
    ['sims', (from, to) => `insert into sims (iccid, imsi, msisdn, form_factor, esim_activation_code, status, created_at_ms)
      select '8970195' || ${d.pad('i', 12)}, '25095' || ${d.pad('i', 10)}, '+795' || ${d.pad('i', 8)}, 'nano', null, 'in_service', ${now} from ${d.series(from, to)}`],
    ['accounts', (from, to) => `insert into accounts (id, language, contact_phone, email, created_at_ms)
      select 'ac_bench_' || ${d.pad('i', 9)}, 'en', '+795' || ${d.pad('i', 8)}, null, ${now} from ${d.series(from, to)}`],
    ['ledger_accounts', (from, to) => `insert into ledger_accounts (id, kind, currency, balance_minor, balance_cached, may_go_negative, line_id, name, created_at_ms)
      select 'wallet:' || ${lineId}, 'wallet', 'RUB', 0, 1, 0, ${lineId}, 'Wallet of +795' || ${d.pad('i', 8)}, ${now} from ${d.series(from, to)}`],
    ['lines', (from, to) => `insert into lines (id, account_id, iccid, msisdn, language, time_zone, status, wallet_account_id, created_at_ms)
      select ${lineId}, 'ac_bench_' || ${d.pad('i', 9)}, '8970195' || ${d.pad('i', 12)}, '+795' || ${d.pad('i', 8)}, 'en', 'Europe/Moscow', 'active', 'wallet:' || ${lineId}, ${now}
      from ${d.series(from, to)}`],
    ['bundles', (from, to) => `insert into bundles (id, line_id, package_code, package_price_id, price_minor, currency, data_bytes_total, data_bytes_remaining,
        voice_seconds_total, voice_seconds_remaining, sms_total, sms_remaining, activated_at_ms, expires_at_ms, status, source, entry_id, idempotency_key, request_hash, created_at_ms)
      select 'bd_bench_' || ${d.pad('i', 9)}, ${lineId}, '${BENCH_PACK.code}', null, 0, 'RUB', ${units.data_bytes}, ${units.data_bytes},
        ${units.voice_seconds}, ${units.voice_seconds}, ${units.sms_count}, ${units.sms_count}, ${now}, ${expires}, 'active', 'external', null, null, null, ${now}
      from ${d.series(from, to)}`],
  ];
  for (const [table, statement] of tables) {
    await inChunks(
      database, line_count, (trx, from, to) => run(trx, statement(from, to)), (done, total) => onProgress?.(table, done, total),
    );
  }
  const per_line = Math.max(1, Math.ceil(event_count / line_count));
  const eventLine = `'ln_bench_' || ${d.pad(`${d.divide('i - 1', per_line)} + 1`, 9)}`;
  await inChunks(database, event_count, (trx, from, to) => run(trx, `insert into usage_events (line_id, event_id, kind, quantity, occurred_at_ms, from_bundles, from_wallet,
      denied, denial_reason, wallet_charge_minor, entry_id, draws, charged_at_ms)
    select ${eventLine}, 'gen-' || i, 'data', 1000, ${now - 3_600_000}, 1000, 0, 0, null, 0, null, '[]', ${now - 3_600_000}
    from ${d.series(from, to)}`), (done, total) => onProgress?.('usage_events', done, total));
  if (database.dialect === 'postgres') await sql`analyze`.execute(database.db);
  else await sql`pragma wal_checkpoint(truncate)`.execute(database.db);
}

/** A random sample of line indexes in 1…line_count (the same for the same seed). */
export function sampleLineIndexes(line_count, count, seed) {
  const next = seededRandom(seed);
  return Array.from({ length: count }, () => 1 + randomIndex(next, line_count));
}
