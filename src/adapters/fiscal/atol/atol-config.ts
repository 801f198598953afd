import { z } from 'zod';
import {
  anySet,
  apiUrlSetting,
  PROVIDER_TIMEOUT_MS_DEFAULT,
  PROVIDER_TIMEOUT_MS_MAX,
  PROVIDER_TIMEOUT_MS_MIN,
  settingsFromEnvironment,
  timeoutMsSetting,
  type EnvironmentVariable,
} from '../../payments/kit/provider-settings.js';

/**
 * ATOL Online's settings come from the environment, validated once at start (src/config.ts reads
 * them with the rest). The register is off (undefined) while none of its credentials is set; a
 * part of them, or a bad value, stops the process with a message naming the variable — never
 * showing the password, which is kept out of every enumeration of the config (so out of logs).
 */

export const ATOL_BASE_URL_DEFAULT = 'https://online.atol.ru/possystem/';
/** ATOL's test registers: their documents reach no tax office, so they are marked as test documents. */
export const ATOL_TEST_HOST = 'testonline.atol.ru';

export const ATOL_ENVIRONMENT_VARIABLES: readonly EnvironmentVariable[] = Object.freeze([
  { name: 'ATOL_LOGIN', default: '(unset: ATOL off)', description: 'the integration\'s login from the ATOL Online account; set with ATOL_PASSWORD and ATOL_GROUP_CODE to turn ATOL on' },
  { name: 'ATOL_PASSWORD', default: '(unset: ATOL off)', description: 'the integration\'s password; never logged' },
  { name: 'ATOL_GROUP_CODE', default: '(unset: ATOL off)', description: 'the group of registers documents go to, e.g. v5-online-atol-ru_5179' },
  { name: 'ATOL_BASE_URL', default: ATOL_BASE_URL_DEFAULT, description: `API base; https://${ATOL_TEST_HOST}/possystem/ for ATOL's test registers (their documents are marked as test documents); http only on a loopback address, for a local fake` },
  {
    name: 'ATOL_TIMEOUT_MS',
    default: String(PROVIDER_TIMEOUT_MS_DEFAULT),
    description: `per-request timeout in milliseconds (${PROVIDER_TIMEOUT_MS_MIN}–${PROVIDER_TIMEOUT_MS_MAX}); a document whose answer timed out is asked for again under the same external_id, never registered twice`,
  },
]);

export interface AtolConfig {
  readonly login: string;
  /** Not enumerable: a logged or serialised configuration never shows it. */
  readonly password: string;
  readonly group_code: string;
  /** Always ends with "/", so relative paths ("v5/getToken") resolve under it. */
  readonly base_url: string;
  readonly timeout_ms: number;
  /** ATOL's test host: what it registers is not fiscal. */
  readonly test_environment: boolean;
}

const ALL_NEEDED = 'must be set as well: ATOL Online needs ATOL_LOGIN, ATOL_PASSWORD and ATOL_GROUP_CODE';

const baseUrl = apiUrlSetting(ATOL_BASE_URL_DEFAULT).transform((url) => (url.href.endsWith('/') ? url : new URL(`${url.href}/`)));

const environmentSchema = z.object({
  ATOL_LOGIN: z.string({ error: ALL_NEEDED }).trim().regex(/^\S{1,100}$/, 'must be the integration\'s login: 1–100 characters, no spaces'),
  ATOL_PASSWORD: z.string({ error: ALL_NEEDED }).min(1, ALL_NEEDED).max(100, 'must be at most 100 characters'),
  ATOL_GROUP_CODE: z.string({ error: ALL_NEEDED }).trim().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be the group code from the ATOL Online account, e.g. v5-online-atol-ru_5179'),
  // prefault, not default: the default text is parsed like a value from the environment.
  ATOL_BASE_URL: baseUrl.prefault(ATOL_BASE_URL_DEFAULT),
  ATOL_TIMEOUT_MS: timeoutMsSetting(),
});

/** The variables whose presence turns ATOL on. */
export const ATOL_CREDENTIAL_VARIABLES = ['ATOL_LOGIN', 'ATOL_PASSWORD', 'ATOL_GROUP_CODE'] as const;

/** The config, or undefined when ATOL is not configured; throws ConfigError naming each bad variable. */
export function atolConfigFromEnv(environment: Readonly<Record<string, string | undefined>>): AtolConfig | undefined {
  if (!anySet(environment, ATOL_CREDENTIAL_VARIABLES)) return undefined;
  const env = settingsFromEnvironment(environment, 'ATOL_', environmentSchema);
  const config = {
    login: env.ATOL_LOGIN,
    group_code: env.ATOL_GROUP_CODE,
    base_url: env.ATOL_BASE_URL.href,
    timeout_ms: env.ATOL_TIMEOUT_MS,
    test_environment: env.ATOL_BASE_URL.hostname === ATOL_TEST_HOST,
  } as AtolConfig;
  Object.defineProperty(config, 'password', { value: env.ATOL_PASSWORD, enumerable: false });
  return Object.freeze(config);
}
