import { isRoamError, RoamError } from '../../core/errors.js';
import { checkIdempotencyKey } from '../../core/idempotency-key.js';
import { newId } from '../../core/ids.js';
import { isOpenOrder } from '../../core/order-state.js';
import type { Database } from '../../db/database.js';
import { lockOrder } from '../../db/locks.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import {
  isInPersonMethod,
  PAYMENT_METHODS,
  ProviderError,
  type PaymentMethod,
  type ProviderPaymentState,
  type WebhookRequest,
} from '../../ports/payment-provider.js';
import { maskMsisdn } from '../../core/phone.js';
import { findLine } from '../lines/lines.js';
import { countLookup, LOOKUP_LIMITS_DEFAULT, type LookupLimits } from './lookup-limits.js';
import { idempotentStep, retryLostKeyRace, type StoredEffect } from '../idempotency/idempotency.js';
import {
  findOrder, insertOrder, orderByKey, orderRequest, orderView, paymentView,
  type CreateOrderInput, type Order, type OrderView, type PaymentView,
} from './orders.js';
import { payOrderFromWallet } from './wallet-payment.js';
import type { PaymentRouter } from './payment-router.js';
import { NO_WALLET_PAYERS, type WalletPayer, type WalletPayerCheck } from './wallet-payer.js';
import type { Notices } from '../notices/notices.js';
import type { RefundFiscaliser } from '../fiscal/fiscal-service.js';
import { refundUnusedPack, type UnusedPackRefund } from './refunds.js';
import { applyPaymentState, cancelOpenAttempts, completeRefund, setOrderState, type Payment, type SettlementOutcome } from './settlement.js';

/**
 * The renewal service: orders, payment attempts and their settlement. Channels (API, web, USSD,
 * desk, partner) call these functions only. Provider calls happen outside database transactions;
 * the payment row written before the call is the durable record of the intent, and our payment id
 * is the provider's idempotency key — so a call repeated after a crash or a timeout can only find
 * the same payment at the provider, never make a second one.
 */

export interface RenewalOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly router: PaymentRouter;
  /** Our public address, for the default return URL after paying (…/orders/<id>). */
  readonly public_base_url: string;
  readonly order_ttl_ms: number;
  readonly bank_transfer_ttl_ms: number;
  /** Decides who may pay from a line's wallet; by default nobody. */
  readonly wallet_payers?: WalletPayerCheck;
  /** Anonymous look-ups of numbers (lookup-limits.ts); LOOKUP_LIMITS_DEFAULT when absent. */
  readonly lookup_limits?: LookupLimits;
  /** SMS notices of activations and refunds (services/notices); none without it. */
  readonly notices?: Notices;
  /** Fiscal refund documents (54-FZ) of completed refunds, queued in their transaction; none without it. */
  readonly fiscal?: RefundFiscaliser;
}

/** A line as "renew any number" may show it to a stranger: that it can be renewed, and its number masked. */
export interface PayableLine {
  readonly msisdn: string;
  readonly msisdn_masked: string;
}

export interface StartPaymentInput {
  readonly order_id: string;
  readonly method: string;
  readonly idempotency_key: string;
  /** For method "wallet": who is paying, as the channel established it. */
  readonly payer?: WalletPayer | undefined;
  /**
   * A payment whose money someone took in person — staff at a desk (services/desk), a payment
   * agent's cashier (services/partners): records what they took (tender, change, terminal
   * reference, a company invoice's buyer, the agent's transaction…) in the transaction that writes
   * the payment row, and may name the ledger account the money arrives in. The in-person methods
   * (cash, card_present, agent) are refused without it: a customer's channel never takes them.
   */
  readonly in_person?: InPersonPaymentRecorder | undefined;
}

/** Writes an in-person payment's details beside its payments row; may refuse with a RoamError. */
export type InPersonPaymentRecorder = (trx: Executor, order: Order, payment_id: string) => Promise<{ receiving_account_id: string | null }>;

export interface PaymentResult {
  readonly view: OrderView;
  readonly payment: PaymentView;
}

export interface PlaceOrderInput extends CreateOrderInput {
  readonly client_address?: string | undefined;
  readonly method: string;
  readonly payment_idempotency_key: string;
}

export interface PlacedOrder {
  readonly view: OrderView;
  /** The attempt started (its next action says where the payer goes); null for the wallet or on error. */
  readonly payment: PaymentView | null;
  readonly payment_error: RoamError | null;
}

export type WebhookOutcome = SettlementOutcome | 'duplicate' | 'ignored' | 'refund_completed';

/** Payments left pending longer than this are asked about again by reconciliation. */
export const RECONCILE_AFTER_MS_DEFAULT = 2 * 60_000;
export const RECONCILE_BATCH_SIZE_MAX = 100;

export class RenewalService {
  readonly #options: RenewalOptions;

  constructor(options: RenewalOptions) {
    this.#options = options;
  }

  #now(): number {
    return this.#options.clock.now_ms();
  }

  #tx<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    return inTransaction(this.#options.database, work);
  }

  /**
   * "Renew any number": is this a number we can renew? Counted against the client's address and
   * the number first (lookup-limits.ts); answers only what a payer needs, never balances or packs.
   */
  async payableLine(input: { msisdn: string; client_address: string }): Promise<PayableLine> {
    await countLookup(this.#options.database, this.#lookupLimits(), { msisdn: input.msisdn }, input.client_address, this.#now());
    const line = await findLine(this.#options.database.db, { msisdn: input.msisdn });
    if (line.status !== 'active') throw new RoamError('ROAM_ERR_LINE_NOT_ACTIVE');
    return { msisdn: line.msisdn, msisdn_masked: maskMsisdn(line.msisdn) };
  }

  #lookupLimits(): LookupLimits {
    return this.#options.lookup_limits ?? LOOKUP_LIMITS_DEFAULT;
  }

  /**
   * Creates an order, or returns the one made earlier with the same key and request. An anonymous
   * caller (`client_address` given) is counted like a look-up of the number first.
   */
  async createOrder(
    input: CreateOrderInput & { readonly client_address?: string | undefined },
  ): Promise<OrderView & { readonly replayed: boolean }> {
    checkIdempotencyKey(input.idempotency_key);
    if (input.client_address !== undefined) {
      await countLookup(this.#options.database, this.#lookupLimits(), input.line, input.client_address, this.#now());
    }
    return retryLostKeyRace(() => this.#tx(async (trx) => {
      const { result: order, replayed } = await idempotentStep(trx, {
        key: input.idempotency_key, request: orderRequest(input), find: orderByKey,
        perform: (db, request_hash) => insertOrder(db, input, request_hash, this.#options.order_ttl_ms, this.#now()),
      });
      return { ...(await orderView(trx, order.id)), replayed };
    }));
  }

  /**
   * An order and its first payment attempt in one call (the renewal page's form): the order as
   * createOrder makes it — its errors thrown —, then the attempt with `method`. Paying from the
   * wallet needs its owner's proof first, so for it no attempt is made (`payment` null). An attempt
   * that cannot start leaves the order open and comes back as `payment_error`, for its page to say.
   */
  async placeOrder(input: PlaceOrderInput): Promise<PlacedOrder> {
    const created = await this.createOrder(input);
    if (input.method === 'wallet') return { view: created, payment: null, payment_error: null };
    try {
      const { view, payment } = await this.startPayment({
        order_id: created.order.id, method: input.method, idempotency_key: input.payment_idempotency_key,
      });
      return { view, payment, payment_error: null };
    } catch (error) {
      if (!isRoamError(error)) throw error;
      return { view: await this.getOrder(created.order.id), payment: null, payment_error: error };
    }
  }

  getOrder(order_id: string): Promise<OrderView> {
    return orderView(this.#options.database.db, order_id);
  }

  /** The order, or undefined when there is none (pages that answer 404 themselves); other failures throw. */
  async findOrderView(order_id: string): Promise<OrderView | undefined> {
    try {
      return await this.getOrder(order_id);
    } catch (error) {
      if (isRoamError(error) && error.code === 'ROAM_ERR_ORDER_NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** Starts a payment attempt for an open order with the chosen method. */
  async startPayment(input: StartPaymentInput): Promise<PaymentResult> {
    checkIdempotencyKey(input.idempotency_key);
    if (!(PAYMENT_METHODS as readonly string[]).includes(input.method)) {
      throw new RoamError('ROAM_ERR_VALIDATION', { field: 'method', reason: 'format', value: input.method });
    }
    const method = input.method as PaymentMethod;
    if (method === 'wallet') return this.#payFromWallet(input);
    // Cash, the card terminal and an agent's till are taken in person, never asked for by a customer.
    const in_person = input.in_person;
    if (isInPersonMethod(method) && in_person === undefined) throw new RoamError('ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE', { value: method });
    const provider = this.#options.router.providerFor(method);
    const recorded = await retryLostKeyRace(() => this.#tx((trx) => idempotentStep(trx, {
      key: input.idempotency_key, request: paymentRequest(input.order_id, method), find: this.#paymentByKey(input.order_id),
      perform: async (db, request_hash) => {
        const order = await this.#openOrder(db, input.order_id);
        const now_ms = this.#now();
        const payment: Payment = {
          id: newId('payment'), order_id: order.id, line_id: order.line_id, provider: provider.name, method,
          amount_minor: order.amount_minor, currency: order.currency, status: 'pending', provider_payment_id: null, next_action: null,
          failure_code: null, provider_code: null, idempotency_key: input.idempotency_key, request_hash, entry_id: null,
          receiving_account_id: null, created_at_ms: now_ms, updated_at_ms: now_ms, finalized_at_ms: null,
        };
        await db.insertInto('payments').values(payment).execute();
        if (in_person !== undefined) {
          const { receiving_account_id } = await in_person(db, order, payment.id);
          if (receiving_account_id !== null) {
            await db.updateTable('payments').set({ receiving_account_id }).where('id', '=', payment.id).execute();
            payment.receiving_account_id = receiving_account_id;
          }
        }
        const expires_at_ms = method === 'bank_transfer' ? Math.max(order.expires_at_ms, now_ms + this.#options.bank_transfer_ttl_ms) : order.expires_at_ms;
        await db.updateTable('orders').set({ state: 'awaiting_payment', expires_at_ms, updated_at_ms: now_ms }).where('id', '=', order.id).execute();
        return payment;
      },
    })));
    // A replay of an attempt whose provider call never happened (a crash, a lost answer) makes it now.
    if (!recorded.replayed || recorded.result.provider_payment_id === null) await this.#initiate(recorded.result);
    return this.#paymentResult(recorded.result.id);
  }

  /** Calls the provider for a recorded attempt and settles what it answers. */
  async #initiate(payment: Payment): Promise<void> {
    const provider = this.#options.router.byName(payment.provider);
    if (!provider) throw new RoamError('ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE', { value: payment.method });
    const order = await findOrder(this.#options.database.db, payment.order_id);
    if (!isOpenOrder(order.state)) {
      // The order closed (expired, canceled, paid another way) before this attempt ever reached
      // its provider: creating a payment now would only ask for money we would have to refund.
      const code = order.state === 'canceled' ? 'canceled_by_customer' : 'expired';
      await this.#settle(payment.id, { provider_payment_id: `unregistered:${payment.id}`, status: 'canceled', amount_minor: payment.amount_minor, currency: payment.currency, failure: { code } });
      return;
    }
    let state: ProviderPaymentState;
    try {
      state = await provider.initiatePayment({
        payment_id: payment.id,
        order_id: order.id,
        amount_minor: payment.amount_minor,
        currency: 'RUB',
        method: payment.method as PaymentMethod,
        description: `roamcard ${order.package_code}`,
        return_url: `${this.#options.public_base_url}/orders/${order.id}`,
        customer: { language: order.language, email: order.payer_email, phone: order.payer_phone },
      });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      // Retryable-and-exhausted or indeterminate: the outcome is unknown, so the payment stays
      // pending and reconciliation asks again. Only a definitive refusal fails the attempt.
      if (error.kind !== 'definitive') return;
      state = { provider_payment_id: `unregistered:${payment.id}`, status: 'failed', amount_minor: payment.amount_minor, currency: payment.currency, failure: { code: error.failure_code ?? 'provider_error', ...(error.provider_code ? { provider_code: error.provider_code } : {}) } };
    }
    await this.#settle(payment.id, state);
  }

  async #settle(payment_id: string, state: ProviderPaymentState): Promise<SettlementOutcome> {
    return this.#tx((trx) => applyPaymentState(trx, payment_id, state, this.#now(), this.#options.notices, this.#options.fiscal));
  }

  /** True while the payment may still pay its order: not final, and the order still open. */
  async isPaymentOpen(payment_id: string): Promise<boolean> {
    const row = await this.#options.database.db.selectFrom('payments').innerJoin('orders', 'orders.id', 'payments.order_id')
      .select(['payments.status', 'orders.state']).where('payments.id', '=', payment_id).executeTakeFirst();
    return row !== undefined && (row.status === 'pending' || row.status === 'requires_action') && isOpenOrder(row.state);
  }

  /** Asks the provider where a payment stands (the customer came back, or reconciliation). */
  async refreshPayment(payment_id: string): Promise<SettlementOutcome> {
    const payment = await this.#options.database.db.selectFrom('payments').selectAll().where('id', '=', payment_id).executeTakeFirst();
    if (!payment) throw new RoamError('ROAM_ERR_PAYMENT_NOT_FOUND', { value: payment_id });
    if (payment.provider_payment_id === null) {
      await this.#initiate(payment);
      return 'updated';
    }
    const provider = this.#options.router.byName(payment.provider);
    if (!provider || payment.provider === 'wallet') return 'unchanged';
    return this.#settle(payment.id, await provider.getPaymentStatus(payment.provider_payment_id));
  }

  /**
   * A provider's webhook: verified by the adapter, processed once per provider event id (the
   * dedupe row is written in the same transaction as the effect), never regressing a payment.
   * Throws WebhookRejected for forged, stale or malformed requests.
   */
  async handleWebhook(provider_name: string, request: WebhookRequest): Promise<WebhookOutcome> {
    const provider = this.#options.router.byName(provider_name);
    if (!provider) throw new RoamError('ROAM_ERR_NOT_FOUND', { value: provider_name });
    const event = await provider.parseWebhook(request);
    if (event.type === 'ignored') return 'ignored';
    return this.#tx(async (trx) => {
      const now_ms = this.#now();
      const inserted = await trx.insertInto('webhook_events').values({ provider: provider_name, event_id: event.event_id, received_at_ms: now_ms, outcome: 'processing' })
        .onConflict((conflict) => conflict.columns(['provider', 'event_id']).doNothing()).executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return 'duplicate';
      const outcome = event.type === 'payment'
        ? await this.#settleWebhookPayment(trx, provider_name, event.payment, now_ms)
        : await this.#settleWebhookRefund(
          trx, provider_name, event.provider_payment_id, event.refund.provider_refund_id, event.refund.status, now_ms,
        );
      await trx.updateTable('webhook_events').set({ outcome }).where('provider', '=', provider_name).where('event_id', '=', event.event_id).execute();
      return outcome;
    });
  }

  async #settleWebhookPayment(trx: Executor, provider: string, state: ProviderPaymentState, now_ms: number): Promise<WebhookOutcome> {
    const payment = await trx.selectFrom('payments').select('id').where('provider', '=', provider)
      .where((eb) => eb.or([
        eb('provider_payment_id', '=', state.provider_payment_id),
        ...(state.merchant_payment_id ? [eb('id', '=', state.merchant_payment_id)] : []),
      ]))
      .executeTakeFirst();
    // Not ours yet (the webhook overtook our own record of the provider id): fail, so the
    // provider retries later; the transaction rolls back, dedupe row included.
    if (!payment) throw new RoamError('ROAM_ERR_PAYMENT_NOT_FOUND', { value: state.provider_payment_id });
    return applyPaymentState(trx, payment.id, state, now_ms, this.#options.notices, this.#options.fiscal);
  }

  async #settleWebhookRefund(
    trx: Executor,
    provider: string,
    provider_payment_id: string,
    provider_refund_id: string,
    status: string,
    now_ms: number,
  ): Promise<WebhookOutcome> {
    if (status !== 'succeeded') return 'unchanged';
    const refund = await trx.selectFrom('refunds').innerJoin('payments', 'payments.id', 'refunds.payment_id')
      .select('refunds.id').where('payments.provider', '=', provider).where('payments.provider_payment_id', '=', provider_payment_id).executeTakeFirst();
    if (!refund) return 'ignored';
    return (await completeRefund(trx, refund.id, provider_refund_id, now_ms, this.#options.notices, this.#options.fiscal)) ? 'refund_completed' : 'unchanged';
  }

  /** Outbox job: return a refund's money through its provider (idempotent by refund id). */
  async executeRefund(refund_id: string): Promise<void> {
    const refund = await this.#options.database.db.selectFrom('refunds').innerJoin('payments', 'payments.id', 'refunds.payment_id')
      .select(['refunds.id', 'refunds.status', 'refunds.amount_minor', 'payments.provider', 'payments.provider_payment_id']).where('refunds.id', '=', refund_id).executeTakeFirstOrThrow();
    if (refund.status === 'succeeded') return;
    const provider = this.#options.router.byName(refund.provider);
    if (!provider || !refund.provider_payment_id) throw new RoamError('ROAM_ERR_PAYMENT_METHOD_UNAVAILABLE', { value: refund.provider }, `refund ${refund_id}: provider ${refund.provider} is not configured`);
    const state = await provider.refundPayment({ refund_id, provider_payment_id: refund.provider_payment_id, amount_minor: refund.amount_minor, currency: 'RUB' });
    const { notices, fiscal } = this.#options;
    if (state.status === 'succeeded') await this.#tx((trx) => completeRefund(trx, refund_id, state.provider_refund_id, this.#now(), notices, fiscal));
    else if (state.status === 'failed') throw new RoamError('ROAM_ERR_REFUND_NOT_ALLOWED', { reason: 'refused_by_provider' }, `refund ${refund_id} refused by ${refund.provider}`);
    // pending: the provider's refund webhook completes it.
  }

  /** Outbox job: cancel an attempt at its provider because another one paid the order. */
  async cancelAttempt(payment_id: string): Promise<void> {
    const payment = await this.#options.database.db.selectFrom('payments').selectAll().where('id', '=', payment_id).executeTakeFirstOrThrow();
    const provider = this.#options.router.byName(payment.provider);
    if (!provider || payment.provider_payment_id === null || payment.status === 'succeeded') return;
    await this.#settle(payment.id, await provider.cancelPayment(payment.provider_payment_id));
  }

  /**
   * Reconciliation: asks providers about payments stuck pending past `stuck_after_ms` (never
   * assuming an outcome), and expires open orders past their time, canceling their attempts.
   */
  async reconcile(stuck_after_ms = RECONCILE_AFTER_MS_DEFAULT): Promise<{ refreshed: number; expired: number; errors: number }> {
    const now_ms = this.#now();
    const stuck = await this.#options.database.db.selectFrom('payments').select('id').where('status', 'in', ['pending', 'requires_action'])
      .where('updated_at_ms', '<=', now_ms - stuck_after_ms).where('provider', '!=', 'wallet').orderBy('updated_at_ms').limit(RECONCILE_BATCH_SIZE_MAX).execute();
    let errors = 0;
    for (const { id } of stuck) {
      try {
        await this.refreshPayment(id);
      } catch {
        errors += 1;
      }
    }
    const expired = await this.#expireOrders(now_ms);
    return { refreshed: stuck.length - errors, expired, errors };
  }

  async #expireOrders(now_ms: number): Promise<number> {
    const due = await this.#options.database.db.selectFrom('orders').select('id').where('state', 'in', ['created', 'awaiting_payment'])
      .where('expires_at_ms', '<=', now_ms).limit(RECONCILE_BATCH_SIZE_MAX).execute();
    for (const { id } of due) {
      await this.#tx(async (trx) => {
        await lockOrder(trx, id);
        const order = await findOrder(trx, id);
        if (!isOpenOrder(order.state) || order.expires_at_ms > now_ms) return;
        await setOrderState(trx, order, 'expired', now_ms, { failure_code: 'expired' });
        await cancelOpenAttempts(trx, id, now_ms);
      });
    }
    return due.length;
  }

  /** Staff: refund an order whose pack was never used (see refunds.ts). */
  async refundUnusedPack(input: UnusedPackRefund): Promise<OrderView> {
    await retryLostKeyRace(() => this.#tx((trx) => refundUnusedPack(trx, input, this.#now(), this.#options.notices, this.#options.fiscal)));
    return this.getOrder(input.order_id);
  }

  /** The customer (or staff) gives up on an open order. */
  async cancelOrder(order_id: string): Promise<OrderView> {
    await this.#tx(async (trx) => {
      await lockOrder(trx, order_id);
      const order = await findOrder(trx, order_id);
      if (!isOpenOrder(order.state)) throw new RoamError('ROAM_ERR_ORDER_CLOSED', { value: order.state });
      const now_ms = this.#now();
      await setOrderState(trx, order, 'canceled', now_ms, { failure_code: 'canceled_by_customer' });
      await cancelOpenAttempts(trx, order_id, now_ms);
    });
    return this.getOrder(order_id);
  }

  /**
   * Pays with the line's own balance: one transaction, no provider — once the payer is shown to be
   * the line's owner, in that same transaction (a code is spent with the payment it allowed; a
   * wrong one is counted and committed, and only then refused).
   */
  async #payFromWallet(input: StartPaymentInput): Promise<PaymentResult> {
    const check = this.#options.wallet_payers ?? NO_WALLET_PAYERS;
    const outcome = await retryLostKeyRace(() => this.#tx((trx) => idempotentStep<WalletPaymentOutcome>(trx, {
      key: input.idempotency_key, request: paymentRequest(input.order_id, 'wallet'), find: this.#paymentByKey(input.order_id),
      perform: async (db, request_hash) => {
        const order = await this.#openOrder(db, input.order_id);
        if (input.payer === undefined
          || !(await check.mayPayFromWallet(db, { order_id: order.id, line_id: order.line_id, payer: input.payer }))) {
          return { refused: input.payer?.kind === 'payment_code' ? 'code' : 'unproven' };
        }
        return payOrderFromWallet(db, { order, idempotency_key: input.idempotency_key, request_hash }, this.#now(), this.#options.notices);
      },
    })));
    const { result } = outcome;
    if ('refused' in result) {
      throw result.refused === 'code'
        ? new RoamError('ROAM_ERR_CODE_INVALID', { field: 'payment_code' })
        : new RoamError('ROAM_ERR_WALLET_PAYER_UNPROVEN', { field: 'method' });
    }
    return this.#paymentResult(result.id);
  }

  /** The payment made with this key, for the idempotency path; the order is locked first (PostgreSQL). */
  #paymentByKey(order_id: string) {
    return async (trx: Executor, key: string): Promise<StoredEffect<Payment> | undefined> => {
      await lockOrder(trx, order_id);
      const payment = await trx.selectFrom('payments').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
      return payment && { request_hash: payment.request_hash, result: payment };
    };
  }

  /** The order, if it still takes payments; an order past its time is expired on the spot. */
  async #openOrder(trx: Executor, order_id: string) {
    const order = await findOrder(trx, order_id);
    if (isOpenOrder(order.state) && order.expires_at_ms <= this.#now()) {
      await setOrderState(trx, order, 'expired', this.#now(), { failure_code: 'expired' });
      throw new RoamError('ROAM_ERR_ORDER_CLOSED', { value: 'expired' });
    }
    if (!isOpenOrder(order.state)) throw new RoamError('ROAM_ERR_ORDER_CLOSED', { value: order.state });
    return order;
  }

  async #paymentResult(payment_id: string): Promise<PaymentResult> {
    const payment = await this.#options.database.db.selectFrom('payments').selectAll().where('id', '=', payment_id).executeTakeFirstOrThrow();
    return { view: await this.getOrder(payment.order_id), payment: paymentView(payment) };
  }
}

/** A wallet payment made, or why the payer may not spend the wallet (refused after the commit). */
type WalletPaymentOutcome = Payment | { readonly refused: 'code' | 'unproven' };

/**
 * "The same request?" for a payment. return_url stays in the hashed shape (always null since callers
 * may no longer choose it), so keys stored before keep matching their replays.
 */
function paymentRequest(order_id: string, method: PaymentMethod): unknown {
  return { order_id, method, return_url: null };
}
