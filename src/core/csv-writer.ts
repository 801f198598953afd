/**
 * Every CSV file roamcard writes goes through here (rejection reports today; registries and exports
 * later), because the people who read them open them in a spreadsheet, and a spreadsheet runs a cell
 * that looks like a formula. A cell from a supplier's file such as `=HYPERLINK("http://x","y")`
 * would become a live link, `=cmd|'/c calc'!A1` a DDE call. Two rules, RFC 4180 and OWASP
 * "CSV Injection":
 * - a field that a spreadsheet would read as a formula gets a leading `'` (shown as text, and
 *   visible in a plain-text reader: the lesser evil) and is always quoted;
 * - a field holding a quote, a separator (comma or semicolon, whichever the reader guesses) or a line
 *   break is quoted, its quotes doubled.
 * Written by hand rather than with a CSV library: the libraries quote correctly but none of them
 * neutralises formulas by default, and these ten lines are the whole of it.
 */

export type CsvDelimiter = ',' | ';';

/**
 * What makes a cell a formula, per OWASP: `=`, `+`, `-`, `@`, tab, carriage return; NUL per OWASP
 * ASVS 5.0 (1.2.10). A plain negative number (`-1`) is prefixed too: these files are reports for
 * people, and a spreadsheet cannot tell `-1` from `-1+cmd|…`. Leading spaces do not hide a trigger:
 * some readers trim cells on import before deciding what a cell is.
 */
const FORMULA_START = /^[ ]*[=+\-@\t\r\0]/;
/** Characters that would end the field early, or start a new cell or row, in any reader. */
const NEEDS_QUOTES = /["\r\n,;]/;

export function csvField(value: string): string {
  const neutralised = FORMULA_START.test(value);
  const text = neutralised ? `'${value}` : value;
  return neutralised || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated (RFC 4180; Excel expects it). */
export function csvRow(cells: readonly string[], delimiter: CsvDelimiter = ','): string {
  return `${cells.map(csvField).join(delimiter)}\r\n`;
}
