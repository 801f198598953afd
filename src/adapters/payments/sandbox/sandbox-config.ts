import { z } from 'zod';

/** The sandbox provider is always on: it is what runs on a fresh machine. */
export const SANDBOX_ENV_VARIABLES = {
  SANDBOX_WEBHOOK_SECRET: 'HMAC secret of the sandbox webhooks (default: a fixed development secret)',
  SANDBOX_WEBHOOK_DUPLICATES: '0–1: share of sandbox webhooks sent twice, as real providers sometimes do (default 0)',
  SANDBOX_WEBHOOK_REORDER_MS: 'deliver sandbox webhooks with a random delay up to this, so they may arrive out of order (default 0)',
  SANDBOX_TIMEOUT_OUTCOME_MS: 'how long the "timeout" test card keeps the outcome unknown before its webhook (default 3000)',
} as const;

const schema = z.object({
  SANDBOX_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').default('whsec_roamcard_sandbox_development'),
  SANDBOX_WEBHOOK_DUPLICATES: z.coerce.number().min(0).max(1).default(0),
  SANDBOX_WEBHOOK_REORDER_MS: z.coerce.number().int().min(0).max(600_000).default(0),
  SANDBOX_TIMEOUT_OUTCOME_MS: z.coerce.number().int().min(0).max(3_600_000).default(3_000),
});

export interface SandboxConfig {
  readonly webhook_secret: string;
  readonly webhook_duplicate_share: number;
  readonly webhook_reorder_ms: number;
  readonly timeout_outcome_ms: number;
  readonly webhook_tolerance_s: number;
}

export function sandboxConfigFromEnv(env: Record<string, string | undefined>): SandboxConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith('SANDBOX_') && value !== undefined && value !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  return {
    webhook_secret: parsed.data.SANDBOX_WEBHOOK_SECRET,
    webhook_duplicate_share: parsed.data.SANDBOX_WEBHOOK_DUPLICATES,
    webhook_reorder_ms: parsed.data.SANDBOX_WEBHOOK_REORDER_MS,
    timeout_outcome_ms: parsed.data.SANDBOX_TIMEOUT_OUTCOME_MS,
    webhook_tolerance_s: 300,
  };
}
