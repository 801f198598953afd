import { sql } from 'kysely';
import { RoamError } from '../core/errors.js';
import type { Executor } from './transaction.js';

/**
 * Fixed-window rate limits kept in the database, so every server process counts the same hits.
 * A window is [start, start + window_ms) with start a multiple of window_ms. Hits are counted with
 * an upsert that returns the new count; on PostgreSQL the conflicting row's lock serialises
 * concurrent hits, so two processes cannot both take the last one.
 */

export interface RateLimitRule {
  /** Names the counter: one row per (scope, subject, window). */
  readonly scope: string;
  readonly window_ms: number;
  readonly hits_max: number;
}

export const MS_PER_SECOND = 1_000;

/** Counts a hit; throws ROAM_ERR_RATE_LIMITED (with retry_after_s) when it is over the limit. */
export async function hitRateLimit(trx: Executor, rule: RateLimitRule, subject: string, now_ms: number): Promise<void> {
  const window_start_ms = windowStartMs(rule, now_ms);
  const row = await trx
    .insertInto('rate_limit_windows')
    .values({ scope: rule.scope, subject, window_start_ms, hits: 1 })
    .onConflict((conflict) => conflict.columns(['scope', 'subject', 'window_start_ms']).doUpdateSet({ hits: sql`rate_limit_windows.hits + 1` }))
    .returning('hits')
    .executeTakeFirstOrThrow();
  // The caller's transaction rolls back on this error, so a refused request is not counted.
  if (row.hits > rule.hits_max) throw rateLimited(rule, now_ms);
}

/** Counts a hit when the window has room and says so; false (nothing counted) when it is full. For limits that refuse silently. */
export async function underRateLimit(trx: Executor, rule: RateLimitRule, subject: string, now_ms: number): Promise<boolean> {
  const row = await trx.selectFrom('rate_limit_windows').select('hits')
    .where('scope', '=', rule.scope).where('subject', '=', subject).where('window_start_ms', '=', windowStartMs(rule, now_ms)).executeTakeFirst();
  if (row && row.hits >= rule.hits_max) return false;
  await recordRateLimitHit(trx, rule, subject, now_ms);
  return true;
}

/** Refuses when the window is already full, without counting (for limits that count failures only). */
export async function checkRateLimit(trx: Executor, rule: RateLimitRule, subject: string, now_ms: number): Promise<void> {
  const row = await trx
    .selectFrom('rate_limit_windows')
    .select('hits')
    .where('scope', '=', rule.scope)
    .where('subject', '=', subject)
    .where('window_start_ms', '=', windowStartMs(rule, now_ms))
    .executeTakeFirst();
  if (row && row.hits >= rule.hits_max) throw rateLimited(rule, now_ms);
}

/** Counts a hit that must stay counted (a failure): never throws for the limit itself. */
export async function recordRateLimitHit(trx: Executor, rule: RateLimitRule, subject: string, now_ms: number): Promise<void> {
  await trx
    .insertInto('rate_limit_windows')
    .values({ scope: rule.scope, subject, window_start_ms: windowStartMs(rule, now_ms), hits: 1 })
    .onConflict((conflict) => conflict.columns(['scope', 'subject', 'window_start_ms']).doUpdateSet({ hits: sql`rate_limit_windows.hits + 1` }))
    .execute();
}

/** Deletes windows that ended before `before_ms`; returns how many. */
export async function purgeRateLimitWindows(trx: Executor, before_ms: number): Promise<number> {
  const result = await trx.deleteFrom('rate_limit_windows').where('window_start_ms', '<', before_ms).executeTakeFirst();
  return Number(result.numDeletedRows);
}

function windowStartMs(rule: RateLimitRule, now_ms: number): number {
  return Math.floor(now_ms / rule.window_ms) * rule.window_ms;
}

function rateLimited(rule: RateLimitRule, now_ms: number): RoamError {
  const retry_after_ms = windowStartMs(rule, now_ms) + rule.window_ms - now_ms;
  return new RoamError('ROAM_ERR_RATE_LIMITED', { retry_after_s: Math.max(1, Math.ceil(retry_after_ms / MS_PER_SECOND)) });
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
