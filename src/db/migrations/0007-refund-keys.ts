import type { Kysely } from 'kysely';

/**
 * Staff refunds take an idempotency key like every other operation that moves money: the key and
 * the request's hash are kept on the refund, so a repeated request returns the same refund and the
 * same key with another request is refused. Refunds the system makes itself (duplicate payments,
 * closed orders) have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('refunds').addColumn('idempotency_key', 'text').execute();
  await db.schema.alterTable('refunds').addColumn('request_hash', 'text').execute();
  await db.schema.createIndex('refunds_idempotency_key').on('refunds').column('idempotency_key').unique().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('refunds_idempotency_key').execute();
  await db.schema.alterTable('refunds').dropColumn('request_hash').execute();
  await db.schema.alterTable('refunds').dropColumn('idempotency_key').execute();
}
