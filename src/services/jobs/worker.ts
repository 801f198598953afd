import type { Database } from '../../db/database.js';
import type { Clock } from '../../ports/clock.js';
import { claimJobs, completeJob, deferJob, extendLease, failJob, JOB_LEASE_MS_DEFAULT, type Job } from './outbox.js';

/**
 * Runs outbox jobs. Handlers must be idempotent: a job runs at least once (a worker that dies
 * after the effect but before `completeJob` leaves it to be run again when its lease lapses).
 * A handler signals a definitive failure by throwing a PermanentJobError; anything else is retried.
 */

export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

/**
 * The job could not even be tried for a reason outside it (the SMSC link is down): it goes back to
 * pending for `delay_ms` and the claim does not count as an attempt, so an outage of any length
 * parks nothing as dead. Only for "nothing was attempted": a tried and failed call is a plain error.
 */
export class DeferJobError extends Error {
  readonly delay_ms: number;
  constructor(message: string, delay_ms: number) {
    super(message);
    this.name = 'DeferJobError';
    this.delay_ms = delay_ms;
  }
}

export type JobHandler = (payload: unknown, job: Job) => Promise<void>;

export interface WorkerOptions {
  readonly database: Database;
  readonly clock: Clock;
  readonly handlers: Readonly<Record<string, JobHandler>>;
  readonly poll_interval_ms?: number;
  /** At most this many jobs run at once (and `drainOnce` claims this many). */
  readonly batch_size?: number;
  readonly lease_ms?: number;
  readonly onOutcome?: (kind: string, outcome: 'done' | 'retry' | 'dead', error?: unknown) => void;
}

export const POLL_INTERVAL_MS_DEFAULT = 200;
export const WORKER_BATCH_SIZE_DEFAULT = 20;

export class OutboxWorker {
  readonly #options: WorkerOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(options: WorkerOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops claiming new jobs and waits for the claimed ones to finish. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** Asks the worker to look for jobs now (after an enqueue) instead of at the next poll. */
  nudge(): void {
    this.#wake?.();
  }

  /** Runs every due job once; returns how many ran. For tests and the CLI. */
  async drainOnce(): Promise<number> {
    const { database, clock } = this.#options;
    const jobs = await claimJobs(database, this.#options.batch_size ?? WORKER_BATCH_SIZE_DEFAULT, clock.now_ms(), this.#options.lease_ms);
    await Promise.all(jobs.map((job) => this.#runJob(job)));
    return jobs.length;
  }

  /**
   * Keeps up to `batch_size` jobs running, claiming more as jobs end — never waiting for a whole
   * batch: one slow call (a fiscal register holding its answer, a provider timing out) must not
   * hold up the packs, texts and refunds behind it. A job's end wakes the loop, which claims once a
   * quarter of the slots are free (a claim is a write: not one per job); after a poll interval
   * without news it claims for any free slot, so slow jobs holding most slots starve nothing.
   */
  async #run(): Promise<void> {
    const capacity = this.#options.batch_size ?? WORKER_BATCH_SIZE_DEFAULT;
    const refill_at = Math.max(1, Math.floor(capacity / 4));
    const in_flight = new Set<Promise<void>>();
    let any_free_slot = true;
    while (this.#running) {
      const free = capacity - in_flight.size;
      const claimed = free > 0 && (free >= refill_at || any_free_slot) ? await this.#startDueJobs(free, in_flight) : 0;
      if (!this.#running) break;
      // Claimed some with room left: more may be due at once.
      if (claimed > 0 && in_flight.size < capacity) continue;
      any_free_slot = (await this.#sleep(this.#options.poll_interval_ms ?? POLL_INTERVAL_MS_DEFAULT)) === 'timer';
    }
    await Promise.all(in_flight);
  }

  /** Claims up to `free` due jobs and starts each, tracked in `in_flight` until it ends; how many it started. */
  async #startDueJobs(free: number, in_flight: Set<Promise<void>>): Promise<number> {
    const { database, clock } = this.#options;
    let jobs: Job[];
    try {
      jobs = await claimJobs(database, free, clock.now_ms(), this.#options.lease_ms);
    } catch {
      return 0; // The database is away (restart, network): wait a poll interval and try again.
    }
    for (const job of jobs) {
      // A job whose end could not be recorded (the database went away) is run again once its lease lapses.
      const running: Promise<void> = this.#runJob(job).catch(() => undefined).finally(() => {
        in_flight.delete(running);
        this.#wake?.();
      });
      in_flight.add(running);
    }
    return jobs.length;
  }

  /** Waits `duration_ms`, or less when woken (a nudge, a job's end); says which. */
  #sleep(duration_ms: number): Promise<'timer' | 'woken'> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve('timer'), duration_ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve('woken');
      };
    });
  }

  async #runJob(job: Job): Promise<void> {
    const { database, clock, handlers, onOutcome } = this.#options;
    const handler = handlers[job.kind];
    const lease_ms = this.#options.lease_ms ?? JOB_LEASE_MS_DEFAULT;
    // Renew the claim at a third of the lease while the handler runs (a slow provider call must
    // not make a second worker start the same job); a dead process stops renewing, so its jobs
    // are taken over one lease later.
    const heartbeat = setInterval(() => {
      extendLease(database, job, clock.now_ms(), lease_ms).catch(() => undefined);
    }, Math.max(Math.floor(lease_ms / 3), 1));
    heartbeat.unref();
    try {
      if (!handler) throw new PermanentJobError(`no handler for job kind ${job.kind}`);
      await handler(JSON.parse(job.payload) as unknown, job);
      await completeJob(database, job, clock.now_ms());
      onOutcome?.(job.kind, 'done');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof DeferJobError) {
        await deferJob(database, job, { message, delay_ms: error.delay_ms }, clock.now_ms());
        onOutcome?.(job.kind, 'retry', error);
        return;
      }
      const status = await failJob(database, job, { message, retryable: !(error instanceof PermanentJobError) }, clock.now_ms());
      onOutcome?.(job.kind, status === 'dead' ? 'dead' : 'retry', error);
    } finally {
      clearInterval(heartbeat);
    }
  }
}
