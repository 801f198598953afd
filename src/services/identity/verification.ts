import type { Database } from '../../db/database.js';
import { lockingRows } from '../../db/locks.js';
import type { LineIdentitiesTable } from '../../db/schema.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import type { IdentityVerifier, VerificationStatus } from '../../ports/identity-verifier.js';
import { recordAudit } from '../audit/audit-log.js';
import { queueJob } from '../jobs/job-kinds.js';
import { PermanentJobError } from '../jobs/worker.js';
import { identityConfirmedText } from '../notices/notice-texts.js';
import { queueNotice, type Notices } from '../notices/notices.js';
import type { IdentityKeyring } from './identity-keyring.js';
import { openDocument } from './identity-records.js';

/**
 * The outbox's side of identity verification (303-FZ), one method per job kind:
 *   identity.submit    the document goes to the verifier once; its reference is stored and the
 *                      first check queued, in one transaction
 *   identity.check     the verifier is asked; a final answer is applied (confirmed: the line works
 *                      and the visitor gets an SMS in their language; rejected or expired: the line
 *                      stays off with the reason), a pending one queues the next check, until the
 *                      deadline
 *   identity.deadline  a line still pending at its deadline is expired: blocked, reason
 *                      identity_unconfirmed (charging refuses its usage, every channel says so)
 * Each is idempotent: a verification that is no longer pending is left alone, and a state once
 * final never changes (the updates are conditional on `pending`).
 */

export interface IdentityVerificationOptions {
  readonly database: Database;
  readonly clock: Clock;
  /** Absent outside test mode until a real verifier is configured: submit and check jobs then go dead. */
  readonly verifier: IdentityVerifier | undefined;
  readonly keyring: IdentityKeyring;
  readonly check_interval_ms: number;
  readonly notices?: Notices | undefined;
}

export class IdentityVerification {
  readonly #options: IdentityVerificationOptions;

  constructor(options: IdentityVerificationOptions) {
    this.#options = options;
  }

  async submit(line_id: string): Promise<void> {
    const verifier = this.#verifier();
    const { database, keyring } = this.#options;
    const row = await subscription(database.db, line_id);
    if (row.verification_state !== 'pending' || row.verification_reference !== null) return;
    const document_row = await database.db.selectFrom('identity_documents').selectAll().where('id', '=', row.identity_id).executeTakeFirstOrThrow();
    const line = await database.db.selectFrom('lines').select('msisdn').where('id', '=', line_id).executeTakeFirstOrThrow();
    const document = openDocument(await keyring.cipher(), document_row);
    const { reference } = await verifier.submit({ line_id, msisdn: line.msisdn, imei: row.imei, document });
    await inTransaction(database, async (trx) => {
      const now_ms = this.#options.clock.now_ms();
      const stored = await trx.updateTable('line_identities').set({ verification_reference: reference, updated_at_ms: now_ms })
        .where('line_id', '=', line_id).where('verification_state', '=', 'pending').where('verification_reference', 'is', null)
        .executeTakeFirst();
      if (Number(stored.numUpdatedRows) === 1) await this.#queueCheck(trx, line_id, now_ms);
    });
  }

  async check(line_id: string): Promise<void> {
    const verifier = this.#verifier();
    const { database, clock } = this.#options;
    const row = await subscription(database.db, line_id);
    if (row.verification_state !== 'pending') return;
    if (row.verification_reference === null) throw new Error(`identity.check before identity.submit stored a reference (line ${line_id})`);
    const status = await verifier.check(row.verification_reference);
    await inTransaction(database, async (trx) => {
      const now_ms = clock.now_ms();
      const current = await lockingRows(trx, trx.selectFrom('line_identities').selectAll().where('line_id', '=', line_id)).executeTakeFirstOrThrow();
      if (current.verification_state !== 'pending') return;
      if (status.state === 'pending') {
        if (now_ms < Number(current.deadline_at_ms)) await this.#queueCheck(trx, line_id, now_ms);
        return;
      }
      await decide(trx, current, status, now_ms);
      if (status.state === 'confirmed' && this.#options.notices) {
        await queueNotice(trx, this.#options.notices, {
          line_id, cause: 'identity_confirmed', dedupe_key: line_id,
          text: (line) => identityConfirmedText(line.language),
        }, now_ms);
      }
    });
  }

  async deadline(line_id: string): Promise<void> {
    const { database, clock } = this.#options;
    await inTransaction(database, async (trx) => {
      const now_ms = clock.now_ms();
      const current = await lockingRows(trx, trx.selectFrom('line_identities').selectAll().where('line_id', '=', line_id)).executeTakeFirst();
      if (current === undefined) throw new PermanentJobError(`line ${line_id} has no identity record`);
      if (current.verification_state !== 'pending' || now_ms < Number(current.deadline_at_ms)) return;
      await decide(trx, current, { state: 'expired' }, now_ms);
    });
  }

  #verifier(): IdentityVerifier {
    const verifier = this.#options.verifier;
    if (verifier === undefined) throw new PermanentJobError('no IdentityVerifier is configured (the sandbox exists only in test mode)');
    return verifier;
  }

  async #queueCheck(trx: Executor, line_id: string, now_ms: number): Promise<void> {
    await queueJob(trx, 'identity.check', { line_id }, { line_id, run_after_ms: now_ms + this.#options.check_interval_ms }, now_ms);
  }
}

async function subscription(db: Executor, line_id: string): Promise<LineIdentitiesTable> {
  const row = await db.selectFrom('line_identities').selectAll().where('line_id', '=', line_id).executeTakeFirst();
  if (row === undefined) throw new PermanentJobError(`line ${line_id} has no identity record`);
  return row;
}

/** A final state, once (the update is conditional on pending), with its audit entry (the system acts). */
async function decide(trx: Executor, current: LineIdentitiesTable, status: Exclude<VerificationStatus, { state: 'pending' }>, now_ms: number) {
  const rejection_reason = status.state === 'rejected' ? status.reason.slice(0, 500) : null;
  await trx.updateTable('line_identities')
    .set({ verification_state: status.state, rejection_reason, decided_at_ms: now_ms, updated_at_ms: now_ms })
    .where('line_id', '=', current.line_id).where('verification_state', '=', 'pending').execute();
  await recordAudit(trx, {
    actor: null, action: `identity.${status.state}`, subject_type: 'line', subject_id: current.line_id, store_id: current.store_id,
    before: { verification_state: 'pending' }, after: { verification_state: status.state, rejection_reason },
  }, now_ms);
}
