import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ConsoleSmsSender } from '../../adapters/sms/console/console-sms-sender.js';
import type { AppContext } from '../../app/context.js';
import { isRoamError, type ErrorCode } from '../../core/errors.js';
import { luhnCheckDigit } from '../../core/iccid.js';
import { LANGUAGES } from '../../core/i18n/languages.js';
import { DEMO_START_MS, seededContext } from '../../testing/seeded-context.js';
import type { ManualClock } from '../../ports/clock.js';
import { describeEachDatabase } from '../../testing/databases.js';
import type { OutboxWorker } from '../jobs/worker.js';
import { deriveAuthKeys, sealText, unsealText } from './auth-crypto.js';
import { clientAddressKey } from '../../db/rate-limits.js';
import { CODE_ATTEMPTS_MAX, CODE_RATE_LIMITS, CODE_TTL_MS, CODE_VERIFY_LIMITS } from './one-time-codes.js';
import { lastLocalDays, zoneOffsetMs } from '../../core/local-days.js';
import { signInSmsText } from './sms-text.js';
import type { CustomerService } from './customer-service.js';

const LINE_1 = { msisdn: '+79001234567', iccid: '8970199000000000007' };
const LINE_2 = { msisdn: '+79001234568', iccid: '8970199000000000015' };
const LINE_3 = { msisdn: '+79001234569', iccid: '8970199000000000239' };
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

async function rejects(work: Promise<unknown>, code: ErrorCode): Promise<Record<string, unknown>> {
  try {
    await work;
  } catch (error) {
    assert.ok(isRoamError(error), `expected ${code}, got ${String(error)}`);
    assert.equal(error.code, code);
    return { ...error.params };
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

describeEachDatabase('customer identity service', (t) => {
  let context: AppContext;
  let clock: ManualClock;
  let customers: CustomerService;
  let worker: OutboxWorker;
  let sms: ConsoleSmsSender;
  let serial = 0;

  before(async () => {
    ({ context, clock } = await seededContext(t.database));
    customers = context.customers;
    worker = context.createWorker();
    assert.ok(context.sms instanceof ConsoleSmsSender);
    sms = context.sms;
  });

  /** Each test starts in a fresh hour, so the hourly limits of one test do not reach the next. */
  function nextHour(): void {
    clock.set(Math.floor(clock.now_ms() / HOUR_MS) * HOUR_MS + HOUR_MS + MINUTE_MS);
  }

  /** A fresh client address per call: the per-address limit is tested on its own. */
  function ip(): string {
    serial += 1;
    return `198.51.100.${serial % 250}`;
  }

  /** Runs the outbox (the SMS job) and reads the code the console driver "sent". */
  async function codeSentTo(msisdn: string): Promise<string> {
    await worker.drainOnce();
    const message = sms.lastMessageTo(msisdn);
    assert.ok(message, `no SMS to ${msisdn}`);
    return /\d{6}/.exec(message.text)?.[0] ?? assert.fail(`no code in "${message.text}"`);
  }

  async function signIn(target: { msisdn: string } | { iccid: string }, msisdn: string) {
    await customers.requestCode({ target, ip: ip() });
    const code = await codeSentTo(msisdn);
    return customers.verifyCode({ target, code, session_kind: 'bearer', ip: ip() });
  }

  it('sends a 6-digit code in the line\'s language, stores only its HMAC, and signs up then signs in', async () => {
    nextHour();
    const answer = await customers.requestCode({ target: { msisdn: '8 900 123-45-68' }, ip: ip() });
    assert.deepEqual(answer, { code_length: 6, expires_in_ms: 5 * MINUTE_MS, resend_after_ms: MINUTE_MS });
    const code = await codeSentTo(LINE_2.msisdn);
    assert.match(code, /^\d{6}$/);
    assert.match(sms.lastMessageTo(LINE_2.msisdn)?.text ?? '', /roamcard sign-in code/);
    const codes = JSON.stringify(await t.database.db.selectFrom('one_time_codes').selectAll().execute());
    const jobs = JSON.stringify(await t.database.db.selectFrom('jobs').selectAll().execute());
    assert.ok(!codes.includes(code) && !jobs.includes(code), 'the plain code is stored nowhere');

    const signed_up = await customers.verifyCode({ target: { msisdn: LINE_2.msisdn }, code, session_kind: 'bearer', ip: ip() });
    assert.equal(signed_up.created, true);
    assert.match(signed_up.token, /^rcs_/);
    const sessions = JSON.stringify(await t.database.db.selectFrom('customer_sessions').selectAll().execute());
    assert.ok(!sessions.includes(signed_up.token), 'only the token hash is stored');
    const lines = await customers.listLines(signed_up.customer_id);
    assert.deepEqual(lines.map((line) => [line.msisdn, line.verified_by, line.primary]), [[LINE_2.msisdn, 'sms_code', true]]);

    await rejects(customers.verifyCode({ target: { msisdn: LINE_2.msisdn }, code, session_kind: 'bearer', ip: ip() }), 'ROAM_ERR_CODE_INVALID');
    clock.advance(MINUTE_MS + 1);
    const signed_in = await signIn({ msisdn: LINE_2.msisdn }, LINE_2.msisdn);
    assert.equal(signed_in.created, false);
    assert.equal(signed_in.customer_id, signed_up.customer_id);
    assert.deepEqual(await customers.authenticate(signed_in.token, 'bearer').then((s) => s?.customer_id), signed_up.customer_id);
    assert.equal(await customers.authenticate(signed_in.token, 'cookie'), undefined, 'a bearer token is not a cookie token');
  });

  it('a code expires after 5 minutes', async () => {
    nextHour();
    await customers.requestCode({ target: { msisdn: LINE_1.msisdn }, ip: ip() });
    const code = await codeSentTo(LINE_1.msisdn);
    clock.advance(CODE_TTL_MS);
    await rejects(customers.verifyCode({ target: { msisdn: LINE_1.msisdn }, code, session_kind: 'bearer', ip: ip() }), 'ROAM_ERR_CODE_INVALID');

    clock.advance(MINUTE_MS);
    await customers.requestCode({ target: { msisdn: LINE_1.msisdn }, ip: ip() });
    const fresh = await codeSentTo(LINE_1.msisdn);
    clock.advance(CODE_TTL_MS - 1);
    assert.equal((await customers.verifyCode({ target: { msisdn: LINE_1.msisdn }, code: fresh, session_kind: 'bearer', ip: ip() })).created, true);
  });

  it('one address cannot burn the code: its guesses stop at 5, and the owner still signs in from another', async () => {
    nextHour();
    await customers.requestCode({ target: { msisdn: LINE_1.msisdn }, ip: ip() });
    const code = await codeSentTo(LINE_1.msisdn);
    const wrong = code === '000000' ? '111111' : '000000';
    const attacker = '203.0.113.66';
    for (let attempt = 0; attempt < CODE_VERIFY_LIMITS.per_target_address.hits_max; attempt += 1) {
      await rejects(customers.verifyCode({ target: { msisdn: LINE_1.msisdn }, code: wrong, session_kind: 'bearer', ip: attacker }), 'ROAM_ERR_CODE_INVALID');
    }
    // The next guess from that address is refused before the code is even looked at…
    await rejects(customers.verifyCode({ target: { msisdn: LINE_1.msisdn }, code, session_kind: 'bearer', ip: attacker }), 'ROAM_ERR_RATE_LIMITED');
    const row = await t.database.db.selectFrom('one_time_codes').select(['attempts', 'consumed_at_ms']).orderBy('created_at_ms', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.deepEqual(row, { attempts: CODE_VERIFY_LIMITS.per_target_address.hits_max, consumed_at_ms: null });
    // …while the code stays good for its owner, elsewhere.
    assert.equal(typeof (await customers.verifyCode({ target: { msisdn: LINE_1.msisdn }, code, session_kind: 'bearer', ip: '198.51.100.250' })).token, 'string');
  });

  it('many addresses together kill the code at its limit, and the owner gets in within 15 minutes', async () => {
    nextHour();
    await customers.requestCode({ target: { msisdn: LINE_2.msisdn }, ip: ip() });
    const code = await codeSentTo(LINE_2.msisdn);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let attempt = 0; attempt < CODE_ATTEMPTS_MAX; attempt += 1) {
      await rejects(customers.verifyCode({ target: { msisdn: LINE_2.msisdn }, code: wrong, session_kind: 'bearer', ip: `192.0.2.${attempt}` }), 'ROAM_ERR_CODE_INVALID');
    }
    const row = await t.database.db.selectFrom('one_time_codes').select('attempts').where('msisdn', '=', LINE_2.msisdn).orderBy('created_at_ms', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.equal(row.attempts, CODE_ATTEMPTS_MAX);
    // The ceiling for the number is reached: every address waits, the owner too — for at most 15 minutes.
    const waited = await rejects(customers.verifyCode({ target: { msisdn: LINE_2.msisdn }, code, session_kind: 'bearer', ip: ip() }), 'ROAM_ERR_RATE_LIMITED');
    assert.ok(Number(waited.retry_after_s) <= 15 * 60);
    clock.advance(Number(waited.retry_after_s) * 1000);
    const owner = '198.51.100.251';
    await customers.requestCode({ target: { msisdn: LINE_2.msisdn }, ip: owner });
    const fresh = await codeSentTo(LINE_2.msisdn);
    assert.equal(typeof (await customers.verifyCode({ target: { msisdn: LINE_2.msisdn }, code: fresh, session_kind: 'bearer', ip: owner })).token, 'string');
  });

  it('a new code retires the old one', async () => {
    nextHour();
    await customers.requestCode({ target: { msisdn: LINE_1.msisdn }, ip: ip() });
    const first = await codeSentTo(LINE_1.msisdn);
    await customers.requestCode({ target: { msisdn: LINE_1.msisdn }, ip: ip() });
    const second = await codeSentTo(LINE_1.msisdn);
    if (first !== second) {
      await rejects(customers.verifyCode({ target: { msisdn: LINE_1.msisdn }, code: first, session_kind: 'bearer', ip: ip() }), 'ROAM_ERR_CODE_INVALID');
    }
    await customers.verifyCode({ target: { msisdn: LINE_1.msisdn }, code: second, session_kind: 'bearer', ip: ip() });
  });

  it('concurrent wrong guesses never exceed the attempts, and concurrent requests from one address get one code', async () => {
    nextHour();
    const requests = await Promise.allSettled(Array.from({ length: 6 }, () => customers.requestCode({ target: { msisdn: LINE_3.msisdn }, ip: '198.51.100.77' })));
    assert.equal(requests.filter((result) => result.status === 'fulfilled').length, 1);
    const code = await codeSentTo(LINE_3.msisdn);
    const wrong = code === '000000' ? '111111' : '000000';
    const guesses = await Promise.allSettled(Array.from({ length: 2 * CODE_ATTEMPTS_MAX }, (_, index) =>
      customers.verifyCode({ target: { msisdn: LINE_3.msisdn }, code: wrong, session_kind: 'bearer', ip: `192.0.2.${100 + (index % 5)}` })));
    for (const guess of guesses) {
      assert.ok(guess.status === 'rejected' && isRoamError(guess.reason) && ['ROAM_ERR_CODE_INVALID', 'ROAM_ERR_RATE_LIMITED'].includes(guess.reason.code),
        String(guess.status === 'rejected' ? guess.reason : 'accepted'));
    }
    const row = await t.database.db.selectFrom('one_time_codes').select('attempts').where('msisdn', '=', LINE_3.msisdn).orderBy('created_at_ms', 'desc').limit(1).executeTakeFirstOrThrow();
    assert.ok(row.attempts <= CODE_ATTEMPTS_MAX, `${row.attempts} attempts`);
  });

  it('limits code requests per (number, address), per address, and per number from all addresses', async () => {
    nextHour();
    const home = '198.51.100.200';
    await customers.requestCode({ target: { msisdn: LINE_3.msisdn }, ip: home });
    const params = await rejects(customers.requestCode({ target: { msisdn: LINE_3.msisdn }, ip: home }), 'ROAM_ERR_RATE_LIMITED');
    assert.equal(params.retry_after_s, 60);
    // Another address is not held back by this one's requests.
    await customers.requestCode({ target: { msisdn: LINE_3.msisdn }, ip: ip() });
    for (let request = 2; request <= CODE_RATE_LIMITS.per_target_address_hour.hits_max; request += 1) {
      clock.advance(MINUTE_MS);
      await customers.requestCode({ target: { msisdn: LINE_3.msisdn }, ip: home });
    }
    clock.advance(MINUTE_MS);
    const hourly = await rejects(customers.requestCode({ target: { msisdn: LINE_3.msisdn }, ip: home }), 'ROAM_ERR_RATE_LIMITED');
    assert.ok(Number(hourly.retry_after_s) > 60 && Number(hourly.retry_after_s) <= 3600);
    // The number's own ceiling, from all addresses together.
    const asked = 1 + CODE_RATE_LIMITS.per_target_address_hour.hits_max;
    for (let request = asked; request < CODE_RATE_LIMITS.per_target_hour.hits_max; request += 1) {
      await customers.requestCode({ target: { msisdn: LINE_3.msisdn }, ip: ip() });
    }
    await rejects(customers.requestCode({ target: { msisdn: LINE_3.msisdn }, ip: ip() }), 'ROAM_ERR_RATE_LIMITED');

    nextHour();
    const shared_ip = '203.0.113.7';
    for (let number = 1; number <= CODE_RATE_LIMITS.per_ip_hour.hits_max; number += 1) {
      await customers.requestCode({ target: { msisdn: `+7900555${String(number).padStart(4, '0')}` }, ip: shared_ip });
    }
    await rejects(customers.requestCode({ target: { msisdn: '+79005550021' }, ip: shared_ip }), 'ROAM_ERR_RATE_LIMITED');
    await rejects(customers.requestCode({ target: { msisdn: '+79005550022' }, ip: `::ffff:${shared_ip}` }), 'ROAM_ERR_RATE_LIMITED');
    await customers.requestCode({ target: { msisdn: '+79005550023' }, ip: '203.0.113.8' });
  });

  it('asking by number and by ICCID cannot be told apart: separate counters, one silent SMS cap per line', async () => {
    nextHour();
    const address = '198.51.100.201';
    await customers.requestCode({ target: { msisdn: LINE_3.msisdn }, ip: address });
    // Right after asking by number, asking by that line's ICCID answers as for any other ICCID.
    const by_iccid = await customers.requestCode({ target: { iccid: LINE_3.iccid }, ip: address });
    const unknown_iccid = await customers.requestCode({ target: { iccid: `897019900000099998${luhnCheckDigit('897019900000099998')}` }, ip: address });
    assert.deepEqual(by_iccid, unknown_iccid);
    // However it is asked, one line gets at most so many texts an hour; beyond, the answer stays the same.
    const line_id = (await t.database.db.selectFrom('lines').select('id').where('msisdn', '=', LINE_3.msisdn).executeTakeFirstOrThrow()).id;
    const texted = async () => (await t.database.db.selectFrom('jobs').select('id').where('kind', '=', 'sms.send').where('line_id', '=', line_id).execute()).length;
    const before_cap = await texted();
    for (let request = 2; request <= CODE_RATE_LIMITS.sms_per_line_hour.hits_max + 3; request += 1) {
      const target = request % 2 === 0 ? { msisdn: LINE_3.msisdn } : { iccid: LINE_3.iccid };
      assert.deepEqual(await customers.requestCode({ target, ip: ip() }), by_iccid);
    }
    assert.equal(await texted() - before_cap, CODE_RATE_LIMITS.sms_per_line_hour.hits_max - 2, 'two SMS went before the loop');
    await worker.drainOnce(); // the next tests read the newest SMS: send these first
  });

  it('an unknown number or ICCID gets the same answer and no SMS, code or job', async () => {
    nextHour();
    const count = async () => ({
      codes: (await t.database.db.selectFrom('one_time_codes').select('id').execute()).length,
      jobs: (await t.database.db.selectFrom('jobs').select('id').where('kind', '=', 'sms.send').execute()).length,
    });
    const before_counts = await count();
    const known = await customers.requestCode({ target: { msisdn: LINE_2.msisdn }, ip: ip() });
    const unknown = await customers.requestCode({ target: { msisdn: '+79009999999' }, ip: ip() });
    const unknown_iccid = await customers.requestCode({ target: { iccid: `897019900000099999${luhnCheckDigit('897019900000099999')}` }, ip: ip() });
    assert.deepEqual(unknown, known);
    assert.deepEqual(unknown_iccid, known);
    const after_counts = await count();
    assert.deepEqual(after_counts, { codes: before_counts.codes + 1, jobs: before_counts.jobs + 1 });
    await rejects(customers.verifyCode({ target: { msisdn: '+79009999999' }, code: '123456', session_kind: 'bearer', ip: ip() }), 'ROAM_ERR_CODE_INVALID');
    await rejects(customers.requestCode({ target: { msisdn: 'not a number' }, ip: ip() }), 'ROAM_ERR_MSISDN_INVALID');
  });

  it('signs in by ICCID: the code goes to the card\'s number, in its language, and the line counts as verified', async () => {
    nextHour();
    await customers.requestCode({ target: { iccid: '8970 1990 0000 0000 239' }, ip: ip() });
    const code = await codeSentTo(LINE_3.msisdn);
    assert.match(sms.lastMessageTo(LINE_3.msisdn)?.text ?? '', /код входа roamcard/);
    const signed_in = await customers.verifyCode({ target: { iccid: LINE_3.iccid }, code, session_kind: 'cookie', ip: ip() });
    assert.equal(signed_in.session.kind, 'cookie');
    const [line] = await customers.listLines(signed_in.customer_id);
    assert.equal(line?.verified_by, 'iccid');
    assert.equal(line?.msisdn, LINE_3.msisdn);
  });

  it('adds a line only with its card\'s ICCID, says the same for an unknown number, and limits wrong tries', async () => {
    nextHour();
    clock.advance(MINUTE_MS);
    const parent = await signIn({ msisdn: LINE_1.msisdn }, LINE_1.msisdn);
    await rejects(customers.addLine(parent.customer_id, { msisdn: LINE_2.msisdn, iccid: LINE_3.iccid }), 'ROAM_ERR_ICCID_MISMATCH');
    await rejects(customers.addLine(parent.customer_id, { msisdn: '+79009999999', iccid: LINE_2.iccid }), 'ROAM_ERR_ICCID_MISMATCH');
    await rejects(customers.addLine(parent.customer_id, { msisdn: LINE_2.msisdn, iccid: '123' }), 'ROAM_ERR_ICCID_INVALID');
    const added = await customers.addLine(parent.customer_id, { msisdn: LINE_2.msisdn, iccid: LINE_2.iccid });
    assert.equal(added.added, true);
    assert.equal(added.line.verified_by, 'iccid');
    assert.equal((await customers.addLine(parent.customer_id, { msisdn: LINE_2.msisdn, iccid: LINE_2.iccid })).added, false);
    assert.deepEqual((await customers.listLines(parent.customer_id)).map((line) => line.msisdn).sort(), [LINE_1.msisdn, LINE_2.msisdn]);

    for (let failure = 3; failure <= 5; failure += 1) {
      await rejects(customers.addLine(parent.customer_id, { msisdn: LINE_3.msisdn, iccid: LINE_1.iccid }), 'ROAM_ERR_ICCID_MISMATCH');
    }
    await rejects(customers.addLine(parent.customer_id, { msisdn: LINE_3.msisdn, iccid: LINE_3.iccid }), 'ROAM_ERR_RATE_LIMITED');
    clock.advance(HOUR_MS);
    assert.equal((await customers.addLine(parent.customer_id, { msisdn: LINE_3.msisdn, iccid: LINE_3.iccid })).added, true);

    await customers.removeLine(
      parent.customer_id,
      (await customers.listLines(parent.customer_id)).find((line) => line.msisdn === LINE_3.msisdn)!.line_id,
    );
    await rejects(customers.removeLine(parent.customer_id, 'ln_not_mine'), 'ROAM_ERR_LINE_NOT_FOUND');
  });

  it('shows a line\'s dashboard with warnings and usage per local day, and only to its holders', async () => {
    nextHour();
    clock.advance(2 * MINUTE_MS);
    const holder = await signIn({ msisdn: LINE_1.msisdn }, LINE_1.msisdn);
    clock.advance(2 * MINUTE_MS);
    const stranger = await signIn({ msisdn: LINE_2.msisdn }, LINE_2.msisdn);
    const line_id = (await customers.listLines(holder.customer_id)).find((line) => line.msisdn === LINE_1.msisdn)!.line_id;
    await rejects(customers.lineDashboard(stranger.customer_id, line_id), 'ROAM_ERR_LINE_NOT_FOUND');

    const dashboard = await customers.lineDashboard(holder.customer_id, line_id);
    assert.equal(dashboard.wallet.currency, 'RUB');
    const pack = dashboard.packs.find((candidate) => candidate.package_code === 'data-5gb-7d');
    assert.ok(pack?.data);
    assert.equal(pack.data.total, 5 * 1024 * 1_048_576);
    assert.equal(dashboard.usage_by_day.length, 30);
    const seeded_day = dashboard.usage_by_day.find((day) => day.date === '2025-11-26');
    assert.ok(seeded_day && seeded_day.data_bytes >= 734_003_200, 'the demo usage is on its Moscow day');

    await context.services.chargeUsage({ event_id: 'dashboard:low', line_id, kind: 'data', quantity: pack.data.remaining - Math.floor(pack.data.total / 10), at_ms: clock.now_ms() });
    const low = await customers.lineDashboard(holder.customer_id, line_id);
    const low_pack = low.packs.find((candidate) => candidate.bundle_id === pack.bundle_id);
    assert.deepEqual(low_pack?.warnings.filter((warning) => warning.type === 'running_low'), [{ type: 'running_low', resource: 'data', remaining_percent: 10 }]);
    clock.set(pack.expires_at_ms - HOUR_MS);
    const expiring = await customers.lineDashboard(holder.customer_id, line_id);
    assert.ok(expiring.packs.find((candidate) => candidate.bundle_id === pack.bundle_id)?.warnings.some((warning) => warning.type === 'expiring_soon'));
  });
});

describe('customer identity, pure parts', () => {
  it('counts local days in the line\'s zone', () => {
    const at_ms = Date.UTC(2025, 10, 26, 9, 0);
    const days = lastLocalDays(at_ms, 'Asia/Vladivostok', 7);
    assert.equal(days.length, 7);
    assert.equal(days.at(-1)?.date, '2025-11-26');
    assert.equal(days.at(-1)?.start_ms, Date.UTC(2025, 10, 25, 14, 0));
    assert.equal(days[0]?.date, '2025-11-20');
    const late = lastLocalDays(Date.UTC(2025, 10, 26, 22, 0), 'Europe/Moscow', 1);
    assert.equal(late[0]?.date, '2025-11-27');
    // A day with a DST change is 23 hours long.
    const spring = lastLocalDays(Date.UTC(2025, 2, 30, 12, 0), 'Europe/Berlin', 1)[0]!;
    assert.equal(spring.end_ms - spring.start_ms, 23 * HOUR_MS);
    assert.equal(zoneOffsetMs(at_ms, 'Asia/Kolkata'), 5.5 * HOUR_MS);
  });

  it('fits each sign-in SMS in one message', () => {
    for (const language of LANGUAGES) {
      const text = signInSmsText(language, '123456', 5);
      const gsm7 = /^[\x20-\x7e\n]*$/.test(text);
      assert.ok(text.length <= (gsm7 ? 160 : 70), `${language}: ${text.length} characters`);
      assert.ok(text.includes('123456'));
    }
  });

  it('seals outbox texts so that only the same secret opens them', () => {
    const keys = deriveAuthKeys('a'.repeat(64));
    const sealed = sealText(keys, 'code 123456');
    assert.ok(!sealed.includes('123456'));
    assert.equal(unsealText(keys, sealed), 'code 123456');
    assert.equal(unsealText(deriveAuthKeys('b'.repeat(64)), sealed), undefined);
  });

  it('counts IPv6 clients per /64', () => {
    assert.equal(clientAddressKey('2001:db8:1:2:aaaa::1'), clientAddressKey('2001:0db8:1:2::ffff'));
    assert.notEqual(clientAddressKey('2001:db8:1:2::1'), clientAddressKey('2001:db8:1:3::1'));
    assert.equal(clientAddressKey('::ffff:192.0.2.1'), clientAddressKey('192.0.2.1'));
    assert.equal(DEMO_START_MS, Date.UTC(2025, 10, 26, 9, 0));
  });
});
