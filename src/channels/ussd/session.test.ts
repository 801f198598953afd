import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoamError } from '../../core/errors.js';
import type { LineOverview } from '../../services/lines/overview.js';
import { DEMO_DATA_PACK, overviewFixture } from './overview-fixtures.js';
import { answerUssd, USSD_INPUTS_MAX, type UssdSessionDependencies } from './session.js';
import { NO_RENEWAL } from './menu-fixtures.js';
import { toAfricasTalkingReply } from './transports/africas-talking/africas-talking.js';

/** Session dependencies over a fixed overview (or a fixed failure): the session layer, no database. */
function dependencies(found: LineOverview | Error | 'hang', failures: unknown[] = []): UssdSessionDependencies {
  return {
    renewal: NO_RENEWAL,
    lineOverview: async () => {
      if (found === 'hang') return new Promise<never>(() => undefined);
      if (found instanceof Error) throw found;
      return found;
    },
    default_language: 'en',
    default_time_zone: 'Europe/Moscow',
    deadline_ms: 50,
    onFailure: (error) => failures.push(error),
  };
}

const chinese = overviewFixture({ wallet_balance_minor: 50_000, packs: [DEMO_DATA_PACK], language: 'zh-Hans', time_zone: 'Asia/Vladivostok' });
const manyPacks = overviewFixture({
  language: 'ru',
  packs: Array.from({ length: 6 }, (_, index) => ({ kind: 'data' as const, names: { ru: `Интернет ${index + 1} ГБ на ${index + 1} дней` }, data_mb: 1024, validity_hours: 24 * (index + 1) })),
});

describe('USSD session layer', () => {
  it('answers in the line\'s language and time zone by default, and in an explicit language when asked', async () => {
    const first = await answerUssd(dependencies(chinese), { msisdn: '+79001234567', service_code: '*100#', text: '' });
    assert.equal(first.text, '余额：500.00 卢布\n流量剩余4.3 GB，至12月3日 19:00');
    assert.deepEqual({ continues: first.continues, outcome: first.outcome, code: first.code, language: first.language }, { continues: false, outcome: 'ok', code: '#100#', language: 'zh-Hans' });
    const english = await answerUssd(dependencies(chinese), { msisdn: '+79001234567', service_code: '#101#', text: '', language: 'en' });
    assert.equal(english.text, 'Your packs (1):\n1) 5 GB data, 7 days: 4.3 GB left, until 3 Dec 19:00');
  });

  it('navigates forward with 99 and back with 0, replaying every input of the session', async () => {
    const deps = dependencies(manyPacks);
    const pages: string[] = [];
    const expected_pages = [0, 1, 2, 1, 0];
    for (const [index, text] of ['', '99', '99*99', '99*99*0', '99*99*0*0', '99*99*99*99*99*99*99*99'].entries()) {
      const shown = await answerUssd(deps, { msisdn: '+79001234569', service_code: '#101#', text });
      assert.equal(shown.continues, true, 'a paged reply keeps the session open on every page');
      pages.push(shown.text);
      if (index < expected_pages.length) assert.equal(shown.page, expected_pages[index]);
      else assert.equal(shown.page, shown.page_count - 1);
    }
    const [first, second, third, backOnce, backTwice, last] = pages;
    assert.ok(first?.startsWith('Ваши пакеты (6):') && first.endsWith('99 Далее'));
    assert.ok(second?.includes('0 Назад') && second !== first);
    assert.ok(third !== second);
    assert.equal(backOnce, second);
    assert.equal(backTwice, first);
    assert.ok(last?.includes('6) Интернет 6 ГБ') && !last.includes('99 Далее'), 'forward stops at the last page');
  });

  it('shows the same page of a text reply again for an answer that is neither 99 nor 0', async () => {
    const deps = dependencies(manyPacks);
    const second = await answerUssd(deps, { msisdn: '+79001234569', service_code: '#101#', text: '99' });
    const again = await answerUssd(deps, { msisdn: '+79001234569', service_code: '#101#', text: '99*7' });
    assert.equal(again.text, second.text);
  });

  it('tells an unknown number so, in the explicit or default language', async () => {
    const unknown = await answerUssd(dependencies(new RoamError('ROAM_ERR_LINE_NOT_FOUND')), { msisdn: '+79009999999', service_code: '#100#', text: '' });
    assert.deepEqual([unknown.outcome, unknown.text, unknown.continues], ['unknown_number', 'This number is not served by roamcard. Please check the SIM.', false]);
    const russian = await answerUssd(dependencies(new RoamError('ROAM_ERR_MSISDN_INVALID')), { msisdn: 'abc', service_code: '#100#', text: '', language: 'ru' });
    assert.equal(russian.text, 'Номер не обслуживается roamcard. Проверьте SIM-карту.');
  });

  it('answers an unknown code in the line\'s language', async () => {
    const shown = await answerUssd(dependencies(chinese), { msisdn: '+79001234567', service_code: '*555#', text: '' });
    assert.deepEqual([shown.outcome, shown.code, shown.text], ['unknown_code', 'unknown', '未知代码*555#。余额请拨#100#，套餐请拨#101#，续费请拨#102#。']);
  });

  it('answers an inactive line with "not active"', async () => {
    const closed = overviewFixture({ language: 'zh-Hant', status: 'closed' });
    const shown = await answerUssd(dependencies(closed), { msisdn: '+79001234567', service_code: '#100#', text: '' });
    assert.deepEqual([shown.outcome, shown.text], ['line_not_active', '此號碼未啟用，請聯絡營業廳。']);
  });

  it('turns a database failure into "temporarily unavailable" and reports the error', async () => {
    const failures: unknown[] = [];
    const failure = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    const shown = await answerUssd(dependencies(failure, failures), { msisdn: '+79001234567', service_code: '#100#', text: '' });
    assert.deepEqual([shown.outcome, shown.text, shown.continues], ['unavailable', 'Service temporarily unavailable. Please try again in a minute.', false]);
    assert.deepEqual(failures, [failure]);
    assert.ok(!shown.text.includes('ECONNREFUSED'));
  });

  it('answers within its deadline when the database hangs', async () => {
    const failures: unknown[] = [];
    const started_ms = performance.now();
    const shown = await answerUssd(dependencies('hang', failures), { msisdn: '+79001234567', service_code: '#100#', text: '' });
    assert.equal(shown.outcome, 'unavailable');
    assert.ok(performance.now() - started_ms < 5_000, 'well before any test timeout');
    assert.match(String(failures[0]), /deadline of 50 ms/);
  });

  it('refuses a request without number or code, or with more inputs than a person types', async () => {
    const deps = dependencies(chinese);
    for (const request of [
      { msisdn: '', service_code: '#100#', text: '' },
      { msisdn: '+79001234567', service_code: ' ', text: '' },
      { msisdn: '+79001234567', service_code: '#100#', text: Array.from({ length: USSD_INPUTS_MAX + 1 }, () => '99').join('*') },
    ]) {
      const shown = await answerUssd(deps, request);
      assert.deepEqual([shown.outcome, shown.continues, shown.language], ['invalid_request', false, 'en']);
    }
  });

  it('prefixes CON while the session continues and END on a final screen (Africa\'s Talking)', () => {
    assert.equal(toAfricasTalkingReply({ text: 'a\nb', continues: true }), 'CON a\nb');
    assert.equal(toAfricasTalkingReply({ text: 'done', continues: false }), 'END done');
  });
});
