import { RoamError } from '../../core/errors.js';
import type { Language } from '../../core/i18n/languages.js';
import type { Database } from '../../db/database.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import type { TariffFor } from '../charging/usage.js';
import type { LineRef } from '../lines/lines.js';
import type { Notices } from '../notices/notices.js';
import type { RefundFiscaliser } from '../fiscal/fiscal-service.js';
import type { PaymentRouter } from '../renewal/payment-router.js';
import type { RenewalService } from '../renewal/renewal-service.js';
import type { StaffActor } from '../staff/staff-actor.js';
import {
  checkSaleCanProceed, checkSaleInput, checkSameSale, deskOrderKey, deskSaleRecorder, type DeskSale, type DeskSaleInput,
} from './desk-sales.js';
import { refundAtDesk, type DeskRefund, type DeskRefundInput } from './desk-refunds.js';
import { checkedBuyer, companyInvoiceRecorder, type CompanyBuyer } from './invoices.js';
import { deskLookup, type DeskLineLookup, type DeskLineQuery } from './lookups.js';
import { closeShift, currentShift, findShift, openShift, overdueShifts, type ShiftCloseInput, type ShiftView } from './shifts.js';

/**
 * The service hall's desk: cash shifts, walk-in renewals paid in cash or on the card terminal,
 * company invoices paid by bank transfer, and the customer look-up. Every action takes the staff
 * member acting (the channel authenticated them) and decides with it what they may see and do;
 * every action writes its audit entry in its own transaction. Renewals go through the renewal
 * service and the ledger like every other channel's: the desk only adds what a desk knows.
 */

export interface DeskServiceOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly renewal: RenewalService;
  /** To refuse an invoice before anything is written when bank transfers are not configured. */
  readonly router: PaymentRouter;
  readonly tariffFor: TariffFor;
  /** For the refund SMS of a desk refund; none sent without. */
  readonly notices?: Notices;
  /** Fiscal refund documents (54-FZ) of desk refunds, queued in their transaction; none without it. */
  readonly fiscal?: RefundFiscaliser;
}

/** Who acts and from where, as the channel established it. */
export interface DeskCaller {
  readonly actor: StaffActor;
  readonly client_address: string | null;
}

export interface CompanyInvoiceInput {
  readonly line: LineRef;
  readonly package_code: string;
  readonly buyer: CompanyBuyer;
  readonly language?: Language | undefined;
}

export interface IssuedInvoice {
  readonly order_id: string;
  readonly payment_id: string;
  readonly state: string;
  readonly amount_minor: number;
  readonly currency: string;
  /** The bank transfer's payment reference the company writes on its transfer. */
  readonly reference: string | null;
  readonly invoice_url: string;
  readonly invoice_pdf_url: string;
  readonly replayed: boolean;
}

export class DeskService {
  readonly #options: DeskServiceOptions;

  constructor(options: DeskServiceOptions) {
    this.#options = options;
  }

  #now(): number {
    return this.#options.clock.now_ms();
  }

  #tx<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    return inTransaction(this.#options.database, work);
  }

  openShift(caller: DeskCaller, float_minor: number): Promise<ShiftView> {
    return this.#tx((trx) => openShift(trx, caller.actor, float_minor, this.#now(), caller.client_address));
  }

  closeShift(caller: DeskCaller, input: ShiftCloseInput): Promise<ShiftView> {
    return this.#tx((trx) => closeShift(trx, caller.actor, input, this.#now(), caller.client_address));
  }

  currentShift(actor: StaffActor): Promise<ShiftView | undefined> {
    return currentShift(this.#options.database.db, actor, this.#now());
  }

  findShift(actor: StaffActor, shift_id: string): Promise<ShiftView> {
    return findShift(this.#options.database.db, actor, shift_id, this.#now());
  }

  /** Shifts still open past their store's day, for managers (their store) and admins (all). */
  overdueShifts(actor: StaffActor): Promise<ShiftView[]> {
    return overdueShifts(this.#options.database.db, actor, this.#now());
  }

  /**
   * Refunds an unused pack sold at a desk of the caller's store, the way it was paid: cash out of
   * the caller's open shift, or the terminal's refund (its reference required). The same key, or a
   * second agent, gets the refund already made.
   */
  refund(caller: DeskCaller, input: DeskRefundInput, idempotency_key: string): Promise<DeskRefund> {
    return this.#tx((trx) => refundAtDesk(trx, caller, input, idempotency_key, this.#now(), this.#options.notices, this.#options.fiscal));
  }

  /**
   * Sells a pack at the desk; the pack is active when this returns. The same key returns the same
   * sale (the same key with another sale is a conflict); a refusal writes nothing.
   */
  async sell(caller: DeskCaller, input: DeskSaleInput, idempotency_key: string): Promise<DeskSale> {
    const order_key = deskOrderKey(caller.actor, idempotency_key);
    checkSaleInput(input);
    const db = this.#options.database.db;
    const earlier = await db.selectFrom('orders').select('id').where('idempotency_key', '=', order_key).executeTakeFirst();
    if (earlier === undefined) await checkSaleCanProceed(db, caller.actor, input, this.#now());
    const { renewal } = this.#options;
    const order = await renewal.createOrder({
      line: input.line, package_code: input.package_code, channel: 'desk', idempotency_key: order_key, language: input.language,
    });
    const { payment } = await renewal.startPayment({
      order_id: order.order.id, method: input.method, idempotency_key: `${order_key}:payment`,
      in_person: deskSaleRecorder(caller.actor, input, this.#now(), caller.client_address),
    });
    const record = await db.selectFrom('desk_payments').selectAll().where('payment_id', '=', payment.id).executeTakeFirstOrThrow();
    if (earlier !== undefined) checkSameSale(record, input);
    const settled = await renewal.getOrder(order.order.id);
    return {
      order_id: settled.order.id, payment_id: payment.id, state: settled.order.state, amount_minor: settled.order.amount_minor,
      currency: settled.order.currency, method: input.method,
      tendered_minor: record.tendered_minor === null ? null : Number(record.tendered_minor), change_minor: Number(record.change_minor ?? 0),
      receipt_url: `/orders/${encodeURIComponent(settled.order.id)}/receipt`, replayed: earlier !== undefined,
    };
  }

  /** An order for a company, paid later by bank transfer; its invoice names the buyer. */
  async issueCompanyInvoice(caller: DeskCaller, input: CompanyInvoiceInput, idempotency_key: string): Promise<IssuedInvoice> {
    const order_key = deskOrderKey(caller.actor, idempotency_key);
    const buyer = checkedBuyer(input.buyer);
    this.#options.router.providerFor('bank_transfer');
    const { renewal } = this.#options;
    const order = await renewal.createOrder({
      line: input.line, package_code: input.package_code, channel: 'desk', idempotency_key: order_key, language: input.language,
    });
    const { view, payment } = await renewal.startPayment({
      order_id: order.order.id, method: 'bank_transfer', idempotency_key: `${order_key}:payment`,
      in_person: companyInvoiceRecorder(caller.actor, buyer, this.#now(), caller.client_address),
    });
    if (order.replayed) await this.#checkSameBuyer(view.order.id, buyer);
    const path = `/orders/${encodeURIComponent(view.order.id)}/invoice`;
    return {
      order_id: view.order.id, payment_id: payment.id, state: view.order.state, amount_minor: view.order.amount_minor,
      currency: view.order.currency, reference: payment.next_action?.type === 'bank_transfer' ? payment.next_action.reference : null,
      invoice_url: path, invoice_pdf_url: `${path}.pdf`, replayed: order.replayed,
    };
  }

  /** An invoice repeated with the same key must name the same buyer (the order's own hash covers the rest). */
  async #checkSameBuyer(order_id: string, buyer: ReturnType<typeof checkedBuyer>): Promise<void> {
    const stored = await this.#options.database.db.selectFrom('company_invoices').select(['buyer_name', 'buyer_inn', 'buyer_kpp'])
      .where('order_id', '=', order_id).executeTakeFirst();
    if (stored?.buyer_name !== buyer.name || stored.buyer_inn !== buyer.inn || stored.buyer_kpp !== buyer.kpp) {
      throw new RoamError('ROAM_ERR_IDEMPOTENCY_CONFLICT');
    }
  }

  lookup(actor: StaffActor, query: DeskLineQuery): Promise<DeskLineLookup> {
    return deskLookup(this.#options.database.db, actor, query, this.#now(), this.#options.tariffFor);
  }
}
