import { formatData, formatMoney, formatSms, formatVoice } from '../../core/i18n/format.js';
import { LANGUAGE_NAMES, type Language } from '../../core/i18n/languages.js';
import { messagesFor } from '../../core/i18n/messages.js';
import { BYTES_PER_MB, SECONDS_PER_MINUTE } from '../../core/units.js';
import type { LineOverview } from '../../services/lines/overview.js';
import type { PackOffer } from '../../services/renewal/line-renewal.js';
import { ITEM_NUMBER_MAX, MENU_LANGUAGES, type ListId, type ViewId } from './menu-tree.js';
import { boundedName } from './replies.js';

/**
 * The data-driven parts of menu screens, as pure functions: a chosen pack's details, the
 * confirmation question, the short-balance notice, and the numbered lists. No clock, no database.
 */

export interface ViewData {
  readonly overview: LineOverview;
  readonly language: Language;
  /** The pack chosen on an earlier screen of the walk. */
  readonly pack?: PackOffer | undefined;
  /** What the balance lacked, after paying from it failed. */
  readonly missing_minor?: number | undefined;
}

/** #102# lists at most this many packs; the catalog of a travel SIM has a handful. */
export const PACKS_OFFERED_MAX = 30;

/** One element of a numbered list, and what choosing it carries to the next screen. */
export type ListElement = { readonly pack: PackOffer } | { readonly language: Language };

export function listElements(list: ListId, packs: readonly PackOffer[]): ListElement[] {
  const elements = list === 'languages'
    ? MENU_LANGUAGES.map((language) => ({ language }))
    : packs.slice(0, PACKS_OFFERED_MAX).map((pack) => ({ pack }));
  if (elements.length > ITEM_NUMBER_MAX) throw new Error(`a USSD list of ${elements.length} items would reach the "more" key`);
  return elements;
}

export function listLabel(element: ListElement, language: Language): string {
  if ('language' in element) return LANGUAGE_NAMES[element.language];
  const menu = messagesFor(language).ussd_menu;
  return menu.pack_item({ name: packName(element.pack, language), price: wholeMoney(formatMoney(element.pack.price_minor, language)) });
}

/** "500 RUB" for "500.00 RUB" in lists: three characters a line, where a UCS-2 screen has 80 in all. */
function wholeMoney(formatted: string): string {
  return formatted.replace(/[.,]00(?=\D*$)/, '');
}

export function viewLines(view: Exclude<ViewId, 'balance' | 'packages'>, data: ViewData): string[] {
  const menu = messagesFor(data.language).ussd_menu;
  const pack = data.pack;
  if (pack === undefined) throw new Error(`USSD view ${view} without a chosen pack`);
  const price = formatMoney(pack.price_minor, data.language);
  switch (view) {
    case 'pack_details':
      // What it gives rather than its name again: the two often say the same, and 80 UCS-2 characters are few.
      return [menu.pack_offer({
        amounts: packAmounts(pack, data.language), validity: menu.validity({ hours: pack.validity_hours }), price,
      })];
    case 'confirm_question':
      return [menu.confirm_question({
        name: packName(pack, data.language), price, balance: formatMoney(data.overview.wallet_balance_minor, data.language),
      })];
    case 'balance_short':
      return [menu.balance_short({ missing: formatMoney(data.missing_minor ?? 0, data.language) })];
  }
}

export function packName(pack: PackOffer, language: Language): string {
  return boundedName(pack.names[language]);
}

/** "5.0 GB + 100 min": what the pack gives of each kind it has. */
function packAmounts(pack: PackOffer, language: Language): string {
  return [
    ...(pack.data_mb > 0 ? [formatData(pack.data_mb * BYTES_PER_MB, language)] : []),
    ...(pack.voice_minutes > 0 ? [formatVoice(pack.voice_minutes * SECONDS_PER_MINUTE, language)] : []),
    ...(pack.sms_count > 0 ? [formatSms(pack.sms_count, language)] : []),
  ].join(' + ');
}
