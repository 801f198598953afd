import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { fromDist } from './dist.mjs';

const { openDatabase } = await fromDist('db/database.js');
const { migrateToLatest } = await fromDist('db/migrate.js');

/**
 * A database of its own for one scenario, migrated: a SQLite file in a temporary folder, or a
 * temporary schema in the PostgreSQL database of `database_url`. `where` is what another process
 * (the bench server) needs to open the same database. `dispose()` closes it and removes every trace.
 */
export async function openTempDatabase(target, { pool_size_max = 10, label = 'bench' } = {}) {
  if (target.dialect === 'postgres') return openTempPostgres(target, pool_size_max, label);
  return openTempSqlite(target, label);
}

async function openTempSqlite(target, label) {
  const folder = mkdtempSync(path.join(os.tmpdir(), `roamcard-${label}-`));
  const where = { sqlite_file: path.join(folder, 'roamcard.db'), sqlite_synchronous: target.sqlite_synchronous };
  const database = openDatabase(where);
  await migrateToLatest(database);
  return {
    database,
    where,
    folder,
    dispose: async () => {
      await database.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

async function openTempPostgres(target, pool_size_max, label) {
  const postgres_schema = `bench_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  await administer(target.database_url, `create schema ${postgres_schema}`);
  const where = { database_url: target.database_url, postgres_schema, pool_size_max };
  const database = openDatabase(where);
  await migrateToLatest(database);
  return {
    database,
    where,
    folder: null,
    dispose: async () => {
      await database.close();
      await administer(target.database_url, `drop schema if exists ${postgres_schema} cascade`);
    },
  };
}

async function administer(database_url, statement) {
  const client = new pg.Client({ connectionString: database_url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Opens a further connection (pool) to a temporary database, e.g. for a raw-driver baseline. */
export function openMore(where, overrides = {}) {
  return openDatabase({ ...where, ...overrides });
}
