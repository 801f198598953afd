/**
 * The USSD codes roamcard answers. Travel-SIM guides print `#100#` and `#101#`; Russian operators
 * teach `*100#`: both spellings mean the same service, and spaces typed (or inserted by a gateway)
 * are ignored.
 */

export const USSD_SERVICES = ['balance', 'packages'] as const;
export type UssdService = (typeof USSD_SERVICES)[number];

const SERVICE_BY_NUMBER: Readonly<Record<string, UssdService>> = { '100': 'balance', '101': 'packages' };

/** A code echoed back in "unknown code" is cut to this length: the reply must still fit a screen. */
export const SERVICE_CODE_ECHO_LENGTH_MAX = 16;

/** Metrics label for every code we do not serve, so arbitrary input cannot grow the label set. */
export const UNKNOWN_CODE_LABEL = 'unknown';

export type ServiceCodeResult =
  | { readonly ok: true; readonly service: UssdService; /** Canonical spelling, "#100#". */ readonly code: string }
  | { readonly ok: false; /** What the customer dialled, bounded, for the reply. */ readonly shown: string };

const SERVICE_CODE_PATTERN = /^[*#](\d{1,6})#$/;

export function parseServiceCode(input: string): ServiceCodeResult {
  const compact = input.replace(/\s+/g, '');
  const number = SERVICE_CODE_PATTERN.exec(compact)?.[1];
  const service = number === undefined ? undefined : SERVICE_BY_NUMBER[number];
  if (number !== undefined && service !== undefined) return { ok: true, service, code: `#${number}#` };
  return { ok: false, shown: compact.slice(0, SERVICE_CODE_ECHO_LENGTH_MAX) };
}
