import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ConfigError } from '../../../config.js';
import { paypalConfigFromEnv } from '../paypal/paypal-config.js';
import { sandboxConfigFromEnv } from '../sandbox/sandbox-config.js';
import { stripeConfigFromEnv } from '../stripe/stripe-config.js';
import { yookassaConfigFromEnv } from '../yookassa/yookassa-config.js';
import { anySet, apiUrlSetting, PROVIDER_TIMEOUT_MS_MAX, PROVIDER_TIMEOUT_MS_MIN, settingsFromEnvironment, timeoutMsSetting } from './provider-settings.js';

/** Each adapter's reader with the least environment that turns it on. */
const READERS: readonly {
  readonly prefix: string;
  readonly read: (environment: Record<string, string>) => unknown;
  readonly on: Record<string, string>;
  readonly api_url?: string;
}[] = [
  { prefix: 'YOOKASSA_', read: yookassaConfigFromEnv, on: { YOOKASSA_SHOP_ID: '123456', YOOKASSA_SECRET_KEY: 'test_abc' }, api_url: 'YOOKASSA_API_URL' },
  { prefix: 'STRIPE_', read: stripeConfigFromEnv, on: { STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }, api_url: 'STRIPE_API_BASE' },
  { prefix: 'PAYPAL_', read: paypalConfigFromEnv, on: { PAYPAL_CLIENT_ID: 'client', PAYPAL_CLIENT_SECRET: 'secret', PAYPAL_WEBHOOK_ID: '8PT597110X687430LKGECATA' }, api_url: 'PAYPAL_API_BASE' },
  { prefix: 'SANDBOX_', read: sandboxConfigFromEnv, on: {} },
];

function problemsOf(read: () => unknown): readonly string[] {
  try {
    read();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  return assert.fail('expected a ConfigError');
}

describe('provider settings from the environment', () => {
  const schema = z.object({ DEMO_LIMIT: z.coerce.number().int().max(10).default(5), DEMO_NAME: z.string().min(3).optional() });

  it('read only the adapter\'s own variables, empty counting as unset', () => {
    assert.deepEqual(settingsFromEnvironment({ DEMO_LIMIT: '', DEMO_NAME: 'abc', OTHER_LIMIT: 'x' }, 'DEMO_', schema), { DEMO_LIMIT: 5, DEMO_NAME: 'abc' });
    assert.equal(anySet({ DEMO_NAME: '' }, ['DEMO_NAME']), false);
    assert.equal(anySet({ DEMO_NAME: '', DEMO_LIMIT: '1' }, ['DEMO_NAME', 'DEMO_LIMIT']), true);
  });

  it('name every bad variable in one ConfigError, each problem starting with the name', () => {
    assert.deepEqual(problemsOf(() => settingsFromEnvironment({ DEMO_LIMIT: '11', DEMO_NAME: 'x' }, 'DEMO_', schema)).map((problem) => problem.split(':')[0]), ['DEMO_LIMIT', 'DEMO_NAME']);
  });

  it('take an API address over https anywhere, over plain http on loopback only', () => {
    const setting = apiUrlSetting('https://api.example');
    for (const url of ['https://api.example/v1', 'http://127.0.0.1:8080', 'http://localhost:3000/', 'http://[::1]:9000']) assert.equal(setting.safeParse(url).success, true, url);
    for (const [url, message] of [['http://api.example', 'must use https (http only on a loopback address)'], ['api.example', 'must be an absolute URL such as https://api.example']] as const) {
      const parsed = setting.safeParse(url);
      assert.equal(parsed.success ? undefined : parsed.error.issues[0]?.message, message, url);
    }
  });

  it('bound every timeout the same way', () => {
    assert.equal(timeoutMsSetting().safeParse(undefined).data, 10_000);
    assert.equal(timeoutMsSetting().safeParse(String(PROVIDER_TIMEOUT_MS_MIN - 1)).success, false);
    assert.equal(timeoutMsSetting().safeParse(String(PROVIDER_TIMEOUT_MS_MAX)).success, true);
    assert.equal(timeoutMsSetting(80_000).safeParse('80001').success, false);
  });

  for (const reader of READERS) {
    it(`${reader.prefix}…: a bad value is a ConfigError naming the variable`, () => {
      const timeout = reader.prefix === 'SANDBOX_' ? 'SANDBOX_FAULT_TIMEOUT_MS' : `${reader.prefix}TIMEOUT_MS`;
      assert.deepEqual(problemsOf(() => reader.read({ ...reader.on, [timeout]: 'soon' })).map((problem) => problem.split(':')[0]), [timeout]);
    });

    if (reader.api_url === undefined) continue;
    const api_url = reader.api_url;
    it(`${api_url}: plain http only to a fake on this machine`, () => {
      assert.ok(reader.read({ ...reader.on, [api_url]: 'http://127.0.0.1:8080' }));
      assert.deepEqual(problemsOf(() => reader.read({ ...reader.on, [api_url]: 'http://provider.example' })), [`${api_url}: must use https (http only on a loopback address)`]);
    });
  }
});
