import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import type { Schema } from './schema.js';
import { capabilitiesFor } from './capabilities.js';

/** What services run their queries on: the database itself or an open transaction. */
export type Executor = Kysely<Schema>;

/** PostgreSQL: serialization failure and deadlock. Safe to retry: the transaction was rolled back. */
const RETRYABLE_POSTGRES_CODES = new Set(['40001', '40P01']);
export const TRANSACTION_RETRIES_MAX = 5;

/**
 * Runs `work` in one transaction.
 * SQLite: `BEGIN IMMEDIATE` takes the write lock up front, so a transaction that reads then writes
 * never fails half-way with SQLITE_BUSY when another process (a CLI import) writes too; within the
 * process Kysely's single connection already serialises transactions, and those waiting together
 * share one COMMIT (group commit, below), each in its own savepoint.
 * PostgreSQL: READ COMMITTED with explicit row locks in the services; a deadlock or serialization
 * failure is retried a bounded number of times.
 */
export async function inTransaction<T>(database: Database, work: (trx: Executor) => Promise<T>): Promise<T> {
  if (capabilitiesFor(database.dialect).single_writer) return sqliteTransaction(database.db, work);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await database.db.transaction().execute(work);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= TRANSACTION_RETRIES_MAX || !code || !RETRYABLE_POSTGRES_CODES.has(code)) throw error;
    }
  }
}

/**
 * SQLite group commit. With synchronous=full every COMMIT is an fsync, and better-sqlite3 runs it
 * on the event loop: a few milliseconds in which nothing else moves. So transactions that are
 * waiting when the connection frees up run one after another inside one BEGIN IMMEDIATE … COMMIT,
 * each in its own SAVEPOINT: a unit that fails is rolled back to its savepoint alone and its caller
 * gets the error; the others commit together with one fsync. A caller is answered only after the
 * COMMIT, so "done" still means "durable". A unit sees the effects of the units before it in its
 * group — exactly what it would see had they committed one by one first; should the COMMIT itself
 * fail, none of them is answered with success. An idle system commits each unit alone, at once.
 */
export const SQLITE_GROUP_UNITS_MAX = 64;
/** A group stops taking units after this long, so the write lock is never held for long. */
export const SQLITE_GROUP_DURATION_MS_MAX = 50;

interface Unit {
  readonly work: (trx: Executor) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

class SqliteGroupCommit {
  readonly #db: Kysely<Schema>;
  #queue: Unit[] = [];
  #running = false;

  constructor(db: Kysely<Schema>) {
    this.#db = db;
  }

  run<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /** Starts a group after the current turn of the event loop, so requests read in it join. */
  #schedule(): void {
    if (this.#running) return;
    this.#running = true;
    setImmediate(() => {
      void this.#group().finally(() => {
        this.#running = false;
        if (this.#queue.length > 0) this.#schedule();
      });
    });
  }

  async #group(): Promise<void> {
    const first = this.#queue.shift();
    if (!first) return;
    const committed: Array<{ unit: Unit; value: unknown }> = [];
    try {
      await this.#db.connection().execute(async (connection) => {
        await sql`begin immediate`.execute(connection);
        await this.#runUnits(connection, first, committed);
      });
    } catch (error) {
      // No connection (the database was closed), BEGIN refused, or COMMIT failed: nothing of this
      // group was written. Settling an already settled promise does nothing.
      first.reject(error);
      for (const done of committed.splice(0)) done.unit.reject(error);
      return;
    }
    for (const { unit, value } of committed) unit.resolve(value);
  }

  /** Runs `first` and the units queued behind it, then commits; `committed` gets those that held. */
  async #runUnits(connection: Executor, first: Unit, committed: Array<{ unit: Unit; value: unknown }>): Promise<void> {
    const started_ms = performance.now();
    let unit: Unit | undefined = first;
    let units = 0;
    while (unit) {
      units += 1;
      const outcome = await runUnit(connection, unit);
      if (outcome === 'aborted') {
        // The engine rolled the whole transaction back (disk full, I/O error): nothing of this
        // group was written, so every unit that looked done fails too.
        for (const done of committed.splice(0)) done.unit.reject(new Error('the transaction of this write was rolled back by the database; nothing was written'));
        return;
      }
      if (outcome.ok) committed.push({ unit, value: outcome.value });
      const open = units < SQLITE_GROUP_UNITS_MAX && performance.now() - started_ms < SQLITE_GROUP_DURATION_MS_MAX;
      unit = open ? this.#queue.shift() : undefined;
    }
    try {
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  }
}

/** One unit in its savepoint; its own failure is rolled back and handed to its caller. */
async function runUnit(connection: Executor, unit: Unit): Promise<{ ok: true; value: unknown } | { ok: false } | 'aborted'> {
  await sql`savepoint roamcard_unit`.execute(connection);
  try {
    const value = await unit.work(connection);
    await sql`release roamcard_unit`.execute(connection);
    return { ok: true, value };
  } catch (error) {
    try {
      await sql`rollback to roamcard_unit`.execute(connection);
      await sql`release roamcard_unit`.execute(connection);
    } catch {
      unit.reject(error);
      await sql`rollback`.execute(connection).catch(() => undefined);
      return 'aborted';
    }
    unit.reject(error);
    return { ok: false };
  }
}

const sqliteGroups = new WeakMap<Kysely<Schema>, SqliteGroupCommit>();

function sqliteTransaction<T>(db: Kysely<Schema>, work: (trx: Executor) => Promise<T>): Promise<T> {
  let group = sqliteGroups.get(db);
  if (!group) {
    group = new SqliteGroupCommit(db);
    sqliteGroups.set(db, group);
  }
  return group.run(work);
}
