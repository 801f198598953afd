import { randomBytes } from 'node:crypto';
import type { Database } from './database.js';

/** 32 random bytes: 256 bits, as `openssl rand -hex 32` gives. */
const SECRET_BYTES = 32;

/**
 * A secret made once per installation and kept in its database, so every server and command of the
 * installation uses the same one and a restart keeps it — for secrets with no operator-chosen value
 * (the sandbox's webhook secret). The first process to ask creates it; a racing second one keeps
 * the first's. Never for secrets that protect data in this same database (a copy of the database
 * would carry its own key): those come from the configuration.
 */
export async function installationSecret(database: Database, name: string, now_ms: number): Promise<string> {
  await database.db
    .insertInto('installation_secrets')
    .values({ name, value: randomBytes(SECRET_BYTES).toString('hex'), created_at_ms: now_ms })
    .onConflict((conflict) => conflict.column('name').doNothing())
    .execute();
  const row = await database.db.selectFrom('installation_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
