import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ProviderError, WebhookRejected, type InitiatePaymentInput, type PaymentProvider, type WebhookEvent } from '../../../ports/payment-provider.js';
import { freePort } from '../../../testing/net.js';
import { closeNow, listenOnLoopback } from './fake-server.js';
import { readBody } from './json-body.js';
import type { ProviderRetryOptions } from './provider-retries.js';

/**
 * What every adapter's tests need, written once: a payment to start, the error a call must fail
 * with, an address where nothing listens, and a webhook endpoint that answers as the app's does.
 */

/** The same bounded retries as in production, without the waits: a fault test stays fast. */
export const RETRIES_WITHOUT_WAITING: ProviderRetryOptions = Object.freeze({ random: () => 0 });

/** A payment as the renewal service asks for one: fresh ids, 990,00 ₽ by card, a customer who reads Russian. */
export function paymentInput(overrides: Partial<InitiatePaymentInput> = {}): InitiatePaymentInput {
  const serial = randomUUID().replaceAll('-', '');
  return {
    payment_id: `pay_${serial}`,
    order_id: `ord_${serial}`,
    amount_minor: 99_000,
    currency: 'RUB',
    method: 'card',
    description: 'Renewal of +7900***4567: 30 days, 10 GB',
    return_url: `https://roamcard.example/orders/ord_${serial}`,
    customer: { language: 'ru' },
    ...overrides,
  };
}

/** The ProviderError `promise` fails with, after checking each field `expected` names. */
export async function providerError(promise: Promise<unknown>, expected: Partial<Pick<ProviderError, 'kind' | 'provider_code' | 'failure_code'>> = {}): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    for (const [field, value] of Object.entries(expected)) assert.equal(error[field as keyof typeof expected], value, `${field} of "${error.message}"`);
    return error;
  }
  return assert.fail('expected a ProviderError, but the call succeeded');
}

/** The WebhookRejected `promise` fails with, after checking its reason when one is given. */
export async function webhookRejection(promise: Promise<unknown>, reason?: WebhookRejected['reason']): Promise<WebhookRejected> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof WebhookRejected, `expected WebhookRejected, got ${String(error)}`);
    if (reason !== undefined) assert.equal(error.reason, reason, error.message);
    return error;
  }
  return assert.fail('expected WebhookRejected, but the webhook was accepted');
}

/** A loopback URL where nothing listens: a provider that cannot be reached at all. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

/** Webhook bodies a receiver takes: far more than any provider sends, as the app's endpoint. */
const RECEIVER_BODY_BYTES_MAX = 1024 * 1024;

export interface WebhookReceiver {
  readonly url: string;
  /** Every event parseWebhook accepted, in arrival order. */
  readonly received: readonly WebhookEvent[];
  close(): Promise<void>;
}

/**
 * A webhook endpoint on loopback that answers as the app's (channels/http/routes/webhooks.ts):
 * 200 with the event, 400 `{reason}` for a rejected delivery, 503 `{error}` when the provider
 * could not be asked (it will deliver again). `provider` is read at each delivery.
 */
export async function startWebhookReceiver(provider: () => PaymentProvider): Promise<WebhookReceiver> {
  const received: WebhookEvent[] = [];
  const server = createServer((request, response) => {
    const answer = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    void readBody(request, RECEIVER_BODY_BYTES_MAX)
      .then((raw_body) => {
        if (raw_body === undefined) throw new WebhookRejected('malformed', `body over ${RECEIVER_BODY_BYTES_MAX} bytes`);
        return provider().parseWebhook({ headers: request.headers, raw_body, remote_address: request.socket.remoteAddress ?? '' });
      })
      .then((event) => {
        received.push(event);
        answer(200, event);
      })
      .catch((error: unknown) => {
        if (error instanceof WebhookRejected) answer(400, { reason: error.reason });
        else answer(503, { error: error instanceof Error ? error.message : String(error) });
      });
  });
  const origin = await listenOnLoopback(server);
  return { url: `${origin}/webhooks/test`, received, close: () => closeNow(server) };
}
