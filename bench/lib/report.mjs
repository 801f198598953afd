import { mkdirSync, writeFileSync } from 'node:fs';
import { round } from './timing.mjs';

export const RESULTS_FOLDER = new URL('../results/', import.meta.url);

/**
 * One figure as the JSON shape has it. `ratio` is value / baseline (for a latency, above 1
 * is worse; for a rate, below 1 is worse); `met` is null when a target does not apply or could
 * not be judged in this run. `details` carries the figures behind it (p50/p99, sizes, counts).
 */
export function scenarioRow({ name, value, unit, baseline = null, target, met, details = {} }) {
  const ratio = baseline === null || baseline === 0 || value === null ? null : round(value / baseline, 3);
  return {
    name, value: round(value, value !== null && Math.abs(value) < 100 ? 2 : 0), unit,
    baseline: round(baseline, baseline !== null && Math.abs(baseline) < 100 ? 2 : 0), ratio, target, met, details,
  };
}

/** The row of a scenario that could not run: no figure, and the reason. */
export function failedRow(name, error) {
  return {
    name, value: null, unit: null, baseline: null, ratio: null, target: null, met: null,
    details: { error: String(error?.message ?? error) },
  };
}

const COLUMNS = [
  ['scenario', (row) => row.name],
  ['value', (row) => format(row.value)],
  ['unit', (row) => row.unit ?? ''],
  ['baseline', (row) => format(row.baseline)],
  ['ratio', (row) => (row.ratio === null ? '—' : row.ratio.toFixed(2))],
  ['target', (row) => row.target ?? ''],
  ['met', (row) => (row.details?.error ? 'FAILED' : row.met === null ? '—' : row.met ? 'yes' : 'no')],
];

function format(value) {
  if (value === null || value === undefined) return '—';
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : String(value);
}

export function renderTable(rows) {
  const cells = rows.map((row) => COLUMNS.map(([, cell]) => cell(row)));
  const widths = COLUMNS.map(([title], index) => Math.max(title.length, ...cells.map((line) => line[index].length)));
  const line = (values) => values.map((value, index) => (index === 1 || index === 3 || index === 4 ? value.padStart(widths[index]) : value.padEnd(widths[index]))).join('  ');
  return [line(COLUMNS.map(([title]) => title)), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.map(line)].join('\n');
}

/** Writes bench/results/<timestamp>.json and bench/results/latest.json; returns the first path. */
export function writeResults(report) {
  mkdirSync(RESULTS_FOLDER, { recursive: true });
  const stamp = report.started_at.replace(/[:.]/g, '-');
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const file = new URL(`${stamp}-${report.db}.json`, RESULTS_FOLDER);
  writeFileSync(file, text);
  writeFileSync(new URL('latest.json', RESULTS_FOLDER), text);
  return file.pathname;
}
