import { RoamError } from '../../core/errors.js';
import { parseIccid } from '../../core/iccid.js';
import type { Language } from '../../core/i18n/languages.js';
import { parseMsisdn } from '../../core/phone.js';
import type { LinesTable, OneTimeCodesTable } from '../../db/schema.js';
import { lockingRows } from '../../db/locks.js';
import type { Executor } from '../../db/transaction.js';
import { codeHmac, newCode, newCustomerId, sameHex, type AuthKeys } from './auth-crypto.js';
import { checkRateLimit, clientAddressKey, hitRateLimit, recordRateLimitHit, underRateLimit, type RateLimitRule } from '../../db/rate-limits.js';
import { queueSms } from './sms-job.js';
import { signInSmsText } from './sms-text.js';

/**
 * One-time sign-in codes: 6 digits, valid 5 minutes, only an HMAC stored. A line has at most one
 * live code: asking again retires the previous one (the owner's newest SMS always works).
 *
 * Limits are set so that nobody can lock the owner out from one address, while guessing stays
 * bounded for everyone together:
 * - asking for codes: per (number, address), per address, and a higher ceiling per number; plus a
 *   cap on SMS to one line that refuses silently (the answer never tells a known line from another);
 * - wrong guesses: per (number, address) — so one address cannot burn the code for everyone —
 *   per address, and per-number ceilings over 15 minutes and a day, across all addresses.
 * Counters are keyed by what was typed (the number, or the ICCID), never by the line it resolves
 * to, so a refusal never reveals which ICCID belongs to which number.
 * Bound: a number's code can be guessed at most CODE_VERIFY_LIMITS.per_target_day.hits_max times
 * a day from all addresses together — a chance of 100 / 10^6 = 0.01 % a day.
 */

export const CODE_TTL_MS = 5 * 60_000;
/** Wrong guesses that kill one code, from all addresses together (one address gets fewer: see below). */
export const CODE_ATTEMPTS_MAX = 15;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Asking for codes. Subjects: "<target>|<address>", "<address>", "<target>", "<line>". */
export const CODE_RATE_LIMITS = {
  /** The resend wait a person sees: one code a minute per number from one address. */
  per_target_minute: { scope: 'code:target-ip:60s', window_ms: MINUTE_MS, hits_max: 1 },
  per_target_address_hour: { scope: 'code:target-ip:1h', window_ms: HOUR_MS, hits_max: 3 },
  per_ip_hour: { scope: 'code:ip:1h', window_ms: HOUR_MS, hits_max: 20 },
  /** All addresses together: above what one address may ask, so a single address cannot use it up. */
  per_target_hour: { scope: 'code:target:1h', window_ms: HOUR_MS, hits_max: 10 },
  /** SMS to one line, by number and ICCID together: beyond it codes are not sent (the answer is the same). */
  sms_per_line_hour: { scope: 'code:sms-line:1h', window_ms: HOUR_MS, hits_max: 10 },
} as const satisfies Record<string, RateLimitRule>;

/** Wrong guesses. */
export const CODE_VERIFY_LIMITS = {
  /** One address guessing one number's code: fewer than the code's own attempts, so it cannot burn the code alone. */
  per_target_address: { scope: 'verify:target-ip:15m', window_ms: 15 * MINUTE_MS, hits_max: 5 },
  per_ip_hour: { scope: 'verify:ip:1h', window_ms: HOUR_MS, hits_max: 20 },
  /** All addresses together: the owner waits at most 15 minutes when many addresses guess at once. */
  per_target_quarter_hour: { scope: 'verify:target:15m', window_ms: 15 * MINUTE_MS, hits_max: 15 },
  per_target_day: { scope: 'verify:target:1d', window_ms: 24 * HOUR_MS, hits_max: 100 },
} as const satisfies Record<string, RateLimitRule>;

export type SignInTarget = { readonly msisdn: string } | { readonly iccid: string };

export interface ResolvedTarget {
  /** Who the limits count against: what was typed ("msisdn:+7…" or "iccid:89…"), known or not. */
  readonly subject: string;
  /** Undefined for an unknown number or ICCID: the caller answers exactly as if it were known. */
  readonly line: LinesTable | undefined;
  readonly via: 'msisdn' | 'iccid';
}

/** Format errors are told (they reveal nothing); whether the line exists is not. Closed lines count as unknown. */
export async function resolveTarget(trx: Executor, target: SignInTarget): Promise<ResolvedTarget> {
  if ('msisdn' in target) {
    const parsed = parseMsisdn(target.msisdn);
    if (!parsed.ok) throw new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: parsed.problem });
    const line = await trx.selectFrom('lines').selectAll().where('msisdn', '=', parsed.msisdn).where('status', '!=', 'closed').executeTakeFirst();
    return { subject: `msisdn:${parsed.msisdn}`, line, via: 'msisdn' };
  }
  const parsed = parseIccid(target.iccid);
  if (!parsed.ok) throw new RoamError('ROAM_ERR_ICCID_INVALID', { field: 'iccid', reason: parsed.problem });
  const line = await trx.selectFrom('lines').selectAll().where('iccid', '=', parsed.iccid).where('status', '!=', 'closed').executeTakeFirst();
  return { subject: `iccid:${parsed.iccid}`, line, via: 'iccid' };
}

/** Counts a code request against the number (with and without the address) and the address; throws ROAM_ERR_RATE_LIMITED. */
export async function limitCodeRequests(trx: Executor, subject: string, ip: string, now_ms: number): Promise<void> {
  const address = clientAddressKey(ip);
  await hitRateLimit(trx, CODE_RATE_LIMITS.per_target_minute, `${subject}|${address}`, now_ms);
  await hitRateLimit(trx, CODE_RATE_LIMITS.per_target_address_hour, `${subject}|${address}`, now_ms);
  await hitRateLimit(trx, CODE_RATE_LIMITS.per_ip_hour, address, now_ms);
  await hitRateLimit(trx, CODE_RATE_LIMITS.per_target_hour, subject, now_ms);
}

/** True (and counted) while the line may get another code by SMS this hour; false refuses silently. */
export async function mayTextLine(trx: Executor, line_id: string, now_ms: number): Promise<boolean> {
  return underRateLimit(trx, CODE_RATE_LIMITS.sms_per_line_hour, line_id, now_ms);
}

/** Refuses a guess (ROAM_ERR_RATE_LIMITED, nothing counted) when this address or everyone has guessed too often. */
export async function checkVerifyLimits(trx: Executor, subject: string, ip: string, now_ms: number): Promise<void> {
  const address = clientAddressKey(ip);
  await checkRateLimit(trx, CODE_VERIFY_LIMITS.per_target_address, `${subject}|${address}`, now_ms);
  await checkRateLimit(trx, CODE_VERIFY_LIMITS.per_ip_hour, address, now_ms);
  await checkRateLimit(trx, CODE_VERIFY_LIMITS.per_target_quarter_hour, subject, now_ms);
  await checkRateLimit(trx, CODE_VERIFY_LIMITS.per_target_day, subject, now_ms);
}

/** Counts a wrong guess everywhere it is limited (the caller commits it). */
export async function recordWrongGuess(trx: Executor, subject: string, ip: string, now_ms: number): Promise<void> {
  const address = clientAddressKey(ip);
  await recordRateLimitHit(trx, CODE_VERIFY_LIMITS.per_target_address, `${subject}|${address}`, now_ms);
  await recordRateLimitHit(trx, CODE_VERIFY_LIMITS.per_ip_hour, address, now_ms);
  await recordRateLimitHit(trx, CODE_VERIFY_LIMITS.per_target_quarter_hour, subject, now_ms);
  await recordRateLimitHit(trx, CODE_VERIFY_LIMITS.per_target_day, subject, now_ms);
}

export interface IssueCodeInput {
  readonly line: LinesTable;
  readonly via: 'msisdn' | 'iccid';
  readonly language: Language;
}

/** Stores a new code (hashed), retires the line's previous one, and queues the SMS in the same transaction. */
export async function issueCode(
  trx: Executor,
  keys: AuthKeys,
  input: IssueCodeInput,
  now_ms: number,
): Promise<{ code_id: string; expires_at_ms: number }> {
  await retireOpenCodes(trx, input.line.id, now_ms);
  const id = newCustomerId('code');
  const code = newCode();
  const expires_at_ms = now_ms + CODE_TTL_MS;
  await trx.insertInto('one_time_codes').values({
    id, purpose: 'sign_in', line_id: input.line.id, msisdn: input.line.msisdn, requested_via: input.via,
    code_hmac: codeHmac(keys, id, code), attempts: 0, attempts_max: CODE_ATTEMPTS_MAX, expires_at_ms, consumed_at_ms: null,
    created_at_ms: now_ms,
  }).execute();
  await queueSms(trx, keys, {
    to_msisdn: input.line.msisdn, language: input.language, text: signInSmsText(input.language, code, CODE_TTL_MS / 60_000),
    send_before_ms: expires_at_ms, line_id: input.line.id, dedupe_key: `sms:${id}`,
  }, now_ms);
  return { code_id: id, expires_at_ms };
}

export type CodeCheck = { readonly ok: true; readonly code: OneTimeCodesTable } | { readonly ok: false };

/**
 * Checks a typed code against the line's live code. A wrong guess is counted (the caller commits
 * it before answering); the fifth wrong guess kills the code. A right one consumes it.
 */
export async function checkCode(trx: Executor, keys: AuthKeys, line_id: string, typed: string, now_ms: number): Promise<CodeCheck> {
  const query = trx
    .selectFrom('one_time_codes')
    .selectAll()
    .where('line_id', '=', line_id)
    .where('purpose', '=', 'sign_in')
    .where('consumed_at_ms', 'is', null)
    .orderBy('created_at_ms', 'desc')
    .limit(1);
  // Concurrent guesses at one code queue on its row, so no more than attempts_max are ever tried.
  const code = await lockingRows(trx, query).executeTakeFirst();
  return code && (await judgeCode(trx, keys, 'one_time_codes', code, typed, now_ms)) ? { ok: true, code } : { ok: false };
}

/** The stored side of any one-time code (sign-in or payment): only its HMAC, and how often it was tried. */
export interface StoredCode {
  readonly id: string;
  readonly code_hmac: string;
  readonly attempts: number;
  readonly attempts_max: number;
  readonly expires_at_ms: number;
}

/**
 * A typed code against its stored row (read locked by the caller): a right one is consumed, a wrong
 * one counted — the caller commits either way before answering. Dead codes (expired, or out of
 * attempts) are refused without a guess being counted.
 */
export async function judgeCode(
  trx: Executor, keys: AuthKeys, table: 'one_time_codes' | 'payment_codes', code: StoredCode, typed: string, now_ms: number,
): Promise<boolean> {
  if (code.expires_at_ms <= now_ms || code.attempts >= code.attempts_max) return false;
  const right = sameHex(codeHmac(keys, code.id, typed), code.code_hmac);
  const change = right ? { consumed_at_ms: now_ms } : { attempts: code.attempts + 1 };
  // Two statements, not one over a union of tables: Kysely types each table's columns apart.
  if (table === 'one_time_codes') await trx.updateTable('one_time_codes').set(change).where('id', '=', code.id).execute();
  else await trx.updateTable('payment_codes').set(change).where('id', '=', code.id).execute();
  return right;
}

/** A superseded code is marked consumed: it can no longer be used, which is all "consumed" promises. */
async function retireOpenCodes(trx: Executor, line_id: string, now_ms: number): Promise<void> {
  await trx
    .updateTable('one_time_codes')
    .set({ consumed_at_ms: now_ms })
    .where('line_id', '=', line_id)
    .where('purpose', '=', 'sign_in')
    .where('consumed_at_ms', 'is', null)
    .execute();
}
