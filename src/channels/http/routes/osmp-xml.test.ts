import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeXml, osmpResponse, renderOsmpXml } from './osmp-xml.js';
import { bareAnswer, partnerMessage } from './partner-answers.js';

/**
 * The OSMP answer as a till's parser meets it: the exact document, what it echoes, and every
 * answer's result code — result 1 (temporary) included, which the route tests reach by breaking
 * the database under a pay; here it is the renderer's own case.
 */

const LIMITS = { sum_min_minor: 10_000, sum_max_minor: 1_500_000 };

describe('the OSMP answer', () => {
  it('is exactly the protocol\'s document, prv_txn included when there is one', () => {
    const paid = osmpResponse(
      { outcome: 'ok', prv_txn: 'ptx_0123456789abcdef0123456789abcdef', sum_minor: 1045 }, { txn_id: '1234567', sum: '10.45' }, 'Оплачено',
    );
    assert.equal(renderOsmpXml(paid), [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<response>',
      '  <osmp_txn_id>1234567</osmp_txn_id>',
      '  <prv_txn>ptx_0123456789abcdef0123456789abcdef</prv_txn>',
      '  <sum>10.45</sum>',
      '  <result>0</result>',
      '  <comment>Оплачено</comment>',
      '</response>',
    ].join('\n'));
    const checked = renderOsmpXml(osmpResponse({ outcome: 'ok', prv_txn: null, sum_minor: 69_000 }, { txn_id: '7', sum: '690' }, 'OK'));
    assert.doesNotMatch(checked, /prv_txn/);
    assert.match(checked, /<sum>690\.00<\/sum>/, 'the sum as we read it, with two decimals');
  });

  it('answers result 1 for a temporary error, and echoes the sum it could not read', () => {
    const temporary = bareAnswer('temporary');
    const response = osmpResponse(temporary, { txn_id: '99', sum: '250.00' }, partnerMessage(temporary, LIMITS, 'ru'));
    assert.equal(response.result, 1);
    assert.equal(response.sum, '250.00');
    assert.match(renderOsmpXml(response), /<result>1<\/result>\n {2}<comment>Временная ошибка: повторите запрос с тем же txn_id позже\.<\/comment>/);
    assert.equal(osmpResponse(temporary, {}, '').osmp_txn_id, '', 'no txn_id sent: an empty element');
  });

  it('gives each answer its protocol code', () => {
    const codes = {
      account_format: 4, account_not_found: 5, partner_disabled: 7, account_not_active: 79, sum_too_small: 241, sum_too_large: 242,
      sum_format: 300, txn_id_format: 300, txn_date_format: 300, txn_conflict: 300, command_unknown: 300, temporary: 1, account_payable: 0,
    } as const;
    for (const [reason, code] of Object.entries(codes)) {
      assert.equal(osmpResponse(bareAnswer(reason as keyof typeof codes), {}, '').result, code, reason);
    }
  });

  it('escapes everything echoed, and replaces what XML cannot carry', () => {
    const hostile = renderOsmpXml(osmpResponse(bareAnswer('command_unknown'), { txn_id: '</osmp_txn_id><result>0', sum: '"1" & \'2\'' }, 'a < b'));
    assert.match(hostile, /<osmp_txn_id>&lt;\/osmp_txn_id&gt;&lt;result&gt;0<\/osmp_txn_id>/);
    assert.match(hostile, /<sum>&quot;1&quot; &amp; &apos;2&apos;<\/sum>/);
    assert.match(hostile, /<comment>a &lt; b<\/comment>/);
    assert.equal(hostile.match(/<result>/g)?.length, 1);
    assert.equal(escapeXml('a\u0000b\u001Bc\uFFFEd\uD800e\tf\ng😀'), 'a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\tf\ng😀');
  });

  it('names the pack and the limits in the comment, in the language asked for', () => {
    const names = { ru: 'Интернет 5 ГБ на 7 дней', en: '5 GB for 7 days', 'zh-Hans': '5GB 7天', 'zh-Hant': '5GB 7天' };
    const pack = { reason: 'paid_pack', sum_minor: 69_000, purchase: { kind: 'pack', package_code: 'data-5gb-7d', names } } as const;
    assert.equal(partnerMessage(pack, LIMITS, 'ru'), 'Оплачено: пакет Интернет 5 ГБ на 7 дней подключён.');
    assert.equal(partnerMessage(pack, LIMITS, 'en'), 'Paid: the pack 5 GB for 7 days is active.');
    assert.equal(partnerMessage({ reason: 'sum_too_small', sum_minor: null, purchase: null }, LIMITS, 'ru'), 'Сумма меньше минимальной (100,00 ₽).');
    assert.equal(partnerMessage({ reason: 'sum_too_large', sum_minor: null, purchase: null }, LIMITS, 'en'), 'The sum is above the maximum of 15,000.00 RUB.');
  });
});
