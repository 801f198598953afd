import type { StatementLineOutcome } from '../adapters/payments/bank-transfer/bank-transfer-provider.js';
import { RoamError } from '../core/errors.js';
import type { AppContext } from './context.js';

/**
 * One line of a bank statement, in this process: the bank-transfer provider records the money
 * against the transfer with that reference and amount, then the renewal service settles our
 * payment (ledger, pack, outbox) — the same path a provider's answer takes. A crash between the
 * two is mended by importing the line again ('already_final' re-settles) or by reconciliation,
 * which asks the provider about payments left pending. Money for a transfer whose order has
 * closed is refused here (the line is reported, and a person returns the money by bank).
 */
export async function settleStatementLine(context: Pick<AppContext, 'payments' | 'renewal'>, reference: string, amount_minor: number): Promise<StatementLineOutcome> {
  const bank = context.payments.bank_transfer;
  if (!bank) throw new RoamError('ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE', { value: 'bank_transfer' });
  // Money for a transfer whose order closed is not taken into a pack: a person returns it.
  const waiting = await bank.findByReference(reference);
  if (waiting?.status === 'pending' && !(await context.renewal.isPaymentOpen(waiting.payment_id))) {
    await bank.cancelPayment(waiting.id);
    return 'transfer_closed';
  }
  const { outcome, payment_id } = await bank.recordStatementLine(reference, amount_minor);
  if (payment_id !== undefined && (outcome === 'settled' || outcome === 'already_final')) await context.renewal.refreshPayment(payment_id);
  return outcome;
}
