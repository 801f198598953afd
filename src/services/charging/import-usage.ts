import {
  checkRequiredColumns, inBatches, unreadableRow, type ImportCallbacks, type ImportRecord, type ImportSource, type RejectedRow,
} from '../imports/file-import.js';
import { assert, RoamError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import { inTransaction, type Executor } from '../../db/transaction.js';
import type { Clock } from '../../ports/clock.js';
import type { Notices } from '../notices/notices.js';
import { chargeUsageBatch, validateUsage, type BatchOutcome, type TariffFor, type UsageInput } from './usage.js';

/**
 * Usage import: a file of usage records (from a network element or a partner's export), streamed
 * and charged in batches through chargeUsageBatch, one transaction per batch. Each record is charged
 * at most once (keyed by line and event id), so importing a file again charges nothing: every row is
 * reported as replayed. A bad row is rejected with its line number and never stops the rest.
 */

export const USAGE_IMPORT_COLUMNS_REQUIRED = ['event_id', 'kind', 'quantity', 'at'] as const;
/** A row names its line by one of these; `line_id` wins when both are filled. */
export const USAGE_IMPORT_LINE_COLUMNS = ['line_id', 'msisdn'] as const;

/** Events per transaction: each takes a few statements, so a smaller batch than SIM rows. */
export const USAGE_IMPORT_BATCH_SIZE_DEFAULT = 500;
export const USAGE_IMPORT_BATCH_SIZE_MAX = 2_000;
/** The in-file duplicate check keeps one key per row in memory; this bounds that memory. */
export const USAGE_IMPORT_ROWS_MAX = 2_000_000;
/** Epoch values below this (2000-01-01) are almost surely seconds given where milliseconds are expected. */
export const EPOCH_MS_MIN = 946_684_800_000;
const STATEMENT_ROWS_MAX = 500;
const MS_PER_MINUTE = 60_000;



export interface UsageImportProgress {
  readonly rows_read: number;
  /** Rows charged now (not before): each is granted in full or denied in part or in full. */
  readonly charged: number;
  readonly granted_fully: number;
  readonly denied_partly_or_fully: number;
  /** Pay-as-you-go money taken from wallets by this import, in kopecks. */
  readonly wallet_charge_minor_total: number;
  /** Rows charged by an earlier import (same line, event id and usage): nothing charged again. */
  readonly replayed: number;
  readonly rejected: number;
}

export interface UsageImportSummary extends UsageImportProgress {
  /**
   * True when nothing was written. `charged` then counts the rows that would be charged; how much
   * each would be granted depends on the rows before it, so granted, denied and money stay 0.
   */
  readonly dry_run: boolean;
}

export interface UsageImportOptions extends ImportCallbacks<UsageImportProgress> {
  readonly clock: Clock;
  readonly tariffFor: TariffFor;
  /** Usage alerts, as for events charged live; none without it. */
  readonly alerts?: Notices;
  readonly dry_run?: boolean;
  readonly batch_size?: number;
}

export type UsageImportSource = ImportSource;

/** A required column is missing: the import stops before reading any row. */
export function checkUsageColumns(columns: readonly string[]): void {
  checkRequiredColumns(columns, USAGE_IMPORT_COLUMNS_REQUIRED);
  if (!USAGE_IMPORT_LINE_COLUMNS.some((column) => columns.includes(column))) {
    throw new RoamError('ROAM_ERR_VALIDATION', { field: 'msisdn/line_id', reason: 'missing_column' });
  }
}

interface ValidRow {
  readonly line_number: number;
  readonly input: UsageInput;
  /** The column naming the line (line_id or msisdn), and the raw values for rejection reports. */
  readonly line_column: 'line_id' | 'msisdn';
  readonly raw: Readonly<Record<string, string>>;
}

type PendingRow = ValidRow | { readonly line_number: number; readonly rejected: RejectedRow };

/** A charge's outcome; in a dry run only what a read can tell: would charge, or would replay. */
type Verdict = BatchOutcome | { ok: 'would_charge' } | { ok: 'would_replay' };

export async function importUsage(database: Database, source: UsageImportSource, options: UsageImportOptions): Promise<UsageImportSummary> {
  checkUsageColumns(source.columns);
  const batch_size = options.batch_size ?? USAGE_IMPORT_BATCH_SIZE_DEFAULT;
  assert(Number.isSafeInteger(batch_size) && batch_size >= 1 && batch_size <= USAGE_IMPORT_BATCH_SIZE_MAX, 'usage import batch size in range');
  const dry_run = options.dry_run ?? false;
  const screen = new RowScreen();
  const counts = {
    rows_read: 0, charged: 0, granted_fully: 0, denied_partly_or_fully: 0, wallet_charge_minor_total: 0, replayed: 0, rejected: 0,
  };

  const reject = (row: RejectedRow) => {
    counts.rejected += 1;
    options.onRejected?.(row);
  };
  const count = (row: ValidRow, verdict: Verdict | undefined) => {
    assert(verdict !== undefined, `row at line ${row.line_number} has a verdict`);
    if (verdict.ok === 'would_charge') counts.charged += 1;
    else if (verdict.ok === 'would_replay') counts.replayed += 1;
    else if (!verdict.ok) reject(rejectedFor(row, verdict.error));
    else if (verdict.result.replayed) counts.replayed += 1;
    else {
      counts.charged += 1;
      counts.wallet_charge_minor_total += verdict.result.wallet_charge_minor;
      if (verdict.result.denied === 0) counts.granted_fully += 1;
      else counts.denied_partly_or_fully += 1;
    }
  };
  const flush = async (batch: readonly PendingRow[]) => {
    counts.rows_read += batch.length;
    const valid = batch.filter((row): row is ValidRow => 'input' in row);
    const verdicts = await judgeBatch(database, valid, dry_run, options);
    let next_valid = 0;
    for (const row of batch) {
      if ('rejected' in row) reject(row.rejected);
      else count(row, verdicts[next_valid++]);
    }
    options.onProgress?.({ ...counts });
  };

  await inBatches(source.records, batch_size, (record, row_index) => screen.screen(record, row_index), flush);
  return { ...counts, dry_run };
}

function rejectedFor(row: ValidRow, error: RoamError): RejectedRow {
  const column = error.code === 'ROAM_ERR_LINE_NOT_FOUND' ? row.line_column
    : error.code === 'ROAM_ERR_USAGE_EVENT_CONFLICT' ? 'event_id'
      : (error.params.field ?? '');
  return { line_number: row.line_number, column, value: row.raw[column] ?? '', error };
}

async function judgeBatch(
  database: Database,
  rows: readonly ValidRow[],
  dry_run: boolean,
  options: UsageImportOptions,
): Promise<Verdict[]> {
  if (rows.length === 0) return [];
  const inputs = rows.map((row) => row.input);
  if (dry_run) return previewBatch(database.db, inputs);
  return inTransaction(database, (trx) => chargeUsageBatch(trx, inputs, options.tariffFor, options.clock.now_ms(), options.alerts));
}

/**
 * Checks rows on their own, before the database: field formats (as chargeUsage would), and the same
 * event named twice in the file, which is a mistake in the file rather than a replay.
 */
class RowScreen {
  readonly #first_line = new Map<string, number>();

  screen(record: ImportRecord, row_index: number): PendingRow {
    const line_number = record.line_number;
    const rejected = (column: string, value: string, error: RoamError): PendingRow => ({
      line_number, rejected: { line_number, column, value, error },
    });
    const unreadable = unreadableRow(record, row_index, USAGE_IMPORT_ROWS_MAX);
    if (unreadable) return { line_number, rejected: unreadable };

    const raw: Record<string, string> = {};
    for (const column of [...USAGE_IMPORT_COLUMNS_REQUIRED, ...USAGE_IMPORT_LINE_COLUMNS]) raw[column] = record.values[column]?.trim() ?? '';
    const line_column = raw.line_id ? 'line_id' : 'msisdn';
    for (const column of [...USAGE_IMPORT_COLUMNS_REQUIRED, line_column]) {
      if (raw[column] === '') return rejected(column, '', new RoamError('ROAM_ERR_VALIDATION', { field: column, reason: 'empty' }));
    }
    const quantity = parseQuantity(raw.quantity ?? '');
    if (typeof quantity === 'string') return rejected('quantity', raw.quantity ?? '', new RoamError('ROAM_ERR_VALIDATION', { field: 'quantity', reason: quantity }));
    const at_ms = parseInstant(raw.at ?? '');
    if (typeof at_ms === 'string') return rejected('at', raw.at ?? '', new RoamError('ROAM_ERR_VALIDATION', { field: 'at', reason: at_ms }));

    const input: UsageInput = {
      event_id: raw.event_id ?? '', kind: (raw.kind ?? '').toLowerCase(), quantity, at_ms,
      ...(line_column === 'line_id' ? { line_id: raw.line_id } : { msisdn: raw.msisdn }),
    };
    let usage: ReturnType<typeof validateUsage>;
    try {
      usage = validateUsage(input);
    } catch (error) {
      if (!(error instanceof RoamError)) throw error;
      const column = error.params.field ?? '';
      return rejected(column, raw[column] ?? '', error);
    }
    // Keyed by the normalized line reference, so "+7 900…" and "8 900…" name the same line.
    const key = `${JSON.stringify(usage.line)}\u0000${usage.event_id}`;
    const first_line = this.#first_line.get(key);
    if (first_line !== undefined) {
      return rejected('event_id', raw.event_id ?? '', new RoamError('ROAM_ERR_VALIDATION', { field: 'event_id', reason: 'duplicate_in_file', line: first_line }));
    }
    this.#first_line.set(key, line_number);
    return { line_number, input, line_column, raw };
  }
}

/** A whole number of units: "1048576", "1 048 576". The reason key when it is not one. */
export function parseQuantity(text: string): number | 'not_integer' | 'negative' | 'too_large' {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '');
  if (/^-\d+([.,]\d+)?$/.test(compact)) return 'negative';
  if (!/^\d+$/.test(compact)) return 'not_integer';
  const value = Number(compact);
  return Number.isSafeInteger(value) ? value : 'too_large';
}

const ISO_WITH_ZONE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/i;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?)?$/i;

/**
 * An instant: ISO 8601 with a zone ("2025-03-01T12:30:00+03:00", "…Z") or epoch milliseconds.
 * A local time without a zone is refused: Russia spans eleven zones, and guessing one would shift
 * usage into the wrong bundle. Calendar fields are checked, so 31 April is not 1 May.
 */
export function parseInstant(text: string): number | 'not_a_date' | 'no_time_zone' | 'epoch_too_small' {
  const compact = text.trim();
  if (/^\d{1,16}$/.test(compact)) {
    const value = Number(compact);
    return value < EPOCH_MS_MIN ? 'epoch_too_small' : value;
  }
  const match = ISO_WITH_ZONE.exec(compact);
  if (!match) return ISO_LOCAL.test(compact) ? 'no_time_zone' : 'not_a_date';
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? '0')) as [number, number, number, number, number, number];
  const millisecond = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset_minutes = zoneOffsetMinutes(match[8] ?? '');
  const days_in_month = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const fields_valid = month >= 1 && month <= 12 && day >= 1 && day <= days_in_month && hour <= 23 && minute <= 59 && second <= 59;
  if (!fields_valid || offset_minutes === undefined) return 'not_a_date';
  const at_ms = Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offset_minutes * MS_PER_MINUTE;
  return at_ms < 0 ? 'not_a_date' : at_ms;
}

function zoneOffsetMinutes(zone: string): number | undefined {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 14 || minutes > 59) return undefined;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

/**
 * Dry run: what a charge would find, read without locks or writes — the line exists, and whether the
 * event was charged before (a replay) or before with other usage (a conflict).
 */
async function previewBatch(db: Executor, inputs: readonly UsageInput[]): Promise<Verdict[]> {
  const usages = inputs.map((input) => validateUsage(input));
  const lines = await linesFor(db, usages.map((usage) => usage.line));
  const line_ids = usages.map((usage) => ('line_id' in usage.line ? lines.by_id.get(usage.line.line_id) : lines.by_msisdn.get(usage.line.msisdn)));
  const charged = await chargedEvents(db, usages.flatMap((usage, index) => {
    const line_id = line_ids[index];
    return line_id === undefined ? [] : [{ line_id, event_id: usage.event_id }];
  }));
  return usages.map((usage, index): Verdict => {
    const line_id = line_ids[index];
    if (line_id === undefined) return { ok: false, error: new RoamError('ROAM_ERR_LINE_NOT_FOUND') };
    const previous = charged.get(`${line_id}\u0000${usage.event_id}`);
    if (!previous) return { ok: 'would_charge' };
    const same = previous.kind === usage.kind && previous.quantity === usage.quantity && previous.occurred_at_ms === usage.at_ms;
    if (!same) return { ok: false, error: new RoamError('ROAM_ERR_USAGE_EVENT_CONFLICT', { value: usage.event_id }) };
    return { ok: 'would_replay' };
  });
}

type LineRef = ReturnType<typeof validateUsage>['line'];

async function linesFor(db: Executor, refs: readonly LineRef[]) {
  const ids = [...new Set(refs.flatMap((ref) => ('line_id' in ref ? [ref.line_id] : [])))];
  const msisdns = [...new Set(refs.flatMap((ref) => ('msisdn' in ref ? [ref.msisdn] : [])))];
  const by_id = new Map<string, string>();
  const by_msisdn = new Map<string, string>();
  for (let start = 0; start < ids.length; start += STATEMENT_ROWS_MAX) {
    const rows = await db.selectFrom('lines').select('id').where('id', 'in', ids.slice(start, start + STATEMENT_ROWS_MAX)).execute();
    for (const row of rows) by_id.set(row.id, row.id);
  }
  for (let start = 0; start < msisdns.length; start += STATEMENT_ROWS_MAX) {
    const rows = await db.selectFrom('lines').select(['id', 'msisdn']).where('msisdn', 'in', msisdns.slice(start, start + STATEMENT_ROWS_MAX)).execute();
    for (const row of rows) by_msisdn.set(row.msisdn, row.id);
  }
  return { by_id, by_msisdn };
}

async function chargedEvents(db: Executor, keys: ReadonlyArray<{ line_id: string; event_id: string }>) {
  const found = new Map<string, { kind: string; quantity: number; occurred_at_ms: number }>();
  for (let start = 0; start < keys.length; start += STATEMENT_ROWS_MAX) {
    const chunk = keys.slice(start, start + STATEMENT_ROWS_MAX);
    const rows = await db
      .selectFrom('usage_events')
      .select(['line_id', 'event_id', 'kind', 'quantity', 'occurred_at_ms'])
      .where('line_id', 'in', [...new Set(chunk.map((key) => key.line_id))])
      .where('event_id', 'in', chunk.map((key) => key.event_id))
      .execute();
    for (const row of rows) found.set(`${row.line_id}\u0000${row.event_id}`, row);
  }
  return found;
}

export type { ImportRecord, RejectedRow } from '../imports/file-import.js';
