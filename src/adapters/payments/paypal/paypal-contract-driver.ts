import assert from 'node:assert/strict';
import type { WebhookRequest } from '../../../ports/payment-provider.js';
import type { ProviderDriver } from '../kit/provider-contract.js';
import { RETRIES_WITHOUT_WAITING } from '../kit/provider-testing.js';
import { paypalConfigFromEnv, type PayPalConfig } from './paypal-config.js';
import { FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, FAKE_WEBHOOK_ID, PayPalFake, type DeliveryOptions } from './paypal-fake-server.js';
import { PayPalProvider } from './paypal-provider.js';

/** Longer than the impatient provider's timeout: its answer never arrives in time. */
const LATE_ANSWER_MS = 1_000;
const IMPATIENT_TIMEOUT_MS = 200;

/** The fake's settings through the real environment parser (http is allowed on loopback only). */
export function paypalConfigFor(fake: PayPalFake, overrides: Record<string, string> = {}): PayPalConfig {
  const config = paypalConfigFromEnv({
    PAYPAL_CLIENT_ID: FAKE_CLIENT_ID, PAYPAL_CLIENT_SECRET: FAKE_CLIENT_SECRET, PAYPAL_WEBHOOK_ID: FAKE_WEBHOOK_ID,
    PAYPAL_API_BASE: fake.base_url, ...overrides,
  });
  assert.ok(config);
  return config;
}

/**
 * PayPal against its local fake (paypal-fake-server.ts). The buyer approves on PayPal's page and
 * the money is taken when we capture, which getPaymentStatus does for an approved order: so
 * "pay" is the approval, and the status call that follows is the capture.
 */
export function paypalDriver(): ProviderDriver {
  let fake: PayPalFake | undefined;
  let provider: PayPalProvider | undefined;
  const started = (): PayPalFake => fake ?? assert.fail('the PayPal fake is not started');
  const delivered = (event: Parameters<PayPalFake['delivery']>[0], options: DeliveryOptions = {}): WebhookRequest => ({ ...started().delivery(event, options), remote_address: '127.0.0.1' });

  return {
    label: 'paypal',
    method: 'paypal',
    next_action: 'redirect',
    async start() {
      fake = await PayPalFake.start();
      provider = new PayPalProvider(paypalConfigFor(fake), { retries: RETRIES_WITHOUT_WAITING });
      return provider;
    },
    stop: async () => fake?.close(),
    paymentCount: async () => started().order_count,
    async pay(id) {
      started().approve(id);
      return [delivered(started().orderApprovedEvent(id))];
    },
    decline: {
      failure_code: 'declined',
      async refuse(id) {
        started().approve(id);
        started().declineNextCapture();
        return [delivered(started().orderApprovedEvent(id))];
      },
    },
    time_out: {
      async answerLate() {
        started().injectFault({ kind: 'delay', delay_ms: LATE_ANSWER_MS, after_processing: true }, 1, { method: 'POST', path_prefix: '/v2/checkout/orders' });
        return new PayPalProvider(
          { ...paypalConfigFor(started()), timeout_ms: IMPATIENT_TIMEOUT_MS },
          { retries: RETRIES_WITHOUT_WAITING },
        );
      },
    },
    webhooks: {
      // The capture goes to review (PENDING), then clears: PAYMENT.CAPTURE.PENDING, then .COMPLETED.
      async steps(id) {
        started().approve(id);
        started().nextCapture('pending');
        await (provider ?? assert.fail('not started')).getPaymentStatus(id);
        const capture_id = started().captureIdOf(id) ?? assert.fail(`no capture of ${id}`);
        const earlier = delivered(started().captureEvent(capture_id, 'PAYMENT.CAPTURE.PENDING'));
        started().settleCapture(capture_id, 'COMPLETED');
        return { earlier, later: delivered(started().captureEvent(capture_id, 'PAYMENT.CAPTURE.COMPLETED')) };
      },
      refunded: async (_id, refund) => delivered(started().refundEvent(refund.provider_refund_id)),
      forgery: {
        what: 'signed with a key that is not PayPal\'s',
        reason: 'signature',
        forge: (delivery) => delivered(JSON.parse(delivery.raw_body.toString('utf8')) as Parameters<PayPalFake['delivery']>[0], { forgery: 'wrong_key' }),
      },
    },
    refund: { refunds: true },
    cancel: { lapses_because: 'PayPal has no call to cancel an order with intent CAPTURE: an unapproved order expires by itself, and nothing is taken until we capture' },
  };
}
