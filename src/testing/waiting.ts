import type { OutboxWorker } from '../services/jobs/worker.js';

/**
 * Waiting for work done elsewhere. A test that owns the clock and the worker waits for nothing:
 * drainUntilIdle runs the due jobs, and the jobs they enqueue, until none is left. `eventually`
 * polls, for what only another process or a running worker does (a server started as a child, a
 * browser suite on the real clock).
 */

/** A chain of jobs longer than this (a job enqueuing the next, round after round) is a loop. */
export const DRAIN_ROUNDS_MAX = 100;

/** Runs every due job, then those they made due, until a round runs none; returns how many ran. */
export async function drainUntilIdle(worker: OutboxWorker): Promise<number> {
  let total = 0;
  for (let round = 0; round < DRAIN_ROUNDS_MAX; round += 1) {
    const ran = await worker.drainOnce();
    if (ran === 0) return total;
    total += ran;
  }
  throw new Error(`the outbox still had due jobs after ${DRAIN_ROUNDS_MAX} rounds: a job that keeps enqueuing another?`);
}

/** Long enough for a loaded 2-core CI machine; a hang still fails within it. */
export const EVENTUALLY_TIMEOUT_MS_DEFAULT = 15_000;
export const EVENTUALLY_INTERVAL_MS_DEFAULT = 20;

/** The first value `probe` returns other than undefined; fails naming `what` after timeout_ms. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  options: { timeout_ms?: number; interval_ms?: number } = {},
): Promise<T> {
  const timeout_ms = options.timeout_ms ?? EVENTUALLY_TIMEOUT_MS_DEFAULT;
  const deadline_ms = Date.now() + timeout_ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline_ms) throw new Error(`timed out after ${timeout_ms} ms waiting for ${what}`);
    await pause(options.interval_ms ?? EVENTUALLY_INTERVAL_MS_DEFAULT);
  }
}

export function pause(duration_ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, duration_ms));
}
