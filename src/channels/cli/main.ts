#!/usr/bin/env node
import { Command } from 'commander';
import { registerCheckCommand } from './commands/check.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { runCommand } from './run-command.js';

/** `roamcard` — the operator's command line. Each command lives in commands/<name>.ts. */
const program = new Command()
  .name('roamcard')
  .description('roamcard: the prepaid life of a travel SIM card — packs, balances, charging, renewal')
  .showHelpAfterError();

registerMigrateCommand(program);
registerDemoCommand(program);
registerCheckCommand(program);

await runCommand(() => program.parseAsync(process.argv));
