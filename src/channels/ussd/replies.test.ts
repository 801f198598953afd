import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANGUAGES, type Language } from '../../core/i18n/languages.js';
import { MESSAGES } from '../../core/i18n/messages.js';
import { fitsOneScreen, gsm7Septets, ussdEncoding, USSD_GSM7_SEPTETS_MAX, USSD_UCS2_CHARACTERS_MAX } from '../../core/ussd-text.js';
import { DEMO_DATA_PACK, FIXTURE_NOW_MS, overviewFixture, type PackFixture } from './overview-fixtures.js';
import { kindSummaries } from '../../services/lines/pack-summary.js';
import { messageReply, PACKS_LISTED_MAX, serviceReply, type UssdReply } from './replies.js';
import { parseServiceCode } from './service-codes.js';

const HOUR_MS = 3_600_000;
const demo = overviewFixture({ wallet_balance_minor: 50_000, packs: [DEMO_DATA_PACK] });

function reply(service: 'balance' | 'packages', language: Language, overview = demo, time_zone = 'Europe/Moscow'): UssdReply {
  return serviceReply({ overview, service, language, time_zone });
}

function assertEveryPageFits(result: UssdReply, context: string): void {
  assert.ok(result.pages.length >= 1, context);
  for (const [index, page] of result.pages.entries()) {
    assert.ok(fitsOneScreen(page), `${context}: page ${index + 1} does not fit one screen: ${JSON.stringify(page)}`);
    const septets = gsm7Septets(page);
    if (septets === null) assert.ok(page.length <= USSD_UCS2_CHARACTERS_MAX, context);
    else assert.ok(septets <= USSD_GSM7_SEPTETS_MAX, context);
  }
}

/** Many packs of every kind, with names long enough to force several pages in every language. */
function manyPacks(count: number): PackFixture[] {
  return Array.from({ length: count }, (_, index) => ({
    kind: 'combo' as const,
    names: {
      en: `Travel combo ${index + 1}: data and calls`,
      ru: `Комбо ${index + 1}: интернет и звонки`,
      'zh-Hans': `旅行套餐${index + 1}：流量加通话`,
      'zh-Hant': `旅行方案${index + 1}：流量加通話`,
    },
    data_mb: 1024 * (index + 1),
    voice_minutes: 100,
    validity_hours: 24 * (index + 1),
  }));
}

describe('USSD #100# balance reply', () => {
  const expected: Record<Language, string> = {
    en: 'Balance: 500.00 RUB\nData: 4.3 GB left, until 3 Dec 12:00',
    ru: 'Баланс: 500,00 ₽\nИнтернет: 4,3 ГБ до 03.12 12:00',
    'zh-Hans': '余额：500.00 卢布\n流量剩余4.3 GB，至12月3日 12:00',
    'zh-Hant': '餘額：500.00 盧布\n流量剩餘4.3 GB，至12月3日 12:00',
  };
  for (const language of LANGUAGES) {
    it(`shows money and what the packs hold, in ${language}, on one screen`, () => {
      const result = reply('balance', language);
      assert.equal(result.outcome, 'ok');
      assert.deepEqual(result.pages, [expected[language]]);
      assertEveryPageFits(result, language);
    });
  }

  it('says there is no pack when none is live', () => {
    const result = reply('balance', 'en', overviewFixture({ wallet_balance_minor: 0 }));
    assert.deepEqual(result.pages, ['Balance: 0.00 RUB\nData, calls and SMS: no pack, too little money. Renew: #102#']);
    assert.deepEqual(reply('packages', 'en', overviewFixture({ wallet_balance_minor: 0 })).pages, ['Data, calls and SMS: no pack, too little money. Renew: #102#']);
    const with_money = overviewFixture({ wallet_balance_minor: 50_000 });
    assert.deepEqual(reply('balance', 'en', with_money).pages, ['Balance: 500.00 RUB\nNo active packs. Renew at the app, website or a store.'],
      'with money every kind works pay-as-you-go: nothing is off');
  });

  it('sums each kind over the packs holding it and shows the nearest expiry', () => {
    const overview = overviewFixture({
      wallet_balance_minor: 12_050,
      packs: [
        { kind: 'data', data_mb: 1024, validity_hours: 24 },
        { kind: 'combo', data_mb: 2048, voice_minutes: 100, voice_seconds_used: 1_260, sms_count: 50, validity_hours: 720 },
      ],
    });
    const [data, voice, sms] = kindSummaries(overview.bundles);
    assert.deepEqual({ ...data }, { kind: 'data', remaining: 3072 * 1_048_576, expires_at_ms_min: FIXTURE_NOW_MS + 24 * HOUR_MS, packs: 2 });
    assert.equal(voice?.remaining, 6_000 - 1_260);
    assert.equal(sms?.packs, 1);
    assert.deepEqual(reply('balance', 'en', overview).pages, [
      'Balance: 120.50 RUB\nData: 3.0 GB left in 2 packs, first ends 27 Nov 12:00\nCalls: 79 min left, until 26 Dec 12:00\nSMS: 50 SMS left, until 26 Dec 12:00',
    ]);
  });

  it('leaves out a kind that is used up', () => {
    const overview = overviewFixture({ packs: [{ kind: 'combo', data_mb: 1024, data_bytes_used: 1024 * 1_048_576, voice_minutes: 10 }] });
    assert.deepEqual(kindSummaries(overview.bundles).map((summary) => summary.kind), ['voice']);
  });
});

describe('USSD #101# package details reply', () => {
  const expected: Record<Language, string> = {
    en: 'Your packs (1):\n1) 5 GB data, 7 days: 4.3 GB left, until 3 Dec 12:00',
    ru: 'Ваши пакеты (1):\n1) Интернет 5 ГБ на 7 дней: осталось 4,3 ГБ до 03.12 12:00',
    'zh-Hans': '您的套餐（1）：\n1) 5GB 流量 7天：剩余4.3 GB，至12月3日 12:00',
    'zh-Hant': '您的方案（1）：\n1) 5GB 流量 7天：剩餘4.3 GB，至12月3日 12:00',
  };
  for (const language of LANGUAGES) {
    it(`lists each live pack with its localized name, what is left and until when, in ${language}`, () => {
      const result = reply('packages', language);
      assert.deepEqual(result.pages, [expected[language]]);
      assertEveryPageFits(result, language);
    });
  }

  it('shows every kind a combo pack came with, including a used-up one', () => {
    const overview = overviewFixture({
      packs: [{ kind: 'combo', names: { en: 'Combo' }, data_mb: 1024, data_bytes_used: 1024 * 1_048_576, voice_minutes: 200, sms_count: 50, sms_used: 5 }],
    });
    assert.deepEqual(reply('packages', 'en', overview).pages, ['Your packs (1):\nData: pack used up. Renew: #102#\n1) Combo: 0 MB + 200 min + 45 SMS left, until 26 Dec 12:00']);
  });

  it('shows expiry in the line\'s time zone, date included', () => {
    // Ends 2025-11-26T21:30Z: still the 27th's night in Moscow (00:30), morning in Vladivostok (07:30).
    const overview = overviewFixture({
      wallet_balance_minor: 50_000, packs: [{ ...DEMO_DATA_PACK, validity_hours: 12, activated_at_ms: FIXTURE_NOW_MS + 30 * 60_000 }],
    });
    assert.match(reply('packages', 'ru', overview, 'Europe/Moscow').pages[0] ?? '', /до 27\.11 00:30$/);
    assert.match(reply('packages', 'ru', overview, 'Asia/Vladivostok').pages[0] ?? '', /до 27\.11 07:30$/);
    assert.match(reply('balance', 'en', overview, 'Europe/Kaliningrad').pages[0] ?? '', /until 26 Nov 23:30$/);
    assert.match(reply('balance', 'zh-Hans', overview, 'Asia/Vladivostok').pages[0] ?? '', /至11月27日 07:30$/);
  });

  it('cuts a very long pack name without leaving GSM-7', () => {
    const overview = overviewFixture({ packs: [{ ...DEMO_DATA_PACK, names: { en: 'Unlimited social networks and messengers, plus 5 GB for everything else' } }] });
    const [page] = reply('packages', 'en', overview).pages;
    assert.match(page ?? '', /1\) Unlimited social networks and messeng\.\.\.: 4\.3 GB left/);
    assert.equal(ussdEncoding(page ?? ''), 'gsm7');
  });
});

describe('USSD pagination and encodings', () => {
  for (const language of LANGUAGES) {
    it(`splits many packs into screens that each fit, with 0/00 choices, in ${language}`, () => {
      const result = reply('packages', language, overviewFixture({ wallet_balance_minor: 1, packs: manyPacks(PACKS_LISTED_MAX + 2) }));
      const { more, back } = MESSAGES[language].ussd;
      assert.ok(result.pages.length > 2, `${language}: ${result.pages.length} pages`);
      assertEveryPageFits(result, language);
      result.pages.forEach((page, index) => {
        const last = index === result.pages.length - 1;
        assert.equal(page.includes(`\n${more}`), !last, `${language} page ${index + 1}: more choice`);
        assert.equal(page.endsWith(`\n${back}`), index > 0, `${language} page ${index + 1}: back choice`);
      });
      const joined = result.pages.join('\n');
      for (let index = 1; index <= PACKS_LISTED_MAX; index += 1) assert.ok(joined.includes(`${index}) `), `${language}: pack ${index}`);
      assert.ok(!joined.includes(`${PACKS_LISTED_MAX + 1}) `), `${language}: only ${PACKS_LISTED_MAX} packs listed`);
      assert.ok(joined.includes(MESSAGES[language].ussd.packs_not_listed({ count: 2 })), `${language}: the others are counted`);
    });
  }

  it('uses the GSM-7 budget (182) for English and the UCS-2 budget (80) for Russian and Chinese', () => {
    const overview = overviewFixture({ packs: manyPacks(6) });
    const english = reply('packages', 'en', overview).pages;
    assert.ok(english.every((page) => ussdEncoding(page) === 'gsm7'));
    assert.ok(english.some((page) => page.length > USSD_UCS2_CHARACTERS_MAX), 'GSM-7 pages may be longer than 80 characters');
    for (const language of ['ru', 'zh-Hans', 'zh-Hant'] as const) {
      const pages = reply('packages', language, overview).pages;
      assert.ok(pages.every((page) => ussdEncoding(page) === 'ucs2' && page.length <= USSD_UCS2_CHARACTERS_MAX), language);
    }
  });

  it('drops to the UCS-2 budget when one non-GSM character appears in English', () => {
    const overview = overviewFixture({
      wallet_balance_minor: 50_000, packs: manyPacks(3).map((pack, index) => (index === 0 ? { ...pack, names: { en: 'Pack ✈ travel' } } : pack)),
    });
    const pages = reply('packages', 'en', overview).pages;
    assert.equal(ussdEncoding(pages[0] ?? ''), 'ucs2');
    assert.ok(pages.every((page) => fitsOneScreen(page)));
  });

  it('stays within the page limit for the largest possible reply', () => {
    const huge = manyPacks(50).map((pack) => ({ ...pack, names: { 'zh-Hans': '超'.repeat(200), en: 'x'.repeat(200) } }));
    for (const language of LANGUAGES) assertEveryPageFits(reply('packages', language, overviewFixture({ packs: huge })), language);
  });
});

describe('USSD problem replies', () => {
  for (const language of LANGUAGES) {
    it(`has a clear one-screen reply for each problem in ${language}`, () => {
      for (const outcome of ['unknown_number', 'unknown_code', 'line_not_active', 'unavailable', 'invalid_request'] as const) {
        const result = messageReply(outcome, language, '#102#');
        assert.equal(result.outcome, outcome);
        assert.equal(result.pages.length, 1, `${language} ${outcome}`);
        assertEveryPageFits(result, `${language} ${outcome}`);
      }
      assert.ok(messageReply('unknown_code', language, '*555#').pages[0]?.includes('*555#'));
    });
  }

  it('answers an inactive line with "not active", whatever the code', () => {
    const suspended = overviewFixture({ wallet_balance_minor: 50_000, packs: [DEMO_DATA_PACK], status: 'suspended' });
    for (const service of ['balance', 'packages'] as const) {
      assert.deepEqual(reply(service, 'en', suspended), { outcome: 'line_not_active', pages: ['This line is not active. Please contact a service hall.'] });
    }
  });
});

describe('USSD service codes', () => {
  it('accepts #100#, *100#, #101#, *101# and spaces', () => {
    assert.deepEqual(parseServiceCode('#100#'), { ok: true, screen: 'balance', code: '#100#' });
    assert.deepEqual(parseServiceCode('*100#'), { ok: true, screen: 'balance', code: '#100#' });
    assert.deepEqual(parseServiceCode(' # 1 0 1 # '), { ok: true, screen: 'packages', code: '#101#' });
    assert.deepEqual(parseServiceCode('*101#'), { ok: true, screen: 'packages', code: '#101#' });
  });

  it('refuses other codes, echoing a bounded copy', () => {
    assert.deepEqual(parseServiceCode('*102#'), { ok: true, screen: 'renew', code: '#102#' });
    assert.deepEqual(parseServiceCode('#103#'), { ok: false, shown: '#103#' });
    assert.deepEqual(parseServiceCode('100'), { ok: false, shown: '100' });
    assert.deepEqual(parseServiceCode('*100*1#'), { ok: false, shown: '*100*1#' });
    assert.equal(parseServiceCode('*'.repeat(500)).ok, false);
    const long = parseServiceCode(`*${'9'.repeat(100)}#`);
    assert.ok(!long.ok && long.shown.length === 16);
  });
});
