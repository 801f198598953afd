import Stripe from 'stripe';
import { systemClock, type Clock } from '../../../ports/clock.js';
import { ProviderError, WebhookRejected, type InitiatePaymentInput, type PaymentMethod, type PaymentProvider, type ProviderPaymentState, type ProviderRefundState, type RefundInput, type WebhookEvent, type WebhookRequest } from '../../../ports/payment-provider.js';
import { withProviderRetries, type ProviderRetryOptions } from '../kit/provider-retries.js';
import { refuseOversizedBody } from '../kit/provider-webhooks.js';
import type { StripeConfig } from './stripe-config.js';
import {
  STRIPE_METHODS,
  STRIPE_PROVIDER_NAME,
  checkoutSessionCreateParams,
  flowForMethod,
  idempotencyKey,
  intentIdOfSession,
  isStripeEventShape,
  paymentIntentCreateParams,
  paymentStateFromIntent,
  paymentStateFromSession,
  providerErrorFromStripe,
  refundCreateParams,
  refundStateFromStripe,
  webhookEventFromStripe,
  type StripeOperation,
} from './stripe-wire.js';

/**
 * The Stripe adapter, on the official SDK.
 *
 * Flow per method. A server-rendered site cannot take card numbers (that would put us in PCI scope)
 * and the port carries no client-side PaymentMethod (pm_…), so cards go through Stripe Checkout:
 * a Checkout Session in payment mode whose `url` is the redirect. Since API 2022-08-01 a session
 * creates its PaymentIntent only when the customer submits the page, so at creation the only id
 * there is the session's: card payments are stored as cs_…, and getPaymentStatus / cancelPayment /
 * refundPayment accept it (the session leads to its PaymentIntent when one is needed). Alipay and
 * WeChat Pay need nothing from the browser to start, so they are PaymentIntents confirmed here:
 * Stripe returns the Alipay redirect or the WeChat Pay QR code directly, and they are stored as pi_….
 *
 * Retries are ours, not the SDK's: maxNetworkRetries is 0 and withProviderRetries repeats only
 * `retryable` failures, a bounded number of times, always with the same Idempotency-Key (our
 * payment_id / refund_id, or a key derived from the provider id for cancels). The SDK still
 * retries a closed keep-alive connection once by itself, with the same key (see stripe-wire.ts).
 */

/** The API version this SDK's types (and our mappings) describe; pinned so a Dashboard change cannot reshape responses. */
export const STRIPE_API_VERSION = Stripe.API_VERSION;

const CHECKOUT_SESSION_PREFIX = 'cs_';
const PAYMENT_INTENT_PREFIX = 'pi_';
/** Cancels are keyed too: a lost answer to a cancel that worked would otherwise come back as "already canceled". */
const CANCEL_KEY_PREFIX = 'cancel:';

export interface StripeProviderOptions {
  /** Time for webhook timestamp checks; tests move it. */
  readonly clock?: Clock;
  readonly retries?: ProviderRetryOptions;
}

export class StripeProvider implements PaymentProvider {
  readonly name = STRIPE_PROVIDER_NAME;
  readonly methods: readonly PaymentMethod[] = STRIPE_METHODS;
  readonly #stripe: Stripe;
  readonly #config: StripeConfig;
  readonly #clock: Clock;
  readonly #retries: ProviderRetryOptions;

  constructor(config: StripeConfig, options: StripeProviderOptions = {}) {
    this.#config = config;
    this.#clock = options.clock ?? systemClock;
    this.#retries = Object.freeze({ ...options.retries });
    this.#stripe = new Stripe(config.secret_key, {
      apiVersion: STRIPE_API_VERSION,
      maxNetworkRetries: 0,
      timeout: config.timeout_ms,
      telemetry: false,
      appInfo: { name: 'roamcard' },
      ...(config.api_base === undefined
        ? {}
        : { host: config.api_base.host, port: config.api_base.port, protocol: config.api_base.protocol }),
    });
  }

  async initiatePayment(input: InitiatePaymentInput): Promise<ProviderPaymentState> {
    this.#assertCurrency(input.currency);
    const flow = flowForMethod(input.method);
    const options = { idempotencyKey: idempotencyKey(input.payment_id) };
    if (flow === 'checkout') {
      const params = checkoutSessionCreateParams(input, this.#config.currency);
      return paymentStateFromSession(await this.#call('write', () => this.#stripe.checkout.sessions.create(params, options)));
    }
    const params = paymentIntentCreateParams(input, this.#config.currency);
    return paymentStateFromIntent(await this.#call('write', () => this.#stripe.paymentIntents.create(params, options)));
  }

  async getPaymentStatus(provider_payment_id: string): Promise<ProviderPaymentState> {
    if (isSessionId(provider_payment_id)) return paymentStateFromSession(await this.#retrieveSession(provider_payment_id));
    const id = intentId(provider_payment_id);
    return paymentStateFromIntent(await this.#call('read', () => this.#stripe.paymentIntents.retrieve(id)));
  }

  /**
   * A PaymentIntent is canceled; a Checkout Session is expired (Stripe's way to close its page).
   * We report a session we expired as canceled, though the session itself only says "expired",
   * which a later status query or webhook reports as failed/expired: both are final, and the
   * first one recorded stands.
   */
  async cancelPayment(provider_payment_id: string): Promise<ProviderPaymentState> {
    const options = { idempotencyKey: idempotencyKey(`${CANCEL_KEY_PREFIX}${provider_payment_id}`) };
    if (isSessionId(provider_payment_id)) {
      const session = await this.#call('write', () => this.#stripe.checkout.sessions.expire(provider_payment_id, {}, options));
      const state = paymentStateFromSession(session);
      return state.status === 'failed' ? { provider_payment_id: state.provider_payment_id, amount_minor: state.amount_minor, currency: state.currency, status: 'canceled' } : state;
    }
    const id = intentId(provider_payment_id);
    return paymentStateFromIntent(await this.#call('write', () => this.#stripe.paymentIntents.cancel(id, {}, options)));
  }

  async refundPayment(input: RefundInput): Promise<ProviderRefundState> {
    this.#assertCurrency(input.currency);
    const options = { idempotencyKey: idempotencyKey(input.refund_id) };
    const payment_intent = await this.#paymentIntentOf(input.provider_payment_id);
    const params = refundCreateParams(payment_intent, input.amount_minor, input.refund_id, input.provider_payment_id);
    return refundStateFromStripe(await this.#call('write', () => this.#stripe.refunds.create(params, options)));
  }

  async parseWebhook(request: WebhookRequest): Promise<WebhookEvent> {
    refuseOversizedBody(request.raw_body, 'Stripe webhook');
    const header = request.headers['stripe-signature'];
    if (typeof header !== 'string' || header.length === 0) throw new WebhookRejected('signature', 'no single Stripe-Signature header');
    const event = this.#verifiedEvent(request.raw_body, header);
    try {
      return webhookEventFromStripe(event);
    } catch (error) {
      // Signed by Stripe but not shaped as its API version says: refuse rather than guess.
      throw new WebhookRejected('malformed', `Stripe event ${event.id} (${event.type}): ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #verifiedEvent(raw_body: Buffer, header: string): Stripe.Event {
    let parsed: unknown;
    try {
      parsed = this.#constructEvent(raw_body, header, this.#config.webhook_tolerance_s);
    } catch (error) {
      throw this.#rejection(error, raw_body, header);
    }
    if (!isStripeEventShape(parsed)) throw new WebhookRejected('malformed', 'signed body is not a Stripe event');
    return parsed;
  }

  #constructEvent(raw_body: Buffer, header: string, tolerance_s: number): unknown {
    return this.#stripe.webhooks.constructEvent(
      raw_body, header, this.#config.webhook_secret, tolerance_s, undefined, this.#clock.now_ms(),
    );
  }

  /**
   * The SDK checks the signature first and the timestamp second, and says which failed only in
   * prose. So when verification fails we check the signature alone (tolerance 0 switches the
   * timestamp check off): if that passes, the only thing wrong was the age.
   */
  #rejection(error: unknown, raw_body: Buffer, header: string): WebhookRejected {
    if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) {
      return new WebhookRejected('malformed', `Stripe webhook body is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      this.#constructEvent(raw_body, header, 0);
    } catch (signature_error) {
      if (signature_error instanceof Stripe.errors.StripeSignatureVerificationError) {
        return new WebhookRejected('signature', `Stripe webhook signature does not verify: ${signature_error.message.split('\n')[0] ?? ''}`);
      }
      // The signature held and only the body failed to parse: the first failure was the age.
    }
    return new WebhookRejected('stale', `Stripe webhook signed more than ${this.#config.webhook_tolerance_s} s ago`);
  }

  async #retrieveSession(id: string): Promise<Stripe.Checkout.Session> {
    // Expanded so an open session whose payment already went through is reported as such.
    return this.#call('read', () => this.#stripe.checkout.sessions.retrieve(id, { expand: ['payment_intent'] }));
  }

  async #paymentIntentOf(provider_payment_id: string): Promise<string> {
    if (!isSessionId(provider_payment_id)) return intentId(provider_payment_id);
    const payment_intent = intentIdOfSession(await this.#retrieveSession(provider_payment_id));
    if (payment_intent === undefined) {
      throw new ProviderError(STRIPE_PROVIDER_NAME, 'definitive', `Checkout Session ${provider_payment_id} has no payment to refund`, { provider_code: 'no_payment_intent' });
    }
    return payment_intent;
  }

  #assertCurrency(currency: string): void {
    if (currency.toLowerCase() !== this.#config.currency) {
      throw new ProviderError(STRIPE_PROVIDER_NAME, 'definitive', `Stripe is configured to charge ${this.#config.currency}, not ${currency}`, { provider_code: 'currency_mismatch' });
    }
  }

  /** One SDK call under our retry policy; SDK errors become classified ProviderErrors, anything else (a bug) passes through. */
  #call<T>(operation: StripeOperation, request: () => Promise<T>): Promise<T> {
    return withProviderRetries(async () => {
      try {
        return await request();
      } catch (error) {
        throw error instanceof Stripe.errors.StripeError ? providerErrorFromStripe(error, operation) : error;
      }
    }, this.#retries);
  }
}

function isSessionId(provider_payment_id: string): boolean {
  return provider_payment_id.startsWith(CHECKOUT_SESSION_PREFIX);
}

function intentId(provider_payment_id: string): string {
  if (!provider_payment_id.startsWith(PAYMENT_INTENT_PREFIX)) {
    throw new ProviderError(STRIPE_PROVIDER_NAME, 'definitive', `"${provider_payment_id}" is neither a Stripe PaymentIntent (pi_…) nor a Checkout Session (cs_…)`, { provider_code: 'unknown_id' });
  }
  return provider_payment_id;
}
