import type { Command } from 'commander';
import { utcMinuteText } from '../../../core/i18n/utc-text.js';
import { maskPhoneNumbersInText } from '../../../core/phone.js';
import { ATTENTION_LISTED_MAX, CORRECTION_REASON_LENGTH_MAX, type FiscalDocument } from '../../../services/fiscal/fiscal-service.js';
import { commandGroup, languageOption } from '../command-options.js';
import { fiscalTexts, type FiscalTexts } from '../fiscal-texts.js';
import { terminalLanguage, withContext } from '../run-command.js';
import { printErrorLine, printLine } from '../terminal-output.js';

/**
 * `roamcard fiscal pending|correct`: the 54-FZ fiscal documents from the operator's terminal.
 * `pending` lists those not registered — failed, or pending longer than FISCAL_PENDING_ALERT_MINUTES
 * (or --older-than-minutes) — and exits 3 when there are any, so a cron job can alert on it.
 * `correct` queues a correction of a registered sale; the server's outbox worker sends it.
 */

/** Exit codes beside 0 (nothing needs a look; the correction is queued). */
export const FISCAL_EXIT_CODES = {
  bad_input: 2, attention: 3, not_found: 4, not_registered: 5, no_register: 6,
} as const;

const EXIT_CODES_HELP = `
Exit codes: 0 nothing to look at (pending) or the correction queued or made already (correct),
${FISCAL_EXIT_CODES.bad_input} bad input, ${FISCAL_EXIT_CODES.attention} documents not registered (pending),
${FISCAL_EXIT_CODES.not_found} no fiscal sale for that receipt, ${FISCAL_EXIT_CODES.not_registered} the sale is not registered, \
${FISCAL_EXIT_CODES.no_register} no fiscal register configured (correct).`;

/** A register's error text can be long: the table shows its start; the document's row keeps it all. */
const ERROR_SHOWN_LENGTH_MAX = 120;
const MINUTE_MS = 60_000;

export function registerFiscalCommand(program: Command): void {
  const fiscal = commandGroup(program, 'fiscal', '54-FZ fiscal documents: what is not registered, corrections');
  fiscal.command('pending')
    .description('fiscal documents not registered: failed, or pending longer than FISCAL_PENDING_ALERT_MINUTES (15 by default)')
    .option('--older-than-minutes <minutes>', 'list pending documents queued at least this long ago (default FISCAL_PENDING_ALERT_MINUTES)')
    .addOption(languageOption())
    .addHelpText('after', EXIT_CODES_HELP)
    .action((options: { olderThanMinutes?: string; lang?: string }) => listPending(options));
  fiscal.command('correct')
    .argument('<receipt>', 'the receipt number, e.g. RC-2026-000123')
    .description('queue a correction (sell_correction) of the receipt\'s registered sale')
    .requiredOption('--reason <text>', `why, in one line (at most ${CORRECTION_REASON_LENGTH_MAX} characters): kept with the document`)
    .addOption(languageOption())
    .addHelpText('after', EXIT_CODES_HELP)
    .action((receipt: string, options: { reason: string; lang?: string }) => correct(receipt, options));
}

async function listPending(options: { olderThanMinutes?: string; lang?: string }): Promise<void> {
  const texts = fiscalTexts(terminalLanguage(options.lang));
  const given = options.olderThanMinutes;
  if (given !== undefined && !/^\d{1,7}$/.test(given.trim())) {
    printErrorLine(texts.bad_minutes);
    process.exitCode = FISCAL_EXIT_CODES.bad_input;
    return;
  }
  await withContext(async (context) => {
    const older_than_ms = given === undefined ? context.config.fiscal_pending_alert_ms : Number(given.trim()) * MINUTE_MS;
    const minutes = Math.round(older_than_ms / MINUTE_MS);
    const documents = await context.fiscal.needingAttention(older_than_ms);
    if (documents.length === 0) {
      printLine(texts.none({ minutes }));
      return;
    }
    const attention = await context.fiscal.attention(older_than_ms);
    printLine(texts.listed({ count: attention.pending_overdue + attention.failed, minutes }));
    for (const line of table(texts, documents, context.clock.now_ms())) printLine(line);
    if (documents.length >= ATTENTION_LISTED_MAX) printLine(texts.more({ shown: documents.length }));
    process.exitCode = FISCAL_EXIT_CODES.attention;
  });
}

function table(texts: FiscalTexts, documents: readonly FiscalDocument[], now_ms: number): string[] {
  const { columns } = texts;
  const rows = [
    [
      columns.document, columns.receipt, columns.operation, columns.status,
      columns.queued, columns.waiting, columns.attempts, columns.error,
    ],
    ...documents.map((document) => [
      document.id, subjectText(texts, document), texts.operations[document.operation], texts.statuses[document.status],
      utcMinuteText(document.created_at_ms), texts.minutes({ minutes: Math.floor((now_ms - document.created_at_ms) / MINUTE_MS) }),
      String(document.attempts), errorText(document),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  // The last column is free text: not padded.
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
}

/** What the document registers: its receipt's number, or what took money without one and its id. */
function subjectText(texts: FiscalTexts, document: FiscalDocument): string {
  if (document.receipt_number !== null) return document.receipt_number;
  return document.subject === 'top_up' ? `${texts.subjects.top_up} ${document.entry_id ?? ''}` : `${texts.subjects.payment} ${document.payment_id ?? ''}`;
}

/** The register's error as it said it, shortened, a phone number in it masked (it may quote the client's). */
function errorText(document: FiscalDocument): string {
  if (document.error_code === null) return '';
  const text = maskPhoneNumbersInText(`${document.error_code}: ${document.error_text ?? ''}`.replaceAll(/\s+/g, ' '));
  return text.length > ERROR_SHOWN_LENGTH_MAX ? `${text.slice(0, ERROR_SHOWN_LENGTH_MAX - 1)}…` : text;
}

async function correct(receipt: string, options: { reason: string; lang?: string }): Promise<void> {
  const texts = fiscalTexts(terminalLanguage(options.lang));
  await withContext(async (context) => {
    const outcome = await context.fiscal.correct(receipt, options.reason);
    switch (outcome.kind) {
      case 'queued':
        printLine(texts.queued({ id: outcome.document.id, receipt, register: outcome.document.register }));
        return;
      case 'repeated':
        printLine(texts.repeated({ id: outcome.document.id, receipt, status: texts.statuses[outcome.document.status] }));
        return;
      case 'not_found':
        return refuse(texts.not_found({ receipt }), FISCAL_EXIT_CODES.not_found);
      case 'not_registered':
        return refuse(texts.not_registered({ receipt, status: texts.statuses[outcome.status] }), FISCAL_EXIT_CODES.not_registered);
      case 'no_register':
        return refuse(texts.no_register, FISCAL_EXIT_CODES.no_register);
      case 'bad_reason':
        return refuse(texts.bad_reason({ length_max: CORRECTION_REASON_LENGTH_MAX }), FISCAL_EXIT_CODES.bad_input);
    }
  });
}

function refuse(text: string, exit_code: number): void {
  printErrorLine(text);
  process.exitCode = exit_code;
}
