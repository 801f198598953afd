import { checkRequiredColumns, type ImportCallbacks, type ImportRecord, type ImportSource, type RejectedRow } from '../imports/file-import.js';
import { RoamError } from '../../core/errors.js';
import { parseMoney } from '../../core/money.js';

/**
 * Bank statement import: each line of a bank's statement (reference, amount) settles the bank
 * transfer it pays, through `settle`, one line at a time. Each line ends as exactly one of: settled
 * now, already settled (by an earlier import: importing a statement twice changes nothing), or
 * rejected with its line number and the reason, for a person to look at. Nothing is guessed: a
 * reference must match exactly (case aside) and the amount must be the amount due.
 */

export const STATEMENT_COLUMNS_REQUIRED = ['reference', 'amount'] as const;
/**
 * The in-file duplicate check keeps one reference per row in memory; this bounds that memory. A
 * statement is a day's or a month's incoming transfers: far fewer rows than this.
 */
export const STATEMENT_ROWS_MAX = 200_000;

/** What a bank transfer says to a statement line; the settlement behind it is the caller's. */
export type BankTransferOutcome = 'settled' | 'already_final' | 'unknown_reference' | 'amount_mismatch' | 'transfer_closed';
export type SettleBankTransfer = (reference: string, amount_minor: number) => Promise<BankTransferOutcome>;



export interface StatementImportSummary {
  readonly rows_read: number;
  /** Transfers this import settled. */
  readonly settled: number;
  /** Lines whose transfer an earlier import (or another payment path) had already settled. */
  readonly already_settled: number;
  readonly rejected: number;
}

export interface StatementImportOptions extends ImportCallbacks<StatementImportSummary> {
  /** Settles one transfer: the only way this import changes anything. */
  readonly settle: SettleBankTransfer;
}

export type StatementSource = ImportSource;

/** A required column is missing: the import stops before reading any row. */
export function checkStatementColumns(columns: readonly string[]): void {
  checkRequiredColumns(columns, STATEMENT_COLUMNS_REQUIRED);
}

type StatementLine = {
  readonly reference: string; readonly amount_minor: number; readonly raw_reference: string; readonly raw_amount: string;
};

export async function importStatement(source: StatementSource, options: StatementImportOptions): Promise<StatementImportSummary> {
  checkStatementColumns(source.columns);
  const counts = { rows_read: 0, settled: 0, already_settled: 0, rejected: 0 };
  const first_line = new Map<string, number>();
  const reject = (row: RejectedRow) => {
    counts.rejected += 1;
    options.onRejected?.(row);
  };

  for await (const record of source.records) {
    counts.rows_read += 1;
    const line = readLine(record, counts.rows_read, first_line);
    if ('rejected' in line) reject(line.rejected);
    else {
      first_line.set(line.reference, record.line_number);
      const outcome = await options.settle(line.reference, line.amount_minor);
      if (outcome === 'settled') counts.settled += 1;
      else if (outcome === 'already_final') counts.already_settled += 1;
      else reject(rejectedFor(record.line_number, line, outcome));
    }
    options.onProgress?.({ ...counts });
  }
  return { ...counts };
}

/** A line's reference and amount, or why the line cannot settle anything. */
function readLine(
  record: ImportRecord,
  row_index: number,
  first_line: ReadonlyMap<string, number>,
): StatementLine | { rejected: RejectedRow } {
  const { line_number } = record;
  const rejected = (column: string, value: string, error: RoamError) => ({ rejected: { line_number, column, value, error } });
  if (record.problem) return rejected('', '', new RoamError('ROAM_ERR_VALIDATION', { field: 'row', reason: record.problem }));
  if (row_index > STATEMENT_ROWS_MAX) return rejected('', '', new RoamError('ROAM_ERR_VALIDATION', { field: 'row', reason: 'too_many_rows' }));

  const raw_reference = record.values.reference?.trim() ?? '';
  const raw_amount = record.values.amount?.trim() ?? '';
  if (raw_reference === '') return rejected('reference', '', new RoamError('ROAM_ERR_VALIDATION', { field: 'reference', reason: 'empty' }));
  if (raw_amount === '') return rejected('amount', '', new RoamError('ROAM_ERR_VALIDATION', { field: 'amount', reason: 'empty' }));
  const amount = parseMoney(raw_amount);
  if (!amount.ok) return rejected('amount', raw_amount, new RoamError('ROAM_ERR_AMOUNT_INVALID', { field: 'amount', reason: amount.problem }));
  if (amount.amount_minor === 0) return rejected('amount', raw_amount, new RoamError('ROAM_ERR_AMOUNT_INVALID', { field: 'amount', reason: 'not_positive' }));
  // References are issued in capitals; a bank or a person may have typed them in lower case.
  const reference = raw_reference.toUpperCase();
  const first = first_line.get(reference);
  // Two lines for one transfer: the customer paid twice, and a person must return the money.
  if (first !== undefined) return rejected('reference', raw_reference, new RoamError('ROAM_ERR_VALIDATION', { field: 'reference', reason: 'duplicate_in_file', line: first }));
  return { reference, amount_minor: amount.amount_minor, raw_reference, raw_amount };
}

function rejectedFor(line_number: number, line: StatementLine, outcome: 'unknown_reference' | 'amount_mismatch' | 'transfer_closed'): RejectedRow {
  if (outcome === 'unknown_reference' || outcome === 'transfer_closed') {
    return { line_number, column: 'reference', value: line.raw_reference, error: new RoamError('ROAM_ERR_VALIDATION', { field: 'reference', reason: outcome }) };
  }
  return { line_number, column: 'amount', value: line.raw_amount, error: new RoamError('ROAM_ERR_VALIDATION', { field: 'amount', reason: 'amount_mismatch' }) };
}

export type { ImportRecord, RejectedRow } from '../imports/file-import.js';
