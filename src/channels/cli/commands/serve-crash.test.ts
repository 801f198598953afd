import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../../../db/database.js';
import { ledgerViolations } from '../../../services/ledger/invariants.js';
import { describeEachDatabase, TEST_DATABASE_URL } from '../../../testing/databases.js';
import { freePort } from '../../../testing/net.js';

/**
 * Kill -9 in the middle of renewals: the server is killed right after customers pay on the
 * sandbox's page — webhooks queued, some delivered, some not, activations and provisioning half
 * done — then started again. Every paid order must end active exactly once, provisioned once, with
 * the books balanced.
 */

const MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'main.js');
const START_TIMEOUT_MS = 30_000;
/** A killed worker's jobs are taken over one lease (15 s) later; then webhooks and activation take a moment. */
const SETTLE_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 100;
const ORDERS = 6;

interface Running {
  readonly child: ChildProcess;
  readonly log: string[];
  readonly exited: Promise<unknown>;
}

describeEachDatabase('renewal survives kill -9 of the server', (t) => {
  let folder = '';
  let base = '';
  let env: NodeJS.ProcessEnv = {};
  let server_database: Database | undefined;
  let running: Running | undefined;

  before(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'roamcard-crash-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { ...process.env, DATA_DIR: path.join(folder, 'data'), PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: base, LOG_LEVEL: 'warn', NETWORK_API_TOKEN: '' };
    delete env.DATABASE_URL;
    if (t.dialect === 'postgres') {
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(t.database.db);
      const url = new URL(TEST_DATABASE_URL ?? '');
      url.searchParams.set('options', `-c search_path=${rows[0]?.schema ?? ''}`);
      env.DATABASE_URL = url.toString();
    }
  });

  after(async () => {
    running?.child.kill('SIGKILL');
    await running?.exited;
    await server_database?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function db() {
    if (t.dialect === 'postgres') return t.database.db;
    server_database ??= openDatabase({ sqlite_file: path.join(folder, 'data', 'roamcard.db') });
    return server_database.db;
  }

  async function start(): Promise<Running> {
    const child = spawn(process.execPath, [MAIN, 'serve', '--demo-if-empty'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`serve exited early:\n${log.join('')}`);
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return { child, log, exited };
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    throw new Error(`serve did not start:\n${log.join('')}`);
  }

  async function post(url: string, body: unknown, key: string) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(body) });
    return (await response.json()) as { id: string; payment: { next_action: { url: string } } };
  }

  it('activates every paid order exactly once after a crash and a restart', async () => {
    running = await start();
    const order_ids: string[] = [];
    const pages: string[] = [];
    for (let index = 0; index < ORDERS; index += 1) {
      const order = await post(`${base}/api/v1/orders`, { msisdn: index % 2 === 0 ? '+79001234568' : '+79001234567', package_code: 'data-1gb-1d' }, `crash-order-${index}`);
      const started = await post(`${base}/api/v1/orders/${order.id}/payments`, { method: 'card' }, `crash-pay-${index}`);
      order_ids.push(order.id);
      pages.push(started.payment.next_action.url);
    }
    // Customers pay all at once; the server dies while the webhooks are on their way.
    await Promise.all(pages.map((page) => fetch(`${page}/card`, {
      method: 'POST', body: new URLSearchParams({ card_number: '4242424242424242', expiry: '12/34', cvc: '123' }), redirect: 'manual',
    })));
    running.child.kill('SIGKILL');
    await running.exited;

    running = await start();
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let states: string[] = [];
    while (Date.now() < deadline) {
      states = await Promise.all(order_ids.map(async (id) => ((await (await fetch(`${base}/api/v1/orders/${id}`)).json()) as { state: string }).state));
      if (states.every((state) => state === 'active')) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    assert.deepEqual(states, order_ids.map(() => 'active'), running.log.join(''));
    // Provisioning is a job too: wait until the worker has run every one of them.
    while (Date.now() < deadline) {
      const pending = await db().selectFrom('jobs').select('id').where('status', 'in', ['pending', 'running']).execute();
      if (pending.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
    running.child.kill('SIGTERM');
    await running.exited;
    running = undefined;

    for (const order_id of order_ids) {
      const bundles = await db().selectFrom('bundles').select('id').where('idempotency_key', '=', `order:${order_id}`).execute();
      assert.equal(bundles.length, 1, `order ${order_id} has one bundle`);
      const pushed = await db().selectFrom('network_activations').select('bundle_id').where('bundle_id', '=', bundles[0]!.id).execute();
      assert.equal(pushed.length, 1, `bundle of ${order_id} provisioned once`);
      const paid = await db().selectFrom('payments').select('status').where('order_id', '=', order_id).execute();
      assert.deepEqual(paid.map((payment) => payment.status), ['succeeded']);
    }
    const dead = await db().selectFrom('jobs').select(['kind', 'last_error']).where('status', '=', 'dead').execute();
    assert.deepEqual(dead, []);
    assert.deepEqual(await ledgerViolations(db()), []);
  });
});
