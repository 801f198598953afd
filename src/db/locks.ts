import { capabilitiesOf } from './capabilities.js';
import type { Executor } from './transaction.js';

/**
 * Per-line serialisation. On PostgreSQL every operation that changes a line's money or bundles
 * first takes the line's row lock (`SELECT … FOR UPDATE`), so concurrent charges of one line queue
 * up instead of racing; lines are independent, which is what lets the database scale out by line.
 * On SQLite the transaction already holds the database's single write lock.
 */
export function supportsRowLocks(trx: Executor): boolean {
  return capabilitiesOf(trx).row_locks;
}

/** The query with `FOR UPDATE` where rows can be locked: the rows it reads stay ours until the commit. */
export function lockingRows<Q extends { forUpdate(): Q }>(trx: Executor, query: Q): Q {
  return supportsRowLocks(trx) ? query.forUpdate() : query;
}

/** Locks one order row for the rest of the transaction (PostgreSQL), so its payments settle one at a time. */
export async function lockOrder(trx: Executor, order_id: string): Promise<void> {
  if (!supportsRowLocks(trx)) return;
  await trx.selectFrom('orders').select('id').where('id', '=', order_id).forUpdate().execute();
}

/** Locks lines in id order (a fixed order, so batches that share lines cannot deadlock). */
export async function lockLines(trx: Executor, line_ids: readonly string[]): Promise<void> {
  if (!supportsRowLocks(trx) || line_ids.length === 0) return;
  const ordered = [...new Set(line_ids)].sort();
  await trx.selectFrom('lines').select('id').where('id', 'in', ordered).orderBy('id').forUpdate().execute();
}
