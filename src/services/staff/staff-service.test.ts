import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { isRoamError, RoamError } from '../../core/errors.js';
import { describeError } from '../../core/i18n/format.js';
import { inTransaction } from '../../db/transaction.js';
import { describeEachDatabase } from '../../testing/databases.js';
import { seededContext, type SeededContext } from '../../testing/seeded-context.js';
import { DEMO_STAFF, seedDemoStaff } from '../demo/seed.js';
import { totpCode } from './staff-crypto.js';
import { revokeStaffSessions } from './staff-sessions.js';
import { STAFF_FAILED_SIGN_INS_MAX, STAFF_LOCKOUT_MS, type SignInInput } from './staff-service.js';

const AGENT = DEMO_STAFF[0];
const MINUTE_MS = 60_000;
const STEP_MS = 30_000;
const ADDRESS = '10.20.30.40';

function signInFailed(error: unknown): boolean {
  return isRoamError(error) && error.code === 'ROAM_ERR_STAFF_SIGN_IN_FAILED';
}

describeEachDatabase('staff sign-in', (test_db) => {
  let seeded: SeededContext;
  // Each test moves to its own quarter of an hour, so steps and lockouts of one never touch another's.
  const nextSlot = () => seeded.clock.advance(60 * MINUTE_MS);
  const agentInput = (overrides: Partial<SignInInput> = {}): SignInInput => ({
    login: AGENT.login, password: AGENT.password, totp: totpCode(AGENT.totp_secret, seeded.clock.now_ms()), client_address: ADDRESS,
    ...overrides,
  });

  before(async () => {
    seeded = await seededContext(test_db.database);
    assert.equal(await seedDemoStaff(seeded.context.staff), 1);
    assert.equal(await seedDemoStaff(seeded.context.staff), 0, 'seeding the demo again adds nothing');
  });

  it('signs the demo agent in with password and the TOTP code of now, and the token names the agent at svo-hall', async () => {
    nextSlot();
    const signed_in = await seeded.context.staff.signIn(agentInput());
    assert.equal(signed_in.password_must_change, false);
    assert.match(signed_in.token, /^rcst_/);
    assert.equal(signed_in.expires_at_ms, seeded.clock.now_ms() + 12 * 60 * MINUTE_MS);
    const actor = await seeded.context.staff_authenticator.authenticate(signed_in.token, ADDRESS);
    assert.deepEqual({ login: actor?.login, role: actor?.role, store_code: actor?.store_code }, { login: 'agent.svo', role: 'agent', store_code: 'svo-hall' });
    assert.equal(await seeded.context.staff.authenticate(`${signed_in.token.slice(0, -1)}x`, ADDRESS), undefined);
  });

  it('answers an unknown login, a wrong password and a wrong code alike, and records the real reason only in the audit log', async () => {
    nextSlot();
    const wrong_code = String((Number(totpCode(AGENT.totp_secret, seeded.clock.now_ms())) + 1) % 1_000_000).padStart(6, '0');
    const attempts = { unknown_login: agentInput({ login: 'nobody.svo' }), wrong_password: agentInput({ password: 'demo-agent-2025' }), wrong_code: agentInput({ totp: wrong_code }) };
    // (Each also costs one argon2 verification — unknown logins against a decoy hash — so timing does
    // not tell them apart either; that is by construction in StaffService, not timed here.)
    for (const [name, input] of Object.entries(attempts)) {
      for (let round = 0; round < 2; round += 1) {
        const error = await seeded.context.staff.signIn(input).then(() => undefined, (caught: unknown) => caught);
        assert.ok(signInFailed(error), `${name}: ${String(error)}`);
        assert.equal(describeError(error as RoamError, 'ru'), describeError(new RoamError('ROAM_ERR_STAFF_SIGN_IN_FAILED'), 'ru'));
      }
    }
    const reasons = await seeded.context.database.db.selectFrom('audit_log').select('after_json').where('action', '=', 'staff.sign_in_failed').execute();
    const seen = new Set(reasons.map((row) => (JSON.parse(row.after_json ?? '{}') as { reason?: string }).reason));
    for (const reason of ['unknown_login', 'wrong_password', 'wrong_totp']) assert.ok(seen.has(reason), `audit log lacks ${reason}`);
    await seeded.context.staff.unlock(AGENT.login); // six failures locked the agent: free it for the next tests
  });

  it(`locks the account after ${STAFF_FAILED_SIGN_INS_MAX} failures in a row, refuses even the right credentials, then lets in once the lock ends`, async () => {
    nextSlot();
    for (let attempt = 0; attempt < STAFF_FAILED_SIGN_INS_MAX; attempt += 1) {
      await assert.rejects(seeded.context.staff.signIn(agentInput({ password: `wrong-${attempt}` })), signInFailed);
    }
    seeded.clock.advance(STEP_MS);
    await assert.rejects(seeded.context.staff.signIn(agentInput()), signInFailed, 'locked: the right password and code are refused');
    const locked = await seeded.context.database.db.selectFrom('audit_log').select('after_json').where('action', '=', 'staff.locked').execute();
    assert.equal(locked.length, 1);
    seeded.clock.advance(STAFF_LOCKOUT_MS - 2 * STEP_MS);
    await assert.rejects(seeded.context.staff.signIn(agentInput()), signInFailed, 'still locked a minute before the end');
    seeded.clock.advance(2 * STEP_MS);
    const signed_in = await seeded.context.staff.signIn(agentInput());
    assert.equal(signed_in.actor.login, AGENT.login);
  });

  it('takes a TOTP code once: the same code again, or one of an earlier step, is refused', async () => {
    nextSlot();
    const now_ms = seeded.clock.now_ms();
    const code = totpCode(AGENT.totp_secret, now_ms);
    const first = await seeded.context.staff.signIn(agentInput({ totp: code }));
    assert.ok(first.token);
    seeded.clock.advance(5_000);
    await assert.rejects(seeded.context.staff.signIn(agentInput({ totp: code })), signInFailed, 'the same code 5 s later');
    await assert.rejects(seeded.context.staff.signIn(agentInput({ totp: totpCode(AGENT.totp_secret, now_ms - STEP_MS) })), signInFailed, 'the previous step\'s code');
    seeded.clock.advance(STEP_MS);
    assert.ok((await seeded.context.staff.signIn(agentInput())).token, 'the next step\'s code works');
    const replays = await seeded.context.database.db.selectFrom('audit_log').select('after_json').where('action', '=', 'staff.sign_in_failed').execute();
    assert.ok(replays.some((row) => row.after_json?.includes('totp_replayed')));
  });

  it('ends a session after STAFF_SESSION_IDLE_MINUTES unused, and at STAFF_SESSION_MAX_HOURS however busy', async () => {
    nextSlot();
    const idle = await seeded.context.staff.signIn(agentInput());
    seeded.clock.advance(29 * MINUTE_MS);
    assert.ok(await seeded.context.staff.authenticate(idle.token, ADDRESS), '29 minutes unused: alive, and pushed forward');
    seeded.clock.advance(29 * MINUTE_MS);
    assert.ok(await seeded.context.staff.authenticate(idle.token, ADDRESS), '29 more minutes: alive (used in between)');
    seeded.clock.advance(30 * MINUTE_MS + 1);
    assert.equal(await seeded.context.staff.authenticate(idle.token, ADDRESS), undefined, '30 minutes unused: ended');

    nextSlot();
    const busy = await seeded.context.staff.signIn(agentInput());
    for (let minutes = 20; minutes < 12 * 60; minutes += 20) {
      seeded.clock.advance(20 * MINUTE_MS);
      assert.ok(await seeded.context.staff.authenticate(busy.token, ADDRESS), `used every 20 minutes: alive at ${minutes} min`);
    }
    seeded.clock.set(busy.expires_at_ms);
    assert.equal(await seeded.context.staff.authenticate(busy.token, ADDRESS), undefined, 'the absolute end');
  });

  it('refuses a signed-out session and every session the shift close revoked', async () => {
    nextSlot();
    const signed_out = await seeded.context.staff.signIn(agentInput());
    const live = await seeded.context.staff.session(signed_out.token);
    assert.ok(live);
    await seeded.context.staff.signOut(live, ADDRESS);
    assert.equal(await seeded.context.staff.authenticate(signed_out.token, ADDRESS), undefined);

    seeded.clock.advance(STEP_MS);
    const first = await seeded.context.staff.signIn(agentInput());
    seeded.clock.advance(STEP_MS);
    const second = await seeded.context.staff.signIn(agentInput());
    const now_ms = seeded.clock.now_ms();
    const ended = await inTransaction(seeded.context.database, (trx) => revokeStaffSessions(trx, first.actor.staff_id, 'shift_closed', now_ms));
    assert.equal(ended, 2);
    for (const token of [first.token, second.token]) assert.equal(await seeded.context.staff.authenticate(token, ADDRESS), undefined);
    const reasons = await seeded.context.database.db.selectFrom('staff_sessions').select('revoke_reason')
      .where('id', 'in', [first.session_id, second.session_id]).execute();
    assert.deepEqual(reasons.map((row) => row.revoke_reason), ['shift_closed', 'shift_closed']);
  });

  it('makes a new account change its one-time password before anything else', async () => {
    nextSlot();
    const enrolment = await seeded.context.staff.addStaff({ store_code: 'led-hall', role: 'agent', login: 'New.Agent' });
    assert.equal(enrolment.login, 'new.agent');
    assert.match(enrolment.totp_uri, /^otpauth:\/\/totp\/roamcard:new\.agent\?/);
    const input = { login: 'new.agent', password: enrolment.one_time_password, client_address: ADDRESS };
    const signed_in = await seeded.context.staff.signIn({ ...input, totp: totpCode(enrolment.totp_secret, seeded.clock.now_ms()) });
    assert.equal(signed_in.password_must_change, true);
    await assert.rejects(seeded.context.staff.authenticate(signed_in.token, ADDRESS), (error: unknown) =>
      isRoamError(error) && error.code === 'ROAM_ERR_STAFF_PASSWORD_CHANGE_REQUIRED');
    const session = await seeded.context.staff.session(signed_in.token);
    assert.ok(session);
    const change = (current_password: string, new_password: string) =>
      seeded.context.staff.changePassword(session, { current_password, new_password, client_address: ADDRESS });
    const refusal = (code: string, reason?: string) => (error: unknown) =>
      isRoamError(error) && error.code === code && (reason === undefined || error.params.reason === reason);
    await assert.rejects(change(enrolment.one_time_password, enrolment.one_time_password), refusal('ROAM_ERR_STAFF_PASSWORD_REJECTED', 'same_as_current'));
    await assert.rejects(change(enrolment.one_time_password, 'short-one'), refusal('ROAM_ERR_STAFF_PASSWORD_REJECTED', 'too_short'));
    await assert.rejects(change(enrolment.one_time_password, 'my-new.agent-pass'), refusal('ROAM_ERR_STAFF_PASSWORD_REJECTED', 'contains_login'));
    await assert.rejects(change('not-the-password', 'a much longer passphrase'), refusal('ROAM_ERR_STAFF_PASSWORD_WRONG'));
    await change(enrolment.one_time_password, 'a much longer passphrase');
    const actor = await seeded.context.staff.authenticate(signed_in.token, ADDRESS);
    assert.equal(actor?.store_code, 'led-hall');
    seeded.clock.advance(STEP_MS);
    const with_one_time = { ...input, totp: totpCode(enrolment.totp_secret, seeded.clock.now_ms()) };
    await assert.rejects(seeded.context.staff.signIn(with_one_time), signInFailed, 'the one-time password no longer signs in');
  });

  it('keeps no password, TOTP secret or token in clear in the database', async () => {
    nextSlot();
    const enrolment = await seeded.context.staff.addStaff({ store_code: 'svo-hall', role: 'store_manager', login: 'raw.check' });
    const signed_in = await seeded.context.staff.signIn(agentInput());
    const secrets = [AGENT.password, AGENT.totp_secret, enrolment.one_time_password, enrolment.totp_secret, signed_in.token];
    const dump = await rawDatabaseText(seeded, test_db.dialect);
    assert.ok(dump.includes('agent.svo') && dump.includes('raw.check'), 'the dump holds the staff rows');
    for (const secret of secrets) assert.ok(!dump.includes(secret), `${secret.slice(0, 4)}… is in the database in clear`);
  });
  it('seals the demo agent\'s public TOTP secret again after a restart with another key, and no other account', async () => {
    nextSlot();
    // A restarted demo server without AUTH_SECRET: the same database, a context with another random key.
    const restarted = await seededContext(test_db.database);
    restarted.clock.set(seeded.clock.now_ms());
    const input = { ...agentInput(), totp: totpCode(AGENT.totp_secret, seeded.clock.now_ms()) };
    await assert.rejects(restarted.context.staff.signIn(input), signInFailed, 'the old key\'s seal cannot be read');
    assert.equal(await restarted.context.staff.resealDemoTotp({ ...AGENT, password: 'not the demo password' }), false);
    assert.equal(await restarted.context.staff.resealDemoTotp(AGENT), true);
    assert.equal(await restarted.context.staff.resealDemoTotp(AGENT), false, 'sealed under this key already');
    restarted.clock.advance(STEP_MS);
    await restarted.context.staff.unlock(AGENT.login);
    const signed_in = await restarted.context.staff.signIn({ ...input, totp: totpCode(AGENT.totp_secret, restarted.clock.now_ms()) });
    assert.equal(signed_in.actor.login, AGENT.login);
  });
});

/** Everything the database holds: the SQLite file and its WAL as bytes, or every PostgreSQL row of the suite's schema as text. */
async function rawDatabaseText(seeded: SeededContext, dialect: 'sqlite' | 'postgres'): Promise<string> {
  const db = seeded.context.database.db;
  if (dialect === 'sqlite') {
    const { rows } = await sql<{ file: string }>`select file from pragma_database_list where name = 'main'`.execute(db);
    const file = rows[0]?.file ?? '';
    const wal = (() => { try { return readFileSync(`${file}-wal`); } catch { return Buffer.alloc(0); } })();
    return Buffer.concat([readFileSync(file), wal]).toString('latin1');
  }
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = current_schema()`.execute(db);
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const { rows } = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(db);
    parts.push(...rows.map((row) => row.row));
  }
  return parts.join('\n');
}
