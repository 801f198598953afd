import { assert, RoamError } from '../../core/errors.js';

/**
 * What every file import (SIMs, stores, usage, bank statements) shares: rows as the CSV reader hands them
 * over, rejected rows as the channel reports them, and the check that required columns are there.
 * Each import keeps its own rules and summary; the channel (`roamcard … import`) reads the file,
 * shows progress and lists the rejections.
 */

/** One data row of the file: values by lower-case column name, and where the row starts. */
export interface ImportRecord {
  /** Physical line of the file where the row starts; the header is line 1. */
  readonly line_number: number;
  readonly values: Readonly<Record<string, string | undefined>>;
  /** Set when the row could not be read as CSV; the row is rejected with this reason. */
  readonly problem?: string | undefined;
}

export interface RejectedRow {
  readonly line_number: number;
  /** The column at fault; '' when the row as a whole is at fault. */
  readonly column: string;
  /** The value as written in the file; channels mask phone numbers before showing it. */
  readonly value: string;
  readonly error: RoamError;
}

export interface ImportSource {
  /** Column names of the header, lower-case and trimmed. */
  readonly columns: readonly string[];
  readonly records: AsyncIterable<ImportRecord>;
}

export interface ImportCallbacks<Progress> {
  /** Called as rows are done (after every row or batch). */
  readonly onProgress?: (progress: Progress) => void;
  /** Called once per rejected row, in line order; the summary keeps only the count. */
  readonly onRejected?: (row: RejectedRow) => void;
}

/** A required column is missing: the import stops before reading any row. */
export function checkRequiredColumns(columns: readonly string[], required: readonly string[]): void {
  for (const column of required) {
    if (!columns.includes(column)) throw new RoamError('ROAM_ERR_VALIDATION', { field: column, reason: 'missing_column' });
  }
}

/**
 * Reads the rows, turns each into an item as it comes (`toItem`, told the row's 1-based index among
 * data rows), and hands the items on in batches of at most `batch_size` — so memory stays bounded on
 * a file of any size, and the database sees few statements.
 */
export async function inBatches<Item>(
  records: AsyncIterable<ImportRecord>,
  batch_size: number,
  toItem: (record: ImportRecord, row_index: number) => Item,
  handle: (batch: readonly Item[]) => Promise<void>,
): Promise<void> {
  let batch: Item[] = [];
  let row_index = 0;
  for await (const record of records) {
    row_index += 1;
    batch.push(toItem(record, row_index));
    if (batch.length < batch_size) continue;
    await handle(batch);
    batch = [];
  }
  if (batch.length > 0) await handle(batch);
}

/** A row of a batch: screened out before the database (with why), or passed on to it. */
export type ScreenedRow<Passed> = Passed | { readonly line_number: number; readonly rejected: RejectedRow };

/** How a batch's outcomes are counted: `rows_read`, `rejected`, and one counter per verdict the database gave. */
export type BatchCounts<Counter extends string> = Record<'rows_read' | 'rejected' | Counter, number>;

/**
 * Counts one batch written to the database, in line order: a row screened out, or refused by the
 * database (its verdict a RoamError, told as a rejected row by `rejectedFor`), is rejected — counted
 * and reported once; any other row is counted under its verdict's counter. Every row has exactly
 * one outcome: a row without a verdict is a bug in the import.
 */
export function countBatch<Passed extends { readonly line_number: number }, Verdict extends string, Counter extends string>(
  batch: readonly ScreenedRow<Passed>[],
  verdicts: ReadonlyMap<number, Verdict | RoamError>,
  counts: BatchCounts<Counter>,
  tally: {
    readonly counters: Readonly<Record<Verdict, Counter>>;
    readonly rejectedFor: (row: Passed, error: RoamError) => RejectedRow;
    readonly onRejected?: ((row: RejectedRow) => void) | undefined;
  },
): void {
  const reject = (row: RejectedRow) => {
    counts.rejected += 1;
    tally.onRejected?.(row);
  };
  counts.rows_read += batch.length;
  batch.forEach((row, index) => {
    if ('rejected' in row) return reject(row.rejected);
    const verdict = verdicts.get(index);
    if (verdict instanceof RoamError) return reject(tally.rejectedFor(row, verdict));
    assert(verdict !== undefined, `row at line ${row.line_number} has a verdict`);
    counts[tally.counters[verdict]] += 1;
    return undefined;
  });
}

/**
 * What rejects a row before its fields are read, in every import: a row the CSV reader could not
 * read, or one past the file's row limit. Undefined when the row may be screened further.
 */
export function unreadableRow(record: ImportRecord, row_index: number, rows_max: number): RejectedRow | undefined {
  const reason = record.problem ?? (row_index > rows_max ? 'too_many_rows' : undefined);
  if (reason === undefined) return undefined;
  return { line_number: record.line_number, column: '', value: '', error: new RoamError('ROAM_ERR_VALIDATION', { field: 'row', reason }) };
}
