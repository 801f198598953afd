import { sql, type Kysely } from 'kysely';
import { capabilitiesOf } from '../capabilities.js';

/**
 * A foreign visitor connected at the desk (303-FZ), in three tables:
 *
 * identity_documents — one row per document (type, issuing country, number), found again by
 *   `lookup_hash`, an HMAC of its normal form under IDENTITY_LOOKUP_KEY (unique: one document, one
 *   row, however many lines it holds). The number is kept sealed (AES-256-GCM) with the id of the
 *   key that sealed it, for rotation; only its last 4 characters are kept in clear, for display.
 *   The names and the date of birth are sealed as well (one JSON value): they are personal data
 *   (152-FZ) that only the contract and the verifier need, and a leaked name plus birth date is half
 *   of what a passport says. The row is what two desks connecting lines for one passport lock.
 *
 * identity_consents — consent to the processing of personal data, a separate and versioned
 *   record (152-FZ, from 1 Sep 2025): which text version, shown in which language (and in Russian),
 *   accepted when, taken by which staff member at which store, for which line.
 *
 * line_identities — the line's subscription to the document: the phone's IMEI (written into the
 *   contract, changeable at the desk), the desk's Idempotency-Key with the hash of its request (a
 *   retried connection returns the line it opened, never a second one), the verification state pending → confirmed | rejected |
 *   expired with the verifier's reference and the deadline, and who connected it where. A line
 *   with a row here that is not `confirmed` is off: charging refuses its usage and every channel
 *   says why. `lines.status` stays as it is: it keeps its CHECK (active, suspended, closed) and
 *   the lines table is not rebuilt on SQLite (other tables refer to it).
 *
 * sims.store_id — which store's stock a SIM is in, so an agent hands out only their own store's
 *   SIMs (null: central stock, not at any desk).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const big = capabilitiesOf(db).bigint_type;
  await db.schema
    .createTable('identity_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('document_type', 'text', (c) => c.notNull().check(sql`document_type in ('passport', 'residence_permit', 'travel_document')`))
    .addColumn('issuing_country', 'text', (c) => c.notNull().check(sql`length(issuing_country) = 2`))
    .addColumn('lookup_hash', 'text', (c) => c.notNull().unique())
    .addColumn('number_key_id', 'text', (c) => c.notNull())
    .addColumn('number_sealed', 'text', (c) => c.notNull())
    .addColumn('number_last4', 'text', (c) => c.notNull().check(sql`length(number_last4) <= 4`))
    .addColumn('personal_key_id', 'text', (c) => c.notNull())
    .addColumn('personal_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('identity_consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('identity_id', 'text', (c) => c.notNull().references('identity_documents.id'))
    .addColumn('text_version', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('accepted_at_ms', big, (c) => c.notNull())
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .execute();
  await db.schema.createIndex('identity_consents_identity').on('identity_consents').columns(['identity_id', 'accepted_at_ms']).execute();

  await db.schema
    .createTable('line_identities')
    .addColumn('line_id', 'text', (c) => c.primaryKey().references('lines.id'))
    .addColumn('identity_id', 'text', (c) => c.notNull().references('identity_documents.id'))
    .addColumn('consent_id', 'text', (c) => c.notNull().references('identity_consents.id'))
    .addColumn('imei', 'text', (c) => c.notNull().check(sql`length(imei) = 15`))
    .addColumn('verification_state', 'text', (c) => c.notNull()
      .check(sql`verification_state in ('pending', 'confirmed', 'rejected', 'expired')`))
    .addColumn('verifier', 'text', (c) => c.notNull())
    .addColumn('verification_reference', 'text')
    .addColumn('rejection_reason', 'text')
    .addColumn('deadline_at_ms', big, (c) => c.notNull())
    .addColumn('decided_at_ms', big)
    .addColumn('store_id', 'text', (c) => c.notNull().references('stores.id'))
    .addColumn('staff_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('request_hash', 'text')
    .addColumn('created_at_ms', big, (c) => c.notNull())
    .addColumn('updated_at_ms', big, (c) => c.notNull())
    .addCheckConstraint('line_identities_decided', sql`(verification_state = 'pending') = (decided_at_ms is null)`)
    .execute();
  // The limit counts a document's lines by state; the deadline sweep and desk lists read by store.
  await db.schema.createIndex('line_identities_identity').on('line_identities').columns(['identity_id', 'verification_state']).execute();
  await db.schema.createIndex('line_identities_store').on('line_identities').columns(['store_id', 'created_at_ms']).execute();

  await db.schema.alterTable('sims').addColumn('store_id', 'text', (c) => c.references('stores.id')).execute();
  await db.schema.createIndex('sims_store_stock').on('sims').columns(['store_id', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('sims_store_stock').execute();
  await db.schema.alterTable('sims').dropColumn('store_id').execute();
  for (const table of ['line_identities', 'identity_consents', 'identity_documents']) await db.schema.dropTable(table).execute();
}
