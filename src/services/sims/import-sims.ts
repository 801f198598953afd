import {
  checkRequiredColumns, countBatch, inBatches, unreadableRow, type ImportCallbacks, type ImportRecord, type ImportSource, type RejectedRow,
} from '../imports/file-import.js';
import { assert, RoamError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import type { SimsTable } from '../../db/schema.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import { validateSim, type SimRecord } from './sim-record.js';

/**
 * SIM inventory import: rows from a supplier's file, streamed, validated one by one and written in
 * batches (one transaction per batch), so 100,000 rows take seconds and a bad row costs only itself.
 * Each row ends as exactly one of: imported, unchanged (already in inventory with the same data, so
 * importing a file twice changes nothing), or rejected with its line number and the reason.
 */

export const SIM_IMPORT_COLUMNS_REQUIRED = ['iccid', 'imsi', 'msisdn'] as const;
export const SIM_IMPORT_COLUMNS_OPTIONAL = ['form_factor', 'esim_activation_code'] as const;

/** Rows per transaction: big enough to amortise the commit, small enough to hold the lock briefly. */
export const SIM_IMPORT_BATCH_SIZE_DEFAULT = 1_000;
export const SIM_IMPORT_BATCH_SIZE_MAX = 5_000;
/** The in-file duplicate check keeps three keys per row in memory; this bounds that memory. */
export const SIM_IMPORT_ROWS_MAX = 1_000_000;
/**
 * Rows per SELECT (3 parameters each) and per INSERT (7 each): one statement of each per default
 * batch, well under the parameter limits of SQLite (32,766) and PostgreSQL (65,535).
 */
const STATEMENT_ROWS_MAX = 1_000;

type UniqueField = 'iccid' | 'imsi' | 'msisdn';
const UNIQUE_FIELDS: readonly UniqueField[] = ['iccid', 'imsi', 'msisdn'];



export interface SimImportProgress {
  readonly rows_read: number;
  readonly imported: number;
  readonly unchanged: number;
  readonly rejected: number;
}

export interface SimImportSummary extends SimImportProgress {
  /** True when nothing was written: `imported` then counts the rows that would have been. */
  readonly dry_run: boolean;
}

export interface SimImportOptions extends ImportCallbacks<SimImportProgress> {
  readonly clock: Clock;
  readonly dry_run?: boolean;
  readonly batch_size?: number;
}

export type SimImportSource = ImportSource;

/** A required column is missing: the import stops before reading any row. */
export function checkSimColumns(columns: readonly string[]): void {
  checkRequiredColumns(columns, SIM_IMPORT_COLUMNS_REQUIRED);
}

type PendingRow =
  | { readonly line_number: number; readonly sim: SimRecord; readonly raw: Readonly<Record<UniqueField, string>> }
  | { readonly line_number: number; readonly rejected: RejectedRow };

type InventoryVerdict = 'new' | 'unchanged' | RoamError;

export async function importSims(database: Database, source: SimImportSource, options: SimImportOptions): Promise<SimImportSummary> {
  checkSimColumns(source.columns);
  const batch_size = options.batch_size ?? SIM_IMPORT_BATCH_SIZE_DEFAULT;
  assert(Number.isSafeInteger(batch_size) && batch_size >= 1 && batch_size <= SIM_IMPORT_BATCH_SIZE_MAX, 'SIM import batch size in range');
  const dry_run = options.dry_run ?? false;
  const screen = new RowScreen();
  const counts = { rows_read: 0, imported: 0, unchanged: 0, rejected: 0 };

  const flush = async (batch: readonly PendingRow[]) => {
    const verdicts = await judgeBatch(database, batch, dry_run, options.clock);
    countBatch(batch, verdicts, counts, { counters: { new: 'imported', unchanged: 'unchanged' }, rejectedFor, onRejected: options.onRejected });
    options.onProgress?.({ ...counts });
  };

  await inBatches(source.records, batch_size, (record, row_index) => screen.screen(record, row_index), flush);
  return { ...counts, dry_run };
}

function rejectedFor(row: Extract<PendingRow, { sim: SimRecord }>, error: RoamError): RejectedRow {
  const field = error.params.field as UniqueField | undefined;
  const column = field ?? 'iccid';
  return { line_number: row.line_number, column, value: row.raw[column], error };
}

/**
 * Checks rows on their own, before the database: fields (validateSim), and duplicates inside the
 * file, remembered by normalized value so "8970 1990…" and "89701990…" are the same ICCID.
 */
class RowScreen {
  readonly #first_line: Record<UniqueField, Map<string, number>> = { iccid: new Map(), imsi: new Map(), msisdn: new Map() };

  screen(record: ImportRecord, row_index: number): PendingRow {
    const line_number = record.line_number;
    const rejected = (column: string, value: string, error: RoamError): PendingRow => ({
      line_number, rejected: { line_number, column, value, error },
    });
    const unreadable = unreadableRow(record, row_index, SIM_IMPORT_ROWS_MAX);
    if (unreadable) return { line_number, rejected: unreadable };

    const raw = (column: string) => record.values[column]?.trim() ?? '';
    for (const column of SIM_IMPORT_COLUMNS_REQUIRED) {
      if (raw(column) === '') return rejected(column, '', new RoamError('ROAM_ERR_VALIDATION', { field: column, reason: 'empty' }));
    }
    const validated = validateSim({
      iccid: raw('iccid'), imsi: raw('imsi'), msisdn: raw('msisdn'),
      form_factor: raw('form_factor'), esim_activation_code: raw('esim_activation_code'),
    });
    if (!validated.ok) {
      const column = validated.error.params.field ?? '';
      return rejected(column, raw(column), validated.error);
    }
    const { sim } = validated;
    for (const field of UNIQUE_FIELDS) {
      const first_line = this.#first_line[field].get(sim[field]);
      if (first_line !== undefined) {
        return rejected(field, raw(field), new RoamError('ROAM_ERR_VALIDATION', { field, reason: 'duplicate_in_file', line: first_line }));
      }
    }
    for (const field of UNIQUE_FIELDS) this.#first_line[field].set(sim[field], line_number);
    return { line_number, sim, raw: { iccid: raw('iccid'), imsi: raw('imsi'), msisdn: raw('msisdn') } };
  }
}

/** Verdicts for the batch's valid rows (by batch index); writes the new ones unless dry-running. */
async function judgeBatch(
  database: Database,
  batch: readonly PendingRow[],
  dry_run: boolean,
  clock: Clock,
): Promise<Map<number, InventoryVerdict>> {
  const candidates = batch.flatMap((row, index) => ('sim' in row ? [{ index, sim: row.sim }] : []));
  if (candidates.length === 0) return new Map();
  if (dry_run) return judgeAgainstInventory(database.db, candidates);
  // The transaction returns fresh verdicts on every attempt, so a PostgreSQL retry is harmless.
  return inTransaction(database, (trx) => writeBatch(trx, candidates, clock.now_ms()));
}

async function writeBatch(
  trx: Executor,
  candidates: ReadonlyArray<{ index: number; sim: SimRecord }>,
  now_ms: number,
): Promise<Map<number, InventoryVerdict>> {
  const verdicts = await judgeAgainstInventory(trx, candidates);
  const fresh = candidates.filter(({ index }) => verdicts.get(index) === 'new');
  const inserted = new Set<string>();
  for (let start = 0; start < fresh.length; start += STATEMENT_ROWS_MAX) {
    const rows = fresh.slice(start, start + STATEMENT_ROWS_MAX).map(({ sim }) => ({ ...sim, status: 'in_stock' as const, created_at_ms: now_ms }));
    // "do nothing" rather than fail: on PostgreSQL another import may add the same SIM after our read.
    const returned = await trx.insertInto('sims').values(rows).onConflict((conflict) => conflict.doNothing()).returning('iccid').execute();
    for (const { iccid } of returned) inserted.add(iccid);
  }
  const raced = fresh.filter(({ sim }) => !inserted.has(sim.iccid));
  if (raced.length === 0) return verdicts;
  // Rows someone else inserted meanwhile: judge them again against what is now committed.
  const rejudged = await judgeAgainstInventory(trx, raced);
  for (const [index, verdict] of rejudged) {
    assert(verdict !== 'new', 'a SIM skipped by ON CONFLICT is in inventory');
    verdicts.set(index, verdict);
  }
  return verdicts;
}

/** Compares rows with inventory: new, unchanged (same data), or ROAM_ERR_SIM_EXISTS naming the field taken. */
async function judgeAgainstInventory(
  trx: Executor,
  candidates: ReadonlyArray<{ index: number; sim: SimRecord }>,
): Promise<Map<number, InventoryVerdict>> {
  const existing = await existingSims(trx, candidates.map(({ sim }) => sim));
  const verdicts = new Map<number, InventoryVerdict>();
  for (const { index, sim } of candidates) {
    const same_iccid = existing.iccid.get(sim.iccid);
    if (same_iccid && sameSim(same_iccid, sim)) {
      verdicts.set(index, 'unchanged');
      continue;
    }
    const field = UNIQUE_FIELDS.find((candidate) => existing[candidate].has(sim[candidate]));
    verdicts.set(index, field ? new RoamError('ROAM_ERR_SIM_EXISTS', { field, reason: 'exists_differently' }) : 'new');
  }
  return verdicts;
}

async function existingSims(trx: Executor, sims: readonly SimRecord[]): Promise<Record<UniqueField, Map<string, SimsTable>>> {
  const found: Record<UniqueField, Map<string, SimsTable>> = { iccid: new Map(), imsi: new Map(), msisdn: new Map() };
  for (let start = 0; start < sims.length; start += STATEMENT_ROWS_MAX) {
    const chunk = sims.slice(start, start + STATEMENT_ROWS_MAX);
    // One statement for the three keys: PostgreSQL may answer an IN list of this size with one scan.
    const rows = await trx
      .selectFrom('sims')
      .selectAll()
      .where((eb) => eb.or(UNIQUE_FIELDS.map((field) => eb(field, 'in', chunk.map((sim) => sim[field])))))
      .execute();
    for (const row of rows) {
      for (const field of UNIQUE_FIELDS) found[field].set(row[field], row);
    }
  }
  return found;
}

function sameSim(existing: SimsTable, sim: SimRecord): boolean {
  return existing.iccid === sim.iccid && existing.imsi === sim.imsi && existing.msisdn === sim.msisdn
    && existing.form_factor === sim.form_factor && existing.esim_activation_code === sim.esim_activation_code;
}

export type { ImportRecord, RejectedRow } from '../imports/file-import.js';
