import { z } from 'zod';
import { settingsFromEnvironment, type EnvironmentVariable } from '../kit/provider-settings.js';
import { WEBHOOK_TOLERANCE_S_DEFAULT } from '../kit/provider-webhooks.js';

/** The sandbox provider runs in test mode only (PAYMENTS_SANDBOX, src/config.ts): a fresh machine's way to pay. */
export const SANDBOX_ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = Object.freeze([
  { name: 'SANDBOX_WEBHOOK_SECRET', default: '(a random secret made once per installation and kept in its database)', description: 'HMAC secret of the sandbox webhooks' },
  { name: 'SANDBOX_WEBHOOK_DUPLICATES', default: '0', description: '0–1: share of sandbox webhooks sent twice, as real providers sometimes do' },
  { name: 'SANDBOX_WEBHOOK_REORDER_MS', default: '0', description: 'deliver sandbox webhooks with a random delay up to this, so they may arrive out of order' },
  { name: 'SANDBOX_TIMEOUT_OUTCOME_MS', default: '3000', description: 'how long the "timeout" test card keeps the outcome unknown before its webhook' },
  // Fault injection, for fault tests and `npm run soak`: all off by default.
  { name: 'SANDBOX_FAULT_TIMEOUT_SHARE', default: '0', description: '0–1: share of calls to the sandbox API (create, status, cancel, refund) that time out; half of them take effect before the answer is lost' },
  { name: 'SANDBOX_FAULT_TIMEOUT_MS', default: '1000', description: 'how long a timed-out sandbox API call hangs before it fails' },
  { name: 'SANDBOX_FAULT_ERROR_SHARE', default: '0', description: '0–1: share of calls to the sandbox API that fail with an HTTP 500-style error, without effect' },
  { name: 'SANDBOX_FAULT_WEBHOOK_DELAY_SHARE', default: '0', description: '0–1: share of sandbox webhooks held back by SANDBOX_FAULT_WEBHOOK_DELAY_MS on top of any reordering' },
  { name: 'SANDBOX_FAULT_WEBHOOK_DELAY_MS', default: '10000', description: 'how long a held-back sandbox webhook waits' },
]);

// The variable's name comes before each message ("SANDBOX_FAULT_TIMEOUT_SHARE: must be …").
const share = z.coerce.number({ error: 'must be a number between 0 and 1 (a share, e.g. 0.05)' })
  .min(0, 'must be a share between 0 and 1').max(1, 'must be a share between 0 and 1');
const duration_ms = (max_ms: number) => z.coerce.number({ error: 'must be a whole number of milliseconds' })
  .int('must be a whole number of milliseconds').min(0, 'must not be negative').max(max_ms, `must be at most ${max_ms} ms`);

const schema = z.object({
  SANDBOX_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  SANDBOX_WEBHOOK_DUPLICATES: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_WEBHOOK_REORDER_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  SANDBOX_TIMEOUT_OUTCOME_MS: z.coerce.number().int().min(0).max(3_600_000).default(3_000),
  SANDBOX_FAULT_TIMEOUT_SHARE: share.default(0),
  SANDBOX_FAULT_TIMEOUT_MS: duration_ms(120_000).default(1_000),
  SANDBOX_FAULT_ERROR_SHARE: share.default(0),
  SANDBOX_FAULT_WEBHOOK_DELAY_SHARE: share.default(0),
  SANDBOX_FAULT_WEBHOOK_DELAY_MS: duration_ms(600_000).default(10_000),
}).refine((env) => env.SANDBOX_FAULT_TIMEOUT_SHARE + env.SANDBOX_FAULT_ERROR_SHARE <= 1, {
  path: ['SANDBOX_FAULT_ERROR_SHARE'],
  message: 'with SANDBOX_FAULT_TIMEOUT_SHARE must not exceed 1 (a call fails at most one way)',
});

/** Faults the sandbox injects into its own API and webhook delivery; every share 0 means none. */
export interface SandboxFaults {
  readonly timeout_share: number;
  readonly timeout_ms: number;
  readonly error_share: number;
  readonly webhook_delay_share: number;
  readonly webhook_delay_ms: number;
}

export const NO_SANDBOX_FAULTS: SandboxFaults = {
  timeout_share: 0, timeout_ms: 0, error_share: 0, webhook_delay_share: 0, webhook_delay_ms: 0,
};

export interface SandboxConfig {
  /** Undefined: the installation's own secret (see SandboxProvider.webhookSecret). */
  readonly webhook_secret: string | undefined;
  readonly webhook_duplicate_share: number;
  readonly webhook_reorder_ms: number;
  readonly timeout_outcome_ms: number;
  readonly webhook_tolerance_s: number;
  readonly faults: SandboxFaults;
}

/** The sandbox's settings; throws ConfigError naming each bad variable. */
export function sandboxConfigFromEnv(environment: Readonly<Record<string, string | undefined>>): SandboxConfig {
  const data = settingsFromEnvironment(environment, 'SANDBOX_', schema);
  return {
    webhook_secret: data.SANDBOX_WEBHOOK_SECRET,
    webhook_duplicate_share: data.SANDBOX_WEBHOOK_DUPLICATES,
    webhook_reorder_ms: data.SANDBOX_WEBHOOK_REORDER_MS,
    timeout_outcome_ms: data.SANDBOX_TIMEOUT_OUTCOME_MS,
    webhook_tolerance_s: WEBHOOK_TOLERANCE_S_DEFAULT,
    faults: {
      timeout_share: data.SANDBOX_FAULT_TIMEOUT_SHARE,
      timeout_ms: data.SANDBOX_FAULT_TIMEOUT_MS,
      error_share: data.SANDBOX_FAULT_ERROR_SHARE,
      webhook_delay_share: data.SANDBOX_FAULT_WEBHOOK_DELAY_SHARE,
      webhook_delay_ms: data.SANDBOX_FAULT_WEBHOOK_DELAY_MS,
    },
  };
}
