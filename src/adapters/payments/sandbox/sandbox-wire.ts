import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { PaymentFailureCode, ProviderPaymentStatus } from '../../../ports/payment-provider.js';

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

/** The part of an event the receiver relies on: which event, and which payment (and refund) it is about. */
const sandboxEventSchema = z.object({
  id: z.string().min(1).max(100),
  type: z.enum(['payment.updated', 'refund.updated']),
  data: z.object({
    payment_id: z.string().min(1).max(100),
    refund: z.object({ id: z.string().min(1).max(100) }).optional(),
  }),
});

export type ParsedSandboxEvent = z.infer<typeof sandboxEventSchema>;

/** The event in a webhook body, or undefined when the body is not one (not JSON, or not this shape). */
export function parseSandboxEvent(body: string): ParsedSandboxEvent | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = sandboxEventSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export function signatureHeader(secret: string, body: string, timestamp_s: number): string {
  const digest = createHmac('sha256', secret).update(`${timestamp_s}.${body}`).digest('hex');
  return `t=${timestamp_s},v1=${digest}`;
}

export type SignatureCheck = 'valid' | 'malformed' | 'mismatch' | 'stale';

/** Constant-time check of a signature header, with a replay window in seconds. */
export function checkSignature(secret: string, body: string, header: string | undefined, now_s: number, tolerance_s: number): SignatureCheck {
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
