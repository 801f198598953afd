import assert from 'node:assert/strict';
import { it } from 'node:test';
import { systemClock } from '../../../ports/clock.js';
import { totpCode } from '../../../services/staff/staff-crypto.js';
import { StaffService } from '../../../services/staff/staff-service.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { processSuite, runRoamcard } from '../../../testing/roamcard-process.js';
import { STAFF_EXIT_CODES } from './staff.js';

const AUTH_SECRET = 'staff-cli-test-secret-0123456789abcdef0123';

describeEachDatabase('roamcard staff (CLI)', (test_db) => {
  const suite = processSuite(test_db, 'roamcard-staff-', () => ({ AUTH_SECRET, LOG_LEVEL: 'silent', ROAMCARD_LANG: '', LANG: 'C' }));

  it('adds an account that signs in with the printed one-time password and enrolment, and must change it', async () => {
    const demo = await runRoamcard(['demo'], suite.env());
    assert.equal(demo.code, 0, demo.stderr);
    assert.match(demo.stdout, /agent\.svo at svo-hall: password demo-agent-2026, TOTP: oathtool --totp -b KRUGKIDROVUWG2ZAMJZG653OEBTG66BA/);

    const added = await runRoamcard(['staff', 'add', '--store', 'svo-hall', '--role', 'agent', '--login', 'Desk.Two'], suite.env());
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Staff account desk\.two \(agent\) created at svo-hall\./);
    const password = /first sign-in\): (\S+)/.exec(added.stdout)?.[1];
    const uri = /^(otpauth:\/\/totp\/\S+)$/m.exec(added.stdout)?.[1];
    assert.ok(password && uri, added.stdout);
    assert.match(added.stdout, /[▀▄█]/, 'the QR code is drawn in the terminal');
    const secret = new URL(uri).searchParams.get('secret');
    assert.ok(secret);
    assert.equal(new URL(uri).searchParams.get('issuer'), 'roamcard');

    const staff = new StaffService({
      database: suite.database(), clock: systemClock, auth_secret: AUTH_SECRET, session_limits: { idle_ms: 60_000, max_ms: 3_600_000 },
    });
    const signed_in = await staff.signIn({ login: 'desk.two', password, totp: totpCode(secret, Date.now()), client_address: '127.0.0.1' });
    assert.equal(signed_in.password_must_change, true);
    assert.equal(signed_in.actor.store_code, 'svo-hall');

    const listed = await runRoamcard(['staff', 'list'], suite.env());
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^svo-hall +agent\.svo +agent$/m);
    assert.match(listed.stdout, /^svo-hall +desk\.two +agent +one-time password$/m);
    assert.ok(!listed.stdout.includes(password) && !listed.stdout.includes(secret), 'list shows no secret');
  });

  it('refuses an unknown store, an unknown role, a bad or taken login, and a run without AUTH_SECRET, each with its exit code', async () => {
    const add = (store: string, role: string, login: string, env = suite.env()) =>
      runRoamcard(['staff', 'add', '--store', store, '--role', role, '--login', login], env);
    const cases = [
      { run: add('nowhere', 'agent', 'x.one'), code: STAFF_EXIT_CODES.unknown_store, text: /ROAM_ERR_STORE_NOT_FOUND: There is no store with the code nowhere\./ },
      { run: add('svo-hall', 'cashier', 'x.two'), code: STAFF_EXIT_CODES.bad_input, text: /Unknown role cashier: use agent, store_manager or admin\./ },
      { run: add('svo-hall', 'agent', 'x'), code: STAFF_EXIT_CODES.bad_input, text: /login has the wrong format/ },
      { run: add('svo-hall', 'agent', 'agent.svo'), code: STAFF_EXIT_CODES.login_taken, text: /The login agent\.svo is already taken\./ },
      { run: add('svo-hall', 'agent', 'x.three', { ...suite.env(), AUTH_SECRET: '' }), code: STAFF_EXIT_CODES.no_auth_secret, text: /AUTH_SECRET is not set/ },
    ];
    for (const expected of cases) {
      const result = await expected.run;
      assert.equal(result.code, expected.code, result.stderr);
      assert.match(result.stderr, expected.text);
      assert.equal(result.stdout, '', 'nothing printed as if created');
    }
    const logins = (await suite.database().db.selectFrom('staff').select('login').execute()).map((row) => row.login);
    assert.ok(!logins.some((login) => login.startsWith('x.')), `created anyway: ${logins.join(', ')}`);
  });

  it('unlocks a known login and refuses an unknown one', async () => {
    const unknown = await runRoamcard(['staff', 'unlock', 'ghost.svo'], suite.env());
    assert.equal(unknown.code, STAFF_EXIT_CODES.unknown_login, unknown.stderr);
    const known = await runRoamcard(['staff', 'unlock', 'agent.svo'], suite.env());
    assert.equal(known.code, 0, known.stderr);
    assert.match(known.stdout, /agent\.svo unlocked\./);
  });
});
