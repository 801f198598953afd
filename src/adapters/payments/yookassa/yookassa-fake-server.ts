import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { requestHash } from '../../../core/ids.js';
import { closeNow, DelayedAnswers, FAKE_REQUEST_BYTES_MAX, headerValue, listenOnLoopback } from '../kit/fake-server.js';
import { parseJson, readBody } from '../kit/json-body.js';
import { escapeHtml } from '../../../core/html-escape.js';

/**
 * A local YooKassa (API v3) for tests: the parts the adapter uses, with YooKassa's wire format and
 * rules — Basic auth, Idempotence-Key required and honoured for 24 h-style replays, payments that
 * start `pending` with a confirmation, refunds, error bodies `{type: "error", id, code, …}` — plus
 * test hooks: finish a payment as the customer's bank would, fail the next requests (500, 429, a
 * dropped connection; before or after the work is done, as a real 500 may be), delay answers past
 * the client's timeout, and POST notifications. Listens on 127.0.0.1, port chosen by the system.
 */

const IDEMPOTENCE_KEY_LENGTH_MAX = 64;
const DESCRIPTION_LENGTH_MAX = 128;
const RETURN_URL_LENGTH_MAX = 2048;
const METADATA_KEYS_MAX = 16;
const METADATA_KEY_LENGTH_MAX = 32;
const METADATA_VALUE_LENGTH_MAX = 512;
const VAT_CODE_MAX = 12;
/** Quantities are decimals with up to three places ("1.000"). */
const QUANTITY_SCALE = 1000n;

const METHOD_TYPES = ['bank_card', 'yoo_money', 'sbp', 'sberbank', 'tinkoff_bank', 'mobile_balance', 'cash', 'b2b_sberbank', 'sber_loan'] as const;
/** Methods whose confirmation may be a QR code instead of a page. */
const QR_METHOD_TYPES = new Set<string>(['sbp', 'sberbank']);

export type FakeFault = 500 | 429 | 503 | 'drop';
export type FakeCancellationReason =
  | '3d_secure_failed' | 'call_issuer' | 'canceled_by_merchant' | 'card_expired' | 'country_forbidden' | 'expired_on_capture'
  | 'expired_on_confirmation' | 'fraud_suspected' | 'general_decline' | 'identification_required' | 'insufficient_funds'
  | 'internal_timeout' | 'invalid_card_number' | 'invalid_csc' | 'issuer_unavailable' | 'payment_method_limit_exceeded'
  | 'payment_method_restricted' | 'permission_revoked' | 'unsupported_mobile_operator';
export type FakeOutcome = 'succeeded' | 'waiting_for_capture' | { readonly canceled: FakeCancellationReason; readonly party?: 'yoo_money' | 'payment_network' | 'merchant' };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly idempotence_key: string | undefined;
  readonly body: unknown;
}

type Json = Record<string, unknown>;

interface Amount { value: string; currency: string }

interface PaymentObject {
  id: string;
  status: 'pending' | 'waiting_for_capture' | 'succeeded' | 'canceled';
  paid: boolean;
  amount: Amount;
  description?: string;
  recipient: { account_id: string; gateway_id: string };
  created_at: string;
  captured_at?: string;
  confirmation: { type: 'redirect'; confirmation_url: string; return_url: string } | { type: 'qr'; confirmation_data: string };
  payment_method: { type: string; id: string; saved: boolean };
  cancellation_details?: { party: string; reason: string };
  refunded_amount?: Amount;
  refundable: boolean;
  test: true;
  metadata: Record<string, string>;
}

interface RefundObject {
  id: string;
  payment_id: string;
  status: 'pending' | 'succeeded' | 'canceled';
  amount: Amount;
  created_at: string;
  cancellation_details?: { party: string; reason: string };
}

interface StoredPayment { object: PaymentObject; capture: boolean; refunded_minor: number }

interface Reply { readonly status: number; readonly body?: Json; readonly html?: string }

class Refusal extends Error {
  constructor(readonly status: number, readonly code: string, description: string, readonly parameter?: string) {
    super(description);
  }
}

// ---------------------------------------------------------------------------------------------
// Request schemas: the first issue becomes YooKassa's `parameter` and `description`.

const amountInput = z.object({
  value: z.string().regex(/^\d+(\.\d{1,2})?$/, 'Amount value must be a decimal with up to 2 digits after the point'),
  currency: z.literal('RUB', 'Currency must be RUB for this shop'),
});

const receiptInput = z.object({
  customer: z.object({ email: z.email().optional(), phone: z.string().regex(/^\d{10,15}$/, 'Phone must be in ITU-T E.164 without "+"').optional() })
    .refine((customer) => customer.email !== undefined || customer.phone !== undefined, 'Receipt customer must have an email or a phone'),
  items: z.array(z.object({
    description: z.string().min(1).max(DESCRIPTION_LENGTH_MAX),
    quantity: z.string().regex(/^\d+(\.\d{1,3})?$/, 'Quantity must be a decimal with up to 3 digits after the point'),
    amount: amountInput,
    vat_code: z.number().int().min(1).max(VAT_CODE_MAX),
    payment_subject: z.string().optional(),
    payment_mode: z.string().optional(),
  })).min(1, 'Receipt must have at least one item').max(100),
});

const createPaymentInput = z.object({
  amount: amountInput,
  capture: z.boolean().optional(),
  confirmation: z.discriminatedUnion('type', [
    z.object({ type: z.literal('redirect'), return_url: z.url().max(RETURN_URL_LENGTH_MAX) }),
    z.object({ type: z.literal('qr'), return_url: z.url().max(RETURN_URL_LENGTH_MAX).optional() }),
  ], 'Confirmation type must be redirect or qr'),
  payment_method_data: z.object({ type: z.enum(METHOD_TYPES, 'Unknown payment method type') }),
  description: z.string().max(DESCRIPTION_LENGTH_MAX, `Description must be at most ${DESCRIPTION_LENGTH_MAX} characters`).optional(),
  metadata: z.record(z.string().max(METADATA_KEY_LENGTH_MAX), z.string().max(METADATA_VALUE_LENGTH_MAX))
    .refine((metadata) => Object.keys(metadata).length <= METADATA_KEYS_MAX, `Metadata may have at most ${METADATA_KEYS_MAX} keys`).optional(),
  receipt: receiptInput.optional(),
});
type CreatePaymentInput = z.infer<typeof createPaymentInput>;

const createRefundInput = z.object({
  payment_id: z.string().min(1),
  amount: amountInput,
  description: z.string().max(250).optional(),
});

function parseInput<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Refusal(400, 'invalid_request', issue?.message ?? 'Invalid request', issue?.path.join('.') || undefined);
}

// ---------------------------------------------------------------------------------------------

export interface YooKassaFakeOptions {
  readonly shop_id?: string;
  readonly secret_key?: string;
  /** The shop sends 54-FZ receipts through YooKassa: a payment without `receipt` is refused. */
  readonly receipts_required?: boolean;
}

export class YooKassaFake {
  readonly shop_id: string;
  readonly secret_key: string;
  readonly #server: Server;
  readonly #receipts_required: boolean;
  readonly #payments = new Map<string, StoredPayment>();
  readonly #refunds = new Map<string, RefundObject>();
  readonly #idempotence = new Map<string, { hash: string; reply: Reply }>();
  readonly #requests: RecordedRequest[] = [];
  readonly #late_answers = new DelayedAnswers();
  #faults: { count: number; fault: FakeFault; after_processing: boolean }[] = [];
  #delays: { count: number; delay_ms: number }[] = [];
  #hold_refunds = false;
  #origin = '';

  private constructor(options: YooKassaFakeOptions) {
    this.shop_id = options.shop_id ?? '100500';
    this.secret_key = options.secret_key ?? 'test_fake_secret';
    this.#receipts_required = options.receipts_required ?? false;
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        // A bug in the fake must fail the test loudly, not hang the client.
        if (!response.headersSent) reply(response, errorReply(new Refusal(500, 'internal_server_error', `fake YooKassa crashed: ${String(error)}`)));
      });
    });
  }

  static async start(options: YooKassaFakeOptions = {}): Promise<YooKassaFake> {
    const fake = new YooKassaFake(options);
    fake.#origin = await listenOnLoopback(fake.#server);
    return fake;
  }

  /** The value for YOOKASSA_API_URL. */
  get api_url(): string {
    return `${this.#origin}/v3/`;
  }

  get origin(): string {
    return this.#origin;
  }

  get requests(): readonly RecordedRequest[] {
    return [...this.#requests];
  }

  get payment_count(): number {
    return this.#payments.size;
  }

  payment(id: string): PaymentObject | undefined {
    const stored = this.#payments.get(id);
    return stored === undefined ? undefined : structuredClone(stored.object);
  }

  refund(id: string): RefundObject | undefined {
    const refund = this.#refunds.get(id);
    return refund === undefined ? undefined : structuredClone(refund);
  }

  /** What the customer's bank decides. `succeeded` on a capture: false payment stops at waiting_for_capture. */
  complete(id: string, outcome: FakeOutcome): void {
    const stored = this.#payments.get(id);
    if (stored === undefined) throw new Error(`fake YooKassa: no payment ${id}`);
    const payment = stored.object;
    if (payment.status === 'succeeded' || payment.status === 'canceled') throw new Error(`fake YooKassa: payment ${id} is already ${payment.status}`);
    if (outcome === 'succeeded' && stored.capture) return this.#succeed(payment);
    if (outcome === 'succeeded' || outcome === 'waiting_for_capture') {
      Object.assign(payment, { status: 'waiting_for_capture', paid: true });
      return;
    }
    Object.assign(payment, { status: 'canceled', paid: false, cancellation_details: { party: outcome.party ?? defaultParty(outcome.canceled), reason: outcome.canceled } });
  }

  /** While on, new refunds stay `pending` until completeRefund. */
  holdRefunds(hold: boolean): void {
    this.#hold_refunds = hold;
  }

  completeRefund(id: string, status: 'succeeded' | 'canceled'): void {
    const refund = this.#refunds.get(id);
    if (refund === undefined || refund.status !== 'pending') throw new Error(`fake YooKassa: no pending refund ${id}`);
    refund.status = status;
    if (status === 'canceled') {
      refund.cancellation_details = { party: 'yoo_money', reason: 'general_decline' };
      this.#addRefunded(refund.payment_id, -toMinor(refund.amount.value));
    }
  }

  /** The next `count` API requests fail; `after_processing` does the work first, as a real 500 may. */
  failNext(count: number, fault: FakeFault, options: { after_processing?: boolean } = {}): void {
    this.#faults.push({ count, fault, after_processing: options.after_processing ?? false });
  }

  /** The next `count` API answers are held back `delay_ms` (the work is done at once). */
  delayNext(count: number, delay_ms: number): void {
    this.#delays.push({ count, delay_ms });
  }

  /** A notification as YooKassa sends it; `claims` overwrite fields of the object, as a forger would. */
  notificationBody(event: string, object_id: string, claims: Json = {}): Buffer {
    const object = event.startsWith('refund.') ? this.refund(object_id) : this.payment(object_id);
    return Buffer.from(JSON.stringify({ type: 'notification', event, object: { ...(object ?? { id: object_id }), ...claims } }));
  }

  /** POSTs a notification body to `url`; returns the HTTP status the receiver answered. */
  async sendNotification(url: string, body: Buffer): Promise<number> {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await response.arrayBuffer();
    return response.status;
  }

  async close(): Promise<void> {
    this.#late_answers.clear();
    await closeNow(this.#server);
  }

  // -------------------------------------------------------------------------------------------

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const bytes = await readBody(request, FAKE_REQUEST_BYTES_MAX);
    if (bytes === undefined) return reply(response, { status: 413 });
    const text = bytes.toString('utf8');
    const url = new URL(request.url ?? '/', this.#origin);
    const method = request.method ?? 'GET';
    if (url.pathname.startsWith('/checkout/')) return reply(response, this.#checkoutPage(url.pathname.slice('/checkout/'.length)));
    const idempotence_key = headerValue(request.headers, 'idempotence-key');
    const body = text.length === 0 ? undefined : parseJson(text);
    this.#requests.push({ method, path: url.pathname, idempotence_key, body });

    const fault = this.#takeFault();
    if (fault !== undefined && !fault.after_processing) return this.#fail(response, fault.fault);
    const result = this.#answer(request, method, url.pathname, text, body, idempotence_key);
    if (fault !== undefined) return this.#fail(response, fault.fault);
    const delay_ms = this.#takeDelay();
    if (delay_ms === 0) return reply(response, result);
    this.#late_answers.send(response, delay_ms, () => reply(response, result));
  }

  #answer(request: IncomingMessage, method: string, path: string, text: string, body: unknown, idempotence_key: string | undefined): Reply {
    try {
      this.#authenticate(request);
      if (method !== 'POST') return this.#route(method, path, body);
      return this.#idempotent(request, path, text, body, idempotence_key);
    } catch (error) {
      if (error instanceof Refusal) return errorReply(error);
      throw error;
    }
  }

  #authenticate(request: IncomingMessage): void {
    const expected = `Basic ${Buffer.from(`${this.shop_id}:${this.secret_key}`).toString('base64')}`;
    if (headerValue(request.headers, 'authorization') !== expected) {
      throw new Refusal(401, 'invalid_credentials', 'Login or password is incorrect. Use shopId as the login and the secret key as the password.', 'Authorization');
    }
  }

  /** Same key + same request → the stored answer; same key + another request → an error. */
  #idempotent(request: IncomingMessage, path: string, text: string, body: unknown, idempotence_key: string | undefined): Reply {
    if (!/^application\/json\b/.test(headerValue(request.headers, 'content-type') ?? '')) return { status: 415 };
    if (idempotence_key === undefined || idempotence_key.length === 0) throw new Refusal(400, 'invalid_request', 'Idempotence key is not specified', 'Idempotence-Key');
    if (idempotence_key.length > IDEMPOTENCE_KEY_LENGTH_MAX) throw new Refusal(400, 'invalid_request', `Idempotence key is longer than ${IDEMPOTENCE_KEY_LENGTH_MAX} characters`, 'Idempotence-Key');
    if (body === undefined && text.length > 0) throw new Refusal(400, 'invalid_request', 'Request body is not valid JSON');
    const hash = requestHash({ path, body: body ?? null });
    const stored = this.#idempotence.get(idempotence_key);
    if (stored !== undefined && stored.hash === hash) return stored.reply;
    if (stored !== undefined) throw new Refusal(400, 'invalid_request', 'Idempotence key duplicated: the same key was used for another request', 'Idempotence-Key');
    let result: Reply;
    try {
      result = this.#route('POST', path, body);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      result = errorReply(error);
    }
    this.#idempotence.set(idempotence_key, { hash, reply: result });
    return result;
  }

  #route(method: string, path: string, body: unknown): Reply {
    const parts = path.split('/').filter((part) => part.length > 0);
    if (parts[0] !== 'v3') throw notFound('Resource');
    const [, collection, id, action] = parts;
    if (collection === 'payments' && id === undefined) return method === 'POST' ? ok(this.#createPayment(body)) : notAllowed();
    if (collection === 'payments' && id !== undefined && action === undefined) return method === 'GET' ? ok(this.#storedPayment(id).object) : notAllowed();
    if (collection === 'payments' && id !== undefined && action === 'cancel') return method === 'POST' ? ok(this.#cancelPayment(id)) : notAllowed();
    if (collection === 'refunds' && id === undefined) return method === 'POST' ? ok(this.#createRefund(body)) : notAllowed();
    if (collection === 'refunds' && id !== undefined && action === undefined) return method === 'GET' ? ok(this.#storedRefund(id)) : notAllowed();
    throw notFound('Resource');
  }

  #createPayment(body: unknown): PaymentObject {
    const input = parseInput(createPaymentInput, body);
    const amount = { value: decimal(toMinor(input.amount.value)), currency: input.amount.currency };
    if (toMinor(amount.value) <= 0) throw new Refusal(400, 'invalid_request', 'Amount value must be greater than 0', 'amount.value');
    this.#checkReceipt(input, amount);
    const type = input.payment_method_data.type;
    if (input.confirmation.type === 'qr' && !QR_METHOD_TYPES.has(type)) throw new Refusal(400, 'invalid_request', `Confirmation type qr is not available for payment method ${type}`, 'confirmation.type');
    const id = objectId('000f');
    const payment: PaymentObject = {
      id,
      status: 'pending',
      paid: false,
      amount,
      ...(input.description === undefined ? {} : { description: input.description }),
      recipient: { account_id: this.shop_id, gateway_id: '100700' },
      created_at: new Date().toISOString(),
      confirmation: input.confirmation.type === 'qr'
        ? { type: 'qr', confirmation_data: `https://qr.nspk.ru/${randomBytes(16).toString('hex').toUpperCase()}?type=02&bank=100000000111&sum=${toMinor(amount.value)}&cur=RUB` }
        : { type: 'redirect', confirmation_url: `${this.#origin}/checkout/${id}`, return_url: input.confirmation.return_url },
      payment_method: { type, id, saved: false },
      refundable: false,
      test: true,
      metadata: input.metadata ?? {},
    };
    this.#payments.set(id, { object: payment, capture: input.capture ?? false, refunded_minor: 0 });
    return payment;
  }

  #checkReceipt(input: CreatePaymentInput, amount: Amount): void {
    if (input.receipt === undefined) {
      if (this.#receipts_required) throw new Refusal(400, 'invalid_request', 'Receipt is missing or illegal', 'receipt');
      return;
    }
    const items_minor = input.receipt.items.reduce(
      (sum, item) => sum + BigInt(toMinor(item.amount.value)) * quantityThousandths(item.quantity),
      0n,
    );
    if (items_minor !== BigInt(toMinor(amount.value)) * QUANTITY_SCALE) throw new Refusal(400, 'invalid_request', 'Sum of receipt items does not match the payment amount', 'receipt.items');
  }

  #cancelPayment(id: string): PaymentObject {
    const payment = this.#storedPayment(id).object;
    if (payment.status !== 'waiting_for_capture') throw new Refusal(400, 'invalid_request', `Payment in status ${payment.status} cannot be canceled: only waiting_for_capture can`, 'payment_id');
    Object.assign(payment, { status: 'canceled', paid: false, cancellation_details: { party: 'merchant', reason: 'canceled_by_merchant' } });
    return payment;
  }

  #createRefund(body: unknown): RefundObject {
    const input = parseInput(createRefundInput, body);
    const stored = this.#payments.get(input.payment_id);
    if (stored === undefined) throw new Refusal(400, 'invalid_request', `Payment ${input.payment_id} doesn't exist or access denied`, 'payment_id');
    if (stored.object.status !== 'succeeded') throw new Refusal(400, 'invalid_request', `Payment in status ${stored.object.status} cannot be refunded`, 'payment_id');
    const amount_minor = toMinor(input.amount.value);
    if (amount_minor <= 0 || stored.refunded_minor + amount_minor > toMinor(stored.object.amount.value)) {
      throw new Refusal(400, 'invalid_request', 'Refund amount is more than what is left to refund for this payment', 'amount.value');
    }
    const refund: RefundObject = {
      id: objectId('0015'),
      payment_id: input.payment_id,
      status: this.#hold_refunds ? 'pending' : 'succeeded',
      amount: { value: decimal(amount_minor), currency: input.amount.currency },
      created_at: new Date().toISOString(),
    };
    this.#refunds.set(refund.id, refund);
    this.#addRefunded(input.payment_id, amount_minor);
    return refund;
  }

  #addRefunded(payment_id: string, amount_minor: number): void {
    const stored = this.#storedPayment(payment_id);
    stored.refunded_minor += amount_minor;
    stored.object.refunded_amount = { value: decimal(stored.refunded_minor), currency: stored.object.amount.currency };
    stored.object.refundable = stored.refunded_minor < toMinor(stored.object.amount.value);
  }

  #succeed(payment: PaymentObject): void {
    Object.assign(payment, { status: 'succeeded', paid: true, captured_at: new Date().toISOString(), refundable: true });
  }

  #storedPayment(id: string): StoredPayment {
    const stored = this.#payments.get(id);
    if (stored === undefined) throw notFound('Payment');
    return stored;
  }

  #storedRefund(id: string): RefundObject {
    const refund = this.#refunds.get(id);
    if (refund === undefined) throw notFound('Refund');
    return refund;
  }

  /** Where confirmation_url leads: the page a customer would pay on (finish it with complete()). */
  #checkoutPage(id: string): Reply {
    const stored = this.#payments.get(id);
    if (stored === undefined) return { status: 404 };
    const { amount, description } = stored.object;
    return { status: 200, html: `<!doctype html><title>YooKassa (fake)</title><p>Pay ${amount.value} ${amount.currency}: ${escapeHtml(description ?? '')}</p>` };
  }

  #takeFault(): { fault: FakeFault; after_processing: boolean } | undefined {
    const plan = this.#faults[0];
    if (plan === undefined) return undefined;
    plan.count -= 1;
    if (plan.count <= 0) this.#faults.shift();
    return plan;
  }

  #takeDelay(): number {
    const plan = this.#delays[0];
    if (plan === undefined) return 0;
    plan.count -= 1;
    if (plan.count <= 0) this.#delays.shift();
    return plan.delay_ms;
  }

  #fail(response: ServerResponse, fault: FakeFault): void {
    if (fault === 'drop') {
      response.socket?.destroy();
      return;
    }
    const code = fault === 429 ? 'too_many_requests' : 'internal_server_error';
    const description = fault === 429 ? 'Too many requests. Try again later.' : 'Internal server error. The result of processing is unknown: repeat the request with the same Idempotence-Key.';
    reply(response, errorReply(new Refusal(fault, code, description)));
  }
}

// ---------------------------------------------------------------------------------------------

function reply(response: ServerResponse, result: Reply): void {
  if (result.html !== undefined) {
    response.writeHead(result.status, { 'content-type': 'text/html;charset=UTF-8' }).end(result.html);
  } else if (result.body !== undefined) {
    response.writeHead(result.status, { 'content-type': 'application/json;charset=UTF-8' }).end(JSON.stringify(result.body));
  } else {
    response.writeHead(result.status).end();
  }
}


function ok(object: PaymentObject | RefundObject): Reply {
  return { status: 200, body: structuredClone(object) as unknown as Json };
}

function errorReply(refusal: Refusal): Reply {
  const body: Json = { type: 'error', id: randomUUID(), code: refusal.code, description: refusal.message };
  if (refusal.parameter !== undefined) body.parameter = refusal.parameter;
  return { status: refusal.status, body };
}

function notFound(what: string): Refusal {
  return new Refusal(404, 'not_found', `${what} doesn't exist or access denied`);
}

function notAllowed(): Reply {
  return { status: 405 };
}

function defaultParty(reason: FakeCancellationReason): 'yoo_money' | 'payment_network' | 'merchant' {
  if (reason === 'canceled_by_merchant') return 'merchant';
  if (reason === 'fraud_suspected' || reason === 'expired_on_confirmation' || reason === 'expired_on_capture' || reason === 'internal_timeout') return 'yoo_money';
  return 'payment_network';
}

/** YooKassa-looking ids: "2f3b588d-000f-5000-8000-1d6e87c7fbde". */
function objectId(kind: string): string {
  const hex = randomBytes(10).toString('hex');
  return `${hex.slice(0, 8)}-${kind}-5000-8000-${hex.slice(8, 20)}`;
}

/** "990", "990.5", "990.50" → 99050 (the schemas have already checked the form). */
function toMinor(value: string): number {
  const [whole = '0', fraction = ''] = value.split('.');
  return Number(whole + fraction.padEnd(2, '0'));
}

function decimal(amount_minor: number): string {
  const text = String(amount_minor).padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

function quantityThousandths(quantity: string): bigint {
  const [whole = '0', fraction = ''] = quantity.split('.');
  return BigInt(whole) * QUANTITY_SCALE + BigInt(fraction.padEnd(3, '0'));
}
