import { contextOver, type AppContext } from '../../../../app/context.js';
import { loadConfig, paygTariff } from '../../../../config.js';
import type { Database } from '../../../../db/database.js';
import { systemClock } from '../../../../ports/clock.js';
import { seedDemo } from '../../../../services/demo/seed.js';
import type { OutboxWorker } from '../../../../services/jobs/worker.js';
import { freePort } from '../../../../testing/net.js';
import { testServer } from '../../../http/test-support.js';

/**
 * The whole server on a loopback port, as a browser meets it: demo data, the real clock, the
 * outbox worker delivering the sandbox's signed webhooks, and the sandbox's hosted pages.
 */
export interface RunningSite {
  readonly base: string;
  readonly context: AppContext;
  stop(): Promise<void>;
}

/** How long the sandbox's "timeout" card (4000 0000 0000 0119) keeps its outcome unknown in tests. */
export const TEST_TIMEOUT_OUTCOME_MS = 2_500;
const WORKER_POLL_MS = 20;
/**
 * The browser suites look up the same demo numbers from loopback far more often than any visitor
 * would (every page, language and screen size): the anonymous look-up limits, tested on their own
 * (production-safety.test.ts), are raised here so that they do not get in the way.
 */
const BROWSER_SUITE_LOOKUPS_PER_HOUR = '100000';

export async function startSite(database: Database, environment: Record<string, string> = {}): Promise<RunningSite> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    LOG_LEVEL: 'silent', PORT: String(port), PUBLIC_BASE_URL: base, SANDBOX_TIMEOUT_OUTCOME_MS: String(TEST_TIMEOUT_OUTCOME_MS),
    RENEW_LOOKUPS_PER_ADDRESS_HOUR: BROWSER_SUITE_LOOKUPS_PER_HOUR, RENEW_LOOKUPS_PER_NUMBER_HOUR: BROWSER_SUITE_LOOKUPS_PER_HOUR, ...environment,
  };
  const config = loadConfig(env);
  await seedDemo(database, paygTariff(config), systemClock.now_ms());
  const context = contextOver(config, database, systemClock, { environment: env });
  const server = testServer(context);
  await server.listen({ host: '127.0.0.1', port });
  const worker: OutboxWorker = context.createWorker({ poll_interval_ms: WORKER_POLL_MS });
  worker.start();
  return {
    base,
    context,
    async stop() {
      await worker.stop();
      await server.close();
    },
  };
}

/** Orders made for a line so far: "nothing changed" checks count them. */
export async function orderCount(context: AppContext): Promise<number> {
  const row = await context.database.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}
