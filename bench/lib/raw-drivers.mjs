// The baselines' side of a benchmark: the database drivers alone, with the settings the product
// uses (WAL and the same synchronous level on SQLite; the scenario's schema on PostgreSQL), so a
// baseline differs from roamcard by roamcard's code only.
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

export function openRawSqlite(where) {
  const connection = new SqliteDatabase(where.sqlite_file);
  connection.pragma('journal_mode = WAL');
  connection.pragma(`synchronous = ${where.sqlite_synchronous}`);
  connection.pragma('busy_timeout = 5000');
  return connection;
}

export function openRawPostgresPool(where, connections_max) {
  return new pg.Pool({ connectionString: where.database_url, max: connections_max, options: `-c search_path=${where.postgres_schema}` });
}

/** `work(client)` in one transaction on a client of `pool`: committed, or rolled back and rethrown. */
export async function inRawPostgresTransaction(pool, work) {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}
