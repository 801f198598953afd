import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Schema } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Database {
  readonly db: Kysely<Schema>;
  readonly dialect: DialectName;
  /** Where the data lives, with any password removed: for logs and `roamcard` output. */
  readonly description: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** `postgres://…` for PostgreSQL; otherwise the SQLite file at `sqlite_file`. */
  readonly database_url?: string | undefined;
  readonly sqlite_file?: string | undefined;
  /** `full` survives power loss; `normal` (WAL) survives a process crash and is much faster. */
  readonly sqlite_synchronous?: 'full' | 'normal';
  readonly pool_size_max?: number;
  /** PostgreSQL schema to use (tests give each suite its own). */
  readonly postgres_schema?: string;
}

export const SQLITE_BUSY_TIMEOUT_MS = 5_000;
export const POSTGRES_POOL_SIZE_DEFAULT = 10;

// 64-bit integers come back as JavaScript numbers. Every amount and counter we store is a safe
// integer; a value that is not is corruption, and we refuse to read it rather than round it.
pg.types.setTypeParser(pg.types.builtins.INT8, (text: string) => {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`bigint ${text} is beyond 2^53`);
  return value;
});

export function openDatabase(options: OpenDatabaseOptions): Database {
  if (options.database_url && /^postgres(ql)?:\/\//.test(options.database_url)) return openPostgres(options.database_url, options);
  const file = options.sqlite_file;
  if (!file) throw new Error('openDatabase needs database_url (postgres://…) or sqlite_file');
  return openSqlite(file, options.sqlite_synchronous ?? 'full');
}

function openSqlite(file: string, synchronous: 'full' | 'normal'): Database {
  if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const connection = new SqliteDatabase(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${synchronous}`);
  connection.pragma('foreign_keys = ON');
  connection.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  return {
    db,
    dialect: 'sqlite',
    description: `sqlite:${file}`,
    close: () => db.destroy(),
  };
}

/** Distinct SQL texts kept prepared; `in (…)` lists of many lengths make the set open-ended. */
export const SQLITE_STATEMENT_CACHE_SIZE_MAX = 512;

/**
 * Kysely prepares every query anew; on SQLite preparing costs as much as running a small query.
 * better-sqlite3 statements are reusable, and Kysely uses the one connection strictly one query at
 * a time, so a bounded cache keyed by SQL text halves the cost of a charge. Oldest entries go first.
 */
function withStatementCache(connection: SqliteDatabase.Database) {
  const statements = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => connection.close(),
    prepare(sql: string): SqliteDatabase.Statement {
      const cached = statements.get(sql);
      if (cached) return cached;
      const statement = connection.prepare(sql);
      if (statements.size >= SQLITE_STATEMENT_CACHE_SIZE_MAX) statements.delete(statements.keys().next().value as string);
      statements.set(sql, statement);
      return statement;
    },
  };
}

function openPostgres(url: string, options: OpenDatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.pool_size_max ?? POSTGRES_POOL_SIZE_DEFAULT,
    ...(options.postgres_schema ? { options: `-c search_path=${options.postgres_schema}` } : {}),
  });
  // A connection the server drops (restart, failover) emits 'error' — idle ones through the pool,
  // checked-out ones on the client; unheard, it crashes the process. The pool discards it, and the
  // query that uses it next fails.
  pool.on('error', () => undefined).on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    description: redactPassword(url) + (options.postgres_schema ? ` (schema ${options.postgres_schema})` : ''),
    close: () => db.destroy(),
  };
}

export function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]+@/, ':***@');
  }
}
