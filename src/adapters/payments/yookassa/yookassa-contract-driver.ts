import assert from 'node:assert/strict';
import type { WebhookRequest } from '../../../ports/payment-provider.js';
import type { ProviderDriver } from '../kit/provider-contract.js';
import { RETRIES_WITHOUT_WAITING } from '../kit/provider-testing.js';
import { yookassaConfigFromEnv, type YooKassaConfig } from './yookassa-config.js';
import { YooKassaFake } from './yookassa-fake-server.js';
import { YooKassaProvider } from './yookassa-provider.js';

/** An address in YooKassa's published notification ranges (YOOKASSA_NOTIFICATION_IPS_DEFAULT). */
export const YOOKASSA_ADDRESS = '185.71.76.10';
/** Nowhere near YooKassa (TEST-NET-2). */
const STRANGER_ADDRESS = '198.51.100.7';
/** Longer than the impatient provider's timeout: its answer never arrives in time. */
const LATE_ANSWER_MS = 1_000;
const IMPATIENT_TIMEOUT_MS = 200;

/** The fake's settings through the real environment parser (http is allowed on loopback only). */
export function yookassaConfigFor(fake: YooKassaFake): YooKassaConfig {
  const config = yookassaConfigFromEnv({
    YOOKASSA_SHOP_ID: fake.shop_id, YOOKASSA_SECRET_KEY: fake.secret_key, YOOKASSA_API_URL: fake.api_url,
  });
  assert.ok(config);
  return config;
}

/** YooKassa against its local fake (yookassa-fake-server.ts), card payments. */
export function yookassaDriver(): ProviderDriver {
  let fake: YooKassaFake | undefined;
  const started = (): YooKassaFake => fake ?? assert.fail('the YooKassa fake is not started');
  const notification = (event: string, object_id: string): WebhookRequest => ({
    headers: { 'content-type': 'application/json' },
    raw_body: started().notificationBody(event, object_id),
    remote_address: YOOKASSA_ADDRESS,
  });

  return {
    label: 'yookassa',
    method: 'card',
    next_action: 'redirect',
    async start() {
      fake = await YooKassaFake.start();
      return new YooKassaProvider(yookassaConfigFor(fake), { retries: RETRIES_WITHOUT_WAITING });
    },
    stop: async () => fake?.close(),
    paymentCount: async () => started().payment_count,
    async pay(id) {
      started().complete(id, 'succeeded');
      return [notification('payment.succeeded', id)];
    },
    decline: {
      failure_code: 'insufficient_funds',
      async refuse(id) {
        started().complete(id, { canceled: 'insufficient_funds' });
        return [notification('payment.canceled', id)];
      },
    },
    time_out: {
      async answerLate() {
        started().delayNext(1, LATE_ANSWER_MS);
        return new YooKassaProvider(
          { ...yookassaConfigFor(started()), timeout_ms: IMPATIENT_TIMEOUT_MS },
          { retries: RETRIES_WITHOUT_WAITING },
        );
      },
    },
    webhooks: {
      // YooKassa believes only the object id of a notification and fetches the object again, so
      // the earlier delivery is the body as it stood while the payment was still pending.
      async steps(id) {
        const earlier = notification('payment.waiting_for_capture', id);
        started().complete(id, 'succeeded');
        return { earlier, later: notification('payment.succeeded', id) };
      },
      refunded: async (_id, refund) => notification('refund.succeeded', refund.provider_refund_id),
      forgery: {
        what: 'from an address outside YooKassa\'s published ranges (YooKassa signs nothing: the source address is its only proof)',
        reason: 'unknown_source',
        forge: (delivery) => ({ ...delivery, remote_address: STRANGER_ADDRESS }),
      },
    },
    refund: { refunds: true },
    cancel: { refused_because: 'YooKassa cancels only a two-stage payment waiting for capture; a one-stage payment (capture: true) never paid expires by itself' },
  };
}
