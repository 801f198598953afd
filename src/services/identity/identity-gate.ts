import { RoamError } from '../../core/errors.js';
import type { LineIdentitiesTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { chunks } from '../ledger/ledger.js';

/**
 * Charging's one question about identity (303-FZ): was the owner of a line connected at the desk
 * confirmed when the usage happened? A line with no row in line_identities (not connected at the
 * desk) is not concerned. Usage is judged at its own instant, as blocks are: usage from before the
 * confirmation, reported late, is still refused. A refusal is ROAM_ERR_IDENTITY_UNVERIFIED and
 * stores nothing of the event.
 *
 * Cost on the hot path: none of its own for a single charge (charging's line query joins
 * line_identities by its primary key); per batch, one query per 500 lines.
 */

/** What charging reads of a line's identity check (with the line itself, in readLineState). */
export type IdentityGateRow = Pick<LineIdentitiesTable, 'verification_state' | 'decided_at_ms'>;
const LINES_PER_QUERY_MAX = 500;

/** For a batch: the identity rows of its lines, read once; then a check per event. */
export class IdentityGate {
  readonly #rows: ReadonlyMap<string, IdentityGateRow>;

  private constructor(rows: ReadonlyMap<string, IdentityGateRow>) {
    this.#rows = rows;
  }

  static async load(trx: Executor, line_ids: readonly string[]): Promise<IdentityGate> {
    const rows = new Map<string, IdentityGateRow>();
    for (const ids of chunks(line_ids, LINES_PER_QUERY_MAX)) {
      const found = await trx.selectFrom('line_identities').select(['line_id', 'verification_state', 'decided_at_ms'])
        .where('line_id', 'in', ids).execute();
      for (const { line_id, ...row } of found) rows.set(line_id, row);
    }
    return new IdentityGate(rows);
  }

  refusal(line_id: string, at_ms: number): RoamError | null {
    const row = this.#rows.get(line_id);
    return row === undefined ? null : identityRefusal(row, at_ms);
  }
}

/** ROAM_ERR_IDENTITY_UNVERIFIED when the line's owner was not confirmed at `at_ms`, else null. */
export function identityRefusal(row: IdentityGateRow, at_ms: number): RoamError | null {
  if (row.verification_state === 'confirmed' && row.decided_at_ms !== null && Number(row.decided_at_ms) <= at_ms) return null;
  return new RoamError('ROAM_ERR_IDENTITY_UNVERIFIED', { reason: 'identity_unverified', verification_state: row.verification_state });
}
