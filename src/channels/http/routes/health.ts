import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { describeError } from '../../../core/i18n/format.js';
import type { Language } from '../../../core/i18n/languages.js';
import { RoamError } from '../../../core/errors.js';
import { problem, problemResponse, requestLanguage, sendProblem } from '../problem-details.js';
import { checkReadiness, type ReadinessProbe } from '../readiness.js';

export interface HealthOptions {
  readonly probe: ReadinessProbe;
  readonly timeout_ms: number;
  readonly dialect: string;
  readonly default_language: Language;
}

/** Liveness (the process answers) and readiness (the database answers too), for orchestrators. */
export const healthRoutes: FastifyPluginAsyncZod<HealthOptions> = async (app, options) => {
  app.get('/healthz', {
    schema: {
      tags: ['operations'],
      summary: 'Liveness: the process is up',
      description: 'Answers 200 whenever the process can serve HTTP; it does not touch the database.',
      response: { 200: z.object({ status: z.literal('ok'), uptime_s: z.number() }) },
    },
  }, async () => ({ status: 'ok' as const, uptime_s: Math.round(process.uptime()) }));

  app.get('/readyz', {
    schema: {
      tags: ['operations'],
      summary: 'Readiness: the database answers',
      description: `Runs \`select 1\` with a ${options.timeout_ms} ms deadline. 503 with problem details when the database is unreachable or slow.`,
      response: {
        200: z.object({ status: z.literal('ready'), database: z.string(), latency_ms: z.number() }),
        503: problemResponse('The database did not answer in time, or failed'),
      },
    },
  }, async (request, reply) => {
    const readiness = await checkReadiness(options.probe, options.timeout_ms);
    if (readiness.ready) return { status: 'ready' as const, database: options.dialect, latency_ms: readiness.latency_ms };
    request.log.warn({ reason: readiness.reason, err: readiness.error }, 'not ready: database check failed');
    const language = requestLanguage(request, options.default_language);
    return sendProblem(reply, problem(request, 'ROAM_ERR_UNAVAILABLE', 503, describeError(new RoamError('ROAM_ERR_UNAVAILABLE'), language)));
  });
};
