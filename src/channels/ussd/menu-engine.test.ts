import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { walkMenu, type MenuAnswer } from './menu-engine.js';
import { FIXTURE_PACKS, ScriptedRenewal } from './menu-fixtures.js';
import { USSD_MENU, type ScreenId } from './menu-tree.js';
import { overviewFixture } from './overview-fixtures.js';

/** The session engine over scripted renewal answers: what it shows, and what it asks the service to do. */

function walker(renewal = new ScriptedRenewal(), session: string | null = 'at:ATUid_1', language: Language = 'en') {
  const session_id = session ?? undefined;
  const overview = overviewFixture({ wallet_balance_minor: 50_000, language });
  return {
    renewal,
    walk: (inputs: readonly string[], entry: ScreenId = 'renew'): Promise<MenuAnswer> =>
      walkMenu({ tree: USSD_MENU, entry, inputs, overview, language, time_zone: 'Europe/Moscow', session_id, renewal }),
  };
}

const en = messagesFor('en');

describe('USSD menu engine', () => {
  it('shows #102#: the packs numbered in the service\'s order with whole prices, and the language item', async () => {
    const { walk } = walker();
    const first = await walk([]);
    assert.equal(first.text, [
      'Buy a pack:', '1 5 GB data, 7 days: 500 RUB', '2 10 GB + 200 min, 30 days: 1,500 RUB', '3 50 SMS, 30 days: 99 RUB', '00 Language',
    ].join('\n'));
    assert.deepEqual([first.continues, first.outcome, first.page_count], [true, 'ok', 1]);
  });

  it('walks pack → pay from balance → confirm, and buys with the session id, the line and the pack', async () => {
    const { walk, renewal } = walker();
    assert.equal((await walk(['2'])).text, '10.0 GB + 200 min for 30 days: 1,500.00 RUB\n1 From my balance\n2 Payment link by SMS\n0 Back');
    assert.equal((await walk(['2', '1'])).text, 'Buy 10 GB + 200 min, 30 days for 1,500.00 RUB from your balance (500.00 RUB)?\n1 Confirm\n0 Back');
    assert.deepEqual(renewal.calls, [], 'showing screens buys nothing');
    const bought = await walk(['2', '1', '1']);
    assert.deepEqual([bought.text, bought.continues, bought.outcome], ['Done! 10 GB + 200 min, 30 days is active until 3 Dec 12:00.', false, 'activated']);
    assert.deepEqual(renewal.calls, [{
      call: 'buyFromBalance', request: { line_id: 'line_fixture', package_code: FIXTURE_PACKS[1]?.code, session_id: 'at:ATUid_1', language: 'en' },
    }]);
  });

  it('after a short balance offers the link, and the link is asked for the same pack', async () => {
    const { walk, renewal } = walker();
    renewal.purchase = { outcome: 'balance_short', order_id: 'order_fixture', missing_minor: 100_000 };
    const short = await walk(['2', '1', '1']);
    assert.equal(short.text, 'Not enough balance: 1,000.00 RUB missing.\n2 Payment link by SMS\n0 Back');
    const sent = await walk(['2', '1', '1', '2']);
    assert.deepEqual([sent.text, sent.continues, sent.outcome], [en.ussd_menu.link_sent, false, 'link_sent']);
    assert.deepEqual(renewal.calls.map((call) => call.call), ['buyFromBalance', 'buyFromBalance', 'sendPaymentLink']);
    assert.equal((await walk(['2', '1', '1', '0'])).text, (await walk(['2', '1'])).text, '0 goes back to the confirmation');
  });

  it('buys nothing without a session id, and says why', async () => {
    const { walk, renewal } = walker(new ScriptedRenewal(), null);
    assert.deepEqual([(await walk(['1', '1', '1'])).text, (await walk(['1', '2'])).outcome], [en.ussd_menu.no_session, 'refused']);
    assert.deepEqual(renewal.calls, []);
  });

  it('stores a language change only when it is the request\'s last input, and answers in the new language', async () => {
    const { walk, renewal } = walker();
    const changed = await walk(['00', '3']);
    assert.equal(changed.language, 'zh-Hans');
    assert.ok(changed.text.startsWith('购买套餐：\n1 5GB 流量 7天 500 卢布'), changed.text);
    assert.deepEqual(renewal.calls, [{ call: 'setLanguage', line_id: 'line_fixture', language: 'zh-Hans' }]);
    const next = await walk(['00', '3', '1']);
    assert.equal(next.language, 'zh-Hans');
    assert.equal(renewal.calls.length, 1, 'replaying the change does not store it again');
    const zh = messagesFor('zh-Hans').ussd_menu;
    assert.equal((await walk(['00', '3', '0'])).text, changed.text.replace(zh.renew_title, zh.wrong_choice), 'the menu starts afresh');
  });

  it('hints at a wrong answer on menus, "more" past the last page and "back" on the first screen included', async () => {
    const { walk } = walker();
    const first = (await walk([])).text;
    // On the list the hint takes the title's place; above a screen without a title it is added.
    for (const wrong of [['7'], ['99'], ['0'], ['x']]) {
      const shown = await walk(wrong);
      assert.equal(shown.text, first.replace(en.ussd_menu.renew_title, en.ussd_menu.wrong_choice), wrong.join('*'));
      assert.equal(shown.continues, true);
    }
    assert.equal((await walk(['1', '3'])).text, `${en.ussd_menu.wrong_choice}\n${(await walk(['1'])).text}`);
    assert.equal((await walk(['7', '1'])).text, (await walk(['1'])).text, 'the hint is gone at the next answer');
  });

  it('pages a long list with 99 and keeps the pack numbers going across pages', async () => {
    const renewal = new ScriptedRenewal();
    renewal.packs = Array.from({ length: 9 }, (_, index) => ({ ...FIXTURE_PACKS[1]!, code: `pack-${index + 1}` }));
    const { walk } = walker(renewal, 'at:1', 'ru');
    const first = await walk([]);
    assert.ok(first.page_count > 2 && first.text.endsWith('00 Язык/Language\n99 Далее'), first.text);
    const second = await walk(['99']);
    assert.ok(second.text.endsWith('99 Далее\n0 Назад') && !second.text.includes('00 Язык') && !second.text.startsWith('1 '), second.text);
    const number = /^(\d) Комбо/.exec(second.text)?.[1] ?? '';
    assert.ok(Number(number) > 1, second.text);
    assert.ok((await walk(['99', number])).text.startsWith('10,0 ГБ + 200 мин на 30 дн.'), 'a number on page 2 chooses that pack');
    assert.equal((await walk(['99', '0'])).text, first.text);
  });

  it('leaves #100# and #101# text screens as they were: no hint, no renewal', async () => {
    const { walk, renewal } = walker();
    const balance = await walk([], 'balance');
    assert.deepEqual([balance.text, balance.continues], ['Balance: 500.00 RUB\nNo active packs. Renew at the app, website or a store.', false]);
    assert.equal((await walk(['5'], 'balance')).text, balance.text);
    assert.deepEqual(renewal.calls, []);
  });
});
