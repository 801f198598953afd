import { z } from 'zod';

/**
 * The PaymentProvider port (after Medusa's provider contract): one small interface that every
 * provider adapter implements — sandbox, yookassa, stripe, paypal — each in its own folder under
 * src/adapters/payments/<name>/ with the same file set. The renewal service speaks only this.
 *
 * Outcomes are three-way and never guessed: a call either returns a provider state, or throws a
 * ProviderError classified as retryable (network, rate limit: try again with the same idempotency
 * key), definitive (the provider refused: a decline, bad request), or indeterminate (a timeout or
 * a 5xx after the request may have reached the provider: keep the payment pending and learn the
 * outcome from the webhook or by asking again).
 */

export const PAYMENT_METHODS = [
  'card',          // Visa, MasterCard, Mir, UnionPay, online
  'yoomoney',
  'paypal',
  'alipay',
  'wechat_pay',
  'sbp',           // Russia's Faster Payments System, by QR code
  'bank_transfer', // invoice with a payment reference, settled by bank statement
  'cash',          // at a desk or store
  'card_present',  // a terminal at a desk or store
  'wallet',        // the line's own money balance
  'agent',         // taken by a payment agent (a store chain's till, a terminal) that reported it over OSMP or the partner API
] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** Taken by staff at a desk only (services/desk): never offered to, or accepted from, a customer. */
export const DESK_PAYMENT_METHODS = ['cash', 'card_present'] as const satisfies readonly PaymentMethod[];
export type DeskPaymentMethod = (typeof DESK_PAYMENT_METHODS)[number];

export function isDeskMethod(method: string): method is DeskPaymentMethod {
  return (DESK_PAYMENT_METHODS as readonly string[]).includes(method);
}

/**
 * Money already taken before the payment row is written — by staff at a desk, or by a payment
 * agent's cashier — so the payment needs its taker's record (StartPaymentInput.in_person) and is
 * never offered to, or accepted from, a customer's own channel.
 */
export const IN_PERSON_PAYMENT_METHODS = [...DESK_PAYMENT_METHODS, 'agent'] as const satisfies readonly PaymentMethod[];

export function isInPersonMethod(method: string): boolean {
  return (IN_PERSON_PAYMENT_METHODS as readonly string[]).includes(method);
}

/** Why a payment failed, in our words; each maps to a localized customer message. */
export const PAYMENT_FAILURE_CODES = [
  'insufficient_funds',
  'card_expired',
  'three_d_secure_failed',
  'fraud_suspected',
  'declined',
  'expired',               // the customer did not finish in time
  'canceled_by_customer',
  'issuer_unavailable',
  'provider_error',
] as const;
export type PaymentFailureCode = (typeof PAYMENT_FAILURE_CODES)[number];

export const PAYMENT_STATUSES = ['pending', 'requires_action', 'succeeded', 'failed', 'canceled'] as const;
export type ProviderPaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Where the customer goes to pay: the provider's page, a QR code to scan, or the transfer's reference. */
export const nextActionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('redirect'), url: z.string() }),
  z.object({ type: z.literal('qr'), payload: z.string(), url: z.string().optional() }),
  z.object({ type: z.literal('bank_transfer'), reference: z.string() }),
]);
export type NextAction = z.infer<typeof nextActionSchema>;

export interface ProviderPaymentState {
  readonly provider_payment_id: string;
  /** Our payment id as the provider echoes it (metadata, custom_id), when it does. */
  readonly merchant_payment_id?: string;
  readonly status: ProviderPaymentStatus;
  readonly amount_minor: number;
  readonly currency: string;
  readonly next_action?: NextAction;
  readonly failure?: { readonly code: PaymentFailureCode; readonly provider_code?: string };
}

export interface InitiatePaymentInput {
  /** Our payment id; also the idempotency key sent to the provider. */
  readonly payment_id: string;
  readonly order_id: string;
  readonly amount_minor: number;
  readonly currency: 'RUB';
  readonly method: PaymentMethod;
  readonly description: string;
  /** Where the provider sends the customer's browser back to. */
  readonly return_url: string;
  readonly customer: { readonly language: string; readonly email?: string | null; readonly phone?: string | null };
}

export interface RefundInput {
  /** Our refund id; also the idempotency key sent to the provider. */
  readonly refund_id: string;
  readonly provider_payment_id: string;
  readonly amount_minor: number;
  readonly currency: 'RUB';
}

export interface ProviderRefundState {
  readonly provider_refund_id: string;
  readonly status: 'pending' | 'succeeded' | 'failed';
}

/**
 * The largest webhook body anyone takes: the HTTP endpoint refuses a larger one (413) before
 * reading it, and every adapter's parseWebhook refuses one too (malformed) when called otherwise.
 * Provider notifications are a few kilobytes (a Stripe event embeds one object); this leaves room.
 */
export const WEBHOOK_BODY_BYTES_MAX = 256 * 1024;

export interface WebhookRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly raw_body: Buffer;
  readonly remote_address: string;
}

/** A verified notification: what the provider says happened, keyed by its event id for dedupe. */
export type WebhookEvent =
  | { readonly event_id: string; readonly type: 'payment'; readonly payment: ProviderPaymentState }
  | { readonly event_id: string; readonly type: 'refund'; readonly provider_payment_id: string; readonly refund: ProviderRefundState }
  | { readonly event_id: string; readonly type: 'ignored'; readonly reason: string };

export interface PaymentProvider {
  readonly name: string;
  readonly methods: readonly PaymentMethod[];
  initiatePayment(input: InitiatePaymentInput): Promise<ProviderPaymentState>;
  getPaymentStatus(provider_payment_id: string): Promise<ProviderPaymentState>;
  cancelPayment(provider_payment_id: string): Promise<ProviderPaymentState>;
  refundPayment(input: RefundInput): Promise<ProviderRefundState>;
  /**
   * Verifies and decodes a webhook. Throws WebhookRejected (forged, stale, malformed) — the caller
   * answers 4xx and changes nothing. Providers without signatures (YooKassa) re-fetch the object.
   */
  parseWebhook(request: WebhookRequest): Promise<WebhookEvent>;
}

export type ProviderErrorKind = 'retryable' | 'definitive' | 'indeterminate';

export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly provider: string;
  readonly provider_code: string | undefined;
  readonly failure_code: PaymentFailureCode | undefined;

  constructor(
    provider: string,
    kind: ProviderErrorKind,
    message: string,
    details: { provider_code?: string; failure_code?: PaymentFailureCode; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ProviderError';
    this.provider = provider;
    this.kind = kind;
    this.provider_code = details.provider_code;
    this.failure_code = details.failure_code;
  }
}

export class WebhookRejected extends Error {
  readonly reason: 'signature' | 'stale' | 'malformed' | 'unknown_source';
  constructor(reason: WebhookRejected['reason'], message: string) {
    super(message);
    this.name = 'WebhookRejected';
    this.reason = reason;
  }
}

/**
 * The provider has decided: succeeded, failed or canceled. A final payment never goes back to
 * pending; `succeeded` never changes again; a failed or canceled one may still become `succeeded`
 * (the money was taken after all: reality wins and is accounted for). See paymentMayMove in
 * services/renewal/settlement.ts, which applies this rule.
 */
export function isFinalPaymentStatus(status: ProviderPaymentStatus): boolean {
  return status === 'succeeded' || status === 'failed' || status === 'canceled';
}
