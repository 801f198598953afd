import assert from 'node:assert/strict';
import type { PaymentProvider, WebhookRequest } from '../../../ports/payment-provider.js';
import type { ProviderDriver } from '../kit/provider-contract.js';
import { paymentInput, RETRIES_WITHOUT_WAITING } from '../kit/provider-testing.js';
import { stripeConfigFromEnv, type StripeConfig } from './stripe-config.js';
import { StripeFakeServer, type FakeEvent } from './stripe-fake-server.js';
import { StripeProvider } from './stripe-provider.js';

export const STRIPE_TEST_SECRET_KEY = 'sk_test_roamcard0000000000000001';
export const STRIPE_TEST_WEBHOOK_SECRET = 'whsec_roamcard0000000000000001';
const FORGER_WEBHOOK_SECRET = 'whsec_forger';
/** The least STRIPE_TIMEOUT_MS allows; the fake answers well after it. */
const IMPATIENT_TIMEOUT_MS = 500;
const LATE_ANSWER_MS = 2_000;

/** The fake's settings through the real environment parser (http is allowed on loopback only). */
export function stripeConfigFor(fake: StripeFakeServer, overrides: Record<string, string> = {}): StripeConfig {
  const config = stripeConfigFromEnv({
    STRIPE_SECRET_KEY: STRIPE_TEST_SECRET_KEY, STRIPE_WEBHOOK_SECRET: STRIPE_TEST_WEBHOOK_SECRET,
    STRIPE_API_BASE: fake.base_url, ...overrides,
  });
  assert.ok(config);
  return config;
}

/**
 * Stripe against its local fake, in each of its two flows: cards through Checkout (payments are
 * Checkout Sessions, cs_…) and Alipay as a PaymentIntent confirmed at once (pi_…). Stripe refuses
 * RUB for Alipay (stripe-provider.test.ts holds that rule), so the PaymentIntent flow runs on a
 * fake with the currency rule off: what is checked here is the flow, not the currency.
 */
export function stripeDriver(flow: 'checkout' | 'payment_intent'): ProviderDriver {
  let fake: StripeFakeServer | undefined;
  const started = (): StripeFakeServer => fake ?? assert.fail('the Stripe fake is not started');
  const delivered = (event: FakeEvent, secret?: string): WebhookRequest => ({ ...started().delivery(event, { ...(secret === undefined ? {} : { secret }) }), remote_address: '127.0.0.1' });
  const checkout = flow === 'checkout';

  return {
    label: checkout ? 'stripe (Checkout, card)' : 'stripe (PaymentIntent, alipay)',
    method: checkout ? 'card' : 'alipay',
    next_action: 'redirect',
    async start() {
      fake = await StripeFakeServer.start({
        secret_key: STRIPE_TEST_SECRET_KEY, webhook_secret: STRIPE_TEST_WEBHOOK_SECRET, enforce_payment_method_currencies: checkout,
      });
      return new StripeProvider(stripeConfigFor(fake), { retries: RETRIES_WITHOUT_WAITING });
    },
    stop: async () => fake?.close(),
    paymentCount: async () => (checkout ? started().sessions().length : started().intents().length),
    pay: async (id) => [delivered(started().succeed(id))],
    decline: checkout
      ? {
          does_not_apply: 'inside Checkout a declined card is not the end: the customer may try another one until the session expires (then failed/expired); final declines are the PaymentIntent flow\'s',
          instead: {
            what: 'a declined attempt leaves the payment waiting for the customer',
            async check(subject: PaymentProvider) {
              const { provider_payment_id } = await subject.initiatePayment(paymentInput({ method: 'card' }));
              started().decline(provider_payment_id, { code: 'card_declined', decline_code: 'insufficient_funds' });
              assert.equal((await subject.getPaymentStatus(provider_payment_id)).status, 'requires_action');
            },
          },
        }
      : {
          failure_code: 'insufficient_funds',
          refuse: async (id) => [delivered(started().decline(id, { code: 'card_declined', decline_code: 'insufficient_funds' }))],
        },
    time_out: {
      async answerLate() {
        started().failNext({ kind: 'delay', delay_ms: LATE_ANSWER_MS });
        return new StripeProvider(
          stripeConfigFor(started(), { STRIPE_TIMEOUT_MS: String(IMPATIENT_TIMEOUT_MS) }),
          { retries: RETRIES_WITHOUT_WAITING },
        );
      },
    },
    webhooks: {
      // Checkout: a card declined, then another that paid. PaymentIntent: processing, then paid.
      async steps(id) {
        const earlier = checkout ? started().decline(id, { code: 'card_declined', decline_code: 'do_not_honor' }) : started().process(id);
        return { earlier: delivered(earlier), later: delivered(started().succeed(id)) };
      },
      async refunded(_id, refund) {
        const event = started().events.filter((candidate) => candidate.type === 'refund.created' && (candidate.data.object as { id?: string }).id === refund.provider_refund_id).at(-1);
        return delivered(event ?? assert.fail(`no refund.created for ${refund.provider_refund_id}`));
      },
      forgery: {
        what: 'signed with another endpoint\'s secret',
        reason: 'signature',
        forge: (delivery) => delivered(JSON.parse(delivery.raw_body.toString('utf8')) as FakeEvent, FORGER_WEBHOOK_SECRET),
      },
    },
    refund: { refunds: true },
    cancel: { cancels: true },
  };
}
