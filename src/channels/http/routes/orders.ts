import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import { failureText } from '../../../core/i18n/format.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { PAYMENT_METHODS, type PaymentMethod } from '../../../ports/payment-provider.js';
import { IDEMPOTENCY_KEY_LENGTH_MAX } from '../../../core/idempotency-key.js';
import type { OrderView } from '../../../services/renewal/orders.js';
import type { RenewalService } from '../../../services/renewal/renewal-service.js';
import type { FastifyRequest } from 'fastify';
import type { CustomerService } from '../../../services/customers/customer-service.js';
import type { WalletPayer } from '../../../services/renewal/wallet-payer.js';
import type { FiscalDocument, FiscalService } from '../../../services/fiscal/fiscal-service.js';
import { requireBearer } from '../bearer-auth.js';
import { failureSchema, orderStateSchema, paymentSchema, presentPayment, salesChannelSchema } from './order-schemas.js';
import { optionalCustomer, verifyCsrf } from '../customer-auth.js';
import { problemResponse, requestLanguage } from '../problem-details.js';

export interface OrdersOptions {
  readonly renewal: RenewalService;
  readonly customers: Pick<CustomerService, 'requestPaymentCode'>;
  /** The online methods a configured provider takes now (the wallet is always possible, for its owner). */
  readonly payment_methods: () => readonly PaymentMethod[];
  /** The sandbox takes payments: no money moves. */
  readonly test_mode: boolean;
  readonly default_language: Language;
  /** Staff bearer token for refunds; undefined switches the refund endpoint off (503). */
  readonly admin_token: string | undefined;
  /** The orders' fiscal documents (54-FZ); without it `fiscal` is always null. */
  readonly fiscal?: Pick<FiscalService, 'saleOfOrder'>;
}

const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(IDEMPOTENCY_KEY_LENGTH_MAX)
    .describe('Required on every POST that moves money: the same key and body return the same result; the same key with another body is 409'),
});

const fiscalSchema = z.object({
  status: z.enum(['pending', 'registered', 'failed'])
    .describe('pending: sent to the fiscal register (or about to be); registered: made, with its attributes; failed: refused, the seller corrects it'),
  fn: z.string().nullable().describe('ФН: the fiscal drive\'s number (16 digits), once registered'),
  fd: z.number().int().nullable().describe('ФД: the fiscal document\'s number, once registered'),
  fp: z.number().int().nullable().describe('ФП: the fiscal sign, once registered'),
  qr: z.string().nullable().describe('The text of the tax service\'s QR code (t=YYYYMMDDTHHMM&s=…&fn=…&i=…&fp=…&n=1), once registered'),
}).meta({ id: 'FiscalReceipt' });

const orderSchema = z.object({
  id: z.string(),
  state: orderStateSchema,
  state_text: z.string().describe('The state in the caller\'s language'),
  failure: failureSchema.describe('Why the last attempt failed (the order stays open for another method) or why it ended'),
  line_id: z.string(),
  package_code: z.string(),
  amount_minor: z.number().int().describe('The price frozen when the order was made'),
  currency: z.string(),
  channel: salesChannelSchema,
  bundle_id: z.string().nullable(),
  receipt_url: z.string().nullable().describe('Path of the receipt (HTML; it links the PDF) once the order was activated; it redirects to the verification link'),
  expires_at: z.string(),
  created_at: z.string(),
  payments: z.array(paymentSchema),
  refunds: z.array(z.object({
    id: z.string(), payment_id: z.string(), reason: z.string(), status: z.string(), amount_minor: z.number().int(),
  })),
  fiscal: fiscalSchema.nullable().describe('The 54-FZ fiscal receipt of the sale, from the fiscal register; null until the receipt is issued, or without a register'),
}).meta({ id: 'Order' });

const createOrderBody = z.object({
  msisdn: z.string().min(1).max(32).optional().describe('The number to renew (any spelling); anyone may renew any number'),
  line_id: z.string().min(1).max(64).optional(),
  package_code: z.string().min(1).max(64),
  language: z.string().max(35).refine((value) => normalizeLanguage(value) !== undefined, { params: { reason: 'invalid_value' } }).optional(),
  payer_email: z.email().max(254).optional(),
  payer_phone: z.string().min(1).max(32).optional(),
}).refine((body) => (body.msisdn === undefined) !== (body.line_id === undefined), {
  path: ['msisdn'], params: { reason: 'msisdn_or_line_id' }, message: 'give exactly one of msisdn and line_id',
}).meta({ id: 'CreateOrder' });

const startPaymentBody = z.object({
  method: z.enum(PAYMENT_METHODS),
  payment_code: z.string().regex(/^\d{6}$/).optional()
    .describe('method "wallet": the code sent by SMS to the line (POST …/wallet-code); not needed when the caller is signed in and holds the line'),
}).meta({ id: 'StartPayment' });

const orderParams = z.object({ id: z.string().min(1).max(64) });
const MS_PER_SECOND = 1_000;
/** Orders made through this API are the app's; the site, desks and partners name their own channel. */
const API_CHANNEL = 'app';

/**
 * The renewal API: create an order for a line and a pack, pay it with any method, follow it until
 * the pack is active. Order ids are unguessable capabilities, so "renew any number" needs no sign-in.
 */
export const ordersRoutes: FastifyPluginAsyncZod<OrdersOptions> = async (app, options) => {
  const { renewal, customers, payment_methods, test_mode, default_language, admin_token } = options;
  const present = async (view: OrderView, language: Language) =>
    presentOrder(view, language, await options.fiscal?.saleOfOrder(view.order.id));
  app.post('/api/v1/orders', {
    schema: {
      tags: ['renewal'], summary: 'Create a renewal order (price frozen now)', headers: idempotencyHeaders, body: createOrderBody,
      response: {
        201: orderSchema, 200: orderSchema.describe('Replay of an earlier request with the same key'),
        400: problemResponse('A field is not valid'), 404: problemResponse('No such line or pack'),
        409: problemResponse('Key reused with another request, pack not on sale, or line not active'),
      },
    },
  }, async (request, reply) => {
    const body = request.body;
    const language = requestLanguage(request, default_language);
    const view = await renewal.createOrder({
      line: body.msisdn !== undefined ? { msisdn: body.msisdn } : { line_id: body.line_id ?? '' },
      // The channel follows from who calls: this API is the app's (desks and partners have their own).
      package_code: body.package_code, channel: API_CHANNEL, idempotency_key: request.headers['idempotency-key'],
      client_address: request.ip,
      // The payer's language (pages, receipt): said in the body, else their browser's, else the line's.
      language: normalizeLanguage(body.language) ?? (request.headers['accept-language'] ? language : undefined),
      payer_email: body.payer_email, payer_phone: body.payer_phone,
    });
    return reply.code(view.replayed ? 200 : 201).send(await present(view, language));
  });

  app.get('/api/v1/orders/:id', {
    schema: { tags: ['renewal'], summary: 'An order with its payments, state and reason', params: orderParams, response: { 200: orderSchema, 404: problemResponse('No such order') } },
  }, async (request) => present(await renewal.getOrder(request.params.id), requestLanguage(request, default_language)));

  app.post('/api/v1/orders/:id/payments', {
    schema: {
      tags: ['renewal'], summary: 'Pay an order with a method (card, e-wallet, SBP, bank transfer, wallet balance)',
      description: [
        'Returns the payment with its next action (redirect URL, QR payload or transfer reference). A decline leaves the order open: try another method.',
        'The line\'s balance ("wallet") pays only for its owner: a signed-in customer who holds the line (bearer token, or the session cookie with its CSRF token),',
        'or whoever has the code sent by SMS to the line (payment_code).',
      ].join(' '),
      params: orderParams, headers: idempotencyHeaders, body: startPaymentBody,
      response: {
        201: z.object({ payment: paymentSchema, order: orderSchema }).meta({ id: 'PaymentStarted' }),
        404: problemResponse('No such order'), 409: problemResponse('Order closed, or key reused with another request'),
        400: problemResponse('The payment code is wrong or expired'), 403: problemResponse('Paying from the balance needs the line\'s owner'),
        422: problemResponse('Payment method not available'),
      },
    },
  }, async (request, reply) => {
    const language = requestLanguage(request, default_language);
    const { view, payment } = await renewal.startPayment({
      order_id: request.params.id, method: request.body.method, idempotency_key: request.headers['idempotency-key'],
      payer: request.body.method === 'wallet' ? await walletPayer(request, request.body.payment_code) : undefined,
    });
    const presented = await present(view, language);
    return reply.code(201).send({ payment: presented.payments.find((p) => p.id === payment.id)!, order: presented });
  });

  app.post('/api/v1/orders/:id/wallet-code', {
    schema: {
      tags: ['renewal'], summary: 'Send the line a code that lets the payer pay this order from the line\'s balance',
      description: 'The code goes by SMS to the number being renewed, in its language; whoever has it may pay this one order from the balance. One a minute and three an hour per order, five an hour per line, twenty an hour per client address.',
      params: orderParams,
      response: {
        202: z.object({
          code_length: z.number().int(), expires_in_s: z.number().int(), resend_after_s: z.number().int(),
          sent_to: z.string().describe('The number the code went to, masked'),
        }).meta({ id: 'PaymentCodeSent' }),
        404: problemResponse('No such order'), 409: problemResponse('Order closed, or line not active'), 429: problemResponse('Too many codes asked for; see Retry-After'),
      },
    },
  }, async (request, reply) => {
    const sent = await customers.requestPaymentCode({ order_id: request.params.id, ip: request.ip });
    return reply.code(202).send({
      code_length: sent.code_length, expires_in_s: sent.expires_in_ms / MS_PER_SECOND, resend_after_s: sent.resend_after_ms / MS_PER_SECOND,
      sent_to: sent.sent_to_masked,
    });
  });

  app.get('/api/v1/payment-methods', {
    schema: {
      tags: ['renewal'], summary: 'The ways to pay this installation takes now, with their names in the caller\'s language',
      querystring: z.object({ lang: z.string().max(35).optional() }),
      response: {
        200: z.object({
          test_mode: z.boolean().describe('True: payments go to the sandbox provider and no money moves'),
          methods: z.array(z.object({
            method: z.enum(PAYMENT_METHODS), name: z.string(),
            owner_only: z.boolean().describe('The line\'s balance: for its owner only (signed in, or with the SMS code)'),
          })),
        }).meta({ id: 'PaymentMethods' }),
      },
    },
  }, async (request) => {
    const names = messagesFor(requestLanguage(request, default_language)).receipts.methods;
    const online = payment_methods().map((method) => ({ method, name: names[method], owner_only: false }));
    return { test_mode, methods: [...online, { method: 'wallet' as const, name: names.wallet, owner_only: true }] };
  });

  app.post('/api/v1/orders/:id/refund', {
    onRequest: requireBearer(admin_token, default_language, 'roamcard-staff'),
    schema: {
      tags: ['renewal'], summary: 'Staff: refund an order whose pack was never used',
      description: 'Bearer ADMIN_API_TOKEN. Revokes the pack and returns the money the way it came (wallet, or through the provider). Repeating it returns the same refund.',
      security: [{ staffToken: [] }],
      params: orderParams, headers: idempotencyHeaders,
      body: z.object({ requested_by: z.string().min(1).max(100).describe('Who asked for it (staff login)') }).meta({ id: 'RefundRequest' }),
      response: {
        200: orderSchema, 401: problemResponse('No or wrong staff token'), 404: problemResponse('No such order'),
        409: problemResponse('Not active, or the pack has been used'), 503: problemResponse('Staff endpoints are not configured'),
      },
    },
  }, async (request) => present(await renewal.refundUnusedPack({
    order_id: request.params.id, requested_by: request.body.requested_by, idempotency_key: request.headers['idempotency-key'],
  }), requestLanguage(request, default_language)));

  app.post('/api/v1/orders/:id/cancel', {
    schema: { tags: ['renewal'], summary: 'Cancel an unpaid order', params: orderParams, response: { 200: orderSchema, 404: problemResponse('No such order'), 409: problemResponse('Order already closed') } },
  }, async (request) => present(await renewal.cancelOrder(request.params.id), requestLanguage(request, default_language)));
};

/**
 * Who pays from the wallet: the holder of the SMS code when one is given, else the signed-in
 * customer (a cookie session only with its CSRF token: a form on another site must not spend).
 */
async function walletPayer(request: FastifyRequest, payment_code: string | undefined): Promise<WalletPayer | undefined> {
  if (payment_code !== undefined) return { kind: 'payment_code', code: payment_code };
  const principal = await optionalCustomer(request);
  if (!principal || (principal.via === 'cookie' && !verifyCsrf(request))) return undefined;
  return { kind: 'customer', customer_id: principal.customer_id };
}

export function presentOrder(view: OrderView, language: Language, fiscal?: FiscalDocument) {
  const { order } = view;
  return {
    id: order.id,
    state: order.state,
    state_text: messagesFor(language).renewal.order_states[order.state],
    failure: failureText(order.failure_code, language),
    line_id: order.line_id,
    package_code: order.package_code,
    amount_minor: order.amount_minor,
    currency: order.currency,
    channel: order.channel,
    bundle_id: order.bundle_id,
    receipt_url: order.bundle_id === null ? null : `/orders/${order.id}/receipt`,
    expires_at: new Date(order.expires_at_ms).toISOString(),
    created_at: new Date(order.created_at_ms).toISOString(),
    payments: view.payments.map((payment) => presentPayment(payment, language)),
    refunds: view.refunds.map((refund) => ({
      id: refund.id, payment_id: refund.payment_id, reason: refund.reason, status: refund.status, amount_minor: refund.amount_minor,
    })),
    fiscal: fiscal === undefined ? null : {
      status: fiscal.status, fn: fiscal.fn_number, fd: fiscal.fiscal_document_number, fp: fiscal.fiscal_document_attribute,
      qr: fiscal.qr_text,
    },
  };
}
