/**
 * Who acts at a desk: a signed-in staff member, as every desk service receives it from the
 * channel (the staff session check). Services decide with it what the actor may see and do;
 * the audit log records it with each action.
 */

export const STAFF_ROLES = ['agent', 'store_manager', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffActor {
  readonly staff_id: string;
  readonly login: string;
  readonly role: StaffRole;
  /** The store the staff member belongs to (stores.id); admins have one too but act everywhere. */
  readonly store_id: string;
  readonly store_code: string;
}

/**
 * May `actor` see or act on what belongs to the store `store_id`? Agents and managers: their own
 * store only; admins: every store. Checked by services, never only by pages.
 */
export function actsForStore(actor: StaffActor, store_id: string): boolean {
  return actor.role === 'admin' || actor.store_id === store_id;
}

/** Managers and admins read the audit log and store reports; agents do not. */
export function managesStore(actor: StaffActor, store_id: string): boolean {
  return actor.role === 'admin' || (actor.role === 'store_manager' && actor.store_id === store_id);
}

/**
 * Turns a staff bearer token into the staff member acting, or nothing when the token is unknown,
 * revoked or expired (inactivity, shift end); touching the session as it does. Implemented by the
 * staff sign-in service; the desk API's staffGuard calls it. A live session whose one-time password
 * is not yet changed throws ROAM_ERR_STAFF_PASSWORD_CHANGE_REQUIRED (403) instead: it may only change it.
 */
export interface StaffAuthenticator {
  authenticate(token: string, client_address: string): Promise<StaffActor | undefined>;
}
