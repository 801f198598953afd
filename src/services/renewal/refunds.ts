import { RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { lockLines, lockOrder } from '../../db/locks.js';
import type { RefundsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { queueJob } from '../jobs/job-kinds.js';
import { SYSTEM_ACCOUNTS } from '../ledger/accounts.js';
import { postEntry } from '../ledger/ledger.js';
import { idempotentStep, type IdempotentOutcome } from '../idempotency/idempotency.js';
import { notifyRefund } from '../notices/renewal-notices.js';
import type { Notices } from '../notices/notices.js';
import type { RefundFiscaliser } from '../fiscal/fiscal-service.js';
import { findOrder } from './orders.js';
import { setOrderState } from './settlement.js';

/**
 * Staff refund of a pack the customer never used. In one transaction: the bundle is revoked (never
 * drawn again; its units stay on record), the sale leaves revenue, and the money goes back the way
 * it came — straight into the wallet for a wallet purchase, or through the provider (refunds due
 * now, the provider refund queued) for a card, e-wallet or SBP payment.
 */
export interface UnusedPackRefund {
  readonly order_id: string;
  /** Who asked for it (staff login): kept on the refund and in the ledger's memo. */
  readonly requested_by: string;
  readonly idempotency_key: string;
  /**
   * The money is handed back now, at a desk, from this account: the cash shift's drawer (cash over
   * the counter) or the store's card-acquiring account (the terminal's own refund). The refund is
   * then done at once; no provider is asked.
   */
  readonly paid_out_from_account_id?: string;
}

export async function refundUnusedPack(
  trx: Executor,
  input: UnusedPackRefund,
  now_ms: number,
  notices?: Notices,
  fiscal?: RefundFiscaliser,
): Promise<IdempotentOutcome<RefundsTable>> {
  return idempotentStep(trx, {
    key: input.idempotency_key,
    request: {
      op: 'refund_unused_pack', order_id: input.order_id, requested_by: input.requested_by, paid_out_from: input.paid_out_from_account_id,
    },
    find: async (db, key) => {
      await lockOrder(db, input.order_id);
      const refund = await db.selectFrom('refunds').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
      return refund && { request_hash: refund.request_hash, result: refund };
    },
    perform: (db, request_hash) => refundUnusedPackNow(db, { ...input, request_hash }, now_ms, notices, fiscal),
  });
}

async function refundUnusedPackNow(
  trx: Executor,
  input: UnusedPackRefund & { readonly request_hash: string },
  now_ms: number,
  notices: Notices | undefined,
  fiscal: RefundFiscaliser | undefined,
): Promise<RefundsTable> {
  const { order_id, requested_by } = input;
  const order = await findOrder(trx, order_id);
  // Refunded already under another key (two staff at once): that refund stands, nothing happens twice.
  if (order.state === 'refunded' && order.activating_payment_id) {
    const earlier = await trx.selectFrom('refunds').selectAll().where('payment_id', '=', order.activating_payment_id).executeTakeFirst();
    if (earlier?.reason === 'unused_pack') return earlier;
  }
  if (order.state !== 'active' || !order.bundle_id || !order.activating_payment_id) throw new RoamError('ROAM_ERR_REFUND_NOT_ALLOWED', { reason: 'not_active' });
  await lockLines(trx, [order.line_id]);
  const bundle = await trx.selectFrom('bundles').selectAll().where('id', '=', order.bundle_id).executeTakeFirstOrThrow();
  const unused = bundle.status === 'active' && bundle.data_bytes_remaining === bundle.data_bytes_total
    && bundle.voice_seconds_remaining === bundle.voice_seconds_total && bundle.sms_remaining === bundle.sms_total
    && bundle.expires_at_ms > now_ms;
  if (!unused) throw new RoamError('ROAM_ERR_REFUND_NOT_ALLOWED', { reason: 'pack_used' });
  const payment = await trx.selectFrom('payments').selectAll().where('id', '=', order.activating_payment_id).executeTakeFirstOrThrow();
  const line = await trx.selectFrom('lines').select(['wallet_account_id']).where('id', '=', order.line_id).executeTakeFirstOrThrow();

  await trx.updateTable('bundles').set({ status: 'revoked' }).where('id', '=', bundle.id).execute();
  const to_wallet = payment.provider === 'wallet';
  const paid_out = input.paid_out_from_account_id;
  // Where the money goes: back into the wallet, out of the desk's drawer or terminal now, or owed
  // (refunds) until the provider returns it.
  const returned_to = to_wallet ? line.wallet_account_id : (paid_out ?? SYSTEM_ACCOUNTS.refunds.id);
  const done_now = to_wallet || paid_out !== undefined;
  const entry_id = order.amount_minor === 0 ? null : await postEntry(trx, {
    kind: 'refund',
    line_id: order.line_id,
    memo: `Unused pack of order ${order.id} refunded by ${requested_by}`,
    postings: [
      { account_id: SYSTEM_ACCOUNTS.revenue_packages.id, amount_minor: -order.amount_minor },
      { account_id: returned_to, amount_minor: order.amount_minor },
    ],
  }, now_ms);
  const refund: RefundsTable = {
    id: newId('refund'), payment_id: payment.id, order_id: order.id, line_id: order.line_id, amount_minor: order.amount_minor,
    currency: order.currency, reason: 'unused_pack', status: done_now || order.amount_minor === 0 ? 'succeeded' : 'pending',
    provider_refund_id: null, entry_id: done_now ? entry_id : null, requested_by,
    idempotency_key: input.idempotency_key, request_hash: input.request_hash, created_at_ms: now_ms, updated_at_ms: now_ms,
  };
  await trx.insertInto('refunds').values(refund).execute();
  await setOrderState(trx, order, 'refunded', now_ms, { failure_code: 'unused_pack_refunded' });
  // Back in the wallet or the customer's hand now; a provider's refund is announced when the provider confirms it (completeRefund).
  if (done_now) await notifyRefund(trx, notices, { ...refund, to_wallet }, now_ms);
  // Money handed back now: its fiscal refund document (54-FZ) is due now, in this transaction; a provider's when it confirms.
  if (refund.status === 'succeeded') await fiscal?.recordRefund(trx, refund, now_ms);
  if (refund.status === 'pending') {
    await queueJob(trx, 'payment.refund', { refund_id: refund.id }, { line_id: order.line_id, dedupe_key: `refund:${refund.id}` }, now_ms);
  }
  return refund;
}
