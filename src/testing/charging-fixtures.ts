import { sql } from 'kysely';
import type { PayAsYouGoTariff } from '../core/charging-plan.js';
import type { PackageDefinition, SalesChannel } from '../core/catalog.js';
import { luhnCheckDigit } from '../core/iccid.js';
import type { UsageKind } from '../core/units.js';
import type { Database } from '../db/database.js';
import { inTransaction, type Executor } from '../db/transaction.js';
import { setPrice, upsertPackage, type PriceVersion } from '../services/catalog/catalog.js';
import type { TariffFor } from '../services/charging/usage.js';
import { ensureLedgerAccount, ensureSystemAccounts, providerClearingAccountId } from '../services/ledger/accounts.js';
import { accountBalance } from '../services/ledger/ledger.js';
import { openLine, type Line } from '../services/lines/lines.js';
import { addSim } from '../services/sims/inventory.js';

/**
 * Fixtures for ledger and charging tests: SIMs minted from a counter (valid ICCID, IMSI and a
 * Russian mobile MSISDN), lines opened through the real service, packs and prices through the
 * catalog service. Nothing here bypasses the services' rules.
 */

/** 2024-06-01T00:00:00Z: a fixed "now" for tests that drive a ManualClock. */
export const TEST_EPOCH_MS = Date.UTC(2024, 5, 1);

export const TEST_TARIFF: PayAsYouGoTariff = { data_minor_per_mb: 500, voice_minor_per_minute: 1500, sms_minor_per_message: 500 };

/** Pay-as-you-go at TEST_TARIFF for every kind except those listed, which are denied beyond bundles. */
export function testTariffFor(disabled: readonly UsageKind[] = []): TariffFor {
  return (kind) => (disabled.includes(kind) ? null : TEST_TARIFF);
}

export const SANDBOX_CLEARING_ACCOUNT_ID = providerClearingAccountId('sandbox');

let sim_serial = 0;

/** A SIM nobody else in this process has used (each test database is fresh): numbers from a counter. */
export function mintSim(): { iccid: string; imsi: string; msisdn: string } {
  sim_serial += 1;
  const serial = String(sim_serial).padStart(7, '0');
  const payload = `897019${serial.padStart(12, '0')}`;
  return { iccid: payload + luhnCheckDigit(payload), imsi: `25099${serial.padStart(10, '0')}`, msisdn: `+7900${serial}` };
}

/** The system accounts and the sandbox provider's clearing account (idempotent). */
export async function ensureTestAccounts(database: Database, now_ms: number): Promise<void> {
  await inTransaction(database, async (trx) => {
    await ensureSystemAccounts(trx, now_ms);
    await ensureLedgerAccount(trx, { id: SANDBOX_CLEARING_ACCOUNT_ID, kind: 'provider_clearing', name: 'Sandbox provider clearing' }, now_ms);
  });
}

/** A SIM put into stock and a line opened on it, with an empty wallet. */
export async function openTestLine(database: Database, now_ms: number): Promise<Line> {
  const sim = mintSim();
  return inTransaction(database, async (trx) => {
    await addSim(trx, sim, now_ms);
    return openLine(trx, { iccid: sim.iccid, language: 'en', time_zone: 'Europe/Moscow' }, now_ms);
  });
}

export interface TestPack {
  readonly code: string;
  readonly kind?: PackageDefinition['kind'];
  readonly data_mb?: number;
  readonly voice_minutes?: number;
  readonly sms_count?: number;
  readonly validity_hours?: number;
  readonly channels?: readonly SalesChannel[];
  readonly active?: boolean;
  readonly price_minor: number;
  /** When the first price takes effect; defaults to the epoch, so it applies to every test clock. */
  readonly price_effective_from_ms?: number;
}

/** Defines a pack and its first price through the catalog service. */
export async function defineTestPack(database: Database, pack: TestPack, now_ms: number): Promise<PriceVersion> {
  const data_mb = pack.data_mb ?? 0;
  const voice_minutes = pack.voice_minutes ?? 0;
  const sms_count = pack.sms_count ?? 0;
  const kind = pack.kind ?? (data_mb > 0 ? (voice_minutes > 0 || sms_count > 0 ? 'combo' : 'data') : voice_minutes > 0 ? 'voice' : 'sms');
  return inTransaction(database, async (trx) => {
    await upsertPackage(trx, {
      code: pack.code, kind, data_mb, voice_minutes, sms_count,
      validity_hours: pack.validity_hours ?? 24,
      names: { 'zh-Hans': pack.code, 'zh-Hant': pack.code, ru: pack.code, en: pack.code },
      channels: pack.channels ?? ['app', 'web', 'ussd', 'desk', 'partner', 'auto'],
      active: pack.active ?? true,
    }, now_ms);
    return setPrice(trx, pack.code, pack.price_minor, pack.price_effective_from_ms ?? 0, now_ms);
  });
}

export async function walletBalance(database: Database | Executor, line: Line): Promise<number> {
  return accountBalanceOf(database, line.wallet_account_id);
}

/** An account's balance as the ledger service reports it (cached for wallets, summed for the rest). */
export async function accountBalanceOf(database: Database | Executor, account_id: string): Promise<number> {
  return accountBalance('db' in database ? database.db : database, account_id);
}

/** Row counts of the tables money and usage live in: "nothing changed" is these being equal. */
const COUNTED_TABLES = ['journal_entries', 'postings', 'bundles', 'usage_events'] as const;

export async function tableCounts(database: Database): Promise<Record<(typeof COUNTED_TABLES)[number], number>> {
  const counts = { journal_entries: 0, postings: 0, bundles: 0, usage_events: 0 };
  for (const table of COUNTED_TABLES) {
    const row = await database.db.selectFrom(table).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/** Runs `fn` and returns the RoamError code it threw; fails when it threw nothing or something else. */
export async function errorOf(fn: () => Promise<unknown>): Promise<{ code: string; params: Record<string, unknown>; message: string }> {
  try {
    await fn();
  } catch (error) {
    const maybe = error as { code?: unknown; params?: unknown; message?: unknown; name?: unknown };
    if (maybe.name === 'RoamError' && typeof maybe.code === 'string') {
      return { code: maybe.code, params: (maybe.params ?? {}) as Record<string, unknown>, message: String(maybe.message) };
    }
    throw error;
  }
  throw new Error('expected a RoamError, but the call succeeded');
}
