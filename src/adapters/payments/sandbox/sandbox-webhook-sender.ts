import { z } from 'zod';
import { signatureHeader, SANDBOX_SIGNATURE_HEADER } from './sandbox-wire.js';

export const SANDBOX_WEBHOOK_JOB = 'sandbox.deliver_webhook';
export const SANDBOX_SETTLE_JOB = 'sandbox.settle_timeout_payment';

/** The sandbox's own outbox jobs (it plays a provider: its deliveries and late outcomes), with their payloads. */
export const SANDBOX_JOB_PAYLOADS = {
  /** One webhook to deliver: where, and the event's body (signed when sent). */
  [SANDBOX_WEBHOOK_JOB]: z.object({ url: z.string().min(1), body: z.string().min(1) }),
  /** The "timeout" test card's outcome, due now. */
  [SANDBOX_SETTLE_JOB]: z.object({ provider_payment_id: z.string().min(1) }),
} as const;

export type SandboxWebhookJob = z.infer<(typeof SANDBOX_JOB_PAYLOADS)[typeof SANDBOX_WEBHOOK_JOB]>;

/** How long the sandbox waits for our webhook endpoint, like a real provider's delivery timeout. */
export const WEBHOOK_DELIVERY_TIMEOUT_MS = 10_000;

/** A queued sandbox webhook (the SANDBOX_WEBHOOK_JOB payload) as it goes out: where to, headers signed now, and the body. */
export function sandboxWebhookDelivery(
  { url, body }: SandboxWebhookJob,
  secret: string,
  now_ms: number,
): { url: string; headers: Record<string, string>; body: string } {
  return { url, headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: signatureHeader(secret, body, Math.floor(now_ms / 1000)) }, body };
}

/**
 * Delivers one sandbox webhook over HTTP, signed at send time (so a retried delivery carries a fresh
 * timestamp, as Stripe's do). Anything but a 2xx throws, and the job is retried with backoff.
 */
export async function deliverSandboxWebhook(payload: SandboxWebhookJob, secret: string, now_ms: number): Promise<void> {
  const { url, headers, body } = sandboxWebhookDelivery(payload, secret, now_ms);
  const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(WEBHOOK_DELIVERY_TIMEOUT_MS) });
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`webhook endpoint answered ${response.status}`);
  }
}
