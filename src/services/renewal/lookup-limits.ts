import { RoamError } from '../../core/errors.js';
import { parseMsisdn } from '../../core/phone.js';
import type { Database } from '../../db/database.js';
import { clientAddressKey, hitRateLimit, type RateLimitRule } from '../../db/rate-limits.js';
import { inTransaction } from '../../db/transaction.js';
import type { LineRef } from '../lines/lines.js';

/**
 * "Renew any number" needs no sign-in, so it tells anyone whether a number is one of ours — and
 * what a stranger could learn is bounded here: each anonymous look-up (the renewal page's number
 * check, an order made by an anonymous caller) counts against the client's address and against
 * the number asked about, in the database so every server counts alike. The count is committed
 * before the number is looked at, so unknown numbers count exactly as known ones do.
 */

export interface LookupLimits {
  /** Look-ups one client address may make in an hour (IPv6 counted per /64). */
  readonly per_address_hour: number;
  /** Look-ups of one number (or line) in an hour, from all addresses together. */
  readonly per_number_hour: number;
}

/** A traveller renews a few times a day; a hotel desk or a shop on one address a few dozen an hour. */
export const LOOKUP_LIMITS_DEFAULT: LookupLimits = Object.freeze({ per_address_hour: 60, per_number_hour: 20 });
const HOUR_MS = 3_600_000;

export async function countLookup(
  database: Database,
  limits: LookupLimits,
  line: LineRef,
  client_address: string,
  now_ms: number,
): Promise<void> {
  const rules = lookupRules(limits);
  const subject = lookupSubject(line);
  await inTransaction(database, async (trx) => {
    await hitRateLimit(trx, rules.per_address, clientAddressKey(client_address), now_ms);
    await hitRateLimit(trx, rules.per_number, subject, now_ms);
  });
}

function lookupRules(limits: LookupLimits): { per_address: RateLimitRule; per_number: RateLimitRule } {
  return {
    per_address: { scope: 'lookup:ip:1h', window_ms: HOUR_MS, hits_max: limits.per_address_hour },
    per_number: { scope: 'lookup:number:1h', window_ms: HOUR_MS, hits_max: limits.per_number_hour },
  };
}

/** The number as E.164 (any spelling of it counts as the same number); a malformed one is refused first. */
function lookupSubject(line: LineRef): string {
  if ('line_id' in line) return `line:${line.line_id}`;
  const parsed = parseMsisdn(line.msisdn);
  if (!parsed.ok) throw new RoamError('ROAM_ERR_MSISDN_INVALID', { field: 'msisdn', reason: parsed.problem });
  return `msisdn:${parsed.msisdn}`;
}
