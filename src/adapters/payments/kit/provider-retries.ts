import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelayMs, type BackoffPolicy } from '../../../core/backoff.js';
import { ProviderError } from '../../../ports/payment-provider.js';

/**
 * Bounded retries for provider calls. Only `retryable` failures are tried again (network refused,
 * 429, 503 before the request was processed), always with the same idempotency key, so a retry can
 * never make a second payment. Definitive and indeterminate failures go straight to the caller.
 */
export const PROVIDER_ATTEMPTS_MAX = 4;
export const PROVIDER_BACKOFF: BackoffPolicy = { base_ms: 200, cap_ms: 5_000 };

/** Every adapter's `retries` option: the bounds above, changed (tests pass `random: () => 0` for no waiting). */
export interface ProviderRetryOptions {
  readonly attempts_max?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
}

export async function withProviderRetries<T>(call: () => Promise<T>, options: ProviderRetryOptions = {}): Promise<T> {
  return withBoundedRetries(call, (error) => error instanceof ProviderError && error.kind === 'retryable', options);
}

/**
 * The same bounds and backoff for an adapter whose failures are not ProviderErrors (the fiscal
 * registers'): `call` is tried again only while `retryable` says so of what it threw, at most
 * `attempts_max` times in all; the last failure goes to the caller.
 */
export async function withBoundedRetries<T>(
  call: () => Promise<T>,
  retryable: (error: unknown) => boolean,
  options: ProviderRetryOptions = {},
): Promise<T> {
  const attempts_max = options.attempts_max ?? PROVIDER_ATTEMPTS_MAX;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!retryable(error) || attempt >= attempts_max) throw error;
      await sleep(backoffDelayMs(attempt, options.backoff ?? PROVIDER_BACKOFF, options.random));
    }
  }
}

/**
 * Classifies a failed HTTP exchange the way every provider's docs describe it:
 * no connection → retryable; 429 → retryable; 5xx or a timeout after sending → indeterminate
 * (the provider may have acted); other 4xx → definitive.
 */
export function classifyHttpFailure(status: number | undefined, sent: boolean): ProviderError['kind'] {
  if (status === undefined) return sent ? 'indeterminate' : 'retryable';
  if (status === 429) return 'retryable';
  if (status >= 500) return 'indeterminate';
  return 'definitive';
}
