import type { Command } from 'commander';
import { paygTariff } from '../../../config.js';
import { seedDemo, DEMO_LINES, DEMO_PARTNER, DEMO_PARTNER_SECRETS, DEMO_STAFF } from '../../../services/demo/seed.js';
import { withContext } from '../run-command.js';

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('seed the demo catalog, stores, lines, desk agent and payment agent (running it again changes nothing)')
    .action(() =>
      withContext(async ({ config, database, services, staff, partners, payments }) => {
        // A partner whose credentials are in the README pays for packs with no money behind them: test mode only.
        const demo_partner = payments.test_mode ? partners : undefined;
        const summary = await seedDemo(database, paygTariff(config), services.clock.now_ms(), { staff, partners: demo_partner });
        console.log(`${database.description}: ${summary.packs} packs, ${summary.stores} new stores, ${summary.sims_added} new SIMs in stock, ${summary.lines_opened} new demo lines`);
        for (const line of DEMO_LINES) console.log(`  demo line ${line.msisdn}  ICCID ${line.iccid}  (${line.language})`);
        for (const member of DEMO_STAFF) {
          console.log(`  demo ${member.role} ${member.login} at ${member.store_code}: password ${member.password}, TOTP: oathtool --totp -b ${member.totp_secret}`);
        }
        if (!demo_partner) console.log(`  no demo partner: payments are not in test mode, and ${DEMO_PARTNER.code}'s published credentials would pay for packs for free`);
        else console.log(`  demo partner ${DEMO_PARTNER.code} (${DEMO_PARTNER.chain}): OSMP at /osmp/${DEMO_PARTNER.code} from 127.0.0.1, basic auth ${DEMO_PARTNER.code}:${DEMO_PARTNER_SECRETS.basic_password}; JSON API signing key ${DEMO_PARTNER_SECRETS.hmac_key}`);
        if (config.auth.secret_generated) {
          console.log('  AUTH_SECRET is not set: the demo agent\'s TOTP secret is sealed under this run\'s random key, so it cannot sign in to a server started later. Set AUTH_SECRET for both, or use npm start (seeds in the server itself).');
        }
      }),
    );
}
