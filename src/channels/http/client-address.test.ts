import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { contextOver } from '../../app/context.js';
import { ConfigError, loadConfig } from '../../config.js';
import { CODE_RATE_LIMITS } from '../../services/customers/one-time-codes.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { atForm, testServer } from '../../testing/test-server.js';
import { TEST_IDENTITY_KEYS } from '../../testing/identity-keys.js';

/**
 * Who the client is, behind load balancers (TRUST_PROXY), as an attacker on the other side sees
 * it: every per-address rule — the sign-in code limit, YooKassa's source check, the USSD gateway's
 * allow-list — must see the real client, and no client may choose its address by writing an
 * X-Forwarded-For header.
 */

const CODES_PER_ADDRESS = CODE_RATE_LIMITS.per_ip_hour.hits_max;
const LOAD_BALANCER = '10.0.0.2';
const YOOKASSA_ADDRESS = '185.71.76.1';
const YOOKASSA = { YOOKASSA_SHOP_ID: '100500', YOOKASSA_SECRET_KEY: 'test_fake_secret', YOOKASSA_API_URL: 'http://127.0.0.1:9/v3/', SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS };

describeEachDatabase('the client address behind proxies (TRUST_PROXY)', (test_db) => {
  let seeded: SeededContext;
  let numbers = 0;

  before(async () => {
    seeded = await seededContext(test_db.database);
  });

  async function withServer(
    environment: Record<string, string>,
    use: (app: ReturnType<typeof testServer>) => Promise<void>,
  ): Promise<void> {
    const context = contextOver(loadConfig({ LOG_LEVEL: 'silent', ...environment }), test_db.database, seeded.clock, { environment });
    const app = testServer(context);
    try {
      await use(app);
    } finally {
      await app.close();
    }
  }

  /** A code for a number never asked before (so only the per-address limit can refuse it). */
  async function askCode(app: ReturnType<typeof testServer>, remoteAddress: string, forwarded_for?: string): Promise<number> {
    numbers += 1;
    const response = await app.inject({
      method: 'POST', url: '/api/v1/auth/codes', remoteAddress,
      headers: { 'content-type': 'application/json', ...(forwarded_for === undefined ? {} : { 'x-forwarded-for': forwarded_for }) },
      payload: JSON.stringify({ msisdn: `+7900555${String(numbers).padStart(4, '0')}` }),
    });
    assert.ok(response.statusCode === 202 || response.statusCode === 429, response.body);
    return response.statusCode;
  }

  /** Asks as often as the limit allows, each time claiming another address; then once more. */
  async function exhaust(ask: (spoofed: string) => Promise<number>): Promise<number[]> {
    const statuses: number[] = [];
    for (let index = 0; index <= CODES_PER_ADDRESS; index += 1) statuses.push(await ask(`203.0.113.${index + 1}`));
    return statuses;
  }

  const LIMIT_REACHED = [...Array<number>(CODES_PER_ADDRESS).fill(202), 429];

  it('refuses TRUST_PROXY=true at start: it would let any client choose its address', () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: 'true' }), (error: unknown) => error instanceof ConfigError && /TRUST_PROXY: must not be "true"/.test(error.message));
  });

  it('behind one trusted proxy (TRUST_PROXY=1): codes are counted for the real client, whatever it writes in X-Forwarded-For', async () => {
    await withServer({ TRUST_PROXY: '1' }, async (app) => {
      // The client writes an address of its choice; the load balancer appends the one it saw.
      assert.deepEqual(await exhaust((spoofed) => askCode(app, LOAD_BALANCER, `${spoofed}, 198.51.100.10`)), LIMIT_REACHED);
      // Another client behind the same load balancer is not the load balancer: it has its own count.
      assert.equal(await askCode(app, LOAD_BALANCER, '198.51.100.11'), 202);
    });
  });

  it('with the load balancer named by address: the same through it, and a client reaching the server directly is counted by its socket', async () => {
    await withServer({ TRUST_PROXY: '10.0.0.0/8, 2001:db8:10b::/48' }, async (app) => {
      assert.deepEqual(await exhaust((spoofed) => askCode(app, LOAD_BALANCER, `${spoofed}, 198.51.100.20`)), LIMIT_REACHED);
      assert.deepEqual(await exhaust((spoofed) => askCode(app, '2001:db8:10b::9', `${spoofed}, 198.51.100.21`)), LIMIT_REACHED);
      // Not from a trusted proxy: its own X-Forwarded-For (even one naming a trusted proxy) is not believed.
      assert.deepEqual(await exhaust((spoofed) => askCode(app, '198.51.100.22', `${spoofed}, ${LOAD_BALANCER}`)), LIMIT_REACHED);
    });
  });

  it('with no trusted proxy (the default): X-Forwarded-For is ignored, so writing one dodges nothing', async () => {
    await withServer({}, async (app) => {
      assert.deepEqual(await exhaust((spoofed) => askCode(app, '198.51.100.30', spoofed)), LIMIT_REACHED);
    });
  });

  it('YooKassa: a forged X-Forwarded-For cannot pass as YooKassa; YooKassa behind a trusted proxy can', async () => {
    // An event type we do not use: answered "ignored" once the source check passes, without calling YooKassa.
    const notification = JSON.stringify({ type: 'notification', event: 'deal.closed', object: { id: '2f3b588d-000f-5000-8000-1d6e87c7fbde' } });
    const notify = (app: ReturnType<typeof testServer>, remoteAddress: string, forwarded_for: string) => app.inject({
      method: 'POST', url: '/webhooks/yookassa', remoteAddress, payload: notification, headers: { 'content-type': 'application/json', 'x-forwarded-for': forwarded_for },
    });
    await withServer({ ...YOOKASSA, TRUST_PROXY: '10.0.0.0/8' }, async (app) => {
      for (const [remote, forwarded, what] of [
        ['8.8.8.8', YOOKASSA_ADDRESS, 'straight from an untrusted source'],
        [LOAD_BALANCER, `${YOOKASSA_ADDRESS}, 8.8.8.8`, 'through the trusted proxy, which appended the real source'],
      ] as const) {
        const forged = await notify(app, remote, forwarded);
        assert.equal(forged.statusCode, 400, what);
        assert.deepEqual(forged.json(), { received: false, reason: 'unknown_source' }, what);
      }
      const real = await notify(app, LOAD_BALANCER, YOOKASSA_ADDRESS);
      assert.deepEqual([real.statusCode, real.json()], [200, { received: true, outcome: 'ignored' }]);
    });
    await withServer(YOOKASSA, async (app) => {
      const untrusted = await notify(app, LOAD_BALANCER, YOOKASSA_ADDRESS);
      assert.deepEqual([untrusted.statusCode, untrusted.json()], [400, { received: false, reason: 'unknown_source' }], 'without TRUST_PROXY the header counts for nothing');
    });
  });

  it('USSD: the allow-list sees the resolved client, so a proxy on this machine does not make every client loopback', async () => {
    const dial = (app: ReturnType<typeof testServer>, forwarded_for?: string) => app.inject({
      method: 'POST', url: '/ussd/at', remoteAddress: '127.0.0.1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(forwarded_for === undefined ? {} : { 'x-forwarded-for': forwarded_for }) },
      payload: atForm({ sessionId: 'p1', serviceCode: '#100#', phoneNumber: '+79001234567', text: '' }),
    });
    await withServer({ TRUST_PROXY: '127.0.0.1' }, async (app) => {
      assert.equal((await dial(app, '198.51.100.40')).statusCode, 403, 'an outside client relayed by a local proxy is not loopback');
      assert.equal((await dial(app)).statusCode, 200, 'a gateway on this machine, not proxied, still is');
    });
    await withServer({ TRUST_PROXY: '127.0.0.1', USSD_GATEWAY_ALLOW: '203.0.113.5' }, async (app) => {
      assert.equal((await dial(app, '203.0.113.5')).statusCode, 200, 'the gateway behind the proxy');
      assert.equal((await dial(app, '203.0.113.5, 198.51.100.41')).statusCode, 403, 'a client that wrote the gateway\'s address');
    });
  });
});
