import { newId } from '../../core/ids.js';
import { lockLines } from '../../db/locks.js';
import type { Executor } from '../../db/transaction.js';
import { findPackage } from '../catalog/catalog.js';
import { purchaseWithWallet } from '../charging/wallet.js';
import { findLine } from '../lines/lines.js';
import type { Notices } from '../notices/notices.js';
import type { Order } from './orders.js';
import { queueActivationEffects, setOrderState, type Payment } from './settlement.js';

/**
 * An order paid from its line's wallet, in the caller's transaction (the payer already shown to be
 * the owner): the one wallet purchase (charging/wallet.ts) at the order's frozen price, the
 * payment recorded, the order active and its outside effects queued. Too little money (or a line
 * no longer active) is a failed payment with its reason, and the order stays open for another way.
 */
export async function payOrderFromWallet(
  trx: Executor,
  input: { readonly order: Order; readonly idempotency_key: string; readonly request_hash: string },
  now_ms: number,
  notices?: Notices,
): Promise<Payment> {
  const { order } = input;
  const line = await findLine(trx, { line_id: order.line_id });
  await lockLines(trx, [line.id]);
  const wallet = await trx.selectFrom('ledger_accounts').select('balance_minor').where('id', '=', line.wallet_account_id).executeTakeFirstOrThrow();
  const paid = wallet.balance_minor >= order.amount_minor && line.status === 'active';
  const payment: Payment = {
    id: newId('payment'), order_id: order.id, line_id: order.line_id, provider: 'wallet', method: 'wallet', amount_minor: order.amount_minor,
    currency: order.currency, status: paid ? 'succeeded' : 'failed', provider_payment_id: null, next_action: null,
    failure_code: paid ? null : line.status === 'active' ? 'insufficient_funds' : 'declined', provider_code: null,
    idempotency_key: input.idempotency_key, request_hash: input.request_hash, entry_id: null, receiving_account_id: null,
    created_at_ms: now_ms, updated_at_ms: now_ms, finalized_at_ms: now_ms,
  };
  await trx.insertInto('payments').values(payment).execute();
  if (!paid) {
    await setOrderState(trx, order, order.state, now_ms, { failure_code: payment.failure_code });
    return payment;
  }
  const bundle = await purchaseWithWallet(trx, {
    line, pack: await findPackage(trx, order.package_code),
    price: { id: order.package_price_id, amount_minor: order.amount_minor, currency: order.currency },
    // The bundle of an order is keyed by the order: whichever payment activates it, there is one.
    idempotency_key: `order:${order.id}`, request_hash: null, memo: `Order ${order.id} paid from the wallet`,
  }, now_ms);
  await trx.updateTable('payments').set({ entry_id: bundle.entry_id }).where('id', '=', payment.id).execute();
  await setOrderState(trx, order, 'active', now_ms, { failure_code: null, activating_payment_id: payment.id, bundle_id: bundle.id });
  await queueActivationEffects(trx, order, bundle.id, now_ms, notices);
  return { ...payment, entry_id: bundle.entry_id };
}
