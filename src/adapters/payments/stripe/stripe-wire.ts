import Stripe from 'stripe';
import { ProviderError, type InitiatePaymentInput, type NextAction, type PaymentFailureCode, type PaymentMethod, type ProviderErrorKind, type ProviderPaymentState, type ProviderRefundState, type WebhookEvent } from '../../../ports/payment-provider.js';
import { mayHaveBeenSent, networkErrorCode } from '../kit/network-errors.js';
import { classifyHttpFailure } from '../kit/provider-retries.js';

/**
 * Pure translation between our payment port and Stripe's API objects: request parameters out,
 * PaymentIntents / Checkout Sessions / Refunds / errors / events in. No I/O here.
 *
 * Two flows, chosen per method (see stripe-provider.ts for why):
 * - card → a Checkout Session (Stripe's hosted page); our provider_payment_id is the session id cs_…
 * - alipay, wechat_pay → a PaymentIntent confirmed on the server; provider_payment_id is pi_…
 */

export const STRIPE_PROVIDER_NAME = 'stripe';
export const STRIPE_METHODS = ['card', 'alipay', 'wechat_pay'] as const satisfies readonly PaymentMethod[];
export type StripeMethod = (typeof STRIPE_METHODS)[number];

/** Stripe refuses longer Idempotency-Key values. */
export const IDEMPOTENCY_KEY_LENGTH_MAX = 255;

/** Metadata keys we put on Stripe objects, so webhooks and the dashboard lead back to our records. */
export const METADATA_ORDER_ID = 'order_id';
export const METADATA_PAYMENT_ID = 'payment_id';
export const METADATA_REFUND_ID = 'refund_id';
/** On a refund: the id our payment is stored under (a cs_… for card payments, not the refund's pi_…). */
export const METADATA_PROVIDER_PAYMENT_ID = 'provider_payment_id';
/** On a PaymentIntent that a Checkout Session created: its outcome is the session's, not its own. */
export const METADATA_FLOW = 'roamcard_flow';
export const FLOW_CHECKOUT = 'checkout';

export type StripeFlow = 'checkout' | 'payment_intent';
export type StripeOperation = 'read' | 'write';

function definitive(message: string, provider_code?: string): ProviderError {
  return new ProviderError(STRIPE_PROVIDER_NAME, 'definitive', message, { provider_code });
}

export function isStripeMethod(method: PaymentMethod): method is StripeMethod {
  return (STRIPE_METHODS as readonly PaymentMethod[]).includes(method);
}

/** Which flow a method takes; anything but card, Alipay and WeChat Pay is refused before any request. */
export function flowForMethod(method: PaymentMethod): StripeFlow {
  if (!isStripeMethod(method)) throw definitive(`Stripe does not take "${method}" payments here (only ${STRIPE_METHODS.join(', ')})`, 'unsupported_method');
  return method === 'card' ? 'checkout' : 'payment_intent';
}

/** Our id doubles as Stripe's Idempotency-Key; one that Stripe would refuse is a programming error. */
export function idempotencyKey(key: string): string {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_LENGTH_MAX) {
    throw definitive(`idempotency key must be 1–${IDEMPOTENCY_KEY_LENGTH_MAX} characters, got ${key.length}`, 'idempotency_key_invalid');
  }
  return key;
}

/** RUB is a two-decimal currency at Stripe: amounts travel as integer kopecks, exactly as we keep them. */
export function amountMinor(amount: number): number {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw definitive(`amount must be a positive whole number of minor units, got ${amount}`, 'amount_invalid');
  return amount;
}

/**
 * Which Stripe payment method types a payment may use (+ their options). The pinned API version
 * (2026-10-28.endive) names the request parameter `allowed_payment_method_types`; the older
 * `payment_method_types` is gone from requests and survives only as a computed response field.
 */
export function allowedPaymentMethodTypes(method: PaymentMethod): Pick<Stripe.PaymentIntentCreateParams, 'allowed_payment_method_types' | 'payment_method_options'> {
  flowForMethod(method);
  if (method === 'wechat_pay') {
    // WeChat Pay needs to know where the customer pays from; 'web' makes Stripe return a QR code.
    return { allowed_payment_method_types: ['wechat_pay'], payment_method_options: { wechat_pay: { client: 'web' } } };
  }
  return { allowed_payment_method_types: [method] };
}

function metadataFor(input: InitiatePaymentInput): Record<string, string> {
  return { [METADATA_ORDER_ID]: input.order_id, [METADATA_PAYMENT_ID]: input.payment_id };
}

/**
 * A PaymentIntent confirmed at creation, for methods that need nothing from the customer's browser
 * to start: Stripe answers with the Alipay redirect or the WeChat Pay QR code. Every parameter is a
 * function of the input alone, so the same payment_id always sends the same request (Stripe
 * answers a same-key, different-parameters request with an idempotency_error).
 */
export function paymentIntentCreateParams(input: InitiatePaymentInput, currency: string): Stripe.PaymentIntentCreateParams {
  const method = input.method;
  const types = allowedPaymentMethodTypes(method);
  const type = method === 'wechat_pay' ? 'wechat_pay' : 'alipay';
  return {
    amount: amountMinor(input.amount_minor),
    currency,
    ...types,
    payment_method_data: { type },
    confirm: true,
    // Alipay sends the customer's browser back to it; WeChat Pay by QR code has nowhere to return to.
    ...(method === 'alipay' ? { return_url: input.return_url } : {}),
    description: input.description,
    metadata: metadataFor(input),
  };
}

/**
 * Checkout's locales for our languages; Stripe's Traditional Chinese locales are zh-HK and zh-TW.
 * Anything else lets Checkout follow the browser.
 */
const CHECKOUT_LOCALES: Readonly<Record<string, Stripe.Checkout.SessionCreateParams.Locale>> = Object.freeze({
  'zh-Hans': 'zh',
  'zh-Hant': 'zh-TW',
  ru: 'ru',
  en: 'en',
});

export function checkoutLocale(language: string): Stripe.Checkout.SessionCreateParams.Locale {
  return CHECKOUT_LOCALES[language] ?? 'auto';
}

/**
 * A Checkout Session in payment mode: the customer types the card on Stripe's page (we never see
 * card data), Checkout runs 3-D Secure and lets them retry after a decline, then sends the browser
 * to return_url. Not sent, on purpose:
 * - expires_at: it would depend on the clock, so asking again with the same payment_id would be
 *   refused as an idempotency_error; Stripe's default lifetime (24 h) applies.
 * - customer_email: a typo in our records would make Stripe refuse the whole payment; the
 *   customer types it on the page instead.
 */
export function checkoutSessionCreateParams(input: InitiatePaymentInput, currency: string): Stripe.Checkout.SessionCreateParams {
  return {
    mode: 'payment',
    line_items: [{
      quantity: 1, price_data: { currency, unit_amount: amountMinor(input.amount_minor), product_data: { name: input.description } },
    }],
    allowed_payment_method_types: ['card'],
    success_url: input.return_url,
    cancel_url: input.return_url,
    client_reference_id: input.order_id,
    locale: checkoutLocale(input.customer.language),
    metadata: metadataFor(input),
    payment_intent_data: {
      description: input.description,
      metadata: { ...metadataFor(input), [METADATA_FLOW]: FLOW_CHECKOUT },
    },
  };
}

/** Stripe's decline_code / error code → our failure code; anything unlisted is a plain decline. */
const FAILURE_CODES: Readonly<Record<string, PaymentFailureCode>> = Object.freeze({
  insufficient_funds: 'insufficient_funds',
  expired_card: 'card_expired',
  authentication_required: 'three_d_secure_failed',
  payment_intent_authentication_failure: 'three_d_secure_failed',
  fraudulent: 'fraud_suspected',
  issuer_not_available: 'issuer_unavailable',
  // An Alipay / WeChat Pay attempt the customer left unfinished until Stripe gave up on it.
  payment_intent_payment_attempt_expired: 'expired',
});

/** The issuer's decline_code is the more specific of the two (code is often just card_declined). */
export function failureFromStripe(
  decline_code: string | null | undefined,
  code: string | null | undefined,
): { code: PaymentFailureCode; provider_code?: string } {
  const provider_code = decline_code ?? code ?? undefined;
  const mapped = (decline_code === null || decline_code === undefined ? undefined : FAILURE_CODES[decline_code]) ??
    (code === null || code === undefined ? undefined : FAILURE_CODES[code]);
  return provider_code === undefined ? { code: mapped ?? 'declined' } : { code: mapped ?? 'declined', provider_code };
}

/** What the customer has to do next, in our terms; undefined when there is nothing we can show. */
export function nextActionFromIntent(next_action: Stripe.PaymentIntent.NextAction | null): NextAction | undefined {
  if (next_action === null) return undefined;
  const redirect_url = next_action.redirect_to_url?.url ?? next_action.alipay_handle_redirect?.url;
  if (redirect_url) return { type: 'redirect', url: redirect_url };
  const qr = next_action.wechat_pay_display_qr_code;
  if (qr) return { type: 'qr', payload: qr.data, url: qr.hosted_instructions_url };
  return undefined;
}

function amountOf(amount: number | null, what: string): number {
  // Stripe's contract: a payment-mode object always carries an integer amount in minor units.
  if (amount === null || !Number.isSafeInteger(amount) || amount < 0) throw new Error(`Stripe ${what} has no whole amount (${amount})`);
  return amount;
}

function currencyOf(currency: string | null, what: string): string {
  if (currency === null) throw new Error(`Stripe ${what} has no currency`);
  return currency.toUpperCase();
}

/** cancellation_reason values that mean "nobody finished paying", as opposed to a deliberate cancel. */
const EXPIRY_CANCELLATION_REASONS: ReadonlySet<string> = new Set(['abandoned', 'automatic', 'expired']);

function canceledIntentState(intent: Stripe.PaymentIntent): Pick<ProviderPaymentState, 'status' | 'failure'> {
  const reason = intent.cancellation_reason;
  if (reason !== null && EXPIRY_CANCELLATION_REASONS.has(reason)) return { status: 'failed', failure: { code: 'expired', provider_code: reason } };
  if (reason === 'fraudulent') return { status: 'failed', failure: { code: 'fraud_suspected', provider_code: reason } };
  if (reason === 'requested_by_customer') return { status: 'canceled', failure: { code: 'canceled_by_customer', provider_code: reason } };
  return { status: 'canceled' };
}

function intentStatus(intent: Stripe.PaymentIntent): Pick<ProviderPaymentState, 'status' | 'failure' | 'next_action'> {
  switch (intent.status) {
    case 'succeeded':
      return { status: 'succeeded' };
    case 'canceled':
      return canceledIntentState(intent);
    case 'requires_payment_method': {
      // A failed attempt sends the intent back here with the reason; without one it was never tried.
      const error = intent.last_payment_error;
      if (error === null) return { status: 'pending' };
      return { status: 'failed', failure: failureFromStripe(error.decline_code, error.code) };
    }
    case 'requires_confirmation':
    case 'requires_action': {
      const next_action = nextActionFromIntent(intent.next_action);
      return next_action === undefined ? { status: 'requires_action' } : { status: 'requires_action', next_action };
    }
    // processing: the method confirms later; requires_capture: authorized, not yet ours (we capture automatically).
    default:
      return { status: 'pending' };
  }
}

export function paymentStateFromIntent(intent: Stripe.PaymentIntent): ProviderPaymentState {
  return {
    provider_payment_id: intent.id,
    amount_minor: amountOf(intent.amount, `PaymentIntent ${intent.id}`),
    currency: currencyOf(intent.currency, `PaymentIntent ${intent.id}`),
    ...intentStatus(intent),
  };
}

/**
 * A Checkout Session is the authority for a card payment: while it is open the customer may still
 * pay, even after a decline or a failed 3-D Secure check on one attempt, so nothing is final until
 * the session completes or expires. `async_payment_failed` is the one outcome the session object
 * does not show by itself (it stays complete + unpaid), so the caller passes it from the event type.
 */
export function paymentStateFromSession(
  session: Stripe.Checkout.Session,
  outcome: { async_payment_failed?: boolean } = {},
): ProviderPaymentState {
  const base = {
    provider_payment_id: session.id,
    amount_minor: amountOf(session.amount_total, `Checkout Session ${session.id}`),
    currency: currencyOf(session.currency, `Checkout Session ${session.id}`),
  };
  if (session.status === 'expired') return { ...base, status: 'failed', failure: { code: 'expired', provider_code: 'checkout_session_expired' } };
  if (session.status === 'complete') {
    if (session.payment_status !== 'unpaid') return { ...base, status: 'succeeded' };
    if (outcome.async_payment_failed) return { ...base, status: 'failed', failure: { code: 'declined', provider_code: 'async_payment_failed' } };
    return { ...base, status: 'pending' };
  }
  // Open. If the intent (when expanded) has already moved on, say so; otherwise send the customer back to the page.
  const intent = typeof session.payment_intent === 'object' ? session.payment_intent : null;
  if (intent?.status === 'succeeded') return { ...base, status: 'succeeded' };
  if (intent?.status === 'processing') return { ...base, status: 'pending' };
  return session.url === null ? { ...base, status: 'requires_action' } : { ...base, status: 'requires_action', next_action: { type: 'redirect', url: session.url } };
}

/** The PaymentIntent behind a payment id we stored: itself, or the one its Checkout Session made. */
export function intentIdOfSession(session: Stripe.Checkout.Session): string | undefined {
  const intent = session.payment_intent;
  if (intent === null) return undefined;
  return typeof intent === 'string' ? intent : intent.id;
}

export function refundStateFromStripe(refund: Stripe.Refund): ProviderRefundState {
  switch (refund.status) {
    case 'succeeded':
      return { provider_refund_id: refund.id, status: 'succeeded' };
    case 'failed':
    case 'canceled':
      return { provider_refund_id: refund.id, status: 'failed' };
    // pending, requires_action (the customer must give bank details): money not back yet.
    default:
      return { provider_refund_id: refund.id, status: 'pending' };
  }
}

export function refundCreateParams(
  payment_intent: string,
  amount_minor: number,
  refund_id: string,
  provider_payment_id: string,
): Stripe.RefundCreateParams {
  return {
    payment_intent,
    amount: amountMinor(amount_minor),
    metadata: { [METADATA_REFUND_ID]: refund_id, [METADATA_PROVIDER_PAYMENT_ID]: provider_payment_id },
  };
}

/** The socket error's code under an SDK connection error (its `detail`). */
function connectionErrorCode(error: Stripe.errors.StripeError): string | undefined {
  return networkErrorCode(error.detail);
}

/**
 * How sure we are that the request did not reach Stripe, per error class:
 *
 * StripeConnectionError. The SDK cannot say whether the request was sent, but the socket error's
 * code can: ECONNREFUSED, ENOTFOUND and the rest of NOT_SENT_ERROR_CODES happen before a connection
 * exists → retryable.
 * Every other connection error (our timeout, ECONNRESET, EPIPE, a body cut short) may come after
 * Stripe received and executed the request → indeterminate. For ECONNRESET / EPIPE the SDK has
 * already retried once with the same Idempotency-Key even with maxNetworkRetries 0 (a stale
 * keep-alive socket is the usual cause), so a reset that reaches us survived a retry as well; we
 * do not hammer further, the webhook or a later status query tells the outcome. Reads change
 * nothing at Stripe, so for them every connection error is retryable.
 *
 * StripeAPIError (5xx) on a write → indeterminate: Stripe may have executed it, and it stores the
 * 500 against the key, so a same-key retry would only replay it. 409 (another request with this
 * key still running) and `Stripe-Should-Retry: true` mean nothing was executed → retryable.
 */
function stripeErrorKind(error: Stripe.errors.StripeError, operation: StripeOperation): ProviderErrorKind {
  if (error instanceof Stripe.errors.StripeConnectionError) {
    if (operation === 'read') return 'retryable';
    return classifyHttpFailure(undefined, mayHaveBeenSent(connectionErrorCode(error)));
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) return 'retryable';
  if (error instanceof Stripe.errors.StripeAPIError) {
    if (error.statusCode === 409 || error.headers?.['stripe-should-retry'] === 'true') return 'retryable';
    if (operation === 'read') return 'retryable';
    return classifyHttpFailure(error.statusCode ?? 500, true) === 'definitive' ? 'definitive' : 'indeterminate';
  }
  if (
    error instanceof Stripe.errors.StripeCardError ||
    error instanceof Stripe.errors.StripeInvalidRequestError ||
    error instanceof Stripe.errors.StripeAuthenticationError ||
    error instanceof Stripe.errors.StripePermissionError ||
    error instanceof Stripe.errors.StripeIdempotencyError
  ) {
    return 'definitive';
  }
  // A StripeError of no known class: never assume a write failed.
  return operation === 'read' ? 'retryable' : 'indeterminate';
}

/** A Stripe SDK error as our three-way ProviderError; declines carry our failure code. */
export function providerErrorFromStripe(error: Stripe.errors.StripeError, operation: StripeOperation): ProviderError {
  const kind = stripeErrorKind(error, operation);
  const provider_code = error.decline_code ?? error.code ?? connectionErrorCode(error) ?? error.rawType ?? error.type;
  const request = error.requestId === undefined ? '' : ` (request ${error.requestId})`;
  const message = `Stripe ${error.type}: ${error.message}${request}`;
  if (error instanceof Stripe.errors.StripeCardError) {
    return new ProviderError(STRIPE_PROVIDER_NAME, kind, message, {
      provider_code, failure_code: failureFromStripe(error.decline_code, error.code).code, cause: error,
    });
  }
  return new ProviderError(STRIPE_PROVIDER_NAME, kind, message, { provider_code, cause: error });
}

function ignored(event: Stripe.Event, reason: string): WebhookEvent {
  return { event_id: event.id, type: 'ignored', reason };
}

function paymentEvent(event: Stripe.Event, payment: ProviderPaymentState): WebhookEvent {
  return { event_id: event.id, type: 'payment', payment };
}

function refundEvent(event: Stripe.Event, refund: Stripe.Refund, fallback_payment_intent: string | null): WebhookEvent {
  const payment_intent = typeof refund.payment_intent === 'string' ? refund.payment_intent : (refund.payment_intent?.id ?? fallback_payment_intent);
  // Card payments are stored under their Checkout Session id, which only our metadata knows.
  const provider_payment_id = refund.metadata?.[METADATA_PROVIDER_PAYMENT_ID] ?? payment_intent;
  if (provider_payment_id === null) return ignored(event, `refund ${refund.id} names no payment`);
  return { event_id: event.id, type: 'refund', provider_payment_id, refund: refundStateFromStripe(refund) };
}

function intentEvent(event: Stripe.Event, intent: Stripe.PaymentIntent): WebhookEvent {
  // Inside Checkout a declined attempt is not the end (the customer may try another card), and
  // the session's own events carry the outcome under the id we stored (cs_…).
  if (intent.metadata?.[METADATA_FLOW] === FLOW_CHECKOUT) return ignored(event, `PaymentIntent ${intent.id} belongs to a Checkout Session; its checkout.session.* events decide`);
  return paymentEvent(event, paymentStateFromIntent(intent));
}

function sessionEvent(
  event: Stripe.Event,
  session: Stripe.Checkout.Session,
  outcome: { async_payment_failed?: boolean } = {},
): WebhookEvent {
  if (session.mode !== 'payment') return ignored(event, `Checkout Session ${session.id} is in ${session.mode} mode`);
  return paymentEvent(event, paymentStateFromSession(session, outcome));
}

function chargeRefundedEvent(event: Stripe.Event, charge: Stripe.Charge): WebhookEvent {
  // Since API 2022-11-15 a charge's refunds are not included unless expanded; refund.updated
  // carries each refund by itself, so without the list there is nothing to map here.
  const latest = charge.refunds?.data[0];
  if (latest === undefined) return ignored(event, `charge.refunded for ${charge.id} lists no refunds; refund.* events carry them`);
  const payment_intent = typeof charge.payment_intent === 'string' ? charge.payment_intent : (charge.payment_intent?.id ?? null);
  return refundEvent(event, latest, payment_intent);
}

/** A verified Stripe event in our terms; event types we do not act on come back as 'ignored'. */
export function webhookEventFromStripe(event: Stripe.Event): WebhookEvent {
  switch (event.type) {
    case 'payment_intent.succeeded':
    case 'payment_intent.payment_failed':
    case 'payment_intent.processing':
    case 'payment_intent.canceled':
    case 'payment_intent.requires_action':
      return intentEvent(event, event.data.object);
    case 'checkout.session.completed':
    case 'checkout.session.async_payment_succeeded':
    case 'checkout.session.expired':
      return sessionEvent(event, event.data.object);
    case 'checkout.session.async_payment_failed':
      return sessionEvent(event, event.data.object, { async_payment_failed: true });
    case 'refund.created':
    case 'refund.updated':
    case 'refund.failed':
      return refundEvent(event, event.data.object, null);
    case 'charge.refunded':
      return chargeRefundedEvent(event, event.data.object);
    default:
      return ignored(event, `event type ${event.type} is not one we act on`);
  }
}

/** The shape every Stripe event has; a signed body without it is malformed, not an event. */
export function isStripeEventShape(value: unknown): value is Stripe.Event {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as { id?: unknown; object?: unknown; type?: unknown; data?: { object?: unknown } };
  return (
    typeof candidate.id === 'string' &&
    candidate.id.length > 0 &&
    candidate.object === 'event' &&
    typeof candidate.type === 'string' &&
    typeof candidate.data === 'object' &&
    candidate.data !== null &&
    typeof candidate.data.object === 'object' &&
    candidate.data.object !== null
  );
}
