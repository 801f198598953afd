import { randomBytes } from 'node:crypto';
import { newId } from '../../../core/ids.js';
import type { Database } from '../../../db/database.js';
import type { SandboxAwaitingStep, SandboxPaymentsTable } from '../../../db/schema.js';
import { lockingRows } from '../../../db/locks.js';
import { isUniqueViolation } from '../../../db/errors.js';
import { installationSecret } from '../../../db/installation-secrets.js';
import { inTransaction, type Executor } from '../../../db/transaction.js';
import type { Clock } from '../../../ports/clock.js';
import type { Outbox } from '../../../ports/outbox.js';
import { isFinalPaymentStatus, ProviderError, WebhookRejected, type InitiatePaymentInput, type PaymentFailureCode, type PaymentMethod, type PaymentProvider, type ProviderPaymentState, type ProviderRefundState, type RefundInput, type WebhookEvent, type WebhookRequest } from '../../../ports/payment-provider.js';
import { refuseOversizedBody } from '../kit/provider-webhooks.js';
import type { SandboxConfig } from './sandbox-config.js';
import { webhookDelayMs, withInjectedFault } from './sandbox-faults.js';
import { checkSignature, parseSandboxEvent, SANDBOX_SIGNATURE_HEADER, type SandboxEvent } from './sandbox-wire.js';
import { SANDBOX_SETTLE_JOB, SANDBOX_WEBHOOK_JOB } from './sandbox-webhook-sender.js';

/**
 * The sandbox provider: everything a real provider does, inside roamcard, so the whole renewal
 * path runs on a fresh machine. It keeps its own books (sandbox_* tables, never our orders), serves
 * hosted payment pages (sandbox-pages.ts), and tells us what happened only through signed webhooks
 * delivered asynchronously over HTTP, with retries — duplicated and reordered when configured.
 * Its API calls (create, status, cancel, refund) fail with timeouts and 500s, and its webhooks are
 * held back, when the SANDBOX_FAULT_* settings ask for it (sandbox-faults.ts).
 */

export const SANDBOX_PROVIDER_NAME = 'sandbox';
/** Every online method a customer pays at a provider's page (bank transfers have their own, in-house provider). */
export const SANDBOX_METHODS: readonly PaymentMethod[] = ['card', 'yoomoney', 'paypal', 'alipay', 'wechat_pay', 'sbp'];
/** The installation secret that signs sandbox webhooks when SANDBOX_WEBHOOK_SECRET is not set. */
export const SANDBOX_WEBHOOK_SECRET_NAME = 'sandbox_webhook_secret';
export { SANDBOX_SETTLE_JOB, SANDBOX_WEBHOOK_JOB };
const WEBHOOK_ATTEMPTS_MAX = 10;

/** Where a sandbox payment goes: an outcome, or (the timeout card) pending with the outcome to follow. */
export interface SandboxOutcome {
  readonly status: 'succeeded' | 'failed' | 'canceled' | 'pending';
  readonly failure_code?: PaymentFailureCode;
  readonly card_last4?: string;
}

/** A hosted-page step: an outcome, or (a 3-D Secure test card) the challenge page next. */
export type SandboxStepOutcome = SandboxOutcome | { readonly status: 'three_d_secure'; readonly card_last4: string };

export interface SandboxProviderOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly config: SandboxConfig;
  /** Where the hosted pages are served, e.g. http://localhost:3000 */
  readonly public_base_url: string;
  /** Where the sandbox sends its webhooks: our own /webhooks/sandbox. */
  readonly webhook_url: string;
  /**
   * Where its webhook deliveries and the timeout card's late outcome are queued, in the sandbox's
   * own transaction (the jobs table in the app: jobsOutbox). The job kinds and payloads are the
   * contract with their handlers (app/jobs.ts): SANDBOX_WEBHOOK_JOB and SANDBOX_SETTLE_JOB.
   */
  readonly outbox: Outbox;
  readonly random?: () => number;
}

export class SandboxProvider implements PaymentProvider {
  readonly name = SANDBOX_PROVIDER_NAME;
  readonly methods = SANDBOX_METHODS;
  readonly #options: SandboxProviderOptions;
  #webhook_secret: Promise<string> | undefined;

  constructor(options: SandboxProviderOptions) {
    this.#options = options;
  }

  initiatePayment(input: InitiatePaymentInput): Promise<ProviderPaymentState> {
    return this.#withFaults('create payment', () => this.#initiatePayment(input));
  }

  getPaymentStatus(provider_payment_id: string): Promise<ProviderPaymentState> {
    return this.#withFaults('payment status', async () => this.#state(await this.#find(this.#options.database.db, provider_payment_id)));
  }

  cancelPayment(provider_payment_id: string): Promise<ProviderPaymentState> {
    return this.#withFaults('cancel payment', () => this.finish(provider_payment_id, { status: 'canceled', failure_code: 'expired' }));
  }

  refundPayment(input: RefundInput): Promise<ProviderRefundState> {
    return this.#withFaults('refund', () => this.#refundPayment(input));
  }

  #random(): () => number {
    return this.#options.random ?? Math.random;
  }

  #withFaults<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return withInjectedFault(this.name, operation, this.#options.config.faults, this.#random(), call);
  }

  async #initiatePayment(input: InitiatePaymentInput): Promise<ProviderPaymentState> {
    if (!SANDBOX_METHODS.includes(input.method)) {
      throw new ProviderError(this.name, 'definitive', `the sandbox does not take ${input.method} payments`);
    }
    try {
      return await this.#createOrFind(input);
    } catch (error) {
      // The same payment asked for twice at once (a replayed request racing the first): the loser
      // finds the winner's, as at a real provider with idempotency keys.
      if (!isUniqueViolation(error)) throw error;
      return this.#createOrFind(input);
    }
  }

  async #createOrFind(input: InitiatePaymentInput): Promise<ProviderPaymentState> {
    const now_ms = this.#options.clock.now_ms();
    return inTransaction(this.#options.database, async (trx) => {
      const existing = await trx.selectFrom('sandbox_payments').selectAll().where('merchant_payment_id', '=', input.payment_id).executeTakeFirst();
      if (existing) {
        // Idempotency: the same key with other parameters is an error, as at every real provider.
        if (existing.amount_minor !== input.amount_minor || existing.method !== input.method) {
          throw new ProviderError(this.name, 'definitive', 'idempotency key reused with different parameters', { provider_code: 'idempotency_error' });
        }
        return this.#state(existing);
      }
      const row: SandboxPaymentsTable = {
        id: newId('sandbox_payment'),
        merchant_payment_id: input.payment_id,
        amount_minor: input.amount_minor,
        currency: input.currency,
        method: input.method,
        status: 'requires_action',
        failure_code: null,
        description: input.description.slice(0, 128),
        return_url: input.return_url,
        language: input.customer.language,
        card_last4: null,
        transfer_reference: null,
        awaiting: input.method === 'card' ? 'card' : 'approval',
        event_sequence: 0,
        created_at_ms: now_ms,
        updated_at_ms: now_ms,
      };
      await trx.insertInto('sandbox_payments').values(row).execute();
      return this.#state(row);
    });
  }

  async #refundPayment(input: RefundInput): Promise<ProviderRefundState> {
    const now_ms = this.#options.clock.now_ms();
    return inTransaction(this.#options.database, async (trx) => {
      const payment = await this.#findLocked(trx, input.provider_payment_id);
      const existing = await trx.selectFrom('sandbox_refunds').selectAll().where('merchant_refund_id', '=', input.refund_id).executeTakeFirst();
      if (existing) return { provider_refund_id: existing.id, status: existing.status };
      if (payment.status !== 'succeeded') throw new ProviderError(this.name, 'definitive', `payment ${payment.id} is ${payment.status}, not refundable`);
      const refunded = await trx.selectFrom('sandbox_refunds').select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_minor'), eb.lit(0)).as('total')).where('sandbox_payment_id', '=', payment.id).executeTakeFirstOrThrow();
      if (Number(refunded.total) + input.amount_minor > payment.amount_minor) {
        throw new ProviderError(this.name, 'definitive', 'refund exceeds the payment', { provider_code: 'amount_too_large' });
      }
      const refund = { id: newId('sandbox_refund'), sandbox_payment_id: payment.id, merchant_refund_id: input.refund_id, amount_minor: input.amount_minor, status: 'succeeded' as const, created_at_ms: now_ms };
      await trx.insertInto('sandbox_refunds').values(refund).execute();
      await this.#emit(trx, payment, now_ms, { id: refund.id, merchant_refund_id: refund.merchant_refund_id, status: 'succeeded' });
      return { provider_refund_id: refund.id, status: 'succeeded' };
    });
  }

  /**
   * Verifies the signature, then takes the outcome from the sandbox's own books, not from the
   * body: a signed body is only a hint of which payment changed (as YooKassa's notifications are
   * treated), so even a leaked secret cannot make a payment succeed that did not.
   */
  async parseWebhook(request: WebhookRequest): Promise<WebhookEvent> {
    refuseOversizedBody(request.raw_body, 'sandbox webhook');
    const header = request.headers[SANDBOX_SIGNATURE_HEADER];
    const body = request.raw_body.toString('utf8');
    const check = checkSignature(await this.webhookSecret(), body, Array.isArray(header) ? header[0] : header,
      Math.floor(this.#options.clock.now_ms() / 1000), this.#options.config.webhook_tolerance_s);
    if (check === 'stale') throw new WebhookRejected('stale', 'sandbox webhook timestamp outside the replay window');
    if (check !== 'valid') throw new WebhookRejected('signature', `sandbox webhook signature ${check}`);
    const event = parseSandboxEvent(body);
    const db = this.#options.database.db;
    const payment = await db.selectFrom('sandbox_payments').selectAll().where('id', '=', event.data.payment_id).executeTakeFirst();
    if (!payment) throw new WebhookRejected('malformed', 'sandbox webhook names no sandbox payment');
    if (event.type === 'refund.updated') {
      const refund = await db.selectFrom('sandbox_refunds').selectAll().where('id', '=', event.data.refund.id).where('sandbox_payment_id', '=', payment.id).executeTakeFirst();
      if (!refund) throw new WebhookRejected('malformed', 'sandbox webhook names no refund of this payment');
      return { event_id: event.id, type: 'refund', provider_payment_id: payment.id, refund: { provider_refund_id: refund.id, status: refund.status } };
    }
    return { event_id: event.id, type: 'payment', payment: this.#state(payment) };
  }

  /** SANDBOX_WEBHOOK_SECRET, else this installation's own random secret (made once, kept in the database). */
  webhookSecret(): Promise<string> {
    if (this.#webhook_secret === undefined) {
      const secret = this.#options.config.webhook_secret !== undefined
        ? Promise.resolve(this.#options.config.webhook_secret)
        : installationSecret(this.#options.database, SANDBOX_WEBHOOK_SECRET_NAME, this.#options.clock.now_ms());
      // A failed read (database away) is not kept: the next call asks again.
      secret.catch(() => { this.#webhook_secret = undefined; });
      this.#webhook_secret = secret;
    }
    return this.#webhook_secret;
  }

  // --- What the hosted pages and the statement import do (the provider's side) ---

  /** The absolute address of one of the sandbox's pages (a QR code must carry a full URL). */
  pageUrl(path: string): string {
    return `${this.#options.public_base_url}${path}`;
  }

  /** Reads a sandbox payment for the hosted pages; undefined when there is none. */
  async findForPage(provider_payment_id: string): Promise<SandboxPaymentsTable | undefined> {
    return this.#options.database.db.selectFrom('sandbox_payments').selectAll().where('id', '=', provider_payment_id).executeTakeFirst();
  }

  /**
   * Moves a payment to its outcome and queues the webhook that tells the merchant. A payment that
   * is already final stays as it is (a cancel racing the customer's page, a late settlement).
   */
  async finish(provider_payment_id: string, outcome: SandboxOutcome): Promise<ProviderPaymentState> {
    const now_ms = this.#options.clock.now_ms();
    return inTransaction(this.#options.database, async (trx) => {
      const payment = await this.#findLocked(trx, provider_payment_id);
      if (isFinalPaymentStatus(payment.status)) return this.#state(payment);
      return this.#state(await this.#apply(trx, payment, outcome, now_ms));
    });
  }

  /**
   * What the hosted pages do: one step of the payment the customer is on, accepted only while the
   * payment waits for exactly that step — a card page cannot approve without a card, an approval
   * cannot be replayed on a finished payment, a 3-D Secure answer needs a 3-D Secure card first.
   */
  async completeStep(provider_payment_id: string, step: SandboxAwaitingStep, outcome: SandboxStepOutcome): Promise<'accepted' | 'not_waiting'> {
    const now_ms = this.#options.clock.now_ms();
    return inTransaction(this.#options.database, async (trx) => {
      const payment = await this.#findLocked(trx, provider_payment_id);
      if (payment.status !== 'requires_action' || payment.awaiting !== step) return 'not_waiting';
      if (outcome.status === 'three_d_secure') {
        await trx.updateTable('sandbox_payments').set({ awaiting: 'three_d_secure', card_last4: outcome.card_last4, updated_at_ms: now_ms }).where('id', '=', payment.id).execute();
        return 'accepted';
      }
      await this.#apply(trx, payment, outcome, now_ms);
      // The "timeout" test card: the outcome stays unknown (pending) and arrives later, by webhook only.
      if (outcome.status === 'pending') {
        await this.#options.outbox.enqueue(trx, {
          kind: SANDBOX_SETTLE_JOB,
          payload: { provider_payment_id: payment.id },
          run_after_ms: now_ms + this.#options.config.timeout_outcome_ms,
          dedupe_key: `sandbox-settle:${payment.id}`,
        }, now_ms);
      }
      return 'accepted';
    });
  }

  async #apply(trx: Executor, payment: SandboxPaymentsTable, outcome: SandboxOutcome, now_ms: number): Promise<SandboxPaymentsTable> {
    const updated: SandboxPaymentsTable = {
      ...payment,
      status: outcome.status,
      failure_code: outcome.failure_code ?? null,
      card_last4: outcome.card_last4 ?? payment.card_last4,
      awaiting: null,
      updated_at_ms: now_ms,
    };
    await trx.updateTable('sandbox_payments')
      .set({
        status: updated.status, failure_code: updated.failure_code, card_last4: updated.card_last4, awaiting: null, updated_at_ms: now_ms,
      })
      .where('id', '=', payment.id).execute();
    await this.#emit(trx, updated, now_ms);
    return updated;
  }

  /**
   * The payment with its row locked (PostgreSQL) for a change: two outcomes racing — the late
   * success of the timeout card and a cancel, say — must not both be written and both announced.
   */
  async #findLocked(trx: Executor, provider_payment_id: string): Promise<SandboxPaymentsTable> {
    return this.#find(trx, provider_payment_id, true);
  }

  async #find(trx: Executor, provider_payment_id: string, lock = false): Promise<SandboxPaymentsTable> {
    const query = trx.selectFrom('sandbox_payments').selectAll().where('id', '=', provider_payment_id);
    const payment = await (lock ? lockingRows(trx, query) : query).executeTakeFirst();
    if (!payment) throw new ProviderError(this.name, 'definitive', `no sandbox payment ${provider_payment_id}`, { provider_code: 'resource_missing' });
    return payment;
  }

  #state(row: SandboxPaymentsTable): ProviderPaymentState {
    const base = this.#options.public_base_url;
    const next_action =
      row.status !== 'requires_action' ? undefined
      : row.method === 'sbp' ? { type: 'qr' as const, payload: `${base}/sandbox/sbp/${row.id}`, url: `${base}/sandbox/pay/${row.id}` }
      : { type: 'redirect' as const, url: `${base}/sandbox/pay/${row.id}` };
    return {
      provider_payment_id: row.id,
      merchant_payment_id: row.merchant_payment_id,
      status: row.status,
      amount_minor: row.amount_minor,
      currency: row.currency,
      ...(next_action ? { next_action } : {}),
      ...(row.failure_code ? { failure: { code: row.failure_code as PaymentFailureCode } } : {}),
    };
  }

  /** Queues the webhook(s) for a payment's current state, in the caller's transaction. */
  async #emit(trx: Executor, payment: SandboxPaymentsTable, now_ms: number, refund?: SandboxEvent['data']['refund']): Promise<void> {
    const sequence = payment.event_sequence + 1;
    await trx.updateTable('sandbox_payments').set({ event_sequence: sequence }).where('id', '=', payment.id).execute();
    const event: SandboxEvent = {
      id: `evt_${randomBytes(12).toString('hex')}`,
      type: refund ? 'refund.updated' : 'payment.updated',
      created: Math.floor(now_ms / 1000),
      sequence,
      data: {
        payment_id: payment.id,
        merchant_payment_id: payment.merchant_payment_id,
        status: payment.status,
        amount_minor: payment.amount_minor,
        currency: payment.currency,
        failure_code: (payment.failure_code as PaymentFailureCode | null) ?? null,
        ...(refund ? { refund } : {}),
      },
    };
    const random = this.#random();
    const { webhook_duplicate_share, webhook_reorder_ms, faults } = this.#options.config;
    const copies = random() < webhook_duplicate_share ? 2 : 1;
    for (let copy = 0; copy < copies; copy += 1) {
      await this.#options.outbox.enqueue(trx, {
        kind: SANDBOX_WEBHOOK_JOB,
        payload: { url: this.#options.webhook_url, body: JSON.stringify(event) },
        run_after_ms: now_ms + Math.floor(random() * webhook_reorder_ms) + webhookDelayMs(faults, random),
        attempts_max: WEBHOOK_ATTEMPTS_MAX,
      }, now_ms);
    }
  }
}
