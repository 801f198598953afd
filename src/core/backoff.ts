/**
 * Capped exponential backoff with full jitter (the AWS Architecture Blog's recommendation, used by
 * Medusa and most provider SDKs): the n-th retry waits a random time in [0, min(cap, base·2^(n-1))],
 * so retries from many workers spread out instead of arriving together.
 */
export interface BackoffPolicy {
  readonly base_ms: number;
  readonly cap_ms: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { base_ms: 1_000, cap_ms: 5 * 60_000 };

/** `attempt` counts from 1; `random` is injectable so tests and simulations are deterministic. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling_ms = Math.min(policy.cap_ms, policy.base_ms * 2 ** exponent);
  return Math.floor(random() * ceiling_ms);
}
