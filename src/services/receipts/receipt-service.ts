import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isEmailAddress } from '../../core/email-address.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { maskMsisdn } from '../../core/phone.js';
import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { lockOrder } from '../../db/locks.js';
import type { PaymentsTable, ReceiptsTable } from '../../db/schema.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import { findPackage } from '../catalog/catalog.js';
import type { PreparedSale, ReceiptFiscaliser } from '../fiscal/fiscal-service.js';
import { notifyReceipt } from '../notices/renewal-notices.js';
import type { Notices } from '../notices/notices.js';
import { findOrder, paymentView } from '../renewal/orders.js';
import { bankTransferInvoice, transferReference, type Invoice } from './invoice.js';
import { queueReceiptEmail } from './receipt-email.js';
import { allocateReceiptSequence, formatReceiptNumber, parseReceiptNumber, yearIn } from './receipt-number.js';
import type { SellerDetails } from './seller.js';
import { vatIncludedMinor, vatRateAt } from './vat.js';

/**
 * Receipts: issued once per activated order by the outbox job `receipt.issue`, read back by the
 * verification page. Issuing gathers the facts first (outside the transaction: they no longer
 * change once the order is active, and a card lookup may ask the provider), then takes the
 * number and writes the receipt in one short transaction under the order's lock.
 */

export type Receipt = ReceiptsTable;

/** What the payment's provider recorded about how the customer paid, beyond our payment row. */
export interface ProviderPaymentDetails {
  readonly card_last4: string | null;
  readonly transfer_reference: string | null;
}

/** Asks the payment's provider for those details; null when it keeps none (or is not one we can ask). */
export type PaymentDetailsLookup = (payment: Pick<PaymentsTable, 'provider' | 'provider_payment_id'>) => Promise<ProviderPaymentDetails | null>;

export interface ReceiptServiceOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly seller: SellerDetails;
  readonly paymentDetails?: PaymentDetailsLookup;
  /** Test mode (the sandbox takes payments): receipts issued now say that no money moved. */
  readonly test_mode?: boolean;
  /** The receipt's link goes to the line by SMS, in the transaction that issues it; none without it. */
  readonly notices?: Notices;
  /**
   * Mail is configured: a payer who gave an e-mail gets the receipt there (job `receipt.email`)
   * instead of the SMS link. Off, every receipt's link goes by SMS.
   */
  readonly email_receipts?: boolean;
  /** Each receipt issued gets its fiscal document (54-FZ), written and queued in the receipt's transaction; none without it. */
  readonly fiscal?: ReceiptFiscaliser;
}

export interface IssueOutcome {
  readonly receipt: Receipt;
  /** False when the order already had its receipt (the job ran again). */
  readonly issued: boolean;
}

/** The order was never activated: no receipt is due, and asking again will not change that. */
export class ReceiptNotDueError extends Error {
  constructor(order_id: string, why: string) {
    super(`order ${order_id} gets no receipt: ${why}`);
    this.name = 'ReceiptNotDueError';
  }
}

/** The sandbox provider's name: its payments moved no money. */
const SANDBOX_PROVIDER = 'sandbox';

/** 16 random bytes: 128 bits, beyond guessing; base64url keeps the QR link short (22 characters). */
const TOKEN_BYTES = 16;
/** A token is exactly this long; anything else is refused before it reaches the database. */
export const TOKEN_LENGTH = 22;
const CARD_LAST4_PATTERN = /^\d{4}$/;

type ReceiptFacts = Omit<Receipt, 'number' | 'year' | 'sequence' | 'issued_at_ms' | 'verification_token'>;

/** How the receipt reaches the payer: by e-mail to the address they gave, else its link by SMS to the line. */
type ReceiptRoute = 'email' | 'sms';

export class ReceiptService {
  readonly #options: ReceiptServiceOptions;

  constructor(options: ReceiptServiceOptions) {
    this.#options = options;
  }

  /** Issues the order's receipt, or returns the one it has: exactly one per order, however often asked. */
  async issue(order_id: string): Promise<IssueOutcome> {
    const existing = await this.findByOrder(order_id);
    if (existing) return { receipt: existing, issued: false };
    const { facts, route } = await this.#facts(order_id);
    const fiscal = await this.#options.fiscal?.prepareSale(facts);
    try {
      return await inTransaction(this.#options.database, (trx) => this.#insert(trx, facts, route, fiscal));
    } catch (error) {
      // Another worker issued it between our read and our insert (a lapsed lease): that one stands.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.findByOrder(order_id);
      if (!winner) throw error;
      return { receipt: winner, issued: false };
    }
  }

  findByOrder(order_id: string): Promise<Receipt | undefined> {
    return this.#options.database.db.selectFrom('receipts').selectAll().where('order_id', '=', order_id).executeTakeFirst();
  }

  /** The receipt with this number, if `token` is its verification token; undefined otherwise (same answer either way). */
  async verify(number: string, token: string): Promise<Receipt | undefined> {
    if (!parseReceiptNumber(number) || token.length !== TOKEN_LENGTH) return undefined;
    const receipt = await this.#options.database.db.selectFrom('receipts').selectAll().where('number', '=', number).executeTakeFirst();
    if (!receipt) return undefined;
    const expected = Buffer.from(receipt.verification_token);
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given) ? receipt : undefined;
  }

  /** The invoice of the order's open bank transfer; undefined when there is none. */
  invoice(order_id: string): Promise<Invoice | undefined> {
    return bankTransferInvoice(this.#options.database.db, this.#options.seller, order_id, this.#options.test_mode ?? false);
  }

  async #insert(trx: Executor, facts: ReceiptFacts, route: ReceiptRoute, fiscal: PreparedSale | undefined): Promise<IssueOutcome> {
    await lockOrder(trx, facts.order_id);
    const again = await trx.selectFrom('receipts').selectAll().where('order_id', '=', facts.order_id).executeTakeFirst();
    if (again) return { receipt: again, issued: false };
    const issued_at_ms = this.#options.clock.now_ms();
    const year = yearIn(issued_at_ms, this.#options.seller.time_zone);
    // Last before commit: the counter row stays locked (PostgreSQL) for as short a time as possible.
    const sequence = await allocateReceiptSequence(trx, year);
    const receipt: Receipt = {
      ...facts, number: formatReceiptNumber(year, sequence), year, sequence, issued_at_ms,
      verification_token: randomBytes(TOKEN_BYTES).toString('base64url'),
    };
    await trx.insertInto('receipts').values(receipt).execute();
    if (fiscal !== undefined) await this.#options.fiscal?.recordSale(trx, receipt, fiscal, issued_at_ms);
    // One of the two, queued with the receipt: the e-mail (which sends the SMS itself if it cannot go), or the SMS link.
    if (route === 'email') await queueReceiptEmail(trx, receipt, issued_at_ms);
    else await notifyReceipt(trx, this.#options.notices, receipt, issued_at_ms);
    return { receipt, issued: true };
  }

  async #facts(order_id: string): Promise<{ facts: ReceiptFacts; route: ReceiptRoute }> {
    const db = this.#options.database.db;
    const order = await findOrder(db, order_id);
    if (order.bundle_id === null || order.activating_payment_id === null) throw new ReceiptNotDueError(order_id, `it is ${order.state}, never activated`);
    const payment = await db.selectFrom('payments').selectAll().where('id', '=', order.activating_payment_id).executeTakeFirstOrThrow();
    if (payment.status !== 'succeeded') throw new ReceiptNotDueError(order_id, `its payment ${payment.id} is ${payment.status}`);
    const line = await db.selectFrom('lines').select(['msisdn', 'time_zone']).where('id', '=', order.line_id).executeTakeFirstOrThrow();
    const language: Language = normalizeLanguage(order.language) ?? 'en';
    const pack = await findPackage(db, order.package_code);
    const { seller } = this.#options;
    const paid_at_ms = payment.finalized_at_ms ?? payment.updated_at_ms;
    // The rate of the sale's own time: a payment of 31 December 2025 carries 20 %, whenever its receipt is made.
    const vat_rate_percent = vatRateAt(seller.vat_rates, paid_at_ms);
    const route: ReceiptRoute = this.#options.email_receipts && order.payer_email !== null && isEmailAddress(order.payer_email) ? 'email' : 'sms';
    const facts: ReceiptFacts = {
      order_id: order.id, line_id: order.line_id, payment_id: payment.id, language, time_zone: line.time_zone,
      line_msisdn_masked: maskMsisdn(line.msisdn),
      seller_name: seller.name, seller_inn: seller.inn, seller_kpp: seller.kpp, seller_address: seller.address,
      package_code: order.package_code, item_name: pack.names[language], amount_minor: order.amount_minor, currency: order.currency,
      vat_rate_percent, vat_minor: vatIncludedMinor(order.amount_minor, vat_rate_percent),
      payment_method: payment.method, payment_details: await this.#paymentDetails(payment),
      // A sandbox payment is a test whatever mode the installation is in by the time the job runs.
      test_mode: this.#options.test_mode || payment.provider === SANDBOX_PROVIDER ? 1 : 0,
      paid_at_ms,
    };
    return { facts, route };
  }

  /** What identifies the payment to the customer, masked: card digits, or the transfer's reference. */
  async #paymentDetails(payment: PaymentsTable): Promise<string | null> {
    const recorded = this.#options.paymentDetails && payment.provider_payment_id !== null
      ? await this.#options.paymentDetails(payment)
      : null;
    // The payment row forgets the transfer reference once the money arrived; the provider keeps it.
    if (payment.method === 'bank_transfer') return recorded?.transfer_reference ?? transferReference(paymentView(payment));
    if (payment.method !== 'card' && payment.method !== 'card_present') return null;
    const last4 = recorded?.card_last4 ?? null;
    // Only ever four digits: a lookup that returned more would put a card number on a receipt.
    return last4 !== null && CARD_LAST4_PATTERN.test(last4) ? `**** ${last4}` : null;
  }
}
