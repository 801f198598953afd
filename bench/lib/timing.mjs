import { performance } from 'node:perf_hooks';

/** The value at quantile `q` (0…1) of an ascending array; nearest-rank. */
export function percentile(sorted, q) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(q * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function summarizeLatencies(latencies_ms) {
  const sorted = Float64Array.from(latencies_ms).sort();
  return {
    p50_ms: round(percentile(sorted, 0.5), 3),
    p99_ms: round(percentile(sorted, 0.99), 3),
    max_ms: round(sorted.at(-1) ?? null, 3),
  };
}

/**
 * Runs `work(item)` over every item with `concurrency` callers pulling from one queue.
 * Returns items/s over the wall-clock time and the latency of each call (p50/p99/max).
 */
export async function drive(items, concurrency, work) {
  const latencies_ms = new Float64Array(items.length);
  let next = 0;
  const started_ms = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const index = next++;
      const call_ms = performance.now();
      await work(items[index]);
      latencies_ms[index] = performance.now() - call_ms;
    }
  }));
  const elapsed_s = (performance.now() - started_ms) / 1000;
  return { count: items.length, per_second: items.length / elapsed_s, elapsed_s: round(elapsed_s, 3), ...summarizeLatencies(latencies_ms) };
}

/** Wall-clock seconds of `work()`, with its result. */
export async function timed(work) {
  const started_ms = performance.now();
  const result = await work();
  return { result, elapsed_s: (performance.now() - started_ms) / 1000 };
}

export function round(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value ?? null;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
