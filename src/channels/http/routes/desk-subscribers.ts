import QRCode from 'qrcode';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONSENT_TEXT_VERSION, consentTextsShown } from '../../../core/consent.js';
import { DOCUMENT_NAME_LENGTH_MAX, DOCUMENT_TYPES } from '../../../core/identity-document.js';
import { LANGUAGES, normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import type { DeskSubscriber, DeskSubscribers } from '../../../services/desk/subscribers.js';
import type { StaffAuthenticator } from '../../../services/staff/staff-actor.js';
import { problemResponse } from '../problem-details.js';
import { staffGuard, staffOf } from '../staff-guard.js';

export interface DeskSubscribersRouteOptions {
  readonly subscribers: Pick<DeskSubscribers, 'connectSubscriber' | 'changeImei' | 'subscriber' | 'contractPdf'>;
  readonly authenticator: StaffAuthenticator;
  readonly default_language: Language;
}

/** A connection is a few short fields. */
export const DESK_SUBSCRIBER_BODY_BYTES_MAX = 4 * 1024;
const LINE_ID_LENGTH_MAX = 64;
const FIELD_LENGTH_MAX = 64;

const connectBody = z.object({
  document: z.object({
    type: z.string().max(FIELD_LENGTH_MAX).describe(`One of ${DOCUMENT_TYPES.join(', ')}`),
    issuing_country: z.string().max(FIELD_LENGTH_MAX).describe('ISO 3166-1 alpha-2 (CN) or alpha-3 (CHN), as in the document'),
    number: z.string().max(FIELD_LENGTH_MAX).describe('As printed; spaces and dashes are ignored. Stored encrypted, shown as its last 4 only'),
    surname: z.string().max(DOCUMENT_NAME_LENGTH_MAX * 2).describe('In Latin letters, as in the document'),
    given_names: z.string().max(DOCUMENT_NAME_LENGTH_MAX * 2).default('').describe('In Latin letters, as in the document; empty when it has none'),
    birth_date: z.string().max(FIELD_LENGTH_MAX).describe('YYYY-MM-DD'),
  }),
  language: z.string().max(FIELD_LENGTH_MAX).describe(`The visitor's language (${LANGUAGES.join(', ')}): the line's SMS and USSD, the contract`),
  imei: z.string().max(FIELD_LENGTH_MAX).describe('The phone\'s IMEI: 15 digits with a Luhn check digit (dial *#06#)'),
  consent: z.object({
    accepted: z.boolean().describe('The visitor accepted the consent text shown in their language and in Russian'),
    text_version: z.string().max(FIELD_LENGTH_MAX).describe(`The consent text version shown; the current one is ${CONSENT_TEXT_VERSION}`),
  }),
  iccid: z.string().max(FIELD_LENGTH_MAX).optional().describe('A nano-SIM from the store\'s stock, as scanned; omit with esim: true'),
  esim: z.literal(true).optional().describe('Give the store\'s next eSIM instead of a scanned SIM'),
  store_code: z.string().max(FIELD_LENGTH_MAX).optional().describe('Admins only: connect for another store'),
}).refine((body) => (body.iccid === undefined) !== (body.esim === undefined), {
  path: ['iccid'], params: { reason: 'invalid' }, message: 'give exactly one of iccid and esim',
}).meta({ id: 'DeskConnectSubscriber' });

const subscriberSchema = z.object({
  line_id: z.string(),
  msisdn: z.string(),
  iccid_masked: z.string().describe('The SIM\'s ICCID, last 4 digits only'),
  form_factor: z.enum(['nano', 'esim']),
  state: z.enum(['pending_verification', 'active', 'verification_rejected', 'verification_expired'])
    .describe('pending_verification: no service until the identity is confirmed; active once it is'),
  verification: z.object({
    state: z.enum(['pending', 'confirmed', 'rejected', 'expired']),
    deadline_at: z.string().describe('A line still pending then is blocked (identity_unconfirmed)'),
    decided_at: z.string().nullable(),
    rejection_reason: z.string().nullable(),
  }),
  esim: z.object({
    activation_code: z.string().describe('SGP.22 activation code, LPA:1$…'),
    qr_svg: z.string().describe('The activation code as a QR code, SVG, to show on the desk screen and print'),
  }).nullable(),
  language: z.enum(LANGUAGES),
  store_code: z.string(),
  document: z.object({ type: z.enum(DOCUMENT_TYPES), issuing_country: z.string(), number_masked: z.string() }),
  imei: z.string(),
  consent: z.object({ text_version: z.string(), language: z.string(), accepted_at: z.string() }),
  connected_at: z.string(),
  contract_url: z.string().describe('The contract summary PDF (Russian and the visitor\'s language), with the same bearer token'),
}).meta({ id: 'DeskSubscriber' });

/** Room is left for the staff id the key is scoped with (IDEMPOTENCY_KEY_LENGTH_MAX in all). */
const CONNECT_KEY_LENGTH_MAX = 160;
const connectHeaders = z.object({
  'idempotency-key': z.string().min(1).max(CONNECT_KEY_LENGTH_MAX).optional()
    .describe('Recommended: a retried request with the same key and body returns the line already opened (200), never a second one'),
});
const consentQuery = z.object({ language: z.string().max(FIELD_LENGTH_MAX).describe('The visitor\'s language') });
const consentSchema = z.object({
  version: z.string(),
  texts: z.array(z.object({ language: z.enum(LANGUAGES), title: z.string(), body: z.string() }))
    .describe('The visitor\'s language first, then Russian (once for a Russian reader)'),
}).meta({ id: 'DeskConsentText' });
const lineParams = z.object({ line_id: z.string().min(1).max(LINE_ID_LENGTH_MAX) });
const imeiBody = z.object({ imei: z.string().max(FIELD_LENGTH_MAX).describe('The new phone\'s IMEI: 15 digits, Luhn') }).meta({ id: 'DeskImei' });

const refusals = {
  401: problemResponse('No valid staff session token'),
  403: problemResponse('Another store\'s subscriber or stock (agents and managers act for their own store)'),
};

/**
 * The desk's "new subscriber" flow for foreign visitors (303-FZ): connect, change the IMEI, print
 * the contract summary. Every route: a staff session (staffGuard, before the body is read); the
 * service decides what the store may touch. Logs carry the line id and the staff id only: never
 * the document, its number, the IMEI, the ICCID or the phone number.
 */
export const deskSubscribersRoutes: FastifyPluginAsyncZod<DeskSubscribersRouteOptions> = async (app, options) => {
  const { subscribers } = options;
  const guard = staffGuard({ authenticator: options.authenticator, default_language: options.default_language });

  app.get('/api/v1/desk/consent', {
    onRequest: guard,
    schema: {
      tags: ['desk'], summary: 'The consent text to show the visitor: in their language and in Russian', security: [{ staffSession: [] }],
      description: 'The visitor accepts this version; POST /api/v1/desk/subscribers sends it back as consent.text_version.',
      querystring: consentQuery,
      response: { 200: consentSchema, ...refusals },
    },
  }, async (request) => {
    const language = normalizeLanguage(request.query.language) ?? 'en';
    return { version: CONSENT_TEXT_VERSION, texts: consentTextsShown(language).map(({ title, body }, index) => ({
      language: index === 0 ? language : 'ru', title, body,
    })) };
  });

  app.post('/api/v1/desk/subscribers', {
    bodyLimit: DESK_SUBSCRIBER_BODY_BYTES_MAX,
    onRequest: guard,
    schema: {
      tags: ['desk'], summary: 'Connect a foreign visitor: document, consent, IMEI, a SIM from the store\'s stock', security: [{ staffSession: [] }],
      description: 'Opens the line in state pending_verification: no service until the identity verifier confirms (then an SMS '
        + 'in the visitor\'s language). At most FOREIGN_NUMBERS_PER_PERSON_MAX lines per document. A refusal changes nothing.',
      headers: connectHeaders, body: connectBody,
      response: {
        201: subscriberSchema, 200: subscriberSchema.describe('Connected before with this Idempotency-Key and body (replay)'),
        400: problemResponse('A field is not valid (document, IMEI, consent, language, ICCID)'),
        404: problemResponse('No SIM with this ICCID'),
        409: problemResponse('The SIM is not in this store\'s stock or not in stock; the document holds the most numbers allowed; '
          + 'the Idempotency-Key was used with another body'),
        503: problemResponse('No identity verifier is configured'),
        ...refusals,
      },
    },
  }, async (request, reply) => {
    const actor = staffOf(request);
    const { document, language, imei, consent, iccid, store_code } = request.body;
    const { subscriber, replayed } = await subscribers.connectSubscriber(actor, {
      document, language, imei, consent, store_code, sim: iccid === undefined ? { esim: true } : { iccid },
    }, request.ip, request.headers['idempotency-key']);
    if (!replayed) request.log.info({ line_id: subscriber.line_id, staff_id: actor.staff_id, store: subscriber.store.code }, 'desk connected a subscriber');
    return reply.code(replayed ? 200 : 201).send(await present(subscriber));
  });

  app.put('/api/v1/desk/subscribers/:line_id/imei', {
    bodyLimit: DESK_SUBSCRIBER_BODY_BYTES_MAX,
    onRequest: guard,
    schema: {
      tags: ['desk'], summary: 'Record the subscriber\'s new phone (IMEI)', security: [{ staffSession: [] }],
      params: lineParams, body: imeiBody,
      response: {
        200: subscriberSchema, 400: problemResponse('Not a valid IMEI'), 404: problemResponse('No desk-connected subscriber on this line'), ...refusals,
      },
    },
  }, async (request) => {
    const actor = staffOf(request);
    const subscriber = await subscribers.changeImei(actor, request.params.line_id, request.body.imei, request.ip);
    request.log.info({ line_id: subscriber.line_id, staff_id: actor.staff_id }, 'desk changed a subscriber\'s IMEI');
    return present(subscriber);
  });

  app.get('/api/v1/desk/subscribers/:line_id', {
    onRequest: guard,
    schema: {
      tags: ['desk'], summary: 'A desk-connected subscriber and their verification state', security: [{ staffSession: [] }],
      params: lineParams,
      response: { 200: subscriberSchema, 404: problemResponse('No desk-connected subscriber on this line'), ...refusals },
    },
  }, async (request) => present(await subscribers.subscriber(staffOf(request), request.params.line_id)));

  app.get('/api/v1/desk/subscribers/:line_id/contract.pdf', {
    onRequest: guard,
    schema: {
      tags: ['desk'], summary: 'The contract summary, PDF, in Russian and the visitor\'s language', security: [{ staffSession: [] }],
      params: lineParams,
      description: 'The line, the holder (document masked), the tariff, the packs and how to renew; first in Russian, then in the '
        + 'visitor\'s language.',
      response: {
        // A Buffer is sent as it is (Fastify serializes no Buffer); the schema only documents the type.
        200: { description: 'The PDF', content: { 'application/pdf': { schema: z.any().describe('PDF bytes') } } },
        404: problemResponse('No desk-connected subscriber on this line'), ...refusals,
      },
    },
  }, async (request, reply) => {
    const pdf = await subscribers.contractPdf(staffOf(request), request.params.line_id);
    // Personal data: never kept by a shared cache or the browser's.
    return reply.type('application/pdf').header('cache-control', 'no-store')
      .header('content-disposition', `inline; filename="contract-${request.params.line_id}.pdf"`).send(pdf);
  });
};

const LINE_STATES = { pending: 'pending_verification', confirmed: 'active', rejected: 'verification_rejected', expired: 'verification_expired' } as const;

async function present(subscriber: DeskSubscriber): Promise<z.infer<typeof subscriberSchema>> {
  const iso = (at_ms: number) => new Date(at_ms).toISOString();
  const { verification } = subscriber;
  const code = subscriber.esim_activation_code;
  return {
    line_id: subscriber.line_id, msisdn: subscriber.msisdn, iccid_masked: subscriber.iccid_masked, form_factor: subscriber.form_factor,
    state: LINE_STATES[verification.state],
    verification: {
      state: verification.state, deadline_at: iso(verification.deadline_at_ms),
      decided_at: verification.decided_at_ms === null ? null : iso(verification.decided_at_ms),
      rejection_reason: verification.rejection_reason,
    },
    esim: code === null ? null : { activation_code: code, qr_svg: await activationQrSvg(code) },
    language: subscriber.language, store_code: subscriber.store.code, document: subscriber.document, imei: subscriber.imei,
    consent: {
      text_version: subscriber.consent.text_version, language: subscriber.consent.language,
      accepted_at: iso(subscriber.consent.accepted_at_ms),
    },
    connected_at: iso(subscriber.connected_at_ms),
    contract_url: `/api/v1/desk/subscribers/${encodeURIComponent(subscriber.line_id)}/contract.pdf`,
  };
}

/** The eSIM activation code as a QR (error correction M, as the receipts'), SVG for the desk screen and its print. */
function activationQrSvg(code: string): Promise<string> {
  return QRCode.toString(code, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
