// Usage charging in batches (a usage file, a network burst): chargeUsageBatch, one transaction per
// batch. Baseline in the same run: the least a batch could cost — one transaction per batch and a
// loop of one prepared INSERT per event through the raw driver, nothing read, nothing checked.
import { inRawPostgresTransaction, openRawPostgresPool, openRawSqlite } from '../lib/raw-drivers.mjs';
import { BENCH_NOW_MS, openChargingLines, usageEvents } from '../lib/fixtures.mjs';
import { fromDist } from '../lib/dist.mjs';
import { scenarioRow } from '../lib/report.mjs';
import { openTempDatabase } from '../lib/temp-database.mjs';
import { drive, round } from '../lib/timing.mjs';

const { ledgerViolations } = await fromDist('services/ledger/invariants.js');

export const names = ['charging-batched'];

const INSERT = 'insert into usage_events (line_id, event_id, kind, quantity, occurred_at_ms, from_bundles, from_wallet, denied, denial_reason, wallet_charge_minor, entry_id, draws, charged_at_ms)';
const valuesOf = (event) => [event.line_id, event.event_id, event.kind, event.quantity, event.at_ms, event.quantity, 0, 0, null, 0, null, '[]', BENCH_NOW_MS];

function rawSqliteLoop(where) {
  const connection = openRawSqlite(where);
  const insert = connection.prepare(`${INSERT} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const batch = connection.transaction((events) => {
    for (const event of events) insert.run(...valuesOf(event));
  });
  return { insertBatch: async (events) => batch.immediate(events), close: async () => connection.close() };
}

function rawPostgresLoop(where, callers) {
  const pool = openRawPostgresPool(where, callers);
  const text = `${INSERT} values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`;
  const insertBatch = (events) => inRawPostgresTransaction(pool, async (client) => {
    for (const event of events) await client.query({ name: 'bench_usage_insert', text, values: valuesOf(event) });
  });
  return { insertBatch, close: () => pool.end() };
}

const inBatches = (events, size) =>
  Array.from({ length: Math.ceil(events.length / size) }, (_, index) => events.slice(index * size, (index + 1) * size));

export async function run(bench) {
  const { events: event_count, batch_size, callers, lines: line_count } = bench.sizes.charging_batched;
  const temp = await openTempDatabase(bench.target, { pool_size_max: callers, label: 'charging_batched' });
  try {
    const { services, lines } = await openChargingLines(temp.database, line_count);
    const stream = (count, prefix) =>
      usageEvents({ line_count: lines.length, lineIdAt: (index) => lines[index].id, count, prefix, seed: bench.seed });
    const chargeBatch = async (batch) => {
      const outcomes = await services.chargeUsageBatch(batch);
      const failed = outcomes.find((outcome) => !outcome.ok);
      if (failed) throw failed.error;
    };
    const raw = temp.database.dialect === 'postgres' ? rawPostgresLoop(temp.where, callers) : rawSqliteLoop(temp.where);
    let roamcard;
    let baseline;
    try {
      await drive(inBatches(stream(batch_size * 2, 'warm-roamcard'), batch_size), callers, chargeBatch);
      await drive(inBatches(stream(batch_size * 2, 'warm-raw'), batch_size), callers, raw.insertBatch);
      baseline = await drive(inBatches(stream(event_count, 'raw'), batch_size), callers, raw.insertBatch);
      roamcard = await drive(inBatches(stream(event_count, 'roamcard'), batch_size), callers, chargeBatch);
    } finally {
      await raw.close();
    }
    const violations = await ledgerViolations(temp.database.db);
    if (violations.length > 0) throw new Error(`ledger violations after batched charging: ${violations.join('; ')}`);
    const per_second = event_count / roamcard.elapsed_s;
    const baseline_per_second = event_count / baseline.elapsed_s;
    const single = bench.results.find((row) => row.name === 'charging-single' && row.value !== null);
    const sqlite = temp.database.dialect === 'sqlite';
    const met = sqlite ? per_second >= 100_000 : single ? per_second >= 10 * single.value : null;
    return [scenarioRow({
      name: 'charging-batched',
      value: per_second,
      unit: 'events/s',
      baseline: baseline_per_second,
      target: sqlite ? '>= 100,000/s' : `>= 10x charging-single${single ? ` (${Math.round(10 * single.value).toLocaleString('en-US')}/s)` : ' (not run)'}`,
      met,
      details: {
        events: event_count, batch_size, callers, lines: line_count,
        batch_latency_ms: { p50: roamcard.p50_ms, p99: roamcard.p99_ms },
        raw_batch_latency_ms: { p50: baseline.p50_ms, p99: baseline.p99_ms },
        versus_single: single ? round(per_second / single.value, 2) : null,
      },
    })];
  } finally {
    await temp.dispose();
  }
}
