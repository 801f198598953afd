import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AppContext } from '../../app/context.js';
import { loadConfig } from '../../config.js';
import type { ManualClock } from '../../ports/clock.js';
import type { FiscalRequest } from '../../ports/fiscal-register.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { assertQrMatchesRegister, fiscalOver, sandboxDocuments, settleFiscal } from '../../testing/fiscal-documents.js';
import { seededContext } from '../../testing/seeded-context.js';
import { drainUntilIdle } from '../../testing/waiting.js';
import { noticesOf } from '../../testing/sent-notices.js';
import { DEMO_PARTNER } from '../demo/seed.js';
import { ADVANCE_ITEM_NAME } from './fiscal-requests.js';
import { FISCAL_POLL_DELAY_MS_MAX, fiscalDocumentPath, type FiscalDocument } from './fiscal-service.js';

/**
 * Money that reaches no receipt is fiscalised too, as an advance: a payment agent's wallet top-up
 * (in the top-up's transaction, with the agent's details, once however often the agent repeats),
 * and a payment an order did not use (registered when it arrives, refunded with n=2 when the
 * provider has returned it) — on both engines, through the outbox and the sandbox register.
 */

const LINE = '+79001234567';
const ACCOUNT = '9001234567';
const PACK = 'data-1gb-1d';
const PACK_PRICE_MINOR = 19_000;
/** 1 January 2026, 00:30 in Moscow: the first day of 22 % VAT. */
const FIRST_DAY_OF_22_MS = Date.UTC(2025, 11, 31, 21, 30);

for (const delay_ms of [0, 5_000]) {
  describeEachDatabase(`fiscal documents of advances: top-ups and unused payments (sandbox register, ${delay_ms} ms)`, (t) => {
    let context: AppContext;
    let clock: ManualClock;
    let serial = 0;
    const key = (what: string) => `advance-${delay_ms}-${what}-${(serial += 1)}`;
    const settle = () => settleFiscal(context, clock, delay_ms);

    before(async () => {
      ({ context, clock } = await seededContext(t.database, { FISCAL_SANDBOX_DELAY_MS: String(delay_ms) }));
    });

    async function topUp(sum: string, txn_id: string) {
      const partner = await context.partners.getPartner(DEMO_PARTNER.code);
      return context.partners.pay(partner, 'osmp', { account: ACCOUNT, sum, txn_id, txn_date: '20251126120000' });
    }

    async function documentsOfEntry(entry_id: string): Promise<FiscalDocument[]> {
      return t.database.db.selectFrom('fiscal_documents').selectAll().where('entry_id', '=', entry_id).execute();
    }

    it('a payment agent\'s top-up: an advance, written with the credit, the agent named, registered once', async () => {
      const txn_id = String(800_000 + (serial += 1));
      const answer = await topUp('123.45', txn_id);
      assert.equal(answer.reason, 'paid_top_up');
      const row = await t.database.db.selectFrom('partner_payments').selectAll().where('id', '=', answer.prv_txn!).executeTakeFirstOrThrow();
      // Committed with the credit, before any job ran.
      const [queued] = await documentsOfEntry(row.entry_id!);
      assert.ok(queued !== undefined);
      assert.deepEqual([queued.subject, queued.operation, queued.order_id, queued.receipt_number, queued.payment_id], ['top_up', 'sell', null, null, null]);
      const line = await t.database.db.selectFrom('lines').select('id').where('msisdn', '=', LINE).executeTakeFirstOrThrow();
      assert.equal(queued.line_id, line.id);
      // The agent repeats the pay: the same credit, the same one document.
      assert.equal((await topUp('123.45', txn_id)).replayed, true);
      await settle();
      const documents = await documentsOfEntry(row.entry_id!);
      assert.equal(documents.length, 1);
      const document = documents[0]!;
      assert.equal(document.status, 'registered');
      assert.equal(await sandboxDocuments(t, document.id), 1);
      const request = JSON.parse(document.request_json) as FiscalRequest;
      const items = request.items.map((item) => [
        item.name, item.price_minor, item.quantity, item.payment_method, item.payment_object, item.vat,
      ]);
      // 26 November 2025: an advance takes the calculated twin of 20 %.
      assert.deepEqual(items, [[ADVANCE_ITEM_NAME, 12_345, 1, 'advance', 10, 'vat120']]);
      assert.deepEqual(request.payments, [{ type: 'electronic', sum_minor: 12_345 }]);
      assert.deepEqual(request.client, { phone: LINE });
      assert.equal(request.time_ms, Number(row.completed_at_ms));
      const seller = loadConfig({}).seller;
      assert.deepEqual(request.items[0]?.agent, {
        type: 'payment_agent', supplier: { name: seller.name, inn: seller.inn }, paying_agent: { operation: `Агент ИНН ${DEMO_PARTNER.agent_inn}`, phones: [] },
      });
      await assertQrMatchesRegister(t, document, 1);
      assert.deepEqual(await context.fiscal.documentOfTopUp(row.entry_id!).then((found) => found?.id), document.id);
    });

    it('a top-up without a register: credited, and no document or job', async () => {
      const fiscal = fiscalOver(t, clock, undefined);
      const entry = await t.database.db.selectFrom('journal_entries').select(['id', 'line_id']).where('kind', '=', 'top_up').executeTakeFirstOrThrow();
      const none = await t.database.db.transaction().execute((trx) => fiscal.recordTopUp(trx, {
        entry_id: entry.id, line_id: entry.line_id!, amount_minor: 10_000, currency: 'RUB', paid_at_ms: clock.now_ms(), payment_method: 'agent', agent: null,
      }, clock.now_ms()));
      assert.equal(none, undefined);
    });

    it('a second successful payment for one order: registered as an advance when it arrives, refunded with n=2 when returned', async () => {
      const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order'), payer_email: 'twice@example.com' });
      const first = await context.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('card') });
      const second = await context.renewal.startPayment({ order_id: order.id, method: 'sbp', idempotency_key: key('sbp') });
      await context.payments.sandbox!.finish(first.payment.provider_payment_id!, { status: 'succeeded', card_last4: '4242' });
      await context.payments.sandbox!.finish(second.payment.provider_payment_id!, { status: 'succeeded' });
      assert.equal(await context.renewal.refreshPayment(first.payment.id), 'activated');
      assert.equal(await context.renewal.refreshPayment(second.payment.id), 'refund_queued');
      // The unused payment's advance is written in settlement's own transaction.
      const unused = (await context.fiscal.documentsOfOrder(order.id)).filter((document) => document.subject === 'payment');
      assert.deepEqual(unused.map((document) => [document.operation, document.payment_id]), [['sell', second.payment.id]]);

      await settle();
      const documents = await context.fiscal.documentsOfOrder(order.id);
      const by = (subject: string, operation: string) => documents
        .filter((document) => document.subject === subject && document.operation === operation);
      assert.equal(by('receipt', 'sell').length, 1, 'the pack\'s receipt, from the payment that activated it');
      assert.equal((await context.fiscal.saleOfOrder(order.id))?.id, by('receipt', 'sell')[0]?.id);
      const [advance] = by('payment', 'sell');
      const [refund_document] = by('payment', 'sell_refund');
      assert.ok(advance !== undefined && refund_document !== undefined);
      assert.deepEqual([advance.status, refund_document.status], ['registered', 'registered']);
      assert.equal(refund_document.payment_id, second.payment.id);

      const payment = await t.database.db.selectFrom('payments').selectAll().where('id', '=', second.payment.id).executeTakeFirstOrThrow();
      const sold = JSON.parse(advance.request_json) as FiscalRequest;
      assert.equal(sold.time_ms, payment.finalized_at_ms);
      assert.deepEqual(sold.client, { email: 'twice@example.com' });
      assert.deepEqual(sold.items.map((item) => [item.name, item.price_minor, item.payment_method, item.payment_object, item.vat]),
        [[ADVANCE_ITEM_NAME, PACK_PRICE_MINOR, 'advance', 10, 'vat120']]);
      assert.deepEqual(sold.payments, [{ type: 'electronic', sum_minor: PACK_PRICE_MINOR }]);
      await assertQrMatchesRegister(t, advance, 1);

      const refund = await t.database.db.selectFrom('refunds').selectAll().where('id', '=', refund_document.refund_id!).executeTakeFirstOrThrow();
      assert.deepEqual([refund.payment_id, refund.reason, refund.status], [second.payment.id, 'duplicate_payment', 'succeeded']);
      const returned = JSON.parse(refund_document.request_json) as FiscalRequest;
      assert.equal(returned.operation, 'sell_refund');
      assert.equal(returned.time_ms, refund.updated_at_ms);
      assert.deepEqual([returned.items, returned.payments, returned.client], [sold.items, sold.payments, sold.client]);
      await assertQrMatchesRegister(t, refund_document, 2);
      // The register made the advance before its refund.
      assert.ok(Number(advance.fiscal_document_number) < Number(refund_document.fiscal_document_number));
      // The refund's SMS links the page of both documents (the line reads Chinese).
      const [sms] = (await noticesOf(t.database, order.line_id, context.config.auth.secret))
        .filter((notice) => notice.dedupe_key === refund.id);
      assert.ok(sms?.text?.endsWith(`收据：${context.config.public_base_url}${fiscalDocumentPath(refund_document)}`), sms?.text ?? 'no refund SMS');
      const view = await context.fiscal.advanceView(refund_document.id, refund_document.view_token!);
      assert.deepEqual(view?.documents.map((document) => document.id), [advance.id, refund_document.id]);
      assert.equal(view?.amount_minor, PACK_PRICE_MINOR);
      assert.equal((await context.fiscal.advanceView(advance.id, advance.view_token!))?.documents.length, 2, 'either document opens the page');
      assert.equal(await context.fiscal.advanceView(refund_document.id, advance.view_token!), undefined, 'each with its own token');
    });

    if (delay_ms > 0) {
      it('a refund waiting for its sale is sent once the sale is registered, not at the end of its backoff', async () => {
        const { order } = await context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: key('order') });
        const first = await context.renewal.startPayment({ order_id: order.id, method: 'card', idempotency_key: key('card') });
        const second = await context.renewal.startPayment({ order_id: order.id, method: 'sbp', idempotency_key: key('sbp') });
        await context.payments.sandbox!.finish(first.payment.provider_payment_id!, { status: 'succeeded', card_last4: '4242' });
        await context.payments.sandbox!.finish(second.payment.provider_payment_id!, { status: 'succeeded' });
        await context.renewal.refreshPayment(first.payment.id);
        assert.equal(await context.renewal.refreshPayment(second.payment.id), 'refund_queued');
        // The advance goes to the register (which takes delay_ms), the money comes back, and its refund waits for the advance.
        await drainUntilIdle(context.createWorker());
        const refund_document = (await context.fiscal.documentsOfOrder(order.id)).find((document) => document.operation === 'sell_refund');
        assert.ok(refund_document !== undefined);
        assert.equal(refund_document.register_uuid, null);
        // Its next ask put off well past the advance's registration (a long backoff).
        await t.database.db.updateTable('jobs').set({ run_after_ms: clock.now_ms() + 3_600_000 })
          .where('kind', '=', 'fiscal.register').where('status', '=', 'pending').where('payload', 'like', `%${refund_document.id}%`).execute();
        clock.advance(delay_ms + FISCAL_POLL_DELAY_MS_MAX);
        await drainUntilIdle(context.createWorker());
        const advance = (await context.fiscal.documentsOfOrder(order.id)).find((document) => document.subject === 'payment' && document.operation === 'sell');
        assert.equal(advance?.status, 'registered');
        const sent = (await context.fiscal.find(refund_document.id))!;
        assert.notEqual(sent.register_uuid, null, 'sent right after its sale was registered');
        assert.equal(await sandboxDocuments(t, refund_document.id), 1);
      });
    }

    it('a top-up on 1 January 2026: the calculated twin of 22 %', async () => {
      clock.set(FIRST_DAY_OF_22_MS);
      const answer = await topUp('500.00', String(800_000 + (serial += 1)));
      assert.equal(answer.reason, 'paid_top_up');
      const row = await t.database.db.selectFrom('partner_payments').selectAll().where('id', '=', answer.prv_txn!).executeTakeFirstOrThrow();
      await settle();
      const [document] = await documentsOfEntry(row.entry_id!);
      assert.equal(document?.status, 'registered');
      const request = JSON.parse(document!.request_json) as FiscalRequest;
      assert.equal(request.items[0]?.vat, 'vat122');
    });
  });
}
