import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Language } from '../../../core/i18n/languages.js';
import { formatOsmpSum, OSMP_RESULTS, PARTNER_REASON_OUTCOMES, type OsmpOutcome, type PartnerReason } from '../../../core/osmp.js';
import { packageName } from '../../../services/catalog/catalog.js';
import type { Partner } from '../../../services/partners/partner-directory.js';
import type { PartnerAnswer, PartnerRequest } from '../../../services/partners/partner-payments.js';
import { SIGNATURE_WINDOW_MS, type PartnerService } from '../../../services/partners/partner-service.js';
import { partnerOf, signedPartnerGuard } from '../partner-guard.js';
import { handleError, problemResponse } from '../problem-details.js';
import {
  answerOrTemporary, logPartnerAnswer, logPartnerRequest, PARTNER_LANGUAGE_DEFAULT, partnerLanguage, partnerMessage, type PartnerCommand,
} from './partner-answers.js';

export interface PartnerApiOptions {
  readonly partners: Pick<PartnerService, 'authenticateBasic' | 'authenticateSignature' | 'check' | 'pay'>;
}

/** A check or a pay is four short fields. */
export const PARTNER_API_BODY_BYTES_MAX = 4 * 1024;
/** Caps, not rules: the account's and the sum's form are the service's to judge, and answered as the protocol does (4, 300). */
const ACCOUNT_LENGTH_MAX = 32;
const SUM_LENGTH_MAX = 16;
const TXN_ID_LENGTH_MAX = 64;

const accountField = z.string().min(1).max(ACCOUNT_LENGTH_MAX)
  .describe('The phone number: 9001234567, 79001234567, 89001234567 or +79001234567; another form is answered with result 4');
const sumField = z.string().min(1).max(SUM_LENGTH_MAX)
  .describe('Roubles as text, with a dot and up to two decimals: "690.00"; another form is answered with result 300');
const txnIdField = z.string().min(1).max(TXN_ID_LENGTH_MAX)
  .describe('Your own payment number, the idempotency key: letters, digits, ".", "-", "_"; another form is answered with result 300');
const txnDateField = z.iso.datetime({ offset: true }).optional().describe('Your time of the payment, ISO 8601 with a zone; optional');

const checkBody = z.object({
  account: accountField, sum: sumField.optional(), txn_id: txnIdField.optional(), txn_date: txnDateField,
}).meta({ id: 'PartnerCheckRequest' });
const payBody = z.object({ account: accountField, sum: sumField, txn_id: txnIdField, txn_date: txnDateField }).meta({ id: 'PartnerPayRequest' });
const partnerParams = z.object({ partner: z.string().describe('Your partner code, e.g. corner-shop') });

const OUTCOMES = Object.keys(OSMP_RESULTS) as [OsmpOutcome, ...OsmpOutcome[]];
const REASONS = Object.keys(PARTNER_REASON_OUTCOMES) as [PartnerReason, ...PartnerReason[]];

const answerSchema = z.object({
  result: z.number().int().describe('The OSMP result code: 0 OK, 1 temporary (repeat with the same txn_id), 4, 5, 7, 79, 241, 242, 300'),
  outcome: z.enum(OUTCOMES).describe('The result code\'s name'),
  reason: z.enum(REASONS).describe('Why, in our words: e.g. paid_pack, paid_top_up, account_not_found, txn_conflict'),
  message: z.string().describe('The reason for the cashier, in the language of Accept-Language, else Russian'),
  prv_txn: z.string().nullable().describe('Our id of the payment (pay); null on check and on refusals that wrote nothing'),
  sum: z.string().nullable().describe('The sum as we read it, "690.00"'),
  purchase: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('pack'), package_code: z.string(), name: z.string().describe('In the answer\'s language') }),
    z.object({ kind: z.literal('top_up') }),
  ]).nullable().describe('What the sum buys (check) or bought (pay): the pack priced at exactly the sum, else a top-up of the line\'s balance'),
  msisdn_masked: z.string().nullable().describe('The number, masked (+7900***4567)'),
  replayed: z.boolean().describe('A pay repeated with the same txn_id, answered from its first result'),
}).meta({ id: 'PartnerAnswer' });
type AnswerBody = z.infer<typeof answerSchema>;

const AUTH_DESCRIPTION = [
  'Signed: `X-Roamcard-Timestamp` is the current time in Unix milliseconds (within',
  `${SIGNATURE_WINDOW_MS / 60_000} minutes of our clock), \`X-Roamcard-Signature\` the hex HMAC-SHA256, under your HMAC key, of`,
  '`<timestamp>.<raw body>` — the body exactly as sent. From an address on your allow-list (403 otherwise). A wrong signature, or an',
  'unknown partner, is 401 ROAM_ERR_PARTNER_SIGNATURE_INVALID; a missing or stale timestamp 401 ROAM_ERR_PARTNER_TIMESTAMP_STALE;',
  'after 100 wrong signatures from one address in 15 minutes, 429 until the window ends. The body is checked only once the signature',
  'holds: a missing field or a wrong type is then 400, naming the field. Every answer of the protocol is HTTP 200, its `result` the',
  'OSMP code (see GET /osmp/{partner}).',
].join(' ');

const responses = (what: string) => ({
  200: answerSchema.describe(what),
  400: problemResponse('The body is not JSON, or a field is missing or of the wrong type'),
  401: problemResponse('Signature wrong or missing, unknown partner, or timestamp missing or stale'),
  403: problemResponse('The client address is not on the partner\'s allow-list'),
  413: problemResponse(`The body is larger than ${PARTNER_API_BODY_BYTES_MAX} bytes`),
  429: problemResponse('Too many wrong signatures from this address; see Retry-After'),
});

/** Stands for a body that is not JSON until the signature is checked: only then is the caller told. */
const UNREADABLE_BODY = Object.freeze({ unreadable: true });

/**
 * The partner API: OSMP's check and pay as signed JSON, for partners who integrate afresh. The
 * same rules and answers (services/partners), the same idempotency by txn_id (a pay sent over
 * OSMP and repeated here is the same payment). The raw body is kept as it came, by this plugin's
 * own JSON parser: the signature covers the bytes, not what a parser made of them.
 */
export const partnerApiRoutes: FastifyPluginAsyncZod<PartnerApiOptions> = async (app, options) => {
  const { partners } = options;
  app.setErrorHandler(handleError(PARTNER_LANGUAGE_DEFAULT));
  const raw_bodies = new WeakMap<FastifyRequest, string>();
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: PARTNER_API_BODY_BYTES_MAX }, (request, body, done) => {
    raw_bodies.set(request, String(body));
    parseJson(request, String(body), (error, parsed) => done(null, error ? UNREADABLE_BODY : parsed));
  });
  const preValidation = [
    signedPartnerGuard(partners, PARTNER_LANGUAGE_DEFAULT, (request) => raw_bodies.get(request) ?? ''),
    refuseUnreadable,
  ];
  const security = [{ partnerTimestamp: [], partnerSignature: [] }];

  const answer = async (request: FastifyRequest, command: PartnerCommand, body: PartnerRequest): Promise<AnswerBody> => {
    const partner = partnerOf(request);
    const facts = { api: 'json', partner: partner.code, command, txn_id: body.txn_id, account: body.account } as const;
    logPartnerRequest(request, facts);
    const result = await answerOrTemporary(
      request, facts, () => (command === 'pay' ? partners.pay(partner, 'json', body) : partners.check(partner, body)),
    );
    logPartnerAnswer(request, facts, result);
    return presentPartnerAnswer(result, partner, partnerLanguage(request));
  };

  app.post('/partner-api/v1/:partner/check', {
    bodyLimit: PARTNER_API_BODY_BYTES_MAX,
    preValidation,
    schema: {
      tags: ['partners'], summary: 'May this number be paid, and what would this sum buy?', security,
      description: `Writes nothing. Without \`sum\`: whether the number is ours and active. ${AUTH_DESCRIPTION}`,
      params: partnerParams, body: checkBody, response: responses('The answer (refusals included)'),
    },
  }, async (request) => answer(request, 'check', request.body));

  app.post('/partner-api/v1/:partner/pay', {
    bodyLimit: PARTNER_API_BODY_BYTES_MAX,
    preValidation,
    schema: {
      tags: ['partners'], summary: 'Pay: a pack priced at exactly the sum, else a top-up of the line\'s balance', security,
      description: [
        'Idempotent by `txn_id`: a repeat (in sequence, at once, or after a restart) answers the first result, the same `prv_txn` and',
        '`replayed: true`; the same `txn_id` with another number or sum is refused (result 300, reason txn_conflict) and pays nothing.',
        `Result 1 (temporary): repeat the same request later. ${AUTH_DESCRIPTION}`,
      ].join(' '),
      params: partnerParams, body: payBody, response: responses('The answer (refusals included)'),
    },
  }, async (request) => answer(request, 'pay', request.body));
};

/** After the signature: a body that was not JSON is the caller's mistake, answered as the framework's parser would (400, field "body"). */
async function refuseUnreadable(request: FastifyRequest, _reply: FastifyReply) {
  if (request.body === UNREADABLE_BODY) throw Object.assign(new Error('the body is not JSON'), { statusCode: 400 });
}

export function presentPartnerAnswer(answer: PartnerAnswer, partner: Partner, language: Language): AnswerBody {
  return {
    result: OSMP_RESULTS[answer.outcome], outcome: answer.outcome, reason: answer.reason,
    message: partnerMessage(answer, partner, language),
    prv_txn: answer.prv_txn, sum: answer.sum_minor === null ? null : formatOsmpSum(answer.sum_minor),
    purchase: answer.purchase === null ? null
      : answer.purchase.kind === 'pack'
        ? { kind: 'pack', package_code: answer.purchase.package_code, name: packageName(answer.purchase.names, language) }
        : { kind: 'top_up' },
    msisdn_masked: answer.msisdn_masked, replayed: answer.replayed,
  };
}
