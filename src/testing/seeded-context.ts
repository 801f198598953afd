import { contextOver, type AppContext } from '../app/context.js';
import { loadConfig, paygTariff } from '../config.js';
import { luhnCheckDigit } from '../core/iccid.js';
import type { Language } from '../core/i18n/languages.js';
import type { Database } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { ManualClock } from '../ports/clock.js';
import { currentPrice } from '../services/catalog/catalog.js';
import { seedDemo } from '../services/demo/seed.js';
import { cashDrawerAccountId } from '../services/ledger/accounts.js';
import { openLine, type Line } from '../services/lines/lines.js';
import { addSim } from '../services/sims/inventory.js';

/**
 * The demo data seeded into a test's database at a fixed instant, and the services over it with a
 * manual clock: what most channel and service tests start from (test-server.ts adds the server).
 */

/** 2025-11-26T09:00Z: 12:00 in Moscow. The demo 5 GB / 7 days pack then ends 3 Dec 12:00 Moscow. */
export const DEMO_START_MS = Date.UTC(2025, 10, 26, 9, 0);

export interface SeededContext {
  readonly context: AppContext;
  readonly clock: ManualClock;
}

/** Demo data seeded into `database`, and an AppContext over it whose close() leaves the database to its owner. */
export async function seededContext(database: Database, environment: Record<string, string> = {}): Promise<SeededContext> {
  const config = loadConfig({ LOG_LEVEL: 'silent', ...environment });
  const clock = new ManualClock(DEMO_START_MS);
  const context = contextOver(config, database, clock, { environment });
  await seedDemo(database, paygTariff(config), clock.now_ms(), { partners: context.partners });
  return { context, clock };
}

let sim_serial = 0;

/**
 * A line like the first demo line (500 ₽, the 5 GB pack with 700 MB used) in any language and
 * zone, opened through the real services: the same content for every language under test.
 */
export async function openDemoLikeLine(seeded: SeededContext, language: Language, time_zone: string): Promise<Line> {
  sim_serial += 1;
  const serial = String(900 + sim_serial).padStart(4, '0');
  const payload = `89701990000000${serial}1`;
  const sim = { iccid: payload + luhnCheckDigit(payload), imsi: `25099000000${serial}`, msisdn: `+7900123${serial}` };
  const { database, services } = seeded.context;
  const now_ms = seeded.clock.now_ms();
  const line = await inTransaction(database, async (trx) => {
    await addSim(trx, sim, now_ms);
    return openLine(trx, { iccid: sim.iccid, language, time_zone }, now_ms);
  });
  const desk = cashDrawerAccountId('svo-hall');
  await services.creditWallet({ line: { line_id: line.id }, amount_minor: 50_000, source_account_id: desk, idempotency_key: `test:topup:${line.id}`, memo: 'test top-up' });
  const price = await currentPrice(database.db, 'data-5gb-7d', now_ms);
  await services.activatePaidPackage({
    line: { line_id: line.id }, package_code: 'data-5gb-7d', paid_from_account_id: desk, amount_minor: price?.amount_minor ?? 0,
    package_price_id: price?.id ?? null, idempotency_key: `test:pack:${line.id}`, memo: 'test pack',
  });
  await services.chargeUsage({ event_id: `test:usage:${line.id}`, line_id: line.id, kind: 'data', quantity: 734_003_200, at_ms: now_ms });
  return line;
}
