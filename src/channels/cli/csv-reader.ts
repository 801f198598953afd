import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { CsvError, parse, type Options, type Parser } from 'csv-parse';
import type { CsvDelimiter } from '../../core/csv-writer.js';
import { RoamError } from '../../core/errors.js';

/**
 * Reading a CSV file for the import commands: opening it whatever spreadsheet wrote it (UTF-8 BOM,
 * CRLF, comma or semicolon), refusing it whole when it is not CSV, and streaming its rows with their
 * physical line numbers.
 */

/** A row longer than this is not a row: most likely an unclosed quote swallowing the file. */
export const CSV_RECORD_BYTES_MAX = 65_536;
/** Enough of the file's start to hold its header line, to tell commas from semicolons. */
const HEADER_SNIFF_BYTES = 65_536;

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

export type CsvSyntaxProblem = 'quote' | 'row_too_long' | 'other';

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
    return {
      file_path, delimiter, columns, bytes_total, bytes_read: () => reader.bytes_read, records: reader.records(columns, close), close,
    };
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
