#!/usr/bin/env node
// `npm run soak`: roamcard's fault test. On each database (SQLite, then PostgreSQL when
// DATABASE_URL is set, or --db), it starts the real server, drives a bounded mixed load over
// loopback — renewals with every sandbox outcome, duplicated, reordered and late webhooks, provider
// timeouts and 500s, concurrent usage charging with replayed event ids, USSD reads, payment agents'
// tills paying over OSMP (top-ups and packs, txn_ids repeated), fiscal receipts through ATOL's fake
// with held-back and failed answers — SIGKILLs the server at seeded moments (some between a register
// call and its answer, some during a till's pack pay) and starts it again, restarts PostgreSQL once,
// lets the workers finish, and checks the invariants. Prints PASS/FAIL per check and the seed (first and last), writes
// soak/results/latest.json, exits 1 on any FAIL. See soak/README.md.
import { cleanUpOnInterrupt } from './lib/interrupt.mjs';
import { readOptions, replayCommand, USAGE } from './lib/options.mjs';
import { renderRun, writeReport } from './lib/report.mjs';
import { RESULTS_FOLDER, soakDatabase } from './lib/soak-database.mjs';
import { fromDist } from '../bench/lib/dist.mjs';

const { redactPassword: redactedUrl } = await fromDist('db/database.js');

const say = (line) => console.log(line);

let options;
try {
  options = readOptions();
} catch (error) {
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (options.help) {
  say(USAGE);
  process.exit(0);
}

cleanUpOnInterrupt(say);
const started_at = new Date().toISOString();
say(`roamcard soak · seed ${options.seed} · ${options.databases.join(' then ')} · ${options.duration_s} s of load and ${options.kills} SIGKILLs per database`
  + `${options.databases.includes('postgres') ? ` · ${options.pg_restarts} PostgreSQL restart(s) on ${redactedUrl(options.database_url)}` : ''} · ${started_at}`);

const runs = [];
const errors = [];
for (const dialect of options.databases) {
  say(`\n▶ ${dialect}`);
  try {
    const run = { ...(await soakDatabase(options, dialect, say)), replay: replayCommand(options, dialect) };
    runs.push(run);
    say(`\n${renderRun(run)}`);
    say(`  → ${run.pass ? 'PASS' : 'FAIL'} on ${dialect}; replay: ${run.replay}`);
  } catch (error) {
    errors.push({ db: dialect, error: String(error?.stack ?? error) });
    console.error(`  the soak could not finish on ${dialect}:`, error);
  }
}

const report = writeReport(`${RESULTS_FOLDER}latest.json`, { options, runs, started_at, errors });
say(`\nwritten: soak/results/latest.json`);
say(`${report.pass ? 'PASS' : 'FAIL'} · seed ${options.seed}`);
process.exit(report.pass ? 0 : 1);
