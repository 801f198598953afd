import { RoamError } from '../../core/errors.js';
import { parseIccid } from '../../core/iccid.js';
import type { Language } from '../../core/i18n/languages.js';
import { parseMsisdn } from '../../core/phone.js';
import type { LinesTable, OneTimeCodesTable } from '../../db/schema.js';
import { supportsRowLocks } from '../../db/locks.js';
import type { Executor } from '../../db/transaction.js';
import { codeHmac, newCode, newCustomerId, sameHex, type AuthKeys } from './auth-crypto.js';
import { hitRateLimit, type RateLimitRule } from './rate-limits.js';
import { queueSms } from './sms-job.js';
import { signInSmsText } from './sms-text.js';

/**
 * One-time sign-in codes: 6 digits, valid 5 minutes, 5 attempts, only an HMAC stored. A line has
 * at most one live code: asking again retires the previous one, so attempts cannot be multiplied
 * by asking for several codes at once.
 */

export const CODE_TTL_MS = 5 * 60_000;
export const CODE_ATTEMPTS_MAX = 5;

/** Per number (or per unknown ICCID): one code a minute, five an hour; per client address: twenty an hour. */
export const CODE_RATE_LIMITS = {
  per_target_minute: { scope: 'code:target:60s', window_ms: 60_000, hits_max: 1 },
  per_target_hour: { scope: 'code:target:1h', window_ms: 3_600_000, hits_max: 5 },
  per_ip_hour: { scope: 'code:ip:1h', window_ms: 3_600_000, hits_max: 20 },
} as const satisfies Record<string, RateLimitRule>;

export type SignInTarget = { readonly msisdn: string } | { readonly iccid: string };

export interface ResolvedTarget {
  /** Who the rate limits count against: the line's number when known, else what was typed. */
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
  return { subject: line ? `msisdn:${line.msisdn}` : `iccid:${parsed.iccid}`, line, via: 'iccid' };
}

/** Counts the request against the number and the client address; throws ROAM_ERR_RATE_LIMITED. */
export async function limitCodeRequests(trx: Executor, subject: string, ip: string, now_ms: number): Promise<void> {
  await hitRateLimit(trx, CODE_RATE_LIMITS.per_target_minute, subject, now_ms);
  await hitRateLimit(trx, CODE_RATE_LIMITS.per_target_hour, subject, now_ms);
  await hitRateLimit(trx, CODE_RATE_LIMITS.per_ip_hour, clientAddressKey(ip), now_ms);
}

export interface IssueCodeInput {
  readonly line: LinesTable;
  readonly via: 'msisdn' | 'iccid';
  readonly language: Language;
}

/** Stores a new code (hashed), retires the line's previous one, and queues the SMS in the same transaction. */
export async function issueCode(trx: Executor, keys: AuthKeys, input: IssueCodeInput, now_ms: number): Promise<{ code_id: string; expires_at_ms: number }> {
  await retireOpenCodes(trx, input.line.id, now_ms);
  const id = newCustomerId('code');
  const code = newCode();
  const expires_at_ms = now_ms + CODE_TTL_MS;
  await trx.insertInto('one_time_codes').values({
    id, purpose: 'sign_in', line_id: input.line.id, msisdn: input.line.msisdn, requested_via: input.via,
    code_hmac: codeHmac(keys, id, code), attempts: 0, attempts_max: CODE_ATTEMPTS_MAX, expires_at_ms, consumed_at_ms: null, created_at_ms: now_ms,
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
  let query = trx
    .selectFrom('one_time_codes')
    .selectAll()
    .where('line_id', '=', line_id)
    .where('purpose', '=', 'sign_in')
    .where('consumed_at_ms', 'is', null)
    .orderBy('created_at_ms', 'desc')
    .limit(1);
  // Concurrent guesses at one code queue on its row, so no more than attempts_max are ever tried.
  if (supportsRowLocks(trx)) query = query.forUpdate();
  const code = await query.executeTakeFirst();
  if (!code || code.expires_at_ms <= now_ms || code.attempts >= code.attempts_max) return { ok: false };
  if (!sameHex(codeHmac(keys, code.id, typed), code.code_hmac)) {
    await trx.updateTable('one_time_codes').set({ attempts: code.attempts + 1 }).where('id', '=', code.id).execute();
    return { ok: false };
  }
  await trx.updateTable('one_time_codes').set({ consumed_at_ms: now_ms }).where('id', '=', code.id).execute();
  return { ok: true, code };
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

/**
 * The rate-limit key of a client address. IPv6 clients usually hold a whole /64, so they are
 * counted per /64; IPv4 (and IPv4-mapped IPv6) per address.
 */
export function clientAddressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `ip:${mapped[1]}`;
  if (!ip.includes(':')) return `ip:${ip}`;
  return `ip6:${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
}

const IPV6_GROUPS = 8;

function ipv6Groups(ip: string): string[] {
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(Math.max(IPV6_GROUPS - left.length - right.length, 0)).fill('0');
  return [...left, ...zeros, ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
