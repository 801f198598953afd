import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Language } from '../../../core/i18n/languages.js';
import { runRoamcard } from '../../../testing/roamcard-process.js';
import { renderScreen } from './ussd.js';

// Each run is a process that opens the database: the tests run side by side (SQLite in WAL mode serves them all).
describe('roamcard ussd (end to end, after roamcard demo)', { concurrency: true }, () => {
  let data_dir = '';
  const environment = () => ({ ...process.env, DATA_DIR: data_dir, DATABASE_URL: '', LOG_LEVEL: 'silent', ROAMCARD_LANG: '', LANG: 'C' });

  const roamcard = (...args: string[]) => runRoamcard(args, environment());

  before(async () => {
    data_dir = mkdtempSync(path.join(os.tmpdir(), 'roamcard-cli-ussd-'));
    const demo = await roamcard('demo');
    assert.equal(demo.code, 0, demo.stderr);
  });
  after(() => rmSync(data_dir, { recursive: true, force: true }));

  // The demo pack was activated "now" for 7 days: the date and time depend on when the test runs.
  const balance: Record<Language, RegExp> = {
    'zh-Hans': /^余额：500\.00 卢布\n流量剩余4\.3 GB，至\d{1,2}月\d{1,2}日 \d\d:\d\d\n$/,
    'zh-Hant': /^餘額：500\.00 盧布\n流量剩餘4\.3 GB，至\d{1,2}月\d{1,2}日 \d\d:\d\d\n$/,
    ru: /^Баланс: 500,00 ₽\nИнтернет: 4,3 ГБ до \d\d\.\d\d \d\d:\d\d\n$/,
    en: /^Balance: 500\.00 RUB\nData: 4\.3 GB left, until \d{1,2} [A-Z][a-z]{2} \d\d:\d\d\n$/,
  };
  const packs: Record<Language, RegExp> = {
    'zh-Hans': /^您的套餐（1）：\n1\) 5GB 流量 7天：剩余4\.3 GB，至\d{1,2}月\d{1,2}日 \d\d:\d\d\n$/,
    'zh-Hant': /^您的方案（1）：\n1\) 5GB 流量 7天：剩餘4\.3 GB，至\d{1,2}月\d{1,2}日 \d\d:\d\d\n$/,
    ru: /^Ваши пакеты \(1\):\n1\) Интернет 5 ГБ на 7 дней: осталось 4,3 ГБ до \d\d\.\d\d \d\d:\d\d\n$/,
    en: /^Your packs \(1\):\n1\) 5 GB data, 7 days: 4\.3 GB left, until \d{1,2} [A-Z][a-z]{2} \d\d:\d\d\n$/,
  };

  for (const language of ['zh-Hans', 'zh-Hant', 'ru', 'en'] as const) {
    it(`prints #100# and #101# as the phone shows them, in ${language}`, async () => {
      const [hundred, hundredOne] = await Promise.all([
        roamcard('ussd', '+79001234567', '#100#', '--lang', language),
        roamcard('ussd', '+79001234567', '*101#', '--lang', language),
      ]);
      assert.equal(hundred.code, 0, hundred.stderr);
      assert.match(hundred.stdout, balance[language]);
      assert.match(hundredOne.stdout, packs[language]);
    });
  }

  it('uses the line\'s own language without --lang, and explains unknown numbers and codes', async () => {
    const [own, russian, unknown, code] = await Promise.all([
      roamcard('ussd', '8 900 123-45-67', '#100#'),
      roamcard('ussd', '+79001234569', '#101#'),
      roamcard('ussd', '+79009990000', '#100#', '--lang', 'zh-TW'),
      roamcard('ussd', '+79001234568', '*103#'),
    ]);
    assert.match(own.stdout, balance['zh-Hans']);
    assert.match(russian.stdout, /^Ваши пакеты \(1\):\n1\) 100 минут на 30 дней: осталось 79 мин до /);
    assert.deepEqual([unknown.code, unknown.stdout], [0, '此號碼不屬於遠遊卡用戶，請檢查SIM卡。\n']);
    assert.equal(code.stdout, 'Unknown code *103#. Dial #100# for balance, #101# for packs, #102# to renew.\n');
  });

  it('refuses an unknown --lang with a clear message and exit code 1', async () => {
    const result = await roamcard('ussd', '+79001234567', '#100#', '--lang', 'klingon');
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--lang.*must be one of zh-Hans, zh-Hant, ru, en/);
  });
});

// Buying changes the demo line's balance: its own database, so the side-by-side tests above keep theirs.
describe('roamcard ussd #102# (end to end, after roamcard demo)', () => {
  let data_dir = '';
  const roamcard = (...args: string[]) => runRoamcard(args, {
    ...process.env, DATA_DIR: data_dir, DATABASE_URL: '', LOG_LEVEL: 'silent', ROAMCARD_LANG: '', LANG: 'C',
  });

  before(async () => {
    data_dir = mkdtempSync(path.join(os.tmpdir(), 'roamcard-cli-ussd-102-'));
    const demo = await roamcard('demo');
    assert.equal(demo.code, 0, demo.stderr);
  });
  after(() => rmSync(data_dir, { recursive: true, force: true }));

  it('walks #102# with --input, and buys only with --session (once, however often it is run)', async () => {
    const [first, nosession] = await Promise.all([
      roamcard('ussd', '+79001234568', '*102#'),
      roamcard('ussd', '+79001234568', '#102#', '--input', '1*1*1'),
    ]);
    assert.ok(first.stdout.startsWith('Buy a pack:\n1 1 GB data, 1 day: 190 RUB\n'), first.stdout);
    assert.ok(first.stdout.endsWith("[session continues: to answer, run again with --input '<answer>']\n"), first.stdout);
    assert.match(nosession.stdout, /^Sorry, buying needs the network's session id/);
    const bought = await roamcard('ussd', '+79001234567', '#102#', '--input', '1*1*1', '--session', 'cli-test', '--lang', 'en');
    assert.match(bought.stdout, /^Done! 1 GB data, 1 day is active until /);
    const again = await roamcard('ussd', '+79001234567', '#102#', '--input', '1*1*1', '--session', 'cli-test', '--lang', 'en');
    assert.equal(again.stdout, bought.stdout);
    assert.match((await roamcard('ussd', '+79001234567', '#100#', '--lang', 'en')).stdout, /^Balance: 310\.00 RUB\n/);
  });

});

describe('roamcard ussd output', () => {
  it('adds a bracketed line saying how to answer while the session continues, and nothing on a final screen', () => {
    assert.equal(renderScreen({ text: 'done', continues: false }), 'done');
    assert.equal(renderScreen({ text: 'p1\n99 More', continues: true }), "p1\n99 More\n[session continues: to answer, run again with --input '<answer>']");
    assert.equal(renderScreen({ text: 'p2', continues: true }, '1*99'), "p2\n[session continues: to answer, run again with --input '1*99*<answer>']");
  });
});
