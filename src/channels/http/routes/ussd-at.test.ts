import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import type { Language } from '../../../core/i18n/languages.js';
import { contextOver } from '../../../app/context.js';
import { loadConfig } from '../../../config.js';
import { inTransaction } from '../../../db/transaction.js';
import { cashDrawerAccountId } from '../../../services/ledger/accounts.js';
import { describeEachDatabase } from '../../../testing/databases.js';
import { openDemoLikeLine, seededContext, type SeededContext } from '../../../testing/seeded-context.js';
import { atForm, captureLogs, testServer } from '../../../testing/test-server.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describeEachDatabase('POST /ussd/at (Africa\'s Talking) on the demo database', (test_db) => {
  let seeded: SeededContext;
  const numbers: Partial<Record<Language, string>> = {};
  let paged_number = '';
  let suspended_number = '';

  before(async () => {
    seeded = await seededContext(test_db.database);
    // Demo lines come in zh-Hans, en and ru; the same 500 ₽ + 5 GB content is opened in every language.
    for (const language of ['zh-Hans', 'zh-Hant', 'ru', 'en'] as const) numbers[language] = (await openDemoLikeLine(seeded, language, 'Europe/Moscow')).msisdn;
    const paged = await openDemoLikeLine(seeded, 'en', 'Asia/Vladivostok');
    paged_number = paged.msisdn;
    // Five more packs on one line: #101# needs several screens.
    for (const [index, code] of ['data-1gb-1d', 'voice-100min-30d', 'sms-50-30d', 'combo-10gb-200min-30d', 'data-20gb-30d'].entries()) {
      await seeded.context.services.activatePaidPackage({
        line: { line_id: paged.id }, package_code: code, paid_from_account_id: cashDrawerAccountId('svo-hall'),
        amount_minor: 0, package_price_id: null, idempotency_key: `test:paged:${index}`,
      });
    }
    const suspended = await openDemoLikeLine(seeded, 'ru', 'Europe/Moscow');
    suspended_number = suspended.msisdn;
    // No service suspends a line yet; the test sets the state the way a future one would.
    await inTransaction(test_db.database, (trx) => trx.updateTable('lines').set({ status: 'suspended' }).where('id', '=', suspended.id).execute());
  });

  async function dial(fields: Record<string, string>, headers: Record<string, string> = {}) {
    const app = testServer(seeded.context);
    try {
      const response = await app.inject({ method: 'POST', url: '/ussd/at', headers: { ...FORM, ...headers }, payload: atForm(fields) });
      assert.equal(response.statusCode, 200, response.body);
      assert.match(String(response.headers['content-type']), /^text\/plain/);
      return response.body;
    } finally {
      await app.close();
    }
  }

  const balance: Record<Language, string> = {
    'zh-Hans': 'END 余额：500.00 卢布\n流量剩余4.3 GB，至12月3日 12:00',
    'zh-Hant': 'END 餘額：500.00 盧布\n流量剩餘4.3 GB，至12月3日 12:00',
    ru: 'END Баланс: 500,00 ₽\nИнтернет: 4,3 ГБ до 03.12 12:00',
    en: 'END Balance: 500.00 RUB\nData: 4.3 GB left, until 3 Dec 12:00',
  };
  const packs: Record<Language, string> = {
    'zh-Hans': 'END 您的套餐（1）：\n1) 5GB 流量 7天：剩余4.3 GB，至12月3日 12:00',
    'zh-Hant': 'END 您的方案（1）：\n1) 5GB 流量 7天：剩餘4.3 GB，至12月3日 12:00',
    ru: 'END Ваши пакеты (1):\n1) Интернет 5 ГБ на 7 дней: осталось 4,3 ГБ до 03.12 12:00',
    en: 'END Your packs (1):\n1) 5 GB data, 7 days: 4.3 GB left, until 3 Dec 12:00',
  };

  for (const language of ['zh-Hans', 'zh-Hant', 'ru', 'en'] as const) {
    it(`#100# and #101# answer in the line's language: ${language}`, async () => {
      const phoneNumber = numbers[language] ?? '';
      assert.equal(await dial({ sessionId: 's1', serviceCode: '#100#', phoneNumber, networkCode: '25099', text: '' }), balance[language]);
      assert.equal(await dial({ sessionId: 's2', serviceCode: '*101#', phoneNumber, networkCode: '25099', text: '' }), packs[language]);
    });
  }

  it('answers the seeded demo line +79001234567 in Simplified Chinese, whatever Accept-Language says', async () => {
    const reply = await dial({ sessionId: 'd1', serviceCode: '*100#', phoneNumber: '+79001234567', text: '' }, { 'accept-language': 'en' });
    assert.equal(reply, 'END 余额：500.00 卢布\n流量剩余4.3 GB，至12月3日 12:00');
    assert.equal(await dial({ serviceCode: '#100#', phoneNumber: '+79001234568', text: '' }), 'END Balance: 0.00 RUB\nData, calls and SMS: no pack, too little money. Renew: #102#');
    assert.equal(await dial({ serviceCode: '# 101 #', phoneNumber: '+79001234569', text: '' }), 'END Ваши пакеты (1):\n1) 100 минут на 30 дней: осталось 79 мин до 26.12 12:00');
  });

  it('pages through many packs with text "99", "99*99", "99*99*0"', async () => {
    const screens: string[] = [];
    for (const text of ['', '99', '99*99', '99*99*0']) screens.push(await dial({ sessionId: 'p1', serviceCode: '#101#', phoneNumber: paged_number, text }));
    const [first, second, third, back] = screens;
    assert.ok(screens.every((screen) => screen.startsWith('CON ')), 'every page of a paged reply continues the session');
    assert.match(first ?? '', /^CON Your packs \(6\):\n1\) 1 GB data, 1 day: 1\.0 GB left, until 27 Nov 19:00/);
    assert.ok(first?.endsWith('\n99 More') && !first.includes('0 Back'));
    assert.ok(second?.endsWith('\n99 More\n0 Back') || second?.endsWith('\n0 Back'));
    assert.notEqual(second, first);
    assert.notEqual(third, second);
    assert.equal(back, second);
  });

  it('explains an unknown number, an unknown code and an inactive line (HTTP 200 each)', async () => {
    assert.equal(await dial({ serviceCode: '#100#', phoneNumber: '+79009990000', text: '' }), 'END This number is not served by roamcard. Please check the SIM.');
    assert.equal(await dial({ serviceCode: '*555#', phoneNumber: '+79001234567', text: '' }), 'END 未知代码*555#。余额请拨#100#，套餐请拨#101#，续费请拨#102#。');
    assert.equal(await dial({ serviceCode: '#100#', phoneNumber: suspended_number, text: '' }), 'END Номер не активен. Обратитесь в салон связи.');
  });

  it('answers a request without phone number with a readable END, and logs why', async () => {
    const logs = captureLogs();
    const app = testServer(seeded.context, { logs });
    try {
      const response = await app.inject({ method: 'POST', url: '/ussd/at', headers: FORM, payload: atForm({ sessionId: 'x1', serviceCode: '#100#', text: '' }) });
      assert.equal(response.statusCode, 200);
      assert.equal(response.body, 'END Sorry, the request could not be read. Please dial the code again.');
      const oversized = await app.inject({ method: 'POST', url: '/ussd/at', headers: FORM, payload: atForm({ phoneNumber: '+79001234567', serviceCode: '#100#', text: '0'.repeat(600) }) });
      assert.equal(oversized.body, 'END Sorry, the request could not be read. Please dial the code again.');
    } finally {
      await app.close();
    }
    const warnings = logs.records().filter((record) => record.msg === 'USSD request not usable');
    assert.deepEqual(warnings.map((record) => record.missing), [['phoneNumber'], ['body']]);
    assert.equal(warnings[0]?.level, 40);
  });

  it('counts replies by code and outcome in /metrics', async () => {
    const app = testServer(seeded.context);
    try {
      for (const [serviceCode, phoneNumber] of [['#100#', '+79001234567'], ['*100#', '+79001234567'], ['#777#', '+79001234567'], ['#100#', '+79009990000']]) {
        await app.inject({ method: 'POST', url: '/ussd/at', headers: FORM, payload: atForm({ serviceCode: serviceCode ?? '', phoneNumber: phoneNumber ?? '', text: '' }) });
      }
      const metrics = (await app.inject({ url: '/metrics' })).body;
      assert.match(metrics, /roamcard_ussd_replies_total\{code="#100#",outcome="ok"\} 2/);
      assert.match(metrics, /roamcard_ussd_replies_total\{code="unknown",outcome="unknown_code"\} 1/);
      assert.match(metrics, /roamcard_ussd_replies_total\{code="#100#",outcome="unknown_number"\} 1/);
      assert.match(metrics, /http_request_duration_seconds_count\{route="\/ussd\/at",method="POST",status_code="200"\} 4/);
    } finally {
      await app.close();
    }
  });
});

describeEachDatabase('POST /ussd/at answers the USSD gateway only', (test_db) => {
  const KNOWN = '+79001234567';
  const UNKNOWN = '+79009990000';
  const GATEWAY = { USSD_GATEWAY_ALLOW: '203.0.113.0/24, 2001:db8:5::/48', USSD_GATEWAY_USERNAME: 'at-gateway', USSD_GATEWAY_PASSWORD: 'p4ss:word-0123456789' };
  let seeded: SeededContext;

  before(async () => {
    seeded = await seededContext(test_db.database);
  });

  /** A server over the seeded database configured by `environment`, its logs captured. */
  async function withServer<T>(
    environment: Record<string, string>,
    use: (app: ReturnType<typeof testServer>, logs: ReturnType<typeof captureLogs>) => Promise<T>,
  ): Promise<T> {
    const context = contextOver(loadConfig({ LOG_LEVEL: 'silent', ...environment }), test_db.database, seeded.clock, { environment: {} });
    const logs = captureLogs();
    const app = testServer(context, { logs });
    try {
      return await use(app, logs);
    } finally {
      await app.close();
    }
  }

  function balanceRequest(phoneNumber: string, remoteAddress: string, headers: Record<string, string> = {}, payload = atForm({ sessionId: 'g1', serviceCode: '#100#', phoneNumber, text: '' })) {
    return { method: 'POST' as const, url: '/ussd/at', headers: { ...FORM, ...headers }, payload, remoteAddress };
  }

  function basic(username: string, password: string): Record<string, string> {
    return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
  }

  /** A refusal as the client sees it, minus the per-request id. */
  function refusalBody(body: string): unknown {
    const { instance, ...rest } = JSON.parse(body) as Record<string, unknown>;
    assert.match(String(instance), /^urn:roamcard:request:/);
    return rest;
  }

  /** Nothing of the line in a refusal; its random request id is left out (a UUID may well contain "500"). */
  function assertTellsNothing(body: string): void {
    const told = JSON.stringify(refusalBody(body));
    for (const secret of ['END', 'CON', 'Balance', '余额', '500', '9001234567', '9009990000']) assert.ok(!told.includes(secret), `"${secret}" in ${told}`);
  }

  it('answers on loopback out of the box (the README\'s curl), IPv4 and IPv6', async () => {
    await withServer({}, async (app) => {
      for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
        const response = await app.inject(balanceRequest(KNOWN, address));
        assert.equal(response.statusCode, 200, `${address}: ${response.body}`);
        assert.match(response.body, /^END 余额：500\.00 卢布/);
      }
    });
  });

  it('refuses a client outside the allow-list with 403 before reading the body, telling nothing about the number', async () => {
    await withServer({}, async (app, logs) => {
      const known = await app.inject(balanceRequest(KNOWN, '198.51.100.23'));
      const unknown = await app.inject(balanceRequest(UNKNOWN, '198.51.100.23'));
      assert.equal(known.statusCode, 403, known.body);
      assert.match(String(known.headers['content-type']), /^application\/problem\+json/);
      assert.equal((JSON.parse(known.body) as { code: string }).code, 'ROAM_ERR_FORBIDDEN');
      assert.deepEqual(refusalBody(unknown.body), refusalBody(known.body), 'a known and an unknown number are refused alike');
      assertTellsNothing(known.body);
      // A body the route would refuse (too large, wrong type) still gets the 403: it was never read.
      const oversized = await app.inject(balanceRequest(KNOWN, '198.51.100.23', {}, 'text=' + '0'.repeat(64 * 1024)));
      assert.equal(oversized.statusCode, 403);
      const json = await app.inject(balanceRequest(KNOWN, '2001:db8:9::1', { 'content-type': 'application/json' }, '{"phoneNumber":"+79001234567"'));
      assert.equal(json.statusCode, 403);
      assert.match(String((await app.inject({ ...balanceRequest(KNOWN, '198.51.100.23'), headers: { ...FORM, 'accept-language': 'ru' } })).body), /Этот сервис не принимает запросы/);

      const refusals = logs.records().filter((record) => record.msg === 'USSD gateway request refused');
      assert.deepEqual(refusals.map((record) => [record.remote_address, record.reason]).slice(0, 3), [
        ['198.51.100.23', 'address_not_allowed'], ['198.51.100.23', 'address_not_allowed'], ['198.51.100.23', 'address_not_allowed'],
      ]);
      assert.equal(refusals[0]?.level, 40);
      assert.ok(!logs.text().includes('9001234567') && !logs.text().includes('phoneNumber'), 'neither the number nor the body is logged');
      assert.ok(!logs.records().some((record) => record.msg === 'USSD reply'), 'no USSD session was answered');
    });
  });

  it('with basic credentials configured: 401 without them or with wrong ones, the reply with the right ones', async () => {
    await withServer(GATEWAY, async (app, logs) => {
      const refused: [string, Record<string, string>][] = [
        ['no credentials', {}],
        ['a wrong password', basic('at-gateway', 'p4ss:word-0123456788')],
        ['a wrong user', basic('at-gatewax', 'p4ss:word-0123456789')],
        ['the password cut at its colon', basic('at-gateway', 'p4ss')],
        ['a bearer token', { authorization: 'Bearer p4ss:word-0123456789' }],
        ['no colon', { authorization: `Basic ${Buffer.from('at-gatewayp4ss:word').toString('base64')}` }],
        ['not base64', { authorization: 'Basic ***' }],
      ];
      let first_body: unknown;
      for (const [what, headers] of refused) {
        for (const number of [KNOWN, UNKNOWN]) {
          const response = await app.inject(balanceRequest(number, '203.0.113.9', headers));
          assert.equal(response.statusCode, 401, `${what}: ${response.body}`);
          assert.equal(response.headers['www-authenticate'], 'Basic realm="roamcard USSD gateway", charset="UTF-8"', what);
          assertTellsNothing(response.body);
          first_body ??= refusalBody(response.body);
          assert.deepEqual(refusalBody(response.body), first_body, `${what}: every 401 is the same`);
        }
      }
      for (const address of ['203.0.113.9', '2001:db8:5:1::7']) {
        const answered = await app.inject(balanceRequest(KNOWN, address, basic('at-gateway', 'p4ss:word-0123456789')));
        assert.equal(answered.statusCode, 200, `${address}: ${answered.body}`);
        assert.match(answered.body, /^END 余额：500\.00 卢布/);
      }
      // The right credentials from elsewhere — loopback included, now that the list is set — are still refused.
      for (const address of ['198.51.100.23', '127.0.0.1']) {
        assert.equal((await app.inject(balanceRequest(KNOWN, address, basic('at-gateway', 'p4ss:word-0123456789')))).statusCode, 403, address);
      }
      const reasons = new Set(logs.records().filter((record) => record.msg === 'USSD gateway request refused').map((record) => record.reason));
      assert.deepEqual([...reasons].sort(), ['address_not_allowed', 'credentials_missing', 'credentials_wrong']);
      assert.ok(!logs.text().includes('p4ss'), 'credentials never reach the log');
    });
  });
});

