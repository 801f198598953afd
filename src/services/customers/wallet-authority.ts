import { RoamError } from '../../core/errors.js';
import { formatMoney } from '../../core/i18n/format.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { maskMsisdn } from '../../core/phone.js';
import type { Database } from '../../db/database.js';
import { lockingRows } from '../../db/locks.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import type { WalletPayer, WalletPayerCheck } from '../renewal/wallet-payer.js';
import { codeHmac, CODE_DIGITS, newCode, newCustomerId, type AuthKeys } from './auth-crypto.js';
import { judgeCode } from './one-time-codes.js';
import { clientAddressKey, hitRateLimit, type RateLimitRule } from '../../db/rate-limits.js';
import { queueSms } from './sms-job.js';
import { paymentCodeSmsText } from './sms-text.js';

/**
 * Who may spend a line's money balance. Anyone may renew any number with their own money, but
 * the wallet is the owner's: paying from it needs a signed-in customer who holds the line with
 * its ICCID proven, or a one-time code sent by SMS to the line and typed by the payer (a friend
 * paying on the owner's behalf gets the code from the owner). Over USSD the line itself pays for
 * its own orders (the network identifies the caller); staff at a desk are a further proof to come.
 */

export const PAYMENT_CODE_TTL_MS = 5 * 60_000;
/** Wrong codes per code: the sixth guess needs a new code, and new codes are limited below. */
export const PAYMENT_CODE_ATTEMPTS_MAX = 5;

/** Codes per order one a minute, three an hour; per line five an hour (SMS to the owner); per client address twenty an hour. */
export const PAYMENT_CODE_RATE_LIMITS = {
  per_order_minute: { scope: 'pay-code:order:60s', window_ms: 60_000, hits_max: 1 },
  per_order_hour: { scope: 'pay-code:order:1h', window_ms: 3_600_000, hits_max: 3 },
  per_line_hour: { scope: 'pay-code:line:1h', window_ms: 3_600_000, hits_max: 5 },
  per_ip_hour: { scope: 'pay-code:ip:1h', window_ms: 3_600_000, hits_max: 20 },
} as const satisfies Record<string, RateLimitRule>;

const CODE_PATTERN = new RegExp(`^\\d{${CODE_DIGITS}}$`);

export interface PaymentCodeSent {
  readonly code_length: number;
  readonly expires_in_ms: number;
  readonly resend_after_ms: number;
  /** The number the code went to, masked: the payer sees where to look without learning it. */
  readonly sent_to_masked: string;
}

export interface WalletAuthorityOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly keys: AuthKeys;
}

export class WalletAuthority implements WalletPayerCheck {
  readonly #options: WalletAuthorityOptions;

  constructor(options: WalletAuthorityOptions) {
    this.#options = options;
  }

  /** Sends a code for this order to its line (in the line's language); refuses closed orders and inactive lines. */
  async requestCode(input: { order_id: string; ip: string }): Promise<PaymentCodeSent> {
    const now_ms = this.#options.clock.now_ms();
    const sent_to = await inTransaction(this.#options.database, async (trx) => {
      const { order, line } = await orderAndLine(trx, input.order_id);
      if (order.state !== 'created' && order.state !== 'awaiting_payment') throw new RoamError('ROAM_ERR_ORDER_CLOSED', { value: order.state });
      if (line.status !== 'active') throw new RoamError('ROAM_ERR_LINE_NOT_ACTIVE');
      await hitRateLimit(trx, PAYMENT_CODE_RATE_LIMITS.per_order_minute, order.id, now_ms);
      await hitRateLimit(trx, PAYMENT_CODE_RATE_LIMITS.per_order_hour, order.id, now_ms);
      await hitRateLimit(trx, PAYMENT_CODE_RATE_LIMITS.per_line_hour, line.id, now_ms);
      await hitRateLimit(trx, PAYMENT_CODE_RATE_LIMITS.per_ip_hour, clientAddressKey(input.ip), now_ms);
      await issuePaymentCode(trx, this.#options.keys, { order, line }, now_ms);
      return maskMsisdn(line.msisdn);
    });
    return {
      code_length: CODE_DIGITS, expires_in_ms: PAYMENT_CODE_TTL_MS,
      resend_after_ms: PAYMENT_CODE_RATE_LIMITS.per_order_minute.window_ms, sent_to_masked: sent_to,
    };
  }

  /**
   * True when the payer may spend the order's line's wallet; in the payment's transaction, so a
   * code is consumed with the payment it allows and a wrong guess is counted when the caller commits.
   */
  async mayPayFromWallet(trx: Executor, input: { order_id: string; line_id: string; payer: WalletPayer }): Promise<boolean> {
    const { payer } = input;
    if (payer.kind === 'customer') return holdsLine(trx, payer.customer_id, input.line_id);
    // The network vouches for the caller's SIM: that line's own orders, and no other line's.
    if (payer.kind === 'line_itself') return payer.line_id === input.line_id;
    if (!CODE_PATTERN.test(payer.code)) return false;
    return consumePaymentCode(trx, this.#options.keys, input.order_id, payer.code, this.#options.clock.now_ms());
  }
}

/** A customer holds a line for spending once they proved the card is in their hands (its ICCID). */
async function holdsLine(db: Executor, customer_id: string, line_id: string): Promise<boolean> {
  const link = await db.selectFrom('customer_lines').select('verified_by').where('customer_id', '=', customer_id).where('line_id', '=', line_id).executeTakeFirst();
  return link?.verified_by === 'iccid';
}

async function orderAndLine(trx: Executor, order_id: string) {
  const order = await trx.selectFrom('orders').select(['id', 'line_id', 'state', 'amount_minor']).where('id', '=', order_id).executeTakeFirst();
  if (!order) throw new RoamError('ROAM_ERR_ORDER_NOT_FOUND');
  const line = await trx.selectFrom('lines').select(['id', 'msisdn', 'status', 'language']).where('id', '=', order.line_id).executeTakeFirstOrThrow();
  return { order, line };
}

type OrderAndLine = Awaited<ReturnType<typeof orderAndLine>>;

/** Stores the code (an HMAC only), retires the order's earlier codes, and queues the SMS, in one transaction. */
async function issuePaymentCode(trx: Executor, keys: AuthKeys, { order, line }: OrderAndLine, now_ms: number): Promise<void> {
  await trx.updateTable('payment_codes').set({ consumed_at_ms: now_ms }).where('order_id', '=', order.id).where('consumed_at_ms', 'is', null).execute();
  const id = newCustomerId('code');
  const code = newCode();
  const expires_at_ms = now_ms + PAYMENT_CODE_TTL_MS;
  await trx.insertInto('payment_codes').values({
    id, order_id: order.id, line_id: line.id, code_hmac: codeHmac(keys, id, code), attempts: 0, attempts_max: PAYMENT_CODE_ATTEMPTS_MAX,
    expires_at_ms, consumed_at_ms: null, created_at_ms: now_ms,
  }).execute();
  const language: Language = normalizeLanguage(line.language) ?? 'en';
  await queueSms(trx, keys, {
    to_msisdn: line.msisdn, language,
    text: paymentCodeSmsText(language, code, formatMoney(order.amount_minor, language), PAYMENT_CODE_TTL_MS / 60_000),
    send_before_ms: expires_at_ms, line_id: line.id, dedupe_key: `sms:${id}`,
  }, now_ms);
}

/** Checks a typed code against the order's live code: a right one is consumed, a wrong one counted. */
async function consumePaymentCode(trx: Executor, keys: AuthKeys, order_id: string, typed: string, now_ms: number): Promise<boolean> {
  const query = trx.selectFrom('payment_codes').selectAll().where('order_id', '=', order_id).where('consumed_at_ms', 'is', null).orderBy('created_at_ms', 'desc').limit(1);
  // Concurrent guesses queue on the code's row, so no more than attempts_max are ever tried.
  const code = await lockingRows(trx, query).executeTakeFirst();
  return code !== undefined && judgeCode(trx, keys, 'payment_codes', code, typed, now_ms);
}
