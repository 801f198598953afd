import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { SandboxRegister } from '../../adapters/fiscal/sandbox/sandbox-register.js';
import type { AppContext } from '../../app/context.js';
import { loadConfig } from '../../config.js';
import type { ManualClock } from '../../ports/clock.js';
import type { FiscalRegister, FiscalRequest, FiscalResult } from '../../ports/fiscal-register.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { assertQrMatchesRegister, fiscalOver, sandboxDocuments, settleFiscal } from '../../testing/fiscal-documents.js';
import { seededContext } from '../../testing/seeded-context.js';
import { drainUntilIdle } from '../../testing/waiting.js';
import { payFromWallet } from '../../testing/wallet-payers.js';
import { DEMO_PARTNER } from '../demo/seed.js';
import { cashDrawerAccountId } from '../ledger/accounts.js';
import { parsedJobHandler } from '../jobs/job-kinds.js';
import { PermanentJobError } from '../jobs/worker.js';
import { ReceiptService } from '../receipts/receipt-service.js';
import type { StaffActor } from '../staff/staff-actor.js';
import { registerFiscalDocumentJob } from './fiscal-job-handler.js';
import { FISCAL_JOB_ATTEMPTS_MAX, FISCAL_POLL_DELAY_MS_FIRST, FISCAL_POLLS_MAX, FiscalService, type FiscalDocument } from './fiscal-service.js';

/**
 * Every receipt ends with one registered fiscal document, through the outbox and the sandbox
 * register, on both engines: an online card renewal, a pack paid from the wallet, a desk cash sale
 * and a payment agent's sale; the QR text checked against the register's own books; the job run
 * twice, or again after a lost answer, registers one document; a register that refuses, one that is
 * down, one that never finishes; and no register, no documents.
 */

const LINE = '+79001234567';
const PACK = 'data-1gb-1d';
const PACK_PRICE_MINOR = 19_000;
/** The demo's instant (26 November 2025) is before 2026: VAT 20 %. */
const VAT_TYPE_2025 = 'vat20';

for (const delay_ms of [0, 5_000]) {
  describeEachDatabase(`fiscal documents: every receipt registered once (sandbox register, ${delay_ms} ms)`, (t) => {
    let context: AppContext;
    let clock: ManualClock;
    let serial = 0;
    const key = (what: string) => `fiscal-${delay_ms}-${what}-${(serial += 1)}`;

    before(async () => {
      ({ context, clock } = await seededContext(t.database, { FISCAL_SANDBOX_DELAY_MS: String(delay_ms) }));
      const line = await t.database.db.selectFrom('lines').select('id').where('msisdn', '=', LINE).executeTakeFirstOrThrow();
      await context.services.creditWallet({
        line: { line_id: line.id }, amount_minor: 20 * PACK_PRICE_MINOR, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'fiscal-test-topup', memo: 'test',
      });
    });

    const settle = () => settleFiscal(context, clock, delay_ms);

    async function saleDocument(order_id: string): Promise<FiscalDocument> {
      const documents = await context.fiscal.documentsOfOrder(order_id);
      assert.equal(documents.length, 1, `order ${order_id} has one fiscal document`);
      return documents[0]!;
    }

    it('an online card renewal: the receipt and its sale document, registered, with the 54-FZ QR text', async () => {
      const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order'), payer_email: 'payer@example.com' });
      const { payment } = await context.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
      await context.payments.sandbox!.finish(payment.provider_payment_id!, { status: 'succeeded', card_last4: '4242' });
      assert.equal(await context.renewal.refreshPayment(payment.id), 'activated');
      await drainUntilIdle(context.createWorker());
      const receipt = await t.database.db.selectFrom('receipts').selectAll().where('order_id', '=', order.id).executeTakeFirstOrThrow();
      const first = await saleDocument(order.id);
      assert.equal(first.receipt_number, receipt.number);
      assert.equal(first.operation, 'sell');
      assert.equal(first.register, 'sandbox');
      assert.equal(first.status, delay_ms === 0 ? 'registered' : 'pending');
      await settle();
      const document = await saleDocument(order.id);
      assert.equal(document.status, 'registered');
      const request = JSON.parse(document.request_json) as FiscalRequest;
      assert.equal(request.external_id, document.id);
      assert.equal(request.time_ms, receipt.paid_at_ms);
      assert.deepEqual(request.client, { email: 'payer@example.com' });
      assert.deepEqual(request.payments, [{ type: 'electronic', sum_minor: PACK_PRICE_MINOR }]);
      // The site: PUBLIC_BASE_URL's default, as SELLER_PAYMENT_ADDRESS is unset.
      assert.equal(request.company.payment_address, 'http://localhost:3000');
      const pack = await t.database.db.selectFrom('packages').select('name_ru').where('code', '=', PACK).executeTakeFirstOrThrow();
      const items = request.items.map((item) => [
        item.name, item.price_minor, item.quantity, item.payment_method, item.payment_object, item.vat,
      ]);
      assert.deepEqual(items,
        [[pack.name_ru, PACK_PRICE_MINOR, 1, 'full_payment', 4, VAT_TYPE_2025]]);
      await assertQrMatchesRegister(t, document, 1);
    });

    it('a pack paid from the wallet: paid by the advance (prepaid), sent to the line\'s number', async () => {
      const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order') });
      await payFromWallet(context, order.id, key('wallet'));
      await settle();
      const document = await saleDocument(order.id);
      assert.equal(document.status, 'registered');
      const request = JSON.parse(document.request_json) as FiscalRequest;
      assert.deepEqual(request.payments, [{ type: 'prepaid', sum_minor: PACK_PRICE_MINOR }]);
      assert.deepEqual(request.client, { phone: LINE });
      await assertQrMatchesRegister(t, document, 1);
    });

    it('a desk cash sale: cash, settled at the store\'s address', async () => {
      const store = await t.database.db.selectFrom('stores').selectAll().where('code', '=', 'svo-hall').executeTakeFirstOrThrow();
      const actor: StaffActor = { staff_id: `stf_fiscal_${delay_ms}`, login: `fiscal${delay_ms}`, role: 'agent', store_id: store.id, store_code: store.code };
      const caller = { actor, client_address: '192.0.2.10' };
      await context.desk.openShift(caller, 100_000);
      const sale = await context.desk.sell(caller, { line: { msisdn: LINE }, package_code: PACK, method: 'cash', tendered_minor: 20_000, document_checked: true }, key('desk'));
      assert.equal(sale.state, 'active');
      await settle();
      const document = await saleDocument(sale.order_id);
      assert.equal(document.status, 'registered');
      const request = JSON.parse(document.request_json) as FiscalRequest;
      assert.deepEqual(request.payments, [{ type: 'cash', sum_minor: PACK_PRICE_MINOR }]);
      assert.equal(request.company.payment_address, `Moscow, ${store.address_ru}`);
      await assertQrMatchesRegister(t, document, 1);
    });

    it('a payment agent\'s sale: the item names the agent and the seller as its supplier', async () => {
      const partner = await context.partners.getPartner(DEMO_PARTNER.code);
      const answer = await context.partners.pay(partner, 'osmp', { account: '9001234567', sum: '690.00', txn_id: String(700_000 + (serial += 1)), txn_date: '20251126120000' });
      assert.equal(answer.reason, 'paid_pack');
      const row = await t.database.db.selectFrom('partner_payments').selectAll().where('id', '=', answer.prv_txn!).executeTakeFirstOrThrow();
      await settle();
      const document = await saleDocument(row.order_id!);
      assert.equal(document.status, 'registered');
      const request = JSON.parse(document.request_json) as FiscalRequest;
      const seller = loadConfig({}).seller;
      assert.deepEqual(request.items[0]?.agent, {
        type: 'payment_agent', supplier: { name: seller.name, inn: seller.inn }, paying_agent: { operation: `Агент ИНН ${DEMO_PARTNER.agent_inn}`, phones: [] },
      });
      assert.deepEqual(request.payments, [{ type: 'electronic', sum_minor: 69_000 }]);
    });

    it('a pack paid from the wallet and refunded: a sell_refund queued with the refund, back to the advance, QR n=2', async () => {
      const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order') });
      await payFromWallet(context, order.id, key('wallet'));
      await settle();
      await context.renewal.refundUnusedPack({ order_id: order.id, requested_by: 'staff.fiscal', idempotency_key: key('refund') });
      // Written and queued in the refund's own transaction, before any job ran.
      const queued = await refundDocument(order.id);
      assert.equal(queued.status, 'pending');
      const job = await t.database.db.selectFrom('jobs').select(['kind', 'status']).where('dedupe_key', '=', `fiscal:${queued.id}:0`).executeTakeFirstOrThrow();
      assert.deepEqual(job, { kind: 'fiscal.register', status: 'pending' });
      await settle();
      await assertRefundRegistered(order.id, 'prepaid');
    });

    it('a card payment refunded through its provider: the document follows the provider\'s confirmation', async () => {
      const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order') });
      const { payment } = await context.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('pay') });
      await context.payments.sandbox!.finish(payment.provider_payment_id!, { status: 'succeeded', card_last4: '4242' });
      await context.renewal.refreshPayment(payment.id);
      await settle();
      await context.renewal.refundUnusedPack({ order_id: order.id, requested_by: 'staff.fiscal', idempotency_key: key('refund') });
      assert.deepEqual((await context.fiscal.documentsOfOrder(order.id)).map((document) => document.operation), ['sell'], 'nothing before the provider returns the money');
      await settle();
      await assertRefundRegistered(order.id, 'electronic');
    });

    it('a desk cash sale refunded at the desk: cash back, at the store', async () => {
      const store = await t.database.db.selectFrom('stores').selectAll().where('code', '=', 'svo-hall').executeTakeFirstOrThrow();
      const actor: StaffActor = { staff_id: `stf_refund_${delay_ms}`, login: `refund${delay_ms}`, role: 'agent', store_id: store.id, store_code: store.code };
      const caller = { actor, client_address: '192.0.2.10' };
      await context.desk.openShift(caller, 100_000);
      const sale = await context.desk.sell(caller, { line: { msisdn: LINE }, package_code: PACK, method: 'cash', tendered_minor: 19_000, document_checked: true }, key('desk'));
      await settle();
      const refund = await context.desk.refund(caller, { order_id: sale.order_id }, key('desk-refund'));
      assert.equal(refund.state, 'succeeded');
      await settle();
      await assertRefundRegistered(sale.order_id, 'cash');
      const request = JSON.parse((await refundDocument(sale.order_id)).request_json) as FiscalRequest;
      assert.equal(request.company.payment_address, `Moscow, ${store.address_ru}`);
    });

    it('a pack refunded before its receipt was issued: the sale\'s document brings the refund\'s, registered after the sale', async () => {
      const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order') });
      await payFromWallet(context, order.id, key('wallet'));
      await context.renewal.refundUnusedPack({ order_id: order.id, requested_by: 'staff.fiscal', idempotency_key: key('refund') });
      assert.deepEqual(await context.fiscal.documentsOfOrder(order.id), []);
      await drainUntilIdle(context.createWorker());
      const refund_document = await refundDocument(order.id);
      if (delay_ms > 0) {
        // The sale waits at the register: the refund is not sent before it.
        assert.equal((await saleDocumentOf(order.id)).status, 'pending');
        assert.equal(await sandboxDocuments(t, refund_document.id), 0);
      }
      await settle();
      await assertRefundRegistered(order.id, 'prepaid');
      const sale = await saleDocumentOf(order.id);
      assert.ok(Number(sale.fiscal_document_number) < Number((await refundDocument(order.id)).fiscal_document_number));
    });

    it('a job run twice, at once and again, makes one document at the register', async () => {
      const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order') });
      await payFromWallet(context, order.id, key('wallet'));
      await issueReceipt(order.id);
      const document = await saleDocument(order.id);
      const handler = parsedJobHandler('fiscal.register', registerFiscalDocumentJob(context.fiscal));
      const job = await t.database.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `fiscal:${document.id}:0`).executeTakeFirstOrThrow();
      assert.equal(job.attempts_max, FISCAL_JOB_ATTEMPTS_MAX);
      await Promise.all([handler({ document_id: document.id, poll: 0 }, job), handler({ document_id: document.id, poll: 0 }, job)]);
      await handler({ document_id: document.id, poll: 0 }, job);
      await settle();
      assert.equal((await saleDocument(order.id)).status, 'registered');
      assert.equal(await sandboxDocuments(t, document.id), 1);
    });

    it('an answer lost after the register made the document: asked again, the same one document', async () => {
      const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order') });
      await payFromWallet(context, order.id, key('wallet'));
      await issueReceipt(order.id);
      const document = await saleDocument(order.id);
      const sandbox = new SandboxRegister({ database: t.database, clock, delay_ms });
      const losing: FiscalRegister = {
        name: sandbox.name,
        register: async (request) => {
          await sandbox.register(request);
          throw new Error('socket hang up');
        },
        report: (uuid) => sandbox.report(uuid),
      };
      await assert.rejects(fiscalOver(t, clock, losing).process(document.id, 0), /socket hang up/);
      const after_loss = await saleDocument(order.id);
      assert.equal(after_loss.status, 'pending');
      assert.equal(after_loss.register_uuid, null);
      assert.equal(await sandboxDocuments(t, document.id), 1);
      await settle();
      const registered = await saleDocument(order.id);
      assert.equal(registered.status, 'registered');
      assert.equal(await sandboxDocuments(t, document.id), 1);
      await assertQrMatchesRegister(t, registered, 1);
    });

    it('a register that refuses the document: failed with its error, the job dead', async () => {
      const document = await pendingDocument();
      const refusing = stubRegister(async () => ({ status: 'failed', kind: 'final', error: { code: '32', text: 'Ошибка валидации', type: 'agent' } }));
      await assert.rejects(fiscalOver(t, clock, refusing).process(document.id, 0), PermanentJobError);
      const failed = (await context.fiscal.find(document.id))!;
      assert.deepEqual([failed.status, failed.error_kind, failed.error_code, failed.error_text], ['failed', 'final', '32', 'Ошибка валидации']);
      // A later run of the same job finds it failed and asks nothing.
      await context.fiscal.process(document.id, 0);
      assert.equal(await sandboxDocuments(t, document.id), 0);
    });

    it('a register that is down: still pending with the reason, the job retried with backoff', async () => {
      const document = await pendingDocument();
      const down = stubRegister(async () => ({ status: 'failed', kind: 'retryable', error: { code: 'unreachable', text: 'connection refused', type: 'transport' } }));
      const retried = (error: unknown) => error instanceof Error && !(error instanceof PermanentJobError);
      await assert.rejects(fiscalOver(t, clock, down).process(document.id, 0), retried);
      const waiting = (await context.fiscal.find(document.id))!;
      assert.deepEqual([waiting.status, waiting.error_kind, waiting.error_code, waiting.attempts], ['pending', 'retryable', 'unreachable', 1]);
      await context.fiscal.process(document.id, 0);
      await settle();
      const registered = (await context.fiscal.find(document.id))!;
      assert.deepEqual([registered.status, registered.error_kind], ['registered', null]);
    });

    it('a document pending for ever: asked again later, at most FISCAL_POLLS_MAX times', async () => {
      const document = await pendingDocument();
      const slow = stubRegister(async () => ({ status: 'pending', uuid: 'uuid-slow' }));
      const fiscal = fiscalOver(t, clock, slow);
      await fiscal.process(document.id, 0);
      const next = await t.database.db.selectFrom('jobs').selectAll().where('dedupe_key', '=', `fiscal:${document.id}:1`).executeTakeFirstOrThrow();
      assert.equal(next.run_after_ms, clock.now_ms() + FISCAL_POLL_DELAY_MS_FIRST);
      assert.deepEqual(JSON.parse(next.payload), { document_id: document.id, poll: 1 });
      assert.equal((await context.fiscal.find(document.id))?.register_uuid, 'uuid-slow');
      await assert.rejects(fiscal.process(document.id, FISCAL_POLLS_MAX), PermanentJobError);
      const queued = await t.database.db.selectFrom('jobs').select('id').where('dedupe_key', '=', `fiscal:${document.id}:${FISCAL_POLLS_MAX + 1}`).execute();
      assert.equal(queued.length, 0);
      assert.equal((await context.fiscal.find(document.id))?.status, 'pending');
      // The slow register's uuid is not the sandbox's: put the real one's answer back for the next tests.
      await t.database.db.updateTable('fiscal_documents').set({ register_uuid: null }).where('id', '=', document.id).execute();
      await context.fiscal.process(document.id, 0);
      await settle();
    });

    async function refundDocument(order_id: string): Promise<FiscalDocument> {
      const documents = (await context.fiscal.documentsOfOrder(order_id)).filter((document) => document.operation === 'sell_refund');
      assert.equal(documents.length, 1, `order ${order_id} has one refund document`);
      return documents[0]!;
    }

    /** The refund document of a refunded sale: the sale's request turned round, at the refund's time, registered with n=2. */
    async function assertRefundRegistered(order_id: string, payment_type: string): Promise<void> {
      const sale = await saleDocumentOf(order_id);
      const document = await refundDocument(order_id);
      const refund = await t.database.db.selectFrom('refunds').selectAll().where('id', '=', document.refund_id!).executeTakeFirstOrThrow();
      assert.equal(refund.status, 'succeeded');
      assert.equal(document.status, 'registered');
      assert.equal(document.receipt_number, sale.receipt_number);
      const request = JSON.parse(document.request_json) as FiscalRequest;
      const sold = JSON.parse(sale.request_json) as FiscalRequest;
      assert.equal(request.operation, 'sell_refund');
      assert.equal(request.external_id, document.id);
      assert.equal(request.time_ms, refund.updated_at_ms);
      assert.deepEqual([request.items, request.client, request.company], [sold.items, sold.client, sold.company]);
      assert.equal(request.total_minor, refund.amount_minor);
      assert.deepEqual(request.payments, [{ type: payment_type, sum_minor: refund.amount_minor }]);
      assert.match(document.qr_text ?? '', /&n=2$/);
      await assertQrMatchesRegister(t, document, 2);
    }

    async function saleDocumentOf(order_id: string): Promise<FiscalDocument> {
      return (await context.fiscal.saleOfOrder(order_id))!;
    }

    /** Issues the order's receipt now (its fiscal job left queued, the receipt job to find it issued). */
    async function issueReceipt(order_id: string): Promise<void> {
      const receipts = new ReceiptService({ database: t.database, clock, seller: context.config.seller, fiscal: context.fiscal });
      assert.equal((await receipts.issue(order_id)).issued, true);
    }

    /** A sale whose fiscal document is written and not yet sent (its job left in the queue). */
    async function pendingDocument(): Promise<FiscalDocument> {
      const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order') });
      await payFromWallet(context, order.id, key('wallet'));
      await issueReceipt(order.id);
      return saleDocument(order.id);
    }
  });
}

describeEachDatabase('fiscal documents: none without a register', (t) => {
  it('issues the receipt and writes no document and no job', async () => {
    const { context } = await seededContext(t.database);
    const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: 'no-register-order' });
    await payFromWallet(context, order.id, 'no-register-pay');
    const fiscal = new FiscalService({
      database: t.database, clock: context.clock, register: undefined, settings: undefined, seller: context.config.seller,
    });
    const receipts = new ReceiptService({ database: t.database, clock: context.clock, seller: context.config.seller, fiscal });
    assert.equal((await receipts.issue(order.id)).issued, true);
    assert.deepEqual(await fiscal.documentsOfOrder(order.id), []);
    const jobs = await t.database.db.selectFrom('jobs').select('id').where('kind', '=', 'fiscal.register').execute();
    assert.deepEqual(jobs, []);
  });
});

function stubRegister(answer: (request: FiscalRequest) => Promise<FiscalResult>): FiscalRegister {
  return { name: 'sandbox', register: answer, report: () => answer({} as FiscalRequest) };
}
