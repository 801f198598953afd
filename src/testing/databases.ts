import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type Database, type DialectName } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

/**
 * "No mocks" (Kysely): every database test runs on each engine. SQLite always; PostgreSQL when
 * TEST_DATABASE_URL is set — otherwise the suite is reported as skipped, with the reason.
 * Each suite gets a fresh, migrated database: a temporary SQLite file, or its own PostgreSQL schema.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const POSTGRES_SKIP_REASON = 'PostgreSQL tests need TEST_DATABASE_URL=postgres://… (see README)';

export interface TestDatabase {
  readonly dialect: DialectName;
  /** The migrated database of the running suite (valid inside tests, after `before`). */
  readonly database: Database;
}

export async function createTestDatabase(
  dialect: DialectName,
  options: { pool_size_max?: number } = {},
): Promise<{ database: Database; dispose: () => Promise<void> }> {
  if (dialect === 'sqlite') {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'roamcard-test-'));
    const database = openDatabase({ sqlite_file: path.join(folder, 'test.db'), sqlite_synchronous: 'normal' });
    await migrateToLatest(database);
    return {
      database,
      dispose: async () => {
        await database.close();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  }
  if (!TEST_DATABASE_URL) throw new Error(POSTGRES_SKIP_REASON);
  const schema = `test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const database = openDatabase({ database_url: TEST_DATABASE_URL, postgres_schema: schema, pool_size_max: options.pool_size_max ?? 10 });
  const dispose = async () => {
    await database.close();
    const cleanup = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await cleanup.connect();
    await cleanup.query(`drop schema ${schema} cascade`);
    await cleanup.end();
  };
  try {
    await migrateToLatest(database);
  } catch (error) {
    await dispose(); // a failed setup leaves no schema behind
    throw error;
  }
  return { database, dispose };
}

/** `describe` once per engine; the body reads `test_db.database` inside its tests. */
export function describeEachDatabase(title: string, body: (test_db: TestDatabase) => void, options: { pool_size_max?: number } = {}): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const skip = dialect === 'postgres' && !TEST_DATABASE_URL ? POSTGRES_SKIP_REASON : false;
    describe(`${title} [${dialect}]`, { skip }, () => {
      let current: Database | undefined;
      let dispose: (() => Promise<void>) | undefined;
      before(async () => {
        const created = await createTestDatabase(dialect, options);
        current = created.database;
        dispose = created.dispose;
      });
      after(async () => {
        await dispose?.();
      });
      body({
        dialect,
        get database() {
          if (!current) throw new Error('test database used outside a test');
          return current;
        },
      });
    });
  }
}

/**
 * DATABASE_URL for a child process (the compiled CLI or server) that must work on this suite's
 * database: on PostgreSQL, TEST_DATABASE_URL with the suite's schema as its search_path; on SQLite
 * undefined, and the child uses the file in its own DATA_DIR.
 */
export async function childDatabaseUrl(test_db: TestDatabase): Promise<string | undefined> {
  if (test_db.dialect !== 'postgres') return undefined;
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(test_db.database.db);
  const url = new URL(TEST_DATABASE_URL ?? '');
  url.searchParams.set('options', `-c search_path=${rows[0]?.schema ?? ''}`);
  return url.toString();
}
