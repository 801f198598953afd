import { newId } from '../../core/ids.js';
import type { Executor } from '../../db/transaction.js';
import type { StaffRole } from './staff-actor.js';
import { newStaffToken, STAFF_TOKEN_PATTERN, staffTokenHash } from './staff-crypto.js';

/**
 * Staff sessions: a random bearer token handed out once, of which only the SHA-256 is stored. A
 * session ends at the first of its idle expiry (pushed forward each time it is used), its absolute
 * expiry (set at sign-in: a working day at most), or a revocation (sign-out, shift close, password
 * change).
 */

export type StaffSessionEnd = 'sign_out' | 'shift_closed' | 'password_changed' | 'deactivated';

export interface StaffSessionLimits {
  readonly idle_ms: number;
  readonly max_ms: number;
}

/** Using a session pushes its idle expiry forward; written at most this often, so a busy desk is not a write per request. */
export const SESSION_TOUCH_RESOLUTION_MS = 30_000;

export interface LiveStaffSession {
  readonly session_id: string;
  readonly staff_id: string;
  readonly login: string;
  readonly role: StaffRole;
  readonly store_id: string;
  readonly store_code: string;
  readonly password_must_change: boolean;
  readonly last_seen_at_ms: number;
  readonly idle_expires_at_ms: number;
  readonly expires_at_ms: number;
}

export async function createStaffSession(
  trx: Executor, staff_id: string, limits: StaffSessionLimits, now_ms: number,
): Promise<{ session_id: string; token: string; expires_at_ms: number; idle_expires_at_ms: number }> {
  const token = newStaffToken();
  const session_id = newId('staff_session');
  const expires_at_ms = now_ms + limits.max_ms;
  const idle_expires_at_ms = Math.min(now_ms + limits.idle_ms, expires_at_ms);
  await trx.insertInto('staff_sessions').values({
    id: session_id, staff_id, token_hash: staffTokenHash(token), created_at_ms: now_ms, last_seen_at_ms: now_ms,
    idle_expires_at_ms, expires_at_ms, revoked_at_ms: null, revoke_reason: null,
  }).execute();
  return { session_id, token, expires_at_ms, idle_expires_at_ms };
}

/** The live session of a token with its active staff member; undefined for anything else. */
export async function findLiveStaffSession(db: Executor, token: string, now_ms: number): Promise<LiveStaffSession | undefined> {
  if (!STAFF_TOKEN_PATTERN.test(token)) return undefined;
  const row = await db
    .selectFrom('staff_sessions')
    .innerJoin('staff', 'staff.id', 'staff_sessions.staff_id')
    .innerJoin('stores', 'stores.id', 'staff.store_id')
    .select([
      'staff_sessions.id as session_id', 'staff.id as staff_id', 'staff.login', 'staff.role', 'staff.store_id', 'stores.code as store_code',
      'staff.password_must_change', 'staff_sessions.last_seen_at_ms', 'staff_sessions.idle_expires_at_ms', 'staff_sessions.expires_at_ms',
    ])
    .where('staff_sessions.token_hash', '=', staffTokenHash(token))
    .where('staff_sessions.revoked_at_ms', 'is', null)
    .where('staff_sessions.expires_at_ms', '>', now_ms)
    .where('staff_sessions.idle_expires_at_ms', '>', now_ms)
    .where('staff.active', '=', 1)
    .executeTakeFirst();
  if (!row) return undefined;
  return { ...row, password_must_change: row.password_must_change === 1 };
}

/** Pushes the idle expiry forward (never past the absolute one). */
export async function touchStaffSession(
  db: Executor, session: LiveStaffSession, limits: StaffSessionLimits, now_ms: number,
): Promise<void> {
  if (session.last_seen_at_ms > now_ms - SESSION_TOUCH_RESOLUTION_MS) return;
  await db.updateTable('staff_sessions')
    .set({ last_seen_at_ms: now_ms, idle_expires_at_ms: Math.min(now_ms + limits.idle_ms, session.expires_at_ms) })
    .where('id', '=', session.session_id)
    .where('revoked_at_ms', 'is', null)
    .execute();
}

export async function revokeStaffSession(trx: Executor, session_id: string, reason: StaffSessionEnd, now_ms: number): Promise<void> {
  await trx.updateTable('staff_sessions').set({ revoked_at_ms: now_ms, revoke_reason: reason })
    .where('id', '=', session_id).where('revoked_at_ms', 'is', null).execute();
}

/**
 * Ends every live session of a staff member (the shift close calls it in its own transaction, so
 * the agent is signed out exactly when the shift closes); returns how many were ended.
 * `except_session_id` keeps one (the session that changed the password).
 */
export async function revokeStaffSessions(
  trx: Executor, staff_id: string, reason: StaffSessionEnd, now_ms: number, except_session_id?: string,
): Promise<number> {
  let update = trx.updateTable('staff_sessions').set({ revoked_at_ms: now_ms, revoke_reason: reason })
    .where('staff_id', '=', staff_id).where('revoked_at_ms', 'is', null).where('expires_at_ms', '>', now_ms);
  if (except_session_id !== undefined) update = update.where('id', '!=', except_session_id);
  const result = await update.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
