import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * staff and staff_sessions: the accounts that sign in at the service-hall desk, bound to a store.
 * - No password is stored: only its argon2id hash (services/staff/staff-crypto.ts).
 * - The TOTP secret is stored sealed (AES-256-GCM under a key derived from AUTH_SECRET), with the
 *   key's id, so a copy of the database alone does not let anyone compute codes.
 * - last_totp_step_used refuses a code's replay: a step is accepted once, and never one before it.
 * - A session token is never stored: only its SHA-256 (the token has 256 random bits). A session
 *   ends at the first of: idle expiry (pushed forward on use), absolute expiry, revocation.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('staff')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('login', 'text', (c) => c.notNull().unique().check(sql`login = lower(login) and length(login) between 3 and 64`))
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('agent', 'store_manager', 'admin')`))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_must_change', 'integer', (c) => c.notNull().check(sql`password_must_change in (0, 1)`))
    .addColumn('totp_secret_sealed', 'text', (c) => c.notNull())
    .addColumn('totp_key_id', 'text', (c) => c.notNull())
    .addColumn('last_totp_step_used', big)
    .addColumn('failed_sign_ins', 'integer', (c) => c.notNull().check(sql`failed_sign_ins >= 0`))
    .addColumn('locked_until_ms', big)
    .addColumn('active', 'integer', (c) => c.notNull().check(sql`active in (0, 1)`))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('staff_store').on('staff').columns(['store_id', 'login']).execute();

  await db.schema
    .createTable('staff_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('last_seen_at_ms', big, (c) => c.notNull())
    .addColumn('idle_expires_at_ms', big, (c) => c.notNull())
    .addColumn('expires_at_ms', big, (c) => c.notNull())
    .addColumn('revoked_at_ms', big)
    .addColumn('revoke_reason', 'text')
    .addCheckConstraint('staff_sessions_idle_within_absolute', sql`idle_expires_at_ms <= expires_at_ms`)
    .execute();
  // Revoking a staff member's live sessions (shift close, password change) finds them by staff.
  await db.schema.createIndex('staff_sessions_staff').on('staff_sessions').columns(['staff_id', 'revoked_at_ms']).execute();
  await db.schema.createIndex('staff_sessions_expiry').on('staff_sessions').column('expires_at_ms').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('staff_sessions').execute();
  await db.schema.dropTable('staff').execute();
}
