import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { ConsoleSmsSender } from '../../../adapters/sms/console/console-sms-sender.js';
import type { OutboxWorker } from '../../../services/jobs/worker.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededServer, type testServer } from '../../../testing/test-server.js';

/** GET/PUT /api/v1/me/lines/:line_id/alerts: the holder of the line only, bad input localized and changing nothing. */

const LINE_1 = '+79001234567';
const LINE_2 = '+79001234568';

type Json = Record<string, unknown> & { code?: string; detail?: string; errors?: Array<{ field: string; problem: string }> };

describeEachDatabase('customer API: alert settings', (t) => {
  let server: ReturnType<typeof testServer>;
  let worker: OutboxWorker;
  let sms: ConsoleSmsSender;
  let address = 0;

  before(async () => {
    ({ server, worker, sms } = await seededServer(t.database));
  });
  after(async () => {
    await server.close();
  });

  async function call(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown, headers: Record<string, string> = {}) {
    address += 1;
    const response: LightMyRequestResponse = await server.inject({
      method, url, remoteAddress: `198.51.100.${address}`,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { response, json: response.body ? (JSON.parse(response.body) as Json) : {} };
  }

  async function signIn(msisdn: string, cookie = false): Promise<{ headers: Record<string, string>; line_id: string }> {
    assert.equal((await call('POST', '/api/v1/auth/codes', { msisdn })).response.statusCode, 202);
    await worker.drainOnce();
    const code = /\d{6}/.exec(sms.lastMessageTo(msisdn)?.text ?? '')?.[0] ?? assert.fail('no code sent');
    const signed = await call('POST', `/api/v1/auth/sessions${cookie ? '?cookie=1' : ''}`, { msisdn, code });
    assert.equal(signed.response.statusCode, 201, signed.response.body);
    const headers: Record<string, string> = cookie
      ? { cookie: /^(rc_session=[^;]+)/.exec(String(signed.response.headers['set-cookie']))![1]!, 'x-csrf-token': String(signed.json.csrf_token) }
      : { authorization: `Bearer ${String(signed.json.token)}` };
    const lines = await call('GET', '/api/v1/me/lines', undefined, headers);
    return { headers, line_id: String((lines.json.lines as Array<{ id: string }>)[0]!.id) };
  }

  it('reads the defaults, replaces them, and keeps them across reads', async () => {
    const { headers, line_id } = await signIn(LINE_1);
    const url = `/api/v1/me/lines/${line_id}/alerts`;
    assert.deepEqual((await call('GET', url, undefined, headers)).json, { alerts_enabled: true, usage_thresholds_percent: [80, 100], expiry_alert: true });
    const changed = await call('PUT', url, { alerts_enabled: true, usage_thresholds_percent: [100, 50, 80], expiry_alert: false }, headers);
    assert.equal(changed.response.statusCode, 200, changed.response.body);
    assert.deepEqual(changed.json, { alerts_enabled: true, usage_thresholds_percent: [50, 80, 100], expiry_alert: false });
    assert.deepEqual((await call('GET', url, undefined, headers)).json, changed.json);
    const off = await call('PUT', url, { alerts_enabled: false, usage_thresholds_percent: [], expiry_alert: false }, headers);
    assert.deepEqual(off.json, { alerts_enabled: false, usage_thresholds_percent: [], expiry_alert: false });
  });

  it('refuses bad thresholds in the caller\'s language, naming the field, and changes nothing', async () => {
    const { headers, line_id } = await signIn(LINE_2);
    const url = `/api/v1/me/lines/${line_id}/alerts`;
    const before_json = (await call('GET', url, undefined, headers)).json;
    const cases: Array<[unknown, string, RegExp]> = [
      [{ alerts_enabled: true, usage_thresholds_percent: [0, 80], expiry_alert: true }, 'en', /usage_thresholds_percent/],
      [{ alerts_enabled: true, usage_thresholds_percent: [101], expiry_alert: true }, 'ru', /слишком большое/],
      [{ alerts_enabled: true, usage_thresholds_percent: [10, 20, 30, 40, 50, 60], expiry_alert: true }, 'en', /too large or too long/],
      [{ alerts_enabled: true, usage_thresholds_percent: [80, 80], expiry_alert: true }, 'zh-Hans', /重复/],
      [{ alerts_enabled: 'yes', usage_thresholds_percent: [80], expiry_alert: true }, 'en', /alerts_enabled/],
      [{ usage_thresholds_percent: [80] }, 'en', /required/],
    ];
    for (const [body, language, detail] of cases) {
      const refused = await call('PUT', url, body, { ...headers, 'accept-language': language });
      assert.equal(refused.response.statusCode, 400, refused.response.body);
      assert.equal(refused.json.code, 'ROAM_ERR_VALIDATION');
      assert.match(JSON.stringify(refused.json), detail, refused.response.body);
    }
    assert.deepEqual((await call('GET', url, undefined, headers)).json, before_json);
  });

  it('is for the line\'s holder only: another line is not found, no session is 401, a cookie without CSRF is 403', async () => {
    const first = await signIn(LINE_1);
    const second = await signIn(LINE_2, true);
    const body = { alerts_enabled: false, usage_thresholds_percent: [], expiry_alert: false };
    assert.equal((await call('GET', `/api/v1/me/lines/${first.line_id}/alerts`, undefined, second.headers)).response.statusCode, 404);
    assert.equal((await call('PUT', `/api/v1/me/lines/${first.line_id}/alerts`, body, second.headers)).response.statusCode, 404);
    assert.equal((await call('GET', `/api/v1/me/lines/${first.line_id}/alerts`)).response.statusCode, 401);
    const cookie = second.headers.cookie!;
    assert.equal((await call('PUT', `/api/v1/me/lines/${second.line_id}/alerts`, body, { cookie })).response.statusCode, 403);
    const with_csrf = await call('PUT', `/api/v1/me/lines/${second.line_id}/alerts`, body, second.headers);
    assert.equal(with_csrf.response.statusCode, 200, with_csrf.response.body);
  });
});
