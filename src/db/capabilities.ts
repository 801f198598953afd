import { PostgresAdapter, type Kysely } from 'kysely';
import type { DialectName } from './database.js';

/**
 * What differs between the engines, in one place (Kysely's adapters do the same with
 * `supportsReturning` and friends): code asks for a capability, never for an engine's name.
 */
export interface DialectCapabilities {
  readonly dialect: DialectName;
  /**
   * `SELECT … FOR UPDATE` holds rows to the transaction's end (PostgreSQL); SQLite's write
   * transaction holds the whole database already.
   */
  readonly row_locks: boolean;
  /** Workers pass over rows another holds (`FOR UPDATE SKIP LOCKED`) instead of queueing behind them. */
  readonly skip_locked: boolean;
  /** One writer at a time (SQLite): concurrent work is grouped into shared commits instead of run side by side. */
  readonly single_writer: boolean;
  /** Tables live in a named schema (the search path), so migrations must name theirs. */
  readonly schemas: boolean;
  /** The column type of 64-bit integers (money in kopecks, times in milliseconds). */
  readonly bigint_type: 'bigint' | 'integer';
}

const CAPABILITIES: Readonly<Record<DialectName, DialectCapabilities>> = {
  sqlite: { dialect: 'sqlite', row_locks: false, skip_locked: false, single_writer: true, schemas: false, bigint_type: 'integer' },
  postgres: { dialect: 'postgres', row_locks: true, skip_locked: true, single_writer: false, schemas: true, bigint_type: 'bigint' },
};

export function capabilitiesFor(dialect: DialectName): DialectCapabilities {
  return CAPABILITIES[dialect];
}

/** The capabilities of whatever runs a query: a database handle, a transaction, a migration's Kysely (any schema). */
export function capabilitiesOf(executor: Pick<Kysely<unknown>, 'getExecutor'>): DialectCapabilities {
  return capabilitiesFor(executor.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite');
}
