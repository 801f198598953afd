import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * Customer identity for the self-service site and app: customers, the lines each may see, one-time
 * sign-in codes, sessions, and fixed-window rate-limit counters.
 * - A code is never stored: only HMAC-SHA256(server secret, code id + code), so a copy of the
 *   database does not let anyone try the 10^6 codes offline.
 * - A session token is never stored: only its SHA-256 (the token has 256 random bits).
 * - Rate-limit counters live here, not in process memory, so several server processes agree.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;

  await db.schema
    .createTable('customers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // The line the customer signed up with: who proves possession of it is this customer. A new
    // SIM that inherits a recycled number is a new line, hence a new customer.
    .addColumn('primary_line_id', 'text', (c) => c.notNull().unique().references('lines.id'))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('last_sign_in_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('customer_lines')
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('line_id', 'text', (c) => c.notNull().references('lines.id'))
    .addColumn('verified_by', 'text', (c) => c.notNull().check(sql`verified_by in ('sms_code', 'iccid')`))
    .addColumn('added_at_ms', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('customer_lines_pk', ['customer_id', 'line_id'])
    .execute();
  await db.schema.createIndex('customer_lines_line').on('customer_lines').column('line_id').execute();

  await db.schema
    .createTable('one_time_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('sign_in')`))
    .addColumn('line_id', 'text', (c) => c.notNull().references('lines.id'))
    .addColumn('msisdn', 'text', (c) => c.notNull())
    .addColumn('requested_via', 'text', (c) => c.notNull().check(sql`requested_via in ('msisdn', 'iccid')`))
    .addColumn('code_hmac', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().check(sql`attempts >= 0`))
    .addColumn('attempts_max', 'integer', (c) => c.notNull().check(sql`attempts_max > 0`))
    .addColumn('expires_at_ms', big, (c) => c.notNull())
    .addColumn('consumed_at_ms', big)
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('one_time_codes_attempts_bounded', sql`attempts <= attempts_max`)
    .execute();
  await db.schema.createIndex('one_time_codes_line').on('one_time_codes').columns(['line_id', 'purpose', 'created_at_ms']).execute();
  await db.schema.createIndex('one_time_codes_expiry').on('one_time_codes').column('expires_at_ms').execute();

  await db.schema
    .createTable('customer_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull().references('customers.id'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('cookie', 'bearer')`))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('last_seen_at_ms', big, (c) => c.notNull())
    .addColumn('expires_at_ms', big, (c) => c.notNull())
    .addColumn('revoked_at_ms', big)
    .execute();
  await db.schema.createIndex('customer_sessions_customer').on('customer_sessions').columns(['customer_id', 'created_at_ms']).execute();
  await db.schema.createIndex('customer_sessions_expiry').on('customer_sessions').column('expires_at_ms').execute();

  await db.schema
    .createTable('rate_limit_windows')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('window_start_ms', big, (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull().check(sql`hits > 0`))
    .addPrimaryKeyConstraint('rate_limit_windows_pk', ['scope', 'subject', 'window_start_ms'])
    .execute();
  await db.schema.createIndex('rate_limit_windows_start').on('rate_limit_windows').column('window_start_ms').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['rate_limit_windows', 'customer_sessions', 'one_time_codes', 'customer_lines', 'customers']) {
    await db.schema.dropTable(table).execute();
  }
}
