import { closeSync, createReadStream, openSync, rmSync, writeSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CsvError, parse, type Parser } from 'csv-parse';
import { RoamError, isRoamError } from '../../core/errors.js';
import { describeError } from '../../core/i18n/format.js';
import { normalizeLanguage, type Language } from '../../core/i18n/languages.js';
import { maskMsisdn, maskPhoneNumbersInText, parseMsisdn } from '../../core/phone.js';

/**
 * What the CSV import commands (`sims import`, `usage import`) share: opening a file whatever
 * spreadsheet wrote it (UTF-8 BOM, CRLF, comma or semicolon), streaming its rows with their physical
 * line numbers, a progress display that never litters CI logs, and the report of rejected rows.
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
    dry_run: 'Dry run: nothing was written.',
  },
  ru: {
    rejected_heading: ({ count }) => `Отклонённые строки (${count}):`,
    table_header: { line: 'строка', column: 'столбец', value: 'значение', reason: 'причина' },
    first_at_line: ({ line }) => `Впервые в строке ${line}.`,
    more_rejected: ({ shown, count, file }) => `Показаны первые ${shown} из ${count} отклонённых строк; полный список в ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}: прочитано строк: ${rows} (${percent}%)`,
    cannot_read: ({ file, reason }) => `Не удаётся прочитать ${file}: ${reason}`,
    dry_run: 'Пробный запуск: ничего не записано.',
  },
  'zh-Hans': {
    rejected_heading: ({ count }) => `被拒绝的行（${count}）：`,
    table_header: { line: '行', column: '列', value: '值', reason: '原因' },
    first_at_line: ({ line }) => `首次出现在第${line}行。`,
    more_rejected: ({ shown, count, file }) => `仅显示${count}个被拒绝行中的前${shown}个；完整列表见 ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}：已读取${rows}行（${percent}%）`,
    cannot_read: ({ file, reason }) => `无法读取 ${file}：${reason}`,
    dry_run: '试运行：未写入任何内容。',
  },
  'zh-Hant': {
    rejected_heading: ({ count }) => `被拒絕的列（${count}）：`,
    table_header: { line: '列號', column: '欄', value: '值', reason: '原因' },
    first_at_line: ({ line }) => `首次出現在第${line}列。`,
    more_rejected: ({ shown, count, file }) => `僅顯示${count}個被拒絕列中的前${shown}個；完整清單見 ${file}`,
    progress_line: ({ file, rows, percent }) => `${file}：已讀取${rows}列（${percent}%）`,
    cannot_read: ({ file, reason }) => `無法讀取 ${file}：${reason}`,
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
    `  ${EXIT_CODE_FILE_REFUSED}  the file was refused as a whole (unreadable, or a required column is missing): nothing was imported`,
    `  ${EXIT_CODE_ROWS_REJECTED}  some rows were rejected; the others were imported. The rejected rows are listed (at most ${REJECTED_SHOWN_MAX};`,
    '     beyond that all of them are written to FILE.rejected.csv beside the file)',
    '',
    'The file: CSV with a header row (names case-insensitive), comma or semicolon separated, UTF-8 with or',
    'without BOM, LF or CRLF line ends. Line numbers in reports are the file\'s own (the header is line 1).',
  ].join('\n');
}

/** The file's refusal, localized, on stderr; the command then exits with EXIT_CODE_FILE_REFUSED. */
export function refuseFile(file_path: string, error: unknown, language: Language): void {
  if (isRoamError(error)) console.error(`${file_path}: ${describeError(error, language)}`);
  else {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(importTexts(language).cannot_read({ file: file_path, reason }));
  }
  process.exitCode = EXIT_CODE_FILE_REFUSED;
}

/** Opens a CSV file and reads its header; the rows are read as `records` is iterated. */
export async function openCsvFile(file_path: string): Promise<CsvSource> {
  const { size: bytes_total } = await stat(file_path);
  const delimiter = detectDelimiter(await readStart(file_path));
  const broken: BrokenRow = {};
  const stream = createReadStream(file_path);
  const parser = stream.pipe(parse({
    bom: true,
    delimiter,
    info: true,
    // Quotes inside unquoted cells (`8970"1`) are kept as text rather than failing the rest of the file.
    relax_quotes: true,
    // A short or long row is that row's problem, reported with its line, not the file's.
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    max_record_size: CSV_RECORD_BYTES_MAX,
    // Not for skipping: a thrown error would destroy the stream and drop the rows parsed before it
    // but not yet read. Noted here, the error is reported in its place after those rows.
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
      format: `${file} [{bar}] {percentage}% | {rows} | {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    }, cliProgress.Presets.shades_classic);
    bar.start(source.bytes_total, 0, { rows: 0 });
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
      console.error(importTexts(language).progress_line({ file, rows, percent }));
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

/** A cell's line breaks would break the table, and its control characters could drive the terminal. */
function printable(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '↵').replace(/\p{Cc}/gu, '\ufffd');
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
  readonly #delimiter: string;
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
    this.#pending_lines.push(this.#csvLine([cells.line, cells.column, cells.value, cells.reason]));
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
    console.log('');
    console.log(texts.rejected_heading({ count: this.#count }));
    console.log(this.#tableLine(texts.table_header));
    for (const cells of this.#shown) this.#printRow(cells);
    if (written) console.log(texts.more_rejected({ shown: this.#shown.length, count: this.#count, file: this.#file_path }));
  }

  #printRow(cells: { line: string; column: string; value: string; reason: string }): void {
    const value = printable(cells.value.length > VALUE_SHOWN_CHARS_MAX ? `${cells.value.slice(0, VALUE_SHOWN_CHARS_MAX - 1)}…` : cells.value);
    console.log(this.#tableLine({ ...cells, value, reason: printable(cells.reason) }));
  }

  #tableLine(cells: { line: string; column: string; value: string; reason: string }): string {
    return `  ${cells.line.padStart(7)}  ${cells.column.padEnd(21)} ${cells.value.padEnd(25)} ${cells.reason}`;
  }

  #openFile(): void {
    this.#file_descriptor = openSync(this.#file_path, 'w');
    // A BOM so that Excel reads the Cyrillic and Chinese reasons as UTF-8.
    writeSync(this.#file_descriptor, `\ufeff${this.#csvLine(['line', 'column', 'value', 'reason'])}`);
  }

  #flush(): void {
    // Before the file is opened, pending holds at most REJECTED_SHOWN_MAX lines: written when it opens.
    if (this.#file_descriptor === null || this.#pending_lines.length === 0) return;
    writeSync(this.#file_descriptor, this.#pending_lines.join(''));
    this.#pending_lines = [];
  }

  #csvLine(cells: readonly string[]): string {
    return `${cells.map((cell) => (/["\r\n;,]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(this.#delimiter)}\r\n`;
  }
}
