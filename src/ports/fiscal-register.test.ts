import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertFiscalRequest, fiscalRequestProblems, itemSumMinor, quantityThousandths, vatTypeFor, type FiscalRequest } from './fiscal-register.js';

const SALE: FiscalRequest = {
  external_id: 'RC-2026-000123',
  operation: 'sell',
  time_ms: Date.UTC(2026, 0, 15, 11, 23, 45),
  client: { email: 'traveller@example.com' },
  company: { inn: '7701000019', sno: 'osn', email: 'receipts@roamcard.example', payment_address: 'https://roamcard.example' },
  items: [{ name: 'Data 10 GB, 30 days', price_minor: 19_000, quantity: 1, sum_minor: 19_000, measure: 0, payment_method: 'full_payment', payment_object: 4, vat: 'vat22' }],
  payments: [{ type: 'electronic', sum_minor: 19_000 }],
  total_minor: 19_000,
};

describe('fiscal request rules', () => {
  it('take a sound sale', () => {
    assert.deepEqual(fiscalRequestProblems(SALE), []);
    assert.doesNotThrow(() => assertFiscalRequest(SALE));
  });

  it('name each broken rule: sums that disagree, a correction without its base, a bad quantity', () => {
    const item = SALE.items[0]!;
    assert.deepEqual(fiscalRequestProblems({ ...SALE, total_minor: 19_001, payments: [{ type: 'cash', sum_minor: 19_001 }] }), ['total_minor: 19001 is not the items\' sum 19000']);
    assert.deepEqual(fiscalRequestProblems({ ...SALE, payments: [{ type: 'electronic', sum_minor: 9_000 }, { type: 'prepaid', sum_minor: 9_000 }] }), ['payments: they sum to 18000, not total_minor 19000']);
    assert.deepEqual(fiscalRequestProblems({ ...SALE, operation: 'sell_correction' }), ['correction: must be given for sell_correction, and only for it']);
    assert.deepEqual(
      fiscalRequestProblems({ ...SALE, operation: 'sell_correction', correction: { type: 'instruction', base_document: { date_ms: SALE.time_ms }, reason: 'not registered' } }),
      ['correction.base_document.number: an instruction correction names the tax office\'s order'],
    );
    assert.deepEqual(fiscalRequestProblems({ ...SALE, items: [{ ...item, quantity: 1.0005 }] }), ['items[0].quantity: must be positive with at most three decimal places']);
    assert.deepEqual(fiscalRequestProblems({ ...SALE, items: [{ ...item, sum_minor: 18_999 }], total_minor: 18_999, payments: [{ type: 'cash', sum_minor: 18_999 }] }), ['items[0].sum_minor: 18999 is not price × quantity (19000)']);
    assert.throws(() => assertFiscalRequest({ ...SALE, external_id: 'has space' }), /external_id: must be 1–128 visible ASCII characters/);
  });

  it('compute an item\'s sum exactly, half up: 333.33 × 3 = 999.99; 0.01 × 0.5 = 0.01', () => {
    assert.equal(itemSumMinor(33_333, quantityThousandths(3)!), 99_999);
    assert.equal(itemSumMinor(1, quantityThousandths(0.5)!), 1);
    assert.equal(itemSumMinor(1, quantityThousandths(0.499)!), 0);
    assert.equal(quantityThousandths(0), undefined);
    assert.equal(quantityThousandths(2.125), 2125n);
  });

  it('take VAT at the rate for a payment at delivery, at the calculated rate for an advance', () => {
    assert.equal(vatTypeFor(22, 'full_payment'), 'vat22');
    assert.equal(vatTypeFor(22, 'advance'), 'vat122');
    assert.equal(vatTypeFor(5, 'full_prepayment'), 'vat105');
    assert.equal(vatTypeFor(10, 'prepayment'), 'vat110');
    assert.equal(vatTypeFor(0, 'advance'), 'vat0');
    assert.equal(vatTypeFor(null, 'advance'), 'none');
    assert.equal(vatTypeFor(18, 'full_payment'), undefined);
  });
});
