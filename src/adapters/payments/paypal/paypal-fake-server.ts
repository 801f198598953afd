import { generateKeyPairSync, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import { closeNow, DelayedAnswers, FAKE_REQUEST_BYTES_MAX, headerValue, listenOnLoopback } from '../kit/fake-server.js';
import { parseJson, readBody } from '../kit/json-body.js';

/**
 * A local stand-in for the part of PayPal's REST API the adapter uses, speaking PayPal's documented
 * wire format (developer.paypal.com/docs/api/orders/v2, /payments/v2, /webhooks/v1), so tests run
 * the real SDK over real HTTP with no internet:
 *
 *   POST /v1/oauth2/token                           Basic client_id:secret, grant_type=client_credentials
 *   POST /v2/checkout/orders                        PayPal-Request-Id idempotency
 *   GET  /v2/checkout/orders/{id}
 *   POST /v2/checkout/orders/{id}/capture           PayPal-Request-Id idempotency
 *   GET  /v2/payments/captures/{id}
 *   POST /v2/payments/captures/{id}/refund          PayPal-Request-Id idempotency
 *   POST /v1/notifications/verify-webhook-signature
 *   GET  /checkoutnow?token={id}                    the buyer's approval page: approves, redirects to return_url
 *
 * Every API call needs a Bearer token from the token endpoint. Outcomes are programmable
 * (approve, capture declined / pending / instrument declined, void) and faults can be injected
 * (the next N requests answer 500 / 429, drop the connection, or are delayed — held before PayPal
 * acts, or answered late after it acted). Webhooks are signed
 * the way PayPal signs them — RSA-SHA256 over `transmission_id|transmission_time|webhook_id|crc32(body)` —
 * with a key only this fake holds, and its verify endpoint checks exactly that.
 *
 * Simplifications: one purchase unit per order, currencies with two decimals, idempotency keys
 * kept forever and only for 2xx answers, no pagination or PATCH.
 */

export const FAKE_CLIENT_ID = 'fake-client-id';
export const FAKE_CLIENT_SECRET = 'fake-client-secret';
export const FAKE_WEBHOOK_ID = '8PT597110X687430LKGECATA';
/** PayPal's access tokens live 32400 s (9 hours). */
export const FAKE_TOKEN_TTL_S = 32_400;
const AUTH_ALGO = 'SHA256withRSA';
const TOKEN_PATH = '/v1/oauth2/token';

export interface PayPalFakeOptions {
  readonly client_id?: string;
  readonly client_secret?: string;
  readonly webhook_id?: string;
  readonly token_ttl_s?: number;
}

/**
 * `after_processing`: PayPal did the work (an order exists, money moved) but the answer is lost,
 * or (a delay) comes late; a delay without it holds the request before PayPal acts.
 */
export type PayPalFakeFault =
  | { readonly kind: 'status'; readonly status: 429 | 500 | 502 | 503; readonly after_processing?: boolean }
  | { readonly kind: 'drop'; readonly after_processing?: boolean }
  | { readonly kind: 'delay'; readonly delay_ms: number; readonly after_processing?: boolean };

/** Which requests a fault hits; by default every request except the OAuth token one. */
export interface PayPalFakeFaultMatch {
  readonly method?: string;
  readonly path_prefix?: string;
}

export type CaptureOutcome = 'completed' | 'pending' | 'declined' | 'instrument_declined';
export type RefundOutcome = 'completed' | 'pending';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly request_id: string | undefined;
  readonly authorization: string | undefined;
  readonly body: string;
}

export interface WebhookDelivery {
  readonly headers: Readonly<Record<string, string>>;
  readonly raw_body: Buffer;
}

export interface DeliveryOptions {
  /** When the delivery says it was sent (default now); for stale-delivery tests. */
  readonly transmission_time_ms?: number;
  /** wrong_key: signed by someone else; tampered_body: PayPal's signature over another body. */
  readonly forgery?: 'wrong_key' | 'tampered_body';
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Answer {
  readonly status: number;
  readonly body?: JsonObject;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A type, not an interface, so it fits the Json index signature. */
type Money = { currency_code: string; value: string };

interface CaptureRecord {
  readonly id: string;
  readonly order_id: string;
  status: 'COMPLETED' | 'PENDING' | 'DECLINED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';
  reason: string | undefined;
  readonly amount: Money;
  refunded_minor: number;
  readonly custom_id: string | undefined;
  readonly create_time: string;
  update_time: string;
}

interface RefundRecord {
  readonly id: string;
  readonly capture_id: string;
  status: 'COMPLETED' | 'PENDING';
  readonly amount: Money;
  readonly create_time: string;
}

interface OrderRecord {
  readonly id: string;
  readonly intent: string;
  status: 'CREATED' | 'PAYER_ACTION_REQUIRED' | 'APPROVED' | 'COMPLETED' | 'VOIDED';
  readonly purchase_unit: JsonObject;
  readonly amount: Money;
  readonly return_url: string | undefined;
  readonly with_payment_source: boolean;
  payer_id: string | undefined;
  capture_ids: string[];
  refund_ids: string[];
  readonly create_time: string;
  update_time: string;
}

interface ArmedFault {
  readonly fault: PayPalFakeFault;
  remaining: number;
  readonly match: PayPalFakeFaultMatch | undefined;
}

interface Context {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

// Wire helpers --------------------------------------------------------------------------------

function paypalId(length = 17): string {
  const alphabet = 'ABCDEFGHJKLMNPRSTUVWXY0123456789';
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join('');
}

function debugId(): string {
  return randomBytes(7).toString('hex').slice(0, 13);
}

/** PayPal's timestamps: RFC 3339 to the second, in UTC. */
function paypalTime(time_ms: number = Date.now()): string {
  return new Date(time_ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function toMinor(value: string): number | undefined {
  const match = /^(\d{1,10})(?:\.(\d{1,2}))?$/.exec(value);
  return match ? Number(`${match[1] ?? ''}${(match[2] ?? '').padEnd(2, '0')}`) : undefined;
}

function toDecimal(amount_minor: number): string {
  const text = String(amount_minor).padStart(3, '0');
  return `${text.slice(0, -2)}.${text.slice(-2)}`;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(text: string): JsonObject | undefined {
  const value = parseJson(text);
  return isObject(value) ? value : undefined;
}

function stringAt(object: JsonObject | undefined, ...path: string[]): string | undefined {
  let value: Json | undefined = object;
  for (const key of path) value = isObject(value) ? value[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** The error body every REST API of PayPal's uses. */
function paypalError(
  status: number,
  name: string,
  message: string,
  issue?: { issue: string; description: string; field?: string },
): Answer {
  const details: Json[] = issue === undefined ? [] : [{ ...(issue.field === undefined ? {} : { field: issue.field, location: 'body' }), issue: issue.issue, description: issue.description }];
  const code = issue?.issue ?? name;
  return {
    status,
    body: {
      name,
      message,
      debug_id: debugId(),
      ...(details.length === 0 ? {} : { details }),
      links: [{ href: `https://developer.paypal.com/docs/api/orders/v2/#error-${code}`, rel: 'information_link', method: 'GET' }],
    },
  };
}

const UNPROCESSABLE = 'The requested action could not be performed, semantically incorrect, or failed business validation.';
const INVALID_REQUEST = 'Request is not well-formed, syntactically incorrect, or violates schema.';

function unprocessable(issue: string, description: string): Answer {
  return paypalError(422, 'UNPROCESSABLE_ENTITY', UNPROCESSABLE, { issue, description });
}

function invalidRequest(field: string, issue: string, description: string): Answer {
  return paypalError(400, 'INVALID_REQUEST', INVALID_REQUEST, { field, issue, description });
}

function notFound(): Answer {
  return paypalError(404, 'RESOURCE_NOT_FOUND', 'The specified resource does not exist.', {
    issue: 'INVALID_RESOURCE_ID',
    description: 'Specified resource ID does not exist. Please check the resource ID and try again.',
  });
}

const FAULT_BODIES: Readonly<Record<429 | 500 | 502 | 503, Answer>> = {
  429: { status: 429, body: { name: 'RATE_LIMIT_REACHED', message: 'Too many requests. Blocked due to rate limiting.' } },
  500: { status: 500, body: { name: 'INTERNAL_SERVER_ERROR', message: 'An internal server error has occurred.' } },
  502: { status: 502, body: { name: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable.' } },
  503: { status: 503, body: { name: 'SERVICE_UNAVAILABLE', message: 'Service Unavailable.' } },
};

/**
 * RSA key generation takes a noticeable fraction of a second, so one process makes each key once:
 * PayPal's (the fake signs deliveries with it) and a forger's (for forged-signature tests).
 */
let paypal_signing_key: { readonly private_key: KeyObject; readonly public_key: KeyObject } | undefined;
let forger_signing_key: KeyObject | undefined;

function paypalSigningKey(): { readonly private_key: KeyObject; readonly public_key: KeyObject } {
  if (paypal_signing_key === undefined) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    paypal_signing_key = { private_key: pair.privateKey, public_key: pair.publicKey };
  }
  return paypal_signing_key;
}

function forgerSigningKey(): KeyObject {
  forger_signing_key ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return forger_signing_key;
}

// The fake ------------------------------------------------------------------------------------

export class PayPalFake {
  readonly #server: Server;
  readonly #options: Required<PayPalFakeOptions>;
  readonly #signing_key = paypalSigningKey();
  readonly #tokens = new Map<string, number>();
  readonly #orders = new Map<string, OrderRecord>();
  readonly #captures = new Map<string, CaptureRecord>();
  readonly #refunds = new Map<string, RefundRecord>();
  readonly #idempotency = new Map<string, { readonly fingerprint: string; readonly answer: Answer }>();
  readonly #requests: RecordedRequest[] = [];
  readonly #faults: ArmedFault[] = [];
  readonly #capture_outcomes: CaptureOutcome[] = [];
  readonly #refund_outcomes: RefundOutcome[] = [];
  readonly #late_answers = new DelayedAnswers();
  #base_url = '';

  private constructor(options: PayPalFakeOptions) {
    this.#options = {
      client_id: options.client_id ?? FAKE_CLIENT_ID,
      client_secret: options.client_secret ?? FAKE_CLIENT_SECRET,
      webhook_id: options.webhook_id ?? FAKE_WEBHOOK_ID,
      token_ttl_s: options.token_ttl_s ?? FAKE_TOKEN_TTL_S,
    };
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  /** Listens on 127.0.0.1, on a free port. */
  static async start(options: PayPalFakeOptions = {}): Promise<PayPalFake> {
    const fake = new PayPalFake(options);
    fake.#base_url = await listenOnLoopback(fake.#server);
    return fake;
  }

  async close(): Promise<void> {
    this.#late_answers.clear();
    await closeNow(this.#server);
  }

  get base_url(): string {
    return this.#base_url;
  }

  get webhook_id(): string {
    return this.#options.webhook_id;
  }

  /** The URL PayPal would put in paypal-cert-url; the verify endpoint accepts only this one. */
  get cert_url(): string {
    return `${this.#base_url}/v1/notifications/certs/CERT-360caa42-fca2a594-fake`;
  }

  get requests(): readonly RecordedRequest[] {
    return [...this.#requests];
  }

  requestsTo(method: string, path_prefix: string): readonly RecordedRequest[] {
    return this.#requests.filter((request) => request.method === method && request.path.startsWith(path_prefix));
  }

  get order_count(): number {
    return this.#orders.size;
  }

  /** The order as GET /v2/checkout/orders/{id} shows it. */
  order(order_id: string): JsonObject | undefined {
    const order = this.#orders.get(order_id);
    return order === undefined ? undefined : this.#orderJson(order);
  }

  captureIdOf(order_id: string): string | undefined {
    return this.#orders.get(order_id)?.capture_ids.at(-1);
  }

  // Programmable outcomes ---------------------------------------------------------------------

  /** The buyer approves on PayPal's page (what GET /checkoutnow does). */
  approve(order_id: string): void {
    const order = this.#orders.get(order_id);
    if (order === undefined) throw new Error(`fake PayPal: no order ${order_id}`);
    if (order.status !== 'CREATED' && order.status !== 'PAYER_ACTION_REQUIRED') throw new Error(`fake PayPal: order ${order_id} is ${order.status}`);
    order.status = 'APPROVED';
    order.payer_id = paypalId(13);
    order.update_time = paypalTime();
  }

  /** PayPal voids the order (e.g. all its authorizations were voided). */
  voidOrder(order_id: string): void {
    const order = this.#orders.get(order_id);
    if (order === undefined) throw new Error(`fake PayPal: no order ${order_id}`);
    order.status = 'VOIDED';
    order.update_time = paypalTime();
  }

  /** The next capture: completed (default), pending (review), declined (capture DECLINED) or a 422 INSTRUMENT_DECLINED. */
  nextCapture(outcome: CaptureOutcome): void {
    this.#capture_outcomes.push(outcome);
  }

  declineNextCapture(): void {
    this.nextCapture('declined');
  }

  nextRefund(outcome: RefundOutcome): void {
    this.#refund_outcomes.push(outcome);
  }

  /** A PENDING capture clears (COMPLETED) or is denied (DECLINED), as PayPal's review would. */
  settleCapture(capture_id: string, status: 'COMPLETED' | 'DECLINED'): void {
    const capture = this.#captures.get(capture_id);
    if (capture?.status !== 'PENDING') throw new Error(`fake PayPal: capture ${capture_id} is not pending`);
    capture.status = status;
    capture.reason = undefined;
    capture.update_time = paypalTime();
  }

  /** The next `count` matching requests meet this fault. */
  injectFault(fault: PayPalFakeFault, count = 1, match?: PayPalFakeFaultMatch): void {
    this.#faults.push({ fault, remaining: count, match });
  }

  /** Every token issued so far stops working (PayPal revoked them, or they expired early). */
  revokeTokens(): void {
    this.#tokens.clear();
  }

  // Webhooks ----------------------------------------------------------------------------------

  event(event_type: string, resource_type: string, resource: JsonObject): JsonObject {
    return {
      id: `WH-${paypalId(17)}-${paypalId(17)}`,
      event_version: '1.0',
      create_time: paypalTime(),
      resource_type,
      resource_version: '2.0',
      event_type,
      summary: `${event_type} (fake)`,
      resource,
      links: [],
    };
  }

  orderApprovedEvent(order_id: string): JsonObject {
    const order = this.#orders.get(order_id);
    if (order === undefined) throw new Error(`fake PayPal: no order ${order_id}`);
    return this.event('CHECKOUT.ORDER.APPROVED', 'checkout-order', this.#orderJson(order));
  }

  captureEvent(capture_id: string, event_type: 'PAYMENT.CAPTURE.COMPLETED' | 'PAYMENT.CAPTURE.DENIED' | 'PAYMENT.CAPTURE.PENDING'): JsonObject {
    const capture = this.#captures.get(capture_id);
    if (capture === undefined) throw new Error(`fake PayPal: no capture ${capture_id}`);
    return this.event(event_type, 'capture', this.#captureJson(capture, true));
  }

  refundEvent(refund_id: string): JsonObject {
    const refund = this.#refunds.get(refund_id);
    if (refund === undefined) throw new Error(`fake PayPal: no refund ${refund_id}`);
    return this.event('PAYMENT.CAPTURE.REFUNDED', 'refund', this.#refundJson(refund));
  }

  /** Headers and body as PayPal would POST them to a webhook listener. */
  delivery(event: JsonObject, options: DeliveryOptions = {}): WebhookDelivery {
    const body = JSON.stringify(event);
    const transmission_id = randomUUID();
    const transmission_time = paypalTime(options.transmission_time_ms);
    const signed_body = options.forgery === 'tampered_body' ? JSON.stringify({ ...event, id: `WH-${paypalId(17)}` }) : body;
    const key = options.forgery === 'wrong_key' ? forgerSigningKey() : this.#signing_key.private_key;
    return {
      headers: {
        'content-type': 'application/json',
        'paypal-transmission-id': transmission_id,
        'paypal-transmission-time': transmission_time,
        'paypal-transmission-sig': sign('sha256', Buffer.from(this.#signedText(transmission_id, transmission_time, this.#options.webhook_id, signed_body)), key).toString('base64'),
        'paypal-cert-url': this.cert_url,
        'paypal-auth-algo': AUTH_ALGO,
        'user-agent': 'PayPal/AUHD-214.0-58012049',
      },
      raw_body: Buffer.from(body),
    };
  }

  /** POSTs a delivery to a listener; returns its HTTP answer. */
  async sendWebhook(url: string, event: JsonObject, options: DeliveryOptions = {}): Promise<{ status: number; body: string }> {
    const delivery = this.delivery(event, options);
    const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.raw_body });
    return { status: response.status, body: await response.text() };
  }

  #signedText(transmission_id: string, transmission_time: string, webhook_id: string, body: string): string {
    return `${transmission_id}|${transmission_time}|${webhook_id}|${crc32(body)}`;
  }

  // HTTP --------------------------------------------------------------------------------------

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request, FAKE_REQUEST_BYTES_MAX);
    if (body === undefined) {
      response.destroy();
      return;
    }
    const context: Context = { method: request.method ?? 'GET', url: new URL(request.url ?? '/', this.#base_url), headers: request.headers, body: body.toString('utf8') };
    this.#record(context);
    const fault = this.#takeFault(context);
    if (fault?.kind === 'delay' && fault.after_processing === true) {
      const answer = this.#route(context);
      this.#late_answers.send(response, fault.delay_ms, () => this.#answer(answer, response));
      return;
    }
    if (fault?.kind === 'delay') await sleep(fault.delay_ms);
    if (fault !== undefined && fault.kind !== 'delay' && fault.after_processing !== true) {
      this.#answerFault(fault, response);
      return;
    }
    const answer = this.#route(context);
    if (fault !== undefined && fault.kind !== 'delay') this.#answerFault(fault, response);
    else this.#answer(answer, response);
  }

  #record(context: Context): void {
    this.#requests.push({
      method: context.method,
      path: context.url.pathname,
      request_id: headerValue(context.headers, 'paypal-request-id'),
      authorization: headerValue(context.headers, 'authorization'),
      body: context.body,
    });
  }

  #takeFault(context: Context): PayPalFakeFault | undefined {
    const armed = this.#faults.find((candidate) => candidate.remaining > 0 && this.#matches(candidate.match, context));
    if (armed === undefined) return undefined;
    armed.remaining -= 1;
    return armed.fault;
  }

  #matches(match: PayPalFakeFaultMatch | undefined, context: Context): boolean {
    if (match === undefined) return context.url.pathname !== TOKEN_PATH;
    return (match.method === undefined || match.method === context.method)
      && (match.path_prefix === undefined || context.url.pathname.startsWith(match.path_prefix));
  }

  #answerFault(fault: Exclude<PayPalFakeFault, { kind: 'delay' }>, response: ServerResponse): void {
    if (fault.kind === 'drop') {
      response.socket?.destroy();
      return;
    }
    const answer = FAULT_BODIES[fault.status];
    this.#answer({ ...answer, body: { ...answer.body, debug_id: debugId() } }, response);
  }

  #answer(answer: Answer, response: ServerResponse): void {
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    response.writeHead(answer.status, {
      ...(answer.body === undefined ? {} : { 'content-type': 'application/json' }),
      'paypal-debug-id': stringAt(answer.body, 'debug_id') ?? debugId(),
      ...answer.headers,
    });
    response.end(text);
  }

  #route(context: Context): Answer {
    const { method } = context;
    const path = context.url.pathname;
    if (method === 'POST' && path === TOKEN_PATH) return this.#token(context);
    if (method === 'GET' && path === '/checkoutnow') return this.#buyerApproves(context);
    if (!this.#authorized(context)) {
      return { status: 401, body: { error: 'invalid_token', error_description: 'Access Token not found in cache' } };
    }
    const segments = path.split('/').filter((segment) => segment.length > 0).map(decodeURIComponent);
    return this.#routeApi(context, segments) ?? paypalError(404, 'NOT_FOUND', 'The specified resource does not exist.');
  }

  #routeApi(context: Context, segments: readonly string[]): Answer | undefined {
    const [version, group, collection, id, action] = segments;
    const method = context.method;
    if (version === 'v2' && group === 'checkout' && collection === 'orders') {
      if (method === 'POST' && id === undefined) return this.#idempotent(context, () => this.#createOrder(context));
      if (method === 'GET' && id !== undefined && action === undefined) return this.#getOrder(id);
      if (method === 'POST' && id !== undefined && action === 'capture' && segments.length === 5) return this.#idempotent(context, () => this.#captureOrder(id));
    }
    if (version === 'v2' && group === 'payments' && collection === 'captures' && id !== undefined) {
      if (method === 'GET' && action === undefined) return this.#getCapture(id);
      if (method === 'POST' && action === 'refund' && segments.length === 5) return this.#idempotent(context, () => this.#refund(id, context));
    }
    if (method === 'POST' && context.url.pathname === '/v1/notifications/verify-webhook-signature') return this.#verify(context);
    return undefined;
  }

  #authorized(context: Context): boolean {
    const match = /^Bearer (\S+)$/.exec(headerValue(context.headers, 'authorization') ?? '');
    const expires_at_ms = match?.[1] === undefined ? undefined : this.#tokens.get(match[1]);
    return expires_at_ms !== undefined && expires_at_ms > Date.now();
  }

  /** Same key and same request → the stored answer; same key, other request → PayPal's 422. */
  #idempotent(context: Context, handle: () => Answer): Answer {
    const request_id = headerValue(context.headers, 'paypal-request-id');
    if (request_id === undefined) return handle();
    const fingerprint = `${context.method} ${context.url.pathname} ${context.body}`;
    const stored = this.#idempotency.get(request_id);
    if (stored !== undefined) {
      if (stored.fingerprint === fingerprint) return stored.answer;
      return unprocessable('PAYPAL_REQUEST_ID_PREVIOUSLY_USED', 'The PayPal-Request-Id has already been used for another request.');
    }
    const answer = handle();
    if (answer.status >= 200 && answer.status < 300) this.#idempotency.set(request_id, { fingerprint, answer });
    return answer;
  }

  // Endpoints ---------------------------------------------------------------------------------

  #token(context: Context): Answer {
    const expected = `Basic ${Buffer.from(`${this.#options.client_id}:${this.#options.client_secret}`).toString('base64')}`;
    if (headerValue(context.headers, 'authorization') !== expected) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client Authentication failed' } };
    }
    const form = new URLSearchParams(context.body);
    if (!(headerValue(context.headers, 'content-type') ?? '').startsWith('application/x-www-form-urlencoded') || form.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' } };
    }
    const access_token = `A21AA${randomBytes(24).toString('base64url')}`;
    this.#tokens.set(access_token, Date.now() + this.#options.token_ttl_s * 1000);
    return {
      status: 200,
      body: {
        scope: 'https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/payments/refund https://uri.paypal.com/services/applications/webhooks',
        access_token,
        token_type: 'Bearer',
        app_id: 'APP-80W284485P519543T',
        expires_in: this.#options.token_ttl_s,
        nonce: `${paypalTime()}${randomBytes(8).toString('base64url')}`,
      },
    };
  }

  #createOrder(context: Context): Answer {
    const body = parseJsonObject(context.body);
    if (body === undefined) return invalidRequest('/', 'MALFORMED_REQUEST_JSON', 'The request JSON is not well formed.');
    const intent = stringAt(body, 'intent');
    if (intent !== 'CAPTURE' && intent !== 'AUTHORIZE') return invalidRequest('/intent', 'INVALID_PARAMETER_VALUE', 'The value of a field is invalid.');
    const units = body.purchase_units;
    const unit = Array.isArray(units) && units.length === 1 && isObject(units[0]) ? units[0] : undefined;
    if (unit === undefined) return invalidRequest('/purchase_units', 'MISSING_REQUIRED_PARAMETER', 'This fake takes exactly one purchase unit.');
    const currency_code = stringAt(unit, 'amount', 'currency_code');
    const value = stringAt(unit, 'amount', 'value');
    if (currency_code === undefined || !/^[A-Z]{3}$/.test(currency_code)) return invalidRequest('/purchase_units/@reference_id==\'default\'/amount/currency_code', 'INVALID_PARAMETER_VALUE', 'Currency code is invalid.');
    if (value === undefined || toMinor(value) === undefined || toMinor(value) === 0) return invalidRequest('/purchase_units/@reference_id==\'default\'/amount/value', 'INVALID_PARAMETER_SYNTAX', 'The value of a field does not conform to the expected format.');
    const experience = isObject(body.payment_source) && isObject(body.payment_source.paypal)
      ? body.payment_source.paypal.experience_context
      : undefined;
    const id = paypalId();
    const now = paypalTime();
    const order: OrderRecord = {
      id,
      intent,
      status: experience === undefined ? 'CREATED' : 'PAYER_ACTION_REQUIRED',
      purchase_unit: { ...unit, reference_id: stringAt(unit, 'reference_id') ?? 'default' },
      amount: { currency_code, value },
      return_url: isObject(experience) ? stringAt(experience, 'return_url') : undefined,
      with_payment_source: experience !== undefined,
      payer_id: undefined,
      capture_ids: [],
      refund_ids: [],
      create_time: now,
      update_time: now,
    };
    this.#orders.set(id, order);
    return { status: 201, body: this.#orderJson(order) };
  }

  #getOrder(order_id: string): Answer {
    const order = this.#orders.get(order_id);
    return order === undefined ? notFound() : { status: 200, body: this.#orderJson(order) };
  }

  /** The buyer's browser on PayPal's approval page: approve, then back to the merchant's return_url. */
  #buyerApproves(context: Context): Answer {
    const order_id = context.url.searchParams.get('token') ?? '';
    const order = this.#orders.get(order_id);
    if (order === undefined || order.return_url === undefined) return { status: 404 };
    if (order.status === 'CREATED' || order.status === 'PAYER_ACTION_REQUIRED') this.approve(order_id);
    const back = new URL(order.return_url);
    back.searchParams.set('token', order.id);
    back.searchParams.set('PayerID', order.payer_id ?? '');
    return { status: 302, headers: { location: back.href } };
  }

  #captureOrder(order_id: string): Answer {
    const order = this.#orders.get(order_id);
    if (order === undefined) return notFound();
    if (order.status === 'COMPLETED') return unprocessable('ORDER_ALREADY_CAPTURED', "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.");
    if (order.status !== 'APPROVED') {
      return unprocessable('ORDER_NOT_APPROVED', "Payer has not yet approved the Order for payment. Please redirect the payer to the 'rel':'approve' url returned as part of the HATEOAS links within the Create Order call or provide a valid payment_source in the request.");
    }
    const outcome = this.#capture_outcomes.shift() ?? 'completed';
    if (outcome === 'instrument_declined') {
      return unprocessable('INSTRUMENT_DECLINED', "The instrument presented was either declined by the processor or bank, or it can't be used for this payment.");
    }
    const now = paypalTime();
    const capture: CaptureRecord = {
      id: paypalId(),
      order_id,
      status: outcome === 'completed' ? 'COMPLETED' : outcome === 'pending' ? 'PENDING' : 'DECLINED',
      reason: outcome === 'pending' ? 'PENDING_REVIEW' : undefined,
      amount: { ...order.amount },
      refunded_minor: 0,
      custom_id: stringAt(order.purchase_unit, 'custom_id'),
      create_time: now,
      update_time: now,
    };
    this.#captures.set(capture.id, capture);
    order.capture_ids.push(capture.id);
    order.status = 'COMPLETED';
    order.update_time = now;
    return { status: 201, body: this.#orderJson(order) };
  }

  #getCapture(capture_id: string): Answer {
    const capture = this.#captures.get(capture_id);
    return capture === undefined ? notFound() : { status: 200, body: this.#captureJson(capture, true) };
  }

  #refund(capture_id: string, context: Context): Answer {
    const capture = this.#captures.get(capture_id);
    if (capture === undefined) return notFound();
    if (capture.status === 'REFUNDED') return unprocessable('CAPTURE_FULLY_REFUNDED', 'The capture has already been fully refunded.');
    if (capture.status !== 'COMPLETED' && capture.status !== 'PARTIALLY_REFUNDED') return unprocessable('REFUND_NOT_ALLOWED', 'Refund cannot be issued for this capture.');
    const body = context.body === '' ? {} : parseJsonObject(context.body);
    if (body === undefined) return invalidRequest('/', 'MALFORMED_REQUEST_JSON', 'The request JSON is not well formed.');
    const remaining_minor = (toMinor(capture.amount.value) ?? 0) - capture.refunded_minor;
    const currency_code = stringAt(body, 'amount', 'currency_code') ?? capture.amount.currency_code;
    const value = stringAt(body, 'amount', 'value');
    const amount_minor = value === undefined ? remaining_minor : toMinor(value);
    if (amount_minor === undefined || amount_minor === 0) return invalidRequest('/amount/value', 'INVALID_PARAMETER_SYNTAX', 'The value of a field does not conform to the expected format.');
    if (currency_code !== capture.amount.currency_code) return unprocessable('CURRENCY_MISMATCH', 'Refund must be in the same currency as the capture.');
    if (amount_minor > remaining_minor) return unprocessable('REFUND_AMOUNT_EXCEEDED', 'The refund amount must be less than or equal to the capture amount that has not yet been refunded.');
    return { status: 201, body: this.#refundJson(this.#recordRefund(capture, amount_minor)) };
  }

  #recordRefund(capture: CaptureRecord, amount_minor: number): RefundRecord {
    const refund: RefundRecord = {
      id: paypalId(),
      capture_id: capture.id,
      status: this.#refund_outcomes.shift() === 'pending' ? 'PENDING' : 'COMPLETED',
      amount: { currency_code: capture.amount.currency_code, value: toDecimal(amount_minor) },
      create_time: paypalTime(),
    };
    this.#refunds.set(refund.id, refund);
    capture.refunded_minor += amount_minor;
    capture.status = capture.refunded_minor >= (toMinor(capture.amount.value) ?? 0) ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    capture.update_time = refund.create_time;
    this.#orders.get(capture.order_id)?.refund_ids.push(refund.id);
    return refund;
  }

  #verify(context: Context): Answer {
    const body = parseJsonObject(context.body);
    const fields = ['auth_algo', 'cert_url', 'transmission_id', 'transmission_sig', 'transmission_time', 'webhook_id'] as const;
    const missing = fields.find((field) => stringAt(body, field) === undefined);
    const event = body?.webhook_event;
    if (body === undefined || missing !== undefined || !isObject(event)) {
      return paypalError(400, 'VALIDATION_ERROR', 'Invalid request - see details', { field: missing ?? 'webhook_event', issue: 'MISSING_REQUIRED_FIELD', description: 'A required field is missing.' });
    }
    const text = (field: (typeof fields)[number]): string => stringAt(body, field) ?? '';
    const trusted = text('webhook_id') === this.#options.webhook_id && text('cert_url') === this.cert_url && text('auth_algo') === AUTH_ALGO;
    const signed_text = this.#signedText(text('transmission_id'), text('transmission_time'), text('webhook_id'), JSON.stringify(event));
    const signature_ok = trusted && verify('sha256', Buffer.from(signed_text), this.#signing_key.public_key, Buffer.from(text('transmission_sig'), 'base64'));
    return { status: 200, body: { verification_status: signature_ok ? 'SUCCESS' : 'FAILURE' } };
  }

  // Representations ---------------------------------------------------------------------------

  #link(path: string, rel: string, method: string): JsonObject {
    return { href: `${this.#base_url}${path}`, rel, method };
  }

  #orderLinks(order: OrderRecord): Json[] {
    const self = this.#link(`/v2/checkout/orders/${order.id}`, 'self', 'GET');
    if (order.status === 'CREATED' || order.status === 'PAYER_ACTION_REQUIRED') {
      const buyer = this.#link(`/checkoutnow?token=${order.id}`, order.with_payment_source ? 'payer-action' : 'approve', 'GET');
      return [self, buyer, this.#link(`/v2/checkout/orders/${order.id}`, 'update', 'PATCH'), this.#link(`/v2/checkout/orders/${order.id}/capture`, 'capture', 'POST')];
    }
    if (order.status === 'APPROVED') return [self, this.#link(`/v2/checkout/orders/${order.id}`, 'update', 'PATCH'), this.#link(`/v2/checkout/orders/${order.id}/capture`, 'capture', 'POST')];
    return [self];
  }

  #payer(order: OrderRecord): JsonObject | undefined {
    if (order.payer_id === undefined) return undefined;
    return { name: { given_name: 'Ivan', surname: 'Petrov' }, email_address: 'buyer@example.com', payer_id: order.payer_id, address: { country_code: 'RU' } };
  }

  #orderJson(order: OrderRecord): JsonObject {
    const payer = this.#payer(order);
    const captures = order.capture_ids.flatMap((id) => {
      const capture = this.#captures.get(id);
      return capture === undefined ? [] : [this.#captureJson(capture, false)];
    });
    const refunds = order.refund_ids.flatMap((id) => {
      const refund = this.#refunds.get(id);
      return refund === undefined ? [] : [this.#refundJson(refund)];
    });
    const payments: JsonObject = { ...(captures.length === 0 ? {} : { captures }), ...(refunds.length === 0 ? {} : { refunds }) };
    const paypal_source: JsonObject = payer === undefined ? {} : { email_address: 'buyer@example.com', account_id: order.payer_id ?? '', account_status: 'VERIFIED', name: { given_name: 'Ivan', surname: 'Petrov' }, address: { country_code: 'RU' } };
    return {
      id: order.id,
      intent: order.intent,
      status: order.status,
      ...(order.with_payment_source ? { payment_source: { paypal: paypal_source } } : {}),
      purchase_units: [
        {
          ...order.purchase_unit,
          payee: { email_address: 'merchant@example.com', merchant_id: 'FAKEMERCHANT1' },
          ...(Object.keys(payments).length === 0 ? {} : { payments }),
        },
      ],
      ...(payer === undefined ? {} : { payer }),
      create_time: order.create_time,
      update_time: order.update_time,
      links: this.#orderLinks(order),
    };
  }

  /** `standalone`: as GET /v2/payments/captures/{id} and webhooks show it, naming its order. */
  #captureJson(capture: CaptureRecord, standalone: boolean): JsonObject {
    const gross_minor = toMinor(capture.amount.value) ?? 0;
    const fee_minor = Math.floor((gross_minor * 34) / 1000);
    const breakdown: JsonObject = {
      gross_amount: capture.amount,
      paypal_fee: { currency_code: capture.amount.currency_code, value: toDecimal(fee_minor) },
      net_amount: { currency_code: capture.amount.currency_code, value: toDecimal(gross_minor - fee_minor) },
    };
    return {
      id: capture.id,
      status: capture.status,
      ...(capture.reason === undefined ? {} : { status_details: { reason: capture.reason } }),
      amount: capture.amount,
      final_capture: true,
      seller_protection: { status: 'ELIGIBLE', dispute_categories: ['ITEM_NOT_RECEIVED', 'UNAUTHORIZED_TRANSACTION'] },
      ...(capture.status === 'PENDING' || capture.status === 'DECLINED' ? {} : { seller_receivable_breakdown: breakdown }),
      ...(capture.custom_id === undefined ? {} : { custom_id: capture.custom_id }),
      ...(standalone ? { supplementary_data: { related_ids: { order_id: capture.order_id } } } : {}),
      links: [
        this.#link(`/v2/payments/captures/${capture.id}`, 'self', 'GET'),
        this.#link(`/v2/payments/captures/${capture.id}/refund`, 'refund', 'POST'),
        this.#link(`/v2/checkout/orders/${capture.order_id}`, 'up', 'GET'),
      ],
      create_time: capture.create_time,
      update_time: capture.update_time,
    };
  }

  #refundJson(refund: RefundRecord): JsonObject {
    return {
      id: refund.id,
      status: refund.status,
      amount: refund.amount,
      links: [this.#link(`/v2/payments/refunds/${refund.id}`, 'self', 'GET'), this.#link(`/v2/payments/captures/${refund.capture_id}`, 'up', 'GET')],
      create_time: refund.create_time,
      update_time: refund.create_time,
    };
  }
}
