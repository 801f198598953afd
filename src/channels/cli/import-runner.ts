import { isRoamError } from '../../core/errors.js';
import { describeError } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import type { AppContext } from '../../app/context.js';
import { CSV_RECORD_BYTES_MAX, CsvSyntaxError, openCsvFile, type CsvSource } from './csv-reader.js';
import { startProgress } from './import-progress.js';
import { importTexts } from './import-texts.js';
import { REJECTED_SHOWN_MAX, RejectionReport, type RejectedRowReport } from './rejection-report.js';
import { printErrorLine } from './terminal-output.js';
import { withContext } from './run-command.js';

/**
 * What the CSV import commands (`sims import`, `stores import`, `usage import`, `payments import-statement`) share,
 * one concern a file:
 * - csv-reader.ts: opening a file whatever spreadsheet wrote it (UTF-8 BOM, CRLF, comma or
 *   semicolon), refusing it whole when it is not CSV, streaming its rows with their line numbers;
 * - import-progress.ts: a progress display that never litters CI logs;
 * - rejection-report.ts: the report of rejected rows, on screen and in FILE.rejected.csv;
 * - import-texts.ts: the texts of all of these, in four languages;
 * - terminal-output.ts: printLine / printErrorLine, through which everything they print goes, so
 *   nothing from the file can drive the terminal;
 * - this file: one import run from file to exit code, and the exit codes.
 */

export const EXIT_CODE_ROWS_REJECTED = 3;
export const EXIT_CODE_FILE_REFUSED = 1;

export function exitCodesHelp(): string {
  return [
    '',
    'Exit codes:',
    '  0  every row was imported, or was already there (unchanged / replayed)',
    `  ${EXIT_CODE_FILE_REFUSED}  the file was refused as a whole (unreadable, not CSV — a quote that is never closed, say —`,
    '     or a required column is missing): nothing was imported',
    `  ${EXIT_CODE_ROWS_REJECTED}  some rows were rejected; the others were imported. The rejected rows are listed (at most ${REJECTED_SHOWN_MAX};`,
    '     beyond that all of them are written to FILE.rejected.csv beside the file)',
    '',
    'The file: CSV with a header row (names case-insensitive), comma or semicolon separated, UTF-8 with or',
    'without BOM, LF or CRLF line ends. Line numbers in reports are the file\'s own (the header is line 1).',
  ].join('\n');
}

export interface ImportHooks {
  readonly onProgress: (progress: { readonly rows_read: number }) => void;
  readonly onRejected: (row: RejectedRowReport) => void;
}

export interface CsvImport<Summary extends { readonly rejected: number }> {
  /** Throws (a RoamError naming the column) when a required column is missing. */
  checkColumns(columns: readonly string[]): void;
  importRows(source: CsvSource, context: AppContext, hooks: ImportHooks): Promise<Summary>;
  printSummary(summary: Summary): void;
}

/**
 * One import, the same for every kind of file: the file is refused whole (exit 1) when it cannot
 * be read, is not CSV, or lacks a required column; otherwise its rows are applied, the summary and
 * the rejected rows printed, and the exit code is 3 when any row was rejected, 0 when none was.
 */
export async function runCsvImport<Summary extends { readonly rejected: number }>(
  file_path: string,
  language: Language,
  steps: CsvImport<Summary>,
): Promise<void> {
  const source = await openForImport(file_path, language, steps.checkColumns);
  if (!source) return;
  try {
    await withContext(async (context) => {
      const report = new RejectionReport(source, language);
      const progress = startProgress(source, language);
      let summary: Summary;
      try {
        summary = await steps.importRows(source, context, {
          onProgress: ({ rows_read }) => progress.update(rows_read),
          onRejected: (row) => report.add(row),
        });
      } finally {
        progress.stop();
      }
      steps.printSummary(summary);
      report.finish();
      if (summary.rejected > 0) process.exitCode = EXIT_CODE_ROWS_REJECTED;
    });
  } finally {
    source.close();
  }
}

/** The open file, or undefined once its refusal is printed. */
async function openForImport(
  file_path: string,
  language: Language,
  checkColumns: (columns: readonly string[]) => void,
): Promise<CsvSource | undefined> {
  let source: CsvSource | undefined;
  try {
    source = await openCsvFile(file_path);
    checkColumns(source.columns);
    return source;
  } catch (error) {
    source?.close();
    refuseFile(file_path, error, language);
    return undefined;
  }
}

/** The file's refusal, localized, on stderr; the command then exits with EXIT_CODE_FILE_REFUSED. */
export function refuseFile(file_path: string, error: unknown, language: Language): void {
  const texts = importTexts(language);
  if (error instanceof CsvSyntaxError) printErrorLine(`${file_path}: ${texts.not_csv[error.problem]({ line: error.line_number, bytes_max: CSV_RECORD_BYTES_MAX })}`);
  else if (isRoamError(error)) printErrorLine(`${file_path}: ${describeError(error, language)}`);
  else printErrorLine(texts.cannot_read({ file: file_path, reason: error instanceof Error ? error.message : String(error) }));
  process.exitCode = EXIT_CODE_FILE_REFUSED;
}
