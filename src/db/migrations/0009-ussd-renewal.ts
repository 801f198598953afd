import type { Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * The USSD renewal menu (#102#):
 * - short links (`/p/<token>`) to an order's payment page, sent by SMS: one per order, living as
 *   long as the order may be paid. The token is random (60 bits), so the table is its only index.
 * - the best-selling order of packs counts active orders per package over a window of days; the
 *   index answers that from the index alone on PostgreSQL (state, then time, then the package).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('short_links')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull().unique().references('orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull().references('lines.id'))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('expires_at_ms', big, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('orders_sales_rank').on('orders').columns(['state', 'created_at_ms', 'package_code']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('orders_sales_rank').execute();
  await db.schema.dropTable('short_links').execute();
}
