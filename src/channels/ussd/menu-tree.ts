import type { Language } from '../../core/i18n/languages.js';
import type { Messages } from '../../core/i18n/messages.js';

/**
 * Every USSD menu roamcard answers, as data: which code opens which screen, what each screen shows
 * (texts by i18n key, or a named view of the line's data), its numbered items and where each one
 * leads (another screen, or an action). The session engine (menu-engine.ts) walks this tree from the
 * `*`-joined inputs of a request, over any transport; a test walks every path of it in every language.
 *
 * Keys the customer types:
 * - `1`…`n` — items, numbered from 1 on each screen (a list, then the screen's fixed items);
 * - `0` — back: the previous page, or on a first page the previous screen;
 * - `99` — more: the next page. A screen never has 99 items (ITEM_NUMBER_MAX), so it is never a choice;
 * - `00` — a shared item (the language picker on #102#): a leading zero is never an item number.
 */

export const BACK_KEY = '0';
export const MORE_KEY = '99';
export const LANGUAGE_KEY = '00';
/** Items are numbered 1…ITEM_NUMBER_MAX: below MORE_KEY, so "more" is never a choice. */
export const ITEM_NUMBER_MAX = 98;

export type ScreenId = 'balance' | 'packages' | 'renew' | 'pack' | 'confirm' | 'balance_short' | 'language';
export type ActionId = 'pay_from_balance' | 'send_payment_link' | 'set_language';
/** Views render a line's data (menu-views.ts); a screen without one shows only its title and items. */
export type ViewId = 'balance' | 'packages' | 'pack_details' | 'confirm_question' | 'balance_short';
/** Lists number the data they come from: the packs for sale, the four languages. */
export type ListId = 'packs_for_sale' | 'languages';

type MenuTexts = Messages['ussd_menu'];
/** The i18n keys of plain texts (titles, item labels): the compiler checks each exists in every language. */
export type TextKey = { [K in keyof MenuTexts]: MenuTexts[K] extends string ? K : never }[keyof MenuTexts];

export type Transition = { readonly to: ScreenId } | { readonly action: ActionId };

export interface MenuItem {
  readonly key: string;
  readonly label: TextKey;
  readonly then: Transition;
}

export interface ScreenDefinition {
  readonly title?: TextKey;
  readonly view?: ViewId;
  /** Numbered from 1, before the fixed items; choosing one carries its element to the next screen. */
  readonly list?: { readonly of: ListId; readonly then: Transition };
  /** Numbered items after the list, in this order. */
  readonly items?: readonly MenuItem[];
  /** Items shown at the foot of every page (with keys no list can take). */
  readonly shared_items?: readonly MenuItem[];
}

export interface MenuTree {
  /** The digits of a code (`#102#` and `*102#` alike) → its first screen. */
  readonly entries: Readonly<Record<string, ScreenId>>;
  readonly screens: Readonly<Record<ScreenId, ScreenDefinition>>;
}

export const USSD_MENU: MenuTree = {
  entries: { '100': 'balance', '101': 'packages', '102': 'renew' },
  screens: {
    // #100# and #101#: the line's overview as text, paged.
    balance: { view: 'balance' },
    packages: { view: 'packages' },
    // #102#: packs for sale → a pack → how to pay → confirm.
    renew: {
      title: 'renew_title',
      list: { of: 'packs_for_sale', then: { to: 'pack' } },
      shared_items: [{ key: LANGUAGE_KEY, label: 'language', then: { to: 'language' } }],
    },
    pack: {
      view: 'pack_details',
      items: [
        { key: '1', label: 'pay_from_balance', then: { to: 'confirm' } },
        { key: '2', label: 'pay_by_link', then: { action: 'send_payment_link' } },
      ],
    },
    confirm: {
      view: 'confirm_question',
      items: [{ key: '1', label: 'confirm', then: { action: 'pay_from_balance' } }],
    },
    // Where paying from the balance leads when the balance is short: the link instead.
    balance_short: {
      view: 'balance_short',
      items: [{ key: '2', label: 'pay_by_link', then: { action: 'send_payment_link' } }],
    },
    language: {
      title: 'language_title',
      list: { of: 'languages', then: { action: 'set_language' } },
    },
  },
};

/** The order the language picker lists them in: the Latin and Cyrillic scripts first, as on most phones. */
export const MENU_LANGUAGES: readonly Language[] = ['en', 'ru', 'zh-Hans', 'zh-Hant'];

/** Screen after `set_language`: the menu starts again at its first screen, in the new language. */
export const AFTER_LANGUAGE: ScreenId = 'renew';
/** Screen after `pay_from_balance` when the balance is short. */
export const AFTER_BALANCE_SHORT: ScreenId = 'balance_short';
