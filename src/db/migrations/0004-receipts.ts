import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * Receipts: one per activated order (order_id unique), numbered RC-<year>-<sequence> without gaps
 * from a counter row per year (see services/receipts/receipt-number.ts). A receipt is a snapshot:
 * seller, item name, price and VAT are copied in when it is issued, so a later change of the
 * seller's details, a pack's name or the VAT rate never alters a receipt already handed out.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;

  await db.schema
    .createTable('receipt_counters')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('last_sequence', big, (c) => c.notNull().check(sql`last_sequence > 0`))
    .execute();

  await db.schema
    .createTable('receipts')
    .addColumn('number', 'text', (c) => c.primaryKey())
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('sequence', big, (c) => c.notNull().check(sql`sequence > 0`))
    .addColumn('order_id', 'text', (c) => c.notNull().unique().references('orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('payment_id', 'text', (c) => c.notNull().unique().references('payments.id'))
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('line_msisdn_masked', 'text', (c) => c.notNull())
    .addColumn('seller_name', 'text', (c) => c.notNull())
    .addColumn('seller_inn', 'text', (c) => c.notNull())
    .addColumn('seller_kpp', 'text')
    .addColumn('seller_address', 'text', (c) => c.notNull())
    .addColumn('package_code', 'text', (c) => c.notNull())
    .addColumn('item_name', 'text', (c) => c.notNull())
    .addColumn('amount_minor', big, (c) => c.notNull().check(sql`amount_minor >= 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('vat_rate_percent', 'integer')
    .addColumn('vat_minor', big, (c) => c.notNull())
    .addColumn('payment_method', 'text', (c) => c.notNull())
    .addColumn('payment_details', 'text')
    .addColumn('paid_at_ms', big, (c) => c.notNull())
    .addColumn('issued_at_ms', big, (c) => c.notNull())
    .addColumn('verification_token', 'text', (c) => c.notNull())
    .addUniqueConstraint('receipts_series', ['year', 'sequence'])
    .addCheckConstraint('receipts_vat_within_price', sql`vat_minor >= 0 and vat_minor <= amount_minor`)
    .addCheckConstraint('receipts_vat_rate', sql`(vat_rate_percent is null and vat_minor = 0) or (vat_rate_percent between 0 and 99)`)
    .execute();
  await db.schema.createIndex('receipts_line').on('receipts').columns(['line_id', 'issued_at_ms']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('receipts').execute();
  await db.schema.dropTable('receipt_counters').execute();
}
