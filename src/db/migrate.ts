import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { capabilitiesFor } from './capabilities.js';
import type { Database } from './database.js';
import * as foundation from './migrations/0001-foundation.js';
import * as outbox from './migrations/0002-outbox.js';
import * as renewal from './migrations/0003-renewal.js';
import * as receipts from './migrations/0004-receipts.js';
import * as customers from './migrations/0005-customers.js';
import * as productionSafety from './migrations/0006-production-safety.js';
import * as refundKeys from './migrations/0007-refund-keys.js';
import * as smsDeliveries from './migrations/0008-sms-deliveries.js';
import * as ussdRenewal from './migrations/0009-ussd-renewal.js';
import * as notices from './migrations/0010-notices.js';
import * as networkBlocks from './migrations/0011-network-blocks.js';
import * as auditLog from './migrations/0012-audit-log.js';
import * as staff from './migrations/0013-staff.js';
import * as subscriberIdentities from './migrations/0014-subscriber-identities.js';
import * as deskShifts from './migrations/0015-desk-shifts.js';
import * as partners from './migrations/0016-partners.js';
import * as fiscalSandbox from './migrations/0017-fiscal-sandbox.js';
import * as receiptDeliveries from './migrations/0018-receipt-deliveries.js';
import * as fiscalDocuments from './migrations/0019-fiscal-documents.js';
import * as fiscalSubjects from './migrations/0020-fiscal-subjects.js';

/** Migrations are imported, not read from disk, so a bundled or compiled build carries them along. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-outbox': outbox,
  '0003-renewal': renewal,
  '0004-receipts': receipts,
  '0005-customers': customers,
  '0006-production-safety': productionSafety,
  '0007-refund-keys': refundKeys,
  '0008-sms-deliveries': smsDeliveries,
  '0009-ussd-renewal': ussdRenewal,
  '0010-notices': notices,
  '0011-network-blocks': networkBlocks,
  '0012-audit-log': auditLog,
  '0013-staff': staff,
  '0014-subscriber-identities': subscriberIdentities,
  '0015-desk-shifts': deskShifts,
  '0016-partners': partners,
  '0017-fiscal-sandbox': fiscalSandbox,
  '0018-receipt-deliveries': receiptDeliveries,
  '0019-fiscal-documents': fiscalDocuments,
  '0020-fiscal-subjects': fiscalSubjects,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export interface MigrateResult {
  readonly applied: string[];
}

/** Attempts when a migration run trips over another schema's DDL (see below). */
export const MIGRATE_ATTEMPTS_MAX = 5;
const MIGRATE_RETRY_DELAY_MS = 100;

export async function migrateToLatest(database: Database): Promise<MigrateResult> {
  // Every start runs this: when nothing is pending, one read of our own table answers, and
  // Kysely's catalog introspection (which reads every schema of the database) is not needed.
  if (await isUpToDate(database)) return { applied: [] };
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runMigrator(database);
    } catch (error) {
      // Kysely's PostgreSQL introspection reads the catalog of all schemas; a schema dropped at that
      // moment by another installation or test suite fails it with "relation … does not exist".
      // That is transient and not ours: try again, a bounded number of times.
      if (attempt >= MIGRATE_ATTEMPTS_MAX || !isConcurrentDdlError(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, MIGRATE_RETRY_DELAY_MS * attempt));
    }
  }
}

async function runMigrator(database: Database): Promise<MigrateResult> {
  // PostgreSQL: name the schema of the migration tables. Without it Kysely looks for them in every
  // schema of the database, finds another schema's (a parallel test suite's, a second install's),
  // skips creating its own, and fails with `relation "kysely_migration_lock" does not exist`.
  const migrationTableSchema = capabilitiesFor(database.dialect).schemas ? await currentSchema(database) : undefined;
  const migrator = new Migrator({ db: database.db, provider, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

async function isUpToDate(database: Database): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(database.db);
    const applied = new Set(rows.map((row) => row.name));
    return Object.keys(MIGRATIONS).every((name) => applied.has(name));
  } catch {
    return false; // no migration table yet: a fresh database
  }
}

function isConcurrentDdlError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /does not exist|cache lookup failed|could not open relation/i.test(message);
}

async function currentSchema(database: Database): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(database.db);
  return rows[0]?.schema ?? undefined;
}
