import { z } from 'zod';
import { ConfigError } from '../../../config-error.js';
import { isPlainHttpOnLoopback } from '../../../core/address-list.js';

/**
 * How every payment adapter reads its settings: its own variables (`STRIPE_…`), validated once at
 * start by a zod schema, each bad value a ConfigError problem "NAME: what is wrong" — the same
 * error type and wording as the main loadConfig (src/config.ts), so a bad variable stops the
 * process the same way whichever part reads it.
 */

/** One variable an adapter reads, as its `<NAME>_ENVIRONMENT_VARIABLES` list documents it. */
export interface EnvironmentVariable {
  readonly name: string;
  /** What applies when it is unset, in words ("(unset: Stripe off)") or as the value. */
  readonly default: string;
  readonly description: string;
}

/**
 * The adapter's variables that are set. Empty counts as unset, as in loadConfig, so that
 * `STRIPE_SECRET_KEY=` in a .env file turns Stripe off rather than failing its validation.
 */
function present(environment: Readonly<Record<string, string | undefined>>, prefix: string): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => entry[0].startsWith(prefix) && entry[1] !== undefined && entry[1] !== ''));
}

/** Whether any of these variables is set (empty counts as unset): what turns an adapter on. */
export function anySet(environment: Readonly<Record<string, string | undefined>>, names: readonly string[]): boolean {
  return names.some((name) => {
    const value = environment[name];
    return value !== undefined && value !== '';
  });
}

/**
 * The adapter's variables — those starting with `prefix` — through its schema. Throws ConfigError
 * with one problem per bad variable, each starting with the variable's name.
 */
export function settingsFromEnvironment<S extends z.ZodType>(
  environment: Readonly<Record<string, string | undefined>>,
  prefix: string,
  schema: S,
): z.output<S> {
  const parsed = schema.safeParse(present(environment, prefix));
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  return parsed.data;
}

/**
 * An API address (`example` shows one in the message): absolute, and https — plain http only on
 * loopback, for a provider's local fake, because the credentials travel in every request.
 */
export function apiUrlSetting(example: string) {
  return z
    .string()
    .trim()
    .refine((text) => URL.canParse(text), `must be an absolute URL such as ${example}`)
    .transform((text) => new URL(text))
    .refine((url) => url.protocol === 'https:' || isPlainHttpOnLoopback(url), 'must use https (http only on a loopback address)');
}

/** The per-request timeout every adapter starts from. */
export const PROVIDER_TIMEOUT_MS_DEFAULT = 10_000;
/** Below this a healthy request to a provider abroad can time out. */
export const PROVIDER_TIMEOUT_MS_MIN = 500;
/** Above this a stuck call holds a worker too long. */
export const PROVIDER_TIMEOUT_MS_MAX = 120_000;

/** `<NAME>_TIMEOUT_MS`: whole milliseconds within the bounds; an adapter may lower the maximum to its SDK's. */
export function timeoutMsSetting(max_ms = PROVIDER_TIMEOUT_MS_MAX) {
  return z.coerce.number().int().min(PROVIDER_TIMEOUT_MS_MIN).max(max_ms).default(PROVIDER_TIMEOUT_MS_DEFAULT);
}

/** The documentation of a `<NAME>_TIMEOUT_MS` variable, in the same words for every adapter. */
export function timeoutVariable(name: string, max_ms = PROVIDER_TIMEOUT_MS_MAX): EnvironmentVariable {
  return {
    name,
    default: String(PROVIDER_TIMEOUT_MS_DEFAULT),
    description: `per-request timeout in milliseconds (${PROVIDER_TIMEOUT_MS_MIN}–${max_ms}); a timed-out payment stays pending, never failed`,
  };
}
