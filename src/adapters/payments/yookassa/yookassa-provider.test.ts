import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../../config.js';
import { AddressList } from '../../../core/address-list.js';
import { isFinalPaymentStatus, type PaymentFailureCode } from '../../../ports/payment-provider.js';
import { closedPortUrl, paymentInput, providerError, RETRIES_WITHOUT_WAITING, startWebhookReceiver, webhookRejection } from '../kit/provider-testing.js';
import { YOOKASSA_NOTIFICATION_IPS_DEFAULT, yookassaConfigFromEnv, type YooKassaConfig } from './yookassa-config.js';
import { YOOKASSA_ADDRESS, yookassaConfigFor as configFor } from './yookassa-contract-driver.js';
import { YooKassaFake, type FakeCancellationReason } from './yookassa-fake-server.js';
import { YooKassaProvider, type YooKassaProviderOptions } from './yookassa-provider.js';
import { decimalFromMinor, failureCodeFor, minorFromDecimal, truncateUtf16 } from './yookassa-wire.js';

/**
 * What is YooKassa's own: its wire format, receipts, cancellation reasons, address checks and
 * failure classes. What every provider must do (create, succeed, decline, time out, webhooks,
 * refund, cancel) is the contract's, run against YooKassa in kit/provider-contract.test.ts.
 */

describe('YooKassa adapter against the local fake', () => {
  let fake: YooKassaFake;
  let yookassa: YooKassaProvider;

  /** A provider on the fake through the real config parser; retries do not wait in tests. */
  function providerWith(overrides: Partial<YooKassaConfig> = {}, options: YooKassaProviderOptions = {}): YooKassaProvider {
    return new YooKassaProvider({ ...configFor(fake), ...overrides }, { retries: RETRIES_WITHOUT_WAITING, ...options });
  }

  function requestsWithKey(key: string): readonly { method: string; path: string; body: unknown }[] {
    return fake.requests.filter((request) => request.idempotence_key === key);
  }

  before(async () => {
    fake = await YooKassaFake.start();
    yookassa = providerWith();
  });
  after(async () => {
    await fake.close();
  });

  describe('creating payments', () => {
    it('creates a card payment: "990.00", capture, redirect, metadata, Idempotence-Key = payment_id', async () => {
      const input = paymentInput();
      const state = await yookassa.initiatePayment(input);

      assert.equal(state.status, 'requires_action');
      assert.equal(state.amount_minor, 99_000);
      assert.equal(state.currency, 'RUB');
      assert.deepEqual(state.next_action, { type: 'redirect', url: `${fake.origin}/checkout/${state.provider_payment_id}` });
      const [request, ...others] = requestsWithKey(input.payment_id);
      assert.equal(others.length, 0);
      assert.deepEqual(request?.body, {
        amount: { value: '990.00', currency: 'RUB' },
        capture: true,
        confirmation: { type: 'redirect', return_url: input.return_url },
        payment_method_data: { type: 'bank_card' },
        description: input.description,
        metadata: { order_id: input.order_id, payment_id: input.payment_id },
      });
      const checkout = await fetch(`${fake.origin}/checkout/${state.provider_payment_id}`);
      assert.equal(checkout.status, 200);
      assert.match(await checkout.text(), /990\.00 RUB/);
    });

    it('creates a YooMoney payment with payment_method_data.type yoo_money', async () => {
      const input = paymentInput({ method: 'yoomoney' });
      const state = await yookassa.initiatePayment(input);
      assert.equal(state.next_action?.type, 'redirect');
      assert.equal(fake.payment(state.provider_payment_id)?.payment_method.type, 'yoo_money');
    });

    it('creates an SBP payment confirmed by QR code (YooKassa: "Redirect и QR-код")', async () => {
      const state = await yookassa.initiatePayment(paymentInput({ method: 'sbp', amount_minor: 12_345 }));
      assert.equal(state.status, 'requires_action');
      assert.equal(state.next_action?.type, 'qr');
      assert.ok(state.next_action?.type === 'qr' && state.next_action.payload.startsWith('https://qr.nspk.ru/'));
      assert.equal(fake.payment(state.provider_payment_id)?.amount.value, '123.45');
    });

    it('can send SBP customers to YooKassa\'s own page instead', async () => {
      const state = await providerWith({}, { sbp_confirmation: 'redirect' }).initiatePayment(paymentInput({ method: 'sbp' }));
      assert.equal(state.next_action?.type, 'redirect');
    });

    it('adds a 54-FZ receipt when the customer has an email or a phone, with the configured vat_code', async () => {
      const with_email = paymentInput({ customer: { language: 'en', email: 'traveller@example.com' } });
      await yookassa.initiatePayment(with_email);
      assert.deepEqual((requestsWithKey(with_email.payment_id)[0]?.body as { receipt?: unknown }).receipt, {
        customer: { email: 'traveller@example.com' },
        items: [{ description: with_email.description, quantity: '1.00', amount: { value: '990.00', currency: 'RUB' }, vat_code: 1, payment_subject: 'service', payment_mode: 'full_payment' }],
      });

      const with_phone = paymentInput({ customer: { language: 'ru', phone: '+7 900 123-45-67', email: null } });
      await providerWith({}, { vat_code: 11 }).initiatePayment(with_phone);
      const receipt = (
        requestsWithKey(with_phone.payment_id)[0]?.body as { receipt?: { customer: unknown; items: { vat_code: number }[] } }
      ).receipt;
      assert.deepEqual(receipt?.customer, { phone: '79001234567' });
      assert.equal(receipt?.items[0]?.vat_code, 11);

      const anonymous = paymentInput({ customer: { language: 'zh-Hans', email: null, phone: null } });
      await yookassa.initiatePayment(anonymous);
      assert.equal((requestsWithKey(anonymous.payment_id)[0]?.body as { receipt?: unknown }).receipt, undefined);
    });

    it('is refused by a shop that sends 54-FZ receipts through YooKassa when the customer left no contact', async () => {
      const strict = await YooKassaFake.start({ receipts_required: true });
      try {
        const provider = new YooKassaProvider(configFor(strict), { retries: RETRIES_WITHOUT_WAITING });
        const error = await providerError(provider.initiatePayment(paymentInput({ customer: { language: 'en' } })));
        assert.equal(error.kind, 'definitive');
        assert.match(error.message, /Receipt is missing/);
        const state = await provider.initiatePayment(paymentInput({ customer: { language: 'en', email: 'traveller@example.com' } }));
        assert.equal(state.status, 'requires_action');
      } finally {
        await strict.close();
      }
    });

    it('cuts the description to YooKassa\'s 128 characters without splitting a character', async () => {
      const input = paymentInput({ description: `${'x'.repeat(127)}🙂 and more` });
      await yookassa.initiatePayment(input);
      assert.equal((requestsWithKey(input.payment_id)[0]?.body as { description: string }).description, 'x'.repeat(127));
    });

    it('takes cards, YooMoney and SBP, and names the method it refuses', async () => {
      assert.deepEqual(yookassa.methods, ['card', 'yoomoney', 'sbp']);
      assert.match((await providerError(yookassa.initiatePayment(paymentInput({ method: 'paypal' })), { kind: 'definitive' })).message, /paypal/);
    });
  });

  describe('outcomes', () => {
    const CANCELLATIONS: readonly [FakeCancellationReason, PaymentFailureCode][] = [
      ['insufficient_funds', 'insufficient_funds'],
      ['card_expired', 'card_expired'],
      ['3d_secure_failed', 'three_d_secure_failed'],
      ['fraud_suspected', 'fraud_suspected'],
      ['general_decline', 'declined'],
      ['expired_on_confirmation', 'expired'],
      ['issuer_unavailable', 'issuer_unavailable'],
      ['call_issuer', 'declined'],
      ['internal_timeout', 'provider_error'],
      ['invalid_csc', 'declined'],
      ['invalid_card_number', 'declined'],
      ['country_forbidden', 'declined'],
      ['payment_method_limit_exceeded', 'declined'],
      ['payment_method_restricted', 'declined'],
      ['identification_required', 'declined'],
    ];
    for (const [reason, code] of CANCELLATIONS) {
      it(`maps cancellation reason ${reason} to failed/${code}`, async () => {
        const created = await yookassa.initiatePayment(paymentInput());
        fake.complete(created.provider_payment_id, { canceled: reason });
        const state = await yookassa.getPaymentStatus(created.provider_payment_id);
        assert.equal(state.status, 'failed');
        assert.deepEqual(state.failure, { code, provider_code: reason });
      });
    }

    it('maps a reason YooKassa adds tomorrow to declined', () => {
      assert.equal(failureCodeFor('some_new_reason'), 'declined');
    });

    it('treats waiting_for_capture as pending (we always capture, so the money is only held)', async () => {
      const created = await yookassa.initiatePayment(paymentInput());
      fake.complete(created.provider_payment_id, 'waiting_for_capture');
      const state = await yookassa.getPaymentStatus(created.provider_payment_id);
      assert.equal(state.status, 'pending');
      assert.equal(state.next_action, undefined);
    });

    it('cancels a payment waiting for capture (Idempotence-Key cancel:<id>) and reports canceled, not failed', async () => {
      const created = await yookassa.initiatePayment(paymentInput());
      fake.complete(created.provider_payment_id, 'waiting_for_capture');
      const state = await yookassa.cancelPayment(created.provider_payment_id);
      assert.equal(state.status, 'canceled');
      assert.equal(state.failure, undefined);
      assert.equal(requestsWithKey(`cancel:${created.provider_payment_id}`).length, 1);
      const again = await yookassa.cancelPayment(created.provider_payment_id);
      assert.equal(again.status, 'canceled');
    });

  });

  describe('failures', () => {
    it('retries a 429 transparently with the same Idempotence-Key, and one payment is made', async () => {
      const input = paymentInput();
      const payments_before = fake.payment_count;
      fake.failNext(1, 429);
      const state = await yookassa.initiatePayment(input);
      assert.equal(state.status, 'requires_action');
      assert.equal(requestsWithKey(input.payment_id).length, 2);
      assert.equal(fake.payment_count, payments_before + 1);
    });

    it('gives up on 429 after the attempt limit, still as retryable', async () => {
      const input = paymentInput();
      fake.failNext(3, 429);
      const error = await providerError(providerWith({}, { retries: { attempts_max: 3, random: () => 0 } }).initiatePayment(input));
      assert.equal(error.kind, 'retryable');
      assert.equal(error.provider_code, 'too_many_requests');
      assert.equal(requestsWithKey(input.payment_id).length, 3);
    });

    it('surfaces a 500 as indeterminate, never as a failure; the same key later returns the payment YooKassa did make', async () => {
      const input = paymentInput();
      const payments_before = fake.payment_count;
      fake.failNext(1, 500, { after_processing: true });
      const error = await providerError(yookassa.initiatePayment(input));
      assert.equal(error.kind, 'indeterminate');
      assert.equal(error.provider_code, 'internal_server_error');
      assert.equal(requestsWithKey(input.payment_id).length, 1, 'an indeterminate POST is not retried here');

      const state = await yookassa.initiatePayment(input);
      assert.equal(state.status, 'requires_action');
      assert.equal(fake.payment_count, payments_before + 1);
    });

    it('surfaces a connection dropped after sending as indeterminate', async () => {
      fake.failNext(1, 'drop', { after_processing: true });
      const error = await providerError(yookassa.initiatePayment(paymentInput()));
      assert.equal(error.kind, 'indeterminate');
    });

    it('classifies a refused connection as retryable (nothing reached YooKassa)', async () => {
      const provider = providerWith({ api_url: `${await closedPortUrl()}/v3/` }, { retries: { ...RETRIES_WITHOUT_WAITING, attempts_max: 2 } });
      const error = await providerError(provider.initiatePayment(paymentInput()));
      assert.equal(error.kind, 'retryable');
      assert.match(error.message, /ECONNREFUSED/);
    });

    it('retries reads through a 500 or a dropped connection (a GET changes nothing)', async () => {
      const created = await yookassa.initiatePayment(paymentInput());
      fake.failNext(1, 500);
      fake.failNext(1, 'drop');
      const state = await yookassa.getPaymentStatus(created.provider_payment_id);
      assert.equal(state.provider_payment_id, created.provider_payment_id);
    });

    it('surfaces a 400 as definitive, with YooKassa\'s code and description', async () => {
      const error = await providerError(yookassa.initiatePayment(paymentInput({ amount_minor: 0 })));
      assert.equal(error.kind, 'definitive');
      assert.equal(error.provider_code, 'invalid_request');
      assert.match(error.message, /invalid_request: Amount value must be greater than 0 \(parameter amount\.value/);
    });

    it('surfaces wrong credentials as definitive, without retrying', async () => {
      const input = paymentInput();
      const error = await providerError(providerWith({ secret_key: 'test_wrong' }).initiatePayment(input));
      assert.equal(error.kind, 'definitive');
      assert.equal(error.provider_code, 'invalid_credentials');
      assert.equal(requestsWithKey(input.payment_id).length, 1);
    });

    it('refuses an id that is not a YooKassa id before it reaches a URL', async () => {
      const error = await providerError(yookassa.getPaymentStatus('../refunds/x'));
      assert.equal(error.kind, 'definitive');
    });
  });

  describe('the fake keeps YooKassa\'s rules', () => {
    it('requires Idempotence-Key on POST and Basic auth everywhere', async () => {
      const authorization = `Basic ${Buffer.from(`${fake.shop_id}:${fake.secret_key}`).toString('base64')}`;
      const no_key = await fetch(`${fake.api_url}payments`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: '{}' });
      assert.equal(no_key.status, 400);
      assert.deepEqual({ ...(await no_key.json() as object), id: 'x' }, { type: 'error', id: 'x', code: 'invalid_request', description: 'Idempotence key is not specified', parameter: 'Idempotence-Key' });
      const no_auth = await fetch(`${fake.api_url}payments/x`);
      assert.equal(no_auth.status, 401);
      assert.equal((await no_auth.json() as { code: string }).code, 'invalid_credentials');
    });
  });

  describe('refunds', () => {
    async function succeededPayment(): Promise<string> {
      const created = await yookassa.initiatePayment(paymentInput());
      fake.complete(created.provider_payment_id, 'succeeded');
      return created.provider_payment_id;
    }

    it('refunds in full and in part, keyed by refund_id', async () => {
      const provider_payment_id = await succeededPayment();
      const refund_id = `rf_${randomUUID()}`;
      const part = await yookassa.refundPayment({ refund_id, provider_payment_id, amount_minor: 40_000, currency: 'RUB' });
      assert.equal(part.status, 'succeeded');
      assert.deepEqual(requestsWithKey(refund_id)[0]?.body, { payment_id: provider_payment_id, amount: { value: '400.00', currency: 'RUB' } });
      const rest = await yookassa.refundPayment({ refund_id: `rf_${randomUUID()}`, provider_payment_id, amount_minor: 59_000, currency: 'RUB' });
      assert.equal(rest.status, 'succeeded');
      assert.equal(fake.payment(provider_payment_id)?.refunded_amount?.value, '990.00');
    });

    it('reports a refund YooKassa holds as pending, then succeeded through refund.succeeded', async () => {
      const provider_payment_id = await succeededPayment();
      fake.holdRefunds(true);
      const refund = await yookassa.refundPayment({ refund_id: `rf_${randomUUID()}`, provider_payment_id, amount_minor: 99_000, currency: 'RUB' });
      fake.holdRefunds(false);
      assert.equal(refund.status, 'pending');
      fake.completeRefund(refund.provider_refund_id, 'succeeded');
      const event = await yookassa.parseWebhook({ headers: {}, raw_body: fake.notificationBody('refund.succeeded', refund.provider_refund_id), remote_address: YOOKASSA_ADDRESS });
      assert.deepEqual(event, {
        event_id: `refund.succeeded:${refund.provider_refund_id}:succeeded`,
        type: 'refund',
        provider_payment_id,
        refund: { provider_refund_id: refund.provider_refund_id, status: 'succeeded' },
      });
    });
  });

  describe('notifications', () => {
    it('re-fetches the payment: a notification claiming succeeded for a pending payment reports pending', async () => {
      const created = await yookassa.initiatePayment(paymentInput());
      const forged = fake.notificationBody('payment.succeeded', created.provider_payment_id, { status: 'succeeded', paid: true });
      const event = await yookassa.parseWebhook({ headers: {}, raw_body: forged, remote_address: YOOKASSA_ADDRESS });
      assert.equal(event.type, 'payment');
      assert.ok(event.type === 'payment' && !isFinalPaymentStatus(event.payment.status));
      assert.equal(event.type === 'payment' && event.payment.status, 'requires_action');
      assert.equal(event.event_id, `payment.succeeded:${created.provider_payment_id}:pending`);
      assert.ok(fake.requests.some((request) => request.method === 'GET' && request.path === `/v3/payments/${created.provider_payment_id}`));
    });

    it('reports the fetched final state, with an event id that changes with it', async () => {
      const created = await yookassa.initiatePayment(paymentInput());
      fake.complete(created.provider_payment_id, { canceled: 'insufficient_funds' });
      const event = await yookassa.parseWebhook({ headers: {}, raw_body: fake.notificationBody('payment.canceled', created.provider_payment_id), remote_address: YOOKASSA_ADDRESS });
      assert.deepEqual(event, {
        event_id: `payment.canceled:${created.provider_payment_id}:canceled`,
        type: 'payment',
        payment: { provider_payment_id: created.provider_payment_id, status: 'failed', amount_minor: 99_000, currency: 'RUB', failure: { code: 'insufficient_funds', provider_code: 'insufficient_funds' } },
      });
    });

    it('accepts every published range, IPv6 and IPv4-mapped IPv6 included', async () => {
      const created = await yookassa.initiatePayment(paymentInput());
      const body = fake.notificationBody('payment.waiting_for_capture', created.provider_payment_id);
      for (const remote_address of ['185.71.77.31', '77.75.153.127', '77.75.156.11', '77.75.156.35', '77.75.154.200', '2a02:5180:0:1::9', '::ffff:185.71.76.1']) {
        const event = await yookassa.parseWebhook({ headers: {}, raw_body: body, remote_address });
        assert.equal(event.type, 'payment', remote_address);
      }
    });

    it('rejects a notification from any other address before reading it', async () => {
      const created = await yookassa.initiatePayment(paymentInput());
      const body = fake.notificationBody('payment.succeeded', created.provider_payment_id);
      for (const remote_address of ['8.8.8.8', '185.71.76.32', '77.75.156.12', '127.0.0.1', '2a02:5181::1', '', 'not-an-ip']) {
        const rejection = await webhookRejection(yookassa.parseWebhook({ headers: {}, raw_body: body, remote_address }));
        assert.equal(rejection.reason, 'unknown_source', remote_address);
      }
    });

    it('rejects malformed notifications', async () => {
      const bodies = [
        'not json',
        '{"type":"notification","event":"payment.succeeded"}',
        '{"type":"something","event":"payment.succeeded","object":{"id":"2f3b588d-000f-5000-8000-1d6e87c7fbde"}}',
        '{"type":"notification","event":"payment.succeeded","object":{"id":"../refunds/1"}}',
        '{"type":"notification","event":"payment.succeeded","object":{"id":"00000000-000f-5000-8000-000000000000"}}',
      ];
      for (const text of bodies) {
        const rejection = await webhookRejection(yookassa.parseWebhook({
          headers: {}, raw_body: Buffer.from(text), remote_address: YOOKASSA_ADDRESS,
        }));
        assert.equal(rejection.reason, 'malformed', text.slice(0, 80));
      }
    });

    it('ignores events it does not use', async () => {
      const body = Buffer.from(JSON.stringify({ type: 'notification', event: 'payout.succeeded', object: { id: 'po-28e8e5dc-000f-5000-8000-1b4e0f4d4cf0' } }));
      const event = await yookassa.parseWebhook({ headers: {}, raw_body: body, remote_address: YOOKASSA_ADDRESS });
      assert.equal(event.type, 'ignored');
    });

    it('takes a notification end to end: the fake POSTs it, the receiver checks the socket address', async () => {
      const created = await yookassa.initiatePayment(paymentInput());
      fake.complete(created.provider_payment_id, 'succeeded');
      const local = providerWith({ notification_ranges: AddressList.of(['127.0.0.1/32']).ranges });
      const receivers = [await startWebhookReceiver(() => local), await startWebhookReceiver(() => yookassa)];
      try {
        const body = fake.notificationBody('payment.succeeded', created.provider_payment_id);
        assert.equal(await fake.sendNotification(receivers[0]?.url ?? '', body), 200);
        assert.equal(await fake.sendNotification(receivers[1]?.url ?? '', body), 400, 'with the published ranges, 127.0.0.1 is not YooKassa');
        const [event] = receivers[0]?.received ?? [];
        assert.equal(event?.type === 'payment' && event.payment.status, 'succeeded');
        assert.equal(receivers[1]?.received.length, 0);
      } finally {
        for (const receiver of receivers) await receiver.close();
      }
    });
  });
});

describe('YooKassa amounts on the wire', () => {
  it('prints integer kopecks as YooKassa decimals', () => {
    assert.equal(decimalFromMinor(99_000, 'RUB'), '990.00');
    assert.equal(decimalFromMinor(5, 'RUB'), '0.05');
    assert.throws(() => decimalFromMinor(-1, 'RUB'), RangeError);
    assert.throws(() => decimalFromMinor(1.5, 'RUB'), RangeError);
  });

  it('parses exactly the documented form, never through floats', () => {
    assert.equal(minorFromDecimal({ value: '990.00', currency: 'RUB' }), 99_000);
    assert.equal(minorFromDecimal({ value: '0.29', currency: 'RUB' }), 29);
    assert.equal(minorFromDecimal({ value: '90071992547409.91', currency: 'RUB' }), 9_007_199_254_740_991);
    for (const value of ['990', '990.0', '990.000', '1e3', '-1.00', ' 990.00', '990,00', '0990.00', '90071992547409.92']) {
      assert.throws(() => minorFromDecimal({ value, currency: 'RUB' }), RangeError, value);
    }
    assert.throws(() => minorFromDecimal({ value: '1.00', currency: 'XXX' }), RangeError);
  });

  it('cuts text by UTF-16 units without splitting a surrogate pair', () => {
    assert.equal(truncateUtf16('abc', 128), 'abc');
    assert.equal(truncateUtf16('ab🙂', 3), 'ab');
    assert.equal(truncateUtf16('ab🙂', 4), 'ab🙂');
  });
});

describe('YooKassa configuration from the environment', () => {
  const credentials = { YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'live_abcDEF123' };

  it('is off when neither the shop id nor the key is set (empty counts as unset)', () => {
    assert.equal(yookassaConfigFromEnv({}), undefined);
    assert.equal(yookassaConfigFromEnv({ YOOKASSA_SHOP_ID: '', YOOKASSA_TIMEOUT_MS: '5000' }), undefined);
  });

  it('has YooKassa\'s defaults', () => {
    const config = yookassaConfigFromEnv(credentials);
    assert.equal(config?.api_url, 'https://api.yookassa.ru/v3/');
    assert.equal(config?.timeout_ms, 10_000);
    assert.equal(config?.notification_ranges.length, YOOKASSA_NOTIFICATION_IPS_DEFAULT.length);
    assert.deepEqual(config?.notification_ranges.at(-1), { address: '2a02:5180::', prefix_length: 32, family: 'ipv6' });
  });

  it('reads every variable', () => {
    const config = yookassaConfigFromEnv({ ...credentials, YOOKASSA_API_URL: 'http://127.0.0.1:8080/v3', YOOKASSA_NOTIFICATION_IPS: '10.0.0.0/8, 192.168.1.1', YOOKASSA_TIMEOUT_MS: '3000' });
    assert.equal(config?.api_url, 'http://127.0.0.1:8080/v3/');
    assert.deepEqual(config?.notification_ranges, [{ address: '10.0.0.0', prefix_length: 8, family: 'ipv4' }, { address: '192.168.1.1', prefix_length: 32, family: 'ipv4' }]);
    assert.equal(config?.timeout_ms, 3000);
  });

  it('stops with a message naming each bad variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ YOOKASSA_SHOP_ID: '123456' }, /YOOKASSA_SECRET_KEY: must be set as well/],
      [{ YOOKASSA_SECRET_KEY: 'test_x' }, /YOOKASSA_SHOP_ID: must be set as well/],
      [{ ...credentials, YOOKASSA_SHOP_ID: 'shop-1' }, /YOOKASSA_SHOP_ID: must be the numeric shopId/],
      [{ ...credentials, YOOKASSA_SECRET_KEY: 'abc' }, /YOOKASSA_SECRET_KEY: must be a YooKassa secret key/],
      [{ ...credentials, YOOKASSA_API_URL: 'http://api.yookassa.ru/v3/' }, /YOOKASSA_API_URL: must use https/],
      [{ ...credentials, YOOKASSA_API_URL: 'api.yookassa.ru' }, /YOOKASSA_API_URL: must be an absolute URL/],
      [{ ...credentials, YOOKASSA_NOTIFICATION_IPS: '185.71.76.0/33,1.2.3' }, /YOOKASSA_NOTIFICATION_IPS: "185\.71\.76\.0\/33" is not/],
      [{ ...credentials, YOOKASSA_NOTIFICATION_IPS: ' , ' }, /YOOKASSA_NOTIFICATION_IPS: must list at least one/],
      [{ ...credentials, YOOKASSA_TIMEOUT_MS: '10s' }, /YOOKASSA_TIMEOUT_MS/],
      [{ ...credentials, YOOKASSA_TIMEOUT_MS: '999999' }, /YOOKASSA_TIMEOUT_MS/],
    ];
    for (const [environment, message] of cases) {
      assert.throws(
        () => yookassaConfigFromEnv(environment),
        (error: unknown) => error instanceof ConfigError && message.test(error.message),
        JSON.stringify(environment),
      );
    }
  });
});
