import { z } from 'zod';
import { anySet, apiUrlSetting, settingsFromEnvironment, timeoutMsSetting, timeoutVariable, type EnvironmentVariable } from '../kit/provider-settings.js';
import { WEBHOOK_TOLERANCE_S_DEFAULT } from '../kit/provider-webhooks.js';

/**
 * Stripe's settings come from the environment, validated once at start. The provider is off
 * (undefined) when STRIPE_SECRET_KEY is unset; a key without its webhook secret, or any bad value,
 * stops the process with a message naming the variable.
 */

/** The SDK's own default timeout; nothing Stripe documents takes longer (the other adapters allow PROVIDER_TIMEOUT_MS_MAX). */
export const STRIPE_TIMEOUT_MS_MAX = 80_000;

/** Zero would switch the SDK's timestamp check off; under a minute trips over ordinary clock skew. */
export const STRIPE_WEBHOOK_TOLERANCE_S_MIN = 60;
/** A captured webhook can be replayed for this long; an hour is already generous. */
export const STRIPE_WEBHOOK_TOLERANCE_S_MAX = 3_600;

/**
 * Orders are priced in RUB (the port's InitiatePaymentInput.currency is 'RUB') and this adapter does
 * not convert, so the only currency Stripe can charge in is rub. The variable exists so that the
 * value is visible and checked, and so that a converting port has a place to plug in.
 */
export const STRIPE_CURRENCIES = ['rub'] as const;
export type StripeCurrency = (typeof STRIPE_CURRENCIES)[number];
export const STRIPE_CURRENCY_DEFAULT: StripeCurrency = 'rub';

export const STRIPE_ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = Object.freeze([
  { name: 'STRIPE_SECRET_KEY', default: '(unset: Stripe off)', description: 'secret key "sk_live_…"/"sk_test_…" or restricted key "rk_…"; setting it turns Stripe on' },
  { name: 'STRIPE_WEBHOOK_SECRET', default: '(required with the key)', description: 'signing secret "whsec_…" of the webhook endpoint; every webhook is verified with it' },
  { name: 'STRIPE_API_BASE', default: 'https://api.stripe.com', description: 'API origin (scheme://host[:port], no path); http only on a loopback address, for a local fake' },
  timeoutVariable('STRIPE_TIMEOUT_MS', STRIPE_TIMEOUT_MS_MAX),
  { name: 'STRIPE_WEBHOOK_TOLERANCE_S', default: String(WEBHOOK_TOLERANCE_S_DEFAULT), description: `oldest webhook signature accepted, in seconds (${STRIPE_WEBHOOK_TOLERANCE_S_MIN}–${STRIPE_WEBHOOK_TOLERANCE_S_MAX}); older ones are rejected as replays` },
  { name: 'STRIPE_CURRENCY', default: STRIPE_CURRENCY_DEFAULT, description: 'currency Stripe charges in; only rub (orders are priced in RUB and are not converted)' },
]);

/** Where the SDK sends requests: its `host`/`port`/`protocol` client options. */
export interface StripeApiBase {
  readonly protocol: 'https' | 'http';
  readonly host: string;
  readonly port: number;
}

export interface StripeConfig {
  readonly secret_key: string;
  readonly webhook_secret: string;
  /** Undefined means Stripe's own API (the SDK's built-in address). */
  readonly api_base: StripeApiBase | undefined;
  readonly timeout_ms: number;
  readonly webhook_tolerance_s: number;
  readonly currency: StripeCurrency;
}

const DEFAULT_PORTS = { 'https:': 443, 'http:': 80 } as const;

const apiBase = apiUrlSetting('https://api.stripe.com or http://127.0.0.1:12111')
  // The SDK puts its own /v1/… path after the host; a path here would be silently dropped.
  .refine((url) => url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '', 'must be scheme://host[:port] with no path, query or credentials')
  .transform((url): StripeApiBase => {
    const protocol = url.protocol === 'https:' ? 'https' : 'http';
    const port = url.port === '' ? DEFAULT_PORTS[url.protocol === 'https:' ? 'https:' : 'http:'] : Number(url.port);
    // The SDK passes host to node:http, which wants an IPv6 literal without brackets.
    return { protocol, host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
  });

const WEBHOOK_SECRET_NEEDED = 'must be set as well: every Stripe webhook is verified with the endpoint\'s signing secret (whsec_…)';

const environmentSchema = z.object({
  STRIPE_SECRET_KEY: z
    .string()
    .trim()
    .regex(/^(sk|rk)_\S+$/, 'must be a secret key starting with sk_ or rk_ (a pk_ publishable key cannot create payments)'),
  STRIPE_WEBHOOK_SECRET: z.string({ error: WEBHOOK_SECRET_NEEDED }).trim().regex(/^whsec_\S+$/, 'must be a webhook signing secret starting with whsec_'),
  STRIPE_API_BASE: apiBase.optional(),
  STRIPE_TIMEOUT_MS: timeoutMsSetting(STRIPE_TIMEOUT_MS_MAX),
  STRIPE_WEBHOOK_TOLERANCE_S: z.coerce
    .number()
    .int()
    .min(STRIPE_WEBHOOK_TOLERANCE_S_MIN)
    .max(STRIPE_WEBHOOK_TOLERANCE_S_MAX)
    .default(WEBHOOK_TOLERANCE_S_DEFAULT),
  STRIPE_CURRENCY: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(STRIPE_CURRENCIES, { error: 'must be rub: orders are priced in RUB and this adapter does not convert currencies' }))
    .default(STRIPE_CURRENCY_DEFAULT),
});

/** The config, or undefined when STRIPE_SECRET_KEY is unset; throws ConfigError naming each bad variable. */
export function stripeConfigFromEnv(environment: Readonly<Record<string, string | undefined>>): StripeConfig | undefined {
  if (!anySet(environment, ['STRIPE_SECRET_KEY'])) return undefined;
  const env = settingsFromEnvironment(environment, 'STRIPE_', environmentSchema);
  return Object.freeze({
    secret_key: env.STRIPE_SECRET_KEY,
    webhook_secret: env.STRIPE_WEBHOOK_SECRET,
    api_base: env.STRIPE_API_BASE === undefined ? undefined : Object.freeze(env.STRIPE_API_BASE),
    timeout_ms: env.STRIPE_TIMEOUT_MS,
    webhook_tolerance_s: env.STRIPE_WEBHOOK_TOLERANCE_S,
    currency: env.STRIPE_CURRENCY,
  });
}
