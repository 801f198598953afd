import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before } from 'node:test';
import { openDatabase, type Database } from '../db/database.js';
import { childDatabaseUrl, type TestDatabase } from './databases.js';
import { pause } from './waiting.js';

/**
 * The compiled `roamcard` binary as an operator runs it: a child process on the suite's database,
 * with its own folder, its environment, and what it printed. For the tests whose subject is the
 * process itself (start-up, signals, kill -9, exit codes, the terminal output).
 */

/** dist/src/channels/cli/main.js: the tests run from dist, beside it. */
export const ROAMCARD_MAIN = fileURLToPath(new URL('../channels/cli/main.js', import.meta.url));
/** Start-up migrates and may seed a fresh database: a second or two, far more on a loaded machine; this bounds a hang. */
export const START_TIMEOUT_MS = 30_000;
const HEALTH_POLL_MS = 100;

export interface ProcessSuite {
  /** The child's environment: process.env with DATA_DIR in the suite's folder and the suite's database. */
  env(): NodeJS.ProcessEnv;
  /** The suite's temporary folder (DATA_DIR is `data` inside it). */
  folder(): string;
  /** The database the child wrote: the suite's PostgreSQL schema, or the SQLite file in DATA_DIR. */
  database(): Database;
}

/**
 * Inside a describeEachDatabase body: a temporary folder and an environment that points a child at
 * the suite's database (PostgreSQL through childDatabaseUrl; SQLite in DATA_DIR); both removed after.
 */
export function processSuite(test_db: TestDatabase, prefix: string, environment: () => NodeJS.ProcessEnv = () => ({})): ProcessSuite {
  let folder = '';
  let env: NodeJS.ProcessEnv = {};
  let child_database: Database | undefined;

  before(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), prefix));
    env = { ...process.env, DATA_DIR: path.join(folder, 'data'), ...environment() };
    delete env.DATABASE_URL;
    const database_url = await childDatabaseUrl(test_db);
    if (database_url) env.DATABASE_URL = database_url;
  });

  after(async () => {
    await child_database?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  return {
    env: () => env,
    folder: () => folder,
    database() {
      if (test_db.dialect === 'postgres') return test_db.database;
      child_database ??= openDatabase({ sqlite_file: path.join(folder, 'data', 'roamcard.db') });
      return child_database;
    },
  };
}

export interface RunningRoamcard {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `roamcard <args>` started in the background, its output collected as it comes. */
export function startRoamcard(args: readonly string[], env: NodeJS.ProcessEnv): RunningRoamcard {
  const child = spawn(process.execPath, [ROAMCARD_MAIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output, exited };
}

/** Resolves once `serve` answers /healthz; fails with its output if it exits or hangs first. */
export async function waitUntilHealthy(base_url: string, running: RunningRoamcard): Promise<void> {
  const deadline_ms = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline_ms) {
    if (running.child.exitCode !== null) throw new Error(`serve exited early (${running.child.exitCode}):\n${running.output.stderr}${running.output.stdout}`);
    if (await fetch(`${base_url}/healthz`).then((response) => response.status === 200, () => false)) return;
    await pause(HEALTH_POLL_MS);
  }
  throw new Error(`serve did not become healthy within ${START_TIMEOUT_MS} ms:\n${running.output.stderr}`);
}

/** How the process ended, or a failure if it is still running after timeout_ms. */
export async function exitWithin(
  running: RunningRoamcard,
  timeout_ms: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no exit within ${timeout_ms} ms`)), timeout_ms);
  });
  try {
    return await Promise.race([running.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const execFileAsync = promisify(execFile);

/** `roamcard <args>` run to its end (for commands that print and exit); a hang fails after timeout_ms. */
export async function runRoamcard(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  timeout_ms = START_TIMEOUT_MS,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [ROAMCARD_MAIN, ...args], { env, timeout: timeout_ms });
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}
