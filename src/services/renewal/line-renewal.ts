import { createHash } from 'node:crypto';
import type { LocalizedNames, PackageKind } from '../../core/catalog.js';
import { isRoamError, type ErrorCode } from '../../core/errors.js';
import { formatMoney } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import { isOpenOrder } from '../../core/order-state.js';
import type { Database } from '../../db/database.js';
import { hitRateLimit, type RateLimitRule } from '../../db/rate-limits.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import type { AuthKeys } from '../customers/auth-crypto.js';
import { queueSms } from '../customers/sms-job.js';
import { paymentLinkSmsText } from '../customers/sms-text.js';
import { retryLostKeyRace } from '../idempotency/idempotency.js';
import { findLine, setLineLanguage } from '../lines/lines.js';
import type { Order } from './orders.js';
import type { RenewalService } from './renewal-service.js';
import { packagesBySales } from './sales-rank.js';
import { findShortLinkOfOrder, insertShortLink, resolveShortLink } from './short-links.js';

/**
 * Renewal asked for by the line itself, over USSD (#102#): the packs it may buy, paying from its
 * own balance, or an SMS with a short link to the order's payment page. Every order and payment
 * goes through the renewal service; the line pays as `line_itself` (the network identified the
 * caller). Each step is keyed by the gateway's session id and the step, so a gateway repeating a
 * request — or sending it twice at once — finds the first one's order and payment, never a second.
 */

export interface LineRenewalOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly renewal: Pick<RenewalService, 'createOrder' | 'startPayment' | 'getOrder'>;
  readonly keys: AuthKeys;
  /** Where `/p/<token>` is served: links in SMS are absolute. */
  readonly public_base_url: string;
}

/** A pack as a USSD menu offers it: what it gives and its price now. */
export interface PackOffer {
  readonly code: string;
  readonly kind: PackageKind;
  readonly names: LocalizedNames;
  readonly data_mb: number;
  readonly voice_minutes: number;
  readonly sms_count: number;
  readonly validity_hours: number;
  readonly price_minor: number;
}

/** Which USSD session and step a purchase belongs to; the session id as the gateway gave it. */
export interface LineRenewalRequest {
  readonly line_id: string;
  readonly package_code: string;
  readonly session_id: string;
  /** The language the customer reads (the SMS is written in it). */
  readonly language: Language;
}

export type RenewalRefusal = 'pack_unavailable' | 'line_not_active';

export type BalancePurchase =
  | { readonly outcome: 'active'; readonly order_id: string; readonly expires_at_ms: number }
  | { readonly outcome: 'balance_short'; readonly order_id: string; readonly missing_minor: number }
  | { readonly outcome: 'refused'; readonly reason: RenewalRefusal };

export type PaymentLinkRequest =
  | { readonly outcome: 'sent'; readonly order_id: string }
  | { readonly outcome: 'refused'; readonly reason: RenewalRefusal | 'limit_reached' };

/** Links per line: SMS to the line cost money and must not become a way to flood it. */
export const PAYMENT_LINK_RATE_LIMITS = {
  per_line_hour: { scope: 'pay-link:line:1h', window_ms: 3_600_000, hits_max: 3 },
  per_line_day: { scope: 'pay-link:line:1d', window_ms: 86_400_000, hits_max: 10 },
} as const satisfies Record<string, RateLimitRule>;

/** Errors that mean "this pack cannot be bought here now", said as such to the customer. */
const PACK_UNAVAILABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  'ROAM_ERR_PACKAGE_NOT_FOUND', 'ROAM_ERR_PACKAGE_INACTIVE', 'ROAM_ERR_PACKAGE_NOT_ON_CHANNEL', 'ROAM_ERR_PRICE_NOT_SET', 'ROAM_ERR_ORDER_CLOSED',
]);

export class LineRenewal {
  readonly #options: LineRenewalOptions;

  constructor(options: LineRenewalOptions) {
    this.#options = options;
  }

  /** Packs sold over USSD now, the best-selling first (sales-rank.ts). */
  async packsForSale(): Promise<PackOffer[]> {
    const packs = await packagesBySales(this.#options.database.db, 'ussd', this.#options.clock.now_ms());
    return packs.map((pack) => ({
      code: pack.code, kind: pack.kind, names: pack.names, data_mb: pack.data_mb, voice_minutes: pack.voice_minutes,
      sms_count: pack.sms_count, validity_hours: pack.validity_hours, price_minor: pack.price.amount_minor,
    }));
  }

  /** The order a payment link leads to, while it may still be paid; undefined for unknown or expired links. */
  orderOfLink(token: string): Promise<string | undefined> {
    return resolveShortLink(this.#options.database.db, token, this.#options.clock.now_ms());
  }

  async setLanguage(line_id: string, language: Language): Promise<void> {
    await inTransaction(this.#options.database, (trx) => setLineLanguage(trx, line_id, language));
  }

  /** Buys the pack from the line's balance: the session's order for it, paid by the line itself. */
  async buyFromBalance(request: LineRenewalRequest): Promise<BalancePurchase> {
    return refusedOn(async () => {
      const order = await this.#sessionOrder(request);
      if (isOpenOrder(order.state)) {
        try {
          await this.#options.renewal.startPayment({
            order_id: order.id, method: 'wallet', idempotency_key: stepKey(request, 'wallet'),
            payer: { kind: 'line_itself', line_id: request.line_id },
          });
        } catch (error) {
          // Closed meanwhile (paid by its link, expired): what it became is said below.
          if (!isRoamError(error) || error.code !== 'ROAM_ERR_ORDER_CLOSED') throw error;
        }
      }
      return this.#purchaseOutcome(order.id);
    });
  }

  /** Texts the line a short link to the session's order for the pack; once per order, within the line's limits. */
  async sendPaymentLink(request: LineRenewalRequest): Promise<PaymentLinkRequest> {
    return refusedOn(async () => {
      const order = await this.#sessionOrder(request);
      if (!isOpenOrder(order.state)) return { outcome: 'refused', reason: 'pack_unavailable' };
      try {
        await retryLostKeyRace(() => inTransaction(this.#options.database, (trx) => this.#queueLink(trx, order, request.language)));
      } catch (error) {
        if (isRoamError(error) && error.code === 'ROAM_ERR_RATE_LIMITED') return { outcome: 'refused', reason: 'limit_reached' };
        throw error;
      }
      return { outcome: 'sent', order_id: order.id };
    });
  }

  /** The one order of this session for this pack: made once, found again by every later step or retry. */
  async #sessionOrder(request: LineRenewalRequest): Promise<Order> {
    const view = await this.#options.renewal.createOrder({
      line: { line_id: request.line_id }, package_code: request.package_code, channel: 'ussd', idempotency_key: stepKey(request, 'order'),
    });
    return view.order;
  }

  async #purchaseOutcome(order_id: string): Promise<BalancePurchase> {
    const { order, payments } = await this.#options.renewal.getOrder(order_id);
    const db = this.#options.database.db;
    if (order.state === 'active' && order.bundle_id !== null) {
      const bundle = await db.selectFrom('bundles').select('expires_at_ms').where('id', '=', order.bundle_id).executeTakeFirstOrThrow();
      return { outcome: 'active', order_id, expires_at_ms: bundle.expires_at_ms };
    }
    const last = payments.at(-1);
    if (isOpenOrder(order.state) && last?.failure_code === 'insufficient_funds') {
      const line = await findLine(db, { line_id: order.line_id });
      const wallet = await db.selectFrom('ledger_accounts').select('balance_minor').where('id', '=', line.wallet_account_id).executeTakeFirstOrThrow();
      return { outcome: 'balance_short', order_id, missing_minor: Math.max(order.amount_minor - wallet.balance_minor, 0) };
    }
    return { outcome: 'refused', reason: last?.failure_code === 'declined' ? 'line_not_active' : 'pack_unavailable' };
  }

  async #queueLink(trx: Executor, order: Order, language: Language): Promise<void> {
    // A retried request (or a second tap on "2") finds the link and its SMS already made.
    if ((await findShortLinkOfOrder(trx, order.id)) !== undefined) return;
    const now_ms = this.#options.clock.now_ms();
    const line = await findLine(trx, { line_id: order.line_id });
    await hitRateLimit(trx, PAYMENT_LINK_RATE_LIMITS.per_line_hour, line.id, now_ms);
    await hitRateLimit(trx, PAYMENT_LINK_RATE_LIMITS.per_line_day, line.id, now_ms);
    const token = await insertShortLink(trx, { order_id: order.id, line_id: line.id, expires_at_ms: order.expires_at_ms }, now_ms);
    const pack = await trx.selectFrom('packages').selectAll().where('code', '=', order.package_code).executeTakeFirstOrThrow();
    const name = { 'zh-Hans': pack.name_zh_hans, 'zh-Hant': pack.name_zh_hant, ru: pack.name_ru, en: pack.name_en }[language];
    const text = paymentLinkSmsText(language, name, formatMoney(order.amount_minor, language), `${this.#options.public_base_url}/p/${token}`);
    await queueSms(trx, this.#options.keys, {
      to_msisdn: line.msisdn, language, text, send_before_ms: order.expires_at_ms, line_id: line.id, dedupe_key: `sms:pay-link:${order.id}`,
    }, now_ms);
  }
}

/**
 * The idempotency key of one step of one USSD session: the line, a digest of the gateway's session
 * id (any length and alphabet in, a bounded key out), the pack and the step.
 */
export function stepKey(request: Pick<LineRenewalRequest, 'line_id' | 'package_code' | 'session_id'>, step: 'order' | 'wallet'): string {
  const session = createHash('sha256').update(request.session_id).digest('base64url').slice(0, 22);
  return `ussd:${request.line_id}:${session}:${step}:${request.package_code}`;
}

/** A pack no longer for sale or an inactive line, said to the customer; anything else is our failure and propagates. */
async function refusedOn<T>(work: () => Promise<T>): Promise<T | { readonly outcome: 'refused'; readonly reason: RenewalRefusal }> {
  try {
    return await work();
  } catch (error) {
    if (!isRoamError(error)) throw error;
    if (error.code === 'ROAM_ERR_LINE_NOT_ACTIVE') return { outcome: 'refused', reason: 'line_not_active' };
    if (PACK_UNAVAILABLE_CODES.has(error.code)) return { outcome: 'refused', reason: 'pack_unavailable' };
    throw error;
  }
}

