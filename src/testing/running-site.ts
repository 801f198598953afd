import type { AppContext } from '../app/context.js';
import type { Database } from '../db/database.js';
import { startServer, type RunningServer } from './running-server.js';

/**
 * The server as the browser suites meet it (running-server.ts), with the sandbox's "timeout" card
 * shortened and the anonymous look-up limits out of the way.
 */
export type RunningSite = RunningServer;

/** How long the sandbox's "timeout" card (4000 0000 0000 0119) keeps its outcome unknown in tests. */
export const TEST_TIMEOUT_OUTCOME_MS = 2_500;
/**
 * The browser suites look up the same demo numbers from loopback far more often than any visitor
 * would (every page, language and screen size): the anonymous look-up limits, tested on their own
 * (production-safety.test.ts), are raised here so that they do not get in the way.
 */
const BROWSER_SUITE_LOOKUPS_PER_HOUR = '100000';

export async function startSite(database: Database, environment: Record<string, string> = {}): Promise<RunningSite> {
  return startServer(database, {
    environment: {
      SANDBOX_TIMEOUT_OUTCOME_MS: String(TEST_TIMEOUT_OUTCOME_MS),
      RENEW_LOOKUPS_PER_ADDRESS_HOUR: BROWSER_SUITE_LOOKUPS_PER_HOUR,
      RENEW_LOOKUPS_PER_NUMBER_HOUR: BROWSER_SUITE_LOOKUPS_PER_HOUR,
      ...environment,
    },
  });
}

/** Orders made for a line so far: "nothing changed" checks count them. */
export async function orderCount(context: AppContext): Promise<number> {
  const row = await context.database.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return Number(row.count);
}
