import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../../../config-error.js';
import { ManualClock } from '../../../ports/clock.js';
import { FISCAL_AMOUNT_MINOR_MAX, PAYMENT_OBJECT, type FiscalRequest, type FiscalResult } from '../../../ports/fiscal-register.js';
import { closedPortUrl, RETRIES_WITHOUT_WAITING } from '../../payments/kit/provider-testing.js';
import { saleRequest, TEST_COMPANY, TEST_TIME_MS } from '../kit/register-testing.js';
import { atolConfigFromEnv, ATOL_BASE_URL_DEFAULT } from './atol-config.js';
import { atolConfigFor } from './atol-contract-driver.js';
import { AtolFake, FAKE_ECR_REGISTRATION_NUMBER, FAKE_FN_NUMBER, type AtolAnswerChoice } from './atol-fake-server.js';
import { AtolRegister, type AtolRegisterOptions } from './atol-register.js';
import {
  atolTimestamp, instantFromAtol, isDuplicate, isTokenRefusal, minorFromRoubles, roublesFromMinor,
  TOKEN_LIFETIME_MS, TOKEN_REFRESH_EARLY_MS,
} from './atol-wire.js';

/**
 * What is ATOL's own: its wire format (roubles, Moscow timestamps, payment type numbers, agents,
 * corrections), its token, the ways it answers a repeated external_id, and which of its answers are
 * final or retryable. What every register must do is the contract's (kit/register-contract.ts).
 */

type Failed = Extract<FiscalResult, { status: 'failed' }>;

function failed(result: FiscalResult): Failed {
  assert.equal(result.status, 'failed', JSON.stringify(result));
  assert.ok(result.status === 'failed');
  return result;
}

function uuidOf(result: FiscalResult): string {
  assert.ok(result.status !== 'failed', JSON.stringify(result));
  return result.uuid;
}

describe('ATOL Online adapter against the local fake', () => {
  let fake: AtolFake;
  let atol: AtolRegister;

  function registerWith(environment: Record<string, string> = {}, options: AtolRegisterOptions = {}): AtolRegister {
    return new AtolRegister(atolConfigFor(fake, environment), { retries: RETRIES_WITHOUT_WAITING, ...options });
  }

  /** The bodies POSTed under `external_id`, as they came. */
  function postsOf(external_id: string): string[] {
    return fake.requests.filter((request) => request.method === 'POST' && request.text.includes(`"external_id":"${external_id}"`)).map((request) => request.text);
  }

  /** The `receipt` of the first body POSTed under `external_id`. */
  function receiptPosted(external_id: string): { client: unknown; payments: unknown; items: Record<string, unknown>[] } {
    const [body] = postsOf(external_id);
    assert.ok(body, `nothing POSTed under ${external_id}`);
    return (JSON.parse(body) as { receipt: ReturnType<typeof receiptPosted> }).receipt;
  }

  before(async () => {
    fake = await AtolFake.start();
    atol = registerWith();
  });
  after(async () => {
    await fake.close();
  });

  describe('the wire format', () => {
    it('POSTs a sale to v5/{group}/sell: Moscow timestamp, roubles, payment type 1, the Token header', async () => {
      const request = saleRequest(19_000);
      const result = await atol.register(request);
      assert.equal(result.status, 'pending');
      const post = fake.requests.find((recorded) => recorded.path === `/possystem/v5/${fake.group_code}/sell` && recorded.text.includes(request.external_id));
      assert.ok(post?.token, 'the Token header');
      assert.deepEqual(JSON.parse(post.text), {
        external_id: request.external_id,
        timestamp: '15.01.2026 14:23:45',
        receipt: {
          client: { email: 'traveller@example.com' },
          company: { email: TEST_COMPANY.email, sno: 'osn', inn: TEST_COMPANY.inn, payment_address: TEST_COMPANY.payment_address },
          items: [{
            name: request.items[0]!.name, price: 190, quantity: 1, sum: 190, measure: 0,
            payment_method: 'full_payment', payment_object: 4, vat: { type: 'vat22' },
          }],
          payments: [{ type: 1, sum: 190 }],
          total: 190,
        },
      });
    });

    it('writes amounts in roubles exactly: 190.00, 0.01, 14 999.99', async () => {
      for (const [total_minor, text] of [[19_000, '190'], [1, '0.01'], [1_499_999, '14999.99']] as const) {
        const request = saleRequest(total_minor);
        uuidOf(await atol.register(request));
        const [body] = postsOf(request.external_id);
        assert.ok(body?.includes(`"price":${text},`) && body.includes(`"total":${text}}`), body);
        assert.equal(fake.documentFor(request.external_id)?.status, 'wait', 'ATOL took the amounts');
      }
    });

    it('pays cash as 0 and an advance paid earlier as 2; a top-up is an advance for a payment, at 22/122', async () => {
      const request = saleRequest(50_000, {
        items: [{ name: 'Пополнение баланса +7900***4567', price_minor: 50_000, quantity: 1, sum_minor: 50_000, measure: 0, payment_method: 'advance', payment_object: PAYMENT_OBJECT.payment, vat: 'vat122' }],
        payments: [{ type: 'cash', sum_minor: 30_000 }, { type: 'prepaid', sum_minor: 20_000 }],
      });
      uuidOf(await atol.register(request));
      const receipt = receiptPosted(request.external_id);
      assert.deepEqual(receipt.payments, [{ type: 0, sum: 300 }, { type: 2, sum: 200 }]);
      const [item] = receipt.items;
      assert.deepEqual([item?.payment_method, item?.payment_object, item?.vat], ['advance', 10, { type: 'vat122' }]);
    });

    it('names the supplier of an agent\'s sale; sends the receipt to the company when the customer left no contact', async () => {
      const sale = saleRequest();
      const request: FiscalRequest = {
        ...sale,
        client: {},
        items: [{ ...sale.items[0]!, agent: { type: 'payment_agent', supplier: { name: 'ООО «Оператор»', inn: '7707083893', phones: ['+74951234567'] }, paying_agent: { operation: 'Приём платежа', phones: ['+74957654321'] } } }],
      };
      uuidOf(await atol.register(request));
      const receipt = receiptPosted(request.external_id);
      assert.deepEqual(receipt.client, { email: TEST_COMPANY.email });
      assert.deepEqual(receipt.items[0]?.agent_info, { type: 'paying_agent', paying_agent: { operation: 'Приём платежа', phones: ['+74957654321'] } });
      assert.deepEqual(receipt.items[0]?.supplier_info, { name: 'ООО «Оператор»', inn: '7707083893', phones: ['+74951234567'] });
    });

    it('sends a correction as "correction" with its base: the corrected day, the tax office\'s order', async () => {
      const request = saleRequest(19_000, {
        operation: 'sell_correction',
        correction: { type: 'instruction', base_document: { date_ms: Date.UTC(2026, 0, 13, 22, 30), number: '12-34/567' }, reason: 'not registered on the day' },
      });
      uuidOf(await atol.register(request));
      const post = fake.requests.find((recorded) => recorded.path.endsWith('/sell_correction') && recorded.text.includes(request.external_id));
      const body = JSON.parse(post!.text) as { receipt?: unknown; correction: { correction_info: unknown; total: number } };
      assert.equal(body.receipt, undefined);
      // 22:30 UTC on the 13th is the 14th in Moscow.
      assert.deepEqual(body.correction.correction_info, { type: 'instruction', base_date: '14.01.2026', base_number: '12-34/567' });
      assert.equal(body.correction.total, 190);
    });

    it('converts amounts and times exactly, and refuses what is not one', () => {
      assert.deepEqual([19_000, 1, 1_499_999, FISCAL_AMOUNT_MINOR_MAX].map(roublesFromMinor), [190, 0.01, 14_999.99, 100_000_000]);
      assert.deepEqual([190, 0.01, 14_999.99, 0.1].map(minorFromRoubles), [19_000, 1, 1_499_999, 10]);
      assert.deepEqual([0.001, -1, 1e21, Number.NaN].map(minorFromRoubles), [undefined, undefined, undefined, undefined]);
      assert.throws(() => roublesFromMinor(FISCAL_AMOUNT_MINOR_MAX + 1), RangeError);
      assert.equal(atolTimestamp(TEST_TIME_MS), '15.01.2026 14:23:45');
      assert.equal(instantFromAtol('15.01.2026 14:23:45'), TEST_TIME_MS);
      assert.equal(instantFromAtol('15.01.2026 14:23'), TEST_TIME_MS - 45_000);
      assert.deepEqual(['31.02.2026 10:00:00', '2026-01-15 14:23:45', '15.13.2026 10:00:00'].map(instantFromAtol), [undefined, undefined, undefined]);
    });
  });

  describe('the token', () => {
    it('is fetched once for many calls, at once or one after another', async () => {
      const clock = new ManualClock(TEST_TIME_MS);
      const fresh = registerWith({}, { clock });
      const tokens_before = fake.token_count;
      await Promise.all(Array.from({ length: 5 }, () => fresh.register(saleRequest())));
      for (let call = 0; call < 3; call += 1) uuidOf(await fresh.register(saleRequest()));
      assert.equal(fake.token_count, tokens_before + 1);
      const posts = fake.requests.filter((request) => request.path.endsWith('/sell')).slice(-8);
      assert.equal(new Set(posts.map((request) => request.token)).size, 1, 'every call carried the one token');
    });

    it('is replaced shortly before its 24 hours are up', async () => {
      const clock = new ManualClock(TEST_TIME_MS);
      const fresh = registerWith({}, { clock });
      const tokens_before = fake.token_count;
      uuidOf(await fresh.register(saleRequest()));
      clock.advance(TOKEN_LIFETIME_MS - TOKEN_REFRESH_EARLY_MS - 1);
      uuidOf(await fresh.register(saleRequest()));
      assert.equal(fake.token_count, tokens_before + 1);
      clock.advance(1);
      uuidOf(await fresh.register(saleRequest()));
      assert.equal(fake.token_count, tokens_before + 2);
    });

    it('refused (expired): a new one is fetched and the call made again, once — one document', async () => {
      uuidOf(await atol.register(saleRequest()));
      fake.expireTokens();
      const tokens_before = fake.token_count;
      const request = saleRequest();
      const result = await atol.register(request);
      assert.equal(result.status, 'pending', JSON.stringify(result));
      assert.equal(fake.token_count, tokens_before + 1);
      assert.equal(postsOf(request.external_id).length, 2, 'refused with the old token, taken with the new');
      assert.ok(fake.documentFor(request.external_id));
    });

    it('reads ATOL\'s v5 service codes: 10 and 11 are the token (renewed), 33 an external_id it holds (never a token)', () => {
      const error = (code: string, text: string) => ({ code, text, type: 'system' as const });
      // Over HTTP 400, where the status says nothing: the code alone decides.
      assert.equal(isTokenRefusal(400, error('10', 'Токен не передан')), true);
      assert.equal(isTokenRefusal(400, error('11', 'Срок действия токена истёк')), true);
      assert.equal(isDuplicate(error('10', 'Токен не передан')), false, 'a request without a token is no duplicate');
      assert.equal(isDuplicate(error('33', 'В системе существует чек с external_id : x и group_code: g')), true);
      assert.equal(isTokenRefusal(400, error('33', 'В системе существует чек с external_id : x и group_code: g')), false);
      for (const code of ['12', '20', '32', '34']) assert.equal(isTokenRefusal(400, { code, text: 'Ошибка', type: 'agent' }), false, code);
    });

    it('refused again just after it was issued: retryable, no loop, nothing made', async () => {
      fake.expireTokens();
      fake.refuseNextTokens(1);
      const tokens_before = fake.token_count;
      const request = saleRequest();
      const result = failed(await atol.register(request));
      assert.deepEqual([result.kind, result.error.code], ['retryable', '11']);
      assert.match(result.error.text, /refused a token just issued/);
      assert.equal(fake.token_count, tokens_before + 1, 'one new token, not one per attempt');
      assert.equal(fake.documentFor(request.external_id), undefined);
      assert.equal((await atol.register(request)).status, 'pending', 'the next call gets a good token');
    });

    it('wrong credentials: retryable (fix the configuration), the register\'s words, and no password or token anywhere', async () => {
      const wrong = registerWith({ ATOL_PASSWORD: 'not-the-password' });
      const result = failed(await wrong.register(saleRequest()));
      assert.deepEqual([result.kind, result.error.code, result.error.type], ['retryable', '12', 'system']);
      assert.match(result.error.text, /getToken: Неверный логин или пароль/);
      const issued = fake.requests.filter((request) => request.token !== undefined).map((request) => request.token!);
      for (const secret of ['not-the-password', fake.password, ...issued]) assert.ok(!JSON.stringify(result).includes(secret));
      const config = atolConfigFor(fake);
      assert.equal(config.password, fake.password);
      assert.ok(!JSON.stringify(config).includes(fake.password) && !Object.keys(config).includes('password'), 'the password is not enumerable');
    });
  });

  describe('a repeated external_id', () => {
    for (const [answer, how] of [['error_with_uuid', 'an error naming the first document'], ['first_uuid', 'the first document as if new']] as const) {
      it(`answered with ${how}: the first document, reported`, async () => {
        const request = saleRequest();
        const count_before = fake.document_count;
        const first = uuidOf(await atol.register(request));
        fake.print(first);
        fake.duplicate_answer = answer;
        try {
          const again = await atol.register(request);
          assert.equal(uuidOf(again), first);
          if (answer === 'error_with_uuid') assert.equal(again.status, 'registered', 'reported at once');
          assert.equal(fake.document_count, count_before + 1);
        } finally {
          fake.duplicate_answer = 'error_with_uuid';
        }
      });
    }

    it('answered with an error that names no document: final, and says where to look', async () => {
      const request = saleRequest();
      uuidOf(await atol.register(request));
      fake.duplicate_answer = 'error_without_uuid';
      try {
        const result = failed(await atol.register(request));
        assert.deepEqual([result.kind, result.error.code], ['final', '33']);
        assert.match(result.error.text, /external_id : RC-TEST-.*ATOL Online account/);
      } finally {
        fake.duplicate_answer = 'error_with_uuid';
      }
    });
  });

  describe('failures', () => {
    it('ATOL\'s validation refuses the data: final, with its text, nothing made', async () => {
      const request = saleRequest(19_000, { company: { ...TEST_COMPANY, inn: '7707083893' } });
      const result = failed(await atol.register(request));
      assert.deepEqual([result.kind, result.error.code, result.error.type], ['final', '32', 'agent']);
      assert.match(result.error.text, /ИНН организации 7707083893 не совпадает/);
      assert.equal(fake.documentFor(request.external_id), undefined);
    });

    it('500s on every attempt: retryable, the attempts bounded; a 500 after the work was done finds the one document', async () => {
      const bounded = registerWith({}, { retries: { ...RETRIES_WITHOUT_WAITING, attempts_max: 3 } });
      uuidOf(await bounded.register(saleRequest()));
      const requests_before = fake.requests.length;
      fake.failNext(3, 500, { kind: 'register' });
      const down = saleRequest();
      assert.equal(failed(await bounded.register(down)).kind, 'retryable');
      assert.equal(fake.requests.length - requests_before, 3);
      assert.equal(fake.documentFor(down.external_id), undefined);

      const after_work = saleRequest();
      fake.failNext(1, 500, { kind: 'register', after_processing: true });
      const result = await bounded.register(after_work);
      assert.equal(uuidOf(result), fake.documentFor(after_work.external_id)?.uuid);
      assert.equal(postsOf(after_work.external_id).length, 2);
    });

    it('no answer in time: retryable ("timeout"); the document was made, and asking again finds it, never a second', async () => {
      const impatient = registerWith({ ATOL_TIMEOUT_MS: '500' }, { retries: { ...RETRIES_WITHOUT_WAITING, attempts_max: 1 } });
      uuidOf(await impatient.register(saleRequest()));
      const request = saleRequest();
      const count_before = fake.document_count;
      fake.delayNext(1, 1_500, { kind: 'register' });
      const result = failed(await impatient.register(request));
      assert.deepEqual([result.kind, result.error.code, result.error.type], ['retryable', 'timeout', 'transport']);
      const made = fake.documentFor(request.external_id);
      assert.ok(made, 'ATOL did the work before its answer was lost');
      assert.equal(uuidOf(await atol.register(request)), made.uuid);
      assert.equal(fake.document_count, count_before + 1);
    });

    it('a dropped connection or none at all: retryable', async () => {
      fake.failNext(4, 'drop', { kind: 'register' });
      assert.equal(failed(await atol.register(saleRequest())).kind, 'retryable');
      const nowhere = new AtolRegister(atolConfigFromEnv({ ATOL_LOGIN: 'x', ATOL_PASSWORD: 'y', ATOL_GROUP_CODE: 'g', ATOL_BASE_URL: await closedPortUrl() })!, { retries: RETRIES_WITHOUT_WAITING });
      const refused = failed(await nowhere.register(saleRequest()));
      assert.deepEqual([refused.kind, refused.error.code, refused.error.type], ['retryable', 'ECONNREFUSED', 'transport']);
    });

    it('the fake\'s standing answer plan (a soak\'s): answers failed, dropped or held back; what became of each is recorded', async () => {
      const impatient = registerWith({ ATOL_TIMEOUT_MS: '500' }, { retries: { ...RETRIES_WITHOUT_WAITING, attempts_max: 3 } });
      uuidOf(await impatient.register(saleRequest()));
      const choices: AtolAnswerChoice[] = [{ fault: 500, after_processing: true }, { fault: 'drop' }, { delay_ms: 1_500 }];
      fake.answer_plan = (kind) => (kind === 'register' ? choices.shift() : undefined);
      try {
        const request = saleRequest();
        const result = failed(await impatient.register(request));
        assert.deepEqual([result.kind, result.error.code], ['retryable', 'timeout']);
        // The held-back answer's client gave up: its connection closes on the fake's side a moment later.
        while (fake.unanswered('register') > 0) await sleep(10);
        const made = fake.documentFor(request.external_id);
        assert.ok(made, 'the first attempt did the work before its 500');
        assert.equal(uuidOf(await impatient.register(request)), made.uuid);
        const posts = fake.requests.filter((recorded) => recorded.kind === 'register' && recorded.text.includes(request.external_id));
        assert.deepEqual(posts.map((recorded) => [recorded.answer, recorded.held_back_ms]), [['failed', 0], ['dropped', 0], ['cut', 1_500], ['answered', 0]]);
        assert.equal(fake.documents.filter((document) => document.external_id === request.external_id).length, 1);
      } finally {
        fake.answer_plan = undefined;
      }
    });
  });

  describe('reports', () => {
    it('"wait", then "done": the payload mapped to the attributes exactly', async () => {
      const request = saleRequest(1_499_999);
      const uuid = uuidOf(await atol.register(request));
      assert.deepEqual(await atol.report(uuid), { status: 'pending', uuid });
      fake.print(uuid, {
        fiscal_receipt_number: 3, shift_number: 12, receipt_datetime: '15.01.2026 14:23:07', total: 14_999.99,
        fiscal_document_number: 12_345, fiscal_document_attribute: 2_729_614_457,
        fns_site: 'www.nalog.gov.ru', ofd_inn: '7704211201', ofd_receipt_url: 'https://consumer.1-ofd.ru/v1?fn=7380440700076549&fd=12345',
      });
      assert.deepEqual(await atol.report(uuid), {
        status: 'registered',
        uuid,
        is_test: false,
        attributes: {
          fn_number: FAKE_FN_NUMBER,
          fiscal_document_number: 12_345,
          fiscal_document_attribute: 2_729_614_457,
          ecr_registration_number: FAKE_ECR_REGISTRATION_NUMBER,
          shift_number: 12,
          fiscal_receipt_number: 3,
          receipt_datetime_ms: Date.UTC(2026, 0, 15, 11, 23, 7),
          total_minor: 1_499_999,
          ofd_receipt_url: 'https://consumer.1-ofd.ru/v1?fn=7380440700076549&fd=12345',
          fns_site: 'www.nalog.gov.ru',
          ofd_inn: '7704211201',
        },
      });
    });

    it('"fail": final, with the register\'s error and the document\'s uuid', async () => {
      const uuid = uuidOf(await atol.register(saleRequest()));
      fake.fail(uuid, { code: 231, text: 'Ошибка ФН: превышено время ожидания ответа', type: 'driver' });
      const result = failed(await atol.report(uuid));
      assert.deepEqual([result.kind, result.uuid, result.error.code, result.error.type], ['final', uuid, '231', 'driver']);
      assert.match(result.error.text, /Ошибка ФН/);
    });

    it('a done payload it cannot read: retryable, saying what is wrong', async () => {
      const uuid = uuidOf(await atol.register(saleRequest()));
      fake.print(uuid, { receipt_datetime: '2026-01-15T14:23:07' });
      const result = failed(await atol.report(uuid));
      assert.deepEqual([result.kind, result.error.code], ['retryable', 'unreadable_answer']);
      assert.match(result.error.text, /receipt_datetime/);
    });

    it('marks documents of ATOL\'s test host as test documents', () => {
      const base = { ATOL_LOGIN: 'v5-online-atol-ru', ATOL_PASSWORD: 'secret', ATOL_GROUP_CODE: 'v5-online-atol-ru_5179' };
      assert.equal(atolConfigFromEnv({ ...base, ATOL_BASE_URL: 'https://testonline.atol.ru/possystem/' })?.test_environment, true);
      assert.equal(atolConfigFromEnv(base)?.test_environment, false);
      assert.equal(atolConfigFromEnv(base)?.base_url, ATOL_BASE_URL_DEFAULT);
    });
  });
});

describe('ATOL settings from the environment', () => {
  function problemsOf(environment: Record<string, string>): readonly string[] {
    try {
      atolConfigFromEnv(environment);
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.problems;
    }
    return assert.fail('expected a ConfigError');
  }

  it('off while no credential is set; all three needed once one is; bad values named, the password never shown', () => {
    assert.equal(atolConfigFromEnv({ ATOL_BASE_URL: 'https://testonline.atol.ru/possystem/' }), undefined);
    assert.deepEqual(problemsOf({ ATOL_LOGIN: 'v5-online-atol-ru' }).map((problem) => problem.split(':')[0]), ['ATOL_PASSWORD', 'ATOL_GROUP_CODE']);
    const problems = problemsOf({ ATOL_LOGIN: 'has space', ATOL_PASSWORD: 'pass-in-clear', ATOL_GROUP_CODE: 'group/1', ATOL_BASE_URL: 'http://online.atol.ru/possystem/', ATOL_TIMEOUT_MS: 'soon' });
    assert.deepEqual(problems.map((problem) => problem.split(':')[0]), ['ATOL_LOGIN', 'ATOL_GROUP_CODE', 'ATOL_BASE_URL', 'ATOL_TIMEOUT_MS']);
    assert.ok(!problems.join(' ').includes('pass-in-clear'));
    assert.equal(atolConfigFromEnv({ ATOL_LOGIN: 'l', ATOL_PASSWORD: 'p', ATOL_GROUP_CODE: 'g', ATOL_BASE_URL: 'https://online.atol.ru/possystem' })?.base_url, ATOL_BASE_URL_DEFAULT);
  });
});
