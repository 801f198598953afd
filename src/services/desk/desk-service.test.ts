import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AppContext } from '../../app/context.js';
import { isRoamError, type ErrorCode } from '../../core/errors.js';
import type { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seededContext } from '../../testing/seeded-context.js';
import { listAudit } from '../audit/audit-log.js';
import { ledgerViolations } from '../ledger/invariants.js';
import { SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import { invoicePdf } from '../receipts/pdf.js';
import { invoiceDocument } from '../receipts/receipt-document.js';
import { bankTransferInvoice } from '../receipts/invoice.js';
import type { StaffActor } from '../staff/staff-actor.js';
import type { DeskCaller } from './desk-service.js';
import { drawerCashMinor } from './shifts.js';

/**
 * The desk's money on both engines, through the real renewal service and ledger: cash sales with
 * change into the shift's drawer, card sales into the store's acquiring clearing, refusals that
 * change nothing, idempotent replays, company invoices, and a shift closed short that reconciles.
 */

const LINE = '+79001234568';
const PACK = 'data-1gb-1d';
const PACK_PRICE_MINOR = 19_000;

async function refusal(work: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(work, (error: unknown) => isRoamError(error) && error.code === code);
}

describeEachDatabase('desk: shifts, cash and card sales, company invoices', (t) => {
  let context: AppContext;
  let clock: ManualClock;
  let agent_a: DeskCaller;
  let agent_b: DeskCaller;
  let manager_a: DeskCaller;

  before(async () => {
    ({ context, clock } = await seededContext(t.database));
    const stores = await t.database.db.selectFrom('stores').select(['id', 'code']).execute();
    const store = (code: string) => stores.find((row) => row.code === code)!;
    const actor = (staff_id: string, role: StaffActor['role'], code: string): DeskCaller => ({
      actor: { staff_id, login: staff_id, role, store_id: store(code).id, store_code: code }, client_address: '192.0.2.10',
    });
    agent_a = actor('stf_agent_a', 'agent', 'svo-hall');
    agent_b = actor('stf_agent_b', 'agent', 'led-hall');
    manager_a = actor('stf_manager_a', 'store_manager', 'svo-hall');
  });

  /** Row counts of everything a sale writes: a refused sale must leave all of them as they were. */
  async function footprint() {
    const db = t.database.db;
    const count = async (table: 'orders' | 'payments' | 'desk_payments' | 'journal_entries' | 'jobs' | 'company_invoices' | 'audit_log') =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return {
      orders: await count('orders'), payments: await count('payments'), desk_payments: await count('desk_payments'),
      entries: await count('journal_entries'), jobs: await count('jobs'), invoices: await count('company_invoices'), audit: await count('audit_log'),
    };
  }

  async function accountSum(account_id: string): Promise<number> {
    const row = await t.database.db.selectFrom('postings').select((eb) => eb.fn.sum<number | string>('amount_minor').as('total'))
      .where('account_id', '=', account_id).executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  it('refuses cash without an open shift, changing nothing', async () => {
    const before_sale = await footprint();
    await refusal(context.desk.sell(agent_a, { line: { msisdn: LINE }, package_code: PACK, method: 'cash', tendered_minor: 20_000, document_checked: true }, 'no-shift'), 'ROAM_ERR_SHIFT_REQUIRED');
    assert.deepEqual(await footprint(), before_sale);
  });

  it('opens a shift with its float in the drawer, one open shift per staff member', async () => {
    const shift = await context.desk.openShift(agent_a, 500_000);
    assert.equal(shift.state, 'open');
    assert.equal(shift.float_minor, 500_000);
    assert.equal(shift.drawer_cash_minor, 500_000);
    assert.equal(await drawerCashMinor(t.database.db, shift.drawer_account_id), 500_000);
    await refusal(context.desk.openShift(agent_a, 0), 'ROAM_ERR_SHIFT_ALREADY_OPEN');
    assert.equal((await context.desk.currentShift(agent_a.actor))?.id, shift.id);
  });

  it('refuses a tender below the price with the amount missing, and a cash sale without the document checked, changing nothing', async () => {
    const before_sale = await footprint();
    const short = context.desk.sell(agent_a, { line: { msisdn: LINE }, package_code: PACK, method: 'cash', tendered_minor: 15_000, document_checked: true }, 'short');
    await assert.rejects(short, (error: unknown) => isRoamError(error) && error.code === 'ROAM_ERR_TENDER_SHORT' && error.params.needed_minor === 4_000);
    await refusal(context.desk.sell(agent_a, { line: { msisdn: LINE }, package_code: PACK, method: 'cash', tendered_minor: 20_000 }, 'unchecked'), 'ROAM_ERR_DOCUMENT_NOT_CHECKED');
    assert.deepEqual(await footprint(), before_sale);
  });

  it('sells in cash with change: the drawer up by the price, the pack active at once, the receipt queued; a replay is the same sale', async () => {
    const shift = (await context.desk.currentShift(agent_a.actor))!;
    const drawer_before = await drawerCashMinor(t.database.db, shift.drawer_account_id);
    const revenue_before = await accountSum(SYSTEM_ACCOUNTS.revenue_packages.id);
    const input = { line: { msisdn: LINE }, package_code: PACK, method: 'cash' as const, tendered_minor: 20_000, document_checked: true };
    const sale = await context.desk.sell(agent_a, input, 'cash-1');
    assert.equal(sale.state, 'active');
    assert.equal(sale.amount_minor, PACK_PRICE_MINOR);
    assert.equal(sale.change_minor, 1_000);
    assert.equal(sale.receipt_url, `/orders/${sale.order_id}/receipt`);
    assert.equal(await drawerCashMinor(t.database.db, shift.drawer_account_id), drawer_before + PACK_PRICE_MINOR);
    assert.equal(await accountSum(SYSTEM_ACCOUNTS.revenue_packages.id), revenue_before + PACK_PRICE_MINOR);
    const order = await context.renewal.getOrder(sale.order_id);
    assert.equal(order.order.channel, 'desk');
    assert.notEqual(order.order.bundle_id, null);
    const payment = order.payments[0]!;
    assert.equal(payment.provider, 'desk');
    assert.equal(payment.status, 'succeeded');
    const entry = await t.database.db.selectFrom('postings').select(['account_id', 'amount_minor']).where('entry_id', '=', payment.entry_id!).execute();
    assert.equal(entry.reduce((sum, posting) => sum + Number(posting.amount_minor), 0), 0);
    const jobs = await t.database.db.selectFrom('jobs').select('kind').where('dedupe_key', '=', `receipt:${sale.order_id}`).execute();
    assert.deepEqual(jobs.map((job) => job.kind), ['receipt.issue']);

    const replay = await context.desk.sell(agent_a, input, 'cash-1');
    assert.equal(replay.order_id, sale.order_id);
    assert.equal(replay.replayed, true);
    assert.equal(replay.change_minor, 1_000);
    assert.equal(await drawerCashMinor(t.database.db, shift.drawer_account_id), drawer_before + PACK_PRICE_MINOR);
    await refusal(context.desk.sell(agent_a, { ...input, tendered_minor: 50_000 }, 'cash-1'), 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
    const audit = await listAudit(t.database.db, { subject: { type: 'order', id: sale.order_id }, limit: 10 });
    assert.deepEqual(audit.map((row) => row.action), ['desk.sale']);
  });

  it('sells on the card terminal into the store\'s acquiring clearing account', async () => {
    const acquiring_before = await accountSum('acquiring:svo-hall');
    const sale = await context.desk.sell(agent_a, {
      line: { msisdn: LINE }, package_code: 'sms-50-30d', method: 'card_present', terminal_reference: 'RRN-123456', card_last4: '4242',
    }, 'card-1');
    assert.equal(sale.state, 'active');
    assert.equal(sale.change_minor, 0);
    assert.equal(await accountSum('acquiring:svo-hall'), acquiring_before - 19_000);
    const record = await t.database.db.selectFrom('desk_payments').selectAll().where('payment_id', '=', sale.payment_id).executeTakeFirstOrThrow();
    assert.equal(record.terminal_reference, 'RRN-123456');
    assert.equal(record.card_last4, '4242');
    await refusal(context.desk.sell(agent_a, { line: { msisdn: LINE }, package_code: PACK, method: 'card_present' }, 'card-2'), 'ROAM_ERR_VALIDATION');
  });

  it('refuses the desk methods to customers', async () => {
    assert.ok(!context.payments.router.methods().includes('cash'));
    assert.ok(!context.payments.router.methods().includes('card_present'));
    const order = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: 'customer-cash' });
    const before_payment = await footprint();
    for (const method of ['cash', 'card_present']) {
      await refusal(context.renewal.startPayment({ order_id: order.order.id, method, idempotency_key: `customer-${method}` }), 'ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE');
    }
    assert.deepEqual(await footprint(), before_payment);
  });

  it('refuses an invoice with a bad INN and issues one to a company: bank transfer pending, the invoice PDF naming the buyer', async () => {
    const before_invoice = await footprint();
    const bad = { line: { msisdn: LINE }, package_code: PACK, buyer: { name: 'OOO Romashka', inn: '7707083894', kpp: '770701001' } };
    await refusal(context.desk.issueCompanyInvoice(agent_a, bad, 'invoice-bad'), 'ROAM_ERR_INN_INVALID');
    await refusal(context.desk.issueCompanyInvoice(agent_a, { ...bad, buyer: { ...bad.buyer, inn: '7707083893', kpp: '77-07' } }, 'invoice-bad-kpp'), 'ROAM_ERR_KPP_INVALID');
    assert.deepEqual(await footprint(), before_invoice);

    const issued = await context.desk.issueCompanyInvoice(agent_a, { ...bad, buyer: { ...bad.buyer, inn: '7707083893' } }, 'invoice-1');
    assert.equal(issued.state, 'awaiting_payment');
    assert.match(issued.reference ?? '', /^RC-/);
    const order = await context.renewal.getOrder(issued.order_id);
    assert.equal(order.payments[0]?.method, 'bank_transfer');
    assert.equal(order.payments[0]?.status, 'pending');
    const invoice = await bankTransferInvoice(t.database.db, context.config.seller, issued.order_id);
    assert.deepEqual(invoice?.buyer, { name: 'OOO Romashka', inn: '7707083893', kpp: '770701001' });
    const document = invoiceDocument(invoice!);
    assert.ok(document.buyer.some((field) => field.value === '7707083893'));
    const pdf = await invoicePdf(document);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const replay = await context.desk.issueCompanyInvoice(agent_a, { ...bad, buyer: { ...bad.buyer, inn: '7707083893' } }, 'invoice-1');
    assert.equal(replay.order_id, issued.order_id);
    assert.equal(replay.replayed, true);
    const other_buyer = { ...bad, buyer: { name: 'IP Ivanov', inn: '500100732259' } };
    await refusal(context.desk.issueCompanyInvoice(agent_a, other_buyer, 'invoice-1'), 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
  });

  it('an agent of another store can neither see nor close the shift; a shift open past the day is flagged', async () => {
    const shift = (await context.desk.currentShift(agent_a.actor))!;
    await refusal(context.desk.findShift(agent_b.actor, shift.id), 'ROAM_ERR_SHIFT_NOT_FOUND');
    await refusal(context.desk.closeShift(agent_b, { shift_id: shift.id, counted_minor: 0 }), 'ROAM_ERR_SHIFT_NOT_FOUND');
    assert.equal((await context.desk.findShift(manager_a.actor, shift.id)).id, shift.id);
    assert.equal(shift.open_past_day, false);
    assert.deepEqual(await context.desk.overdueShifts(manager_a.actor), []);
    clock.set(shift.day_ends_at_ms + 1);
    assert.equal((await context.desk.currentShift(agent_a.actor))?.open_past_day, true);
    assert.deepEqual((await context.desk.overdueShifts(manager_a.actor)).map((view) => view.id), [shift.id]);
    assert.deepEqual(await context.desk.overdueShifts(agent_b.actor), []);
  });

  it('closes a shift short: the difference goes to over/short and the drawer reconciles to the kopeck', async () => {
    const shift = (await context.desk.currentShift(agent_a.actor))!;
    const expected_minor = 500_000 + PACK_PRICE_MINOR;
    assert.equal(shift.drawer_cash_minor, expected_minor);
    const over_short_before = await accountSum(SYSTEM_ACCOUNTS.cash_over_short.id);
    const closed = await context.desk.closeShift(agent_a, { shift_id: shift.id, counted_minor: expected_minor - 5_000 });
    assert.equal(closed.state, 'closed');
    assert.equal(closed.expected_minor, expected_minor);
    assert.equal(closed.counted_minor, expected_minor - 5_000);
    assert.equal(closed.difference_minor, -5_000);
    assert.equal(closed.sales.by_method.cash.count, 1);
    assert.equal(closed.sales.by_method.cash.amount_minor, PACK_PRICE_MINOR);
    assert.equal(closed.sales.by_method.card_present.count, 1);
    assert.equal(closed.sales.change_minor, 1_000);
    assert.equal(await accountSum(SYSTEM_ACCOUNTS.cash_over_short.id), over_short_before - 5_000);
    assert.equal(closed.drawer_cash_minor, 0);
    assert.equal((closed.counted_minor ?? 0) - (closed.expected_minor ?? 0), closed.difference_minor);
    assert.deepEqual(await ledgerViolations(t.database.db), []);
    await refusal(context.desk.closeShift(agent_a, { shift_id: shift.id, counted_minor: 0 }), 'ROAM_ERR_SHIFT_CLOSED');
    assert.equal(await context.desk.currentShift(agent_a.actor), undefined);
    const audit = await listAudit(t.database.db, { subject: { type: 'shift', id: shift.id }, limit: 10 });
    assert.deepEqual(audit.map((row) => row.action), ['desk.shift_close', 'desk.shift_open']);
  });

  it('waits to close while a sale on the shift is between its payment and its posting; reconciliation completes it', async () => {
    // The state a crash leaves between the payment's transaction and its settlement: a desk payment recorded, not yet posted.
    const shift = await context.desk.openShift(agent_a, 10_000);
    const order = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'desk', idempotency_key: 'crashed-sale' });
    const now_ms = clock.now_ms();
    const payment_id = 'pay_crashed_sale';
    await t.database.db.insertInto('payments').values({
      id: payment_id, order_id: order.order.id, line_id: order.order.line_id, provider: 'desk', method: 'cash', amount_minor: PACK_PRICE_MINOR,
      currency: 'RUB', status: 'pending', provider_payment_id: null, next_action: null, failure_code: null, provider_code: null,
      idempotency_key: 'crashed-sale:payment', request_hash: 'x', entry_id: null, receiving_account_id: shift.drawer_account_id,
      created_at_ms: now_ms, updated_at_ms: now_ms, finalized_at_ms: null,
    }).execute();
    await t.database.db.insertInto('desk_payments').values({
      payment_id, order_id: order.order.id, store_id: agent_a.actor.store_id, staff_id: agent_a.actor.staff_id, shift_id: shift.id,
      method: 'cash',
      tendered_minor: PACK_PRICE_MINOR, change_minor: 0, document_checked: 1, terminal_reference: null, card_last4: null,
      created_at_ms: now_ms,
    }).execute();
    await refusal(context.desk.closeShift(agent_a, { shift_id: shift.id, counted_minor: 10_000 }), 'ROAM_ERR_SHIFT_SALE_IN_PROGRESS');
    assert.equal(await context.renewal.refreshPayment(payment_id), 'updated');
    assert.equal((await context.renewal.getOrder(order.order.id)).order.state, 'active');
    const closed = await context.desk.closeShift(agent_a, { shift_id: shift.id, counted_minor: 10_000 + PACK_PRICE_MINOR });
    assert.equal(closed.expected_minor, 10_000 + PACK_PRICE_MINOR);
    assert.equal(closed.difference_minor, 0);
    assert.equal(closed.drawer_cash_minor, 0);
    assert.deepEqual(await ledgerViolations(t.database.db), []);
  });

  it('looks a customer up by ICCID with state, packs and orders; another store sees no desk details', async () => {
    const mine = await context.desk.lookup(agent_a.actor, { iccid: '8970199000000000015' });
    assert.equal(mine.overview.line.msisdn, LINE);
    assert.ok(mine.overview.bundles.length >= 1);
    const desk_sale = mine.recent_orders.find((order) => order.desk?.method === 'cash');
    assert.equal(desk_sale?.desk?.staff_id, 'stf_agent_a');
    const theirs = await context.desk.lookup(agent_b.actor, { msisdn: LINE });
    assert.equal(theirs.recent_orders.length, mine.recent_orders.length);
    assert.ok(theirs.recent_orders.every((order) => order.desk === null));
    assert.ok(theirs.recent_orders.some((order) => order.other_store));
    await refusal(context.desk.lookup(agent_a.actor, { iccid: '8970199000000000016' }), 'ROAM_ERR_ICCID_INVALID');
  });
});
