import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatData, formatMoney, formatShortDateTime, formatSms, formatVoice } from '../../core/i18n/format.js';
import { LANGUAGES, type Language } from '../../core/i18n/languages.js';
import { gsm7Septets } from '../../core/ussd-text.js';
import { USAGE_KINDS } from '../../core/units.js';
import {
  expiryAlertText, fitsOneSms, identityConfirmedText,
  packActiveText, receiptText, refundText, RENEWAL_USSD_CODE, SMS_UCS2_CHARACTERS_MAX, usageAlertText,
} from './notice-texts.js';
import { crossedThresholds, crossesWholePercent } from './usage-alerts.js';

/** The demo catalog's names (services/demo/seed.ts): the lengths a real operator's packs have. */
const PACK_NAMES: Readonly<Record<Language, readonly string[]>> = {
  en: ['1 GB data, 1 day', '5 GB data, 7 days', '10 GB + 200 min, 30 days', '100 minutes, 30 days'],
  ru: ['Интернет 1 ГБ на 1 день', 'Интернет 5 ГБ на 7 дней', 'Интернет 20 ГБ на 30 дней', '100 минут на 30 дней'],
  'zh-Hans': ['1GB 流量 1天', '10GB+200分钟 30天', '50条短信 30天'],
  'zh-Hant': ['1GB 流量 1天', '10GB+200分鐘 30天', '50則簡訊 30天'],
};
/** The longest date each language writes ("26 Nov 21:50"), on a date with two-digit day and month. */
const UNTIL_MS = Date.UTC(2026, 11, 31, 18, 59);
const LINK = 'https://renew.roamcard.example/renew';
/** A receipt link as the SMS carries it: number and a 22-character token. */
const RECEIPT_URL = 'https://roamcard.example/receipts/RC-2026-000123?t=AbCdEfGhIjKlMnOpQrStUv';
const UCS2_PART_CHARACTERS = 67;

function allTexts(language: Language): Array<{ what: string; text: string }> {
  const until = formatShortDateTime(UNTIL_MS, language, 'Asia/Vladivostok');
  const texts: Array<{ what: string; text: string }> = [];
  for (const pack of PACK_NAMES[language]) {
    texts.push({ what: `pack_active ${pack}`, text: packActiveText(language, { pack, until }) });
    texts.push({ what: `expiry ${pack}`, text: expiryAlertText(language, { pack, until }, LINK) });
    for (const kind of USAGE_KINDS) {
      const left = kind === 'data' ? formatData(1_073_741_824 * 19.9, language) : kind === 'voice' ? formatVoice(5_940, language) : formatSms(99, language);
      for (const percent of [1, 80, 99, 100]) {
        texts.push({ what: `usage ${kind} ${percent} ${pack}`, text: usageAlertText(language, { kind, percent, left, pack }, LINK) });
      }
    }
  }
  for (const to_wallet of [true, false]) {
    texts.push({ what: `refund wallet=${to_wallet}`, text: refundText(language, { amount: formatMoney(1_490_000, language), to_wallet }) });
  }
  texts.push({ what: 'identity confirmed', text: identityConfirmedText(language) });
  return texts;
}

describe('notice texts', () => {
  for (const language of LANGUAGES) {
    it(`${language}: every notice fits one SMS (English in GSM-7 only), alerts end with how to renew`, () => {
      for (const { what, text } of allTexts(language)) {
        assert.ok(fitsOneSms(text), `${language} ${what}: ${text.length} characters: ${text}`);
        if (language === 'en') assert.notEqual(gsm7Septets(text), null, `${what} is GSM-7: ${text}`);
        if (what.startsWith('usage') || what.startsWith('expiry')) assert.ok(text.includes(RENEWAL_USSD_CODE), `${what} says how to renew: ${text}`);
      }
    });
  }

  it('adds the renewal link where it fits: always in English, dropped (keeping #102#) where UCS-2 has no room', () => {
    const en = usageAlertText('en', { kind: 'data', percent: 80, left: '1.0 GB', pack: '5 GB data, 7 days' }, LINK);
    assert.equal(en, `You have used 80% of the data in 5 GB data, 7 days: 1.0 GB left. Renew: dial #102# or ${LINK}`);
    const short_link = usageAlertText('zh-Hans', { kind: 'data', percent: 100, left: '0 MB', pack: '1GB 流量 1天' }, 'https://rc.cn/renew');
    assert.equal(short_link, '“1GB 流量 1天”的流量已用完。续费请拨#102#或访问https://rc.cn/renew');
    const ru = usageAlertText('ru', { kind: 'voice', percent: 80, left: '20 мин', pack: '100 минут на 30 дней' }, LINK);
    assert.equal(ru, 'Израсходовано 80% минут, осталось 20 мин. Продлить: #102#');
  });

  it('the receipt link: one GSM-7 SMS in English; in Russian and Chinese the link alone nearly fills one, so two parts at most', () => {
    for (const language of LANGUAGES) {
      const text = receiptText(language, { number: 'RC-2026-000123', url: RECEIPT_URL });
      assert.ok(text.endsWith(RECEIPT_URL), text);
      if (language === 'en') assert.ok(fitsOneSms(text), text);
      else assert.ok(text.length > SMS_UCS2_CHARACTERS_MAX && text.length <= 2 * UCS2_PART_CHARACTERS, `${language}: ${text.length}`);
    }
  });
});

describe('usage thresholds', () => {
  it('crosses a whole percent only when use moves past one, exactly, for small and huge allowances', () => {
    assert.equal(crossesWholePercent(100, 21, 20), true); // 79 % → 80 %
    assert.equal(crossesWholePercent(1_000, 215, 211), false); // 78.5 % → 78.9 %
    assert.equal(crossesWholePercent(0, 0, 0), false);
    const huge = 5 * 2 ** 50; // beyond 2^53 / 100: the arithmetic must not round
    assert.equal(crossesWholePercent(huge, huge / 5 + 1, huge / 5), true); // to exactly 80 %
    assert.equal(crossesWholePercent(huge, huge / 5, huge / 5 - 1), false);
  });

  it('names every threshold crossed, at or above, none twice', () => {
    assert.deepEqual(crossedThresholds(100, 21, 20, [50, 80, 100]), [80]);
    assert.deepEqual(crossedThresholds(100, 60, 0, [50, 80, 100]), [50, 80, 100]);
    assert.deepEqual(crossedThresholds(100, 30, 0, [50, 80, 100]), [80, 100]);
    assert.deepEqual(crossedThresholds(100, 20, 19, [50, 80, 100]), []);
    assert.deepEqual(crossedThresholds(3, 3, 2, [1, 33, 34]), [1, 33]);
  });
});
