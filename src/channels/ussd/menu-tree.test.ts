import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LANGUAGES, type Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { fitsOneScreen, gsm7Septets } from '../../core/ussd-text.js';
import type { BalancePurchase, PaymentLinkRequest } from '../../services/renewal/line-renewal.js';
import { walkMenu, type MenuAnswer } from './menu-engine.js';
import { FIXTURE_PACKS, ScriptedRenewal } from './menu-fixtures.js';
import { BACK_KEY, ITEM_NUMBER_MAX, LANGUAGE_KEY, MORE_KEY, USSD_MENU, type ActionId, type ScreenId, type Transition } from './menu-tree.js';
import { listElements } from './menu-views.js';
import { DEMO_DATA_PACK, FIXTURE_NOW_MS, overviewFixture } from './overview-fixtures.js';

/**
 * Every path of the menu tree, generated from the tree itself (not listed by hand): from each
 * entry, every item, list element, shared item, page and "back", a wrong answer on every screen,
 * and every outcome of every action — in all four languages. Each screen reached must fit one USSD
 * screen in the encoding it will be sent in, and every screen and action of the tree must be reached.
 */

const PURCHASES: readonly BalancePurchase[] = [
  { outcome: 'active', order_id: 'order_fixture', expires_at_ms: FIXTURE_NOW_MS + 720 * 3_600_000 },
  { outcome: 'balance_short', order_id: 'order_fixture', missing_minor: 123_456 },
  { outcome: 'refused', reason: 'pack_unavailable' },
  { outcome: 'refused', reason: 'line_not_active' },
];
const LINKS: readonly PaymentLinkRequest[] = [
  { outcome: 'sent', order_id: 'order_fixture' },
  { outcome: 'refused', reason: 'limit_reached' },
  { outcome: 'refused', reason: 'pack_unavailable' },
];
/** Long pack names and many packs: #101# and #102# need several pages in every language. */
const MANY_PACKS = Array.from({ length: 12 }, (_, index) => ({
  kind: 'combo' as const,
  names: {
    en: `Travel combo ${index + 1}: data and calls`, ru: `Комбо ${index + 1}: интернет и звонки`,
    'zh-Hans': `旅行套餐${index + 1}：流量加通话`, 'zh-Hant': `旅行方案${index + 1}：流量加通話`,
  },
  data_mb: 1024 * (index + 1), voice_minutes: 100, validity_hours: 24 * (index + 1),
}));

interface Explored {
  readonly screens: Set<ScreenId>;
  readonly actions: Set<ActionId>;
  paths: number;
}

/** The keys a screen answers, from its definition and the data its list shows. */
function moves(screen: ScreenId, pack_count: number): Array<[string, Transition]> {
  const definition = USSD_MENU.screens[screen];
  const listed = definition.list
    ? listElements(definition.list.of, definition.list.of === 'packs_for_sale' ? manyOffers(pack_count) : [])
      .map((_, index): [string, Transition] => [String(index + 1), definition.list!.then])
    : [];
  const fixed = [...(definition.items ?? []), ...(definition.shared_items ?? [])];
  const items = fixed.map((item): [string, Transition] => [item.key, item.then]);
  return [...listed, ...items];
}

function manyOffers(count: number) {
  return Array.from({ length: count }, (_, index) => ({ ...FIXTURE_PACKS[index % FIXTURE_PACKS.length]!, code: `pack-${index}` }));
}

function assertFits(answer: MenuAnswer, path: readonly string[], walk_language: Language, text_only = false): void {
  // A language chosen on the way is the answer's language.
  const language = answer.language;
  assert.ok(path.includes(LANGUAGE_KEY) || language === walk_language, `answered in ${language}`);
  const where = `${language} ${path.join('*') || '(first)'}: ${JSON.stringify(answer.text)}`;
  assert.ok(fitsOneScreen(answer.text), `does not fit one screen: ${where}`);
  if (language === 'en') assert.notEqual(gsm7Septets(answer.text.replace(/[Р-я一-龥]+/g, '')), null, `English outside GSM-7: ${where}`);
  const hint = messagesFor(language).ussd_menu.wrong_choice;
  if (answer.continues && !text_only && !answer.text.startsWith(hint)) {
    // The same screen after a wrong answer carries the hint above it: that must fit too.
    assert.ok(fitsOneScreen(`${messagesFor(language).ussd_menu.wrong_choice}\n${answer.text}`), `no room for the hint: ${where}`);
  }
}

async function exploreAll(language: Language, pack_count: number, session_id: string | undefined, explored: Explored): Promise<void> {
  for (const purchase of PURCHASES) {
    for (const link of LINKS) {
      const renewal = new ScriptedRenewal();
      renewal.packs = manyOffers(pack_count);
      renewal.purchase = purchase;
      renewal.link = link;
      const overview = overviewFixture({ wallet_balance_minor: 1_234_567, packs: [DEMO_DATA_PACK, ...MANY_PACKS], language });
      for (const entry of Object.values(USSD_MENU.entries)) {
        const answer = (inputs: readonly string[]) => walkMenu({
          tree: USSD_MENU, entry, inputs, overview, language, time_zone: 'Asia/Vladivostok', session_id, renewal,
        });
        await visit(answer, entry, [], new Set([entry]), explored, language, pack_count);
      }
    }
  }
}

async function visit(
  answer: (inputs: readonly string[]) => Promise<MenuAnswer>, screen: ScreenId, path: readonly string[], on_path: ReadonlySet<ScreenId>,
  explored: Explored, language: Language, pack_count: number,
): Promise<void> {
  explored.screens.add(screen);
  const shown = await answer(path);
  explored.paths += 1;
  // #100# and #101# are text without choices: a stray answer shows the page again, without a hint.
  const view = USSD_MENU.screens[screen].view;
  const text_only = view === 'balance' || view === 'packages';
  assertFits(shown, path, language, text_only);
  if (!shown.continues) return;
  // Every page, forward and back again.
  let pages_path = [...path];
  for (let page = 1; page < shown.page_count; page += 1) {
    pages_path = [...pages_path, MORE_KEY];
    const paged = await answer(pages_path);
    assert.equal(paged.page, page);
    assertFits(paged, pages_path, language, text_only);
  }
  if (shown.page_count > 1) assert.equal((await answer([...pages_path, BACK_KEY])).page, shown.page_count - 2);
  const wrong = await answer([...path, 'x']);
  assertFits(wrong, [...path, 'x'], language, text_only);
  assert.equal(wrong.text.startsWith(messagesFor(language).ussd_menu.wrong_choice), !text_only, 'a wrong choice is hinted on menus');
  if (path.length > 0) assertFits(await answer([...path, BACK_KEY]), [...path, BACK_KEY], language);
  for (const [key, then] of moves(screen, pack_count)) {
    const next = [...path, key];
    if ('to' in then) {
      if (!on_path.has(then.to)) await visit(answer, then.to, next, new Set([...on_path, then.to]), explored, language, pack_count);
      continue;
    }
    explored.actions.add(then.action);
    const after = await answer(next);
    explored.paths += 1;
    assertFits(after, next, language);
    // Actions that lead on to a screen (a short balance, a new language) are explored from there.
    if (then.action === 'pay_from_balance' && after.continues && !on_path.has('balance_short')) {
      await visit(answer, 'balance_short', next, new Set([...on_path, 'balance_short']), explored, language, pack_count);
    }
    if (then.action === 'set_language') assert.equal(after.continues, true);
  }
}

describe('USSD menu tree', () => {
  it('is well formed: entries lead to screens, keys are unique per screen and never "back" or "more"', () => {
    for (const entry of Object.values(USSD_MENU.entries)) assert.ok(USSD_MENU.screens[entry], entry);
    for (const [id, screen] of Object.entries(USSD_MENU.screens)) {
      const keys = [...(screen.items ?? []), ...(screen.shared_items ?? [])].map((item) => item.key);
      assert.equal(new Set(keys).size, keys.length, `${id}: a key twice`);
      for (const key of keys) {
        assert.ok(key !== BACK_KEY && key !== MORE_KEY, `${id}: ${key} is a navigation key`);
        // A fixed item either follows the list's numbers or has a leading zero no list number has.
        if (screen.list && !key.startsWith('0')) assert.fail(`${id}: item ${key} may collide with the list's numbers`);
      }
      for (const item of [...(screen.items ?? []), ...(screen.shared_items ?? [])]) {
        if ('to' in item.then) assert.ok(USSD_MENU.screens[item.then.to], `${id} → ${item.then.to}`);
      }
    }
    assert.ok(Number(MORE_KEY) > ITEM_NUMBER_MAX && LANGUAGE_KEY.startsWith('0') && String(LANGUAGE_KEY) !== String(BACK_KEY));
  });

  for (const language of LANGUAGES) {
    it(`every path fits one screen, in ${language} (generated from the tree)`, async () => {
      const explored: Explored = { screens: new Set(), actions: new Set(), paths: 0 };
      await exploreAll(language, FIXTURE_PACKS.length, 'ATUid_tree', explored);
      await exploreAll(language, 20, undefined, explored);
      assert.deepEqual([...explored.screens].sort(), Object.keys(USSD_MENU.screens).sort(), 'every screen reached');
      assert.deepEqual([...explored.actions].sort(), ['pay_from_balance', 'send_payment_link', 'set_language'], 'every action performed');
      assert.ok(explored.paths > 100, `${explored.paths} paths`);
    });
  }
});
