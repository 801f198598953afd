import { fork } from 'node:child_process';
import { createServer } from 'node:net';

/** How long the bench server may take to open its database and listen. */
const SERVER_START_TIMEOUT_MS = 60_000;

/** A free TCP port on loopback (the server must know its public URL before it listens). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts bench/lib/server-process.mjs over the database at `where` (see temp-database.mjs).
 * Options: seed_demo (the demo catalog and lines), worker (the outbox worker, as `roamcard serve`).
 * Returns {base, pid, rss(), probe(name, input), stop()}. With BENCH_PROFILE_DIR set, the server
 * writes a V8 CPU profile there when it stops (open it in Chrome DevTools or speedscope).
 */
export async function startServer(where, { seed_demo = false, worker = false } = {}) {
  const port = await freePort();
  const profile_dir = process.env.BENCH_PROFILE_DIR;
  const child = fork(new URL('./server-process.mjs', import.meta.url), [], {
    execArgv: profile_dir ? ['--cpu-prof', `--cpu-prof-dir=${profile_dir}`] : [],
    env: { ...process.env, BENCH_SERVER: JSON.stringify({ where, port, seed_demo, worker }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map();
  let next_id = 0;
  let exited = null;
  const exitedPromise = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    for (const { reject } of pending.values()) reject(new Error(`bench server exited (${code ?? signal})`));
    pending.clear();
    resolve(exited);
  }));
  child.on('message', (message) => {
    const key = message.type === 'probe' ? `probe:${message.id}` : message.type;
    const waiter = pending.get(key);
    if (!waiter) return;
    pending.delete(key);
    if (message.error) waiter.reject(new Error(`bench server: ${message.error}`));
    else waiter.resolve(message);
  });
  const ask = (key, message, timeout_ms = 0) => new Promise((resolve, reject) => {
    if (exited) return reject(new Error(`bench server exited (${exited.code ?? exited.signal})`));
    pending.set(key, { resolve, reject });
    if (message) child.send(message);
    if (timeout_ms > 0) {
      setTimeout(() => {
        if (!pending.delete(key)) return;
        reject(new Error(`bench server: no ${key} within ${timeout_ms} ms`));
      }, timeout_ms).unref();
    }
  });
  await ask('ready', null, SERVER_START_TIMEOUT_MS);
  return {
    base: `http://127.0.0.1:${port}`,
    pid: child.pid,
    rss: async () => ask('rss', { type: 'rss' }),
    probe: async (probe, input) => {
      const id = next_id++;
      return (await ask(`probe:${id}`, { type: 'probe', id, probe, input })).result;
    },
    stop: async () => {
      if (!exited) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}
