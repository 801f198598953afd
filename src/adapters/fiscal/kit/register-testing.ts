import { randomUUID } from 'node:crypto';
import { MEASURE_PIECE, PAYMENT_OBJECT, type FiscalCompany, type FiscalRequest } from '../../../ports/fiscal-register.js';

/**
 * What every fiscal adapter's tests need, written once: a document as the receipts will ask for
 * one (a pack sold by card, 190.00 ₽ with VAT 22 %), and its refund.
 */

/** The demo seller's details (SELLER_INN's default), as config.fiscal.company holds them. */
export const TEST_COMPANY: FiscalCompany = Object.freeze({
  inn: '7701000019', sno: 'osn', email: 'receipts@roamcard.example', payment_address: 'https://roamcard.example',
});

/** 15 January 2026, 14:23:45 in Moscow. */
export const TEST_TIME_MS = Date.UTC(2026, 0, 15, 11, 23, 45);

/** A fresh external_id, as our receipts' ids look. */
export function testExternalId(): string {
  return `RC-TEST-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

/** A pack sold by card for `total_minor` (190.00 ₽ unless said), activated at once: full payment for a service. */
export function saleRequest(total_minor = 19_000, overrides: Partial<FiscalRequest> = {}): FiscalRequest {
  return {
    external_id: testExternalId(),
    operation: 'sell',
    time_ms: TEST_TIME_MS,
    client: { email: 'traveller@example.com' },
    company: TEST_COMPANY,
    items: [{
      name: 'Пакет «Данные 10 ГБ на 30 дней» для +7900***4567', price_minor: total_minor, quantity: 1, sum_minor: total_minor,
      measure: MEASURE_PIECE, payment_method: 'full_payment', payment_object: PAYMENT_OBJECT.service, vat: 'vat22',
    }],
    payments: [{ type: 'electronic', sum_minor: total_minor }],
    total_minor,
    ...overrides,
  };
}

/** The refund of `sale`, in full, under its own external_id. */
export function refundRequest(sale: FiscalRequest): FiscalRequest {
  return { ...sale, external_id: `${sale.external_id}-R`, operation: 'sell_refund' };
}
