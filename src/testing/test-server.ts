import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ConsoleSmsSender } from '../adapters/sms/console/console-sms-sender.js';
import type { AppContext } from '../app/context.js';
import { createLogger } from '../channels/http/logging.js';
import { buildServer, type ServerOptions } from '../channels/http/server.js';
import type { Database } from '../db/database.js';
import type { OutboxWorker } from '../services/jobs/worker.js';
import { seededContext, type SeededContext } from './seeded-context.js';

/**
 * The HTTP server in-process (Fastify's inject, no socket), with a logger whose JSON lines the
 * test can read back; and the usual suite over it: demo data, a manual clock, an outbox worker the
 * test drains itself, and the console SMS driver whose messages the test reads.
 */

export const TEST_NETWORK_TOKEN = 'test-network-token-0123456789abcdef';

export interface LogCapture {
  readonly destination: Writable;
  /** Every JSON line written so far, as text. */
  text(): string;
  records(): Array<Record<string, unknown>>;
}

export function captureLogs(): LogCapture {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  return {
    destination,
    text,
    records: () => text().split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

export function testServer(context: AppContext, options: ServerOptions & { logs?: LogCapture } = {}) {
  const logger = options.logger ?? createLogger({ level: options.logs ? 'trace' : 'silent', ...(options.logs ? { destination: options.logs.destination } : {}) });
  return buildServer(context, { ...options, logger });
}

export interface SeededServer extends SeededContext {
  readonly server: ReturnType<typeof testServer>;
  /** Not started: the test runs due jobs with drainOnce(), so nothing happens behind its back. */
  readonly worker: OutboxWorker;
  readonly sms: ConsoleSmsSender;
}

/** seededContext, its server and its worker; the caller closes the server (which closes nothing else). */
export async function seededServer(database: Database, environment: Record<string, string> = {}): Promise<SeededServer> {
  const seeded = await seededContext(database, environment);
  const server = testServer(seeded.context);
  const worker = seeded.context.createWorker();
  assert.ok(seeded.context.sms instanceof ConsoleSmsSender, 'the test configuration sends SMS through the console driver');
  return { ...seeded, server, worker, sms: seeded.context.sms };
}

/** A form-encoded Africa's Talking callback body. */
export function atForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}
