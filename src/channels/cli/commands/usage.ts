import path from 'node:path';
import type { Command } from 'commander';
import { paygTariff } from '../../../config.js';
import { noticesFromConfig } from '../../../services/notices/notices.js';
import { formatMoney } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';
import { checkUsageColumns, importUsage, type UsageImportSummary } from '../../../services/charging/import-usage.js';
import { commandGroup, languageOption } from '../command-options.js';
import { exitCodesHelp, runCsvImport } from '../import-runner.js';
import { importTexts } from '../import-texts.js';
import { printLine } from '../terminal-output.js';
import { terminalLanguage } from '../run-command.js';

interface UsageImportOptions {
  readonly lang?: string;
  readonly dryRun?: boolean;
}

const COLUMNS_HELP = `
Columns: event_id; msisdn or line_id (one of them; line_id wins when both are filled);
kind (data, voice or sms); quantity (a whole number: bytes, seconds or messages);
at (ISO 8601 with a zone, e.g. 2025-03-01T12:30:00+03:00, or epoch milliseconds).
Each event is charged once: importing a file again charges nothing and reports its rows as replayed.`;

export function registerUsageCommand(program: Command): void {
  commandGroup(program, 'usage', 'usage charging')
    .command('import')
    .argument('<file>', 'CSV file of usage events, one per row')
    .description('charge usage events from a CSV file to bundles, then wallets; bad rows are rejected with their line and reason')
    .addOption(languageOption())
    .option('--dry-run', 'check every row, its line and whether it was charged before, but charge nothing')
    .addHelpText('after', `${COLUMNS_HELP}\n${exitCodesHelp()}`)
    .action((file: string, options: UsageImportOptions) => runUsageImport(file, options));
}

function runUsageImport(file_path: string, options: UsageImportOptions): Promise<void> {
  const language = terminalLanguage(options.lang);
  return runCsvImport(file_path, language, {
    checkColumns: checkUsageColumns,
    importRows: (source, { config, database, services }, hooks) => importUsage(database, source, {
      clock: services.clock, tariffFor: paygTariff(config), alerts: noticesFromConfig(config), dry_run: options.dryRun ?? false, ...hooks,
    }),
    printSummary: (summary) => printSummary(file_path, summary, language),
  });
}

interface UsageTexts {
  rows_read: (p: { file: string; rows: number }) => string;
  charged: string;
  would_charge: string;
  granted_fully: string;
  denied_partly_or_fully: string;
  wallet_charged: string;
  replayed: string;
  rejected: string;
}

const TEXTS: Readonly<Record<Language, UsageTexts>> = {
  en: {
    rows_read: ({ file, rows }) => `${file}: ${rows} rows`, charged: 'charged', would_charge: 'to charge',
    granted_fully: 'granted in full', denied_partly_or_fully: 'denied in part or in full', wallet_charged: 'charged to wallets',
    replayed: 'replayed (charged before)', rejected: 'rejected',
  },
  ru: {
    rows_read: ({ file, rows }) => `${file}: строк: ${rows}`, charged: 'списано', would_charge: 'будет списано',
    granted_fully: 'предоставлено полностью', denied_partly_or_fully: 'отказано частично или полностью', wallet_charged: 'списано с балансов',
    replayed: 'повторы (уже списаны ранее)', rejected: 'отклонено',
  },
  'zh-Hans': {
    rows_read: ({ file, rows }) => `${file}：共${rows}行`, charged: '已计费', would_charge: '将计费',
    granted_fully: '全部放行', denied_partly_or_fully: '部分或全部拒绝', wallet_charged: '从余额扣费',
    replayed: '重复（此前已计费）', rejected: '已拒绝',
  },
  'zh-Hant': {
    rows_read: ({ file, rows }) => `${file}：共${rows}列`, charged: '已計費', would_charge: '將計費',
    granted_fully: '全部放行', denied_partly_or_fully: '部分或全部拒絕', wallet_charged: '從餘額扣費',
    replayed: '重複（先前已計費）', rejected: '已拒絕',
  },
};

function printSummary(file_path: string, summary: UsageImportSummary, language: Language): void {
  const texts = TEXTS[language];
  const row = (label: string, value: string | number, indent = '  ') => printLine(`${indent}${`${label}:`.padEnd(30 - indent.length)} ${value}`);
  printLine(texts.rows_read({ file: path.basename(file_path), rows: summary.rows_read }));
  if (summary.dry_run) row(texts.would_charge, summary.charged);
  else {
    row(texts.charged, summary.charged);
    row(texts.granted_fully, summary.granted_fully, '    ');
    row(texts.denied_partly_or_fully, summary.denied_partly_or_fully, '    ');
    row(texts.wallet_charged, formatMoney(summary.wallet_charge_minor_total, language));
  }
  row(texts.replayed, summary.replayed);
  row(texts.rejected, summary.rejected);
  if (summary.dry_run) printLine(importTexts(language).dry_run);
}
