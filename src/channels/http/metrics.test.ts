import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { contextOver } from '../../app/context.js';
import { loadConfig } from '../../config.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { testServer } from '../../testing/test-server.js';

/**
 * /metrics shows request rates per route, payment and job counts, process internals: for the
 * operator's Prometheus only. Without METRICS_TOKEN it answers loopback clients (Prometheus on
 * the same host works out of the box); with it, the bearer token from anywhere, and nothing else.
 */

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describeEachDatabase('/metrics is for the operator\'s scraper only', (test_db) => {
  let seeded: SeededContext;

  before(async () => {
    seeded = await seededContext(test_db.database);
  });

  async function scrape(environment: Record<string, string>, remoteAddress: string, headers: Record<string, string> = {}) {
    const context = contextOver(loadConfig({ LOG_LEVEL: 'silent', ...environment }), test_db.database, seeded.clock, { environment: {} });
    const app = testServer(context);
    try {
      return await app.inject({ url: '/metrics', remoteAddress, headers });
    } finally {
      await app.close();
    }
  }

  function assertMetrics(response: Awaited<ReturnType<typeof scrape>>, what: string): void {
    assert.equal(response.statusCode, 200, `${what}: ${response.body}`);
    assert.match(response.body, /^# HELP /m, what);
  }

  function assertNoMetrics(response: Awaited<ReturnType<typeof scrape>>, status: number, what: string): void {
    assert.equal(response.statusCode, status, `${what}: ${response.body}`);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/, what);
    assert.doesNotMatch(response.body, /HELP|roamcard_|process_|http_request/, what);
  }

  it('without METRICS_TOKEN: loopback clients only', async () => {
    for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) assertMetrics(await scrape({}, address), address);
    for (const address of ['198.51.100.7', '10.0.0.2', '2001:db8::7']) assertNoMetrics(await scrape({}, address), 403, address);
  });

  it('without METRICS_TOKEN, behind a proxy on this machine: the resolved client decides, not the proxy', async () => {
    assertNoMetrics(await scrape({ TRUST_PROXY: '127.0.0.1' }, '127.0.0.1', { 'x-forwarded-for': '198.51.100.7' }), 403, 'relayed outside client');
    assertNoMetrics(await scrape({}, '198.51.100.7', { 'x-forwarded-for': '127.0.0.1' }), 403, 'a client claiming to be loopback');
  });

  it('with METRICS_TOKEN: the bearer token from anywhere, nothing without it (loopback included)', async () => {
    const bearer = { authorization: `Bearer ${METRICS_TOKEN}` };
    for (const address of ['198.51.100.7', '127.0.0.1']) assertMetrics(await scrape({ METRICS_TOKEN }, address, bearer), address);
    for (const [what, headers] of [['no token', {}], ['a wrong token', { authorization: `Bearer ${METRICS_TOKEN}x` }], ['basic credentials', { authorization: `Basic ${Buffer.from(`u:${METRICS_TOKEN}`).toString('base64')}` }]] as const) {
      for (const address of ['198.51.100.7', '127.0.0.1']) {
        const response = await scrape({ METRICS_TOKEN }, address, headers);
        assertNoMetrics(response, 401, `${what} from ${address}`);
        assert.match(String(response.headers['www-authenticate']), /^Bearer realm=/);
      }
    }
  });
});
