import type { IncomingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What every provider's local fake (`<name>-fake-server.ts`) does the same way: listen on
 * loopback at a port the system picks, read one header, answer late when a test asks for a slow
 * provider, and close at once when the test is done.
 */

/** A fake takes request bodies up to this; its adapter never sends more than a few kilobytes. */
export const FAKE_REQUEST_BYTES_MAX = 1024 * 1024;

/** Starts `server` on 127.0.0.1 (never reachable from elsewhere) and returns its origin, "http://127.0.0.1:PORT". */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes `server` now, open keep-alive connections included, so a test's `after` never waits on a client. */
export async function closeNow(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

/** A header's value; the first one when it was sent more than once. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Answers held back to play a slow provider: each is sent after its delay unless the client gave up, and `clear` drops the rest. */
export class DelayedAnswers {
  readonly #timers = new Set<NodeJS.Timeout>();

  send(response: ServerResponse, delay_ms: number, answer: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!response.destroyed) answer();
    }, delay_ms);
    this.#timers.add(timer);
  }

  clear(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
