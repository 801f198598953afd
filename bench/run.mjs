#!/usr/bin/env node
// `npm run bench [-- --quick] [-- --only <scenario>]`: roamcard's benchmarks, each figure beside a
// baseline measured in the same run. SQLite (a temporary file) by default; PostgreSQL (a temporary
// schema) when DATABASE_URL is set. Prints a table, writes bench/results/<timestamp>-<db>.json and
// bench/results/latest.json. Exit code 1 when a scenario could not run; unmet targets are reported,
// never an error (CI runs `--quick` to keep the harness from rotting, not to judge the figures).
//
//   --quick                  small sizes, whole run well under a minute
//   --only <name>[,<name>]   scenario modules or figure names (charging-single, charging-batched,
//                            renewal-e2e, osmp-pay, ussd-balance, sms-smpp, scale, or e.g. scale-rss-mb)
//   --seed <n>               seed of every generated stream (default 42)
//   --scale-lines <n> --scale-events <n>               the large scale case (default 1,000,000 / 10,000,000)
//   --scale-small-lines <n> --scale-small-events <n>   its baseline (default 10,000 / 100,000)
//   --events <n> --renewals <n> --pays <n> --duration-s <n>   charging-single events, renewals, OSMP pays, USSD seconds
//   --batch-size <n>                                   charging-batched events per batch (default 500)
//   --sms-messages <n>                                 sms-smpp messages (default 5,000; 300 with --quick)
//   --sqlite-synchronous full|normal                   (default full, as the product)
import { parseArgs } from 'node:util';
import { describeMachine } from './lib/machine.mjs';
import { failedRow, renderTable, writeResults } from './lib/report.mjs';
import { fromDist } from './lib/dist.mjs';

const { redactPassword: redactedUrl } = await fromDist('db/database.js');

const SCENARIOS = ['charging-single', 'charging-batched', 'renewal-e2e', 'osmp-pay', 'ussd-balance', 'sms-smpp', 'scale'];

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string', multiple: true },
    seed: { type: 'string', default: '42' },
    'scale-lines': { type: 'string' },
    'scale-events': { type: 'string' },
    'scale-small-lines': { type: 'string' },
    'scale-small-events': { type: 'string' },
    events: { type: 'string' },
    renewals: { type: 'string' },
    pays: { type: 'string' },
    'duration-s': { type: 'string' },
    'batch-size': { type: 'string' },
    'sms-messages': { type: 'string' },
    'sqlite-synchronous': { type: 'string', default: 'full' },
  },
});

function positive(name, fallback) {
  const text = options[name];
  if (text === undefined) return fallback;
  const value = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, not ${text}`);
  return value;
}

const database_url = process.env.DATABASE_URL;
const target = database_url ? { dialect: 'postgres', database_url } : { dialect: 'sqlite', sqlite_synchronous: options['sqlite-synchronous'] };
if (!['full', 'normal'].includes(options['sqlite-synchronous'])) throw new Error('--sqlite-synchronous is full or normal');
const quick = options.quick;
const sizes = {
  charging_single: { events: positive('events', quick ? 1_000 : 20_000), concurrency: 8, lines: quick ? 50 : 100, warm_up_events: quick ? 100 : 500 },
  charging_batched: { events: quick ? 10_000 : target.dialect === 'sqlite' ? 200_000 : 100_000, batch_size: positive('batch-size', 500), callers: 1, lines: quick ? 200 : 1_000 },
  renewal: { renewals: positive('renewals', quick ? 40 : 300), concurrency: 16 },
  osmp: { pays: positive('pays', quick ? 200 : 2_000) },
  ussd: { connections: 64, duration_s: positive('duration-s', quick ? 2 : 10) },
  sms: { messages: positive('sms-messages', quick ? 300 : 5_000) },
  scale: {
    small: { line_count: positive('scale-small-lines', quick ? 2_000 : 10_000), event_count: positive('scale-small-events', quick ? 20_000 : 100_000) },
    large: { line_count: positive('scale-lines', quick ? 20_000 : 1_000_000), event_count: positive('scale-events', quick ? 100_000 : 10_000_000) },
    lookups: quick ? 500 : 5_000, charges: quick ? 1_000 : 10_000, concurrency: 8,
  },
};

/** Which scenario modules to run: `--only` takes module names or the figure names they produce. */
async function selectedScenarios() {
  const modules = await Promise.all(SCENARIOS.map(async (name) => ({ name, module: await import(`./scenarios/${name}.mjs`) })));
  const wanted = (options.only ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).filter(Boolean);
  if (wanted.length === 0) return modules;
  const unknown = wanted.filter((name) => !modules.some((entry) => entry.name === name || entry.module.names.includes(name)));
  if (unknown.length > 0) throw new Error(`--only: unknown scenario ${unknown.join(', ')} (known: ${modules.flatMap((entry) => entry.module.names).join(', ')}, scale)`);
  return modules.filter((entry) => wanted.some((name) => entry.name === name || entry.module.names.includes(name)));
}

const scenarios = await selectedScenarios();
const seed = positive('seed', 42);
const machine = describeMachine();
const started_at = new Date().toISOString();
const where = target.dialect === 'postgres' ? `postgres ${redactedUrl(database_url)} (temporary schemas)` : `sqlite (temporary files, WAL, synchronous=${target.sqlite_synchronous})`;
const log = (line) => console.log(line);

log(`roamcard bench ${quick ? '--quick ' : ''}· ${where} · seed ${seed} · ${started_at}`);
log(`machine: ${machine.cpus} × ${machine.cpu_model}, ${machine.memory_mb.toLocaleString('en-US')} MB, node ${machine.node}, load average ${machine.load_average.join(' ')}`);
log(`sizes: charging-single ${sizes.charging_single.events.toLocaleString('en-US')} events × ${sizes.charging_single.concurrency} callers on ${sizes.charging_single.lines} lines · `
  + `charging-batched ${sizes.charging_batched.events.toLocaleString('en-US')} events in batches of ${sizes.charging_batched.batch_size} on ${sizes.charging_batched.lines} lines · `
  + `renewal ${sizes.renewal.renewals} × ${sizes.renewal.concurrency} customers · osmp ${sizes.osmp.pays} pays × 15 connections · ussd ${sizes.ussd.connections} connections × ${sizes.ussd.duration_s} s · `
  + `sms ${sizes.sms.messages.toLocaleString('en-US')} messages · `
  + `scale ${sizes.scale.large.line_count.toLocaleString('en-US')} lines/${sizes.scale.large.event_count.toLocaleString('en-US')} events vs `
  + `${sizes.scale.small.line_count.toLocaleString('en-US')}/${sizes.scale.small.event_count.toLocaleString('en-US')}`);

const results = [];
let failures = 0;
for (const { name, module } of scenarios) {
  log(`\n▶ ${name}`);
  const started_ms = Date.now();
  try {
    const rows = await module.run({ target, seed, sizes, quick, results, log });
    results.push(...rows);
    for (const row of rows) log(`  ${row.name}: ${row.value} ${row.unit} (baseline ${row.baseline ?? '—'}, ratio ${row.ratio ?? '—'}, target ${row.target}, met ${row.met ?? '—'})`);
  } catch (error) {
    failures += 1;
    console.error(`  ${name} could not run:`, error);
    results.push(...module.names.map((row_name) => failedRow(row_name, error)));
  }
  log(`  (${((Date.now() - started_ms) / 1000).toFixed(1)} s)`);
}

const report = {
  db: target.dialect,
  machine: { ...machine, load_average_after: describeMachine().load_average },
  started_at,
  finished_at: new Date().toISOString(),
  quick,
  seed,
  sizes,
  scenarios: results,
};
const file = writeResults(report);
log(`\n${renderTable(results)}`);
log(`\nload average at the end: ${report.machine.load_average_after.join(' ')}`);
log(`written: ${file} and bench/results/latest.json`);
if (failures > 0) {
  console.error(`${failures} scenario(s) could not run`);
  process.exitCode = 1;
}
