import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type { FastifyReply } from 'fastify';
import { messagesFor } from '../../../core/i18n/messages.js';
import { DEMO_STAFF, seedDemoStaff } from '../../../services/demo/seed.js';
import { totpCode } from '../../../services/staff/staff-crypto.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { captureLogs, testServer, type LogCapture } from '../../../testing/test-server.js';
import { DeskSessions } from './desk-session.js';
import { deskText } from './desk-text.js';

/**
 * The desk pages' guards, by inject on both engines: a page without a session goes to sign-in;
 * a form without its CSRF token changes nothing; a failed sign-in sets no cookie and says why in
 * the staff member's language; the session cookie is HttpOnly, SameSite=Strict, Path=/desk and
 * Secure on https; a one-time password leads to the password form before anything else; pages
 * are no-store; the look-up keeps the number out of the address and the logs.
 */

const AGENT = DEMO_STAFF[0];
const STEP_MS = 30_000;
const LINE_MSISDN = '+79001234567';
const LINE_DIGITS = '9001234567';

describeEachDatabase('desk pages: sessions, CSRF, password change, privacy', (test_db) => {
  let seeded: SeededContext;
  let server: ReturnType<typeof testServer>;
  let logs: LogCapture;

  before(async () => {
    seeded = await seededContext(test_db.database);
    await seedDemoStaff(seeded.context.staff);
    logs = captureLogs();
    server = testServer(seeded.context, { logs });
  });
  after(async () => {
    await server.close();
  });

  const cookieOf = (set_cookie: string | string[] | undefined, name: string) =>
    [set_cookie ?? []].flat().find((cookie) => cookie.startsWith(`${name}=`));

  /** The sign-in form's CSRF token and its anonymous cookie. */
  async function signInForm(): Promise<{ csrf: string; cookie: string }> {
    const page = await server.inject({ method: 'GET', url: '/desk/signin?lang=ru' });
    assert.equal(page.statusCode, 200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? assert.fail('no CSRF field');
    const cookie = (cookieOf(page.headers['set-cookie'], 'rc_desk_csrf') ?? assert.fail('no CSRF cookie')).split(';')[0] ?? '';
    return { csrf, cookie };
  }

  async function signIn(login: string, password: string, totp_secret: string, target = server) {
    seeded.clock.advance(STEP_MS);
    const page = await target.inject({ method: 'GET', url: '/desk/signin?lang=ru' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const cookie = (cookieOf(page.headers['set-cookie'], 'rc_desk_csrf') ?? '').split(';')[0] ?? '';
    return target.inject({
      method: 'POST', url: '/desk/signin', headers: { cookie },
      payload: { _csrf: csrf, lang: 'ru', login, password, totp: totpCode(totp_secret, seeded.clock.now_ms()) },
    });
  }

  it('sends pages without a session to sign-in; the sign-in page is private and sets only the CSRF cookie', async () => {
    const home = await server.inject({ method: 'GET', url: '/desk' });
    assert.equal(home.statusCode, 303);
    assert.equal(home.headers.location, '/desk/signin');
    const page = await server.inject({ method: 'GET', url: '/desk/signin' });
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.match(cookieOf(page.headers['set-cookie'], 'rc_desk_csrf') ?? '', /HttpOnly; SameSite=Strict/);
    assert.match(page.body, /autofocus/);
  });

  it('refuses a sign-in without its CSRF token, and a wrong code with the reason in Russian; neither sets a session', async () => {
    const { csrf, cookie } = await signInForm();
    const forged = await server.inject({
      method: 'POST', url: '/desk/signin', headers: { cookie },
      payload: { login: AGENT.login, password: AGENT.password, totp: totpCode(AGENT.totp_secret, seeded.clock.now_ms()) },
    });
    assert.equal(forged.statusCode, 403);
    assert.equal(cookieOf(forged.headers['set-cookie'], 'rc_desk'), undefined);
    const wrong = await server.inject({
      method: 'POST', url: '/desk/signin', headers: { cookie },
      payload: { _csrf: csrf, lang: 'ru', login: AGENT.login, password: AGENT.password, totp: '000000' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.ok(wrong.body.includes(messagesFor('ru').errors.ROAM_ERR_STAFF_SIGN_IN_FAILED({})), 'the reason, in the chosen language');
    assert.equal(cookieOf(wrong.headers['set-cookie'], 'rc_desk'), undefined);
  });

  it('signs in: the session cookie is HttpOnly, SameSite=Strict, scoped to /desk; the language is remembered', async () => {
    const signed_in = await signIn(AGENT.login, AGENT.password, AGENT.totp_secret);
    assert.equal(signed_in.statusCode, 303, signed_in.body);
    assert.equal(signed_in.headers.location, '/desk');
    const session = cookieOf(signed_in.headers['set-cookie'], 'rc_desk') ?? assert.fail('no session cookie');
    assert.match(session, /; Path=\/desk; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    assert.match(cookieOf(signed_in.headers['set-cookie'], 'rc_desk_lang') ?? '', /^rc_desk_lang=ru;/);
    const cookie = `${session.split(';')[0]}; rc_desk_lang=ru`;
    const home = await server.inject({ method: 'GET', url: '/desk', headers: { cookie } });
    assert.equal(home.statusCode, 200);
    assert.equal(home.headers['cache-control'], 'no-store');
    assert.ok(home.body.includes(deskText('ru').open_shift));

    // A form of this session without its token: refused, nothing opened.
    const forged = await server.inject({ method: 'POST', url: '/desk/shifts', headers: { cookie }, payload: { float: '1000' } });
    assert.equal(forged.statusCode, 403);
    assert.equal(await seeded.context.desk.currentShift(await actorOfCookie(session)), undefined);

    // The look-up: the number in the body, the line's page by its id, the number nowhere in the logs.
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home.body)?.[1] ?? '';
    const found = await server.inject({ method: 'POST', url: '/desk/lookup', headers: { cookie }, payload: { _csrf: csrf, lookup: LINE_MSISDN } });
    assert.equal(found.statusCode, 303, found.body);
    assert.match(String(found.headers.location), /^\/desk\/lines\/[^/]+$/);
    assert.ok(!String(found.headers.location).includes(LINE_DIGITS));
    const line = await server.inject({ method: 'GET', url: String(found.headers.location), headers: { cookie } });
    assert.equal(line.statusCode, 200);
    assert.ok(line.body.includes(LINE_MSISDN));
    assert.ok(!logs.text().includes(LINE_DIGITS), 'no number in the logs');
  });

  it('sends a one-time password to the password form before anything else', async () => {
    const enrolment = await seeded.context.staff.addStaff({ store_code: 'svo-hall', role: 'agent', login: 'agent.new' });
    const signed_in = await signIn(enrolment.login, enrolment.one_time_password, enrolment.totp_secret);
    assert.equal(signed_in.headers.location, '/desk/password');
    const cookie = (cookieOf(signed_in.headers['set-cookie'], 'rc_desk') ?? '').split(';')[0] ?? '';
    const home = await server.inject({ method: 'GET', url: '/desk', headers: { cookie } });
    assert.equal(home.headers.location, '/desk/password');
    const form = await server.inject({ method: 'GET', url: '/desk/password', headers: { cookie } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const changed = await server.inject({
      method: 'POST', url: '/desk/password', headers: { cookie },
      payload: { _csrf: csrf, current_password: enrolment.one_time_password, new_password: 'a much longer desk password 2026' },
    });
    assert.equal(changed.statusCode, 303, changed.body);
    assert.equal(changed.headers.location, '/desk');
    assert.equal((await server.inject({ method: 'GET', url: '/desk', headers: { cookie } })).statusCode, 200);
  });

  it('marks the session cookie Secure when the site is served over https', () => {
    const set: string[] = [];
    const reply = {
      getHeader: () => (set.length === 0 ? undefined : [...set]),
      header: (_name: string, value: string[]) => set.splice(0, set.length, ...value),
    } as unknown as FastifyReply;
    const sessions = new DeskSessions({ staff: seeded.context.staff, secure_cookies: true, default_language: 'ru', now_ms: () => seeded.clock.now_ms() });
    sessions.signedIn(reply, 'rcst_token', seeded.clock.now_ms() + 3_600_000);
    assert.match(set[0] ?? '', /^rc_desk=rcst_token; Path=\/desk; Max-Age=3600; HttpOnly; SameSite=Strict; Secure$/);
  });

  async function actorOfCookie(session_cookie: string) {
    const token = session_cookie.split(';')[0]?.split('=')[1] ?? '';
    const actor = await seeded.context.staff.authenticate(token, '127.0.0.1');
    return actor ?? assert.fail('no actor');
  }
});
