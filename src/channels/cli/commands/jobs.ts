import type { Command } from 'commander';
import { maskPhoneNumbersInText } from '../../../core/phone.js';
import { deadJobs, jobCounts, retryDeadJob } from '../../../services/jobs/outbox.js';
import { withContext } from '../run-command.js';

/**
 * `roamcard jobs`: the outbox at a glance — jobs per kind and status, the dead letters with their
 * last error, and `--retry <id>` to put a dead job back once its cause is fixed.
 */
export function registerJobsCommand(program: Command): void {
  program
    .command('jobs')
    .description('show outbox jobs by kind and status, list dead jobs (--dead), or retry one (--retry ID)')
    .option('--dead', 'list the dead jobs with their last error')
    .option('--retry <job_id>', 'put a dead job back in the queue with fresh attempts')
    .action((options: { dead?: boolean; retry?: string }) =>
      withContext(async ({ database, clock }) => {
        if (options.retry) {
          const retried = await retryDeadJob(database, options.retry, clock.now_ms());
          console.log(retried ? `job ${options.retry} is pending again` : `job ${options.retry} is not dead (or does not exist): nothing changed`);
          if (!retried) process.exitCode = 1;
          return;
        }
        const counts = await jobCounts(database.db);
        if (counts.length === 0) console.log('no jobs');
        for (const row of counts) console.log(`${row.kind.padEnd(32)} ${row.status.padEnd(8)} ${String(row.count).padStart(8)}`);
        if (!options.dead) return;
        for (const job of await deadJobs(database.db)) {
          console.log(`DEAD ${job.id} ${job.kind} after ${job.attempts} attempts at ${new Date(job.updated_at_ms).toISOString()}: ${maskPhoneNumbersInText(job.last_error ?? '')}`);
        }
      }),
    );
}
