import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { AppContext } from '../../app/context.js';
import { trustProxyOption } from './client-guards.js';
import { createLogger } from './logging.js';
import { metricsRoutes, ServerMetrics } from './metrics.js';
import { deskSubscribersRoutes } from './routes/desk-subscribers.js';
import { docsRoutes, registerOpenApi } from './openapi.js';
import { handleError, notFoundHandler } from './problem-details.js';
import { databaseProbe, READINESS_TIMEOUT_MS, type ReadinessProbe } from './readiness.js';
import { defaultSecurityHeaders } from './security-headers.js';
import { healthRoutes } from './routes/health.js';
import { packagesRoutes } from './routes/packages.js';
import { usageEventsRoutes } from './routes/usage-events.js';
import { networkBlocksRoutes } from './routes/network-blocks.js';
import { ussdAtRoutes } from './routes/ussd-at.js';
import { ordersRoutes } from './routes/orders.js';
import { webhooksRoutes } from './routes/webhooks.js';
import { customerChannel } from './routes/customer-api.js';
import { staffApiRoutes } from './routes/staff-api.js';
import { deskApiRoutes } from './routes/desk-api.js';
import { osmpRoutes } from './routes/osmp.js';
import { partnerApiRoutes } from './routes/partner-api.js';
import { sandboxPages } from '../../adapters/payments/sandbox/sandbox-pages.js';
import { customerSite } from '../web/site/customer-site.js';
import { deskPages } from '../web/desk/desk-pages.js';
import { receiptPages } from '../web/receipt-pages.js';
import { paymentLinkPages } from '../web/payment-link-pages.js';
import { ReceiptService } from '../../services/receipts/receipt-service.js';
import { jobCounts } from '../../services/jobs/outbox.js';
import { openPaymentCounts } from '../../services/renewal/reports.js';
import { USSD_DEADLINE_MS_DEFAULT } from '../ussd/session.js';
import { ussdSessionDependencies } from '../ussd/dependencies.js';
import type { StaffAuthenticator } from './staff-guard.js';

/**
 * The HTTP server: one Fastify instance, each part an encapsulated plugin given exactly what it
 * needs. Cross-cutting concerns sit on the root and so reach every route: problem details for
 * errors and unknown routes, request ids, default security headers, and the request duration histogram.
 */

export interface ServerOptions {
  /** JSON logger; by default one writing to stdout at the configured level. */
  readonly logger?: Logger;
  /** How /readyz checks the database; by default `select 1` on the context's database. */
  readonly readiness_probe?: ReadinessProbe;
  readonly readiness_timeout_ms?: number;
  readonly ussd_deadline_ms?: number;
  /** Who the staff routes take a bearer token from; the context's staff sign-in by default (tests may give their own). */
  readonly staff_authenticator?: StaffAuthenticator;
}

/** Bodies of our endpoints are small; routes set tighter limits where they know better. */
export const BODY_BYTES_MAX = 64 * 1024;
/** A whole request, headers to last body byte, must arrive within this. */
export const REQUEST_TIMEOUT_MS = 30_000;
export const REQUEST_ID_HEADER = 'x-request-id';

export function buildServer(context: AppContext, options: ServerOptions = {}) {
  const { config, services, database } = context;
  const logger: FastifyBaseLogger = options.logger ?? createLogger({ level: config.log_level });
  const app = Fastify({
    loggerInstance: logger,
    // Our own ids only: a caller-chosen id would be an unbounded string in every log line.
    genReqId: () => randomUUID(),
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    bodyLimit: BODY_BYTES_MAX,
    requestTimeout: REQUEST_TIMEOUT_MS,
    return503OnClosing: true,
    trustProxy: trustProxyOption(config.trust_proxy),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError(config.default_language));
  app.setNotFoundHandler(notFoundHandler(config.default_language));

  const metrics = new ServerMetrics();
  app.addHook('onSend', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
  });
  app.addHook('onSend', defaultSecurityHeaders);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
    metrics.observeRequest({ route, method: request.method, status_code: reply.statusCode }, reply.elapsedTime);
  });

  registerOpenApi(app, packageVersion());
  app.register(docsRoutes);
  app.register(metricsRoutes, { metrics, token: config.metrics_token, default_language: config.default_language });
  app.register(healthRoutes, {
    probe: options.readiness_probe ?? databaseProbe(database),
    timeout_ms: options.readiness_timeout_ms ?? READINESS_TIMEOUT_MS,
    dialect: database.dialect,
    default_language: config.default_language,
  });
  app.register(ussdAtRoutes, {
    metrics,
    gateway: config.ussd_gateway,
    session: ussdSessionDependencies(context, { deadline_ms: options.ussd_deadline_ms ?? USSD_DEADLINE_MS_DEFAULT }),
  });
  app.register(packagesRoutes, { services, default_language: config.default_language });
  app.register(usageEventsRoutes, { services, token: config.network_api_token, metrics, default_language: config.default_language });
  app.register(networkBlocksRoutes, {
    blocks: context.network_blocks, token: config.network_api_token, default_language: config.default_language,
  });
  app.register(customerChannel, {
    customers: context.customers, clock: context.clock, public_base_url: config.public_base_url, default_language: config.default_language,
  });
  app.register(staffApiRoutes, { staff: context.staff, default_language: config.default_language });
  // After the customer channel: paying from the wallet reads the signed-in customer.
  app.register(ordersRoutes, {
    renewal: context.renewal, customers: context.customers, payment_methods: () => context.payments.router.methods(),
    test_mode: context.payments.test_mode,
    default_language: config.default_language, admin_token: config.admin_api_token, fiscal: context.fiscal,
  });
  app.register(deskApiRoutes, {
    desk: context.desk, authenticator: options.staff_authenticator ?? context.staff_authenticator,
    default_language: config.default_language,
  });
  // Payment agents: real endpoints in every mode (each partner is a row an operator created), never behind test mode.
  app.register(osmpRoutes, { partners: context.partners });
  app.register(partnerApiRoutes, { partners: context.partners });
  app.register(webhooksRoutes, {
    renewal: context.renewal, onOutcome: (provider, outcome) => metrics.webhooks_total.inc({ provider, outcome }),
  });
  // Test mode only: without it no sandbox page exists, so nothing can be "paid" there.
  const { sandbox } = context.payments;
  if (sandbox) app.register(sandboxPages, { sandbox, clock: context.clock });
  app.register(deskSubscribersRoutes, {
    subscribers: context.desk_subscribers, authenticator: options.staff_authenticator ?? context.staff_authenticator,
    default_language: config.default_language,
  });
  app.register(customerSite, { context });
  app.register(deskPages, { context });
  app.register(paymentLinkPages, { lineRenewal: context.lineRenewal, default_language: config.default_language });
  app.register(receiptPages, {
    receipts: new ReceiptService({ database, clock: context.clock, seller: config.seller, test_mode: context.payments.test_mode }),
    renewal: context.renewal, public_base_url: config.public_base_url, default_language: config.default_language,
    fiscal: context.fiscal,
  });
  metrics.beforeScrape = async () => {
    metrics.jobs.reset();
    for (const row of await jobCounts(database.db)) metrics.jobs.set({ kind: row.kind, status: row.status }, row.count);
    metrics.payments_open.reset();
    for (const row of await openPaymentCounts(database.db)) {
      metrics.payments_open.set({ provider: row.provider, status: row.status }, row.count);
    }
    const fiscal = await context.fiscal.attention(config.fiscal_pending_alert_ms);
    metrics.fiscal_documents_attention.set({ state: 'pending_overdue' }, fiscal.pending_overdue);
    metrics.fiscal_documents_attention.set({ state: 'failed' }, fiscal.failed);
  };
  return Object.assign(app, { metrics });
}

export type Server = ReturnType<typeof buildServer>;

/** The version in the OpenAPI document: package.json's, read once at start. */
function packageVersion(): string {
  try {
    const file = new URL('../../../../package.json', import.meta.url);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
