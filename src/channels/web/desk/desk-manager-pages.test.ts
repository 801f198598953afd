import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { CONSENT_TEXT_VERSION } from '../../../core/consent.js';
import { RoamError } from '../../../core/errors.js';
import { luhnCheckDigit } from '../../../core/iccid.js';
import { describeError } from '../../../core/i18n/format.js';
import { inTransaction } from '../../../db/transaction.js';
import { DEMO_STAFF, seedDemoStaff } from '../../../services/demo/seed.js';
import { addSim, assignSimToStore } from '../../../services/sims/inventory.js';
import { newTotpSecret, totpCode } from '../../../services/staff/staff-crypto.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { captureLogs, testServer, type LogCapture } from '../../../testing/test-server.js';
import { deskText } from './desk-text.js';

/**
 * The desk pages added for what the desk API already did, with real staff sign-ins on both engines:
 * the visitor's phone change (a good IMEI recorded, a bad check digit refused in Russian with
 * nothing changed, no IMEI in the address or the logs); the audit log for a store manager (their
 * store's entries) and refused to an agent with a 403 page; the shifts left open past their day
 * on a manager's home page.
 */

const AGENT = DEMO_STAFF[0];
const MANAGER = { login: 'manager.svo', role: 'store_manager', store_code: 'svo-hall' } as const;
const MANAGER_PASSWORD = 'a long test password 2026';
const MANAGER_TOTP = newTotpSecret();
const STEP_MS = 30_000;
const IMEI_PAYLOAD = '35693803564380';
const NEW_IMEI_PAYLOAD = '49015420323751';
const ICCID_PAYLOAD = '897019960000000011';

describeEachDatabase('desk pages: IMEI change, audit log, overdue shifts', (test_db) => {
  let seeded: SeededContext;
  let server: ReturnType<typeof testServer>;
  let logs: LogCapture;

  before(async () => {
    seeded = await seededContext(test_db.database, { IDENTITY_SANDBOX_DELAY_MS: '60000' });
    await seedDemoStaff(seeded.context.staff);
    await seeded.context.staff.ensureStaff({
      ...MANAGER, password: MANAGER_PASSWORD, totp_secret: MANAGER_TOTP, password_must_change: false,
    });
    logs = captureLogs();
    server = testServer(seeded.context, { logs });
  });
  after(async () => {
    await server.close();
  });

  /** Signs in through the form; the session cookie (with the Russian language) for the pages after. */
  async function signIn(login: string, password: string, totp_secret: string): Promise<string> {
    seeded.clock.advance(STEP_MS);
    const page = await server.inject({ method: 'GET', url: '/desk/signin?lang=ru' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const anonymous = [page.headers['set-cookie'] ?? []].flat().find((cookie) => cookie.startsWith('rc_desk_csrf=')) ?? '';
    const signed_in = await server.inject({
      method: 'POST', url: '/desk/signin', headers: { cookie: anonymous.split(';')[0] ?? '' },
      payload: { _csrf: csrf, lang: 'ru', login, password, totp: totpCode(totp_secret, seeded.clock.now_ms()) },
    });
    assert.equal(signed_in.statusCode, 303, signed_in.body);
    const session = [signed_in.headers['set-cookie'] ?? []].flat().find((cookie) => cookie.startsWith('rc_desk=')) ?? assert.fail('no session');
    return `${session.split(';')[0]}; rc_desk_lang=ru`;
  }

  const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? assert.fail('no CSRF field');

  async function connectedLine(): Promise<string> {
    const iccid = ICCID_PAYLOAD + luhnCheckDigit(ICCID_PAYLOAD);
    await inTransaction(test_db.database, async (trx) => {
      await addSim(trx, { iccid, imsi: '250996000000001', msisdn: '+79009990001', form_factor: 'nano' }, seeded.clock.now_ms());
      await assignSimToStore(trx, iccid, AGENT.store_code);
    });
    const row = await test_db.database.db.selectFrom('staff').innerJoin('stores', 'stores.id', 'staff.store_id')
      .select(['staff.id', 'staff.login', 'staff.store_id', 'stores.code']).where('staff.login', '=', AGENT.login).executeTakeFirstOrThrow();
    const { subscriber } = await seeded.context.desk_subscribers.connectSubscriber(
      { staff_id: row.id, login: row.login, role: 'agent', store_id: row.store_id, store_code: row.code }, {
        document: { type: 'passport', issuing_country: 'CHN', number: 'E12345670', surname: 'Wang', given_names: 'Xiao Ming', birth_date: '1990-05-17' },
        language: 'zh-Hans', imei: IMEI_PAYLOAD + luhnCheckDigit(IMEI_PAYLOAD),
        consent: { accepted: true, text_version: CONSENT_TEXT_VERSION }, sim: { iccid },
      }, '127.0.0.1');
    return subscriber.line_id;
  }

  it('records the visitor\'s new IMEI; a bad check digit is refused in Russian and changes nothing', async () => {
    const line_id = await connectedLine();
    const cookie = await signIn(AGENT.login, AGENT.password, AGENT.totp_secret);
    const path = `/desk/subscribers/${line_id}`;
    const page = await server.inject({ method: 'GET', url: path, headers: { cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, new RegExp(`action="${path}/imei"`));

    const good = NEW_IMEI_PAYLOAD + luhnCheckDigit(NEW_IMEI_PAYLOAD);
    const wrong_digit = String((Number(luhnCheckDigit(NEW_IMEI_PAYLOAD)) + 1) % 10);
    const bad = NEW_IMEI_PAYLOAD + wrong_digit;
    const forged = await server.inject({ method: 'POST', url: `${path}/imei`, headers: { cookie }, payload: { imei: good } });
    assert.equal(forged.statusCode, 403, 'no CSRF token, nothing recorded');

    const refused = await server.inject({ method: 'POST', url: `${path}/imei`, headers: { cookie }, payload: { _csrf: csrfOf(page.body), imei: bad } });
    assert.equal(refused.statusCode, 400);
    assert.equal(refused.headers['cache-control'], 'no-store');
    const luhn_message = describeError(new RoamError('ROAM_ERR_IMEI_INVALID', { field: 'imei', reason: 'imei_luhn' }), 'ru');
    assert.ok(refused.body.includes(luhn_message), 'the reason, in Russian');
    assert.match(refused.body, /id="imei"[^>]*aria-invalid="true"/);
    assert.equal((await seeded.context.desk_subscribers.subscriber(await agentActor(), line_id)).imei,
      IMEI_PAYLOAD + luhnCheckDigit(IMEI_PAYLOAD));

    const changed = await server.inject({ method: 'POST', url: `${path}/imei`, headers: { cookie }, payload: { _csrf: csrfOf(refused.body), imei: good } });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.ok(changed.body.includes(deskText('ru').imei_changed));
    assert.ok(changed.body.includes(good), 'the page shows the new IMEI');
    assert.equal((await seeded.context.desk_subscribers.subscriber(await agentActor(), line_id)).imei, good);
    assert.ok(!logs.text().includes(good) && !logs.text().includes(bad), 'no IMEI in the logs');
  });

  it('shows a store manager the shifts left open past their day, on the home page', async () => {
    const agent_cookie = await signIn(AGENT.login, AGENT.password, AGENT.totp_secret);
    const home = await server.inject({ method: 'GET', url: '/desk', headers: { cookie: agent_cookie } });
    assert.ok(!home.body.includes('id="overdue-title"'), 'agents have no such panel');
    const opened = await server.inject({ method: 'POST', url: '/desk/shifts', headers: { cookie: agent_cookie }, payload: { _csrf: csrfOf(home.body), float: '5000' } });
    assert.equal(opened.statusCode, 303, opened.body);
    const shift = await seeded.context.desk.currentShift(await agentActor()) ?? assert.fail('no shift opened');

    const manager_cookie = await signIn(MANAGER.login, MANAGER_PASSWORD, MANAGER_TOTP);
    const same_day = await server.inject({ method: 'GET', url: '/desk', headers: { cookie: manager_cookie } });
    assert.ok(same_day.body.includes(deskText('ru').overdue_none));
    seeded.clock.set(shift.day_ends_at_ms + 1);
    // The next morning the manager signs in afresh (yesterday's session has run out).
    const morning_cookie = await signIn(MANAGER.login, MANAGER_PASSWORD, MANAGER_TOTP);
    const next_day = await server.inject({ method: 'GET', url: '/desk', headers: { cookie: morning_cookie } });
    assert.equal(next_day.statusCode, 200, next_day.body);
    assert.match(next_day.body, new RegExp(`data-shift-id="${shift.id}"`));
    assert.ok(next_day.body.includes('href="/desk/audit"'));
  });

  it('shows a store manager their store\'s audit log and refuses it to an agent with a 403 page', async () => {
    const agent_cookie = await signIn(AGENT.login, AGENT.password, AGENT.totp_secret);
    const refused = await server.inject({ method: 'GET', url: '/desk/audit', headers: { cookie: agent_cookie } });
    assert.equal(refused.statusCode, 403);
    assert.ok(refused.body.includes(deskText('ru').managers_only));

    const manager_cookie = await signIn(MANAGER.login, MANAGER_PASSWORD, MANAGER_TOTP);
    const audit = await server.inject({ method: 'GET', url: '/desk/audit', headers: { cookie: manager_cookie } });
    assert.equal(audit.statusCode, 200, audit.body);
    assert.equal(audit.headers['cache-control'], 'no-store');
    assert.ok(audit.body.includes('<td>desk.shift_opened</td>') || audit.body.includes('<td>staff.signed_in</td>'), audit.body.slice(0, 2000));
    assert.ok(audit.body.includes(`<td>${AGENT.login}</td>`), 'the agent of the same store');
    assert.ok(!audit.body.includes('id="store_code"'), 'a manager is not offered other stores');

    const entries = await seeded.context.staff.readAudit(await managerActor(), { limit: 1 });
    const newest = entries[0] ?? assert.fail('no audit entries');
    const filtered = await server.inject({
      method: 'GET', headers: { cookie: manager_cookie },
      url: `/desk/audit?subject_type=${encodeURIComponent(newest.subject_type)}&subject_id=${encodeURIComponent(newest.subject_id ?? '')}`,
    });
    assert.equal(filtered.statusCode, 200);
    assert.ok(filtered.body.includes(`<td>${newest.action}</td>`));
  });

  async function actorOf(login: string) {
    const row = await test_db.database.db.selectFrom('staff').innerJoin('stores', 'stores.id', 'staff.store_id')
      .select(['staff.id', 'staff.login', 'staff.role', 'staff.store_id', 'stores.code']).where('staff.login', '=', login).executeTakeFirstOrThrow();
    return { staff_id: row.id, login: row.login, role: row.role as 'agent' | 'store_manager' | 'admin', store_id: row.store_id, store_code: row.code };
  }
  const agentActor = () => actorOf(AGENT.login);
  const managerActor = () => actorOf(MANAGER.login);
});
