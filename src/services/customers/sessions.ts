import type { CustomerSessionsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { newCustomerId, newSessionToken, SESSION_TOKEN_PATTERN, sessionTokenHash } from './auth-crypto.js';

/**
 * Sessions: a random token handed out once, of which only the SHA-256 is stored. A session is a
 * cookie session (browser) or a bearer session (app), and its token is only accepted the same
 * way, so a token lifted from one channel does not open the other. Expiry is absolute (set at
 * sign-in, SESSION_TTL_DAYS); sign-out revokes.
 */

export type SessionKind = CustomerSessionsTable['kind'];

/** Signing in on a twenty-first device ends the oldest session. */
export const SESSIONS_PER_CUSTOMER_MAX = 20;
/** last_seen is a hint for people ("signed in on 3 devices"), so it is written at most once a minute. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

export interface CustomerSession {
  readonly session_id: string;
  readonly customer_id: string;
  readonly kind: SessionKind;
  readonly created_at_ms: number;
  readonly expires_at_ms: number;
}

export async function createSession(
  trx: Executor,
  input: { customer_id: string; kind: SessionKind; ttl_ms: number },
  now_ms: number,
): Promise<{ session: CustomerSession; token: string }> {
  const token = newSessionToken();
  const session: CustomerSession = {
    session_id: newCustomerId('session'), customer_id: input.customer_id, kind: input.kind, created_at_ms: now_ms, expires_at_ms: now_ms + input.ttl_ms,
  };
  await trx.insertInto('customer_sessions').values({
    id: session.session_id, customer_id: session.customer_id, token_hash: sessionTokenHash(token), kind: session.kind,
    created_at_ms: now_ms, last_seen_at_ms: now_ms, expires_at_ms: session.expires_at_ms, revoked_at_ms: null,
  }).execute();
  await revokeBeyondLimit(trx, input.customer_id, now_ms);
  return { session, token };
}

/** The live session this token opens, presented the way it was issued; undefined otherwise. */
export async function findSession(db: Executor, token: string, kind: SessionKind, now_ms: number): Promise<CustomerSession | undefined> {
  if (!SESSION_TOKEN_PATTERN.test(token)) return undefined;
  const row = await db
    .selectFrom('customer_sessions')
    .select(['id', 'customer_id', 'kind', 'created_at_ms', 'expires_at_ms'])
    .where('token_hash', '=', sessionTokenHash(token))
    .where('kind', '=', kind)
    .where('revoked_at_ms', 'is', null)
    .where('expires_at_ms', '>', now_ms)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    session_id: row.id, customer_id: row.customer_id, kind: row.kind, created_at_ms: row.created_at_ms, expires_at_ms: row.expires_at_ms,
  };
}

export async function touchSession(db: Executor, session_id: string, now_ms: number): Promise<void> {
  await db
    .updateTable('customer_sessions')
    .set({ last_seen_at_ms: now_ms })
    .where('id', '=', session_id)
    .where('last_seen_at_ms', '<', now_ms - LAST_SEEN_RESOLUTION_MS)
    .execute();
}

export async function revokeSession(trx: Executor, session_id: string, now_ms: number): Promise<void> {
  await trx.updateTable('customer_sessions').set({ revoked_at_ms: now_ms }).where('id', '=', session_id).where('revoked_at_ms', 'is', null).execute();
}

async function revokeBeyondLimit(trx: Executor, customer_id: string, now_ms: number): Promise<void> {
  // Bounded: this runs at every sign-in, so at most SESSIONS_PER_CUSTOMER_MAX + 1 rows are live here.
  const live = await trx
    .selectFrom('customer_sessions')
    .select('id')
    .where('customer_id', '=', customer_id)
    .where('revoked_at_ms', 'is', null)
    .where('expires_at_ms', '>', now_ms)
    .orderBy('created_at_ms', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const excess = live.slice(SESSIONS_PER_CUSTOMER_MAX).map((row) => row.id);
  if (excess.length === 0) return;
  await trx.updateTable('customer_sessions').set({ revoked_at_ms: now_ms }).where('id', 'in', excess).execute();
}
