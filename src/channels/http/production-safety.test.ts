import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { ConsoleSmsSender } from '../../adapters/sms/console/console-sms-sender.js';
import type { AppContext } from '../../app/context.js';
import type { ManualClock } from '../../ports/clock.js';
import type { OutboxWorker } from '../../services/jobs/worker.js';
import { cashDrawerAccountId, walletAccountId } from '../../services/ledger/accounts.js';
import { siteText } from '../web/site/text/site-text.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { payFromWallet, sentPaymentCode } from '../../testing/wallet-payers.js';
import { seededContext } from '../../testing/seeded-context.js';
import { testServer } from '../../testing/test-server.js';
import { TEST_IDENTITY_KEYS } from '../../testing/identity-keys.js';

/**
 * Safe to run for real money, tried as an attacker would from loopback: with real providers
 * configured no sandbox exists and unrouted methods are refused; a line's wallet pays only for its
 * owner; anonymous look-ups of numbers are limited and show nothing of the line.
 */

const LINE_1 = { msisdn: '+79001234567', iccid: '8970199000000000007' }; // 500 ₽ in its wallet
const LINE_2 = { msisdn: '+79001234568', iccid: '8970199000000000015' }; // 0 ₽
const PRODUCTION_LIKE = {
  YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'test_secret_key_0123456789', SMS_DRIVER: 'console',
  PAYMENT_ROUTES: 'card=yookassa,yoomoney=yookassa,sbp=yookassa', ...TEST_IDENTITY_KEYS,
};

type Json = Record<string, unknown> & {
  code?: string; detail?: string; token?: string; id?: string; state?: string; sent_to?: string; test_mode?: boolean;
  methods?: Array<{ method: string; owner_only: boolean }>; payment?: { status: string }; order?: { state: string };
};

interface Call { method?: 'GET' | 'POST'; url: string; body?: unknown; headers?: Record<string, string>; ip?: string; form?: Record<string, string> }

function client(server: () => ReturnType<typeof testServer>) {
  let serial = 0;
  return async function call({ method = 'GET', url, body, headers = {}, ip = '127.0.0.1', form }: Call): Promise<{ response: LightMyRequestResponse; json: Json }> {
    serial += 1;
    const content = form ? { 'content-type': 'application/x-www-form-urlencoded' } : body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': `safety-${serial}` };
    const payload = form ? new URLSearchParams(form).toString() : body === undefined ? undefined : JSON.stringify(body);
    const response = await server().inject({
      method, url, headers: { ...content, ...headers }, remoteAddress: ip, ...(payload === undefined ? {} : { payload }),
    });
    const json = String(response.headers['content-type'] ?? '').includes('json') && response.body ? (JSON.parse(response.body) as Json) : {};
    return { response, json };
  };
}

describeEachDatabase('production-like configuration: no sandbox, only configured methods', (t) => {
  let server: ReturnType<typeof testServer>;
  let context: AppContext;
  const call = client(() => server);

  before(async () => {
    ({ context } = await seededContext(t.database, PRODUCTION_LIKE));
    server = testServer(context);
  });
  after(async () => server.close());

  it('has no sandbox route: its pages and its webhook endpoint do not exist', async () => {
    assert.equal(context.payments.sandbox, undefined);
    for (const [method, url] of [['GET', '/sandbox/pay/sbxpay_x'], ['POST', '/sandbox/pay/sbxpay_x/decide'], ['POST', '/sandbox/pay/sbxpay_x/card'], ['GET', '/sandbox/sbp/sbxpay_x']] as const) {
      const { response } = await call({ method, url, ...(method === 'POST' ? { form: { decision: 'approve' } } : {}) });
      assert.equal(response.statusCode, 404, `${method} ${url}`);
    }
    const webhook = await call({ method: 'POST', url: '/webhooks/sandbox', body: { id: 'evt', data: { payment_id: 'x' } } });
    assert.equal(webhook.response.statusCode, 404);
  });

  it('refuses every method no configured provider takes, clearly, and changes nothing', async () => {
    const order = await call({ method: 'POST', url: '/api/v1/orders', body: { msisdn: LINE_2.msisdn, package_code: 'data-1gb-1d' } });
    assert.equal(order.response.statusCode, 201, order.response.body);
    for (const method of ['alipay', 'wechat_pay', 'paypal', 'bank_transfer', 'cash', 'card_present']) {
      const refused = await call({ method: 'POST', url: `/api/v1/orders/${order.json.id}/payments`, body: { method }, headers: { 'accept-language': 'ru' } });
      assert.equal(refused.response.statusCode, 422, method);
      assert.equal(refused.json.code, 'ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE');
      assert.match(String(refused.json.detail), /способ оплаты недоступен/i);
    }
    const view = await context.renewal.getOrder(String(order.json.id));
    assert.equal(view.payments.length, 0);
    assert.equal(view.order.state, 'created');
  });

  it('offers only configured methods, on the API and on the site, and says nothing of test mode', async () => {
    const listed = await call({ url: '/api/v1/payment-methods' });
    assert.equal(listed.json.test_mode, false);
    assert.deepEqual(listed.json.methods?.map((entry) => entry.method), ['card', 'yoomoney', 'sbp', 'wallet']);
    assert.deepEqual(listed.json.methods?.filter((entry) => entry.owner_only).map((entry) => entry.method), ['wallet']);
    const page = await call({ url: `/renew/packs?msisdn=${encodeURIComponent(LINE_2.msisdn)}` });
    assert.equal(page.response.statusCode, 200);
    const offered = [...page.response.body.matchAll(/name="method" value="([a-z_]+)"/g)].map((match) => match[1]);
    assert.deepEqual(offered, ['card', 'yoomoney', 'sbp', 'wallet']);
    assert.doesNotMatch(page.response.body, /class="test-mode"/);
  });

  it('serves the payment agents\' endpoints for real money too, and they give nothing away without credentials', async () => {
    const demo_basic = `Basic ${Buffer.from('demo-store:demo-secret').toString('base64')}`;
    const osmp = await call({ url: `/osmp/demo-store?command=check&account=${LINE_1.msisdn.slice(2)}` });
    assert.equal(osmp.response.statusCode, 401, 'the route is there (not behind test mode), and asks who calls');
    assert.doesNotMatch(osmp.response.body, /<result>|9001234567/);
    const json = await call({ method: 'POST', url: '/partner-api/v1/demo-store/check', body: { account: LINE_1.msisdn } });
    assert.equal(json.response.statusCode, 401);
    // A partner's secrets count only from its own addresses: the demo's published ones, from outside, get nothing.
    const outside = await call({ url: '/osmp/demo-store?command=check&account=9001234567', headers: { authorization: demo_basic }, ip: '198.51.100.77' });
    assert.equal(outside.response.statusCode, 403);
    const document = (await call({ url: '/openapi.json' })).response.body;
    for (const demo of ['demo-secret', 'demo-signing-key', 'demo-store']) assert.ok(!document.includes(demo), `${demo} in the API document`);
  });
});

describeEachDatabase('test mode says so everywhere; callers do not choose what follows from who they are', (t) => {
  let server: ReturnType<typeof testServer>;
  let context: AppContext;
  const call = client(() => server);

  before(async () => {
    ({ context } = await seededContext(t.database));
    server = testServer(context);
  });
  after(async () => server.close());

  it('puts the test-mode notice on every customer page, the API and the receipts', async () => {
    assert.equal(context.payments.test_mode, true);
    for (const url of ['/', '/renew', '/help', `/renew/packs?msisdn=${encodeURIComponent(LINE_2.msisdn)}`]) {
      const page = await call({ url, headers: { 'accept-language': 'ru' } });
      assert.ok(page.response.body.includes(siteText('ru').test_mode_banner), url);
    }
    assert.equal((await call({ url: '/api/v1/payment-methods' })).json.test_mode, true);
    const order = await context.renewal.createOrder({ line: { msisdn: LINE_1.msisdn }, package_code: 'data-1gb-1d', channel: 'app', idempotency_key: 'test-mode-order' });
    await payFromWallet(context, order.order.id, 'test-mode-pay');
    await context.createWorker().drainOnce();
    const receipt = await call({ url: `/orders/${order.order.id}/receipt` });
    const page = await call({ url: String(receipt.response.headers.location) });
    assert.equal(page.response.statusCode, 200);
    assert.ok(page.response.body.includes('class="test-notice"'), 'the receipt says no money moved');
  });

  it('takes the channel from who calls: the public API\'s orders are the app\'s, whatever the body says', async () => {
    const order = await call({ method: 'POST', url: '/api/v1/orders', body: { msisdn: LINE_2.msisdn, package_code: 'data-1gb-1d', channel: 'desk' } });
    assert.equal(order.response.statusCode, 201, order.response.body);
    assert.equal((order.json as { channel?: string }).channel, 'app');
  });
});

describeEachDatabase('a line\'s wallet pays only for its owner', (t) => {
  let server: ReturnType<typeof testServer>;
  let context: AppContext;
  let worker: OutboxWorker;
  let sms: ConsoleSmsSender;
  const call = client(() => server);

  before(async () => {
    ({ context } = await seededContext(t.database));
    server = testServer(context);
    worker = context.createWorker();
    assert.ok(context.sms instanceof ConsoleSmsSender);
    sms = context.sms;
    // Enough on the line for every pack these tests buy from it.
    await context.services.creditWallet({
      line: { msisdn: LINE_1.msisdn }, amount_minor: 100_000, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'safety-top-up', memo: 'test top-up',
    });
  });
  after(async () => server.close());

  const walletOf = async (msisdn: string) => {
    const line = await t.database.db.selectFrom('lines').select('id').where('msisdn', '=', msisdn).executeTakeFirstOrThrow();
    return (await t.database.db.selectFrom('ledger_accounts').select('balance_minor').where('id', '=', walletAccountId(line.id)).executeTakeFirstOrThrow()).balance_minor;
  };

  async function newOrder(): Promise<string> {
    const order = await call({ method: 'POST', url: '/api/v1/orders', body: { msisdn: LINE_1.msisdn, package_code: 'data-1gb-1d' }, ip: '198.51.100.9' });
    assert.equal(order.response.statusCode, 201, order.response.body);
    return String(order.json.id);
  }

  async function lastCodeTo(msisdn: string): Promise<string> {
    await worker.drainOnce();
    return /\d{6}/.exec(sms.lastMessageTo(msisdn)?.text ?? '')?.[0] ?? assert.fail('no code sent');
  }

  async function bearerFor(target: { msisdn: string } | { iccid: string }): Promise<string> {
    assert.equal((await call({ method: 'POST', url: '/api/v1/auth/codes', body: target, ip: '198.51.100.10' })).response.statusCode, 202);
    const code = await lastCodeTo(LINE_1.msisdn);
    const signed = await call({ method: 'POST', url: '/api/v1/auth/sessions', body: { ...target, code }, ip: '198.51.100.10' });
    assert.equal(signed.response.statusCode, 201, signed.response.body);
    return `Bearer ${signed.json.token}`;
  }

  it('refuses a stranger who knows only the number (the old attack), and nothing moves', async () => {
    const before_minor = await walletOf(LINE_1.msisdn);
    const order_id = await newOrder();
    const paid = await call({ method: 'POST', url: `/api/v1/orders/${order_id}/payments`, body: { method: 'wallet' } });
    assert.equal(paid.response.statusCode, 403);
    assert.equal(paid.json.code, 'ROAM_ERR_WALLET_PAYER_UNPROVEN');
    const guessed = await call({ method: 'POST', url: `/api/v1/orders/${order_id}/payments`, body: { method: 'wallet', payment_code: '123456' } });
    assert.equal(guessed.response.statusCode, 400);
    assert.equal(guessed.json.code, 'ROAM_ERR_CODE_INVALID');
    assert.equal(await walletOf(LINE_1.msisdn), before_minor);
    const view = await context.renewal.getOrder(order_id);
    assert.equal(view.order.state, 'created');
    assert.equal(view.payments.length, 0);
    // The site's pay button and form lead to the owner's check, not to a payment.
    const site = await call({ method: 'POST', url: `/orders/${order_id}/pay`, form: { method: 'wallet', attempt: '0' } });
    assert.equal(site.response.statusCode, 303);
    assert.equal(site.response.headers.location, `/orders/${order_id}/wallet`);
    const form = await call({ method: 'POST', url: `/orders/${order_id}/wallet`, form: { attempt: '0' } });
    assert.equal(form.response.statusCode, 403);
    assert.equal(await walletOf(LINE_1.msisdn), before_minor);
  });

  it('pays with the code sent by SMS to the line, once', async () => {
    const before_minor = await walletOf(LINE_1.msisdn);
    const order_id = await newOrder();
    const sent = await call({ method: 'POST', url: `/api/v1/orders/${order_id}/wallet-code` });
    assert.equal(sent.response.statusCode, 202, sent.response.body);
    assert.equal(sent.json.sent_to, '+7900***4567');
    const code = await lastCodeTo(LINE_1.msisdn);
    assert.match(sms.lastMessageTo(LINE_1.msisdn)?.text ?? '', /190/);
    const again = await call({ method: 'POST', url: `/api/v1/orders/${order_id}/wallet-code` });
    assert.equal(again.response.statusCode, 429);
    assert.ok(Number(again.response.headers['retry-after']) > 0);
    const paid = await call({ method: 'POST', url: `/api/v1/orders/${order_id}/payments`, body: { method: 'wallet', payment_code: code } });
    assert.equal(paid.response.statusCode, 201, paid.response.body);
    assert.equal(paid.json.order?.state, 'active');
    assert.equal(await walletOf(LINE_1.msisdn), before_minor - 19_000);
    // The code is spent: another order cannot reuse it.
    const other = await newOrder();
    assert.equal((await call({ method: 'POST', url: `/api/v1/orders/${other}/payments`, body: { method: 'wallet', payment_code: code } })).response.statusCode, 400);
  });

  it('on the site: the wallet page texts the code, and paying with it activates the pack', async () => {
    const before_minor = await walletOf(LINE_1.msisdn);
    const order_id = await newOrder();
    // In the order's language (the line's, zh-Hans): the visitor chose none.
    const page = await call({ url: `/orders/${order_id}/wallet` });
    assert.equal(page.response.statusCode, 200);
    assert.match(page.response.body, /\+7900\*\*\*4567/);
    const sent = await call({ method: 'POST', url: `/orders/${order_id}/wallet/code`, form: {} });
    assert.equal(sent.response.statusCode, 200);
    assert.ok(sent.response.body.includes(siteText('zh-Hans').wallet_code_sent('+7900***4567')));
    const wrong = await call({ method: 'POST', url: `/orders/${order_id}/wallet`, form: { code: '12345x', attempt: '0' } });
    assert.equal(wrong.response.statusCode, 400);
    const code = await sentPaymentCode(t.database, context.config.auth.secret, order_id);
    const paid = await call({ method: 'POST', url: `/orders/${order_id}/wallet`, form: { code, attempt: '0' } });
    assert.equal(paid.response.statusCode, 303);
    assert.equal(paid.response.headers.location, `/orders/${order_id}`);
    assert.equal((await context.renewal.getOrder(order_id)).order.state, 'active');
    assert.equal(await walletOf(LINE_1.msisdn), before_minor - 19_000);
  });

  it('pays for a signed-in customer who proved the card (ICCID), not for one who only got an SMS', async () => {
    const by_sms = await bearerFor({ msisdn: LINE_1.msisdn });
    const first = await newOrder();
    const refused = await call({ method: 'POST', url: `/api/v1/orders/${first}/payments`, body: { method: 'wallet' }, headers: { authorization: by_sms } });
    assert.equal(refused.response.statusCode, 403);
    const by_iccid = await bearerFor({ iccid: LINE_1.iccid });
    const paid = await call({ method: 'POST', url: `/api/v1/orders/${first}/payments`, body: { method: 'wallet' }, headers: { authorization: by_iccid } });
    assert.equal(paid.response.statusCode, 201, paid.response.body);
    assert.equal(paid.json.payment?.status, 'succeeded');
  });
});

describeEachDatabase('anonymous look-ups of numbers are limited and show nothing of the line', (t) => {
  let server: ReturnType<typeof testServer>;
  let clock: ManualClock;
  const call = client(() => server);

  before(async () => {
    let context: AppContext;
    ({ context, clock } = await seededContext(t.database, { RENEW_LOOKUPS_PER_ADDRESS_HOUR: '4', RENEW_LOOKUPS_PER_NUMBER_HOUR: '6' }));
    server = testServer(context);
  });
  after(async () => server.close());

  it('limits one address, counting unknown numbers as known ones, on the page and the API alike', async () => {
    const address = '203.0.113.20';
    const known = await call({ url: `/renew/packs?msisdn=${encodeURIComponent(LINE_1.msisdn)}`, ip: address });
    assert.equal(known.response.statusCode, 200);
    // The payer sees the number masked, the packs for sale — and nothing of the line's money or packs.
    assert.match(known.response.body, /\+7900\*\*\*4567/);
    assert.doesNotMatch(known.response.body, /\+7 900 123-45-67|500[.,]00| left/);
    assert.equal((await call({ url: '/renew/packs?msisdn=%2B79009999999', ip: address })).response.statusCode, 404);
    assert.equal((await call({ method: 'POST', url: '/api/v1/orders', body: { msisdn: '+79009999998', package_code: 'data-1gb-1d' }, ip: address })).response.statusCode, 404);
    assert.equal((await call({ method: 'POST', url: '/api/v1/orders', body: { msisdn: LINE_2.msisdn, package_code: 'data-1gb-1d' }, ip: address })).response.statusCode, 201);
    const limited = await call({ method: 'POST', url: '/api/v1/orders', body: { msisdn: LINE_2.msisdn, package_code: 'data-1gb-1d' }, ip: address });
    assert.equal(limited.response.statusCode, 429);
    assert.equal(limited.json.code, 'ROAM_ERR_RATE_LIMITED');
    assert.ok(Number(limited.response.headers['retry-after']) > 0);
    assert.equal((await call({ url: '/renew/packs?msisdn=%2B79009999997', ip: address })).response.statusCode, 429);
    // Another address is not held back.
    assert.equal((await call({ url: `/renew/packs?msisdn=${encodeURIComponent(LINE_2.msisdn)}`, ip: '203.0.113.21' })).response.statusCode, 200);
  });

  it('limits look-ups of one number from all addresses together, in any spelling', async () => {
    clock.advance(3_600_000);
    const spellings = ['+79001234569', '89001234569', '8 (900) 123-45-69', '+7 900 123 45 69', '79001234569', '+79001234569'];
    for (const [index, spelling] of spellings.entries()) {
      assert.equal((await call({ url: `/renew/packs?msisdn=${encodeURIComponent(spelling)}`, ip: `192.0.2.${index + 1}` })).response.statusCode, 200, spelling);
    }
    assert.equal((await call({ url: '/renew/packs?msisdn=%2B79001234569', ip: '192.0.2.99' })).response.statusCode, 429);
  });
});
