import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as foundation from './migrations/0001-foundation.js';
import * as outbox from './migrations/0002-outbox.js';

/** Migrations are imported, not read from disk, so a bundled or compiled build carries them along. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-outbox': outbox,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface MigrateResult {
  readonly applied: string[];
}

export async function migrateToLatest(database: Database): Promise<MigrateResult> {
  const migrator = new Migrator({ db: database.db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
