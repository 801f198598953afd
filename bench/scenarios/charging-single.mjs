// Usage charging, one event per transaction, by concurrent callers, through the services facade;
// beside it the same SQL statements chargeUsage issues for such an event (line, replay check,
// live bundles, wallet, bundle draw, event row), sent through the raw driver (better-sqlite3 / pg)
// in the same database and the same run.
import { inRawPostgresTransaction, openRawPostgresPool, openRawSqlite } from '../lib/raw-drivers.mjs';
import { BENCH_NOW_MS, openChargingLines, usageEvents } from '../lib/fixtures.mjs';
import { fromDist } from '../lib/dist.mjs';
import { scenarioRow } from '../lib/report.mjs';
import { openTempDatabase } from '../lib/temp-database.mjs';
import { drive } from '../lib/timing.mjs';

const { ledgerViolations } = await fromDist('services/ledger/invariants.js');

export const names = ['charging-single'];

const REMAINING_COLUMN = { data: 'data_bytes_remaining', voice: 'voice_seconds_remaining', sms: 'sms_remaining' };
const USAGE_COLUMNS = 'line_id, event_id, kind, quantity, occurred_at_ms, from_bundles, from_wallet, denied, denial_reason, wallet_charge_minor, entry_id, draws, charged_at_ms';
const LIVE_BUNDLES = `select * from bundles where line_id = $1 and expires_at_ms > $2 and activated_at_ms <= $3 and status != 'revoked' order by expires_at_ms, id`;

/** The statements of one charge drawn from a bundle, on SQLite, through better-sqlite3 alone. */
function rawSqliteCharge(where) {
  const connection = openRawSqlite(where);
  const positional = (text) => connection.prepare(text.replace(/\$\d+/g, '?'));
  const statements = {
    begin: connection.prepare('begin immediate'),
    commit: connection.prepare('commit'),
    line: connection.prepare('select * from lines where id = ?'),
    previous: connection.prepare('select * from usage_events where line_id = ? and event_id = ?'),
    bundles: positional(LIVE_BUNDLES),
    wallet: connection.prepare('select balance_minor from ledger_accounts where id = ?'),
    draw: Object.fromEntries(Object.entries(REMAINING_COLUMN).map(([kind, column]) => [kind, connection.prepare(`update bundles set ${column} = ${column} - ? where id = ? and ${column} >= ?`)])),
    insert: connection.prepare(`insert into usage_events (${USAGE_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
  };
  const charge = async (event) => {
    statements.begin.run();
    try {
      const line = statements.line.get(event.line_id);
      statements.previous.get(line.id, event.event_id);
      const bundle = statements.bundles.all(line.id, event.at_ms, event.at_ms)[0];
      statements.wallet.get(line.wallet_account_id);
      statements.draw[event.kind].run(event.quantity, bundle.id, event.quantity);
      const draws = JSON.stringify([{ bundle_id: bundle.id, quantity: event.quantity }]);
      statements.insert.run(
        line.id, event.event_id, event.kind, event.quantity, event.at_ms, event.quantity, 0, 0, null, 0, null, draws, BENCH_NOW_MS,
      );
      statements.commit.run();
    } catch (error) {
      connection.exec('rollback');
      throw error;
    }
  };
  return { charge, close: async () => connection.close() };
}

/** The same statements on PostgreSQL through a pg.Pool of `concurrency` clients (line row locked). */
function rawPostgresCharge(where, concurrency) {
  const pool = openRawPostgresPool(where, concurrency);
  const charge = (event) => inRawPostgresTransaction(pool, async (client) => {
    const line = (await client.query('select * from lines where id = $1 for update', [event.line_id])).rows[0];
    await client.query('select * from usage_events where line_id = $1 and event_id = $2', [line.id, event.event_id]);
    const bundle = (await client.query(LIVE_BUNDLES, [line.id, event.at_ms, event.at_ms])).rows[0];
    await client.query('select balance_minor from ledger_accounts where id = $1', [line.wallet_account_id]);
    const column = REMAINING_COLUMN[event.kind];
    await client.query(`update bundles set ${column} = ${column} - $1 where id = $2 and ${column} >= $3`, [event.quantity, bundle.id, event.quantity]);
    const draws = JSON.stringify([{ bundle_id: bundle.id, quantity: event.quantity }]);
    await client.query(`insert into usage_events (${USAGE_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [line.id, event.event_id, event.kind, event.quantity, event.at_ms, event.quantity, 0, 0, null, 0, null, draws, BENCH_NOW_MS]);
  });
  return { charge, close: () => pool.end() };
}

export async function run(bench) {
  const { events: event_count, concurrency, lines: line_count, warm_up_events } = bench.sizes.charging_single;
  const temp = await openTempDatabase(bench.target, { pool_size_max: concurrency, label: 'charging_single' });
  try {
    const { services, lines } = await openChargingLines(temp.database, line_count);
    const stream = (count, prefix) =>
      usageEvents({ line_count: lines.length, lineIdAt: (index) => lines[index].id, count, prefix, seed: bench.seed });
    const raw = temp.database.dialect === 'postgres' ? rawPostgresCharge(temp.where, concurrency) : rawSqliteCharge(temp.where);
    let roamcard;
    let baseline;
    try {
      await drive(stream(warm_up_events, 'warm-roamcard'), concurrency, (event) => services.chargeUsage(event));
      await drive(stream(warm_up_events, 'warm-raw'), concurrency, raw.charge);
      baseline = await drive(stream(event_count, 'raw'), concurrency, raw.charge);
      roamcard = await drive(stream(event_count, 'roamcard'), concurrency, (event) => services.chargeUsage(event));
    } finally {
      await raw.close();
    }
    const violations = await ledgerViolations(temp.database.db);
    if (violations.length > 0) throw new Error(`ledger violations after charging: ${violations.join('; ')}`);
    const ratio = roamcard.per_second / baseline.per_second;
    const sqlite = temp.database.dialect === 'sqlite';
    return [scenarioRow({
      name: 'charging-single',
      value: roamcard.per_second,
      unit: 'events/s',
      baseline: baseline.per_second,
      target: sqlite ? '>= 10,000/s and >= 0.5x raw' : '>= 0.8x raw',
      met: sqlite ? roamcard.per_second >= 10_000 && ratio >= 0.5 : ratio >= 0.8,
      details: { events: event_count, concurrency, lines: line_count, roamcard, raw: baseline },
    })];
  } finally {
    await temp.dispose();
  }
}
