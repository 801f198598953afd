import os from 'node:os';

/** What the figures were measured on: they mean little without it (and without the load). */
export function describeMachine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model ?? 'unknown',
    memory_mb: Math.round(os.totalmem() / 1_048_576),
    memory_free_mb: Math.round(os.freemem() / 1_048_576),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    load_average: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}
