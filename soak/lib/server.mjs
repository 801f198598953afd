// The server under test: `node dist/src/channels/cli/main.js serve`, a real OS process, so SIGKILL
// kills the real thing. The supervisor starts it, waits until it answers /healthz, kills it when
// the schedule says, and starts it again; an exit nobody asked for (the server crashing on its own)
// is recorded and answered with a restart, so the load goes on and the report can say so.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/src/channels/cli/main.js', import.meta.url));
/** Includes waiting for PostgreSQL to come back: a server that cannot open its database exits, and is started again. */
const START_TIMEOUT_MS = 90_000;
const START_RETRY_MS = 500;
const HEALTH_POLL_MS = 100;
const HEALTH_TIMEOUT_MS = 1_000;
const STOP_GRACE_MS = 20_000;
/** Only these variables of the soak's own environment reach the server: no stray DATABASE_URL or SANDBOX_*. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR', 'NODE_EXTRA_CA_CERTS'];

export function serverEnvironment(settings) {
  const inherited = Object.fromEntries(INHERITED
    .filter((name) => process.env[name] !== undefined)
    .map((name) => [name, process.env[name]]));
  return { ...inherited, ...settings };
}

async function healthy(base) {
  try {
    const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export class ServerSupervisor {
  #env;
  #log;
  #child = null;
  #exited = null;
  #planned_exit = false;
  #starting = null;
  /** Set by stop(): no start after it, whoever asks (the chaos schedule may still be running on an interrupt). */
  #stopped = false;
  #start_count = 0;
  #start_ms = [];
  #unplanned_exits = [];
  #failed_starts = 0;
  #log_lines = [];

  /** `env`: the server's whole environment; `base`: its URL (PORT and PUBLIC_BASE_URL agree with it). */
  constructor({ env, base, log_file }) {
    this.#env = env;
    this.base = base;
    this.#log = createWriteStream(log_file, { flags: 'w' });
  }

  get pid() {
    return this.#child?.pid ?? null;
  }

  get up() {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  figures() {
    const sorted = [...this.#start_ms].sort((a, b) => a - b);
    return {
      starts: this.#start_count, failed_starts: this.#failed_starts, unplanned_exits: this.#unplanned_exits,
      start_ms_max: sorted.at(-1) ?? null, start_ms_median: sorted[Math.floor(sorted.length / 2)] ?? null,
    };
  }

  /** The last lines the server wrote (for a failure message). */
  logTail(count = 30) {
    return this.#log_lines.slice(-count).join('');
  }

  /** Starts the server and resolves once it answers; one start at a time. */
  start() {
    if (this.#stopped) return Promise.resolve();
    this.#starting ??= this.#startUntilHealthy().finally(() => {
      this.#starting = null;
    });
    return this.#starting;
  }

  async #startUntilHealthy() {
    const started_ms = Date.now();
    const deadline_ms = started_ms + START_TIMEOUT_MS;
    while (Date.now() < deadline_ms && !this.#stopped) {
      if (!this.up) this.#spawn();
      while (this.up && Date.now() < deadline_ms && !this.#stopped) {
        if (await healthy(this.base)) {
          this.#start_ms.push(Date.now() - started_ms);
          return;
        }
        await sleep(HEALTH_POLL_MS);
      }
      if (!this.up && !this.#stopped) {
        this.#failed_starts += 1;
        await sleep(START_RETRY_MS);
      }
    }
    if (this.#stopped) return;
    throw new Error(`the server did not answer /healthz within ${START_TIMEOUT_MS} ms; its last lines:\n${this.logTail()}`);
  }

  #spawn() {
    this.#start_count += 1;
    this.#planned_exit = false;
    this.#write(`--- soak: start #${this.#start_count} at ${new Date().toISOString()} ---\n`);
    const child = spawn(process.execPath, [MAIN, 'serve'], { env: this.#env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => this.#write(chunk.toString()));
    child.stderr.on('data', (chunk) => this.#write(chunk.toString()));
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      this.#onExit(child, code, signal);
      resolve();
    }));
  }

  #onExit(child, code, signal) {
    this.#write(`--- soak: server pid ${child.pid} exited (${signal ?? `code ${code}`}) ${this.#planned_exit ? 'as planned' : 'ON ITS OWN'} ---\n`);
    if (this.#planned_exit || this.#starting) return;
    // Not our kill, not our stop, not a failed start: the server died by itself while serving.
    this.#unplanned_exits.push({ at: new Date().toISOString(), code, signal });
    this.start().catch((error) => this.#write(`--- soak: restart failed: ${error.message} ---\n`));
  }

  #write(text) {
    this.#log.write(text);
    this.#log_lines.push(text);
    if (this.#log_lines.length > 200) this.#log_lines.splice(0, 100);
  }

  /** SIGKILL: no shutdown hook runs, whatever was in flight is cut. */
  async kill() {
    if (!this.up) return false;
    this.#planned_exit = true;
    this.#child.kill('SIGKILL');
    await this.#exited;
    return true;
  }

  /** SIGTERM and the product's graceful shutdown; SIGKILL if it overruns. Returns the exit signal or code. */
  async stop() {
    this.#stopped = true;
    await this.#starting?.catch(() => undefined);
    if (!this.up) return null;
    this.#planned_exit = true;
    const child = this.#child;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
    return child.signalCode ?? child.exitCode;
  }

  async close() {
    await new Promise((resolve) => this.#log.end(resolve));
  }
}
