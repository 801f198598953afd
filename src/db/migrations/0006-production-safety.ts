import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * What running for real money needs beyond the first renewal release:
 * - installation_secrets: secrets made once per installation and shared by every process of it
 *   (the sandbox's webhook secret when none is configured): never a constant in the code, and
 *   the same for every server and command of one database.
 * - sandbox_payments.awaiting: which step a sandbox payment waits for (card entry, the 3-D Secure
 *   challenge, an approval), so its hosted pages accept only that step.
 * - bank_transfers: the in-house bank-transfer provider's books. A transfer is paid when a bank
 *   statement line with its reference and amount is imported; nothing else settles it.
 * - payment_codes: one-time codes sent by SMS to a line that let a payer spend that line's wallet
 *   on one order (only an HMAC is stored, as for sign-in codes).
 * - receipts.test_mode: a receipt issued while payments ran in test mode says so forever.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;

  await db.schema
    .createTable('installation_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .alterTable('sandbox_payments')
    .addColumn('awaiting', 'text', (c) => c.check(sql`awaiting in ('card', 'three_d_secure', 'approval')`))
    .execute();

  await db.schema
    .createTable('bank_transfers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('payment_id', 'text', (c) => c.notNull().unique())
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('amount_minor', big, (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'settled', 'canceled')`))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('payment_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull().references('lines.id'))
    .addColumn('code_hmac', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().check(sql`attempts >= 0`))
    .addColumn('attempts_max', 'integer', (c) => c.notNull().check(sql`attempts_max > 0`))
    .addColumn('expires_at_ms', big, (c) => c.notNull())
    .addColumn('consumed_at_ms', big)
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('payment_codes_attempts_bounded', sql`attempts <= attempts_max`)
    .execute();
  await db.schema.createIndex('payment_codes_order').on('payment_codes').columns(['order_id', 'created_at_ms']).execute();
  await db.schema.createIndex('payment_codes_expiry').on('payment_codes').column('expires_at_ms').execute();

  await db.schema
    .alterTable('receipts')
    .addColumn('test_mode', 'integer', (c) => c.notNull().defaultTo(0).check(sql`test_mode in (0, 1)`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('receipts').dropColumn('test_mode').execute();
  await db.schema.dropTable('payment_codes').execute();
  await db.schema.dropTable('bank_transfers').execute();
  await db.schema.alterTable('sandbox_payments').dropColumn('awaiting').execute();
  await db.schema.dropTable('installation_secrets').execute();
}
