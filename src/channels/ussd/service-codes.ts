import { USSD_MENU, type MenuTree, type ScreenId } from './menu-tree.js';

/**
 * The USSD codes roamcard answers: the entries of the menu tree. Travel-SIM guides print `#100#`
 * and `#101#`; Russian operators teach `*100#`: both spellings mean the same menu, and spaces typed
 * (or inserted by a gateway) are ignored.
 */

/** A code echoed back in "unknown code" is cut to this length: the reply must still fit a screen. */
export const SERVICE_CODE_ECHO_LENGTH_MAX = 16;

/** Metrics label for every code we do not serve, so arbitrary input cannot grow the label set. */
export const UNKNOWN_CODE_LABEL = 'unknown';

export type ServiceCodeResult =
  | { readonly ok: true; readonly screen: ScreenId; /** Canonical spelling, "#100#". */ readonly code: string }
  | { readonly ok: false; /** What the customer dialled, bounded, for the reply. */ readonly shown: string };

const SERVICE_CODE_PATTERN = /^[*#](\d{1,6})#$/;

export function parseServiceCode(input: string, tree: MenuTree = USSD_MENU): ServiceCodeResult {
  const compact = input.replace(/\s+/g, '');
  const number = SERVICE_CODE_PATTERN.exec(compact)?.[1];
  const screen = number === undefined ? undefined : tree.entries[number];
  if (number !== undefined && screen !== undefined) return { ok: true, screen, code: `#${number}#` };
  return { ok: false, shown: compact.slice(0, SERVICE_CODE_ECHO_LENGTH_MAX) };
}
