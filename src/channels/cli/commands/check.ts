import type { Command } from 'commander';
import { ledgerViolations } from '../../../services/ledger/invariants.js';
import { withContext } from '../run-command.js';

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('verify the ledger invariants: entries sum to zero, cached balances equal postings, nothing below zero')
    .action(() =>
      withContext(async ({ database }) => {
        const violations = await ledgerViolations(database.db);
        if (violations.length === 0) {
          console.log(`${database.description}: ledger OK`);
          return;
        }
        for (const violation of violations) console.error(`VIOLATION ${violation}`);
        process.exitCode = 2;
      }),
    );
}
