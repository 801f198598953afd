import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PAYMENT_FAILURE_CODES, WebhookRejected, type PaymentFailureCode, type ProviderPaymentStatus } from '../../../ports/payment-provider.js';

/**
 * The sandbox provider's wire format: events signed the way Stripe signs its webhooks —
 * header `Roamcard-Sandbox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` —
 * and test cards that behave like Stripe's.
 */

export const SANDBOX_SIGNATURE_HEADER = 'roamcard-sandbox-signature';

export type TestCardBehaviour =
  | { readonly outcome: 'succeeded' }
  | { readonly outcome: 'failed'; readonly failure_code: PaymentFailureCode }
  | { readonly outcome: 'three_d_secure' }
  | { readonly outcome: 'timeout' };

/** The documented test cards (README). Any other Luhn-valid number succeeds, as a real card would. */
export const TEST_CARDS: Readonly<Record<string, TestCardBehaviour>> = {
  '4242424242424242': { outcome: 'succeeded' },
  '4000000000009995': { outcome: 'failed', failure_code: 'insufficient_funds' },
  '4000000000000069': { outcome: 'failed', failure_code: 'card_expired' },
  '4000000000003220': { outcome: 'three_d_secure' },
  '4000000000000119': { outcome: 'timeout' },
};

export function testCardBehaviour(card_number: string): TestCardBehaviour {
  return TEST_CARDS[card_number] ?? { outcome: 'succeeded' };
}

export interface SandboxEvent {
  readonly id: string;
  readonly type: 'payment.updated' | 'refund.updated';
  /** Unix seconds when the event was created. */
  readonly created: number;
  /** Per payment, increasing: lets the receiver see order even when delivery reorders. */
  readonly sequence: number;
  readonly data: {
    readonly payment_id: string;
    readonly merchant_payment_id: string;
    readonly status: ProviderPaymentStatus;
    readonly amount_minor: number;
    readonly currency: string;
    readonly failure_code: PaymentFailureCode | null;
    readonly refund?: { readonly id: string; readonly merchant_refund_id: string; readonly status: 'succeeded' | 'failed' | 'pending' };
  };
}

/** Our ids are a short prefix and 24–32 hex digits; anything much longer is not one of ours. */
export const SANDBOX_ID_LENGTH_MAX = 64;
/** A rejection names this many bad fields: enough to debug, bounded in the log. */
const REJECTION_ISSUES_MAX = 3;

const sandboxId = z.string().min(1).max(SANDBOX_ID_LENGTH_MAX);
const paymentData = z.object({
  payment_id: sandboxId,
  merchant_payment_id: sandboxId,
  status: z.enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled']),
  amount_minor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Z]{3}$/),
  failure_code: z.enum(PAYMENT_FAILURE_CODES).nullable(),
});
const eventEnvelope = { id: sandboxId, created: z.number().int().nonnegative(), sequence: z.number().int().positive() };

/**
 * What a signed body must be, field by field: a valid signature says who sent it, not that the
 * sender (a future version of the sandbox, a leaked secret) sent something we can act on.
 */
export const sandboxEventSchema = z.discriminatedUnion('type', [
  z.object({ ...eventEnvelope, type: z.literal('payment.updated'), data: paymentData }),
  z.object({
    ...eventEnvelope,
    type: z.literal('refund.updated'),
    data: paymentData.extend({ refund: z.object({ id: sandboxId, merchant_refund_id: sandboxId, status: z.enum(['succeeded', 'failed', 'pending']) }) }),
  }),
// What we accept is what we send: the compiler holds this schema to SandboxEvent.
]) satisfies z.ZodType<SandboxEvent>;

export type ParsedSandboxEvent = z.infer<typeof sandboxEventSchema>;

/** A verified body as an event; WebhookRejected('malformed') naming the first bad fields otherwise. */
export function parseSandboxEvent(body: string): ParsedSandboxEvent {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new WebhookRejected('malformed', 'sandbox webhook body is not JSON');
  }
  const parsed = sandboxEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new WebhookRejected('malformed', `sandbox webhook is not a sandbox event: ${parsed.error.issues.slice(0, REJECTION_ISSUES_MAX).map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function signatureHeader(secret: string, body: string, timestamp_s: number): string {
  const digest = createHmac('sha256', secret).update(`${timestamp_s}.${body}`).digest('hex');
  return `t=${timestamp_s},v1=${digest}`;
}

export type SignatureCheck = 'valid' | 'malformed' | 'mismatch' | 'stale';

/** Constant-time check of a signature header, with a replay window in seconds. */
export function checkSignature(
  secret: string,
  body: string,
  header: string | undefined,
  now_s: number,
  tolerance_s: number,
): SignatureCheck {
  if (!header) return 'malformed';
  const parts = new Map(header.split(',').map((part) => {
    const [key = '', ...rest] = part.trim().split('=');
    return [key, rest.join('=')] as const;
  }));
  const timestamp_s = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isSafeInteger(timestamp_s) || !given || !/^[0-9a-f]{64}$/.test(given)) return 'malformed';
  const expected = createHmac('sha256', secret).update(`${timestamp_s}.${body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex'))) return 'mismatch';
  if (Math.abs(now_s - timestamp_s) > tolerance_s) return 'stale';
  return 'valid';
}
