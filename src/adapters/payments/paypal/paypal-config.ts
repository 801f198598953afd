import { z } from 'zod';
import { ConfigError } from '../../../config.js';
import { isCurrency, type Currency } from '../../../core/money.js';

/**
 * PayPal's settings come from the environment, validated once at start. The provider is off
 * (undefined) when neither the client id nor the secret is set; half a configuration, or a bad
 * value, stops the process with a message naming the variable.
 */

export const PAYPAL_ENVIRONMENTS = ['sandbox', 'production'] as const;
export type PayPalEnvironment = (typeof PAYPAL_ENVIRONMENTS)[number];

/** PayPal's REST hosts (developer.paypal.com/api/rest/requests); the SDK has the same two built in. */
export const PAYPAL_API_BASE_BY_ENVIRONMENT: Readonly<Record<PayPalEnvironment, string>> = Object.freeze({
  sandbox: 'https://api-m.sandbox.paypal.com',
  production: 'https://api-m.paypal.com',
});

export const PAYPAL_TIMEOUT_MS_DEFAULT = 10_000;
/** Below this a healthy call across the Atlantic can time out; above it a stuck call holds a worker too long. */
export const PAYPAL_TIMEOUT_MS_MIN = 500;
export const PAYPAL_TIMEOUT_MS_MAX = 120_000;
export const PAYPAL_CURRENCY_DEFAULT: Currency = 'RUB';

export const PAYPAL_ENVIRONMENT_VARIABLES: readonly { readonly name: string; readonly default: string; readonly description: string }[] = Object.freeze([
  { name: 'PAYPAL_CLIENT_ID', default: '(unset: PayPal off)', description: 'REST app client id (developer.paypal.com → Apps & Credentials); set with PAYPAL_CLIENT_SECRET to turn PayPal on' },
  { name: 'PAYPAL_CLIENT_SECRET', default: '(unset: PayPal off)', description: 'REST app secret, exchanged for an OAuth token (client credentials grant)' },
  { name: 'PAYPAL_WEBHOOK_ID', default: '(required when PayPal is on)', description: 'id of the webhook registered in the app; PayPal verifies each notification against it' },
  { name: 'PAYPAL_ENVIRONMENT', default: 'sandbox', description: 'sandbox (test money, api-m.sandbox.paypal.com) or production (api-m.paypal.com)' },
  { name: 'PAYPAL_API_BASE', default: '(the environment\'s host)', description: 'override of the REST base URL, for a local fake or staging; https, or http on a loopback address' },
  { name: 'PAYPAL_TIMEOUT_MS', default: String(PAYPAL_TIMEOUT_MS_DEFAULT), description: `per-request timeout in milliseconds (${PAYPAL_TIMEOUT_MS_MIN}–${PAYPAL_TIMEOUT_MS_MAX}); a timed-out payment stays pending, never failed` },
  { name: 'PAYPAL_CURRENCY', default: PAYPAL_CURRENCY_DEFAULT, description: 'ISO 4217 currency of PayPal orders; must match the currency payments are priced in (RUB)' },
]);

export interface PayPalConfig {
  readonly client_id: string;
  readonly client_secret: string;
  readonly webhook_id: string;
  readonly environment: PayPalEnvironment;
  /** Without a trailing slash: "https://api-m.sandbox.paypal.com" or the PAYPAL_API_BASE override. */
  readonly api_base: string;
  readonly timeout_ms: number;
  readonly currency: Currency;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const apiBase = z
  .string()
  .trim()
  .refine((text) => URL.canParse(text), 'must be an absolute URL such as https://api-m.sandbox.paypal.com')
  .transform((text) => new URL(text))
  // The client secret and bearer tokens travel in every request: plain http only to a fake on this machine.
  .refine((url) => url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)), 'must use https (http only on a loopback address)')
  .refine((url) => url.search === '' && url.hash === '', 'must not have a query or a fragment')
  .transform((url) => url.href.replace(/\/+$/, ''));

const BOTH_NEEDED = 'must be set as well: PayPal needs both PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET';
const credential = z.string({ error: BOTH_NEEDED }).trim().regex(/^\S+$/, 'must be one word without spaces');

const environmentSchema = z.object({
  PAYPAL_CLIENT_ID: credential,
  PAYPAL_CLIENT_SECRET: credential,
  PAYPAL_WEBHOOK_ID: z
    .string({ error: 'must be set when PayPal is on: without it no notification can be verified' })
    .trim()
    .regex(/^[A-Za-z0-9]{8,64}$/, 'must be the webhook id shown in the PayPal app (letters and digits)'),
  PAYPAL_ENVIRONMENT: z.enum(PAYPAL_ENVIRONMENTS, { error: 'must be sandbox or production' }).default('sandbox'),
  PAYPAL_API_BASE: apiBase.optional(),
  PAYPAL_TIMEOUT_MS: z.coerce.number().int().min(PAYPAL_TIMEOUT_MS_MIN).max(PAYPAL_TIMEOUT_MS_MAX).default(PAYPAL_TIMEOUT_MS_DEFAULT),
  PAYPAL_CURRENCY: z
    .string()
    .trim()
    .refine(isCurrency, 'must be a currency the ledger knows (RUB, CNY, USD, EUR)')
    .default(PAYPAL_CURRENCY_DEFAULT),
});

/** The config, or undefined when PayPal is not configured; throws ConfigError naming each bad variable. */
export function paypalConfigFromEnv(environment: Readonly<Record<string, string | undefined>>): PayPalConfig | undefined {
  // Empty counts as unset, as in the main loadConfig: `PAYPAL_CLIENT_ID=` in a .env file turns it off.
  const present = Object.fromEntries(Object.entries(environment).filter(([name, value]) => name.startsWith('PAYPAL_') && value !== undefined && value !== ''));
  if (present.PAYPAL_CLIENT_ID === undefined && present.PAYPAL_CLIENT_SECRET === undefined) return undefined;
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  return Object.freeze({
    client_id: env.PAYPAL_CLIENT_ID,
    client_secret: env.PAYPAL_CLIENT_SECRET,
    webhook_id: env.PAYPAL_WEBHOOK_ID,
    environment: env.PAYPAL_ENVIRONMENT,
    api_base: env.PAYPAL_API_BASE ?? PAYPAL_API_BASE_BY_ENVIRONMENT[env.PAYPAL_ENVIRONMENT],
    timeout_ms: env.PAYPAL_TIMEOUT_MS,
    currency: env.PAYPAL_CURRENCY as Currency,
  });
}
