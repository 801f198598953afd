import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Stripe from 'stripe';
import { ConfigError } from '../../../config.js';
import type { InitiatePaymentInput, PaymentMethod, WebhookEvent } from '../../../ports/payment-provider.js';
import { closedPortUrl, paymentInput as basePaymentInput, providerError, startWebhookReceiver, webhookRejection, type WebhookReceiver } from '../kit/provider-testing.js';
import { stripeConfigFromEnv } from './stripe-config.js';
import { STRIPE_TEST_SECRET_KEY as SECRET_KEY, STRIPE_TEST_WEBHOOK_SECRET as WEBHOOK_SECRET, stripeConfigFor as configFor } from './stripe-contract-driver.js';
import { StripeFakeServer, type DeclineReason } from './stripe-fake-server.js';
import { StripeProvider, type StripeProviderOptions } from './stripe-provider.js';
import { providerErrorFromStripe } from './stripe-wire.js';

/**
 * What is Stripe's own: its wire parameters, its two flows (Checkout, PaymentIntents), decline
 * codes, cancellation reasons, SDK failure classes and signature checks. What every provider must
 * do is the contract's, run against both Stripe flows in kit/provider-contract.test.ts.
 */

const TOLERANCE_S = 300;
/** Our retries in tests: the same policy, with waits short enough not to slow the suite. */
const FAST_RETRIES: StripeProviderOptions['retries'] = { attempts_max: 3, backoff: { base_ms: 1, cap_ms: 5 } };
const AMOUNT_MINOR = 123_457; // 1 234,57 ₽: an odd number of kopecks, to see that nothing rounds

function providerFor(fake: StripeFakeServer, overrides: Record<string, string> = {}): StripeProvider {
  return new StripeProvider(configFor(fake, overrides), { retries: FAST_RETRIES });
}

let sequence = 0;
function paymentInput(method: PaymentMethod, overrides: Partial<InitiatePaymentInput> = {}): InitiatePaymentInput {
  sequence += 1;
  return basePaymentInput({ amount_minor: AMOUNT_MINOR, method, description: '30 days, 10 GB renewal', customer: { language: 'zh-Hans' }, ...overrides });
}

describe('stripe config', () => {
  it('is off without a secret key, and fills defaults', () => {
    assert.equal(stripeConfigFromEnv({}), undefined);
    assert.equal(stripeConfigFromEnv({ STRIPE_SECRET_KEY: '' }), undefined);
    const config = stripeConfigFromEnv({ STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    assert.deepEqual(config, { secret_key: SECRET_KEY, webhook_secret: WEBHOOK_SECRET, api_base: undefined, timeout_ms: 10_000, webhook_tolerance_s: 300, currency: 'rub' });
    assert.equal(stripeConfigFromEnv({ STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_CURRENCY: 'RUB' })?.currency, 'rub');
  });

  it('parses STRIPE_API_BASE into the SDK host, port and protocol', () => {
    const apiBase = (STRIPE_API_BASE: string) =>
      stripeConfigFromEnv({ STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_BASE })?.api_base;
    assert.deepEqual(apiBase('http://127.0.0.1:12111'), { protocol: 'http', host: '127.0.0.1', port: 12111 });
    assert.deepEqual(apiBase('https://stripe-proxy.example'), { protocol: 'https', host: 'stripe-proxy.example', port: 443 });
  });

  const bad: readonly [string, Record<string, string>, string][] = [
    ['a publishable key', { STRIPE_SECRET_KEY: 'pk_test_123' }, 'STRIPE_SECRET_KEY'],
    ['a webhook secret without whsec_', { STRIPE_WEBHOOK_SECRET: 'sec_123' }, 'STRIPE_WEBHOOK_SECRET'],
    ['plain http to another machine', { STRIPE_API_BASE: 'http://stripe.example' }, 'STRIPE_API_BASE'],
    ['an API base with a path', { STRIPE_API_BASE: 'https://api.stripe.com/v1' }, 'STRIPE_API_BASE'],
    ['a timeout below the minimum', { STRIPE_TIMEOUT_MS: '10' }, 'STRIPE_TIMEOUT_MS'],
    ['a tolerance of zero (would switch the check off)', { STRIPE_WEBHOOK_TOLERANCE_S: '0' }, 'STRIPE_WEBHOOK_TOLERANCE_S'],
    ['a currency other than rub', { STRIPE_CURRENCY: 'cny' }, 'STRIPE_CURRENCY'],
  ];
  for (const [what, overrides, variable] of bad) {
    it(`names ${variable} for ${what}`, () => {
      assert.throws(
        () => stripeConfigFromEnv({ STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ...overrides }),
        (error: unknown) => error instanceof ConfigError && error.problems.length === 1 && (error.problems[0] ?? '').startsWith(`${variable}:`),
      );
    });
  }

  it('needs the webhook secret together with the key', () => {
    assert.throws(() => stripeConfigFromEnv({ STRIPE_SECRET_KEY: SECRET_KEY }), (error: unknown) => error instanceof ConfigError && (error.problems[0] ?? '').startsWith('STRIPE_WEBHOOK_SECRET:'));
  });
});

describe('stripe provider against the fake Stripe API', () => {
  let fake: StripeFakeServer;
  let provider: StripeProvider;

  before(async () => {
    // Alipay and WeChat Pay mechanics in RUB; the real currency rule has its own suite below.
    fake = await StripeFakeServer.start({
      secret_key: SECRET_KEY, webhook_secret: WEBHOOK_SECRET, enforce_payment_method_currencies: false,
    });
    provider = providerFor(fake);
  });
  after(() => fake.close());

  it('card: creates a Checkout Session with Stripe wire parameters and our idempotency key', async () => {
    const input = paymentInput('card');
    const state = await provider.initiatePayment(input);
    assert.match(state.provider_payment_id, /^cs_/);
    const session = fake.session(state.provider_payment_id);
    assert.deepEqual(state, {
      provider_payment_id: session.id,
      status: 'requires_action',
      amount_minor: AMOUNT_MINOR,
      currency: 'RUB',
      next_action: { type: 'redirect', url: session.url },
    });
    const [request] = fake.requestsTo('POST', '/v1/checkout/sessions').slice(-1);
    assert.ok(request);
    assert.equal(request.content_type, 'application/x-www-form-urlencoded');
    assert.equal(request.idempotency_key, input.payment_id);
    assert.equal(request.stripe_version, Stripe.API_VERSION);
    for (const pair of ['mode=payment', 'allowed_payment_method_types[0]=card', 'line_items[0][price_data][unit_amount]=123457', 'line_items[0][price_data][currency]=rub', 'line_items[0][quantity]=1', `metadata[order_id]=${input.order_id}`, `payment_intent_data[metadata][payment_id]=${input.payment_id}`, 'payment_intent_data[metadata][roamcard_flow]=checkout', 'locale=zh']) {
      assert.ok(decodeURIComponent(request.raw_body).includes(pair), `body has ${pair}`);
    }
    assert.equal(request.params.success_url, input.return_url);
    assert.equal(request.params.cancel_url, input.return_url);
    assert.equal(request.params.client_reference_id, input.order_id);
  });

  it('Alipay: a PaymentIntent confirmed at once, with the Alipay redirect', async () => {
    const input = paymentInput('alipay');
    const state = await provider.initiatePayment(input);
    assert.match(state.provider_payment_id, /^pi_/);
    assert.equal(state.status, 'requires_action');
    assert.deepEqual(state.next_action, { type: 'redirect', url: `${fake.base_url}/alipay/${state.provider_payment_id}` });
    const [request] = fake.requestsTo('POST', '/v1/payment_intents').slice(-1);
    assert.ok(request);
    assert.equal(request.idempotency_key, input.payment_id);
    assert.deepEqual(request.params, {
      amount: '123457',
      currency: 'rub',
      allowed_payment_method_types: ['alipay'],
      payment_method_data: { type: 'alipay' },
      confirm: 'true',
      return_url: input.return_url,
      description: input.description,
      metadata: { order_id: input.order_id, payment_id: input.payment_id },
    });
  });

  it('WeChat Pay: client=web, no return_url, and the QR code to show', async () => {
    const input = paymentInput('wechat_pay');
    const state = await provider.initiatePayment(input);
    const intent = fake.intent(state.provider_payment_id);
    const qr = intent.next_action?.wechat_pay_display_qr_code;
    assert.ok(qr);
    assert.deepEqual(state.next_action, { type: 'qr', payload: qr.data, url: qr.hosted_instructions_url });
    const [request] = fake.requestsTo('POST', '/v1/payment_intents').slice(-1);
    assert.ok(request);
    assert.deepEqual(request.params.payment_method_options, { wechat_pay: { client: 'web' } });
    assert.deepEqual(request.params.allowed_payment_method_types, ['wechat_pay']);
    assert.equal(request.params.return_url, undefined);
  });

  it('refuses a method Stripe does not take here, without calling Stripe', async () => {
    const before_count = fake.requests.length;
    for (const method of ['sbp', 'yoomoney', 'cash'] as const) {
      const error = await providerError(provider.initiatePayment(paymentInput(method)));
      assert.equal(error.kind, 'definitive');
      assert.equal(error.provider_code, 'unsupported_method');
    }
    assert.equal(fake.requests.length, before_count);
  });

  const declines: readonly [DeclineReason, string][] = [
    [{ code: 'card_declined', decline_code: 'insufficient_funds' }, 'insufficient_funds'],
    [{ code: 'expired_card' }, 'card_expired'],
    [{ code: 'card_declined', decline_code: 'authentication_required' }, 'three_d_secure_failed'],
    [{ code: 'payment_intent_authentication_failure' }, 'three_d_secure_failed'],
    [{ code: 'card_declined', decline_code: 'fraudulent' }, 'fraud_suspected'],
    [{ code: 'card_declined', decline_code: 'issuer_not_available' }, 'issuer_unavailable'],
    [{ code: 'card_declined', decline_code: 'do_not_honor' }, 'declined'],
    [{ code: 'payment_intent_payment_attempt_failed' }, 'declined'],
  ];
  for (const [reason, expected] of declines) {
    it(`maps a failed attempt (${reason.decline_code ?? reason.code}) to failed/${expected}`, async () => {
      const { provider_payment_id } = await provider.initiatePayment(paymentInput('alipay'));
      fake.decline(provider_payment_id, reason);
      const state = await provider.getPaymentStatus(provider_payment_id);
      assert.equal(state.status, 'failed');
      assert.deepEqual(state.failure, { code: expected, provider_code: reason.decline_code ?? reason.code });
    });
  }

  it('a decline at confirmation (402 card_error) is definitive, with our failure code', async () => {
    fake.declineNextConfirmation({ code: 'card_declined', decline_code: 'insufficient_funds' });
    const error = await providerError(provider.initiatePayment(paymentInput('alipay')));
    assert.equal(error.kind, 'definitive');
    assert.equal(error.failure_code, 'insufficient_funds');
    assert.equal(error.provider_code, 'insufficient_funds');
  });

  it('3-D Secure inside Checkout: requires_action with a redirect, and a failed check is not final while the session is open', async () => {
    const { provider_payment_id: session_id } = await provider.initiatePayment(paymentInput('card'));
    fake.requireAction(session_id);
    const session = fake.session(session_id);
    assert.ok(session.payment_intent);
    const intent_id = session.payment_intent;
    // The intent itself points at the issuer's 3-D Secure page…
    const intent_state = await provider.getPaymentStatus(intent_id);
    assert.equal(intent_state.status, 'requires_action');
    assert.deepEqual(intent_state.next_action, { type: 'redirect', url: `${fake.base_url}/3d_secure_2/${intent_id}` });
    // …while our payment (the session) sends the customer back to Checkout, which resumes the challenge.
    assert.deepEqual((await provider.getPaymentStatus(session_id)).next_action, { type: 'redirect', url: session.url });
    fake.decline(session_id, { code: 'payment_intent_authentication_failure' });
    assert.deepEqual((await provider.getPaymentStatus(intent_id)).failure, { code: 'three_d_secure_failed', provider_code: 'payment_intent_authentication_failure' });
    assert.equal((await provider.getPaymentStatus(session_id)).status, 'requires_action', 'the customer may still pay with another card');
    fake.succeed(session_id);
    assert.equal((await provider.getPaymentStatus(session_id)).status, 'succeeded');
  });

  it('processing reads as pending; Stripe\'s own cancellations read by their reason', async () => {
    const { provider_payment_id: processing } = await provider.initiatePayment(paymentInput('alipay'));
    fake.process(processing);
    assert.equal((await provider.getPaymentStatus(processing)).status, 'pending');
    const reasons: readonly [string | null, string, string | undefined][] = [
      ['automatic', 'failed', 'expired'],
      ['abandoned', 'failed', 'expired'],
      ['fraudulent', 'failed', 'fraud_suspected'],
      ['requested_by_customer', 'canceled', 'canceled_by_customer'],
      [null, 'canceled', undefined],
    ];
    for (const [reason, status, failure_code] of reasons) {
      const { provider_payment_id } = await provider.initiatePayment(paymentInput('wechat_pay'));
      fake.cancel(provider_payment_id, reason);
      const state = await provider.getPaymentStatus(provider_payment_id);
      assert.deepEqual([state.status, state.failure?.code], [status, failure_code], String(reason));
    }
  });

  it('a session Stripe expired is failed/expired', async () => {
    const { provider_payment_id } = await provider.initiatePayment(paymentInput('card'));
    fake.expire(provider_payment_id);
    assert.deepEqual((await provider.getPaymentStatus(provider_payment_id)).failure, { code: 'expired', provider_code: 'checkout_session_expired' });
  });

  it('retries a 429 with the same idempotency key, making one PaymentIntent', async () => {
    const input = paymentInput('alipay');
    const intents_before = fake.intents().length;
    fake.failNext({ kind: 'rate_limit' });
    const state = await provider.initiatePayment(input);
    const attempts = fake.requestsTo('POST', '/v1/payment_intents').filter((request) => request.idempotency_key === input.payment_id);
    assert.deepEqual(attempts.map((request) => request.outcome), [429, 200]);
    assert.equal(fake.intents().length, intents_before + 1);
    assert.equal(state.status, 'requires_action');
  });

  it('stops after attempts_max 429s and reports retryable', async () => {
    const input = paymentInput('alipay');
    fake.failNext({ kind: 'rate_limit' }, 3);
    const error = await providerError(provider.initiatePayment(input));
    assert.equal(error.kind, 'retryable');
    assert.equal(fake.requests.filter((request) => request.idempotency_key === input.payment_id).length, 3);
  });

  it('a 500 on a write is indeterminate and is not retried', async () => {
    const input = paymentInput('alipay');
    fake.failNext({ kind: 'api_error' });
    const error = await providerError(provider.initiatePayment(input));
    assert.equal(error.kind, 'indeterminate');
    assert.equal(fake.requests.filter((request) => request.idempotency_key === input.payment_id).length, 1);
  });

  it('a 500 on a read is retried (a read changes nothing)', async () => {
    const { provider_payment_id } = await provider.initiatePayment(paymentInput('alipay'));
    fake.failNext({ kind: 'api_error' });
    assert.equal((await provider.getPaymentStatus(provider_payment_id)).status, 'requires_action');
    assert.deepEqual(fake.requestsTo('GET', `/v1/payment_intents/${provider_payment_id}`).map((request) => request.outcome), [500, 200]);
  });

  it('one dropped connection is retried by the SDK itself with the same key', async () => {
    const input = paymentInput('alipay');
    fake.failNext({ kind: 'drop' });
    await provider.initiatePayment(input);
    assert.deepEqual(fake.requests.filter((request) => request.idempotency_key === input.payment_id).map((request) => request.outcome), ['dropped', 200]);
  });

  it('a connection dropped after Stripe acted is indeterminate; asking again with the same payment_id replays the one PaymentIntent', async () => {
    const input = paymentInput('alipay');
    const intents_before = fake.intents().length;
    fake.failNext({ kind: 'drop_after_execute' }, 2);
    const error = await providerError(provider.initiatePayment(input));
    assert.equal(error.kind, 'indeterminate');
    assert.equal(fake.intents().length, intents_before + 1, 'the PaymentIntent exists although we never saw the answer');
    const state = await provider.initiatePayment(input);
    const [created] = fake.intents().slice(-1);
    assert.equal(state.provider_payment_id, created?.id);
    assert.equal(fake.intents().length, intents_before + 1);
    const [last] = fake.requests.filter((request) => request.idempotency_key === input.payment_id).slice(-1);
    assert.equal(last?.replayed, true);
  });

  it('a refused connection (nothing sent) is retryable', async () => {
    const unreachable = new StripeProvider(
      stripeConfigFromEnv({
        STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_API_BASE: await closedPortUrl(),
      })!,
      { retries: FAST_RETRIES },
    );
    const error = await providerError(unreachable.initiatePayment(paymentInput('alipay')));
    assert.equal(error.kind, 'retryable');
    assert.equal(error.provider_code, 'ECONNREFUSED');
  });

  it('a wrong secret key is definitive', async () => {
    const wrong = providerFor(fake, { STRIPE_SECRET_KEY: 'sk_test_wrong000000000000000' });
    const before_count = fake.requests.length;
    const error = await providerError(wrong.initiatePayment(paymentInput('card')));
    assert.equal(error.kind, 'definitive');
    assert.equal(error.provider_code, 'invalid_request_error');
    assert.deepEqual(fake.requests.slice(before_count).map((request) => request.outcome), [401]);
  });

  it('refunds an Alipay payment in part, keyed by refund_id, the metadata leading back to us; more than is left is amount_too_large', async () => {
    const { provider_payment_id } = await provider.initiatePayment(paymentInput('alipay'));
    fake.succeed(provider_payment_id);
    const refund_input = { refund_id: `ref_${process.pid}_${sequence}`, provider_payment_id, amount_minor: 50_001, currency: 'RUB' } as const;
    const refund = await provider.refundPayment(refund_input);
    assert.match(refund.provider_refund_id, /^re_/);
    assert.equal(refund.status, 'succeeded');
    const [request] = fake.requestsTo('POST', '/v1/refunds').slice(-1);
    assert.ok(request);
    assert.equal(request.idempotency_key, refund_input.refund_id);
    assert.deepEqual(request.params, { payment_intent: provider_payment_id, amount: '50001', metadata: { refund_id: refund_input.refund_id, provider_payment_id } });
    const error = await providerError(provider.refundPayment({ ...refund_input, refund_id: `${refund_input.refund_id}_b`, amount_minor: AMOUNT_MINOR }));
    assert.equal(error.provider_code, 'amount_too_large');
  });

  it('refunds a card payment through its Checkout Session; a pending refund stays pending', async () => {
    const { provider_payment_id } = await provider.initiatePayment(paymentInput('card'));
    fake.succeed(provider_payment_id);
    fake.setNextRefundStatus('pending');
    const refund = await provider.refundPayment({ refund_id: `ref_card_${sequence}`, provider_payment_id, amount_minor: AMOUNT_MINOR, currency: 'RUB' });
    assert.equal(refund.status, 'pending');
    const [request] = fake.requestsTo('POST', '/v1/refunds').slice(-1);
    assert.equal(request?.params.payment_intent, fake.session(provider_payment_id).payment_intent);
  });

  it('cancels a PaymentIntent (keyed) and expires a Checkout Session; a paid one cannot be canceled', async () => {
    const { provider_payment_id: intent_id } = await provider.initiatePayment(paymentInput('wechat_pay'));
    assert.equal((await provider.cancelPayment(intent_id)).status, 'canceled');
    const [request] = fake.requestsTo('POST', `/v1/payment_intents/${intent_id}/cancel`);
    assert.equal(request?.idempotency_key, `cancel:${intent_id}`);

    const { provider_payment_id: session_id } = await provider.initiatePayment(paymentInput('card'));
    assert.equal((await provider.cancelPayment(session_id)).status, 'canceled');
    assert.equal(fake.session(session_id).status, 'expired');

    const { provider_payment_id: paid_id } = await provider.initiatePayment(paymentInput('alipay'));
    fake.succeed(paid_id);
    const error = await providerError(provider.cancelPayment(paid_id));
    assert.equal(error.kind, 'definitive');
    assert.equal(error.provider_code, 'payment_intent_unexpected_state');
  });

  describe('webhooks', () => {
    let receiver: WebhookReceiver;
    before(async () => {
      receiver = await startWebhookReceiver(() => provider);
    });
    after(() => receiver.close());

    it('maps checkout.session.expired under the session id, as failed/expired', async () => {
      const { provider_payment_id: abandoned } = await provider.initiatePayment(paymentInput('card'));
      const expired = JSON.parse((await fake.sendWebhook(receiver.url, fake.expire(abandoned))).body) as WebhookEvent;
      assert.deepEqual(expired.type === 'payment' ? [expired.payment.provider_payment_id, expired.payment.status, expired.payment.failure?.code] : undefined, [abandoned, 'failed', 'expired']);
    });

    it('maps refund.created and charge.refunded to our payment id (the session, for cards)', async () => {
      const { provider_payment_id } = await provider.initiatePayment(paymentInput('card'));
      fake.succeed(provider_payment_id);
      const refund = await provider.refundPayment({ refund_id: `ref_hook_${sequence}`, provider_payment_id, amount_minor: 1_000, currency: 'RUB' });
      for (const type of ['refund.created', 'charge.refunded']) {
        const event = fake.events.filter((candidate) => candidate.type === type).at(-1);
        assert.ok(event);
        const mapped = JSON.parse((await fake.sendWebhook(receiver.url, event)).body) as WebhookEvent;
        assert.deepEqual(mapped, { event_id: event.id, type: 'refund', provider_payment_id, refund });
      }
    });

    it('ignores event types we do not act on', async () => {
      const event = fake.event('customer.created', { id: 'cus_123', object: 'customer' });
      const response = await fake.sendWebhook(receiver.url, event);
      assert.equal(response.status, 200);
      assert.deepEqual(JSON.parse(response.body), { event_id: event.id, type: 'ignored', reason: 'event type customer.created is not one we act on' });
    });

    it('rejects a tampered body and a stale timestamp; a stale forgery is a signature failure first', async () => {
      const event = fake.event('customer.created', { id: 'cus_456', object: 'customer' });
      const accepted_before = receiver.received.length;
      const tampered = await fake.sendWebhook(receiver.url, event, { body: JSON.stringify({ ...event, type: 'payment_intent.succeeded' }) });
      assert.deepEqual([tampered.status, JSON.parse(tampered.body)], [400, { reason: 'signature' }]);
      const old_s = Math.floor(Date.now() / 1000) - TOLERANCE_S - 10;
      const stale = await fake.sendWebhook(receiver.url, event, { timestamp_s: old_s });
      assert.deepEqual([stale.status, JSON.parse(stale.body)], [400, { reason: 'stale' }]);
      const stale_and_forged = await fake.sendWebhook(receiver.url, event, { timestamp_s: old_s, secret: 'whsec_attacker' });
      assert.deepEqual(JSON.parse(stale_and_forged.body), { reason: 'signature' });
      assert.equal(receiver.received.length, accepted_before, 'nothing rejected was mapped');
    });

    it('rejects a missing signature header, and signed bodies that are not Stripe events', async () => {
      const raw_body = Buffer.from('{"id":"evt_1","object":"event"}');
      assert.equal((await webhookRejection(provider.parseWebhook({ headers: {}, raw_body, remote_address: '127.0.0.1' }))).reason, 'signature');
      for (const body of ['not json', '{"id":"evt_2","object":"event","type":"payment_intent.succeeded","data":{"object":{"object":"payment_intent"}}}', '[]']) {
        const rejection = await webhookRejection(provider.parseWebhook({ headers: { 'stripe-signature': fake.signature(body) }, raw_body: Buffer.from(body), remote_address: '127.0.0.1' }));
        assert.equal(rejection.reason, 'malformed', body);
      }
    });
  });
});

describe('stripe provider: Stripe\'s currency rules', () => {
  let fake: StripeFakeServer;
  let provider: StripeProvider;
  before(async () => {
    fake = await StripeFakeServer.start({ secret_key: SECRET_KEY, webhook_secret: WEBHOOK_SECRET });
    provider = providerFor(fake);
  });
  after(() => fake.close());

  it('cards are charged in RUB', async () => {
    assert.equal((await provider.initiatePayment(paymentInput('card'))).status, 'requires_action');
  });

  for (const method of ['alipay', 'wechat_pay'] as const) {
    it(`${method} in RUB is refused by Stripe (definitive): RUB is not among its currencies`, async () => {
      const error = await providerError(provider.initiatePayment(paymentInput(method)));
      assert.equal(error.kind, 'definitive');
      assert.equal(error.provider_code, 'payment_intent_invalid_parameter');
      assert.match(error.message, /currency provided \(rub\) is invalid/);
    });
  }
});

describe('stripe error classification', () => {
  const connection = (code: string): Stripe.errors.StripeError => new Stripe.errors.StripeConnectionError({ message: 'connection', detail: Object.assign(new Error(code), { code }) });
  const cases: readonly [string, Stripe.errors.StripeError, 'read' | 'write', string][] = [
    ['refused connection on a write', connection('ECONNREFUSED'), 'write', 'retryable'],
    ['DNS failure on a write', connection('ENOTFOUND'), 'write', 'retryable'],
    ['reset connection on a write', connection('ECONNRESET'), 'write', 'indeterminate'],
    ['timeout on a write', connection('ETIMEDOUT'), 'write', 'indeterminate'],
    ['timeout on a read', connection('ETIMEDOUT'), 'read', 'retryable'],
    ['409 key in use', new Stripe.errors.StripeAPIError({ message: 'in progress', statusCode: 409 }), 'write', 'retryable'],
    ['503 with Stripe-Should-Retry', new Stripe.errors.StripeAPIError({ message: 'busy', statusCode: 503, headers: { 'stripe-should-retry': 'true' } }), 'write', 'retryable'],
    ['502 on a write', new Stripe.errors.StripeAPIError({ message: 'bad gateway', statusCode: 502 }), 'write', 'indeterminate'],
    ['permission', new Stripe.errors.StripePermissionError({ message: 'restricted key', statusCode: 403 }), 'write', 'definitive'],
  ];
  for (const [what, error, operation, kind] of cases) {
    it(`${what} → ${kind}`, () => {
      assert.equal(providerErrorFromStripe(error, operation).kind, kind);
    });
  }
});
