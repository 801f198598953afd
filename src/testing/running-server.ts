import { contextOver, type AppContext } from '../app/context.js';
import { loadConfig, paygTariff } from '../config.js';
import type { Database } from '../db/database.js';
import { systemClock, type ManualClock } from '../ports/clock.js';
import { seedDemo } from '../services/demo/seed.js';
import type { OutboxWorker } from '../services/jobs/worker.js';
import { freePort } from './net.js';
import { testServer, type LogCapture } from './test-server.js';
import { drainUntilIdle } from './waiting.js';

/**
 * The whole server on a loopback port, as a browser or a provider meets it: demo data, and the
 * outbox worker delivering the sandbox's signed webhooks back over HTTP — nothing short-circuited.
 * For tests whose subject is that path; a test about one route is faster over inject (test-server.ts).
 *
 * Two ways to run the worker. Given a ManualClock, the worker does not run by itself: the test
 * calls settle() where a customer would wait, and every job due by then has run when it returns —
 * no polling, no deadline. Without one (the browser suites), the real clock and a worker polling in
 * the background, as in production.
 */
export interface RunningServer {
  /** `http://127.0.0.1:<port>`, also the configured PUBLIC_BASE_URL. */
  readonly base: string;
  readonly context: AppContext;
  readonly worker: OutboxWorker;
  /** Runs the due outbox jobs and those they enqueue, until none is left (manual clock only). */
  settle(): Promise<number>;
  /** Stops the worker, then the server; the database stays open for its owner. */
  stop(): Promise<void>;
}

export interface RunningServerOptions {
  /** Environment variables for loadConfig, over LOG_LEVEL, PORT and PUBLIC_BASE_URL. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly logs?: LogCapture;
  readonly clock?: ManualClock;
}

/** Short, so that a test waiting for a webhook or an activation waits for the work, not the poll. */
export const RUNNING_WORKER_POLL_MS = 20;

export async function startServer(database: Database, options: RunningServerOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const environment = { LOG_LEVEL: 'silent', PORT: String(port), PUBLIC_BASE_URL: base, ...options.environment };
  const config = loadConfig(environment);
  const clock = options.clock ?? systemClock;
  const context = contextOver(config, database, clock, { environment });
  // As `npm start` seeds it: the demo desk agent included.
  await seedDemo(database, paygTariff(config), clock.now_ms(), { staff: context.staff, partners: context.partners });
  const server = testServer(context, options.logs ? { logs: options.logs } : {});
  await server.listen({ host: '127.0.0.1', port });
  const worker = context.createWorker({ poll_interval_ms: RUNNING_WORKER_POLL_MS });
  if (!options.clock) worker.start();
  return {
    base,
    context,
    worker,
    async settle() {
      if (!options.clock) throw new Error('settle() is for a server on a manual clock: this worker runs by itself');
      return drainUntilIdle(worker);
    },
    async stop() {
      await worker.stop();
      await server.close();
    },
  };
}
