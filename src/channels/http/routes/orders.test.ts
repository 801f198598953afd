import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { AppContext } from '../../../app/context.js';
import { ledgerViolations } from '../../../services/ledger/invariants.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { ManualClock } from '../../../ports/clock.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { jsonApi, postForm, type ApiCall } from '../../../testing/http-client.js';
import { startServer, type RunningServer } from '../../../testing/running-server.js';
import { DEMO_START_MS } from '../../../testing/seeded-context.js';

/**
 * The whole renewal over real HTTP on loopback: the API, the sandbox's hosted pages as a browser
 * would post them, and the sandbox's signed webhooks delivered asynchronously by the outbox worker
 * back to /webhooks/sandbox — nothing short-circuited. The clock is a manual one and the worker runs
 * when the test settles the server, so nothing is waited for.
 */

const STAFF_TOKEN = 'staff-token-0123456789abcdef';

/** The fields these tests read from the API's JSON (orders, payments, problems). */
interface ApiJson {
  id: string;
  state: string;
  state_text: string;
  amount_minor: number;
  failure: { code: string; message: string };
  code: string;
  detail: string;
  payment: { id: string; status: string; next_action: { type: string; url: string } };
}

describeEachDatabase('renewal over HTTP with the sandbox provider', (t) => {
  let running: RunningServer;
  let base = '';
  let context: AppContext;
  let api: ApiCall<ApiJson>;
  const clock = new ManualClock(DEMO_START_MS);

  before(async () => {
    running = await startServer(t.database, { environment: { ADMIN_API_TOKEN: STAFF_TOKEN }, clock });
    ({ base, context } = running);
    api = jsonApi<ApiJson>(base, { idempotency_key_prefix: 'k' });
  });

  after(async () => {
    await running.stop();
  });

  async function order(msisdn = '+79001234568', package_code = 'data-1gb-1d') {
    const created = await api('/api/v1/orders', { msisdn, package_code, channel: 'web' }, { 'accept-language': 'ru' });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    return created.json;
  }

  async function pay(order_id: string, method: string) {
    const started = await api(`/api/v1/orders/${order_id}/payments`, { method });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    return started.json.payment;
  }

  /** The order as the customer then sees it, once every job due (webhook, activation, provisioning) has run. */
  async function settledOrder(order_id: string) {
    await running.settle();
    return (await api(`/api/v1/orders/${order_id}?lang=ru`)).json;
  }

  it('card 4242: hosted page, redirect back, webhook over HTTP, pack active and visible to #100#', async () => {
    const created = await order();
    assert.equal(created.state, 'created');
    assert.equal(created.amount_minor, 19_000);
    const payment = await pay(created.id, 'card');
    assert.equal(payment.status, 'requires_action');
    const page = await fetch(payment.next_action.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /name="card_number"/);
    const submitted = await postForm(`${payment.next_action.url}/card`, { card_number: '4242 4242 4242 4242', expiry: '12/34', cvc: '123' });
    assert.equal(submitted.status, 303);
    assert.equal(submitted.headers.get('location'), `${base}/orders/${created.id}`);
    const done = await settledOrder(created.id);
    assert.equal(done.state, 'active');
    assert.equal(done.state_text, 'Подключён');
    const ussd = await fetch(`${base}/ussd/at`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ sessionId: 's1', serviceCode: '*100#', phoneNumber: '+79001234568', networkCode: '25001', text: '' }) });
    assert.match(await ussd.text(), /1(\.0)? GB/);
  });

  it('declined card explains itself in the customer\'s language; SBP then succeeds', async () => {
    const created = await order();
    const card = await pay(created.id, 'card');
    await postForm(`${card.next_action.url}/card`, { card_number: '4000 0000 0000 9995', expiry: '12/34', cvc: '123' });
    const declined = await settledOrder(created.id);
    assert.equal(declined.failure.code, 'insufficient_funds');
    assert.equal(declined.failure.message, 'Карта отклонена: недостаточно средств.');
    const sbp = await pay(created.id, 'sbp');
    assert.equal(sbp.next_action.type, 'qr');
    const qrPage = await (await fetch(sbp.next_action.url)).text();
    assert.match(qrPage, /<svg/);
    const confirm = await postForm(`${sbp.next_action.url}/decide`, { decision: 'approve' });
    assert.equal(confirm.status, 303);
    assert.equal((await settledOrder(created.id)).state, 'active');
  });

  it('3-D Secure challenge, expired card, e-wallet approval, and a card form error that changes nothing', async () => {
    const threeDs = await order();
    const payment = await pay(threeDs.id, 'card');
    const challenge = await postForm(`${payment.next_action.url}/card`, { card_number: '4000000000003220', expiry: '12/34', cvc: '123' });
    assert.match(await challenge.text(), /3-D Secure/);
    await postForm(`${payment.next_action.url}/decide`, { decision: 'approve' });
    assert.equal((await settledOrder(threeDs.id)).state, 'active');

    const expired = await order();
    const expiredPayment = await pay(expired.id, 'card');
    const bad = await postForm(`${expiredPayment.next_action.url}/card`, { card_number: '4242 4242 4242 4241', expiry: '12/34', cvc: '123' });
    assert.equal(bad.status, 422);
    await postForm(`${expiredPayment.next_action.url}/card`, { card_number: '4000000000000069', expiry: '12/34', cvc: '123' });
    assert.equal((await settledOrder(expired.id)).failure.code, 'card_expired');

    const wallet = await order();
    const alipay = await pay(wallet.id, 'alipay');
    await postForm(`${alipay.next_action.url}/decide`, { decision: 'approve' });
    assert.equal((await settledOrder(wallet.id)).state, 'active');
  });

  it('answers problem details for bad input and keeps the same order for a repeated key', async () => {
    const missingKey = await fetch(`${base}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ msisdn: '+79001234568', package_code: 'data-1gb-1d' }) });
    assert.equal(missingKey.status, 400);
    const unknown = await api('/api/v1/orders', { msisdn: '+79009999999', package_code: 'data-1gb-1d' }, { 'accept-language': 'zh-CN' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 'ROAM_ERR_LINE_NOT_FOUND');
    assert.equal(unknown.json.detail, '未找到该号码。');
    const headers = { 'content-type': 'application/json', 'idempotency-key': 'same-key-twice' };
    const body = JSON.stringify({ msisdn: '+79001234568', package_code: 'data-5gb-7d' });
    const first = await fetch(`${base}/api/v1/orders`, { method: 'POST', headers, body });
    const second = await fetch(`${base}/api/v1/orders`, { method: 'POST', headers, body });
    assert.equal(first.status, 201);
    assert.equal(second.status, 200);
    assert.equal(((await second.json()) as { id: string }).id, ((await first.json()) as { id: string }).id);
    const conflict = await fetch(`${base}/api/v1/orders`, { method: 'POST', headers, body: JSON.stringify({ msisdn: '+79001234568', package_code: 'data-1gb-1d' }) });
    assert.equal(conflict.status, 409);
    const forged = await fetch(`${base}/webhooks/sandbox`, { method: 'POST', headers: { 'content-type': 'application/json', 'roamcard-sandbox-signature': 't=1,v1=00' }, body: '{}' });
    assert.equal(forged.status, 400);
  });

  it('refunds an unused pack for staff only, back the way the money came; refuses a used one', async () => {
    const created = await order('+79001234568', 'voice-100min-30d');
    const payment = await pay(created.id, 'card');
    await postForm(`${payment.next_action.url}/card`, { card_number: '4242424242424242', expiry: '12/34', cvc: '123' });
    const active = await settledOrder(created.id);
    const refund = (token?: string) => fetch(`${base}/api/v1/orders/${created.id}/refund`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `refund-${created.id}`, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ requested_by: 'desk-svo-01' }),
    });
    assert.equal((await refund()).status, 401);
    assert.equal((await refund('wrong-token-0123456789abcdef')).status, 401);
    const refunded = await refund(STAFF_TOKEN);
    assert.equal(refunded.status, 200);
    const refunded_json = (await refunded.json()) as ApiJson;
    assert.equal(refunded_json.state, 'refunded');
    // The reason says what happened: a refund, not a decline.
    assert.deepEqual(refunded_json.failure, { code: 'unused_pack_refunded', message: messagesFor('en').renewal.payment_failures.unused_pack_refunded });
    const bundle = await t.database.db.selectFrom('bundles').select(['status']).where('id', '=', String((active as unknown as { bundle_id: string }).bundle_id)).executeTakeFirstOrThrow();
    assert.equal(bundle.status, 'revoked');
    const again = await refund(STAFF_TOKEN);
    assert.equal(again.status, 200);
    await running.settle();
    const view = (await api(`/api/v1/orders/${created.id}`)).json as unknown as { refunds: Array<{ status: string; reason: string }> };
    assert.equal(view.refunds.length, 1);
    const status = view.refunds[0]!.status;
    assert.equal(status, 'succeeded');

    const used = await order('+79001234568', 'sms-50-30d');
    const usedPayment = await pay(used.id, 'card');
    await postForm(`${usedPayment.next_action.url}/card`, { card_number: '4242424242424242', expiry: '12/34', cvc: '123' });
    assert.equal((await settledOrder(used.id)).state, 'active');
    await context.services.chargeUsage({ event_id: `sms-${used.id}`, msisdn: '+79001234568', kind: 'sms', quantity: 1, at_ms: clock.now_ms() });
    const refused = await fetch(`${base}/api/v1/orders/${used.id}/refund`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `refund-${used.id}`, authorization: `Bearer ${STAFF_TOKEN}`, 'accept-language': 'ru' },
      body: JSON.stringify({ requested_by: 'desk-svo-01' }),
    });
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as ApiJson).detail, 'Пакетом уже пользовались, вернуть деньги нельзя.');
  });

  it('keeps the books balanced after all of it', async () => {
    assert.deepEqual(await ledgerViolations(t.database.db), []);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /roamcard_payment_webhooks_total\{provider="sandbox",outcome="activated"\} \d+/);
    assert.match(metrics, /roamcard_jobs\{kind="network.provision",status="done"\} \d+/);
  });
});
