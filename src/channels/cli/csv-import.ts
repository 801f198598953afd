import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CsvError, parse, type Options, type Parser } from 'csv-parse';
import { csvRow, type CsvDelimiter } from '../../core/csv-writer.js';
import { RoamError, isRoamError } from '../../core/errors.js';
import { describeError } from '../../core/i18n/format.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { maskMsisdn, maskPhoneNumbersInText, parseMsisdn } from '../../core/phone.js';
import { terminalSafe } from '../../core/terminal-text.js';
import type { AppContext } from '../../app/context.js';
import { withContext } from './run-command.js';

/**
 * What the CSV import commands (`sims import`, `usage import`, `payments import-statement`) share:
 * opening a file whatever spreadsheet wrote it (UTF-8 BOM, CRLF, comma or semicolon), refusing it
 * whole when it is not CSV, streaming its rows with their physical line numbers, a progress display
 * that never litters CI logs, the report of rejected rows, and the exit codes. Everything they print
 * goes through printLine / printErrorLine, so nothing from the file can drive the terminal.
 */

export const EXIT_CODE_ROWS_REJECTED = 3;
export const EXIT_CODE_FILE_REFUSED = 1;
/** Rejected rows shown in the terminal; beyond this the full list goes to FILE.rejected.csv. */
export const REJECTED_SHOWN_MAX = 50;
/** A row longer than this is not a row: most likely an unclosed quote swallowing the file. */
export const CSV_RECORD_BYTES_MAX = 65_536;
/** Enough of the file's start to hold its header line, to tell commas from semicolons. */
const HEADER_SNIFF_BYTES = 65_536;
/** Smaller files finish before a bar would be worth drawing. */
export const PROGRESS_BAR_FILE_BYTES_MIN = 1_048_576;
/** Without a terminal (CI, cron, a pipe): one short line per this many rows, nothing in between. */
export const PROGRESS_LINE_EVERY_ROWS = 25_000;
/** Rejected rows are appended to the .rejected.csv file in chunks of this many. */
const REJECTED_FILE_FLUSH_ROWS = 1_000;
/** A long eSIM code or a garbage cell would push the reason off the screen. */
const VALUE_SHOWN_CHARS_MAX = 40;
/** Columns that hold phone numbers: masked wherever a row is shown or written (personal data). */
const PHONE_COLUMNS = new Set(['msisdn', 'contact_phone', 'phone']);

export interface CsvRecord {
  /** Physical line of the file where the row starts; the header is line 1. */
  readonly line_number: number;
  readonly values: Readonly<Record<string, string | undefined>>;
  readonly problem?: 'column_count' | 'csv_syntax';
}

export interface CsvSource {
  readonly file_path: string;
  readonly delimiter: ',' | ';';
  /** Header names, trimmed and lower-case (header names are case-insensitive). */
  readonly columns: readonly string[];
  readonly bytes_total: number;
  /** Bytes of the file parsed so far: the progress measure. */
  bytes_read(): number;
  /** The data rows, once. After a CSV syntax error the last row carries `problem: 'csv_syntax'`. */
  readonly records: AsyncIterable<CsvRecord>;
  /** Releases the file; safe to call at any time, and more than once. */
  close(): void;
}

interface ImportTexts {
  rejected_heading: (p: { count: number }) => string;
  table_header: { line: string; column: string; value: string; reason: string };
  first_at_line: (p: { line: number }) => string;
  more_rejected: (p: { shown: number; count: number; file: string }) => string;
  progress_line: (p: { file: string; rows: number; percent: number }) => string;
  cannot_read: (p: { file: string; reason: string }) => string;
  /** The file is refused: csv-parse cannot tell where the row at `line` ends. */
  not_csv: Readonly<Record<CsvSyntaxProblem, (p: { line: number; bytes_max: number }) => string>>;
  dry_run: string;
}

// CLI-only texts; the domain's reasons come from i18n/messages.ts through describeError.
const TEXTS: Readonly<Record<Language, ImportTexts>> = {
  en: {
    rejected_heading: ({ count }) => `Rejected rows (${count}):`,
    table_header: { line: 'line', column: 'column', value: 'value', reason: 'reason' },
    first_at_line: ({ line }) => `First at line ${line}.`,
    more_rejected: ({ shown, count, file }) => `Showing the first ${shown} of ${count} rejected rows; all of them are in ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}: ${rows} rows read (${percent}%)`,
    cannot_read: ({ file, reason }) => `Cannot read ${file}: ${reason}`,
    not_csv: {
      quote: ({ line }) => `The file is not valid CSV at line ${line}: a quote opens a cell and is not closed where the cell ends, so the rows after it cannot be told apart. Nothing was imported.`,
      row_too_long: ({ line, bytes_max }) => `The file is not valid CSV at line ${line}: the row is longer than ${bytes_max} bytes (most likely a quote that is never closed). Nothing was imported.`,
      other: ({ line }) => `The file is not valid CSV at line ${line}. Nothing was imported.`,
    },
    dry_run: 'Dry run: nothing was written.',
  },
  ru: {
    rejected_heading: ({ count }) => `Отклонённые строки (${count}):`,
    table_header: { line: 'строка', column: 'столбец', value: 'значение', reason: 'причина' },
    first_at_line: ({ line }) => `Впервые в строке ${line}.`,
    more_rejected: ({ shown, count, file }) => `Показаны первые ${shown} из ${count} отклонённых строк; полный список в ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}: прочитано строк: ${rows} (${percent}%)`,
    cannot_read: ({ file, reason }) => `Не удаётся прочитать ${file}: ${reason}`,
    not_csv: {
      quote: ({ line }) => `Файл не является корректным CSV в строке ${line}: кавычка открывает ячейку и не закрывается там, где ячейка кончается, поэтому следующие строки невозможно отделить друг от друга. Ничего не импортировано.`,
      row_too_long: ({ line, bytes_max }) => `Файл не является корректным CSV в строке ${line}: строка длиннее ${bytes_max} байт (скорее всего, не закрыта кавычка). Ничего не импортировано.`,
      other: ({ line }) => `Файл не является корректным CSV в строке ${line}. Ничего не импортировано.`,
    },
    dry_run: 'Пробный запуск: ничего не записано.',
  },
  'zh-Hans': {
    rejected_heading: ({ count }) => `被拒绝的行（${count}）：`,
    table_header: { line: '行', column: '列', value: '值', reason: '原因' },
    first_at_line: ({ line }) => `首次出现在第${line}行。`,
    more_rejected: ({ shown, count, file }) => `仅显示${count}个被拒绝行中的前${shown}个；完整列表见 ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}：已读取${rows}行（${percent}%）`,
    cannot_read: ({ file, reason }) => `无法读取 ${file}：${reason}`,
    not_csv: {
      quote: ({ line }) => `文件在第${line}行不是有效的CSV：引号开启了一个单元格，却没有在单元格结束处闭合，因此无法分辨其后的各行。未导入任何内容。`,
      row_too_long: ({ line, bytes_max }) => `文件在第${line}行不是有效的CSV：该行超过${bytes_max}字节（很可能是引号未闭合）。未导入任何内容。`,
      other: ({ line }) => `文件在第${line}行不是有效的CSV。未导入任何内容。`,
    },
    dry_run: '试运行：未写入任何内容。',
  },
  'zh-Hant': {
    rejected_heading: ({ count }) => `被拒絕的列（${count}）：`,
    table_header: { line: '列號', column: '欄', value: '值', reason: '原因' },
    first_at_line: ({ line }) => `首次出現在第${line}列。`,
    more_rejected: ({ shown, count, file }) => `僅顯示${count}個被拒絕列中的前${shown}個；完整清單見 ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}：已讀取${rows}列（${percent}%）`,
    cannot_read: ({ file, reason }) => `無法讀取 ${file}：${reason}`,
    not_csv: {
      quote: ({ line }) => `檔案在第${line}列不是有效的CSV：引號開啟了一個儲存格，卻沒有在儲存格結束處閉合，因此無法分辨其後的各列。未匯入任何內容。`,
      row_too_long: ({ line, bytes_max }) => `檔案在第${line}列不是有效的CSV：該列超過${bytes_max}位元組（很可能是引號未閉合）。未匯入任何內容。`,
      other: ({ line }) => `檔案在第${line}列不是有效的CSV。未匯入任何內容。`,
    },
    dry_run: '試執行：未寫入任何內容。',
  },
};

export function importTexts(language: Language): ImportTexts {
  return TEXTS[language];
}

/** `roamcard <name>`: found when another command file registered the group first, created otherwise. */
export function commandGroup(program: Command, name: string, description: string): Command {
  return program.commands.find((command) => command.name() === name) ?? program.command(name).description(description);
}

export function languageOption(): Option {
  return new Option('--lang <language>', 'language of the messages: zh-Hans, zh-Hant, ru or en (default: ROAMCARD_LANG, then LANG, then en)')
    .argParser((value: string) => {
      if (!normalizeLanguage(value)) throw new InvalidArgumentError('use zh-Hans, zh-Hant, ru or en');
      return value;
    });
}

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

/** One line for the operator on stdout; whatever came from a file in it is shown, never obeyed. */
export function printLine(text: string): void {
  console.log(terminalSafe(text));
}

/** The same, on stderr (refusals, progress). */
export function printErrorLine(text: string): void {
  console.error(terminalSafe(text));
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
export async function runCsvImport<Summary extends { readonly rejected: number }>(file_path: string, language: Language, steps: CsvImport<Summary>): Promise<void> {
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
async function openForImport(file_path: string, language: Language, checkColumns: (columns: readonly string[]) => void): Promise<CsvSource | undefined> {
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

type CsvSyntaxProblem = 'quote' | 'row_too_long' | 'other';

/** The file is not CSV from `line_number` on: it is refused as a whole, before any row is applied. */
export class CsvSyntaxError extends Error {
  readonly line_number: number;
  readonly problem: CsvSyntaxProblem;

  constructor(line_number: number, problem: CsvSyntaxProblem, cause: CsvError) {
    super(`not CSV at line ${line_number}: ${cause.code}`, { cause });
    this.name = 'CsvSyntaxError';
    this.line_number = line_number;
    this.problem = problem;
  }
}

/** What both readings of a file share; each adds how it treats quotes and errors. */
function parserOptions(delimiter: CsvDelimiter): Options {
  return {
    bom: true,
    delimiter,
    info: true,
    // A short or long row is that row's problem, reported with its line, not the file's.
    relax_column_count: true,
    skip_empty_lines: true,
    max_record_size: CSV_RECORD_BYTES_MAX,
  };
}

/**
 * Opens a CSV file: reads it once to prove it is CSV (checkCsvSyntax), then reads its header; the
 * rows are read as `records` is iterated.
 */
export async function openCsvFile(file_path: string): Promise<CsvSource> {
  const { size: bytes_total } = await stat(file_path);
  const delimiter = detectDelimiter(await readStart(file_path));
  await checkCsvSyntax(file_path, delimiter);
  const broken: BrokenRow = {};
  const stream = createReadStream(file_path);
  const parser = stream.pipe(parse({
    ...parserOptions(delimiter),
    // Quotes inside unquoted cells (`8970"1`, `ООО "Ромашка"`) are kept as text rather than failing
    // the row. The same option lets a quoted cell "close" in the middle of a later row and swallow
    // the rows in between: checkCsvSyntax has refused every file where that would happen.
    relax_quotes: true,
    skip_records_with_empty_values: true,
    // Not for skipping: a thrown error would destroy the stream and drop the rows parsed before it
    // but not yet read. Noted here, the error is reported in its place after those rows. After
    // checkCsvSyntax this happens only if the file changed in between; the row then says that the
    // rest of the file was not read.
    skip_records_with_error: true,
    on_skip: (error) => {
      broken.error ??= error;
      return undefined;
    },
  }));
  const close = () => {
    parser.destroy();
    stream.destroy();
  };
  try {
    const reader = new CsvReader(parser, broken);
    const columns = await reader.header();
    return { file_path, delimiter, columns, bytes_total, bytes_read: () => reader.bytes_read, records: reader.records(columns, close), close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * Reads the whole file once, strictly, before any row is applied, and throws CsvSyntaxError at the
 * first place where csv-parse cannot tell where a row ends: a quote that opens a cell and never
 * closes (it would swallow the rest of the file), one that closes in the middle of a later row (read
 * leniently, every row in between would silently become part of one cell), or a row beyond
 * CSV_RECORD_BYTES_MAX.
 *
 * Why refuse the file rather than reject the row: past such a quote no reader can know where the
 * next row starts, so "reject this row and read on" would be a guess; and stopping there after
 * importing the rows before it would leave a half-imported file behind an exit code that says "some
 * rows were rejected, the others imported". A file refused whole is fixed once and imported again.
 * The price is one more parse of the file, with no database work: measured 1–2 s for 100,000 SIM
 * rows on the 2-core development machine, where importing them takes about 14 s.
 *
 * A quote inside an unquoted cell (`8970"1`) is no syntax problem: the import keeps it as text, the
 * row is judged on its values, and the rows after it are read as usual.
 */
async function checkCsvSyntax(file_path: string, delimiter: CsvDelimiter): Promise<void> {
  const lines = new LineCounter();
  let refusal: CsvSyntaxError | undefined;
  const parser = createReadStream(file_path).pipe(parse({
    ...parserOptions(delimiter),
    relax_quotes: false,
    // on_record is given the bare record; the counters come as its second argument.
    info: false,
    // Rows of empty cells are counted like any other, so that the line numbers stay right.
    skip_records_with_empty_values: false,
    skip_records_with_error: true,
    on_record: (record, info) => {
      lines.recordEnded(record as string[], info);
      return null; // nothing is kept: this reading only looks for where every row ends
    },
    on_skip: (error) => {
      if (error === undefined) return;
      if (error.code === 'INVALID_OPENING_QUOTE') {
        lines.quoteInsideCell(errorLine(error, 'lines'));
        return;
      }
      refusal = new CsvSyntaxError(lines.nextRowLine(errorLine(error, 'empty_lines')), syntaxProblem(error), error);
      throw refusal; // stops the reading: nothing after this point can be trusted
    },
  }));
  try {
    for await (const _ of parser) {
      // on_record keeps nothing, so nothing arrives here.
    }
  } catch (error) {
    throw refusal ?? error;
  }
}

/** csv-parse copies its counters onto the error object. */
function errorLine(error: CsvError, counter: 'lines' | 'empty_lines'): number {
  const value = (error as unknown as Record<string, unknown>)[counter];
  return typeof value === 'number' ? value : 0;
}

function syntaxProblem(error: CsvError): CsvSyntaxProblem {
  if (error.code === 'CSV_QUOTE_NOT_CLOSED' || error.code === 'CSV_INVALID_CLOSING_QUOTE') return 'quote';
  return error.code === 'CSV_MAX_RECORD_SIZE' ? 'row_too_long' : 'other';
}

/**
 * Physical lines for checkCsvSyntax, from csv-parse's counters: it counts a CRLF inside a quoted cell
 * as two lines, and the empty lines it skips separately; both are corrected here.
 */
class LineCounter {
  #last_end_line = 0;
  #crlf_overcount = 0;
  #empty_lines = 0;

  recordEnded(record: readonly string[], info: { lines: number; empty_lines: number }): void {
    this.#crlf_overcount += countMatches(record, /\r\n/g);
    this.#last_end_line = info.lines - this.#crlf_overcount;
    this.#empty_lines = info.empty_lines;
  }

  /** A row skipped for a quote inside a cell ends on the quote's line (unless a later cell spans lines). */
  quoteInsideCell(line: number): void {
    this.#last_end_line = Math.max(this.#last_end_line, line - this.#crlf_overcount);
  }

  /** Where the row after the last one read starts, past any empty lines in between. */
  nextRowLine(empty_lines_now: number): number {
    return this.#last_end_line + 1 + Math.max(0, empty_lines_now - this.#empty_lines);
  }
}

async function readStart(file_path: string): Promise<string> {
  const handle = await open(file_path, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Russian Excel writes semicolons (the comma is its decimal mark); the header line tells which. */
export function detectDelimiter(file_start: string): ',' | ';' {
  const header = file_start.replace(/^\ufeff/, '').split(/\r?\n|\r/, 1)[0] ?? '';
  const outside_quotes = header.replace(/"[^"]*"/g, '');
  const count = (character: string) => outside_quotes.split(character).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

type ParsedRow = { record: string[]; info: { lines: number; bytes: number } };
/** The first row csv-parse could not parse; `records` counts the rows (header included) before it. */
type BrokenRow = { error?: CsvError | undefined };

/**
 * Streams rows with their physical line numbers. csv-parse reports the line where a row *ends*, and
 * counts a CRLF inside a quoted cell as two lines; both are corrected here, so a report's "line 7" is
 * the line an editor shows as 7. After a row that is not CSV (an unclosed quote, a row beyond
 * CSV_RECORD_BYTES_MAX) csv-parse cannot find the next row: reading stops there, and says so.
 */
class CsvReader {
  readonly #iterator: AsyncIterator<ParsedRow>;
  readonly #broken: BrokenRow;
  #rows_read = 0;
  #crlf_overcount = 0;
  #last_end_line = 1;
  bytes_read = 0;

  constructor(parser: Parser, broken: BrokenRow) {
    this.#iterator = (parser as AsyncIterable<ParsedRow>)[Symbol.asyncIterator]();
    this.#broken = broken;
  }

  async header(): Promise<string[]> {
    const first = await this.#next();
    if (first === 'broken') throw new RoamError('ROAM_ERR_VALIDATION', { field: 'file', reason: 'csv_syntax' });
    if (first === 'done') throw new RoamError('ROAM_ERR_VALIDATION', { field: 'file', reason: 'empty' });
    this.#track(first);
    const columns = first.record.map((name) => name.trim().toLowerCase());
    const seen = new Set<string>();
    for (const column of columns) {
      if (column !== '' && seen.has(column)) throw new RoamError('ROAM_ERR_VALIDATION', { field: column, reason: 'duplicate_in_file' });
      seen.add(column);
    }
    return columns;
  }

  async *records(columns: readonly string[], close: () => void): AsyncGenerator<CsvRecord> {
    try {
      for (;;) {
        const next = await this.#next();
        if (next === 'done') return;
        if (next === 'broken') {
          yield { line_number: this.#last_end_line + 1, values: {}, problem: 'csv_syntax' };
          return;
        }
        const line_number = this.#track(next);
        yield toRecord(next.record, columns, line_number);
      }
    } finally {
      close();
    }
  }

  /** The next row; 'broken' once the rows before the unparseable one have all been read. */
  async #next(): Promise<ParsedRow | 'done' | 'broken'> {
    if (this.#brokenHere()) return 'broken';
    let next: IteratorResult<ParsedRow>;
    try {
      next = await this.#iterator.next();
    } catch (error) {
      if (error instanceof CsvError) return 'broken';
      throw error;
    }
    if (this.#brokenHere() || (next.done && this.#broken.error)) return 'broken';
    if (next.done) return 'done';
    this.#rows_read += 1;
    return next.value;
  }

  #brokenHere(): boolean {
    const error = this.#broken.error;
    return error !== undefined && this.#rows_read >= Number((error as { records?: number }).records ?? 0);
  }

  /** Updates the counters for one parsed row; returns the physical line where it starts. */
  #track({ record, info }: ParsedRow): number {
    const crlf_inside = countMatches(record, /\r\n/g);
    const breaks_inside = countMatches(record, /\r\n|\r|\n/g);
    const end_line = info.lines - this.#crlf_overcount - crlf_inside;
    this.#crlf_overcount += crlf_inside;
    this.#last_end_line = end_line;
    this.bytes_read = info.bytes;
    return end_line - breaks_inside;
  }
}

function countMatches(cells: readonly string[], pattern: RegExp): number {
  let count = 0;
  for (const cell of cells) count += cell.match(pattern)?.length ?? 0;
  return count;
}

function toRecord(cells: readonly string[], columns: readonly string[], line_number: number): CsvRecord {
  const values: Record<string, string> = {};
  let extra_cells = false;
  cells.forEach((cell, index) => {
    const column = columns[index];
    if (column === undefined) extra_cells ||= cell.trim() !== '';
    else if (column !== '') values[column] = cell.trim();
  });
  return extra_cells ? { line_number, values, problem: 'column_count' } : { line_number, values };
}

export interface ImportProgress {
  update(rows_read: number): void;
  stop(): void;
}

/**
 * A byte-based bar on stderr for a large file on a terminal; without a terminal, a short line every
 * PROGRESS_LINE_EVERY_ROWS rows (no carriage returns or escape codes in CI logs).
 */
export function startProgress(source: CsvSource, language: Language): ImportProgress {
  const file = path.basename(source.file_path);
  if (process.stderr.isTTY && source.bytes_total >= PROGRESS_BAR_FILE_BYTES_MIN) {
    const bar = new cliProgress.SingleBar({
      stream: process.stderr,
      // The name goes in as a value, not into the format, where `{bar}` in a file name would be read.
      format: '{file} [{bar}] {percentage}% | {rows} | {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(source.bytes_total, 0, { rows: 0, file: terminalSafe(file) });
    return {
      update: (rows) => bar.update(source.bytes_read(), { rows }),
      stop: () => bar.stop(),
    };
  }
  if (process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  let lines_printed = 0;
  return {
    update: (rows) => {
      if (Math.floor(rows / PROGRESS_LINE_EVERY_ROWS) <= lines_printed) return;
      lines_printed = Math.floor(rows / PROGRESS_LINE_EVERY_ROWS);
      const percent = source.bytes_total === 0 ? 100 : Math.floor((source.bytes_read() / source.bytes_total) * 100);
      printErrorLine(importTexts(language).progress_line({ file, rows, percent }));
    },
    stop: () => undefined,
  };
}

export interface RejectedRowReport {
  readonly line_number: number;
  readonly column: string;
  readonly value: string;
  readonly error: RoamError;
}

/** FILE.csv → FILE.rejected.csv (any other name gets ".rejected.csv" appended). */
export function rejectedFilePath(file_path: string): string {
  return /\.csv$/i.test(file_path) ? file_path.replace(/\.csv$/i, '.rejected.csv') : `${file_path}.rejected.csv`;
}

/** A cell's value as shown: phone numbers masked, long values cut. */
export function shownValue(column: string, value: string): string {
  if (!PHONE_COLUMNS.has(column)) return value;
  const phone = parseMsisdn(value);
  if (phone.ok) return maskMsisdn(phone.msisdn);
  // Not a valid number, but still maybe someone's: keep only the first two and last two digits.
  const digits_total = value.replace(/\D/g, '').length;
  let digit_index = 0;
  return value.replace(/\d/g, (digit) => {
    digit_index += 1;
    return digits_total <= 4 || digit_index <= 2 || digit_index > digits_total - 2 ? digit : '*';
  });
}

/** The localized reason, with the masked value in place of the raw one and phone numbers masked. */
export function rejectionReason(row: RejectedRowReport, language: Language): string {
  const { error } = row;
  const value = error.params.value === undefined ? {} : { value: shownValue(row.column, error.params.value) };
  const reason = describeError(new RoamError(error.code, { ...error.params, ...value }), language);
  const first = error.params.line === undefined ? '' : ` ${importTexts(language).first_at_line({ line: error.params.line })}`;
  return maskPhoneNumbersInText(reason + first);
}

/**
 * Collects rejected rows: the first REJECTED_SHOWN_MAX for the terminal; once there are more, every
 * row goes to FILE.rejected.csv as well, written in chunks, so memory stays bounded on any file.
 */
export class RejectionReport {
  readonly #language: Language;
  readonly #delimiter: CsvDelimiter;
  readonly #file_path: string;
  readonly #shown: Array<{ line: string; column: string; value: string; reason: string }> = [];
  #pending_lines: string[] = [];
  #file_descriptor: number | null = null;
  #count = 0;

  constructor(source: Pick<CsvSource, 'file_path' | 'delimiter'>, language: Language) {
    this.#language = language;
    this.#delimiter = source.delimiter;
    this.#file_path = rejectedFilePath(source.file_path);
  }

  get count(): number {
    return this.#count;
  }

  add(row: RejectedRowReport): void {
    this.#count += 1;
    const cells = { line: String(row.line_number), column: row.column, value: shownValue(row.column, row.value), reason: rejectionReason(row, this.#language) };
    if (this.#shown.length < REJECTED_SHOWN_MAX) this.#shown.push(cells);
    else if (this.#file_descriptor === null) this.#openFile();
    this.#pending_lines.push(csvRow([cells.line, cells.column, cells.value, cells.reason], this.#delimiter));
    if (this.#pending_lines.length >= REJECTED_FILE_FLUSH_ROWS) this.#flush();
  }

  /** Prints the rejected rows (at most REJECTED_SHOWN_MAX) and closes the file, if one was written. */
  finish(): void {
    const written = this.#file_descriptor !== null;
    if (written) {
      this.#flush();
      closeSync(this.#file_descriptor as number);
      this.#file_descriptor = null;
    } else {
      // A list from an earlier run would now describe rows that are no longer rejected.
      rmSync(this.#file_path, { force: true });
    }
    if (this.#count === 0) return;
    const texts = importTexts(this.#language);
    printLine('');
    printLine(texts.rejected_heading({ count: this.#count }));
    printLine(this.#tableLine(texts.table_header));
    for (const cells of this.#shown) this.#printRow(cells);
    if (written) printLine(texts.more_rejected({ shown: this.#shown.length, count: this.#count, file: this.#file_path }));
  }

  /** Each cell made safe before padding, so that the escapes count in the widths. */
  #printRow(cells: { line: string; column: string; value: string; reason: string }): void {
    const value = cells.value.length > VALUE_SHOWN_CHARS_MAX ? `${[...cells.value].slice(0, VALUE_SHOWN_CHARS_MAX - 1).join('')}…` : cells.value;
    printLine(this.#tableLine({ line: cells.line, column: terminalSafe(cells.column), value: terminalSafe(value), reason: terminalSafe(cells.reason) }));
  }

  #tableLine(cells: { line: string; column: string; value: string; reason: string }): string {
    return `  ${cells.line.padStart(7)}  ${cells.column.padEnd(21)} ${cells.value.padEnd(25)} ${cells.reason}`;
  }

  #openFile(): void {
    this.#file_descriptor = openSync(this.#file_path, 'w');
    // A BOM so that Excel reads the Cyrillic and Chinese reasons as UTF-8.
    writeSync(this.#file_descriptor, `\ufeff${csvRow(['line', 'column', 'value', 'reason'], this.#delimiter)}`);
  }

  #flush(): void {
    // Before the file is opened, pending holds at most REJECTED_SHOWN_MAX lines: written when it opens.
    if (this.#file_descriptor === null || this.#pending_lines.length === 0) return;
    writeSync(this.#file_descriptor, this.#pending_lines.join(''));
    this.#pending_lines = [];
  }
}
