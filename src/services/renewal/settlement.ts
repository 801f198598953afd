import { assert } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { canTransition, isOpenOrder } from '../../core/order-state.js';
import { lockOrder } from '../../db/locks.js';
import type { PaymentsTable, RefundsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { isFinalPaymentStatus, type ProviderPaymentState } from '../../ports/payment-provider.js';
import { activatePaidPackage } from '../charging/wallet.js';
import { queueJob } from '../jobs/job-kinds.js';
import { ensureLedgerAccount, providerClearingAccountId, SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import { postEntry } from '../ledger/ledger.js';
import { notifyPackActive, notifyRefund } from '../notices/renewal-notices.js';
import type { Notices } from '../notices/notices.js';
import { fiscalDocumentPath, type RefundFiscaliser } from '../fiscal/fiscal-service.js';
import { findOrder, type Order } from './orders.js';

/**
 * Settlement: what we do when a provider tells us where a payment stands. One transaction, under
 * the order's lock: the payment's state (never regressing), and on success either the activation
 * (ledger postings + bundle + order state + outbox jobs) or, when the order no longer wants the
 * money (a second payment, a closed order), the refund — recorded and queued, never dropped.
 */


export type Payment = PaymentsTable;
export type SettlementOutcome = 'unchanged' | 'updated' | 'failed' | 'activated' | 'refund_queued';

/**
 * May a payment move from `from` to `to`? Pending states move freely; `succeeded` is absorbing; a
 * failed or canceled payment changes only to `succeeded` (the money was taken after all — reality
 * wins, and we account for it); nothing final goes back to pending.
 */
export function paymentMayMove(from: Payment['status'], to: Payment['status']): boolean {
  if (from === to) return false;
  if (from === 'succeeded') return false;
  if (isFinalPaymentStatus(from)) return to === 'succeeded';
  return true;
}

export async function applyPaymentState(
  trx: Executor,
  payment_id: string,
  state: ProviderPaymentState,
  now_ms: number,
  notices?: Notices,
  fiscal?: RefundFiscaliser,
): Promise<SettlementOutcome> {
  const initial = await trx.selectFrom('payments').select('order_id').where('id', '=', payment_id).executeTakeFirstOrThrow();
  await lockOrder(trx, initial.order_id);
  const payment = await trx.selectFrom('payments').selectAll().where('id', '=', payment_id).executeTakeFirstOrThrow();
  if (payment.provider_payment_id === null) {
    await trx.updateTable('payments').set({ provider_payment_id: state.provider_payment_id, updated_at_ms: now_ms }).where('id', '=', payment.id).execute();
  }
  if (!paymentMayMove(payment.status, state.status)) {
    if (!isFinalPaymentStatus(payment.status) && state.next_action) {
      await trx.updateTable('payments').set({ next_action: JSON.stringify(state.next_action), updated_at_ms: now_ms }).where('id', '=', payment.id).execute();
    }
    return 'unchanged';
  }
  assert(state.amount_minor === payment.amount_minor || state.status !== 'succeeded', `provider settled ${state.amount_minor} for payment ${payment.id} of ${payment.amount_minor}`);
  const final = isFinalPaymentStatus(state.status);
  await trx
    .updateTable('payments')
    .set({
      status: state.status,
      next_action: state.next_action ? JSON.stringify(state.next_action) : null,
      failure_code: state.failure?.code ?? null,
      provider_code: state.failure?.provider_code ?? null,
      finalized_at_ms: final ? now_ms : null,
      updated_at_ms: now_ms,
    })
    .where('id', '=', payment.id)
    .execute();
  const order = await findOrder(trx, payment.order_id);
  if (state.status === 'succeeded') {
    return settleSucceeded(trx, order, { ...payment, status: 'succeeded', finalized_at_ms: now_ms }, now_ms, { notices, fiscal });
  }
  if (state.status === 'failed' || state.status === 'canceled') {
    await reopenAfterFailure(trx, order, state.failure?.code ?? (state.status === 'canceled' ? 'canceled_by_customer' : 'declined'), now_ms);
    return 'failed';
  }
  if (order.state === 'created') await setOrderState(trx, order, 'awaiting_payment', now_ms, { failure_code: null });
  return 'updated';
}

/** A failed attempt leaves the order open for another method, unless another attempt is still running. */
async function reopenAfterFailure(trx: Executor, order: Order, failure_code: string, now_ms: number): Promise<void> {
  if (!isOpenOrder(order.state)) return;
  const running = await trx.selectFrom('payments').select('id').where('order_id', '=', order.id).where('status', 'in', ['pending', 'requires_action']).executeTakeFirst();
  await setOrderState(trx, order, running ? 'awaiting_payment' : 'created', now_ms, { failure_code });
}

async function settleSucceeded(
  trx: Executor,
  order: Order,
  payment: Payment,
  now_ms: number,
  effects: { readonly notices: Notices | undefined; readonly fiscal: RefundFiscaliser | undefined },
): Promise<SettlementOutcome> {
  const { notices, fiscal } = effects;
  const clearing = await receivingAccount(trx, payment, now_ms);
  if (!isOpenOrder(order.state)) {
    await queueRefund(trx, order, payment, clearing, order.state === 'active' ? 'duplicate_payment' : 'order_closed', now_ms, fiscal);
    return 'refund_queued';
  }
  const line = await trx.selectFrom('lines').select(['id', 'status']).where('id', '=', order.line_id).executeTakeFirstOrThrow();
  if (line.status !== 'active') {
    await setOrderState(trx, order, 'paid', now_ms, { failure_code: 'line_not_active', activating_payment_id: payment.id });
    await queueRefund(trx, order, payment, clearing, 'activation_impossible', now_ms, fiscal);
    return 'refund_queued';
  }
  const { bundle } = await activatePaidPackage(trx, {
    line: { line_id: order.line_id },
    package_code: order.package_code,
    paid_from_account_id: clearing,
    amount_minor: order.amount_minor,
    package_price_id: order.package_price_id,
    idempotency_key: `order:${order.id}`,
    memo: `Order ${order.id}, payment ${payment.id} via ${payment.provider}`,
  }, now_ms);
  await trx.updateTable('payments').set({ entry_id: bundle.entry_id }).where('id', '=', payment.id).execute();
  await setOrderState(trx, order, 'active', now_ms, { failure_code: null, activating_payment_id: payment.id, bundle_id: bundle.id });
  await queueActivationEffects(trx, order, bundle.id, now_ms, notices);
  await cancelOpenAttempts(trx, order.id, now_ms, payment.id);
  return 'activated';
}

/**
 * The account a payment's money arrives in: the one the payment names (a desk's drawer or acquiring
 * clearing, made when the desk took it), or else its provider's clearing account.
 */
async function receivingAccount(trx: Executor, payment: Payment, now_ms: number): Promise<string> {
  if (payment.receiving_account_id !== null) return payment.receiving_account_id;
  const clearing = providerClearingAccountId(payment.provider);
  await ensureLedgerAccount(trx, { id: clearing, kind: 'provider_clearing', name: `Clearing, ${payment.provider}` }, now_ms);
  return clearing;
}

/** What follows an activation outside the database: the network push, the receipt and the notice, once each. */
export async function queueActivationEffects(
  trx: Executor,
  order: Pick<Order, 'id' | 'line_id'>,
  bundle_id: string,
  now_ms: number,
  notices: Notices | undefined,
): Promise<void> {
  await queueJob(trx, 'network.provision', { bundle_id }, { line_id: order.line_id, dedupe_key: `provision:${bundle_id}` }, now_ms);
  await queueJob(trx, 'receipt.issue', { order_id: order.id }, { line_id: order.line_id, dedupe_key: `receipt:${order.id}` }, now_ms);
  await notifyPackActive(trx, notices, { order_id: order.id, line_id: order.line_id, bundle_id }, now_ms);
}

/**
 * Attempts of an order still open at their provider (but `except`) are canceled there, through the
 * outbox; if one succeeds anyway, settlement refunds it.
 */
export async function cancelOpenAttempts(trx: Executor, order_id: string, now_ms: number, except: string | null = null): Promise<void> {
  let query = trx.selectFrom('payments').select(['id']).where('order_id', '=', order_id).where('status', 'in', ['pending', 'requires_action']);
  if (except) query = query.where('id', '!=', except);
  for (const other of await query.execute()) {
    await queueJob(trx, 'payment.cancel', { payment_id: other.id }, { dedupe_key: `cancel:${other.id}` }, now_ms);
  }
}

/**
 * Money arrived that the order will not use. It is recorded at once (provider clearing → refunds
 * due), and its return through the provider is queued; `refunds` is zero again when it succeeds.
 * The money was taken all the same, so it is fiscalised now (an advance), and its refund later.
 */
async function queueRefund(
  trx: Executor,
  order: Order,
  payment: Payment,
  clearing: string,
  reason: RefundsTable['reason'],
  now_ms: number,
  fiscal: RefundFiscaliser | undefined,
): Promise<void> {
  const entry_id = await postEntry(trx, {
    kind: 'refund',
    line_id: order.line_id,
    memo: `Payment ${payment.id} to be refunded: ${reason}`,
    postings: [
      { account_id: clearing, amount_minor: -payment.amount_minor },
      { account_id: SYSTEM_ACCOUNTS.refunds.id, amount_minor: payment.amount_minor },
    ],
  }, now_ms);
  await trx.updateTable('payments').set({ entry_id }).where('id', '=', payment.id).execute();
  const refund_id = newId('refund');
  await trx.insertInto('refunds').values({
    id: refund_id, payment_id: payment.id, order_id: order.id, line_id: order.line_id, amount_minor: payment.amount_minor,
    currency: payment.currency,
    reason, status: 'pending', provider_refund_id: null, entry_id: null, requested_by: 'system', created_at_ms: now_ms, updated_at_ms: now_ms,
  }).execute();
  await queueJob(trx, 'payment.refund', { refund_id }, { line_id: order.line_id, dedupe_key: `refund:${refund_id}` }, now_ms);
  await fiscal?.recordUnusedPayment(trx, payment, now_ms);
}

/** The provider returned the money: the refund leaves our books (refunds due → provider clearing). */
export async function completeRefund(
  trx: Executor,
  refund_id: string,
  provider_refund_id: string,
  now_ms: number,
  notices?: Notices,
  fiscal?: RefundFiscaliser,
): Promise<boolean> {
  const refund = await trx.selectFrom('refunds').selectAll().where('id', '=', refund_id).executeTakeFirstOrThrow();
  await lockOrder(trx, refund.order_id);
  const fresh = await trx.selectFrom('refunds').selectAll().where('id', '=', refund_id).executeTakeFirstOrThrow();
  if (fresh.status === 'succeeded') return false;
  const payment = await trx.selectFrom('payments').select(['provider', 'receiving_account_id']).where('id', '=', fresh.payment_id).executeTakeFirstOrThrow();
  const entry_id = await postEntry(trx, {
    kind: 'refund',
    line_id: fresh.line_id,
    memo: `Refund ${fresh.id} paid back via ${payment.provider}`,
    postings: [
      { account_id: SYSTEM_ACCOUNTS.refunds.id, amount_minor: -fresh.amount_minor },
      { account_id: payment.receiving_account_id ?? providerClearingAccountId(payment.provider), amount_minor: fresh.amount_minor },
    ],
  }, now_ms);
  await trx.updateTable('refunds').set({ status: 'succeeded', provider_refund_id, entry_id, updated_at_ms: now_ms }).where('id', '=', fresh.id).execute();
  // The money is back with the customer: the refund's fiscal document (54-FZ) is queued with it, and
  // a payment without a receipt of ours (a duplicate) has its documents' page linked in the notice.
  const document = await fiscal?.recordRefund(trx, { ...fresh, status: 'succeeded', provider_refund_id, entry_id, updated_at_ms: now_ms }, now_ms);
  const receipt_path = document?.subject === 'payment' ? fiscalDocumentPath(document) : null;
  await notifyRefund(trx, notices, { ...fresh, to_wallet: false, receipt_path }, now_ms);
  const order = await findOrder(trx, fresh.order_id);
  if (order.state === 'paid' && order.activating_payment_id === fresh.payment_id) await setOrderState(trx, order, 'refunded', now_ms, {});
  return true;
}

/**
 * Moves an order (read in this transaction, under its lock) to `state`. The order's life is a
 * checked rule (core/order-state.ts): a transition it does not allow is a bug, and stops here.
 */
async function setOrderState(
  trx: Executor,
  order: Pick<Order, 'id' | 'state'>,
  state: Order['state'],
  now_ms: number,
  fields: Partial<Pick<Order, 'failure_code' | 'activating_payment_id' | 'bundle_id'>>,
): Promise<void> {
  assert(canTransition(order.state, state), `order ${order.id} may not go from ${order.state} to ${state}`);
  await trx.updateTable('orders').set({ state, ...fields, updated_at_ms: now_ms }).where('id', '=', order.id).execute();
}

export { setOrderState };
