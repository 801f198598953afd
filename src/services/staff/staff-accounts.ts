import { RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { StaffTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { STAFF_ROLES, type StaffRole } from './staff-actor.js';

/**
 * Staff accounts: who may sign in at which store in which role. Logins are lowercase, 3 to 64
 * characters of letters, digits, dot, dash and underscore, starting with a letter or digit: safe
 * to print in a log, a terminal or a page, and never two that differ only in case.
 */

export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;

/** The login as stored: lowercase, trimmed; undefined when it cannot be one (refused with the same answer as a wrong one). */
export function normalizeLogin(login: string): string | undefined {
  const normalized = login.trim().toLowerCase();
  return LOGIN_PATTERN.test(normalized) ? normalized : undefined;
}

export function isStaffRole(role: string): role is StaffRole {
  return (STAFF_ROLES as readonly string[]).includes(role);
}

export interface NewStaffAccount {
  readonly store_code: string;
  readonly role: string;
  readonly login: string;
  readonly password_hash: string;
  readonly password_must_change: boolean;
  readonly totp_secret_sealed: string;
  readonly totp_key_id: string;
}

/** Creates the account; an unknown store, role, a bad or taken login is a RoamError naming it, and creates nothing. */
export async function insertStaff(trx: Executor, account: NewStaffAccount, now_ms: number): Promise<StaffTable> {
  const login = normalizeLogin(account.login);
  if (login === undefined) throw new RoamError('ROAM_ERR_VALIDATION', { field: 'login', reason: 'format' });
  if (!isStaffRole(account.role)) throw new RoamError('ROAM_ERR_STAFF_ROLE_UNKNOWN', { value: account.role });
  const store = await trx.selectFrom('stores').select('id').where('code', '=', account.store_code).executeTakeFirst();
  if (!store) throw new RoamError('ROAM_ERR_STORE_NOT_FOUND', { code: account.store_code });
  const row: StaffTable = {
    id: newId('staff'), store_id: store.id, login, role: account.role, password_hash: account.password_hash,
    password_must_change: account.password_must_change ? 1 : 0, totp_secret_sealed: account.totp_secret_sealed,
    totp_key_id: account.totp_key_id, last_totp_step_used: null, failed_sign_ins: 0, locked_until_ms: null, active: 1,
    created_at_ms: now_ms, updated_at_ms: now_ms,
  };
  const inserted = await trx.insertInto('staff').values(row).onConflict((conflict) => conflict.column('login').doNothing()).executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) throw new RoamError('ROAM_ERR_STAFF_LOGIN_TAKEN', { value: login });
  return row;
}

export async function findStaffByLogin(db: Executor, login: string): Promise<StaffTable | undefined> {
  return db.selectFrom('staff').selectAll().where('login', '=', login).executeTakeFirst();
}

export interface StaffListing {
  readonly login: string;
  readonly role: StaffRole;
  readonly store_code: string;
  readonly active: boolean;
  readonly password_must_change: boolean;
  readonly locked_until_ms: number | null;
  readonly created_at_ms: number;
}

/** Bounds `staff list`: a chain of service halls has far fewer staff. */
export const STAFF_LIST_LIMIT_MAX = 1_000;

/** Every account, without anything secret, by store then login. */
export async function listStaff(db: Executor): Promise<StaffListing[]> {
  const rows = await db.selectFrom('staff').innerJoin('stores', 'stores.id', 'staff.store_id')
    .select(['staff.login', 'staff.role', 'stores.code as store_code', 'staff.active', 'staff.password_must_change', 'staff.locked_until_ms', 'staff.created_at_ms'])
    .orderBy('stores.code').orderBy('staff.login').limit(STAFF_LIST_LIMIT_MAX).execute();
  return rows.map((row) => ({ ...row, active: row.active === 1, password_must_change: row.password_must_change === 1 }));
}
