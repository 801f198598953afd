import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import QRCode from 'qrcode';
import { LANGUAGES, type Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { formatMoney } from '../../core/i18n/format.js';
import { DEMO_PARTNER } from '../../services/demo/seed.js';
import { fiscalDocumentPath } from '../../services/fiscal/fiscal-service.js';
import { cashDrawerAccountId } from '../../services/ledger/accounts.js';
import { inspectPdf } from '../../services/receipts/pdf-structure.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { pdfText } from '../../testing/pdf-text.js';
import { noticesOf } from '../../testing/sent-notices.js';
import { seededServer, type SeededServer } from '../../testing/test-server.js';
import { drainUntilIdle } from '../../testing/waiting.js';
import { payFromWallet } from '../../testing/wallet-payers.js';

/**
 * The fiscal receipt where the customer meets it, over inject on both engines: the order API's
 * `fiscal` object, and the receipt page and PDF — "being registered" until the register has made the
 * document, then ФН, ФД, ФП, РН ККТ, shift, time and the tax service's QR code, and for a test
 * register's document "TEST DOCUMENT — not a fiscal receipt" in the receipt's language (with Russian beside).
 */

const LINE = '+79001234567';
const PACK = 'data-1gb-1d';
const PACK_PRICE_MINOR = 19_000;
const SANDBOX_DELAY_MS = 5_000;

interface OrderJson {
  id: string;
  receipt_url: string | null;
  fiscal: { status: string; fn: string | null; fd: number | null; fp: number | null; qr: string | null } | null;
}

describeEachDatabase('fiscal receipt on the receipt page, its PDF and the order API', (t) => {
  let seeded: SeededServer;
  let serial = 0;

  before(async () => {
    seeded = await seededServer(t.database, { FISCAL_SANDBOX_DELAY_MS: String(SANDBOX_DELAY_MS) });
    const line = await t.database.db.selectFrom('lines').select('id').where('msisdn', '=', LINE).executeTakeFirstOrThrow();
    await seeded.context.services.creditWallet({
      line: { line_id: line.id }, amount_minor: 10 * PACK_PRICE_MINOR, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'fiscal-pages-topup', memo: 'test',
    });
  });

  after(async () => {
    await seeded.server.close();
  });

  async function orderJson(order_id: string): Promise<OrderJson> {
    const response = await seeded.server.inject({ method: 'GET', url: `/api/v1/orders/${order_id}` });
    assert.equal(response.statusCode, 200);
    return response.json<OrderJson>();
  }

  async function paidOrder(language: Language): Promise<string> {
    serial += 1;
    const { order } = await seeded.context.renewal.createOrder({ line: { msisdn: LINE }, package_code: PACK, channel: 'web', idempotency_key: `fiscal-pages-${serial}`, language });
    assert.equal((await orderJson(order.id)).fiscal, null, 'no fiscal receipt before the sale');
    await payFromWallet(seeded.context, order.id, `fiscal-pages-pay-${serial}`);
    await drainUntilIdle(seeded.worker);
    return order.id;
  }

  async function receiptPage(order_id: string): Promise<{ html: string; pdf: Buffer }> {
    const link = await seeded.server.inject({ method: 'GET', url: `/orders/${order_id}/receipt` });
    assert.equal(link.statusCode, 303);
    const location = String(link.headers.location);
    const page = await seeded.server.inject({ method: 'GET', url: location });
    assert.equal(page.statusCode, 200);
    const pdf = await seeded.server.inject({ method: 'GET', url: location.replace('?t=', '.pdf?t=') });
    assert.equal(pdf.statusCode, 200);
    return { html: page.body, pdf: pdf.rawPayload };
  }

  it('says "being registered" until the register made it, then shows its attributes and the QR code (API, page, PDF)', async () => {
    const order_id = await paidOrder('ru');
    const text = messagesFor('ru').receipts.fiscal;
    const pending = await orderJson(order_id);
    assert.deepEqual(pending.fiscal, { status: 'pending', fn: null, fd: null, fp: null, qr: null });
    const before_registered = await receiptPage(order_id);
    assert.ok(before_registered.html.includes(text.being_registered));
    assert.ok(!before_registered.html.includes(text.test_document));
    assert.ok(printedText(before_registered.pdf).includes(squeezed(text.being_registered)));

    seeded.clock.advance(SANDBOX_DELAY_MS * 2);
    await drainUntilIdle(seeded.worker);
    const document = (await seeded.context.fiscal.saleOfOrder(order_id))!;
    assert.equal(document.status, 'registered');
    const registered = await orderJson(order_id);
    assert.deepEqual(registered.fiscal, {
      status: 'registered', fn: '9999000000000001', fd: document.fiscal_document_number, fp: document.fiscal_document_attribute, qr: document.qr_text,
    });
    assert.match(registered.fiscal?.qr ?? '', /^t=\d{8}T\d{4}&s=190\.00&fn=9999000000000001&i=\d+&fp=\d+&n=1$/);

    const { html, pdf } = await receiptPage(order_id);
    assert.ok(!html.includes(text.being_registered));
    const moscow = new Date(document.receipt_datetime_ms! + 3 * 3_600_000).toISOString();
    const time = `${moscow.slice(8, 10)}.${moscow.slice(5, 7)}.${moscow.slice(0, 4)} ${moscow.slice(11, 16)}`;
    const expected = [
      text.sale_heading, text.fn, '9999000000000001', text.fd, String(document.fiscal_document_number), text.fp, String(document.fiscal_document_attribute),
      text.rn, '0000000000009999', text.shift, String(document.shift_number), text.time, time, text.scan_to_check, text.test_document,
    ];
    for (const fragment of expected) assert.ok(html.includes(fragment), `receipt page lacks ${fragment}`);
    // The second QR code on the page is the tax service's: drawn from exactly the document's QR text.
    const fiscal_qr = await QRCode.toString(document.qr_text!, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
    assert.ok(html.includes(fiscal_qr), 'the page carries the 54-FZ QR code');

    const facts = inspectPdf(pdf);
    assert.deepEqual(facts.problems, []);
    assert.equal(facts.page_count, 1);
    const printed = printedText(pdf);
    for (const fragment of expected) assert.ok(printed.includes(squeezed(fragment)), `receipt PDF lacks ${fragment}`);

    // Refunded: the receipt shows the refund's document too, with its own QR code (n=2); the order's fiscal object stays the sale's.
    await seeded.context.renewal.refundUnusedPack({ order_id, requested_by: 'staff.fiscal', idempotency_key: `fiscal-pages-refund-${serial}` });
    seeded.clock.advance(SANDBOX_DELAY_MS * 2);
    await drainUntilIdle(seeded.worker);
    seeded.clock.advance(SANDBOX_DELAY_MS * 2);
    await drainUntilIdle(seeded.worker);
    const refund = (await seeded.context.fiscal.documentsOfOrder(order_id)).find((row) => row.operation === 'sell_refund');
    assert.equal(refund?.status, 'registered');
    assert.match(refund?.qr_text ?? '', /&n=2$/);
    const refunded = await receiptPage(order_id);
    assert.ok(refunded.html.includes(text.refund_heading));
    assert.ok(refunded.html.includes(await QRCode.toString(refund!.qr_text!, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 })));
    assert.ok(printedText(refunded.pdf).includes(squeezed(text.refund_heading)));
    assert.deepEqual(inspectPdf(refunded.pdf).problems, []);
    assert.equal((await orderJson(order_id)).fiscal?.qr, document.qr_text);
  });

  it('describes the order\'s fiscal object in the OpenAPI document', async () => {
    const response = await seeded.server.inject({ method: 'GET', url: '/openapi.json' });
    type Schemas = Record<string, { properties?: Record<string, unknown> }>;
    const schemas = response.json<{ components: { schemas: Schemas } }>().components.schemas;
    assert.ok(schemas.Order?.properties?.fiscal, 'Order has fiscal');
    assert.deepEqual(Object.keys(schemas.FiscalReceipt?.properties ?? {}), ['status', 'fn', 'fd', 'fp', 'qr']);
  });

  it('a payment agent\'s top-up: the SMS links its fiscal receipt\'s page, "being registered", then the attributes and the QR code', async () => {
    const partner = await seeded.context.partners.getPartner(DEMO_PARTNER.code);
    const answer = await seeded.context.partners.pay(partner, 'osmp', { account: LINE.slice(2), sum: '250.00', txn_id: '930001', txn_date: '20251126120000' });
    assert.equal(answer.reason, 'paid_top_up');
    assert.equal((await seeded.context.partners.pay(partner, 'osmp', { account: LINE.slice(2), sum: '250.00', txn_id: '930001', txn_date: '20251126120000' })).replayed, true);
    const row = await t.database.db.selectFrom('partner_payments').selectAll().where('id', '=', answer.prv_txn!).executeTakeFirstOrThrow();
    const document = (await seeded.context.fiscal.documentOfTopUp(row.entry_id!))!;
    const sms = (await noticesOf(t.database, row.line_id!, seeded.context.config.auth.secret)).filter((notice) => notice.dedupe_key === `top_up:${row.entry_id}`);
    assert.equal(sms.length, 1, 'one SMS for the top-up, however often the agent repeats');
    const path = fiscalDocumentPath(document);
    // The demo line reads Chinese (simplified): the amount, and the page's link with its token.
    assert.equal(sms[0]?.text, `远游卡余额已充值${formatMoney(25_000, 'zh-Hans')}。收据：${seeded.context.config.public_base_url}${path}`);

    const russian = messagesFor('ru').receipts.fiscal;
    const own = messagesFor('zh-Hans').receipts.fiscal;
    const pending = await seeded.server.inject({ method: 'GET', url: path });
    assert.equal(pending.statusCode, 200);
    assert.equal(pending.headers['cache-control'], 'no-store');
    assert.ok(pending.body.includes(`${own.being_registered} / ${russian.being_registered}`));
    assert.ok(pending.body.includes('http-equiv="refresh"'), 'polls while the register makes it');
    assert.ok(pending.body.includes(`${own.top_up_title} / ${russian.top_up_title}`));
    assert.ok(pending.body.includes(`${own.advance_item} (${russian.advance_item})`));
    assert.ok(!pending.body.includes(LINE), 'the number is masked');

    await drainUntilIdle(seeded.worker); // sent: the register has it, and is making it
    seeded.clock.advance(SANDBOX_DELAY_MS * 2);
    await drainUntilIdle(seeded.worker);
    const registered = (await seeded.context.fiscal.documentOfTopUp(row.entry_id!))!;
    assert.equal(registered.status, 'registered');
    const page = await seeded.server.inject({ method: 'GET', url: path });
    assert.ok(!page.body.includes(own.being_registered));
    assert.ok(!page.body.includes('http-equiv="refresh"'));
    for (const fragment of [own.test_document, '9999000000000001', String(registered.fiscal_document_number), String(registered.fiscal_document_attribute)]) {
      assert.ok(page.body.includes(fragment), `the top-up's page lacks ${fragment}`);
    }
    assert.ok(page.body.includes(await QRCode.toString(registered.qr_text!, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 })));

    // A wrong token, no token, another id, or a receipt's own document (its page is the receipt's): not found, alike.
    const sale = await t.database.db.selectFrom('fiscal_documents').select(['id']).where('subject', '=', 'receipt').executeTakeFirst();
    for (const url of [`/fiscal/${document.id}?t=${'A'.repeat(22)}`, `/fiscal/${document.id}`, `/fiscal/fsc_nothing?t=${document.view_token}`,
      ...(sale ? [`/fiscal/${sale.id}?t=`] : [])]) {
      const refused = await seeded.server.inject({ method: 'GET', url, headers: { 'accept-language': 'en' } });
      assert.equal(refused.statusCode, 404, url);
      assert.ok(refused.body.includes(messagesFor('en').receipts.fiscal.not_found), url);
    }
  });

  for (const language of LANGUAGES) {
    it(`${language}: a test register's document says it is not a fiscal receipt, with Russian beside`, async () => {
      const order_id = await paidOrder(language);
      seeded.clock.advance(SANDBOX_DELAY_MS * 2);
      await drainUntilIdle(seeded.worker);
      const { html, pdf } = await receiptPage(order_id);
      const own = messagesFor(language).receipts.fiscal;
      const russian = messagesFor('ru').receipts.fiscal;
      const notice = language === 'ru' ? russian.test_document : `${own.test_document} / ${russian.test_document}`;
      assert.ok(html.includes(notice), `${language} page lacks "${notice}"`);
      assert.ok(html.includes(language === 'ru' ? russian.fn : `${own.fn} / ${russian.fn}`));
      assert.ok(printedText(pdf).includes(squeezed(notice)), `${language} PDF lacks the test notice`);
      assert.equal(inspectPdf(pdf).page_count, 1);
    });
  }
});

/** A PDF wraps lines where it likes: text is compared without its white space. */
function squeezed(text: string): string {
  return text.replaceAll(/\s/g, '');
}

function printedText(pdf: Buffer): string {
  return squeezed(pdfText(pdf));
}
