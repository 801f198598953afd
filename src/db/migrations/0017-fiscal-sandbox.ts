import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * The sandbox fiscal register's books (adapters/fiscal/sandbox): the test documents it made, one
 * per external_id — kept in the database, not in memory, because that is the register's promise
 * (asking again under the same id is the same document) and it must hold across a restart, as a
 * real register's does — and its counters: the fiscal document numbers of its one drive, and the
 * receipt numbers within each shift. The numbers are unique, so no two documents share one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('fiscal_sandbox_documents')
    .addColumn('uuid', 'text', (c) => c.primaryKey())
    .addColumn('external_id', 'text', (c) => c.notNull().unique())
    .addColumn('operation', 'text', (c) => c.notNull().check(sql`operation in ('sell', 'sell_refund', 'sell_correction')`))
    // SHA-256 of the request: the same external_id with other contents is refused, not answered.
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('total_minor', big, (c) => c.notNull().check(sql`total_minor > 0`))
    .addColumn('fn_number', 'text', (c) => c.notNull())
    .addColumn('fiscal_document_number', big, (c) => c.notNull().unique().check(sql`fiscal_document_number > 0`))
    .addColumn('fiscal_document_attribute', big, (c) => c.notNull().check(sql`fiscal_document_attribute between 0 and 4294967295`))
    .addColumn('ecr_registration_number', 'text', (c) => c.notNull())
    .addColumn('shift_number', big, (c) => c.notNull())
    .addColumn('fiscal_receipt_number', big, (c) => c.notNull())
    .addColumn('receipt_datetime_ms', big, (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addUniqueConstraint('fiscal_sandbox_documents_shift_receipt', ['shift_number', 'fiscal_receipt_number'])
    .execute();

  await db.schema
    .createTable('fiscal_sandbox_counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_value', big, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['fiscal_sandbox_counters', 'fiscal_sandbox_documents']) await db.schema.dropTable(table).execute();
}
