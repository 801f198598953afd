import { signatureHeader, SANDBOX_SIGNATURE_HEADER } from './sandbox-wire.js';

/** How long the sandbox waits for our webhook endpoint, like a real provider's delivery timeout. */
export const WEBHOOK_DELIVERY_TIMEOUT_MS = 10_000;

/**
 * Delivers one sandbox webhook over HTTP, signed at send time (so a retried delivery carries a fresh
 * timestamp, as Stripe's do). Anything but a 2xx throws, and the job is retried with backoff.
 */
export async function deliverSandboxWebhook(payload: unknown, secret: string, now_ms: number): Promise<void> {
  const { url, body } = payload as { url: string; body: string };
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: signatureHeader(secret, body, Math.floor(now_ms / 1000)) },
    body,
    signal: AbortSignal.timeout(WEBHOOK_DELIVERY_TIMEOUT_MS),
  });
  if (response.status < 200 || response.status >= 300) {
    throw new Error(`webhook endpoint answered ${response.status}`);
  }
}
