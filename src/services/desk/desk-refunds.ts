import { RoamError } from '../../core/errors.js';
import type { RefundsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { recordAudit } from '../audit/audit-log.js';
import { storeAcquiringAccountId } from '../ledger/accounts.js';
import type { Notices } from '../notices/notices.js';
import type { RefundFiscaliser } from '../fiscal/fiscal-service.js';
import { refundUnusedPack } from '../renewal/refunds.js';
import { actsForStore, type StaffActor } from '../staff/staff-actor.js';
import { deskOrderKey } from './desk-sales.js';
import { lockedOpenShiftOf, storeOf } from './shifts.js';

/**
 * A pack sold at a desk and never used, refunded at a desk of the same store the way it was paid:
 * cash handed back out of the refunding agent's open shift (so the shift's count expects it), or a
 * card refund on the terminal (its slip's reference recorded) against the store's acquiring
 * account. The renewal service revokes the pack and posts the entry; the desk adds where the money
 * left from, the desk_refunds row and the audit entry — all in one transaction.
 */
export interface DeskRefundInput {
  readonly order_id: string;
  /** The terminal slip's reference of a card refund; required for card payments. */
  readonly terminal_reference?: string | undefined;
}

export interface DeskRefund {
  readonly refund_id: string;
  readonly order_id: string;
  readonly amount_minor: number;
  readonly currency: string;
  readonly method: 'cash' | 'card_present';
  readonly shift_id: string | null;
  readonly state: RefundsTable['status'];
}

export async function refundAtDesk(
  trx: Executor,
  caller: { readonly actor: StaffActor; readonly client_address: string | null },
  input: DeskRefundInput,
  idempotency_key: string,
  now_ms: number,
  notices: Notices | undefined,
  fiscal?: RefundFiscaliser,
): Promise<DeskRefund> {
  const { actor } = caller;
  const sale = await trx.selectFrom('orders')
    .innerJoin('desk_payments', 'desk_payments.payment_id', 'orders.activating_payment_id')
    .select(['orders.id', 'orders.state', 'desk_payments.method', 'desk_payments.store_id'])
    .where('orders.id', '=', input.order_id).executeTakeFirst();
  // Another store's sale, or no desk sale at all, is not found here: it is refunded where it was paid.
  if (!sale || !actsForStore(actor, sale.store_id)) throw new RoamError('ROAM_ERR_ORDER_NOT_FOUND');
  const earlier = await trx.selectFrom('desk_refunds').innerJoin('refunds', 'refunds.id', 'desk_refunds.refund_id').selectAll('desk_refunds')
    .select(['refunds.amount_minor', 'refunds.currency', 'refunds.status'])
    .where('desk_refunds.order_id', '=', input.order_id).executeTakeFirst();
  // Refunded at a desk already (a retry, or two agents at once): that refund stands, nothing happens twice.
  if (earlier) return deskRefundView(earlier);
  // Refunded some other way (staff through the order API): no money leaves a desk for it.
  if (sale.state !== 'active') throw new RoamError('ROAM_ERR_REFUND_NOT_ALLOWED', { reason: 'not_active' });

  const shift = sale.method === 'cash' ? await lockedOpenShiftOf(trx, actor.staff_id) : undefined;
  if (sale.method === 'cash' && !shift) throw new RoamError('ROAM_ERR_SHIFT_REQUIRED');
  const terminal_reference = input.terminal_reference?.trim() || null;
  if (sale.method === 'card_present' && terminal_reference === null) {
    throw new RoamError('ROAM_ERR_VALIDATION', { field: 'terminal_reference', reason: 'missing' });
  }
  const store = await storeOf(trx, sale.store_id);
  const outcome = await refundUnusedPack(trx, {
    order_id: sale.id, requested_by: actor.login, idempotency_key: deskOrderKey(actor, idempotency_key),
    paid_out_from_account_id: shift ? shift.drawer_account_id : storeAcquiringAccountId(store.code),
  }, now_ms, notices, fiscal);
  const refund = outcome.result;
  const recorded = await trx.selectFrom('desk_refunds').select('refund_id').where('refund_id', '=', refund.id).executeTakeFirst();
  if (!recorded) {
    await trx.insertInto('desk_refunds').values({
      refund_id: refund.id, order_id: sale.id, store_id: sale.store_id, staff_id: actor.staff_id, shift_id: shift?.id ?? null,
      method: sale.method, terminal_reference, created_at_ms: now_ms,
    }).execute();
    await recordAudit(trx, {
      actor, action: 'desk.refund', subject_type: 'order', subject_id: sale.id, store_id: sale.store_id, client_address: caller.client_address,
      after: { refund_id: refund.id, amount_minor: refund.amount_minor, method: sale.method, shift_id: shift?.id ?? null },
    }, now_ms);
  }
  return {
    refund_id: refund.id, order_id: sale.id, amount_minor: refund.amount_minor, currency: refund.currency,
    method: sale.method, shift_id: shift?.id ?? null, state: refund.status,
  };
}

function deskRefundView(row: {
  refund_id: string; order_id: string; amount_minor: number; currency: string; method: 'cash' | 'card_present'; shift_id: string | null;
  status: RefundsTable['status'];
}): DeskRefund {
  return {
    refund_id: row.refund_id, order_id: row.order_id, amount_minor: Number(row.amount_minor), currency: row.currency,
    method: row.method, shift_id: row.shift_id, state: row.status,
  };
}
