import { setTimeout as sleep } from 'node:timers/promises';
import { ProviderError } from '../../../ports/payment-provider.js';
import type { SandboxFaults } from './sandbox-config.js';

/**
 * Fault injection for the sandbox's API, so fault tests and the soak run can see what a real
 * provider does on a bad day. A 500 is answered before anything happens; a timeout hangs, and half
 * the time the provider did act before the answer was lost — the case that must never turn into a
 * second charge. Both are `indeterminate` to the caller, as classifyHttpFailure says of a real 5xx
 * or a timeout after sending.
 */

export type SandboxFault = 'none' | 'error' | 'timeout_before_effect' | 'timeout_after_effect';

/** One roll per call. With every share 0 nothing is drawn, so a run without faults uses the same random stream as before. */
export function drawFault(faults: SandboxFaults, random: () => number): SandboxFault {
  if (faults.error_share === 0 && faults.timeout_share === 0) return 'none';
  const roll = random();
  if (roll < faults.error_share) return 'error';
  if (roll >= faults.error_share + faults.timeout_share) return 'none';
  return random() < 0.5 ? 'timeout_before_effect' : 'timeout_after_effect';
}

/** Runs one sandbox API call (`operation` names it in the error) through the configured faults. */
export async function withInjectedFault<T>(
  provider: string,
  operation: string,
  faults: SandboxFaults,
  random: () => number,
  call: () => Promise<T>,
): Promise<T> {
  const fault = drawFault(faults, random);
  if (fault === 'none') return call();
  if (fault === 'error') {
    throw new ProviderError(provider, 'indeterminate', `sandbox ${operation}: HTTP 500 (injected fault)`, { provider_code: 'injected_http_500' });
  }
  if (fault === 'timeout_after_effect') await call();
  await sleep(faults.timeout_ms);
  throw new ProviderError(provider, 'indeterminate', `sandbox ${operation}: no answer within ${faults.timeout_ms} ms (injected fault)`, { provider_code: 'injected_timeout' });
}

/** Extra delivery delay of one webhook: the whole configured delay for its share of webhooks, else none. */
export function webhookDelayMs(faults: SandboxFaults, random: () => number): number {
  if (faults.webhook_delay_share === 0) return 0;
  return random() < faults.webhook_delay_share ? faults.webhook_delay_ms : 0;
}
