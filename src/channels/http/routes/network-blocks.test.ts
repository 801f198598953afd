import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { AppContext } from '../../../app/context.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { BLOCK_DURATION_HOURS_MAX } from '../../../core/network-blocks.js';
import { MS_PER_HOUR } from '../../../core/units.js';
import { NetworkBlockService } from '../../../services/network-blocks/network-block-service.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { captureLogs, testServer, TEST_NETWORK_TOKEN } from '../../../testing/test-server.js';

const AUTH = { authorization: `Bearer ${TEST_NETWORK_TOKEN}` };
const MSISDN = '+79001234567';
const MB = 1_048_576;
const iso = (at_ms: number) => new Date(at_ms).toISOString();

describeEachDatabase('network API: blocks set, listed, lifted, and charging refused while they stand', (test_db) => {
  let seeded: SeededContext;
  let key_serial = 0;
  const logs = captureLogs();
  before(async () => {
    seeded = await seededContext(test_db.database, { NETWORK_API_TOKEN: TEST_NETWORK_TOKEN });
  });

  const now = () => seeded.clock.now_ms();
  const freshKey = () => `blk-test-${(key_serial += 1)}`;

  async function call(
    input: { method: 'GET' | 'POST' | 'DELETE'; url: string; payload?: unknown; headers?: Record<string, string> },
    context: AppContext = seeded.context,
  ) {
    const app = testServer(context, { logs });
    try {
      const response = await app.inject({
        method: input.method, url: input.url, headers: input.headers ?? AUTH, payload: input.payload as Record<string, unknown>,
      });
      return { status: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as Record<string, unknown> };
    } finally {
      await app.close();
    }
  }

  const setBlock = (payload: Record<string, unknown>, key = freshKey(), headers: Record<string, string> = {}) =>
    call({ method: 'POST', url: '/api/v1/network/blocks', payload, headers: { ...AUTH, 'idempotency-key': key, ...headers } });
  const arrival = (overrides: Record<string, unknown> = {}) => ({
    msisdn: MSISDN, reason: 'arrival_cooling_off', kinds: ['data', 'sms'], ends_at: iso(now() + 24 * MS_PER_HOUR), ...overrides,
  });
  const usage = (event_id: string, kind: string, at_ms: number, quantity = kind === 'data' ? MB : 1) =>
    call({ method: 'POST', url: '/api/v1/usage-events', payload: { event_id, msisdn: MSISDN, kind, quantity, at: iso(at_ms) } });
  const blockCount = async () => Number((await test_db.database.db.selectFrom('network_blocks')
    .select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow()).count);

  it('is off (503, not configured) without NETWORK_API_TOKEN, and refuses a missing or wrong token (401) before reading anything', async () => {
    const off = { ...seeded.context, config: { ...seeded.context.config, network_api_token: undefined } };
    const unconfigured = await call({ method: 'GET', url: `/api/v1/network/lines/${encodeURIComponent(MSISDN)}/blocks` }, off);
    assert.equal(unconfigured.status, 503);
    assert.equal(unconfigured.body.code, 'ROAM_ERR_NOT_CONFIGURED');
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }, { authorization: TEST_NETWORK_TOKEN }] as Array<Record<string, string>>) {
      for (const request of [
        { method: 'POST' as const, url: '/api/v1/network/blocks', payload: arrival(), headers: { ...headers, 'idempotency-key': freshKey() } },
        { method: 'DELETE' as const, url: '/api/v1/network/blocks/blk_x', headers },
        { method: 'GET' as const, url: `/api/v1/network/lines/${encodeURIComponent(MSISDN)}/blocks`, headers },
      ]) {
        const response = await call(request);
        assert.equal(response.status, 401, `${request.method} ${request.url}`);
        assert.equal(response.body.code, 'ROAM_ERR_UNAUTHORIZED');
        assert.equal(response.headers['www-authenticate'], 'Bearer realm="roamcard-network"');
      }
    }
    assert.equal(await blockCount(), 0, 'nothing was set');
  });

  it('refuses bad input with a localized problem naming it, and sets nothing', async () => {
    const unknown_reason = await setBlock(arrival({ reason: 'holiday' }), freshKey(), { 'accept-language': 'ru' });
    assert.equal(unknown_reason.status, 400);
    assert.deepEqual((unknown_reason.body.errors as Array<{ field: string; problem: string }>).map((e) => `${e.field}:${e.problem}`), ['reason:invalid_value']);
    assert.equal(unknown_reason.body.detail, 'reason: недопустимое значение.');

    const bad_kinds = await setBlock(arrival({ kinds: [] }));
    assert.equal(bad_kinds.status, 400);
    assert.equal((bad_kinds.body.errors as Array<{ field: string }>)[0]?.field, 'kinds');
    const twice = await setBlock(arrival({ kinds: ['data', 'data'] }));
    assert.equal(twice.status, 400);
    const no_zone = await setBlock(arrival({ ends_at: '2025-11-27 09:00' }));
    assert.equal(no_zone.status, 400);
    assert.equal((no_zone.body.errors as Array<{ field: string; problem: string }>)[0]?.field, 'ends_at');

    const unknown_number = await setBlock(arrival({ msisdn: '+79009990000' }), freshKey(), { 'accept-language': 'zh-Hans' });
    assert.equal(unknown_number.status, 404);
    assert.equal(unknown_number.body.code, 'ROAM_ERR_LINE_NOT_FOUND');
    assert.equal(unknown_number.body.detail, messagesFor('zh-Hans').errors.ROAM_ERR_LINE_NOT_FOUND({}));
    const not_a_number = await setBlock(arrival({ msisdn: 'twelve' }));
    assert.equal(not_a_number.status, 400);
    assert.equal(not_a_number.body.code, 'ROAM_ERR_MSISDN_INVALID');

    const past = await setBlock(arrival({ ends_at: iso(now() - 1) }));
    assert.equal(past.status, 422);
    assert.equal(past.body.code, 'ROAM_ERR_BLOCK_END_INVALID');
    assert.equal(past.body.detail, 'The block must end in the future: ends_at has passed.');
    const too_far = await setBlock(arrival({ ends_at: iso(now() + (BLOCK_DURATION_HOURS_MAX + 1) * MS_PER_HOUR) }), freshKey(), { 'accept-language': 'ru' });
    assert.equal(too_far.status, 422);
    assert.equal(too_far.body.detail, `Блокировка может длиться не больше ${BLOCK_DURATION_HOURS_MAX} часов: ends_at слишком далеко.`);
    const backwards = await setBlock(arrival({ starts_at: iso(now() + 25 * MS_PER_HOUR) }));
    assert.equal(backwards.status, 422);
    const no_key = await call({ method: 'POST', url: '/api/v1/network/blocks', payload: arrival() });
    assert.equal(no_key.status, 400);
    assert.equal((no_key.body.errors as Array<{ field: string; in: string }>)[0]?.in, 'headers');
    assert.equal(await blockCount(), 0, 'no refused request set anything');
  });

  it('sets a block (201), replays it for the same key (200), refuses the key with another body (409), and lists it', async () => {
    const key = freshKey();
    const first = await setBlock(arrival(), key);
    assert.equal(first.status, 201);
    assert.equal(first.body.reason, 'arrival_cooling_off');
    assert.deepEqual(first.body.kinds, ['data', 'sms']);
    assert.equal(first.body.starts_at, iso(now()));
    assert.equal(first.body.in_force, true);
    assert.equal(first.body.set_by, 'network');
    seeded.clock.advance(60_000);
    const replay = await setBlock(arrival({ ends_at: first.body.ends_at }), key);
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.body, first.body);
    const conflict = await setBlock(arrival({ ends_at: first.body.ends_at, kinds: ['data'] }), key);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.code, 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
    assert.equal(await blockCount(), 1);

    const listed = await call({ method: 'GET', url: `/api/v1/network/lines/${encodeURIComponent('8 900 123-45-67')}/blocks` });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.line_id, first.body.line_id);
    assert.deepEqual((listed.body.blocks as Array<Record<string, unknown>>).map((block) => block.id), [first.body.id]);
    const unknown_line = await call({ method: 'GET', url: '/api/v1/network/lines/%2B79009990000/blocks' });
    assert.equal(unknown_line.status, 404);
  });

  it('refuses usage of the kinds stopped while the block stands, charges the others, and charges again after its end', async () => {
    const block = (await call({ method: 'GET', url: `/api/v1/network/lines/${encodeURIComponent(MSISDN)}/blocks` })).body.blocks as Array<Record<string, string>>;
    const ends_at_ms = Date.parse(block[0]!.ends_at!);
    const before_ms = (await seeded.context.services.lineOverview({ msisdn: MSISDN })).bundles[0]!.bundle.data_bytes_remaining;

    const data = await usage('blocked-data-1', 'data', now());
    assert.equal(data.status, 409);
    assert.equal(data.body.code, 'ROAM_ERR_LINE_BLOCKED');
    assert.equal(data.body.block_reason, 'arrival_cooling_off');
    assert.equal(data.body.ends_at, iso(ends_at_ms));
    assert.match(String(data.body.detail), /paused data on this line until .* UTC \(arrival_cooling_off\)/);
    const sms = await usage('blocked-sms-1', 'sms', now());
    assert.equal(sms.status, 409);
    assert.equal(sms.body.code, 'ROAM_ERR_LINE_BLOCKED');
    const voice = await usage('voice-during-block', 'voice', now(), 60);
    assert.equal(voice.status, 201, 'calls are not blocked');
    assert.equal(voice.body.result, 'granted');

    const after_refusals = (await seeded.context.services.lineOverview({ msisdn: MSISDN })).bundles[0]!.bundle.data_bytes_remaining;
    assert.equal(after_refusals, before_ms, 'nothing was drawn for refused usage');
    const stored = await test_db.database.db.selectFrom('usage_events').select('event_id').where('event_id', 'in', ['blocked-data-1', 'blocked-sms-1']).execute();
    assert.deepEqual(stored, [], 'a refused event is not stored: the network did not let it happen');

    seeded.clock.set(ends_at_ms);
    const late_report = await usage('blocked-data-late', 'data', ends_at_ms - 1);
    assert.equal(late_report.status, 409, 'usage from inside the block reported late is still refused');
    const after_end = await usage('data-after-end', 'data', ends_at_ms);
    assert.equal(after_end.status, 201);
    assert.equal(after_end.body.granted, MB);
    const batch = await seeded.context.services.chargeUsageBatch([
      { event_id: 'batch-inside', msisdn: MSISDN, kind: 'sms', quantity: 1, at_ms: ends_at_ms - 1 },
      { event_id: 'batch-after', msisdn: MSISDN, kind: 'data', quantity: MB, at_ms: ends_at_ms },
    ]);
    assert.equal(batch[0]?.ok, false);
    assert.equal(batch[0]?.ok === false && batch[0].error.code, 'ROAM_ERR_LINE_BLOCKED');
    assert.equal(batch[1]?.ok, true, 'the batch path charges what is not blocked');
  });

  it('lifts a block early: usage from the lift on is charged; lifting again changes nothing', async () => {
    const set = await setBlock(arrival({ reason: 'idle', kinds: ['data'] }));
    assert.equal(set.status, 201);
    const id = String(set.body.id);
    const set_at_ms = now();
    assert.equal((await usage('idle-data-1', 'data', set_at_ms)).status, 409);
    seeded.clock.advance(10 * 60_000);
    const lifted = await call({ method: 'DELETE', url: `/api/v1/network/blocks/${id}?lifted_by=captcha` });
    assert.equal(lifted.status, 200);
    assert.equal(lifted.body.lifted_at, iso(now()));
    assert.equal(lifted.body.lifted_by, 'captcha');
    assert.equal(lifted.body.in_force, false);
    assert.equal((await usage('idle-data-after-lift', 'data', now())).status, 201);
    assert.equal((await usage('idle-data-before-lift', 'data', set_at_ms + 1)).status, 409, 'the time before the lift stays blocked');

    seeded.clock.advance(60_000);
    const again = await call({ method: 'DELETE', url: `/api/v1/network/blocks/${id}?lifted_by=call-centre` });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, lifted.body, 'the first lift stands');
    const missing = await call({ method: 'DELETE', url: '/api/v1/network/blocks/blk_missing' });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'ROAM_ERR_BLOCK_NOT_FOUND');
    const bad_actor = await call({ method: 'DELETE', url: `/api/v1/network/blocks/${id}?lifted_by=${encodeURIComponent('a b')}` });
    assert.equal(bad_actor.status, 400);
  });

  it('limits requests per address (429 with Retry-After) once the token is right', async () => {
    const limited = {
      ...seeded.context,
      network_blocks: new NetworkBlockService({
        database: test_db.database, clock: seeded.clock, rate_limit: { scope: 'network-api:test', window_ms: 60_000, hits_max: 2 },
      }),
    };
    const url = `/api/v1/network/lines/${encodeURIComponent(MSISDN)}/blocks`;
    assert.equal((await call({ method: 'GET', url }, limited)).status, 200);
    assert.equal((await call({ method: 'GET', url }, limited)).status, 200);
    const third = await call({ method: 'GET', url }, limited);
    assert.equal(third.status, 429);
    assert.equal(third.body.code, 'ROAM_ERR_RATE_LIMITED');
    assert.ok(Number(third.headers['retry-after']) > 0);
    assert.equal((await call({ method: 'GET', url, headers: {} }, limited)).status, 401, 'refused callers do not spend the window');
  });

  it('never logs the number or the token', () => {
    const text = logs.text();
    assert.ok(text.includes('network block set'), 'the log has the block');
    for (const secret of [TEST_NETWORK_TOKEN, MSISDN, '79001234567', '9001234567']) assert.ok(!text.includes(secret), `the log holds ${secret}`);
  });
});
