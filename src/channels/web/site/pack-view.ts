import { PACKAGE_KINDS, type PackageAllowance, type PackageKind } from '../../../core/catalog.js';
import type { Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';

/**
 * How the site shows packs: grouped by kind in a fixed order (data, voice, combo, then SMS), each
 * with its allowance in the reader's units ("5 GB", "100 минут", "50条").
 */

/** Data first: it is what runs out first for a traveller. */
export const PACK_GROUP_ORDER: readonly PackageKind[] = ['data', 'voice', 'combo', 'sms'];

export interface PackGroup<T> {
  readonly kind: PackageKind;
  readonly packs: readonly T[];
}

/** Groups in PACK_GROUP_ORDER, empty groups left out, the catalog's order kept within a group. */
export function groupPacks<T extends { readonly kind: PackageKind }>(packs: readonly T[]): PackGroup<T>[] {
  // A kind added to the catalog later still shows, after the known ones.
  const order = [...PACK_GROUP_ORDER, ...PACKAGE_KINDS.filter((kind) => !PACK_GROUP_ORDER.includes(kind))];
  return order.map((kind) => ({ kind, packs: packs.filter((pack) => pack.kind === kind) })).filter((group) => group.packs.length > 0);
}

const MB_PER_GB = 1024;
const amountFormats = new Map<string, Intl.NumberFormat>();

function amount(value: number, locale: string): string {
  let format = amountFormats.get(locale);
  if (!format) {
    format = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
    amountFormats.set(locale, format);
  }
  return format.format(value).replace(/[\u00a0\u202f]/g, ' ');
}

/** "10 GB + 200 min + 50 SMS": each kind the pack holds, in the reader's units. */
export function allowanceText(pack: PackageAllowance, language: Language): string {
  const { units, locale } = messagesFor(language);
  const glue = language.startsWith('zh') ? '' : ' ';
  const parts: string[] = [];
  if (pack.data_mb > 0) {
    parts.push(pack.data_mb >= MB_PER_GB ? `${amount(pack.data_mb / MB_PER_GB, locale)} ${units.gb}` : `${amount(pack.data_mb, locale)} ${units.mb}`);
  }
  if (pack.voice_minutes > 0) parts.push(`${amount(pack.voice_minutes, locale)}${glue}${units.minutes}`);
  if (pack.sms_count > 0) parts.push(`${amount(pack.sms_count, locale)}${glue}${units.sms}`);
  return parts.join(' + ');
}
