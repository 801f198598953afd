import { assert } from '../../core/errors.js';

/**
 * Group commit: callers submit one item each; items that arrive while a transaction is running
 * wait and are then committed together, in one transaction of the batch path. A commit is the
 * expensive part of a small write (an fsync on SQLite with synchronous=full, a WAL flush and a
 * round trip on PostgreSQL), so under concurrency one durable commit carries many items — the way
 * databases and ledgers (PostgreSQL's own WAL group commit, TigerBeetle's request batching) reach
 * high rates without giving up durability. An idle system gains nothing and loses nothing: a lone
 * item runs at once, by the single-item path.
 *
 * Each caller still gets its own outcome: the batch path reports per item. Should the batch's
 * transaction itself fail (not one item — the database, or a bug), every item of it is retried on
 * its own, so one poisoned item cannot fail its neighbours and nothing is silently dropped.
 */

export type ItemOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitOptions<I, O> {
  /** Commits several items in one transaction; one outcome per item, in order. */
  readonly runBatch: (items: readonly I[]) => Promise<ReadonlyArray<ItemOutcome<O>>>;
  /** Commits one item in its own transaction. */
  readonly runOne: (item: I) => Promise<O>;
  /** Items per transaction at most (bounds a transaction's time and its lock set). */
  readonly batch_size_max: number;
  /** Transactions running at once: 1 for SQLite's single writer; up to the pool for PostgreSQL. */
  readonly batches_in_flight_max: number;
}

interface Waiter<I, O> {
  readonly item: I;
  readonly resolve: (value: O) => void;
  readonly reject: (error: unknown) => void;
}

export class GroupCommit<I, O> {
  readonly #options: GroupCommitOptions<I, O>;
  #queue: Array<Waiter<I, O>> = [];
  #in_flight = 0;

  constructor(options: GroupCommitOptions<I, O>) {
    assert(options.batch_size_max >= 1, 'batch_size_max is at least 1');
    assert(options.batches_in_flight_max >= 1, 'batches_in_flight_max is at least 1');
    this.#options = options;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#drain();
    });
  }

  /** Items waiting for a transaction (for metrics and tests). */
  get queued(): number {
    return this.#queue.length;
  }

  #drain(): void {
    while (this.#in_flight < this.#options.batches_in_flight_max && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.batch_size_max);
      this.#in_flight += 1;
      void this.#commit(batch).finally(() => {
        this.#in_flight -= 1;
        this.#drain();
      });
    }
  }

  async #commit(batch: ReadonlyArray<Waiter<I, O>>): Promise<void> {
    if (batch.length === 1) return this.#commitAlone(batch[0]!);
    let outcomes: ReadonlyArray<ItemOutcome<O>>;
    try {
      outcomes = await this.#options.runBatch(batch.map((waiter) => waiter.item));
    } catch {
      // The transaction failed as a whole and was rolled back: nothing of it was written.
      await Promise.all(batch.map((waiter) => this.#commitAlone(waiter)));
      return;
    }
    assert(outcomes.length === batch.length, 'the batch path reports one outcome per item');
    batch.forEach((waiter, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) waiter.resolve(outcome.value);
      else waiter.reject(outcome.error);
    });
  }

  async #commitAlone(waiter: Waiter<I, O>): Promise<void> {
    try {
      waiter.resolve(await this.#options.runOne(waiter.item));
    } catch (error) {
      waiter.reject(error);
    }
  }
}
