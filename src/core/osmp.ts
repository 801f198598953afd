import { parseMsisdn } from './phone.js';

/**
 * The OSMP (QIWI) provider protocol's vocabulary, as payment agents speak it (see
 * docs/protocols or shared/protocols/osmp.md): its result codes, the `account` as an agent's till
 * sends a phone number, and `sum` as roubles with a dot. Pure: the partner service and both partner
 * APIs (OSMP XML, signed JSON) read their input through here, so they agree on every edge.
 */

/** The result codes we answer; an agent retries only the non-fatal ones (1). */
export const OSMP_RESULTS = {
  ok: 0,
  temporary: 1,
  account_format: 4,
  account_not_found: 5,
  forbidden: 7,
  account_not_active: 79,
  sum_too_small: 241,
  sum_too_large: 242,
  other: 300,
} as const;
export type OsmpOutcome = keyof typeof OSMP_RESULTS;
export type OsmpResultCode = (typeof OSMP_RESULTS)[OsmpOutcome];

/** Whether the agent must not retry: every refusal but a temporary error is final. */
export function isFinalOutcome(outcome: OsmpOutcome): boolean {
  return outcome !== 'temporary';
}

export type AccountResult = { readonly ok: true; readonly msisdn: string } | { readonly ok: false };

const ACCOUNT_NOTATIONS = [
  /^(\d{10})$/,        // 9001234567: the protocol's own form
  /^[78](\d{10})$/,    // 79001234567, 89001234567: with the country code or the trunk prefix
  /^[+ ](7\d{10})$/,   // +79001234567; a GET query's unescaped "+" arrives as a space
] as const;

/**
 * The phone number an `account` names, as E.164 (+79001234567): ten digits, or eleven starting
 * with 7 or 8, or +7 and ten digits — nothing else (no spaces, dashes or brackets: a till sends
 * digits, and anything else is a typing slip the cashier should see as result 4). The ten digits
 * must be a Russian number by the numbering plan.
 */
export function accountToMsisdn(account: string): AccountResult {
  for (const notation of ACCOUNT_NOTATIONS) {
    const match = notation.exec(account);
    if (!match) continue;
    const national = (match[1] ?? '').slice(-10);
    const parsed = parseMsisdn(`+7${national}`);
    return parsed.ok ? { ok: true, msisdn: parsed.msisdn } : { ok: false };
  }
  return { ok: false };
}

/** Roubles with a dot and up to two decimals ("10", "10.4", "10.45") → kopecks; undefined for anything else. */
export function parseOsmpSum(text: string): number | undefined {
  const match = /^(\d{1,9})(?:\.(\d{1,2}))?$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/** Kopecks → "10.45", as the protocol writes a sum. */
export function formatOsmpSum(amount_minor: number): string {
  const sign = amount_minor < 0 ? '-' : '';
  const abs = Math.abs(amount_minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** The agent's `txn_id`: its own payment number — digits in OSMP, up to 64 letters, digits, `-`, `_`, `.` in the JSON API. */
export const TXN_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** `txn_date` as `YYYYMMDDHHMMSS` (the agent's local time); checked for shape and calendar, not trusted for anything else. */
export function isOsmpTxnDate(text: string): boolean {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    && date.getUTCHours() === hour && date.getUTCMinutes() === minute && date.getUTCSeconds() === second;
}

/**
 * Why we answered what we did, in our words: each has its result code here and a localized comment
 * (i18n `partner`). Stored with a partner payment, so a repeat answers the first result again.
 */
export const PARTNER_REASON_OUTCOMES = {
  account_payable: 'ok',      // check without a sum: the number is ours and active
  pays_pack: 'ok',            // check: this sum buys a pack
  pays_top_up: 'ok',          // check: this sum tops up the line's balance
  paid_pack: 'ok',
  paid_top_up: 'ok',
  account_format: 'account_format',
  account_not_found: 'account_not_found',
  account_not_active: 'account_not_active',
  partner_disabled: 'forbidden',
  sum_too_small: 'sum_too_small',
  sum_too_large: 'sum_too_large',
  sum_format: 'other',
  txn_id_format: 'other',
  txn_date_format: 'other',
  txn_conflict: 'other',
  command_unknown: 'other',
  temporary: 'temporary',
} as const satisfies Record<string, OsmpOutcome>;
export type PartnerReason = keyof typeof PARTNER_REASON_OUTCOMES;

export function isPartnerReason(text: string): text is PartnerReason {
  return Object.hasOwn(PARTNER_REASON_OUTCOMES, text);
}

/** What a reason's comment may name: the pack bought, the partner's sum limits (formatted money). */
export interface PartnerReasonParams {
  readonly pack?: string;
  readonly sum?: string;
  readonly sum_min?: string;
  readonly sum_max?: string;
}
