import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { contextOver, type AppContext } from '../../app/context.js';
import { loadConfig, paygTariff } from '../../config.js';
import type { Language } from '../../core/i18n/languages.js';
import { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seedDemo } from '../demo/seed.js';
import { PermanentJobError } from '../jobs/worker.js';
import { cashDrawerAccountId } from '../ledger/accounts.js';
import { issueReceiptJob } from './receipt-job-handler.js';
import { ReceiptNotDueError, ReceiptService, TOKEN_LENGTH, type Receipt } from './receipt-service.js';
import { payFromWallet } from '../../testing/wallet-payers.js';
import { parsedJobHandler } from '../jobs/job-kinds.js';

/** 2026-11-25 09:00 UTC = 12:00 in Moscow, where the demo line lives. */
const START_MS = Date.UTC(2026, 10, 25, 9, 0);
const LINE = '+79001234567';
const PRICE_1GB = 19_000;
const CONCURRENT_ORDERS = 24;
const COPIES_PER_ORDER = 3;

describeEachDatabase('receipts: issued once per activated order, numbered without gaps', (t) => {
  let clock: ManualClock;
  let context: AppContext;
  let receipts: ReceiptService;
  let serial = 0;

  before(async () => {
    clock = new ManualClock(START_MS);
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    await seedDemo(t.database, paygTariff(config), clock.now_ms());
    context = contextOver(config, t.database, clock, { environment: {} });
    receipts = new ReceiptService({ database: t.database, clock, seller: config.seller });
    const line = await t.database.db.selectFrom('lines').select('id').where('msisdn', '=', LINE).executeTakeFirstOrThrow();
    await context.services.creditWallet({
      line: { line_id: line.id }, amount_minor: 100 * PRICE_1GB, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'receipts-test-topup', memo: 'test',
    });
  });

  async function order(language?: Language): Promise<string> {
    serial += 1;
    const created = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: `receipt-order-${serial}`, language });
    return created.order.id;
  }

  async function paidOrder(language?: Language): Promise<string> {
    const order_id = await order(language);
    const { view } = await payFromWallet(context, order_id, `receipt-pay-${serial}`);
    assert.equal(view.order.state, 'active');
    return order_id;
  }

  async function receiptsOf(order_id: string): Promise<Receipt[]> {
    return t.database.db.selectFrom('receipts').selectAll().where('order_id', '=', order_id).execute();
  }

  it('queues one receipt job with the activation, and a job run twice issues one receipt', async () => {
    const order_id = await paidOrder('ru');
    const jobs = await t.database.db.selectFrom('jobs').selectAll().where('kind', '=', 'receipt.issue').where('dedupe_key', '=', `receipt:${order_id}`).execute();
    assert.equal(jobs.length, 1);
    assert.deepEqual(JSON.parse(jobs[0]?.payload ?? 'null'), { order_id });
    await context.createWorker().drainOnce();
    const handler = issueReceiptJob(receipts);
    await handler({ order_id }, jobs[0]!);
    await handler({ order_id }, jobs[0]!);
    const issued = await receiptsOf(order_id);
    assert.equal(issued.length, 1);
    assert.equal(issued[0]?.number, 'RC-2026-000001');
    const again = await receipts.issue(order_id);
    assert.equal(again.issued, false);
    assert.equal(again.receipt.number, 'RC-2026-000001');
  });

  it('freezes seller, item in the receipt\'s language, price, VAT, method and the line\'s zone', async () => {
    const order_id = await paidOrder('zh-Hant');
    const { receipt, issued } = await receipts.issue(order_id);
    assert.ok(issued);
    const config = loadConfig({});
    assert.equal(receipt.language, 'zh-Hant');
    assert.equal(receipt.item_name, (await t.database.db.selectFrom('packages').select('name_zh_hant').where('code', '=', 'data-1gb-1d').executeTakeFirstOrThrow()).name_zh_hant);
    assert.equal(receipt.amount_minor, PRICE_1GB);
    assert.equal(receipt.vat_rate_percent, 22);
    assert.equal(receipt.vat_minor, 3_426);
    assert.equal(receipt.payment_method, 'wallet');
    assert.equal(receipt.payment_details, null);
    assert.equal(receipt.time_zone, 'Europe/Moscow');
    assert.equal(receipt.line_msisdn_masked, '+7900***4567');
    assert.equal(receipt.seller_name, config.seller.name);
    assert.equal(receipt.seller_inn, config.seller.inn);
    assert.equal(receipt.paid_at_ms, START_MS);
    assert.equal(receipt.issued_at_ms, START_MS);
    assert.equal(receipt.verification_token.length, TOKEN_LENGTH);
  });

  it('shows a receipt only with its token', async () => {
    const { receipt } = await receipts.issue(await paidOrder());
    assert.equal((await receipts.verify(receipt.number, receipt.verification_token))?.order_id, receipt.order_id);
    const wrong = `${receipt.verification_token.slice(0, -1)}${receipt.verification_token.endsWith('A') ? 'B' : 'A'}`;
    assert.equal(await receipts.verify(receipt.number, wrong), undefined);
    assert.equal(await receipts.verify(receipt.number, ''), undefined);
    assert.equal(await receipts.verify('RC-2026-999999', receipt.verification_token), undefined);
    assert.equal(await receipts.verify("RC-2026-000001' or 1=1 --", receipt.verification_token), undefined);
  });

  it('numbers concurrent issues uniquely and without gaps, one receipt per order however many workers race', async () => {
    const before_max = (await t.database.db.selectFrom('receipts').select((eb) => eb.fn.max('sequence').as('max')).executeTakeFirstOrThrow()).max ?? 0;
    const order_ids: string[] = [];
    for (let index = 0; index < CONCURRENT_ORDERS; index += 1) order_ids.push(await paidOrder());
    const outcomes = await Promise.all(order_ids.flatMap((order_id) =>
      Array.from({ length: COPIES_PER_ORDER }, () => receipts.issue(order_id))));
    assert.equal(outcomes.filter((outcome) => outcome.issued).length, CONCURRENT_ORDERS);
    for (const order_id of order_ids) {
      const rows = await receiptsOf(order_id);
      assert.equal(rows.length, 1, `order ${order_id}`);
      assert.ok(outcomes
        .filter((outcome) => outcome.receipt.order_id === order_id)
        .every((outcome) => outcome.receipt.number === rows[0]?.number));
    }
    const sequences = (await t.database.db.selectFrom('receipts').select('sequence').where('year', '=', 2026).orderBy('sequence').execute()).map((row) => Number(row.sequence));
    assert.deepEqual(sequences, Array.from({ length: Number(before_max) + CONCURRENT_ORDERS }, (_, index) => index + 1));
  });

  it('issues nothing for an order that was never paid, and its job fails for good', async () => {
    const order_id = await order();
    await assert.rejects(receipts.issue(order_id), ReceiptNotDueError);
    const job = (await t.database.db.selectFrom('jobs').selectAll().limit(1).executeTakeFirstOrThrow());
    await assert.rejects(issueReceiptJob(receipts)({ order_id }, job), PermanentJobError);
    await assert.rejects(parsedJobHandler('receipt.issue', issueReceiptJob(receipts))({}, job), PermanentJobError);
    assert.equal((await receiptsOf(order_id)).length, 0);
  });

  it('starts a new series when the year turns in the seller\'s zone (Moscow), not in UTC', async () => {
    clock.set(Date.UTC(2026, 11, 31, 20, 59)); // 23:59 in Moscow: still 2026
    const last_2026 = (await receipts.issue(await paidOrder())).receipt;
    assert.equal(last_2026.year, 2026);
    clock.set(Date.UTC(2026, 11, 31, 21, 30)); // 00:30 on 1 January 2027 in Moscow, 21:30 on 31 December in UTC
    const first_2027 = (await receipts.issue(await paidOrder())).receipt;
    assert.equal(first_2027.number, 'RC-2027-000001');
  });
});

describeEachDatabase('receipts: VAT of the sale\'s own time, across 1 January 2026', (t) => {
  /** 2025-12-31 23:59 in Moscow. */
  const LAST_MINUTE_OF_2025_MS = Date.UTC(2025, 11, 31, 20, 59);

  it('says 20 % for a payment on 31 December 2025 and 22 % for one a minute later, whenever the receipt is made', async () => {
    const clock = new ManualClock(LAST_MINUTE_OF_2025_MS);
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    await seedDemo(t.database, paygTariff(config), clock.now_ms());
    const context = contextOver(config, t.database, clock, { environment: {} });
    const receipts = new ReceiptService({ database: t.database, clock, seller: config.seller });
    const line = await t.database.db.selectFrom('lines').select('id').where('msisdn', '=', LINE).executeTakeFirstOrThrow();
    await context.services.creditWallet({
      line: { line_id: line.id }, amount_minor: 10 * PRICE_1GB, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'vat-topup', memo: 'test',
    });
    const paid = async (key: string) => {
      const created = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: 'data-1gb-1d', channel: 'web', idempotency_key: key });
      await payFromWallet(context, created.order.id, `${key}-pay`);
      return created.order.id;
    };
    const in_2025 = await paid('vat-2025');
    clock.advance(60_000);
    const in_2026 = await paid('vat-2026');
    clock.advance(3_600_000); // both receipts made later, in 2026
    const old_receipt = (await receipts.issue(in_2025)).receipt;
    const new_receipt = (await receipts.issue(in_2026)).receipt;
    assert.deepEqual([old_receipt.vat_rate_percent, old_receipt.vat_minor], [20, 3_167]); // 19000 × 20/120 = 3166.67
    assert.deepEqual([new_receipt.vat_rate_percent, new_receipt.vat_minor], [22, 3_426]); // 19000 × 22/122 = 3426.23
  });
});
