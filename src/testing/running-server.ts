import { contextOver, type AppContext } from '../app/context.js';
import { loadConfig, paygTariff } from '../config.js';
import type { Database } from '../db/database.js';
import { systemClock } from '../ports/clock.js';
import { seedDemo } from '../services/demo/seed.js';
import type { OutboxWorker } from '../services/jobs/worker.js';
import { freePort } from './net.js';
import { testServer, type LogCapture } from './test-server.js';

/**
 * The whole server on a loopback port, as a browser or a provider meets it: demo data, the real
 * clock, and the outbox worker running in the background, delivering the sandbox's signed webhooks
 * back over HTTP — nothing short-circuited. For tests whose subject is that path; a test about one
 * route is faster and exact over inject (test-server.ts).
 */
export interface RunningServer {
  /** `http://127.0.0.1:<port>`, also the configured PUBLIC_BASE_URL. */
  readonly base: string;
  readonly context: AppContext;
  readonly worker: OutboxWorker;
  /** Stops the worker, then the server; the database stays open for its owner. */
  stop(): Promise<void>;
}

export interface RunningServerOptions {
  /** Environment variables for loadConfig, over LOG_LEVEL, PORT and PUBLIC_BASE_URL. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly logs?: LogCapture;
}

/** Short, so that a test waiting for a webhook or an activation waits for the work, not the poll. */
export const RUNNING_WORKER_POLL_MS = 20;

export async function startServer(database: Database, options: RunningServerOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const environment = { LOG_LEVEL: 'silent', PORT: String(port), PUBLIC_BASE_URL: base, ...options.environment };
  const config = loadConfig(environment);
  await seedDemo(database, paygTariff(config), systemClock.now_ms());
  const context = contextOver(config, database, systemClock, { environment });
  const server = testServer(context, options.logs ? { logs: options.logs } : {});
  await server.listen({ host: '127.0.0.1', port });
  const worker = context.createWorker({ poll_interval_ms: RUNNING_WORKER_POLL_MS });
  worker.start();
  return {
    base,
    context,
    worker,
    async stop() {
      await worker.stop();
      await server.close();
    },
  };
}
