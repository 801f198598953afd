import formbody from '@fastify/formbody';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { answerUssd, type UssdSessionDependencies } from '../../ussd/session.js';
import {
  africasTalkingRequestSchema,
  missingFields,
  toAfricasTalkingReply,
  toUssdRequest,
  type AfricasTalkingRequest,
} from '../../ussd/transports/africas-talking/africas-talking.js';
import { guardCaller, type CallerGuard } from '../client-guards.js';
import type { ServerMetrics } from '../metrics.js';
import { problemResponse } from '../problem-details.js';

export interface UssdAtOptions {
  readonly session: Omit<UssdSessionDependencies, 'onFailure'>;
  readonly metrics: ServerMetrics;
  /** Who may call: USSD_GATEWAY_ALLOW, and USSD_GATEWAY_USERNAME/PASSWORD when set. */
  readonly gateway: Pick<CallerGuard, 'allow' | 'credentials'>;
}

/** A USSD callback is five short fields; anything bigger is not from a gateway. */
export const USSD_BODY_BYTES_MAX = 4 * 1024;

/**
 * The Africa's Talking USSD callback. To the gateway, always HTTP 200 with `CON …` or `END …`: it
 * shows our text to the customer, while a 4xx would end the session with the operator's generic
 * error. So even a malformed request gets a readable `END` (and a warning in our log). Anyone
 * else — an address not on the allow-list, wrong or missing credentials — is refused before the
 * body is read (403 / 401), and so cannot ask what a number's balance is, or whether it is ours.
 */
export const ussdAtRoutes: FastifyPluginAsyncZod<UssdAtOptions> = async (app, options) => {
  app.addHook('onRequest', guardCaller({
    caller: 'USSD gateway', realm: 'roamcard USSD gateway', default_language: options.session.default_language, ...options.gateway,
  }));
  await app.register(formbody, { bodyLimit: USSD_BODY_BYTES_MAX });

  app.post('/ussd/at', {
    bodyLimit: USSD_BODY_BYTES_MAX,
    // Validation problems are answered as an END screen below, not as a 400.
    attachValidation: true,
    schema: {
      tags: ['ussd'],
      summary: "USSD callback (Africa's Talking convention): #100# balance, #101# packs, #102# renew",
      description: [
        'Form-encoded callback from the USSD gateway. `text` carries all inputs of the session joined by `*`:',
        'a number chooses an item, `99` shows the next page, `0` goes back. `sessionId` keys purchases in #102#: the',
        'same sessionId and text never buy twice, and without a sessionId nothing is bought. The answer is `text/plain` starting with',
        '`CON ` (the session continues) or `END ` (final screen), in the line\'s language, each screen fitting',
        'one USSD page (182 GSM-7 characters or 80 UCS-2). Unknown numbers, unknown codes, inactive lines,',
        'our own failures and malformed requests all get a readable `END` reply with HTTP 200.',
        'Only the gateway may call: clients outside USSD_GATEWAY_ALLOW get 403, and when USSD_GATEWAY_USERNAME/PASSWORD',
        'are set, requests without those HTTP basic credentials get 401.',
      ].join(' '),
      consumes: ['application/x-www-form-urlencoded'],
      body: africasTalkingRequestSchema,
      response: {
        200: {
          description: 'The screen to show: "CON <text>" or "END <text>"',
          content: { 'text/plain': { schema: z.string() } },
        },
        401: problemResponse('Basic credentials missing or wrong (when configured)'),
        403: problemResponse('The client address is not on USSD_GATEWAY_ALLOW'),
      },
    },
  }, async (request, reply) => {
    const body = request.validationError ? {} : request.body;
    const missing = request.validationError ? ['body'] : missingFields(body);
    if (missing.length > 0) {
      request.log.warn({ missing, invalid: request.validationError?.message, session_id: sessionId(request.body) }, 'USSD request not usable');
    }
    const screen = await answerUssd(
      { ...options.session, onFailure: (error) => request.log.error({ err: error }, 'USSD reply failed on our side') },
      missing.length > 0 ? { msisdn: '', service_code: '', text: '' } : toUssdRequest(body),
    );
    options.metrics.ussd_replies_total.inc({ code: screen.code, outcome: screen.outcome });
    request.log.info(
      {
        ussd: { session_id: sessionId(body), code: screen.code, outcome: screen.outcome, page: screen.page, page_count: screen.page_count },
      },
      'USSD reply',
    );
    return reply.type('text/plain; charset=utf-8').send(toAfricasTalkingReply(screen));
  });
};

function sessionId(body: unknown): string | undefined {
  const value = (body as Partial<AfricasTalkingRequest> | undefined)?.sessionId;
  return typeof value === 'string' ? value.slice(0, 64) : undefined;
}
