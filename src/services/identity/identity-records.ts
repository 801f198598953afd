import { documentLast4, documentLookupText, type IdentityDocument } from '../../core/identity-document.js';
import { newId } from '../../core/ids.js';
import { lockingRows } from '../../db/locks.js';
import type { IdentityDocumentsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { IdentityCipher } from './identity-crypto.js';

/**
 * Storing identity documents: sealed on the way in, opened only where the clear text is needed
 * (the verifier's request, the contract). Nothing here logs or returns a number in clear but
 * `openDocument`, whose callers hand it to the verifier or print it masked.
 */

interface PersonalFields {
  readonly surname: string;
  readonly given_names: string;
  readonly birth_date: string;
}

const numberPurpose = (identity_id: string) => `identity_documents.number:${identity_id}`;
const personalPurpose = (identity_id: string) => `identity_documents.personal:${identity_id}`;

export function sealedDocumentRow(cipher: IdentityCipher, id: string, document: IdentityDocument, now_ms: number): IdentityDocumentsTable {
  const number = cipher.seal(document.number, numberPurpose(id));
  const personal: PersonalFields = { surname: document.surname, given_names: document.given_names, birth_date: document.birth_date };
  const sealed_personal = cipher.seal(JSON.stringify(personal), personalPurpose(id));
  return {
    id, document_type: document.type, issuing_country: document.issuing_country,
    lookup_hash: cipher.lookupHash(documentLookupText(document)),
    number_key_id: number.key_id, number_sealed: number.sealed, number_last4: documentLast4(document.number),
    personal_key_id: sealed_personal.key_id, personal_sealed: sealed_personal.sealed,
    created_at_ms: now_ms, updated_at_ms: now_ms,
  };
}

export function openDocument(cipher: IdentityCipher, row: IdentityDocumentsTable): IdentityDocument {
  const number = cipher.open({ key_id: row.number_key_id, sealed: row.number_sealed }, numberPurpose(row.id));
  const sealed_personal = { key_id: row.personal_key_id, sealed: row.personal_sealed };
  const personal = JSON.parse(cipher.open(sealed_personal, personalPurpose(row.id))) as PersonalFields;
  return { type: row.document_type, issuing_country: row.issuing_country, number, ...personal };
}

/**
 * The document's row, created when it is new, and locked (PostgreSQL) until the transaction ends:
 * two desks connecting lines for one passport at once take turns here, so the second counts the
 * first's line (the per-person limit holds under concurrency). A new document is inserted with
 * ON CONFLICT DO NOTHING: a concurrent first insert of the same document wins, and this one locks
 * and reads that row. The row keeps the names first recorded; the desk's later spelling does not
 * overwrite them.
 */
export async function lockIdentity(
  trx: Executor, cipher: IdentityCipher, document: IdentityDocument, now_ms: number,
): Promise<IdentityDocumentsTable> {
  const candidate = sealedDocumentRow(cipher, newId('identity_document'), document, now_ms);
  await trx.insertInto('identity_documents').values(candidate)
    .onConflict((conflict) => conflict.column('lookup_hash').doNothing()).execute();
  const row = await lockingRows(trx, trx.selectFrom('identity_documents').selectAll().where('lookup_hash', '=', candidate.lookup_hash))
    .executeTakeFirstOrThrow();
  return { ...row, created_at_ms: Number(row.created_at_ms), updated_at_ms: Number(row.updated_at_ms) };
}

/**
 * Lines the document holds in this operator's base for the per-person limit: those pending or
 * confirmed, on a line not closed. A rejected or expired verification gives no service and does
 * not count.
 */
export async function heldLineCount(trx: Executor, identity_id: string): Promise<number> {
  const row = await trx.selectFrom('line_identities')
    .innerJoin('lines', 'lines.id', 'line_identities.line_id')
    .select((eb) => eb.fn.countAll<number | string>().as('held'))
    .where('line_identities.identity_id', '=', identity_id)
    .where('line_identities.verification_state', 'in', ['pending', 'confirmed'])
    .where('lines.status', '!=', 'closed')
    .executeTakeFirstOrThrow();
  return Number(row.held);
}
