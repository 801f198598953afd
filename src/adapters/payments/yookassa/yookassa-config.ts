import { z } from 'zod';
import { addressListSetting } from '../../../config.js';
import type { AddressRange } from '../../../core/address-list.js';
import { anySet, apiUrlSetting, settingsFromEnvironment, timeoutMsSetting, timeoutVariable, type EnvironmentVariable } from '../kit/provider-settings.js';

/**
 * YooKassa's settings come from the environment, validated once at start. The provider is off
 * (undefined) when neither the shop id nor the secret key is set; half a configuration, or a bad
 * value, stops the process with a message naming the variable.
 */

export const YOOKASSA_API_URL_DEFAULT = 'https://api.yookassa.ru/v3/';

/** The addresses YooKassa sends notifications from (yookassa.ru/developers/using-api/webhooks). */
export const YOOKASSA_NOTIFICATION_IPS_DEFAULT: readonly string[] = Object.freeze([
  '185.71.76.0/27',
  '185.71.77.0/27',
  '77.75.153.0/25',
  '77.75.156.11',
  '77.75.156.35',
  '77.75.154.128/25',
  '2a02:5180::/32',
]);

export const YOOKASSA_ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = Object.freeze([
  { name: 'YOOKASSA_SHOP_ID', default: '(unset: YooKassa off)', description: 'shopId from the YooKassa dashboard (digits); set together with YOOKASSA_SECRET_KEY to turn YooKassa on' },
  { name: 'YOOKASSA_SECRET_KEY', default: '(unset: YooKassa off)', description: 'API secret key, "live_…" or "test_…" (a test shop\'s key takes no money)' },
  { name: 'YOOKASSA_API_URL', default: YOOKASSA_API_URL_DEFAULT, description: 'API base URL; https, or http on a loopback address for a local fake' },
  { name: 'YOOKASSA_NOTIFICATION_IPS', default: YOOKASSA_NOTIFICATION_IPS_DEFAULT.join(','), description: 'comma-separated IPs/CIDRs allowed to send notifications (they carry no signature)' },
  timeoutVariable('YOOKASSA_TIMEOUT_MS'),
]);

export interface YooKassaConfig {
  readonly shop_id: string;
  readonly secret_key: string;
  /** Always ends with "/", so relative paths ("payments") resolve under it. */
  readonly api_url: string;
  readonly notification_ranges: readonly AddressRange[];
  readonly timeout_ms: number;
}

const apiUrl = apiUrlSetting(YOOKASSA_API_URL_DEFAULT).transform((url) => (url.href.endsWith('/') ? url.href : `${url.href}/`));

const BOTH_NEEDED = 'must be set as well: YooKassa needs both YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY';

const environmentSchema = z.object({
  YOOKASSA_SHOP_ID: z.string({ error: BOTH_NEEDED }).trim().regex(/^\d{1,20}$/, 'must be the numeric shopId from the YooKassa dashboard'),
  YOOKASSA_SECRET_KEY: z.string({ error: BOTH_NEEDED }).trim().regex(/^(live|test)_\S+$/, 'must be a YooKassa secret key starting with live_ or test_'),
  // prefault, not default: the default text is parsed like a value from the environment.
  YOOKASSA_API_URL: apiUrl.prefault(YOOKASSA_API_URL_DEFAULT),
  YOOKASSA_NOTIFICATION_IPS: addressListSetting.prefault(YOOKASSA_NOTIFICATION_IPS_DEFAULT.join(',')),
  YOOKASSA_TIMEOUT_MS: timeoutMsSetting(),
});

/** The config, or undefined when YooKassa is not configured; throws ConfigError naming each bad variable. */
export function yookassaConfigFromEnv(environment: Readonly<Record<string, string | undefined>>): YooKassaConfig | undefined {
  if (!anySet(environment, ['YOOKASSA_SHOP_ID', 'YOOKASSA_SECRET_KEY'])) return undefined;
  const env = settingsFromEnvironment(environment, 'YOOKASSA_', environmentSchema);
  return Object.freeze({
    shop_id: env.YOOKASSA_SHOP_ID,
    secret_key: env.YOOKASSA_SECRET_KEY,
    api_url: env.YOOKASSA_API_URL,
    notification_ranges: env.YOOKASSA_NOTIFICATION_IPS.ranges,
    timeout_ms: env.YOOKASSA_TIMEOUT_MS,
  });
}
