import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CATALOGUE, RoamError, type ErrorCode } from '../errors.js';
import { describeAnyError, describeError, formatData, formatMoney, formatShortDateTime, formatVoice } from './format.js';
import { LANGUAGES, normalizeLanguage } from './languages.js';
import { MESSAGES } from './messages.js';

describe('localized formatting', () => {
  it('formats money per language with plain spaces', () => {
    assert.equal(formatMoney(50_000, 'en'), '500.00 RUB');
    assert.equal(formatMoney(50_000, 'ru'), '500,00 ₽');
    assert.equal(formatMoney(125_050, 'ru'), '1 250,50 ₽');
    assert.equal(formatMoney(50_000, 'zh-Hans'), '500.00 卢布');
    assert.equal(formatMoney(50_000, 'zh-Hant'), '500.00 盧布');
  });

  it('formats data and minutes as people read them', () => {
    assert.equal(formatData(4_634_705_920, 'en'), '4.3 GB');
    assert.equal(formatData(4_634_705_920, 'ru'), '4,3 ГБ');
    assert.equal(formatData(500 * 1_048_576, 'en'), '500 MB');
    assert.equal(formatVoice(4_740, 'en'), '79 min');
    assert.equal(formatVoice(4_740, 'zh-Hans'), '79分钟');
    assert.equal(formatVoice(30, 'en'), '<1 min');
  });

  it('shows times in the customer\'s zone', () => {
    const at_ms = Date.UTC(2026, 10, 25, 21, 50);
    assert.equal(formatShortDateTime(at_ms, 'ru', 'Europe/Moscow'), '26.11 00:50');
    assert.equal(formatShortDateTime(at_ms, 'en', 'Europe/Moscow'), '26 Nov 00:50');
    assert.equal(formatShortDateTime(at_ms, 'zh-Hans', 'Asia/Vladivostok'), '11月26日 07:50');
  });

  it('has a message for every error code in every language, naming the field problem', () => {
    for (const language of LANGUAGES) {
      for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
        const text = MESSAGES[language].errors[code]({});
        assert.ok(text.length > 0, `${language} ${code}`);
      }
    }
    const luhn = new RoamError('ROAM_ERR_ICCID_INVALID', { field: 'iccid', reason: 'luhn' });
    assert.match(describeError(luhn, 'en'), /check digit/);
    assert.match(describeError(luhn, 'ru'), /контрольную цифру/);
    assert.match(describeError(luhn, 'zh-Hans'), /校验位/);
    assert.match(describeError(luhn, 'zh-Hant'), /檢查碼/);
  });

  it('has every field problem (the reasons of rejected rows) in every language', () => {
    const keys = (language: (typeof LANGUAGES)[number]) => Object.keys(MESSAGES[language].field_problems).sort();
    for (const language of LANGUAGES) assert.deepEqual(keys(language), keys('en'), language);
    const unknown = new RoamError('ROAM_ERR_VALIDATION', { field: 'reference', reason: 'unknown_reference' });
    assert.equal(describeError(unknown, 'en'), 'reference matches no bank transfer.');
    assert.equal(describeError(unknown, 'ru'), 'reference: не совпадает ни с одним банковским переводом.');
  });

  it('never shows internal error text to people', () => {
    assert.equal(describeAnyError(new Error('relation "lines" does not exist'), 'en'), MESSAGES.en.errors.ROAM_ERR_INTERNAL({}));
  });

  it('maps language tags onto our four languages', () => {
    assert.equal(normalizeLanguage('zh-CN'), 'zh-Hans');
    assert.equal(normalizeLanguage('zh_TW'), 'zh-Hant');
    assert.equal(normalizeLanguage('zh-Hant-HK'), 'zh-Hant');
    assert.equal(normalizeLanguage('ru-RU'), 'ru');
    assert.equal(normalizeLanguage('en-US'), 'en');
    assert.equal(normalizeLanguage('de'), undefined);
  });
});
