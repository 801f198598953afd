import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * The desk's money (issue 12, items 4 and 5):
 * - `shifts`: a staff member's cash shift at a store, with its own cash-drawer ledger account
 *   (drawer:<shift id>) so the close reconciles the count against exactly that account's balance.
 *   One open shift per staff member is the database's rule (a partial unique index), not only ours.
 * - `desk_payments`: what a desk payment recorded beside the payments row (the tender and change,
 *   whether the identity document was checked, the terminal's reference and the card's last 4
 *   digits), who took it, where, on which shift. The desk provider settles a payment only when
 *   this row exists, written in the transaction of the payment row itself.
 * - `company_invoices`: the buyer of an order a company pays by bank transfer (name, INN, KPP).
 * - `payments.receiving_account_id`: the ledger account the money arrives in when it is not the
 *   provider's clearing account (the shift's drawer, the store's acquiring clearing).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('shifts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('drawer_account_id', 'text', (c) => c.notNull().unique().references('ledger_accounts.id'))
    .addColumn('float_minor', big, (c) => c.notNull().check(sql`float_minor >= 0`))
    .addColumn('opened_at_ms', big, (c) => c.notNull())
    .addColumn('closed_at_ms', big)
    .addColumn('closed_by', 'text')
    .addColumn('counted_minor', big, (c) => c.check(sql`counted_minor >= 0`))
    .addColumn('expected_minor', big)
    .addColumn('difference_minor', big)
    .addColumn('close_entry_id', 'text')
    .execute();
  await sql`create unique index shifts_one_open_per_staff on shifts (staff_id) where closed_at_ms is null`.execute(db);
  await db.schema.createIndex('shifts_store_opened').on('shifts').columns(['store_id', 'opened_at_ms']).execute();

  await db.schema
    .createTable('desk_payments')
    .addColumn('payment_id', 'text', (c) => c.primaryKey().references('payments.id'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('shift_id', 'text', (c) => c.references('shifts.id'))
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('cash', 'card_present')`))
    .addColumn('tendered_minor', big)
    .addColumn('change_minor', big)
    .addColumn('document_checked', 'integer', (c) => c.notNull().check(sql`document_checked in (0, 1)`))
    .addColumn('terminal_reference', 'text')
    .addColumn('card_last4', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    // A cash payment is on a shift and has a tender covering its change; a card payment has its terminal's reference.
    .addCheckConstraint('desk_payments_cash_on_shift', sql`method <> 'cash' or (shift_id is not null and tendered_minor is not null and change_minor >= 0)`)
    .addCheckConstraint('desk_payments_card_reference', sql`method <> 'card_present' or terminal_reference is not null`)
    .execute();
  // A refund handed back at a desk: cash out of the refunding agent's open shift, or the terminal's refund.
  await db.schema
    .createTable('desk_refunds')
    .addColumn('refund_id', 'text', (c) => c.primaryKey().references('refunds.id'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('shift_id', 'text', (c) => c.references('shifts.id'))
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('cash', 'card_present')`))
    .addColumn('terminal_reference', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('desk_refunds_cash_on_shift', sql`method <> 'cash' or shift_id is not null`)
    .addCheckConstraint('desk_refunds_card_reference', sql`method <> 'card_present' or terminal_reference is not null`)
    .execute();
  await db.schema.createIndex('desk_refunds_shift').on('desk_refunds').column('shift_id').execute();
  await db.schema.createIndex('desk_payments_shift').on('desk_payments').column('shift_id').execute();
  await db.schema.createIndex('desk_payments_order').on('desk_payments').column('order_id').execute();

  await db.schema
    .createTable('company_invoices')
    .addColumn('order_id', 'text', (c) => c.primaryKey().references('orders.id'))
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('buyer_name', 'text', (c) => c.notNull())
    .addColumn('buyer_inn', 'text', (c) => c.notNull())
    .addColumn('buyer_kpp', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema.alterTable('payments').addColumn('receiving_account_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('desk_refunds').execute();
  await db.schema.alterTable('payments').dropColumn('receiving_account_id').execute();
  await db.schema.dropTable('company_invoices').execute();
  await db.schema.dropTable('desk_payments').execute();
  await db.schema.dropTable('shifts').execute();
}
