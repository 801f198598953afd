#!/usr/bin/env node
import { Command } from 'commander';
import { registerCheckCommand } from './commands/check.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerFiscalCommand } from './commands/fiscal.js';
import { registerJobsCommand } from './commands/jobs.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerPartnersCommand } from './commands/partners.js';
import { registerPaymentsCommand } from './commands/payments.js';
import { registerServeCommand } from './commands/serve.js';
import { registerSimsCommand } from './commands/sims.js';
import { registerSmsCommand } from './commands/sms.js';
import { registerStaffCommand } from './commands/staff.js';
import { registerStoresCommand } from './commands/stores.js';
import { registerSmscSimulatorCommand } from './commands/smsc-simulator.js';
import { registerUsageCommand } from './commands/usage.js';
import { registerUssdCommand } from './commands/ussd.js';
import { runCommand } from './run-command.js';

/** `roamcard` — the operator's command line. Each command lives in commands/<name>.ts. */
const program = new Command()
  .name('roamcard')
  .description('roamcard: the prepaid life of a travel SIM card — packs, balances, charging, renewal')
  .showHelpAfterError();

registerMigrateCommand(program);
registerDemoCommand(program);
registerCheckCommand(program);
registerServeCommand(program);
registerUssdCommand(program);
registerSimsCommand(program);
registerUsageCommand(program);
registerJobsCommand(program);
registerPaymentsCommand(program);
registerSmsCommand(program);
registerStaffCommand(program);
registerPartnersCommand(program);
registerFiscalCommand(program);
registerStoresCommand(program);
registerSmscSimulatorCommand(program);

await runCommand(() => program.parseAsync(process.argv));
