import {
  CheckoutPaymentIntent,
  PaypalExperienceUserAction,
  PaypalWalletContextShippingPreference,
  type Money,
  type Order,
  type OrderRequest,
  type OrdersCapture,
} from '@paypal/paypal-server-sdk';
import { z } from 'zod';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import { CURRENCY_MINOR_DIGITS, isCurrency, minorToDecimalString, type Currency } from '../../../core/money.js';
import { ProviderError, type InitiatePaymentInput, type NextAction, type PaymentFailureCode, type ProviderErrorKind, type ProviderPaymentState, type ProviderRefundState } from '../../../ports/payment-provider.js';
import { mayHaveBeenSent } from '../kit/network-errors.js';
import { classifyHttpFailure } from '../kit/provider-retries.js';

/**
 * Pure translations between PayPal's Orders v2 / Payments v2 wire format and our port: statuses,
 * amounts, request bodies, webhook resources and error bodies. No I/O here, so every rule can be
 * tested on its own (developer.paypal.com/docs/api/orders/v2, /payments/v2, /webhooks/v1).
 */

export const PAYPAL_PROVIDER_NAME = 'paypal';

/** PayPal keeps only the first 127 characters of purchase_units[].description. */
export const DESCRIPTION_LENGTH_MAX = 127;
/** purchase_units[].custom_id and reference_id: longer values are rejected, never truncated (they are ids). */
export const CUSTOM_ID_LENGTH_MAX = 127;
export const REFERENCE_ID_LENGTH_MAX = 256;
/** The PayPal-Request-Id header takes 1–108 characters. */
export const REQUEST_ID_LENGTH_MAX = 108;

/** A read changes nothing at PayPal; a write may have moved money even when we saw no answer. */
export type CallEffect = 'read' | 'write';

// ---------------------------------------------------------------------------------------------
// Amounts: decimal strings on the wire, integer minor units inside, converted by string arithmetic.

/** "990.00" for 99000 kopecks. Only positive amounts are money PayPal moves. */
export function decimalFromMinor(amount_minor: number, currency: Currency): string {
  if (!Number.isSafeInteger(amount_minor) || amount_minor <= 0) {
    throw new RangeError(`PayPal amounts must be a positive safe integer of minor units, got ${amount_minor}`);
  }
  return minorToDecimalString(amount_minor, currency);
}

/** Digits, then optionally a point and digits: no sign, exponent, spaces, commas or leading zeros. */
const DECIMAL_PATTERN = /^(0|[1-9]\d*)(?:\.(\d+))?$/;

/** "990.00" → 99000; undefined for anything that is not an exact amount in this currency. */
export function minorFromDecimal(value: string, currency: Currency): number | undefined {
  const match = DECIMAL_PATTERN.exec(value);
  if (!match) return undefined;
  const digits = CURRENCY_MINOR_DIGITS[currency];
  const fraction = match[2] ?? '';
  if (fraction.length > digits) return undefined;
  const amount_minor = Number(`${match[1] ?? ''}${fraction.padEnd(digits, '0')}`);
  return Number.isSafeInteger(amount_minor) ? amount_minor : undefined;
}

export interface ParsedAmount {
  readonly amount_minor: number;
  readonly currency: Currency;
}

/** An SDK Money ({currencyCode, value}) in our terms; undefined when the currency or value is foreign. */
export function amountFrom(money: Pick<Money, 'currencyCode' | 'value'> | undefined): ParsedAmount | undefined {
  if (money === undefined || !isCurrency(money.currencyCode)) return undefined;
  const amount_minor = minorFromDecimal(money.value, money.currencyCode);
  return amount_minor === undefined ? undefined : { amount_minor, currency: money.currencyCode };
}

// ---------------------------------------------------------------------------------------------
// Create order.

/** PayPal's checkout pages take BCP 47 locales with a region; our four languages map onto these. */
const LOCALE_BY_LANGUAGE: Readonly<Record<Language, string>> = Object.freeze({
  'zh-Hans': 'zh-CN',
  'zh-Hant': 'zh-TW',
  ru: 'ru-RU',
  en: 'en-US',
});

/** undefined lets PayPal choose from the buyer's browser. */
export function localeFor(language: string): string | undefined {
  const normalized = normalizeLanguage(language);
  return normalized === undefined ? undefined : LOCALE_BY_LANGUAGE[normalized];
}

export function assertRequestId(request_id: string): void {
  if (request_id.length === 0 || request_id.length > REQUEST_ID_LENGTH_MAX) {
    throw new RangeError(`PayPal-Request-Id must be 1–${REQUEST_ID_LENGTH_MAX} characters, got ${request_id.length}`);
  }
}

/** The capture's idempotency key: one capture per order, whoever triggers it and however often. */
export function captureRequestId(order_id: string): string {
  const request_id = `capture:${order_id}`;
  assertRequestId(request_id);
  return request_id;
}

function assertIdLength(value: string, length_max: number, what: string): void {
  if (value.length === 0 || value.length > length_max) throw new RangeError(`${what} must be 1–${length_max} characters for PayPal, got ${value.length}`);
}

/**
 * One purchase unit, intent CAPTURE (we take the money as soon as the buyer approves). The
 * experience context asks for "Pay Now" on PayPal's page and no shipping address (nothing is
 * shipped). The customer's e-mail is not sent as a prefill: PayPal rejects the whole order when it
 * dislikes the address, and a prefill is not worth a failed payment.
 */
export function createOrderRequest(input: InitiatePaymentInput, currency: Currency): OrderRequest {
  assertIdLength(input.order_id, REFERENCE_ID_LENGTH_MAX, 'order_id');
  assertIdLength(input.payment_id, CUSTOM_ID_LENGTH_MAX, 'payment_id');
  const description = Array.from(input.description.trim()).slice(0, DESCRIPTION_LENGTH_MAX).join('');
  return {
    intent: CheckoutPaymentIntent.Capture,
    purchaseUnits: [
      {
        referenceId: input.order_id,
        customId: input.payment_id,
        // PayPal refuses an empty description; leave it out instead.
        ...(description === '' ? {} : { description }),
        amount: { currencyCode: currency, value: decimalFromMinor(input.amount_minor, currency) },
      },
    ],
    paymentSource: {
      paypal: {
        experienceContext: {
          returnUrl: input.return_url,
          // The port has one return URL; a buyer who cancels lands there too, and the return page
          // asks getPaymentStatus, which reads an unapproved order as requires_action.
          cancelUrl: input.return_url,
          userAction: PaypalExperienceUserAction.PayNow,
          shippingPreference: PaypalWalletContextShippingPreference.NoShipping,
          locale: localeFor(input.customer.language),
        },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Order, capture and refund states.

/** Links that send the buyer to PayPal: `payer-action` with a payment_source, `approve` without. */
const BUYER_LINK_RELS: readonly string[] = ['payer-action', 'approve'];

function buyerRedirect(links: readonly { readonly href: string; readonly rel: string }[] | undefined): NextAction | undefined {
  const link = links?.find((candidate) => BUYER_LINK_RELS.includes(candidate.rel));
  return link === undefined ? undefined : { type: 'redirect', url: link.href };
}

type CaptureOutcome = Pick<ProviderPaymentState, 'status' | 'failure'>;

/** A capture declined by PayPal's risk filters reads as fraud to the customer; any other as a decline. */
function declinedFailure(status: string, reason: string | undefined): NonNullable<ProviderPaymentState['failure']> {
  const code: PaymentFailureCode = reason === 'DECLINED_BY_RISK_FRAUD_FILTERS' ? 'fraud_suspected' : 'declined';
  return { code, provider_code: reason ?? status };
}

/**
 * Capture statuses: COMPLETED (and later PARTIALLY_REFUNDED / REFUNDED: the payment did succeed,
 * refunds are tracked apart) → succeeded; PENDING (e-check, review) → pending until the
 * PAYMENT.CAPTURE.COMPLETED or .DENIED webhook; DECLINED / FAILED → failed. Anything unknown stays
 * pending: an outcome we cannot read is never a failure.
 */
export function captureOutcome(status: string | undefined, reason: string | undefined): CaptureOutcome {
  switch (status) {
    case 'COMPLETED':
    case 'PARTIALLY_REFUNDED':
    case 'REFUNDED':
      return { status: 'succeeded' };
    case 'DECLINED':
    case 'FAILED':
      return { status: 'failed', failure: declinedFailure(status, reason) };
    default:
      return { status: 'pending' };
  }
}

/**
 * Order statuses: CREATED / SAVED / PAYER_ACTION_REQUIRED → requires_action (send the buyer to
 * PayPal); APPROVED → pending (the buyer approved, we capture next); COMPLETED → what its capture
 * says; VOIDED → canceled. Unknown → pending.
 */
function orderOutcome(order: Order, capture: OrdersCapture | undefined): CaptureOutcome & { readonly next_action?: NextAction } {
  switch (order.status as string | undefined) {
    case 'CREATED':
    case 'SAVED':
    case 'PAYER_ACTION_REQUIRED': {
      const next_action = buyerRedirect(order.links);
      return next_action === undefined ? { status: 'pending' } : { status: 'requires_action', next_action };
    }
    case 'COMPLETED':
      return captureOutcome(capture?.status, capture?.statusDetails?.reason);
    case 'VOIDED':
      return { status: 'canceled' };
    default:
      return { status: 'pending' };
  }
}

/** The capture that decides the payment: the last one (intent CAPTURE orders have at most one). */
export function latestCapture(order: Order): OrdersCapture | undefined {
  return order.purchaseUnits?.[0]?.payments?.captures?.at(-1);
}

/** The response was 2xx but says nothing we can act on: the call may have worked, so not a failure. */
export function unreadableResponse(what: string): ProviderError {
  return new ProviderError(PAYPAL_PROVIDER_NAME, 'indeterminate', `PayPal ${what}: the response could not be read`);
}

export function paymentStateFromOrder(order: Order): ProviderPaymentState {
  const capture = latestCapture(order);
  // A capture response may omit the purchase unit's amount; the capture carries it then.
  const amount = amountFrom(order.purchaseUnits?.[0]?.amount) ?? amountFrom(capture?.amount);
  if (order.id === undefined || amount === undefined) throw unreadableResponse('order');
  const outcome = orderOutcome(order, capture);
  return {
    provider_payment_id: order.id,
    amount_minor: amount.amount_minor,
    currency: amount.currency,
    status: outcome.status,
    ...(outcome.next_action === undefined ? {} : { next_action: outcome.next_action }),
    ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
  };
}

/** Refunds can be asked again with the same PayPal-Request-Id while the capture is (partly) refunded. */
const REFUNDABLE_CAPTURE_STATUSES: readonly string[] = ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED'];

export function refundableCaptureId(order: Order): string | undefined {
  const capture = latestCapture(order);
  return capture?.status !== undefined && REFUNDABLE_CAPTURE_STATUSES.includes(capture.status) ? capture.id : undefined;
}

/** COMPLETED → succeeded; PENDING (e.g. the merchant balance is short) → pending; FAILED / CANCELLED → failed. */
export function refundStateFrom(refund: { readonly id?: string | undefined; readonly status?: string | undefined }): ProviderRefundState {
  if (refund.id === undefined) throw unreadableResponse('refund');
  switch (refund.status) {
    case 'COMPLETED':
      return { provider_refund_id: refund.id, status: 'succeeded' };
    case 'FAILED':
    case 'CANCELLED':
      return { provider_refund_id: refund.id, status: 'failed' };
    default:
      return { provider_refund_id: refund.id, status: 'pending' };
  }
}

// ---------------------------------------------------------------------------------------------
// Webhooks: the JSON PayPal posts (snake_case, not the SDK's camelCase models).

const moneyWire = z.object({ currency_code: z.string(), value: z.string() });
const linkWire = z.object({ href: z.string(), rel: z.string(), method: z.string().optional() });

export const webhookEventSchema = z.object({
  id: z.string().min(1),
  event_type: z.string().min(1),
  resource: z.record(z.string(), z.unknown()),
});
export type WebhookEventWire = z.infer<typeof webhookEventSchema>;

export const orderResourceSchema = z.object({ id: z.string().min(1) });

export const captureResourceSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  // Checked here, so a capture we cannot read is a malformed event rather than an error of ours.
  amount: moneyWire.refine((money) => amountFrom({ currencyCode: money.currency_code, value: money.value }) !== undefined, 'is not an exact amount in a currency we take'),
  status_details: z.object({ reason: z.string().optional() }).optional(),
  supplementary_data: z.object({ related_ids: z.object({ order_id: z.string().optional() }).optional() }).optional(),
  links: z.array(linkWire).optional(),
});
export type CaptureResourceWire = z.infer<typeof captureResourceSchema>;

export const refundResourceSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  links: z.array(linkWire).optional(),
});
export type RefundResourceWire = z.infer<typeof refundResourceSchema>;

/** The last path segment after `/<collection>/` in a HATEOAS link with this rel. */
function idFromLink(
  links: readonly { readonly href: string; readonly rel: string }[] | undefined,
  rel: string,
  collection: string,
): string | undefined {
  const href = links?.find((link) => link.rel === rel)?.href;
  if (href === undefined || !URL.canParse(href)) return undefined;
  const match = new RegExp(`/${collection}/([^/]+)$`).exec(new URL(href).pathname);
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1]);
}

/** Captures made through Orders v2 name their order in supplementary_data, and link "up" to it. */
export function orderIdOfCapture(capture: CaptureResourceWire): string | undefined {
  return capture.supplementary_data?.related_ids?.order_id ?? idFromLink(capture.links, 'up', 'v2/checkout/orders');
}

/** A refund links "up" to the capture it refunds; nothing in it names the order. */
export function captureIdOfRefund(refund: RefundResourceWire): string | undefined {
  return idFromLink(refund.links, 'up', 'v2/payments/captures');
}

export function paymentStateFromCapture(order_id: string, capture: CaptureResourceWire): ProviderPaymentState {
  const amount = amountFrom({ currencyCode: capture.amount.currency_code, value: capture.amount.value });
  if (amount === undefined) throw unreadableResponse('capture');
  const outcome = captureOutcome(capture.status, capture.status_details?.reason);
  return {
    provider_payment_id: order_id,
    amount_minor: amount.amount_minor,
    currency: amount.currency,
    status: outcome.status,
    ...(outcome.failure === undefined ? {} : { failure: outcome.failure }),
  };
}

/** The transmission headers PayPal signs each delivery with (lower-case, as node gives them). */
export const TRANSMISSION_HEADERS = Object.freeze({
  transmission_id: 'paypal-transmission-id',
  transmission_time: 'paypal-transmission-time',
  transmission_sig: 'paypal-transmission-sig',
  cert_url: 'paypal-cert-url',
  auth_algo: 'paypal-auth-algo',
});
export type Transmission = { readonly [key in keyof typeof TRANSMISSION_HEADERS]: string };

/** All five headers, each given once; undefined when any is missing or repeated. */
export function transmissionFrom(headers: Readonly<Record<string, string | string[] | undefined>>): Transmission | undefined {
  const entries = Object.entries(TRANSMISSION_HEADERS).map(([key, header]) => {
    const value = headers[header];
    const single = Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
    return [key, single?.trim()] as const;
  });
  if (entries.some(([, value]) => value === undefined || value === '')) return undefined;
  return Object.fromEntries(entries) as Transmission;
}

const TRANSMISSION_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** "2025-06-01T12:00:00Z" → epoch ms; undefined unless it is a full RFC 3339 date-time. */
export function transmissionTimeMs(text: string): number | undefined {
  if (!TRANSMISSION_TIME_PATTERN.test(text)) return undefined;
  const time_ms = Date.parse(text);
  return Number.isNaN(time_ms) ? undefined : time_ms;
}

/**
 * The verify-webhook-signature request. The event goes in as the raw bytes we received, spliced
 * into the JSON: PayPal checks a CRC32 of the event, and re-serializing a parsed copy can change
 * it (key order, number and unicode escapes), turning genuine events into failures.
 */
export function verifySignatureRequestBody(transmission: Transmission, webhook_id: string, raw_event: string): string {
  const fields = {
    auth_algo: transmission.auth_algo,
    cert_url: transmission.cert_url,
    transmission_id: transmission.transmission_id,
    transmission_sig: transmission.transmission_sig,
    transmission_time: transmission.transmission_time,
    webhook_id,
  };
  return `${JSON.stringify(fields).slice(0, -1)},"webhook_event":${raw_event}}`;
}

export const verifySignatureResponseSchema = z.object({ verification_status: z.string() });

// ---------------------------------------------------------------------------------------------
// Errors: {name, message, debug_id, details:[{issue, description}]} from the REST APIs,
// {error, error_description} from the OAuth token endpoint (RFC 6749).

export const paypalErrorBodySchema = z.object({
  name: z.string().optional(),
  message: z.string().optional(),
  debug_id: z.string().optional(),
  details: z.array(z.object({ issue: z.string().optional(), description: z.string().optional() })).optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});
export type PayPalErrorBody = z.infer<typeof paypalErrorBodySchema>;

/** A parsed error body (the SDK's result) or its text; undefined when it is neither. */
export function parseErrorBody(body: unknown): PayPalErrorBody | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  const parsed = paypalErrorBodySchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** The most specific code: the first detail's issue (INSTRUMENT_DECLINED) over the name (UNPROCESSABLE_ENTITY). */
export function errorCodeOf(body: PayPalErrorBody | undefined): string | undefined {
  return body?.details?.find((detail) => detail.issue !== undefined)?.issue ?? body?.name ?? body?.error;
}

/**
 * Issues that are about the buyer's money, in our words. Everything else definitive is ours or
 * PayPal's to fix (bad request, permissions, amounts) and reads as provider_error.
 */
const FAILURE_CODE_BY_ISSUE: Readonly<Record<string, PaymentFailureCode>> = Object.freeze({
  INSTRUMENT_DECLINED: 'declined',
  TRANSACTION_REFUSED: 'declined',
  PAYER_CANNOT_PAY: 'declined',
  MAX_NUMBER_OF_PAYMENT_ATTEMPTS_EXCEEDED: 'declined',
  REDIRECT_PAYER_FOR_ALTERNATE_FUNDING: 'declined',
  CARD_EXPIRED: 'card_expired',
  PAYEE_BLOCKED_TRANSACTION: 'fraud_suspected',
  COMPLIANCE_VIOLATION: 'fraud_suspected',
  // The buyer has not finished on PayPal's pages (approval, 3-D Secure, a new funding source).
  PAYER_ACTION_REQUIRED: 'expired',
  ORDER_NOT_APPROVED: 'expired',
});

export function failureCodeFor(provider_code: string | undefined): PaymentFailureCode {
  return (provider_code === undefined ? undefined : FAILURE_CODE_BY_ISSUE[provider_code]) ?? 'provider_error';
}

/**
 * The port's rule (classifyHttpFailure): 429 → retryable, 5xx → indeterminate, other 4xx →
 * definitive. A read that met a 5xx changed nothing, so it is simply retryable.
 */
export function errorKindFor(http_status: number | undefined, sent: boolean, effect: CallEffect): ProviderErrorKind {
  const kind = classifyHttpFailure(http_status, sent);
  return effect === 'read' && kind === 'indeterminate' ? 'retryable' : kind;
}

function describe(operation: string, http_status: number, provider_code: string | undefined, body: PayPalErrorBody | undefined): string {
  const text = body?.details?.[0]?.description ?? body?.message ?? body?.error_description;
  const debug = body?.debug_id === undefined ? '' : ` (debug_id ${body.debug_id})`;
  return `PayPal ${operation}: HTTP ${http_status}${provider_code === undefined ? '' : ` ${provider_code}`}${text === undefined ? '' : `: ${text}`}${debug}`;
}

export interface HttpFailure {
  readonly operation: string;
  readonly effect: CallEffect;
  readonly http_status: number;
  readonly body: PayPalErrorBody | undefined;
}

export function providerErrorFromHttp(failure: HttpFailure, cause?: unknown): ProviderError {
  const provider_code = errorCodeOf(failure.body);
  const kind = errorKindFor(failure.http_status, true, failure.effect);
  const failure_code = kind === 'definitive' ? failureCodeFor(provider_code) : undefined;
  return new ProviderError(PAYPAL_PROVIDER_NAME, kind, describe(failure.operation, failure.http_status, provider_code, failure.body), {
    ...(provider_code === undefined ? {} : { provider_code }),
    ...(failure_code === undefined ? {} : { failure_code }),
    cause,
  });
}

/**
 * A bearer token PayPal no longer accepts (revoked, or expired early). The request was refused
 * before anything happened, so asking again with a fresh token is safe.
 */
export function tokenRejected(operation: string, body: PayPalErrorBody | undefined, cause?: unknown): ProviderError {
  const provider_code = errorCodeOf(body) ?? 'invalid_token';
  return new ProviderError(PAYPAL_PROVIDER_NAME, 'retryable', describe(operation, 401, provider_code, body), { provider_code, cause });
}

/**
 * No HTTP answer. A connection that was refused never carried the request: retryable. A reset,
 * hang-up or timeout after connecting may have reached PayPal: indeterminate for a write (the
 * PayPal-Request-Id makes asking again safe, but whether money moved is unknown until then).
 */
export function providerErrorFromTransport(
  operation: string,
  effect: CallEffect,
  error_code: string | undefined,
  cause?: unknown,
): ProviderError {
  const sent = mayHaveBeenSent(error_code);
  const kind = errorKindFor(undefined, sent, effect);
  const message = `PayPal ${operation}: no response (${error_code ?? 'unknown network error'}${sent ? ', the request may have been received' : ', the request was not sent'})`;
  return new ProviderError(PAYPAL_PROVIDER_NAME, kind, message, {
    ...(error_code === undefined ? {} : { provider_code: error_code }), cause,
  });
}
