import type { Database } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import type { Clock } from '../ports/clock.js';
import { deriveAuthKeys, unsealText } from '../services/customers/auth-crypto.js';
import { linkLine, signInCustomer } from '../services/customers/customer-lines.js';
import type { PaymentResult, RenewalService } from '../services/renewal/renewal-service.js';

/**
 * A line's wallet pays only for its owner. Tests that pay from a wallet prove ownership the ways
 * the product knows: the code texted to the line (read from the queued SMS, opened with the
 * installation's AUTH_SECRET, as the worker would), or a customer who proved the card is theirs.
 */

/** The code in the newest payment-code SMS queued for this order. */
export async function sentPaymentCode(database: Database, auth_secret: string, order_id: string): Promise<string> {
  const code = await database.db.selectFrom('payment_codes').select('id').where('order_id', '=', order_id).orderBy('created_at_ms', 'desc').limit(1).executeTakeFirstOrThrow();
  const job = await database.db.selectFrom('jobs').select('payload').where('dedupe_key', '=', `sms:${code.id}`).executeTakeFirstOrThrow();
  const text = unsealText(deriveAuthKeys(auth_secret), (JSON.parse(job.payload) as { text_sealed: string }).text_sealed);
  const digits = /\d{6}/.exec(text ?? '')?.[0];
  if (digits === undefined) throw new Error(`no code in the SMS for order ${order_id}`);
  return digits;
}

export interface WalletPayingContext {
  readonly database: Database;
  readonly clock: Clock;
  readonly renewal: Pick<RenewalService, 'getOrder' | 'startPayment'>;
}

/**
 * Pays the order from its line's wallet as the line's holder: a customer who signed up through the
 * line and proved its ICCID, made with the customer module's own functions (no SMS, no limits —
 * the sign-in path has its own tests).
 */
export async function payFromWallet(context: WalletPayingContext, order_id: string, idempotency_key: string): Promise<PaymentResult> {
  const { order } = await context.renewal.getOrder(order_id);
  const now_ms = context.clock.now_ms();
  const customer_id = await inTransaction(context.database, async (trx) => {
    const { customer } = await signInCustomer(trx, order.line_id, order.language, now_ms);
    await linkLine(trx, { customer_id: customer.id, line_id: order.line_id, verified_by: 'iccid', enforce_limit: false }, now_ms);
    return customer.id;
  });
  return context.renewal.startPayment({ order_id, method: 'wallet', idempotency_key, payer: { kind: 'customer', customer_id } });
}
