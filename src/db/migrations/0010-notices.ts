import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * Notices by SMS (activation, receipt, refund, usage and expiry alerts) and each line's alert
 * settings.
 * - A notice is one row per cause, unique on (cause, dedupe_key): inserting it is what decides to
 *   send, so a retried job or a concurrent transaction that reaches the same cause inserts nothing
 *   and queues nothing. `sms_job_id` is the outbox job that carries the text (null when capped).
 * - `notices_line_time` serves the per-number daily cap (a line's notices of the last 24 hours).
 * - The expiry sweep reads bundles by (status, expires_at_ms) — `bundles_expiry` of 0001 — and
 *   looks each one up here by (cause, dedupe_key), the unique index.
 * - Alert settings: a line without a row has the defaults (80 and 100 %, expiry alert on).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;

  await db.schema
    .createTable('notices')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('line_id', 'text', (c) => c.notNull().references('lines.id'))
    .addColumn('cause', 'text', (c) => c.notNull().check(sql`cause in ('pack_active', 'receipt', 'refund', 'usage_threshold', 'expiry_soon', 'identity_confirmed')`))
    .addColumn('dedupe_key', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'capped')`))
    .addColumn('sms_job_id', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addUniqueConstraint('notices_cause_key', ['cause', 'dedupe_key'])
    .execute();
  await db.schema.createIndex('notices_line_time').on('notices').columns(['line_id', 'created_at_ms']).execute();
  // `roamcard sms outbox` names each SMS job's notice: looked up by job id.
  await db.schema.createIndex('notices_sms_job').on('notices').column('sms_job_id').execute();

  await db.schema
    .createTable('notice_settings')
    .addColumn('line_id', 'text', (c) => c.primaryKey().references('lines.id'))
    .addColumn('alerts_enabled', 'integer', (c) => c.notNull().check(sql`alerts_enabled in (0, 1)`))
    // Whole percents of a pack's allowance, ascending, comma-separated ("50,80,100"); empty: none.
    .addColumn('usage_thresholds_percent', 'text', (c) => c.notNull())
    .addColumn('expiry_alert', 'integer', (c) => c.notNull().check(sql`expiry_alert in (0, 1)`))
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('notice_settings').execute();
  await db.schema.dropTable('notices').execute();
}
