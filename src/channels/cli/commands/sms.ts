import { InvalidArgumentError, Option, type Command } from 'commander';
import { maskPhoneNumbersInText } from '../../../core/phone.js';
import { terminalSafe } from '../../../core/terminal-text.js';
import type { JobStatus } from '../../../db/schema.js';
import { OUTBOX_LISTED_MAX, smsOutbox, type OutboxEntry } from '../../../services/sms/sms-deliveries.js';
import { commandGroup } from '../command-options.js';
import { withContext } from '../run-command.js';

/**
 * `roamcard sms outbox [--limit N] [--status S]`: the latest SMS jobs with their state, attempts,
 * masked number, and each part's delivery state as the SMSC reported it. Never the text: it is
 * sealed in the job and may hold a sign-in code.
 */

const JOB_STATUSES: readonly JobStatus[] = ['pending', 'running', 'done', 'dead'];
export const OUTBOX_LIMIT_DEFAULT = 20;

export function registerSmsCommand(program: Command): void {
  commandGroup(program, 'sms', 'SMS sent through the outbox')
    .command('outbox')
    .description('the latest SMS jobs: state, attempts, masked number, parts and delivery status (never the text)')
    .addOption(new Option('--limit <count>', `how many jobs, newest first (1–${OUTBOX_LISTED_MAX})`).default(OUTBOX_LIMIT_DEFAULT).argParser(limitArgument))
    .addOption(new Option('--status <status>', 'only jobs in this state').choices(JOB_STATUSES))
    .action((options: { limit: number; status?: JobStatus }) =>
      withContext(async ({ database }) => {
        const entries = await smsOutbox(database.db, { limit: options.limit, job_status: options.status });
        if (entries.length === 0) console.log('no SMS jobs');
        for (const entry of entries) console.log(outboxLine(entry));
      }),
    );
}

function limitArgument(value: string): number {
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > OUTBOX_LISTED_MAX) throw new InvalidArgumentError(`a whole number from 1 to ${OUTBOX_LISTED_MAX}`);
  return limit;
}

/** One line a job: when, id, state and attempts, what it is, to whom (masked), then each part's delivery, then the last error. */
export function outboxLine(entry: OutboxEntry): string {
  const parts = entry.parts.length === 0
    ? 'not submitted'
    : entry.parts.map((part) => `${part.part}/${part.parts_total} ${part.status}${part.error ? ` (${part.error})` : ''}`).join(', ');
  const error = entry.last_error ? ` — ${maskPhoneNumbersInText(entry.last_error)}` : '';
  return terminalSafe(`${new Date(entry.created_at_ms).toISOString()} ${entry.job_id} ${entry.job_status.padEnd(7)} `
    + `${entry.attempts}/${entry.attempts_max} ${entry.purpose.padEnd(15)} to ${entry.to_masked}: ${parts}${error}`);
}
