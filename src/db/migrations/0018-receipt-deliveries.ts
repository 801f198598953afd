import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * One row per receipt sent by e-mail (receipt_number is the key: at most one e-mail per receipt),
 * written by the `receipt.email` job around each send: `sending` before the server is asked,
 * `sent` with its answer, `deferred` after a failure that a later try may overcome, `failed` when
 * the job gave up (and queued the SMS link instead). The address stays on the order only: the row
 * keeps it masked. The Message-ID is fixed per receipt, so a copy sent again is the same message.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('receipt_deliveries')
    .addColumn('receipt_number', 'text', (c) => c.primaryKey().references('receipts.number'))
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('to_masked', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('sending', 'sent', 'deferred', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().check(sql`attempts >= 0`))
    .addColumn('last_error', 'text')
    .addColumn('server_response', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addColumn('sent_at_ms', big)
    .addCheckConstraint('receipt_deliveries_sent', sql`(status = 'sent') = (sent_at_ms is not null)`)
    .execute();
  await db.schema.createIndex('receipt_deliveries_line').on('receipt_deliveries').columns(['line_id', 'created_at_ms']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('receipt_deliveries').execute();
}
