import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import * as foundation from './migrations/0001-foundation.js';
import * as outbox from './migrations/0002-outbox.js';
import * as renewal from './migrations/0003-renewal.js';
import * as receipts from './migrations/0004-receipts.js';

/** Migrations are imported, not read from disk, so a bundled or compiled build carries them along. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-outbox': outbox,
  '0003-renewal': renewal,
  '0004-receipts': receipts,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface MigrateResult {
  readonly applied: string[];
}

export async function migrateToLatest(database: Database): Promise<MigrateResult> {
  // PostgreSQL: name the schema of the migration tables. Without it Kysely looks for them in every
  // schema of the database, finds another schema's (a parallel test suite's, a second install's),
  // skips creating its own, and fails with `relation "kysely_migration_lock" does not exist`.
  const migrationTableSchema = database.dialect === 'postgres' ? await currentSchema(database) : undefined;
  const migrator = new Migrator({ db: database.db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

async function currentSchema(database: Database): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(database.db);
  return rows[0]?.schema ?? undefined;
}
