import path from 'node:path';
import type { Command } from 'commander';
import type { Language } from '../../../core/i18n/languages.js';
import { checkSimColumns, importSims, type SimImportSummary } from '../../../services/sims/import-sims.js';
import { commandGroup, languageOption } from '../command-options.js';
import { exitCodesHelp, runCsvImport } from '../import-runner.js';
import { importTexts } from '../import-texts.js';
import { printLine } from '../terminal-output.js';
import { terminalLanguage } from '../run-command.js';

interface SimsImportOptions {
  readonly lang?: string;
  readonly dryRun?: boolean;
}

const COLUMNS_HELP = `
Columns: iccid, imsi, msisdn (required); form_factor (nano or esim, default nano);
esim_activation_code (required for esim, e.g. LPA:1$smdp.example.com$K2-1ABC2-3DEF4).
Spaces and dashes inside numbers are accepted ("8970 1990 …", "+7 900 123-45-67").
A row already in inventory with the same data is "unchanged": importing a file twice changes nothing.`;

export function registerSimsCommand(program: Command): void {
  commandGroup(program, 'sims', 'SIM inventory')
    .command('import')
    .argument('<file>', 'CSV file of SIMs, one per row')
    .description('add SIMs to inventory from a CSV file; bad rows are rejected with their line and reason, the rest imported')
    .addOption(languageOption())
    .option('--dry-run', 'check every row against the rules and the inventory, but write nothing')
    .addHelpText('after', `${COLUMNS_HELP}\n${exitCodesHelp()}`)
    .action((file: string, options: SimsImportOptions) => runSimsImport(file, options));
}

function runSimsImport(file_path: string, options: SimsImportOptions): Promise<void> {
  const language = terminalLanguage(options.lang);
  return runCsvImport(file_path, language, {
    checkColumns: checkSimColumns,
    importRows: (source, { database, services }, hooks) =>
      importSims(database, source, { clock: services.clock, dry_run: options.dryRun ?? false, ...hooks }),
    printSummary: (summary) => printSummary(file_path, summary, language),
  });
}

interface SimsTexts {
  rows_read: (p: { file: string; rows: number }) => string;
  imported: string;
  would_import: string;
  unchanged: string;
  rejected: string;
}

const TEXTS: Readonly<Record<Language, SimsTexts>> = {
  en: { rows_read: ({ file, rows }) => `${file}: ${rows} rows`, imported: 'imported', would_import: 'to import', unchanged: 'unchanged', rejected: 'rejected' },
  ru: { rows_read: ({ file, rows }) => `${file}: строк: ${rows}`, imported: 'добавлено', would_import: 'будет добавлено', unchanged: 'без изменений', rejected: 'отклонено' },
  'zh-Hans': { rows_read: ({ file, rows }) => `${file}：共${rows}行`, imported: '已导入', would_import: '将导入', unchanged: '未变更', rejected: '已拒绝' },
  'zh-Hant': { rows_read: ({ file, rows }) => `${file}：共${rows}列`, imported: '已匯入', would_import: '將匯入', unchanged: '未變更', rejected: '已拒絕' },
};

function printSummary(file_path: string, summary: SimImportSummary, language: Language): void {
  const texts = TEXTS[language];
  const lines: Array<[string, number]> = [
    [summary.dry_run ? texts.would_import : texts.imported, summary.imported],
    [texts.unchanged, summary.unchanged],
    [texts.rejected, summary.rejected],
  ];
  printLine(texts.rows_read({ file: path.basename(file_path), rows: summary.rows_read }));
  for (const [label, count] of lines) printLine(`  ${`${label}:`.padEnd(18)} ${count}`);
  if (summary.dry_run) printLine(importTexts(language).dry_run);
}
