#!/usr/bin/env node
// Runs the compiled test files (dist/**/*.test.js) with Node's own test runner, all of them or one tier.
// Node 20's runner takes no glob, so we list the files; each file runs in its own process.
//
//   node scripts/run-tests.mjs                    every test, in one run (npm test)
//   node scripts/run-tests.mjs --tier unit        one tier: unit, db or browser (npm run test:unit, …)
//   node scripts/run-tests.mjs [--tier T] part…   only the files whose path contains one of the parts
//   node scripts/run-tests.mjs --list [part…]     prints each test file's tier, runs nothing
//
// The tier of a test file, decided from the file itself (nothing to register):
//   browser  its name ends in .browser.test.ts: headless Chromium against the running site.
//   db       it imports src/testing/databases.ts (a real database per suite: SQLite, and PostgreSQL
//            when TEST_DATABASE_URL is set) or src/testing/roamcard-process.ts (the compiled CLI or
//            server as a child process). A test gets its database or its process only from these two.
//   unit     everything else: the pure core and whatever needs no database, no child process and no
//            browser (in-process fakes on loopback are fine). The whole tier runs in seconds.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const TIERS = ['unit', 'db', 'browser'];
/** The src/testing modules that put an importing test in the db tier (compiled names). */
const DB_TIER_MODULES = ['testing/databases.js', 'testing/roamcard-process.js'];
const IMPORT_SPECIFIER = /^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm;

function testFiles(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.js') ? [full] : [];
  });
}

function tierOf(file) {
  if (file.endsWith('.browser.test.js')) return 'browser';
  const source = readFileSync(file, 'utf8');
  const imported = [...source.matchAll(IMPORT_SPECIFIER)].map((match) => match[1] ?? match[2]);
  return imported.some((specifier) => DB_TIER_MODULES.some((module) => specifier.endsWith(module))) ? 'db' : 'unit';
}

function parseArguments(all_args) {
  const list = all_args.includes('--list');
  const args = all_args.filter((arg) => arg !== '--list');
  const tier_index = args.indexOf('--tier');
  if (tier_index === -1) return { list, tier: undefined, filter: args };
  const tier = args[tier_index + 1];
  if (!TIERS.includes(tier)) {
    console.error(`--tier takes one of ${TIERS.join(', ')} (got ${tier ?? 'nothing'})`);
    process.exit(2);
  }
  return { list, tier, filter: args.filter((_, index) => index !== tier_index && index !== tier_index + 1) };
}

const { list, tier, filter } = parseArguments(process.argv.slice(2));
const files = testFiles('dist/src')
  .filter((file) => filter.length === 0 || filter.some((part) => file.includes(part)))
  .filter((file) => tier === undefined || tierOf(file) === tier)
  .sort();
if (files.length === 0) {
  console.error(`no${tier ? ` ${tier}` : ''} test files found under dist/src (did the build run?)`);
  process.exit(1);
}
if (list) {
  for (const file of files) console.log(`${tierOf(file).padEnd(8)}${file}`);
  process.exit(0);
}
if (tier !== 'unit' && !process.env.TEST_DATABASE_URL) {
  console.log('note: TEST_DATABASE_URL is not set, so PostgreSQL suites are skipped (reported as skipped below)');
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(process.execPath, ['--enable-source-maps', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
  stdio: 'inherit',
});
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
