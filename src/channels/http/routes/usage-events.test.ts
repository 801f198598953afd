import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { testServer, TEST_NETWORK_TOKEN } from '../../../testing/test-server.js';

const AUTH = { authorization: `Bearer ${TEST_NETWORK_TOKEN}` };
const MB = 1_048_576;

describeEachDatabase('POST /api/v1/usage-events', (test_db) => {
  let seeded: SeededContext;
  let unconfigured: SeededContext;
  before(async () => {
    seeded = await seededContext(test_db.database, { NETWORK_API_TOKEN: TEST_NETWORK_TOKEN });
    unconfigured = { ...seeded, context: { ...seeded.context, config: { ...seeded.context.config, network_api_token: undefined } } };
  });

  async function post(payload: unknown, headers: Record<string, string> = AUTH, context = seeded.context) {
    const app = testServer(context);
    try {
      const response = await app.inject({ method: 'POST', url: '/api/v1/usage-events', headers, payload: payload as Record<string, unknown> });
      return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as Record<string, unknown> };
    } finally {
      await app.close();
    }
  }

  const event = (overrides: Record<string, unknown> = {}) => ({
    event_id: 'pgw-1', msisdn: '+79001234567', kind: 'data', quantity: 100 * MB, at: '2025-11-26T09:30:00Z', ...overrides,
  });

  it('is off (503, not configured) when NETWORK_API_TOKEN is unset', async () => {
    const response = await post(event(), AUTH, unconfigured.context);
    assert.equal(response.status, 503);
    assert.equal(response.body.code, 'ROAM_ERR_NOT_CONFIGURED');
    assert.equal(response.body.detail, 'This endpoint is not configured on this server.');
  });

  it('refuses a missing or wrong bearer token before looking at the body', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: TEST_NETWORK_TOKEN }] as Array<Record<string, string>>) {
      const response = await post({ nonsense: true }, headers);
      assert.equal(response.status, 401);
      assert.equal(response.body.code, 'ROAM_ERR_UNAUTHORIZED');
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="roamcard-network"');
    }
  });

  it('charges once: 201 the first time, 200 with the same outcome on replay', async () => {
    const first = await post(event());
    assert.equal(first.status, 201);
    assert.equal(first.body.result, 'granted');
    assert.equal(first.body.granted, 100 * MB);
    assert.equal(first.body.from_bundles, 100 * MB);
    assert.equal(first.body.replayed, false);
    const replay = await post(event());
    assert.equal(replay.status, 200);
    assert.deepEqual({ ...replay.body, replayed: false }, first.body);
    assert.equal(replay.body.replayed, true);
    const overview = await seeded.context.services.lineOverview({ msisdn: '+79001234567' });
    assert.equal(overview.bundles[0]?.bundle.data_bytes_remaining, 5120 * MB - 734_003_200 - 100 * MB, 'charged exactly once');
  });

  it('answers 409 when an event id comes back with other usage', async () => {
    const response = await post(event({ quantity: 1 }));
    assert.equal(response.status, 409);
    assert.equal(response.body.code, 'ROAM_ERR_USAGE_EVENT_CONFLICT');
  });

  it('charges by line id and denies what neither packs nor the wallet cover', async () => {
    const overview = await seeded.context.services.lineOverview({ msisdn: '+79001234568' });
    const response = await post({ event_id: 'msc-1', line_id: overview.line.id, kind: 'voice', quantity: 120, at: '2025-11-26T12:30:00+03:00' });
    assert.equal(response.status, 201);
    assert.deepEqual(
      {
        result: response.body.result, granted: response.body.granted, denied: response.body.denied,
        denial_reason: response.body.denial_reason,
      },
      { result: 'denied', granted: 0, denied: 120, denial_reason: 'no_allowance_or_balance' },
    );
  });

  it('names the bad fields', async () => {
    const both = await post(event({ event_id: 'x', line_id: 'line_x' }), { ...AUTH, 'accept-language': 'ru' });
    assert.equal(both.status, 400);
    assert.equal(both.body.detail, 'msisdn: укажите ровно одно из msisdn и line_id.');
    const bad = await post({ event_id: '', msisdn: '+79001234567', kind: 'fax', quantity: 1.5 });
    assert.equal(bad.status, 400);
    const fields = (bad.body.errors as Array<{ field: string; problem: string }>).map(({ field, problem }) => `${field}:${problem}`);
    assert.deepEqual(fields, ['event_id:too_small', 'kind:invalid_value', 'quantity:wrong_type', 'at:missing']);
    assert.match(String(bad.body.detail), /^event_id is too small or too short\. kind is not one of the allowed values\./);
    const app = testServer(seeded.context);
    const malformed = await app.inject({ method: 'POST', url: '/api/v1/usage-events', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"event_id": ' });
    await app.close();
    assert.equal(malformed.statusCode, 400);
    assert.deepEqual(JSON.parse(malformed.body).errors, [{ field: 'body', in: 'body', problem: 'invalid_format', detail: 'has the wrong format' }]);
    const unknown = await post(event({ event_id: 'y', msisdn: '+79009990000' }));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, 'ROAM_ERR_LINE_NOT_FOUND');
  });

  it('counts charges and units in /metrics', async () => {
    const app = testServer(seeded.context);
    try {
      const payload = event({ event_id: 'pgw-metrics', quantity: 10 * MB });
      for (let attempt = 0; attempt < 2; attempt += 1) await app.inject({ method: 'POST', url: '/api/v1/usage-events', headers: AUTH, payload });
      const metrics = (await app.inject({ url: '/metrics' })).body;
      assert.match(metrics, /^roamcard_usage_charges_total\{kind="data",result="granted"\} 1$/m);
      assert.match(metrics, /^roamcard_usage_charges_total\{kind="data",result="replayed"\} 1$/m);
      assert.match(metrics, new RegExp(`^roamcard_usage_units_total\\{kind="data",disposition="granted"\\} ${10 * MB}$`, 'm'));
    } finally {
      await app.close();
    }
  });
});
