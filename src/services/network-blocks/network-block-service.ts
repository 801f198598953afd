import type { Database } from '../../db/database.js';
import { clientAddressKey, hitRateLimit, type RateLimitRule } from '../../db/rate-limits.js';
import { inTransaction } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import { idempotent, type IdempotentOutcome } from '../idempotency/idempotency.js';
import {
  DEFAULT_ACTOR, findBlockByKey, insertBlock, liftBlock, listLineBlocks, setBlockRequest, type NetworkBlock, type SetBlockInput,
} from './blocks.js';

/**
 * The network side's use cases (channels/http/routes/network-blocks.ts serves them):
 *   setBlock(input, idempotency_key) → { result: NetworkBlock, replayed }
 *       Pauses the kinds of a line's usage until `ends_at_ms`, for a reason of core/network-blocks.ts.
 *       Same key and request → the same block (replayed); same key, other request → ROAM_ERR_IDEMPOTENCY_CONFLICT.
 *       Unknown number → ROAM_ERR_LINE_NOT_FOUND; an end passed, before the start or more than
 *       BLOCK_DURATION_HOURS_MAX ahead → ROAM_ERR_BLOCK_END_INVALID. A refusal stores nothing.
 *   liftBlock(block_id, lifted_by) → NetworkBlock     ends it now; repeating it changes nothing
 *   listBlocks(msisdn) → { line_id, blocks }          newest first, with `in_force`
 *   countRequest(client_address)                       the per-address limit (ROAM_ERR_RATE_LIMITED)
 * Charging reads blocks through usage-gate.ts; the explainer through services/lines/overview.ts.
 */

/**
 * Requests a network client may make a minute, from one address. The network sets a block per
 * arriving SIM: a busy airport's arrivals in a minute stay well under this, a runaway loop does not.
 */
export const NETWORK_API_RATE_LIMIT: RateLimitRule = { scope: 'network-api:1m', window_ms: 60_000, hits_max: 600 };

export interface NetworkBlockServiceOptions {
  readonly database: Database;
  readonly clock: Clock;
  /** NETWORK_API_RATE_LIMIT unless given (tests use a small one). */
  readonly rate_limit?: RateLimitRule;
}

export class NetworkBlockService {
  readonly #database: Database;
  readonly #clock: Clock;
  readonly #rate_limit: RateLimitRule;

  constructor(options: NetworkBlockServiceOptions) {
    this.#database = options.database;
    this.#clock = options.clock;
    this.#rate_limit = options.rate_limit ?? NETWORK_API_RATE_LIMIT;
  }

  setBlock(input: SetBlockInput, idempotency_key: string): Promise<IdempotentOutcome<NetworkBlock>> {
    const now_ms = this.#clock.now_ms();
    return idempotent(this.#database, {
      key: idempotency_key,
      request: setBlockRequest(input),
      find: (trx, key) => findBlockByKey(trx, key, now_ms),
      perform: (trx, request_hash) => insertBlock(trx, input, { idempotency_key, request_hash }, now_ms),
    });
  }

  liftBlock(block_id: string, lifted_by: string = DEFAULT_ACTOR): Promise<NetworkBlock> {
    const now_ms = this.#clock.now_ms();
    return inTransaction(this.#database, (trx) => liftBlock(trx, block_id, lifted_by, now_ms));
  }

  listBlocks(msisdn: string): Promise<{ line_id: string; blocks: NetworkBlock[] }> {
    return listLineBlocks(this.#database.db, msisdn, this.#clock.now_ms());
  }

  /** Counts one request of a client address; over NETWORK_API_RATE_LIMIT it throws ROAM_ERR_RATE_LIMITED. */
  countRequest(client_address: string): Promise<void> {
    const now_ms = this.#clock.now_ms();
    return inTransaction(this.#database, (trx) => hitRateLimit(trx, this.#rate_limit, clientAddressKey(client_address), now_ms));
  }
}
