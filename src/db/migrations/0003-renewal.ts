import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * Renewal: orders, payment attempts, refunds, the webhook dedupe log, and the sandbox provider's
 * own books. Unique keys back every exactly-once rule: one order per idempotency key, one payment
 * per provider reference, one activating payment and one bundle per order, one refund per payment,
 * one processing per provider event.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;

  await db.schema
    .createTable('orders')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('line_id', 'text', (c) => c.notNull().references('lines.id'))
    .addColumn('package_code', 'text', (c) => c.notNull().references('packages.code'))
    .addColumn('package_price_id', 'text', (c) => c.references('package_prices.id'))
    .addColumn('amount_minor', big, (c) => c.notNull().check(sql`amount_minor >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('created', 'awaiting_payment', 'paid', 'active', 'failed', 'canceled', 'expired', 'refunded')`))
    .addColumn('failure_code', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('payer_email', 'text')
    .addColumn('payer_phone', 'text')
    .addColumn('activating_payment_id', 'text', (c) => c.unique())
    .addColumn('bundle_id', 'text', (c) => c.unique().references('bundles.id'))
    .addColumn('expires_at_ms', big, (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orders_line').on('orders').columns(['line_id', 'created_at_ms']).execute();
  await db.schema.createIndex('orders_open_expiry').on('orders').columns(['state', 'expires_at_ms']).execute();

  await db.schema
    .createTable('payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('amount_minor', big, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'requires_action', 'succeeded', 'failed', 'canceled')`))
    .addColumn('provider_payment_id', 'text')
    .addColumn('next_action', 'text')
    .addColumn('failure_code', 'text')
    .addColumn('provider_code', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('entry_id', 'text', (c) => c.references('journal_entries.id'))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addColumn('finalized_at_ms', big)
    .addUniqueConstraint('payments_provider_reference', ['provider', 'provider_payment_id'])
    .execute();
  await db.schema.createIndex('payments_order').on('payments').column('order_id').execute();
  await db.schema.createIndex('payments_unsettled').on('payments').columns(['status', 'updated_at_ms']).execute();

  await db.schema
    .createTable('refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('payment_id', 'text', (c) => c.notNull().unique().references('payments.id'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('amount_minor', big, (c) => c.notNull().check(sql`amount_minor > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'succeeded', 'failed')`))
    .addColumn('provider_refund_id', 'text')
    .addColumn('entry_id', 'text', (c) => c.references('journal_entries.id'))
    .addColumn('requested_by', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('webhook_events')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('received_at_ms', big, (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('webhook_events_pk', ['provider', 'event_id'])
    .execute();

  // The built-in NetworkProvisioner's record of what was pushed to the network, one row per bundle.
  await db.schema
    .createTable('network_activations')
    .addColumn('bundle_id', 'text', (c) => c.primaryKey().references('bundles.id'))
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('msisdn', 'text', (c) => c.notNull())
    .addColumn('package_code', 'text', (c) => c.notNull())
    .addColumn('expires_at_ms', big, (c) => c.notNull())
    .addColumn('provisioned_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sandbox_payments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('merchant_payment_id', 'text', (c) => c.notNull().unique())
    .addColumn('amount_minor', big, (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failure_code', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('card_last4', 'text')
    .addColumn('transfer_reference', 'text', (c) => c.unique())
    .addColumn('event_sequence', 'integer', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sandbox_refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('sandbox_payment_id', 'text', (c) => c.notNull().references('sandbox_payments.id'))
    .addColumn('merchant_refund_id', 'text', (c) => c.notNull().unique())
    .addColumn('amount_minor', big, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['sandbox_refunds', 'sandbox_payments', 'network_activations', 'webhook_events', 'refunds', 'payments', 'orders']) {
    await db.schema.dropTable(table).execute();
  }
}
