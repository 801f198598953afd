import {
  checkRequiredColumns, countBatch, inBatches, unreadableRow, type ImportCallbacks, type ImportRecord, type ImportSource, type RejectedRow,
} from '../imports/file-import.js';
import { assert, RoamError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Database } from '../../db/database.js';
import type { StoresTable } from '../../db/schema.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import { cashDrawerAccountId, ensureLedgerAccount } from '../ledger/accounts.js';
import { STORES_READ_MAX } from './store-finder.js';
import { validateStore, type StoreRecord } from './store-record.js';

/**
 * Store import: an operator's file of service halls and a partner's stores, streamed, validated one
 * by one and written in batches (one transaction per batch). Each row ends as exactly one of:
 * imported (a new code), updated (a known code with other data: the fields change, the store's id
 * and cash drawer stay, so its staff, stock and ledger history stay with it), unchanged (a known
 * code with the same data, so importing a file twice changes nothing), or rejected with its line
 * number and the reason.
 */

export const STORE_IMPORT_COLUMNS_REQUIRED = ['code', 'kind', 'name', 'city', 'address', 'latitude', 'longitude', 'opening_hours'] as const;
/** `partner` is required of a partner store's row, not of the file: a file of service halls has no need of it. */
export const STORE_IMPORT_COLUMNS_OPTIONAL = ['partner', 'chain', 'address_ru', 'time_zone', 'renews'] as const;

/** Rows per transaction: a chain's stores in a city or two; each new one also writes its cash drawer account. */
export const STORE_IMPORT_BATCH_SIZE_DEFAULT = 200;
/** 1,000 rows of 15 values in one INSERT: well under the parameter limits of SQLite (32,766) and PostgreSQL (65,535). */
export const STORE_IMPORT_BATCH_SIZE_MAX = 1_000;
/**
 * The finder reads at most this many stores for one answer: a file with more is not a list of
 * stores. It also bounds the in-file duplicate check, which keeps every code of the file in memory.
 */
export const STORE_IMPORT_ROWS_MAX = STORES_READ_MAX;

export interface StoreImportProgress {
  readonly rows_read: number;
  readonly imported: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly rejected: number;
}

export interface StoreImportSummary extends StoreImportProgress {
  /** True when nothing was written: `imported` and `updated` then count the rows that would have been. */
  readonly dry_run: boolean;
}

export interface StoreImportOptions extends ImportCallbacks<StoreImportProgress> {
  readonly clock: Clock;
  readonly dry_run?: boolean;
  readonly batch_size?: number;
}

/** A required column is missing: the import stops before reading any row. */
export function checkStoreColumns(columns: readonly string[]): void {
  checkRequiredColumns(columns, STORE_IMPORT_COLUMNS_REQUIRED);
}

type PendingRow =
  | { readonly line_number: number; readonly store: StoreRecord; readonly raw: Readonly<Record<string, string>> }
  | { readonly line_number: number; readonly rejected: RejectedRow };

type Candidate = { readonly index: number; readonly store: StoreRecord };

/** The columns of `stores` a file decides: everything but the id, the code, the cash drawer and the creation time. */
type StoreValues = Pick<StoresTable,
  'kind' | 'chain' | 'name' | 'city' | 'address' | 'address_ru' | 'time_zone' | 'latitude' | 'longitude' | 'opening_hours' | 'renews' | 'partner_id'>;

type Judgement =
  | { readonly verdict: 'new'; readonly values: StoreValues }
  | { readonly verdict: 'updated'; readonly store_id: string; readonly values: StoreValues }
  | { readonly verdict: 'unchanged' }
  | RoamError;

type Verdict = 'new' | 'updated' | 'unchanged' | RoamError;

export async function importStores(database: Database, source: ImportSource, options: StoreImportOptions): Promise<StoreImportSummary> {
  checkStoreColumns(source.columns);
  const batch_size = options.batch_size ?? STORE_IMPORT_BATCH_SIZE_DEFAULT;
  assert(Number.isSafeInteger(batch_size) && batch_size >= 1 && batch_size <= STORE_IMPORT_BATCH_SIZE_MAX, 'store import batch size in range');
  const dry_run = options.dry_run ?? false;
  const screen = new RowScreen();
  const counts = { rows_read: 0, imported: 0, updated: 0, unchanged: 0, rejected: 0 };

  const flush = async (batch: readonly PendingRow[]) => {
    const verdicts = await judgeBatch(database, batch, dry_run, options.clock);
    countBatch(batch, verdicts, counts, {
      counters: { new: 'imported', updated: 'updated', unchanged: 'unchanged' }, rejectedFor, onRejected: options.onRejected,
    });
    options.onProgress?.({ ...counts });
  };

  await inBatches(source.records, batch_size, (record, row_index) => screen.screen(record, row_index), flush);
  return { ...counts, dry_run };
}

function rejectedFor(row: Extract<PendingRow, { store: StoreRecord }>, error: RoamError): RejectedRow {
  const column = error.params.field ?? 'code';
  return { line_number: row.line_number, column, value: row.raw[column] ?? '', error };
}

/** Checks rows on their own, before the database: fields (validateStore), and codes seen earlier in the file. */
class RowScreen {
  readonly #first_line = new Map<string, number>();

  screen(record: ImportRecord, row_index: number): PendingRow {
    const line_number = record.line_number;
    const rejected = (column: string, value: string, error: RoamError): PendingRow => ({
      line_number, rejected: { line_number, column, value, error },
    });
    const unreadable = unreadableRow(record, row_index, STORE_IMPORT_ROWS_MAX);
    if (unreadable) return { line_number, rejected: unreadable };

    const raw = (column: string) => record.values[column]?.trim() ?? '';
    const validated = validateStore({
      code: raw('code'), kind: raw('kind'), partner: raw('partner'), chain: raw('chain'), name: raw('name'), city: raw('city'),
      address: raw('address'), address_ru: raw('address_ru'), time_zone: raw('time_zone'),
      latitude: raw('latitude'), longitude: raw('longitude'), opening_hours: raw('opening_hours'), renews: raw('renews'),
    });
    if (!validated.ok) return rejected(validated.error.params.field ?? '', validated.value, validated.error);
    const { store } = validated;
    const first_line = this.#first_line.get(store.code);
    if (first_line !== undefined) {
      return rejected('code', store.code, new RoamError('ROAM_ERR_VALIDATION', { field: 'code', reason: 'duplicate_in_file', line: first_line }));
    }
    this.#first_line.set(store.code, line_number);
    return { line_number, store, raw: { code: store.code, partner: store.partner_code ?? '' } };
  }
}

/** Verdicts for the batch's valid rows (by batch index); writes the new and changed ones unless dry-running. */
async function judgeBatch(database: Database, batch: readonly PendingRow[], dry_run: boolean, clock: Clock): Promise<Map<number, Verdict>> {
  const candidates = batch.flatMap((row, index): Candidate[] => ('store' in row ? [{ index, store: row.store }] : []));
  if (candidates.length === 0) return new Map();
  if (dry_run) return verdictsOf(await judge(database.db, candidates));
  // The transaction returns fresh verdicts on every attempt, so a PostgreSQL retry is harmless.
  return inTransaction(database, (trx) => writeBatch(trx, candidates, clock.now_ms()));
}

async function writeBatch(trx: Executor, candidates: readonly Candidate[], now_ms: number): Promise<Map<number, Verdict>> {
  const judged = await judge(trx, candidates);
  const fresh = candidates.filter(({ index }) => verdictOf(judged.get(index)) === 'new');
  const inserted = await insertStores(trx, fresh.map(({ index, store }) => ({ store, judgement: judged.get(index) })), now_ms);
  const raced = fresh.filter(({ store }) => !inserted.has(store.code));
  if (raced.length > 0) {
    // Codes another import added after our read: judged again against what is now committed.
    for (const [index, judgement] of await judge(trx, raced)) {
      assert(verdictOf(judgement) !== 'new', 'a store skipped by ON CONFLICT is in the table');
      judged.set(index, judgement);
    }
  }
  for (const judgement of judged.values()) {
    if (judgement instanceof RoamError || judgement.verdict !== 'updated') continue;
    await trx.updateTable('stores').set(judgement.values).where('id', '=', judgement.store_id).execute();
  }
  return verdictsOf(judged);
}

/** New stores, each with its cash drawer account as the demo seed makes it; the codes actually inserted. */
async function insertStores(
  trx: Executor,
  fresh: ReadonlyArray<{ store: StoreRecord; judgement: Judgement | undefined }>,
  now_ms: number,
): Promise<Set<string>> {
  if (fresh.length === 0) return new Set();
  const rows = fresh.map(({ store, judgement }) => {
    assert(judgement !== undefined && !(judgement instanceof RoamError) && judgement.verdict === 'new', 'a fresh store is judged new');
    return { id: newId('store'), code: store.code, ...judgement.values, cash_account_id: cashDrawerAccountId(store.code), created_at_ms: now_ms };
  });
  for (const row of rows) {
    await ensureLedgerAccount(trx, { id: row.cash_account_id, kind: 'cash_drawer', name: `Cash drawer, ${row.name}` }, now_ms);
  }
  // "do nothing" rather than fail: on PostgreSQL another import may add the same code after our read.
  const returned = await trx.insertInto('stores').values(rows).onConflict((conflict) => conflict.column('code').doNothing()).returning('code').execute();
  return new Set(returned.map(({ code }) => code));
}

/**
 * Compares rows with the table: a partner store's partner must exist (its chain is the default
 * chain), then by code: new, unchanged (same data) or updated.
 */
async function judge(trx: Executor, candidates: readonly Candidate[]): Promise<Map<number, Judgement>> {
  const partner_codes = [...new Set(candidates.flatMap(({ store }) => (store.partner_code === null ? [] : [store.partner_code])))];
  const partners = partner_codes.length === 0 ? [] : await trx.selectFrom('partners').select(['id', 'code', 'chain']).where('code', 'in', partner_codes).execute();
  const partner_by_code = new Map(partners.map((partner) => [partner.code, partner]));
  const existing = await trx.selectFrom('stores').selectAll().where('code', 'in', candidates.map(({ store }) => store.code)).execute();
  const existing_by_code = new Map(existing.map((row) => [row.code, row]));
  const taken_accounts = await accountsNotDrawers(trx, candidates.filter(({ store }) => !existing_by_code.has(store.code)));

  const judged = new Map<number, Judgement>();
  for (const { index, store } of candidates) {
    const partner = store.partner_code === null ? null : partner_by_code.get(store.partner_code);
    if (partner === undefined) {
      judged.set(index, new RoamError('ROAM_ERR_PARTNER_NOT_FOUND', { field: 'partner', code: store.partner_code ?? '' }));
      continue;
    }
    const values: StoreValues = {
      kind: store.kind, chain: store.chain ?? partner?.chain ?? null, name: store.name, city: store.city, address: store.address,
      address_ru: store.address_ru, time_zone: store.time_zone, latitude: store.latitude, longitude: store.longitude,
      opening_hours: store.opening_hours, renews: store.renews, partner_id: partner?.id ?? null,
    };
    const current = existing_by_code.get(store.code);
    if (!current && taken_accounts.has(cashDrawerAccountId(store.code))) {
      judged.set(index, new RoamError('ROAM_ERR_VALIDATION', { field: 'code', reason: 'code_reserved' }));
    } else if (!current) judged.set(index, { verdict: 'new', values });
    else if (sameStore(current, values)) judged.set(index, { verdict: 'unchanged' });
    else judged.set(index, { verdict: 'updated', store_id: current.id, values });
  }
  return judged;
}

/**
 * A new store's drawer is the ledger account `cash:<code>`, and a few system accounts share that
 * prefix (`cash:over-short`): a store with such a code would take cash into the wrong account.
 */
async function accountsNotDrawers(trx: Executor, fresh: readonly Candidate[]): Promise<Set<string>> {
  if (fresh.length === 0) return new Set();
  const accounts = await trx.selectFrom('ledger_accounts').select('id')
    .where('id', 'in', fresh.map(({ store }) => cashDrawerAccountId(store.code))).where('kind', '!=', 'cash_drawer').execute();
  return new Set(accounts.map(({ id }) => id));
}

function verdictOf(judgement: Judgement | undefined): Verdict | undefined {
  return judgement === undefined || judgement instanceof RoamError ? judgement : judgement.verdict;
}

function verdictsOf(judged: ReadonlyMap<number, Judgement>): Map<number, Verdict> {
  return new Map([...judged].map(([index, judgement]) => [index, verdictOf(judgement) as Verdict]));
}

/**
 * Coordinates are compared as PostgreSQL keeps them: `real` is a 4-byte float there (7 significant
 * digits), so 131.885512 reads back as 131.88551; compared at full precision, a file re-imported
 * would update every such store every time. Single precision is a metre or so at these magnitudes.
 */
function sameStore(current: StoresTable, values: StoreValues): boolean {
  const sameDegrees = (stored: number, given: number) => Math.fround(Number(stored)) === Math.fround(given);
  return current.kind === values.kind && current.chain === values.chain && current.name === values.name && current.city === values.city
    && current.address === values.address && current.address_ru === values.address_ru && current.time_zone === values.time_zone
    && sameDegrees(current.latitude, values.latitude) && sameDegrees(current.longitude, values.longitude)
    && current.opening_hours === values.opening_hours && Number(current.renews) === values.renews
    && current.partner_id === values.partner_id;
}

export type { ImportRecord, RejectedRow } from '../imports/file-import.js';
