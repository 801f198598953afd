import formbody from '@fastify/formbody';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { TXN_ID_PATTERN, type PartnerReason } from '../../../core/osmp.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import type { Partner } from '../../../services/partners/partner-directory.js';
import type { PartnerAnswer, PartnerRequest } from '../../../services/partners/partner-payments.js';
import type { PartnerService } from '../../../services/partners/partner-service.js';
import { basicPartnerGuard, partnerOf } from '../partner-guard.js';
import { handleError, problem, problemResponse, requestLanguage, sendProblem } from '../problem-details.js';
import { OSMP_CONTENT_TYPE, osmpResponse, renderOsmpXml } from './osmp-xml.js';
import {
  answerOrTemporary, bareAnswer, logPartnerAnswer, logPartnerRequest, PARTNER_LANGUAGE_DEFAULT, partnerLanguage, partnerMessage,
  type PartnerRequestFacts,
} from './partner-answers.js';

export interface OsmpRoutesOptions {
  readonly partners: Pick<PartnerService, 'authenticateBasic' | 'authenticateSignature' | 'check' | 'pay'>;
}

/** An OSMP request is five short fields, a few hundred bytes: anything much bigger is not from a till. */
export const OSMP_BODY_BYTES_MAX = 2 * 1024;
/** The same bound for a GET, whose fields are in the address. */
export const OSMP_URL_LENGTH_MAX = 2 * 1024;

/** The request's fields, each a single text or absent. */
type OsmpFields = Partial<Record<(typeof OSMP_FIELDS)[number], string>>;
const OSMP_FIELDS = ['command', 'txn_id', 'txn_date', 'account', 'sum'] as const;
/** A field sent twice or as something other than text is refused with its own reason, in this order. */
const MALFORMED_REASONS: Readonly<Record<(typeof OSMP_FIELDS)[number], PartnerReason>> = {
  command: 'command_unknown', txn_id: 'txn_id_format', account: 'account_format', sum: 'sum_format', txn_date: 'txn_date_format',
};

/** Documents the fields; the handler reads them itself (readOsmpFields), so that every request gets an OSMP answer. */
const osmpFieldsSchema = z.object({
  command: z.string().optional().describe('`check` (may this number be paid, and what would this sum buy?) or `pay`'),
  txn_id: z.string().optional().describe('The agent\'s own payment number, the idempotency key: up to 64 letters, digits, `.`, `-`, `_`'),
  txn_date: z.string().optional().describe('`pay`: the agent\'s time of the payment, `YYYYMMDDHHMMSS`'),
  account: z.string().optional().describe('The phone number: `9001234567`, `79001234567`, `89001234567` or `+79001234567` (a `+` left unescaped in a GET arrives as a space, and is read the same)'),
  sum: z.string().optional().describe('Roubles with a dot and up to two decimals, e.g. `690.00`; optional on `check`'),
});
const partnerParams = z.object({ partner: z.string().describe('The partner\'s code, e.g. `corner-shop`') });

const DESCRIPTION = [
  'The OSMP (QIWI) provider protocol, for payment agents: store chains\' tills and payment terminals. `check` says whether a number',
  'can be paid and what a sum would buy; `pay` pays: a sum equal to the current price of a pack sold through partners activates that',
  'pack (the first in catalog order, when two cost the same), any other sum within the partner\'s limits tops up the line\'s balance.',
  'A `pay` repeated with the same `txn_id` — in sequence, at once, or after a restart — is the same payment: it answers the first',
  'result and the same `prv_txn`; the same `txn_id` with another number or sum answers 300 and pays nothing.',
  'Every protocol answer is HTTP 200 with `text/xml; charset=utf-8`: `result` 0 OK, 1 temporary error (repeat later with the same',
  '`txn_id`), 4 wrong account format, 5 no such number, 7 payments from this partner suspended, 79 line not active, 241 sum below',
  'the partner\'s minimum, 242 above its maximum, 300 other (a malformed sum, txn_id or txn_date, an unknown command, a txn_id',
  'conflict). `comment` is in the language of Accept-Language when sent, else Russian.',
  'Authentication: HTTP basic, the partner\'s code as the user and its basic secret as the password, from an address on the partner\'s',
  'allow-list (403 otherwise). Unknown partner or wrong credentials: 401 with `WWW-Authenticate: Basic realm="roamcard osmp"`;',
  'after 100 wrong passwords from one address in 15 minutes, 429 until the window ends.',
].join(' ');

const responses = {
  200: { description: 'The OSMP answer (every result code, refusals included)', content: { 'text/xml': { schema: z.string() } } },
  401: problemResponse('Unknown partner, or basic credentials missing or wrong'),
  403: problemResponse('The client address is not on the partner\'s allow-list'),
  413: problemResponse(`The body is larger than ${OSMP_BODY_BYTES_MAX} bytes`),
  414: problemResponse(`The address is longer than ${OSMP_URL_LENGTH_MAX} characters`),
  429: problemResponse('Too many wrong credentials from this address; see Retry-After'),
};

/**
 * `GET` and `POST /osmp/:partner`: the OSMP provider protocol (shared/protocols/osmp.md). The
 * partner is authenticated before the body is read; every request that passes gets an OSMP answer
 * with HTTP 200 — a missing or malformed field included, refused with the result code the protocol
 * has for it — so a till never has to parse anything but the protocol's XML.
 */
export const osmpRoutes: FastifyPluginAsyncZod<OsmpRoutesOptions> = async (app, options) => {
  const { partners } = options;
  app.setErrorHandler(handleError(PARTNER_LANGUAGE_DEFAULT));
  await app.register(formbody, { bodyLimit: OSMP_BODY_BYTES_MAX });
  const onRequest = [limitUrl, basicPartnerGuard(partners, PARTNER_LANGUAGE_DEFAULT)];
  const security = [{ partnerBasic: [] }];

  const answer = async (request: FastifyRequest, reply: FastifyReply, source: unknown) => {
    const partner = partnerOf(request);
    const { fields, malformed } = readOsmpFields(source);
    const facts: PartnerRequestFacts = { api: 'osmp', partner: partner.code, command: fields.command, txn_id: fields.txn_id, account: fields.account };
    logPartnerRequest(request, facts);
    const result = await answerOrTemporary(request, facts, () => decide(partners, partner, fields, malformed));
    logPartnerAnswer(request, facts, result);
    const comment = partnerMessage(result, partner, partnerLanguage(request));
    return reply.code(200).type(OSMP_CONTENT_TYPE).send(renderOsmpXml(osmpResponse(result, fields, comment)));
  };

  app.get('/osmp/:partner', {
    onRequest,
    // HEAD would run the handler too: a pay whose answer nobody reads.
    exposeHeadRoute: false,
    attachValidation: true,
    schema: {
      tags: ['partners'], summary: 'OSMP check or pay, the fields in the query', description: DESCRIPTION, security,
      params: partnerParams, querystring: osmpFieldsSchema, response: responses,
    },
  }, async (request, reply) => answer(request, reply, request.query));

  app.post('/osmp/:partner', {
    onRequest,
    bodyLimit: OSMP_BODY_BYTES_MAX,
    attachValidation: true,
    schema: {
      tags: ['partners'], summary: 'OSMP check or pay, the fields form-encoded', description: DESCRIPTION, security,
      consumes: ['application/x-www-form-urlencoded'], params: partnerParams, body: osmpFieldsSchema, response: responses,
    },
  }, async (request, reply) => answer(request, reply, request.body));
};

/** Before the partner is even looked up: an address longer than any till's is refused. */
async function limitUrl(request: FastifyRequest, reply: FastifyReply) {
  if (request.url.length <= OSMP_URL_LENGTH_MAX) return;
  const texts = messagesFor(requestLanguage(request, PARTNER_LANGUAGE_DEFAULT)).http;
  return sendProblem(reply, problem(request, 'ROAM_ERR_REQUEST_REJECTED', 414, texts.request_rejected({ status: 414 })));
}

/** The fields as single texts, and the reason to refuse the first one that is not (sent twice, say). */
export function readOsmpFields(source: unknown): { fields: OsmpFields; malformed: PartnerReason | null } {
  const record = typeof source === 'object' && source !== null ? (source as Record<string, unknown>) : {};
  const fields: OsmpFields = {};
  let malformed: PartnerReason | null = null;
  for (const name of OSMP_FIELDS) {
    const value = Object.hasOwn(record, name) ? record[name] : undefined;
    if (typeof value === 'string') fields[name] = value;
    else if (value !== undefined) malformed ??= MALFORMED_REASONS[name];
  }
  return { fields, malformed };
}

function decide(
  partners: OsmpRoutesOptions['partners'], partner: Partner, fields: OsmpFields, malformed: PartnerReason | null,
): Promise<PartnerAnswer> {
  if (malformed !== null) return Promise.resolve(bareAnswer(malformed));
  const request: PartnerRequest = { account: fields.account ?? '', sum: fields.sum, txn_id: fields.txn_id, txn_date: fields.txn_date };
  switch (fields.command) {
    case 'check':
      // The service needs no txn_id to check; one that is sent is still held to the protocol's form.
      if (fields.txn_id !== undefined && fields.txn_id !== '' && !TXN_ID_PATTERN.test(fields.txn_id)) return Promise.resolve(bareAnswer('txn_id_format'));
      return partners.check(partner, request);
    case 'pay':
      return partners.pay(partner, 'osmp', request);
    default:
      return Promise.resolve(bareAnswer('command_unknown'));
  }
}
