import { sql } from 'kysely';
import { RoamError } from '../../core/errors.js';
import { STAFF_FAILED_SIGN_INS_MAX, STAFF_LOCKOUT_MINUTES } from '../../core/i18n/staff-limits.js';
import type { AuditLogTable, StaffTable } from '../../db/schema.js';
import type { Database } from '../../db/database.js';
import { checkRateLimit, clientAddressKey, recordRateLimitHit, type RateLimitRule } from '../../db/rate-limits.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import { AUDIT_LIST_LIMIT_MAX, listAudit, recordAudit } from '../audit/audit-log.js';
import { PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN } from '../../core/i18n/staff-limits.js';
import { managesStore, type StaffActor, type StaffAuthenticator } from './staff-actor.js';
import { findStaffByLogin, insertStaff, listStaff, normalizeLogin, type StaffListing } from './staff-accounts.js';
import {
  decoyPasswordHash, deriveTotpSealingKey, hashPassword, newOneTimePassword, newTotpSecret,
  passwordMatches, sealTotpSecret, totpEnrolmentUri, totpStepOf, unsealTotpSecret, type TotpSealingKey,
} from './staff-crypto.js';
import {
  createStaffSession, findLiveStaffSession, revokeStaffSession, revokeStaffSessions, touchStaffSession,
  type LiveStaffSession, type StaffSessionLimits,
} from './staff-sessions.js';

/**
 * Staff sign-in and accounts: the StaffAuthenticator of the desk API, sign-in with a password and
 * a TOTP code, lockout, sessions, password change, and the audit log's reading for managers.
 *
 * Every failed sign-in — unknown login, wrong password, wrong or replayed code, locked or inactive
 * account — gets the same answer (ROAM_ERR_STAFF_SIGN_IN_FAILED) after the same work (one argon2
 * verification), so the answer does not tell whether a login exists. The reason is kept in the
 * audit log, for managers.
 */

/** Consecutive failures that lock an account, and for how long (core/i18n/staff-limits.ts: messages name them). */
export { STAFF_FAILED_SIGN_INS_MAX };
export const STAFF_LOCKOUT_MS = STAFF_LOCKOUT_MINUTES * 60_000;

/**
 * Failed sign-ins from one client address, over all logins: a service hall behind one address
 * has a handful of staff, who rarely fail 20 times in 15 minutes; someone guessing across logins
 * does. Only failures count, so a busy hall's sign-ins are never refused.
 */
export const STAFF_SIGN_IN_LIMITS = {
  failures_per_address: { scope: 'staff-sign-in:ip:15m', window_ms: 15 * 60_000, hits_max: 20 },
} as const satisfies Record<string, RateLimitRule>;

export type SignInFailure = 'unknown_login' | 'wrong_password' | 'wrong_totp' | 'totp_replayed' | 'totp_key_mismatch' | 'locked' | 'inactive';

export interface StaffServiceOptions {
  readonly database: Database;
  readonly clock: Clock;
  /** AUTH_SECRET: the TOTP secrets are sealed under a key derived from it. */
  readonly auth_secret: string;
  readonly session_limits: StaffSessionLimits;
}

export interface SignInInput {
  readonly login: string;
  readonly password: string;
  readonly totp: string;
  readonly client_address: string;
}

export interface StaffSignedIn {
  readonly token: string;
  readonly session_id: string;
  readonly expires_at_ms: number;
  readonly idle_expires_at_ms: number;
  readonly actor: StaffActor;
  readonly password_must_change: boolean;
}

/** What `roamcard staff add` prints once: nothing of it is kept in clear. */
export interface StaffEnrolment {
  readonly login: string;
  readonly role: string;
  readonly store_code: string;
  readonly one_time_password: string;
  readonly totp_secret: string;
  readonly totp_uri: string;
}

export interface AuditReadQuery {
  readonly store_code?: string | undefined;
  readonly subject?: { readonly type: string; readonly id: string } | undefined;
  readonly before_ms?: number | undefined;
  readonly limit: number;
}

interface Verdict {
  readonly staff: StaffTable | undefined;
  readonly step?: number;
  readonly failure?: SignInFailure;
}

export class StaffService implements StaffAuthenticator {
  readonly #options: StaffServiceOptions;
  readonly #totp_key: TotpSealingKey;

  constructor(options: StaffServiceOptions) {
    this.#options = options;
    this.#totp_key = deriveTotpSealingKey(options.auth_secret);
    // Made now, not at the first unknown login: that one would otherwise take twice as long as the others.
    void decoyPasswordHash();
  }

  /** A new account with a one-time password and a new TOTP secret (the CLI's `staff add`). */
  async addStaff(input: { store_code: string; role: string; login: string }): Promise<StaffEnrolment> {
    const one_time_password = newOneTimePassword();
    const totp_secret = newTotpSecret();
    const row = await this.#createAccount({ ...input, password: one_time_password, totp_secret, password_must_change: true });
    return {
      login: row.login, role: row.role, store_code: input.store_code, one_time_password, totp_secret,
      totp_uri: totpEnrolmentUri(totp_secret, row.login),
    };
  }

  /** An account with a chosen password and TOTP secret, unless the login exists (the demo seed only). */
  async ensureStaff(input: {
    store_code: string; role: string; login: string; password: string; totp_secret: string; password_must_change: boolean;
  }): Promise<boolean> {
    if (await findStaffByLogin(this.#db, input.login)) return false;
    try {
      await this.#createAccount(input);
      return true;
    } catch (error) {
      if (error instanceof RoamError && error.code === 'ROAM_ERR_STAFF_LOGIN_TAKEN') return false;
      throw error;
    }
  }

  /**
   * The demo agent across restarts of a demo server without AUTH_SECRET: its TOTP secret is sealed
   * under a key that dies with the process. The demo secret is public, so when an account still
   * holds the public demo password (it is the demo's own — anyone could sign in to it anyway) and its
   * secret was sealed under another key, it is sealed again under this one. Any other account is
   * left alone. Returns whether it resealed.
   */
  async resealDemoTotp(input: { login: string; password: string; totp_secret: string }): Promise<boolean> {
    const staff = await findStaffByLogin(this.#db, input.login);
    if (!staff || staff.totp_key_id === this.#totp_key.key_id) return false;
    if (!(await passwordMatches(staff.password_hash, input.password))) return false;
    const now_ms = this.#now();
    await this.#tx(async (trx) => {
      await trx.updateTable('staff').set({
        totp_secret_sealed: sealTotpSecret(this.#totp_key, input.totp_secret), totp_key_id: this.#totp_key.key_id, updated_at_ms: now_ms,
      }).where('id', '=', staff.id).where('totp_key_id', '=', staff.totp_key_id).execute();
      await recordAudit(trx, {
        actor: null, action: 'staff.demo_totp_resealed', subject_type: 'staff', subject_id: staff.id, store_id: staff.store_id,
      }, now_ms);
    });
    return true;
  }

  async signIn(input: SignInInput): Promise<StaffSignedIn> {
    const now_ms = this.#now();
    const address = clientAddressKey(input.client_address);
    await checkRateLimit(this.#db, STAFF_SIGN_IN_LIMITS.failures_per_address, address, now_ms);
    const verdict = await this.#verify(input, now_ms);
    const signed_in = await this.#tx(async (trx) => {
      const failure = verdict.failure ?? (await this.#claimStep(trx, verdict, now_ms) ? undefined : 'totp_replayed');
      if (failure === undefined && verdict.staff) return this.#openSession(trx, verdict.staff, input.client_address, now_ms);
      await recordRateLimitHit(trx, STAFF_SIGN_IN_LIMITS.failures_per_address, address, now_ms);
      await this.#recordFailure(trx, verdict.staff, input, failure ?? 'wrong_totp', now_ms);
      return undefined;
    });
    if (!signed_in) throw new RoamError('ROAM_ERR_STAFF_SIGN_IN_FAILED');
    return signed_in;
  }

  /**
   * The desk API's check (staffGuard): the staff member of a live session. A session whose
   * one-time password is still unchanged may only change it: ROAM_ERR_STAFF_PASSWORD_CHANGE_REQUIRED.
   */
  async authenticate(token: string, _client_address: string): Promise<StaffActor | undefined> {
    const session = await this.session(token);
    if (session?.password_must_change) throw new RoamError('ROAM_ERR_STAFF_PASSWORD_CHANGE_REQUIRED');
    return session === undefined ? undefined : actorOf(session);
  }

  /** The live session of a token, whether or not its password must change (sign-out, /me, the password change). */
  async session(token: string): Promise<LiveStaffSession | undefined> {
    const now_ms = this.#now();
    const session = await findLiveStaffSession(this.#db, token, now_ms);
    if (session) await touchStaffSession(this.#db, session, this.#options.session_limits, now_ms);
    return session;
  }

  async signOut(session: LiveStaffSession, client_address: string): Promise<void> {
    const now_ms = this.#now();
    await this.#tx(async (trx) => {
      await revokeStaffSession(trx, session.session_id, 'sign_out', now_ms);
      await recordAudit(trx, { actor: actorOf(session), action: 'staff.signed_out', subject_type: 'staff', subject_id: session.staff_id, client_address }, now_ms);
    });
  }

  /**
   * Replaces the password (the one-time one at first sign-in): the current one must be right, the
   * new one long enough and not the current one. The other sessions of the account end.
   */
  async changePassword(
    session: LiveStaffSession, input: { current_password: string; new_password: string; client_address: string },
  ): Promise<void> {
    const now_ms = this.#now();
    const staff = await this.#db.selectFrom('staff').selectAll().where('id', '=', session.staff_id).executeTakeFirstOrThrow();
    const current_ok = await passwordMatches(staff.password_hash, input.current_password);
    if (!current_ok) {
      await this.#tx((trx) => this.#recordFailure(trx, staff, { login: staff.login, client_address: input.client_address }, 'wrong_password', now_ms));
      throw new RoamError('ROAM_ERR_STAFF_PASSWORD_WRONG', { field: 'current_password' });
    }
    checkNewPassword(input.new_password, input.current_password, staff.login);
    const password_hash = await hashPassword(input.new_password);
    await this.#tx(async (trx) => {
      await trx.updateTable('staff').set({ password_hash, password_must_change: 0, updated_at_ms: now_ms }).where('id', '=', staff.id).execute();
      const ended = await revokeStaffSessions(trx, staff.id, 'password_changed', now_ms, session.session_id);
      await recordAudit(trx, {
        actor: actorOf(session), action: 'staff.password_changed', subject_type: 'staff', subject_id: staff.id,
        client_address: input.client_address, after: { was_one_time: staff.password_must_change === 1, other_sessions_ended: ended },
      }, now_ms);
    });
  }

  /** Lifts a lockout before its time (`roamcard staff unlock`); ROAM_ERR_STAFF_NOT_FOUND for an unknown login. */
  async unlock(login: string): Promise<void> {
    const now_ms = this.#now();
    const normalized = normalizeLogin(login);
    await this.#tx(async (trx) => {
      const staff = normalized === undefined ? undefined : await findStaffByLogin(trx, normalized);
      if (!staff) throw new RoamError('ROAM_ERR_STAFF_NOT_FOUND', { value: login });
      await trx.updateTable('staff').set({ locked_until_ms: null, failed_sign_ins: 0, updated_at_ms: now_ms }).where('id', '=', staff.id).execute();
      await recordAudit(trx, {
        actor: null, action: 'staff.unlocked', subject_type: 'staff', subject_id: staff.id, store_id: staff.store_id,
        before: { locked_until_ms: staff.locked_until_ms, failed_sign_ins: staff.failed_sign_ins },
      }, now_ms);
    });
  }

  listStaff(): Promise<StaffListing[]> {
    return listStaff(this.#db);
  }

  /**
   * The audit log as `actor` may read it: a store manager their own store's entries (the default),
   * an admin any store's or all; agents none. Another store is ROAM_ERR_STAFF_STORE_FORBIDDEN.
   */
  async readAudit(actor: StaffActor, query: AuditReadQuery): Promise<Array<AuditLogTable & { store_code: string | null }>> {
    const store_id = await this.#auditStore(actor, query.store_code);
    const rows = await listAudit(this.#db, {
      ...(store_id === undefined ? {} : { store_id }), ...(query.subject ? { subject: query.subject } : {}),
      ...(query.before_ms === undefined ? {} : { before_ms: query.before_ms }), limit: Math.min(query.limit, AUDIT_LIST_LIMIT_MAX),
    });
    const codes = new Map((await this.#db.selectFrom('stores').select(['id', 'code']).execute()).map((store) => [store.id, store.code]));
    return rows.map((row) => ({ ...row, store_code: row.store_id === null ? null : (codes.get(row.store_id) ?? null) }));
  }

  async #auditStore(actor: StaffActor, store_code: string | undefined): Promise<string | undefined> {
    if (store_code === undefined) {
      if (actor.role === 'admin') return undefined;
      if (!managesStore(actor, actor.store_id)) throw new RoamError('ROAM_ERR_STAFF_STORE_FORBIDDEN');
      return actor.store_id;
    }
    const store = await this.#db.selectFrom('stores').select('id').where('code', '=', store_code).executeTakeFirst();
    // Another store is forbidden whether or not it exists: a manager learns nothing of other stores.
    if (!store || !managesStore(actor, store.id)) {
      if (actor.role === 'admin') throw new RoamError('ROAM_ERR_STORE_NOT_FOUND', { code: store_code });
      throw new RoamError('ROAM_ERR_STAFF_STORE_FORBIDDEN');
    }
    return store.id;
  }

  async #createAccount(input: {
    store_code: string; role: string; login: string; password: string; totp_secret: string; password_must_change: boolean;
  }): Promise<StaffTable> {
    const now_ms = this.#now();
    const password_hash = await hashPassword(input.password);
    return this.#tx(async (trx) => {
      const row = await insertStaff(trx, {
        store_code: input.store_code, role: input.role, login: input.login, password_hash, password_must_change: input.password_must_change,
        totp_secret_sealed: sealTotpSecret(this.#totp_key, input.totp_secret), totp_key_id: this.#totp_key.key_id,
      }, now_ms);
      await recordAudit(trx, {
        actor: null, action: 'staff.created', subject_type: 'staff', subject_id: row.id, store_id: row.store_id,
        after: { login: row.login, role: row.role, store_code: input.store_code, password_must_change: input.password_must_change },
      }, now_ms);
      return row;
    });
  }

  /** One argon2 verification whatever the case, then the TOTP code; nothing written yet. */
  async #verify(input: SignInInput, now_ms: number): Promise<Verdict> {
    const login = normalizeLogin(input.login);
    const staff = login === undefined ? undefined : await findStaffByLogin(this.#db, login);
    const usable = staff !== undefined && staff.active === 1 && !(staff.locked_until_ms !== null && staff.locked_until_ms > now_ms);
    const password_ok = await passwordMatches(usable ? staff.password_hash : await decoyPasswordHash(), input.password);
    if (!staff) return { staff, failure: 'unknown_login' };
    if (staff.active !== 1) return { staff, failure: 'inactive' };
    if (!usable) return { staff, failure: 'locked' };
    if (!password_ok) return { staff, failure: 'wrong_password' };
    const secret = staff.totp_key_id === this.#totp_key.key_id ? unsealTotpSecret(this.#totp_key, staff.totp_secret_sealed) : undefined;
    if (secret === undefined) return { staff, failure: 'totp_key_mismatch' };
    const step = /^\d{6}$/.test(input.totp) ? totpStepOf(secret, input.totp, now_ms) : undefined;
    if (step === undefined) return { staff, failure: 'wrong_totp' };
    return { staff, step };
  }

  /**
   * Takes the code's step for good: refused when this step or a later one was already used (a
   * replay), or the account was locked or deactivated meanwhile.
   */
  async #claimStep(trx: Executor, verdict: Verdict, now_ms: number): Promise<boolean> {
    if (!verdict.staff || verdict.step === undefined) return false;
    const step = verdict.step;
    const result = await trx.updateTable('staff')
      .set({ last_totp_step_used: step, failed_sign_ins: 0, locked_until_ms: null, updated_at_ms: now_ms })
      .where('id', '=', verdict.staff.id).where('active', '=', 1)
      .where((eb) => eb.or([eb('locked_until_ms', 'is', null), eb('locked_until_ms', '<=', now_ms)]))
      .where((eb) => eb.or([eb('last_totp_step_used', 'is', null), eb('last_totp_step_used', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async #openSession(trx: Executor, staff: StaffTable, client_address: string, now_ms: number): Promise<StaffSignedIn> {
    const session = await createStaffSession(trx, staff.id, this.#options.session_limits, now_ms);
    const store = await trx.selectFrom('stores').select('code').where('id', '=', staff.store_id).executeTakeFirstOrThrow();
    const actor: StaffActor = {
      staff_id: staff.id, login: staff.login, role: staff.role, store_id: staff.store_id, store_code: store.code,
    };
    await recordAudit(trx, {
      actor, action: 'staff.signed_in', subject_type: 'staff_session', subject_id: session.session_id, client_address,
      after: { expires_at_ms: session.expires_at_ms, password_must_change: staff.password_must_change === 1 },
    }, now_ms);
    return { ...session, actor, password_must_change: staff.password_must_change === 1 };
  }

  /** Counts the failure against the account (locking it at the limit) and writes it to the audit log. */
  async #recordFailure(
    trx: Executor, staff: StaffTable | undefined, input: { login: string; client_address: string }, failure: SignInFailure, now_ms: number,
  ): Promise<void> {
    const base = { actor: null, subject_type: 'staff', client_address: input.client_address } as const;
    if (!staff) {
      // The login as typed, bounded: it may be logged (never the password or the code).
      await recordAudit(trx, { ...base, action: 'staff.sign_in_failed', after: { reason: failure, login: input.login.slice(0, 64) } }, now_ms);
      return;
    }
    const counts = failure !== 'locked' && failure !== 'inactive';
    const failed_sign_ins = counts ? await countFailure(trx, staff.id, now_ms) : staff.failed_sign_ins;
    const locks = failed_sign_ins >= STAFF_FAILED_SIGN_INS_MAX && counts;
    if (locks) {
      // Locked: the count starts again from zero when the lock ends.
      await trx.updateTable('staff').set({ failed_sign_ins: 0, locked_until_ms: now_ms + STAFF_LOCKOUT_MS }).where('id', '=', staff.id).execute();
    }
    const subject = { ...base, subject_id: staff.id, store_id: staff.store_id };
    await recordAudit(trx, { ...subject, action: 'staff.sign_in_failed', after: { reason: failure, login: staff.login, failed_sign_ins } }, now_ms);
    if (locks) {
      await recordAudit(trx, { ...subject, action: 'staff.locked', after: { locked_until_ms: now_ms + STAFF_LOCKOUT_MS, failures: failed_sign_ins } }, now_ms);
    }
  }

  get #db(): Executor {
    return this.#options.database.db;
  }

  #now(): number {
    return this.#options.clock.now_ms();
  }

  #tx<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    return inTransaction(this.#options.database, work);
  }
}

export function actorOf(session: LiveStaffSession): StaffActor {
  const { staff_id, login, role, store_id, store_code } = session;
  return { staff_id, login, role, store_id, store_code };
}

/** Counted in the database (two failures at once both count); the new count. */
async function countFailure(trx: Executor, staff_id: string, now_ms: number): Promise<number> {
  const row = await trx.updateTable('staff').set({ failed_sign_ins: sql<number>`failed_sign_ins + 1`, updated_at_ms: now_ms })
    .where('id', '=', staff_id).returning('failed_sign_ins').executeTakeFirstOrThrow();
  return Number(row.failed_sign_ins);
}

/** A new password: long enough, bounded, not the current (one-time) one, not the login. */
function checkNewPassword(new_password: string, current_password: string, login: string): void {
  const reason = new_password.length < PASSWORD_LENGTH_MIN ? 'too_short'
    : new_password.length > PASSWORD_LENGTH_MAX ? 'too_long'
      : new_password === current_password ? 'same_as_current'
        : new_password.toLowerCase().includes(login) ? 'contains_login' : undefined;
  if (reason !== undefined) throw new RoamError('ROAM_ERR_STAFF_PASSWORD_REJECTED', { field: 'new_password', reason });
}
