import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { ConsoleSmsSender } from '../../../adapters/sms/console/console-sms-sender.js';
import { contextOver, type AppContext } from '../../../app/context.js';
import { loadConfig } from '../../../config.js';
import type { ManualClock } from '../../../ports/clock.js';
import type { OutboxWorker } from '../../../services/jobs/worker.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededServer, testServer } from '../../../testing/test-server.js';
import { payFromWallet } from '../../../testing/wallet-payers.js';
import { formatShortDateTime } from '../../../core/i18n/format.js';

/**
 * The customer API in-process: sign-in by SMS code (read from the console driver after the outbox
 * worker ran), bearer and cookie sessions, CSRF, sign-out, and that one customer never sees
 * another's line, order or receipt.
 */

const LINE_1 = { msisdn: '+79001234567', iccid: '8970199000000000007' };
const LINE_2 = { msisdn: '+79001234568', iccid: '8970199000000000015' };
const LINE_3 = { msisdn: '+79001234569', iccid: '8970199000000000239' };
const HOUR_MS = 3_600_000;

type Json = Record<string, unknown> & {
  code?: string; detail?: string; token?: string; csrf_token?: string; customer_id?: string; created?: boolean;
  errors?: Array<{ field: string; problem: string }>;
};

describeEachDatabase('customer API', (t) => {
  let context: AppContext;
  let clock: ManualClock;
  let worker: OutboxWorker;
  let server: ReturnType<typeof testServer>;
  let sms: ConsoleSmsSender;
  let address = 0;

  before(async () => {
    ({ context, clock, server, worker, sms } = await seededServer(t.database));
  });

  after(async () => {
    await server.close();
  });

  interface Call { method?: 'GET' | 'POST' | 'DELETE'; url: string; body?: unknown; headers?: Record<string, string>; ip?: string }

  async function call({ method = 'GET', url, body, headers = {}, ip }: Call): Promise<{ response: LightMyRequestResponse; json: Json }> {
    address += 1;
    const response = await server.inject({
      method, url, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      remoteAddress: ip ?? `198.51.100.${address % 250}`, ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    return { response, json: response.body ? (JSON.parse(response.body) as Json) : {} };
  }

  async function codeFor(target: { msisdn: string } | { iccid: string }, msisdn: string): Promise<string> {
    const asked = await call({ method: 'POST', url: '/api/v1/auth/codes', body: target });
    assert.equal(asked.response.statusCode, 202, asked.response.body);
    await worker.drainOnce();
    return /\d{6}/.exec(sms.lastMessageTo(msisdn)?.text ?? '')?.[0] ?? assert.fail('no code sent');
  }

  async function bearerFor(
    target: { msisdn: string } | { iccid: string },
    msisdn: string,
  ): Promise<{ authorization: string; customer_id: string }> {
    const code = await codeFor(target, msisdn);
    const signed = await call({ method: 'POST', url: '/api/v1/auth/sessions', body: { ...target, code } });
    assert.equal(signed.response.statusCode, 201, signed.response.body);
    return { authorization: `Bearer ${signed.json.token}`, customer_id: String(signed.json.customer_id) };
  }

  async function cookieFor(target: { msisdn: string }, msisdn: string): Promise<{ cookie: string; csrf: string; set_cookie: string }> {
    const code = await codeFor(target, msisdn);
    const signed = await call({ method: 'POST', url: '/api/v1/auth/sessions?cookie=1', body: { ...target, code } });
    assert.equal(signed.response.statusCode, 201, signed.response.body);
    const set_cookie = String(signed.response.headers['set-cookie']);
    const cookie = /^(rc_session=[^;]+)/.exec(set_cookie)?.[1] ?? assert.fail(`no session cookie in ${set_cookie}`);
    return { cookie, csrf: String(signed.json.csrf_token), set_cookie };
  }

  function nextHour(): void {
    clock.set(Math.floor(clock.now_ms() / HOUR_MS) * HOUR_MS + HOUR_MS + 60_000);
  }

  it('signs up with a bearer token, shows the customer, lines and dashboard; 401 without a session', async () => {
    nextHour();
    const bearer = await bearerFor({ msisdn: LINE_1.msisdn }, LINE_1.msisdn);
    const me = await call({ url: '/api/v1/me', headers: { authorization: bearer.authorization } });
    assert.equal(me.response.statusCode, 200, me.response.body);
    assert.equal(me.json.id, bearer.customer_id);
    assert.equal(me.json.csrf_token, null);
    assert.equal(me.response.headers['cache-control'], 'no-store');
    const lines = await call({ url: '/api/v1/me/lines', headers: { authorization: bearer.authorization } });
    const [line] = lines.json.lines as Array<{ id: string; msisdn: string; balance_minor: number; iccid_verified: boolean }>;
    assert.deepEqual([line?.msisdn, line?.balance_minor, line?.iccid_verified], [LINE_1.msisdn, 50_000, false]);
    const dashboard = await call({ url: `/api/v1/me/lines/${line?.id}`, headers: { authorization: bearer.authorization, 'accept-language': 'ru' } });
    assert.equal(dashboard.response.statusCode, 200, dashboard.response.body);
    const packs = dashboard.json.packs as Array<{ name: string; data: { total_bytes: number; remaining_bytes: number } }>;
    assert.equal(packs[0]?.data.total_bytes, 5 * 1024 * 1_048_576);
    assert.match(packs[0]?.name ?? '', /ГБ|GB/);
    const usage = dashboard.json.usage as { days_7: unknown[]; days_30: unknown[] };
    assert.deepEqual([usage.days_7.length, usage.days_30.length], [7, 30]);

    const anonymous = await call({ url: '/api/v1/me' });
    assert.equal(anonymous.response.statusCode, 401);
    assert.equal(anonymous.json.code, 'ROAM_ERR_SIGN_IN_REQUIRED');
    assert.match(String(anonymous.response.headers['www-authenticate']), /^Bearer realm=/);
    const forged = await call({ url: '/api/v1/me', headers: { authorization: 'Bearer rcs_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    assert.equal(forged.response.statusCode, 401);
  });

  it('answers an unknown number exactly like a known one, limits with Retry-After, and localizes refusals', async () => {
    nextHour();
    const known = await call({ method: 'POST', url: '/api/v1/auth/codes', body: { msisdn: LINE_2.msisdn } });
    const unknown = await call({ method: 'POST', url: '/api/v1/auth/codes', body: { msisdn: '+79009999999' }, ip: '198.51.100.251' });
    assert.deepEqual([unknown.response.statusCode, unknown.json], [known.response.statusCode, known.json]);
    assert.deepEqual(known.json, { code_length: 6, expires_in_s: 300, resend_after_s: 60 });

    // Asking again from the same address within the minute is refused, known number or not.
    const again = await call({ method: 'POST', url: '/api/v1/auth/codes', body: { msisdn: '+79009999999' }, headers: { 'accept-language': 'ru' }, ip: '198.51.100.251' });
    assert.equal(again.response.statusCode, 429);
    assert.equal(again.json.code, 'ROAM_ERR_RATE_LIMITED');
    assert.equal(again.response.headers['retry-after'], '60');
    assert.equal(again.json.detail, 'Слишком много попыток. Повторите через 60 с.');

    const wrong = await call({ method: 'POST', url: '/api/v1/auth/sessions', body: { msisdn: LINE_2.msisdn, code: '000000' }, headers: { 'accept-language': 'zh-CN' } });
    assert.equal(wrong.response.statusCode, 400);
    assert.equal(wrong.json.code, 'ROAM_ERR_CODE_INVALID');
    assert.equal(wrong.json.detail, '验证码错误或已过期。请核对短信或重新获取验证码。');

    const both = await call({ method: 'POST', url: '/api/v1/auth/codes', body: { msisdn: LINE_2.msisdn, iccid: LINE_2.iccid } });
    assert.equal(both.response.statusCode, 400);
    assert.deepEqual(both.json.errors?.map((error) => [error.field, error.problem]), [['iccid', 'unexpected']]);
    const neither = await call({ method: 'POST', url: '/api/v1/auth/codes', body: {} });
    assert.deepEqual(neither.json.errors?.map((error) => [error.field, error.problem]), [['msisdn', 'missing']]);
    const letters = await call({ method: 'POST', url: '/api/v1/auth/sessions', body: { msisdn: LINE_2.msisdn, code: '12ab56' } });
    assert.equal(letters.response.statusCode, 400);
    const form = await server.inject({ method: 'POST', url: '/api/v1/auth/codes', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'msisdn=%2B79001234568' });
    assert.equal(form.statusCode, 415, 'a cross-site form cannot reach the sign-in API');
  });

  it('cookie sessions: HttpOnly SameSite=Lax cookie, CSRF required on unsafe requests, not usable as a bearer token', async () => {
    nextHour();
    const session = await cookieFor({ msisdn: LINE_2.msisdn }, LINE_2.msisdn);
    assert.match(session.set_cookie, /^rc_session=rcs_[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Expires=[^;]+; Max-Age=2592000$/);
    const me = await call({ url: '/api/v1/me', headers: { cookie: session.cookie } });
    assert.equal(me.response.statusCode, 200);
    assert.equal(me.json.csrf_token, session.csrf);

    const add = (headers: Record<string, string>) => call({ method: 'POST', url: '/api/v1/me/lines', body: { msisdn: LINE_3.msisdn, iccid: LINE_3.iccid }, headers });
    const without = await add({ cookie: session.cookie });
    assert.equal(without.response.statusCode, 403);
    assert.equal(without.json.code, 'ROAM_ERR_CSRF_INVALID');
    assert.equal((await add({ cookie: session.cookie, 'x-csrf-token': 'x'.repeat(43) })).response.statusCode, 403);
    const body_field = await call({ method: 'POST', url: '/api/v1/me/lines', body: { msisdn: LINE_3.msisdn, iccid: LINE_3.iccid, _csrf: session.csrf }, headers: { cookie: session.cookie } });
    assert.equal(body_field.response.statusCode, 201, body_field.response.body);
    const again = await add({ cookie: session.cookie, 'x-csrf-token': session.csrf });
    assert.equal(again.response.statusCode, 200, 'already on the account');

    const token = session.cookie.slice('rc_session='.length);
    assert.equal((await call({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } })).response.statusCode, 401);

    // A second server process: it verifies codes the first one sent only because they share AUTH_SECRET.
    const https = testServer(contextOver(loadConfig({ LOG_LEVEL: 'silent', PUBLIC_BASE_URL: 'https://roamcard.example', AUTH_SECRET: context.config.auth.secret }), t.database, clock));
    try {
      const code = await codeFor({ msisdn: LINE_3.msisdn }, LINE_3.msisdn);
      const signed = await https.inject({ method: 'POST', url: '/api/v1/auth/sessions?cookie=1', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ msisdn: LINE_3.msisdn, code }) });
      assert.equal(signed.statusCode, 201, signed.body);
      assert.match(String(signed.headers['set-cookie']), /; HttpOnly; SameSite=Lax; .*; Secure$/);
    } finally {
      await https.close();
    }
  });

  it('a customer sees only their own lines, orders and receipts: 404 for anyone else\'s', async () => {
    nextHour();
    const owner = await bearerFor({ msisdn: LINE_1.msisdn }, LINE_1.msisdn);
    const stranger = await bearerFor({ iccid: LINE_3.iccid }, LINE_3.msisdn);
    const owner_line = (await call({ url: '/api/v1/me/lines', headers: { authorization: owner.authorization } })).json.lines as Array<{ id: string; msisdn: string }>;
    const line_id = owner_line.find((line) => line.msisdn === LINE_1.msisdn)!.id;

    const order = await context.renewal.createOrder({ line: { line_id }, package_code: 'data-1gb-1d', channel: 'app', idempotency_key: `isolation-${t.dialect}` });
    await payFromWallet(context, order.order.id, `isolation-pay-${t.dialect}`);
    await worker.drainOnce();

    const list = await call({ url: '/api/v1/me/orders?lang=en', headers: { authorization: owner.authorization } });
    const orders = list.json.orders as Array<{ id: string; state: string; receipt_number: string | null; package_name: string }>;
    const mine = orders.find((candidate) => candidate.id === order.order.id);
    assert.equal(mine?.state, 'active');
    assert.match(mine?.receipt_number ?? '', /^RC-\d{4}-\d+$/);
    const detail = await call({ url: `/api/v1/me/orders/${order.order.id}`, headers: { authorization: owner.authorization } });
    assert.equal(detail.response.statusCode, 200, detail.response.body);
    const receipt = detail.json.receipt as { url: string; pdf_url: string };
    assert.equal((await server.inject({ url: receipt.url })).statusCode, 200);
    const pdf = await server.inject({ url: receipt.pdf_url });
    assert.equal(pdf.headers['content-type'], 'application/pdf');

    const as_stranger = { authorization: stranger.authorization };
    for (const url of [`/api/v1/me/orders/${order.order.id}`, `/api/v1/me/lines/${line_id}`, '/api/v1/me/orders/ord_does_not_exist']) {
      const refused = await call({ url, headers: as_stranger });
      assert.equal(refused.response.statusCode, 404, url);
    }
    assert.equal((await call({ method: 'DELETE', url: `/api/v1/me/lines/${line_id}`, headers: as_stranger })).response.statusCode, 404);
    const stranger_orders = (await call({ url: '/api/v1/me/orders', headers: as_stranger })).json.orders as Array<{ id: string }>;
    assert.ok(!stranger_orders.some((candidate) => candidate.id === order.order.id));
    const stranger_lines = (await call({ url: '/api/v1/me/lines', headers: as_stranger })).json.lines as Array<{ id: string }>;
    assert.ok(!stranger_lines.some((line) => line.id === line_id));

    // Off the account, the line's orders go with it.
    assert.equal((await call({ method: 'DELETE', url: `/api/v1/me/lines/${line_id}`, headers: { authorization: owner.authorization } })).response.statusCode, 204);
    assert.equal((await call({ url: `/api/v1/me/orders/${order.order.id}`, headers: { authorization: owner.authorization } })).response.statusCode, 404);
  });

  it('signing out revokes the session; a cookie sign-out needs the CSRF token and clears the cookie', async () => {
    nextHour();
    const bearer = await bearerFor({ msisdn: LINE_2.msisdn }, LINE_2.msisdn);
    const signed_out = await call({ method: 'DELETE', url: '/api/v1/auth/sessions/current', headers: { authorization: bearer.authorization } });
    assert.equal(signed_out.response.statusCode, 204);
    assert.equal((await call({ url: '/api/v1/me', headers: { authorization: bearer.authorization } })).response.statusCode, 401);

    clock.advance(61_000);
    const session = await cookieFor({ msisdn: LINE_2.msisdn }, LINE_2.msisdn);
    const refused = await call({ method: 'DELETE', url: '/api/v1/auth/sessions/current', headers: { cookie: session.cookie } });
    assert.equal(refused.response.statusCode, 403);
    const done = await call({ method: 'DELETE', url: '/api/v1/auth/sessions/current', headers: { cookie: session.cookie, 'x-csrf-token': session.csrf } });
    assert.equal(done.response.statusCode, 204);
    assert.match(String(done.response.headers['set-cookie']), /^rc_session=; .*Max-Age=0/);
    assert.equal((await call({ url: '/api/v1/me', headers: { cookie: session.cookie } })).response.statusCode, 401);
  });

  it('the line view says per kind whether it works, and why not: a network block with its reason, end and what to do', async () => {
    nextHour();
    const bearer = await bearerFor({ msisdn: LINE_1.msisdn }, LINE_1.msisdn);
    const line_id = ((await call({ url: '/api/v1/me/lines', headers: { authorization: bearer.authorization } })).json.lines as Array<{ id: string }>)[0]?.id;
    const ends_at_ms = clock.now_ms() + 24 * HOUR_MS;
    const { result: block } = await context.network_blocks.setBlock(
      { msisdn: LINE_1.msisdn, reason: 'arrival_cooling_off', kinds: ['data', 'sms'], ends_at_ms }, 'customer-api-block',
    );
    const view = await call({ url: `/api/v1/me/lines/${line_id}?lang=en`, headers: { authorization: bearer.authorization } });
    assert.equal(view.response.statusCode, 200, view.response.body);
    const service = view.json.service as Record<'data' | 'voice' | 'sms', Record<string, unknown>>;
    const until = formatShortDateTime(ends_at_ms, 'en', 'Europe/Moscow');
    assert.deepEqual(service.data, {
      available: false, via: null, reason: 'network_block', ends_at: new Date(ends_at_ms).toISOString(), block_reason: 'arrival_cooling_off',
      pack: null, expired_at: null, action: 'wait',
      message: `Data and SMS are paused until ${until} — foreign SIMs are paused for 24 hours on arrival (Russian rules). Nothing to do: it ends by itself.`,
    });
    assert.equal(service.sms?.message, service.data?.message, 'one cause, one sentence');
    assert.deepEqual(service.voice, {
      available: true, via: 'balance', reason: null, ends_at: null, block_reason: null, pack: null, expired_at: null, action: null, message: null,
    });
    const zh = await call({ url: `/api/v1/me/lines/${line_id}`, headers: { authorization: bearer.authorization, 'accept-language': 'zh-CN' } });
    const zh_data = (zh.json.service as Record<string, { message: string }>).data;
    assert.match(zh_data?.message ?? '', /^流量和短信暂停至.*按俄罗斯规定，外国SIM卡入境后暂停24小时。无需操作：到时自动恢复。$/);

    await context.network_blocks.liftBlock(block.id, 'call-centre');
    const lifted = await call({ url: `/api/v1/me/lines/${line_id}`, headers: { authorization: bearer.authorization } });
    assert.deepEqual((lifted.json.service as Record<string, { available: boolean }>).data?.available, true);
  });

  it('documents the customer API in OpenAPI', async () => {
    const document = (await call({ url: '/openapi.json' })).json as { paths: Record<string, unknown> };
    for (const path of ['/api/v1/auth/codes', '/api/v1/auth/sessions', '/api/v1/auth/sessions/current', '/api/v1/me', '/api/v1/me/lines', '/api/v1/me/lines/{line_id}', '/api/v1/me/orders', '/api/v1/me/orders/{order_id}']) {
      assert.ok(path in document.paths, path);
    }
  });
});
