import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ledgerViolations } from '../../../services/ledger/invariants.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { freePort } from '../../../testing/net.js';
import { eventually } from '../../../testing/waiting.js';
import { processSuite, startRoamcard, waitUntilHealthy, type RunningRoamcard } from '../../../testing/roamcard-process.js';

/**
 * Kill -9 in the middle of renewals: the server is killed right after customers pay on the
 * sandbox's page — webhooks queued, some delivered, some not, activations and provisioning half
 * done — then started again. Every paid order must end active exactly once, provisioned once, with
 * the books balanced.
 */

/** A killed worker's jobs are taken over one lease (15 s) later; then webhooks and activation take a moment. */
const SETTLE_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 100;
const ORDERS = 6;

describeEachDatabase('renewal survives kill -9 of the server', (t) => {
  const suite = processSuite(t, 'roamcard-crash-');
  let base = '';
  let env: NodeJS.ProcessEnv = {};
  let running: RunningRoamcard | undefined;

  before(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // AUTH_SECRET set, as production sets it: an SMS queued before the kill (a receipt's link) is
    // sealed under it and must still open after the restart, not go dead under a new random secret.
    env = {
      ...suite.env(), PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: base, LOG_LEVEL: 'warn', NETWORK_API_TOKEN: '',
      AUTH_SECRET: 'serve-crash-test-secret-0123456789abcdef',
    };
  });

  after(async () => {
    running?.child.kill('SIGKILL');
    await running?.exited;
  });

  const db = () => suite.database().db;

  async function start(): Promise<RunningRoamcard> {
    const started = startRoamcard(['serve', '--demo-if-empty'], env);
    await waitUntilHealthy(base, started);
    return started;
  }

  const log = () => (running ? `${running.output.stderr}${running.output.stdout}` : '');

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
    const deadline_ms = Date.now() + SETTLE_TIMEOUT_MS;
    const orderStates = () => Promise.all(order_ids.map(async (id) => ((await (await fetch(`${base}/api/v1/orders/${id}`)).json()) as { state: string }).state));
    const states = await eventually(async () => {
      const now = await orderStates();
      return now.every((state) => state === 'active') || Date.now() > deadline_ms ? now : undefined;
    }, 'every paid order to be active', { timeout_ms: SETTLE_TIMEOUT_MS, interval_ms: POLL_INTERVAL_MS });
    assert.deepEqual(states, order_ids.map(() => 'active'), log());
    // Provisioning is a job too: wait until the worker has run every one of them.
    await eventually(async () => {
      const pending = await db().selectFrom('jobs').select('id').where('status', 'in', ['pending', 'running']).execute();
      return pending.length === 0 ? true : undefined;
    }, 'the outbox to be empty', { timeout_ms: Math.max(0, deadline_ms - Date.now()), interval_ms: POLL_INTERVAL_MS });
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
