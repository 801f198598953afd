import { z } from 'zod';
import { CURRENCY_MINOR_DIGITS, isCurrency, minorToDecimalString } from '../../../core/money.js';
import { parseMsisdn } from '../../../core/phone.js';
import { ProviderError, type InitiatePaymentInput, type NextAction, type PaymentFailureCode, type PaymentMethod, type ProviderPaymentState, type ProviderRefundState } from '../../../ports/payment-provider.js';

/**
 * YooKassa API v3 on the wire (yookassa.ru/developers/api), and pure translations between it and
 * the PaymentProvider port. Responses are parsed with zod: unknown fields are dropped (YooKassa
 * adds fields over time), but a field we rely on that is missing or of another shape is an error.
 */

export const YOOKASSA_PROVIDER_NAME = 'yookassa';

/** YooKassa's documented limits. */
export const DESCRIPTION_LENGTH_MAX = 128;
export const RETURN_URL_LENGTH_MAX = 2048;
export const IDEMPOTENCE_KEY_LENGTH_MAX = 64;
/** Object ids are UUID-like ("2f3b588d-000f-5000-8000-1d6e87c7fbde"); anything else never goes into a URL. */
export const OBJECT_ID_PATTERN = /^[0-9A-Za-z-]{1,64}$/;

// ---------------------------------------------------------------------------------------------
// Wire types

/** "990.00": digits, a point, exactly the currency's minor digits (YooKassa always sends them). */
const decimalAmountPattern = /^\d+\.\d+$/;

export const amountSchema = z.object({
  value: z.string().regex(decimalAmountPattern, 'must be a decimal amount such as "990.00"'),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code'),
});
export type YooKassaAmount = z.infer<typeof amountSchema>;

export const objectIdSchema = z.string().regex(OBJECT_ID_PATTERN, 'must be a YooKassa object id');

export const PAYMENT_STATUSES = ['pending', 'waiting_for_capture', 'succeeded', 'canceled'] as const;
export type YooKassaPaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const CANCELLATION_PARTIES = ['yoo_money', 'payment_network', 'merchant'] as const;

const cancellationDetailsSchema = z.object({
  party: z.string(),
  reason: z.string(),
});
export type YooKassaCancellationDetails = z.infer<typeof cancellationDetailsSchema>;

const confirmationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('redirect'), confirmation_url: z.string().optional(), return_url: z.string().optional() }),
  z.object({ type: z.literal('qr'), confirmation_data: z.string().optional() }),
  // embedded, external, mobile_application: never requested by us, tolerated when read.
  z.object({ type: z.enum(['embedded', 'external', 'mobile_application']) }),
]);
export type YooKassaConfirmation = z.infer<typeof confirmationSchema>;

export const paymentSchema = z.object({
  id: objectIdSchema,
  status: z.enum(PAYMENT_STATUSES),
  amount: amountSchema,
  paid: z.boolean().optional(),
  description: z.string().optional(),
  created_at: z.string().optional(),
  confirmation: confirmationSchema.optional(),
  cancellation_details: cancellationDetailsSchema.optional(),
  payment_method: z.object({ type: z.string() }).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  refunded_amount: amountSchema.optional(),
  test: z.boolean().optional(),
});
export type YooKassaPayment = z.infer<typeof paymentSchema>;

export const REFUND_STATUSES = ['pending', 'succeeded', 'canceled'] as const;

export const refundSchema = z.object({
  id: objectIdSchema,
  payment_id: objectIdSchema,
  status: z.enum(REFUND_STATUSES),
  amount: amountSchema,
  created_at: z.string().optional(),
  description: z.string().optional(),
  cancellation_details: cancellationDetailsSchema.optional(),
});
export type YooKassaRefund = z.infer<typeof refundSchema>;

/** What YooKassa POSTs to our notification URL; only the event and the object id are believed. */
export const notificationSchema = z.object({
  type: z.literal('notification'),
  event: z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'must be an event name such as payment.succeeded'),
  object: z.object({ id: objectIdSchema }),
});
export type YooKassaNotification = z.infer<typeof notificationSchema>;

/** The body of every non-200 answer (yookassa.ru/developers/using-api/response-handling/response-format). */
export const errorSchema = z.object({
  type: z.literal('error'),
  id: z.string().optional(),
  code: z.string(),
  description: z.string().optional(),
  parameter: z.string().optional(),
});
export type YooKassaError = z.infer<typeof errorSchema>;

export type YooKassaMethodType = 'bank_card' | 'yoo_money' | 'sbp';

export interface YooKassaReceipt {
  readonly customer: { readonly email?: string; readonly phone?: string };
  readonly items: readonly {
    readonly description: string;
    readonly quantity: string;
    readonly amount: YooKassaAmount;
    readonly vat_code: number;
    readonly payment_subject: 'service';
    readonly payment_mode: 'full_payment';
  }[];
}

export interface YooKassaCreatePaymentRequest {
  readonly amount: YooKassaAmount;
  readonly capture: true;
  readonly confirmation: { readonly type: 'redirect'; readonly return_url: string } | { readonly type: 'qr'; readonly return_url: string };
  readonly payment_method_data: { readonly type: YooKassaMethodType };
  readonly description: string;
  readonly metadata: { readonly order_id: string; readonly payment_id: string };
  readonly receipt?: YooKassaReceipt;
}

export interface YooKassaCreateRefundRequest {
  readonly payment_id: string;
  readonly amount: YooKassaAmount;
}

// ---------------------------------------------------------------------------------------------
// Amounts

/** Integer minor units → "990.00" for the wire. */
export function decimalFromMinor(amount_minor: number, currency: string): string {
  if (!isCurrency(currency)) throw new RangeError(`unsupported currency ${currency}`);
  if (amount_minor < 0) throw new RangeError(`amount_minor must not be negative, got ${amount_minor}`);
  return minorToDecimalString(amount_minor, currency);
}

/** "990.00" → 99000, by string arithmetic. Anything but exactly the documented form throws. */
export function minorFromDecimal(amount: YooKassaAmount): number {
  if (!isCurrency(amount.currency)) throw new RangeError(`unsupported currency ${amount.currency}`);
  const digits = CURRENCY_MINOR_DIGITS[amount.currency];
  const match = new RegExp(`^(0|[1-9]\\d*)\\.(\\d{${digits}})$`).exec(amount.value);
  if (!match) throw new RangeError(`amount "${amount.value}" is not a ${amount.currency} decimal with ${digits} digits after the point`);
  const amount_minor = Number(`${match[1]}${match[2]}`);
  if (!Number.isSafeInteger(amount_minor)) throw new RangeError(`amount "${amount.value}" is too large`);
  return amount_minor;
}

function amountFromMinor(amount_minor: number, currency: string): YooKassaAmount {
  return { value: decimalFromMinor(amount_minor, currency), currency };
}

// ---------------------------------------------------------------------------------------------
// Requests

const METHOD_TYPES: Partial<Record<PaymentMethod, YooKassaMethodType>> = {
  card: 'bank_card',
  yoomoney: 'yoo_money',
  sbp: 'sbp',
};

export const YOOKASSA_METHODS: readonly PaymentMethod[] = Object.freeze(Object.keys(METHOD_TYPES) as PaymentMethod[]);

/** Our method → `payment_method_data.type`; a method YooKassa does not take here is a definitive refusal. */
export function methodTypeFor(method: PaymentMethod): YooKassaMethodType {
  const type = METHOD_TYPES[method];
  if (type === undefined) {
    throw new ProviderError(YOOKASSA_PROVIDER_NAME, 'definitive', `YooKassa adapter does not take payment method "${method}" (it takes ${YOOKASSA_METHODS.join(', ')})`, { failure_code: 'provider_error' });
  }
  return type;
}

export interface PaymentRequestOptions {
  /** 54-FZ VAT code of the item: 1 = no VAT … see YooKassa's vat_code table. */
  readonly vat_code: number;
  /** How an SBP customer confirms: a QR code (payload for our own page) or YooKassa's hosted page. */
  readonly sbp_confirmation: 'qr' | 'redirect';
}

export function createPaymentRequest(input: InitiatePaymentInput, options: PaymentRequestOptions): YooKassaCreatePaymentRequest {
  const type = methodTypeFor(input.method);
  const amount = amountFromMinor(input.amount_minor, input.currency);
  const description = truncateUtf16(input.description, DESCRIPTION_LENGTH_MAX);
  const receipt = receiptFor(input.customer, description, amount, options.vat_code);
  const confirmation_type = type === 'sbp' ? options.sbp_confirmation : 'redirect';
  return {
    amount,
    // One stage: the money is taken when the customer confirms. Two-stage holds would need a
    // capture step the port does not have.
    capture: true,
    confirmation: { type: confirmation_type, return_url: input.return_url },
    payment_method_data: { type },
    description,
    metadata: { order_id: input.order_id, payment_id: input.payment_id },
    ...(receipt === undefined ? {} : { receipt }),
  };
}

/** A 54-FZ receipt needs somewhere to send it: without an email or a valid phone there is none. */
function receiptFor(customer: InitiatePaymentInput['customer'], description: string, amount: YooKassaAmount, vat_code: number): YooKassaReceipt | undefined {
  const email = customer.email?.trim() || undefined;
  const phone = receiptPhone(customer.phone);
  if (email === undefined && phone === undefined) return undefined;
  return {
    customer: { ...(email === undefined ? {} : { email }), ...(phone === undefined ? {} : { phone }) },
    items: [{ description, quantity: '1.00', amount, vat_code, payment_subject: 'service', payment_mode: 'full_payment' }],
  };
}

/** YooKassa wants ITU-T E.164 without the plus: "79001234567". */
function receiptPhone(phone: string | null | undefined): string | undefined {
  if (phone === undefined || phone === null) return undefined;
  const parsed = parseMsisdn(phone);
  return parsed.ok ? parsed.msisdn.replace(/^\+/, '') : undefined;
}

export function createRefundRequest(provider_payment_id: string, amount_minor: number, currency: string): YooKassaCreateRefundRequest {
  return { payment_id: provider_payment_id, amount: amountFromMinor(amount_minor, currency) };
}

/** Cuts to at most `length_max` UTF-16 units (YooKassa counts Java chars) without splitting a pair. */
export function truncateUtf16(text: string, length_max: number): string {
  if (text.length <= length_max) return text;
  let result = '';
  for (const character of text) {
    if (result.length + character.length > length_max) break;
    result += character;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Responses

/**
 * cancellation_details.reason → our failure code. Reasons not listed (invalid_csc,
 * country_forbidden, payment_method_restricted, …) are declines in the customer's eyes.
 */
const FAILURE_CODES: Readonly<Record<string, PaymentFailureCode>> = {
  insufficient_funds: 'insufficient_funds',
  card_expired: 'card_expired',
  '3d_secure_failed': 'three_d_secure_failed',
  fraud_suspected: 'fraud_suspected',
  general_decline: 'declined',
  call_issuer: 'declined',
  expired_on_confirmation: 'expired',
  expired_on_capture: 'expired',
  issuer_unavailable: 'issuer_unavailable',
  // YooKassa's own technical failure: nothing is wrong with the customer's money.
  internal_timeout: 'provider_error',
};

/** The reason YooKassa gives when we cancelled it ourselves: a cancellation, not a failure. */
export const CANCELED_BY_MERCHANT = 'canceled_by_merchant';

export function failureCodeFor(reason: string): PaymentFailureCode {
  return FAILURE_CODES[reason] ?? 'declined';
}

export function paymentStateFrom(payment: YooKassaPayment): ProviderPaymentState {
  const base = { provider_payment_id: payment.id, amount_minor: minorFromDecimal(payment.amount), currency: payment.amount.currency };
  switch (payment.status) {
    case 'pending':
      return pendingState(base, payment.confirmation);
    case 'waiting_for_capture':
      // We always send capture: true, so this only appears if someone changed the shop's
      // settings or captured by hand: the money is held, not taken, so it is still pending.
      return { ...base, status: 'pending' };
    case 'succeeded':
      return { ...base, status: 'succeeded' };
    case 'canceled':
      return canceledState(base, payment.cancellation_details);
  }
}

type StateBase = Pick<ProviderPaymentState, 'provider_payment_id' | 'amount_minor' | 'currency'>;

function pendingState(base: StateBase, confirmation: YooKassaConfirmation | undefined): ProviderPaymentState {
  const next_action = nextActionFrom(confirmation);
  return next_action === undefined ? { ...base, status: 'pending' } : { ...base, status: 'requires_action', next_action };
}

function nextActionFrom(confirmation: YooKassaConfirmation | undefined): NextAction | undefined {
  if (confirmation?.type === 'redirect' && confirmation.confirmation_url) return { type: 'redirect', url: confirmation.confirmation_url };
  if (confirmation?.type === 'qr' && confirmation.confirmation_data) {
    const payload = confirmation.confirmation_data;
    // SBP's payload is itself a link (qr.nspk.ru) that opens the bank app on a phone.
    return /^https:\/\//.test(payload) ? { type: 'qr', payload, url: payload } : { type: 'qr', payload };
  }
  return undefined;
}

function canceledState(base: StateBase, details: YooKassaCancellationDetails | undefined): ProviderPaymentState {
  if (details?.reason === CANCELED_BY_MERCHANT) return { ...base, status: 'canceled' };
  const reason = details?.reason;
  return { ...base, status: 'failed', failure: { code: reason === undefined ? 'declined' : failureCodeFor(reason), ...(reason === undefined ? {} : { provider_code: reason }) } };
}

export function refundStateFrom(refund: YooKassaRefund): ProviderRefundState {
  const status = refund.status === 'canceled' ? 'failed' : refund.status;
  return { provider_refund_id: refund.id, status };
}

/** "YooKassa 400 invalid_request: amount.value is bad (parameter amount.value, error id …)". */
export function describeError(http_status: number, error: YooKassaError | undefined): string {
  if (error === undefined) return `YooKassa answered HTTP ${http_status}`;
  const details = [error.parameter === undefined ? undefined : `parameter ${error.parameter}`, error.id === undefined ? undefined : `error id ${error.id}`].filter((part) => part !== undefined);
  return `YooKassa ${http_status} ${error.code}: ${error.description ?? '(no description)'}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}
