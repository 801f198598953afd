import path from 'node:path';
import cliProgress from 'cli-progress';
import type { Language } from '../../core/i18n/languages.js';
import { terminalSafe } from '../../core/terminal-text.js';
import type { CsvSource } from './csv-reader.js';
import { importTexts } from './import-texts.js';
import { printErrorLine } from './terminal-output.js';

/** Smaller files finish before a bar would be worth drawing. */
export const PROGRESS_BAR_FILE_BYTES_MIN = 1_048_576;
/** Without a terminal (CI, cron, a pipe): one short line per this many rows, nothing in between. */
export const PROGRESS_LINE_EVERY_ROWS = 25_000;

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
