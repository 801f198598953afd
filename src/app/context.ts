import type { Config } from '../config.js';
import { openDatabase, type Database } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { ensureSystemAccounts } from '../services/ledger/accounts.js';
import { inTransaction } from '../db/transaction.js';
import { systemClock, type Clock } from '../ports/clock.js';
import { servicesFromConfig, type Services } from '../services/index.js';

/** Everything a channel needs, opened once: the database (migrated) and the services over it. */
export interface AppContext {
  readonly config: Config;
  readonly database: Database;
  readonly services: Services;
  close(): Promise<void>;
}

export async function openAppContext(config: Config, options: { clock?: Clock; migrate?: boolean } = {}): Promise<AppContext> {
  const database = openDatabase({
    database_url: config.database_url,
    sqlite_file: config.sqlite_file,
    sqlite_synchronous: config.sqlite_synchronous,
    pool_size_max: config.pg_pool_size,
  });
  try {
    if (options.migrate ?? true) {
      await migrateToLatest(database);
      const clock = options.clock ?? systemClock;
      await inTransaction(database, (trx) => ensureSystemAccounts(trx, clock.now_ms()));
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const services = servicesFromConfig(config, database, options.clock ?? systemClock);
  return { config, database, services, close: () => database.close() };
}

/** True when no line exists yet: `npm start` seeds the demo data then. */
export async function isEmptyDatabase(database: Database): Promise<boolean> {
  const row = await database.db.selectFrom('lines').select('id').limit(1).executeTakeFirst();
  return row === undefined;
}
