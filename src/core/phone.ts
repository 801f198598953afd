import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';

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

/** Masks anything that looks like a phone number inside free text (log lines, error messages). */
export function maskPhoneNumbersInText(text: string): string {
  return text.replace(/\+?\d[\d\s()-]{8,}\d/g, (match) => {
    const digits = match.replace(/\D/g, '');
    if (digits.length < 10 || digits.length > 15) return match;
    return maskMsisdn(`${match.startsWith('+') ? '+' : ''}${digits}`);
  });
}
