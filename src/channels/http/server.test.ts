import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { RoamError } from '../../core/errors.js';
import { createTestDatabase, describeEachDatabase } from '../../testing/databases.js';
import { languageFromAcceptLanguage } from './accept-language.js';
import { redactLoggedUrl } from './logging.js';
import { PROBLEM_CONTENT_TYPE } from './problem-details.js';
import { seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { atForm, captureLogs, testServer } from '../../testing/test-server.js';

const EXPECTED_PATHS = [
  '/healthz', '/readyz', '/openapi.json', '/metrics', '/ussd/at', '/api/v1/packages', '/api/v1/usage-events',
  '/api/v1/orders', '/api/v1/orders/{id}', '/api/v1/orders/{id}/payments', '/api/v1/orders/{id}/cancel', '/api/v1/orders/{id}/refund',
  '/api/v1/orders/{id}/wallet-code',
  '/api/v1/desk/subscribers', '/api/v1/desk/subscribers/{line_id}', '/api/v1/desk/subscribers/{line_id}/imei',
  '/api/v1/desk/subscribers/{line_id}/contract.pdf', '/api/v1/desk/consent', '/api/v1/payment-methods', '/webhooks/{provider}',
  '/api/v1/auth/codes', '/api/v1/auth/sessions', '/api/v1/auth/sessions/current', '/api/v1/me', '/api/v1/me/lines', '/api/v1/me/lines/{line_id}',
  '/api/v1/me/lines/{line_id}/alerts',
  '/api/v1/me/orders', '/api/v1/me/orders/{order_id}',
  '/api/v1/network/blocks', '/api/v1/network/blocks/{id}', '/api/v1/network/lines/{msisdn}/blocks',
  '/api/v1/staff/sessions', '/api/v1/staff/sessions/current', '/api/v1/staff/me', '/api/v1/staff/password', '/api/v1/staff/audit',
  '/api/v1/desk/shifts', '/api/v1/desk/shifts/{id}/close', '/api/v1/desk/shifts/current', '/api/v1/desk/shifts/overdue',
  '/api/v1/desk/sales', '/api/v1/desk/refunds', '/api/v1/desk/invoices', '/api/v1/desk/lines',
  '/osmp/{partner}', '/partner-api/v1/{partner}/check', '/partner-api/v1/{partner}/pay',
];
const PHONE = '+79001234567';
const PHONE_DIGITS = '9001234567';

function json(body: string): Record<string, unknown> {
  return JSON.parse(body) as Record<string, unknown>;
}

describeEachDatabase('HTTP server', (test_db) => {
  let seeded: SeededContext;
  before(async () => {
    seeded = await seededContext(test_db.database);
  });

  /** A server with two extra routes that fail on purpose (added before it is ready). */
  function serverWithFailingRoutes(logs = captureLogs()) {
    const app = testServer(seeded.context, { logs });
    app.get('/test/crash', async () => {
      throw new Error(`database password hunter2 leaked while serving ${PHONE}`, { cause: new Error('lookup of 8 900 123 45 67 failed') });
    });
    app.get('/test/roam-error', async () => {
      throw new RoamError('ROAM_ERR_INSUFFICIENT_FUNDS', { needed_minor: 100, available_minor: 0 });
    });
    return { app, logs };
  }

  describe('problem details (RFC 9457)', () => {
    it('answers an unknown route with a 404 problem, localized from Accept-Language', async () => {
      const app = testServer(seeded.context);
      const response = await app.inject({ url: '/no/such/thing', headers: { 'accept-language': 'fr-FR, ru;q=0.8, en;q=0.5' } });
      await app.close();
      assert.equal(response.statusCode, 404);
      assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      const body = json(response.body);
      assert.equal(body.type, 'https://roamcard.dev/problems/not-found');
      assert.equal(body.title, 'Not found');
      assert.equal(body.status, 404);
      assert.equal(body.code, 'ROAM_ERR_NOT_FOUND');
      assert.equal(body.detail, 'По этому адресу ничего нет.');
      assert.equal(body.instance, `urn:roamcard:request:${String(response.headers['x-request-id'])}`);
    });

    it('rejects invalid input with a 400 naming each field', async () => {
      const app = testServer(seeded.context);
      const response = await app.inject({ url: '/api/v1/packages?channel=telegraph', headers: { 'accept-language': 'en' } });
      await app.close();
      assert.equal(response.statusCode, 400);
      const body = json(response.body);
      assert.equal(body.code, 'ROAM_ERR_VALIDATION');
      assert.equal(body.detail, 'channel is not one of the allowed values.');
      assert.deepEqual(body.errors, [{ field: 'channel', in: 'querystring', problem: 'invalid_value', detail: 'is not one of the allowed values' }]);
    });

    it('maps a RoamError to its status, code and localized detail', async () => {
      const { app } = serverWithFailingRoutes();
      const response = await app.inject({ url: '/test/roam-error', headers: { 'accept-language': 'zh-CN' } });
      await app.close();
      assert.equal(response.statusCode, 402);
      const body = json(response.body);
      assert.deepEqual(
        { type: body.type, title: body.title, code: body.code, detail: body.detail },
        { type: 'https://roamcard.dev/problems/insufficient-funds', title: 'Not enough money in the wallet', code: 'ROAM_ERR_INSUFFICIENT_FUNDS', detail: '余额不足。请充值或选择其他支付方式。' },
      );
    });

    it('answers an unexpected error with a bare 500: no stack, no internal message; the log has it, masked', async () => {
      const { app, logs } = serverWithFailingRoutes();
      const response = await app.inject({ url: '/test/crash' });
      await app.close();
      assert.equal(response.statusCode, 500);
      assert.equal(response.headers['content-type'], `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
      const body = json(response.body);
      assert.equal(body.code, 'ROAM_ERR_INTERNAL');
      assert.equal(body.detail, 'Something went wrong on our side. Nothing was charged twice; please try again.');
      assert.ok(!response.body.includes('hunter2') && !response.body.includes('stack') && !response.body.includes('at '), response.body);
      const failure = logs.records().find((record) => record.msg === 'request failed');
      const logged = JSON.stringify(failure);
      assert.ok(logged.includes('hunter2'), 'the log keeps the internal message for the operator');
      assert.ok(logged.includes('serving [phone]') && !logged.includes(PHONE_DIGITS), logged);
    });

    it('turns the framework\'s own refusals into problems too', async () => {
      const app = testServer(seeded.context);
      const response = await app.inject({ method: 'POST', url: '/ussd/at', headers: { 'content-type': 'application/xml' }, payload: '<x/>' });
      await app.close();
      assert.equal(response.statusCode, 415);
      assert.equal(json(response.body).code, 'ROAM_ERR_REQUEST_REJECTED');
    });
  });

  describe('health and readiness', () => {
    it('/healthz and /readyz answer when the database does', async () => {
      const app = testServer(seeded.context);
      const health = await app.inject({ url: '/healthz' });
      const ready = await app.inject({ url: '/readyz' });
      await app.close();
      assert.equal(health.statusCode, 200);
      assert.equal(json(health.body).status, 'ok');
      assert.equal(ready.statusCode, 200);
      assert.deepEqual({ ...json(ready.body), latency_ms: 0 }, { status: 'ready', database: test_db.dialect, latency_ms: 0 });
    });

    it('/readyz is a 503 problem when the check fails or hangs past its deadline', async () => {
      const failing = testServer(seeded.context, { readiness_probe: async () => { throw new Error('connection refused'); } });
      const hanging = testServer(seeded.context, { readiness_probe: () => new Promise<void>(() => undefined), readiness_timeout_ms: 30 });
      const failed = await failing.inject({ url: '/readyz' });
      const started_ms = performance.now();
      const hung = await hanging.inject({ url: '/readyz' });
      const waited_ms = performance.now() - started_ms;
      await failing.close();
      await hanging.close();
      for (const response of [failed, hung]) {
        assert.equal(response.statusCode, 503);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
        assert.equal(json(response.body).code, 'ROAM_ERR_UNAVAILABLE');
      }
      assert.ok(waited_ms < 5_000, `answered after ${waited_ms} ms`);
    });
  });

  describe('OpenAPI, docs and metrics', () => {
    it('/openapi.json is an OpenAPI 3.1 document listing every route with its responses', async () => {
      const app = testServer(seeded.context);
      const response = await app.inject({ url: '/openapi.json' });
      await app.close();
      assert.equal(response.statusCode, 200);
      const document = json(response.body) as {
        openapi: string; info: { title: string; version: string };
        paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>>;
        components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      };
      assert.match(document.openapi, /^3\.1\.\d+$/);
      assert.equal(document.info.title, 'roamcard API');
      assert.match(document.info.version, /^\d+\.\d+\.\d+/);
      assert.deepEqual(Object.keys(document.paths).sort(), [...EXPECTED_PATHS].sort());
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          assert.ok(operation.summary, `${method} ${path} has a summary`);
          assert.ok(operation.responses && Object.keys(operation.responses).length > 0, `${method} ${path} documents responses`);
        }
      }
      assert.ok(document.components.schemas.Problem, 'problem details schema is shared');
      assert.ok(document.components.securitySchemes.networkToken);
      const sale = document.paths['/api/v1/desk/sales']?.post as Record<string, unknown> | undefined;
      assert.deepEqual(sale?.security, [{ staffSession: [] }]);
      assert.deepEqual((sale?.tags as string[] | undefined), ['desk']);
      const usage = document.paths['/api/v1/usage-events']?.post as Record<string, unknown> | undefined;
      assert.deepEqual(usage?.security, [{ networkToken: [] }]);
      assert.match(String(usage?.description), /NETWORK_API_TOKEN/);
      const form = (document.paths['/ussd/at']?.post as { requestBody?: { content?: Record<string, unknown> } } | undefined)?.requestBody?.content;
      assert.ok(form?.['application/x-www-form-urlencoded'], 'the USSD callback documents its form body');
      const osmp = document.paths['/osmp/{partner}'] as Record<string, { security?: unknown; requestBody?: { content?: Record<string, unknown> } }> | undefined;
      assert.deepEqual(Object.keys(osmp ?? {}).sort(), ['get', 'post'], 'OSMP over GET and POST, no HEAD');
      assert.deepEqual(osmp?.get?.security, [{ partnerBasic: [] }]);
      assert.ok(osmp?.post?.requestBody?.content?.['application/x-www-form-urlencoded'], 'OSMP documents its form body');
      const partnerPay = document.paths['/partner-api/v1/{partner}/pay']?.post as Record<string, unknown> | undefined;
      assert.deepEqual(partnerPay?.security, [{ partnerTimestamp: [], partnerSignature: [] }]);
      assert.deepEqual(document.components.securitySchemes.partnerBasic, {
        type: 'http', scheme: 'basic', description: 'OSMP: the partner\'s code as the user, its basic secret as the password',
      });
      assert.equal((document.components.securitySchemes.partnerSignature as { name?: string } | undefined)?.name, 'X-Roamcard-Signature');
      assert.equal((document.components.securitySchemes.partnerTimestamp as { name?: string } | undefined)?.name, 'X-Roamcard-Timestamp');
      assert.ok(document.components.schemas.PartnerAnswer, 'the partner API\'s answer is a shared schema');
    });

    it('/docs serves the interactive page', async () => {
      const app = testServer(seeded.context);
      const page = await app.inject({ url: '/docs' });
      const specification = await app.inject({ url: '/docs/json' });
      await app.close();
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /swagger-ui/i);
      assert.equal(json(specification.body).openapi, '3.1.0');
    });

    it('/metrics exposes defaults, request durations and the USSD counter', async () => {
      const app = testServer(seeded.context);
      await app.inject({ url: '/healthz' });
      await app.inject({ url: '/nowhere' });
      await app.inject({ method: 'POST', url: '/ussd/at', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: atForm({ phoneNumber: PHONE, serviceCode: '#101#' }) });
      const response = await app.inject({ url: '/metrics' });
      await app.close();
      assert.equal(response.statusCode, 200);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      assert.match(response.body, /^process_cpu_user_seconds_total /m);
      assert.match(response.body, /^nodejs_eventloop_lag_seconds /m);
      assert.match(response.body, /^http_request_duration_seconds_bucket\{le="0\.005",route="\/healthz",method="GET",status_code="200"\} \d+/m);
      assert.match(response.body, /^http_request_duration_seconds_count\{route="unmatched",method="GET",status_code="404"\} 1$/m);
      assert.match(response.body, /^roamcard_ussd_replies_total\{code="#101#",outcome="ok"\} 1$/m);
      assert.match(response.body, /^# TYPE roamcard_usage_charges_total counter$/m);
    });
  });

  describe('logs', () => {
    it('are JSON lines in which a phone number never appears in full', async () => {
      const { app, logs } = serverWithFailingRoutes();
      await app.inject({ url: `/api/v1/packages?lang=en&msisdn=${encodeURIComponent(PHONE)}` });
      await app.inject({ url: `/lines/${PHONE}/overview` });
      await app.inject({ url: '/lines/8%20900%20123-45-67' });
      await app.inject({ method: 'POST', url: '/ussd/at', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: atForm({ phoneNumber: PHONE, serviceCode: '#100#', text: '' }) });
      await app.inject({ method: 'POST', url: '/ussd/at', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: atForm({ phoneNumber: '', serviceCode: PHONE, sessionId: PHONE }) });
      await app.inject({ url: '/test/crash' });
      app.log.info({ customer: { msisdn: PHONE, contacts: [PHONE] } }, `looked up ${PHONE}`);
      await app.close();
      const text = logs.text();
      const records = logs.records();
      assert.ok(records.length > 10, 'the requests were logged');
      assert.ok(records.every((record) => typeof record.level === 'number' && typeof record.time === 'string'));
      assert.ok(!text.includes(PHONE_DIGITS), `a full number leaked:\n${text.split('\n').filter((line) => line.includes(PHONE_DIGITS)).join('\n')}`);
      assert.ok(!text.includes('900 123 45 67'), 'numbers in an error\'s cause are masked too');
      assert.ok(text.includes('lookup of [phone] failed'), 'the cause is still logged');
      assert.ok(records.some((record) => (record.req as { url?: string } | undefined)?.url === '/api/v1/packages?lang=en&msisdn=[redacted]'));
      assert.ok(records.some((record) => (record.req as { url?: string } | undefined)?.url === '/lines/[phone]'));
      assert.ok(records.some((record) => JSON.stringify(record.customer) === '{"msisdn":"[redacted]","contacts":["[phone]"]}'), 'values under a phone field are replaced whole, others masked');
      assert.ok(!text.includes('"body"'), 'request bodies are not logged');
    });

    it('mask URLs whether or not the number is percent-encoded', () => {
      assert.equal(redactLoggedUrl('/x?m=%2B79001234567'), '/x?m=[phone]');
      assert.equal(redactLoggedUrl('/x/8%20900%20123%2045%2067'), '/x/[phone]');
      assert.equal(redactLoggedUrl('/x?bad=%E0%A4%A'), '/x?bad=%E0%A4%A');
    });
  });
});

describe('HTTP server on a database that has gone away', () => {
  it('USSD answers "temporarily unavailable" and /readyz answers 503', async () => {
    const { database, dispose } = await createTestDatabase('sqlite');
    const seeded = await seededContext(database);
    const app = testServer(seeded.context);
    await app.ready();
    await database.close();
    try {
      const ussd = await app.inject({ method: 'POST', url: '/ussd/at', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: atForm({ phoneNumber: PHONE, serviceCode: '#100#', text: '' }) });
      assert.equal(ussd.statusCode, 200);
      assert.equal(ussd.body, 'END Service temporarily unavailable. Please try again in a minute.');
      const ready = await app.inject({ url: '/readyz' });
      assert.equal(ready.statusCode, 503);
    } finally {
      await app.close();
      await dispose().catch(() => undefined);
    }
  });
});

describe('Accept-Language', () => {
  it('picks the best of our four languages by quality, first listed on a tie', () => {
    assert.equal(languageFromAcceptLanguage('zh-TW,zh;q=0.9,en;q=0.8'), 'zh-Hant');
    assert.equal(languageFromAcceptLanguage('fr-CH, fr;q=0.9, en;q=0.8, ru;q=0.9'), 'ru');
    assert.equal(languageFromAcceptLanguage('de, ru;q=0'), undefined);
    assert.equal(languageFromAcceptLanguage('zh-CN'), 'zh-Hans');
    assert.equal(languageFromAcceptLanguage(undefined), undefined);
  });
});
