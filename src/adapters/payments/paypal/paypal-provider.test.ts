import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../../../config.js';
import { WebhookRejected, type InitiatePaymentInput, type WebhookRequest } from '../../../ports/payment-provider.js';
import { PROVIDER_ATTEMPTS_MAX } from '../kit/provider-retries.js';
import { closedPortUrl, paymentInput as basePaymentInput, providerError as rejectsWith, startWebhookReceiver, type WebhookReceiver } from '../kit/provider-testing.js';
import { WEBHOOK_TOLERANCE_S_DEFAULT } from '../kit/provider-webhooks.js';
import { paypalConfigFromEnv } from './paypal-config.js';
import { paypalConfigFor as configFor } from './paypal-contract-driver.js';
import { PayPalFake, FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, FAKE_WEBHOOK_ID, type WebhookDelivery } from './paypal-fake-server.js';
import { PayPalProvider } from './paypal-provider.js';
import { captureOutcome, decimalFromMinor, errorCodeOf, errorKindFor, failureCodeFor, localeFor, minorFromDecimal, parseErrorBody, transmissionTimeMs } from './paypal-wire.js';

/**
 * What is PayPal's own, with the real SDK over real HTTP against PayPalFake (a local server
 * speaking PayPal's wire format): orders, capture on approval, OAuth tokens, verification of
 * webhooks by PayPal, its failure classes. What every provider must do is the contract's, run
 * against PayPal in kit/provider-contract.test.ts. Each test gets a fresh fake and provider;
 * retries back off for at most a few milliseconds so fault tests stay fast.
 */

const FAST_RETRIES = { backoff: { base_ms: 1, cap_ms: 5 } };

/** The same payment every time (these tests ask twice on purpose). */
function paymentInput(overrides: Partial<InitiatePaymentInput> = {}): InitiatePaymentInput {
  return basePaymentInput({
    payment_id: 'pay_01JABCDEF0123456789',
    order_id: 'ord_01JABCDEF0123456789',
    method: 'paypal',
    description: 'Renewal: 10 GB Europe, 30 days',
    return_url: 'https://roamcard.example/pay/return?payment=pay_01JABCDEF0123456789',
    customer: { language: 'ru', email: 'traveller@example.com', phone: null },
    ...overrides,
  });
}

/** Polls a condition every few milliseconds, for at most a second. */
async function waitFor(condition: () => boolean): Promise<void> {
  const WAIT_STEPS_MAX = 200;
  for (let step = 0; step < WAIT_STEPS_MAX && !condition(); step += 1) await sleep(5);
  assert.ok(condition(), 'condition not met in time');
}

let fake: PayPalFake;
let provider: PayPalProvider;

/** A fresh fake and provider for each test of the enclosing suite. */
function useFake(): void {
  beforeEach(async () => {
    fake = await PayPalFake.start();
    provider = new PayPalProvider(configFor(fake), { retries: FAST_RETRIES });
  });
  afterEach(async () => {
    await fake.close();
  });
}

/** An approved order, as after the buyer clicked "Pay Now" on PayPal's page. */
async function approvedOrder(input = paymentInput()): Promise<string> {
  const state = await provider.initiatePayment(input);
  fake.approve(state.provider_payment_id);
  return state.provider_payment_id;
}

describe('PayPal: create order', () => {
  useFake();
  it('sends PayPal an order with our ids, the amount and the return page, and returns the approval redirect', async () => {
    const input = paymentInput();
    const state = await provider.initiatePayment(input);

    const [create] = fake.requestsTo('POST', '/v2/checkout/orders');
    assert.ok(create);
    assert.equal(create.request_id, input.payment_id, 'PayPal-Request-Id is our payment id');
    assert.match(create.authorization ?? '', /^Bearer A21AA/);
    const body = JSON.parse(create.body) as Record<string, unknown>;
    assert.deepEqual(body, {
      intent: 'CAPTURE',
      purchase_units: [
        {
          reference_id: input.order_id,
          custom_id: input.payment_id,
          description: input.description,
          amount: { currency_code: 'RUB', value: '990.00' },
        },
      ],
      payment_source: {
        paypal: {
          experience_context: {
            return_url: input.return_url,
            cancel_url: input.return_url,
            user_action: 'PAY_NOW',
            shipping_preference: 'NO_SHIPPING',
            locale: 'ru-RU',
          },
        },
      },
    });

    assert.equal(state.status, 'requires_action');
    assert.equal(state.amount_minor, 99_000);
    assert.equal(state.currency, 'RUB');
    assert.equal(fake.order(state.provider_payment_id)?.status, 'PAYER_ACTION_REQUIRED');
    assert.deepEqual(state.next_action, { type: 'redirect', url: `${fake.base_url}/checkoutnow?token=${state.provider_payment_id}` });
  });

  it('asks for an OAuth token once (client credentials) and reuses it', async () => {
    await provider.initiatePayment(paymentInput());
    await provider.initiatePayment(paymentInput({ payment_id: 'pay_second' }));
    const tokens = fake.requestsTo('POST', '/v1/oauth2/token');
    assert.equal(tokens.length, 1);
    assert.equal(tokens[0]?.authorization, `Basic ${Buffer.from(`${FAKE_CLIENT_ID}:${FAKE_CLIENT_SECRET}`).toString('base64')}`);
    assert.equal(tokens[0]?.body, 'grant_type=client_credentials');
  });

  it('truncates long descriptions to PayPal\'s 127 characters', async () => {
    await provider.initiatePayment(paymentInput({ description: 'ы'.repeat(300) }));
    const body = JSON.parse(fake.requestsTo('POST', '/v2/checkout/orders')[0]?.body ?? '{}') as { purchase_units: { description: string }[] };
    assert.equal(body.purchase_units[0]?.description.length, 127);
  });

  it('refuses a currency other than PAYPAL_CURRENCY before calling PayPal', async () => {
    const other = new PayPalProvider(configFor(fake, { PAYPAL_CURRENCY: 'EUR' }), { retries: FAST_RETRIES });
    await rejectsWith(other.initiatePayment(paymentInput()), { kind: 'definitive', failure_code: 'provider_error' });
    assert.equal(fake.requests.length, 0);
  });
});

describe('PayPal: approval and capture', () => {
  useFake();
  it('captures an approved order once, with PayPal-Request-Id capture:<order id> → succeeded', async () => {
    const order_id = await approvedOrder();
    const state = await provider.getPaymentStatus(order_id);
    assert.equal(state.status, 'succeeded');
    assert.equal(state.amount_minor, 99_000);
    const captures = fake.requestsTo('POST', `/v2/checkout/orders/${order_id}/capture`);
    assert.equal(captures.length, 1);
    assert.equal(captures[0]?.request_id, `capture:${order_id}`);

    const later = await provider.getPaymentStatus(order_id);
    assert.equal(later.status, 'succeeded');
    assert.equal(fake.requestsTo('POST', `/v2/checkout/orders/${order_id}/capture`).length, 1, 'a completed order is not captured again');
  });

  it('follows the buyer: PayPal\'s page redirects to return_url with the order token, and the return page\'s status call captures', async () => {
    const input = paymentInput();
    const state = await provider.initiatePayment(input);
    assert.equal(state.next_action?.type, 'redirect');
    const page = await fetch(state.next_action.type === 'redirect' ? state.next_action.url : '', { redirect: 'manual' });
    assert.equal(page.status, 302);
    const back = new URL(page.headers.get('location') ?? '');
    assert.equal(`${back.origin}${back.pathname}`, 'https://roamcard.example/pay/return');
    assert.equal(back.searchParams.get('token'), state.provider_payment_id);
    assert.equal((await provider.getPaymentStatus(state.provider_payment_id)).status, 'succeeded');
  });

  it('reads an unapproved order as requires_action and does not try to capture it', async () => {
    const state = await provider.initiatePayment(paymentInput());
    const status = await provider.getPaymentStatus(state.provider_payment_id);
    assert.equal(status.status, 'requires_action');
    assert.equal(fake.requestsTo('POST', '/v2/checkout/orders/').filter((request) => request.path.endsWith('/capture')).length, 0);
  });

  it('422 INSTRUMENT_DECLINED on capture → definitive, failure code declined', async () => {
    const order_id = await approvedOrder();
    fake.nextCapture('instrument_declined');
    await rejectsWith(provider.getPaymentStatus(order_id), { kind: 'definitive', provider_code: 'INSTRUMENT_DECLINED', failure_code: 'declined' });
  });

  it('an order captured meanwhile (ORDER_ALREADY_CAPTURED) is read, not failed', async () => {
    const order_id = await approvedOrder();
    const capture_path = `/v2/checkout/orders/${order_id}/capture`;
    // Our capture is held at PayPal while another party (another instance, with another request
    // id) captures the same order first.
    fake.injectFault({ kind: 'delay', delay_ms: 300 }, 1, { method: 'POST', path_prefix: capture_path });
    const read = provider.getPaymentStatus(order_id);
    await waitFor(() => fake.requestsTo('POST', capture_path).length === 1);
    const rival = await fetch(`${fake.base_url}${capture_path}`, {
      method: 'POST',
      headers: { authorization: fake.requestsTo('POST', capture_path)[0]?.authorization ?? '', 'content-type': 'application/json', 'paypal-request-id': 'rival' },
      body: '{}',
    });
    assert.equal(rival.status, 201);
    assert.equal((await read).status, 'succeeded');
    assert.equal(fake.requestsTo('GET', `/v2/checkout/orders/${order_id}`).length, 2, 'read again after ORDER_ALREADY_CAPTURED');
  });
});

describe('PayPal: failures are classified, retries are bounded and keep the request id', () => {
  useFake();
  it('429 is retried with the same PayPal-Request-Id, and only one order exists', async () => {
    fake.injectFault({ kind: 'status', status: 429 }, 2);
    const state = await provider.initiatePayment(paymentInput());
    const creates = fake.requestsTo('POST', '/v2/checkout/orders');
    assert.equal(creates.length, 3);
    assert.deepEqual(new Set(creates.map((request) => request.request_id)), new Set([paymentInput().payment_id]));
    assert.equal(fake.order_count, 1);
    assert.equal(state.status, 'requires_action');
  });

  it('429 that never ends gives up after the attempt limit, still retryable', async () => {
    fake.injectFault({ kind: 'status', status: 429 }, 100);
    await rejectsWith(provider.initiatePayment(paymentInput()), { kind: 'retryable', provider_code: 'RATE_LIMIT_REACHED' });
    assert.equal(fake.requestsTo('POST', '/v2/checkout/orders').length, 4);
  });

  it('500 on create → indeterminate, not retried; asking again with the same id returns the order PayPal made', async () => {
    fake.injectFault({ kind: 'status', status: 500, after_processing: true });
    await rejectsWith(provider.initiatePayment(paymentInput()), { kind: 'indeterminate', provider_code: 'INTERNAL_SERVER_ERROR' });
    assert.equal(fake.requestsTo('POST', '/v2/checkout/orders').length, 1);
    assert.equal(fake.order_count, 1, 'PayPal did create it');
    const again = await provider.initiatePayment(paymentInput());
    assert.equal(fake.order_count, 1);
    assert.ok(fake.order(again.provider_payment_id));
  });

  it('500 on capture → indeterminate (money may have moved)', async () => {
    const order_id = await approvedOrder();
    fake.injectFault({ kind: 'status', status: 500 }, 1, { method: 'POST', path_prefix: '/v2/checkout/orders/' });
    await rejectsWith(provider.getPaymentStatus(order_id), { kind: 'indeterminate' });
    assert.equal((await provider.getPaymentStatus(order_id)).status, 'succeeded');
  });

  it('a dropped connection on a write → indeterminate (it may have arrived); the retry with the same id finds the same order', async () => {
    fake.injectFault({ kind: 'drop', after_processing: true });
    await rejectsWith(provider.initiatePayment(paymentInput()), { kind: 'indeterminate', provider_code: 'ECONNRESET' });
    const again = await provider.initiatePayment(paymentInput());
    assert.equal(fake.order_count, 1);
    assert.equal(again.status, 'requires_action');
  });

  it('a dropped connection or a 503 on a read is retried (a read changes nothing)', async () => {
    const state = await provider.initiatePayment(paymentInput());
    fake.injectFault({ kind: 'drop' }, 1, { method: 'GET' });
    fake.injectFault({ kind: 'status', status: 503 }, 1, { method: 'GET' });
    assert.equal((await provider.getPaymentStatus(state.provider_payment_id)).status, 'requires_action');
    assert.equal(fake.requestsTo('GET', '/v2/checkout/orders/').length, 3);
  });

  it('a timeout on capture → indeterminate', async () => {
    const order_id = await approvedOrder();
    const impatient = new PayPalProvider({ ...configFor(fake), timeout_ms: 200 }, { retries: FAST_RETRIES });
    fake.injectFault({ kind: 'delay', delay_ms: 600 }, 1, { method: 'POST', path_prefix: '/v2/checkout/orders/' });
    await rejectsWith(impatient.getPaymentStatus(order_id), { kind: 'indeterminate' });
  });

  it('nothing listening → retryable (the request was never sent)', async () => {
    const offline = new PayPalProvider(
      configFor(fake, { PAYPAL_API_BASE: await closedPortUrl() }),
      { retries: { ...FAST_RETRIES, attempts_max: 2 } },
    );
    await rejectsWith(offline.initiatePayment(paymentInput()), { kind: 'retryable', provider_code: 'ECONNREFUSED' });
  });

  it('wrong credentials → definitive (invalid_client), nothing created', async () => {
    const wrong = new PayPalProvider(configFor(fake, { PAYPAL_CLIENT_SECRET: 'not-the-secret' }), { retries: FAST_RETRIES });
    await rejectsWith(wrong.initiatePayment(paymentInput()), { kind: 'definitive', provider_code: 'invalid_client', failure_code: 'provider_error' });
    assert.equal(fake.order_count, 0);
    assert.equal(fake.requestsTo('POST', '/v1/oauth2/token').length, 1, 'bad credentials are not retried');
  });

  it('a token PayPal revoked is replaced and the call goes through', async () => {
    await provider.initiatePayment(paymentInput());
    fake.revokeTokens();
    await provider.initiatePayment(paymentInput({ payment_id: 'pay_after_revoke' }));
    assert.equal(fake.requestsTo('POST', '/v1/oauth2/token').length, 2);
    assert.equal(fake.order_count, 2);
  });

  it('a failed token request does not break later calls', async () => {
    fake.injectFault({ kind: 'status', status: 503 }, PROVIDER_ATTEMPTS_MAX, { path_prefix: '/v1/oauth2/token' });
    await rejectsWith(provider.initiatePayment(paymentInput()), { kind: 'retryable' });
    assert.equal((await provider.initiatePayment(paymentInput())).status, 'requires_action');
  });

  it('a 4xx business error is definitive with PayPal\'s issue as provider code', async () => {
    await rejectsWith(provider.getPaymentStatus('NO-SUCH-ORDER'), { kind: 'definitive', provider_code: 'INVALID_RESOURCE_ID', failure_code: 'provider_error' });
  });
});

describe('PayPal: cancel', () => {
  useFake();
  it('an approved order is not captured by cancel: pending, and no capture request', async () => {
    const order_id = await approvedOrder();
    assert.equal((await provider.cancelPayment(order_id)).status, 'pending');
    assert.equal(fake.requestsTo('POST', `/v2/checkout/orders/${order_id}/capture`).length, 0);
  });

  it('a VOIDED order → canceled', async () => {
    const state = await provider.initiatePayment(paymentInput());
    fake.voidOrder(state.provider_payment_id);
    assert.equal((await provider.cancelPayment(state.provider_payment_id)).status, 'canceled');
  });
});

describe('PayPal: refunds', () => {
  useFake();
  it('refunds the order\'s capture, in part, with PayPal-Request-Id = refund id', async () => {
    const order_id = await approvedOrder();
    await provider.getPaymentStatus(order_id);
    const capture_id = fake.captureIdOf(order_id) ?? '';
    const input = { refund_id: 'ref_01JREFUND000000001', provider_payment_id: order_id, amount_minor: 40_000, currency: 'RUB' as const };

    const refund = await provider.refundPayment(input);
    assert.equal(refund.status, 'succeeded');
    const [request] = fake.requestsTo('POST', `/v2/payments/captures/${capture_id}/refund`);
    assert.equal(request?.request_id, input.refund_id);
    assert.deepEqual(JSON.parse(request?.body ?? '{}'), { amount: { currency_code: 'RUB', value: '400.00' } });
  });

  it('a pending refund → pending; once all is refunded, CAPTURE_FULLY_REFUNDED', async () => {
    const order_id = await approvedOrder();
    await provider.getPaymentStatus(order_id);
    fake.nextRefund('pending');
    assert.equal((await provider.refundPayment({ refund_id: 'ref_a', provider_payment_id: order_id, amount_minor: 99_000, currency: 'RUB' })).status, 'pending');
    await rejectsWith(provider.refundPayment({ refund_id: 'ref_b', provider_payment_id: order_id, amount_minor: 1, currency: 'RUB' }), { kind: 'definitive', provider_code: 'CAPTURE_FULLY_REFUNDED' });
  });

  it('an order without a capture cannot be refunded', async () => {
    const order_id = await approvedOrder();
    await rejectsWith(provider.refundPayment({ refund_id: 'ref_c', provider_payment_id: order_id, amount_minor: 100, currency: 'RUB' }), { kind: 'definitive' });
  });
});

function toRequest(delivery: WebhookDelivery): WebhookRequest {
  return { headers: { ...delivery.headers }, raw_body: delivery.raw_body, remote_address: '127.0.0.1' };
}

describe('PayPal: webhooks', () => {
  useFake();
  let listener: WebhookReceiver;
  beforeEach(async () => {
    listener = await startWebhookReceiver(() => provider);
  });
  afterEach(async () => {
    await listener.close();
  });

  it('sends PayPal the five transmission headers, our webhook id and the event bytes as received', async () => {
    const order_id = await approvedOrder();
    const delivery = fake.delivery(fake.orderApprovedEvent(order_id));
    await provider.parseWebhook(toRequest(delivery));
    const [verify] = fake.requestsTo('POST', '/v1/notifications/verify-webhook-signature');
    const body = JSON.parse(verify?.body ?? '{}') as Record<string, unknown>;
    assert.equal(body.webhook_id, FAKE_WEBHOOK_ID);
    assert.equal(body.transmission_id, delivery.headers['paypal-transmission-id']);
    assert.equal(body.transmission_sig, delivery.headers['paypal-transmission-sig']);
    assert.equal(body.cert_url, delivery.headers['paypal-cert-url']);
    assert.equal(body.auth_algo, 'SHA256withRSA');
    assert.ok(verify?.body.includes(`"webhook_event":${delivery.raw_body.toString('utf8')}`));
  });

  it('PAYMENT.CAPTURE.DENIED → payment failed (declined); PAYMENT.CAPTURE.PENDING → pending', async () => {
    const order_id = await approvedOrder();
    fake.nextCapture('pending');
    await provider.getPaymentStatus(order_id);
    const capture_id = fake.captureIdOf(order_id) ?? '';
    const pending = await provider.parseWebhook(toRequest(fake.delivery(fake.captureEvent(capture_id, 'PAYMENT.CAPTURE.PENDING'))));
    assert.equal(pending.type === 'payment' ? pending.payment.status : pending.type, 'pending');
    fake.settleCapture(capture_id, 'DECLINED');
    const denied = await provider.parseWebhook(toRequest(fake.delivery(fake.captureEvent(capture_id, 'PAYMENT.CAPTURE.DENIED'))));
    assert.ok(denied.type === 'payment');
    assert.equal(denied.payment.provider_payment_id, order_id);
    assert.equal(denied.payment.status, 'failed');
    assert.equal(denied.payment.failure?.code, 'declined');
  });

  it('a forged approval captures nothing: the listener answers 400 before any capture', async () => {
    const order_id = await approvedOrder();
    const answer = await fake.sendWebhook(listener.url, fake.orderApprovedEvent(order_id), { forgery: 'wrong_key' });
    assert.deepEqual([answer.status, JSON.parse(answer.body)], [400, { reason: 'signature' }]);
    assert.equal(fake.requestsTo('POST', `/v2/checkout/orders/${order_id}/capture`).length, 0, 'nothing is captured for a forged event');
  });

  it('a body changed after signing is rejected: signature', async () => {
    const order_id = await approvedOrder();
    await assert.rejects(provider.parseWebhook(toRequest(fake.delivery(fake.orderApprovedEvent(order_id), { forgery: 'tampered_body' }))), (error: unknown) => error instanceof WebhookRejected && error.reason === 'signature');
  });

  it('a delivery signed more than 5 minutes ago is rejected as stale without asking PayPal', async () => {
    const order_id = await approvedOrder();
    const delivery = fake.delivery(fake.orderApprovedEvent(order_id), {
      transmission_time_ms: Date.now() - WEBHOOK_TOLERANCE_S_DEFAULT * 1000 - 60_000,
    });
    await assert.rejects(provider.parseWebhook(toRequest(delivery)), (error: unknown) => error instanceof WebhookRejected && error.reason === 'stale');
    assert.equal(fake.requestsTo('POST', '/v1/notifications/verify-webhook-signature').length, 0);
  });

  it('missing transmission headers → signature; a body that is not an event → malformed', async () => {
    const order_id = await approvedOrder();
    const delivery = fake.delivery(fake.orderApprovedEvent(order_id));
    const { ['paypal-transmission-sig']: _signature, ...unsigned } = delivery.headers;
    await assert.rejects(provider.parseWebhook({ headers: unsigned, raw_body: delivery.raw_body, remote_address: '127.0.0.1' }), (error: unknown) => error instanceof WebhookRejected && error.reason === 'signature');
    await assert.rejects(provider.parseWebhook({ headers: delivery.headers, raw_body: Buffer.from('{"not":"an event"'), remote_address: '127.0.0.1' }), (error: unknown) => error instanceof WebhookRejected && error.reason === 'malformed');
  });

  it('an event type we do not use is verified, then ignored', async () => {
    const event = fake.event('CUSTOMER.DISPUTE.CREATED', 'dispute', { dispute_id: 'PP-D-12345' });
    const parsed = await provider.parseWebhook(toRequest(fake.delivery(event)));
    assert.equal(parsed.type, 'ignored');
    assert.equal(parsed.event_id, event.id);
  });

  it('when PayPal cannot be asked, the delivery is not rejected: the listener answers 5xx so PayPal retries', async () => {
    const order_id = await approvedOrder();
    fake.injectFault({ kind: 'status', status: 503 }, 100, { path_prefix: '/v1/notifications/verify-webhook-signature' });
    const answer = await fake.sendWebhook(listener.url, fake.orderApprovedEvent(order_id));
    assert.equal(answer.status, 503);
  });
});

describe('PayPal wire: amounts, locales, statuses, errors', () => {
  it('converts amounts exactly, both ways, and refuses anything inexact', () => {
    assert.equal(decimalFromMinor(99_000, 'RUB'), '990.00');
    assert.equal(decimalFromMinor(1, 'RUB'), '0.01');
    assert.throws(() => decimalFromMinor(0, 'RUB'));
    assert.throws(() => decimalFromMinor(1.5, 'RUB'));
    assert.equal(minorFromDecimal('990.00', 'RUB'), 99_000);
    assert.equal(minorFromDecimal('990.5', 'RUB'), 99_050);
    assert.equal(minorFromDecimal('990', 'RUB'), 99_000);
    assert.equal(minorFromDecimal('0.07', 'RUB'), 7);
    for (const bad of ['990.001', '-1.00', '1e3', ' 990.00', '990,00', '', '.5', '01.00', '99999999999999999.00']) assert.equal(minorFromDecimal(bad, 'RUB'), undefined, bad);
    for (let amount_minor = 1; amount_minor < 100_000; amount_minor += 997) assert.equal(minorFromDecimal(decimalFromMinor(amount_minor, 'RUB'), 'RUB'), amount_minor);
  });

  it('maps our languages to PayPal locales', () => {
    assert.equal(localeFor('ru'), 'ru-RU');
    assert.equal(localeFor('en'), 'en-US');
    assert.equal(localeFor('zh-Hans'), 'zh-CN');
    assert.equal(localeFor('zh-Hant'), 'zh-TW');
    assert.equal(localeFor('xx'), undefined);
  });

  it('maps capture statuses: completed and refunded succeed, declined fails, unknown stays pending', () => {
    assert.equal(captureOutcome('COMPLETED', undefined).status, 'succeeded');
    assert.equal(captureOutcome('REFUNDED', undefined).status, 'succeeded');
    assert.equal(captureOutcome('PENDING', 'PENDING_REVIEW').status, 'pending');
    assert.deepEqual(captureOutcome('DECLINED', undefined), { status: 'failed', failure: { code: 'declined', provider_code: 'DECLINED' } });
    assert.deepEqual(captureOutcome('DECLINED', 'DECLINED_BY_RISK_FRAUD_FILTERS').failure?.code, 'fraud_suspected');
    assert.equal(captureOutcome('FAILED', undefined).status, 'failed');
    assert.equal(captureOutcome('SOMETHING_NEW', undefined).status, 'pending');
  });

  it('classifies HTTP outcomes: 429 retryable, 5xx indeterminate for writes and retryable for reads, 4xx definitive', () => {
    assert.equal(errorKindFor(429, true, 'write'), 'retryable');
    assert.equal(errorKindFor(500, true, 'write'), 'indeterminate');
    assert.equal(errorKindFor(500, true, 'read'), 'retryable');
    assert.equal(errorKindFor(422, true, 'write'), 'definitive');
    assert.equal(errorKindFor(undefined, false, 'write'), 'retryable');
    assert.equal(errorKindFor(undefined, true, 'write'), 'indeterminate');
  });

  it('reads PayPal error bodies: the detail issue wins over the name', () => {
    const body = parseErrorBody('{"name":"UNPROCESSABLE_ENTITY","message":"x","debug_id":"abc","details":[{"issue":"INSTRUMENT_DECLINED","description":"y"}]}');
    assert.equal(errorCodeOf(body), 'INSTRUMENT_DECLINED');
    assert.equal(errorCodeOf(parseErrorBody({ name: 'RATE_LIMIT_REACHED' })), 'RATE_LIMIT_REACHED');
    assert.equal(errorCodeOf(parseErrorBody('{"error":"invalid_client"}')), 'invalid_client');
    assert.equal(parseErrorBody('<html>'), undefined);
    assert.equal(failureCodeFor('INSTRUMENT_DECLINED'), 'declined');
    assert.equal(failureCodeFor('PAYEE_BLOCKED_TRANSACTION'), 'fraud_suspected');
    assert.equal(failureCodeFor('INVALID_PARAMETER_VALUE'), 'provider_error');
  });

  it('accepts only full RFC 3339 transmission times', () => {
    assert.equal(transmissionTimeMs('2025-06-01T12:00:00Z'), Date.UTC(2025, 5, 1, 12));
    assert.equal(transmissionTimeMs('2025-06-01T15:00:00+03:00'), Date.UTC(2025, 5, 1, 12));
    assert.equal(transmissionTimeMs('Sun, 01 Jun 2025 12:00:00 GMT'), undefined);
    assert.equal(transmissionTimeMs('1748779200'), undefined);
  });
});

describe('PayPal config', () => {
  const base = { PAYPAL_CLIENT_ID: 'AbC-123_client', PAYPAL_CLIENT_SECRET: 'EFg-456_secret', PAYPAL_WEBHOOK_ID: FAKE_WEBHOOK_ID };

  function problemsOf(env: Record<string, string>): string[] {
    try {
      paypalConfigFromEnv(env);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      return error.problems;
    }
    return assert.fail('expected a ConfigError');
  }

  it('is off when neither the client id nor the secret is set (empty counts as unset)', () => {
    assert.equal(paypalConfigFromEnv({}), undefined);
    assert.equal(paypalConfigFromEnv({ PAYPAL_CLIENT_ID: '', PAYPAL_ENVIRONMENT: 'production' }), undefined);
  });

  it('has defaults: sandbox host, 10 s timeout, RUB', () => {
    assert.deepEqual(paypalConfigFromEnv(base), {
      client_id: 'AbC-123_client',
      client_secret: 'EFg-456_secret',
      webhook_id: FAKE_WEBHOOK_ID,
      environment: 'sandbox',
      api_base: 'https://api-m.sandbox.paypal.com',
      timeout_ms: 10_000,
      currency: 'RUB',
    });
    assert.equal(paypalConfigFromEnv({ ...base, PAYPAL_ENVIRONMENT: 'production' })?.api_base, 'https://api-m.paypal.com');
    assert.equal(paypalConfigFromEnv({ ...base, PAYPAL_API_BASE: 'http://127.0.0.1:8080/' })?.api_base, 'http://127.0.0.1:8080');
  });

  it('names the variable that is missing or bad', () => {
    assert.match(problemsOf({ PAYPAL_CLIENT_ID: 'abc', PAYPAL_WEBHOOK_ID: FAKE_WEBHOOK_ID }).join('\n'), /^PAYPAL_CLIENT_SECRET: must be set as well/m);
    assert.match(problemsOf({ PAYPAL_CLIENT_ID: 'abc', PAYPAL_CLIENT_SECRET: 'def' }).join('\n'), /^PAYPAL_WEBHOOK_ID: /m);
    assert.match(problemsOf({ ...base, PAYPAL_ENVIRONMENT: 'live' }).join('\n'), /^PAYPAL_ENVIRONMENT: must be sandbox or production/m);
    assert.match(problemsOf({ ...base, PAYPAL_API_BASE: 'http://paypal.example.com' }).join('\n'), /^PAYPAL_API_BASE: must use https/m);
    assert.match(problemsOf({ ...base, PAYPAL_TIMEOUT_MS: '50' }).join('\n'), /^PAYPAL_TIMEOUT_MS: /m);
    assert.match(problemsOf({ ...base, PAYPAL_CURRENCY: 'XYZ' }).join('\n'), /^PAYPAL_CURRENCY: /m);
  });
});
