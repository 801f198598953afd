import { RoamError } from '../../core/errors.js';
import { preparedQuery } from '../../db/prepared.js';
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
 * Cost on the hot path: one probe of line_identities' primary key per charge (per batch, one query
 * per 500 lines).
 */

type GateRow = Pick<LineIdentitiesTable, 'verification_state' | 'decided_at_ms'>;
const LINES_PER_QUERY_MAX = 500;

const identityOf = preparedQuery<{ line_id: string }>(['line_id'])((db, param) => db
  .selectFrom('line_identities').select(['verification_state', 'decided_at_ms']).where('line_id', '=', param('line_id')));

/** Throws ROAM_ERR_IDENTITY_UNVERIFIED when the line's owner was not confirmed at `at_ms`. */
export async function refuseUnverifiedUsage(trx: Executor, line_id: string, at_ms: number): Promise<void> {
  const [row] = await identityOf(trx, { line_id });
  const refusal = row === undefined ? null : identityRefusal(row, at_ms);
  if (refusal) throw refusal;
}

/** For a batch: the identity rows of its lines, read once; then a check per event. */
export class IdentityGate {
  readonly #rows: ReadonlyMap<string, GateRow>;

  private constructor(rows: ReadonlyMap<string, GateRow>) {
    this.#rows = rows;
  }

  static async load(trx: Executor, line_ids: readonly string[]): Promise<IdentityGate> {
    const rows = new Map<string, GateRow>();
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

function identityRefusal(row: GateRow, at_ms: number): RoamError | null {
  if (row.verification_state === 'confirmed' && row.decided_at_ms !== null && Number(row.decided_at_ms) <= at_ms) return null;
  return new RoamError('ROAM_ERR_IDENTITY_UNVERIFIED', { reason: 'identity_unverified', verification_state: row.verification_state });
}
