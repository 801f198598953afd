import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IDEMPOTENCY_KEY_LENGTH_MAX } from '../../../core/idempotency-key.js';
import type { Language } from '../../../core/i18n/languages.js';
import { BLOCK_DURATION_HOURS_MAX, BLOCK_REASONS } from '../../../core/network-blocks.js';
import { USAGE_KINDS } from '../../../core/units.js';
import { ACTOR_PATTERN, BLOCKS_LISTED_MAX, type NetworkBlock } from '../../../services/network-blocks/blocks.js';
import type { NetworkBlockService } from '../../../services/network-blocks/network-block-service.js';
import { requireBearer } from '../bearer-auth.js';
import { problemResponse } from '../problem-details.js';
import { MSISDN_LENGTH_MAX } from './usage-events.js';

export interface NetworkBlocksOptions {
  readonly blocks: Pick<NetworkBlockService, 'setBlock' | 'liftBlock' | 'listBlocks' | 'countRequest'>;
  /** NETWORK_API_TOKEN, shared with POST /api/v1/usage-events; undefined switches these routes off (503). */
  readonly token: string | undefined;
  readonly default_language: Language;
}

/** A block is a few short fields. */
export const NETWORK_BLOCK_BODY_BYTES_MAX = 2 * 1024;
const BLOCK_ID_LENGTH_MAX = 64;

const actorField = z.string().regex(ACTOR_PATTERN);
const isoInstant = z.iso.datetime({ offset: true });

const setBlockBody = z.object({
  msisdn: z.string().min(1).max(MSISDN_LENGTH_MAX).describe('The line\'s number (E.164, or any spelling of it)'),
  reason: z.enum(BLOCK_REASONS).describe([
    'arrival_cooling_off: the 24-hour pause of a foreign SIM\'s data and SMS on arrival; roaming_return and idle: the same pause',
    'after roaming or 72 hours idle; identity_unconfirmed: the owner\'s identity was not confirmed (303-FZ); operator: any other',
  ].join(' ')),
  kinds: z.array(z.enum(USAGE_KINDS)).min(1).max(USAGE_KINDS.length).refine((kinds) => new Set(kinds).size === kinds.length, {
    params: { reason: 'invalid' }, message: 'each kind once',
  }).describe('The kinds of usage the block stops; the arrival pause stops ["data", "sms"]'),
  ends_at: isoInstant.describe(`When the block ends, ISO 8601 with a zone; in the future, at most ${BLOCK_DURATION_HOURS_MAX} hours ahead`),
  starts_at: isoInstant.optional().describe('When it started; default now. May be a moment ago (the network paused the SIM already)'),
  set_by: actorField.optional().describe('Who sets it: a short identifier of the system or desk; default "network"'),
}).meta({ id: 'SetNetworkBlock' });

const blockSchema = z.object({
  id: z.string(),
  line_id: z.string(),
  reason: z.enum(BLOCK_REASONS),
  kinds: z.array(z.enum(USAGE_KINDS)),
  starts_at: z.string(),
  ends_at: z.string(),
  lifted_at: z.string().nullable().describe('When it was lifted early, if it was'),
  set_by: z.string(),
  lifted_by: z.string().nullable(),
  created_at: z.string(),
  in_force: z.boolean().describe('True while it stops usage: started, not ended, not lifted'),
}).meta({ id: 'NetworkBlock' });

const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(IDEMPOTENCY_KEY_LENGTH_MAX)
    .describe('Required: the same key and body return the same block; the same key with another body is 409'),
});
const blockParams = z.object({ id: z.string().min(1).max(BLOCK_ID_LENGTH_MAX) });
const liftQuery = z.object({ lifted_by: actorField.optional().describe('Who lifts it, e.g. "captcha" or "call-centre"; default "network"') });
const lineParams = z.object({ msisdn: z.string().min(1).max(MSISDN_LENGTH_MAX) });

const AUTH_DESCRIPTION = 'Requires `Authorization: Bearer <NETWORK_API_TOKEN>`; without NETWORK_API_TOKEN on the server the route answers 503 (ROAM_ERR_NOT_CONFIGURED).';
const refusals = {
  401: problemResponse('Missing or wrong bearer token'),
  429: problemResponse('Too many requests from this address; see Retry-After'),
  503: problemResponse('Not configured (NETWORK_API_TOKEN unset)'),
};

/**
 * Network blocks for the network side (the packet gateway, the HLR/HSS front end, the call centre's
 * tools): set a block on a line (the 24-hour arrival pause and its kin), lift it early, list a line's
 * blocks. Every route: the bearer token first (constant-time compare, before the body is read), then
 * a per-address limit. Logs carry the block and line ids, never the number or the token.
 */
export const networkBlocksRoutes: FastifyPluginAsyncZod<NetworkBlocksOptions> = async (app, options) => {
  const { blocks, default_language } = options;
  const guard = [requireBearer(options.token, default_language, 'roamcard-network'), limitRequests(blocks)];

  app.post('/api/v1/network/blocks', {
    bodyLimit: NETWORK_BLOCK_BODY_BYTES_MAX,
    onRequest: guard,
    schema: {
      tags: ['network'], summary: 'Block kinds of a line\'s usage until a time, for a reason', security: [{ networkToken: [] }],
      description: `${AUTH_DESCRIPTION} Charging refuses the kinds stopped while the block is in force (ROAM_ERR_LINE_BLOCKED), and the customer sees why and until when on USSD, the website and the app.`,
      headers: idempotencyHeaders, body: setBlockBody,
      response: {
        201: blockSchema.describe('Set now'), 200: blockSchema.describe('Set before with this key and body (replay)'),
        400: problemResponse('A field is not valid (number, reason, kinds, times)'), 404: problemResponse('No line has this number'),
        409: problemResponse('The key was used with another body'), 422: problemResponse('The end has passed, is before the start, or is too far ahead'),
        ...refusals,
      },
    },
  }, async (request, reply) => {
    const { msisdn, reason, kinds, ends_at, starts_at, set_by } = request.body;
    const starts_at_ms = starts_at === undefined ? undefined : Date.parse(starts_at);
    const { result, replayed } = await blocks.setBlock(
      { msisdn, reason, kinds, ends_at_ms: Date.parse(ends_at), starts_at_ms, set_by }, request.headers['idempotency-key'],
    );
    if (!replayed) request.log.info({ block_id: result.id, line_id: result.line_id, reason: result.reason, kinds: result.kinds }, 'network block set');
    return reply.code(replayed ? 200 : 201).send(presentBlock(result));
  });

  app.delete('/api/v1/network/blocks/:id', {
    onRequest: guard,
    schema: {
      tags: ['network'], summary: 'Lift a block early (a captcha link, the call centre)', security: [{ networkToken: [] }],
      description: `${AUTH_DESCRIPTION} Usage is charged again from this instant. Lifting a block already lifted or ended returns it unchanged.`,
      params: blockParams, querystring: liftQuery,
      response: { 200: blockSchema, 400: problemResponse('lifted_by is not valid'), 404: problemResponse('No such block'), ...refusals },
    },
  }, async (request) => {
    const block = await blocks.liftBlock(request.params.id, request.query.lifted_by);
    request.log.info({ block_id: block.id, line_id: block.line_id, lifted_by: block.lifted_by }, 'network block lifted');
    return presentBlock(block);
  });

  app.get('/api/v1/network/lines/:msisdn/blocks', {
    onRequest: guard,
    schema: {
      tags: ['network'], summary: 'A line\'s blocks, newest first', security: [{ networkToken: [] }],
      description: `${AUTH_DESCRIPTION} The last ${BLOCKS_LISTED_MAX} blocks, lifted and ended ones included.`,
      params: lineParams,
      response: {
        200: z.object({ line_id: z.string(), blocks: z.array(blockSchema) }).meta({ id: 'NetworkBlocks' }),
        400: problemResponse('Not a phone number'), 404: problemResponse('No line has this number'), ...refusals,
      },
    },
  }, async (request) => {
    const { line_id, blocks: list } = await blocks.listBlocks(request.params.msisdn);
    return { line_id, blocks: list.map(presentBlock) };
  });
};

/** After the token: one hit of the per-address window, refused with 429 and Retry-After when full. */
function limitRequests(blocks: NetworkBlocksOptions['blocks']) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    await blocks.countRequest(request.ip);
  };
}

const iso = (at_ms: number) => new Date(at_ms).toISOString();

export function presentBlock(block: NetworkBlock): z.infer<typeof blockSchema> {
  return {
    id: block.id, line_id: block.line_id, reason: block.reason, kinds: [...block.kinds],
    starts_at: iso(block.starts_at_ms), ends_at: iso(block.ends_at_ms),
    lifted_at: block.lifted_at_ms === null ? null : iso(block.lifted_at_ms),
    set_by: block.set_by, lifted_by: block.lifted_by, created_at: iso(block.created_at_ms), in_force: block.in_force,
  };
}
