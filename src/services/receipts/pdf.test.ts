import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../config.js';
import { LANGUAGES } from '../../core/i18n/languages.js';
import { gostPaymentText } from './gost-payment-qr.js';
import { invoicePurpose, type Invoice } from './invoice.js';
import { invoicePdf, receiptPdf } from './pdf.js';
import { inspectPdf } from './pdf-structure.js';
import { invoiceDocument, receiptDocument } from './receipt-document.js';
import type { Receipt } from './receipt-service.js';

const seller = loadConfig({}).seller;
const NAMES = { 'zh-Hans': '1GB流量日包', 'zh-Hant': '1GB流量日包', ru: 'Интернет 1 ГБ на 1 день', en: 'Data 1 GB, 1 day' } as const;

function receipt(language: Receipt['language']): Receipt {
  return {
    number: 'RC-2026-000123', year: 2026, sequence: 123, order_id: 'ord_test', line_id: 'ln_test', payment_id: 'pay_test', language,
    time_zone: 'Asia/Vladivostok', line_msisdn_masked: '+7900***4568', seller_name: seller.name, seller_inn: seller.inn, seller_kpp: seller.kpp,
    seller_address: seller.address, package_code: 'data-1gb-1d', item_name: NAMES[language as keyof typeof NAMES], amount_minor: 19_000, currency: 'RUB',
    vat_rate_percent: 22, vat_minor: 3_426, payment_method: 'card', payment_details: '**** 4242', test_mode: 0, paid_at_ms: Date.UTC(2026, 0, 15, 9, 30),
    issued_at_ms: Date.UTC(2026, 0, 15, 9, 30, 2), verification_token: 'AbCdEfGhIjKlMnOpQrStUv',
  };
}

function invoice(language: Invoice['language']): Invoice {
  const purpose = invoicePurpose('RC-7KQ2M9XPAB', 'data-1gb-1d', 22, 3_426);
  return {
    order_id: 'ord_test', payment_id: 'pay_test', language, time_zone: 'Europe/Moscow', reference: 'RC-7KQ2M9XPAB', item_name: NAMES[language],
    amount_minor: 19_000, currency: 'RUB', vat_rate_percent: 22, vat_minor: 3_426, pay_by_ms: Date.UTC(2026, 0, 20, 9, 30), purpose, seller, buyer: null, test_mode: false,
    payment_qr_text: gostPaymentText({
      Name: seller.name, PersonalAcc: seller.bank.account, BankName: seller.bank.name, BIC: seller.bank.bic,
      CorrespAcc: seller.bank.correspondent_account,
      sum_minor: 19_000, Purpose: purpose, PayeeINN: seller.inn,
    }),
  };
}

/** A receipt is a one-page document; 100 kB would mean whole fonts went in instead of subsets. */
const PDF_BYTES_MAX = 100_000;

describe('receipt and invoice PDFs', () => {
  for (const language of LANGUAGES) {
    it(`${language}: one sound page with Noto Sans SC embedded (subset), nothing else`, async () => {
      for (const pdf of [await receiptPdf(receiptDocument(receipt(language), language, 'http://roamcard.test')), await invoicePdf(invoiceDocument(invoice(language)))]) {
        const facts = inspectPdf(pdf);
        assert.deepEqual(facts.problems, []);
        assert.equal(facts.page_count, 1);
        assert.deepEqual(facts.embedded_fonts, ['NotoSansSC-Bold', 'NotoSansSC-Regular']);
        assert.equal(facts.language, language);
        assert.ok(!pdf.includes('/Helvetica'), 'no unembedded standard font');
        assert.ok(pdf.length < PDF_BYTES_MAX, `${pdf.length} bytes`);
      }
    });
  }

  it('notices a broken file', () => {
    const body = '%PDF-1.3\n1 0 obj\n<<>>\nendobj\n';
    const pdf = Buffer.from(`${body}xref\n0 2\n0000000000 65535 f \n0000000099 00000 n \ntrailer\n<<>>\nstartxref\n${body.length}\n%%EOF\n`, 'latin1');
    assert.deepEqual(inspectPdf(pdf).problems, ['object 1 is not at offset 99']);
    assert.deepEqual(inspectPdf(Buffer.from('<html>')).problems.slice(0, 2), ['no %PDF-1.x header', 'no %%EOF at the end']);
  });
});
