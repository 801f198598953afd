import { z } from 'zod';
import { isCurrency, type Currency } from '../../../core/money.js';
import { anySet, apiUrlSetting, settingsFromEnvironment, timeoutMsSetting, timeoutVariable, type EnvironmentVariable } from '../kit/provider-settings.js';

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

export const PAYPAL_CURRENCY_DEFAULT: Currency = 'RUB';

export const PAYPAL_ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = Object.freeze([
  { name: 'PAYPAL_CLIENT_ID', default: '(unset: PayPal off)', description: 'REST app client id (developer.paypal.com → Apps & Credentials); set with PAYPAL_CLIENT_SECRET to turn PayPal on' },
  { name: 'PAYPAL_CLIENT_SECRET', default: '(unset: PayPal off)', description: 'REST app secret, exchanged for an OAuth token (client credentials grant)' },
  { name: 'PAYPAL_WEBHOOK_ID', default: '(required when PayPal is on)', description: 'id of the webhook registered in the app; PayPal verifies each notification against it' },
  { name: 'PAYPAL_ENVIRONMENT', default: 'sandbox', description: 'sandbox (test money, api-m.sandbox.paypal.com) or production (api-m.paypal.com)' },
  { name: 'PAYPAL_API_BASE', default: '(the environment\'s host)', description: 'override of the REST base URL, for a local fake or staging; https, or http on a loopback address' },
  timeoutVariable('PAYPAL_TIMEOUT_MS'),
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

const apiBase = apiUrlSetting('https://api-m.sandbox.paypal.com')
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
  PAYPAL_TIMEOUT_MS: timeoutMsSetting(),
  PAYPAL_CURRENCY: z
    .string()
    .trim()
    .refine(isCurrency, 'must be a currency the ledger knows (RUB, CNY, USD, EUR)')
    .default(PAYPAL_CURRENCY_DEFAULT),
});

/** The config, or undefined when PayPal is not configured; throws ConfigError naming each bad variable. */
export function paypalConfigFromEnv(environment: Readonly<Record<string, string | undefined>>): PayPalConfig | undefined {
  if (!anySet(environment, ['PAYPAL_CLIENT_ID', 'PAYPAL_CLIENT_SECRET'])) return undefined;
  const env = settingsFromEnvironment(environment, 'PAYPAL_', environmentSchema);
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
