import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod, ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import type { Clock } from '../../../ports/clock.js';
import type { CustomerService } from '../../../services/customers/customer-service.js';
import type { SignInTarget } from '../../../services/customers/one-time-codes.js';
import { ORDERS_PAGE_SIZE_MAX } from '../../../services/customers/customer-orders.js';
import { USAGE_DAYS_SHORT } from '../../../services/customers/line-dashboard.js';
import { USAGE_THRESHOLDS_COUNT_MAX, USAGE_THRESHOLD_PERCENT_MAX, USAGE_THRESHOLD_PERCENT_MIN, type AlertSettings } from '../../../services/notices/alert-settings.js';
import { receiptVerifyPath } from '../../../services/receipts/receipt-document.js';
import {
  clearSessionCookie, csrfTokenFor, csrfTokenForSession, CSRF_HEADER, customerAuthPlugin, customerCsrfPreValidation, customerOnRequest,
  requireCustomer, setSessionCookie,
} from '../customer-auth.js';
import { languageFromAcceptLanguage } from '../accept-language.js';
import { problemResponse, requestLanguage } from '../problem-details.js';
import {
  customerLineSchema, customerOrderSchema, customerOrderSummarySchema, customerSchema, dashboardSchema,
  presentCustomerOrder, presentDashboard, presentLine, presentOrderSummary,
} from './customer-api-presenters.js';

/**
 * The customer's own API (website and native app): sign in with a code sent by SMS, then see one's
 * lines, their balance, packs and usage, and one's orders with their receipts.
 *
 * Authentication: `Authorization: Bearer <token>` (app), or the `rc_session` cookie (website) plus
 * the CSRF token in `x-csrf-token` on POST, PUT and DELETE. See customer-auth.ts.
 * A resource of another customer answers 404, exactly as one that does not exist.
 * Sign-in endpoints take JSON only (no form parser here), so a cross-site form cannot post to
 * them, and no CORS is granted, so a cross-site script cannot either: no CSRF token is needed there.
 */

export interface CustomerApiOptions {
  readonly customers: CustomerService;
  readonly default_language: Language;
}

const languageField = z.string().max(35).refine((value) => normalizeLanguage(value) !== undefined, { params: { reason: 'invalid_value' } })
  .describe('zh-Hans, zh-Hant, ru or en; default: Accept-Language, else the line\'s language');
const msisdnField = z.string().min(1).max(32).describe('Phone number, any common spelling (+7 900 123-45-67, 89001234567)');
const iccidField = z.string().min(1).max(32).describe('The SIM\'s serial number printed on the card (19-20 digits, starting 89)');
/** Lets requestLanguage read ?lang= on routes that declare a query schema (zod drops unknown keys). */
const langQuery = { lang: z.string().max(35).optional().describe('Response language, overriding Accept-Language') };

/** Exactly one of msisdn and iccid: "missing" when neither, "unexpected" on iccid when both. */
function oneTarget<T extends z.ZodObject<{ msisdn: z.ZodOptional<z.ZodString>; iccid: z.ZodOptional<z.ZodString> }>>(schema: T) {
  return schema
    .refine((body) => body.msisdn !== undefined || body.iccid !== undefined, { path: ['msisdn'], params: { reason: 'missing' }, message: 'give msisdn or iccid' })
    .refine((body) => body.msisdn === undefined || body.iccid === undefined, { path: ['iccid'], params: { reason: 'unexpected' }, message: 'give msisdn or iccid, not both' });
}

const requestCodeBody = oneTarget(z.object({
  msisdn: msisdnField.optional(), iccid: iccidField.optional(), language: languageField.optional(),
}))
  .meta({ id: 'RequestCode' });

const codeRequestedSchema = z.object({
  code_length: z.number().int(),
  expires_in_s: z.number().int().describe('The code is valid this long'),
  resend_after_s: z.number().int().describe('Asking again sooner is refused (429)'),
}).meta({ id: 'CodeRequested', description: 'The same answer whether or not the number or ICCID is one of ours: only its owner gets an SMS' });

const signInBody = oneTarget(z.object({
  msisdn: msisdnField.optional(), iccid: iccidField.optional(),
  code: z.string().regex(/^\d{6}$/).describe('The 6 digits from the SMS'),
  language: languageField.optional(),
})).meta({ id: 'SignIn' });

const signedInSchema = z.object({
  customer_id: z.string(),
  created: z.boolean().describe('True when this sign-in created the account'),
  session: z.object({ id: z.string(), kind: z.enum(['cookie', 'bearer']), expires_at: z.string() }),
  token: z.string().optional().describe('Bearer sessions only: send as Authorization: Bearer <token>. Shown once.'),
  token_type: z.literal('Bearer').optional(),
  csrf_token: z.string().optional().describe(`Cookie sessions only: send as ${CSRF_HEADER} on POST and DELETE`),
}).meta({ id: 'SignedIn' });

const lineParams = z.object({ line_id: z.string().min(1).max(64) });
const orderParams = z.object({ order_id: z.string().min(1).max(64) });
const addLineBody = z.object({ msisdn: msisdnField, iccid: iccidField }).meta({ id: 'AddLine' });
const alertSettingsSchema = z.object({
  alerts_enabled: z.boolean().describe('false: no usage or expiry alert at all (payment, receipt and refund notices still come)'),
  usage_thresholds_percent: z.array(z.number().int().min(USAGE_THRESHOLD_PERCENT_MIN).max(USAGE_THRESHOLD_PERCENT_MAX))
    .max(USAGE_THRESHOLDS_COUNT_MAX)
    .describe(`An SMS when a pack's data, minutes or SMS are this much used, once per pack and threshold: up to ${USAGE_THRESHOLDS_COUNT_MAX} distinct whole percents; [] for none. Default [80, 100]`),
  expiry_alert: z.boolean().describe('An SMS when a pack with something left ends within 24 hours. Default true'),
}).meta({ id: 'AlertSettings' });

const unauthorized = problemResponse('Not signed in (no, expired or revoked session)');
const forbidden = problemResponse(`Cookie session without the CSRF token (${CSRF_HEADER} header or _csrf field)`);
const MS_PER_SECOND = 1_000;

export const customerApiRoutes: FastifyPluginAsyncZod<CustomerApiOptions> = async (app, { customers, default_language }) => {
  // The language the customer chose (body, else their browser's); undefined leaves the line's.
  // Only a language the caller names (the body, ?lang, or an Accept-Language naming one of ours): a
  // client's "Accept-Language: *" (fetch sends it) is no choice, so the SMS goes in the line's language.
  const queryLang = (request: FastifyRequest) => {
    const lang = (request.query as { lang?: unknown } | undefined)?.lang;
    return typeof lang === 'string' ? lang : undefined;
  };
  const chosenLanguage = (request: FastifyRequest, body_language: string | undefined) =>
    normalizeLanguage(body_language) ?? normalizeLanguage(queryLang(request))
      ?? languageFromAcceptLanguage(request.headers['accept-language']);
  // Tokens, CSRF tokens and personal data: no cache (shared or private) keeps any of these answers.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });

  app.post('/api/v1/auth/codes', {
    schema: {
      tags: ['customer'], summary: 'Send a sign-in code by SMS to a number, or to the number of a SIM (ICCID)',
      description: 'Limits: one code a minute and five an hour per number, twenty an hour per client address. A new code retires the previous one.',
      body: requestCodeBody,
      response: { 202: codeRequestedSchema, 400: problemResponse('Not a phone number or ICCID'), 429: problemResponse('Too many codes asked for; see Retry-After') },
    },
  }, async (request, reply) => {
    const { msisdn, iccid, language } = request.body;
    const requested = await customers.requestCode({
      target: signInTarget(msisdn, iccid), ip: request.ip, language: chosenLanguage(request, language),
    });
    return reply.code(202).send({
      code_length: requested.code_length, expires_in_s: requested.expires_in_ms / MS_PER_SECOND,
      resend_after_s: requested.resend_after_ms / MS_PER_SECOND,
    });
  });

  app.post('/api/v1/auth/sessions', {
    schema: {
      tags: ['customer'], summary: 'Sign in (or sign up) with the code: a bearer token, or with ?cookie=1 a session cookie',
      description: 'The first sign-in through a line creates the account and adds the line. With cookie=1 the token is set as the HttpOnly rc_session cookie and not returned; the response carries the CSRF token instead.',
      querystring: z.object({ cookie: z.enum(['0', '1']).optional().describe('1: browser session in a cookie'), ...langQuery }),
      body: signInBody,
      response: { 201: signedInSchema, 400: problemResponse('Wrong, expired or used-up code (5 attempts per code)') },
    },
  }, async (request, reply) => {
    const { msisdn, iccid, code, language } = request.body;
    const as_cookie = request.query.cookie === '1';
    const signed_in = await customers.verifyCode({
      target: signInTarget(msisdn, iccid), code, ip: request.ip, session_kind: as_cookie ? 'cookie' : 'bearer', language: chosenLanguage(request, language),
    });
    const session = {
      id: signed_in.session.session_id, kind: signed_in.session.kind, expires_at: new Date(signed_in.session.expires_at_ms).toISOString(),
    };
    const base = { customer_id: signed_in.customer_id, created: signed_in.created, session };
    if (!as_cookie) return reply.code(201).send({ ...base, token: signed_in.token, token_type: 'Bearer' as const });
    setSessionCookie(reply, signed_in.token, signed_in.session.expires_at_ms);
    return reply.code(201).send({ ...base, csrf_token: csrfTokenForSession(signed_in.token) });
  });

  // Everything below needs a signed-in customer: checked before the body is read.
  await app.register(async (child) => {
    const signed_in = child.withTypeProvider<ZodTypeProvider>();
    signed_in.addHook('onRequest', customerOnRequest);
    signed_in.addHook('preValidation', customerCsrfPreValidation);

    signed_in.delete('/api/v1/auth/sessions/current', {
      schema: { tags: ['customer'], summary: 'Sign out: revoke this session (and clear the cookie)', response: { 204: z.null().describe('Signed out'), 401: unauthorized, 403: forbidden } },
    }, async (request, reply) => {
      const principal = await requireCustomer(request);
      await customers.signOut(principal.session_id);
      if (principal.via === 'cookie') clearSessionCookie(reply);
      return reply.code(204).send(null);
    });

    signed_in.get('/api/v1/me', {
      schema: { tags: ['customer'], summary: 'The signed-in customer', response: { 200: customerSchema, 401: unauthorized } },
    }, async (request, reply) => {
      const principal = await requireCustomer(request);
      const customer = await customers.getCustomer(principal.customer_id);
      return {
        id: customer.id, language: customer.language, primary_line_id: customer.primary_line_id,
        created_at: new Date(customer.created_at_ms).toISOString(),
        session: { id: principal.session_id, kind: principal.via, expires_at: new Date(principal.expires_at_ms).toISOString() },
        csrf_token: principal.via === 'cookie' ? csrfTokenFor(request, reply) : null,
      };
    });

    signed_in.get('/api/v1/me/lines', {
      schema: { tags: ['customer'], summary: 'The customer\'s lines with their balance', response: { 200: z.object({ lines: z.array(customerLineSchema) }).meta({ id: 'CustomerLines' }), 401: unauthorized } },
    }, async (request) => {
      const principal = await requireCustomer(request);
      return { lines: (await customers.listLines(principal.customer_id)).map(presentLine) };
    });

    signed_in.post('/api/v1/me/lines', {
      schema: {
        tags: ['customer'], summary: 'Add a line: its number and the ICCID printed on its card',
        description: 'The ICCID proves the card is in your hands. Five wrong pairs an hour, then 429. Adding a line already on the account returns it (200).',
        body: addLineBody,
        response: {
          201: z.object({ line: customerLineSchema }), 200: z.object({ line: customerLineSchema }), 400: problemResponse('Not a phone number or ICCID'),
          401: unauthorized, 403: forbidden, 409: problemResponse('The account holds the most lines it may'),
          422: problemResponse('The ICCID is not this number\'s card (or no such number)'), 429: problemResponse('Too many wrong pairs; see Retry-After'),
        },
      },
    }, async (request, reply) => {
      const principal = await requireCustomer(request);
      const { line, added } = await customers.addLine(principal.customer_id, request.body);
      return reply.code(added ? 201 : 200).send({ line: presentLine(line) });
    });

    signed_in.delete('/api/v1/me/lines/:line_id', {
      schema: {
        tags: ['customer'], summary: 'Remove a line from the account (the line itself, its money and packs are untouched)', params: lineParams,
        response: { 204: z.null().describe('Removed'), 401: unauthorized, 403: forbidden, 404: problemResponse('No such line on this account') },
      },
    }, async (request, reply) => {
      const principal = await requireCustomer(request);
      await customers.removeLine(principal.customer_id, request.params.line_id);
      return reply.code(204).send(null);
    });

    signed_in.get('/api/v1/me/lines/:line_id', {
      schema: {
        tags: ['customer'], summary: 'A line\'s home screen: balance, packs with what is left, warnings, usage per day',
        description: `Usage per day is in the line's time zone: the last 30 days (usage.days_30) and the last ${USAGE_DAYS_SHORT} (usage.days_7), today last.`,
        params: lineParams, querystring: z.object(langQuery),
        response: { 200: dashboardSchema, 401: unauthorized, 404: problemResponse('No such line on this account') },
      },
    }, async (request) => {
      const principal = await requireCustomer(request);
      const dashboard = await customers.lineDashboard(principal.customer_id, request.params.line_id);
      return presentDashboard(dashboard, requestLanguage(request, default_language));
    });

    signed_in.get('/api/v1/me/lines/:line_id/alerts', {
      schema: {
        tags: ['customer'], summary: 'A line\'s SMS alerts: usage thresholds and the expiry alert', params: lineParams,
        response: { 200: alertSettingsSchema, 401: unauthorized, 404: problemResponse('No such line on this account') },
      },
    }, async (request) => {
      const principal = await requireCustomer(request);
      return presentAlertSettings(await customers.alertSettings(principal.customer_id, request.params.line_id));
    });

    signed_in.put('/api/v1/me/lines/:line_id/alerts', {
      schema: {
        tags: ['customer'], summary: 'Change a line\'s SMS alerts (the whole setting; bad input changes nothing)', params: lineParams,
        body: alertSettingsSchema,
        response: {
          200: alertSettingsSchema, 400: problemResponse('A threshold outside 1–100, repeated, or more than five'), 401: unauthorized, 403: forbidden,
          404: problemResponse('No such line on this account'),
        },
      },
    }, async (request) => {
      const principal = await requireCustomer(request);
      return presentAlertSettings(await customers.updateAlertSettings(principal.customer_id, request.params.line_id, request.body));
    });

    signed_in.get('/api/v1/me/orders', {
      schema: {
        tags: ['customer'], summary: 'Orders of the customer\'s lines, newest first',
        querystring: z.object({
          limit: z.coerce.number().int().min(1).max(ORDERS_PAGE_SIZE_MAX).optional(),
          before: z.string().min(1).max(200).optional().describe('next_before of the previous page'),
          ...langQuery,
        }),
        response: { 200: z.object({ orders: z.array(customerOrderSummarySchema), next_before: z.string().nullable() }).meta({ id: 'CustomerOrders' }), 401: unauthorized },
      },
    }, async (request) => {
      const principal = await requireCustomer(request);
      const language = requestLanguage(request, default_language);
      const page = await customers.listOrders(principal.customer_id, { limit: request.query.limit, before: request.query.before });
      return { orders: page.orders.map((order) => presentOrderSummary(order, language)), next_before: page.next_before };
    });

    signed_in.get('/api/v1/me/orders/:order_id', {
      schema: {
        tags: ['customer'], summary: 'One order with its payments and its receipt (HTML and PDF links)', params: orderParams, querystring: z.object(langQuery),
        response: { 200: customerOrderSchema, 401: unauthorized, 404: problemResponse('No such order on this account\'s lines') },
      },
    }, async (request) => {
      const principal = await requireCustomer(request);
      const { summary, view, receipt } = await customers.getOrder(principal.customer_id, request.params.order_id);
      const receipt_links = receipt ? { number: receipt.number, url: receiptVerifyPath(receipt), pdf_url: receiptVerifyPath(receipt).replace('?', '.pdf?') } : null;
      return presentCustomerOrder(summary, view, receipt_links, requestLanguage(request, default_language));
    });
  });
};

function presentAlertSettings(settings: AlertSettings) {
  const { alerts_enabled, usage_thresholds_percent, expiry_alert } = settings;
  return { alerts_enabled, usage_thresholds_percent: [...usage_thresholds_percent], expiry_alert };
}

/** The schema lets exactly one through. */
function signInTarget(msisdn: string | undefined, iccid: string | undefined): SignInTarget {
  return msisdn !== undefined ? { msisdn } : { iccid: iccid ?? '' };
}

export interface CustomerChannelOptions extends CustomerApiOptions {
  readonly clock: Clock;
  readonly public_base_url: string;
}

/**
 * What server.ts registers: customer authentication on the root (so page plugins can call
 * requireCustomer and friends) and the routes above.
 */
export const customerChannel: FastifyPluginAsync<CustomerChannelOptions> = async (app, options) => {
  await app.register(customerAuthPlugin, { customers: options.customers, public_base_url: options.public_base_url, clock: options.clock });
  await app.register(customerApiRoutes, { customers: options.customers, default_language: options.default_language });
};
Object.assign(customerChannel, { [Symbol.for('skip-override')]: true });
