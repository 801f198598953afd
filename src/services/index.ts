import type { Config } from '../config.js';
import { paygTariff } from '../config.js';
import { capabilitiesFor } from '../db/capabilities.js';
import type { Database } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import type { Clock } from '../ports/clock.js';
import { listPackages } from './catalog/catalog.js';
import { expireBundles } from './charging/bundles.js';
import { GroupCommit } from './charging/group-commit.js';
import { chargeUsage, chargeUsageBatch, type TariffFor, type UsageInput, type UsageResult } from './charging/usage.js';
import {
  activatePaidPackage,
  buyPackageFromWallet,
  creditWallet,
  type ActivatePaidPackageInput,
  type BuyFromWalletInput,
  type CreditWalletInput,
} from './charging/wallet.js';
import { retryLostKeyRace } from './idempotency/idempotency.js';
import { reverseEntry } from './ledger/ledger.js';
import { lineOverview } from './lines/overview.js';
import type { LineRef } from './lines/lines.js';
import { noticesFromConfig, type Notices } from './notices/notices.js';

export interface ServiceDependencies {
  readonly database: Database;
  readonly clock: Clock;
  readonly tariffFor: TariffFor;
  /** Usage alerts by SMS, decided while charging; none without it. */
  readonly notices?: Notices;
}

/** Events charged in one group commit at most: bounds one transaction's time and locks. */
export const CHARGING_BATCH_SIZE_MAX = 128;
/**
 * PostgreSQL runs transactions side by side; leave the rest of the pool to renewals and readers.
 * SQLite has one writer, so one group at a time there.
 */
export const CHARGING_POSTGRES_BATCHES_IN_FLIGHT_MAX = 4;

/**
 * The use cases channels call: each is one transaction, with time from the injected clock.
 * Channels translate requests into these calls and results into responses; no SQL lives in a channel.
 */
export function createServices(deps: ServiceDependencies) {
  const { database, clock, tariffFor, notices } = deps;
  const run = <T>(work: Parameters<typeof inTransaction<T>>[1]) => inTransaction(database, work);
  const charging = new GroupCommit<UsageInput, UsageResult>({
    runOne: (input) => run((trx) => chargeUsage(trx, input, tariffFor, clock.now_ms(), notices)),
    runBatch: async (inputs) => {
      const outcomes = await run((trx) => chargeUsageBatch(trx, inputs, tariffFor, clock.now_ms(), notices));
      return outcomes.map((outcome) => (outcome.ok ? { ok: true, value: outcome.result } : { ok: false, error: outcome.error }));
    },
    batch_size_max: CHARGING_BATCH_SIZE_MAX,
    batches_in_flight_max: capabilitiesFor(database.dialect).single_writer ? 1 : CHARGING_POSTGRES_BATCHES_IN_FLIGHT_MAX,
  });
  return {
    database,
    clock,
    // Operations with an idempotency key: a request that loses a race on its key runs again and replays.
    creditWallet: (input: CreditWalletInput) => retryLostKeyRace(() => run((trx) => creditWallet(trx, input, clock.now_ms()))),
    buyPackageFromWallet: (input: BuyFromWalletInput) =>
      retryLostKeyRace(() => run((trx) => buyPackageFromWallet(trx, input, clock.now_ms()))),
    activatePaidPackage: (input: ActivatePaidPackageInput) =>
      retryLostKeyRace(() => run((trx) => activatePaidPackage(trx, input, clock.now_ms()))),
    expireBundles: () => run((trx) => expireBundles(trx, clock.now_ms())),
    reverseEntry: (entry_id: string, memo: string) => run((trx) => reverseEntry(trx, entry_id, memo, clock.now_ms())),
    /** One event; concurrent callers' events share a commit (group commit), each gets its own result. */
    chargeUsage: (input: UsageInput) => charging.submit(input),
    chargeUsageBatch: (inputs: readonly UsageInput[]) => run((trx) => chargeUsageBatch(trx, inputs, tariffFor, clock.now_ms(), notices)),
    /** Read-only: no transaction needed for a consistent enough view (one line, a few rows). */
    lineOverview: (ref: LineRef, at_ms = clock.now_ms()) => lineOverview(database.db, ref, at_ms, tariffFor),
    listPackages: (filter: Parameters<typeof listPackages>[2] = {}, at_ms = clock.now_ms()) => listPackages(database.db, at_ms, filter),
  };
}

export type Services = ReturnType<typeof createServices>;

export function servicesFromConfig(config: Config, database: Database, clock: Clock): Services {
  return createServices({ database, clock, tariffFor: paygTariff(config), notices: noticesFromConfig(config) });
}
