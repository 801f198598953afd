#!/usr/bin/env node
// A first throughput figure for usage charging: N usage events, each charged in its own transaction
// through the services facade, by C concurrent callers, spread over L lines that hold a bundle and
// money. Runs on SQLite (a temporary file) and, when DATABASE_URL is set, on PostgreSQL (a temporary
// schema, dropped afterwards). Beside it, a raw-database baseline in the same run: one transaction
// per event that locks the line, decrements the bundle and inserts one row — the least a charge
// could cost on that engine. Uses the compiled code: run `npx tsc -p .` first.
//
//   node scripts/measure-charging.mjs [--events 20000] [--concurrency 8] [--lines 100] [--sqlite-synchronous full|normal]
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node scripts/measure-charging.mjs
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { URL } from 'node:url';
import { parseArgs } from 'node:util';

const dist = (file) => new URL(`../dist/src/${file}`, import.meta.url).href;
const { sql } = await import('kysely');
const { default: pg } = await import('pg');
const { openDatabase } = await import(dist('db/database.js'));
const { migrateToLatest } = await import(dist('db/migrate.js'));
const { inTransaction } = await import(dist('db/transaction.js'));
const { ManualClock } = await import(dist('ports/clock.js'));
const { createServices } = await import(dist('services/index.js'));
const { setPrice, upsertPackage } = await import(dist('services/catalog/catalog.js'));
const { ensureLedgerAccount, ensureSystemAccounts } = await import(dist('services/ledger/accounts.js'));
const { ledgerViolations } = await import(dist('services/ledger/invariants.js'));
const { openLine } = await import(dist('services/lines/lines.js'));
const { addSim } = await import(dist('services/sims/inventory.js'));
const { luhnCheckDigit } = await import(dist('core/iccid.js'));

const { values: options } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '8' },
    lines: { type: 'string', default: '100' },
    'sqlite-synchronous': { type: 'string', default: 'full' },
    'skip-sqlite': { type: 'boolean', default: false },
  },
});
const EVENTS = Number(options.events);
const CONCURRENCY = Number(options.concurrency);
const LINES = Number(options.lines);
const WARM_UP_EVENTS = Math.min(500, Math.floor(EVENTS / 10));
const NOW_MS = Date.UTC(2024, 5, 1);
const CLEARING = 'clearing:bench';
const PACK = { code: 'bench-combo', kind: 'combo', data_mb: 10_240, voice_minutes: 300, sms_count: 100, validity_hours: 720 };
const TARIFF = { data_minor_per_mb: 500, voice_minor_per_minute: 1500, sms_minor_per_message: 500 };
for (const [name, value] of Object.entries({ EVENTS, CONCURRENCY, LINES })) {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name.toLowerCase()} must be a positive integer`);
}

/** mulberry32: the same event stream on every engine and every run. */
function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

async function setUp(database) {
  await migrateToLatest(database);
  const lines = await inTransaction(database, async (trx) => {
    await ensureSystemAccounts(trx, NOW_MS);
    await ensureLedgerAccount(trx, { id: CLEARING, kind: 'provider_clearing', name: 'Benchmark clearing' }, NOW_MS);
    await upsertPackage(trx, { ...PACK, names: { 'zh-Hans': 'bench', 'zh-Hant': 'bench', ru: 'bench', en: 'bench' }, channels: ['app'], active: true }, NOW_MS);
    await setPrice(trx, PACK.code, 100_000, 0, NOW_MS);
    const opened = [];
    for (let index = 1; index <= LINES; index += 1) {
      const serial = String(index).padStart(7, '0');
      const payload = `897019${serial.padStart(12, '0')}`;
      const sim = { iccid: payload + luhnCheckDigit(payload), imsi: `25099${serial.padStart(10, '0')}`, msisdn: `+7900${serial}` };
      await addSim(trx, sim, NOW_MS);
      opened.push(await openLine(trx, { iccid: sim.iccid, language: 'en', time_zone: 'Europe/Moscow' }, NOW_MS));
    }
    return opened;
  });
  const services = createServices({ database, clock: new ManualClock(NOW_MS), tariffFor: () => TARIFF });
  for (const line of lines) {
    await services.creditWallet({ line: { line_id: line.id }, amount_minor: 1_000_000, source_account_id: CLEARING, idempotency_key: `bench:topup:${line.id}` });
    await services.activatePaidPackage({ line: { line_id: line.id }, package_code: PACK.code, paid_from_account_id: CLEARING, amount_minor: 100_000, package_price_id: null, idempotency_key: `bench:pack:${line.id}` });
  }
  await sql`create table bench_events (line_id text not null, event_id text not null, quantity bigint not null, primary key (line_id, event_id))`.execute(database.db);
  return { services, lines };
}

function events(lines, count, prefix) {
  const next = random(42);
  return Array.from({ length: count }, (_, index) => {
    const line = lines[Math.floor(next() * lines.length)];
    const roll = next();
    const kind = roll < 0.8 ? 'data' : roll < 0.95 ? 'voice' : 'sms';
    const quantity = kind === 'data' ? 1 + Math.floor(next() * 2_000_000) : kind === 'voice' ? 1 + Math.floor(next() * 300) : 1;
    return { event_id: `${prefix}-${index}`, line_id: line.id, kind, quantity, at_ms: NOW_MS };
  });
}

/** Runs `work` over the items with `concurrency` callers; returns events/s and latency percentiles. */
async function drive(items, work) {
  const latencies_ms = [];
  let next = 0;
  const started_ms = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < items.length) {
      const item = items[next++];
      const call_ms = performance.now();
      await work(item);
      latencies_ms.push(performance.now() - call_ms);
    }
  }));
  const elapsed_s = (performance.now() - started_ms) / 1000;
  latencies_ms.sort((a, b) => a - b);
  const at = (q) => latencies_ms[Math.min(latencies_ms.length - 1, Math.floor(q * latencies_ms.length))].toFixed(2);
  return { per_second: items.length / elapsed_s, elapsed_s, p50: at(0.5), p99: at(0.99) };
}

async function measure(label, database) {
  const { services, lines } = await setUp(database);
  const lineLock = database.dialect === 'postgres' ? sql`for update` : sql``;
  const bundleOf = new Map((await database.db.selectFrom('bundles').select(['id', 'line_id']).execute()).map((row) => [row.line_id, row.id]));
  const baseline = (event) => inTransaction(database, async (trx) => {
    await sql`select id from lines where id = ${event.line_id} ${lineLock}`.execute(trx);
    await sql`update bundles set sms_remaining = sms_remaining - 0 where id = ${bundleOf.get(event.line_id)}`.execute(trx);
    await sql`insert into bench_events (line_id, event_id, quantity) values (${event.line_id}, ${event.event_id}, ${event.quantity})`.execute(trx);
  });

  await drive(events(lines, WARM_UP_EVENTS, 'warm'), (event) => services.chargeUsage(event));
  await drive(events(lines, WARM_UP_EVENTS, 'warm'), baseline);
  const raw = await drive(events(lines, EVENTS, 'raw'), baseline);
  const charged = await drive(events(lines, EVENTS, 'ev'), (event) => services.chargeUsage(event));

  const rows = await database.db.selectFrom('usage_events').select(sql`count(*)`.as('n')).executeTakeFirstOrThrow();
  const violations = await ledgerViolations(database.db);
  if (Number(rows.n) !== EVENTS + WARM_UP_EVENTS || violations.length > 0) throw new Error(`${label}: ${rows.n} usage rows, violations: ${violations.join('; ')}`);
  const shape = `${EVENTS} events, ${CONCURRENCY} concurrent callers, ${LINES} lines`;
  console.log(`${label}: ${shape}`);
  console.log(`  chargeUsage            ${charged.per_second.toFixed(0).padStart(6)} events/s   (p50 ${charged.p50} ms, p99 ${charged.p99} ms, ${charged.elapsed_s.toFixed(1)} s)`);
  console.log(`  raw baseline (3 stmts) ${raw.per_second.toFixed(0).padStart(6)} events/s   (p50 ${raw.p50} ms, p99 ${raw.p99} ms)`);
  console.log(`  chargeUsage / baseline ${(charged.per_second / raw.per_second).toFixed(2)}; invariants hold (ledgerViolations empty, one row per event)`);
}

console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);

if (!options['skip-sqlite']) {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'roamcard-measure-'));
  const database = openDatabase({ sqlite_file: path.join(folder, 'measure.db'), sqlite_synchronous: options['sqlite-synchronous'] });
  try {
    await measure(`sqlite (WAL, synchronous=${options['sqlite-synchronous']})`, database);
  } finally {
    await database.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.env.DATABASE_URL) {
  const schema = `measure_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const database = openDatabase({ database_url: process.env.DATABASE_URL, postgres_schema: schema, pool_size_max: CONCURRENCY });
  try {
    await measure(`postgres (pool ${CONCURRENCY})`, database);
  } finally {
    await database.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
} else {
  console.log('postgres: skipped (set DATABASE_URL=postgres://… to measure it too)');
}
