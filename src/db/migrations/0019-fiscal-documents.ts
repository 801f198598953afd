import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * Fiscal documents (54-FZ, issue 14): what roamcard asked its fiscal register to make for each
 * receipt, and what the register answered. The row's id is the register's `external_id`, so a
 * document is registered at most once however often it is sent. The request is frozen here as JSON
 * when the document is queued (in the transaction that makes the receipt or the refund), and that
 * very text is what is sent every time: nothing is rebuilt later from data that may have changed.
 *
 * - operation `sell` — one per receipt; `sell_refund` — one per refund, linked to its sale
 *   (`corrects_id` stays null); `sell_correction` — corrects a registered sale (`corrects_id`).
 * - status `pending` until the register has made it (`register_uuid` once it said which document
 *   it is), `registered` with the fiscal attributes and the QR code's text, or `failed` with the
 *   register's error (a refusal of the document's data: for a person to look at).
 * - `error_*` while pending is the last retryable failure (the register was down), kept so
 *   `roamcard fiscal pending` can say why a document waits.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('fiscal_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('operation', 'text', (c) => c.notNull().check(sql`operation in ('sell', 'sell_refund', 'sell_correction')`))
    .addColumn('receipt_number', 'text', (c) => c.notNull().references('receipts.number'))
    .addColumn('order_id', 'text', (c) => c.notNull().references('orders.id'))
    .addColumn('line_id', 'text', (c) => c.notNull())
    .addColumn('refund_id', 'text', (c) => c.references('refunds.id'))
    .addColumn('corrects_id', 'text', (c) => c.references('fiscal_documents.id'))
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
    .addCheckConstraint('fiscal_documents_failed', sql`status <> 'failed' or error_kind = 'final'`)
    .execute();
  // One sale per receipt and one refund document per refund: the database, not only the code, says so.
  await sql`create unique index fiscal_documents_one_sale on fiscal_documents (receipt_number, operation) where operation = 'sell'`.execute(db);
  await sql`create unique index fiscal_documents_one_per_refund on fiscal_documents (refund_id) where refund_id is not null`.execute(db);
  // `roamcard fiscal pending` and the metrics: the documents not registered, oldest first.
  await db.schema.createIndex('fiscal_documents_status').on('fiscal_documents').columns(['status', 'created_at_ms']).execute();
  await db.schema.createIndex('fiscal_documents_order').on('fiscal_documents').columns(['order_id', 'created_at_ms']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('fiscal_documents').execute();
}
