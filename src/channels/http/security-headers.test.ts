import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { OutboxWorker } from '../../services/jobs/worker.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { atForm, testServer } from '../../testing/test-server.js';
import { payFromWallet } from '../../testing/wallet-payers.js';

/**
 * Browser security headers on every response, as a framing attacker would probe them: each GET
 * route (its parameters filled with real ids where there are some, with junk everywhere else), the
 * pages of a real order — sandbox checkout, receipt, invoice, PDFs — and the refusals and errors.
 * Every answer must forbid framing (`frame-ancestors 'none'`) and sniffing and set a Referrer-Policy;
 * an HTML page must not allow inline or eval'd script.
 */

const WALLET_LINE = '+79001234567';
const CARD_LINE = '+79001234568';
const FRAME_ANCESTORS_NONE = /(^|;)\s*frame-ancestors 'none'\s*(;|$)/;

describeEachDatabase('security headers on every response', (test_db) => {
  let seeded: SeededContext;
  let server: ReturnType<typeof testServer>;
  let worker: OutboxWorker;
  const get_routes = new Set<string>();
  const pages: Record<string, string> = {};
  let keys = 0;

  before(async () => {
    seeded = await seededContext(test_db.database);
    server = testServer(seeded.context);
    server.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (methods.includes('GET')) get_routes.add(route.url);
    });
    await server.ready();
    worker = seeded.context.createWorker();
    await realPages();
  });

  after(async () => {
    await server.close();
  });

  async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
    keys += 1;
    const response = await server.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'idempotency-key': `headers-${keys}` }, payload: JSON.stringify(body) });
    assert.ok(response.statusCode < 300, `${url}: ${response.body}`);
    return response.json();
  }

  async function orderPaidWith(msisdn: string, method: string): Promise<{ order_id: string; next_url: string | undefined }> {
    const order = await post('/api/v1/orders', { msisdn, package_code: 'data-1gb-1d' }) as { id: string };
    const paid = await post(`/api/v1/orders/${order.id}/payments`, { method }) as { payment: { next_action?: { url?: string } } };
    return { order_id: order.id, next_url: paid.payment.next_action?.url?.replace(/^https?:\/\/[^/]+/, '') };
  }

  /** A paid order with its receipt, a pending bank transfer with its invoice, and the sandbox's pages. */
  async function realPages(): Promise<void> {
    const wallet_order = await post('/api/v1/orders', { msisdn: WALLET_LINE, package_code: 'data-1gb-1d' }) as { id: string };
    await payFromWallet(seeded.context, wallet_order.id, 'headers-wallet');
    const wallet = { order_id: wallet_order.id };
    await worker.drainOnce();
    await worker.drainOnce();
    const receipt = await server.inject({ url: `/orders/${wallet.order_id}/receipt` });
    const verify_url = String(receipt.headers.location ?? '');
    assert.match(verify_url, /^\/receipts\/RC-/, `the receipt redirects to its verification link: ${receipt.statusCode} ${receipt.body.slice(0, 200)}`);
    const transfer = await orderPaidWith(CARD_LINE, 'bank_transfer');
    const card = await orderPaidWith(CARD_LINE, 'card');
    const sbp = await orderPaidWith(CARD_LINE, 'sbp');
    Object.assign(pages, {
      'order page': `/orders/${wallet.order_id}`,
      'receipt (verification link)': verify_url,
      'receipt PDF': verify_url.replace('?', '.pdf?'),
      'invoice': `/orders/${transfer.order_id}/invoice`,
      'invoice PDF': `/orders/${transfer.order_id}/invoice.pdf`,
      'sandbox card page': card.next_url ?? assert.fail('no card page'),
      'sandbox SBP page': sbp.next_url ?? assert.fail('no SBP page'),
      'sandbox SBP bank app page': (sbp.next_url ?? '').replace('/sandbox/pay/', '/sandbox/sbp/'),
      'docs page': '/docs/',
    });
  }

  function assertHeaders(response: LightMyRequestResponse, what: string): void {
    const policy = String(response.headers['content-security-policy'] ?? '');
    assert.match(policy, FRAME_ANCESTORS_NONE, `${what} (${response.statusCode}): content-security-policy "${policy}"`);
    assert.equal(response.headers['x-content-type-options'], 'nosniff', what);
    assert.match(String(response.headers['referrer-policy'] ?? ''), /^(no-referrer|same-origin)$/, what);
    if (/^text\/html/.test(String(response.headers['content-type']))) {
      assert.doesNotMatch(policy, /'unsafe-inline'|'unsafe-eval'|\*/, `${what}: an HTML page must not allow inline or eval'd script`);
      assert.match(policy, /(^|;)\s*(default-src|script-src) ('self'|'none')/, `${what}: an HTML page limits scripts`);
    }
  }

  it('every GET route, its parameters filled with junk', async () => {
    assert.ok(get_routes.size > 20, `found only ${get_routes.size} routes`);
    let html = 0;
    for (const route of [...get_routes].sort()) {
      const url = route.replace(/:[A-Za-z_]+/g, 'x0').replace(/\*$/, 'x0');
      const response = await server.inject({ url });
      assertHeaders(response, `GET ${url}`);
      if (/^text\/html/.test(String(response.headers['content-type']))) html += 1;
    }
    assert.ok(html >= 10, `only ${html} HTML answers: the sweep did not reach the pages`);
  });

  it('the pages of real orders: receipt, invoice, PDFs, the sandbox\'s checkout pages, the docs', async () => {
    for (const [what, url] of Object.entries(pages)) {
      const response = await server.inject({ url });
      assert.ok(response.statusCode === 200, `${what} ${url}: ${response.statusCode}`);
      assertHeaders(response, `${what} ${url}`);
      // A PDF viewer in Chromium takes the PDF's policy, and breaks under default-src 'none'.
      if (url.includes('.pdf')) assert.doesNotMatch(String(response.headers['content-security-policy']), /default-src/, what);
    }
  });

  it('refusals and errors: 401, 403, 404, 413, 415, 400 and form posts', async () => {
    const requests: Array<[string, InjectOptions]> = [
      ['unknown route', { url: '/no/such/page' }],
      ['signed out', { url: '/api/v1/me' }],
      ['USSD from outside', { method: 'POST', url: '/ussd/at', remoteAddress: '198.51.100.1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: atForm({ phoneNumber: WALLET_LINE }) }],
      ['metrics from outside', { url: '/metrics', remoteAddress: '198.51.100.1' }],
      ['body too large', { method: 'POST', url: '/webhooks/sandbox', headers: { 'content-type': 'application/json' }, payload: 'x'.repeat(300 * 1024) }],
      ['unsupported type', { method: 'POST', url: '/api/v1/orders', headers: { 'content-type': 'text/csv', 'idempotency-key': 'k' }, payload: 'a,b' }],
      ['invalid JSON', { method: 'POST', url: '/api/v1/orders', headers: { 'content-type': 'application/json', 'idempotency-key': 'k2' }, payload: '{' }],
      ['sandbox card form with a bad card', { method: 'POST', url: `${pages['sandbox card page']}/card`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'card_number=1234&expiry=1&cvc=1' }],
      ['renewal form', { method: 'POST', url: '/renew', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'msisdn=12' }],
    ];
    for (const [what, request] of requests) {
      const response = await server.inject(request);
      assert.ok(response.statusCode >= 300, `${what}: ${response.statusCode}`);
      assertHeaders(response, what);
    }
  });
});
