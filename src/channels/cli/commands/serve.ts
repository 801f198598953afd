import closeWithGrace from 'close-with-grace';
import type { Command } from 'commander';
import { isEmptyDatabase, openAppContext, type AppContext } from '../../../app/context.js';
import { loadConfig, paygTariff, type Config } from '../../../config.js';
import { DEMO_PARTNER, DEMO_PARTNER_SECRETS, DEMO_STAFF, seedDemo } from '../../../services/demo/seed.js';
import type { Server } from '../../http/server.js';
import type { SmppGatewayEvent } from '../../../app/smpp-gateway.js';
import { ussdAnswerer } from '../../../app/ussd-engine.js';

/**
 * `roamcard serve [--demo-if-empty]`: the HTTP server until SIGINT/SIGTERM. A bad configuration
 * stops the start before anything is opened (runCommand prints the ConfigError, exit code 1).
 * Shutdown is graceful within SHUTDOWN_GRACE_MS: stop accepting, let in-flight requests finish,
 * close the database; past the grace period the process exits with code 1.
 */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API, USSD callback, /docs and /metrics on HOST:PORT')
    .option('--demo-if-empty', 'seed the demo catalog, stores and lines first when the database has no line yet')
    .action(async (options: { demoIfEmpty?: boolean }) => {
      const config = loadConfig();
      // Loaded here, not at the top: every other command starts faster without Fastify and Swagger.
      const { buildServer } = await import('../../http/server.js');
      const context = await openAppContext(config);
      const app = buildServer(context);
      try {
        if (options.demoIfEmpty) await seedIfEmpty(context, app);
        await app.listen({ host: config.host, port: config.port });
      } catch (error) {
        await app.close();
        await context.close();
        throw error;
      }
      // Where receipts are e-mailed from (never the credentials): "smtp mail.example.com:587", "console" or "none".
      const mail = config.mail.smtp ? `smtp ${config.mail.smtp.server.host}:${config.mail.smtp.server.port}` : config.mail.driver;
      app.log.info({ url: serverUrl(config), docs: `${serverUrl(config)}/docs`, database: context.database.description, mail }, 'roamcard is serving');
      for (const warning of config.warnings) app.log.warn(warning);
      const background = startBackgroundWork(context, app);
      stopGracefully(config, app, context, background);
    });
}

async function seedIfEmpty(context: AppContext, app: Server): Promise<void> {
  if (!(await isEmptyDatabase(context.database))) {
    // A demo server restarted without AUTH_SECRET: the demo agent's TOTP is sealed again (see resealDemoTotp).
    if (context.config.auth.secret_generated) {
      for (const member of DEMO_STAFF) await context.staff.resealDemoTotp(member);
      // Likewise the demo partner's HMAC key, when the demo partner is there.
      if ((await context.partners.listPartners()).some((partner) => partner.code === DEMO_PARTNER.code)) {
        await context.partners.ensurePartner(DEMO_PARTNER, DEMO_PARTNER_SECRETS);
      }
    }
    return;
  }
  const summary = await seedDemo(context.database, paygTariff(context.config), context.services.clock.now_ms(), {
    // The demo partner's credentials are published: it exists only where payments are in test mode.
    staff: context.staff, partners: context.payments.test_mode ? context.partners : undefined,
  });
  app.log.info({ demo: summary }, 'empty database: demo data seeded');
}

/**
 * The outbox worker (activation, refunds, provider webhooks of the sandbox) and the reconciliation
 * loop (stuck payments, expired orders) run inside the server process; several servers may run
 * them at once (jobs are claimed with SKIP LOCKED on PostgreSQL).
 */
function startBackgroundWork(context: AppContext, app: Server): { stop(): Promise<void> } {
  startSmppLink(context, app);
  const worker = context.createWorker({
    onOutcome: (kind, outcome, error) => {
      app.metrics.jobs_finished_total.inc({ kind, outcome });
      if (outcome !== 'done') app.log.warn({ kind, outcome, detail: error instanceof Error ? error.message : String(error) }, 'job attempt failed');
    },
  });
  worker.start();
  let reconciling: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    // Spent one-time codes, ended sessions and old rate-limit windows: housekeeping, any instant.
    void context.customers.purgeExpired().catch((error: unknown) => app.log.warn({ err: error }, 'purging expired sign-in records failed'));
    // Packs ending within 24 hours: their expiry alert, a bounded batch per tick.
    void context.notices.sweepExpiringPacks().catch((error: unknown) => app.log.warn({ err: error }, 'expiry alert sweep failed'));
    reconciling = context.renewal.reconcile().then(
      (report) => {
        app.metrics.reconciliation_total.inc({ result: 'refreshed' }, report.refreshed);
        app.metrics.reconciliation_total.inc({ result: 'expired' }, report.expired);
        app.metrics.reconciliation_total.inc({ result: 'error' }, report.errors);
      },
      (error: unknown) => app.log.warn({ err: error }, 'reconciliation pass failed'),
    );
  }, context.config.reconcile_interval_ms);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await reconciling;
      await worker.stop();
    },
  };
}

/**
 * SMS_DRIVER=smpp: the one SMPP link of this server carries SMS out (the outbox worker's sms.send
 * jobs) and USSD in, answered by the same session engine as POST /ussd/at. It reconnects by itself;
 * the context's close() unbinds it at shutdown.
 */
function startSmppLink(context: AppContext, app: Server): void {
  if (!context.smpp) return;
  const log = app.log.child({ component: 'smpp' });
  context.smpp.start({
    ussdAnswer: ussdAnswerer(context, { onFailure: (error) => log.error({ err: error }, 'USSD reply failed on our side') }),
    onEvent: (event) => logSmppEvent(log, event),
  });
}

/** Events carry no number, text or password: they are safe to log as they are. */
function logSmppEvent(log: Server['log'], event: SmppGatewayEvent): void {
  switch (event.type) {
    case 'bound': log.info('SMPP link bound'); return;
    case 'down': log.warn({ reason: event.reason }, 'SMPP link down'); return;
    case 'closed': log.info('SMPP link unbound and closed'); return;
    case 'bind_refused': log.error({ status: event.status }, 'SMPP bind refused: check SMPP_SYSTEM_ID and SMPP_PASSWORD'); return;
    case 'reconnecting': log.info({ delay_ms: event.delay_ms, attempt: event.attempt }, 'SMPP link reconnecting'); return;
    case 'receipt': log.debug({ status: event.status, recorded: event.recorded }, 'SMS delivery receipt'); return;
    case 'mobile_originated_ignored': log.debug('incoming SMS ignored'); return;
    case 'ussd_without_engine': log.warn('USSD step received but no USSD engine is wired'); return;
    case 'ussd': {
      const { event: ussd } = event;
      if (ussd.type === 'answer_failed') log.error({ err: ussd.error }, 'USSD over SMPP: no answer');
      else if (ussd.type === 'reply_failed') log.warn({ reason: ussd.reason }, 'USSD over SMPP: reply not taken');
      else log.debug({ ussd }, 'USSD over SMPP');
      return;
    }
  }
}

function stopGracefully(config: Config, app: Server, context: AppContext, background: { stop(): Promise<void> }): void {
  closeWithGrace(
    { delay: config.shutdown_grace_ms, logger: { error: (message: unknown) => app.log.error({ detail: String(message) }, 'shutdown problem') } },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'stopping after an uncaught error');
      else app.log.info({ signal }, 'stopping: no new connections, finishing requests in flight');
      await app.close();
      await background.stop();
      await context.close();
      app.log.info('stopped');
    },
  );
}

/** Where to reach the server from this machine (a wildcard address is not a URL one can open). */
function serverUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}
