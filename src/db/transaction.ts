import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { Schema } from './schema.js';

/** What services run their queries on: the database itself or an open transaction. */
export type Executor = Kysely<Schema>;

/** PostgreSQL: serialization failure and deadlock. Safe to retry: the transaction was rolled back. */
const RETRYABLE_POSTGRES_CODES = new Set(['40001', '40P01']);
export const TRANSACTION_RETRIES_MAX = 5;

/**
 * Runs `work` in one transaction.
 * SQLite: `BEGIN IMMEDIATE` takes the write lock up front, so a transaction that reads then writes
 * never fails half-way with SQLITE_BUSY when another process (a CLI import) writes too; within the
 * process Kysely's single connection already serialises transactions.
 * PostgreSQL: READ COMMITTED with explicit row locks in the services; a deadlock or serialization
 * failure is retried a bounded number of times.
 */
export async function inTransaction<T>(database: Database, work: (trx: Executor) => Promise<T>): Promise<T> {
  if (database.dialect === 'sqlite') return sqliteTransaction(database.db, work);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await database.db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= TRANSACTION_RETRIES_MAX || !code || !RETRYABLE_POSTGRES_CODES.has(code)) throw error;
    }
  }
}

async function sqliteTransaction<T>(db: Kysely<Schema>, work: (trx: Executor) => Promise<T>): Promise<T> {
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    try {
      const result = await work(connection);
      await sql`commit`.execute(connection);
      return result;
    } catch (error) {
      await sql`rollback`.execute(connection);
      throw error;
    }
  });
}

/** `SELECT … FOR UPDATE` on PostgreSQL; nothing on SQLite, whose write lock is already held. */
export function lockClause(database: Database): 'for update' | '' {
  return database.dialect === 'postgres' ? 'for update' : '';
}
