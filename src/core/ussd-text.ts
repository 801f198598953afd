/**
 * Fitting text onto USSD screens (GSM 04.80): one USSD string is at most 160 octets.
 * Packed GSM 7-bit text gives 182 septets; anything outside the GSM 03.38 alphabet forces UCS-2,
 * 2 octets per UTF-16 unit, so 80 characters. Characters of the GSM extension table (€ [ ] { } …)
 * cost two septets (escape + character).
 */

export const USSD_OCTETS_MAX = 160;
export const USSD_GSM7_SEPTETS_MAX = 182;
export const USSD_UCS2_CHARACTERS_MAX = 80;
/** Bounded pagination: a reply longer than this many pages is a programming error in a template. */
export const USSD_PAGES_MAX = 20;

/**
 * The GSM 03.38 default alphabet in code order, without the escape (0x1B) at index 27: a character's
 * code is its index below 27, its index + 1 from there (src/core/sms-encoding.ts encodes with it).
 */
export const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** The extension table's characters: each is sent as the escape 0x1B and a second septet. */
export const GSM7_EXTENSION = '^{}\\[~]|€\f';
const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export type UssdEncoding = 'gsm7' | 'ucs2';

/** Septets when the text is GSM-7, or null when it needs UCS-2. */
export function gsm7Septets(text: string): number | null {
  let septets = 0;
  for (const character of text) {
    if (BASIC.has(character)) septets += 1;
    else if (EXTENSION.has(character)) septets += 2;
    else return null;
  }
  return septets;
}

export function ussdEncoding(text: string): UssdEncoding {
  return gsm7Septets(text) === null ? 'ucs2' : 'gsm7';
}

export function fitsOneScreen(text: string): boolean {
  const septets = gsm7Septets(text);
  if (septets !== null) return septets <= USSD_GSM7_SEPTETS_MAX;
  return text.length <= USSD_UCS2_CHARACTERS_MAX;
}

export interface PaginationLabels {
  readonly more: string;
  readonly back: string;
}

/**
 * Splits `text` into screens. Breaks at line ends first, then at spaces, then anywhere; every page
 * but the last ends with the "more" choice, every page but the first with the "back" choice, and
 * each page as a whole (footer included) fits one screen in the encoding it will be sent in.
 */
export function paginate(text: string, labels: PaginationLabels): string[] {
  if (fitsOneScreen(text)) return [text];
  const pages: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    if (pages.length >= USSD_PAGES_MAX) throw new Error(`USSD reply needs more than ${USSD_PAGES_MAX} pages`);
    const isFirst = pages.length === 0;
    const lastFooter = isFirst ? '' : `\n${labels.back}`;
    if (fitsOneScreen(rest + lastFooter)) {
      pages.push(rest + lastFooter);
      break;
    }
    const footer = `\n${labels.more}${isFirst ? '' : `\n${labels.back}`}`;
    const cut = longestFittingPrefix(rest, footer);
    pages.push(rest.slice(0, cut).trimEnd() + footer);
    rest = rest.slice(cut).replace(/^[\s]+/, '');
  }
  return pages;
}

function longestFittingPrefix(text: string, footer: string): number {
  let low = 1;
  let high = text.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fitsOneScreen(text.slice(0, middle).trimEnd() + footer)) low = middle;
    else high = middle - 1;
  }
  const hardLimit = low;
  const newline = text.lastIndexOf('\n', hardLimit);
  if (newline > hardLimit / 3) return newline + 1;
  const space = text.lastIndexOf(' ', hardLimit);
  if (space > hardLimit / 2) return space + 1;
  return hardLimit;
}
