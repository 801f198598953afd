import { RoamError } from '../../core/errors.js';
import { blockEndMs, longestBlockFor } from '../../core/network-blocks.js';
import type { UsageKind } from '../../core/units.js';
import { preparedQuery } from '../../db/prepared.js';
import type { NetworkBlocksTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { chunks } from '../ledger/ledger.js';

/**
 * Charging's one question about blocks: does a block in force when the usage happened stop its
 * kind? Usage is judged at its own instant (`at_ms`), as bundles are: usage from inside a block
 * reported late is still refused, and usage after a lift or the end is charged as usual.
 * A refusal is an error (ROAM_ERR_LINE_BLOCKED with the reason and the end), so nothing of the
 * event is stored: the network did not let it happen, and there is nothing to charge.
 *
 * Cost on the hot path: one probe of the (line_id, ends_at_ms) index per charge (per batch, one
 * per 500 lines), which reads only the line's blocks that end after the usage — none, almost always.
 */

type GateRow = Pick<NetworkBlocksTable, 'reason' | 'starts_at_ms' | 'ends_at_ms' | 'lifted_at_ms' | 'stops_data' | 'stops_voice' | 'stops_sms'>;
const GATE_COLUMNS = ['reason', 'starts_at_ms', 'ends_at_ms', 'lifted_at_ms', 'stops_data', 'stops_voice', 'stops_sms'] as const;
const LINES_PER_QUERY_MAX = 500;

const runningBlocks = preparedQuery<{ line_id: string; from_ms: number }>(['line_id', 'from_ms'])((db, param) => db
  .selectFrom('network_blocks').select(GATE_COLUMNS).where('line_id', '=', param('line_id')).where('ends_at_ms', '>', param('from_ms')));

/** Throws ROAM_ERR_LINE_BLOCKED when a block of the line in force at `at_ms` stops `kind`. */
export async function refuseBlockedUsage(trx: Executor, line_id: string, kind: UsageKind, at_ms: number): Promise<void> {
  const refusal = blockRefusal(await runningBlocks(trx, { line_id, from_ms: at_ms }), kind, at_ms);
  if (refusal) throw refusal;
}

/** For a batch: the blocks of its lines that end after its earliest usage, read once; then a check per event. */
export class UsageGate {
  readonly #blocks: ReadonlyMap<string, readonly GateRow[]>;

  private constructor(blocks: ReadonlyMap<string, readonly GateRow[]>) {
    this.#blocks = blocks;
  }

  static async load(trx: Executor, line_ids: readonly string[], at_ms_values: readonly number[]): Promise<UsageGate> {
    const blocks = new Map<string, GateRow[]>();
    if (line_ids.length === 0 || at_ms_values.length === 0) return new UsageGate(blocks);
    const from_ms = at_ms_values.reduce((earliest, at_ms) => Math.min(earliest, at_ms), Number.MAX_SAFE_INTEGER);
    for (const ids of chunks(line_ids, LINES_PER_QUERY_MAX)) {
      const rows = await trx.selectFrom('network_blocks').select(['line_id', ...GATE_COLUMNS])
        .where('line_id', 'in', ids).where('ends_at_ms', '>', from_ms).execute();
      for (const { line_id, ...row } of rows) blocks.set(line_id, [...(blocks.get(line_id) ?? []), row]);
    }
    return new UsageGate(blocks);
  }

  /** The refusal for this event, or null when no block stops it. */
  refusal(line_id: string, kind: UsageKind, at_ms: number): RoamError | null {
    const blocks = this.#blocks.get(line_id);
    return blocks === undefined ? null : blockRefusal(blocks, kind, at_ms);
  }
}

function blockRefusal(blocks: readonly GateRow[], kind: UsageKind, at_ms: number): RoamError | null {
  if (blocks.length === 0) return null;
  const block = longestBlockFor(blocks, kind, at_ms);
  if (block === undefined) return null;
  return new RoamError('ROAM_ERR_LINE_BLOCKED', { block_reason: block.reason, ends_at_ms: blockEndMs(block), usage_kind: kind });
}
