// The soak database: a SQLite file in a folder of its own, or a schema of its own in the
// PostgreSQL database of DATABASE_URL (bench/lib/temp-database.mjs makes both, migrated).
// The server process reaches it through DATA_DIR or DATABASE_URL with a search_path; the soak
// process opens fresh connections of its own for seeding, draining and checking.
import { openMore, openTempDatabase } from '../../bench/lib/temp-database.mjs';
import { fromDist } from '../../bench/lib/dist.mjs';

const { redactPassword: redactedUrl } = await fromDist('db/database.js');

const SOAK_POOL_SIZE = 4;

/** DATABASE_URL pointed at one schema: libpq's `options` parameter, which pg understands too. */
function urlWithSchema(database_url, schema) {
  const url = new URL(database_url);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

export async function createSoakDatabase(dialect, database_url) {
  const target = dialect === 'postgres' ? { dialect, database_url } : { dialect, sqlite_synchronous: 'full' };
  const temp = await openTempDatabase(target, { label: 'soak', pool_size_max: SOAK_POOL_SIZE });
  // The soak keeps no connection open while the load runs: a PostgreSQL restart would break it.
  await temp.database.close();
  const postgres = dialect === 'postgres';
  return {
    dialect,
    description: postgres ? `postgres ${redactedUrl(database_url)} schema ${temp.where.postgres_schema}` : `sqlite ${temp.where.sqlite_file}`,
    server_env: postgres ? { DATABASE_URL: urlWithSchema(database_url, temp.where.postgres_schema) } : { DATA_DIR: temp.folder },
    /** A fresh connection (pool) to the soak database; the caller closes it. */
    open: () => openMore(temp.where, { pool_size_max: SOAK_POOL_SIZE }),
    /** Drops the schema or deletes the folder; with `keep`, leaves it for a person to look at. */
    dispose: async (keep) => (keep ? undefined : temp.dispose()),
  };
}
