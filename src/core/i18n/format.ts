import { CURRENCY_MINOR_DIGITS, type Currency } from '../money.js';
import { BYTES_PER_MB, SECONDS_PER_MINUTE } from '../units.js';
import { isRoamError, type RoamError } from '../errors.js';
import type { Language } from './languages.js';
import { messagesFor } from './messages.js';

/** Narrow and no-break spaces from Intl become plain spaces: USSD screens and terminals mangle them. */
const plainSpaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, fraction_digits: number): Intl.NumberFormat {
  const key = `${locale}/${fraction_digits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { minimumFractionDigits: fraction_digits, maximumFractionDigits: fraction_digits });
    numberFormats.set(key, format);
  }
  return format;
}

export function formatMoney(amount_minor: number, language: Language, currency: Currency = 'RUB'): string {
  const messages = messagesFor(language);
  const digits = CURRENCY_MINOR_DIGITS[currency];
  const value = numberFormat(messages.locale, digits).format(amount_minor / 10 ** digits);
  const symbol = currency === 'RUB' ? messages.currency_rub : currency;
  return plainSpaces(`${value} ${symbol}`);
}

export function formatData(bytes: number, language: Language): string {
  const { units, locale } = messagesFor(language);
  const mb = bytes / BYTES_PER_MB;
  if (mb >= 1024) return plainSpaces(`${numberFormat(locale, 1).format(Math.floor((mb / 1024) * 10) / 10)} ${units.gb}`);
  return plainSpaces(`${numberFormat(locale, 0).format(Math.floor(mb))} ${units.mb}`);
}

export function formatVoice(seconds: number, language: Language): string {
  const { units, locale } = messagesFor(language);
  if (seconds > 0 && seconds < SECONDS_PER_MINUTE) return units.less_than_minute;
  const separator = language.startsWith('zh') ? '' : ' ';
  return plainSpaces(`${numberFormat(locale, 0).format(Math.floor(seconds / SECONDS_PER_MINUTE))}${separator}${units.minutes}`);
}

export function formatSms(count: number, language: Language): string {
  const { units, locale } = messagesFor(language);
  const separator = language.startsWith('zh') ? '' : ' ';
  return plainSpaces(`${numberFormat(locale, 0).format(count)}${separator}${units.sms}`);
}

/** Short date and time in the customer's zone: "26.11 21:50" (ru), "26 Nov 21:50" (en), "11月26日 21:50" (zh). */
export function formatShortDateTime(at_ms: number, language: Language, time_zone: string): string {
  const parts = shortDateTimeFormat(time_zone).formatToParts(new Date(at_ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const [day, month, hour, minute] = [part('day'), part('month'), part('hour'), part('minute')];
  switch (language) {
    case 'ru': return `${day}.${month} ${hour}:${minute}`;
    case 'en': return `${Number(day)} ${MONTHS_EN[Number(month) - 1]} ${hour}:${minute}`;
    case 'zh-Hans':
    case 'zh-Hant': return `${Number(month)}月${Number(day)}日 ${hour}:${minute}`;
  }
}

/** Building an Intl formatter for a zone costs ~150 µs; there are a few dozen zones, so keep them. */
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function shortDateTimeFormat(time_zone: string): Intl.DateTimeFormat {
  let format = dateTimeFormats.get(time_zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone: time_zone, day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    dateTimeFormats.set(time_zone, format);
  }
  return format;
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The localized sentence for an error; field problems ("luhn", "length") are translated too. */
export function describeError(error: RoamError, language: Language): string {
  const messages = messagesFor(language);
  const reason = error.params.reason ? (messages.field_problems[error.params.reason] ?? error.params.reason) : undefined;
  return messages.errors[error.code]({ ...error.params, ...(reason === undefined ? {} : { reason }) });
}

/** For any thrown value: the localized text for domain errors, the generic internal text otherwise. */
export function describeAnyError(error: unknown, language: Language): string {
  if (isRoamError(error)) return describeError(error, language);
  return messagesFor(language).errors.ROAM_ERR_INTERNAL({});
}

/**
 * Why a payment or an order failed (or ended), as the customer reads it. A code without its own
 * text (a provider's new decline reason) reads as "declined": never a raw code to a customer.
 */
export function failureText(code: string | null, language: Language): { readonly code: string; readonly message: string } | null {
  if (code === null) return null;
  const texts: Readonly<Record<string, string>> = messagesFor(language).renewal.payment_failures;
  return { code, message: texts[code] ?? messagesFor(language).renewal.payment_failures.declined };
}
