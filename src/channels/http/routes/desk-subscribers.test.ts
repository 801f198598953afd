import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { before, it } from 'node:test';
import { sql } from 'kysely';
import { contextOver, type AppContext } from '../../../app/context.js';
import { loadConfig } from '../../../config.js';
import { CONSENT_TEXT_VERSION } from '../../../core/consent.js';
import { luhnCheckDigit } from '../../../core/iccid.js';
import { isRoamError } from '../../../core/errors.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import type { Language } from '../../../core/i18n/languages.js';
import { inTransaction } from '../../../db/transaction.js';
import { inspectPdf } from '../../../services/receipts/pdf-structure.js';
import { identityConfirmedText } from '../../../services/notices/notice-texts.js';
import { addSim, assignSimToStore } from '../../../services/sims/inventory.js';
import type { StaffActor, StaffAuthenticator } from '../../../services/staff/staff-actor.js';
import { describeEachDatabase, type TestDatabase } from '../../../testing/databases.js';
import { TEST_IDENTITY_KEYS } from '../../../testing/identity-keys.js';
import { pdfText } from '../../../testing/pdf-text.js';
import { seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { NOTICE_TEST_AUTH_SECRET, noticesOf } from '../../../testing/sent-notices.js';
import { atForm, captureLogs, testServer } from '../../../testing/test-server.js';

const SANDBOX_DELAY_MS = 60_000;
const HOUR_MS = 3_600_000;
const MB = 1_048_576;
const ENVIRONMENT = { AUTH_SECRET: NOTICE_TEST_AUTH_SECRET, IDENTITY_SANDBOX_DELAY_MS: String(SANDBOX_DELAY_MS), IDENTITY_CHECK_INTERVAL_MS: '60000' };
/** Document numbers used in this suite: none may ever be found in clear in the database or the logs. */
const NUMBERS = { wang: 'E12345670', li: 'EA7654321', rejected: 'G55512349', limit: 'E99887760', race: 'E44556670', deadline: 'K11223340' } as const;

/** What the desk API answers, as these tests read it: a subscriber (DeskSubscriber schema) or problem details. */
interface Answer {
  line_id: string; msisdn: string; state: string; form_factor: string; iccid_masked: string; imei: string; contract_url: string;
  verification: { state: string; deadline_at: string; rejection_reason: string };
  document: { type: string; issuing_country: string; number_masked: string };
  esim: { activation_code: string; qr_svg: string } | null;
  code: string; detail: string; field: string | undefined;
}

function passport(number: string, surname = 'Wang', given_names = 'Xiao Ming') {
  return { type: 'passport', issuing_country: 'CHN', number, surname, given_names, birth_date: '1990-05-17' };
}
function imei(payload = '35693803564380'): string {
  return payload + luhnCheckDigit(payload);
}

describeEachDatabase('desk: connecting a foreign visitor (303-FZ) through /api/v1/desk/subscribers', (test_db) => {
  let seeded: SeededContext;
  let tokens: Map<string, StaffActor>;
  let authenticator: StaffAuthenticator;
  const logs = captureLogs();
  let sim_serial = 0;
  const store_ids: Record<string, string> = {};

  before(async () => {
    seeded = await seededContext(test_db.database, ENVIRONMENT);
    for (const row of await test_db.database.db.selectFrom('stores').select(['id', 'code']).execute()) store_ids[row.code] = row.id;
    const actor = (staff_id: string, role: StaffActor['role'], store_code: string): StaffActor =>
      ({ staff_id, login: staff_id, role, store_id: store_ids[store_code] ?? '', store_code });
    tokens = new Map([
      ['agent-svo', actor('stf_agent_svo', 'agent', 'svo-hall')],
      ['agent-led', actor('stf_agent_led', 'agent', 'led-hall')],
      ['manager-svo', actor('stf_manager_svo', 'store_manager', 'svo-hall')],
      ['admin', actor('stf_admin', 'admin', 'led-hall')],
    ]);
    authenticator = { authenticate: async (token) => tokens.get(token) };
  });

  const now = () => seeded.clock.now_ms();

  /** A nano-SIM (or eSIM) put into a store's stock. */
  async function stockSim(store_code: string, form: 'nano' | 'esim' = 'nano'): Promise<string> {
    sim_serial += 1;
    const serial = String(sim_serial).padStart(4, '0');
    const payload = `89701997000000${serial}1`;
    const iccid = payload + luhnCheckDigit(payload);
    await inTransaction(test_db.database, async (trx) => {
      await addSim(trx, {
        iccid, imsi: `25099700000${serial}`, msisdn: `+7900777${serial}`, form_factor: form,
        esim_activation_code: form === 'esim' ? `LPA:1$smdp.roamcard.example$RC-TEST-${serial}` : undefined,
      }, now());
      await assignSimToStore(trx, iccid, store_code);
    });
    return iccid;
  }

  async function call(
    input: { method: 'GET' | 'POST' | 'PUT'; url: string; token?: string; payload?: unknown; language?: string; headers?: Record<string, string> },
    context: AppContext = seeded.context,
  ) {
    const app = testServer(context, { logs, staff_authenticator: authenticator });
    try {
      const response = await app.inject({
        method: input.method, url: input.url, payload: input.payload as Record<string, unknown>,
        headers: { authorization: `Bearer ${input.token ?? 'agent-svo'}`, 'accept-language': input.language ?? 'en', ...input.headers },
      });
      const json = response.headers['content-type']?.toString().includes('json');
      const body = (json ? JSON.parse(response.body) : {}) as Answer;
      return { status: response.statusCode, headers: response.headers, raw: response.rawPayload, body };
    } finally {
      await app.close();
    }
  }

  const connect = (body: Record<string, unknown>, token = 'agent-svo', context?: AppContext, language?: string) =>
    call({ method: 'POST', url: '/api/v1/desk/subscribers', token, payload: body, ...(language ? { language } : {}) }, context);
  const connection = (iccid: string, overrides: Record<string, unknown> = {}) => ({
    document: passport(NUMBERS.wang), language: 'zh-Hans', imei: imei(), consent: { accepted: true, text_version: CONSENT_TEXT_VERSION },
    iccid, ...overrides,
  });
  const usage = (line_id: string, event_id: string, at_ms = now()) =>
    seeded.context.services.chargeUsage({ event_id, line_id, kind: 'data', quantity: MB, at_ms });
  async function refusal(promise: Promise<unknown>): Promise<string> {
    try {
      await promise;
    } catch (error) {
      if (isRoamError(error)) return error.code;
      throw error;
    }
    return 'charged';
  }
  async function dial100(msisdn: string, language: Language): Promise<string> {
    const app = testServer(seeded.context);
    try {
      const response = await app.inject({
        method: 'POST', url: '/ussd/at', headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': language },
        payload: atForm({ sessionId: `s-${Math.random()}`, serviceCode: '#100#', phoneNumber: msisdn, networkCode: '25099', text: '' }),
      });
      assert.equal(response.statusCode, 200, response.body);
      return response.body;
    } finally {
      await app.close();
    }
  }
  async function runJobs(context: AppContext = seeded.context): Promise<void> {
    const worker = context.createWorker();
    for (let round = 0; round < 10 && (await worker.drainOnce()) > 0; round += 1);
  }
  const counts = async () => {
    const count = async (table: 'lines' | 'identity_documents' | 'identity_consents' | 'line_identities' | 'audit_log') =>
      Number((await test_db.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    return { lines: await count('lines'), documents: await count('identity_documents'), consents: await count('identity_consents'),
      subscriptions: await count('line_identities'), audit: await count('audit_log') };
  };

  it('connects a Chinese visitor: pending, usage refused and #100# says why; the sandbox confirms, the line works, an SMS in zh-Hans', async () => {
    const iccid = await stockSim('svo-hall');
    const created = await connect(connection(iccid));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const line = created.body;
    assert.equal(line.state, 'pending_verification');
    assert.equal(line.verification.state, 'pending');
    assert.equal(line.verification.deadline_at, new Date(now() + 72 * HOUR_MS).toISOString());
    assert.equal(line.iccid_masked, `••••${iccid.slice(-4)}`);
    assert.equal(line.document.number_masked, '••••5670');
    assert.deepEqual({ type: line.document.type, country: line.document.issuing_country }, { type: 'passport', country: 'CN' });
    assert.equal(line.esim, null);
    assert.equal(line.contract_url, `/api/v1/desk/subscribers/${line.line_id}/contract.pdf`);
    await runJobs(); // the worker sends the verification at once
    assert.ok(!JSON.stringify(line).includes(NUMBERS.wang));

    assert.equal(await refusal(usage(line.line_id, 'pending-1')), 'ROAM_ERR_IDENTITY_UNVERIFIED');
    const pending_reply = await dial100(line.msisdn, 'zh-Hans');
    assert.match(pending_reply, /身份确认中/);

    seeded.clock.advance(SANDBOX_DELAY_MS + 1_000);
    await runJobs();
    const confirmed = await call({ method: 'GET', url: `/api/v1/desk/subscribers/${line.line_id}` });
    assert.equal(confirmed.body.state, 'active');
    assert.equal(confirmed.body.verification.state, 'confirmed');
    const charged = await usage(line.line_id, 'confirmed-1');
    assert.equal(charged.quantity, MB);
    const active_reply = await dial100(line.msisdn, 'zh-Hans');
    assert.match(active_reply, /^END 余额：/);
    assert.doesNotMatch(active_reply, /身份/);
    const sms = (await noticesOf(test_db.database, line.line_id)).filter((notice) => notice.cause === 'identity_confirmed');
    assert.deepEqual(sms.map((notice) => ({ language: notice.language, text: notice.text, to: notice.to_msisdn })),
      [{ language: 'zh-Hans', text: identityConfirmedText('zh-Hans'), to: line.msisdn }]);
    await runJobs();
    assert.equal((await noticesOf(test_db.database, line.line_id)).length, 1, 'the SMS is queued once');
    const audit = await test_db.database.db.selectFrom('audit_log').select(['action', 'after_json', 'staff_id'])
      .where('subject_id', '=', line.line_id).orderBy('at_ms').execute();
    assert.deepEqual(audit.map((entry) => entry.action), ['subscriber.connect', 'identity.confirmed']);
    assert.match(audit[0]?.after_json ?? '', /"number_last4":"5670"/);
    assert.ok(!audit.some((entry) => (entry.after_json ?? '').includes(NUMBERS.wang)));
  });

  it('serves the consent text the visitor reads: their language and Russian, with the version to send back', async () => {
    const consent = await call({ method: 'GET', url: '/api/v1/desk/consent?language=zh-Hant' });
    assert.equal(consent.status, 200);
    const body = consent.body as unknown as { version: string; texts: Array<{ language: string; title: string }> };
    assert.equal(body.version, CONSENT_TEXT_VERSION);
    assert.deepEqual(body.texts.map((text) => [text.language, text.title]),
      [['zh-Hant', '個人資料處理同意書'], ['ru', 'Согласие на обработку персональных данных']]);
    assert.equal((await call({ method: 'GET', url: '/api/v1/desk/consent?language=ru', token: 'nobody' })).status, 401);
  });

  it('gives an eSIM from the store\'s stock with its activation code and QR', async () => {
    await stockSim('svo-hall', 'esim');
    const { iccid: _unused, ...body } = connection('', { document: passport(NUMBERS.li, 'Li', 'Na'), language: 'zh-Hant' });
    const created = await connect({ ...body, esim: true });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.form_factor, 'esim');
    assert.match(created.body.esim?.activation_code ?? '', /^LPA:1\$smdp\.roamcard\.example\$/);
    assert.match(created.body.esim?.qr_svg ?? '', /^<svg[\s\S]*<\/svg>\s*$/);
  });

  it('a retried connection with its Idempotency-Key returns the line it opened, never a second one; another body is refused', async () => {
    await stockSim('svo-hall', 'esim');
    await stockSim('svo-hall', 'esim');
    const { iccid: _unused, ...body } = connection('', { document: passport('E13572460', 'Sun', 'Yi') });
    const send = (payload: Record<string, unknown>, token = 'agent-svo') => call({
      method: 'POST', url: '/api/v1/desk/subscribers', token, payload, headers: { 'idempotency-key': 'desk-tablet-1:42' },
    });
    const before_connect = await counts();
    const [first, again] = [await send({ ...body, esim: true }), await send({ ...body, esim: true })];
    assert.deepEqual([first.status, again.status], [201, 200]);
    assert.equal(again.body.line_id, first.body.line_id);
    assert.equal((await counts()).lines, before_connect.lines + 1);
    const other = await send({ ...body, esim: true, imei: '490154203237518' });
    assert.equal(other.status, 409);
    assert.equal(other.body.code, 'ROAM_ERR_IDEMPOTENCY_CONFLICT');
    assert.equal((await send({ ...body, esim: true }, 'manager-svo')).status, 201, 'keys are each staff member\'s own');
    const stored = await rawDatabaseText(test_db);
    assert.ok(!stored.includes('E13572460'));
  });

  it('a document number ending in 9 is rejected by the sandbox: the line stays off and says why', async () => {
    const created = await connect(connection(await stockSim('svo-hall'), { document: passport(NUMBERS.rejected, 'Zhao', 'Lei'), language: 'en' }));
    assert.equal(created.status, 201);
    await runJobs();
    seeded.clock.advance(SANDBOX_DELAY_MS + 1_000);
    await runJobs();
    const rejected = await call({ method: 'GET', url: `/api/v1/desk/subscribers/${created.body.line_id}` });
    assert.equal(rejected.body.state, 'verification_rejected');
    assert.match(rejected.body.verification.rejection_reason, /ending in 9/);
    assert.equal(await refusal(usage(created.body.line_id, 'rejected-1')), 'ROAM_ERR_IDENTITY_UNVERIFIED');
    assert.match(await dial100(created.body.msisdn, 'en'), /Identity not confirmed: no service\. Visit a service hall\./);
    assert.equal((await noticesOf(test_db.database, created.body.line_id)).length, 0);
  });

  it('refuses the 11th line for one passport, however its number is typed, and changes nothing', async () => {
    for (let index = 0; index < 10; index += 1) {
      const typed = index % 2 === 0 ? NUMBERS.limit : `e ${NUMBERS.limit.slice(1, 5)}-${NUMBERS.limit.slice(5)}`;
      const country = index % 2 === 0 ? 'CHN' : 'cn';
      const created = await connect(connection(await stockSim('svo-hall'), { document: { ...passport(typed), issuing_country: country } }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
    }
    const iccid = await stockSim('svo-hall');
    const before_refusal = await counts();
    const refused = await connect(connection(iccid, { document: passport(NUMBERS.limit) }), 'agent-svo', undefined, 'ru');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'ROAM_ERR_NUMBERS_PER_PERSON_LIMIT');
    assert.equal(refused.body.detail, messagesFor('ru').errors.ROAM_ERR_NUMBERS_PER_PERSON_LIMIT({ lines_max: 10 }));
    assert.deepEqual(await counts(), before_refusal);
    const sim = await test_db.database.db.selectFrom('sims').select('status').where('iccid', '=', iccid).executeTakeFirstOrThrow();
    assert.equal(sim.status, 'in_stock');
  });

  it('three desks connecting the 9th, 10th and 11th line for one passport at once: exactly two succeed', async () => {
    for (let index = 0; index < 8; index += 1) {
      assert.equal((await connect(connection(await stockSim('svo-hall'), { document: passport(NUMBERS.race) }))).status, 201);
    }
    const [first, second, third] = [await stockSim('svo-hall'), await stockSim('svo-hall'), await stockSim('svo-hall')];
    const results = await Promise.all([first, second, third].map((iccid, index) =>
      connect(connection(iccid, { document: passport(NUMBERS.race) }), index === 1 ? 'manager-svo' : 'agent-svo')));
    assert.deepEqual(results.map((result) => result.status).sort(), [201, 201, 409], 'the 9th and 10th, not the 11th');
    assert.deepEqual(results.filter((result) => result.status !== 201).map((result) => result.body.code), ['ROAM_ERR_NUMBERS_PER_PERSON_LIMIT']);
  });

  it('refuses a bad IMEI, missing consent, a bad document and an unknown language, naming the field, and changes nothing', async () => {
    const iccid = await stockSim('svo-hall');
    const before_refusals = await counts();
    const cases: Array<[Record<string, unknown>, number, string, string | undefined]> = [
      [{ imei: '490154203237517' }, 400, 'ROAM_ERR_IMEI_INVALID', 'imei'],
      [{ imei: '4901542032375' }, 400, 'ROAM_ERR_IMEI_INVALID', 'imei'],
      [{ consent: { accepted: false, text_version: CONSENT_TEXT_VERSION } }, 400, 'ROAM_ERR_CONSENT_REQUIRED', 'consent.accepted'],
      [{ consent: { accepted: true, text_version: '2019-01' } }, 400, 'ROAM_ERR_CONSENT_REQUIRED', 'consent.text_version'],
      [{ document: passport('E12#4567') }, 400, 'ROAM_ERR_DOCUMENT_INVALID', 'document_number'],
      [{ document: { ...passport('E1234567'), surname: '王' } }, 400, 'ROAM_ERR_DOCUMENT_INVALID', 'surname'],
      [{ language: 'fr' }, 400, 'ROAM_ERR_VALIDATION', 'language'],
    ];
    for (const [change, status, code, field] of cases) {
      const refused = await connect(connection(iccid, change), 'agent-svo', undefined, 'zh-Hans');
      assert.equal(refused.status, status, JSON.stringify(change));
      assert.equal(refused.body.code, code);
      assert.equal(refused.body.field, field);
      assert.ok(String(refused.body.detail).length > 0);
    }
    const luhn = await connect(connection(iccid, { imei: '490154203237517' }), 'agent-svo', undefined, 'zh-Hans');
    assert.equal(luhn.body.detail, 'IMEI校验位错误，请在手机上核对（*#06#）。');
    const consent = await connect(connection(iccid, { consent: { accepted: false, text_version: CONSENT_TEXT_VERSION } }), 'agent-svo', undefined, 'ru');
    assert.equal(consent.body.detail, messagesFor('ru').errors.ROAM_ERR_CONSENT_REQUIRED({}));
    assert.deepEqual(await counts(), before_refusals);
  });

  it('keeps each store to its own: another store\'s SIM, subscriber, IMEI and contract are refused; an admin acts anywhere', async () => {
    const svo_sim = await stockSim('svo-hall');
    const refused = await connect(connection(svo_sim, { document: passport('P2468024') }), 'agent-led');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'ROAM_ERR_SIM_NOT_IN_STORE');
    const other_store = await connect(connection(svo_sim, { document: passport('P2468024'), store_code: 'svo-hall' }), 'agent-led');
    assert.equal(other_store.status, 403);
    assert.equal(other_store.body.code, 'ROAM_ERR_STORE_FORBIDDEN');
    const created = await connect(connection(svo_sim, { document: passport('P2468024') }));
    assert.equal(created.status, 201);
    const url = `/api/v1/desk/subscribers/${created.body.line_id}`;
    for (const request of [
      { method: 'GET' as const, url }, { method: 'GET' as const, url: `${url}/contract.pdf` },
      { method: 'PUT' as const, url: `${url}/imei`, payload: { imei: imei('35693803564381') } },
    ]) {
      const response = await call({ ...request, token: 'agent-led' });
      assert.equal(response.status, 403, request.url);
      assert.equal(response.body.code, 'ROAM_ERR_STORE_FORBIDDEN');
    }
    assert.equal((await call({ method: 'GET', url, token: 'admin' })).status, 200);
    assert.equal((await call({ method: 'GET', url, token: 'manager-svo' })).status, 200);
    assert.equal((await call({ method: 'GET', url, token: 'no-such-token' })).status, 401);
    const led_sim = await stockSim('led-hall');
    assert.equal((await connect(connection(led_sim, { document: passport('P2468024'), store_code: 'led-hall' }), 'admin')).status, 201);
  });

  it('changes the IMEI at the desk with an audit entry; a bad one is refused', async () => {
    const created = await connect(connection(await stockSim('svo-hall'), { document: passport('P1357913') }));
    const url = `/api/v1/desk/subscribers/${created.body.line_id}/imei`;
    const bad = await call({ method: 'PUT', url, payload: { imei: '490154203237517' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'ROAM_ERR_IMEI_INVALID');
    const changed = await call({ method: 'PUT', url, payload: { imei: '490154203237518' } });
    assert.equal(changed.status, 200);
    assert.equal(changed.body.imei, '490154203237518');
    const entry = await test_db.database.db.selectFrom('audit_log').selectAll()
      .where('subject_id', '=', created.body.line_id).where('action', '=', 'subscriber.imei_change').executeTakeFirstOrThrow();
    assert.deepEqual([JSON.parse(entry.before_json ?? '{}'), JSON.parse(entry.after_json ?? '{}')],
      [{ imei_last4: imei().slice(-4) }, { imei_last4: '7518' }]);
    assert.equal(entry.staff_id, 'stf_agent_svo');
    assert.equal(entry.client_address, '127.0.0.1');
  });

  it('blocks a line still unconfirmed at the deadline (identity_unconfirmed), and says so', async () => {
    const config = loadConfig({
      LOG_LEVEL: 'silent', ...ENVIRONMENT, IDENTITY_VERIFICATION_DEADLINE_HOURS: '1', IDENTITY_SANDBOX_DELAY_MS: String(2 * HOUR_MS),
    });
    const slow = contextOver(config, test_db.database, seeded.clock);
    const created = await connect(connection(await stockSim('svo-hall'), { document: passport(NUMBERS.deadline), language: 'ru' }), 'agent-svo', slow);
    assert.equal(created.status, 201);
    await runJobs(slow);
    seeded.clock.advance(HOUR_MS + 1_000);
    // Even before the deadline job runs, the line reads as blocked.
    assert.match(await dial100(created.body.msisdn, 'ru'), /Заблокирован: личность не подтверждена до/);
    const early = await call({ method: 'GET', url: `/api/v1/desk/subscribers/${created.body.line_id}` }, slow);
    assert.equal(early.body.state, 'verification_expired');
    await runJobs(slow);
    const expired = await call({ method: 'GET', url: `/api/v1/desk/subscribers/${created.body.line_id}` }, slow);
    assert.equal(expired.body.state, 'verification_expired');
    assert.equal(await refusal(usage(created.body.line_id, 'expired-1')), 'ROAM_ERR_IDENTITY_UNVERIFIED');
    seeded.clock.advance(2 * HOUR_MS);
    await runJobs(slow);
    const still = await call({ method: 'GET', url: `/api/v1/desk/subscribers/${created.body.line_id}` }, slow);
    assert.equal(still.body.verification.state, 'expired', 'a final state never changes');
    const actions = await test_db.database.db.selectFrom('audit_log').select('action').where('subject_id', '=', created.body.line_id).execute();
    assert.deepEqual(actions.map((row) => row.action).sort(), ['identity.expired', 'subscriber.connect']);
  });

  it('prints the contract summary: a sound PDF with the Russian and the Chinese text, the number masked', async () => {
    const created = await connect(connection(await stockSim('svo-hall'), { document: passport('E24681357', 'Chen', 'Mei') }));
    const response = await call({ method: 'GET', url: `/api/v1/desk/subscribers/${created.body.line_id}/contract.pdf` });
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /^application\/pdf/);
    assert.equal(response.headers['cache-control'], 'no-store');
    const facts = inspectPdf(response.raw);
    assert.deepEqual(facts.problems, []);
    assert.equal(facts.page_count, 2);
    assert.deepEqual(facts.embedded_fonts, ['NotoSansSC-Bold', 'NotoSansSC-Regular']);
    const text = pdfText(response.raw);
    for (const expected of [
      'Договор об оказании услуг подвижной связи', '移动通信服务合同', 'CHEN MEI', created.body.msisdn, '#102# — 用余额或短信链接购买套餐',
      '#100# — баланс и остатки пакетов', 'Интернет 1 ГБ на 1 день', 'паспорт, CN',
    ]) assert.ok(text.includes(expected), `${expected} in:\n${text}`);
    assert.ok(!text.includes('E24681357'), 'only the last 4 of the number');
    assert.ok(text.includes('1357'));
  });

  it('outside test mode there is no sandbox verifier: connecting is refused (503) until a real one is configured, and nothing changes', async () => {
    const config = loadConfig({
      LOG_LEVEL: 'silent', AUTH_SECRET: NOTICE_TEST_AUTH_SECRET, YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'test_secret_key_0123456789',
      SMS_DRIVER: 'console', ...TEST_IDENTITY_KEYS,
    });
    const production = contextOver(config, test_db.database, seeded.clock);
    const iccid = await stockSim('svo-hall');
    const before_refusal = await counts();
    const refused = await connect(connection(iccid, { document: passport('P9753108') }), 'agent-svo', production);
    assert.equal(refused.status, 503);
    assert.equal(refused.body.code, 'ROAM_ERR_VERIFIER_UNAVAILABLE');
    assert.deepEqual(await counts(), before_refusal);
  });

  it('keeps no document number, surname or birth date in clear anywhere in the database, and none in the logs', async () => {
    const found = await rawDatabaseText(test_db);
    for (const number of Object.values(NUMBERS)) assert.ok(!found.includes(number), `${number} in clear`);
    for (const personal of ['XIAO MING', 'WANG', '1990-05-17']) assert.ok(!found.includes(personal), `${personal} in clear`);
    assert.ok(found.length > 10_000, 'the check read the data');
    const log_text = logs.text();
    assert.ok(log_text.includes('desk connected a subscriber'));
    for (const number of Object.values(NUMBERS)) assert.ok(!log_text.includes(number) && !log_text.includes(number.slice(1)), `${number} logged`);
  });
});

/** Every byte the database keeps: the SQLite file and its WAL, or every PostgreSQL row of the suite's schema as text. */
async function rawDatabaseText(test_db: TestDatabase): Promise<string> {
  const { database } = test_db;
  if (test_db.dialect === 'sqlite') {
    const files = await sql<{ file: string }>`pragma database_list`.execute(database.db);
    const file = files.rows.find((row) => row.file !== '')?.file ?? '';
    return [file, `${file}-wal`].filter((path) => existsSync(path)).map((path) => readFileSync(path).toString('latin1')).join('\n');
  }
  const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(database.db);
  const texts: string[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(table_name)} t`.execute(database.db);
    texts.push(...rows.rows.map((row) => row.row));
  }
  return texts.join('\n');
}
