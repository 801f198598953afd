import { terminalSafe } from '../../core/terminal-text.js';

/**
 * Everything the import commands print goes through these two, so nothing that came from a file
 * (a cell, a file name) can drive the operator's terminal.
 */

/** One line for the operator on stdout; whatever came from a file in it is shown, never obeyed. */
export function printLine(text: string): void {
  console.log(terminalSafe(text));
}

/** The same, on stderr (refusals, progress). */
export function printErrorLine(text: string): void {
  console.error(terminalSafe(text));
}
