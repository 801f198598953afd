import { sql } from 'kysely';
import type { Database } from './database.js';

/** One round trip to the database: for readiness probes. */
export async function pingDatabase(database: Database): Promise<void> {
  await sql`select 1`.execute(database.db);
}
