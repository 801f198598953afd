import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SALES_CHANNELS } from '../../../core/catalog.js';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import { messagesFor } from '../../../core/i18n/messages.js';
import { PAYMENT_METHODS } from '../../../ports/payment-provider.js';
import { IDEMPOTENCY_KEY_LENGTH_MAX } from '../../../services/charging/wallet.js';
import type { OrderView } from '../../../services/renewal/orders.js';
import type { RenewalService } from '../../../services/renewal/renewal-service.js';
import { requireBearer } from '../bearer-auth.js';
import { problemResponse, requestLanguage } from '../problem-details.js';

export interface OrdersOptions {
  readonly renewal: RenewalService;
  readonly default_language: Language;
  /** Staff bearer token for refunds; undefined switches the refund endpoint off (503). */
  readonly admin_token: string | undefined;
}

const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(IDEMPOTENCY_KEY_LENGTH_MAX)
    .describe('Required on every POST that moves money: the same key and body return the same result; the same key with another body is 409'),
});

const failureSchema = z.object({ code: z.string(), message: z.string().describe('In the caller\'s language') }).nullable();

const paymentSchema = z.object({
  id: z.string(),
  method: z.enum(PAYMENT_METHODS),
  provider: z.string(),
  status: z.enum(['pending', 'requires_action', 'succeeded', 'failed', 'canceled']),
  amount_minor: z.number().int(),
  currency: z.string(),
  next_action: z.unknown().nullable().describe('Where the customer goes to pay: {type: redirect, url} | {type: qr, payload} | {type: bank_transfer, reference}'),
  failure: failureSchema,
  created_at: z.string(),
});

const orderSchema = z.object({
  id: z.string(),
  state: z.enum(['created', 'awaiting_payment', 'paid', 'active', 'failed', 'canceled', 'expired', 'refunded']),
  state_text: z.string().describe('The state in the caller\'s language'),
  failure: failureSchema.describe('Why the last attempt failed (the order stays open for another method) or why it ended'),
  line_id: z.string(),
  package_code: z.string(),
  amount_minor: z.number().int().describe('The price frozen when the order was made'),
  currency: z.string(),
  channel: z.enum(SALES_CHANNELS),
  bundle_id: z.string().nullable(),
  receipt_url: z.string().nullable().describe('Path of the receipt (HTML; it links the PDF) once the order was activated; it redirects to the verification link'),
  expires_at: z.string(),
  created_at: z.string(),
  payments: z.array(paymentSchema),
  refunds: z.array(z.object({ id: z.string(), payment_id: z.string(), reason: z.string(), status: z.string(), amount_minor: z.number().int() })),
}).meta({ id: 'Order' });

const createOrderBody = z.object({
  msisdn: z.string().min(1).max(32).optional().describe('The number to renew (any spelling); anyone may renew any number'),
  line_id: z.string().min(1).max(64).optional(),
  package_code: z.string().min(1).max(64),
  channel: z.enum(SALES_CHANNELS).default('app'),
  language: z.string().max(35).refine((value) => normalizeLanguage(value) !== undefined, { params: { reason: 'invalid_value' } }).optional(),
  payer_email: z.email().max(254).optional(),
  payer_phone: z.string().min(1).max(32).optional(),
}).refine((body) => (body.msisdn === undefined) !== (body.line_id === undefined), {
  path: ['msisdn'], params: { reason: 'msisdn_or_line_id' }, message: 'give exactly one of msisdn and line_id',
}).meta({ id: 'CreateOrder' });

const startPaymentBody = z.object({
  method: z.enum(PAYMENT_METHODS),
  return_url: z.url({ protocol: /^https?$/ }).max(2048).optional().describe('Where the provider sends the customer back; default our order page'),
}).meta({ id: 'StartPayment' });

const orderParams = z.object({ id: z.string().min(1).max(64) });

/**
 * The renewal API: create an order for a line and a pack, pay it with any method, follow it until
 * the pack is active. Order ids are unguessable capabilities, so "renew any number" needs no sign-in.
 */
export const ordersRoutes: FastifyPluginAsyncZod<OrdersOptions> = async (app, { renewal, default_language, admin_token }) => {
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
      package_code: body.package_code, channel: body.channel, idempotency_key: request.headers['idempotency-key'],
      // The payer's language (pages, receipt): said in the body, else their browser's, else the line's.
      language: normalizeLanguage(body.language) ?? (request.headers['accept-language'] ? language : undefined),
      payer_email: body.payer_email, payer_phone: body.payer_phone,
    });
    return reply.code(view.replayed ? 200 : 201).send(presentOrder(view, language));
  });

  app.get('/api/v1/orders/:id', {
    schema: { tags: ['renewal'], summary: 'An order with its payments, state and reason', params: orderParams, response: { 200: orderSchema, 404: problemResponse('No such order') } },
  }, async (request) => presentOrder(await renewal.getOrder(request.params.id), requestLanguage(request, default_language)));

  app.post('/api/v1/orders/:id/payments', {
    schema: {
      tags: ['renewal'], summary: 'Pay an order with a method (card, e-wallet, SBP, bank transfer, wallet balance)',
      description: 'Returns the payment with its next action (redirect URL, QR payload or transfer reference). A decline leaves the order open: try another method.',
      params: orderParams, headers: idempotencyHeaders, body: startPaymentBody,
      response: {
        201: z.object({ payment: paymentSchema, order: orderSchema }).meta({ id: 'PaymentStarted' }),
        404: problemResponse('No such order'), 409: problemResponse('Order closed, or key reused with another request'),
        422: problemResponse('Payment method not available'),
      },
    },
  }, async (request, reply) => {
    const language = requestLanguage(request, default_language);
    const { view, payment } = await renewal.startPayment({
      order_id: request.params.id, method: request.body.method, idempotency_key: request.headers['idempotency-key'], return_url: request.body.return_url,
    });
    const presented = presentOrder(view, language);
    return reply.code(201).send({ payment: presented.payments.find((p) => p.id === payment.id)!, order: presented });
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
  }, async (request) => presentOrder(await renewal.refundUnusedPack(request.params.id, request.body.requested_by), requestLanguage(request, default_language)));

  app.post('/api/v1/orders/:id/cancel', {
    schema: { tags: ['renewal'], summary: 'Cancel an unpaid order', params: orderParams, response: { 200: orderSchema, 404: problemResponse('No such order'), 409: problemResponse('Order already closed') } },
  }, async (request) => presentOrder(await renewal.cancelOrder(request.params.id), requestLanguage(request, default_language)));
};

function failureText(code: string | null, language: Language): { code: string; message: string } | null {
  if (!code) return null;
  const { renewal } = messagesFor(language);
  const message = (renewal.payment_failures as Record<string, string>)[code] ?? renewal.payment_failures.declined;
  return { code, message };
}

export function presentOrder(view: OrderView, language: Language) {
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
    channel: order.channel as (typeof SALES_CHANNELS)[number],
    bundle_id: order.bundle_id,
    receipt_url: order.bundle_id === null ? null : `/orders/${order.id}/receipt`,
    expires_at: new Date(order.expires_at_ms).toISOString(),
    created_at: new Date(order.created_at_ms).toISOString(),
    payments: view.payments.map((payment) => ({
      id: payment.id,
      method: payment.method as (typeof PAYMENT_METHODS)[number],
      provider: payment.provider,
      status: payment.status,
      amount_minor: payment.amount_minor,
      currency: payment.currency,
      next_action: payment.next_action === null ? null : (JSON.parse(payment.next_action) as unknown),
      failure: failureText(payment.failure_code, language),
      created_at: new Date(payment.created_at_ms).toISOString(),
    })),
    refunds: view.refunds.map((refund) => ({ id: refund.id, payment_id: refund.payment_id, reason: refund.reason, status: refund.status, amount_minor: refund.amount_minor })),
  };
}
