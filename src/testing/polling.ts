/**
 * Waiting for something another process or the background worker does (a webhook delivered, an
 * order activated, a server listening). Only where the test cannot drive the work itself: a test
 * with a manual clock and its own worker calls worker.drainOnce() and waits for nothing.
 */

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
