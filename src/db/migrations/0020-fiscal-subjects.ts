import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * Fiscal documents for money that has no receipt (issue 14): a document is now about one of three
 * subjects, named by `subject`:
 *
 * - `receipt` — a pack's sale, its refunds and corrections (as in 0019): `receipt_number`, `order_id`;
 * - `payment` — money that reached an order which did not use it (a duplicate payment, an order
 *   already closed, an activation that could not be made). It was taken, so it is registered
 *   (`sell`, as an advance) and, once returned, refunded (`sell_refund`): `payment_id`, `order_id`;
 * - `top_up` — money put on a line's wallet (an advance, offset later when the balance buys a pack,
 *   whose document is paid `prepaid`): `entry_id`, the top-up's journal entry.
 *
 * Documents without a receipt are shown on a page of their own, opened by `view_token`.
 *
 * SQLite cannot drop a NOT NULL, so the table is rebuilt (same on both engines: one path to test):
 * the new table is made beside the old, the rows copied as receipts' documents, the old dropped
 * (with its indexes) and the new renamed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await createTable(db, 'fiscal_documents_next', 'subjects');
  await sql`insert into fiscal_documents_next (${sql.raw(COLUMNS_0019)}, subject)
    select ${sql.raw(COLUMNS_0019)}, 'receipt' from fiscal_documents`.execute(db);
  await swapIn(db);
  await createIndexes(db, 'subjects');
}

/** Back to 0019's shape: documents of payments and top-ups have no place there, and are dropped. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await createTable(db, 'fiscal_documents_next', '0019');
  await sql`insert into fiscal_documents_next (${sql.raw(COLUMNS_0019)})
    select ${sql.raw(COLUMNS_0019)} from fiscal_documents where subject = 'receipt'`.execute(db);
  await swapIn(db);
  await createIndexes(db, '0019');
}

const COLUMNS_0019 = [
  'id', 'operation', 'receipt_number', 'order_id', 'line_id', 'refund_id', 'corrects_id', 'register', 'register_uuid', 'status',
  'request_json', 'fn_number', 'fiscal_document_number', 'fiscal_document_attribute', 'ecr_registration_number', 'shift_number',
  'fiscal_receipt_number', 'receipt_datetime_ms', 'total_minor', 'is_test', 'qr_text', 'error_kind', 'error_code', 'error_text',
  'attempts', 'created_at_ms', 'updated_at_ms', 'registered_at_ms',
].join(', ');

type Shape = '0019' | 'subjects';

/**
 * The table as 0019 made it, and with subjects. Written out again rather than shared with 0019: a
 * migration is a record of what it did, and must not change when another file does.
 */
async function createTable(db: Kysely<unknown>, name: string, shape: Shape): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  const subjects = shape === 'subjects';
  let table = db.schema
    .createTable(name)
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operation', 'text', (c) => c.notNull().check(sql`operation in ('sell', 'sell_refund', 'sell_correction')`));
  if (subjects) table = table.addColumn('subject', 'text', (c) => c.notNull().check(sql`subject in ('receipt', 'payment', 'top_up')`));
  table = table
    .addColumn('receipt_number', 'text', (c) => (subjects ? c : c.notNull()).references('receipts.number'))
    .addColumn('order_id', 'text', (c) => (subjects ? c : c.notNull()).references('orders.id'));
  if (subjects) {
    table = table
      .addColumn('payment_id', 'text', (c) => c.references('payments.id'))
      .addColumn('entry_id', 'text', (c) => c.references('journal_entries.id'))
      // Random, unguessable: the SMS link to the document's page carries it (a receipt's page has its own).
      .addColumn('view_token', 'text');
  }
  table = table
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('refund_id', 'text', (c) => c.references('refunds.id'))
    .addColumn('corrects_id', 'text', (c) => c.references(`${name}.id`))
    .addColumn('register', 'text', (c) => c.notNull())
    .addColumn('register_uuid', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'registered', 'failed')`))
    .addColumn('request_json', 'text', (c) => c.notNull())
    .addColumn('fn_number', 'text')
    .addColumn('fiscal_document_number', big)
    .addColumn('fiscal_document_attribute', big)
    .addColumn('ecr_registration_number', 'text')
    .addColumn('shift_number', big)
    .addColumn('fiscal_receipt_number', big)
    .addColumn('receipt_datetime_ms', big)
    .addColumn('total_minor', big)
    .addColumn('is_test', 'integer', (c) => c.check(sql`is_test in (0, 1)`))
    .addColumn('qr_text', 'text')
    .addColumn('error_kind', 'text', (c) => c.check(sql`error_kind in ('retryable', 'final')`))
    .addColumn('error_code', 'text')
    .addColumn('error_text', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().check(sql`attempts >= 0`))
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addColumn('registered_at_ms', big)
    .addCheckConstraint('fiscal_documents_refund_link', sql`(operation = 'sell_refund') = (refund_id is not null)`)
    .addCheckConstraint('fiscal_documents_correction_link', sql`(operation = 'sell_correction') = (corrects_id is not null)`)
    .addCheckConstraint('fiscal_documents_registered', sql`(status = 'registered') = (fn_number is not null and qr_text is not null and registered_at_ms is not null)`)
    .addCheckConstraint('fiscal_documents_failed', sql`status <> 'failed' or error_kind = 'final'`);
  if (subjects) {
    // Each subject names itself by its own link, and by nothing else.
    table = table.addCheckConstraint('fiscal_documents_subject_link', sql`
      (subject = 'receipt' and receipt_number is not null and order_id is not null and payment_id is null and entry_id is null)
      or (subject = 'payment' and receipt_number is null and order_id is not null and payment_id is not null and entry_id is null)
      or (subject = 'top_up' and receipt_number is null and order_id is null and payment_id is null and entry_id is not null
          and operation = 'sell')`);
  }
  await table.execute();
}

/** The old table goes (its indexes with it), the new one takes its name. */
async function swapIn(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('fiscal_documents').execute();
  await db.schema.alterTable('fiscal_documents_next').renameTo('fiscal_documents').execute();
  // PostgreSQL named the primary key after the table it was made in; give it the table's name.
  if (capabilitiesOf(db).dialect === 'postgres') {
    await sql`alter table fiscal_documents rename constraint fiscal_documents_next_pkey to fiscal_documents_pkey`.execute(db);
  }
}

async function createIndexes(db: Kysely<unknown>, shape: Shape): Promise<void> {
  // One sale per receipt and one refund document per refund: the database, not only the code, says so.
  await sql`create unique index fiscal_documents_one_sale on fiscal_documents (receipt_number, operation) where operation = 'sell'`.execute(db);
  await sql`create unique index fiscal_documents_one_per_refund on fiscal_documents (refund_id) where refund_id is not null`.execute(db);
  if (shape === 'subjects') {
    // One sale per unused payment, one per top-up.
    await sql`create unique index fiscal_documents_one_sale_per_payment on fiscal_documents (payment_id)
      where operation = 'sell' and payment_id is not null`.execute(db);
    await sql`create unique index fiscal_documents_one_per_top_up on fiscal_documents (entry_id) where entry_id is not null`.execute(db);
  }
  // `roamcard fiscal pending` and the metrics: the documents not registered, oldest first.
  await db.schema.createIndex('fiscal_documents_status').on('fiscal_documents').columns(['status', 'created_at_ms']).execute();
  await db.schema.createIndex('fiscal_documents_order').on('fiscal_documents').columns(['order_id', 'created_at_ms']).execute();
}
