import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { normalizeLanguage, type Language } from '../../../core/i18n/languages.js';
import { maskIccid } from '../../../core/iccid.js';
import { USAGE_KINDS } from '../../../core/units.js';
import { DESK_PAYMENT_METHODS } from '../../../ports/payment-provider.js';
import type { DeskCaller, DeskService } from '../../../services/desk/desk-service.js';
import { DESK_IDEMPOTENCY_KEY_LENGTH_MAX, TENDERED_MINOR_MAX } from '../../../services/desk/desk-sales.js';
import { BUYER_NAME_LENGTH_MAX } from '../../../services/desk/invoices.js';
import type { DeskLineLookup } from '../../../services/desk/lookups.js';
import { SHIFT_CASH_MINOR_MAX, type ShiftView } from '../../../services/desk/shifts.js';
import { serviceStateSentences } from '../../../services/lines/service-state.js';
import { problemResponse, requestLanguage } from '../problem-details.js';
import { staffGuard, staffOf, type StaffAuthenticator } from '../staff-guard.js';
import { MSISDN_LENGTH_MAX } from './usage-events.js';

/**
 * The desk API (issue 12): what the desk pages and a POS tablet call with a staff member's bearer
 * token. Who may call: any signed-in staff member (staffGuard); what each may see and do is the
 * desk service's decision (their own store; managers theirs; admins all). Limits: small bodies,
 * amounts bounded, an Idempotency-Key on every request that moves money. Logged: the request line
 * and the staff id by Fastify's request log — never a number, an ICCID or a document (the
 * services' audit entries mask them).
 */

export interface DeskApiOptions {
  readonly desk: DeskService;
  readonly authenticator: StaffAuthenticator;
  readonly default_language: Language;
}

/** Every desk body is a handful of short fields. */
export const DESK_BODY_BYTES_MAX = 4 * 1024;
const ICCID_INPUT_LENGTH_MAX = 32;
const ID_LENGTH_MAX = 64;

const minor = (maximum: number) => z.number().int().min(0).max(maximum);
const iso = (at_ms: number | null) => (at_ms === null ? null : new Date(at_ms).toISOString());

const idempotencyHeaders = z.object({
  'idempotency-key': z.string().min(1).max(DESK_IDEMPOTENCY_KEY_LENGTH_MAX)
    .describe('Required: the same key and body return the same result (200); the same key with another body is 409'),
});

const methodTotals = z.object({ count: z.number().int(), amount_minor: z.number().int() });

const shiftSchema = z.object({
  id: z.string(), store_code: z.string(), staff_id: z.string(), state: z.enum(['open', 'closed']),
  float_minor: z.number().int(),
  drawer_cash_minor: z.number().int().describe('Cash in the drawer by the ledger now (the float and cash sales); 0 once closed'),
  opened_at: z.string(), closed_at: z.string().nullable(), closed_by: z.string().nullable(),
  expected_minor: z.number().int().nullable().describe('At close: the drawer\'s ledger balance'),
  counted_minor: z.number().int().nullable(),
  difference_minor: z.number().int().nullable().describe('counted − expected; negative is a shortage (posted to cash over/short)'),
  day_ends_at: z.string().describe('End of the store\'s local day the shift opened on'),
  open_past_day: z.boolean().describe('Still open after its day ended: to be closed'),
  sales: z.object({
    count: z.number().int(), by_method: z.object({ cash: methodTotals, card_present: methodTotals }),
    tendered_minor: z.number().int(), change_minor: z.number().int(),
    refunds: z.object({ cash: methodTotals, card_present: methodTotals }).describe('Unused packs refunded on this shift (cash left the drawer)'),
  }),
}).meta({ id: 'DeskShift' });

const refundBody = z.object({
  order_id: z.string().min(1).max(ID_LENGTH_MAX).describe('An order sold at a desk of your store, its pack unused'),
  terminal_reference: z.string().min(1).max(ID_LENGTH_MAX).optional().describe('card_present: the terminal refund slip\'s reference (required)'),
});

const refundSchema = z.object({
  refund_id: z.string(), order_id: z.string(), amount_minor: z.number().int(), currency: z.string(),
  method: z.enum(DESK_PAYMENT_METHODS), shift_id: z.string().nullable().describe('The shift whose drawer paid the cash back'),
  state: z.string(),
}).meta({ id: 'DeskRefund' });

const saleBody = z.object({
  msisdn: z.string().min(1).max(MSISDN_LENGTH_MAX).optional().describe('The number to renew (any spelling)'),
  line_id: z.string().min(1).max(ID_LENGTH_MAX).optional(),
  package_code: z.string().min(1).max(ID_LENGTH_MAX).describe('A pack sold on the desk channel'),
  method: z.enum(DESK_PAYMENT_METHODS),
  tendered_minor: minor(TENDERED_MINOR_MAX).optional().describe('cash: what the customer handed over; refused when below the price'),
  terminal_reference: z.string().min(1).max(ID_LENGTH_MAX).optional().describe('card_present: the terminal slip\'s reference (required)'),
  card_last4: z.string().regex(/^\d{4}$/).optional().describe('card_present: the card\'s last 4 digits from the slip'),
  document_checked: z.boolean().optional().describe('The payer\'s identity document was checked: required (true) for cash'),
  language: z.string().max(35).refine((value) => normalizeLanguage(value) !== undefined, { params: { reason: 'invalid_value' } }).optional()
    .describe('The customer\'s language for the receipt; the line\'s when absent'),
}).refine((body) => (body.msisdn === undefined) !== (body.line_id === undefined), {
  path: ['msisdn'], params: { reason: 'msisdn_or_line_id' }, message: 'give exactly one of msisdn and line_id',
}).meta({ id: 'DeskSaleRequest' });

const saleSchema = z.object({
  order_id: z.string(), state: z.string().describe('"active": the pack works now'),
  amount_minor: z.number().int(), currency: z.string(), method: z.enum(DESK_PAYMENT_METHODS),
  tendered_minor: z.number().int().nullable(), change_minor: z.number().int().describe('Cash to hand back'),
  receipt_url: z.string().describe('The receipt (HTML, linking its PDF) in the customer\'s language; it redirects to the verification link once issued'),
}).meta({ id: 'DeskSale' });

const invoiceBody = z.object({
  msisdn: z.string().min(1).max(MSISDN_LENGTH_MAX),
  package_code: z.string().min(1).max(ID_LENGTH_MAX),
  buyer_name: z.string().min(1).max(BUYER_NAME_LENGTH_MAX),
  buyer_inn: z.string().min(1).max(12).describe('10 digits (a company) or 12 (an entrepreneur), check digits verified'),
  buyer_kpp: z.string().min(1).max(9).optional().describe('Required for a company (10-digit INN); none for an entrepreneur'),
  language: z.string().max(35).refine((value) => normalizeLanguage(value) !== undefined, { params: { reason: 'invalid_value' } }).optional(),
}).meta({ id: 'DeskInvoiceRequest' });

const invoiceSchema = z.object({
  order_id: z.string(), state: z.string(), amount_minor: z.number().int(), currency: z.string(),
  reference: z.string().nullable().describe('The payment reference the company writes on its transfer'),
  invoice_url: z.string(), invoice_pdf_url: z.string(),
}).meta({ id: 'DeskInvoice' });

const lookupQuery = z.object({
  msisdn: z.string().min(1).max(MSISDN_LENGTH_MAX).optional(),
  iccid: z.string().min(1).max(ICCID_INPUT_LENGTH_MAX).optional().describe('The SIM\'s serial as a barcode scanner types it'),
  lang: z.string().max(35).optional(),
}).refine((query) => (query.msisdn === undefined) !== (query.iccid === undefined), {
  path: ['msisdn'], params: { reason: 'invalid' }, message: 'give exactly one of msisdn and iccid',
});

const lookupSchema = z.object({
  line: z.object({
    id: z.string(), msisdn: z.string(), iccid_masked: z.string(), status: z.string(), language: z.string(), time_zone: z.string(),
    wallet_balance_minor: z.number().int(),
  }),
  service: z.object({
    sentences: z.array(z.string()).describe('What works and why not, in the staff member\'s language'),
    kinds: z.array(z.object({ kind: z.enum(USAGE_KINDS), available: z.boolean(), reason: z.string().nullable() })),
  }),
  packs: z.array(z.object({
    bundle_id: z.string(), package_code: z.string(), name: z.string(), expires_at: z.string(),
    data_bytes_remaining: z.number(), voice_seconds_remaining: z.number(), sms_remaining: z.number(),
  })),
  recent_orders: z.array(z.object({
    order_id: z.string(), package_code: z.string(), channel: z.string(), state: z.string(), amount_minor: z.number().int(),
    currency: z.string(), created_at: z.string(), other_store: z.boolean().describe('Sold at another store\'s desk: its desk details withheld'),
    desk: z.object({
      store_id: z.string(), staff_id: z.string(), shift_id: z.string().nullable(), method: z.string(), document_checked: z.boolean(),
    }).nullable(),
  })),
}).meta({ id: 'DeskLineLookup' });

const security = [{ staffSession: [] }];
const denied = { 401: problemResponse('No or unknown staff token'), 403: problemResponse('Role not allowed') };

export const deskApiRoutes: FastifyPluginAsyncZod<DeskApiOptions> = async (app, options) => {
  const { desk, default_language } = options;
  app.addHook('onRequest', staffGuard({ authenticator: options.authenticator, default_language }));
  const caller = (request: FastifyRequest): DeskCaller => ({ actor: staffOf(request), client_address: request.ip });

  app.post('/api/v1/desk/shifts', {
    bodyLimit: DESK_BODY_BYTES_MAX,
    schema: {
      tags: ['desk'], summary: 'Open my cash shift with a float', security,
      body: z.object({ float_minor: minor(SHIFT_CASH_MINOR_MAX).describe('Cash put in the drawer to start with') }).meta({ id: 'OpenShift' }),
      response: { 201: shiftSchema, ...denied, 400: problemResponse('Float not valid'), 409: problemResponse('A shift of mine is already open') },
    },
  }, async (request, reply) => reply.code(201).send(presentShift(await desk.openShift(caller(request), request.body.float_minor))));

  app.post('/api/v1/desk/shifts/:id/close', {
    bodyLimit: DESK_BODY_BYTES_MAX,
    schema: {
      tags: ['desk'], summary: 'Close a shift with the cash counted: the report reconciles it against the drawer\'s ledger balance', security,
      description: 'The holder, a manager of its store or an admin. Any difference is posted to cash over/short; the counted cash goes to the store\'s cash office.',
      params: z.object({ id: z.string().min(1).max(ID_LENGTH_MAX) }),
      body: z.object({ counted_minor: minor(SHIFT_CASH_MINOR_MAX).describe('Cash counted in the drawer') }).meta({ id: 'CloseShift' }),
      response: { 200: shiftSchema, ...denied, 404: problemResponse('No such shift at your store'), 409: problemResponse('Already closed') },
    },
  }, async (request) => presentShift(await desk.closeShift(caller(request), {
    shift_id: request.params.id, counted_minor: request.body.counted_minor,
  })));

  app.get('/api/v1/desk/shifts/current', {
    schema: {
      tags: ['desk'], summary: 'My open shift, if any (flagged when still open past its day)', security,
      response: { 200: z.object({ shift: shiftSchema.nullable() }).meta({ id: 'CurrentShift' }), ...denied },
    },
  }, async (request) => {
    const shift = await desk.currentShift(staffOf(request));
    return { shift: shift === undefined ? null : presentShift(shift) };
  });

  app.get('/api/v1/desk/shifts/overdue', {
    schema: {
      tags: ['desk'], summary: 'Managers and admins: shifts still open past their store\'s day', security,
      response: { 200: z.object({ shifts: z.array(shiftSchema) }).meta({ id: 'OverdueShifts' }), ...denied },
    },
  }, async (request) => ({ shifts: (await desk.overdueShifts(staffOf(request))).map(presentShift) }));

  app.post('/api/v1/desk/sales', {
    bodyLimit: DESK_BODY_BYTES_MAX,
    schema: {
      tags: ['desk'], summary: 'Sell a pack at the desk in cash or on the card terminal; the pack is active when this answers', security,
      description: 'Cash needs my open shift, a tender covering the price and the identity document checked; the card terminal needs its reference.',
      headers: idempotencyHeaders, body: saleBody,
      response: {
        201: saleSchema, 200: saleSchema.describe('Replay of an earlier sale with the same key'), ...denied,
        400: problemResponse('A field is not valid'), 404: problemResponse('No such line or pack'),
        409: problemResponse('No open shift, line not active, pack not sold at the desk, or key reused'),
        422: problemResponse('Tender short of the price (the amount missing is said), or identity document not checked'),
      },
    },
  }, async (request, reply) => {
    const body = request.body;
    const sale = await desk.sell(caller(request), {
      line: body.msisdn !== undefined ? { msisdn: body.msisdn } : { line_id: body.line_id ?? '' }, package_code: body.package_code,
      method: body.method, tendered_minor: body.tendered_minor, terminal_reference: body.terminal_reference, card_last4: body.card_last4,
      document_checked: body.document_checked, language: normalizeLanguage(body.language),
    }, request.headers['idempotency-key']);
    return reply.code(sale.replayed ? 200 : 201).send({
      order_id: sale.order_id, state: sale.state, amount_minor: sale.amount_minor, currency: sale.currency, method: sale.method,
      tendered_minor: sale.tendered_minor, change_minor: sale.change_minor, receipt_url: sale.receipt_url,
    });
  });

  app.post('/api/v1/desk/refunds', {
    bodyLimit: DESK_BODY_BYTES_MAX,
    schema: {
      tags: ['desk'], summary: 'Refund an unused pack sold at this store\'s desk: cash from my shift, or the terminal\'s refund', security,
      description: 'The pack is revoked and the money leaves the way it came: cash out of my open shift\'s drawer, or the card terminal.',
      headers: idempotencyHeaders, body: refundBody,
      response: {
        201: refundSchema, ...denied, 400: problemResponse('A field is not valid (terminal_reference for a card refund)'),
        404: problemResponse('No desk sale of your store with this order id'),
        409: problemResponse('The pack was used or the order is not active, or a cash refund without my open shift'),
      },
    },
  }, async (request, reply) => {
    const refund = await desk.refund(caller(request), request.body, request.headers['idempotency-key']);
    return reply.code(201).send(refund);
  });

  app.post('/api/v1/desk/invoices', {
    bodyLimit: DESK_BODY_BYTES_MAX,
    schema: {
      tags: ['desk'], summary: 'Issue a company invoice for a pack, paid later by bank transfer', security,
      headers: idempotencyHeaders, body: invoiceBody,
      response: {
        201: invoiceSchema, 200: invoiceSchema.describe('Replay'), ...denied, 400: problemResponse('INN, KPP or another field not valid'),
        404: problemResponse('No such line or pack'), 409: problemResponse('Line not active, pack not sold at the desk, or key reused'),
        422: problemResponse('Bank transfers are not configured'),
      },
    },
  }, async (request, reply) => {
    const body = request.body;
    const issued = await desk.issueCompanyInvoice(caller(request), {
      line: { msisdn: body.msisdn }, package_code: body.package_code, language: normalizeLanguage(body.language),
      buyer: { name: body.buyer_name, inn: body.buyer_inn, kpp: body.buyer_kpp },
    }, request.headers['idempotency-key']);
    return reply.code(issued.replayed ? 200 : 201).send({
      order_id: issued.order_id, state: issued.state, amount_minor: issued.amount_minor, currency: issued.currency,
      reference: issued.reference, invoice_url: issued.invoice_url, invoice_pdf_url: issued.invoice_pdf_url,
    });
  });

  app.get('/api/v1/desk/lines', {
    schema: {
      tags: ['desk'], summary: 'Find a customer by number or ICCID: the line, its state and why, its packs, its recent orders', security,
      querystring: lookupQuery,
      response: { 200: lookupSchema, ...denied, 400: problemResponse('Number or ICCID not valid'), 404: problemResponse('No such line') },
    },
  }, async (request) => {
    const { msisdn, iccid } = request.query;
    const found = await desk.lookup(staffOf(request), iccid !== undefined ? { iccid } : { msisdn: msisdn ?? '' });
    return presentLookup(found, requestLanguage(request, default_language));
  });
};

function presentShift(shift: ShiftView) {
  return {
    id: shift.id, store_code: shift.store_code, staff_id: shift.staff_id, state: shift.state, float_minor: shift.float_minor,
    drawer_cash_minor: shift.drawer_cash_minor, opened_at: new Date(shift.opened_at_ms).toISOString(), closed_at: iso(shift.closed_at_ms),
    closed_by: shift.closed_by, expected_minor: shift.expected_minor, counted_minor: shift.counted_minor,
    difference_minor: shift.difference_minor,
    day_ends_at: new Date(shift.day_ends_at_ms).toISOString(), open_past_day: shift.open_past_day, sales: shift.sales,
  };
}

function presentLookup(found: DeskLineLookup, language: Language) {
  const { line, wallet_balance_minor, bundles, service } = found.overview;
  return {
    line: {
      id: line.id, msisdn: line.msisdn, iccid_masked: maskIccid(line.iccid), status: line.status, language: line.language,
      time_zone: line.time_zone, wallet_balance_minor,
    },
    service: {
      sentences: serviceStateSentences(service, language, line.time_zone),
      kinds: USAGE_KINDS.map((kind) => {
        const state = service.kinds[kind];
        return { kind, available: state.available, reason: state.available ? null : state.reason };
      }),
    },
    packs: bundles.map(({ bundle, pack }) => ({
      bundle_id: bundle.id, package_code: bundle.package_code, name: pack.names[language],
      expires_at: new Date(bundle.expires_at_ms).toISOString(),
      data_bytes_remaining: Number(bundle.data_bytes_remaining), voice_seconds_remaining: Number(bundle.voice_seconds_remaining),
      sms_remaining: Number(bundle.sms_remaining),
    })),
    recent_orders: found.recent_orders.map((order) => ({
      order_id: order.order_id, package_code: order.package_code, channel: order.channel, state: order.state,
      amount_minor: order.amount_minor,
      currency: order.currency, created_at: new Date(order.created_at_ms).toISOString(), other_store: order.other_store, desk: order.desk,
    })),
  };
}
