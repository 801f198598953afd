import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import { AddressList, LOOPBACK_RANGES } from '../../core/address-list.js';
import type { Language } from '../../core/i18n/languages.js';
import type { UsageResult } from '../../services/charging/usage.js';
import { requireBearer } from './bearer-auth.js';
import { guardCaller } from './client-guards.js';
import { problemResponse } from './problem-details.js';

/**
 * Prometheus metrics of one server instance: its own registry (not prom-client's global one), so
 * servers built side by side in tests do not share counters. Every label has a bounded set of
 * values: routes are route patterns ("unmatched" for 404s), USSD codes are canonical or "unknown".
 */

/** Request latency buckets, seconds: USSD must answer well under the gateway's 10 s. */
export const REQUEST_DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class ServerMetrics {
  readonly registry = new Registry();

  readonly http_request_duration_seconds = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by route pattern, method and status code',
    labelNames: ['route', 'method', 'status_code'] as const,
    buckets: REQUEST_DURATION_BUCKETS_S,
    registers: [this.registry],
  });

  readonly ussd_replies_total = this.#counter('roamcard_ussd_replies_total',
    'USSD screens sent, by canonical code (or "unknown") and outcome', ['code', 'outcome']);

  readonly usage_charges_total = this.#counter('roamcard_usage_charges_total',
    'Usage events charged through the API, by kind and result (granted, partial, denied, replayed)', ['kind', 'result']);

  readonly usage_units_total = this.#counter('roamcard_usage_units_total',
    'Usage units charged through the API (bytes, seconds, messages), by kind and whether they were granted or denied', ['kind', 'disposition']);

  readonly webhooks_total = this.#counter('roamcard_payment_webhooks_total',
    'Provider webhooks received, by provider and outcome (activated, duplicate, rejected, retry …)', ['provider', 'outcome']);

  readonly jobs_finished_total = this.#counter('roamcard_jobs_finished_total',
    'Outbox job attempts finished by this process, by kind and outcome (done, retry, dead)', ['kind', 'outcome']);

  readonly reconciliation_total = this.#counter('roamcard_reconciliation_total',
    'Reconciliation results: payments asked about again, orders expired, errors', ['result']);

  /** Jobs in the outbox by kind and status (dead letters show here), read from the database at scrape time. */
  readonly jobs = this.#gauge('roamcard_jobs', 'Outbox jobs by kind and status (pending, running, done, dead)', ['kind', 'status']);

  /** Payments not final, by status; read from the database at scrape time. */
  readonly payments_open = this.#gauge('roamcard_payments_open',
    'Payments not yet final, by provider and status (pending, requires_action)', ['provider', 'status']);

  /**
   * Fiscal documents that need a person, read from the database at scrape time: `pending_overdue`
   * (not registered FISCAL_PENDING_ALERT_MINUTES after they were queued) and `failed` (refused by the register).
   */
  readonly fiscal_documents_attention = this.#gauge('roamcard_fiscal_documents_attention',
    'Fiscal documents (54-FZ) not registered: pending beyond FISCAL_PENDING_ALERT_MINUTES, or failed', ['state']);

  /** Called before each scrape to refresh the database-backed gauges. */
  beforeScrape: (() => Promise<void>) | undefined;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  #counter<Label extends string>(name: string, help: string, labelNames: readonly Label[]): Counter<Label> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  #gauge<Label extends string>(name: string, help: string, labelNames: readonly Label[]): Gauge<Label> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  observeRequest(labels: { route: string; method: string; status_code: number }, duration_ms: number): void {
    this.http_request_duration_seconds.observe({ ...labels, status_code: String(labels.status_code) }, duration_ms / 1000);
  }

  countUsage(result: UsageResult): void {
    this.usage_charges_total.inc({ kind: result.kind, result: result.replayed ? 'replayed' : grantOutcome(result) });
    // A replay charged nothing new: counting its units again would double them.
    if (result.replayed) return;
    this.usage_units_total.inc({ kind: result.kind, disposition: 'granted' }, result.granted);
    this.usage_units_total.inc({ kind: result.kind, disposition: 'denied' }, result.denied);
  }
}

export type GrantOutcome = 'granted' | 'partial' | 'denied';

/** How much of an event was allowed: all of it, part of it, or none. */
export function grantOutcome(result: Pick<UsageResult, 'granted' | 'denied'>): GrantOutcome {
  if (result.denied === 0) return 'granted';
  return result.granted === 0 ? 'denied' : 'partial';
}

export interface MetricsRouteOptions {
  readonly metrics: ServerMetrics;
  /** METRICS_TOKEN: the scraper's bearer token; unset, only loopback clients may scrape. */
  readonly token: string | undefined;
  readonly default_language: Language;
}

const LOOPBACK_CLIENTS = AddressList.of(LOOPBACK_RANGES);
const REALM = 'roamcard metrics';

/**
 * Prometheus exposition at /metrics — for the operator's scraper only: routes, rates, payment and
 * job counts and process internals tell an outsider too much. With METRICS_TOKEN the bearer token
 * is needed (from anywhere, loopback included); without it only loopback clients are answered, so
 * Prometheus on the same host works out of the box. "Loopback" is the resolved client address
 * (TRUST_PROXY), so a reverse proxy on this machine does not open it to everyone.
 */
export const metricsRoutes: FastifyPluginAsyncZod<MetricsRouteOptions> = async (app, options) => {
  app.addHook('onRequest', options.token === undefined
    ? guardCaller({ caller: 'metrics', allow: LOOPBACK_CLIENTS, realm: REALM, default_language: options.default_language })
    : requireBearer(options.token, options.default_language, REALM));

  app.get('/metrics', {
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      description: [
        'Text exposition format. Process and Node.js defaults, `http_request_duration_seconds` by route/method/status_code,',
        '`roamcard_ussd_replies_total` by code/outcome, `roamcard_usage_charges_total` by kind/result and',
        '`roamcard_usage_units_total` by kind/disposition.',
        'Bearer METRICS_TOKEN when it is set; without it, loopback clients only.',
      ].join(' '),
      response: {
        200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } },
        401: problemResponse('METRICS_TOKEN is set and the bearer token is missing or wrong'),
        403: problemResponse('METRICS_TOKEN is unset and the client is not on this machine (loopback)'),
      },
    },
  }, async (request, reply) => {
    // A database that is away must not take the process metrics down with it.
    await options.metrics.beforeScrape?.().catch((error: unknown) => request.log.warn({ err: error }, 'database gauges not refreshed'));
    const text = await options.metrics.registry.metrics();
    return reply.type(options.metrics.registry.contentType).send(text);
  });
};
