// The soak's HTTP client. A request that meets a dead server (connection refused or reset), a
// timeout or a 5xx is sent again — the same method, body and Idempotency-Key, as a real client
// would — until it gets an answer or the retry window closes. Every answer and every retry is
// counted per request label, for the report.
import { setTimeout as sleep } from 'node:timers/promises';

/** Long enough to outlast a kill and restart, or a PostgreSQL restart. */
export const RETRY_WINDOW_MS = 90_000;
const REQUEST_TIMEOUT_MS = 15_000;
const RETRY_DELAY_MS_MIN = 150;
const RETRY_DELAY_MS_MAX = 1_000;

export class GaveUp extends Error {
  constructor(label, last_problem) {
    super(`${label}: no answer within ${RETRY_WINDOW_MS} ms (last: ${last_problem})`);
    this.name = 'GaveUp';
  }
}

export class HttpClient {
  #base;
  /** label → {sent, answered: {status: count}, network_errors, server_errors, gave_up} */
  stats = {};
  /** label → requests sent and not yet answered (or failed) this moment: what a kill now would cut. */
  #fetching = new Map();

  constructor(base) {
    this.#base = base;
  }

  #count(label) {
    this.stats[label] ??= { sent: 0, answered: {}, network_errors: 0, server_errors: 0, gave_up: 0 };
    return this.stats[label];
  }

  /** Requests on the wire now (sent, no answer yet) whose label `matches`. */
  fetching(matches) {
    let count = 0;
    for (const [label, in_flight] of this.#fetching) if (matches(label)) count += in_flight;
    return count;
  }

  /**
   * Sends until answered with anything but a 5xx. `json` or `form` is the body; `url` may be
   * absolute (the sandbox's pages) or a path. `onRetry(problem)` hears each failed attempt before it
   * is sent again (the error code or `HTTP 5xx`). Returns {status, body, location}.
   */
  async send(label, method, url, { json, form, headers = {}, onRetry } = {}) {
    const stats = this.#count(label);
    const target = url.startsWith('http') ? url : `${this.#base}${url}`;
    const init = { method, headers: { ...headers }, redirect: 'manual' };
    if (json !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(json);
    } else if (form !== undefined) {
      init.body = new URLSearchParams(form).toString();
      init.headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const deadline_ms = Date.now() + RETRY_WINDOW_MS;
    let delay_ms = RETRY_DELAY_MS_MIN;
    let last_problem = 'none';
    while (Date.now() < deadline_ms) {
      stats.sent += 1;
      this.#fetching.set(label, (this.#fetching.get(label) ?? 0) + 1);
      try {
        const response = await fetch(target, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        const text = await response.text();
        if (response.status < 500) {
          stats.answered[response.status] = (stats.answered[response.status] ?? 0) + 1;
          return { status: response.status, body: parseBody(response, text), location: response.headers.get('location') };
        }
        stats.server_errors += 1;
        last_problem = `HTTP ${response.status} ${text.slice(0, 200)}`;
      } catch (error) {
        stats.network_errors += 1;
        last_problem = error.cause?.code ?? error.name ?? String(error);
      } finally {
        this.#fetching.set(label, this.#fetching.get(label) - 1);
      }
      onRetry?.(last_problem);
      await sleep(delay_ms);
      delay_ms = Math.min(RETRY_DELAY_MS_MAX, delay_ms * 2);
    }
    stats.gave_up += 1;
    throw new GaveUp(label, last_problem);
  }
}

function parseBody(response, text) {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
