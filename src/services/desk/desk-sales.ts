import { RoamError } from '../../core/errors.js';
import { checkIdempotencyKey } from '../../core/idempotency-key.js';
import type { Language } from '../../core/i18n/languages.js';
import type { DeskPaymentsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { DeskPaymentMethod } from '../../ports/payment-provider.js';
import { recordAudit } from '../audit/audit-log.js';
import { packageForSale } from '../catalog/catalog.js';
import { ensureLedgerAccount, storeAcquiringAccountId } from '../ledger/accounts.js';
import { findLine, type LineRef } from '../lines/lines.js';
import type { Order } from '../renewal/orders.js';
import type { StaffActor } from '../staff/staff-actor.js';
import { lockedOpenShiftOf, openShiftRowOf, storeOf } from './shifts.js';

/**
 * A pack sold at the desk, paid in cash or on the store's card terminal, settled in the request
 * through the renewal service like any other order (channel "desk"): the order, the payment taken
 * by the desk provider, the ledger (cash into the seller's shift drawer, card into the store's
 * acquiring clearing), the pack active, the receipt queued. Everything that can refuse the sale —
 * the line, the pack on the desk, the shift, the tender, the document check — is checked before
 * anything is written, so a refused sale changes nothing; the tender and the shift are checked
 * again inside the payment's transaction against the order's frozen price.
 */

export interface DeskSaleInput {
  readonly line: LineRef;
  readonly package_code: string;
  readonly method: DeskPaymentMethod;
  /** Cash: what the customer handed over; must cover the price. */
  readonly tendered_minor?: number | undefined;
  /** Card: the terminal's reference for the payment (RRN or authorisation code), as its slip prints it. */
  readonly terminal_reference?: string | undefined;
  readonly card_last4?: string | undefined;
  /**
   * Staff checked the payer's identity document (passport). Required for cash: the rules of
   * telephone service (item 155) tie cash payment for communication services to one. Recorded for
   * card payments when given.
   */
  readonly document_checked?: boolean | undefined;
  /** The customer's language for the receipt; the line's when absent. */
  readonly language?: Language | undefined;
}

export interface DeskSale {
  readonly order_id: string;
  readonly payment_id: string;
  readonly state: Order['state'];
  readonly amount_minor: number;
  readonly currency: string;
  readonly method: DeskPaymentMethod;
  readonly tendered_minor: number | null;
  readonly change_minor: number;
  /** The receipt's page (it redirects to the verification link once the receipt job has issued it). */
  readonly receipt_url: string;
  readonly replayed: boolean;
}

/** The longest key a desk may send: it is prefixed with the staff id before it reaches the orders table. */
export const DESK_IDEMPOTENCY_KEY_LENGTH_MAX = 128;
export const TERMINAL_REFERENCE_PATTERN = /^[A-Za-z0-9-]{4,32}$/;
export const CARD_LAST4_PATTERN = /^\d{4}$/;
/** More cash than this in one hand is a typing slip: 1 million roubles. */
export const TENDERED_MINOR_MAX = 100_000_000;

/** The keys a desk sale's order and payment are stored under: per staff member, never clashing with a customer's. */
export function deskOrderKey(actor: StaffActor, idempotency_key: string): string {
  checkIdempotencyKey(idempotency_key);
  if (idempotency_key.length > DESK_IDEMPOTENCY_KEY_LENGTH_MAX) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'idempotency_key', reason: 'too_large' });
  return `desk:${actor.staff_id}:${idempotency_key}`;
}

/** The input's own rules, before the database is asked anything. */
export function checkSaleInput(input: DeskSaleInput): void {
  if (input.method === 'cash') {
    if (input.tendered_minor === undefined) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'tendered_minor', reason: 'required' });
    if (!Number.isSafeInteger(input.tendered_minor) || input.tendered_minor <= 0 || input.tendered_minor > TENDERED_MINOR_MAX) {
      throw new RoamError('ROAM_ERR_AMOUNT_INVALID', { field: 'tendered_minor', reason: 'range' });
    }
    if (input.document_checked !== true) throw new RoamError('ROAM_ERR_DOCUMENT_NOT_CHECKED');
    return;
  }
  if (input.terminal_reference === undefined || !TERMINAL_REFERENCE_PATTERN.test(input.terminal_reference)) {
    throw new RoamError('ROAM_ERR_VALIDATION', { field: 'terminal_reference', reason: input.terminal_reference === undefined ? 'required' : 'format' });
  }
  if (input.card_last4 !== undefined && !CARD_LAST4_PATTERN.test(input.card_last4)) {
    throw new RoamError('ROAM_ERR_VALIDATION', { field: 'card_last4', reason: 'format' });
  }
}

/** Read-only checks of a new sale: the line, the pack on the desk and its price, the shift, the tender. */
export async function checkSaleCanProceed(db: Executor, actor: StaffActor, input: DeskSaleInput, now_ms: number): Promise<void> {
  const line = await findLine(db, input.line);
  if (line.status !== 'active') throw new RoamError('ROAM_ERR_LINE_NOT_ACTIVE');
  const pack = await packageForSale(db, input.package_code, 'desk', now_ms);
  if (input.method !== 'cash') return;
  if (!(await openShiftRowOf(db, actor.staff_id))) throw new RoamError('ROAM_ERR_SHIFT_REQUIRED');
  checkTender(input.tendered_minor ?? 0, pack.price.amount_minor);
}

function checkTender(tendered_minor: number, price_minor: number): void {
  if (tendered_minor < price_minor) throw new RoamError('ROAM_ERR_TENDER_SHORT', { needed_minor: price_minor - tendered_minor });
}

/**
 * The desk's record of the payment, written in the payment row's transaction (the renewal
 * service's InPersonPaymentRecorder): where the money goes in the ledger, the tender and change, the
 * shift, and the audit entry of the sale.
 */
export function deskSaleRecorder(actor: StaffActor, input: DeskSaleInput, now_ms: number, client_address: string | null) {
  return async (trx: Executor, order: Order, payment_id: string): Promise<{ receiving_account_id: string }> => {
    const store = await storeOf(trx, actor.store_id);
    const shift = await lockedOpenShiftOf(trx, actor.staff_id);
    let receiving_account_id: string;
    let change_minor: number | null = null;
    if (input.method === 'cash') {
      if (!shift) throw new RoamError('ROAM_ERR_SHIFT_REQUIRED');
      checkTender(input.tendered_minor ?? 0, order.amount_minor);
      change_minor = (input.tendered_minor ?? 0) - order.amount_minor;
      receiving_account_id = shift.drawer_account_id;
    } else {
      receiving_account_id = storeAcquiringAccountId(store.code);
      await ensureLedgerAccount(trx, { id: receiving_account_id, kind: 'provider_clearing', name: `Card acquiring clearing, ${store.code}` }, now_ms);
    }
    const record: DeskPaymentsTable = {
      payment_id, order_id: order.id, store_id: store.id, staff_id: actor.staff_id, shift_id: shift?.id ?? null, method: input.method,
      tendered_minor: input.method === 'cash' ? input.tendered_minor ?? null : null, change_minor,
      document_checked: input.document_checked === true ? 1 : 0,
      terminal_reference: input.method === 'card_present' ? input.terminal_reference ?? null : null,
      card_last4: input.method === 'card_present' ? input.card_last4 ?? null : null, created_at_ms: now_ms,
    };
    await trx.insertInto('desk_payments').values(record).execute();
    await recordAudit(trx, {
      actor, action: 'desk.sale', subject_type: 'order', subject_id: order.id, store_id: store.id, client_address,
      after: { ...record, package_code: order.package_code, amount_minor: order.amount_minor, line_id: order.line_id },
    }, now_ms);
    return { receiving_account_id };
  };
}

/** A sale repeated with the same key must be the same sale: the desk's own fields are compared here. */
export function checkSameSale(stored: DeskPaymentsTable, input: DeskSaleInput): void {
  const same = stored.method === input.method
    && (input.method !== 'cash' || Number(stored.tendered_minor) === input.tendered_minor)
    && (input.method !== 'card_present' || (stored.terminal_reference === (input.terminal_reference ?? null) && stored.card_last4 === (input.card_last4 ?? null)));
  if (!same) throw new RoamError('ROAM_ERR_IDEMPOTENCY_CONFLICT');
}
