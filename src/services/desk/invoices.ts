import { RoamError } from '../../core/errors.js';
import type { CompanyInvoicesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { recordAudit } from '../audit/audit-log.js';
import { INN_LEGAL_ENTITY_DIGITS, isValidInn, isValidKpp } from '../receipts/bank-details.js';
import type { Order } from '../renewal/orders.js';
import type { StaffActor } from '../staff/staff-actor.js';

/**
 * A company invoice: a pack bought by a company, paid later by bank transfer with the in-house
 * bank-transfer provider, its invoice (page and PDF, services/receipts/invoice.ts) naming the
 * buyer. The buyer's INN is checked with its check digits (the same check as SELLER_INN); an
 * organisation (10-digit INN) has a KPP, an individual entrepreneur (12 digits) has none.
 */

export interface CompanyBuyer {
  readonly name: string;
  readonly inn: string;
  readonly kpp?: string | undefined;
}

export const BUYER_NAME_LENGTH_MAX = 200;

/** The buyer as it will be stored, or a RoamError naming the field that is wrong. */
export function checkedBuyer(buyer: CompanyBuyer): { name: string; inn: string; kpp: string | null } {
  const name = buyer.name.trim();
  if (name.length === 0 || name.length > BUYER_NAME_LENGTH_MAX) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'buyer_name', reason: 'length' });
  const inn = buyer.inn.trim();
  if (!isValidInn(inn)) throw new RoamError('ROAM_ERR_INN_INVALID', { field: 'buyer_inn' });
  const kpp = buyer.kpp?.trim().toUpperCase() || null;
  const organisation = inn.length === INN_LEGAL_ENTITY_DIGITS;
  // An organisation's invoice needs its KPP; an entrepreneur has none to give.
  if (organisation ? kpp === null || !isValidKpp(kpp) : kpp !== null) throw new RoamError('ROAM_ERR_KPP_INVALID', { field: 'buyer_kpp' });
  return { name, inn, kpp };
}

/** Writes the buyer beside the order, in the bank transfer's payment transaction, with the audit entry. */
export function companyInvoiceRecorder(
  actor: StaffActor,
  buyer: ReturnType<typeof checkedBuyer>,
  now_ms: number,
  client_address: string | null,
) {
  return async (trx: Executor, order: Order): Promise<{ receiving_account_id: null }> => {
    const record: CompanyInvoicesTable = {
      order_id: order.id, store_id: actor.store_id, staff_id: actor.staff_id,
      buyer_name: buyer.name, buyer_inn: buyer.inn, buyer_kpp: buyer.kpp, created_at_ms: now_ms,
    };
    await trx.insertInto('company_invoices').values(record).execute();
    await recordAudit(trx, {
      actor, action: 'desk.company_invoice', subject_type: 'order', subject_id: order.id, store_id: actor.store_id, client_address,
      after: { ...record, package_code: order.package_code, amount_minor: order.amount_minor, line_id: order.line_id },
    }, now_ms);
    return { receiving_account_id: null };
  };
}
