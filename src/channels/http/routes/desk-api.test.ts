import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ledgerViolations } from '../../../services/ledger/invariants.js';
import type { StaffActor, StaffAuthenticator } from '../../../services/staff/staff-actor.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { captureLogs, testServer } from '../../../testing/test-server.js';

/**
 * The desk API in-process on both engines, with a small authenticator of test tokens (the real
 * staff sign-in is another part): shifts, a cash sale with change, a card sale, refusals in the
 * caller's language that change nothing, an invoice, the look-up, and the store boundaries.
 */

const LINE = '+79001234568';
const TOKENS = { agent_a: 'token-agent-svo', agent_b: 'token-agent-led', manager_a: 'token-manager-svo', admin: 'token-admin' } as const;

type Json = Record<string, unknown> & {
  readonly id: string; readonly code: string; readonly detail: string; readonly state: string;
  readonly shift: Record<string, unknown> | null; readonly shifts: Array<Record<string, unknown>>;
};

describeEachDatabase('desk API', (t) => {
  let seeded: SeededContext;
  let server: ReturnType<typeof testServer>;
  let key_serial = 0;
  const logs = captureLogs();

  before(async () => {
    seeded = await seededContext(t.database);
    const stores = await t.database.db.selectFrom('stores').select(['id', 'code']).execute();
    const actor = (staff_id: string, role: StaffActor['role'], code: string): StaffActor => ({
      staff_id, login: staff_id, role, store_id: stores.find((store) => store.code === code)!.id, store_code: code,
    });
    const actors = new Map<string, StaffActor>([
      [TOKENS.agent_a, actor('stf_api_agent_a', 'agent', 'svo-hall')],
      [TOKENS.agent_b, actor('stf_api_agent_b', 'agent', 'led-hall')],
      [TOKENS.manager_a, actor('stf_api_manager_a', 'store_manager', 'svo-hall')],
      [TOKENS.admin, actor('stf_api_admin', 'admin', 'svo-hall')],
    ]);
    const staff_authenticator: StaffAuthenticator = { authenticate: async (token) => actors.get(token) };
    server = testServer(seeded.context, { staff_authenticator, logs });
  });

  after(async () => {
    await server.close();
  });

  async function call(method: 'GET' | 'POST', url: string, token: string | null, payload?: object, headers: Record<string, string> = {}) {
    const response = await server.inject({
      method, url, payload: payload as Record<string, unknown> | undefined,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers },
    });
    return { status: response.statusCode, json: JSON.parse(response.body) as Json };
  }
  const post = (url: string, token: string, payload: object, key = `desk-api-${(key_serial += 1)}`, headers: Record<string, string> = {}) =>
    call('POST', url, token, payload, { 'idempotency-key': key, ...headers });
  const count = async (table: 'orders' | 'payments' | 'journal_entries') =>
    Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('refuses calls without a staff token', async () => {
    const response = await call('GET', '/api/v1/desk/shifts/current', null);
    assert.equal(response.status, 401);
    assert.equal((await call('GET', '/api/v1/desk/shifts/current', 'not-a-token')).status, 401);
  });

  it('refuses cash without a shift, in the caller\'s language, changing nothing', async () => {
    const before_counts = [await count('orders'), await count('payments'), await count('journal_entries')];
    const response = await post('/api/v1/desk/sales', TOKENS.agent_a, {
      msisdn: LINE, package_code: 'data-1gb-1d', method: 'cash', tendered_minor: 20_000, document_checked: true,
    }, undefined, { 'accept-language': 'ru' });
    assert.equal(response.status, 409);
    assert.equal(response.json.code, 'ROAM_ERR_SHIFT_REQUIRED');
    assert.match(response.json.detail, /кассовую смену/);
    assert.deepEqual([await count('orders'), await count('payments'), await count('journal_entries')], before_counts);
  });

  it('opens a shift, sells in cash with change and on the card terminal, and refuses a short tender naming the amount', async () => {
    const opened = await post('/api/v1/desk/shifts', TOKENS.agent_a, { float_minor: 300_000 });
    assert.equal(opened.status, 201, JSON.stringify(opened.json));
    assert.equal(opened.json.drawer_cash_minor, 300_000);
    const current = await call('GET', '/api/v1/desk/shifts/current', TOKENS.agent_a);
    assert.equal(current.json.shift?.id, opened.json.id);

    const short = await post('/api/v1/desk/sales', TOKENS.agent_a, {
      msisdn: LINE, package_code: 'data-1gb-1d', method: 'cash', tendered_minor: 10_000, document_checked: true,
    }, undefined, { 'accept-language': 'en' });
    assert.equal(short.status, 422);
    assert.equal(short.json.code, 'ROAM_ERR_TENDER_SHORT');
    assert.match(short.json.detail, /90(,|\.)00/);

    const cash = await post('/api/v1/desk/sales', TOKENS.agent_a, {
      msisdn: LINE, package_code: 'data-1gb-1d', method: 'cash', tendered_minor: 50_000, document_checked: true, language: 'zh-Hans',
    }, 'api-cash-1');
    assert.equal(cash.status, 201, JSON.stringify(cash.json));
    assert.equal(cash.json.state, 'active');
    assert.equal(cash.json.change_minor, 31_000);
    assert.match(String(cash.json.receipt_url), /^\/orders\/.+\/receipt$/);
    const replay = await post('/api/v1/desk/sales', TOKENS.agent_a, {
      msisdn: LINE, package_code: 'data-1gb-1d', method: 'cash', tendered_minor: 50_000, document_checked: true, language: 'zh-Hans',
    }, 'api-cash-1');
    assert.equal(replay.status, 200);
    assert.equal(replay.json.order_id, cash.json.order_id);

    const card = await post('/api/v1/desk/sales', TOKENS.agent_a, {
      msisdn: LINE, package_code: 'sms-50-30d', method: 'card_present', terminal_reference: '000123456789', card_last4: '1234',
    });
    assert.equal(card.status, 201, JSON.stringify(card.json));
    assert.equal(card.json.state, 'active');
    const shift = await call('GET', '/api/v1/desk/shifts/current', TOKENS.agent_a);
    assert.equal(shift.json.shift?.drawer_cash_minor, 300_000 + 19_000);

    // The receipt job (queued with the activation) issues the receipt the desk's link leads to, with the slip's card digits.
    const worker = seeded.context.createWorker();
    const drain_rounds_max = 10;
    for (let round = 0; round < drain_rounds_max && (await worker.drainOnce()) > 0; round += 1) { /* until no job is due */ }
    const link = await server.inject({ method: 'GET', url: String(card.json.receipt_url) });
    assert.equal(link.statusCode, 303);
    const receipt = await server.inject({ method: 'GET', url: String(link.headers.location) });
    assert.equal(receipt.statusCode, 200);
    assert.match(receipt.body, /\*\*\*\* 1234/);
  });

  it('keeps the desk methods off the customer API', async () => {
    const methods = await call('GET', '/api/v1/payment-methods', null);
    const offered = (methods.json.methods as Array<{ method: string }>).map((entry) => entry.method);
    assert.ok(!offered.includes('cash') && !offered.includes('card_present'), offered.join(','));
    const order = await call('POST', '/api/v1/orders', null, { msisdn: LINE, package_code: 'data-1gb-1d' }, { 'idempotency-key': 'customer-order-1' });
    assert.equal(order.status, 201, JSON.stringify(order.json));
    for (const method of ['cash', 'card_present']) {
      const paid = await call('POST', `/api/v1/orders/${order.json.id}/payments`, null, { method }, { 'idempotency-key': `customer-pay-${method}` });
      assert.equal(paid.status, 422);
      assert.equal(paid.json.code, 'ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE');
    }
    // A staff token does not turn the customer API into a desk either.
    const as_staff = await call('POST', `/api/v1/orders/${order.json.id}/payments`, TOKENS.agent_a, { method: 'cash' }, { 'idempotency-key': 'customer-pay-staff' });
    assert.equal(as_staff.status, 422);
  });

  it('issues a company invoice, refusing a bad INN', async () => {
    const bad = await post('/api/v1/desk/invoices', TOKENS.agent_a, {
      msisdn: LINE, package_code: 'data-5gb-7d', buyer_name: 'OOO Vostok', buyer_inn: '7707083894', buyer_kpp: '770701001',
    }, undefined, { 'accept-language': 'ru' });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.code, 'ROAM_ERR_INN_INVALID');
    assert.match(bad.json.detail, /ИНН/);
    const good = await post('/api/v1/desk/invoices', TOKENS.agent_a, {
      msisdn: LINE, package_code: 'data-5gb-7d', buyer_name: 'OOO Vostok', buyer_inn: '7707083893', buyer_kpp: '770701001',
    });
    assert.equal(good.status, 201, JSON.stringify(good.json));
    assert.equal(good.json.state, 'awaiting_payment');
    const page = await server.inject({ method: 'GET', url: String(good.json.invoice_url) });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /OOO Vostok/);
    assert.match(page.body, /7707083893/);
    const pdf = await server.inject({ method: 'GET', url: String(good.json.invoice_pdf_url) });
    assert.equal(pdf.headers['content-type'], 'application/pdf');
  });

  it('looks a line up by ICCID; an agent of another store sees its orders without their desk details', async () => {
    const mine = await call('GET', '/api/v1/desk/lines?iccid=8970199000000000015', TOKENS.agent_a);
    assert.equal(mine.status, 200, JSON.stringify(mine.json));
    const orders = mine.json.recent_orders as Array<{ desk: { staff_id: string } | null; other_store: boolean }>;
    assert.ok(orders.some((order) => order.desk?.staff_id === 'stf_api_agent_a'));
    const theirs = await call('GET', `/api/v1/desk/lines?msisdn=${encodeURIComponent(LINE)}`, TOKENS.agent_b);
    const their_orders = theirs.json.recent_orders as Array<{ desk: unknown; other_store: boolean }>;
    assert.ok(their_orders.every((order) => order.desk === null));
    assert.ok(their_orders.some((order) => order.other_store));
    assert.equal((await call('GET', '/api/v1/desk/lines?iccid=123', TOKENS.agent_a)).status, 400);
  });

  it('an agent of another store can neither close the shift nor see it; the shift closes short and reconciles', async () => {
    const shift = (await call('GET', '/api/v1/desk/shifts/current', TOKENS.agent_a)).json.shift!;
    const theirs = await post(`/api/v1/desk/shifts/${String(shift.id)}/close`, TOKENS.agent_b, { counted_minor: 0 });
    assert.equal(theirs.status, 404);
    assert.equal((await call('GET', '/api/v1/desk/shifts/overdue', TOKENS.agent_b)).json.shifts.length, 0);
    seeded.clock.set(Date.parse(String(shift.day_ends_at)) + 60_000);
    const overdue = await call('GET', '/api/v1/desk/shifts/overdue', TOKENS.manager_a);
    assert.deepEqual(overdue.json.shifts.map((entry) => entry.id), [shift.id]);
    assert.equal((await call('GET', '/api/v1/desk/shifts/current', TOKENS.agent_a)).json.shift?.open_past_day, true);

    const closed = await post(`/api/v1/desk/shifts/${String(shift.id)}/close`, TOKENS.agent_a, { counted_minor: 318_000 });
    assert.equal(closed.status, 200, JSON.stringify(closed.json));
    assert.equal(closed.json.expected_minor, 319_000);
    assert.equal(closed.json.counted_minor, 318_000);
    assert.equal(closed.json.difference_minor, -1_000);
    assert.equal(closed.json.drawer_cash_minor, 0);
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  });

  it('logs and audits no number, ICCID or tender slip in clear', async () => {
    assert.ok(logs.records().length > 0);
    for (const secret of ['79001234568', '8970199000000000015']) {
      assert.ok(!logs.text().includes(secret), `the log shows ${secret}`);
      const audited = await t.database.db.selectFrom('audit_log').select('after_json').where('after_json', 'like', `%${secret}%`).execute();
      assert.deepEqual(audited, []);
    }
  });

  it('refuses bad input before anything is written', async () => {
    const negative = await post('/api/v1/desk/shifts', TOKENS.agent_b, { float_minor: -1 });
    assert.equal(negative.status, 400);
    const no_key = await call('POST', '/api/v1/desk/sales', TOKENS.agent_b, { msisdn: LINE, package_code: 'data-1gb-1d', method: 'card_present', terminal_reference: '12345' });
    assert.equal(no_key.status, 400);
    const wallet = await post('/api/v1/desk/sales', TOKENS.agent_b, { msisdn: LINE, package_code: 'data-1gb-1d', method: 'wallet' });
    assert.equal(wallet.status, 400);
  });
});
