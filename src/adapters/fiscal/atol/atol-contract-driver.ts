import assert from 'node:assert/strict';
import { PROVIDER_ATTEMPTS_MAX } from '../../payments/kit/provider-retries.js';
import { RETRIES_WITHOUT_WAITING } from '../../payments/kit/provider-testing.js';
import type { RegisterDriver } from '../kit/register-contract.js';
import { atolConfigFromEnv, type AtolConfig } from './atol-config.js';
import { AtolFake } from './atol-fake-server.js';
import { AtolRegister } from './atol-register.js';

/** The shortest timeout ATOL_TIMEOUT_MS takes; the late answer comes well after it. */
const IMPATIENT_TIMEOUT_MS = 500;
const LATE_ANSWER_MS = 1_500;

/** The fake's settings through the real environment parser (http is allowed on loopback only). */
export function atolConfigFor(fake: AtolFake, environment: Record<string, string> = {}): AtolConfig {
  const config = atolConfigFromEnv({
    ATOL_LOGIN: fake.login, ATOL_PASSWORD: fake.password, ATOL_GROUP_CODE: fake.group_code, ATOL_BASE_URL: fake.base_url, ...environment,
  });
  assert.ok(config);
  return config;
}

/** ATOL Online against its local fake (atol-fake-server.ts). */
export function atolDriver(): RegisterDriver {
  let fake: AtolFake | undefined;
  const started = (): AtolFake => fake ?? assert.fail('the ATOL fake is not started');
  return {
    label: 'atol',
    // A register on loopback is not ATOL's test host: its documents read as fiscal.
    is_test: false,
    async start() {
      fake = await AtolFake.start();
      return new AtolRegister(atolConfigFor(fake), { retries: RETRIES_WITHOUT_WAITING });
    },
    stop: async () => fake?.close(),
    documentCount: async () => started().document_count,
    printAll: async () => started().print(),
    lost_answer: {
      async loseNextAnswer() {
        started().delayNext(1, LATE_ANSWER_MS, { kind: 'register' });
        const impatient = atolConfigFor(started(), { ATOL_TIMEOUT_MS: String(IMPATIENT_TIMEOUT_MS) });
        return new AtolRegister(impatient, { retries: RETRIES_WITHOUT_WAITING });
      },
    },
    outage: {
      goDown: async () => started().failNext(PROVIDER_ATTEMPTS_MAX, 503, { kind: 'register' }),
    },
  };
}
