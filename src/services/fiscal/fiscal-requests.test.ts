import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYMENT_OBJECT, fiscalRequestProblems, type FiscalCompany } from '../../ports/fiscal-register.js';
import { fiscalPaymentTypeOf, saleRequestDraft, type SaleFacts } from './fiscal-requests.js';

const COMPANY: FiscalCompany = { inn: '7701000019', sno: 'osn', email: 'receipts@roamcard.example', payment_address: 'https://roamcard.example' };
const SUPPLIER = { name: 'ООО «Роумкард Демо»', inn: '7701000019' };
const FULL_PAYMENT = { payment_method: 'full_payment', payment_object: PAYMENT_OBJECT.service } as const;
const FACTS: SaleFacts = {
  amount_minor: 19_000, currency: 'RUB', vat_rate_percent: 22, payment_method: 'card', paid_at_ms: Date.UTC(2026, 0, 15, 9, 30),
  item_name: '1 ГБ на сутки', client: { email: 'payer@example.com' }, store_address: null, agent: null,
};

describe('fiscal requests: a sale from its stored facts', () => {
  it('pays by cash at a desk, by the advance from the wallet, electronically otherwise', () => {
    assert.equal(fiscalPaymentTypeOf('cash'), 'cash');
    assert.equal(fiscalPaymentTypeOf('wallet'), 'prepaid');
    for (const method of ['card', 'card_present', 'sbp', 'yoomoney', 'paypal', 'alipay', 'wechat_pay', 'bank_transfer', 'agent']) {
      assert.equal(fiscalPaymentTypeOf(method), 'electronic', method);
    }
  });

  it('one item at the sold price, settled at the payment\'s time, a request the port accepts', () => {
    const draft = saleRequestDraft(FACTS, { company: COMPANY, terms: FULL_PAYMENT, supplier: SUPPLIER });
    assert.deepEqual(draft, {
      operation: 'sell', time_ms: FACTS.paid_at_ms, client: { email: 'payer@example.com' }, company: COMPANY,
      items: [{ name: '1 ГБ на сутки', price_minor: 19_000, quantity: 1, sum_minor: 19_000, measure: 0, payment_method: 'full_payment', payment_object: 4, vat: 'vat22' }],
      payments: [{ type: 'electronic', sum_minor: 19_000 }], total_minor: 19_000,
    });
    assert.deepEqual(fiscalRequestProblems({ external_id: 'fsc_1', ...draft }), []);
  });

  it('takes the VAT of the receipt\'s rate (the sale\'s date), the calculated twin for a prepayment, none for a non-payer', () => {
    const vat = (vat_rate_percent: number | null, pack = FULL_PAYMENT as { payment_method: 'full_payment' | 'full_prepayment'; payment_object: number }) =>
      saleRequestDraft({ ...FACTS, vat_rate_percent }, { company: COMPANY, terms: pack, supplier: SUPPLIER }).items[0]?.vat;
    assert.equal(vat(20), 'vat20'); // 31 December 2025
    assert.equal(vat(22), 'vat22'); // 1 January 2026
    assert.equal(vat(22, { payment_method: 'full_prepayment', payment_object: 4 }), 'vat122');
    assert.equal(vat(null), 'none');
    assert.throws(() => vat(18), /no fiscal VAT type/);
  });

  it('settles a desk sale at the store, and names a payment agent with the seller as supplier', () => {
    const desk = saleRequestDraft({ ...FACTS, payment_method: 'cash', store_address: 'Moscow, Тверская улица, 7' }, { company: COMPANY, terms: FULL_PAYMENT, supplier: SUPPLIER });
    assert.equal(desk.company.payment_address, 'Moscow, Тверская улица, 7');
    assert.equal(desk.company.inn, COMPANY.inn);
    const agent = saleRequestDraft({ ...FACTS, payment_method: 'agent', agent: { name: 'АО «Агент»', inn: '7728029110' } }, { company: COMPANY, terms: FULL_PAYMENT, supplier: SUPPLIER });
    assert.deepEqual(agent.items[0]?.agent, { type: 'payment_agent', supplier: SUPPLIER, paying_agent: { operation: 'Агент ИНН 7728029110', phones: [] } });
  });

  it('cuts an item name to the register\'s 128 characters', () => {
    const long = saleRequestDraft({ ...FACTS, item_name: 'я'.repeat(200) }, { company: COMPANY, terms: FULL_PAYMENT, supplier: SUPPLIER });
    assert.equal(long.items[0]?.name.length, 128);
  });
});
