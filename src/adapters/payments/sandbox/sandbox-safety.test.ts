import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { contextOver, type AppContext } from '../../../app/context.js';
import { loadConfig, paygTariff } from '../../../config.js';
import { ManualClock } from '../../../ports/clock.js';
import { seedDemo } from '../../../services/demo/seed.js';
import { createTestDatabase, describeEachDatabase } from '../../../testing/databases.js';
import { testServer } from '../../../testing/test-server.js';
import { SANDBOX_WEBHOOK_JOB } from './sandbox-provider.js';
import { SANDBOX_SIGNATURE_HEADER, signatureHeader } from './sandbox-wire.js';

/**
 * The sandbox is a test tool: its pages move a payment only by the step the payment waits for, its
 * webhooks are signed with a secret of this installation (never one written in the code), and what
 * they say is checked against the sandbox's own books.
 */

const START_MS = Date.UTC(2026, 10, 25, 9, 0);
/** The secret the sandbox used to default to, in the code: it must sign nothing any more. */
const FORMER_DEFAULT_SECRET = 'whsec_roamcard_sandbox_development';

describeEachDatabase('sandbox provider: a test tool that cannot be abused', (t) => {
  let context: AppContext;
  let app: ReturnType<typeof testServer>;
  let serial = 0;

  before(async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const clock = new ManualClock(START_MS);
    await seedDemo(t.database, paygTariff(config), clock.now_ms());
    context = contextOver(config, t.database, clock, { environment: {} });
    app = testServer(context);
  });

  async function startPayment(method: string) {
    serial += 1;
    const order = await context.renewal.createOrder({ line: { msisdn: '+79001234568' }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: `safety-order-${serial}` });
    const { payment } = await context.renewal.startPayment({ order_id: order.order.id, method, idempotency_key: `safety-pay-${serial}` });
    return { order_id: order.order.id, payment_id: payment.id, sandbox_id: payment.provider_payment_id! };
  }

  async function post(url: string, fields: Record<string, string>) {
    return app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
  }

  const orderState = async (order_id: string) => (await context.renewal.getOrder(order_id)).order.state;

  it('refuses to approve a card payment for which no card was entered (the old free pack)', async () => {
    const { order_id, sandbox_id } = await startPayment('card');
    const response = await post(`/sandbox/pay/${sandbox_id}/decide`, { decision: 'approve' });
    assert.equal(response.statusCode, 409);
    assert.equal((await context.payments.sandbox!.findForPage(sandbox_id))?.status, 'requires_action');
    assert.equal(await orderState(order_id), 'awaiting_payment');
  });

  it('takes a 3-D Secure answer only after a 3-D Secure card, and only once', async () => {
    const { sandbox_id } = await startPayment('card');
    const card = await post(`/sandbox/pay/${sandbox_id}/card`, { card_number: '4000 0000 0000 3220', expiry: '12/34', cvc: '123' });
    assert.equal(card.statusCode, 200);
    assert.equal((await context.payments.sandbox!.findForPage(sandbox_id))?.awaiting, 'three_d_secure');
    // A second card cannot be slipped in while the challenge waits.
    assert.equal((await post(`/sandbox/pay/${sandbox_id}/card`, { card_number: '4242424242424242', expiry: '12/34', cvc: '123' })).statusCode, 409);
    // An answer the 3-D Secure page does not offer is refused, and changes nothing.
    assert.equal((await post(`/sandbox/pay/${sandbox_id}/decide`, { decision: 'decline' })).statusCode, 400);
    assert.equal((await post(`/sandbox/pay/${sandbox_id}/decide`, { decision: 'approve' })).statusCode, 303);
    assert.equal((await context.payments.sandbox!.findForPage(sandbox_id))?.status, 'succeeded');
    assert.equal((await post(`/sandbox/pay/${sandbox_id}/decide`, { decision: 'fail_3ds' })).statusCode, 409);
    assert.equal((await context.payments.sandbox!.findForPage(sandbox_id))?.status, 'succeeded');
  });

  it('takes an e-wallet approval once; a card form posted to an e-wallet payment is refused', async () => {
    const { sandbox_id } = await startPayment('alipay');
    assert.equal((await post(`/sandbox/pay/${sandbox_id}/card`, { card_number: '4242424242424242', expiry: '12/34', cvc: '123' })).statusCode, 409);
    assert.equal((await post(`/sandbox/pay/${sandbox_id}/decide`, { decision: 'fail_3ds' })).statusCode, 400);
    assert.equal((await post(`/sandbox/pay/${sandbox_id}/decide`, { decision: 'decline' })).statusCode, 303);
    assert.equal((await context.payments.sandbox!.findForPage(sandbox_id))?.failure_code, 'canceled_by_customer');
    assert.equal((await post(`/sandbox/pay/${sandbox_id}/decide`, { decision: 'approve' })).statusCode, 409);
    assert.equal((await context.payments.sandbox!.findForPage(sandbox_id))?.status, 'failed');
  });

  it('answers 404 for a payment that does not exist, on every page', async () => {
    for (const url of ['/sandbox/pay/sbxpay_nope/decide', '/sandbox/pay/sbxpay_nope/card']) {
      assert.equal((await post(url, { decision: 'approve' })).statusCode, 404, url);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/sandbox/sbp/sbxpay_nope' })).statusCode, 404);
  });

  it('signs webhooks with a secret of this installation: random, kept, and not the old constant', async () => {
    const secret = await context.payments.sandbox!.webhookSecret();
    assert.match(secret, /^[0-9a-f]{64}$/);
    assert.notEqual(secret, FORMER_DEFAULT_SECRET);
    // Another process of the same installation (a second server, a command) uses the same secret.
    const other = contextOver(loadConfig({ LOG_LEVEL: 'silent' }), t.database, new ManualClock(START_MS), { environment: {} });
    assert.equal(await other.payments.sandbox!.webhookSecret(), secret);
    // A webhook signed with the old constant is refused.
    const { payment_id, sandbox_id } = await startPayment('card');
    const body = JSON.stringify({ id: 'evt_old_secret', type: 'payment.updated', created: 0, sequence: 1, data: { payment_id: sandbox_id } });
    const response = await app.inject({
      method: 'POST', url: '/webhooks/sandbox', payload: body,
      headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: signatureHeader(FORMER_DEFAULT_SECRET, body, Math.floor(START_MS / 1000)) },
    });
    assert.equal(response.statusCode, 400);
    assert.equal((await context.database.db.selectFrom('payments').select('status').where('id', '=', payment_id).executeTakeFirstOrThrow()).status, 'requires_action');
  });

  it('takes a webhook\'s outcome from its own books: a signed "succeeded" for a payment still waiting activates nothing', async () => {
    const { order_id, payment_id, sandbox_id } = await startPayment('card');
    const secret = await context.payments.sandbox!.webhookSecret();
    const lie = JSON.stringify({
      id: 'evt_says_succeeded', type: 'payment.updated', created: 0, sequence: 9,
      data: { payment_id: sandbox_id, merchant_payment_id: payment_id, status: 'succeeded', amount_minor: 1, currency: 'RUB', failure_code: null },
    });
    const response = await app.inject({
      method: 'POST', url: '/webhooks/sandbox', payload: lie,
      headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: signatureHeader(secret, lie, Math.floor(START_MS / 1000)) },
    });
    assert.equal(response.statusCode, 200);
    assert.notEqual((response.json() as { outcome: string }).outcome, 'activated');
    assert.equal(await orderState(order_id), 'awaiting_payment');
  });

  it('queues its webhooks for delivery only to this installation\'s own address', async () => {
    const { sandbox_id } = await startPayment('yoomoney');
    assert.equal((await post(`/sandbox/pay/${sandbox_id}/decide`, { decision: 'approve' })).statusCode, 303);
    const jobs = await context.database.db.selectFrom('jobs').select('payload').where('kind', '=', SANDBOX_WEBHOOK_JOB).execute();
    assert.ok(jobs.length > 0);
    for (const job of jobs) assert.equal((JSON.parse(job.payload) as { url: string }).url, `${context.config.public_base_url}/webhooks/sandbox`);
  });
});

describeEachDatabase('sandbox provider: two installations', (t) => {
  it('make different secrets', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const first = contextOver(config, t.database, new ManualClock(START_MS), { environment: {} });
    const secret = await first.payments.sandbox!.webhookSecret();
    const other_database = await createTestDatabase(t.dialect);
    try {
      const second = contextOver(config, other_database.database, new ManualClock(START_MS), { environment: {} });
      assert.notEqual(await second.payments.sandbox!.webhookSecret(), secret);
    } finally {
      await other_database.dispose();
    }
  });
});
