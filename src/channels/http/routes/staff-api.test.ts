import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { DEMO_STAFF, seedDemoStaff } from '../../../services/demo/seed.js';
import { newTotpSecret, totpCode } from '../../../services/staff/staff-crypto.js';
import { STAFF_SIGN_IN_LIMITS } from '../../../services/staff/staff-service.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { captureLogs, testServer, type LogCapture } from '../../../testing/test-server.js';

const AGENT = DEMO_STAFF[0];
/** Accounts of this test only (the demo has the agent alone). */
const MEMBERS = {
  'manager.svo': { role: 'store_manager', store_code: 'svo-hall' },
  'manager.led': { role: 'store_manager', store_code: 'led-hall' },
  'admin.hq': { role: 'admin', store_code: 'svo-hall' },
} as const;
const TEST_PASSWORD = 'correct horse battery staple';
const STEP_MS = 30_000;

describeEachDatabase('staff API', (test_db) => {
  let seeded: SeededContext;
  let server: ReturnType<typeof testServer>;
  let logs: LogCapture;
  const secrets = new Map<string, string>([[AGENT.login, AGENT.totp_secret]]);
  const passwords = new Map<string, string>([[AGENT.login, AGENT.password]]);

  before(async () => {
    seeded = await seededContext(test_db.database);
    await seedDemoStaff(seeded.context.staff);
    for (const [login, member] of Object.entries(MEMBERS)) {
      const totp_secret = newTotpSecret();
      secrets.set(login, totp_secret);
      passwords.set(login, TEST_PASSWORD);
      await seeded.context.staff.ensureStaff({ login, ...member, password: TEST_PASSWORD, totp_secret, password_must_change: false });
    }
    logs = captureLogs();
    server = testServer(seeded.context, { logs });
  });
  after(async () => {
    await server.close();
  });

  const signInBody = (login: string) => ({
    login, password: passwords.get(login) ?? '', totp: totpCode(secrets.get(login) ?? '', seeded.clock.now_ms()),
  });
  /** A fresh step each time: a code signs in once. */
  async function signIn(login: string): Promise<string> {
    seeded.clock.advance(STEP_MS);
    const response = await server.inject({ method: 'POST', url: '/api/v1/staff/sessions', payload: signInBody(login) });
    assert.equal(response.statusCode, 201, response.body);
    return (response.json() as { token: string }).token;
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('signs in: 201 with the token, its end, and who signed in; /me and sign-out follow', async () => {
    seeded.clock.advance(STEP_MS);
    const body = signInBody(AGENT.login);
    const response = await server.inject({ method: 'POST', url: '/api/v1/staff/sessions', payload: { ...body, login: 'Agent.SVO' } });
    assert.equal(response.statusCode, 201, response.body);
    const signed_in = response.json() as { token: string; expires_at: string; staff: Record<string, unknown> };
    assert.deepEqual(signed_in.staff, { login: 'agent.svo', role: 'agent', store_code: 'svo-hall', password_must_change: false });
    assert.equal(signed_in.expires_at, new Date(seeded.clock.now_ms() + 12 * 3_600_000).toISOString());
    assert.equal(response.headers['cache-control'], 'no-store');

    const me = await server.inject({ method: 'GET', url: '/api/v1/staff/me', headers: bearer(signed_in.token) });
    assert.equal(me.statusCode, 200);
    assert.equal((me.json() as { staff: { login: string } }).staff.login, 'agent.svo');
    const out = await server.inject({ method: 'DELETE', url: '/api/v1/staff/sessions/current', headers: bearer(signed_in.token) });
    assert.equal(out.statusCode, 204);
    const after_out = await server.inject({ method: 'GET', url: '/api/v1/staff/me', headers: bearer(signed_in.token) });
    assert.equal(after_out.statusCode, 401);

    // Logs may name the login, never the password, the code or the token.
    const text = logs.text();
    assert.ok(text.includes('agent.svo'));
    for (const secret of [AGENT.password, body.totp, signed_in.token]) assert.ok(!text.includes(secret), 'a secret reached the logs');
  });

  it('answers every failed sign-in with the same 401 and localized text; a malformed code is a 400 naming the field', async () => {
    seeded.clock.advance(STEP_MS);
    const good = signInBody(AGENT.login);
    const wrong_totp = String((Number(good.totp) + 1) % 1_000_000).padStart(6, '0');
    const tries = [{ ...good, login: 'ghost.svo' }, { ...good, password: 'not-it' }, { ...good, totp: wrong_totp }];
    const answers = [];
    for (const payload of tries) {
      const response = await server.inject({
        method: 'POST', url: '/api/v1/staff/sessions', payload, headers: { 'accept-language': 'ru' }, remoteAddress: '10.9.9.1',
      });
      const problem = response.json() as { code: string; detail: string; status: number };
      answers.push({ status: response.statusCode, code: problem.code, detail: problem.detail });
    }
    assert.equal(new Set(answers.map((answer) => JSON.stringify(answer))).size, 1, JSON.stringify(answers));
    assert.equal(answers[0]?.status, 401);
    assert.equal(answers[0]?.code, 'ROAM_ERR_STAFF_SIGN_IN_FAILED');
    assert.match(answers[0]?.detail ?? '', /Неверный логин, пароль или код/);
    const malformed = await server.inject({ method: 'POST', url: '/api/v1/staff/sessions', payload: { ...good, totp: '12ab56' } });
    assert.equal(malformed.statusCode, 400);
    assert.equal((malformed.json() as { errors: Array<{ field: string }> }).errors[0]?.field, 'totp');
    await seeded.context.staff.unlock(AGENT.login);
  });

  it(`gives 429 after ${STAFF_SIGN_IN_LIMITS.failures_per_address.hits_max} failures from one address, whatever the logins, with Retry-After`, async () => {
    seeded.clock.advance(3_600_000);
    const limit = STAFF_SIGN_IN_LIMITS.failures_per_address.hits_max;
    for (let attempt = 0; attempt < limit; attempt += 1) {
      const response = await server.inject({
        method: 'POST', url: '/api/v1/staff/sessions', remoteAddress: '10.7.7.7',
        payload: { login: `guess${attempt}.svo`, password: 'guess', totp: '000000' },
      });
      assert.equal(response.statusCode, 401);
    }
    const attempt = (remoteAddress: string) =>
      server.inject({ method: 'POST', url: '/api/v1/staff/sessions', remoteAddress, payload: signInBody(AGENT.login) });
    const limited = await attempt('10.7.7.7');
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    const elsewhere = await attempt('10.7.7.8');
    assert.equal(elsewhere.statusCode, 201, 'another address is not limited');
  });

  it('shows the audit log to managers for their store and admins for any; agents and other stores get 403', async () => {
    const agent = await signIn(AGENT.login);
    const manager_svo = await signIn('manager.svo');
    const manager_led = await signIn('manager.led');
    const admin = await signIn('admin.hq');
    const audit = (token: string, query = '') => server.inject({ method: 'GET', url: `/api/v1/staff/audit${query}`, headers: bearer(token) });

    const as_agent = await audit(agent);
    assert.equal(as_agent.statusCode, 403);
    assert.equal((as_agent.json() as { code: string }).code, 'ROAM_ERR_FORBIDDEN');

    const own = await audit(manager_svo, '?limit=200');
    assert.equal(own.statusCode, 200, own.body);
    type Entry = { store_code: string | null; action: string; staff_login: string | null };
    const own_entries = (own.json() as { entries: Entry[] }).entries;
    assert.ok(own_entries.length > 0);
    assert.ok(own_entries.every((entry) => entry.store_code === 'svo-hall'), 'a manager sees only the own store');
    assert.ok(own_entries.some((entry) => entry.action === 'staff.signed_in' && entry.staff_login === 'agent.svo'));
    const own_text = JSON.stringify(own_entries);
    assert.ok(!own_text.includes(TEST_PASSWORD) && !own_text.includes(AGENT.password), 'no password in the audit log');

    const other = await audit(manager_svo, '?store_code=led-hall');
    assert.equal(other.statusCode, 403);
    assert.equal((other.json() as { code: string }).code, 'ROAM_ERR_STAFF_STORE_FORBIDDEN');
    const unknown = await audit(manager_svo, '?store_code=no-such-store');
    assert.equal(unknown.statusCode, 403, 'a manager cannot tell an unknown store from another one');
    assert.equal((await audit(manager_led, '?store_code=led-hall')).statusCode, 200);

    const any = await audit(admin, '?store_code=led-hall');
    assert.equal(any.statusCode, 200);
    const led_entries = (any.json() as { entries: Array<{ store_code: string | null }> }).entries;
    assert.ok(led_entries.length > 0 && led_entries.every((entry) => entry.store_code === 'led-hall'));
    const all = await audit(admin, '?limit=200');
    const stores = new Set((all.json() as { entries: Array<{ store_code: string | null }> }).entries.map((entry) => entry.store_code));
    assert.ok(stores.has('svo-hall') && stores.has('led-hall'), 'an admin sees every store');
    assert.equal((await audit(admin, '?store_code=no-such-store')).statusCode, 404);

    const page = await audit(admin, '?limit=2');
    const first_page = page.json() as { entries: Array<{ at: string }>; next_before: string | null };
    assert.equal(first_page.entries.length, 2);
    assert.equal(first_page.next_before, first_page.entries[1]?.at);
    assert.equal((await audit(admin, '?subject_type=staff')).statusCode, 400, 'subject_type without subject_id');
  });

  it('lets a one-time password only change itself, over HTTP', async () => {
    seeded.clock.advance(STEP_MS);
    const enrolment = await seeded.context.staff.addStaff({ store_code: 'svo-hall', role: 'store_manager', login: 'fresh.manager' });
    const response = await server.inject({
      method: 'POST', url: '/api/v1/staff/sessions',
      payload: { login: 'fresh.manager', password: enrolment.one_time_password, totp: totpCode(enrolment.totp_secret, seeded.clock.now_ms()) },
    });
    assert.equal(response.statusCode, 201);
    const { token, staff } = response.json() as { token: string; staff: { password_must_change: boolean } };
    assert.equal(staff.password_must_change, true);
    const blocked = await server.inject({ method: 'GET', url: '/api/v1/staff/audit', headers: { ...bearer(token), 'accept-language': 'zh-Hans' } });
    assert.equal(blocked.statusCode, 403);
    const problem = blocked.json() as { code: string; detail: string };
    assert.equal(problem.code, 'ROAM_ERR_STAFF_PASSWORD_CHANGE_REQUIRED');
    assert.match(problem.detail, /一次性密码/);
    const me = await server.inject({ method: 'GET', url: '/api/v1/staff/me', headers: bearer(token) });
    assert.equal((me.json() as { staff: { password_must_change: boolean } }).staff.password_must_change, true);

    const weak = await server.inject({
      method: 'POST', url: '/api/v1/staff/password', headers: bearer(token),
      payload: { current_password: enrolment.one_time_password, new_password: 'short' },
    });
    assert.equal(weak.statusCode, 422);
    const changed = await server.inject({
      method: 'POST', url: '/api/v1/staff/password', headers: bearer(token),
      payload: { current_password: enrolment.one_time_password, new_password: 'a long enough passphrase' },
    });
    assert.equal(changed.statusCode, 204, changed.body);
    assert.equal((await server.inject({ method: 'GET', url: '/api/v1/staff/audit', headers: bearer(token) })).statusCode, 200);
    assert.ok(!logs.text().includes(enrolment.one_time_password) && !logs.text().includes('a long enough passphrase'));
  });

  it('describes the staff endpoints in the OpenAPI document under the staff tag', async () => {
    type Paths = Record<string, Record<string, { tags?: string[] }>>;
    const document = (await server.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Paths };
    for (const [path, method] of [['/api/v1/staff/sessions', 'post'], ['/api/v1/staff/sessions/current', 'delete'], ['/api/v1/staff/me', 'get'],
      ['/api/v1/staff/password', 'post'], ['/api/v1/staff/audit', 'get']] as const) {
      assert.deepEqual(document.paths[path]?.[method]?.tags, ['staff'], `${method} ${path}`);
    }
  });
});
