import type { Executor } from '../db/transaction.js';

/**
 * The Outbox port: an effect to run after the caller's transaction commits (a webhook to deliver,
 * a late outcome to settle), written in that same transaction so that a crash can neither lose it
 * nor run it without the change it follows. The jobs table and its worker are one implementation
 * (services/jobs/outbox.ts, `jobsOutbox`); an adapter that needs deferred work gets this port
 * through its options instead of importing the jobs service.
 */
export interface OutboxJob {
  /** Names the handler that runs the job (e.g. `sandbox.deliver_webhook`); part of the contract with it. */
  readonly kind: string;
  /** Handed to the handler as it was given here, after a JSON round trip. */
  readonly payload: unknown;
  /** Not before this time; now when left out. */
  readonly run_after_ms?: number;
  /** A second job with the same key is not added: the first one stands. */
  readonly dedupe_key?: string;
  /** Tries before the job is parked as dead; the outbox's default when left out. */
  readonly attempts_max?: number;
}

export interface Outbox {
  /** Adds the job inside `trx`, the caller's transaction. */
  enqueue(trx: Executor, job: OutboxJob, now_ms: number): Promise<void>;
}
