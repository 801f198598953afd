import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DEMO_STAFF, seedDemoStaff } from '../../../services/demo/seed.js';
import { newTotpSecret, totpCode } from '../../../services/staff/staff-crypto.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { testServer } from '../../../testing/test-server.js';

/**
 * The desk with real staff sign-ins (no test authenticator): the demo agent of Sheremetyevo signs
 * in with password and TOTP, opens a cash shift, sells a pack in cash with change, and closes the
 * shift with a shortage — which ends the agent's session; an agent of another hall can neither
 * see nor close that shift, a manager of the hall can read its audit log, and every step is in it.
 */
const AGENT = DEMO_STAFF[0];
const OTHER_AGENT = { login: 'agent.led', role: 'agent', store_code: 'led-hall' } as const;
const MANAGER = { login: 'manager.svo', role: 'store_manager', store_code: 'svo-hall' } as const;
const PASSWORD = 'a long test password 2026';
const STEP_MS = 30_000;
const PRICE_1GB_MINOR = 19_000;

describeEachDatabase('the desk with real staff sessions', (test_db) => {
  let seeded: SeededContext;
  let server: ReturnType<typeof testServer>;
  const secrets = new Map<string, { password: string; totp_secret: string }>([
    [AGENT.login, { password: AGENT.password, totp_secret: AGENT.totp_secret }],
  ]);

  before(async () => {
    seeded = await seededContext(test_db.database);
    await seedDemoStaff(seeded.context.staff);
    for (const member of [OTHER_AGENT, MANAGER]) {
      const totp_secret = newTotpSecret();
      secrets.set(member.login, { password: PASSWORD, totp_secret });
      await seeded.context.staff.ensureStaff({ ...member, password: PASSWORD, totp_secret, password_must_change: false });
    }
    server = testServer(seeded.context);
  });
  after(async () => {
    await server.close();
  });

  async function signIn(login: string): Promise<Record<string, string>> {
    seeded.clock.advance(STEP_MS);
    const secret = secrets.get(login);
    assert.ok(secret);
    const response = await server.inject({
      method: 'POST', url: '/api/v1/staff/sessions',
      payload: { login, password: secret.password, totp: totpCode(secret.totp_secret, seeded.clock.now_ms()) },
    });
    assert.equal(response.statusCode, 201, response.body);
    return { authorization: `Bearer ${(response.json() as { token: string }).token}` };
  }

  it('opens a shift, sells in cash with change, refunds an unused pack from the drawer, and closes short; the close ends the sign-in; other halls see nothing', async () => {
    const agent = await signIn(AGENT.login);
    const opened = await server.inject({ method: 'POST', url: '/api/v1/desk/shifts', headers: agent, payload: { float_minor: 500_000 } });
    assert.equal(opened.statusCode, 201, opened.body);
    const shift_id = (opened.json() as { id: string }).id;

    const sale = await server.inject({
      method: 'POST', url: '/api/v1/desk/sales', headers: { ...agent, 'idempotency-key': 'journey-sale-1' },
      payload: { msisdn: '+79001234568', package_code: 'data-1gb-1d', method: 'cash', tendered_minor: 20_000, document_checked: true },
    });
    assert.equal(sale.statusCode, 201, sale.body);
    assert.deepEqual(
      { state: (sale.json() as { state: string }).state, change_minor: (sale.json() as { change_minor: number }).change_minor },
      { state: 'active', change_minor: 20_000 - PRICE_1GB_MINOR },
    );

    // A second pack, sold and refunded unused: the cash leaves the drawer, so the count expects it.
    const second = await server.inject({
      method: 'POST', url: '/api/v1/desk/sales', headers: { ...agent, 'idempotency-key': 'journey-sale-2' },
      payload: { msisdn: '+79001234568', package_code: 'data-1gb-1d', method: 'cash', tendered_minor: PRICE_1GB_MINOR, document_checked: true },
    });
    assert.equal(second.statusCode, 201, second.body);
    const second_order = (second.json() as { order_id: string }).order_id;
    const refund = () => server.inject({
      method: 'POST', url: '/api/v1/desk/refunds', headers: { ...agent, 'idempotency-key': 'journey-refund-1' }, payload: { order_id: second_order },
    });
    const refunded = await refund();
    assert.equal(refunded.statusCode, 201, refunded.body);
    const { amount_minor, method, state } = refunded.json<{ amount_minor: number; method: string; state: string }>();
    assert.deepEqual({ amount_minor, method, state, shift_id: refunded.json<{ shift_id: string }>().shift_id },
      { amount_minor: PRICE_1GB_MINOR, method: 'cash', state: 'succeeded', shift_id });
    const retried = await refund();
    assert.equal(retried.json<{ refund_id: string }>().refund_id, refunded.json<{ refund_id: string }>().refund_id, 'a retry refunds once');
    const order = await server.inject({ method: 'GET', url: `/api/v1/orders/${second_order}` });
    assert.equal(order.json<{ state: string }>().state, 'refunded');

    const other = await signIn(OTHER_AGENT.login);
    const foreign_refund = await server.inject({
      method: 'POST', url: '/api/v1/desk/refunds', headers: { ...other, 'idempotency-key': 'journey-refund-x' },
      payload: { order_id: (sale.json() as { order_id: string }).order_id },
    });
    assert.equal(foreign_refund.statusCode, 404, 'another hall cannot refund this hall\'s sale');
    const peek = await server.inject({ method: 'POST', url: `/api/v1/desk/shifts/${shift_id}/close`, headers: other, payload: { counted_minor: 0 } });
    assert.equal(peek.statusCode, 404, 'another hall\'s agent cannot close, or even find, this shift');
    const other_audit = await server.inject({ method: 'GET', url: '/api/v1/staff/audit', headers: other });
    assert.equal(other_audit.statusCode, 403, 'agents do not read the audit log');

    const counted_minor = 500_000 + PRICE_1GB_MINOR - 5_000;
    const closed = await server.inject({ method: 'POST', url: `/api/v1/desk/shifts/${shift_id}/close`, headers: agent, payload: { counted_minor } });
    assert.equal(closed.statusCode, 200, closed.body);
    assert.deepEqual(
      closed.json() as object,
      { ...(closed.json() as object), expected_minor: 500_000 + PRICE_1GB_MINOR, counted_minor, difference_minor: -5_000 },
      'two sales, one refunded: the drawer expects the float and one price',
    );
    const totals = closed.json<{ sales: { by_method: { cash: object }; refunds: { cash: object } } }>().sales;
    assert.deepEqual([totals.by_method.cash, totals.refunds.cash], [
      { count: 2, amount_minor: 2 * PRICE_1GB_MINOR }, { count: 1, amount_minor: PRICE_1GB_MINOR },
    ]);
    const after_close = await server.inject({ method: 'GET', url: '/api/v1/desk/shifts/current', headers: agent });
    assert.equal(after_close.statusCode, 401, 'the shift\'s close ended the agent\'s sign-in');

    const manager = await signIn(MANAGER.login);
    const audit = await server.inject({ method: 'GET', url: `/api/v1/staff/audit?subject_type=shift&subject_id=${shift_id}`, headers: manager });
    assert.equal(audit.statusCode, 200, audit.body);
    const actions = (audit.json() as { entries: { action: string }[] }).entries.map((entry) => entry.action);
    assert.ok(actions.includes('desk.shift_close') && actions.some((action) => action.includes('shift_open')), actions.join(', '));
  });
});
