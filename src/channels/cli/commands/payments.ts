import path from 'node:path';
import type { Command } from 'commander';
import { settleStatementLine } from '../../../app/bank-statement.js';
import type { Language } from '../../../core/i18n/languages.js';
import { checkStatementColumns, importStatement, type StatementImportSummary } from '../../../services/statements/import-statement.js';
import { commandGroup, languageOption } from '../command-options.js';
import { exitCodesHelp, runCsvImport } from '../import-runner.js';
import { printLine } from '../terminal-output.js';
import { terminalLanguage } from '../run-command.js';

interface StatementOptions {
  readonly lang?: string;
}

const STATEMENT_HELP = `
Columns: reference (the RC-… payment reference from the invoice), amount (roubles, "1990.00" or "1 990,00");
other columns (date, payer, purpose) are ignored. Each line whose reference and amount match an open
bank transfer settles it in this process: the payment is recorded and the pack activated (the running
server's worker then provisions it). Lines that match nothing, whose amount differs, that repeat a
reference (paid twice), or that pay a transfer whose order already closed (the money must go back) are
rejected for a person to look at; nothing is guessed. Importing the same statement again changes
nothing: its lines are reported as already settled.`;

/** `roamcard payments import-statement FILE`: settles bank transfers from a bank statement. */
export function registerPaymentsCommand(program: Command): void {
  commandGroup(program, 'payments', 'payments')
    .command('import-statement')
    .argument('<file>', 'CSV bank statement')
    .description('settle pending bank transfers whose reference and amount appear in a bank statement')
    .addOption(languageOption())
    .addHelpText('after', `${STATEMENT_HELP}\n${exitCodesHelp()}`)
    .action((file: string, options: StatementOptions) => runStatementImport(file, options));
}

function runStatementImport(file_path: string, options: StatementOptions): Promise<void> {
  const language = terminalLanguage(options.lang);
  return runCsvImport(file_path, language, {
    checkColumns: checkStatementColumns,
    importRows: (source, context, hooks) => importStatement(source, {
      settle: (reference, amount_minor) => settleStatementLine(context, reference, amount_minor),
      ...hooks,
    }),
    printSummary: (summary) => printSummary(file_path, summary, language),
  });
}

interface StatementTexts {
  rows_read: (p: { file: string; rows: number }) => string;
  settled: string;
  already_settled: string;
  rejected: string;
}

const TEXTS: Readonly<Record<Language, StatementTexts>> = {
  en: { rows_read: ({ file, rows }) => `${file}: ${rows} rows`, settled: 'settled', already_settled: 'already settled', rejected: 'rejected' },
  ru: { rows_read: ({ file, rows }) => `${file}: строк: ${rows}`, settled: 'зачтено', already_settled: 'уже зачтено ранее', rejected: 'отклонено' },
  'zh-Hans': { rows_read: ({ file, rows }) => `${file}：共${rows}行`, settled: '已入账', already_settled: '此前已入账', rejected: '已拒绝' },
  'zh-Hant': { rows_read: ({ file, rows }) => `${file}：共${rows}列`, settled: '已入帳', already_settled: '先前已入帳', rejected: '已拒絕' },
};

function printSummary(file_path: string, summary: StatementImportSummary, language: Language): void {
  const texts = TEXTS[language];
  const lines: Array<[string, number]> = [
    [texts.settled, summary.settled],
    [texts.already_settled, summary.already_settled],
    [texts.rejected, summary.rejected],
  ];
  printLine(texts.rows_read({ file: path.basename(file_path), rows: summary.rows_read }));
  for (const [label, count] of lines) printLine(`  ${`${label}:`.padEnd(18)} ${count}`);
}
