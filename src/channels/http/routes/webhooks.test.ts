import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { PayPalFake, FAKE_CLIENT_ID, FAKE_CLIENT_SECRET, FAKE_WEBHOOK_ID } from '../../../adapters/payments/paypal/paypal-fake-server.js';
import { SANDBOX_SIGNATURE_HEADER, signatureHeader } from '../../../adapters/payments/sandbox/sandbox-wire.js';
import { StripeFakeServer } from '../../../adapters/payments/stripe/stripe-fake-server.js';
import { YooKassaFake } from '../../../adapters/payments/yookassa/yookassa-fake-server.js';
import { WEBHOOK_BODY_BYTES_MAX } from '../../../ports/payment-provider.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { testServer } from '../../../testing/test-server.js';

/**
 * Every provider's webhook endpoint, sent what a broken or hostile sender sends — bodies that are
 * not JSON, cut short, of the wrong shape, empty, too large — each correctly signed (or from the
 * provider's address), so the adapter's parsing is what is tested, not its signature check. Each
 * must be a 400 (413 when too large), never a 500, and change nothing.
 */

const STRIPE_SECRET_KEY = 'sk_test_roamcard0000000000000001';
const STRIPE_WEBHOOK_SECRET = 'whsec_roamcard0000000000000001';
const SANDBOX_WEBHOOK_SECRET = 'whsec_roamcard_webhooks_test_0001';
/** Inside YooKassa's published 185.71.76.0/27. */
const YOOKASSA_ADDRESS = '185.71.76.1';

interface Delivery {
  readonly headers: Record<string, string>;
  readonly remote_address?: string;
}

describeEachDatabase('POST /webhooks/{provider} with malformed bodies', (test_db) => {
  let seeded: SeededContext;
  let server: ReturnType<typeof testServer>;
  let yookassa: YooKassaFake;
  let stripe: StripeFakeServer;
  let paypal: PayPalFake;
  let sandbox_payment_id = '';

  before(async () => {
    [yookassa, stripe, paypal] = await Promise.all([
      YooKassaFake.start(),
      StripeFakeServer.start({ secret_key: STRIPE_SECRET_KEY, webhook_secret: STRIPE_WEBHOOK_SECRET }),
      PayPalFake.start(),
    ]);
    seeded = await seededContext(test_db.database, {
      // Every provider at once, the sandbox too (explicitly: real providers turn it off), card on the sandbox.
      SANDBOX_WEBHOOK_SECRET, PAYMENTS_SANDBOX: 'on', PAYMENT_ROUTES: 'card=sandbox', SMS_DRIVER: 'console',
      YOOKASSA_SHOP_ID: yookassa.shop_id, YOOKASSA_SECRET_KEY: yookassa.secret_key, YOOKASSA_API_URL: yookassa.api_url,
      STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE: stripe.base_url,
      PAYPAL_CLIENT_ID: FAKE_CLIENT_ID, PAYPAL_CLIENT_SECRET: FAKE_CLIENT_SECRET, PAYPAL_WEBHOOK_ID: FAKE_WEBHOOK_ID,
      PAYPAL_API_BASE: paypal.base_url,
    });
    server = testServer(seeded.context);
    sandbox_payment_id = await sandboxCardPayment();
  });

  after(async () => {
    await server.close();
    await Promise.all([yookassa.close(), stripe.close(), paypal.close()]);
  });

  /** A real order paid by card on the sandbox, left on its hosted page: a payment a forged event could move. */
  async function sandboxCardPayment(): Promise<string> {
    const headers = { 'content-type': 'application/json' };
    const order = await server.inject({ method: 'POST', url: '/api/v1/orders', headers: { ...headers, 'idempotency-key': 'webhooks-order' }, payload: { msisdn: '+79001234568', package_code: 'data-1gb-1d' } });
    assert.equal(order.statusCode, 201, order.body);
    const order_id = (order.json() as { id: string }).id;
    const payment = await server.inject({ method: 'POST', url: `/api/v1/orders/${order_id}/payments`, headers: { ...headers, 'idempotency-key': 'webhooks-card' }, payload: { method: 'card' } });
    assert.equal(payment.statusCode, 201, payment.body);
    const url = (payment.json() as { payment: { next_action: { url: string } } }).payment.next_action.url;
    return /\/sandbox\/pay\/([^/?]+)/.exec(url)?.[1] ?? assert.fail(`no sandbox payment in ${url}`);
  }

  /** How each provider would deliver `body`: signed with its secret, or from its address. */
  const deliveries: Record<string, (body: string) => Delivery> = {
    sandbox: (body) => ({
      headers: { [SANDBOX_SIGNATURE_HEADER]: signatureHeader(SANDBOX_WEBHOOK_SECRET, body, Math.floor(seeded.clock.now_ms() / 1000)) },
    }),
    stripe: (body) => ({ headers: { 'stripe-signature': stripe.signature(body) } }),
    yookassa: () => ({ headers: {}, remote_address: YOOKASSA_ADDRESS }),
    // PayPal signs the CRC32 of the body; a body that is not an event is refused before that is checked.
    paypal: (body) => ({ headers: paypal.delivery(safeObject(body)).headers }),
  };

  /** Bodies every provider must refuse as malformed. */
  const COMMON_BODIES: ReadonlyArray<readonly [string, string]> = [
    ['not JSON', 'hello, this is not JSON'],
    ['truncated JSON', '{"id":"evt_1","type":"payment.updated","data":{"payment_id":"'],
    ['JSON null', 'null'],
    ['a JSON array', '[1,2,3]'],
    ['a JSON string', '"payment.succeeded"'],
    ['the wrong shape', '{"id":1,"data":null}'],
    ['an empty body', ''],
  ];

  /** Right envelope, wrong content: only a parser that checks every field refuses these. */
  function providerBodies(provider: string): ReadonlyArray<readonly [string, string]> {
    const sandbox_event = (data: Record<string, unknown>) => JSON.stringify({ id: `evt_${Object.keys(data).join('_')}`, type: 'payment.updated', created: 1, sequence: 1, data });
    switch (provider) {
      case 'sandbox': return [
        ['a payment event without status or amount', sandbox_event({ payment_id: sandbox_payment_id, status: 'succeeded' })],
        ['a payment event with an unknown status', sandbox_event({ payment_id: sandbox_payment_id, merchant_payment_id: 'pay_x', status: 'paid', amount_minor: 19_000, currency: 'RUB', failure_code: null })],
        ['a payment event with a fractional amount', sandbox_event({ payment_id: sandbox_payment_id, merchant_payment_id: 'pay_x', status: 'succeeded', amount_minor: 190.5, currency: 'RUB', failure_code: null })],
        ['a refund event without its refund', JSON.stringify({ id: 'evt_refund', type: 'refund.updated', created: 1, sequence: 1, data: { payment_id: sandbox_payment_id, status: 'succeeded', refund: 'yes' } })],
        ['an unknown event type', JSON.stringify({ id: 'evt_other', type: 'payment.exploded', created: 1, sequence: 1, data: { payment_id: sandbox_payment_id } })],
      ];
      case 'stripe': return [
        ['an event whose object is not an object', JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded', data: { object: 5 } })],
        ['a payment intent without its fields', JSON.stringify({ id: 'evt_2', object: 'event', type: 'payment_intent.succeeded', data: { object: { id: 'pi_1', object: 'payment_intent' } } })],
      ];
      case 'yookassa': return [
        ['a notification without its object', '{"type":"notification","event":"payment.succeeded"}'],
        ['a notification about a payment YooKassa does not know', '{"type":"notification","event":"payment.succeeded","object":{"id":"2f3b588d-000f-5000-8000-1d6e87c7fbde"}}'],
      ];
      case 'paypal': return [
        ['a capture event whose resource is not a capture', JSON.stringify(paypal.event('PAYMENT.CAPTURE.COMPLETED', 'capture', { id: 5 }))],
        ['a capture event whose amount is not a decimal', JSON.stringify(paypal.event('PAYMENT.CAPTURE.COMPLETED', 'capture', {
          id: 'C1', status: 'COMPLETED', amount: { currency_code: 'RUB', value: '1e3' }, supplementary_data: { related_ids: { order_id: 'O1' } },
        }))],
      ];
      default: return [];
    }
  }

  async function snapshot(): Promise<unknown> {
    const db = seeded.context.database.db;
    const [webhook_events, payments, sandbox_payments, journal, jobs] = await Promise.all([
      db.selectFrom('webhook_events').selectAll().orderBy('event_id').execute(),
      db.selectFrom('payments').select(['id', 'status', 'updated_at_ms']).orderBy('id').execute(),
      db.selectFrom('sandbox_payments').select(['id', 'status', 'updated_at_ms']).orderBy('id').execute(),
      db.selectFrom('journal_entries').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow(),
      db.selectFrom('jobs').select(['id', 'status']).orderBy('id').execute(),
    ]);
    return { webhook_events, payments, sandbox_payments, journal: Number(journal.count), jobs };
  }

  async function send(provider: string, body: string | Buffer, delivery: Delivery) {
    return server.inject({
      method: 'POST', url: `/webhooks/${provider}`, payload: body,
      headers: { 'content-type': 'application/json', ...delivery.headers },
      ...(delivery.remote_address === undefined ? {} : { remoteAddress: delivery.remote_address }),
    });
  }

  for (const provider of ['sandbox', 'stripe', 'yookassa', 'paypal']) {
    it(`${provider}: every malformed body is a 400 "malformed" and changes nothing`, async () => {
      const before_state = await snapshot();
      const deliver = deliveries[provider] ?? assert.fail(provider);
      for (const [what, body] of [...COMMON_BODIES, ...providerBodies(provider)]) {
        const response = await send(provider, body, deliver(body));
        assert.equal(response.statusCode, 400, `${provider}, ${what}: ${response.statusCode} ${response.body}`);
        assert.deepEqual(response.json(), { received: false, reason: 'malformed' }, `${provider}, ${what}`);
      }
      assert.deepEqual(await snapshot(), before_state);
    });

    it(`${provider}: a body over the limit is a 413 before any parsing, and changes nothing`, async () => {
      const before_state = await snapshot();
      const body = JSON.stringify({ id: 'evt_huge', padding: 'x'.repeat(WEBHOOK_BODY_BYTES_MAX) });
      const response = await send(provider, body, deliver(provider, body));
      assert.equal(response.statusCode, 413, response.body);
      assert.deepEqual(await snapshot(), before_state);
    });
  }

  function deliver(provider: string, body: string): Delivery {
    return (deliveries[provider] ?? assert.fail(provider))(body);
  }
});

/** The PayPal fake signs JSON objects; for other bodies any object's headers do (the parse fails first). */
function safeObject(body: string): Record<string, never> {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, never>;
  } catch {
    // not JSON: sign an empty object instead
  }
  return {};
}
