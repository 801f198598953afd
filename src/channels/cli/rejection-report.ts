import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { csvRow, type CsvDelimiter } from '../../core/csv-writer.js';
import { RoamError } from '../../core/errors.js';
import { describeError } from '../../core/i18n/format.js';
import type { Language } from '../../core/i18n/languages.js';
import { maskMsisdn, maskPhoneNumbersInText, parseMsisdn } from '../../core/phone.js';
import { terminalSafe } from '../../core/terminal-text.js';
import type { CsvSource } from './csv-reader.js';
import { importTexts } from './import-texts.js';
import { printLine } from './terminal-output.js';

/** Rejected rows shown in the terminal; beyond this the full list goes to FILE.rejected.csv. */
export const REJECTED_SHOWN_MAX = 50;
/** Rejected rows are appended to the .rejected.csv file in chunks of this many. */
const REJECTED_FILE_FLUSH_ROWS = 1_000;
/** A long eSIM code or a garbage cell would push the reason off the screen. */
const VALUE_SHOWN_CHARS_MAX = 40;
/** Columns that hold phone numbers: masked wherever a row is shown or written (personal data). */
const PHONE_COLUMNS = new Set(['msisdn', 'contact_phone', 'phone']);

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
    const cells = {
      line: String(row.line_number), column: row.column, value: shownValue(row.column, row.value),
      reason: rejectionReason(row, this.#language),
    };
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
    printLine(this.#tableLine({
      line: cells.line, column: terminalSafe(cells.column), value: terminalSafe(value), reason: terminalSafe(cells.reason),
    }));
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
