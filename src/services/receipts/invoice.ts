import { isRoamError } from '../../core/errors.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { minorToDecimalString } from '../../core/money.js';
import type { PaymentsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { findPackage } from '../catalog/catalog.js';
import { orderView, type PaymentView } from '../renewal/orders.js';
import { gostPaymentText } from './gost-payment-qr.js';
import type { SellerDetails } from './seller.js';
import { vatIncludedMinor, vatRateAt } from './vat.js';

/**
 * The invoice a customer pays by bank transfer: the seller's bank details, the amount, the
 * payment reference that lets the bank statement import find the payment, and the GOST R 56042
 * QR code that fills all of it into any Russian bank app. It is derived from the open transfer,
 * not stored: it says nothing the payment row and the configuration do not already hold.
 */

export interface Invoice {
  readonly order_id: string;
  readonly payment_id: string;
  readonly language: Language;
  readonly time_zone: string;
  readonly reference: string;
  readonly item_name: string;
  readonly amount_minor: number;
  readonly currency: string;
  readonly vat_rate_percent: number | null;
  readonly vat_minor: number;
  /** When the order stops waiting for the transfer. */
  readonly pay_by_ms: number;
  /** In Russian: it is read by the payee's bank and accountant, whatever the customer's language. */
  readonly purpose: string;
  /** The GOST R 56042-2014 text of the QR code. */
  readonly payment_qr_text: string;
  readonly seller: SellerDetails;
  /** The company buying, when staff issued the invoice to one at a desk (company_invoices); null for a person. */
  readonly buyer: InvoiceBuyer | null;
  /** Made in test mode: the transfer will never be looked for in a real statement. */
  readonly test_mode: boolean;
}

export interface InvoiceBuyer {
  readonly name: string;
  readonly inn: string;
  readonly kpp: string | null;
}

const OPEN_STATUSES: ReadonlyArray<PaymentsTable['status']> = ['pending', 'requires_action'];

/** "Оплата по счёту RC-…: пакет связи data-1gb-1d. В т.ч. НДС 22% 34.26 руб." */
export function invoicePurpose(reference: string, package_code: string, vat_rate_percent: number | null, vat_minor: number): string {
  const vat = vat_rate_percent === null ? 'НДС не облагается' : `В т.ч. НДС ${vat_rate_percent}% ${minorToDecimalString(vat_minor)} руб.`;
  return `Оплата по счёту ${reference}: пакет связи ${package_code}. ${vat}`;
}

/** The invoice for the order's open bank transfer; undefined when it has none (never started, or already paid). */
export async function bankTransferInvoice(
  db: Executor,
  seller: SellerDetails,
  order_id: string,
  test_mode = false,
): Promise<Invoice | undefined> {
  const view = await orderView(db, order_id).catch((error: unknown) => {
    if (isRoamError(error) && error.code === 'ROAM_ERR_ORDER_NOT_FOUND') return undefined;
    throw error;
  });
  if (!view) return undefined;
  const { order, payments } = view;
  const transfer = [...payments].reverse().find((payment) => payment.method === 'bank_transfer' && OPEN_STATUSES.includes(payment.status));
  const reference = transfer ? transferReference(transfer) : null;
  if (!transfer || reference === null) return undefined;
  const language = normalizeLanguage(order.language) ?? 'en';
  const line = await db.selectFrom('lines').select('time_zone').where('id', '=', order.line_id).executeTakeFirstOrThrow();
  const pack = await findPackage(db, order.package_code);
  // The rate of the day the invoice was made out (its payment attempt's creation).
  const vat_rate_percent = vatRateAt(seller.vat_rates, transfer.created_at_ms);
  const vat_minor = vatIncludedMinor(transfer.amount_minor, vat_rate_percent);
  const purpose = invoicePurpose(reference, order.package_code, vat_rate_percent, vat_minor);
  const buyer = await db.selectFrom('company_invoices').select(['buyer_name', 'buyer_inn', 'buyer_kpp']).where('order_id', '=', order.id).executeTakeFirst();
  return {
    buyer: buyer === undefined ? null : { name: buyer.buyer_name, inn: buyer.buyer_inn, kpp: buyer.buyer_kpp },
    order_id: order.id, payment_id: transfer.id, language, time_zone: line.time_zone, reference, item_name: pack.names[language],
    amount_minor: transfer.amount_minor, currency: transfer.currency, vat_rate_percent, vat_minor,
    pay_by_ms: order.expires_at_ms, purpose, seller, test_mode,
    payment_qr_text: gostPaymentText({
      Name: seller.name, PersonalAcc: seller.bank.account, BankName: seller.bank.name, BIC: seller.bank.bic,
      CorrespAcc: seller.bank.correspondent_account,
      sum_minor: transfer.amount_minor, Purpose: purpose, PayeeINN: seller.inn, ...(seller.kpp ? { KPP: seller.kpp } : {}),
    }),
  };
}

/** The bank-transfer reference from the payment's next action ({type: bank_transfer, reference}). */
export function transferReference(payment: Pick<PaymentView, 'next_action'>): string | null {
  return payment.next_action?.type === 'bank_transfer' ? payment.next_action.reference : null;
}
