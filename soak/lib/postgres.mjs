// The database going away for a few seconds: the local PostgreSQL cluster restarted with
// pg_ctlcluster while the load runs. Other engineers' tests share this cluster, so the outage is
// one restart (a few seconds), and whatever happens to the soak, the cluster is started again.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CONFIG_FOLDER = '/etc/postgresql';
const CLUSTER = 'main';
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 200;

function clusterVersion() {
  if (!existsSync(CONFIG_FOLDER)) return null;
  return readdirSync(CONFIG_FOLDER).sort().at(-1) ?? null;
}

/** Why this machine's PostgreSQL cannot be restarted by the soak; null when it can. */
export function restartImpossibleReason(database_url) {
  const host = new URL(database_url).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) return `DATABASE_URL points at ${host}, not this machine`;
  if (process.getuid?.() !== 0) return 'restarting PostgreSQL needs root (pg_ctlcluster)';
  if (!clusterVersion()) return `no PostgreSQL cluster under ${CONFIG_FOLDER}`;
  return null;
}

/**
 * pg_ctlcluster in a process group of its own: a Ctrl-C of the soak must not stop it between the
 * stop and the start of a restart. Never killed by us (pg_ctl has its own timeout).
 */
function ctl(action) {
  return new Promise((resolve, reject) => {
    const child = spawn('pg_ctlcluster', ['--skip-systemctl-redirect', clusterVersion(), CLUSTER, action], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctlcluster ${action} exited ${code}: ${stderr.trim()}`))));
  });
}

async function isReady() {
  try {
    await run('pg_isready', ['-h', '127.0.0.1', '-q'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

async function waitReady() {
  const deadline_ms = Date.now() + READY_TIMEOUT_MS;
  while (!(await isReady())) {
    if (Date.now() > deadline_ms) throw new Error(`PostgreSQL not ready ${READY_TIMEOUT_MS} ms after its restart`);
    await sleep(READY_POLL_MS);
  }
}

/** Restarts the cluster and waits until it accepts connections; returns the outage in ms. */
export async function restartPostgres() {
  const started_ms = Date.now();
  try {
    await ctl('restart');
  } finally {
    await ensurePostgresRunning();
  }
  await waitReady();
  return Date.now() - started_ms;
}

/** Starts the cluster if it is down (after a failed restart, or a soak that stopped half-way). */
export async function ensurePostgresRunning() {
  if (!clusterVersion() || (await isReady())) return;
  await ctl('start').catch(() => undefined); // "already running" is fine
  await waitReady();
}
