import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { settleStatementLine } from '../../app/bank-statement.js';
import type { AppContext } from '../../app/context.js';
import { formatMoney } from '../../core/i18n/format.js';
import { LANGUAGES, type Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { ManualClock } from '../../ports/clock.js';
import { cashDrawerAccountId } from '../../services/ledger/accounts.js';
import { inspectPdf } from '../../services/receipts/pdf-structure.js';
import { ReceiptService } from '../../services/receipts/receipt-service.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { jsonApi, type ApiCall } from '../../testing/http-client.js';
import { startServer, type RunningServer } from '../../testing/running-server.js';
import { DEMO_START_MS } from '../../testing/seeded-context.js';
import { sentPaymentCode } from '../../testing/wallet-payers.js';

/**
 * Receipts and invoices end to end, over real HTTP on loopback as in routes/orders.test.ts: the
 * renewal API, the sandbox's hosted pages and signed webhooks, the outbox worker issuing the
 * receipt, and the pages a customer opens from the order and from the QR code.
 */

const PRICE_1GB = 19_000;
const WALLET_LINE = '+79001234567';
const CARD_LINE = '+79001234568';

interface ApiJson {
  id: string;
  state: string;
  receipt_url: string | null;
  payment: { id: string; status: string; next_action: { type: string; url: string; reference: string } };
}

describeEachDatabase('receipts and invoices over HTTP', (t) => {
  let running: RunningServer;
  let base = '';
  let context: AppContext;
  let api: ApiCall<ApiJson>;

  before(async () => {
    running = await startServer(t.database, { clock: new ManualClock(DEMO_START_MS) });
    ({ base, context } = running);
    api = jsonApi<ApiJson>(base, { idempotency_key_prefix: 'receipt-pages' });
    const line = await t.database.db.selectFrom('lines').select('id').where('msisdn', '=', WALLET_LINE).executeTakeFirstOrThrow();
    await context.services.creditWallet({ line: { line_id: line.id }, amount_minor: 10 * PRICE_1GB, source_account_id: cashDrawerAccountId('svo-hall'), idempotency_key: 'receipt-pages-topup', memo: 'test' });
  });

  after(async () => {
    await running.stop();
  });

  async function order(msisdn: string, language: Language) {
    const created = await api('/api/v1/orders', { msisdn, package_code: 'data-1gb-1d', channel: 'web', language });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    return created.json;
  }

  async function pay(order_id: string, method: string) {
    // The wallet pays for its owner only: the code sent by SMS to the line proves it here.
    const proof = method === 'wallet' ? { payment_code: await walletCode(order_id) } : {};
    const started = await api(`/api/v1/orders/${order_id}/payments`, { method, ...proof });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    return started.json.payment;
  }

  async function walletCode(order_id: string): Promise<string> {
    const sent = await fetch(`${base}/api/v1/orders/${order_id}/wallet-code`, { method: 'POST' });
    assert.equal(sent.status, 202);
    return sentPaymentCode(t.database, context.config.auth.secret, order_id);
  }

  /** The order once every job due has run (webhook, activation, receipt): it must then be active. */
  async function activeOrder(order_id: string): Promise<ApiJson> {
    await running.settle();
    const { json } = await api(`/api/v1/orders/${order_id}`);
    assert.equal(json.state, 'active', `order ${order_id}`);
    return json;
  }

  /** Where the order's receipt_url leads: the receipt job ran with the activation's. */
  async function receiptLocation(receipt_url: string): Promise<string> {
    const response = await fetch(`${base}${receipt_url}`, { redirect: 'manual' });
    assert.equal(response.status, 303, `${receipt_url} leads to the receipt`);
    return response.headers.get('location') ?? assert.fail(`no Location from ${receipt_url}`);
  }

  it('card 4242: the order\'s receipt_url leads to the verified receipt and its PDF; a wrong token finds nothing', async () => {
    const created = await order(CARD_LINE, 'ru');
    assert.equal(created.receipt_url, null);
    assert.equal((await fetch(`${base}/orders/${created.id}/receipt`)).status, 404);
    const payment = await pay(created.id, 'card');
    await fetch(`${payment.next_action.url}/card`, { method: 'POST', body: new URLSearchParams({ card_number: '4242 4242 4242 4242', expiry: '12/34', cvc: '123' }), redirect: 'manual' });
    const active = await activeOrder(created.id);
    assert.equal(active.receipt_url, `/orders/${created.id}/receipt`);
    assert.match(await (await fetch(`${base}/orders/${created.id}`)).text(), new RegExp(`href="/orders/${created.id}/receipt"`));

    const location = await receiptLocation(active.receipt_url);
    const match = /^\/receipts\/(RC-\d{4}-\d{6})\?t=([A-Za-z0-9_-]{22})$/.exec(location);
    assert.ok(match, location);
    const [, number, token] = match;
    const page = await fetch(`${base}${location}`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
    const html = await page.text();
    const text = messagesFor('ru').receipts;
    for (const expected of [text.receipt_title, text.verified, `№ ${number}`, 'Банковская карта **** 4242', 'в т.ч. НДС 20%', formatMoney(3_167, 'ru'), created.id, '<svg']) {
      assert.ok(html.includes(expected), `receipt page lacks ${expected}`);
    }

    const pdf = await fetch(`${base}/receipts/${number}.pdf?t=${token}`);
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    const facts = inspectPdf(Buffer.from(await pdf.arrayBuffer()));
    assert.deepEqual(facts.problems, []);
    assert.equal(facts.page_count, 1);
    assert.equal(facts.language, 'ru');

    const wrong_token = `${token?.slice(0, -1)}${token?.endsWith('A') ? 'B' : 'A'}`;
    for (const path of [`/receipts/${number}?t=${wrong_token}`, `/receipts/${number}`, `/receipts/${number}.pdf?t=${wrong_token}`, `/receipts/RC-2020-000001?t=${token}`, '/receipts/nothing?t=x']) {
      const response = await fetch(`${base}${path}`, { headers: { 'accept-language': 'ru' } });
      assert.equal(response.status, 404, path);
      assert.ok((await response.text()).includes(text.not_found), path);
    }
  });

  for (const language of LANGUAGES) {
    it(`${language}: the receipt is written in the order's language with Russian beside it, with every field`, async () => {
      const created = await order(WALLET_LINE, language);
      await pay(created.id, 'wallet');
      const active = await activeOrder(created.id);
      const html = await (await fetch(`${base}${await receiptLocation(active.receipt_url ?? '')}`)).text();
      const text = messagesFor(language).receipts;
      const names = await t.database.db.selectFrom('packages').select(['name_zh_hans', 'name_zh_hant', 'name_ru', 'name_en']).where('code', '=', 'data-1gb-1d').executeTakeFirstOrThrow();
      const item = { 'zh-Hans': names.name_zh_hans, 'zh-Hant': names.name_zh_hant, ru: names.name_ru, en: names.name_en }[language];
      const seller = context.config.seller;
      const expected = [
        `<html lang="${language}">`, text.receipt_title, text.seller, seller.inn, text.item, item, formatMoney(PRICE_1GB, language),
        text.vat_included({ rate_percent: 20 }), formatMoney(3_167, language), text.payment_method, text.methods.wallet, text.paid_at, 'GMT+3', 'Europe/Moscow',
        text.phone_number, '+7900***4567', text.order, created.id, text.download_pdf,
      ];
      for (const fragment of expected) assert.ok(html.includes(fragment), `${language} receipt lacks ${fragment}`);
      // With Russian beside every label, unless it is Russian already.
      const russian = messagesFor('ru').receipts;
      const pairs = [[text.receipt_title, russian.receipt_title], [text.seller, russian.seller], [text.paid_at, russian.paid_at]] as const;
      for (const [own, ru] of pairs) {
        assert.ok(html.includes(language === 'ru' ? ru : `${own} / ${ru}`), `${language} receipt lacks "${own} / ${ru}"`);
      }
    });
  }

  it('bank transfer: an invoice with the reference, the bank details and the GOST QR; the statement pays it; the receipt names the reference', async () => {
    const created = await order(CARD_LINE, 'ru');
    const payment = await pay(created.id, 'bank_transfer');
    assert.equal(payment.next_action.type, 'bank_transfer');
    const reference = payment.next_action.reference;
    assert.match(await (await fetch(`${base}/orders/${created.id}`)).text(), new RegExp(`href="/orders/${created.id}/invoice"`));

    const seller = context.config.seller;
    const html = await (await fetch(`${base}/orders/${created.id}/invoice`)).text();
    for (const expected of [reference, seller.bank.bic, seller.bank.account, seller.bank.correspondent_account, seller.inn, messagesFor('ru').receipts.amount_due, formatMoney(PRICE_1GB, 'ru'), '<svg']) {
      assert.ok(html.includes(expected), `invoice lacks ${expected}`);
    }
    const invoice = await new ReceiptService({ database: t.database, clock: context.services.clock, seller }).invoice(created.id);
    assert.equal(invoice?.payment_qr_text, `ST00012|Name=${seller.name}|PersonalAcc=${seller.bank.account}|BankName=${seller.bank.name}|BIC=${seller.bank.bic}`
      + `|CorrespAcc=${seller.bank.correspondent_account}|Sum=19000|Purpose=Оплата по счёту ${reference}: пакет связи data-1gb-1d. В т.ч. НДС 20% 31.67 руб.`
      + `|PayeeINN=${seller.inn}|KPP=${seller.kpp}`);
    const pdf = await fetch(`${base}/orders/${created.id}/invoice.pdf`);
    assert.equal(pdf.status, 200);
    assert.deepEqual(inspectPdf(Buffer.from(await pdf.arrayBuffer())).problems, []);

    assert.equal(await settleStatementLine(context, reference, PRICE_1GB), 'settled');
    const active = await activeOrder(created.id);
    const receipt_html = await (await fetch(`${base}${await receiptLocation(active.receipt_url ?? '')}`)).text();
    assert.ok(receipt_html.includes(`Банковский перевод ${reference}`));
    assert.equal((await fetch(`${base}/orders/${created.id}/invoice`)).status, 404);
  });
});
