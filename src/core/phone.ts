import { findNumbers, parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';

/**
 * MSISDNs are stored in E.164 ("+79001234567"). People type "8 900 123-45-67", "9001234567",
 * "+7 (900) 123 45 67": libphonenumber-js with Russia as the default country normalizes all of them.
 * The "max" metadata validates the number plan, not only the length.
 */

export const DEFAULT_PHONE_COUNTRY: CountryCode = 'RU';

export type MsisdnResult = Readonly<{ ok: true; msisdn: string } | { ok: false; problem: 'empty' | 'invalid' }>;

/**
 * Parsing with the full metadata costs ~50 µs — more than the #100# query it guards — and the same
 * few numbers come again and again (every USSD request carries the caller's number). The result
 * depends on the input alone, so answers are kept in a bounded map, oldest out first.
 */
const parsed = new Map<string, MsisdnResult>();
export const PARSED_MSISDNS_CACHED_MAX = 10_000;

export function parseMsisdn(input: string, defaultCountry: CountryCode = DEFAULT_PHONE_COUNTRY): MsisdnResult {
  const key = `${defaultCountry}:${input}`;
  const known = parsed.get(key);
  if (known) return known;
  const result = parseUncached(input, defaultCountry);
  if (parsed.size >= PARSED_MSISDNS_CACHED_MAX) parsed.delete(parsed.keys().next().value as string);
  parsed.set(key, Object.freeze(result));
  return result;
}

function parseUncached(input: string, defaultCountry: CountryCode): MsisdnResult {
  const trimmed = input.trim();
  if (trimmed.length === 0) return { ok: false, problem: 'empty' };
  try {
    const phone = parsePhoneNumberWithError(trimmed, defaultCountry);
    if (!phone.isValid()) return { ok: false, problem: 'invalid' };
    return { ok: true, msisdn: phone.number };
  } catch {
    return { ok: false, problem: 'invalid' };
  }
}

/** "+79001234567" → "+7900***4567": enough to recognise, not enough to harvest. */
export function maskMsisdn(msisdn: string): string {
  if (msisdn.length <= 8) return msisdn.replace(/\d(?=\d{2})/g, '*');
  return `${msisdn.slice(0, 5)}***${msisdn.slice(-4)}`;
}

/** A phone number found inside free text: where it is (UTF-16 offsets, end exclusive) and what it is. */
export interface PhoneNumberInText {
  readonly start: number;
  readonly end: number;
  readonly msisdn: string;
}

/**
 * The numbers in a text that the parser itself accepts as valid, in any notation it reads
 * ("+7 900 123-45-67", "8 (900) 123 45 67", "89001234567", full-width digits …), found by
 * libphonenumber's own matcher rather than by guessing at digit runs: so a receipt number, a
 * timestamp or an id is left alone unless the parser would take it for a number of the plan.
 * Like the parser, the matcher skips digits glued to Latin letters ("ord_0193…", "x79001234567").
 */
export function findPhoneNumbers(text: string, defaultCountry: CountryCode = DEFAULT_PHONE_COUNTRY): readonly PhoneNumberInText[] {
  return findNumbers(text, { defaultCountry, v2: true }).map((found) => {
    // The matcher takes in an opening bracket before the number ("Key (msisdn)=(+7900…)") but not the closing one.
    const unbalanced = text[found.startsAt] === '(' && !text.slice(found.startsAt, found.endsAt).includes(')');
    return { start: found.startsAt + (unbalanced ? 1 : 0), end: found.endsAt, msisdn: found.number.number };
  });
}

/**
 * Each number in a text shown as maskMsisdn shows it, for the CLI's terminal output. Logs use
 * core/redaction.ts, which keeps nothing of a number.
 */
export function maskPhoneNumbersInText(text: string): string {
  let masked = '';
  let from = 0;
  for (const phone of findPhoneNumbers(text)) {
    masked += text.slice(from, phone.start) + maskMsisdn(phone.msisdn);
    from = phone.end;
  }
  return masked + text.slice(from);
}
