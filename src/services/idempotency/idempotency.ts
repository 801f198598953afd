import { RoamError } from '../../core/errors.js';
import { checkIdempotencyKey } from '../../core/idempotency-key.js';
import { requestHash } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import { inTransaction, type Executor } from '../../db/transaction.js';

/**
 * The one idempotency path (after Formance's forgeLog): an operation that takes a key stores the
 * key and a hash of its request with its effect, in the same transaction. Asked again:
 * - same key, same request → the stored effect, marked replayed; nothing happens twice;
 * - same key, another request → ROAM_ERR_IDEMPOTENCY_CONFLICT, nothing happens;
 * - two requests with one key at once → the loser's insert hits the key's unique constraint, its
 *   transaction rolls back, and it runs again (bounded) — finding and returning the winner's effect.
 *
 * Each operation says where its effects are kept (`find`) and how to make one (`perform`); this
 * module owns the order of the steps. `idempotentStep` runs inside a caller's transaction (no
 * retry: the caller owns it); `idempotent` owns the transaction and retries a lost race.
 */

/** A request that lost a race on its key runs again at most this often (the second run replays). */
export const IDEMPOTENCY_ATTEMPTS_MAX = 3;

export interface StoredEffect<T> {
  /** Null for effects stored before request hashes were kept: any request replays them. */
  readonly request_hash: string | null;
  readonly result: T;
}

export interface IdempotentRequest<T> {
  readonly key: string;
  /** What makes "the same request": hashed (canonical JSON, SHA-256) and stored with the effect. */
  readonly request: unknown;
  /** The effect made earlier with this key, read in the transaction (take locks here when needed). */
  readonly find: (trx: Executor, key: string) => Promise<StoredEffect<T> | undefined>;
  /** Makes the effect, storing `key` and `request_hash` with it under a unique constraint on the key. */
  readonly perform: (trx: Executor, request_hash: string) => Promise<T>;
}

export interface IdempotentOutcome<T> {
  readonly result: T;
  readonly replayed: boolean;
}

/** Check, hash, replay or conflict, perform — in the caller's transaction. */
export async function idempotentStep<T>(trx: Executor, request: IdempotentRequest<T>): Promise<IdempotentOutcome<T>> {
  checkIdempotencyKey(request.key);
  const hash = requestHash(request.request);
  const stored = await request.find(trx, request.key);
  if (stored) {
    if (stored.request_hash !== null && stored.request_hash !== hash) throw new RoamError('ROAM_ERR_IDEMPOTENCY_CONFLICT');
    return { result: stored.result, replayed: true };
  }
  return { result: await request.perform(trx, hash), replayed: false };
}

/** `work` again when it lost a race on a unique key, at most IDEMPOTENCY_ATTEMPTS_MAX times in all. */
export async function retryLostKeyRace<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= IDEMPOTENCY_ATTEMPTS_MAX) throw error;
    }
  }
}

/** The whole path in a transaction of its own. */
export function idempotent<T>(database: Database, request: IdempotentRequest<T>): Promise<IdempotentOutcome<T>> {
  return retryLostKeyRace(() => inTransaction(database, (trx) => idempotentStep(trx, request)));
}
