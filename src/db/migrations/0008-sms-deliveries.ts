import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * One row per part of an SMS the SMSC accepted (or refused for good), keyed by the message's
 * reference (its outbox job id) and part number. Written right after each submit_sm_resp, so a
 * retried job skips the parts already taken and a message is not sent twice; delivery receipts
 * update the row found by the SMSC's message id. The number is kept masked: the job has the rest.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('sms_deliveries')
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('part', 'integer', (c) => c.notNull().check(sql`part >= 1`))
    .addColumn('parts_total', 'integer', (c) => c.notNull().check(sql`parts_total >= 1`))
    .addColumn('message_id', 'text')
    .addColumn('to_masked', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('submitted', 'delivered', 'expired', 'undeliverable', 'rejected', 'unknown')`))
    .addColumn('error', 'text')
    .addColumn('submitted_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('sms_deliveries_pk', ['reference', 'part'])
    .execute();
  await db.schema.createIndex('sms_deliveries_message_id').on('sms_deliveries').column('message_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sms_deliveries').execute();
}
