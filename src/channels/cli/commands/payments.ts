import type { Command } from 'commander';
import { parseMoney } from '../../../core/money.js';
import { commandGroup, languageOption, openCsvFile, refuseFile, type CsvSource } from '../csv-import.js';
import { settleStatementLine } from '../../../app/bank-statement.js';
import { terminalLanguage, withContext } from '../run-command.js';

interface StatementOptions {
  readonly lang?: string;
}

const STATEMENT_HELP = `
Columns: reference (the RC-… payment reference from the invoice), amount (roubles, "1990.00" or "1 990,00").
Each line whose reference and amount match an open bank transfer settles it, in this process: the
payment is recorded and the pack activated (the running server's worker then provisions it). Lines that match nothing are
listed for a person to look at; nothing is guessed. Importing the same statement again changes nothing.`;

/** `roamcard payments import-statement FILE`: settles bank transfers from a bank statement. */
export function registerPaymentsCommand(program: Command): void {
  commandGroup(program, 'payments', 'payments')
    .command('import-statement')
    .argument('<file>', 'CSV bank statement')
    .description('settle pending bank transfers whose reference and amount appear in a bank statement')
    .addOption(languageOption())
    .addHelpText('after', STATEMENT_HELP)
    .action((file: string, options: StatementOptions) => importStatement(file, options));
}

async function importStatement(file_path: string, options: StatementOptions): Promise<void> {
  const language = terminalLanguage(options.lang);
  let source: CsvSource;
  try {
    source = await openCsvFile(file_path);
    for (const column of ['reference', 'amount']) {
      if (!source.columns.includes(column)) throw new Error(`column "${column}" is missing`);
    }
  } catch (error) {
    refuseFile(file_path, error, language);
    return;
  }
  const counts = { settled: 0, unknown_reference: 0, amount_mismatch: 0, already_final: 0, unreadable: 0 };
  const attention: string[] = [];
  try {
    await withContext(async (context) => {
      for await (const record of source.records) {
        const reference = (record.values.reference ?? '').trim().toUpperCase();
        const amount = parseMoney(record.values.amount ?? '');
        if (!reference || !amount.ok) {
          counts.unreadable += 1;
          attention.push(`line ${record.line_number}: unreadable reference or amount`);
          continue;
        }
        const outcome = await settleStatementLine(context, reference, amount.amount_minor);
        counts[outcome] += 1;
        if (outcome === 'unknown_reference' || outcome === 'amount_mismatch') attention.push(`line ${record.line_number}: ${reference} ${outcome.replace('_', ' ')}`);
      }
    });
  } finally {
    source.close();
  }
  console.log(`settled ${counts.settled}, already settled ${counts.already_final}, unknown reference ${counts.unknown_reference}, amount mismatch ${counts.amount_mismatch}, unreadable ${counts.unreadable}`);
  for (const line of attention) console.log(`  ${line}`);
}
