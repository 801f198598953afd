import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Language } from '../../../core/i18n/languages.js';
import { LEDGER_CURRENCY } from '../../../core/money.js';
import { USAGE_KINDS } from '../../../core/units.js';
import type { Services } from '../../../services/index.js';
import { EVENT_ID_LENGTH_MAX, type UsageResult } from '../../../services/charging/usage.js';
import { requireBearer } from '../bearer-auth.js';
import { grantOutcome, type ServerMetrics } from '../metrics.js';
import { problemResponse } from '../problem-details.js';

export interface UsageEventsOptions {
  readonly services: Pick<Services, 'chargeUsage'>;
  /** The shared secret network elements present; undefined switches the endpoint off (503). */
  readonly token: string | undefined;
  readonly metrics: ServerMetrics;
  readonly default_language: Language;
}

/** One event is a few short fields; a network element batching into one body is a protocol error. */
export const USAGE_EVENT_BODY_BYTES_MAX = 4 * 1024;
export const MSISDN_LENGTH_MAX = 32;
export const LINE_ID_LENGTH_MAX = 64;

const usageEventSchema = z
  .object({
    event_id: z.string().trim().min(1).max(EVENT_ID_LENGTH_MAX).describe('Unique per line: a replay with the same id is charged once'),
    msisdn: z.string().min(1).max(MSISDN_LENGTH_MAX).optional().describe('The line\'s number (E.164); give this or line_id'),
    line_id: z.string().min(1).max(LINE_ID_LENGTH_MAX).optional().describe('The line\'s id; give this or msisdn'),
    kind: z.enum(USAGE_KINDS),
    quantity: z.number().int().min(0).describe('Bytes for data, seconds for voice, messages for SMS'),
    at: z.iso.datetime({ offset: true }).describe('When the usage happened, ISO 8601 with a zone, e.g. 2025-11-26T12:00:00Z'),
  })
  .refine((event) => (event.msisdn === undefined) !== (event.line_id === undefined), {
    path: ['msisdn'],
    params: { reason: 'msisdn_or_line_id' },
    message: 'give exactly one of msisdn and line_id',
  })
  .meta({ id: 'UsageEvent' });

const usageOutcomeSchema = z
  .object({
    event_id: z.string(),
    line_id: z.string(),
    kind: z.enum(USAGE_KINDS),
    quantity: z.number().int(),
    result: z.enum(['granted', 'partial', 'denied']).describe('How much of the usage is allowed'),
    granted: z.number().int(),
    denied: z.number().int(),
    from_bundles: z.number().int(),
    from_wallet: z.number().int(),
    wallet_charge_minor: z.number().int().describe('Pay-as-you-go charge to the line\'s wallet, minor units'),
    currency: z.string(),
    denial_reason: z.string().nullable(),
    replayed: z.boolean().describe('True when this event id had been charged before: nothing new was charged'),
  })
  .meta({ id: 'UsageOutcome' });

type UsageOutcome = z.infer<typeof usageOutcomeSchema>;

/**
 * Usage from network elements (packet gateway, MSC, SMSC): draws from the line's packs, then its
 * wallet at pay-as-you-go tariffs, and says how much is allowed. Idempotent by event id.
 */
export const usageEventsRoutes: FastifyPluginAsyncZod<UsageEventsOptions> = async (app, options) => {
  app.post('/api/v1/usage-events', {
    bodyLimit: USAGE_EVENT_BODY_BYTES_MAX,
    // Before the body is validated: callers without the token learn nothing about the schema.
    onRequest: requireBearer(options.token, options.default_language, 'roamcard-network'),
    schema: {
      tags: ['network'],
      summary: 'Charge one usage event (data, voice or SMS) to a line',
      description: [
        'For network elements. Requires `Authorization: Bearer <NETWORK_API_TOKEN>`; when the server has no',
        'NETWORK_API_TOKEN configured the endpoint is off and answers 503 (problem ROAM_ERR_NOT_CONFIGURED).',
        'Usage draws from the line\'s packs, earliest expiry first, then from its wallet at pay-as-you-go tariffs;',
        'the rest is denied. Idempotent by `event_id` per line: the first charge answers 201, a replay with the',
        'same usage answers 200 with the stored outcome, the same id with other usage answers 409.',
      ].join(' '),
      security: [{ networkToken: [] }],
      body: usageEventSchema,
      response: {
        201: usageOutcomeSchema.describe('Charged now'),
        200: usageOutcomeSchema.describe('Charged before (replay): the stored outcome'),
        400: problemResponse('A field is not valid'),
        401: problemResponse('Missing or wrong bearer token'),
        404: problemResponse('No such line'),
        409: problemResponse('The event id was charged before with different usage (ROAM_ERR_USAGE_EVENT_CONFLICT), or a network block stopped this kind of usage when it happened (ROAM_ERR_LINE_BLOCKED, with block_reason and ends_at): nothing was charged'),
        503: problemResponse('The endpoint is not configured (NETWORK_API_TOKEN unset)'),
      },
    },
  }, async (request, reply) => {
    const { event_id, msisdn, line_id, kind, quantity, at } = request.body;
    const result = await options.services.chargeUsage({ event_id, msisdn, line_id, kind, quantity, at_ms: Date.parse(at) });
    options.metrics.countUsage(result);
    return reply.code(result.replayed ? 200 : 201).send(outcomeBody(result));
  });
};

function outcomeBody(result: UsageResult): UsageOutcome {
  return {
    event_id: result.event_id,
    line_id: result.line_id,
    kind: result.kind,
    quantity: result.quantity,
    result: grantOutcome(result),
    granted: result.granted,
    denied: result.denied,
    from_bundles: result.from_bundles,
    from_wallet: result.from_wallet,
    wallet_charge_minor: result.wallet_charge_minor,
    currency: LEDGER_CURRENCY,
    denial_reason: result.denial_reason,
    replayed: result.replayed,
  };
}

/** A problem to answer instead, or null when the caller may go on. */
