import type { Command } from 'commander';
import { paygTariff } from '../../../config.js';
import { seedDemo, DEMO_LINES } from '../../../services/demo/seed.js';
import { withContext } from '../run-command.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('seed the demo catalog, stores and lines (running it again changes nothing)')
    .action(() =>
      withContext(async ({ config, database, services }) => {
        const summary = await seedDemo(database, paygTariff(config), services.clock.now_ms());
        console.log(`${database.description}: ${summary.packs} packs, ${summary.stores} new stores, ${summary.sims_added} new SIMs in stock, ${summary.lines_opened} new demo lines`);
        for (const line of DEMO_LINES) console.log(`  demo line ${line.msisdn}  ICCID ${line.iccid}  (${line.language})`);
      }),
    );
}
