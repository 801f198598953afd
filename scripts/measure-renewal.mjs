#!/usr/bin/env node
// A first figure for renewal: N renewals over HTTP on loopback, end to end — order, card payment on
// the sandbox's hosted page, the sandbox's signed webhook delivered by the outbox worker, activation.
// Prints renewals/s and the payment-confirmed → pack-active latency (p50/p99): from the moment the
// sandbox recorded the success (its own row) to the bundle's activation instant (ours), both
// written by the same clock. Runs on SQLite (temporary file) and, with DATABASE_URL, on PostgreSQL
// (a temporary schema). Uses the compiled code: run `npx tsc -p .` first.
//
//   node scripts/measure-renewal.mjs [--renewals 300] [--concurrency 16]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const dist = (file) => new URL(`../dist/src/${file}`, import.meta.url).href;
const { default: pg } = await import('pg');
const { openDatabase } = await import(dist('db/database.js'));
const { migrateToLatest } = await import(dist('db/migrate.js'));
const { systemClock } = await import(dist('ports/clock.js'));
const { loadConfig, paygTariff } = await import(dist('config.js'));
const { contextOver } = await import(dist('app/context.js'));
const { buildServer } = await import(dist('channels/http/server.js'));
const { createLogger } = await import(dist('channels/http/logging.js'));
const { seedDemo } = await import(dist('services/demo/seed.js'));
const { ledgerViolations } = await import(dist('services/ledger/invariants.js'));

const { values } = parseArgs({ options: { renewals: { type: 'string', default: '300' }, concurrency: { type: 'string', default: '16' } } });
const renewals = Number(values.renewals);
const concurrency = Number(values.concurrency);

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address();
    probe.close(() => resolve(port));
  });
});
const base = `http://127.0.0.1:${port}`;

async function run(label, database) {
  await migrateToLatest(database);
  const config = loadConfig({ PORT: String(port), PUBLIC_BASE_URL: base, LOG_LEVEL: 'silent' });
  await seedDemo(database, paygTariff(config), systemClock.now_ms());
  const context = contextOver(config, database, systemClock, { environment: {} });
  const app = buildServer(context, { logger: createLogger({ level: 'silent' }) });
  await app.listen({ host: '127.0.0.1', port });
  const worker = context.createWorker({ poll_interval_ms: 10 });
  worker.start();

  const post = async (url, body, key) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) })).json();
  const order_ids = [];
  const started_ms = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < renewals) {
      const index = next++;
      const order = await post(`${base}/api/v1/orders`, { msisdn: index % 2 ? '+79001234567' : '+79001234568', package_code: 'data-1gb-1d' }, `m-${label}-${index}`);
      const started = await post(`${base}/api/v1/orders/${order.id}/payments`, { method: 'card' }, `m-${label}-${index}-pay`);
      await fetch(`${started.payment.next_action.url}/card`, { method: 'POST', body: new URLSearchParams({ card_number: '4242424242424242', expiry: '12/34', cvc: '123' }), redirect: 'manual' });
      order_ids.push(order.id);
    }
  }));
  // Wait for every order to be active (bounded).
  const deadline = Date.now() + 120_000;
  for (;;) {
    const active = await database.db.selectFrom('orders').select((eb) => eb.fn.countAll().as('n')).where('id', 'in', order_ids).where('state', '=', 'active').executeTakeFirst();
    if (Number(active.n) === order_ids.length || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const elapsed_s = (performance.now() - started_ms) / 1000;
  const rows = await database.db
    .selectFrom('orders')
    .innerJoin('payments', 'payments.id', 'orders.activating_payment_id')
    .innerJoin('sandbox_payments', 'sandbox_payments.merchant_payment_id', 'payments.id')
    .innerJoin('bundles', 'bundles.id', 'orders.bundle_id')
    .select(['sandbox_payments.updated_at_ms as confirmed_at_ms', 'bundles.activated_at_ms'])
    .where('orders.id', 'in', order_ids)
    .execute();
  const latencies = rows.map((row) => Number(row.activated_at_ms) - Number(row.confirmed_at_ms)).sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  const violations = await ledgerViolations(database.db);
  console.log(`${label}: ${rows.length}/${renewals} renewals active in ${elapsed_s.toFixed(1)} s = ${(rows.length / elapsed_s).toFixed(0)} renewals/s (${concurrency} concurrent customers)`);
  console.log(`  payment confirmed → pack active: p50 ${pick(0.5)} ms, p99 ${pick(0.99)} ms, max ${latencies.at(-1)} ms; ledger ${violations.length === 0 ? 'sound' : violations.join('; ')}`);
  await worker.stop();
  await app.close();
}

console.log(`node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const folder = mkdtempSync(path.join(os.tmpdir(), 'roamcard-measure-renewal-'));
try {
  const sqlite = openDatabase({ sqlite_file: path.join(folder, 'r.db'), sqlite_synchronous: 'full' });
  await run('sqlite (WAL, synchronous=full)', sqlite);
  await sqlite.close();
} finally {
  rmSync(folder, { recursive: true, force: true });
}
if (process.env.DATABASE_URL) {
  const schema = `measure_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const postgres = openDatabase({ database_url: process.env.DATABASE_URL, postgres_schema: schema, pool_size_max: 10 });
  try {
    await run('postgres (pool 10)', postgres);
  } finally {
    await postgres.close();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  }
}
